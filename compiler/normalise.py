"""Step 2: turn a workbook's grids into typed values, following the standard.

Finds the header row under any title rows, maps the headers people actually write to the
standard's columns, joins the rows of a measure that spans several rows (merged or left
empty), and cleans every text (digits kept as typed; spaces, zero-width characters and Thai
mark order fixed). What cannot be read as the standard expects becomes a finding at its cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import standard, thai
from .model import DepartmentWorkbook, Finding, Measure, Organisation, Severity, cell_ref, dropped_character, too_long
from .read import RawSheet, RawWorkbook
from .standard import Field

_EXCEL_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
LONG_TEXT = 5000


@dataclass
class _Ctx:
    """Collects findings for one workbook while it is normalised."""

    file: str
    findings: list[Finding]

    def add(self, code: str, severity: Severity, sheet: str, cell: str, th: str, en: str) -> None:
        self.findings.append(Finding(code, severity, self.file, sheet, cell, th, en))

    def error(self, code: str, sheet: str, cell: str, th: str, en: str) -> None:
        self.add(code, Severity.ERROR, sheet, cell, th, en)

    def warn(self, code: str, sheet: str, cell: str, th: str, en: str) -> None:
        self.add(code, Severity.WARNING, sheet, cell, th, en)


@functools.cache
def _names(fields: tuple[Field, ...]) -> tuple[dict[str, Field], tuple[tuple[str, Field], ...]]:
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


def match_header(text: object, fields: Sequence[Field]) -> Field | None:
    """The standard field a header (or label) names, tolerant of spaces and extra words.

    ``match_header("มาตรการ/\\nกิจกรรม", MEASURE_COLUMNS).key == "title"``. Exact names and
    aliases win; otherwise the longest name the header starts with (``ผลการดำเนินการ (ระบุ)``).
    """
    if not isinstance(text, str) or len(text) > _MAX_HEADER:
        return None
    key = thai.header_key(text)
    if not key:
        return None
    exact, pairs = _names(tuple(fields))
    found = exact.get(key)
    if found is not None:
        return found
    for alias, f in pairs:
        if key.startswith(alias):
            return f
    return None


def cell_text(value: object) -> str:
    """A cell's value as clean text: numbers without ``.0``, dates as Thai short dates."""
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
    return tuple(line for line in text.split("\n") if line)


def _inspect_row(ctx: _Ctx, sheet: str, r: int, row: list[object]) -> None:
    """``_inspect_text`` for every text cell of a row (the reference made only when needed)."""
    for c, v in enumerate(row, start=1):
        if isinstance(v, str) and (len(v) > LONG_TEXT or v[:1] == "#" or thai.has_broken_thai(v) or thai.dropped_character(v)):
            _inspect_text(ctx, sheet, cell_ref(r, c), v)


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


# --- ข้อมูลหน่วยงาน -----------------------------------------------------------------------------
def _read_info(ctx: _Ctx, sheet: RawSheet) -> tuple[dict[str, object], dict[str, str]]:
    info: dict[str, object] = {}
    cells: dict[str, str] = {}
    for r, row in enumerate(sheet.rows, start=1):
        label_col = next((c for c, v in enumerate(row[:4], start=1) if v is not None), None)
        if label_col is None:
            continue
        f = match_header(row[label_col - 1], standard.INFO_FIELDS)
        if f is None or f.key in info:
            continue
        # the value stands right of the label (of its merged range, if the label is merged)
        value_col = label_col + 1
        for top, left, bottom, right in sheet.merged:
            if top <= r <= bottom and left <= label_col <= right:
                value_col = right + 1
        value = sheet.value(r, value_col)
        ref = cell_ref(r, value_col)
        cells[f.key] = ref
        if f.kind == "text" and isinstance(value, str) and len(text := cell_text(value)) > standard.LINE_LIMIT:
            ctx.findings.append(too_long(ctx.file, sheet.name, ref, f.label, len(text), standard.LINE_LIMIT))
            info[f.key] = None  # one message for the cell: not also "empty" or "very long"
            continue
        _inspect_text(ctx, sheet.name, ref, value)
        info[f.key] = _info_value(ctx, sheet.name, ref, f, value)
    for f in standard.INFO_FIELDS:
        if f.key not in cells:
            cells[f.key] = ""
            info.setdefault(f.key, None)
    return info, cells


