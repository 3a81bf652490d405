"""The summary put together from cached pieces (``compiler.district.pieces``) against the
summary XlsxWriter wrote whole (``tests/summaryref.py``): every sheet and cell the same, the
same styles; a changed organisation's pieces made again and the others reused; a damaged
pack of pieces never trusted; LibreOffice reads every row; the zip and CRC arithmetic."""

from __future__ import annotations

import io
import os
import pickle
import random
import re
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
import summaryref
from openpyxl import load_workbook
from test_summary import _make_inbox_module, org

from compiler import zipout as xlsxzip
from compiler.district import intake, pieces, rowxml, summary
from compiler.district.cache import SurveyCache
from compiler.district.intake import run_district
from compiler.district.model import Details, DistrictResult, MeasureRow
from compiler.district.safezip import LIMITS
from compiler.docx import pdf
from compiler.model import Finding, Severity

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"
needs_soffice = pytest.mark.skipif(pdf.find_soffice() is None, reason="LibreOffice (soffice) not installed")


# --- the arithmetic ------------------------------------------------------------------------
def test_crc32_combine_equals_zlib_on_random_splits() -> None:
    r = random.Random(16)
    for _ in range(400):
        data = os.urandom(r.randint(0, 5000))
        cut = r.randint(0, len(data))
        a, b = data[:cut], data[cut:]
        assert xlsxzip.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(data)
    crc = 0
    parts = [os.urandom(r.randint(0, 300)) for _ in range(50)]
    for part in parts:
        crc = xlsxzip.crc32_combine(crc, zlib.crc32(part), len(part), xlsxzip.shift_of(len(part)))
    assert crc == zlib.crc32(b"".join(parts))


def test_pieces_concatenate_into_one_deflate_stream() -> None:
    r = random.Random(3)
    raw = [bytes(r.choice(b"ab<>c") for _ in range(r.randint(0, 4000))) for _ in range(30)]
    stream = b"".join(xlsxzip.deflate(p).data for p in raw) + xlsxzip.END
    assert zlib.decompress(stream, -15) == b"".join(raw)


