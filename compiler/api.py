"""The library's front door: one function per command, no click, no printing.

The CLI, the tests and any later front end call these; each returns a result value and
raises only ``CompilerError`` subclasses for what stops the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from compiler import thai
from compiler.errors import InputError, UsageError
from compiler.model import DepartmentWorkbook, Finding, Report, Severity
from compiler.report.merge import LAYOUTS, merge
from compiler.safeio import make_folder
from compiler.uploads import Input, is_path, picture, staged
from compiler.workbook.check import CheckResult, Progress, check_paths
from compiler.workbook.read import WORKBOOK_SUFFIXES


def _existing(paths: Iterable[Path | str]) -> list[Path]:
    out = [Path(p) for p in paths]
    if not out:
        raise UsageError("ไม่ได้ระบุไฟล์หรือโฟลเดอร์", "no file or folder given")
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise UsageError(f"ไม่พบไฟล์หรือโฟลเดอร์: {', '.join(missing)}", f"no such file or folder: {', '.join(missing)}")
    return out


def _form(make: object, details: object, department: str, path: Path) -> bytes:
    """The form's bytes; openpyxl spools to temporary files, so a full disk fails here."""
    from compiler.errors import OutputError

    try:
        return make(details, department)  # type: ignore[operator,no-any-return]
    except OSError as exc:
        from compiler.safeio import _os_error

        raise _os_error(path, exc) from exc
    except Exception as exc:  # lxml's SerialisationError when a spool file cannot grow
        raise OutputError(
            f"บันทึกไฟล์ {path} ไม่ได้ (พื้นที่ดิสก์ชั่วคราวเต็ม?): {exc}",
            f"cannot write {path} (temporary disk space full?): {exc}",
            where=str(path),
        ) from exc


def check(inputs: Iterable[Input], *, progress: Progress | None = None) -> CheckResult:
    """Check every workbook under ``inputs`` (paths, or uploads as ``(name, bytes)`` or file
    objects); see ``check.check_paths``. ``progress(done, total, file)`` follows each file.

    Uploads are read from a private temporary folder that is gone when this returns: the
    result's ``DepartmentWorkbook.path`` then names a file that no longer exists (use
    :func:`annotated` for the highlighted copies of uploads).
    """
    items = list(inputs)
    paths = [p for p in items if is_path(p)]
    _existing(paths) if paths or not items else None
    with staged(items) as staged_paths:
        return check_paths(staged_paths, progress=progress)


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


def prepare_report(
    paths: Iterable[Path | str], layout: str | None = None, progress: Progress | None = None
) -> tuple[Report | None, CheckResult, list[Finding]]:
    """Check and merge: the report model, or ``None`` with the findings that prevent it."""
    if layout is not None and layout not in LAYOUTS:
        raise UsageError(
            f"รูปแบบตาราง '{layout}' ไม่รู้จัก ใช้ได้: {', '.join(LAYOUTS)}",
            f"unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}",
        )
    checked = check_paths(_existing(paths), progress=progress)
    findings = list(checked.findings)
    if not checked.workbooks:
        raise InputError("ไม่พบไฟล์ Excel ที่จะรวม", "no workbook to build from")
    if checked.errors:
        return None, checked, findings
    report, merge_findings = merge(checked.workbooks, layout)
    findings.extend(merge_findings)
    return report, checked, findings


