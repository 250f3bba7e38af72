"""Reading one cell: blank, text, flags, dates and years of birth, JSON-able values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giamngheo.core.records.cells import birth, blank, cfold, date, flag, jsonable, text
from giamngheo.core.records.vocab import FALSE_WORDS, TRUE_WORDS, is_minority


def test_blank_and_text() -> None:
    assert blank(None) and blank("") and blank("  \t") and not blank(0) and not blank("x")
    assert text(None) == "" and text("  A Blong ") == "A Blong"
    assert text(1980.0) == "1980" and text(1.5) == "1.5" and text(7) == "7"


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("", False),
        (None, False),
        (True, True),
        (False, False),
        (1.0, True),
        (0.0, False),
        ("x", True),
        ("X", True),
        ("có", True),
        ("Có", True),
        ("không", False),
        ("k", False),
        ("c", True),
        ("đúng", True),
        ("yes", True),
        ("no", False),
        ("TRUE", True),
        ("false", False),
        (" 1 ", True),
        (2, None),
        (0.5, None),
        ("z", None),
        ("có lẽ", None),
        ("#REF!", None),
    ],
)
def test_flag(cell: object, value: bool | None) -> None:
    assert flag(cell) is value


@given(st.text(max_size=6))
def test_a_flag_is_read_from_its_folded_word_or_refused(cell: str) -> None:
    key = cfold(text(cell))
    expected = True if key in TRUE_WORDS else False if key in FALSE_WORDS else None
    assert flag(cell) is expected


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (1980, (None, 1980)),
        ("1980", (None, 1980)),
        (1980.0, (None, 1980)),
        ("12/03/1980", (dt.date(1980, 3, 12), 1980)),
        ("1980-03-12", (dt.date(1980, 3, 12), 1980)),
        ("12-03-1980", (dt.date(1980, 3, 12), 1980)),
        ("12.03.1980", (dt.date(1980, 3, 12), 1980)),
        ("1980-03-12T00:00:00", (dt.date(1980, 3, 12), 1980)),
        (dt.date(1980, 3, 12), (dt.date(1980, 3, 12), 1980)),
        (dt.datetime(1980, 3, 12, 8, 30), (dt.date(1980, 3, 12), 1980)),
        ("ngày xưa", None),
        ("", None),
        (None, None),
        ("31/02/1980", None),
        (80, None),
    ],
)
def test_birth(cell: object, value: tuple[dt.date | None, int] | None) -> None:
    assert birth(cell) == value


def test_date_is_a_full_date_only() -> None:
    assert date("15/06/2019") == dt.date(2019, 6, 15)
    assert date("2019") is None and date(None) is None and date("x") is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_date_is_read_back(day: dt.date) -> None:
    for written in (day, day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%d.%m.%Y")):
        assert birth(written) == (day, day.year)


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(),
        st.dates(),
        st.datetimes(),
        st.decimals(allow_nan=False, allow_infinity=False),
    )
)
def test_jsonable_values_are_json(value: object) -> None:
    json.dumps(jsonable(value))


def test_jsonable_dates() -> None:
    assert jsonable(dt.datetime(2019, 6, 15)) == "2019-06-15"
    assert jsonable(dt.datetime(2019, 6, 15, 8, 30)) == "2019-06-15T08:30:00"
    assert jsonable(dt.date(2019, 6, 15)) == "2019-06-15"


def test_minorities() -> None:
    assert is_minority("Xơ Đăng") and is_minority("Ba Na")
    assert not is_minority("Kinh") and not is_minority("KINH") and not is_minority("Việt")
    assert not is_minority("") and not is_minority("viet (kinh)")
