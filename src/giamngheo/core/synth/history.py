"""Ngọc Hồi 2018–2020: a synthetic registry of households, members and three annual reviews.

Public API::

    from giamngheo.core.synth.history import ngoc_hoi_history, to_transition_records
    registry = ngoc_hoi_history(seed=1)          # ≈ 16,300 households, 65,000 members
    registry.households, registry.members, registry.reviews   # frozen dataclasses
    registry.villages["23380"]                  # ("Thôn 1", …): the villages to create
    registry.to_arrow()                         # {"households", "members", "reviews"} tables
    histories_from_records(to_transition_records(registry))   # → movement_table(…)

:func:`ngoc_hoi_history` builds the demo of issue 4 §5 around :func:`ngoc_hoi_2019` (the seed
plan's columns 1–3, exact per commune): the 2019 review *is* that table (some of its households
are marked as having moved in or split off during 2019), and the 2018 and 2020 reviews are
derived from it so that the transitions between them are believable. All three reviews are
periodic reviews under QD59-2015 (in force 2016–2021).

How each year is made
---------------------
* **2019** — the preset's households, incomes and deprivations unchanged.
* **2018** — incomes deflated by a household growth factor ``exp(N(0.08, 0.12))`` and a few
  deprivations that 2019 no longer shows (conditions improve); **2020** — incomes grown by the
  same law and a few deprivations resolved. These proposals are then steered to a planned
  movement: per commune, counts proportional to its poor households choose who escaped (the
  best-off of the poor, Gumbel top-k on ``log(income / poverty line) − 0.3 · deprivations``),
  who became poor (the worst-off of the others, near-poor or above the line), who is re-poor in
  2020 (poor in 2018, above the near-poor line in 2019, poor again in 2020), who moved away,
  dissolved or merged, and who moved in or split off. A proposal that lands in the wrong class
  gets the smallest change that puts it in the planned one (income moved into the class's band;
  deprivations added or trimmed around the cutoff of 3).
* **Rates.** 2018: about 1.3 times the 2019 poor (≈ 6.5 %; Đắk Ang about 35 %, falling by
  7–8 points as the plan says). 2020: per commune, a net reduction by the seed's note
  (escaped − re-poor − newly poor) of 88–100 % of the plan's target (199 for the district,
  73 for Đắk Ang), so the district lands near 3.9 %, near but not on the plan's 3.71 %.
* **Verification.** Every review is classified by the standards engine (batch path); the stored
  classification and poor basis are the engine's, and a review whose engine result differs
  from the planned class raises :class:`SynthError`. The 2019 counts are checked against the
  seed table per commune.

Households that arrive (moved in, split off) first appear in 2019 (chosen among the preset's
households) or 2020 (new); households that leave (moved away, dissolved, merged) are last
reviewed in 2018 (new) or 2019. New households are drawn from a donor of the same commune
(village, ethnic-minority flag, size, perturbed inputs). A split-off household points to the
household of its village it split from, a merged one to the household it joined.

Members (as of 2020, one list per household, its size the preset's ``household_size``) are
drawn per household: head, spouse, children, a parent or grandchildren; Kinh names, or Giẻ
Triêng / Xơ Đăng / Ba Na / Brâu style names (``A …`` for men, ``Y …`` for women) in
ethnic-minority households, other minorities (Tày, Nùng, Mường, Thái) with their own family
names. Members aged 14 or more have a valid, unique 12-digit citizen ID that encodes their sex
and year of birth (birth province 062 Kon Tum, or a settler's home province for some older Kinh
members). Health insurance, children's schooling and adults' education agree with the
household's latest review flags where the members' ages allow it. Policy groups follow the
members: female head from the head's sex, local ethnic minority from the head's ethnicity, no
working capacity when no member aged 16–59 can work, social assistance mostly for households
with a disabled or very old member.

Determinism: the plan of commune ``i`` is drawn from ``SeedSequence([seed, 40, i])`` (numpy),
the members from ``SeedSequence([seed, 41])`` (seeding Python's ``random.Random``, much faster
for many small draws); the same seed gives the same registry.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from giamngheo.core.identity import Sex
from giamngheo.core.standards import Area, Classification, PoorBasis, Standard, get_standard
from giamngheo.core.standards.batch import classify_batch
from giamngheo.core.synth.ngoc_hoi import (
    CommuneTarget,
    SynthError,
    ngoc_hoi_2019,
    ngoc_hoi_2019_targets,
    preset_standard_id,
)
from giamngheo.core.transitions import EntryReason, ExitReason, HouseholdYear

__all__ = [
    "BASE_YEAR",
    "CAUSES",
    "LOCAL_ETHNIC_MINORITIES",
    "PLAN_REDUCTION_2020",
    "RELATIONSHIPS",
    "SCHOOLING",
    "YEARS",
    "DemoHousehold",
    "DemoMember",
    "DemoRegistry",
    "DemoReview",
    "Entry",
    "HouseholdStatus",
    "ngoc_hoi_history",
    "to_transition_records",
]

YEARS = (2018, 2019, 2020)
BASE_YEAR = 2019
REVIEW_KIND = "periodic"
CAUSES = (
    "lack_land",
    "lack_capital",
    "lack_labour",
    "lack_tools",
    "lack_knowhow",
    "lack_skills",
    "illness_accident",
    "other",
)
"""Causes of poverty, the standard list (issue 4 §1)."""
_CAUSE_WEIGHTS = (0.13, 0.30, 0.09, 0.07, 0.17, 0.10, 0.09, 0.05)

RELATIONSHIPS = ("Chủ hộ", "Vợ", "Chồng", "Con", "Cháu", "Bố", "Mẹ", "Khác")
SCHOOLING = (
    "under_school_age",
    "in_school",
    "out_of_school",
    "no_schooling",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "tertiary",
)
"""Schooling codes: a child's attendance, or an adult's highest level completed."""

PLAN_REDUCTION_2020: Mapping[str, int] = {
    "23377": 20,
    "23380": 73,
    "23383": 13,
    "23386": 11,
    "23389": 14,
    "23392": 7,
    "23395": 21,
    "23398": 40,
}
"""The plan's 2020 target reduction of poor households per commune (seed annex, column 5)."""

# --- class codes used while planning (the engine's names are stored) -------------------------
_POOR, _NEAR, _MEDIUM, _NON = 0, 1, 2, 3
_NOT_POOR, _ABOVE = -2, -3  # targets: "whatever, but not poor" / "medium or non-poor"
_ABSENT = -1
_CLASS_NAMES: tuple[Classification, ...] = ("poor", "near_poor", "medium", "non_poor")

