"""build: the three seed organisations' reports, compared with golden text and the seeds."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docxtext import docx_lines, in_order
from wbfactory import INFO, make_workbook

from compiler import api
from compiler.cli import main
from compiler.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
GOLDEN = Path(__file__).parent / "golden"
SEED_TEXT = Path(__file__).parent / "seed_text"
ORGS = ["ban_tom_2565", "phon_sai_2568", "phu_sang_2567"]
LAYOUT = {"ban_tom_2565": "measures", "phon_sai_2568": "numbered", "phu_sang_2567": "indicators"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    built = {}
    for org in ORGS:
        result = api.build([SAMPLES / org], out / f"{org}.docx")
        assert result.errors == (), result.errors
        built[org] = (result, out / f"{org}.docx")
    return built


@pytest.mark.parametrize("org", ORGS)
def test_report_matches_golden_text(reports, org):
    _, path = reports[org]
    text = "\n".join(docx_lines(path)) + "\n"
    golden = GOLDEN / f"{org}_report.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("org", ORGS)
def test_report_holds_every_seed_item_in_seed_order(reports, org):
    _, path = reports[org]
    expected = [
        line.strip() for line in (SEED_TEXT / f"{org}.txt").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert in_order(expected, docx_lines(path)) == []


@pytest.mark.parametrize("org", ORGS)
def test_layout_defaults_from_the_data(reports, org):
    result, _ = reports[org]
    assert result.report.layout == LAYOUT[org]


def test_names_and_thai_digits(reports):
    lines = docx_lines(reports["phon_sai_2568"][1])
    text = "\n".join(lines)
    assert "เทศบาลตำบลโพนทราย" in text and "โพธาราย" not in text
    assert "๙๓.๐๕" in text and "93.05" not in text
    assert "(นายอุดม วงบุตดา)" in lines


def test_phu_sang_indicator_scores(reports):
    text = "\n".join(docx_lines(reports["phu_sang_2567"][1]))
    assert "(i๔ : ๑๐๐ คะแนน)" in text
    assert "(e๕ : ๙๙.๕๒ คะแนน)" in text
    assert "กุฉินทรา" not in text  # the seed's cover named another organisation


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (CI installs it)")
def test_report_converts_with_libreoffice(reports, tmp_path):
    from compiler.docx.pdf import docx_to_pdf

    _, path = reports["ban_tom_2565"]
    source = tmp_path / path.name
    shutil.copyfile(path, source)
    pdf = docx_to_pdf(source)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 3 <= pages <= 8
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "เทศบาลตำบลบ้านต๋อม" in text


def test_build_refuses_when_check_finds_errors(tmp_path):
    bad = make_workbook(tmp_path / "in" / "a.xlsx", measures=[[1, "ม", "ว", "สำนักปลัด", "", "", ""]])
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(main, ["build", str(bad.parent), "-o", str(out)])
    assert result.exit_code == 1
    assert "[missing-value]" in result.output
    assert not out.exists()


def test_build_refuses_workbooks_that_disagree_on_the_organisation(tmp_path):
    make_workbook(tmp_path / "in" / "a.xlsx")
    make_workbook(tmp_path / "in" / "b.xlsx", info={**INFO, "organisation": "เทศบาลตำบลบ้านต้อม", "department": "กองคลัง"})
    result = api.build([tmp_path / "in"], tmp_path / "r.docx")
    assert [f.code for f in result.errors] == ["organisation-mismatch"]
    message = result.errors[0].message_en
    assert "บ้านต้อม" in message and "b.xlsx" in message and "a.xlsx" in message
    assert not (tmp_path / "r.docx").exists()


def test_measures_merge_by_number_across_departments(tmp_path):
    rows_a = [[2, "มาตรการสอง", "วิธี", "สำนักปลัด", "", "ผล ก", ""], [1, "มาตรการหนึ่ง", "วิธี", "สำนักปลัด", "", "ผล ข", ""]]
    rows_b = [[1, "มาตรการหนึ่ง", "วิธีอื่น", "กองคลัง", "", "ผล ค", ""]]
    make_workbook(tmp_path / "in" / "a.xlsx", measures=rows_a)
    make_workbook(tmp_path / "in" / "b.xlsx", measures=rows_b, info={**INFO, "department": "กองคลัง"})
    result = api.build([tmp_path / "in"], tmp_path / "r.docx")
    report = result.report
    assert [m.number for m in report.measures] == [1, 2]
    first = report.measures[0]
    assert [(p.department, p.results) for p in first.parts] == [("สำนักปลัด", ("ผล ข",)), ("กองคลัง", ("ผล ค",))]
    assert first.responsible == ("สำนักปลัด", "กองคลัง")
    assert [f.code for f in result.findings] == ["method-mismatch"]
    assert "วิธีอื่น" in result.findings[0].message_th
    lines = docx_lines(tmp_path / "r.docx")
    assert in_order(["มาตรการหนึ่ง", "สำนักปลัด", "ผล ข", "กองคลัง", "ผล ค", "มาตรการสอง", "ผล ก"], lines) == []


def test_existing_report_replaced_only_with_force(tmp_path):
    src = make_workbook(tmp_path / "in" / "a.xlsx")
    out = tmp_path / "r.docx"
    out.write_bytes(b"previous")
    with pytest.raises(OutputError):
        api.build([src], out)
    assert out.read_bytes() == b"previous"
    api.build([src], out, force=True)
    assert out.read_bytes()[:2] == b"PK"


def test_inputs_untouched_by_build(tmp_path):
    src = make_workbook(tmp_path / "in" / "a.xlsx")
    before = src.read_bytes()
    api.build([src], tmp_path / "r.docx")
    assert src.read_bytes() == before


def test_output_folder_is_created(tmp_path):
    src = make_workbook(tmp_path / "in" / "a.xlsx")
    result = api.build([src], tmp_path / "new" / "folder" / "r.docx")
    assert result.written == (tmp_path / "new" / "folder" / "r.docx",)
