"""A department's pages, through its own link (``/d/<token>``) or opened by the secretary
(``/admin/departments/<id>``): its pre-filled form, uploads and their findings, its history.
A link sees its own department's uploads only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response

from compiler.web import pipeline
from compiler.web.jobs import check_upload, current_plan
from compiler.web.pages import (
    XLSX,
    details_of,
    download,
    limits,
    media_type,
    message,
    post_form,
    public_base,
    render,
    require_admin,
    store,
    workspace,
)


def department_for(request: Request) -> Any:
    """The department a request is about: by its link's token (the department itself), or by
    its id under ``/admin`` (the secretary, signed in, in this workspace); else 404."""
    if "token" in request.path_params:
        dept = store(request).department_by_token(request.path_params["token"])
    else:
        require_admin(request)
        dept = store(request).department(request.path_params["id"])
        if dept is not None and (dept["workspace_id"] != workspace(request)["id"] or dept["revoked"]):
            dept = None
    if dept is None:
        raise HTTPException(404, "no such link")
    return dept


def base_path(request: Request, dept: Any) -> str:
    """Where this department's pages are for whoever asks: its link, or the secretary's view."""
    return f"/d/{dept['token']}" if "token" in request.path_params else f"/admin/departments/{dept['id']}"


def department_page(request: Request, dept: Any, shown: dict[str, Any] | None) -> Response:
    uploads = [upload_view(u) for u in store(request).uploads(dept["id"])]
    secretary = "token" not in request.path_params
    return render(
        request,
        "department.html",
        organisation=details_of(workspace(request)).get("organisation", ""),
        dept=dept,
        uploads=uploads,
        base_path=base_path(request, dept),
        link=f"{public_base(request)}/d/{dept['token']}" if secretary else "",
        limits=limits(request),
        shown=shown if shown is not None else (uploads[0] if uploads else None),
    )


def upload_view(upload: Any) -> dict[str, Any]:
    result = json.loads(upload["result"])
    return {"row": upload, "result": result, "findings": result.get("findings", [])}


# -- views: a department ------------------------------------------------------------------


async def department(request: Request) -> Response:
    return department_page(request, department_for(request), None)


async def department_form(request: Request) -> Response:
    dept = department_for(request)
    ws = workspace(request)
    # made from the secretary's own typed details and plan (an uploaded plan is kept as the
    # rows read from it, in a contained worker): no need to contain it
    try:
        plan = await run_in_threadpool(current_plan, store(request), ws["id"])
        data, name = await run_in_threadpool(
            pipeline.department_form, details_of(ws), dept["name"], plan[1] if plan else None
        )
    except pipeline.CompilerError as exc:
        return message(
            request,
            500,
            ("สร้างแบบฟอร์มไม่ได้", "cannot make the form"),
            (exc.message_th, exc.message_en),
            base_path(request, dept),
        )
    return download(data, name, XLSX)


async def department_upload(request: Request) -> Response:
    dept = department_for(request)
    try:
        form = await post_form(request, files=1)
    except ClientDisconnect:
        return Response(status_code=400)  # cut off half-way: nothing was stored
    try:
        return await _receive_upload(request, dept, form)
    finally:
        await form.close()


async def _receive_upload(request: Request, dept: Any, form: FormData) -> Response:
    st, lim = store(request), limits(request)
    back = base_path(request, dept)
    file = form.get("workbook")
    if not isinstance(file, UploadFile) or not file.filename:
        return message(
            request,
            400,
            ("ยังไม่ได้เลือกไฟล์", "no file chosen"),
            ("กด 'เลือกไฟล์' แล้วเลือกแบบรายงานที่กรอกแล้ว", "choose your filled workbook, then send"),
            back,
        )
    name = " ".join(Path(file.filename.replace("\\", "/")).name.split())[:200]
    if not pipeline.suffix_of(name):
        return message(
            request,
            400,
            ("ไฟล์นี้ไม่ใช่แบบรายงาน Excel", "this is not a workbook"),
            (f"'{name}': ส่งได้เฉพาะไฟล์ .xlsx .xlsm .xls หรือ .ods", f"'{name}': send an .xlsx, .xlsm, .xls or .ods file"),
            back,
        )
    data = await file.read(lim.upload_mb * 1024 * 1024 + 1)
    if len(data) > lim.upload_mb * 1024 * 1024:
        return message(
            request,
            413,
            ("ไฟล์ใหญ่เกินกำหนด", "file too large"),
            (f"ส่งได้ไม่เกิน {lim.upload_mb} MB ต่อครั้ง", f"at most {lim.upload_mb} MB per upload"),
            back,
        )
    if not data:
        return message(
            request,
            400,
            ("ไฟล์ว่างเปล่า", "the file is empty"),
            ("ไฟล์ที่เลือกไม่มีข้อมูล กรุณาบันทึกใน Excel แล้วส่งใหม่", "the file holds nothing; save it in Excel and send it again"),
            back,
        )
    hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    if await run_in_threadpool(st.recent_uploads, dept["id"], hour_ago) >= lim.uploads_per_hour:
        return message(
            request,
            429,
            ("ส่งบ่อยเกินไป", "too many uploads"),
            (
                f"ส่งได้ไม่เกิน {lim.uploads_per_hour} ครั้งต่อชั่วโมง กรุณารอสักครู่",
                f"at most {lim.uploads_per_hour} uploads an hour; please wait a while",
            ),
            back,
        )
    upload_id = await run_in_threadpool(st.add_upload, dept["id"], name, data)
    await run_in_threadpool(check_upload, st, lim, upload_id)
    return RedirectResponse(f"{back}/uploads/{upload_id}", 303)


def _upload_for(request: Request, dept: Any) -> Any:
    upload = store(request).upload(request.path_params["upload"])
    if upload is None or upload["department_id"] != dept["id"]:
        raise HTTPException(404)
    return upload


async def department_upload_page(request: Request) -> Response:
    dept = department_for(request)
    return department_page(request, dept, upload_view(_upload_for(request, dept)))


async def department_upload_file(request: Request) -> Response:
    dept = department_for(request)
    upload = _upload_for(request, dept)
    which = request.path_params["which"]
    if which == "annotated" and upload["annotated"]:
        stem = Path(upload["filename"]).stem
        return download(store(request).get_blob(upload["annotated"]), f"{stem} (ตรวจแล้ว).xlsx", XLSX)
    if which == "original":
        return download(store(request).get_blob(upload["blob"]), upload["filename"], media_type(upload["filename"]))
    raise HTTPException(404)
