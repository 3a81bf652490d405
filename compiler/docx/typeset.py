"""Thai official typography for .docx files: fonts, page set-up, tables, page numbers, images.

Shared by every document this project writes (the report, and the ประกาศ / คำสั่ง /
บันทึกข้อความ). It holds what python-docx has no API for, done once and through the XML:

- the complex-script font and size (``w:rFonts w:cs``, ``w:szCs``) and the Thai language tag
  (``w:lang w:bidi="th-TH"``), without which Word shows Thai in a fallback font and breaks
  lines in the middle of words; bold needs ``w:bCs`` as well as ``w:b`` for Thai text;
- A4 pages with the official margins (left 3 cm, right 2 cm, top 2.5 cm, bottom 2 cm),
  portrait or landscape sections;
- page numbers ``- ๒ -`` at the top centre from the second page;
- tables whose header row repeats on every page and whose rows may break across pages;
- ``thaiDistribute`` justification, pictures and a kept space where a picture is missing;
- rendering a docxtpl template safely (autoescape, StrictUndefined, atomic write).

A typical builder::

    doc = new_document()
    add_paragraph_style(doc, "Thai Heading", size_pt=16, bold=True, align="center")
    add_page_numbers(doc.sections[0])
    doc.add_paragraph("ประกาศเทศบาลตำบลบ้านต๋อม", style="Thai Heading")
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT, WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Length, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from docxtpl import DocxTemplate, InlineImage

from compiler import errors, pictures, thai
from compiler.thai import split_long

#: The longest paragraph of data text a document holds. LibreOffice lays out a paragraph in
#: time that grows with the square of its length (one 32,767-character cell of emoji took
#: minutes; the same text as 2,000-character paragraphs, seconds), so longer text becomes
#: several paragraphs, cut at a space or between Thai words. No real cell comes near it.
PARAGRAPH_LIMIT = 2000


def paragraphs(text: str) -> list[str]:
    """``text`` as the paragraphs a document holds: one, unless longer than :data:`PARAGRAPH_LIMIT`."""
    return split_long(text, PARAGRAPH_LIMIT)


#: The body font: one of the 13 fonts the cabinet adopted in 2553; LibreOffice renders it
#: with the metric-compatible Laksaman from ``fonts-tlwg-laksaman``.
FONT = thai.FONT
#: Body text size in points (ระเบียบงานสารบรรณ).
BODY_PT = 16.0
#: Language tags: Latin text stays en-US; complex-script (Thai) text is th-TH.
LANG = "en-US"
LANG_CS = "th-TH"

A4_WIDTH = Cm(21.0)
A4_HEIGHT = Cm(29.7)
MARGIN_LEFT = Cm(3.0)
MARGIN_RIGHT = Cm(2.0)
MARGIN_TOP = Cm(2.5)
MARGIN_BOTTOM = Cm(2.0)
HEADER_DISTANCE = Cm(1.25)
FOOTER_DISTANCE = Cm(1.0)

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "thai": WD_ALIGN_PARAGRAPH.THAI_JUSTIFY,
}

# Schema order of the children we touch (Word rejects a file whose children are out of order).
_RPR_SEQ = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
    "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
    "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip
_SECTPR_SEQ = (
    "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
    "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols",
    "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
    "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)  # fmt: skip
_TCPR_SEQ = (
    "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
    "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
)  # fmt: skip
_TBLPR_SEQ = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
)  # fmt: skip
_THEME_ATTRS = tuple(qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))


def _child(parent: Any, tag: str, seq: Sequence[str]) -> Any:
    """The ``tag`` child of ``parent``, created in schema order (``seq``) when missing."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    new = OxmlElement(tag)
    later = {qn(t) for t in seq[seq.index(tag) + 1 :]}
    for i, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(i, new)
            return new
    parent.append(new)
    return new


def _on_off(parent: Any, tag: str, value: bool | None, seq: Sequence[str]) -> None:
    """Set (True), clear to off (False) or remove (None) an on/off child such as ``w:b``."""
    old = parent.find(qn(tag))
    if value is None:
        if old is not None:
            parent.remove(old)
        return
    el = _child(parent, tag, seq)
    if value:
        el.attrib.pop(qn("w:val"), None)
    else:
        el.set(qn("w:val"), "0")


