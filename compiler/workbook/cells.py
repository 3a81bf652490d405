"""Cell text as people type it: cleaned, inspected for hidden characters, matched to the
standard's headers; and the context that collects a workbook's findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler import remember, thai
from compiler.findings import dropped_character, new_finding, severity_of
from compiler.model import (
    Finding,
    Severity,
    cell_ref,
)
from compiler.workbook.standard import Field

_EXCEL_ERRORS = frozenset({"#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})
LONG_TEXT = 5000


@dataclass
class _Ctx:
    """Collects findings for one workbook while it is normalised."""

    file: str
    findings: list[Finding]

    def add(self, code: str, sheet: str, cell: str, th: str, en: str) -> None:
        self.findings.append(new_finding(code, file=self.file, sheet=sheet, cell=cell, th=th, en=en))

    def error(self, code: str, sheet: str, cell: str, th: str, en: str) -> None:
        assert severity_of(code) is Severity.ERROR, code
        self.add(code, sheet, cell, th, en)

    def warn(self, code: str, sheet: str, cell: str, th: str, en: str) -> None:
        assert severity_of(code) is Severity.WARNING, code
        self.add(code, sheet, cell, th, en)


_Names = tuple[dict[str, Field], tuple[tuple[str, Field], ...]]


def _names(fields: tuple[Field, ...]) -> _Names:
    """Exact names → field, and (name, field) pairs longest first for prefix matching."""
    exact: dict[str, Field] = {}
    pairs: list[tuple[str, Field]] = []
    for f in fields:
        for alias in (f.label, *f.aliases):
            key = thai.header_key(alias)
            exact.setdefault(key, f)
            if len(key) >= 3:
                pairs.append((key, f))
    pairs.sort(key=lambda p: -len(p[0]))
    return exact, tuple(pairs)


#: Headers and labels are short; longer cells are data and never compared.
_MAX_HEADER = 120
#: Per list of fields (by identity: the standard's tuples live as long as the program): the
#: list, its names, and the answers given so far. Every organisation's forms repeat the same
#: headers and labels, so most cells are answered from here; the answers are bounded.
_MATCHERS: dict[int, tuple[Sequence[Field], _Names, dict[str, Field | None]]] = {}
_MAX_ANSWERS = 4096


def match_header(text: object, fields: Sequence[Field]) -> Field | None:
    """The standard field a header (or label) names, tolerant of spaces and extra words.

    ``match_header("มาตรการ/\\nกิจกรรม", MEASURE_COLUMNS).key == "title"``. Exact names and
    aliases win; otherwise the longest name the header starts with (``ผลการดำเนินการ (ระบุ)``).
    """
    if not isinstance(text, str) or len(text) > _MAX_HEADER:
        return None
    _, (exact, pairs), answers = _matcher(fields)
    if text in answers:
        return answers[text]
    found = _match(text, exact, pairs)
    if len(answers) >= _MAX_ANSWERS:
        answers.clear()
    answers[text] = found
    return found


def _matcher(fields: Sequence[Field]) -> tuple[Sequence[Field], _Names, dict[str, Field | None]]:
    matcher = _MATCHERS.get(id(fields))
    if matcher is None or matcher[0] is not fields:
        matcher = _MATCHERS[id(fields)] = (fields, _names(tuple(fields)), {})
    return matcher


def match_headers(values: Sequence[object], fields: Sequence[Field]) -> list[Field | None]:
    """:func:`match_header` of each of ``values`` (a row), the answers looked up in one loop."""
    answers = _matcher(fields)[2]
    out: list[Field | None] = []
    for v in values:
        if type(v) is str and v in answers:
            out.append(answers[v])
        else:
            out.append(match_header(v, fields))
    return out


def _match(text: str, exact: dict[str, Field], pairs: tuple[tuple[str, Field], ...]) -> Field | None:
    key = thai.header_key(text)
    if not key:
        return None
    found = exact.get(key)
    if found is not None:
        return found
    for alias, f in pairs:
        if key.startswith(alias):
            return f
    return None


def cell_text(value: object) -> str:
    """A cell's value as clean text: numbers without ``.0``, dates as Thai short dates."""
    if type(value) is str:  # most cells: none of the tests below applies
        return thai.clean_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        d = value.date() if isinstance(value, dt.datetime) else value
        return thai.thai_date(d, "full")
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return thai.clean_text(value)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(filter(None, text.split("\n")))


def _inspect_row(ctx: _Ctx, sheet: str, r: int, row: list[object]) -> None:
    """``_inspect_text`` for every text cell of a row (the reference made only when needed)."""
    for c, v in enumerate(row, start=1):
        if isinstance(v, str) and _suspect(v):
            _inspect_text(ctx, sheet, cell_ref(r, c), v)


