"""Render official documents (ประกาศ, คำสั่ง, บันทึกข้อความ) into Word, and write them all.

``document_context`` turns a :class:`~compiler.documents.Document` and the
:class:`~compiler.model.Organisation` into template variables (every digit Thai unless
``digits="arabic"``, Buddhist Era dates); ``render_document`` fills the kind's docxtpl
template (autoescape, StrictUndefined) and writes the file atomically;
``write_announcements`` writes the ประกาศ of the measures and every filled document sheet
of the workbooks into a folder.

Template variables (all text is data: ``{{``, ``<`` and ``&`` come out as typed):

================= ===========================================================================
``organisation``  the organisation's name, from ``ข้อมูลหน่วยงาน`` only
``district``      the district without ``อำเภอ``; ``province`` without ``จังหวัด``
``fiscal_year``   the fiscal year, BE, e.g. ``๒๕๖๕``
``emblem``        the Garuda emblem picture (3 cm; 1.5 cm in a memo) or ``""`` for none
``subject``       the subject (``เรื่อง``), without the word เรื่อง
``number``        ``ที่``: ``๒๕๕/๒๕๖๕``, ``พย ๗๒๔๐๑/๑๑๙``; dots when not given
``date``          ``๑๑ กุมภาพันธ์ ๒๕๖๘`` (the memo's form); dots for what is not given
``date_long``     ``๒๑ เดือน มีนาคม พ.ศ. ๒๕๖๕`` (after ``ประกาศ ณ วันที่`` / ``สั่ง ณ วันที่``)
``body``          the body's paragraphs, each ``b`` with ``b.kind`` (``paragraph``,
                  ``heading``, ``item1``, ``item2``, ``item3``, ``closing``) and ``b.text``
                  (numbered items include their number: ``๑.๑ เผยแพร่…``)
``signer``        the signer's name (the template adds the parentheses)
``positions``     the signer's position, one entry per line
``unit``          memo: the ``ส่วนราชการ`` line, e.g. ``สำนักปลัด องค์การบริหารส่วนตำบลภูซาง
                  อำเภอภูซาง จังหวัดพะเยา``
``to``            memo: ``เรียน`` (without the word)
``comments``      memo: the comment boxes, each ``c`` with ``c.heading``, ``c.lines`` (the
                  text; dotted lines to write on when a box has neither text nor choices),
                  ``c.choices`` (shown with ☐),
                  ``c.signer`` (dots to sign by hand), ``c.positions``, ``c.date``
================= ===========================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compiler import errors, pictures, safeio, thai
from compiler.documents.measures import measures_document
from compiler.documents.model import Document, OfficialDate
from compiler.documents.names import bare_district, bare_province
from compiler.documents.parse import read_documents
from compiler.documents.spec import DOTS_NAME, DocumentKind
from compiler.docx import images, keeping, linebreak, templating, typeset
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
)
from compiler.docx.textwidth import fit_dots
from compiler.findings import new_finding
from compiler.model import DepartmentWorkbook, Finding, Organisation, Report
from compiler.workbook.standard import organisation_type

DIGIT_STYLES = ("thai", "arabic")
TEMPLATES: dict[DocumentKind, Path] = {
    DocumentKind.ANNOUNCEMENT: ANNOUNCEMENT_TEMPLATE,
    DocumentKind.ORDER: ORDER_TEMPLATE,
    DocumentKind.MEMO: MEMO_TEMPLATE,
}
EMBLEM_HEIGHTS: dict[DocumentKind, float] = {
    DocumentKind.ANNOUNCEMENT: EMBLEM_CM,
    DocumentKind.ORDER: EMBLEM_CM,
    DocumentKind.MEMO: MEMO_EMBLEM_CM,
}
#: Lines to write on in a comment box that has no text.
WRITING_LINES = ("." * 90, "." * 90)
#: What an order's number looks like when it is to be written by hand.
NUMBER_DOTS = "........"
#: File name of the ประกาศ of the measures in ``write_announcements``' folder.
MEASURES_FILE = "ประกาศมาตรการ.docx"
#: The dated line's room, and the longest text the template puts before the date on it: the
#: dotted blanks of a date to be written by hand are shortened to keep it on one line.
DATED_LINE_CM = DOC_TEXT_WIDTH_CM - DATED_LEFT_CM - 0.3
DATED_PREFIX = "ประกาศ ณ วันที่ "
_BLOCK_KIND = {"paragraph": "paragraph", "heading": "heading", "closing": "closing"}


def measures_announcement(report: Report, *, date: dt.date | OfficialDate | None = None) -> Document:
    """The ประกาศ of the report's measures, from ``ข้อมูลหน่วยงาน`` and ``มาตรการ`` alone.

    ``ประกาศ<organisation>``, ``เรื่อง มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน``, a
    preamble, each measure a numbered item (``๑.``) with its methods as sub-items (``๑.๑``),
    ``จึงประกาศให้ทราบโดยทั่วกัน``, the dated line (blank to fill in by hand when ``date``
    is ``None``) and the executive's signature block.
    """
    return measures_document(report.organisation, report.measures, layout=report.layout, date=date)


def _order_number(doc: Document) -> str:
    """An order's ``ที่``: as typed, with ``/<year>`` added when only the number was typed."""
    number = doc.number
    if not number:
        year = str(doc.date.year) if doc.date and doc.date.year else NUMBER_DOTS
        return f"{NUMBER_DOTS}/{year}"
    if doc.kind is DocumentKind.ORDER and "/" not in number and doc.date is not None and doc.date.year:
        return f"{number}/{doc.date.year}"
    return number


