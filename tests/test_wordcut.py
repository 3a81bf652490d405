"""compiler.wordcut: pythainlp's words, quick to start and remembered, never different."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.corpus import thai_words
from pythainlp.tokenize import subword_tokenize, word_dict_trie, word_tokenize
from python_calamine import CalamineWorkbook

from compiler import wordcut

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new process's state, with its own cache folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ITA_REPORT_CACHE", str(folder))
    _forget(monkeypatch)
    return folder


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordcut, "_state", {"at_exit": True})  # nothing registered at exit in tests
    monkeypatch.setattr(wordcut, "_used", {"words": set(), "clusters": set()})
    monkeypatch.setattr(wordcut, "_new", [0])
    monkeypatch.setattr(wordcut, "stats", {"remembered": 0, "cut": 0})


def _sample_texts() -> list[str]:
    texts: dict[str, None] = {}
    for path in sorted((ROOT / "sample_workbooks").rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                for value in row:
                    if isinstance(value, str) and any("\u0e01" <= ch <= "\u0e4e" for ch in value):
                        texts[value] = None
    return list(texts)


SAMPLES = _sample_texts()


def test_the_samples_hold_enough_thai_to_compare() -> None:
    assert len(SAMPLES) > 200 and sum(map(len, SAMPLES)) > 10_000


def test_the_dictionary_finds_the_same_words_as_pythainlps_trie_everywhere() -> None:
    trie, ours = word_dict_trie(), wordcut.Dictionary.build(thai_words())
    positions = 0
    for text in [*SAMPLES, "ชินโซ อาเบะ", "ก", ""]:
        for start in range(len(text) + 1):
            assert ours.prefixes(text, start) == trie.prefixes(text, start), (text, start)
            positions += 1
    assert positions > 10_000


def test_the_dictionary_holds_the_same_words_as_pythainlps() -> None:
    ours, words = wordcut.Dictionary.build(thai_words()), {w.strip() for w in thai_words()} - {""}
    assert all(w in ours for w in words)
    assert not any(w + "ฯ" in ours for w in list(words)[:5000] if w + "ฯ" not in words)
    assert "" not in ours and "ไม่มีคำนี้ในพจนานุกรม" not in ours


def test_the_cut_runs_pythainlps_own_modules_without_its_package(tmp_path: Path) -> None:
    """The installed pythainlp's newmm is loaded from its source (not the whole package), and
    cuts as ``word_tokenize``; in a new process nothing of the package is imported."""
    assert wordcut._newmm_from_source() is not None
    script = (
        "import sys; from compiler import wordcut; "
        "print(wordcut.words('ประสบผลอย่างไร ๑๒:๐๐ น.'), [m for m in sys.modules if m.startswith('pythainlp')])"
    )
    env = {**os.environ, "ITA_REPORT_CACHE": str(tmp_path / "cache")}
    for _ in range(2):  # the word list read from pythainlp's corpus once, then from the cache folder
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("[]"), proc.stdout
    expected = word_tokenize("ประสบผลอย่างไร ๑๒:๐๐ น.", engine="newmm", keep_whitespace=True)
    assert proc.stdout.startswith(repr(expected))


@pytest.mark.parametrize(
    "text",
    [
        "ผ่านช่องทางต่าง ๆ เช่น Facebook Line Website หรือบอร์ดประชาสัมพันธ์ เป็นต้น ทุก ๆ เดือน",
        "เสือจนท่า ข้าจนทาง เสือทลายห้าง ช้างทลายโรง เสียน้อยเสียยาก เสียมากเสียง่าย ขาดๆ วิ่นๆ",
        "ประชุม 12 : 00 น.\r\nเวลา 12:00 น. งบ 1, 000.50 บาท\tข้อ ๑  ข้อ ๒ ทุก ๆ คน ",
    ],
)
def test_a_text_is_cut_in_pieces_at_spaces_no_dictionary_word_holds(fresh: Path, text: str) -> None:
    pieces = wordcut._pieces(text)
    assert "".join(pieces) == text and len(pieces) > 4
    assert not any(p.endswith(("ทุก", "ต่าง", "เสือจนท่า")) for p in pieces)  # ทุก ๆ, ต่าง ๆ … kept whole
    assert wordcut.words(text) == word_tokenize(text, engine="newmm", keep_whitespace=True)


def test_every_sample_text_is_cut_as_pythainlp_cuts_it(fresh: Path) -> None:
    for text in SAMPLES:
        assert wordcut.words(text) == word_tokenize(text, engine="newmm", keep_whitespace=True), text
        assert wordcut.words(text, keep_whitespace=False) == word_tokenize(text, engine="newmm", keep_whitespace=False)
        assert wordcut.clusters(text) == subword_tokenize(text, engine="tcc"), text


_THAIISH = st.text(alphabet=st.sampled_from([chr(c) for c in range(0x0E01, 0x0E5C)] + list(" /()-.,:0123456789ab\n")))


@settings(max_examples=300, deadline=None)
@given(_THAIISH)
def test_any_text_is_cut_as_pythainlp_cuts_it(text: str) -> None:
    assert wordcut.words(text) == word_tokenize(text, engine="newmm", keep_whitespace=True)
    assert wordcut.words(text, keep_whitespace=False) == word_tokenize(text, engine="newmm", keep_whitespace=False)
    assert wordcut.clusters(text) == subword_tokenize(text, engine="tcc")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(thai_words())[::97]), min_size=1, max_size=25))
def test_runs_of_dictionary_words_are_cut_as_pythainlp_cuts_them(parts: list[str]) -> None:
    text = "".join(parts)
    assert wordcut.words(text) == word_tokenize(text, engine="newmm", keep_whitespace=True)


def test_remembered_on_disk_for_the_next_process(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "ผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรม"
    first = wordcut.words(text)
    assert wordcut.clusters("ภูซาง") == ["ภู", "ซา", "ง"]
    assert wordcut.stats == {"remembered": 0, "cut": 2}
    wordcut.save()
    assert len(list((fresh / "wordcut").glob("memo-*.bin"))) == 1
    assert len(list((fresh / "wordcut").glob("dictionary-*.bin"))) == 1
    _forget(monkeypatch)  # the next process
    assert wordcut.words(text) == first and wordcut.clusters("ภูซาง") == ["ภู", "ซา", "ง"]
    assert wordcut.stats == {"remembered": 2, "cut": 0}
    assert "dictionary" not in wordcut._state  # nothing new: the dictionary was not even loaded


def test_a_damaged_memo_or_dictionary_is_never_trusted(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "ส่วนงานที่รับผิดชอบ"
    expected = word_tokenize(text, engine="newmm")
    assert wordcut.words(text) == expected
    wordcut.save()
    for path in (fresh / "wordcut").glob("*.bin"):
        data = bytearray(path.read_bytes())
        data[-3] ^= 0x55
        path.write_bytes(bytes(data))
    _forget(monkeypatch)
    assert wordcut.words(text) == expected
    assert wordcut.stats == {"remembered": 0, "cut": 1}


def test_a_memo_past_its_size_keeps_what_this_process_used(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordcut, "MAX_REMEMBERED", 3)
    old = ["กองคลัง", "กองช่าง", "สำนักปลัด", "งานพัสดุ"]
    for text in old:
        wordcut.words(text)
    wordcut.save()
    _forget(monkeypatch)
    wordcut.words("กองคลัง")
    wordcut.words("ผู้อำนวยการ")
    wordcut.save()
    _forget(monkeypatch)
    assert set(wordcut._memo()["words"]) == {"กองคลัง", "ผู้อำนวยการ"}


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITA_REPORT_CACHE", "off")
    _forget(monkeypatch)
    assert wordcut.words("กองคลัง") == word_tokenize("กองคลัง", engine="newmm")
    wordcut.save()
    assert list(tmp_path.iterdir()) == []


def test_a_build_whose_texts_were_seen_does_not_import_pythainlp(tmp_path: Path) -> None:
    sample = ROOT / "sample_workbooks" / "ban_tom_2565"
    env = dict(os.environ, ITA_REPORT_CACHE=str(tmp_path / "cache"))
    code = (
        "import sys; from compiler import api, wordcut; "
        f"r = api.build([{str(sample)!r}], {str(tmp_path / 'r.docx')!r}, force=True); assert r.written; "
        "print('pythainlp' in sys.modules, wordcut.stats['cut'])"
    )
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split()[0] == "True" and int(first.stdout.split()[1]) > 50
    assert again.stdout.split() == ["False", "0"]
    assert (tmp_path / "r.docx").stat().st_size > 10_000
