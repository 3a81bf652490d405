"""compiler.workbook.stored: checked workbooks kept on disk for the next command."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from wbfactory import INFO, make_workbook

from compiler import api, diskcache
from compiler.workbook import check, stored


@pytest.fixture
def reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files read by calamine; the process's own memory emptied."""
    monkeypatch.setenv("ITA_REPORT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(check, "_remembered", type(check._remembered)(check._remembered.kept))
    read: list[str] = []
    real_read = check.read_workbook
    monkeypatch.setattr(check, "read_workbook", lambda path, **kw: read.append(path.name) or real_read(path, **kw))
    return read


def _next_process() -> None:
    check._remembered.clear()


def test_an_unchanged_workbook_is_not_read_by_the_next_command(tmp_path: Path, reads: list[str]) -> None:
    a = make_workbook(tmp_path / "in" / "a.xlsx")
    b = make_workbook(tmp_path / "in" / "b.xlsx", info={**INFO, "organisation": "เทศบาลตำบลบ้านต้อม"})
    first = api.check([tmp_path / "in"])
    assert sorted(reads) == ["a.xlsx", "b.xlsx"]
    assert len(list((tmp_path / "cache" / "checked").glob("*.bin"))) == 2
    _next_process()
    again = api.check([tmp_path / "in"])
    assert sorted(reads) == ["a.xlsx", "b.xlsx"]
    assert again.findings == first.findings and again.workbooks == first.workbooks
    make_workbook(b, info=INFO)  # b changes: read again, a still from the disk
    _next_process()
    third = api.check([tmp_path / "in"])
    assert sorted(reads) == ["a.xlsx", "b.xlsx", "b.xlsx"]
    assert "name-mismatch" in {f.code for f in first.findings}
    assert "name-mismatch" not in {f.code for f in third.findings}
    assert {wb.file for wb in third.workbooks} == {a.name, b.name}


def test_a_damaged_or_foreign_file_is_never_trusted(tmp_path: Path, reads: list[str]) -> None:
    make_workbook(tmp_path / "in" / "a.xlsx")
    first = api.check([tmp_path / "in"])
    [kept] = (tmp_path / "cache" / "checked").glob("*.bin")
    data = bytearray(kept.read_bytes())
    data[-5] ^= 0x20
    kept.write_bytes(bytes(data))
    _next_process()
    assert api.check([tmp_path / "in"]).findings == first.findings
    assert reads == ["a.xlsx", "a.xlsx"]


def test_another_program_version_starts_afresh(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_workbook(tmp_path / "in" / "a.xlsx")
    api.check([tmp_path / "in"])
    _next_process()
    monkeypatch.setattr(diskcache, "_stamp", ["another version of the code"])
    api.check([tmp_path / "in"])
    assert reads == ["a.xlsx", "a.xlsx"]


def test_the_code_stamp_follows_the_package_source() -> None:
    stamp = diskcache.code_stamp()
    files = diskcache._package_files(Path(stored.__file__).resolve().parents[1])
    assert len(stamp) == 64 and any(name.endswith("check.py") for name, _, _ in files)


def test_off_stores_nothing(tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITA_REPORT_CACHE", "off")
    make_workbook(tmp_path / "in" / "a.xlsx")
    api.check([tmp_path / "in"])
    _next_process()
    api.check([tmp_path / "in"])
    assert reads == ["a.xlsx", "a.xlsx"] and not (tmp_path / "cache").exists()


def test_past_its_size_the_oldest_are_removed(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored, "MAX_KEPT", 2)
    for name in ("a", "b", "c"):
        make_workbook(tmp_path / name / f"{name}.xlsx")
        api.check([tmp_path / name])
        time.sleep(0.05)  # distinct modification times
    assert len(list((tmp_path / "cache" / "checked").glob("*.bin"))) == 2
    _next_process()
    api.check([tmp_path / "c"])
    api.check([tmp_path / "b"])
    assert reads == ["a.xlsx", "b.xlsx", "c.xlsx"]  # b and c were kept
    api.check([tmp_path / "a"])
    assert reads == ["a.xlsx", "b.xlsx", "c.xlsx", "a.xlsx"]  # a was not
