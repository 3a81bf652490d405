"""The ITA indicator catalogue: names for codes typed alone, codes a year's criteria lack."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from wbfactory import fill_form

from compiler import api
from compiler.workbook import indicators, standard
from compiler.workbook.form import OrganisationDetails


@pytest.mark.parametrize(
    ("codes", "year", "name"),
    [
        (("i4", "i5"), 2567, "ตัวชี้วัดที่ 2 การใช้งบประมาณ"),
        (("i13",), 2567, "ตัวชี้วัดที่ 5 การแก้ไขปัญหาการทุจริต"),
        (("i13",), 2564, "ตัวชี้วัดที่ 3 การใช้อำนาจ"),
        (("e6",), 2565, "ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร"),
        (("o10",), 2564, "o10 แผนดำเนินงานประจำปี"),
        (("o10", "o42"), 2563, "o10 แผนดำเนินงานประจำปี\no42 มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"),
        (("o12",), 2567, "o12"),  # not known here: the code
        (("i4",), 2559, "i4"),  # no catalogue for the year
        ((), 2567, ""),
    ],
)
def test_indicator_name(codes: tuple[str, ...], year: int, name: str) -> None:
    assert indicators.indicator_name(codes, year) == name


def test_every_year_holds_the_forms_codes_it_can() -> None:
    for year, entries in indicators.CATALOGUE.items():
        assert {f"e{n}" for n in range(1, 16)} <= entries.keys(), year
        assert {f"o{n}" for n in range(1, 44)} <= entries.keys(), year
        assert "o44" not in entries
    assert "i30" in indicators.CATALOGUE[2564] and "i16" not in indicators.CATALOGUE[2567]


ORG = OrganisationDetails("องค์การบริหารส่วนตำบลภูซาง", "ภูซาง", "พะเยา", "2567", "นายก", "นายกองค์การบริหารส่วนตำบลภูซาง")


def _filled(tmp_path: Path, indicator: str) -> Path:
    [form] = api.init_forms(tmp_path / "form.xlsx", departments=["สำนักปลัด"], details=ORG)
    inbox = tmp_path / "in"
    inbox.mkdir()
    row = [1, indicator, "จัดทำแผนการใช้จ่ายงบประมาณ", "1. เผยแพร่แผน", "สำนักปลัด", "ต.ค. 2566", "เผยแพร่แล้ว"]
    return fill_form(form, inbox / "สำนักปลัด.xlsx", {}, [row])


def test_form_offers_the_years_indicators_by_name(tmp_path: Path) -> None:
    [form] = api.init_forms(tmp_path / "form.xlsx", departments=["สำนักปลัด"], details=ORG)
    lists = load_workbook(form)[standard.SHEET_LISTS]
    offered = [c.value for c in lists["B"][1:] if c.value]
    assert offered[:4] == [
        "i1 ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่",
        "i2 ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่",
        "i3 ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่",
        "i4 ตัวชี้วัดที่ 2 การใช้งบประมาณ",
    ]
    [blank] = api.init_forms(tmp_path / "blank.xlsx")
    assert load_workbook(blank)[standard.SHEET_LISTS]["B2"].value == "i1"


@pytest.mark.parametrize(
    ("typed", "first_column"),
    [
        ("i5", "๑. ตัวชี้วัดที่ ๒ การใช้งบประมาณ"),  # a code alone: the indicator's name
        ("i5 ตัวชี้วัดที่ 2 การใช้งบประมาณ", "๑. ตัวชี้วัดที่ ๒ การใช้งบประมาณ"),  # chosen from the list
        ("การใช้งบประมาณ (i5)", "๑. การใช้งบประมาณ"),  # the clerk's own words win
    ],
)
def test_code_only_indicator_prints_its_name(tmp_path: Path, typed: str, first_column: str) -> None:
    book = _filled(tmp_path, typed)
    result = api.build([book.parent], tmp_path / "r.docx")
    assert result.findings == () and result.report.layout == "indicators"
    cell = docx.Document(str(tmp_path / "r.docx")).tables[0].rows[1].cells[0]
    assert [p.text for p in cell.paragraphs if p.text.strip()] == [first_column]


def test_check_flags_a_code_the_years_criteria_lack(tmp_path: Path) -> None:
    book = _filled(tmp_path, "i20, o12")
    assert [(f.code, f.cell) for f in api.check([book]).findings] == [("unknown-indicator", "B3")]
    assert "i20" in api.check([book]).findings[0].message_en
