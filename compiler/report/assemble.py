"""The report's ``document.xml`` assembled from remembered pieces: its skeleton and its rows.

A report is a page or two of text around one long table, one row per measure. When a
department changes its workbook, only its rows change: everything else of the document (the
cover, the signature, styles, pictures, every other row) is what it was. So a build keeps
what it made, in this process and in the cache folder (:mod:`compiler.report.piecestore`):

- the **skeleton**: every part of the package but the body's rows, made by docxtpl and
  python-docx as before (:func:`compiler.report.render.render_report`), with the measures
  table's column widths left as slots; keyed by everything it is made from (the template's
  bytes, the report without its measures, the digits, the logo's bytes, this program and the
  libraries that write the document: :func:`compiler.docx.buildmemo.key`);
- each **row**: its finished XML (rendered, Thai line-break hints written, empty cells given
  a paragraph), its cells' widths left as slots, and what the column solver measures of its
  cells; keyed, within its skeleton, by what the row is made from (the measure, its number
  or position, the layout, the scores, the digits).

A build whose skeleton is known (:func:`build`) makes only its new rows: each rendered from
the template's row (:mod:`compiler.docx.rowloop`) with the same sandboxed Jinja environment,
its text cleaned as docxtpl cleans it and parsed inside an element that declares the
document's namespaces, then hinted and read as in a whole build. Neither docxtpl nor
python-docx is imported. The column widths are solved over every row
(:func:`compiler.docx.columns.solve_widths`), the last row kept with the signature when it is
short (:func:`compiler.docx.keeping.keep_table_with_next`'s rule), and the document's XML is
the skeleton's pieces with the widths and the rows put in.

A whole build takes its own document apart the same way and assembles it with the same
function, so both give the same bytes; ``tests/test_assemble.py`` also checks them against the
document as python-docx serialises it when nothing is taken apart. Only a template whose
rows can be taken apart is: one row loop rendered (:meth:`compiler.docx.rowloop.Loop.one_row`),
its rows the only rows of their table after its one header row, the table a plain grid
(every row one cell per column, no spans), a direct child of the body; the template's other
text not using ``measures``; no line-break listing in the text. Any other template is built
whole every time, as before.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from compiler.docx.columns import KEEP_ROW_LINES, Cell, _lines, measured, solve_measured, twips
from compiler.report.piecestore import Row, Skeleton, kept_rows, lookup, remember_rows, row_keys, skeleton_key

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W + "}"
#: The slots' token: new in each process, so no text can hold it.
_TOKEN = "ita" + secrets.token_hex(12)
_SLOT = re.compile(_TOKEN + r"(c\d+|t|r)")
_ROWS_SLOT = "r"
MAIN = "/word/document.xml"
#: Whether whole builds take their documents apart (tests turn it off to compare with a build
#: serialised by python-docx as it stands).
enabled = True

stats = {"assembled": 0, "rows_made": 0, "rows_kept": 0, "taken_apart": 0}


# --- rows ---------------------------------------------------------------------------------------
def _start_tag_declarations(xml: str, nsmap: tuple[tuple[str | None, str], ...]) -> str:
    """``xml`` (an element serialised alone) without the namespace declarations lxml wrote on
    its start tag for the namespaces its document declares (``nsmap``)."""
    end = xml.index(">")
    tag = xml[:end]
    for prefix, uri in nsmap:
        tag = tag.replace(f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"', "", 1)
    return tag + xml[end:]


def _plain_row(tr: Any, ncols: int) -> tuple[list[Any], list[Any]] | None:
    """``(its cells, their w:tcW)`` when ``tr`` has ``ncols`` cells, each with one ``w:tcPr``
    holding one ``w:tcW`` and no span (as :func:`compiler.docx.columns.set_widths` sets them
    one by one); else ``None``."""
    tcs = tr.findall(_W + "tc")
    if len(tcs) != ncols:
        return None
    tcws = []
    for tc in tcs:
        tcprs = tc.findall(_W + "tcPr")
        if len(tcprs) != 1:
            return None
        widths = tcprs[0].findall(_W + "tcW")
        if len(widths) != 1 or tcprs[0].find(_W + "gridSpan") is not None:
            return None
        tcws.append(widths[0])
    return tcs, tcws


def _slot_widths(tcws: list[Any]) -> None:
    """Each cell's ``w:tcW`` (of a :func:`_plain_row`) set to its column's slot (``dxa``, as
    :func:`compiler.docx.columns.set_widths` sets it)."""
    for j, tcw in enumerate(tcws):
        tcw.set(_W + "w", f"{_TOKEN}c{j}")
        tcw.set(_W + "type", "dxa")


def _row(tr: Any, nsmap: tuple[tuple[str | None, str], ...], ncols: int, size_pt: float) -> Row | None:
    """:class:`Row` of a finished ``w:tr`` element (its cells' widths set to slots), or ``None``
    (and ``tr`` unchanged) when it is not a :func:`_plain_row`."""
    from lxml import etree

    from compiler.docx.columns import _read_cell

    plain = _plain_row(tr, ncols)
    if plain is None:
        return None
    tcs, tcws = plain
    _slot_widths(tcws)
    xml = _start_tag_declarations(etree.tostring(tr, encoding="unicode", with_tail=False), nsmap)
    split = _SLOT.split(xml)
    pieces, slots = tuple(p.encode() for p in split[0::2]), tuple(int(s[1:]) for s in split[1::2])
    if slots != tuple(range(ncols)):  # the token is new in each process: no text holds it
        raise RuntimeError(f"a table row's width slots came out as {slots}")
    return Row(pieces, slots, tuple(measured(_read_cell(tc), size_pt) for tc in tcs))


def _keep_with_next(p: Any) -> None:
    """:func:`compiler.docx.keeping.keep_with_next` on a plain lxml ``w:p``, as python-docx
    does it: ``w:pPr`` before the first run or hyperlink (else last), ``w:keepNext`` after
    ``w:pStyle`` (else first)."""
    from lxml import etree

    ppr = p.find(_W + "pPr")
    if ppr is None:
        ppr = etree.Element(_W + "pPr")
        successor = next((c for c in p if c.tag in (_W + "r", _W + "hyperlink")), None)
        if successor is not None:
            successor.addprevious(ppr)
        else:
            p.append(ppr)
    if ppr.find(_W + "keepNext") is None:
        keep = etree.Element(_W + "keepNext")
        style = ppr.find(_W + "pStyle")
        if style is not None:
            style.addnext(keep)
        else:
            ppr.insert(0, keep)


def _wrapper(nsmap: tuple[tuple[str | None, str], ...]) -> tuple[str, str]:
    declarations = " ".join(f'xmlns:{p}="{u}"' if p else f'xmlns="{u}"' for p, u in nsmap)
    return f"<ita-rows {declarations}>", "</ita-rows>"


def _kept_with_next(xml: str, nsmap: tuple[tuple[str | None, str], ...]) -> str:
    """A finished row's XML with "keep with next" on every paragraph (the last row, kept with
    the signature)."""
    from lxml import etree

    start, end = _wrapper(nsmap)
    tr = etree.fromstring(start + xml + end)[0]
    for p in tr.iter(_W + "p"):
        _keep_with_next(p)
    return _start_tag_declarations(etree.tostring(tr, encoding="unicode", with_tail=False), nsmap)


def new_rows(skeleton: Skeleton, contexts: list[dict[str, Any]]) -> list[Row] | None:
    """The rows of these row variables (:func:`compiler.report.context.measure_context`),
    made as a whole build makes them; ``None`` when one cannot be (the build is then made
    whole)."""
    from lxml import etree

    from compiler.docx import linebreak
    from compiler.docx.columns import mend_empty_cells
    from compiler.docx.datatext import cleaned, has_listing, jinja_env, wrap_data

    env = jinja_env()
    template = env.from_string(skeleton.loop_body)
    uses = wrap_data(dict(skeleton.uses))
    texts = []
    for row in contexts:
        text = cleaned(template.render({**uses, skeleton.loop_name: row}))  # as docxtpl cleans a part
        if has_listing(text):
            return None
        texts.append(text)
    start, end = _wrapper(skeleton.nsmap)
    try:
        wrapper = etree.fromstring(start + "".join(texts) + end, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    trs = list(wrapper)
    if len(trs) != len(contexts) or wrapper.text or any(tr.tag != _W + "tr" or tr.tail for tr in trs):
        return None
    mend_empty_cells(wrapper)  # as a whole render does (compiler.docx.tables.ensure_cell_paragraphs)
    linebreak.apply(wrapper, skeleton.names)
    ncols = len(skeleton.header)
    rows = [_row(tr, skeleton.nsmap, ncols, skeleton.size_pt) for tr in trs]
    if any(r is None for r in rows):
        return None
    stats["rows_made"] += len(rows)
    return rows  # type: ignore[return-value]


# --- assembling ---------------------------------------------------------------------------------
def document_xml(skeleton: Skeleton, rows: list[Row]) -> bytes:
    """``document.xml`` of ``skeleton`` with ``rows``: the columns' widths solved, the last row
    kept with the signature when the skeleton's table is the body's last and the row short."""
    widths = solve_measured(
        skeleton.header,
        [row.measured for row in rows],
        skeleton.total_cm,
        size_pt=skeleton.size_pt,
        padding_cm=skeleton.padding_cm,
    )
    tw = [twips(w) for w in widths]
    texts = [str(t).encode() for t in tw]  # the pieces are UTF-8: joined, not encoded at each build
    out = []
    for row in rows:
        parts = [row.pieces[0]]
        for slot, piece in zip(row.slots, row.pieces[1:], strict=True):
            parts.append(texts[slot])
            parts.append(piece)
        out.append(b"".join(parts))
    if rows and skeleton.keep_last:
        last = rows[-1]
        tall = max(
            (
                _lines([m for m in known.widths], t / 567 - skeleton.padding_cm)
                for known, t in zip(last.measured, tw, strict=True)
            ),
            default=0.0,
        )
        if tall <= KEEP_ROW_LINES:
            out[-1] = _kept_with_next(out[-1].decode(), skeleton.nsmap).encode()
    filled = [skeleton.pieces[0]]
    for slot, piece in zip(skeleton.slots, skeleton.pieces[1:], strict=True):
        if slot == _ROWS_SLOT:
            filled.append(b"".join(out))
        elif slot == "t":
            filled.append(str(sum(tw)).encode())
        else:
            filled.append(texts[int(slot[1:])])
        filled.append(piece)
    stats["assembled"] += 1
    return b"".join(filled)


# --- taking a whole build apart -------------------------------------------------------------------
def mark() -> str:
    """The token a whole build marks its rows with (:func:`compiler.docx.rowloop.render`)."""
    return _TOKEN


def marked_table(body: Any) -> tuple[Any, list[Any], int] | None:
    """The body's table whose rows were marked: ``(w:tbl, its marked w:tr, the loop's number)``,
    or ``None`` when no rows were marked or they are not, in order, every row of a direct
    child table of the body after its one header row. The marks are removed either way."""
    from lxml import etree

    marks = [c for c in body.iter(etree.Comment) if (c.text or "").split(" ")[1:2] == [_TOKEN]]
    if not marks:
        return None
    starts = [c for c in marks if c.text.startswith("ita-row ")]
    ends = [c for c in marks if c.text.startswith("ita-rows-end ")]
    rows = [c.getnext() for c in starts]
    tbl = marks[0].getparent()
    loops = {c.text.split(" ")[-1] for c in marks}
    fits = (
        len(ends) == 1
        and len(loops) == 1
        and all(c.getparent() is tbl and not (c.tail or "").strip() for c in marks)
        and tbl.tag == _W + "tbl"
        and tbl.getparent() is body
        and all(r is not None and r.tag == _W + "tr" for r in rows)
        and tbl.findall(_W + "tr")[1:] == rows
    )
    for c in marks:
        _remove_keeping_tail(c)
    return (tbl, rows, int(loops.pop())) if fits else None


def _outer_uses_measures(outer: str) -> bool:
    """True when the body's text outside its row loops uses the variable ``measures``."""
    import jinja2
    import jinja2.meta

    from compiler.docx.datatext import jinja_env

    try:
        return "measures" in jinja2.meta.find_undeclared_variables(jinja_env().parse(outer))
    except jinja2.TemplateSyntaxError:
        return True


