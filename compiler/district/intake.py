"""The district intake: every organisation's submission checked and merged, summarised.

An inbox holds one folder or one .zip per organisation (a loose workbook counts as a
submission of one file). Each is checked and merged as ``build`` does, into a small frozen
``OrganisationSummary``; one broken organisation never stops the others. Submissions are
surveyed in parallel across the machine's cores; the workers send back only the summary
and their details (findings, measures) already pickled, which the parent spools to a
temporary file, so memory stays flat however many organisations the inbox holds.
``run_district`` then writes the summary workbook (``summary``) and, if asked, a memo.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from compiler import thai
from compiler.district.safezip import LIMITS, ZipLimits, extracted
from compiler.errors import InputError, UsageError
from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, MergedMeasure, Severity
from compiler.report.merge import department_order, merge, merge_measures
from compiler.safeio import check_target
from compiler.workbook import standard
from compiler.workbook.check import check_files
from compiler.workbook.read import WORKBOOK_SUFFIXES, find_workbooks

if TYPE_CHECKING:
    pass

from compiler.district.expect import name_key, not_sent, read_expect_list, submission_name
from compiler.district.memo import memo_document
from compiler.district.model import MAX_CELL, Details, DistrictResult, MeasureRow, OrganisationSummary


# --- one organisation -----------------------------------------------------------------------
def _join(lines: Iterable[str]) -> str:
    return "\n".join(dict.fromkeys(line for line in lines if line))[:MAX_CELL]


def measure_rows(name: str, measures: Sequence[MergedMeasure]) -> tuple[MeasureRow, ...]:
    """The organisation's merged measures as plain text rows; results are headed by their
    department when several departments report one measure."""
    rows = []
    for m in measures:

        def by_dept(attr: str, m: MergedMeasure = m) -> str:
            head = m.grouped
            parts = [
                (f"{p.department}: " if head else "") + "\n".join(getattr(p, attr)) for p in m.parts if getattr(p, attr)
            ]
            return "\n".join(parts)[:MAX_CELL]

        rows.append(
            MeasureRow(
                organisation=name,
                number=m.number,
                indicator=m.indicator or ", ".join(m.indicator_codes),
                title=m.title[:MAX_CELL],
                departments=tuple(p.department for p in m.parts),
                responsible=_join(m.responsible),
                period=_join(m.period),
                results=by_dept("results"),
                outcomes=by_dept("outcomes"),
                budget=m.budget,
            )
        )
    return tuple(rows)


def _common(workbooks: Sequence[DepartmentWorkbook], key: str) -> object:
    """The value most workbooks give for ``key`` (the first of equals), ``None`` if none does."""
    values = [wb.info.get(key) for wb in workbooks if wb.info.get(key) not in (None, "")]
    return Counter(values).most_common(1)[0][0] if values else None


def _status(findings: Sequence[Finding], readable: bool) -> str:
    if not readable:
        return "unreadable"
    if any(f.severity is Severity.ERROR for f in findings):
        return "errors"
    return "warnings" if findings else "ok"


def _codes(findings: Sequence[Finding]) -> tuple[str, ...]:
    errors = [f.code for f in findings if f.severity is Severity.ERROR]
    return tuple(dict.fromkeys(errors + [f.code for f in findings]))


def _unreadable(submission: str, findings: Sequence[Finding], files: int = 0) -> tuple[OrganisationSummary, Details]:
    summary = OrganisationSummary(
        submission=submission,
        name=submission_name(submission),
        kind=standard.organisation_type(submission_name(submission))[0],
        district="",
        province="",
        fiscal_year=None,
        departments=(),
        files=files,
        measures=0,
        measures_with_results=0,
        errors=sum(1 for f in findings if f.severity is Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        score=None,
        stated_level="",
        status="unreadable",
        codes=_codes(findings),
    )
    return summary, Details(tuple(findings))


def _no_workbooks(submission: str) -> Finding:
    return new_finding("no-workbooks", file=submission, sheet="", cell="", th="ไม่พบไฟล์ Excel (.xlsx .xlsm .xls .ods) ในสิ่งที่ส่งมา", en="no workbook (.xlsx .xlsm .xls .ods) in this submission")


def survey_files(
    submission: str, files: Sequence[Path], names: Sequence[str], extra: Sequence[Finding] = ()
) -> tuple[OrganisationSummary, Details]:
    """Check and merge one organisation's workbooks (as ``build`` does) into its summary.

    The merge runs even when ``check`` found errors, so that names that disagree between
    departments are reported too; nothing is written.
    """
    if not files:
        return _unreadable(submission, [*extra, _no_workbooks(submission)])
    checked = check_files(list(files), list(names), groups=[submission] * len(files))
    findings = [*extra, *checked.findings]
    readable = [wb for wb in checked.workbooks if wb.info or wb.measures]
    if not readable:
        return _unreadable(submission, findings, len(files))
    report, merge_findings = merge(readable)
    findings.extend(merge_findings)
    merged = report.measures if report is not None else merge_measures(readable)[0]
    if report is not None:
        org = report.organisation
        name, district, province = org.name, org.district, org.province
        year: int | None = org.fiscal_year
        score, stated = org.score, org.stated_level
    else:
        name = str(_common(readable, "organisation") or submission_name(submission))
        district = str(_common(readable, "district") or "")
        province = str(_common(readable, "province") or "")
        fy = _common(readable, "fiscal_year")
        year = fy if isinstance(fy, int) else None
        sc = _common(readable, "score")
        score = sc if isinstance(sc, float) else None
        stated = str(_common(readable, "stated_level") or "")
    rows = measure_rows(name, merged)
    departments = tuple(dict.fromkeys(wb.department or wb.file for wb in department_order(readable)))
    summary = OrganisationSummary(
        submission=submission,
        name=name,
        kind=standard.organisation_type(name)[0],
        district=district,
        province=province,
        fiscal_year=year,
        departments=departments,
        files=len(files),
        measures=len(rows),
        measures_with_results=sum(1 for r in rows if r.has_results),
        errors=sum(1 for f in findings if f.severity is Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        score=score,
        stated_level=stated,
        status=_status(findings, True),
        codes=_codes(findings),
    )
    return summary, Details(tuple(findings), rows)


def survey(path: Path, *, limits: ZipLimits = LIMITS) -> tuple[OrganisationSummary, Details]:
    """One submission (folder, .zip or single workbook) surveyed; never raises.

    A .zip is opened by ``safezip`` into a temporary folder that is gone on return; a
    refused archive makes the organisation ``unreadable`` with the refusal's findings.
    """
    submission = path.name
    try:
        if path.is_dir():
            files, _ = find_workbooks([path])
            names = [f.relative_to(path).as_posix() for f in files]
            return survey_files(submission, files, names)
        if path.suffix.lower() == ".zip":
            with extracted(path, display=submission, limits=limits) as ex:
                if ex.refused:
                    return _unreadable(submission, ex.findings)
                return survey_files(submission, ex.files, ex.names, ex.findings)
        return survey_files(submission, [path], [path.name])
    except Exception as exc:  # one broken organisation never stops the others
        return _unreadable(
            submission,
            [
                new_finding("internal-error", file=submission, sheet="", cell="", th=f"ระบบอ่านสิ่งที่ส่งมานี้ไม่สำเร็จ กรุณาแจ้งผู้ดูแลระบบ ({type(exc).__name__})", en=f"the submission could not be processed: {type(exc).__name__}: {exc}")
            ],
        )


def _survey_packed(task: tuple[Path, ZipLimits]) -> tuple[OrganisationSummary, bytes]:
    """Worker: the summary, and the details already pickled (the parent only spools them)."""
    summary, details = survey(task[0], limits=task[1])
    return summary, pickle.dumps(details, protocol=pickle.HIGHEST_PROTOCOL)


# --- the inbox ----------------------------------------------------------------------------
def list_submissions(inbox: Path) -> list[Path]:
    """Each organisation's submission in ``inbox``: folders, .zip files and loose workbooks,
    sorted; hidden files, lock files and anything else are ignored."""
    out = []
    for p in sorted(inbox.iterdir()):
        if p.name.startswith((".", "~$", "__MACOSX")):
            continue
        if p.is_dir() or p.suffix.lower() == ".zip" or p.suffix.lower() in WORKBOOK_SUFFIXES:
            out.append(p)
    return out


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where the platform has it: workers start from a clean, preloaded process
    (no threads inherited, unlike fork); spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["compiler.district"])
        return ctx
    return multiprocessing.get_context("spawn")


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def survey_all(
    submissions: Sequence[Path], *, jobs: int | None = None, limits: ZipLimits = LIMITS
) -> Iterator[tuple[OrganisationSummary, bytes]]:
    """Survey every submission, in parallel when ``jobs`` > 1, yielding as each finishes."""
    jobs = max(1, min(jobs or default_jobs(), len(submissions)))
    tasks = [(p, limits) for p in submissions]
    if jobs == 1:
        yield from map(_survey_packed, tasks)
        return
    # Chunks amortise the hand-over; small enough that the last chunks keep both cores busy.
    chunksize = max(1, min(8, len(tasks) // (jobs * 8)))
    with _context().Pool(jobs) as pool:
        yield from pool.imap_unordered(_survey_packed, tasks, chunksize)


class _Spool:
    """Pickled details kept on disk, found again by submission: memory stays flat."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="ita-district-")
        self._where: dict[str, tuple[int, int]] = {}

    def put(self, submission: str, data: bytes) -> None:
        self._where[submission] = (self._file.seek(0, os.SEEK_END), len(data))
        self._file.write(data)

    def get(self, summary: OrganisationSummary) -> Details:
        offset, size = self._where[summary.submission]
        self._file.seek(offset)
        details: Details = pickle.loads(self._file.read(size))
        return details

    def close(self) -> None:
        self._file.close()


