"""Write the bundled sample workbooks, ``sample_workbooks/<org>/<department>.xlsx``.

Run from the repository root: ``python tools/make_samples.py`` (``--check`` only compares
and exits 1 when a committed workbook differs from what this script builds). The data lives
in ``tools/sample_data.py``; every sheet name and label comes from ``compiler.standard``.
The output is byte-for-byte reproducible: fixed document dates and zip entry times.

Each sheet is written by one function in ``SHEET_WRITERS``; to add a sheet (the official
documents kept under an organisation's ``documents`` key, say), append a writer there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402
from openpyxl.xml.constants import ARC_CORE  # noqa: E402
from openpyxl.xml.functions import tostring  # noqa: E402

from compiler import thai  # noqa: E402
from compiler.documents.parse import document_kind  # noqa: E402
from compiler.documents.sheets import write_document_sheet  # noqa: E402
from compiler.workbook import standard  # noqa: E402
from tools.sample_data import ORGANISATIONS  # noqa: E402
from tools.sample_documents import DOCUMENTS, DOCUMENTS_DEPARTMENT  # noqa: E402

Org = dict[str, Any]
Dept = dict[str, Any]
SheetWriter = Callable[[Workbook, Org, Dept], None]

OUT_DIR = ROOT / "sample_workbooks"
#: Document dates and zip entry times, so that rerunning gives identical files.
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)

FONT_NAME = "TH Sarabun New"
BODY = Font(name=FONT_NAME, size=14)
BOLD = Font(name=FONT_NAME, size=14, bold=True)
TITLE = Font(name=FONT_NAME, size=16, bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_ALIGN = Alignment(horizontal="center", vertical="center")
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

#: Row height estimate: Excel does not size wrapped rows that a program wrote, so rows get a
#: height from their longest cell (points per line, column-width units per Thai character).
LINE_POINTS = 21.0
CHAR_UNITS = 1.3
_MARKS = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))

MEASURE_FIELDS = {f.key: f for f in standard.MEASURE_COLUMNS}
SCORE_FIELDS = {f.key: f for f in standard.SCORE_COLUMNS}


# --- helpers ----------------------------------------------------------------------------------
def typed(value: object, dept: Dept) -> object:
    """A value as the department's clerk typed it: Thai digits where ``digits`` is ``thai``."""
    if dept.get("digits") != "thai" or value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return thai.to_thai_digits(thai.format_score(value))
    if isinstance(value, str):
        return thai.to_thai_digits(value)
    return value


def header_text(field: standard.Field, variant: str | None) -> str:
    """The header to write: the standard label, or a variant the standard accepts."""
    if variant is None:
        return field.label
    accepted = {thai.header_key(a) for a in (field.label, *field.aliases)}
    if thai.header_key(variant) not in accepted:
        raise ValueError(f"header {variant!r} is not an accepted name of column {field.key!r}")
    return variant


def style_cell(cell: Any, font: Font = BODY, alignment: Alignment = WRAP_TOP, border: bool = True) -> None:
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = BORDER


def wrapped_lines(value: object, width: float) -> int:
    """How many lines a cell's text takes in a column ``width`` wide (marks take no room)."""
    if value is None:
        return 1
    per_line = max(1, int(width / CHAR_UNITS))
    return sum(max(1, math.ceil(sum(ch not in _MARKS for ch in line) / per_line)) for line in str(value).split("\n"))


def fit_row(ws: Worksheet, row: int, widths: dict[int, float]) -> None:
    """Set a row's height to its tallest cell (merged cells count in their first row only)."""
    lines = max(wrapped_lines(ws.cell(row, c).value, w) for c, w in widths.items())
    ws.row_dimensions[row].height = (lines + 0.5) * LINE_POINTS


def fit_page(ws: Worksheet, orientation: str = "landscape") -> None:
    """Print on A4, the sheet fitted to the page width."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_title_rows(ws: Worksheet, titles: tuple[str, ...], ncols: int, dept: Dept) -> int:
    """Title lines above a table, merged across it; returns the header's row number."""
    for r, text in enumerate(titles, start=1):
        cell = ws.cell(r, 1, typed(text.format(department=dept["name"]), dept))
        style_cell(cell, TITLE, TITLE_ALIGN, border=False)
        ws.row_dimensions[r].height = 26
        if ncols > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
    return len(titles) + 1


# --- sheets -----------------------------------------------------------------------------------
def write_info(wb: Workbook, org: Org, dept: Dept) -> None:
    """``ข้อมูลหน่วยงาน``: label in A, value in B, from row 1 (รุ่นแบบฟอร์ม first)."""
    ws = wb.create_sheet(standard.SHEET_INFO)
    values = {**org["info"], "version": standard.STANDARD_VERSION, "department": dept["name"]}
    for r, field in enumerate(standard.INFO_FIELDS, start=1):
        value = values.get(field.key)
        if field.key == "version":
            value = str(value)  # the form's own text (never the number 1.0), not typed by a clerk
        else:
            value = typed(value, dept)
        style_cell(ws.cell(r, 1, field.label), BOLD)
        style_cell(ws.cell(r, 2, value), alignment=Alignment(wrap_text=True, vertical="top", horizontal="left"))
        fit_row(ws, r, {1: 24, 2: 50})
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 50
    fit_page(ws, "portrait")


