"""Revolving capital: what a household repays, where it stands, and the recovered pool.

Some production-support models hand a household capital (a cow, seedlings, cash) on the
condition that it is paid back (thu hồi vốn) so that the commune can pass it on to the next
households (quay vòng). Provinces set the share to recover and the terms in their own
decisions (e.g. Tiền Giang QĐ 15/2023/QĐ-UBND), so the terms come in as arguments here, never
as constants.

* :func:`make_schedule` turns an amount into equal instalments (exact to the đồng, by
  :func:`~giamngheo.core.support.money.split_amount`). Instalment *i* (from 0) falls due
  ``grace_months + every_months × (i + 1)`` calendar months after the start, so the whole
  term is the grace plus ``count × every_months`` (the way the Social Policy Bank counts
  "15 years including a 5-year grace"); a day that a month does not have becomes its last day
  (31 January + 1 month = 28 or 29 February), always counted from the start so that the
  following dates return to the 31st.
* :func:`position` says where a household stands on a day: due, collected, outstanding,
  overdue since when. Collections pay the oldest instalment first. An instalment is due on
  its due date (that day it is overdue by 0 days if unpaid).
* :func:`pool_position` and :func:`check_relend`: capital recovered and re-lent to the next
  households; what is re-lent can never exceed what was recovered.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from giamngheo.core.support.funds import Finding
from giamngheo.core.support.money import MoneyError, format_vnd, split_amount

__all__ = [
    "Collection",
    "Instalment",
    "PoolPosition",
    "Position",
    "RecoverySummary",
    "RevolvingError",
    "add_months",
    "check_relend",
    "make_schedule",
    "pool_position",
    "position",
    "summarise",
]


class RevolvingError(MoneyError):
    """A schedule or a collection that cannot be right (``code``, bilingual messages)."""


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def add_months(start: date, months: int) -> date:
    """``start`` moved by calendar months, the day clamped to the month's last day.

    >>> add_months(date(2020, 1, 31), 1), add_months(date(2020, 1, 31), 2)
    (datetime.date(2020, 2, 29), datetime.date(2020, 3, 31))
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


@dataclass(frozen=True)
class Instalment:
    due: date
    amount: int


