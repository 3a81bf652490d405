"""Build the official documents' templates: ``templates/prakat.docx`` (ประกาศ),
``templates/khamsang.docx`` (คำสั่ง) and ``templates/memo.docx`` (บันทึกข้อความ).

The committed templates are what this module builds (a test compares them by content):
change them here, then run ``python -m compiler.documents.template_builder``. A secretary may
instead edit a .docx in Word (wording, spacing, styles); the ``{{ … }}`` and ``{%p … %}``
tags must stay, each in one piece. The variables are those of
:func:`compiler.announce.document_context` (listed in :mod:`compiler.announce`).

Layout (ระเบียบงานสารบรรณ): A4, margins left 3 cm and right 2 cm, TH Sarabun New 16 pt with
the Thai font slots set, page numbers ``- ๒ -`` at the top centre from page 2.

- ประกาศ / คำสั่ง: the Garuda emblem 3 cm high at the top centre (or the same space kept
  empty), the centred heading lines (``ประกาศ<organisation>``; for an order also
  ``ที่ <number>``; ``เรื่อง <subject>``), a short rule, the body (paragraphs indented
  2.5 cm on the first line, items ``๑.`` / ``๑.๑`` / ``(๑)`` indented 2.5 / 3 / 3.5 cm, section
  headings in bold), the dated line (``ประกาศ ณ วันที่ …`` / ``สั่ง ณ วันที่ …``) and the
  signature block right of centre: space to sign, the name in parentheses, the position.
- บันทึกข้อความ: the emblem 1.5 cm high at the top left with ``บันทึกข้อความ`` (bold, 29 pt)
  centred on the same line, the lines ``ส่วนราชการ``, ``ที่`` + ``วันที่``, ``เรื่อง`` (labels bold
  20 pt), ``เรียน``, the body, the signature block, then the chain of comment boxes, one
  bordered box each (heading, text or dotted lines to write on, ☐ choices, signature).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from compiler.docx import images, tables, templating, typeset
from compiler.docx.templates import (
    ANNOUNCEMENT_TEMPLATE,
    DATED_LEFT_CM,
    DOC_TEXT_WIDTH_CM,
    EMBLEM_CM,
    MEMO_EMBLEM_CM,
    MEMO_TEMPLATE,
    ORDER_TEMPLATE,
    STYLE_DOC_DATED,
    STYLE_DOC_SIGNATURE,
    STYLE_TAG,
    TEMPLATES_DIR,
)

#: Garuda emblem heights (ระเบียบงานสารบรรณ): 3 cm on ประกาศ and คำสั่ง, 1.5 cm on a memo.

STYLE_EMBLEM = "Doc Emblem"
STYLE_TITLE = "Doc Title"
STYLE_RULE = "Doc Rule"
STYLE_BODY = "Doc Body"
STYLE_HEADING = "Doc Heading"
STYLE_ITEM = ("Doc Item 1", "Doc Item 2", "Doc Item 3")
STYLE_CLOSING = "Doc Closing"
STYLE_DATED = STYLE_DOC_DATED
STYLE_SIGNATURE = STYLE_DOC_SIGNATURE
STYLE_POSITION = "Doc Position"
STYLE_MEMO_TITLE = "Memo Title"
STYLE_MEMO_LINE = "Memo Line"
STYLE_MEMO_TO = "Memo To"
STYLE_MEMO_LABEL = "Memo Label"  # a character style
STYLE_COMMENT_HEADING = "Comment Heading"
STYLE_COMMENT_TEXT = "Comment Text"
STYLE_COMMENT_CHOICE = "Comment Choice"
STYLE_COMMENT_SIGNATURE = "Comment Signature"

#: First-line indents (cm) of body paragraphs and of items at levels 1, 2, 3.
INDENT_BODY = 2.5
INDENT_ITEMS = (2.5, 3.0, 3.5)
#: Where the signature block starts (cm from the left margin): it is centred in the rest.
SIGNATURE_LEFT = 7.0
#: Where the dated line starts.
DATED_LEFT = DATED_LEFT_CM
#: Text width of an A4 page with the official margins.
TEXT_WIDTH = DOC_TEXT_WIDTH_CM
_GREY = RGBColor(0x80, 0x80, 0x80)


def _styles(doc: Document) -> None:
    add = typeset.add_paragraph_style
    body = typeset.BODY_PT
    add(doc, STYLE_EMBLEM, align="center", keep_with_next=True)
    add(doc, STYLE_TITLE, size_pt=body, bold=True, align="center", keep_with_next=True)
    rule = add(doc, STYLE_RULE, size_pt=6, align="center", left_cm=6.5, space_after_pt=12, keep_with_next=True)
    rule.paragraph_format.right_indent = Cm(6.5)
    _bottom_border(rule.element.get_or_add_pPr())
    add(doc, STYLE_BODY, size_pt=body, align="thai", first_line_cm=INDENT_BODY)
    add(doc, STYLE_HEADING, size_pt=body, bold=True, align="left", first_line_cm=INDENT_BODY,
        space_before_pt=6, keep_with_next=True)  # fmt: skip
    for name, indent in zip(STYLE_ITEM, INDENT_ITEMS, strict=True):
        add(doc, name, size_pt=body, align="thai", first_line_cm=indent)
    # The closing line (จึงประกาศให้ทราบโดยทั่วกัน) travels with the dated line and the signature.
    add(doc, STYLE_CLOSING, size_pt=body, align="left", first_line_cm=INDENT_BODY, space_before_pt=6,
        keep_with_next=True)  # fmt: skip
    add(doc, STYLE_DATED, size_pt=body, align="left", left_cm=DATED_LEFT, space_before_pt=12, keep_with_next=True)
    add(doc, STYLE_SIGNATURE, size_pt=body, align="center", left_cm=SIGNATURE_LEFT, keep_with_next=True)
    # The position ends the block: not kept with what follows (in Word, "keep with next"
    # before a table would also chain the table's rows together).
    add(doc, STYLE_POSITION, base=STYLE_SIGNATURE, keep_with_next=False)
    # the memo
    title = add(doc, STYLE_MEMO_TITLE, size_pt=29, bold=True, align="left", space_after_pt=6)
    title.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH / 2), WD_TAB_ALIGNMENT.CENTER)
    line = add(doc, STYLE_MEMO_LINE, size_pt=body, align="left")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(8.5), WD_TAB_ALIGNMENT.LEFT)
    add(doc, STYLE_MEMO_TO, size_pt=body, align="left", space_before_pt=6, space_after_pt=6)
    label = doc.styles.add_style(STYLE_MEMO_LABEL, WD_STYLE_TYPE.CHARACTER)
    label.quick_style = True
    typeset.set_thai_font(label.element.get_or_add_rPr(), size_pt=20, bold=True)
    # No "keep with next" inside a box: a box is kept whole by its row's cantSplit, and in a
    # table "keep with next" would chain every box to the next one.
    add(doc, STYLE_COMMENT_HEADING, size_pt=body, bold=True, align="left", space_before_pt=3)
    add(doc, STYLE_COMMENT_TEXT, size_pt=body, align="left", first_line_cm=1.5)
    add(doc, STYLE_COMMENT_CHOICE, size_pt=body, align="left", left_cm=1.5)
    add(doc, STYLE_COMMENT_SIGNATURE, size_pt=body, align="center", left_cm=SIGNATURE_LEFT - 1.0)
    tag = add(doc, STYLE_TAG, size_pt=10)
    tag.font.color.rgb = _GREY


def _bottom_border(ppr: Any) -> None:
    """A single bottom border on a paragraph's properties (the short rule under ``เรื่อง``)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # w:pBdr comes after keepNext/keepLines/pageBreakBefore/framePr/widowControl/numPr/suppressLineNumbers
    later = {qn(t) for t in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                             "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                             "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                             "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                             "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                             "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")}  # fmt: skip
    for i, child in enumerate(ppr):
        if child.tag in later:
            ppr.insert(i, borders)
            return
    ppr.append(borders)


