"""Thai specifics: digits, Buddhist Era years and dates, month names, baht, text clean-up.

Built on pythainlp for the hard part (reordering vowels and tone marks); pythainlp is imported
only when a text needs it, because its import alone costs ~0.1 s and most cells are already clean.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from compiler import remember, wordcut

#: The official font (TH Sarabun New, ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ) in every file we write.
FONT = "TH Sarabun New"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
#: (digit, its counterpart) pairs. ``str.translate`` maps every character through a dict, a
#: few microseconds for a line of Thai; replacing only the digits that stand in the text
#: gives the same text several times faster.
_TO_THAI = tuple(zip("0123456789", THAI_DIGITS, strict=True))
_TO_ARABIC = tuple(zip(THAI_DIGITS, "0123456789", strict=True))


def _swap_digits(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for digit, other in pairs:
        if digit in text:
            text = text.replace(digit, other)
    return text


MONTHS = tuple("มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม".split())
MONTHS_ABBR = tuple("ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.".split())
BE_OFFSET = 543


# --- digits ---------------------------------------------------------------------------------
def to_arabic_digits(text: str) -> str:
    """Thai digits to Arabic ones: ``to_arabic_digits("๒๕๖๕") == "2565"``."""
    return _swap_digits(text, _TO_ARABIC) if _THAI_DIGIT.search(text) else text


_THAI_DIGIT = re.compile("[๐-๙]")


# URLs, e-mail addresses and Latin codes keep Arabic digits. A Latin code is a word of two or
# more Latin letters with digits (ISO9001, COVID-19, PDPA2562); one letter and digits
# (i4, e5, o12: ITA indicator codes) is written with Thai digits, as the seeds do.
_KEEP_ARABIC = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[A-Za-z]{2,}[-_/]?\d[\w-]*"
    r"|\b\d+[A-Za-z]{2,}\w*"
)


_ASCII_DIGIT = re.compile(r"[0-9]")
_LATIN_OR_AT = re.compile(r"[A-Za-z@]")


def to_thai_digits(text: str) -> str:
    """Arabic digits to Thai ones, except inside URLs, e-mails and Latin codes.

    ``to_thai_digits("ปี 2565 ดู www.a.go.th/2565 ISO9001 i4")``
    ``== "ปี ๒๕๖๕ ดู www.a.go.th/2565 ISO9001 i๔"``
    """
    if _ASCII_DIGIT.search(text) is None:
        return text
    if _LATIN_OR_AT.search(text) is None:
        return _swap_digits(text, _TO_THAI)  # no URL, e-mail or Latin code can be in it
    out: list[str] = []
    pos = 0
    for m in _KEEP_ARABIC.finditer(text):
        out.append(_swap_digits(text[pos : m.start()], _TO_THAI))
        out.append(m.group(0))
        pos = m.end()
    out.append(_swap_digits(text[pos:], _TO_THAI))
    return "".join(out)


def digits(text: str, style: str = "thai") -> str:
    """Digits in the house style: ``"thai"`` (default) or ``"arabic"``."""
    return to_thai_digits(text) if style == "thai" else to_arabic_digits(text)


# --- text clean-up --------------------------------------------------------------------------
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Sequences pythainlp.normalize would change: sara am as nikhahit + sara aa, tone before vowel, a mark twice.
#: Thai marks written above or below a letter (vowels, tone marks, thanthakhat …).
_THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
#: (As one mark and what may follow it: twice as fast as three alternatives at each character.)
_BROKEN_THAI = re.compile(f"([{_THAI_MARKS}])(?:(?<=\u0e4d)\u0e32|(?<=[\u0e48-\u0e4b])[\u0e31\u0e34-\u0e3a\u0e47]|\\1)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
#: C1 control characters (U+0080–U+009F): legal in XML, invisible, and in a cell only by a
#: mis-decoded paste; U+0085 (next line) is taken for the line break it stands for.
_C1 = re.compile("[\x80-\x84\x86-\x9f]")


#: Characters the documents leave out:
#: - private-use code points: no font a reader has draws them (they come from text copied out
#:   of PDFs made with old Thai fonts, or from broken files: Word shows empty boxes), and
#:   LibreOffice slows to a crawl hunting a font for each one (a table of such text took
#:   minutes to lay out, four times longer than the same text without them);
#: - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
#:   make text show in another order than it was typed ("Trojan Source": a year or an amount
#:   read backwards in a signed document), and unclosed ones nest in every later paragraph
#:   (three times slower again in LibreOffice).
_DROPPED = re.compile("[\u202a-\u202e\u2066-\u2069\ue000-\uf8ff\U000f0000-\U0010ffff]")


def dropped_character(text: str) -> str:
    """The first character of ``text`` the documents leave out, as ``U+F70A``; ``""`` if none.

    ``dropped_character("ผล\u202eการ") == "U+202E"``.
    """
    m = _DROPPED.search(text)
    return f"U+{ord(m.group(0)):04X}" if m else ""


@remember.remembered
def has_broken_thai(text: str) -> bool:
    """True if ``text`` has marks typed out of order: ``has_broken_thai("ดําเนิน") is True``."""
    return _BROKEN_THAI.search(text) is not None


def fix_thai(text: str) -> str:
    """Put Thai vowels and tone marks in canonical order: ``fix_thai("ดําเนิน") == "ดำเนิน"``."""
    if not has_broken_thai(text):
        return text
    from pythainlp.util import normalize  # slow import, only when needed

    return normalize(text.replace("\u0e4d\u0e32", "\u0e33"))


#: Characters ``clean_text`` drops, turns into a line break or into one space.
_DROPS = "".join(r.pattern[1:-1] for r in (_ZERO_WIDTH, _DROPPED, _CONTROL, _C1))
_UNCLEAN_CHAR = re.compile(f"[{_DROPS}\r\u2028\x85\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_LINE_EDGE = re.compile(r"\s\n|\n\s")


@remember.remembered
def _is_clean(text: str) -> bool:
    """True when ``clean_text`` would change nothing: no character it drops or replaces, no
    run of spaces, no white space at either end of a line, no empty line, no broken marks."""
    return not (
        _UNCLEAN_CHAR.search(text)
        or "  " in text
        or text[:1].isspace()
        or text[-1:].isspace()
        or ("\n" in text and _LINE_EDGE.search(text))
        or has_broken_thai(text)
    )


def clean_text(value: object) -> str:
    """Cell text as data: no zero-width, control, private-use or bidi-override characters, single spaces, trimmed lines.

    Line breaks are kept (they separate items inside a cell); empty lines are dropped. ``None`` gives ``""``.
    ``clean_text("  ผล\u200bการ  ดำเนินการ \\r\\n\\n ข้อ ๒ ") == "ผลการ ดำเนินการ\\nข้อ ๒"``.
    """
    if value is None:
        return ""
    text = str(value)
    if _is_clean(text):
        return text  # most cells: nothing to drop, join, fix or trim (the steps below are no-ops)
    text = _DROPPED.sub("", _ZERO_WIDTH.sub("", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\x85", "\n")
    text = _C1.sub("", _CONTROL.sub("", text))
    text = fix_thai(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/FFFF)."""
    return _CONTROL.sub("", text)


