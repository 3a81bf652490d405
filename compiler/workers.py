"""Running untrusted work where a limit holds: a worker process, a memory cap and a deadline.

A hostile file can make a reader ask for hundreds of gigabytes (a Rust library then aborts
the whole process), loop for ever, or crash outright. Work on such input runs here, in a
worker process that has an address-space limit (``RLIMIT_AS``, where the platform has it;
Windows has no such limit, but the deadline still holds) and a deadline. A worker that dies
— killed, out of memory, aborted (a Rust panic exits with SIGABRT, shell code 134), past its
deadline — becomes *that task's* failure, with its reason; the caller never hangs and never
dies with it.

Two ways in, both small:

- ``run_contained(func, *args, timeout_s=…, memory_mb=…)`` runs one call and returns its
  value, or raises :class:`WorkerFailed` (a ``CompilerError``) saying why;
- ``map_contained(func, tasks, jobs=…, timeout_s=…, memory_mb=…)`` runs ``func(*task)`` for
  many tasks on ``jobs`` workers, yielding an :class:`Outcome` for each as it finishes.
  Close the generator (``contextlib.closing``) if you stop early: that ends the workers.

``func``, its arguments and its value must be picklable (a module-level function) unless
the start method is ``fork``; a script that calls these needs the ``if __name__ ==
"__main__":`` guard, as workers import the main module. Workers ignore SIGINT (Ctrl-C reaches the whole terminal's process
group: the caller alone decides to stop, and then ends its workers). Everything a worker
writes to stderr (a Rust backtrace) goes to a file, not the terminal, and every temporary
file a worker makes goes under one folder that is removed when the run ends, whatever
became of the worker.
"""

from __future__ import annotations

import contextlib
import faulthandler
import itertools
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from compiler.errors import CompilerError
from compiler.startmethod import context, cores, forkserver_fits  # noqa: F401  (the workers' API)

#: Why a task failed: its deadline passed, it ran out of memory, its worker died otherwise,
#: or ``func`` raised.
REASONS = ("timeout", "memory", "died", "error")
_ERR_TAIL = 4096
#: A worker is replaced after this many tasks: what one task leaks never adds up against the
#: memory limit of the tasks after it.
TASKS_PER_WORKER = 50
#: What a worker's stderr says when an allocation failed (Rust, C++, glibc, Python).
_OUT_OF_MEMORY = (
    b"memory allocation of",
    b"MemoryError",
    b"Cannot allocate memory",
    b"std::bad_alloc",
    b"out of memory",
)


class WorkerFailed(CompilerError):
    """A contained task did not finish: ``reason`` is one of :data:`REASONS`; ``detail`` says
    more in English (``killed by SIGABRT``, ``ValueError: …``). A ``CompilerError`` the task
    raised keeps its own Thai and English ``message`` (reason ``error``). Exit code 1."""

    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        timeout_s: float | None = None,
        memory_mb: int | None = None,
        message: tuple[str, str] | None = None,
    ):
        th, en = message or _describe(reason, detail, timeout_s, memory_mb)
        super().__init__(th, en)
        self.reason = reason
        self.detail = detail


def _describe(reason: str, detail: str, timeout_s: float | None, memory_mb: int | None) -> tuple[str, str]:
    if reason == "timeout":
        return (
            f"ใช้เวลาเกิน {timeout_s:g} วินาที จึงถูกหยุด",
            f"took longer than {timeout_s:g} s and was stopped",
        )
    if reason == "memory":
        limit_th = f" (ขีดจำกัด {memory_mb} MB)" if memory_mb else ""
        limit_en = f" (limit {memory_mb} MB)" if memory_mb else ""
        return f"ใช้หน่วยความจำเกินขีดจำกัด{limit_th}", f"needed more memory than allowed{limit_en}"
    if reason == "died":
        return f"กระบวนการทำงานหยุดกะทันหัน ({detail})", f"the worker process died ({detail})"
    return f"ทำงานไม่สำเร็จ ({detail.split(':')[0]})", f"failed: {detail}"


