"""ita-report: department workbooks → the ITA report and official documents, in Thai.

The public API; the CLI, the tests and any other front end use only these names.
"""

from compiler.api import BuildResult, annotate, announce, build, check, init_forms, prepare_report
from compiler.errors import CompilerError, InputError, OutputError, TemplateError, ToolMissingError, UsageError
from compiler.inmemory import DocumentSet, build_documents, check_uploads, to_json
from compiler.model import DepartmentWorkbook, Finding, Measure, MergedMeasure, Organisation, Report, Severity
from compiler.workbook.check import CheckResult
from compiler.workbook.standard import STANDARD_VERSION

_LAZY = {"DistrictResult", "OrganisationSummary", "run_district"}


def __getattr__(name: str) -> object:
    """The district names, imported on first use (multiprocessing costs ~50 ms at start-up)."""
    if name in _LAZY:
        from compiler.district import intake, model

        return getattr(intake if name == "run_district" else model, name)
    raise AttributeError(f"module 'compiler' has no attribute {name!r}")


__all__ = [
    "STANDARD_VERSION",
    "BuildResult",
    "CheckResult",
    "CompilerError",
    "DepartmentWorkbook",
    "DistrictResult",
    "DocumentSet",
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
    "build_documents",
    "check",
    "check_uploads",
    "init_forms",
    "prepare_report",
    "run_district",
    "to_json",
]