# --- the run ---------------------------------------------------------------------------------
def thai_order(organisations: Sequence[OrganisationSummary]) -> list[OrganisationSummary]:
    """Province, district, then name in Thai dictionary order (pythainlp's collation: เมือง
    sorts under ม); what could not be placed comes last."""
    rank = thai.collation_ranks(w for o in organisations for w in (o.province, o.district, o.name))

    def key(o: OrganisationSummary) -> tuple[bool, int, bool, int, int, str]:
        return (not o.province, rank[o.province], not o.district, rank[o.district], rank[o.name], o.submission)

    return sorted(organisations, key=key)


def _duplicates(organisations: Sequence[OrganisationSummary]) -> dict[str, Finding]:
    """A warning for each submission whose organisation also sent another one."""
    by_name: dict[str, list[OrganisationSummary]] = {}
    for o in organisations:
        if o.status != "unreadable":
            by_name.setdefault(name_key(o.name), []).append(o)
    out = {}
    for group in by_name.values():
        if len(group) < 2:
            continue
        listed = ", ".join(o.submission for o in group)
        for o in group:
            out[o.submission] = new_finding("duplicate-submission", file=o.submission, sheet="", cell="", th=f"{o.name} ส่งมามากกว่าหนึ่งชุด ({listed}) กรุณาตรวจสอบว่าชุดใดเป็นฉบับล่าสุด", en=f"{o.name} sent more than one submission ({listed}); check which one is current")
    return out