def build(
    inputs: Iterable[Input],
    output: Path | str,
    *,
    layout: str | None = None,
    digits: str = "thai",
    force: bool = False,
    pdf: bool = False,
    template: Path | str | bytes | None = None,
    with_announcements: bool = False,
    emblem: Path | str | bytes | None = None,
    logo: Path | str | bytes | None = None,
    date: dt.date | None = None,
    progress: Progress | None = None,
    workbook_pictures: bool = True,
) -> BuildResult:
    """``ita-report build``: check, merge and write the Word report (and optionally a PDF).

    ``inputs`` are paths or uploads (``(name, bytes)``, file objects); ``template``,
    ``emblem`` and ``logo`` a path or the picture's bytes (``logo`` replaces the workbook's
    ``ไฟล์ตราหน่วยงาน``). Writes nothing when ``check`` finds errors or the workbooks
    disagree on the organisation; the result then carries those findings. ``progress`` is
    called after each workbook is checked (``what`` = the file) and after each document is
    written (``what`` = its name), ``total`` counting files and documents known so far.
    ``workbook_pictures=False``: the pictures a workbook names by path (ไฟล์ตราครุฑ,
    ไฟล์ตราหน่วยงาน) are not opened (uploads to a server), and the notes say so
    (:data:`PICTURES_IGNORED`).
    """
    if digits not in ("thai", "arabic"):
        raise UsageError(f"--digits ต้องเป็น thai หรือ arabic: {digits}", f"--digits must be thai or arabic: {digits}")
    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise UsageError(f"ชื่อไฟล์รายงานต้องลงท้ายด้วย .docx: {output}", f"the report file must end in .docx: {output}")
    with (
        staged(list(inputs)) as paths,
        picture(emblem, "emblem") as emblem_path,
        picture(logo, "logo") as logo_path,
        picture(template, "template.docx") as template_path,
    ):
        return _build(
            paths, output, layout=layout, digits=digits, force=force, pdf=pdf, template=template_path,
            with_announcements=with_announcements, emblem=emblem_path, logo=logo_path, date=date,
            progress=progress, workbook_pictures=workbook_pictures,
        )  # fmt: skip


def _build(
    paths: list[Path],
    output: Path,
    *,
    layout: str | None,
    digits: str,
    force: bool,
    pdf: bool,
    template: Path | None,
    with_announcements: bool,
    emblem: Path | None,
    logo: Path | None,
    date: dt.date | None,
    progress: Progress | None,
    workbook_pictures: bool = True,
) -> BuildResult:
    targets = [output.with_suffix(".pdf")]
    if with_announcements:
        from compiler.documents.render import MEASURES_FILE
        from compiler.safeio import check_target

        measures_file = output.parent / MEASURES_FILE
        if measures_file.parent.is_dir():  # a folder yet to be made holds nothing to replace
            check_target(measures_file, force=force)
        targets.append(measures_file.with_suffix(".pdf"))
    _check_options(emblem=emblem, pdf_targets=targets if pdf else None, force=force)
    report, checked, findings = prepare_report(paths, layout, progress)
    if report is None or any(f.severity is Severity.ERROR for f in findings):
        return BuildResult(report, (), tuple(findings), checked)
    from compiler.docx import buildmemo
    from compiler.docx.templates import REPORT_TEMPLATE
    from compiler.report.merge import columns_not_shown
    from compiler.report.piecestore import report_key

    notes: list[str] = []
    if not workbook_pictures and (report.organisation.emblem or report.organisation.logo):
        report = replace(report, organisation=replace(report.organisation, emblem="", logo=""))
        notes.append(PICTURES_IGNORED)
    if logo is not None:
        report = replace(report, organisation=replace(report.organisation, logo=str(logo)))
    files = len(checked.workbooks)
    make_folder(output.parent)
    name = report_key(template or REPORT_TEMPLATE, report, digits)
    built = buildmemo.lookup(name) if name else None
    if built is not None:  # the same inputs as a build before: its parts written again
        written, shows_also = [buildmemo.write(built, output, force=force)], built.shows_also
    else:
        from compiler.report import assemble

        assembled = assemble.build(report, output, template=template or REPORT_TEMPLATE, digits=digits, force=force)
        if assembled is not None:  # the document of a build before, with this build's rows
            (path, parts), shows_also = assembled
            written = [path]
            kept = [parts]
        else:
            from compiler.report.render import render_report, template_shows_also

            kept = []
            written = [render_report(report, output, template=template, digits=digits, force=force, keep=kept.append)]
            shows_also = template_shows_also(template)
        if name and kept:
            buildmemo.store(name, kept[0], shows_also)
    if not shows_also:
        findings.extend(columns_not_shown(checked.workbooks, report.layout))
    if progress is not None:
        progress(files + 1, files + 1, output.name)
    if with_announcements:
        docs = announce_report(
            report,
            checked,
            output.parent,
            digits=digits,
            force=force,
            emblem=emblem,
            date=date,
            beside=[p.name for p in written],
        )
        written.extend(docs.written)
        findings.extend(docs.findings)
        if progress is not None:
            progress(files + len(written), files + len(written), "ประกาศ/คำสั่ง/บันทึกข้อความ")
    if pdf:
        written.extend(_pdfs(written, force, notes))
    return BuildResult(report, tuple(written), tuple(findings), checked, tuple(notes))


