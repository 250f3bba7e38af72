"""Reads of plans: what a user may see, and the stored plan as the core's ``PlanTable``.

Visibility:

* a plan is listed to a user when its issuing unit is the user's unit, a unit below it, or a
  unit above it (a commune officer sees the plans of their district and province);
* inside a plan the user sees the rows of the units they can see. A user who cannot see the
  issuing unit itself (a commune officer in a district plan) sees only their own row: no
  other commune's row, no total rows (a total minus one's own row reveals the others), no
  finding about another row or a total, and not the district-wide objective status;
* changes (create, edit, import, propose) need ``can_manage_unit`` on the issuing unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from giamngheo.accounts.access import can_manage_unit, can_view_unit, unit_scope_q, user_unit
from giamngheo.core.plan import checks
from giamngheo.core.plan.model import (
    CommuneObjective,
    Finding,
    Objectives,
    PlanTable,
    PrintedTotal,
)
from giamngheo.core.plan.model import PlanRow as CoreRow
from giamngheo.core.plan.model import Section as CoreSection
from giamngheo.geo.models import AdminUnit, AdminUnitQuerySet, Level, descendants_q
from giamngheo.plans.models import Plan, PlanChange, PlanRow

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser


# -- access ---------------------------------------------------------------------------------
def plan_list(*, user: AnyUser) -> QuerySet[Plan]:
    """Plans whose issuing unit is within the user's scope or above the user's unit."""
    scope = unit_scope_q(user, field="issuing_unit")
    unit = user_unit(user)
    if unit is not None:
        above = [a.pk for a in unit.ancestors()]
        if above:
            scope |= Q(issuing_unit_id__in=above)
    return (
        Plan.objects.filter(scope)
        .select_related("issuing_unit")
        .order_by("-year", "-document_date", "pk")
    )


def plan_exists(*, issuing_unit: AdminUnit, document_number: str, document_date: dt.date) -> bool:
    """Whether the unit already has a plan with this number and date."""
    return Plan.objects.filter(
        issuing_unit=issuing_unit,
        document_number=document_number.strip(),
        document_date=document_date,
    ).exists()


def plan_get(*, user: AnyUser, pk: int) -> Plan | None:
    """The plan if the user may open it, else None (the view answers 404)."""
    return plan_list(user=user).filter(pk=pk).first()


def plan_shows_all_rows(*, user: AnyUser, plan: Plan) -> bool:
    """True when the user can see the issuing unit, hence every row, the totals and every
    finding; False for a user who sees only the rows of their own units."""
    return can_view_unit(user, plan.issuing_unit)


def plan_can_manage(*, user: AnyUser, plan: Plan) -> bool:
    return can_manage_unit(user, plan.issuing_unit)


def plan_rows(*, plan: Plan) -> QuerySet[PlanRow]:
    return plan.rows.select_related("unit").order_by("order", "pk")


def plan_rows_visible(*, user: AnyUser, plan: Plan) -> QuerySet[PlanRow]:
    rows = plan_rows(plan=plan)
    if plan_shows_all_rows(user=user, plan=plan):
        return rows
    return rows.filter(unit_scope_q(user, field="unit"))


def plan_changes_visible(*, user: AnyUser, plan: Plan) -> QuerySet[PlanChange]:
    """The plan's change history; a partial viewer sees only their units' rows' changes."""
    changes = plan.changes.select_related("user", "unit", "row").order_by("-at", "-pk")
    if plan_shows_all_rows(user=user, plan=plan):
        return changes
    return changes.filter(unit__isnull=False).filter(unit_scope_q(user, field="unit"))


def communes_under(*, unit: AdminUnit | int, on: dt.date) -> AdminUnitQuerySet:
    """Commune-level units under ``unit`` (or ``unit`` itself) valid on ``on``."""
    return (
        AdminUnit.objects.valid_on(on)
        .of_level(Level.COMMUNE)
        .filter(descendants_q(unit))
        .order_by("code", "name")
    )


def plan_communes(*, plan: Plan) -> AdminUnitQuerySet:
    """The units a row of this plan may name: commune-level units under the issuing unit
    valid on the plan's document date."""
    return communes_under(unit=plan.issuing_unit_id, on=plan.document_date)


# -- the stored plan as the core's table ---------------------------------------------------
def _decimal_or_none(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def core_row(row: PlanRow) -> CoreRow:
    return CoreRow(
        name=row.name_as_printed,
        section=CoreSection(row.section),
        households=row.households,
        ethnic_minority=row.ethnic_minority,
        poor=row.poor,
        reduction=row.reduction,
        printed_rate=_decimal_or_none(row.printed_rate),
        printed_remaining=row.printed_remaining,
        printed_projected_rate=_decimal_or_none(row.printed_projected_rate),
        number=row.number,
        unit_code=row.unit.code or None,
    )


def plan_table(*, plan: Plan, rows: Iterable[PlanRow] | None = None) -> PlanTable:
    """The plan as the core's ``PlanTable``: its rows with their printed values (if any),
    and the total rows as printed in the imported document (if any)."""
    chosen = list(plan_rows(plan=plan) if rows is None else rows)
    totals = tuple(
        PrintedTotal(
            name=t.name,
            section=CoreSection(t.section) if t.section else None,
            households=t.households,
            ethnic_minority=t.ethnic_minority,
            poor=t.poor,
            rate=_decimal_or_none(t.rate),
            reduction=t.reduction,
            remaining=t.remaining,
            projected_rate=_decimal_or_none(t.projected_rate),
            number=t.number,
        )
        for t in plan.printed_totals.order_by("order", "pk")
    )
    return PlanTable(
        rows=tuple(core_row(r) for r in chosen),
        totals=totals,
        title=plan.title,
        source=plan.document_number,
    )


def plan_objectives(*, plan: Plan, rows: Iterable[PlanRow] | None = None) -> Objectives:
    """The plan's objectives; a commune objective is named as its row is printed, so the
    core finds the row."""
    chosen = list(plan_rows(plan=plan) if rows is None else rows)
    printed_name = {r.unit_id: r.name_as_printed for r in chosen}
    communes = tuple(
        CommuneObjective(
            name=printed_name.get(o.unit_id, o.unit.name),
            min_points=o.min_points,
            max_points=o.max_points,
        )
        for o in plan.commune_objectives.select_related("unit").order_by("unit__code")
    )
    return Objectives(
        min_reduction_points=plan.min_reduction_points,
        strict=plan.strict,
        communes=communes,
    )


def check_plan(plan: Plan, *, rows: Iterable[PlanRow] | None = None) -> list[Finding]:
    """Every finding of the core's checks on the stored plan: arithmetic of the printed
    values, bounds, unit names (against the communes of the issuing unit valid on the
    document date) and objectives. ``rows``: the plan's rows if already fetched."""
    rows = list(plan_rows(plan=plan) if rows is None else rows)
    known = [checks.KnownUnit(name=u.name, code=u.code or None) for u in plan_communes(plan=plan)]
    return checks.check_table(
        plan_table(plan=plan, rows=rows),
        plan_objectives(plan=plan, rows=rows),
        known_units=known,
    )
