"""Nothing a clerk types can crash the compiler or corrupt a document (hypothesis).

Two properties over the whole pipeline, run through the CLI exactly as a user runs it
(``check`` → ``check --annotate`` → ``build`` → ``announce``):

- **any workbook** (``test_any_workbook_never_crashes``): sheets present, missing or misnamed,
  rows of any type (text with every hostile character, numbers, dates, booleans, formulas
  with and without a cached value, ``#REF!``-style errors), shuffled and duplicated headers,
  merged ranges anywhere, document sheets of any content. Each command ends with exit 0 or 1
  and its findings, never a traceback; every document written opens in python-docx, every
  annotated copy in openpyxl; the inputs are byte-identical afterwards.
- **a valid workbook full of hostile text** (``test_every_cell_reaches_the_documents``): one
  or two departments' workbooks that follow the standard but whose every cell holds hostile
  text (Thai marks out of order, emoji, right-to-left text, ``< > & " '``, ``]]>``, Jinja
  ``{{ }}`` ``{% %}`` ``{# #}``, characters XML forbids, 32,767-character cells, blanks),
  shuffled and duplicated headers, merged multi-row measures, a ประกาศ sheet. The report and
  the announcements are written, and every cell's text is in them literally — compared
  after the clean-ups the standard promises (whitespace, characters XML forbids, zero-width
  characters, Thai mark order, digits: ``--digits arabic``, a typed item number the
  announcement replaces by its own), or, for a measure two departments number alike, named
  in the warning that says which version was kept.

The ``ci`` profile (the default, see ``conftest.py``) runs 30 examples per property;
``pytest --hypothesis-profile=long`` runs 1,000. Regressions the properties found are at
the end of this file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
import realreader
from click.testing import CliRunner, Result
from docx.oxml.ns import qn
from hypothesis import event, given, note
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from wbfactory import HEADERS, INFO, MEASURES, make_workbook
from xlsxraw import ExcelError, Formula, write_xlsx

from compiler import api, thai
from compiler.cli import main
from compiler.documents.spec import ELEMENTS, HEADER_ELEMENT, HEADER_HINT, HEADER_TEXT
from compiler.workbook import standard
from compiler.workbook.measures import indicator_codes

# --- what a clerk may type ----------------------------------------------------------------------
HOSTILE = (
    "<", ">", "&", '"', "'", "]]>", "<![CDATA[", "<w:t>", "</w:p>", "&amp;", "&#0;", "&lt;", "<!--",
    "{{", "}}", "{%", "%}", "{#", "#}", "{{ organisation }}", "{% for m in measures %}", "{%tr endfor %}",
    "{%p if layout %}", "{{r x }}", "{_{", "}_}", "{_%", "%_}", "${x}", "%s", "{0}", "\\", "\\n", "/", "..",
    "ดําเนินการ", "ก\u0e48\u0e34", "น\u0e49\u0e4d\u0e32", "\u0e48\u0e48", "เเ", "กิิ", "\u0e48", "ๆ", "ฯลฯ", "ๅ",
    "😀", "👨\u200d👩\u200d👧", "🇹🇭", "שלום", "مرحبا", "\u202e", "\u200f", "\u202a",
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1f", "\x7f",
    "\t", "\n", "\r\n", "\r", " ", "  ", "\u00a0", "\u200b", "\u2028", "\u3000", "\u0085", "\ufeff",
    "_x0041_", "_x000D_", "=", "+", "-", "@", "#REF!", "#N/A", "*", ":", "：",
    "๑๒๓", "2565", "1.", "(๑)", "๑.๑", "0", "1e5", "12,500", "-5",
    "http://www.a.go.th/2565", "a@b.go.th", "i4", "(e5)", "ISO9001",
    "(ตัวอย่าง)", "มาตรการ", "ผลการดำเนินการ", "ลำดับ", "ข้อมูลหน่วยงาน", "เทศบาลตำบล",
)  # fmt: skip
_CHARS = st.characters(blacklist_categories=("Cs",))  # any code point a file can hold
_ATOM = st.one_of(st.sampled_from(HOSTILE), st.text(_CHARS, min_size=1, max_size=5))
TEXT = st.lists(_ATOM, max_size=7).map("".join)
#: Excel's largest cell.
LONGEST = 32_767
#: Text that stays visible after every clean-up (a required cell that is filled in).
_VISIBLE = st.sampled_from(["<", "&", "{{", "%}", "]]>", "ก", "A", "😀", "ש", "{#", "'", '"', "ข้อ", "/"])
FILLED = st.tuples(TEXT, _VISIBLE, TEXT).map("".join)


def _long(lengths: list[int], text: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[str]:
    """``text`` repeated to one of ``lengths`` characters."""
    return st.tuples(text.filter(bool), st.sampled_from(lengths)).map(
        lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
    )


#: Long text: past a paragraph (2,000 characters), past the very-long-text warning (5,000),
#: Excel's largest cell. In the valid workbooks of property 2, whose every cell reaches the
#: documents, at most 6,000: one 32,767-character cell is a hundred pages for LibreOffice in
#: every example (seconds each); test_hostile builds and converts those once.
LONG_TEXT = _long([300, 2_500, 6_000, LONGEST])
#: ... and repeated from the hostile list without its emoji: random code points (mostly ones
#: no font has) and emoji (no emoji font on the CI machine) stay in the short cells.
#: LibreOffice takes more than linear time on a long line of characters no installed font
#: draws, or of scripts changing inside one word: from this test's documents, one
#: 2,935-character cell of such text took 9.5 s, the same cell as 2,900 "x" 1.6 s, as 2,900
#: U+0378 over 60 s; a report with a 2,000-character cell of "=👨👩👧" 7.2 s, 1.1 s with "x"
#: for the emoji. This one test was a third of the suite's time (bench/bench_lo_text.py).
_DRAWN = [atom for atom in HOSTILE if all(ord(ch) < 0x10000 for ch in atom)]
LONG_TEXT_IN_DOCUMENTS = _long([300, 2_500, 6_000], st.lists(st.sampled_from(_DRAWN), max_size=7).map("".join))
ANY_TEXT = st.one_of(TEXT, TEXT, TEXT, TEXT, TEXT, FILLED, FILLED, LONG_TEXT)
TEXT_IN_DOCUMENTS = st.one_of(TEXT, TEXT, TEXT, TEXT, TEXT, FILLED, FILLED, LONG_TEXT_IN_DOCUMENTS)

_ERRORS = ("#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
ANY_VALUE = st.one_of(
    st.none(),
    ANY_TEXT,
    ANY_TEXT,
    st.integers(-(10**15), 10**15),
    _FLOATS,
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
    st.builds(Formula, TEXT, st.one_of(st.none(), TEXT, _FLOATS)),
    st.sampled_from(_ERRORS).map(ExcelError),
)


def _spaced(draw: st.DrawFn, label: str) -> str:
    """A header or label as people type it: extra spaces, a line break, a star."""
    kind = draw(st.sampled_from(["plain", "plain", "spaces", "break", "star"]))
    if kind == "spaces":
        return f"  {label} "
    if kind == "break" and len(label) > 2:
        cut = draw(st.integers(1, len(label) - 1))
        return f"{label[:cut]}\n{label[cut:]}"
    if kind == "star":
        return f"{label} *"
    return label


def _header(draw: st.DrawFn, f: standard.Field) -> str:
    return _spaced(draw, draw(st.sampled_from((f.label, *f.aliases))))


def _merges(draw: st.DrawFn, rows: int, cols: int, count: int) -> list[tuple[int, int, int, int]]:
    """Non-overlapping rectangles (top, left, bottom, right) inside rows × cols."""
    out: list[tuple[int, int, int, int]] = []
    for _ in range(count):
        top, left = draw(st.integers(1, rows)), draw(st.integers(1, cols))
        bottom, right = draw(st.integers(top, rows)), draw(st.integers(left, cols))
        if all(bottom < t or top > b or right < lf or left > rt for t, lf, b, rt in out):
            out.append((top, left, bottom, right))
    return out


def _a1(r: tuple[int, int, int, int]) -> str:
    top, left, bottom, right = r
    return f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"


def _clear_covered(rows: list[list[object]], merges: list[tuple[int, int, int, int]]) -> None:
    """What Excel does when cells are merged: only the top-left cell keeps its value."""
    for top, left, bottom, right in merges:
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left) and r <= len(rows) and c <= len(rows[r - 1]):
                    rows[r - 1][c - 1] = None


# --- running the pipeline -------------------------------------------------------------------------
def _run(args: list[str]) -> Result:
    """Run the CLI in-process and demand a clean ending: exit 0 or 1, no traceback."""
    result = CliRunner().invoke(main, args)
    note(f"$ ita-report {' '.join(args)}\n→ exit {result.exit_code}\n{result.output[-3000:]}")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1), result.output[-3000:]
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _document_text(path: Path) -> str:
    """Every piece of text python-docx sees in the body of ``path`` (which must open)."""
    document = docx.Document(str(path))
    return "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


@dataclass
class Outcome:
    findings: list[dict]  # check --format json
    output: str  # build's and announce's output (merge warnings are only printed there)
    report: Path | None
    announcements: list[Path]


def _pipeline(inputs: Path, out: Path, layout: str | None = None) -> Outcome:
    """check, check --annotate, build, announce; every file written must open again."""
    before = _snapshot(inputs)
    findings = json.loads(_run(["check", str(inputs), "--format", "json"]).output)["findings"]
    _run(["check", str(inputs), "--annotate", str(out / "annotated")])
    for copy in sorted((out / "annotated").glob("*")):
        load_workbook(copy).close()
    report = out / "report.docx"
    args = ["build", str(inputs), "-o", str(report), "--digits", "arabic"]
    built = _run([*args, "--layout", layout] if layout else args)
    announced = _run(["announce", str(inputs), "-o", str(out / "documents"), "--digits", "arabic"])
    documents = sorted((out / "documents").glob("*.docx")) if announced.exit_code == 0 else []
    assert built.exit_code == announced.exit_code, (built.output, announced.output)
    written = ([report] if built.exit_code == 0 else []) + documents
    for document in written:
        _document_text(document)
    unread = realreader.convert_now(written)  # LibreOffice opens each, here, so a failure shrinks
    assert not unread, unread
    assert _snapshot(inputs) == before, "an input file changed"
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert not leftovers, leftovers
    event(f"build exit {built.exit_code}, {len(documents)} announcement(s)")
    return Outcome(findings, built.output + announced.output, report if built.exit_code == 0 else None, documents)


# --- property 1: any workbook -------------------------------------------------------------------
_SHEET_NAMES = st.one_of(
    st.sampled_from([*standard.KNOWN_SHEETS, " มาตรการ ", "มาตร การ", "ข้อมูล หน่วยงาน", "Sheet1", "ประกาศ 2"]),
    st.tuples(st.sampled_from(standard.DOCUMENT_SHEETS), TEXT).map("".join),
    TEXT.filter(lambda s: 0 < len(s) <= 31),
)
_ELEMENT_LABELS = st.sampled_from([name for e in ELEMENTS for name in (e.label, *e.aliases)])


@st.composite
def label_of(draw: st.DrawFn, fields: tuple[standard.Field, ...]) -> str:
    return _header(draw, draw(st.sampled_from(fields)))


@st.composite
def any_sheet(draw: st.DrawFn, name: str) -> tuple[list[list[object]], list[str]]:
    if name == standard.SHEET_INFO:
        labels = label_of(standard.INFO_FIELDS)
        rows = [
            [draw(labels), *draw(st.lists(ANY_VALUE, min_size=1, max_size=3))] for _ in range(draw(st.integers(0, 12)))
        ]
    elif name.strip().startswith(standard.DOCUMENT_SHEETS):
        header = draw(st.permutations([HEADER_ELEMENT, HEADER_TEXT, HEADER_HINT]))
        body = [
            [draw(st.one_of(_ELEMENT_LABELS, ANY_VALUE)), draw(ANY_VALUE), draw(ANY_VALUE)]
            for _ in range(draw(st.integers(0, 10)))
        ]
        rows = [list(header), *body]
    else:
        labels = label_of(standard.MEASURE_COLUMNS)
        header = draw(st.lists(st.one_of(labels, labels, ANY_VALUE), max_size=12))
        body = draw(st.lists(st.lists(ANY_VALUE, max_size=12), max_size=8))
        title = draw(st.lists(st.lists(ANY_VALUE, max_size=3), max_size=2))
        rows = [list(r) for r in (*title, header, *body)]
    width = max((len(r) for r in rows), default=1) + 2
    merges = _merges(draw, len(rows) + 2, width, draw(st.integers(0, 4)))
    if draw(st.booleans()):
        _clear_covered(rows, merges)  # as Excel stores it; otherwise hidden values stay behind
    return rows, [_a1(m) for m in merges]


@st.composite
def any_workbook(draw: st.DrawFn) -> tuple[list[tuple[str, list[list[object]]]], dict[str, list[str]]]:
    names = draw(st.lists(_SHEET_NAMES, min_size=1, max_size=4, unique_by=lambda s: s.strip().lower()))
    if draw(st.booleans()):
        names = [standard.SHEET_INFO, standard.SHEET_MEASURES, *names]
    sheets, merges = [], {}
    for name in dict.fromkeys(names):
        rows, ranges = draw(any_sheet(name))
        sheets.append((name, rows))
        merges[name] = ranges
    return sheets, merges


@st.composite
def mutated_workbook(draw: st.DrawFn) -> tuple[list[tuple[str, list[list[object]]]], dict[str, list[str]]]:
    """A filled standard workbook, then a few edits anywhere: a cell of any value, headers
    swapped or repeated, a row dropped, ranges merged (most of these still build)."""
    info = [[label, value] for label, value in _STANDARD_INFO]
    table = [list(HEADERS), *(list(r) for r in MEASURES), [3, "มาตรการที่สาม", "ว", "กองคลัง", "", "ผล", ""]]
    sheets = {standard.SHEET_INFO: info, standard.SHEET_MEASURES: table}
    merges: dict[str, list[str]] = {name: [] for name in sheets}
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(list(sheets)))
        rows = sheets[name]
        kind = draw(st.sampled_from(["cell", "cell", "cell", "swap", "repeat", "drop", "merge"]))
        if kind == "cell":
            r, c = draw(st.integers(1, len(rows) + 1)), draw(st.integers(1, 9))
            while len(rows) < r:
                rows.append([])
            rows[r - 1].extend([None] * (c - len(rows[r - 1])))
            rows[r - 1][c - 1] = draw(ANY_VALUE)
        elif kind == "swap" and len(rows[0]) > 1:
            i, j = draw(st.integers(0, len(rows[0]) - 1)), draw(st.integers(0, len(rows[0]) - 1))
            rows[0][i], rows[0][j] = rows[0][j], rows[0][i]
        elif kind == "repeat":
            rows[0].append(draw(st.sampled_from(rows[0])))
        elif kind == "drop" and len(rows) > 1:
            del rows[draw(st.integers(1, len(rows) - 1))]
        elif kind == "merge":
            ranges = _merges(draw, len(rows) + 1, 9, 1)
            merges[name] = [m for m in merges[name] if m not in map(_a1, ranges)] + [_a1(m) for m in ranges]
            _clear_covered(rows, ranges)
    # ranges added one by one may overlap, as in a crafted file
    return list(sheets.items()), merges


_STANDARD_INFO = [
    ("รุ่นแบบฟอร์ม", standard.STANDARD_VERSION),
    *((next(f.label for f in standard.INFO_FIELDS if f.key == k), v) for k, v in INFO.items()),
]


@given(
    books=st.lists(st.one_of(any_workbook(), mutated_workbook()), min_size=1, max_size=2),
    layout=st.sampled_from([None, "measures", "numbered", "indicators"]),
)
def test_any_workbook_never_crashes(tmp_path_factory: pytest.TempPathFactory, books, layout) -> None:
    tmp = tmp_path_factory.mktemp("any")
    for i, (sheets, merges) in enumerate(books):
        write_xlsx(tmp / "in" / f"dept{i}.xlsx", sheets, merges=merges)
    _pipeline(tmp / "in", tmp / "out", layout)


# --- property 2: a valid workbook full of hostile text ------------------------------------------------
#: Which columns each layout's table shows (see templates_build.LAYOUTS); the others are
#: printed under the measure's title (``m.also``), so every column reaches the report.
SHOWN = {
    "measures": ("title", "method", "responsible", "period", "result", "suggestion"),
    "numbered": ("title", "method", "period", "responsible", "result", "outcome"),
    "indicators": ("indicator", "title", "method", "result", "outcome", "responsible"),
}
_BY_KEY = {f.key: f for f in standard.MEASURE_COLUMNS}
_OPTIONAL = ("number", "indicator", "method", "period", "outcome", "suggestion", "budget")


@dataclass
class Expected:
    """A cell's text that must reach a document, and where it came from (for the message)."""

    where: str
    text: str
    #: Where it must appear: the report and/or the announcements.
    report: bool = True
    announcement: bool = False
    #: Finding codes that excuse its absence (another department's version was kept, and said so).
    excused_by: tuple[str, ...] = ()