def _tag(doc: Document, text: str) -> Paragraph:
    return doc.add_paragraph(text, style=STYLE_TAG)


def _emblem(doc: Document) -> None:
    """The emblem centred, or the same height of empty space when there is none."""
    _tag(doc, "{%p if emblem %}")
    doc.add_paragraph("{{ emblem }}", style=STYLE_EMBLEM)
    _tag(doc, "{%p else %}")
    images.add_image_space(doc.add_paragraph("", style=STYLE_EMBLEM), EMBLEM_CM)
    _tag(doc, "{%p endif %}")


def _body(doc: Document) -> None:
    """The body loop: each block in the style of its kind."""
    _tag(doc, "{%p for b in body %}")
    branches = [("heading", STYLE_HEADING), ("item1", STYLE_ITEM[0]), ("item2", STYLE_ITEM[1]),
                ("item3", STYLE_ITEM[2]), ("closing", STYLE_CLOSING)]  # fmt: skip
    for i, (kind, style) in enumerate(branches):
        _tag(doc, f'{{%p {"if" if i == 0 else "elif"} b.kind == "{kind}" %}}')
        doc.add_paragraph("{{ b.text }}", style=style)
    _tag(doc, "{%p else %}")
    doc.add_paragraph("{{ b.text }}", style=STYLE_BODY)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")


