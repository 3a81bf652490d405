"""compiler.announce and compiler.documents.template_builder: the official documents in Word (and PDF)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docxtext import docx_lines, in_order, without_hints
from lxml import etree
from openpyxl import load_workbook

from compiler import api, errors
from compiler.cli import main
from compiler.documents import template_builder as templates_documents
from compiler.documents.model import Block, Comment, Document, OfficialDate, Signature
from compiler.documents.parse import document_kind
from compiler.documents.render import MEASURES_FILE, TEMPLATES, document_context, measures_announcement, render_document
from compiler.documents.sheets import write_document_sheet
from compiler.documents.spec import DocumentKind
from compiler.docx import pdf, templating
from compiler.docx import typeset as typeset
from compiler.model import Organisation

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.sample_documents import DOCUMENTS, DOCUMENTS_DEPARTMENT  # noqa: E402

SAMPLES = ROOT / "sample_workbooks"
GOLDEN = Path(__file__).parent / "golden"
#: (organisation, file written, golden name, PDF pages in LibreOffice with Laksaman)
OUTPUTS = [
    ("ban_tom_2565", MEASURES_FILE, "measures", 2),
    ("ban_tom_2565", "คำสั่ง.docx", "order", 4),
    ("ban_tom_2565", "ประกาศ.docx", "announcement", 2),
    ("phon_sai_2568", MEASURES_FILE, "measures", 2),
    ("phon_sai_2568", "ประกาศ.docx", "announcement", 4),
    ("phu_sang_2567", MEASURES_FILE, "measures", 3),
    ("phu_sang_2567", "บันทึกข้อความ.docx", "memo", 3),
]
NAMES = {
    "ban_tom_2565": "เทศบาลตำบลบ้านต๋อม",
    "phon_sai_2568": "เทศบาลตำบลโพนทราย",
    "phu_sang_2567": "องค์การบริหารส่วนตำบลภูซาง",
}
#: The seeds' misspellings of the organisations' names: never in a generated document.
MISSPELT = ("บ้านต้อม", "บ้านต่อม", "โพธาราย")
ORG = Organisation(
    name="เทศบาลตำบลบ้านต๋อม",
    district="เมือง",
    province="พะเยา",
    fiscal_year=2565,
    executive="นายสุภชาติ สันกวาน",
    executive_position="นายกเทศมนตรีตำบลบ้านต๋อม",
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def add_documents(folder: Path, org: str) -> None:
    """Write the org's document sheets (tools/sample_documents.py) into its workbook."""
    path = folder / f"{DOCUMENTS_DEPARTMENT}.xlsx"
    wb = load_workbook(path)
    for name, rows in DOCUMENTS[org].items():
        if name in wb.sheetnames:
            wb.remove(wb[name])
        kind = document_kind(name)
        assert kind is not None
        write_document_sheet(wb.create_sheet(name), kind, rows)
    wb.save(path)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    """Each seed organisation's workbooks with its documents, announced into a folder."""
    root = tmp_path_factory.mktemp("announce")
    out: dict[str, tuple[Any, Path]] = {}
    for org in DOCUMENTS:
        shutil.copytree(SAMPLES / org, root / "in" / org)
        add_documents(root / "in" / org, org)
        result = api.announce([root / "in" / org], root / "out" / org)
        assert result.errors == (), result.errors
        out[org] = (result, root / "out" / org)
    return out


# --- the seeds' documents ---------------------------------------------------------------------
def test_every_document_is_written(written: dict[str, tuple[Any, Path]]) -> None:
    for org, (result, folder) in written.items():
        expected = sorted(name for o, name, _, _ in OUTPUTS if o == org)
        assert sorted(p.name for p in result.written) == expected
        assert sorted(p.name for p in folder.iterdir()) == expected


@pytest.mark.parametrize(("org", "name", "golden", "pages"), OUTPUTS, ids=[f"{o}-{g}" for o, _, g, _ in OUTPUTS])
def test_document_matches_golden_text(
    written: dict[str, tuple[Any, Path]], org: str, name: str, golden: str, pages: int
) -> None:
    text = "\n".join(docx_lines(written[org][1] / name)) + "\n"
    path = GOLDEN / f"announce_{org}_{golden}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


