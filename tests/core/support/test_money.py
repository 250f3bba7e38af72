"""Money in đồng (``giamngheo.core.support.money``): writing, strict reading, amounts in words
and exact splitting."""

from __future__ import annotations

import doctest
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giamngheo.core.support import money
from giamngheo.core.support.money import (
    MoneyError,
    amount_in_words,
    amount_in_words_en,
    format_vnd,
    parse_vnd,
    split_amount,
)


def test_doctests() -> None:
    result = doctest.testmod(money)
    assert result.attempted > 0
    assert result.failed == 0


# --- format_vnd -------------------------------------------------------------------------------
def test_format_vnd() -> None:
    assert format_vnd(1250000) == "1.250.000 đ"
    assert format_vnd(1250000, "en") == "1,250,000 VND"
    assert format_vnd(-15_000_000) == "-15.000.000 đ"
    assert format_vnd(0) == "0 đ"
    assert format_vnd(999) == "999 đ"
    assert format_vnd(1250000, unit=False) == "1.250.000"
    assert format_vnd(1250000, "en", unit=False) == "1,250,000"


@pytest.mark.parametrize("bad", [True, 1.0, Decimal(5), "1000"])
def test_format_vnd_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_vnd(bad)  # type: ignore[arg-type]


# --- parse_vnd --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        1250000,
        1250000.0,
        Decimal("1250000"),
        "1250000",
        "1.250.000",
        "1.250.000 đ",
        "1.250.000đ",
        "1.250.000 đồng",
        "1.250.000 VNĐ",
        "1.250.000 vnd",
        "1,250,000",
        "1,250,000 VND",
        "1 250 000",
        "1\u00a0250\u00a0000 ₫",
        "  1.250.000  ",
        "1.250.000 Đ",
    ],
)
def test_parse_vnd_accepts(value: object) -> None:
    assert parse_vnd(value) == 1250000


def test_parse_vnd_single_groups() -> None:
    # The dot is the Vietnamese thousands separator, even once.
    assert parse_vnd("1.250") == 1250
    assert parse_vnd("0") == 0
    assert parse_vnd("15.000.000 đ") == 15_000_000


