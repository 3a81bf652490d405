"""The library's front door: one function per command, no click, no printing.

The CLI, the tests and any later front end call these; each returns a result value and
raises only ``CompilerError`` subclasses for what stops the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import thai
from .check import CheckResult, check_paths
from .errors import InputError, UsageError
from .merge import LAYOUTS, merge
from .model import Finding, Report, Severity


def _existing(paths: Iterable[Path | str]) -> list[Path]:
    out = [Path(p) for p in paths]
    if not out:
        raise UsageError("ไม่ได้ระบุไฟล์หรือโฟลเดอร์", "no file or folder given")
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise UsageError(
            f"ไม่พบไฟล์หรือโฟลเดอร์: {', '.join(missing)}",
            f"no such file or folder: {', '.join(missing)}",
        )
    return out


def _make_folder(folder: Path) -> None:
    """Create an output folder (and its parents); a failure is an ``OutputError``, not a crash."""
    from .safeio import _os_error

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(folder, exc) from exc


def _form(make: object, details: object, department: str, path: Path) -> bytes:
    """The form's bytes; openpyxl spools to temporary files, so a full disk fails here."""
    from .errors import OutputError

    try:
        return make(details, department)  # type: ignore[operator,no-any-return]
    except OSError as exc:
        from .safeio import _os_error

        raise _os_error(path, exc) from exc
    except Exception as exc:  # lxml's SerialisationError when a spool file cannot grow
        raise OutputError(
            f"บันทึกไฟล์ {path} ไม่ได้ (พื้นที่ดิสก์ชั่วคราวเต็ม?): {exc}",
            f"cannot write {path} (temporary disk space full?): {exc}",
            where=str(path),
        ) from exc


def check(paths: Iterable[Path | str]) -> CheckResult:
    """Check every workbook under ``paths``; see ``check.check_paths``."""
    return check_paths(_existing(paths))


@dataclass(frozen=True)
class BuildResult:
    """What ``build`` did: the report model (if the data allowed one), files written, findings."""

    report: Report | None
    written: tuple[Path, ...]
    findings: tuple[Finding, ...]
    checked: CheckResult | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


def prepare_report(paths: Iterable[Path | str], layout: str | None = None) -> tuple[Report | None, CheckResult, list[Finding]]:
    """Check and merge: the report model, or ``None`` with the findings that prevent it."""
    if layout is not None and layout not in LAYOUTS:
        raise UsageError(
            f"รูปแบบตาราง '{layout}' ไม่รู้จัก ใช้ได้: {', '.join(LAYOUTS)}",
            f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}",
        )
    checked = check(paths)
    findings = list(checked.findings)
    if not checked.workbooks:
        raise InputError("ไม่พบไฟล์ Excel ที่จะรวม", "no workbook to build from")
    if checked.errors:
        return None, checked, findings
    report, merge_findings = merge(checked.workbooks, layout)
    findings.extend(merge_findings)
    return report, checked, findings


def build(
    paths: Iterable[Path | str],
    output: Path | str,
    *,
    layout: str | None = None,
    digits: str = "thai",
    force: bool = False,
    pdf: bool = False,
    template: Path | str | None = None,
    with_announcements: bool = False,
    emblem: Path | str | None = None,
    date: dt.date | None = None,
) -> BuildResult:
    """``ita-report build``: check, merge and write the Word report (and optionally a PDF).

    Writes nothing when ``check`` finds errors or the workbooks disagree on the
    organisation; the result then carries those findings.
    """
    if digits not in ("thai", "arabic"):
        raise UsageError(f"--digits ต้องเป็น thai หรือ arabic: {digits}", f"--digits must be thai or arabic: {digits}")
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise UsageError(
            f"ชื่อไฟล์รายงานต้องลงท้ายด้วย .docx: {output}", f"the report file must end in .docx: {output}"
        )
    report, checked, findings = prepare_report(paths, layout)
    if report is None or any(f.severity is Severity.ERROR for f in findings):
        return BuildResult(report, (), tuple(findings), checked)
    from .render import render_report

    _make_folder(output.parent)
    written = [render_report(report, output, template=Path(template) if template else None, digits=digits, force=force)]
    notes: list[str] = []
    if with_announcements:
        docs = announce_report(
            report, checked, output.parent, digits=digits, force=force,
            emblem=Path(emblem) if emblem else None, date=date,
        )
        written.extend(docs.written)
        findings.extend(docs.findings)
    if pdf:  # every document written, in one LibreOffice start
        from .pdf import docx_to_pdfs

        written.extend(docx_to_pdfs([p for p in written if p.suffix.lower() == ".docx"], force=force))
    return BuildResult(report, tuple(written), tuple(findings), checked, tuple(notes))


