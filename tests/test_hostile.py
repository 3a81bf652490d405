"""Hostile files beyond the workbook issue's list (see test_read.py for that list).

Each file is built byte by byte (``xlsxraw``) and run through the CLI in a child process,
which is timed and whose peak memory is read back from the kernel (``os.wait4``): a
hostile file must end, quickly, with exit 0 or 1 and a finding — never a hang, a memory
blow-up or a traceback.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter
from wbfactory import HEADERS, INFO, MEASURES, label
from xlsxraw import ExcelError, RawCell, RawString, write_xlsx

from compiler import api
from compiler.workbook import standard


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str
    seconds: float
    peak_mb: float


# The child reports its own peak memory (VmHWM: the high-water mark of the program after
# exec; ru_maxrss would also count the test process it was forked from).
_LAUNCH = """
import sys
from compiler.cli import main
try:
    main(prog_name="ita-report")
finally:
    try:
        with open("/proc/self/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        print(f"@@peak-kb {peak}", file=sys.stderr)
    except (OSError, StopIteration):
        pass
"""


def run_cli(*args: str | Path, timeout: float = 120) -> Run:
    """``ita-report ARGS`` in a child process: its exit code, output, wall time and peak memory."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *map(str, args)], capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"ita-report {' '.join(map(str, args))} still running after {timeout} s")
    seconds = time.monotonic() - start
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    peak = [int(line.split()[1]) for line in text.splitlines() if line.startswith("@@peak-kb ")]
    output = "\n".join(line for line in text.splitlines() if not line.startswith("@@peak-kb "))
    return Run(proc.returncode, output, seconds, peak[0] / 1024 if peak else 0.0)


def assert_clean_end(run: Run, *, seconds: float = 20, peak_mb: float = 400) -> None:
    assert run.exit_code in (0, 1), run.output
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert run.seconds < seconds, f"took {run.seconds:.1f} s"
    assert run.peak_mb < peak_mb, f"peak memory {run.peak_mb:.0f} MB"


def standard_sheets(result: object = "ผล", *, rows: int = 0) -> list[tuple[str, list[list[object]]]]:
    """The standard sheets, filled; ``result`` is the last measure's result cell (F4)."""
    info = [[label("version"), standard.STANDARD_VERSION], *([label(k), v] for k, v in INFO.items())]
    measures = [HEADERS, *MEASURES, [3, "มาตรการที่สาม", "ว", "กองคลัง", "", result, ""]]
    measures += [[None, None, f"บรรทัด {i}", None, None, None, None] for i in range(rows)]
    return [(standard.SHEET_INFO, info), (standard.SHEET_MEASURES, measures)]


def codes(path: Path) -> list[str]:
    return [f.code for f in api.check([path]).findings]


# --- XML entity expansion (billion laughs) and external entities ---------------------------------
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)  # &lol9; is 10^9 × 30 bytes once expanded
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
SECRET = Path("/etc/hostname").read_text(errors="replace").strip() if Path("/etc/hostname").is_file() else ""


@pytest.mark.parametrize(
    ("name", "cell", "where"),
    [
        ("laughs-in-shared-strings", RawString("<t>&lol9;</t>"), "strings"),
        ("laughs-in-sheet", RawCell('t="inlineStr"', "<is><t>&lol9;</t></is>"), "sheet"),
        ("external-entity-in-shared-strings", RawString("<t>&xxe;</t>"), "strings"),
        ("external-entity-in-sheet", RawCell('t="inlineStr"', "<is><t>&xxe;</t></is>"), "sheet"),
    ],
)
def test_entities_are_never_expanded(tmp_path: Path, name: str, cell: object, where: str) -> None:
    doctype = EXTERNAL if "external" in name else LAUGHS
    kw = {"strings_prologue": doctype} if where == "strings" else {"prologue": doctype}
    path = write_xlsx(tmp_path / "in" / f"{name}.xlsx", standard_sheets(cell), **kw)
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=15, peak_mb=300)
    assert run.exit_code == 1 and "[corrupt-file]" in run.output
    for copy in (tmp_path / "annotated").glob("*"):
        assert b"lollollol" not in copy.read_bytes()
    if SECRET:
        assert SECRET not in run.output


