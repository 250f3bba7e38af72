"""The registry's histories as the transitions engine reads them (``giamngheo.core.transitions``).

:func:`unit_histories` builds one :class:`~giamngheo.core.transitions.History` per household of
a unit (commune, district, province) that the actor may see, in a handful of queries
(``values_list``, nothing per household):

* a household is *in the registry in year y* when it has an **approved, current periodic**
  review for y — current meaning not corrected by another *approved* record (a draft
  correction does not replace what was approved); its classification and persons are that
  record's;
* the first year it is missing after being present gets an absent record whose exit reason
  comes from the household's status (moved away, dissolved, merged; a household that split
  and ceased to exist counts as dissolved) when the status date is in that year or before,
  else "unrecorded";
* a household present in year y after being absent (or first reviewed after the first review
  year of the unit) gets an entry reason from its own fields ``entry_reason`` (moved in, split
  off) and ``entry_date``, when the date is no later than y; for a household that had been in
  the registry before and comes back, the date must also be in or after the previous review
  year — ``entry_date.year`` in [previous review year, y] — so an arrival recorded before it
  left does not explain its return (the previous year counts: a household may arrive after
  that year's review). A reason without a date, which the model refuses, is accepted for any
  year. Else split off when a household with status *split* names it as ``went_to``; else
  "unrecorded".

Each record's ``household_id`` is the household's primary key as text, its ``unit_code`` the
primary key of its commune as text (GSO codes were re-used by the 2025 reform, pks are not);
:func:`unit_ancestors` maps a commune pk to its district and province pks for grouping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet

from giamngheo.accounts.access import unit_scope_q
from giamngheo.core.transitions import EntryReason, ExitReason, History, HouseholdYear
from giamngheo.geo.models import AdminUnit, Level, descendants_q
from giamngheo.registry.models import EntryReason as RecordedEntry
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser

__all__ = [
    "approved_reviews",
    "commune_ids",
    "communes_reviewed",
    "review_years",
    "unit_ancestors",
    "unit_histories",
]

_ENTRY: dict[str, EntryReason] = {
    RecordedEntry.MOVED_IN: EntryReason.MOVED_IN,
    RecordedEntry.SPLIT_OFF: EntryReason.SPLIT_OFF,
}
_EXIT: dict[str, ExitReason] = {
    HouseholdStatus.MOVED_AWAY: ExitReason.MOVED_AWAY,
    HouseholdStatus.DISSOLVED: ExitReason.DISSOLVED,
    HouseholdStatus.MERGED: ExitReason.MERGED,
    HouseholdStatus.SPLIT: ExitReason.DISSOLVED,
}


def commune_ids(*, actor: AnyUser, unit: AdminUnit) -> list[int]:
    """The commune-level units at or under ``unit`` that the actor may see."""
    return list(
        AdminUnit.objects.filter(descendants_q(unit), level=Level.COMMUNE)
        # ``unit_scope_q`` filters through an FK; for the units themselves that is the pk.
        .filter(unit_scope_q(actor, field="pk"))
        .values_list("pk", flat=True)
    )


def approved_reviews(communes: Sequence[int]) -> QuerySet[ReviewRecord]:
    """Approved periodic reviews of households of ``communes`` not corrected by an approved
    record (a queryset)."""
    corrected = ReviewRecord.objects.filter(corrects=OuterRef("pk"), state=ReviewState.APPROVED)
    return ReviewRecord.objects.filter(
        household__commune_id__in=list(communes),
        kind=ReviewKind.PERIODIC,
        state=ReviewState.APPROVED,
    ).filter(~Exists(corrected))


def communes_reviewed(communes: Sequence[int], year: int) -> set[int]:
    """The communes among ``communes`` with at least one approved periodic review of
    ``year`` (one grouped query)."""
    return set(
        approved_reviews(communes)
        .filter(year=year)
        .values_list("household__commune_id", flat=True)
        .distinct()
    )


def review_years(*, actor: AnyUser, unit: AdminUnit) -> list[int]:
    """Years with an approved periodic review in the actor's part of ``unit``, ascending."""
    communes = commune_ids(actor=actor, unit=unit)
    if not communes:
        return []
    years = (
        ReviewRecord.objects.filter(
            household__commune_id__in=communes,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.APPROVED,
        )
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years))


def unit_ancestors(communes: Iterable[int]) -> dict[str, tuple[str, ...]]:
    """Commune pk (text) → its ancestors' pks (text), nearest first: (district, province), or
    (province,) for a commune directly under a province."""
    ids = list(communes)
    rows = AdminUnit.objects.filter(pk__in=ids).values_list(
        "pk", "parent_id", "parent__parent_id", "parent__parent__parent_id"
    )
    out: dict[str, tuple[str, ...]] = {}
    for pk, *chain in rows:
        out[str(pk)] = tuple(str(p) for p in chain if p is not None)
    return out


