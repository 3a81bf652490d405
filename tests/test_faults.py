"""Faults while writing: a read-only folder, a full disk, the process killed mid-write.

Whatever happens, each output file is either the previous one, byte for byte, or the new
one, complete (python-docx or openpyxl opens it) — never a truncated file — and the run
ends with exit 1 and an ``OutputError`` message (Thai, then English), never a traceback.

How each fault is produced, honestly:

- **read-only folder**: the tests run as root in CI, and permissions do not stop root. So
  the command runs with the capabilities that let root ignore permissions removed
  (``setpriv --bounding-set -dac_override,…``: root then obeys a ``chmod 555`` folder like
  anyone), or, as an ordinary user, against a ``chmod 555`` folder; and, where mount
  namespaces are allowed (``unshare``), on a real read-only bind mount (EROFS).
- **disk full**: a real, tiny tmpfs (where ``unshare`` allows mounting one) filled up
  (ENOSPC); always, a file-size limit (``RLIMIT_FSIZE``, SIGXFSZ ignored, so ``write``
  fails with EFBIG) in a child process; and, in-process, an ``OSError`` (ENOSPC, EDQUOT,
  EIO, EROFS, EACCES, EFBIG) injected at each step of the atomic write — creating the
  temporary file, writing it (after any number of bytes), fsync, chmod, link, rename.
- **killed**: ``ita-report build``/``announce`` started as a child and SIGKILLed at random
  moments, some of them while its temporary file exists (the write itself). A killed
  process cannot remove its temporary file: what it leaves is a hidden ``.NAME.*.tmp``
  beside the target, which no later run reads or counts as output, and a later run
  succeeds.
"""

from __future__ import annotations

import errno
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from compiler import safeio
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "ban_tom_2565"  # has document sheets too: announce writes 3 files
IS_ROOT = os.geteuid() == 0
TEMP = re.compile(r"^\..+\.tmp$")

# Each command and the files it writes into the output folder ``OUT``.
COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "build": lambda src, out: ["build", str(src), "-o", str(out / "report.docx"), "--force"],
    "announce": lambda src, out: ["announce", str(src), "-o", str(out), "--force"],
    "annotate": lambda src, out: ["check", str(src), "--annotate", str(out), "--force"],
    "init": lambda src, out: ["init", "-o", str(out / "form.xlsx"), "--force"],
}


def _opens(path: Path) -> None:
    if path.suffix == ".docx":
        docx.Document(str(path))
    else:
        load_workbook(path).close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of a seed organisation's workbooks, plus one with a problem (for ``--annotate``)."""
    folder = tmp_path_factory.mktemp("fault-inputs") / "in"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture(scope="module")
def annotate_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wbfactory import make_workbook

    folder = tmp_path_factory.mktemp("fault-annotate") / "in"
    make_workbook(folder / "dept.xlsx", measures=[[1, "มาตรการ", "ว", "", "", "ผล", ""]])  # no ผู้รับผิดชอบ
    return folder


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory, inputs: Path, annotate_inputs: Path) -> dict[str, Path]:
    """For each command, an output folder as a previous run left it (the state to keep)."""
    out = {}
    for name, args in COMMANDS.items():
        folder = tmp_path_factory.mktemp(f"previous-{name}")
        source = annotate_inputs if name == "annotate" else inputs
        extra = ["--digits", "arabic"] if name in ("build", "announce") else []  # differs from a new run
        result = CliRunner().invoke(main, args(source, folder) + extra)
        assert result.exit_code in (0, 1) and any(folder.iterdir()), result.output
        out[name] = folder
    return out


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _fresh(previous: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    shutil.copytree(previous, folder)
    return folder


def _assert_refused(exit_code: int, output: str, folder: Path, before: dict[str, bytes]) -> None:
    assert exit_code == 1, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert re.search(r"error: .*cannot write", output), output
    assert _state(folder) == before  # previous output intact, no temporary file left


# --- read-only folder ------------------------------------------------------------------------------
def _unshare_prefix() -> list[str] | None:
    """How to enter a private mount namespace here (``None``: not allowed on this machine)."""
    tool = shutil.which("unshare")
    if tool is None:
        return None
    for prefix in ([tool, "--mount"], [tool, "--user", "--map-root-user", "--mount"]):
        ok = subprocess.run(
            [*prefix, "sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null || exit 1"], capture_output=True
        )
        if ok.returncode == 0:
            return prefix
    return None


UNSHARE = _unshare_prefix()
needs_unshare = pytest.mark.skipif(
    UNSHARE is None, reason="no mount namespaces here; the permission and RLIMIT_FSIZE variants cover the fault"
)


def _without_root_powers(args: list[str]) -> list[str]:
    """``args`` run so that file permissions apply, even to root."""
    if not IS_ROOT:
        return args
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test a read-only folder as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *args]


