"""Convert a .docx to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion runs in a fresh temporary folder with its own LibreOffice profile
(``-env:UserInstallation``), so it neither disturbs nor waits for a LibreOffice the user
has open, and two conversions can run at once. The profile sets LibreOffice's CTL
numerals option to "Context", which draws the Thai-tagged page numbers of our documents in
Thai digits (LibreOffice ignores Word's ``thaiNumbers`` page number format). The PDF is
moved into place atomically.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import errors, safeio

if TYPE_CHECKING:
    from compiler.docx.office import Office

#: Seconds a conversion may take before it is stopped (LibreOffice's first start is slow).
DEFAULT_TIMEOUT = 180.0

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/I18N/CTL"><prop oor:name="CTLFont" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/I18N/CTL"><prop oor:name="CTLTextNumerals" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""

_INSTALL_HINT_TH = "ติดตั้ง LibreOffice (เช่น apt install libreoffice-writer-nogui fonts-tlwg-laksaman) หรือไม่ต้องใช้ --pdf"
_INSTALL_HINT_EN = (
    "install LibreOffice (e.g. apt install libreoffice-writer-nogui fonts-tlwg-laksaman) or leave out --pdf"
)


def _install_folders() -> list[Path]:
    """Where LibreOffice's installer puts ``soffice`` when it is not on the PATH (as on most
    Windows PCs): Program Files (64- and 32-bit), and the macOS application bundle."""
    folders = []
    for var in ("PROGRAMFILES", "PROGRAMW6432", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        base = os.environ.get(var)
        if base:
            folders.extend(Path(base) / name / "program" for name in ("LibreOffice", "LibreOffice 7", "LibreOffice 24"))
    folders.append(Path("/Applications/LibreOffice.app/Contents/MacOS"))
    return folders


def find_soffice() -> str | None:
    """The path of LibreOffice's ``soffice`` program; ``None`` if absent.

    ``ITA_SOFFICE`` (a path) wins; then ``soffice`` or ``libreoffice`` on the PATH; then the
    usual install folders (``C:\\Program Files\\LibreOffice\\program\\soffice.exe``)."""
    chosen = os.environ.get("ITA_SOFFICE")
    if chosen and Path(chosen).is_file():
        return chosen
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for folder in _install_folders():
        for name in ("soffice.exe", "soffice"):
            if (folder / name).is_file():
                return str(folder / name)
    return None


def make_profile(folder: Path) -> str:
    """Write a LibreOffice user profile with our settings into ``folder``; return its URI.

    A profile may be reused by later conversions (LibreOffice starts faster the second time),
    but by one conversion at a time.
    """
    (folder / "user").mkdir(parents=True, exist_ok=True)
    (folder / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    return folder.as_uri()


def convert_command(program: str, profile_uri: str, sources: list[Path], outdir: Path) -> list[str]:
    """The ``soffice`` command converting every file of ``sources`` to ``outdir/<stem>.pdf``.

    One LibreOffice start converts them all; stems must differ, or later PDFs overwrite earlier ones.
    The Word import filter is named: otherwise LibreOffice opens a broken or truncated .docx as
    plain text and "converts" it without complaint.
    """
    return [
        program,
        f"-env:UserInstallation={profile_uri}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--infilter=MS Word 2007 XML",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]


def run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` in its own process group; on timeout stop the whole group (LibreOffice
    starts helper processes) and raise :class:`subprocess.TimeoutExpired`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def docx_to_pdf(
    source: Path,
    output: Path | None = None,
    *,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    soffice: str | None = None,
    listener: bool = True,
    office: Office | None = None,
    keep_signatures: bool = False,
    moved: list[Path] | None = None,
) -> Path:
    """Convert ``source`` (.docx) to ``output`` (default: same name, ``.pdf``); return it.

    Raises :class:`errors.ToolMissingError` when LibreOffice is not installed, and
    :class:`errors.OutputError` when the conversion fails or times out, or ``output``
    exists and ``force`` is false. ``office``, ``keep_signatures`` and ``moved``: see
    :func:`docx_to_pdfs`.
    """
    return docx_to_pdfs(
        [source], [output], force=force, timeout=timeout, soffice=soffice, listener=listener, office=office,
        keep_signatures=keep_signatures, moved=moved,
    )[0]  # fmt: skip


def shared_office() -> Office | None:
    """This process's one LibreOffice (:func:`compiler.docx.office.shared`), for a server
    converting many documents over time; ``None`` when LibreOffice is not installed."""
    from compiler.docx import office

    program = find_soffice()
    return office.shared(program) if program else None


def docx_to_pdfs(
    sources: Sequence[Path],
    outputs: Sequence[Path | None] | None = None,
    *,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    soffice: str | None = None,
    listener: bool = True,
    office: Office | None = None,
    keep_signatures: bool = False,
    moved: list[Path] | None = None,
) -> list[Path]:
    """Convert every .docx of ``sources`` to PDF with one LibreOffice start; the PDFs' paths.

    ``keep_signatures``: ``sources`` are documents this run wrote, and one whose signature
    LibreOffice lays out alone on a page is changed so that it is not (its table's last row
    moved to the signature's page: :func:`compiler.docx.keeping.move_last_row_to_signature`),
    rewritten in place and converted again; each such source is appended to ``moved``. Only
    a :class:`~compiler.docx.office.Listener` sees the layout; with ``soffice --convert-to``
    nothing is checked.

    ``outputs`` default to each source's name with ``.pdf``. ``timeout`` is per document,
    LibreOffice's start included. All or nothing: when one document fails, no PDF is written
    (the error names it). ``office`` is a running :mod:`~compiler.docx.office` to use (a
    server keeps one); otherwise one is started for this call and stopped after it, a
    listener when LibreOffice's Python ``uno`` is found (``listener=False``: never).
    """
    from compiler.docx import office as office_mod

    sources = [Path(source) for source in sources]
    targets = [
        Path(o) if o is not None else s.with_suffix(".pdf") for s, o in zip(sources, outputs or [None] * len(sources))
    ]
    program = soffice or find_soffice()
    if office is None and (not program or not (Path(program).exists() or shutil.which(program))):
        raise errors.ToolMissingError(
            f"ไม่พบโปรแกรม LibreOffice (soffice) สำหรับสร้างไฟล์ PDF: {_INSTALL_HINT_TH}",
            f"LibreOffice (soffice) is not installed, so no PDF can be made: {_INSTALL_HINT_EN}",
        )
    for source in sources:
        if not source.is_file():
            raise errors.UsageError(f"ไม่พบไฟล์ {source}", f"no such file: {source}", where=str(source))
    for target in targets:
        safeio.check_target(target, force=force)
    with tempfile.TemporaryDirectory(prefix="ita-report-pdf-") as tmp_name:
        tmp = Path(tmp_name)
        jobs = [(source, tmp / f"{i:04d}.pdf") for i, source in enumerate(sources)]
        own = office is None
        if office is None:
            assert program is not None
            python = office_mod.find_uno_python(program) if listener else None
            office = (
                office_mod.Listener(program, python, start_timeout=timeout)
                if python
                else office_mod.Batch(program, start_timeout=0.0)
            )
        styles = _signature_styles() if keep_signatures else ()
        try:
            failures = office.convert(jobs, timeout=timeout, signature_styles=styles)
            for job, failure in zip(jobs, failures):
                if failure is None and job[0] in office.alone and _keep_signature(office, job, timeout, styles):
                    if moved is not None:
                        moved.append(job[0])
        finally:
            if own:
                office.close()
        for (source, produced), failure in zip(jobs, failures):
            if failure is None and (not produced.is_file() or produced.stat().st_size == 0):
                failure = "LibreOffice wrote an empty PDF"
            if failure is not None:
                raise errors.OutputError(
                    f"LibreOffice แปลง {source.name} เป็น PDF ไม่สำเร็จ: {failure}",
                    f"LibreOffice could not convert {source.name} to PDF: {failure}",
                    where=str(source),
                )
        return [safeio.atomic_copy(produced, target, force=force) for (_, produced), target in zip(jobs, targets)]


def _signature_styles() -> tuple[str, ...]:
    from compiler.docx.keeping import SIGNATURE_STYLES

    return SIGNATURE_STYLES


def _keep_signature(office: Office, job: tuple[Path, Path], timeout: float, styles: Sequence[str]) -> bool:
    """Lay ``job``'s document out again with its table's last row on the signature's page:
    a tall row's last lines only, then the whole row; each first with a copy of the header
    row above it, then (when that leaves no room for the signature) without. True when one
    of them keeps the signature with body text: the .docx and its PDF are then the changed
    ones; otherwise both stay as they were."""
    import docx

    from compiler.docx.keeping import move_last_row_to_signature

    source, produced = job
    original = source.read_bytes()
    trial = produced.with_name(produced.stem + "-trial.pdf")
    for split, header in ((True, True), (True, False), (False, True), (False, False)):
        document = docx.Document(io.BytesIO(original))
        if not move_last_row_to_signature(document, header=header, split=split):
            if split:
                continue  # not a tall row: move it whole
            return False
        safeio.atomic_write(source, document.save, force=True)
        (failure,) = office.convert([(source, trial)], timeout=timeout, signature_styles=styles)
        if failure is None and source not in office.alone:
            os.replace(trial, produced)
            return True
    safeio.atomic_write(source, original, force=True)
    trial.unlink(missing_ok=True)
    return False
