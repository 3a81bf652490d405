"""Writing a python-docx document's package: the same parts as ``Document.save``, each
compressed once.

python-docx deflates every part at every save; a report's styles, effects and theme (about
0.8 MB that the template carries unchanged) cost a tenth of a warm build that way. Here the
parts are those ``Document.save`` writes, in its order and with its content (its own
``PackageWriter`` lists them), but a part's compressed bytes are remembered by its content:

- in this process (a long-lived server deflates the template's parts once), and
- on disk for large parts other than the main document (:data:`DISK_MIN` bytes or more, so
  the template's styles, not each build's text): a file in the cache folder named by the
  SHA-256 of the part's bytes, checksummed by :mod:`compiler.diskcache`; a file that is short,
  damaged or written for other bytes is ignored and rewritten, never trusted. The CRC in the
  archive is always computed from the part's bytes themselves.

The archive is written by :class:`compiler.zipout.ZipOut` (local headers, data, central
directory; ZIP64 records only where a size passes 4 GB), as the district summary's is. Its
entries are dated :func:`compiler.docx.clock.build_time` (``SOURCE_DATE_EPOCH`` when set),
so a reproducible build gives the same bytes.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from typing import IO, Any

from compiler import diskcache
from compiler.docx.clock import zip_date_time
from compiler.zipout import ZipOut

#: The deflate level (zlib's default, as python-docx's ``zipfile`` uses).
LEVEL = 6
#: Parts at least this large (bytes), other than the main document, are kept on disk.
DISK_MIN = 16_384
#: The compressed parts kept in this process, by total uncompressed size.
MEMORY_BYTES = 32 * 1024 * 1024
_MAGIC = b"ita-report deflated part 1\n"
_MAIN = "/word/document.xml"
_SMALL_LIMIT = 0x7FFFFFFF

_memory: OrderedDict[bytes, bytes] = OrderedDict()
_memory_size = [0]
_lock = threading.Lock()
stats = {"memory": 0, "disk": 0, "deflated": 0}


#: A part at least this large is deflated in two halves at once (zlib lets go of the GIL):
#: the first half ends with a sync flush (byte-aligned, not the last block), so the two
#: streams laid end to end are one valid deflate stream. A 0.9 MB document.xml: 3.1 -> 1.7 ms,
#: 7 % larger (the second half starts without the first's window).
HALVES_MIN = 262_144


def _deflate(blob: bytes) -> bytes:
    if len(blob) < HALVES_MIN:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        return compressor.compress(blob) + compressor.flush()
    middle = len(blob) // 2
    first: list[bytes] = []

    def deflate_first() -> bytes:
        head = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        return head.compress(blob[:middle]) + head.flush(zlib.Z_SYNC_FLUSH)

    def in_helper() -> None:
        try:
            first.append(deflate_first())
        except Exception:  # (out of memory) done again below, where its error is reported
            pass

    helper = threading.Thread(target=in_helper, name="deflate")
    helper.start()
    tail = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    second = tail.compress(blob[middle:]) + tail.flush()
    helper.join()
    return (first[0] if first else deflate_first()) + second


def _disk_key(blob: bytes) -> str:
    digest = hashlib.sha256(f"{zlib.ZLIB_RUNTIME_VERSION} {LEVEL}\n".encode())
    digest.update(blob)
    return digest.hexdigest()


def compressed(blob: bytes, partname: str) -> bytes:
    """The raw deflate stream of ``blob`` (remembered by content, see the module docstring)."""
    hit = _memory.get(blob)
    if hit is not None:
        stats["memory"] += 1
        with _lock:
            if blob in _memory:
                _memory.move_to_end(blob)  # the least recently used go first
        return hit
    data = None
    path = None
    key = ""
    if len(blob) >= DISK_MIN and partname != _MAIN:
        folder = diskcache.cache_folder()
        if folder is not None:
            key = _disk_key(blob)
            path = folder / "deflated" / f"{key}.bin"
            data = diskcache.read(path, _MAGIC, key)
            if data is not None:
                stats["disk"] += 1
    if data is None:
        data = _deflate(blob)
        stats["deflated"] += 1
        if path is not None:
            diskcache.write(path, _MAGIC, key, data)
    if len(blob) <= MEMORY_BYTES // 4:
        with _lock:
            if blob not in _memory:
                _memory[blob] = data
                _memory_size[0] += len(blob)
            while _memory_size[0] > MEMORY_BYTES and _memory:
                old, _ = _memory.popitem(last=False)
                _memory_size[0] -= len(old)
    return data


class _Writer:
    """What python-docx's ``PackageWriter`` writes to: ``write(pack_uri, blob)`` per item."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, bytes]] = []

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.items.append((str(pack_uri), pack_uri.membername, bytes(blob)))


def package_items(document: Any, blobs: dict[str, bytes] | None = None) -> list[tuple[str, str, bytes]]:
    """``(partname, member name, bytes)`` of every item ``document.save`` would write, in order;
    a part named in ``blobs`` (``{"/word/document.xml": b"…"}``) has those bytes instead of
    its own (which are then not serialised)."""
    from docx.opc.pkgwriter import PackageWriter  # (python-docx: imported by the caller already)

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    writer = _Writer()
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    blobs = blobs or {}
    for part in parts:  # PackageWriter._write_parts, with the replacements
        blob = blobs.get(str(part.partname))
        writer.write(part.partname, part.blob if blob is None else blob)
        if len(part.rels):
            writer.write(part.partname.rels_uri, part.rels.xml)
    return writer.items


#: A part as written: part name, member name, compressed bytes, CRC and size.
Written = tuple[str, str, bytes, int, int]


def write_document(document: Any, stream: IO[bytes], blobs: dict[str, bytes] | None = None) -> list[Written]:
    """Write ``document``'s package to ``stream`` as ``document.save(stream)`` would (with
    ``blobs`` as in :func:`package_items`); return the parts as written (in order)."""
    when = zip_date_time()
    out = ZipOut(stream)
    written = []
    for partname, name, blob in package_items(document, blobs):
        data, crc = compressed(blob, partname), zlib.crc32(blob)
        out.add_deflated(name, data, crc, len(blob), when)
        written.append((partname, name, data, crc, len(blob)))
    out.close()
    return written
