"""A campaign's step due dates, the unit's overrides, the posting end and step status.

The expected dates are counted by hand from the calendar: in 2019 Sunday 1/9 and Quốc khánh on
Monday 2/9; in 2025 Quốc khánh on Monday 1/9 and Tuesday 2/9. The default intermediate
durations (suggestions) are list 10, assign 5, survey 20, meeting 10, complaints 5 and decision
5 working days; posting 7 working days (TT 17/2016) or 3 (QĐ 24/2021, provisional).
"""

from __future__ import annotations

from datetime import date

import pytest

from giamngheo.core.review import (
    STEP_KEYS,
    WorkCalendar,
    build_schedule,
    days_late,
    get_rules,
    out_of_order,
    posting_end,
    rules_for,
    status_of,
)
from giamngheo.core.review.schedule import UNIT_NOTE, StepDue

CAL = WorkCalendar()
TT17 = get_rules("TT17-2016")
QD24 = get_rules("QD24-2021")


def dues(schedule: tuple[StepDue, ...]) -> dict[str, date]:
    return {s.key: s.due for s in schedule}


# 2019 under TT 17/2016, window 1/9–31/12:
#   list      1/9 + 10 wd: 3,4,5,6 | 9–13 | 16/9            -> Mon 16/9
#   assign    + 5: 17,18,19,20,23                            -> Mon 23/9
#   survey    + 20: 24–27 | 30/9–4/10 | 7–11 | 14–18 | 21    -> Mon 21/10
#   meeting   + 10: 22–25 | 28/10–1/11 | 4/11                -> Mon 4/11
#   posting   + 7: 5–8 | 11,12,13                            -> Wed 13/11
#   complaints + 5: 14,15,18,19,20                           -> Wed 20/11
#   decision  + 5: 21,22,25,26,27                            -> Wed 27/11
#   report    the window's end                               -> Tue 31/12
SCHEDULE_2019 = {
    "list": date(2019, 9, 16),
    "assign": date(2019, 9, 23),
    "survey": date(2019, 10, 21),
    "meeting": date(2019, 11, 4),
    "posting": date(2019, 11, 13),
    "complaints": date(2019, 11, 20),
    "decision": date(2019, 11, 27),
    "report": date(2019, 12, 31),
}

# 2025 under QĐ 24/2021, window 1/9–14/12:
#   list      1/9 + 10 wd: (2/9 holiday) 3,4,5 | 8–12 | 15,16 -> Tue 16/9
#   assign    + 5: 17,18,19,22,23                             -> Tue 23/9
#   survey    + 20: 24–26 | 29/9–3/10 | 6–10 | 13–17 | 20,21  -> Tue 21/10
#   meeting   + 10: 22–24 | 27–31 | 3/11, 4/11                -> Tue 4/11
#   posting   + 3: 5,6,7                                      -> Fri 7/11
#   complaints + 5: 10–14                                     -> Fri 14/11
#   decision  + 5: 17–21                                      -> Fri 21/11
#   report    the window's end (a Sunday; the legal date)     -> Sun 14/12
SCHEDULE_2025 = {
    "list": date(2025, 9, 16),
    "assign": date(2025, 9, 23),
    "survey": date(2025, 10, 21),
    "meeting": date(2025, 11, 4),
    "posting": date(2025, 11, 7),
    "complaints": date(2025, 11, 14),
    "decision": date(2025, 11, 21),
    "report": date(2025, 12, 14),
}


def test_schedule_2019_defaults() -> None:
    s = build_schedule(rules_for(2019), 2019, CAL)
    assert tuple(x.key for x in s) == STEP_KEYS
    assert dues(s) == SCHEDULE_2019
    by_key = {x.key: x for x in s}
    assert by_key["posting"].origin == "legal" and not by_key["posting"].provisional
    assert by_key["list"].origin == "suggested" and not by_key["list"].provisional
    assert by_key["complaints"].origin == "suggested" and by_key["complaints"].provisional
    assert by_key["report"].origin == "legal" and by_key["report"].provisional  # 31/12 is [L]
    assert all(x.name_vi and x.name_en and x.note is not None for x in s)
    assert out_of_order(s) == ()


def test_schedule_2019_with_the_seed_plans_report_date() -> None:
    # A provincial plan: report the results to the district before 15/10/2019.
    s = build_schedule(TT17, 2019, CAL, {"report": date(2019, 10, 15)})
    got = dues(s)
    assert got == {**SCHEDULE_2019, "report": date(2019, 10, 15)}
    report = s[-1]
    assert (report.origin, report.provisional, report.note) == ("unit", False, UNIT_NOTE)
    # The suggestions from the survey on now fall after the unit's report date.
    assert out_of_order(s) == ("survey", "meeting", "posting", "complaints", "decision")


def test_an_override_moves_the_steps_that_follow() -> None:
    # The meeting set to Friday 1/11/2019: posting 7 wd = 4–8, 11, 12 -> Tuesday 12/11.
    s = build_schedule(TT17, 2019, CAL, {"meeting": date(2019, 11, 1)})
    got = dues(s)
    assert got["meeting"] == date(2019, 11, 1)
    assert got["posting"] == date(2019, 11, 12)
    assert got["complaints"] == date(2019, 11, 19)  # 13, 14, 15, 18, 19
    assert got["list"] == SCHEDULE_2019["list"]  # steps before are unchanged


