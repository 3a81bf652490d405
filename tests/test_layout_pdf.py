"""Every sample document as LibreOffice prints it: signature pages, Thai line starts, page counts.

Each sample organisation is built with ``--with-announcements --pdf`` (one LibreOffice start
each) and every PDF is read back with poppler's ``pdftotext -raw`` (text in reading order,
one line of the page per line):

- the page holding the signature (the signer's name in parentheses) holds body text too: a
  signature alone on a page is not signed (issue 13);
- no line starts with a character that cannot begin a Thai line (a following vowel ะ า ำ ๅ,
  an above or below vowel, a tone mark): the sign of a word broken in the middle;
- no report takes more pages than the published one plus its cover (``SEED_PAGES``), no
  document more than it took when its layout was last looked at.

Skipped only when LibreOffice or poppler is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from compiler import api
from compiler.docx import pdf
from compiler.docx.linebreak import strip_hints

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"

pytestmark = pytest.mark.skipif(
    pdf.find_soffice() is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="LibreOffice (soffice) or poppler-utils not installed",
)

#: Pages of the published reports' tables (tests/../seeds: a table page ends where the header
#: row repeats), plus one for our cover.
SEED_PAGES = {"ban_tom_2565": 2 + 1, "phon_sai_2568": 3 + 1, "phu_sang_2567": 5 + 1}
#: Pages of the documents when their layout was last looked at (LibreOffice 7.4, Laksaman).
DOCUMENT_PAGES = {
    ("ban_tom_2565", "ประกาศมาตรการ"): 2,
    ("ban_tom_2565", "คำสั่ง"): 4,
    ("ban_tom_2565", "ประกาศ"): 2,
    ("phon_sai_2568", "ประกาศมาตรการ"): 2,
    ("phon_sai_2568", "ประกาศ"): 4,
    ("phu_sang_2567", "ประกาศมาตรการ"): 3,
    ("phu_sang_2567", "บันทึกข้อความ"): 3,
}
#: Characters that cannot begin a Thai line.
CANNOT_START = re.compile("^[\u0e30\u0e32\u0e33\u0e45\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_PAGE_NUMBER = re.compile(r"^-\s*[0-9๐-๙]+\s*-$")
_SIGNATURE_STYLES = ("Thai Signature", "Doc Signature")
_DATED = ("ประกาศ ณ วันที่", "สั่ง ณ วันที่", "พ.ศ.")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Each sample organisation's documents, built with their PDFs: {org: [docx, ...]}."""
    out: dict[str, list[Path]] = {}
    for org in SEED_PAGES:
        folder = tmp_path_factory.mktemp(org)
        result = api.build([SAMPLES / org], folder / "report.docx", with_announcements=True, pdf=True)
        assert not result.errors, result.errors
        out[org] = [p for p in result.written if p.suffix == ".docx"]
        assert all(p.with_suffix(".pdf").is_file() for p in out[org])
    return out


def _pages(path: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


def _signer(path: Path) -> str:
    """The first signature line in parentheses: the signer's name as printed."""
    document = docx.Document(str(path))
    for p in document.paragraphs:
        text = strip_hints(p.text).strip()
        if p.style is not None and p.style.name in _SIGNATURE_STYLES and text.startswith("("):
            return text
    raise AssertionError(f"{path.name}: no signature line")


def _documents(built: dict[str, list[Path]]) -> list[tuple[str, Path]]:
    return [(org, p) for org, paths in built.items() for p in paths]


def test_the_signature_page_holds_body_text(built: dict[str, list[Path]]) -> None:
    alone = []
    for org, path in _documents(built):
        signer = _signer(path)
        for page in _pages(path.with_suffix(".pdf")):
            if signer in page:
                before = page[: page.index(signer)]
                body = [line for line in before if not _PAGE_NUMBER.match(line) and not line.startswith(_DATED)]
                if not body:
                    alone.append(f"{org}/{path.name}")
                break
        else:
            alone.append(f"{org}/{path.name}: signature not found in the PDF")
    assert alone == []


def test_no_line_starts_with_a_mark_that_cannot_begin_a_thai_line(built: dict[str, list[Path]]) -> None:
    bad = [
        f"{org}/{path.name}: {line[:20]}"
        for org, path in _documents(built)
        for page in _pages(path.with_suffix(".pdf"))
        for line in page
        if CANNOT_START.match(line)
    ]
    assert bad == []


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "org",
    [
        "ban_tom_2565",
        "phon_sai_2568",
        "phu_sang_2567",
    ],
)
def test_report_pages_within_the_published_plus_cover(built: dict[str, list[Path]], org: str) -> None:
    report = next(p for p in built[org] if p.name == "report.docx")
    assert _page_count(report.with_suffix(".pdf")) <= SEED_PAGES[org]


#: A report's table page (not its cover, not its last page) is filled at least this far down
#: (the lowest text's foot, as a share of the page's height; a full page reaches ~0.9).
FULL_PAGE = 0.8


def _lowest_text(path: Path, page: int) -> float:
    """The foot of the lowest text on ``page`` of a PDF, as a share of the page's height."""
    html = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    return max(float(y) for y in re.findall(r'yMax="([\d.]+)"', html)) / height


