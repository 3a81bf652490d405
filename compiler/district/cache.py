"""Survey results kept by content: a district run again re-reads only what changed.

Each submission's result (its ``OrganisationSummary`` and pickled ``Details``) is stored
under the SHA-256 of everything it depends on: the submission's name and bytes (a .zip's
bytes; for a folder, every entry's relative name and kind and every regular file's bytes,
links and other entries by name only, never followed or opened), the zip limits, and the
code that made it (:func:`compiler.diskcache.code_stamp`: Python's version, the size and time
of every source file of the package and of the readers).
A resubmitted organisation has another key and is surveyed afresh; so is everything after
the program changes. A file's bytes enter the key as their SHA-256, which is remembered by the
file's stat signature (:class:`FileDigests`): a run again reads only the files that changed.

An entry is ``magic, SHA-256(key + payload), payload`` (the pickled summary and the details
as the intake spools them, zlib-compressed: a run that finds every piece of the summary
workbook kept never decompresses them), written
to a temporary file and renamed into place, so two runs at once never see half an entry. One
that is short, damaged, made by another version, or does not hold what its key says is
ignored (counted as ``rejected``) and surveyed again, never shown. Failures (a worker that
died or overran, an internal error) are not kept: they are tried again next time.

The folder is ``district/<code version>/`` under the template cache's folder
(:func:`compiler.diskcache.cache_folder`: ``$ITA_REPORT_CACHE``, ``off`` turning it
off, else the platform's user cache folder); folders of other code versions are removed
when a cache opens. Within a version, an entry or a summary pack not used for
:data:`UNUSED_DAYS` days is removed (:meth:`SurveyCache.prune`, at most once a day): a
result found marks its entry used (its modification time, set at most once a day). A loose workbook in the inbox (not in its own folder or .zip) is not
cached: a picture it names may be any file beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from compiler import diskcache
from compiler.district.model import OrganisationSummary
from compiler.district.safezip import ZipLimits
from compiler.safeio import display_name
from compiler.zipout import Deflated

_MAGIC = b"ita-report district 3\n"
_CHUNK = 1 << 20


def _update_file(
    h: hashlib._Hash, path: str, digests: FileDigests | None = None, entry: os.DirEntry | None = None
) -> bool:
    """Add a regular file's size and the SHA-256 of its bytes to ``h`` (the digest remembered in
    ``digests`` when the file is unchanged since); ``False`` if it is not one (or is gone)."""
    before = digests.known(path, entry) if digests is not None else None
    if isinstance(before, bytes):
        h.update(before)
        return True
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    content = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return False
        while chunk := fh.read(_CHUNK):
            content.update(chunk)
    part = b"%d\0" % info.st_size + content.digest()
    h.update(part)
    if digests is not None and before is not None:
        digests.remember(path, before, info, part)
    return True


_DIGESTS_MAGIC = b"ita-report file digests 1\n"
#: A file changed this recently (ns) when read may change again within the same time stamp:
#: its digest is not remembered (as git treats "racily clean" files).
RACY_NS = 2_000_000_000
Signature = tuple[int, int, int]


def _signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass
class FileDigests:
    """The SHA-256 of submitted files' bytes, remembered by absolute path and stat signature
    (size, modification and change times: a write, a rename or a restored time changes the
    change time where the system keeps one), so a district run again reads only the
    files that changed; kept in the cache folder, checksummed (``diskcache``). A file written
    less than :data:`RACY_NS` before it was read is read again next time."""

    path: Path
    old: dict[str, tuple[Signature, bytes]] = field(default_factory=dict)
    new: dict[str, tuple[Signature, bytes]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> FileDigests:
        payload = diskcache.read(path, _DIGESTS_MAGIC, path.name)
        try:
            old = pickle.loads(payload) if payload is not None else {}
        except Exception:  # a checksum that holds on a payload of another shape
            old = {}
        return cls(path, old if isinstance(old, dict) else {})

    def known(self, path: str, found: os.DirEntry | None = None) -> bytes | Signature | None:
        """The remembered size and digest of the file at the absolute ``path`` (``found`` by
        ``os.scandir``) if it is unchanged, else its signature (``None`` when it is not a
        regular file)."""
        try:
            info = found.stat(follow_symlinks=False) if found is not None else os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        sig, name = _signature(info), os.fsdecode(path)
        entry = self.old.get(name)
        if entry is not None and entry[0] == sig and isinstance(entry[1], bytes):
            self.new[name] = entry
            return entry[1]
        return sig

    def remember(self, path: str, before: bytes | Signature, info: os.stat_result, part: bytes) -> None:
        """Keep ``part`` (size and digest) for ``path`` if it did not change while read and
        was not changed just before."""
        now = time.time_ns()
        if before != _signature(info) or now - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
            return
        self.new[os.fsdecode(path)] = (_signature(info), part)

    def save(self) -> None:
        """Keep the digests of this run's files (a folder that cannot be written is no error)."""
        if self.new != self.old:
            diskcache.write(self.path, _DIGESTS_MAGIC, self.path.name, pickle.dumps(self.new))


