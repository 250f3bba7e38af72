"""Revolving capital (``giamngheo.core.support.revolving``): schedules, a household's position,
a model's summary and the recovered pool.

The running example: a cow-raising revolving model in Đắk Ang (Ngọc Hồi) giving each household
15.000.000 đ, recovered in 3 yearly instalments after a 12-month grace."""

from __future__ import annotations

import calendar
import doctest
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giamngheo.core.support import revolving
from giamngheo.core.support.revolving import (
    Collection,
    Instalment,
    RevolvingError,
    add_months,
    check_relend,
    make_schedule,
    pool_position,
    position,
    summarise,
)

M = 1_000_000
START = date(2020, 6, 15)
COW = make_schedule(15 * M, START, count=3, every_months=12, grace_months=12)


def test_doctests() -> None:
    result = doctest.testmod(revolving)
    assert result.attempted > 0
    assert result.failed == 0


# --- schedules --------------------------------------------------------------------------------
def test_cow_schedule() -> None:
    schedule = make_schedule(15 * M, START, count=3, every_months=12, grace_months=12)
    assert schedule == COW
    assert schedule == [
        Instalment(date(2022, 6, 15), 5 * M),
        Instalment(date(2023, 6, 15), 5 * M),
        Instalment(date(2024, 6, 15), 5 * M),
    ]


def test_schedule_without_grace_and_uneven() -> None:
    schedule = make_schedule(10 * M, date(2020, 1, 10), count=3, every_months=6)
    assert [i.due for i in schedule] == [date(2020, 7, 10), date(2021, 1, 10), date(2021, 7, 10)]
    assert [i.amount for i in schedule] == [3_333_334, 3_333_333, 3_333_333]


def test_schedule_clamps_the_31st() -> None:
    schedule = make_schedule(4 * M, date(2023, 10, 31), count=4, every_months=1)
    assert [i.due for i in schedule] == [
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
    ]
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2020, 2, 29), 12) == date(2021, 2, 28)
    assert add_months(date(2020, 5, 31), -3) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("amount", "count", "every", "grace"),
    [(0, 3, 12, 0), (-5, 3, 12, 0), (100, 0, 12, 0), (100, 3, 0, 0), (100, 3, 12, -1)],
)
def test_schedule_refuses(amount: int, count: int, every: int, grace: int) -> None:
    with pytest.raises(RevolvingError) as info:
        make_schedule(amount, START, count, every, grace)
    assert info.value.code == "bad_schedule"
    assert info.value.message_vi and info.value.message_en


@given(
    st.integers(1, 10**10),
    st.dates(date(2000, 1, 1), date(2090, 12, 31)),
    st.integers(1, 60),
    st.integers(1, 24),
    st.integers(0, 60),
)
def test_schedule_properties(amount: int, start: date, count: int, every: int, grace: int) -> None:
    schedule = make_schedule(amount, start, count, every, grace)
    assert len(schedule) == count
    assert sum(i.amount for i in schedule) == amount
    assert max(i.amount for i in schedule) - min(i.amount for i in schedule) <= 1
    dues = [i.due for i in schedule]
    assert dues == sorted(dues)
    assert len(set(dues)) == count
    assert dues[0] > start
    assert dues[-1] == add_months(start, grace + every * count)
    for d in dues:
        assert d.day == min(start.day, calendar.monthrange(d.year, d.month)[1])


# --- a household's position ------------------------------------------------------------------
def test_position_during_grace() -> None:
    p = position(COW, [], date(2021, 12, 31))
    assert (p.amount, p.due, p.collected, p.outstanding, p.overdue) == (15 * M, 0, 0, 15 * M, 0)
    assert (p.overdue_since, p.days_overdue, p.paid_off) == (None, 0, False)


def test_position_on_the_due_date() -> None:
    p = position(COW, [], date(2022, 6, 15))
    assert (p.due, p.overdue, p.overdue_since, p.days_overdue) == (
        5 * M,
        5 * M,
        date(2022, 6, 15),
        0,
    )


def test_position_partly_paid_and_overdue() -> None:
    collections = [Collection(date(2022, 7, 1), 3 * M)]
    p = position(COW, collections, date(2022, 9, 13))
    assert (p.due, p.collected, p.outstanding, p.overdue) == (5 * M, 3 * M, 12 * M, 2 * M)
    assert p.overdue_since == date(2022, 6, 15)
    assert p.days_overdue == 90


def test_position_oldest_first() -> None:
    # The first instalment paid in full and 1 M of the second: what is overdue a year later
    # dates from the second instalment.
    collections = [Collection(date(2022, 6, 10), 5 * M), Collection(date(2023, 5, 1), 1 * M)]
    p = position(COW, collections, date(2023, 7, 15))
    assert (p.due, p.collected, p.overdue) == (10 * M, 6 * M, 4 * M)
    assert (p.overdue_since, p.days_overdue) == (date(2023, 6, 15), 30)


