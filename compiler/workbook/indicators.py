"""The ITA indicator catalogue, as data per fiscal year: code → indicator and its name.

The NACC's criteria name ten indicators (ตัวชี้วัด) measured by three tools: IIT (i…, asked
of staff), EIT (e…, asked of outsiders) and OIT (o…, public documents). Which codes exist,
and which indicator each belongs to, changed over the years. What is here and where it
comes from:

- 2563–2564: IIT i1–i30 (six questions per indicator 1–5), EIT e1–e15 (five per indicator
  6–8), OIT o1–o43 (indicator 9 การเปิดเผยข้อมูล o1–o33, 10 การป้องกันการทุจริต o34–o43),
  each OIT item named (the NACC's published criteria of those years).
- 2565: the same IIT and EIT; the OIT items changed and their names are not kept here
  (an o-code prints as the code).
- 2566–2568: IIT i1–i15, three questions per indicator 1–5 (as the seed report of 2567
  groups them: i4–i6 budget, i7–i9 authority, i10–i12 assets, i13–i15 anti-corruption);
  EIT e1–e15 and OIT o1–o43 as the form offers them, their indicators not kept here.

Other years have no catalogue: codes print as typed and ``check`` does not judge them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The ten indicators' names, by number (the same in every year here).
INDICATORS: dict[int, str] = {
    1: "การปฏิบัติหน้าที่",
    2: "การใช้งบประมาณ",
    3: "การใช้อำนาจ",
    4: "การใช้ทรัพย์สินของราชการ",
    5: "การแก้ไขปัญหาการทุจริต",
    6: "คุณภาพการดำเนินงาน",
    7: "ประสิทธิภาพการสื่อสาร",
    8: "การปรับปรุงระบบการทำงาน",
    9: "การเปิดเผยข้อมูล",
    10: "การป้องกันการทุจริต",
}

#: OIT items of 2563–2564 (o1–o43).
OIT_2564: dict[int, str] = {
    1: "โครงสร้าง",
    2: "ข้อมูลผู้บริหาร",
    3: "อำนาจหน้าที่",
    4: "แผนยุทธศาสตร์หรือแผนพัฒนาหน่วยงาน",
    5: "ข้อมูลการติดต่อ",
    6: "กฎหมายที่เกี่ยวข้อง",
    7: "ข่าวประชาสัมพันธ์",
    8: "Q&A",
    9: "Social Network",
    10: "แผนดำเนินงานประจำปี",
    11: "รายงานการกำกับติดตามการดำเนินงานประจำปี รอบ 6 เดือน",
    12: "รายงานผลการดำเนินงานประจำปี",
    13: "คู่มือหรือมาตรฐานการปฏิบัติงาน",
    14: "คู่มือหรือมาตรฐานการให้บริการ",
    15: "ข้อมูลเชิงสถิติการให้บริการ",
    16: "รายงานผลการสำรวจความพึงพอใจการให้บริการ",
    17: "E-Service",
    18: "แผนการใช้จ่ายงบประมาณประจำปี",
    19: "รายงานการกำกับติดตามการใช้จ่ายงบประมาณ ประจำปี รอบ 6 เดือน",
    20: "รายงานผลการใช้จ่ายงบประมาณประจำปี",
    21: "แผนการจัดซื้อจัดจ้างหรือแผนการจัดหาพัสดุ",
    22: "ประกาศต่าง ๆ เกี่ยวกับการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ",
    23: "สรุปผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุรายเดือน",
    24: "รายงานผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุประจำปี",
    25: "นโยบายการบริหารทรัพยากรบุคคล",
    26: "การดำเนินการตามนโยบายการบริหารทรัพยากรบุคคล",
    27: "หลักเกณฑ์การบริหารและพัฒนาทรัพยากรบุคคล",
    28: "รายงานผลการบริหารและพัฒนาทรัพยากรบุคคลประจำปี",
    29: "แนวปฏิบัติการจัดการเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
    30: "ช่องทางแจ้งเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
    31: "ข้อมูลเชิงสถิติเรื่องร้องเรียนการทุจริตและประพฤติมิชอบประจำปี",
    32: "ช่องทางการรับฟังความคิดเห็น",
    33: "การเปิดโอกาสให้เกิดการมีส่วนร่วม",
    34: "เจตจำนงสุจริตของผู้บริหาร",
    35: "การมีส่วนร่วมของผู้บริหาร",
    36: "การประเมินความเสี่ยงการทุจริตประจำปี",
    37: "การดำเนินการเพื่อจัดการความเสี่ยงการทุจริต",
    38: "การเสริมสร้างวัฒนธรรมองค์กร",
    39: "แผนปฏิบัติการป้องกันการทุจริต",
    40: "รายงานการกำกับติดตามการดำเนินการป้องกันการทุจริตประจำปี รอบ 6 เดือน",
    41: "รายงานผลการดำเนินการป้องกันการทุจริตประจำปี",
    42: "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
    43: "การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
}


@dataclass(frozen=True)
class Entry:
    """One code of one year's criteria: its indicator (number, or ``None`` when not known
    here) and, for OIT items, the item's name (``""`` when not known here)."""

    code: str
    indicator: int | None
    item: str = ""

    @property
    def name(self) -> str:
        """What a report prints for a code typed alone: the item, else the indicator, else ``""``.

        ``o10`` of 2564 → ``"o10 แผนดำเนินงานประจำปี"``; ``i5`` of 2567 →
        ``"ตัวชี้วัดที่ 2 การใช้งบประมาณ"``.
        """
        if self.item:
            return f"{self.code} {self.item}"
        if self.indicator is not None:
            return f"ตัวชี้วัดที่ {self.indicator} {INDICATORS[self.indicator]}"
        return ""