@dataclass
class Book:
    name: str
    sheets: list[tuple[str, list[list[object]]]] = field(default_factory=list)
    merges: dict[str, list[str]] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)


def _not_example(title: str) -> bool:
    """A title starting with "(ตัวอย่าง)" marks the form's example row, which is ignored by design."""
    return not thai.clean_text(title).startswith(standard.EXAMPLE_MARK)


def _info_rows(draw: st.DrawFn, info: dict[str, object]) -> tuple[list[list[object]], list[str]]:
    """The ข้อมูลหน่วยงาน sheet; some labels merged over two columns (the value right of them)."""
    rows: list[list[object]] = []
    merges: list[str] = []
    for key in draw(st.permutations(list(info))):
        f = next(f for f in standard.INFO_FIELDS if f.key == key)
        label = _header(draw, f)
        r = len(rows) + 1
        if draw(st.integers(0, 3)) == 0:
            rows.append([label, None, info[key]])
            merges.append(f"A{r}:B{r}")
        else:
            rows.append([label, info[key]])
    return rows, merges


@st.composite
def announcement_sheet(draw: st.DrawFn, book: Book) -> list[list[object]]:
    """A ประกาศ sheet that follows the standard, every text hostile."""
    rows: list[list[object]] = [[HEADER_ELEMENT, HEADER_TEXT]]
    elements = [("เรื่อง", draw(FILLED)), ("วันที่", draw(st.sampled_from([dt.date(2022, 3, 21), "21 มีนาคม 2565", None])))]
    elements += [
        (draw(st.sampled_from(["ย่อหน้า", "ข้อ", "ข้อย่อย", "หัวข้อ"])), draw(FILLED)) for _ in range(draw(st.integers(1, 4)))
    ]
    elements += [("ท้ายเรื่อง", draw(FILLED))]
    for label, value in elements:
        rows.append([label, value])
        if isinstance(value, str) and label != "วันที่":
            book.expected.append(Expected(f"{book.name} ประกาศ!B{len(rows)}", value, report=False, announcement=True))
    return rows


