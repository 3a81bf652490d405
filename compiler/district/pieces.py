"""The summary workbook put together from each organisation's rows, made once and kept.

A province's summary is about a million rows; a district run again after one organisation
sent again should not write them all again. So the big sheets (the summary, problems and
measures) are not written cell by cell through XlsxWriter:

- XlsxWriter writes the workbook's skeleton (``summary``): the styles, the overview and the
  not-sent list, and each big sheet's set-up (column widths, frozen panes, header row, filter,
  A4 print set-up, print area) with no data below its header;
- each organisation's rows of each big sheet are made as SpreadsheetML without positions
  (``rowxml``), compressed as a piece that concatenates with others (``compiler.zipout``), and kept in
  the result cache (``cache.PieceStore``) under a key made of all they depend on: the program
  (``diskcache.code_stamp``), the skeleton's style ids, and for the summary's rows the rows'
  values, for the problems and measures the content key the intake gives for the
  organisation's details (its submission's cache key with any finding added to it);
- an organisation's problems and measures pieces are made by its survey worker right after
  its survey (``premade``: the deflating runs on every core while others are surveyed, and
  the parent only puts the pieces together), with the style ids a skeleton made in the
  worker gives; the parent takes them where the store has none, if those ids are its
  skeleton's and the intake added no finding to the organisation;
- the not-sent list's rows (names from the expect list) are made the same way each run, so
  that a name is always text (XlsxWriter would write a text in ``<r>…</r>`` as markup);
- the zip is written anew with the skeleton's members, each big sheet's member made of the
  skeleton's text before its end of ``<sheetData>``, the pieces, and the rest.

A run after one organisation changed makes that organisation's pieces again (and the summary
rows of the 64 it is kept with) and copies the others' compressed bytes. Sheets hold at most
``summary.MAX_ROWS`` rows below their header and go on in ``title (2)``, … as before (an
organisation's rows that straddle the limit are made again for that run, split in two).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from compiler import diskcache
from compiler.district import rowxml, summary
from compiler.district.cache import PieceStore
from compiler.district.model import Details, DistrictResult, OrganisationSummary
from compiler.model import Severity
from compiler.safeio import atomic_write
from compiler.workbook import standard
from compiler.zipout import Deflated, ZipOut, deflate

#: Summary rows kept together in one piece (one row compresses badly on its own).
SUMMARY_CHUNK = 64
_VERSION = b"summary pieces 1"


@dataclass
class PieceStats:
    """How many pieces a run reused and made (for the tests and the notes)."""

    reused: int = 0
    made: int = 0  # of which the survey workers made this many (``Premade``)
    premade: int = 0


@dataclass
class _Sheet:
    title: str
    columns: tuple[summary.Column, ...]
    freeze: tuple[int, int]
    rows: int = 0
    pieces: list[Deflated] = field(default_factory=list)


class _Rows:
    """Makes the rows of each big sheet as text, with the skeleton's style ids."""

    def __init__(self, book: summary.Book) -> None:
        fmt = (book.top, book.wrap, book.budget, book.score, book.flag, *book.status.values())
        # XlsxWriter numbers a format when a cell first uses it; numbered here, before any
        # sheet is written, the ids are the same every run (and part of the pieces' keys)
        self.ids = [f._get_xf_index() for f in fmt]
        self.top, self.wrap, self.budget, self.score, self.flag = self.ids[:5]
        self.status = dict(zip(book.status, self.ids[5:]))
        self.default = rowxml.row_height(summary.LINE_POINTS)
        cols = summary.SUMMARY_COLUMNS
        self._status, self._score, self._stated = (
            summary.column_index(cols, name) for name in ("Status", "ITA score", "Stated level")
        )
        self._budget = summary.column_index(summary.MEASURE_COLUMNS, "Budget (THB)")
        self._measure_styles = [
            self.budget if i == self._budget else self.top for i in range(len(summary.MEASURE_COLUMNS))
        ]

    def _plain(self, columns: tuple[summary.Column, ...]) -> list[int]:
        return [self.wrap if c[3] else self.top for c in columns]

    def _height(self, columns: tuple[summary.Column, ...], values: list[object]) -> str:
        lines = max((summary.cell_lines(v, c[2]) for c, v in zip(columns, values) if c[3]), default=1)
        return rowxml.row_height(min(409.0, lines * summary.LINE_POINTS)) if lines > 1 else self.default

    def summary_row(self, n: int, o: OrganisationSummary, tail: SummaryTail | None = None) -> str:
        """Organisation ``o``'s row of the summary sheet, numbered ``n``; ``tail`` (from
        :meth:`summary_tail`, made by its survey worker) gives all but the number."""
        height, rest = tail if tail is not None else self.summary_tail(o)
        return f'<row ht="{height}" customHeight="1">{rowxml.cell(n, self.top)}{rest}</row>'

    def summary_tail(self, o: OrganisationSummary) -> SummaryTail:
        """The summary row of ``o`` but its number (the first column, never wrapped: its
        height and style are the same whatever the number): its height and its other cells."""
        styles = self._plain(summary.SUMMARY_COLUMNS)
        styles[self._status], styles[self._score] = self.status[o.status], self.score
        if summary.CONTRADICTION in o.codes:  # the stated level does not fit the score
            styles[self._stated] = self.flag
        values = summary.summary_values(0, o)
        rest = "".join(rowxml.cell(v, s) for v, s in zip(values[1:], styles[1:]))
        return self._height(summary.SUMMARY_COLUMNS, values), rest

    def problem_rows(self, values: list[list[object]]) -> list[str]:
        styles = self._plain(summary.PROBLEM_COLUMNS)
        return [rowxml.row(v, styles, self._height(summary.PROBLEM_COLUMNS, v)) for v in values]

    def not_sent_rows(self, names: tuple[str, ...]) -> list[str]:
        styles = self._plain(summary.NOT_SENT_COLUMNS)
        values = [[n, name, standard.organisation_type(name)[0]] for n, name in enumerate(names, start=1)]
        return [rowxml.row(v, styles, self._height(summary.NOT_SENT_COLUMNS, v)) for v in values]

    def measure_rows(self, details: Details) -> list[str]:
        return [rowxml.row(v, self._measure_styles, self.default) for v in summary.measure_values(details)]


