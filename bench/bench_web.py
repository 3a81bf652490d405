"""Benchmark of `ita-report serve` (issue 14). Prints figures; asserts nothing but the count.

Starts `ita-report serve` in its own process on a free localhost port, with a workspace of
N departments (default 50), then every department at once: opens its link (session and
CSRF token) and uploads its own workbook (the sample's, its department cell changed, so no
two are alike). An upload's response comes back once the workbook is stored and checked in
a contained worker, so its time is what a clerk waits for. Prints p50 / p95 / max response
times, the wall time, and whether every upload is stored once with the bytes that were sent.

Run: python bench/bench_web.py [--departments 50]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import http.client
import io
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from compiler.web.security import hash_password  # noqa: E402
from compiler.web.storage import Store  # noqa: E402

SAMPLE = ROOT / "sample_workbooks" / "phon_sai_2568" / "กองคลัง.xlsx"


def workbook_for(department: str) -> bytes:
    wb = openpyxl.load_workbook(SAMPLE)
    info = wb["ข้อมูลหน่วยงาน"]
    for row in info.iter_rows():
        if row[0].value == "ส่วนราชการ":
            row[1].value = department
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(  # type: ignore[no-untyped-def]
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, timeout: float = 600
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def start_server(data_dir: Path, *flags: str) -> tuple[subprocess.Popen[bytes], int]:
    """``ita-report serve`` on a free port over ``data_dir`` (with ``flags``), once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler.cli",
            "serve",
            *flags,
            "--no-browser",
            "--port",
            str(port),
            "--data",
            str(data_dir),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            request(port, "GET", "/", timeout=5)
            return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def upload(port: int, link: str, name: str, data: bytes) -> tuple[float, int]:
    """One department: open its page, send its workbook. Returns (seconds for the POST, status)."""
    status, headers, page = request(port, "GET", link)
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()  # type: ignore[union-attr]
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    started = time.perf_counter()
    status, _, _ = request(
        port,
        "POST",
        f"{link}/upload",
        body,
        {
            "content-type": f"multipart/form-data; boundary={boundary}",
            "cookie": cookie,
        },
    )
    return time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=50)
    args = parser.parse_args()
    names = [f"ส่วนราชการที่ {i:02d}" for i in range(1, args.departments + 1)]
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        data_dir = Path(tmp) / "data"
        store = Store(data_dir)
        ws = store.set_up("organisation", {"organisation": "เทศบาลตำบลโพนทราย"}, hash_password("bench-password"), names)
        links = {d["name"]: f"/d/{d['token']}" for d in store.departments(ws)}
        files = {name: workbook_for(name) for name in names}
        server, port = start_server(data_dir)
        try:
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(names)) as pool:
                results = list(pool.map(lambda n: upload(port, links[n], f"{n}.xlsx", files[n]), names))
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(30)
        times = sorted(t for t, _ in results)
        statuses = [s for _, s in results]
        stored = {}
        for d in store.departments(ws):
            rows = store.uploads(d["id"])
            stored[d["name"]] = [(r["status"], hashlib.sha256(store.get_blob(r["blob"])).hexdigest()) for r in rows]
        lost = [n for n in names if len(stored[n]) != 1 or stored[n][0][1] != hashlib.sha256(files[n]).hexdigest()]
        unchecked = [n for n in names if stored[n] and stored[n][0][0] == "checking"]
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"{len(names)} departments uploading at once to ita-report serve (127.0.0.1), {len(files[names[0]]):,} bytes each"
        )
        print(
            f"responses: {statuses.count(303)} × 303 (stored and checked), others: {[s for s in statuses if s != 303]}"
        )
        print(f"upload response time: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")
        print(f"all {len(names)} uploads answered in {wall:.2f} s of wall time")
        print(
            f"uploads lost or stored wrong: {len(lost)}{' ' + str(lost) if lost else ''}; left unchecked: {len(unchecked)}"
        )
        if lost or unchecked:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