# --- movement rates, relative to the commune's 2019 poor households (P) or households (n) ---
_RATE_2018 = {"23380": 1.27}  # poor 2018 / poor 2019; others drawn in _RATE_2018_RANGE
_RATE_2018_RANGE = (1.26, 1.36)
_NEAR_TO_POOR_2019 = 0.06  # of P: near-poor in 2018, poor in 2019
_NEWLY_2019 = 0.045  # of P: above the line in 2018, poor in 2019
_ENTERED_POOR_2019 = 0.015  # of P: poor households that moved in / split off in 2019
_ENTERED_2019 = 0.015  # of n
_EXITED_2019 = 0.008  # of n: in the 2018 review, gone by 2019
_EXITED_POOR_2019 = 0.012  # of poor 2018
_ESCAPED_TO_NEAR_SHARE = 0.6
_NET_2020_RANGE = (0.88, 1.0)  # of the plan's target reduction
_RE_POOR_2020 = 0.025  # of P
_NEWLY_2020 = 0.04
_NEAR_TO_POOR_2020 = 0.03
_EXITED_2020 = 0.008  # of n
_EXITED_POOR_2020 = 0.012  # of P
_ENTERED_2020 = 0.016  # of n
_ENTERED_POOR_2020 = 0.012  # of P
_GROWTH_MEAN, _GROWTH_SD = 0.08, 0.12


class HouseholdStatus(StrEnum):
    """A household's registry status after the last review it appears in."""

    ACTIVE = "active"
    MOVED_AWAY = "moved_away"
    DISSOLVED = "dissolved"
    MERGED = "merged"


class Entry(StrEnum):
    """How a household came into the registry."""

    REGISTERED = "registered"  # in the first review (2018)
    MOVED_IN = "moved_in"
    SPLIT_OFF = "split_off"


_EXIT_REASONS = {
    HouseholdStatus.MOVED_AWAY: ExitReason.MOVED_AWAY,
    HouseholdStatus.DISSOLVED: ExitReason.DISSOLVED,
    HouseholdStatus.MERGED: ExitReason.MERGED,
}
_ENTRY_REASONS = {Entry.MOVED_IN: EntryReason.MOVED_IN, Entry.SPLIT_OFF: EntryReason.SPLIT_OFF}


@dataclass(frozen=True, slots=True)
class DemoHousehold:
    """One household of the registry. ``household_id`` is its code, unique in the district
    (``<commune code>-<number>``), so also unique within its commune.

    ``status_year``: the first review year it is no longer in (for a household that left);
    ``related_household_id``: the household it merged into, or split off from."""

    household_id: str
    commune_code: str
    commune_name: str
    village: str
    code: str
    head_name: str
    address: str
    area: Area
    ethnic_minority: bool
    local_ethnic_minority: bool
    no_working_capacity: bool
    person_of_merit: bool
    social_assistance: bool
    female_head: bool
    entry: Entry
    entry_year: int
    status: HouseholdStatus
    status_year: int | None
    related_household_id: str | None


@dataclass(frozen=True, slots=True)
class DemoMember:
    member_id: str
    household_id: str
    full_name: str
    sex: Sex
    birth_year: int
    relationship: str  # one of RELATIONSHIPS
    ethnicity: str
    national_id: str | None  # 12-digit citizen ID, for members aged 14 or more in 2020
    health_insurance: bool
    schooling: str  # one of SCHOOLING
    disability: bool


@dataclass(frozen=True, slots=True)
class DemoReview:
    """A periodic review record: the engine's inputs, its result, causes when poor."""

    household_id: str
    year: int
    standard_id: str
    kind: str
    area: Area
    income: int
    deprivations: tuple[int, ...]  # 0/1 in the order of the standard's deprivation columns
    classification: Classification
    poor_basis: PoorBasis
    persons: int
    causes: tuple[str, ...]  # CAUSES, for poor households only

    def engine_input(self, standard: Standard) -> dict[str, Any]:
        """The row :func:`giamngheo.core.standards.classify_household` takes."""
        row: dict[str, Any] = {
            "household_id": self.household_id,
            "area": self.area,
            "income": self.income,
        }
        row.update(zip(standard.deprivation_columns, self.deprivations, strict=True))
        return row


@dataclass(frozen=True)
class DemoRegistry:
    seed: int
    standard_id: str
    years: tuple[int, ...]
    households: tuple[DemoHousehold, ...]
    members: tuple[DemoMember, ...]
    reviews: tuple[DemoReview, ...]  # by year, then household id
    villages: Mapping[str, tuple[str, ...]]  # commune code → its village names, in order
    deprivation_columns: tuple[str, ...]
    _by_id: dict[str, DemoHousehold] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {h.household_id: h for h in self.households})

    def household(self, household_id: str) -> DemoHousehold:
        return self._by_id[household_id]

    def reviews_in(self, year: int) -> Iterator[DemoReview]:
        return (r for r in self.reviews if r.year == year)

    def to_arrow(self) -> dict[str, pa.Table]:
        """``households``, ``members`` and ``reviews`` as tables, one column per field (enums
        as their values; a review's deprivations as one int8 ``dep_`` column each)."""
        reviews = _columns(self.reviews, DemoReview.__slots__, skip="deprivations")
        for j, column in enumerate(self.deprivation_columns):
            reviews[column] = pa.array([r.deprivations[j] for r in self.reviews], pa.int8())
        return {
            "households": pa.table(_columns(self.households, DemoHousehold.__slots__)),
            "members": pa.table(_columns(self.members, DemoMember.__slots__)),
            "reviews": pa.table(reviews),
        }


def _columns(rows: Sequence[object], names: Sequence[str], skip: str = "") -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name in names:
        if name == skip:
            continue
        values = [getattr(row, name) for row in rows]
        sample = values[0] if values else None
        if isinstance(sample, StrEnum):
            columns[name] = pa.array([v.value for v in values], pa.string())
        elif isinstance(sample, tuple):
            columns[name] = pa.array([list(v) for v in values], pa.list_(pa.string()))
        else:
            columns[name] = pa.array(values)
    return columns