def make_schedule(
    amount: int, start: date, count: int, every_months: int, grace_months: int = 0
) -> list[Instalment]:
    """``count`` equal instalments of ``amount`` (see the module docstring for the dates);
    the đồng that do not divide evenly go to the first instalments.

    >>> [(i.due.isoformat(), i.amount) for i in make_schedule(100, date(2020, 1, 31), 3, 1)]
    [('2020-02-29', 34), ('2020-03-31', 33), ('2020-04-30', 33)]
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise RevolvingError(
            "bad_schedule",
            f"số vốn phải thu hồi phải là số đồng nguyên dương, không phải «{amount}»",
            f"the capital to recover must be a positive whole number of đồng, not '{amount}'",
        )
    if count < 1 or every_months < 1 or grace_months < 0:
        raise RevolvingError(
            "bad_schedule",
            f"lịch thu hồi không hợp lệ: {count} kỳ, mỗi kỳ {every_months} tháng, "
            f"ân hạn {grace_months} tháng",
            f"invalid schedule: {count} instalments every {every_months} months, "
            f"{grace_months} months' grace",
        )
    parts = split_amount(amount, [1] * count)
    return [
        Instalment(add_months(start, grace_months + every_months * (i + 1)), part)
        for i, part in enumerate(parts)
    ]


@dataclass(frozen=True)
class Collection:
    on: date
    amount: int


@dataclass(frozen=True)
class Position:
    """Where one household stands on a day (all amounts whole đồng).

    ``due``: the instalments due by that day; ``collected``: collected by that day;
    ``outstanding``: the whole capital less what is collected; ``overdue``: what is due and
    not collected; ``overdue_since``: the due date of the earliest instalment not fully paid
    when something is overdue; ``days_overdue``: days since then.
    """

    amount: int
    due: int
    collected: int
    outstanding: int
    overdue: int
    overdue_since: date | None
    days_overdue: int
    paid_off: bool


def _checked_collections(amount: int, collections: Iterable[Collection]) -> list[Collection]:
    """The collections in date order; each positive and none beyond what remains."""
    ordered = sorted(collections, key=lambda c: c.on)
    total = 0
    for c in ordered:
        if isinstance(c.amount, bool) or not isinstance(c.amount, int) or c.amount <= 0:
            raise RevolvingError(
                "bad_collection",
                f"khoản thu ngày {_day(c.on)} phải là số đồng nguyên dương, không phải "
                f"«{c.amount}»",
                f"the collection of {_day(c.on)} must be a positive whole number of đồng, "
                f"not '{c.amount}'",
            )
        remaining = amount - total
        if c.amount > remaining:
            raise RevolvingError(
                "over_collection",
                f"khoản thu {format_vnd(c.amount)} ngày {_day(c.on)} vượt số vốn còn phải "
                f"thu hồi {format_vnd(remaining)}",
                f"the collection of {format_vnd(c.amount, 'en')} on {_day(c.on)} is more "
                f"than the {format_vnd(remaining, 'en')} still to recover",
            )
        total += c.amount
    return ordered


def position(
    schedule: Sequence[Instalment], collections: Iterable[Collection], on: date
) -> Position:
    """The household's position on ``on`` (see :class:`Position`). Every collection, also a
    later one, is checked: none may exceed what remains (``RevolvingError``
    ``over_collection``)."""
    if not schedule:
        raise RevolvingError(
            "bad_schedule", "lịch thu hồi không có kỳ nào", "the schedule has no instalment"
        )
    instalments = sorted(schedule, key=lambda i: i.due)
    amount = sum(i.amount for i in instalments)
    ordered = _checked_collections(amount, collections)
    collected = sum(c.amount for c in ordered if c.on <= on)
    due = sum(i.amount for i in instalments if i.due <= on)
    overdue = max(0, due - collected)
    since: date | None = None
    if overdue:
        covered = 0
        for instalment in instalments:
            covered += instalment.amount
            if covered > collected:
                since = instalment.due
                break
    return Position(
        amount=amount,
        due=due,
        collected=collected,
        outstanding=amount - collected,
        overdue=overdue,
        overdue_since=since,
        days_overdue=(on - since).days if since else 0,
        paid_off=collected == amount,
    )


@dataclass(frozen=True)
class RecoverySummary:
    """A model's households together: the report's "capital to be recovered" (``amount``,
    ``outstanding``) and "capital recovered" (``collected``)."""

    households: int
    amount: int
    due: int
    collected: int
    outstanding: int
    overdue: int
    households_overdue: int
    households_paid_off: int


def summarise(positions: Iterable[Position]) -> RecoverySummary:
    items = list(positions)
    return RecoverySummary(
        households=len(items),
        amount=sum(p.amount for p in items),
        due=sum(p.due for p in items),
        collected=sum(p.collected for p in items),
        outstanding=sum(p.outstanding for p in items),
        overdue=sum(p.overdue for p in items),
        households_overdue=sum(1 for p in items if p.overdue),
        households_paid_off=sum(1 for p in items if p.paid_off),
    )


# --- the pool ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolPosition:
    """Recovered capital and what of it went to the next households. ``available`` is what
    can still be re-lent; ``over_relent`` is more re-lent than recovered (should be 0)."""

    collected: int
    relent: int
    available: int
    over_relent: int


def pool_position(collected_total: int, relent_total: int) -> PoolPosition:
    for value in (collected_total, relent_total):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RevolvingError(
                "bad_amount",
                f"số tiền phải là số đồng nguyên không âm, không phải «{value}»",
                f"an amount must be a non-negative whole number of đồng, not '{value}'",
            )
    return PoolPosition(
        collected=collected_total,
        relent=relent_total,
        available=max(0, collected_total - relent_total),
        over_relent=max(0, relent_total - collected_total),
    )


def check_relend(
    amount: int, available: int, *, key: tuple[str, ...] = (), label: str = ""
) -> Finding | None:
    """``relend_over_recovered`` (an error) when ``amount`` is more than the recovered
    capital still ``available``; ``label`` (e.g. the model's name) starts the messages."""
    if amount <= available:
        return None
    lead = f"{label}: " if label else ""
    excess = amount - available
    return Finding(
        "relend_over_recovered",
        key,
        "error",
        f"{lead}cho vay quay vòng {format_vnd(amount)} vượt số vốn đã thu hồi còn lại "
        f"{format_vnd(available)} (vượt {format_vnd(excess)})",
        f"{lead}re-lending {format_vnd(amount, 'en')} exceeds the {format_vnd(available, 'en')} "
        f"of recovered capital left ({format_vnd(excess, 'en')} over)",
        {"asked": amount, "available": available, "excess": excess},
    )
