"""The memo (บันทึกข้อความ) to the district chief summarising the intake."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from compiler import thai
from compiler.model import Organisation
from compiler.workbook import standard

if TYPE_CHECKING:
    from compiler.documents.model import Document

from compiler.district.model import NO_SCORE, DistrictResult

# --- the memo to the district chief ----------------------------------------------------------
#: Names listed in the memo itself; longer lists are left to the summary workbook.
MEMO_LIST = 15


def _most_common(values: Iterable[object]) -> object:
    counts = Counter(v for v in values if v not in (None, ""))
    return counts.most_common(1)[0][0] if counts else None


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MEMO_LIST])
    return shown + (f" และอีก {len(names) - MEMO_LIST} แห่ง" if len(names) > MEMO_LIST else "")


def unambiguous_district(district: str, province: str) -> str:
    """A district's name that names one district: every province has an อำเภอเมือง, so
    ``เมือง`` takes its province's name (``unambiguous_district("เมือง", "ขอนแก่น")`` is
    ``"เมืองขอนแก่น"``, as official letters write it); other names stay as they are."""
    if district.replace(" ", "") == "เมือง" and province:
        return f"เมือง{province}"
    return district


def memo_document(
    result: DistrictResult, *, summary_name: str = "", today: dt.date | None = None
) -> tuple[Document, Organisation]:
    """The บันทึกข้อความ to the district chief (นายอำเภอ) summarising the intake, and the office
    that sends it (the district's local-government office), for ``announce.render_document``.

    Number and date are left as dots for the registry; the counts are dated ``today``.
    """
    from compiler.documents.model import Block, Document, OfficialDate, Signature
    from compiler.documents.names import bare_district, bare_province
    from compiler.documents.spec import DocumentKind

    orgs = result.organisations
    province = bare_province(str(_most_common(o.province for o in orgs) or ""))
    district = unambiguous_district(bare_district(str(_most_common(o.district for o in orgs) or "")), province)
    year = _most_common(o.fiscal_year for o in orgs)
    office = Organisation(
        name=f"สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{district}" if district else "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ",
        district=district,
        province=province,
        fiscal_year=year if isinstance(year, int) else None,
    )
    year_text = f" ประจำปีงบประมาณ พ.ศ. {year}" if isinstance(year, int) else ""
    when = OfficialDate.of(today or dt.date.today()).full()
    sent = len(orgs)
    ok, warned = result.count("ok"), result.count("warnings")
    wrong, unreadable = result.count("errors"), result.count("unreadable")
    scored = [o for o in orgs if o.score is not None]
    passed = sum(1 for o in scored if o.passed)
    levels = ", ".join(f"ระดับ {lvl} {n} แห่ง" for lvl, n in result.levels.items() if n and lvl != NO_SCORE)
    received = f"ได้รับรายงานจากองค์กรปกครองส่วนท้องถิ่น {sent} แห่ง"
    if result.expected is not None:
        received += f" จากทั้งหมด {result.expected} แห่ง ยังไม่ได้รับ {len(result.not_sent)} แห่ง"
    if result.superseded:
        received += f" (ส่งซ้ำ {len(result.superseded)} ชุด นับเฉพาะชุดที่ส่งล่าสุดของแต่ละแห่ง)"
    items = [
        received,
        f"ตรวจแล้วครบถ้วน {ok} แห่ง มีข้อสังเกตที่ควรแก้ไข {warned} แห่ง มีข้อผิดพลาดต้องแก้ไขก่อนเผยแพร่ {wrong} แห่ง"
        f" และเปิดอ่านไม่ได้ {unreadable} แห่ง",
        f"ผลการประเมิน ITA ที่แจ้งมา {len(scored)} แห่ง ผ่านเกณฑ์ (ตั้งแต่ {thai.format_score(standard.PASS_SCORE)} คะแนน)"
        f" {passed} แห่ง ไม่ผ่าน {len(scored) - passed} แห่ง"
        + (f" ได้แก่ {levels}" if levels else "")
        + (f" ไม่ได้แจ้งคะแนน {sent - len(scored)} แห่ง" if sent > len(scored) else ""),
    ]
    failed = [o.name for o in result.failed]
    if failed:
        items.append(f"หน่วยงานที่ต้องแก้ไขและส่งใหม่ ได้แก่ {_names(failed)}")
    if result.not_sent:
        items.append(f"หน่วยงานที่ยังไม่ส่งรายงาน ได้แก่ {_names(list(result.not_sent))}")
    attached = f" ({summary_name})" if summary_name else ""
    blocks = (
        Block(
            "paragraph",
            "ตามที่สำนักงาน ป.ป.ช. กำหนดให้องค์กรปกครองส่วนท้องถิ่นรายงานผลการดำเนินการตามมาตรการส่งเสริม"
            f"คุณธรรมและความโปร่งใสภายในหน่วยงาน ตามการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน (ITA){year_text} นั้น",
        ),
        Block(
            "paragraph",
            f"{office.name} ได้รวบรวมและตรวจสอบรายงานที่ได้รับ ณ วันที่ {when} แล้ว สรุปได้ดังนี้",
        ),
        *(Block("item", text, 1, f"{i}.") for i, text in enumerate(items, start=1)),
        Block("paragraph", f"รายละเอียดรายหน่วยงานปรากฏตามตารางสรุปผล{attached} ที่แนบมาพร้อมนี้"),
        Block(
            "closing",
            "จึงเรียนมาเพื่อโปรดทราบ และพิจารณาแจ้งหน่วยงานที่ยังไม่ส่งหรือต้องแก้ไขให้ดำเนินการต่อไป",
        ),
    )
    document = Document(
        kind=DocumentKind.MEMO,
        subject=f"สรุปผลการรับรายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส (ITA){year_text}",
        blocks=blocks,
        signature=Signature("", (f"ท้องถิ่นอำเภอ{district}",)),
        unit=" ".join(p for p in (office.name, f"จังหวัด{province}" if province else "") if p),
        to=f"นายอำเภอ{district}",
    )
    return document, office
