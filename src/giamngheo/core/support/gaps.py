"""Deprivations against support: what keeps each poor or near-poor household poor, what support
it received in a year, which of its deprivations no support addresses, and, at the next review,
whether the addressed ones were resolved.

Inputs are plain frozen dataclasses the Django side builds from the database, so this module
depends on no other support module:

- :class:`HouseholdNeed`: one household of the list, with the standard it was reviewed under,
  its area, income (VND per person per month, ``None`` when the review used the form's score)
  and deprived indicator keys;
- :class:`Received`: one support delivered (type code, date, value in VND);
- ``addressing``: per standard id, per support type code, the indicator keys that support
  addresses; the key ``"income"`` means it addresses the income gap.

A household is *income-deprived* when its income is at or below the line that matters for its
class under its standard (the poverty line for a poor household, the near-poverty line for a
near-poor one; "≤", as in the standards). When the income is not recorded, the classification
says it: under a line-and-deprivations standard (NĐ 07/2021, NĐ 351/2025) both classes lie at
or below the line; under QĐ 59/2015 a near-poor household lies at or below the near-poverty line
and a poor one with fewer deprivations than the cut-off can only be poor by income; a poor one
with more is not counted income-deprived (its income is unknown).

Resolution compares each addressed need with the household's next review (the earliest after
the year it was reviewed): an indicator no longer deprived is *resolved*, still deprived
*unresolved*; an indicator the next review's standard does not have (QĐ 59 → NĐ 07 changed the
list) is *not comparable*; a household without a next review (it left) is *unknown*. Income is
resolved when the next income is above the matching line of the next review's standard.

Everything runs in one pass over the households with small caches keyed by the few distinct
combinations (standard, area, class; support types received; deprived sets), so a province of
500,000 households takes seconds; only the output rows are created per household.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, cast, get_args

from giamngheo.core.standards.model import CLASSIFICATIONS, AreaLines, Standard
from giamngheo.core.standards.registry import get_standard

__all__ = [
    "INCOME",
    "NEED_CLASSES",
    "RESOLUTION_STATUSES",
    "EffectRow",
    "GapError",
    "GapSummaryRow",
    "HouseholdGap",
    "HouseholdNeed",
    "IndicatorCount",
    "NextReview",
    "Received",
    "Resolution",
    "ResolutionStatus",
    "StandardLookup",
    "area_lines",
    "effectiveness",
    "gap_summary",
    "gaps",
    "income_deprived",
    "income_line",
    "indicator_order",
    "next_reviews_after",
    "resolution",
    "unaddressed_list",
]

INCOME = "income"  # the key of the income gap in "addressed" and "unaddressed" sets
_INCOME_SET = frozenset({INCOME})
_NOTHING: frozenset[str] = frozenset()
NEED_CLASSES = ("poor", "near_poor")
ResolutionStatus = Literal["resolved", "unresolved", "not_comparable", "unknown"]
RESOLUTION_STATUSES: tuple[ResolutionStatus, ...] = get_args(ResolutionStatus)
Addressing = Mapping[str, Mapping[str, frozenset[str]]]


class GapError(ValueError):
    """Input that cannot be used, with a stable ``code`` and a message in both languages."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"{code}: {message_vi} / {message_en}")


@dataclass(frozen=True, slots=True)
class HouseholdNeed:
    """One poor or near-poor household of a year's list, as reviewed."""

    household_id: int
    commune_id: int
    village_id: int | None
    code: str
    head_name: str
    classification: str  # "poor" | "near_poor"
    standard_id: str
    area: str  # "rural" | "urban"
    income: int | None  # VND per person per month; None when the form's score decided
    deprived: frozenset[str]  # indicator keys of the standard
    review_year: int


@dataclass(frozen=True, slots=True)
class Received:
    """One support a household received."""

    household_id: int
    support_type: str
    on: date
    value: int  # VND


