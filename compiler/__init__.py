"""ita-report: department workbooks → the ITA report and official documents, in Thai.

The public API; the CLI, the tests and any other front end use only these names. Each is
imported on first use (PEP 562), so that ``import compiler`` costs nothing: the command line
can then answer Ctrl-C quietly from its first instant (``compiler.entry``), and a command
imports only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.api import BuildResult, annotate, announce, build, check, init_forms, prepare_report
    from compiler.district.intake import run_district
    from compiler.district.model import DistrictResult, OrganisationSummary
    from compiler.errors import CompilerError, InputError, OutputError, TemplateError, ToolMissingError, UsageError
    from compiler.inmemory import DocumentSet, build_documents, check_uploads, to_json
    from compiler.model import DepartmentWorkbook, Finding, Measure, MergedMeasure, Organisation, Report, Severity
    from compiler.workbook.check import CheckResult
    from compiler.workbook.standard import STANDARD_VERSION

#: Where each public name lives.
_HOMES = {
    "compiler.api": ("BuildResult", "annotate", "announce", "build", "check", "init_forms", "prepare_report"),
    "compiler.district.intake": ("run_district",),
    "compiler.district.model": ("DistrictResult", "OrganisationSummary"),
    "compiler.errors": (
        "CompilerError",
        "InputError",
        "OutputError",
        "TemplateError",
        "ToolMissingError",
        "UsageError",
    ),
    "compiler.inmemory": ("DocumentSet", "build_documents", "check_uploads", "to_json"),
    "compiler.model": (
        "DepartmentWorkbook",
        "Finding",
        "Measure",
        "MergedMeasure",
        "Organisation",
        "Report",
        "Severity",
    ),
    "compiler.workbook.check": ("CheckResult",),
    "compiler.workbook.standard": ("STANDARD_VERSION",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    """A public name, imported on first use; a submodule (``compiler.api``) likewise."""
    module = _HOME_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


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
