"""The official documents' sheets (ประกาศ, คำสั่ง, บันทึกข้อความ): their layout as data, and
reading a sheet into a :class:`Document` with findings at its cells.

A document sheet has two columns, ``รายการ`` (what the row is, chosen from a dropdown) and
``ข้อความ`` (its text), one element per row, so the document's order is the rows' order. A
third column ``คำอธิบาย`` holds hints that are never read. The sheet's name says which
document it is: ``ประกาศ``, ``ประกาศ 2``, ``คำสั่ง`` … (see ``standard.DOCUMENT_SHEETS``)::

    รายการ           ข้อความ
    เรื่อง            นโยบายคุณธรรมและความโปร่งใส
    วันที่            21 มีนาคม 2565
    ย่อหน้า           ตามเจตนารมณ์ของรัฐธรรมนูญแห่งราชอาณาจักรไทย …
    ข้อ              บริหารงานและปฏิบัติงานตามหลักธรรมาภิบาล …        → ๑. บริหารงาน…
    ข้อย่อย           เผยแพร่ข้อมูลข่าวสาร …                           → ๑.๑ เผยแพร่…
    ข้อย่อยย่อย        โครงสร้างและการจัดองค์กร …                        → (๑) โครงสร้าง…
    ท้ายเรื่อง         จึงประกาศให้ทราบโดยทั่วกัน

The organisation's name, and the executive who signs by default, come from
``ข้อมูลหน่วยงาน`` (an :class:`~compiler.model.Organisation`) and never from these sheets;
a near miss of the name typed inside a text (``บ้านต้อม`` for ``บ้านต๋อม``) is corrected in
the document and reported as a warning at its cell.

Numbers of items (``๑.``, ``๑.๑``, ``(๑)``) are generated unless the clerk typed one; a typed
number is kept, and numbering goes on from it. A ``หัวข้อ`` (heading of a section) starts the
numbering again, as in phon_sai_2568's ประกาศ. An empty ``รายการ`` cell repeats the element
of the row above (several paragraphs, several items), except after one-of-a-kind elements.

In a บันทึกข้อความ, each ``ความเห็น`` row starts a comment box (its text is the box's
heading, e.g. ``ความเห็นหัวหน้าสำนักปลัด``); the rows after it (``ย่อหน้า``, ``ตัวเลือก``,
``ผู้ลงนาม``, ``ตำแหน่งผู้ลงนาม``, ``วันที่``) belong to that box. A box without a signer is
left to be signed by hand, except the last box of the chain, which the executive signs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler import thai
from compiler.findings import dropped_character, new_finding, severity_of, too_long
from compiler.model import Finding, Organisation, Severity, cell_ref
from compiler.workbook import standard
from compiler.workbook.read import RawSheet, RawWorkbook

if TYPE_CHECKING:  # openpyxl is only needed to write sheets
    pass
from compiler.documents.model import Block, Comment, Document, OfficialDate, Signature
from compiler.documents.names import correct_names, unit_line
from compiler.documents.rows import (
    _cell_text,
    _Numbering,
    _parse_date,
    _rows,
    _signer_name,
    _strip_label,
    sheet_is_blank,
    split_number,
)
from compiler.documents.spec import (
    ALL_KINDS,
    DOCUMENT_SPECS,
    ELEMENTS,
    DocumentKind,
    Element,
)


# ============================================================================================
# Reading a sheet
# ============================================================================================
@dataclass
class _Sink:
    file: str
    sheet: str
    findings: list[Finding] = field(default_factory=list)

    def error(self, code: str, cell: str, th: str, en: str) -> None:
        assert severity_of(code) is Severity.ERROR, code
        self.findings.append(new_finding(code, file=self.file, sheet=self.sheet, cell=cell, th=th, en=en))

    def warn(self, code: str, cell: str, th: str, en: str) -> None:
        assert severity_of(code) is Severity.WARNING, code
        self.findings.append(new_finding(code, file=self.file, sheet=self.sheet, cell=cell, th=th, en=en))


def _labels() -> dict[str, Element]:
    out: dict[str, Element] = {}
    for e in ELEMENTS:
        for name in (e.label, *e.aliases):
            out.setdefault(thai.header_key(name), e)
    return out


_BY_LABEL = _labels()


def element_of(text: object) -> Element | None:
    """The element a ``รายการ`` cell names (spaces, stars and colons ignored); ``None`` if none.

    ``element_of("ข้อ ย่อย") is ELEMENTS_BY_KEY["subitem"]``.
    """
    key = thai.header_key(thai.clean_text(text))
    return _BY_LABEL.get(key) if key else None


def document_kind(sheet_name: str) -> DocumentKind | None:
    """The kind of a document sheet by its name: ``document_kind("ประกาศ 2") is ANNOUNCEMENT``.

    The longest matching prefix wins; ``None`` for a sheet that is no document.
    """
    key = thai.header_key(sheet_name).lower()
    for kind in sorted(ALL_KINDS, key=lambda k: -len(k.value)):
        if key.startswith(thai.header_key(kind.value).lower()):
            return kind
    return None


@dataclass
class _Box:
    """A comment box while it is read."""

    heading: str
    cell: str
    lines: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    signer: str | None = None
    signer_cell: str = ""
    positions: list[str] = field(default_factory=list)
    date: OfficialDate | None = None


#: Roles of one-of-a-kind text rows (before the first comment box).
_SINGLE_TEXT = ("subject", "number", "unit", "to", "signer")
#: Roles whose text is set in one line or sentence (never cut into paragraphs).
_ONE_LINE = (*_SINGLE_TEXT, "position", "choice", "comment")
#: What a comment box may hold.
_BOX_ROLES = ("paragraph", "choice", "signer", "position", "comment", "date")


class _Reader:
    """Reads one document sheet row by row (``row``), then makes the document (``finish``)."""

    def __init__(self, sheet: RawSheet, org: Organisation, file: str, kind: DocumentKind) -> None:
        self.org = org
        self.kind = kind
        self.sink = _Sink(file, sheet.name)
        self.sheet = sheet.name
        self.file = file
        self.singles: dict[str, str] = {}  # role -> text
        self.cells: dict[str, str] = {}  # role -> B cell of its (possibly empty) row
        self.positions: list[str] = []
        self.position_cell = ""
        self.blocks: list[Block] = []
        self.boxes: list[_Box] = []
        self.numbering = _Numbering()
        self.previous: Element | None = None
        self.date: OfficialDate | None = None
        self.bad_date = False
        self.level_cells: set[str] = set()  # cells already warned for a stated level

    # --- rows ---------------------------------------------------------------------------------
    def element(self, r: int, raw_kind: object, text: str) -> Element | None:
        """The row's element: named in column A, or the row above's when A is empty."""
        ref = cell_ref(r, 1)
        if raw_kind is None or not thai.clean_text(raw_kind):
            if self.previous is None or self.previous.single:
                self.sink.error(
                    "missing-element",
                    ref,
                    "ไม่ได้เลือก 'รายการ' ของแถวนี้ (เช่น ย่อหน้า ข้อ ท้ายเรื่อง) กรุณาเลือกจากรายการ",
                    "this row's 'รายการ' is empty; choose what the text is (ย่อหน้า, ข้อ, ท้ายเรื่อง …)",
                )
                return None
            return self.previous
        element = element_of(raw_kind)
        if element is None:
            names = ", ".join(e.label for e in DOCUMENT_SPECS[self.kind].elements)
            typed = thai.clean_text(raw_kind)
            self.sink.error(
                "unknown-element",
                ref,
                f"ไม่รู้จักรายการ '{typed}' ใช้ได้: {names}",
                f"unknown element '{typed}'; allowed: {names}",
            )
        elif self.kind not in element.kinds:
            self.sink.error(
                "element-not-for-document",
                ref,
                f"'{element.label}' ใช้ใน{self.kind.value}ไม่ได้ (ใช้ได้เฉพาะใน {', '.join(k.value for k in element.kinds)})",
                f"'{element.label}' does not belong in a {self.kind.name.lower()} document",
            )
            return None
        return element

    def row(self, r: int, raw_kind: object, raw_text: object) -> None:
        text = _cell_text(raw_text)
        if isinstance(raw_text, str) and (code := thai.dropped_character(raw_text)):
            self.sink.findings.append(dropped_character(self.file, self.sheet, cell_ref(r, 2), code))
        has_kind = raw_kind is not None and bool(thai.clean_text(raw_kind))
        if not has_kind and not text:
            return
        element = self.element(r, raw_kind, text)
        self.previous = element
        if element is None:
            return
        a_ref, b_ref = cell_ref(r, 1), cell_ref(r, 2)
        role = element.role
        if role in _ONE_LINE and len(text) > standard.LINE_LIMIT:
            self.sink.findings.append(
                too_long(self.file, self.sheet, b_ref, element.label, len(text), standard.LINE_LIMIT)
            )
            self.cells.setdefault(role, b_ref)
            return
        box = self.boxes[-1] if self.boxes else None
        if box is not None and role not in _BOX_ROLES:
            self.sink.error(
                "element-after-comments",
                a_ref,
                f"'{element.label}' ต้องอยู่ก่อนช่องความเห็นแรก ในช่องความเห็นใช้ได้เฉพาะ ย่อหน้า ตัวเลือก ผู้ลงนาม ตำแหน่งผู้ลงนาม วันที่",
                f"'{element.label}' must come before the first comment box",
            )
        elif role == "date":
            self.date_row(element, raw_text, text, a_ref, b_ref, box)
        elif box is not None:
            self.box_row(element, text, a_ref, b_ref, box)
        elif role in _SINGLE_TEXT:
            self.cells.setdefault(role, b_ref)
            if not text:
                return
            if role in self.singles:
                self.duplicate(element, a_ref)
                return
            value = _strip_label(" ".join(text.split("\n")), element)
            self.singles[role] = _signer_name(value) if role == "signer" else self.fix(value, b_ref)
        elif text:
            self.body_row(element, [self.fix(line, b_ref) for line in text.split("\n")], b_ref)

    def date_row(self, element: Element, raw: object, text: str, a_ref: str, b_ref: str, box: _Box | None) -> None:
        if box is None:
            self.cells.setdefault("date", b_ref)
        if not text:
            return
        date = _parse_date(raw)
        if date is None:
            self.bad_date = True
            self.sink.error(
                "bad-date",
                b_ref,
                f"'{text}' ไม่ใช่วันที่ พิมพ์เช่น 21 มีนาคม 2565 หรือ 21/3/2565",
                f"'{text}' is not a date; type e.g. 21 มีนาคม 2565 or 21/3/2565",
            )
        elif box is not None:
            box.date = date
        elif self.date is not None:
            self.duplicate(element, a_ref)
        else:
            self.date = date

    def box_row(self, element: Element, text: str, a_ref: str, b_ref: str, box: _Box) -> None:
        if not text:
            return
        lines = [self.fix(line, b_ref) for line in text.split("\n")]
        if element.role == "comment":
            self.boxes.append(_Box(" ".join(lines), b_ref))
        elif element.role == "paragraph":
            box.lines.extend(lines)
        elif element.role == "choice":
            box.choices.extend(lines)
        elif element.role == "position":
            box.positions.extend(lines)
        elif box.signer is not None:  # signer
            self.duplicate(element, a_ref)
        else:
            box.signer, box.signer_cell = _signer_name(" ".join(text.split("\n"))), b_ref

    def body_row(self, element: Element, lines: list[str], ref: str) -> None:
        role = element.role
        if role == "comment":
            self.boxes.append(_Box(" ".join(lines), ref))
        elif role == "position":
            self.positions.extend(lines)
            self.position_cell = self.position_cell or ref
        elif role == "section":
            self.blocks.append(Block("heading", element.label, cell=ref))
            self.blocks.extend(Block("paragraph", line, cell=ref) for line in lines)
        elif role == "heading":
            self.numbering.reset()
            self.blocks.extend(Block("heading", line, cell=ref) for line in lines)
        elif role == "item":
            for i, line in enumerate(lines):
                typed, rest = split_number(line)
                number = self.numbering.next(element.level, typed) if typed or i == 0 else ""
                self.blocks.append(Block("item", rest, element.level, number, ref))
        else:  # paragraph, closing (a choice outside a box cannot happen: choices are memo-only)
            self.blocks.extend(Block("closing" if role == "closing" else "paragraph", line, cell=ref) for line in lines)

    def fix(self, text: str, ref: str) -> str:
        """``text`` with the organisation's names spelt as in ข้อมูลหน่วยงาน; a warning per miss
        (and one for a level the text states that its score contradicts)."""
        self.check_level(text, ref)
        fixed, misses = correct_names(text, self.org)
        for wrong, right in dict.fromkeys(misses):
            self.sink.warn(
                "name-corrected",
                ref,
                f"พิมพ์ชื่อ '{wrong}' ไม่ตรงกับแผ่นงานข้อมูลหน่วยงาน ('{right}') เอกสารใช้ '{right}' กรุณาแก้ในแผ่นงานด้วย",
                f"'{wrong}' differs from the organisation sheet's '{right}'; the document uses '{right}'",
            )
        return fixed

    def check_level(self, text: str, ref: str) -> None:
        """``level-contradicts-score`` at ``ref`` for a level ``text`` states that the score denies."""
        found = None if ref in self.level_cells else standard.contradicted_level(text, self.org.score)
        if found is not None:
            (stated, score), level = found, standard.level_for(found[1])
            self.level_cells.add(ref)
            self.sink.warn(
                "level-contradicts-score",
                ref,
                f"ข้อความระบุระดับ '{stated}' ไม่ตรงกับคะแนน {thai.format_score(score)} ซึ่งอยู่ในระดับ {level} กรุณาแก้ข้อความ",
                f"the text states level '{stated}', which the score {thai.format_score(score)} (level {level}) contradicts",
            )

    def duplicate(self, element: Element, ref: str) -> None:
        self.sink.error(
            "duplicate-element",
            ref,
            f"มี '{element.label}' มากกว่าหนึ่งแถว เอกสารหนึ่งมีได้แถวเดียว",
            f"'{element.label}' is given more than once; a document has one",
        )

    # --- the document -------------------------------------------------------------------------
    def missing(self, code: str, role: str, label: str, th: str, en: str) -> None:
        cell = self.cells.get(role, "")
        if cell and any(f.cell == cell and f.severity is Severity.ERROR for f in self.sink.findings):
            return  # the cell has its message already (e.g. value-too-long)
        self.sink.error(code, cell, f"ไม่ได้กรอก '{label}' {th}".strip(), en)

    def signature(self) -> Signature:
        """The signer typed, or the executive; errors where neither is there."""
        org, signer, positions = self.org, self.singles.get("signer", ""), list(self.positions)
        if signer:
            if not positions and signer == org.executive and org.executive_position:
                positions = [org.executive_position]
            if not positions:
                self.sink.error(
                    "missing-signer-position",
                    self.position_cell or self.cells.get("signer", ""),
                    f"ไม่ได้กรอก 'ตำแหน่งผู้ลงนาม' ของ {signer}",
                    f"no position given for the signer {signer}",
                )
            return Signature(signer, tuple(positions))
        if self.kind is DocumentKind.MEMO:
            self.missing("missing-signer", "signer", "ผู้ลงนาม", "(ผู้เสนอบันทึก)", "the memo has no signer (ผู้ลงนาม)")
        elif org.executive:
            default = (org.executive_position,) if org.executive_position else ()
            return Signature(org.executive, tuple(positions) or default)
        else:
            self.missing(
                "missing-signer",
                "signer",
                "ผู้ลงนาม",
                "และแผ่นงานข้อมูลหน่วยงานไม่มีชื่อผู้บริหาร",
                "no signer (ผู้ลงนาม), and the organisation sheet names no executive",
            )
        return Signature("", tuple(positions))

    def comments(self) -> tuple[Comment, ...]:
        """The boxes; one without a signer is signed by hand, the last by the executive."""
        org, out = self.org, []
        for i, b in enumerate(self.boxes):
            if b.signer:
                positions = tuple(b.positions) or ((org.executive_position,) if b.signer == org.executive else ())
                if not positions:
                    self.sink.error(
                        "missing-signer-position",
                        b.signer_cell,
                        f"ไม่ได้กรอก 'ตำแหน่งผู้ลงนาม' ของ {b.signer} ในช่อง '{b.heading}'",
                        f"no position given for {b.signer} in the comment box '{b.heading}'",
                    )
                signature = Signature(b.signer, positions)
            elif i == len(self.boxes) - 1 and org.executive:
                signature = Signature(org.executive, tuple(b.positions) or (org.executive_position,))
            else:
                signature = Signature("", tuple(b.positions))
            out.append(Comment(b.heading, tuple(b.lines), tuple(b.choices), signature, b.date, b.cell))
        return tuple(out)

    def finish(self) -> Document | None:
        subject, number, to = (self.singles.get(k, "") for k in ("subject", "number", "to"))
        if not subject:
            self.missing("missing-subject", "subject", "เรื่อง", "ของเอกสาร", "the document has no subject (เรื่อง)")
        if self.kind is DocumentKind.ORDER and not number:
            self.sink.warn(
                "missing-number",
                self.cells.get("number", ""),
                "ไม่ได้กรอกเลขที่คำสั่ง เอกสารจะเว้นช่องไว้ให้เขียนเอง",
                "the order has no number (ที่); a blank is left to fill in by hand",
            )
        if self.date is None and not self.bad_date:
            self.sink.warn(
                "missing-date",
                self.cells.get("date", ""),
                "ไม่ได้กรอกวันที่ เอกสารจะเว้นช่องวันที่ไว้ให้เขียนเอง",
                "no date given; a blank is left to fill in by hand",
            )
        if self.kind is DocumentKind.MEMO and not to:
            self.missing("missing-to", "to", "เรียน", "(ผู้รับบันทึก)", "the memo has no addressee (เรียน)")
        if not any(b.role != "heading" for b in self.blocks):
            self.sink.error(
                "missing-body",
                "",
                "เอกสารไม่มีเนื้อความ (ย่อหน้า หรือ ข้อ) อย่างน้อยหนึ่งแถว",
                "the document has no body text (ย่อหน้า or ข้อ)",
            )
        signature = self.signature()
        comments = self.comments()
        if any(f.severity is Severity.ERROR for f in self.sink.findings):
            return None
        unit = self.singles.get("unit", "")
        return Document(
            self.kind,
            subject,
            tuple(self.blocks),
            signature,
            number=number,
            date=self.date,
            unit=unit_line(unit, self.org) if self.kind is DocumentKind.MEMO else unit,
            to=to,
            comments=comments,
            sheet=self.sheet,
            file=self.file,
        )


def read_document_sheet(
    sheet: RawSheet, org: Organisation, *, file: str = "", kind: DocumentKind | None = None
) -> tuple[Document | None, list[Finding]]:
    """Read one document sheet into a :class:`Document`, with findings at its cells.

    ``None`` (and no findings) for a sheet left blank; ``None`` with errors when the
    document cannot be made (no subject, a date that is not a date, …): see the codes in
    the catalogue (:mod:`compiler.findings`). ``kind`` defaults to what the sheet's name says.
    """
    kind = kind or document_kind(sheet.name)
    if kind is None:
        return None, [
            new_finding(
                "unknown-document",
                file=file,
                sheet=sheet.name,
                cell="",
                th=f"ไม่รู้จักชนิดเอกสารของแผ่นงาน '{sheet.name}' ชื่อแผ่นงานต้องขึ้นต้นด้วย ประกาศ คำสั่ง หรือ บันทึกข้อความ",
                en=f"sheet '{sheet.name}' is no known document; its name must start with ประกาศ, คำสั่ง or บันทึกข้อความ",
            )
        ]
    if sheet_is_blank(sheet):
        return None, []
    reader = _Reader(sheet, org, file, kind)
    for r, raw_kind, raw_text in _rows(sheet):
        reader.row(r, raw_kind, raw_text)
    return reader.finish(), reader.sink.findings


def document_sheets(raw: RawWorkbook) -> list[tuple[RawSheet, DocumentKind]]:
    """The workbook's document sheets in workbook order, each with its kind."""
    out = []
    for name in raw.sheet_names or tuple(raw.sheets):
        sheet = raw.sheets.get(name)
        kind = document_kind(name)
        if sheet is not None and kind is not None:
            out.append((sheet, kind))
    return out


def read_documents(raw: RawWorkbook, org: Organisation) -> tuple[list[Document], list[Finding]]:
    """Every filled document sheet of ``raw`` as a :class:`Document`, and the findings.

    Blank sheets (as ``init`` writes them) give nothing. A sheet with errors gives no
    document, only its findings; warnings (``missing-date``, ``name-corrected`` …) come with
    the document. ``org`` supplies the executive (default signer) and the names.
    """
    docs: list[Document] = []
    findings: list[Finding] = []
    for sheet, kind in document_sheets(raw):
        doc, found = read_document_sheet(sheet, org, file=raw.file, kind=kind)
        findings.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs, findings
