"""Step 1: read a workbook file into plain grids of values, whatever its format.

.xlsx, .xlsm, .xls and .ods are read with python-calamine (fast, and the one reader for all
four formats). Nothing here raises for a bad file: what cannot be read becomes a ``Finding``
and an empty workbook, so one bad file never stops the others. The file is opened read-only
and never written.
"""

from __future__ import annotations

import contextlib
import copy
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.findings import new_finding
from compiler.model import Finding, Severity, cell_ref
from compiler.safeio import display_name
from compiler.thai import header_key
from compiler.workbook import extent, formulas, standard

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

#: A workbook whose members together expand past this is refused as a zip bomb.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: ...and so is one whose expansion ratio passes this while being over 10 MB.
MAX_RATIO = 200
#: A file larger than this on disk is refused before any reading.
MAX_FILE_SIZE = 100 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class RawSheet:
    """One sheet as a grid: ``rows[r][c]`` is the value at 1-based (r+1, c+1); ``None`` empty.

    ``merged`` holds 1-based inclusive ranges ``(top, left, bottom, right)``;
    ``uncached_formulas`` the A1 cells holding a formula that was never calculated, and
    ``error_cells`` those holding an Excel error (``#REF!``); both read as empty here.
    """

    name: str
    rows: list[list[object]]
    merged: tuple[tuple[int, int, int, int], ...] = ()
    uncached_formulas: tuple[str, ...] = ()
    error_cells: dict[str, str] = field(default_factory=dict)  # A1 -> "#REF!" etc.

    def value(self, row: int, col: int) -> object:
        """The value at 1-based (row, col), ``None`` outside the grid."""
        if 0 < row <= len(self.rows):
            r = self.rows[row - 1]
            if 0 < col <= len(r):
                return r[col - 1]
        return None


