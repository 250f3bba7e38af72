"""The plan and the registry: its baseline from the approved review of the baseline year, and
target versus actual reduction once the plan year's review is approved.

* :func:`registry_baseline` — per commune, from the **approved periodic** review of the plan's
  baseline year (current records: not corrected by another approved record): column 1 =
  households with such a review, column 2 = those of them that are ethnic-minority
  households, column 3 = those of them classified poor;
* :func:`plan_baseline_from_registry` — writes those numbers into the plan's rows (rows whose
  commune has no approved review that year are left as they are), audited as ``PlanChange``
  rows with action ``baseline``; like any edit of columns 1–3 it clears the printed values
  that described the old numbers;
* :func:`plan_actuals` — per commune row, once the plan year's periodic review is approved:
  target (column 5) versus actual reduction = poor at the baseline review − poor at the plan
  year's review, and the net reduction per the seed's note (escaped − re-poor − newly poor),
  from the same movement tables as the transitions page (``giamngheo.core.transitions``);
  the target counts as met when the net reduction per the note (the plan's own definition of
  column 5) reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from giamngheo.core.numbers import Lang, format_int
from giamngheo.core.transitions import movement_tables
from giamngheo.plans.models import ChangeAction, Plan, PlanChange, PlanRow
from giamngheo.plans.selectors import plan_rows_visible
from giamngheo.plans.services import (
    _apply_changes,
    _clear_printed,
    _clear_printed_totals,
    _require_manage,
    _touch,
)
from giamngheo.registry.histories import approved_reviews, commune_ids, unit_histories
from giamngheo.registry.models import Classification

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from giamngheo.accounts.access import AnyUser

BASELINE_FIELDS = ("households", "ethnic_minority", "poor")


@dataclass(frozen=True)
class BaselineCounts:
    households: int
    ethnic_minority: int
    poor: int


def registry_baseline(*, plan: Plan, actor: AnyUser) -> dict[int, BaselineCounts]:
    """Commune pk → columns 1–3 from the approved periodic review of the baseline year, for
    the plan's rows' communes the actor may see (communes without such a review: absent)."""
    rows = set(plan.rows.values_list("unit_id", flat=True))
    communes = [c for c in commune_ids(actor=actor, unit=plan.issuing_unit) if c in rows]
    if not communes:
        return {}
    counts = (
        approved_reviews(communes)
        .filter(year=plan.baseline_year)
        .values("household__commune_id")
        .annotate(
            n=Count("household_id", distinct=True),
            em=Count("household_id", distinct=True, filter=Q(household__ethnic_minority=True)),
            poor=Count("household_id", distinct=True, filter=Q(classification=Classification.POOR)),
        )
        .order_by()
    )
    return {c["household__commune_id"]: BaselineCounts(c["n"], c["em"], c["poor"]) for c in counts}


@dataclass(frozen=True)
class RegistryStatus:
    """Which of the plan's communes (that the actor may see) have an approved periodic review
    of the baseline year, and of the plan year."""

    communes: tuple[int, ...]
    baseline: frozenset[int]
    plan_year: frozenset[int]

    @property
    def baseline_available(self) -> bool:
        return bool(self.baseline)


def registry_status(
    *, plan: Plan, actor: AnyUser, rows: Sequence[PlanRow] | None = None
) -> RegistryStatus:
    """Two queries (the actor's communes, the years reviewed), whatever the number of rows."""
    units = {r.unit_id for r in (rows if rows is not None else plan.rows.all())}
    communes = tuple(c for c in commune_ids(actor=actor, unit=plan.issuing_unit) if c in units)
    seen: dict[int, set[int]] = {plan.baseline_year: set(), plan.year: set()}
    if communes:
        for year, commune in (
            approved_reviews(communes)
            .filter(year__in=list(seen))
            .values_list("year", "household__commune_id")
            .distinct()
            .order_by()
        ):
            seen[year].add(commune)
    return RegistryStatus(communes, frozenset(seen[plan.baseline_year]), frozenset(seen[plan.year]))


def baseline_available(*, plan: Plan, actor: AnyUser) -> bool:
    """True when the registry has an approved periodic review of the baseline year for at
    least one of the plan's communes."""
    return registry_status(plan=plan, actor=actor).baseline_available


@transaction.atomic
def plan_baseline_from_registry(*, plan: Plan, actor: AbstractBaseUser) -> int:
    """Fill columns 1–3 of the plan's rows from the registry (see the module docstring);
    returns the number of rows changed. ``PermissionDenied`` unless the actor may manage the
    issuing unit (nothing written)."""
    _require_manage(actor, plan.issuing_unit)
    counts = registry_baseline(plan=plan, actor=actor)
    log: list[PlanChange] = []
    changed_rows = 0
    row: PlanRow
    for row in plan.rows.select_for_update().order_by("order", "pk"):
        c = counts.get(row.unit_id)
        if c is None:
            continue
        new = {"households": c.households, "ethnic_minority": c.ethnic_minority, "poor": c.poor}
        changed, entries = _apply_changes(
            row,
            {name: new[name] for name in BASELINE_FIELDS},
            plan=plan,
            user=actor,
            action=ChangeAction.BASELINE,
        )
        if not changed:
            continue
        log += entries
        log += _clear_printed(row, plan, actor)
        row.save()
        changed_rows += 1
    if changed_rows:
        log += _clear_printed_totals(plan, actor, ChangeAction.BASELINE)
        PlanChange.objects.bulk_create(log)
        _touch(plan, actor)
    return changed_rows


@dataclass(frozen=True)
class ActualLine:
    unit_id: int
    name: str
    target: int | None  # column 5
    poor_start: int  # poor at the baseline year's review
    poor_end: int  # poor at the plan year's review
    actual: int  # poor_start − poor_end
    net_by_note: int  # escaped − re-poor − newly poor
    escaped: int
    re_poor: int
    newly: int
    met: bool | None  # net reduction per the note ≥ target (None without a target)
    transitions_url: str
    start_url: str
    end_url: str

    def text(self, value: int, lang: Lang = "vi") -> str:
        return format_int(value, lang)


def plan_actuals(
    *,
    plan: Plan,
    actor: AnyUser,
    rows: Sequence[PlanRow] | None = None,
    status: RegistryStatus | None = None,
) -> list[ActualLine]:
    """Target versus actual reduction per commune row the actor may see (``rows``: default
    the visible rows), for the communes whose plan-year periodic review is approved (another
    commune's would look as if every household had left); empty before that."""
    if rows is None:
        rows = list(plan_rows_visible(user=actor, plan=plan))
    if not rows or plan.baseline_year >= plan.year:
        return []
    if status is None:
        status = registry_status(plan=plan, actor=actor, rows=rows)
    wanted = {r.unit_id for r in rows}
    communes = [c for c in status.communes if c in wanted and c in status.plan_year]
    if not communes:
        return []
    histories = unit_histories(
        actor=actor, unit=plan.issuing_unit, up_to=plan.year, communes=communes
    )
    tables = movement_tables(
        histories, plan.baseline_year, plan.year, list_kind="poor", group_by=("unit",)
    ).groups
    by_unit = {key.unit_code: t for key, t in tables.items()}
    page = reverse("transitions:page")
    listing = reverse("transitions:list")
    out: list[ActualLine] = []
    for r in rows:
        t = by_unit.get(str(r.unit_id))
        if t is None:
            continue
        consecutive = plan.year - plan.baseline_year == 1
        query = {"don_vi": r.unit_id, "nam": plan.year}
        actual = t.net_change()
        out.append(
            ActualLine(
                unit_id=r.unit_id,
                name=r.name_as_printed,
                target=r.reduction,
                poor_start=t.start.households,
                poor_end=t.end.households,
                actual=actual,
                net_by_note=t.net_reduction_by_note(),
                escaped=t.escaped.households,
                re_poor=t.re_entered.households,
                newly=t.newly.households,
                met=None if r.reduction is None else t.net_reduction_by_note() >= r.reduction,
                transitions_url=f"{page}?{urlencode(query)}" if consecutive else "",
                start_url=f"{listing}?{urlencode({**query, 'ds': 'poor', 'muc': 'start'})}"
                if consecutive
                else "",
                end_url=f"{listing}?{urlencode({**query, 'ds': 'poor', 'muc': 'end'})}"
                if consecutive
                else "",
            )
        )
    return out


__all__ = [
    "ActualLine",
    "BaselineCounts",
    "RegistryStatus",
    "baseline_available",
    "plan_actuals",
    "plan_baseline_from_registry",
    "registry_baseline",
    "registry_status",
]
