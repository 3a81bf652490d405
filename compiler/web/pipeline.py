"""The web app's one door into the library: bytes in, plain values and bytes out.

Every function here that touches a workbook runs in a separate process with a time and a
memory limit (``run_contained``, over ``compiler.workers``: the one contained runner the CLI
uses too): a hostile upload can neither hang the server nor use up its memory, and a crash
in a worker is a message, not a dead server.

Uploads go to the library as ``(name, bytes)`` (``compiler.inmemory``, ``compiler.uploads``:
staged in a private folder under safe names, never a name from a request as a path).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compiler import api, workers
from compiler.errors import CompilerError as CompilerError  # the views catch pipeline.CompilerError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


# -- running a job in a contained process -------------------------------------------------

#: What the jobs import, loaded once into the forkserver: a job then starts in ~20 ms instead
#: of ~220 ms of imports (a sample workbook's check: 0.24 s → 0.03 s, measured here).
PRELOAD = (
    "compiler.web.pipeline",
    "compiler.inmemory",
    "compiler.uploads",
    "compiler.safeio",
    "compiler.workbook.read",
    "compiler.workbook.check",
    "compiler.workbook.annotate",
    "compiler.workbook.planbook",
    "compiler.documents.parse",
    "compiler.report.render",
    "compiler.documents.render",
    "openpyxl",
    "python_calamine",
    "defusedxml.ElementTree",
    "lxml.etree",
)

_slots = threading.BoundedSemaphore(workers.cores())

Progress = Callable[[int, int, str], None]


def run_contained(
    func: Callable[..., Any],
    *args: Any,
    timeout_s: float,
    memory_mb: int | None = None,
    on_progress: Progress | None = None,
) -> Any:
    """``func(*args)`` in a worker process (``compiler.workers.run_contained``: a deadline, a
    memory limit, a crash is a message), the modules of the jobs preloaded. Blocking: call
    it from a thread.

    At most one job per core runs at once; the others wait their turn (the wait does not
    count against the time limit). Raises ``workers.WorkerFailed`` (a ``CompilerError``)
    with a Thai and an English message when the job fails, overruns or dies. With
    ``on_progress``, ``func`` is given a ``progress(done, total, what)`` keyword whose calls
    reach ``on_progress`` in the calling thread as they happen.
    """
    with _slots:
        return workers.run_contained(
            func,
            *args,
            timeout_s=timeout_s,
            memory_mb=memory_mb,
            ctx=workers.context(PRELOAD),
            on_progress=on_progress,
        )


# -- the jobs (each runs inside a contained process) --------------------------------------


def suffix_of(filename: str) -> str:
    """The workbook suffix of an uploaded file's name (``.xlsx`` …), or ``""`` if it has none we read."""
    suffix = os.path.splitext(filename)[1].lower()
    return suffix if suffix in WORKBOOK_SUFFIXES else ""