def to_transition_records(registry: DemoRegistry) -> list[HouseholdYear]:
    """One :class:`HouseholdYear` per review, plus an absent record (with its exit reason) for
    the year a household left; the first review of an arrival carries its entry reason."""
    records: list[HouseholdYear] = []
    by_household: dict[str, list[DemoReview]] = {}
    for review in registry.reviews:
        by_household.setdefault(review.household_id, []).append(review)
    for household in registry.households:
        reviews = sorted(by_household.get(household.household_id, ()), key=lambda r: r.year)
        for review in reviews:
            entry = (
                _ENTRY_REASONS.get(household.entry)
                if review.year == household.entry_year and review.year != registry.years[0]
                else None
            )
            records.append(
                HouseholdYear(
                    household_id=household.household_id,
                    year=review.year,
                    status=review.classification,
                    persons=review.persons,
                    ethnic_minority=household.ethnic_minority,
                    area=household.area,
                    unit_code=household.commune_code,
                    entry_reason=entry,
                )
            )
        if household.status_year is not None and household.status in _EXIT_REASONS:
            last = reviews[-1] if reviews else None
            records.append(
                HouseholdYear(
                    household_id=household.household_id,
                    year=household.status_year,
                    status=None,
                    persons=last.persons if last else 0,
                    ethnic_minority=household.ethnic_minority,
                    area=household.area,
                    unit_code=household.commune_code,
                    exit_reason=_EXIT_REASONS[household.status],
                )
            )
    return records


# =============================================================================================
# Planning the classes and inputs of one commune
# =============================================================================================

IntArray = npt.NDArray[np.int64]
Index = npt.NDArray[np.intp]


@dataclass
class _Commune:
    """All households of one commune across the three years (rows: the preset's households,
    then the households that left before 2019, then the arrivals of 2020)."""

    target: CommuneTarget
    ids: list[str]
    village: list[str]
    ethnic_minority: npt.NDArray[np.bool_]
    size: IntArray
    income: dict[int, IntArray]
    deps: dict[int, npt.NDArray[np.int8]]
    cls: dict[int, IntArray]  # planned class per year, _ABSENT when not in the registry
    entry: list[Entry]
    entry_year: IntArray
    status: list[HouseholdStatus]
    status_year: IntArray  # 0 when active
    related: list[str | None]


def _classes(income: IntArray, deps: npt.NDArray[np.int8], lines: Any, cutoff: int) -> IntArray:
    """QD59 rule, for planning only (the stored result is the engine's)."""
    count = deps.sum(axis=1)
    cls = np.select(
        [
            income <= lines.poverty,
            (income <= lines.near_poverty) & (count >= cutoff),
            income <= lines.near_poverty,
            income <= lines.medium_upper,
        ],
        [_POOR, _POOR, _NEAR, _MEDIUM],
        _NON,
    )
    return np.asarray(cls, dtype=np.int64)


def _take(
    rng: np.random.Generator, pool: Index, score: npt.NDArray[np.float64], k: int, high: bool
) -> Index:
    """``k`` of ``pool``, favouring high (or low) scores: Gumbel top-k, temperature 0.5."""
    k = max(0, min(k, pool.size))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    keys = (score[pool] if high else -score[pool]) / 0.5 + rng.gumbel(size=pool.size)
    return np.sort(pool[np.argsort(-keys, kind="stable")[:k]])


def _uniform(rng: np.random.Generator, pool: Index, k: int) -> Index:
    k = max(0, min(k, pool.size))
    return np.sort(rng.choice(pool, size=k, replace=False)) if k else pool[:0]


def _steer(
    rng: np.random.Generator,
    income: IntArray,
    *,
    deps: npt.NDArray[np.int8],
    want: IntArray,
    lines: Any,
    cutoff: int,
) -> IntArray:
    """Change the proposals whose class is not the wanted one, minimally; return the classes."""
    got = _classes(income, deps, lines, cutoff)
    final = np.where(
        want >= 0,
        want,
        np.where(
            want == _NOT_POOR,
            np.where(got == _POOR, _NEAR, got),
            np.where(got <= _NEAR, _MEDIUM, got),
        ),
    )
    pov, near, upper = lines.poverty, lines.near_poverty, lines.medium_upper
    band_near = (near - pov) // 1000
    band_medium = (upper - near) // 1000
    count = deps.sum(axis=1)
    for i in np.flatnonzero(final != got).tolist():
        target = int(final[i])
        if target == _POOR:
            zeros = np.flatnonzero(deps[i] == 0)
            if pov < income[i] <= near and rng.random() < 0.35 and zeros.size:
                need = cutoff - int(count[i])
                deps[i, rng.choice(zeros, size=min(need, zeros.size), replace=False)] = 1
            else:
                income[i] = int(pov * rng.uniform(0.62, 0.99)) // 1000 * 1000
        elif target == _NEAR:
            if not pov < income[i] <= near:
                income[i] = pov + 1000 * int(rng.integers(1, band_near + 1))
            ones = np.flatnonzero(deps[i])
            if ones.size >= cutoff:
                drop = rng.choice(ones, size=ones.size - cutoff + 1, replace=False)
                deps[i, drop] = 0
        elif target == _MEDIUM:
            income[i] = near + 1000 * int(rng.integers(1, band_medium + 1))
        else:
            income[i] = int(upper * rng.uniform(1.02, 1.6)) // 1000 * 1000
    result = _classes(income, deps, lines, cutoff)
    if not np.array_equal(result, final):  # pragma: no cover - a bug
        raise SynthError("could not steer a household into its planned class")
    return result


def _proposal(
    rng: np.random.Generator,
    income: IntArray,
    deps: npt.NDArray[np.int8],
    *,
    forward: bool,
) -> tuple[IntArray, npt.NDArray[np.int8]]:
    """Next (or previous) year's inputs: growth on the income, a few deprivations resolved."""
    growth = np.exp(rng.normal(_GROWTH_MEAN, _GROWTH_SD, income.shape[0]))
    factor = growth if forward else 1 / growth
    new_income = np.maximum(np.rint(income * factor / 1000) * 1000, 50_000).astype(np.int64)
    resolve, appear = (0.05, 0.01) if forward else (0.01, 0.03)
    flip = rng.random(deps.shape)
    new_deps = deps.copy()
    new_deps[(deps == 1) & (flip < resolve)] = 0
    new_deps[(deps == 0) & (flip < appear)] = 1
    return new_income, new_deps


