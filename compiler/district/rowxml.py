"""Sheet rows as SpreadsheetML text, cell by cell as XlsxWriter writes them, without positions.

The summary's big sheets are put together from each organisation's rows, made once and kept
(``summary``): so a row says nothing of where it lands. ``<row>`` and ``<c>`` carry no ``r``
attribute (both are optional in SpreadsheetML; a reader numbers rows and cells in order);
text is an inline string (``t="inlineStr"``), so no shared-string table ties one
organisation's rows to another's; styles are the workbook's cell-format ids.

Values are written as XlsxWriter's ``write_string`` / ``write_number`` / ``write_blank`` write
them in its constant-memory mode: text always as text (characters XML forbids dropped, at most
32,767 UTF-16 units, control characters as ``_xHHHH_``, leading or trailing space kept), and
numbers with 16 significant digits. One difference on purpose: XlsxWriter writes a text that
starts with ``<r>`` and ends with ``</r>`` as rich-text markup; here it stays text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from compiler import thai

#: Excel's limit on the text of one cell, in UTF-16 units.
MAX_TEXT = 32_767
_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")


def _utf16_cut(text: str) -> str:
    """``text`` cut to :data:`MAX_TEXT` UTF-16 units, never inside a surrogate pair."""
    if len(text) <= MAX_TEXT // 2:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:i]
    return text


def text_cell(value: str, style: int) -> str:
    """A text cell (``value`` cleaned and escaped here)."""
    text = _utf16_cut(thai.xml_safe(value)[:MAX_TEXT])
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if "\r" in text:  # of the controls XlsxWriter writes as _xHHHH_, the only one xml_safe keeps
        text = text.replace("\r", "_x000D_")
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # XlsxWriter's test is the regex ``^\s|\s$``; its ``\s`` is ``str.isspace`` (and its ``$``
    # before a last newline adds nothing, a newline being space): the regex scanned each text
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def cell(value: object, style: int) -> str:
    """One cell as the summary writes it: nothing (a styled blank) for ``None`` or ``""``, a
    number for an int or float (not a bool), text for anything else."""
    if value is None or value == "":
        return f'<c s="{style}"/>'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text_cell(str(value), style)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return f'<c s="{style}"><v>{value:.16G}</v></c>'


def row_height(points: float) -> str:
    """A row height as XlsxWriter writes it (rounded to whole pixels)."""
    return f"{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}"


def row(values: Sequence[object], styles: Sequence[int], height: str) -> str:
    """One ``<row>`` of ``values`` in ``styles``, ``height`` from :func:`row_height`."""
    cells = "".join(cell(v, s) for v, s in zip(values, styles))
    return f'<row ht="{height}" customHeight="1">{cells}</row>'


def column_letter(index: int) -> str:
    """``0 -> "A"``, ``26 -> "AA"``."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out