@dataclass(frozen=True, slots=True)
class HouseholdGap:
    """A household's needs against the support it received in the year.

    ``addressed`` and ``unaddressed`` split its needs: its deprived indicators, plus
    ``"income"`` when it is income-deprived. ``income_gap`` is the line minus the income (VND per
    person per month, never negative; ``None`` when no income is recorded). ``support_for``
    maps each key the received supports address to the support types that address it (shared
    between households with the same supports; not part of equality).
    """

    need: HouseholdNeed
    received_types: tuple[str, ...]
    addressed: frozenset[str]
    unaddressed: frozenset[str]
    income_gap: int | None
    income_addressed: bool
    support_for: Mapping[str, tuple[str, ...]] = field(compare=False, repr=False)

    @property
    def needs(self) -> frozenset[str]:
        return self.addressed | self.unaddressed

    @property
    def income_deprived(self) -> bool:
        return INCOME in self.addressed or INCOME in self.unaddressed

    def supports_addressing(self, key: str) -> tuple[str, ...]:
        """The received support types that address ``key`` (empty when none)."""
        return self.support_for.get(key, ())


@dataclass(frozen=True, slots=True)
class IndicatorCount:
    key: str  # an indicator key or "income"
    deprived: int
    addressed: int
    unaddressed: int


@dataclass(frozen=True, slots=True)
class GapSummaryRow:
    """One commune (``village_id`` None) or one village of a commune (``by="village"``; a
    household without a village falls in the row ``village_id=None`` of its commune)."""

    commune_id: int
    village_id: int | None
    households: int
    households_unaddressed: int  # with at least one unaddressed need
    indicators: tuple[IndicatorCount, ...]  # same keys, same order, in every row


@dataclass(frozen=True, slots=True)
class NextReview:
    """A household's classification at a later review."""

    household_id: int
    year: int
    classification: str  # "poor" | "near_poor" | "medium" | "non_poor"
    deprived: frozenset[str]
    income: int | None
    standard_id: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """What became of one addressed need at the next review."""

    household_id: int
    commune_id: int
    key: str  # an indicator key or "income"
    status: ResolutionStatus
    support_types: tuple[str, ...]  # the received types that addressed it
    standard_id: str
    next_standard_id: str | None  # None: no next review
    next_year: int | None


@dataclass(frozen=True, slots=True)
class EffectRow:
    """One support type's record: how many needs it addressed were resolved.

    ``resolved_share`` is resolved ÷ (resolved + unresolved), the needs whose outcome is known
    and comparable; ``None`` when there is none.
    """

    support_type: str
    households_supported: int
    addressed: int
    resolved: int
    unresolved: int
    not_comparable: int
    unknown: int
    resolved_share: Fraction | None


class StandardLookup:
    """Standards by id: the given ones (a province's local standards) first, then the national
    ones through the core's loader."""

    def __init__(self, given: Mapping[str, Standard] | None = None) -> None:
        self._given = dict(given or {})
        self._keys: dict[str, frozenset[str]] = {}

    def __call__(self, standard_id: str) -> Standard:
        std = self._given.get(standard_id)
        if std is None:
            std = get_standard(standard_id)
            self._given[standard_id] = std
        return std

    def keys(self, standard_id: str) -> frozenset[str]:
        """The standard's indicator keys."""
        keys = self._keys.get(standard_id)
        if keys is None:
            keys = self._keys[standard_id] = frozenset(self(standard_id).indicator_keys)
        return keys


def area_lines(std: Standard, area: str) -> AreaLines:
    """The standard's income lines for ``area``.

    Raises:
        GapError: unknown area.
    """
    lines = cast(Mapping[str, AreaLines], std.lines).get(area)
    if lines is None:
        raise GapError(
            "gaps.bad_area",
            f"khu vực {area!r} không hợp lệ (phải là rural hoặc urban)",
            f"area {area!r} is not valid (must be rural or urban)",
        )
    return lines


def income_line(std: Standard, area: str, classification: str) -> int:
    """The line whose crossing ends ``classification``'s income deprivation: the poverty line
    for a poor household, the near-poverty line otherwise.

    Raises:
        GapError: unknown area.
    """
    lines = area_lines(std, area)
    return lines.poverty if classification == "poor" else lines.near_poverty


def income_deprived(std: Standard, need: HouseholdNeed) -> bool:
    """Whether the household is income-deprived (see the module's docstring)."""
    if need.income is not None:
        return need.income <= income_line(std, need.area, need.classification)
    if std.rule == "qd59" and need.classification == "poor":
        return len(need.deprived) < std.deprivation_cutoff
    return True


