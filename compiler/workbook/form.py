"""``ita-report init``: write the blank standard workbook a department fills in.

Everything the form says comes from ``standard``: sheet names, labels, hints, widths, the
dropdown lists, the example row. When the secretary gives the organisation's details, each
department's copy has them filled in and locked, so nobody retypes (or misspells) a name.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from compiler import safeio, thai
from compiler.errors import UsageError
from compiler.model import DepartmentWorkbook, Measure
from compiler.workbook import indicators, standard
from compiler.workbook.cells import keep_text
from compiler.workbook.plan import rows_for

FONT = thai.FONT
_BODY = Font(name=FONT, size=14)
_BOLD = Font(name=FONT, size=14, bold=True)
_TITLE = Font(name=FONT, size=18, bold=True)
_HINT = Font(name=FONT, size=12, italic=True, color="666666")
_EXAMPLE = Font(name=FONT, size=14, italic=True, color="808080")
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Rows made ready (borders, wrapping, unlocked) below the header for data entry.
_READY_ROWS = 200
#: Row heights (points) that fit TH Sarabun New 14/18 pt: Thai marks above and below need room.
_ROW = 24
_ROW_TITLE = 30

INSTRUCTIONS = (
    "วิธีกรอกแบบรายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
    "",
    f"1. แผ่นงาน '{standard.SHEET_INFO}': กรอกช่องสีขาวในคอลัมน์ B ให้ครบ ช่องสีเทากรอกไว้แล้วโดยผู้รวบรวม แก้ไขไม่ได้",
    f"2. แผ่นงาน '{standard.SHEET_MEASURES}': หนึ่งแถวต่อหนึ่งมาตรการ ต้องกรอก มาตรการ ผู้รับผิดชอบ และ ผลการดำเนินการ",
    "   - มาตรการที่มีหลายข้อ ให้ขึ้นบรรทัดใหม่ในเซลล์ด้วย Alt+Enter หรือใช้หลายแถว โดยเว้นช่องลำดับและมาตรการว่างในแถวถัดไป",
    "   - ตัวเลขจะพิมพ์เป็นเลขไทยหรือเลขอารบิกก็ได้ ระบบจะแปลงเป็นเลขไทยในรายงานให้เอง",
    "   - ระยะเวลา เช่น ต.ค. 2564 – ก.ย. 2565 ต้องอยู่ในปีงบประมาณ (1 ต.ค. – 30 ก.ย.)",
    "   - งบประมาณ พิมพ์เป็นตัวเลข (บาท) เว้นว่างหรือ 0 ถ้าไม่ใช้งบประมาณ",
    f"   - แถวตัวอย่างที่ขึ้นต้นด้วย {standard.EXAMPLE_MARK} จะไม่ถูกนำไปใช้ ลบทิ้ง หรือพิมพ์ทับให้ครบทุกช่อง"
    " (ข้อความตัวอย่างที่เหลืออยู่ในช่องใดจะถูกแจ้งเป็นข้อผิดพลาด)",
    f"3. แผ่นงาน '{standard.SHEET_SCORES}' (ถ้ามี): รหัสตัวชี้วัด (i1…, e1…, o1…) และคะแนน 0–100",
    "4. ตรวจไฟล์ก่อนส่ง: ita-report check ชื่อไฟล์.xlsx ระบบจะบอกเซลล์ที่ต้องแก้",
    "5. บันทึกเป็น .xlsx แล้วส่งให้ผู้รวบรวม (สำนักปลัด) ห้ามเปลี่ยนชื่อแผ่นงานหรือหัวตาราง",
    "",
    f"แบบฟอร์มมาตรฐานรุ่น {standard.STANDARD_VERSION}",
)


@dataclass(frozen=True)
class OrganisationDetails:
    """What the secretary types once; every field optional (blank in the form if empty)."""

    organisation: str = ""
    district: str = ""
    province: str = ""
    fiscal_year: str = ""
    executive: str = ""
    executive_position: str = ""
    score: str = ""
    stated_level: str = ""

    def as_info(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_workbook(cls, wb: DepartmentWorkbook) -> OrganisationDetails:
        """Details taken from an already filled ``ข้อมูลหน่วยงาน`` (fiscal year as typed: BE)."""
        keys = cls.__dataclass_fields__.keys()
        values = {k: "" if wb.info.get(k) is None else str(wb.info[k]) for k in keys}
        if isinstance(wb.info.get("score"), float):
            values["score"] = f"{wb.info['score']:g}"
        return cls(**values)


def _lists_sheet(wb: Workbook, year: object = None, departments: Sequence[str] = ()) -> dict[str, str]:
    """A hidden sheet holding the dropdown lists; returns list name → range formula.

    With the fiscal year known, ตัวชี้วัด offers that year's codes with their names
    (``o10 แผนดำเนินงานประจำปี``), else the bare codes. ``departments``: the department
    names offered (default: the usual ones)."""
    ws = wb.create_sheet(standard.SHEET_LISTS)
    lists = {
        "departments": tuple(departments) or standard.DEPARTMENTS,
        "indicators": indicators.dropdown(year) or standard.INDICATOR_CODES,
    }
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(1, col, name)
        for row, value in enumerate(values, start=2):
            ws.cell(row, col, value)
        ranges[name] = f"'{standard.SHEET_LISTS}'!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ranges


def _list_validation(formula: str, strict: bool, title: str, prompt: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.showErrorMessage = strict
    dv.errorTitle = "ค่าไม่อยู่ในรายการ"
    dv.error = "กรุณาเลือกจากรายการ"
    dv.showInputMessage = bool(prompt)
    dv.promptTitle = title[:32]
    dv.prompt = prompt[:255]
    return dv


def _hint_validation(title: str, prompt: str) -> DataValidation:
    dv = DataValidation(allow_blank=True)
    dv.showInputMessage = True
    dv.promptTitle = title[:32]
    dv.prompt = prompt[:255]
    return dv


def _fit_landscape(ws: Worksheet) -> None:
    """Print on A4 landscape, all columns on one page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _instructions(wb: Workbook) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = standard.SHEET_INSTRUCTIONS
    ws.column_dimensions["A"].width = 120
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = ws.cell(row, 1, line)
        cell.font = _TITLE if row == 1 else _BODY
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _ROW_TITLE if row == 1 else _ROW


