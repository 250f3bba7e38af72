"""Poverty transitions between two review years, and each household's origin code.

The seed's note defines the number every plan turns on::

    households leaving poverty in a year = escaped − re-poor − newly poor

This module computes it from the registry's history, together with the movement table used
in practice (domain notes §12.6), for households and for persons, grouped by unit, by area
(urban / rural sections of the official forms) and by ethnic-minority households. Every figure
is a :class:`Bucket` that keeps the ids of the households behind it, so a count is
``len(household_ids)`` by construction and every figure opens to its named households.

Input
-----
One :class:`HouseholdYear` per household per review year: its classification that year
(``poor``, ``near_poor``, ``medium``, ``non_poor``) or ``None`` when it is not in the registry
that year (not yet arrived, or gone). A record with ``status=None`` may say why the household
left (``exit_reason``: moved away, dissolved, merged, died out); the first record after an
absence may say why it (re-)entered (``entry_reason``: moved in, split off). A year without a
record means "not in the registry". :class:`History` gathers one household's records.

Definitions, for a list L (the poor list, or the near-poor list) and two review years
``y0 < y1`` (normally consecutive). "On L in year y" means the review of year y classified the
household as L. The *other list* is the near-poor list for L = poor, and the poor list for
L = near-poor. Each household lands in **at most one** movement; the rules are applied in this
order (presence first, then the other list, then history):

=================  ==========================================================================
Movement           Rule
=================  ==========================================================================
stayed             on L in y0 and in y1 (in ``start`` and ``end``, no movement row)
exited             on L in y0, not in the registry in y1 → *other decreases*, by exit reason
to_other_list      on L in y0, on the other list in y1 (poor list: became near-poor; near-poor
                   list: became poor)
above_line         on L in y0, medium or non-poor in y1 (rose above the near-poor line)
entered            on L in y1, not in the registry in y0 → *other increases*, by entry reason
                   (moved in, split off), whatever its earlier history
from_other_list    on L in y1, on the other list in y0 (poor list: near-poor that became poor;
                   near-poor list: poor that became near-poor) — **even if it was on L in an
                   earlier year**: the flow is the one the two reviews show, as Kon Tum reports
                   it separately (domain notes §6.1); it is *not* counted as re-poor
re_entered         on L in y1, medium or non-poor in y0, on L in some year before y0
                   (re-poor / re-near-poor: it had been on L and had left it)
newly              on L in y1, medium or non-poor in y0, never on L before y0 in the registry
                   (newly poor / newly near-poor)
=================  ==========================================================================

A departure or arrival without a recorded reason is kept, under the reason ``unrecorded``,
so that the identity still holds and the officer sees what to fix.

Identities, exact for every group (unit, area, ethnic-minority flag) and for their total:

* households: ``end = start − decreases + increases``, where decreases = to_other_list +
  above_line + other decreases and increases = from_other_list + re_entered + newly + other
  increases;
* persons: the same, plus the size change of households that stayed on the list
  (``members_gained`` − ``members_lost``). Start and decreases count persons as of y0;
  end and increases as of y1;
* ``escaped`` = to_other_list + above_line for the poor list (thoát nghèo: now near-poor or
  above); for the near-poor list it is above_line only (a near-poor household that became
  poor has not escaped anything);
* net reduction per the seed's note = escaped − re_entered − newly. Its difference from the
  actual change, start − end, is explained term by term by :meth:`MovementTable.reconciliation`:
  ``net_by_note − (start − end) = from_other_list + other increases − other decreases``
  (− to_other_list for the near-poor list; + members gained − members lost for persons).

The rate (``start / households_start``, ``end / households_end``, in per cent) uses the
households present in the registry in each year, of every classification, in the same group.
Its change in percentage points is shown beside the net reduction.

Grouping: a household belongs, for the pair (y0, y1), to the group of its *reference record*:
its y1 record when it is in the registry in y1, else its y0 record. Groups therefore partition
the households, the identity holds in each, and the groups sum to the total. A household that
changes unit, area or ethnic-minority flag between y0 and y1 under the same id is counted, for
both years of the pair, where it is in y1 (a move between communes is normally recorded as a
departure and a new household, which this does not affect).

Origin codes (:func:`origin_code`) are derived from the same movements, so that they always
match the table: *cũ* (old) = stayed, *tái* (re-) = re_entered, *mới* (new) = every other
arrival on the list (newly, from the other list — Phiếu C's "from old near-poor" — moved in,
split off).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Literal, get_args

from giamngheo.core.plan.calc import rate
from giamngheo.core.standards.model import Area, Classification

ListKind = Literal["poor", "near_poor"]
LIST_KINDS: tuple[ListKind, ...] = get_args(ListKind)
Measure = Literal["households", "persons"]
GroupDimension = Literal["unit", "area", "ethnic_minority"]
GROUP_DIMENSIONS: tuple[GroupDimension, ...] = get_args(GroupDimension)

_OTHER_LIST: dict[ListKind, ListKind] = {"poor": "near_poor", "near_poor": "poor"}


class EntryReason(StrEnum):
    """Why a household that was not in the registry at the last review is in it now."""

    MOVED_IN = "moved_in"
    SPLIT_OFF = "split_off"
    UNRECORDED = "unrecorded"

    @property
    def vi(self) -> str:
        return _ENTRY_LABELS[self][0]

    @property
    def en(self) -> str:
        return _ENTRY_LABELS[self][1]


class ExitReason(StrEnum):
    """Why a household that was in the registry at the last review is no longer in it."""

    MOVED_AWAY = "moved_away"
    DISSOLVED = "dissolved"
    MERGED = "merged"
    DIED_OUT = "died_out"
    UNRECORDED = "unrecorded"

    @property
    def vi(self) -> str:
        return _EXIT_LABELS[self][0]

    @property
    def en(self) -> str:
        return _EXIT_LABELS[self][1]


# Two tables: the two UNRECORDED members are equal strings, so one dict would merge them.
_ENTRY_LABELS: dict[EntryReason, tuple[str, str]] = {
    EntryReason.MOVED_IN: ("Chuyển đến", "Moved in"),
    EntryReason.SPLIT_OFF: ("Tách hộ", "Split off"),
    EntryReason.UNRECORDED: ("Không ghi lý do", "Reason not recorded"),
}
_EXIT_LABELS: dict[ExitReason, tuple[str, str]] = {
    ExitReason.MOVED_AWAY: ("Chuyển đi", "Moved away"),
    ExitReason.DISSOLVED: ("Giải thể hộ", "Dissolved"),
    ExitReason.MERGED: ("Nhập vào hộ khác", "Merged into another household"),
    ExitReason.DIED_OUT: ("Không còn thành viên (chết)", "Died out"),
    ExitReason.UNRECORDED: ("Không ghi lý do", "Reason not recorded"),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdYear:
    """One household as of one review year. ``status`` None: not in the registry that year
    (the other attributes are then its last known ones)."""

    household_id: str
    year: int
    status: Classification | None
    persons: int = 0
    ethnic_minority: bool = False
    area: Area = "rural"
    unit_code: str = ""
    entry_reason: EntryReason | None = None
    exit_reason: ExitReason | None = None

    def __post_init__(self) -> None:
        if self.persons < 0:
            raise ValueError(f"{self.household_id} {self.year}: persons < 0")
        if self.status is None and self.entry_reason is not None:
            raise ValueError(f"{self.household_id} {self.year}: entry reason but not present")
        if self.status is not None and self.exit_reason is not None:
            raise ValueError(f"{self.household_id} {self.year}: exit reason but still present")

    @property
    def present(self) -> bool:
        return self.status is not None


@dataclass(frozen=True, slots=True)
class History:
    """One household's records, one per review year at most, sorted by year."""

    household_id: str
    records: tuple[HouseholdYear, ...]
    _by_year: dict[int, HouseholdYear] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_year: dict[int, HouseholdYear] = {}
        previous: int | None = None
        for record in self.records:
            if record.household_id != self.household_id:
                raise ValueError(
                    f"history of {self.household_id} holds a record of {record.household_id}"
                )
            if previous is not None and record.year <= previous:
                raise ValueError(
                    f"history of {self.household_id}: years not strictly increasing "
                    f"({previous}, {record.year})"
                )
            previous = record.year
            by_year[record.year] = record
        object.__setattr__(self, "_by_year", by_year)

    @classmethod
    def of(cls, records: Iterable[HouseholdYear]) -> History:
        """A history from one household's records in any order."""
        ordered = tuple(sorted(records, key=lambda r: r.year))
        if not ordered:
            raise ValueError("a history needs at least one record")
        return cls(ordered[0].household_id, ordered)

    def at(self, year: int) -> HouseholdYear | None:
        return self._by_year.get(year)

    def status(self, year: int) -> Classification | None:
        record = self._by_year.get(year)
        return None if record is None else record.status