@dataclass(frozen=True, slots=True)
class _Profile:
    line: int
    keys: frozenset[str]


def _profile(lookup: StandardLookup, need: HouseholdNeed) -> _Profile:
    if need.classification not in NEED_CLASSES:
        raise GapError(
            "gaps.bad_classification",
            f"hộ {need.code}: phân loại {need.classification!r} không phải hộ nghèo/cận nghèo",
            f"household {need.code}: classification {need.classification!r} is not poor/near-poor",
        )
    std = lookup(need.standard_id)
    return _Profile(income_line(std, need.area, need.classification), lookup.keys(std.id))


def _types_by_household(received: Iterable[Received], year: int) -> dict[int, tuple[str, ...]]:
    sets: dict[int, set[str]] = {}
    for r in received:
        if r.on.year != year:
            continue
        got = sets.get(r.household_id)
        if got is None:
            sets[r.household_id] = {r.support_type}
        else:
            got.add(r.support_type)
    return {h: tuple(sorted(s)) for h, s in sets.items()}


_Combo = tuple[frozenset[str], Mapping[str, tuple[str, ...]]]


def _combo(
    lookup: StandardLookup, addressing: Addressing, standard_id: str, types: tuple[str, ...]
) -> _Combo:
    by_type = addressing.get(standard_id, {})
    allowed = lookup.keys(standard_id) | _INCOME_SET
    support_for: dict[str, list[str]] = {}
    for t in types:
        keys = by_type.get(t, _NOTHING)
        unknown = keys - allowed
        if unknown:
            bad = ", ".join(sorted(unknown))
            raise GapError(
                "gaps.unknown_addressed_key",
                f"loại hỗ trợ {t!r} giải quyết chỉ số chuẩn {standard_id} không có: {bad}",
                f"support type {t!r} addresses keys standard {standard_id} does not have: {bad}",
            )
        for k in keys:
            support_for.setdefault(k, []).append(t)
    frozen = {k: tuple(v) for k, v in sorted(support_for.items())}
    return frozenset(frozen), MappingProxyType(frozen)


def gaps(
    needs: Iterable[HouseholdNeed],
    received: Iterable[Received],
    addressing: Addressing,
    *,
    year: int,
    standards: Mapping[str, Standard] | None = None,
) -> list[HouseholdGap]:
    """Each household's needs against the supports it received during ``year``.

    Args:
        needs: the households of the list.
        received: supports of any year; only those dated in ``year`` count, and only for
            households in ``needs``.
        addressing: per standard id, per support type, the keys it addresses (``"income"``
            included when it addresses the income gap). A type not listed addresses nothing.
        year: the support year.
        standards: local standards by id; national ones are loaded by id.

    Raises:
        GapError: a class other than poor/near-poor, a bad area, a deprived key the standard
            does not have, or an addressed key the standard does not have.
        UnknownStandard: an unknown standard id.
    """
    lookup = StandardLookup(standards)
    types_of = _types_by_household(received, year)
    profiles: dict[tuple[str, str, str], _Profile] = {}
    combos: dict[tuple[str, tuple[str, ...]], _Combo] = {}
    with_income: dict[frozenset[str], frozenset[str]] = {}
    splits: dict[tuple[frozenset[str], frozenset[str]], tuple[frozenset[str], frozenset[str]]] = {}
    out: list[HouseholdGap] = []
    append = out.append
    for need in needs:
        pkey = (need.standard_id, need.area, need.classification)
        prof = profiles.get(pkey)
        if prof is None:
            prof = profiles[pkey] = _profile(lookup, need)
        deprived = need.deprived
        if not deprived <= prof.keys:
            bad = ", ".join(sorted(deprived - prof.keys))
            raise GapError(
                "gaps.unknown_indicator",
                f"hộ {need.code}: chuẩn {need.standard_id} không có chỉ số {bad}",
                f"household {need.code}: standard {need.standard_id} has no indicator {bad}",
            )
        income = need.income
        if income is None:
            by_income = income_deprived(lookup(need.standard_id), need)
            gap = None
        else:
            by_income = income <= prof.line
            gap = prof.line - income if by_income else 0
        wanted = deprived
        if by_income:
            plus = with_income.get(deprived)
            if plus is None:
                plus = with_income[deprived] = deprived | _INCOME_SET
            wanted = plus
        types = types_of.get(need.household_id, ())
        ckey = (need.standard_id, types)
        combo = combos.get(ckey)
        if combo is None:
            combo = combos[ckey] = _combo(lookup, addressing, need.standard_id, types)
        skey = (wanted, combo[0])
        split = splits.get(skey)
        if split is None:
            split = splits[skey] = (wanted & combo[0], wanted - combo[0])
        append(HouseholdGap(need, types, split[0], split[1], gap, INCOME in split[0], combo[1]))
    return out


