"""The views of an organisation's workspace: ``ROUTES`` (set-up and sign-in are here; the
secretary's pages in ``secretary``, each department's in ``departments``); ``app.create_app``
mounts them. A district's workspace (issue 15) adds its own modules of views beside these,
on the same pages, storage, jobs and pipeline.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compiler.web import district, pipeline, security
from compiler.web.departments import (
    department,
    department_form,
    department_upload,
    department_upload_file,
    department_upload_page,
)
from compiler.web.pages import (
    is_local,
    limits,
    message,
    post_form,
    render,
    store,
)
from compiler.web.plan import plan_download, plan_page, plan_save, plan_upload, plan_version, read_upload
from compiler.web.secretary import (
    admin,
    admin_add_department,
    admin_build,
    admin_build_file,
    admin_build_page,
    admin_build_preview,
    admin_build_zip,
    admin_details,
    admin_emblem,
    admin_emblem_picture,
    admin_reissue_link,
)
from compiler.web.storage import Store

# -- views: set-up and login --------------------------------------------------------------


def landing(request: Request) -> str:
    """Where the signed-in user starts: the secretary's overview, or the district's dashboard."""
    ws = store(request).workspace()
    return "/district" if ws is not None and ws["kind"] == "district" else "/admin"


async def home(request: Request) -> Response:
    if store(request).workspace() is None:
        return RedirectResponse("/setup", 303)
    if request.session.get("admin"):
        return RedirectResponse(landing(request), 303)
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
    kind = request.query_params.get("kind") or request.app.state.kind
    if kind == "district":
        return await district_setup(request)
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
    form = await post_form(request, files=2)  # the details workbook and the plan workbook
    if form.get("kind") == "district":
        await form.close()
        return await district_setup(request)
    try:
        return await _set_up(request, st, form, context)
    finally:
        await form.close()


def password_errors(form: FormData) -> list[tuple[str, str]]:
    """What is wrong with the password typed twice at the first start (Thai, English)."""
    password = str(form.get("password", ""))
    if len(password) < security.MIN_PASSWORD:
        return [
            (
                f"รหัสผ่านต้องยาวอย่างน้อย {security.MIN_PASSWORD} ตัวอักษร",
                f"the password needs at least {security.MIN_PASSWORD} characters",
            )
        ]
    if password != form.get("password2"):
        return [("รหัสผ่านสองช่องไม่ตรงกัน", "the two passwords differ")]
    return []


async def _set_up(request: Request, st: Store, form: FormData, context: dict[str, Any]) -> Response:
    departments = context["standard"]
    values = {k: str(form.get(k, "")).strip()[:300] for k, _, _ in pipeline.DETAIL_FIELDS}
    chosen = [d for d in form.getlist("department") if d in departments]
    others = [" ".join(line.split())[:100] for line in str(form.get("other_departments", "")).splitlines()]
    names = list(dict.fromkeys(chosen + [o for o in others if o]))[:60]
    context.update(values=values, chosen=set(chosen))
    errors = password_errors(form)
    password = str(form.get("password", ""))
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
    plan = form.get("plan_workbook")
    read: dict[str, Any] = {"rows": None}
    if isinstance(plan, UploadFile) and plan.filename:
        read = await read_upload(request, plan)
        errors += read["errors"]
        if read["errors"]:
            context["findings"] = context["findings"] + read["findings"]
        for key, value in read["details"].items():  # what was typed wins; the plan's details fill the gaps
            if key in values and not values[key]:
                values[key] = str(value)
    if not values.get("organisation"):
        errors.append(
            ("กรอกชื่อหน่วยงาน (หรือส่งไฟล์ที่กรอกแล้ว)", "type the organisation's name (or upload a filled workbook)")
        )
    if errors:
        context.update(errors=errors, values=values)
        return render(request, "setup.html", 400, **context)
    hashed = await run_in_threadpool(security.hash_password, password)
    ws = await run_in_threadpool(st.set_up, "organisation", values, hashed, names)
    if read["rows"]:
        await run_in_threadpool(st.add_plan, ws, read["rows"], filename=read["name"], data=read["data"])
    request.session["admin"] = True
    return RedirectResponse("/admin", 303)


async def district_setup(request: Request) -> Response:
    """First start of a district: its name, its organisations (typed or an ``--expect``
    list), its password."""
    st = store(request)
    if request.method == "GET":
        return render(request, "district_setup.html", values={}, errors=[])
    form = await post_form(request, files=1)
    try:
        values = {k: str(form.get(k, "")).strip()[:300] for k in ("district", "province", "fiscal_year")}
        values["names"] = str(form.get("names", ""))[:100_000]
        errors = password_errors(form)
        password = str(form.get("password", ""))
        if not values["district"]:
            errors.append(("กรอกชื่ออำเภอ", "type the district's name"))
        names = await district.names_from(request, form)
        if isinstance(names, Response):
            names = []
            errors.append(("ยังไม่มีรายชื่อหน่วยงาน หรืออ่านไฟล์รายชื่อไม่ได้", "no organisations, or the list cannot be read"))
    finally:
        await form.close()
    if errors:
        return render(request, "district_setup.html", 400, values=values, errors=errors)
    details = {k: values[k] for k in ("district", "province", "fiscal_year")}
    hashed = await run_in_threadpool(security.hash_password, password)
    await run_in_threadpool(st.set_up, "district", details, hashed, names[: district.MAX_ORGANISATIONS])
    request.session["admin"] = True
    return RedirectResponse("/district", 303)


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
    return RedirectResponse(landing(request), 303)


async def logout(request: Request) -> Response:
    await post_form(request)
    request.session.clear()
    return RedirectResponse("/", 303)


ROUTES = [
    Route("/", home),
    Route("/setup", setup, methods=["GET", "POST"]),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/admin", admin),
    Route("/admin/details", admin_details, methods=["POST"]),
    Route("/admin/departments", admin_add_department, methods=["POST"]),
    Route("/admin/departments/{id:int}/reissue", admin_reissue_link, methods=["POST"]),
    Route("/admin/emblem", admin_emblem, methods=["POST"]),
    Route("/admin/plan", plan_page),
    Route("/admin/plan", plan_save, methods=["POST"]),
    Route("/admin/plan/upload", plan_upload, methods=["POST"]),
    Route("/admin/plan.xlsx", plan_download),
    Route("/admin/plan/{id:int}/{which}", plan_version),
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
    # a district's workspace (issue 15): its dashboard and its organisations' links
    *district.ROUTES,
]