def test_parse_vnd_nfd_unit() -> None:
    import unicodedata

    assert parse_vnd(unicodedata.normalize("NFD", "1.250.000 đồng")) == 1250000


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1,5", "decimal"),
        ("12.5", "decimal"),
        ("1.250,50", "decimal"),
        ("1.250.000,00", "decimal"),
        ("1,250,000.00", "decimal"),
        (12.5, "decimal"),
        (Decimal("12.5"), "decimal"),
        ("1,250", "ambiguous"),
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("một triệu", "not_a_number"),
        ("abc", "not_a_number"),
        ("đ", "not_a_number"),
        ("1.25.000", "not_a_number"),
        ("1 25 000", "not_a_number"),
        ("12,50,000", "not_a_number"),
        ("١٢٣", "not_a_number"),
        (True, "not_a_number"),
        (float("nan"), "not_a_number"),
        (float("inf"), "not_a_number"),
        ([1], "not_a_number"),
        (1e17, "too_large"),
        ("-5.000", "negative"),
        (-5000, "negative"),
        ("−5.000 đ", "negative"),
    ],
)
def test_parse_vnd_refuses(value: object, code: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_vnd(value)
    assert info.value.code == code
    assert info.value.message_vi
    assert info.value.message_en
    assert info.value.message_vi != info.value.message_en


def test_parse_vnd_quotes_the_value() -> None:
    with pytest.raises(MoneyError) as info:
        parse_vnd("12,5 triệu")
    assert "12,5 triệu" in info.value.message_vi
    assert "12,5 triệu" in info.value.message_en


def test_parse_vnd_negative_allowed() -> None:
    assert parse_vnd("-5.000", allow_negative=True) == -5000
    assert parse_vnd("- 5.000 đ", allow_negative=True) == -5000
    assert parse_vnd(-5000, allow_negative=True) == -5000


@given(st.integers(min_value=0, max_value=10**15))
def test_parse_vnd_reads_what_format_vnd_writes(amount: int) -> None:
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(format_vnd(amount, unit=False)) == amount
    if amount >= 10**6:  # two English commas or more: unambiguous
        assert parse_vnd(format_vnd(amount, "en")) == amount


# --- in words ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (55, "Năm mươi lăm đồng"),
        (100, "Một trăm đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (1001, "Một nghìn không trăm linh một đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (105000, "Một trăm linh năm nghìn đồng"),
        (1250000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (1000050, "Một triệu không trăm năm mươi đồng"),
        (15_000_000, "Mười lăm triệu đồng"),
        (40_000_000, "Bốn mươi triệu đồng"),
        (1000000000, "Một tỷ đồng"),
        (1000005000, "Một tỷ không trăm linh năm nghìn đồng"),
        (1000000005, "Một tỷ không trăm linh năm đồng"),
        (1005000000, "Một tỷ không trăm linh năm triệu đồng"),
        (75_000_000_000_000, "Bảy mươi lăm nghìn tỷ đồng"),
        (2_005_000_000_000, "Hai nghìn không trăm linh năm tỷ đồng"),
        (10**15, "Một triệu tỷ đồng"),
        (10**15 + 1, "Một triệu tỷ không trăm linh một đồng"),
        (-1500, "Âm một nghìn năm trăm đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Zero dong"),
        (21, "Twenty-one dong"),
        (105000, "One hundred five thousand dong"),
        (1250000, "One million two hundred fifty thousand dong"),
        (1000005000, "One billion five thousand dong"),
        (10**15, "One quadrillion dong"),
        (-40_000_000, "Minus forty million dong"),
    ],
)
def test_amount_in_words_en(amount: int, words: str) -> None:
    assert amount_in_words_en(amount) == words


def test_amount_in_words_refuses() -> None:
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        amount_in_words_en(True)
    with pytest.raises(MoneyError) as info:
        amount_in_words_en(10**21)
    assert info.value.code == "too_large"


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_amount_in_words_shape(amount: int) -> None:
    for text, unit in ((amount_in_words(amount), " đồng"), (amount_in_words_en(amount), " dong")):
        assert "  " not in text
        assert text == text.strip()
        assert text[0].isupper()
        assert text[1:] == text[1:].lower()
        assert text.endswith(unit)
    vi = amount_in_words(amount)
    assert vi.startswith("Âm ") == (amount < 0)
    # "mốt" and "tư" only after "mươi"; "lăm" never right after "trăm" or "linh".
    words = vi.lower().split()
    for before, word in itertools.pairwise(words):
        if word in {"mốt", "tư"}:
            assert before == "mươi"
        if word == "lăm":
            assert before in {"mười", "mươi"}


@given(st.integers(min_value=1, max_value=999_999_999))
def test_amount_in_words_distinct(amount: int) -> None:
    assert amount_in_words(amount) != amount_in_words(amount + 1)


# --- split_amount -----------------------------------------------------------------------------
def test_split_amount_examples() -> None:
    assert split_amount(15_000_000, [1, 1, 1]) == [5_000_000] * 3
    assert split_amount(100, [1, 1, 1]) == [34, 33, 33]
    assert split_amount(101, [1, 1, 1]) == [34, 34, 33]
    assert split_amount(10, [1, 3]) == [3, 7]  # 2.5 / 7.5: tie to the earlier index
    assert split_amount(7, [0, 1, 0]) == [0, 7, 0]
    assert split_amount(0, [2, 5]) == [0, 0]
    # A budget spread over three communes by their poor households.
    assert split_amount(1_000_000_000, [986, 250, 14]) == [788_800_000, 200_000_000, 11_200_000]


@pytest.mark.parametrize(
    ("total", "weights", "code"),
    [(100, [], "bad_weights"), (100, [0, 0], "bad_weights"), (100, [1, -1, 2], "bad_weights")],
)
def test_split_amount_refuses(total: int, weights: list[int], code: str) -> None:
    with pytest.raises(MoneyError) as info:
        split_amount(total, weights)
    assert info.value.code == code


def test_split_amount_refuses_negative_and_floats() -> None:
    with pytest.raises(MoneyError) as info:
        split_amount(-1, [1])
    assert info.value.code == "negative"
    with pytest.raises(TypeError):
        split_amount(100, [0.5, 0.5])  # type: ignore[list-item]


@given(
    st.integers(min_value=0, max_value=10**13),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any),
)
def test_split_amount_sums_and_stays_near_the_share(total: int, weights: list[int]) -> None:
    parts = split_amount(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        share = Fraction(total * weight, sum(weights))
        assert abs(part - share) < 1
        if weight == 0:
            assert part == 0


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=1, max_value=50))
def test_split_amount_equal_weights(total: int, count: int) -> None:
    parts = split_amount(total, [1] * count)
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1
    assert all(total // count <= p <= -(-total // count) for p in parts)
    assert parts == sorted(parts, reverse=True)  # the extra đồng go to the earlier parts