# --- long paragraphs ---------------------------------------------------------------------------
#: Characters that belong to the character before them: combining marks (Thai vowels above
#: and below, tone marks), joiners, variation selectors, emoji skin tones.
_CLINGS = re.compile(f"[{_THAI_MARKS}\u0300-\u036f\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
#: Thai vowels written before their consonant, and the zero-width joiner, bind to what follows.
_LEADS = "\u0e40\u0e41\u0e42\u0e43\u0e44\u200d"
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]")


def _may_break_at(text: str, i: int) -> bool:
    """True when ``text[:i]`` and ``text[i:]`` split no character cluster (Thai, emoji, flags)."""
    if i <= 0 or i >= len(text):
        return False
    if _CLINGS.match(text, i) or text[i - 1] in _LEADS:
        return False
    if _REGIONAL.match(text, i) and _REGIONAL.match(text, i - 1):
        run = 0  # a flag is a pair of regional indicators: break between pairs only
        while run < i and _REGIONAL.match(text, i - 1 - run):
            run += 1
        return run % 2 == 0
    return True


def break_before(text: str, limit: int) -> int:
    """Where to end the first piece of ``text`` when a piece may hold ``limit`` characters.

    The last space before ``limit`` in the second half of the piece; else the last Thai word
    boundary there (pythainlp); else the last place that splits no character cluster. Returns
    ``len(text)`` when the text fits. ``break_before("ผลการ ดำเนินการ", 8) == 5``.
    """
    if len(text) <= limit:
        return len(text)
    low = limit // 2
    space = text.rfind(" ", low, limit + 1)  # cell text holds no other spaces (clean_text)
    if space > 0:
        return space
    window = text[low:limit]
    if re.search("[\u0e01-\u0e2e]", window):
        ends, pos = [], low
        for word in wordcut.words(window):
            pos += len(word)
            ends.append(pos)
        for end in reversed(ends[:-1]):  # the last word may go on past the window
            if _may_break_at(text, end):
                return end
    for i in range(limit, 0, -1):
        if _may_break_at(text, i):
            return i
    return limit


