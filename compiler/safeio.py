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
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePath
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
    elif exc.errno == errno.ENAMETOOLONG:
        size = len(path.name.encode("utf-8", "surrogateescape"))
        th = f"ชื่อไฟล์ยาวเกินไป ({size} ไบต์ รับได้ไม่เกิน 255 ไบต์ อักษรไทยตัวละ 3 ไบต์) กรุณาใช้ชื่อที่สั้นลง"
        en = f"the file name is too long ({size} bytes; a name may take 255, a Thai letter 3); use a shorter one"
    elif exc.errno == errno.ENOENT:
        th, en = "ไม่พบโฟลเดอร์ปลายทาง", "the folder does not exist"
    else:
        th, en = f"เขียนไฟล์ไม่สำเร็จ ({exc.strerror})", f"cannot write the file ({exc.strerror})"
    return OutputError(
        f"บันทึกไฟล์ {path} ไม่ได้: {th}",
        f"cannot write {path}: {en}",
        where=str(path),
    )


def make_folder(folder: Path) -> None:
    """Create an output folder (and its parents); a failure is an ``OutputError``, not a crash."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(folder, exc) from exc


def check_target(target: Path, *, force: bool = False) -> None:
    """Raise :class:`OutputError` if ``target`` cannot be written (exists without ``force``,
    is a folder, or its folder is missing); do nothing otherwise.
    """
    try:
        is_dir, exists = target.is_dir(), target.exists()
    except OSError as exc:  # ENAMETOOLONG: Thai takes 3 bytes a letter of a name's 255
        raise _os_error(target, exc) from exc
    if is_dir:
        raise OutputError(
            f"{target} เป็นโฟลเดอร์ ต้องระบุชื่อไฟล์",
            f"{target} is a folder; give a file name",
            where=str(target),
        )
    if exists and not force:
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
        # A short temporary name: the target's own may already take all 255 bytes a name can.
        fd, tmp_name = tempfile.mkstemp(prefix=".ita-", suffix=".tmp", dir=target.parent)
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
_NOT_IN_NAMES = re.compile('[\\\\/:*?"<>|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')
#: Characters that show as nothing: two names differing only by one look the same.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
#: Names Windows keeps for devices, whatever the extension (``CON.xlsx`` opens the console).
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)
#: The most bytes a name made from data may take (of the 255 a file system allows; the
#: rest is room for a suffix such as `` (2)`` and the extension).
MAX_NAME_BYTES = 200


def _cap_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def safe_stem(text: str, limit: int = 40) -> str:
    """``text`` fit to be (part of) a file name on Windows, macOS and Linux: no path or
    reserved characters, no invisible characters, single spaces, at most ``limit``
    characters and :data:`MAX_NAME_BYTES` bytes, no trailing dot or space, and no device
    name of Windows (``CON`` becomes ``_CON``, as ``uploads.safe_name`` does).
    ``safe_stem("กอง/คลัง: ฝ่าย *") == "กองคลัง ฝ่าย"``; ``""`` when nothing is left.
    """
    text = " ".join(_INVISIBLE.sub("", _NOT_IN_NAMES.sub("", text)).split())
    text = _cap_bytes(text[:limit], MAX_NAME_BYTES).strip(" .")
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = "_" + text
    return text


def name_key(name: str) -> str:
    """How Windows and macOS compare two file names: case, Unicode normal form (macOS
    decomposes Thai and accents), invisible characters and trailing dots or spaces do not
    count. ``name_key("Report.DOCX") == name_key("report.docx")``."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", name)).casefold().rstrip(" .")


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext``, ``stem (3).ext``… the first that no name in ``taken``
    (a set of :func:`name_key` values, updated) already is: no output of a run replaces
    another of the same run. ``free_name("x.xlsx", {"x.xlsx"}) == "x (2).xlsx"``."""
    path = PurePath(name)
    stem, suffix = path.stem, path.suffix
    candidate, n = name, 2
    while name_key(candidate) in taken:
        candidate = f"{stem} ({n}){suffix}"
        n += 1
    taken.add(name_key(candidate))
    return candidate


def safe_file_name(text: str, suffix: str, *, fallback: str = "file", limit: int = 40) -> str:
    """A whole file name made from data: ``safe_stem(text)`` (or ``fallback``) plus ``suffix``."""
    return f"{safe_stem(text, limit) or fallback}{suffix}"


def not_plain(path: Path) -> tuple[str, str] | None:
    """Why ``path`` is not read as an input (Thai, English), ``None`` if it may be: a link
    (it would lead out of the input folder, or into it again), or neither a folder nor a
    regular file (a pipe or a device, where reading waits for ever)."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"เปิดไม่ได้ ({exc.strerror or exc})", f"cannot be opened ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return (
            "เป็นลิงก์ (shortcut) ไปยังที่อื่น จึงไม่อ่าน กรุณาคัดลอกไฟล์จริงมาไว้แทน",
            "a link to somewhere else, not read; copy the files themselves here",
        )
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return (
            "ไม่ใช่ไฟล์หรือโฟลเดอร์ธรรมดา (เป็นไปป์หรืออุปกรณ์) จึงไม่อ่าน",
            "neither a regular file nor a folder (a pipe or a device); not read",
        )
    return None


