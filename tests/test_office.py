"""compiler.docx.office: one LibreOffice for many conversions, restarted when it hangs or crashes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from compiler import errors
from compiler.docx import office, pdf
from compiler.report import render

SOFFICE = pdf.find_soffice()
PYTHON = office.find_uno_python(SOFFICE) if SOFFICE else None
needs_listener = pytest.mark.skipif(PYTHON is None, reason="LibreOffice or its Python uno module not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


@pytest.fixture
def documents(render_make_report, tmp_path: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    return [
        render.render_report(render_make_report(layout=layout), tmp_path / f"{layout}.docx")
        for layout in ("measures", "numbered", "indicators")
    ]


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    assert SOFFICE is not None and PYTHON is not None
    with office.Listener(SOFFICE, PYTHON) as running:
        yield running
    assert _office_processes(running) == []


def _office_processes(running: office.Listener) -> list[str]:
    """Processes still running with this listener's profile (LibreOffice left behind)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path("/proc", pid, "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if running.profile_uri in cmdline:
                found.append(cmdline)
    return found


def _soffice_bin(running: office.Listener) -> int:
    assert running.proc is not None
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path("/proc", pid, "cmdline").read_bytes()
            except OSError:
                continue
            if b"soffice.bin" in cmdline and running.profile_uri.encode() in cmdline:
                return int(pid)
    raise AssertionError("no soffice.bin found")


def _is_pdf(path: Path) -> bool:
    return path.is_file() and path.read_bytes().startswith(b"%PDF-")


@needs_listener
def test_one_start_converts_many_documents(listener: office.Listener, documents: list[Path], tmp_path: Path) -> None:
    jobs = [(doc, tmp_path / f"{doc.stem}.pdf") for doc in documents]
    assert listener.convert(jobs) == [None, None, None]
    assert listener.convert(jobs[:1]) == [None]  # a later call: the same LibreOffice
    assert all(_is_pdf(target) for _, target in jobs)
    assert (listener.starts, listener.conversions, listener.restarts) == (1, 4, 0)


