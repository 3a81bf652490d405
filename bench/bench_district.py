"""Benchmark of `ita-report district` (issue 5). Prints figures; asserts nothing.

For each size (default 100 and 1,000 organisations × 5 department workbooks × 20 measures,
10 % of them broken, 30 % of the good ones sent as .zip), an inbox is generated with
``tools/make_inbox.py`` (not timed), then ``ita-report district INBOX -o summary.xlsx`` runs
as a whole process. Printed per size: wall time, time per organisation, and memory:

- peak RSS of the whole process tree (the command and its workers), sampled every 50 ms
  from /proc: an upper bound, since workers share the pages they were started with;
- peak PSS of the tree (shared pages divided among their users), sampled likewise;
- the largest single process's peak (``resource.getrusage`` maxrss of the children).

Targets on the 2-core machine: 1,000 organisations under 60 s, peak memory under 500 MB,
time per organisation no worse at 1,000 than at 100.
Run: python bench/bench_district.py [--sizes 100 1000] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.make_inbox import make_inbox  # noqa: E402


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line and not line.startswith(" "))
        return int(fields["Rss"].split()[0]), int(fields["Pss"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0, 0


class Sampler(threading.Thread):
    """Samples the memory of a process tree until stopped; keeps the peaks."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = pss = 0
            for p in _tree(self.pid):
                r, s = _memory_kb(p)
                rss, pss = rss + r, pss + s
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop.wait(self.every)


def run(inbox: Path, out: Path, jobs: int | None) -> tuple[float, int, int, int, str]:
    """Time ``ita-report district`` on ``inbox``: (seconds, peak RSS, peak PSS, max single, last line)."""
    exe = shutil.which("ita-report") or str(Path(sys.executable).with_name("ita-report"))
    cmd = [exe, "district", str(inbox), "-o", str(out), "--no-progress", "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    took = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux
    lines = [line for line in stdout.splitlines() if line.startswith("หน่วยงาน")]
    if proc.returncode not in (0, 1):
        sys.exit(f"district failed ({proc.returncode}): {stderr[-500:]}")
    return took, sampler.peak_rss, sampler.peak_pss, single, lines[-1] if lines else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--departments", type=int, default=5)
    ap.add_argument("--measures", type=int, default=20)
    ap.add_argument("--broken", type=float, default=0.1)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    per_org: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-district-") as tmp:
        for n in args.sizes:
            inbox = Path(tmp) / f"inbox{n}"
            t = time.perf_counter()
            make_inbox(inbox, n, departments=args.departments, measures=args.measures, broken=args.broken, seed=n)
            made = time.perf_counter() - t
            took, rss, pss, single, last = run(inbox, Path(tmp) / f"summary{n}.xlsx", args.jobs)
            per_org[n] = took / n
            print(
                f"{n:>6} organisations × {args.departments} × {args.measures}: {took:6.1f} s"
                f"  ({per_org[n] * 1000:.1f} ms/organisation)"
                f"  peak tree RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB,"
                f" largest process {single / 1024:.0f} MB  [inbox made in {made:.1f} s, not timed]"
            )
            print(f"        {last.split(' / ')[-1]}")
            shutil.rmtree(inbox)
    sizes = sorted(per_org)
    if len(sizes) > 1:
        ratio = per_org[sizes[-1]] / per_org[sizes[0]]
        print(f"time per organisation at {sizes[-1]} / at {sizes[0]}: {ratio:.2f} (target ≤ 1)")


if __name__ == "__main__":
    main()
