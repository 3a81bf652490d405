"""The measures plan: what the ITA working group decided once, matched with what each
department reported.

The secretary writes the plan in a ``แผนมาตรการ`` sheet (ลำดับ, ตัวชี้วัด, มาตรการ,
วิธีการดำเนินการ, ผู้รับผิดชอบ, ระยะเวลา, งบประมาณ); ``init --plan`` gives each department a
form holding its own plan rows, their plan columns locked, and a hidden copy of the whole
plan. ``check`` and ``build`` then find the plan (a plan workbook among the files, else the
copy inside a form) and match each department's measure to it:

- ``not-in-plan``: a measure the plan does not hold (kept in the report, after the plan's);
- ``plan-not-reported``: a plan measure no department reported (listed with no results);
- ``plan-cell-changed``: a locked plan cell typed over anyway (the plan's text is used).

A department's measure is the plan's measure of the same number and title (``identity``);
the same title under another number is that measure too, its number changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, Measure, cell_ref
from compiler.thai import header_key
from compiler.workbook import identity, standard

#: Words in ผู้รับผิดชอบ that give a plan row to every department.
EVERYONE = ("ทุกส่วนราชการ", "ทุกกอง", "ทุกหน่วยงาน", "ทุกส่วนงาน", "ทุกสำนัก")
_LABEL = {f.key: f.label for f in standard.MEASURE_COLUMNS}


def find_plan(workbooks: Sequence[DepartmentWorkbook]) -> DepartmentWorkbook | None:
    """The workbook whose plan counts: a plan workbook of its own, else the first form that
    carries a copy; ``None`` without a plan."""
    own = [wb for wb in workbooks if wb.is_plan and wb.plan]
    return own[0] if own else next((wb for wb in workbooks if wb.plan), None)


def departments_of(plan: Sequence[Measure]) -> list[str]:
    """The departments a plan names in ผู้รับผิดชอบ, in the usual order of departments, then
    the other names as written; "ทุกส่วนราชการ" names nobody in particular."""
    named: dict[str, None] = {}
    for m in plan:
        for line in m.responsible:
            if any(word in header_key(line) for word in EVERYONE):
                continue
            known = [d for d in standard.DEPARTMENTS if header_key(d) in header_key(line)]
            for d in known or [line.strip()]:
                named.setdefault(d, None)
    rank = {d: i for i, d in enumerate(standard.DEPARTMENTS)}
    return sorted(named, key=lambda d: rank.get(d, len(rank)))


def rows_for(plan: Sequence[Measure], department: str) -> list[Measure]:
    """The plan rows ``department`` is responsible for (by name, or every department's)."""
    key = header_key(department)
    return [
        m
        for m in plan
        if any(
            (key and key in header_key(line)) or any(w in header_key(line) for w in EVERYONE) for line in m.responsible
        )
    ]


def _lines_key(lines: Sequence[str] | str) -> str:
    if isinstance(lines, str):
        lines = (lines,)
    return "".join(identity.title_key(line) for line in lines)


def _changed(m: Measure, p: Measure) -> list[str]:
    """The plan columns in which ``m`` differs from the plan's ``p``."""
    out = []
    for key, mine, planned in (
        ("title", m.title, p.title),
        ("indicator", m.indicator + "".join(m.indicator_codes), p.indicator + "".join(p.indicator_codes)),
        ("method", m.methods, p.methods),
        ("responsible", m.responsible, p.responsible),
        ("period", m.period, p.period),
    ):
        if _lines_key(mine) != _lines_key(planned):
            out.append(key)
    if (m.budget or Decimal(0)) != (p.budget or Decimal(0)):
        out.append("budget")
    return out


#: The row of the header in the forms ``init`` writes (their plan rows follow it).
FORM_HEADER_ROW = 2


def match(m: Measure, plan: Sequence[Measure], placed: dict[int, Measure] | None = None) -> tuple[Measure | None, bool]:
    """The plan measure ``m`` is, and whether its number was changed; ``(None, False)`` when
    the plan does not hold it. ``placed`` (sheet row → plan measure) is where ``init`` put
    the department's plan rows: a row there with that number, or that title, is that
    measure whatever else was typed over it."""
    p = (placed or {}).get(m.row)
    if p is not None and (p.number == m.number or identity.title_key(p.title) == identity.title_key(m.title)):
        return p, p.number != m.number
    for p in plan:
        if p.number == m.number and identity.same_title(p.title, m.title) and m.title:
            return p, False
    for p in plan:
        if m.title and identity.title_key(p.title) == identity.title_key(m.title):
            return p, p.number != m.number
    return None, False


def _key(p: Measure) -> tuple[int | None, str]:
    return p.number, identity.title_key(p.title)


def placed_rows(wb: DepartmentWorkbook, plan: Sequence[Measure]) -> dict[int, Measure]:
    """Sheet row → measure of ``plan``, for a form ``init`` made from a plan: where its copy
    of the plan says ``init`` put the department's rows."""
    if not wb.plan or wb.is_plan:
        return {}
    by_key = {_key(p): p for p in plan}
    rows = enumerate(rows_for(wb.plan, wb.department))
    return {FORM_HEADER_ROW + 1 + i: by_key[_key(p)] for i, p in rows if _key(p) in by_key}


def plan_findings(workbooks: Sequence[DepartmentWorkbook]) -> list[Finding]:
    """Every department's measures matched to the plan: ``not-in-plan``,
    ``plan-cell-changed`` and ``plan-not-reported`` findings at their cells."""
    source = find_plan(workbooks)
    departments = [wb for wb in workbooks if not wb.is_plan and (wb.measures or wb.measure_columns)]
    if source is None or not departments:
        return []
    plan = source.plan
    out: list[Finding] = []
    reported: set[int] = set()
    for wb in departments:
        cols = wb.measure_columns
        placed = placed_rows(wb, plan)
        for m in wb.measures:
            p, renumbered = match(m, plan, placed)
            if p is None:
                out.append(_not_in_plan(wb, m, cols))
                continue
            reported.add(id(p))
            changed = (["number"] if renumbered else []) + _changed(m, p)
            for key in changed:
                out.append(_cell_changed(wb, m, p, key, cols))
    for p in plan:
        if id(p) not in reported:
            out.append(_not_reported(source, p))
    return out


def apply(workbooks: Sequence[DepartmentWorkbook]) -> tuple[list[DepartmentWorkbook], list[Measure]]:
    """The department workbooks with each planned measure's plan columns taken from the plan
    (the one source of truth; its budget counted once) and each measure not in the plan
    numbered after the plan's, and the plan measures nobody reported. Without a plan: the
    department workbooks as they are and ``[]``."""
    source = find_plan(workbooks)
    departments = [wb for wb in workbooks if not wb.is_plan]
    if source is None:
        return departments, []
    seen: set[int] = set()
    out = []
    # measures not in the plan are numbered after the plan's, so none takes a plan number
    after = max((p.number for p in source.plan if p.number is not None), default=0)
    for wb in departments:
        measures = []
        placed = placed_rows(wb, source.plan)
        for m in wb.measures:
            p, _ = match(m, source.plan, placed)
            if p is None:
                after += 1
                measures.append(replace(m, number=after))
                continue
            budget = p.budget if id(p) not in seen else None
            seen.add(id(p))
            measures.append(
                replace(
                    m, number=p.number, title=p.title, indicator=p.indicator, indicator_codes=p.indicator_codes,
                    methods=p.methods, responsible=p.responsible, period=p.period, budget=budget,
                )
            )  # fmt: skip
        out.append(replace(wb, measures=tuple(measures)))
    return out, [p for p in source.plan if id(p) not in seen]


def _title_cell(m: Measure, cols: dict[str, int], key: str = "title") -> str:
    col = cols.get(key) or cols.get("title")
    return cell_ref(m.row, col) if col and m.row else ""


def _not_in_plan(wb: DepartmentWorkbook, m: Measure, cols: dict[str, int]) -> Finding:
    return new_finding(
        "not-in-plan",
        file=wb.file,
        sheet=standard.SHEET_MEASURES,
        cell=_title_cell(m, cols),
        th=f"มาตรการ '{m.title[:60]}' ไม่อยู่ในแผนมาตรการ รายงานจะแสดงต่อท้ายมาตรการตามแผน"
        " หากเป็นมาตรการในแผน กรุณาใช้ลำดับและชื่อตามแผน",
        en=f"measure '{m.title[:60]}' is not in the measures plan; the report lists it after the plan's"
        " measures; if it is a plan measure, use the plan's number and title",
    )


def _cell_changed(wb: DepartmentWorkbook, m: Measure, p: Measure, key: str, cols: dict[str, int]) -> Finding:
    return new_finding(
        "plan-cell-changed",
        file=wb.file,
        sheet=standard.SHEET_MEASURES,
        cell=_title_cell(m, cols, key),
        th=f"'{_LABEL[key]}' ของมาตรการลำดับ {p.number} ถูกแก้ไขจากแผนมาตรการ ระบบใช้ข้อความตามแผน"
        " หากแผนต้องเปลี่ยน กรุณาแจ้งผู้รวบรวม",
        en=f"'{_LABEL[key]}' of plan measure {p.number} was changed from the measures plan; the plan's text is"
        " used; ask the secretary if the plan must change",
    )


def _not_reported(source: DepartmentWorkbook, p: Measure) -> Finding:
    who = ", ".join(p.responsible) or "-"
    return new_finding(
        "plan-not-reported",
        file=source.file,
        sheet=standard.SHEET_PLAN,
        cell=_title_cell(p, source.plan_columns),
        th=f"มาตรการลำดับ {p.number} ตามแผน ('{p.title[:60]}', ผู้รับผิดชอบ: {who}) ไม่มีส่วนราชการใดรายงาน",
        en=f"plan measure {p.number} ('{p.title[:60]}', responsible: {who}) was reported by no department",
    )
