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
