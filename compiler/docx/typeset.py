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
from collections.abc import Sequence
from typing import Any

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Length, Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from compiler import thai
from compiler.docx.clock import build_time
from compiler.docx.datatext import PARAGRAPH_LIMIT, paragraphs  # noqa: F401  (their home before)
from compiler.thai import xml_safe

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
    # Widow and orphan control everywhere: no single line of a paragraph alone at the top or
    # the bottom of a page (absent, Word and LibreOffice both leave it off).
    ppr_default = spacing.getparent()
    if ppr_default.find(qn("w:widowControl")) is None:
        ppr_default.insert(0, OxmlElement("w:widowControl"))

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

    clean_package(doc)
    set_properties(doc, title=title, author=author, when=TEMPLATE_TIME)
    setup_section(doc.sections[0])
    return doc


#: The creation time written into the templates, fixed so that a builder's output is the
#: same each time it runs (a rendered document gets its build time instead).
TEMPLATE_TIME = dt.datetime(2024, 1, 1)
#: ``docProps/app.xml`` of every document: our program's name, no Word template reference.
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>ita-report</Application><DocSecurity>0</DocSecurity></Properties>"
)


def clean_package(doc: Document) -> None:
    """Drop what python-docx's default template carries that does not describe our document:
    its thumbnail (``docProps/thumbnail.jpeg``), ``Microsoft Macintosh Word`` as the
    application and ``Normal.dotm`` as the Word template (``docProps/app.xml``)."""
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = _APP_XML


def set_properties(
    doc: Document,
    *,
    title: str = "",
    subject: str = "",
    author: str = "ita-report",
    when: dt.datetime | None = None,
) -> None:
    """Core properties that describe the document: ``title``, ``subject``, ``author`` (the
    organisation), created and modified at ``when`` (default :func:`build_time`)."""
    when = when or build_time()
    props = doc.core_properties
    props.title = xml_safe(title)[:250]
    props.subject = xml_safe(subject)[:250]
    props.author = xml_safe(author)[:250]
    props.last_modified_by = xml_safe(author)[:250]
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.created = when
    props.modified = when
    props.last_printed = when


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
