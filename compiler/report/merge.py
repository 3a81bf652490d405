"""Step 4: merge the departments' workbooks of one organisation into one ``Report``.

The workbooks must agree on the organisation, district, province and fiscal year; a
disagreement is an error naming the files and values. A measure reported by several
departments (same ``ลำดับ`` and title, or same title when unnumbered; see ``identity``)
appears once, each department's results kept apart; measures come in ``ลำดับ`` order, or
renumbered in department order when departments used one number for different measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from compiler.findings import new_finding
from compiler.model import (
    DepartmentPart,
    DepartmentWorkbook,
    Finding,
    Measure,
    MergedMeasure,
    Organisation,
    Report,
    Severity,
    cell_ref,
)
from compiler.remember import Kept, remembered
from compiler.thai import header_key, to_arabic_digits
from compiler.workbook import identity, indicators, plan, standard

LAYOUTS = ("measures", "numbered", "indicators")
#: The measure fields each layout's own table columns show (see ``template_builder.LAYOUTS``).
SHOWN: dict[str, frozenset[str]] = {
    "measures": frozenset({"title", "method", "responsible", "period", "result", "suggestion"}),
    "numbered": frozenset({"number", "title", "method", "period", "responsible", "result", "outcome", "budget"}),
    "indicators": frozenset({"indicator", "title", "method", "result", "outcome", "responsible"}),
}
#: Fields that the built-in template prints under a measure's title (``m.also``) when the
#: layout has no column for them, in this order.
ALSO_FIELDS = ("indicator", "period", "budget", "outcome", "suggestion")
_HAS = {
    "indicator": lambda m: bool(m.indicator or m.indicator_codes),
    "period": lambda m: bool(m.period),
    "budget": lambda m: m.budget is not None,
    "outcome": lambda m: bool(m.outcomes),
    "suggestion": lambda m: bool(m.suggestions),
}


def columns_not_shown(workbooks: Sequence[DepartmentWorkbook], layout: str) -> list[Finding]:
    """A ``column-not-shown`` warning for each workbook column holding data that ``layout``'s
    table has no column for: for a template of one's own without ``m.also``, where such data
    would be dropped. Names the column, its cells and the layouts that show it."""
    out: list[Finding] = []
    for wb in workbooks:
        for key in ALSO_FIELDS:
            if key in SHOWN[layout] or key not in wb.measure_columns:
                continue
            cells = [cell_ref(m.row, wb.measure_columns[key]) for m in wb.measures if _HAS[key](m)]
            if not cells:
                continue
            label = next(f.label for f in standard.MEASURE_COLUMNS if f.key == key)
            shows = ", ".join(name for name in LAYOUTS if key in SHOWN[name])
            listed = ", ".join(cells[:10]) + (f" … ({len(cells)})" if len(cells) > 10 else "")
            out.append(
                new_finding(
                    "column-not-shown",
                    file=wb.file,
                    sheet=standard.SHEET_MEASURES,
                    cell=cells[0],
                    th=f"คอลัมน์ '{label}' มีข้อมูล ({listed}) แต่รูปแบบตาราง {layout} ของแม่แบบนี้ไม่แสดง"
                    f" ข้อมูลนี้จะไม่อยู่ในรายงาน ใช้ --layout {shows.split(', ')[0]} (รูปแบบที่แสดง: {shows})"
                    " หรือเพิ่ม m.also ในแม่แบบ",
                    en=f"column '{label}' holds data ({listed}) that the {layout} table of this template does not show;"
                    f" it is left out of the report; use --layout {shows.split(', ')[0]} (shown by: {shows})"
                    " or add m.also to the template",
                )
            )
    return out


def _disagreement(key: str, values: dict[object, list[str]]) -> Finding:
    label = next(f.label for f in standard.INFO_FIELDS if f.key == key)
    th = "; ".join(f"'{v}' ใน {', '.join(files)}" for v, files in values.items())
    en = "; ".join(f"'{v}' in {', '.join(files)}" for v, files in values.items())
    return new_finding(
        "organisation-mismatch",
        file="",
        sheet=standard.SHEET_INFO,
        cell="",
        th=f"ไฟล์ของหน่วยงานเดียวกันระบุ '{label}' ไม่ตรงกัน: {th} กรุณาแก้ให้ตรงกันก่อนรวมรายงาน",
        en=f"the workbooks disagree on '{label}': {en}; make them agree before building",
    )


def _first(workbooks: Sequence[DepartmentWorkbook], key: str) -> object:
    return next((wb.info[key] for wb in workbooks if wb.info.get(key) not in (None, "")), None)


def organisation(workbooks: Sequence[DepartmentWorkbook]) -> tuple[Organisation | None, list[Finding]]:
    """The one ``Organisation`` the workbooks describe, or the findings saying they disagree."""
    findings: list[Finding] = []
    for key in standard.ORGANISATION_KEYS:
        values: dict[object, list[str]] = {}
        for wb in workbooks:
            v = wb.info.get(key)
            if v not in (None, ""):
                values.setdefault(v, []).append(wb.file)
        if len(values) > 1:
            findings.append(_disagreement(key, values))
    for key in ("executive", "executive_position", "score"):
        values = {}
        for wb in workbooks:
            v = wb.info.get(key)
            if v not in (None, ""):
                values.setdefault(v, []).append(wb.file)
        if len(values) > 1:
            label = next(f.label for f in standard.INFO_FIELDS if f.key == key)
            listed = "; ".join(f"'{v}' ({', '.join(files)})" for v, files in values.items())
            findings.append(
                new_finding(
                    "info-mismatch",
                    file="",
                    sheet=standard.SHEET_INFO,
                    cell="",
                    th=f"'{label}' ไม่ตรงกันระหว่างไฟล์: {listed} ระบบใช้ค่าแรก",
                    en=f"'{label}' differs between workbooks: {listed}; the first is used",
                )
            )
    if any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    org = Organisation.from_info({f.key: _first(workbooks, f.key) for f in standard.INFO_FIELDS})
    return org, findings


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    """Lines of all groups in order, each once (``๒๕๖๘`` and ``2568`` count as the same)."""
    seen: dict[str, str] = {}
    for group in groups:
        for line in group:
            seen.setdefault(_line_key(line), line)
    return tuple(seen.values())


@remembered
def _line_key(line: str) -> str:
    return header_key(to_arabic_digits(line))


_title_key = identity.title_key


def _merge_one(
    number: int | None, group: Sequence[Measure], year: int | None = None, *, remember: bool = True
) -> tuple[MergedMeasure, list[Finding]]:
    """One measure merged from its departments' rows, and what disagrees; remembered by those
    rows (a server merging again after one department changed merges only its measures)
    unless ``remember`` is false."""
    if not remember:
        merged, findings = _merge_group(number, group, year)
        return merged, list(findings)
    key = (number, tuple(group), year)
    known = _merged.get(key)
    if known is None:
        known = _merge_group(number, group, year)
        _merged.keep(key, known)
    return known[0], list(known[1])


#: Measures merged in this process, by their rows (the rows of a few organisations). A
#: district's workers merge each organisation once: they do not remember (4,096 measures of
#: other organisations were ~50 MB a worker, measured).
_merged: Kept[tuple[Any, ...], tuple[MergedMeasure, tuple[Finding, ...]]] = Kept(4096)


def _merge_group(
    number: int | None, group: Sequence[Measure], year: int | None
) -> tuple[MergedMeasure, tuple[Finding, ...]]:
    findings: list[Finding] = []
    title = next((m.title for m in group if m.title), "")
    indicator = next((m.indicator for m in group if m.indicator), "")
    methods: tuple[str, ...] = next((m.methods for m in group if m.methods), ())
    for m in group[1:]:
        for code, kept, other, what_th, what_en in (
            ("title-mismatch", title, m.title, "ชื่อ", "titles"),
            ("indicator-mismatch", indicator, m.indicator, "ตัวชี้วัด", "indicators"),
        ):
            if other and other != kept and _title_key(other) != _title_key(kept):
                findings.append(
                    new_finding(
                        code,
                        file=m.file,
                        sheet=standard.SHEET_MEASURES,
                        cell=f"แถว {m.row}",
                        th=f"มาตรการลำดับ {m.number} มี{what_th}ต่างกัน: '{kept[:60]}' กับ '{other[:60]}' ({m.file})"
                        f" ระบบใช้{what_th}แรก กรุณาตรวจสอบลำดับมาตรการ",
                        en=f"measure {m.number} has two {what_en}: '{kept[:60]}' and '{other[:60]}' ({m.file});"
                        " the first is used; check the measure numbers",
                    )
                )
        if (
            m.methods
            and m.methods != methods
            and [_title_key(x) for x in m.methods] != [_title_key(x) for x in methods]
        ):
            findings.append(
                new_finding(
                    "method-mismatch",
                    file=m.file,
                    sheet=standard.SHEET_MEASURES,
                    cell=f"แถว {m.row}",
                    th=f"วิธีการดำเนินการของมาตรการ '{title[:60]}' ต่างกัน: "
                    f"'{' / '.join(methods)}' กับ '{' / '.join(m.methods)}' ({m.file}) ระบบใช้แบบแรก",
                    en=f"two plans for measure '{title[:60]}': '{' / '.join(methods)}' and "
                    f"'{' / '.join(m.methods)}' ({m.file}); the first is used",
                )
            )
    parts: dict[str, DepartmentPart] = {}
    for m in group:
        dept = m.department or m.file
        old = parts.get(dept, DepartmentPart(dept))
        parts[dept] = DepartmentPart(
            dept,
            _union(old.methods, m.methods),
            old.results + m.results,
            old.outcomes + m.outcomes,
            old.suggestions + m.suggestions,
        )
    budgets = [m.budget for m in group if m.budget is not None]
    codes = _union(*(m.indicator_codes for m in group))
    if not indicator and codes:  # codes alone: the indicator's name from that year's criteria
        indicator = indicators.indicator_name(codes, year)
    merged = MergedMeasure(
        number=number,
        title=title,
        indicator=indicator,
        indicator_codes=codes,
        methods=methods,
        responsible=_union(*(m.responsible for m in group)),
        period=_union(*(m.period for m in group)),
        parts=tuple(parts.values()),
        budget=sum(budgets, Decimal(0)) if budgets else None,
    )
    return merged, tuple(findings)


def default_layout(measures: Sequence[MergedMeasure]) -> str:
    """``indicators`` when measures name indicators, ``numbered`` when they carry outcomes or
    budgets, else ``measures`` (the plainest table)."""
    if any(m.indicator or m.indicator_codes for m in measures):
        return "indicators"
    if any(m.budget is not None or any(p.outcomes for p in m.parts) for m in measures):
        return "numbered"
    return "measures"


department_order = identity.department_order


def _planned(m: MergedMeasure, workbooks: Sequence[DepartmentWorkbook]) -> bool:
    source = plan.find_plan(workbooks)
    return source is not None and any(p.number == m.number and p.title == m.title for p in source.plan)


def merge_measures(
    workbooks: Sequence[DepartmentWorkbook], year: int | None = None, *, remember: bool = True
) -> tuple[list[MergedMeasure], list[Finding]]:
    """Every measure of an organisation once, its departments' parts in the usual order
    (used by ``merge`` and by the district intake, which must count measures the same way).
    Which rows are one measure is ``identity``'s: the number and the title. ``year`` names
    code-only indicators from that year's criteria; ``remember``: see :func:`_merge_one`."""
    departments, unreported = plan.apply(workbooks)  # with a plan, its text is the truth
    groups, _ = identity.measure_groups(department_order(departments))  # its warnings are check's
    measures: list[MergedMeasure] = []
    findings: list[Finding] = []
    for group in groups:
        merged, extra = _merge_one(group.number, group.measures, year, remember=remember)
        measures.append(merged)
        findings.extend(extra)
    for p in unreported:  # a plan measure nobody reported: listed, with no results
        measures.append(replace(_merge_one(p.number, (p,), year, remember=remember)[0], parts=()))
    if unreported or any(wb.is_plan or wb.plan for wb in workbooks):
        measures.sort(key=lambda m: (not _planned(m, workbooks), m.number if m.number is not None else 1 << 30))
    return measures, findings


def merge(
    workbooks: Sequence[DepartmentWorkbook], layout: str | None = None, *, remember: bool = True
) -> tuple[Report | None, list[Finding]]:
    """One ``Report`` from an organisation's department workbooks, or ``None`` and the
    findings that prevent it (the workbooks disagree on who they are); ``remember``: whether
    its measures are remembered for a merge of the same rows again (:func:`_merge_one`)."""
    org, findings = organisation(workbooks)
    if org is None:
        return None, findings
    workbooks = department_order(workbooks)
    measures, extra = merge_measures(workbooks, org.fiscal_year, remember=remember)
    findings.extend(extra)
    scores: dict[str, float] = {}
    for wb in workbooks:
        for code, value in wb.scores.items():
            scores.setdefault(code, value)
    departments = tuple(dict.fromkeys(wb.department or wb.file for wb in workbooks if not wb.is_plan))
    chosen = layout or default_layout(measures)
    report = Report(org, tuple(measures), scores, departments, chosen, tuple(findings))
    return report, findings