def test_regression_annotate_survives_a_doctype_openpyxl_refuses(tmp_path: Path) -> None:
    """A DOCTYPE calamine reads past (the entity is declared, not used) while a cell has a
    finding: ``check --annotate`` loads the file with openpyxl, which (with defusedxml)
    refuses the DTD. It must not expand it, and must not crash (it did: exit 3)."""
    sheets = standard_sheets(None)  # F4 empty: a missing-value finding to annotate
    path = write_xlsx(tmp_path / "in" / "dtd.xlsx", sheets, prologue=LAUGHS)
    assert codes(path) == ["missing-value"]
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=15, peak_mb=300)
    assert run.exit_code == 1
    for copy in (tmp_path / "annotated").glob("*"):
        assert b"lollollol" not in copy.read_bytes()


# --- a zip whose headers lie about its sizes -----------------------------------------------------
def lying_zip(path: Path, inflated_mb: int, *, claim: int = 1_000, honest_crc: bool = True) -> Path:
    """A workbook whose measures sheet inflates to ``inflated_mb`` MB of spaces while its local
    and central headers claim ``claim`` bytes. Built in a few milliseconds: a deflate block
    that resets the compressor (Z_FULL_FLUSH) can be repeated as often as wanted."""
    source = write_xlsx(path.parent.parent / f"{path.stem}-plain.xlsx", standard_sheets())
    member = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(source) as zf:
        sheet = zf.read(member)
        others = [(i.filename, zf.read(i)) for i in zf.infolist() if i.filename != member]
    head, tail = sheet.split(b"<sheetData>")
    head += b"<sheetData>"
    mb = b" " * (1 << 20)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(mb) + squeeze.flush(zlib.Z_FULL_FLUSH)
    end = squeeze.compress(tail) + squeeze.flush()
    data = start + block * inflated_mb + end
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(mb, crc)
    crc = zlib.crc32(tail, crc) if honest_crc else zlib.crc32(head[:claim])
    entries = [(name, zlib.compress(body)[2:-4], zlib.crc32(body), len(body)) for name, body in others]
    entries.append((member, data, crc, claim))
    out, central = bytearray(), bytearray()
    for name, packed, entry_crc, size in entries:
        encoded = name.encode()
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, entry_crc, len(packed), size,
            len(encoded), 0, 0, 0, 0, 0, len(out),
        ) + encoded  # fmt: skip
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, entry_crc, len(packed), size, len(encoded), 0)
        out += encoded + packed
    end_record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out + central + end_record))
    return path


@pytest.mark.parametrize("honest_crc", [True, False], ids=["crc-of-real-data", "crc-of-claimed-data"])
def test_regression_zip_that_lies_about_its_sizes(tmp_path: Path, honest_crc: bool) -> None:
    """Headers claim 1 kB; the stream holds 1 GB. Python's zipfile (which read.py used to scan
    formulas) trusts the stream, not the header: 2 GB of memory for a 1.5 MB file. Now the
    expansion is measured, without keeping it, and refused."""
    path = lying_zip(tmp_path / "in" / "liar.xlsx", 1_000, honest_crc=honest_crc)
    assert path.stat().st_size < 2_000_000
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet2.xml").file_size == 1_000
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=20, peak_mb=200)
    assert run.exit_code == 1 and "[zip-bomb]" in run.output


def test_zip_that_lies_a_little_is_damaged(tmp_path: Path) -> None:
    """Below the limits, a member longer than its header says is a damaged file."""
    path = lying_zip(tmp_path / "in" / "liar.xlsx", 1)
    assert codes(path) == ["corrupt-file"]


