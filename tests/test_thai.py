import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler import thai


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ปี 2565", "ปี ๒๕๖๕"),
        ("(i4 : 100 คะแนน)", "(i๔ : ๑๐๐ คะแนน)"),
        ("ดู www.phusang.go.th/2565 ก่อน", "ดู www.phusang.go.th/2565 ก่อน"),
        ("https://itas.nacc.go.th/go/o12", "https://itas.nacc.go.th/go/o12"),
        ("ส่ง saraban12@gmail.com วันที่ 3", "ส่ง saraban12@gmail.com วันที่ ๓"),
        ("มาตรฐาน ISO9001 และ COVID-19 ข้อ 2", "มาตรฐาน ISO9001 และ COVID-19 ข้อ ๒"),
        ("ไม่มีตัวเลข", "ไม่มีตัวเลข"),
    ],
)
def test_thai_digits_except_urls_emails_and_latin_codes(text, expected):
    assert thai.to_thai_digits(text) == expected


@given(st.text())
def test_digit_round_trip_is_lossless_on_digits(text):
    assert thai.to_arabic_digits(thai.to_thai_digits(thai.to_arabic_digits(text))) == thai.to_arabic_digits(text)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        (2565, 2565),
        ("๒๕๖๕", 2565),
        ("พ.ศ. 2565", 2565),
        (2022, 2565),
        ("65", 2565),
        (2565.0, 2565),
        ("ไม่รู้", None),
        (None, None),
    ],
)
def test_parse_year(value, year):
    assert thai.parse_year(value) == year


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("21 มีนาคม 2565", dt.date(2022, 3, 21)),
        ("๒๑ มี.ค. ๖๕", dt.date(2022, 3, 21)),
        ("วันที่ ๒๒ เดือน กุมภาพันธ์ พ.ศ.๒๕๖๕", dt.date(2022, 2, 22)),
        ("21/3/2565", dt.date(2022, 3, 21)),
        ("2022-03-21", dt.date(2022, 3, 21)),
        (dt.datetime(2022, 3, 21, 10, 0), dt.date(2022, 3, 21)),
        (44641, dt.date(2022, 3, 21)),
        ("31 กุมภาพันธ์ 2565", None),
        ("เร็ว ๆ นี้", None),
    ],
)
def test_parse_date(value, date):
    assert thai.parse_date(value) == date


def test_thai_date_styles():
    d = dt.date(2022, 3, 21)
    assert thai.thai_date(d) == "21 มีนาคม 2565"
    assert thai.thai_date(d, "official") == "21 เดือน มีนาคม พ.ศ. 2565"
    assert thai.thai_date(d, "short") == "21 มี.ค. 65"


def test_fiscal_year_bounds():
    assert thai.fiscal_year_bounds(2565) == (dt.date(2021, 10, 1), dt.date(2022, 9, 30))


def test_month_mentions():
    assert thai.month_mentions("ต.ค. ๒๕๖๔ – พ.ย. ๒๕๖๔") == [(2021, 10), (2021, 11)]
    assert thai.month_mentions("ธันวาคม 2564 ถึง เมษายน 2565") == [(2021, 12), (2022, 4)]


