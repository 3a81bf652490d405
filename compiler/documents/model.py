"""The document model: an official document as the renderer takes it (dates, blocks, signature,
comment boxes), independent of where it was read from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import thai

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass
from compiler.documents.spec import DOCUMENT_SPECS, DOTS_DAY, DOTS_MONTH, DOTS_YEAR, DocumentKind, DocumentSpec


# ============================================================================================
# The document model
# ============================================================================================
@dataclass(frozen=True)
class OfficialDate:
    """A document's date, Buddhist Era; a part that is ``None`` is left to the pen.

    ``OfficialDate(2565, 3, 21)`` is 21 มีนาคม 2565; ``OfficialDate(2565, 3)`` prints
    ``........ เดือน มีนาคม พ.ศ. 2565``; ``OfficialDate()`` is all dots.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None

    @classmethod
    def of(cls, date: dt.date) -> OfficialDate:
        """From a CE ``date``: ``OfficialDate.of(date(2022, 3, 21)) == OfficialDate(2565, 3, 21)``."""
        return cls(thai.to_be_year(date.year), date.month, date.day)

    def long(self) -> str:
        """``21 เดือน มีนาคม พ.ศ. 2565`` (Arabic digits; typeset later), dots where unknown."""
        return f"{self._day()} เดือน {self._month()} พ.ศ. {self._year()}"

    def full(self) -> str:
        """``21 มีนาคม 2565``, dots where unknown (the memo's ``วันที่`` form)."""
        return f"{self._day()} {self._month()} {self._year()}"

    def _day(self) -> str:
        return str(self.day) if self.day else DOTS_DAY

    def _month(self) -> str:
        return thai.MONTHS[self.month - 1] if self.month else DOTS_MONTH

    def _year(self) -> str:
        return str(self.year) if self.year else DOTS_YEAR


@dataclass(frozen=True)
class Block:
    """One paragraph of a document's body.

    ``role``: ``paragraph``, ``heading``, ``item`` (``level`` 1–3) or ``closing``. ``number``
    is the item's number as typed (``๑.๑``) or generated (``1.1``; digits are typeset
    later); ``""`` for none (a paragraph, or an item's continuation line).
    """

    role: str
    text: str
    level: int = 0
    number: str = ""
    cell: str = ""

    @property
    def line(self) -> str:
        """The paragraph as printed (before digits are typeset): ``"1.1 เผยแพร่…"``."""
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Signature:
    """Who signs: the name (without parentheses) and the position's lines; ``""`` to sign by hand."""

    name: str
    positions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comment:
    """One box of a memo's chain of comments (ความเห็นหัวหน้าสำนักปลัด …)."""

    heading: str
    lines: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    signature: Signature = Signature("")
    date: OfficialDate | None = None
    cell: str = ""


@dataclass(frozen=True)
class Document:
    """An official document ready to render; names are not in it but in the ``Organisation``.

    ``number``: ``ที่`` as typed (``255/2565``, ``พย 72401/119``); ``unit``: the memo's
    ส่วนราชการ line in full; ``to``: its เรียน. ``sheet`` and ``file`` say where it came from
    (``""`` for the generated ประกาศ of the measures).
    """

    kind: DocumentKind
    subject: str
    blocks: tuple[Block, ...]
    signature: Signature
    number: str = ""
    date: OfficialDate | None = None
    unit: str = ""
    to: str = ""
    comments: tuple[Comment, ...] = ()
    sheet: str = ""
    file: str = ""

    @property
    def spec(self) -> DocumentSpec:
        return DOCUMENT_SPECS[self.kind]