# --- many sheets, huge and deep shared strings ---------------------------------------------------
def test_1000_sheets_with_data_check_annotate_build(tmp_path: Path) -> None:
    """test_read covers reading 1,000 tiny sheets; here they hold data, some are named almost
    like the standard's, and the whole pipeline (annotate loads all of them) stays quick."""
    look_alikes = [" มาตรการ ", "มาตรการ (2)", "ข้อมูลหน่วยงาน เก่า", "คะแนน  ITA", "ประกาศ 2"]
    filler = [(f"S{i}", [[i, "ข้อความ " * 10, 3.5]] * 20) for i in range(1_000 - len(look_alikes))]
    sheets = standard_sheets(None) + [(n, [["ลำดับ", "มาตรการ"], [1, "ผิดแผ่น"]]) for n in look_alikes] + filler
    path = write_xlsx(tmp_path / "in" / "many.xlsx", sheets)
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=60)
    assert run.exit_code == 1 and "[missing-value]" in run.output
    assert (tmp_path / "annotated" / "many.xlsx").is_file()
    good = write_xlsx(tmp_path / "ok" / "many.xlsx", standard_sheets() + filler)
    run = run_cli("build", good.parent, "-o", tmp_path / "report.docx")
    assert_clean_end(run, seconds=60)
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize(
    ("name", "string"),
    [
        ("nested-100000-deep", RawString("<r><t>" + "<x>" * 100_000 + "ลึก" + "</x>" * 100_000 + "</t></r>")),
        ("runs-200000", RawString("<r><t>ก</t></r>" * 200_000)),
        ("text-5-million-characters", "ผล<&>{{ x }}" * 500_000),
    ],
)
def test_deep_and_huge_shared_strings(tmp_path: Path, name: str, string: object) -> None:
    path = write_xlsx(tmp_path / "in" / f"{name}.xlsx", standard_sheets(string))
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert_clean_end(run, seconds=60, peak_mb=600)


def test_200000_distinct_shared_strings(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in" / "strings.xlsx", standard_sheets(rows=200_000))
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=60, peak_mb=800)
    assert run.exit_code == 0, run.output


# --- crafted XML that used to cost time or memory out of all proportion -------------------------
def test_regression_merged_ranges_far_below_the_data(tmp_path: Path) -> None:
    """50 ranges of 10 × 99,999 cells in a 4 kB file: every covered cell used to be put in a
    dict (5 ranges: 4.8 s and 820 MB; 50 would exhaust memory). Only the grid counts now."""
    ranges = [f"{get_column_letter(20 + 10 * i)}1:{get_column_letter(29 + 10 * i)}99999" for i in range(50)]
    merges = {standard.SHEET_MEASURES: ranges, standard.SHEET_INFO: ranges}
    path = write_xlsx(tmp_path / "in" / "merges.xlsx", standard_sheets(), merges=merges)
    assert path.stat().st_size < 10_000
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=10, peak_mb=200)
    assert run.exit_code == 0, run.output


def test_regression_overlapping_merged_ranges(tmp_path: Path) -> None:
    """10,000 distinct ranges over the same cells (Excel never writes overlaps; a crafted file
    can): the work stays proportional to the grid."""
    ranges = [f"A{i}:K{90_000 + i}" for i in range(1, 10_001)]
    path = write_xlsx(tmp_path / "in" / "overlaps.xlsx", standard_sheets(rows=2_000),
                      merges={standard.SHEET_MEASURES: ranges})  # fmt: skip
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=20, peak_mb=300)


