"""The template variables of a :class:`~compiler.model.Report` (the report's rows among them).

``report_context`` turns the report into plain template variables (every digit Thai unless
``digits="arabic"``, Buddhist Era years, budgets in words and numbers);
:mod:`compiler.report.render` fills ``templates/report.docx`` with them. Nothing here imports
docxtpl or python-docx: a build assembled from remembered rows (:mod:`compiler.report.assemble`)
makes a new row's variables without them.

Template variables (all text is data: ``{{``, ``<`` and ``&`` come out as typed):

==================== ========================================================================
``layout``           ``measures``, ``numbered`` or ``indicators``: which table to keep
``digits``           ``thai`` or ``arabic``
``organisation``     the organisation's name, e.g. ``เทศบาลตำบลบ้านต๋อม``
``district``         the district without ``อำเภอ``, e.g. ``เมือง``
``province``         the province without ``จังหวัด``, e.g. ``พะเยา``
``fiscal_year``      the fiscal year, BE, e.g. ``๒๕๖๕``
``previous_year``    the year before, e.g. ``๒๕๖๔`` (last year's ITA result)
``score``            the overall ITA score, e.g. ``๙๓.๐๕``; ``""`` when none was given
``level``            its NACC level (``AA`` … ``F``); ``""`` when no score
``executive``        the executive's name; a dotted line when none was given
``executive_position`` the executive's position, e.g. ``นายกเทศมนตรีตำบลบ้านต๋อม``
``logo``             the logo picture (3 cm high) or ``""`` when there is none
``departments``      the departments' names, in the report's order
``measures``         the table rows, each ``m`` with:
``m.number``         the measure's number (``๑``), or its position when it has none
``m.title``          lines of the measure's title; in ``measures`` layout the first line
                     starts ``๑.`` unless the title is numbered already
``m.indicator``      lines of the indicator (numbered like the title in ``indicators``)
``m.methods``        lines of วิธีการดำเนินการ
``m.responsible``    lines of ผู้รับผิดชอบ
``m.period``         lines of ระยะเวลา
``m.results``        lines of ผลการดำเนินการ, each with ``head`` and ``text``: when
                     ``m.grouped``, the first of each department's lines has the
                     department's name and a space as ``head`` (``สำนักปลัด ``: printed bold
                     before the text, on the same line); otherwise ``head`` is always ``""``
``m.outcomes``       lines of ผลลัพธ์, as ``m.results``
``m.suggestions``    lines of ข้อเสนอแนะ, as ``m.results``
``m.scores``         lines ``(i๔ : ๑๐๐ คะแนน)``, one per indicator code with a score
``m.budget``         ``๑๒,๕๐๐ บาท`` or ``ไม่ใช้งบประมาณ``
``m.grouped``        true when several departments reported the measure
``m.departments``    the names of the departments that reported it
``m.also``           what the measure holds in columns the layout's table has none for,
                     as ``m.results`` lines whose ``head`` is the column's name (``ระยะเวลา: ``,
                     ``งบประมาณ: ``, ``ข้อเสนอแนะ (กองคลัง): ``); the built-in template prints
                     them under the measure's title, so no filled column is dropped
==================== ========================================================================
"""

from __future__ import annotations

import re
from typing import Any

from compiler import errors, thai
from compiler.docx import linebreak
from compiler.docx.datatext import paragraphs, wrapped
from compiler.model import DepartmentPart, MergedMeasure, Organisation, Report
from compiler.remember import Kept
from compiler.report.merge import ALSO_FIELDS, LAYOUTS, SHOWN
from compiler.workbook.standard import MEASURE_COLUMNS, level_for, organisation_type

DIGIT_STYLES = ("thai", "arabic")
#: What the signature block shows when the workbook names no executive.
NO_EXECUTIVE = "." * 50
#: The style of the table's text in the template, whose size sizes the columns (or
#: ``TABLE_PT`` when a template of one's own lacks it).
TABLE_STYLE = "Thai Table Text"
TABLE_PT = 12.0