#: The note of a build told not to open the pictures its workbooks name by path.
PICTURES_IGNORED = "ไม่ได้ใช้รูปตราที่ระบุเป็นชื่อไฟล์ในแบบรายงาน / the pictures the workbooks name by path were not used"


def _check_options(*, emblem: Path | None, pdf_targets: list[Path] | None, force: bool) -> None:
    """Check the options that are only used late (the emblem, --pdf) before anything is
    written: a usage error now, not after the report is on disk."""
    if emblem is not None:
        from compiler import pictures

        try:
            pictures.load_picture(emblem)  # missing, a FIFO, a device, a broken picture
        except pictures.PictureProblem as problem:
            raise UsageError(
                f"ใช้ไฟล์ตราครุฑ {emblem} ไม่ได้: {problem.message_th}",
                f"cannot use the emblem file {emblem}: {problem.message_en}",
                where=str(emblem),
            ) from problem
    if pdf_targets is not None:
        from compiler.docx import pdf as pdf_module
        from compiler.errors import ToolMissingError
        from compiler.safeio import check_target

        if pdf_module.find_soffice() is None:
            raise ToolMissingError(
                "ไม่พบโปรแกรม LibreOffice (soffice) สำหรับสร้างไฟล์ PDF: ติดตั้ง LibreOffice หรือไม่ต้องใช้ --pdf",
                "LibreOffice (soffice) is not installed, so no PDF can be made: install it or leave out --pdf",
            )
        for target in pdf_targets:
            if target.parent.is_dir():
                check_target(target, force=force)


def _pdfs(written: Sequence[Path], force: bool, notes: list[str]) -> list[Path]:
    """A PDF of every .docx written, converted in one LibreOffice start. A document whose
    signature LibreOffice left alone on a page gets its table's last row moved to that page
    (and a line in ``notes``)."""
    from compiler.docx.pdf import docx_to_pdfs

    moved: list[Path] = []
    pdfs = docx_to_pdfs(
        [p for p in written if p.suffix.lower() == ".docx"], force=force, keep_signatures=True, moved=moved
    )
    notes.extend(
        f"{p.name}: ย้ายแถวสุดท้ายของตารางไปหน้าเดียวกับลายมือชื่อ (ไม่ให้ลายมือชื่ออยู่หน้าเปล่า)"
        f" / moved the table's last row to the signature's page (the signature stood alone)"
        for p in moved
    )
    return pdfs


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
    beside: Sequence[str] = (),
) -> BuildResult:
    """Write the announcement documents of a merged report into ``out_dir``; ``beside``
    names the files of this run already there (the report), which no document replaces."""
    from compiler.documents.render import write_announcements

    make_folder(out_dir)
    written, findings = write_announcements(
        report, checked.workbooks, out_dir, digits=digits, force=force, emblem=emblem, date=date, beside=beside
    )
    return BuildResult(report, tuple(written), tuple(findings), checked)


#: Names that ``announce -o`` takes for a file the user meant, not a folder to make.
_FILE_SUFFIXES = (".docx", ".doc", ".odt", ".pdf", *WORKBOOK_SUFFIXES)


