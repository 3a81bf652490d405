"""The --expect list: which organisations the district expects, and who has not sent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import thai
from compiler.errors import UsageError
from compiler.workbook import standard
from compiler.workbook.read import WORKBOOK_SUFFIXES

if TYPE_CHECKING:
    pass

from compiler.district.model import OrganisationSummary

# --- the expect list ------------------------------------------------------------------------
_ABBREVIATIONS = (
    ("อบจ.", "องค์การบริหารส่วนจังหวัด"),
    ("อบต.", "องค์การบริหารส่วนตำบล"),
    ("ทน.", "เทศบาลนคร"),
    ("ทม.", "เทศบาลเมือง"),
    ("ทต.", "เทศบาลตำบล"),
)
_NAME_HEADERS = frozenset(
    thai.header_key(h).lower()
    for h in (
        "ชื่อหน่วยงาน",
        "หน่วยงาน",
        "ชื่อ อปท.",
        "อปท.",
        "ชื่อองค์กรปกครองส่วนท้องถิ่น",
        "องค์กรปกครองส่วนท้องถิ่น",
        "organisation",
        "organization",
        "name",
        "ชื่อ",
    )
)


def name_key(name: str) -> str:
    """A name compared loosely: abbreviations spelt out, no spaces, Thai marks in order.

    ``name_key("อบต. ภูซาง") == name_key("องค์การบริหารส่วนตำบลภูซาง")``.
    """
    text = thai.header_key(thai.clean_text(name)).replace(".", ". ").replace(" ", "")
    for short, full in _ABBREVIATIONS:
        if text.startswith(short):
            text = full + text[len(short) :]
    return text.replace(".", "").lower()


def read_expect_list(path: Path) -> list[str]:
    """Organisation names from an expect list: the column headed ชื่อหน่วยงาน/หน่วยงาน/
    organisation on the first sheet, or its first column; a .txt/.csv holds one name a line.
    """
    if not path.is_file():
        raise UsageError(f"ไม่พบไฟล์รายชื่อ: {path}", f"no such expect list: {path}")
    if path.suffix.lower() in (".txt", ".csv"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"อ่านไฟล์รายชื่อ {path} ไม่ได้", f"cannot read the expect list {path}: {exc}") from exc
        rows: list[list[object]] = [[line.split(",")[0]] for line in text.splitlines()]
    else:
        import python_calamine as pc

        try:
            book = pc.CalamineWorkbook.from_path(str(path))
            rows = [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=True)]
            book.close()
        except Exception as exc:  # calamine has its own exception types for every damage
            raise UsageError(
                f"อ่านไฟล์รายชื่อ {path} ไม่ได้ (ต้องเป็น .xlsx .xls .ods .csv หรือ .txt)",
                f"cannot read the expect list {path}: {exc}",
            ) from exc
    column, start = _name_column(rows)
    names = [thai.clean_text(r[column]) for r in rows[start:] if column < len(r)]
    names = [n for n in names if n and not re.fullmatch(r"[\d๐-๙.\s]+", n)]
    if not names:
        raise UsageError(f"ไม่พบรายชื่อหน่วยงานใน {path}", f"no organisation names in {path}")
    return list(dict.fromkeys(names))


def _name_column(rows: Sequence[Sequence[object]]) -> tuple[int, int]:
    """(column, first data row) of the names: under a known header, else the first column
    that holds text (from the top)."""
    for r, row in enumerate(rows[:10]):
        for c, value in enumerate(row):
            if isinstance(value, str) and thai.header_key(value).lower() in _NAME_HEADERS:
                return c, r + 1
    for c in range(max((len(r) for r in rows), default=0)):
        if any(isinstance(r[c], str) and str(r[c]).strip() for r in rows if c < len(r)):
            return c, 0
    return 0, 0


def not_sent(expected: Sequence[str], organisations: Sequence[OrganisationSummary]) -> list[str]:
    """Names on the list that no submission matches, by its workbooks' name or its own name;
    a name given without its type (``บ้านต๋อม``) matches the place."""
    keys: set[str] = set()
    places: set[str] = set()
    for o in organisations:
        for n in (o.name, submission_name(o.submission)):
            k = name_key(n)
            keys.add(k)
            places.add(name_key(standard.organisation_type(n)[1]))
    out = []
    for name in expected:
        k = name_key(name)
        if k in keys or (not standard.organisation_type(name)[0] and k in places):
            continue
        out.append(name)
    return out


_LEADING_NUMBER = re.compile(r"^[\d๐-๙]+[\s._\-)]*")


def submission_name(submission: str) -> str:
    """The organisation a submission's own name suggests: ``0007_เทศบาลตำบลบ้านต๋อม.zip`` →
    ``เทศบาลตำบลบ้านต๋อม`` (for when nothing inside can be read)."""
    stem = (
        submission[: -len(Path(submission).suffix)]
        if Path(submission).suffix.lower() in (".zip", *WORKBOOK_SUFFIXES)
        else submission
    )
    return _LEADING_NUMBER.sub("", stem).strip() or stem