def parse_announcement_date(text: str | None) -> dt.date | None:
    """The ``--date`` of the measures ประกาศ: ``"21 มีนาคม 2565"``, ``"๒๑/๓/๒๕๖๕"``, ``"2022-03-21"``."""
    if not text:
        return None
    date = thai.parse_date(text)
    if date is None:
        raise UsageError(
            f"--date '{text}' ไม่ใช่วันที่ กรุณาพิมพ์ เช่น '21 มีนาคม 2565'",
            f"--date '{text}' is not a date; write e.g. '21 มีนาคม 2565' or 2022-03-21",
        )
    return date


def announce_report(
    report: Report,
    checked: CheckResult,
    out_dir: Path,
    *,
    digits: str = "thai",
    force: bool = False,
    emblem: Path | None = None,
    date: dt.date | None = None,
) -> BuildResult:
    """Write the announcement documents of a merged report into ``out_dir``."""
    from .announce import write_announcements

    _make_folder(out_dir)
    written, findings = write_announcements(
        report, checked.workbooks, out_dir, digits=digits, force=force, emblem=emblem, date=date
    )
    return BuildResult(report, tuple(written), tuple(findings), checked)


def announce(
    paths: Iterable[Path | str],
    out_dir: Path | str,
    *,
    digits: str = "thai",
    force: bool = False,
    emblem: Path | str | None = None,
    date: dt.date | None = None,
) -> BuildResult:
    """``ita-report announce``: the ประกาศ of the measures plus every document sheet.

    ``date`` dates the ประกาศ of the measures; without it the day and month are left blank
    to be written in at signing (the year is the fiscal year)."""
    report, checked, findings = prepare_report(paths)
    if report is None or any(f.severity is Severity.ERROR for f in findings):
        return BuildResult(report, (), tuple(findings), checked)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o ต้องเป็นโฟลเดอร์: {out}", f"-o must be a folder: {out}")
    docs = announce_report(
        report, checked, out, digits=digits, force=force, emblem=Path(emblem) if emblem else None, date=date
    )
    return BuildResult(report, docs.written, tuple(findings) + docs.findings, checked)


def init_forms(
    output: Path | str,
    *,
    departments: Sequence[str] = (),
    details: object | None = None,
    force: bool = False,
) -> list[Path]:
    """``ita-report init``: one blank form, or one per department with the details locked in."""
    from .form import OrganisationDetails, form_bytes, plan_forms
    from .safeio import atomic_write

    assert details is None or isinstance(details, OrganisationDetails)
    plan = plan_forms(Path(output), list(departments))
    written = []
    for path, department in plan:
        _make_folder(path.parent)
        written.append(atomic_write(path, _form(form_bytes, details, department, path), force=force))
    return written


def annotate(result: CheckResult, out_dir: Path | str, *, force: bool = False) -> list[Path]:
    """Write a highlighted copy of each checked workbook that has findings into ``out_dir``."""
    from .annotate import annotated_bytes
    from .safeio import atomic_write

    out = Path(out_dir)
    written = []
    for wb in result.workbooks:
        mine = [f for f in result.findings if f.file == wb.file]
        if not mine or not any(f.sheet for f in mine):
            continue
        source = Path(wb.path)
        if not source.exists() or any(f.code in _UNREADABLE for f in mine):
            continue
        data, name = annotated_bytes(source, mine)
        target = out / name
        if target.resolve() == source.resolve():
            raise UsageError(
                f"โฟลเดอร์ --annotate ต้องไม่ใช่โฟลเดอร์ของไฟล์ต้นฉบับ: {out}",
                f"--annotate must not be the folder of the input files: {out}",
            )
        _make_folder(out)
        written.append(atomic_write(target, data, force=force))
    return written


_UNREADABLE = frozenset(
    {"unreadable-file", "empty-file", "not-a-workbook", "corrupt-file", "zip-bomb", "password-protected", "file-too-large"}
)
