"""Tables in Thai official documents: a header row repeated on every page, rows that may
break across pages, shading, and cells that always hold a paragraph (Word requires one).
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT, WD_TABLE_DIRECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table, _Cell, _Row

from compiler.docx.columns import mend_empty_cells
from compiler.docx.typeset import _TBLPR_SEQ, _TCPR_SEQ, _child


# --- tables -------------------------------------------------------------------------------
def set_repeat_header(row: _Row, repeat: bool = True) -> None:
    """Repeat ``row`` at the top of every page the table runs onto (``w:tblHeader``)."""
    trpr = row._tr.get_or_add_trPr()
    old = trpr.find(qn("w:tblHeader"))
    if repeat and old is None:
        trpr.append(OxmlElement("w:tblHeader"))
    elif not repeat and old is not None:
        trpr.remove(old)


def allow_row_break(row: _Row) -> None:
    """Let ``row`` break across pages (no ``w:cantSplit``), so long cells do not leave gaps."""
    trpr = row._tr.trPr
    if trpr is not None:
        for el in trpr.findall(qn("w:cantSplit")):
            trpr.remove(el)


def shade_cell(cell: _Cell, fill: str) -> None:
    """Fill a cell with a colour given as hex ``RRGGBB`` (``w:shd``)."""
    shd = _child(cell._tc.get_or_add_tcPr(), "w:shd", _TCPR_SEQ)
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def add_table(
    doc: Document,
    widths_cm: Sequence[float],
    header: Sequence[str] | None = None,
    *,
    header_style: str | None = None,
    body_style: str | None = None,
    body_rows: int = 0,
    header_fill: str | None = "E7E6E6",
    cell_margin_cm: float = 0.1,
) -> Table:
    """A bordered table of fixed column widths, its header row repeated on every page.

    ``widths_cm`` gives each column's width (a secretary can drag them in Word later);
    ``header`` the header texts, set in ``header_style`` and shaded ``header_fill``;
    ``body_rows`` empty rows in ``body_style`` follow; ``cell_margin_cm`` is the space left
    and right inside each cell (narrow columns need every millimetre for Thai words).
    No row is kept from breaking.
    """
    table = doc.add_table(rows=(1 if header else 0) + body_rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.table_direction = WD_TABLE_DIRECTION.LTR
    table.autofit = False
    tblpr = table._tbl.tblPr
    tblw = _child(tblpr, "w:tblW", _TBLPR_SEQ)
    tblw.set(qn("w:w"), str(sum(Cm(w).twips for w in widths_cm)))
    tblw.set(qn("w:type"), "dxa")
    _child(tblpr, "w:tblLayout", _TBLPR_SEQ).set(qn("w:type"), "fixed")
    margins = _child(tblpr, "w:tblCellMar", _TBLPR_SEQ)
    for side in ("w:left", "w:right"):  # schema order: top, left (start), bottom, right (end)
        mar = OxmlElement(side)
        mar.set(qn("w:w"), str(Cm(cell_margin_cm).twips))
        mar.set(qn("w:type"), "dxa")
        margins.append(mar)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
    for row in table.rows:
        allow_row_break(row)
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    if header:
        head = table.rows[0]
        set_repeat_header(head)
        for cell, text in zip(head.cells, header, strict=True):
            para = cell.paragraphs[0]
            para.text = text
            if header_style:
                para.style = doc.styles[header_style]
            if header_fill:
                shade_cell(cell, header_fill)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if body_style:
        for row in table.rows[1 if header else 0 :]:
            for cell in row.cells:
                cell.paragraphs[0].style = doc.styles[body_style]
    return table


def ensure_cell_paragraphs(doc: Document) -> int:
    """Give every table cell that rendered empty a paragraph (Word rejects cells without one).

    A docxtpl loop over an empty list removes a cell's only paragraph. Returns how many
    cells were mended (:func:`compiler.docx.columns.mend_empty_cells` on the body).
    """
    return mend_empty_cells(doc.element.body)
