"""Plausibility flags of a campaign's communes: what an inspector would ask about before the
decision (``giamngheo.core.review.plausibility``), built from the campaign's rows and the plan
targets. Flags are for people to look at; nothing here blocks a step.

* households: each listed household's class on the current list and its last approved
  periodic review (income, deprivations) against its latest final survey;
* persons: the members of the communes' active households (duplicate IDs and names);
* communes: poor households at the start (the current list) and as proposed, against the
  target of the plan of the campaign's year (``plans.PlanRow.reduction``, column 5).

A read (selector level): it writes nothing and is imported by the pages only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from giamngheo.core.review.plausibility import (
    CommuneReduction,
    Flag,
    HouseholdYear,
    Person,
    check_plausibility,
)
from giamngheo.plans.models import PlanRow
from giamngheo.registry.models import (
    Classification,
    HouseholdStatus,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.models import CommuneReview, ListEntry, Survey

_CLASSES = frozenset(Classification.values)


def _income(inputs: Any) -> float | None:
    value = inputs.get("income") if isinstance(inputs, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _latest_surveys(entry_ids: Sequence[int]) -> dict[int, Survey]:
    out: dict[int, Survey] = {}
    for s in (
        Survey.objects.filter(entry_id__in=entry_ids, final=True)
        .only("entry_id", "version", "inputs", "result")
        .order_by("entry_id", "version")
    ):
        out[s.entry_id] = s
    return out


def _previous_records(year: int, households: Sequence[int]) -> dict[int, ReviewRecord]:
    out: dict[int, ReviewRecord] = {}
    for rec in (
        ReviewRecord.objects.filter(
            household_id__in=households,
            year=year,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.APPROVED,
        )
        .current()
        .only("household_id", "revision", "inputs", "deprived")
        .order_by("household_id", "revision")
    ):
        out[rec.household_id] = rec
    return out


def _households(entries: Sequence[ListEntry], year: int) -> list[HouseholdYear]:
    surveys = _latest_surveys([e.pk for e in entries])
    previous = _previous_records(year - 1, [e.household_id for e in entries])
    out = []
    for e in entries:
        if e.proposed_class not in _CLASSES:
            continue
        s, rec = surveys.get(e.pk), previous.get(e.household_id)
        proposed_deprived: frozenset[str] = frozenset()
        if s is not None and s.result:
            proposed_deprived = frozenset(review_rules.target_result(s.result).national.deprived)
        hh = e.household
        out.append(
            HouseholdYear(
                household_id=str(hh.pk),
                code=hh.code,
                head_name=hh.head_name,
                village=hh.village.name if hh.village else "",
                previous_class=e.previous_class if e.previous_class in _CLASSES else None,  # type: ignore[arg-type]
                proposed_class=e.proposed_class,  # type: ignore[arg-type]
                previous_income=_income(rec.inputs) if rec is not None else None,
                proposed_income=_income(s.inputs) if s is not None else None,
                previous_deprived=frozenset(rec.deprived) if rec is not None else frozenset(),
                proposed_deprived=proposed_deprived,
            )
        )
    return out


def _persons(communes: Iterable[int]) -> list[Person]:
    rows = Member.objects.filter(
        household__commune_id__in=list(communes), household__status=HouseholdStatus.ACTIVE
    ).values_list(
        "household_id",
        "household__code",
        "household__commune_id",
        "full_name",
        "birth_year",
        "national_id",
    )
    return [
        Person(str(hid), code, str(commune), name, by, nid or "")
        for hid, code, commune, name, by, nid in rows
    ]


def plan_targets(year: int, communes: Iterable[int]) -> dict[int, int]:
    """Each commune's target net reduction of poor households in the plans of ``year``
    (column 5; the latest plan's row wins)."""
    out: dict[int, int] = {}
    reduction: int | None
    for unit_id, reduction in (
        PlanRow.objects.filter(plan__year=year, unit_id__in=list(communes), reduction__isnull=False)
        .order_by("plan__document_date", "plan_id", "pk")
        .values_list("unit_id", "reduction")
    ):
        if reduction is not None:
            out[unit_id] = reduction
    return out


def _reductions(
    reviews: Sequence[CommuneReview], entries: Sequence[ListEntry], targets: dict[int, int]
) -> list[CommuneReduction]:
    start: dict[int, int] = defaultdict(int)
    end: dict[int, int] = defaultdict(int)
    proposed: dict[int, int] = defaultdict(int)
    for e in entries:
        start[e.review_id] += e.previous_class == Classification.POOR
        now = e.proposed_class or e.previous_class
        end[e.review_id] += now == Classification.POOR
        proposed[e.review_id] += bool(e.proposed_class)
    return [
        CommuneReduction(
            commune=str(r.commune_id),
            name=r.commune.name,
            start=start[r.pk],
            end=end[r.pk],
            target=targets.get(r.commune_id),
        )
        for r in reviews
        if proposed[r.pk]  # nothing proposed yet: nothing to compare
    ]


def review_flags(reviews: Sequence[CommuneReview]) -> dict[int, list[Flag]]:
    """The flags of each commune review (by review pk), warnings first; communes of one
    campaign are checked together (an ID in two of them is flagged in both)."""
    out: dict[int, list[Flag]] = {r.pk: [] for r in reviews}
    if not reviews:
        return out
    year = reviews[0].campaign.year
    entries = list(
        ListEntry.objects.filter(review__in=list(reviews), screened_out=False).select_related(
            "household__village"
        )
    )
    review_of = {str(e.household_id): e.review_id for e in entries}
    by_commune = {str(r.commune_id): r.pk for r in reviews}
    communes = [r.commune_id for r in reviews]
    household_commune: dict[str, int] = {}
    persons = _persons(communes)
    for p in persons:
        household_commune[p.household_id] = by_commune[p.commune]
    flags = check_plausibility(
        households=_households(entries, year),
        persons=persons,
        communes=_reductions(reviews, entries, plan_targets(year, communes)),
    )
    for f in flags:
        targets = {by_commune[f.commune]} if f.commune in by_commune else set()
        for hid in f.household_ids:
            rid = review_of.get(hid, household_commune.get(hid))
            if rid is not None:
                targets.add(rid)
        for rid in targets:
            out[rid].append(f)
    return out


#: What each kind of flag is about, for the headings of the groups (Vietnamese, English).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "reduction_beyond_target": ("Giảm nghèo vượt xa chỉ tiêu", "Reduction far beyond the target"),
    "escape_without_change": (
        "Thoát nghèo, thoát cận nghèo mà không có thay đổi",
        "Escapes with no change in income or any indicator",
    ),
    "duplicate_citizen_id": ("Trùng số định danh", "The same citizen ID twice"),
    "class_jump": ("Đổi nhiều bậc trong một năm", "Several classes in one year"),
    "possible_duplicate_person": ("Có thể trùng người", "Possibly the same person twice"),
}


def flag_groups(flags: Sequence[Flag], *, english: bool) -> list[dict[str, Any]]:
    """The flags grouped by kind, warnings first, each group with its heading and count, for
    pages where a commune of thousands of households may have hundreds of flags."""
    groups: dict[str, list[Flag]] = defaultdict(list)
    for f in flags:
        groups[f.kind].append(f)
    out = []
    for kind, items in groups.items():
        vi, en = KIND_LABELS.get(kind, (kind, kind))
        out.append(
            {
                "kind": kind,
                "label": en if english else vi,
                "warning": any(f.severity == "warning" for f in items),
                "count": len(items),
                "flags": items,
            }
        )
    return sorted(out, key=lambda g: (not g["warning"], -g["count"]))
