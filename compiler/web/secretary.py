"""The secretary's pages (signed in): the overview of the departments, the organisation's
details and emblem, builds of the report and documents, and their downloads."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from compiler.web import pipeline
from compiler.web.jobs import run_build
from compiler.web.pages import (
    details_of,
    download,
    emblem_picture,
    limits,
    media_type,
    message,
    post_form,
    public_base,
    receive_emblem,
    render,
    require_admin,
    store,
    workspace,
)
from compiler.web.plan import plan_overview

# -- views: the secretary -----------------------------------------------------------------


async def admin(request: Request) -> Response:
    require_admin(request)
    st = store(request)
    ws = workspace(request)
    departments = await run_in_threadpool(st.departments, ws["id"])
    plan = await run_in_threadpool(plan_overview, request, ws)
    base = public_base(request)
    return render(
        request,
        "admin.html",
        ws=ws,
        details=details_of(ws),
        fields=pipeline.DETAIL_FIELDS,
        departments=departments,
        builds=st.builds(ws["id"]),
        base=base,
        local_only=base.startswith(("http://127.", "http://localhost", "http://[::1]")),
        soffice=pipeline.has_soffice(),
        emblem=bool(st.setting("emblem")),
        sent=sum(1 for d in departments if d["upload_id"]),
        plan=plan,
    )


async def admin_details(request: Request) -> Response:
    require_admin(request)
    form = await post_form(request)
    ws = workspace(request)
    values = {k: str(form.get(k, "")).strip()[:300] for k, _, _ in pipeline.DETAIL_FIELDS}
    if values["organisation"]:
        await run_in_threadpool(store(request).set_details, ws["id"], values)
    return RedirectResponse("/admin#details", 303)


async def admin_emblem(request: Request) -> Response:
    """The Garuda emblem's picture for the ประกาศ, คำสั่ง and บันทึกข้อความ (PNG or JPEG)."""
    return await receive_emblem(request, "/admin#emblem")


async def admin_emblem_picture(request: Request) -> Response:
    return emblem_picture(request)


async def admin_add_department(request: Request) -> Response:
    require_admin(request)
    form = await post_form(request)
    name = " ".join(str(form.get("name", "")).split())[:100]
    if name:
        await run_in_threadpool(store(request).add_department, workspace(request)["id"], name)
    return RedirectResponse("/admin#departments", 303)


async def admin_reissue_link(request: Request) -> Response:
    """A new link for a department whose link went where it should not; the old one stops working."""
    require_admin(request)
    await post_form(request)
    dept = store(request).department(request.path_params["id"])
    if dept is None or dept["workspace_id"] != workspace(request)["id"]:
        raise HTTPException(404)
    await run_in_threadpool(store(request).reissue_link, dept["id"])
    return RedirectResponse(f"/admin/departments/{dept['id']}", 303)


async def admin_build(request: Request) -> Response:
    require_admin(request)
    form = await post_form(request)
    st, lim = store(request), limits(request)
    ws = workspace(request)
    latest = await run_in_threadpool(st.latest_uploads, ws["id"])
    # a department whose latest file has errors does not hold up the others: it is left out, and named
    uploads = [u for u in latest if u["status"] in ("ok", "warnings")]
    left_out = [[u["department"], u["status"]] for u in latest if u not in uploads]
    sent = {u["department"] for u in latest}
    left_out += [[d["name"], None] for d in await run_in_threadpool(st.departments, ws["id"]) if d["name"] not in sent]
    if not uploads:
        return message(
            request,
            400,
            ("ยังไม่มีแบบรายงานที่ใช้ได้", "no usable workbook yet"),
            (
                "ยังไม่มีส่วนราชการใดส่งแบบรายงานที่ไม่มีข้อผิดพลาด",
                "no department has sent a workbook without errors yet",
            ),
            back="/admin",
        )
    pdf = form.get("pdf") == "on" and pipeline.has_soffice()
    try:
        date = pipeline.check_date(str(form.get("date", ""))[:100])
    except pipeline.CompilerError as exc:
        return message(
            request, 400, ("วันที่ไม่ถูกต้อง", "not a date"), (exc.message_th, exc.message_en), back="/admin#build"
        )
    plan = await run_in_threadpool(st.plan, ws["id"])
    options = {"pdf": pdf, "left_out": left_out, "date": date, "plan": plan["id"] if plan else None}
    build_id = await run_in_threadpool(st.add_build, ws["id"], options, [u["id"] for u in uploads])
    thread = threading.Thread(
        target=run_build, args=(st, lim, build_id, uploads, pdf, date), daemon=True, name=f"build-{build_id}"
    )
    thread.start()
    return RedirectResponse(f"/admin/builds/{build_id}", 303)


def _build_for(request: Request) -> Any:
    require_admin(request)
    build = store(request).build(request.path_params["id"])
    if build is None or build["workspace_id"] != workspace(request)["id"]:
        raise HTTPException(404)
    return build


async def admin_build_page(request: Request) -> Response:
    build = _build_for(request)
    st = store(request)
    started = dt.datetime.fromisoformat(build["created"])
    elapsed = int((dt.datetime.now(dt.UTC) - started).total_seconds())
    return render(
        request,
        "build.html",
        build=build,
        result=json.loads(build["result"]),
        options=json.loads(build["options"]),
        files=st.build_files(build["id"]),
        elapsed=elapsed,
    )


async def admin_build_file(request: Request) -> Response:
    build = _build_for(request)
    files = store(request).build_files(build["id"])
    position = request.path_params["pos"]
    if not 0 <= position < len(files):
        raise HTTPException(404)
    row = files[position]
    return download(store(request).get_blob(row["blob"]), row["name"], media_type(row["name"]))


async def admin_build_zip(request: Request) -> Response:
    build = _build_for(request)
    st = store(request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for row in st.build_files(build["id"]):
            zf.writestr(row["name"], st.get_blob(row["blob"]))
    return download(buffer.getvalue(), f"ita-report-{build['id']}.zip", "application/zip")


async def admin_build_preview(request: Request) -> Response:
    build = _build_for(request)
    digest = json.loads(build["result"]).get("preview")
    if not digest:
        raise HTTPException(404)
    return Response(store(request).get_blob(digest), media_type="image/png")
