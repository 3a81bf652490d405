"""check: each mistake a clerk makes is reported at its cell with its code."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from wbfactory import HEADERS, INFO, MEASURES, fill_form, make_workbook

from compiler import api
from compiler.workbook import standard
from compiler.workbook.check import misspelt_place, stated_level_contradiction
from compiler.workbook.form import OrganisationDetails, build_form


def codes(result):
    return [(f.code, f.sheet, f.cell) for f in result.findings]


def test_clean_workbook_passes(tmp_path):
    result = api.check([make_workbook(tmp_path / "ok.xlsx")])
    assert result.findings == ()
    [wb] = result.workbooks
    assert [m.number for m in wb.measures] == [1, 2]
    assert wb.measures[0].methods == ("1. แต่งตั้งคณะทำงาน", "2. แจ้งทุกหน่วยงาน")
    assert wb.info["fiscal_year"] == 2565


def test_init_then_fill_then_check_passes(tmp_path):
    form = tmp_path / "form.xlsx"
    build_form().save(form)
    info = {**INFO, "fiscal_year": "๒๕๖๕"}
    filled = fill_form(
        form,
        tmp_path / "filled.xlsx",
        info,
        [
            [1, "i1", "มาตรการหนึ่ง", "วิธีการ", "สำนักปลัด", "ต.ค. 2564", "ผลที่ทำได้", "", "", 0],
        ],
    )
    result = api.check([filled])
    assert result.findings == ()
    assert result.workbooks[0].measures[0].title == "มาตรการหนึ่ง"


def test_example_row_left_in_is_ignored(tmp_path):
    form = tmp_path / "form.xlsx"
    build_form(OrganisationDetails(**{k: v for k, v in INFO.items() if k != "department"}), "สำนักปลัด").save(form)
    wb = load_workbook(form)
    ws = wb[standard.SHEET_MEASURES]
    ws.append([1, "", "มาตรการจริง", "วิธี", "สำนักปลัด", "", "ผล"])  # below the example row
    wb.save(form)
    result = api.check([form])
    assert [m.title for m in result.workbooks[0].measures] == ["มาตรการจริง"]
    assert result.errors == ()


CASES = [
    ("missing result", dict(measures=[[1, "ม", "ว", "สำนักปลัด", "", "", ""]]), [("missing-value", "มาตรการ", "F3")]),
    ("missing responsible", dict(measures=[[1, "ม", "ว", "", "", "ผล", ""]]), [("missing-value", "มาตรการ", "D3")]),
    (
        "missing column",
        dict(headers=["ลำดับ", "มาตรการ", "วิธีการ", "ผู้รับผิดชอบ"], measures=[[1, "ม", "ว", "สำนักปลัด"]]),
        [("missing-column", "มาตรการ", "E2")],
    ),
    (
        "private-use characters (text copied out of a PDF)",
        dict(measures=[[1, "ม", "ว", "สำนักปลัด", "", "ผล\uf70aการ\U000f0001", ""]]),
        [("dropped-character", "มาตรการ", "F3")],
    ),
    (
        "name too long",
        dict(info={**INFO, "organisation": "เทศบาล" + "ก" * 32000}),
        [("value-too-long", "ข้อมูลหน่วยงาน", "B2")],
    ),
    (
        "position too long",
        dict(info={**INFO, "executive_position": "นายก" * 200}),
        [("value-too-long", "ข้อมูลหน่วยงาน", "B8")],
    ),
    ("bad fiscal year", dict(info={**INFO, "fiscal_year": "ปีหน้า"}), [("bad-fiscal-year", "ข้อมูลหน่วยงาน", "B5")]),
    ("implausible year", dict(info={**INFO, "fiscal_year": 1990}), [("bad-fiscal-year", "ข้อมูลหน่วยงาน", "B5")]),
    ("score above 100", dict(info={**INFO, "score": 120}), [("score-out-of-range", "ข้อมูลหน่วยงาน", "B9")]),
    ("score not a number", dict(info={**INFO, "score": "ดีมาก"}), [("bad-score", "ข้อมูลหน่วยงาน", "B9")]),
    ("missing organisation", dict(info={**INFO, "organisation": None}), [("missing-value", "ข้อมูลหน่วยงาน", "B2")]),
    (
        "period outside fiscal year",
        dict(measures=[[1, "ม", "ว", "สำนักปลัด", "ต.ค. 2565 – พ.ย. 2565", "ผล", ""]]),
        [("period-outside-fiscal-year", "มาตรการ", "E3")],
    ),
    (
        "broken thai",
        dict(measures=[[1, "ม", "ว", "สำนักปลัด", "", "ดําเนินการแล้ว", ""]]),
        [("broken-thai", "มาตรการ", "F3")],
    ),
    (
        "duplicate numbers",
        dict(measures=[[1, "ประชุม", "ว", "สำนักปลัด", "", "ผล", ""], [1, "ประชุม", "ว", "สำนักปลัด", "", "ผล", ""]]),
        [("duplicate-number", "มาตรการ", "A4")],
    ),
    (
        "one number for two measures",
        dict(measures=[[1, "ก", "ว", "สำนักปลัด", "", "ผล", ""], [1, "ข", "ว", "สำนักปลัด", "", "ผล", ""]]),
        [("number-reused", "มาตรการ", "B4")],
    ),
    (
        "position misspells the name",
        dict(info={**INFO, "executive_position": "นายกเทศมนตรีตำบลบ้านต่อม"}),
        [("name-misspelt", "ข้อมูลหน่วยงาน", "B8")],
    ),
    (
        "a result misspells the name",
        dict(measures=[[1, "ม", "ว", "สำนักปลัด", "", "ประชุมที่บ้านต่อม", ""]]),
        [("name-misspelt", "มาตรการ", "F3")],
    ),
    (
        "formula error",
        dict(measures=[[1, "ม", "ว", "สำนักปลัด", "", "#REF!", ""]]),
        [("formula-error", "มาตรการ", "F3")],
    ),
    ("no measures", dict(measures=[]), [("no-measures", "มาตรการ", "")]),
    ("no measures sheet", dict(measures_sheet=False), [("missing-sheet", "มาตรการ", "")]),
    ("no info sheet", dict(info_sheet=False), [("missing-sheet", "ข้อมูลหน่วยงาน", "")]),
    (
        "no standard sheets",
        dict(info_sheet=False, measures_sheet=False, extra_sheets={"Sheet1": [["a"]]}),
        [("no-standard-sheets", "", "")],
    ),
    (
        "header nowhere",
        dict(headers=["x", "y"], measures=[[1, 2]]),
        [("missing-header", "มาตรการ", "A1")],
    ),
    (
        "bad indicator code in scores",
        dict(scores=[["i4", 100], ["ดี", 90]]),
        [("bad-indicator", "คะแนน ITA", "A3")],
    ),
    ("indicator score above 100", dict(scores=[["i4", 101]]), [("score-out-of-range", "คะแนน ITA", "B2")]),
    (
        "stated level contradicts score",
        dict(info={**INFO, "score": 99.78, "stated_level": "ต้องปรับปรุง"}),
        [("level-contradicts-score", "ข้อมูลหน่วยงาน", "B10")],
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_at_its_cell(tmp_path, name, kwargs, expected):
    result = api.check([make_workbook(tmp_path / "x.xlsx", **kwargs)])
    assert codes(result) == expected


def test_every_problem_in_one_run(tmp_path):
    path = make_workbook(
        tmp_path / "x.xlsx",
        info={**INFO, "fiscal_year": "ปีหน้า", "score": 120},
        measures=[[1, "ม", "ว", "", "", "", ""], [2, "ม2", "ว", "สำนักปลัด", "", "ดําเนินการ", ""]],
    )
    found = {(f.code, f.cell) for f in api.check([path]).findings}
    assert found == {
        ("bad-fiscal-year", "B5"),
        ("score-out-of-range", "B9"),
        ("missing-value", "D3"),
        ("missing-value", "F3"),
        ("broken-thai", "F4"),
    }


def test_aliases_and_title_rows_and_line_breaks_in_headers(tmp_path):
    headers = [
        "ลำดับ",
        "มาตรการ/\nกิจกรรม",
        "วิธีการ",
        "ระยะเวลาการ ดำเนินการ",
        "ส่วนงานที่รับผิดชอบ",
        "สรุปผลการดำเนินการตามมาตรการหรือกิจกรรม",
        "ผลลัพธ์หรือความสำเร็จในการดำเนินการ",
        "งบประมาณ",
    ]
    rows = [[1, "มาตรการ", "วิธี", "ปีงบประมาณ 2565", "ทุกส่วนราชการ", "ผล", "ผลลัพธ์", "12,500"]]
    result = api.check([make_workbook(tmp_path / "x.xlsx", headers=headers, measures=rows, title_rows=2)])
    assert result.findings == ()
    m = result.workbooks[0].measures[0]
    assert (m.responsible, m.results, m.outcomes, str(m.budget)) == (("ทุกส่วนราชการ",), ("ผล",), ("ผลลัพธ์",), "12500")


def test_measure_over_several_rows_empty_and_merged(tmp_path):
    rows = [
        [1, "มาตรการหนึ่ง", "วิธี ๑", "สำนักปลัด", "ต.ค. 2564", "ผล ๑", ""],
        [None, None, "วิธี ๒", None, None, "ผล ๒", ""],
        [2, "มาตรการสอง", "วิธี ก", "สำนักปลัด", "", "ผล ก", ""],
        [None, None, "วิธี ข", None, None, "ผล ข", ""],
        [None, None, "", None, None, "ผล ค", ""],
    ]
    path = make_workbook(tmp_path / "x.xlsx", measures=rows, merges=["A5:A7", "B5:B7", "D5:D7"])
    result = api.check([path])
    assert result.findings == ()
    one, two = result.workbooks[0].measures
    assert one.methods == ("วิธี ๑", "วิธี ๒") and one.results == ("ผล ๑", "ผล ๒")
    assert two.methods == ("วิธี ก", "วิธี ข") and two.results == ("ผล ก", "ผล ข", "ผล ค")
    assert two.responsible == ("สำนักปลัด",)


def test_shuffled_and_duplicated_headers(tmp_path):
    headers = ["ผลการดำเนินการ", "มาตรการ", "ผู้รับผิดชอบ", "มาตรการ"]
    path = make_workbook(tmp_path / "x.xlsx", headers=headers, measures=[["ผล", "ม", "สำนักปลัด", "อื่น"]])
    result = api.check([path])
    assert codes(result) == [("duplicate-column", "มาตรการ", "D2")]
    assert result.workbooks[0].measures[0].title == "ม"


def test_names_spelt_differently_across_workbooks(tmp_path):
    a = make_workbook(tmp_path / "a.xlsx")
    b = make_workbook(tmp_path / "b.xlsx", info={**INFO, "department": "กองคลัง"})
    c = make_workbook(tmp_path / "c.xlsx", info={**INFO, "organisation": "เทศบาลตำบลบ้านต้อม", "department": "กองช่าง"})
    result = api.check([a, b, c])
    # c.xlsx's own position then also spells its (wrong) name differently
    assert [(f.code, f.file, f.cell) for f in result.findings] == [
        ("name-misspelt", "c.xlsx", "B8"),
        ("name-mismatch", "c.xlsx", "B2"),
    ]
    assert "a.xlsx, b.xlsx" in result.findings[1].message_en


def test_input_files_are_not_modified(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", measures=[[1, "ม", "ว", "", "", "", ""]])
    before = path.read_bytes()
    result = api.check([path])
    api.annotate(result, tmp_path / "annotated")
    assert path.read_bytes() == before


def test_annotate_highlights_problem_cells(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", measures=[[1, "ม", "ว", "", "", "ดําเนินการ", ""]])
    written = api.annotate(api.check([path]), tmp_path / "back")
    [copy] = written
    ws = load_workbook(copy)[standard.SHEET_MEASURES]
    assert ws["D3"].comment is not None and "missing-value" in ws["D3"].comment.text
    assert ws["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["F3"].fill.fgColor.rgb.endswith("FFEB9C")
    assert ws["B3"].comment is None


def test_misspelt_place():
    assert misspelt_place("นายกเทศมนตรีตำบลบ้านต่อม", "บ้านต๋อม") == "บ้านต่อม"
    assert misspelt_place("นายกเทศมนตรีตำบลบ้านต๋อม", "บ้านต๋อม") is None
    assert misspelt_place("สำนักปลัด", "บ้านต๋อม") is None


@pytest.mark.parametrize(
    ("score", "stated", "contradicts"),
    [
        (99.78, "ต้องปรับปรุง", True),
        (99.78, "AA", False),
        (93.05, "AA", True),
        (93.05, "ผ่าน", False),
        (60.0, "ผ่านดีเยี่ยม", True),
        (60.0, "", False),
    ],
)
def test_stated_level_contradiction(score, stated, contradicts):
    assert (stated_level_contradiction(score, stated) is not None) == contradicts


def test_folder_expands_to_workbooks_and_skips_lock_files(tmp_path):
    make_workbook(tmp_path / "org" / "a.xlsx")
    (tmp_path / "org" / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / "org" / "notes.txt").write_text("x")
    result = api.check([tmp_path / "org"])
    assert [wb.file for wb in result.workbooks] == ["a.xlsx"]


def test_headers_default_used_by_factory_match_standard():
    labels = {f.label for f in standard.MEASURE_COLUMNS}
    assert set(HEADERS) <= labels
    assert len(MEASURES[0]) == len(HEADERS)


def test_paths_are_path_objects(tmp_path):
    assert isinstance(make_workbook(tmp_path / "x.xlsx"), Path)


def test_regression_annotate_a_finding_inside_a_merged_range(tmp_path):
    """Found by test_properties: a finding at a cell inside a merged range crashed annotate."""
    rows = [[1, "ม", "ว", "สำนักปลัด", "", "", ""], [2, "ม2", "ว", "สำนักปลัด", "", "", ""]]
    path = make_workbook(tmp_path / "x.xlsx", measures=rows, merges=["F3:F4"])
    result = api.check([path])
    assert [(f.code, f.cell) for f in result.findings] == [("missing-value", "F3"), ("missing-value", "F4")]
    [copy] = api.annotate(result, tmp_path / "back")
    ws = load_workbook(copy)[standard.SHEET_MEASURES]
    assert ws["F3"].comment.text.count("missing-value") == 2  # F4's finding lands on the merged range's cell


def test_regression_annotate_a_finding_inside_overlapping_merged_ranges(tmp_path):
    """Found by test_properties (``hunt`` profile): a finding at a cell covered by two
    overlapping merged ranges (a crafted file; Excel never writes them) crashed annotate with
    exit 3: the top-left cell of the first range lay inside the second. The note now goes to
    the first top-left cell that can hold one (or to the problems sheet when none can)."""
    from wbfactory import label
    from xlsxraw import write_xlsx

    info = [[label("version"), standard.STANDARD_VERSION], *([label(k), v] for k, v in INFO.items())]
    measures = [HEADERS, [1, "ม", "ว", "สำนักปลัด", "", "ผล", ""], [2, "ม2", "ว", "สำนักปลัด", "", "ผล\uf70a", ""]]
    sheets = [(standard.SHEET_INFO, info), (standard.SHEET_MEASURES, measures)]
    path = write_xlsx(tmp_path / "x.xlsx", sheets, merges={standard.SHEET_MEASURES: ["E3:G5", "D2:F4"]})
    result = api.check([path])
    assert ("dropped-character", "F3") in [(f.code, f.cell) for f in result.findings]
    [copy] = api.annotate(result, tmp_path / "back")
    ws = load_workbook(copy)[standard.SHEET_MEASURES]
    assert "dropped-character" in ws["D2"].comment.text


def test_checking_again_reads_only_the_files_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server building again: unchanged files come from memory, by their content."""
    from compiler.workbook import check

    monkeypatch.setattr(check, "_remembered", type(check._remembered)(check._remembered.kept))
    a = make_workbook(tmp_path / "a.xlsx")
    b = make_workbook(tmp_path / "b.xlsx", info={**INFO, "organisation": "เทศบาลตำบลบ้านต้อม"})
    read = []
    real_read = check.read_workbook
    monkeypatch.setattr(check, "read_workbook", lambda path, **kw: read.append(path.name) or real_read(path, **kw))
    first = api.check([tmp_path])
    assert sorted(read) == ["a.xlsx", "b.xlsx"]
    again = api.check([tmp_path])
    assert sorted(read) == ["a.xlsx", "b.xlsx"] and again.findings == first.findings
    make_workbook(b, info=INFO)  # b changes: its content hash too
    third = api.check([tmp_path])
    assert sorted(read) == ["a.xlsx", "b.xlsx", "b.xlsx"]
    assert "name-mismatch" in {f.code for f in first.findings}
    assert "name-mismatch" not in {f.code for f in third.findings}
    assert {wb.file for wb in third.workbooks} == {a.name, b.name}


def test_a_workbook_naming_a_picture_is_checked_again(tmp_path: Path, render_png: Path) -> None:
    """Its findings depend on the picture in its folder, not only on its own bytes."""
    make_workbook(tmp_path / "in" / "a.xlsx", info={**INFO, "logo": "ตรา.png"})
    assert "bad-picture" in {f.code for f in api.check([tmp_path / "in"]).findings}
    (tmp_path / "in" / "ตรา.png").write_bytes(render_png.read_bytes())
    assert "bad-picture" not in {f.code for f in api.check([tmp_path / "in"]).findings}
