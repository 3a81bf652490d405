"""compiler.render: a Report becomes the official Word report."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docxtext import without_hints
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import api, errors, thai
from compiler.docx import docxzip
from compiler.docx import typeset as typeset
from compiler.model import DepartmentPart, MergedMeasure, Report
from compiler.report import render
from compiler.report.template_builder import LAYOUTS

MakeReport = Callable[..., Report]


def _render(report, tmp_path: Path, name: str = "report.docx", **kw) -> docx.document.Document:  # type: ignore[no-untyped-def]
    out = render.render_report(report, tmp_path / name, **kw)
    return without_hints(docx.Document(str(out)))


def _texts(doc) -> list[str]:  # type: ignore[no-untyped-def]
    """Body paragraphs and every table cell's text, in document order."""
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.extend(cell.text for cell in row.cells)
    return out


def _cell_paragraphs(cell) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in cell.paragraphs]


# --- layouts ------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_layout_keeps_only_its_table(render_make_report: MakeReport, tmp_path: Path, layout: str) -> None:
    doc = _render(render_make_report(layout=layout), tmp_path)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [c.header for c in LAYOUTS[layout]]
    assert len(table.rows) == 1 + 2  # header + one row per measure


def test_measures_layout_cells(render_make_report: MakeReport, tmp_path: Path) -> None:
    table = _render(render_make_report(layout="measures"), tmp_path).tables[0]
    first, second = table.rows[1].cells, table.rows[2].cells
    # under the title: the columns this layout has none for, each line headed by its name
    assert _cell_paragraphs(first[0]) == [
        "๑. การเสริมสร้างแนวคิดในการปฏิบัติงาน",
        "ตัวชี้วัด: กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ",
        "ผลลัพธ์: ยกระดับผลการประเมิน",
    ]
    # a title numbered already is not numbered twice
    assert _cell_paragraphs(second[0]) == [
        "๒. ปรับปรุงประสิทธิภาพในระบบการทำงาน",
        "ตัวชี้วัด: การให้บริการและระบบ E-Service",
        "งบประมาณ: ๑๒,๕๐๐ บาท",
        "ผลลัพธ์ (กองคลัง): ประชาชนรับทราบ",
    ]
    heads = [next(r for r in p.runs if r.text).bold for p in second[0].paragraphs if p.text.strip()]
    assert heads == [None, True, True, True]
    assert _cell_paragraphs(first[1]) == [
        "๑. แต่งตั้ง คณะทำงานและกำกับติดตามผลในการดำเนินงาน",
        "๒. แจ้งให้ทุกหน่วยงานราชการ ทราบแนวทางในการปฏิบัติ ITA ประจำปี ๒๕๖๕",
    ]
    assert _cell_paragraphs(second[2]) == ["สำนักปลัด", "กองคลัง"]
    assert _cell_paragraphs(second[3]) == ["ธ.ค. ๒๕๖๔ – เม.ย. ๒๕๖๕", "พ.ค. ๒๕๖๕ – ก.ย. ๒๕๖๕"]
    # URLs keep their Arabic digits
    assert _cell_paragraphs(first[4]) == ["๑.มีการประชุมเพื่อกำหนดแนวทาง", "๒.มีการประชาสัมพันธ์ ดู www.bantom.go.th/2565"]
    assert _cell_paragraphs(first[5]) == ["หากมีบุคลากรบรรจุ/โอน/ย้าย ควรแจ้งสำนักปลัด"]


def test_grouped_results_led_by_bold_department_names(render_make_report: MakeReport, tmp_path: Path) -> None:
    """Each department's first line starts with its name in bold (not a line of its own:
    phon_sai's report took a fifth page with the names on lines of their own)."""
    table = _render(render_make_report(layout="measures"), tmp_path).tables[0]
    cell = table.rows[2].cells[4]
    assert _cell_paragraphs(cell) == [
        "สำนักปลัด ปรับปรุงเว็บไซต์หลักของหน่วยงาน",
        "กองคลัง เผยแพร่แผนการจัดซื้อจัดจ้าง ๑๒ รายการ",
    ]
    for para, name in zip(cell.paragraphs, ["สำนักปลัด", "กองคลัง"], strict=True):
        runs = [r for r in para.runs if r.text]
        assert [r.text.strip() for r in runs if r.bold] == [name]
        assert not any(r.bold for r in runs[1:])  # the text itself is plain
        assert runs[0]._r.rPr.find(qn("w:bCs")) is not None  # bold for Thai too
    # a measure from one department has no department line
    assert _cell_paragraphs(table.rows[1].cells[4])[0] == "๑.มีการประชุมเพื่อกำหนดแนวทาง"