#: The warnings that say which of two departments' versions of a measure's field was kept.
_EXCUSES = {"title": ("title-mismatch",), "indicator": ("indicator-mismatch",), "method": ("method-mismatch",)}


@st.composite
def hostile_books(draw: st.DrawFn, layout: str) -> list[Book]:
    year = draw(st.sampled_from([2565, 2565.0, "2565", "๒๕๖๕", " พ.ศ. ๒๕๖๕ ", 2022]))
    common: dict[str, object] = {
        "version": standard.STANDARD_VERSION,
        "organisation": draw(FILLED),
        "district": draw(FILLED),
        "province": draw(FILLED),
        "fiscal_year": year,
        "executive": draw(FILLED),
        "executive_position": draw(FILLED),
    }
    if draw(st.booleans()):
        common["score"] = draw(st.sampled_from([93.05, "๙๓.๐๕", 100, 0, "85 คะแนน"]))
    books: list[Book] = []
    earlier: set[int] = set()  # numbers used by earlier books: the same measure, another department
    titles: set[str] = set()  # titles of unnumbered measures so far
    for b in range(draw(st.integers(1, 2))):
        info = {**common, "department": draw(FILLED)}
        info_rows, info_merges = _info_rows(draw, info)
        book = Book(f"dept{b}.xlsx")
        for key in ("organisation", "executive", "executive_position"):
            book.expected.append(Expected(f"{book.name} {key}", str(info[key]), announcement=True))
        for key, prefix in (("district", r"^\s*(?:อำเภอ|อ\.)\s*"), ("province", r"^\s*(?:จังหวัด|จ\.)\s*")):
            book.expected.append(Expected(f"{book.name} {key}", re.sub(prefix, "", str(info[key]))))
        keys = draw(
            st.permutations(
                ["title", "responsible", "result", *draw(st.lists(st.sampled_from(_OPTIONAL), unique=True))]
            )
        )
        headers: list[tuple[str, str | None]] = [(_header(draw, _BY_KEY[k]), k) for k in keys]
        duplicate = draw(st.one_of(st.none(), st.sampled_from(keys)))
        if duplicate is not None:  # a second column with the same header: warned about, not used
            headers.insert(draw(st.integers(len(keys), len(headers))), (_header(draw, _BY_KEY[duplicate]), None))
        for extra in draw(st.lists(st.sampled_from(["หมายเลขโทรศัพท์", "Note", ""]), max_size=2)):
            headers.insert(draw(st.integers(0, len(headers))), (extra, None))
        rows: list[list[object]] = [
            [draw(TEXT.filter(lambda s: "\n" not in s))] for _ in range(draw(st.integers(0, 2)))
        ]
        rows.append([h for h, _ in headers])
        merges: list[tuple[int, int, int, int]] = []
        col = {k: i for i, (_, k) in enumerate(headers) if k is not None}
        count = draw(st.integers(1, 3))
        numbers = draw(st.lists(st.integers(1, 5), min_size=count, max_size=count, unique=True))
        for number in numbers:
            start = len(rows) + 1
            height = draw(st.integers(1, 3))
            for line in range(height):
                row: list[object] = [draw(st.one_of(st.none(), TEXT)) if k is None else None for _, k in headers]
                for key, c in col.items():
                    if key == "number":
                        shown_as = [number, str(number), f"๐{number}", f"{number}.", thai.to_thai_digits(str(number))]
                        row[c] = draw(st.sampled_from(shown_as)) if line == 0 else None
                    elif key == "title":
                        row[c] = draw(FILLED.filter(_not_example)) if line == 0 else None
                    elif key in ("responsible", "result") and line == 0:
                        row[c] = draw(FILLED)
                    elif key == "budget":
                        row[c] = draw(
                            st.one_of(st.none(), st.integers(0, 10**7), st.sampled_from(["-", "ไม่ใช้งบประมาณ"]))
                        )
                    else:
                        row[c] = draw(st.one_of(st.none(), TEXT_IN_DOCUMENTS))
                rows.append(row)
            end = start + height - 1
            for key in ("number", "title"):
                if key in col and height > 1 and draw(st.booleans()):
                    merges.append((start, col[key] + 1, end, col[key] + 1))
            others = [c + 1 for k, c in col.items() if k not in ("number", "title")]
            if others and height > 1 and draw(st.booleans()):
                c = draw(st.sampled_from(others))
                if not any(m[1] <= c <= m[3] and m[0] <= end and m[2] >= start for m in merges):
                    merges.append((start, c, end, c))
            _clear_covered(rows, merges)
            # the same measure given twice: another department's of that number, or, with no
            # number column, one of the same title (in any book): merged, which version is
            # kept is said in a warning
            title_key = thai.header_key(thai.clean_text(rows[start - 1][col["title"]]))
            shared = number in earlier if "number" in col else title_key in titles
            titles.add(title_key)
            for r in range(start, end + 1):
                for key, c in col.items():
                    value = rows[r - 1][c]
                    if not isinstance(value, str) or key in ("number", "budget"):
                        continue
                    if key == "indicator" and indicator_codes(value):
                        continue  # the codes become score lines, by design
                    excused = _EXCUSES.get(key, ()) if shared else ()
                    book.expected.append(
                        Expected(
                            f"{book.name} มาตรการ!{get_column_letter(c + 1)}{r}",
                            value,
                            report=True,  # in its own column, or under the title (m.also)
                            announcement=key in ("title", "method"),
                            excused_by=excused,
                        )
                    )
        book.sheets = [(standard.SHEET_INFO, info_rows), (standard.SHEET_MEASURES, rows)]
        book.merges = {standard.SHEET_INFO: info_merges, standard.SHEET_MEASURES: [_a1(m) for m in merges]}
        if draw(st.booleans()):
            book.sheets.append((standard.SHEET_ANNOUNCEMENT, draw(announcement_sheet(book))))
        books.append(book)
        if "number" in col:
            earlier.update(numbers)
    return books


