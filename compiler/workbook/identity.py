"""Which rows of several departments' workbooks are the same measure.

A measure is known by its number *and* its title. Departments that write their own
measures each number them from 1, so the same number with two different titles is two
measures; titles that differ only in spacing, the digits' script, a number typed in front
or a small typo (``ประชุมชี้แจง`` / ``ประชุมชีแจง``) are one measure.

``measure_groups`` is used by ``check`` (to warn) and by ``merge`` (to build the report),
so both see the same measures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, Measure, cell_ref
from compiler.thai import header_key, to_arabic_digits
from compiler.workbook import standard

_LEADING_NUMBER = re.compile(r"^\s*\(?[0-9๐-๙]+[.)]\s*")
#: Titles whose keys differ in at most this share of their characters are one measure.
SIMILAR_RATIO = 0.1
#: Longer keys are compared exactly: an edit distance is quadratic in the length.
_MAX_FUZZY = 400


@lru_cache(maxsize=4096)  # a district compares each title with every other measure's
def title_key(title: str) -> str:
    """A title compared across departments: spaces, digits' script and a leading ``1.`` ignored.

    ``title_key("๑. ประชุม ชี้แจง") == title_key("ประชุมชี้แจง")``; ``""`` for no title.
    Remembered for the last 4,096 titles (a pure function of the text).
    """
    return header_key(to_arabic_digits(_LEADING_NUMBER.sub("", title)))


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def same_title(a: str, b: str) -> bool:
    """True when two titles name one measure: equal keys, or a typo apart.

    ``same_title("การเสริมสร้างวัฒนธรรมองค์กร", "การเสริมสร้างวัฒนธรรมองค์การ")`` is True
    (one letter in 27); ``same_title("ประชุมชี้แจง", "จัดซื้อจัดจ้าง")`` is False. An empty
    title matches anything (a department that left the title to the others).
    """
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb or ka == kb:
        return True
    if re.findall(r"\d+", ka) != re.findall(r"\d+", kb):
        return False  # มาตรการที่ 10 and มาตรการที่ 11 are not a typo apart
    longest = max(len(ka), len(kb))
    if longest > _MAX_FUZZY:
        return False
    limit = int(longest * SIMILAR_RATIO)
    return limit > 0 and _distance(ka, kb, limit) <= limit


@dataclass(frozen=True)
class MeasureGroup:
    """The rows (of one or more departments) that are one measure of the report.

    ``number`` is the number the report gives it: the departments' own when no number was
    used for two measures, else its place in the report (see ``measure_groups``).
    """

    number: int | None
    measures: tuple[Measure, ...]

    @property
    def typed_number(self) -> int | None:
        return self.measures[0].number


def department_order(workbooks: Sequence[DepartmentWorkbook]) -> list[DepartmentWorkbook]:
    """Workbooks in the usual order of departments (สำนักปลัด, กองคลัง, กองช่าง, …), the
    unknown ones after, in the order given: results are grouped in this order."""
    rank = {name: i for i, name in enumerate(standard.DEPARTMENTS)}
    indexed = list(enumerate(workbooks))
    indexed.sort(key=lambda iw: (rank.get(iw[1].department, len(rank)), iw[0]))
    return [wb for _, wb in indexed]


def _clusters(measures: Sequence[Measure]) -> list[list[Measure]]:
    """Measures of one number split into measures with one title each (first title wins)."""
    clusters: list[list[Measure]] = []
    for m in measures:
        for cluster in clusters:
            head = next((x.title for x in cluster if x.title), "")
            if same_title(head, m.title):
                cluster.append(m)
                break
        else:
            clusters.append([m])
    return clusters


def measure_groups(workbooks: Sequence[DepartmentWorkbook]) -> tuple[list[MeasureGroup], list[Finding]]:
    """The report's measures from ``workbooks`` (already in the report's department order),
    with a ``number-reused`` warning for each number that two departments used for
    different measures.

    Without such a clash, measures come in number order with their own numbers, the
    unnumbered ones after (matched by title). With a clash, every measure is renumbered
    1, 2, 3 … in the report's department order: the first department's measures in its own
    order, then the next department's measures that are not the same as one already
    placed, and so on; the warning names both cells and both new numbers.
    """
    workbooks = department_order(workbooks)
    by_number: dict[int, list[Measure]] = {}
    by_title: dict[str, list[Measure]] = {}
    for wb in workbooks:
        for m in wb.measures:
            if m.number is not None:
                by_number.setdefault(m.number, []).append(m)
            else:
                by_title.setdefault(title_key(m.title), []).append(m)
    clustered = {n: _clusters(ms) for n, ms in by_number.items()}
    clash = any(len(c) > 1 for c in clustered.values())
    if not clash:
        groups = [MeasureGroup(n, tuple(clustered[n][0])) for n in sorted(clustered)]
        groups += [MeasureGroup(None, tuple(ms)) for ms in by_title.values()]
        return groups, []
    # department-major order: each workbook's measures in its own order
    cluster_of: dict[int, tuple[int, int]] = {}  # id(measure) -> (number, cluster index)
    for n, clusters in clustered.items():
        for i, cluster in enumerate(clusters):
            for m in cluster:
                cluster_of[id(m)] = (n, i)
    placed: dict[object, int] = {}
    order: list[tuple[int, ...] | str] = []
    for wb in workbooks:
        for m in sorted(wb.measures, key=lambda m: (m.number is None, m.number or 0)):
            key: tuple[int, ...] | str = cluster_of[id(m)] if m.number is not None else title_key(m.title)
            if key not in placed:
                placed[key] = len(order) + 1
                order.append(key)
    groups = []
    for position, key in enumerate(order, start=1):
        members = by_title[key] if isinstance(key, str) else clustered[key[0]][key[1]]
        groups.append(MeasureGroup(position, tuple(members)))
    findings: list[Finding] = []
    columns = {wb.file: wb.measure_columns for wb in workbooks}
    for n in sorted(clustered):
        clusters = clustered[n]
        if len(clusters) < 2:
            continue
        first = clusters[0][0]
        for i, cluster in enumerate(clusters[1:], start=1):
            other = cluster[0]
            findings.append(_reused(n, first, placed[(n, 0)], other, placed[(n, i)], columns))
    return groups, findings


def _title_cell(m: Measure, columns: dict[str, dict[str, int]]) -> str:
    cols = columns.get(m.file, {})
    col = cols.get("title") or cols.get("number")
    return cell_ref(m.row, col) if col and m.row else ""


def _reused(
    number: int, first: Measure, first_new: int, other: Measure, other_new: int, columns: dict[str, dict[str, int]]
) -> Finding:
    here = f"{first.file} › {standard.SHEET_MEASURES} › {_title_cell(first, columns)}"
    return new_finding(
        "number-reused",
        file=other.file,
        sheet=standard.SHEET_MEASURES,
        cell=_title_cell(other, columns),
        th=f"มาตรการลำดับ {number} ของ{other.department or other.file} ('{other.title[:60]}') เป็นคนละมาตรการกับ"
        f"ลำดับ {number} ของ{first.department or first.file} ('{first.title[:60]}' ที่ {here})"
        f" รายงานแยกเป็นสองมาตรการ: ลำดับ {first_new} และ {other_new} และเรียงลำดับมาตรการใหม่ตามส่วนราชการ"
        " หากเป็นมาตรการเดียวกัน กรุณาใช้ชื่อมาตรการเดียวกัน",
        en=f"measure {number} of {other.department or other.file} ('{other.title[:60]}') is not measure {number} of "
        f"{first.department or first.file} ('{first.title[:60]}' at {here}); the report keeps them apart as "
        f"measures {first_new} and {other_new} and renumbers the measures in department order; "
        "if they are one measure, give them one title",
    )