def _update_folder(h: hashlib._Hash, folder: str, prefix: bytes, digests: FileDigests | None = None) -> None:
    """Every entry under ``folder`` in name order: its name relative to the submission
    (``prefix`` and its own), its kind, and a regular file's bytes; links are named, never
    followed."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = prefix + os.fsencode(entry.name)
        if entry.is_symlink():
            h.update(b"L\0" + name + b"\0")
        elif entry.is_dir(follow_symlinks=False):
            h.update(b"D\0" + name + b"\0")
            _update_folder(h, entry.path, name + b"/", digests)
        elif entry.is_file(follow_symlinks=False):
            h.update(b"F\0" + name + b"\0")
            if not _update_file(h, entry.path, digests, entry):
                h.update(b"?\0")
        else:
            h.update(b"O\0" + name + b"\0")


def submission_key(path: Path, limits: ZipLimits, digests: FileDigests | None = None) -> str | None:
    """The key of a submission's survey result; ``None`` when it is not cached (a loose
    workbook, a link, anything not a folder or a regular .zip, or one that cannot be read).
    ``digests`` remembers the files' digests between runs."""
    h = hashlib.sha256(_MAGIC + diskcache.code_stamp().encode() + b"\0" + repr(limits).encode() + b"\0")
    h.update(os.fsencode(path.name) + b"\0")
    try:
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode):
            h.update(b"folder\0")
            _update_folder(h, os.path.abspath(path), b"", digests)
        elif stat.S_ISREG(info.st_mode) and path.suffix.lower() == ".zip":
            h.update(b"zip\0")
            if not _update_file(h, os.path.abspath(path), digests):
                return None
        else:
            return None
    except OSError:
        return None
    return h.hexdigest()


#: An entry (or a summary pack) not used for this many days is removed.
UNUSED_DAYS = 90
_DAY_S = 24 * 3600