def write_measures(wb: Workbook, org: Org, dept: Dept) -> None:
    """``มาตรการ``: title rows, one header row, then the department's rows."""
    ws = wb.create_sheet(standard.SHEET_MEASURES)
    columns = dept["columns"]
    header_row = write_title_rows(ws, org["title_rows"], len(columns), dept)
    col_of = {}
    widths = {}
    for c, (key, variant) in enumerate(columns, start=1):
        field = MEASURE_FIELDS[key]
        col_of[key] = c
        widths[c] = field.width
        style_cell(ws.cell(header_row, c, header_text(field, variant)), BOLD, HEADER_ALIGN)
        ws.cell(header_row, c).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = field.width
    fit_row(ws, header_row, widths)
    r = header_row
    for row in dept["rows"]:
        r += 1
        for key, c in col_of.items():
            value = row.get(key)
            style_cell(ws.cell(r, c, value if key == "budget" else typed(value, dept)))
        fit_row(ws, r, widths)
        unknown = set(row) - set(col_of) - {"merge_rows", "merge_columns"}
        if unknown:
            raise ValueError(f"{dept['name']}: row {r} has values for no column: {sorted(unknown)}")
        span = row.get("merge_rows", 1)
        for key in row.get("merge_columns", ()):
            ws.merge_cells(start_row=r, start_column=col_of[key], end_row=r + span - 1, end_column=col_of[key])
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    fit_page(ws)


def write_scores(wb: Workbook, org: Org, dept: Dept) -> None:
    """``คะแนน ITA``: indicator code and score, in the department that holds them."""
    if not (dept.get("scores") and org.get("scores")):
        return
    ws = wb.create_sheet(standard.SHEET_SCORES)
    keys = ("indicator", "score")
    titles = (f"ผลการประเมิน ITA รายตัวชี้วัด ปีงบประมาณ พ.ศ. {org['info']['fiscal_year']}",)
    header_row = write_title_rows(ws, titles, len(keys), dept)
    for c, key in enumerate(keys, start=1):
        field = SCORE_FIELDS[key]
        style_cell(ws.cell(header_row, c, field.label), BOLD, HEADER_ALIGN)
        ws.cell(header_row, c).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = max(field.width, 20)
    for r, (code, score) in enumerate(org["scores"], start=header_row + 1):
        style_cell(ws.cell(r, 1, typed(code, dept)))
        style_cell(ws.cell(r, 2, score))
    ws.freeze_panes = ws.cell(header_row + 1, 1)


def write_documents(wb: Workbook, org: Org, dept: Dept) -> None:
    """The official documents' sheets (tools/sample_documents.py), in the secretary's workbook."""
    if dept["name"] != DOCUMENTS_DEPARTMENT:
        return
    org_key = next(key for key, value in ORGANISATIONS.items() if value is org)
    for name, rows in DOCUMENTS.get(org_key, {}).items():
        write_document_sheet(wb.create_sheet(name), document_kind(name) or name, rows)


#: Sheet writers, in sheet order. Each may write nothing for an organisation.
SHEET_WRITERS: list[SheetWriter] = [write_info, write_measures, write_scores, write_documents]


# --- workbooks --------------------------------------------------------------------------------
def build_workbook(org: Org, dept: Dept) -> Workbook:
    """One department's workbook, in memory."""
    wb = Workbook()
    wb.remove(wb.active)
    for writer in SHEET_WRITERS:
        writer(wb, org, dept)
    wb.active = 0
    props = wb.properties
    props.creator = "ita-report sample data"
    props.lastModifiedBy = None
    props.title = f"{org['info']['organisation']} {dept['name']}"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes with fixed times: openpyxl stamps ``modified`` and zip entries with now."""
    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.modified = FIXED_TIME
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = core if info.filename == ARC_CORE else src.read(info.filename)
            dst.writestr(fixed, data)
    return out.getvalue()


def sample_files() -> dict[Path, bytes]:
    """Relative path (``<org>/<department>.xlsx``) → workbook bytes, for every sample."""
    files: dict[Path, bytes] = {}
    for org_key, org in ORGANISATIONS.items():
        for dept in org["departments"]:
            files[Path(org_key) / f"{dept['name']}.xlsx"] = workbook_bytes(build_workbook(org, dept))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write into")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    for rel, data in sample_files().items():
        path = args.out / rel
        same = path.is_file() and path.read_bytes() == data
        if args.check:
            if not same:
                stale.append(path)
            continue
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        print(f"{'unchanged' if same else 'wrote':9} {path}")
    for path in stale:
        print(f"differs   {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
