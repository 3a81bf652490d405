"""Moving a table's last row to the signature's page (``compiler.docx.keeping``), for when
LibreOffice lays a signature out alone on a page; the layout itself is tried in
``test_layout_pdf.py``."""

from __future__ import annotations

import copy

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from compiler.docx import keeping


def _document(body_rows: int, *, signature: bool = True) -> docx.document.Document:
    """A heading, a table of a header row and ``body_rows`` rows, and a signature block."""
    document = docx.Document()
    for name in keeping.SIGNATURE_STYLES:
        document.styles.add_style(name, 1)  # paragraph style
    document.add_paragraph("หัวเรื่อง")
    table = document.add_table(rows=1 + body_rows, cols=2)
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            cell.text = f"r{i}c{j}"
    header = table.rows[0]._tr
    header.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    document.add_paragraph("")  # an empty line between the table and the signature
    if signature:
        document.add_paragraph("", style="Thai Signature")
        document.add_paragraph("(นายทดสอบ ระบบ)", style="Thai Signature")
        document.add_paragraph("นายกเทศมนตรี", style="Thai Signature")
    return document


def _rows(tbl: object) -> list[str]:
    return ["".join(t.text or "" for t in tr.iter(qn("w:t"))) for tr in tbl.findall(qn("w:tr"))]  # type: ignore[attr-defined]


@pytest.mark.parametrize("header", [True, False])
def test_the_last_row_starts_a_new_page_with_the_signature(header: bool) -> None:
    document = _document(3)
    assert keeping.move_last_row_to_signature(document, header=header)
    body = list(document.element.body)
    first, joint, tail = body[1], body[2], body[3]
    assert _rows(first) == ["r0c0r0c1", "r1c0r1c1", "r2c0r2c1"]
    assert _rows(tail) == (["r0c0r0c1"] if header else []) + ["r3c0r3c1"]
    assert joint.tag == qn("w:p") and joint.find(qn("w:pPr")).find(qn("w:pageBreakBefore")) is not None
    assert "".join(t.text or "" for t in joint.iter(qn("w:t"))) == ""  # nothing visible added
    # the signature still follows, untouched
    texts = [p.text for p in document.paragraphs]
    assert texts[-2:] == ["(นายทดสอบ ระบบ)", "นายกเทศมนตรี"]


def test_nothing_moves_without_a_table_of_two_rows_before_the_signature() -> None:
    one_row = _document(1)
    assert not keeping.move_last_row_to_signature(one_row)
    assert len(list(one_row.element.body.iterchildren(qn("w:tbl")))) == 1
    assert not keeping.move_last_row_to_signature(_document(3, signature=False))
    text_before = _document(3)
    text_before.paragraphs[-3].insert_paragraph_before("ข้อความปิดท้าย")  # body text, not a table
    assert not keeping.move_last_row_to_signature(text_before)


def _kept(tr: object) -> list[bool]:
    return [
        p.find(qn("w:pPr")) is not None and p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
        for p in tr.iter(qn("w:p"))
    ]  # type: ignore[attr-defined]


def _sized(document: docx.document.Document, cm: float) -> object:
    from compiler.docx import columns

    tbl = next(document.element.body.iterchildren(qn("w:tbl")))
    columns.set_widths(tbl, [cm, cm])
    return tbl


def test_a_short_last_row_is_kept_with_the_signature() -> None:
    tbl = _sized(_document(3), 4.0)
    assert keeping.keep_table_with_next(tbl, size_pt=12)
    rows = tbl.findall(qn("w:tr"))  # type: ignore[attr-defined]
    assert all(_kept(rows[-1])) and not any(_kept(rows[-2]))


def test_a_tall_last_row_is_left_to_break_across_the_page() -> None:
    """Keeping a tall row moves all of it to the next page, leaving the page before half empty."""
    document = _document(3)
    tbl = _sized(document, 4.0)
    last = tbl.findall(qn("w:tr"))[-1]  # type: ignore[attr-defined]
    last.findall(qn("w:tc"))[1].find(qn("w:p")).find(qn("w:r")).find(qn("w:t")).text = "ข้อความยาว " * 60
    assert not keeping.keep_table_with_next(tbl, size_pt=12)
    assert not any(_kept(last))
    # the same row in a column wide enough to hold it in a few lines is kept
    tbl = _sized(document, 40.0)
    assert keeping.keep_table_with_next(tbl, size_pt=12, max_lines=keeping.KEEP_ROW_LINES)


def _tall_last_row(document: docx.document.Document, paragraphs: int) -> object:
    """The document's table with its last row's second cell holding ``paragraphs`` paragraphs
    of about three lines each (4 cm columns, 12 pt)."""
    tbl = _sized(document, 4.0)
    cell = tbl.findall(qn("w:tr"))[-1].findall(qn("w:tc"))[1]  # type: ignore[attr-defined]
    first = cell.find(qn("w:p"))
    first.find(qn("w:r")).find(qn("w:t")).text = "ย่อหน้า1 " + "ข้อความยาว " * 6
    for i in range(2, paragraphs + 1):
        p = copy.deepcopy(first)
        p.find(qn("w:r")).find(qn("w:t")).text = f"ย่อหน้า{i} " + "ข้อความยาว " * 6
        cell.append(p)
    return tbl


def test_a_tall_last_row_is_split_between_paragraphs() -> None:
    """When the signature stands alone after a tall row, only the row's last lines move."""
    document = _document(3)
    tbl = _tall_last_row(document, 6)
    assert keeping.move_last_row_to_signature(document, split=True)
    first, second = document.element.body.findall(qn("w:tbl"))
    top, tail = first.findall(qn("w:tr"))[-1], second.findall(qn("w:tr"))[-1]
    top_texts = [keeping._text(p) for p in top.findall(qn("w:tc"))[1].findall(qn("w:p"))]
    tail_texts = [keeping._text(p) for p in tail.findall(qn("w:tc"))[1].findall(qn("w:p"))]
    assert [t.split()[0] for t in top_texts + tail_texts] == [f"ย่อหน้า{i}" for i in range(1, 7)]  # none lost
    assert top_texts and 1 <= len(tail_texts) <= 2  # about TAIL_LINES of ~3-line paragraphs
    # the first cell's one paragraph stays on top; the tail's first cell is empty but holds a paragraph
    assert keeping._text(top.findall(qn("w:tc"))[0]) == "r3c0"
    tail_first = tail.findall(qn("w:tc"))[0]
    assert keeping._text(tail_first) == "" and tail_first.find(qn("w:p")) is not None
    assert _rows(second)[0] == "r0c0r0c1"  # a copy of the header row above the tail
    assert tbl is first


def test_a_short_or_merged_last_row_is_not_split() -> None:
    document = _document(3)
    _sized(document, 4.0)
    assert not keeping.move_last_row_to_signature(document, split=True)  # one line a cell
    assert len(document.element.body.findall(qn("w:tbl"))) == 1
    document = _document(3)
    tbl = _tall_last_row(document, 6)
    tc = tbl.findall(qn("w:tr"))[-1].findall(qn("w:tc"))[0]  # type: ignore[attr-defined]
    tc.find(qn("w:tcPr")).append(OxmlElement("w:vMerge"))
    before = _rows(tbl)
    assert not keeping.move_last_row_to_signature(document, split=True)
    assert _rows(tbl) == before