def _info_sheet(wb: Workbook, info: dict[str, str], lists: dict[str, str], lock: bool) -> None:
    ws = wb.create_sheet(standard.SHEET_INFO)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 60
    values = {"version": standard.STANDARD_VERSION, **info}
    for row, f in enumerate(standard.INFO_FIELDS, start=1):
        label = ws.cell(row, 1, f.label)
        label.font = _BOLD
        label.fill = _HEADER_FILL
        label.border = _BOX
        value = ws.cell(row, 2, values.get(f.key) or None)
        value.font = _BODY
        value.border = _BOX
        value.alignment = _WRAP
        locked = f.key == "version" or (lock and f.key in standard.LOCKED_INFO_KEYS and f.key in values)
        value.protection = Protection(locked=locked)
        if locked:
            value.fill = _LOCKED_FILL
        prefix = "(จำเป็น) " if f.required else ("" if "(ถ้ามี)" in f.hint else "(ถ้ามี) ")
        hint = ws.cell(row, 3, prefix + f.hint)
        hint.font = _HINT
        ws.row_dimensions[row].height = _ROW
        if f.key == "department" and not locked:
            dv = _list_validation(lists["departments"], False, f.label, f.hint)
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
        elif f.hint and not locked:
            dv = _hint_validation(f.label, f.hint)
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
    _fit_landscape(ws)
    ws.protection.sheet = True  # labels and the version are never edited
    ws.protection.formatColumns = False