def document_context(doc: Document, org: Organisation, digits: str = "thai") -> dict[str, Any]:
    """The template variables of ``doc`` (listed in the module docstring).

    ``emblem`` is ``""`` here; :func:`render_document` puts the picture in. Raises
    :class:`errors.UsageError` for an unknown digit style.
    """
    if digits not in DIGIT_STYLES:
        raise errors.UsageError(
            f"รูปแบบตัวเลขต้องเป็น thai หรือ arabic ไม่ใช่ {digits!r}",
            f"digits must be 'thai' or 'arabic', not {digits!r}",
        )

    def text(value: str) -> str:
        return thai.digits(" ".join(str(value).split()), digits)

    body = []
    for b in doc.blocks:
        kind = f"item{min(max(b.level, 1), 3)}" if b.role == "item" else _BLOCK_KIND.get(b.role, "paragraph")
        body.extend({"kind": kind, "text": piece} for piece in typeset.paragraphs(text(b.line)))
    comments = []
    for c in doc.comments:
        comments.append(
            {
                "heading": text(c.heading),
                "lines": [p for line in c.lines for p in typeset.paragraphs(text(line))]
                or ([] if c.choices else list(WRITING_LINES)),
                "choices": [text(choice) for choice in c.choices],
                "signer": text(c.signature.name) or DOTS_NAME,
                "positions": [text(p) for p in c.signature.positions],
                "date": text(c.date.full()) if c.date else "",
            }
        )
    date = doc.date or OfficialDate()
    return {
        "organisation": text(org.name),
        "district": text(bare_district(org.district)),
        "province": text(bare_province(org.province)),
        "fiscal_year": text(org.year_text),
        "emblem": "",
        "subject": text(doc.subject),
        "number": text(_order_number(doc)) if doc.kind is DocumentKind.ORDER else text(doc.number or NUMBER_DOTS),
        "date": text(date.full()),
        "date_long": fit_dots(text(date.long()), DATED_LINE_CM, typeset.BODY_PT, prefix=DATED_PREFIX),
        "body": body,
        "signer": text(doc.signature.name) or DOTS_NAME,
        "positions": [text(p) for p in doc.signature.positions],
        "unit": text(doc.unit),
        "to": text(doc.to),
        "comments": comments,
    }


def document_names(org: Organisation, people: Sequence[str] = ()) -> list[str]:
    """The names no line may break inside: the organisation's own name, the district, the
    province, and the names of the people who sign."""
    return [
        *linebreak.place_names(
            organisation_type(org.name)[1], bare_district(org.district), bare_province(org.province)
        ),
        *linebreak.names_to_join(org.executive, *people),
    ]


