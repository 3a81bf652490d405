"""compiler.typeset: Thai official typography helpers."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from compiler import errors
from compiler.docx import templating
from compiler.docx import typeset as typeset


def _tags(el) -> list[str]:  # type: ignore[no-untyped-def]
    return [child.tag.split("}")[1] for child in el]


def test_new_document_sets_thai_fonts_size_and_language() -> None:
    doc = typeset.new_document()
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {"TH Sarabun New"}
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == "32"
    assert rpr.find(qn("w:szCs")).get(qn("w:val")) == "32"
    assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
    # theme fonts would override the named ones in Word
    theme = [f for f in styles.iter(qn("w:rFonts")) if any("theme" in a.lower() for a in f.attrib)]
    assert theme == []
    normal = doc.styles["Normal"].element.rPr
    assert normal.find(qn("w:rFonts")).get(qn("w:cs")) == "TH Sarabun New"
    assert normal.find(qn("w:szCs")).get(qn("w:val")) == "32"


def test_new_document_is_a4_with_official_margins() -> None:
    section = typeset.new_document().sections[0]
    size = section._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")
    margins = section._sectPr.find(qn("w:pgMar"))
    got = {k: margins.get(qn(f"w:{k}")) for k in ("left", "right", "top", "bottom")}
    assert got == {"left": "1701", "right": "1134", "top": "1417", "bottom": "1134"}


def test_new_document_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    typeset.new_document().save(str(a))
    typeset.new_document().save(str(b))
    assert docx.Document(str(a)).core_properties.modified == docx.Document(str(b)).core_properties.modified


def test_set_thai_font_keeps_schema_order() -> None:
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:color"))
    rpr.append(OxmlElement("w:lang"))
    typeset.set_thai_font(rpr, size_pt=14, bold=True, italic=True)
    assert _tags(rpr) == ["rFonts", "b", "bCs", "i", "iCs", "color", "sz", "szCs", "lang"]
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == "28"
    typeset.set_thai_font(rpr, bold=False)
    assert rpr.find(qn("w:bCs")).get(qn("w:val")) == "0"


def test_paragraph_style_bold_sets_complex_script_bold() -> None:
    doc = typeset.new_document()
    style = typeset.add_paragraph_style(doc, "Thai Heading", size_pt=18, bold=True, align="thai", first_line_cm=2.5)
    rpr = style.element.rPr
    assert rpr.find(qn("w:b")) is not None and rpr.find(qn("w:bCs")) is not None
    assert rpr.find(qn("w:szCs")).get(qn("w:val")) == "36"
    assert style.element.pPr.find(qn("w:jc")).get(qn("w:val")) == "thaiDistribute"
    assert round(style.paragraph_format.first_line_indent.cm, 2) == 2.5
    assert typeset.add_paragraph_style(doc, "Thai Heading", size_pt=20) is not None  # update, no error


def test_thai_justify() -> None:
    para = typeset.new_document().add_paragraph("ก")
    typeset.thai_justify(para)
    assert para._p.pPr.find(qn("w:jc")).get(qn("w:val")) == "thaiDistribute"


def test_run_bold_sets_b_and_bcs() -> None:
    run = typeset.new_document().add_paragraph().add_run("กองคลัง")
    typeset.set_run_bold(run)
    assert _tags(run._r.rPr) == ["b", "bCs"]


def test_landscape_section_continues_numbering() -> None:
    doc = typeset.new_document()
    typeset.add_page_numbers(doc.sections[0])
    section = typeset.add_section(doc, landscape=True)
    size = section._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h")), size.get(qn("w:orient"))) == ("16838", "11906", "landscape")
    assert round(typeset.text_width(section).cm, 1) == 24.7
    num = section._sectPr.find(qn("w:pgNumType"))
    assert num.get(qn("w:fmt")) == "thaiNumbers" and num.get(qn("w:start")) is None
    assert section._sectPr.find(qn("w:titlePg")) is None
    first = doc.sections[0]._sectPr
    assert first.find(qn("w:titlePg")) is not None
    assert first.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    assert _tags(first).index("pgNumType") < _tags(first).index("cols") < _tags(first).index("titlePg")


def test_page_numbers_between_hyphens_and_digits_switch() -> None:
    doc = typeset.new_document()
    typeset.add_page_numbers(doc.sections[0])
    header = doc.sections[0].header.paragraphs[0]
    assert header.text == "- 1 -"  # the cached field result; Word and LibreOffice recompute it
    instr = [el.text for el in header._p.iter(qn("w:instrText"))]
    assert instr == [" PAGE "]
    langs = {r.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) for r in header._p.iter(qn("w:r"))}
    assert langs == {"th-TH"}
    assert doc.sections[0].first_page_header.paragraphs[0].text == ""
    typeset.set_page_number_digits(doc, "arabic")
    assert doc.sections[0]._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt")) == "decimal"
    langs = {r.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) for r in header._p.iter(qn("w:r"))}
    assert langs == {"en-US"}


def test_table_header_repeats_and_rows_may_break() -> None:
    doc = typeset.new_document()
    table = typeset.add_table(doc, [3.0, 5.0], ["มาตรการ", "ผล"], body_rows=2)
    rows = table._tbl.findall(qn("w:tr"))
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    assert not list(table._tbl.iter(qn("w:cantSplit")))
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert grid == [1701, 2835]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert [c.text for c in table.rows[0].cells] == ["มาตรการ", "ผล"]
    tcpr = table.rows[0].cells[0]._tc.tcPr
    assert _tags(tcpr) == ["tcW", "shd", "vAlign"]


def test_allow_row_break_removes_cant_split() -> None:
    doc = typeset.new_document()
    row = typeset.add_table(doc, [3.0], body_rows=1).rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    typeset.allow_row_break(row)
    assert row._tr.trPr.find(qn("w:cantSplit")) is None


def test_ensure_cell_paragraphs() -> None:
    doc = typeset.new_document()
    table = typeset.add_table(doc, [3.0, 3.0], body_rows=1)
    tc = table.rows[0].cells[0]._tc
    for p in tc.findall(qn("w:p")):
        tc.remove(p)
    assert typeset.ensure_cell_paragraphs(doc) == 1
    assert tc[-1].tag == qn("w:p")
    assert typeset.ensure_cell_paragraphs(doc) == 0


def test_picture_and_kept_space(render_png: Path, tmp_path: Path) -> None:
    doc = typeset.new_document()
    para = doc.add_paragraph()
    typeset.add_picture(para, render_png, 1.5)
    extent = para._p.find(".//" + qn("wp:extent"))
    assert abs(int(extent.get("cy")) - 540000) < 1000  # 1.5 cm
    space = doc.add_paragraph()
    typeset.add_image_space(space, 3.0)
    fmt = space.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and round(fmt.line_spacing.cm, 1) == 3.0
    with pytest.raises(errors.InputError):
        typeset.add_picture(doc.add_paragraph(), tmp_path / "missing.png", 3)
    not_image = tmp_path / "x.png"
    not_image.write_text("hello")
    with pytest.raises(errors.InputError):
        typeset.add_picture(doc.add_paragraph(), not_image, 3)


def test_data_text_escapes_and_protects() -> None:
    text = templating.data_text("ก & {_{ x }_} <b>\x00")
    assert str(text) == "ก & {_{ x }_} <b>"
    html = text.__html__()  # type: ignore[attr-defined]
    assert html == "ก &amp; {&#95;{ x }&#95;} &lt;b&gt;"
    wrapped = templating.wrap_data({"a": ["x\x01", ("y",)], "n": 3})
    assert wrapped == {"a": ["x", ["y"]], "n": 3}


def _template(tmp_path: Path, *texts: str) -> Path:
    doc = typeset.new_document()
    for text in texts:
        doc.add_paragraph(text)
    path = tmp_path / "t.docx"
    doc.save(str(path))
    return path


def test_render_template_is_strict_and_escapes(tmp_path: Path) -> None:
    tpl = templating.open_template(_template(tmp_path, "ชื่อ {{ name }}"))
    doc = templating.render_template(tpl, {"name": "{{ name }} & <x>"})
    assert doc.paragraphs[0].text == "ชื่อ {{ name }} & <x>"
    tpl = templating.open_template(_template(tmp_path, "{{ missing }}"))
    with pytest.raises(errors.TemplateError) as info:
        templating.render_template(tpl, {})
    assert "missing" in info.value.message_en
    tpl = templating.open_template(_template(tmp_path, "{% if %}"))
    with pytest.raises(errors.TemplateError):
        templating.render_template(tpl, {})


def test_save_document_is_atomic_and_refuses_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    templating.save_document(typeset.new_document(), out)
    with pytest.raises(errors.OutputError):
        templating.save_document(typeset.new_document(), out)
    assert [p.name for p in tmp_path.iterdir()] == ["d.docx"]
