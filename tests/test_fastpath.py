"""A build's fast paths give the same documents as the reference path.

Fast: the package written by :mod:`compiler.docx.docxzip` (each unchanged part compressed
once, remembered in the process and on disk), docxtpl's patched template kept on disk, rows
and column widths remembered in the process. Reference: python-docx's own ``Document.save``,
no disk cache, nothing remembered. Every part of every document written must be equal, on
the sample workbooks, on generated workbooks with hostile cell text, after one department
changed its workbook, and with damaged cache files (never trusted).
"""

from __future__ import annotations

import copy
import math
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import memos
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from wbfactory import INFO, make_workbook

from compiler import api
from compiler.docx import (
    buildmemo,
    columns,
    docxzip,
    greedy,
    rowloop,
    templating,
    typeset,
)
from compiler.report import assemble, render

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "sample_workbooks").iterdir() if p.is_dir())


def _parts(folder: Path) -> dict[str, dict[str, bytes]]:
    out = {}
    for path in sorted(folder.glob("*.docx")):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            out[path.name] = {name: z.read(name) for name in z.namelist()}
    assert out
    return out


def _build(inputs: list[Path], out: Path, announce: bool, template: Path | None = None) -> dict[str, dict[str, bytes]]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    result = api.build(inputs, out / "report.docx", with_announcements=announce, force=True, template=template)
    assert result.written, result.findings
    return _parts(out)


def _saved_by_python_docx(document: Any, stream: Any, blobs: Any = None) -> None:
    assert blobs is None  # nothing assembled in the reference
    document.save(stream)


def _reference(
    inputs: list[Path], out: Path, announce: bool, monkeypatch: pytest.MonkeyPatch, template: Path | None = None
) -> dict:
    with monkeypatch.context() as m:
        m.setenv("ITA_REPORT_CACHE", "off")
        m.setattr(docxzip, "write_document", _saved_by_python_docx)
        m.setattr(rowloop, "render", lambda env, source, context, **kw: None)  # docxtpl renders the whole body
        m.setattr(assemble, "enabled", False)  # python-docx serialises the whole document
        memos.forget()
        parts = _build(inputs, out, announce, template)
    memos.forget()
    return parts