# Text the standard promises to clean: whitespace; forbidden, zero-width, private-use and bidi-override characters; Thai
# mark order (pythainlp), digits. Everything else must come out as typed.
_DROP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_REPEATED_VOWEL = re.compile("([\u0e30\u0e32\u0e40\u0e42\u0e43\u0e44])\\1+")
_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_LINE_BREAKS = re.compile("\r\n|\r|\n|\u2028|\x85")
# The announcement numbers measures and methods itself, replacing a number typed in front.
_TYPED_NUMBER = re.compile(r"^\s*(?:\(?[0-9๐-๙]{1,3}(?:\.[0-9๐-๙]{1,3})*[.)]|[-–•·*])\s*")


def canon(text: str) -> str:
    """``text`` compared loosely, exactly as loosely as the standard's clean-up allows."""
    text = _DROP.sub("", text).translate(_DIGITS)
    text = text.replace("\u0e33", "\u0e32").replace("\u0e45", "\u0e32").replace("\u0e41", "\u0e40")
    text = "".join(ch for ch in _THAI_MARKS.sub("", text) if not ch.isspace())
    return _REPEATED_VOWEL.sub(r"\1", text)


def _missing(expected: list[Expected], report: str, announcements: str, codes: set[str]) -> list[tuple[str, str, str]]:
    """(cell, document, line) for each line of an expected cell that is not where it must be."""
    missing = []
    for want in expected:
        if set(want.excused_by) & codes:
            continue
        for line in _LINE_BREAKS.split(want.text):
            plain = _DROP.sub("", line).strip()
            if want.report and canon(line) and canon(line) not in report:
                missing.append((want.where, "report", line[:80]))
            bare = _TYPED_NUMBER.sub("", plain, count=1) or plain
            if want.announcement and canon(bare) and canon(bare) not in announcements:
                missing.append((want.where, "announcement", line[:80]))
    return missing


