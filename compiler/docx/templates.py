"""Where the shipped templates are, and the picture sizes the renderers and builders share."""

from __future__ import annotations

from pathlib import Path


def _templates_dir() -> Path:
    """The repository's ``templates/`` in a checkout; the copy installed as
    ``compiler/templates`` (see pyproject's package-dir) otherwise."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "templates"
    if (checkout / "report.docx").exists():
        return checkout
    return package / "templates"


TEMPLATES_DIR = _templates_dir()
REPORT_TEMPLATE = TEMPLATES_DIR / "report.docx"
ANNOUNCEMENT_TEMPLATE = TEMPLATES_DIR / "prakat.docx"
ORDER_TEMPLATE = TEMPLATES_DIR / "khamsang.docx"
MEMO_TEMPLATE = TEMPLATES_DIR / "memo.docx"

#: The organisation's logo on the report's cover.
LOGO_HEIGHT_CM = 3.0
#: Garuda emblem heights (ระเบียบงานสารบรรณ): 3 cm on ประกาศ and คำสั่ง, 1.5 cm on a memo.
EMBLEM_CM = 3.0
MEMO_EMBLEM_CM = 1.5
#: The character style of template tags in the builders' output.
STYLE_TAG = "Template Tag"
#: Paragraph styles the renderers look for after rendering (to keep the end of the body with
#: the signature): the dated line and the signature block of the official documents, the
#: signature block of the report.
STYLE_DOC_DATED = "Doc Dated"
STYLE_DOC_SIGNATURE = "Doc Signature"
STYLE_REPORT_SIGNATURE = "Thai Signature"
#: The official documents' text width (A4 with the official margins) and where their dated
#: line (``ประกาศ ณ วันที่ …``) starts: the renderer sizes the dotted blanks to fit that line.
DOC_TEXT_WIDTH_CM = 16.0
DATED_LEFT_CM = 5.0
