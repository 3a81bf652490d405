"""Keeping the end of a document's body with its signature: keep-with-next on paragraphs and
tables, found by style, so a signature block never stands alone on the last page.
"""

from __future__ import annotations

import copy
from typing import Any

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from compiler.docx.columns import KEEP_ROW_LINES  # (beside the line estimate it is measured with)


# --- keeping the end of the body with the signature ----------------------------------------
def keep_with_next(p: Any, keep: bool = True) -> None:
    """Set (or clear) "keep with next" (``w:keepNext``) directly on a ``w:p`` element."""
    ppr = p.get_or_add_pPr()
    old = ppr.find(qn("w:keepNext"))
    if keep and old is None:
        el = OxmlElement("w:keepNext")
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(el)
        else:
            ppr.insert(0, el)
    elif not keep and old is not None:
        ppr.remove(old)


def keep_table_with_next(tbl: Any, *, size_pt: float, max_lines: float = KEEP_ROW_LINES) -> bool:
    """Keep a table's last row with the paragraph after it (the signature block) when the
    row is at most ``max_lines`` tall (estimated from its text at ``size_pt`` and its cells'
    widths; see :data:`KEEP_ROW_LINES`). Returns whether the row is kept.

    Every paragraph of the last row gets "keep with next", which is how Word keeps a row
    with what follows. LibreOffice (7.4, measured) moves such a row to the next page but
    does not keep the signature with it; it honours "keep with next" only when every
    paragraph of the table has it, and then keeps the whole table with the next paragraph,
    moving a long table away from its heading: not used.
    """
    from compiler.docx.columns import cell_lines, table_padding_cm

    rows = tbl.findall(qn("w:tr"))
    if not rows:
        return False
    padding = table_padding_cm(tbl)
    tall = max(
        (cell_lines(tc, size_pt=size_pt, padding_cm=padding) for tc in rows[-1].findall(qn("w:tc"))), default=0.0
    )
    if tall > max_lines:
        return False
    for p in rows[-1].iter(qn("w:p")):
        keep_with_next(p)
    return True


def style_size_pt(doc: Document, name: str) -> float | None:
    """The font size (pt) a paragraph style sets or inherits (complex-script size first)."""
    try:
        style = doc.styles[name]
    except KeyError:
        return None
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None:
            for tag in ("w:szCs", "w:sz"):
                el = rpr.find(qn(tag))
                if el is not None:
                    return int(el.get(qn("w:val"))) / 2
        style = style.base_style
    return None


def first_styled(doc: Document, *style_names: str) -> Any:
    """The body's first ``w:p`` in the first of ``style_names`` the document uses; ``None``."""
    for name in style_names:
        try:
            style_id = doc.styles[name].style_id
        except KeyError:
            continue
        for p in doc.element.body.iterchildren(qn("w:p")):
            ppr = p.pPr
            if ppr is not None and ppr.pStyle is not None and ppr.pStyle.val == style_id:
                return p
    return None


#: A paragraph shorter than this (characters) is taken as one line, too little to carry
#: the page with the signature on its own: the paragraph before it is kept too.
SHORT_PARAGRAPH = 80


def keep_body_with(anchor: Any) -> int:
    """Keep the body's last lines on the page of ``anchor`` (the dated line or the signature).

    The paragraph before ``anchor`` gets "keep with next"; when it is short (a closing
    line such as ``จึงประกาศให้ทราบโดยทั่วกัน``), the one before it too, so that with widow
    control at least two lines of real body text travel with the signature. Returns how
    many paragraphs were marked.
    """
    marked = 0
    p = anchor.getprevious()
    while p is not None and marked < 2:
        if p.tag == qn("w:p"):
            text = _text(p)
            keep_with_next(p)  # an empty paragraph in between must not break the chain
            if text:
                marked += 1
                if len(text) >= SHORT_PARAGRAPH:
                    break
        elif p.tag == qn("w:tbl"):
            break  # see keep_table_with_next
        p = p.getprevious()
    return marked


# --- when LibreOffice leaves the signature alone anyway ------------------------------------------
#: The styles of a signature block's lines, in every template.
SIGNATURE_STYLES = ("Thai Signature", "Doc Signature")


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t"))).strip()


def _is_header(tr: Any) -> bool:
    """Whether a ``w:tr`` is a header row (repeated at the top of every page)."""
    trpr = tr.find(qn("w:trPr"))
    return trpr is not None and trpr.find(qn("w:tblHeader")) is not None


