"""Vietnamese number reading and writing."""

from __future__ import annotations

import doctest
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giamngheo.core import numbers
from giamngheo.core.numbers import (
    ColumnKind,
    NumberFormatError,
    decimal_mark_evidence,
    decimal_places,
    format_decimal,
    format_int,
    format_pct,
    parse_count,
    parse_points,
    parse_rate,
    round_half_up,
)


def test_doctests() -> None:
    result = doctest.testmod(numbers)
    assert result.attempted > 5
    assert result.failed == 0


@pytest.mark.parametrize(
    ("text", "kind", "mark"),
    [
        ("27,42", ColumnKind.RATE, ","),
        ("20,7", ColumnKind.RATE, ","),
        ("1.75", ColumnKind.RATE, "."),
        ("15.954", ColumnKind.COUNT, ","),
        ("4,807", ColumnKind.COUNT, "."),
        ("1.234.567", ColumnKind.COUNT, ","),
        ("1,234,567", ColumnKind.COUNT, "."),
        ("1.234,5", ColumnKind.RATE, ","),
        ("1,234.5", ColumnKind.RATE, "."),
        ("1,234", ColumnKind.RATE, None),  # 1.234 % or 1 234 %?
        ("4807", ColumnKind.COUNT, None),
        ("84", ColumnKind.COUNT, None),
    ],
)
def test_decimal_mark_evidence(text: str, kind: ColumnKind, mark: str | None) -> None:
    assert decimal_mark_evidence(text, kind) == mark


def test_parse_count_vietnamese_and_english() -> None:
    assert parse_count("4.807") == 4807
    assert parse_count("15.954", ",") == 15954
    assert parse_count("4,807", ".") == 4807
    assert parse_count("4807", None) == 4807
    assert parse_count("1.234.567", None) == 1234567
    assert parse_count("4 807") == 4807
    assert parse_count("4\u00a0807") == 4807
    assert parse_count(" 84 ") == 84
    assert parse_count("-") == 0
    assert parse_count("–") == 0
    assert parse_count(4807) == 4807
    assert parse_count(4807.0) == 4807
    assert parse_count("-5") == -5


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("4,807", ","),  # Vietnamese decimal comma: 4.807 households
        ("4.807", "."),  # English decimal: 4.807 households
        ("4.8", ","),  # thousands group must have three digits
        ("48.07", ","),
        ("abc", ","),
        ("1.2.3", ","),
        ("", ","),
        ("4 80", ","),
        ("12a", ","),
    ],
)
def test_parse_count_rejects(text: str, mark: str) -> None:
    with pytest.raises(NumberFormatError) as info:
        parse_count(text, mark)  # type: ignore[arg-type]
    assert info.value.message_vi and info.value.message_en


def test_parse_count_rejects_fractional_float_and_bool() -> None:
    with pytest.raises(NumberFormatError, match="whole"):
        parse_count(4807.5)
    with pytest.raises(NumberFormatError):
        parse_count(True)


def test_parse_rate_keeps_printed_precision() -> None:
    assert parse_rate("20,7") == Decimal("20.7")
    assert str(parse_rate("20,7")) == "20.7"
    assert str(parse_rate("20,70")) == "20.70"
    assert str(parse_rate("1,75")) == "1.75"
    assert str(parse_rate("1.75", ".")) == "1.75"
    assert str(parse_rate("1.75", None)) == "1.75"
    assert str(parse_rate("27,42", None)) == "27.42"
    assert str(parse_rate("5")) == "5"
    assert str(parse_rate("1,75%")) == "1.75"
    assert parse_rate("-") is None
    assert str(parse_rate(1.75)) == "1.75"
    assert str(parse_rate(1.6, places=2)) == "1.60"
    assert str(parse_rate(20.7, places=1)) == "20.7"
    assert str(parse_rate(2, places=2)) == "2.00"


def test_parse_rate_ambiguous_without_convention() -> None:
    with pytest.raises(NumberFormatError, match="two ways"):
        parse_rate("1,234", None)
    assert parse_rate("1,234", ",") == Decimal("1.234")
    assert parse_rate("1,234", ".") == Decimal("1234")


def test_parse_rate_wrong_convention_rejected() -> None:
    with pytest.raises(NumberFormatError):
        parse_rate("1.75", ",")  # "." is the thousands separator: "1.75" is malformed


def test_parse_points() -> None:
    assert parse_points("1,2") == parse_points("1.2") == Decimal("1.2")
    assert parse_points("7") == Decimal(7)
    assert parse_points("1,2%") == Decimal("1.2")
    with pytest.raises(NumberFormatError):
        parse_points("1,2,3")
    with pytest.raises(NumberFormatError):
        parse_points("abc")


def test_round_half_up_exact() -> None:
    assert round_half_up(Fraction(1, 800) * 100, 2) == Decimal("0.13")  # 0.125 → 0.13
    assert round_half_up(Fraction(2400, 1491), 2) == Decimal("1.61")
    assert round_half_up(Fraction(22700, 1094), 1) == Decimal("20.7")
    assert round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
    assert round_half_up(Fraction(1, 3), 0) == Decimal("0")
    assert str(round_half_up(Fraction(1, 1), 2)) == "1.00"


def test_format() -> None:
    assert format_int(4807) == "4.807"
    assert format_int(4807, "en") == "4,807"
    assert format_int(15954) == "15.954"
    assert format_int(1234567) == "1.234.567"
    assert format_int(84) == "84"
    assert format_int(-4807) == "-4.807"
    assert format_pct(Decimal("1.75")) == "1,75"
    assert format_pct(Decimal("1.75"), "en") == "1.75"
    assert format_pct(Decimal("20.7")) == "20,70"
    assert format_pct(Fraction(2400, 1491)) == "1,61"
    assert format_pct(Decimal("0.125")) == "0,13"
    assert format_decimal(Decimal("20.7")) == "20,7"
    assert format_decimal(Decimal("1234.5")) == "1.234,5"
    assert format_decimal(Decimal("1234.5"), "en") == "1,234.5"
    assert format_decimal(Decimal("-0.50")) == "-0,50"
    assert decimal_places(Decimal("20.70")) == 2
    assert decimal_places(Decimal("5")) == 0


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_int_round_trip(n: int) -> None:
    assert parse_count(format_int(n), ",") == n
    assert parse_count(format_int(n, "en"), ".") == n


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_rate_round_trip(d: Decimal) -> None:
    assert parse_rate(format_decimal(d), ",") == d
    assert parse_rate(format_decimal(d, "en"), ".") == d
