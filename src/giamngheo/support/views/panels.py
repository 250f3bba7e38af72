"""The sections the support app adds to the household page and the plan page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from giamngheo.plans.models import Plan, PlanRow
    from giamngheo.registry.models import Household


def household_panel(request: HttpRequest, household: Household) -> str:
    return ""


def plan_panel(request: HttpRequest, plan: Plan, rows: Sequence[PlanRow]) -> str:
    return ""
