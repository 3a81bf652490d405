"""The measures plan: init gives each department its plan rows, locked; check and build match
what the departments reported with the plan (workbooks filled the way clerks fill them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from compiler import api
from compiler.workbook import plan as plan_module
from compiler.workbook import standard

ROOT = Path(__file__).resolve().parents[1]
INFO = {
    "organisation": "เทศบาลตำบลบ้านต๋อม", "district": "เมือง", "province": "พะเยา", "fiscal_year": 2565,
    "executive": "นายสุภชาติ สันกวาน", "executive_position": "นายกเทศมนตรีตำบลบ้านต๋อม",
}  # fmt: skip
PLAN = [  # ลำดับ ตัวชี้วัด มาตรการ วิธีการดำเนินการ ผู้รับผิดชอบ ระยะเวลา งบประมาณ
    [1, "o38", "การเสริมสร้างวัฒนธรรมองค์กร", "1. อบรมคุณธรรม", "สำนักปลัด", "ต.ค. 2564", 5000],
    [2, None, "การเปิดเผยข้อมูลสาธารณะ", "1. ปรับปรุงเว็บไซต์", "สำนักปลัด", "พ.ย. 2564", None],
    [3, "o21", "เผยแพร่แผนการจัดซื้อจัดจ้าง", "1. ประกาศแผนทางเว็บไซต์", "กองคลัง", "ธ.ค. 2564", None],
    [4, None, "ประกาศเจตจำนงสุจริต", "1. ผู้บริหารประกาศเจตจำนง", "ทุกส่วนราชการ", "ต.ค. 2564", 250000],
    [5, None, "ตรวจสอบการใช้ทรัพย์สินของราชการ", "1. จัดทำคู่มือยืมทรัพย์สิน", "กองช่าง", "ม.ค. 2565", None],
]
COLUMN = {f.key: i for i, f in enumerate(standard.MEASURE_COLUMNS, start=1)}


def plan_workbook(path: Path, rows: list[list[object]] = PLAN) -> Path:
    """The secretary's plan: ข้อมูลหน่วยงาน (no department) and แผนมาตรการ."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = standard.SHEET_INFO
    labels = {f.key: f.label for f in standard.INFO_FIELDS}
    for key, value in INFO.items():
        ws.append([labels[key], value])
    ws = wb.create_sheet(standard.SHEET_PLAN)
    ws.append(["ลำดับ", "ตัวชี้วัด", "มาตรการ", "วิธีการดำเนินการ", "ผู้รับผิดชอบ", "ระยะเวลา", "งบประมาณ"])
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.fixture
def forms(tmp_path: Path) -> dict[str, Path]:
    plan = plan_workbook(tmp_path / "plan" / "แผนมาตรการ.xlsx")
    written = api.init_forms(tmp_path / "forms", plan=plan)
    return {p.stem: p for p in written}


def _rows(path: Path) -> list[tuple[object, ...]]:
    ws = load_workbook(path)[standard.SHEET_MEASURES]
    return [r for r in ws.iter_rows(min_row=3, max_col=len(COLUMN), values_only=True) if any(v is not None for v in r)]


def test_init_gives_each_department_its_plan_rows_locked(forms: dict[str, Path]) -> None:
    assert list(forms) == ["สำนักปลัด", "กองคลัง", "กองช่าง"]  # the departments the plan names
    assert [r[0] for r in _rows(forms["สำนักปลัด"])] == [1, 2, 4]  # its own, and everyone's
    assert [r[0] for r in _rows(forms["กองคลัง"])] == [3, 4]
    wb = load_workbook(forms["กองคลัง"])
    ws = wb[standard.SHEET_MEASURES]
    assert ws.protection.sheet
    assert ws.cell(3, COLUMN["title"]).value == "เผยแพร่แผนการจัดซื้อจัดจ้าง"
    assert ws.cell(3, COLUMN["indicator"]).value == "o21"
    locked = {key: ws.cell(3, col).protection.locked for key, col in COLUMN.items()}
    assert [k for k, v in locked.items() if v] == list(standard.PLAN_KEYS)  # plan columns only
    assert not ws.cell(5, COLUMN["title"]).protection.locked  # a row of its own may be added
    assert wb[standard.SHEET_PLAN].sheet_state == "hidden"
    assert wb[standard.SHEET_INFO]["B2"].value == "เทศบาลตำบลบ้านต๋อม"  # details from the plan workbook
    assert "(ตัวอย่าง)" not in str(_rows(forms["กองคลัง"]))  # no example row over the plan


