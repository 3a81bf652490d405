"""Benchmark of `ita-report district` (issues 5 and 16). Prints figures; asserts nothing.

For each size (default 100 and 1,000 organisations × 5 department workbooks × 20 measures,
10 % of them broken, 30 % of the good ones sent as .zip), an inbox is generated with
``tools/make_inbox.py`` (not timed; with ``--inbox DIR`` it is kept in DIR and reused by the
next run with the same figures), then ``ita-report district INBOX -o summary.xlsx`` runs as a
whole process, twice:

- cold: with an empty result cache (``ITA_REPORT_CACHE`` pointed at a new folder);
- warm: again, after one organisation resubmits (two of its workbooks swap contents, so its
  content hash changes; they are swapped back afterwards).

Printed per run: wall time, time per organisation, CPU time of the process tree (the command,
the forkserver and its workers; read from /proc every 50 ms, so a worker's last 50 ms may be
missed: a lower bound, steadier than wall time on a shared machine), and memory:

- peak RSS of the whole process tree, sampled likewise: an upper bound, since workers share
  the pages they were started with;
- peak PSS of the tree (shared pages divided among their users), sampled once a second
  (reading it costs the workers time: see ``_pss_kb``);
- the largest single process's peak (``resource.getrusage`` maxrss of the children).

Targets (issue 16, the 2-core machine): 7,850 organisations in at most 60 s, peak tree memory
at most 300 MB, time per organisation flat from the smallest size to the largest, the warm
run after one resubmission at most 2 s.
Run: python bench/bench_district.py [--sizes 100 1000 7850] [--jobs N] [--inbox DIR]
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.make_inbox import make_inbox, resubmitted  # noqa: E402


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


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kb(pid: int) -> int:
    """RSS of one process in kB (``/proc/PID/statm``: cheap to read); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kb(pid: int) -> int:
    """PSS of one process in kB; 0 if it is gone. ``smaps_rollup`` walks the process's page
    tables (1.4 ms for a 150 MB process, measured) and holds its memory map's lock meanwhile, so
    it is read less often than the rest: every 50 ms, the tree's four processes would cost a few
    per cent of a core the workers need."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line and not line.startswith(" "))
        return int(fields["Pss"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0


def _cpu_ticks(pid: int) -> int:
    """User + system CPU of one process so far, in clock ticks; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    except (OSError, IndexError, ValueError):
        return 0


class Sampler(threading.Thread):
    """Samples the memory and CPU time of a process tree until stopped; keeps the peaks."""

    #: PSS is read at every this many samples (once a second at 50 ms; see ``_pss_kb``).
    PSS_EVERY = 20

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self.ticks: dict[int, int] = {}
        self.stop = threading.Event()

    @property
    def cpu_s(self) -> float:
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            tree = _tree(self.pid)
            self.peak_rss = max(self.peak_rss, sum(_rss_kb(p) for p in tree))
            if n % self.PSS_EVERY == self.PSS_EVERY - 1:  # from 1 s on, not at the start
                self.peak_pss = max(self.peak_pss, sum(_pss_kb(p) for p in tree))
            for p in tree:
                self.ticks[p] = max(self.ticks.get(p, 0), _cpu_ticks(p))
            n += 1
            self.stop.wait(self.every)


@dataclass
class Run:
    seconds: float
    cpu_s: float
    rss_kb: int
    pss_kb: int
    single_kb: int
    last: str
    notes: list[str]