def _clone(
    rng: np.random.Generator,
    donors: Index,
    income: IntArray,
    deps: npt.NDArray[np.int8],
) -> tuple[IntArray, npt.NDArray[np.int8]]:
    factor = np.exp(rng.normal(0, 0.1, donors.size))
    new_income = np.maximum(np.rint(income[donors] * factor / 1000) * 1000, 50_000)
    return new_income.astype(np.int64), deps[donors].copy()


def _count(rate: float, base: int) -> int:
    return math.floor(rate * base + 0.5)


def _plan_commune(
    rng: np.random.Generator,
    target: CommuneTarget,
    rows: pa.Table,
    standard: Standard,
) -> _Commune:
    lines = standard.lines[target.area]  # type: ignore[index]
    cutoff = standard.deprivation_cutoff
    n = rows.num_rows
    ids = [str(v) for v in rows.column("household_id").to_pylist()]
    village = [str(v) for v in rows.column("village").to_pylist()]
    ethnic = rows.column("ethnic_minority").to_numpy().astype(bool)
    size = rows.column("household_size").to_numpy().astype(np.int64)
    income19 = rows.column("income").to_numpy().astype(np.int64)
    deps19 = np.stack(
        [rows.column(c).to_numpy().astype(np.int8) for c in standard.deprivation_columns], axis=1
    )
    c19 = _classes(income19, deps19, lines, cutoff)
    score = np.log(income19 / lines.poverty) - 0.3 * deps19.sum(axis=1)
    everyone = np.arange(n, dtype=np.intp)
    poor = c19 == _POOR
    near = c19 == _NEAR
    above = c19 >= _MEDIUM
    p = int(poor.sum())
    if p != target.poor:  # pragma: no cover - the preset guarantees it
        raise SynthError(f"commune {target.code}: the preset has {p} poor, not {target.poor}")

    def mask(index: Index) -> npt.NDArray[np.bool_]:
        m = np.zeros(n, dtype=bool)
        m[index] = True
        return m

    # 2019 arrivals, among the preset's households.
    entered_poor = _uniform(rng, everyone[poor], max(1, _count(_ENTERED_POOR_2019, p)))
    entered_rest = _uniform(rng, everyone[~poor], _count(_ENTERED_2019, n) - entered_poor.size)
    entered19 = mask(np.concatenate([entered_poor, entered_rest]))
    # Who was what in 2018.
    near_to_poor = _take(
        rng, everyone[poor & ~entered19], score, _count(_NEAR_TO_POOR_2019, p), True
    )
    newly19 = _take(
        rng,
        everyone[poor & ~entered19 & ~mask(near_to_poor)],
        score,
        max(1, _count(_NEWLY_2019, p)),
        True,
    )
    stayed19 = everyone[poor & ~entered19 & ~mask(near_to_poor) & ~mask(newly19)]
    ratio = _RATE_2018.get(target.code, float(rng.uniform(*_RATE_2018_RANGE)))
    poor18 = _count(ratio, p)
    exited19_poor = max(1, _count(_EXITED_POOR_2019, poor18))
    escaped19 = max(0, poor18 - stayed19.size - exited19_poor)
    escaped19_near = _take(
        rng, everyone[near & ~entered19], score, _count(_ESCAPED_TO_NEAR_SHARE, escaped19), False
    )
    escaped19_above = _take(
        rng, everyone[above & ~entered19], score, escaped19 - escaped19_near.size, False
    )
    # 2020 departures, among the 2019 households that were already there in 2018.
    settled = ~entered19
    exited20_poor = _uniform(rng, stayed19, _count(_EXITED_POOR_2020, p))
    exited20_rest = _uniform(
        rng,
        everyone[~poor & settled & ~mask(escaped19_above)],
        _count(_EXITED_2020, n) - exited20_poor.size,
    )
    exited20 = mask(np.concatenate([exited20_poor, exited20_rest]))
    stays = ~exited20
    # 2019 → 2020 movements.
    re_poor = _take(
        rng, everyone[mask(escaped19_above) & stays], score, max(1, _count(_RE_POOR_2020, p)), False
    )
    newly20 = _take(
        rng,
        everyone[above & stays & ~mask(escaped19_above)],
        score,
        max(1, _count(_NEWLY_2020, p)),
        False,
    )
    near_to_poor20 = _take(
        rng, everyone[near & stays], score, max(1, _count(_NEAR_TO_POOR_2020, p)), False
    )
    net = _count(float(rng.uniform(*_NET_2020_RANGE)), PLAN_REDUCTION_2020[target.code])
    poor_alive = everyone[poor & stays]
    escaped20 = min(net + re_poor.size + newly20.size, poor_alive.size)
    escaped20_near = _take(rng, poor_alive, score, _count(0.55, escaped20), True)
    escaped20_above = _take(
        rng,
        poor_alive[~mask(escaped20_near)[poor_alive]],
        score,
        escaped20 - escaped20_near.size,
        True,
    )

    # Planned classes of the preset's households.
    want18 = np.full(n, _NOT_POOR, dtype=np.int64)
    want18[stayed19] = _POOR
    want18[escaped19_near] = _POOR
    want18[escaped19_above] = _POOR
    want18[near_to_poor] = _NEAR
    want18[newly19] = _ABOVE
    want20 = np.full(n, _NOT_POOR, dtype=np.int64)
    want20[poor_alive] = _POOR
    want20[escaped20_near] = _NEAR
    want20[escaped20_above] = _ABOVE
    want20[re_poor] = _POOR
    want20[newly20] = _POOR
    want20[near_to_poor20] = _POOR

    income18, deps18 = _proposal(rng, income19, deps19, forward=False)
    income20, deps20 = _proposal(rng, income19, deps19, forward=True)
    c18 = _steer(rng, income18, deps=deps18, want=want18, lines=lines, cutoff=cutoff)
    c20 = _steer(rng, income20, deps=deps20, want=want20, lines=lines, cutoff=cutoff)
    c18[entered19] = _ABSENT
    c20[exited20] = _ABSENT

    # Households that left before the 2019 review, and arrivals of 2020, from donors.
    extra: dict[str, tuple[Index, IntArray, npt.NDArray[np.int8], IntArray]] = {}
    for name, total, poor_count in (
        ("gone", _count(_EXITED_2019, n), exited19_poor),
        ("new", _count(_ENTERED_2020, n), max(1, _count(_ENTERED_POOR_2020, p))),
    ):
        donors = np.concatenate(
            [
                rng.choice(everyone[poor], size=poor_count),
                rng.choice(everyone[~poor], size=max(0, total - poor_count)),
            ]
        ).astype(np.intp)
        inc, dep = _clone(rng, donors, income19, deps19)
        want = np.where(np.arange(donors.size) < poor_count, _POOR, _NOT_POOR).astype(np.int64)
        extra[name] = (
            donors,
            inc,
            dep,
            _steer(rng, inc, deps=dep, want=want, lines=lines, cutoff=cutoff),
        )

    gone_donors, gone_income, gone_deps, gone_cls = extra["gone"]
    new_donors, new_income, new_deps, new_cls = extra["new"]
    n_gone, n_new = gone_donors.size, new_donors.size
    prefix, width = ids[0].rsplit("-", 1)[0], len(ids[0].rsplit("-", 1)[1])
    extra_ids = [f"{prefix}-{number:0{width}d}" for number in range(n + 1, n + n_gone + n_new + 1)]
    donors_all = np.concatenate([gone_donors, new_donors])
    zeros_income = np.zeros(n_gone + n_new, dtype=np.int64)

    def absent(count: int) -> IntArray:
        return np.full(count, _ABSENT, dtype=np.int64)

    total = n + n_gone + n_new
    dep_width = deps19.shape[1]
    commune = _Commune(
        target=target,
        ids=ids + extra_ids,
        village=village + [village[d] for d in donors_all.tolist()],
        ethnic_minority=np.concatenate([ethnic, ethnic[donors_all]]),
        size=np.concatenate([size, size[donors_all]]),
        income={
            2018: np.concatenate([income18, gone_income, zeros_income[:n_new]]),
            2019: np.concatenate([income19, zeros_income]),
            2020: np.concatenate([income20, zeros_income[:n_gone], new_income]),
        },
        deps={
            2018: np.concatenate([deps18, gone_deps, np.zeros((n_new, dep_width), np.int8)]),
            2019: np.concatenate([deps19, np.zeros((n_gone + n_new, dep_width), np.int8)]),
            2020: np.concatenate([deps20, np.zeros((n_gone, dep_width), np.int8), new_deps]),
        },
        cls={
            2018: np.concatenate([c18, gone_cls, absent(n_new)]),
            2019: np.concatenate([c19, absent(n_gone + n_new)]),
            2020: np.concatenate([c20, absent(n_gone), new_cls]),
        },
        entry=[Entry.REGISTERED] * total,
        entry_year=np.full(total, YEARS[0], dtype=np.int64),
        status=[HouseholdStatus.ACTIVE] * total,
        status_year=np.zeros(total, dtype=np.int64),
        related=[None] * total,
    )
    _moves(rng, commune, entered19=entered19, exited20=exited20, n=n, n_gone=n_gone, n_new=n_new)
    return commune


