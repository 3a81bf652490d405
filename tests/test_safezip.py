"""Untrusted .zip submissions: every attack refused with its code, nothing left on disk."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from compiler.district.safezip import ZipLimits, extract, extracted, member_name, unsafe_reason
from compiler.model import Severity

WORKBOOK = b"PK\x03\x04 not really a workbook, but safezip does not read it"
SMALL = ZipLimits(max_members=10, max_member_bytes=100_000, max_total_bytes=150_000, ratio_floor=50_000)


def make_zip(path: Path, members: dict[str, bytes], *, infos: list[zipfile.ZipInfo] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for info in infos or []:
            zf.writestr(info, WORKBOOK)
    mark_encrypted(path)
    return path


def link_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def encrypted_info(name: str) -> zipfile.ZipInfo:
    """A member to be marked encrypted once written (zipfile itself clears the flag)."""
    info = zipfile.ZipInfo(name)
    info.comment = b"encrypt"
    return info


def mark_encrypted(path: Path) -> None:
    """Set the 'encrypted' flag of every member whose comment says so, in both headers."""
    with zipfile.ZipFile(path) as zf:
        names = {i.filename.encode() for i in zf.infolist() if i.comment == b"encrypt"}
    data = bytearray(path.read_bytes())
    for sig, name_len_at, name_at, flag_at in ((b"PK\x03\x04", 26, 30, 6), (b"PK\x01\x02", 28, 46, 8)):
        at = data.find(sig)
        while at >= 0:
            (length,) = struct.unpack_from("<H", data, at + name_len_at)
            if bytes(data[at + name_at : at + name_at + length]) in names:
                data[at + flag_at] |= 0x1
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))


def lying_zip(path: Path, real: int, declared: int) -> Path:
    """A member of ``real`` zero bytes whose headers declare only ``declared``."""
    make_zip(path, {"กองคลัง.xlsx": bytes(real)})
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def codes(result: object) -> list[str]:
    return [f.code for f in result.findings]  # type: ignore[attr-defined]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_good_zip_extracts_only_workbooks(tmp_path: Path, out: Path) -> None:
    archive = make_zip(
        tmp_path / "org.zip",
        {
            "org/สำนักปลัด.xlsx": WORKBOOK,
            "org/กองคลัง.XLSX": WORKBOOK,
            "org/readme.pdf": b"%PDF",
            "__MACOSX/org/._กองคลัง.xlsx": b"junk",
            "org/~$lock.xlsx": b"lock",
            "org/": b"",
        },
    )
    result = extract(archive, out, limits=SMALL)
    assert not result.refused and result.findings == ()
    assert result.names == ("org/สำนักปลัด.xlsx", "org/กองคลัง.XLSX")
    assert all(f.parent == out and f.read_bytes() == WORKBOOK for f in result.files)


@pytest.mark.parametrize(
    ("members", "infos", "code"),
    [
        ({"../../evil.xlsx": WORKBOOK}, [], "zip-unsafe-path"),
        ({"org/../../evil.xlsx": WORKBOOK}, [], "zip-unsafe-path"),
        ({"/etc/evil.xlsx": WORKBOOK}, [], "zip-unsafe-path"),
        ({"C:/Windows/evil.xlsx": WORKBOOK}, [], "zip-unsafe-path"),
        ({"..\\..\\evil.xlsx": WORKBOOK}, [], "zip-unsafe-path"),
        ({"ok.xlsx": WORKBOOK}, [link_info("link.xlsx")], "zip-link"),
        ({"ok.xlsx": WORKBOOK}, [encrypted_info("secret.xlsx")], "zip-encrypted"),
        ({"big.xlsx": bytes(120_000)}, [], "zip-bomb"),
        ({f"d{i}.xlsx": bytes(60_000) for i in range(3)}, [], "zip-bomb"),
        ({f"d{i}.xlsx": WORKBOOK for i in range(11)}, [], "zip-too-many-members"),
    ],
)
def test_attacks_are_refused_whole(
    tmp_path: Path, out: Path, members: dict[str, bytes], infos: list[zipfile.ZipInfo], code: str
) -> None:
    archive = make_zip(tmp_path / "attack.zip", {"good.xlsx": WORKBOOK, **members}, infos=infos)
    result = extract(archive, out, display="attack.zip", limits=SMALL)
    assert result.refused and code in codes(result)
    assert result.files == () and list(out.iterdir()) == []
    assert not (tmp_path / "evil.xlsx").exists()
    for f in result.findings:
        assert f.severity is Severity.ERROR and f.file == "attack.zip"
        assert f.message_th and f.message_en and f.message_th != f.message_en


def test_declared_sizes_that_lie_are_caught_while_streaming(tmp_path: Path, out: Path) -> None:
    archive = lying_zip(tmp_path / "liar.zip", real=5_000_000, declared=1_000)
    with zipfile.ZipFile(archive) as zf:
        assert zf.infolist()[0].file_size == 1_000  # the directory passes every declared check
    result = extract(archive, out, limits=SMALL)
    assert result.refused and codes(result) in (["zip-bomb"], ["zip-corrupt"])
    assert list(out.iterdir()) == []


def test_streamed_count_stops_at_the_limit(tmp_path: Path, out: Path) -> None:
    """Even if a member's declared size were believed, no more than the budget is written."""
    archive = make_zip(tmp_path / "big.zip", {"big.xlsx": bytes(2_000_000)})
    limits = ZipLimits(max_member_bytes=10_000_000, max_total_bytes=10_000_000, ratio_floor=10**9)
    ok = extract(archive, out, limits=limits)
    assert not ok.refused and ok.files[0].stat().st_size == 2_000_000
    other = tmp_path / "other"
    other.mkdir()
    tight = ZipLimits(max_member_bytes=1_000_000, max_total_bytes=10_000_000, ratio_floor=10**9)
    assert codes(extract(archive, other, limits=tight)) == ["zip-bomb"]
    assert list(other.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04truncated"])
def test_not_a_zip(tmp_path: Path, out: Path, content: bytes) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(content)
    assert codes(extract(archive, out)) == ["zip-corrupt"]


def test_nested_archive_is_skipped_with_a_warning(tmp_path: Path, out: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("x.xlsx", WORKBOOK)
    archive = make_zip(tmp_path / "outer.zip", {"a.xlsx": WORKBOOK, "more.zip": inner.getvalue()})
    result = extract(archive, out, limits=SMALL)
    assert not result.refused and result.names == ("a.xlsx",)
    assert [(f.code, f.severity) for f in result.findings] == [("zip-nested-archive", Severity.WARNING)]


def test_windows_thai_names_are_decoded(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("placeholder")
    info.filename = "กองคลัง.xlsx".encode("cp874").decode("cp437")  # as Python reads an unflagged cp874 name
    assert member_name(info) == "กองคลัง.xlsx"
    info.filename = "dir\\กองช่าง.xlsx"
    info.flag_bits |= 0x800
    assert member_name(info) == "dir/กองช่าง.xlsx"


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("a/b.xlsx", False),
        ("..x.xlsx", False),
        ("a/../b.xlsx", True),
        ("/a.xlsx", True),
        ("D:x.xlsx", True),
        ("a\x00.xlsx", True),
    ],
)
def test_unsafe_reason(name: str, unsafe: bool) -> None:
    assert (unsafe_reason(name) is not None) is unsafe


def test_temporary_folder_is_removed(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "org.zip", {"a.xlsx": WORKBOOK})
    with extracted(archive, limits=SMALL) as result:
        folder = result.folder
        assert result.files[0].exists() and tmp_path not in folder.parents
    assert not folder.exists()
