"""Render a :class:`~compiler.model.Report` into the official Word report.

``report_context`` turns the report into plain template variables (every digit Thai unless
``digits="arabic"``, Buddhist Era years, budgets in words and numbers); ``render_report``
fills ``templates/report.docx`` with docxtpl (autoescape, StrictUndefined) and writes the
result atomically.

The template variables are listed in :mod:`compiler.report.context`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn

from compiler import safeio
from compiler.docx import columns, images, keeping, linebreak, templating, typeset
from compiler.docx.templates import LOGO_HEIGHT_CM, REPORT_TEMPLATE, STYLE_REPORT_SIGNATURE
from compiler.model import Report
from compiler.report import assemble, piecestore
from compiler.report.context import (  # noqa: F401  (their home before: callers and tests use them here)
    _ROW_LONGEST,
    DIGIT_STYLES,
    NO_EXECUTIVE,
    TABLE_PT,
    TABLE_STYLE,
    _rows,
    _text_size,
    measure_context,
    report_context,
    report_names,
)

_TAGS = re.compile(r"<[^>]+>")


def template_shows_also(template: Path | None) -> bool:
    """True when the report template prints ``m.also`` (the built-in one does): else the
    fields its layout has no column for are dropped, and ``build`` warns about them."""
    if template is None or Path(template) == REPORT_TEMPLATE:
        return True
    tpl = templating.open_template(Path(template))
    return "m.also" in _TAGS.sub("", tpl.get_xml())


def render_report(
    report: Report,
    output: Path,
    *,
    template: Path | None = None,
    digits: str = "thai",
    force: bool = False,
    keep: Callable[[Any], None] | None = None,
) -> Path:
    """Write ``report`` as a Word document at ``output`` and return ``output``.

    ``template`` defaults to ``templates/report.docx``. The file is written atomically;
    an existing ``output`` is replaced only with ``force``. ``keep`` is given the parts as
    written (see :func:`compiler.docx.templating.save_document`). Raises
    :class:`errors.OutputError` (cannot write), :class:`errors.TemplateError` (template
    missing or broken), :class:`errors.InputError` (logo unreadable) or
    :class:`errors.UsageError` (unknown layout or digits).
    """
    output = Path(output)
    template = Path(template) if template is not None else REPORT_TEMPLATE
    context = report_context(report, digits)
    safeio.check_target(output, force=force)  # fail before the work, not after
    tpl = templating.open_template(template)
    context["logo"] = images.inline_image(tpl, context["logo"], LOGO_HEIGHT_CM)
    mark = assemble.mark() if assemble.enabled else None
    document = templating.render_template(tpl, context, template_name=str(template), mark_rows=mark)
    body = document.element.body
    names = report_names(report.organisation)
    linebreak.apply(body, names)
    marked = assemble.marked_table(body) if mark is not None else None  # (the marks removed)
    size = keeping.style_size_pt(document, TABLE_STYLE) or TABLE_PT
    total_cm = typeset.text_width(document.sections[-1]).cm
    tables = list(body.iterchildren(qn("w:tbl")))
    signature = keeping.first_styled(document, STYLE_REPORT_SIGNATURE)
    for tbl in tables:
        header = tbl.find(qn("w:tr"))
        if header is not None:
            linebreak.apply_unbreakable(header)  # no header word broken (รับผิด|ชอบ)
    measures = marked[0] if marked is not None and tpl.row_cut is not None else None  # to take apart
    for tbl in tables:
        if tbl is not measures:
            columns.fit_columns(tbl, total_cm, size_pt=size)
    if signature is not None:
        keeping.keep_body_with(signature)
        if tables and tables[-1] is not measures:
            # Word keeps the last row with the signature; LibreOffice: see docx.pdf
            keeping.keep_table_with_next(tables[-1], size_pt=size)
    typeset.set_page_number_digits(document, digits)
    org = report.organisation
    typeset.set_properties(
        document,
        title=f"รายงานการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส {org.name} "
        f"ประจำปีงบประมาณ พ.ศ. {context['fiscal_year']}",
        subject="การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA)",
        author=org.name,
    )
    apart = None
    if measures is not None:  # the document without its rows, and each row, for the next build
        assert marked is not None and tpl.row_cut is not None
        apart = assemble.take_apart(
            document, measures, marked[1], cut=tpl.row_cut, loop=marked[2], template=template, context=context,
            names=names, total_cm=total_cm, size_pt=size, shows_also=template_shows_also(template),
            keep_last=signature is not None and tables[-1] is measures,
        )  # fmt: skip
        if apart is None:  # not a plain grid: sized here, as any other table
            columns.fit_columns(measures, total_cm, size_pt=size)
            if signature is not None and tables[-1] is measures:
                keeping.keep_table_with_next(measures, size_pt=size)
    if apart is None:
        return templating.save_document(document, output, force=force, keep=keep)
    skeleton, rows = apart
    written: list[Any] = []

    def kept(parts: Any) -> None:
        written.append(parts)
        if keep is not None:
            keep(parts)

    xml = assemble.document_xml(skeleton, rows)
    path = templating.save_document(document, output, force=force, keep=kept, blobs={assemble.MAIN: xml})
    key = piecestore.skeleton_key(template, report, digits)
    if key is not None and written:
        keys = piecestore.row_keys(report, digits)
        piecestore.store(key, skeleton, dict(zip(keys, rows, strict=True)), written[0])
    return path