@given(data=st.data(), layout=st.sampled_from(list(SHOWN)))
def test_every_cell_reaches_the_documents(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, layout: str
) -> None:
    books = data.draw(hostile_books(layout))
    tmp = tmp_path_factory.mktemp("hostile")
    for book in books:
        write_xlsx(tmp / "in" / book.name, book.sheets, merges=book.merges)
    outcome = _pipeline(tmp / "in", tmp / "out", layout)
    errors = [f for f in outcome.findings if f["severity"] == "error"]
    # A text cell reading exactly "#REF!" is reported as a broken formula; nothing else in a
    # workbook that follows the standard may stop the documents.
    assert all(f["code"] == "formula-error" for f in errors), errors
    if errors:
        assert outcome.report is None and not outcome.announcements
        return
    assert outcome.report is not None, outcome.output
    assert outcome.announcements, outcome.output
    codes = {f["code"] for f in outcome.findings} | set(re.findall(r"\[([a-z-]+)\]", outcome.output))
    report = canon(_document_text(outcome.report))
    announcements = canon("".join(_document_text(p) for p in outcome.announcements))
    missing = _missing([e for book in books for e in book.expected], report, announcements, codes)
    assert not missing, missing


# --- regressions the properties found --------------------------------------------------------------
def test_regression_example_mark_inside_a_title(tmp_path: Path) -> None:
    """A title holding "(ตัวอย่าง)" anywhere made the measure, and the rows after it, vanish as
    the form's example row. The form says the example row is the one STARTING with the mark."""
    rows = [
        [1, "จัดทำคู่มือ (ตัวอย่าง) แบบฟอร์มการร้องเรียน", "ว", "สำนักปลัด", "", "ผล 1", ""],
        [None, None, "วิธีที่สอง", None, None, "ผล 2", None],
        [2, "(ตัวอย่าง) มาตรการตัวอย่าง", "ว", "สำนักปลัด", "", "ผล", ""],
    ]
    result = api.check([make_workbook(tmp_path / "a.xlsx", measures=rows)])
    [wb] = result.workbooks
    assert [(m.number, m.results) for m in wb.measures] == [(1, ("ผล 1", "ผล 2"))]


