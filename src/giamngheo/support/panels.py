"""Registers the support app's sections on the household page and the plan page (the hooks of
``registry.panels`` and ``plans.panels``), from ``AppConfig.ready``."""

from __future__ import annotations


def register() -> None:
    from giamngheo.plans.panels import register_plan_panel
    from giamngheo.registry.panels import register_household_panel
    from giamngheo.support.views.panels import household_panel, plan_panel

    register_household_panel(household_panel)
    register_plan_panel(plan_panel)