@dataclass(frozen=True)
class RawWorkbook:
    """A workbook as read: its sheets by (actual) name, and what went wrong reading it."""

    file: str
    path: Path
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    sheet_names: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    has_macros: bool = False

    @property
    def readable(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def sheet(self, name: str) -> RawSheet | None:
        """The sheet called ``name``, matched loosely (spaces and case ignored)."""
        if name in self.sheets:
            return self.sheets[name]
        key = header_key(name).lower()
        for actual, sheet in self.sheets.items():
            if header_key(actual).lower() == key:
                return sheet
        return None


def _problem(file: str, code: str, th: str, en: str, sheet: str = "", cell: str = "") -> Finding:
    return new_finding(code, file=file, sheet=sheet, cell=cell, th=th, en=en)


_DOCUMENT_PREFIXES = tuple(header_key(s).lower() for s in standard.DOCUMENT_SHEETS)


def _wanted(name: str, wanted: frozenset[str]) -> bool:
    """A sheet is read if its name is wanted, or starts as a document sheet (``ประกาศ 2``)."""
    key = header_key(name).lower()
    return key in wanted or key.startswith(_DOCUMENT_PREFIXES)


def _sniff(path: Path, file: str) -> tuple[str, Finding | None]:
    """The container kind (``zip``, ``ole``) or the finding that says why it is not a workbook."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device: opening it could wait for ever
            return "", _problem(
                file,
                "unreadable-file",
                "ไม่ใช่ไฟล์ธรรมดา (เป็นโฟลเดอร์ ไปป์ หรืออุปกรณ์) จึงไม่อ่าน",
                "not a regular file (a folder, a pipe or a device); not read",
            )
        size = info.st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return "", _problem(
            file,
            "unreadable-file",
            f"เปิดไฟล์ไม่ได้ ({exc.strerror or exc})",
            f"cannot open the file ({exc.strerror or exc})",
        )
    if size == 0:
        return "", _problem(file, "empty-file", "ไฟล์ว่างเปล่า ไม่มีข้อมูล", "the file is empty")
    if size > MAX_FILE_SIZE:
        return "", _problem(
            file,
            "file-too-large",
            f"ไฟล์ใหญ่เกินไป ({size // 1_048_576} MB) เกินขีดจำกัด {MAX_FILE_SIZE // 1_048_576} MB",
            f"file too large ({size // 1_048_576} MB, limit {MAX_FILE_SIZE // 1_048_576} MB)",
        )
    if head.startswith(b"PK\x03\x04"):
        return "zip", None
    if head == _OLE_MAGIC:
        return "ole", None
    return "", _problem(
        file,
        "not-a-workbook",
        "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx .xls .ods) กรุณาบันทึกเป็น .xlsx แล้วส่งใหม่",
        "this file is not a workbook (.xlsx .xls .ods); save it as .xlsx and send it again",
    )


def _measured_size(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], declared: int) -> int:
    """What the members really expand to, counted without keeping it (at most the limit + 1).

    Raises ``zipfile.BadZipFile`` when a member's stream is not the size its header claims.
    """
    total = 0
    for info in infos:
        probe = copy.copy(info)
        probe.file_size = MAX_UNCOMPRESSED - total + 2  # read past the claim, up to the limit
        del probe.CRC  # the size is what is checked here; calamine checks the CRC
        size = 0
        with zf.open(probe) as stream:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if total + size > MAX_UNCOMPRESSED:
                    return total + size
        if size != info.file_size:
            raise zipfile.BadZipFile(f"{info.filename} holds {size:,} bytes, not the {info.file_size:,} it claims")
        total += size
    return max(total, declared)


def _inspect_zip(path: Path, file: str, opened: zipfile.ZipFile | None = None) -> tuple[Finding | None, bool, bool]:
    """Refuse zip bombs and documents renamed as workbooks; report whether it holds macros
    and whether it is an OpenDocument spreadsheet (.ods) rather than an Excel workbook.
    ``opened``: the file already open (it stays open), else it is opened here."""
    try:
        with contextlib.nullcontext(opened) if opened is not None else zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            # The sizes above are what the headers claim. Deflate expands at most ~1,032:1, so
            # a file that small cannot pass the limits whatever it claims; a bigger one is
            # measured, because calamine believes the stream, not the header.
            if total <= MAX_UNCOMPRESSED and packed * 1_100 > MAX_UNCOMPRESSED:
                total = _measured_size(zf, infos, total)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        return (
            _problem(
                file,
                "corrupt-file",
                "ไฟล์เสียหาย เปิดไม่ได้ กรุณาบันทึกใหม่จาก Excel แล้วส่งอีกครั้ง",
                f"the file is damaged and cannot be opened ({exc}); save it again from Excel",
            ),
            False,
            False,
        )
    if total > MAX_UNCOMPRESSED or (total > 10 * 1024 * 1024 and total / packed > MAX_RATIO):
        return (
            _problem(
                file,
                "zip-bomb",
                "ไฟล์ขยายตัวผิดปกติ (อาจเป็นไฟล์อันตราย) จึงไม่เปิดอ่าน",
                f"the file would expand to {'over ' if total > MAX_UNCOMPRESSED else ''}{total // 1_048_576} MB"
                " (a zip bomb?); refused",
            ),
            False,
            False,
        )
    if "word/document.xml" in names:
        return (
            _problem(
                file,
                "not-a-workbook",
                "ไฟล์นี้เป็นเอกสาร Word ที่เปลี่ยนชื่อเป็น Excel กรุณาส่งไฟล์ Excel ตามแบบฟอร์ม",
                "this is a Word document renamed as a workbook; send the Excel form instead",
            ),
            False,
            False,
        )
    if "ppt/presentation.xml" in names:
        return (
            _problem(
                file,
                "not-a-workbook",
                "ไฟล์นี้เป็นไฟล์ PowerPoint ไม่ใช่ไฟล์ Excel",
                "this is a PowerPoint file, not a workbook",
            ),
            False,
            False,
        )
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
        return (
            _problem(
                file,
                "not-a-workbook",
                "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx .xls .ods)",
                "this zip file is not a workbook",
            ),
            False,
            False,
        )
    ods = "content.xml" in names and "xl/workbook.xml" not in names
    return None, any(n.startswith(_MACRO_MEMBERS) for n in names), ods


#: Zip members that are macros: VBA, Excel 4.0 macro sheets, LibreOffice Basic and scripts.
_MACRO_MEMBERS = ("xl/vbaProject.bin", "xl/macrosheets/", "Basic/", "Scripts/")
#: The VBA storage of an .xls (its name in the compound file's directory, UTF-16).
_OLE_VBA = "_VBA_PROJECT_CUR".encode("utf-16-le")


def _grid(raw: Sequence[Sequence[object]]) -> list[list[object]]:
    return [[None if v == "" else v for v in row] for row in raw]


def sheet_extents(
    path: Path, kind: str, names: Sequence[str] | None = None, opened: zipfile.ZipFile | None = None
) -> dict[str, extent.Extent]:
    """How far sheets reach, measured from the file (see :mod:`extent`): for an .xlsx (``kind``
    ``zip``; ``opened``, if given, is the file open) the sheets ``names``; for an .ods (``ods``)
    or .xls (``ole``) every sheet (calamine builds them all on opening).

    Raises ``ValueError`` (or a zip error) when the file cannot be scanned.
    """
    if kind == "zip":
        return extent.xlsx_extents(path, set(names or ()), opened=opened)
    if kind == "ods":
        return extent.ods_extents(path)
    found: dict[str, extent.Extent] = {}
    for i, (name, ext) in enumerate(extent.xls_extents(path)):
        found[name if name not in found else f"{name} #{i + 1}"] = ext
    return found


def _over_limits(
    path: Path,
    file: str,
    kind: str,
    names: Sequence[str] | None = None,
    into: dict | None = None,
    opened: zipfile.ZipFile | None = None,
) -> list:
    """``sheet-too-large`` for each sheet past the limit, ``workbook-too-large`` when they
    pass it together; ``corrupt-file`` when the file cannot be measured. Extents go ``into``."""
    try:
        extents = sheet_extents(path, kind, names, opened)
        (into if into is not None else {}).update(extents)
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error, KeyError, struct.error) as exc:
        return [
            _problem(
                file,
                "corrupt-file",
                "ไฟล์เสียหาย อ่านไม่ได้ กรุณาบันทึกใหม่จาก Excel เป็น .xlsx แล้วส่งอีกครั้ง",
                f"cannot read the workbook: {str(exc)[:200]}",
            )
        ]
    out: list[Finding] = []
    total = 0
    for name, ext in extents.items():
        total += ext.area
        if ext.area > extent.MAX_SHEET_CELLS:
            far = ext.far or extent.cell_name(ext.rows, ext.cols)
            out.append(
                _problem(
                    file,
                    "sheet-too-large",
                    f"แผ่นงานนี้มีข้อมูลไกลถึงเซลล์ {far} ทำให้ต้องอ่าน {ext.rows:,} แถว × {ext.cols:,} คอลัมน์"
                    f" เกินขีดจำกัด {extent.MAX_SHEET_CELLS:,} เซลล์ กรุณาลบข้อมูลที่อยู่นอกตาราง (เช่น เซลล์ {far}) แล้วส่งใหม่",
                    f"the sheet reaches cell {far}: {ext.rows:,} rows × {ext.cols:,} columns, over the limit of"
                    f" {extent.MAX_SHEET_CELLS:,} cells; delete what lies outside the table (e.g. cell {far}) and send it again",
                    sheet=name,
                    cell=far,
                )
            )
    if not out and total > extent.MAX_WORKBOOK_CELLS:
        out.append(
            _problem(
                file,
                "workbook-too-large",
                f"แผ่นงานที่ต้องอ่านรวมกันมี {total:,} เซลล์ เกินขีดจำกัด {extent.MAX_WORKBOOK_CELLS:,} เซลล์"
                " กรุณาลบแผ่นงานหรือข้อมูลที่ไม่ใช้แล้วส่งใหม่",
                f"the sheets to read hold {total:,} cells together, over the limit of {extent.MAX_WORKBOOK_CELLS:,};"
                " delete unused sheets or data and send it again",
            )
        )
    return out


def read_workbook(path: Path | str, *, display: str | None = None, wanted: frozenset[str] | None = None) -> RawWorkbook:
    """Read ``path`` into a ``RawWorkbook``; problems come back as findings, never raised.

    ``display`` is how the file is named in messages (defaults to the file name).
    ``wanted`` limits the sheets read to those names (compared loosely); ``None`` reads the
    standard's sheets. A workbook with 1,000 sheets costs only the wanted ones.
    """
    path = Path(path)
    file = display or display_name(path.name)
    if wanted is None:
        wanted = frozenset(header_key(s).lower() for s in standard.KNOWN_SHEETS)
    kind, problem = _sniff(path, file)
    if problem:
        return RawWorkbook(file, path, findings=(problem,))
    if kind != "zip":
        return _read(path, file, wanted, kind, None)
    with _zip_or_none(path) as zf:  # one opening for the checks before calamine and the extents
        return _read(path, file, wanted, kind, zf)


@contextlib.contextmanager
def _zip_or_none(path: Path) -> Iterator[zipfile.ZipFile | None]:
    """The zip file open, or ``None`` when it does not open (``_inspect_zip`` says why)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        yield None
        return
    with zf:
        yield zf


def _read(path: Path, file: str, wanted: frozenset[str], kind: str, opened: zipfile.ZipFile | None) -> RawWorkbook:
    has_macros = False
    if kind == "zip":
        problem, has_macros, ods = _inspect_zip(path, file, opened)
        if problem:
            return RawWorkbook(file, path, findings=(problem,))
        kind = "ods" if ods else kind
    else:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
        has_macros = _OLE_VBA in head
        if _ENCRYPTED in head:
            return RawWorkbook(
                file,
                path,
                findings=(
                    _problem(
                        file,
                        "password-protected",
                        "ไฟล์มีรหัสผ่าน กรุณาเอารหัสผ่านออก (ไฟล์ > ข้อมูล > ป้องกันเวิร์กบุ๊ก) แล้วส่งใหม่",
                        "the workbook is password-protected; remove the password and send it again",
                    ),
                ),
            )

    import python_calamine as pc  # imported here: the CLI's --help should not pay for it

    findings: list[Finding] = []
    sheets: dict[str, RawSheet] = {}
    # Limits before work: calamine builds each sheet as a dense grid (an .xls's or .ods's
    # every sheet already on opening, an .xlsx's when asked for), so extents are measured first.
    lazy = kind == "zip"
    too_large = [] if lazy else _over_limits(path, file, kind)
    if too_large:
        return RawWorkbook(file, path, findings=tuple(too_large), has_macros=has_macros)
    try:
        book = _open_book(pc, path)
        names = tuple(book.sheet_names)
        chosen = [name for name in names if _wanted(name, wanted)]
        measured: dict[str, extent.Extent] = {}
        too_large = _over_limits(path, file, kind, chosen, measured, opened) if lazy else []
        if too_large:
            book.close()
            return RawWorkbook(file, path, sheet_names=names, findings=tuple(too_large), has_macros=has_macros)
        marked = {n for n, e in measured.items() if e.formulas} if lazy else None
        xlsx = kind == "zip" and path.suffix.lower() in (".xlsx", ".xlsm")
        problems = formulas.formula_problems(path, marked, opened) if xlsx else {}
        for name in chosen:
            sh = book.get_sheet_by_name(name)
            rows = _grid(sh.to_python(skip_empty_area=False))
            merged = tuple((r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sh.merged_cell_ranges or ()))
            uncached, errors = problems.get(name, ((), {}))
            sheets[name] = RawSheet(name, rows, merged, uncached, errors)
        book.close()
    except Exception as exc:  # calamine raises its own types for every kind of damage
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            code, th = "password-protected", "ไฟล์มีรหัสผ่าน กรุณาเอารหัสผ่านออกแล้วส่งใหม่"
        else:
            code, th = "corrupt-file", "ไฟล์เสียหาย อ่านไม่ได้ กรุณาบันทึกใหม่จาก Excel เป็น .xlsx แล้วส่งอีกครั้ง"
        findings.append(_problem(file, code, th, f"cannot read the workbook: {text[:200]}"))
        return RawWorkbook(file, path, findings=tuple(findings))
    return RawWorkbook(file, path, sheets, names, tuple(findings), has_macros)


def _regular_files(folder: Path) -> list[Path]:
    """The regular files under ``folder``: no link is followed (out of the folder, or into
    itself in a loop), and no pipe or device is listed (reading one would wait for ever)."""
    out = []
    for top, _, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(top, name)
            with contextlib.suppress(OSError):
                if stat.S_ISREG(path.lstat().st_mode):
                    out.append(path)
    return out


def _open_book(pc: Any, path: Path) -> Any:
    """calamine's workbook; a path that is not UTF-8 (a Windows Thai name copied to Linux)
    is opened by Python and handed over as a file, which calamine cannot do by name."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)
    return pc.CalamineWorkbook.from_path(str(path))


def find_workbooks(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into workbook files (sorted); also return folders with none.

    Lock files (``~$x.xlsx``, ``.~lock``) and hidden files are skipped, and so are links
    and whatever is not a regular file inside a folder. A file named on its own is kept:
    ``read_workbook`` refuses it if it is not a regular file.
    """
    files: list[Path] = []
    empty: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in _regular_files(p)
                if f.suffix.lower() in WORKBOOK_SUFFIXES and not f.name.startswith(("~$", ".", "._"))
            )
            if not found:
                empty.append(p)
            files.extend(found)
        else:
            files.append(p)
    return files, empty


__all__ = ["RawSheet", "RawWorkbook", "cell_ref", "find_workbooks", "read_workbook"]