def _signature(doc: Document, dated: str | None) -> None:
    """The dated line (if any) and the signature block: space, (name), position lines."""
    if dated:
        doc.add_paragraph(f"{dated} {{{{ date_long }}}}", style=STYLE_DATED)
    for _ in range(3):
        doc.add_paragraph("", style=STYLE_SIGNATURE)
    doc.add_paragraph("({{ signer }})", style=STYLE_SIGNATURE)
    _tag(doc, "{%p for p in positions %}")
    doc.add_paragraph("{{ p }}", style=STYLE_POSITION)
    _tag(doc, "{%p endfor %}")


def _new(title: str) -> Document:
    doc = typeset.new_document(title=title)
    _styles(doc)
    typeset.add_page_numbers(doc.sections[0], first_page=False)
    return doc


def build_announcement_template() -> Document:
    """``prakat.docx``: a ประกาศ (see the module docstring)."""
    doc = _new("ประกาศ")
    _emblem(doc)
    doc.add_paragraph("ประกาศ{{ organisation }}", style=STYLE_TITLE)
    doc.add_paragraph("เรื่อง {{ subject }}", style=STYLE_TITLE)
    doc.add_paragraph("", style=STYLE_RULE)
    _body(doc)
    _signature(doc, "ประกาศ ณ วันที่")
    return doc


def build_order_template() -> Document:
    """``khamsang.docx``: a คำสั่ง (see the module docstring)."""
    doc = _new("คำสั่ง")
    _emblem(doc)
    doc.add_paragraph("คำสั่ง{{ organisation }}", style=STYLE_TITLE)
    doc.add_paragraph("ที่ {{ number }}", style=STYLE_TITLE)
    doc.add_paragraph("เรื่อง {{ subject }}", style=STYLE_TITLE)
    doc.add_paragraph("", style=STYLE_RULE)
    _body(doc)
    _signature(doc, "สั่ง ณ วันที่")
    return doc


def _labelled(doc: Document, parts: Sequence[tuple[str, bool]]) -> Paragraph:
    """A memo line of runs; a ``True`` part is a label (bold 20 pt)."""
    para = doc.add_paragraph(style=STYLE_MEMO_LINE)
    for text, is_label in parts:
        run = para.add_run(text)
        if is_label:
            run.style = doc.styles[STYLE_MEMO_LABEL]
    return para