# --- names fit to show --------------------------------------------------------------------------
#: Bytes a name held that were not UTF-8, as Python keeps them (surrogate escapes).
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
_OTHER_SURROGATES = re.compile("[\ud800-\udfff]")
#: What must never reach a terminal from a name: C0 and C1 controls (ESC starts colour codes,
#: cursor moves, title changes), DEL, and the bidi controls that show a name reversed.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060-\u2064\u202a-\u202e\u2066-\u2069\ufeff]")
_UNPRINTABLE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _thai_bytes(match: re.Match[str]) -> str:
    """Bytes that were not UTF-8, read as Windows Thai (cp874), which is what they are here."""
    return bytes(ord(ch) - 0xDC00 for ch in match.group(0)).decode("cp874", errors="replace")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_name(name: str) -> str:
    """A file name as it may be shown: bytes of a Windows Thai (cp874) name that Linux kept
    as they were read as Thai, and every control character (ESC, newline, bidi overrides)
    written out as ``\\x1b``, so that no name can colour, move or rewrite a terminal.

    ``display_name("ok\\x1b[31m.xlsx") == "ok\\\\x1b[31m.xlsx"``; a name that was cp874 bytes
    (``os.fsdecode(b"\\xa1\\xcd\\xa7.xlsx")``) gives ``"กอง.xlsx"``.
    """
    if _OTHER_SURROGATES.search(name):  # each part of a path on its own: folders may be UTF-8
        name = "/".join(_cp874(part) for part in name.split("/"))
    return _UNPRINTABLE.sub(_escape, name)


def _cp874(name: str) -> str:
    """One name that Linux kept as bytes (not UTF-8) read as Windows Thai; bytes of it may
    have passed for UTF-8 by chance, so the whole name is read again."""
    if not _OTHER_SURROGATES.search(name):
        return name
    try:
        return name.encode("utf-8", "surrogateescape").decode("cp874", errors="replace")
    except UnicodeEncodeError:  # surrogates that no byte made
        return _OTHER_SURROGATES.sub("\ufffd", name)


def printable(text: str) -> str:
    """A message fit for a terminal: as :func:`display_name`, but lines and tabs are kept."""
    text = _OTHER_SURROGATES.sub("\ufffd", _ESCAPED_BYTES.sub(_thai_bytes, text))
    return _UNPRINTABLE_IN_TEXT.sub(_escape, text)


def printable_json(text: str) -> str:
    """JSON text fit for a terminal: the characters :func:`printable` writes out become JSON
    escapes (``\\u001b``), so the document still decodes to the same data."""
    return _UNPRINTABLE_IN_TEXT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", _OTHER_SURROGATES.sub("\ufffd", text))
