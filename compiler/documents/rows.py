"""The pieces of a document sheet's rows: its header, typed item numbers, labels, signers and
dates as clerks type them, each cell's text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from compiler import thai
from compiler.workbook.read import RawSheet

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass
from compiler.documents.model import OfficialDate
from compiler.documents.spec import (
    HEADER_ALIASES,
    HEADER_ELEMENT,
    Element,
)


def _header_row(sheet: RawSheet) -> int:
    """The row of the ``รายการ | ข้อความ`` header within the first 10 rows; 0 when there is none."""
    names = {thai.header_key(n) for n in (HEADER_ELEMENT, *HEADER_ALIASES[HEADER_ELEMENT])}
    for r in range(1, min(len(sheet.rows), 10) + 1):
        if thai.header_key(sheet.value(r, 1)) in names:
            return r
    return 0


# A number typed at the start of an item: "1.", "1)", "๑.๑", "1.1.", "(๑)".
_TYPED_NUMBER = re.compile(
    r"^\s*(\([0-9๐-๙]{1,3}\)|[0-9๐-๙]{1,3}(?:\.[0-9๐-๙]{1,3})+\.?|[0-9๐-๙]{1,3}[.)])(?![0-9๐-๙])\s*"
)


def split_number(line: str) -> tuple[str, str]:
    """(typed number, rest) of an item's line: ``split_number("๑.๑ เผยแพร่") == ("๑.๑", "เผยแพร่")``.

    ``("", line)`` when the line starts with no number.
    """
    m = _TYPED_NUMBER.match(line)
    if not m or not line[m.end() :].strip():
        return "", line.strip()
    return m.group(1), line[m.end() :].strip()


def _last_int(number: str) -> int | None:
    found = re.findall(r"\d+", thai.to_arabic_digits(number))
    return int(found[-1]) if found else None


class _Numbering:
    """Counters for items at levels 1–3; a typed number moves its counter on."""

    def __init__(self) -> None:
        self.n = [0, 0, 0]

    def reset(self) -> None:
        self.n = [0, 0, 0]

    def next(self, level: int, typed: str) -> str:
        i = level - 1
        typed_n = _last_int(typed) if typed else None
        self.n[i] = typed_n if typed_n is not None else self.n[i] + 1
        for j in range(i + 1, 3):
            self.n[j] = 0
        if typed:
            return typed
        if level == 1:
            return f"{self.n[0]}."
        if level == 2:
            return f"{self.n[0]}.{self.n[1]}" if self.n[0] else f"{self.n[1]}."
        return f"({self.n[2]})"


def _strip_label(text: str, element: Element) -> str:
    """The text without its element's label typed in front (``เรื่อง เรื่อง…`` → ``เรื่อง…``)."""
    for label in (element.label, *element.aliases):
        if text.startswith(label + " ") or (
            element.role in ("subject", "to", "number") and text.startswith(label + ":")
        ):
            return text[len(label) + 1 :].strip()
    return text


def _signer_name(text: str) -> str:
    """A signer's name without the parentheses a clerk may type: ``(นายก ข)`` → ``นายก ข``."""
    text = " ".join(text.split())
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


_DAY_BEFORE_MONTH = re.compile(r"(?:^|\s|วันที่)\d{1,2}\s*(?:เดือน\s*)?[ก-ฮ]")


def _parse_date(value: object) -> OfficialDate | None:
    """A full date, or a month and year with the day left blank; ``None`` if neither."""
    date = thai.parse_date(value)
    if date is not None:
        return OfficialDate.of(date)
    if isinstance(value, str):
        text = thai.clean_text(value)
        mentions = thai.month_mentions(text)
        # "เดือน มีนาคม พ.ศ. 2565" leaves the day to fill in; "31 กุมภาพันธ์ 2565" is no date
        if mentions and not _DAY_BEFORE_MONTH.search(thai.to_arabic_digits(text)):
            year, month = mentions[0]
            return OfficialDate(thai.to_be_year(year), month, None)
    return None


def _cell_text(value: object) -> str:
    """A cell as text: numbers without a needless ``.0``, dates in Thai (``21 มีนาคม 2565``)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return thai.thai_date(value.date())
    if isinstance(value, dt.date):
        return thai.thai_date(value)
    return thai.clean_text(value)


def _rows(sheet: RawSheet) -> Iterable[tuple[int, object, object]]:
    start = _header_row(sheet) + 1
    for r in range(start, len(sheet.rows) + 1):
        yield r, sheet.value(r, 1), sheet.value(r, 2)


def sheet_is_blank(sheet: RawSheet) -> bool:
    """True when no ``ข้อความ`` cell holds text: the clerk did not use this document."""
    return all(not _cell_text(text) for _, _, text in _rows(sheet))
