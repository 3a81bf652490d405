"""Column widths of a rendered table from its content.

A table with fixed column widths either breaks short values (``ปีงบประม|าณ``) and header
words (``ส่วนงานที่รับผิด|ชอบ``) or leaves one narrow column holding a whole page of text
beside empty cells. :func:`fit_columns` measures the text of every column of a rendered
table and shares the width between them:

1. each column first gets its *minimum*: its longest header word (bold) and its longest
   word, so that no word is broken, and a short value with digits (a budget, a score:
   at most :data:`SHORT_CM` wide) is kept on one line;
2. the rest of the width goes, a step at a time, to the column that most lowers the
   table's estimated height (the sum over rows of the tallest cell; the header row counts
   several times, since it repeats on every page), so long text gets the room
   (:mod:`compiler.docx.greedy`).

Widths are written into the table (``w:tblGrid``, every ``w:tcW`` and ``w:tblW``); Word and
LibreOffice both lay out a fixed-layout table from them. Nothing here knows which columns a
layout has: any table, any number of columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from compiler.docx.greedy import _lines, widen
from compiler.docx.textwidth import text_cm
from compiler.remember import Hashed, Kept

#: A last row estimated taller than this many lines is not kept with the signature: keeping it
#: moves the whole row to the next page, leaving the page before up to half empty (phon_sai,
#: measured); a taller row's last part is on the signature's page anyway, unless it ends at a
#: page's foot, which ``--pdf`` mends (:func:`compiler.docx.keeping.move_last_row_to_signature`).
KEEP_ROW_LINES = 8

#: A value with digits at most this wide (cm, as set) is kept on one line: a budget
#: (``๑๒,๕๐๐ บาท``), a score, a short date. Other text may break between words.
SHORT_CM = 3.0
_DIGIT = re.compile("[0-9๐-๙]")
#: The header row repeats on every page: its height counts this many times.
HEADER_WEIGHT = 3
#: At most this many body rows are measured (every n-th row of a longer table): the widths
#: of a thousand-row table are as well judged from a sample, in a fraction of the time.
SAMPLE_ROWS = 120
#: In a column of long text a word wider than this (cm) may be broken by the reader's own
#: dictionary (pythainlp joins compounds such as ผู้ใต้บังคับบัญชา that Word and LibreOffice
#: break between their parts): it does not set the column's minimum.
LONG_TEXT_WORD_CM = 3.2
#: No column's minimum is more than this share of the width (a long URL must not starve
#: every other column).
MAX_MIN_SHARE = 0.35


@dataclass(frozen=True)
class Cell:
    """The text of one cell: its paragraphs, each with whether it is bold."""

    paragraphs: tuple[tuple[str, bool], ...]


def _words(text: str) -> list[str]:
    """The words of ``text``: split at spaces, Thai runs cut at pythainlp's word boundaries."""
    from compiler import thai

    out: list[str] = []
    for chunk in text.replace("\u200b", " ").replace("\u2060", "").split():
        out.extend(thai.words(chunk))
    return out


def _longest_word_cm(text: str, size_pt: float, bold: bool, floor: float) -> float:
    """The widest word of ``text``; only chunks wider than ``floor`` are cut into words."""
    best = floor
    for chunk in text.replace("\u200b", " ").split():
        if text_cm(chunk, size_pt, bold=bold) <= best:
            continue
        for word in _words(chunk):
            best = max(best, text_cm(word, size_pt, bold=bold))
    return best


def _sample(rows: Sequence[Sequence[Any]], ncols: int) -> list[Sequence[Any]]:
    """The rows of ``ncols`` cells that are measured: all, or :data:`SAMPLE_ROWS` spread evenly."""
    body = [r for r in rows if len(r) == ncols]
    if len(body) > SAMPLE_ROWS:
        step = len(body) / SAMPLE_ROWS
        body = [body[int(i * step)] for i in range(SAMPLE_ROWS)]
    return body


def solve_widths(
    header: Sequence[Cell],
    rows: Sequence[Sequence[Cell]],
    total_cm: float,
    *,
    size_pt: float = 14.0,
    padding_cm: float = 0.2,
) -> list[float]:
    """Column widths (cm) summing to ``total_cm`` for a table of ``header`` and body ``rows``.

    ``padding_cm`` is the cell's left plus right margin. See the module docstring. The widths
    of a table measured before in this process are remembered (a server building again).
    """
    body = _sample(rows, len(header))
    return solve_measured(
        header, [[_measured(c, size_pt) for c in r] for r in body], total_cm, size_pt=size_pt, padding_cm=padding_cm
    )


