"""How far each sheet of a workbook reaches, measured from the file before any grid is built.

python-calamine gives a sheet as a dense grid from A1 to its farthest value: one value at
XFD1048576 in a 6 kB .xlsx asks for 17 billion cells (549 GB) and aborts the process; a
16 kB .ods repeating one value a million times takes gigabytes. So the extent of every sheet
is read here first, cheaply and without trusting what the file declares:

- .xlsx/.xlsm: the sheet's XML is streamed and every ``<row>`` and ``<c>`` tag's ``r``
  counted (a cell without ``r`` takes the next column, as calamine places it); the declared
  ``<dimension>`` is never trusted. Merged ranges are summed too (openpyxl, for ``--annotate``,
  makes an object for every cell a range covers).
- .ods: ``content.xml`` is parsed with expat, multiplying ``number-rows-repeated`` and
  ``number-columns-repeated`` instead of expanding them.
- .xls: the BIFF records of each sheet (found through BOUNDSHEET) are walked, their row and
  column read from the record headers.

The reader refuses a sheet whose grid (last row × last column) passes :data:`MAX_SHEET_CELLS`,
naming the cell that reaches that far.
"""

from __future__ import annotations

import contextlib
import itertools
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

#: A sheet whose grid (last row × last column, counted from A1) passes this is refused.
#: 2,000,000 cells hold a 200,000-row table of ten columns; a grid this size takes about
#: 150 MB to read.
MAX_SHEET_CELLS = 2_000_000
#: ...and so is a workbook whose sheets read together pass this.
MAX_WORKBOOK_CELLS = 4_000_000
#: Merged ranges covering more cells than this (all sheets together) are not opened with
#: openpyxl for ``--annotate`` (it makes one object per covered cell).
MAX_MERGED_CELLS = 1_000_000
#: More cells and rows than this in the whole file (all sheets) are not opened with
#: openpyxl, which makes an object for each (a million formatted empty rows in a 2.5 MB
#: file: 49 s and 860 MB).
MAX_FILE_ELEMENTS = 1_000_000

_CHUNK = 1 << 22


@dataclass
class Extent:
    """A sheet's reach: last row and column holding a value (1-based; 0 when empty), the
    cells counted, the first cell (A1) at which the grid passed the limit, and the cells
    its merged ranges cover."""

    rows: int = 0
    cols: int = 0
    cells: int = 0
    far: str = ""
    merged: int = 0
    elements: int = 0  # <row> and <c> tags, empty ones too (.xlsx)
    formulas: bool = False  # the XML holds a formula or an error value (.xlsx; see read.py)

    @property
    def area(self) -> int:
        return self.rows * self.cols

    def reach(self, row: int, col: int, count: int = 1) -> None:
        """Count ``count`` cells ending at 1-based (``row``, ``col``)."""
        self.cells += count
        if row > self.rows or col > self.cols:
            self.rows, self.cols = max(self.rows, row), max(self.cols, col)
            if not self.far and self.area > MAX_SHEET_CELLS:
                self.far = cell_name(row, col)


def cell_name(row: int, col: int) -> str:
    """A1 name of a 1-based cell, however far: ``cell_name(1048576, 16384) == "XFD1048576"``."""
    letters = ""
    col = min(col, 26**13)  # a crafted column number is shown in at most 13 letters
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