def _entry_reason(
    entry: tuple[str, dt.date | None],
    since: int,
    year: int,
    split_off: bool,
    *,
    returning: bool = False,
) -> EntryReason:
    """Why a household absent in review year ``since`` is present in ``year``: its recorded
    reason when dated no later than ``year`` (or undated) — and, for a household that had been
    in the registry before (``returning``), not before ``since``: an arrival recorded before it
    left does not explain its return. A date in ``since`` itself counts: a household may arrive
    after that year's review. Else split off when a household that split names it, else
    unrecorded."""
    reason, on = _ENTRY.get(entry[0]), entry[1]
    if reason is not None and (
        on is None or (on.year <= year and (not returning or since <= on.year))
    ):
        return reason
    return EntryReason.SPLIT_OFF if split_off else EntryReason.UNRECORDED


def unit_histories(
    *,
    actor: AnyUser,
    unit: AdminUnit,
    up_to: int | None = None,
    communes: Sequence[int] | None = None,
) -> list[History]:
    """One history per household of ``unit`` (restricted to the actor's units, and to
    ``communes`` when given) with an approved periodic review in a year ≤ ``up_to``."""
    scope = commune_ids(actor=actor, unit=unit)
    if communes is not None:
        wanted = set(communes)
        scope = [c for c in scope if c in wanted]
    if not scope:
        return []
    reviews = approved_reviews(scope)
    if up_to is not None:
        reviews = reviews.filter(year__lte=up_to)
    seen: dict[int, dict[int, tuple[str, int]]] = {}
    for hid, year, cls, persons in (
        reviews.order_by("revision")
        .values_list("household_id", "year", "classification", "persons")
        .iterator(5000)
    ):
        seen.setdefault(hid, {})[year] = (cls, persons)
    if not seen:
        return []
    years = sorted({y for by_year in seen.values() for y in by_year})
    first_year = years[0]
    info: dict[int, tuple[int, str, bool, str, dt.date | None, str, dt.date | None]] = {
        pk: (commune_id, area, em, status, status_date, entry_reason, entry_date)
        for (
            pk,
            commune_id,
            area,
            em,
            status,
            status_date,
            entry_reason,
            entry_date,
        ) in Household.objects.filter(commune_id__in=scope).values_list(
            "pk",
            "commune_id",
            "area",
            "ethnic_minority",
            "status",
            "status_date",
            "entry_reason",
            "entry_date",
        )
    }
    split_into = set(
        Household.objects.filter(status=HouseholdStatus.SPLIT, went_to__isnull=False)
        .filter(went_to__commune_id__in=scope)
        .values_list("went_to_id", flat=True)
    )
    histories: list[History] = []
    for hid in sorted(seen):
        commune_id, area, em, status, status_date, entry_reason, entry_date = info[hid]
        records = _records(
            hid,
            seen[hid],
            years,
            first_year,
            unit_code=str(commune_id),
            area="urban" if area == "urban" else "rural",
            ethnic_minority=bool(em),
            exit_reason=_exit_reason(status, status_date),
            entry=(entry_reason, entry_date),
            split_off=hid in split_into,
        )
        histories.append(History(str(hid), tuple(records)))
    return histories


def _exit_reason(status: str, status_date: dt.date | None) -> tuple[ExitReason, int | None]:
    reason = _EXIT.get(status)
    if reason is None:
        return ExitReason.UNRECORDED, None
    return reason, status_date.year if status_date is not None else None


def _records(
    hid: int,
    by_year: dict[int, tuple[str, int]],
    years: Sequence[int],
    first_year: int,
    *,
    unit_code: str,
    area: str,
    ethnic_minority: bool,
    exit_reason: tuple[ExitReason, int | None],
    entry: tuple[str, dt.date | None],
    split_off: bool,
) -> list[HouseholdYear]:
    out: list[HouseholdYear] = []
    present = False
    last_persons = 0
    common: dict[str, Any] = {
        "household_id": str(hid),
        "ethnic_minority": ethnic_minority,
        "area": area,
        "unit_code": unit_code,
    }
    previous = first_year  # the review year before y
    was_present = False  # in the registry in some earlier review year
    for y in years:
        rec = by_year.get(y)
        if rec is not None:
            entered = None
            if not present and y != first_year:
                entered = _entry_reason(entry, previous, y, split_off, returning=was_present)
            was_present = True
            out.append(
                HouseholdYear(
                    year=y,
                    status=rec[0],  # type: ignore[arg-type]
                    persons=rec[1],
                    entry_reason=entered,
                    **common,
                )
            )
            present, last_persons = True, rec[1]
        elif present:
            reason, since = exit_reason
            if since is None or since > y:
                reason = ExitReason.UNRECORDED
            out.append(
                HouseholdYear(
                    year=y, status=None, persons=last_persons, exit_reason=reason, **common
                )
            )
            present = False
        previous = y
    return out
