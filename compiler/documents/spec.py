"""The official documents' standard as data: the kinds (ประกาศ, คำสั่ง, บันทึกข้อความ), the
elements a document sheet's rows may hold, and which element each kind allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from compiler.workbook import standard

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass


# ============================================================================================
# The spec (data)
# ============================================================================================
class DocumentKind(str, Enum):
    """Which official document a sheet holds; the value is the sheet's (base) name."""

    ANNOUNCEMENT = standard.SHEET_ANNOUNCEMENT  # ประกาศ
    ORDER = standard.SHEET_ORDER  # คำสั่ง
    MEMO = standard.SHEET_MEMO  # บันทึกข้อความ


ALL_KINDS = (DocumentKind.ANNOUNCEMENT, DocumentKind.ORDER, DocumentKind.MEMO)
MEMO_ONLY = (DocumentKind.MEMO,)

#: Column headers of a document sheet (A, B, C); C is hints only.
HEADER_ELEMENT = "รายการ"
HEADER_TEXT = "ข้อความ"
HEADER_HINT = "คำอธิบาย"
HEADER_ALIASES = {HEADER_ELEMENT: ("ประเภท", "องค์ประกอบ", "ส่วน"), HEADER_TEXT: ("ข้อความ", "เนื้อหา", "รายละเอียด")}


@dataclass(frozen=True)
class Element:
    """One kind of row of a document sheet (the value of its ``รายการ`` cell).

    ``role`` says what the reader does with it: ``subject``, ``number``, ``date``, ``unit``,
    ``to`` (one per document); ``paragraph``, ``heading``, ``item`` (``level`` 1–3),
    ``section`` (a heading named after the element, then its text as paragraphs),
    ``closing``; ``signer``, ``position``; ``comment`` and ``choice`` (memo comment boxes).
    """

    key: str
    label: str
    role: str
    aliases: tuple[str, ...] = ()
    hint: str = ""
    kinds: tuple[DocumentKind, ...] = ALL_KINDS
    level: int = 0

    @property
    def single(self) -> bool:
        """At most one such row per document (outside comment boxes)."""
        return self.role in ("subject", "number", "date", "unit", "to", "signer")


ELEMENTS: tuple[Element, ...] = (
    Element("subject", "เรื่อง", "subject", ("ชื่อเรื่อง",), "ชื่อเรื่อง ไม่ต้องพิมพ์คำว่า เรื่อง (ต้องกรอก)"),
    Element(
        "number",
        "ที่",
        "number",
        ("เลขที่", "เลขที่คำสั่ง", "เลขที่หนังสือ"),
        "เลขที่ เช่น 255/2565 (คำสั่ง) หรือ พย 72401/119 (บันทึกข้อความ)",
        (DocumentKind.ORDER, DocumentKind.MEMO),
    ),
    Element(
        "date",
        "วันที่",
        "date",
        ("ลงวันที่", "วันที่ลงนาม", "วันเดือนปี"),
        "วันที่ลงนาม เช่น 21 มีนาคม 2565 หรือ 21/3/2565 เว้นว่างหรือพิมพ์เพียงเดือนและปีได้ ถ้าจะเขียนวันที่ด้วยมือ",
    ),
    Element(
        "unit",
        "ส่วนราชการ",
        "unit",
        ("หน่วยงานเจ้าของเรื่อง",),
        "กอง/สำนักเจ้าของเรื่อง เช่น สำนักปลัด (ชื่อหน่วยงาน อำเภอ จังหวัด เติมให้เอง)",
        MEMO_ONLY,
    ),
    Element("to", "เรียน", "to", ("ถึง",), "ผู้รับ เช่น นายกองค์การบริหารส่วนตำบลภูซาง (ต้องกรอก)", MEMO_ONLY),
    Element("paragraph", "ย่อหน้า", "paragraph", ("ข้อความ", "เนื้อหา", "ย่อหน้าใหม่"), "ข้อความหนึ่งย่อหน้า"),
    Element("heading", "หัวข้อ", "heading", ("หัวข้อเรื่อง", "ชื่อหัวข้อ"), "หัวข้อของส่วน (ตัวหนา) เลขข้อเริ่มนับใหม่"),
    Element("item", "ข้อ", "item", ("ข้อหลัก",), "ข้อ ระบบใส่เลข ๑. ให้ ถ้าไม่ได้พิมพ์เลขเอง", level=1),
    Element("subitem", "ข้อย่อย", "item", (), "ข้อย่อย ระบบใส่เลข ๑.๑ ให้ ถ้าไม่ได้พิมพ์เลขเอง", level=2),
    Element("subsubitem", "ข้อย่อยย่อย", "item", (), "ข้อย่อยของข้อย่อย ระบบใส่เลข (๑) ให้", level=3),
    Element("background", "เรื่องเดิม", "section", (), "ความเป็นมาของเรื่อง", MEMO_ONLY),
    Element("facts", "ข้อเท็จจริง", "section", (), "ข้อเท็จจริง", MEMO_ONLY),
    Element("law", "ข้อกฎหมาย", "section", ("ข้อระเบียบ", "ระเบียบ/กฎหมาย"), "ข้อกฎหมายหรือระเบียบที่เกี่ยวข้อง", MEMO_ONLY),
    Element("consideration", "ข้อพิจารณา", "section", (), "ข้อพิจารณา", MEMO_ONLY),
    Element("proposal", "ข้อเสนอ", "section", (), "ข้อเสนอ", MEMO_ONLY),
    Element(
        "closing",
        "ท้ายเรื่อง",
        "closing",
        ("ข้อความท้าย", "คำลงท้าย", "ปิดท้าย"),
        "เช่น จึงประกาศให้ทราบโดยทั่วกัน / ทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป / จึงเรียนมาเพื่อโปรดทราบ",
    ),
    Element(
        "signer",
        "ผู้ลงนาม",
        "signer",
        ("ชื่อผู้ลงนาม", "ลงนาม"),
        "ชื่อผู้ลงนาม เว้นว่าง = ผู้บริหารในแผ่นงานข้อมูลหน่วยงาน",
    ),
    Element(
        "position",
        "ตำแหน่งผู้ลงนาม",
        "position",
        ("ตำแหน่ง",),
        "ตำแหน่ง หลายบรรทัดได้ (Alt+Enter) เว้นว่าง = ตำแหน่งผู้บริหาร",
    ),
    Element(
        "comment",
        "ความเห็น",
        "comment",
        ("ความเห็น/คำสั่ง", "ช่องความเห็น"),
        "เริ่มช่องความเห็นใหม่ พิมพ์หัวช่อง เช่น ความเห็นหัวหน้าสำนักปลัด แถวถัดไปเป็นของช่องนี้",
        MEMO_ONLY,
    ),
    Element("choice", "ตัวเลือก", "choice", ("ช่องเลือก",), "ช่อง ☐ ให้เลือก เช่น เห็นชอบ / ไม่เห็นชอบ เพราะ....", MEMO_ONLY),
)

