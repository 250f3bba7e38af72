"""Working days of public offices: weekends, Vietnamese holidays, the unit's own swaps.

Expected dates come from the calendar itself (weekdays) and from the public holidays as the
``holidays`` package lists them, checked against the government's announcements where known:
Tết Canh Tý 2020 was 23/1–29/1 (Thu–Wed); Tết Bính Ngọ 2026 16/2–20/2 (Mon–Fri) between two
weekends; Quốc khánh was one day in 2019 (Mon 2/9) and two from 2021 (2025: Mon 1/9, Tue 2/9).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from giamngheo.core.review.calendar import (
    SATURDAY,
    SUNDAY,
    UNIT_DAY_OFF,
    WorkCalendar,
    public_holidays,
)

CAL = WorkCalendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- Days off ---------------------------------------------------------------------------------


def test_tet_2020_is_seven_days_off_from_29_tet_to_mung_5() -> None:
    tet = days(date(2020, 1, 23), date(2020, 1, 29))
    assert all(not CAL.is_working_day(d) for d in tet)
    assert CAL.is_working_day(date(2020, 1, 22))  # Wednesday before
    assert CAL.is_working_day(date(2020, 1, 30))  # Thursday after
    assert CAL.day_off_reason(date(2020, 1, 25)) == ("Tết Nguyên Đán", "Lunar New Year")
    for d in tet:
        reason = CAL.day_off_reason(d)
        assert reason is not None
        # A Tết day that falls on a weekend still names Tết, not the weekday.
        assert "Tết" in reason[0] and "Lunar New Year" in reason[1]


def test_tet_2026_monday_to_friday_between_two_weekends() -> None:
    assert all(not CAL.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday 26 tháng Chạp
    assert CAL.is_working_day(date(2026, 2, 23))  # Monday mùng 7
    assert CAL.day_off_reason(date(2026, 2, 17)) == ("Tết Nguyên Đán", "Lunar New Year")
    assert CAL.day_off_reason(date(2026, 2, 14)) == SATURDAY
    assert CAL.day_off_reason(date(2026, 2, 22)) == SUNDAY


def test_tet_2027_new_year_on_a_saturday_moves_days_to_thursday_and_wednesday() -> None:
    # Mùng 1 Tết Đinh Mùi is Saturday 6/2/2027: the days falling on the weekend are given
    # back on Thursday 4/2 (29 Tết) and Wednesday 10/2 (mùng 5).
    assert all(not CAL.is_working_day(d) for d in days(date(2027, 2, 4), date(2027, 2, 10)))
    assert CAL.is_working_day(date(2027, 2, 3))
    assert CAL.is_working_day(date(2027, 2, 11))
    assert CAL.day_off_reason(date(2027, 2, 4)) == ("29 Tết", "29 of Lunar New Year")


def test_national_day_one_day_in_2019_two_days_in_2025() -> None:
    assert not CAL.is_working_day(date(2019, 9, 2))
    assert CAL.is_working_day(date(2019, 9, 3))
    assert CAL.day_off_reason(date(2019, 9, 2)) == ("Quốc khánh", "National Day")
    assert not CAL.is_working_day(date(2025, 9, 1))
    assert not CAL.is_working_day(date(2025, 9, 2))
    assert CAL.is_working_day(date(2025, 9, 3))
    assert CAL.day_off_reason(date(2025, 9, 1)) == ("Quốc khánh", "National Day")


def test_hung_kings_day_and_the_official_swap_of_2025() -> None:
    # 10/3 âm lịch 2025 = Monday 7/4/2025.
    reason = CAL.day_off_reason(date(2025, 4, 7))
    assert reason is not None and "Hùng Vương" in reason[0]
    # 30/4 (Wed) and 1/5 (Thu), with Friday 2/5 off in exchange for working Saturday 26/4.
    assert not CAL.is_working_day(date(2025, 4, 30))
    assert not CAL.is_working_day(date(2025, 5, 1))
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.day_off_reason(date(2025, 4, 26)) is None
    swap = CAL.day_off_reason(date(2025, 5, 2))
    assert swap is not None and "26/04/2025" in swap[0]


def test_new_year_and_a_swap_across_the_new_year() -> None:
    assert not CAL.is_working_day(date(2025, 1, 1))
    # 31/12/2018 (Mon) off, worked on Saturday 5/1/2019: the swap straddles the new year.
    assert not CAL.is_working_day(date(2018, 12, 31))
    assert CAL.is_working_day(date(2019, 1, 5))


def test_weekends_and_public_holidays_list() -> None:
    assert CAL.day_off_reason(date(2025, 10, 4)) == SATURDAY
    assert CAL.day_off_reason(date(2025, 10, 5)) == SUNDAY
    assert CAL.day_off_reason(date(2025, 10, 6)) is None
    h = public_holidays(2020)
    assert set(days(date(2020, 1, 23), date(2020, 1, 29))) <= set(h)
    assert date(2020, 9, 2) in h
    assert all(d.year == 2020 for d in h)


# --- The unit's additions -----------------------------------------------------------------------


def test_unit_extra_day_off_and_make_up_day() -> None:
    cal = WorkCalendar(
        extra_days_off=[date(2027, 2, 3)],  # Wednesday 28 tháng Chạp given off
        extra_working_days=[date(2027, 2, 13)],  # Saturday worked in exchange
    )
    assert not cal.is_working_day(date(2027, 2, 3))
    assert cal.day_off_reason(date(2027, 2, 3)) == UNIT_DAY_OFF
    assert cal.is_working_day(date(2027, 2, 13))
    assert cal.day_off_reason(date(2027, 2, 13)) is None
    # Tuesday 2/2 + 1 working day: 3/2 (unit) and 4/2–10/2 (Tết) are off -> Thursday 11/2.
    assert cal.add_working_days(date(2027, 2, 2), 1) == date(2027, 2, 11)
    # Friday 12/2 + 1: the make-up Saturday 13/2 counts.
    assert cal.add_working_days(date(2027, 2, 12), 1) == date(2027, 2, 13)
    assert CAL.add_working_days(date(2027, 2, 12), 1) == date(2027, 2, 15)


def test_a_unit_working_day_can_cancel_a_statutory_holiday() -> None:
    cal = WorkCalendar(extra_working_days=[date(2026, 11, 24)])
    assert not CAL.is_working_day(date(2026, 11, 24))  # Ngày Văn hóa Việt Nam
    assert cal.is_working_day(date(2026, 11, 24))


def test_a_day_both_off_and_working_is_refused() -> None:
    with pytest.raises(ValueError, match=" / ") as exc:
        WorkCalendar([date(2025, 4, 26)], [date(2025, 4, 26)])
    assert "2025-04-26" in str(exc.value)


def test_from_iso_and_equality() -> None:
    cal = WorkCalendar.from_iso(["2025-09-03"], ["2025-09-06"])
    assert cal == WorkCalendar([date(2025, 9, 3)], [date(2025, 9, 6)])
    assert hash(cal) == hash(WorkCalendar([date(2025, 9, 3)], [date(2025, 9, 6)]))
    assert cal.extra_days_off == frozenset({date(2025, 9, 3)})


# --- Arithmetic --------------------------------------------------------------------------------


def test_add_working_days_across_tet_2020() -> None:
    # Wednesday 22/1/2020 + 1 -> Thursday 30/1 (23–29/1 Tết).
    assert CAL.add_working_days(date(2020, 1, 22), 1) == date(2020, 1, 30)
    # Monday 20/1 + 7: 21, 22, 30, 31/1, 3, 4, 5/2.
    assert CAL.add_working_days(date(2020, 1, 20), 7) == date(2020, 2, 5)
    assert CAL.working_days_between(date(2020, 1, 20), date(2020, 2, 5)) == 7
    assert CAL.add_working_days(date(2020, 1, 30), -1) == date(2020, 1, 22)


def test_add_working_days_across_tet_2026() -> None:
    # Friday 13/2/2026 + 1 -> Monday 23/2; + 3 -> Wednesday 25/2.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_add_working_days_across_national_day() -> None:
    # 2019: Friday 30/8 + 1 -> Tuesday 3/9 (weekend, Monday 2/9).
    assert CAL.add_working_days(date(2019, 8, 30), 1) == date(2019, 9, 3)
    # 2025: Friday 29/8 + 1 -> Wednesday 3/9 (weekend, Monday 1/9 and Tuesday 2/9).
    assert CAL.add_working_days(date(2025, 8, 29), 1) == date(2025, 9, 3)
    assert CAL.working_days_between(date(2025, 8, 29), date(2025, 9, 3)) == 1


def test_zero_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2025, 9, 3), 0) == date(2025, 9, 3)
    assert CAL.add_working_days(date(2025, 8, 30), 0) == date(2025, 9, 3)  # Saturday
    assert CAL.on_or_before(date(2025, 9, 2)) == date(2025, 8, 29)


def test_working_days_between_counts_after_a_up_to_b() -> None:
    # Monday to Friday of an ordinary week: Tue, Wed, Thu, Fri.
    assert CAL.working_days_between(date(2025, 10, 6), date(2025, 10, 10)) == 4
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 10, 6)) == -4
    assert CAL.working_days_between(date(2025, 10, 6), date(2025, 10, 6)) == 0
    # Saturday to Sunday: no working day.
    assert CAL.working_days_between(date(2025, 10, 4), date(2025, 10, 5)) == 0


def test_add_and_between_agree_over_two_years() -> None:
    start = date(2025, 1, 1)
    for offset in range(0, 730, 3):
        a = start + timedelta(days=offset)
        for n in (1, 3, 7, 15):
            b = CAL.add_working_days(a, n)
            assert CAL.is_working_day(b)
            assert CAL.working_days_between(a, b) == n


def test_add_days_in_calendar_days_moves_off_days_forward() -> None:
    # 14/1/2020 + 15 days = 29/1/2020, mùng 5 Tết -> Thursday 30/1.
    assert CAL.add_days(date(2020, 1, 14), 15, "calendar") == date(2020, 1, 30)
    assert CAL.add_days(date(2020, 1, 14), 15, "calendar", roll=False) == date(2020, 1, 29)
    assert CAL.add_days(date(2020, 1, 20), 7, "working") == date(2020, 2, 5)
    with pytest.raises(ValueError, match="weeks"):
        CAL.add_days(date(2020, 1, 14), 1, "weeks")  # type: ignore[arg-type]


def test_hundreds_of_due_dates_are_fast() -> None:
    import time

    cal = WorkCalendar([date(2025, 9, 3)])
    t = time.perf_counter()
    for i in range(2000):
        cal.add_working_days(date(2024, 1, 1) + timedelta(days=i % 700), 20)
    assert time.perf_counter() - t < 2.0
