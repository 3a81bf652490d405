"""Checked workbooks kept in the cache folder, so a command run again skips unchanged files.

``check.check_files(remember=True)`` keeps each file's checked workbook in the process, keyed
by the file's path, display name and content hash; this module keeps the same results on disk
(:mod:`compiler.diskcache`) for the next command. Besides that key, a result depends on the
code that made it: the key also holds :func:`compiler.diskcache.code_stamp` (the Python
version, the size and time of every module of this package and of the readers it uses), so
an edited or upgraded program starts afresh. A file that fails its checksum, or
does not unpickle into a workbook, is ignored and rewritten. At most :data:`MAX_KEPT` files
are kept.

The cache folder is the user's own (as for the compiled templates, whose code runs): a file
there is trusted as the user's programs are.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from compiler import diskcache
from compiler.model import DepartmentWorkbook

_MAGIC = b"ita-report checked workbook 1\n"
#: At most this many checked workbooks are kept (a few tens of kB each); past it, the ones
#: written longest ago are removed.
MAX_KEPT = 2000


def _where(key: tuple[str, str, bytes]) -> tuple[Path, str] | None:
    folder = diskcache.cache_folder()
    if folder is None:
        return None
    path, name, digest = key
    text = repr((path, name, digest.hex(), diskcache.code_stamp()))
    return folder / "checked" / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.bin", text


def load(key: tuple[str, str, bytes]) -> DepartmentWorkbook | None:
    """The checked workbook stored under ``key`` (path, display name, content hash)."""
    where = _where(key)
    payload = None if where is None else diskcache.read(where[0], _MAGIC, where[1])
    if payload is None:
        return None
    try:
        book = pickle.loads(payload)
    except Exception:  # a file of another version of the model: not ours any more
        return None
    return book if isinstance(book, DepartmentWorkbook) else None


def store(key: tuple[str, str, bytes], book: DepartmentWorkbook) -> None:
    """Keep ``book`` under ``key`` for the next command (atomically; errors cost nothing)."""
    where = _where(key)
    if where is None:
        return
    try:
        payload = pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value pickle cannot write: the file is read again next time
        return
    diskcache.write(where[0], _MAGIC, where[1], payload)
    _prune(where[0].parent)


def _prune(folder: Path) -> None:
    """Remove the oldest files past :data:`MAX_KEPT` (another process may be removing them too)."""
    try:
        with os.scandir(folder) as entries:
            files = [(e.stat().st_mtime_ns, e.path) for e in entries if e.name.endswith(".bin") and e.is_file()]
    except OSError:
        return
    if len(files) <= MAX_KEPT:
        return
    for _, path in sorted(files)[: len(files) - MAX_KEPT]:
        with contextlib.suppress(OSError):
            os.unlink(path)
