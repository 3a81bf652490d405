"""The web app's one door into the library: bytes in, plain values and bytes out.

Every function here that touches a workbook runs in a separate process with a time and a
memory limit (``run_contained``): a hostile upload can neither hang the server nor use up
its memory, and a crash in a worker is a message, not a dead server.

Uploads go to the library as ``(name, bytes)`` (``compiler.inmemory``, ``compiler.uploads``:
staged in a private folder under safe names, never a name from a request as a path).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compiler import api, workers
from compiler.errors import CompilerError
from compiler.model import Severity

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class ContainedError(CompilerError):
    """A contained job did not finish: too slow, too much memory, or the worker died."""


# -- running a job in a contained process -------------------------------------------------


#: What the jobs import, loaded once into the forkserver: a job then starts in ~20 ms instead
#: of ~220 ms of imports (a sample workbook's check: 0.24 s → 0.03 s, measured here).
PRELOAD = [
    "compiler.web.pipeline",
    "compiler.inmemory",
    "compiler.uploads",
    "compiler.safeio",
    "compiler.workbook.read",
    "compiler.workbook.check",
    "compiler.workbook.annotate",
    "compiler.documents.parse",
    "compiler.report.render",
    "compiler.documents.render",
    "openpyxl",
    "python_calamine",
    "defusedxml.ElementTree",
    "lxml.etree",
]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where the platform has it (a clean, preloaded parent: starting a job costs
    milliseconds) and its socket's path fits (see :func:`compiler.workers.forkserver_fits`);
    spawn on Windows and macOS."""
    if "forkserver" in multiprocessing.get_all_start_methods() and workers.forkserver_fits():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _limit_memory(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # Windows: the time limit still holds
        return
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(
    conn: multiprocessing.connection.Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_mb: int | None,
    reports: bool,
) -> None:
    try:
        _limit_memory(memory_mb)
        if reports:

            def progress(done: int, total: int, what: str) -> None:
                conn.send(("progress", done, total, what))

            conn.send(("ok", func(*args, progress=progress)))
        else:
            conn.send(("ok", func(*args)))
    except CompilerError as exc:
        conn.send(("error", exc.message_th, exc.message_en))
    except MemoryError:
        conn.send(("error", "ไฟล์ใช้หน่วยความจำเกินขีดจำกัด", "the file needs more memory than allowed"))
    except BaseException as exc:  # a bug or a library crash: a message for the page, not a dead worker
        conn.send(
            ("error", f"ข้อผิดพลาดภายในโปรแกรม ({type(exc).__name__})", f"internal error: {type(exc).__name__}: {exc}")
        )
    finally:
        conn.close()


_slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))

Progress = Callable[[int, int, str], None]


def run_contained(
    func: Callable[..., Any],
    *args: Any,
    timeout_s: float,
    memory_mb: int | None = None,
    on_progress: Progress | None = None,
) -> Any:
    """``func(*args)`` in a new process, at most ``timeout_s`` seconds and ``memory_mb`` MB of
    address space (where the platform can limit it). Blocking: call it from a thread.

    At most one job per core runs at once; the others wait their turn (the wait does not
    count against the time limit). Raises ``ContainedError`` with a Thai and an English
    message when the job fails, overruns or dies; ``func`` and its arguments must pickle.
    With ``on_progress``, ``func`` is given a ``progress(done, total, what)`` keyword whose
    calls reach ``on_progress`` here, in the calling thread, as they happen.
    """
    with _slots:
        ctx = _context()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, func, args, memory_mb, on_progress is not None), daemon=True)
        proc.start()
        send.close()
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                if not receive.poll(max(0.0, deadline - time.monotonic())):
                    raise ContainedError(
                        f"ใช้เวลาเกิน {timeout_s:g} วินาที จึงหยุดทำงาน (ไฟล์ใหญ่หรือซับซ้อนเกินไป?)",
                        f"stopped after {timeout_s:g} seconds (is the file too large or too complex?)",
                    )
                try:
                    message = receive.recv()
                except (EOFError, OSError) as exc:
                    raise ContainedError(
                        "การตรวจไฟล์หยุดกลางคัน (ไฟล์อาจใช้หน่วยความจำมากเกินไป)",
                        "the worker stopped half-way (the file may need too much memory)",
                    ) from exc
                if message[0] != "progress":
                    break
                if on_progress is not None:
                    on_progress(*message[1:])
        finally:
            receive.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
    if message[0] == "ok":
        return message[1]
    raise ContainedError(message[1], message[2])


