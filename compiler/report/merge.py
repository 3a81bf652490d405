"""Step 4: merge the departments' workbooks of one organisation into one ``Report``.

The workbooks must agree on the organisation, district, province and fiscal year; a
disagreement is an error naming the files and values. A measure reported by several
departments (same ``ลำดับ``, or same title when unnumbered) appears once, each department's
results kept apart; measures come in ``ลำดับ`` order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from compiler.findings import new_finding
from compiler.model import (
    DepartmentPart,
    DepartmentWorkbook,
    Finding,
    Measure,
    MergedMeasure,
    Organisation,
    Report,
    Severity,
)
from compiler.thai import header_key, to_arabic_digits
from compiler.workbook import standard

LAYOUTS = ("measures", "numbered", "indicators")


def _disagreement(key: str, values: dict[object, list[str]]) -> Finding:
    label = next(f.label for f in standard.INFO_FIELDS if f.key == key)
    th = "; ".join(f"'{v}' ใน {', '.join(files)}" for v, files in values.items())
    en = "; ".join(f"'{v}' in {', '.join(files)}" for v, files in values.items())
    return new_finding("organisation-mismatch", file="", sheet=standard.SHEET_INFO, cell="", th=f"ไฟล์ของหน่วยงานเดียวกันระบุ '{label}' ไม่ตรงกัน: {th} กรุณาแก้ให้ตรงกันก่อนรวมรายงาน", en=f"the workbooks disagree on '{label}': {en}; make them agree before building")


def _first(workbooks: Sequence[DepartmentWorkbook], key: str) -> object:
    return next((wb.info[key] for wb in workbooks if wb.info.get(key) not in (None, "")), None)


def organisation(workbooks: Sequence[DepartmentWorkbook]) -> tuple[Organisation | None, list[Finding]]:
    """The one ``Organisation`` the workbooks describe, or the findings saying they disagree."""
    findings: list[Finding] = []
    for key in standard.ORGANISATION_KEYS:
        values: dict[object, list[str]] = {}
        for wb in workbooks:
            v = wb.info.get(key)
            if v not in (None, ""):
                values.setdefault(v, []).append(wb.file)
        if len(values) > 1:
            findings.append(_disagreement(key, values))
    for key in ("executive", "executive_position", "score"):
        values = {}
        for wb in workbooks:
            v = wb.info.get(key)
            if v not in (None, ""):
                values.setdefault(v, []).append(wb.file)
        if len(values) > 1:
            label = next(f.label for f in standard.INFO_FIELDS if f.key == key)
            listed = "; ".join(f"'{v}' ({', '.join(files)})" for v, files in values.items())
            findings.append(
                new_finding("info-mismatch", file="", sheet=standard.SHEET_INFO, cell="", th=f"'{label}' ไม่ตรงกันระหว่างไฟล์: {listed} ระบบใช้ค่าแรก", en=f"'{label}' differs between workbooks: {listed}; the first is used")
            )
    if any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    org = Organisation.from_info({f.key: _first(workbooks, f.key) for f in standard.INFO_FIELDS})
    return org, findings


def _key(m: Measure) -> tuple[int, object]:
    return (0, m.number) if m.number is not None else (1, header_key(m.title))


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    """Lines of all groups in order, each once (``๒๕๖๘`` and ``2568`` count as the same)."""
    seen: dict[str, str] = {}
    for group in groups:
        for line in group:
            seen.setdefault(header_key(to_arabic_digits(line)), line)
    return tuple(seen.values())


_LEADING_NUMBER = re.compile(r"^\s*\(?[0-9๐-๙]+[.)]\s*")


def _title_key(title: str) -> str:
    """A title compared across departments: spaces, digits' script and a leading ``1.`` ignored."""
    return header_key(to_arabic_digits(_LEADING_NUMBER.sub("", title)))


