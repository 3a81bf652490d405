"""Write a small .xls (BIFF8 in a compound file) byte by byte, for hostile tests.

Only what a reader needs: the globals (BOF, BOUNDSHEET per sheet, EOF) and per sheet BOF,
DIMENSIONS, one NUMBER or LABEL record per cell (at any row and column a test wants, up to
the format's 65,536 × 256), EOF. The compound file holds the one ``Workbook`` stream.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from pathlib import Path

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _text(text: str) -> bytes:
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def _cell(row: int, col: int, value: object) -> bytes:
    if isinstance(value, (int, float)):
        return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))
    return _record(0x0204, struct.pack("<HHH", row, col, 0) + _text(str(value)))


def _sheet(cells: Mapping[tuple[int, int], object]) -> bytes:
    rows = [r for r, _ in cells] or [0]
    cols = [c for _, c in cells] or [0]
    dims = _record(0x0200, struct.pack("<IIHHH", 0, max(rows) + 1, 0, max(cols) + 1, 0))
    body = b"".join(_cell(r, c, v) for (r, c), v in sorted(cells.items()))
    return _bof(0x0010) + dims + body + _record(0x000A, b"")


def workbook_stream(sheets: Sequence[tuple[str, Mapping[tuple[int, int], object]]]) -> bytes:
    """The BIFF8 Workbook stream: cells keyed by 0-based (row, column)."""
    bodies = [_sheet(cells) for _, cells in sheets]
    names = [struct.pack("<B", len(n)) + b"\x01" + n.encode("utf-16-le") for n, _ in sheets]
    globals_size = len(_bof(0x0005)) + sum(4 + 6 + len(n) for n in names) + 4
    out = _bof(0x0005)
    offset = globals_size
    for name, body in zip(names, bodies):
        out += _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name)
        offset += len(body)
    out += _record(0x000A, b"")
    assert len(out) == globals_size
    return out + b"".join(bodies)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A version-3 compound file (512-byte sectors) holding one stream of at least 4,096 bytes."""
    stream = stream.ljust(4096, b"\0")
    data_sectors = -(-len(stream) // 512)
    n_fat = 1
    while (n_fat + 1 + data_sectors) > n_fat * 128:
        n_fat += 1
    assert n_fat <= 109, "a test stream this large needs DIFAT sectors"
    fat = [_FATSECT] * n_fat + [_END]
    first = n_fat + 1
    fat += [first + i + 1 for i in range(data_sectors - 1)] + [_END]
    fat += [_FREE] * (n_fat * 128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, n_fat, n_fat, 0, 4096, _END, 0, _END, 0)
    difat = list(range(n_fat)) + [_FREE] * (109 - n_fat)
    header += struct.pack("<109I", *difat)

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (label + "\0").encode("utf-16-le") if label else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, _NOSTREAM, _NOSTREAM, child)
            + b"\0" * 16
            + struct.pack("<I", 0)
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, _END, 0) + entry(name, 2, _NOSTREAM, first, len(stream))
    directory += entry("", 0, _NOSTREAM, 0, 0) * 2
    return header + struct.pack(f"<{n_fat * 128}I", *fat) + directory + stream.ljust(data_sectors * 512, b"\0")


def write_xls(path: Path, sheets: Sequence[tuple[str, Mapping[tuple[int, int], object]]]) -> Path:
    """Write ``sheets`` (name, {(row, col): value}, 0-based) as an .xls at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(compound_file(workbook_stream(sheets)))
    return path


def rows_to_cells(rows: Sequence[Sequence[object]]) -> dict[tuple[int, int], object]:
    """A list of rows (``None`` for empty) as the cell mapping :func:`write_xls` takes."""
    return {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None}
