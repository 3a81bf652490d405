"""Zips (an .xlsx, a .docx) whose members are compressed beforehand: whole, or in pieces.

Each piece is raw deflate ended with a full flush (``Z_FULL_FLUSH``): byte-aligned, no
last-block bit, no reference back past its own start, so pieces made separately (and kept in
a cache) concatenate into one valid deflate stream, which one final empty block ends. The
member's CRC-32 is combined from the pieces' own (:func:`crc32_combine`, zlib's algorithm,
which Python does not expose) and its sizes are summed: a member of a hundred thousand rows is
written without compressing or even reading its unchanged parts again. A member may also be
one whole deflate stream compressed earlier (:meth:`ZipOut.add_deflated`: a .docx's parts,
each compressed once, ``compiler.docx.docxzip``).

:class:`ZipOut` writes the container (PKZIP's application note, version 6.3): local headers
with the sizes known beforehand, then the central directory; ZIP64 records where a size or an
offset does not fit 32 bits.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

#: A deflate stream's end: a last block (fixed Huffman codes) holding only its end code.
END = b"\x03\x00"
LEVEL = 6  # zipfile's (and so XlsxWriter's) default
#: Sizes and offsets from this one on are written in ZIP64 records (tests lower it).
ZIP64_LIMIT = 0xFFFFFFFF
_CRC_POLY = 0xEDB88320


@dataclass(frozen=True)
class Deflated:
    """A piece of a member: raw deflate ended by a full flush, with the CRC-32 and length of
    what it holds, and (for sheets) how many rows."""

    data: bytes
    crc: int
    size: int
    rows: int = 0
    shift: int = 1 << 31  # shift_of(size), worked out once


def deflate(raw: bytes, rows: int = 0, level: int = LEVEL) -> Deflated:
    """``raw`` as a piece that concatenates with others (see the module docstring)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = c.compress(raw) + c.flush(zlib.Z_FULL_FLUSH)
    return Deflated(data, zlib.crc32(raw), len(raw), rows, shift_of(len(raw)))


def _multiply(a: int, b: int) -> int:
    """``a * b`` modulo the CRC-32 polynomial (bit-reflected, as zlib's ``multmodp``)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


#: x^(2^n) modulo the polynomial, n = 0…31 (zlib's ``x2n_table``).
_X2N = [1 << 30]
for _ in range(31):
    _X2N.append(_multiply(_X2N[-1], _X2N[-1]))


def shift_of(length: int) -> int:
    """x^(8 * length) modulo the polynomial: what carries a CRC past ``length`` zero bytes."""
    p, k = 1 << 31, 3
    while length:
        if length & 1:
            p = _multiply(_X2N[k & 31], p)
        length >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, len2: int, shift: int | None = None) -> int:
    """The CRC-32 of ``a + b`` from ``crc1`` (of ``a``), ``crc2`` (of ``b``) and ``len2 =
    len(b)`` (zlib's ``crc32_combine``); ``shift`` is ``shift_of(len2)`` when known."""
    return _multiply(shift_of(len2) if shift is None else shift, crc1) ^ crc2


@dataclass
class _Entry:
    name: bytes
    crc: int
    csize: int
    size: int
    offset: int
    dostime: int
    dosdate: int


def _field(value: int) -> int:
    """A 32-bit size or offset, or the mark that its ZIP64 record holds it."""
    return 0xFFFFFFFF if value >= ZIP64_LIMIT else value


class ZipOut:
    """A zip written to ``stream`` member by member; :meth:`close` writes its directory."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.entries: list[_Entry] = []
        self.pos = stream.tell()

    def _write(self, data: bytes) -> None:
        self.stream.write(data)
        self.pos += len(data)

    def add(self, name: str, data: bytes, date_time: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)) -> None:
        """One member holding ``data``, compressed."""
        self.add_pieces(name, [deflate(data)], date_time)

    def add_pieces(
        self, name: str, pieces: Sequence[Deflated], date_time: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)
    ) -> None:
        """One member holding the concatenation of what ``pieces`` hold."""
        crc, size = 0, 0
        for piece in pieces:
            crc = crc32_combine(crc, piece.crc, piece.size, piece.shift)
            size += piece.size
        self._member(name, [*(p.data for p in pieces), END], crc, size, date_time)

    def add_deflated(
        self, name: str, data: bytes, crc: int, size: int, date_time: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)
    ) -> None:
        """One member holding ``data``, a whole raw deflate stream of ``size`` bytes whose
        CRC-32 is ``crc``."""
        self._member(name, [data], crc, size, date_time)

    def _member(self, name: str, chunks: Sequence[bytes], crc: int, size: int, date_time: tuple[int, ...]) -> None:
        """A member's local header, then ``chunks`` (its compressed bytes in order)."""
        csize = sum(len(c) for c in chunks)
        y, mo, d, h, mi, s = date_time[:6]
        entry = _Entry(
            name.encode("utf-8"),
            crc,
            csize,
            size,
            self.pos,
            (h << 11) | (mi << 5) | (s // 2),
            ((y - 1980) << 9) | (mo << 5) | d,
        )
        zip64 = size >= ZIP64_LIMIT or csize >= ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, csize) if zip64 else b""
        self._write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                45 if zip64 else 20,
                0x800,  # names in UTF-8
                8,  # deflate
                entry.dostime,
                entry.dosdate,
                crc,
                0xFFFFFFFF if zip64 else csize,
                0xFFFFFFFF if zip64 else size,
                len(entry.name),
                len(extra),
            )
            + entry.name
            + extra
        )
        for chunk in chunks:
            self._write(chunk)
        self.entries.append(entry)

    def close(self) -> None:
        """The central directory and its end records."""
        start = self.pos
        for e in self.entries:
            big = [v for v in (e.size, e.csize, e.offset) if v >= ZIP64_LIMIT]
            extra = struct.pack(f"<HH{len(big)}Q", 1, 8 * len(big), *big) if big else b""
            self._write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    45 if big else 20,
                    45 if big else 20,
                    0x800,
                    8,
                    e.dostime,
                    e.dosdate,
                    e.crc,
                    _field(e.csize),
                    _field(e.size),
                    len(e.name),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    _field(e.offset),
                )
                + e.name
                + extra
            )
        end = self.pos
        count, length = len(self.entries), end - start
        if start >= ZIP64_LIMIT or count >= 0xFFFF:
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, length, start))
            self._write(struct.pack("<IIQI", 0x07064B50, 0, end, 1))
        self._write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                min(count, 0xFFFF),
                min(count, 0xFFFF),
                _field(length),
                _field(start),
                0,
            )
        )


def pieces_of(raw: Iterable[bytes]) -> list[Deflated]:
    """Each of ``raw`` deflated as a piece of its own."""
    return [deflate(r) for r in raw]
