"""The slow work, run from threads in contained workers: checking a stored upload, building
the report and documents, and re-checking uploads a stopped server left unchecked. Each
records its outcome in the store, failures included, so nothing is left half-done."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from compiler.web import pipeline
from compiler.web.pages import Limits
from compiler.web.storage import Store


@functools.lru_cache(maxsize=8)
def _plan_workbook(rows: str, details: str, names: tuple[str, ...]) -> bytes:
    return pipeline.plan_workbook(json.loads(details), json.loads(rows), list(names))


def plan_bytes_of(st: Store, workspace_id: int, plan_id: int | None = None) -> bytes | None:
    """The plan workbook of the plan's version ``plan_id`` (``None``: the latest), the
    organisation's details filled in; ``None`` when there is no plan (or it was emptied)."""
    row = (
        st.plan(workspace_id)
        if plan_id is None
        else next((p for p in st.plans(workspace_id) if p["id"] == plan_id), None)
    )
    ws = st.workspace()
    if row is None or ws is None or not json.loads(row["rows"]):
        return None
    names = tuple(d["name"] for d in st.departments(workspace_id))
    return _plan_workbook(row["rows"], ws["details"], names)


def current_plan(st: Store, workspace_id: int) -> tuple[int, bytes] | None:
    """The plan that counts now: its version's id and its workbook; ``None`` without one."""
    row = st.plan(workspace_id)
    data = plan_bytes_of(st, workspace_id, row["id"]) if row is not None else None
    return None if row is None or data is None else (int(row["id"]), data)


def check_upload(st: Store, lim: Limits, upload_id: int) -> None:
    """Check a stored upload in a contained worker, against the measures plan when there is
    one, and record the outcome."""
    upload = st.upload(upload_id)
    if upload is None or upload["status"] != "checking":
        return
    dept = st.department(upload["department_id"])
    plan = current_plan(st, dept["workspace_id"]) if dept else None
    # findings name the file as the clerk sent it (made safe), else after the department
    label = Path(upload["filename"]).stem if pipeline.suffix_of(upload["filename"]) else ""
    try:
        checked = pipeline.run_contained(
            pipeline.check_workbook,
            label or (dept["name"] if dept else ""),
            pipeline.suffix_of(upload["filename"]),
            st.get_blob(upload["blob"]),
            plan[1] if plan else None,
            timeout_s=lim.check_timeout_s,
            memory_mb=lim.check_memory_mb,
        )
    except pipeline.CompilerError as exc:
        st.finish_upload(upload_id, "failed", {"error_th": exc.message_th, "error_en": exc.message_en}, None)
        return
    annotated = checked.pop("annotated")
    checked["plan"] = plan[0] if plan else None  # the plan's version it was checked against
    st.finish_upload(upload_id, pipeline.status_of(checked), checked, annotated)


def run_build(st: Store, lim: Limits, build_id: int, uploads: list[Any], pdf: bool, date: str = "") -> None:
    """Build in a contained worker and record the files; any failure is recorded, so no
    build is left ``running``. The measures plan, when there is one, is built with the
    uploads (its text in the report, its unreported measures listed). With a PDF, no memory
    limit: LibreOffice, a child of the worker, maps more address space than it uses (the
    inputs were each checked under it)."""
    try:
        workbooks = [(u["department"], pipeline.suffix_of(u["filename"]), st.get_blob(u["blob"])) for u in uploads]
        ws = st.workspace()
        plan = current_plan(st, ws["id"]) if ws is not None else None
        if plan is not None:
            workbooks.append(("แผนมาตรการ", ".xlsx", plan[1]))
        emblem = st.setting("emblem")
        picture = st.get_blob(emblem) if emblem else None
        built = pipeline.run_contained(
            pipeline.build_documents,
            workbooks,
            pdf,
            "thai",
            True,
            picture,
            date,
            timeout_s=lim.build_timeout_s,
            memory_mb=None if pdf else lim.check_memory_mb,
            on_progress=lambda done, total, what: st.build_progress(build_id, done, total, what),
        )
    except pipeline.CompilerError as exc:
        st.finish_build(build_id, "failed", {"error_th": exc.message_th, "error_en": exc.message_en}, [])
        return
    except Exception as exc:
        st.finish_build(
            build_id,
            "failed",
            {"error_th": "ข้อผิดพลาดภายในโปรแกรม", "error_en": f"internal error: {type(exc).__name__}: {exc}"},
            [],
        )
        raise
    files = built.pop("files")
    preview = built.pop("preview")
    if preview:
        built["preview"] = st.put_blob(preview).hash
    st.finish_build(build_id, "refused" if built["refused"] else "done", built, files)


def recheck_interrupted(st: Store, lim: Limits) -> None:
    """Uploads a stopped server had stored but not checked: checked now, none is lost."""
    ws = st.workspace()
    if ws is not None and ws["kind"] == "district":
        from compiler.web.district_jobs import finish_interrupted

        finish_interrupted(st, lim)
        return
    for upload_id in st.unchecked_uploads():
        check_upload(st, lim, upload_id)
