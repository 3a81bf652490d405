"""Step 3: check normalised workbooks against the standard; every problem is a finding.

``check_paths`` is the whole of ``ita-report check``: find the workbooks, read, normalise and
check each, then compare them with each other (names spelt differently across departments).
"""

from __future__ import annotations

import functools
import hashlib
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from compiler import thai
from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, Measure, Severity, cell_ref
from compiler.remember import Kept
from compiler.safeio import display_name
from compiler.workbook import identity, indicators, plan, standard, stored
from compiler.workbook.normalise import normalise_workbook
from compiler.workbook.read import find_workbooks, read_workbook


@dataclass(frozen=True)
class CheckResult:
    """The workbooks as read and every finding about them, in file order."""

    workbooks: tuple[DepartmentWorkbook, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors


def _finding(wb: DepartmentWorkbook, code: str, sheet: str, cell: str, th: str, en: str) -> Finding:
    return new_finding(code, file=wb.file, sheet=sheet, cell=cell, th=th, en=en)


_TONES = re.compile("[\u0e48-\u0e4b\u0e4c]")


def _skeleton(text: str) -> str:
    """Text without tone marks or spaces: บ้านต๋อม, บ้านต้อม and บ้านต่อม share one skeleton."""
    return _TONES.sub("", text.replace(" ", ""))


@functools.cache
def _place_pattern(place: str) -> re.Pattern[str]:
    """A pattern matching ``place`` with any tone marks (or none) on each letter."""
    marks = "[\u0e48-\u0e4c]*"
    return re.compile(marks.join(re.escape(ch) for ch in _skeleton(place)) + marks)


def misspelt_place(text: str, place: str) -> str | None:
    """The variant of ``place`` in ``text`` that differs only in tone marks, if any.

    ``misspelt_place("นายกเทศมนตรีตำบลบ้านต่อม", "บ้านต๋อม") == "บ้านต่อม"``; ``None`` when
    the text spells it right or does not name it.
    """
    if len(place) < 3 or not text:
        return None
    compact = place.replace(" ", "")
    for m in _place_pattern(compact).finditer(text.replace(" ", "")):
        if m.group(0) != compact:
            return m.group(0)
    return None


def _check_info(wb: DepartmentWorkbook) -> list[Finding]:
    out: list[Finding] = []
    sheet = standard.SHEET_INFO
    if not wb.info_cells:
        return out  # the sheet itself is missing: already reported
    for f in standard.INFO_FIELDS:
        if not f.required:
            continue
        if wb.info.get(f.key) in (None, "") and not _already_reported(wb, wb.info_cells.get(f.key, "")):
            where = wb.info_cells.get(f.key) or ""
            out.append(
                _finding(
                    wb,
                    "missing-value",
                    sheet,
                    where,
                    f"ไม่ได้กรอก '{f.label}'" + ("" if where else f" (ไม่พบแถว '{f.label}' ในแผ่นงาน)"),
                    f"'{f.label}' is empty" + ("" if where else " (no such row in the sheet)"),
                )
            )
    version = wb.info.get("version")
    if version and str(version).split(".")[0] != standard.STANDARD_VERSION.split(".")[0]:
        out.append(
            _finding(
                wb,
                "unknown-version",
                sheet,
                wb.info_cells.get("version", ""),
                f"แบบฟอร์มรุ่น {version} ต่างจากรุ่นที่ระบบรองรับ ({standard.STANDARD_VERSION}) กรุณาใช้แบบฟอร์มใหม่",
                f"form version {version} differs from the supported {standard.STANDARD_VERSION}; use the new form",
            )
        )
    out.extend(_check_level(wb))
    out.extend(_check_names(wb))
    return out


def _already_reported(wb: DepartmentWorkbook, cell: str, sheet: str = standard.SHEET_INFO) -> bool:
    """True when an error already stands at ``cell`` (no second message for one cell)."""
    return bool(cell) and any(f.cell == cell and f.sheet == sheet and f.severity is Severity.ERROR for f in wb.findings)


stated_level_contradiction = standard.stated_level_contradiction


def _check_level(wb: DepartmentWorkbook) -> list[Finding]:
    score, stated = wb.info.get("score"), wb.info.get("stated_level")
    if not isinstance(score, float) or not stated:
        return []
    why = stated_level_contradiction(score, str(stated))
    if why is None:
        return []
    level = standard.level_for(score)
    return [
        _finding(
            wb,
            "level-contradicts-score",
            standard.SHEET_INFO,
            wb.info_cells.get("stated_level", ""),
            f"ระดับที่ระบุ '{stated}' ไม่ตรงกับคะแนน {thai.format_score(score)} ซึ่งอยู่ในระดับ {level}",
            f"stated level '{stated}' contradicts the score {thai.format_score(score)}, which is level {level}",
        )
    ]


def _check_names(wb: DepartmentWorkbook) -> list[Finding]:
    """The organisation's place name spelt another way anywhere in the workbook's text."""
    name = str(wb.info.get("organisation") or "")
    _, place = standard.organisation_type(name)
    if not place:
        return []
    out: list[Finding] = []

    def flag(text: str, sheet: str, cell: str | tuple[int, int]) -> None:
        variant = misspelt_place(text, place)
        if variant:
            out.append(
                _finding(
                    wb,
                    "name-misspelt",
                    sheet,
                    cell if isinstance(cell, str) else cell_ref(*cell),  # made only when needed
                    f"ชื่อ '{variant}' สะกดต่างจากชื่อหน่วยงาน '{place}' กรุณาตรวจสอบ",
                    f"'{variant}' is spelt differently from the organisation's name '{place}'",
                )
            )

    if not _any_misspelt(wb, place):
        return out  # most workbooks: one search over all their text instead of one a line
    for key in ("executive_position", "department"):
        flag(str(wb.info.get(key) or ""), standard.SHEET_INFO, wb.info_cells.get(key, ""))
    cols = wb.measure_columns
    for m in wb.measures:
        for key, lines in (
            ("title", (m.title,)),
            ("method", m.methods),
            ("responsible", m.responsible),
            ("result", m.results),
            ("outcome", m.outcomes),
            ("suggestion", m.suggestions),
        ):
            col = cols.get(key)
            for line in lines:
                flag(line, standard.SHEET_MEASURES, (m.row, col) if col else "")
    return out


def _any_misspelt(wb: DepartmentWorkbook, place: str) -> bool:
    """Whether ``misspelt_place`` finds a variant of ``place`` in any text ``_check_names``
    looks at: all searched as one text, joined by a character the place's pattern cannot
    match (a match never spans two texts, so each text's matches are the ones it has alone)."""
    compact = place.replace(" ", "")
    if len(place) < 3 or _JOIN in compact:
        return True  # the texts are searched one by one
    texts = [str(wb.info.get(key) or "") for key in ("executive_position", "department")]
    for m in wb.measures:
        texts.append(m.title)
        for lines in (m.methods, m.responsible, m.results, m.outcomes, m.suggestions):
            texts.extend(lines)
    joined = _JOIN.join(texts).replace(" ", "")
    return any(m.group(0) != compact for m in _place_pattern(compact).finditer(joined))


#: Joins the texts ``_any_misspelt`` searches at once: a control character, never a Thai mark.
_JOIN = "\x00"


def _check_measures(wb: DepartmentWorkbook) -> list[Finding]:
    out: list[Finding] = []
    sheet = standard.SHEET_MEASURES
    cols = wb.measure_columns
    if not cols:
        return out
    if not wb.measures:
        out.append(
            _finding(
                wb,
                "no-measures",
                sheet,
                "",
                "ไม่มีมาตรการในแผ่นงานนี้ กรุณากรอกอย่างน้อยหนึ่งมาตรการ (แถวตัวอย่างไม่นับ)",
                "the sheet holds no measure; fill in at least one (the example row does not count)",
            )
        )
    fy = wb.info.get("fiscal_year")
    seen: dict[int, Measure] = {}
    for m in wb.measures:
        for key, label, empty in (
            ("title", "มาตรการ", not m.title),
            ("responsible", "ผู้รับผิดชอบ", not m.responsible),
            ("result", "ผลการดำเนินการ", not m.results),
        ):
            if empty and key in cols and not _already_reported(wb, cell_ref(m.row, cols[key]), sheet):
                out.append(
                    _finding(
                        wb,
                        "missing-value",
                        sheet,
                        cell_ref(m.row, cols[key]),
                        f"ไม่ได้กรอก '{label}' ของมาตรการ{_name(m)}",
                        f"'{standard_label_en(key)}' of measure{_name_en(m)} is empty",
                    )
                )
        if m.number is not None:
            earlier = seen.setdefault(m.number, m)
            # another title under the same number is another measure: ``number-reused``
            if earlier is not m and identity.same_title(earlier.title, m.title) and "number" in cols:
                out.append(
                    _finding(
                        wb,
                        "duplicate-number",
                        sheet,
                        cell_ref(m.row, cols["number"]),
                        f"ลำดับ {m.number} ซ้ำกับมาตรการก่อนหน้า รายงานจะรวมเป็นมาตรการเดียวกัน",
                        f"number {m.number} is used twice; the report merges them into one measure",
                    )
                )
        known = indicators.criteria(fy)
        if known is not None and "indicator" in cols:
            unknown = [code for code in m.indicator_codes if code not in known]
            if unknown:
                out.append(_unknown_indicator(wb, unknown, fy, cell_ref(m.row, cols["indicator"])))
        if isinstance(fy, int) and "period" in cols:
            out.extend(_check_period(wb, m, fy, cell_ref(m.row, cols["period"])))
    return out


def _unknown_indicator(wb: DepartmentWorkbook, codes: list[str], year: object, cell: str) -> Finding:
    listed = ", ".join(codes)
    return _finding(
        wb,
        "unknown-indicator",
        standard.SHEET_MEASURES,
        cell,
        f"ไม่มีตัวชี้วัด {listed} ในเกณฑ์การประเมิน ITA ปี {year} กรุณาตรวจสอบรหัสตัวชี้วัด",
        f"indicator {listed} is not in the ITA criteria of {year}; check the code",
    )


def standard_label_en(key: str) -> str:
    return {"title": "measure", "responsible": "responsible", "result": "result"}.get(key, key)


def _name(m: Measure) -> str:
    return f" ลำดับ {m.number}" if m.number is not None else (f" '{m.title[:40]}'" if m.title else "")


def _name_en(m: Measure) -> str:
    return f" {m.number}" if m.number is not None else (f" '{m.title[:40]}'" if m.title else "")


_FISCAL_YEAR = re.compile(r"ปีงบประมาณ\s*(?:พ\.?\s?ศ\.?\s*)?(\d{4})")


def _check_period(wb: DepartmentWorkbook, m: Measure, fy: int, cell: str) -> list[Finding]:
    first, last = thai.fiscal_year_bounds(fy)
    bad: list[str] = []
    for line in m.period:
        for year, month in thai.month_mentions(line):
            if not (first.year, first.month) <= (year, month) <= (last.year, last.month):
                bad.append(f"{thai.MONTHS_ABBR[month - 1]} {thai.to_be_year(year)}")
        plain = thai.to_arabic_digits(line)
        for y in _FISCAL_YEAR.findall(plain):
            if int(y) != fy and thai.to_be_year(int(y)) != fy:
                bad.append(f"ปีงบประมาณ {y}")
    if not bad:
        return []
    return [
        _finding(
            wb,
            "period-outside-fiscal-year",
            standard.SHEET_MEASURES,
            cell,
            f"ระยะเวลา ({', '.join(bad)}) อยู่นอกปีงบประมาณ {fy} (1 ต.ค. {fy - 1} – 30 ก.ย. {fy})",
            f"period ({', '.join(bad)}) is outside fiscal year {fy} (1 Oct {fy - 1} – 30 Sep {fy})",
        )
    ]


def check_workbook(wb: DepartmentWorkbook) -> DepartmentWorkbook:
    """``wb`` with the standard's checks added to its findings."""
    if wb.is_plan or (not wb.info and not wb.measures):
        return wb  # a plan workbook is matched with the departments' (plan.plan_findings)
    extra = _check_info(wb) + _check_measures(wb)
    return replace(wb, findings=wb.findings + tuple(extra))


def cross_check(workbooks: Sequence[DepartmentWorkbook]) -> list[Finding]:
    """Organisation fields that differ between the workbooks given (บ้านต๋อม / บ้านต้อม), and
    measure numbers used for different measures (``number-reused``, see ``identity``), and
    the departments' measures matched with the measures plan, if there is one (``plan``).

    The most common value is taken as right; each workbook that differs gets a warning at
    its cell naming the other files' value.
    """
    planned, _ = plan.apply(workbooks)  # the measures as the report sees them (no-op without a plan)
    out: list[Finding] = list(identity.measure_groups([wb for wb in planned if wb.measures])[1])
    out.extend(plan.plan_findings(workbooks))
    usable = [wb for wb in workbooks if wb.info]
    if len(usable) < 2:
        return out
    labels = {f.key: f.label for f in standard.INFO_FIELDS}
    for key in standard.ORGANISATION_KEYS:
        values = [(wb, wb.info.get(key)) for wb in usable if wb.info.get(key) not in (None, "")]
        counts = Counter(v for _, v in values)
        if len(counts) < 2:
            continue
        majority, _ = counts.most_common(1)[0]
        holders = ", ".join(wb.file for wb, v in values if v == majority)
        for wb, v in values:
            if v != majority:
                out.append(
                    _finding(
                        wb,
                        "name-mismatch" if key == "organisation" else "organisation-mismatch",
                        standard.SHEET_INFO,
                        wb.info_cells.get(key, ""),
                        f"'{labels[key]}' เป็น '{v}' แต่ไฟล์อื่น ({holders}) เป็น '{majority}'",
                        f"'{labels[key]}' is '{v}' here but '{majority}' in {holders}",
                    )
                )
    return out


def no_workbooks_finding(folder: Path) -> Finding:
    return new_finding(
        "no-workbooks",
        file=str(folder),
        sheet="",
        cell="",
        th="ไม่พบไฟล์ Excel (.xlsx .xlsm .xls .ods) ในโฟลเดอร์นี้",
        en="no workbook (.xlsx .xlsm .xls .ods) in this folder",
    )


def display_names(files: Sequence[Path]) -> list[str]:
    """Names to show for files: the file name, or more of the path where names repeat."""
    counts = Counter(f.name for f in files)
    return [display_name(f.name if counts[f.name] == 1 else str(f)) for f in files]


#: A progress callback: ``(done, total, what)`` after each step (``what`` names the file).
Progress = Callable[[int, int, str], None]


#: Checked workbooks remembered in this process (``check_files(remember=True)``): at most
#: this many, of files up to this size (a huge file is read again rather than kept).
_REMEMBER = 256
_REMEMBER_BYTES = 5_000_000
_remembered: Kept[tuple[str, str, bytes], DepartmentWorkbook] = Kept(_REMEMBER)


def _digest(path: Path) -> bytes | None:
    """SHA-256 of the file's bytes; ``None`` when it cannot be read or is too large to keep."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _REMEMBER_BYTES:
            return None  # a pipe or device is never opened here (reading a FIFO blocks for ever)
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None


def _checked(path: Path, name: str) -> DepartmentWorkbook:
    """read → normalise → check of one file, remembered by (path, name, content hash) in this
    process and in the cache folder (:mod:`compiler.workbook.stored`).

    The result depends on nothing else (the findings name the file and the path), except
    for the pictures a workbook names (looked up in its folder): such a workbook is never
    remembered. It is kept only when the file had the same bytes before and after it was
    read, so a file changed while being read is never remembered under the wrong content.
    """
    before = _digest(path)
    key = (str(path), name, before or b"")
    if before is not None:
        book = _remembered.get(key)
        if book is not None:
            return book
        book = stored.load(key)
        if book is not None:
            _remembered.keep(key, book)
            return book
    book = check_workbook(normalise_workbook(read_workbook(path, display=name)))
    names_a_picture = (
        book.info.get("logo") or book.info.get("emblem") or any(f.code == "bad-picture" for f in book.findings)
    )
    if before is not None and not names_a_picture and _digest(path) == before:
        _remembered.keep(key, book)
        stored.store(key, book)
    return book


def check_files(
    files: Sequence[Path],
    names: Sequence[str] | None = None,
    groups: Sequence[object] | None = None,
    progress: Progress | None = None,
    *,
    remember: bool = False,
) -> CheckResult:
    """Read, normalise and check ``files`` (already expanded), then cross-check each group.

    ``groups`` gives each file's group (one organisation's submission); workbooks are only
    compared within a group. ``None`` compares them all. ``progress`` is called after each file.
    ``remember``: keep each file's checked workbook in this process, by its content (see
    :func:`_checked`), so that building again (a server) skips the files that did not change.
    """
    names = list(names) if names is not None else display_names(files)
    books = []
    for i, (f, n) in enumerate(zip(files, names), start=1):
        books.append(_checked(f, n) if remember else check_workbook(normalise_workbook(read_workbook(f, display=n))))
        if progress is not None:
            progress(i, len(files), n)
    findings = [f for wb in books for f in wb.findings]
    keys = list(groups) if groups is not None else [None] * len(books)
    for key in dict.fromkeys(keys):
        findings.extend(cross_check([wb for wb, k in zip(books, keys) if k == key]))
    return CheckResult(tuple(books), tuple(findings))


def check_paths(paths: Iterable[Path | str], progress: Progress | None = None) -> CheckResult:
    """``ita-report check``: every workbook under ``paths`` checked, all findings in one run.

    Workbooks are compared with each other (names spelt differently) within one folder, and
    the files named directly on the command line with each other. A folder with no workbook
    is an error finding; a path that does not exist is the caller's usage error (see ``api``).
    """
    files: list[Path] = []
    groups: list[object] = []
    empty: list[Path] = []
    for p in (Path(p) for p in paths):
        found, none = find_workbooks([p])
        empty.extend(none)
        files.extend(found)
        groups.extend(f.parent if p.is_dir() else "given" for f in found)
    result = check_files(files, groups=groups, progress=progress, remember=True)
    if empty:
        result = CheckResult(result.workbooks, tuple(no_workbooks_finding(e) for e in empty) + result.findings)
    return result