def test_numbered_layout_number_and_budget(render_make_report: MakeReport, tmp_path: Path) -> None:
    table = _render(render_make_report(layout="numbered"), tmp_path).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == ["๑", "๒"]
    assert _cell_paragraphs(table.rows[1].cells[1]) == [
        "การเสริมสร้างแนวคิดในการปฏิบัติงาน",  # not numbered: ลำดับ has the number
        "ตัวชี้วัด: กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ",
        "ข้อเสนอแนะ: หากมีบุคลากรบรรจุ/โอน/ย้าย ควรแจ้งสำนักปลัด",
    ]
    assert [r[7] for r in rows] == ["ไม่ใช้งบประมาณ", "๑๒,๕๐๐ บาท"]
    assert _cell_paragraphs(table.rows[2].cells[6]) == ["กองคลัง ประชาชนรับทราบ"]


def test_indicators_layout_scores(render_make_report: MakeReport, tmp_path: Path) -> None:
    table = _render(render_make_report(layout="indicators"), tmp_path).tables[0]
    first, second = table.rows[1].cells, table.rows[2].cells
    assert _cell_paragraphs(first[0]) == ["๑. กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ"]
    assert _cell_paragraphs(first[1])[0] == "การเสริมสร้างแนวคิดในการปฏิบัติงาน"
    assert _cell_paragraphs(first[1])[1].startswith("๑. แต่งตั้ง")
    assert _cell_paragraphs(first[1])[3:] == [
        "ระยะเวลา: ต.ค. ๒๕๖๔ – พ.ย. ๒๕๖๔",
        "ข้อเสนอแนะ: หากมีบุคลากรบรรจุ/โอน/ย้าย ควรแจ้งสำนักปลัด",
    ]
    assert _cell_paragraphs(second[1])[2:] == [
        "ระยะเวลา: ธ.ค. ๒๕๖๔ – เม.ย. ๒๕๖๕",
        "พ.ค. ๒๕๖๕ – ก.ย. ๒๕๖๕",
        "งบประมาณ: ๑๒,๕๐๐ บาท",
    ]
    assert _cell_paragraphs(first[3]) == ["ยกระดับผลการประเมิน", "(i๔ : ๑๐๐ คะแนน)", "(i๕ : ๙๖.๗๖ คะแนน)"]
    assert _cell_paragraphs(second[3])[-1] == "(e๕ : ๙๙.๕๒ คะแนน)"
    assert _cell_paragraphs(second[4]) == ["สำนักปลัด", "กองคลัง"]


def test_indicator_code_without_score_is_left_out(render_make_report: MakeReport, tmp_path: Path) -> None:
    doc = _render(render_make_report(layout="indicators", scores={"I4": 88.5}), tmp_path)
    assert _cell_paragraphs(doc.tables[0].rows[1].cells[3]) == ["ยกระดับผลการประเมิน", "(i๔ : ๘๘.๕ คะแนน)"]


# --- cover, introduction, signature --------------------------------------------------------
def test_cover_heading_and_signature(render_make_report: MakeReport, tmp_path: Path) -> None:
    texts = [p.text for p in _render(render_make_report(), tmp_path).paragraphs if p.text]
    assert texts[:5] == [
        "รายงานการดำเนินการ",
        "ตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "ประจำปีงบประมาณ พ.ศ. ๒๕๖๕",
        "เทศบาลตำบลบ้านต๋อม",
        "อำเภอเมือง จังหวัดพะเยา",
    ]
    assert texts[5:7] == [
        "รายงานผลการดำเนินการมาตรการส่งเสริมคุณธรรมและความโปร่งใส",
        "ของเทศบาลตำบลบ้านต๋อม ประจำปีงบประมาณ พ.ศ. ๒๕๖๕",
    ]
    assert texts[7].startswith("ตามที่ได้ดำเนินการวิเคราะห์ผลการประเมิน ITA ของเทศบาลตำบลบ้านต๋อม")
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๔" in texts[7]  # last year's assessment
    assert "คะแนน" not in texts[7]
    assert texts[-2:] == ["(นายสุภชาติ สันกวาน)", "นายกเทศมนตรีตำบลบ้านต๋อม"]
    assert not any("{%" in t or "{{" in t for t in texts)


