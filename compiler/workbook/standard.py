"""The standard department workbook, as data: sheets, labels, columns, aliases, lists.

Everything that says what a conforming workbook looks like lives here, so a change to the
standard is a change to this file only. Readers, checkers and the ``init`` writer all read
these tables; none of them spells a sheet or column name of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compiler.thai import to_arabic_digits

#: The version of the standard that ``init`` writes and ``check`` understands.
STANDARD_VERSION = "1.0"
#: The most characters a one-line value may hold: a name, a position, a department, a
#: document's subject or signer. Such a value is set inside a sentence or a title line of
#: the documents, where it cannot be cut into paragraphs; longer is a paste gone wrong.
LINE_LIMIT = 500

# --- sheet names --------------------------------------------------------------------------
SHEET_INFO = "ข้อมูลหน่วยงาน"
SHEET_MEASURES = "มาตรการ"
SHEET_SCORES = "คะแนน ITA"
SHEET_INSTRUCTIONS = "คำแนะนำ"
SHEET_LISTS = "รายการ"  # hidden sheet holding the dropdown lists

#: Sheets a department workbook must have.
REQUIRED_SHEETS = (SHEET_INFO, SHEET_MEASURES)

# Official documents (issue: announcements). Their layout is specified further down.
SHEET_ANNOUNCEMENT = "ประกาศ"
SHEET_ORDER = "คำสั่ง"
SHEET_MEMO = "บันทึกข้อความ"
DOCUMENT_SHEETS = (SHEET_ANNOUNCEMENT, SHEET_ORDER, SHEET_MEMO)

#: The measures plan the ITA working group decides once (``init --plan``); in a plan
#: workbook of its own, and hidden in each department's form made from it.
SHEET_PLAN = "แผนมาตรการ"

#: Every sheet the reader loads; other sheets of a workbook are never parsed.
KNOWN_SHEETS = (SHEET_INFO, SHEET_MEASURES, SHEET_SCORES, SHEET_PLAN, *DOCUMENT_SHEETS)


@dataclass(frozen=True)
class Field:
    """One label/value row of ``ข้อมูลหน่วยงาน`` or one column of a table sheet.

    ``key`` is the stable English name used in code; ``label`` the Thai text users see;
    ``aliases`` the other ways people write the label (compared after normalising
    spaces and line breaks away); ``hint`` the input message shown in Excel.
    """

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""
    width: float = 18.0
    kind: str = "text"  # text | year | score | budget | period | list


# --- ข้อมูลหน่วยงาน (label / value rows) --------------------------------------------------
INFO_FIELDS: tuple[Field, ...] = (
    Field("version", "รุ่นแบบฟอร์ม", hint="รุ่นของแบบฟอร์มมาตรฐาน ห้ามแก้ไข"),
    Field(
        "organisation",
        "ชื่อหน่วยงาน",
        required=True,
        aliases=("หน่วยงาน", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "ชื่อ อปท."),
        hint="ชื่อเต็ม เช่น เทศบาลตำบลบ้านต๋อม",
    ),
    Field("district", "อำเภอ", required=True, hint="ชื่ออำเภอ ไม่ต้องพิมพ์คำว่า อำเภอ เช่น เมือง"),
    Field("province", "จังหวัด", required=True, hint="ชื่อจังหวัด ไม่ต้องพิมพ์คำว่า จังหวัด เช่น พะเยา"),
    Field(
        "fiscal_year",
        "ปีงบประมาณ",
        required=True,
        aliases=("ปีงบประมาณ พ.ศ.",),
        hint="ปี พ.ศ. เช่น 2565 หรือ ๒๕๖๕",
        kind="year",
    ),
    Field(
        "department",
        "ส่วนราชการ",
        required=True,
        aliases=("กอง/สำนัก", "ส่วนงาน"),
        hint="กอง/สำนักที่กรอกแบบฟอร์มนี้ เช่น กองคลัง",
        kind="list",
    ),
    Field("executive", "ผู้บริหาร", required=True, hint="ชื่อผู้บริหารผู้ลงนาม เช่น นายสุภชาติ สันกวาน"),
    Field(
        "executive_position",
        "ตำแหน่งผู้บริหาร",
        required=True,
        hint="เช่น นายกเทศมนตรีตำบลบ้านต๋อม",
    ),
    Field(
        "score",
        "คะแนน ITA",
        aliases=("คะแนนภาพรวม", "คะแนน ITA ภาพรวม"),
        hint="คะแนนภาพรวม ITA ของหน่วยงาน 0–100 (ถ้ามี) เช่น 93.05",
        kind="score",
    ),
    Field(
        "stated_level",
        "ระดับผลการประเมิน",
        aliases=("ผลการประเมิน",),
        hint="ระดับที่ระบุในเอกสาร (ถ้ามี) เช่น AA หรือ ผ่านดีเยี่ยม",
    ),
    Field("emblem", "ไฟล์ตราครุฑ", hint="ที่อยู่ไฟล์ภาพตราครุฑ (ถ้ามี) สำหรับประกาศ คำสั่ง บันทึกข้อความ"),
    Field("logo", "ไฟล์ตราหน่วยงาน", hint="ที่อยู่ไฟล์ภาพตราหน่วยงาน (ถ้ามี) สำหรับหน้าปกรายงาน"),
)

#: Fields that must be the same in every department's copy of one organisation.
ORGANISATION_KEYS = ("organisation", "district", "province", "fiscal_year")

#: Fields the secretary fills once; ``init`` locks them in per-department copies.
LOCKED_INFO_KEYS = (
    "version",
    "organisation",
    "district",
    "province",
    "fiscal_year",
    "department",
    "executive",
    "executive_position",
    "score",
    "stated_level",
)


# --- มาตรการ (one table, one header row) ----------------------------------------------------
MEASURE_COLUMNS: tuple[Field, ...] = (
    Field("number", "ลำดับ", aliases=("ที่", "ข้อ", "ลำดับที่"), hint="เลขลำดับมาตรการ เช่น 1", width=8),
    Field(
        "indicator",
        "ตัวชี้วัด",
        aliases=("ตัวชี้วัดที่",),
        hint="ชื่อตัวชี้วัด และ/หรือรหัส เช่น i4, e5 (เลือกจากรายการหรือพิมพ์เอง)",
        width=22,
        kind="list",
    ),
    Field(
        "title",
        "มาตรการ",
        required=True,
        aliases=("มาตรการ/กิจกรรม", "มาตรการหรือกิจกรรม", "มาตรการ / กิจกรรม", "ชื่อมาตรการ"),
        hint="ชื่อมาตรการ มาตรการเดียวใช้หลายแถวได้ โดยเว้นช่องลำดับและมาตรการว่างในแถวถัดไป",
        width=30,
    ),
    Field(
        "method",
        "วิธีการดำเนินการ",
        aliases=("วิธีการ", "วิธีดำเนินการ", "แนวทางการดำเนินการ"),
        hint="วิธีการดำเนินการ ขึ้นบรรทัดใหม่ด้วย Alt+Enter",
        width=40,
    ),
    Field(
        "responsible",
        "ผู้รับผิดชอบ",
        required=True,
        aliases=("ส่วนงานที่รับผิดชอบ", "หน่วยงานที่รับผิดชอบ", "ผู้รับผิดชอบ/หน่วยงาน"),
        hint="ผู้รับผิดชอบ เช่น สำนักปลัด",
        width=20,
    ),
    Field(
        "period",
        "ระยะเวลา",
        aliases=("ระยะเวลาการดำเนินการ", "ระยะเวลาดำเนินการ", "ช่วงเวลา"),
        hint="เช่น ต.ค. 2564 – พ.ย. 2564 หรือ ปีงบประมาณ 2565",
        width=18,
        kind="period",
    ),
    Field(
        "result",
        "ผลการดำเนินการ",
        required=True,
        aliases=(
            "สรุปผลการดำเนินการ",
            "สรุปผลการดำเนินการตามมาตรการ",
            "สรุปผลการดำเนินการตามมาตรการหรือกิจกรรม",
            "ผลการดำเนินงาน",
        ),
        hint="สิ่งที่ทำไปแล้วจริง ขึ้นบรรทัดใหม่ด้วย Alt+Enter",
        width=45,
    ),
    Field(
        "outcome",
        "ผลลัพธ์",
        aliases=(
            "ผลลัพธ์หรือความสำเร็จ",
            "ผลลัพธ์หรือความสำเร็จในการดำเนินการ",
            "ผลลัพธ์หรือความสำเร็จของการดำเนินการ",
            "ผลสัมฤทธิ์",
        ),
        hint="ผลลัพธ์หรือความสำเร็จ (ถ้ามี)",
        width=35,
    ),
    Field("suggestion", "ข้อเสนอแนะ", aliases=("ข้อเสนอแนะ/ปัญหาอุปสรรค", "หมายเหตุ"), width=30),
    Field(
        "budget",
        "งบประมาณ",
        aliases=("งบประมาณ (บาท)", "งบประมาณที่ใช้"),
        hint="จำนวนเงินบาท เว้นว่างหรือ 0 ถ้าไม่ใช้งบประมาณ",
        width=14,
        kind="budget",
    ),
)

# --- คะแนน ITA ---------------------------------------------------------------------------
SCORE_COLUMNS: tuple[Field, ...] = (
    Field(
        "indicator",
        "ตัวชี้วัด",
        required=True,
        aliases=("รหัสตัวชี้วัด",),
        hint="รหัสตัวชี้วัด เช่น i4, e5, o12",
        width=14,
        kind="list",
    ),
    Field("score", "คะแนน", required=True, aliases=("คะแนนที่ได้",), hint="0–100", width=12, kind="score"),
    Field("name", "ชื่อตัวชี้วัด", aliases=("ประเด็น",), width=50),
)


@dataclass(frozen=True)
class TableSpec:
    """A table sheet: its name, whether a workbook must have it, and its columns."""

    sheet: str
    columns: tuple[Field, ...]
    required: bool = True
    #: Rows above the header where a title may stand (searched for the header row).
    header_search_rows: int = 10
    extra: dict[str, str] = field(default_factory=dict)


MEASURES_TABLE = TableSpec(SHEET_MEASURES, MEASURE_COLUMNS)
#: The plan's columns: what is decided before the year (the rest is each department's result).
PLAN_KEYS = ("number", "indicator", "title", "method", "responsible", "period", "budget")
PLAN_COLUMNS: tuple[Field, ...] = tuple(
    Field(f.key, f.label, f.required or f.key == "number", f.aliases, f.hint, f.width, f.kind)
    for f in MEASURE_COLUMNS
    if f.key in PLAN_KEYS
)
PLAN_TABLE = TableSpec(SHEET_PLAN, PLAN_COLUMNS)
SCORES_TABLE = TableSpec(SHEET_SCORES, SCORE_COLUMNS, required=False)

# --- known lists (dropdowns) ---------------------------------------------------------------
DEPARTMENTS: tuple[str, ...] = (
    "สำนักปลัด",
    "กองคลัง",
    "กองช่าง",
    "กองการศึกษา",
    "กองสาธารณสุขและสิ่งแวดล้อม",
    "กองสวัสดิการสังคม",
    "กองยุทธศาสตร์และงบประมาณ",
    "กองการเจ้าหน้าที่",
    "กองส่งเสริมการเกษตร",
    "หน่วยตรวจสอบภายใน",
)

#: ITA indicator codes: IIT i1–i15, EIT e1–e15, OIT o1–o43 (numbering varies by year).
INDICATOR_CODES: tuple[str, ...] = (
    tuple(f"i{n}" for n in range(1, 16)) + tuple(f"e{n}" for n in range(1, 16)) + tuple(f"o{n}" for n in range(1, 44))
)

#: Text of the example row that ``init`` writes; ``check`` skips a row that still holds it.
EXAMPLE_MARK = "(ตัวอย่าง)"
EXAMPLE_ROW: dict[str, str] = {
    "number": "0",
    "indicator": "i1",
    "title": f"{EXAMPLE_MARK} มาตรการตัวอย่าง ลบแถวนี้หรือพิมพ์ทับได้",
    "method": "1. วิธีการที่หนึ่ง\n2. วิธีการที่สอง",
    "responsible": "สำนักปลัด",
    "period": "ต.ค. 2564 – ก.ย. 2565",
    "result": "1. ผลที่ทำได้จริง\n2. ผลที่ทำได้จริงข้อที่สอง",
    "outcome": "",
    "suggestion": "",
    "budget": "0",
}

# --- ITA score bands (NACC) ----------------------------------------------------------------
#: (lowest score, level, Thai wording); checked top to bottom.
LEVEL_BANDS: tuple[tuple[float, str, str], ...] = (
    (95.0, "AA", "ผ่านดีเยี่ยม"),
    (85.0, "A", "ผ่าน"),
    (75.0, "B", "ไม่ผ่าน"),
    (65.0, "C", "ไม่ผ่าน"),
    (55.0, "D", "ไม่ผ่าน"),
    (50.0, "E", "ไม่ผ่าน"),
    (0.0, "F", "ไม่ผ่าน"),
)
PASS_SCORE = 85.0

#: Fiscal years (BE) a report can plausibly be for: the ITA began in 2557 (2014).
FISCAL_YEAR_RANGE = (2550, 2650)


def level_for(score: float) -> str:
    """The NACC level (AA…F) of a score 0–100, e.g. ``level_for(93.05) == "A"``."""
    for low, level, _ in LEVEL_BANDS:
        if score >= low:
            return level
    return "F"


# --- organisation types ---------------------------------------------------------------------
#: Longest first, so เทศบาลตำบล is not read as เทศบาล.
ORGANISATION_TYPES: tuple[str, ...] = (
    "องค์การบริหารส่วนจังหวัด",
    "องค์การบริหารส่วนตำบล",
    "เทศบาลนคร",
    "เทศบาลเมือง",
    "เทศบาลตำบล",
    "กรุงเทพมหานคร",
    "เมืองพัทยา",
)


def organisation_type(name: str) -> tuple[str, str]:
    """(type, place) of an organisation's name: ``"เทศบาลตำบลบ้านต๋อม" -> ("เทศบาลตำบล", "บ้านต๋อม")``.

    ``("", name)`` when the name starts with no known type.
    """
    compact = name.replace(" ", "")
    for kind in ORGANISATION_TYPES:
        if compact.startswith(kind):
            return kind, compact[len(kind) :]
    return "", compact


#: Thai wording of levels as documents state them → the score range it claims.
STATED_LEVEL_RANGES: dict[str, tuple[float, float]] = {
    "ผ่านดีเยี่ยม": (95.0, 100.0),
    "ผ่านดี": (85.0, 95.0),
    "ผ่าน": (85.0, 100.0),
    "ต้องปรับปรุงโดยด่วน": (0.0, 70.0),
    "ต้องปรับปรุง": (0.0, 85.0),
    "ไม่ผ่าน": (0.0, 85.0),
}


def stated_level_contradiction(score: float, stated: str) -> str | None:
    """Why a stated level does not fit the score, or ``None`` if it does (or says nothing).

    ``stated_level_contradiction(99.78, "ต้องปรับปรุง")`` explains that 99.78 is AA.
    """
    stated = stated.strip()
    if not stated:
        return None
    level = level_for(score)
    code = stated.upper().replace(" ", "")
    if code in {lvl for _, lvl, _ in LEVEL_BANDS}:
        return None if code == level else f"{score} = {level}"
    for words in sorted(STATED_LEVEL_RANGES, key=len, reverse=True):
        if words in stated:
            low, high = STATED_LEVEL_RANGES[words]
            inside = low <= score < high or (high == 100.0 and score == 100.0)
            return None if inside else f"{score} = {level}"
    return None


_LEVEL_WORDS = "|".join(sorted((re.escape(w) for w in STATED_LEVEL_RANGES), key=len, reverse=True))
#: ``ผลการประเมินระดับต้องปรับปรุง``, ``อยู่ในระดับ AA``, ``ระดับผ่านดีเยี่ยม``: "ระดับ" then a
#: level's words or letters (``ทุกระดับ ให้ครอบคลุม`` names no level).
_STATED_LEVEL = re.compile(rf"ระดับ\s*(?:คะแนน\s*)?(?:\(\s*)?({_LEVEL_WORDS}|(?:AA|A|B|C|D|E|F)(?![A-Za-z]))")
_SCORE_IN_TEXT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*คะแนน")


def stated_levels(text: str, score: float | None) -> list[tuple[str, float]]:
    """(stated level, score it must fit) for each level ``text`` states.

    ``score`` is the organisation's; without one, the last ``N คะแนน`` before the level in
    the same text counts; with neither, nothing is judged.
    ``stated_levels("คะแนน : ๙๙.๗๘ คะแนน ผลการประเมินระดับต้องปรับปรุง", None)`` is
    ``[("ต้องปรับปรุง", 99.78)]``.
    """
    plain = to_arabic_digits(text)
    out = []
    for m in _STATED_LEVEL.finditer(plain):
        given = score
        if given is None:
            before = _SCORE_IN_TEXT.findall(plain[: m.start()])
            value = float(before[-1]) if before else None
            given = value if value is not None and 0 <= value <= 100 else None
        if given is not None:
            out.append((m.group(1), given))
    return out


def contradicted_level(text: str, score: float | None) -> tuple[str, float] | None:
    """The first level ``text`` states that its score contradicts, with that score; ``None``
    when none does (see ``stated_levels``): ``(ต้องปรับปรุง, 99.78)`` for the seed memo."""
    return next(((s, v) for s, v in stated_levels(text, score) if stated_level_contradiction(v, s)), None)
