"""The plain-sheet shortcut of the extent scan (issue 16) gives what the tag-by-tag scan gives,
or leaves the sheet to it: on sheets as Excel writes them, on every odd form the scan knows
(prefixes, cells without ``r``, single quotes, ``>`` inside a value, a far cell, an
unclosed tag), and on random soups of those pieces."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.workbook.extent import MAX_SHEET_CELLS, _regular_extent, _scanned_extent


def scanned(data: bytes):  # type: ignore[no-untyped-def]
    return _scanned_extent(iter((data,) if data else ()))


def sheet(body: bytes, merges: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:B2"/><cols><col min="1" max="2" width="9"/></cols><sheetData>'
        + body
        + b"</sheetData>"
        + merges
        + b"</worksheet>"
    )


PLAIN = sheet(
    b'<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"/>'
    b'<c r="C1" t="inlineStr"><is><t>a &lt;c r="Z99"&gt; b</t></is></c></row>'
    b'<row r="12"><c r="AB12"><f>SUM(A1:A2)</f><v>3</v></c><c r="AC13" s="1" /></row>',
    b'<mergeCells count="1"><mergeCell ref="A1:B3"/></mergeCells>',
)


def test_a_plain_sheet_is_measured_the_same_without_the_scan() -> None:
    regular = _regular_extent(PLAIN)
    assert regular is not None
    assert regular == scanned(PLAIN)
    assert (regular.rows, regular.cols, regular.cells, regular.merged, regular.formulas) == (12, 28, 3, 6, True)


ODD = [
    sheet(b'<row r="1"><x:c r="A1"><v>1</v></x:c></row>'),  # a prefixed cell
    sheet(b'<row r="1"><c><v>1</v></c><c><v>2</v></c></row>'),  # cells without r
    sheet(b"<row r='1'><c r='B1'><v>1</v></c></row>"),  # single quotes
    sheet(b'<row r="1"><c r="A1" t="s" x="a>b"><v>1</v></c></row>'),  # > inside a value
    sheet(b'<row r="1"><c t="s" r="D4"><v>1</v></c></row>'),  # r not first
    sheet(b'<row r="1"><c r="a1"><v>1</v></c></row>'),  # lower-case column
    sheet(b'<row r="1"><c r="A01"><v>1</v></c></row>'),  # a leading zero
    sheet(b'<row r="1"><c r=" A1 "><v>1</v></c></row>'),  # spaces inside the value
    sheet(b'<row r="1"><c r="A1"/><c\nr="XFD1048576"><v>1</v></c></row>'),  # a far cell, a line break
    sheet(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),  # past the limit: the scan names it
    sheet(b'<row r="1"><c r="A1" / ><v>1</v></row>'),  # a space inside "/>"
    sheet(b'<row r="1"><c r="A1">'),  # cut short
    sheet(b'<row r="1"><c r="B2" x="<c r=&quot;Z9&quot;>"/></row>'),  # a tag inside a value
    sheet(b'<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>1</v></c></row>'),  # rows without r
    sheet(b'<row r="1"><c-x r="A5"><v>1</v></c-x></row>'),  # not a word boundary for the shortcut
    sheet(b"", b'<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>'),  # a huge merge
    sheet(b"", b'<mergeCells><mergeCell ref="B2"/></mergeCells>'),  # a merge of one cell
]


def test_every_odd_form_is_left_to_the_scan_or_measured_alike() -> None:
    for data in ODD:
        regular = _regular_extent(data)
        assert regular is None or regular == scanned(data), data


def test_a_sheet_past_the_limit_is_left_to_the_scan() -> None:
    data = ODD[9]
    assert scanned(data).area > MAX_SHEET_CELLS
    assert _regular_extent(data) is None


PIECES = [
    b'<row r="1">',
    b'<row r="3" spans="1:2">',
    b"<row>",
    b"</row>",
    b'<c r="A1">',
    b'<c r="C7" t="s">',
    b'<c r="B2"/>',
    b'<c r="AA10" s="1" />',
    b"<c>",
    b"<c/>",
    b"</c>",
    b"<v>1</v>",
    b"<v>",
    b"</v>",
    b"<is><t>x</t></is>",
    b'<t xml:space="preserve">',
    b"<is>",
    b"</is>",
    b"<t>",
    b"</t>",
    b"<f>A1</f>",
    b'<f t="shared" si="0"/>',
    b't="e"',
    b"<x:c r='D4'>",
    b'<c r="E5" x=">">',
    b'<mergeCell ref="A1:C3"/>',
    b"<mergeCells>",
    b"<col/>",
    b"<cfRule/>",
    b"text",
    b'"',
    b"'",
    b"<",
    b">",
    b" ",
    b"/",
    b":c",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_random_soups_give_the_scans_answer(parts: list[bytes]) -> None:
    data = b"".join(parts)
    regular = _regular_extent(data)
    assert regular is None or regular == scanned(data)


def test_sheet_names_with_entities_are_read_as_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """workbook.xml escapes a sheet's name (``&amp;``, ``&quot;``, ``&lt;`` …): the name comes
    back as the clerk typed it (``extent`` unescapes it itself, without ``xml.sax``)."""
    import zipfile

    from openpyxl import Workbook

    from compiler.workbook.extent import xlsx_sheet_members

    book = Workbook()
    book.active.title = "มาตรการ"
    names = ['ผล&"ทดสอบ"', "A<1>B", "it's &amp;"]
    for name in names:
        book.create_sheet(name)
    path = tmp_path / "names.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert list(xlsx_sheet_members(zf)) == ["มาตรการ", *names]