def _table_sheet(
    wb: Workbook,
    spec: standard.TableSpec,
    title: str,
    lists: dict[str, str],
    example: dict[str, str] | None,
) -> Worksheet:
    ws = wb.create_sheet(spec.sheet)
    header_row = 2
    ws.cell(1, 1, title).font = _TITLE
    ws.row_dimensions[1].height = _ROW_TITLE
    _fit_landscape(ws)
    ws.print_title_rows = f"{header_row}:{header_row}"
    for col, f in enumerate(spec.columns, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = f.width
        cell = ws.cell(header_row, col, f.label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BOX
        rng = f"{letter}{header_row + 1}:{letter}{header_row + _READY_ROWS}"
        prompt = ("(จำเป็น) " if f.required else "") + f.hint
        if f.kind == "list":
            source = lists["indicators"] if f.key == "indicator" else lists["departments"]
            dv = _list_validation(source, False, f.label, prompt)
        elif f.key == "responsible":
            dv = _list_validation(lists["departments"], False, f.label, prompt)
        elif f.kind in ("score", "budget"):
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2="100" if f.kind == "score" else "1000000000",
                allow_blank=True,
            )
            dv.showErrorMessage = True
            dv.error = "กรุณาพิมพ์ตัวเลข" + (" 0–100" if f.kind == "score" else "")
            dv.showInputMessage = bool(prompt)
            dv.promptTitle, dv.prompt = f.label[:32], prompt[:255]
        else:
            dv = _hint_validation(f.label, prompt) if prompt else None
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(rng)
        for row in range(header_row + 1, header_row + _READY_ROWS + 1):
            c = ws.cell(row, col)
            c.alignment = _WRAP
            c.border = _BOX
            c.font = _BODY
    if example:
        for col, f in enumerate(spec.columns, start=1):
            value = example.get(f.key, "")
            c = ws.cell(header_row + 1, col, value or None)
            c.font = _EXAMPLE
        lines = max(str(v).count("\n") + 1 for v in example.values())
        ws.row_dimensions[header_row + 1].height = _ROW * lines
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.row_dimensions[header_row].height = _ROW * 2
    return ws


def _plan_values(m: Measure) -> dict[str, object]:
    """A plan measure as the cells of its row (multi-line fields one line each)."""
    codes = ", ".join(m.indicator_codes)
    indicator = f"{m.indicator} ({codes})" if m.indicator and codes else (m.indicator or codes)
    return {
        "number": m.number,
        "indicator": indicator or None,
        "title": m.title,
        "method": "\n".join(m.methods) or None,
        "responsible": "\n".join(m.responsible) or None,
        "period": "\n".join(m.period) or None,
        "budget": float(m.budget) if m.budget is not None else None,
    }


def _plan_rows(ws: Worksheet, rows: Sequence[Measure]) -> None:
    """The department's plan rows under the header, their plan columns locked (grey); the
    result columns, and every cell of the rows below (a measure of its own), open."""
    header_row = 2
    cols = {f.key: i for i, f in enumerate(standard.MEASURE_COLUMNS, start=1)}
    for i, m in enumerate(rows):
        r = header_row + 1 + i
        values = _plan_values(m)
        for key, value in values.items():
            cell = ws.cell(r, cols[key], value)
            cell.protection = Protection(locked=True)
            cell.fill = _LOCKED_FILL
        ws.row_dimensions[r].height = _ROW * max(str(v).count("\n") + 1 for v in values.values())
    for r in range(header_row + 1, header_row + _READY_ROWS + 1):
        for key, c in cols.items():
            if not (r <= header_row + len(rows) and key in standard.PLAN_KEYS):
                ws.cell(r, c).protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _plan_sheet(wb: Workbook, plan: Sequence[Measure]) -> None:
    """The whole plan, hidden and locked: what the locked cells must still say."""
    ws = wb.create_sheet(standard.SHEET_PLAN)
    ws.append([f.label for f in standard.PLAN_COLUMNS])
    for m in plan:
        values = _plan_values(m)
        ws.append([values[f.key] for f in standard.PLAN_COLUMNS])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def build_form(
    details: OrganisationDetails | None = None,
    department: str = "",
    plan: Sequence[Measure] | None = None,
) -> Workbook:
    """The blank standard workbook; with ``details`` its organisation fields filled and locked.

    With a measures ``plan``, the มาตรการ sheet holds the plan rows ``department`` is
    responsible for (plan columns locked, results open, no example row) and a hidden copy
    of the whole plan; the other departments' rows are left out (see ``plan.rows_for``)."""
    info = details.as_info() if details else {}
    if department:
        info["department"] = department
    wb = Workbook()
    _instructions(wb)
    lists = _lists_sheet(wb, thai.parse_year(info["fiscal_year"]) if info.get("fiscal_year") else None)
    _info_sheet(wb, info, lists, lock=bool(details) or bool(department))
    measures = _table_sheet(
        wb,
        standard.MEASURES_TABLE,
        "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        lists,
        standard.EXAMPLE_ROW if plan is None else None,
    )
    if plan is not None:
        _plan_rows(measures, rows_for(plan, department) if department else list(plan))
        _plan_sheet(wb, plan)
    _table_sheet(wb, standard.SCORES_TABLE, "คะแนนการประเมิน ITA รายตัวชี้วัด (ถ้ามี)", lists, None)
    _document_sheets(wb)
    # the lists sheet last, so the clerk's sheets come first in the tab bar
    wb.move_sheet(standard.SHEET_LISTS, offset=len(wb.sheetnames))
    wb.active = 1
    for ws in wb.worksheets:  # details typed by the clerk (--organisation "=…") stay text
        keep_text(cell for row in ws.iter_rows() for cell in row)
    wb.properties.title = "แบบรายงานมาตรการส่งเสริมคุณธรรมและความโปร่งใส"
    wb.properties.creator = "ita-report"
    wb.properties.keywords = f"ita-report standard {standard.STANDARD_VERSION}"
    return wb


def _document_sheets(wb: Workbook) -> None:
    """Blank sheets for the official documents, when the documents module provides them."""
    try:
        from compiler.documents.sheets import write_blank_document_sheets
    except ImportError:
        return
    write_blank_document_sheets(wb)


def form_bytes(
    details: OrganisationDetails | None = None, department: str = "", plan: Sequence[Measure] | None = None
) -> bytes:
    """The form as .xlsx bytes (for atomic writing by the caller)."""
    buffer = io.BytesIO()
    build_form(details, department, plan).save(buffer)
    return buffer.getvalue()


def department_file_name(department: str) -> str:
    """A safe file name for a department's copy: ``"กองคลัง" -> "กองคลัง.xlsx"``."""
    return safeio.safe_file_name(department, ".xlsx", fallback="แบบฟอร์ม")


def plan_forms(output: Path, departments: Sequence[str]) -> list[tuple[Path, str]]:
    """Where each form goes: one file, or one per department in a folder."""
    if len(departments) <= 1:
        if output.suffix.lower() != ".xlsx":
            raise UsageError(
                f"ชื่อไฟล์ผลลัพธ์ต้องลงท้ายด้วย .xlsx: {output}",
                f"the output file must end in .xlsx: {output}",
            )
        return [(output, departments[0] if departments else "")]
    if output.suffix:
        raise UsageError(
            f"เมื่อสร้างหลายส่วนราชการ -o ต้องเป็นโฟลเดอร์: {output}",
            f"with several departments, -o must be a folder: {output}",
        )
    taken: set[str] = set()  # names that collide once made safe ("กอง/คลัง", "กองคลัง") get two
    return [(output / safeio.free_name(department_file_name(d), taken), d) for d in dict.fromkeys(departments)]
