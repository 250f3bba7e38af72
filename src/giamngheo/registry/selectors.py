"""Reads of the registry, always scoped to what the actor may see.

A household outside the actor's units is reported as not existing (``Household.DoesNotExist``),
never as forbidden, so nothing leaks about other communes. National ID numbers leave this
module masked (``062*******34``) unless the actor's profile allows them
(``can_view_national_id``) — for pages and exports alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from giamngheo.accounts.access import can_view_national_id, can_view_unit, unit_scope_q
from giamngheo.core.identity import mask_national_id
from giamngheo.core.text import fold
from giamngheo.core.transitions import EntryReason, ExitReason, HouseholdYear
from giamngheo.geo.models import AdminUnit, descendants_q
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ImportBatch,
    ImportRow,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser


def households_visible(
    *,
    actor: AnyUser,
    unit: AdminUnit | None = None,
    search: str = "",
    year: int | None = None,
    classification: str | None = None,
    policy_flag: str | None = None,
) -> QuerySet[Household]:
    """Households the actor may see, optionally within ``unit`` (commune, village or above),
    matching ``search`` (code, or the head's name ignoring case and diacritics: prefix of any
    word), with a current ``classification`` in ``year``'s periodic review."""
    qs = Household.objects.filter(unit_scope_q(actor, field="commune"))
    if unit is not None:
        qs = qs.filter(descendants_q(unit, field="commune") | Q(village=unit))
    if search.strip():
        key = fold(search)
        qs = qs.filter(
            Q(code=search.strip())
            | Q(head_name_key__startswith=key)
            | Q(head_name_key__contains=f" {key}")
        )
    if classification and year is not None:
        qs = qs.filter(
            Exists(
                ReviewRecord.objects.current().filter(
                    household=OuterRef("pk"),
                    year=year,
                    kind=ReviewKind.PERIODIC,
                    classification=classification,
                )
            )
        )
    if policy_flag:
        if policy_flag not in {f.name for f in Household._meta.fields}:
            raise ValueError(policy_flag)
        qs = qs.filter(**{policy_flag: True})
    return qs.select_related("commune", "village").order_by("commune_id", "code")


def household_get(*, actor: AnyUser, pk: int) -> Household:
    """The household, if the actor may see it (``Household.DoesNotExist`` otherwise)."""
    return Household.objects.select_related("commune", "village").get(
        unit_scope_q(actor, field="commune"), pk=pk
    )


def member_national_id(*, actor: AnyUser, member: Member) -> str:
    """The member's ID number, whole only for actors allowed to see ID numbers."""
    if not member.national_id:
        return ""
    if can_view_national_id(actor) and can_view_unit(actor, member.household.commune):
        return member.national_id
    return mask_national_id(member.national_id)


@dataclass(frozen=True)
class MemberView:
    pk: int
    full_name: str
    sex: str
    birth_date: str
    birth_year: int | None
    relationship: str
    ethnicity: str
    national_id: str  # masked unless allowed
    health_insurance: bool
    in_school: bool
    disability: bool


def _view(m: Member, show: bool) -> MemberView:
    return MemberView(
        pk=m.pk,
        full_name=m.full_name,
        sex=m.sex,
        birth_date=m.birth_date.isoformat() if m.birth_date else "",
        birth_year=m.birth_year,
        relationship=m.relationship,
        ethnicity=m.ethnicity,
        national_id=(m.national_id if show else mask_national_id(m.national_id))
        if m.national_id
        else "",
        health_insurance=m.health_insurance,
        in_school=m.in_school,
        disability=m.disability,
    )


def household_members(*, actor: AnyUser, household: Household | int) -> list[MemberView]:
    """The household's members as the actor may see them."""
    pk = household if isinstance(household, int) else household.pk
    hh = household_get(actor=actor, pk=pk)
    show = can_view_national_id(actor)
    return [_view(m, show) for m in Member.objects.filter(household=hh).order_by("pk")]


def members_export_rows(
    *, actor: AnyUser, households: QuerySet[Household] | None = None
) -> Iterator[dict[str, Any]]:
    """Members of the visible households (or of ``households``, re-scoped) for an export,
    streamed; ID numbers masked unless allowed."""
    show = can_view_national_id(actor)
    qs = Member.objects.filter(unit_scope_q(actor, field="household__commune"))
    if households is not None:
        qs = qs.filter(household__in=households.values("pk"))
    for m in qs.select_related("household").order_by("household_id", "pk").iterator(2000):
        v = _view(m, show)
        yield {"household_code": m.household.code, **v.__dict__}


