"""Deprivations against support: income deprivation at the lines of each standard, supports of
the year, summaries and lists, resolution across a change of standard, effectiveness."""

from __future__ import annotations

import dataclasses
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giamngheo.core.standards import get_standard
from giamngheo.core.support.gaps import (
    INCOME,
    GapError,
    HouseholdGap,
    HouseholdNeed,
    NextReview,
    Received,
    effectiveness,
    gap_summary,
    gaps,
    resolution,
    unaddressed_list,
)

QD59 = "QD59-2015"
ND07 = "ND07-2021"
ND351 = "ND351-2025"


def need(
    hid: int,
    *,
    cls: str = "poor",
    std: str = ND07,
    area: str = "rural",
    income: int | None = 1_000_000,
    deprived: tuple[str, ...] = (),
    commune: int = 1,
    village: int | None = 10,
    year: int = 2023,
) -> HouseholdNeed:
    return HouseholdNeed(
        household_id=hid,
        commune_id=commune,
        village_id=village,
        code=f"H{hid:04d}",
        head_name=f"Chủ hộ {hid}",
        classification=cls,
        standard_id=std,
        area=area,
        income=income,
        deprived=frozenset(deprived),
        review_year=year,
    )


ADDRESSING = {
    ND07: {
        "house": frozenset({"housing_quality", "housing_area"}),
        "water": frozenset({"water"}),
        "loan": frozenset({INCOME}),
        "training": frozenset({"employment", INCOME}),
    },
    QD59: {
        "house": frozenset({"housing_quality"}),
        "radio": frozenset({"info_assets"}),
        "water": frozenset({"water"}),
        "loan": frozenset({INCOME}),
    },
}


def one(n: HouseholdNeed, *supports: str, year: int = 2024) -> HouseholdGap:
    received = [Received(n.household_id, s, date(year, 3, 1), 1_000_000) for s in supports]
    (gap,) = gaps([n], received, ADDRESSING, year=year)
    return gap


# --- income deprivation at each standard's lines ("≤": at the line is deprived) ---------------


@pytest.mark.parametrize(
    ("std", "cls", "area", "income", "gap"),
    [
        (QD59, "poor", "rural", 700_000, 0),  # exactly the poverty line
        (QD59, "poor", "rural", 650_000, 50_000),
        (QD59, "poor", "urban", 900_000, 0),
        (QD59, "near_poor", "rural", 1_000_000, 0),  # exactly the near-poverty line
        (QD59, "near_poor", "urban", 1_000_000, 300_000),
        (ND07, "poor", "rural", 1_500_000, 0),
        (ND07, "poor", "urban", 1_999_999, 1),
        (ND07, "near_poor", "urban", 2_000_000, 0),
        (ND351, "poor", "urban", 2_800_000, 0),
        (ND351, "near_poor", "rural", 2_000_000, 200_000),
    ],
)
def test_income_deprived_at_or_below_the_line(
    std: str, cls: str, area: str, income: int, gap: int
) -> None:
    g = one(need(1, std=std, cls=cls, area=area, income=income))
    assert g.income_deprived
    assert g.income_gap == gap
    assert g.unaddressed == {INCOME}


def test_qd59_poor_by_deprivations_is_not_income_deprived() -> None:
    deps = ("water", "sanitation", "telecom")
    g = one(need(1, std=QD59, income=700_001, deprived=deps))
    assert not g.income_deprived
    assert g.income_gap == 0
    assert g.unaddressed == frozenset(deps)


def test_income_not_recorded_follows_the_rule() -> None:
    three = ("water", "sanitation", "telecom")
    assert one(need(1, std=ND07, income=None, deprived=three)).income_deprived
    assert one(need(1, std=ND07, cls="near_poor", income=None)).income_deprived
    assert one(need(1, std=QD59, income=None, deprived=("water",))).income_deprived
    assert not one(need(1, std=QD59, income=None, deprived=three)).income_deprived
    assert one(need(1, std=QD59, income=None)).income_gap is None


# --- supports of the year against needs --------------------------------------------------------


