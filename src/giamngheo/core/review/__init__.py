"""The review (rà soát hộ nghèo, hộ cận nghèo) as a process: pure Python, no Django.

* ``calendar``: working days of public offices (weekends, Vietnamese public holidays from the
  ``holidays`` package, the unit's extra days off and make-up working days) and deadline
  arithmetic as the law counts it;
* ``rules``: each legal period's process rules as versioned data (``data/review-*.json``):
  the periodic window, the steps and their default due dates, posting and complaint periods,
  the meeting's vote rule, the monthly (ad-hoc) review, reporting dates, the approval chain,
  form names and the legal bases documents cite; every value says whether it is law or a
  provisional setting;
* ``schedule``: a campaign's step due dates with the unit's overrides, and step status.

Public API::

    from giamngheo.core.review import WorkCalendar, rules_for, build_schedule
    cal = WorkCalendar(extra_working_days=[date(2025, 4, 26)])
    rules = rules_for(2025)                      # QD24-2021
    steps = build_schedule(rules, 2025, cal, {"report": date(2025, 12, 5)})
    rules.adhoc_due(date(2025, 8, 12), cal)      # cycle 15/8, decision due 3/9/2025

Other modules of this package (targets, plausibility, certificate, screening) are imported
from their own modules, not re-exported here.
"""

from __future__ import annotations

from giamngheo.core.review.calendar import (
    DAY_UNITS,
    DayUnit,
    WorkCalendar,
    public_holidays,
)
from giamngheo.core.review.rules import (
    ANCHORS,
    BASES,
    FORM_KEYS,
    STEP_KEYS,
    AdhocDates,
    AdhocRule,
    Anchor,
    Basis,
    CitedBases,
    Count,
    Duration,
    Form,
    FormKey,
    InvalidRules,
    Level,
    MonthDay,
    MonthlyReport,
    Provenance,
    ReviewRules,
    StepKey,
    StepRule,
    UnknownRules,
    Vote,
    Window,
    YearlyReports,
    all_rules,
    get_rules,
    load_rules,
    rule_ids,
    rules_for,
    rules_for_adhoc,
    rules_from_dict,
)
from giamngheo.core.review.schedule import (
    ORIGINS,
    STATE_LABELS,
    STATES,
    Origin,
    State,
    StepDue,
    StepStatus,
    build_schedule,
    days_late,
    out_of_order,
    posting_end,
    status_of,
)

__all__ = [
    "ANCHORS",
    "BASES",
    "DAY_UNITS",
    "FORM_KEYS",
    "ORIGINS",
    "STATES",
    "STATE_LABELS",
    "STEP_KEYS",
    "AdhocDates",
    "AdhocRule",
    "Anchor",
    "Basis",
    "CitedBases",
    "Count",
    "DayUnit",
    "Duration",
    "Form",
    "FormKey",
    "InvalidRules",
    "Level",
    "MonthDay",
    "MonthlyReport",
    "Origin",
    "Provenance",
    "ReviewRules",
    "State",
    "StepDue",
    "StepKey",
    "StepRule",
    "StepStatus",
    "UnknownRules",
    "Vote",
    "Window",
    "WorkCalendar",
    "YearlyReports",
    "all_rules",
    "build_schedule",
    "days_late",
    "get_rules",
    "load_rules",
    "out_of_order",
    "posting_end",
    "public_holidays",
    "rule_ids",
    "rules_for",
    "rules_for_adhoc",
    "rules_from_dict",
    "status_of",
]
