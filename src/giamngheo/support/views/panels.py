"""The sections the support app adds to the household page and the plan page.

* :func:`household_panel`: the household's support history (ledger rows with project, item,
  quantity, value, date and state), the capital it must return from a revolving model (due,
  collected, overdue today: ``core.support.revolving.position``), its Social Policy Bank loans,
  its housing support and its escape registrations; a link to record a support when the user
  may (``access.can_record_for``). Nothing when there is nothing and the user cannot add.
* :func:`plan_panel`: per commune row of the plan the user sees, the plan's target (column 5),
  the households registered to escape poverty in the plan's year and, once the commune's review
  of that year is approved, how many of them escaped (``core.support.pipeline``); the money
  allocated, disbursed and settled for the year (``selectors.money.commune_money``); totals
  only for a user who sees every row (a commune officer sees its own row, no totals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from giamngheo.accounts.access import can_view_unit
from giamngheo.core.numbers import Lang
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.gaps import GapError
from giamngheo.core.support.pipeline import registered_vs_escaped
from giamngheo.core.support.revolving import Collection, Instalment, RevolvingError, position
from giamngheo.plans.selectors import plan_shows_all_rows
from giamngheo.support.access import can_record_for
from giamngheo.support.selectors.money import CommuneMoney, commune_money
from giamngheo.support.selectors.needs import (
    communes_reviewed,
    household_history,
    needs,
    next_reviews,
    registrations,
)
from giamngheo.support.views.common import english

if TYPE_CHECKING:
    from django.http import HttpRequest

    from giamngheo.plans.models import Plan, PlanRow
    from giamngheo.registry.models import Household
    from giamngheo.support.models import Recovery


def _today() -> dt.date:
    fixed: dt.date | None = getattr(settings, "GIAMNGHEO_TODAY", None)
    return fixed or timezone.localdate()


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of another part, not there yet
        return ""


def _recovery(rec: Recovery, got: list[tuple[dt.date, int]], today: dt.date) -> dict[str, Any]:
    try:
        schedule = [
            Instalment(dt.date.fromisoformat(str(i["due"])), int(i["amount"])) for i in rec.schedule
        ]
        pos = position(schedule, [Collection(on, amount) for on, amount in got], today)
    except (RevolvingError, KeyError, TypeError, ValueError):
        pos = None
    return {"rec": rec, "support": rec.support, "pos": pos}


def household_panel(request: HttpRequest, household: Household) -> str:
    user = request.user
    if not can_view_unit(user, household.commune):
        return ""
    history = household_history(household)
    add_url = (
        _url("support:support_new", household.pk) if can_record_for(user, None, household) else ""
    )
    if history.empty and not add_url:
        return ""
    catalog = load_catalog()
    lang: Lang = "en" if english() else "vi"
    today = _today()
    supports = [
        {
            "s": s,
            "type": catalog.get(s.support_type).label(lang)
            if s.support_type in catalog
            else s.support_type,
        }
        for s in history.supports
    ]
    context = {
        "household": household,
        "supports": supports,
        "recoveries": [_recovery(rec, got, today) for rec, got in history.recoveries],
        "loans": history.loans,
        "housing": history.housing,
        "registrations": history.registrations,
        "add_url": add_url,
        "today": today,
    }
    return render_to_string("support/_household_panel.html", context, request=request)


def plan_panel(request: HttpRequest, plan: Plan, rows: Sequence[PlanRow]) -> str:
    rows = list(rows)
    if not rows:
        return ""
    ids = [r.unit_id for r in rows]
    regs = registrations(year=plan.year, commune_ids=ids)
    reg_ids = {r.household_id for r in regs}
    # Escaped among the registered: only where something is registered (the page's queries).
    reviewed = communes_reviewed({r.commune_id for r in regs}, plan.year) if regs else set()
    base = needs(request.user, year=plan.year - 1, household_ids=reg_ids) if reg_ids else []
    later = next_reviews(plan.year, reg_ids) if reg_ids and reviewed else []
    targets = {r.unit_id: r.reduction for r in rows if r.reduction is not None}
    try:
        table = registered_vs_escaped(regs, base, later, targets, year=plan.year)
    except GapError:
        table = []
    outcome = {t.commune_id: t for t in table if t.commune_id is not None}
    money = commune_money(year=plan.year, commune_ids=ids)
    pipeline = _url("support:pipeline")
    lines: list[dict[str, Any]] = []
    for r in rows:
        o = outcome.get(r.unit_id)
        lines.append(
            {
                "row": r,
                "registered": o.registered if o else 0,
                "escaped": o.registered_escaped if o and r.unit_id in reviewed else None,
                "money": money.get(r.unit_id, CommuneMoney()),
                "url": f"{pipeline}?nam={plan.year}&xa={r.unit_id}" if pipeline else "",
            }
        )
    totals = None
    if len(rows) > 1 and plan_shows_all_rows(user=request.user, plan=plan):
        totals = {
            "target": sum(targets.values()) if targets else None,
            "registered": sum(line["registered"] for line in lines),
            "escaped": sum(line["escaped"] or 0 for line in lines)
            if all(line["escaped"] is not None or not line["registered"] for line in lines)
            else None,
            "allocated": sum(m.allocated for m in money.values()),
            "disbursed": sum(m.disbursed for m in money.values()),
            "settled": sum(m.settled for m in money.values()),
        }
    context = {"plan": plan, "lines": lines, "totals": totals, "pipeline_url": pipeline}
    return render_to_string("support/_plan_panel.html", context, request=request)