def _moves(
    rng: np.random.Generator,
    commune: _Commune,
    *,
    entered19: npt.NDArray[np.bool_],
    exited20: npt.NDArray[np.bool_],
    n: int,
    n_gone: int,
    n_new: int,
) -> None:
    """Entry and exit kinds, years and related households (same village)."""
    by_village: dict[str, list[int]] = {}
    for i, name in enumerate(commune.village):
        by_village.setdefault(name, []).append(i)

    def neighbour(i: int, year: int) -> str | None:
        """A household of the same village present in ``year``."""
        pool = [j for j in by_village[commune.village[i]] if j != i and commune.cls[year][j] >= 0]
        return commune.ids[pool[int(rng.integers(len(pool)))]] if pool else None

    arrivals = [(i, 2019) for i in np.flatnonzero(entered19).tolist()]
    arrivals += [(i, 2020) for i in range(n + n_gone, n + n_gone + n_new)]
    for i, year in arrivals:
        split = rng.random() < 0.6
        commune.entry[i] = Entry.SPLIT_OFF if split else Entry.MOVED_IN
        commune.entry_year[i] = year
        if split:
            commune.related[i] = neighbour(i, year - 1)
    departures = [(i, 2019) for i in range(n, n + n_gone)]
    departures += [(i, 2020) for i in np.flatnonzero(exited20).tolist()]
    for i, year in departures:
        roll = rng.random()
        status = (
            HouseholdStatus.MOVED_AWAY
            if roll < 0.5
            else HouseholdStatus.MERGED
            if roll < 0.8
            else HouseholdStatus.DISSOLVED
        )
        commune.status[i] = status
        commune.status_year[i] = year
        if status == HouseholdStatus.MERGED:
            commune.related[i] = neighbour(i, year)


