"""Rendering a docxtpl template safely: cell text is data (autoescaped, docxtpl's markers
neutralised), a missing variable is an error (StrictUndefined), the file written atomically.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import jinja2
import jinja2.sandbox
from docx.document import Document
from docxtpl import DocxTemplate
from lxml import etree

from compiler import diskcache, errors, safeio
from compiler.docx import docxzip, rowloop
from compiler.docx.datatext import (  # noqa: F401  (their home before; tests and callers use them here)
    _HTML_LONGEST,
    _LISTING,
    Wrapped,
    _html,
    _Text,
    cleaned,
    data_text,
    has_listing,
    jinja_env,
    wrap_data,
    wrapped,
)
from compiler.docx.tables import ensure_cell_paragraphs
from compiler.remember import Kept

#: A cell span, or a row (nested tables' too, as docxtpl counts them) with more cells than $n.
_IRREGULAR = "boolean(.//w:tc/w:tcPr/w:gridSpan | .//w:tr[count(w:tc) > $n])"


def _regular(tbl: Any, w: str) -> bool:
    """True when docxtpl's ``fix_tables`` leaves ``tbl`` as it is: it has a grid, no cell
    spans, no row has more cells than the grid has columns and one has as many."""
    grid = tbl.find(f"{{{w}}}tblGrid")
    if grid is None:
        return False
    n = len(grid.findall(f"{{{w}}}gridCol"))
    first = next(tbl.iter(f"{{{w}}}tr"), None)
    if first is None or len(first.findall(f"{{{w}}}tc")) != n:
        return False  # rare: docxtpl walks it
    return not tbl.xpath(_IRREGULAR, namespaces={"w": w}, n=n)


class _Template(DocxTemplate):  # type: ignore[misc]
    """DocxTemplate whose line-break pass is skipped when no text holds a break.

    docxtpl rewrites every paragraph with nested regular expressions to turn ``\n``/``\t``
    inside text into Word breaks; our data never carries them (cells are split into lines
    before rendering), and that pass was a third of the time of a 1,000-measure report.

    ``row_mark``: set before rendering to have the body's rows marked
    (:func:`compiler.docx.rowloop.render`); ``row_cut`` is then the cut that was rendered, or
    ``None`` when the body was rendered whole (nothing marked).
    """

    row_mark: str | None = None
    row_cut: Any = None

    def resolve_listing(self, xml: str) -> str:
        if not has_listing(xml):
            return xml
        return str(super().resolve_listing(xml))

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        """docxtpl's rendering of a part's Jinja source; the document's body, when its row loop
        can be cut out, rendered row by row with unchanged rows remembered
        (:mod:`compiler.docx.rowloop`). The same text as docxtpl's, which renders any other
        part, any other template, and any template that fails (to raise its error)."""
        if jinja_env is None or part is not self.docx._part:
            return str(super().render_xml_part(src_xml, part, context, jinja_env))
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        found: dict[str, Any] = {}
        self.row_cut = None
        try:
            dst_xml = rowloop.render(jinja_env, source, context, mark=self.row_mark, found=found)
            self.row_cut = found.get("cut") if dst_xml is not None else None
        except jinja2.TemplateError:
            dst_xml = None
        if dst_xml is None:
            return str(super().render_xml_part(src_xml, part, context, jinja_env))
        return self.resolve_listing(cleaned(dst_xml))

    def fix_tables(self, xml: str) -> Any:
        """docxtpl's parse of the rendered body and its repair of tables whose rows have more
        or fewer cells than the grid has columns: when every table is regular (its first row
        has as many cells as the grid, none more, no spans) docxtpl's walk over every row
        would change nothing and is skipped; otherwise docxtpl does it all."""
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        w = tree.nsmap.get("w") if tree is not None else None
        if w is None or not all(_regular(t, w) for t in tree.iter(f"{{{w}}}tbl")):
            return super().fix_tables(xml)
        return tree

    def patch_xml(self, src_xml: str) -> str:
        """docxtpl's clean-up of a part's XML into Jinja source (a function of the XML alone:
        its regular expressions took a tenth of a build), done once per template part: kept
        in this process and on disk, by the part's content (:func:`_patched_path`)."""
        patched = _patched.get(src_xml)
        if patched is not None:
            return patched
        patched = _load_patched(src_xml)
        if patched is None:
            patched = str(super().patch_xml(src_xml))
            _store_patched(src_xml, patched)
        _patched.keep(src_xml, patched)
        return patched


#: The patched XML of the template parts seen in this process (a few per template).
_PATCHED_KEPT = 64
_patched: Kept[str, str] = Kept(_PATCHED_KEPT)
_PATCHED_MAGIC = b"ita-report docxtpl patched xml 1\n"