CLI = [sys.executable, "-m", "compiler.cli"]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_read_only_folder(
    command: str, inputs: Path, annotate_inputs: Path, previous: dict[str, Path], tmp_path: Path
) -> None:
    folder = _fresh(previous[command], tmp_path)
    before = _state(folder)
    source = annotate_inputs if command == "annotate" else inputs
    folder.chmod(0o555)
    try:
        run = subprocess.run(_without_root_powers([*CLI, *COMMANDS[command](source, folder)]), capture_output=True)
    finally:
        folder.chmod(0o755)
    output = (run.stdout + run.stderr).decode()
    _assert_refused(run.returncode, output, folder, before)
    assert "read-only" in output


@needs_unshare
@pytest.mark.parametrize("command", ["build", "announce"])
def test_read_only_mount(command: str, inputs: Path, previous: dict[str, Path], tmp_path: Path) -> None:
    """A real read-only file system (EROFS): a bind mount remounted read-only."""
    folder = _fresh(previous[command], tmp_path)
    before = _state(folder)
    args = " ".join(f"'{a}'" for a in [*CLI, *COMMANDS[command](inputs, folder)])
    script = f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' && {args}"
    run = subprocess.run([*UNSHARE, "sh", "-c", script], capture_output=True)
    output = (run.stdout + run.stderr).decode()
    _assert_refused(run.returncode, output, folder, before)
    assert "read-only" in output


@pytest.mark.parametrize("where", ["inside-a-read-only-folder", "under-a-file"])
@pytest.mark.parametrize("command", ["build", "announce", "annotate"])
def test_regression_output_folder_that_cannot_be_made(
    command: str, where: str, inputs: Path, annotate_inputs: Path, tmp_path: Path
) -> None:
    """``-o out/new/report.docx`` where ``out`` is read-only, or where ``out`` is a file: the
    folder cannot be made, and the command ended with an internal error (exit 3)."""
    source = annotate_inputs if command == "annotate" else inputs
    base = tmp_path / "out"
    if where == "under-a-file":
        base.write_text("a file, not a folder")
    else:
        base.mkdir()
        base.chmod(0o555)
    try:
        run = subprocess.run(
            _without_root_powers([*CLI, *COMMANDS[command](source, base / "new")]), capture_output=True
        )
    finally:
        if base.is_dir():
            base.chmod(0o755)
    output = (run.stdout + run.stderr).decode()
    assert run.returncode == 1, output
    assert "internal error" not in output


