"""The views of an organisation's workspace: set-up and sign-in, the secretary's overview and
builds, and each department's page behind its own link.

``ROUTES`` lists them; ``app.create_app`` mounts them. A district's workspace (issue 15) adds
its own module of views beside this one, on the same pages, storage and pipeline.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compiler.web import pipeline, security
from compiler.web.pages import (
    XLSX,
    Limits,
    details_of,
    download,
    is_local,
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
from compiler.web.storage import Store


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


# -- contained work (run in threads) ------------------------------------------------------


def check_upload(st: Store, lim: Limits, upload_id: int) -> None:
    """Check a stored upload in a contained worker and record the outcome."""
    upload = st.upload(upload_id)
    if upload is None or upload["status"] != "checking":
        return
    dept = st.department(upload["department_id"])
    # findings name the file as the clerk sent it (made safe), else after the department
    label = Path(upload["filename"]).stem if pipeline.suffix_of(upload["filename"]) else ""
    try:
        checked = pipeline.run_contained(
            pipeline.check_workbook,
            label or (dept["name"] if dept else ""),
            pipeline.suffix_of(upload["filename"]),
            st.get_blob(upload["blob"]),
            timeout_s=lim.check_timeout_s,
            memory_mb=lim.check_memory_mb,
        )
    except pipeline.CompilerError as exc:
        st.finish_upload(upload_id, "failed", {"error_th": exc.message_th, "error_en": exc.message_en}, None)
        return
    annotated = checked.pop("annotated")
    st.finish_upload(upload_id, pipeline.status_of(checked), checked, annotated)


def run_build(st: Store, lim: Limits, build_id: int, uploads: list[Any], pdf: bool, date: str = "") -> None:
    """Build in a contained worker and record the files; any failure is recorded, so no
    build is left ``running``. No memory limit: LibreOffice, a child of the worker, maps
    more address space than it uses (the inputs were each checked under the limit)."""
    try:
        workbooks = [(u["department"], pipeline.suffix_of(u["filename"]), st.get_blob(u["blob"])) for u in uploads]
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
            memory_mb=None,
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
    for upload_id in st.unchecked_uploads():
        check_upload(st, lim, upload_id)


# -- views: set-up and login --------------------------------------------------------------


async def home(request: Request) -> Response:
    if store(request).workspace() is None:
        return RedirectResponse("/setup", 303)
    if request.session.get("admin"):
        return RedirectResponse("/admin", 303)
    return render(request, "home.html")


async def setup(request: Request) -> Response:
    st = store(request)
    if st.workspace() is not None:
        return RedirectResponse("/", 303)
    if not is_local(request):
        return message(
            request,
            403,
            ("ตั้งค่าได้จากเครื่องนี้เท่านั้น", "set up from this computer only"),
            (
                "เปิด http://127.0.0.1 บนเครื่องที่รันโปรแกรมเพื่อตั้งรหัสผ่านครั้งแรก",
                "open the page on the computer that runs ita-report to set the password",
            ),
        )
    departments = pipeline.standard_departments()
    context: dict[str, Any] = {
        "fields": pipeline.DETAIL_FIELDS,
        "standard": departments,
        "values": {},
        "chosen": set(departments[:3]),
        "errors": [],
        "findings": [],
    }
    if request.method == "GET":
        return render(request, "setup.html", **context)
    form = await post_form(request, files=1)
    try:
        return await _set_up(request, st, form, context)
    finally:
        await form.close()


async def _set_up(request: Request, st: Store, form: FormData, context: dict[str, Any]) -> Response:
    departments = context["standard"]
    values = {k: str(form.get(k, "")).strip()[:300] for k, _, _ in pipeline.DETAIL_FIELDS}
    chosen = [d for d in form.getlist("department") if d in departments]
    others = [" ".join(line.split())[:100] for line in str(form.get("other_departments", "")).splitlines()]
    names = list(dict.fromkeys(chosen + [o for o in others if o]))[:60]
    context.update(values=values, chosen=set(chosen))
    errors: list[tuple[str, str]] = []
    password = str(form.get("password", ""))
    if len(password) < security.MIN_PASSWORD:
        errors.append(
            (
                f"รหัสผ่านต้องยาวอย่างน้อย {security.MIN_PASSWORD} ตัวอักษร",
                f"the password needs at least {security.MIN_PASSWORD} characters",
            )
        )
    elif password != form.get("password2"):
        errors.append(("รหัสผ่านสองช่องไม่ตรงกัน", "the two passwords differ"))
    if not names:
        errors.append(("เลือกส่วนราชการอย่างน้อยหนึ่งแห่ง", "choose at least one department"))
    workbook = form.get("details_workbook")
    if isinstance(workbook, UploadFile) and workbook.filename:
        data = await workbook.read(limits(request).upload_mb * 1024 * 1024 + 1)
        suffix = pipeline.suffix_of(workbook.filename)
        if not suffix:
            errors.append(
                (
                    "ไฟล์ข้อมูลหน่วยงานต้องเป็น .xlsx .xlsm .xls หรือ .ods",
                    "the details workbook must be .xlsx, .xlsm, .xls or .ods",
                )
            )
        else:
            try:
                got = await run_in_threadpool(
                    pipeline.run_contained,
                    pipeline.details_from_workbook,
                    suffix,
                    data,
                    timeout_s=limits(request).check_timeout_s,
                    memory_mb=limits(request).check_memory_mb,
                )
            except pipeline.CompilerError as exc:
                got = {"details": None, "findings": [], "error": (exc.message_th, exc.message_en)}
            if got["details"] is None:
                errors.append(("อ่านข้อมูลหน่วยงานจากไฟล์ไม่ได้", "cannot read the organisation's details from the file"))
                context["findings"] = got["findings"]
            else:
                values = {k: v or values.get(k, "") for k, v in got["details"].items()}
    if not values.get("organisation"):
        errors.append(
            ("กรอกชื่อหน่วยงาน (หรือส่งไฟล์ที่กรอกแล้ว)", "type the organisation's name (or upload a filled workbook)")
        )
    if errors:
        context.update(errors=errors, values=values)
        return render(request, "setup.html", 400, **context)
    hashed = await run_in_threadpool(security.hash_password, password)
    await run_in_threadpool(st.set_up, "organisation", values, hashed, names)
    request.session["admin"] = True
    return RedirectResponse("/admin", 303)


async def login(request: Request) -> Response:
    if store(request).workspace() is None:
        return RedirectResponse("/setup", 303)
    if request.method == "GET":
        return render(request, "login.html", error=False)
    form = await post_form(request)
    who = request.client.host if request.client else ""
    if request.app.state.failed_logins.blocked(who):
        return message(
            request,
            429,
            ("ใส่รหัสผ่านผิดหลายครั้ง", "too many wrong passwords"),
            ("กรุณารอ 10 นาทีแล้วลองใหม่", "wait 10 minutes, then try again"),
            "/login",
        )
    ok = await run_in_threadpool(
        security.verify_password, str(form.get("password", "")), store(request).setting("password")
    )
    if not ok:
        request.app.state.failed_logins.add(who)
        return render(request, "login.html", 401, error=True)
    request.session.clear()
    request.session["admin"] = True
    return RedirectResponse("/admin", 303)


async def logout(request: Request) -> Response:
    await post_form(request)
    request.session.clear()
    return RedirectResponse("/", 303)


# -- views: the secretary -----------------------------------------------------------------


async def admin(request: Request) -> Response:
    require_admin(request)
    st = store(request)
    ws = workspace(request)
    departments = await run_in_threadpool(st.departments, ws["id"])
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
    require_admin(request)
    form = await post_form(request, files=1)
    try:
        file = form.get("emblem")
        data = await file.read(5 * 1024 * 1024 + 1) if isinstance(file, UploadFile) else b""
    finally:
        await form.close()
    if not pipeline.picture_suffix(data) or len(data) > 5 * 1024 * 1024:
        return message(
            request,
            400,
            ("ไฟล์ตราครุฑต้องเป็นรูปภาพ PNG หรือ JPEG", "the emblem must be a PNG or JPEG picture"),
            ("ขนาดไม่เกิน 5 MB", "of at most 5 MB"),
            back="/admin#emblem",
        )
    st = store(request)
    blob = await run_in_threadpool(st.put_blob, data)
    await run_in_threadpool(st.set_setting, "emblem", blob.hash)
    return RedirectResponse("/admin#emblem", 303)


async def admin_emblem_picture(request: Request) -> Response:
    require_admin(request)
    digest = store(request).setting("emblem")
    if not digest:
        raise HTTPException(404)
    data = store(request).get_blob(digest)
    return Response(data, media_type="image/png" if pipeline.picture_suffix(data) == ".png" else "image/jpeg")


async def admin_add_department(request: Request) -> Response:
    require_admin(request)
    form = await post_form(request)
    name = " ".join(str(form.get("name", "")).split())[:100]
    if name:
        await run_in_threadpool(store(request).add_department, workspace(request)["id"], name)
    return RedirectResponse("/admin#departments", 303)


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
    options = {"pdf": pdf, "left_out": left_out, "date": date}
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


# -- views: a department ------------------------------------------------------------------


async def department(request: Request) -> Response:
    return department_page(request, department_for(request), None)


async def department_form(request: Request) -> Response:
    dept = department_for(request)
    ws = workspace(request)
    # made from the secretary's own typed details, not from an upload: no need to contain it
    try:
        data, name = await run_in_threadpool(pipeline.department_form, details_of(ws), dept["name"])
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


ROUTES = [
    Route("/", home),
    Route("/setup", setup, methods=["GET", "POST"]),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/admin", admin),
    Route("/admin/details", admin_details, methods=["POST"]),
    Route("/admin/departments", admin_add_department, methods=["POST"]),
    Route("/admin/emblem", admin_emblem, methods=["POST"]),
    Route("/admin/emblem.png", admin_emblem_picture),
    Route("/admin/build", admin_build, methods=["POST"]),
    Route("/admin/builds/{id:int}", admin_build_page),
    Route("/admin/builds/{id:int}/files/{pos:int}", admin_build_file),
    Route("/admin/builds/{id:int}/all.zip", admin_build_zip),
    Route("/admin/builds/{id:int}/preview.png", admin_build_preview),
    # a department's pages: through its link, or by the secretary (uploading on its behalf)
    *(
        route
        for prefix in ("/d/{token}", "/admin/departments/{id:int}")
        for route in (
            Route(prefix, department),
            Route(f"{prefix}/form.xlsx", department_form),
            Route(f"{prefix}/upload", department_upload, methods=["POST"]),
            Route(f"{prefix}/uploads/{{upload:int}}", department_upload_page),
            Route(f"{prefix}/uploads/{{upload:int}}/{{which}}", department_upload_file),
        )
    ),
]
