"""Support and money: the programme's projects, budgets, credit, housing and every
household's support, matched to what keeps each household poor.

The rules and figures are pure (``giamngheo.core.support``); this app stores them, checks
rights, writes the audit trail and shows the pages. Package docstrings of ``models``,
``services`` and ``views`` say what lives where.
"""
