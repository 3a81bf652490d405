"""The text of a .docx as a reader sees it: paragraphs and table cells, in document order.

The invisible line-break hints (U+200B, U+2060; see compiler.docx.linebreak) are left out:
a reader does not see them."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn


def docx_lines(path: Path) -> list[str]:
    """Every non-empty paragraph of the body, headers aside; a table gives its cells' paragraphs
    row by row (a merged cell once). Line breaks inside a paragraph split it into lines."""
    document = docx.Document(str(path))
    lines: list[str] = []

    def paragraph(p_el) -> None:  # type: ignore[no-untyped-def]
        parts: list[str] = []
        for node in p_el.iter():
            if node.tag == qn("w:t"):
                parts.append((node.text or "").replace("\u200b", "").replace("\u2060", ""))
            elif node.tag in (qn("w:br"), qn("w:cr")):
                parts.append("\n")
            elif node.tag == qn("w:tab"):
                parts.append("\t")
        for line in "".join(parts).split("\n"):
            if line.strip():
                lines.append(line.strip())

    def table(tbl_el) -> None:  # type: ignore[no-untyped-def]
        for tr in tbl_el.iterchildren(qn("w:tr")):
            for tc in tr.iterchildren(qn("w:tc")):
                merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                if merge is not None and merge.get(qn("w:val")) != "restart":
                    continue
                block(tc)

    def block(parent) -> None:  # type: ignore[no-untyped-def]
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                paragraph(child)
            elif child.tag == qn("w:tbl"):
                table(child)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    block(content)

    block(document.element.body)
    return lines


def in_order(expected: list[str], actual: list[str]) -> list[str]:
    """The expected lines not found, in order, each inside some actual line (empty: all found)."""
    missing: list[str] = []
    i = 0
    for want in expected:
        j = i
        while j < len(actual) and want not in actual[j]:
            j += 1
        if j == len(actual):
            missing.append(want)
        else:
            i = j
    return missing


def without_hints(document):  # type: ignore[no-untyped-def]
    """``document`` (python-docx) with the invisible line-break hints removed from its text,
    so that ``paragraph.text`` reads as a person sees it; returns the document."""
    for t in document.element.iter(qn("w:t")):
        if t.text:
            t.text = t.text.replace("\u200b", "").replace("\u2060", "")
    return document
