"""compiler.safeio: atomic writes that never clobber a file unless asked."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import IO

import pytest

from compiler import safeio
from compiler.errors import OutputError


def test_writes_bytes_and_leaves_no_temp(tmp_path: Path) -> None:
    out = safeio.atomic_write(tmp_path / "a.bin", b"data")
    assert out.read_bytes() == b"data"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = safeio.atomic_write(tmp_path / "a.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "a.bin"
    out.write_bytes(b"old")
    with pytest.raises(OutputError) as info:
        safeio.atomic_write(out, b"new")
    assert "already exists" in info.value.message_en and "มีไฟล์" in info.value.message_th
    assert out.read_bytes() == b"old"
    safeio.atomic_write(out, b"new", force=True)
    assert out.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_file_appearing_during_the_write_is_not_clobbered(tmp_path: Path) -> None:
    out = tmp_path / "a.bin"

    def write(stream: IO[bytes]) -> None:
        stream.write(b"mine")
        out.write_bytes(b"someone else's")

    with pytest.raises(OutputError):
        safeio.atomic_write(out, write)
    assert out.read_bytes() == b"someone else's"
    assert os.listdir(tmp_path) == ["a.bin"]


@pytest.mark.parametrize(
    ("code", "english"),
    [
        (errno.ENOSPC, "disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "read-only"),
        (errno.EIO, "cannot write"),
    ],
)
def test_os_errors_become_output_errors_and_clean_up(tmp_path: Path, code: int, english: str) -> None:
    def write(stream: IO[bytes]) -> None:
        stream.write(b"half")
        raise OSError(code, os.strerror(code))

    with pytest.raises(OutputError) as info:
        safeio.atomic_write(tmp_path / "a.bin", write)
    assert english in info.value.message_en
    assert os.listdir(tmp_path) == []


def test_unwritable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as info:
        safeio.atomic_write(tmp_path / "a.bin", b"x")
    assert "read-only" in info.value.message_en


def test_other_exceptions_also_clean_up(tmp_path: Path) -> None:
    def write(stream: IO[bytes]) -> None:
        stream.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        safeio.atomic_write(tmp_path / "a.bin", write)
    assert os.listdir(tmp_path) == []


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        safeio.atomic_write(tmp_path, b"x")  # a folder
    with pytest.raises(OutputError):
        safeio.atomic_write(tmp_path / "no" / "such" / "a.bin", b"x")


def test_without_hard_links_falls_back_to_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    out = safeio.atomic_write(tmp_path / "a.bin", b"x")
    assert out.read_bytes() == b"x"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_atomic_copy(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"payload" * 1000)
    out = safeio.atomic_copy(src, tmp_path / "dst.bin")
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("กองคลัง", "กองคลัง"),
        ("กอง/คลัง: ฝ่าย *", "กองคลัง ฝ่าย"),
        ("../..", ""),
        ("a\x00\nb", "ab"),
        ("ก" * 600, "ก" * 40),
        ("ประกาศ\u202excod.docx", "ประกาศxcod.docx"),
    ],
)
def test_safe_stem(text: str, stem: str) -> None:
    assert safeio.safe_stem(text) == stem


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("กองคลัง.xlsx", "กองคลัง.xlsx"),
        (os.fsdecode("กองคลัง".encode("cp874") + b".xlsx"), "กองคลัง.xlsx"),  # a Windows Thai name on Linux
        ("อบต/" + os.fsdecode("กองช่าง".encode("cp874")), "อบต/กองช่าง"),  # a UTF-8 folder, a cp874 file
        ("a\x1b[31mred\x1b[0m.xlsx", "a\\x1b[31mred\\x1b[0m.xlsx"),
        ("two\nlines.xlsx", "two\\x0alines.xlsx"),
        ("csi\x9b2J.xlsx", "csi\\x9b2J.xlsx"),
        ("ประกาศ\u202excod.exe", "ประกาศ\\u202excod.exe"),
        ("lone\ud800.xlsx", "lone\ufffd.xlsx"),
        ("บ้านต๋อม\u200b", "บ้านต๋อม\\u200b"),  # a look-alike of บ้านต๋อม: shown as another name
    ],
)
def test_display_name(name: str, shown: str) -> None:
    assert safeio.display_name(name) == shown


def test_printable_keeps_lines_and_tabs() -> None:
    assert safeio.printable("a\n\tb\x1b[0m") == "a\n\tb\\x1b[0m"