# -- the jobs (each runs inside a contained process) --------------------------------------


def suffix_of(filename: str) -> str:
    """The workbook suffix of an uploaded file's name (``.xlsx`` …), or ``""`` if it has none we read."""
    suffix = os.path.splitext(filename)[1].lower()
    return suffix if suffix in WORKBOOK_SUFFIXES else ""


def _rows(findings: Any, folder: Path | None = None) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts in reading order; a ``file`` inside the job's own
    ``folder`` (an output folder the user never saw) is left out."""
    from compiler.inmemory import findings_json

    rows = findings_json(findings)
    if folder is not None:
        for row in rows:
            if str(row["file"]).startswith(str(folder)):
                row["file"] = ""
    return rows


def check_workbook(label: str, suffix: str, data: bytes) -> dict[str, Any]:
    """Check one uploaded workbook: its findings (``file`` is ``label + suffix`` made safe),
    what it says about itself, and the annotated copy's bytes (``None`` when there is
    nothing to mark)."""
    from compiler.inmemory import check_uploads
    from compiler.uploads import safe_name

    result, copies = check_uploads([(f"{label}{suffix}", data)])
    wb = result.workbooks[0] if result.workbooks else None
    annotated_name, annotated = next(iter(copies.items()), ("", None))
    return {
        "file": safe_name(f"{label}{suffix}", 0),
        "findings": _rows(result.findings),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "department": (wb.department if wb else "") or "",
        "organisation": str((wb.info or {}).get("organisation") or "") if wb else "",
        "measures": len(wb.measures) if wb else 0,
        "annotated": annotated,
        "annotated_name": annotated_name,
    }


def status_of(checked: dict[str, Any]) -> str:
    """``errors``, ``warnings`` or ``ok`` for a result of ``check_workbook``."""
    return "errors" if checked["errors"] else "warnings" if checked["warnings"] else "ok"


def picture_suffix(data: bytes) -> str:
    """``.png`` or ``.jpg`` from a picture's first bytes; ``""`` when it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    return ""


def check_date(text: str) -> str:
    """The date of the ประกาศ of the measures as typed (``21 มีนาคม 2565``), checked: ISO
    ``2022-03-21``, ``""`` for none; ``UsageError`` with both messages when it is not a date."""
    date = api.parse_announcement_date(text.strip() or None)
    return date.isoformat() if date else ""