def test_schedule_2025_defaults() -> None:
    s = build_schedule(rules_for(2025), 2025, CAL)
    assert dues(s) == SCHEDULE_2025
    by_key = {x.key: x for x in s}
    assert by_key["posting"].origin == "legal" and by_key["posting"].provisional
    assert by_key["report"].origin == "legal" and not by_key["report"].provisional


def test_schedule_2025_with_unit_overrides() -> None:
    # Survey set to Friday 31/10: meeting + 10 wd = 3–7 | 10–14 -> Fri 14/11; posting + 3
    # -> Wed 19/11; complaints + 5 -> Wed 26/11; decision + 5 -> Wed 3/12; report 5/12.
    s = build_schedule(QD24, 2025, CAL, {"survey": date(2025, 10, 31), "report": date(2025, 12, 5)})
    assert dues(s) == {
        "list": date(2025, 9, 16),
        "assign": date(2025, 9, 23),
        "survey": date(2025, 10, 31),
        "meeting": date(2025, 11, 14),
        "posting": date(2025, 11, 19),
        "complaints": date(2025, 11, 26),
        "decision": date(2025, 12, 3),
        "report": date(2025, 12, 5),
    }
    assert [x.origin for x in s if x.origin == "unit"] == ["unit", "unit"]
    assert out_of_order(s) == ()


def test_schedule_with_the_campaigns_own_window_and_a_day_off() -> None:
    # Diên Khánh ran 10/10–14/12/2025: list = Fri 10/10 + 10 wd = 13–17 | 20–24 -> Fri 24/10.
    s = build_schedule(QD24, 2025, CAL, window=(date(2025, 10, 10), date(2025, 12, 14)))
    assert s[0].due == date(2025, 10, 24)
    # An extra day off on Thursday 6/11 lengthens the posting after the 4/11 meeting:
    # 5, (6 off), 7, 10 -> Monday 10/11.
    cal = WorkCalendar(extra_days_off=[date(2025, 11, 6)])
    assert dues(build_schedule(QD24, 2025, cal))["posting"] == date(2025, 11, 10)


def test_schedule_2026_under_nd351_is_all_provisional() -> None:
    s = build_schedule(rules_for(2026), 2026, CAL)
    assert all(x.provisional for x in s)
    assert s[-1].due == date(2026, 12, 14)


def test_bad_overrides_and_window() -> None:
    with pytest.raises(ValueError, match="posting_end") as exc:
        build_schedule(QD24, 2025, CAL, {"posting_end": date(2025, 11, 1)})
    assert " / " in str(exc.value)
    with pytest.raises(ValueError, match="before it starts"):
        build_schedule(QD24, 2025, CAL, window=(date(2025, 12, 14), date(2025, 9, 1)))


def test_posting_end() -> None:
    # TT 17, 7 wd from Monday 26/8/2019: 27–30 | (31/8, 1/9, Quốc khánh 2/9) 3, 4, 5 -> 5/9.
    assert posting_end(date(2019, 8, 26), TT17, CAL) == date(2019, 9, 5)
    # TT 17 from Monday 20/1/2020 across Tết: 21, 22 | (23–29) 30, 31 | 3, 4, 5/2 -> 5/2.
    assert posting_end(date(2020, 1, 20), TT17, CAL) == date(2020, 2, 5)
    # QĐ 24, 3 wd from Friday 29/8/2025: (weekend, 1/9, 2/9) 3, 4, 5 -> Friday 5/9.
    assert posting_end(date(2025, 8, 29), QD24, CAL) == date(2025, 9, 5)


def test_status_of() -> None:
    due = date(2025, 11, 7)
    assert status_of(due, date(2025, 11, 7), date(2025, 11, 20)).state == "done_on_time"
    late = status_of(due, date(2025, 11, 10), date(2025, 11, 20))
    assert (late.state, late.days_overdue) == ("done_late", 3)
    assert late.label == ("Đã xong, trễ hạn", "Done late")
    over = status_of(due, None, date(2025, 11, 12))
    assert (over.state, over.days_overdue) == ("overdue", 5)
    assert status_of(due, None, date(2025, 11, 7)).state == "due_this_week"  # due today
    assert status_of(due, None, date(2025, 11, 1)).state == "due_this_week"  # in 6 days
    assert status_of(due, None, date(2025, 10, 31)).state == "on_time"  # in 7 days


def test_days_late_counts_working_days() -> None:
    # Due Friday 29/8/2025; on Wednesday 3/9 one working day late (3/9), five calendar days.
    assert days_late(date(2025, 8, 29), date(2025, 9, 3), CAL) == 1
    assert status_of(date(2025, 8, 29), None, date(2025, 9, 3)).days_overdue == 5
    assert days_late(date(2025, 8, 29), date(2025, 8, 20), CAL) == 0
