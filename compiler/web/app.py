"""The Starlette application of ``ita-report serve``: routes, sessions, limits.

Pages are rendered on the server (Jinja2, autoescaped: cell text is data) and work without
JavaScript. Requests carry bytes, never paths: an upload is stored (``storage``) before it is
checked, and every check and build runs in a contained worker (``pipeline.run_contained``)
from a thread, so the event loop keeps serving while a workbook is read.

Who may do what:
- ``/setup``: once, at first start, from this computer only (it sets the password);
- ``/d/<token>/…``: a department, through its own link; it sees its own uploads only;
- ``/admin/…``: the secretary, after the password; everything else.
Every POST carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compiler.web import pipeline, security
from compiler.web.storage import Store


@dataclass(frozen=True)
class Limits:
    """What one request and one department may send, and how long the workers may take."""

    upload_mb: int = 20  # one workbook; the library refuses over 100 MB anyway
    uploads_per_hour: int = 60  # per department: enough to fix and resend, not to fill the disk
    check_timeout_s: float = 120
    check_memory_mb: int = 2048
    build_timeout_s: float = 900

    @property
    def body_bytes(self) -> int:
        return (self.upload_mb + 1) * 1024 * 1024  # the file plus the form around it


class FailedLogins:
    """Wrong passwords per client address: after ``allowed`` within ``window_s`` seconds, that
    address waits (a password guesser on the office network gets a few tries an hour, not millions)."""

    def __init__(self, allowed: int = 10, window_s: float = 600) -> None:
        self.allowed, self.window_s = allowed, window_s
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, who: str) -> list[float]:
        now = time.monotonic()
        times = [t for t in self._times.get(who, []) if now - t < self.window_s]
        self._times[who] = times
        return times

    def add(self, who: str) -> None:
        with self._lock:
            self._recent(who).append(time.monotonic())

    def blocked(self, who: str) -> bool:
        with self._lock:
            return len(self._recent(who)) >= self.allowed


class BodyLimit:
    """Refuse a request body over ``limit`` bytes: at once when its length is declared, else
    by ending the stream as a disconnect (the handler then stores nothing)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            response = _message_page(
                scope,
                413,
                "ไฟล์ใหญ่เกินกำหนด",
                "file too large",
                f"ส่งได้ไม่เกิน {self.limit // 1_048_576} MB ต่อครั้ง",
                f"at most {self.limit // 1_048_576} MB per upload",
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited, send)