def run(inbox: Path, out: Path, jobs: int | None, cache: Path) -> Run:
    """Time ``ita-report district`` on ``inbox`` with its result cache in ``cache``."""
    exe = shutil.which("ita-report") or str(Path(sys.executable).with_name("ita-report"))
    cmd = [exe, "district", str(inbox), "-o", str(out), "--no-progress", "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    env = {**os.environ, "ITA_REPORT_CACHE": str(cache)}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
    notes = [line.split(" / ", 1)[-1] for line in stdout.splitlines() if "unchanged since last surveyed" in line]
    return Run(took, sampler.cpu_s, sampler.peak_rss, sampler.peak_pss, single, lines[-1] if lines else "", notes)


def _inbox(root: Path, n: int, args: argparse.Namespace) -> tuple[Path, float]:
    """The inbox of ``n`` organisations under ``root``: reused if made before with the same
    figures, else made (seconds taken; 0 when reused)."""
    inbox = root / f"inbox{n}-{args.departments}x{args.measures}-{args.broken}"
    marker = inbox / ".made"
    if marker.exists():
        return inbox, 0.0
    if inbox.exists():
        shutil.rmtree(inbox)  # a run stopped half-way through making it
    t = time.perf_counter()
    make_inbox(inbox, n, departments=args.departments, measures=args.measures, broken=args.broken, seed=n)
    marker.write_text("made by bench_district.py\n")
    return inbox, time.perf_counter() - t


def _print(label: str, n: int, r: Run, made: float | None = None) -> None:
    extra = f"  [inbox made in {made:.1f} s, not timed]" if made else ""
    pss = f"{r.pss_kb / 1024:.0f} MB" if r.pss_kb else "not sampled (too short a run)"
    print(
        f"{n:>6} organisations {label}: {r.seconds:6.1f} s ({r.seconds / n * 1000:.2f} ms/organisation),"
        f" CPU of the tree {r.cpu_s:6.1f} s ({r.cpu_s / n * 1000:.2f} ms/organisation),"
        f" peak tree RSS {r.rss_kb / 1024:.0f} MB, PSS {pss},"
        f" largest process {r.single_kb / 1024:.0f} MB{extra}"
    )
    for note in r.notes:
        print(f"        {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--departments", type=int, default=5)
    ap.add_argument("--measures", type=int, default=20)
    ap.add_argument("--broken", type=float, default=0.1)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--inbox", type=Path, default=None, help="keep the inboxes in this folder and reuse them")
    ap.add_argument("--no-warm", action="store_true", help="skip the warm run")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    cold: dict[int, Run] = {}
    with tempfile.TemporaryDirectory(prefix="bench-district-") as tmp:
        root = args.inbox or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            inbox, made = _inbox(root, n, args)
            cache = Path(tmp) / f"cache{n}"
            out = Path(tmp) / f"summary{n}.xlsx"
            cold[n] = run(inbox, out, args.jobs, cache)
            _print(f"× {args.departments} × {args.measures}, cold", n, cold[n], made)
            print(f"        {cold[n].last.split(' / ')[-1]}")
            mb = cold[n].rss_kb / 1024
            print(f"        peak tree RSS {mb:.0f} MB against at most 300 MB: {'met' if mb <= 300 else 'not met'}")
            if n == 7850:
                took = cold[n].seconds
                print(
                    f"        the whole country in {took:.1f} s against at most 60 s: {'met' if took <= 60 else 'not met'}"
                )
            if not args.no_warm:
                with resubmitted(inbox):
                    warm = run(inbox, out, args.jobs, cache)
                _print("warm, after one resubmits", n, warm)
                met = "met" if warm.seconds <= 2.0 else "not met"
                print(f"        warm run {warm.seconds:.2f} s against the target of at most 2 s: {met}")
            if args.inbox is None:
                shutil.rmtree(inbox)
            shutil.rmtree(cache, ignore_errors=True)
    sizes = sorted(cold)
    if len(sizes) > 1:
        small, big = cold[sizes[0]], cold[sizes[-1]]
        wall = (big.seconds / sizes[-1]) / (small.seconds / sizes[0])
        cpu = (big.cpu_s / sizes[-1]) / (small.cpu_s / sizes[0])
        print(f"time per organisation at {sizes[-1]} / at {sizes[0]}: wall {wall:.2f}, CPU {cpu:.2f} (target ≤ 1)")


if __name__ == "__main__":
    main()
