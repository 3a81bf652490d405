"""Every problem the tool can report, in one catalogue, and the one way to make a finding.

A finding's code is a stable kebab-case string; its severity comes from this catalogue, never
from the call site, so a code means the same thing everywhere. The README's table of codes is
generated from :data:`CATALOGUE` (``python -m compiler.findings``), and a test fails when the
code emits a code that is not here.

    >>> f = new_finding("missing-value", file="กองคลัง.xlsx", sheet="มาตรการ", cell="F7",
    ...          th="ไม่ได้กรอก 'ผลการดำเนินการ'", en="'result' is empty")
    >>> (f.severity.value, f.row, f.column)
    ('error', 7, 6)
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.model import Finding, Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Code:
    """One kind of problem: its code, severity, and what it means in Thai and English."""

    code: str
    severity: Severity
    th: str
    en: str
    group: str = "workbook"


_CODES = (
    # --- the file ---------------------------------------------------------------------------
    Code("empty-file", E, "ไฟล์ว่างเปล่า", "the file is empty", "file"),
    Code(
        "not-a-workbook",
        E,
        "ไม่ใช่ไฟล์ Excel (เช่น ไฟล์ Word ที่เปลี่ยนชื่อ)",
        "not a workbook (a .docx renamed .xlsx, …)",
        "file",
    ),
    Code("corrupt-file", E, "ไฟล์เสียหาย เปิดอ่านไม่ได้", "the file is damaged and cannot be read", "file"),
    Code("password-protected", E, "ไฟล์ตั้งรหัสผ่านไว้", "the workbook is encrypted with a password", "file"),
    Code("zip-bomb", E, "ไฟล์ขยายตัวเกินขนาดที่รับได้", "the file expands past the size limit", "file"),
    Code("file-too-large", E, "ไฟล์ใหญ่เกินกำหนด", "the file is over the size limit", "file"),
    Code("unreadable-file", E, "อ่านไฟล์ไม่ได้", "the file cannot be read", "file"),
    Code(
        "sheet-too-large",
        E,
        "ชีตมีข้อมูลไกลเกินขีดจำกัด (แถว × คอลัมน์ เกิน 2,000,000 เซลล์)",
        "a sheet reaches past the limit (rows × columns over 2,000,000 cells), named at its far cell",
        "file",
    ),
    Code(
        "workbook-too-large",
        E,
        "ชีตที่ต้องอ่านรวมกันเกิน 4,000,000 เซลล์",
        "the sheets to read pass 4,000,000 cells together",
        "file",
    ),
    Code("no-workbooks", E, "ในโฟลเดอร์ไม่มีไฟล์ Excel", "a folder holds no workbook", "file"),
    Code(
        "macros-not-run",
        W,
        "ไฟล์ .xlsm: อ่านเฉพาะข้อมูล ไม่เรียกใช้แมโคร",
        "an .xlsm: only its data is read, macros are never run",
        "file",
    ),
    Code("unknown-version", W, "แบบฟอร์มคนละรุ่นกับมาตรฐาน", "a form of another major version of the standard", "file"),
    # --- sheets and columns -----------------------------------------------------------------
    Code("no-standard-sheets", E, "ไม่พบชีตตามแบบมาตรฐาน", "none of the standard's sheets is there"),
    Code("missing-sheet", E, "ไม่พบชีตที่ต้องมี", "a required sheet is missing"),
    Code("missing-header", E, "ไม่พบแถวหัวตาราง", "no header row"),
    Code("missing-column", E, "ไม่พบคอลัมน์ที่ต้องมี", "a required column is missing"),
    Code("duplicate-column", W, "มีคอลัมน์ชื่อซ้ำ", "a column is given twice"),
    # --- values -----------------------------------------------------------------------------
    Code(
        "missing-value",
        E,
        "ไม่ได้กรอกข้อมูลที่จำเป็น",
        "a required value is empty (details; a measure's title, responsible, result)",
    ),
    Code("bad-fiscal-year", E, "ปีงบประมาณไม่ถูกต้อง (พ.ศ. 2550–2650)", "not a plausible Buddhist Era year (2550–2650)"),
    Code("bad-score", E, "คะแนนไม่ใช่ตัวเลข", "a score that is not a number"),
    Code("score-out-of-range", E, "คะแนนอยู่นอกช่วง 0–100", "a score outside 0–100"),
    Code(
        "number-not-finite",
        E,
        "คะแนนหรืองบประมาณไม่ใช่จำนวนที่ใช้ได้ (NaN, อนันต์)",
        "a score or budget that is NaN or infinite (a float cell, 'nan', 'inf', '1e309')",
    ),
    Code(
        "decimal-comma",
        E,
        "ตัวเลขใช้จุลภาคแทนจุดทศนิยม (93,05)",
        "a number with a comma for its decimal point ('93,05' is not 9305)",
    ),
    Code("budget-too-large", E, "งบประมาณเกิน 1,000,000,000,000 บาท", "a budget over 10^12 baht"),
    Code(
        "bad-picture",
        W,
        "ไฟล์ภาพตราใช้ไม่ได้ (ไม่อยู่ในโฟลเดอร์ของไฟล์ Excel ไม่ใช่ภาพ หรือใหญ่เกิน) เอกสารจะเว้นที่ว่างไว้",
        "a logo or emblem picture that is not in the workbook's folder, not a regular file, over 5 MB, or not a whole picture of sane size: its space is left empty",
    ),
    Code("bad-indicator", E, "รหัสตัวชี้วัด ITA ไม่ถูกต้อง (i…/e…/o…)", "an ITA indicator code that is not i…/e…/o…"),
    Code("formula-without-value", E, "สูตรที่ยังไม่ได้คำนวณ", "a formula never calculated"),
    Code("formula-error", E, "สูตรให้ค่าผิดพลาด (#REF! …)", "an Excel error value (#REF!, …)"),
    Code("no-measures", E, "ไม่มีมาตรการในชีตมาตรการ", "the measures sheet holds no measure"),
    Code(
        "value-too-long",
        E,
        "ข้อความบรรทัดเดียวยาวเกิน 500 ตัวอักษร",
        "a one-line value (a name, a position, a subject) over 500 characters",
    ),
    Code(
        "period-outside-fiscal-year",
        W,
        "ระยะเวลาอยู่นอกปีงบประมาณ",
        "a period outside 1 October – 30 September of the fiscal year",
    ),
    Code(
        "broken-thai",
        W,
        "สระหรือวรรณยุกต์พิมพ์สลับลำดับ (แก้ให้แล้วในเอกสาร)",
        "Thai marks typed out of order (fixed in the output)",
    ),
    Code("duplicate-number", W, "มาตรการลำดับซ้ำกัน", "two measures with one ลำดับ"),
    Code("bad-number", W, "ลำดับไม่ใช่ตัวเลข", "a ลำดับ that is not a number"),
    Code("bad-budget", W, "งบประมาณไม่ใช่ตัวเลข", "a งบประมาณ that is not a number"),
    Code(
        "level-contradicts-score",
        W,
        "ระดับที่ระบุไม่ตรงกับคะแนน",
        "the stated level does not fit the score (99.78 called ต้องปรับปรุง)",
    ),
    Code("very-long-text", W, "ข้อความในช่องยาวเกิน 5,000 ตัวอักษร", "a cell over 5,000 characters"),
    Code(
        "dropped-character",
        W,
        "มีอักขระที่เอกสารไม่แสดง (ตัดออกแล้ว)",
        "private-use characters or bidirectional overrides, left out of the documents",
    ),
    Code(
        "example-text",
        E,
        "ช่องยังเป็นข้อความตัวอย่างของแบบฟอร์ม",
        "a cell still holds the form's example text (its placeholder methods, ลำดับ 0, the (ตัวอย่าง) row typed into)",
    ),
    Code(
        "unknown-indicator",
        W,
        "รหัสตัวชี้วัดไม่มีในเกณฑ์ ITA ของปีงบประมาณนั้น",
        "an indicator code not in that fiscal year's ITA criteria",
    ),
    Code(
        "number-reused",
        W,
        "ลำดับเดียวกันใช้กับมาตรการต่างกัน (แยกเป็นสองมาตรการ เรียงลำดับใหม่)",
        "one ลำดับ given to two different measures (kept apart, renumbered in department order)",
    ),
    Code(
        "not-in-plan",
        W,
        "มาตรการที่ไม่อยู่ในแผนมาตรการ (แสดงต่อท้าย)",
        "a measure the measures plan does not hold (listed after the plan's)",
    ),
    Code(
        "plan-cell-changed",
        W,
        "ช่องตามแผนมาตรการถูกแก้ไข (ใช้ข้อความตามแผน)",
        "a locked plan cell typed over (the plan's text is used)",
    ),
    Code("plan-not-reported", W, "มาตรการตามแผนที่ไม่มีส่วนราชการใดรายงาน", "a plan measure no department reported"),
    Code(
        "name-misspelt",
        W,
        "ชื่อหน่วยงานสะกดต่างกันในไฟล์เดียวกัน",
        "the organisation's name spelt differently inside one workbook",
    ),
    # --- across workbooks (build) -------------------------------------------------------------
    Code(
        "organisation-mismatch",
        E,
        "ไฟล์ระบุหน่วยงาน อำเภอ จังหวัด หรือปีงบประมาณไม่ตรงกัน",
        "the workbooks disagree on organisation, district, province or fiscal year",
        "merge",
    ),
    Code(
        "name-mismatch",
        W,
        "ชื่อหน่วยงานสะกดต่างกันระหว่างไฟล์",
        "the organisation's name spelt differently across workbooks",
        "merge",
    ),
    Code(
        "info-mismatch", W, "ไฟล์ระบุผู้บริหารหรือคะแนนไม่ตรงกัน", "departments disagree on the executive or the score", "merge"
    ),
    Code(
        "method-mismatch", W, "มาตรการเดียวกันมีวิธีการสองแบบ (แสดงทั้งสอง)", "two plans for one measure (both shown)", "merge"
    ),
    Code(
        "title-mismatch",
        W,
        "มาตรการเดียวกันสะกดชื่อต่างกันเล็กน้อย (รวมเป็นมาตรการเดียว ใช้ชื่อแรก)",
        "one measure's title typed slightly differently (a typo): merged, the first title used",
        "merge",
    ),
    Code(
        "column-not-shown",
        W,
        "คอลัมน์ที่มีข้อมูลไม่แสดงในรูปแบบตารางของแม่แบบที่ใช้",
        "a filled column that the chosen layout of one's own template does not show",
        "merge",
    ),
    Code(
        "indicator-mismatch",
        W,
        "มาตรการเดียวกันระบุตัวชี้วัดต่างกัน",
        "two departments give one measure different indicators",
        "merge",
    ),
    # --- document sheets (announce) -----------------------------------------------------------
    Code("unknown-document", E, "ชื่อชีตไม่ตรงกับเอกสารชนิดใด", "a sheet named like no kind of document", "documents"),
    Code("missing-element", E, "ไม่พบคอลัมน์ รายการ / ข้อความ", "the รายการ / ข้อความ columns are missing", "documents"),
    Code("unknown-element", E, "รายการที่ไม่รู้จัก", "an element the standard does not know", "documents"),
    Code(
        "element-not-for-document",
        E,
        "รายการนี้ใช้กับเอกสารชนิดนี้ไม่ได้",
        "an element this kind of document does not take",
        "documents",
    ),
    Code(
        "element-after-comments",
        E,
        "รายการของเนื้อความอยู่หลังช่องความเห็น",
        "a body element after the comment boxes",
        "documents",
    ),
    Code("duplicate-element", E, "รายการที่มีได้ครั้งเดียวถูกกรอกซ้ำ", "a one-of-a-kind element given twice", "documents"),
    Code("bad-date", E, "วันที่อ่านไม่ได้", "a date that cannot be read", "documents"),
    Code("missing-subject", E, "ไม่ได้กรอกเรื่อง", "no เรื่อง (subject)", "documents"),
    Code("missing-to", E, "ไม่ได้กรอกเรียน", "a memo without เรียน (to)", "documents"),
    Code("missing-body", E, "ไม่มีเนื้อความ", "a document without body text", "documents"),
    Code("missing-signer", E, "ไม่มีผู้ลงนาม", "no signer, and no executive to sign", "documents"),
    Code("missing-signer-position", E, "ไม่มีตำแหน่งผู้ลงนาม", "the signer's position is missing", "documents"),
    Code("missing-number", W, "ไม่ได้กรอกเลขที่", "no ที่ (number): dots are left to fill in", "documents"),
    Code("missing-date", W, "ไม่ได้กรอกวันที่", "no date: left to write in at signing", "documents"),
    Code(
        "name-corrected",
        W,
        "ชื่อหน่วยงานในข้อความสะกดผิด แก้ให้ตรงกับข้อมูลหน่วยงานแล้ว",
        "a near miss of the organisation's name in a text, corrected",
        "documents",
    ),
    Code("no-emblem", W, "ไม่มีภาพตราครุฑ (เว้นที่ไว้)", "no Garuda emblem: its space is left empty", "documents"),
    Code(
        "emblem-not-found", W, "ไม่พบไฟล์ภาพตราครุฑ", "the emblem picture named in the workbook is not found", "documents"
    ),
    # --- the district intake -------------------------------------------------------------------
    Code(
        "zip-unsafe-path",
        E,
        "ไฟล์ zip มีชื่อไฟล์ที่ชี้ออกนอกโฟลเดอร์",
        "a zip member's path leads outside the folder",
        "district",
    ),
    Code("zip-too-many-members", E, "ไฟล์ zip มีไฟล์ข้างในมากเกินไป", "a zip holds too many members", "district"),
    Code("zip-nested-archive", W, "ไฟล์ zip ซ้อนอยู่ในไฟล์ zip", "a zip inside the zip", "district"),
    Code("zip-link", E, "ไฟล์ zip มีลิงก์ (symlink)", "a zip member is a link", "district"),
    Code("zip-encrypted", E, "ไฟล์ zip ตั้งรหัสผ่านไว้", "an encrypted zip", "district"),
    Code("zip-corrupt", E, "ไฟล์ zip เสียหาย", "a damaged zip", "district"),
    Code(
        "duplicate-submission",
        W,
        "หน่วยงานส่งมามากกว่าหนึ่งชุด (นับเฉพาะชุดล่าสุด)",
        "an organisation sent more than one submission (only the latest counts)",
        "district",
    ),
    Code(
        "superseded-submission",
        W,
        "ชุดที่ส่งก่อนและถูกแทนที่ด้วยชุดใหม่ (ไม่นับ)",
        "an earlier submission replaced by a later one (not counted)",
        "district",
    ),
    Code(
        "mixed-fiscal-years",
        W,
        "หน่วยงานในโฟลเดอร์เดียวกันระบุปีงบประมาณต่างกัน",
        "the organisations of one inbox give different fiscal years",
        "district",
    ),
    Code(
        "mixed-provinces",
        W,
        "หน่วยงานในโฟลเดอร์เดียวกันระบุจังหวัดต่างกัน",
        "the organisations of one inbox give different provinces",
        "district",
    ),
    Code(
        "worker-died",
        E,
        "กระบวนการที่ตรวจชุดนี้หยุดกะทันหันหรือใช้หน่วยความจำเกินขีดจำกัด",
        "the worker surveying this submission died (crashed, or past its memory limit)",
        "district",
    ),
    Code(
        "worker-timeout",
        E,
        "ตรวจชุดนี้นานเกินเวลาที่กำหนด จึงถูกหยุด",
        "surveying this submission took longer than its deadline; stopped",
        "district",
    ),
    Code(
        "internal-error",
        E,
        "โปรแกรมขัดข้องขณะตรวจชุดนี้ (แจ้งผู้ดูแล)",
        "the tool failed on this submission (a bug: please report it)",
        "district",
    ),
)

CATALOGUE: dict[str, Code] = {c.code: c for c in _CODES}


def severity_of(code: str) -> Severity:
    """The severity of ``code``; a ``KeyError`` for a code not in the catalogue (a bug)."""
    return CATALOGUE[code].severity


def new_finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", th: str, en: str) -> Finding:
    """A finding of ``code`` at ``file › sheet › cell`` with its messages in Thai and English.

    ``cell`` is an A1 reference (``G7``), a row (``12``: a whole row, shown as แถว 12) or ``""``
    for the whole sheet or file. A code not in the catalogue is a bug, raised at once.
    """
    return Finding(code, severity_of(code), file, sheet, cell, th, en)


def too_long(file: str, sheet: str, cell: str, label: str, length: int, limit: int) -> Finding:
    """The ``value-too-long`` error: a one-line value of ``length`` characters, over ``limit``."""
    return new_finding(
        "value-too-long",
        file=file,
        sheet=sheet,
        cell=cell,
        th=f"'{label}' ยาว {length:,} ตัวอักษร เกิน {limit:,} ตัวอักษร (วางข้อความผิดช่องหรือไม่?)",
        en=f"'{label}' is {length:,} characters long, more than {limit:,} (pasted into the wrong cell?)",
    )


def dropped_character(file: str, sheet: str, cell: str, code: str) -> Finding:
    """The ``dropped-character`` warning: the cell holds ``code`` (``U+F70A``), left out."""
    return new_finding(
        "dropped-character",
        file=file,
        sheet=sheet,
        cell=cell,
        th=f"มีอักขระที่เอกสารไม่แสดง ({code}: อักขระที่ไม่มีแบบอักษรใดแสดงได้ มักมาจากการคัดลอกจากไฟล์ PDF"
        " หรืออักขระสลับทิศทางข้อความ) ระบบตัดออกแล้ว กรุณาตรวจสอบข้อความในช่องนี้",
        en=f"holds a character the documents leave out ({code}: a private-use character, as text copied out "
        "of a PDF has, or a bidirectional override, which shows text in another order than typed); check this cell",
    )


GROUPS = {
    "file": "the file",
    "workbook": "check",
    "merge": "build",
    "documents": "announce",
    "district": "district",
}


def markdown_table() -> str:
    """The README's table of codes (between its ``codes`` markers): code, severity, where
    it is found, and the meaning in Thai and in English."""
    lines = ["| code | severity | found by | ความหมาย | meaning |", "| --- | --- | --- | --- | --- |"]
    for c in _CODES:
        lines.append(f"| `{c.code}` | {c.severity.value} | {GROUPS[c.group]} | {c.th} | {c.en} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - prints the README table
    print(markdown_table())
