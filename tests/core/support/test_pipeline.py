"""The escape pipeline: distances under each standard, the ordering rule and its tie-breaks,
the suggestion, and registered versus escaped against a brute-force recount."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giamngheo.core.support.gaps import GapError, HouseholdNeed, NextReview
from giamngheo.core.support.pipeline import (
    CLOSEST_TO_ESCAPING,
    EscapeCandidate,
    PipelineRow,
    Registration,
    candidates,
    registered_vs_escaped,
    suggest,
)

QD59 = "QD59-2015"
ND07 = "ND07-2021"
ND351 = "ND351-2025"
ND07_KEYS = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
)


def need(
    hid: int,
    *,
    cls: str = "poor",
    std: str = ND07,
    area: str = "rural",
    income: int | None = 1_000_000,
    deprivations: int = 3,
    commune: int = 1,
    year: int = 2023,
) -> HouseholdNeed:
    return HouseholdNeed(
        household_id=hid,
        commune_id=commune,
        village_id=None,
        code=f"H{hid:04d}",
        head_name=f"Chủ hộ {hid}",
        classification=cls,
        standard_id=std,
        area=area,
        income=income,
        deprived=frozenset(ND07_KEYS[:deprivations]),  # these keys exist in every standard
        review_year=year,
    )


# --- distances under each standard ----------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "path", "shortfall", "line", "to_remove"),
    [
        # QD59 rural: poverty line 700,000, near-poverty line 1,000,000
        (need(1, std=QD59, income=700_000, deprivations=2), "income", 1, 700_000, 0),
        (need(1, std=QD59, income=600_000, deprivations=4), "income", 400_001, 1_000_000, 2),
        (need(1, std=QD59, income=800_000, deprivations=3), "both", 200_001, 1_000_000, 1),
        (need(1, std=QD59, income=None, deprivations=1), "income", None, None, 0),
        # ND07 rural: line 1,500,000 (at the line is poor)
        (need(1, income=1_500_000, deprivations=3), "both", 1, 1_500_000, 1),
        (need(1, income=None, deprivations=5), "deprivations", None, None, 3),
        # ND351 urban: line 2,800,000
        (need(1, std=ND351, area="urban", income=2_800_000), "both", 1, 2_800_000, 1),
    ],
)
def test_poor_distances(
    n: HouseholdNeed, path: str, shortfall: int | None, line: int | None, to_remove: int
) -> None:
    (c,) = candidates([n])
    assert (c.path, c.income_shortfall, c.deprivations_to_remove) == (path, shortfall, to_remove)
    assert c.shortfall_ratio == (None if line is None else Fraction(shortfall or 0, line))
    assert c.rank == 1


@pytest.mark.parametrize(
    ("std", "area", "income", "shortfall", "line"),
    [
        (QD59, "rural", 900_000, 100_001, 1_000_000),  # the near-poverty line
        (QD59, "urban", 1_300_000, 1, 1_300_000),
        (ND07, "rural", 1_500_000, 1, 1_500_000),
    ],
)
def test_near_poor_escape_near_poverty_by_income(
    std: str, area: str, income: int, shortfall: int, line: int
) -> None:
    n = need(1, cls="near_poor", std=std, area=area, income=income, deprivations=1)
    assert candidates([n]) == []  # not poor
    (c,) = candidates([n], classification="near_poor")
    assert (c.path, c.income_shortfall, c.shortfall_ratio) == (
        "income",
        shortfall,
        Fraction(shortfall, line),
    )


def test_bad_classification_is_refused() -> None:
    with pytest.raises(GapError) as err:
        candidates([], classification="medium")  # type: ignore[arg-type]
    assert err.value.code == "pipeline.bad_classification"


# --- the ordering rule -----------------------------------------------------------------------


def test_ordering_tie_breaks() -> None:
    needs = [
        need(10, income=None, deprivations=3, std=QD59),  # no measurable route: last
        need(9, income=None, deprivations=3),  # deprivations only, no ratio: after ratios
        need(8, income=1_400_000, deprivations=4),  # as 6 but more to remove
        need(7, income=1_400_000, deprivations=3),  # as 6: the code decides
        need(6, income=1_400_000, deprivations=3),
        need(5, area="urban", income=1_800_001, deprivations=3),  # ratio 1/10 exactly
        need(4, income=1_350_001, deprivations=4),  # ratio 1/10 exactly, more to remove
        need(3, income=1_499_000, deprivations=5),  # smallest ratio, many deprivations
        need(2, income=100_000, deprivations=2),  # below the cut-off already: needs nothing
        need(1, income=1_600_000, deprivations=3),  # above the line already: needs nothing
        need(11, commune=2, income=1_000_000),
        need(12, commune=2, income=1_200_000),
    ]
    ranked = candidates(needs)
    assert [(c.need.household_id, c.rank) for c in ranked] == [
        (1, 1),  # needs nothing, ratio 0
        (2, 2),  # needs nothing, ratio 1,400,001 / 1,500,000
        (3, 3),  # ratio 1,001 / 1,500,000
        (6, 4),  # ratio 100,001 / 1,500,000, then fewer to remove, then the code
        (7, 5),
        (8, 6),
        (5, 7),  # 1/10 with 1 to remove before 1/10 with 2 to remove
        (4, 8),
        (9, 9),
        (10, 10),
        (12, 1),  # ranks start again in each commune
        (11, 2),
    ]
    by_id = {c.need.household_id: c for c in ranked}
    assert by_id[4].shortfall_ratio == by_id[5].shortfall_ratio == Fraction(1, 10)
    assert by_id[1].income_shortfall == 0


def test_the_rule_is_described_in_both_languages() -> None:
    rule = CLOSEST_TO_ESCAPING
    assert rule.code == "escape.closest.v1"
    assert "thu nhập" in rule.description_vi and "income" in rule.description_en
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.code = "x"  # type: ignore[misc]


def _tier(c: EscapeCandidate) -> int:
    if c.income_shortfall == 0 or (c.path != "income" and c.deprivations_to_remove == 0):
        return 0
    return 2 if c.path == "income" and c.income_shortfall is None else 1


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([QD59, ND07, ND351]),
            st.sampled_from(["rural", "urban"]),
            st.one_of(st.none(), st.integers(0, 3_000_000)),
            st.integers(0, 6),
            st.integers(1, 3),
        ),
        max_size=40,
    )
)
def test_order_matches_exact_fractions(rows: list[tuple[str, str, int | None, int, int]]) -> None:
    needs = [
        need(i, std=s, area=a, income=inc, deprivations=d, commune=c)
        for i, (s, a, inc, d, c) in enumerate(rows)
    ]
    ranked = candidates(needs)
    assert sorted(c.need.household_id for c in ranked) == list(range(len(rows)))

    def key(c: EscapeCandidate) -> tuple[object, ...]:
        ratio = c.shortfall_ratio
        return (
            c.need.commune_id,
            _tier(c),
            ratio is None,
            ratio or Fraction(0),
            c.deprivations_to_remove,
            len(c.need.deprived),
            c.need.code,
        )

    keys = [key(c) for c in ranked]
    assert keys == sorted(keys)
    for commune in {c.need.commune_id for c in ranked}:
        ranks = [c.rank for c in ranked if c.need.commune_id == commune]
        assert ranks == list(range(1, len(ranks) + 1))


# --- the suggestion --------------------------------------------------------------------------


def test_suggest_takes_the_first_of_a_commune() -> None:
    ranked = candidates([need(i, income=1_000_000 + i, commune=1 + i % 2) for i in range(1, 8)])
    picked = suggest(ranked, 2, commune_id=1)
    assert [c.need.household_id for c in picked] == [6, 4]
    assert len(suggest(ranked, 10, commune_id=2)) == 4
    assert suggest(ranked, 0, commune_id=2) == []
    assert suggest([], 3) == []
    with pytest.raises(GapError) as err:
        suggest(ranked, 2)
    assert err.value.code == "pipeline.several_communes"


# --- registered versus escaped ---------------------------------------------------------------


def test_registered_vs_escaped_by_hand() -> None:
    base = [
        need(1, commune=1),
        need(2, commune=1),
        need(3, commune=1),
        need(4, commune=1),
        need(5, commune=2),
        need(6, commune=2),
        need(8, commune=1, cls="near_poor"),
    ]
    regs = [Registration(h, c, 2024) for h, c in [(1, 1), (1, 1), (2, 1), (3, 1), (5, 2)]]
    regs += [Registration(7, 2, 2024), Registration(8, 1, 2024), Registration(4, 1, 2023)]
    nxt = [
        NextReview(1, 2024, "near_poor", frozenset(), 1_600_000, ND07),
        NextReview(2, 2024, "poor", frozenset(), 1_000_000, ND07),
        NextReview(4, 2024, "medium", frozenset(), 2_000_000, ND07),
        NextReview(5, 2024, "non_poor", frozenset(), 5_000_000, ND07),
        NextReview(6, 2024, "poor", frozenset(), 1_000_000, ND07),
        NextReview(8, 2024, "medium", frozenset(), 2_000_000, ND07),
    ]
    rows = registered_vs_escaped(regs, base, nxt, {1: 3, 2: 1, 3: 2}, year=2024)
    assert rows == [
        PipelineRow(1, 3, 4, 3, 1, 1, 1, 2, 1, 1, 0),
        PipelineRow(2, 1, 2, 1, 1, 0, 0, 1, 0, 1, 0),
        PipelineRow(3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2),
        PipelineRow(None, 6, 6, 4, 2, 1, 1, 3, 1, 2, 2),
    ]
    with pytest.raises(GapError) as err:
        registered_vs_escaped(regs, base, nxt, {})
    assert err.value.code == "pipeline.mixed_years"


def test_registered_vs_escaped_empty() -> None:
    assert registered_vs_escaped([], [], [], {}) == [
        PipelineRow(None, None, 0, 0, 0, 0, 0, 0, 0, 0, None)
    ]
    (row, total) = registered_vs_escaped([], [], [], {5: 4})
    assert (row.commune_id, row.gap_to_target, total.target) == (5, 4, 4)


OUTCOMES = st.sampled_from([None, "poor", "near_poor", "medium", "non_poor"])


@settings(max_examples=100, deadline=None)
@given(
    base=st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from(["poor", "near_poor"]), OUTCOMES),
        max_size=30,
    ),
    registered=st.sets(st.integers(0, 40)),
    targets=st.dictionaries(st.integers(1, 5), st.integers(0, 10)),
)
def test_registered_vs_escaped_against_a_recount(
    base: list[tuple[int, str, str | None]], registered: set[int], targets: dict[int, int]
) -> None:
    needs = [need(i, commune=c, cls=cls) for i, (c, cls, _) in enumerate(base)]
    nxt = [
        NextReview(i, 2024, out, frozenset(), None, ND07)
        for i, (_, _, out) in enumerate(base)
        if out is not None
    ]
    regs = [Registration(h, 1 + h % 4, 2024) for h in sorted(registered)]
    rows = registered_vs_escaped(regs, needs, nxt, targets)

    expected: dict[int, list[int]] = {}
    for c in {c for c, cls, _ in base if cls == "poor"} | set(targets):
        expected[c] = [0] * 8
    for h in registered:
        if h >= len(base) or base[h][1] != "poor":
            expected.setdefault(1 + h % 4, [0] * 8)[7] += 1
    for i, (c, cls, out) in enumerate(base):
        if cls != "poor":
            continue
        e = expected[c]
        escaped = out is not None and out != "poor"
        e[0] += 1
        e[5] += escaped
        if i in registered:
            e[1] += 1
            e[2] += escaped
            e[3] += out == "poor"
            e[4] += out is None
        else:
            e[6] += escaped
    got = {r.commune_id: r for r in rows}
    assert sorted(c for c in got if c is not None) == sorted(expected)
    for c, e in expected.items():
        r = got[c]
        figures = [
            r.poor,
            r.registered,
            r.registered_escaped,
            r.registered_still_poor,
            r.registered_unknown,
            r.escaped,
            r.escaped_unregistered,
            r.not_on_list,
        ]
        assert figures == e
        assert r.target == targets.get(c)
        assert r.gap_to_target == (None if c not in targets else targets[c] - e[1])
    total = got[None]
    assert total.registered == sum(e[1] for e in expected.values())
    assert total.escaped == sum(e[5] for e in expected.values())
    assert total.target == (sum(targets.values()) if targets else None)
