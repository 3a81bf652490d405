"""The measures plan as a workbook of its own: the one ``init --plan`` reads.

``ita-report init --blank-plan แผนมาตรการ.xlsx`` writes it empty for the secretary to fill;
the web page writes the plan she typed (or uploaded) in the same shape, to download and to
give the library. A plan row is a plain mapping of the plan's columns (``standard.PLAN_KEYS``:
number, indicator, title, method, responsible, period, budget) to text, as typed:

    >>> rows = [{"number": "1", "title": "เผยแพร่ข้อมูลข่าวสาร", "responsible": "สำนักปลัด"}]
    >>> data = plan_bytes(OrganisationDetails(organisation="เทศบาลตำบลโพนทราย"), rows)

The workbook holds ``ข้อมูลหน่วยงาน`` (the details, no department) and ``แผนมาตรการ`` (a title
row, the header in row 2, one measure a row from row 3, dropdowns for ผู้รับผิดชอบ and
ตัวชี้วัด). What a cell holds is exactly what was typed (a number, where it reads as one):
reading it back with the library is what checks it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

from compiler import thai
from compiler.model import Measure
from compiler.workbook import standard
from compiler.workbook.cells import keep_text
from compiler.workbook.form import (
    OrganisationDetails,
    _info_sheet,
    _lists_sheet,
    _plan_values,
    _table_sheet,
)
from compiler.workbook.plan import EVERYONE, FORM_HEADER_ROW

#: The first row of plan measures in the plan workbook this module writes.
FIRST_ROW = FORM_HEADER_ROW + 1
TITLE = "แผนมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"


def _cell_value(key: str, text: str) -> object:
    """What to write for a typed value: a whole number for ลำดับ, a number for งบประมาณ when
    it reads as one (Thai digits and thousands separators allowed), else the text as typed."""
    text = text.strip()
    if not text:
        return None
    plain = thai.to_arabic_digits(text)
    if key == "number" and plain.isascii() and plain.isdigit():
        return int(plain)
    if key == "budget":
        value = thai.parse_number(text)
        if value is not None and value.is_finite():
            return int(value) if value == value.to_integral_value() else float(value)
    return text


def build_plan_workbook(
    details: OrganisationDetails | None = None,
    rows: Sequence[Mapping[str, object]] = (),
    departments: Sequence[str] = (),
) -> Workbook:
    """The plan workbook: ``details`` in ``ข้อมูลหน่วยงาน`` (blank when ``None``), ``rows`` in
    ``แผนมาตรการ`` (none: a blank plan to fill in). ``departments`` are offered in the
    ผู้รับผิดชอบ dropdown beside ``ทุกส่วนราชการ`` (default: the usual departments)."""
    info = details.as_info() if details else {}
    wb = Workbook()
    first = wb.active
    offered = [*(departments or standard.DEPARTMENTS), EVERYONE[0]]
    lists = _lists_sheet(wb, thai.parse_year(info["fiscal_year"]) if info.get("fiscal_year") else None, offered)
    _info_sheet(wb, info, lists, lock=False)
    ws = _table_sheet(wb, standard.PLAN_TABLE, TITLE, lists, None)
    cols = {f.key: i for i, f in enumerate(standard.PLAN_COLUMNS, start=1)}
    for i, row in enumerate(rows):
        for key, col in cols.items():
            value = row.get(key)
            ws.cell(FIRST_ROW + i, col, _cell_value(key, "" if value is None else str(value)))
    if first is not None:
        wb.remove(first)
    wb.move_sheet(standard.SHEET_LISTS, offset=len(wb.sheetnames))
    wb.active = 1
    for sheet in wb.worksheets:  # typed text stays text ("=1+1" is not a formula)
        keep_text(cell for r in sheet.iter_rows() for cell in r)
    wb.properties.title = TITLE
    wb.properties.creator = "ita-report"
    wb.properties.keywords = f"ita-report plan {standard.STANDARD_VERSION}"
    return wb


def plan_bytes(
    details: OrganisationDetails | None = None,
    rows: Sequence[Mapping[str, object]] = (),
    departments: Sequence[str] = (),
) -> bytes:
    """:func:`build_plan_workbook` as .xlsx bytes (for atomic writing by the caller)."""
    buffer = io.BytesIO()
    build_plan_workbook(details, rows, departments).save(buffer)
    return buffer.getvalue()


def plan_rows(plan: Sequence[Measure]) -> list[dict[str, str]]:
    """The rows of a plan read by the library, as text (what :func:`plan_bytes` writes back):
    several lines of a cell joined by line breaks, a whole budget without decimals."""
    out = []
    for m in plan:
        values = _plan_values(m)
        row = {}
        for key in standard.PLAN_KEYS:
            value = values.get(key)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            row[key] = "" if value is None else str(value)
        out.append(row)
    return out