def _merge_one(group: list[Measure]) -> tuple[MergedMeasure, list[Finding]]:
    findings: list[Finding] = []
    head = group[0]
    title = next((m.title for m in group if m.title), "")
    indicator = next((m.indicator for m in group if m.indicator), "")
    methods: tuple[str, ...] = next((m.methods for m in group if m.methods), ())
    for m in group[1:]:
        for code, kept, other, what_th, what_en in (
            ("title-mismatch", title, m.title, "ชื่อ", "titles"),
            ("indicator-mismatch", indicator, m.indicator, "ตัวชี้วัด", "indicators"),
        ):
            if other and other != kept and _title_key(other) != _title_key(kept):
                findings.append(
                    new_finding(code, file=m.file, sheet=standard.SHEET_MEASURES, cell=f"แถว {m.row}", th=f"มาตรการลำดับ {m.number} มี{what_th}ต่างกัน: '{kept[:60]}' กับ '{other[:60]}' ({m.file})"
                        f" ระบบใช้{what_th}แรก กรุณาตรวจสอบลำดับมาตรการ", en=f"measure {m.number} has two {what_en}: '{kept[:60]}' and '{other[:60]}' ({m.file});"
                        " the first is used; check the measure numbers")
                )
        if m.methods and m.methods != methods and [_title_key(x) for x in m.methods] != [_title_key(x) for x in methods]:
            findings.append(
                new_finding("method-mismatch", file=m.file, sheet=standard.SHEET_MEASURES, cell=f"แถว {m.row}", th=f"วิธีการดำเนินการของมาตรการ '{title[:60]}' ต่างกัน: "
                    f"'{' / '.join(methods)}' กับ '{' / '.join(m.methods)}' ({m.file}) ระบบใช้แบบแรก", en=f"two plans for measure '{title[:60]}': '{' / '.join(methods)}' and "
                    f"'{' / '.join(m.methods)}' ({m.file}); the first is used")
            )
    parts: dict[str, DepartmentPart] = {}
    for m in group:
        dept = m.department or m.file
        old = parts.get(dept, DepartmentPart(dept))
        parts[dept] = DepartmentPart(
            dept,
            _union(old.methods, m.methods),
            old.results + m.results,
            old.outcomes + m.outcomes,
            old.suggestions + m.suggestions,
        )
    budgets = [m.budget for m in group if m.budget is not None]
    merged = MergedMeasure(
        number=head.number,
        title=title,
        indicator=indicator,
        indicator_codes=_union(*(m.indicator_codes for m in group)),
        methods=methods,
        responsible=_union(*(m.responsible for m in group)),
        period=_union(*(m.period for m in group)),
        parts=tuple(parts.values()),
        budget=sum(budgets, Decimal(0)) if budgets else None,
    )
    return merged, findings


def default_layout(measures: Sequence[MergedMeasure]) -> str:
    """``indicators`` when measures name indicators, ``numbered`` when they carry outcomes or
    budgets, else ``measures`` (the plainest table)."""
    if any(m.indicator or m.indicator_codes for m in measures):
        return "indicators"
    if any(m.budget is not None or any(p.outcomes for p in m.parts) for m in measures):
        return "numbered"
    return "measures"


def department_order(workbooks: Sequence[DepartmentWorkbook]) -> list[DepartmentWorkbook]:
    """Workbooks in the usual order of departments (สำนักปลัด, กองคลัง, กองช่าง, …), the
    unknown ones after, in the order given: results are grouped in this order."""
    rank = {name: i for i, name in enumerate(standard.DEPARTMENTS)}
    indexed = list(enumerate(workbooks))
    indexed.sort(key=lambda iw: (rank.get(iw[1].department, len(rank)), iw[0]))
    return [wb for _, wb in indexed]


def merge_measures(workbooks: Sequence[DepartmentWorkbook]) -> tuple[list[MergedMeasure], list[Finding]]:
    """Every measure of an organisation once, its departments' parts in the usual order
    (used by ``merge`` and by the district intake, which must count measures the same way)."""
    groups: dict[tuple[int, object], list[Measure]] = {}
    for wb in department_order(workbooks):
        for m in wb.measures:
            groups.setdefault(_key(m), []).append(m)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] if kv[0][0] == 0 else 0))
    measures: list[MergedMeasure] = []
    findings: list[Finding] = []
    for _, group in ordered:
        merged, extra = _merge_one(group)
        measures.append(merged)
        findings.extend(extra)
    return measures, findings


def merge(workbooks: Sequence[DepartmentWorkbook], layout: str | None = None) -> tuple[Report | None, list[Finding]]:
    """One ``Report`` from an organisation's department workbooks, or ``None`` and the
    findings that prevent it (the workbooks disagree on who they are)."""
    org, findings = organisation(workbooks)
    if org is None:
        return None, findings
    workbooks = department_order(workbooks)
    measures, extra = merge_measures(workbooks)
    findings.extend(extra)
    scores: dict[str, float] = {}
    for wb in workbooks:
        for code, value in wb.scores.items():
            scores.setdefault(code, value)
    departments = tuple(dict.fromkeys(wb.department or wb.file for wb in workbooks))
    chosen = layout or default_layout(measures)
    report = Report(org, tuple(measures), scores, departments, chosen, tuple(findings))
    return report, findings