#: A summary row without its number: (height, the other cells), see ``_Rows.summary_tail``.
SummaryTail = tuple[str, str]


def _packed(tail: SummaryTail) -> tuple[str, bytes]:
    """A tail as the parent keeps it until the summary is written: its cells compressed."""
    return tail[0], zlib.compress(tail[1].encode("utf-8"), 1)


def _unpacked(packed: tuple[str, bytes]) -> SummaryTail:
    return packed[0], zlib.decompress(packed[1]).decode("utf-8")


@dataclass(frozen=True)
class Premade:
    """An organisation's problems and measures pieces, made by its survey worker right after
    its survey (so the deflating runs on every core while others are surveyed), and its
    summary row but the number, with the style ids they were made with: the parent uses them
    only if its skeleton gives the same."""

    ids: tuple[int, ...]
    problems: Deflated
    measures: Deflated
    summary: tuple[str, bytes] | None = None  # the summary row but its number (``_packed``)


_here: list[_Rows] = []  # this process's rows maker, with the style ids a skeleton gives


def premade(o: OrganisationSummary, details: Details) -> Premade:
    """``o``'s pieces as ``write_summary`` makes them for an organisation that counts (not
    superseded) and has no finding added by the intake (see ``write_summary``'s ``premade``).

    The style ids are those of a skeleton made here and never written: XlsxWriter numbers
    the formats the same way every time (``_Rows``), so they are the parent's too."""
    if not _here:
        _here.append(_Rows(summary.Book(io.BytesIO())))
    rows = _here[0]
    problems = rows.problem_rows(_findings(o, details, False))
    measures = rows.measure_rows(details)
    return Premade(
        tuple(rows.ids),
        deflate("".join(problems).encode("utf-8"), len(problems)),
        deflate("".join(measures).encode("utf-8"), len(measures)),
        _packed(rows.summary_tail(o)),
    )


def _findings(o: OrganisationSummary, details: Details, superseded: bool) -> list[list[object]]:
    """An organisation's rows of the problems sheet: errors first (a superseded submission's
    own notice before anything)."""
    if superseded:
        order = lambda f: (f.code != "superseded-submission", f.severity is not Severity.ERROR)  # noqa: E731
    else:
        order = lambda f: (f.severity is not Severity.ERROR, f.file, f.sheet)  # noqa: E731
    return [summary.problem_values(o, f) for f in sorted(details.findings, key=order)]


