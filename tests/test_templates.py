"""compiler.report.template_builder: the committed template is what the builder makes, and it is sound."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from compiler.docx import templating
from compiler.docx import typeset as typeset
from compiler.report import render
from compiler.report import template_builder as templates_build


def _parts(data: bytes) -> dict[str, bytes]:
    """Each part of a .docx, XML parts canonicalised (attribute order, namespaces)."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            raw = z.read(name)
            if name.endswith((".xml", ".rels")):
                raw = etree.tostring(etree.fromstring(raw), method="c14n")
            out[name] = raw
    return out


def _built() -> bytes:
    stream = io.BytesIO()
    templates_build.build_report_template().save(stream)
    return stream.getvalue()


def test_committed_template_is_what_the_builder_makes() -> None:
    committed = _parts(templates_build.REPORT_TEMPLATE.read_bytes())
    built = _parts(_built())
    assert sorted(committed) == sorted(built)
    changed = [name for name in built if committed[name] != built[name]]
    assert changed == [], "run: python -m compiler.report.template_builder"


def test_builder_is_deterministic() -> None:
    assert _parts(_built()) == _parts(_built())


def test_main_writes_the_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert templates_build.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.docx").is_file()
    assert "report.docx" in capsys.readouterr().out


def test_template_variables_are_all_in_the_context(render_make_report) -> None:  # type: ignore[no-untyped-def]
    tpl = templating.open_template(templates_build.REPORT_TEMPLATE)
    used = tpl.get_undeclared_template_variables(jinja_env=templating.jinja_env())
    context = render.report_context(render_make_report())
    assert used <= set(context)
    assert {"layout", "measures", "organisation", "fiscal_year", "score", "executive", "logo"} <= used


def test_template_tags_are_whole_runs() -> None:
    """Each tag sits in one run, so Word shows it whole and docxtpl need not repair it."""
    doc = docx.Document(str(templates_build.REPORT_TEMPLATE))
    body = doc.element.body
    for t in body.iter(qn("w:t")):
        text = t.text or ""
        assert text.count("{{") == text.count("}}"), text
        assert text.count("{%") == text.count("%}"), text


def test_template_holds_three_tables_with_repeated_headers() -> None:
    doc = docx.Document(str(templates_build.REPORT_TEMPLATE))
    assert len(doc.tables) == len(templates_build.LAYOUTS)
    for table, (name, columns) in zip(doc.tables, templates_build.LAYOUTS.items(), strict=True):
        assert [c.text for c in table.rows[0].cells] == [c.header for c in columns], name
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.rows[1].cells[0].text == "{%tr for m in measures %}"
        widths = [round(int(g.get(qn("w:w"))) / 567, 1) for g in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert widths == [c.width_cm for c in columns]
        assert round(sum(widths), 1) == 24.7  # the landscape text width
    text = "\n".join(p.text for p in doc.paragraphs)
    for name in templates_build.LAYOUTS:
        assert re.search(rf'{{%p if layout == "{name}" %}}', text)


def test_template_sections() -> None:
    doc = docx.Document(str(templates_build.REPORT_TEMPLATE))
    cover, body = doc.sections
    assert cover.page_width < cover.page_height and body.page_width > body.page_height
    assert cover.different_first_page_header_footer
    assert "PAGE" in cover.header._element.xml