def announce(
    inputs: Iterable[Input],
    out_dir: Path | str,
    *,
    digits: str = "thai",
    force: bool = False,
    emblem: Path | str | bytes | None = None,
    date: dt.date | None = None,
    progress: Progress | None = None,
    pdf: bool = False,
) -> BuildResult:
    """``ita-report announce``: the ประกาศ of the measures plus every document sheet.

    ``date`` dates the ประกาศ of the measures; without it the day and month are left blank
    to be written in at signing (the year is the fiscal year). Inputs and ``emblem`` as in
    :func:`build`; ``pdf`` also writes a PDF of every document (one LibreOffice start)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o ต้องเป็นโฟลเดอร์: {out}", f"-o must be a folder: {out}")
    if not out.exists() and out.suffix.lower() in _FILE_SUFFIXES:  # a file's name: not made a folder
        raise UsageError(
            f"-o คือโฟลเดอร์ที่จะเก็บประกาศและคำสั่งทุกฉบับ แต่ {out} เป็นชื่อไฟล์ กรุณาระบุชื่อโฟลเดอร์ เช่น -o ประกาศ",
            f"-o is the folder every announcement goes into, but {out} is a file's name; give a folder, e.g. -o announcements",
        )
    with staged(list(inputs)) as paths, picture(emblem, "emblem") as emblem_path:
        _check_options(emblem=emblem_path, pdf_targets=[] if pdf else None, force=force)
        report, checked, findings = prepare_report(paths, progress=progress)
        if report is None or any(f.severity is Severity.ERROR for f in findings):
            return BuildResult(report, (), tuple(findings), checked)
        docs = announce_report(report, checked, out, digits=digits, force=force, emblem=emblem_path, date=date)
    written = list(docs.written)
    notes: list[str] = []
    if pdf:
        written.extend(_pdfs(written, force, notes))
    return BuildResult(report, tuple(written), tuple(findings) + docs.findings, checked, tuple(notes))


def init_forms(
    output: Path | str,
    *,
    departments: Sequence[str] = (),
    details: object | None = None,
    force: bool = False,
    plan: Path | str | None = None,
) -> list[Path]:
    """``ita-report init``: one blank form, or one per department with the details locked in.

    With a measures ``plan`` (a workbook with a ``แผนมาตรการ`` sheet), each department's form
    holds the plan rows it is responsible for, locked; without ``departments``, one form per
    department the plan names; without ``details``, the plan workbook's ข้อมูลหน่วยงาน."""
    from compiler.safeio import atomic_write
    from compiler.workbook.form import OrganisationDetails, form_bytes, plan_forms

    assert details is None or isinstance(details, OrganisationDetails)
    measures_plan = None
    if plan is not None:
        source = read_plan(Path(plan))
        measures_plan = source.plan
        if details is None and source.info:
            details = OrganisationDetails.from_workbook(source)
        if not departments:
            from compiler.workbook.plan import departments_of

            departments = departments_of(measures_plan)
            if not departments and Path(output).suffix.lower() != ".xlsx":
                raise UsageError(
                    "แผนมาตรการไม่ได้ระบุส่วนราชการใดโดยเฉพาะ (เช่น ทุกส่วนราชการ) กรุณาระบุ --department"
                    " (หรือ --department all) หรือให้ -o เป็นไฟล์ .xlsx ไฟล์เดียว",
                    "the plan names no department in particular (ทุกส่วนราชการ); give --department (or 'all'),"
                    " or one .xlsx as -o",
                )
    targets = plan_forms(Path(output), list(departments))
    written = []
    for path, department in targets:
        make_folder(path.parent)

        def make(d: object, dept: str) -> bytes:
            return form_bytes(d, dept, measures_plan)  # type: ignore[arg-type]

        written.append(atomic_write(path, _form(make, details, department, path), force=force))
    return written


