"""Build the report template ``templates/report.docx`` with python-docx.

The committed template is what this module builds (a test compares them): change the
template here, then run ``python -m compiler.report.template_builder`` to rewrite it. A secretary may
instead edit the .docx in Word (wording, logo, column widths, styles); the ``{{ … }}`` and
``{%p … %}`` tags must stay, each in one piece. The variables are those of
:func:`compiler.render.report_context`.

Layout of the template:

- section 1, A4 portrait, text centred on the page: the cover (optional logo, title,
  fiscal year, organisation, district and province), no page number;
- section 2, A4 landscape: the heading, the introductory paragraph (with the overall ITA
  score sentence when there is a score), the measures table and the signature block;
  page numbers ``- ๒ -`` at the top centre.

The three tables (``measures``, ``numbered``, ``indicators``) are all in the template, each
between ``{%p if layout == "…" %}`` and ``{%p endif %}``; the report keeps the one its
layout names. Each has a header row repeated on every page and one body row repeated for
each measure (``{%tr for m in measures %}``). Inside a cell, every line of a field is its
own paragraph (``{%p for line in m.methods %}``); results, outcomes and suggestions are
lines with a bold ``line.head`` (a department's name before its first line, when several
departments reported the measure) and a plain ``line.text``. Under each measure's title
stand ``m.also``: the fields its layout has no column for (ระยะเวลา, งบประมาณ, ข้อเสนอแนะ …),
each line headed by the column's name, so nothing a department filled in is dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from compiler.docx import images, tables, templating, typeset
from compiler.docx.templates import LOGO_HEIGHT_CM, REPORT_TEMPLATE, STYLE_REPORT_SIGNATURE, STYLE_TAG, TEMPLATES_DIR

#: Style names used by the report template (all TH Sarabun New, Thai slots set).
STYLE_COVER_TITLE = "Thai Cover Title"
STYLE_COVER = "Thai Cover"
STYLE_HEADING = "Thai Heading"
STYLE_BODY = "Thai Body"
STYLE_TABLE_HEADER = "Thai Table Header"
STYLE_TABLE = "Thai Table Text"
STYLE_TABLE_CENTRE = "Thai Table Centre"
STYLE_SIGNATURE = STYLE_REPORT_SIGNATURE

#: Size (pt) and line spacing (multiple) of the measures table's text.
TABLE_PT = 12.0
TABLE_HEADER_PT = 11.0
TABLE_LINE_SPACING = 0.75
#: Space above the logo on the cover.
COVER_TOP_CM = 3.0
_GREY = RGBColor(0x80, 0x80, 0x80)

COVER_LINES = (
    ("รายงานการดำเนินการ", STYLE_COVER_TITLE),
    ("ตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", STYLE_COVER_TITLE),
    ("ประจำปีงบประมาณ พ.ศ. {{ fiscal_year }}", STYLE_COVER_TITLE),
    ("{{ organisation }}", STYLE_COVER),
    ("อำเภอ{{ district }} จังหวัด{{ province }}", STYLE_COVER),
)
HEADING_LINES = (
    "รายงานผลการดำเนินการมาตรการส่งเสริมคุณธรรมและความโปร่งใส",
    "ของ{{ organisation }} ประจำปีงบประมาณ พ.ศ. {{ fiscal_year }}",
)
INTRO_WITH_SCORE = (
    "จากการประเมินผลคุณธรรมและความโปร่งใสในการดำเนินงานของ{{ organisation }} "
    "ประจำปีงบประมาณ พ.ศ. {{ fiscal_year }} โดยภาพรวมได้ คะแนน {{ score }} คะแนน "
    "{{ organisation }} ได้รายงานผลการดำเนินงานตามมาตรการเพื่อส่งเสริมคุณธรรมและความโปร่งใส"
    "ในหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. {{ fiscal_year }} และได้แสดงมาตรการกิจกรรม"
    "ที่ดำเนินการ การสรุปผลการดำเนินการ และผลลัพธ์ของการดำเนินการ กำหนดผู้รับผิดชอบ "
    "หรือผู้มีส่วนเกี่ยวข้อง ดังนี้"
)
INTRO_WITHOUT_SCORE = (
    "ตามที่ได้ดำเนินการวิเคราะห์ผลการประเมิน ITA ของ{{ organisation }} อำเภอ{{ district }} "
    "จังหวัด{{ province }} ประจำปีงบประมาณ พ.ศ. {{ previous_year }} และได้กำหนดมาตรการ/"
    "แนวทางในการส่งเสริมคุณธรรมและความโปร่งใสขององค์กรปกครองส่วนท้องถิ่นในปีงบประมาณ "
    "พ.ศ. {{ fiscal_year }} โดยได้มีการดำเนินการขับเคลื่อนมาตรการส่งเสริมคุณธรรมและ"
    "ความโปร่งใสขององค์กรปกครองส่วนท้องถิ่น ประจำปีงบประมาณ พ.ศ. {{ fiscal_year }} "
    "ดังต่อไปนี้"
)


@dataclass(frozen=True)
class Column:
    """One column of a layout: header text, width, and what its body cell holds.

    ``content`` is a tuple of ``(kind, variable)``: ``lines`` (a list of strings, one
    paragraph each), ``grouped`` (lines with a bold ``head`` and a ``text``) or ``value``
    (one string).
    """

    header: str
    width_cm: float
    content: tuple[tuple[str, str], ...]
    centred: bool = False


#: The three table layouts; widths fill the 24.7 cm between the landscape margins.
LAYOUTS: dict[str, tuple[Column, ...]] = {
    "measures": (
        Column("มาตรการ", 4.2, (("lines", "m.title"), ("grouped", "m.also"))),
        Column("วิธีการดำเนินการ", 5.3, (("lines", "m.methods"),)),
        Column("ผู้รับผิดชอบ", 3.0, (("lines", "m.responsible"),)),
        Column("ระยะเวลา", 2.7, (("lines", "m.period"),)),
        Column("ผลการดำเนินการ", 5.5, (("grouped", "m.results"),)),
        Column("ข้อเสนอแนะ", 4.0, (("grouped", "m.suggestions"),)),
    ),
    "numbered": (
        Column("ลำดับ", 1.4, (("value", "m.number"),), centred=True),
        Column("มาตรการ/กิจกรรม", 3.3, (("lines", "m.title"), ("grouped", "m.also"))),
        Column("วิธีการ", 3.8, (("lines", "m.methods"),)),
        Column("ระยะเวลาการดำเนินการ", 2.4, (("lines", "m.period"),)),
        Column("ผู้รับผิดชอบ", 2.2, (("lines", "m.responsible"),)),
        Column("สรุปผลการดำเนินการตามมาตรการหรือกิจกรรม", 5.0, (("grouped", "m.results"),)),
        Column("ผลลัพธ์หรือความสำเร็จในการดำเนินการ", 4.4, (("grouped", "m.outcomes"),)),
        Column("งบประมาณ", 2.2, (("value", "m.budget"),), centred=True),
    ),
    "indicators": (
        Column("ตัวชี้วัด", 4.2, (("lines", "m.indicator"),)),
        Column("มาตรการหรือกิจกรรม", 5.5, (("lines", "m.title"), ("lines", "m.methods"), ("grouped", "m.also"))),
        Column("สรุปผลการดำเนินการตามมาตรการ", 6.0, (("grouped", "m.results"),)),
        Column(
            "ผลลัพธ์หรือความสำเร็จของการดำเนินการ",
            5.5,
            (("grouped", "m.outcomes"), ("lines", "m.scores")),
        ),
        Column("ส่วนงานที่รับผิดชอบ", 3.5, (("lines", "m.responsible"),)),
    ),
}


def _styles(doc: Document) -> None:
    """The report's paragraph styles; sizes follow the official 16 pt, tables :data:`TABLE_PT`."""
    typeset.add_paragraph_style(doc, STYLE_COVER_TITLE, size_pt=22, bold=True, align="center", space_after_pt=6)
    typeset.add_paragraph_style(doc, STYLE_COVER, size_pt=20, bold=True, align="center", space_before_pt=12)
    typeset.add_paragraph_style(doc, STYLE_HEADING, size_pt=18, bold=True, align="center", keep_with_next=True)
    typeset.add_paragraph_style(
        doc,
        STYLE_BODY,
        size_pt=typeset.BODY_PT,
        align="thai",
        first_line_cm=2.5,
        space_before_pt=12,
        space_after_pt=12,
    )
    # The table in 12 pt at line spacing 0.75, its header 11 pt: measured on the sample reports
    # in LibreOffice, 14 pt took 4, 7 and 9 pages where the published reports take 2, 3 and 5
    # (plus the cover); 12 pt at 0.9 took 3, 5 and 6; now 3, 4 and 5 (see the README).
    head = typeset.add_paragraph_style(
        doc, STYLE_TABLE_HEADER, size_pt=TABLE_HEADER_PT, bold=True, align="center", keep_with_next=False
    )
    text = typeset.add_paragraph_style(doc, STYLE_TABLE, size_pt=TABLE_PT, align="left")
    for style in (head, text):
        style.paragraph_format.line_spacing = TABLE_LINE_SPACING
    typeset.add_paragraph_style(doc, STYLE_TABLE_CENTRE, base=STYLE_TABLE, align="center")
    typeset.add_paragraph_style(
        doc, STYLE_SIGNATURE, size_pt=typeset.BODY_PT, align="center", left_cm=12.0,
        keep_with_next=True,
    )  # fmt: skip
    # Paragraphs that only hold a {%p … %} tag vanish when rendered; grey so they stand out.
    tag = typeset.add_paragraph_style(doc, STYLE_TAG, size_pt=10)
    tag.font.color.rgb = _GREY


