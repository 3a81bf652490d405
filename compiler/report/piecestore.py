"""Where a report's pieces are kept between builds: its skeleton and its rows (the data of
:mod:`compiler.report.assemble`), in this process and in the cache folder.

A skeleton is kept by its key (:func:`skeleton_key`: everything it is made from), in memory
and on disk, one file each; the rows by their key (:func:`row_keys`) under their skeleton's,
in memory (at most :data:`ROWS_KEPT`) and on disk the rows of the skeleton's latest build,
written when the process ends (:func:`save`). Files are checksummed by
:mod:`compiler.diskcache`: one that is damaged, short or made for another key is ignored,
never trusted, and the build is then made whole.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import pickle
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from compiler import diskcache
from compiler.docx.columns import Cell, _Measured
from compiler.remember import Kept

_MAGIC_SKELETON = b"ita-report report skeleton 1\n"
_MAGIC_ROWS = b"ita-report report rows 2\n"
#: At most this many rows are kept for a skeleton in memory (those of the latest build always);
#: on disk, the rows of its latest build only (what the next command run needs when one
#: department changed: a file of ~1 MB for 300 measures, read and written in milliseconds).
ROWS_KEPT = 4096
#: A row longer than this (bytes of UTF-8 XML) is made again each time, not kept.
ROW_LONGEST = 64_000


@dataclass(frozen=True)
class Row:
    """One table row: its XML in ``pieces`` with ``slots[i]`` (a column's number) between
    ``pieces[i]`` and ``pieces[i + 1]``, and what the column solver measures of its cells at
    the table's size (:func:`compiler.docx.columns.measured`)."""

    pieces: tuple[bytes, ...]  # UTF-8
    slots: tuple[int, ...]
    measured: tuple[_Measured, ...]


@dataclass(frozen=True)
class Skeleton:
    """Everything of a report but its rows (see the module docstring).

    ``pieces``/``slots``: ``document.xml`` around its slots (``c3`` a column's width, ``t`` the
    table's, ``r`` the rows); ``parts``: the package's parts as written (``docxzip.Written``),
    the main document's with empty data; ``core``: ``docProps/core.xml`` to redate."""

    pieces: tuple[bytes, ...]  # UTF-8
    slots: tuple[str, ...]
    parts: tuple[tuple[str, str, bytes, int, int], ...]
    core: bytes
    nsmap: tuple[tuple[str | None, str], ...]
    header: tuple[Cell, ...]
    total_cm: float
    size_pt: float
    padding_cm: float
    keep_last: bool
    loop_name: str
    loop_body: str
    uses: tuple[tuple[str, Any], ...]
    names: tuple[str, ...]
    shows_also: bool


_skeletons: Kept[str, Skeleton] = Kept(8)
_rows: dict[str, dict[bytes, Row]] = {}
_dirty: dict[str, set[bytes]] = {}  # skeleton key -> the rows of its latest build, when new rows were made
_lock = threading.Lock()
_at_exit = [False]


# --- keys --------------------------------------------------------------------------------------
def skeleton_key(template: Path, report: Any, digits: str) -> str | None:
    """The key of ``report``'s skeleton (``None``: a template or logo that cannot be read)."""
    from compiler.docx import buildmemo

    # (the findings are not printed: the same skeleton whatever the rows made them say)
    key = buildmemo.key(template, replace(report, measures=(), findings=()), digits, report.organisation.logo)
    return None if key is None else hashlib.sha256(b"skeleton\0" + key.encode()).hexdigest()


def report_key(template: Path, report: Any, digits: str) -> str | None:
    """:func:`compiler.docx.buildmemo.key` of a build of ``report``, its measures standing as
    their :func:`row_keys` (what each row is made from, in order; remembered by measure):
    pickling 300 measures at every build took a millisecond."""
    from compiler.docx import buildmemo

    measures = tuple(row_keys(report, digits))
    return buildmemo.key(template, replace(report, measures=measures), digits, report.organisation.logo)


def row_keys(report: Any, digits: str) -> list[bytes]:
    """The key of each of ``report``'s rows: the SHA-256 of what the row is made from (the key
    of :func:`compiler.report.context.measure_context`, with the position only where the
    measure has no number of its own), pickled. Remembered in the process by those values
    themselves (a server's build pickles only its changed measures)."""
    scores = tuple(sorted(report.scores.items()))
    out = []
    for position, measure in enumerate(report.measures, start=1):
        key = (measure, position if measure.number is None else None, report.layout, scores, digits)
        digest = _row_keys.get(key)
        if digest is None:
            digest = hashlib.sha256(pickle.dumps(key, protocol=5)).digest()
            _row_keys.keep(key, digest)
        out.append(digest)
    return out


_row_keys: Kept[tuple[Any, ...], bytes] = Kept(8192)


# --- keeping ----------------------------------------------------------------------------------------
def _folder() -> Path | None:
    folder = diskcache.cache_folder()
    return None if folder is None else folder / "assembled"


def _encode_rows(rows: dict[bytes, Row]) -> bytes:
    return marshal.dumps(
        {k: (r.pieces, r.slots, tuple((m.widths, m.short, m.word) for m in r.measured)) for k, r in rows.items()}
    )


def _decode_rows(payload: bytes) -> dict[bytes, Row]:
    return {
        k: Row(tuple(pieces), tuple(slots), tuple(_Measured(tuple(w), short, word) for w, short, word in known))
        for k, (pieces, slots, known) in marshal.loads(payload).items()
    }


def _encode_skeleton(s: Skeleton) -> bytes:
    return marshal.dumps(
        (
            s.pieces, s.slots, [list(p) for p in s.parts], s.core, s.nsmap,
            tuple(c.paragraphs for c in s.header), s.total_cm, s.size_pt, s.padding_cm, s.keep_last,
            s.loop_name, s.loop_body, s.uses, s.names, s.shows_also,
        )
    )  # fmt: skip


def _decode_skeleton(payload: bytes) -> Skeleton:
    (pieces, slots, parts, core, nsmap, header, total, size, padding, keep_last, name, body, uses, names, also) = (
        marshal.loads(payload)
    )
    return Skeleton(
        tuple(pieces), tuple(slots), tuple(tuple(p) for p in parts), core, tuple(map(tuple, nsmap)),
        tuple(Cell(tuple(map(tuple, c))) for c in header), total, size, padding, bool(keep_last),
        name, body, tuple(map(tuple, uses)), tuple(names), bool(also),
    )  # fmt: skip


def lookup(key: str) -> Skeleton | None:
    """The skeleton kept under ``key`` (memory, then disk), or ``None``."""
    found = _skeletons.get(key)
    if found is not None:
        return found
    folder = _folder()
    payload = None if folder is None else diskcache.read(folder / f"{key}.skeleton", _MAGIC_SKELETON, key)
    if payload is None:
        return None
    try:
        found = _decode_skeleton(payload)
    except (EOFError, ValueError, TypeError):
        return None
    _skeletons.keep(key, found)
    return found


def kept_rows(key: str, keys: list[bytes]) -> list[Row | None]:
    """The rows kept under skeleton ``key`` for ``keys`` (``None`` where there is none), read
    at once (a server's other builds may be keeping and dropping rows meanwhile)."""
    rows = rows_of(key)
    with _lock:
        return [rows.get(k) for k in keys]


def rows_of(key: str) -> dict[bytes, Row]:
    """The rows kept under skeleton ``key`` (loaded from the disk the first time)."""
    with _lock:
        rows = _rows.get(key)
    if rows is not None:
        return rows
    folder = _folder()
    payload = None if folder is None else diskcache.read(folder / f"{key}.rows", _MAGIC_ROWS, key)
    rows = {}
    if payload is not None:
        try:
            rows = _decode_rows(payload)
        except (EOFError, ValueError, TypeError):
            rows = {}
    with _lock:
        return _rows.setdefault(key, rows)


def store(
    key: str, skeleton: Skeleton, rows: dict[bytes, Row], written: list[tuple[str, str, bytes, int, int]]
) -> None:
    """Keep a whole build's skeleton (with its package's other parts ``written``) and rows."""
    from compiler.docx import buildmemo
    from compiler.docx.buildmemo import CORE

    main = "/word/document.xml"
    if [p for p, *_ in written].count(main) != 1:
        return
    cores = [p for p in written if p[0] == CORE]
    if len(cores) != 1:
        return
    import zlib

    core = zlib.decompress(cores[0][2], -15)
    if buildmemo.redated(core, "2000-01-01T00:00:00Z") is None:
        return
    parts = tuple((p, m, b"" if p == main else d, c, s) for p, m, d, c, s in written)
    skeleton = replace(skeleton, parts=parts, core=core)
    _skeletons.keep(key, skeleton)
    folder = _folder()
    if folder is not None:
        diskcache.write(folder / f"{key}.skeleton", _MAGIC_SKELETON, key, _encode_skeleton(skeleton))
    remember_rows(key, rows, new=True)


def remember_rows(key: str, rows: dict[bytes, Row], *, new: bool) -> None:
    """Keep ``rows`` (those of the latest build under skeleton ``key``); written to the
    disk when the process ends (or :func:`save`), when ``new`` ones were made."""
    kept = rows_of(key)
    with _lock:
        for k, row in rows.items():
            if sum(map(len, row.pieces)) <= ROW_LONGEST:
                kept[k] = row
        if len(kept) > ROWS_KEPT:  # the latest build's rows stay; the others go, oldest first
            for k in [k for k in kept if k not in rows][: len(kept) - ROWS_KEPT]:
                del kept[k]
        if new:
            _dirty[key] = set(rows)  # the rows to write
            if not _at_exit[0]:
                atexit.register(save)
                _at_exit[0] = True


def save() -> None:
    """Write the rows of each skeleton's latest build that made new rows to the cache folder."""
    folder = _folder()
    with _lock:
        dirty = dict(_dirty)
        _dirty.clear()
        payloads = []
        for key, latest in dirty.items():
            kept = _rows.get(key, {})
            payloads.append((key, _encode_rows({k: kept[k] for k in latest if k in kept})))
    if folder is None:
        return
    for key, payload in payloads:
        diskcache.write(folder / f"{key}.rows", _MAGIC_ROWS, key, payload)
