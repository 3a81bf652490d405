"""The column solver as it was before its quicker arithmetic (compiler.docx.columns at
6242a6c, with the coarse steps of compiler.docx.greedy since), kept for tests/test_fastpath.py:
the quicker one must give the same widths."""

from __future__ import annotations

import math
from collections.abc import Sequence

from compiler.docx.columns import (
    _DIGIT,
    HEADER_WEIGHT,
    LONG_TEXT_WORD_CM,
    MAX_MIN_SHARE,
    SHORT_CM,
    Cell,
    _longest_word_cm,
    _sample,
)
from compiler.docx.greedy import COARSE_CM, FILL, FINE_CM, SOFT_MAX_P, STEP_CM
from compiler.docx.textwidth import text_cm


def _lines(widths: Sequence[float], avail: float) -> float:
    if avail <= 0:
        return math.inf
    per_line = avail * FILL
    if len(widths) == 1:
        return max(1.0, widths[0] / per_line + 0.5)
    return sum([max(1.0, w / per_line + 0.5) for w in widths]) or 1.0


def solve_widths(
    header: Sequence[Cell],
    rows: Sequence[Sequence[Cell]],
    total_cm: float,
    *,
    size_pt: float = 14.0,
    padding_cm: float = 0.2,
) -> list[float]:
    """Column widths (cm) summing to ``total_cm`` for a table of ``header`` and body ``rows``.

    ``padding_cm`` is the cell's left plus right margin. See the module docstring.
    """
    ncols = len(header)
    if ncols == 0:
        return []
    body = _sample(rows, ncols)

    def widths_of(cell: Cell) -> list[float]:
        return [text_cm(t, size_pt, bold=b) for t, b in cell.paragraphs if t.strip()]

    head_w = [widths_of(c) for c in header]
    body_w = [[widths_of(c) for c in r] for r in body]

    minimum = []
    for j in range(ncols):
        need = 0.0
        for text, bold in header[j].paragraphs:
            need = _longest_word_cm(text, size_pt, bold, need)
        word = 0.0
        for r in body:
            for text, bold in r[j].paragraphs:
                width = text_cm(text, size_pt, bold=bold)
                if width <= SHORT_CM and _DIGIT.search(text):
                    need = max(need, width)  # a budget, a score, a date: on one line
                elif word < LONG_TEXT_WORD_CM:
                    word = _longest_word_cm(text, size_pt, bold, word)
        need = max(need, min(word, LONG_TEXT_WORD_CM))
        minimum.append(min(need, total_cm * MAX_MIN_SHARE) + padding_cm)
    if sum(minimum) > total_cm:  # more columns than room: shrink the minimums alike
        scale = total_cm / sum(minimum)
        return [m * scale for m in minimum]

    widths = list(minimum)
    # Rows as (weight, cells); each row's height is the p-norm of its cells' line counts, kept
    # as the sum of the p-th powers so that trying a wider column touches that column only.
    table = [(float(HEADER_WEIGHT), head_w), *((1.0, r) for r in body_w)]
    weights = [weight for weight, _ in table]
    # by column: each row's p-th power at the column's width (the arithmetic is the same as
    # row by row, so the widths are too; only the values that did not change are kept)
    powers = [[_lines(cells[j], widths[j] - padding_cm) ** SOFT_MAX_P for _, cells in table] for j in range(ncols)]
    sums = [sum(p[i] for p in powers) for i in range(len(table))]
    root = 1 / SOFT_MAX_P
    tried: dict[int, tuple[float, float, list[float]]] = {}  # column -> (width, step, powers there)

    def wider(j: int, step: float) -> list[float]:
        """Column ``j``'s p-th powers when it widens by ``step`` (computed once per width)."""
        hit = tried.get(j)
        if hit is not None and hit[0] == widths[j] and hit[1] == step:
            return hit[2]
        avail = widths[j] + step - padding_cm
        if avail <= 0:
            new = [_lines(cells[j], avail) ** SOFT_MAX_P for _, cells in table]
        else:  # _lines inlined for the one-paragraph cells: the same arithmetic
            per_line, p = avail * FILL, SOFT_MAX_P
            new = [
                max(1.0, ws[0] / per_line + 0.5) ** p if len(ws) == 1 else _lines(ws, avail) ** p
                for ws in (cells[j] for _, cells in table)
            ]
        tried[j] = (widths[j], step, new)
        return new

    left = total_cm - sum(widths)
    volume = [sum(sum(r[j]) for r in body_w) + 1e-6 for j in range(ncols)]
    while left > 1e-9:
        step = min(COARSE_CM if left > FINE_CM else STEP_CM, left)
        best_j, best_fall, best_new = -1, 1e-9, []
        now = [total**root for total in sums]
        for j in range(ncols):
            # how much the table's height falls when column j widens by step
            new = wider(j, step)
            fall = 0.0
            for weight, height, total, old, value in zip(weights, now, sums, powers[j], new, strict=True):
                fall += weight * (height - (total - old + value) ** root)
            if fall > best_fall:
                best_j, best_fall, best_new = j, fall, new
        if best_j < 0:  # no single step lowers the table: share the rest by text volume
            share = sum(volume)
            for j in range(ncols):
                widths[j] += left * volume[j] / share
            break
        widths[best_j] += step
        column = powers[best_j]
        for i, value in enumerate(best_new):
            sums[i] += value - column[i]
        powers[best_j] = best_new
        left -= step
    return widths
