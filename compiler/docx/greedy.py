"""The widening of :mod:`compiler.docx.columns`: the rest of a table's width given, a step at a
time, to the column that most lowers the table's estimated height (steps of
:data:`COARSE_CM`, then of :data:`STEP_CM` for the last :data:`FINE_CM`).

Each row's height is the p-norm of its cells' line counts (:data:`SOFT_MAX_P`), kept as the sum
of their p-th powers so that trying a wider column touches that column only. A step computes
the fall of each column that could be the best (:class:`_FallBound`): the widths are those of
computing every column's fall at every step, to the last bit (``tests/solve_reference.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add, mul, sub, truediv

#: Widths move in steps of this many cm...
STEP_CM = 0.1
#: ...and in steps of this many while more than :data:`FINE_CM` is left to give: a third of
#: the steps, for the same widths within a step of :data:`STEP_CM` (measured on the sample
#: reports, a 300-row report and 60 random tables: at most 0.11 cm apart, the estimated
#: height at most 0.07 % more).
COARSE_CM = 0.5
FINE_CM = 1.0
#: Rows are as tall as their tallest cell; a smooth maximum (the p-norm) of the cells'
#: heights lets the width move to where it helps even when two cells are nearly as tall.
SOFT_MAX_P = 6.0
#: Thai lines break only between words, so a line is on average this full (measured on the
#: sample reports in LibreOffice: 0.75 to 0.85).
FILL = 0.8


def _lines(widths: Sequence[float], avail: float) -> float:
    """Estimated lines of paragraphs ``widths`` wide in a cell ``avail`` wide: each paragraph
    at least one line, and half a line lost at its end on average."""
    if avail <= 0:
        return math.inf
    per_line = avail * FILL
    if len(widths) == 1:  # the same value as the sum below
        return max(1.0, widths[0] / per_line + 0.5)
    return sum([max(1.0, w / per_line + 0.5) for w in widths]) or 1.0


class _Column:
    """A column's cells (each the widths of its paragraphs), laid flat so that the lines of
    every cell at a width are computed in one pass: ``powers(avail)[i]`` is
    ``_lines(cells[i], avail) ** SOFT_MAX_P``, the same arithmetic in the same order."""

    __slots__ = ("bounds", "cells", "flat")

    def __init__(self, cells: Sequence[Sequence[float]]) -> None:
        self.cells = cells
        self.flat = [w for ws in cells for w in ws]
        self.bounds = []
        start = 0
        for ws in cells:
            self.bounds.append((start, start + len(ws)))
            start += len(ws)

    def powers(self, avail: float) -> list[float]:
        if avail <= 0:
            return [_lines(ws, avail) ** SOFT_MAX_P for ws in self.cells]
        per_line, p = avail * FILL, SOFT_MAX_P
        # max(1.0, x) as a comparison (the same value, also for nan), summed per cell from 0
        lines = [x if x > 1.0 else 1.0 for x in [w / per_line + 0.5 for w in self.flat]]
        return [(sum(lines[a:b]) or 1.0) ** p for a, b in self.bounds]


def widen(
    widths: list[float],
    table: Sequence[tuple[float, Sequence[Sequence[float]]]],
    total_cm: float,
    padding_cm: float,
    volume: Sequence[float],
) -> tuple[float, ...]:
    """``widths`` (each column's minimum) widened to fill ``total_cm``: ``table`` is its rows as
    ``(weight, cells)``, each cell the widths of its paragraphs with text; ``volume`` each
    column's text, by which the rest is shared when no step lowers the table."""
    ncols = len(widths)
    weights = [weight for weight, _ in table]
    # by column: each row's p-th power at the column's width (the arithmetic is the same as
    # row by row, so the widths are too; only the values that did not change are kept)
    powers = [[_lines(cells[j], widths[j] - padding_cm) ** SOFT_MAX_P for _, cells in table] for j in range(ncols)]
    sums = [sum(p[i] for p in powers) for i in range(len(table))]
    root = 1 / SOFT_MAX_P
    tried: dict[int, tuple[float, float, list[float]]] = {}  # column -> (width, step, powers there)
    by_column = [_Column([cells[j] for _, cells in table]) for j in range(ncols)]

    def wider(j: int, step: float) -> list[float]:
        """Column ``j``'s p-th powers when it widens by ``step`` (computed once per width)."""
        hit = tried.get(j)
        if hit is not None and hit[0] == widths[j] and hit[1] == step:
            return hit[2]
        new = by_column[j].powers(widths[j] + step - padding_cm)
        tried[j] = (widths[j], step, new)
        return new

    left = total_cm - sum(widths)
    # What is known of each column's fall since it was last computed (see _FallBound): a
    # column whose fall cannot reach the best of this step is not computed.
    known: list[_FallBound | None] = [None] * ncols
    last_step = -1.0
    while left > 1e-9:
        step = min(COARSE_CM if left > FINE_CM else STEP_CM, left)
        if step != last_step:  # every column's wider powers change: nothing known holds
            known = [None] * ncols
            last_step = step
        best_j, best_fall, best_new = -1, 1e-9, []
        now = [total**root for total in sums]
        margin = _FALL_MARGIN * (sum(map(mul, weights, now)) + 1.0)
        if not math.isfinite(margin):  # an empty column's infinite lines: compute every fall
            known = [None] * ncols
        bounds = [math.inf if k is None else k.bound() for k in known]
        computed: list[tuple[int, float, list[float]]] = []
        # the largest fall, and of equal falls the first column's, as a loop over every column
        # computing each would find: a column whose bound is below the best found is not it
        for j in sorted(range(ncols), key=lambda j: -bounds[j]):
            if bounds[j] < best_fall:
                break  # the rest are bounded lower still
            # how much the table's height falls when column j widens by step
            new = wider(j, step)
            falls = [
                weight * (height - (total - old + value) ** root)
                for weight, height, total, old, value in zip(weights, now, sums, powers[j], new, strict=True)
            ]
            fall = reduce(add, falls, 0.0)  # added in order, as a loop would (sum() may not)
            computed.append((j, fall, new))
            if fall > best_fall or (fall == best_fall and 0 <= j < best_j):
                best_j, best_fall, best_new = j, fall, new
        for j, fall, new in computed:  # the widened column's is not needed: it changes
            if j != best_j:
                known[j] = _FallBound.of(fall, margin, powers[j], new, sums)
        if best_j < 0:  # no single step lowers the table: share the rest by text volume
            share = sum(volume)
            for j in range(ncols):
                widths[j] += left * volume[j] / share
            break
        widths[best_j] += step
        before, sums = sums, list(map(add, sums, map(sub, best_new, powers[best_j])))  # sum += new - old
        powers[best_j] = best_new
        left -= step
        known[best_j] = None  # wider now: its powers changed
        shrink = max(map(truediv, before, sums)) * (1.0 + 8 * _EPS)  # how far any row's sum fell
        known = [None if k is None else k.after(shrink) for k in known]
    return tuple(widths)


_EPS = 2.0**-52
#: A computed fall is within this share of the table's weighted height of its exact value:
#: rounding in each of at most SAMPLE_ROWS + 1 terms and in adding them (about (rows + 8) * eps
#: of the height when no row's sum falls by more than half, which :class:`_FallBound` asks),
#: with room to spare.
_FALL_MARGIN = 1e-12


@dataclass(frozen=True)
class _FallBound:
    """An upper bound on a column's fall at a later step, from its fall computed now.

    A row's term is ``w * (f(S) - f(S - d))`` with ``f(x) = x ** (1/p)``, ``S`` the row's sum
    of p-th powers and ``d >= 0`` what the column's widening takes off it. ``f`` is concave, so
    the term grows only as ``S`` falls (another column widened), and by the mean value theorem
    at most by ``(S / (S' - d)) ** (1 - 1/p)``. With every sum fallen at most by the factor
    ``shrink`` since (``S' >= S / shrink``) and ``d <= share * S``, that is at most
    ``(shrink / (1 - shrink * share)) ** (1 - 1/p)`` for every row, so for the fall. The
    bound holds while ``shrink * share <= 1/2``; past that it is infinite (compute again).
    The column's own width and the step must not have changed (the caller forgets it then).
    """

    fall: float
    margin: float
    share: float
    shrink: float = 1.0

    @staticmethod
    def of(fall: float, margin: float, old: list[float], new: list[float], sums: list[float]) -> _FallBound | None:
        share = max(map(truediv, map(sub, old, new), sums))
        if not (math.isfinite(fall) and share <= 0.5):  # also when share is not finite
            return None
        return _FallBound(max(fall, 0.0) + 4 * margin, margin, max(share, 0.0))

    def after(self, shrink: float) -> _FallBound | None:
        total = self.shrink * shrink
        if not total * self.share <= 0.5:  # also when not finite
            return None
        return _FallBound(self.fall, self.margin, self.share, total)

    def bound(self) -> float:
        growth = (self.shrink / (1.0 - self.shrink * self.share)) ** (1.0 - 1.0 / SOFT_MAX_P)
        return self.fall * growth + 4 * self.margin