# A line that already starts with its number: "๑.", "1)", "(๒)", "๑.๑".
_NUMBERED = re.compile(r"^\s*\(?[0-9๐-๙]+[.)]")
_DISTRICT_PREFIX = re.compile(r"^\s*(?:อำเภอ|อ\.)\s*")
_PROVINCE_PREFIX = re.compile(r"^\s*(?:จังหวัด|จ\.)\s*")


def _lines(values: tuple[str, ...] | str, style: str) -> list[str]:
    """Every line of a field, typeset: split at line breaks, blank lines dropped."""
    if isinstance(values, str):
        values = (values,)
    out: list[str] = []
    for value in values:
        for line in str(value).split("\n"):
            line = line.strip()
            if line:
                out.extend(paragraphs(thai.digits(line, style)))
    return out


def _numbered(lines: list[str], number: int, style: str) -> list[str]:
    """Lines with ``๑. `` before the first unless it is numbered already."""
    if not lines or _NUMBERED.match(lines[0]):
        return lines
    return [thai.digits(f"{number}. ", style) + lines[0], *lines[1:]]


def _grouped(parts: tuple[DepartmentPart, ...], field: str, grouped: bool, style: str) -> list[dict[str, str]]:
    """Lines of one field over a measure's parts, under each department's name when grouped."""
    out: list[dict[str, str]] = []
    for part in parts:
        lines = _lines(getattr(part, field), style)
        if not lines:
            continue
        head = f"{part.department} " if grouped and part.department else ""
        out.extend({"head": head if i == 0 else "", "text": line} for i, line in enumerate(lines))
    return out


def _score_lines(codes: tuple[str, ...], scores: dict[str, float], style: str) -> list[str]:
    """``(i๔ : ๑๐๐ คะแนน)`` for each code that has a score, in the measure's order."""
    lowered = {k.strip().lower(): v for k, v in scores.items()}
    out = []
    for code in codes:
        score = lowered.get(code.strip().lower())
        if score is not None:
            out.append(thai.digits(f"({code.strip()} : {thai.format_score(score)} คะแนน)", style))
    return out


_LABEL = {f.key: f.label for f in MEASURE_COLUMNS}


