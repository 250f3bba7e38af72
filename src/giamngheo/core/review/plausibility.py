"""Plausibility checks before the commune's decision: flags for a person to look at, never a block.

Provinces openly push yearly reduction targets (Đắk Lắk: ≥ 3 %), and warn against "forcing
households to escape poverty to reach the target" (programme-and-reporting-2026.md §1.2, §6.11).
These checks point the commune steering committee at what an inspector would ask about:

- ``escape_without_change``: a poor or near-poor household proposed out of its list although no
  deprivation improved and its income rose by at most a tolerance;
- ``class_jump``: several classes in one year (poor → medium/non-poor, or back);
- ``duplicate_citizen_id``: one citizen ID in two households;
- ``possible_duplicate_person``: the same folded full name and birth year in two households of
  one commune (weaker: only when the two people do not carry two different IDs);
- ``reduction_beyond_target``: a commune's net reduction far beyond its plan target.

Each check is a pure function over small frozen dataclasses; the parameters are data with
documented defaults (:class:`PlausibilityParams`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from giamngheo.core.identity import mask_national_id, normalize_citizen_id
from giamngheo.core.standards.classify import CLASS_EN, CLASS_VI, fmt_en, fmt_vi
from giamngheo.core.standards.model import Classification
from giamngheo.core.text import fold

__all__ = [
    "DEFAULT_PARAMS",
    "FLAG_KINDS",
    "CommuneReduction",
    "Flag",
    "FlagKind",
    "HouseholdYear",
    "Person",
    "PlausibilityParams",
    "Severity",
    "check_plausibility",
    "class_jumps",
    "duplicate_people",
    "escapes_without_change",
    "reductions_beyond_target",
]

Severity = Literal["warning", "check"]
FlagKind = Literal[
    "escape_without_change",
    "class_jump",
    "duplicate_citizen_id",
    "possible_duplicate_person",
    "reduction_beyond_target",
]
FLAG_KINDS: tuple[FlagKind, ...] = get_args(FlagKind)
_SEVERITY_ORDER = {"warning": 0, "check": 1}
#: Steps between classes; medium is a band of the non-poor, so the two share a rank.
_RANK: dict[Classification, int] = {"poor": 0, "near_poor": 1, "medium": 2, "non_poor": 2}


@dataclass(frozen=True)
class PlausibilityParams:
    """Thresholds of the checks (defaults are a starting point, to be set per province).

    ``escape_income_tolerance``: VND per person per month; an escape whose income rose by at
    most this much (or fell) counts as "no income change" (100,000 ≈ 7 % of the 2022–2026
    rural line).
    ``jump_min_steps``: class steps (poor 0, near-poor 1, medium/non-poor 2) that count as a
    jump; 2 flags poor ↔ medium/non-poor and never the ordinary near-poor ↔ non-poor move.
    ``reduction_factor`` / ``reduction_extra_households``: a commune is flagged when its net
    reduction exceeds ``target × factor`` **or** ``target + extra`` (the smaller margin
    governs: ×1.5 in a small commune, +20 households in a large one);
    ``reduction_min_excess``: never flag an excess over the target below this many households,
    so that tiny targets (1–2 households) do not flag on noise.
    """

    escape_income_tolerance: float = 100_000
    jump_min_steps: int = 2
    reduction_factor: float = 1.5
    reduction_extra_households: int = 20
    reduction_min_excess: int = 3


DEFAULT_PARAMS = PlausibilityParams()


@dataclass(frozen=True)
class HouseholdYear:
    """One household's previous (approved) and proposed results. ``previous_class`` is None
    for a household not on last year's registry; incomes are VND per person per month."""

    household_id: str
    code: str
    head_name: str
    village: str
    previous_class: Classification | None
    proposed_class: Classification
    previous_income: float | None
    proposed_income: float | None
    previous_deprived: frozenset[str]
    proposed_deprived: frozenset[str]


@dataclass(frozen=True)
class Person:
    """A member as the duplicate checks need it; ``national_id`` is "" when unknown."""

    household_id: str
    household_code: str
    commune: str
    full_name: str
    birth_year: int | None
    national_id: str = ""


@dataclass(frozen=True)
class CommuneReduction:
    """A commune's poor-household count at the start (last approved list) and as proposed,
    with the plan's target net reduction in households (None: no target). A target given as a
    rate converts as ``round(rate_points / 100 × total_households)``."""

    commune: str
    name: str
    start: int
    end: int
    target: int | None

    @property
    def net_reduction(self) -> int:
        return self.start - self.end