def _patched_path(src_xml: str) -> tuple[Path, str] | None:
    """Where the patched XML of ``src_xml`` is kept on disk, and its key (docxtpl's version
    and the source's SHA-256): a command run again skips docxtpl's regular expressions."""
    folder = diskcache.cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(f"docxtpl {_docxtpl_version()}\n".encode())
    digest.update(src_xml.encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    return folder / "patched" / f"{key}.xml", key


def _docxtpl_version() -> str:
    import docxtpl

    return str(getattr(docxtpl, "__version__", "?"))


def _load_patched(src_xml: str) -> str | None:
    where = _patched_path(src_xml)
    payload = None if where is None else diskcache.read(where[0], _PATCHED_MAGIC, where[1])
    if payload is None:
        return None
    try:
        return payload.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def _store_patched(src_xml: str, patched: str) -> None:
    where = _patched_path(src_xml)
    if where is not None:
        diskcache.write(where[0], _PATCHED_MAGIC, where[1], patched.encode("utf-8", "surrogatepass"))


def open_template(path: Path) -> DocxTemplate:
    """Open a docxtpl template, or raise :class:`errors.TemplateError` saying why not."""
    if not path.is_file():
        raise errors.TemplateError(
            f"ไม่พบแม่แบบเอกสาร {path}",
            f"template not found: {path}",
            where=str(path),
        )
    try:
        tpl = _Template(str(path))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise errors.TemplateError(
            f"แม่แบบเอกสารเสียหายหรือไม่ใช่ไฟล์ .docx: {path} {_why_not_docx(path)}",
            f"the template is broken or not a .docx file: {path} ({exc})",
            where=str(path),
        ) from exc
    return tpl


def _why_not_docx(path: Path) -> str:
    """Why python-docx could not open ``path``, in Thai (its own words are English only)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(path):
            return "(ไฟล์ .docx ต้องเป็นไฟล์ zip แต่ไฟล์นี้ไม่ใช่ อาจเป็นไฟล์ .doc เดิมที่เปลี่ยนชื่อ กรุณาเปิดใน Word แล้วบันทึกเป็น .docx)"
    except OSError:
        return "(เปิดอ่านไฟล์ไม่ได้)"
    return "(ในไฟล์ขาดส่วนประกอบของเอกสาร Word กรุณาเปิดแม่แบบใน Word แล้วบันทึกเป็น .docx ใหม่)"


def render_template(
    tpl: DocxTemplate,
    context: Mapping[str, Any],
    *,
    template_name: str = "",
    mark_rows: str | None = None,
) -> Document:
    """Render ``context`` into ``tpl`` (autoescape, StrictUndefined) and return the document.

    Strings in ``context`` are treated as data (:func:`wrap_data`). A template that uses
    a variable the context lacks, or has broken Jinja syntax, raises
    :class:`errors.TemplateError` naming the problem; nothing is written. ``mark_rows``: a
    token to mark the body's rows with (see :class:`_Template`).
    """
    tpl.row_mark = mark_rows
    try:
        tpl.render(wrap_data(context), jinja_env=jinja_env(), autoescape=True)
    except jinja2.sandbox.SecurityError as exc:
        raise errors.TemplateError(
            f"แม่แบบ {template_name or ''} พยายามเข้าถึงส่วนที่แม่แบบไม่มีสิทธิ์ใช้ (จึงไม่สร้างเอกสาร): {exc}",
            f"the template {template_name or ''} reaches for something a template may not use (refused): {exc}",
            where=template_name,
        ) from exc
    except jinja2.UndefinedError as exc:
        raise errors.TemplateError(
            f"แม่แบบใช้ตัวแปรที่ไม่มีในข้อมูล: {exc}",
            f"the template uses a variable the data does not have: {exc}",
            where=template_name,
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise errors.TemplateError(
            f"คำสั่งในแม่แบบเขียนไม่ถูกต้อง (บรรทัด {exc.lineno}): {exc.message}",
            f"template syntax error (line {exc.lineno}): {exc.message}",
            where=template_name,
        ) from exc
    except jinja2.TemplateError as exc:
        raise errors.TemplateError(
            f"แม่แบบใช้งานไม่ได้: {exc}",
            f"the template cannot be rendered: {exc}",
            where=template_name,
        ) from exc
    except etree.XMLSyntaxError as exc:
        raise errors.TemplateError(
            f"แม่แบบสร้างเอกสารที่เสียหาย (แท็ก {{% %}} อยู่ผิดที่?): {exc}",
            f"the template produced broken XML (a {{% %}} tag in the wrong place?): {exc}",
            where=template_name,
        ) from exc
    document = tpl.docx
    assert document is not None
    ensure_cell_paragraphs(document)
    return document


def save_document(
    document: Document,
    output: Path,
    *,
    force: bool = False,
    keep: Callable[[Any], None] | None = None,
    blobs: dict[str, bytes] | None = None,
) -> Path:
    """Write ``document`` to ``output`` atomically (see :mod:`compiler.safeio`): the parts
    ``document.save`` writes, each unchanged part compressed once (:mod:`compiler.docx.docxzip`).
    ``keep`` is given the parts as written (:data:`compiler.docx.docxzip.Written`); ``blobs``
    replaces parts' bytes (:func:`compiler.docx.docxzip.package_items`)."""

    def write(stream: IO[bytes]) -> None:
        written = docxzip.write_document(document, stream, blobs)
        if keep is not None and written is not None:
            keep(written)

    return safeio.atomic_write(output, write, force=force)
