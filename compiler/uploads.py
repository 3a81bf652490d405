"""Inputs held in memory (a web page's uploads) made into files the pipeline can read.

A front end receives workbooks as bytes with the name the user gave them. ``staged`` writes
them into a private temporary folder under safe names (the user's name is kept for messages
only: it never chooses where a file goes) and removes the folder afterwards, whatever happens.

    >>> with staged([("กองคลัง.xlsx", b"...")]) as paths:
    ...     paths[0].name
    'กองคลัง.xlsx'
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from compiler.errors import UsageError
from compiler.safeio import safe_stem

#: One input: a path, a ``(name, bytes)`` pair, or a binary file object (its ``name`` used).
Input = Path | str | tuple[str, bytes] | BinaryIO

#: Names Windows gives to devices, whatever the suffix (``CON.xlsx`` is the console).
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)
_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".docx")


def _name_and_bytes(item: tuple[str, bytes] | BinaryIO, index: int) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, data = item
    else:
        name, data = str(getattr(item, "name", "") or ""), item.read()
    if not isinstance(data, (bytes, bytearray)):
        raise UsageError("ข้อมูลที่ส่งมาไม่ใช่ไฟล์", f"input {index + 1} is not bytes")
    return name, bytes(data)


def safe_name(name: str, index: int) -> str:
    """A file name for an upload named ``name``: its last path part, made safe, suffix kept.

    ``safe_name("C:\\\\งาน\\\\กองคลัง.xlsx", 0) == "กองคลัง.xlsx"``; an empty or unusable
    name becomes ``upload-1.xlsx``-style (the suffix decides how the file is read).
    """
    last = PureWindowsPath(PurePosixPath(name).name).name
    suffix = Path(last).suffix.lower()
    suffix = suffix if suffix in _SUFFIXES else ""
    stem = safe_stem(Path(last).stem, limit=60) or f"upload-{index + 1}"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem + suffix


def is_path(item: object) -> bool:
    return isinstance(item, (str, Path))


@contextmanager
def staged(inputs: Iterable[Input], folder_name: str = "") -> Iterator[list[Path]]:
    """Paths for ``inputs``: paths as given; bytes and file objects written into one private
    temporary folder (inside a sub-folder ``folder_name`` when given), removed on exit.

    Two uploads with one name get ``-2``, ``-3``… so neither replaces the other.
    """
    items = list(inputs)
    tmp: Path | None = None
    try:
        out: list[Path] = []
        used: set[str] = set()
        for i, item in enumerate(items):
            if is_path(item):
                out.append(Path(item))  # type: ignore[arg-type]
                continue
            if tmp is None:
                tmp = Path(tempfile.mkdtemp(prefix="ita-upload-"))
            name, data = _name_and_bytes(item, i)  # type: ignore[arg-type]
            name = safe_name(name, i)
            stem, suffix, n = Path(name).stem, Path(name).suffix, 1
            while name.lower() in used:
                n += 1
                name = f"{stem}-{n}{suffix}"
            used.add(name.lower())
            where = tmp / safe_stem(folder_name) if folder_name and safe_stem(folder_name) else tmp
            where.mkdir(exist_ok=True)
            target = where / name
            target.write_bytes(data)
            out.append(target)
        yield out
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def picture(data: bytes | Path | str | None, name: str = "picture") -> Iterator[Path | None]:
    """A picture given as bytes (or a path, or nothing) as a path for the renderers."""
    if data is None or is_path(data):
        yield Path(data) if data is not None else None  # type: ignore[arg-type]
        return
    with staged([(name, bytes(data))]) as paths:  # type: ignore[arg-type]
        yield paths[0]
