"""Formula cells calamine shows as empty, found in an .xlsx's sheet XML: formulas never
calculated (no cached value) and Excel error values (``#REF!``).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path

from compiler.workbook import extent

# A cell's body never holds another <c>: a cell left unclosed (crafted XML) fails at the
# next cell instead of scanning to the end of the sheet for every cell (quadratic).
_CELL = re.compile(rb"<c\b([^>]*?)(?<!/)>((?:[^<]|<(?!/?c[\s>/]))*+)</c>")
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_VALUE = re.compile(rb"<v>([^<]+)</v>")


def formula_problems(
    path: Path, marked: set[str] | None = None, opened: zipfile.ZipFile | None = None
) -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """For .xlsx/.xlsm: sheet name → (cells with an uncalculated formula, cells with an error).

    calamine shows both as empty; a clerk must be told the total is missing or broken
    rather than see an empty budget. Only sheets whose XML holds a formula or an error
    are scanned; ``marked`` names them when the extents were measured (none: nothing to read).
    """
    out: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
    try:
        if marked is not None and not marked:
            return out
        with contextlib.nullcontext(opened) if opened is not None else zipfile.ZipFile(path) as zf:
            for name, member in extent.xlsx_sheet_members(zf).items():
                if marked is not None and name not in marked:
                    continue
                data = zf.read(member)
                if b"<f>" not in data and b"<f " not in data and b't="e"' not in data:
                    continue
                uncached: list[str] = []
                errors: dict[str, str] = {}
                for attrs, body in _CELL.findall(data):
                    ref = _REF.search(attrs)
                    if ref is None:
                        continue
                    value = _VALUE.search(body)
                    if b't="e"' in attrs:
                        errors[ref.group(1).decode()] = value.group(1).decode() if value else "#ERROR"
                    elif b"<f" in body and value is None:
                        uncached.append(ref.group(1).decode())
                if uncached or errors:
                    out[name] = (tuple(uncached), errors)
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    return out