# --- disk full -------------------------------------------------------------------------------------
_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of killing us
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from compiler.cli import main
main(prog_name="ita-report")
"""


@pytest.mark.parametrize("command", list(COMMANDS))
def test_disk_full_file_size_limit(
    command: str, inputs: Path, annotate_inputs: Path, previous: dict[str, Path], tmp_path: Path
) -> None:
    """Every file these commands write is over 4 kB; the limit stops the first write midway."""
    folder = _fresh(previous[command], tmp_path)
    before = _state(folder)
    source = annotate_inputs if command == "annotate" else inputs
    run = subprocess.run(
        [sys.executable, "-c", _LIMITED, "4096", *COMMANDS[command](source, folder)], capture_output=True
    )
    _assert_refused(run.returncode, (run.stdout + run.stderr).decode(), folder, before)


def test_regression_no_traceback_after_a_write_fails_midway(inputs: Path, tmp_path: Path) -> None:
    """The disk filled up in the middle of the report: the message was right, then Python
    printed a traceback at exit (python-docx's ZipFile, left unclosed, wrote to the closed
    temporary file when collected). The writer now gets a stream that goes inert."""
    run = subprocess.run(
        [sys.executable, "-c", _LIMITED, "20000", "build", str(inputs), "-o", str(tmp_path / "r.docx")],
        capture_output=True,
    )
    assert run.returncode == 1
    assert run.stderr.decode().count("\n") == 2, run.stderr.decode()  # the Thai and the English line
    assert "Exception ignored" not in run.stderr.decode() and list(tmp_path.iterdir()) == []


def test_regression_link_failure_is_not_papered_over(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error while linking the new file into place was taken for a file system
    without hard links, and the file renamed into place anyway; only EPERM, ENOTSUP and the
    like mean that."""
    monkeypatch.setattr(os, "link", lambda *_: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    result = CliRunner().invoke(main, ["build", str(inputs), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 1 and "cannot write" in result.output
    assert list(tmp_path.iterdir()) == []


@needs_unshare
def test_disk_full_tiny_tmpfs(inputs: Path, previous: dict[str, Path], tmp_path: Path) -> None:
    """A real full disk (ENOSPC): a 256 kB tmpfs holding the previous report and a filler
    file that leaves 16 kB free. Everything is checked inside the namespace, where the mount is."""
    report = previous["build"] / "report.docx"
    mount = tmp_path / "disk"
    mount.mkdir()
    args = " ".join(f"'{a}'" for a in [*CLI, *COMMANDS["build"](inputs, mount)])
    script = f"""
        mount -t tmpfs -o size=256k tmpfs '{mount}' || exit 99
        cp '{report}' '{mount}/report.docx'
        avail=$(df -k --output=avail '{mount}' | tail -1)
        dd if=/dev/zero of='{mount}/filler' bs=1k count=$((avail - 16)) 2>/dev/null
        {args}
        echo "@@exit $?"
        cmp -s '{report}' '{mount}/report.docx' && echo "@@previous intact"
        ls -A '{mount}' | sed 's/^/@@file /'
    """
    run = subprocess.run([*UNSHARE, "sh", "-c", script], capture_output=True)
    output = (run.stdout + run.stderr).decode()
    assert "@@exit 1" in output, output
    assert "the disk is full" in output and "Traceback" not in output, output
    assert "@@previous intact" in output, output
    assert sorted(re.findall(r"@@file (.+)", output)) == ["filler", "report.docx"], output


class _FailingStream(io.RawIOBase):
    """A file that fails with ``code`` once ``budget`` bytes have been written."""

    def __init__(self, real: io.BufferedWriter, budget: int, code: int) -> None:
        self.real, self.budget, self.code = real, budget, code

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        room = self.budget - self.real.tell()
        if len(data) > room:
            self.real.write(bytes(data[: max(room, 0)]))
            raise OSError(self.code, os.strerror(self.code))
        return self.real.write(data)

    def fileno(self) -> int:
        return self.real.fileno()

    def flush(self) -> None:
        if not self.real.closed:
            self.real.flush()

    def close(self) -> None:
        self.real.close()
        super().close()


STEPS = ("create", "write", "fsync", "chmod", "link", "replace")
ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EFBIG)


def _inject(monkeypatch: pytest.MonkeyPatch, step: str, code: int, budget: int) -> None:
    def fail(*_: object, **__: object) -> None:
        raise OSError(code, os.strerror(code))

    if step == "create":
        monkeypatch.setattr(tempfile, "mkstemp", fail)
    elif step == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FailingStream(real_fdopen(fd, *a, **k), budget, code))
    else:
        monkeypatch.setattr(os, step, fail)


@pytest.mark.parametrize("code", ERRNOS, ids=[errno.errorcode[c] for c in ERRNOS])
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_write_fault_at_every_step(
    command: str, step: str, code: int, inputs: Path, annotate_inputs: Path, previous: dict[str, Path],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An OSError injected at each step of the atomic write (in-process)."""
    folder = _fresh(previous[command], tmp_path)
    source = annotate_inputs if command == "annotate" else inputs
    args = COMMANDS[command](source, folder)
    if step == "link":
        # without --force the file is linked into place (never over an existing one)
        for p in folder.iterdir():
            p.unlink()
        args.remove("--force")
    elif step == "replace" and not args[-1] == "--force":
        pytest.fail("every command here is run with --force")
    before = _state(folder)
    # the write fails at once, or after 1,000 or 4,000 bytes (every file written here is larger)
    _inject(monkeypatch, step, code, budget=(0, 1_000, 4_000)[ERRNOS.index(code) % 3])
    result = CliRunner().invoke(main, args)
    monkeypatch.undo()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    _assert_refused(result.exit_code, result.output, folder, before)


def test_fault_messages_name_the_cause(tmp_path: Path) -> None:
    """The message says what happened, in both languages (a clerk can act on it)."""
    cases = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk is full", errno.EROFS: "read-only",
             errno.EACCES: "read-only", errno.EFBIG: "too large"}  # fmt: skip
    real_fdopen = os.fdopen
    for code, words in cases.items():
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(os, "fdopen", lambda fd, *a, _c=code, **k: _FailingStream(real_fdopen(fd, *a, **k), 10, _c))
            with pytest.raises(safeio.OutputError) as info:
                safeio.atomic_write(tmp_path / "x.bin", b"x" * 100)
        assert words in info.value.message_en, (errno.errorcode[code], info.value.message_en)
        assert list(tmp_path.iterdir()) == []


# --- killed mid-write ----------------------------------------------------------------------------------
def _kill_at(args: list[str], folder: Path, when: float | None, stop_on_temp: float | None) -> tuple[str, float]:
    """Start ``args``; SIGKILL it ``when`` seconds after the start, or ``stop_on_temp`` seconds
    after its temporary file appears. Returns what was caught and when."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    caught = "finished first"
    while proc.poll() is None:
        now = time.monotonic() - start
        if when is not None and now >= when:
            proc.kill()
            caught = "at a random moment"
            break
        if stop_on_temp is not None and any(TEMP.match(n) for n in os.listdir(folder)):
            time.sleep(stop_on_temp)
            proc.kill()
            temps = [n for n in os.listdir(folder) if TEMP.match(n)]
            caught = "while writing" if temps else "just after writing"
            break
        time.sleep(0.0005)
    proc.wait()
    return caught, time.monotonic() - start


@pytest.mark.parametrize("command", ["build", "announce"])
def test_killed_mid_write(command: str, inputs: Path, previous: dict[str, Path], tmp_path: Path) -> None:
    folder = _fresh(previous[command], tmp_path)
    old = _state(folder)
    reference = tmp_path / "reference"
    done = subprocess.run([*CLI, *COMMANDS[command](inputs, reference)], capture_output=True)
    assert done.returncode == 0, done.stderr
    new = {p.name: docx.Document(str(p)).element.body.xml for p in reference.glob("*.docx")}
    started = time.monotonic()
    subprocess.run([*CLI, *COMMANDS[command](inputs, tmp_path / "timing")], check=True, capture_output=True)
    duration = time.monotonic() - started
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    plan = [(rng.uniform(0.2, 1.1) * duration, None) for _ in range(6)]
    plan += [(None, rng.uniform(0, 0.03)) for _ in range(6)]
    caught = []
    for when, stop in plan:
        what, _ = _kill_at([*CLI, *COMMANDS[command](inputs, folder)], folder, when, stop)
        caught.append(what)
        for name, data in _state(folder).items():
            if TEMP.match(name):
                continue  # the killed run's temporary file: hidden, never read as output
            if data != old[name]:  # not the previous file, so it must be the new one, whole
                body = docx.Document(io.BytesIO(data)).element.body.xml
                assert body == new[name], f"{name} is neither the previous nor the new file (seed {seed})"
        assert set(old) <= {n for n in _state(folder) if not TEMP.match(n)}, f"an output vanished (seed {seed})"
    assert "while writing" in caught or "just after writing" in caught, (caught, seed)
    # A later run succeeds beside whatever the killed runs left; it leaves nothing of its own.
    leftovers = {n for n in os.listdir(folder) if TEMP.match(n)}
    done = subprocess.run([*CLI, *COMMANDS[command](inputs, folder)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert {n for n in os.listdir(folder) if TEMP.match(n)} == leftovers
    for name in new:
        _opens(folder / name)
