"""Step 2: turn a workbook's grids into typed values, following the standard.

Finds the header row under any title rows, maps the headers people actually write to the
standard's columns, joins the rows of a measure that spans several rows (merged or left
empty), and cleans every text (digits kept as typed; spaces, zero-width characters and Thai
mark order fixed). What cannot be read as the standard expects becomes a finding at its cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler import pictures, thai
from compiler.findings import too_long
from compiler.model import (
    DepartmentWorkbook,
    Measure,
    Organisation,
    cell_ref,
)
from compiler.workbook import standard
from compiler.workbook.cells import _Ctx, _inspect_text, _score, cell_text, match_header
from compiler.workbook.measures import _read_measures, _read_scores, locate_table
from compiler.workbook.read import RawSheet, RawWorkbook
from compiler.workbook.standard import Field

if TYPE_CHECKING:
    from compiler.documents.model import Document


# --- ข้อมูลหน่วยงาน -----------------------------------------------------------------------------
def _read_info(ctx: _Ctx, sheet: RawSheet) -> tuple[dict[str, object], dict[str, str]]:
    info: dict[str, object] = {}
    cells: dict[str, str] = {}
    for r, row in enumerate(sheet.rows, start=1):
        label_col = next((c for c, v in enumerate(row[:4], start=1) if v is not None), None)
        if label_col is None:
            continue
        f = match_header(row[label_col - 1], standard.INFO_FIELDS)
        if f is None or f.key in info:
            continue
        # the value stands right of the label (of its merged range, if the label is merged)
        value_col = label_col + 1
        for top, left, bottom, right in sheet.merged:
            if top <= r <= bottom and left <= label_col <= right:
                value_col = right + 1
        value = sheet.value(r, value_col)
        ref = cell_ref(r, value_col)
        cells[f.key] = ref
        if f.kind == "text" and isinstance(value, str) and len(text := cell_text(value)) > standard.LINE_LIMIT:
            ctx.findings.append(too_long(ctx.file, sheet.name, ref, f.label, len(text), standard.LINE_LIMIT))
            info[f.key] = None  # one message for the cell: not also "empty" or "very long"
            continue
        _inspect_text(ctx, sheet.name, ref, value)
        info[f.key] = _info_value(ctx, sheet.name, ref, f, value)
    for f in standard.INFO_FIELDS:
        if f.key not in cells:
            cells[f.key] = ""
            info.setdefault(f.key, None)
    return info, cells


def _info_value(ctx: _Ctx, sheet: str, ref: str, f: Field, value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.kind == "year":
        year = thai.parse_year(value)
        low, high = standard.FISCAL_YEAR_RANGE
        if year is None or not low <= year <= high:
            ctx.error(
                "bad-fiscal-year",
                sheet,
                ref,
                f"ปีงบประมาณ '{cell_text(value)}' ไม่ใช่ปี พ.ศ. ที่เป็นไปได้ กรุณาพิมพ์ เช่น 2565",
                f"fiscal year '{cell_text(value)}' is not a plausible Buddhist Era year (e.g. 2565)",
            )
            return None
        return year
    if f.kind == "score":
        return _score(ctx, sheet, ref, value)
    return cell_text(value)


def _uncached(ctx: _Ctx, sheet: str, ref: str) -> None:
    ctx.error(
        "formula-without-value",
        sheet,
        ref,
        "เซลล์นี้เป็นสูตรที่ยังไม่ได้คำนวณ กรุณาเปิดไฟล์ใน Excel กดบันทึก แล้วส่งใหม่ หรือพิมพ์ค่าแทนสูตร",
        "the cell holds a formula that was never calculated; open and save the file in Excel, or type the value",
    )


def _pictures(ctx: _Ctx, raw: RawWorkbook, sheet: str, info: dict[str, object], cells: dict[str, str]) -> None:
    """The logo and emblem a workbook names, found in its own folder and checked; ``info``
    then holds the picture's full path (so a build run from any folder finds it), or ``None``
    with a ``bad-picture`` error at the cell."""
    for key in ("logo", "emblem"):
        value = info.get(key)
        if not value:
            continue
        try:
            found, _ = pictures.workbook_picture(str(value), raw.path)
        except pictures.PictureProblem as problem:
            label = next(f.label for f in standard.INFO_FIELDS if f.key == key)
            ctx.warn(
                "bad-picture",
                sheet,
                cells.get(key, ""),
                f"'{label}': {problem.message_th}",
                f"'{label}': {problem.message_en}",
            )
            info[key] = None
            continue
        info[key] = str(found)


def normalise_workbook(raw: RawWorkbook) -> DepartmentWorkbook:
    """Read the standard's sheets of ``raw`` into a ``DepartmentWorkbook`` with findings.

    A workbook that could not be read gives an empty ``DepartmentWorkbook`` carrying the
    reading findings.
    """
    ctx = _Ctx(raw.file, list(raw.findings))
    empty = DepartmentWorkbook(raw.file, str(raw.path), {}, {}, (), {}, findings=tuple(ctx.findings))
    if not raw.readable:
        return empty
    if raw.has_macros:
        ctx.warn(
            "macros-not-run",
            "",
            "",
            "ไฟล์มีแมโคร (macro) ระบบอ่านเฉพาะข้อมูลและไม่เรียกใช้แมโครใด ๆ",
            "the workbook contains macros; only its data is read, macros are never run",
        )
    info_sheet = raw.sheet(standard.SHEET_INFO)
    measures_sheet = raw.sheet(standard.SHEET_MEASURES)
    plan_sheet = raw.sheet(standard.SHEET_PLAN)
    if plan_sheet is not None and measures_sheet is None:
        return _plan_workbook(ctx, raw, plan_sheet, info_sheet)
    if info_sheet is None and measures_sheet is None:
        found = ", ".join(raw.sheet_names[:10]) or "-"
        ctx.error(
            "no-standard-sheets",
            "",
            "",
            f"ไม่พบแผ่นงานตามแบบฟอร์ม ('{standard.SHEET_INFO}', '{standard.SHEET_MEASURES}') ในไฟล์นี้ พบเพียง: {found}",
            f"none of the standard sheets ('{standard.SHEET_INFO}', '{standard.SHEET_MEASURES}') found; sheets: {found}",
        )
        return DepartmentWorkbook(raw.file, str(raw.path), {}, {}, (), {}, findings=tuple(ctx.findings))
    for sheet in (info_sheet, measures_sheet, raw.sheet(standard.SHEET_SCORES)):
        if sheet is None:
            continue
        for ref in sheet.uncached_formulas:
            _uncached(ctx, sheet.name, ref)
        for ref, error in sheet.error_cells.items():
            _inspect_text(ctx, sheet.name, ref, error)
    info: dict[str, object] = {}
    info_cells: dict[str, str] = {}
    for name, sheet in ((standard.SHEET_INFO, info_sheet), (standard.SHEET_MEASURES, measures_sheet)):
        if sheet is None:
            ctx.error(
                "missing-sheet",
                name,
                "",
                f"ไม่พบแผ่นงาน '{name}' ซึ่งต้องมี กรุณาใช้แบบฟอร์มมาตรฐาน (ita-report init)",
                f"required sheet '{name}' is missing; use the standard form (ita-report init)",
            )
    if info_sheet is not None:
        info, info_cells = _read_info(ctx, info_sheet)
        _pictures(ctx, raw, info_sheet.name, info, info_cells)
    department = str(info.get("department") or "")
    measures: list[Measure] = []
    columns: dict[str, int] = {}
    if measures_sheet is not None:
        table = locate_table(ctx, measures_sheet, standard.MEASURES_TABLE)
        if table is not None:
            columns = table.columns
            measures = _read_measures(ctx, table, department, raw.file)
    scores_sheet = raw.sheet(standard.SHEET_SCORES)
    scores = _read_scores(ctx, scores_sheet) if scores_sheet is not None else {}
    version = str(info.get("version") or "")
    documents = _read_documents(ctx, raw, info)
    plan, plan_columns = _read_plan(ctx, plan_sheet, raw.file) if plan_sheet is not None else ((), {})
    return DepartmentWorkbook(
        raw.file,
        str(raw.path),
        info,
        info_cells,
        tuple(measures),
        scores,
        documents=documents,
        findings=tuple(ctx.findings),
        version=version,
        measure_columns=columns,
        plan=plan,
        plan_columns=plan_columns,
    )


def _read_plan(ctx: _Ctx, sheet: RawSheet, file: str) -> tuple[tuple[Measure, ...], dict[str, int]]:
    """The measures of a ``แผนมาตรการ`` sheet (no department: the plan is everyone's)."""
    table = locate_table(ctx, sheet, standard.PLAN_TABLE)
    if table is None:
        return (), {}
    return tuple(_read_measures(ctx, table, "", file)), table.columns


def _plan_workbook(ctx: _Ctx, raw: RawWorkbook, sheet: RawSheet, info_sheet: RawSheet | None) -> DepartmentWorkbook:
    """A plan workbook of its own: its plan, and its ข้อมูลหน่วยงาน if it has one."""
    info, info_cells = _read_info(ctx, info_sheet) if info_sheet is not None else ({}, {})
    plan, columns = _read_plan(ctx, sheet, raw.file)
    if not plan:
        ctx.error(
            "no-measures",
            sheet.name,
            "",
            "แผนมาตรการไม่มีมาตรการ กรุณากรอกอย่างน้อยหนึ่งมาตรการ",
            "the measures plan holds no measure; fill in at least one",
        )
    return DepartmentWorkbook(
        raw.file, str(raw.path), info, info_cells, (), {}, findings=tuple(ctx.findings),
        version=str(info.get("version") or ""), plan=plan, plan_columns=columns, is_plan=True,
    )  # fmt: skip


def _read_documents(ctx: _Ctx, raw: RawWorkbook, info: dict[str, object]) -> dict[str, Document]:
    """The filled ประกาศ / คำสั่ง / บันทึกข้อความ sheets as documents, their findings added."""
    if not any(document_sheet_name(name) for name in raw.sheets):
        return {}
    from compiler.documents.parse import read_documents  # (a build without documents skips its import)

    org = Organisation.from_info(info)
    docs, findings = read_documents(raw, org)
    ctx.findings.extend(findings)
    return {doc.sheet: doc for doc in docs}


def document_sheet_name(name: str) -> bool:
    """True for a sheet named as a document: ``ประกาศ``, ``คำสั่ง 2``, ``บันทึกข้อความ``."""
    key = thai.header_key(name).lower()
    return key.startswith(tuple(thai.header_key(s).lower() for s in standard.DOCUMENT_SHEETS))


def organisation_of(info: dict[str, object]) -> dict[str, object]:
    """The organisation fields of an info dict (for comparing workbooks)."""
    return {k: info.get(k) for k in standard.ORGANISATION_KEYS}