def words(text: str) -> list[str]:
    """The words of ``text`` (pythainlp's dictionary segmentation; spaces dropped).

    ``words("ส่วนงานที่รับผิดชอบ") == ["ส่วน", "งาน", "ที่", "รับผิดชอบ"]``; text without Thai is
    split at spaces only.
    """
    if not re.search("[\u0e01-\u0e2e]", text):
        return text.split()
    return [w for w in wordcut.words(text, keep_whitespace=False) if w.strip()]


def split_long(text: str, limit: int) -> list[str]:
    """``text`` as pieces of at most ``limit`` characters, cut where :func:`break_before` says.

    Joined again (with the spaces at the cuts) they give ``text`` back. ``split_long("", 5) == [""]``.
    """
    if len(text) <= limit:  # nearly every text: the same as the loop below gives
        return [text] if text else [""]
    pieces = []
    while len(text) > limit:
        cut = break_before(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return [p for p in pieces if p] or [""]


_HEADER_DROP = re.compile(r"[\s\u200b\u00a0*:：]+")


def collation_ranks(words: Iterable[str]) -> dict[str, int]:
    """Each distinct word's place in Thai dictionary order (pythainlp's ``collate``):
    ``collation_ranks(["เมือง", "ภูซาง"]) == {"ภูซาง": 0, "เมือง": 1}``."""
    from pythainlp.util import collate  # slow import, only where names are sorted

    return {w: i for i, w in enumerate(collate(set(words)))}


_MARK_SET = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))