SEEDED = [(o, n, g) for o, n, g, _ in OUTPUTS if g != "measures"]


@pytest.mark.parametrize(("org", "name", "golden"), SEEDED, ids=[f"{o}-{g}" for o, _, g in SEEDED])
def test_document_holds_the_seed_text_in_order(
    written: dict[str, tuple[Any, Path]], org: str, name: str, golden: str
) -> None:
    """The seed's lines (artefacts removed, names spelt as in ข้อมูลหน่วยงาน), in the seed's order."""
    expected = [
        _flat(line) for line in (GOLDEN / f"announce_{org}_{golden}.seed.txt").read_text(encoding="utf-8").splitlines()
    ]
    actual = [_flat(line) for line in docx_lines(written[org][1] / name)]
    assert in_order(expected, actual) == []


def test_names_are_spelt_one_way_and_digits_are_thai(written: dict[str, tuple[Any, Path]]) -> None:
    for org, name, _, _ in OUTPUTS:
        lines = docx_lines(written[org][1] / name)
        text = "\n".join(lines)
        assert NAMES[org] in " ".join(lines[:2]), (org, name)
        assert not [m for m in MISSPELT if m in text], (org, name)
        assert not re.search(r"[0-9]", text.replace("ISO", "")), (org, name)


def test_misspelt_names_are_reported_where_they_were_typed(written: dict[str, tuple[Any, Path]]) -> None:
    ban_tom = [(f.sheet, f.cell, f.code) for f in written["ban_tom_2565"][0].findings if f.code == "name-corrected"]
    phon_sai = [(f.sheet, f.cell, f.code) for f in written["phon_sai_2568"][0].findings if f.code == "name-corrected"]
    assert ban_tom == [("ประกาศ", "B5", "name-corrected")]
    assert phon_sai == [("ประกาศ", "B5", "name-corrected")]


def test_missing_emblem_is_a_warning(written: dict[str, tuple[Any, Path]]) -> None:
    for result, _ in written.values():
        assert [f.code for f in result.findings if f.code == "no-emblem"] == ["no-emblem"]


def test_order_and_memo_layout(written: dict[str, tuple[Any, Path]]) -> None:
    order = docx_lines(written["ban_tom_2565"][1] / "คำสั่ง.docx")
    assert order[:3] == [
        "คำสั่งเทศบาลตำบลบ้านต๋อม",
        "ที่ ๒๕๕ / ๒๕๖๕",
        "เรื่อง มาตรการในการเผยแพร่ข้อมูลต่อสาธารณะผ่านเว็บไซต์ของหน่วยงานภาครัฐ",
    ]
    assert order[-3:] == ["สั่ง ณ วันที่ ๒๒ เดือน กุมภาพันธ์ พ.ศ. ๒๕๖๕", "(นายสุภชาติ สันกวาน)", "นายกเทศมนตรีตำบลบ้านต๋อม"]
    memo = without_hints(docx.Document(str(written["phu_sang_2567"][1] / "บันทึกข้อความ.docx")))
    (table,) = memo.tables
    assert len(table.rows) == 3
    assert table.rows[2].cells[0].paragraphs[0].text == "ความเห็น / คำสั่ง นายกองค์การบริหารส่วนตำบลภูซาง"
    assert "☐ เห็นชอบดำเนินการตามเสนอ" in table.rows[2].cells[0].text
    assert "(นายวรวิทย์ เผ่าใจมา)" in table.rows[2].cells[0].text


needs_pdf_tools = pytest.mark.skipif(
    pdf.find_soffice() is None or shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils not installed",
)


