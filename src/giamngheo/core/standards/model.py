"""The data model of a poverty standard (chuẩn nghèo) and of a household's classification.

A standard is *data*: its lines, indicators and score rule come from a JSON file under
``giamngheo/core/standards/data/`` (see ``docs/standards.md``). The code only knows the two
rule kinds below and how to evaluate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

Area = Literal["rural", "urban"]
AREAS: tuple[Area, ...] = get_args(Area)

Classification = Literal["poor", "near_poor", "medium", "non_poor"]
CLASSIFICATIONS: tuple[Classification, ...] = get_args(Classification)

PoorBasis = Literal["income", "deprivation", ""]
POOR_BASES: tuple[PoorBasis, ...] = get_args(PoorBasis)

RuleKind = Literal["qd59", "line_and_deprivations"]
RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)

ReviewKind = Literal["periodic", "adhoc"]
REVIEW_KINDS: tuple[ReviewKind, ...] = get_args(ReviewKind)

Confidence = Literal["H", "M", "L"]

# Canonical column names of a household record.
HOUSEHOLD_ID = "household_id"
AREA = "area"
INCOME = "income"
INCOME_SCORE = "income_score"
DEPRIVATION_PREFIX = "dep_"


@dataclass(frozen=True)
class Note:
    """A bilingual remark, e.g. why a value is provisional."""

    vi: str
    en: str


@dataclass(frozen=True)
class LegalBasis:
    instrument: str  # e.g. "QĐ 59/2015/QĐ-TTg"
    signed: str  # ISO date
    effective: str  # ISO date
    note: Note | None = None


@dataclass(frozen=True)
class Indicator:
    """One deprivation indicator; its input column is ``dep_<key>``."""

    key: str
    dimension: str  # the key of its dimension
    name_vi: str
    name_en: str
    threshold_vi: str = ""
    threshold_en: str = ""
    confidence: Confidence = "M"
    provisional: bool = False
    aliases_vi: tuple[str, ...] = ()  # further Vietnamese headings accepted for the column

    @property
    def column(self) -> str:
        return DEPRIVATION_PREFIX + self.key


@dataclass(frozen=True)
class Dimension:
    key: str
    name_vi: str
    name_en: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class AreaLines:
    """Income lines for one area, VND per person per month.

    ``poverty``: at or below it a household is income-poor (rule "qd59" only; equals
    ``near_poverty`` under "line_and_deprivations", where no income-only branch exists).
    ``near_poverty``: at or below it the deprivation count decides poor versus near-poor.
    ``medium_upper``: upper bound (inclusive) of the medium-living-standard band, None if unknown.
    """

    poverty: int
    near_poverty: int
    medium_upper: int | None


@dataclass(frozen=True)
class ScoreCuts:
    """Cuts on the review form's income-proxy score for one area (inclusive).

    ``poor``: at or below it the household is poor whatever its deprivations (B1 under
    TT 14/2018); None when no such branch exists (A under TT 07/2021).
    ``near_poor``: at or below it the deprivation score decides poor versus near-poor.
    """

    poor: int | None
    near_poor: int


@dataclass(frozen=True)
class ScoreRule:
    """The review form's score rule: used when a household comes with a form score."""

    basis: str  # legal basis, e.g. "TT 14/2018/TT-BLĐTBXH"
    score_name: str  # "B1" or "A"
    deprivation_score_name: str  # "B2" or "B"
    headings_vi: tuple[str, ...]  # accepted headings of the score column, e.g. "Điểm B1"
    cuts: Mapping[Area, ScoreCuts]
    min_deprivation_score: int  # B2 / B at or above it: poor (30)


@dataclass(frozen=True)
class Standard:
    """A poverty standard: its lines, indicators and classification rule, all from data."""

    id: str
    name_vi: str
    name_en: str
    legal_basis: LegalBasis
    years: tuple[int, int]  # first and last year in force, inclusive
    rule: RuleKind
    lines: Mapping[Area, AreaLines]
    dimensions: tuple[Dimension, ...]
    deprivation_cutoff: int = 3  # D at or above it: poor (when income/score allows)
    points_per_deprivation: int = 10
    score_rule: ScoreRule | None = None
    score_rule_note: Note | None = None  # why there is no score rule, when there is none
    medium_band_provisional: bool = False
    medium_band_note: Note | None = None
    notes: tuple[Note, ...] = ()  # provisional notes that apply to every household
    national: bool = True  # False for a province's local standard
    based_on: str | None = None
    source: str = ""  # the file it was loaded from
    indicators: tuple[Indicator, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "indicators", tuple(i for d in self.dimensions for i in d.indicators)
        )

    @property
    def indicator_keys(self) -> tuple[str, ...]:
        """Indicator keys in the standard's order (the order of ``deprived``)."""
        return tuple(i.key for i in self.indicators)

    @property
    def deprivation_columns(self) -> tuple[str, ...]:
        """Input columns of the indicators: ``dep_<key>``."""
        return tuple(i.column for i in self.indicators)

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    def in_force(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]

    @property
    def has_provisional(self) -> bool:
        return bool(self.notes) or self.medium_band_provisional


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of one household, in both languages."""

    field: str  # canonical field name, e.g. "income" or "dep_water"
    message_vi: str
    message_en: str


class InvalidHousehold(ValueError):
    """A household record that cannot be classified; ``errors`` names every bad field."""

    def __init__(self, household_id: str, errors: tuple[FieldError, ...], row: int | None = None):
        self.household_id = household_id
        self.errors = errors
        self.row = row
        where = f"row {row}, " if row is not None else ""
        detail = "; ".join(f"{e.field}: {e.message_en}" for e in errors)
        super().__init__(f"{where}household {household_id or '?'}: {detail}")


class UnknownStandard(LookupError):
    """No standard with that id, or none in force for that year."""


class InvalidStandard(ValueError):
    """A standard's data file is malformed."""


@dataclass(frozen=True)
class Result:
    """The classification of one household, with its explanation."""

    household_id: str
    standard: str
    classification: Classification
    poor_basis: PoorBasis
    deprivation_count: int
    deprivation_score: int
    deprived: tuple[str, ...]  # indicator keys, in the standard's order
    area: Area
    decided_by: Literal["income", "score"]
    income: float | None
    income_score: float | None
    income_score_disagreement: bool
    explanation_vi: str
    explanation_en: str
    disagreement_vi: str = ""
    disagreement_en: str = ""
    notes_vi: tuple[str, ...] = ()  # provisional values used, ignored inputs, …
    notes_en: tuple[str, ...] = ()

    @property
    def deprived_text(self) -> str:
        """Deprived indicator keys separated by ";" as in batch output."""
        return ";".join(self.deprived)
