"""The measures table and the ITA scores sheet: header found under any title rows, a measure
spread over several rows joined, numbers, budgets and indicator codes read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from compiler import thai
from compiler.model import (
    Measure,
    cell_ref,
)
from compiler.workbook import standard
from compiler.workbook.cells import _Ctx, _inspect_row, _lines, _score, cell_text, match_headers, not_a_number
from compiler.workbook.read import RawSheet
from compiler.workbook.standard import Field


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
        for c, f in enumerate(match_headers(sheet.rows[r - 1], spec.columns), start=1):
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
            "ไม่พบแถวหัวตาราง กรุณาใช้หัวคอลัมน์ตามแบบฟอร์ม เช่น " + ", ".join(f.label for f in spec.columns if f.required),
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


_CODES_IN_BRACKETS = re.compile(r"\(\s*(?:[ieoIEO]\s?\d{1,2}\s*[,/และ ]*\s*)+\)")
_SPACES = re.compile(r"\s{2,}")


def _indicator_title(text: str) -> str:
    plain = thai.to_arabic_digits(text)
    if not _CODE.search(plain):
        return text
    stripped = _CODES_IN_BRACKETS.sub("", plain)
    stripped = _CODE.sub("", stripped) if stripped == plain else stripped
    stripped = _SPACES.sub(" ", stripped).strip(" ,;:/")
    return stripped if stripped != plain else text


_NUMBER = re.compile(r"^\s*(?:ข้อ|มาตรการที่|ที่)?\s*(\d{1,4})\s*[.)]?\s*$")


def _measure_number(ctx: _Ctx, sheet: str, ref: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and abs(value) < 1e15:
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


#: A measure's budget above this (a million million baht) is a typing slip or a crafted file.
MAX_BUDGET = Decimal(10) ** 12


def _budget(ctx: _Ctx, sheet: str, ref: str, value: object) -> object:
    if value is None:
        return None
    text = cell_text(value)
    if not text or text in {"-", "–", "0"} or "ไม่ใช้" in text or "ไม่มี" in text:
        return None
    if not_a_number(ctx, sheet, ref, value, "งบประมาณ", "budget"):
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
    if abs(number) > MAX_BUDGET:
        ctx.error(
            "budget-too-large",
            sheet,
            ref,
            f"งบประมาณ {thai.format_number(number)} บาท มากเกินจริง (เกิน {thai.format_number(MAX_BUDGET)} บาท) กรุณาตรวจสอบ",
            f"budget {thai.format_number(number)} baht is beyond belief (over {thai.format_number(MAX_BUDGET)}); check the cell",
        )
        return None
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


#: Every key a measures row is read by (those of the sheet's columns are read too).
_READ_KEYS = ("number", "title", "indicator", "budget", *_FIELD_TO_LINES)


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


_ENUMERATOR = re.compile(r"^\s*\(?[0-9๐-๙]{1,3}[.)]\s*")
#: Columns whose example text is a placeholder no real measure holds.
_EXAMPLE_KEYS = ("title", "method", "result")


def _example_key(line: str) -> str:
    numbered = _ENUMERATOR.match(line)  # as _ENUMERATOR.sub("", line), without a new string for most
    return thai.header_key(thai.to_arabic_digits(line[numbered.end() :] if numbered else line))


#: Placeholder lines of the form's example row: ``"วิธีการที่หนึ่ง"``, ``"ผลที่ทำได้จริง"`` …
EXAMPLE_LINES: frozenset[str] = frozenset(
    _example_key(line)
    for key in _EXAMPLE_KEYS
    for line in (*standard.EXAMPLE_ROW[key].split("\n"), standard.EXAMPLE_ROW[key].replace(standard.EXAMPLE_MARK, ""))
    if line.strip()
)
#: Those that may stand inside a longer line (``1. วิธีการที่หนึ่ง 2. วิธีการที่สอง`` typed on one
#: line); ``ผลที่ทำได้จริง`` only as a whole line, since a real result may say it.
_EXAMPLE_INSIDE = tuple(sorted(EXAMPLE_LINES - {_example_key("ผลที่ทำได้จริง")}))
#: ...without those that hold another of them (the same lines are found: a line holding
#: ``วิธีการที่หนึ่ง2.วิธีการที่สอง`` holds ``วิธีการที่สอง``), so each line is searched fewer times.
_EXAMPLE_INSIDE = tuple(a for a in _EXAMPLE_INSIDE if not any(b != a and b in a for b in _EXAMPLE_INSIDE))
#: ...all looked for in one search.
_EXAMPLE_INSIDE_RE = re.compile("|".join(map(re.escape, _EXAMPLE_INSIDE)))


def example_line(text: str, key: str = "title") -> str | None:
    """The first line of ``text`` that is the form's example text, else ``None``.

    ``example_line("๑. วิธีการที่หนึ่ง")`` is that line (any digits, spacing or numbering);
    ``example_line("จัดทำคู่มือ (ตัวอย่าง) แบบฟอร์ม")`` is ``None``: the mark counts only at
    the start of a title (``key`` ``"title"``; see ``_read_measures``).
    """
    return _example_line_by_line(text, key) if _may_hold_example(text, key) else None


#: Example phrases such that every one of ``EXAMPLE_LINES`` (the inside ones are among them)
#: holds one of them: a text holding none of these holds none of those.
_EXAMPLE_ANCHORS: tuple[str, ...] = ()
for _phrase in sorted(EXAMPLE_LINES, key=len):
    if not any(anchor in _phrase for anchor in _EXAMPLE_ANCHORS):
        _EXAMPLE_ANCHORS = (*_EXAMPLE_ANCHORS, _phrase)
#: ...and whether digits stand in them (Thai digits are read as Arabic ones).
_ANCHOR_DIGITS = any(ch.isdigit() for anchor in _EXAMPLE_ANCHORS for ch in anchor)


def _may_hold_example(text: str, key: str) -> bool:
    """False when no line of ``text`` can be an example line: with no mark out of order, each
    line's ``_example_key`` is a piece of the whole text's (its numbering only drops the
    line's start; the key drops line breaks as it drops spaces), so a phrase missing from
    the whole is missing from every line (Thai digits matter only if an anchor holds a digit)."""
    if (key == "title" and standard.EXAMPLE_MARK in text) or thai.has_broken_thai(text):
        return True
    flat = thai.header_key(thai.to_arabic_digits(text) if _ANCHOR_DIGITS else text)
    for anchor in _EXAMPLE_ANCHORS:  # (a loop: any() over a generator costs a call a step)
        if anchor in flat:
            return True
    return False


def _example_line_by_line(text: str, key: str) -> str | None:
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        plain = _example_key(line)
        if (key == "title" and stripped.startswith(standard.EXAMPLE_MARK)) or plain in EXAMPLE_LINES:
            return stripped
        if _EXAMPLE_INSIDE_RE.search(plain):
            return stripped
    return None


def _example_text(ctx: _Ctx, sheet: str, ref: str, line: str) -> None:
    ctx.error(
        "example-text",
        sheet,
        ref,
        f"เซลล์นี้ยังเป็นข้อความตัวอย่างของแบบฟอร์ม ('{line[:60]}') กรุณาพิมพ์ข้อมูลจริงทับ หรือลบออก",
        f"this cell still holds the form's example text ('{line[:60]}'); type the real data over it or delete it",
    )


def _is_whole_example(raw: Callable[[str], tuple[object, bool]], cols: dict[str, int]) -> bool:
    """True when every cell of the example row is still as ``init`` wrote it (or emptied)."""
    for key in cols:
        value = raw(key)[0]
        if value is None:
            continue
        if thai.header_key(cell_text(value)) != thai.header_key(standard.EXAMPLE_ROW.get(key, "")):
            return False
    return True


def _row_cells(
    sheet: RawSheet, r: int, plan: list[tuple[str, int | None]], followers: dict[tuple[int, int], tuple[int, int]]
) -> dict[str, tuple[object, bool]]:
    """Each key's cell on row ``r``, read once: ``(its value, whether that is a merged
    range's, from its top-left cell)``; ``(None, False)`` for a key without a column."""
    row = sheet.rows[r - 1]
    out: dict[str, tuple[object, bool]] = {}
    for key, c in plan:
        top = followers.get((r, c)) if followers and c is not None else None
        if top is not None:
            out[key] = (sheet.value(*top), True)
        else:
            out[key] = (row[c - 1] if c is not None and c <= len(row) else None, False)
    return out


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
    plan = [(key, cols.get(key)) for key in dict.fromkeys((*cols, *_READ_KEYS))]  # (key, column or None)
    for r in range(table.header_row + 1, len(sheet.rows) + 1):
        row = sheet.rows[r - 1]
        if not any(v is not None for v in row):
            continue

        raw = _row_cells(sheet, r, plan, followers).__getitem__

        number_value, number_merged = raw("number")
        title_value, title_merged = raw("title")
        starts = (title_value is not None and not title_merged) or (number_value is not None and not number_merged)
        if starts:
            finish()
            current = None
            title = cell_text(title_value)
            # the form's instructions: a row whose title STARTS with the mark is the example;
            # left whole it is skipped, but a clerk's data typed into it would be lost
            if title.startswith(standard.EXAMPLE_MARK):
                skipping_example = True
                if not _is_whole_example(raw, cols):
                    assert title_col is not None
                    _example_text(ctx, sheet.name, cell_ref(r, title_col), title)
                continue
            skipping_example = False
            indicator_raw = cell_text(raw("indicator")[0])
            number = None
            if number_col is not None:
                number = _measure_number(ctx, sheet.name, cell_ref(r, number_col), number_value)
                if number == 0:  # the example row's ลำดับ, left when the rest was typed over
                    _example_text(ctx, sheet.name, cell_ref(r, number_col), cell_text(number_value))
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
            first = next(c for c, v in enumerate(row, start=1) if v is not None)
            ctx.error(
                "example-text",
                sheet.name,
                cell_ref(r, first),
                f"แถวนี้ต่อจากแถวตัวอย่าง {standard.EXAMPLE_MARK} จึงไม่ถูกนำไปใช้ กรุณาพิมพ์ชื่อมาตรการจริงทับแถวตัวอย่าง",
                f"this row continues the form's example row {standard.EXAMPLE_MARK}, so it is not read;"
                " type the real measure's title over the example",
            )
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
        texts: dict[str, str] = {}  # each cell's text, made once for both loops below
        for key in _EXAMPLE_KEYS:
            value, merged = raw(key)
            if value is not None and not merged and key in cols:
                texts[key] = text = cell_text(value)
                if (line := example_line(text, key)) is not None:
                    _example_text(ctx, sheet.name, cell_ref(r, cols[key]), line)
        for key, target in _FIELD_TO_LINES.items():
            value, merged = raw(key)
            if value is None or (merged and not starts):
                continue
            lines = current[target]
            assert isinstance(lines, list)
            text = texts.get(key) if not merged else None
            for line in _lines(cell_text(value) if text is None else text):
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
