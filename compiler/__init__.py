"""ita-report: department workbooks → the ITA report and official documents, in Thai.

The public API; the CLI, the tests and any other front end use only these names.
"""

from .api import BuildResult, annotate, announce, build, check, init_forms, prepare_report
from .check import CheckResult
from .errors import CompilerError, InputError, OutputError, TemplateError, ToolMissingError, UsageError
from .model import DepartmentWorkbook, Finding, Measure, MergedMeasure, Organisation, Report, Severity
from .standard import STANDARD_VERSION

_LAZY = {"DistrictResult", "OrganisationSummary", "run_district"}


def __getattr__(name: str) -> object:
    """The district names, imported on first use (multiprocessing costs ~50 ms at start-up)."""
    if name in _LAZY:
        from . import district

        return getattr(district, name)
    raise AttributeError(f"module 'compiler' has no attribute {name!r}")

__all__ = [
    "STANDARD_VERSION",
    "BuildResult",
    "CheckResult",
    "CompilerError",
    "DepartmentWorkbook",
    "DistrictResult",
    "Finding",
    "InputError",
    "Measure",
    "MergedMeasure",
    "Organisation",
    "OrganisationSummary",
    "OutputError",
    "Report",
    "Severity",
    "TemplateError",
    "ToolMissingError",
    "UsageError",
    "annotate",
    "announce",
    "build",
    "check",
    "init_forms",
    "prepare_report",
    "run_district",
]
