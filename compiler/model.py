"""Values that flow between the steps: findings, workbooks as read, measures, the report.

Frozen dataclasses only; behaviour lives in the step modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the document model sits in the documents pipeline
    from compiler.documents.model import Document


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in the input, placed where the user sees it in Excel.

    ``cell`` is an A1 reference such as ``G7``; ``""`` when the problem is the whole sheet
    (``sheet`` set) or the whole file (``sheet`` also ``""``).
    """

    code: str
    severity: Severity
    file: str
    sheet: str
    cell: str
    message_th: str
    message_en: str

    @property
    def where(self) -> str:
        """``กองคลัง.xlsx › มาตรการ › G7``, leaving out the parts that are empty."""
        return " › ".join(p for p in (self.file, self.sheet, self.cell) if p)

    @property
    def row(self) -> int | None:
        """The 1-based row of ``cell`` (``G7`` → 7; a bare row number ``12`` → 12); ``None`` when
        the finding is about a whole sheet or file."""
        digits = self.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return int(digits) if digits.isdigit() else None

    @property
    def column(self) -> int | None:
        """The 1-based column of ``cell`` (``G7`` → 7); ``None`` for a row, a sheet or a file."""
        letters = self.cell[: len(self.cell) - len(self.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
        if not letters:
            return None
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n

    def as_dict(self) -> dict[str, object]:
        """The JSON form: every field, with ``row`` and ``column`` as numbers (or ``None``)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "message_th": self.message_th,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class Cell:
    """A value read from a sheet with its position (1-based row and column)."""

    row: int
    col: int
    value: object

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based (row, col): ``cell_ref(7, 7) == "G7"``."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


@dataclass(frozen=True)
class Organisation:
    """Who the report is about; the one source of truth for names.

    ``fiscal_year`` is the Buddhist Era year (``2565``), ``None`` when not given; ``score``
    the overall ITA score, ``None`` when not given. ``emblem`` and ``logo`` are picture file
    names as typed in ``ข้อมูลหน่วยงาน`` (``""`` for none). Made by :meth:`from_info`.
    """

    name: str
    district: str
    province: str
    fiscal_year: int | None = None
    executive: str = ""
    executive_position: str = ""
    score: float | None = None
    stated_level: str = ""
    emblem: str = ""
    logo: str = ""

    @classmethod
    def from_info(cls, info: Mapping[str, object]) -> Organisation:
        """The organisation of a normalised ``ข้อมูลหน่วยงาน`` (its keys as in
        ``standard.INFO_FIELDS``); a value of the wrong type counts as not given."""
        year, score = info.get("fiscal_year"), info.get("score")

        def text(key: str) -> str:
            value = info.get(key)
            return "" if value is None else str(value)

        return cls(
            name=text("organisation"),
            district=text("district"),
            province=text("province"),
            fiscal_year=year if isinstance(year, int) and not isinstance(year, bool) else None,
            executive=text("executive"),
            executive_position=text("executive_position"),
            score=float(score) if isinstance(score, float) else None,
            stated_level=text("stated_level"),
            emblem=text("emblem"),
            logo=text("logo"),
        )

    @property
    def year_text(self) -> str:
        """The fiscal year as text (``"2565"``), ``""`` when unknown."""
        return "" if self.fiscal_year is None else str(self.fiscal_year)

    @property
    def previous_year_text(self) -> str:
        """The year before the fiscal year (``"2564"``), ``""`` when unknown."""
        return "" if self.fiscal_year is None else str(self.fiscal_year - 1)


@dataclass(frozen=True)
class Measure:
    """One measure as one department reported it (possibly spread over several rows).

    Multi-line fields are tuples of lines, in the order typed. ``row`` is the first sheet
    row of the measure, for messages.
    """

    number: int | None
    title: str
    indicator: str = ""
    indicator_codes: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    budget: Decimal | None = None
    department: str = ""
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class DepartmentWorkbook:
    """A department's workbook after reading and normalising: the data and its findings."""

    file: str
    path: str
    info: dict[str, object]
    info_cells: dict[str, str]  # key -> A1 cell of the value, for messages
    measures: tuple[Measure, ...]
    scores: dict[str, float]
    documents: dict[str, Document] = field(default_factory=dict)  # by sheet name
    findings: tuple[Finding, ...] = ()
    version: str = ""
    measure_columns: dict[str, int] = field(default_factory=dict)  # field key -> 1-based column

    @property
    def department(self) -> str:
        return str(self.info.get("department") or "")


@dataclass(frozen=True)
class DepartmentPart:
    """What one department contributes to a merged measure."""

    department: str
    methods: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergedMeasure:
    """A measure as it appears once in the report, with each department's part."""

    number: int | None
    title: str
    indicator: str
    indicator_codes: tuple[str, ...]
    methods: tuple[str, ...]
    responsible: tuple[str, ...]
    period: tuple[str, ...]
    parts: tuple[DepartmentPart, ...]
    budget: Decimal | None = None

    @property
    def grouped(self) -> bool:
        """True when more than one department reported it (results shown per department)."""
        return len(self.parts) > 1


@dataclass(frozen=True)
class Report:
    """Everything the report template needs, before typesetting (digits, dates)."""

    organisation: Organisation
    measures: tuple[MergedMeasure, ...]
    scores: dict[str, float]
    departments: tuple[str, ...]
    layout: str
    findings: tuple[Finding, ...] = ()