def _tag(doc: Document, text: str) -> None:
    doc.add_paragraph(text, style=STYLE_TAG)


def _cell_paragraph(cell: _Cell, first: list[bool], style: str) -> Paragraph:
    """The cell's first (empty) paragraph the first time, a new one after that."""
    if first[0]:
        first[0] = False
        para = cell.paragraphs[0]
        para.style = style
        return para
    return cell.add_paragraph(style=style)


def _fill_cell(cell: _Cell, column: Column) -> None:
    """Write the template tags of one body cell."""
    first = [True]
    style = STYLE_TABLE_CENTRE if column.centred else STYLE_TABLE
    for kind, var in column.content:
        if kind == "value":
            _cell_paragraph(cell, first, style).add_run(f"{{{{ {var} }}}}")
        elif kind == "lines":
            _cell_paragraph(cell, first, STYLE_TAG).add_run(f"{{%p for line in {var} %}}")
            _cell_paragraph(cell, first, style).add_run("{{ line }}")
            _cell_paragraph(cell, first, STYLE_TAG).add_run("{%p endfor %}")
        elif kind == "grouped":
            _cell_paragraph(cell, first, STYLE_TAG).add_run(f"{{%p for line in {var} %}}")
            para = _cell_paragraph(cell, first, style)
            typeset.set_run_bold(para.add_run("{{ line.head }}"))
            para.add_run("{{ line.text }}")
            _cell_paragraph(cell, first, STYLE_TAG).add_run("{%p endfor %}")
        else:  # pragma: no cover - a mistake in LAYOUTS
            raise ValueError(kind)


