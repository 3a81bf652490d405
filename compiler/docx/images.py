"""Pictures in documents: an emblem or logo at a given height, or its space kept when there is
none; the bytes embedded are the bytes ``compiler.pictures`` checked.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.enum.text import WD_LINE_SPACING
from docx.shared import Cm
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate, InlineImage

from compiler import errors, pictures


# --- pictures -----------------------------------------------------------------------------
def _picture(path: Path) -> io.BytesIO:
    """The checked bytes of the picture at ``path`` (see :mod:`compiler.pictures`), or
    :class:`errors.InputError` saying why not."""
    try:
        return io.BytesIO(pictures.load_picture(path))
    except pictures.PictureProblem as problem:
        raise errors.InputError(
            f"ใช้ไฟล์ภาพ {path} ไม่ได้: {problem.message_th}",
            f"cannot use the picture {path}: {problem.message_en}",
            where=str(path),
        ) from problem


def add_picture(paragraph: Paragraph, path: Path | str, height_cm: float) -> None:
    """Put the picture at ``path`` in ``paragraph``, ``height_cm`` high, width to scale.

    Raises :class:`errors.InputError` when the file is missing or is not a usable picture.
    """
    paragraph.add_run().add_picture(_picture(Path(path)), height=Cm(height_cm))


def add_image_space(paragraph: Paragraph, height_cm: float) -> None:
    """Keep ``height_cm`` of empty space in ``paragraph``, where a picture (ตราครุฑ) goes.

    The paragraph gets an exact line height, so the text below stays where it would be
    with the picture; the user can paste the picture there in Word.
    """
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Cm(height_cm)


def inline_image(tpl: DocxTemplate, path: Path | str | None, height_cm: float) -> InlineImage | str:
    """A docxtpl picture ``height_cm`` high for a template context; ``""`` when no path.

    Raises :class:`errors.InputError` when the file is missing or is not a picture
    (checked now, not halfway through rendering).
    """
    if not path:
        return ""
    return InlineImage(tpl, _picture(Path(path)), height=Cm(height_cm))
