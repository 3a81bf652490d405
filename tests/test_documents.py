"""compiler.documents: the document sheets' spec, reading a sheet into a Document, writing sheets."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from compiler import thai
from compiler.documents import measures as documents_measures
from compiler.documents import spec as documents
from compiler.documents.model import Block, OfficialDate, Signature
from compiler.documents.names import correct_names, unit_line
from compiler.documents.parse import document_kind, element_of, read_document_sheet, read_documents
from compiler.documents.rows import split_number
from compiler.documents.sheets import write_blank_document_sheets, write_document_sheet
from compiler.documents.spec import DocumentKind
from compiler.findings import CATALOGUE
from compiler.model import Organisation, Severity
from compiler.workbook.read import RawSheet, RawWorkbook, read_workbook

BAN_TOM = Organisation(
    name="เทศบาลตำบลบ้านต๋อม",
    district="เมือง",
    province="พะเยา",
    fiscal_year=2565,
    executive="นายสุภชาติ สันกวาน",
    executive_position="นายกเทศมนตรีตำบลบ้านต๋อม",
)
PHON_SAI = Organisation("เทศบาลตำบลโพนทราย", "โพนทราย", "ร้อยเอ็ด", 2568, "นายอุดม วงบุตดา", "นายกเทศมนตรีตำบลโพนทราย")
PHU_SANG = Organisation(
    "องค์การบริหารส่วนตำบลภูซาง", "ภูซาง", "พะเยา", 2567, "นายวรวิทย์ เผ่าใจมา", "นายกองค์การบริหารส่วนตำบลภูซาง"
)

Rows = list[tuple[Any, Any]]


def sheet(name: str, rows: Rows, *, header: bool = True) -> RawSheet:
    """A document sheet as the reader sees it: title, header, then the rows from row 3."""
    grid: list[list[object]] = []
    if header:
        grid = [["ประกาศ (คำอธิบาย)", None, None], ["รายการ", "ข้อความ", "คำอธิบาย"]]
    grid += [[a, b, "คำใบ้ที่ไม่ถูกอ่าน"] for a, b in rows]
    return RawSheet(name, grid)


def read(rows: Rows, name: str = "ประกาศ", org: Organisation = BAN_TOM) -> tuple[Any, list[tuple[str, str]]]:
    doc, findings = read_document_sheet(sheet(name, rows), org, file="f.xlsx")
    return doc, [(f.code, f.cell) for f in findings]


ANNOUNCEMENT: Rows = [
    ("เรื่อง", "นโยบายคุณธรรมและความโปร่งใส"),
    ("วันที่", "21 มีนาคม 2565"),
    ("ย่อหน้า", "ตามเจตนารมณ์ของรัฐธรรมนูญ"),
    ("ข้อ", "บริหารงานตามหลักธรรมาภิบาล"),
    ("ข้อ", "ห้ามมิให้บุคลากรนำทรัพย์สิน"),
    ("ท้ายเรื่อง", "จึงประกาศให้ทราบโดยทั่วกัน"),
]


# --- the spec -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("เรื่อง", "subject"),
        (" ข้อ ย่อย ", "subitem"),
        ("ข้อย่อยย่อย", "subsubitem"),
        ("ผู้ลงนาม:", "signer"),
        ("ตำแหน่ง", "position"),
        ("ความเห็น/คำสั่ง", "comment"),
        ("เลขที่", "number"),
        ("ท้ายเรื่อง", "closing"),
        ("ข้อเท็จจริง", "facts"),
        ("อะไรก็ไม่รู้", None),
        (None, None),
    ],
)
def test_element_of(text: object, key: str | None) -> None:
    element = element_of(text)
    assert (element.key if element else None) == key


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ประกาศ", DocumentKind.ANNOUNCEMENT),
        ("ประกาศ 2", DocumentKind.ANNOUNCEMENT),
        ("คำสั่ง", DocumentKind.ORDER),
        (" บันทึกข้อความ ", DocumentKind.MEMO),
        ("มาตรการ", None),
    ],
)
def test_document_kind(name: str, kind: DocumentKind | None) -> None:
    assert document_kind(name) is kind


def test_every_skeleton_element_belongs_to_its_kind() -> None:
    for kind, spec in documents.DOCUMENT_SPECS.items():
        assert spec.kind is kind and spec.sheet == kind.value
        for key in spec.skeleton:
            assert kind in documents.ELEMENTS_BY_KEY[key].kinds, (kind, key)
    labels = [thai.header_key(n) for e in documents.ELEMENTS for n in (e.label, *e.aliases)]
    assert len(labels) == len(set(labels)), "an alias names two elements"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("๑.๑ เผยแพร่ข้อมูล", ("๑.๑", "เผยแพร่ข้อมูล")),
        ("1.มีการประชุม", ("1.", "มีการประชุม")),
        ("(๗) อื่นๆ", ("(๗)", "อื่นๆ")),
        ("2) ข้อสอง", ("2)", "ข้อสอง")),
        ("1.1. ข้อย่อย", ("1.1.", "ข้อย่อย")),
        ("2565 เป็นปี", ("", "2565 เป็นปี")),
        ("ไม่มีเลข", ("", "ไม่มีเลข")),
        ("๑.", ("", "๑.")),
    ],
)
def test_split_number(line: str, expected: tuple[str, str]) -> None:
    assert split_number(line) == expected


# --- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("org", "text", "fixed", "fixes"),
    [
        (BAN_TOM, "ของเทศบาลตำบลบ้านต้อม บรรลุ", "ของเทศบาลตำบลบ้านต๋อม บรรลุ", [("บ้านต้อม", "บ้านต๋อม")]),
        (BAN_TOM, "นายกเทศมนตรีตำบลบ้านต่อม", "นายกเทศมนตรีตำบลบ้านต๋อม", [("บ้านต่อม", "บ้านต๋อม")]),
        (BAN_TOM, "ในพื้นที่ตำบลบ้านต๋อม และ", "ในพื้นที่ตำบลบ้านต๋อม และ", []),
        (BAN_TOM, "เทศบาลตำบลบ้านใหม่ อำเภอแม่ใจ", "เทศบาลตำบลบ้านใหม่ อำเภอแม่ใจ", []),
        (BAN_TOM, "บ้านต้อม ไม่มีคำนำหน้า", "บ้านต้อม ไม่มีคำนำหน้า", []),
        (
            PHON_SAI,
            "เทศบาลตำบลโพธาราย อำเภอโพธาราย จังหวัดร้อยเอ็ด",
            "เทศบาลตำบลโพนทราย อำเภอโพนทราย จังหวัดร้อยเอ็ด",
            [("โพธาราย", "โพนทราย"), ("โพธาราย", "โพนทราย")],
        ),
        (PHU_SANG, "องค์การบริหารส่วนตำบลภูซางคะแนน", "องค์การบริหารส่วนตำบลภูซางคะแนน", []),
    ],
)
def test_correct_names(org: Organisation, text: str, fixed: str, fixes: list[tuple[str, str]]) -> None:
    assert correct_names(text, org) == (fixed, fixes)


def test_a_misspelt_name_is_corrected_with_a_warning_at_its_cell() -> None:
    rows = [*ANNOUNCEMENT[:2], ("ย่อหน้า", "ข้าราชการประจำเทศบาลตำบลบ้านต้อม ได้รับทราบ"), *ANNOUNCEMENT[3:]]
    doc, codes = read(rows)
    assert codes == [("name-corrected", "B5")]
    assert doc.blocks[0].text == "ข้าราชการประจำเทศบาลตำบลบ้านต๋อม ได้รับทราบ"


# --- reading --------------------------------------------------------------------------------
def test_an_announcement_with_defaults() -> None:
    doc, codes = read(ANNOUNCEMENT)
    assert codes == []
    assert doc.kind is DocumentKind.ANNOUNCEMENT
    assert doc.subject == "นโยบายคุณธรรมและความโปร่งใส"
    assert doc.date == OfficialDate(2565, 3, 21)
    assert doc.signature == Signature("นายสุภชาติ สันกวาน", ("นายกเทศมนตรีตำบลบ้านต๋อม",))
    assert [b.line for b in doc.blocks] == [
        "ตามเจตนารมณ์ของรัฐธรรมนูญ",
        "1. บริหารงานตามหลักธรรมาภิบาล",
        "2. ห้ามมิให้บุคลากรนำทรัพย์สิน",
        "จึงประกาศให้ทราบโดยทั่วกัน",
    ]
    assert [(b.role, b.cell) for b in doc.blocks] == [
        ("paragraph", "B5"), ("item", "B6"), ("item", "B7"), ("closing", "B8")
    ]  # fmt: skip
    assert (doc.sheet, doc.file) == ("ประกาศ", "f.xlsx")


def test_numbering_generated_typed_and_restarted_by_a_heading() -> None:
    rows: Rows = [
        ("เรื่อง", "ก"),
        ("หัวข้อ", "มาตรการตรวจสอบการใช้ดุลพินิจ"),
        ("ข้อ", "หนึ่ง"),
        ("ข้อย่อย", "หนึ่งหนึ่ง"),
        ("ข้อย่อยย่อย", "วงเล็บหนึ่ง"),
        ("", "วงเล็บสอง (รายการว่าง = ข้อย่อยย่อยอีกข้อ)"),
        ("ข้อย่อย", "๑.๕ พิมพ์เลขเอง"),
        ("ข้อย่อย", "ต่อจากเลขที่พิมพ์"),
        ("ข้อ", "3. พิมพ์เลขเอง\nบรรทัดต่อของข้อเดิม\n4. อีกข้อในเซลล์เดียว"),
        ("หัวข้อ", "มาตรการเผยแพร่ข้อมูลต่อสาธารณะ"),
        ("ข้อ", "นับใหม่"),
    ]
    doc, codes = read(rows)
    assert codes == [("missing-date", "")]
    assert [(b.role, b.level, b.line) for b in doc.blocks] == [
        ("heading", 0, "มาตรการตรวจสอบการใช้ดุลพินิจ"),
        ("item", 1, "1. หนึ่ง"),
        ("item", 2, "1.1 หนึ่งหนึ่ง"),
        ("item", 3, "(1) วงเล็บหนึ่ง"),
        ("item", 3, "(2) วงเล็บสอง (รายการว่าง = ข้อย่อยย่อยอีกข้อ)"),
        ("item", 2, "๑.๕ พิมพ์เลขเอง"),
        ("item", 2, "1.6 ต่อจากเลขที่พิมพ์"),
        ("item", 1, "3. พิมพ์เลขเอง"),
        ("item", 1, "บรรทัดต่อของข้อเดิม"),
        ("item", 1, "4. อีกข้อในเซลล์เดียว"),
        ("heading", 0, "มาตรการเผยแพร่ข้อมูลต่อสาธารณะ"),
        ("item", 1, "1. นับใหม่"),
    ]


def test_labels_typed_in_front_and_signer_parentheses_are_dropped() -> None:
    rows: Rows = [
        ("ที่", "ที่ 255/2565"),
        ("เรื่อง", "เรื่อง มาตรการเผยแพร่ข้อมูล"),
        ("วันที่", "22 ก.พ. 65"),
        ("ย่อหน้า", "ข้อความ"),
        ("ผู้ลงนาม", "(นายสมชาย ใจดี)"),
        ("ตำแหน่งผู้ลงนาม", "รองนายกเทศมนตรี ปฏิบัติราชการแทน\nนายกเทศมนตรีตำบลบ้านต๋อม"),
    ]
    doc, codes = read(rows, "คำสั่ง")
    assert codes == []
    assert (doc.number, doc.subject, doc.date) == ("255/2565", "มาตรการเผยแพร่ข้อมูล", OfficialDate(2565, 2, 22))
    assert doc.signature == Signature("นายสมชาย ใจดี", ("รองนายกเทศมนตรี ปฏิบัติราชการแทน", "นายกเทศมนตรีตำบลบ้านต๋อม"))


@pytest.mark.parametrize(
    ("value", "date"),
    [
        (dt.datetime(2022, 3, 21), OfficialDate(2565, 3, 21)),
        (dt.date(2022, 3, 21), OfficialDate(2565, 3, 21)),
        (44641, OfficialDate(2565, 3, 21)),
        ("๒๑ มี.ค. ๖๕", OfficialDate(2565, 3, 21)),
        ("วันที่ ๒๑ เดือน มีนาคม พ.ศ. ๒๕๖๕", OfficialDate(2565, 3, 21)),
        ("21/3/2565", OfficialDate(2565, 3, 21)),
        ("มีนาคม 2565", OfficialDate(2565, 3, None)),
    ],
)
def test_dates(value: object, date: OfficialDate) -> None:
    doc, codes = read([("วันที่", value), *[r for r in ANNOUNCEMENT if r[0] != "วันที่"]])
    assert codes == []
    assert doc.date == date


def test_official_date_texts() -> None:
    assert OfficialDate(2565, 3, 21).long() == "21 เดือน มีนาคม พ.ศ. 2565"
    assert OfficialDate(2568, 2, 11).full() == "11 กุมภาพันธ์ 2568"
    assert OfficialDate(2565, 3).long() == "........ เดือน มีนาคม พ.ศ. 2565"
    assert OfficialDate().long() == "........ เดือน .................... พ.ศ. ........"


MISTAKES: list[tuple[str, Rows, str, list[tuple[str, str]]]] = [
    ("no subject row", ANNOUNCEMENT[1:], "ประกาศ", [("missing-subject", "")]),
    ("empty subject", [("เรื่อง", None), *ANNOUNCEMENT[1:]], "ประกาศ", [("missing-subject", "B3")]),
    ("bad date", [ANNOUNCEMENT[0], ("วันที่", "เร็วๆ นี้"), *ANNOUNCEMENT[2:]], "ประกาศ", [("bad-date", "B4")]),
    ("unknown element", [*ANNOUNCEMENT, ("ภาคผนวก", "x")], "ประกาศ", [("unknown-element", "A9")]),
    ("memo element", [*ANNOUNCEMENT, ("เรียน", "นายก")], "ประกาศ", [("element-not-for-document", "A9")]),
    ("two subjects", [*ANNOUNCEMENT, ("เรื่อง", "อีกเรื่อง")], "ประกาศ", [("duplicate-element", "A9")]),
    ("no element", [ANNOUNCEMENT[0], (None, "ข้อความลอย"), *ANNOUNCEMENT[1:]], "ประกาศ", [("missing-element", "A4")]),
    ("no body", [ANNOUNCEMENT[0], ANNOUNCEMENT[1]], "ประกาศ", [("missing-body", "")]),
    (
        "signer without position",
        [*ANNOUNCEMENT, ("ผู้ลงนาม", "นายสมชาย ใจดี")],
        "ประกาศ",
        [("missing-signer-position", "B9")],
    ),
    ("order without number", ANNOUNCEMENT, "คำสั่ง", [("missing-number", "")]),
    ("subject too long", [("เรื่อง", "ก" * 501), *ANNOUNCEMENT[1:]], "ประกาศ", [("value-too-long", "B3")]),
    ("signer too long", [*ANNOUNCEMENT, ("ผู้ลงนาม", "นาย " + "ก" * 600)], "ประกาศ", [("value-too-long", "B9")]),
]


@pytest.mark.parametrize(("name", "rows", "sheet_name", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_are_reported_at_their_cells(
    name: str, rows: Rows, sheet_name: str, expected: list[tuple[str, str]]
) -> None:
    doc, findings = read_document_sheet(sheet(sheet_name, rows), BAN_TOM, file="f.xlsx")
    assert [(f.code, f.cell) for f in findings] == expected
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert (doc is None) == bool(errors)
    for f in findings:
        assert f.file == "f.xlsx" and f.sheet == sheet_name and f.message_th and f.message_en
        assert CATALOGUE[f.code].severity is f.severity


def test_no_signer_when_the_organisation_names_no_executive() -> None:
    org = replace(BAN_TOM, executive="", executive_position="")
    doc, findings = read_document_sheet(sheet("ประกาศ", [*ANNOUNCEMENT, ("ผู้ลงนาม", None)]), org)
    assert doc is None
    assert [(f.code, f.cell) for f in findings] == [("missing-signer", "B9")]


def test_a_blank_sheet_is_no_document() -> None:
    rows: Rows = [(key, None) for key in documents.DOCUMENT_SPECS[DocumentKind.ORDER].skeleton]
    assert read_document_sheet(sheet("คำสั่ง", rows), BAN_TOM) == (None, [])


def test_a_sheet_without_its_header_row_is_read_from_row_one() -> None:
    doc, findings = read_document_sheet(sheet("ประกาศ", ANNOUNCEMENT, header=False), BAN_TOM)
    assert findings == []
    assert doc.blocks[0].cell == "B3"


MEMO: Rows = [
    ("ส่วนราชการ", "สำนักปลัด"),
    ("ที่", "พย 72401/119"),
    ("วันที่", "11/2/2568"),
    ("เรื่อง", "รายงานผลการประเมิน ITA"),
    ("เรียน", "นายกองค์การบริหารส่วนตำบลภูซาง"),
    ("เรื่องเดิม", "ตามที่องค์การบริหารส่วนตำบลภูซาง ได้เข้าร่วมการประเมิน"),
    ("ข้อเท็จจริง", "ผลการประเมิน 99.78 คะแนน"),
    ("ท้ายเรื่อง", "จึงเรียนมาเพื่อโปรดทราบ"),
    ("ผู้ลงนาม", "นางสาวทับทิม วงศ์ทะนา"),
    ("ตำแหน่งผู้ลงนาม", "นักทรัพยากรบุคคลชำนาญการ"),
    ("ความเห็น", "ความเห็นหัวหน้าสำนักปลัด"),
    ("ผู้ลงนาม", "นางนภาพร ธาคำดี"),
    ("ตำแหน่งผู้ลงนาม", "หัวหน้าสำนักปลัด"),
    ("วันที่", "12 ก.พ. 2568"),
    ("ความเห็น", "ความเห็นปลัด"),
    ("ย่อหน้า", "- เพื่อโปรดพิจารณาอนุมัติ -"),
    ("ความเห็น", "ความเห็น / คำสั่ง นายกองค์การบริหารส่วนตำบลภูซาง"),
    ("ตัวเลือก", "เห็นชอบดำเนินการตามเสนอ"),
    ("ตัวเลือก", "ไม่เห็นชอบ เพราะ....."),
]


def test_a_memo_with_its_chain_of_comments() -> None:
    doc, codes = read(MEMO, "บันทึกข้อความ", PHU_SANG)
    assert codes == []
    assert doc.unit == "สำนักปลัด องค์การบริหารส่วนตำบลภูซาง อำเภอภูซาง จังหวัดพะเยา"
    assert (doc.number, doc.date, doc.to) == ("พย 72401/119", OfficialDate(2568, 2, 11), "นายกองค์การบริหารส่วนตำบลภูซาง")
    assert [(b.role, b.text[:10]) for b in doc.blocks] == [
        ("heading", "เรื่องเดิม"),
        ("paragraph", "ตามที่องค์"),
        ("heading", "ข้อเท็จจริ"),
        ("paragraph", "ผลการประเม"),
        ("closing", "จึงเรียนมา"),
    ]
    assert doc.signature == Signature("นางสาวทับทิม วงศ์ทะนา", ("นักทรัพยากรบุคคลชำนาญการ",))
    first, second, last = doc.comments
    assert first.signature == Signature("นางนภาพร ธาคำดี", ("หัวหน้าสำนักปลัด",))
    assert first.date == OfficialDate(2568, 2, 12)
    assert (second.lines, second.signature) == (("- เพื่อโปรดพิจารณาอนุมัติ -",), Signature(""))
    assert last.choices == ("เห็นชอบดำเนินการตามเสนอ", "ไม่เห็นชอบ เพราะ.....")
    assert last.signature == Signature("นายวรวิทย์ เผ่าใจมา", ("นายกองค์การบริหารส่วนตำบลภูซาง",))
    assert [c.cell for c in doc.comments] == ["B13", "B17", "B19"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda rows: [r for r in rows if r[0] != "เรียน"], [("missing-to", "")]),
        (lambda rows: [r if r[0] != "เรียน" else ("เรียน", "") for r in rows], [("missing-to", "B7")]),
        (lambda rows: [r for r in rows[:12] if r[0] != "ผู้ลงนาม"], [("missing-signer", "")]),
        (lambda rows: [*rows, ("ข้อ", "ข้อหลังช่องความเห็น")], [("element-after-comments", "A22")]),
    ],
)
def test_memo_mistakes(change: Any, expected: list[tuple[str, str]]) -> None:
    doc, codes = read(change(MEMO), "บันทึกข้อความ", PHU_SANG)
    assert codes == expected
    assert doc is None


def test_unit_line_keeps_a_unit_that_names_the_organisation() -> None:
    typed = "สำนักปลัด องค์การบริหารส่วนตำบลภูซาง อำเภอภูซาง จังหวัดพะเยา"
    assert unit_line(typed, PHU_SANG) == typed
    assert unit_line("", PHU_SANG) == "องค์การบริหารส่วนตำบลภูซาง อำเภอภูซาง จังหวัดพะเยา"


def test_read_documents_reads_every_document_sheet_in_order() -> None:
    raw = RawWorkbook(
        "f.xlsx",
        Path("f.xlsx"),
        {
            "ประกาศ": sheet("ประกาศ", ANNOUNCEMENT),
            "คำสั่ง": sheet("คำสั่ง", [("เรื่อง", None)]),
            "ประกาศ 2": sheet("ประกาศ 2", [("เรื่อง", "เรื่องที่สอง"), ("ย่อหน้า", "x")]),
            "มาตรการ": RawSheet("มาตรการ", [["ลำดับ"]]),
        },
        ("มาตรการ", "ประกาศ", "คำสั่ง", "ประกาศ 2"),
    )
    docs, findings = read_documents(raw, BAN_TOM)
    assert [(d.sheet, d.subject) for d in docs] == [("ประกาศ", ANNOUNCEMENT[0][1]), ("ประกาศ 2", "เรื่องที่สอง")]
    assert [(f.sheet, f.code) for f in findings] == [("ประกาศ 2", "missing-date")]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_any_text_is_read_as_data(text: str) -> None:
    doc, findings = read_document_sheet(sheet("ประกาศ", [ANNOUNCEMENT[0], ANNOUNCEMENT[1], ("ย่อหน้า", text)]), BAN_TOM)
    cleaned = [line for line in thai.clean_text(text).split("\n") if line]
    unprintable = ["dropped-character"] if thai.dropped_character(text) else []
    if not cleaned:
        assert doc is None and [f.code for f in findings] == [*unprintable, "missing-body"]
        return
    assert [f.code for f in findings if f.code != "name-corrected"] == unprintable
    assert [b.text for b in doc.blocks] == [correct_names(line, BAN_TOM)[0] for line in cleaned]


# --- the ประกาศ of the measures ---------------------------------------------------------------
def test_measures_document(render_make_report: Any) -> None:
    report = render_make_report()
    doc = documents_measures.measures_document(report.organisation, report.measures, date=dt.date(2021, 10, 1))
    assert doc.subject == "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    assert doc.date == OfficialDate(2564, 10, 1)
    assert doc.signature == Signature("นายสุภชาติ สันกวาน", ("นายกเทศมนตรีตำบลบ้านต๋อม",))
    assert [b.line for b in doc.blocks[2:]] == [
        "1. การเสริมสร้างแนวคิดในการปฏิบัติงาน",
        "1.1 แต่งตั้ง คณะทำงานและกำกับติดตามผลในการดำเนินงาน",
        "1.2 แจ้งให้ทุกหน่วยงานราชการ ทราบแนวทางในการปฏิบัติ ITA ประจำปี 2565",
        "2. ปรับปรุงประสิทธิภาพในระบบการทำงาน",
        "2.1 ปรับปรุงเว็บไซต์",
        "จึงประกาศให้ทราบโดยทั่วกัน",
    ]
    assert "เทศบาลตำบลบ้านต๋อม" in doc.blocks[1].text and "2564" in doc.blocks[1].text
    by_indicator = documents_measures.measures_document(report.organisation, report.measures, layout="indicators")
    assert by_indicator.blocks[2] == Block("item", "กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ", 1, "1.")
    assert by_indicator.blocks[3].text == "การเสริมสร้างแนวคิดในการปฏิบัติงาน"
    assert by_indicator.date is None


# --- writing the sheets -----------------------------------------------------------------------
def test_a_written_sheet_reads_back_as_written(tmp_path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    rows: Rows = [("subject", "เรื่องทดสอบ"), ("วันที่", dt.date(2022, 3, 21)), ("ข้อ", "หนึ่ง\nต่อ"), ("", "สอง")]
    write_document_sheet(wb.create_sheet("ประกาศ"), "ประกาศ", rows)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    docs, findings = read_documents(read_workbook(path), BAN_TOM)
    assert findings == []
    (doc,) = docs
    assert (doc.subject, doc.date) == ("เรื่องทดสอบ", OfficialDate(2565, 3, 21))
    assert [b.line for b in doc.blocks] == ["1. หนึ่ง", "ต่อ", "2. สอง"]
    ws = load_workbook(path)["ประกาศ"]
    assert [ws.cell(2, c).value for c in (1, 2, 3)] == ["รายการ", "ข้อความ", "คำอธิบาย"]
    assert ws.cell(3, 1).value == "เรื่อง" and ws.cell(6, 1).value is None
    (dv,) = ws.data_validations.dataValidation
    assert "ข้อย่อยย่อย" in dv.formula1 and "เรียน" not in dv.formula1
    assert str(dv.sqref).startswith("A3:")
    assert ws.freeze_panes == "A3"


def test_unknown_elements_are_refused_when_writing() -> None:
    wb = Workbook()
    with pytest.raises(ValueError, match="ภาคผนวก"):
        write_document_sheet(wb.active, DocumentKind.ANNOUNCEMENT, [("ภาคผนวก", "x")])


def test_blank_sheets_for_init(tmp_path: Path) -> None:
    wb = Workbook()
    write_blank_document_sheets(wb)
    assert wb.sheetnames[-3:] == ["ประกาศ", "คำสั่ง", "บันทึกข้อความ"]
    memo = wb["บันทึกข้อความ"]
    assert memo.cell(3, 1).value == "ส่วนราชการ" and memo.cell(3, 3).value
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    assert read_documents(read_workbook(path), BAN_TOM) == ([], [])


# --- a level stated in a document's text (issue 12) ----------------------------------------------
def test_a_level_stated_in_the_text_that_the_score_contradicts(tmp_path: Path) -> None:
    """The seed memo calls 99.78 ระดับต้องปรับปรุง: a warning at that document cell."""
    from wbfactory import INFO, make_workbook

    from compiler import api

    memo = [
        ["รายการ", "ข้อความ"],
        ["เรื่อง", "รายงานผลการประเมิน ITA"],
        ["ย่อหน้า", "ทุกส่วนราชการทุกระดับ ให้ความร่วมมือ"],
        ["ย่อหน้า", "คะแนนภาพรวมหน่วยงาน : ๙๙.๗๘ คะแนน ผลการประเมินระดับต้องปรับปรุง"],
        ["ย่อหน้า", "ผลการประเมินอยู่ในระดับ AA"],
    ]
    book = make_workbook(tmp_path / "a.xlsx", info={**INFO, "score": 99.78}, extra_sheets={"บันทึกข้อความ": memo})

    def levels(path: Path) -> list[tuple[str, str, str]]:
        return [(f.code, f.sheet, f.cell) for f in api.check([path]).findings if f.code.startswith("level")]

    assert levels(book) == [("level-contradicts-score", "บันทึกข้อความ", "B4")]
    # without a score in ข้อมูลหน่วยงาน, the text's own score is the one it must fit
    book = make_workbook(tmp_path / "b.xlsx", extra_sheets={"บันทึกข้อความ": memo})
    assert levels(book) == [("level-contradicts-score", "บันทึกข้อความ", "B4")]


def test_the_sample_memo_carries_the_seeds_contradiction() -> None:
    from compiler import api

    root = Path(__file__).resolve().parents[1] / "sample_workbooks" / "phu_sang_2567"
    found = [(f.file, f.sheet, f.code) for f in api.check([root]).findings if f.code == "level-contradicts-score"]
    assert ("สำนักปลัด.xlsx", "บันทึกข้อความ", "level-contradicts-score") in found
    assert ("สำนักปลัด.xlsx", "ข้อมูลหน่วยงาน", "level-contradicts-score") in found
