"""What the eligibility rules know of households on a day, read once for many or for one,
and the day things are measured against.

``households_facts`` builds ``core.support.eligibility.HouseholdFacts`` for any number of
households in three queries a chunk: the approved reviews (corrections replace what they
correct) as the class history, the catalogue categories of what each received by the day
(delivered or settled ledger lines, dated by delivery, and housing started by then), and
since when it has lived on its own. ``household_facts`` is the same for one household: one
implementation, so a beneficiary's check and the housing list's can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from giamngheo.core.support.catalog import UnknownSupportType, load_catalog
from giamngheo.core.support.eligibility import ClassAt, HouseholdFacts
from giamngheo.registry.models import EntryReason, HouseholdStatus, ReviewRecord, ReviewState
from giamngheo.support.models import Housing, HousingStatus, Support, SupportState

if TYPE_CHECKING:
    from giamngheo.registry.models import Household

#: The ledger states of what a household actually received.
RECEIVED_STATES = (SupportState.DELIVERED, SupportState.SETTLED)
#: Housing records that count as housing already received.
HOUSING_RECEIVED = (HousingStatus.STARTED, HousingStatus.FINISHED, HousingStatus.HANDED_OVER)
#: Households read per query.
CHUNK = 5000


def today() -> date:
    """The day due dates and capital are measured against: ``settings.GIAMNGHEO_TODAY`` when
    set (the demo, training), else the local date."""
    fixed: date | None = getattr(settings, "GIAMNGHEO_TODAY", None)
    return fixed or timezone.localdate()


def independent_since(household: Household, history: Sequence[ClassAt]) -> date | None:
    """Since when the household has lived on its own: a household that split off, from its
    entry date; any other, at least since its first approved review (it was a household of
    the registry then). None when neither is known (the rule then says so)."""
    if household.entry_reason == EntryReason.SPLIT_OFF:
        return household.entry_date
    return min((c.review_date for c in history), default=None)


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _read(
    ids: Sequence[int], on: date, history: dict[int, list[ClassAt]], got: dict[int, set[str]]
) -> None:
    """One chunk's reviews and received categories into ``history`` and ``got``."""
    reviews = (
        ReviewRecord.objects.current()
        .filter(household_id__in=ids, state=ReviewState.APPROVED)
        .values_list("household_id", "year", "review_date", "classification", "deprived",
                     "standard_id")
        .order_by("household_id", "review_date", "year", "pk")
    )  # fmt: skip
    for hid, year, day, cls, deprived, standard_id in reviews:
        history[hid].append(ClassAt(year, day, cls, frozenset(deprived or ()), standard_id))
    by_then = Q(delivered_on__lte=on) | Q(delivered_on__isnull=True, on__lte=on)
    received = (
        Support.objects.filter(by_then, household_id__in=ids, state__in=RECEIVED_STATES)
        .values_list("household_id", "support_type")
        .order_by()
        .distinct()
    )
    catalog = load_catalog()
    for hid, code in received:
        try:
            got[hid].add(catalog.get(code).category)
        except UnknownSupportType:
            continue
    # A house counts from the day it was started (its year, when no day was recorded).
    by_start = Q(started_on__lte=on) | Q(started_on__isnull=True, year__lt=on.year)
    housed = Housing.objects.filter(
        by_start, household_id__in=ids, status__in=HOUSING_RECEIVED
    ).values_list("household_id", flat=True)
    for hid in housed:
        got[hid].add("housing")


def households_facts(households: Iterable[Household], on: date) -> dict[int, HouseholdFacts]:
    """The facts of every household on ``on``, by id."""
    by_id = {h.pk: h for h in households}
    history: dict[int, list[ClassAt]] = defaultdict(list)
    got: dict[int, set[str]] = defaultdict(set)
    for ids in _chunks(list(by_id)):
        _read(ids, on, history, got)
    return {
        pk: HouseholdFacts(
            household_id=pk,
            active=h.status == HouseholdStatus.ACTIVE,
            ethnic_minority=h.ethnic_minority,
            merit_member=h.merit_member,
            social_assistance_member=h.social_assistance_member,
            independent_since=independent_since(h, history[pk]),
            history=history[pk],
            previous_support_categories=frozenset(got[pk]),
        )
        for pk, h in by_id.items()
    }


def household_facts(household: Household, on: date) -> HouseholdFacts:
    """What the eligibility rules know of one household on ``on``."""
    return households_facts([household], on)[household.pk]
