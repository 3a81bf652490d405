"""Text stays text in every .xlsx the tool writes (issue 11, formula injection).

Text that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or CR before them) — typed in a
workbook, the name of a submission folder or of a zip member, a line of the --expect list —
was written into ``summary.xlsx`` as a live formula, and text cells of an .ods came back as
formulas in the annotated copy. Each written file's sheet XML is opened here: no ``<f>``
element may come from typed text, and the text reads back as typed.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from test_hostile import _ods, standard_sheets
from wbfactory import HEADERS, INFO, label
from xlsxraw import write_xlsx

from compiler import api
from compiler.district.intake import run_district
from compiler.workbook import standard
from compiler.workbook.form import OrganisationDetails

HOSTILE = ['=HYPERLINK("http://evil.example/","คลิก")', "=1+1", "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def formulas(path: Path) -> list[str]:
    """Every ``<f>`` element in the sheets of the .xlsx at ``path``."""
    with zipfile.ZipFile(path) as zf:
        return [
            m.group(0)
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.finditer(rb"<f[\s>/][^<]*", zf.read(name))
        ]


def texts(path: Path) -> set[str]:
    wb = load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def hostile_workbook(path: Path, organisation: str, department: str = "สำนักปลัด", result: str = "@SUM(1,2)") -> Path:
    info = [[label("version"), standard.STANDARD_VERSION]]
    info += [
        [label(k), organisation if k == "organisation" else ("+1+1" if k == "district" else v)] for k, v in INFO.items()
    ]
    info = [[a, department if a == label("department") else b] for a, b in info]
    measures = [HEADERS, [1, "=1+1", "-2+3", "สำนักปลัด", "ต.ค. 2564", result, "\t=1+1"]]
    return write_xlsx(path, [(standard.SHEET_INFO, info), (standard.SHEET_MEASURES, measures)])


def test_summary_keeps_typed_text_as_text(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    hostile_workbook(inbox / "=1+1" / "สำนักปลัด.xlsx", HOSTILE[0])  # a folder named like a formula
    hostile_workbook(tmp_path / "m.xlsx", "-2+3", result="")  # a finding that names the file
    with zipfile.ZipFile(inbox / "@x.zip", "w") as zf:
        zf.write(tmp_path / "m.xlsx", "=x.xlsx")  # a member named like a formula
    expect = tmp_path / "expect.txt"
    expect.write_text("\n".join(["=cmd|' /C calc'!A0", "+1+1", "@SUM(1,2)"]) + "\n", encoding="utf-8")
    out = tmp_path / "summary.xlsx"
    run_district(inbox, out, expect=expect, jobs=1)
    assert formulas(out) == []
    got = texts(out)
    assert {HOSTILE[0], "=1+1", "@x.zip", "-2+3", "+1+1", "@SUM(1,2)", "=cmd|' /C calc'!A0"} <= got
    assert any(t.startswith("=x.xlsx") for t in got)  # the member's name, in the problems sheet


def test_annotated_ods_keeps_text_as_text(tmp_path: Path) -> None:
    sheets = standard_sheets(result="")  # an empty result: a finding, so a copy is written
    sheets = [(name, [[*row, *HOSTILE] if i == 0 else row for i, row in enumerate(rows)]) for name, rows in sheets]
    path = _ods(tmp_path / "x.ods", sheets, {})
    [copy] = api.annotate(api.check([path]), tmp_path / "back")
    assert copy.suffix == ".xlsx"
    assert formulas(copy) == []
    assert set(HOSTILE) - {"\r=1+1"} <= texts(copy)  # (CR is read back as LF by openpyxl)


def test_annotated_xlsx_lists_hostile_sheet_names_as_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [*standard_sheets(result=""), ("=1+1", [["x"]])])
    result = api.check([path])
    assert result.findings
    [copy] = api.annotate(result, tmp_path / "back")
    assert formulas(copy) == []


def test_init_form_keeps_typed_details_as_text(tmp_path: Path) -> None:
    details = OrganisationDetails(organisation=HOSTILE[0], district="+1+1", province="=1+1")
    [path] = api.init_forms(tmp_path / "form.xlsx", details=details)
    assert formulas(path) == []
    assert {HOSTILE[0], "+1+1", "=1+1"} <= texts(path)
