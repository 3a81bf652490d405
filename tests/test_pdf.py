"""compiler.pdf: .docx to PDF through LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from compiler import errors
from compiler.docx import pdf
from compiler.report import render

needs_soffice = pytest.mark.skipif(pdf.find_soffice() is None, reason="LibreOffice (soffice) not installed")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None, reason="poppler-utils not installed"
)


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_missing_libreoffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    with pytest.raises(errors.ToolMissingError) as info:
        pdf.docx_to_pdf(source)
    assert "LibreOffice" in info.value.message_th and "LibreOffice" in info.value.message_en
    assert "libreoffice-writer-nogui" in info.value.message_en
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.docx"]


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_named_program_that_does_not_exist(tmp_path: Path) -> None:
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    with pytest.raises(errors.ToolMissingError):
        pdf.docx_to_pdf(source, soffice=str(tmp_path / "no-soffice"))


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_timeout_stops_the_conversion(tmp_path: Path) -> None:
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    fake = _fake_soffice(tmp_path, "sleep 30")
    with pytest.raises(errors.OutputError) as info:
        pdf.docx_to_pdf(source, soffice=fake, timeout=0.5, listener=False)
    assert "did not finish" in info.value.message_en
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_conversion_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    fake = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 0")
    with pytest.raises(errors.OutputError) as info:
        pdf.docx_to_pdf(source, soffice=fake, listener=False)
    assert "could not be loaded" in info.value.message_en
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_existing_pdf_needs_force(tmp_path: Path) -> None:
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    (tmp_path / "r.pdf").write_bytes(b"old")
    fake = _fake_soffice(tmp_path, "exit 1")  # never reached: refused before running
    with pytest.raises(errors.OutputError):
        pdf.docx_to_pdf(source, soffice=fake)
    assert (tmp_path / "r.pdf").read_bytes() == b"old"


@pytest.mark.not_a_document("a junk r.docx for a fake or missing LibreOffice")
def test_fake_conversion_moves_the_pdf_into_place(tmp_path: Path) -> None:
    source = tmp_path / "ชื่อ รายงาน.docx"
    source.write_bytes(b"x")
    # The fake writes <outdir>/<stem>.pdf the way soffice names its output.
    fake = _fake_soffice(
        tmp_path,
        'for a; do outdir="$prev"; prev="$a"; done; printf "%%PDF-1.4" > "$outdir/$(basename "$prev" .docx).pdf"',
    )
    out = pdf.docx_to_pdf(source, soffice=fake, listener=False)
    assert out == tmp_path / "ชื่อ รายงาน.pdf"
    assert out.read_bytes() == b"%PDF-1.4"


@needs_soffice
@needs_poppler
@pytest.mark.parametrize("layout", ["measures", "numbered", "indicators"])
def test_report_converts_with_libreoffice(render_make_report, tmp_path: Path, layout: str) -> None:  # type: ignore[no-untyped-def]
    docx_path = render.render_report(render_make_report(layout=layout, score=93.05), tmp_path / "report.docx")
    out = pdf.docx_to_pdf(docx_path)
    assert out == tmp_path / "report.pdf"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2  # the cover, then the table
    sizes = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "2", str(out)], capture_output=True, text=True, check=True
    ).stdout
    page_sizes = [line.split(":")[1].split("pts")[0].split(" x ") for line in sizes.splitlines() if " size:" in line]
    (w1, h1), (w2, h2) = ((float(a), float(b)) for a, b in page_sizes[:2])
    assert w1 < h1 and w2 > h2  # portrait cover, landscape table
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "เทศบาลตำบลบ้านต๋อม" in text
    assert "๙๓.๐๕" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx", "report.pdf"]


def test_soffice_is_found_in_the_windows_install_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Windows PC has LibreOffice in Program Files, not on the PATH."""
    program = tmp_path / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"MZ")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("ITA_SOFFICE", raising=False)
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path / "Program Files"))
    assert pdf.find_soffice() == str(program / "soffice.exe")
    chosen = tmp_path / "my-soffice"
    chosen.write_bytes(b"")
    monkeypatch.setenv("ITA_SOFFICE", str(chosen))
    assert pdf.find_soffice() == str(chosen)


@pytest.mark.not_a_document("junk .docx files for a fake LibreOffice")
def test_many_documents_convert_in_one_start(tmp_path: Path) -> None:
    sources = [tmp_path / "รายงาน.docx", tmp_path / "sub" / "รายงาน.docx", tmp_path / "ประกาศ.docx"]
    for i, source in enumerate(sources):
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(b"doc %d" % i)
    calls = tmp_path / "calls"
    # The fake writes <outdir>/<stem>.pdf holding the source's bytes for every .docx it is given.
    fake = _fake_soffice(
        tmp_path,
        f'echo x >> "{calls}"; out=""; next=0; '
        'for a; do [ "$next" = 1 ] && out="$a"; next=0; [ "$a" = --outdir ] && next=1; done; '
        'for a; do case "$a" in *.docx) b=$(basename "$a" .docx); cp "$a" "$out/$b.pdf";; esac; done',
    )
    out = pdf.docx_to_pdfs(sources, soffice=fake, listener=False)
    assert out == [s.with_suffix(".pdf") for s in sources]
    assert [p.read_bytes() for p in out] == [b"doc 0", b"doc 1", b"doc 2"]  # same stems, no mix-up
    assert calls.read_text().count("x") == 1  # one LibreOffice start


@pytest.mark.not_a_document("junk .docx files for a fake LibreOffice")
def test_many_documents_check_every_target_first(tmp_path: Path) -> None:
    sources = [tmp_path / "a.docx", tmp_path / "b.docx"]
    for source in sources:
        source.write_bytes(b"x")
    (tmp_path / "b.pdf").write_bytes(b"old")
    calls = tmp_path / "calls"
    fake = _fake_soffice(tmp_path, f'echo x >> "{calls}"')
    with pytest.raises(errors.OutputError):
        pdf.docx_to_pdfs(sources, soffice=fake, listener=False)
    assert not calls.exists() and not (tmp_path / "a.pdf").exists()