def _rows(findings: Any) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts in reading order; a ``file`` given as a full path (one the
    job wrote in its own temporary folder, a path the user never saw) is left out."""
    from compiler.inmemory import findings_json

    rows = findings_json(findings)
    for row in rows:
        if os.path.isabs(str(row["file"])):
            row["file"] = ""
    return rows


def check_workbook(label: str, suffix: str, data: bytes, plan: bytes | None = None) -> dict[str, Any]:
    """Check one uploaded workbook: its findings (``file`` is ``label + suffix`` made safe),
    what it says about itself, and the annotated copy's bytes (``None`` when there is
    nothing to mark). With the measures ``plan`` (a plan workbook's bytes), its measures are
    matched with it (``not-in-plan``, ``plan-cell-changed``); what the plan's own file says
    (``plan-not-reported``: other departments' rows too) is the overview's, not kept here."""
    from compiler.inmemory import check_uploads
    from compiler.uploads import safe_name

    name = safe_name(f"{label}{suffix}", 0)
    result, copies = check_uploads([(name, data)], plan=plan)
    wb = next((w for w in result.workbooks if w.file == name), None)
    mine = [f for f in result.findings if wb is None or f.file == wb.file or not f.file]
    annotated_name, annotated = next(iter(copies.items()), ("", None))
    errors = sum(1 for f in mine if f.severity.value == "error")
    return {
        "file": name,
        "findings": _rows(mine),
        "errors": errors,
        "warnings": len(mine) - errors,
        "department": (wb.department if wb else "") or "",
        "organisation": str((wb.info or {}).get("organisation") or "") if wb else "",
        "measures": len(wb.measures) if wb else 0,
        "annotated": annotated,
        "annotated_name": annotated_name,
        "plan": plan is not None,
    }


def read_plan_upload(suffix: str, data: bytes) -> dict[str, Any]:
    """A measures plan uploaded as a workbook (the format ``init --plan`` reads): its rows as
    text (``workbook.planbook.plan_rows``), the organisation's details it holds, and its
    findings; ``rows`` is ``None`` when it holds no plan or has errors."""
    from compiler.inmemory import check_uploads
    from compiler.workbook.form import OrganisationDetails
    from compiler.workbook.planbook import plan_rows

    result, _ = check_uploads([(f"แผนมาตรการ{suffix}", data)])
    wb = result.workbooks[0] if result.workbooks else None
    ok = wb is not None and bool(wb.plan) and not result.errors
    return {
        "rows": plan_rows(wb.plan) if ok and wb is not None else None,
        "details": OrganisationDetails.from_workbook(wb).__dict__ if ok and wb is not None and wb.info else {},
        "findings": _rows(result.findings),
    }


def check_plan(plan: bytes) -> list[dict[str, Any]]:
    """The findings of a plan workbook the page wrote from typed rows (its cells are the
    rows as typed: row 3 is the first), read as every upload is."""
    from compiler.inmemory import PLAN_NAME, check_uploads

    result, _ = check_uploads([(PLAN_NAME, plan)])
    return _rows(result.findings)


def plan_gaps(plan: bytes, workbooks: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
    """The plan measures none of ``workbooks`` (``(label, suffix, bytes)``, the departments'
    latest) reported: ``plan-not-reported`` findings at the plan's cells."""
    from compiler.inmemory import check_uploads

    result, _ = check_uploads([(f"{label}{suffix}", data) for label, suffix, data in workbooks], plan=plan)
    return _rows([f for f in result.findings if f.code == "plan-not-reported"])


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
    """The report (and with ``pdf`` a PDF of each document and a picture of the report's
    first page; every announcement) built from ``(label, suffix, bytes)`` workbooks by
    ``compiler.inmemory.build_documents``. ``files`` is a list of ``(name, bytes)``, empty
    when the findings hold errors (``refused`` is then true).

    The pictures a workbook names by path (``ไฟล์ตราครุฑ``, the logo) are not used: a path
    typed in an upload is never opened on the server. ``emblem`` is the Garuda emblem's
    picture (PNG or JPEG bytes) the secretary uploaded; ``date`` the ISO date of the ประกาศ
    of the measures (``""``: left to be written in at signing).
    """
    import datetime as dt

    from compiler.inmemory import REPORT_NAME
    from compiler.inmemory import build_documents as build

    # the page's bar counts the steps known from the start: each workbook, the report, the
    # announcements, the PDFs (the library's total grows as it goes, which would fill the bar early)
    total = len(workbooks) + 1 + int(announcements) + int(pdf)
    steps = itertools.count(1)

    def relay(_done: int, _total: int, what: str) -> None:
        if progress is not None:
            progress(min(next(steps), total - 1), total, what)

    made = build(
        [(f"{label}{suffix}", data) for label, suffix, data in workbooks],
        digits=digits,
        announcements=announcements,
        pdf=pdf,
        emblem=emblem if emblem and picture_suffix(emblem) else None,
        date=dt.date.fromisoformat(date) if date else None,
        progress=relay,
        workbook_pictures=False,
    )
    if progress is not None:
        progress(total, total, "")
    report = made.report
    refused = report is None or bool(made.errors)
    findings = _rows(made.findings)
    for row in findings:  # the library's advice names a workbook cell or --emblem: not how it is done here
        if row["code"] == "no-emblem":
            row["message_th"] = "ไม่มีตราครุฑ เอกสารจึงเว้นที่ว่างไว้ ใส่รูปตราครุฑได้ที่หน้าภาพรวม แล้วสร้างใหม่"
            row["message_en"] = "no Garuda emblem: its space is left empty; add it on the overview page and build again"
    return {
        "refused": refused,
        "findings": findings,
        "errors": len(made.errors),
        "files": [] if refused else list(made.files.items()),
        "preview": None if refused else _first_page_png(made.files.get(Path(REPORT_NAME).with_suffix(".pdf").name)),
        "pictures_ignored": api.PICTURES_IGNORED in made.notes,
        "notes": [n for n in made.notes if n != api.PICTURES_IGNORED],  # a row moved to the signature's page
        "organisation": report.organisation.name if report else "",
        "measures": len(report.measures) if report else 0,
        "departments": list(report.departments) if report else [],
    }


def _first_page_png(pdf: bytes | None) -> bytes | None:
    """Page 1 as a PNG through poppler's ``pdftoppm`` when it is installed; else ``None``."""
    program = shutil.which("pdftoppm")
    if pdf is None or program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="ita-preview-") as tmp:
        source, target = Path(tmp) / "report.pdf", Path(tmp) / "preview"
        source.write_bytes(pdf)
        try:
            subprocess.run(
                [program, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(target)],
                check=True,
                capture_output=True,
                timeout=60,
            )
            return target.with_suffix(".png").read_bytes()
        except (OSError, subprocess.SubprocessError):
            return None


def organisation_details(details: dict[str, str]) -> Any:
    """The secretary's typed details as ``workbook.form.OrganisationDetails``."""
    from compiler.workbook.form import OrganisationDetails

    known = OrganisationDetails.__dataclass_fields__.keys()
    return OrganisationDetails(**{k: v for k, v in details.items() if k in known})


def department_form(details: dict[str, str], department: str, plan: bytes | None = None) -> tuple[bytes, str]:
    """The standard workbook for ``department`` and its file name, the organisation's details
    filled in and locked; with the measures ``plan`` (a plan workbook's bytes), holding only
    the department's plan rows, as ``ita-report init --plan`` makes it."""
    from compiler.inmemory import form
    from compiler.workbook.form import department_file_name

    return form(organisation_details(details), department, plan=plan), department_file_name(department)


def plan_workbook(details: dict[str, str], rows: list[dict[str, str]], departments: list[str]) -> bytes:
    """The plan workbook of ``rows`` (``[]``: a blank plan), the details filled in,
    ``departments`` offered in the ผู้รับผิดชอบ dropdown."""
    from compiler.inmemory import plan_workbook as write

    return write(organisation_details(details), rows, departments)


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
