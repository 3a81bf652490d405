"""How wide a line of text is in TH Sarabun New, to size table columns from their content.

The advances (thousandths of an em) are those of Laksaman, the metric-compatible clone of
TH Sarabun PSK that LibreOffice uses (``fonts-tlwg-laksaman``); Thai above and below marks
take no width. Bold text is about 6.6% wider. Characters outside ASCII and the Thai block
count as a Thai consonant (an estimate is all a column width needs).

>>> round(text_cm("ปีงบประมาณ", 14), 2)
2.61
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

#: Advances of U+0020..U+007E.
_ASCII = (
    324,
    221,
    312,
    606,
    543,
    879,
    636,
    180,
    285,
    285,
    428,
    618,
    243,
    324,
    243,
    406,
    544,
    544,
    544,
    544,
    544,
    544,
    544,
    544,
    544,
    544,
    243,
    243,
    618,
    618,
    618,
    425,
    806,
    601,
    568,
    610,
    648,
    527,
    527,
    639,
    663,
    221,
    397,
    565,
    530,
    824,
    663,
    731,
    568,
    732,
    570,
    529,
    570,
    700,
    586,
    884,
    628,
    550,
    637,
    294,
    394,
    294,
    619,
    529,
    306,
    517,
    603,
    497,
    603,
    562,
    309,
    467,
    586,
    215,
    233,
    475,
    300,
    904,
    586,
    598,
    603,
    603,
    326,
    424,
    357,
    586,
    512,
    762,
    478,
    506,
    482,
    312,
    230,
    312,
    625,
)
#: Advances of U+0E00..U+0E5B (0 for the above/below marks and unassigned points).
_THAI = (
    0,
    580,
    568,
    574,
    591,
    591,
    613,
    442,
    552,
    567,
    568,
    574,
    780,
    780,
    639,
    639,
    515,
    693,
    800,
    816,
    588,
    588,
    568,
    646,
    503,
    631,
    643,
    643,
    573,
    573,
    672,
    672,
    639,
    601,
    564,
    484,
    568,
    573,
    639,
    503,
    591,
    658,
    573,
    642,
    682,
    582,
    559,
    588,
    536,
    0,
    475,
    475,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    618,
    305,
    567,
    356,
    364,
    367,
    308,
    600,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    676,
    675,
    675,
    675,
    675,
    675,
    675,
    675,
    675,
    675,
    675,
    785,
    1048,
)
_OTHER = 610
BOLD_FACTOR = 1.066
CM_PER_PT = 2.54 / 72


def advance(ch: str) -> int:
    """The advance of one character in thousandths of an em."""
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return _ASCII[code - 0x20]
    if 0x0E00 <= code <= 0x0E5B:
        return _THAI[code - 0x0E00]
    if code in (0x200B, 0x2060, 0xFEFF, 0x200C, 0x200D):  # zero-width characters
        return 0
    if code == 0x00A0:
        return _ASCII[0]
    return _OTHER


#: :func:`advance` of every character it does not give :data:`_OTHER`, looked up in one step.
_ADVANCES = {
    ch: advance(ch)
    for ch in (
        *map(chr, range(0x20, 0x7F)),
        *map(chr, range(0x0E00, 0x0E5C)),
        *"\u200b\u2060\ufeff\u200c\u200d\u00a0",
    )
}


@lru_cache(maxsize=4096)
def _ems(text: str) -> float:
    """The sum of the advances of ``text``'s characters (whole numbers: in any order the same)."""
    return sum(map(_ADVANCES.get, text, repeat(_OTHER))) / 1000


def text_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of ``text`` set on one line at ``size_pt``, in centimetres."""
    return _ems(text) * size_pt * CM_PER_PT * (BOLD_FACTOR if bold else 1.0)


_DOTS = re.compile(r"\.{4,}")


def fit_dots(text: str, width_cm: float, size_pt: float, *, prefix: str = "") -> str:
    """``text`` with its dotted blanks (runs of 4+ dots) shortened, longest first, until
    ``prefix + text`` fits on one line ``width_cm`` wide; a blank keeps at least 4 dots.

    >>> fit_dots("วันที่ " + "." * 40, 2.0, 16)
    'วันที่ .....'
    """
    while text_cm(prefix + text, size_pt) > width_cm:
        runs = [m for m in _DOTS.finditer(text) if len(m.group(0)) > 4]
        if not runs:
            break
        longest = max(runs, key=lambda m: len(m.group(0)))
        text = text[: longest.start()] + text[longest.start() + 1 :]
    return text