def _village_key(village_id: int | None) -> tuple[bool, int]:
    return (village_id is None, village_id or 0)


def indicator_order(gap_list: Sequence[HouseholdGap], lookup: StandardLookup) -> tuple[str, ...]:
    """``"income"`` first, then the indicator keys of the standards used, oldest first, each
    in its standard's order."""
    order: dict[str, None] = {INCOME: None}
    stds = [lookup(s) for s in {g.need.standard_id for g in gap_list}]
    for std in sorted(stds, key=lambda s: (s.years, s.id)):
        order.update(dict.fromkeys(std.indicator_keys))
    return tuple(order)


def gap_summary(
    gap_list: Sequence[HouseholdGap],
    by: Literal["commune", "village"] = "commune",
    *,
    standards: Mapping[str, Standard] | None = None,
) -> list[GapSummaryRow]:
    """Per commune or per village: households, those with an unaddressed need, and per key
    (income first, then indicators) how many are deprived, addressed and unaddressed.

    Rows are ordered by commune, then village (households without a village last).
    """
    if by not in ("commune", "village"):
        raise GapError(
            "gaps.bad_unit",
            f"đơn vị tổng hợp {by!r} không hợp lệ (commune hoặc village)",
            f"unit {by!r} is not valid (commune or village)",
        )
    units: dict[tuple[int, int | None], tuple[list[int], Counter[str], Counter[str]]] = {}
    per_village = by == "village"
    for g in gap_list:
        need = g.need
        key = (need.commune_id, need.village_id if per_village else None)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = ([0, 0], Counter(), Counter())
        unit[0][0] += 1
        if g.unaddressed:
            unit[0][1] += 1
            unit[1].update(g.unaddressed)
        if g.addressed:
            unit[2].update(g.addressed)
    keys = indicator_order(gap_list, StandardLookup(standards))
    rows = []
    for (commune_id, village_id), (hh, unaddressed, addressed) in sorted(
        units.items(), key=lambda kv: (kv[0][0], _village_key(kv[0][1]))
    ):
        counts = tuple(
            IndicatorCount(k, addressed[k] + unaddressed[k], addressed[k], unaddressed[k])
            for k in keys
        )
        rows.append(GapSummaryRow(commune_id, village_id, hh[0], hh[1], counts))
    return rows


def unaddressed_list(
    gap_list: Iterable[HouseholdGap],
    *,
    commune_id: int | None = None,
    village_id: int | None = None,
    indicator: str | None = None,
) -> list[HouseholdGap]:
    """Households with at least one unaddressed need (with ``indicator``: that one), in a
    commune or village when given, ordered by commune, village (none last) and code."""
    rows = [
        g
        for g in gap_list
        if g.unaddressed
        and (commune_id is None or g.need.commune_id == commune_id)
        and (village_id is None or g.need.village_id == village_id)
        and (indicator is None or indicator in g.unaddressed)
    ]
    rows.sort(key=lambda g: (g.need.commune_id, _village_key(g.need.village_id), g.need.code))
    return rows


