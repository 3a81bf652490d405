"""A summary row made from its survey worker's part (all but the number) is the row the
parent makes whole, whatever the number, the status, the score or the texts."""

from __future__ import annotations

import io

import pytest
from test_summary import org

from compiler.district import pieces, rowxml, summary


def _whole_row(rows: pieces._Rows, n: int, o: object) -> str:
    """The row as the parent made it before the workers made its part: every value, the
    number among them, styled and measured for height together."""
    styles = rows._plain(summary.SUMMARY_COLUMNS)
    styles[rows._status], styles[rows._score] = rows.status[o.status], rows.score  # type: ignore[attr-defined]
    if summary.CONTRADICTION in o.codes:  # type: ignore[attr-defined]
        styles[rows._stated] = rows.flag
    values = summary.summary_values(n, o)  # type: ignore[arg-type]
    return rowxml.row(values, styles, rows._height(summary.SUMMARY_COLUMNS, values))


ORGANISATIONS = [
    org(),
    org("อบต.ก", status="errors", errors=3, score=None, departments=()),
    org("อบต.ข", status="warnings", warnings=2, stated_level="ต้องปรับปรุง", codes=(summary.CONTRADICTION,)),
    org("อบต. " + "ชื่อยาวมาก" * 30, status="unreadable", fiscal_year=None, district="", province=""),
    org("<b>&amp;</b>\x01 x ", departments=("สำนักปลัด", "กองคลัง", "กองช่าง" * 20), score=85.0),
]


@pytest.mark.parametrize("o", ORGANISATIONS, ids=range(len(ORGANISATIONS)))
def test_a_row_from_its_workers_part_is_the_whole_row(o: object) -> None:
    rows = pieces._Rows(summary.Book(io.BytesIO()))
    tail = rows.summary_tail(o)  # type: ignore[arg-type]
    for n in (1, 9, 10, 999, 1_048_575):
        assert rows.summary_row(n, o, tail) == _whole_row(rows, n, o)  # type: ignore[arg-type]
        assert rows.summary_row(n, o) == _whole_row(rows, n, o)  # type: ignore[arg-type]


def test_the_number_is_the_first_column_and_never_wrapped() -> None:
    """What ``summary_tail`` relies on: the number's cell neither wraps nor sets the height."""
    first = summary.SUMMARY_COLUMNS[0]
    assert first[1] == "No." and not first[3]
    assert summary.summary_values(7, org())[0] == 7