class SecurityHeaders:
    """No framing, no inline script, no referrer (a department's link never leaves the page)."""

    HEADERS = (
        (
            b"content-security-policy",
            b"default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
            b"frame-ancestors 'none'; base-uri 'none'",
        ),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cache-control", b"no-store"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + list(self.HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


# -- templates ----------------------------------------------------------------------------

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("compiler.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def thai_time(iso: str | None) -> str:
    """``2026-12-02T08:46:11+00:00`` as local time in Thai: ``2 ธ.ค. 2569 15:46``; ``""`` for none."""
    if not iso:
        return ""
    when = dt.datetime.fromisoformat(iso).astimezone()
    return f"{when.day} {_THAI_MONTHS[when.month - 1]} {when.year + 543} {when:%H:%M:%S}"


def file_size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


_env.filters["thai_time"] = thai_time
_env.filters["size"] = file_size

STATUS = {
    None: ("ยังไม่ส่ง", "not sent", "none"),
    "checking": ("กำลังตรวจ", "checking", "busy"),
    "ok": ("ผ่าน", "ok", "ok"),
    "warnings": ("ผ่าน มีคำเตือน", "ok, with warnings", "warn"),
    "errors": ("มีข้อผิดพลาด", "has errors", "bad"),
    "failed": ("ตรวจไม่ได้", "could not be checked", "bad"),
    "running": ("กำลังสร้าง", "building", "busy"),
    "done": ("เสร็จแล้ว", "done", "ok"),
    "refused": ("สร้างไม่ได้ เพราะมีข้อผิดพลาด", "not built: the workbooks have errors", "bad"),
}
_env.globals["STATUS"] = STATUS


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("admin", bool(request.session.get("admin")))
    html = _env.get_template(name).render(request=request, csrf=security.csrf_token(request.session), **context)
    return HTMLResponse(html, status_code=status_code)


def _message_page(scope: Scope, status: int, title_th: str, title_en: str, text_th: str, text_en: str) -> HTMLResponse:
    html = _env.get_template("message.html").render(
        request=None,
        csrf="",
        admin=False,
        title_th=title_th,
        title_en=title_en,
        text_th=text_th,
        text_en=text_en,
        back="/",
    )
    return HTMLResponse(html, status_code=status)


def message(
    request: Request, status: int, title: tuple[str, str], text: tuple[str, str], back: str = ""
) -> HTMLResponse:
    return render(
        request,
        "message.html",
        status,
        title_th=title[0],
        title_en=title[1],
        text_th=text[0],
        text_en=text[1],
        back=back or request.headers.get("referer", "") or "/",
    )


def download(data: bytes, name: str, media_type: str = "application/octet-stream") -> Response:
    """A file download whose (Thai) name survives every browser (RFC 6266 ``filename*``)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    ascii_name = (stem.encode("ascii", "ignore").decode().strip(" .") or "file") + suffix
    quoted = urllib.parse.quote(name)
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": XLSX,
    ".png": "image/png",
    ".zip": "application/zip",
}


def _media(name: str) -> str:
    return MEDIA.get(Path(name).suffix.lower(), "application/octet-stream")


# -- helpers shared by the views ----------------------------------------------------------


def store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def limits(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


async def post_form(request: Request, *, files: int = 0) -> FormData:
    """The POSTed form, refused (403) unless it carries this session's CSRF token, and
    holding at most ``files`` files and a few small fields."""
    try:
        form = await request.form(max_files=files, max_fields=40, max_part_size=64 * 1024)
    except ClientDisconnect:
        raise
    except HTTPException:
        raise
    except Exception as exc:  # a malformed multipart body
        raise HTTPException(400, "malformed form") from exc
    if not security.csrf_ok(request.session, form.get("csrf")):
        await form.close()
        raise HTTPException(403, "csrf")
    return form


def is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    return host in ("127.0.0.1", "::1", "localhost")


def workspace(request: Request) -> Any:
    ws = store(request).workspace()
    if ws is None:
        raise HTTPException(409, "not set up")
    return ws


def details_of(ws: Any) -> dict[str, str]:
    return json.loads(ws["details"])  # type: ignore[no-any-return]


def require_admin(request: Request) -> None:
    if not request.session.get("admin"):
        raise HTTPException(401, "login")


def department_for(request: Request) -> Any:
    dept = store(request).department_by_token(request.path_params["token"])
    if dept is None:
        raise HTTPException(404, "no such link")
    return dept


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
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "admin.html",
        ws=ws,
        details=details_of(ws),
        fields=pipeline.DETAIL_FIELDS,
        departments=departments,
        builds=st.builds(ws["id"]),
        base=base,
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


async def admin_department(request: Request) -> Response:
    require_admin(request)
    st = store(request)
    dept = st.department(request.path_params["id"])
    if dept is None or dept["workspace_id"] != workspace(request)["id"]:
        raise HTTPException(404)
    uploads = [upload_view(u) for u in st.uploads(dept["id"])]
    return render(
        request,
        "department.html",
        organisation=details_of(workspace(request)).get("organisation", ""),
        dept=dept,
        uploads=uploads,
        base_path=f"/admin/departments/{dept['id']}",
        link=f"{str(request.base_url).rstrip('/')}/d/{dept['token']}",
        limits=limits(request),
        shown=None,
    )


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
    return download(store(request).get_blob(row["blob"]), row["name"], _media(row["name"]))


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


async def admin_upload_file(request: Request) -> Response:
    require_admin(request)
    return _upload_file(request, None)


# -- views: a department ------------------------------------------------------------------


async def department(request: Request) -> Response:
    dept = department_for(request)
    st = store(request)
    uploads = [upload_view(u) for u in st.uploads(dept["id"])]
    return render(
        request,
        "department.html",
        organisation=details_of(workspace(request)).get("organisation", ""),
        dept=dept,
        uploads=uploads,
        base_path=f"/d/{dept['token']}",
        link="",
        limits=limits(request),
        shown=uploads[0] if uploads else None,
    )


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
            f"/d/{dept['token']}",
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
    back = f"/d/{dept['token']}"
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
    return RedirectResponse(f"/d/{dept['token']}/uploads/{upload_id}", 303)


def _upload_for(request: Request, dept: Any | None) -> Any:
    upload = store(request).upload(request.path_params["upload"])
    if upload is None or (dept is not None and upload["department_id"] != dept["id"]):
        raise HTTPException(404)
    if dept is None:
        owner = store(request).department(upload["department_id"])
        if owner is None or owner["workspace_id"] != workspace(request)["id"]:
            raise HTTPException(404)
    return upload


async def department_upload_page(request: Request) -> Response:
    dept = department_for(request)
    st = store(request)
    shown = upload_view(_upload_for(request, dept))
    uploads = [upload_view(u) for u in st.uploads(dept["id"])]
    return render(
        request,
        "department.html",
        organisation=details_of(workspace(request)).get("organisation", ""),
        dept=dept,
        uploads=uploads,
        base_path=f"/d/{dept['token']}",
        link="",
        limits=limits(request),
        shown=shown,
    )


def _upload_file(request: Request, dept: Any | None) -> Response:
    upload = _upload_for(request, dept)
    which = request.path_params["which"]
    if which == "annotated" and upload["annotated"]:
        stem = Path(upload["filename"]).stem
        return download(store(request).get_blob(upload["annotated"]), f"{stem} (ตรวจแล้ว).xlsx", XLSX)
    if which == "original":
        return download(store(request).get_blob(upload["blob"]), upload["filename"], _media(upload["filename"]))
    raise HTTPException(404)


async def department_upload_file(request: Request) -> Response:
    return _upload_file(request, department_for(request))


# -- errors -------------------------------------------------------------------------------

_ERRORS = {
    400: (("คำขอไม่ถูกต้อง", "bad request"), ("ลองใหม่จากหน้าเดิม", "go back and try again")),
    401: (("ต้องเข้าสู่ระบบ", "please sign in"), ("หน้านี้สำหรับเลขานุการ", "this page is the secretary's")),
    403: (
        ("ฟอร์มหมดอายุหรือไม่ถูกต้อง", "form expired or not valid"),
        ("โหลดหน้าใหม่แล้วส่งอีกครั้ง (ไม่มีรหัสป้องกัน CSRF)", "reload the page and send again (no CSRF token)"),
    ),
    404: (("ไม่พบหน้านี้", "not found"), ("ลิงก์ไม่ถูกต้องหรือถูกยกเลิก", "the link is wrong or was withdrawn")),
    405: (("ไม่รองรับ", "method not allowed"), ("ลองใหม่จากหน้าเดิม", "go back and try again")),
    409: (("ยังไม่ได้ตั้งค่า", "not set up yet"), ("เปิดหน้าแรกเพื่อตั้งค่า", "open the first page to set up")),
}


async def http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    if code == 401:
        return RedirectResponse("/login", 303)
    title, text = _ERRORS.get(code, (("เกิดข้อผิดพลาด", "error"), ("ลองใหม่อีกครั้ง", "please try again")))
    parts = request.url.path.split("/")
    back = f"/d/{parts[2]}" if len(parts) > 3 and parts[1] == "d" else "/admin" if parts[1] == "admin" else "/"
    return message(request, code, title, text, back=back)


def create_app(data: Path, *, limits: Limits | None = None, recheck: bool = True) -> Starlette:
    """The web app over the data folder ``data`` (made if missing)."""
    st = Store(data)
    lim = limits or Limits()
    st.fail_interrupted_builds()
    routes = [
        Route("/", home),
        Route("/setup", setup, methods=["GET", "POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/admin", admin),
        Route("/admin/details", admin_details, methods=["POST"]),
        Route("/admin/departments", admin_add_department, methods=["POST"]),
        Route("/admin/emblem", admin_emblem, methods=["POST"]),
        Route("/admin/emblem.png", admin_emblem_picture),
        Route("/admin/departments/{id:int}", admin_department),
        Route("/admin/departments/{id:int}/uploads/{upload:int}/{which}", admin_upload_file),
        Route("/admin/build", admin_build, methods=["POST"]),
        Route("/admin/builds/{id:int}", admin_build_page),
        Route("/admin/builds/{id:int}/files/{pos:int}", admin_build_file),
        Route("/admin/builds/{id:int}/all.zip", admin_build_zip),
        Route("/admin/builds/{id:int}/preview.png", admin_build_preview),
        Route("/d/{token}", department),
        Route("/d/{token}/form.xlsx", department_form),
        Route("/d/{token}/upload", department_upload, methods=["POST"]),
        Route("/d/{token}/uploads/{upload:int}", department_upload_page),
        Route("/d/{token}/uploads/{upload:int}/{which}", department_upload_file),
        Mount("/static", StaticFiles(packages=[("compiler.web", "static")]), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit=lim.body_bytes),
        Middleware(
            SessionMiddleware,
            secret_key=st.secret_key(),
            session_cookie="ita_session",
            max_age=12 * 3600,
            same_site="lax",
            https_only=False,
        ),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error, 500: http_error}
    )
    app.state.store = st
    app.state.limits = lim
    app.state.failed_logins = FailedLogins()
    if recheck and st.unchecked_uploads():
        threading.Thread(target=recheck_interrupted, args=(st, lim), daemon=True, name="recheck").start()
    return app
