"""The district's summary workbook: one row per organisation, every problem, every measure.

Written with openpyxl's write-only mode, row by row, so a province's inbox (thousands of
organisations, a hundred thousand measures) costs no more memory than a district's. Sheets:

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

Everything is in TH Sarabun New. The file is written atomically (``safeio``).
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from compiler import thai
from compiler.district.model import LEVELS, NO_SCORE, STATUSES, Details, DistrictResult, OrganisationSummary
from compiler.model import Finding, Severity
from compiler.safeio import atomic_write
from compiler.workbook import standard

FONT = "TH Sarabun New"
SIZE = 14
SHEET_SUMMARY = "สรุปรายหน่วยงาน"
SHEET_OVERVIEW = "ภาพรวม"
SHEET_PROBLEMS = "ปัญหาที่พบ"
SHEET_MEASURES = "มาตรการทั้งหมด"
SHEET_NOT_SENT = "ยังไม่ส่ง"

_BOLD = Font(name=FONT, size=SIZE, bold=True)
_TITLE = Font(name=FONT, size=18, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_STATUS_FILL = {
    "ok": PatternFill("solid", fgColor="E2EFDA"),
    "warnings": PatternFill("solid", fgColor="FFF2CC"),
    "errors": PatternFill("solid", fgColor="F8CBAD"),
    "unreadable": PatternFill("solid", fgColor="D9D9D9"),
}
#: Points per line of TH Sarabun New 14 (room for marks above and below), and column-width
#: units a Thai character takes, for estimating the height of wrapped rows.
LINE_POINTS = 21.0
CHAR_UNITS = 0.85
HEADER_POINTS = 44.0
_MARKS = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))

# (Thai header, English header, width, wrap)
Column = tuple[str, str, float, bool]
SUMMARY_COLUMNS: tuple[Column, ...] = (
    ("ลำดับ", "No.", 7, False),
    ("หน่วยงาน", "Organisation", 38, True),
    ("ประเภท", "Type", 22, False),
    ("อำเภอ", "District", 13, False),
    ("จังหวัด", "Province", 12, False),
    ("ปีงบประมาณ", "Fiscal year", 11, False),
    ("ส่วนราชการที่ส่ง", "Departments sent", 17, False),
    ("รายชื่อส่วนราชการ", "Departments", 56, True),
    ("มาตรการ", "Measures", 10, False),
    ("มาตรการที่มีผล", "With results", 12, False),
    ("ข้อผิดพลาด", "Errors", 10, False),
    ("คำเตือน", "Warnings", 10, False),
    ("คะแนน ITA", "ITA score", 10, False),
    ("ระดับ", "Level", 8, False),
    ("ผลการประเมิน", "Pass (≥ 85)", 12, False),
    ("ระดับที่ระบุ", "Stated level", 14, False),
    ("สถานะ", "Status", 22, False),
    ("ปัญหาที่พบ (รหัส)", "Problem codes", 40, True),
    ("ที่ส่งมา", "Submission", 34, False),
)
PROBLEM_COLUMNS: tuple[Column, ...] = (
    ("หน่วยงาน", "Organisation", 34, True),
    ("ไฟล์", "File", 28, True),
    ("แผ่นงาน", "Sheet", 14, False),
    ("เซลล์", "Cell", 8, False),
    ("รหัส", "Code", 24, False),
    ("ความรุนแรง", "Severity", 16, False),
    ("ข้อความ", "Message (Thai)", 70, True),
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


def _workbook() -> Workbook:
    """A write-only workbook whose default font (every unstyled cell) is TH Sarabun New 14."""
    wb = Workbook(write_only=True)
    body = Font(name=FONT, size=SIZE, family=2)
    # openpyxl has no API for the default font; cells without a style use fonts[0].
    wb._fonts = IndexedList([body])
    wb._named_styles["Normal"].font = body
    return wb


def _sheet(wb: Workbook, title: str, columns: Sequence[Column], *, freeze: str = "A2") -> WriteOnlyWorksheet:
    """A sheet with column widths, frozen panes and a two-line (Thai/English) header row."""
    ws: WriteOnlyWorksheet = wb.create_sheet(title)
    for i, (_, _, width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_format.defaultRowHeight = LINE_POINTS
    ws.sheet_format.customHeight = True
    ws.freeze_panes = freeze
    _print_setup(ws)
    ws.print_title_rows = "1:1"
    ws.row_dimensions[1].height = HEADER_POINTS
    header = []
    for th, en, _, _ in columns:
        cell = WriteOnlyCell(ws, f"{th}\n{en}")
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    return ws


def _print_setup(ws: WriteOnlyWorksheet, orientation: str = "landscape") -> None:
    """Print on A4, fitted to the page width."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _lines(value: object, width: float) -> int:
    """Lines a value takes when wrapped in a column ``width`` wide (marks take no room)."""
    if value is None or value == "":
        return 1
    per_line = max(1, int(width / CHAR_UNITS))
    return sum(max(1, math.ceil(sum(ch not in _MARKS for ch in line) / per_line)) for line in str(value).split("\n"))