def solve_measured(
    header: Sequence[Cell],
    rows: Sequence[Sequence[_Measured]],
    total_cm: float,
    *,
    size_pt: float = 14.0,
    padding_cm: float = 0.2,
) -> list[float]:
    """:func:`solve_widths` of a table whose body cells are measured already (:func:`measured`);
    rows of another number of cells than ``header`` are left out, as there."""
    key = Hashed((tuple(header), tuple(map(tuple, rows)), total_cm, size_pt, padding_cm))
    known = _solved.get(key)
    if known is None:
        known = _solve_widths(header, rows, total_cm, size_pt=size_pt, padding_cm=padding_cm)
        if len(rows) <= _SOLVED_LONGEST:
            _solved.keep(key, known)
    return list(known)


#: Tables remembered: at most this many, of at most this many rows each.
_SOLVED_KEPT = 8
_SOLVED_LONGEST = 20_000
_solved: Kept[Hashed, tuple[float, ...]] = Kept(_SOLVED_KEPT)


@dataclass(frozen=True)
class _Measured:
    """What the solver needs of one body cell: the widths of its paragraphs with text, the
    widest of its short values with digits (kept on one line), and its widest word (or at
    least :data:`LONG_TEXT_WORD_CM` once a word is that wide)."""

    widths: tuple[float, ...]
    short: float
    word: float


def _measured(cell: Cell, size_pt: float) -> _Measured:
    """:class:`_Measured` of ``cell``, remembered by its text (a server measures the cells of
    the departments that did not change again).

    The column's minimum from these is the one a walk over every paragraph of the column
    gives: the maximum of the cells' short values, and the smaller of the widest word and
    :data:`LONG_TEXT_WORD_CM` (a word is never wider than the run it is cut from, so
    :func:`_longest_word_cm` of a text is the larger of its floor and the text's widest word).
    """
    key = (cell, size_pt)
    known = _measures.get(key)
    if known is not None:
        return known
    short = word = 0.0
    for text, bold in cell.paragraphs:
        width = text_cm(text, size_pt, bold=bold)
        if width <= SHORT_CM and _DIGIT.search(text):
            short = max(short, width)  # a budget, a score, a date: on one line
        elif word < LONG_TEXT_WORD_CM:
            word = _longest_word_cm(text, size_pt, bold, word)
    widths = tuple(text_cm(t, size_pt, bold=b) for t, b in cell.paragraphs if t.strip())
    known = _Measured(widths, short, word)
    if sum(len(t) for t, _ in cell.paragraphs) <= _CELL_LONGEST:
        _measures.keep(key, known)
    return known


#: :class:`_Measured` of a cell at a size (what the solver needs of it), remembered.
measured = _measured


#: Cells remembered (read from their XML, and measured): at most this many, of at most this
#: many bytes of XML (characters of text) each. A cell of the 300-measure report is ~3 kB of
#: XML and its sample ~600 cells (many alike): a few reports' cells, ~12 MB at most.
_CELLS_KEPT = 4096
_CELL_LONGEST = 64_000
_measures: Kept[tuple[Cell, float], _Measured] = Kept(_CELLS_KEPT)


def _solve_widths(
    header: Sequence[Cell],
    rows: Sequence[Sequence[_Measured]],
    total_cm: float,
    *,
    size_pt: float,
    padding_cm: float,
) -> tuple[float, ...]:
    ncols = len(header)
    if ncols == 0:
        return ()
    measured = _sample(rows, ncols)
    head_w = [list(_measured(c, size_pt).widths) for c in header]
    body_w = [[list(m.widths) for m in r] for r in measured]

    minimum = []
    for j in range(ncols):
        need = 0.0
        for text, bold in header[j].paragraphs:
            need = _longest_word_cm(text, size_pt, bold, need)
        word = 0.0
        for r in measured:
            need = max(need, r[j].short)
            word = max(word, r[j].word)
        need = max(need, min(word, LONG_TEXT_WORD_CM))
        minimum.append(min(need, total_cm * MAX_MIN_SHARE) + padding_cm)
    if sum(minimum) > total_cm:  # more columns than room: shrink the minimums alike
        scale = total_cm / sum(minimum)
        return tuple(m * scale for m in minimum)

    # rows as (weight, cells): the header repeats on every page
    table = [(float(HEADER_WEIGHT), head_w), *((1.0, r) for r in body_w)]
    volume = [sum(sum(r[j]) for r in body_w) + 1e-6 for j in range(ncols)]
    return widen(list(minimum), table, total_cm, padding_cm, volume)


# --- reading and writing a table's XML -----------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def qn(tag: str) -> str:
    """python-docx's ``qn("w:tc")`` without python-docx (an assembled build never imports it)."""
    prefix, local = tag.split(":")
    assert prefix == "w", tag
    return _W + local


def twips(cm: float) -> int:
    """``docx.shared.Cm(cm).twips``: whole EMUs (360,000 a cm, cut towards 0), then twips
    (635 EMUs each, rounded)."""
    return round(int(cm * 360000) / 635.0)