def _fill(form: Path, out: Path, cells: dict[tuple[int, str], object]) -> Path:
    wb = load_workbook(form)
    ws = wb[standard.SHEET_MEASURES]
    for (row, key), value in cells.items():
        ws.cell(row, COLUMN[key], value)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _inbox(tmp_path: Path, forms: dict[str, Path], with_plan: bool) -> Path:
    """สำนักปลัด and กองคลัง send; กองช่าง does not. สำนักปลัด unlocked the sheet and typed
    over measure 2's title; กองคลัง added a measure of its own."""
    inbox = tmp_path / "inbox"
    _fill(forms["สำนักปลัด"], inbox / "สำนักปลัด.xlsx", {
        (3, "result"): "อบรมแล้ว 40 คน", (4, "result"): "ปรับปรุงแล้ว", (5, "result"): "ประกาศแล้ว",
        (4, "title"): "การเปิดเผยข้อมูลข่าวสาร",
    })  # fmt: skip
    _fill(forms["กองคลัง"], inbox / "กองคลัง.xlsx", {
        (3, "result"): "เผยแพร่แล้ว 12 ครั้ง", (4, "result"): "ร่วมประกาศ",
        (5, "number"): 1, (5, "title"): "ลดขั้นตอนการเบิกจ่าย", (5, "responsible"): "กองคลัง",
        (5, "result"): "ลดจาก 5 เป็น 3 ขั้นตอน",
    })  # fmt: skip
    if with_plan:
        shutil.copy(tmp_path / "plan" / "แผนมาตรการ.xlsx", inbox / "แผนมาตรการ.xlsx")
    return inbox


@pytest.mark.parametrize("with_plan", [True, False])
def test_check_matches_the_departments_rows_to_the_plan(
    tmp_path: Path, forms: dict[str, Path], with_plan: bool
) -> None:
    inbox = _inbox(tmp_path, forms, with_plan)
    found = [(f.code, f.file, f.sheet, f.cell) for f in api.check([inbox]).findings]
    plan_file = "แผนมาตรการ.xlsx" if with_plan else "กองคลัง.xlsx"  # else the copy inside a form
    assert sorted(found) == sorted([
        ("not-in-plan", "กองคลัง.xlsx", "มาตรการ", "C5"),
        ("plan-cell-changed", "สำนักปลัด.xlsx", "มาตรการ", "C4"),
        ("plan-not-reported", plan_file, "แผนมาตรการ", "C6"),
    ])  # fmt: skip