ELEMENTS_BY_KEY: dict[str, Element] = {e.key: e for e in ELEMENTS}


@dataclass(frozen=True)
class DocumentSpec:
    """One kind of document: its sheet, title row, and the skeleton ``init`` writes.

    ``skeleton`` is the list of element keys written in column A of a blank sheet, in order,
    for the clerk to fill column B (rows left empty are ignored).
    """

    kind: DocumentKind
    title: str
    skeleton: tuple[str, ...]
    #: The dated line before the signature (``ประกาศ ณ วันที่`` …); "" for none.
    dated: str = ""

    @property
    def sheet(self) -> str:
        return self.kind.value

    @property
    def elements(self) -> tuple[Element, ...]:
        return tuple(e for e in ELEMENTS if self.kind in e.kinds)


DOCUMENT_SPECS: dict[DocumentKind, DocumentSpec] = {
    DocumentKind.ANNOUNCEMENT: DocumentSpec(
        DocumentKind.ANNOUNCEMENT,
        "ประกาศ (กรอกเฉพาะเมื่อจะออกประกาศ) หนึ่งแถวต่อหนึ่งรายการ ตามลำดับในเอกสาร",
        ("subject", "date", "paragraph", "item", "item", "subitem", "closing", "signer", "position"),
        "ประกาศ ณ วันที่",
    ),
    DocumentKind.ORDER: DocumentSpec(
        DocumentKind.ORDER,
        "คำสั่ง (กรอกเฉพาะเมื่อจะออกคำสั่ง) หนึ่งแถวต่อหนึ่งรายการ ตามลำดับในเอกสาร",
        ("number", "subject", "date", "paragraph", "paragraph", "item", "subitem", "closing", "signer", "position"),
        "สั่ง ณ วันที่",
    ),
    DocumentKind.MEMO: DocumentSpec(
        DocumentKind.MEMO,
        "บันทึกข้อความ (กรอกเฉพาะเมื่อจะทำบันทึกเสนอ) หนึ่งแถวต่อหนึ่งรายการ ตามลำดับในเอกสาร",
        (
            "unit",
            "number",
            "date",
            "subject",
            "to",
            "background",
            "facts",
            "consideration",
            "closing",
            "signer",
            "position",
            "comment",
            "paragraph",
            "signer",
            "position",
            "comment",
            "paragraph",
            "signer",
            "position",
            "comment",
            "choice",
            "choice",
        ),
    ),
}

#: The ประกาศ of the measures, generated from ``ข้อมูลหน่วยงาน`` and ``มาตรการ`` alone.
#: ``{organisation}``, ``{year}`` (the fiscal year) and ``{previous_year}`` are filled in.
MEASURES_SUBJECT = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
MEASURES_PREAMBLE = (
    "ตามที่สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ (สำนักงาน ป.ป.ช.) ได้กำหนดให้มี"
    "การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (Integrity and Transparency "
    "Assessment : ITA) เพื่อให้หน่วยงานภาครัฐนำผลการประเมินไปปรับปรุงการบริหารงานให้มีคุณธรรม"
    "และความโปร่งใสยิ่งขึ้น นั้น",
    "{organisation} ได้วิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
    "ประจำปีงบประมาณ พ.ศ. {previous_year} แล้ว เพื่อให้การบริหารงานเป็นไปด้วยความซื่อสัตย์สุจริต "
    "โปร่งใส ตรวจสอบได้ และป้องกันการทุจริต จึงกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใส"
    "ภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year} ดังนี้",
)
MEASURES_CLOSING = "จึงประกาศให้ทราบโดยทั่วกัน"

#: What a blank to be filled by hand looks like.
DOTS_DAY = "........"
DOTS_MONTH = "...................."
DOTS_YEAR = "........"
DOTS_NAME = "......................................................"