@dataclass(frozen=True)
class Flag:
    """One thing to check, for people: it never blocks a decision."""

    kind: FlagKind
    severity: Severity
    household_ids: tuple[str, ...]
    message_vi: str
    message_en: str
    commune: str = ""


def _who(h: HouseholdYear) -> tuple[str, str]:
    where = f", {h.village}" if h.village else ""
    return f"Hộ {h.code} ({h.head_name}{where})", f"Household {h.code} ({h.head_name}{where})"


def _income(x: float | None) -> tuple[str, str]:
    return ("chưa ghi", "not recorded") if x is None else (fmt_vi(x), fmt_en(x))


def escapes_without_change(
    households: Iterable[HouseholdYear], params: PlausibilityParams = DEFAULT_PARAMS
) -> tuple[Flag, ...]:
    """Poor or near-poor households proposed to a better class although nothing improved.

    "Nothing improved": no indicator left the deprived set (the proposed set contains the
    previous one), and the income rose by at most ``escape_income_tolerance`` — or neither
    year has an income recorded. With only one of the two incomes known there is nothing to
    compare and no flag.
    """
    flags = []
    for h in households:
        prev, new = h.previous_class, h.proposed_class
        if prev not in ("poor", "near_poor") or _RANK[new] <= _RANK[prev]:
            continue
        if not h.previous_deprived <= h.proposed_deprived:
            continue
        a, b = h.previous_income, h.proposed_income
        if (a is None) != (b is None):
            continue
        if a is not None and b is not None and b - a > params.escape_income_tolerance:
            continue
        wv, we = _who(h)
        av, ae = _income(a)
        bv, be = _income(b)
        what_vi = "thoát nghèo" if prev == "poor" else "thoát cận nghèo"
        what_en = "escaping poverty" if prev == "poor" else "escaping near-poverty"
        flags.append(
            Flag(
                "escape_without_change",
                "warning",
                (h.household_id,),
                f"{wv}: đề xuất {what_vi} ({CLASS_VI[prev]} → {CLASS_VI[new]}) nhưng không chỉ"
                f" số thiếu hụt nào được cải thiện và thu nhập {av} → {bv} đồng/người/tháng"
                f" (tăng không quá {fmt_vi(params.escape_income_tolerance)})",
                f"{we}: proposed as {what_en} ({CLASS_EN[prev]} → {CLASS_EN[new]}) but no"
                f" deprivation improved and income {ae} → {be} VND per person per month (rose"
                f" by at most {fmt_en(params.escape_income_tolerance)})",
            )
        )
    return tuple(flags)


def class_jumps(
    households: Iterable[HouseholdYear], params: PlausibilityParams = DEFAULT_PARAMS
) -> tuple[Flag, ...]:
    """Households that move ``jump_min_steps`` classes or more in one year, either way."""
    flags = []
    for h in households:
        prev, new = h.previous_class, h.proposed_class
        if prev is None or abs(_RANK[new] - _RANK[prev]) < params.jump_min_steps:
            continue
        wv, we = _who(h)
        av, ae = _income(h.previous_income)
        bv, be = _income(h.proposed_income)
        nd0, nd1 = len(h.previous_deprived), len(h.proposed_deprived)
        flags.append(
            Flag(
                "class_jump",
                "check",
                (h.household_id,),
                f"{wv}: đổi nhiều bậc trong một năm ({CLASS_VI[prev]} → {CLASS_VI[new]});"
                f" thu nhập {av} → {bv}, số chỉ số thiếu hụt {nd0} → {nd1}",
                f"{we}: several classes in one year ({CLASS_EN[prev]} → {CLASS_EN[new]});"
                f" income {ae} → {be}, deprivations {nd0} → {nd1}",
            )
        )
    return tuple(flags)