# =============================================================================================
# Members and names
# =============================================================================================


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Kinh family names, with rough weights (per cent of the population).
_KINH_FAMILY: Mapping[str, int] = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4, "Phan": 4, "Vũ": 4,
    "Võ": 3, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 1, "Ngô": 1, "Dương": 1, "Lý": 1,
}  # fmt: skip
_MIDDLE = {
    Sex.MALE: _words("Văn Văn Văn Đức Minh Quang Hữu Công Thanh Xuân"),
    Sex.FEMALE: _words("Thị Thị Thị Thị Ngọc Thu Thanh Kim Bích Hồng"),
}
_GIVEN = {
    Sex.MALE: _words(
        "An Bình Cường Dũng Đức Hải Hùng Hưng Khoa Long Minh Nam Phong Quân Sơn Tâm Thắng Thành "
        "Tiến Toàn Trung Tuấn Việt Vinh Hiếu Lực Phúc Tài"
    ),
    Sex.FEMALE: _words(
        "Anh Chi Dung Hà Hạnh Hằng Hoa Hồng Huyền Hương Lan Liên Linh Loan Mai Nga Ngọc Nhung "
        "Oanh Phương Thảo Thủy Trang Tuyết Vân Yến"
    ),
}
# Giẻ Triêng, Xơ Đăng, Ba Na, Brâu: "A" before a man's name, "Y" before a woman's.
_INDIGENOUS_GIVEN = {
    Sex.MALE: _words(
        "Bình Thuận Dũng Sơn Hùng Kiên Lâm Nhiên Pếch Rin Thiết Đứp Khoa Tư Hiếu Nhất Thái "
        "Giang Vui Kính Chiến Quang Ngọc Blong Pêu Rôn Hiệp Nhông"
    ),
    Sex.FEMALE: _words(
        "Lan Hoa Bích Loan Nhi Thương Xuân Lệ Mai Hồng Nga Tuyết Hiền Phương Khánh Thi Blanh "
        "Lưu Hương Mơ Nhung Thảo Dịu Hằng"
    ),
}
_OTHER_MINORITY_FAMILY = {
    "Tày": ("Hoàng", "Nông", "Lương", "Bế", "Ma"),
    "Nùng": ("Hoàng", "Nông", "Lục", "Lăng", "Vi"),
    "Mường": ("Bùi", "Đinh", "Quách", "Hà"),
    "Thái": ("Lò", "Lường", "Vi", "Cầm"),
}
LOCAL_ETHNIC_MINORITIES = frozenset({"Giẻ Triêng", "Xơ Đăng", "Ba Na", "Brâu"})
"""The local indigenous minorities of Ngọc Hồi (policy group "DTTS tại chỗ")."""
# Ethnicity of the heads of ethnic-minority households, per commune (illustrative shares).
_ETHNICITY_MIX: Mapping[str, Mapping[str, float]] = {
    "23377": {"Giẻ Triêng": 0.45, "Xơ Đăng": 0.25, "Ba Na": 0.05, "Tày": 0.08, "Nùng": 0.07,
              "Mường": 0.05, "Thái": 0.05},
    "23380": {"Giẻ Triêng": 0.75, "Xơ Đăng": 0.25},
    "23383": {"Giẻ Triêng": 0.85, "Xơ Đăng": 0.1, "Tày": 0.05},
    "23386": {"Giẻ Triêng": 0.8, "Xơ Đăng": 0.1, "Tày": 0.05, "Nùng": 0.05},
    "23389": {"Giẻ Triêng": 0.6, "Xơ Đăng": 0.15, "Tày": 0.1, "Nùng": 0.08, "Mường": 0.07},
    "23392": {"Giẻ Triêng": 0.5, "Xơ Đăng": 0.2, "Ba Na": 0.1, "Tày": 0.1, "Nùng": 0.1},
    "23395": {"Giẻ Triêng": 0.7, "Brâu": 0.08, "Xơ Đăng": 0.1, "Tày": 0.06, "Nùng": 0.06},
    "23398": {"Giẻ Triêng": 0.8, "Xơ Đăng": 0.1, "Ba Na": 0.05, "Mường": 0.05},
}  # fmt: skip
# Birth provinces of Kinh settlers (citizen-ID province codes): Nghệ An, Hà Tĩnh, Thanh Hóa,
# Thái Bình, Nam Định, Quảng Nam, Quảng Ngãi, Bình Định, Hưng Yên.
_SETTLER_PROVINCES = ("040", "042", "038", "034", "036", "049", "051", "052", "033")
KON_TUM = "062"
AS_OF = 2020  # members' ages are as of the last review
ID_MIN_AGE = 14
_ADULT_LEVELS = ("no_schooling", "primary", "lower_secondary", "upper_secondary", "tertiary")
_ADULT_WEIGHTS = {  # (minority, born 1986 or later) → cumulative weights of _ADULT_LEVELS
    key: tuple(itertools.accumulate(weights))
    for key, weights in {
        (True, True): (0.05, 0.3, 0.4, 0.2, 0.05),
        (True, False): (0.25, 0.4, 0.25, 0.08, 0.02),
        (False, True): (0.0, 0.08, 0.35, 0.42, 0.15),
        (False, False): (0.05, 0.25, 0.4, 0.22, 0.08),
    }.items()
}


def _weighted(rnd: random.Random, items: Sequence[str], cumulative: Sequence[float]) -> str:
    """One of ``items`` by cumulative weights (what ``random.choices`` does, faster)."""
    return items[bisect.bisect_right(cumulative, rnd.random() * cumulative[-1])]


def _clip(value: float, low: int, high: int) -> int:
    return int(min(max(value, low), high))


class _Namer:
    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.kinh = tuple(_KINH_FAMILY)
        self.kinh_weights = tuple(itertools.accumulate(_KINH_FAMILY.values()))

    def family(self, ethnicity: str) -> str:
        if ethnicity in _OTHER_MINORITY_FAMILY:
            return self.rnd.choice(_OTHER_MINORITY_FAMILY[ethnicity])
        return _weighted(self.rnd, self.kinh, self.kinh_weights)

    def name(self, ethnicity: str, sex: Sex, family: str | None) -> str:
        choice = self.rnd.choice
        if ethnicity in LOCAL_ETHNIC_MINORITIES:
            return f"{'A' if sex == Sex.MALE else 'Y'} {choice(_INDIGENOUS_GIVEN[sex])}"
        family = family or self.family(ethnicity)
        return f"{family} {choice(_MIDDLE[sex])} {choice(_GIVEN[sex])}"


@dataclass
class _Person:
    name: str
    sex: Sex
    birth_year: int
    relationship: str
    ethnicity: str
    insured: bool = True
    schooling: str = ""
    disability: bool = False

    @property
    def age(self) -> int:
        return AS_OF - self.birth_year


def _household_people(
    rnd: random.Random, namer: _Namer, size: int, ethnicity: str, poor: bool
) -> list[_Person]:
    """Head first, then spouse, a parent, children or grandchildren: ``size`` in all."""
    single = size == 1
    head_age = _clip(rnd.gauss(58 if single else 42, 12), 20, 88)
    if not single:  # old enough for the children the household holds
        head_age = max(head_age, 24 + int(2.5 * (size - 2)))
    female = rnd.random() < (0.45 if single else 0.12)
    head_sex = Sex.FEMALE if female else Sex.MALE
    head_family = namer.family(ethnicity)
    people = [
        _Person(namer.name(ethnicity, head_sex, head_family), head_sex, AS_OF - head_age,
                "Chủ hộ", ethnicity)
    ]  # fmt: skip
    remaining = size - 1
    children_family = head_family
    if remaining and rnd.random() < (0.3 if female else 0.9):
        sex = Sex.MALE if female else Sex.FEMALE
        age = _clip(head_age + (3 if female else -3) + rnd.gauss(0, 3), 18, 90)
        eth = ethnicity if rnd.random() < 0.95 else "Kinh"
        family = namer.family(eth)
        relationship = "Chồng" if female else "Vợ"
        people.append(_Person(namer.name(eth, sex, family), sex, AS_OF - age, relationship, eth))
        if female:
            children_family = family
        remaining -= 1
    if remaining >= 3 and head_age < 45 and rnd.random() < 0.4:
        sex = Sex.FEMALE if rnd.random() < 0.65 else Sex.MALE
        age = min(95, head_age + rnd.randrange(20, 31))
        family = head_family if sex == Sex.MALE else namer.family(ethnicity)
        relationship = "Bố" if sex == Sex.MALE else "Mẹ"
        people.append(
            _Person(namer.name(ethnicity, sex, family), sex, AS_OF - age, relationship, ethnicity)
        )
        remaining -= 1
    # grandchildren live with at least one of their parents, the head's child
    grandchildren = rnd.randrange(remaining) if head_age >= 50 and remaining >= 2 else 0
    mother_age = head_age if female else head_age - 3
    for k in range(remaining - grandchildren):
        sex = Sex.MALE if rnd.random() < 0.51 else Sex.FEMALE
        if rnd.random() < (0.05 if poor else 0.02):  # a relative or someone else living in
            age = rnd.randrange(15, 70)
            name = namer.name(ethnicity, sex, None)
            people.append(_Person(name, sex, AS_OF - age, "Khác", ethnicity))
            continue
        age = _clip(mother_age - 20 - 2.5 * k - rnd.randrange(4), 0, 60)
        name = namer.name(ethnicity, sex, children_family)
        people.append(_Person(name, sex, AS_OF - age, "Con", ethnicity))
    for _ in range(grandchildren):
        age = _clip(head_age - 45 - rnd.randrange(10), 0, 30)
        sex = Sex.MALE if rnd.random() < 0.51 else Sex.FEMALE
        # a son's child carries the head's family name, a daughter's another one
        grandchild_family = head_family if rnd.random() < 0.7 else None
        name = namer.name(ethnicity, sex, grandchild_family)
        people.append(_Person(name, sex, AS_OF - age, "Cháu", ethnicity))
    return people


