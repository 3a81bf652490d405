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

The modules: ``app`` (this: middleware, errors, assembly), ``pages`` (templates and what every
view shares), ``views`` (an organisation's workspace), ``storage`` (SQLite and blobs),
``pipeline`` (the one door into the library, contained workers), ``security``.

A data folder holds one workspace whose ``kind`` says which views answer in it
(``pages.workspace(request, kind)``). A district's workspace (issue 15) is a second module of
views with its own ``ROUTES`` (its organisations' links under their own prefix, its dashboard),
added to the routes here and to the kinds set-up offers; its tables come as a new migration.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compiler.web import jobs, views
from compiler.web.pages import Limits, message, message_page
from compiler.web.storage import Store

__all__ = ["Limits", "create_app"]


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
            response = message_page(
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


def create_app(
    data: Path, *, limits: Limits | None = None, recheck: bool = True, public_url: str | None = None
) -> Starlette:
    """The web app over the data folder ``data`` (made if missing). ``public_url`` is the
    address other computers reach it at (``http://192.168.1.20:8000``), used in the
    departments' links; ``None``: the address the page was opened with."""
    st = Store(data)
    lim = limits or Limits()
    st.fail_interrupted_builds()
    routes = [*views.ROUTES, Mount("/static", StaticFiles(packages=[("compiler.web", "static")]), name="static")]
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
    app.state.public_url = public_url.rstrip("/") if public_url else None
    if recheck and st.unchecked_uploads():
        threading.Thread(target=jobs.recheck_interrupted, args=(st, lim), daemon=True, name="recheck").start()
    return app