def _key(stamp: bytes, *parts: object) -> str:
    return hashlib.sha256(stamp + repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


class _Plan:
    """The big sheets in the order today's writer opened them, filled with pieces."""

    def __init__(self) -> None:
        self.order: list[_Sheet] = []
        self.current: dict[str, _Sheet] = {}
        self.kinds = {
            "p": (summary.SHEET_PROBLEMS, summary.PROBLEM_COLUMNS),
            "m": (summary.SHEET_MEASURES, summary.MEASURE_COLUMNS),
        }
        self.count = {"p": 0, "m": 0}
        for kind in ("p", "m"):
            self._open(kind)

    def _open(self, kind: str) -> _Sheet:
        self.count[kind] += 1
        title, columns = self.kinds[kind]
        name = title if self.count[kind] == 1 else f"{title} ({self.count[kind]})"
        sheet = _Sheet(name, columns, (1, 1))
        self.order.append(sheet)
        self.current[kind] = sheet
        return sheet

    def add(self, kind: str, piece: Deflated, rows: Callable[[], list[str]]) -> None:
        """Add a piece of ``piece.rows`` rows; past the sheet's limit its ``rows`` are made
        again and split, and the next sheet is opened when a row needs it."""
        sheet = self.current[kind]
        if piece.rows == 0:
            return
        if sheet.rows + piece.rows <= summary.MAX_ROWS:
            sheet.pieces.append(piece)
            sheet.rows += piece.rows
            return
        left = rows()
        while left:
            if sheet.rows >= summary.MAX_ROWS:
                sheet = self._open(kind)
            take = summary.MAX_ROWS - sheet.rows
            sheet.pieces.append(deflate("".join(left[:take]).encode("utf-8"), len(left[:take])))
            sheet.rows += len(left[:take])
            left = left[take:]


def _pieces(
    result: DistrictResult,
    details_of: Callable[[OrganisationSummary], Details],
    content: Mapping[str, str],
    rows: _Rows,
    old: dict[str, Deflated],
    stats: PieceStats,
    premade: Mapping[str, Premade],
) -> tuple[_Sheet, _Plan, dict[str, Deflated]]:
    """Every big sheet's pieces: reused from ``old`` by key, else taken from ``premade`` or
    made (and returned to keep)."""
    stamp = diskcache.code_stamp().encode() + _VERSION + repr(rows.ids).encode()
    kept: dict[str, Deflated] = {}

    def piece(key: str | None, make: Callable[[], list[str]], ready: Deflated | None = None) -> Deflated:
        found = old.get(key) if key is not None else None
        if found is None:
            if ready is None:
                made = make()
                ready = deflate("".join(made).encode("utf-8"), len(made))
            else:
                stats.premade += 1
            found = ready
            stats.made += 1
        else:
            stats.reused += 1
        if key is not None:
            kept[key] = found
        return found

    def tail(o: OrganisationSummary) -> SummaryTail | None:  # the worker's, if made with our ids
        ready = premade.get(o.submission)
        ok = ready is not None and ready.summary is not None and ready.ids == tuple(rows.ids)
        return _unpacked(ready.summary) if ok else None  # type: ignore[union-attr,arg-type]

    orgs = result.organisations
    first = _Sheet(summary.SHEET_SUMMARY, summary.SUMMARY_COLUMNS, (1, 2), rows=len(orgs))
    for start in range(0, len(orgs), SUMMARY_CHUNK):
        chunk = list(enumerate(orgs[start : start + SUMMARY_CHUNK], start=start + 1))
        key = _key(stamp, "s", [(n, o) for n, o in chunk])
        first.pieces.append(piece(key, lambda chunk=chunk: [rows.summary_row(n, o, tail(o)) for n, o in chunk]))

    plan = _Plan()
    inbox_rows = rows.problem_rows([["", *summary.problem_values_of(f)] for f in result.findings])
    plan.add("p", deflate("".join(inbox_rows).encode("utf-8"), len(inbox_rows)), lambda: inbox_rows)
    for superseded, group in ((False, orgs), (True, result.superseded)):
        for o in group:
            loaded: list[Details] = []

            def details(o: OrganisationSummary = o, loaded: list[Details] = loaded) -> Details:
                if not loaded:
                    loaded.append(details_of(o))
                return loaded[0]

            def problems(o: OrganisationSummary = o, s: bool = superseded, details=details) -> list[str]:  # type: ignore[no-untyped-def]
                return rows.problem_rows(_findings(o, details(), s))

            known = content.get(o.submission)
            p_key = _key(stamp, "q" if superseded else "p", known, o.name, o.submission) if known else None
            ready = None if superseded else premade.get(o.submission)
            if ready is not None and ready.ids != tuple(rows.ids):
                ready = None
            plan.add("p", piece(p_key, problems, ready and ready.problems), problems)
            if not superseded:
                measures = lambda details=details: rows.measure_rows(details())  # noqa: E731
                m_key = _key(stamp, "m", known) if known else None
                plan.add("m", piece(m_key, measures, ready and ready.measures), measures)
    return first, plan, kept


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def _member(skeleton: bytes, sheet: _Sheet) -> list[Deflated]:
    """A big sheet's member: the skeleton's text around the pieces, its dimension the whole."""
    end = skeleton.rindex(b"</sheetData>")
    last = rowxml.column_letter(len(sheet.columns) - 1)
    head = _DIMENSION.sub(f'<dimension ref="A1:{last}{sheet.rows + 1}"/>'.encode(), skeleton[:end], count=1)
    return [deflate(head), *sheet.pieces, deflate(skeleton[end:])]


def _skeleton(book: summary.Book, result: DistrictResult, sheets: list[_Sheet], not_sent: _Sheet | None) -> None:
    """The workbook without the big sheets' rows, in today's order of sheets."""
    first = sheets[0]
    ws = book.sheet(first.title, first.columns, freeze=first.freeze)
    summary.add_filter(ws, first.columns, first.rows + 1)
    ws.print_area(0, 0, max(first.rows, 1), summary.SUMMARY_PRINTED - 1)
    summary.write_overview(book, result)
    for sheet in sheets[1:]:
        ws = book.sheet(sheet.title, sheet.columns, freeze=sheet.freeze)
        summary.add_filter(ws, sheet.columns, sheet.rows + 1)
        ws.print_area(0, 0, max(sheet.rows, 1), summary.printed_columns(sheet.columns) - 1)
    if not_sent is not None:  # names from the expect list: text, never markup (see rowxml)
        ws = book.sheet(not_sent.title, not_sent.columns, freeze=not_sent.freeze)
        summary.add_filter(ws, not_sent.columns, not_sent.rows + 1)
    elif result.expected is not None:  # everyone has sent: a line of ours
        summary.write_not_sent(book, result)
    book.wb.close()


def write_summary(
    output: Path,
    result: DistrictResult,
    details_of: Callable[[OrganisationSummary], Details],
    *,
    force: bool = False,
    content: Mapping[str, str] | None = None,
    store: PieceStore | None = None,
    stats: PieceStats | None = None,
    premade: Mapping[str, Premade] | None = None,
) -> Path:
    """Write the summary workbook to ``output`` atomically; ``details_of`` gives each
    organisation's findings and measures (read back from the intake's spool).

    ``content`` maps a submission to a key of everything ``details_of`` gives for it (none:
    its rows are made afresh and not kept); ``store`` keeps the pieces between runs.
    ``premade`` maps a submission to the pieces its survey worker made (``premade``): only
    for an organisation whose details ``details_of`` gives as the worker had them (no
    finding added); they are used where the store has none."""
    stats = stats if stats is not None else PieceStats()
    skeleton = io.BytesIO()
    book = summary.Book(skeleton)
    rows = _Rows(book)
    old = store.load() if store is not None else {}
    first, plan, kept = _pieces(result, details_of, content or {}, rows, old, stats, premade or {})
    sheets = [first, *plan.order]
    not_sent = None
    if result.expected is not None and result.not_sent:
        made = rows.not_sent_rows(result.not_sent)
        not_sent = _Sheet(summary.SHEET_NOT_SENT, summary.NOT_SENT_COLUMNS, (1, 0), rows=len(made))
        not_sent.pieces.append(deflate("".join(made).encode("utf-8"), len(made)))
    _skeleton(book, result, sheets, not_sent)
    order = [first, None, *plan.order, not_sent]
    by_member = {f"xl/worksheets/sheet{i}.xml": s for i, s in enumerate(order, start=1) if s is not None}

    def save(stream: IO[bytes]) -> None:
        out = ZipOut(stream)
        with zipfile.ZipFile(io.BytesIO(skeleton.getvalue())) as zin:
            for info in zin.infolist():
                data = zin.read(info)
                sheet = by_member.get(info.filename)
                if sheet is None:
                    out.add(info.filename, data, info.date_time)
                else:
                    out.add_pieces(info.filename, _member(data, sheet), info.date_time)
        out.close()

    written = atomic_write(output, save, force=force)
    if store is not None and (stats.made or old.keys() != kept.keys()):
        store.save(kept)
    return written
