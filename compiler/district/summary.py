"""The district's summary workbook: one row per organisation, every problem, every measure.

Its sheets, columns, formats and print set-up, and the small sheets, written with XlsxWriter
in its constant-memory mode; the big sheets' rows are put together from each organisation's
rows, made once and kept (``pieces``), with the same values and formats. Every text is
written as text, so nothing typed in a workbook, a folder's name or the expect list becomes a
formula. Sheets:

- ``สรุปรายหน่วยงาน``: one row per organisation (name, type, district, province, fiscal year,
  departments that sent, measures, measures with results, errors, warnings, ITA score and
  level, status), frozen header and names, filters;
- ``ภาพรวม``: counts by status and by ITA level, with a native bar chart of the levels;
- ``ปัญหาที่พบ``: every finding (organisation, file, sheet, cell, code, severity, Thai and
  English message): the inbox's own first (fiscal years or provinces that differ), then
  each organisation's, then the superseded submissions (an organisation that sent again
  counts once, by its latest submission; its earlier ones are only listed here);
- ``มาตรการทั้งหมด``: every measure of every organisation in one table, for analysis;
- ``ยังไม่ส่ง``: with an expect list, the organisations that have not sent.

Everything is in TH Sarabun New. Each sheet prints on A4 landscape, fitted to the page width,
its header row repeated on every page; the summary sheet prints the columns that matter on
paper (number to status: its first 11 columns) so its text stays readable (about 13 pt). The
file is written atomically (``safeio``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import IO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from compiler import thai
from compiler.district.model import LEVELS, NO_SCORE, STATUSES, Details, DistrictResult, OrganisationSummary
from compiler.model import Finding, Severity
from compiler.workbook import standard

FONT = thai.FONT
SIZE = 14
SHEET_SUMMARY = "สรุปรายหน่วยงาน"
SHEET_OVERVIEW = "ภาพรวม"
SHEET_PROBLEMS = "ปัญหาที่พบ"
SHEET_MEASURES = "มาตรการทั้งหมด"
SHEET_NOT_SENT = "ยังไม่ส่ง"

_STATUS_COLOUR = {"ok": "#E2EFDA", "warnings": "#FFF2CC", "errors": "#F8CBAD", "unreadable": "#D9D9D9"}
_HEADER_COLOUR = "#D9E2F3"
#: Points per line of TH Sarabun New 14 (room for marks above and below), and column-width
#: units a Thai character takes, for estimating the height of wrapped rows.
LINE_POINTS = 21.0
CHAR_UNITS = 0.85
HEADER_POINTS = 44.0

# (Thai header, English header, width, wrap)
Column = tuple[str, str, float, bool]
SUMMARY_COLUMNS: tuple[Column, ...] = (
    # the columns that matter on paper come first: they are the sheet's print area
    ("ลำดับ", "No.", 6, False),
    ("หน่วยงาน", "Organisation", 36, True),
    ("อำเภอ", "District", 13, False),
    ("มาตรการ", "Measures", 9, False),
    ("มาตรการที่มีผล", "With results", 11, False),
    ("ข้อผิดพลาด", "Errors", 10, False),
    ("คำเตือน", "Warnings", 9, False),
    ("คะแนน ITA", "ITA score", 9, False),
    ("ระดับ", "Level", 7, False),
    ("ผลการประเมิน", "Pass (≥ 85)", 11, False),
    ("ระดับที่ระบุ", "Stated level", 13, False),
    ("สถานะ", "Status", 20, True),
    # for the screen and for sorting
    ("ประเภท", "Type", 22, False),
    ("จังหวัด", "Province", 12, False),
    ("ปีงบประมาณ", "Fiscal year", 11, False),
    ("ส่วนราชการที่ส่ง", "Departments sent", 17, False),
    ("รายชื่อส่วนราชการ", "Departments", 56, True),
    ("ปัญหาที่พบ (รหัส)", "Problem codes", 40, True),
    ("ที่ส่งมา", "Submission", 34, False),
)
#: How many of the summary's first columns are printed.
SUMMARY_PRINTED = 12
#: The widest print area (in column-width units) that A4 landscape fitted to the width still
#: prints at 10 pt or more: measured in LibreOffice, the summary's 154 printed units came out
#: at 13 pt (TH Sarabun New 14), so 10 pt allows 200; 190 leaves a margin.
PRINT_UNITS = 190.0


def printed_columns(columns: Sequence[Column], limit: float = PRINT_UNITS) -> int:
    """How many of ``columns``, from the first, fit in a print area of ``limit`` units."""
    total, count = 0.0, 0
    for column in columns:
        total += column[2]
        if total > limit:
            break
        count += 1
    return max(count, 1)


PROBLEM_COLUMNS: tuple[Column, ...] = (
    ("หน่วยงาน", "Organisation", 34, True),
    ("ไฟล์", "File", 28, True),
    ("แผ่นงาน", "Sheet", 14, False),
    ("เซลล์", "Cell", 8, False),
    ("รหัส", "Code", 24, False),
    ("ความรุนแรง", "Severity", 16, False),
    ("ข้อความ", "Message (Thai)", 60, True),
    ("Message", "Message (English)", 60, True),
)
MEASURE_COLUMNS: tuple[Column, ...] = (
    ("หน่วยงาน", "Organisation", 34, False),
    ("ลำดับ", "No.", 7, False),
    ("ตัวชี้วัด", "Indicator", 18, False),
    ("มาตรการ", "Measure", 45, False),
    ("ส่วนราชการที่รายงาน", "Departments", 30, False),
    ("ผู้รับผิดชอบ", "Responsible", 24, False),
    ("ระยะเวลา", "Period", 20, False),
    ("ผลการดำเนินการ", "Results", 60, False),
    ("ผลลัพธ์", "Outcomes", 40, False),
    ("งบประมาณ (บาท)", "Budget (THB)", 16, False),
    ("มีผลการดำเนินการ", "Has results", 18, False),
)
NOT_SENT_COLUMNS: tuple[Column, ...] = (
    ("ลำดับ", "No.", 7, False),
    ("หน่วยงานที่ยังไม่ส่ง", "Organisation not sent", 45, False),
    ("ประเภท", "Type", 24, False),
)
#: Excel's limit on the text of one cell.
MAX_TEXT = 32_767
BUDGET_FORMAT = "#,##0"
#: The overview's counts use it too, which puts the cell format the measures' budgets need
#: (see ``cell_styles``) into the stylesheet.
COUNT_FORMAT = BUDGET_FORMAT
#: The check's code for a stated level that contradicts the score (highlighted in the summary).
CONTRADICTION = "level-contradicts-score"
SEVERITY_TEXT = {Severity.ERROR: "ผิดพลาด / error", Severity.WARNING: "คำเตือน / warning"}
PASS_TEXT = {True: "ผ่าน", False: "ไม่ผ่าน", None: ""}


class Book:
    """The workbook and its formats (XlsxWriter makes each format once)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.wb = xlsxwriter.Workbook(
            stream,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_format_properties": {"font_name": FONT, "font_size": SIZE},
            },
        )
        self.wb.set_properties({"title": "สรุปผลการรับรายงาน ITA", "author": "ita-report"})
        fmt = self.wb.add_format
        self.header = fmt(
            {
                "bold": True,
                "bg_color": _HEADER_COLOUR,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "border": 1,
            }
        )
        self.bold = fmt({"bold": True})
        self.title = fmt({"bold": True, "font_size": 18})
        self.top = fmt({"valign": "top"})
        self.wrap = fmt({"valign": "top", "text_wrap": True})
        self.count = fmt({"num_format": COUNT_FORMAT})
        self.budget = fmt({"valign": "top", "num_format": BUDGET_FORMAT})
        self.score = fmt({"valign": "top", "num_format": "0.00"})
        self.status = {k: fmt({"valign": "top", "bg_color": c, "text_wrap": True}) for k, c in _STATUS_COLOUR.items()}
        self.flag = fmt({"valign": "top", "bg_color": _STATUS_COLOUR["warnings"]})

    def sheet(self, title: str, columns: Sequence[Column], *, freeze: tuple[int, int] = (1, 0)) -> Worksheet:
        """A sheet with column widths, frozen panes, a two-line (Thai/English) header row,
        and A4 landscape printing fitted to the width with the header on every page."""
        ws: Worksheet = self.wb.add_worksheet(title)
        for i, (_, _, width, _) in enumerate(columns):
            ws.set_column(i, i, width)
        ws.set_default_row(LINE_POINTS)
        ws.freeze_panes(*freeze)
        _print_setup(ws)
        ws.repeat_rows(0)
        ws.set_row(0, HEADER_POINTS)
        for i, (th, en, _, _) in enumerate(columns):
            ws.write_string(0, i, f"{th}\n{en}", self.header)
        return ws