def _grouped(prefix: str, count: int, per: int, first_indicator: int) -> dict[str, Entry]:
    return {f"{prefix}{n}": Entry(f"{prefix}{n}", first_indicator + (n - 1) // per) for n in range(1, count + 1)}


def _unassigned(prefix: str, count: int) -> dict[str, Entry]:
    return {f"{prefix}{n}": Entry(f"{prefix}{n}", None) for n in range(1, count + 1)}


_OIT_2564 = {f"o{n}": Entry(f"o{n}", 9 if n <= 33 else 10, name) for n, name in OIT_2564.items()}
_SCHEME_2564 = {**_grouped("i", 30, 6, 1), **_grouped("e", 15, 5, 6), **_OIT_2564}
_SCHEME_2565 = {**_grouped("i", 30, 6, 1), **_grouped("e", 15, 5, 6), **_unassigned("o", 43)}
_SCHEME_2566 = {**_grouped("i", 15, 3, 1), **_unassigned("e", 15), **_unassigned("o", 43)}

#: Fiscal year (BE) → code → entry.
CATALOGUE: dict[int, dict[str, Entry]] = {
    2563: _SCHEME_2564,
    2564: _SCHEME_2564,
    2565: _SCHEME_2565,
    2566: _SCHEME_2566,
    2567: _SCHEME_2566,
    2568: _SCHEME_2566,
}


def criteria(year: object) -> dict[str, Entry] | None:
    """The codes of ``year``'s criteria, or ``None`` when the catalogue has no such year."""
    return CATALOGUE.get(year) if isinstance(year, int) else None


def indicator_name(codes: tuple[str, ...], year: object) -> str:
    """The names of ``codes`` in ``year``'s criteria, one line each, the same name once;
    a code whose name is not known stands as the code.

    ``indicator_name(("i4", "i5"), 2567) == "ตัวชี้วัดที่ 2 การใช้งบประมาณ"``;
    ``indicator_name(("o12",), 2567) == "o12"``; ``""`` for no codes.
    """
    known = criteria(year) or {}
    lines: dict[str, None] = {}
    for code in codes:
        entry = known.get(code.lower())
        lines.setdefault((entry.name if entry else "") or code, None)
    return "\n".join(lines)


def dropdown(year: object) -> tuple[str, ...]:
    """The form's ตัวชี้วัด list for ``year``: ``"o10 แผนดำเนินงานประจำปี"`` where the item is
    named, ``"i4 ตัวชี้วัดที่ 2 การใช้งบประมาณ"`` where only its indicator is, else the code
    (a chosen entry reads back as its code, the name as the indicator); ``()`` for a year
    the catalogue does not hold."""
    known = criteria(year)
    if known is None:
        return ()
    out = []
    for code, entry in known.items():
        if entry.item:
            out.append(entry.name)
        elif entry.indicator is not None:
            out.append(f"{code} {entry.name}")
        else:
            out.append(code)
    return tuple(out)