def _also(measure: MergedMeasure, layout: str, style: str) -> list[dict[str, str]]:
    """Labelled lines of the fields ``layout`` has no column for (``ระยะเวลา: ต.ค. ๒๕๖๔``)."""
    out: list[dict[str, str]] = []

    def add(label: str, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            out.append({"head": f"{label}: " if i == 0 else "", "text": line})

    for key in ALSO_FIELDS:
        if key in SHOWN[layout]:
            continue
        if key == "indicator":
            codes = [", ".join(measure.indicator_codes)] if measure.indicator_codes else []
            add(_LABEL[key], _lines(measure.indicator, style) or codes)
        elif key == "period":
            add(_LABEL[key], _lines(measure.period, style))
        elif key == "budget":
            if measure.budget is not None:
                add(_LABEL[key], [thai.digits(thai.format_budget(measure.budget), style)])
        else:
            attr = {"outcome": "outcomes", "suggestion": "suggestions"}[key]
            for part in measure.parts:
                label = _LABEL[key] + (f" ({part.department})" if measure.grouped and part.department else "")
                add(label, _lines(getattr(part, attr), style))
    return out


#: The rows made in this process, by everything a row is made from: a server building again
#: after one department changed its workbook remakes that department's rows only. At most
#: this many rows of at most this many characters each (a few MB; a row of a whole page of
#: text is made again, which costs little beside its page).
_ROWS_KEPT = 4096
_ROW_LONGEST = 8000
_rows: Kept[tuple[Any, ...], dict[str, Any]] = Kept(_ROWS_KEPT)


def measure_context(measure: MergedMeasure, position: int, report: Report, style: str) -> dict[str, Any]:
    """One table row's variables (see the module docstring), remembered: the same measure at
    the same position, layout, scores and digits gives the same dict (read it, never change it)."""
    key = (measure, position, report.layout, tuple(sorted(report.scores.items())), style)
    row = _rows.get(key)
    if row is None:
        row = wrapped(_measure_context(measure, position, report, style))  # data, walked once
        if _text_size(row) <= _ROW_LONGEST:
            _rows.keep(key, row)
    return row


def _text_size(value: Any) -> int:
    """The characters of the texts inside ``value`` (a row's dicts and lists)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_size(v) for v in value.values())
    if isinstance(value, list):
        return sum(_text_size(v) for v in value)
    return 0


def _measure_context(measure: MergedMeasure, position: int, report: Report, style: str) -> dict[str, Any]:
    number = measure.number if measure.number is not None else position
    title = _lines(measure.title, style)
    indicator = _lines(measure.indicator, style)
    if report.layout == "measures":
        title = _numbered(title, number, style)
    elif report.layout == "indicators":
        indicator = _numbered(indicator, number, style)
    grouped = measure.grouped
    return {
        "number": thai.digits(str(number), style),
        "title": title,
        "indicator": indicator,
        "methods": _lines(measure.methods, style),
        "responsible": _lines(measure.responsible, style),
        "period": _lines(measure.period, style),
        "results": _grouped(measure.parts, "results", grouped, style),
        "outcomes": _grouped(measure.parts, "outcomes", grouped, style),
        "suggestions": _grouped(measure.parts, "suggestions", grouped, style),
        "scores": _score_lines(measure.indicator_codes, report.scores, style),
        "budget": thai.digits(thai.format_budget(measure.budget), style),
        "grouped": grouped,
        "departments": [p.department for p in measure.parts if p.department],
        "also": _also(measure, report.layout, style),
    }


def report_context(report: Report, digits: str = "thai") -> dict[str, Any]:
    """The template variables of ``report`` (listed in the module docstring).

    ``digits`` is ``"thai"`` (every digit Thai except in URLs, e-mail addresses and Latin
    codes) or ``"arabic"``. ``logo`` is the logo's path here (``""`` for none);
    :func:`render_report` turns it into the picture. Raises :class:`errors.UsageError`
    for an unknown layout or digit style.
    """
    if digits not in DIGIT_STYLES:
        raise errors.UsageError(
            f"รูปแบบตัวเลขต้องเป็น thai หรือ arabic ไม่ใช่ {digits!r}",
            f"digits must be 'thai' or 'arabic', not {digits!r}",
        )
    if report.layout not in LAYOUTS:
        raise errors.UsageError(
            f"รูปแบบตารางต้องเป็น {', '.join(LAYOUTS)} ไม่ใช่ {report.layout!r}",
            f"the layout must be one of {', '.join(LAYOUTS)}, not {report.layout!r}",
        )
    org = report.organisation
    d = digits

    def text(value: str) -> str:
        return thai.digits(" ".join(str(value).split()), d)

    score = "" if org.score is None else text(thai.format_score(org.score))
    return {
        "layout": report.layout,
        "digits": digits,
        "organisation": text(org.name),
        "district": text(_DISTRICT_PREFIX.sub("", org.district)),
        "province": text(_PROVINCE_PREFIX.sub("", org.province)),
        "fiscal_year": text(org.year_text),
        "previous_year": text(org.previous_year_text),
        "score": score,
        "level": "" if org.score is None else level_for(org.score),
        "executive": text(org.executive) or NO_EXECUTIVE,
        "executive_position": text(org.executive_position),
        "logo": org.logo,
        "departments": [text(name) for name in report.departments],
        "measures": [measure_context(m, i, report, d) for i, m in enumerate(report.measures, start=1)],
    }


def report_names(org: Organisation) -> list[str]:
    """The names no line may break inside: the organisation's own name (``บ้านต๋อม``), the
    district, the province, the executive's names."""
    return [
        *linebreak.place_names(
            organisation_type(org.name)[1],
            _DISTRICT_PREFIX.sub("", org.district).strip(),
            _PROVINCE_PREFIX.sub("", org.province).strip(),
        ),
        *linebreak.names_to_join(org.executive),
    ]
