"""compiler.pictures: the logo and emblem a workbook names come only from its own folder.

They used to name any path: an image anywhere on the machine (absolute, ``~``, ``../../``)
was embedded, the error told which paths exist, a FIFO hung the build, ``/dev/zero`` and odd
images (zero height, DPI 1, huge width, cut short) ended in exit 3.
"""

from __future__ import annotations

import os
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from test_hostile import assert_clean_end, run_cli
from wbfactory import INFO, make_workbook

from compiler import api, pictures
from compiler.workbook import standard


def png(width: int = 4, height: int = 2, *, phys: tuple[int, int] | None = None, cut: int = 0) -> bytes:
    """A PNG of grey pixels; ``phys`` its pixels per metre (x, y); ``cut`` bytes taken off the end."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(min(height, 4)))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if phys:
        out += chunk(b"pHYs", struct.pack(">IIB", *phys, 1))
    out += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return out[: len(out) - cut]


def _book(folder: Path, **pictures_named: str) -> Path:
    return make_workbook(folder / "a.xlsx", info={**INFO, **pictures_named})


def _bad(path: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in api.check([path]).findings]


def _messages(path: Path, value: str) -> list[tuple[str, str]]:
    """The findings' messages with the typed value taken out (it is the clerk's own text)."""
    return [(f.message_th.replace(value, "V"), f.message_en.replace(value, "V")) for f in api.check([path]).findings]


_LOGO_CELL = (standard.SHEET_INFO, "B9")  # wbfactory: version, 7 INFO rows, then the logo


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.png").write_bytes(png())
    return folder


@pytest.mark.parametrize("form", ["absolute", "dotdot", "tilde", "link", "link-to-folder", "windows-drive", "unc"])
def test_regression_a_picture_outside_the_workbook_folder_is_refused_alike(
    tmp_path: Path, outside: Path, form: str
) -> None:
    """Existing or not, a picture outside the folder gets the one message a missing file gets."""
    folder = tmp_path / "in"
    folder.mkdir()
    pairs = {
        "absolute": (str(outside / "secret.png"), str(outside / "none.png")),
        "dotdot": ("../outside/secret.png", "../outside/none.png"),
        "tilde": ("~/secret.png", "~/none.png"),
        "link": ("link.png", "none.png"),
        "link-to-folder": ("out/secret.png", "out/none.png"),
        "windows-drive": ("C:\\Windows\\secret.png", "C:\\Windows\\none.png"),
        "unc": ("\\\\server\\share\\secret.png", "\\\\server\\share\\none.png"),
    }
    (folder / "link.png").symlink_to(outside / "secret.png")
    (folder / "out").symlink_to(outside)
    present, absent = pairs[form]
    book = _book(folder, logo=present)
    assert _bad(book) == [("bad-picture", *_LOGO_CELL)]
    seen = _messages(book, present)
    book = _book(folder, logo=absent)
    assert _messages(book, absent) == seen
    assert str(outside) not in str(seen) and "secret" not in str(seen).replace("V", "")


def test_dev_zero_and_fifo_named_in_a_workbook(tmp_path: Path) -> None:
    """``/dev/zero`` (exit 3) and a FIFO (a hang): refused without reading."""
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "fifo.png")
    for value, logo_or_emblem in (("/dev/zero", "logo"), ("fifo.png", "logo"), ("fifo.png", "emblem")):
        book = _book(folder, **{logo_or_emblem: value})
        [(code, sheet, _)] = _bad(book)
        assert (code, sheet) == ("bad-picture", standard.SHEET_INFO)
        for args in (
            ("check", folder),
            ("build", folder, "-o", tmp_path / "r.docx", "--with-announcements", "--force"),
        ):
            run = run_cli(*args, timeout=60)
            assert_clean_end(run, seconds=30)
            assert run.exit_code == 0 and "[bad-picture]" in run.output, run.output  # a warning: the space is left
        assert not docx.Document(tmp_path / "r.docx").inline_shapes


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (png(4, 0), "zero-height"),
        (png(100_000, 2), "huge-width"),
        (png(4000, 2), "wider-than-the-page"),
        (png(4, 2, phys=(1, 1)), "dpi-below-1"),
        (png(4, 2, phys=(1, 3_000)), "dpi-1-by-76"),
        (png(4, 2, cut=10), "cut-short"),
        (png(4, 2)[:40], "cut-in-half"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "jpeg-cut-short"),
        (b"not a picture", "text"),
        (b"", "empty"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_regression_odd_pictures_are_findings(tmp_path: Path, data: bytes, what: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "logo.png").write_bytes(data)
    book = _book(folder, logo="logo.png")
    assert _bad(book) == [("bad-picture", *_LOGO_CELL)], what
    run = run_cli("build", folder, "-o", tmp_path / "r.docx")
    assert_clean_end(run)
    assert run.exit_code == 0 and "[bad-picture]" in run.output  # a warning: the logo's space is left empty
    assert not docx.Document(tmp_path / "r.docx").inline_shapes


def test_picture_over_the_size_cap(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "logo.png"
    big.write_bytes(png())
    with big.open("r+b") as fh:
        fh.truncate(pictures.MAX_BYTES + 1)
    assert _bad(_book(folder, logo="logo.png")) == [("bad-picture", *_LOGO_CELL)]


def test_regression_picture_found_beside_the_workbook_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The logo was looked for in the current folder: ``build`` run elsewhere lost it (or
    found another file of that name)."""
    folder = tmp_path / "in"
    (folder / "pics").mkdir(parents=True)
    (folder / "pics" / "logo.png").write_bytes(png())
    (folder / "emblem.png").write_bytes(png(3, 3))
    _book(folder, logo="pics/logo.png", emblem="./emblem.png")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pics").mkdir()
    (elsewhere / "pics" / "logo.png").write_bytes(b"a different file, not a picture")
    monkeypatch.chdir(elsewhere)
    result = api.build([folder], tmp_path / "out" / "r.docx", with_announcements=True)
    assert result.errors == ()
    body = zipfile.ZipFile(tmp_path / "out" / "r.docx").read("word/document.xml")
    assert b"<w:drawing>" in body


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "broken", "missing"])
def test_emblem_on_the_command_line_must_be_a_picture(tmp_path: Path, kind: str) -> None:
    """``--emblem`` may be anywhere, but a FIFO hung the run and /dev/zero gave exit 3."""
    folder = tmp_path / "in"
    _book(folder)
    emblem = {"fifo": tmp_path / "fifo", "dev-zero": Path("/dev/zero"), "folder": tmp_path,
              "broken": tmp_path / "broken.png", "missing": tmp_path / "none.png"}[kind]  # fmt: skip
    if kind == "fifo":
        os.mkfifo(emblem)
    if kind == "broken":
        emblem.write_bytes(png(cut=5))
    run = run_cli("announce", folder, "-o", tmp_path / "out", "--emblem", emblem, timeout=60)
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output and "emblem" in run.output
    assert not list((tmp_path / "out").glob("*.docx")) if (tmp_path / "out").exists() else True


def test_emblem_on_the_command_line_may_be_anywhere(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "in"
    _book(folder)
    result = api.announce([folder], tmp_path / "out", emblem=outside / "secret.png")
    assert "no-emblem" not in [f.code for f in result.findings]