def no_emblem_finding(doc: Document, output: Path) -> Finding:
    """The warning that a document was written without the Garuda emblem."""
    return new_finding(
        "no-emblem",
        file=doc.file or output.name,
        sheet=doc.sheet,
        cell="",
        th=f"{output.name}: ไม่มีไฟล์ตราครุฑ จึงเว้นที่ว่างไว้ ใส่ที่อยู่ไฟล์ภาพใน 'ไฟล์ตราครุฑ' ของแผ่นงานข้อมูลหน่วยงาน หรือใช้ --emblem",
        en=f"{output.name}: no Garuda emblem given, its space is left empty; set 'ไฟล์ตราครุฑ' or use --emblem",
    )


def render_document(
    doc: Document,
    org: Organisation,
    output: Path,
    *,
    emblem: Path | str | None = None,
    digits: str = "thai",
    force: bool = False,
    template: Path | None = None,
) -> tuple[Path, list[Finding]]:
    """Write ``doc`` as a Word document at ``output``; return it and the findings (``no-emblem``).

    ``template`` defaults to the kind's template in ``templates/``. ``emblem`` is the
    picture's path; without one the space is kept and a ``no-emblem`` warning returned.
    Written atomically; an existing ``output`` is replaced only with ``force``. Raises
    :class:`errors.OutputError`, :class:`errors.TemplateError`, :class:`errors.InputError`
    (emblem unreadable) or :class:`errors.UsageError` (digits).
    """
    output = Path(output)
    template = Path(template) if template is not None else TEMPLATES[doc.kind]
    context = document_context(doc, org, digits)
    safeio.check_target(output, force=force)
    tpl = templating.open_template(template)
    findings: list[Finding] = []
    if emblem:
        context["emblem"] = images.inline_image(tpl, emblem, EMBLEM_HEIGHTS[doc.kind])
    else:
        findings.append(no_emblem_finding(doc, output))
    document = templating.render_template(tpl, context, template_name=str(template))
    people = [doc.signature.name, *(c.signature.name for c in doc.comments)]
    linebreak.apply(document.element.body, document_names(org, people))
    anchor = keeping.first_styled(document, STYLE_DOC_DATED, STYLE_DOC_SIGNATURE)
    if anchor is not None:
        keeping.keep_body_with(anchor)
    typeset.set_page_number_digits(document, digits)
    typeset.set_properties(
        document,
        title=f"{doc.kind.value}{org.name} เรื่อง {doc.subject}",
        subject=doc.subject,
        author=org.name,
    )
    return templating.save_document(document, output, force=force), findings


