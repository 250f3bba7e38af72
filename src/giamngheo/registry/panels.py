"""Sections other apps add to the household page.

The support app (above the registry in the import layers: the registry never imports it)
shows a household's support history, loans and housing on the household page. The registry
offers the hook, the app fills it from its ``AppConfig.ready``:

* :func:`register_household_panel` — ``fn(request, household) -> str`` returns the section's
  HTML (already escaped: rendered from the app's own template), or "" when it has nothing to
  show; the function applies its own access rules;
* :func:`household_panels` — every registered panel's HTML for one household, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.http import HttpRequest

    from giamngheo.registry.models import Household

HouseholdPanel = Callable[["HttpRequest", "Household"], str]

_panels: list[HouseholdPanel] = []


def register_household_panel(fn: HouseholdPanel) -> HouseholdPanel:
    if fn not in _panels:
        _panels.append(fn)
    return fn


def household_panels(request: HttpRequest, household: Household) -> list[SafeString]:
    # The panel functions render their own templates (autoescaped): their output is safe.
    return [mark_safe(html) for fn in _panels if (html := fn(request, household))]