def _row(
    ws: WriteOnlyWorksheet,
    row: int,
    columns: Sequence[Column],
    values: Sequence[object],
    fills: dict[int, PatternFill] | None = None,
    formats: dict[int, str] | None = None,
    top: bool = True,
) -> None:
    """Append ``values``; wrapped columns wrap and the row is made tall enough for them.

    ``top`` aligns every cell to the top (for rows that may wrap); plain cells stay unstyled
    otherwise, which keeps a table of a hundred thousand rows quick to write.
    """
    cells: list[Any] = []
    lines = 1
    for i, ((_, _, width, wrap), value) in enumerate(zip(columns, values)):
        if isinstance(value, str):
            value = thai.xml_safe(value)[:MAX_TEXT]
        fill = fills.get(i) if fills else None
        fmt = formats.get(i) if formats else None
        if not (wrap or top) and fill is None and fmt is None:
            cells.append(value)
            continue
        cell = WriteOnlyCell(ws, value)
        if wrap:
            cell.alignment = _WRAP
            lines = max(lines, _lines(value, width))
        elif top:
            cell.alignment = _TOP
        if fill is not None:
            cell.fill = fill
        if fmt is not None:
            cell.number_format = fmt
        cells.append(cell)
    if lines > 1:
        ws.row_dimensions[row].height = min(409.0, lines * LINE_POINTS)
    ws.append(cells)


def _filter(ws: WriteOnlyWorksheet, columns: Sequence[Column], rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(rows, 2)}"


def _summary_values(n: int, o: OrganisationSummary) -> list[object]:
    return [
        n,
        o.name,
        o.kind,
        o.district,
        o.province,
        o.fiscal_year,
        len(o.departments),
        ", ".join(o.departments),
        o.measures,
        o.measures_with_results,
        o.errors,
        o.warnings,
        o.score,
        o.level,
        PASS_TEXT[o.passed],
        o.stated_level,
        o.status_text,
        ", ".join(o.codes),
        o.submission,
    ]


def _write_summary_sheet(wb: Workbook, result: DistrictResult) -> None:
    ws = _sheet(wb, SHEET_SUMMARY, SUMMARY_COLUMNS, freeze="C2")
    status_col = next(i for i, c in enumerate(SUMMARY_COLUMNS) if c[1] == "Status")
    score_col = next(i for i, c in enumerate(SUMMARY_COLUMNS) if c[1] == "ITA score")
    stated_col = next(i for i, c in enumerate(SUMMARY_COLUMNS) if c[1] == "Stated level")
    for n, o in enumerate(result.organisations, start=1):
        fills = {status_col: _STATUS_FILL[o.status]}
        if CONTRADICTION in o.codes:  # the stated level does not fit the score: show where
            fills[stated_col] = _STATUS_FILL["warnings"]
        _row(ws, n + 1, SUMMARY_COLUMNS, _summary_values(n, o), fills, {score_col: "0.00"})
    _filter(ws, SUMMARY_COLUMNS, len(result.organisations) + 1)