# --- all documents of a submission ------------------------------------------------------------
def _emblem_path(org: Organisation, workbooks: Sequence[DepartmentWorkbook]) -> tuple[Path | None, list[Finding]]:
    """The emblem named in ``ข้อมูลหน่วยงาน``, looked for beside the workbooks, then as given."""
    if not org.emblem:
        return None, []
    given = Path(org.emblem).expanduser()
    candidates = [given] if given.is_absolute() else [Path(wb.path).parent / given for wb in workbooks] + [given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate, []
    holder = next((wb for wb in workbooks if wb.info.get("emblem")), None)
    return None, [
        new_finding(
            "emblem-not-found",
            file=holder.file if holder else "",
            sheet="ข้อมูลหน่วยงาน" if holder else "",
            cell=holder.info_cells.get("emblem", "") if holder else "",
            th=f"ไม่พบไฟล์ตราครุฑ '{org.emblem}' (ค้นหาข้างไฟล์ Excel ด้วย) เอกสารจะเว้นที่ว่างไว้",
            en=f"emblem file '{org.emblem}' not found (looked beside the workbooks too); its space is left empty",
        )
    ]


def workbook_documents(wb: DepartmentWorkbook, org: Organisation) -> tuple[list[Document], list[Finding]]:
    """The documents of one department workbook: those ``check`` stored in ``wb.documents``,
    else (a workbook made without them) read again from the file."""
    if wb.documents:
        return list(wb.documents.values()), []
    from compiler.workbook.read import read_workbook

    raw = read_workbook(Path(wb.path), display=wb.file)
    if not raw.readable:
        return [], []
    return read_documents(raw, org)


def _file_name(doc: Document, taken: set[str], department: str) -> str:
    """The document's file name, free in ``taken`` (``safeio.name_key`` values, updated)."""
    base = safeio.safe_stem(doc.sheet or doc.kind.value) or doc.kind.value
    name = f"{base}.docx"
    department = safeio.safe_stem(department)
    if safeio.name_key(name) in taken and department:
        name = f"{base} ({department}).docx"
    return safeio.free_name(name, taken)


def write_announcements(
    report: Report,
    workbooks: Sequence[DepartmentWorkbook],
    out_dir: Path,
    *,
    digits: str = "thai",
    force: bool = False,
    emblem: Path | None = None,
    date: dt.date | None = None,
    beside: Sequence[str] = (),
) -> tuple[list[Path], list[Finding]]:
    """Write the ประกาศ of the measures and every filled document sheet into ``out_dir``.

    ``beside`` names files this run writes into ``out_dir`` too (the report): no document
    takes their names, so none replaces them.

    The ประกาศ of the measures is ``ประกาศมาตรการ.docx``; a sheet's document is named after
    its sheet (``คำสั่ง.docx``, ``ประกาศ 2.docx``), with the department added when two
    workbooks hold different documents under one sheet name; the same document in several
    workbooks is written once. A sheet with errors is not written (its findings say why).
    ``emblem`` overrides the workbook's ``ไฟล์ตราครุฑ``. Returns the files and the findings.
    """
    out_dir = Path(out_dir)
    org = report.organisation
    findings: list[Finding] = []
    if emblem is not None:
        try:
            pictures.load_picture(emblem)  # a FIFO, a device or a broken picture: said now, not mid-way
        except pictures.PictureProblem as problem:
            raise errors.UsageError(
                f"ใช้ไฟล์ตราครุฑ {emblem} ไม่ได้: {problem.message_th}",
                f"cannot use the emblem file {emblem}: {problem.message_en}",
                where=str(emblem),
            ) from problem
    if emblem is None:
        emblem, found = _emblem_path(org, workbooks)
        findings.extend(found)
    taken = {safeio.name_key(name) for name in beside}
    jobs: list[tuple[Document, str]] = [
        (measures_announcement(report, date=date), safeio.free_name(MEASURES_FILE, taken))
    ]
    seen: list[Document] = []
    for wb in workbooks:
        docs, found = workbook_documents(wb, org)
        findings.extend(found)
        for doc in docs:
            key = _content(doc)
            if any(_content(d) == key for d in seen):
                continue
            seen.append(doc)
            jobs.append((doc, _file_name(doc, taken, wb.department)))
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    no_emblem = False
    for doc, name in jobs:
        path, found = render_document(doc, org, out_dir / name, emblem=emblem, digits=digits, force=force)
        written.append(path)
        no_emblem = no_emblem or any(f.code == "no-emblem" for f in found)
    if no_emblem:
        findings.append(
            new_finding(
                "no-emblem",
                file=str(out_dir),
                sheet="",
                cell="",
                th="ไม่มีไฟล์ตราครุฑ เอกสารจึงเว้นที่ว่างไว้ ใส่ที่อยู่ไฟล์ภาพใน 'ไฟล์ตราครุฑ' ของแผ่นงานข้อมูลหน่วยงาน หรือใช้ --emblem",
                en="no Garuda emblem given, its space is left empty in the documents; set 'ไฟล์ตราครุฑ' or use --emblem",
            )
        )
    return written, findings


def _content(doc: Document) -> tuple[object, ...]:
    """A document's content without where it came from (to write one copy of duplicates)."""
    return (doc.kind, doc.subject, tuple((b.role, b.level, b.number, b.text) for b in doc.blocks),
            doc.signature, doc.number, doc.date, doc.unit, doc.to,
            tuple((c.heading, c.lines, c.choices, c.signature, c.date) for c in doc.comments))  # fmt: skip


__all__ = [
    "MEASURES_FILE",
    "TEMPLATES",
    "document_context",
    "measures_announcement",
    "render_document",
    "workbook_documents",
    "write_announcements",
]