def _comment_cell(doc: Document, cell: object) -> None:
    from docx.table import _Cell

    assert isinstance(cell, _Cell)
    first = cell.paragraphs[0]
    first.style = doc.styles[STYLE_COMMENT_HEADING]
    first.add_run("{{ c.heading }}")

    def para(text: str, style: str) -> None:
        cell.add_paragraph(text, style=style)

    para("{%p for line in c.lines %}", STYLE_TAG)
    para("{{ line }}", STYLE_COMMENT_TEXT)
    para("{%p endfor %}", STYLE_TAG)
    para("{%p for ch in c.choices %}", STYLE_TAG)
    para("☐ {{ ch }}", STYLE_COMMENT_CHOICE)
    para("{%p endfor %}", STYLE_TAG)
    para("", STYLE_COMMENT_SIGNATURE)
    para("", STYLE_COMMENT_SIGNATURE)
    para("({{ c.signer }})", STYLE_COMMENT_SIGNATURE)
    para("{%p for p in c.positions %}", STYLE_TAG)
    para("{{ p }}", STYLE_COMMENT_SIGNATURE)
    para("{%p endfor %}", STYLE_TAG)
    para("{%p if c.date %}", STYLE_TAG)
    para("{{ c.date }}", STYLE_COMMENT_SIGNATURE)
    para("{%p endif %}", STYLE_TAG)
    cell.add_paragraph("", style=STYLE_COMMENT_SIGNATURE).paragraph_format.space_after = Pt(0)


def build_memo_template() -> Document:
    """``memo.docx``: a บันทึกข้อความ with its chain of comment boxes (see the module docstring)."""
    doc = _new("บันทึกข้อความ")
    _tag(doc, "{%p if emblem %}")
    title = doc.add_paragraph("{{ emblem }}", style=STYLE_MEMO_TITLE)
    title.add_run("\tบันทึกข้อความ")
    _tag(doc, "{%p else %}")
    space = doc.add_paragraph("\tบันทึกข้อความ", style=STYLE_MEMO_TITLE)
    images.add_image_space(space, MEMO_EMBLEM_CM)
    _tag(doc, "{%p endif %}")
    _labelled(doc, (("ส่วนราชการ", True), ("  {{ unit }}", False)))
    _labelled(doc, (("ที่", True), ("  {{ number }}\t", False), ("วันที่", True), ("  {{ date }}", False)))
    _labelled(doc, (("เรื่อง", True), ("  {{ subject }}", False)))
    doc.add_paragraph("เรียน  {{ to }}", style=STYLE_MEMO_TO)
    _body(doc)
    _signature(doc, None)

    _tag(doc, "{%p if comments %}")
    doc.add_paragraph("", style=STYLE_BODY)
    table = tables.add_table(
        doc, [TEXT_WIDTH], None, body_style=STYLE_TAG, body_rows=3, header_fill=None, cell_margin_cm=0.25
    )
    loop_start, body, loop_end = table.rows
    loop_start.cells[0].paragraphs[0].text = "{%tr for c in comments %}"
    loop_end.cells[0].paragraphs[0].text = "{%tr endfor %}"
    # A box is not split over two pages.
    body._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    _comment_cell(doc, body.cells[0])
    _tag(doc, "{%p endif %}")
    return doc


BUILDERS = {
    ANNOUNCEMENT_TEMPLATE.name: build_announcement_template,
    ORDER_TEMPLATE.name: build_order_template,
    MEMO_TEMPLATE.name: build_memo_template,
}


def write_templates(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Build the three document templates into ``folder``, replacing what is there."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        written.append(templating.save_document(build(), folder / name, force=True))
    return written


def run_builder(
    module: str, description: str | None, write: Callable[[Path], list[Path]], argv: Sequence[str] | None
) -> int:
    """``python -m MODULE [--out DIR]``: rewrite the committed templates with ``write`` and
    print their paths (every template builder's command line)."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR, help="folder to write to")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m compiler.documents.template_builder [--out DIR]``: rewrite the committed templates."""
    return run_builder("compiler.documents.template_builder", __doc__, write_templates, argv)


if __name__ == "__main__":
    sys.exit(main())
