"""The summary workbook: its sheets, rows, counts, chart, fonts, filters and the not-sent list."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from compiler.district import pieces, summary
from compiler.district.intake import run_district
from compiler.district.model import LEVELS, NO_SCORE, Details, DistrictResult, MeasureRow, OrganisationSummary
from compiler.errors import OutputError
from compiler.model import Finding, Severity

ROOT = Path(__file__).resolve().parents[1]


def _make_inbox_module():  # type: ignore[no-untyped-def]
    if "make_inbox" in sys.modules:
        return sys.modules["make_inbox"]
    spec = importlib.util.spec_from_file_location("make_inbox", ROOT / "tools" / "make_inbox.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_inbox"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[DistrictResult, Path, list]:
    """A small inbox (8 organisations, 6 broken), an expect list with two more names, the run."""
    tmp = tmp_path_factory.mktemp("summary")
    plan = _make_inbox_module().make_inbox(tmp / "inbox", 8, departments=2, measures=3, broken=0.75, zips=0.5, seed=11)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["ที่", "ชื่อหน่วยงาน"])
    for i, p in enumerate(plan, start=1):
        ws.append([i, p.name])
    ws.append([9, "เทศบาลตำบลยังไม่ส่ง"])
    ws.append([10, "อบต.ไม่ส่งเลย"])
    wb.save(tmp / "list.xlsx")
    out = tmp / "summary.xlsx"
    result = run_district(tmp / "inbox", out, expect=tmp / "list.xlsx", jobs=2)
    return result, out, plan


def header(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(c.value).split("\n")[0] for c in ws[1]]


def test_sheets(made: tuple[DistrictResult, Path, list]) -> None:
    _, out, _ = made
    wb = load_workbook(out)
    assert wb.sheetnames == [
        summary.SHEET_SUMMARY,
        summary.SHEET_OVERVIEW,
        summary.SHEET_PROBLEMS,
        summary.SHEET_MEASURES,
        summary.SHEET_NOT_SENT,
    ]


def test_one_row_per_organisation(made: tuple[DistrictResult, Path, list]) -> None:
    result, out, plan = made
    ws = load_workbook(out)[summary.SHEET_SUMMARY]
    assert header(ws) == [c[0] for c in summary.SUMMARY_COLUMNS]
    assert ws.max_row == len(plan) + 1
    col = {name: i for i, name in enumerate(header(ws))}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[col["หน่วยงาน"]] for r in rows] == [o.name for o in result.organisations]
    assert sorted(r[col["ที่ส่งมา"]] for r in rows) == sorted(p.submission for p in plan)
    statuses = {r[col["ที่ส่งมา"]]: r[col["สถานะ"]] for r in rows}
    th = {"ok": "ครบถ้วน", "warnings": "มีคำเตือน", "errors": "มีข้อผิดพลาด", "unreadable": "อ่านไม่ได้"}
    for p in plan:
        assert statuses[p.submission].startswith(th[p.status])
    for o, r in zip(result.organisations, rows):
        assert (r[col["มาตรการ"]], r[col["มาตรการที่มีผล"]], r[col["ข้อผิดพลาด"]], r[col["คำเตือน"]]) == (
            o.measures,
            o.measures_with_results,
            o.errors,
            o.warnings,
        )
        assert r[col["ประเภท"]] == (o.kind or None) and r[col["ระดับ"]] == (o.level or None)
        assert r[col["คะแนน ITA"]] == o.score
    for r, o in enumerate(result.organisations, start=2):
        contradicts = "level-contradicts-score" in o.codes
        assert (ws.cell(r, col["ระดับที่ระบุ"] + 1).fill.fgColor.rgb[-6:] == "FFF2CC") is contradicts
    assert any("level-contradicts-score" in o.codes for o in result.organisations)


def test_layout_widths_freeze_filter_font(made: tuple[DistrictResult, Path, list]) -> None:
    _, out, plan = made
    wb = load_workbook(out)
    ws = wb[summary.SHEET_SUMMARY]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:S{len(plan) + 1}"
    assert abs(ws.column_dimensions["B"].width - 36) < 1  # XlsxWriter stores Excel's padded width
    assert ws["B2"].font.name == "TH Sarabun New" and ws["A1"].font.b
    for name in (summary.SHEET_PROBLEMS, summary.SHEET_MEASURES, summary.SHEET_NOT_SENT):
        assert wb[name].freeze_panes and wb[name].auto_filter.ref.startswith("A1:")
        assert wb[name]["A2"].font.name == "TH Sarabun New"


def test_every_problem_is_listed_with_both_languages(made: tuple[DistrictResult, Path, list]) -> None:
    result, out, plan = made
    ws = load_workbook(out)[summary.SHEET_PROBLEMS]
    assert header(ws) == [c[0] for c in summary.PROBLEM_COLUMNS]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    names = {o.submission: o.name for o in result.organisations}
    for p in plan:
        for code in p.codes:
            assert any(r[0] == names[p.submission] and r[4] == code for r in rows), (p, code)
    assert all(r[6] and r[7] and r[5] in ("ผิดพลาด / error", "คำเตือน / warning") for r in rows)
    assert ws.auto_filter.ref == f"A1:H{len(rows) + 1}"


def test_every_measure_in_one_table(made: tuple[DistrictResult, Path, list]) -> None:
    result, out, _ = made
    ws = load_workbook(out)[summary.SHEET_MEASURES]
    assert header(ws) == [c[0] for c in summary.MEASURE_COLUMNS]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(o.measures for o in result.organisations)
    readable = [o for o in result.organisations if o.measures]
    assert [r[0] for r in rows] == [o.name for o in readable for _ in range(o.measures)]
    assert ws.auto_filter.ref == f"A1:K{len(rows) + 1}"
    budgets = [ws.cell(r, 10) for r in range(2, len(rows) + 2) if ws.cell(r, 10).value]
    assert budgets and all(c.number_format == "#,##0" for c in budgets)
    assert ws["D2"].alignment.vertical == "top" and ws["D2"].font.name == "TH Sarabun New"


def test_level_table_and_native_bar_chart(made: tuple[DistrictResult, Path, list]) -> None:
    result, out, _ = made
    ws = load_workbook(out)[summary.SHEET_OVERVIEW]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0] in (*LEVELS, NO_SCORE)}
    assert values == result.levels and sum(values.values()) == len(result.organisations)
    with zipfile.ZipFile(out) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = zf.read(charts[0]).decode()
    sheet = summary.SHEET_OVERVIEW
    assert "barChart>" in xml
    first = 1 + next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r and r[0] == LEVELS[0]) - 1
    last = first + len(LEVELS)  # AA … F, then ไม่มีคะแนน
    assert f"{sheet}!$A${first}:$A${last}" in xml and f"{sheet}!$B${first}:$B${last}" in xml


def test_not_sent_sheet(made: tuple[DistrictResult, Path, list]) -> None:
    result, out, _ = made
    assert result.not_sent == ("เทศบาลตำบลยังไม่ส่ง", "อบต.ไม่ส่งเลย") and result.expected == 10
    ws = load_workbook(out)[summary.SHEET_NOT_SENT]
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == list(result.not_sent)
    assert ws["C2"].value == "เทศบาลตำบล"


def org(name: str = "เทศบาลตำบลบ้านต๋อม", **changes: object) -> OrganisationSummary:
    values: dict[str, object] = dict(
        submission=name,
        name=name,
        kind="เทศบาลตำบล",
        district="เมือง",
        province="พะเยา",
        fiscal_year=2565,
        departments=("สำนักปลัด",),
        files=1,
        measures=1,
        measures_with_results=1,
        errors=0,
        warnings=0,
        score=93.05,
        stated_level="",
        status="ok",
    )
    values.update(changes)
    return OrganisationSummary(**values)  # type: ignore[arg-type]


def test_cell_text_is_data(tmp_path: Path) -> None:
    """Markup and control characters in measures come out literally (or dropped), never break the file."""
    nasty = '<b>&amp; {{x}}</b>\x01\x0b ผล "ทดสอบ"\n2. บรรทัดสอง'
    rows = (MeasureRow("เทศบาลตำบลบ้านต๋อม", 1, "i1", nasty, ("สำนักปลัด",), "", "", nasty, "", Decimal("1234567")),)
    finding = Finding("x-code", Severity.WARNING, "a.xlsx", "มาตรการ", "G7", nasty, "english <&>")
    result = DistrictResult(tmp_path, (org(),))
    out = pieces.write_summary(tmp_path / "s.xlsx", result, lambda o: Details((finding,), rows))
    wb = load_workbook(out)
    m = wb[summary.SHEET_MEASURES]
    clean = nasty.replace("\x01", "").replace("\x0b", "")
    assert (m["D2"].value, m["H2"].value, m["J2"].value) == (clean, clean, 1234567)
    assert wb[summary.SHEET_PROBLEMS]["H2"].value == "english <&>"
    assert summary.SHEET_NOT_SENT not in wb.sheetnames  # no expect list


def test_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    out.write_bytes(b"old")
    result = DistrictResult(tmp_path, (org(),))
    with pytest.raises(OutputError):
        pieces.write_summary(out, result, lambda o: Details())
    assert out.read_bytes() == b"old"
    pieces.write_summary(out, result, lambda o: Details(), force=True)
    assert load_workbook(out)[summary.SHEET_SUMMARY]["B2"].value == "เทศบาลตำบลบ้านต๋อม"


def test_long_rows_are_streamed_whole(tmp_path: Path) -> None:
    """A measure row longer than a read chunk still comes out whole."""
    text = "ก" * 32_000
    rows = tuple(MeasureRow("อบต.ก", n, "", text, (), text, text, text, text, None) for n in range(1, 20))
    result = DistrictResult(tmp_path, (org("อบต.ก", measures=19),))
    out = pieces.write_summary(tmp_path / "s.xlsx", result, lambda o: Details((), rows))
    wb = load_workbook(out, read_only=True)
    got = list(wb[summary.SHEET_MEASURES].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert len(got) == 19 and all(r[3] == text and r[8] == text for r in got)


def test_every_sheet_prints_on_a4_landscape_with_its_header_on_each_page(
    made: tuple[DistrictResult, Path, list],
) -> None:
    _, out, plan = made
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        if ws.title != summary.SHEET_OVERVIEW:
            assert ws.print_title_rows == "$1:$1", ws.title
    summary_sheet = wb[summary.SHEET_SUMMARY]
    assert summary_sheet.print_area == f"'{summary.SHEET_SUMMARY}'!$A$1:$L${len(plan) + 1}"


def test_the_printed_summary_is_readable() -> None:
    """The printed columns fit an A4 landscape page at no less than 10 pt: the page's printable
    width (29.7 cm less 0.8 in of margins) over the columns' width (Excel's width unit is about
    7 px of 96 per inch), times the 14 pt text."""
    printed = sum(c[2] for c in summary.SUMMARY_COLUMNS[: summary.SUMMARY_PRINTED])
    page_px = (29.7 / 2.54 - 0.8) * 96
    scale = min(1.0, page_px / (printed * 7 + 5 * summary.SUMMARY_PRINTED))
    assert summary.SIZE * scale >= 10


@pytest.mark.parametrize(
    ("sheet", "columns"),
    [(summary.SHEET_PROBLEMS, summary.PROBLEM_COLUMNS), (summary.SHEET_MEASURES, summary.MEASURE_COLUMNS)],
)
def test_the_detail_sheets_print_their_first_columns_readably(
    made: tuple[DistrictResult, Path, list], sheet: str, columns: tuple[summary.Column, ...]
) -> None:
    """Regression: all columns of the problems (254 units) and measures (312 units) sheets were
    fitted to one page width, about 8 and 6.6 pt in LibreOffice; the print area now holds the
    first columns that fit at 10 pt or more (the same estimate as the summary's)."""
    n = summary.printed_columns(columns)
    assert 1 < n < len(columns) and sum(c[2] for c in columns[:n]) <= summary.PRINT_UNITS
    page_px = (29.7 / 2.54 - 0.8) * 96
    printed = sum(c[2] for c in columns[:n])
    assert summary.SIZE * min(1.0, page_px / (printed * 7 + 5 * n)) >= 10
    area = load_workbook(made[1])[sheet].print_area
    assert area.split("!")[1].startswith("$A$1:$" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n - 1] + "$")


