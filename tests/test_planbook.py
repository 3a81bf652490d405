"""The plan workbook of its own: ``init --blank-plan`` writes it empty, the web page writes
the plan typed in it; reading it back gives the same plan, and a department's form made from
its bytes (``inmemory.form(plan=)``) is the one ``init --plan`` writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from compiler import api, inmemory
from compiler.cli import main
from compiler.errors import InputError
from compiler.workbook import standard
from compiler.workbook.form import OrganisationDetails
from compiler.workbook.planbook import FIRST_ROW, plan_rows

SAMPLE_PLAN = Path(__file__).resolve().parents[1] / "sample_workbooks" / "phon_sai_2568" / "แผนมาตรการ.xlsx"
ROWS = [
    {"number": "1", "indicator": "o38", "title": "อบรมคุณธรรม", "method": "1. อบรม\n2. ประเมินผล",
     "responsible": "สำนักปลัด", "period": "ต.ค. 2567", "budget": "5,000"},
    {"number": "๒", "indicator": "", "title": "ประกาศเจตจำนงสุจริต", "method": "", "responsible": "ทุกส่วนราชการ",
     "period": "", "budget": ""},
]  # fmt: skip


def test_the_sample_plan_reads_back_the_same_after_a_round_trip():
    source = inmemory.read_plan(SAMPLE_PLAN.read_bytes())
    rows = plan_rows(source.plan)
    again = inmemory.read_plan(inmemory.plan_workbook(OrganisationDetails.from_workbook(source), rows))
    assert plan_rows(again.plan) == rows and again.info["organisation"] == source.info["organisation"]
    assert not again.findings


def test_typed_rows_are_written_as_numbers_where_they_are_numbers():
    data = inmemory.plan_workbook(OrganisationDetails(organisation="ทดสอบ"), ROWS, ["สำนักปลัด", "กองคลัง"])
    ws = load_workbook(io.BytesIO(data))[standard.SHEET_PLAN]
    assert [ws.cell(FIRST_ROW, c).value for c in (1, 3, 7)] == [1, "อบรมคุณธรรม", 5000]
    assert ws.cell(FIRST_ROW + 1, 1).value == 2  # Thai digits
    plan = inmemory.read_plan(data).plan
    assert [(m.number, m.responsible) for m in plan] == [(1, ("สำนักปลัด",)), (2, ("ทุกส่วนราชการ",))]
    assert plan[0].methods == ("1. อบรม", "2. ประเมินผล")


def test_a_form_from_plan_bytes_is_the_one_init_plan_writes(tmp_path):
    details = OrganisationDetails(organisation="ทดสอบ", fiscal_year="2568")
    data = inmemory.plan_workbook(details, ROWS)
    (tmp_path / "plan.xlsx").write_bytes(data)
    (written,) = api.init_forms(
        tmp_path / "f.xlsx", departments=["กองคลัง"], details=details, plan=tmp_path / "plan.xlsx"
    )

    def cells(content: bytes) -> list[tuple[object, ...]]:
        return list(load_workbook(io.BytesIO(content))[standard.SHEET_MEASURES].iter_rows(values_only=True))

    mine = inmemory.form(details, "กองคลัง", plan=data)
    assert cells(mine) == cells(written.read_bytes())
    assert [r[2] for r in cells(mine)[2:] if r[2]] == ["ประกาศเจตจำนงสุจริต"]  # everyone's row, not สำนักปลัด's
    measures = inmemory.read_plan(data).plan  # the plan's measures do as well as its bytes
    assert cells(inmemory.form(details, "กองคลัง", plan=measures)) == cells(mine)


def test_a_blank_plan_is_not_a_plan():
    with pytest.raises(InputError) as caught:
        inmemory.read_plan(inmemory.plan_workbook())
    assert "no measure" in caught.value.message_en


def test_cli_writes_a_blank_plan(tmp_path):
    target = tmp_path / "แผนมาตรการ.xlsx"
    run = CliRunner().invoke(main, ["init", "--blank-plan", str(target), "--organisation", "อบต.ทดสอบ"])
    assert run.exit_code == 0, run.output
    wb = load_workbook(target)
    assert wb[standard.SHEET_PLAN].cell(2, 3).value == "มาตรการ" and wb[standard.SHEET_INFO]["B2"].value == "อบต.ทดสอบ"
    again = CliRunner().invoke(main, ["init", "--blank-plan", str(target)])
    assert again.exit_code == 1 and "--force" in again.output


@pytest.mark.parametrize(
    "args",
    [["init"], ["init", "--blank-plan", "p.xlsx", "-o", "f.xlsx"], ["init", "--blank-plan", "p.txt"]],
)
def test_cli_blank_plan_usage_errors(tmp_path, args):
    run = CliRunner().invoke(main, [a if not a.startswith(("p.", "f.")) else str(tmp_path / a) for a in args])
    assert run.exit_code == 2 and "error:" in run.output
