"""The catalogue of finding codes (compiler/findings.py): every code the code emits is in it,
every code in it is emitted somewhere, and the README's table is the catalogue's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from compiler import findings
from compiler.model import Severity

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
#: Kebab-case strings in the code that are not finding codes.
NOT_CODES = {"ita-report", "th-TH", "en-US"}


def _emitted() -> dict[str, list[str]]:
    """Every kebab-case string literal in compiler/, with where it stands: the codes."""
    out: dict[str, list[str]] = {}
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        catalogue = {
            id(arg)
            for call in ast.walk(tree)
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Code"
            for arg in call.args
        }
        for node in ast.walk(tree):
            if id(node) in catalogue:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                out.setdefault(node.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def _calls_of_new_finding() -> list[tuple[str, int, str | None]]:
    """(file, line, code) of each call of a finding maker whose first argument is a literal."""
    makers = {"new_finding", "_finding", "error", "warn", "add", "_problem", "_refusal"}
    out = []
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in makers and isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((str(path.relative_to(ROOT)), node.lineno, first.value))
    return out


def test_every_code_made_is_in_the_catalogue() -> None:
    calls = _calls_of_new_finding()
    assert len(calls) > 40  # the scan sees the code's findings
    unknown = [(f, line, code) for f, line, code in calls if CODE.match(code) and code not in findings.CATALOGUE]
    assert unknown == []


def test_every_kebab_string_is_a_code_or_known_not_to_be() -> None:
    """Codes are also passed around as values (``code = "title-mismatch"``): those too."""
    stray = {s: where for s, where in _emitted().items() if s not in findings.CATALOGUE and s not in NOT_CODES}
    assert stray == {}


def test_every_catalogue_code_is_used() -> None:
    used = set(_emitted())
    assert sorted(set(findings.CATALOGUE) - used) == []


def test_a_code_not_in_the_catalogue_is_refused_at_once() -> None:
    with pytest.raises(KeyError):
        findings.new_finding("no-such-code", th="x", en="x")


def test_severity_comes_from_the_catalogue() -> None:
    f = findings.new_finding("broken-thai", file="a.xlsx", sheet="มาตรการ", cell="AB12", th="ก", en="a")
    assert (f.severity, f.row, f.column) == (Severity.WARNING, 12, 28)
    assert f.as_dict()["row"] == 12 and f.as_dict()["column"] == 28


@pytest.mark.parametrize(
    ("cell", "row", "column"), [("", None, None), ("G7", 7, 7), ("12", 12, None), ("XFD1048576", 1048576, 16384)]
)
def test_row_and_column_of_a_cell(cell: str, row: int | None, column: int | None) -> None:
    f = findings.new_finding("missing-value", cell=cell, th="ก", en="a")
    assert (f.row, f.column) == (row, column)


def test_readme_table_is_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- codes:start", 1)[1].split("<!-- codes:end -->", 1)[0]
    table = block.split("-->", 1)[1].strip()
    assert table == findings.markdown_table(), "run: python -m compiler.findings and paste the table into README.md"