def test_a_full_sheet_goes_on_in_another(
    made: tuple[DistrictResult, Path, list], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holds 1,048,576 rows a sheet; a country's measures come close. Past the limit
    (made 5 here) the rows go on in ``มาตรการทั้งหมด (2)``, … with their header: none lost."""
    result, out, _ = made
    monkeypatch.setattr(summary, "MAX_ROWS", 5)
    small = tmp_path / "paged.xlsx"
    run_district(out.parent / "inbox", small, jobs=1)
    book = load_workbook(small)
    pages = [ws for ws in book.worksheets if ws.title.startswith(summary.SHEET_MEASURES)]
    total = sum(o.measures for o in result.organisations)
    assert len(pages) == -(-total // 5) > 1
    assert pages[1].title == f"{summary.SHEET_MEASURES} (2)"
    rows = []
    for ws in pages:
        assert header(ws) == [c[0] for c in summary.MEASURE_COLUMNS]
        mine = list(ws.iter_rows(min_row=2, values_only=True))
        assert 1 <= len(mine) <= 5 and ws.auto_filter.ref == f"A1:K{len(mine) + 1}"
        rows.extend(mine)
    whole = list(load_workbook(out)[summary.SHEET_MEASURES].iter_rows(min_row=2, values_only=True))
    assert rows == whole