def _styled(ws: WriteOnlyWorksheet, value: object, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.font = font
    return cell


def _write_overview(wb: Workbook, result: DistrictResult) -> None:
    """Counts by status and by level, and the bar chart of organisations per level."""
    ws: WriteOnlyWorksheet = wb.create_sheet(SHEET_OVERVIEW)
    for col, width in (("A", 34), ("B", 14)):
        ws.column_dimensions[col].width = width
    ws.sheet_format.defaultRowHeight = LINE_POINTS
    ws.sheet_format.customHeight = True
    _print_setup(ws)

    def bold(value: object) -> WriteOnlyCell:
        return _styled(ws, value, _BOLD)

    def count(value: int) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value)
        cell.number_format = COUNT_FORMAT
        return cell

    rows: list[list[object]] = [
        [_styled(ws, "สรุปผลการรับรายงาน ITA / District intake summary", _TITLE)],
        [],
        [bold("สถานะ / Status"), bold("จำนวน / Count")],
        ["ได้รับ / received", count(len(result.organisations))],
        *([f"{th} / {en}", count(result.count(key))] for key, (th, en) in STATUSES.items()),
    ]
    if result.expected is not None:
        rows.append(["ในรายชื่อ / on the expect list", count(result.expected)])
        rows.append(["ยังไม่ส่ง / not sent", count(len(result.not_sent))])
    rows.append([])
    level_header = len(rows) + 1  # the level table's header row, for the chart
    rows.append([bold("ระดับ ITA / ITA level"), bold("หน่วยงาน / Organisations")])
    levels = result.levels
    rows.extend([level, count(levels[level])] for level in (*LEVELS, NO_SCORE))
    rows.append([])
    rows.append([bold("ประเภท / Type"), bold("จำนวน / Count")])
    kinds = Counter(o.kind or "ไม่ระบุ" for o in result.organisations)
    rows.extend([kind, count(kinds[kind])] for kind in (*standard.ORGANISATION_TYPES, "ไม่ระบุ") if kinds.get(kind))
    ws.row_dimensions[1].height = 30
    for row in rows:
        ws.append(row)
    chart = BarChart()
    chart.type = "col"
    chart.title = "หน่วยงานตามระดับ ITA / Organisations per ITA level"
    chart.y_axis.title = "หน่วยงาน / organisations"
    chart.x_axis.title = "ระดับ / level"
    chart.legend = None
    chart.x_axis.delete = False  # Excel hides axes that do not say so
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    data = Reference(ws, min_col=2, min_row=level_header, max_row=level_header + len(LEVELS) + 1)
    cats = Reference(ws, min_col=1, min_row=level_header + 1, max_row=level_header + len(LEVELS) + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    chart.width, chart.height = 18, 10
    ws.add_chart(chart, "D3")


def _problem_values_of(f: Finding) -> list[object]:
    """A finding's columns after the organisation's."""
    return [f.file, f.sheet, f.cell, f.code, SEVERITY_TEXT[f.severity], f.message_th, f.message_en]


def _problem_values(o: OrganisationSummary, f: Finding) -> list[object]:
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


def _measure_values(details: Details) -> list[list[object]]:
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


class RawRows:
    """Rows of one sheet as SpreadsheetML, streamed to a temporary file.

    openpyxl's cell writer costs some 35 µs a cell, and the measures table of a province
    holds millions of cells; this writes the same XML (inline strings, numbers) directly.
    Cells carry a named style (``top``: top-aligned; or the name ``numbers`` gives a
    column) that ``copy_to`` turns into the stylesheet's cell-format index.
    """

    def __init__(self, columns: int, numbers: dict[int, str] | None = None) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="ita-summary-")
        self.rows = 1  # the header, written by openpyxl
        self._letters = [get_column_letter(i) for i in range(1, columns + 1)]
        self.numbers = numbers or {}

    def append(self, values: Sequence[object]) -> None:
        self.rows += 1
        r = self.rows
        parts = [f'<row r="{r}">']
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = f"{self._letters[i]}{r}"
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                text = escape(thai.xml_safe(str(value))[:MAX_TEXT])
                parts.append(f'<c r="{ref}" s="{{top}}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif i in self.numbers:
                parts.append(f'<c r="{ref}" s="{{{self.numbers[i]}}}"><v>{value!r}</v></c>')
            else:
                parts.append(f'<c r="{ref}" s="{{top}}"><v>{value!r}</v></c>')
        parts.append("</row>")
        self.file.write("".join(parts).encode())

    def copy_to(self, out: IO[bytes], styles: dict[str, int]) -> None:
        """Write the rows into ``out``, each named style replaced by its index in ``styles``
        (a style the stylesheet lacks is dropped: the cell keeps the default)."""
        self.file.seek(0)
        names = {"top", *self.numbers.values()}
        marks = {
            f' s="{{{name}}}"'.encode(): f' s="{styles[name]}"'.encode() if name in styles else b"" for name in names
        }
        tail = b""
        while chunk := self.file.read(1 << 20):
            data = tail + chunk
            end = data.rfind(b"</row>")
            if end < 0:  # one row longer than a chunk: read on
                tail = data
                continue
            data, tail = data[: end + 6], data[end + 6 :]
            for mark, real in marks.items():
                data = data.replace(mark, real)
            out.write(data)
        out.write(tail)

    def close(self) -> None:
        self.file.close()


def _write_details(
    wb: Workbook, result: DistrictResult, details_of: Callable[[OrganisationSummary], Details], rows: RawRows
) -> None:
    """The problems sheet, and the measures sheet's header; its rows go to ``rows`` (spliced
    in on saving). One pass over the organisations fills both."""
    problems = _sheet(wb, SHEET_PROBLEMS, PROBLEM_COLUMNS, freeze="B2")
    measures = _sheet(wb, SHEET_MEASURES, MEASURE_COLUMNS, freeze="B2")
    p_row = 1
    for f in result.findings:  # about the inbox as a whole
        p_row += 1
        _row(problems, p_row, PROBLEM_COLUMNS, ["", *_problem_values_of(f)])
    for o in result.organisations:
        details = details_of(o)
        for f in sorted(details.findings, key=lambda f: (f.severity is not Severity.ERROR, f.file, f.sheet)):
            p_row += 1
            _row(problems, p_row, PROBLEM_COLUMNS, _problem_values(o, f))
        for values in _measure_values(details):
            rows.append(values)
    for o in result.superseded:  # listed, with their own problems, but counted nowhere
        for f in sorted(details_of(o).findings, key=lambda f: (f.code != "superseded-submission", f.severity is not Severity.ERROR)):
            p_row += 1
            _row(problems, p_row, PROBLEM_COLUMNS, _problem_values(o, f))
    _filter(problems, PROBLEM_COLUMNS, p_row)
    measures.auto_filter.ref = _AUTOFILTER_MARK


_AUTOFILTER_MARK = "A1:A1048576"


def _sheet_member(zf: zipfile.ZipFile, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    workbook = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(escape(title))}"[^>]*r:id="([^"]+)"', workbook)
    if rid is None:
        raise KeyError(title)
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    if target is None:
        raise KeyError(title)
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def cell_styles(styles_xml: str) -> dict[str, int]:
    """Indexes of the plain cell formats (default font, no fill) that ``RawRows`` needs:
    ``top`` (top-aligned, no wrapping) and ``budget`` (``#,##0``), where the sheet has them."""
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles_xml, re.S)
    found: dict[str, int] = {}
    for n, xf in enumerate(re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1) if xfs else "", re.S)):
        if 'fontId="0"' not in xf or 'fillId="0"' not in xf or "wrapText" in xf:
            continue
        aligned = 'vertical="top"' in xf and "horizontal" not in xf
        if 'numFmtId="0"' in xf and aligned:
            found.setdefault("top", n)
        elif 'numFmtId="3"' in xf:
            found.setdefault("budget", n)
    return found