_W_P, _W_R, _W_T, _W_RPR, _W_B = (qn(t) for t in ("w:p", "w:r", "w:t", "w:rPr", "w:b"))
_W_TC, _W_TCPR, _W_TCW, _W_GRIDSPAN, _W_VAL = (qn(t) for t in ("w:tc", "w:tcPr", "w:tcW", "w:gridSpan", "w:val"))
_W_PPR = qn("w:pPr")


def _cell(tc: Any) -> Cell:
    """The paragraphs of a ``w:tc``: each one's text, and whether every run with text is bold.

    Remembered by the cell's XML (a server building again reads the same cells: their XML
    written out and looked up costs a tenth of walking their paragraphs and runs)."""
    xml = etree.tostring(tc)
    known = _cells.get(xml)
    if known is None:
        known = _read_cell(tc)
        if len(xml) <= _CELL_LONGEST:
            _cells.keep(xml, known)
    return known


_cells: Kept[bytes, Cell] = Kept(_CELLS_KEPT)


def _read_cell(tc: Any) -> Cell:
    plain = _read_plain_cell(tc)
    if plain is not None:
        return plain
    paragraphs = []
    for p in tc.iter(_W_P):
        # the texts of the w:t read without making an element of each (a tenth of a build)
        text = "".join(p.itertext(_W_T, with_tail=False))
        # bold: a paragraph with runs, all of whose runs with text are bold
        bold = None
        for r in p.iter(_W_R):
            bold = True
            if not text.strip():  # no run has text: having runs is enough
                break
            if "".join(r.itertext(_W_T, with_tail=False)).strip():
                rpr = r.find(_W_RPR)
                if rpr is None or rpr.find(_W_B) is None:
                    bold = False
                    break
        paragraphs.append((text, bool(bold)))
    return Cell(tuple(paragraphs))


def _children(element: Any, wanted: str, properties: str) -> list[Any] | None:
    """``element``'s children tagged ``wanted``, its ``properties`` child passed over; ``None``
    when it has any other child."""
    out = []
    for child in element:
        if child.tag == wanted:
            out.append(child)
        elif child.tag != properties:
            return None
    return out


def _read_plain_cell(tc: Any) -> Cell | None:
    """:func:`_read_cell` of a cell as a report's rows are: paragraphs of runs of text, walked
    child by child (a third of the time of the filtered walks); ``None`` for any other cell
    (a hyperlink, a nested table, a field, a break: anything but ``w:tcPr``, ``w:pPr``,
    ``w:r``, ``w:rPr`` and childless ``w:t``), which the walks read."""
    ps = _children(tc, _W_P, _W_TCPR)
    if ps is None:
        return None
    paragraphs = []
    for p in ps:
        rs = _children(p, _W_R, _W_PPR)
        if rs is None:
            return None
        runs = []  # (its text, whether its first w:rPr holds a w:b)
        for r in rs:
            texts = []
            bold = None
            for c in r:
                if c.tag == _W_T and not len(c):
                    texts.append(c.text or "")
                elif c.tag == _W_RPR:
                    if bold is None:
                        bold = c.find(_W_B) is not None
                else:
                    return None
            runs.append(("".join(texts), bool(bold)))
        text = "".join([t for t, _ in runs])
        if not runs:
            paragraphs.append((text, False))
        elif not text.strip():
            paragraphs.append((text, True))  # no run has text: having runs is enough
        else:
            paragraphs.append((text, all(b for t, b in runs if t.strip())))
    return Cell(tuple(paragraphs))


def fit_columns(tbl: Any, total_cm: float, *, size_pt: float = 14.0, header_bold: bool = True) -> list[float]:
    """Size the columns of ``tbl`` (a ``w:tbl``) from its content to fill ``total_cm``.

    The first row is the header (set bold); rows with merged cells are left out of the
    measuring but get the new widths. Returns the widths (cm).
    """
    trs = tbl.findall(qn("w:tr"))
    grid = tbl.find(qn("w:tblGrid"))
    if not trs or grid is None:
        return []
    ncols = len(grid.findall(qn("w:gridCol")))
    tcs = [tr.findall(_W_TC) for tr in trs]
    header = [_cell(tc) for tc in tcs[0]]
    if header_bold:
        header = [Cell(tuple((t, True) for t, _ in c.paragraphs)) for c in header]
    if len(header) != ncols:
        return []
    sampled = _sample(tcs[1:], ncols)  # only the rows measured
    if _sized[0]:  # cells remembered by their XML: a process that sizes tables again
        body = [[_cell(tc) for tc in row] for row in sampled]
    else:  # the first table of a process (a command): nothing to find, so read, not keyed
        _sized[0] = True
        body = [[_read_cell(tc) for tc in row] for row in sampled]
    widths = solve_widths(header, body, total_cm, size_pt=size_pt, padding_cm=table_padding_cm(tbl))
    set_widths(tbl, widths)
    return widths


