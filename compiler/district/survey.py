"""One organisation's submission (a folder, a .zip or one workbook) checked and merged as
``build`` does, into a small ``OrganisationSummary`` and its ``Details``; never raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from compiler.district.expect import submission_name
from compiler.district.model import MAX_CELL, Details, MeasureRow, OrganisationSummary
from compiler.district.safezip import LIMITS, ZipLimits, extracted
from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, MergedMeasure, Severity
from compiler.report.merge import department_order, merge, merge_measures
from compiler.safeio import display_name, not_plain
from compiler.workbook import standard
from compiler.workbook.check import check_files
from compiler.workbook.read import find_workbooks
from compiler.workers import WorkerFailed


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
    return new_finding(
        "no-workbooks",
        file=submission,
        sheet="",
        cell="",
        th="ไม่พบไฟล์ Excel (.xlsx .xlsm .xls .ods) ในสิ่งที่ส่งมา",
        en="no workbook (.xlsx .xlsm .xls .ods) in this submission",
    )


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
    readable = [wb for wb in checked.workbooks if wb.info or wb.measures or wb.plan]
    if not readable:
        return _unreadable(submission, findings, len(files))
    report, merge_findings = merge(readable, remember=False)  # each organisation once: nothing to remember
    findings.extend(merge_findings)
    merged = report.measures if report is not None else merge_measures(readable, remember=False)[0]
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
    departments = tuple(dict.fromkeys(wb.department or wb.file for wb in department_order(readable) if not wb.is_plan))
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
    """One submission (folder, .zip or single workbook) surveyed; never raises but
    ``MemoryError`` (the contained worker's limit, reported as the submission's finding).

    A .zip is opened by ``safezip`` into a temporary folder that is gone on return; a
    refused archive makes the organisation ``unreadable`` with the refusal's findings.
    """
    submission = display_name(path.name)
    refused = _not_plain(path)
    if refused is not None:
        return _unreadable(submission, [refused])
    try:
        if path.is_dir():
            files, _ = find_workbooks([path])
            names = [display_name(f.relative_to(path).as_posix()) for f in files]
            return survey_files(submission, files, names)
        if path.suffix.lower() == ".zip":
            with extracted(path, display=submission, limits=limits) as ex:
                if ex.refused:
                    return _unreadable(submission, ex.findings)
                return survey_files(submission, ex.files, ex.names, ex.findings)
        return survey_files(submission, [path], [submission])
    except MemoryError:  # the worker's memory limit: reported by ``survey_all`` as such
        raise
    except Exception as exc:  # one broken organisation never stops the others
        return _unreadable(
            submission,
            [
                new_finding(
                    "internal-error",
                    file=submission,
                    sheet="",
                    cell="",
                    th=f"ระบบอ่านสิ่งที่ส่งมานี้ไม่สำเร็จ กรุณาแจ้งผู้ดูแลระบบ ({type(exc).__name__})",
                    en=f"the submission could not be processed: {type(exc).__name__}: {exc}",
                )
            ],
        )


def _not_plain(path: Path) -> Finding | None:
    """Why a submission is not read (a link, a pipe, a device: see ``safeio.not_plain``)."""
    why = not_plain(path)
    return None if why is None else new_finding("unreadable-file", file=display_name(path.name), th=why[0], en=why[1])


def worker_lost(submission: str, failure: WorkerFailed) -> tuple[OrganisationSummary, Details]:
    """The submission whose worker died or overran: ``unreadable``, with the reason as its
    finding (``worker-timeout``, or ``worker-died`` for a crash or the memory limit)."""
    code = "worker-timeout" if failure.reason == "timeout" else "worker-died"
    return _unreadable(
        submission,
        [
            new_finding(
                code,
                file=submission,
                th=f"ตรวจสิ่งที่ส่งมา '{submission}' ไม่สำเร็จ: {failure.message_th}"
                " (ไฟล์อาจใหญ่ผิดปกติหรือเสียหาย) กรุณาตรวจสอบไฟล์แล้วส่งใหม่",
                en=f"could not survey the submission '{submission}': {failure.message_en}"
                " (an abnormally large or damaged file?); check its files and send them again",
            )
        ],
    )