def test_supports_of_the_year_address_needs() -> None:
    n = need(1, income=1_200_000, deprived=("water", "housing_quality", "nutrition"))
    received = [
        Received(1, "water", date(2024, 5, 1), 3_000_000),
        Received(1, "water", date(2024, 9, 1), 1_000_000),
        Received(1, "loan", date(2024, 2, 1), 50_000_000),
        Received(1, "house", date(2023, 12, 31), 40_000_000),  # the year before: not counted
        Received(2, "house", date(2024, 1, 1), 40_000_000),  # another household
        Received(1, "unlisted", date(2024, 1, 1), 1),  # a type that addresses nothing
    ]
    (g,) = gaps([n], received, ADDRESSING, year=2024)
    assert g.received_types == ("loan", "unlisted", "water")
    assert g.addressed == {"water", INCOME}
    assert g.unaddressed == {"housing_quality", "nutrition"}
    assert g.income_addressed
    assert g.income_gap == 300_000
    assert g.supports_addressing(INCOME) == ("loan",)
    assert g.supports_addressing("housing_quality") == ()
    assert hash(g) == hash(dataclasses.replace(g, support_for={}))  # not part of equality


def test_two_supports_addressing_one_key() -> None:
    g = one(need(1, income=1_000_000, deprived=("employment",)), "loan", "training")
    assert g.supports_addressing(INCOME) == ("loan", "training")
    assert g.addressed == {INCOME, "employment"}
    assert not g.unaddressed


def test_support_of_another_standard_does_not_count() -> None:
    # "radio" addresses info_assets under QD59 only; ND07 has no such support listed
    g = one(need(1, std=ND07, deprived=("info_access",)), "radio")
    assert g.unaddressed == {"info_access", INCOME}


@pytest.mark.parametrize(
    ("n", "code"),
    [
        (need(1, cls="medium"), "gaps.bad_classification"),
        (need(1, area="mountain"), "gaps.bad_area"),
        (need(1, deprived=("info_assets",)), "gaps.unknown_indicator"),  # a QD59 key
    ],
)
def test_bad_needs_are_refused(n: HouseholdNeed, code: str) -> None:
    with pytest.raises(GapError) as err:
        gaps([n], [], ADDRESSING, year=2024)
    assert err.value.code == code
    assert err.value.message_vi and err.value.message_en


def test_unknown_addressed_key_is_refused() -> None:
    bad = {ND07: {"radio": frozenset({"info_assets"})}}
    with pytest.raises(GapError) as err:
        gaps([need(1)], [Received(1, "radio", date(2024, 1, 1), 1)], bad, year=2024)
    assert err.value.code == "gaps.unknown_addressed_key"


def test_empty_inputs() -> None:
    assert gaps([], [], {}, year=2024) == []
    assert gap_summary([]) == []
    assert gap_summary([], by="village") == []
    assert unaddressed_list([]) == []
    assert resolution([], []) == []
    assert effectiveness([], []) == []


# --- summaries and the unaddressed list --------------------------------------------------------


def _province() -> list[HouseholdGap]:
    needs = [
        need(1, commune=2, village=20, income=1_600_000, deprived=("water",), cls="near_poor"),
        need(2, commune=1, village=11, deprived=("water", "nutrition", "telecom")),
        need(3, commune=1, village=10, deprived=("water", "housing_quality", "telecom")),
        need(4, commune=1, village=None, deprived=("nutrition", "telecom", "sanitation")),
        need(5, commune=1, village=10, deprived=("water", "telecom", "sanitation")),
    ]
    received = [
        Received(2, "water", date(2024, 1, 5), 1),
        Received(3, "water", date(2024, 1, 5), 1),
        Received(3, "house", date(2024, 1, 5), 1),
        Received(3, "loan", date(2024, 1, 5), 1),
        Received(5, "training", date(2024, 1, 5), 1),
    ]
    return gaps(needs, received, ADDRESSING, year=2024)


def test_gap_summary_by_commune() -> None:
    rows = gap_summary(_province())
    assert [r.commune_id for r in rows] == [1, 2]
    c1 = rows[0]
    assert (c1.village_id, c1.households, c1.households_unaddressed) == (None, 4, 4)
    counts = {i.key: (i.deprived, i.addressed, i.unaddressed) for i in c1.indicators}
    assert counts["water"] == (3, 2, 1)
    assert counts[INCOME] == (4, 2, 2)
    assert counts["telecom"] == (4, 0, 4)
    assert counts["housing_quality"] == (1, 1, 0)
    assert counts["dependants"] == (0, 0, 0)
    assert c1.indicators[0].key == INCOME
    assert [i.key for i in c1.indicators][1:] == list(get_standard(ND07).indicator_keys)
    c2 = rows[1]
    # income 1,600,000 is above the ND07 line: only water is a need, and nothing addresses it
    assert (c2.households, c2.households_unaddressed) == (1, 1)
    assert {i.key: i.deprived for i in c2.indicators}[INCOME] == 0