def move_last_row_to_signature(doc: Document, *, header: bool = True, split: bool = False) -> bool:
    """Start the last row of the table before the signature on a new page (with a copy of the
    table's header row above it when ``header``): the row and the signature then share a page.
    With ``split``, only the last lines of a tall row move (:func:`split_last_row`), and
    nothing is changed when the row cannot be split.

    For LibreOffice, which keeps nothing with a table row (see :func:`keep_table_with_next`):
    when its layout shows the signature alone on a page (``compiler.docx.office``), the
    document is changed this way and laid out again. The table is split into two in the
    .docx, joined by an empty one-point paragraph that starts the new page. Returns False
    (nothing changed) when the signature does not follow a table of at least two body rows.
    """
    signature = first_styled(doc, *SIGNATURE_STYLES)
    if signature is None:
        return False
    before = signature.getprevious()
    while before is not None and before.tag == qn("w:p") and not _text(before):
        before = before.getprevious()
    if before is None or before.tag != qn("w:tbl"):
        return False
    if split and not split_last_row(before, size_pt=row_size_pt(doc, before.findall(qn("w:tr"))[-1])):
        return False
    rows = before.findall(qn("w:tr"))
    if len(rows) - sum(map(_is_header, rows)) < 2:
        return False  # moving the only row would leave the heading behind with a bare header
    tail = copy.deepcopy(before)
    for tr in tail.findall(qn("w:tr")):
        if not (header and _is_header(tr)):
            tail.remove(tr)
    tail.append(rows[-1])  # moved out of the first table
    joint = OxmlElement("w:p")
    ppr = joint.get_or_add_pPr()
    ppr.append(OxmlElement("w:pageBreakBefore"))
    spacing = OxmlElement("w:spacing")
    for name, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
        spacing.set(qn(name), value)
    ppr.append(spacing)
    before.addnext(joint)
    joint.addnext(tail)
    return True


#: A tall last row (more than :data:`KEEP_ROW_LINES`) is split rather than moved whole: about
#: this many of its last lines (whole paragraphs, estimated) go to the signature's page, and
#: the rest stays where it was, so the page before is not left half empty.
TAIL_LINES = 3.0


def row_size_pt(doc: Document, tr: Any, default: float = 12.0) -> float:
    """The font size (pt) of the first styled paragraph of ``tr`` (its style's), else ``default``."""
    for p in tr.iter(qn("w:p")):
        ppr = p.pPr
        if ppr is None or ppr.pStyle is None:
            continue
        for style in doc.styles:
            if style.style_id == ppr.pStyle.val:
                return style_size_pt(doc, style.name) or default
        break
    return default


def split_last_row(tbl: Any, *, size_pt: float, tail_lines: float = TAIL_LINES) -> bool:
    """Split ``tbl``'s last row in two rows between paragraphs: each cell keeps the paragraphs
    that fit in the row's estimated height less ``tail_lines``, and the second row holds the
    rest, as if the row had broken across a page there. Only a row taller than
    :data:`KEEP_ROW_LINES` with plain cells (no merged or nested tables) is split, and only
    when both parts hold text; returns whether it was.
    """
    from compiler.docx.columns import cell_lines, table_padding_cm

    rows = tbl.findall(qn("w:tr"))
    if not rows or _is_header(rows[-1]):
        return False
    last = rows[-1]
    tcs = last.findall(qn("w:tc"))
    if not tcs or any(_irregular(tc) for tc in tcs):
        return False
    padding = table_padding_cm(tbl)
    tall = max(cell_lines(tc, size_pt=size_pt, padding_cm=padding) for tc in tcs)
    if tall <= KEEP_ROW_LINES:
        return False
    top, tail = copy.deepcopy(last), copy.deepcopy(last)
    for tc, top_tc, tail_tc in zip(tcs, top.findall(qn("w:tc")), tail.findall(qn("w:tc")), strict=True):
        keep = _paragraphs_within(tc, tall - tail_lines, size_pt=size_pt, padding_cm=padding)
        top_ps, tail_ps = top_tc.findall(qn("w:p")), tail_tc.findall(qn("w:p"))
        for p in top_ps[keep:]:
            top_tc.remove(p)
        for p in tail_ps[:keep]:
            tail_tc.remove(p)
        for cell in (top_tc, tail_tc):
            if cell.find(qn("w:p")) is None:  # a cell must hold a paragraph: an empty one
                empty = copy.deepcopy(tc.find(qn("w:p")))
                for child in list(empty):
                    if child.tag != qn("w:pPr"):
                        empty.remove(child)
                cell.append(empty)
    if not _text(top) or not _text(tail):
        return False
    for p in top.iter(qn("w:p")):
        keep_with_next(p, keep=False)  # the top part is not kept with anything
    last.addprevious(top)
    last.addprevious(tail)
    tbl.remove(last)
    return True


def _irregular(tc: Any) -> bool:
    """A merged cell, or one holding anything but paragraphs (a nested table)."""
    tcpr = tc.find(qn("w:tcPr"))
    if tcpr is not None and (tcpr.find(qn("w:gridSpan")) is not None or tcpr.find(qn("w:vMerge")) is not None):
        return True
    return any(child.tag not in (qn("w:tcPr"), qn("w:p")) for child in tc)


def _paragraphs_within(tc: Any, lines: float, *, size_pt: float, padding_cm: float) -> int:
    """How many of ``tc``'s first paragraphs fit in ``lines`` estimated lines."""
    from compiler.docx.columns import cell_lines

    probe = copy.deepcopy(tc)
    paragraphs = probe.findall(qn("w:p"))
    for p in paragraphs:
        probe.remove(p)
    for i, p in enumerate(paragraphs):
        probe.append(p)
        if cell_lines(probe, size_pt=size_pt, padding_cm=padding_cm) > lines:
            return i
    return len(paragraphs)
