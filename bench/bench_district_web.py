"""Benchmark of the district's intake on the web (issue 15). Prints figures; asserts only
that nothing was lost or counted twice.

Generates N organisations' submissions with ``tools/make_inbox.py`` (each sent as a .zip;
a folder submission is zipped first), starts ``ita-report serve --district`` in its own
process on a free localhost port with those N organisations, then uploads every zip
through its organisation's link, ``--concurrency`` at a time (each request bounded by a
timeout). Meanwhile the district's dashboard is polled every 2 s. Prints: the time until
the dashboard shows all N as sent, p50/p95/max upload response time (a response comes once
the zip is stored and surveyed in a contained worker), the peak resident memory of the
server's process tree (the server, its forkserver and workers; sampled every 0.1 s), and
whether each organisation is on the dashboard once with the status the generator planned.

Run: python bench/bench_district_web.py [--organisations 500] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import io
import itertools
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import request, start_server  # noqa: E402
from make_inbox import FAULT_STATUS, make_inbox  # noqa: E402

from compiler.web.security import hash_password  # noqa: E402
from compiler.web.storage import Store  # noqa: E402

PASSWORD = "bench-password"


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    for field, name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/zip\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def csrf_and_cookie(headers: dict[str, str], page: bytes) -> tuple[str, str]:
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()  # type: ignore[union-attr]
    return csrf, cookie


def upload(port: int, link: str, name: str, data: bytes) -> tuple[float, int]:
    """One organisation: open its link, send its zip. Returns (seconds for the POST, status)."""
    _, headers, page = request(port, "GET", link)
    csrf, cookie = csrf_and_cookie(headers, page)
    body, kind = multipart({"csrf": csrf}, [("files", name, data)])
    started = time.perf_counter()
    status, _, _ = request(port, "POST", f"{link}/upload", body, {"content-type": kind, "cookie": cookie})
    return time.perf_counter() - started, status


def sign_in(port: int) -> str:
    _, headers, page = request(port, "GET", "/login")
    csrf, cookie = csrf_and_cookie(headers, page)
    body = urllib.parse.urlencode({"csrf": csrf, "password": PASSWORD}).encode()
    status, headers, _ = request(
        port, "POST", "/login", body, {"content-type": "application/x-www-form-urlencoded", "cookie": cookie}
    )
    assert status == 303, status
    return headers["set-cookie"].split(";", 1)[0]


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def zipped(path: Path) -> bytes:
    if path.suffix == ".zip":
        return path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(path.iterdir()):
            zf.writestr(f.name, f.read_bytes())
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--departments", type=int, default=3)
    parser.add_argument("--measures", type=int, default=10)
    parser.add_argument("--broken", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-district-web-") as tmp:
        t = time.perf_counter()
        plan = make_inbox(
            Path(tmp) / "inbox",
            args.organisations,
            departments=args.departments,
            measures=args.measures,
            broken=args.broken,
            zips=1.0,
            seed=1,
        )
        files = {p.name: zipped(Path(tmp) / "inbox" / p.submission) for p in plan}
        print(
            f"generated {len(plan)} submissions ({args.departments} workbooks × {args.measures} measures; "
            f"{sum(1 for p in plan if p.fault)} broken) in {time.perf_counter() - t:.1f} s; "
            f"{sum(map(len, files.values())) / len(files) / 1024:.0f} KB per zip on average"
        )
        data_dir = Path(tmp) / "data"
        store = Store(data_dir)
        names = [p.name for p in plan]
        ws = store.set_up("district", {"district": "เมือง", "province": "พะเยา"}, hash_password(PASSWORD), names)
        links = {o["name"]: f"/o/{o['token']}" for o in store.organisations(ws)}
        server, port = start_server(data_dir, "--district")
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss(server.pid))
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            sampler.start()
            cookie = sign_in(port)
            seen: list[tuple[float, int]] = []
            done = threading.Event()
            started = time.perf_counter()
            shown_all: list[float] = []

            def poll() -> None:  # the district watching its dashboard
                while True:
                    _, _, page = request(port, "GET", "/district?refresh=0", headers={"cookie": cookie}, timeout=600)
                    sent = int(re.search(rb"<strong>(\d+)</strong>", page).group(1))  # type: ignore[union-attr]
                    seen.append((time.perf_counter() - started, sent))
                    if sent == len(plan):
                        shown_all.append(time.perf_counter() - started)
                        return
                    if done.is_set() and seen[-1][1] == len(plan):
                        return
                    time.sleep(2)

            watcher = threading.Thread(target=poll)
            watcher.start()
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                results = list(
                    pool.map(
                        lambda p: upload(
                            port, links[p.name], f"{p.submission.removesuffix('.zip')}.zip", files[p.name]
                        ),
                        plan,
                    )
                )
            answered = time.perf_counter() - started
            done.set()
            watcher.join(900)
            _, _, page = request(port, "GET", "/district?refresh=0", headers={"cookie": cookie}, timeout=600)
            t = time.perf_counter()
            request(port, "GET", "/district?refresh=0", headers={"cookie": cookie}, timeout=600)
            reload_s = time.perf_counter() - t
            t = time.perf_counter()
            got, _, summary = request(port, "GET", "/district/summary.xlsx", headers={"cookie": cookie}, timeout=1800)
            summary_s = time.perf_counter() - t
        finally:
            stop.set()
            server.terminate()
            server.wait(30)
        text = page.decode()
        rows = re.findall(r'<tr data-org="([^"]+)" data-status="([^"]+)" data-uploads="(\d+)">', text)
        by_name: dict[str, list[tuple[str, int]]] = {}
        for name, status, uploads in rows:
            by_name.setdefault(name, []).append((status, int(uploads)))
        by_name = {html.unescape(k): v for k, v in by_name.items()}
        lost = [n for n in names if n not in by_name or by_name[n][0][0] == "none"]
        twice = [n for n, v in by_name.items() if len(v) != 1 or v[0][1] != 1]
        wrong = [p.name for p in plan if p.name in by_name and by_name[p.name][0][0] != FAULT_STATUS[p.fault]]
        stored = sum(len(store.uploads(o["id"])) for o in store.organisations(ws))
        times = sorted(t for t, _ in results)
        statuses = [s for _, s in results]
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        never_more = all(sent <= len(plan) for _, sent in seen) and all(
            a[1] <= b[1] for a, b in itertools.pairwise(seen)
        )
        print(
            f"{len(plan)} organisations uploading their zip, {args.concurrency} at a time, to ita-report serve --district (127.0.0.1), {os.cpu_count()} cores"
        )
        print(
            f"responses: {statuses.count(303)} × 303 (stored and surveyed), others: {[s for s in statuses if s != 303]}"
        )
        print(f"upload response time: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")
        print(
            f"all uploads answered after {answered:.1f} s; the dashboard showed all {len(plan)} as sent after "
            f"{shown_all[0] if shown_all else float('nan'):.1f} s ({len(seen)} dashboard loads while uploading, counts never fell or overshot: {never_more})"
        )
        print(f"a dashboard load with all {len(plan)} surveyed (from the cache): {reload_s:.2f} s")
        print(
            f"the summary workbook downloaded from the page (run_district on the {len(plan)} latest submissions): "
            f"{summary_s:.1f} s, {len(summary) / 1024:.0f} KB, HTTP {got}"
        )
        print(f"peak resident memory of the server's process tree: {peak[0] / 1_048_576:.0f} MB")
        print(
            f"stored uploads: {stored}; organisations lost: {len(lost)}; counted twice: {len(twice)}; "
            f"status not as planned: {len(wrong)}{' ' + str(wrong[:5]) if wrong else ''}"
        )
        if lost or twice or stored != len(plan):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