# --- .xlsx ---------------------------------------------------------------------------------------
# A tag whose attribute values may hold ``>`` (quotes are respected, as calamine's parser
# does), with its ``r`` (a merged range's ``ref``) captured when it comes first, as Excel
# writes it; closing tags are not matched (a cell's column restarts at ``<row``).
_REF = rb"""(?:r|ref)\s*=\s*["']\s*([A-Za-z]*)(\d*)(?::([A-Za-z]+)(\d+))?\s*["']"""
_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|mergeCell)\b(?:\s+" + _REF + rb""")?((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>"""
)
# ...and wherever it stands otherwise.
_R_ANY = re.compile(rb"\s" + _REF)
#: A single tag longer than this is not XML any program wrote.
_MAX_TAG = 32 << 20


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:12]:  # 12 letters already pass any limit
        n = n * 26 + ch - 64
    return n


def _tags(stream: Iterator[bytes]) -> Iterator[re.Match[bytes]]:
    """Every ``<row>``, ``</row>``, ``<c>`` and ``<mergeCell>`` tag, streamed chunk by chunk.

    A tag cut by a chunk's end is carried over; the carried part is rescanned only when a
    ``>`` arrives, so a tag stuffed with attributes costs linear time.
    """
    carry = b""
    for chunk in stream:
        if carry and b">" not in chunk:
            carry += chunk
            if len(carry) > _MAX_TAG:
                raise ValueError("a tag longer than 32 MB")
            continue
        buf = carry + chunk
        pos = 0
        for m in _TAG.finditer(buf):
            yield m
            pos = m.end()
        lt = buf.rfind(b"<", pos)
        carry = buf[lt:] if lt >= 0 else b""
    if carry:
        yield from _TAG.finditer(carry + b">")


def _chunks(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with zf.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


#: What ``read._formula_problems`` looks for; a sheet without any is not read a second time.
_FORMULA_MARKS = (b"<f>", b"<f ", b't="e"')


def _marked(chunks: Iterator[bytes], ext: Extent) -> Iterator[bytes]:
    """The chunks as they come, setting ``ext.formulas`` if a mark stands in them (or across
    two of them)."""
    tail = b""
    for chunk in chunks:
        if not ext.formulas:
            window = tail + chunk[:8]
            ext.formulas = any(m in chunk or m in window for m in _FORMULA_MARKS)
            tail = chunk[-8:]
        yield chunk


def xlsx_sheet_extent(zf: zipfile.ZipFile, member: str) -> Extent:
    """The extent of one worksheet part, counting cells as calamine places them.

    A self-closing ``<c r="X1" s="3"/>`` (a formatted empty cell) holds no value and is
    not counted; every other cell is, even one whose value turns out empty. A cell without
    ``r`` takes the column after the one before it; a row without ``r`` the row after.
    A part of at most 4 MB written as Excel writes it is measured by :func:`_regular_extent`;
    any other by :func:`_scanned_extent`, tag by tag.
    """
    with zf.open(member) as stream:
        first = stream.read(_CHUNK)
        if len(first) < _CHUNK:
            regular = _regular_extent(first)
            if regular is not None:
                return regular
            return _scanned_extent(iter((first,) if first else ()))
        return _scanned_extent(itertools.chain((first,), iter(lambda: stream.read(_CHUNK), b"")))


#: Where the tag scan of ``_scanned_extent`` stops, in a part where no such tag has a
#: namespace prefix (none of ``_PREFIXED`` stands in it): every ``<row``, ``<c``, ``<mergeCell``.
_STARTS = re.compile(rb"<(?:row|c|mergeCell)\b")
_PREFIXED = re.compile(rb":(?:c|row|mergeCell)")
#: The same tags as Excel (and openpyxl, LibreOffice, calamine's test files) write them: no
#: prefix, ``r`` first in double quotes, a column of capitals and a row without a leading 0,
#: attribute values without ``<`` or ``>``.
_PLAIN_ATTRS = rb'(?:\s++[A-Za-z_][\w:.-]*+="[^"<>]*+")*+\s*+'
#: A plain cell's value as Excel writes it (a number or shared string ``<v>``, an inline
#: string), with the cell's end: consumed whole, its ``<`` are not tried one by one.
_PLAIN_BODY = rb'(?:(?:<v>[^<]*+</v>|<is><t(?: xml:space="preserve")?>[^<]*+</t></is>)</c>)?+'
_PLAIN_C = rb'c r="([A-Z]{1,3})([1-9][0-9]{0,6})"' + _PLAIN_ATTRS + rb"(?:(/)>|>" + _PLAIN_BODY + rb")"
_PLAIN_ROW = rb'row r="[1-9][0-9]{0,6}"' + _PLAIN_ATTRS + rb"/?>"
_PLAIN_MERGE = rb'mergeCell ref="([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})([1-9][0-9]{0,6})"\s*+/>'
#: One pass over a part: at each place ``_STARTS`` stands, a plain cell (its column, row and
#: ``/`` if self-closing), a plain row, a plain merged range (its corners), or else the name
#: of a tag that is not plain; and every ``<f>`` and ``<f `` (two of ``_FORMULA_MARKS``).
_PLAIN_TAGS = re.compile(
    rb"<(?:" + _PLAIN_C + rb"|" + _PLAIN_ROW + rb"|" + _PLAIN_MERGE + rb"|(row|c|mergeCell)\b|f([> ]))"
)


def _regular_extent(data: bytes) -> Extent | None:
    """The extent of a whole sheet part whose every ``<row>``, ``<c>`` and ``<mergeCell>`` tag is
    plain (see ``_PLAIN_ATTRS``), found without a Python step per tag; ``None`` when one is not
    (or the sheet passes the limit, whose first far cell the tag scan names).

    No plain tag holds a ``<`` past its first character, nor does a plain cell's value (none
    of its tags is one the scan stops at, or a formula), so ``_PLAIN_TAGS`` is tried at every
    place the scan would stop; when each of those is a plain tag, they are the tags it would
    see, with the same ``r`` (a part where a prefixed tag could stand, ``<x:c``, or ``:c``
    stands anywhere, is left to the scan).
    """
    if _PREFIXED.search(data):
        return None
    found = _PLAIN_TAGS.findall(data)
    tags = [t for t in found if not t[8]]
    if any(t[7] for t in tags):
        return None  # a tag that is not plain
    filled = [(t[0], t[1]) for t in tags if t[0] and not t[2]]  # (column, row) of each cell not self-closing
    merges = [t[3:7] for t in tags if t[3]]
    ext = Extent(elements=len(tags))
    ext.formulas = len(tags) < len(found) or b't="e"' in data  # _FORMULA_MARKS
    if filled:
        letters, digits = zip(*filled)
        ext.cells = len(filled)
        ext.rows = max(map(int, set(digits)))
        ext.cols = max(map(_col, set(letters)))
        if ext.area > MAX_SHEET_CELLS:
            return None  # the scan names the cell at which it passed the limit
    for left, top, right, bottom in merges:
        ext.merged += (abs(int(bottom) - int(top)) + 1) * (abs(_col(right) - _col(left)) + 1)
    return ext


def _scanned_extent(chunks: Iterator[bytes]) -> Extent:
    """The extent of a sheet part given in ``chunks``, tag by tag (see ``xlsx_sheet_extent``)."""
    ext = Extent()
    rows = cols = cells = merged = elements = 0
    far = ""
    row = col = 0
    limit = MAX_SHEET_CELLS
    anywhere = _R_ANY.search
    for m in _tags(_marked(chunks, ext)):
        name, letters, digits, letters2, digits2, attrs = m.groups()
        elements += 1
        if letters is None and (r := anywhere(attrs)):
            letters, digits, letters2, digits2 = r.groups()
        empty = attrs.endswith(b"/")
        if name == b"c":
            if letters and digits:
                col, cell_row = _col(letters), int(digits)
            else:
                col, cell_row = col + 1, row or 1
            if empty:
                continue
            cells += 1
            if cell_row > rows or col > cols:
                rows, cols = max(rows, cell_row), max(cols, col)
                if not far and rows * cols > limit:
                    far = cell_name(cell_row, col)
        elif name == b"row":
            row = int(digits) if digits else max(row, rows) + 1
            col = 0
        elif letters2 and letters and digits:  # <mergeCell ref="A1:B2"/>
            top, left, bottom, right = int(digits), _col(letters), int(digits2), _col(letters2)
            merged += (abs(bottom - top) + 1) * (abs(right - left) + 1)
    ext.rows, ext.cols, ext.cells, ext.far, ext.merged, ext.elements = rows, cols, cells, far, merged, elements
    return ext


# Tags first, then their attributes: one pattern spanning both backtracks quadratically on a
# tag stuffed with attributes.
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b[^>]*>")


#: The entities an attribute may hold, ``&amp;`` last (as ``xml.sax.saxutils.unescape`` with
#: the quotes does; not imported: it pulls in ``urllib.request``, ~20 ms of every command).
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def _unescape(text: str) -> str:
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text


def _attr_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"\s" + re.escape(name) + rb'\s*=\s*"([^"]*)"')


_ATTRS = {name: _attr_pattern(name) for name in (b"Id", b"Target", b"name", b"r:id")}


def _attr(tag: bytes, name: bytes) -> bytes:
    m = (_ATTRS.get(name) or _attr_pattern(name)).search(tag)
    return m.group(1) if m else b""


def xlsx_sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the zip (``xl/worksheets/sheet1.xml``), as workbook.xml says."""
    out: dict[str, str] = {}
    try:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return out
    targets = {_attr(tag, b"Id"): _attr(tag, b"Target") for tag in _RELATIONSHIP.findall(rels)}
    names = set(zf.namelist())
    for tag in _SHEET.findall(wb):
        name, rid = _attr(tag, b"name"), _attr(tag, b"r:id")
        target = targets.get(rid, b"").decode("utf-8", "replace")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        if member in names:
            out[_unescape(name.decode("utf-8", "replace"))] = member
    return out


def xlsx_extents(
    path: Path, wanted: set[str] | None = None, *, opened: zipfile.ZipFile | None = None
) -> dict[str, Extent]:
    """Sheet name → extent for the sheets ``wanted`` (all when ``None``); ``opened``, if
    given, is ``path`` already open (it stays open).

    A wanted sheet whose part cannot be found from workbook.xml gets the largest extent of
    all the worksheet parts, so that no sheet calamine finds some other way goes unmeasured.
    """
    with contextlib.nullcontext(opened) if opened is not None else zipfile.ZipFile(path) as zf:
        members = xlsx_sheet_members(zf)
        out: dict[str, Extent] = {}
        for name, member in members.items():
            if wanted is None or name in wanted:
                out[name] = xlsx_sheet_extent(zf, member)
        missing = [n for n in (wanted or ()) if n not in members]
        if missing:
            parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            extents = [xlsx_sheet_extent(zf, p) for p in parts if p not in members.values()]
            worst = max(extents, key=lambda e: (e.area, e.cells), default=Extent())
            for name in missing:
                out[name] = worst
    return out


# --- .ods ----------------------------------------------------------------------------------------
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")


_ROWS_REPEATED = f"{_TABLE} number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE} number-columns-repeated"


def _repeat(attrs: dict[str, str], name: str) -> int:
    text = attrs.get(name, "1").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 1


def ods_extents(path: Path) -> dict[str, Extent]:
    """Table name → extent, repeats multiplied, never expanded.

    A cell counts when it holds something (a value type, a formula, or any element such as
    ``<text:p>``); the empty repeated cells LibreOffice writes to the sheet's edge do not.
    Raises ``ValueError`` for XML that cannot be parsed, or that declares entities.
    """
    out: dict[str, Extent] = {}
    ext = Extent()
    pos = {"row": 0, "col": 0, "rows": 1}
    cell: list[list[int]] = []  # [repeat, filled] of the open cell (nested cells: a stack)
    table_depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal ext, table_depth
        if cell:
            cell[-1][1] = 1  # any element inside a cell fills it
        if name == f"{_TABLE} table":
            table_depth += 1
            if table_depth == 1:
                ext = out.setdefault(attrs.get(f"{_TABLE} name", f"#{len(out)}"), Extent())
                pos["row"] = 0
        elif name == f"{_TABLE} table-row" and table_depth:
            pos["rows"] = _repeat(attrs, _ROWS_REPEATED)
            pos["col"] = 0
        elif name in _CELLS and table_depth:
            filled = any(k in attrs for k in (f"{_OFFICE} value-type", f"{_TABLE} formula", f"{_OFFICE} value"))
            cell.append([_repeat(attrs, _COLUMNS_REPEATED), int(filled)])

    def end(name: str) -> None:
        nonlocal table_depth
        if name in _CELLS and table_depth and cell:
            repeat, filled = cell.pop()
            pos["col"] += repeat
            if filled:
                ext.reach(pos["row"] + pos["rows"], pos["col"], repeat * pos["rows"])
        elif name == f"{_TABLE} table-row" and table_depth:
            pos["row"] += pos["rows"]
            pos["rows"] = 1
        elif name == f"{_TABLE} table":
            table_depth -= 1

    def no_entities(*_: object) -> None:
        raise ValueError("the XML declares entities")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = no_entities
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise ValueError(f"content.xml: {exc}") from exc
    return out


# --- .xls ----------------------------------------------------------------------------------------
#: BIFF records holding one value (row and column are their first two fields): NUMBER, RK,
#: LABELSST, LABEL, BOOLERR, FORMULA, RSTRING. BLANK and MULBLANK (formatting only) are not
#: placed in calamine's grid.
_VALUE_RECORDS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6})
_MULRK, _BOUNDSHEET, _EOF = 0x00BD, 0x0085, 0x000A