def test_no_report_page_is_left_half_empty_before_the_last(built: dict[str, list[Path]]) -> None:
    """A table row kept whole with the signature would leave the page before it half empty
    (phon_sai's 18-line last row did: page 4 ended at 55 %); such a row is left to break."""
    short = {}
    for org, paths in built.items():
        pdf_path = next(p for p in paths if p.name == "report.docx").with_suffix(".pdf")
        for page in range(2, _page_count(pdf_path)):  # page 1 is the cover
            if (filled := _lowest_text(pdf_path, page)) < FULL_PAGE:
                short[f"{org} page {page}"] = round(filled, 2)
    assert short == {}


def test_document_pages_no_more_than_when_last_looked_at(built: dict[str, list[Path]]) -> None:
    pages = {(org, p.stem): _page_count(p.with_suffix(".pdf")) for org, p in _documents(built) if p.stem != "report"}
    assert set(pages) == set(DOCUMENT_PAGES)
    assert {k: v for k, v in pages.items() if v > DOCUMENT_PAGES[k]} == {}


def _alone_case(report: Path, folder: Path) -> Path:
    """A copy of ``report`` with empty lines added after its table, as many as it takes for
    LibreOffice to lay the signature out alone on a page (a table that ends near the foot of
    a page, as any organisation's might)."""
    from compiler.docx import office as office_mod
    from compiler.docx.keeping import SIGNATURE_STYLES

    with office_mod.open_office(pdf.find_soffice()) as office:  # type: ignore[arg-type]
        if not isinstance(office, office_mod.Listener):
            pytest.skip("LibreOffice's Python (uno) not found: the layout cannot be asked")
        for lines in range(0, 40, 2):
            document = docx.Document(str(report))
            tables = list(document.element.body.iterchildren(docx.oxml.ns.qn("w:tbl")))
            for _ in range(lines):
                tables[-1].addnext(docx.oxml.OxmlElement("w:p"))
            candidate = folder / f"alone-{lines}.docx"
            document.save(str(candidate))
            office.convert([(candidate, candidate.with_suffix(".pdf"))], signature_styles=SIGNATURE_STYLES)
            if candidate in office.alone:
                return candidate
    raise AssertionError("no number of empty lines left the signature alone")


def test_a_signature_libreoffice_leaves_alone_gets_the_last_row(built: dict[str, list[Path]], tmp_path: Path) -> None:
    report = next(p for p in built["ban_tom_2565"] if p.name == "report.docx")
    case = _alone_case(report, tmp_path)
    before = _pages(case.with_suffix(".pdf"))
    signer = _signer(case)
    page = next(p for p in before if signer in p)
    assert [line for line in page if not _PAGE_NUMBER.match(line)][:1] == [signer]  # alone: nothing above it

    moved: list[Path] = []
    (written,) = pdf.docx_to_pdfs([case], force=True, keep_signatures=True, moved=moved)
    assert moved == [case]
    page = next(p for p in _pages(written) if signer in p)
    body = [line for line in page[: page.index(signer)] if not _PAGE_NUMBER.match(line)]
    assert body, "the signature is still alone"
    # the .docx says the same: its last table now holds only the moved row (and maybe a header)
    tables = docx.Document(str(case)).tables
    assert len(tables) == 2 and len(tables[-1].rows) <= 2


def test_a_tall_last_row_is_split_not_moved_whole(built: dict[str, list[Path]], tmp_path: Path) -> None:
    """phu_sang's last row is about 14 lines: when the signature stands alone after it, only
    the row's last lines move to the signature's page, so the page before stays full (moved
    whole, the row left that page about half empty)."""
    from compiler.docx.keeping import move_last_row_to_signature

    report = next(p for p in built["phu_sang_2567"] if p.name == "report.docx")
    case = _alone_case(report, tmp_path)
    whole = tmp_path / "whole.docx"
    document = docx.Document(str(case))
    assert move_last_row_to_signature(document)  # the old way: the whole row
    document.save(str(whole))
    (whole_pdf,) = pdf.docx_to_pdfs([whole], force=True)

    moved: list[Path] = []
    (written,) = pdf.docx_to_pdfs([case], force=True, keep_signatures=True, moved=moved)
    assert moved == [case]
    signer = _signer(case)
    pages = _pages(written)
    at = next(i for i, p in enumerate(pages) if signer in p)
    assert [line for line in pages[at][: pages[at].index(signer)] if not _PAGE_NUMBER.match(line)], "still alone"
    # the row is in two parts: its number and first lines stay in the first table
    first, second = docx.Document(str(case)).tables
    top, tail = first.rows[-1], second.rows[-1]
    assert top.cells[0].text.strip() and not tail.cells[0].text.strip()
    assert any(c.text.strip() for c in tail.cells)
    whole_at = next(i for i, p in enumerate(_pages(whole_pdf)) if signer in p)
    assert _lowest_text(written, at) > _lowest_text(whole_pdf, whole_at) + 0.1  # page numbers: 1-based
