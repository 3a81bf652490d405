"""The user's cache folder, and files in it that are trusted only when their checksum holds.

The folder is ``$ITA_REPORT_CACHE`` when set (``off`` turns every disk cache off), else
``%LOCALAPPDATA%\\ita-report\\cache`` on Windows, ``~/Library/Caches/ita-report`` on macOS and
``$XDG_CACHE_HOME/ita-report`` (``~/.cache/ita-report``) elsewhere. A cache file holds a magic
line, the SHA-256 of its key and payload, then the payload: a file that is short, damaged,
written for another key or not ours reads as absent and is rewritten. A folder that cannot be
written only costs the work the cache would have saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


def cache_folder() -> Path | None:
    """The disk cache's folder (see the module docstring); ``None`` when it is off."""
    configured = os.environ.get("ITA_REPORT_CACHE")
    if configured:
        return None if configured.lower() == "off" else Path(configured)
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "ita-report" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ita-report"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ita-report"


def read(path: Path, magic: bytes, key: str) -> bytes | None:
    """The payload stored at ``path`` for ``key``; ``None`` when absent, unreadable or failing
    its checksum."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return verified(data, magic, key)


def verified(data: bytes, magic: bytes, key: str) -> bytes | None:
    """The payload of a cache file's ``data`` when it is whole, ours (``magic``) and written
    for ``key``; else ``None``."""
    head = len(magic) + 32
    if len(data) <= head or not data.startswith(magic):
        return None
    checksum, payload = data[len(magic) : head], data[head:]
    if hashlib.sha256(key.encode("utf-8") + payload).digest() != checksum:
        return None
    return payload


def write(path: Path, magic: bytes, key: str, payload: bytes) -> bool:
    """Store ``payload`` for ``key`` at ``path`` atomically (a reader sees the old file or the
    new one, never half of one); a folder that cannot be written is no error (False)."""
    data = magic + hashlib.sha256(key.encode("utf-8") + payload).digest() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


#: The readers a cached result depends on besides this package.
READERS = ("python_calamine", "openpyxl", "olefile", "defusedxml", "pythainlp")
_stamp: list[str] = []


def _package_files(root: Path) -> list[tuple[str, int, int]]:
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                out.append((os.path.relpath(os.path.join(folder, name), root), st.st_size, st.st_mtime_ns))
    return sorted(out)


def code_stamp() -> str:
    """What a cached result depends on besides its input: the Python version, pickle's
    protocol, the size and time of every module of this package and of the readers
    (:data:`READERS`); an edited or upgraded program starts afresh. Computed once a process."""
    if not _stamp:
        parts: list[object] = [sys.version, pickle.HIGHEST_PROTOCOL, _package_files(Path(__file__).resolve().parent)]
        parts.extend(module_stamps(READERS))
        _stamp.append(hashlib.sha256(repr(parts).encode("utf-8")).hexdigest())
    return _stamp[0]


def module_stamps(names: Iterable[str]) -> list[tuple[str, str | None, int | None, int | None]]:
    """For each module named: its file, and that file's size and time (``None`` where the
    module or its file cannot be found), so that an upgraded library changes a cache key."""
    stamps = []
    for name in names:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            st = os.stat(origin) if origin else None
        except OSError:
            st = None
        stamps.append((name, origin, st.st_size if st else None, st.st_mtime_ns if st else None))
    return stamps
