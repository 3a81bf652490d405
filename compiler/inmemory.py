"""The library for a front end that holds bytes, not paths (the web page): uploads in,
documents out, results as JSON.

    >>> from compiler import inmemory
    >>> checked, copies = inmemory.check_uploads([("กองคลัง.xlsx", data)])
    >>> made = inmemory.build_documents([("สำนักปลัด.xlsx", a), ("กองคลัง.xlsx", b)])
    >>> made.ok, sorted(made.files)            # file name → bytes
    (True, ['ประกาศมาตรการ.docx', 'รายงานผล.docx'])
    >>> inmemory.to_json(made)["findings"]     # JSON-ready: lists, dicts, str, int, None

Every function here calls the same pipeline as the command line, through a private temporary
folder that is removed before it returns; nothing prints, nothing exits.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler import api
from compiler.model import DepartmentWorkbook, Finding, Report, Severity
from compiler.uploads import Input, staged
from compiler.workbook.check import CheckResult, Progress

#: The report's file name inside a :class:`DocumentSet`.
REPORT_NAME = "รายงานผล.docx"
#: The name a measures plan given as bytes is checked under (findings name this file).
PLAN_NAME = "แผนมาตรการ.xlsx"


@dataclass(frozen=True)
class DocumentSet:
    """What :func:`build_documents` made: each file's bytes by name, and the findings.

    ``files`` is empty when the input had errors (see ``findings``); the report comes first.
    """

    report: Report | None
    files: dict[str, bytes]
    findings: tuple[Finding, ...]
    checked: CheckResult | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        return bool(self.files) and not self.errors


def check_uploads(
    inputs: Iterable[Input], *, progress: Progress | None = None, plan: bytes | None = None
) -> tuple[CheckResult, dict[str, bytes]]:
    """Check uploaded workbooks; the result and a highlighted copy (name → bytes) of each
    workbook that has findings at its cells.

    ``plan``: a measures plan workbook's bytes, checked with the uploads as
    ``แผนมาตรการ.xlsx`` (as if it were in the folder ``check`` is given): the uploads'
    measures are matched with it (``not-in-plan``, ``plan-cell-changed``; the plan's own
    findings, ``plan-not-reported`` among them, name that file). No copy is made of it."""
    from compiler.workbook.annotate import annotated_bytes

    inputs = list(inputs)
    extra = [(PLAN_NAME, plan)] if plan is not None else []
    with staged(inputs + extra) as paths:
        result = api.check(paths, progress=progress)
        uploads = {str(p) for p in paths[: len(inputs)]}
        copies = {
            name: annotated_bytes(source, mine)[0]
            for source, mine, name in api.annotation_plan(result)
            if str(source) in uploads
        }
    return result, copies


def build_documents(
    inputs: Iterable[Input],
    *,
    layout: str | None = None,
    digits: str = "thai",
    announcements: bool = True,
    pdf: bool = False,
    template: bytes | None = None,
    emblem: bytes | None = None,
    logo: bytes | None = None,
    date: dt.date | None = None,
    progress: Progress | None = None,
    workbook_pictures: bool = True,
) -> DocumentSet:
    """The report (and, with ``announcements``, every official document; with ``pdf``, a
    PDF of each) built from uploads, as bytes. Pictures and the template are bytes too;
    ``workbook_pictures=False`` leaves the pictures a workbook names by path unopened (a
    server's uploads: see ``api.build``)."""
    out = Path(tempfile.mkdtemp(prefix="ita-build-"))
    try:
        result = api.build(
            inputs, out / REPORT_NAME, layout=layout, digits=digits, pdf=pdf, template=template,
            with_announcements=announcements, emblem=emblem, logo=logo, date=date, progress=progress,
            workbook_pictures=workbook_pictures,
        )  # fmt: skip
        files = {p.name: p.read_bytes() for p in result.written}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return DocumentSet(result.report, files, result.findings, result.checked, result.notes)


def form(details: object | None = None, department: str = "", *, plan: object | None = None) -> bytes:
    """The standard workbook for ``department`` as bytes (``details``: a
    ``workbook.form.OrganisationDetails`` or ``None`` for a blank form).

    With a measures ``plan`` (a plan workbook's bytes, or its measures as
    ``read_plan(...).plan`` gives them) the form holds only the plan rows ``department`` is
    responsible for, locked, as ``ita-report init --plan`` makes it."""
    from compiler.workbook.form import form_bytes

    measures = read_plan(plan).plan if isinstance(plan, (bytes, bytearray)) else plan
    return form_bytes(details, department, measures)  # type: ignore[arg-type]


def read_plan(data: bytes, name: str = PLAN_NAME) -> DepartmentWorkbook:
    """The measures plan of a plan workbook's bytes (``api.read_plan``): ``InputError``
    naming its first error when it holds no readable plan."""
    with staged([(name, bytes(data))]) as paths:
        return api.read_plan(paths[0])


def plan_workbook(
    details: object | None = None, rows: Sequence[dict[str, object]] = (), departments: Sequence[str] = ()
) -> bytes:
    """A plan workbook (the format ``read_plan`` and ``init --plan`` read) holding ``rows``
    (``workbook.planbook``: plan column → text); no rows: a blank plan."""
    from compiler.workbook.planbook import plan_bytes

    return plan_bytes(details, rows, departments)  # type: ignore[arg-type]


def _workbooks(checked: CheckResult | None) -> list[dict[str, Any]]:
    if checked is None:
        return []
    return [
        {"file": wb.file, "department": wb.department, "measures": len(wb.measures), "version": wb.version}
        for wb in checked.workbooks
    ]


def findings_json(findings: Sequence[Finding]) -> list[dict[str, object]]:
    """Findings in file, sheet, row, column order, each as :meth:`Finding.as_dict`."""
    order = sorted(findings, key=lambda f: (f.file, f.sheet, f.row or 0, f.column or 0, f.code))
    return [f.as_dict() for f in order]


def to_json(result: object) -> dict[str, Any]:
    """The JSON-ready form of a check, build, :class:`DocumentSet` or district result."""
    if isinstance(result, CheckResult):
        return {
            "files": _workbooks(result),
            "findings": findings_json(result.findings),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
        }
    if isinstance(result, (api.BuildResult, DocumentSet)):
        written = (
            [{"name": n, "bytes": len(b)} for n, b in result.files.items()]
            if isinstance(result, DocumentSet)
            else [{"name": p.name, "path": str(p)} for p in result.written]
        )
        org = result.report.organisation if result.report else None
        return {
            "organisation": None if org is None else {
                "name": org.name, "district": org.district, "province": org.province,
                "fiscal_year": org.fiscal_year, "score": org.score,
            },
            "layout": result.report.layout if result.report else None,
            "measures": len(result.report.measures) if result.report else 0,
            "files": _workbooks(result.checked),
            "written": written,
            "findings": findings_json(result.findings),
            "errors": sum(1 for f in result.findings if f.severity is Severity.ERROR),
            "warnings": sum(1 for f in result.findings if f.severity is Severity.WARNING),
            "notes": list(result.notes),
        }  # fmt: skip
    from compiler.district.model import DistrictResult

    if isinstance(result, DistrictResult):
        return {
            "inbox": str(result.inbox),
            "organisations": [
                {
                    "submission": o.submission,
                    "name": o.name,
                    "kind": o.kind,
                    "district": o.district,
                    "province": o.province,
                    "fiscal_year": o.fiscal_year,
                    "departments": list(o.departments),
                    "files": o.files,
                    "measures": o.measures,
                    "errors": o.errors,
                    "warnings": o.warnings,
                    "score": o.score,
                    "level": o.level,
                    "passed": o.passed,
                    "status": o.status,
                    "codes": list(o.codes),
                }
                for o in result.organisations
            ],
            "not_sent": list(result.not_sent),
            "counts": {s: result.count(s) for s in ("ok", "warnings", "errors", "unreadable")},
            "levels": result.levels,
            "written": [str(p) for p in result.written],
            "notes": list(result.notes),
        }
    raise TypeError(f"no JSON form for {type(result).__name__}")