def test_build_files_results_under_the_plans_measures(tmp_path: Path, forms: dict[str, Path]) -> None:
    inbox = _inbox(tmp_path, forms, with_plan=True)
    result = api.build([inbox], tmp_path / "out" / "r.docx", with_announcements=True)
    assert result.errors == ()
    report = result.report
    assert report is not None and report.departments == ("สำนักปลัด", "กองคลัง")
    got = [(m.number, m.title, {p.department: p.results for p in m.parts}, m.budget) for m in report.measures]
    assert got == [
        (1, "การเสริมสร้างวัฒนธรรมองค์กร", {"สำนักปลัด": ("อบรมแล้ว 40 คน",)}, 5000),
        (2, "การเปิดเผยข้อมูลสาธารณะ", {"สำนักปลัด": ("ปรับปรุงแล้ว",)}, None),  # the plan's title
        (3, "เผยแพร่แผนการจัดซื้อจัดจ้าง", {"กองคลัง": ("เผยแพร่แล้ว 12 ครั้ง",)}, None),
        (4, "ประกาศเจตจำนงสุจริต", {"สำนักปลัด": ("ประกาศแล้ว",), "กองคลัง": ("ร่วมประกาศ",)}, 250000),  # once
        (5, "ตรวจสอบการใช้ทรัพย์สินของราชการ", {}, None),  # nobody reported it: listed, warned
        (6, "ลดขั้นตอนการเบิกจ่าย", {"กองคลัง": ("ลดจาก 5 เป็น 3 ขั้นตอน",)}, None),  # its own 1: after the plan's
    ]


def test_departments_of_a_plan() -> None:
    measures = [
        plan_module.Measure(1, "ก", responsible=("กองคลัง", "สำนักปลัด")),
        plan_module.Measure(2, "ข", responsible=("ทุกส่วนราชการ",)),
        plan_module.Measure(3, "ค", responsible=("งานป้องกันฯ",)),
    ]
    assert plan_module.departments_of(measures) == ["สำนักปลัด", "กองคลัง", "งานป้องกันฯ"]
    assert [m.number for m in plan_module.rows_for(measures, "กองคลัง")] == [1, 2]


def test_a_plan_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    from compiler.errors import InputError

    empty = plan_workbook(tmp_path / "p.xlsx", rows=[])
    with pytest.raises(InputError):
        api.init_forms(tmp_path / "out", plan=empty)


def test_the_sample_plan_matches_the_sample_departments(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    shutil.copytree(ROOT / "sample_workbooks" / "phon_sai_2568", inbox)
    shutil.copy(ROOT / "sample_workbooks" / "phon_sai_2568" / "แผนมาตรการ.xlsx", inbox)
    codes = {f.code for f in api.check([inbox]).findings}
    assert not codes & {"not-in-plan", "plan-cell-changed", "plan-not-reported"}
    forms = api.init_forms(tmp_path / "กองคลัง.xlsx", plan=inbox / "แผนมาตรการ.xlsx", departments=["กองคลัง"])
    assert [r[0] for r in _rows(forms[0])] == [1, 2, 3]  # every row is ทุกส่วนราชการ's


def test_cli_init_with_a_plan(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import main

    plan = plan_workbook(tmp_path / "แผนมาตรการ.xlsx")
    run = CliRunner().invoke(main, ["init", "--plan", str(plan), "-o", str(tmp_path / "forms")])
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in (tmp_path / "forms").iterdir()) == ["กองคลัง.xlsx", "กองช่าง.xlsx", "สำนักปลัด.xlsx"]
    everyone = plan_workbook(tmp_path / "ทุกส่วน.xlsx", rows=[[1, None, "ก", "ว", "ทุกส่วนราชการ", None, None]])
    run = CliRunner().invoke(main, ["init", "--plan", str(everyone), "-o", str(tmp_path / "forms2")])
    assert run.exit_code != 0 and "--department" in run.output and "Traceback" not in run.output
    run = CliRunner().invoke(main, ["init", "--plan", str(tmp_path / "none.xlsx"), "-o", str(tmp_path / "f3")])
    assert run.exit_code != 0 and "Traceback" not in run.output


def test_a_plan_that_is_not_a_workbook_names_why_in_each_language_once(tmp_path: Path) -> None:
    from compiler.errors import InputError

    junk = tmp_path / "แผน.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(InputError) as caught:
        api.init_forms(tmp_path / "out", plan=junk)
    th, en = caught.value.message_th, caught.value.message_en
    assert "ไม่ใช่ไฟล์ Excel" in th and "not a workbook" in en
    assert "not a workbook" not in th and "ไม่ใช่ไฟล์ Excel" not in en  # no line carries both languages
