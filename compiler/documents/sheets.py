"""Writing document sheets into a workbook (the standard form and the sample workbooks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet
from compiler import thai
from compiler.documents.parse import (
    element_of,
)
from compiler.documents.spec import (
    ALL_KINDS,
    DOCUMENT_SPECS,
    ELEMENTS,
    HEADER_ELEMENT,
    HEADER_HINT,
    HEADER_TEXT,
    DocumentKind,
)

# ============================================================================================
# Writing the sheets (init, sample workbooks)
# ============================================================================================
_FONT = thai.FONT
_WIDTHS = {"A": 18.0, "B": 90.0, "C": 48.0}
#: Rows below the header made ready (dropdown, borders, wrapping) in a sheet.
READY_ROWS = 120
_LINE_POINTS = 21.0
_CHAR_UNITS = 1.25


def _height(text: str, width: float) -> float:
    lines = thai.wrapped_lines(text, int(width / _CHAR_UNITS))
    return (max(lines, 1) + 0.4) * _LINE_POINTS


def write_document_sheet(
    ws: Worksheet,
    kind: DocumentKind | str,
    content: Sequence[tuple[str, object]] | None = None,
) -> Worksheet:
    """Lay out ``ws`` as a document sheet of ``kind`` and fill it with ``content``.

    ``content`` is ``(element, text)`` pairs in document order; ``element`` is an element's
    key (``"item"``) or Thai label (``"ข้อ"``), or ``""`` for an empty ``รายการ`` cell (the
    element of the row above again); ``text`` a string (``"\\n"`` for a line
    break inside the cell), a ``date`` or ``None``. ``None`` for ``content`` writes the
    kind's blank skeleton (``init``). Row 1 is a title, row 2 the header
    ``รายการ | ข้อความ | คำอธิบาย``, the elements from row 3, each with its hint in column C;
    column A has a dropdown of the kind's elements. Returns ``ws``.
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = DocumentKind(kind) if not isinstance(kind, DocumentKind) else kind
    spec = DOCUMENT_SPECS[kind]
    if content is None:
        content = [(key, None) for key in spec.skeleton]
    body = Font(name=_FONT, size=14)
    bold = Font(name=_FONT, size=14, bold=True)
    hint_font = Font(name=_FONT, size=12, italic=True, color="666666")
    title_font = Font(name=_FONT, size=16, bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    ws.cell(1, 1, spec.title).font = title_font
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    ws.row_dimensions[1].height = 28
    for c, header in enumerate((HEADER_ELEMENT, HEADER_TEXT, HEADER_HINT), start=1):
        cell = ws.cell(2, c, header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = box
    ws.row_dimensions[2].height = 24
    labels = {e.key: e for e in ELEMENTS}
    by_label = {e.label: e for e in ELEMENTS}
    r = 2
    for element_name, text in content:
        r += 1
        hint = ""
        if element_name:
            element = labels.get(element_name) or by_label.get(element_name) or element_of(element_name)
            if element is None:
                raise ValueError(f"unknown document element {element_name!r}")
            ws.cell(r, 1, element.label)
            hint = element.hint
            ws.cell(r, 3, hint)
        ws.cell(r, 2, text)
        value = "" if text is None else str(text)
        ws.row_dimensions[r].height = max(_height(value, _WIDTHS["B"]), _height(hint, _WIDTHS["C"]) * 12 / 14)
    last = max(r, 2 + READY_ROWS)
    for row in range(3, last + 1):
        for c in (1, 2, 3):
            cell = ws.cell(row, c)
            cell.font = hint_font if c == 3 else (bold if c == 1 else body)
            cell.alignment = wrap
            cell.border = box
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    names = ",".join(e.label for e in spec.elements)
    dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
    dv.showErrorMessage = False  # an alias typed by hand is read too
    dv.showInputMessage = True
    dv.promptTitle = "รายการ"
    dv.prompt = "เลือกว่าแถวนี้คืออะไร แล้วพิมพ์ข้อความในคอลัมน์ B"
    ws.add_data_validation(dv)
    dv.add(f"A3:A{last}")
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def write_blank_document_sheets(wb: Workbook) -> None:
    """Add the three blank document sheets (ประกาศ, คำสั่ง, บันทึกข้อความ) to ``wb`` (``init``)."""
    for kind in ALL_KINDS:
        if kind.value not in wb.sheetnames:
            write_document_sheet(wb.create_sheet(kind.value), kind)
