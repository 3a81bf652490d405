"""No output of a run replaces another of the same run, and every name made is safe on
Windows too (issue 11: reserved names, trailing dots and spaces, length in bytes,
look-alike names that differ by an invisible character)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docxtext import docx_lines
from test_hostile import _ods, standard_sheets
from wbfactory import make_workbook

from compiler import api, safeio
from compiler.cli import main
from compiler.workbook.form import plan_forms

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
WITH_ERROR = [[1, "ม", "ว", "", "", "ผล", ""]]  # no responsible: a finding, so a copy is written


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("Com1.backup", "_Com1.backup"),
        ("LPT9 ", "_LPT9"),
        ("CONSOLE", "CONSOLE"),
        ("รายงาน...  ", "รายงาน"),
        ("กอง\u200bคลัง", "กองคลัง"),  # a zero-width space: looks the same, is another name
        ("a\x9bb", "ab"),
    ],
)
def test_safe_stem_is_safe_on_windows(text: str, stem: str) -> None:
    assert safeio.safe_stem(text) == stem


def test_safe_stem_caps_bytes_not_only_letters() -> None:
    stem = safeio.safe_stem("ก" * 300, limit=300)
    assert len(stem.encode()) <= safeio.MAX_NAME_BYTES and stem == "ก" * (safeio.MAX_NAME_BYTES // 3)


def test_free_name_compares_as_windows_and_macos_do() -> None:
    taken: set[str] = set()
    names = ["x.xlsx", "X.XLSX", "x\u200b.xlsx", "x.xlsx", "y.xlsx"]
    assert [safeio.free_name(n, taken) for n in names] == [
        "x.xlsx",
        "X (2).XLSX",
        "x\u200b (3).xlsx",
        "x (4).xlsx",
        "y.xlsx",
    ]


def test_annotating_two_workbooks_of_one_name_writes_two_copies(tmp_path: Path) -> None:
    a = make_workbook(tmp_path / "org1" / "สำนักปลัด.xlsx", measures=WITH_ERROR)
    b = make_workbook(tmp_path / "org2" / "สำนักปลัด.xlsx", measures=[*WITH_ERROR, [2, "ม2", "ว", "", "", "", ""]])
    x = make_workbook(tmp_path / "org3" / "x.xlsx", measures=[[1, "มาตรการ x", "ว", "", "", "ผล", ""]])
    _ods(tmp_path / "org3" / "x.ods", standard_sheets(result=""), {})
    written = api.annotate(api.check([a.parent, b.parent, x.parent]), tmp_path / "back")
    assert sorted(p.name for p in written) == ["x (2).xlsx", "x.xlsx", "สำนักปลัด (2).xlsx", "สำนักปลัด.xlsx"]
    assert len({p.read_bytes() for p in written}) == 4  # four different copies, none written over another


def test_init_names_that_collide_once_made_safe(tmp_path: Path) -> None:
    plan = plan_forms(tmp_path / "forms", ["กอง/คลัง", "กองคลัง", "กองคลัง", "กอง\u200bคลัง", "CON"])
    assert [(p.name, d) for p, d in plan] == [
        ("กองคลัง.xlsx", "กอง/คลัง"),
        ("กองคลัง (2).xlsx", "กองคลัง"),  # the same department twice: one form
        ("กองคลัง (3).xlsx", "กอง\u200bคลัง"),
        ("_CON.xlsx", "CON"),
    ]
    written = api.init_forms(tmp_path / "forms", departments=["กอง/คลัง", "กองคลัง"])
    assert sorted(p.name for p in written) == ["กองคลัง (2).xlsx", "กองคลัง.xlsx"]


def test_a_report_named_like_a_document_is_not_replaced_by_it(tmp_path: Path) -> None:
    out = tmp_path / "out" / "ประกาศมาตรการ.docx"
    result = api.build([SAMPLES / "ban_tom_2565"], out, with_announcements=True, force=True)
    names = [p.name for p in result.written]
    assert names[0] == "ประกาศมาตรการ.docx" and "ประกาศมาตรการ (2).docx" in names
    assert len(names) == len(set(names))
    assert Document(str(out)).tables  # still the report (its measures table), not the ประกาศ
    assert docx_lines(result.written[names.index("ประกาศมาตรการ (2).docx")])[0].startswith("ประกาศ")


def test_a_name_too_long_for_the_file_system_is_a_clear_error(tmp_path: Path) -> None:
    """90 Thai letters are 270 bytes, past the 255 a name may take: exit 3 before."""
    src = tmp_path / "src"
    shutil.copytree(SAMPLES / "ban_tom_2565", src)
    res = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / ("ก" * 90 + ".docx"))])
    assert res.exit_code == 1 and "too long" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["init", "-o", str(tmp_path / ("ข" * 90 + ".xlsx"))])
    assert res.exit_code == 1 and "too long" in res.output
