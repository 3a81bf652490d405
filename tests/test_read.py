"""Bad input is the normal case: every bad file is a finding naming the file, never a crash."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from wbfactory import MEASURES, make_workbook

from compiler import api
from compiler.workbook import extent, standard
from compiler.workbook.read import find_workbooks, read_workbook


def file_codes(path):
    return [(f.code, f.file, f.sheet, f.cell) for f in api.check([path]).findings]


def test_docx_renamed_xlsx(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert file_codes(path) == [("not-a-workbook", "report.xlsx", "", "")]
    assert "Word" in api.check([path]).findings[0].message_en


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("random.xlsx", os.urandom(4096), "not-a-workbook"),
        ("empty.xlsx", b"", "empty-file"),
        ("text.xls", "ชื่อ,คะแนน\n".encode(), "not-a-workbook"),
        ("broken.xlsx", b"PK\x03\x04" + os.urandom(200), "corrupt-file"),
        ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(600), "corrupt-file"),
    ],
)
def test_files_that_are_not_workbooks(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    assert file_codes(path) == [(code, name, "", "")]


def test_password_protected_workbook(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_workbook(tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    assert file_codes(locked) == [("password-protected", "locked.xlsx", "", "")]


def test_formula_without_cached_value(tmp_path):
    rows = [[1, "ม", "ว", "สำนักปลัด", "", "ผล", ""], [2, "ม2", "ว", "สำนักปลัด", "", "=A3&B3", ""]]
    path = make_workbook(tmp_path / "f.xlsx", measures=rows)
    assert file_codes(path) == [("formula-without-value", "f.xlsx", "มาตรการ", "F4")]


@pytest.mark.parametrize("mark", [b"<f>", b"<f ", b't="e"'])
@pytest.mark.parametrize("cut", range(6))
def test_a_formula_mark_cut_by_a_chunk_end_is_still_seen(mark, cut):
    # the extent scan streams sheets in 4 MB chunks and notes the marks that send a sheet to
    # the formula scan; a mark split across two chunks must be noted too
    data = b"<row><c r='A1'><v>1</v></c>" + mark + b"x</row>"
    at = data.index(mark) + min(cut, len(mark))
    ext = extent.Extent()
    assert b"".join(extent._marked(iter([data[:at], data[at:]]), ext)) == data
    assert ext.formulas
    plain = extent.Extent()
    list(extent._marked(iter([b"<row><c r='A1'><v>1</v></c>", b"</row>"]), plain))
    assert not plain.formulas


def test_cell_of_30000_characters(tmp_path):
    long = "ก" * 30_000
    path = make_workbook(tmp_path / "long.xlsx", measures=[[1, "ม", "ว", "สำนักปลัด", "", long, ""]])
    result = api.check([path])
    assert [(f.code, f.cell) for f in result.findings] == [("very-long-text", "F3")]
    assert result.workbooks[0].measures[0].results == (long,)


def test_sheet_of_100000_rows(tmp_path):
    wb = Workbook(write_only=True)  # half the time of writing it whole (the test reads it)
    ws = wb.create_sheet(standard.SHEET_MEASURES)
    ws.append(["ลำดับ", "มาตรการ", "ผู้รับผิดชอบ", "ผลการดำเนินการ"])
    for i in range(1, 100_001):
        ws.append([i, f"มาตรการ {i}", "สำนักปลัด", "ผล"])
    info = wb.create_sheet(standard.SHEET_INFO)
    for key, value in [
        ("ชื่อหน่วยงาน", "เทศบาลตำบลบ้านต๋อม"),
        ("อำเภอ", "เมือง"),
        ("จังหวัด", "พะเยา"),
        ("ปีงบประมาณ", 2565),
        ("ส่วนราชการ", "กองคลัง"),
        ("ผู้บริหาร", "นาย ก"),
        ("ตำแหน่งผู้บริหาร", "นายก"),
    ]:
        info.append([key, value])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    result = api.check([path])
    assert result.findings == ()
    assert len(result.workbooks[0].measures) == 100_000


def test_zip_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    assert file_codes(path) == [("zip-bomb", "bomb.xlsx", "", "")]


def test_folder_with_no_workbooks(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    result = api.check([tmp_path / "empty"])
    assert [(f.code, f.severity.value) for f in result.findings] == [("no-workbooks", "error")]


def test_workbook_with_1000_sheets_reads_only_the_standard_ones(tmp_path):
    path = make_workbook(tmp_path / "many.xlsx", extra_sheets={f"S{i}": [[i]] for i in range(1000)})
    raw = read_workbook(path)
    assert set(raw.sheets) == {standard.SHEET_INFO, standard.SHEET_MEASURES}
    assert len(raw.sheet_names) == 1002
    assert api.check([path]).findings == ()


def test_macro_enabled_workbook_is_read_and_macros_never_run(tmp_path):
    plain = make_workbook(tmp_path / "plain.xlsx")
    path = tmp_path / "macro.xlsm"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really vba")
    result = api.check([path])
    assert [(f.code, f.severity.value) for f in result.findings] == [("macros-not-run", "warning")]
    assert len(result.workbooks[0].measures) == len(MEASURES)


def test_excel_error_cells(tmp_path):
    rows = [[1, "ม", "ว", "สำนักปลัด", "", "#REF!", ""]]
    path = make_workbook(tmp_path / "e.xlsx", measures=rows)
    assert file_codes(path) == [("formula-error", "e.xlsx", "มาตรการ", "F3")]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The same workbook saved as .xls and .ods by LibreOffice (as offices still send)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (CI installs it)")
    folder = tmp_path_factory.mktemp("formats")
    source = make_workbook(folder / "dept.xlsx", merges=[])
    out = {}
    for fmt in ("xls", "ods"):
        target = folder / fmt
        target.mkdir()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(target),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        out[fmt] = target / f"dept.{fmt}"
    return source, out


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_read_like_xlsx(converted, fmt):
    source, out = converted
    want = api.check([source]).workbooks[0]
    got = api.check([out[fmt]])
    assert got.findings == ()
    [wb] = got.workbooks
    assert [(m.number, m.title, m.methods, m.results) for m in wb.measures] == [
        (m.number, m.title, m.methods, m.results) for m in want.measures
    ]
    assert wb.info["organisation"] == want.info["organisation"]
    assert wb.info["fiscal_year"] == 2565


def test_inputs_untouched_by_reading(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_workbook(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_unreadable_path_is_a_finding(tmp_path):
    path = Path(tmp_path / "x.xlsx")
    path.mkdir()
    raw = read_workbook(path)
    assert [f.code for f in raw.findings] == ["unreadable-file"]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symbolic links")
def test_only_regular_files_are_read(tmp_path: Path) -> None:
    """A FIFO given or found hung check; links inside a folder led out of it, or in a loop."""
    folder = tmp_path / "org"
    make_workbook(folder / "a.xlsx")
    outside = make_workbook(tmp_path / "outside" / "b.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    (folder / "b.xlsx").symlink_to(outside)
    (folder / "out").symlink_to(outside.parent, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    files, _ = find_workbooks([folder])
    assert files == [folder / "a.xlsx"]
    result = api.check([folder / "pipe.xlsx"])  # named on its own: refused, not opened
    assert [f.code for f in result.findings] == ["unreadable-file"]


@pytest.mark.skipif(sys.platform == "win32", reason="names are Unicode on Windows")
def test_a_windows_thai_file_name_is_read(tmp_path: Path) -> None:
    """A cp874 name copied to Linux is bytes that are not UTF-8: calamine could not open it
    by name, and a valid workbook was reported corrupt."""
    src = make_workbook(tmp_path / "src.xlsx")
    folder = os.fsencode(tmp_path / "org")
    os.mkdir(folder)
    target = os.path.join(folder, "กองคลัง".encode("cp874") + b".xlsx")
    shutil.copy(src, target)
    result = api.check([os.fsdecode(folder)])
    assert [f.code for f in result.findings if f.severity.value == "error"] == []
    assert [wb.file for wb in result.workbooks] == ["กองคลัง.xlsx"] and result.workbooks[0].measures