def duplicate_people(persons: Iterable[Person]) -> tuple[Flag, ...]:
    """The same citizen ID in two households (warning), and the same folded full name and
    birth year in two households of one commune (check) unless the two carry different IDs.

    Citizen IDs are compared after removing separators and shown masked.
    """
    people = list(persons)
    flags: list[Flag] = []
    by_id: dict[str, list[Person]] = defaultdict(list)
    has_id: dict[int, bool] = {}  # id(person) → carries a citizen ID
    for p in people:
        nid = normalize_citizen_id(p.national_id)
        has_id[id(p)] = bool(nid)
        if nid:
            by_id[nid].append(p)
    for nid, unordered in by_id.items():
        if len(unordered) < 2:  # most people: nothing to compare
            continue
        group = _ordered(unordered)
        codes = _households(group)
        if len(codes) < 2:
            continue
        listed = ", ".join(codes.values())
        flags.append(
            Flag(
                "duplicate_citizen_id",
                "warning",
                tuple(sorted(codes)),
                f"Số định danh {mask_national_id(nid)} ({group[0].full_name}) có trong nhiều"
                f" hộ: {listed}",
                f"Citizen ID {mask_national_id(nid)} ({group[0].full_name}) is in several"
                f" households: {listed}",
            )
        )
    by_name: dict[tuple[str, str, int], list[Person]] = defaultdict(list)
    folded: dict[str, str] = {}  # names repeat a great deal: fold each once
    for p in people:
        name = folded.get(p.full_name)
        if name is None:
            name = folded[p.full_name] = fold(p.full_name)
        if name and p.birth_year is not None:
            by_name[(p.commune, name, p.birth_year)].append(p)
    for (commune, _, year), group in by_name.items():
        if len(group) < 2:
            continue
        linked = _ordered(
            [
                p
                for p in group
                # Without two IDs nothing tells them apart; two equal IDs are a warning above.
                if any(
                    q.household_id != p.household_id and not (has_id[id(p)] and has_id[id(q)])
                    for q in group
                )
            ]
        )
        codes = _households(linked)
        if len(codes) < 2:
            continue
        listed = ", ".join(codes.values())
        flags.append(
            Flag(
                "possible_duplicate_person",
                "check",
                tuple(sorted(codes)),
                f"Có thể trùng người: {linked[0].full_name}, sinh năm {year}, có trong các hộ"
                f" {listed} cùng xã",
                f"Possible duplicate person: {linked[0].full_name}, born {year}, is in"
                f" households {listed} of the same commune",
                commune,
            )
        )
    return tuple(flags)


def _ordered(group: Iterable[Person]) -> list[Person]:
    """Persons in a fixed order, so that messages do not depend on the input order."""
    return sorted(group, key=lambda p: (p.household_id, p.full_name, p.national_id))


def _households(group: Sequence[Person]) -> dict[str, str]:
    """household id → code, in household-id order (``group`` is ``_ordered``)."""
    return {p.household_id: p.household_code for p in group}


def reductions_beyond_target(
    communes: Iterable[CommuneReduction], params: PlausibilityParams = DEFAULT_PARAMS
) -> tuple[Flag, ...]:
    """Communes whose net reduction of poor households is far beyond the plan target."""
    flags = []
    for c in communes:
        if c.target is None:
            continue
        net, target = c.net_reduction, c.target
        by_factor = target * params.reduction_factor
        by_extra = target + params.reduction_extra_households
        if net - target < params.reduction_min_excess or not (net > by_factor or net > by_extra):
            continue
        limit = min(by_factor, by_extra)
        flags.append(
            Flag(
                "reduction_beyond_target",
                "warning",
                (),
                f"{c.name}: giảm ròng {net} hộ nghèo ({c.start} → {c.end}), vượt xa chỉ tiêu kế"
                f" hoạch {target} hộ (ngưỡng {fmt_vi(limit)}); rà soát lại các hộ thoát nghèo",
                f"{c.name}: net reduction of {net} poor households ({c.start} → {c.end}), far"
                f" beyond the plan target of {target} (threshold {fmt_en(limit)}); re-check the"
                " escaping households",
                c.commune,
            )
        )
    return tuple(flags)


def _order(f: Flag) -> tuple[int, int, str, tuple[str, ...], str]:
    return (
        _SEVERITY_ORDER[f.severity],
        FLAG_KINDS.index(f.kind),
        f.commune,
        f.household_ids,
        f.message_en,
    )


def check_plausibility(
    households: Iterable[HouseholdYear] = (),
    persons: Iterable[Person] = (),
    communes: Iterable[CommuneReduction] = (),
    params: PlausibilityParams = DEFAULT_PARAMS,
) -> tuple[Flag, ...]:
    """Every check, sorted stably: warnings first, then by kind, commune and households."""
    hs = list(households)
    flags = [
        *escapes_without_change(hs, params),
        *class_jumps(hs, params),
        *duplicate_people(persons),
        *reductions_beyond_target(communes, params),
    ]
    return tuple(sorted(flags, key=_order))