def _schooling_and_insurance(
    rnd: random.Random, people: list[_Person], flags: Mapping[str, int], minority: bool
) -> None:
    """Schooling, insurance and disability, agreeing with the household's review flags
    (insurance, child schooling, adult education) when its members' ages allow it."""
    for person in people:
        age = person.age
        if age < 5:
            person.schooling = "under_school_age"
        elif age < 15 or (age < 19 and rnd.random() < (0.55 if minority else 0.8)):
            person.schooling = "in_school"
        else:
            weights = _ADULT_WEIGHTS[minority, person.birth_year >= 1986]
            person.schooling = _weighted(rnd, _ADULT_LEVELS, weights)
        person.disability = rnd.random() < 0.015 + 0.0015 * max(0, age - 40)
    children = [p for p in people if 5 <= p.age < 15]
    if flags.get("dep_child_schooling") and children:
        rnd.choice(children).schooling = "out_of_school"
    young_adults = [
        p for p in people if p.age >= 15 and p.birth_year >= 1986 and p.schooling != "in_school"
    ]
    low = ("no_schooling", "primary")
    if flags.get("dep_adult_education"):
        if young_adults and not any(p.schooling in low for p in young_adults):
            rnd.choice(young_adults).schooling = "primary"
    else:
        for p in young_adults:
            if p.schooling in low:
                p.schooling = "lower_secondary"
    over6 = [p for p in people if p.age >= 6]
    if flags.get("dep_health_insurance") and over6:
        for p in rnd.sample(over6, min(len(over6), 1 + (rnd.random() < 0.4))):
            p.insured = False


def _citizen_id(province: str, sex: Sex, birth_year: int, serial: int) -> str:
    century = (birth_year - 1900) // 100
    digit = 2 * century + (1 if sex == Sex.FEMALE else 0)
    return f"{province}{digit}{birth_year % 100:02d}{serial:06d}"


# =============================================================================================
# The registry
# =============================================================================================


def ngoc_hoi_history(seed: int = 1) -> DemoRegistry:
    """Ngọc Hồi's 8 pre-2025 communes, reviewed in 2018, 2019 and 2020 under QD59-2015.

    The 2019 review equals the seed table's columns 1–3 per commune; every review's stored
    classification is the engine's. Deterministic in ``seed``.

    Raises:
        SynthError: a review's engine result differs from the plan (never expected).
    """
    standard = get_standard(preset_standard_id())
    targets = ngoc_hoi_2019_targets()
    table = ngoc_hoi_2019(seed, verify=False)
    codes = table.column("commune_code").to_numpy(zero_copy_only=False).astype(str)
    communes: list[_Commune] = []
    villages: dict[str, tuple[str, ...]] = {}
    for index, target in enumerate(targets):
        part = table.take(np.flatnonzero(codes == target.code))
        names = [str(v) for v in part.column("village").unique().to_pylist()]
        villages[target.code] = tuple(sorted(names, key=lambda v: int(v.rsplit(" ", 1)[1])))
        rng = np.random.default_rng(np.random.SeedSequence([seed, 40, index]))
        communes.append(_plan_commune(rng, target, part, standard))
    households, members, reviews = _materialise(seed, communes, standard)
    registry = DemoRegistry(
        seed=seed,
        standard_id=standard.id,
        years=YEARS,
        households=tuple(households),
        members=tuple(members),
        reviews=tuple(reviews),
        villages=villages,
        deprivation_columns=standard.deprivation_columns,
    )
    _check_2019(registry, targets)
    return registry


