"""``ita-report serve`` as a clerk starts it: the browser opens on the page; a port in use is a message."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main


def test_serve_opens_the_browser_through_webbrowser_and_serves_the_first_start(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys, pathlib; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    env = {**os.environ, "BROWSER": f"{sys.executable} {browser} %s"}
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "serve", "--port", str(port), "--data", str(tmp_path / "data")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.1)
        assert opened.read_text() == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(opened.read_text()) as page:
            html = page.read().decode()
        assert page.url.endswith("/setup") and '<html lang="th">' in html
        assert (tmp_path / "data" / "ita-report.sqlite3").exists()
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out.decode()


def test_a_port_in_use_is_a_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--data", str(tmp_path), "--no-browser"])
    assert result.exit_code == 2
    assert f"port {port} is in use" in result.output and "Traceback" not in result.output
    assert not Path(tmp_path / "ita-report.sqlite3").exists()  # nothing made before the refusal
