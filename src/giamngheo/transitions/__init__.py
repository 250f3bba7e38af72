"""Transitions pages: the movement tables of a unit between two consecutive review years, the
named households behind every figure and the export — the first user of the computed-report
mechanism (``giamngheo.computed``). ``report.py`` is the report (what is computed, cached and
exported), ``views.py`` the pages; the figures are computed by the core
(``giamngheo.core.transitions``, ``transitions_figures``, ``transitions_index``,
``transitions_report``) from the registry's histories (``giamngheo.registry.histories``).
"""
