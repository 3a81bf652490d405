"""The ประกาศ of the measures, made from the organisation's details and its measures alone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compiler.model import Organisation

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass
from compiler.documents.model import Block, Document, OfficialDate, Signature
from compiler.documents.spec import MEASURES_CLOSING, MEASURES_PREAMBLE, MEASURES_SUBJECT, DocumentKind

# ============================================================================================
# The ประกาศ of the measures
# ============================================================================================
_ENUMERATOR = re.compile(r"^\s*(?:\(?[0-9๐-๙]{1,3}(?:\.[0-9๐-๙]{1,3})*[.)]|[-–•·*])\s*")


def _unnumbered(line: str) -> str:
    """A line without the number or bullet typed in front: ``"1.จัดทำ"`` → ``"จัดทำ"``."""
    rest = _ENUMERATOR.sub("", line, count=1).strip()
    return rest or line.strip()


def _lines_of(values: Sequence[str] | str) -> list[str]:
    if isinstance(values, str):
        values = (values,)
    return [line.strip() for v in values for line in str(v).split("\n") if line.strip()]


def measures_document(
    org: Organisation,
    measures: Sequence[Any],
    *,
    layout: str = "measures",
    date: dt.date | OfficialDate | None = None,
) -> Document:
    """The ประกาศ of the measures: a preamble, each measure an item, its methods sub-items.

    ``measures`` are :class:`~compiler.model.MergedMeasure` (or anything with ``number``,
    ``title``, ``indicator`` and ``methods``). In the ``indicators`` layout a measure's item is
    its indicator and the title's lines are sub-items. Numbers typed in front of titles and
    methods are replaced by the document's own (``๑.``, ``๑.๑``). ``date`` ``None`` leaves
    the date blank (day, month and year) to be filled in by hand at signing.
    """
    fill = {
        "organisation": org.name,
        "year": org.year_text,
        "previous_year": org.previous_year_text,
    }
    blocks = [Block("paragraph", text.format(**fill)) for text in MEASURES_PREAMBLE]
    for position, m in enumerate(measures, start=1):
        number = m.number if m.number is not None else position
        title = [_unnumbered(x) for x in _lines_of(m.title)]
        indicator = [_unnumbered(x) for x in _lines_of(getattr(m, "indicator", "") or "")]
        methods = [_unnumbered(x) for x in _lines_of(getattr(m, "methods", ()) or ())]
        if layout == "indicators" and indicator:
            head, subs = " ".join(indicator), title + methods
        else:
            head, subs = (title[0] if title else ""), title[1:] + methods
        blocks.append(Block("item", head, 1, f"{number}."))
        seen: set[str] = set()
        n = 0
        for sub in subs:
            if sub in seen:
                continue
            seen.add(sub)
            n += 1
            blocks.append(Block("item", sub, 2, f"{number}.{n}"))
    blocks.append(Block("closing", MEASURES_CLOSING))
    positions = (org.executive_position,) if org.executive_position else ()
    when = OfficialDate.of(date) if isinstance(date, dt.date) else date
    return Document(
        DocumentKind.ANNOUNCEMENT,
        MEASURES_SUBJECT,
        tuple(blocks),
        Signature(org.executive, positions),
        date=when,
    )