def init_plan(
    output: Path | str, *, details: object | None = None, departments: Sequence[str] = (), force: bool = False
) -> Path:
    """``ita-report init --blank-plan``: a blank measures plan workbook (the format ``--plan``
    reads), the organisation's ``details`` filled in when given, ``departments`` offered in
    the ผู้รับผิดชอบ dropdown (default: the usual ones) beside ทุกส่วนราชการ."""
    from compiler.safeio import atomic_write
    from compiler.workbook.planbook import plan_bytes

    path = Path(output)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"ชื่อไฟล์แผนมาตรการต้องลงท้ายด้วย .xlsx: {path}", f"the plan file must end in .xlsx: {path}")
    make_folder(path.parent)
    data = _form(lambda d, _: plan_bytes(d, (), departments), details, "", path)
    return atomic_write(path, data, force=force)


def read_plan(path: Path) -> DepartmentWorkbook:
    """The measures plan of ``path`` (a workbook with a ``แผนมาตรการ`` sheet), or an
    ``InputError`` naming its first errors."""
    from compiler.workbook.normalise import normalise_workbook
    from compiler.workbook.read import read_workbook

    if not Path(path).is_file():
        raise UsageError(f"ไม่พบไฟล์แผนมาตรการ: {path}", f"no such plan file: {path}")
    wb = normalise_workbook(read_workbook(Path(path)))
    errors = [f for f in wb.findings if f.severity is Severity.ERROR]
    if errors or not wb.plan:
        first = errors[0] if errors else None  # each language's line names it in that language
        th = f" ({first.where}: {first.message_th})" if first else ""
        en = f" ({first.where}: {first.message_en})" if first else ""
        raise InputError(
            f"อ่านแผนมาตรการจาก {path} ไม่ได้ ต้องมีแผ่นงาน 'แผนมาตรการ' ที่มีมาตรการ{th}",
            f"cannot read a measures plan from {path}: it needs a 'แผนมาตรการ' sheet holding measures{en}",
        )
    return wb


def annotation_plan(result: CheckResult) -> list[tuple[Path, list[Finding], str]]:
    """Which workbooks get a highlighted copy (those with findings at a sheet that could be
    read), with their findings and the copy's file name. Every name is settled before
    anything is written: two sources that would give one name (org1/สำนักปลัด.xlsx and
    org2/สำนักปลัด.xlsx; x.xlsx and x.ods) get two."""
    from compiler.safeio import free_name, safe_file_name
    from compiler.workbook.annotate import annotated_suffix

    taken: set[str] = set()
    plan: list[tuple[Path, list[Finding], str]] = []
    for wb in result.workbooks:
        mine = [f for f in result.findings if f.file == wb.file]
        if not mine or not any(f.sheet for f in mine):
            continue
        source = Path(wb.path)
        if not source.exists() or any(f.code in _UNREADABLE for f in mine):
            continue
        name = free_name(safe_file_name(source.stem, annotated_suffix(source), fallback="workbook", limit=80), taken)
        plan.append((source, mine, name))
    return plan


def annotate(result: CheckResult, out_dir: Path | str, *, force: bool = False) -> list[Path]:
    """Write a highlighted copy of each checked workbook that has findings into ``out_dir``."""
    from compiler.safeio import atomic_write
    from compiler.workbook.annotate import annotated_bytes

    out = Path(out_dir)
    plan = annotation_plan(result)
    for source, _, name in plan:
        if (out / name).resolve() == source.resolve():
            raise UsageError(
                f"โฟลเดอร์ --annotate ต้องไม่ใช่โฟลเดอร์ของไฟล์ต้นฉบับ: {out}",
                f"--annotate must not be the folder of the input files: {out}",
            )
    written = []
    for source, mine, name in plan:
        data, _ = annotated_bytes(source, mine)
        make_folder(out)
        written.append(atomic_write(out / name, data, force=force))
    return written


_UNREADABLE = frozenset(
    {
        "unreadable-file",
        "empty-file",
        "not-a-workbook",
        "corrupt-file",
        "zip-bomb",
        "password-protected",
        "file-too-large",
    }
)