def _same(fast: dict, reference: dict) -> None:
    assert fast.keys() == reference.keys()
    for name, parts in reference.items():
        assert list(fast[name]) == list(parts), name  # the same parts in the same order
        for part, data in parts.items():
            assert fast[name][part] == data, f"{name}: {part}"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from memos.fresh_cache(tmp_path, monkeypatch)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_samples_fast_equals_reference(
    sample: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _reference([sample], tmp_path / "ref", True, monkeypatch)
    first = _build([sample], tmp_path / "a", True)  # fills the caches
    _same(first, reference)
    memory = buildmemo.stats["memory"]
    _same(_build([sample], tmp_path / "b", True), reference)  # from this process's memory
    assert buildmemo.stats["memory"] == memory + 1  # the report: the same inputs, the same parts
    assert (tmp_path / "a" / "report.docx").read_bytes() == (tmp_path / "b" / "report.docx").read_bytes()
    memos.forget()
    disk = buildmemo.stats["disk"]
    _same(_build([sample], tmp_path / "c", True), reference)  # a new process: from the disk
    assert buildmemo.stats["disk"] == disk + 1
    assert list((cache / "deflated").glob("*.bin")) and list((cache / "patched").glob("*.xml"))


HOSTILE = [
    "{{ organisation }} {% if x %}y{% endif %} {# c #} {_{ x }_} {_% y %_}",
    "<w:t>a</w:t> & &amp; < > \" ' ]]>",
    "เ\u0e49าก\u0e48\u0e34า\u0e31\u0e49 ำ\u0e4d สระลอย\u0e34\u0e34 ไม้เอกซ้อน\u0e48\u0e48\u0e48",
    "ส่งเสริมคุณธรรมและความโปร่งใส" * 60,
    "https://example.com/a_b?c=d&e=ฟ  x@y.th  (ฝ่าย/กอง)  ๑๒,๕๐๐ บาท",
]


def _department(folder: Path, name: str, texts: list[str], first: int) -> Path:
    rows = []
    for i, text in enumerate(texts):
        rows.append([first + i, f"มาตรการ {text}", f"1. {text}\n2. ทำ", name, "ต.ค. 2564", text, f"เสนอ {text[:40]}"])
    return make_workbook(folder / f"{name}.xlsx", info={**INFO, "department": name}, measures=rows)


def test_generated_hostile_and_changed_fast_equals_reference(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buildmemo, "lookup", lambda name: None)  # every build renders
    before, after, inbox = tmp_path / "before", tmp_path / "after", tmp_path / "inbox"
    names = ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา"]
    for k, name in enumerate(names):
        _department(before, name, [f"{h} {name} {j}" for j in range(6) for h in HOSTILE], 1 + 100 * k)
    shutil.copytree(before, after)
    # one department changes every text: the others' rows come from memory, its own are new
    _department(after, "กองคลัง", [f"{h} แก้ไข {j}" for j in range(6) for h in HOSTILE], 101)
    reference_before = _reference([before], tmp_path / "ref1", False, monkeypatch)
    reference_after = _reference([after], tmp_path / "ref2", False, monkeypatch)
    assert reference_before["report.docx"] != reference_after["report.docx"]
    third = tmp_path / "third"  # another department changes, seen by a new process
    shutil.copytree(after, third)
    _department(third, "กองช่าง", [f"{h} อีกครั้ง {j}" for j in range(6) for h in HOSTILE], 201)
    reference_third = _reference([third], tmp_path / "ref3", False, monkeypatch)
    shutil.copytree(before, inbox)
    _same(_build([inbox], tmp_path / "a", False), reference_before)
    shutil.rmtree(inbox)
    shutil.copytree(after, inbox)
    _same(_build([inbox], tmp_path / "b", False), reference_after)  # the row loop checked and cut
    kept, made = assemble.stats["rows_kept"], assemble.stats["rows_made"]
    for source, reference in ((before, reference_before), (after, reference_after)):
        shutil.rmtree(inbox)
        shutil.copytree(source, inbox)  # the other departments' rows from memory, กองคลัง's new
        _same(_build([inbox], tmp_path / "b2", False), reference)
    # assembled (python-docx not involved) from rows kept: both versions were built before
    assert assemble.stats["rows_kept"] == kept + 2 * 4 * 6 * len(HOSTILE)
    assert assemble.stats["rows_made"] == made
    memos.forget()  # a new process
    _same(_build([inbox], tmp_path / "c", False), reference_after)  # nothing remembered
    shutil.rmtree(inbox)
    shutil.copytree(third, inbox)
    memos.forget()
    _same(_build([inbox], tmp_path / "d", False), reference_third)  # another department changed, in a new process


def test_damaged_cache_files_are_not_trusted(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = SAMPLES[0]
    reference = _reference([sample], tmp_path / "ref", False, monkeypatch)
    _build([sample], tmp_path / "a", False)
    memos.forget()
    files = [
        *(cache / "deflated").glob("*.bin"),
        *(cache / "patched").glob("*.xml"),
        *(cache / "builds").glob("*.bin"),
    ]
    assert len(files) >= 3 and list((cache / "builds").glob("*.bin"))
    for i, path in enumerate(files):
        data = path.read_bytes()
        if i % 2:
            path.write_bytes(data[: len(data) // 2])  # cut short
        else:
            path.write_bytes(data[:-50] + bytes(b ^ 0x5A for b in data[-50:]))  # bytes changed
    memos.forget()
    _same(_build([sample], tmp_path / "b", False), reference)
    for path in files:  # rewritten whole
        payload = path.read_bytes()
        assert payload.startswith(b"ita-report") and len(payload) > 100
    memos.forget()
    _same(_build([sample], tmp_path / "c", False), reference)


def test_a_cache_entry_for_other_bytes_is_not_used(cache: Path, tmp_path: Path) -> None:
    """A valid cache file of another part, copied under this part's name, fails its key."""
    blob_a, blob_b = b"<a>" + b"x" * 40_000 + b"</a>", b"<b>" + b"y" * 40_000 + b"</b>"
    docxzip.compressed(blob_a, "/word/styles.xml")
    docxzip.compressed(blob_b, "/word/styles.xml")
    [file_a] = [p for p in (cache / "deflated").glob("*.bin") if p.stem == docxzip._disk_key(blob_a)]
    [file_b] = [p for p in (cache / "deflated").glob("*.bin") if p.stem == docxzip._disk_key(blob_b)]
    shutil.copyfile(file_a, file_b)
    memos.forget()
    import zlib

    assert zlib.decompress(docxzip.compressed(blob_b, "/word/styles.xml"), -15) == blob_b
    assert docxzip.stats["deflated"] >= 3


# --- the column code's quicker walks against the walks they replaced ---------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_reference(tc: Any) -> columns.Cell:
    """``columns._cell`` as it was: an element made for every w:t, run and property."""
    paragraphs = []
    for p in tc.iter(W + "p"):
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        bold = next(p.iter(W + "r"), None) is not None
        if bold:
            for r in p.iter(W + "r"):
                if "".join(t.text or "" for t in r.iter(W + "t")).strip():
                    rpr = r.find(W + "rPr")
                    if rpr is None or rpr.find(W + "b") is None:
                        bold = False
                        break
        paragraphs.append((text, bold))
    return columns.Cell(tuple(paragraphs))


def _tables(tmp_path: Path) -> list[Any]:
    """The tables of the samples' reports and of a report of hostile text."""
    out = []
    hostile = tmp_path / "hostile"
    _department(hostile, "กองคลัง", [f"{h} {j}" for j in range(3) for h in HOSTILE], 1)
    for inbox in [*SAMPLES, hostile]:
        written = api.build([inbox], tmp_path / "out" / inbox.name / "r.docx", force=True).written
        out.extend(docx.Document(str(written[0])).element.body.iter(W + "tbl"))
    return out


_ODD_CELL = f"""<w:tc xmlns:w="{W[1:-1]}"><w:tcPr><w:tcW w:w="1" w:type="dxa"/></w:tcPr>
<w:p/><w:p><w:r><w:t xml:space="preserve">  </w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>หนา</w:t>tail</w:r><w:r><w:t> </w:t></w:r><w:r><w:t/></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>ก</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>ข</w:t></w:r></w:p>
<w:p><w:hyperlink><w:r><w:rPr><w:b/></w:rPr><w:t>ลิงก์</w:t></w:r></w:hyperlink></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr></w:r><w:r><w:t>\u00a0\u2003</w:t></w:r></w:p></w:tc>"""


#: Cells of the plain shape (paragraphs of runs of text) read child by child, with their odd corners.
_PLAIN_CELLS = [
    "<w:p/>",
    "<w:p><w:pPr><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:t>ก</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:i/></w:rPr><w:rPr><w:b/></w:rPr><w:t>ก</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>ก</w:t><w:t> ข</w:t></w:r><w:r><w:t> </w:t></w:r></w:p>",
    "<w:p><w:r><w:t/></w:r><w:r/></w:p><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>\u00a0</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>ก</w:t></w:r><w:r><w:t>ข</w:t></w:r></w:p>",
]


def test_cell_reading_equals_the_element_walk(cache: Path, tmp_path: Path) -> None:
    cells = [etree.fromstring(_ODD_CELL)]
    cells += [etree.fromstring(f'<w:tc xmlns:w="{W[1:-1]}"><w:tcPr/>{c}</w:tc>') for c in _PLAIN_CELLS]
    assert all(columns._read_plain_cell(tc) is not None for tc in cells[1:])
    for tbl in _tables(tmp_path):
        cells.extend(tbl.iter(W + "tc"))
    assert len(cells) > 150
    for tc in cells:
        assert columns._cell(tc) == _cell_reference(tc)
    assert columns._cell(cells[0]).paragraphs == (
        ("", False),
        ("  ", True),
        ("หนา ", True),
        ("กข", False),
        ("ลิงก์", True),
        ("\u00a0\u2003", True),
    )


def test_set_widths_fast_equals_the_row_walk(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = _tables(tmp_path)
    odd = []
    for tbl in tables[:2]:  # irregular copies: a cell without w:tcW, a span, a short row
        a, b, c = copy.deepcopy(tbl), copy.deepcopy(tbl), copy.deepcopy(tbl)
        tcpr = a.findall(W + "tr")[-1].find(W + "tc").find(W + "tcPr")
        tcpr.remove(tcpr.find(W + "tcW"))
        first = b.findall(W + "tr")[-1].find(W + "tc")
        etree.SubElement(first.find(W + "tcPr"), W + "gridSpan", {W + "val": "2"})
        first.getparent().remove(first.getnext())
        row = c.findall(W + "tr")[1]
        row.remove(row.findall(W + "tc")[-1])
        odd += [a, b, c]
    walk, walked = columns._set_cell_widths, []
    monkeypatch.setattr(columns, "_set_cell_widths", lambda tbl, twips: walked.append(tbl) or walk(tbl, twips))
    quick = 0
    for tbl in [*tables, *odd]:
        n = len(tbl.find(W + "tblGrid").findall(W + "gridCol"))
        widths = [1.0 + 0.37 * j for j in range(n)]
        fast, reference = copy.deepcopy(tbl), copy.deepcopy(tbl)
        walked.clear()
        columns.set_widths(fast, widths)
        assert bool(walked) == any(tbl is o for o in odd) or not any(tbl is o for o in odd)
        quick += not walked
        if any(tbl is o for o in odd):
            assert walked
        with monkeypatch.context() as m:
            m.setattr(columns, "_IRREGULAR", lambda tbl, n: True)
            columns.set_widths(reference, widths)
        assert etree.tostring(fast) == etree.tostring(reference)
    assert quick >= len(SAMPLES)  # each report's measures table took the quick path


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.text(alphabet="<w:t >/\t\n\a\fab", max_size=40))
def test_has_listing_equals_the_scan(xml: str) -> None:
    assert templating.has_listing(xml) == (templating._LISTING.search(xml) is not None)


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        ("<w:t>a\tb</w:t>", True),
        ('<w:t xml:space="preserve">\n</w:t>', True),
        ("<w:t>a</w:t>\n<w:p>", False),
        ("<w:tab/>\t", False),
        ('<w:t a="\n">x</w:t>', False),
        ("\f<w:t>", False),
        ("<w:t>a<b>\a", False),
    ],
)
def test_has_listing_examples(xml: str, found: bool) -> None:
    assert templating.has_listing(xml) is found
    assert (templating._LISTING.search(xml) is not None) is found


def test_what_is_remembered_stays_bounded(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long texts are not kept (a server's memory), the kept counts are capped, and the
    package's parts go least recently used first."""
    monkeypatch.setattr(render._rows, "kept", 10)
    monkeypatch.setattr(templating._html, "kept", 50)
    inbox = tmp_path / "inbox"
    _department(inbox, "กองคลัง", [f"{h} {j}" for j in range(6) for h in HOSTILE], 1)
    _build([inbox], tmp_path / "a", False)
    assert 0 < len(render._rows) <= 10 and 0 < len(templating._html) <= 50
    assert all(render._text_size(row) <= render._ROW_LONGEST for row in render._rows.values())
    assert all(len(text) <= templating._HTML_LONGEST for text in templating._html)
    assert max(len(h) for h in HOSTILE) > templating._HTML_LONGEST  # a long one was left out
    monkeypatch.setattr(docxzip, "MEMORY_BYTES", 40_000)
    memos.forget()
    blobs = [bytes([65 + i]) * 10_000 for i in range(5)]
    for blob in blobs[:4]:
        docxzip.compressed(blob, "/word/x.xml")
    docxzip.compressed(blobs[0], "/word/x.xml")  # used again: kept
    docxzip.compressed(blobs[4], "/word/x.xml")  # the least recently used (blobs[1]) goes
    assert list(docxzip._memory) == [blobs[2], blobs[3], blobs[0], blobs[4]]
    assert docxzip._memory_size[0] == 40_000


# --- the column solver's quicker arithmetic against the solver as it was -------------------------
_WORDS = ["ส่งเสริม", "คุณธรรม", "และ", "ความโปร่งใส", "๑๒,๕๐๐ บาท", "ITA", "https://x.th/a_b", "", " ", "ก" * 40]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.lists(st.sampled_from(_WORDS), max_size=6), max_size=4), min_size=n, max_size=n),
            st.lists(
                st.lists(st.lists(st.lists(st.sampled_from(_WORDS), max_size=12), max_size=4), min_size=n, max_size=n),
                max_size=30,
            ),
        )
    ),
    st.floats(2.0, 30.0),
    st.booleans(),
)
def test_solver_gives_the_widths_it_gave(table: tuple, total: float, bold: bool) -> None:
    import solve_reference

    def cell(paragraphs: list[list[str]]) -> columns.Cell:
        return columns.Cell(tuple((" ".join(words), bold) for words in paragraphs))

    header = [cell(c) for c in table[0]]
    rows = [[cell(c) for c in row] for row in table[1]]
    expected = solve_reference.solve_widths(header, rows, total, size_pt=12.0, padding_cm=0.38)
    columns._solved.clear()  # solved here, not remembered
    assert list(columns.solve_widths(header, rows, total, size_pt=12.0, padding_cm=0.38)) == list(expected)


