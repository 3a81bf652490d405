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
import os
import sys
import tempfile
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
    head = len(magic) + 32
    if len(data) <= head or not data.startswith(magic):
        return None
    checksum, payload = data[len(magic) : head], data[head:]
    if hashlib.sha256(key.encode("utf-8") + payload).digest() != checksum:
        return None
    return payload


def write(path: Path, magic: bytes, key: str, payload: bytes) -> None:
    """Store ``payload`` for ``key`` at ``path`` atomically (a reader sees the old file or the
    new one, never half of one); a folder that cannot be written is no error."""
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
        return