def test_regression_unclosed_error_cells_scan_in_linear_time(tmp_path: Path) -> None:
    """A sheet of 100,000 ``<c t="e">`` cells never closed: the formula scan's pattern used to
    rescan to the end of the sheet for each one (8,000 cells: 20 s; 100,000: hours)."""
    path = write_xlsx(tmp_path / "in" / "unclosed.xlsx", standard_sheets(ExcelError("#REF!")))
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = members["xl/worksheets/sheet2.xml"]
    members["xl/worksheets/sheet2.xml"] = sheet.replace(
        b"</sheetData>", b'<row r="99">' + b'<c r="A99" t="e"><v>#REF!</v>' * 100_000 + b"</row></sheetData>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=20)
    assert run.exit_code == 1


def test_regression_tags_stuffed_with_attributes(tmp_path: Path) -> None:
    """A tag of 100,000 attributes ending in ``name="x"`` (workbook.xml) or ``Id="x"``
    (its relationships), which calamine ignores: the patterns that listed the sheets
    backtracked quadratically over it (8,000 attributes: 1.4 s; 100,000: minutes)."""
    path = write_xlsx(tmp_path / "in" / "stuffed.xlsx", standard_sheets(ExcelError("#REF!")))
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    stuffing = range(100_000)
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b"</sheets>", b"</sheets><sheet-x " + b"".join(b'a%dname="x" ' % i for i in stuffing) + b"/>"
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b"<Relationship-x " + b"".join(b'a%dId="x" ' % i for i in stuffing) + b"/></Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    run = run_cli("check", path.parent)
    assert_clean_end(run, seconds=20)
    assert run.exit_code == 1 and "[formula-error]" in run.output  # the sheets were still found


# --- macros are never run, and the warning says so ------------------------------------------------
def test_macro_enabled_workbook_builds_and_says_macros_were_not_run(tmp_path: Path) -> None:
    """test_read checks the warning; here the whole pipeline, with a real .xlsm layout (VBA
    part, macro-enabled content type, an Auto_Open that would start a program)."""
    path = write_xlsx(tmp_path / "in" / "macro.xlsm", standard_sheets(), macros=True)
    marker = tmp_path / "macro-ran"
    run = run_cli("build", path.parent, "-o", tmp_path / "report.docx")
    assert_clean_end(run)
    assert run.exit_code == 0, run.output
    assert "[macros-not-run]" in run.output and "macros are never run" in run.output
    run = run_cli("check", path.parent, "--annotate", tmp_path / "annotated")
    assert "[macros-not-run]" in run.output
    assert not marker.exists()


def test_regression_excel4_macro_sheet_is_reported(tmp_path: Path) -> None:
    """Excel 4.0 macros live in ``xl/macrosheets/``, not in vbaProject.bin; they were not reported."""
    macro = b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
    path = write_xlsx(tmp_path / "xl4.xlsx", standard_sheets(), extra={"xl/macrosheets/sheet1.xml": macro})
    assert codes(path) == ["macros-not-run"]


def _ods(path: Path, sheets: list[tuple[str, list[list[object]]]], extra: dict[str, bytes]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice writes, less its styles)."""
    from xml.sax.saxutils import escape, quoteattr

    def cell(v: object) -> str:
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        for name, data in extra.items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


def test_regression_libreoffice_basic_macros_are_reported(tmp_path: Path) -> None:
    plain = _ods(tmp_path / "plain.ods", standard_sheets(), {})
    assert codes(plain) == []
    basic = b'<script:module script:name="Module1" script:language="StarBasic">Sub Main\nShell("x")\nEnd Sub</script:module>'
    path = _ods(tmp_path / "basic.ods", standard_sheets(), {"Basic/Standard/Module1.xml": basic})
    assert codes(path) == ["macros-not-run"]


# --- documents LibreOffice could not lay out -------------------------------------------------------
#: Everything that slowed LibreOffice: Thai without spaces, emoji, right-to-left text, private-use
#: characters (from PDFs; no font has them), XML specials; repeated to Excel's 32,767 characters.
_HEAVY = "ดำเนินการตามมาตรการส่งเสริมคุณธรรม😀👨\u200d👩\u200d👧\u202eשלום<&>{{ x }}\U000f0001\uf70a "
_HEAVY_CELL = (_HEAVY * (32_767 // len(_HEAVY) + 1))[:32_767]


def test_regression_documents_of_32767_character_cells_open_in_libreoffice(tmp_path: Path) -> None:
    """A measure whose วิธีการ and ผลการดำเนินการ each held 32,767 characters (and a ประกาศ
    paragraph as long) made documents LibreOffice spun over for many minutes: each cell was one
    paragraph, laid out in time that grows with the square of its length, and private-use
    characters sent it hunting a font for each. The documents are now written with paragraphs
    of at most 2,000 characters and without private-use characters (a warning names the cells),
    and the real-reader check converts them (tests/realreader.py)."""
    sheets = standard_sheets(_HEAVY_CELL)
    rows = sheets[1][1]
    rows[1] = [*rows[1][:2], _HEAVY_CELL, *rows[1][3:]]  # the first measure's method (a copy: MEASURES is shared)
    rows[3][2] = _HEAVY_CELL  # the third measure's method
    announcement = [["รายการ", "ข้อความ"], ["เรื่อง", "ประกาศทดสอบ"], ["ย่อหน้า", _HEAVY_CELL], ["ท้ายเรื่อง", "จึงประกาศ"]]
    path = write_xlsx(tmp_path / "in" / "heavy.xlsx", [*sheets, (standard.SHEET_ANNOUNCEMENT, announcement)])
    run = run_cli("build", path.parent, "-o", tmp_path / "out" / "report.docx", "--with-announcements")
    assert_clean_end(run, seconds=60)
    assert run.exit_code == 0, run.output
    assert run.output.count("[dropped-character]") == 4 and "[very-long-text]" in run.output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.docx"))
    assert written == ["report.docx", "ประกาศ.docx", "ประกาศมาตรการ.docx"]