def histories_from_records(records: Iterable[HouseholdYear]) -> list[History]:
    """Group flat records (e.g. rows from the registry) into histories, ordered by id."""
    by_id: dict[str, list[HouseholdYear]] = defaultdict(list)
    for record in records:
        by_id[record.household_id].append(record)
    return [History.of(by_id[hid]) for hid in sorted(by_id)]


class Movement(StrEnum):
    """Where a household lands in the movement table of one list for one pair of years."""

    STAYED = "stayed"
    TO_OTHER_LIST = "to_other_list"
    ABOVE_LINE = "above_line"
    EXITED = "exited"
    FROM_OTHER_LIST = "from_other_list"
    RE_ENTERED = "re_entered"
    NEWLY = "newly"
    ENTERED = "entered"


DECREASES = (Movement.TO_OTHER_LIST, Movement.ABOVE_LINE, Movement.EXITED)
INCREASES = (Movement.FROM_OTHER_LIST, Movement.RE_ENTERED, Movement.NEWLY, Movement.ENTERED)


@dataclass(frozen=True, slots=True)
class HouseholdMovement:
    household_id: str
    movement: Movement
    reason: EntryReason | ExitReason | None  # for EXITED and ENTERED only
    persons_from: int  # persons at y0 (0 when not in the registry then)
    persons_to: int  # persons at y1 (0 when not in the registry then)


