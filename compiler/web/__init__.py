"""``ita-report serve``: a local web page over the library for departments and the secretary.

``create_app(data)`` is the ASGI application (Starlette); ``serve`` runs it with uvicorn and
opens the browser. See ``app`` for the routes, ``storage`` for the data folder and
``pipeline`` for the one door into the library.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import webbrowser
from collections.abc import Iterator
from pathlib import Path

from starlette.types import ASGIApp

from compiler.web.app import Limits, create_app

__all__ = ["Limits", "background_server", "create_app", "default_data_folder", "serve"]


def default_data_folder() -> Path:
    """The platform's user data folder: ``%LOCALAPPDATA%\\ita-report`` on Windows,
    ``~/.local/share/ita-report`` on Linux."""
    import platformdirs

    return Path(platformdirs.user_data_dir("ita-report", appauthor=False))


def office_address() -> str:
    """This computer's address on the office network (the one its default route leaves by;
    no packet is sent); ``127.0.0.1`` when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(*, host: str = "127.0.0.1", port: int = 8000, data: Path | None = None, open_browser: bool = True) -> None:
    """Serve the app until interrupted; ``open_browser`` opens it through ``webbrowser``
    (so ``BROWSER`` is honoured) once the server listens."""
    import uvicorn

    from compiler.errors import UsageError

    if not _port_free(host, port):
        raise UsageError(
            f"พอร์ต {port} ถูกใช้อยู่ (เปิดโปรแกรมไว้แล้วหรือไม่?) ลองใช้ --port {port + 1}",
            f"port {port} is in use (is ita-report serve already running?); try --port {port + 1}",
        )
    folder = Path(data) if data is not None else default_data_folder()
    everywhere = host in ("0.0.0.0", "::")
    public = f"http://{office_address()}:{port}" if everywhere else None
    app = create_app(folder, public_url=public)
    shown = "127.0.0.1" if everywhere else host
    url = f"http://{shown}:{port}/"
    print(f"ita-report: {url}  (ข้อมูล / data: {folder})  กด Ctrl+C เพื่อหยุด / Ctrl+C to stop", flush=True)
    if public:
        print(f"เครื่องอื่นในสำนักงานเปิดได้ที่ / other computers in the office: {public}/", flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if open_browser:

        def opener() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.1)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=opener, daemon=True).start()
    server.run()


@contextlib.contextmanager
def background_server(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a thread of this process (tests, benchmarks); yields its base URL
    (``http://127.0.0.1:PORT``; port 0 picks a free one) and stops the server on exit."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True, name="ita_report_serve")
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        threading.Event().wait(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(10)
