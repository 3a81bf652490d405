"""compiler.docx.templating: a template is layout, never code (Jinja's sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import errors
from compiler.docx import templating, typeset
from compiler.report import render


def _template(path: Path, *texts: str) -> Path:
    doc = typeset.new_document()
    for text in texts:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
        "{{ joiner.__init__.__globals__['__builtins__']['__import__']('os').system('touch MARKER') }}",
        "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
        "{{ measures.__class__ }}",
        "{% set x = [] %}{{ x.append(1) }}",
        "{{ 'x' * 10000000000 }}",
        "{{ 9 ** 999999999 }}",
    ],
    ids=["mro", "cycler-globals", "joiner-builtins", "lipsum-globals", "class-of-data", "mutation", "repeat", "power"],
)
def test_regression_template_cannot_run_code(
    text: str, tmp_path: Path, render_make_report, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A template shared between offices (``--template``) could run shell commands: the
    Jinja environment was not sandboxed. Now a blocked attribute is a TemplateError naming
    the template, and nothing runs."""
    monkeypatch.chdir(tmp_path)
    evil = _template(tmp_path / "evil.docx", "รายงาน", text)
    with pytest.raises(errors.TemplateError) as info:
        render.render_report(render_make_report(), tmp_path / "out.docx", template=evil)
    assert info.value.where == str(evil)
    assert "evil.docx" in str(info.value)
    assert not (tmp_path / "MARKER").exists()
    assert not (tmp_path / "out.docx").exists()


def test_sandbox_keeps_autoescape_and_strict_undefined(tmp_path: Path) -> None:
    env = templating.jinja_env()
    assert env.autoescape is True and env.undefined.__name__ == "StrictUndefined"
    tpl = templating.open_template(_template(tmp_path / "t.docx", "{{ name }} {{ n * 2 }} {{ 'ab' * 3 }}"))
    doc = templating.render_template(tpl, {"name": "<ก & ข>", "n": 21})
    assert doc.paragraphs[0].text == "<ก & ข> 42 ababab"


def test_cli_exit_1_for_a_malicious_template(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from wbfactory import make_workbook

    from compiler.cli import main

    book = make_workbook(tmp_path / "in" / "a.xlsx")
    evil = _template(tmp_path / "evil.docx", "{{ ''.__class__.__mro__ }}")
    result = CliRunner().invoke(
        main, ["build", str(book.parent), "-o", str(tmp_path / "r.docx"), "--template", str(evil)]
    )
    assert result.exit_code == 1, result.output
    assert "evil.docx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.docx").exists()