def _records(data: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(type, start of body, length) of the records from ``offset`` to the first EOF.

    An embedded substream's BOF (a chart inside a sheet) is walked through, not stopped at:
    whatever cell records it holds are counted too.
    """
    end = len(data)
    while offset + 4 <= end:
        kind, length = struct.unpack_from("<HH", data, offset)
        body = offset + 4
        if body + length > end:
            return
        yield kind, body, length
        offset = body + length
        if kind == _EOF:
            return


def xls_extents(path: Path) -> list[tuple[str, Extent]]:
    """(sheet name, extent) for each BOUNDSHEET of an .xls, in workbook order.

    Raises ``ValueError`` when the compound file or its Workbook stream cannot be read.
    """
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(stream).read()
    except (OSError, ValueError, IndexError, struct.error, KeyError, TypeError, ZeroDivisionError) as exc:
        raise ValueError(f"cannot read the compound file: {exc}") from exc
    sheets: list[tuple[str, int]] = []
    for kind, body, length in _records(data, 0):
        if kind == _BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", data, body)[0]
            cch, flags = data[body + 6], data[body + 7] if length > 7 else 0
            raw = data[body + 8 : body + length]
            name = raw[: 2 * cch].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
            sheets.append((name, offset))
    out: list[tuple[str, Extent]] = []
    for name, offset in sheets:
        ext = Extent()
        for kind, body, length in _records(data, offset):
            if length < 4:
                continue
            row, col = struct.unpack_from("<HH", data, body)
            if kind in _VALUE_RECORDS:
                ext.reach(row + 1, col + 1)
            elif kind == _MULRK and length >= 6:
                last = struct.unpack_from("<H", data, body + length - 2)[0]
                if last >= col:
                    ext.reach(row + 1, last + 1, last - col + 1)
        out.append((name, ext))
    return out
