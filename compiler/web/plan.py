"""The measures plan on the web (the secretary's): typed row by row in a table, or uploaded
as a plan workbook (the format ``ita-report init --plan`` reads, checked in a contained
worker like every upload), kept in the store with its history (``plan_storage``), and
downloadable as a plan workbook. Once there is a plan, each department's form holds only its
plan rows, its uploads are checked against the plan, the overview lists the plan measures
nobody reported, and the build uses the plan (``jobs``).

The table works without JavaScript: a few empty rows, and "add rows" sends the form back
with more (nothing is saved until "save").
"""

from __future__ import annotations

import json
import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from compiler import thai
from compiler.web import pipeline
from compiler.web.jobs import current_plan, plan_bytes_of
from compiler.web.pages import XLSX, details_of, download, limits, post_form, render, require_admin, store, workspace
from compiler.workbook import standard

_ENGLISH = {
    "number": "no.",
    "indicator": "indicator",
    "title": "measure",
    "method": "how",
    "responsible": "responsible",
    "period": "period",
    "budget": "budget (baht)",
}
_UNIT = {"budget": " (บาท)"}
#: The plan's columns on the page: (key, Thai, English), the plan workbook's columns in its
#: order (``standard.PLAN_COLUMNS``), with the English the page shows beside them.
COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f.key, f.label + _UNIT.get(f.key, ""), _ENGLISH[f.key]) for f in standard.PLAN_COLUMNS
)
KEYS = tuple(k for k, _, _ in COLUMNS)
EVERYONE = "ทุกส่วนราชการ"
#: Empty rows under the plan's, and how many "add rows" adds.
SPARE_ROWS = 3
MORE_ROWS = 5
MAX_ROWS = 300
MAX_TEXT = 2000


def _typed_rows(form: FormData) -> list[dict[str, str]]:
    """The table's rows as posted (each column's inputs in page order), completely empty
    rows dropped."""
    columns = {k: [str(v).replace("\r\n", "\n").strip()[:MAX_TEXT] for v in form.getlist(k)] for k in KEYS}
    count = min(MAX_ROWS, max((len(v) for v in columns.values()), default=0))
    rows = [{k: (columns[k][i] if i < len(columns[k]) else "") for k in KEYS} for i in range(count)]
    return [r for r in rows if any(r.values())]