def _info_value(ctx: _Ctx, sheet: str, ref: str, f: Field, value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.kind == "year":
        year = thai.parse_year(value)
        low, high = standard.FISCAL_YEAR_RANGE
        if year is None or not low <= year <= high:
            ctx.error(
                "bad-fiscal-year",
                sheet,
                ref,
                f"ปีงบประมาณ '{cell_text(value)}' ไม่ใช่ปี พ.ศ. ที่เป็นไปได้ กรุณาพิมพ์ เช่น 2565",
                f"fiscal year '{cell_text(value)}' is not a plausible Buddhist Era year (e.g. 2565)",
            )
            return None
        return year
    if f.kind == "score":
        return _score(ctx, sheet, ref, value)
    return cell_text(value)


def _score(ctx: _Ctx, sheet: str, ref: str, value: object) -> float | None:
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


def _uncached(ctx: _Ctx, sheet: str, ref: str) -> None:
    ctx.error(
        "formula-without-value",
        sheet,
        ref,
        "เซลล์นี้เป็นสูตรที่ยังไม่ได้คำนวณ กรุณาเปิดไฟล์ใน Excel กดบันทึก แล้วส่งใหม่ หรือพิมพ์ค่าแทนสูตร",
        "the cell holds a formula that was never calculated; open and save the file in Excel, or type the value",
    )


# --- tables ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """A table sheet located: header row, columns by field key, rows below the header."""

    sheet: RawSheet
    header_row: int
    columns: dict[str, int]  # field key -> 1-based column


def locate_table(ctx: _Ctx, sheet: RawSheet, spec: standard.TableSpec) -> Table | None:
    """Find the header row (the row naming most standard columns) within the first rows."""
    best: tuple[int, int, dict[str, int], list[tuple[int, int, Field]]] = (0, 0, {}, [])
    for r in range(1, min(spec.header_search_rows, len(sheet.rows)) + 1):
        cols: dict[str, int] = {}
        duplicates: list[tuple[int, int, Field]] = []
        for c, value in enumerate(sheet.rows[r - 1], start=1):
            f = match_header(value, spec.columns)
            if f is None:
                continue
            if f.key in cols:
                duplicates.append((r, c, f))
            else:
                cols[f.key] = c
        score = len(cols) + sum(1 for f in spec.columns if f.required and f.key in cols)
        if len(cols) >= 2 and score > best[0]:
            best = (score, r, cols, duplicates)
    _, header_row, cols, duplicates = best
    for r, c, f in duplicates:
        first = cell_ref(r, cols[f.key])
        ctx.warn(
            "duplicate-column",
            sheet.name,
            cell_ref(r, c),
            f"หัวคอลัมน์ '{f.label}' ซ้ำ ระบบใช้คอลัมน์แรก ({first}) กรุณาลบคอลัมน์ที่ซ้ำ",
            f"column '{f.label}' appears twice; the first ({first}) is used",
        )
    if not cols:
        ctx.error(
            "missing-header",
            sheet.name,
            "A1",
            "ไม่พบแถวหัวตาราง กรุณาใช้หัวคอลัมน์ตามแบบฟอร์ม เช่น "
            + ", ".join(f.label for f in spec.columns if f.required),
            "no header row found; use the standard column headers, e.g. "
            + ", ".join(f.label for f in spec.columns if f.required),
        )
        return None
    for f in spec.columns:
        if f.required and f.key not in cols:
            ctx.error(
                "missing-column",
                sheet.name,
                cell_ref(header_row, max(cols.values()) + 1),
                f"ไม่พบคอลัมน์ '{f.label}' ซึ่งต้องมี กรุณาเพิ่มคอลัมน์นี้ในแถวหัวตาราง (แถว {header_row})",
                f"required column '{f.label}' is missing from the header row (row {header_row})",
            )
    return Table(sheet, header_row, cols)


def _merged_followers(sheet: RawSheet, columns: Iterable[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """Cells of ``columns`` inside a merged range (not its top-left) → the range's top-left cell.

    Only cells of the grid that was read count: a merged range reaching far below the data
    (``T1:AC99999`` in a file of a few kilobytes) costs nothing beyond it. Ranges overlap
    only in crafted files; there the first range read keeps a cell, and the work stays
    proportional to the grid, not to the number of ranges times their size.
    """
    out: dict[tuple[int, int], tuple[int, int]] = {}
    last_row = len(sheet.rows)
    wanted = sorted(set(columns))
    for top, left, bottom, right in sorted(set(sheet.merged)):
        if (bottom - top + 1) * (right - left + 1) > 1_000_000:
            continue  # a whole-column merge: nothing to copy
        for c in wanted:
            if not left <= c <= right:
                continue
            for r in range(top, min(bottom, last_row) + 1):
                if (r, c) == (top, left):
                    continue
                if (r, c) in out:
                    break  # overlaps a range already read: an invalid file
                out[(r, c)] = (top, left)
    return out


_CODE = re.compile(r"(?<![A-Za-z])([ieoIEO])\s?(\d{1,2})(?!\d)")


def indicator_codes(text: str) -> tuple[str, ...]:
    """ITA indicator codes named in a text, lower-cased: ``"ช่องทาง (E4, e๕)" -> ("e4", "e5")``."""
    return tuple(dict.fromkeys(f"{a.lower()}{int(b)}" for a, b in _CODE.findall(thai.to_arabic_digits(text))))


def _indicator_title(text: str) -> str:
    plain = thai.to_arabic_digits(text)
    if not _CODE.search(plain):
        return text
    stripped = re.sub(r"\(\s*(?:[ieoIEO]\s?\d{1,2}\s*[,/และ ]*\s*)+\)", "", plain)
    stripped = _CODE.sub("", stripped) if stripped == plain else stripped
    stripped = re.sub(r"\s{2,}", " ", stripped).strip(" ,;:/")
    return stripped if stripped != plain else text


_NUMBER = re.compile(r"^\s*(?:ข้อ|มาตรการที่|ที่)?\s*(\d{1,4})\s*[.)]?\s*$")


def _measure_number(ctx: _Ctx, sheet: str, ref: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
    m = _NUMBER.match(thai.to_arabic_digits(str(value)))
    if m:
        return int(m.group(1))
    ctx.warn(
        "bad-number",
        sheet,
        ref,
        f"ลำดับ '{cell_text(value)}' ไม่ใช่ตัวเลข ระบบจะเรียงตามชื่อมาตรการแทน",
        f"number '{cell_text(value)}' is not a number; the measure is matched by its title",
    )
    return None


def _budget(ctx: _Ctx, sheet: str, ref: str, value: object) -> object:
    if value is None:
        return None
    text = cell_text(value)
    if not text or text in {"-", "–", "0"} or "ไม่ใช้" in text or "ไม่มี" in text:
        return None
    number = thai.parse_number(value)
    if number is None:
        ctx.warn(
            "bad-budget",
            sheet,
            ref,
            f"งบประมาณ '{text}' ไม่ใช่ตัวเลข กรุณาพิมพ์จำนวนเงินเป็นตัวเลข เช่น 12500 หรือเว้นว่าง",
            f"budget '{text}' is not a number; type an amount such as 12500, or leave it empty",
        )
        return None
    if number < 0:
        ctx.warn("bad-budget", sheet, ref, "งบประมาณติดลบ", "negative budget")
    return number


_LINE_FIELDS = ("methods", "responsible", "period", "results", "outcomes", "suggestions")
_FIELD_TO_LINES = {
    "method": "methods",
    "responsible": "responsible",
    "period": "period",
    "result": "results",
    "outcome": "outcomes",
    "suggestion": "suggestions",
}


def _continue_measure(
    ctx: _Ctx,
    sheet: str,
    current: dict[str, object],
    r: int,
    raw: Callable[[str], tuple[object, bool]],
    cols: dict[str, int],
) -> None:
    """An indicator or a budget typed on a measure's later row adds to the measure (not dropped)."""
    value, merged = raw("indicator")
    text = "" if value is None or merged else cell_text(value)
    if text:
        current["indicator"] = "\n".join(t for t in (str(current["indicator"]), _indicator_title(text)) if t)
        codes = (*current["indicator_codes"], *indicator_codes(text))  # type: ignore[misc]
        current["indicator_codes"] = tuple(dict.fromkeys(codes))
    value, merged = raw("budget")
    if value is not None and not merged:
        amount = _budget(ctx, sheet, cell_ref(r, cols["budget"]), value)
        if isinstance(amount, Decimal):
            old = current["budget"]
            current["budget"] = amount + old if isinstance(old, Decimal) else amount


def _read_measures(ctx: _Ctx, table: Table, department: str, file: str) -> list[Measure]:
    sheet, cols = table.sheet, table.columns
    followers = _merged_followers(sheet, cols.values())
    measures: list[Measure] = []
    current: dict[str, object] | None = None
    skipping_example = False

    def finish() -> None:
        if current is not None:
            data = dict(current)
            for key in _LINE_FIELDS:
                data[key] = tuple(data[key])  # type: ignore[arg-type]
            measures.append(Measure(**data))  # type: ignore[arg-type]

    number_col = cols.get("number")
    title_col = cols.get("title")
    for r in range(table.header_row + 1, len(sheet.rows) + 1):
        row = sheet.rows[r - 1]
        if not any(v is not None for v in row):
            continue

        def raw(key: str, _r: int = r) -> tuple[object, bool]:
            c = cols.get(key)
            if c is None:
                return None, False
            top = followers.get((_r, c)) if followers else None
            if top is not None:
                return sheet.value(*top), True
            return sheet.value(_r, c), False

        number_value, number_merged = raw("number")
        title_value, title_merged = raw("title")
        starts = (title_value is not None and not title_merged) or (
            number_value is not None and not number_merged
        )
        if starts:
            finish()
            current = None
            title = cell_text(title_value)
            # the form's instructions: a row whose title STARTS with the mark is the example
            if title.startswith(standard.EXAMPLE_MARK):
                skipping_example = True
                continue
            skipping_example = False
            indicator_raw = cell_text(raw("indicator")[0])
            number = None
            if number_col is not None:
                number = _measure_number(ctx, sheet.name, cell_ref(r, number_col), number_value)
            budget_value = raw("budget")[0]
            current = {
                "number": number,
                "title": title,
                "indicator": _indicator_title(indicator_raw),
                "indicator_codes": indicator_codes(indicator_raw),
                "budget": _budget(ctx, sheet.name, cell_ref(r, cols["budget"]), budget_value)
                if budget_value is not None
                else None,
                "department": department,
                "file": file,
                "row": r,
                **{k: [] for k in _LINE_FIELDS},
            }
            _inspect_row(ctx, sheet.name, r, row)
        elif skipping_example:
            continue
        elif current is None:
            # content before any measure: a continuation with nothing to continue
            ctx.error(
                "missing-value",
                sheet.name,
                cell_ref(r, title_col or 1),
                "แถวนี้มีข้อมูลแต่ไม่มีชื่อมาตรการ กรุณาพิมพ์ชื่อมาตรการ",
                "this row has data but no measure title; type the measure's title",
            )
            continue
        else:
            _inspect_row(ctx, sheet.name, r, row)
            _continue_measure(ctx, sheet.name, current, r, raw, cols)
        assert current is not None
        for key, target in _FIELD_TO_LINES.items():
            value, merged = raw(key)
            if value is None or (merged and not starts):
                continue
            lines = current[target]
            assert isinstance(lines, list)
            for line in _lines(cell_text(value)):
                if not (target in ("responsible", "period") and line in lines):
                    lines.append(line)
    finish()
    return measures


def _read_scores(ctx: _Ctx, sheet: RawSheet) -> dict[str, float]:
    table = locate_table(ctx, sheet, standard.SCORES_TABLE)
    scores: dict[str, float] = {}
    if table is None or "indicator" not in table.columns or "score" not in table.columns:
        return scores
    ic, sc = table.columns["indicator"], table.columns["score"]
    for r in range(table.header_row + 1, len(sheet.rows) + 1):
        code_value, score_value = sheet.value(r, ic), sheet.value(r, sc)
        if code_value is None and score_value is None:
            continue
        codes = indicator_codes(cell_text(code_value))
        if len(codes) != 1:
            ctx.error(
                "bad-indicator",
                sheet.name,
                cell_ref(r, ic),
                f"รหัสตัวชี้วัด '{cell_text(code_value)}' ไม่ถูกต้อง กรุณาพิมพ์ เช่น i4, e5, o12",
                f"indicator code '{cell_text(code_value)}' is not valid; type e.g. i4, e5, o12",
            )
            continue
        if score_value is None:
            ctx.error(
                "missing-value",
                sheet.name,
                cell_ref(r, sc),
                f"ไม่มีคะแนนของตัวชี้วัด {codes[0]}",
                f"indicator {codes[0]} has no score",
            )
            continue
        score = _score(ctx, sheet.name, cell_ref(r, sc), score_value)
        if score is not None:
            scores[codes[0]] = score
    return scores


def normalise_workbook(raw: RawWorkbook) -> DepartmentWorkbook:
    """Read the standard's sheets of ``raw`` into a ``DepartmentWorkbook`` with findings.

    A workbook that could not be read gives an empty ``DepartmentWorkbook`` carrying the
    reading findings.
    """
    ctx = _Ctx(raw.file, list(raw.findings))
    empty = DepartmentWorkbook(raw.file, str(raw.path), {}, {}, (), {}, findings=tuple(ctx.findings))
    if not raw.readable:
        return empty
    if raw.has_macros:
        ctx.warn(
            "macros-not-run",
            "",
            "",
            "ไฟล์มีแมโคร (macro) ระบบอ่านเฉพาะข้อมูลและไม่เรียกใช้แมโครใด ๆ",
            "the workbook contains macros; only its data is read, macros are never run",
        )
    info_sheet = raw.sheet(standard.SHEET_INFO)
    measures_sheet = raw.sheet(standard.SHEET_MEASURES)
    if info_sheet is None and measures_sheet is None:
        found = ", ".join(raw.sheet_names[:10]) or "-"
        ctx.error(
            "no-standard-sheets",
            "",
            "",
            f"ไม่พบแผ่นงานตามแบบฟอร์ม ('{standard.SHEET_INFO}', '{standard.SHEET_MEASURES}') ในไฟล์นี้ พบเพียง: {found}",
            f"none of the standard sheets ('{standard.SHEET_INFO}', '{standard.SHEET_MEASURES}') found; sheets: {found}",
        )
        return DepartmentWorkbook(raw.file, str(raw.path), {}, {}, (), {}, findings=tuple(ctx.findings))
    for sheet in (info_sheet, measures_sheet, raw.sheet(standard.SHEET_SCORES)):
        if sheet is None:
            continue
        for ref in sheet.uncached_formulas:
            _uncached(ctx, sheet.name, ref)
        for ref, error in sheet.error_cells.items():
            _inspect_text(ctx, sheet.name, ref, error)
    info: dict[str, object] = {}
    info_cells: dict[str, str] = {}
    for name, sheet in ((standard.SHEET_INFO, info_sheet), (standard.SHEET_MEASURES, measures_sheet)):
        if sheet is None:
            ctx.error(
                "missing-sheet",
                name,
                "",
                f"ไม่พบแผ่นงาน '{name}' ซึ่งต้องมี กรุณาใช้แบบฟอร์มมาตรฐาน (ita-report init)",
                f"required sheet '{name}' is missing; use the standard form (ita-report init)",
            )
    if info_sheet is not None:
        info, info_cells = _read_info(ctx, info_sheet)
    department = str(info.get("department") or "")
    measures: list[Measure] = []
    columns: dict[str, int] = {}
    if measures_sheet is not None:
        table = locate_table(ctx, measures_sheet, standard.MEASURES_TABLE)
        if table is not None:
            columns = table.columns
            measures = _read_measures(ctx, table, department, raw.file)
    scores_sheet = raw.sheet(standard.SHEET_SCORES)
    scores = _read_scores(ctx, scores_sheet) if scores_sheet is not None else {}
    version = str(info.get("version") or "")
    documents = _read_documents(ctx, raw, info)
    return DepartmentWorkbook(
        raw.file,
        str(raw.path),
        info,
        info_cells,
        tuple(measures),
        scores,
        documents=documents,
        findings=tuple(ctx.findings),
        version=version,
        measure_columns=columns,
    )


def _read_documents(ctx: _Ctx, raw: RawWorkbook, info: dict[str, object]) -> dict[str, object]:
    """The filled ประกาศ / คำสั่ง / บันทึกข้อความ sheets as documents, their findings added."""
    from .documents import read_documents  # only workbooks with document sheets pay for it

    if not any(document_sheet_name(name) for name in raw.sheets):
        return {}
    year = info.get("fiscal_year")
    score = info.get("score")
    org = Organisation(
        name=str(info.get("organisation") or ""),
        district=str(info.get("district") or ""),
        province=str(info.get("province") or ""),
        fiscal_year=year if isinstance(year, int) else 0,
        executive=str(info.get("executive") or ""),
        executive_position=str(info.get("executive_position") or ""),
        score=score if isinstance(score, float) else None,
        emblem=str(info.get("emblem") or ""),
        logo=str(info.get("logo") or ""),
    )
    docs, findings = read_documents(raw, org)
    ctx.findings.extend(findings)
    return {doc.sheet: doc for doc in docs}


def document_sheet_name(name: str) -> bool:
    """True for a sheet named as a document: ``ประกาศ``, ``คำสั่ง 2``, ``บันทึกข้อความ``."""
    key = thai.header_key(name).lower()
    return key.startswith(tuple(thai.header_key(s).lower() for s in standard.DOCUMENT_SHEETS))


def organisation_of(info: dict[str, object]) -> dict[str, object]:
    """The organisation fields of an info dict (for comparing workbooks)."""
    return {k: info.get(k) for k in standard.ORGANISATION_KEYS}


def iter_lines(parts: Iterable[str]) -> Iterable[str]:
    """Every non-empty line of several texts."""
    for p in parts:
        yield from _lines(p)