def _other_parts_name_measures(template: Path) -> bool:
    """True when a part of ``template`` other than its body names ``measures`` (a header, a
    footer, the document's properties: docxtpl renders them all), or it cannot be read."""
    import zipfile

    try:
        with zipfile.ZipFile(template) as z:
            return any(
                b"measures" in z.read(info)
                for info in z.infolist()
                if info.filename != "word/document.xml" and info.file_size < 50_000_000
            )
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return True


def _plain_value(value: Any) -> Any:
    """A plain ``str``, ``int``, ``float``, ``bool`` or ``None`` of the same value (kept with marshal)."""
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def _remove_keeping_tail(node: Any) -> None:
    previous, parent = node.getprevious(), node.getparent()
    if node.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def take_apart(
    document: Any,
    tbl: Any,
    trs: list[Any],
    *,
    cut: Any,
    loop: int,
    template: Path,
    context: dict[str, Any],
    names: list[str],
    total_cm: float,
    size_pt: float,
    keep_last: bool,
    shows_also: bool,
) -> tuple[Skeleton, list[Row]] | None:
    """The skeleton and rows of a whole build's finished ``document`` (python-docx), whose
    table ``tbl`` holds the marked rows ``trs`` rendered by loop number ``loop`` of ``cut``
    (:class:`compiler.docx.rowloop.Cut`) from ``template``; ``None`` when the table or a row
    is not a plain grid or the rest of the template uses ``measures`` (see the module
    docstring). Removes the rows from ``document``."""
    from lxml import etree

    from compiler.docx.columns import _cell, table_padding_cm
    from compiler.docx.rowloop import _plain

    root = document.element
    uses = cut.loops[loop].uses
    if tbl.nsmap != root.nsmap or not all(n in context and _plain(context[n]) for n in uses):
        return None
    if _outer_uses_measures(cut.outer) or _other_parts_name_measures(template):
        return None  # the rest of the document may depend on the rows
    nsmap = tuple(sorted(root.nsmap.items(), key=lambda kv: (kv[0] or "", kv[1])))
    grid = tbl.find(_W + "tblGrid")
    header_tr = tbl.find(_W + "tr")
    if grid is None or header_tr is None:
        return None
    cols = grid.findall(_W + "gridCol")
    ncols = len(cols)
    header_tcs = header_tr.findall(_W + "tc")
    if ncols == 0 or len(header_tcs) != ncols:
        return None
    header_plain = _plain_row(header_tr, ncols)
    if header_plain is None or any(_plain_row(tr, ncols) is None for tr in trs):
        return None
    # nothing is changed before here: a table not taken apart is sized as before
    header = tuple(Cell(tuple((t, True) for t, _ in _cell(tc).paragraphs)) for tc in header_tcs)
    rows = [_row(tr, nsmap, ncols, size_pt) for tr in trs]
    _slot_widths(header_plain[1])
    padding = table_padding_cm(tbl)
    for j, col in enumerate(cols):
        col.set(_W + "w", f"{_TOKEN}c{j}")
    tblpr = tbl.find(_W + "tblPr")
    tblw = tblpr.find(_W + "tblW") if tblpr is not None else None
    if tblw is not None:
        tblw.set(_W + "w", f"{_TOKEN}t")
        tblw.set(_W + "type", "dxa")
    for tr in trs:
        tbl.remove(tr)
    header_tr.addnext(etree.Comment(f"{_TOKEN}{_ROWS_SLOT}"))
    xml = etree.tostring(root, encoding="UTF-8", standalone=True).decode("utf-8")
    xml = xml.replace(f"<!--{_TOKEN}{_ROWS_SLOT}-->", f"{_TOKEN}{_ROWS_SLOT}")
    split = _SLOT.split(xml)
    pieces, slots = tuple(p.encode() for p in split[0::2]), tuple(split[1::2])
    if slots.count(_ROWS_SLOT) != 1:  # the token is new in each process: no text holds it
        raise RuntimeError(f"a report's skeleton came out with slots {slots}")
    skeleton = Skeleton(
        pieces=pieces,
        slots=slots,
        parts=(),
        core=b"",
        nsmap=nsmap,
        header=header,
        total_cm=total_cm,
        size_pt=size_pt,
        padding_cm=padding,
        keep_last=keep_last,
        loop_name=cut.loops[loop].name,
        loop_body=cut.loops[loop].body,
        uses=tuple((n, _plain_value(context[n])) for n in uses),
        names=tuple(names),
        shows_also=shows_also,
    )
    stats["taken_apart"] += 1
    return skeleton, rows  # type: ignore[return-value]