def row_errors(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """What is wrong with typed plan rows, each naming its row of the table (1 is the first)."""
    errors: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        number = thai.to_arabic_digits(row["number"])
        if not number:
            errors.append((f"แถวที่ {i}: ไม่ได้กรอกลำดับ", f"row {i}: the number (ลำดับ) is empty"))
        elif not (number.isascii() and number.isdigit()):
            errors.append(
                (
                    f"แถวที่ {i}: ลำดับ '{row['number']}' ไม่ใช่จำนวนเต็ม",
                    f"row {i}: the number '{row['number']}' is not a whole number",
                )
            )
        elif number.lstrip("0") in seen:
            first = seen[number.lstrip("0")]
            errors.append(
                (f"แถวที่ {i}: ลำดับ {number} ซ้ำกับแถวที่ {first}", f"row {i}: number {number} is row {first}'s too")
            )
        else:
            seen[number.lstrip("0")] = i
        if not row["title"]:
            errors.append((f"แถวที่ {i}: ไม่ได้กรอกมาตรการ", f"row {i}: the measure (มาตรการ) is empty"))
        if not row["responsible"]:
            errors.append((f"แถวที่ {i}: ไม่ได้เลือกผู้รับผิดชอบ", f"row {i}: no department is responsible (ผู้รับผิดชอบ)"))
        if row["budget"] and thai.parse_number(row["budget"]) is None:
            errors.append(
                (
                    f"แถวที่ {i}: งบประมาณ '{row['budget']}' ไม่ใช่ตัวเลข (เช่น 12500 หรือเว้นว่าง)",
                    f"row {i}: the budget '{row['budget']}' is not a number (such as 12500, or empty)",
                )
            )
    return errors


def _finding_errors(findings: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The library's findings on the typed plan's workbook: its errors as row messages (row 3
    of the sheet is row 1 of the table), and its warnings as they are."""
    errors = [
        (f"แถวที่ {f['row'] - 2}: {f['message_th']}", f"row {f['row'] - 2}: {f['message_en']}")
        if f.get("row")
        else (f["message_th"], f["message_en"])
        for f in findings
        if f["severity"] == "error"
    ]
    return errors, [f for f in findings if f["severity"] != "error"]


def _page(
    request: Request, rows: list[dict[str, str]], status: int = 200, spare: int = SPARE_ROWS, **extra: Any
) -> Response:
    st = store(request)
    ws = workspace(request)
    names = [d["name"] for d in st.departments(ws["id"])]
    extra.setdefault("errors", [])
    extra.setdefault("findings", [])
    extra.setdefault("saved", False)
    return render(
        request,
        "plan.html",
        status,
        details=details_of(ws),
        columns=COLUMNS,
        rows=rows + [dict.fromkeys(KEYS, "") for _ in range(spare)],
        choices=[*names, EVERYONE],
        plans=st.plans(ws["id"]),
        current=st.plan(ws["id"]),
        **extra,
    )


async def plan_page(request: Request) -> Response:
    require_admin(request)
    ws = workspace(request)
    rows = await run_in_threadpool(store(request).plan_rows, ws["id"])
    return _page(request, rows, saved=request.query_params.get("saved") == "1")


async def plan_save(request: Request) -> Response:
    """The typed table: "add rows" shows it again with more empty rows; "save" checks it and
    keeps it as the plan's new version."""
    require_admin(request)
    form = await post_form(request, fields=len(KEYS) * MAX_ROWS + 10)
    rows = _typed_rows(form)
    if form.get("action") == "more":
        return _page(request, rows, spare=SPARE_ROWS + MORE_ROWS)
    if form.get("action") == "clear":  # no plan from now on: a version of no rows (history kept)
        await run_in_threadpool(store(request).add_plan, workspace(request)["id"], [])
        return RedirectResponse("/admin/plan?saved=1", 303)
    errors = row_errors(rows)
    if not rows:
        errors.append(("ยังไม่มีมาตรการในตาราง", "the table holds no measure"))
    warnings: list[dict[str, Any]] = []
    if not errors and rows:
        st, ws = store(request), workspace(request)
        names = [d["name"] for d in st.departments(ws["id"])]
        data = await run_in_threadpool(pipeline.plan_workbook, details_of(ws), rows, names)
        try:
            findings = await run_in_threadpool(
                pipeline.run_contained,
                pipeline.check_plan,
                data,
                timeout_s=limits(request).check_timeout_s,
                memory_mb=limits(request).check_memory_mb,
            )
        except pipeline.CompilerError as exc:
            findings = []
            errors.append((exc.message_th, exc.message_en))
        more, warnings = _finding_errors(findings)
        errors += more
    if errors:
        return _page(request, rows, 400, errors=errors, findings=warnings)
    await run_in_threadpool(store(request).add_plan, workspace(request)["id"], rows)
    return RedirectResponse("/admin/plan?saved=1", 303)


async def read_upload(request: Request, file: object) -> dict[str, Any]:
    """A plan workbook posted as ``file``, read in a contained worker: ``rows`` (``None``
    when it cannot be used), ``details``, ``errors`` (Thai, English), ``findings`` at their
    cells, and its ``name`` and ``data`` to keep."""
    lim = limits(request)
    got: dict[str, Any] = {"rows": None, "details": {}, "errors": [], "findings": [], "name": "", "data": b""}
    if not isinstance(file, UploadFile) or not file.filename:
        got["errors"] = [("ยังไม่ได้เลือกไฟล์แผนมาตรการ", "no plan workbook chosen")]
        return got
    name = " ".join(file.filename.replace("\\", "/").rsplit("/", 1)[-1].split())[:200]
    data = await file.read(lim.upload_mb * 1024 * 1024 + 1)
    got.update(name=name, data=data)
    suffix = pipeline.suffix_of(name)
    if not suffix:
        got["errors"] = [
            (
                f"'{name}': แผนมาตรการต้องเป็นไฟล์ .xlsx .xlsm .xls หรือ .ods",
                f"'{name}': send the plan as an .xlsx, .xlsm, .xls or .ods file",
            )
        ]
    elif len(data) > lim.upload_mb * 1024 * 1024:
        got["errors"] = [(f"'{name}': ไฟล์ใหญ่เกิน {lim.upload_mb} MB", f"'{name}': the file is over {lim.upload_mb} MB")]
    elif not data:
        got["errors"] = [(f"'{name}': ไฟล์ว่างเปล่า", f"'{name}': the file is empty")]
    if got["errors"]:
        return got
    try:
        got.update(
            await run_in_threadpool(
                pipeline.run_contained,
                pipeline.read_plan_upload,
                suffix,
                data,
                timeout_s=lim.check_timeout_s,
                memory_mb=lim.check_memory_mb,
            )
        )
    except pipeline.CompilerError as exc:
        got["errors"] = [(f"'{name}': {exc.message_th}", f"'{name}': {exc.message_en}")]
        return got
    if got["rows"] is None:
        got["errors"] = [
            (
                f"อ่านแผนมาตรการจาก '{name}' ไม่ได้: ต้องมีแผ่นงาน 'แผนมาตรการ' ที่มีมาตรการและไม่มีข้อผิดพลาด (ดูตาราง)",
                f"cannot read a measures plan from '{name}': it needs a 'แผนมาตรการ' sheet of measures without errors"
                " (see the table)",
            )
        ]
    return got


async def plan_upload(request: Request) -> Response:
    """A plan workbook uploaded: its findings shown at their cells; kept (the workbook too)
    as the plan's new version when it holds a plan."""
    require_admin(request)
    form = await post_form(request, files=1)
    try:
        got = await read_upload(request, form.get("plan"))
    finally:
        await form.close()
    ws = workspace(request)
    if got["errors"]:
        current = await run_in_threadpool(store(request).plan_rows, ws["id"])
        return _page(request, current, 400, errors=got["errors"], findings=got["findings"])
    await run_in_threadpool(store(request).add_plan, ws["id"], got["rows"], filename=got["name"], data=got["data"])
    return RedirectResponse("/admin/plan?saved=1", 303)


async def plan_download(request: Request) -> Response:
    """The current plan as a plan workbook (a blank one before the first, or with ``?blank=1``)."""
    require_admin(request)
    st, ws = store(request), workspace(request)
    if request.query_params.get("blank") == "1":
        names = [d["name"] for d in st.departments(ws["id"])]
        data = await run_in_threadpool(pipeline.plan_workbook, details_of(ws), [], names)
    else:
        data = await run_in_threadpool(plan_bytes_of, st, ws["id"], None) or await run_in_threadpool(
            pipeline.plan_workbook, details_of(ws), [], []
        )
    return download(data, "แผนมาตรการ.xlsx", XLSX)


async def plan_version(request: Request) -> Response:
    """One saved version of the plan: as a plan workbook, or (``original``) as uploaded."""
    require_admin(request)
    st, ws = store(request), workspace(request)
    row = next((p for p in st.plans(ws["id"]) if p["id"] == request.path_params["id"]), None)
    if row is None:
        raise HTTPException(404)
    if request.path_params["which"] == "original" and row["blob"]:
        return download(st.get_blob(row["blob"]), row["filename"] or "แผนมาตรการ.xlsx")
    if request.path_params["which"] != "plan.xlsx":
        raise HTTPException(404)
    data = await run_in_threadpool(plan_bytes_of, st, ws["id"], row["id"])
    return download(data or b"", f"แผนมาตรการ-{row['id']}.xlsx", XLSX)


# -- the overview: the plan measures nobody reported -----------------------------------------

_gaps: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
_gaps_lock = threading.Lock()


def plan_overview(request: Request, ws: Any) -> dict[str, Any] | None:
    """The plan on the overview: its measures, and those no department's latest workbook
    reported (``plan-not-reported``; checked in a contained worker, kept until the plan or an
    upload changes). ``None`` without a plan. Blocking: call it from a thread."""
    st = store(request)
    plan = current_plan(st, ws["id"])
    if plan is None:
        return None
    plan_id, data = plan
    latest = [u for u in st.latest_uploads(ws["id"]) if u["status"] in ("ok", "warnings", "errors")]
    key = (str(st.folder), plan_id, ws["details"], tuple(u["id"] for u in latest))
    with _gaps_lock:
        gaps = _gaps.get(key) if latest else []  # before anyone sends, the plan is simply all to do
    if gaps is None:
        workbooks = [(u["department"], pipeline.suffix_of(u["filename"]), st.get_blob(u["blob"])) for u in latest]
        try:
            gaps = pipeline.run_contained(
                pipeline.plan_gaps,
                data,
                workbooks,
                timeout_s=limits(request).build_timeout_s,
                memory_mb=limits(request).check_memory_mb,
            )
        except pipeline.CompilerError:
            gaps = []
        with _gaps_lock:
            _gaps.clear()  # one workspace per server: the latest answer is the one worth keeping
            _gaps[key] = gaps
    rows = json.loads(st.plan(ws["id"])["rows"])
    return {"measures": len(rows), "gaps": gaps, "uploads": len(latest)}
