"""Working days of Vietnamese public offices, for the deadlines of the review process.

Review deadlines are written as "trong thời hạn N ngày làm việc kể từ ngày …" (within N working
days from the day of an event) or in calendar days. A commune's page computes hundreds of them,
so each year's days off are computed once and kept.

Days off:

* Saturdays and Sundays;
* the statutory public holidays and the official substitutions the ``holidays`` package knows
  (``holidays.country_holidays("VN")``): Tết (several days, with the days added when a Tết day
  falls on a weekend), Giỗ Tổ Hùng Vương (10/3 lunar), 30/4, 1/5, Quốc khánh (2/9 and, from
  2021, one adjoining day), 1/1, and from 2026 Ngày Văn hóa Việt Nam (24/11); a holiday on a
  weekend gives the next working day off (nghỉ bù);
* the make-up working Saturdays (ngày làm bù) that the package knows are working days;
* what a unit adds: ``extra_days_off`` (an official extra day off the package does not know
  yet, a local holiday) and ``extra_working_days`` (a make-up working day). The government
  decides the swaps for public servants each year, often late; the unit enters them.

Counting convention (how Vietnamese law counts a period "kể từ ngày …", Bộ luật Dân sự 2015
Art. 147–148): the day of the event is **not** counted, so the deadline of "N working days from
day D" is the N-th working day after D. When a period in calendar days ends on a day off, it
ends on the next working day (Art. 148(5)); :meth:`WorkCalendar.add_days` does that unless told
not to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, get_args

import holidays

DayUnit = Literal["working", "calendar"]
DAY_UNITS: tuple[DayUnit, ...] = get_args(DayUnit)

_ONE = timedelta(days=1)
_SATURDAY = 5
_SUNDAY = 6

UNIT_DAY_OFF: tuple[str, str] = ("Ngày nghỉ do đơn vị thêm", "Extra day off added by the unit")
SATURDAY: tuple[str, str] = ("Thứ Bảy", "Saturday")
SUNDAY: tuple[str, str] = ("Chủ nhật", "Sunday")


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[Mapping[date, tuple[str, str]], frozenset[date]]:
    """The package's holidays of ``year`` with (vi, en) names, and its make-up working days.

    A swap can straddle the new year (31/12/2018 off, worked on Saturday 5/1/2019; 2/1/2015
    off, worked on Saturday 27/12/2014) and is listed under one of the two years only, so the
    years on both sides are populated too.
    """
    years = (year - 1, year, year + 1)
    vi = holidays.country_holidays("VN", years=years, language="vi")
    en = holidays.country_holidays("VN", years=years, language="en_US")
    names: dict[date, tuple[str, str]] = {}
    for day, name_vi in sorted(vi.items()):
        if day.year == year:
            names[day] = (str(name_vi), str(en.get(day, name_vi)))
    # ``weekend_workdays`` is shared between instances and may hold other years: keep ours.
    workdays = frozenset(d for d in (*vi.weekend_workdays, *en.weekend_workdays) if d.year == year)
    return MappingProxyType(names), workdays


def public_holidays(year: int) -> Mapping[date, tuple[str, str]]:
    """The statutory days off of ``year`` (the package's list, substitutions included),
    each with its (Vietnamese, English) name."""
    return _statutory(year)[0]


def _check_unit(unit: str) -> DayUnit:
    if unit not in DAY_UNITS:
        raise ValueError(
            f"Đơn vị ngày phải là một trong {DAY_UNITS}, không phải {unit!r} / "
            f"the day unit must be one of {DAY_UNITS}, not {unit!r}"
        )
    return unit


class WorkCalendar:
    """Which days public offices work, with the unit's own additions.

    Immutable once built; each year's set of days off is computed on first use and kept.
    """

    __slots__ = ("_off", "_work", "_years")

    def __init__(
        self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> None:
        self._off = frozenset(extra_days_off)
        self._work = frozenset(extra_working_days)
        both = sorted(self._off & self._work)
        if both:
            shown = ", ".join(d.isoformat() for d in both)
            raise ValueError(
                f"Ngày vừa là ngày nghỉ thêm vừa là ngày làm bù: {shown} / "
                f"days given both as an extra day off and as a working day: {shown}"
            )
        self._years: dict[int, frozenset[date]] = {}

    @classmethod
    def from_iso(
        cls, extra_days_off: Iterable[str] = (), extra_working_days: Iterable[str] = ()
    ) -> WorkCalendar:
        """A calendar from ISO date strings, as a campaign stores them."""
        return cls(
            (date.fromisoformat(s) for s in extra_days_off),
            (date.fromisoformat(s) for s in extra_working_days),
        )

    @property
    def extra_days_off(self) -> frozenset[date]:
        return self._off

    @property
    def extra_working_days(self) -> frozenset[date]:
        return self._work

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_days_off={sorted(self._off)}, "
            f"extra_working_days={sorted(self._work)})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return self._off == other._off and self._work == other._work

    def __hash__(self) -> int:
        return hash((self._off, self._work))

    def _days_off(self, year: int) -> frozenset[date]:
        off = self._years.get(year)
        if off is None:
            names, makeup = _statutory(year)
            days: set[date] = set(names)
            d = date(year, 1, 1)
            while d.year == year:
                if d.weekday() >= _SATURDAY and d not in makeup:
                    days.add(d)
                d += _ONE
            days |= {x for x in self._off if x.year == year}
            days -= self._work
            off = frozenset(days)
            self._years[year] = off
        return off

    def is_working_day(self, d: date) -> bool:
        return d not in self._days_off(d.year)

    def day_off_reason(self, d: date) -> tuple[str, str] | None:
        """Why ``d`` is a day off, as (Vietnamese, English); None on a working day."""
        if self.is_working_day(d):
            return None
        if d in self._off:
            return UNIT_DAY_OFF
        name = _statutory(d.year)[0].get(d)
        if name is not None:
            return name
        return SUNDAY if d.weekday() == _SUNDAY else SATURDAY

    def on_or_after(self, d: date) -> date:
        """``d`` if it is a working day, else the next working day."""
        while not self.is_working_day(d):
            d += _ONE
        return d

    def on_or_before(self, d: date) -> date:
        """``d`` if it is a working day, else the previous working day."""
        while not self.is_working_day(d):
            d -= _ONE
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted).

        ``n == 0`` gives ``start`` if it is a working day, else the next working day;
        ``n < 0`` counts backwards: the ``|n|``-th working day before ``start``.
        """
        if n == 0:
            return self.on_or_after(start)
        step = _ONE if n > 0 else -_ONE
        left = abs(n)
        d = start
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b < a``.

        So ``working_days_between(a, add_working_days(a, n)) == n`` for ``n >= 1``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + _ONE
        while d <= b:
            if self.is_working_day(d):
                count += 1
            d += _ONE
        return count

    def add_days(self, start: date, n: int, unit: DayUnit, *, roll: bool = True) -> date:
        """The end of a period of ``n`` days from ``start`` (``start`` not counted).

        ``unit="working"``: :meth:`add_working_days`. ``unit="calendar"``: ``start + n`` days,
        moved to the next working day when it is a day off (Civil Code 2015 Art. 148(5)),
        unless ``roll=False``.
        """
        if _check_unit(unit) == "working":
            return self.add_working_days(start, n)
        end = start + timedelta(days=n)
        return self.on_or_after(end) if roll else end