@dataclass(frozen=True)
class Outcome:
    """One task's end: ``index`` into the tasks given, and its ``value`` or its ``failure``."""

    index: int
    value: Any = None
    failure: WorkerFailed | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


# --- inside the worker ---------------------------------------------------------------------
def _limit_memory(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimit; the deadline still holds
        return
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError, AttributeError):  # macOS does not enforce it
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker(
    conn: Connection, func: Callable[..., Any], memory_mb: int | None, tmp: str, err: str, reports: bool = False
) -> None:
    """A worker's life: take ``(index, args)`` tasks until told to stop (``None``) or the
    caller is gone, answer each with ``(status, index, value or detail)``. With ``reports``,
    ``func`` is given a ``progress(done, total, what)`` keyword whose calls are sent as
    ``("progress", index, (done, total, what))`` while the task runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the caller to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker may inherit a raising handler
    if hasattr(signal, "pthread_sigmask"):  # started with both held (see _Slot): SIGTERM ends it again
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    with contextlib.suppress(OSError):
        fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 2)  # native code (Rust) writes to fd 2 directly
        os.close(fd)
        sys.stderr = open(2, "w", closefd=False)  # the worker's stderr until it ends
        if faulthandler.is_enabled():  # inherited (fork) with the caller's stderr: follow ours
            faulthandler.enable(sys.stderr)
    tempfile.tempdir = tmp
    os.environ["TMPDIR"] = tmp
    _limit_memory(memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, args = message
        fatal = False

        def progress(done: int, total: int, what: str, index: int = index) -> None:
            conn.send(("progress", index, (done, total, what)))

        try:
            value = func(*args, progress=progress) if reports else func(*args)
            reply: tuple[str, int, Any] = ("ok", index, value)
        except MemoryError:
            reply, fatal = ("memory", index, "MemoryError"), True
        except CompilerError as exc:  # the job's own message, in Thai and English, for the user
            reply = ("refused", index, (f"{type(exc).__name__}: {exc}"[:500], exc.message_th, exc.message_en))
        except Exception as exc:
            reply = ("error", index, f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", index, "MemoryError"))
            fatal = True
        except Exception as exc:  # the value would not pickle
            conn.send(("error", index, f"{type(exc).__name__}: {exc}"[:500]))
        if fatal:  # a heap that once ran out is not trusted with the next task
            return


# --- in the caller ----------------------------------------------------------------------------
class _Slot:
    """One worker process, seen from the caller, and the task it holds (if any). Made with
    SIGINT and SIGTERM held (:func:`_signals_held`, as :func:`map_contained` does), so that
    they wait until the worker has started and is counted."""

    def __init__(
        self, ctx: Any, func: Callable[..., Any], memory_mb: int | None, root: Path, n: int, reports: bool = False
    ) -> None:
        self.tmp = root / f"w{n}"
        self.tmp.mkdir()
        self.err = root / f"w{n}.err"
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker, args=(child, func, memory_mb, str(self.tmp), str(self.err), reports), daemon=True
        )
        if ctx.get_start_method() == "forkserver":
            # The forkserver and its resource tracker are launched with Ctrl-C ignored, which
            # an exec keeps: they, and each worker forked from the forkserver, ignore it from
            # birth, so no Ctrl-C finds one half-started and prints its traceback. A Ctrl-C
            # meanwhile is not lost in a process of one thread (the command line) on Linux:
            # held (by the caller), it stays pending though ignored, and is raised once the
            # hold ends. (With other threads the kernel gives it to one of them, which ignores it.)
            from multiprocessing import forkserver

            with _ctrl_c_ignored():
                forkserver.ensure_running()
        self.process.start()
        child.close()
        self.task: int | None = None
        self.deadline = float("inf")
        self.done = 0

    def give(self, index: int, args: tuple[Any, ...], timeout_s: float | None) -> bool:
        """Hand over a task; ``False`` if the worker is already gone."""
        try:
            self.conn.send((index, args))
        except (OSError, ValueError):
            return False
        self.task = index
        self.deadline = time.monotonic() + timeout_s if timeout_s else float("inf")
        return True

    def death(self) -> tuple[str, str]:
        """Why the worker ended: (reason, detail), read from its exit code and its stderr."""
        self.process.join(5)
        code = self.process.exitcode
        tail = b""
        with contextlib.suppress(OSError):
            with self.err.open("rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - _ERR_TAIL))
                tail = fh.read()
        if any(mark in tail for mark in _OUT_OF_MEMORY):
            return "memory", _exit_text(code)
        return "died", _exit_text(code)

    def stop(self, *, kill: bool = False) -> None:
        """End the worker: ask it (``None``), or kill it; either way wait for it."""
        if self.process.is_alive() and not kill:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()
        with contextlib.suppress(ValueError):
            self.process.close()


def _exit_text(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}, exit {128 - code}"
    return f"exit {code}"


def map_contained(
    func: Callable[..., Any],
    tasks: Iterable[tuple[Any, ...]],
    *,
    jobs: int = 1,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    ctx: multiprocessing.context.BaseContext | None = None,
    on_progress: Callable[[int, int, int, str], None] | None = None,
    tasks_per_worker: int | None = None,
) -> Iterator[Outcome]:
    """Run ``func(*task)`` for every task on at most ``jobs`` workers (capped at the tasks),
    yielding an :class:`Outcome` as each finishes (not in order: see ``Outcome.index``).
    ``tasks`` may be a lazy iterable: each is taken when a worker is free for it, and a
    worker is started only when a task waits for one.

    ``timeout_s`` is each task's deadline, ``memory_mb`` each worker's address-space limit
    (``None``: none). A worker that dies or overruns is replaced; the task it held fails.
    ``ctx`` is the multiprocessing context (default: :func:`context`). When the generator
    ends or is closed, every worker is gone and its temporary files removed.
    With ``on_progress``, ``func`` is called with a ``progress(done, total, what)`` keyword,
    and each call reaches ``on_progress(index, done, total, what)`` here as it happens.
    A worker is replaced after ``tasks_per_worker`` tasks (default :data:`TASKS_PER_WORKER`).
    """
    source = enumerate(tasks)  # taken as workers need them: a lazy ``tasks`` is never listed ahead
    pending: deque[tuple[int, tuple[Any, ...]]] = deque(itertools.islice(source, 1))
    if not pending:
        return
    if isinstance(tasks, Sized):
        jobs = min(jobs, len(tasks))
    jobs = max(1, jobs)
    ctx = ctx or context([getattr(func, "__module__", "")] if getattr(func, "__module__", "") != "__main__" else [])
    share = tasks_per_worker or TASKS_PER_WORKER
    root = Path(tempfile.mkdtemp(prefix="ita-work-"))
    slots: list[_Slot] = []
    started = 0
    idle_deaths = 0

    def fail(reason: str, detail: str) -> WorkerFailed:
        return WorkerFailed(reason, detail, timeout_s=timeout_s, memory_mb=memory_mb)

    def waiting() -> bool:
        """Whether a task waits (taking the next one from ``tasks`` if none is put back)."""
        if not pending:
            pending.extend(itertools.islice(source, 1))
        return bool(pending)

    def fill() -> None:
        """Give waiting tasks to idle workers, starting new ones as needed. Called as soon as a
        worker answers, before its outcome is yielded: the worker is not idle while the caller
        handles the outcome."""
        nonlocal started, idle_deaths
        while waiting():
            slot = next((s for s in slots if s.task is None), None)
            if slot is None:
                if len(slots) >= jobs:
                    return
                # a Ctrl-C or SIGTERM while the worker starts is raised once it is counted, so
                # that the clean-up below stops it too
                with _signals_held():
                    slot = _Slot(ctx, func, memory_mb, root, started, on_progress is not None)
                    started += 1
                    slots.append(slot)
            index, args = pending.popleft()
            if not slot.give(index, tuple(args), timeout_s):
                pending.appendleft((index, args))  # the task was never started: not its fault
                slots.remove(slot)
                slot.stop(kill=True)
                idle_deaths += 1
                if idle_deaths > 3 * jobs:
                    raise CompilerError("เริ่มกระบวนการทำงานไม่ได้", "worker processes die before taking any task")

    try:
        while True:
            fill()
            busy = [s for s in slots if s.task is not None]
            if not busy:
                break
            now = time.monotonic()
            wait_s = max(0.0, min(s.deadline for s in busy) - now) if busy else 0.0
            ready = wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy],
                timeout=None if wait_s == float("inf") else wait_s,
            )
            for slot in busy:
                index = slot.task
                assert index is not None
                answer: tuple[str, int, Any] | None = None
                if slot.conn in ready or slot.process.sentinel in ready:
                    try:
                        while slot.conn.poll():
                            answer = slot.conn.recv()
                            if answer[0] != "progress":
                                break
                            if on_progress is not None:
                                on_progress(index, *answer[2])
                            answer = None
                    except (EOFError, OSError):
                        answer = None
                    if answer is None and slot.process.sentinel not in ready:  # progress only: at work
                        if time.monotonic() < slot.deadline:
                            continue
                        slots.remove(slot)
                        slot.stop(kill=True)
                        fill()
                        yield Outcome(index, failure=fail("timeout", f"past {timeout_s:g} s"))
                        continue
                    if answer is None:  # dead without an answer
                        reason, detail = slot.death()
                        slots.remove(slot)
                        slot.stop(kill=True)
                        fill()
                        yield Outcome(index, failure=fail(reason, detail))
                        continue
                    status, _, value = answer
                    slot.task, slot.deadline = None, float("inf")
                    slot.done += 1
                    if status == "ok":
                        outcome = Outcome(index, value)
                    elif status == "refused":  # a CompilerError: its own message
                        detail, th, en = value
                        outcome = Outcome(index, failure=WorkerFailed("error", detail, message=(th, en)))
                    else:
                        outcome = Outcome(index, failure=fail(status, str(value)))
                    retired = status == "memory" or slot.done >= share
                    if retired:
                        slots.remove(slot)
                    fill()  # the next task is on its way before the caller sees this outcome
                    if retired:
                        slot.stop()
                    yield outcome
                elif time.monotonic() >= slot.deadline:
                    slots.remove(slot)
                    slot.stop(kill=True)
                    fill()
                    yield Outcome(index, failure=fail("timeout", f"past {timeout_s:g} s"))
    finally:
        with _signals_held():  # a second Ctrl-C must not leave workers or files behind
            for slot in slots:
                slot.stop(kill=slot.task is not None)
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored in this block (in the main thread; elsewhere it cannot be changed)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (are delivered after the block) where the platform allows and
    the process has one thread (the mask is the calling thread's; the command line has one)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def run_contained(
    func: Callable[..., Any],
    *args: Any,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    ctx: multiprocessing.context.BaseContext | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Any:
    """``func(*args)`` in a worker process with a deadline and a memory limit: its value,
    or :class:`WorkerFailed` with the reason (``timeout``, ``memory``, ``died``, ``error``).

    ``run_contained(survey, path, timeout_s=60, memory_mb=2048)``. ``None`` for a limit
    means none. The call costs a process start (some tens of milliseconds; give a ``ctx``
    from :func:`context` with the modules ``func`` needs preloaded to keep it there). With
    ``on_progress``, ``func`` is given a ``progress(done, total, what)`` keyword whose calls
    reach ``on_progress(done, total, what)`` here, in the calling thread, as they happen.
    """
    relay = None if on_progress is None else (lambda _, done, total, what: on_progress(done, total, what))
    with contextlib.closing(
        map_contained(func, [args], jobs=1, timeout_s=timeout_s, memory_mb=memory_mb, ctx=ctx, on_progress=relay)
    ) as outcomes:
        outcome = next(outcomes)
    if outcome.failure is not None:
        raise outcome.failure
    return outcome.value


__all__ = ["REASONS", "Outcome", "WorkerFailed", "context", "cores", "map_contained", "run_contained"]