def _table(doc: Document, name: str, columns: Sequence[Column]) -> None:
    """One layout's table: header row, loop-start row, body row, loop-end row."""
    _tag(doc, f'{{%p if layout == "{name}" %}}')
    table = tables.add_table(
        doc,
        [c.width_cm for c in columns],
        [c.header for c in columns],
        header_style=STYLE_TABLE_HEADER,
        body_style=STYLE_TABLE,
        body_rows=3,
    )
    loop_start, body, loop_end = table.rows[1], table.rows[2], table.rows[3]
    loop_start.cells[0].paragraphs[0].text = "{%tr for m in measures %}"
    loop_end.cells[0].paragraphs[0].text = "{%tr endfor %}"
    for row in (loop_start, loop_end):
        for cell in row.cells:
            cell.paragraphs[0].style = doc.styles[STYLE_TAG]
    for cell, column in zip(body.cells, columns, strict=True):
        _fill_cell(cell, column)
    _tag(doc, "{%p endif %}")


def build_report_template() -> Document:
    """The report template as a python-docx document (see the module docstring)."""
    doc = typeset.new_document(title="รายงานการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส")
    _styles(doc)

    typeset.add_page_numbers(doc.sections[0], first_page=False)
    # The logo, or the same height of empty space, so the cover looks the same either way.
    _tag(doc, "{%p if logo %}")
    logo = doc.add_paragraph("{{ logo }}", style=STYLE_COVER)
    logo.paragraph_format.space_before = Cm(COVER_TOP_CM)
    logo.paragraph_format.space_after = Pt(24)
    _tag(doc, "{%p else %}")
    space = doc.add_paragraph("", style=STYLE_COVER)
    images.add_image_space(space, LOGO_HEIGHT_CM)
    space.paragraph_format.space_before = Cm(COVER_TOP_CM)
    space.paragraph_format.space_after = Pt(24)
    _tag(doc, "{%p endif %}")
    for text, style in COVER_LINES:
        doc.add_paragraph(text, style=style)

    typeset.add_section(doc, landscape=True)
    for text in HEADING_LINES:
        doc.add_paragraph(text, style=STYLE_HEADING)
    _tag(doc, "{%p if score %}")
    doc.add_paragraph(INTRO_WITH_SCORE, style=STYLE_BODY)
    _tag(doc, "{%p else %}")
    doc.add_paragraph(INTRO_WITHOUT_SCORE, style=STYLE_BODY)
    _tag(doc, "{%p endif %}")
    for name, columns in LAYOUTS.items():
        _table(doc, name, columns)

    doc.add_paragraph("", style=STYLE_SIGNATURE)
    doc.add_paragraph("", style=STYLE_SIGNATURE)
    doc.add_paragraph("({{ executive }})", style=STYLE_SIGNATURE)
    last = doc.add_paragraph("{{ executive_position }}", style=STYLE_SIGNATURE)
    last.paragraph_format.keep_with_next = False
    return doc


def write_templates(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Build every template into ``folder``, replacing what is there; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / REPORT_TEMPLATE.name
    templating.save_document(build_report_template(), target, force=True)
    return [target]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m compiler.report.template_builder [--out DIR]``: rewrite the committed templates."""
    from compiler.documents.template_builder import run_builder

    return run_builder("compiler.report.template_builder", __doc__, write_templates, argv)


if __name__ == "__main__":
    sys.exit(main())