def test_regression_two_titles_for_one_measure_number(tmp_path: Path) -> None:
    """Two departments gave measure 1 different titles: the second vanished from the report
    without a word; later only a ``title-mismatch`` warning named both while the report still
    filed one department's results under the other's title (issue 12). Now they are two
    measures and a ``number-reused`` warning names both."""
    a = make_workbook(tmp_path / "in" / "a.xlsx", measures=[[1, "ประชุมชี้แจง", "ว", "สำนักปลัด", "", "ผล ก", ""]])
    info = {**INFO, "department": "กองคลัง"}
    make_workbook(tmp_path / "in" / "b.xlsx", info=info, measures=[[1, "จัดซื้อจัดจ้าง", "ว", "กองคลัง", "", "ผล ข", ""]])
    result = api.build([a.parent], tmp_path / "r.docx")
    reused = [f for f in result.findings if f.code == "number-reused"]
    assert [(f.file, f.cell, f.severity.value) for f in reused] == [("b.xlsx", "B3", "warning")]
    assert "ประชุมชี้แจง" in reused[0].message_th and "จัดซื้อจัดจ้าง" in reused[0].message_th
    assert result.report is not None
    assert [(m.title, [p.results for p in m.parts]) for m in result.report.measures] == [
        ("ประชุมชี้แจง", [("ผล ก",)]),
        ("จัดซื้อจัดจ้าง", [("ผล ข",)]),
    ]
    same = make_workbook(tmp_path / "in2" / "b.xlsx", info=info,
                         measures=[[1, "๑. ประชุม ชี้แจง", "ว", "กองคลัง", "", "ผล ข", ""]])  # fmt: skip
    make_workbook(tmp_path / "in2" / "a.xlsx", measures=[[1, "ประชุมชี้แจง", "ว", "สำนักปลัด", "", "ผล ก", ""]])
    result = api.build([same.parent], tmp_path / "r2.docx")
    assert [f.code for f in result.findings if f.code in ("title-mismatch", "number-reused")] == []