@pytest.fixture(scope="module")
def converted(written: dict[str, tuple[Any, Path]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF of each document of OUTPUTS, all made in one LibreOffice start (as ``--pdf`` does)."""
    folder = tmp_path_factory.mktemp("pdfs")
    keys = [f"{org}/{name}" for org, name, _, _ in OUTPUTS]
    sources = [written[org][1] / name for org, name, _, _ in OUTPUTS]
    targets = pdf.docx_to_pdfs(sources, [folder / f"{i}.pdf" for i in range(len(sources))])
    return dict(zip(keys, targets, strict=True))


@needs_pdf_tools
@pytest.mark.parametrize(("org", "name", "golden", "pages"), OUTPUTS, ids=[f"{o}-{g}" for o, _, g, _ in OUTPUTS])
def test_document_converts_to_pdf(converted: dict[str, Path], org: str, name: str, golden: str, pages: int) -> None:
    target = converted[f"{org}/{name}"]
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)", info, re.M).group(1) == str(pages)  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert NAMES[org] in text.replace("\n", "")
    assert not [m for m in MISSPELT if m in text]


# --- rendering --------------------------------------------------------------------------------
def _doc(kind: DocumentKind = DocumentKind.ANNOUNCEMENT, **changes: Any) -> Document:
    base = Document(
        kind,
        "เรื่องทดสอบ 2565",
        (
            Block("paragraph", "ย่อหน้าแรก ปี 2565"),
            Block("heading", "หัวข้อ"),
            Block("item", "ข้อหนึ่ง", 1, "1."),
            Block("item", "ข้อย่อย", 2, "1.1"),
            Block("item", "วงเล็บ", 3, "(1)"),
            Block("closing", "จึงประกาศให้ทราบโดยทั่วกัน"),
        ),
        Signature("นายสุภชาติ สันกวาน", ("นายกเทศมนตรีตำบลบ้านต๋อม",)),
        number="255",
        date=OfficialDate(2565, 3, 21),
        unit="สำนักปลัด เทศบาลตำบลบ้านต๋อม อำเภอเมือง จังหวัดพะเยา",
        to="นายกเทศมนตรีตำบลบ้านต๋อม",
        comments=(
            Comment("ความเห็นปลัด"),
            Comment("ความเห็นนายก", choices=("เห็นชอบ",), signature=Signature("นายก", ("นายก",))),
        ),
    )
    return replace(base, **changes)


def test_context_typesets_digits_and_dates() -> None:
    ctx = document_context(_doc(DocumentKind.ORDER), ORG)
    assert ctx["number"] == "๒๕๕/๒๕๖๕"  # the year added to an order's bare number
    assert ctx["date_long"] == "๒๑ เดือน มีนาคม พ.ศ. ๒๕๖๕"
    assert ctx["date"] == "๒๑ มีนาคม ๒๕๖๕"
    assert [b["kind"] for b in ctx["body"]] == ["paragraph", "heading", "item1", "item2", "item3", "closing"]
    assert [b["text"] for b in ctx["body"]][2:5] == ["๑. ข้อหนึ่ง", "๑.๑ ข้อย่อย", "(๑) วงเล็บ"]
    assert ctx["comments"][0]["lines"] and ctx["comments"][0]["signer"].startswith("....")
    assert ctx["comments"][1]["lines"] == []
    arabic = document_context(_doc(DocumentKind.ORDER, date=None, number=""), ORG, "arabic")
    assert arabic["date_long"] == "........ เดือน ............ พ.ศ. ........"  # dots sized to fit the line
    assert arabic["number"] == "......../........"
    assert arabic["subject"] == "เรื่องทดสอบ 2565"
    with pytest.raises(errors.UsageError):
        document_context(_doc(), ORG, "roman")


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_templates_use_only_context_variables(kind: DocumentKind) -> None:
    tpl = templating.open_template(TEMPLATES[kind])
    used = tpl.get_undeclared_template_variables(jinja_env=templating.jinja_env())
    assert used <= set(document_context(_doc(kind), ORG))
    assert {"subject", "body", "signer", "positions", "emblem"} <= used


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_cell_text_is_data(tmp_path: Path, kind: DocumentKind) -> None:
    nasty = "{{ organisation }} {% if x %} <w:p> & ข\x07 {_{ ok }_}"
    doc = _doc(kind, subject=nasty, blocks=(Block("paragraph", nasty),), to=nasty)
    path, _ = render_document(doc, ORG, tmp_path / "d.docx")
    lines = docx_lines(path)
    assert "{{ organisation }} {% if x %} <w:p> & ข {_{ ok }_}" in lines
    assert any(line.endswith("{{ organisation }} {% if x %} <w:p> & ข {_{ ok }_}") for line in lines if "เรื่อง" in line)


def test_regression_a_32767_character_paragraph_becomes_several(tmp_path: Path) -> None:
    """A ย่อหน้า cell of 32,767 characters was one paragraph, which LibreOffice took minutes
    to lay out (its time grows with the square of a paragraph's length). Now the body holds
    paragraphs of at most typeset.PARAGRAPH_LIMIT characters, and every word is there."""
    text = ("ผลการดำเนินงานตามมาตรการ ดูได้ที่ www.a.go.th 😀🇹🇭 " * 700)[:32767]
    doc = _doc(blocks=(Block("paragraph", text), Block("item", text, 1, "1.")))
    body = document_context(doc, ORG, "arabic")["body"]
    assert [b["kind"] for b in body].count("item1") > 1 and all(len(b["text"]) <= typeset.PARAGRAPH_LIMIT for b in body)
    path, _ = render_document(doc, ORG, tmp_path / "d.docx")  # the real-reader check converts it
    written = "".join("".join(docx_lines(path)).split())
    assert written.count("".join(text.split())) == 2  # the paragraph and the item, whole


@pytest.mark.parametrize(
    ("kind", "height_cm"), [(DocumentKind.ANNOUNCEMENT, 3.0), (DocumentKind.ORDER, 3.0), (DocumentKind.MEMO, 1.5)]
)
def test_emblem_height_and_kept_space(tmp_path: Path, render_png: Path, kind: DocumentKind, height_cm: float) -> None:
    with_emblem, found = render_document(_doc(kind), ORG, tmp_path / "a.docx", emblem=render_png)
    assert found == []
    xml = zipfile.ZipFile(with_emblem).read("word/document.xml")
    (extent,) = etree.fromstring(xml).iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
    )
    assert int(extent.get("cy")) == round(height_cm * 360000)
    without, found = render_document(_doc(kind), ORG, tmp_path / "b.docx")
    assert [f.code for f in found] == ["no-emblem"]
    body = docx.Document(str(without)).element.body
    assert not list(body.iter(qn("w:drawing")))
    space = body.find(qn("w:p")).find(qn("w:pPr")).find(qn("w:spacing"))
    assert space.get(qn("w:lineRule")) == "exact" and int(space.get(qn("w:line"))) == round(height_cm * 567)


def test_unreadable_emblem_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "emblem.png"
    bad.write_bytes(b"not a picture")
    with pytest.raises(errors.InputError):
        render_document(_doc(), ORG, tmp_path / "a.docx", emblem=bad)
    assert not (tmp_path / "a.docx").exists()


def test_existing_output_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "d.docx"
    render_document(_doc(), ORG, target)
    with pytest.raises(errors.OutputError):
        render_document(_doc(), ORG, target)
    render_document(_doc(), ORG, target, force=True)


def test_page_numbers_from_page_two(tmp_path: Path) -> None:
    path, _ = render_document(_doc(), ORG, tmp_path / "d.docx")
    section = docx.Document(str(path)).sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert (section.left_margin.cm, section.right_margin.cm) == pytest.approx((3.0, 2.0), abs=0.01)


def test_measures_announcement(render_make_report: Any, tmp_path: Path) -> None:
    report = render_make_report()
    doc = measures_announcement(report)
    path, _ = render_document(doc, report.organisation, tmp_path / "m.docx")
    lines = docx_lines(path)
    assert lines[:2] == ["ประกาศเทศบาลตำบลบ้านต๋อม", "เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"]
    assert in_order(
        ["๑. การเสริมสร้างแนวคิดในการปฏิบัติงาน", "๑.๑ แต่งตั้ง", "๑.๒ แจ้งให้", "๒. ปรับปรุงประสิทธิภาพ", "๒.๑ ปรับปรุงเว็บไซต์",
         "จึงประกาศให้ทราบโดยทั่วกัน", "ประกาศ ณ วันที่ ........ เดือน", "(นายสุภชาติ สันกวาน)", "นายกเทศมนตรีตำบลบ้านต๋อม"],
        lines,
    ) == []  # fmt: skip


# --- writing a submission's documents -----------------------------------------------------------
def _workbook(
    folder: Path, name: str, department: str, sheets: dict[str, list[tuple[str, Any]]], emblem: str = ""
) -> Path:
    from wbfactory import INFO, make_workbook

    folder.mkdir(parents=True, exist_ok=True)
    path = make_workbook(
        folder / name, info={**INFO, "department": department, **({"emblem": emblem} if emblem else {})}
    )
    wb = load_workbook(path)
    for sheet, rows in sheets.items():
        kind = document_kind(sheet)
        assert kind is not None
        write_document_sheet(wb.create_sheet(sheet), kind, rows)
    wb.save(path)
    return path


ROWS = [("เรื่อง", "เรื่องเดียวกัน"), ("วันที่", "1 ต.ค. 2564"), ("ย่อหน้า", "ข้อความ")]


def test_same_document_in_two_workbooks_is_written_once(tmp_path: Path, render_png: Path) -> None:
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS}, emblem="logo.png")
    _workbook(tmp_path / "in", "b.xlsx", "กองคลัง", {"ประกาศ": ROWS, "ประกาศ 2": [*ROWS[:2], ("ย่อหน้า", "อื่น")]})
    shutil.copy(render_png, tmp_path / "in" / "logo.png")  # the emblem named in the workbook, beside it
    result = api.announce([tmp_path / "in"], tmp_path / "out")
    assert result.errors == ()
    assert sorted(p.name for p in result.written) == sorted([MEASURES_FILE, "ประกาศ.docx", "ประกาศ 2.docx"])
    assert "no-emblem" not in [f.code for f in result.findings]
    assert b"<w:drawing>" in zipfile.ZipFile(tmp_path / "out" / "ประกาศ.docx").read("word/document.xml")


def test_different_documents_under_one_sheet_name(tmp_path: Path) -> None:
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS})
    _workbook(tmp_path / "in", "b.xlsx", "กองคลัง", {"ประกาศ": [("เรื่อง", "อีกเรื่อง"), *ROWS[1:]]})
    result = api.announce([tmp_path / "in"], tmp_path / "out", digits="arabic")
    assert sorted(p.name for p in result.written) == sorted([MEASURES_FILE, "ประกาศ.docx", "ประกาศ (กองคลัง).docx"])
    assert "ประกาศ ณ วันที่ 1 เดือน ตุลาคม พ.ศ. 2564" in docx_lines(tmp_path / "out" / "ประกาศ.docx")


def test_regression_a_department_name_with_a_slash_in_the_file_name(tmp_path: Path) -> None:
    """A second ประกาศ under the same sheet name is named after its department; a department
    typed "กอง/คลัง" made that name a folder that does not exist (announce failed with exit 1
    while build passed), and a long one would pass the 255 bytes a file name may take."""
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS})
    _workbook(tmp_path / "in", "b.xlsx", "กอง/คลัง", {"ประกาศ": [("เรื่อง", "อีกเรื่อง"), *ROWS[1:]]})
    _workbook(tmp_path / "in", "c.xlsx", "ฝ่าย" * 100, {"ประกาศ": [("เรื่อง", "เรื่องที่สาม"), *ROWS[1:]]})
    result = api.announce([tmp_path / "in"], tmp_path / "out")
    assert result.errors == ()
    names = sorted(p.name for p in result.written)
    assert names == sorted([MEASURES_FILE, "ประกาศ.docx", "ประกาศ (กองคลัง).docx", f"ประกาศ ({'ฝ่าย' * 10}).docx"])
    assert all(p.parent == tmp_path / "out" and len(p.name.encode()) < 255 for p in result.written)


def test_a_document_with_errors_is_not_written(tmp_path: Path) -> None:
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"คำสั่ง": [("วันที่", "พรุ่งนี้"), ("ย่อหน้า", "x")]})
    result = api.announce([tmp_path / "in"], tmp_path / "out")
    assert [(f.sheet, f.cell, f.code) for f in result.errors] == [
        ("คำสั่ง", "B3", "bad-date"), ("คำสั่ง", "", "missing-subject")
    ]  # fmt: skip
    # check reports document sheets too, and nothing is written while check finds errors
    assert result.written == ()
    assert not (tmp_path / "out" / MEASURES_FILE).exists()


def test_a_missing_emblem_option_is_a_usage_error(tmp_path: Path) -> None:
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {})
    with pytest.raises(errors.UsageError):
        api.announce([tmp_path / "in"], tmp_path / "out", emblem=tmp_path / "nope.png")


def test_an_output_named_like_a_file_is_a_usage_error_not_a_new_folder(tmp_path: Path) -> None:
    """``announce -o ประกาศ.docx`` once made a folder named ประกาศ.docx and wrote into it."""
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS})
    for name in ("ประกาศ.docx", "out.PDF"):
        with pytest.raises(errors.UsageError) as raised:
            api.announce([tmp_path / "in"], tmp_path / name)
        assert "is a file's name" in raised.value.message_en and "โฟลเดอร์" in raised.value.message_th
        assert not (tmp_path / name).exists()
    (tmp_path / "old.docx").mkdir()  # a folder that happens to be named so is still a folder
    assert api.announce([tmp_path / "in"], tmp_path / "old.docx").written
    result = CliRunner().invoke(main, ["announce", str(tmp_path / "in"), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 2 and "Traceback" not in result.output and "x.docx" in result.output


def test_options_are_checked_before_the_first_file_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a missing --emblem exited 2 only after report.docx and report.pdf were written."""
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS})
    report = tmp_path / "out" / "report.docx"
    args = ["build", str(tmp_path / "in"), "-o", str(report), "--with-announcements"]
    result = CliRunner().invoke(main, [*args, "--emblem", str(tmp_path / "nope.png")])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a picture")
    result = CliRunner().invoke(main, [*args, "--emblem", str(junk)])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = CliRunner().invoke(main, [*args, "--pdf"])
    assert result.exit_code != 0 and not (tmp_path / "out").exists()


def test_cli_announce(tmp_path: Path, render_png: Path) -> None:
    _workbook(tmp_path / "in", "a.xlsx", "สำนักปลัด", {"ประกาศ": ROWS})
    args = ["announce", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--emblem", str(render_png)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "ประกาศ.docx").is_file()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1  # exists: --force needed


# --- the templates ------------------------------------------------------------------------------
def _parts(data: bytes) -> dict[str, bytes]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            raw = z.read(name)
            if name.endswith((".xml", ".rels")):
                raw = etree.tostring(etree.fromstring(raw), method="c14n")
            out[name] = raw
    return out


@pytest.mark.parametrize("name", list(templates_documents.BUILDERS))
def test_committed_template_is_what_the_builder_makes(name: str) -> None:
    stream = io.BytesIO()
    templates_documents.BUILDERS[name]().save(stream)
    built = _parts(stream.getvalue())
    committed = _parts((templates_documents.ANNOUNCEMENT_TEMPLATE.parent / name).read_bytes())
    assert sorted(committed) == sorted(built)
    assert [n for n in built if committed[n] != built[n]] == [], "run: python -m compiler.documents.template_builder"


@pytest.mark.parametrize("name", list(templates_documents.BUILDERS))
def test_template_tags_are_whole_runs(name: str) -> None:
    document = docx.Document(str(templates_documents.ANNOUNCEMENT_TEMPLATE.parent / name))
    for t in document.element.body.iter(qn("w:t")):
        text = t.text or ""
        assert text.count("{{") == text.count("}}") and text.count("{%") == text.count("%}"), text


def test_main_writes_the_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert templates_documents.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["khamsang.docx", "memo.docx", "prakat.docx"]
    assert "memo.docx" in capsys.readouterr().out
