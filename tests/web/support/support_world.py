"""Helpers of the support tests importable by name (``from support_world import add_review``):
a conftest module's name is not unique across the suite's folders."""

from __future__ import annotations

import datetime as dt

from giamngheo.registry.models import Household, ReviewKind, ReviewRecord, ReviewState

QD59_KEYS = (
    "health_access",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_assets",
)


def add_review(
    hh: Household,
    year: int,
    cls: str,
    income: int,
    deprived: tuple[str, ...] = (),
    *,
    standard_id: str = "QD59-2015",
    review_date: dt.date | None = None,
) -> ReviewRecord:
    """An approved periodic review of ``year`` for one household."""
    keys = QD59_KEYS if standard_id == "QD59-2015" else deprived
    return ReviewRecord.objects.create(
        household=hh,
        year=year,
        kind=ReviewKind.PERIODIC,
        review_date=review_date or dt.date(year, 11, 20),
        standard_id=standard_id,
        inputs={"income": income, **{f"dep_{k}": int(k in deprived) for k in keys}},
        persons=3,
        classification=cls,
        deprivation_count=len(deprived),
        deprived=list(deprived),
        state=ReviewState.APPROVED,
    )
