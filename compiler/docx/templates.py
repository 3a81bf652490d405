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
