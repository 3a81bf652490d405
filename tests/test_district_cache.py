"""compiler.district.cache: survey results reused by content, never trusted when damaged."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_district import _patched_survey, make_inbox

from compiler.cli import main
from compiler.district import cache as district_cache
from compiler.district.cache import SurveyCache, submission_key
from compiler.district.intake import run_district
from compiler.district.model import DistrictResult
from compiler.district.safezip import LIMITS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """Six organisations, two of them broken, half of them zipped."""
    folder = tmp_path / "inbox"
    make_inbox.make_inbox(folder, 6, departments=2, measures=3, broken=0.34, zips=0.5, seed=11)
    return folder


def _rows(result: DistrictResult) -> list[tuple[object, ...]]:
    return [(o.submission, o.status, o.codes, o.measures, o.errors, o.warnings) for o in result.organisations]


def _run(inbox: Path, out: Path, cache: SurveyCache | None) -> DistrictResult:
    return run_district(inbox, out, jobs=1, force=True, cache=cache)


def _entries(cache: SurveyCache) -> list[Path]:
    return sorted(cache.folder.rglob("*.bin"))


def test_a_second_run_reuses_every_result_and_says_so(inbox: Path, tmp_path: Path) -> None:
    fresh = _run(inbox, tmp_path / "a.xlsx", None)
    first = SurveyCache.open(tmp_path / "cache")
    assert first is not None
    cold = _run(inbox, tmp_path / "b.xlsx", first)
    assert (first.hits, first.misses, first.stored) == (0, 6, 6)
    assert not any("cache" in note for note in cold.notes)
    second = SurveyCache.open(tmp_path / "cache")
    assert second is not None
    warm = _run(inbox, tmp_path / "c.xlsx", second)
    assert (second.hits, second.misses, second.rejected, second.stored) == (6, 0, 0, 0)
    assert _rows(fresh) == _rows(cold) == _rows(warm)
    assert any("6 of 6 submission(s) unchanged" in note for note in warm.notes)


def test_a_resubmitted_organisation_alone_is_surveyed_again(inbox: Path, tmp_path: Path) -> None:
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    before = {o.submission: o for o in _run(inbox, tmp_path / "a.xlsx", cache).organisations}
    folder = next(p for p in sorted(inbox.iterdir()) if p.is_dir() and before[p.name].status == "ok")
    workbook = sorted(folder.glob("*.xlsx"))[0]
    workbook.write_bytes(workbook.read_bytes()[:500])  # resent, cut short this time
    again = SurveyCache.open(tmp_path / "cache")
    assert again is not None
    after = {o.submission: o for o in _run(inbox, tmp_path / "b.xlsx", again).organisations}
    assert (again.hits, again.misses, again.stored) == (5, 1, 1)
    assert after[folder.name].status == "errors" and "corrupt-file" in after[folder.name].codes
    assert {k: v for k, v in after.items() if k != folder.name} == {k: v for k, v in before.items() if k != folder.name}


def _damage(entry: Path, how: str) -> None:
    data = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "flipped":
        entry.write_bytes(data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:])
    elif how == "foreign-version":
        entry.write_bytes(b"ita-report district 0\n" + data[len(district_cache._MAGIC) :])
    elif how == "garbage":
        entry.write_bytes(os.urandom(len(data)))


@pytest.mark.parametrize("how", ["truncated", "empty", "flipped", "foreign-version", "garbage"])
def test_a_damaged_entry_is_surveyed_again_never_shown(inbox: Path, tmp_path: Path, how: str) -> None:
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    expected = _rows(_run(inbox, tmp_path / "a.xlsx", cache))
    entries = _entries(cache)
    assert len(entries) == 6
    for entry in entries[:3]:
        _damage(entry, how)
    again = SurveyCache.open(tmp_path / "cache")
    assert again is not None
    assert _rows(_run(inbox, tmp_path / "b.xlsx", again)) == expected
    assert (again.hits, again.rejected, again.stored) == (3, 3, 3)
    third = SurveyCache.open(tmp_path / "cache")
    assert third is not None
    _run(inbox, tmp_path / "c.xlsx", third)
    assert (third.hits, third.rejected) == (6, 0)  # rewritten whole


def test_an_entry_of_another_submission_is_not_taken_for_this_one(inbox: Path, tmp_path: Path) -> None:
    """Valid entries swapped between keys (or a payload that is well-formed but not for this
    key) fail the checksum, which covers the key."""
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    expected = _rows(_run(inbox, tmp_path / "a.xlsx", cache))
    a, b = _entries(cache)[:2]
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    again = SurveyCache.open(tmp_path / "cache")
    assert again is not None
    assert _rows(_run(inbox, tmp_path / "b.xlsx", again)) == expected
    assert again.rejected == 2


def test_a_checksummed_entry_of_the_wrong_shape_is_rejected(tmp_path: Path) -> None:
    cache = SurveyCache(tmp_path / "c")
    cache.put("ab" * 32, ("not a summary", b""))  # type: ignore[arg-type]
    assert cache.get("ab" * 32, tmp_path / "x") is None and cache.rejected == 1


def test_failed_surveys_are_not_kept(inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = next(p.name for p in sorted(inbox.iterdir()) if p.is_dir())
    _patched_survey(monkeypatch, victim, os.abort)
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    result = run_district(inbox, tmp_path / "a.xlsx", jobs=1, cache=cache, timeout_s=30)
    assert {o.submission: o.codes for o in result.organisations}[victim] == ("worker-died",)
    assert cache.stored == 5 and len(_entries(cache)) == 5


def test_what_the_key_covers(tmp_path: Path) -> None:
    folder = tmp_path / "org"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.xlsx").write_bytes(b"one")
    (folder / "sub" / "logo.png").write_bytes(b"png")
    key = submission_key(folder, LIMITS)
    assert key is not None and key == submission_key(folder, LIMITS)
    os.utime(folder / "a.xlsx", (1, 1))
    assert submission_key(folder, LIMITS) == key  # content, not times
    (folder / "sub" / "logo.png").write_bytes(b"PNG")
    changed = submission_key(folder, LIMITS)
    assert changed != key  # a picture the workbook may name is content too
    (folder / "b.txt").write_bytes(b"")
    assert submission_key(folder, LIMITS) != changed  # so is a new entry
    renamed = tmp_path / "org2"
    shutil.copytree(folder, renamed)
    assert submission_key(renamed, LIMITS) != submission_key(folder, LIMITS)  # the name is shown
    assert submission_key(folder, dataclasses.replace(LIMITS, max_members=3)) != submission_key(folder, LIMITS)
    loose = tmp_path / "loose.xlsx"
    loose.write_bytes(b"x")
    assert submission_key(loose, LIMITS) is None  # a picture it names may be anything beside it
    archive = tmp_path / "org.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.xlsx", b"one")
    assert submission_key(archive, LIMITS) is not None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_the_key_never_opens_a_pipe_or_follows_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"one")
    os.mkfifo(folder / "pipe.xlsx")
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    (folder / "link.xlsx").symlink_to(outside)
    start = time.monotonic()
    key = submission_key(folder, LIMITS)
    assert key is not None and time.monotonic() - start < 5
    outside.write_bytes(b"changed")
    assert submission_key(folder, LIMITS) == key  # the link's target is not read
    (tmp_path / "link.zip").symlink_to(outside)
    assert submission_key(tmp_path / "link.zip", LIMITS) is None


def test_two_writers_at_once_leave_one_whole_entry(tmp_path: Path) -> None:
    cache = SurveyCache(tmp_path / "c")
    key = "cd" * 32
    values = [(None, bytes([n]) * 200_000) for n in range(8)]

    def put(n: int) -> None:
        for _ in range(20):
            cache.put(key, values[n])  # type: ignore[arg-type]

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    files = list((tmp_path / "c").rglob("*"))
    assert [f.name for f in files if f.is_file()] == [f"{key}.bin"]  # no temporary file left
    data = (tmp_path / "c" / key[:2] / f"{key}.bin").read_bytes()
    payload = district_cache._decode(key, data)
    assert payload is None  # (None, …) is not a summary: the shape check holds even here
    raw = pickle.loads(data[len(district_cache._MAGIC) + 32 :])
    assert raw in values  # one writer's whole value, never a mix


def test_other_versions_are_cleared_and_off_means_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "cache" / "district" / "0123456789abcdef"
    old.mkdir(parents=True)
    (old / "x.bin").write_bytes(b"old")
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None and not old.exists()
    assert cache.folder.parent == tmp_path / "cache" / "district"
    monkeypatch.setenv("ITA_REPORT_CACHE", "off")
    assert SurveyCache.open() is None
    monkeypatch.setenv("ITA_REPORT_CACHE", str(tmp_path / "env"))
    opened = SurveyCache.open()
    assert opened is not None and opened.folder.parent == tmp_path / "env" / "district"


def test_cli_caches_unless_told_not_to(inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITA_REPORT_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    args = ["district", str(inbox), "-o", str(tmp_path / "s.xlsx"), "--no-progress", "--force", "-j", "1"]
    first = runner.invoke(main, args)
    assert first.exit_code == 1 and "unchanged since last surveyed" not in first.output
    again = runner.invoke(main, args)
    assert again.exit_code == 1 and "6 of 6 submission(s) unchanged since last surveyed" in again.output
    off = runner.invoke(main, [*args, "--no-cache"])
    assert off.exit_code == 1 and "unchanged since last surveyed" not in off.output


def test_an_old_entry_put_under_a_resubmission_key_is_rejected(inbox: Path, tmp_path: Path) -> None:
    """The same organisation's earlier result, copied to where its new content's result goes
    (same submission, same shape, whole): only the checksum over the key tells them apart."""
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    _run(inbox, tmp_path / "a.xlsx", cache)
    folder = next(p for p in sorted(inbox.iterdir()) if p.is_dir())
    old_key = submission_key(folder, LIMITS)
    assert old_key is not None
    workbook = sorted(folder.glob("*.xlsx"))[0]
    workbook.write_bytes(workbook.read_bytes()[:500])
    new_key = submission_key(folder, LIMITS)
    assert new_key is not None and new_key != old_key
    old_entry = cache.folder / old_key[:2] / f"{old_key}.bin"
    new_entry = cache.folder / new_key[:2] / f"{new_key}.bin"
    new_entry.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(old_entry, new_entry)
    again = SurveyCache.open(tmp_path / "cache")
    assert again is not None
    got = {o.submission: o for o in _run(inbox, tmp_path / "b.xlsx", again).organisations}
    assert again.rejected == 1 and "corrupt-file" in got[folder.name].codes


def test_file_digests_are_remembered_only_for_unchanged_settled_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run again reads only the files that changed; a file written just before it was read,
    one changed behind a restored time, and a damaged digests file are never trusted."""
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"one")
    (folder / "b.xlsx").write_bytes(b"two")
    os.utime(folder / "a.xlsx", (1, 1))
    memo = tmp_path / "files.digests"
    plain = submission_key(folder, LIMITS)
    digests = district_cache.FileDigests.open(memo)
    assert submission_key(folder, LIMITS, digests) == plain  # the same key with or without
    digests.save()
    # b.xlsx was changed just now (racily clean): not remembered; a.xlsx was (its ctime is new
    # too, so only when RACY_NS is lowered)
    assert not district_cache.FileDigests.open(memo).new
    monkeypatch.setattr(district_cache, "RACY_NS", -(10**12))
    digests = district_cache.FileDigests.open(memo)
    submission_key(folder, LIMITS, digests)
    digests.save()
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(district_cache.os, "open", lambda p, *a: opened.append(str(p)) or real_open(p, *a))
    digests = district_cache.FileDigests.open(memo)
    assert submission_key(folder, LIMITS, digests) == plain and opened == []  # nothing read again
    stamp = os.stat(folder / "a.xlsx")
    (folder / "a.xlsx").write_bytes(b"ONE")  # same size, time put back: the change time differs
    os.utime(folder / "a.xlsx", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    digests = district_cache.FileDigests.open(memo)
    got = submission_key(folder, LIMITS, digests)
    assert opened == [str(folder / "a.xlsx")]  # only the changed file is read
    assert got == submission_key(folder, LIMITS) != plain
    data = bytearray(memo.read_bytes())
    data[-3] ^= 1
    memo.write_bytes(bytes(data))
    assert district_cache.FileDigests.open(memo).old == {}


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_results_unused_for_months_are_pruned_those_in_use_kept(inbox: Path, tmp_path: Path) -> None:
    """Within one program version the cache does not grow for ever: entries and summary packs
    not used for UNUSED_DAYS are removed (at most once a day); a run's own results are marked
    used when found, so an inbox run again keeps every one of them."""
    cache = SurveyCache.open(tmp_path / "cache")
    assert cache is not None
    _run(inbox, tmp_path / "a.xlsx", cache)
    entries = _entries(cache)
    packs = sorted((cache.folder / "summary").glob("*.pack"))
    assert len(entries) == 6 and len(packs) == 1
    stale = entries[0].with_name("0" * 64 + ".bin")  # another inbox's result, long unused
    shutil.copyfile(entries[0], stale)
    other_pack = packs[0].with_name("f" * 32 + ".pack")
    shutil.copyfile(packs[0], other_pack)
    for path in [*entries, *packs, stale, other_pack]:
        _age(path, district_cache.UNUSED_DAYS + 10)
    (cache.folder / "pruned").unlink()  # the last pass was long ago

    again = SurveyCache.open(tmp_path / "cache")
    assert again is not None
    _run(inbox, tmp_path / "b.xlsx", again)
    assert again.hits == 6  # every result reused ...
    assert _entries(again) == entries and sorted((again.folder / "summary").glob("*.pack")) == packs  # ... and kept
    assert not stale.exists() and not other_pack.exists()
    for path in [*entries, *packs]:
        assert time.time() - path.stat().st_mtime < 3600  # marked used

    # at most once a day: a stale entry made now waits for tomorrow's pass
    shutil.copyfile(entries[0], stale)
    _age(stale, district_cache.UNUSED_DAYS + 10)
    assert again.prune() == 0 and stale.exists()
    assert again.prune(now=time.time() + 86400 + 60) == 1 and not stale.exists()


def test_pruning_an_unwritable_or_missing_folder_is_no_error(tmp_path: Path) -> None:
    cache = SurveyCache(tmp_path / "nowhere")
    assert cache.prune() == 0
