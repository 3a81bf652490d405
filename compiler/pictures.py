"""Pictures put in the documents (the logo, the Garuda emblem): where they may come from and
what they must be.

A picture named in a workbook (``ไฟล์ตราหน่วยงาน``, ``ไฟล์ตราครุฑ``) is looked for in that
workbook's own folder and may not leave it: not by an absolute path, ``~``, ``..`` or a link.
Whatever lies outside gets the same answer as a file that does not exist, so a workbook
cannot learn anything about the machine it is read on. A picture given on the command line
(``--emblem``) may be anywhere. Either way it must be a regular file (a FIFO would hang the
run, ``/dev/zero`` never ends), at most :data:`MAX_BYTES`, and a whole PNG, JPEG, GIF or BMP
of sane size: what is embedded is the bytes that were checked, never the path read again.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

#: A picture larger than this on disk is refused (a logo is a few hundred kilobytes).
MAX_BYTES = 5 * 1024 * 1024
#: ...and so is one wider or higher than this many pixels, or with more pixels in all.
MAX_SIDE = 10_000
MAX_PIXELS = 25_000_000
#: Width to height as shown (pixels over DPI) beyond this, either way: a 3 cm high logo
#: would be wider than the page.
MAX_ASPECT = 6


class PictureProblem(Exception):
    """Why a picture cannot be used, in Thai and English (neither names a path)."""

    def __init__(self, message_th: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_th} / {self.message_en}"


def _problem(th: str, en: str) -> PictureProblem:
    return PictureProblem(th, en)


_FORMATS = "PNG, JPEG, GIF, BMP"


def _png_whole(data: bytes) -> bool:
    """Every chunk of a PNG present, its CRC right, IHDR first, image data, IEND at the end."""
    pos, seen_data = 8, False
    first = True
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            return False
        body = data[pos + 4 : pos + 8 + length]
        if zlib.crc32(body) != struct.unpack_from(">I", data, pos + 8 + length)[0]:
            return False
        if first and kind != b"IHDR":
            return False
        first = False
        seen_data = seen_data or kind == b"IDAT"
        if kind == b"IEND":
            return seen_data
        pos = end
    return False


def _whole(data: bytes) -> bool:
    """True when the file is complete as far as its format tells (not cut short)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_whole(data)
    if data.startswith(b"\xff\xd8"):
        return data.rstrip(b"\0")[-2:] == b"\xff\xd9"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return data.rstrip(b"\0")[-1:] == b";"
    if data.startswith(b"BM") and len(data) >= 6:
        return struct.unpack_from("<I", data, 2)[0] <= len(data)
    return False