def run_district(
    inbox: Path | str,
    output: Path | str,
    *,
    docx: Path | str | None = None,
    expect: Path | str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    emblem: Path | str | None = None,
    limits: ZipLimits = LIMITS,
    on_summary: Callable[[OrganisationSummary], None] | None = None,
) -> DistrictResult:
    """``ita-report district``: survey every submission in ``inbox``, write the summary workbook
    ``output`` (and the memo ``docx``), listing who on ``expect`` has not sent.

    Usage problems (no inbox, wrong suffix, an existing output without ``force``, an
    unreadable expect list) are raised before any work. ``progress(done, total, submission)``
    is called once before the first submission and after each. ``emblem`` is the Garuda picture for the memo. ``on_summary`` is
    called with each summary as it arrives.
    """
    inbox, output = Path(inbox), Path(output)
    if not inbox.is_dir():
        raise UsageError(f"ไม่พบโฟลเดอร์ที่รับเอกสาร: {inbox}", f"no such inbox folder: {inbox}")
    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"ไฟล์สรุปต้องลงท้ายด้วย .xlsx: {output}", f"the summary file must end in .xlsx: {output}")
    check_target(output, force=force)
    memo = Path(docx) if docx is not None else None
    if memo is not None:
        if memo.suffix.lower() != ".docx":
            raise UsageError(f"ไฟล์บันทึกข้อความต้องลงท้ายด้วย .docx: {memo}", f"the memo must end in .docx: {memo}")
        check_target(memo, force=force)
    expected = read_expect_list(Path(expect)) if expect is not None else None
    submissions = list_submissions(inbox)
    if not submissions:
        raise InputError(
            f"ไม่พบสิ่งที่ส่งมาใน {inbox} (โฟลเดอร์หรือไฟล์ .zip ของแต่ละหน่วยงาน)",
            f"nothing in {inbox}: expected one folder or .zip per organisation",
        )
    spool = _Spool()
    try:
        summaries: list[OrganisationSummary] = []
        total = len(submissions)
        if progress is not None:
            progress(0, total, "")
        for summary, details in survey_all(submissions, jobs=jobs, limits=limits):
            spool.put(summary.submission, details)
            summaries.append(summary)
            if on_summary is not None:
                on_summary(summary)
            if progress is not None:
                progress(len(summaries), total, summary.submission)
        summaries = thai_order(summaries)
        extra = _duplicates(summaries)
        summaries = [_with_extra(o, extra.get(o.submission)) for o in summaries]
        result = DistrictResult(
            inbox,
            tuple(summaries),
            tuple(not_sent(expected, summaries)) if expected is not None else (),
            len(expected) if expected is not None else None,
        )

        def details_of(o: OrganisationSummary) -> Details:
            d = spool.get(o)
            more = extra.get(o.submission)
            return Details((*d.findings, more), d.measures) if more else d

        from compiler.district.summary import write_summary

        written = [write_summary(output, result, details_of, force=force)]
    finally:
        spool.close()
    notes: list[str] = []
    if memo is not None:
        from compiler.documents.render import render_document  # the official-document renderer

        doc, office = memo_document(result, summary_name=output.name)
        path, memo_findings = render_document(doc, office, memo, emblem=emblem, force=force)
        written.append(path)
        notes.extend(f"{f.message_th} / {f.message_en}" for f in memo_findings)
    return replace(result, written=tuple(written), notes=tuple(notes))


def _with_extra(o: OrganisationSummary, finding: Finding | None) -> OrganisationSummary:
    if finding is None:
        return o
    status = "warnings" if o.status == "ok" else o.status
    return replace(o, warnings=o.warnings + 1, status=status, codes=(*o.codes, finding.code))