def test_score_sentence_when_a_score_is_given(render_make_report: MakeReport, tmp_path: Path) -> None:
    texts = [p.text for p in _render(render_make_report(score=93.05), tmp_path).paragraphs]
    intro = next(t for t in texts if t.startswith("จากการประเมิน"))
    assert "โดยภาพรวมได้ คะแนน ๙๓.๐๕ คะแนน" in intro
    assert not any(t.startswith("ตามที่ได้ดำเนินการ") for t in texts)


def test_district_and_province_prefixes_not_doubled(render_make_report: MakeReport, tmp_path: Path) -> None:
    texts = _texts(_render(render_make_report(district="อำเภอเมือง", province="จ.พะเยา"), tmp_path))
    assert "อำเภอเมือง จังหวัดพะเยา" in texts


def test_missing_executive_leaves_a_line_to_fill(render_make_report: MakeReport, tmp_path: Path) -> None:
    texts = [p.text for p in _render(render_make_report(executive=""), tmp_path).paragraphs if p.text]
    assert texts[-2] == f"({render.NO_EXECUTIVE})"


# --- digits -------------------------------------------------------------------------------
_ARABIC_ALLOWED = re.compile(r"www\.\S+")


def test_every_digit_thai_except_urls(render_make_report: MakeReport, tmp_path: Path) -> None:
    texts = _texts(_render(render_make_report(layout="numbered", score=93.05), tmp_path))
    leftovers = [t for t in texts if re.search("[0-9]", _ARABIC_ALLOWED.sub("", t))]
    assert leftovers == []
    assert any("๒๕๖๕" in t for t in texts)


def test_arabic_digits_option(render_make_report: MakeReport, tmp_path: Path) -> None:
    doc = _render(render_make_report(layout="numbered", score=93.05), tmp_path, digits="arabic")
    texts = _texts(doc)
    assert "ประจำปีงบประมาณ พ.ศ. 2565" in texts
    assert "12,500 บาท" in texts
    assert not any(re.search("[๐-๙]", t) for t in texts)
    fmt = doc.sections[-1]._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt"))
    assert fmt == "decimal"


