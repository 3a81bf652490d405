"""The summary workbook as XlsxWriter wrote it whole before the summary was put together from
cached pieces (``compiler.district.summary`` up to this round): the oracle the new writer's
output is compared with, sheet by sheet and cell by cell (``tests/test_summary_pieces.py``).
Only the data sheets' writing is here; the book, its formats and the small sheets are the
package's own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from xlsxwriter.worksheet import Worksheet

from compiler.district import summary as s
from compiler.district.model import Details, DistrictResult, OrganisationSummary
from compiler.model import Severity
from compiler.safeio import atomic_write


def _row(book, ws, row, columns, values, formats=None) -> None:  # type: ignore[no-untyped-def]
    lines = max((s.cell_lines(v, c[2]) for c, v in zip(columns, values) if c[3]), default=1)
    if lines > 1:
        ws.set_row(row, min(409.0, lines * s.LINE_POINTS))
    for i, ((_, _, _, wrap), value) in enumerate(zip(columns, values)):
        fmt = (formats or {}).get(i) or (book.wrap if wrap else book.top)
        s._write(ws, row, i, value, fmt)


def _write_summary_sheet(book: s.Book, result: DistrictResult) -> None:
    ws = book.sheet(s.SHEET_SUMMARY, s.SUMMARY_COLUMNS, freeze=(1, 2))
    status_col = s.column_index(s.SUMMARY_COLUMNS, "Status")
    score_col = s.column_index(s.SUMMARY_COLUMNS, "ITA score")
    stated_col = s.column_index(s.SUMMARY_COLUMNS, "Stated level")
    for n, o in enumerate(result.organisations, start=1):
        formats = {status_col: book.status[o.status], score_col: book.score}
        if s.CONTRADICTION in o.codes:
            formats[stated_col] = book.flag
        _row(book, ws, n, s.SUMMARY_COLUMNS, s.summary_values(n, o), formats)
    s.add_filter(ws, s.SUMMARY_COLUMNS, len(result.organisations) + 1)
    ws.print_area(0, 0, max(len(result.organisations), 1), s.SUMMARY_PRINTED - 1)


class _Paged:
    def __init__(self, book: s.Book, title: str, columns: Sequence[s.Column], freeze: tuple[int, int]) -> None:
        self.book, self.title, self.columns, self.freeze = book, title, columns, freeze
        self.sheets = 0
        self._open()

    def _open(self) -> None:
        self.sheets += 1
        name = self.title if self.sheets == 1 else f"{self.title} ({self.sheets})"
        self.ws = self.book.sheet(name, self.columns, freeze=self.freeze)
        self.row = 0

    def next_row(self) -> tuple[Worksheet, int]:
        if self.row >= s.MAX_ROWS:
            self.close()
            self._open()
        self.row += 1
        return self.ws, self.row

    def close(self) -> None:
        s.add_filter(self.ws, self.columns, self.row + 1)
        self.ws.print_area(0, 0, max(self.row, 1), s.printed_columns(self.columns) - 1)


def _write_details(book: s.Book, result: DistrictResult, details_of: Callable[[OrganisationSummary], Details]) -> None:
    problems = _Paged(book, s.SHEET_PROBLEMS, s.PROBLEM_COLUMNS, (1, 1))
    measures = _Paged(book, s.SHEET_MEASURES, s.MEASURE_COLUMNS, (1, 1))
    budget_col = s.column_index(s.MEASURE_COLUMNS, "Budget (THB)")
    for f in result.findings:
        _row(book, *problems.next_row(), s.PROBLEM_COLUMNS, ["", *s.problem_values_of(f)])
    for o in result.organisations:
        details = details_of(o)
        for f in sorted(details.findings, key=lambda f: (f.severity is not Severity.ERROR, f.file, f.sheet)):
            _row(book, *problems.next_row(), s.PROBLEM_COLUMNS, s.problem_values(o, f))
        for values in s.measure_values(details):
            ws, m_row = measures.next_row()
            for i, value in enumerate(values):
                s._write(ws, m_row, i, value, book.budget if i == budget_col else book.top)
    for o in result.superseded:
        order = lambda f: (f.code != "superseded-submission", f.severity is not Severity.ERROR)  # noqa: E731
        for f in sorted(details_of(o).findings, key=order):
            _row(book, *problems.next_row(), s.PROBLEM_COLUMNS, s.problem_values(o, f))
    problems.close()
    measures.close()


def write_whole(
    output: Path, result: DistrictResult, details_of: Callable[[OrganisationSummary], Details], *, force: bool = False
) -> Path:
    """The summary as the old writer made it: every cell through XlsxWriter."""

    def save(stream: IO[bytes]) -> None:
        book = s.Book(stream)
        _write_summary_sheet(book, result)
        s.write_overview(book, result)
        _write_details(book, result, details_of)
        if result.expected is not None:
            s.write_not_sent(book, result)
        book.wb.close()

    return atomic_write(output, save, force=force)
