"""One LibreOffice for many conversions: .docx to PDF without a start per document.

LibreOffice takes about 1.3 s to start and 0.1-0.2 s to convert a short document, so a start
per document spends most of its time starting. :class:`Listener` starts LibreOffice once,
listening on a named pipe (``soffice --accept=pipe,...``), and converts each document
through UNO. UNO needs LibreOffice's own ``uno`` module, which the project's Python usually
cannot import, so a small worker (``office_worker.py``) runs under the Python that can
(Debian's ``python3-uno``; the python inside LibreOffice on Windows and macOS) and talks to
us over its stdin and stdout, one JSON line a request.

- Every answer has a time limit. A LibreOffice that hangs or crashes is killed with its
  whole process group and started again for the next document. The document it crashed on
  is tried once more in the fresh LibreOffice before it is reported as failed, so a crash
  that was not the document's fault fails nothing; the one it hung on is reported at once
  (a document that slow would hang again, and each try costs the whole time limit).
- The profile sets the CTL numerals option (see :mod:`compiler.pdf`), so page numbers are
  drawn in Thai digits exactly as by ``soffice --convert-to``.
- LibreOffice is restarted every ``restart_every`` documents, so a long-lived server (the web
  app) does not grow without bound.

When no Python with ``uno`` is found, :class:`Batch` converts a whole list of documents in
one ``soffice --convert-to`` start instead. :func:`open_office` picks one of the two.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from compiler.docx import pdf

#: Seconds LibreOffice may take to start and answer (its first start with a new profile is slow).
START_TIMEOUT = 60.0
#: Seconds one document may take by default.
DOCUMENT_TIMEOUT = 120.0
#: Documents converted before LibreOffice is restarted.
RESTART_EVERY = 500

WORKER = Path(__file__).with_name("office_worker.py")

Timeout = float | Callable[[Path], float]
Job = tuple[Path, Path]  # (source .docx, target .pdf)


@cache
def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno`` for the LibreOffice at ``soffice``; ``None`` if none.

    Tried in order: the python shipped inside LibreOffice (Windows, macOS), this Python,
    the system ``python3`` (Debian and Ubuntu's ``python3-uno``).
    """
    program = Path(soffice).resolve().parent
    names = ["python.exe", "python"] if os.name == "nt" else ["python", "python3"]
    candidates = [program / name for name in names]
    candidates += [program.parent / "Resources" / "python"]  # macOS: LibreOffice.app/Contents
    candidates += [Path(sys.executable), Path("/usr/bin/python3")]
    if which := shutil.which("python3"):
        candidates.append(Path(which))
    seen = set()
    for candidate in candidates:
        if candidate in seen or not candidate.is_file():
            continue
        seen.add(candidate)
        try:
            probe = subprocess.run(
                [str(candidate), "-c", "import uno"],
                capture_output=True,
                timeout=30,
                env=_worker_env(),
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return str(candidate)
    return None


def _worker_env() -> dict[str, str]:
    """Our environment without what points a Python at the project's packages."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def _timeout_for(timeout: Timeout, source: Path) -> float:
    return timeout(source) if callable(timeout) else timeout


class Office:
    """Converts .docx files to PDF; ``convert`` returns, for each job, ``None`` or what went wrong.

    With ``signature_styles``, a converter that can see LibreOffice's layout (:class:`Listener`)
    also records in :attr:`alone` each source whose first signature line stands on a page
    without any of the body (see ``office_worker.signature_alone``); :class:`Batch` cannot.
    """

    starts: int = 0
    conversions: int = 0
    alone: set[Path]

    def convert(
        self, jobs: Sequence[Job], *, timeout: Timeout = DOCUMENT_TIMEOUT, signature_styles: Sequence[str] = ()
    ) -> list[str | None]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop LibreOffice (nothing to do when none is running)."""

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Listener(Office):
    """One LibreOffice listening on a pipe, driven through UNO by ``office_worker.py``.

    Thread-safe: conversions take turns. ``close`` (or leaving the ``with`` block, or the end
    of the process) stops LibreOffice.
    """

    def __init__(
        self,
        soffice: str,
        python: str,
        *,
        start_timeout: float = START_TIMEOUT,
        restart_every: int = RESTART_EVERY,
        retries: int = 1,
    ) -> None:
        self.soffice = soffice
        self.python = python
        self.start_timeout = start_timeout
        self.restart_every = restart_every
        self.retries = retries
        self.work = Path(tempfile.mkdtemp(prefix="ita-report-office-"))
        self.profile_uri = pdf.make_profile(self.work / "profile")
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.answers: queue.Queue[bytes | None] = queue.Queue()
        self.since_start = 0
        self.starts = 0
        self.conversions = 0
        self.restarts = 0  # after a hang or a crash
        self.seconds = 0.0  # spent converting (LibreOffice's starts not included)
        self.trouble: list[str] = []  # each hang or crash, the document it was on
        self.alone: set[Path] = set()  # sources whose signature stood alone (see Office)
        atexit.register(self.close)

    # --- the worker process ------------------------------------------------------------------
    def _start(self) -> None:
        pipe = f"ita-report-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        log = open(self.work / "office.log", "ab")
        flags: dict[str, object] = {}
        if os.name == "nt":
            flags["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            flags["start_new_session"] = True  # LibreOffice and its helpers in one group to kill
        try:
            self.proc = subprocess.Popen(
                [self.python, str(WORKER), self.soffice, self.profile_uri, pipe],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=_worker_env(),
                **flags,  # type: ignore[call-overload]
            )
        finally:
            log.close()
        self.answers = queue.Queue()
        threading.Thread(target=_read_lines, args=(self.proc, self.answers), daemon=True).start()
        self.starts += 1
        self.since_start = 0
        answer = self._answer(self.start_timeout)
        if answer is None or not answer.get("ready"):
            said = self._log_tail()
            self._kill()
            reason = f"did not start within {self.start_timeout:g} s" if answer == {} else "stopped while starting"
            raise OfficeError(f"LibreOffice {reason}: {said}")

    def _answer(self, timeout: float) -> dict[str, object] | None:
        """The worker's next answer; ``{}`` when it is late, ``None`` when the worker ended."""
        try:
            line = self.answers.get(timeout=timeout)
        except queue.Empty:
            return {}
        if line is None:
            return None
        try:
            answer = json.loads(line)
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _kill_group(proc)
        with contextlib.suppress(OSError):
            proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                stream and stream.close()

    def _log_tail(self) -> str:
        try:
            text = (self.work / "office.log").read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [line for line in text.splitlines() if line.strip() and "javaldx" not in line]
        return " / ".join(lines[-5:])[-500:]

    # --- conversions ---------------------------------------------------------------------------
    def convert(
        self, jobs: Sequence[Job], *, timeout: Timeout = DOCUMENT_TIMEOUT, signature_styles: Sequence[str] = ()
    ) -> list[str | None]:
        with self.lock:
            return [
                self._convert_one(Path(s), Path(t), _timeout_for(timeout, Path(s)), signature_styles) for s, t in jobs
            ]

    def _convert_one(
        self, source: Path, target: Path, timeout: float, signature_styles: Sequence[str] = ()
    ) -> str | None:
        failure = ""
        for _ in range(1 + self.retries):
            if self.proc is not None and self.since_start >= self.restart_every:
                self._stop()
            if self.proc is None:
                try:
                    self._start()
                except OfficeError as exc:
                    failure = str(exc)
                    continue
            assert self.proc is not None and self.proc.stdin is not None
            asked: dict[str, object] = {"source": str(source.resolve()), "target": str(target.resolve())}
            if signature_styles:
                asked["signature_styles"] = list(signature_styles)
            request = json.dumps(asked)
            started = time.monotonic()
            try:
                self.proc.stdin.write(request.encode("utf-8") + b"\n")
                self.proc.stdin.flush()
            except OSError:
                answer: dict[str, object] | None = None
            else:
                answer = self._answer(timeout)
            self.since_start += 1
            self.seconds += time.monotonic() - started
            if answer and "ok" in answer:
                self.conversions += 1
                if answer.get("alone") is True:
                    self.alone.add(source)
                else:
                    self.alone.discard(source)
                return None if answer["ok"] else str(answer.get("error") or "LibreOffice could not convert it")
            # late or gone: LibreOffice hung or crashed; the next document gets a fresh one
            self._kill()
            self.restarts += 1
            if answer == {}:  # not tried again: a document that takes this long would again
                failure = f"LibreOffice did not finish within {timeout:g} s"
                self.trouble.append(f"{source.name}: {failure}")
                return failure
            failure = f"LibreOffice stopped while converting it ({self._log_tail()})"
            self.trouble.append(f"{source.name}: {failure}")
        return failure

    def _stop(self) -> None:
        """End the worker's input: it closes LibreOffice; killed if that takes over 30 s."""
        proc = self.proc
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.stdin and proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self._kill()  # also reaps what LibreOffice left in its group

    def close(self) -> None:
        with self.lock:
            self._stop()
            shutil.rmtree(self.work, ignore_errors=True)
        atexit.unregister(self.close)


class Batch(Office):
    """No UNO here: each :meth:`convert` call is one ``soffice --convert-to`` start for all its jobs.

    The time limit of the start is the sum of the documents' limits plus ``start_timeout``.
    """

    def __init__(self, soffice: str, *, start_timeout: float = START_TIMEOUT) -> None:
        self.soffice = soffice
        self.start_timeout = start_timeout
        self.work = Path(tempfile.mkdtemp(prefix="ita-report-office-"))
        self.profile_uri = pdf.make_profile(self.work / "profile")
        self.starts = 0
        self.alone: set[Path] = set()  # never known here: no view of the layout
        self.conversions = 0

    def convert(
        self, jobs: Sequence[Job], *, timeout: Timeout = DOCUMENT_TIMEOUT, signature_styles: Sequence[str] = ()
    ) -> list[str | None]:
        if not jobs:
            return []
        batch = Path(tempfile.mkdtemp(dir=self.work, prefix="batch-"))
        copies = []
        for i, (source, _) in enumerate(jobs):
            copy = batch / f"d{i:04d}.docx"  # soffice names each PDF after its input: stems must differ
            shutil.copyfile(source, copy)
            copies.append(copy)
        limit = self.start_timeout + sum(_timeout_for(timeout, Path(s)) for s, _ in jobs)
        self.starts += 1
        try:
            result = pdf.run(pdf.convert_command(self.soffice, self.profile_uri, copies, batch), limit)
            said = (result.stderr + result.stdout).decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            said = f"LibreOffice did not finish within {limit:g} s"
        failures: list[str | None] = []
        for (_, target), copy in zip(jobs, copies):
            produced = copy.with_suffix(".pdf")
            if produced.is_file() and produced.stat().st_size > 0:
                shutil.move(produced, target)
                self.conversions += 1
                failures.append(None)
            else:
                failures.append(said[-500:] or "LibreOffice wrote no PDF")
        shutil.rmtree(batch, ignore_errors=True)
        return failures

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


class OfficeError(Exception):
    """LibreOffice could not be started (the caller turns it into a finding or a failure)."""


def open_office(soffice: str, *, listener: bool = True, start_timeout: float = START_TIMEOUT) -> Office:
    """A :class:`Listener` when a Python with ``uno`` is found (and ``listener``), else a :class:`Batch`."""
    python = find_uno_python(soffice) if listener else None
    if python:
        return Listener(soffice, python, start_timeout=start_timeout)
    return Batch(soffice, start_timeout=start_timeout)


_shared: dict[str, Office] = {}
_shared_lock = threading.Lock()


def shared(soffice: str) -> Office:
    """One LibreOffice for this whole process (a server's threads take turns): started on
    first use, restarted when it hangs or crashes, stopped when the process ends."""
    with _shared_lock:
        running = _shared.get(soffice)
        if running is None:
            running = _shared[soffice] = open_office(soffice)
        return running


def _read_lines(proc: subprocess.Popen[bytes], answers: queue.Queue[bytes | None]) -> None:
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            answers.put(line)
    except (OSError, ValueError):
        pass
    answers.put(None)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and everything it started (LibreOffice's own helper processes too)."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
