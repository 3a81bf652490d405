"""A report built again from the same inputs: its parts remembered, written again.

When every input of a report is what it was at a build before (the merged report itself, the
digits, the template's bytes, the logo's bytes, this program and the libraries that write the
document), the document is the same but for the time it records. The parts of such a build
(each as the compressed bytes :mod:`compiler.docx.docxzip` wrote) are kept

- in this process (a server asked to build again what it just built), and
- on disk, for the latest build of a process (the next command run on unchanged workbooks),
  in the cache folder, checksummed by :mod:`compiler.diskcache` (a damaged file is ignored);

and written again with the build's time set into ``docProps/core.xml`` (created, modified,
last printed, as python-docx writes them) and on the archive's entries. A build whose inputs
differ in anything is made afresh; only a build's inputs form its key, never its files' names.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import pickle
import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from compiler import diskcache
from compiler.docx.clock import build_time, zip_date_time
from compiler.remember import Kept

_MAGIC = b"ita-report built report 1\n"
CORE = "/docProps/core.xml"
#: The libraries whose code shapes the document (besides this package and the readers that
#: :func:`compiler.diskcache.code_stamp` covers).
WRITERS = ("docx", "docxtpl", "jinja2", "markupsafe", "lxml", "PIL")
#: At most this many builds are kept on disk.
ON_DISK = 8
#: The deflate level of ``docProps/core.xml`` (:data:`compiler.docx.docxzip.LEVEL`).
LEVEL = 6


@dataclass(frozen=True)
class Built:
    """A build's parts: ``(part name, member name, compressed bytes, CRC, size)`` in order,
    the uncompressed ``docProps/core.xml`` and whether the template prints ``m.also``."""

    parts: tuple[tuple[str, str, bytes, int, int], ...]
    core: bytes
    shows_also: bool


_kept: Kept[str, Built] = Kept(4)
_latest: dict[str, tuple[str, Built]] = {}
_lock = threading.Lock()
_stamp: list[str] = []
stats = {"memory": 0, "disk": 0, "stored": 0}


def _libraries() -> str:
    if not _stamp:
        parts: list[object] = [diskcache.code_stamp(), *diskcache.module_stamps(WRITERS)]
        _stamp.append(hashlib.sha256(repr(parts).encode("utf-8")).hexdigest())
    return _stamp[0]


def key(template: Path, report: object, digits: str, logo: str) -> str | None:
    """The key of a build of ``report`` (pickled: every field, half the time of its ``repr``),
    or ``None`` when the template or the logo cannot be read (the build then says why) or the
    report cannot be pickled. Equal reports may pickle differently (a set's order in another
    process, an object shared or not): that only costs a build."""
    digest = hashlib.sha256(_MAGIC + _libraries().encode() + b"\0" + digits.encode() + b"\0")
    try:
        digest.update(hashlib.sha256(Path(template).read_bytes()).digest())
        if logo:
            digest.update(hashlib.sha256(Path(logo).read_bytes()).digest())
        digest.update(pickle.dumps(report, protocol=5))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return None
    return digest.hexdigest()


def _path(name: str) -> Path | None:
    folder = diskcache.cache_folder()
    return None if folder is None else folder / "builds" / f"{name}.bin"


def lookup(name: str) -> Built | None:
    """The build kept under ``name``, from memory or disk; ``None`` when there is none."""
    found = _kept.get(name)
    if found is not None:
        stats["memory"] += 1
        return found
    path = _path(name)
    payload = None if path is None else diskcache.read(path, _MAGIC, name)
    if payload is None:
        return None
    try:
        parts, core, shows_also = marshal.loads(payload)
        built = Built(tuple(tuple(p) for p in parts), core, bool(shows_also))  # type: ignore[misc]
    except (EOFError, ValueError, TypeError):
        return None
    stats["disk"] += 1
    _kept.keep(name, built)
    return built


def store(name: str, parts: Sequence[tuple[str, str, bytes, int, int]], shows_also: bool) -> None:
    """Keep a build just written (in memory now; on disk when the process ends). A build
    without ``docProps/core.xml`` is not kept."""
    cores = [zlib.decompress(data, -15) for partname, _, data, _, _ in parts if partname == CORE]
    if len(cores) != 1 or redated(cores[0], "2000-01-01T00:00:00Z") is None:
        return
    built = Built(tuple(parts), cores[0], shows_also)
    _kept.keep(name, built)
    with _lock:
        _latest.clear()
        _latest["build"] = (name, built)
        if "at_exit" not in _latest:
            atexit.register(save)
            _latest["at_exit"] = ("", built)
    stats["stored"] += 1


def save() -> None:
    """Write the latest build kept to the disk (also done when the process ends), and remove
    the oldest files past :data:`ON_DISK`."""
    with _lock:
        latest = _latest.pop("build", None)
    if latest is None:
        return
    name, built = latest
    path = _path(name)
    if path is None or path.exists():
        return
    payload = marshal.dumps((list(built.parts), built.core, built.shows_also))
    if diskcache.write(path, _MAGIC, name, payload):
        try:
            files = sorted(path.parent.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns)
            for old in files[:-ON_DISK]:
                old.unlink()
        except OSError:
            pass


_DATES = (
    ("http://purl.org/dc/terms/", "created"),
    ("http://purl.org/dc/terms/", "modified"),
    ("http://schemas.openxmlformats.org/package/2006/metadata/core-properties", "lastPrinted"),
)


def redated(core: bytes, when: str) -> bytes | None:
    """``docProps/core.xml`` with the text of its created, modified and last-printed times
    replaced by ``when`` (``2026-12-02T16:25:12Z``) and nothing else changed; ``None`` when
    one of them is not there exactly once as ``<prefix:name …>time</prefix:name>``."""
    from lxml import etree

    try:
        nsmap = etree.fromstring(core).nsmap
    except etree.XMLSyntaxError:
        return None
    out = core
    for uri, local in _DATES:
        prefixes = [p for p, u in nsmap.items() if u == uri and p]
        if len(prefixes) != 1:
            return None
        tag = re.escape(f"{prefixes[0]}:{local}".encode())
        out, count = re.subn(
            rb"(<" + tag + rb"(?:\s[^<>]*)?>)[0-9TZ:.+-]*(</" + tag + rb">)", rb"\g<1>" + when.encode() + rb"\g<2>", out
        )
        if count != 1:
            return None
    return out


def write_parts(built: Built, stream: IO[bytes], core: bytes) -> None:
    """Write ``built``'s package to ``stream``, with ``core`` as its ``docProps/core.xml``."""
    from compiler.zipout import ZipOut

    when = zip_date_time()
    out = ZipOut(stream)
    for partname, member, data, crc, size in built.parts:
        if partname == CORE:
            compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            data, crc, size = compressor.compress(core) + compressor.flush(), zlib.crc32(core), len(core)
        out.add_deflated(member, data, crc, size, when)
    out.close()


def write(built: Built, output: Path, *, force: bool = False) -> Path:
    """Write ``built`` to ``output`` atomically, dated :func:`compiler.docx.clock.build_time`."""
    from compiler.safeio import atomic_write

    core = redated(built.core, build_time().strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert core is not None  # checked when kept
    return atomic_write(output, lambda stream: write_parts(built, stream, core), force=force)