def test_position_paid_ahead_and_off() -> None:
    early = [Collection(date(2021, 1, 5), 8 * M)]
    p = position(COW, early, date(2022, 6, 15))
    assert (p.overdue, p.overdue_since, p.outstanding) == (0, None, 7 * M)
    # The later collection is not yet counted on the earlier day …
    later = [*early, Collection(date(2024, 6, 1), 7 * M)]
    assert position(COW, later, date(2023, 6, 15)).collected == 8 * M
    # … and pays it off on its own day.
    done = position(COW, later, date(2024, 6, 1))
    assert (done.paid_off, done.outstanding, done.overdue) == (True, 0, 0)


def test_position_refuses_over_collection() -> None:
    collections = [Collection(date(2022, 6, 15), 5 * M), Collection(date(2025, 1, 1), 11 * M)]
    # Refused even on a day before the offending collection: the record is wrong.
    with pytest.raises(RevolvingError) as info:
        position(COW, collections, date(2022, 12, 31))
    assert info.value.code == "over_collection"
    assert "11.000.000 đ" in info.value.message_vi
    assert "10.000.000 đ" in info.value.message_vi
    assert "01/01/2025" in info.value.message_vi
    assert "11,000,000 VND" in info.value.message_en


@pytest.mark.parametrize("amount", [0, -1, 2.5, True])
def test_position_refuses_bad_collection(amount: int) -> None:
    with pytest.raises(RevolvingError) as info:
        position(COW, [Collection(date(2022, 6, 15), amount)], date(2022, 12, 31))
    assert info.value.code == "bad_collection"


def test_position_refuses_empty_schedule() -> None:
    with pytest.raises(RevolvingError) as info:
        position([], [], date(2022, 12, 31))
    assert info.value.code == "bad_schedule"


@given(
    st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 6 * M)), max_size=8),
    st.integers(0, 2500),
)
def test_position_properties(raw: list[tuple[int, int]], offset: int) -> None:
    collections = []
    total = 0
    for days, amount in raw:
        if total + amount > 15 * M:
            break
        total += amount
        collections.append(Collection(START + timedelta(days=days), amount))
    on = START + timedelta(days=offset)
    p = position(COW, collections, on)
    assert p.collected + p.outstanding == p.amount == 15 * M
    assert 0 <= p.overdue <= p.due
    assert p.overdue == max(0, p.due - p.collected)
    assert p.paid_off == (p.outstanding == 0)
    if p.overdue:
        assert p.overdue_since in {i.due for i in COW}
        assert p.overdue_since is not None and p.overdue_since <= on
        assert p.days_overdue == (on - p.overdue_since).days
        # Every instalment due before it is fully covered by what was collected.
        before = sum(i.amount for i in COW if i.due < p.overdue_since)
        assert before <= p.collected
    else:
        assert (p.overdue_since, p.days_overdue) == (None, 0)


def test_summarise_a_model() -> None:
    on = date(2023, 7, 15)
    households = [
        position(COW, [], on),
        position(COW, [Collection(date(2022, 6, 1), 5 * M)], on),
        position(COW, [Collection(date(2022, 6, 1), 15 * M)], on),
    ]
    s = summarise(households)
    assert (s.households, s.amount, s.due, s.collected) == (3, 45 * M, 30 * M, 20 * M)
    assert (s.outstanding, s.overdue) == (25 * M, 15 * M)
    assert (s.households_overdue, s.households_paid_off) == (2, 1)
    assert summarise([]).households == 0


# --- the pool ---------------------------------------------------------------------------------
def test_pool_position() -> None:
    pool = pool_position(20 * M, 15 * M)
    assert (pool.collected, pool.relent, pool.available, pool.over_relent) == (
        20 * M,
        15 * M,
        5 * M,
        0,
    )
    over = pool_position(10 * M, 15 * M)
    assert (over.available, over.over_relent) == (0, 5 * M)
    with pytest.raises(RevolvingError) as info:
        pool_position(-1, 0)
    assert info.value.code == "bad_amount"


def test_check_relend() -> None:
    assert check_relend(15 * M, 15 * M) is None
    assert check_relend(0, 0) is None
    finding = check_relend(15 * M, 5 * M, key=("dak_ang", "bo"), label="Mô hình nuôi bò Đắk Ang")
    assert finding is not None
    assert (finding.code, finding.severity, finding.key) == (
        "relend_over_recovered",
        "error",
        ("dak_ang", "bo"),
    )
    assert finding.amounts == {"asked": 15 * M, "available": 5 * M, "excess": 10 * M}
    assert finding.message_vi.startswith("Mô hình nuôi bò Đắk Ang: ")
    assert "5.000.000 đ" in finding.message_vi
    assert "10,000,000 VND" in finding.message_en