@remember.remembered
def _suspect(text: str) -> bool:
    """Whether :func:`_inspect_text` may have something to say of ``text`` (remembered: the
    same texts come in every organisation's forms)."""
    return len(text) > LONG_TEXT or text[:1] == "#" or thai.has_broken_thai(text) or bool(thai.dropped_character(text))


def _inspect_text(ctx: _Ctx, sheet: str, ref: str, value: object) -> None:
    """Warn about what a clerk typed that the report would carry: broken marks, huge cells."""
    if not isinstance(value, str):
        return
    if value.strip() in _EXCEL_ERRORS:
        ctx.error(
            "formula-error",
            sheet,
            ref,
            f"เซลล์นี้มีค่าผิดพลาดจากสูตร ({value.strip()}) กรุณาแก้สูตรหรือพิมพ์ค่าแทน",
            f"the cell holds a formula error ({value.strip()}); fix the formula or type the value",
        )
    if thai.has_broken_thai(value):
        ctx.warn(
            "broken-thai",
            sheet,
            ref,
            "พิมพ์สระหรือวรรณยุกต์ผิดลำดับ (เช่น ํา แทน ำ) ระบบแก้ให้แล้ว กรุณาแก้ในไฟล์ด้วย",
            "Thai vowels or tone marks typed out of order (e.g. ํา for ำ); fixed in the report, please fix the cell",
        )
    if code := thai.dropped_character(value):
        ctx.findings.append(dropped_character(ctx.file, sheet, ref, code))
    if len(value) > LONG_TEXT:
        ctx.warn(
            "very-long-text",
            sheet,
            ref,
            f"ข้อความยาวมาก ({len(value):,} ตัวอักษร) จะทำให้ตารางในรายงานยาวหลายหน้า กรุณาสรุปให้สั้นลง",
            f"very long text ({len(value):,} characters) will span pages in the report; please shorten it",
        )


def iter_lines(parts: Iterable[str]) -> Iterable[str]:
    """Every non-empty line of several texts."""
    for p in parts:
        yield from _lines(p)


def not_a_number(
    ctx: _Ctx, sheet: str, ref: str, value: object, what_th: str, what_en: str, *, thousands: bool = True
) -> bool:
    """Report a NaN or infinite value (``number-not-finite``) or a decimal comma
    (``decimal-comma``) at ``ref``; True when one was reported."""
    if thai.not_finite(value):
        shown = cell_text(value)[:40]
        ctx.error(
            "number-not-finite",
            sheet,
            ref,
            f"{what_th} '{shown}' ไม่ใช่จำนวนที่ใช้ได้ (ไม่มีค่าหรือมากเกินกว่าจะเป็นจำนวนได้) กรุณาพิมพ์ตัวเลข",
            f"{what_en} '{shown}' is not a usable number (NaN or infinite); type a number",
        )
        return True
    if thai.decimal_comma(value, thousands=thousands):
        shown = cell_text(value)[:40]
        ctx.error(
            "decimal-comma",
            sheet,
            ref,
            f"{what_th} '{shown}' ใช้จุลภาค (,) เป็นจุดทศนิยม กรุณาพิมพ์จุด เช่น {shown.replace(',', '.')}",
            f"{what_en} '{shown}' has a comma where the decimal point belongs; type {shown.replace(',', '.')}",
        )
        return True
    return False


def _score(ctx: _Ctx, sheet: str, ref: str, value: object) -> float | None:
    if not_a_number(ctx, sheet, ref, value, "คะแนน", "score", thousands=False):
        return None
    number = thai.parse_number(str(value).replace("คะแนน", "") if isinstance(value, str) else value)
    if number is None:
        ctx.error(
            "bad-score",
            sheet,
            ref,
            f"คะแนน '{cell_text(value)}' ไม่ใช่ตัวเลข กรุณาพิมพ์ตัวเลข 0–100 เช่น 93.05",
            f"score '{cell_text(value)}' is not a number; type a number 0–100 (e.g. 93.05)",
        )
        return None
    if not 0 <= number <= 100:
        ctx.error(
            "score-out-of-range",
            sheet,
            ref,
            f"คะแนน {number} อยู่นอกช่วง 0–100",
            f"score {number} is outside 0–100",
        )
        return None
    return float(number)


def keep_text(cells: Iterable[Any]) -> None:
    """Make every text cell among openpyxl ``cells`` stay text when written.

    openpyxl stores a string that begins with ``=`` as a live formula; text typed by a clerk
    (``=HYPERLINK("http://…")``, a folder called ``=1+1``) must never become one. Text that
    begins with ``+ - @`` or a tab is stored as text already; this makes it explicit too.
    Only for cells the tool fills itself: a formula the workbook had stays a formula.
    """
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