def verify_image(data: bytes) -> tuple[int, int]:
    """The pixel width and height of a whole PNG/JPEG/GIF/BMP of sane size, or :class:`PictureProblem`."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    if not _whole(data):
        raise _problem(
            f"ไม่ใช่ไฟล์ภาพที่ใช้ได้ ({_FORMATS}) หรือไฟล์ภาพไม่ครบ (เสียหาย)",
            f"not a usable picture ({_FORMATS}), or the file is cut short (damaged)",
        )
    try:
        image = Image.from_blob(data)
        width, height = image.px_width, image.px_height
        hdpi, vdpi = image.horz_dpi, image.vert_dpi
    except (
        UnrecognizedImageError,
        struct.error,
        ValueError,
        IndexError,
        KeyError,
        ZeroDivisionError,
        TypeError,
    ) as exc:
        raise _problem(
            f"อ่านไฟล์ภาพไม่ได้ ({_FORMATS})",
            f"cannot read the picture ({_FORMATS}): {type(exc).__name__}",
        ) from exc
    sane = (
        0 < width <= MAX_SIDE
        and 0 < height <= MAX_SIDE
        and width * height <= MAX_PIXELS
        and 0 < hdpi <= 100_000
        and 0 < vdpi <= 100_000
    )
    if sane:
        aspect = (width / hdpi) / (height / vdpi)
        sane = 1 / MAX_ASPECT <= aspect <= MAX_ASPECT
    if not sane:
        raise _problem(
            f"ภาพขนาด {width:,} × {height:,} จุด ({hdpi} × {vdpi} dpi) ใช้ไม่ได้: ต้องไม่เกิน {MAX_SIDE:,} จุดต่อด้าน"
            f" และกว้างต่อสูงไม่เกิน {MAX_ASPECT}:1",
            f"a picture of {width:,} × {height:,} pixels ({hdpi} × {vdpi} dpi) cannot be used: at most"
            f" {MAX_SIDE:,} pixels a side, and at most {MAX_ASPECT}:1 wide or high",
        )
    return width, height


def load_picture(path: Path | str) -> bytes:
    """The bytes of the picture at ``path``, checked (regular file, size, whole image).

    Raises :class:`PictureProblem`. A FIFO or device is refused without being opened for a
    blocking read, so it never hangs the run.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:
        raise _problem(
            "เปิดไฟล์ภาพไม่ได้ (ไม่พบไฟล์หรือไม่มีสิทธิ์อ่าน)", "cannot open the picture (no such file, or not readable)"
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _problem(
                "ไม่ใช่ไฟล์ภาพธรรมดา (เป็นโฟลเดอร์ อุปกรณ์ หรือท่อข้อมูล)", "not a regular file (a folder, device or pipe)"
            )
        if info.st_size > MAX_BYTES:
            raise _problem(
                f"ไฟล์ภาพใหญ่ {info.st_size / 1_048_576:.1f} MB เกินขีดจำกัด {MAX_BYTES // 1_048_576} MB",
                f"the picture is {info.st_size / 1_048_576:.1f} MB, over the limit of {MAX_BYTES // 1_048_576} MB",
            )
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _problem("อ่านไฟล์ภาพไม่ได้", "cannot read the picture") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _problem(
            f"ไฟล์ภาพใหญ่เกินขีดจำกัด {MAX_BYTES // 1_048_576} MB",
            f"the picture is over the limit of {MAX_BYTES // 1_048_576} MB",
        )
    verify_image(data)
    return data


def _not_in_folder(value: str) -> PictureProblem:
    shown = value[:100]
    return _problem(
        f"ไม่พบไฟล์ภาพ '{shown}' ในโฟลเดอร์ของไฟล์ Excel นี้ ไฟล์ภาพต้องอยู่ในโฟลเดอร์เดียวกับไฟล์ Excel"
        " (หรือโฟลเดอร์ย่อย) และระบุเพียงชื่อไฟล์ เช่น ตรา.png",
        f"no picture '{shown}' in this workbook's folder; the picture must be in the workbook's folder"
        " (or a folder inside it), named like ตรา.png",
    )


def workbook_picture(value: str, workbook: Path | str) -> tuple[Path, bytes]:
    """The picture a workbook names, found in the workbook's own folder: its path and bytes.

    Raises :class:`PictureProblem`. Paths that are absolute, start with ``~``, climb out with
    ``..`` or pass through a link that leads out all get the one answer a missing file gets,
    and nothing outside the folder is opened (nor, for a path that leaves it as written,
    even looked up).
    """
    text = value.strip()
    folder = Path(os.path.abspath(Path(workbook).parent))
    windows = PureWindowsPath(text)
    if (
        not text
        or len(text) > 1_000
        or "\0" in text
        or text.startswith("~")
        or PurePosixPath(text).is_absolute()
        or windows.drive
        or windows.root
    ):
        raise _not_in_folder(text)
    lexical = Path(os.path.normpath(folder / text))
    if not lexical.is_relative_to(folder):
        raise _not_in_folder(text)
    try:
        real_folder = folder.resolve(strict=True)
        candidate = lexical.resolve(strict=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise _not_in_folder(text) from exc
    if not candidate.is_relative_to(real_folder) or candidate == real_folder:
        raise _not_in_folder(text)
    return candidate, load_picture(candidate)
