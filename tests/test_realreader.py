"""The real-reader check itself (tests/realreader.py): it must fail on what Word would refuse."""

from __future__ import annotations

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