@needs_listener
@pytest.mark.not_a_document("junk and truncated .docx files LibreOffice must refuse")
def test_a_bad_document_fails_alone(listener: office.Listener, documents: list[Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a document")
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(documents[0].read_bytes()[:5000])
    jobs = [(doc, tmp_path / f"{i}.pdf") for i, doc in enumerate([junk, documents[0], truncated, documents[1]])]
    said = listener.convert(jobs)
    assert [s is None for s in said] == [False, True, False, True]
    assert [_is_pdf(target) for _, target in jobs] == [False, True, False, True]
    assert listener.starts == 1  # a refused document is an answer, not a crash


@needs_listener
def test_a_hung_libreoffice_is_killed_and_restarted(
    listener: office.Listener, documents: list[Path], tmp_path: Path
) -> None:
    assert listener.convert([(documents[0], tmp_path / "a.pdf")]) == [None]
    hung = _soffice_bin(listener)
    os.kill(hung, signal.SIGSTOP)  # LibreOffice stops answering
    started = time.monotonic()
    said = listener.convert([(documents[1], tmp_path / "b.pdf"), (documents[2], tmp_path / "c.pdf")], timeout=3)
    assert said[0] is not None and "did not finish within 3 s" in said[0] and said[1] is None
    assert time.monotonic() - started < 30
    assert (listener.starts, listener.restarts) == (2, 1)
    assert _is_pdf(tmp_path / "c.pdf") and not (tmp_path / "b.pdf").exists()
    assert not Path("/proc", str(hung)).exists() or b"Z" in Path("/proc", str(hung), "stat").read_bytes().split()[2]


@needs_listener
def test_a_crashed_libreoffice_is_restarted(listener: office.Listener, documents: list[Path], tmp_path: Path) -> None:
    assert listener.convert([(documents[0], tmp_path / "a.pdf")]) == [None]
    os.kill(_soffice_bin(listener), signal.SIGKILL)
    assert listener.convert([(documents[1], tmp_path / "b.pdf"), (documents[2], tmp_path / "c.pdf")]) == [None, None]
    assert listener.starts == 2 and _is_pdf(tmp_path / "c.pdf")


@needs_listener
def test_a_document_that_hangs_fails_with_the_time_limit(documents: list[Path], tmp_path: Path) -> None:
    assert SOFFICE is not None and PYTHON is not None
    with office.Listener(SOFFICE, PYTHON, retries=1) as running:
        # a time limit no conversion meets stands for a document that hangs LibreOffice
        said = running.convert([(documents[0], tmp_path / "a.pdf")], timeout=0.001)
        assert said[0] is not None and "did not finish within 0.001 s" in said[0]
        assert running.restarts == 1  # killed, not tried again
        assert running.convert([(documents[1], tmp_path / "b.pdf")]) == [None]  # and the next one works
    assert _office_processes(running) == []


@needs_listener
def test_restarted_after_so_many_documents(documents: list[Path], tmp_path: Path) -> None:
    assert SOFFICE is not None and PYTHON is not None
    with office.Listener(SOFFICE, PYTHON, restart_every=2) as running:
        assert running.convert([(doc, tmp_path / f"{doc.stem}.pdf") for doc in documents]) == [None] * 3
        assert (running.starts, running.restarts) == (2, 0)


@pytest.mark.skipif(PYTHON is None, reason="no Python with uno")
@pytest.mark.not_a_document("no LibreOffice runs: a fake that never listens")
def test_a_libreoffice_that_never_listens_fails_within_the_start_limit(tmp_path: Path) -> None:
    assert PYTHON is not None
    fake = tmp_path / "fake-soffice"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    source = tmp_path / "r.docx"
    source.write_bytes(b"x")
    started = time.monotonic()
    with office.Listener(str(fake), PYTHON, start_timeout=0.5) as running:
        said = running.convert([(source, tmp_path / "r.pdf")])
    assert time.monotonic() - started < 20
    assert said[0] is not None and "did not start within 0.5 s" in said[0]
    assert subprocess.run(["pgrep", "-f", str(fake)], capture_output=True).returncode == 1  # the fake was killed


@needs_listener
@needs_poppler
def test_pages_look_the_same_as_with_convert_to(documents: list[Path], tmp_path: Path) -> None:
    """The listener draws exactly what ``soffice --convert-to`` draws: Thai page numbers included."""
    assert SOFFICE is not None
    with office.Listener(SOFFICE, str(PYTHON)) as running:
        assert running.convert([(documents[0], tmp_path / "listener.pdf")]) == [None]
    with office.Batch(SOFFICE) as batch:
        assert batch.convert([(documents[0], tmp_path / "batch.pdf")]) == [None]
    pages = []
    for name in ("listener", "batch"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
        pages.append(sorted(p.read_bytes() for p in tmp_path.glob(f"{name}-*.png")))
    assert len(pages[0]) >= 2 and pages[0] == pages[1]


@needs_listener
@pytest.mark.not_a_document("a junk .docx among good ones")
def test_docx_to_pdfs_is_all_or_nothing(documents: list[Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a document")
    with pytest.raises(errors.OutputError) as info:
        pdf.docx_to_pdfs([documents[0], junk, documents[1]])
    assert "junk.docx" in info.value.message_en and info.value.where == str(junk)
    assert list(tmp_path.glob("*.pdf")) == []
    written = pdf.docx_to_pdfs(documents)
    assert written == [doc.with_suffix(".pdf") for doc in documents] and all(map(_is_pdf, written))


@needs_listener
def test_build_pdf_writes_a_pdf_of_every_document(tmp_path: Path) -> None:
    from wbfactory import make_workbook

    from compiler import api

    folder = make_workbook(tmp_path / "in" / "a.xlsx").parent
    result = api.build([folder], tmp_path / "out" / "report.docx", pdf=True, with_announcements=True)
    docx = sorted(p.name for p in result.written if p.suffix == ".docx")
    pdfs = sorted(p.name for p in result.written if p.suffix == ".pdf")
    assert len(docx) >= 2 and pdfs == sorted(name[: -len(".docx")] + ".pdf" for name in docx)
    assert all(_is_pdf(tmp_path / "out" / name) for name in pdfs)


@needs_listener
def test_a_server_shares_one_libreoffice(documents: list[Path]) -> None:
    running = pdf.shared_office()
    assert running is not None and running is pdf.shared_office()
    starts = running.starts
    first = pdf.docx_to_pdf(documents[0], office=running)
    second = pdf.docx_to_pdf(documents[1], office=pdf.shared_office())
    assert _is_pdf(first) and _is_pdf(second)
    assert running.starts - starts <= 1  # at most the first use starts it
