"""The rules of the review *process* for each legal period, as versioned data.

The law gives some durations firmly (the 2016–2020 posting of 7 working days), others only by
common recollection (the 3-working-day posting of QĐ 24/2021) and some not at all (the complaint
re-check, the whole procedure for the end-2026 review under NĐ 351/2025). So, as with the
poverty standards (``core/standards``), the rules are data: one JSON file per period under
``giamngheo/core/review/data/review-*.json``, and every value carries where it comes from
(:class:`Provenance`): the law (with a confidence mark H/M/L) or a suggestion, and whether it is
**provisional** (a setting to check against the official text, not law), with a bilingual note
that pages show beside the value.

A province may ship its own file (:func:`load_rules`), complete or ``"based_on"`` a national
rule set whose values it overrides.

Which file covers which review year: TT17-2016 the periodic reviews of 2016–2020; QD24-2021 those
of 2021–2025 (the end-2021 review was the full baseline review for 2022–2025, run under QĐ 24/2021,
in force from 1/9/2021, and TT 07/2021); ND351-2025 those from 2026 on (the end-2026 review makes
the first list under NĐ 351/2025). Monthly (ad-hoc) applications follow the set in force on the
day they are received (:func:`rules_for_adhoc`).

This module looks the national rule sets up (by year, by date, by id) and is the door to the
rules: it re-exports the data types (:mod:`~giamngheo.core.review.rules_model`) and the
loading (:mod:`~giamngheo.core.review.rules_loader`; the strict reading of a file is
:mod:`~giamngheo.core.review.rules_reader`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from itertools import pairwise

from giamngheo.core.review.rules_loader import (
    DATA_DIR,
    FILE_GLOB,
    SCHEMA_VERSION,
    load_rules,
    national_files,
    rules_from_dict,
)
from giamngheo.core.review.rules_model import (
    ANCHORS,
    BASES,
    CITED_KEYS,
    CONFIDENCES,
    CYCLE_KINDS,
    FORM_KEYS,
    STEP_KEYS,
    AdhocDates,
    AdhocRule,
    Anchor,
    Basis,
    CitedBases,
    CitedKey,
    Confidence,
    Count,
    CycleKind,
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
)

__all__ = [
    "ANCHORS",
    "BASES",
    "CITED_KEYS",
    "CONFIDENCES",
    "CYCLE_KINDS",
    "DATA_DIR",
    "FILE_GLOB",
    "FORM_KEYS",
    "SCHEMA_VERSION",
    "STEP_KEYS",
    "AdhocDates",
    "AdhocRule",
    "Anchor",
    "Basis",
    "CitedBases",
    "CitedKey",
    "Confidence",
    "Count",
    "CycleKind",
    "Duration",
    "Form",
    "FormKey",
    "InvalidRules",
    "Level",
    "MonthDay",
    "MonthlyReport",
    "Provenance",
    "ReviewRules",
    "StepKey",
    "StepRule",
    "UnknownRules",
    "Vote",
    "Window",
    "YearlyReports",
    "all_rules",
    "get_rules",
    "load_rules",
    "rule_ids",
    "rules_for",
    "rules_for_adhoc",
    "rules_from_dict",
]


@cache
def all_rules() -> tuple[ReviewRules, ...]:
    """The national rule sets, oldest first."""
    rules = sorted(
        (rules_from_dict(data, source=name) for name, data in national_files().values()),
        key=lambda r: r.first_year,
    )
    for before, after in pairwise(rules):
        if before.last_year is None or before.last_year >= after.first_year:
            raise InvalidRules(
                f"{after.source}: review_years: chồng lấn với {before.id} / "
                f"overlaps the review years of {before.id}"
            )
    return tuple(rules)


def rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in all_rules())


def get_rules(rules_id: str) -> ReviewRules:
    """A national rule set by id (e.g. "QD24-2021")."""
    for r in all_rules():
        if r.id == rules_id:
            return r
    known = ", ".join(rule_ids())
    raise UnknownRules(
        f"Không có bộ quy định rà soát {rules_id!r}; có: {known} / "
        f"no review rule set {rules_id!r}; known: {known}"
    )


def _known_span() -> str:
    rules = all_rules()
    last = rules[-1].last_year
    return f"{rules[0].first_year}–{'' if last is None else last}"


def rules_for(year: int) -> ReviewRules:
    """The rule set of the periodic review of ``year`` (it makes the lists of ``year + 1``)."""
    for r in all_rules():
        if r.applies_to(year):
            return r
    span = _known_span()
    raise UnknownRules(
        f"Không có quy định rà soát định kỳ cho năm {year}; các quy định đã biết áp dụng "
        f"cho các năm {span} / no periodic review rules for {year}; "
        f"the known rules cover the years {span}"
    )


def rules_for_adhoc(received: date) -> ReviewRules:
    """The rule set for an ad-hoc application received on ``received``: the latest one in force
    for ad-hoc reviews on that day."""
    found = [r for r in all_rules() if r.adhoc_from <= received]
    if found:
        return max(found, key=lambda r: r.adhoc_from)
    first = min(r.adhoc_from for r in all_rules())
    raise UnknownRules(
        f"Không có quy định rà soát thường xuyên cho ngày {received:%d/%m/%Y} (sớm nhất từ "
        f"{first:%d/%m/%Y}) / no ad-hoc review rules for {received.isoformat()} "
        f"(the earliest apply from {first.isoformat()})"
    )