def _splice(book: bytes, rows: RawRows, out: IO[bytes]) -> None:
    """Copy openpyxl's workbook to ``out`` with the measures sheet's rows put in."""
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        member = _sheet_member(src, SHEET_MEASURES)
        styles = cell_styles(src.read("xl/styles.xml").decode())
        for info in src.infolist():
            data = src.read(info)
            if info.filename != member:
                dst.writestr(info, data)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            last = f"{get_column_letter(len(MEASURE_COLUMNS))}{max(rows.rows, 2)}"
            tail = tail.replace(f'ref="{_AUTOFILTER_MARK}"'.encode(), f'ref="A1:{last}"'.encode())
            target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(target, "w", force_zip64=True) as w:
                w.write(head)
                rows.copy_to(w, styles)
                w.write(b"</sheetData>" + tail)


def _write_not_sent(wb: Workbook, result: DistrictResult) -> None:
    ws = _sheet(wb, SHEET_NOT_SENT, NOT_SENT_COLUMNS)
    for n, name in enumerate(result.not_sent, start=1):
        _row(ws, n + 1, NOT_SENT_COLUMNS, [n, name, standard.organisation_type(name)[0]])
    if not result.not_sent:
        ws.append([None, "ส่งครบทุกหน่วยงานในรายชื่อ / every organisation on the list has sent"])
    _filter(ws, NOT_SENT_COLUMNS, len(result.not_sent) + 1)


def write_summary(
    output: Path,
    result: DistrictResult,
    details_of: Callable[[OrganisationSummary], Details],
    *,
    force: bool = False,
) -> Path:
    """Write the summary workbook to ``output`` atomically; ``details_of`` gives each
    organisation's findings and measures (read back from the intake's spool)."""
    wb = _workbook()
    rows = RawRows(len(MEASURE_COLUMNS), {9: "budget"})
    try:
        _write_summary_sheet(wb, result)
        _write_overview(wb, result)
        _write_details(wb, result, details_of, rows)
        if result.expected is not None:
            _write_not_sent(wb, result)
        wb.properties.title = "สรุปผลการรับรายงาน ITA"
        wb.properties.creator = "ita-report"
        book = io.BytesIO()
        wb.save(book)

        def save(stream: IO[bytes]) -> None:
            _splice(book.getvalue(), rows, stream)

        return atomic_write(output, save, force=force)
    finally:
        rows.close()
