"""Contained workers: a task that aborts, overruns its deadline, runs out of memory or raises
becomes that task's failure with its reason; the caller never hangs and nothing is left behind.

The functions below run in the worker processes (started by forkserver, as in production),
so they are module-level.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from compiler.workers import WorkerFailed, map_contained, run_contained


def double(x: int) -> int:
    return x * 2


def abort() -> None:
    os.abort()  # what a Rust panic that cannot unwind does: SIGABRT, shell exit 134


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def hog(mb: int) -> int:
    return len(bytearray(mb * 1024 * 1024))


def fail() -> None:
    raise ValueError("bad cell")


def rust_noise_then_abort() -> None:
    os.write(2, b"memory allocation of 549755813888 bytes failed\n")
    os.abort()


def temp_then_abort() -> None:
    folder = tempfile.mkdtemp(prefix="left-")
    Path(folder, "x.xlsx").write_bytes(b"x" * 100)
    os.abort()


def steps(n: int, pause: float, progress) -> int:  # type: ignore[no-untyped-def]
    for i in range(1, n + 1):
        time.sleep(pause)
        progress(i, n, f"step {i}")
    return n


def refuse() -> None:
    from compiler.errors import InputError

    raise InputError("ไฟล์นี้ใช้ไม่ได้", "this file cannot be used")


def test_progress_reaches_the_caller_as_it_happens() -> None:
    seen: list[tuple[int, int, str]] = []
    assert run_contained(steps, 3, 0.05, timeout_s=30, on_progress=lambda *a: seen.append(a)) == 3
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


def test_progress_does_not_hold_off_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(WorkerFailed) as caught:
        run_contained(steps, 1000, 0.05, timeout_s=1, on_progress=lambda *a: None)
    assert caught.value.reason == "timeout" and time.monotonic() - started < 10


def test_a_compiler_error_keeps_its_own_message() -> None:
    with pytest.raises(WorkerFailed) as caught:
        run_contained(refuse, timeout_s=30)
    failure = caught.value
    assert failure.reason == "error" and failure.detail.startswith("InputError")
    assert (failure.message_th, failure.message_en) == ("ไฟล์นี้ใช้ไม่ได้", "this file cannot be used")


def test_value_comes_back() -> None:
    assert run_contained(double, 21, timeout_s=30, memory_mb=1024) == 42


@pytest.mark.parametrize(
    ("func", "args", "reason", "detail"),
    [
        (abort, (), "died", "killed by SIGABRT, exit 134"),
        (sleep, (30,), "timeout", "past 1 s"),
        (fail, (), "error", "ValueError: bad cell"),
        (rust_noise_then_abort, (), "memory", "killed by SIGABRT, exit 134"),
    ],
)
def test_a_failing_task_is_its_failure(func: object, args: tuple[object, ...], reason: str, detail: str) -> None:
    start = time.monotonic()
    with pytest.raises(WorkerFailed) as caught:
        run_contained(func, *args, timeout_s=1, memory_mb=1024)  # type: ignore[arg-type]
    assert (caught.value.reason, caught.value.detail) == (reason, detail)
    assert time.monotonic() - start < 10
    assert caught.value.message_th and caught.value.message_en and caught.value.exit_code == 1


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_the_memory_limit_holds() -> None:
    with pytest.raises(WorkerFailed) as caught:
        run_contained(hog, 2048, timeout_s=30, memory_mb=512)
    assert caught.value.reason == "memory"
    assert run_contained(hog, 100, timeout_s=30, memory_mb=512) == 100 * 1024 * 1024


def test_one_dead_worker_fails_only_its_task() -> None:
    tasks: list[tuple[object, ...]] = [(0.01,)] * 6
    outcomes = list(map_contained(sleep, [*tasks, (30,)], jobs=2, timeout_s=2))
    assert sorted(o.index for o in outcomes) == list(range(7))
    assert [(o.index, o.failure.reason) for o in outcomes if o.failure] == [(6, "timeout")]
    assert all(o.value == 0.01 for o in outcomes if o.index < 6)


def test_temporary_files_of_a_dead_worker_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(WorkerFailed):
        run_contained(temp_then_abort, timeout_s=30)
    assert list(tmp_path.iterdir()) == []


def test_stopping_early_ends_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    outcomes = map_contained(sleep, [(0.01,), (30,), (30,)], jobs=2, timeout_s=60)
    first = next(outcomes)
    start = time.monotonic()
    outcomes.close()
    assert first.index == 0 and time.monotonic() - start < 10
    assert list(tmp_path.iterdir()) == []


def test_no_tasks() -> None:
    assert list(map_contained(double, [], jobs=4)) == []


def pid(_: int) -> int:
    return os.getpid()


def test_workers_are_replaced_after_their_share_of_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler import workers

    monkeypatch.setattr(workers, "TASKS_PER_WORKER", 3)
    pids = [o.value for o in sorted(map_contained(pid, [(i,) for i in range(7)], jobs=1), key=lambda o: o.index)]
    assert len(set(pids)) == 3 and pids[:3] == [pids[0]] * 3


def test_a_caller_may_give_workers_a_larger_share() -> None:
    outcomes = map_contained(pid, [(i,) for i in range(7)], jobs=1, tasks_per_worker=2)
    pids = [o.value for o in sorted(outcomes, key=lambda o: o.index)]
    assert len(set(pids)) == 4 and pids[0] == pids[1] != pids[2] == pids[3]


# Run in a process of their own: signals held by the main thread reach another thread where
# there is one (pytest-xdist's worker has several), while the command line has just one.
_CTRL_C_AS_A_WORKER_STARTS = """
import multiprocessing, os, signal, time
from compiler import workers

started = workers._Slot.__init__

def start_then_ctrl_c(self, *args, **kwargs):
    started(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGINT)  # as if pressed just as the worker came up

workers._Slot.__init__ = start_then_ctrl_c
try:
    list(workers.map_contained(time.sleep, [(30,)], jobs=1))
    print("no Ctrl-C")
except KeyboardInterrupt:
    print("workers left:", len(multiprocessing.active_children()))
"""

_CTRL_C_HELD_WHILE_IGNORED = """
import os, signal
from compiler import workers

try:
    with workers._signals_held(), workers._ctrl_c_ignored():
        os.kill(os.getpid(), signal.SIGINT)
    print("lost")
except KeyboardInterrupt:
    print("raised after the hold")
"""


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_ctrl_c_while_a_worker_starts_leaves_no_worker_behind() -> None:
    """A Ctrl-C that arrived while a worker was starting was raised before the worker was
    counted, so the run's clean-up did not know it and it lived on (until the process ended,
    which a server never does)."""
    assert _python(_CTRL_C_AS_A_WORKER_STARTS) == "workers left: 0"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_ctrl_c_held_while_ignored_is_raised_after_the_hold() -> None:
    """What the forkserver's launch relies on: a Ctrl-C while SIGINT is held and ignored waits."""
    assert _python(_CTRL_C_HELD_WHILE_IGNORED) == "raised after the hold"