@pytest.mark.parametrize("limit", [xlsxzip.ZIP64_LIMIT, 10])
def test_the_zip_reads_back_with_and_without_zip64_records(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """ZIP64 records (sizes and offsets past 4 GB) are made here by lowering the limit."""
    monkeypatch.setattr(xlsxzip, "ZIP64_LIMIT", limit)
    buf = io.BytesIO()
    out = xlsxzip.ZipOut(buf)
    out.add("a/ก.xml", b"<x>" * 1000, (2020, 5, 17, 10, 30, 8))
    out.add_pieces(
        "b.xml", [xlsxzip.deflate(b"head "), *xlsxzip.pieces_of([b"1" * 50, b"", b"two"]), xlsxzip.deflate(b" tail")]
    )
    out.add("empty", b"")
    out.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert z.testzip() is None
        assert z.namelist() == ["a/ก.xml", "b.xml", "empty"]
        assert z.read("b.xml") == b"head " + b"1" * 50 + b"two tail" and z.read("empty") == b""
        assert z.getinfo("a/ก.xml").date_time == (2020, 5, 17, 10, 30, 8)


@pytest.mark.parametrize(
    "text", ["ผล", " ผล", "ผล ", "ผล\n", "\nผล", "ผล\u00a0", "\u3000ผล", "ผล\tx", "a\nb", "ผล\u2028"]
)
def test_space_at_either_end_is_kept_as_xlsxwriter_decides(text: str) -> None:
    """``xml:space="preserve"`` exactly where XlsxWriter's ``^\\s|\\s$`` finds space."""
    kept = bool(re.search(r"^\s|\s$", text))
    assert ('xml:space="preserve"' in rowxml.text_cell(text, 0)) is kept


def test_cell_text_stays_text() -> None:
    """XlsxWriter writes ``<r>…</r>`` as rich-text markup; here it is text like any other."""
    got = rowxml.cell("<r><t>x</t></r>", 3)
    assert got == '<c s="3" t="inlineStr"><is><t>&lt;r&gt;&lt;t&gt;x&lt;/t&gt;&lt;/r&gt;</t></is></c>'
    assert (
        rowxml.cell(" _x0041_\r\x01", 1)
        == '<c s="1" t="inlineStr"><is><t xml:space="preserve"> _x005F_x0041__x000D_</t></is></c>'
    )
    assert rowxml.cell(2.5, 2) == '<c s="2"><v>2.5</v></c>' and rowxml.cell(True, 2).endswith("<t>True</t></is></c>")
    assert rowxml.cell("", 4) == '<c s="4"/>' and rowxml.column_letter(26) == "AA"


# --- the workbook against today's writer ------------------------------------------------------
def _style(c) -> tuple:  # type: ignore[no-untyped-def]
    f, a = c.font, c.alignment
    return (f.name, f.sz, f.b, c.fill.fgColor.rgb, c.fill.fill_type, a.wrap_text, a.vertical, a.horizontal,
            c.number_format, c.border.left.style, c.data_type)  # fmt: skip


def assert_same_workbook(new: Path, old: Path) -> None:
    """Every sheet, in order, with every cell's value and style, row heights, column widths,
    frozen panes, filter, print area and titles, and page set-up equal."""
    a, b = load_workbook(new), load_workbook(old)
    assert a.sheetnames == b.sheetnames
    for wa, wb in zip(a.worksheets, b.worksheets):
        assert (wa.max_row, wa.max_column) == (wb.max_row, wb.max_column), wa.title
        for ra, rb in zip(wa.iter_rows(), wb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert (ca.coordinate, ca.value) == (cb.coordinate, cb.value), wa.title
                assert _style(ca) == _style(cb), (wa.title, ca.coordinate)
        for r in range(1, wb.max_row + 1):
            assert wa.row_dimensions[r].height == wb.row_dimensions[r].height, (wa.title, r)
        widths = lambda ws: {k: d.width for k, d in ws.column_dimensions.items()}  # noqa: E731
        assert widths(wa) == widths(wb), wa.title
        assert (wa.freeze_panes, wa.auto_filter.ref, wa.print_area, wa.print_title_rows) == (
            wb.freeze_panes, wb.auto_filter.ref, wb.print_area, wb.print_title_rows)  # fmt: skip
        setup = lambda ws: (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToHeight,  # noqa: E731
                            ws.sheet_properties.pageSetUpPr.fitToPage, ws.page_margins.left)  # fmt: skip
        assert setup(wa) == setup(wb), wa.title
        assert len(wa._charts) == len(wb._charts), wa.title


class Runs:
    """``run_district`` on one inbox with one cache, each run's summary also written whole by
    today's writer, and what the pieces did."""

    def __init__(self, tmp: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp, self.inbox = tmp, inbox
        self.cache = SurveyCache.open(tmp / "cache")
        self.stats: list[pieces.PieceStats] = []
        self.stores: list = []
        original = pieces.write_summary

        def both(output, result, details_of, **kw):  # type: ignore[no-untyped-def]
            summaryref.write_whole(output.with_name("whole.xlsx"), result, details_of, force=True)
            self.stats.append(pieces.PieceStats())
            self.stores.append(kw.get("store"))
            return original(output, result, details_of, stats=self.stats[-1], **kw)

        monkeypatch.setattr(pieces, "write_summary", both)

    def run(self, **kw) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
        out = self.tmp / "summary.xlsx"
        run_district(self.inbox, out, jobs=2, force=True, cache=self.cache, **kw)
        return out, out.with_name("whole.xlsx")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 200 organisations, a fifth of them broken in the ways ``make_inbox`` knows."""
    tmp = tmp_path_factory.mktemp("pieces")
    _make_inbox_module().make_inbox(tmp / "inbox", 200, departments=2, measures=3, broken=0.2, zips=0.3, seed=16)
    return tmp / "inbox"


def test_the_summary_equals_the_whole_writers_and_reuses_its_pieces(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = Runs(tmp_path, inbox, monkeypatch)
    new, old = runs.run()
    assert_same_workbook(new, old)
    cold = runs.stats[-1]
    assert cold.reused == 0 and cold.made > 200
    # the problems and measures of those that count, with no finding added: made by the workers
    assert cold.premade > 200

    runs.run()  # nothing changed: every piece reused
    assert runs.stats[-1].made == 0 and runs.stats[-1].reused == cold.made

    with _make_inbox_module().resubmitted(
        inbox
    ):  # one organisation sends again: its problems, measures and summary rows anew
        new, old = runs.run()
        assert_same_workbook(new, old)
    warm = runs.stats[-1]  # its problems and measures; its summary row reads the same, so is reused
    assert warm.made == 2 and warm.reused == cold.made - 2

    pack = runs.stores[-1].path
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0x20  # a damaged pack: nothing in it is used
    pack.write_bytes(bytes(data))
    new, old = runs.run()
    assert runs.stores[-1].rejected == 1 and runs.stats[-1].reused == 0
    assert_same_workbook(new, old)


def test_an_expect_list_and_sheets_past_the_row_limit(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the limit (made 37 here) rows go on in ``title (2)``, … in the order today's writer
    opened them; an organisation straddling the limit is split."""
    monkeypatch.setattr(summary, "MAX_ROWS", 37)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ที่", "ชื่อหน่วยงาน"])
    ws.append([1, "เทศบาลตำบลยังไม่ส่ง"])
    wb.save(tmp_path / "list.xlsx")
    runs = Runs(tmp_path, inbox, monkeypatch)
    new, old = runs.run(expect=tmp_path / "list.xlsx")
    names = load_workbook(new, read_only=True).sheetnames
    assert f"{summary.SHEET_MEASURES} (3)" in names and f"{summary.SHEET_PROBLEMS} (2)" in names
    assert_same_workbook(new, old)
    new, old = runs.run(expect=tmp_path / "list.xlsx")  # again, from the pieces
    assert runs.stats[-1].reused > 0
    assert_same_workbook(new, old)


def test_awkward_text_and_numbers_equal_the_whole_writers(tmp_path: Path) -> None:
    long = "ก" * 33_000
    nasty = ' <b>&amp; {{x}}</b>\x01\x0b ผล "ทดสอบ"\n_x0041_ 2. \U0001f600 '
    rows = (
        MeasureRow("เทศบาลตำบลบ้านต๋อม", 1, "i1", nasty, ("สำนักปลัด",), "", "", long, "", Decimal("1234567.125")),
        MeasureRow("เทศบาลตำบลบ้านต๋อม", None, "", "", (), "", "", "", "", None),
    )
    finding = Finding("x-code", Severity.WARNING, "a.xlsx", "มาตรการ", "G7", nasty + long, "english <&>")
    # with an expect list everyone on it has sent: the not-sent sheet says so
    result = DistrictResult(tmp_path, (org(), org("อบต.ข", score=None, codes=(summary.CONTRADICTION,))), expected=2)
    new = pieces.write_summary(tmp_path / "new.xlsx", result, lambda o: Details((finding,), rows))
    old = summaryref.write_whole(tmp_path / "old.xlsx", result, lambda o: Details((finding,), rows))
    assert_same_workbook(new, old)


@needs_soffice
def test_libreoffice_reads_every_row(inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice opens the summary (rows and cells without positions) and, saved again as
    .xlsx by it, every sheet holds the same values."""
    runs = Runs(tmp_path, inbox, monkeypatch)
    new, _ = runs.run()
    outdir = tmp_path / "lo"
    program = pdf.find_soffice()
    assert program is not None
    profile = pdf.make_profile(tmp_path / "profile")
    cmd = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "xlsx",
           "--outdir", str(outdir), str(new)]  # fmt: skip
    done = pdf.run(cmd, timeout=240)
    assert done.returncode == 0, done.stderr
    a, b = load_workbook(new, read_only=True), load_workbook(outdir / new.name, read_only=True)
    assert a.sheetnames == b.sheetnames
    for title in a.sheetnames:
        if title == summary.SHEET_OVERVIEW:
            continue
        mine = [r for r in a[title].iter_rows(values_only=True)]
        theirs = [r for r in b[title].iter_rows(values_only=True)]
        assert len(mine) == len(theirs) > 1, title
        assert [[v for v in r] for r in mine] == [[v for v in r] for r in theirs], title


def test_rich_text_markup_typed_in_a_cell_stays_text(tmp_path: Path) -> None:
    """Regression: XlsxWriter's constant-memory mode wrote a text that starts with ``<r>`` and
    ends with ``</r>`` into the sheet as markup (a typed ``<r>x</r>`` made an invalid cell)."""
    typed = "<r><rPr><b/></rPr><t>ตัวหนา</t></r>"
    rows = (MeasureRow("อบต.ก", 1, "", typed, (), "", "", "<r>x</r>", "", None),)
    result = DistrictResult(tmp_path, (org("อบต.ก"),), not_sent=(typed,), expected=2)  # and on the expect list
    out = pieces.write_summary(tmp_path / "s.xlsx", result, lambda o: Details((), rows))
    ws = load_workbook(out)[summary.SHEET_MEASURES]
    assert (ws["D2"].value, ws["H2"].value) == (typed, "<r>x</r>")
    assert load_workbook(out)[summary.SHEET_NOT_SENT]["B2"].value == typed


def test_pieces_from_the_workers_used_only_with_the_skeletons_style_ids(tmp_path: Path) -> None:
    """A worker's pieces are taken as they are when their style ids are the skeleton's; made
    with other ids (a skeleton changed under them) they are made again: the same workbook."""
    rows = (MeasureRow("อบต.ก", 1, "i1", "มาตรการ", ("สำนักปลัด",), "", "", "ผล", "", Decimal("12.5")),)
    finding = Finding("x-code", Severity.WARNING, "a.xlsx", "มาตรการ", "G7", "ไทย", "english")
    o = org("อบต.ก")
    made = pieces.premade(o, Details((finding,), rows))
    wrong = pieces.Premade(tuple(i + 1 for i in made.ids), made.problems, made.measures)
    result = DistrictResult(tmp_path, (o,))
    whole = summaryref.write_whole(tmp_path / "whole.xlsx", result, lambda o: Details((finding,), rows))
    for name, given in (("right", made), ("wrong", wrong)):
        stats = pieces.PieceStats()
        out = pieces.write_summary(
            tmp_path / f"{name}.xlsx",
            result,
            lambda o: Details((finding,), rows),
            stats=stats,
            premade={o.submission: given},
        )
        assert stats.premade == (2 if given is made else 0), name
        assert_same_workbook(out, whole)


def test_a_worker_that_cannot_make_the_pieces_leaves_them_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(o: object, details: object) -> None:
        raise ValueError("not a finite number: nan")

    monkeypatch.setattr(intake, "premade", fails)
    summary_, packed, made = intake._survey_packed((SAMPLES / "phon_sai_2568", LIMITS))
    assert made is None and summary_.status != "unreadable"
    assert pickle.loads(zlib.decompress(packed)).measures
