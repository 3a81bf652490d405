"""Numbers a workbook may hold that are not numbers: NaN, infinity, absurd budgets, decimal commas.

Each case used to end in exit 3 (NaN compared as a Decimal), pass ``check`` (an infinite
budget, which then made an invalid summary) or mislead (``93,05`` read as 9305).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from wbfactory import HEADERS, INFO, MEASURES, label
from xlsxraw import RawCell, write_xlsx

from compiler import api, thai
from compiler.cli import main
from compiler.workbook import standard

_NAN = RawCell("", "<v>NaN</v>")
_INF = RawCell("", "<v>1e309</v>")
_MINUS_INF = RawCell("", "<v>-1e309</v>")


def _book(path: Path, *, score: object = 93.05, budget: object = None, indicator_score: object = 88.5) -> Path:
    info = [[label("version"), standard.STANDARD_VERSION], *([label(k), v] for k, v in INFO.items())]
    info.append([label("score"), score])
    measures = [[*HEADERS, "งบประมาณ"], *([*row, None] for row in MEASURES)]
    measures[1][-1] = budget
    scores = [["ตัวชี้วัด", "คะแนน"], ["i1", indicator_score]]
    return write_xlsx(
        path, [(standard.SHEET_INFO, info), (standard.SHEET_MEASURES, measures), (standard.SHEET_SCORES, scores)]
    )


def _found(path: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in api.check([path]).findings]


def test_plain_book_is_clean(tmp_path: Path) -> None:
    path = _book(tmp_path / "ok.xlsx", budget="12,500")
    assert _found(path) == []
    [wb] = api.check([path]).workbooks
    assert wb.measures[0].budget == Decimal(12500) and wb.scores == {"i1": 88.5} and wb.info["score"] == 93.05


_INFO_SCORE = (standard.SHEET_INFO, "B9")


@pytest.mark.parametrize(
    "value",
    [_NAN, _INF, _MINUS_INF, "nan", "NaN", "inf", "-Infinity", "1e309", "๑e๓๐๙"],
    ids=["float-nan", "float-inf", "float-minus-inf", "nan", "NaN", "inf", "-Infinity", "1e309", "thai-1e309"],
)
def test_regression_not_finite_score_and_budget_are_findings(tmp_path: Path, value: object) -> None:
    path = _book(tmp_path / "x.xlsx", score=value, budget=value, indicator_score=value)
    assert _found(path) == [
        ("number-not-finite", *_INFO_SCORE),
        ("number-not-finite", standard.SHEET_MEASURES, "H2"),
        ("number-not-finite", standard.SHEET_SCORES, "B2"),
    ]


@pytest.mark.parametrize("budget", [RawCell("", "<v>1e13</v>"), "10000000000000", "1" * 400, 1e300])
def test_absurd_budget_is_an_error(tmp_path: Path, budget: object) -> None:
    path = _book(tmp_path / "x.xlsx", budget=budget)
    assert _found(path) == [("budget-too-large", standard.SHEET_MEASURES, "H2")]


def test_budget_at_the_limit_passes(tmp_path: Path) -> None:
    path = _book(tmp_path / "x.xlsx", budget="1,000,000,000,000")
    assert _found(path) == []


@pytest.mark.parametrize(("score", "budget"), [("93,05", "12,50"), ("๙๓,๐๕", "1,2345"), ("9,305", "12,5")])
def test_regression_decimal_comma_is_an_error_not_a_bigger_number(tmp_path: Path, score: str, budget: str) -> None:
    """``93,05`` was read as 9305 and reported as 'score 9305 is outside 0–100'."""
    path = _book(tmp_path / "x.xlsx", score=score, budget=budget, indicator_score=score)
    assert _found(path) == [
        ("decimal-comma", *_INFO_SCORE),
        ("decimal-comma", standard.SHEET_MEASURES, "H2"),
        ("decimal-comma", standard.SHEET_SCORES, "B2"),
    ]
    [f, *_] = api.check([path]).findings
    assert "9305" not in f.message_en and f.message_en.endswith(score.replace(",", "."))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,500", Decimal(12500)),
        ("1,000,000.50", Decimal("1000000.50")),
        ("93,05", None),
        ("1,2345", None),
        ("nan", None),
        ("inf", None),
        (float("nan"), None),
        (float("inf"), None),
        ("๑๒,๕๐๐ บาท", Decimal(12500)),
    ],
)
def test_parse_number(text: object, number: Decimal | None) -> None:
    assert thai.parse_number(text) == number


def test_cli_nan_budget_exit_1_no_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    path = _book(tmp_path / "in" / "x.xlsx", score=_NAN, budget=_INF)
    for command in (["check", str(path)], ["build", str(path), "-o", str(tmp_path / "r.docx")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert "number-not-finite" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.docx").exists()