# --- run properties -----------------------------------------------------------------------
def set_thai_font(
    rpr: Any,
    *,
    font: str = FONT,
    size_pt: float | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    lang: bool = True,
) -> Any:
    """Set font (all four slots), size (``sz`` and ``szCs``), bold and language on a ``w:rPr``.

    ``None`` leaves that property as it is (inherited). Theme font attributes are removed,
    because Word prefers them over named fonts. Returns ``rpr``.
    """
    fonts = _child(rpr, "w:rFonts", _RPR_SEQ)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(attr, None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)
    if bold is not None:
        _on_off(rpr, "w:b", bold, _RPR_SEQ)
        _on_off(rpr, "w:bCs", bold, _RPR_SEQ)
    if italic is not None:
        _on_off(rpr, "w:i", italic, _RPR_SEQ)
        _on_off(rpr, "w:iCs", italic, _RPR_SEQ)
    if size_pt is not None:
        half_points = str(round(size_pt * 2))
        _child(rpr, "w:sz", _RPR_SEQ).set(qn("w:val"), half_points)
        _child(rpr, "w:szCs", _RPR_SEQ).set(qn("w:val"), half_points)
    if lang:
        tag = _child(rpr, "w:lang", _RPR_SEQ)
        tag.set(qn("w:val"), LANG)
        tag.set(qn("w:eastAsia"), LANG)
        tag.set(qn("w:bidi"), LANG_CS)
    return rpr


def set_run_bold(run: Run, bold: bool = True) -> None:
    """Bold a run for Thai too (``w:b`` and ``w:bCs``; python-docx sets only the first)."""
    rpr = run._r.get_or_add_rPr()
    _on_off(rpr, "w:b", bold, _RPR_SEQ)
    _on_off(rpr, "w:bCs", bold, _RPR_SEQ)


