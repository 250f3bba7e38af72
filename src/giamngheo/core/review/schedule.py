"""A campaign's step due dates, and whether a step is on time.

The rule set gives each step a default due date (the law's or a suggestion); a unit may set
its own date for any step (e.g. a provincial plan's "report the results to the district before
15/10/2020"). A step counted from the previous one chains from that step's date as it stands,
overridden or not, so moving one step moves the suggestions after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal, get_args

from giamngheo.core.review.calendar import WorkCalendar
from giamngheo.core.review.rules import (
    STEP_KEYS,
    ReviewRules,
    StepKey,
    StepRule,
)
from giamngheo.core.standards.model import Note

Origin = Literal["legal", "suggested", "unit"]
ORIGINS: tuple[Origin, ...] = get_args(Origin)

UNIT_NOTE = Note("Hạn do đơn vị đặt", "Due date set by the unit")

State = Literal["done_on_time", "done_late", "on_time", "due_this_week", "overdue"]
STATES: tuple[State, ...] = get_args(State)

STATE_LABELS: Mapping[State, tuple[str, str]] = MappingProxyType(
    {
        "done_on_time": ("Đã xong, đúng hạn", "Done on time"),
        "done_late": ("Đã xong, trễ hạn", "Done late"),
        "on_time": ("Chưa đến hạn", "Not yet due"),
        "due_this_week": ("Đến hạn trong 7 ngày", "Due within 7 days"),
        "overdue": ("Quá hạn", "Overdue"),
    }
)

_WEEK = timedelta(days=6)


@dataclass(frozen=True)
class StepDue:
    """A step's due date in one campaign and where it comes from."""

    key: StepKey
    name_vi: str
    name_en: str
    due: date
    origin: Origin
    provisional: bool
    note: Note | None


@dataclass(frozen=True)
class StepStatus:
    """``days_overdue``: calendar days past the due date (0 unless late)."""

    state: State
    days_overdue: int

    @property
    def label(self) -> tuple[str, str]:
        return STATE_LABELS[self.state]


def _default_due(
    step: StepRule, start: date, end: date, previous: date | None, calendar: WorkCalendar
) -> date:
    if step.anchor == "window_start":
        return calendar.add_days(start, step.days, step.unit)
    if step.anchor == "previous":
        assert previous is not None  # the loader refuses "previous" on the first step
        return calendar.add_days(previous, step.days, step.unit)
    # window_end: the legal end itself, or ``days`` before it on a working day.
    if step.days == 0:
        return end
    if step.unit == "working":
        return calendar.add_working_days(end, -step.days)
    return calendar.on_or_before(end - timedelta(days=step.days))


def build_schedule(
    rules: ReviewRules,
    year: int,
    calendar: WorkCalendar,
    overrides: Mapping[str, date] = MappingProxyType({}),
    *,
    window: tuple[date, date] | None = None,
) -> tuple[StepDue, ...]:
    """The due date of every step of the periodic review of ``year``, in step order.

    ``overrides``: the unit's own due dates by step key. ``window``: the campaign's own
    (start, end) when the unit set one, else the rule set's window in ``year``.

    Raises:
        ValueError: an override names no step, or the window ends before it starts.
    """
    unknown = sorted(set(overrides) - set(STEP_KEYS))
    if unknown:
        raise ValueError(
            f"Không có bước {unknown[0]!r}; các bước: {', '.join(STEP_KEYS)} / "
            f"no step {unknown[0]!r}; the steps are: {', '.join(STEP_KEYS)}"
        )
    start, end = window if window is not None else rules.window_dates(year)
    if end < start:
        raise ValueError(
            f"Kết thúc rà soát ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y}) / "
            f"the review window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    out: list[StepDue] = []
    previous: date | None = None
    for step in rules.steps:
        own = overrides.get(step.key)
        if own is not None:
            item = StepDue(step.key, step.name_vi, step.name_en, own, "unit", False, UNIT_NOTE)
        else:
            p = step.provenance
            item = StepDue(
                step.key,
                step.name_vi,
                step.name_en,
                _default_due(step, start, end, previous, calendar),
                p.basis,
                p.provisional,
                p.note,
            )
        out.append(item)
        previous = item.due
    return tuple(out)


def out_of_order(schedule: tuple[StepDue, ...]) -> tuple[StepKey, ...]:
    """The steps due after a later step (e.g. suggestions pushed past a unit's early report
    date), so a page can ask the unit to set them."""
    found: list[StepKey] = []
    latest_after = date.max
    for item in reversed(schedule):
        if item.due > latest_after:
            found.append(item.key)
        latest_after = min(latest_after, item.due)
    return tuple(reversed(found))


def posting_end(start: date, rules: ReviewRules, calendar: WorkCalendar) -> date:
    """The last day of a public posting that starts on ``start`` (the day of posting is not
    counted: 7 working days from a Monday end on the Wednesday of the next week)."""
    posting = rules.posting
    return calendar.add_days(start, posting.days, posting.unit)


def days_late(due: date, today: date, calendar: WorkCalendar) -> int:
    """Working days past ``due`` as of ``today`` (0 when not late): the measure the law's
    "N ngày làm việc" deadlines use."""
    return max(0, calendar.working_days_between(due, today))


def status_of(due: date, done_on: date | None, today: date) -> StepStatus:
    """Whether a step is done on time or late, not yet due, due within the coming seven days
    (today included), or overdue; with the calendar days overdue."""
    if done_on is not None:
        late = (done_on - due).days
        return StepStatus("done_late", late) if late > 0 else StepStatus("done_on_time", 0)
    if today > due:
        return StepStatus("overdue", (today - due).days)
    if due <= today + _WEEK:
        return StepStatus("due_this_week", 0)
    return StepStatus("on_time", 0)