def next_reviews_after(
    next_reviews: Iterable[NextReview], base_years: Mapping[int, int]
) -> dict[int, NextReview]:
    """Per household of ``base_years`` (household id → year it was reviewed), its earliest
    review after that year.

    Raises:
        GapError: an unknown classification, or two reviews of one household in one year.
    """
    found: dict[int, NextReview] = {}
    for nr in next_reviews:
        if nr.classification not in CLASSIFICATIONS:
            raise GapError(
                "gaps.bad_next_classification",
                f"hộ {nr.household_id}: phân loại {nr.classification!r} không hợp lệ",
                f"household {nr.household_id}: classification {nr.classification!r} is not valid",
            )
        base = base_years.get(nr.household_id)
        if base is None or nr.year <= base:
            continue
        seen = found.get(nr.household_id)
        if seen is not None and seen.year == nr.year:
            raise GapError(
                "gaps.duplicate_next_review",
                f"hộ {nr.household_id} có hai kết quả rà soát năm {nr.year}",
                f"household {nr.household_id} has two reviews in {nr.year}",
            )
        if seen is None or nr.year < seen.year:
            found[nr.household_id] = nr
    return found


def _income_above(std: Standard, need: HouseholdNeed, nr: NextReview) -> bool | None:
    """Whether the next review puts the income above the matching line; None if unknown."""
    line = income_line(std, need.area, need.classification)
    if nr.income is not None:
        return nr.income > line
    cls = nr.classification
    if cls in ("medium", "non_poor"):
        return True
    if std.rule != "qd59":
        return False  # poor and near-poor both lie at or below the line
    if cls == "near_poor":  # above the poverty line, at most the near-poverty line
        return need.classification == "poor"
    if len(nr.deprived) < std.deprivation_cutoff:
        return False  # poor by income
    return None


def resolution(
    gap_list: Iterable[HouseholdGap],
    next_reviews: Iterable[NextReview],
    *,
    standards: Mapping[str, Standard] | None = None,
) -> list[Resolution]:
    """Per household and per addressed need, what the next review shows (see the module's
    docstring). Households come in the order given, their keys in sorted order."""
    lookup = StandardLookup(standards)
    gap_list = list(gap_list)
    base = {g.need.household_id: g.need.review_year for g in gap_list}
    later = next_reviews_after(next_reviews, base)
    out: list[Resolution] = []
    for g in gap_list:
        if not g.addressed:
            continue
        need = g.need
        nr = later.get(need.household_id)
        next_std = None if nr is None else lookup(nr.standard_id)
        next_keys = _NOTHING if nr is None else lookup.keys(nr.standard_id)
        for key in sorted(g.addressed):
            status: ResolutionStatus
            if nr is None or next_std is None:
                status = "unknown"
            elif key == INCOME:
                above = _income_above(next_std, need, nr)
                status = "unknown" if above is None else "resolved" if above else "unresolved"
            elif key not in next_keys:
                status = "not_comparable"
            else:
                status = "unresolved" if key in nr.deprived else "resolved"
            out.append(
                Resolution(
                    need.household_id,
                    need.commune_id,
                    key,
                    status,
                    g.supports_addressing(key),
                    need.standard_id,
                    None if nr is None else nr.standard_id,
                    None if nr is None else nr.year,
                )
            )
    return out


def effectiveness(
    resolutions: Iterable[Resolution], received: Iterable[Received], *, year: int | None = None
) -> list[EffectRow]:
    """Per support type (sorted by code): households that received it (in ``year`` when
    given), the needs it addressed and what became of them.

    A need addressed by two types counts once for each.
    """
    households: dict[str, set[int]] = {}
    for r in received:
        if year is None or r.on.year == year:
            households.setdefault(r.support_type, set()).add(r.household_id)
    counts: dict[str, Counter[str]] = {}
    for res in resolutions:
        for t in res.support_types:
            c = counts.get(t)
            if c is None:
                c = counts[t] = Counter()
            c[res.status] += 1
    rows = []
    for t in sorted(households.keys() | counts.keys()):
        c = counts.get(t, Counter())
        known = c["resolved"] + c["unresolved"]
        rows.append(
            EffectRow(
                support_type=t,
                households_supported=len(households.get(t, ())),
                addressed=sum(c.values()),
                resolved=c["resolved"],
                unresolved=c["unresolved"],
                not_comparable=c["not_comparable"],
                unknown=c["unknown"],
                resolved_share=Fraction(c["resolved"], known) if known else None,
            )
        )
    return rows
