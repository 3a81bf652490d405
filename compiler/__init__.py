"""ita-report: department workbooks → the ITA report and official documents, in Thai.

The public API; the CLI, the tests and any other front end use only these names.
"""

from .api import BuildResult, annotate, announce, build, check, init_forms, prepare_report
from .check import CheckResult
from .errors import CompilerError, InputError, OutputError, TemplateError, ToolMissingError, UsageError
from .model import DepartmentWorkbook, Finding, Measure, MergedMeasure, Organisation, Report, Severity
from .standard import STANDARD_VERSION

__all__ = [
    "STANDARD_VERSION",
    "BuildResult",
    "CheckResult",
    "CompilerError",
    "DepartmentWorkbook",
    "Finding",
    "InputError",
    "Measure",
    "MergedMeasure",
    "Organisation",
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
]
