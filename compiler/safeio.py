"""Writing output files safely: all or nothing, and never over a file unless asked.

A file is written to a temporary file in the target's own folder, flushed to disk, then
renamed over the target (``os.replace`` is atomic within one file system), so a crash or a
full disk never leaves a half-written report. Failures become :class:`errors.OutputError`
with a Thai and an English message; the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from compiler.errors import OutputError

Writer = Callable[[IO[bytes]], None]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _os_error(path: Path, exc: OSError) -> OutputError:
    """An OutputError in both languages for an OS failure while writing ``path``."""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        th, en = "พื้นที่ดิสก์เต็ม", "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        th, en = "ไม่มีสิทธิ์เขียนในโฟลเดอร์นี้ (อ่านได้อย่างเดียว)", "no permission to write there (read-only)"
    elif exc.errno == errno.EFBIG:
        th, en = "ไฟล์ใหญ่เกินขีดจำกัดของดิสก์หรือของบัญชีผู้ใช้", "the file is too large for this disk or account (a size limit)"
    elif exc.errno == errno.ENOENT:
        th, en = "ไม่พบโฟลเดอร์ปลายทาง", "the folder does not exist"
    else:
        th, en = f"เขียนไฟล์ไม่สำเร็จ ({exc.strerror})", f"cannot write the file ({exc.strerror})"
    return OutputError(
        f"บันทึกไฟล์ {path} ไม่ได้: {th}",
        f"cannot write {path}: {en}",
        where=str(path),
    )


def check_target(target: Path, *, force: bool = False) -> None:
    """Raise :class:`OutputError` if ``target`` cannot be written (exists without ``force``,
    is a folder, or its folder is missing); do nothing otherwise.
    """
    if target.is_dir():
        raise OutputError(
            f"{target} เป็นโฟลเดอร์ ต้องระบุชื่อไฟล์",
            f"{target} is a folder; give a file name",
            where=str(target),
        )
    if target.exists() and not force:
        raise OutputError(
            f"มีไฟล์ {target} อยู่แล้ว ใช้ --force เพื่อเขียนทับ",
            f"{target} already exists; use --force to replace it",
            where=str(target),
        )
    if not target.parent.is_dir():
        raise OutputError(
            f"ไม่พบโฟลเดอร์ {target.parent}",
            f"the folder {target.parent} does not exist",
            where=str(target),
        )


def atomic_write(target: Path | str, write: Writer | bytes, *, force: bool = False) -> Path:
    """Write ``target`` in one step: ``write`` (bytes, or a function given a binary stream)
    fills a temporary file beside it, which then replaces ``target``.

    Without ``force`` an existing ``target`` is an :class:`OutputError` (checked again at
    the rename, so a file that appears meanwhile is not clobbered). The new file gets the
    usual permissions (0666 less the umask). Returns ``target``.
    """
    target = Path(target)
    check_target(target, force=force)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _os_error(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            if isinstance(write, bytes):
                stream.write(write)
            else:
                guarded = _Guarded(stream)
                try:
                    write(guarded)  # type: ignore[arg-type]
                finally:
                    guarded.release()
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        _commit(tmp, target, force=force)
    except OSError as exc:
        _remove(tmp)
        raise _os_error(target, exc) from exc
    except BaseException:
        _remove(tmp)
        raise
    return target


def _remove(tmp: Path) -> None:
    """Remove a temporary file; if even that fails, the error being reported matters more."""
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


class _Guarded:
    """The temporary file as a writer sees it, inert once the write is over.

    When a write fails midway (disk full), python-docx leaves its ``ZipFile`` behind,
    unclosed; when it is collected, at exit, it writes its directory to the file, long
    closed, and Python prints a traceback to the clerk. Released, this stream only counts
    what it is given, so that late write goes nowhere, quietly.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream: IO[bytes] | None = stream
        self._pos = 0

    def release(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._pos = self.tell()
        self._stream = None

    def write(self, data: bytes) -> int:
        if self._stream is not None:
            return self._stream.write(data)
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._stream is not None:
            return self._stream.seek(offset, whence)
        self._pos = offset if whence == 0 else self._pos + offset
        return self._pos

    def tell(self) -> int:
        return self._stream.tell() if self._stream is not None else self._pos

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        if self._stream is None:
            raise OSError(errno.EBADF, "the file is closed")
        return self._stream.fileno()


def _commit(tmp: Path, target: Path, *, force: bool) -> None:
    """Move ``tmp`` to ``target``; without ``force``, never over an existing file."""
    if force:
        os.replace(tmp, target)
        return
    try:
        # A hard link fails if the target exists: no window where another file is replaced.
        os.link(tmp, target)
    except FileExistsError as exc:
        raise OutputError(
            f"มีไฟล์ {target} อยู่แล้ว ใช้ --force เพื่อเขียนทับ",
            f"{target} already exists; use --force to replace it",
            where=str(target),
        ) from exc
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise  # a real failure (disk full, I/O error): reported, not papered over
        # File systems without hard links (FAT, some network shares): check, then rename.
        if target.exists():
            raise OutputError(
                f"มีไฟล์ {target} อยู่แล้ว ใช้ --force เพื่อเขียนทับ",
                f"{target} already exists; use --force to replace it",
                where=str(target),
            ) from None
        os.replace(tmp, target)
        return
    _remove(tmp)  # the new file is in place; a temporary left behind is hidden and harmless


#: What ``link`` says on a file system without hard links (FAT, some network shares).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV})


def atomic_copy(source: Path | str, target: Path | str, *, force: bool = False) -> Path:
    """Copy ``source`` to ``target`` atomically (works across file systems), as :func:`atomic_write`."""
    source = Path(source)

    def write(stream: IO[bytes]) -> None:
        with source.open("rb") as src:
            shutil.copyfileobj(src, stream)

    return atomic_write(target, write, force=force)


#: Characters no file name may hold on Windows, macOS or Linux, controls, and bidi overrides
#: (which would show a name in another order than it is: "ประกาศ\u202excod.exe").
_NOT_IN_NAMES = re.compile('[\\\\/:*?"<>|\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]')


def safe_stem(text: str, limit: int = 40) -> str:
    """``text`` fit to be (part of) a file name: no path or reserved characters, single
    spaces, at most ``limit`` characters (40 Thai letters are 120 of the 255 bytes a name
    may take). ``safe_stem("กอง/คลัง: ฝ่าย *") == "กองคลัง ฝ่าย"``; ``""`` when nothing is left.
    """
    text = " ".join(_NOT_IN_NAMES.sub("", text).split())
    return text[:limit].strip(" .")