@dataclass
class SurveyCache:
    """Survey results on disk in ``folder`` (one file per key); see the module docstring."""

    folder: Path
    hits: int = 0
    misses: int = 0
    rejected: int = 0
    stored: int = 0
    _failed_writes: int = field(default=0, repr=False)
    _digests: FileDigests | None = field(default=None, repr=False)

    @classmethod
    def open(cls, base: Path | None = None) -> SurveyCache | None:
        """The cache under ``base`` (default: the user's cache folder), ``None`` when the
        cache is off. Folders left by other versions of the program are removed."""
        base = diskcache.cache_folder() if base is None else base
        if base is None:
            return None
        root = base / "district"
        version = diskcache.code_stamp()[:16]
        with contextlib.suppress(OSError):
            for old in root.iterdir():
                if old.name != version and old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
        return cls(root / version)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.bin"

    def digests(self) -> FileDigests:
        """The submitted files' digests remembered by the last run (see :class:`FileDigests`)."""
        if self._digests is None:
            self._digests = FileDigests.open(self.folder / "files.digests")
        return self._digests

    def pieces(self, inbox: Path) -> PieceStore:
        """Where the summary of ``inbox`` keeps its pieces (see :class:`PieceStore`)."""
        name = hashlib.sha256(os.fsencode(os.path.abspath(inbox))).hexdigest()[:32]
        return PieceStore(self.folder / "summary" / f"{name}.pack")

    def get(self, key: str, path: Path) -> tuple[OrganisationSummary, bytes] | None:
        """The result stored for ``key`` (the submission ``path``), or ``None``: absent, or
        rejected as not trustworthy (then it is surveyed again and overwritten)."""
        where = os.path.join(self.folder, key[:2], key + ".bin")
        try:
            with open(where, "rb") as fh:
                data = fh.read()
                used = os.fstat(fh.fileno()).st_mtime
        except OSError:
            self.misses += 1
            return None
        value = _decode(key, data)
        if value is None or value[0].submission != display_name(path.name):
            self.rejected += 1
            return None
        self.hits += 1
        if time.time() - used > _DAY_S:  # marked used, at most once a day (see prune)
            with contextlib.suppress(OSError):
                os.utime(where)
        return value

    def prune(self, *, now: float | None = None, unused_days: float = UNUSED_DAYS) -> int:
        """Remove the entries and summary packs not used for ``unused_days`` days; at most
        once a day (a ``pruned`` file marks the last time). Returns how many were removed; a
        file that cannot be removed is left (no error)."""
        now = time.time() if now is None else now
        marker = self.folder / "pruned"
        with contextlib.suppress(OSError):
            if now - marker.stat().st_mtime < _DAY_S:
                return 0
        limit = now - unused_days * _DAY_S
        removed = 0
        with contextlib.suppress(OSError):
            for sub in os.scandir(self.folder):
                if not sub.is_dir(follow_symlinks=False):
                    continue
                suffix = ".pack" if sub.name == "summary" else ".bin"
                with os.scandir(sub.path) as it:
                    for entry in it:
                        try:
                            if (
                                entry.name.endswith(suffix)
                                and entry.is_file(follow_symlinks=False)
                                and entry.stat(follow_symlinks=False).st_mtime < limit
                            ):
                                os.unlink(entry.path)
                                removed += 1
                        except OSError:
                            continue
            marker.touch()
            os.utime(marker, (now, now))
        return removed

    def put(self, key: str, value: tuple[OrganisationSummary, bytes]) -> None:
        """Store ``value`` under ``key`` atomically; a folder that cannot be written is no error
        (the result is only not kept)."""
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if not diskcache.write(self._path(key), _MAGIC, key, payload):
            self._failed_writes += 1
            return
        self.stored += 1


def _decode(key: str, data: bytes) -> tuple[OrganisationSummary, bytes] | None:
    """An entry's value if it is whole, ours, for ``key`` and of the expected shape."""
    payload = diskcache.verified(data, _MAGIC, key)
    if payload is None:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:  # a checksum that matches by design but a payload of another shape
        return None
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not isinstance(value[0], OrganisationSummary)
        or not isinstance(value[1], bytes)
    ):
        return None
    return value


_PACK_MAGIC = b"ita-report summary pieces 1\n"


@dataclass
class PieceStore:
    """The summary workbook's pieces of one inbox's last run, in one file (``path``): each
    organisation's rows already compressed (``zipout.Deflated``) under a key made of all
    they depend on. The file is checksummed as a whole (``diskcache``): one that is short,
    damaged or not ours is ignored (``rejected``) and every piece made again. Each run writes
    the pieces it used, so the file holds no more than one summary's worth."""

    path: Path
    rejected: int = 0

    def load(self) -> dict[str, Deflated]:
        """The pieces kept by the last run; empty when there are none or they are not trusted."""
        if not self.path.exists():
            return {}
        payload = diskcache.read(self.path, _PACK_MAGIC, self.path.name)
        try:
            table = pickle.loads(payload) if payload is not None else None
            pieces = {k: Deflated(*v) for k, v in table.items()} if isinstance(table, dict) else None
        except Exception:  # a checksum that holds on a payload of another shape
            pieces = None
        if pieces is None or not all(isinstance(p.data, bytes) for p in pieces.values()):
            self.rejected += 1
            return {}
        with contextlib.suppress(OSError):  # marked used, at most once a day (SurveyCache.prune)
            if time.time() - self.path.stat().st_mtime > _DAY_S:
                os.utime(self.path)
        return pieces

    def save(self, pieces: dict[str, Deflated]) -> None:
        """Keep ``pieces`` (atomically; a folder that cannot be written only costs the time)."""
        table = {k: (p.data, p.crc, p.size, p.rows, p.shift) for k, p in pieces.items()}
        diskcache.write(self.path, _PACK_MAGIC, self.path.name, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))


__all__ = ["FileDigests", "PieceStore", "SurveyCache", "submission_key"]
