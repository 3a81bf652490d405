"""The real-reader check itself (tests/realreader.py): it must fail on what Word would refuse."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import realreader
from wbfactory import make_workbook

from compiler import api
from compiler.docx import pdf

needs_soffice = pytest.mark.skipif(pdf.find_soffice() is None, reason="LibreOffice (soffice) not installed")


@needs_soffice
def test_regression_a_truncated_docx_fails_the_real_reader(tmp_path: Path) -> None:
    """LibreOffice opened a junk or truncated .docx as plain text and made a PDF of it, so the
    check passed documents Word refuses. The Word import filter is now named."""
    if not realreader.enabled():
        pytest.skip("the real reader is off (--real-reader=off)")
    report = api.build([make_workbook(tmp_path / "in" / "a.xlsx").parent], tmp_path / "report.docx").written[0]
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(report.read_bytes()[: report.stat().st_size // 2])
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a document")
    failures = realreader.convert_now([report, truncated, junk])
    assert [line.split(":")[0] for line in failures] == [str(truncated), str(junk)]


@needs_soffice
def test_a_copy_of_a_converted_document_is_not_converted_again_but_a_copy_of_a_failed_one_is(tmp_path: Path) -> None:
    if not realreader.enabled():
        pytest.skip("the real reader is off (--real-reader=off)")
    report = api.build([make_workbook(tmp_path / "in" / "a.xlsx").parent], tmp_path / "report.docx").written[0]
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a document, " + report.read_bytes()[:64])
    assert realreader.convert_now([report, junk]) != []
    state = realreader._state
    assert state is not None
    converted, copies = state.converted, state.copies
    (tmp_path / "copy").mkdir()
    same = tmp_path / "copy" / "report.docx"
    same.write_bytes(report.read_bytes())
    junk_again = tmp_path / "copy" / "junk.docx"
    junk_again.write_bytes(junk.read_bytes())
    failures = realreader.convert_now([same, junk_again])
    assert [line.split(":")[0] for line in failures] == [str(junk_again)]
    assert (state.converted, state.copies) == (converted, copies + 1)
    # another byte at the end is another file: given to LibreOffice, not counted as a copy
    changed = tmp_path / "copy" / "changed.docx"
    changed.write_bytes(report.read_bytes() + b"\0")
    said = realreader.convert_now([changed])
    assert state.copies == copies + 1
    assert said or state.converted == converted + 1


def _rewritten(source: Path, target: Path, entry: str, change) -> None:  # type: ignore[no-untyped-def]
    """``source`` written again as ``target`` with ``change`` applied to the bytes of ``entry``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(info, change(body) if info.filename == entry else body)


def test_a_document_that_differs_only_in_the_times_it_records_counts_as_the_same(tmp_path: Path) -> None:
    report = api.build([make_workbook(tmp_path / "in" / "a.xlsx").parent], tmp_path / "report.docx").written[0]
    core = zipfile.ZipFile(report).read("docProps/core.xml")
    assert len(realreader._WRITTEN_AT.findall(core)) == 3  # created, modified, printed
    later = tmp_path / "later.docx"
    _rewritten(report, later, "docProps/core.xml", lambda b: realreader._WRITTEN_AT.sub(b"2031-01-02T03:04:05Z", b))
    assert later.read_bytes() != report.read_bytes()
    assert realreader._digest(later) == realreader._digest(report)
    assert realreader._digest(later).startswith("entries-")
    # any other change is another document: a title in core.xml, a character of the text
    retitled = tmp_path / "retitled.docx"
    _rewritten(report, retitled, "docProps/core.xml", lambda b: b.replace(b"<dc:title>", b"<dc:title>x"))
    edited = tmp_path / "edited.docx"
    _rewritten(report, edited, "word/document.xml", lambda b: b.replace("มาตรการ".encode(), "มาตรกาว".encode(), 1))
    digests = {realreader._digest(p) for p in (report, retitled, edited)}
    assert len(digests) == 3
    # not laid out plainly (a byte appended, a byte before the first entry): its bytes decide
    for name, data in (("tail.docx", report.read_bytes() + b"\0"), ("head.docx", b"\0" + report.read_bytes())):
        (tmp_path / name).write_bytes(data)
        assert realreader._digest(tmp_path / name) == "bytes-" + hashlib.sha256(data).hexdigest()
        (tmp_path / name).unlink()  # (LibreOffice refuses the one with a byte before: not a document)
    # a damaged entry (its CRC no longer matches): its bytes decide
    data = bytearray(report.read_bytes())
    with zipfile.ZipFile(report) as z:
        info = z.getinfo("word/document.xml")
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 10
    data[at] ^= 0xFF
    (tmp_path / "damaged.docx").write_bytes(bytes(data))
    assert realreader._digest(tmp_path / "damaged.docx").startswith("bytes-")
    (tmp_path / "damaged.docx").unlink()  # broken on purpose: not for the real reader
