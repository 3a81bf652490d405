"""Names spelt one way, the organisation's: a near miss typed inside a text (บ้านต้อม for
บ้านต๋อม) is corrected; district and province without their prefixes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from compiler.model import Organisation
from compiler.workbook import standard

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass


# ============================================================================================
# Names: one spelling, the Organisation's
# ============================================================================================
_TONES = re.compile("[\u0e48-\u0e4b]")
_ANCHOR_OF_TYPE = {
    "องค์การบริหารส่วนจังหวัด": "จังหวัด",
    "องค์การบริหารส่วนตำบล": "ตำบล",
    "เทศบาลนคร": "นคร",
    "เทศบาลเมือง": "เมือง",
    "เทศบาลตำบล": "ตำบล",
}
_DISTRICT_PREFIX = re.compile(r"^\s*(?:อำเภอ|อ\.)\s*")
_PROVINCE_PREFIX = re.compile(r"^\s*(?:จังหวัด|จ\.)\s*")


def bare_district(name: str) -> str:
    """A district without ``อำเภอ``: ``bare_district("อำเภอเมือง") == "เมือง"``."""
    return _DISTRICT_PREFIX.sub("", name).strip()


def bare_province(name: str) -> str:
    """A province without ``จังหวัด``: ``bare_province("จ.พะเยา") == "พะเยา"``."""
    return _PROVINCE_PREFIX.sub("", name).strip()


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _name_rules(org: Organisation) -> list[tuple[str, str]]:
    """(anchor, right name) pairs: a word after ``anchor`` that nearly equals the name is a typo."""
    kind, place = standard.organisation_type(org.name)
    rules: list[tuple[str, str]] = []
    if place and len(place) >= 3:
        rules.append((_ANCHOR_OF_TYPE.get(kind, "ตำบล"), place))
    district = bare_district(org.district).replace(" ", "")
    if district and len(district) >= 3:
        rules.append(("อำเภอ", district))
    return rules


def _near_miss(candidate: str, right: str) -> bool:
    if candidate == right:
        return False
    if _TONES.sub("", candidate) == _TONES.sub("", right):
        return True
    limit = 1 if len(right) <= 5 else 2
    return _distance(candidate, right) <= limit and candidate[:1] == right[:1]


def correct_names(text: str, org: Organisation) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with near misses of the organisation's place and district names corrected.

    A near miss is a word right after ``ตำบล`` (the organisation type's last word) or
    ``อำเภอ`` that differs from the right name only in tone marks, or by one or two letters:
    ``correct_names("เทศบาลตำบลบ้านต้อม บรรลุ", org)`` gives ``"เทศบาลตำบลบ้านต๋อม บรรลุ"``
    and ``[("บ้านต้อม", "บ้านต๋อม")]`` for เทศบาลตำบลบ้านต๋อม. Other names are left alone.
    """
    fixes: list[tuple[str, str]] = []
    for anchor, right in _name_rules(org):
        out: list[str] = []
        pos = 0
        for m in re.finditer(re.escape(anchor) + " ?", text):
            start = m.end()
            if start < pos:
                continue
            if text.startswith(right, start):
                continue
            best: str | None = None
            for length in (len(right), len(right) + 1, len(right) - 1):
                candidate = text[start : start + length]
                if len(candidate) == length and _near_miss(candidate, right):
                    best = candidate
                    break
            if best is None:
                continue
            out.append(text[pos:start])
            out.append(right)
            pos = start + len(best)
            fixes.append((best, right))
        out.append(text[pos:])
        text = "".join(out)
    return text, fixes


def unit_line(unit: str, org: Organisation) -> str:
    """A memo's ส่วนราชการ line: the unit, then the organisation, district and province.

    ``unit_line("สำนักปลัด", org)`` → ``สำนักปลัด องค์การบริหารส่วนตำบลภูซาง อำเภอภูซาง
    จังหวัดพะเยา``; a unit that already names the organisation is kept as typed.
    """
    if org.name and org.name.replace(" ", "") in unit.replace(" ", ""):
        return unit
    parts = [unit, org.name]
    if org.district:
        parts.append(f"อำเภอ{bare_district(org.district)}")
    if org.province:
        parts.append(f"จังหวัด{bare_province(org.province)}")
    return " ".join(p for p in parts if p)
