"""Where Thai lines may break: invisible hints written into a rendered document's text.

Thai has no spaces between words; Word and LibreOffice each find the places to break a line
with their own dictionary. LibreOffice (7.4, measured on the sample documents) broke
``ฝ่าย/กอ|ง`` (no break is allowed after a slash between Thai letters, so the whole run had
to break somewhere), ``(สำนักง|าน`` (nor after an opening bracket), ``ประสบผลอ|ย่างไร`` (its
dictionary reads ผลอ + ย่าง) and ``อำเภอภู|ซาง`` (a name it does not know). The language tags
were not the cause: every style and the document defaults carry ``w:lang w:bidi="th-TH"``.

What the document controls, and what measurably helped (``bench``-free: the figures are in
the issue 13 report):

- U+200B ZERO WIDTH SPACE after ``/`` and ``(`` before Thai text: a place to break;
- U+200B between the words pythainlp finds: the reader's dictionary then works on one word
  at a time and cannot cut ``อย่างไร`` after its first letter;
- U+2060 WORD JOINER between the character clusters of names (the organisation's own name,
  the district, the province, people's names): LibreOffice and Word do not break there.

Both characters are invisible and take no width; copying text out of the document carries
them along (a search for a name with the joiners typed differently may miss it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from compiler import wordcut

ZWSP = "\u200b"
WORD_JOINER = "\u2060"
INVISIBLE = (ZWSP, WORD_JOINER)
#: ``w:t`` (python-docx's ``qn("w:t")``, without importing python-docx for it)
_W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"

_THAI = re.compile("[\u0e01-\u0e4e]")
_SLASH = re.compile("(?<=[\u0e01-\u0e4e])/(?=[\u0e01-\u0e4e])")
_OPEN = re.compile(r"\((?=[\u0e01-\u0e4e])")


def strip_hints(text: str) -> str:
    """``text`` without the hints: ``strip_hints("ภู\u2060ซาง") == "ภูซาง"``."""
    return text.replace(ZWSP, "").replace(WORD_JOINER, "")


def _joined(name: str) -> str:
    return WORD_JOINER.join(wordcut.clusters(name))


def _words(text: str) -> str:  # remembered by _hinted, and each cut by wordcut
    out: list[str] = []
    tokens = wordcut.words(text)
    for token, following in zip(tokens, [*tokens[1:], ""], strict=True):
        out.append(token)
        if following and _THAI.match(token[-1]) and _THAI.match(following[0]):
            out.append(ZWSP)
    return "".join(out)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for every name, each letter optionally followed by a ZWSP (the word
    hints may have cut a name the dictionary does not know); longest names first."""
    alts = []
    for name in sorted({n for n in names if len(n) >= 2 and _THAI.search(n)}, key=len, reverse=True):
        alts.append(f"{ZWSP}?".join(re.escape(ch) for ch in name))
    return re.compile("|".join(alts)) if alts else None


def hint(text: str, names: re.Pattern[str] | None = None) -> str:
    """``text`` with break hints (see the module docstring); text without Thai is unchanged.

    ``hint("ฝ่าย/กอง") == "ฝ่าย/\u200bกอง"``.
    """
    if not _THAI.search(text):
        return text
    return _hinted(text, None if names is None else names.pattern, 0 if names is None else names.flags)


@lru_cache(maxsize=16384)
def _hinted(text: str, names: str | None, flags: int = 0) -> str:
    """:func:`hint` of a Thai ``text``, remembered: a server builds the same texts again.
    ``names`` is the names' pattern as text: a compiled pattern's hash walks its whole code
    at every call (a few milliseconds a report), a text's is kept."""
    text = _OPEN.sub("(" + ZWSP, _SLASH.sub("/" + ZWSP, text))
    text = _words(text)
    if names is not None:
        text = re.compile(names, flags).sub(lambda m: _joined(strip_hints(m.group(0))), text)
    return text


def unbreakable_words(text: str) -> str:
    """``text`` that may break only between words: a WORD JOINER inside every word, a ZWSP
    between words. For short fixed text such as a table's header, where the reader's
    dictionary would otherwise cut ``รับผิด|ชอบ``. ``strip_hints`` gives ``text`` back."""
    if not _THAI.search(text):
        return text
    out: list[str] = []
    for token in wordcut.words(strip_hints(text)):
        if out and _THAI.match(token[0]) and (_THAI.match(out[-1][-1]) or out[-1][-1] == "/"):
            out.append(ZWSP)
        out.append(_joined(token) if _THAI.search(token) else token)
    return "".join(out)


def apply_unbreakable(element: Any) -> None:
    """:func:`unbreakable_words` on every text run under ``element`` (a table's header row)."""
    for t in element.iter(_W_T):
        if t.text:
            t.text = unbreakable_words(t.text)


def names_to_join(*names: str) -> list[str]:
    """The names that must not break: each word of each given name (a person's
    ``นายสุภชาติ สันกวาน`` gives ``นายสุภชาติ`` and ``สันกวาน``)."""
    out: list[str] = []
    for name in names:
        words = name.split()
        out.extend(w for w in words if _THAI.search(w))
    return out


def place_names(place: str, district: str, province: str) -> list[str]:
    """The organisation's own name (``ภูซาง``), and the district and the province with and
    without their prefix (``อำเภอภูซาง``, ``ภูซาง``, ``จังหวัดพะเยา``, ``พะเยา``): a line
    may break before ``อำเภอภูซาง`` but not inside it."""
    out = [place]
    if district:
        out += [district, f"อำเภอ{district}"]
    if province:
        out += [province, f"จังหวัด{province}"]
    return [n for n in out if n]


def apply(element: Any, names: Iterable[str] = ()) -> int:
    """Write the hints into every text run under ``element`` (a document body); return
    how many runs changed. Field codes are not text and are left alone."""
    pattern = _name_pattern(names)
    source, flags = (None, 0) if pattern is None else (pattern.pattern, pattern.flags)
    changed = 0
    for t in element.iter(_W_T):
        text = t.text  # read once: each read makes a new Python string from the tree
        if text and _THAI.search(text):
            new = _hinted(text, source, flags)  # hint() without its second search
            if new != text:
                t.text = new
                changed += 1
    return changed