def review_history(*, actor: AnyUser, household: Household | int) -> list[ReviewRecord]:
    """Every review of the household, oldest first, corrections after what they correct."""
    pk = household if isinstance(household, int) else household.pk
    hh = household_get(actor=actor, pk=pk)
    return list(
        ReviewRecord.objects.filter(household=hh).order_by("year", "review_date", "revision")
    )


def import_batches(*, actor: AnyUser) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(unit_scope_q(actor, field="scope")).order_by("-pk")


def import_errors(*, actor: AnyUser, batch: ImportBatch | int, limit: int = 500) -> list[ImportRow]:
    """The batch's rows with errors (for the page; the annotated .xlsx has them all)."""
    pk = batch if isinstance(batch, int) else batch.pk
    b = import_batches(actor=actor).get(pk=pk)
    return list(
        ImportRow.objects.filter(batch=b, valid=False)
        .order_by("pk")
        .only("sheet", "row_number", "key", "errors")[:limit]
    )


_EXIT = {
    HouseholdStatus.MOVED_AWAY: ExitReason.MOVED_AWAY,
    HouseholdStatus.DISSOLVED: ExitReason.DISSOLVED,
    HouseholdStatus.MERGED: ExitReason.MERGED,
    HouseholdStatus.SPLIT: ExitReason.UNRECORDED,
}


def household_years(
    *,
    actor: AnyUser,
    unit: AdminUnit,
    years: Sequence[int],
    approved_only: bool = True,
) -> list[HouseholdYear]:
    """The transitions engine's records for the households of ``unit`` in ``years``, from the
    current (uncorrected) periodic reviews. A household absent in a year after being present
    gets an absent record with its exit reason (from its status) and a household present after
    being absent an entry reason (split off when another household split into it)."""
    ordered = sorted(set(years))
    reviews = ReviewRecord.objects.current().filter(
        unit_scope_q(actor, field="household__commune"),
        descendants_q(unit, field="household__commune"),
        kind=ReviewKind.PERIODIC,
        year__in=ordered,
    )
    if approved_only:
        reviews = reviews.filter(state=ReviewState.APPROVED)
    by_hh: dict[int, dict[int, tuple[str, int]]] = {}
    for hid, year, cls, persons in reviews.values_list(
        "household_id", "year", "classification", "persons"
    ).iterator(5000):
        by_hh.setdefault(hid, {})[year] = (cls, persons)
    out: list[HouseholdYear] = []
    ids = list(by_hh)
    split_into = set(
        Household.objects.filter(status=HouseholdStatus.SPLIT, went_to_id__in=ids).values_list(
            "went_to_id", flat=True
        )
    )
    for start in range(0, len(ids), 2000):
        for h in Household.objects.filter(pk__in=ids[start : start + 2000]).select_related(
            "commune"
        ):
            seen = by_hh[h.pk]
            out.extend(_years_of(h, seen, ordered, h.pk in split_into))
    return out


def _years_of(
    h: Household, seen: dict[int, tuple[str, int]], years: Iterable[int], split_off: bool
) -> list[HouseholdYear]:
    out: list[HouseholdYear] = []
    previous_present: bool | None = None
    last_persons = 0
    area = "urban" if h.area == "urban" else "rural"
    for y in years:
        rec = seen.get(y)
        common: dict[str, Any] = {
            "household_id": f"{h.commune.code}/{h.code}",
            "year": y,
            "ethnic_minority": h.ethnic_minority,
            "area": area,
            "unit_code": h.commune.code,
        }
        if rec is not None:
            last_persons = rec[1]
            entry = None
            if previous_present is False:
                entry = EntryReason.SPLIT_OFF if split_off else EntryReason.UNRECORDED
            out.append(
                HouseholdYear(
                    status=rec[0],  # type: ignore[arg-type]
                    persons=rec[1],
                    entry_reason=entry,
                    **common,
                )
            )
            previous_present = True
        elif previous_present:
            reason = ExitReason.UNRECORDED
            if h.status != HouseholdStatus.ACTIVE and (
                h.status_date is None or h.status_date.year <= y
            ):
                reason = _EXIT.get(HouseholdStatus(h.status), ExitReason.UNRECORDED)
            out.append(
                HouseholdYear(status=None, persons=last_persons, exit_reason=reason, **common)
            )
            previous_present = False
        elif previous_present is None:
            previous_present = False
    return out