# --- document and styles ------------------------------------------------------------------
def new_document(*, title: str = "", author: str = "ita-report") -> Document:
    """A blank A4 portrait document with TH Sarabun New 16 pt set for Latin and Thai text.

    The defaults (``w:docDefaults``) and the ``Normal`` style carry the font in all four
    slots, ``w:sz``/``w:szCs`` 32 and ``w:lang w:bidi="th-TH"``; paragraphs are single
    spaced with no space after. Core properties are fixed so that a builder's output is
    the same each time it runs.
    """
    doc = docx.Document()
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            fonts.attrib.pop(attr, None)
        if not fonts.attrib:
            fonts.getparent().remove(fonts)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_thai_font(rpr, size_pt=BODY_PT)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    set_thai_font(normal.element.get_or_add_rPr(), size_pt=BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:bidi"), LANG_CS)
        theme_lang.set(qn("w:eastAsia"), LANG)
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")  # Word 2013+ layout, no "compatibility mode" banner
    rsids = settings.find(qn("w:rsids"))
    if rsids is not None:
        settings.remove(rsids)

    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.revision = 1
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.category = ""
    fixed = dt.datetime(2024, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed

    setup_section(doc.sections[0])
    return doc


def add_paragraph_style(
    doc: Document,
    name: str,
    *,
    base: str = "Normal",
    size_pt: float | None = None,
    bold: bool | None = None,
    align: str | None = None,
    first_line_cm: float | None = None,
    left_cm: float | None = None,
    space_before_pt: float | None = None,
    space_after_pt: float | None = None,
    keep_with_next: bool | None = None,
    next_style: str | None = None,
) -> ParagraphStyle:
    """A paragraph style in TH Sarabun New (Thai slots included), shown in Word's style gallery.

    ``align`` is ``left``, ``center``, ``right``, ``justify`` or ``thai`` (thaiDistribute);
    ``None`` values inherit from ``base``. Returns the existing style, updated, if ``name``
    is taken.
    """
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles[base]
    style.quick_style = True
    set_thai_font(style.element.get_or_add_rPr(), size_pt=size_pt, bold=bold)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = _ALIGN[align]
    if first_line_cm is not None:
        fmt.first_line_indent = Cm(first_line_cm)
    if left_cm is not None:
        fmt.left_indent = Cm(left_cm)
    if space_before_pt is not None:
        fmt.space_before = Pt(space_before_pt)
    if space_after_pt is not None:
        fmt.space_after = Pt(space_after_pt)
    if keep_with_next is not None:
        fmt.keep_with_next = keep_with_next
    if next_style is not None:
        style.next_paragraph_style = doc.styles[next_style]
    return style


def thai_justify(paragraph: Paragraph) -> None:
    """Justify a paragraph the Thai way (``w:jc w:val="thaiDistribute"``)."""
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY


# --- sections and page numbers ------------------------------------------------------------
def setup_section(section: Section, *, landscape: bool = False) -> Section:
    """A4 with the official margins (left 3, right 2, top 2.5, bottom 2 cm), either way round."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_HEIGHT, A4_WIDTH) if landscape else (A4_WIDTH, A4_HEIGHT)
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = FOOTER_DISTANCE
    section.gutter = Emu(0)
    return section


def add_section(doc: Document, *, landscape: bool = False) -> Section:
    """Start a new section on a new page, A4 portrait or landscape, numbering continued."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_section(section, landscape=landscape)
    section.different_first_page_header_footer = False
    num = section._sectPr.find(qn("w:pgNumType"))
    if num is not None:
        num.attrib.pop(qn("w:start"), None)  # go on counting from the previous section
    return section


def text_width(section: Section) -> Length:
    """Width between the margins of ``section``."""
    return Length((section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0))


def _field_runs(paragraph: Paragraph, instr: str, lang_val: str) -> None:
    """Append a complex field (``instr``, e.g. ``PAGE``) as runs tagged ``lang_val``."""
    for kind, text in (("begin", None), ("instr", f" {instr} "), ("separate", None),
                       ("result", "1"), ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "result":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    for run in paragraph.runs:
        _page_number_lang(run._r, lang_val)


def _page_number_lang(r: Any, lang_val: str) -> None:
    tag = _child(r.get_or_add_rPr(), "w:lang", _RPR_SEQ)
    tag.set(qn("w:val"), lang_val)
    tag.set(qn("w:bidi"), LANG_CS)


def add_page_numbers(section: Section, *, digits: str = "thai", first_page: bool = False) -> None:
    """Page numbers ``- ๒ -`` at the top centre of ``section`` and the sections after it.

    With ``first_page=False`` the section's first page has an empty header (a title page):
    numbering shows from page 2, as the official format wants. ``digits="thai"`` gives
    Thai digits in Word (``w:pgNumType w:fmt="thaiNumbers"``) and, because the number's
    runs are tagged ``w:lang w:val="th-TH"``, in LibreOffice when its CTL numerals option
    is "Context" (:mod:`compiler.pdf` sets it in its private profile). Word's
    ``PAGE \\* ThaiArabic`` switch is not used: LibreOffice reads it as Thai *letters*.
    """
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.style = "Header"
    para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lang_val = LANG_CS if digits == "thai" else LANG
    para.add_run("- ")
    _field_runs(para, "PAGE", lang_val)
    para.add_run(" -")
    for run in para.runs:
        _page_number_lang(run._r, lang_val)
    if not first_page:
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
    num = _child(section._sectPr, "w:pgNumType", _SECTPR_SEQ)
    num.set(qn("w:fmt"), "thaiNumbers" if digits == "thai" else "decimal")
    num.set(qn("w:start"), "1")


def set_page_number_digits(doc: Document, digits: str) -> None:
    """Switch every section's page numbers to Thai (``"thai"``) or Arabic digits."""
    lang_val = LANG_CS if digits == "thai" else LANG
    for section in doc.sections:
        num = section._sectPr.find(qn("w:pgNumType"))
        if num is not None:
            num.set(qn("w:fmt"), "thaiNumbers" if digits == "thai" else "decimal")
    for rel in doc.part.rels.values():
        if rel.reltype != RT.HEADER or rel.is_external:
            continue
        root = rel.target_part.element
        for instr in root.iter(qn("w:instrText")):
            if (instr.text or "").strip().startswith("PAGE"):
                p = instr.getparent().getparent()
                for r in p.iter(qn("w:r")):
                    _page_number_lang(r, lang_val)


# --- tables -------------------------------------------------------------------------------
def set_repeat_header(row: _Row, repeat: bool = True) -> None:
    """Repeat ``row`` at the top of every page the table runs onto (``w:tblHeader``)."""
    trpr = row._tr.get_or_add_trPr()
    old = trpr.find(qn("w:tblHeader"))
    if repeat and old is None:
        trpr.append(OxmlElement("w:tblHeader"))
    elif not repeat and old is not None:
        trpr.remove(old)


def allow_row_break(row: _Row) -> None:
    """Let ``row`` break across pages (no ``w:cantSplit``), so long cells do not leave gaps."""
    trpr = row._tr.trPr
    if trpr is not None:
        for el in trpr.findall(qn("w:cantSplit")):
            trpr.remove(el)


def shade_cell(cell: _Cell, fill: str) -> None:
    """Fill a cell with a colour given as hex ``RRGGBB`` (``w:shd``)."""
    shd = _child(cell._tc.get_or_add_tcPr(), "w:shd", _TCPR_SEQ)
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def add_table(
    doc: Document,
    widths_cm: Sequence[float],
    header: Sequence[str] | None = None,
    *,
    header_style: str | None = None,
    body_style: str | None = None,
    body_rows: int = 0,
    header_fill: str | None = "E7E6E6",
    cell_margin_cm: float = 0.1,
) -> Table:
    """A bordered table of fixed column widths, its header row repeated on every page.

    ``widths_cm`` gives each column's width (a secretary can drag them in Word later);
    ``header`` the header texts, set in ``header_style`` and shaded ``header_fill``;
    ``body_rows`` empty rows in ``body_style`` follow; ``cell_margin_cm`` is the space left
    and right inside each cell (narrow columns need every millimetre for Thai words).
    No row is kept from breaking.
    """
    table = doc.add_table(rows=(1 if header else 0) + body_rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.table_direction = WD_TABLE_DIRECTION.LTR
    table.autofit = False
    tblpr = table._tbl.tblPr
    tblw = _child(tblpr, "w:tblW", _TBLPR_SEQ)
    tblw.set(qn("w:w"), str(sum(Cm(w).twips for w in widths_cm)))
    tblw.set(qn("w:type"), "dxa")
    _child(tblpr, "w:tblLayout", _TBLPR_SEQ).set(qn("w:type"), "fixed")
    margins = _child(tblpr, "w:tblCellMar", _TBLPR_SEQ)
    for side in ("w:left", "w:right"):  # schema order: top, left (start), bottom, right (end)
        mar = OxmlElement(side)
        mar.set(qn("w:w"), str(Cm(cell_margin_cm).twips))
        mar.set(qn("w:type"), "dxa")
        margins.append(mar)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
    for row in table.rows:
        allow_row_break(row)
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    if header:
        head = table.rows[0]
        set_repeat_header(head)
        for cell, text in zip(head.cells, header, strict=True):
            para = cell.paragraphs[0]
            para.text = text
            if header_style:
                para.style = doc.styles[header_style]
            if header_fill:
                shade_cell(cell, header_fill)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if body_style:
        for row in table.rows[1 if header else 0 :]:
            for cell in row.cells:
                cell.paragraphs[0].style = doc.styles[body_style]
    return table


def ensure_cell_paragraphs(doc: Document) -> int:
    """Give every table cell that rendered empty a paragraph (Word rejects cells without one).

    A docxtpl loop over an empty list removes a cell's only paragraph. Returns how many
    cells were mended.
    """
    mended = 0
    for tc in doc.element.body.iter(qn("w:tc")):
        last = tc[len(tc) - 1] if len(tc) else None
        if last is None or last.tag != qn("w:p"):
            tc.append(OxmlElement("w:p"))
            mended += 1
    return mended


# --- pictures -----------------------------------------------------------------------------
def _picture(path: Path) -> io.BytesIO:
    """The checked bytes of the picture at ``path`` (see :mod:`compiler.pictures`), or
    :class:`errors.InputError` saying why not."""
    try:
        return io.BytesIO(pictures.load_picture(path))
    except pictures.PictureProblem as problem:
        raise errors.InputError(
            f"ใช้ไฟล์ภาพ {path} ไม่ได้: {problem.message_th}",
            f"cannot use the picture {path}: {problem.message_en}",
            where=str(path),
        ) from problem


def add_picture(paragraph: Paragraph, path: Path | str, height_cm: float) -> None:
    """Put the picture at ``path`` in ``paragraph``, ``height_cm`` high, width to scale.

    Raises :class:`errors.InputError` when the file is missing or is not a usable picture.
    """
    paragraph.add_run().add_picture(_picture(Path(path)), height=Cm(height_cm))


def add_image_space(paragraph: Paragraph, height_cm: float) -> None:
    """Keep ``height_cm`` of empty space in ``paragraph``, where a picture (ตราครุฑ) goes.

    The paragraph gets an exact line height, so the text below stays where it would be
    with the picture; the user can paste the picture there in Word.
    """
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Cm(height_cm)


def inline_image(tpl: DocxTemplate, path: Path | str | None, height_cm: float) -> InlineImage | str:
    """A docxtpl picture ``height_cm`` high for a template context; ``""`` when no path.

    Raises :class:`errors.InputError` when the file is missing or is not a picture
    (checked now, not halfway through rendering).
    """
    if not path:
        return ""
    return InlineImage(tpl, _picture(Path(path)), height=Cm(height_cm))