def _print_setup(ws: Worksheet) -> None:
    """Print on A4 landscape, fitted to the page width, as many pages down as it takes."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)


def cell_lines(value: object, width: float) -> int:
    """Lines a value takes when wrapped in a column ``width`` wide (marks take no room)."""
    if value is None or value == "":
        return 1
    return thai.wrapped_lines(str(value), int(width / CHAR_UNITS))


def _write(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """One cell: text always as text (never a formula), numbers as numbers, ``None`` left empty."""
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        ws.write_string(row, col, thai.xml_safe(str(value))[:MAX_TEXT], fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _row(
    book: Book,
    ws: Worksheet,
    row: int,
    columns: Sequence[Column],
    values: Sequence[object],
    formats: dict[int, Format] | None = None,
) -> None:
    """Write ``values`` at ``row`` (0-based), top-aligned; wrapped columns wrap and the row
    is made tall enough for them."""
    lines = max((cell_lines(v, c[2]) for c, v in zip(columns, values) if c[3]), default=1)
    if lines > 1:
        ws.set_row(row, min(409.0, lines * LINE_POINTS))
    for i, ((_, _, _, wrap), value) in enumerate(zip(columns, values)):
        fmt = (formats or {}).get(i) or (book.wrap if wrap else book.top)
        _write(ws, row, i, value, fmt)


def add_filter(ws: Worksheet, columns: Sequence[Column], rows: int) -> None:
    ws.autofilter(0, 0, max(rows, 2) - 1, len(columns) - 1)


def summary_values(n: int, o: OrganisationSummary) -> list[object]:
    by_name: dict[str, object] = {
        "No.": n,
        "Organisation": o.name,
        "District": o.district,
        "Measures": o.measures,
        "With results": o.measures_with_results,
        "Errors": o.errors,
        "Warnings": o.warnings,
        "ITA score": o.score,
        "Level": o.level,
        "Pass (≥ 85)": PASS_TEXT[o.passed],
        "Stated level": o.stated_level,
        "Status": o.status_text,
        "Type": o.kind,
        "Province": o.province,
        "Fiscal year": o.fiscal_year,
        "Departments sent": len(o.departments),
        "Departments": ", ".join(o.departments),
        "Problem codes": ", ".join(o.codes),
        "Submission": o.submission,
    }
    return [by_name[c[1]] for c in SUMMARY_COLUMNS]


def column_index(columns: Sequence[Column], english: str) -> int:
    return next(i for i, c in enumerate(columns) if c[1] == english)


def write_overview(book: Book, result: DistrictResult) -> None:
    """Counts by status and by level, and the bar chart of organisations per level."""
    ws: Worksheet = book.wb.add_worksheet(SHEET_OVERVIEW)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 14)
    ws.set_default_row(LINE_POINTS)
    _print_setup(ws)
    rows: list[tuple[object, object, Format | None]] = [
        ("สรุปผลการรับรายงาน ITA / District intake summary", None, book.title),
        (None, None, None),
        ("สถานะ / Status", "จำนวน / Count", book.bold),
        ("ได้รับ / received", len(result.organisations), None),
        *((f"{th} / {en}", result.count(key), None) for key, (th, en) in STATUSES.items()),
    ]
    if result.expected is not None:
        rows.append(("ในรายชื่อ / on the expect list", result.expected, None))
        rows.append(("ยังไม่ส่ง / not sent", len(result.not_sent), None))
    rows.append((None, None, None))
    level_header = len(rows)  # 0-based row of the level table's header, for the chart
    rows.append(("ระดับ ITA / ITA level", "หน่วยงาน / Organisations", book.bold))
    levels = result.levels
    rows.extend((level, levels[level], None) for level in (*LEVELS, NO_SCORE))
    rows.append((None, None, None))
    rows.append(("ประเภท / Type", "จำนวน / Count", book.bold))
    kinds = Counter(o.kind or "ไม่ระบุ" for o in result.organisations)
    rows.extend((kind, kinds[kind], None) for kind in (*standard.ORGANISATION_TYPES, "ไม่ระบุ") if kinds.get(kind))
    ws.set_row(0, 30)
    for r, (label, value, fmt) in enumerate(rows):
        _write(ws, r, 0, label, fmt)
        _write(ws, r, 1, value, fmt if fmt is not None else book.count)
    chart = book.wb.add_chart({"type": "column"})
    first, last = level_header + 1, level_header + len(LEVELS) + 1
    chart.add_series(
        {
            "name": [SHEET_OVERVIEW, level_header, 1],
            "categories": [SHEET_OVERVIEW, first, 0, last, 0],
            "values": [SHEET_OVERVIEW, first, 1, last, 1],
            "data_labels": {"value": True},
        }
    )
    chart.set_title(
        {"name": "หน่วยงานตามระดับ ITA / Organisations per ITA level", "name_font": {"name": FONT, "size": 16}}
    )
    chart.set_x_axis({"name": "ระดับ / level", "name_font": {"name": FONT}, "num_font": {"name": FONT, "size": 12}})
    chart.set_y_axis(
        {"name": "หน่วยงาน / organisations", "name_font": {"name": FONT}, "major_gridlines": {"visible": False}}
    )
    chart.set_legend({"none": True})
    chart.set_size({"width": 680, "height": 380})
    ws.insert_chart(2, 3, chart)


def problem_values_of(f: Finding) -> list[object]:
    """A finding's columns after the organisation's."""
    return [f.file, f.sheet, f.cell, f.code, SEVERITY_TEXT[f.severity], f.message_th, f.message_en]


def problem_values(o: OrganisationSummary, f: Finding) -> list[object]:
    return [
        o.name,
        f.file or o.submission,
        f.sheet,
        f.cell,
        f.code,
        SEVERITY_TEXT[f.severity],
        f.message_th,
        f.message_en,
    ]


def measure_values(details: Details) -> list[list[object]]:
    return [
        [
            m.organisation,
            m.number,
            m.indicator,
            m.title,
            ", ".join(m.departments),
            m.responsible,
            m.period,
            m.results,
            m.outcomes,
            float(m.budget) if m.budget is not None else None,
            "มี" if m.has_results else "ไม่มี",
        ]
        for m in details.measures
    ]


#: Rows a sheet holds below its header (Excel's limit: 1,048,576 rows in all). A country's
#: measures (7,850 organisations x 100) come close; past it they go on in a second sheet,
#: ``title (2)``, with its header, filter and print area (``pieces``).
MAX_ROWS = 1_048_575


def write_not_sent(book: Book, result: DistrictResult) -> None:
    ws = book.sheet(SHEET_NOT_SENT, NOT_SENT_COLUMNS)
    for n, name in enumerate(result.not_sent, start=1):
        _row(book, ws, n, NOT_SENT_COLUMNS, [n, name, standard.organisation_type(name)[0]])
    if not result.not_sent:
        _write(ws, 1, 1, "ส่งครบทุกหน่วยงานในรายชื่อ / every organisation on the list has sent", book.top)
    add_filter(ws, NOT_SENT_COLUMNS, len(result.not_sent) + 1)