def build_documents(
    workbooks: list[tuple[str, str, bytes]],
    pdf: bool,
    digits: str = "thai",
    announcements: bool = True,
    emblem: bytes | None = None,
    date: str = "",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report (and its PDF, a picture of its first page, every announcement) built from
    ``(label, suffix, bytes)`` workbooks. ``files`` is a list of ``(name, bytes)``, empty when
    the findings hold errors (``refused`` is then true).

    The pictures a workbook names by path (``ไฟล์ตราครุฑ``, the logo) are not used: a path
    typed in an upload is never opened on the server. ``emblem`` is the Garuda emblem's
    picture (PNG or JPEG bytes) the secretary uploaded; ``date`` the ISO date of the ประกาศ
    of the measures (``""``: left to be written in at signing).
    """
    import datetime as dt
    from dataclasses import replace

    from compiler.report.render import render_report
    from compiler.uploads import picture, staged

    with (
        staged([(f"{label}{suffix}", data) for label, suffix, data in workbooks]) as paths,
        picture(
            emblem if emblem and picture_suffix(emblem) else None, f"emblem{picture_suffix(emblem or b'')}"
        ) as mark,
        tempfile.TemporaryDirectory(prefix="ita-web-") as tmp,
    ):
        out = Path(tmp)
        steps = len(paths) + 1 + int(pdf) + int(announcements)

        def step(done: int, what: str) -> None:
            if progress is not None:
                progress(done, steps, what)

        report, checked, findings = api.prepare_report(paths, progress=lambda done, _, what: step(done, what))
        refused = report is None or any(f.severity is Severity.ERROR for f in findings)
        written: list[Path] = []
        ignored = False
        if report is not None and not refused:
            # the library would open the pictures a workbook names by path: not for uploads
            org = report.organisation
            ignored = bool(org.emblem or org.logo)
            report = replace(report, organisation=replace(org, emblem="", logo=""))
            step(len(paths), "รายงาน.docx")
            written.append(render_report(report, out / "รายงาน.docx", digits=digits))
            if pdf:
                from compiler.docx.pdf import docx_to_pdf, shared_office

                step(len(paths) + 1, "รายงาน.pdf")
                written.append(docx_to_pdf(written[0], office=shared_office()))  # one LibreOffice for the server
            if announcements:
                step(steps - 1, "ประกาศ คำสั่ง บันทึกข้อความ")
                when = dt.date.fromisoformat(date) if date else None
                docs = api.announce_report(report, checked, out, digits=digits, emblem=mark, date=when)
                written.extend(docs.written)
                findings.extend(docs.findings)
        preview = _first_page_png(next((p for p in written if p.suffix == ".pdf"), None))
        step(steps, "")
        return {
            "refused": refused,
            "findings": _rows(findings, out),
            "errors": sum(1 for f in findings if f.severity is Severity.ERROR),
            "files": [(p.name, p.read_bytes()) for p in written],
            "preview": preview,
            "pictures_ignored": ignored,
            "organisation": report.organisation.name if report else "",
            "measures": len(report.measures) if report else 0,
            "departments": list(report.departments) if report else [],
        }


def _first_page_png(pdf: Path | None) -> bytes | None:
    """Page 1 as a PNG through poppler's ``pdftoppm`` when it is installed; else ``None``."""
    program = shutil.which("pdftoppm")
    if pdf is None or program is None:
        return None
    target = pdf.with_name("preview")
    try:
        subprocess.run(
            [program, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return target.with_suffix(".png").read_bytes()
    except (OSError, subprocess.SubprocessError):
        return None


def department_form(details: dict[str, str], department: str) -> tuple[bytes, str]:
    """The standard workbook for ``department`` and its file name, the organisation's details
    filled in and locked."""
    from compiler.workbook.form import OrganisationDetails, department_file_name, form_bytes

    known = OrganisationDetails.__dataclass_fields__.keys()
    data = form_bytes(OrganisationDetails(**{k: v for k, v in details.items() if k in known}), department)
    return data, department_file_name(department)


def details_from_workbook(suffix: str, data: bytes) -> dict[str, Any]:
    """The organisation's details read from a filled workbook (set-up by upload), with the
    findings when it cannot be read."""
    from compiler.inmemory import check_uploads
    from compiler.workbook.form import OrganisationDetails

    result, _ = check_uploads([(f"details{suffix}", data)])
    wb = result.workbooks[0] if result.workbooks else None
    if wb is None or not wb.info:
        return {"details": None, "findings": _rows(result.findings)}
    return {"details": OrganisationDetails.from_workbook(wb).__dict__, "findings": []}


def has_soffice() -> bool:
    """Whether LibreOffice is installed (a build can make the PDF)."""
    from compiler.docx.pdf import find_soffice

    return find_soffice() is not None


def standard_departments() -> tuple[str, ...]:
    from compiler.workbook.standard import DEPARTMENTS

    return DEPARTMENTS


DETAIL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("organisation", "ชื่อหน่วยงาน", "organisation"),
    ("district", "อำเภอ", "district"),
    ("province", "จังหวัด", "province"),
    ("fiscal_year", "ปีงบประมาณ (พ.ศ.)", "fiscal year (BE)"),
    ("executive", "ผู้บริหาร", "executive"),
    ("executive_position", "ตำแหน่งผู้บริหาร", "executive's position"),
    ("score", "คะแนน ITA", "ITA score"),
)
"""The organisation's details the secretary types: (key of ``OrganisationDetails``, Thai, English)."""