def wrapped_lines(text: str, per_line: int) -> int:
    """Lines ``text`` takes wrapped at ``per_line`` characters, Thai marks above and below
    taking no room: ``wrapped_lines("ผลการดำเนินงาน", 5) == 3``; at least 1."""
    per_line = max(1, per_line)
    return sum(max(1, -(-sum(ch not in _MARK_SET for ch in line) // per_line)) for line in text.split("\n"))


@remember.remembered
def header_key(text: object) -> str:
    """A header compared loosely: no spaces, breaks or stars: ``"มาตรการ /\\nกิจกรรม" -> "มาตรการ/กิจกรรม"``."""
    if text is None:
        return ""
    return _HEADER_DROP.sub("", fix_thai(str(text)))


# --- numbers --------------------------------------------------------------------------------
@remember.remembered  # (a budget's text is read three times: its checks, then its value)
def parse_number(value: object) -> Decimal | None:
    """A number typed any common way: ``parse_number("๑๒,๕๐๐ บาท") == Decimal("12500")``.

    ``None`` when the cell holds no number (empty, or words such as ``ไม่ใช้งบประมาณ``).
    ``None`` too for what is not a finite number (NaN, infinity) and for commas that are not
    thousands separators (``"93,05"`` is not 9305; see :func:`decimal_comma`).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    text = to_arabic_digits(str(value)).replace("บาท", "").strip()
    m = _NUMBER.fullmatch(text)
    return Decimal(m.group(0).replace(",", "")) if m else None


_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


def decimal_comma(value: object, *, thousands: bool = True) -> bool:
    """True for a number typed with a comma where a decimal point belongs: ``"93,05"``.

    ``decimal_comma("93,05") is True``; ``"12,500"`` (thousands) and ``"93.05"`` are False.
    With ``thousands=False`` (a score of 0–100 has none) every comma between digits counts.
    """
    if not isinstance(value, str):
        return False
    text = to_arabic_digits(value).replace("บาท", "").replace("คะแนน", "").strip()
    return bool(_DECIMAL_COMMA.fullmatch(text)) and (not thousands or parse_number(text) is None)


_NOT_FINITE = re.compile(r"[-+]?(?:nan|inf|infinity)", re.IGNORECASE)


@remember.remembered
def not_finite(value: object) -> bool:
    """True for a value that is, or reads as, NaN or infinity: a float cell, ``"nan"``, ``"1e309"``.

    ``not_finite("1e309") is True`` (too large for any number); ``not_finite("93.05") is False``.
    """
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Decimal):
        return not value.is_finite()
    if not isinstance(value, str) or len(value) > 400:
        return False
    text = to_arabic_digits(value).replace(",", "").replace("บาท", "").strip()
    if _NOT_FINITE.fullmatch(text):
        return True
    if parse_number(text) is not None:
        return False  # digits typed out, however many: a number (perhaps too large), not infinity
    try:
        return not math.isfinite(float(text))
    except (ValueError, OverflowError):
        return False


def format_number(value: Decimal | float, decimals: int | None = None) -> str:
    """Thousands separators, no needless zeros: ``format_number(Decimal("12500")) == "12,500"``."""
    d = Decimal(str(value))
    if decimals is None:
        decimals = 0 if d == d.to_integral_value() else 2
    return f"{d:,.{decimals}f}"


def format_budget(value: Decimal | None) -> str:
    """``12,500 บาท``, or ``ไม่ใช้งบประมาณ`` for none or zero (Arabic digits; typeset later)."""
    if value is None or value == 0:
        return "ไม่ใช้งบประมาณ"
    return f"{format_number(value)} บาท"


def format_score(value: float) -> str:
    """A score as the seeds print it: ``format_score(99.5) == "99.5"``, ``100.0 -> "100"``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


# --- years and dates ------------------------------------------------------------------------
def to_be_year(year: int) -> int:
    """A year as Buddhist Era: CE years (< 2400) get +543: ``to_be_year(2022) == 2565``."""
    return year + BE_OFFSET if year < 2400 else year


def parse_year(value: object) -> int | None:
    """A BE year from ``2565``, ``"๒๕๖๕"``, ``"พ.ศ. 2565"`` or CE ``2022``; ``None`` if none.

    Two-digit years are read as BE (``65`` → 2565), as Thai abbreviations write them.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        year = value
    else:
        m = re.search(r"\d{2,4}", to_arabic_digits(str(value)))
        if not m:
            return None
        year = int(m.group(0))
    if year < 100:
        return 2500 + year
    return to_be_year(year)


def fiscal_year_bounds(be_year: int) -> tuple[dt.date, dt.date]:
    """First and last day (CE dates) of a Thai fiscal year: FY 2565 → 2021-10-01..2022-09-30."""
    ce = be_year - BE_OFFSET
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


_MONTH_WORDS: list[tuple[str, int]] = sorted(
    [(name, i + 1) for i, name in enumerate(MONTHS)]
    + [(abbr, i + 1) for i, abbr in enumerate(MONTHS_ABBR)]
    + [(abbr.replace(".", ""), i + 1) for i, abbr in enumerate(MONTHS_ABBR)],
    key=lambda p: -len(p[0]),
)
_MONTH_RE = "|".join(re.escape(w) for w, _ in _MONTH_WORDS)
_MONTH_NUM = {w: n for w, n in _MONTH_WORDS}
_THAI_DATE = re.compile(rf"(?:วันที่\s*)?(\d{{1,2}})\s*(?:เดือน\s*)?({_MONTH_RE})\s*(?:พ\.?\s?ศ\.?\s*)?(\d{{2,4}})")
_MONTH_YEAR = re.compile(rf"({_MONTH_RE})\s*(?:พ\.?\s?ศ\.?\s*)?(\d{{2,4}})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _ce_year(year_text: str) -> int:
    year = int(year_text)
    if year < 100:
        year += 2500
    return year - BE_OFFSET if year >= 2400 else year


def excel_serial_to_date(serial: float) -> dt.date:
    """An Excel date serial (1900 system): ``excel_serial_to_date(44641) == date(2022, 3, 21)``."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))


def parse_date(value: object) -> dt.date | None:
    """A date typed any common way, as a CE ``date``; ``None`` when it is not one.

    Accepts Excel dates and serials, ``"21 มีนาคม 2565"``, ``"๒๑ มี.ค. ๖๕"``,
    ``"วันที่ ๒๑ เดือน มีนาคม พ.ศ. ๒๕๖๕"``, ``"21/3/2565"`` (day first) and ``"2022-03-21"``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return excel_serial_to_date(value) if 1 <= value < 2958466 else None
    text = to_arabic_digits(clean_text(value))
    try:
        if m := _ISO_DATE.search(text):
            return dt.date(_ce_year(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _THAI_DATE.search(text):
            return dt.date(_ce_year(m.group(3)), _MONTH_NUM[m.group(2)], int(m.group(1)))
        if m := _NUMERIC_DATE.search(text):
            return dt.date(_ce_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def month_mentions(text: str) -> list[tuple[int, int]]:
    """``(CE year, month)`` of each "month year" in a period text, in order.

    ``month_mentions("ต.ค. ๒๕๖๔ – พ.ย. ๒๕๖๔") == [(2021, 10), (2021, 11)]``.
    """
    text = to_arabic_digits(text)
    return [(_ce_year(y), _MONTH_NUM[m]) for m, y in _MONTH_YEAR.findall(text)]


def thai_date(date: dt.date, style: str = "full") -> str:
    """A date in Thai words with BE year (Arabic digits; typeset later).

    ``style="full"``: ``21 มีนาคม 2565``; ``"official"``: ``21 เดือน มีนาคม พ.ศ. 2565``
    (the ``ประกาศ ณ วันที่ …`` form); ``"short"``: ``21 มี.ค. 65``.
    """
    year = to_be_year(date.year)
    if style == "official":
        return f"{date.day} เดือน {MONTHS[date.month - 1]} พ.ศ. {year}"
    if style == "short":
        return f"{date.day} {MONTHS_ABBR[date.month - 1]} {year % 100:02d}"
    return f"{date.day} {MONTHS[date.month - 1]} {year}"


def bahttext(value: Decimal | float) -> str:
    """Amount in Thai words: ``bahttext(12500) == "หนึ่งหมื่นสองพันห้าร้อยบาทถ้วน"``."""
    from pythainlp.util import bahttext as _bahttext

    return str(_bahttext(float(value)))
