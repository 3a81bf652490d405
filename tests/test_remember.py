"""The bounded memo of text checks (compiler/remember.py): the same answers as the function,
texts only, long texts and a full memo handled."""

from __future__ import annotations

from compiler import remember, thai


def test_answers_are_the_functions_and_only_texts_are_remembered() -> None:
    calls: list[object] = []

    @remember.remembered
    def shout(value: object) -> str:
        calls.append(value)
        return str(value).upper()

    assert shout("ab") == "AB" and shout("ab") == "AB"
    assert calls == ["ab"]  # the second answer came from the memo
    assert (shout(1), shout(1.0), shout(True)) == ("1", "1.0", "TRUE")  # equal keys, never mixed up
    long = "x" * (remember.MEMO_TEXT + 1)
    shout(long)
    shout(long)
    assert calls.count(long) == 2  # a long text is checked afresh every time


def test_a_full_memo_starts_again_and_answers_stay_right() -> None:
    @remember.remembered
    def length(text: str) -> int:
        return len(text)

    for i in range(remember.MEMO_SIZE * 2 + 5):
        assert length(str(i)) == len(str(i))
    assert length("12345") == 5


def test_the_thai_checks_answer_alike_from_the_memo() -> None:
    for text in ("ดําเนิน", "ดำเนิน", "ผล  การ", " ก", "", "ก่ิ"):
        for _ in range(2):
            assert thai.has_broken_thai(text) is thai.has_broken_thai.__wrapped__(text)  # type: ignore[attr-defined]
            assert thai.header_key(text) == thai.header_key.__wrapped__(text)  # type: ignore[attr-defined]
    assert thai.header_key(None) == "" and thai.header_key(12) == "12"


def test_kept_drops_the_least_recently_used_past_its_bound() -> None:
    from compiler.remember import Kept

    kept: Kept[int, str] = Kept(3)
    for n in range(5):
        kept.keep(n, str(n))
    assert list(kept) == [2, 3, 4] and kept.values() == ["2", "3", "4"] and len(kept) == 3
    assert kept.get(0) is None and kept.get(4) == "4"
    kept.keep(4, "again")  # a key kept again takes its new value, nothing else goes
    assert kept.get(4) == "again" and len(kept) == 3
    assert kept.get(2) == "2"  # used now: the least recently used is 3
    kept.keep(5, "5")
    assert kept.get(3) is None and kept.get(2) == "2"
    kept.clear()
    assert len(kept) == 0