def test_solver_gives_the_widths_it_gave_on_the_reports(cache: Path, tmp_path: Path) -> None:
    import solve_reference

    solved = 0
    for tbl in _tables(tmp_path):
        trs = tbl.findall(W + "tr")
        ncols = len(tbl.find(W + "tblGrid").findall(W + "gridCol"))
        header = [columns._cell(tc) for tc in trs[0].findall(W + "tc")]
        if len(header) != ncols:
            continue
        body = [
            [columns._cell(tc) for tc in row]
            for row in columns._sample([tr.findall(W + "tc") for tr in trs[1:]], ncols)
        ]
        for total in (16.0, 24.7):
            expected = solve_reference.solve_widths(header, body, total, size_pt=12.0, padding_cm=0.38)
            columns._solved.clear()  # solved here, not remembered
            assert list(columns.solve_widths(header, body, total, size_pt=12.0, padding_cm=0.38)) == list(expected)
            solved += 1
    assert solved >= 2 * len(SAMPLES)


def test_solver_skips_falls_that_cannot_win_and_still_gives_the_widths(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column whose bounded fall is below the best of a step is not computed; equal columns
    (equal falls at every step: the first must win, as in a loop over all) and a last step
    shorter than the others still give the widths of the solver as it was."""
    import solve_reference

    long = "ส่งเสริมคุณธรรม และความโปร่งใส ในการปฏิบัติงาน " * 4
    texts = [("ลำดับ", "1"), ("มาตรการ", long), ("ผลการดำเนินงาน", long), ("หมายเหตุ", "-"), ("มาตรการ", long)]
    header = [columns.Cell(((h, True),)) for h, _ in texts]
    rows = [[columns.Cell(((f"{t} {i}", False), (t, False))) for _, t in texts] for i in range(40)]
    computed = []
    real = greedy._FallBound.of

    def counting(*args: Any) -> Any:
        computed.append(args[0])
        return real(*args)

    def solve(total: float) -> tuple[list[float], int]:
        columns._solved.clear()
        computed.clear()
        return columns.solve_widths(header, rows, total, size_pt=12.0, padding_cm=0.38), len(computed)

    monkeypatch.setattr(greedy._FallBound, "of", staticmethod(counting))
    for total in (24.7, 16.03):
        expected = solve_reference.solve_widths(header, rows, total, size_pt=12.0, padding_cm=0.38)
        got, pruned = solve(total)
        assert got == list(expected)
        assert abs(got[1] - got[4]) <= greedy.STEP_CM + 1e-9  # equal columns: a step apart at most
        with monkeypatch.context() as m:  # no bound known: every fall computed at every step
            m.setattr(greedy._FallBound, "bound", lambda self: math.inf)
            unbounded, every = solve(total)
        assert unbounded == got
        assert 0 < pruned <= 0.6 * every  # 64 of 128 and 26 of 56 when written


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=80))
def test_text_width_looked_up_is_the_sum_of_each_characters_advance(text: str) -> None:
    from compiler.docx import textwidth

    assert textwidth._ems.__wrapped__(text) == sum(textwidth.advance(ch) for ch in text) / 1000


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.sampled_from("0123456789๐๑๒๓๔๕๖๗๘๙ กขa.@/:w"), max_size=40))
def test_digits_swapped_as_translate_would(text: str) -> None:
    from compiler import thai

    to_thai = str.maketrans("0123456789", thai.THAI_DIGITS)
    assert thai.to_arabic_digits(text) == text.translate(str.maketrans(thai.THAI_DIGITS, "0123456789"))
    assert thai._swap_digits(text, thai._TO_THAI) == text.translate(to_thai)


def test_a_large_part_deflated_in_halves_is_one_stream() -> None:
    import random
    import zlib

    rng = random.Random(7)
    words = ["<w:p>", "มาตรการ", "ส่งเสริม", "คุณธรรม", "</w:p>", " ", "๒๕๖๗"]
    blob = "".join(rng.choice(words) for _ in range(90_000)).encode()
    assert len(blob) >= docxzip.HALVES_MIN
    data = docxzip._deflate(blob)
    assert data == docxzip._deflate(blob)  # the same bytes every time
    assert zlib.decompress(data, -15) == blob
    small = docxzip._deflate(blob[:1000])
    assert zlib.decompress(small, -15) == blob[:1000]


# --- docxtpl's table repair, skipped when it would change nothing ---------------------------------
_NS_W = W[1:-1]


def _body(*tables: str) -> str:
    return f'<w:body xmlns:w="{_NS_W}">{"".join(tables)}</w:body>'


def _tbl(grid: int, rows: list[int], span: bool = False, inner: str = "") -> str:
    cols = "".join(f'<w:gridCol w:w="{1000 + 10 * i}"/>' for i in range(grid))
    out = []
    for k, cells in enumerate(rows):
        tcs = []
        for i in range(cells):
            pr = '<w:tcPr><w:gridSpan w:val="2"/></w:tcPr>' if span and k == 0 and i == 0 else ""
            tcs.append(f"<w:tc>{pr}<w:p><w:r><w:t>{k}.{i}</w:t></w:r></w:p>{inner if i == 0 else ''}</w:tc>")
        out.append(f"<w:tr>{''.join(tcs)}</w:tr>")
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{''.join(out)}</w:tbl>"


@pytest.mark.parametrize(
    "xml",
    [
        _body(_tbl(3, [3, 3, 3])),  # regular: skipped
        _body(_tbl(3, [3, 4, 3])),  # a row with more cells: columns added
        _body(_tbl(3, [2, 2])),  # fewer cells: columns removed
        _body(_tbl(3, [2, 3], span=True)),  # a span
        _body(_tbl(2, [2, 2], inner=_tbl(4, [4, 4]))),  # a nested table's rows count for the outer
        _body(_tbl(3, [3]), _tbl(2, [1])),  # the second table needs repair
        _body(_tbl(0, [])),
        _body(),
    ],
)
def test_table_repair_skipped_only_when_it_changes_nothing(xml: str) -> None:
    from docxtpl import DocxTemplate

    ours = templating._Template.__new__(templating._Template)
    theirs = DocxTemplate.fix_tables(ours, xml)
    assert etree.tostring(ours.fix_tables(xml)) == etree.tostring(theirs)


def test_table_repair_on_the_reports_equals_docxtpls(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docxtpl import DocxTemplate

    seen = []
    original = templating._Template.fix_tables

    def both(self, xml):  # type: ignore[no-untyped-def]
        tree = original(self, xml)
        assert etree.tostring(tree) == etree.tostring(DocxTemplate.fix_tables(self, xml))
        seen.append(len(xml))
        return tree

    monkeypatch.setattr(templating._Template, "fix_tables", both)
    _tables(tmp_path)
    assert len(seen) >= len(SAMPLES) + 1


def _paragraph_template(tmp_path: Path, name: str, *texts: str) -> Path:
    doc = typeset.new_document()
    for text in texts:
        doc.add_paragraph(text)
    path = tmp_path / name
    doc.save(str(path))
    return path


@pytest.mark.parametrize(
    ("texts", "cut"),
    [
        (["{%p for m in measures %}", "{{ m.number }} {{ m.title|join(' ') }} {{ digits }}", "{%p endfor %}"], True),
        (["{%p for m in measures %}", "{{ loop.index }}. {{ m.title|join(' ') }}", "{%p endfor %}"], False),
        (["{%p for m in measures %}", "{{ m.title|join(' ') }}", "{%p else %}", "ไม่มี", "{%p endfor %}"], False),
        (["{%p for m in measures %}", "{{- m.title|join(' ') }}", "{%p endfor %}"], False),
        (["{%p for m in measures|reverse %}", "{{ m.title|join(' ') }}", "{%p endfor %}"], False),
        (
            ["{% set n = 3 %}{{ n }}", "{%p for m in measures %}", "{{ m.title|join(' ') }}{{ n }}", "{%p endfor %}"],
            False,
        ),
    ],
    ids=["plain", "loop-variable", "for-else", "whitespace-control", "filtered", "set"],
)
def test_a_template_of_ones_own_gives_the_same_rows_cut_or_whole(
    texts: list[str], cut: bool, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's template: its row loop cut out only when it is safe, and the documents the
    same as docxtpl's whole render, build after build, one department changing between."""
    monkeypatch.setattr(buildmemo, "lookup", lambda name: None)  # every build renders
    template = _paragraph_template(tmp_path, "mine.docx", *texts)
    before, after, inbox = tmp_path / "before", tmp_path / "after", tmp_path / "inbox"
    for k, name in enumerate(["สำนักปลัด", "กองคลัง", "กองช่าง"]):
        _department(before, name, [f"{h} {name} {j}" for j in range(3) for h in HOSTILE], 1 + 100 * k)
    shutil.copytree(before, after)
    _department(after, "กองคลัง", [f"{h} แก้ไข {j}" for j in range(3) for h in HOSTILE], 101)
    references = [
        _reference([f], tmp_path / f"ref{i}", False, monkeypatch, template) for i, f in enumerate([before, after])
    ]
    assert references[0]["report.docx"]["word/document.xml"] != references[1]["report.docx"]["word/document.xml"]
    remembered = rowloop.stats["remembered"]
    for i in range(4):
        if inbox.exists():
            shutil.rmtree(inbox)
        shutil.copytree([before, after][i % 2], inbox)
        _same(_build([inbox], tmp_path / f"b{i}", False, template), references[i % 2])
    assert (rowloop.stats["remembered"] > remembered) is cut
    assert [made is not None for made, _ in rowloop._cuts.values()] == [cut]


def test_a_cut_that_renders_otherwise_is_not_used() -> None:
    env = templating.jinja_env()
    source = "<a>{% for m in measures %}<r>{{ m.x }}</r>{% endfor %}</a>"
    made = rowloop.cut(source, env)
    assert made is not None and made.loops[0].uses == ()
    context = {"measures": [{"x": "ก<"}, {"x": "ข"}]}
    assert rowloop._check(env, source, made, context)
    wrong = rowloop.Cut(made.outer.replace("<a>", "<b>"), made.loops)
    assert not rowloop._check(env, source, wrong, context)
    assert rowloop.cut("{% for m in measures %}{% if m %}{% endfor %}{% endif %}", env) is None
    assert rowloop.cut("{% for m in measures %}{% for n in measures %}{% endfor %}{% endfor %}", env) is not None


def test_a_report_built_again_records_the_new_time(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same inputs later: the parts kept, the properties' times and the archive's dates
    those of the new build (as a build from scratch at that time gives them)."""
    sample = SAMPLES[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    later = _reference([sample], tmp_path / "ref", False, monkeypatch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = _build([sample], tmp_path / "a", False)
    assert first["report.docx"]["docProps/core.xml"] != later["report.docx"]["docProps/core.xml"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    for new_process in (False, True):
        if new_process:
            memos.forget()
        hits = buildmemo.stats["memory"] + buildmemo.stats["disk"]
        _same(_build([sample], tmp_path / "b", False), later)
        assert buildmemo.stats["memory"] + buildmemo.stats["disk"] == hits + 1
        with zipfile.ZipFile(tmp_path / "b" / "report.docx") as z:
            assert {i.date_time for i in z.infolist()} == {(2027, 1, 15, 8, 0, 0)}


def test_a_changed_input_is_built_afresh(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Digits, the template's bytes and the logo's bytes are inputs too."""
    sample = SAMPLES[0]
    first = api.build([sample], tmp_path / "a.docx", force=True)
    arabic = api.build([sample], tmp_path / "b.docx", force=True, digits="arabic")
    assert zipfile.ZipFile(tmp_path / "a.docx").read("word/document.xml") != zipfile.ZipFile(tmp_path / "b.docx").read(
        "word/document.xml"
    )
    assert first.written and arabic.written
    template = tmp_path / "mine.docx"
    shutil.copyfile(render.REPORT_TEMPLATE, template)
    key = buildmemo.key(template, first.report, "thai", "")
    assert key == buildmemo.key(render.REPORT_TEMPLATE, first.report, "thai", "")
    with zipfile.ZipFile(template, "a") as z:
        z.writestr("customXml/extra.xml", "<x/>")
    assert buildmemo.key(template, first.report, "thai", "") != key
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"one")
    with_logo = buildmemo.key(render.REPORT_TEMPLATE, first.report, "thai", str(logo))
    logo.write_bytes(b"two")
    assert buildmemo.key(render.REPORT_TEMPLATE, first.report, "thai", str(logo)) != with_logo
    assert buildmemo.key(render.REPORT_TEMPLATE, first.report, "thai", str(tmp_path / "missing.png")) is None
