"""Sections other apps add to the plan page.

The support app (above the plans in the import layers) shows, per commune of a plan, the
households registered to escape poverty against column 5 and the money spent. The plans app
offers the hook, the support app fills it from its ``AppConfig.ready``:

* :func:`register_plan_panel` — ``fn(request, plan, rows) -> str``: the section's HTML
  (rendered from the app's own template, escaped), "" when there is nothing to show; ``rows``
  are the plan rows the user may see (a commune officer: its own commune's row only);
* :func:`plan_panels` — every panel's HTML for one plan, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.http import HttpRequest

    from giamngheo.plans.models import Plan, PlanRow

PlanPanel = Callable[["HttpRequest", "Plan", "Sequence[PlanRow]"], str]

_panels: list[PlanPanel] = []


def register_plan_panel(fn: PlanPanel) -> PlanPanel:
    if fn not in _panels:
        _panels.append(fn)
    return fn


def plan_panels(request: HttpRequest, plan: Plan, rows: Sequence[PlanRow]) -> list[SafeString]:
    # The panel functions render their own templates (autoescaped): their output is safe.
    return [mark_safe(html) for fn in _panels if (html := fn(request, plan, rows))]
