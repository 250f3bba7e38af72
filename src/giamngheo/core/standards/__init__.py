"""Multidimensional poverty standards (chuẩn nghèo đa chiều) as data, and household classification.

Public API::

    from giamngheo.core.standards import get_standard, standard_for, classify_household
    std = standard_for(2021, review="periodic")        # ND07-2021 (end-2021 review -> 2022 list)
    std.indicator_keys                                 # ("employment", "dependants", …)
    std.lines["rural"].near_poverty                    # 1_500_000
    r = classify_household({"household_id": "H1", "area": "rural", "income": 1_200_000,
                            "dep_water": 1, …}, std)
    r.classification, r.poor_basis, r.deprived, r.explanation_vi

Batch (columnar, streaming): ``classify_batch`` (one pyarrow RecordBatch) and ``classify_file``
(CSV/XLSX/Parquet in and out) in ``giamngheo.core.standards.batch``.
"""

from __future__ import annotations

from giamngheo.core.standards.classify import (
    classify_by_income,
    classify_by_score,
    classify_household,
)
from giamngheo.core.standards.headings import AmbiguousColumns, ColumnMap, resolve_columns
from giamngheo.core.standards.model import (
    AREAS,
    CLASSIFICATIONS,
    REVIEW_KINDS,
    RULE_KINDS,
    Area,
    AreaLines,
    Classification,
    Dimension,
    FieldError,
    Indicator,
    InvalidHousehold,
    InvalidStandard,
    LegalBasis,
    Note,
    PoorBasis,
    Result,
    ReviewKind,
    RuleKind,
    ScoreCuts,
    ScoreRule,
    Standard,
    UnknownStandard,
)
from giamngheo.core.standards.registry import (
    NATIONAL_STANDARD_IDS,
    get_standard,
    load_standard,
    national_standards,
    resolve_standard,
    standard_for,
    standard_from_dict,
)

__all__ = [
    "AREAS",
    "CLASSIFICATIONS",
    "NATIONAL_STANDARD_IDS",
    "REVIEW_KINDS",
    "RULE_KINDS",
    "AmbiguousColumns",
    "Area",
    "AreaLines",
    "Classification",
    "ColumnMap",
    "Dimension",
    "FieldError",
    "Indicator",
    "InvalidHousehold",
    "InvalidStandard",
    "LegalBasis",
    "Note",
    "PoorBasis",
    "Result",
    "ReviewKind",
    "RuleKind",
    "ScoreCuts",
    "ScoreRule",
    "Standard",
    "UnknownStandard",
    "classify_by_income",
    "classify_by_score",
    "classify_household",
    "get_standard",
    "load_standard",
    "national_standards",
    "resolve_columns",
    "resolve_standard",
    "standard_for",
    "standard_from_dict",
]
