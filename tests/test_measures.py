"""The measures table as read: the form's example row, typed over the way clerks do."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from compiler import api
from compiler.workbook import measures, standard
from compiler.workbook.form import OrganisationDetails

ORG = OrganisationDetails("เทศบาลตำบลบ้านต๋อม", "เมือง", "พะเยา", "2565", "นายสุภชาติ สันกวาน", "นายกเทศมนตรีตำบลบ้านต๋อม")
COLUMN = {f.key: i for i, f in enumerate(standard.MEASURE_COLUMNS, start=1)}
EXAMPLE = 3  # the example row: under the title (1) and the header (2)


def _typed(tmp_path: Path, cells: dict[tuple[int, str], object]) -> Path:
    """The department's form from ``init`` with ``cells`` ((row, column key) → value) typed in."""
    [form] = api.init_forms(tmp_path / "form.xlsx", departments=["สำนักปลัด"], details=ORG)
    wb = load_workbook(form)
    ws = wb[standard.SHEET_MEASURES]
    for (row, key), value in cells.items():
        ws.cell(row, COLUMN[key], value)
    out = tmp_path / "สำนักปลัด.xlsx"
    wb.save(out)
    return out


def _codes(path: Path) -> list[tuple[str, str]]:
    return [(f.code, f.cell) for f in api.check([path]).findings if f.severity.value == "error"]


def test_untouched_example_row_and_a_measure_below_it(tmp_path: Path) -> None:
    path = _typed(tmp_path, {(4, "number"): 1, (4, "title"): "ประชุมชี้แจง", (4, "responsible"): "สำนักปลัด",
                             (4, "result"): "ประชุมแล้ว"})  # fmt: skip
    assert _codes(path) == []
    [m] = api.check([path]).workbooks[0].measures
    assert m.title == "ประชุมชี้แจง"


def test_example_row_typed_over_in_title_and_result_only(tmp_path: Path) -> None:
    """The issue's case: มาตรการ and ผลการดำเนินการ typed over; ลำดับ 0 and the placeholder
    methods left. Each leftover is an error at its cell; nothing reaches a report."""
    path = _typed(tmp_path, {(EXAMPLE, "title"): "ประชุมชี้แจง", (EXAMPLE, "result"): "ประชุมแล้ว"})
    assert _codes(path) == [("example-text", "A3"), ("example-text", "D3")]
    result = api.build([path], tmp_path / "r.docx")
    assert result.written == ()


def test_example_title_left_with_the_clerks_results(tmp_path: Path) -> None:
    """Results typed into the example row under its (ตัวอย่าง) title would be skipped with it."""
    path = _typed(tmp_path, {(EXAMPLE, "result"): "ประชุมแล้ว", (EXAMPLE, "number"): 1})
    assert _codes(path)[0] == ("example-text", "C3")


def test_rows_continuing_the_example_row(tmp_path: Path) -> None:
    path = _typed(tmp_path, {(4, "result"): "ผลข้อที่สาม"})
    assert ("example-text", "G4") in _codes(path)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("method", "๑. วิธีการที่หนึ่ง ๒. วิธีการที่สอง"),
        ("method", "จัดประชุม\n2. วิธีการที่สอง"),
        ("result", "1. ผลที่ทำได้จริง"),
        ("title", "มาตรการตัวอย่าง ลบแถวนี้หรือพิมพ์ทับได้"),
    ],
)
def test_placeholder_text_in_a_real_measure(tmp_path: Path, key: str, text: str) -> None:
    row = {"number": 1, "title": "ประชุมชี้แจง", "responsible": "สำนักปลัด", "result": "ประชุมแล้ว", key: text}
    path = _typed(tmp_path, {(4, k): v for k, v in row.items()})
    col = "ABCDEFGHIJ"[COLUMN[key] - 1]
    assert _codes(path) == [("example-text", f"{col}4")]


@pytest.mark.parametrize("text", ["สรุปผลที่ทำได้จริงคือการประชุม", "จัดทำคู่มือ (ตัวอย่าง) แบบฟอร์มการร้องเรียน"])
def test_real_text_that_resembles_the_example(tmp_path: Path, text: str) -> None:
    row = {"number": 1, "title": text, "responsible": "สำนักปลัด", "result": text}
    assert _codes(_typed(tmp_path, {(4, k): v for k, v in row.items()})) == []


# --- the example check's shortcut ------------------------------------------------------------
_EXAMPLE_PIECES = [
    *sorted(measures.EXAMPLE_LINES),
    "วิธีการที่หนึ่ง",
    "วิธีการ ที่สอง",
    "ผลที่ทำได้จริง",
    "ผลที่ทํา",  # a mark out of order (ํา for ำ)
    "ได้จริง",
    "มาตรการ",
    "ตัวอย่าง",
    standard.EXAMPLE_MARK,
    "๒.",
    "2)",
    "(๑)",
    "\n",
    " ",
    "*",
    ":",
    "\u00a0",
    "\u200b",
    "จัดทำคู่มือ",
    "่",
    "ข้อที่สอง",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_EXAMPLE_PIECES), max_size=8), st.sampled_from(["title", "method", "result"]))
def test_the_whole_text_search_finds_what_the_line_by_line_search_finds(parts: list[str], key: str) -> None:
    """``example_line`` looks line by line only when the whole text may hold an example
    phrase: it answers as the line-by-line search does, whatever the text."""
    text = "".join(parts)
    assert measures.example_line(text, key) == measures._example_line_by_line(text, key)
