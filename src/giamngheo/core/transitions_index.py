"""The drill-down index of a transitions computation: the households behind every figure
(pure Python).

:func:`build_index` places every household of the tables once, in the order of the
drill-down lists (the caller's sort key: commune name, household code), as compact columns
(:class:`TransitionIndex`): its id, commune, area, ethnic-minority flag, persons, status and
origin code in both years; and, per list and per bucket key of
:func:`giamngheo.core.transitions.bucket_keys`, the positions of its households and the
persons each adds. A drill-down list is a filter on it (:meth:`TransitionIndex.figure`):
:func:`~giamngheo.core.transitions.figure_keys` names the bucket keys of a figure, so the
list of a figure has exactly the households its count counts.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from giamngheo.core.standards.model import CLASSIFICATIONS
from giamngheo.core.transitions import (
    LIST_KINDS,
    ExitReason,
    History,
    HouseholdYear,
    ListKind,
    Measure,
    OriginCode,
    bucket_keys,
    figure_keys,
    household_movement,
    origin_code,
    origin_of_movement,
)

#: The statuses of ``status_from`` / ``status_to``: "" (no record that year), a
#: classification, or ``exit:<reason>`` (left the registry).
STATUS_CODES: tuple[str, ...] = (
    "",
    *CLASSIFICATIONS,
    *(f"exit:{r.value}" for r in ExitReason),
)
_STATUS_INDEX = {code: i for i, code in enumerate(STATUS_CODES)}
#: The origin codes of ``origin_from`` / ``origin_to``: "" (none) or an :class:`OriginCode`.
ORIGIN_CODES: tuple[str, ...] = ("", *(o.value for o in OriginCode))
_ORIGIN_INDEX = {code: i for i, code in enumerate(ORIGIN_CODES)}


def _status_code(record: HouseholdYear | None) -> int:
    if record is None:
        return 0
    if record.status is None:
        return _STATUS_INDEX[f"exit:{(record.exit_reason or ExitReason.UNRECORDED).value}"]
    return _STATUS_INDEX[record.status]


@dataclass
class TransitionIndex:
    """Every household in the tables of one computation, one position each, in the order of
    the drill-down lists, as compact columns; and, per list and per bucket key, the positions
    of its households and the persons each adds (see the module docstring)."""

    year_from: int
    year_to: int
    household: array[int] = field(default_factory=lambda: array("q"))
    commune: array[int] = field(default_factory=lambda: array("q"))
    urban: bytearray = field(default_factory=bytearray)
    em: bytearray = field(default_factory=bytearray)
    persons_from: array[int] = field(default_factory=lambda: array("l"))
    persons_to: array[int] = field(default_factory=lambda: array("l"))
    status_from: bytearray = field(default_factory=bytearray)  # index into STATUS_CODES
    status_to: bytearray = field(default_factory=bytearray)
    origin_from: bytearray = field(default_factory=bytearray)  # index into ORIGIN_CODES
    origin_to: bytearray = field(default_factory=bytearray)
    buckets: dict[str, dict[str, tuple[array[int], array[int]]]] = field(default_factory=dict)

    def figure(
        self,
        list_kind: ListKind,
        key: str,
        measure: Measure,
        *,
        area: str | None = None,
        em: bool = False,
        communes: set[int] | None = None,
    ) -> tuple[array[int], int]:
        """Positions (in list order) and persons of the figure ``key`` restricted to a group
        (``KeyError`` for an unknown key)."""
        chosen: dict[int, int] = {}
        by_key = self.buckets.get(list_kind, {})
        for bucket_key in figure_keys(list_kind, key, measure):
            positions, persons = by_key.get(bucket_key, (array("q"), array("l")))
            for pos, n in zip(positions, persons, strict=True):
                if area is not None and self.urban[pos] != (area == "urban"):
                    continue
                if em and not self.em[pos]:
                    continue
                if communes is not None and self.commune[pos] not in communes:
                    continue
                chosen[pos] = chosen.get(pos, 0) + n
        return array("q", sorted(chosen)), sum(chosen.values())


def build_index(
    histories: Sequence[History],
    year_from: int,
    year_to: int,
    *,
    order: Mapping[int, tuple[str, ...]],
    previous_year: int | None = None,
) -> TransitionIndex:
    """The index of ``histories`` (household ids: integers as text; unit codes: the commune's
    integer id as text) for the pair (``year_from``, ``year_to``). ``order`` gives each
    household's place in the lists (ties: by id); a household it does not name is left out.
    ``previous_year``: the review year before ``year_from``, for the origin codes of
    ``year_from`` (None: no such codes)."""
    y0, y1 = year_from, year_to
    placed: list[tuple[tuple[str, ...], int, History, HouseholdYear]] = []
    for h in histories:
        r0, r1 = h.at(y0), h.at(y1)
        ref = r1 if r1 is not None and r1.present else r0 if r0 is not None and r0.present else None
        hid = int(h.household_id)
        if ref is None or hid not in order:
            continue
        placed.append((order[hid], hid, h, ref))
    placed.sort(key=lambda p: (p[0], p[1]))
    index = TransitionIndex(y0, y1)
    collect: dict[str, dict[str, tuple[list[int], list[int]]]] = {k: {} for k in LIST_KINDS}
    for pos, (_order, hid, h, ref) in enumerate(placed):
        r0, r1 = h.at(y0), h.at(y1)
        index.household.append(hid)
        index.commune.append(int(ref.unit_code))
        index.urban.append(ref.area == "urban")
        index.em.append(ref.ethnic_minority)
        index.persons_from.append(r0.persons if r0 is not None and r0.present else 0)
        index.persons_to.append(r1.persons if r1 is not None and r1.present else 0)
        index.status_from.append(_status_code(r0))
        index.status_to.append(_status_code(r1))
        o0 = origin_code(h, y0, previous_year=previous_year) if previous_year is not None else None
        o1: OriginCode | None = None
        for kind in LIST_KINDS:
            mv = household_movement(h, y0, y1, kind)
            if mv is not None and r1 is not None and r1.status == kind:
                o1 = origin_of_movement(kind, mv.movement)  # = origin_code(h, y1, y0)
            into = collect[kind]
            for key, persons in bucket_keys(r0, r1, mv):
                positions, counts = into.setdefault(key, ([], []))
                positions.append(pos)
                counts.append(persons)
        index.origin_from.append(_ORIGIN_INDEX[o0.value if o0 is not None else ""])
        index.origin_to.append(_ORIGIN_INDEX[o1.value if o1 is not None else ""])
    index.buckets = {
        kind: {key: (array("q", p), array("l", n)) for key, (p, n) in by_key.items()}
        for kind, by_key in collect.items()
    }
    return index
