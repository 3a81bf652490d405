"""Write .xlsx files byte by byte, the way Excel stores them, for hostile and property tests.

openpyxl refuses what a clerk's Excel happily stores (control characters, which Excel
escapes as ``_x0001_``; a text cell reading ``=1+1`` or ``#REF!``) and writes inline strings
where Excel writes a shared-string table. This writer stores exactly what it is given:
text in ``xl/sharedStrings.xml`` with Excel's escapes, numbers, booleans, dates (with a
date style), formulas with or without a cached value, error cells, merged ranges, and any
extra zip member or XML prologue a test wants to smuggle in.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Formula:
    """A formula cell (``text`` without ``=``); ``cached`` is Excel's last result, ``None`` if never calculated."""

    text: str
    cached: object = None


@dataclass(frozen=True)
class ExcelError:
    """An error cell such as ``#REF!``."""

    code: str


@dataclass(frozen=True)
class RawCell:
    """A cell written verbatim: ``<c r=".." {attrs}>{body}</c>`` (for entities, odd markup)."""

    attrs: str
    body: str


@dataclass(frozen=True)
class RawString:
    """A shared string written verbatim inside ``<si>…</si>`` (rich text, nesting, entities)."""

    xml: str


# Characters XML 1.0 cannot carry; Excel writes them as _xHHHH_. \r too, or the XML parser
# turns it into \n.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_EPOCH = dt.datetime(1899, 12, 30)


def excel_text(text: str) -> str:
    """``text`` as Excel stores it in XML: a literal ``_x0041_`` protected, forbidden characters escaped."""
    text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _t(text: str) -> str:
    stored = escape(excel_text(text))
    space = ' xml:space="preserve"' if stored != stored.strip() or "\n" in stored or "\t" in stored else ""
    return f"<t{space}>{stored}</t>"


def _serial(value: dt.date) -> str:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    delta = moment - _EPOCH
    return repr(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str | RawString, int] = {}

    def add(self, text: str | RawString) -> int:
        return self.index.setdefault(text, len(self.index))

    def xml(self, prologue: str) -> bytes:
        items = "".join(f"<si>{s.xml if isinstance(s, RawString) else _t(s)}</si>" for s in self.index)
        n = len(self.index)
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">'
            f"{items}</sst>"
        ).encode()


def _cell(ref: str, value: object, strings: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="2"><v>{_serial(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{_serial(value)}</v></c>'
    if isinstance(value, Formula):
        f = f"<f>{escape(excel_text(value.text))}</f>"
        if value.cached is None:
            return f'<c r="{ref}">{f}</c>'
        if isinstance(value.cached, str):
            return f'<c r="{ref}" t="str">{f}<v>{escape(excel_text(value.cached))}</v></c>'
        return f'<c r="{ref}">{f}<v>{value.cached!r}</v></c>'
    if isinstance(value, ExcelError):
        return f'<c r="{ref}" t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, RawCell):
        return f'<c r="{ref}" {value.attrs}>{value.body}</c>'
    if isinstance(value, RawString):
        return f'<c r="{ref}" t="s"><v>{strings.add(value)}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.add(str(value))}</v></c>'


def sheet_xml(rows: Sequence[Sequence[object]], merges: Sequence[str], strings: _Strings, prologue: str = "") -> bytes:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{get_column_letter(c)}{r}", v, strings) for c, v in enumerate(row, start=1))
        if cells:
            body.append(f'<row r="{r}">{cells}</row>')
    merged = ""
    if merges:
        merged = (
            f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheetData>{''.join(body)}</sheetData>{merged}</worksheet>"
    ).encode()


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]],
    *,
    merges: Mapping[str, Sequence[str]] | None = None,
    macros: bool = False,
    prologue: str = "",
    strings_prologue: str = "",
    extra: Mapping[str, bytes] | None = None,
    replace: Mapping[str, bytes] | None = None,
) -> Path:
    """Write ``sheets`` (name, rows) as an .xlsx (or .xlsm with ``macros``) at ``path``.

    ``prologue`` goes before every sheet's root element and ``strings_prologue`` before the
    shared-string table's (a DOCTYPE, say); ``extra`` adds zip members; ``replace``
    overrides a member's bytes after everything else is made.
    """
    merges = merges or {}
    strings = _Strings()
    members: dict[str, bytes] = {}
    for i, (name, rows) in enumerate(sheets, start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(rows, merges.get(name, ()), strings, prologue)
    members["xl/sharedStrings.xml"] = strings.xml(strings_prologue)
    members["xl/styles.xml"] = _STYLES.encode()
    sheet_list = "".join(
        f'<sheet name={quoteattr(excel_text(name))} sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    members["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheet_list}</sheets></workbook>"
    ).encode()
    n = len(sheets)
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)
    )
    rels += f'<Relationship Id="rId{n + 1}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
    rels += f'<Relationship Id="rId{n + 2}" Type="{rel}/styles" Target="styles.xml"/>'
    if macros:
        rels += f'<Relationship Id="rId{n + 3}" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
        members["xl/vbaProject.bin"] = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b'Attribute VB_Name = "Module1"\nSub Auto_Open()\nShell "calc"\nEnd Sub\n'
        )
    members["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
    ).encode()
    main_type = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if macros
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    members["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>{overrides}'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ).encode()
    members["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    members.update(extra or {})
    members.update(replace or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["[Content_Types].xml", *sorted(k for k in members if k != "[Content_Types].xml")]:
            zf.writestr(name, members[name])
    return path
