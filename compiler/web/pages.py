"""What every page of ``ita-report serve`` shares: the templates, rendering, messages,
downloads, the CSRF-checked form, and the request's store, limits and workspace.

The views of a workspace (``views`` for an organisation; a district's later) build on these.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Scope

from compiler.web import security
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
_env.filters["count_rows"] = lambda rows: len(json.loads(rows))

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


def message_page(scope: Scope, status: int, title_th: str, title_en: str, text_th: str, text_en: str) -> HTMLResponse:
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
    # the plain name for old browsers: letters, digits and a few marks only (no quote to break out of)
    ascii_name = (re.sub(r"[^A-Za-z0-9 ._()-]", "", stem).strip(" .") or "file") + re.sub(r"[^A-Za-z0-9.]", "", suffix)
    quoted = urllib.parse.quote(name, safe="")
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": XLSX,
    ".png": "image/png",
    ".zip": "application/zip",
}


def media_type(name: str) -> str:
    return MEDIA.get(Path(name).suffix.lower(), "application/octet-stream")


# -- helpers shared by the views ----------------------------------------------------------


def store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def limits(request: Request) -> Limits:
    return request.app.state.limits  # type: ignore[no-any-return]


async def post_form(request: Request, *, files: int = 0, fields: int = 40) -> FormData:
    """The POSTed form, refused (403) unless it carries this session's CSRF token, and
    holding at most ``files`` files and ``fields`` small fields."""
    try:
        form = await request.form(max_files=files, max_fields=fields, max_part_size=64 * 1024)
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


def public_base(request: Request) -> str:
    """The address departments open their links at: the one ``serve`` found for the office
    network, else the one this page was opened with."""
    return request.app.state.public_url or str(request.base_url).rstrip("/")


def is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    return host in ("127.0.0.1", "::1", "localhost")


def workspace(request: Request, kind: str = "organisation") -> Any:
    """The data folder's workspace, which must be of ``kind``: the views of one kind of
    workspace answer 404 in a folder of the other (409 before the first start)."""
    ws = store(request).workspace()
    if ws is None:
        raise HTTPException(409, "not set up")
    if ws["kind"] != kind:
        raise HTTPException(404, "another kind of workspace")
    return ws


def details_of(ws: Any) -> dict[str, str]:
    return json.loads(ws["details"])  # type: ignore[no-any-return]


def require_admin(request: Request) -> None:
    if not request.session.get("admin"):
        raise HTTPException(401, "login")


#: The largest emblem picture taken (bytes).
EMBLEM_BYTES = 5 * 1024 * 1024


async def receive_emblem(request: Request, back: str) -> Response:
    """Store the Garuda emblem's picture sent in the form's ``emblem`` field (PNG or JPEG, at
    most 5 MB) as the workspace's ``emblem`` setting; then back to ``back``."""
    from compiler.web import pipeline

    require_admin(request)
    form = await post_form(request, files=1)
    try:
        file = form.get("emblem")
        data = await file.read(EMBLEM_BYTES + 1) if isinstance(file, UploadFile) else b""
    finally:
        await form.close()
    if not pipeline.picture_suffix(data) or len(data) > EMBLEM_BYTES:
        return message(
            request,
            400,
            ("ไฟล์ตราครุฑต้องเป็นรูปภาพ PNG หรือ JPEG", "the emblem must be a PNG or JPEG picture"),
            ("ขนาดไม่เกิน 5 MB", "of at most 5 MB"),
            back=back,
        )
    st = store(request)
    blob = await run_in_threadpool(st.put_blob, data)
    await run_in_threadpool(st.set_setting, "emblem", blob.hash)
    return RedirectResponse(back, 303)


def emblem_picture(request: Request) -> Response:
    """The stored emblem's picture (404 when there is none)."""
    from compiler.web import pipeline

    require_admin(request)
    digest = store(request).setting("emblem")
    if not digest:
        raise HTTPException(404)
    data = store(request).get_blob(digest)
    return Response(data, media_type="image/png" if pipeline.picture_suffix(data) == ".png" else "image/jpeg")
