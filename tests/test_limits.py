"""Limits before work: a sheet's extent is measured from the file before any grid is built.

Each file here is a few kilobytes and used to ask for a dense grid of billions of cells:
python-calamine aborted (exit 134) or took gigabytes. Each runs through the CLI in a child
process (``test_hostile.run_cli``), timed, its peak memory read from the kernel.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_hostile import _ods, assert_clean_end, codes, run_cli, standard_sheets
from xlsraw import rows_to_cells, write_xls
from xlsxraw import write_xlsx

from compiler import api
from compiler.workbook import extent, standard


def _patch(path: Path, member: str, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    assert old in members[member]
    members[member] = members[member].replace(old, new, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _xlsx(path: Path, extra_rows: bytes = b"", *, head: bytes = b"", result: object = "ผล") -> Path:
    """The standard workbook with ``extra_rows`` added to the measures sheet's data."""
    write_xlsx(path, standard_sheets(result))
    member = "xl/worksheets/sheet2.xml"
    _patch(path, member, b"</sheetData>", extra_rows + b"</sheetData>")
    if head:
        _patch(path, member, b"<sheetData>", head + b"<sheetData>")
    return path


def _found(path: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in api.check([path]).findings]


# --- .xlsx -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rows", "far"),
    [
        (b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
        (b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t></t></is></c></row>', "XFD1048576"),
        (b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', "XFD1048576"),
        (b'<row r="1000000"><c><v>1</v></c></row>', "A1000000"),  # a cell without r: the row's
        (b"<row>" + b"<c><v>1</v></c>" * 20 + b'</row><row r="999999"><c r="T999999"><v>1</v></c></row>', "T999999"),
        (b'<row r="5"><c r="ZZZZZZZZ5"><v>1</v></c></row>', "ZZZZZZZZ5"),
        (b'<row r="1048576"><c x="/>" r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
    ],
    ids=[
        "far-corner",
        "far-empty-inline-string",
        "prefixed-tags",
        "row-without-cell-ref",
        "cells-without-ref",
        "column-past-excel",
        "quoted-tag-end",
    ],
)
def test_regression_one_far_cell_is_a_finding_not_an_abort(tmp_path: Path, rows: bytes, far: str) -> None:
    """A 4 kB .xlsx with one cell at XFD1048576 made calamine allocate 549 GB: exit 134 and
    a Rust backtrace, for check and build alike."""
    path = _xlsx(tmp_path / "in" / "far.xlsx", rows)
    assert path.stat().st_size < 8_000
    assert _found(path) == [("sheet-too-large", standard.SHEET_MEASURES, far)]
    for args in (("check", path.parent), ("build", path.parent, "-o", tmp_path / "r.docx")):
        run = run_cli(*args)
        assert_clean_end(run, seconds=20, peak_mb=200)
        assert run.exit_code == 1 and "[sheet-too-large]" in run.output, run.output
    assert not (tmp_path / "r.docx").exists()


def test_formatted_empty_cells_and_declared_dimension_are_not_data(tmp_path: Path) -> None:
    """What Excel writes for formatting (``<c r=".." s="1"/>``) and a ``<dimension>`` that
    claims the whole sheet are not counted: only cells calamine would place."""
    path = _xlsx(
        tmp_path / "fmt.xlsx",
        b'<row r="1048576"><c r="XFD1048576" s="0"/></row>',
        head=b'<dimension ref="A1:XFD1048576"/>',
    )
    assert _found(path) == []


def test_grid_at_the_limit_is_read(tmp_path: Path) -> None:
    """A table reaching J200000 (exactly the limit, 2,000,000 cells) is read, within memory."""
    rows, cols = 200_000, 10
    assert rows * cols == extent.MAX_SHEET_CELLS
    path = _xlsx(
        tmp_path / "in" / "edge.xlsx", b'<row r="200000"><c r="J200000" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=30, peak_mb=500)
    over = _xlsx(tmp_path / "over" / "edge.xlsx", b'<row r="200001"><c r="J200001"><v>1</v></c></row>')
    assert _found(over) == [("sheet-too-large", standard.SHEET_MEASURES, "J200001")]
    print(f"\nJ200000: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB")


def test_regression_annotate_of_one_huge_merged_range(tmp_path: Path) -> None:
    """One merged range over the whole sheet: openpyxl (``check --annotate``) made an object
    per covered cell (66 s and 7 GB before it was stopped). Past the limit the copy is made
    from the values, and still lists every finding."""
    path = write_xlsx(
        tmp_path / "in" / "merged.xlsx",
        standard_sheets(None),  # F4 empty: a missing-value finding to annotate
        merges={standard.SHEET_MEASURES: ["H1:XFD1048576"]},
    )
    assert path.stat().st_size < 8_000
    assert codes(path) == ["missing-value"]
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=20, peak_mb=300)
    assert run.exit_code == 1 and "[missing-value]" in run.output
    from openpyxl import load_workbook

    copy = load_workbook(tmp_path / "annotated" / "merged.xlsx")
    assert copy[standard.SHEET_MEASURES]["F4"].comment is not None
    assert not copy[standard.SHEET_MEASURES].merged_cells.ranges


def test_regression_annotate_of_a_million_formatted_empty_rows(tmp_path: Path) -> None:
    """A 2.5 MB file of a million empty rows with a height: openpyxl made an object for each
    (49 s, 860 MB); past 1,000,000 rows and cells the copy is made from the values."""
    rows = b"".join(b'<row r="%d" ht="20" customHeight="1"/>' % r for r in range(10, extent.MAX_FILE_ELEMENTS + 10))
    path = _xlsx(tmp_path / "in" / "rows.xlsx", rows, result=None)  # F4 empty: a finding to annotate
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=30, peak_mb=300)  # 10.6 s measured on the loaded machine
    assert run.exit_code == 1 and (tmp_path / "annotated" / "rows.xlsx").is_file()


def test_annotate_of_a_far_cell(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "in" / "far.xlsx", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=20, peak_mb=300)
    assert run.exit_code == 1 and (tmp_path / "annotated" / "far.xlsx").is_file()


# --- .ods --------------------------------------------------------------------------------------
_R, _C = "table:number-rows-repeated", "table:number-columns-repeated"
_COLUMNS_1024 = f'{_C}="1024"'
_VALUE = '<table:table-cell office:value-type="float" office:value="1" {}><text:p>1</text:p></table:table-cell>'


def _ods_with(path: Path, extra: str, sheets: list[tuple[str, list[list[object]]]] | None = None) -> Path:
    """The standard workbook as .ods, ``extra`` rows appended to the measures table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _ods(path, sheets or standard_sheets(), {})
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    content = members["content.xml"].decode()
    at = content.index("</table:table>", content.index(f'table:name="{standard.SHEET_MEASURES}"'))
    members["content.xml"] = (content[:at] + extra + content[at:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("extra", "far"),
    [
        (f'<table:table-row {_R}="1048576">{_VALUE.format(_COLUMNS_1024)}</table:table-row>', "AMJ1048580"),
        (f'<table:table-row {_R}="3000000">{_VALUE.format("")}</table:table-row>', "A3000004"),
        (
            f'<table:table-row {_R}="1000000"><table:table-cell/></table:table-row><table:table-row>{_VALUE.format("")}</table:table-row>',
            "A1000005",
        ),
        (f'<table:table-row><table:table-cell {_C}="999999"/>{_VALUE.format("")}</table:table-row>', "BDWGN5"),
    ],
    ids=["rows-and-columns-repeated", "rows-repeated", "empty-rows-then-a-value", "empty-columns-then-a-value"],
)
def test_regression_ods_repeats_are_multiplied_not_expanded(tmp_path: Path, extra: str, far: str) -> None:
    """A 16 kB .ods repeating a value over rows and columns took 2.2 GB (a larger one 5.7 GB,
    then an abort)."""
    path = _ods_with(tmp_path / "in" / "repeat.ods", extra)
    assert path.stat().st_size < 4_000
    [(code, sheet, cell)] = _found(path)
    assert (code, sheet) == ("sheet-too-large", standard.SHEET_MEASURES)
    assert cell == far
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=20, peak_mb=200)
    assert run.exit_code == 1 and "[sheet-too-large]" in run.output


def test_ods_empty_edge_libreoffice_writes_is_not_data(tmp_path: Path) -> None:
    """LibreOffice ends every table with empty cells repeated to the sheet's edge."""
    edge = f'<table:table-row {_R}="1048571"><table:table-cell {_C}="16384"/></table:table-row>'
    path = _ods_with(tmp_path / "edge.ods", edge)
    assert _found(path) == []


def test_workbook_too_large_across_sheets(tmp_path: Path) -> None:
    """Three document sheets, each under the limit, together over the workbook's limit."""
    sheets = standard_sheets()
    _ods(tmp_path / "base.ods", sheets, {})
    big = f'<table:table-row {_R}="1500000">{_VALUE.format("")}</table:table-row>'
    path = tmp_path / "many.ods"
    with zipfile.ZipFile(tmp_path / "base.ods") as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    tables = "".join(f'<table:table table:name="ประกาศ {i}">{big}</table:table>' for i in range(1, 4))
    members["content.xml"] = members["content.xml"].replace(
        b"</office:spreadsheet>", tables.encode() + b"</office:spreadsheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert _found(path) == [("workbook-too-large", "", "")]


# --- .xls --------------------------------------------------------------------------------------
def test_regression_xls_far_cell(tmp_path: Path) -> None:
    """A 6 kB .xls with a value at IV65536 (the format's last cell) took 1.35 GB."""
    sheets = [(name, rows_to_cells(rows)) for name, rows in standard_sheets()]
    plain = write_xls(tmp_path / "plain" / "x.xls", sheets)
    assert _found(plain) == []
    sheets[1][1][(65535, 255)] = 1
    path = write_xls(tmp_path / "in" / "far.xls", sheets)
    assert path.stat().st_size < 8_000
    assert _found(path) == [("sheet-too-large", standard.SHEET_MEASURES, "IV65536")]
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=20, peak_mb=200)
    assert run.exit_code == 1 and "[sheet-too-large]" in run.output


def test_xls_unreadable_compound_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert [c for c, _, _ in _found(path)] == ["corrupt-file"]