def _check_list_kind(list_kind: str) -> ListKind:
    for kind in LIST_KINDS:
        if list_kind == kind:
            return kind
    raise ValueError(f"list_kind must be one of {LIST_KINDS}, not {list_kind!r}")


def _exit_reason(history: History, year_from: int, year_to: int) -> ExitReason:
    for record in history.records:
        if year_from < record.year <= year_to and record.exit_reason is not None:
            return record.exit_reason
    return ExitReason.UNRECORDED


def _entry_reason(history: History, year_from: int, year_to: int) -> EntryReason:
    reason = EntryReason.UNRECORDED
    for record in history.records:
        if year_from < record.year <= year_to and record.entry_reason is not None:
            reason = record.entry_reason  # the last arrival before y1 counts
    return reason


def household_movement(
    history: History, year_from: int, year_to: int, list_kind: ListKind = "poor"
) -> HouseholdMovement | None:
    """The household's movement on ``list_kind`` between the two reviews; None when it is on
    that list in neither year. See the module docstring for the rules and their order."""
    kind = _check_list_kind(list_kind)
    if year_from >= year_to:
        raise ValueError(f"year_from ({year_from}) must be before year_to ({year_to})")
    r0, r1 = history.at(year_from), history.at(year_to)
    s0 = None if r0 is None else r0.status
    s1 = None if r1 is None else r1.status
    p0 = r0.persons if r0 is not None and s0 is not None else 0
    p1 = r1.persons if r1 is not None and s1 is not None else 0
    other = _OTHER_LIST[kind]
    reason: EntryReason | ExitReason | None = None
    if s0 == kind:
        if s1 == kind:
            movement = Movement.STAYED
        elif s1 is None:
            movement, reason = Movement.EXITED, _exit_reason(history, year_from, year_to)
        elif s1 == other:
            movement = Movement.TO_OTHER_LIST
        else:
            movement = Movement.ABOVE_LINE
    elif s1 == kind:
        if s0 is None:
            movement, reason = Movement.ENTERED, _entry_reason(history, year_from, year_to)
        elif s0 == other:
            movement = Movement.FROM_OTHER_LIST
        elif any(r.status == kind for r in history.records if r.year < year_from):
            movement = Movement.RE_ENTERED
        else:
            movement = Movement.NEWLY
    else:
        return None
    return HouseholdMovement(history.household_id, movement, reason, p0, p1)


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One figure of the table and the households behind it (ids sorted)."""

    household_ids: tuple[str, ...] = ()
    persons: int = 0

    @property
    def households(self) -> int:
        return len(self.household_ids)

    def count(self, measure: Measure) -> int:
        return self.households if measure == "households" else self.persons

    @staticmethod
    def merge(*buckets: Bucket) -> Bucket:
        ids = sorted(hid for b in buckets for hid in b.household_ids)
        return Bucket(tuple(ids), sum(b.persons for b in buckets))


_ROW_LABELS: dict[ListKind, dict[str, tuple[str, str]]] = {
    "poor": {
        "households_start": ("Tổng số hộ dân cư đầu kỳ", "All households at the start"),
        "households_end": ("Tổng số hộ dân cư cuối kỳ", "All households at the end"),
        "start": ("Số hộ nghèo đầu kỳ", "Poor at the start"),
        "decreases": ("Số hộ nghèo giảm", "Decreases"),
        "to_other_list": ("Thoát nghèo, trở thành hộ cận nghèo", "Became near-poor"),
        "above_line": ("Thoát nghèo, vượt chuẩn cận nghèo", "Rose above the near-poor line"),
        "other_decreases": ("Giảm khác", "Other decreases"),
        "increases": ("Số hộ nghèo tăng", "Increases"),
        "from_other_list": ("Hộ cận nghèo trở thành hộ nghèo", "Near-poor that became poor"),
        "re_entered": ("Hộ tái nghèo", "Re-poor"),
        "newly": ("Hộ nghèo phát sinh mới", "Newly poor"),
        "other_increases": ("Tăng khác", "Other increases"),
        "end": ("Số hộ nghèo cuối kỳ", "Poor at the end"),
        "escaped": ("Số hộ thoát nghèo", "Escaped poverty"),
    },
    "near_poor": {
        "households_start": ("Tổng số hộ dân cư đầu kỳ", "All households at the start"),
        "households_end": ("Tổng số hộ dân cư cuối kỳ", "All households at the end"),
        "start": ("Số hộ cận nghèo đầu kỳ", "Near-poor at the start"),
        "decreases": ("Số hộ cận nghèo giảm", "Decreases"),
        "to_other_list": ("Hộ cận nghèo trở thành hộ nghèo", "Became poor"),
        "above_line": ("Thoát cận nghèo, vượt chuẩn cận nghèo", "Rose above the near-poor line"),
        "other_decreases": ("Giảm khác", "Other decreases"),
        "increases": ("Số hộ cận nghèo tăng", "Increases"),
        "from_other_list": ("Hộ nghèo trở thành hộ cận nghèo", "Poor that became near-poor"),
        "re_entered": ("Hộ tái cận nghèo", "Re-near-poor"),
        "newly": ("Hộ cận nghèo phát sinh mới", "Newly near-poor"),
        "other_increases": ("Tăng khác", "Other increases"),
        "end": ("Số hộ cận nghèo cuối kỳ", "Near-poor at the end"),
        "escaped": ("Số hộ thoát cận nghèo", "Escaped near-poverty"),
    },
}
_MEMBER_LABELS = {
    "members_gained": (
        "Tăng nhân khẩu của hộ ở lại danh sách",
        "Members gained by households that stayed on the list",
    ),
    "members_lost": (
        "Giảm nhân khẩu của hộ ở lại danh sách",
        "Members lost by households that stayed on the list",
    ),
}


def row_label(list_kind: ListKind, key: str) -> tuple[str, str]:
    """(vi, en) label of a row of the table (``start``, ``re_entered``, ``escaped``, …)."""
    return _ROW_LABELS[list_kind].get(key) or _MEMBER_LABELS[key]


@dataclass(frozen=True)
class ReconciliationTerm:
    key: str  # "from_other_list", "other_increases:moved_in", "members_lost", …
    label_vi: str
    label_en: str
    value: int  # signed contribution, in the reconciliation's measure
    household_ids: tuple[str, ...]


@dataclass(frozen=True)
class Reconciliation:
    """``net_by_note − net_change == sum(term.value for term in terms)``, exactly."""

    measure: Measure
    net_by_note: int  # escaped − re_entered − newly
    net_change: int  # start − end
    terms: tuple[ReconciliationTerm, ...]

    @property
    def difference(self) -> int:
        return self.net_by_note - self.net_change

    @property
    def explained(self) -> int:
        return sum(t.value for t in self.terms)


@dataclass(frozen=True)
class TableRow:
    key: str
    level: int  # 0: main row, 1: part of the row above, 2: a reason
    label_vi: str
    label_en: str
    bucket: Bucket


@dataclass(frozen=True)
class MovementTable:
    """The movement table of one list for one group and one pair of review years."""

    list_kind: ListKind
    year_from: int
    year_to: int
    households_start: Bucket  # every household in the registry at y0 (the rate's base)
    households_end: Bucket
    start: Bucket
    to_other_list: Bucket
    above_line: Bucket
    other_decreases: Mapping[ExitReason, Bucket]  # every reason, empty ones included
    from_other_list: Bucket
    re_entered: Bucket
    newly: Bucket
    other_increases: Mapping[EntryReason, Bucket]
    end: Bucket
    members_gained: Bucket  # persons only: growth of households that stayed on the list
    members_lost: Bucket  # persons only, as a positive number

    def __post_init__(self) -> None:
        for measure in ("households", "persons"):
            if self.identity_residual(measure) != 0:  # pragma: no cover - guards construction
                raise AssertionError(f"movement identity broken for {measure}")

    # Totals of the sections.
    @property
    def other_decrease_total(self) -> Bucket:
        return Bucket.merge(*self.other_decreases.values())

    @property
    def other_increase_total(self) -> Bucket:
        return Bucket.merge(*self.other_increases.values())

    @property
    def decreases(self) -> Bucket:
        return Bucket.merge(self.to_other_list, self.above_line, *self.other_decreases.values())

    @property
    def increases(self) -> Bucket:
        return Bucket.merge(
            self.from_other_list, self.re_entered, self.newly, *self.other_increases.values()
        )

    @property
    def escaped(self) -> Bucket:
        """Poor list: became near-poor + rose above the line. Near-poor list: above the line."""
        if self.list_kind == "poor":
            return Bucket.merge(self.to_other_list, self.above_line)
        return self.above_line

    def identity_residual(self, measure: Measure = "households") -> int:
        """``start − decreases + increases (+ members gained − lost) − end``: always 0."""
        dec = sum(
            b.count(measure)
            for b in (self.to_other_list, self.above_line, *self.other_decreases.values())
        )
        inc = sum(
            b.count(measure)
            for b in (
                self.from_other_list,
                self.re_entered,
                self.newly,
                *self.other_increases.values(),
            )
        )
        members = (
            self.members_gained.persons - self.members_lost.persons if measure == "persons" else 0
        )
        return self.start.count(measure) - dec + inc + members - self.end.count(measure)

    # The seed's note and the rates.
    def net_reduction_by_note(self, measure: Measure = "households") -> int:
        """escaped − re_entered − newly (the seed's note)."""
        return (
            self.escaped.count(measure) - self.re_entered.count(measure) - self.newly.count(measure)
        )

    def net_change(self, measure: Measure = "households") -> int:
        """start − end: the actual reduction of the list."""
        return self.start.count(measure) - self.end.count(measure)

    @property
    def rate_start(self) -> Fraction | None:
        """Per cent of the registry's households on the list at y0, exactly."""
        return rate(self.start.households, self.households_start.households)

    @property
    def rate_end(self) -> Fraction | None:
        return rate(self.end.households, self.households_end.households)

    @property
    def rate_change_points(self) -> Fraction | None:
        """Reduction of the rate in percentage points (positive = fewer on the list)."""
        if self.rate_start is None or self.rate_end is None:
            return None
        return self.rate_start - self.rate_end

    @property
    def gross_escape_rate(self) -> Fraction | None:
        """escaped ÷ households at y0 × 100: what Kon Tum reports as its reduction rate."""
        return rate(self.escaped.households, self.households_start.households)

    def reconciliation(self, measure: Measure = "households") -> Reconciliation:
        """How the seed's net reduction differs from start − end, term by term."""
        labels = _ROW_LABELS[self.list_kind]
        terms: list[ReconciliationTerm] = []

        def add(key: str, label: tuple[str, str], sign: int, bucket: Bucket, value: int) -> None:
            terms.append(
                ReconciliationTerm(key, label[0], label[1], sign * value, bucket.household_ids)
            )

        if self.list_kind == "near_poor":  # a decrease that is not an escape
            b = self.to_other_list
            add("to_other_list", labels["to_other_list"], -1, b, b.count(measure))
        b = self.from_other_list
        add("from_other_list", labels["from_other_list"], 1, b, b.count(measure))
        for entry, b in self.other_increases.items():
            label = (
                f"{labels['other_increases'][0]}: {entry.vi}",
                f"{labels['other_increases'][1]}: {entry.en}",
            )
            add(f"other_increases:{entry.value}", label, 1, b, b.count(measure))
        for exit_, b in self.other_decreases.items():
            label = (
                f"{labels['other_decreases'][0]}: {exit_.vi}",
                f"{labels['other_decreases'][1]}: {exit_.en}",
            )
            add(f"other_decreases:{exit_.value}", label, -1, b, b.count(measure))
        if measure == "persons":
            add("members_gained", _MEMBER_LABELS["members_gained"], 1, self.members_gained,
                self.members_gained.persons)  # fmt: skip
            add("members_lost", _MEMBER_LABELS["members_lost"], -1, self.members_lost,
                self.members_lost.persons)  # fmt: skip
        return Reconciliation(
            measure, self.net_reduction_by_note(measure), self.net_change(measure), tuple(terms)
        )

    def rows(self, measure: Measure = "households") -> tuple[TableRow, ...]:
        """The table in the order of the practice's form, with (vi, en) labels. Level 1 rows
        add up to the level 0 row above them, level 2 rows to the level 1 row above them.

        For ``measure="persons"`` the size changes of the households that stayed on the list
        are level 1 rows (members lost among the decreases, members gained among the
        increases) and the decreases / increases rows include them, so that
        start − decreases + increases = end holds on the printed persons; read only the
        persons of those two rows then."""
        labels = _ROW_LABELS[self.list_kind]
        persons = measure == "persons"

        def row(key: str, level: int, bucket: Bucket) -> TableRow:
            label = labels.get(key) or _MEMBER_LABELS[key]
            return TableRow(key, level, label[0], label[1], bucket)

        decreases = Bucket.merge(self.decreases, self.members_lost) if persons else self.decreases
        out = [row("start", 0, self.start), row("decreases", 0, decreases)]
        out += [
            row("to_other_list", 1, self.to_other_list),
            row("above_line", 1, self.above_line),
            row("other_decreases", 1, self.other_decrease_total),
        ]
        out += [
            TableRow(f"other_decreases:{r.value}", 2, r.vi, r.en, b)
            for r, b in self.other_decreases.items()
        ]
        if persons:
            out += [row("members_lost", 1, self.members_lost)]
        increases = Bucket.merge(self.increases, self.members_gained) if persons else self.increases
        out += [row("increases", 0, increases)]
        out += [
            row("from_other_list", 1, self.from_other_list),
            row("re_entered", 1, self.re_entered),
            row("newly", 1, self.newly),
            row("other_increases", 1, self.other_increase_total),
        ]
        out += [
            TableRow(f"other_increases:{r.value}", 2, r.vi, r.en, b)
            for r, b in self.other_increases.items()
        ]
        if persons:
            out += [row("members_gained", 1, self.members_gained)]
        out += [row("end", 0, self.end)]
        return tuple(out)


class _Accumulator:
    """Ids and persons per bucket key while scanning the histories."""

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = defaultdict(list)
        self.persons: dict[str, int] = defaultdict(int)

    def add(self, key: str, household_id: str, persons: int) -> None:
        self.ids[key].append(household_id)
        self.persons[key] += persons

    def absorb(self, other: _Accumulator) -> None:
        """Add ``other``'s households (a disjoint set) to this one."""
        for key, ids in other.ids.items():
            self.ids[key].extend(ids)
        for key, persons in other.persons.items():
            self.persons[key] += persons

    def bucket(self, key: str) -> Bucket:
        return Bucket(tuple(sorted(self.ids.get(key, ()))), self.persons.get(key, 0))

    def table(self, list_kind: ListKind, year_from: int, year_to: int) -> MovementTable:
        b = self.bucket
        return MovementTable(
            list_kind=list_kind,
            year_from=year_from,
            year_to=year_to,
            households_start=b("households_start"),
            households_end=b("households_end"),
            start=b("start"),
            to_other_list=b(Movement.TO_OTHER_LIST),
            above_line=b(Movement.ABOVE_LINE),
            other_decreases={r: b(f"{Movement.EXITED}:{r.value}") for r in ExitReason},
            from_other_list=b(Movement.FROM_OTHER_LIST),
            re_entered=b(Movement.RE_ENTERED),
            newly=b(Movement.NEWLY),
            other_increases={r: b(f"{Movement.ENTERED}:{r.value}") for r in EntryReason},
            end=b("end"),
            members_gained=b("members_gained"),
            members_lost=b("members_lost"),
        )


def bucket_keys(
    r0: HouseholdYear | None, r1: HouseholdYear | None, mv: HouseholdMovement | None
) -> list[tuple[str, int]]:
    """The buckets of a table that a household lands in, with the persons it adds to each,
    given its y0 and y1 records and its movement on the table's list.

    Keys: ``households_start``, ``households_end``, ``start``, ``end``, ``members_gained``,
    ``members_lost``, a movement (``to_other_list``, ``above_line``, ``from_other_list``,
    ``re_entered``, ``newly``) or ``exited:<exit reason>`` / ``entered:<entry reason>``.
    This is the one place that decides it: the tables are sums of it, and a list of the
    households behind a figure (:func:`figure_keys`) is a filter on it."""
    out: list[tuple[str, int]] = []
    if r0 is not None and r0.status is not None:
        out.append(("households_start", r0.persons))
    if r1 is not None and r1.status is not None:
        out.append(("households_end", r1.persons))
    if mv is None:
        return out
    movement = mv.movement
    if movement is Movement.STAYED:
        out.append(("start", mv.persons_from))
        out.append(("end", mv.persons_to))
        change = mv.persons_to - mv.persons_from
        if change > 0:
            out.append(("members_gained", change))
        elif change < 0:
            out.append(("members_lost", -change))
        return out
    key = str(movement) if mv.reason is None else f"{movement}:{mv.reason.value}"
    if movement in DECREASES:
        out.append(("start", mv.persons_from))
        out.append((key, mv.persons_from))
    else:
        out.append(("end", mv.persons_to))
        out.append((key, mv.persons_to))
    return out


_PLAIN_FIGURES = frozenset(
    {
        "households_start",
        "households_end",
        "start",
        "end",
        "to_other_list",
        "above_line",
        "from_other_list",
        "re_entered",
        "newly",
        "members_gained",
        "members_lost",
    }
)
_EXITED = frozenset(f"{Movement.EXITED}:{r.value}" for r in ExitReason)
_ENTERED = frozenset(f"{Movement.ENTERED}:{r.value}" for r in EntryReason)


def figure_keys(list_kind: ListKind, key: str, measure: Measure = "households") -> frozenset[str]:
    """The :func:`bucket_keys` that make up the figure ``key`` of a table as
    :meth:`MovementTable.rows` prints it for ``measure`` (a row key, ``escaped``,
    ``households_start`` / ``households_end``, ``other_decreases:<reason>``, …): the figure's
    households are those with one of these keys, its persons the sum over them. For persons,
    decreases and increases include the size changes of the households that stayed on the
    list. ``KeyError`` for an unknown key."""
    kind = _check_list_kind(list_kind)
    persons = measure == "persons"
    if key in _PLAIN_FIGURES:
        return frozenset({key})
    if key == "decreases":
        keys = {str(Movement.TO_OTHER_LIST), str(Movement.ABOVE_LINE), *_EXITED}
        return frozenset(keys | ({"members_lost"} if persons else set()))
    if key == "increases":
        keys = {str(Movement.FROM_OTHER_LIST), str(Movement.RE_ENTERED), str(Movement.NEWLY)}
        keys |= _ENTERED
        return frozenset(keys | ({"members_gained"} if persons else set()))
    if key == "escaped":
        if kind == "poor":
            return frozenset({str(Movement.TO_OTHER_LIST), str(Movement.ABOVE_LINE)})
        return frozenset({str(Movement.ABOVE_LINE)})
    if key == "other_decreases":
        return _EXITED
    if key == "other_increases":
        return _ENTERED
    section, _, reason = key.partition(":")
    try:
        if section == "other_decreases":
            return frozenset({f"{Movement.EXITED}:{ExitReason(reason).value}"})
        if section == "other_increases":
            return frozenset({f"{Movement.ENTERED}:{EntryReason(reason).value}"})
    except ValueError:
        pass
    raise KeyError(key)


def _add_household(
    acc: _Accumulator,
    hid: str,
    r0: HouseholdYear | None,
    r1: HouseholdYear | None,
    mv: HouseholdMovement | None,
) -> None:
    for key, persons in bucket_keys(r0, r1, mv):
        acc.add(key, hid, persons)


def _reference(r0: HouseholdYear | None, r1: HouseholdYear | None) -> HouseholdYear | None:
    if r1 is not None and r1.present:
        return r1
    if r0 is not None and r0.present:
        return r0
    return None


def movement_table(
    histories: Iterable[History],
    year_from: int,
    year_to: int,
    *,
    list_kind: ListKind = "poor",
    where: Callable[[HouseholdYear], bool] | None = None,
) -> MovementTable:
    """The movement table of all the households (or of those whose reference record — y1's,
    else y0's — satisfies ``where``, e.g. ``lambda r: r.ethnic_minority``)."""
    return _tables(histories, year_from, year_to, list_kind=list_kind, where=where).total


@dataclass(frozen=True)
class GroupKey:
    """A group's values; a dimension that is not grouped on is None."""

    area: Area | None = None
    unit_code: str | None = None
    ethnic_minority: bool | None = None


@dataclass(frozen=True)
class GroupedTables:
    total: MovementTable
    groups: Mapping[GroupKey, MovementTable]  # ordered: urban before rural, then by unit code


def movement_tables(
    histories: Iterable[History],
    year_from: int,
    year_to: int,
    *,
    list_kind: ListKind = "poor",
    group_by: Sequence[GroupDimension] = ("unit",),
    unit_ancestors: Mapping[str, Sequence[str]] | None = None,
    unit_level: int = 0,
) -> GroupedTables:
    """Movement tables per group and their total; the groups partition the households.

    ``group_by``: any of ``"unit"``, ``"area"``, ``"ethnic_minority"``. With ``"unit"``,
    ``unit_level`` 0 groups by the household's own unit (its commune); level k > 0 by
    ``unit_ancestors[unit_code][k - 1]``, where ``unit_ancestors`` maps a commune code to its
    ancestors from the nearest up (district, province).
    """
    key_of = _key_function(tuple(group_by), unit_ancestors, unit_level)
    return _tables(histories, year_from, year_to, list_kind=list_kind, key_of=key_of)


_AREA_ORDER = {"urban": 0, "rural": 1}


def _key_function(
    dims: tuple[str, ...], unit_ancestors: Mapping[str, Sequence[str]] | None, unit_level: int
) -> Callable[[HouseholdYear], GroupKey]:
    for dim in dims:
        if dim not in GROUP_DIMENSIONS:
            raise ValueError(f"group_by: unknown dimension {dim!r}; use {GROUP_DIMENSIONS}")
    if unit_level < 0:
        raise ValueError("unit_level must be 0 or more")
    if unit_level > 0 and unit_ancestors is None:
        raise ValueError("unit_level > 0 needs unit_ancestors")
    by_area, by_unit, by_em = "area" in dims, "unit" in dims, "ethnic_minority" in dims

    def unit_of(code: str) -> str:
        if unit_level == 0:
            return code
        assert unit_ancestors is not None
        chain = unit_ancestors.get(code)
        if chain is None or len(chain) < unit_level:
            raise ValueError(f"unit {code!r} has no ancestor at level {unit_level}")
        return chain[unit_level - 1]

    def key_of(ref: HouseholdYear) -> GroupKey:
        return GroupKey(
            area=ref.area if by_area else None,
            unit_code=unit_of(ref.unit_code) if by_unit else None,
            ethnic_minority=ref.ethnic_minority if by_em else None,
        )

    return key_of


def movement_tables_by(
    histories: Iterable[History],
    year_from: int,
    year_to: int,
    *,
    list_kind: ListKind = "poor",
    group_bys: Sequence[Sequence[GroupDimension]],
    unit_ancestors: Mapping[str, Sequence[str]] | None = None,
    unit_level: int = 0,
) -> list[GroupedTables]:
    """:func:`movement_tables` for several groupings at once (same arguments, one
    ``group_by`` per item of ``group_bys``; the results in that order, each with the same
    total). Each household's movement is computed once and added to one accumulator of the
    finest grouping (all the dimensions used); the coarser groups are sums of those, so this
    costs about one pass whatever the number of groupings."""
    wanted = [tuple(g) for g in group_bys]
    dims = tuple(d for d in GROUP_DIMENSIONS if any(d in g for g in wanted))
    kind = _check_list_kind(list_kind)
    key_of = _key_function(dims, unit_ancestors, unit_level)
    for group_by in wanted:
        _key_function(group_by, unit_ancestors, unit_level)  # the same checks as one grouping
    total, by_finest = _accumulate(histories, year_from, year_to, kind, key_of=key_of, where=None)
    out: list[GroupedTables] = []
    total_table = total.table(kind, year_from, year_to)
    for group_by in wanted:
        merged: dict[GroupKey, _Accumulator] = {}
        for key, acc in by_finest.items():
            coarse = GroupKey(
                area=key.area if "area" in group_by else None,
                unit_code=key.unit_code if "unit" in group_by else None,
                ethnic_minority=key.ethnic_minority if "ethnic_minority" in group_by else None,
            )
            into = merged.get(coarse)
            if into is None:
                into = merged[coarse] = _Accumulator()
            into.absorb(acc)
        out.append(
            GroupedTables(
                total=total_table,
                groups={
                    k: merged[k].table(kind, year_from, year_to)
                    for k in sorted(merged, key=_group_order)
                },
            )
        )
    return out


def _group_order(key: GroupKey) -> tuple[int, str, int]:
    area = -1 if key.area is None else _AREA_ORDER.get(key.area, 2)
    em = -1 if key.ethnic_minority is None else int(not key.ethnic_minority)
    return (area, key.unit_code or "", em)


def _accumulate(
    histories: Iterable[History],
    year_from: int,
    year_to: int,
    kind: ListKind,
    *,
    key_of: Callable[[HouseholdYear], GroupKey] | None,
    where: Callable[[HouseholdYear], bool] | None,
) -> tuple[_Accumulator, dict[GroupKey, _Accumulator]]:
    """The accumulators of the total and of each group (the total is the sum of the groups
    when there are groups)."""
    if year_from >= year_to:
        raise ValueError(f"year_from ({year_from}) must be before year_to ({year_to})")
    total = _Accumulator()
    groups: dict[GroupKey, _Accumulator] = {}
    for history in histories:
        r0, r1 = history.at(year_from), history.at(year_to)
        ref = _reference(r0, r1)
        if ref is None or (where is not None and not where(ref)):
            continue
        mv = household_movement(history, year_from, year_to, kind)
        acc = total
        if key_of is not None:
            key = key_of(ref)
            found = groups.get(key)
            if found is None:
                found = groups[key] = _Accumulator()
            acc = found
        _add_household(acc, history.household_id, r0, r1, mv)
    if key_of is not None:
        for acc in groups.values():
            total.absorb(acc)
    return total, groups


def _tables(
    histories: Iterable[History],
    year_from: int,
    year_to: int,
    *,
    list_kind: str,
    key_of: Callable[[HouseholdYear], GroupKey] | None = None,
    where: Callable[[HouseholdYear], bool] | None = None,
) -> GroupedTables:
    kind = _check_list_kind(list_kind)
    total, groups = _accumulate(histories, year_from, year_to, kind, key_of=key_of, where=where)
    return GroupedTables(
        total=total.table(kind, year_from, year_to),
        groups={
            k: groups[k].table(kind, year_from, year_to) for k in sorted(groups, key=_group_order)
        },
    )


# --- origin codes -----------------------------------------------------------------------------


class OriginCode(StrEnum):
    """A household's origin on its list for a year, derived from its history."""

    POOR_OLD = "poor_old"
    POOR_NEW = "poor_new"
    POOR_RE = "poor_re"
    NEAR_POOR_OLD = "near_poor_old"
    NEAR_POOR_NEW = "near_poor_new"
    NEAR_POOR_RE = "near_poor_re"

    @property
    def vi(self) -> str:
        return _ORIGIN_LABELS[self][0]

    @property
    def en(self) -> str:
        return _ORIGIN_LABELS[self][1]

    @property
    def list_kind(self) -> ListKind:
        return "poor" if self.value.startswith("poor_") else "near_poor"


_ORIGIN_LABELS = {
    OriginCode.POOR_OLD: ("Nghèo cũ", "Poor, carried over"),
    OriginCode.POOR_NEW: ("Nghèo mới", "Newly poor"),
    OriginCode.POOR_RE: ("Tái nghèo", "Re-poor"),
    OriginCode.NEAR_POOR_OLD: ("Cận nghèo cũ", "Near-poor, carried over"),
    OriginCode.NEAR_POOR_NEW: ("Cận nghèo mới", "Newly near-poor"),
    OriginCode.NEAR_POOR_RE: ("Tái cận nghèo", "Re-near-poor"),
}

_ORIGIN_BY_MOVEMENT: dict[tuple[ListKind, Movement], OriginCode] = {
    ("poor", Movement.STAYED): OriginCode.POOR_OLD,
    ("poor", Movement.RE_ENTERED): OriginCode.POOR_RE,
    ("near_poor", Movement.STAYED): OriginCode.NEAR_POOR_OLD,
    ("near_poor", Movement.RE_ENTERED): OriginCode.NEAR_POOR_RE,
}


def origin_code(
    history: History, year: int, *, previous_year: int | None = None
) -> OriginCode | None:
    """The origin code of the household on the list it is on in ``year`` (None when it is on
    neither list, or not in the registry). Relative to the review of ``previous_year``
    (default ``year − 1``): *cũ* when it was on the same list then (movement ``stayed``),
    *tái* for movement ``re_entered``, *mới* for every other arrival (newly, from the other
    list, moved in, split off)."""
    status = history.status(year)
    if status not in LIST_KINDS:
        return None
    kind = _check_list_kind(status)
    prev = year - 1 if previous_year is None else previous_year
    mv = household_movement(history, prev, year, kind)
    assert mv is not None  # on the list in ``year``
    return origin_of_movement(kind, mv.movement)


def origin_of_movement(list_kind: ListKind, movement: Movement) -> OriginCode:
    """The origin code of a household that is on ``list_kind`` at the end of a pair of years
    with ``movement`` on that list (stayed: *cũ*, re_entered: *tái*, any other: *mới*)."""
    new = OriginCode.POOR_NEW if list_kind == "poor" else OriginCode.NEAR_POOR_NEW
    return _ORIGIN_BY_MOVEMENT.get((list_kind, movement), new)