def test_gap_summary_by_village_puts_no_village_last() -> None:
    rows = gap_summary(_province(), by="village")
    assert [(r.commune_id, r.village_id, r.households) for r in rows] == [
        (1, 10, 2),
        (1, 11, 1),
        (1, None, 1),
        (2, 20, 1),
    ]
    with pytest.raises(GapError) as err:
        gap_summary(_province(), by="district")  # type: ignore[arg-type]
    assert err.value.code == "gaps.bad_unit"


def test_unaddressed_list_filters_and_order() -> None:
    province = _province()
    assert [g.need.household_id for g in unaddressed_list(province)] == [3, 5, 2, 4, 1]
    water = unaddressed_list(province, indicator="water")
    assert [g.need.household_id for g in water] == [5, 1]
    assert [g.need.household_id for g in unaddressed_list(province, commune_id=2)] == [1]
    village = unaddressed_list(province, commune_id=1, village_id=10, indicator="telecom")
    assert [g.need.code for g in village] == ["H0003", "H0005"]
    assert unaddressed_list(province, indicator="housing_quality") == []


# --- resolution at the next review, across a change of standard -------------------------------


def test_resolution_across_qd59_to_nd07() -> None:
    n = need(
        1,
        std=QD59,
        income=650_000,
        deprived=("water", "housing_quality", "info_assets"),
        year=2021,
    )
    left = need(2, std=QD59, income=600_000, deprived=("water",), year=2021)
    received = [Received(h, t, date(2021, 6, 1), 1) for h in (1, 2) for t in ADDRESSING[QD59]]
    gs = gaps([n, left], received, ADDRESSING, year=2021)
    nxt = [
        NextReview(1, 2022, "near_poor", frozenset({"housing_quality"}), 1_500_000, ND07),
        NextReview(1, 2021, "poor", frozenset(), 1, QD59),  # not after the base review
    ]
    got = {(r.household_id, r.key): r for r in resolution(gs, nxt)}
    assert got[1, "water"].status == "resolved"
    assert got[1, "housing_quality"].status == "unresolved"
    assert got[1, "info_assets"].status == "not_comparable"  # no such indicator in ND07
    assert got[1, INCOME].status == "unresolved"  # 1,500,000 is not above the ND07 line
    assert got[1, INCOME].support_types == ("loan",)
    assert (got[1, "water"].standard_id, got[1, "water"].next_standard_id) == (QD59, ND07)
    assert got[1, "water"].next_year == 2022
    assert {r.status for k, r in got.items() if k[0] == 2} == {"unknown"}
    assert got[2, "water"].next_year is None


@pytest.mark.parametrize(
    ("was", "std", "nxt", "status"),
    [
        ("poor", ND07, ("poor", 3, 1_500_001), "resolved"),  # above the line, however classed
        ("poor", ND07, ("medium", 0, None), "resolved"),
        ("poor", ND07, ("near_poor", 0, None), "unresolved"),  # near-poor: at or below the line
        ("poor", QD59, ("near_poor", 0, None), "resolved"),  # above the poverty line
        ("near_poor", QD59, ("near_poor", 0, None), "unresolved"),
        ("poor", QD59, ("poor", 1, None), "unresolved"),  # poor by income
        ("poor", QD59, ("poor", 3, None), "unknown"),  # poor by income or by deprivations
    ],
)
def test_income_resolution_without_next_income(
    was: str, std: str, nxt: tuple[str, int, int | None], status: str
) -> None:
    next_cls, next_deprived, next_income = nxt
    g = one(need(1, std=std, cls=was, income=500_000, year=2023), "loan")
    keys = get_standard(std).indicator_keys[:next_deprived]
    later = NextReview(1, 2024, next_cls, frozenset(keys), next_income, std)
    (r,) = resolution([g], [later])
    assert (r.key, r.status) == (INCOME, status)


