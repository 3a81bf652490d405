"""Column measurements kept in the cache folder between commands.

A command sizes a report's table afresh in every process: it reads each sampled cell's
paragraphs from the XML, measures their words and solves the widths (a tenth of a build). The
next command usually builds the same table, or the same table with one department's rows new.
This module keeps, for the tables sized by the last process:

- each cell's paragraphs, by the cell's XML (``w:tc`` as written out);
- each cell's measurements (:class:`compiler.docx.columns._Measured`), by its paragraphs and the
  text size.

One file (:mod:`compiler.diskcache`: checksummed, a damaged file reads as absent), keyed by
:func:`compiler.diskcache.code_stamp` (an edited or upgraded program, whose measurements might
differ, starts afresh), loaded at the first table of a process and written when the process
ends. The cells of at most :data:`TABLES_KEPT` tables are written (a few hundred kB for the
300-row report).
"""

from __future__ import annotations

import atexit
import marshal
import threading
from collections.abc import Callable
from typing import Any

from compiler import diskcache

_MAGIC = b"ita-report column measurements 2\n"
#: The cells of at most this many tables (the latest) are written.
TABLES_KEPT = 2

Paragraphs = tuple[tuple[str, bool], ...]
Measures = tuple[tuple[float, ...], float, float]

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "loaded": the file's dicts; "tables": the latest tables' entries
_dirty = [False]
stats = {"loaded": 0, "written": 0}


def _path_key() -> tuple[Any, str] | None:
    folder = diskcache.cache_folder()
    if folder is None:
        return None
    return folder / "columns" / "tables.bin", diskcache.code_stamp()


def _empty() -> dict[str, dict[Any, Any]]:
    return {"cells": {}, "measures": {}}


def loaded() -> dict[str, dict[Any, Any]]:
    """The file's entries (empty when there is none, it is damaged or written by other code):
    ``cells`` (XML -> paragraphs) and ``measures`` ((paragraphs, size) -> measures). Read
    once a process; read them, never change them."""
    found = _state.get("loaded")
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _lock:
        if "loaded" in _state:
            return _state["loaded"]  # type: ignore[no-any-return]
        made = _empty()
        where = _path_key()
        payload = None if where is None else diskcache.read(where[0], _MAGIC, where[1])
        if payload is not None:
            try:
                data = marshal.loads(payload)
            except (EOFError, ValueError, TypeError):
                data = None
            if isinstance(data, dict) and all(isinstance(data.get(k), dict) for k in made):
                made = data
                stats["loaded"] += 1
        _state["loaded"] = made
        return made


def record(entries: Callable[[], tuple[dict[bytes, Paragraphs], dict[tuple[Paragraphs, float], Measures]]]) -> None:
    """A table just sized: ``entries()`` gives its cells' paragraphs and measurements, asked
    for when they are written (when the process ends: a server builds without the cost)."""
    with _lock:
        tables = _state.setdefault("tables", [])
        tables.append(entries)
        del tables[:-TABLES_KEPT]
        if not _state.get("at_exit"):
            _state["at_exit"] = atexit.register(save)
        _dirty[0] = True


def save() -> None:
    """Write the latest tables to the cache folder if one was sized (also done when the
    process ends). A folder that cannot be written only costs the measuring next time."""
    where = _path_key()
    if not _dirty[0] or where is None:
        return
    with _lock:
        tables = list(_state.get("tables", []))
        _dirty[0] = False
    out = _empty()
    for entries in tables:
        cells, measures = entries()
        out["cells"].update(cells)
        out["measures"].update(measures)
    if diskcache.write(where[0], _MAGIC, where[1], marshal.dumps(out)):
        stats["written"] += 1


def forget() -> None:
    """Forget what was loaded and recorded in this process (a test's new process)."""
    with _lock:
        _state.pop("loaded", None)
        _state.pop("tables", None)
        _dirty[0] = False
