"""Build department workbooks in tests, the way a clerk would fill the form (openpyxl)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from compiler.workbook import standard

INFO = {
    "organisation": "เทศบาลตำบลบ้านต๋อม",
    "district": "เมือง",
    "province": "พะเยา",
    "fiscal_year": "2565",
    "department": "สำนักปลัด",
    "executive": "นายสุภชาติ สันกวาน",
    "executive_position": "นายกเทศมนตรีตำบลบ้านต๋อม",
}

HEADERS = ["ลำดับ", "มาตรการ", "วิธีการดำเนินการ", "ผู้รับผิดชอบ", "ระยะเวลา", "ผลการดำเนินการ", "ข้อเสนอแนะ"]

MEASURES: list[list[Any]] = [
    [
        1,
        "การเสริมสร้างแนวคิดในการปฏิบัติงาน",
        "1. แต่งตั้งคณะทำงาน\n2. แจ้งทุกหน่วยงาน",
        "สำนักปลัด",
        "ต.ค. 2564 – พ.ย. 2564",
        "1. มีการประชุม\n2. มีการประชาสัมพันธ์",
        "แจ้งสำนักปลัด",
    ],
    [
        2,
        "ปรับปรุงประสิทธิภาพในระบบการทำงาน",
        "1. แต่งตั้ง จนท.",
        "สำนักปลัด",
        "ธ.ค. 2564 – เม.ย. 2565",
        "1. ปรับปรุงเว็บไซต์",
        "ติดตามผล",
    ],
]


def label(key: str) -> str:
    return next(f.label for f in (*standard.INFO_FIELDS,) if f.key == key)


def make_workbook(
    path: Path,
    *,
    info: dict[str, Any] | None = None,
    headers: Sequence[Any] | None = None,
    measures: Sequence[Sequence[Any]] | None = None,
    title_rows: int = 1,
    scores: Sequence[Sequence[Any]] | None = None,
    merges: Sequence[str] = (),
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
    info_sheet: bool = True,
    measures_sheet: bool = True,
) -> Path:
    """A filled department workbook; rows of the measures table start below ``title_rows``."""
    wb = Workbook()
    first = wb.active
    values = dict(INFO if info is None else info)
    if info_sheet:
        ws = wb.create_sheet(standard.SHEET_INFO)
        ws.append([label("version"), standard.STANDARD_VERSION])
        for key, value in values.items():
            ws.append([label(key), value])
    if measures_sheet:
        ws = wb.create_sheet(standard.SHEET_MEASURES)
        for i in range(title_rows):
            ws.append([f"รายงานผลการดำเนินการ (หัวเรื่อง {i + 1})"])
        ws.append(list(HEADERS if headers is None else headers))
        for row in MEASURES if measures is None else measures:
            ws.append(list(row))
        for rng in merges:
            ws.merge_cells(rng)
    if scores is not None:
        ws = wb.create_sheet(standard.SHEET_SCORES)
        ws.append(["ตัวชี้วัด", "คะแนน"])
        for row in scores:
            ws.append(list(row))
    for name, rows in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    if first is not None and len(wb.sheetnames) > 1:
        wb.remove(first)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def fill_form(form: Path, out: Path, info: dict[str, Any], rows: Sequence[Sequence[Any]]) -> Path:
    """Fill a form written by ``init`` as a clerk would: info values in column B, measures
    from the first row under the header (over the example row)."""
    wb = load_workbook(form)
    ws = wb[standard.SHEET_INFO]
    keys = {f.label: f.key for f in standard.INFO_FIELDS}
    for row in ws.iter_rows(min_row=1, max_col=2):
        key = keys.get(str(row[0].value))
        if key in info:
            row[1].value = info[key]
    ws = wb[standard.SHEET_MEASURES]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "ลำดับ")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    for i, row in enumerate(rows):
        for name, value in zip([f.label for f in standard.MEASURE_COLUMNS], row):
            ws.cell(header + 1 + i, columns[name], value)
    wb.save(out)
    return out