def test_duplicate_next_review_is_refused() -> None:
    g = one(need(1, deprived=("water",)), "water")
    nxt = [NextReview(1, 2024, "poor", frozenset(), 1, ND07)] * 2
    with pytest.raises(GapError) as err:
        resolution([g], nxt)
    assert err.value.code == "gaps.duplicate_next_review"


def test_earliest_later_review_counts() -> None:
    g = one(need(1, income=2_000_000, deprived=("water",), cls="near_poor"), "water")
    nxt = [
        NextReview(1, 2025, "near_poor", frozenset(), 1, ND07),
        NextReview(1, 2024, "near_poor", frozenset({"water"}), 1, ND07),
    ]
    (r,) = resolution([g], nxt)
    assert (r.status, r.next_year) == ("unresolved", 2024)


def test_effectiveness_per_support_type() -> None:
    needs = [
        need(1, deprived=("water", "housing_quality")),
        need(2, deprived=("water",)),
        need(3, deprived=("water",)),
        need(4, deprived=("housing_area",)),
    ]
    received = [
        Received(h, t, date(2024, 1, 1), 1)
        for h, t in [(1, "water"), (1, "house"), (2, "water"), (3, "water"), (4, "house")]
    ]
    received.append(Received(9, "water", date(2023, 1, 1), 1))  # another year
    gs = gaps(needs, received, ADDRESSING, year=2024)
    nxt = [
        NextReview(1, 2024, "poor", frozenset({"housing_quality"}), 1_000_000, ND07),
        NextReview(2, 2024, "poor", frozenset({"water"}), 1_000_000, ND07),
        NextReview(4, 2024, "near_poor", frozenset(), 1_000_000, ND07),
    ]
    rows = {r.support_type: r for r in effectiveness(resolution(gs, nxt), received, year=2024)}
    water = rows["water"]
    assert (water.households_supported, water.addressed) == (3, 3)
    assert (water.resolved, water.unresolved, water.unknown) == (1, 1, 1)
    assert water.resolved_share == Fraction(1, 2)
    house = rows["house"]
    assert (house.households_supported, house.addressed, house.resolved) == (2, 2, 1)
    assert house.resolved_share == Fraction(1, 2)
    assert set(rows) == {"house", "water"}
    every_year = {r.support_type: r for r in effectiveness([], received)}
    assert every_year["water"].households_supported == 4
    assert every_year["water"].resolved_share is None


# --- property: a partition of the needs, checked against a plain recount -----------------------

KEYS = get_standard(ND07).indicator_keys
TYPES = sorted(ADDRESSING[ND07])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["poor", "near_poor"]),
            st.sampled_from(["rural", "urban"]),
            st.one_of(st.none(), st.integers(0, 2_500_000)),
            st.frozensets(st.sampled_from(KEYS)),
            st.frozensets(st.sampled_from(TYPES)),
        ),
        max_size=30,
    )
)
def test_needs_split_as_a_plain_recount(
    rows: list[tuple[str, str, int | None, frozenset[str], frozenset[str]]],
) -> None:
    needs = [
        need(i, cls=c, area=a, income=inc, deprived=tuple(d))
        for i, (c, a, inc, d, _) in enumerate(rows)
    ]
    received = [Received(i, t, date(2024, 7, 1), 1) for i, row in enumerate(rows) for t in row[4]]
    out = gaps(needs, received, ADDRESSING, year=2024)
    assert [g.need for g in out] == needs
    std = get_standard(ND07)
    for g, (_, area, income, deprived, types) in zip(out, rows, strict=True):
        line = std.lines[area].poverty  # type: ignore[index]
        by_income = income is None or income <= line
        wanted = deprived | ({INCOME} if by_income else set())
        covered = set().union(*(ADDRESSING[ND07][t] for t in types))
        assert g.addressed == wanted & covered
        assert g.unaddressed == wanted - covered
        assert g.received_types == tuple(sorted(types))
        assert g.income_gap == (None if income is None else max(0, line - income))
    summary = gap_summary(out)
    assert sum(r.households for r in summary) == len(rows)
    for row in summary:
        for c in row.indicators:
            assert c.deprived == c.addressed + c.unaddressed