def _clean_text_every_step(text: str) -> str:
    """``clean_text`` without its shortcut for text that needs nothing: every step, always."""
    text = thai._DROPPED.sub("", thai._ZERO_WIDTH.sub("", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\x85", "\n")
    text = thai.fix_thai(thai._C1.sub("", thai._CONTROL.sub("", text)))
    lines = (thai._SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


#: Pieces of clerks' cells, and of what ``clean_text`` treats specially (a space, a break, a
#: mark out of order, a character it drops), joined a few at a time.
_CELL_PIECES = st.one_of(
    st.sampled_from(
        [
            *("ก", "ดำ", "a", " ", "  ", "ก ", " ก", "\n", "\r", "\t", "\x0b", "\x85", "\x93", "\u00a0", "\u00ad"),
            *("\u1680", "\u200b", "\u2029", "\u202e", "\ue000", "\U000f0001", "่่", "ํา", "่ั"),
        ]
    ),
    st.characters(),
)


@settings(max_examples=500)
@given(st.lists(_CELL_PIECES, max_size=8).map("".join))
@example("ก  ก")
@example("ก\n ก")
@example("ก \nก")
@example("ก\n\nก")
@example(" ก")
@example("ก ")
def test_clean_text_shortcut_changes_nothing(text):
    # clean text is returned as it is (the shortcut); anything else goes through every step
    assert thai.clean_text(text) == _clean_text_every_step(text)


@pytest.mark.parametrize("text", ["ผลการ ดำเนินการ\nข้อ ๒", "", "a b", "ก่อน"])
def test_clean_text_keeps_clean_text_as_it_is(text):
    assert thai.clean_text(text) is text


def test_clean_text_fixes_what_clerks_type():
    assert thai.clean_text("  ผล\u200bการ  ดําเนินการ \r\n\n ข้อ ๒ ") == "ผลการ ดำเนินการ\nข้อ ๒"
    assert thai.clean_text(None) == ""
    assert thai.clean_text("a\x00b\x0bc") == "abc"


def test_broken_thai_pattern_is_the_three_rules():
    # sara am typed as nikhahit + sara aa, a tone mark before an upper/lower vowel, a mark
    # typed twice: every match is two characters, so every pair of the Thai block decides it
    rules = re.compile(f"\u0e4d\u0e32|[\u0e48-\u0e4b][\u0e31\u0e34-\u0e3a\u0e47]|([{thai._THAI_MARKS}])\\1")
    block = [chr(c) for c in range(0x0E00, 0x0E80)]
    pairs = [a + b for a, b in itertools.product(block, repeat=2)]
    assert [p for p in pairs if thai.has_broken_thai(p)] == [p for p in pairs if rules.search(p)]
    assert sum(1 for p in pairs if thai.has_broken_thai(p)) > 20


def test_broken_thai_detected_and_fixed():
    assert thai.has_broken_thai("ดําเนิน")
    assert not thai.has_broken_thai("ดำเนิน")
    assert thai.fix_thai("ดําเนิน") == "ดำเนิน"
    assert thai.fix_thai("ก่่อน") == "ก่อน"


@pytest.mark.parametrize(
    ("value", "number"),
    [("๑๒,๕๐๐ บาท", Decimal("12500")), (12500, Decimal("12500")), ("ไม่ใช้งบประมาณ", None), ("", None), (True, None)],
)
def test_parse_number(value, number):
    assert thai.parse_number(value) == number


def test_budget_and_score_formatting():
    assert thai.format_budget(Decimal("12500")) == "12,500 บาท"
    assert thai.format_budget(Decimal("1234.5")) == "1,234.50 บาท"
    assert thai.format_budget(None) == "ไม่ใช้งบประมาณ"
    assert thai.format_budget(Decimal(0)) == "ไม่ใช้งบประมาณ"
    assert thai.format_score(99.5) == "99.5"
    assert thai.format_score(100.0) == "100"
    assert thai.format_score(93.05) == "93.05"


def test_header_key_ignores_spaces_and_breaks():
    assert thai.header_key("มาตรการ /\n กิจกรรม") == "มาตรการ/กิจกรรม"


def test_bahttext():
    assert thai.bahttext(12500) == "หนึ่งหมื่นสองพันห้าร้อยบาทถ้วน"


# --- long paragraphs -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("ผลการ ดำเนินการ", 100, ["ผลการ ดำเนินการ"]),
        ("ผลการ ดำเนินการ", 10, ["ผลการ", "ดำเนินการ"]),  # at the space
        ("ผลการ ดำเนินการ", 8, ["ผลการ", "ดำเนิน", "การ"]),  # then between Thai words
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # no space, no Thai: at the limit
        ("abc\u0e01\u0e34\u0e49d", 4, ["abc", "\u0e01\u0e34\u0e49d"]),  # never between a letter and its marks
        ("abcเกd", 4, ["abc", "เกd"]),  # never after a vowel written before its consonant
        ("a🇹🇭🇹🇭", 4, ["a🇹🇭", "🇹🇭"]),  # flags are pairs of regional indicators
        ("a👨\u200d👩b", 3, ["a", "👨\u200d👩", "b"]),  # never at a zero-width joiner
        ("", 5, [""]),
    ],
)
def test_split_long(text: str, limit: int, pieces: list[str]) -> None:
    assert thai.split_long(text, limit) == pieces


def test_split_long_cuts_thai_between_words() -> None:
    text = "การดำเนินงานตามมาตรการส่งเสริมคุณธรรม" * 100
    pieces = thai.split_long(text, 500)
    assert "".join(pieces) == text and all(len(p) <= 500 for p in pieces)
    from pythainlp.tokenize import word_tokenize

    words = set(itertools.accumulate(len(w) for w in word_tokenize(text, engine="newmm")))
    cuts = set(itertools.accumulate(len(p) for p in pieces[:-1]))
    assert cuts <= words  # every cut falls between two words of the whole text


def test_private_use_and_bidi_override_characters_are_left_out() -> None:
    """Private-use characters draw as empty boxes in Word; bidi overrides show text in another
    order than typed; both slowed LibreOffice's layout to a crawl."""
    assert thai.dropped_character("ผล\uf70aการ") == "U+F70A" and thai.dropped_character("ผลการ") == ""
    assert thai.dropped_character("ปี \u202e2565") == "U+202E"
    assert thai.clean_text("ผล\uf70aการ \U000f0001\U0010fffd") == "ผลการ"
    assert thai.clean_text("ปี \u202e2565\u202c \u2067שלום\u2069") == "ปี 2565 שלום"


def test_c1_controls_are_dropped_and_next_line_breaks_the_line() -> None:
    assert thai.clean_text("ผล\x93การ\x94\x85ข้อ ๒\x9f") == "ผลการ\nข้อ ๒"


def test_month_tables_are_pythainlps() -> None:
    """We keep our own copy of the month names (importing pythainlp costs every command
    45–100 ms); it must stay what pythainlp has."""
    from pythainlp.util.date import thai_abbr_months, thai_full_months

    assert thai.MONTHS == tuple(thai_full_months)
    assert thai.MONTHS_ABBR == tuple(thai_abbr_months)


def test_collation_is_thai_dictionary_order() -> None:
    ranks = thai.collation_ranks(["เมือง", "ภูซาง", "บ้านต๋อม", "แม่ใจ", "เมือง"])
    assert sorted(ranks, key=ranks.get) == ["บ้านต๋อม", "ภูซาง", "เมือง", "แม่ใจ"]
