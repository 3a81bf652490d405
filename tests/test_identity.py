"""identity: a measure is its number and its title; departments numbering from 1 each."""

from __future__ import annotations

from pathlib import Path

import pytest
from docxtext import docx_lines
from wbfactory import INFO, fill_form

from compiler import api
from compiler.workbook import identity
from compiler.workbook.form import OrganisationDetails

ORG = OrganisationDetails("เทศบาลตำบลบ้านต๋อม", "เมือง", "พะเยา", "2565", "นายสุภชาติ สันกวาน", "นายกเทศมนตรีตำบลบ้านต๋อม")
# columns of the form: ลำดับ ตัวชี้วัด มาตรการ วิธีการ ผู้รับผิดชอบ ระยะเวลา ผล ผลลัพธ์ ข้อเสนอแนะ งบประมาณ
PALAD = [
    [1, None, "การเสริมสร้างวัฒนธรรมองค์กร", "1. อบรมคุณธรรม", "สำนักปลัด", "ต.ค. 2564", "อบรมแล้ว 40 คน"],
    [2, None, "การเปิดเผยข้อมูลสาธารณะ", "1. ปรับปรุงเว็บไซต์", "สำนักปลัด", "พ.ย. 2564", "ปรับปรุงแล้ว"],
]
KLANG = [
    [1, None, "มาตรการเผยแพร่แผนการจัดซื้อจัดจ้าง", "1. ประกาศแผนทางเว็บไซต์", "กองคลัง", "ธ.ค. 2564", "เผยแพร่แล้ว 12 ครั้ง"],
]


def _forms(tmp_path: Path, palad: list, klang: list) -> Path:
    """Two departments' copies of the form from ``init``, filled as clerks fill them."""
    forms = api.init_forms(tmp_path / "forms", departments=["สำนักปลัด", "กองคลัง"], details=ORG)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for form, rows in zip(forms, (palad, klang)):
        fill_form(form, inbox / form.name, {}, rows)
    return inbox


def test_same_number_different_titles_are_two_measures(tmp_path: Path) -> None:
    inbox = _forms(tmp_path, PALAD, KLANG)
    checked = api.check([inbox])
    assert [(f.code, f.file, f.cell) for f in checked.findings] == [("number-reused", "กองคลัง.xlsx", "C3")]
    assert "สำนักปลัด.xlsx › มาตรการ › C3" in checked.findings[0].message_en
    result = api.build([inbox], tmp_path / "out" / "r.docx", with_announcements=True)
    assert result.errors == ()
    report = result.report
    assert report is not None
    assert [(m.number, m.title, [p.results for p in m.parts]) for m in report.measures] == [
        (1, "การเสริมสร้างวัฒนธรรมองค์กร", [("อบรมแล้ว 40 คน",)]),
        (2, "การเปิดเผยข้อมูลสาธารณะ", [("ปรับปรุงแล้ว",)]),
        (3, "มาตรการเผยแพร่แผนการจัดซื้อจัดจ้าง", [("เผยแพร่แล้ว 12 ครั้ง",)]),
    ]
    assert [f.code for f in result.findings].count("number-reused") == 1
    text = docx_lines(tmp_path / "out" / "r.docx")
    procurement = next(i for i, line in enumerate(text) if "มาตรการเผยแพร่แผนการจัดซื้อจัดจ้าง" in line)
    assert "เผยแพร่แล้ว ๑๒ ครั้ง" in text[procurement:]
    assert "เผยแพร่แล้ว ๑๒ ครั้ง" not in text[:procurement]  # not under สำนักปลัด's measure
    announcement = [p for p in result.written if p.name != "r.docx"]
    lines = [line for p in announcement for line in docx_lines(p)]
    assert any("มาตรการเผยแพร่แผนการจัดซื้อจัดจ้าง" in line for line in lines)
    assert any("ประกาศแผนทางเว็บไซต์" in line for line in lines)
    assert any("การเสริมสร้างวัฒนธรรมองค์กร" in line for line in lines)


def test_one_measure_typed_with_a_typo_still_merges_with_a_warning(tmp_path: Path) -> None:
    klang = [[1, None, "การเสริมสร้างวัฒนธรรมองค์การ", "1. อบรมคุณธรรม", "กองคลัง", "ต.ค. 2564", "ส่งคนเข้าอบรม"]]
    inbox = _forms(tmp_path, PALAD[:1], klang)
    assert api.check([inbox]).findings == ()
    result = api.build([inbox], tmp_path / "r.docx")
    assert [(f.code, f.file) for f in result.findings] == [("title-mismatch", "กองคลัง.xlsx")]
    [m] = result.report.measures
    assert (m.number, m.title, [p.department for p in m.parts]) == (1, "การเสริมสร้างวัฒนธรรมองค์กร", ["สำนักปลัด", "กองคลัง"])


def test_spacing_and_numbering_alone_merge_silently(tmp_path: Path) -> None:
    klang = [[1, None, "๑. การเสริมสร้าง วัฒนธรรมองค์กร", "1. อบรมคุณธรรม", "กองคลัง", "ต.ค. 2564", "ส่งคนเข้าอบรม"]]
    result = api.build([_forms(tmp_path, PALAD[:1], klang)], tmp_path / "r.docx")
    assert result.findings == ()
    assert len(result.report.measures) == 1


def test_one_department_using_a_number_twice_for_two_measures(tmp_path: Path) -> None:
    from wbfactory import make_workbook

    rows = [
        [1, "ประชุมชี้แจง", "ว", "สำนักปลัด", "", "ผล ก", ""],
        [1, "จัดซื้อจัดจ้าง", "ว", "สำนักปลัด", "", "ผล ข", ""],
    ]
    book = make_workbook(tmp_path / "a.xlsx", info=INFO, measures=rows)
    checked = api.check([book])
    assert [(f.code, f.cell) for f in checked.findings] == [("number-reused", "B4")]
    result = api.build([book], tmp_path / "r.docx")
    assert [(m.number, m.title) for m in result.report.measures] == [(1, "ประชุมชี้แจง"), (2, "จัดซื้อจัดจ้าง")]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ประชุมชี้แจง", "ประชุม ชี้แจง", True),
        ("ประชุมชี้แจง", "1. ประชุมชี้แจง", True),
        ("การเสริมสร้างวัฒนธรรมองค์กร", "การเสริมสร้างวัฒนธรรมองค์การ", True),
        ("ประชุมชี้แจง", "จัดซื้อจัดจ้าง", False),
        ("มาตรการ ๑", "มาตรการ ๒", False),
        ("จัดทำรายงานการประชุมครั้งที่ 10", "จัดทำรายงานการประชุมครั้งที่ 11", False),
        ("", "จัดซื้อจัดจ้าง", True),
        ("ก" * 500, "ก" * 499 + "ข", False),
    ],
)
def test_same_title(a: str, b: str, same: bool) -> None:
    assert identity.same_title(a, b) is same