# --- a build ---------------------------------------------------------------------------------------
def build(
    report: Any, output: Path, *, template: Path, digits: str, force: bool
) -> tuple[tuple[Path, list[tuple[str, str, bytes, int, int]]], bool] | None:
    """Write ``report`` at ``output`` assembled from its remembered skeleton and rows;
    ``((output, the parts as written), whether the template prints m.also)``, or ``None``
    when its skeleton is not known or a row cannot be made this way (the caller then builds
    it whole)."""
    from compiler import safeio
    from compiler.report.merge import LAYOUTS

    if report.layout not in LAYOUTS or digits not in ("thai", "arabic"):
        return None  # the whole build says what is wrong
    key = skeleton_key(template, report, digits)
    skeleton = None if key is None else lookup(key)
    if skeleton is None:
        return None
    assert key is not None
    safeio.check_target(output, force=force)  # fail before the work, not after
    keys = row_keys(report, digits)
    found = kept_rows(key, keys)
    missing = [i for i, row in enumerate(found) if row is None]
    if missing:
        from compiler.report.context import measure_context

        contexts = [measure_context(report.measures[i], i + 1, report, digits) for i in missing]
        rows = new_rows(skeleton, contexts)
        if rows is None:
            return None
        for i, row in zip(missing, rows, strict=True):
            found[i] = row
    stats["rows_kept"] += len(keys) - len(missing)
    rows_now: list[Row] = found  # type: ignore[assignment]  (every one found or made)
    xml = document_xml(skeleton, rows_now)
    remember_rows(key, dict(zip(keys, rows_now, strict=True)), new=bool(missing))
    return write(skeleton, xml, output, force=force), skeleton.shows_also


def write(
    skeleton: Skeleton, xml: bytes, output: Path, *, force: bool
) -> tuple[Path, list[tuple[str, str, bytes, int, int]]]:
    """Write the package of ``skeleton`` with ``xml`` as its ``document.xml``, dated now."""
    import zlib

    from compiler.docx import buildmemo, docxzip
    from compiler.docx.clock import build_time
    from compiler.safeio import atomic_write
    from compiler.zipout import ZipOut

    core = buildmemo.redated(skeleton.core, build_time().strftime("%Y-%m-%dT%H:%M:%SZ"))
    written: list[tuple[str, str, bytes, int, int]] = []

    def out(stream: Any) -> None:
        when = docxzip.zip_date_time()
        archive = ZipOut(stream)
        for partname, member, data, crc, size in skeleton.parts:
            if partname == "/word/document.xml":
                data, crc, size = docxzip.compressed(xml, partname), zlib.crc32(xml), len(xml)
            elif partname == buildmemo.CORE and core is not None:
                data, crc, size = docxzip.compressed(core, partname), zlib.crc32(core), len(core)
            archive.add_deflated(member, data, crc, size, when)
            written.append((partname, member, data, crc, size))
        archive.close()

    return atomic_write(output, out, force=force), written
