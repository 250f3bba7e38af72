"""The figures of the transitions page, computed once from the histories (pure Python).

:func:`compute_figures` runs the movement engine (``giamngheo.core.transitions``) once per
list over every grouping the page shows and keeps, for each table, every printed figure for
households and for persons — without the ids of the households behind them (the drill-down
index, ``giamngheo.core.transitions_index``, holds those):

* :class:`TableFigures` — one movement table's figures: ``count(key, measure)`` for every
  row key of :meth:`~giamngheo.core.transitions.MovementTable.rows`, every column of the
  tables by area and unit (:data:`SUMMARY_KEYS`) and the members rows, as
  :func:`bucket_of` reads them; the identity's residual, the net reduction by the seed's
  note, the actual change and the rates; for a population's total (the page's detail table
  and reconciliation) also the rows in print order with their labels and the reconciliation;
* :class:`GroupedFigures` — a population's total, one table per area (urban first) and one
  per (area, unit directly under the chosen unit);
* :class:`TransitionFigures` — both lists, over all households and over the ethnic-minority
  ones, and the names of the units directly under the chosen one.

They are frozen dataclasses of numbers and strings: picklable, small (a few kilobytes for a
district), and the page's tables, the export and the command line render from them alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from giamngheo.core.transitions import (
    LIST_KINDS,
    Bucket,
    EntryReason,
    ExitReason,
    GroupDimension,
    GroupKey,
    History,
    ListKind,
    Measure,
    MovementTable,
    Reconciliation,
    ReconciliationTerm,
    movement_tables,
    movement_tables_by,
)

MEASURES: tuple[Measure, ...] = ("households", "persons")
#: Columns of the tables by area and unit (as in the official summary forms).
SUMMARY_KEYS: tuple[str, ...] = (
    "households_start",
    "start",
    "decreases",
    "to_other_list",
    "above_line",
    "other_decreases",
    "increases",
    "from_other_list",
    "re_entered",
    "newly",
    "other_increases",
    "end",
    "households_end",
    "escaped",
)
_PLAIN = frozenset(
    {
        "households_start",
        "households_end",
        "start",
        "to_other_list",
        "above_line",
        "from_other_list",
        "re_entered",
        "newly",
        "end",
        "members_gained",
        "members_lost",
    }
)
#: Every figure a :class:`TableFigures` keeps.
FIGURE_KEYS: tuple[str, ...] = (
    *SUMMARY_KEYS,
    "members_gained",
    "members_lost",
    *(f"other_decreases:{r.value}" for r in ExitReason),
    *(f"other_increases:{r.value}" for r in EntryReason),
)
AREAS: tuple[str, ...] = ("urban", "rural")


def bucket_of(table: MovementTable, key: str, measure: Measure = "households") -> Bucket:
    """The figure ``key`` of the table (as ``MovementTable.rows`` prints it for ``measure``:
    for persons, decreases and increases include the size changes of households that stayed
    on the list). ``KeyError`` for an unknown key."""
    if key in _PLAIN:
        bucket: Bucket = getattr(table, key)
        return bucket
    if key == "decreases":
        dec = table.decreases
        return Bucket.merge(dec, table.members_lost) if measure == "persons" else dec
    if key == "increases":
        inc = table.increases
        return Bucket.merge(inc, table.members_gained) if measure == "persons" else inc
    if key == "escaped":
        return table.escaped
    if key == "other_decreases":
        return table.other_decrease_total
    if key == "other_increases":
        return table.other_increase_total
    kind, _, reason = key.partition(":")
    try:
        if kind == "other_decreases":
            return table.other_decreases[ExitReason(reason)]
        if kind == "other_increases":
            return table.other_increases[EntryReason(reason)]
    except ValueError:
        pass
    raise KeyError(key)


@dataclass(frozen=True)
class RowFigure:
    """A row of the table in print order (its figure: ``TableFigures.count(key, …)``)."""

    key: str
    level: int  # 0: main row, 1: part of the row above, 2: a reason
    label_vi: str
    label_en: str


def _without_ids(rec: Reconciliation) -> Reconciliation:
    terms = tuple(ReconciliationTerm(t.key, t.label_vi, t.label_en, t.value, ()) for t in rec.terms)
    return Reconciliation(rec.measure, rec.net_by_note, rec.net_change, terms)


@dataclass(frozen=True)
class TableFigures:
    """The printed figures of one movement table (see the module docstring)."""

    list_kind: ListKind
    counts: Mapping[str, tuple[int, int]]  # figure key → (households figure, persons figure)
    identity_residual: Mapping[Measure, int]
    net_by_note: Mapping[Measure, int]
    net_change: Mapping[Measure, int]
    rate_start: Fraction | None
    rate_end: Fraction | None
    rate_change_points: Fraction | None
    # Only for a total (``of(table, detail=True)``); empty for the tables by area and unit.
    rows: Mapping[Measure, tuple[RowFigure, ...]] = field(default_factory=dict)
    reconciliation: Mapping[Measure, Reconciliation] = field(default_factory=dict)  # no ids

    def count(self, key: str, measure: Measure) -> int:
        """The figure ``key`` for ``measure`` (``KeyError`` for an unknown key)."""
        households, persons = self.counts[key]
        return households if measure == "households" else persons

    @classmethod
    def of(cls, table: MovementTable, *, detail: bool = False) -> TableFigures:
        """The figures of ``table``; with ``detail``, its rows and reconciliation too."""
        return cls(
            list_kind=table.list_kind,
            counts={
                key: (
                    bucket_of(table, key, "households").count("households"),
                    bucket_of(table, key, "persons").count("persons"),
                )
                for key in FIGURE_KEYS
            },
            identity_residual={m: table.identity_residual(m) for m in MEASURES},
            net_by_note={m: table.net_reduction_by_note(m) for m in MEASURES},
            net_change={m: table.net_change(m) for m in MEASURES},
            rate_start=table.rate_start,
            rate_end=table.rate_end,
            rate_change_points=table.rate_change_points,
            rows={
                m: tuple(RowFigure(r.key, r.level, r.label_vi, r.label_en) for r in table.rows(m))
                for m in MEASURES
            }
            if detail
            else {},
            reconciliation={m: _without_ids(table.reconciliation(m)) for m in MEASURES}
            if detail
            else {},
        )


@dataclass(frozen=True)
class GroupedFigures:
    total: TableFigures
    areas: Mapping[str, TableFigures]  # "urban" / "rural", urban first
    units: Mapping[GroupKey, TableFigures]  # per (area, unit directly under the chosen one)


@dataclass(frozen=True)
class TransitionFigures:
    """The movement tables of both lists for the page, over all households and over the
    ethnic-minority ones (each: total, by area, by area and unit directly under the unit)."""

    year_from: int
    year_to: int
    names: Mapping[str, tuple[str, str]]  # unit directly under the chosen one → (code, name)
    all: Mapping[ListKind, GroupedFigures]
    em: Mapping[ListKind, GroupedFigures]
    #: Names of the communes left out because their review of ``year_to`` is not approved
    #: yet (a campaign in progress): counting their households as gone would be wrong.
    pending: tuple[str, ...] = ()


def compute_figures(
    histories: Sequence[History],
    year_from: int,
    year_to: int,
    *,
    sub_units: Mapping[str, str],
    names: Mapping[str, tuple[str, str]],
) -> TransitionFigures:
    """The page's figures for the pair (``year_from``, ``year_to``). ``sub_units`` maps a
    commune's unit code to the unit directly under the chosen one that holds it (empty for a
    commune: no tables by unit); ``names`` gives those units' (GSO code, name)."""
    y0, y1 = year_from, year_to
    all_: dict[ListKind, GroupedFigures] = {}
    em: dict[ListKind, GroupedFigures] = {}
    # One pass per list: every grouping of the page, of all and of ethnic-minority households.
    group_bys: list[tuple[GroupDimension, ...]] = [("area",), ("ethnic_minority",)]
    group_bys += [("ethnic_minority", "area")]
    if sub_units:
        group_bys += [("area", "unit"), ("ethnic_minority", "area", "unit")]
    for kind in LIST_KINDS:
        out = movement_tables_by(
            histories,
            y0,
            y1,
            list_kind=kind,
            group_bys=group_bys,
            unit_ancestors={c: (s,) for c, s in sub_units.items()},
            unit_level=1 if sub_units else 0,
        )
        by_area, by_em, em_area = out[0], out[1], out[2]
        em_total = by_em.groups.get(GroupKey(ethnic_minority=True))
        if em_total is None:
            em_total = movement_tables([], y0, y1, list_kind=kind, group_by=()).total
        all_by_unit: dict[GroupKey, TableFigures] = {}
        em_by_unit: dict[GroupKey, TableFigures] = {}
        if sub_units:
            all_by_unit = {k: TableFigures.of(t) for k, t in out[3].groups.items()}
            em_by_unit = {
                GroupKey(area=k.area, unit_code=k.unit_code): TableFigures.of(t)
                for k, t in out[4].groups.items()
                if k.ethnic_minority
            }
        all_[kind] = GroupedFigures(
            TableFigures.of(by_area.total, detail=True),
            {k.area or "rural": TableFigures.of(t) for k, t in by_area.groups.items()},
            all_by_unit,
        )
        em[kind] = GroupedFigures(
            TableFigures.of(em_total, detail=True),
            {
                k.area or "rural": TableFigures.of(t)
                for k, t in em_area.groups.items()
                if k.ethnic_minority
            },
            em_by_unit,
        )
    return TransitionFigures(y0, y1, dict(names), all_, em)