#: Whether a table was sized in this process yet.
_sized = [False]

_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
#: A row whose cells :func:`set_widths` cannot take in order, one width each: not ``n``
#: cells, or a cell without exactly one ``w:tcPr`` holding exactly one ``w:tcW``, or spanning.
_IRREGULAR = etree.XPath(
    "boolean(./w:tr[count(w:tc) != $n or w:tc[count(w:tcPr) != 1 or count(w:tcPr/w:tcW) != 1 or w:tcPr/w:gridSpan]])",
    namespaces=_NS,
)
_TCWS = etree.XPath("./w:tr/w:tc/w:tcPr/w:tcW", namespaces=_NS)


def set_widths(tbl: Any, widths_cm: Sequence[float]) -> None:
    """Write column widths (cm) into ``tbl``: grid, table width and every cell's ``w:tcW``."""
    widths = [twips(w) for w in widths_cm]
    grid = tbl.find(qn("w:tblGrid"))
    for col, tw in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(tw))
    tblpr = tbl.find(qn("w:tblPr"))
    tblw = tblpr.find(qn("w:tblW")) if tblpr is not None else None
    if tblw is not None:
        tblw.set(qn("w:w"), str(sum(widths)))
        tblw.set(qn("w:type"), "dxa")
    if _IRREGULAR(tbl, n=len(widths)):
        _set_cell_widths(tbl, widths)
        return
    # every row n cells, each with one w:tcW: found with one XPath (an element made for each
    # w:tcPr and w:tcW on the way cost a tenth of a warm build); the same as _set_cell_widths
    w_w, w_type = qn("w:w"), qn("w:type")
    texts = [str(tw) for tw in widths]
    for i, tcw in enumerate(_TCWS(tbl)):
        tcw.set(w_w, texts[i % len(texts)])
        tcw.set(w_type, "dxa")


def _set_cell_widths(tbl: Any, twips: Sequence[int]) -> None:
    """Every cell's ``w:tcW`` from ``twips``, row by row (any row: spans, cells missing)."""
    from docx.oxml import OxmlElement  # (python-docx: only for such a table)

    w_w, w_type = qn("w:w"), qn("w:type")
    for tr in tbl.findall(qn("w:tr")):
        col = 0
        for tc in tr.findall(_W_TC):
            tcpr = tc.find(_W_TCPR)
            span_el = tcpr.find(_W_GRIDSPAN) if tcpr is not None else None
            span = int(span_el.get(_W_VAL)) if span_el is not None else 1
            width = sum(twips[col : col + span])
            col += span
            if tcpr is None:
                tcpr = OxmlElement("w:tcPr")
                tc.insert(0, tcpr)
            tcw = tcpr.find(_W_TCW)
            if tcw is None:
                tcw = OxmlElement("w:tcW")
                cnf = tcpr.find(qn("w:cnfStyle"))
                if cnf is not None:
                    cnf.addnext(tcw)
                else:
                    tcpr.insert(0, tcw)
            tcw.set(w_w, str(width))
            tcw.set(w_type, "dxa")


def mend_empty_cells(element: Any) -> int:
    """Give every table cell under ``element`` that rendered without a closing paragraph one
    (Word rejects a cell without: a docxtpl loop over an empty list removes a cell's only
    paragraph). Returns how many cells were mended."""
    mended = 0
    for tc in element.iter(_W_TC):
        if not len(tc) or tc[len(tc) - 1].tag != _W_P:
            etree.SubElement(tc, _W_P)
            mended += 1
    return mended


def table_padding_cm(tbl: Any) -> float:
    """A cell's left plus right margin (cm) in ``tbl``: its ``w:tblCellMar``, else Word's default."""
    tblpr = tbl.find(qn("w:tblPr"))
    margins = tblpr.find(qn("w:tblCellMar")) if tblpr is not None else None
    padding = 0.0
    if margins is not None:
        for side in margins:
            if side.tag in (qn("w:left"), qn("w:right"), qn("w:start"), qn("w:end")):
                padding += int(side.get(qn("w:w"), "0")) / 567
    return padding or 0.38


def cell_lines(tc: Any, *, size_pt: float, padding_cm: float = 0.38) -> float:
    """Estimated lines of a ``w:tc`` at its own width (``w:tcW``), as :func:`solve_widths` counts."""
    tcpr = tc.find(_W_TCPR)
    tcw = tcpr.find(_W_TCW) if tcpr is not None else None
    if tcw is None or tcw.get(qn("w:type"), "dxa") != "dxa":
        return 1.0
    avail = int(tcw.get(qn("w:w"), "0")) / 567 - padding_cm
    cell = _cell(tc)
    return _lines([text_cm(t, size_pt, bold=b) for t, b in cell.paragraphs if t.strip()], avail)