def test_regression_indicator_and_budget_on_a_later_row_of_a_measure(tmp_path: Path) -> None:
    """A measure over three rows with its indicator typed on the second row and budgets on
    each: the indicator and the later budgets were dropped without a word."""
    headers = ["ลำดับ", "ตัวชี้วัด", "มาตรการ", "ผู้รับผิดชอบ", "ผลการดำเนินการ", "งบประมาณ"]
    rows = [
        [1, None, "มาตรการหนึ่ง", "สำนักปลัด", "ผล 1", 1000],
        [None, "การเปิดเผยข้อมูล (o12)", None, None, "ผล 2", "2,500 บาท"],
        [None, None, None, None, "ผล 3", None],
    ]
    result = api.check([make_workbook(tmp_path / "a.xlsx", headers=headers, measures=rows)])
    [m] = result.workbooks[0].measures
    assert (m.indicator, m.indicator_codes, m.budget, m.results) == (
        "การเปิดเผยข้อมูล",
        ("o12",),
        3500,
        ("ผล 1", "ผล 2", "ผล 3"),
    )


def test_regression_two_indicators_for_one_measure_number(tmp_path: Path) -> None:
    """Two departments gave measure 1 different indicators: the second vanished from the
    report without a word (found by test_every_cell_reaches_the_documents with the ``long``
    profile). Now an ``indicator-mismatch`` warning names both."""
    headers = ["ลำดับ", "ตัวชี้วัด", "มาตรการ", "ผู้รับผิดชอบ", "ผลการดำเนินการ"]
    a = make_workbook(
        tmp_path / "in" / "a.xlsx", headers=headers, measures=[[1, "การเปิดเผยข้อมูล", "ม", "สำนักปลัด", "ผล ก"]]
    )
    make_workbook(tmp_path / "in" / "b.xlsx", info={**INFO, "department": "กองคลัง"}, headers=headers,
                  measures=[[1, "การป้องกันการทุจริต", "ม", "กองคลัง", "ผล ข"]])  # fmt: skip
    result = api.build([a.parent], tmp_path / "r.docx")
    [mismatch] = [f for f in result.findings if f.code == "indicator-mismatch"]
    assert (mismatch.file, mismatch.severity.value) == ("b.xlsx", "warning")
    assert "การเปิดเผยข้อมูล" in mismatch.message_th and "การป้องกันการทุจริต" in mismatch.message_en
