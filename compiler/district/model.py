"""What the district intake knows about each organisation: summaries, details and the result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.model import Finding
from compiler.workbook import standard

if TYPE_CHECKING:
    pass


#: Status of an organisation → (Thai, English), worst last.
STATUSES: dict[str, tuple[str, str]] = {
    "ok": ("ครบถ้วน", "ok"),
    "warnings": ("มีคำเตือน", "warnings"),
    "errors": ("มีข้อผิดพลาด", "errors"),
    "unreadable": ("อ่านไม่ได้", "unreadable"),
}
#: Levels in chart order, and the label for organisations without a score.
LEVELS = tuple(level for _, level, _ in standard.LEVEL_BANDS)
NO_SCORE = "ไม่มีคะแนน"
#: Text longer than this is cut in the summary (Excel holds at most 32,767 characters a cell).
MAX_CELL = 32_000


@dataclass(frozen=True)
class MeasureRow:
    """One measure of one organisation, merged across its departments, as plain text."""

    organisation: str
    number: int | None
    indicator: str
    title: str
    departments: tuple[str, ...]
    responsible: str
    period: str
    results: str
    outcomes: str
    budget: Decimal | None

    @property
    def has_results(self) -> bool:
        return bool(self.results)


@dataclass(frozen=True)
class Details:
    """What the summary workbook lists about one organisation beyond its summary row."""

    findings: tuple[Finding, ...] = ()
    measures: tuple[MeasureRow, ...] = ()


@dataclass(frozen=True)
class OrganisationSummary:
    """One organisation's submission at a glance: who, what was sent, what is wrong.

    ``name`` is the organisation's name as its workbooks give it, or the submission's name
    when no workbook could be read; ``fiscal_year`` and ``score`` are ``None`` when unknown.
    """

    submission: str
    name: str
    kind: str
    district: str
    province: str
    fiscal_year: int | None
    departments: tuple[str, ...]
    files: int
    measures: int
    measures_with_results: int
    errors: int
    warnings: int
    score: float | None
    stated_level: str
    status: str
    codes: tuple[str, ...] = ()  # distinct finding codes, errors first

    @property
    def level(self) -> str:
        """The NACC level of the score (``AA``…``F``), ``""`` without a score."""
        return standard.level_for(self.score) if self.score is not None else ""

    @property
    def passed(self) -> bool | None:
        """Whether the score passes (≥ 85); ``None`` without a score."""
        return None if self.score is None else self.score >= standard.PASS_SCORE

    @property
    def status_text(self) -> str:
        """``มีข้อผิดพลาด / errors``."""
        th, en = STATUSES[self.status]
        return f"{th} / {en}"


@dataclass(frozen=True)
class DistrictResult:
    """What ``run_district`` found and wrote; organisations in summary order."""

    inbox: Path
    organisations: tuple[OrganisationSummary, ...]
    not_sent: tuple[str, ...] = ()
    expected: int | None = None  # names on the --expect list, None without one
    written: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default=())
    #: Earlier submissions of an organisation that sent again: listed on the problems
    #: sheet, counted nowhere (``organisations`` holds each organisation's latest once).
    superseded: tuple[OrganisationSummary, ...] = ()
    #: Findings about the inbox as a whole (fiscal years or provinces that differ).
    findings: tuple[Finding, ...] = ()

    def count(self, status: str) -> int:
        """How many organisations have ``status`` (ok, warnings, errors, unreadable)."""
        return sum(1 for o in self.organisations if o.status == status)

    @property
    def failed(self) -> tuple[OrganisationSummary, ...]:
        """Organisations with errors or nothing readable."""
        return tuple(o for o in self.organisations if o.status in ("errors", "unreadable"))

    @property
    def levels(self) -> dict[str, int]:
        """Organisations per ITA level, AA…F then ``ไม่มีคะแนน``, zeros included."""
        counts = Counter(o.level or NO_SCORE for o in self.organisations)
        return {level: counts.get(level, 0) for level in (*LEVELS, NO_SCORE)}