def _materialise(
    seed: int, communes: list[_Commune], standard: Standard
) -> tuple[list[DemoHousehold], list[DemoMember], list[DemoReview]]:
    # Python's generator: per-person draws are many and small (numpy's per call cost is high).
    rnd = random.Random(int(np.random.SeedSequence([seed, 41]).generate_state(1)[0]))
    namer = _Namer(rnd)
    columns = standard.deprivation_columns
    engine = _engine_results(communes, standard)
    households: list[DemoHousehold] = []
    members: list[DemoMember] = []
    reviews: list[DemoReview] = []
    used_serials: set[int] = set()
    for commune in communes:
        target = commune.target
        mix = _ETHNICITY_MIX[target.code]
        mix_names, mix_weights = tuple(mix), tuple(itertools.accumulate(mix.values()))
        area: Area = "urban" if target.area == "urban" else "rural"
        classes = {y: commune.cls[y].tolist() for y in YEARS}
        incomes = {y: commune.income[y].tolist() for y in YEARS}
        deps = {y: [tuple(row) for row in commune.deps[y].tolist()] for y in YEARS}
        ethnic = commune.ethnic_minority.tolist()
        sizes = commune.size.tolist()
        entry_years = commune.entry_year.tolist()
        status_years = commune.status_year.tolist()
        for i, hid in enumerate(commune.ids):
            years = [y for y in YEARS if classes[y][i] >= 0]
            minority = bool(ethnic[i])
            ethnicity = _weighted(rnd, mix_names, mix_weights) if minority else "Kinh"
            ever_poor = any(classes[y][i] == _POOR for y in years)
            size = int(sizes[i])
            people = _household_people(rnd, namer, size, ethnicity, ever_poor)
            _schooling_and_insurance(
                rnd, people, dict(zip(columns, deps[years[-1]][i], strict=True)), minority
            )
            for k, person in enumerate(people):
                national_id = None
                if person.age >= ID_MIN_AGE:
                    settler = person.ethnicity == "Kinh" and person.birth_year < 1995
                    province = (
                        rnd.choice(_SETTLER_PROVINCES)
                        if settler and rnd.random() < 0.5
                        else KON_TUM
                    )
                    serial = rnd.randrange(1_000_000)
                    while serial in used_serials:
                        serial = rnd.randrange(1_000_000)
                    used_serials.add(serial)
                    national_id = _citizen_id(province, person.sex, person.birth_year, serial)
                members.append(
                    DemoMember(
                        member_id=f"{hid}-{k + 1:02d}",
                        household_id=hid,
                        full_name=person.name,
                        sex=person.sex,
                        birth_year=person.birth_year,
                        relationship=person.relationship,
                        ethnicity=person.ethnicity,
                        national_id=national_id,
                        health_insurance=person.insured,
                        schooling=person.schooling,
                        disability=person.disability,
                    )
                )
            head = people[0]
            able = any(16 <= p.age < 60 and not p.disability for p in people)
            vulnerable = any(p.disability or p.age >= 80 for p in people)
            social = (vulnerable and rnd.random() < 0.7) or rnd.random() < 0.01
            merit = rnd.random() < 0.01 + (0.06 if head.age >= 65 else 0.0)
            causes = _causes(rnd, not able) if ever_poor else ()
            village = commune.village[i]
            households.append(
                DemoHousehold(
                    household_id=hid,
                    commune_code=target.code,
                    commune_name=target.name,
                    village=village,
                    code=hid,
                    head_name=head.name,
                    address=f"{village}, {target.name}, Huyện Ngọc Hồi, Tỉnh Kon Tum",
                    area=area,
                    ethnic_minority=minority,
                    local_ethnic_minority=ethnicity in LOCAL_ETHNIC_MINORITIES,
                    no_working_capacity=not able,
                    person_of_merit=merit,
                    social_assistance=social,
                    female_head=head.sex == Sex.FEMALE,
                    entry=commune.entry[i],
                    entry_year=int(entry_years[i]),
                    status=commune.status[i],
                    status_year=int(status_years[i]) or None,
                    related_household_id=commune.related[i],
                )
            )
            for year in years:
                cls, basis = engine[year][hid]
                reviews.append(
                    DemoReview(
                        household_id=hid,
                        year=year,
                        standard_id=standard.id,
                        kind=REVIEW_KIND,
                        area=area,
                        income=int(incomes[year][i]),
                        deprivations=deps[year][i],
                        classification=cls,
                        poor_basis=basis,
                        persons=size,
                        causes=causes if cls == "poor" else (),
                    )
                )
    reviews.sort(key=lambda r: (r.year, r.household_id))
    return households, members, reviews


def _causes(rnd: random.Random, no_labour: bool) -> tuple[str, ...]:
    """One to three causes from the standard list; lack of labour likelier without labour."""
    count = 1 + (rnd.random() < 0.5) + (rnd.random() < 0.15)
    weights = dict(zip(CAUSES, _CAUSE_WEIGHTS, strict=True))
    if no_labour:
        weights["lack_labour"] += 0.6
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rnd.choices(CAUSES, weights=tuple(weights.values()))[0])
    return tuple(c for c in CAUSES if c in chosen)


def _engine_results(
    communes: list[_Commune], standard: Standard
) -> dict[int, dict[str, tuple[Classification, PoorBasis]]]:
    """The engine's classification of every planned review, checked against the plan."""
    results: dict[int, dict[str, tuple[Classification, PoorBasis]]] = {}
    for year in YEARS:
        ids: list[str] = []
        areas: list[str] = []
        incomes: list[IntArray] = []
        deps: list[npt.NDArray[np.int8]] = []
        planned: list[IntArray] = []
        for commune in communes:
            present = commune.cls[year] >= 0
            ids += [h for h, keep in zip(commune.ids, present.tolist(), strict=True) if keep]
            areas += [commune.target.area] * int(present.sum())
            incomes.append(commune.income[year][present])
            deps.append(commune.deps[year][present])
            planned.append(commune.cls[year][present])
        dep_matrix = np.concatenate(deps)
        arrays: list[Any] = [pa.array(ids), pa.array(areas), pa.array(np.concatenate(incomes))]
        arrays += [
            pa.array(np.ascontiguousarray(dep_matrix[:, j])) for j in range(dep_matrix.shape[1])
        ]
        batch = pa.RecordBatch.from_arrays(
            arrays, names=["household_id", "area", "income", *standard.deprivation_columns]
        )
        result = classify_batch(batch, standard)
        if result.rejected_rows:
            raise SynthError(f"{year}: the engine rejected {result.rejected_rows} rows")
        out = result.batch
        classes = out.column("classification").cast(pa.string()).to_pylist()
        bases = out.column("poor_basis").cast(pa.string()).to_pylist()
        expected = [_CLASS_NAMES[c] for c in np.concatenate(planned).tolist()]
        for hid, got, want in zip(ids, classes, expected, strict=True):
            if got != want:
                raise SynthError(f"{year} {hid}: planned {want}, the engine says {got}")
        results[year] = {
            hid: (cls, basis or "")  # type: ignore[misc]
            for hid, cls, basis in zip(ids, classes, bases, strict=True)
        }
    return results


def _check_2019(registry: DemoRegistry, targets: Sequence[CommuneTarget]) -> None:
    counts: dict[str, list[int]] = {t.code: [0, 0, 0] for t in targets}
    for review in registry.reviews_in(BASE_YEAR):
        household = registry.household(review.household_id)
        row = counts[household.commune_code]
        row[0] += 1
        row[1] += household.ethnic_minority
        row[2] += review.classification == "poor"
    for target in targets:
        expected = [target.households, target.ethnic_minority, target.poor]
        if counts[target.code] != expected:
            raise SynthError(f"{target.code} 2019: expected {expected}, got {counts[target.code]}")
