"""Opening an untrusted .zip submission: refuse what is unsafe, extract the rest to a temp folder.

An organisation may send its department workbooks as one .zip. Nothing in it is trusted:
a member with an absolute path or ``..``, a link, an encrypted member, too many members, or
an archive that expands past a limit makes the whole archive refused, and nothing of it is
left on disk. Sizes are checked as declared *and* counted while decompressing, since a
crafted archive can declare anything. Extraction only ever happens inside a fresh
temporary folder that is removed afterwards. Every refusal is a ``Finding`` (Thai and
English); nothing here raises for a bad archive.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from compiler.findings import new_finding
from compiler.model import Finding, Severity
from compiler.safeio import display_name
from compiler.workbook.read import MAX_FILE_SIZE, WORKBOOK_SUFFIXES

_CHUNK = 1 << 16
_DRIVE = re.compile(r"^[A-Za-z]:")
_THAI = re.compile("[\u0e01-\u0e5b]")


@dataclass(frozen=True)
class ZipLimits:
    """How much one submission may hold; past any of these the archive is refused."""

    max_members: int = 500
    max_member_bytes: int = MAX_FILE_SIZE  # no department workbook is larger on disk
    max_total_bytes: int = 300 * 1024 * 1024
    #: Expansion ratio allowed for a member larger than ``ratio_floor`` bytes.
    max_ratio: float = 200.0
    ratio_floor: int = 10 * 1024 * 1024


LIMITS = ZipLimits()


@dataclass(frozen=True)
class Extracted:
    """What came out of an archive: workbook files (inside ``folder``) and the findings."""

    folder: Path
    files: tuple[Path, ...]
    names: tuple[str, ...]  # each file's name inside the archive, for messages
    findings: tuple[Finding, ...]

    @property
    def refused(self) -> bool:
        """True when the archive was refused as a whole (no file extracted)."""
        return any(f.severity is Severity.ERROR for f in self.findings)


def _refusal(archive: str, code: str, th: str, en: str) -> Finding:
    return new_finding(code, file=archive, sheet="", cell="", th=th, en=en)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its sender meant it: ``\\`` as ``/``, Thai names from Windows
    zips (cp874, not flagged UTF-8) decoded, e.g. ``กองคลัง.xlsx`` rather than mojibake."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437", errors="replace")
        try:
            name = raw.decode("utf-8")  # UTF-8 without the flag (macOS, old 7-Zip)
        except UnicodeDecodeError:
            thai = raw.decode("cp874", errors="replace")
            if _THAI.search(thai) and "\ufffd" not in thai:  # cp874 only where it reads as Thai
                name = thai
    return name.replace("\\", "/")


def unsafe_reason(name: str) -> tuple[str, str] | None:
    """Why a member name would write outside the folder (Thai, English), or ``None`` if it
    is safe: ``unsafe_reason("../x.xlsx")`` names the ``..``."""
    if name.startswith("/") or _DRIVE.match(name):
        return "ใช้ที่อยู่แบบเต็ม (absolute path)", "has an absolute path"
    if any(ord(ch) < 32 for ch in name):
        return "มีอักขระควบคุมในชื่อ", "has control characters in its name"
    if ".." in PurePosixPath(name).parts:
        return "มี '..' ซึ่งจะเขียนออกนอกโฟลเดอร์", "contains '..' and would be written outside the folder"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _wanted(name: str) -> bool:
    """A workbook worth extracting: not a folder, a lock file, a hidden or a Mac resource file."""
    path = PurePosixPath(name)
    if name.endswith("/") or path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return False
    return not any(p.startswith((".", "~$", "__MACOSX")) for p in path.parts)


def inspect(zf: zipfile.ZipFile, archive: str, limits: ZipLimits = LIMITS) -> list[Finding]:
    """Every reason to refuse the archive from its directory alone (names, flags, declared sizes)."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        return [
            _refusal(
                archive,
                "zip-too-many-members",
                f"ไฟล์ zip มี {len(infos)} ไฟล์ เกินขีดจำกัด {limits.max_members} ไฟล์ จึงไม่เปิด",
                f"the zip holds {len(infos)} members, more than the limit of {limits.max_members}; refused",
            )
        ]
    out: list[Finding] = []
    total = 0
    for info in infos:
        name = member_name(info)
        why = unsafe_reason(name)
        name = display_name(name)  # as shown: no control character reaches a terminal
        if why:
            out.append(
                _refusal(
                    archive,
                    "zip-unsafe-path",
                    f"ไฟล์ '{name}' ใน zip {why[0]} ไฟล์ zip นี้จึงไม่ถูกเปิด",
                    f"member '{name}' {why[1]}; the zip is refused",
                )
            )
        if _is_link(info):
            out.append(
                _refusal(
                    archive,
                    "zip-link",
                    f"'{name}' ใน zip เป็นลิงก์ (symbolic link) ไฟล์ zip นี้จึงไม่ถูกเปิด",
                    f"member '{name}' is a symbolic link; the zip is refused",
                )
            )
        if info.flag_bits & 0x1:
            out.append(
                _refusal(
                    archive,
                    "zip-encrypted",
                    f"'{name}' ใน zip มีรหัสผ่าน กรุณาส่ง zip ที่ไม่ใส่รหัสผ่าน",
                    f"member '{name}' is encrypted; send the zip without a password",
                )
            )
        if info.file_size > limits.max_member_bytes or (
            info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            out.append(_bomb(archive, name, info.file_size))
        total += info.file_size
    if total > limits.max_total_bytes and not any(f.code == "zip-bomb" for f in out):
        out.append(_bomb(archive, "", total))
    return out


def _bomb(archive: str, name: str, size: int) -> Finding:
    mb = size // 1_048_576
    what_th, what_en = (f"'{name}' ใน zip", f"member '{name}'") if name else ("ไฟล์ zip", "the zip")
    return _refusal(
        archive,
        "zip-bomb",
        f"{what_th} ขยายตัวได้ถึง {mb} MB เกินขีดจำกัด (อาจเป็นไฟล์อันตราย) จึงไม่เปิด",
        f"{what_en} expands to {mb} MB, past the limit (a zip bomb?); refused",
    )


def _copy_counted(src: IO[bytes], dst: Path, budget: int) -> int:
    """Copy ``src`` to ``dst`` counting bytes; stop at ``budget + 1`` (the caller refuses)."""
    written = 0
    with dst.open("wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                break
            out.write(chunk)
    return written


def extract(archive: Path, folder: Path, *, display: str | None = None, limits: ZipLimits = LIMITS) -> Extracted:
    """Extract the workbooks of ``archive`` into ``folder`` (an empty temporary folder).

    On any refusal the folder is emptied again and ``files`` is empty. Members that are
    not workbooks (a PDF, a nested zip) are skipped; nested archives with a warning.
    """
    name = display or archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return Extracted(folder, (), (), (_corrupt(name, exc),))
    with zf:
        refusals = inspect(zf, name, limits)
        if refusals:
            return Extracted(folder, (), (), tuple(refusals))
        files: list[Path] = []
        names: list[str] = []
        notes: list[Finding] = []
        total = 0
        for i, info in enumerate(zf.infolist()):
            member = member_name(info)
            if not _wanted(member):
                if PurePosixPath(member).suffix.lower() in (".zip", ".rar", ".7z"):
                    notes.append(_nested(name, display_name(member)))
                continue
            # Stored under a number: names are already shown as typed; the disk sees no surprises.
            target = folder / f"{i:04d}{PurePosixPath(member).suffix.lower()}"
            budget = min(info.file_size, limits.max_member_bytes, limits.max_total_bytes - total)
            try:
                with zf.open(info) as src:
                    got = _copy_counted(src, target, budget)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                _empty(folder)
                return Extracted(folder, (), (), (_corrupt(name, exc, display_name(member)),))
            if got > budget:
                _empty(folder)
                return Extracted(folder, (), (), (_bomb(name, display_name(member), got),))
            total += got
            files.append(target)
            names.append(display_name(member))
    return Extracted(folder, tuple(files), tuple(names), tuple(notes))


def _corrupt(archive: str, exc: BaseException, member: str = "") -> Finding:
    what = f" ('{member}')" if member else ""
    return _refusal(
        archive,
        "zip-corrupt",
        f"ไฟล์ zip เสียหายหรือแจ้งขนาดไม่ตรงกับข้อมูลจริง{what} เปิดไม่ได้ กรุณาบีบอัดใหม่แล้วส่งอีกครั้ง",
        f"the zip is damaged or misdeclares its sizes{what} ({exc}); zip it again and resend",
    )


def _nested(archive: str, member: str) -> Finding:
    return new_finding(
        "zip-nested-archive",
        file=archive,
        sheet="",
        cell="",
        th=f"ไม่เปิดไฟล์บีบอัดซ้อนใน zip: '{member}' กรุณาส่งไฟล์ Excel โดยตรง",
        en=f"archive inside the zip not opened: '{member}'; send the workbooks themselves",
    )


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


@contextmanager
def extracted(archive: Path, *, display: str | None = None, limits: ZipLimits = LIMITS) -> Iterator[Extracted]:
    """``extract`` into a fresh temporary folder that is removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="ita-zip-") as tmp:
        yield extract(archive, Path(tmp), display=display, limits=limits)