def test_bad_digits_or_layout_is_a_usage_error(render_make_report: MakeReport, tmp_path: Path) -> None:
    with pytest.raises(errors.UsageError):
        render.report_context(render_make_report(), "roman")
    with pytest.raises(errors.UsageError):
        render.render_report(render_make_report(layout="wide"), tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


# --- typography in the written file -------------------------------------------------------
def test_thai_typography_in_the_file(render_make_report: MakeReport, tmp_path: Path) -> None:
    doc = _render(render_make_report(), tmp_path)
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:cs")) == "TH Sarabun New"
    assert defaults.find(qn("w:szCs")).get(qn("w:val")) == "32"
    assert defaults.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
    assert not [f for f in styles.iter(qn("w:rFonts")) if f.get(qn("w:cstheme"))]
    cover, body = doc.sections[0], doc.sections[-1]
    assert cover.orientation == docx.enum.section.WD_ORIENT.PORTRAIT
    assert body.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    size = body._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h")), size.get(qn("w:orient"))) == ("16838", "11906", "landscape")
    assert round(body.left_margin.cm, 2) == 3.0 and round(body.right_margin.cm, 2) == 2.0
    table = doc.tables[0]._tbl
    rows = table.findall(qn("w:tr"))
    assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    assert not list(table.iter(qn("w:cantSplit")))
    assert cover._sectPr.find(qn("w:titlePg")) is not None
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt")) == "thaiNumbers"
    intro = next(p for p in doc.paragraphs if p.text.startswith("ตามที่"))
    assert intro.style.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.THAI_JUSTIFY


def test_page_number_field_in_header(render_make_report: MakeReport, tmp_path: Path) -> None:
    out = render.render_report(render_make_report(), tmp_path / "r.docx")
    with zipfile.ZipFile(out) as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
    numbered = [h for h in headers if "PAGE" in h]
    assert len(numbered) == 1
    assert re.search(r"- </w:t>.*PAGE.* -</w:t>", numbered[0], re.S)


# --- cell text is data --------------------------------------------------------------------
HOSTILE = [
    "{{ organisation }}",
    "{% for x in measures %}loop{% endfor %}",
    "{%p if layout %}",
    "{%tr endfor %}",
    "{# comment #}",
    "<w:p><w:r><w:t>inject</w:t></w:r></w:p>",
    "ก & ข < ค > ง \"quoted\" 'single'",
    "]]> <!-- --> &amp; &#x41;",
    "{_{ not a tag }_} {_% x %_}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_out_literally(render_make_report: MakeReport, tmp_path: Path, text: str) -> None:
    base = render_make_report()
    first = base.measures[0]
    measure = replace(
        first,
        title=text,
        methods=(text,),
        parts=(DepartmentPart("สำนักปลัด", results=(text,)),),
    )
    report = replace(base, measures=(measure,), organisation=replace(base.organisation, name=text))
    doc = _render(report, tmp_path)
    expected = thai.to_thai_digits(text)
    cells = doc.tables[0].rows[1].cells
    assert _cell_paragraphs(cells[0])[0] == "๑. " + expected
    assert cells[1].text == expected
    assert cells[4].text == expected
    assert expected in [p.text for p in doc.paragraphs]  # the organisation on the cover


def test_forbidden_xml_characters_are_dropped(render_make_report: MakeReport, tmp_path: Path) -> None:
    base = render_make_report()
    measure = replace(base.measures[0], title="ผล\x00การ\x0bดำเนิน\x1fงาน\ufffe")
    doc = _render(replace(base, measures=(measure,)), tmp_path)
    assert _cell_paragraphs(doc.tables[0].rows[1].cells[0])[0] == "๑. ผลการดำเนินงาน"


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("{}%#<>&\"'_ \x01\x0bกขคงะาิีึุู่้๊๋ำ๑๒ABCxyz.-/"),
        st.characters(blacklist_categories=("Cs", "Cc")),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT)
def test_any_result_text_round_trips(
    render_make_report: MakeReport, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    base = render_make_report()
    measure = replace(base.measures[0], parts=(DepartmentPart("สำนักปลัด", results=(text,)),))
    tmp = tmp_path_factory.mktemp("prop")
    doc = _render(replace(base, measures=(measure,)), tmp, digits="arabic")
    text = text.replace("\u200b", "").replace("\u2060", "")  # the line-break hints are stripped below
    lines = [thai.digits(line.strip(), "arabic") for line in thai.xml_safe(text).split("\n") if line.strip()]
    expected = [piece for line in lines for piece in typeset.paragraphs(line)]
    assert [p.text for p in doc.tables[0].rows[1].cells[4].paragraphs if p.text] == expected


def test_regression_libreoffice_spins_on_a_32767_character_cell(render_make_report: MakeReport, tmp_path: Path) -> None:
    """A result cell of 32,767 characters without a line break was one paragraph, and
    LibreOffice, whose layout time grows with the square of a paragraph's length, spun for
    minutes over it. Now it is paragraphs of at most typeset.PARAGRAPH_LIMIT characters, cut
    at spaces (or between Thai words), with every character kept."""
    text = ("ผลการดำเนินงาน😀ตามมาตรการส่งเสริมคุณธรรม " * 1000)[:32767]
    base = render_make_report()
    measure = replace(base.measures[0], parts=(DepartmentPart("สำนักปลัด", results=(text, "ผลสั้น")),))
    doc = _render(replace(base, measures=(measure,)), tmp_path, digits="arabic")  # the real-reader check converts it
    cell = [p for p in _cell_paragraphs(doc.tables[0].rows[1].cells[4]) if p]
    assert len(cell) > 16 and max(map(len, cell)) <= typeset.PARAGRAPH_LIMIT
    assert " ".join(cell[:-1]).split() == text.split() and cell[-1] == "ผลสั้น"


def test_empty_fields_still_give_valid_cells(render_make_report: MakeReport, tmp_path: Path) -> None:
    bare = MergedMeasure(
        number=None, title="มาตรการเดียว", indicator="", indicator_codes=(), methods=(),
        responsible=(), period=(), parts=(),
    )  # fmt: skip
    for layout in LAYOUTS:
        doc = _render(render_make_report(layout=layout, measures=(bare,)), tmp_path, name=f"{layout}.docx")
        for tc in doc.tables[0]._tbl.iter(qn("w:tc")):
            assert tc[-1].tag == qn("w:p")
    assert _texts(doc)  # the last one opened fine


def test_no_measures_gives_header_row_only(render_make_report: MakeReport, tmp_path: Path) -> None:
    doc = _render(render_make_report(measures=()), tmp_path)
    assert len(doc.tables[0].rows) == 1


# --- logo ---------------------------------------------------------------------------------
def test_logo_on_the_cover(render_make_report: MakeReport, render_png: Path, tmp_path: Path) -> None:
    doc = _render(render_make_report(logo=str(render_png)), tmp_path)
    drawings = list(doc.element.body.iter(qn("w:drawing")))
    assert len(drawings) == 1
    extent = drawings[0].find(".//" + qn("wp:extent"))
    assert abs(int(extent.get("cy")) - 3 * 360000) < 1000  # 3 cm high


def test_missing_logo_is_an_input_error(render_make_report: MakeReport, tmp_path: Path) -> None:
    with pytest.raises(errors.InputError):
        render.render_report(render_make_report(logo=str(tmp_path / "none.png")), tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()


# --- safe output --------------------------------------------------------------------------
def test_existing_output_needs_force(render_make_report: MakeReport, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    out.write_bytes(b"keep me")
    with pytest.raises(errors.OutputError) as info:
        render.render_report(render_make_report(), out)
    assert "--force" in info.value.message_th and "--force" in info.value.message_en
    assert out.read_bytes() == b"keep me"
    render.render_report(render_make_report(), out, force=True)
    assert zipfile.is_zipfile(out)


def test_failed_write_leaves_nothing(
    render_make_report: MakeReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(document, stream, blobs=None) -> None:  # type: ignore[no-untyped-def]
        stream.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docxzip, "write_document", boom)  # what save_document writes with
    with pytest.raises(errors.OutputError) as info:
        render.render_report(render_make_report(), tmp_path / "report.docx")
    assert "disk is full" in info.value.message_en
    assert os.listdir(tmp_path) == []


@pytest.mark.not_a_document("junk.docx is a broken template, on purpose")
def test_template_errors(render_make_report: MakeReport, tmp_path: Path) -> None:
    with pytest.raises(errors.TemplateError):
        render.render_report(render_make_report(), tmp_path / "a.docx", template=tmp_path / "none.docx")
    bad = docx.Document()
    bad.add_paragraph("{{ no_such_variable }}")
    bad.save(str(tmp_path / "bad.docx"))
    with pytest.raises(errors.TemplateError) as info:
        render.render_report(render_make_report(), tmp_path / "b.docx", template=tmp_path / "bad.docx")
    assert "no_such_variable" in info.value.message_en
    (tmp_path / "junk.docx").write_bytes(b"not a zip")
    with pytest.raises(errors.TemplateError) as info:
        render.render_report(render_make_report(), tmp_path / "c.docx", template=tmp_path / "junk.docx")
    with zipfile.ZipFile(tmp_path / "nopart.docx", "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(errors.TemplateError) as other:
        render.render_report(render_make_report(), tmp_path / "d.docx", template=tmp_path / "nopart.docx")
    for error, why in ((info.value, "ต้องเป็นไฟล์ zip"), (other.value, "ขาดส่วนประกอบ")):
        # the Thai line says why in Thai; python-docx's English words stay in the English line
        thai_line = error.message_th.replace(error.where, "")
        assert why in thai_line
        for name in (".docx", ".doc", "Word", "zip"):  # names, not English words
            thai_line = thai_line.replace(name, "")
        assert not re.search("[A-Za-z]{3,}", thai_line), thai_line
    assert "[Content_Types].xml" in other.value.message_en
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.docx", "junk.docx", "nopart.docx"]


def test_context_is_plain_data(render_make_report: MakeReport) -> None:
    ctx = render.report_context(render_make_report(score=99.5))
    assert ctx["fiscal_year"] == "๒๕๖๕" and ctx["previous_year"] == "๒๕๖๔"
    assert ctx["score"] == "๙๙.๕" and ctx["level"] == "AA"
    assert ctx["logo"] == ""
    m = ctx["measures"][1]
    assert m["grouped"] is True and m["departments"] == ["สำนักปลัด", "กองคลัง"]
    assert m["budget"] == "๑๒,๕๐๐ บาท"
    assert ctx["measures"][0]["budget"] == thai.format_budget(Decimal(0))


# --- nothing filled is dropped (issue 12) ----------------------------------------------------
def _clerk_books(tmp_path: Path) -> Path:
    """A department that filled every column, the budget 250,000 baht, indicators given."""
    from wbfactory import make_workbook

    headers = ["ลำดับ", "ตัวชี้วัด", "มาตรการ", "วิธีการดำเนินการ", "ผู้รับผิดชอบ", "ระยะเวลา",
               "ผลการดำเนินการ", "ผลลัพธ์", "ข้อเสนอแนะ", "งบประมาณ"]  # fmt: skip
    rows = [[1, "การเปิดเผยข้อมูล (o12)", "ปรับปรุงเว็บไซต์", "จ้างผู้พัฒนา", "สำนักปลัด", "ต.ค. 2564 – ธ.ค. 2564",
             "เว็บไซต์ใหม่", "ประชาชนเข้าถึงข้อมูล", "ควรมีงบดูแลรายปี", "250,000"]]  # fmt: skip
    return make_workbook(tmp_path / "in" / "สำนักปลัด.xlsx", headers=headers, measures=rows)


@pytest.mark.parametrize(
    ("layout", "also"),
    [
        ("indicators", ["ระยะเวลา: ต.ค. ๒๕๖๔ – ธ.ค. ๒๕๖๔", "งบประมาณ: ๒๕๐,๐๐๐ บาท", "ข้อเสนอแนะ: ควรมีงบดูแลรายปี"]),
        ("numbered", ["ตัวชี้วัด: การเปิดเผยข้อมูล", "ข้อเสนอแนะ: ควรมีงบดูแลรายปี"]),
        ("measures", ["ตัวชี้วัด: การเปิดเผยข้อมูล", "งบประมาณ: ๒๕๐,๐๐๐ บาท", "ผลลัพธ์: ประชาชนเข้าถึงข้อมูล"]),
    ],
)
def test_every_filled_column_reaches_the_report(tmp_path: Path, layout: str, also: list[str]) -> None:
    book = _clerk_books(tmp_path)
    result = api.build([book.parent], tmp_path / "r.docx", layout=layout)
    assert result.findings == ()
    table = without_hints(docx.Document(str(tmp_path / "r.docx"))).tables[0]
    lines = [line for cell in table.rows[1].cells for line in _cell_paragraphs(cell)]
    assert [line for line in lines if line in also] == also


def test_own_template_without_also_warns_per_dropped_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A secretary's template made before ``m.also``: each dropped column is a warning naming
    its cells and the layouts that show it."""
    from compiler.report import template_builder

    old = {
        name: tuple(replace(c, content=tuple(x for x in c.content if x[1] != "m.also")) for c in columns)
        for name, columns in template_builder.LAYOUTS.items()
    }
    monkeypatch.setattr(template_builder, "LAYOUTS", old)
    [template] = template_builder.write_templates(tmp_path / "tpl")
    book = _clerk_books(tmp_path)
    result = api.build([book.parent], tmp_path / "r.docx", template=template)
    assert [(f.code, f.cell) for f in result.findings] == [
        ("column-not-shown", "F3"),
        ("column-not-shown", "J3"),
        ("column-not-shown", "I3"),
    ]
    assert "--layout numbered" in result.findings[1].message_en and "indicators" in result.findings[1].message_en
    assert api.build([book.parent], tmp_path / "r2.docx").findings == ()


def test_document_properties_describe_the_report(
    render_make_report: MakeReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the report said 'Microsoft Macintosh Word', Normal.dotm, created 2024-01-01,
    and carried python-docx's default thumbnail."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = render.render_report(render_make_report(), tmp_path / "report.docx")
    props = docx.Document(str(out)).core_properties
    assert props.author == "เทศบาลตำบลบ้านต๋อม" and "เทศบาลตำบลบ้านต๋อม" in props.title
    assert "ITA" in props.subject
    assert props.created.isoformat()[:19] == props.modified.isoformat()[:19] == "2023-11-14T22:13:20"
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        app = z.read("docProps/app.xml").decode()
    assert not [n for n in names if "thumbnail" in n]
    assert "Microsoft" not in app and "Normal.dotm" not in app and "<Application>ita-report</Application>" in app
