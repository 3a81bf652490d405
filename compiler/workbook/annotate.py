"""``check --annotate DIR``: a copy of each workbook with problem cells highlighted and
commented, to send back to the department. The input file is never written.

.xlsx/.xlsm copies keep everything openpyxl keeps; .xls and .ods (which openpyxl cannot
open) come back as a new .xlsx holding the values read, with the same highlights.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from compiler.model import Finding, Severity
from compiler.thai import xml_safe
from compiler.workbook import extent
from compiler.workbook.read import read_workbook

_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


def _note(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        mark = "ผิดพลาด" if f.severity is Severity.ERROR else "คำเตือน"
        lines.append(f"[{mark}] {f.message_th} ({f.code})")
    return "\n".join(lines)[:2000]


def annotated_bytes(path: Path, findings: Sequence[Finding]) -> tuple[bytes, str]:
    """The annotated copy as bytes and its file name (``.xlsx`` unless it was ``.xlsm``)."""
    suffix = path.suffix.lower()
    wb = None
    name = path.stem + ".xlsx"
    if suffix in (".xlsx", ".xlsm") and _openpyxl_can_take(path):
        try:
            wb = load_workbook(path, keep_vba=suffix == ".xlsm", rich_text=True)
            name = path.name
        except Exception:  # openpyxl refuses some files calamine reads: fall back to the values
            wb = None
    if wb is None:
        wb = _from_values(path)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    loose: list[Finding] = []
    for f in findings:
        if f.sheet and f.cell and f.sheet in wb.sheetnames and f.cell[0].isalpha():
            by_cell[(f.sheet, f.cell)].append(f)
        else:
            loose.append(f)
    on_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for (sheet, ref), items in by_cell.items():
        writable = _writable(wb[sheet], ref)
        if writable is None:  # inside overlapping merged ranges (a crafted file): listed instead
            loose.extend(items)
        else:
            on_cell[(sheet, writable.coordinate)].extend(items)
    for (sheet, ref), items in on_cell.items():
        cell = wb[sheet][ref]
        error = any(f.severity is Severity.ERROR for f in items)
        cell.fill = _ERROR_FILL if error else _WARNING_FILL
        cell.comment = Comment(_note(items), "ita-report", width=320, height=160)
    if loose:
        ws = wb.create_sheet("ปัญหาที่พบ", 0)
        ws.append(["แผ่นงาน", "เซลล์", "รหัส", "ข้อความ", "message"])
        for f in loose:
            ws.append([f.sheet, f.cell, f.code, f.message_th, f.message_en])
        ws.column_dimensions["D"].width = 80
        ws.column_dimensions["E"].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), name


def _openpyxl_can_take(path: Path) -> bool:
    """True when openpyxl may load ``path``: it makes an object for every row and cell of every
    sheet and for every cell a merged range covers (one range over a whole sheet: 17 billion), so a
    file past the limits is copied from its values instead (without its merged ranges)."""
    try:
        extents = extent.xlsx_extents(path)
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error, KeyError):
        return False
    elements = sum(e.elements for e in extents.values())
    merged = sum(e.merged for e in extents.values())
    return elements <= extent.MAX_FILE_ELEMENTS and merged <= extent.MAX_MERGED_CELLS


def _writable(ws: Any, ref: str) -> Any | None:
    """The cell at ``ref``, or the top-left cell of the merged range it lies in (only that one
    can hold a fill and a comment); ``None`` when ranges overlap so that no such cell is free."""
    cell = ws[ref]
    if not isinstance(cell, MergedCell):
        return cell
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            top_left = ws.cell(rng.min_row, rng.min_col)
            if not isinstance(top_left, MergedCell):
                return top_left
    return None


def _safe_title(name: str) -> str:
    """A sheet title openpyxl accepts (no ``[]:*?/\\``, at most 31 characters)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31].strip("'")
    return cleaned or "Sheet"


def _from_values(path: Path) -> Workbook:
    wb = Workbook()
    first = wb.active
    for name, sheet in read_workbook(path).sheets.items():
        ws = wb.create_sheet(_safe_title(name))
        for row in sheet.rows:
            ws.append([xml_safe(v) if isinstance(v, str) else v for v in row])
    if first is not None and len(wb.sheetnames) > 1:
        wb.remove(first)
    return wb
