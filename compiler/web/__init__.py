"""``ita-report serve``: a local web page over the library for departments and the secretary.

``create_app(data)`` is the ASGI application (Starlette); ``serve`` runs it with uvicorn and
opens the browser. See ``app`` for the routes, ``storage`` for the data folder and
``pipeline`` for the one door into the library.
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from .app import Limits, create_app

__all__ = ["Limits", "create_app", "default_data_folder", "serve"]


def default_data_folder() -> Path:
    """The platform's user data folder: ``%LOCALAPPDATA%\\ita-report`` on Windows,
    ``~/.local/share/ita-report`` on Linux."""
    import platformdirs

    return Path(platformdirs.user_data_dir("ita-report", appauthor=False))


def serve(*, host: str = "127.0.0.1", port: int = 8000, data: Path | None = None, open_browser: bool = True) -> None:
    """Serve the app until interrupted; ``open_browser`` opens it through ``webbrowser``
    (so ``BROWSER`` is honoured) once the server listens."""
    import uvicorn

    folder = Path(data) if data is not None else default_data_folder()
    app = create_app(folder)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    print(f"ita-report: {url}  (ข้อมูล / data: {folder})  กด Ctrl+C เพื่อหยุด / Ctrl+C to stop", flush=True)
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
