"""The selectors that build the core's inputs for deprivations against support and the path
out of poverty (``support.selectors.needs``): which review counts (approved, periodic, the
corrected revision), the user's scope, incomes missing or typed as text, what a household
received (ledger states, loans, housing), later reviews, the catalog's mapping, the plan's
targets; and the whole chain into ``core.support.gaps``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from giamngheo.core.support.gaps import INCOME, gaps
from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import PlanRow
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.support.models import (
    EscapeRegistration,
    Housing,
    Loan,
    Source,
    Support,
    SupportState,
)
from giamngheo.support.selectors import needs as sel

pytestmark = pytest.mark.django_db

POOR_OR_NEAR_2019 = {
    "DA-01", "DA-02", "DA-03", "DA-04", "DA-07", "DA-08", "DD-01", "DD-02", "DD-03", "DD-04",
}  # fmt: skip


def codes(rows: Any) -> set[str]:
    return {r.code for r in rows}


def review(hh: Household, **kw: Any) -> ReviewRecord:
    """A 2019 periodic review with the given fields (approved unless told)."""
    fields: dict[str, Any] = {
        "household": hh,
        "year": 2019,
        "kind": ReviewKind.PERIODIC,
        "review_date": dt.date(2019, 11, 20),
        "standard_id": "QD59-2015",
        "inputs": {"income": 500_000},
        "persons": 3,
        "classification": "poor",
        "deprived": [],
        "state": ReviewState.APPROVED,
    }
    fields.update(kw)
    return ReviewRecord.objects.create(**fields)


def support(
    hh: Household, kind: str, on: dt.date, state: str = "delivered", value: int = 1
) -> Support:
    return Support.objects.create(
        household=hh,
        support_type=kind,
        item=kind,
        value=value,
        source=Source.CENTRAL,
        on=on,
        state=state,
    )


def loan(hh: Household, contract: str, programme: str, on: dt.date, amount: int) -> Loan:
    return Loan.objects.create(
        household=hh,
        contract_no=contract,
        programme=programme,
        amount=amount,
        disbursed_on=on,
        rate=Decimal("6.6"),
        term_months=36,
        due_on=on.replace(year=on.year + 3),
        outstanding=amount,
        as_of=dt.date(2020, 12, 31),
    )


# --- needs ------------------------------------------------------------------------------------
def test_needs_are_the_poor_and_near_poor_of_the_approved_periodic_review(world: Any) -> None:
    rows = sel.needs(world.users["district"], year=2019)
    assert codes(rows) == POOR_OR_NEAR_2019
    one = next(r for r in rows if r.code == "DA-01")
    hh = world.households["DA-01"]
    assert one.household_id == hh.pk
    assert (one.commune_id, one.village_id) == (world.dak_ang.pk, hh.village_id)
    assert (one.classification, one.standard_id, one.review_year) == ("poor", "QD59-2015", 2019)
    assert one.income == 600_000
    assert one.deprived == frozenset({"water", "sanitation", "telecom"})
    assert one.area == "rural"
    assert one.head_name == "A Thắng"
    # DA-05 was poor in 2018 only: not on the 2019 list, but on the 2018 one.
    assert codes(sel.needs(world.users["district"], year=2018)) == {"DA-05"}
    assert [r.household_id for r in rows] == sorted(r.household_id for r in rows)


def test_needs_are_scoped_to_the_user_and_the_communes_asked(world: Any) -> None:
    assert codes(sel.needs(world.users["da"], year=2019)) == {
        c for c in POOR_OR_NEAR_2019 if c.startswith("DA")
    }
    assert codes(sel.needs(world.users["dd"], year=2019)) == {
        c for c in POOR_OR_NEAR_2019 if c.startswith("DD")
    }
    assert sel.needs(world.users["outsider"], year=2019) == []
    # A commune officer asking for another commune gets nothing from it.
    assert sel.needs(world.users["da"], year=2019, commune_ids=[world.dak_duc.pk]) == []
    only = sel.needs(world.users["district"], year=2019, commune_ids=[world.dak_duc.pk])
    assert codes(only) == {"DD-01", "DD-02", "DD-03", "DD-04"}
    picked = [world.households["DA-01"].pk, world.households["DA-05"].pk]
    assert codes(sel.needs(world.users["district"], year=2019, household_ids=picked)) == {"DA-01"}


@pytest.mark.parametrize(
    "status", [HouseholdStatus.MOVED_AWAY, HouseholdStatus.DISSOLVED, HouseholdStatus.MERGED]
)
def test_households_that_left_are_off_the_lists(world: Any, status: str) -> None:
    h = world.households
    Household.objects.filter(pk__in=[h["DA-01"].pk, h["DA-03"].pk]).update(
        status=status, status_date=dt.date(2020, 5, 1)
    )
    listed = codes(sel.needs(world.users["district"], year=2019))
    assert listed == POOR_OR_NEAR_2019 - {"DA-01", "DA-03"}
    by_id = sel.needs(world.users["district"], year=2019, household_ids=[h["DA-01"].pk])
    assert by_id == []
    # Registered to escape in 2020 before it left: still on the 2019 list (the pipeline counts
    # it as registered); a registration of another year does not keep it.
    EscapeRegistration.objects.create(household=h["DA-01"], commune=world.dak_ang, year=2020)
    EscapeRegistration.objects.create(household=h["DA-03"], commune=world.dak_ang, year=2021)
    listed = codes(sel.needs(world.users["district"], year=2019))
    assert listed == POOR_OR_NEAR_2019 - {"DA-03"}
    assert codes(sel.needs(world.users["dd"], year=2019)) == {"DD-01", "DD-02", "DD-03", "DD-04"}


def test_a_corrected_review_counts_by_its_approved_correction_only(world: Any) -> None:
    hh3, hh4, hh7 = (world.households[c] for c in ("DA-03", "DA-04", "DA-07"))
    first3 = ReviewRecord.objects.get(household=hh3, year=2019)
    review(hh3, revision=1, corrects=first3, inputs={"income": 610_000}, deprived=["water"])
    first4 = ReviewRecord.objects.get(household=hh4, year=2019)
    review(
        hh4, revision=1, corrects=first4, classification="non_poor", inputs={"income": 2_000_000}
    )
    # A draft correction does not replace what was approved.
    first7 = ReviewRecord.objects.get(household=hh7, year=2019)
    review(hh7, revision=1, corrects=first7, classification="non_poor", state=ReviewState.DRAFT)
    # Neither does an approved ad-hoc review of the year.
    review(
        world.households["DA-08"],
        kind=ReviewKind.ADHOC,
        classification="non_poor",
        review_date=dt.date(2019, 12, 20),
    )
    rows = {r.code: r for r in sel.needs(world.users["district"], year=2019)}
    assert (rows["DA-03"].classification, rows["DA-03"].income) == ("poor", 610_000)
    assert "DA-04" not in rows
    assert rows["DA-07"].classification == "poor"
    assert rows["DA-08"].classification == "poor"
    later = {r.household_id: r for r in sel.next_reviews(2019, [hh3.pk, hh4.pk, hh7.pk])}
    assert later[hh4.pk].classification == "non_poor"
    assert later[hh7.pk].classification == "poor"
    assert sel.classes_in(2019, [hh3.pk, hh4.pk]) == {hh3.pk: "poor", hh4.pk: "non_poor"}


@pytest.mark.parametrize(
    ("inputs", "income"),
    [
        ({}, None),
        ({"income": None}, None),
        ({"income": "650.000"}, 650_000),
        ({"income": "700000"}, 700_000),
        ({"income": "chưa hỏi"}, None),
        ({"income": 512_000.0}, 512_000),
        ({"income": True}, None),
        ({"income": -5}, None),
        ({"income_score": 120}, None),
    ],
)
def test_income_is_read_defensively(world: Any, inputs: dict[str, Any], income: int | None) -> None:
    hh = Household.objects.create(commune=world.dak_ang, code="DA-99", head_name="Y Lan")
    review(hh, inputs=inputs, deprived=["water"])
    (row,) = sel.needs(world.users["da"], year=2019, household_ids=[hh.pk])
    assert row.income == income
    assert row.village_id is None
    (later,) = sel.next_reviews(2019, [hh.pk])
    assert later.income == income


def test_area_comes_from_the_household(world: Any) -> None:
    hh = Household.objects.create(
        commune=world.dak_ang, code="DA-98", head_name="A Tú", area="urban"
    )
    review(hh)
    (row,) = sel.needs(world.users["da"], year=2019, household_ids=[hh.pk])
    assert row.area == "urban"


# --- received -----------------------------------------------------------------------------------
def test_received_counts_delivered_and_settled_supports_loans_and_housing(world: Any) -> None:
    h1, h2, dd1 = world.households["DA-01"], world.households["DA-02"], world.households["DD-01"]
    support(h1, "clean_water", dt.date(2020, 3, 1), value=4_000_000)
    support(h1, "latrine", dt.date(2020, 4, 1), SupportState.SETTLED)
    support(h1, "breeding_cattle", dt.date(2020, 5, 1), SupportState.PLANNED)
    support(h1, "seedlings", dt.date(2020, 5, 1), SupportState.APPROVED)
    support(h1, "fertiliser", dt.date(2020, 5, 1), SupportState.CANCELLED)
    support(h1, "farm_tools", dt.date(2019, 12, 31))
    support(dd1, "clean_water", dt.date(2020, 6, 1))
    loan(h2, "KU-1", "poor", dt.date(2020, 2, 10), 50_000_000)
    loan(h2, "KU-0", "poor", dt.date(2019, 2, 10), 30_000_000)
    Housing.objects.create(
        household=h2, basis="qd33_2015", kind="new", year=2020, grant_amount=25_000_000,
        status="handed_over", finished_on=dt.date(2020, 9, 1), handed_over_on=dt.date(2020, 9, 5),
    )  # fmt: skip
    Housing.objects.create(
        household=h1, basis="qd33_2015", kind="repair", year=2020, grant_amount=10_000_000,
        status="started", started_on=dt.date(2020, 9, 1),
    )  # fmt: skip
    got = sel.received(year=2020, commune_ids=[world.dak_ang.pk])
    seen = sorted((r.household_id, r.support_type, r.on, r.value) for r in got)
    assert seen == sorted(
        [
            (h1.pk, "clean_water", dt.date(2020, 3, 1), 4_000_000),
            (h1.pk, "latrine", dt.date(2020, 4, 1), 1),
            (h2.pk, "loan_poor", dt.date(2020, 2, 10), 50_000_000),
            (h2.pk, "housing_new", dt.date(2020, 9, 1), 25_000_000),
        ]
    )
    by_id = sel.received(year=2020, household_ids=[dd1.pk, h2.pk])
    assert {(r.household_id, r.support_type) for r in by_id} == {
        (dd1.pk, "clean_water"),
        (h2.pk, "loan_poor"),
        (h2.pk, "housing_new"),
    }
    assert sel.received(year=2021, commune_ids=[world.dak_ang.pk]) == []


def test_the_chain_into_the_core_finds_the_unaddressed_needs(world: Any) -> None:
    h1 = world.households["DA-01"]
    support(h1, "clean_water", dt.date(2020, 3, 1))
    loan(h1, "KU-9", "poor", dt.date(2020, 2, 1), 20_000_000)
    need_list = sel.needs(world.users["da"], year=2019)
    got = sel.received(year=2020, commune_ids=[world.dak_ang.pk])
    stds = {n.standard_id for n in need_list}
    result = {g.need.code: g for g in gaps(need_list, got, sel.addressing(stds), year=2020)}
    one = result["DA-01"]
    assert one.addressed == frozenset({"water", INCOME})
    assert one.unaddressed == frozenset({"sanitation", "telecom"})
    assert one.supports_addressing("water") == ("clean_water",)
    assert result["DA-02"].addressed == frozenset()


def test_addressing_comes_from_the_catalog(world: Any) -> None:
    found = sel.addressing(["QD59-2015", "local-somewhere"])
    assert found["QD59-2015"]["clean_water"] == frozenset({"water"})
    assert INCOME in found["QD59-2015"]["loan_poor"]
    assert found["local-somewhere"] == {}


# --- later reviews, registrations, targets --------------------------------------------------------
def test_next_reviews_keep_the_households_asked(world: Any) -> None:
    from support_world import add_review

    h1, h2, dd1 = world.households["DA-01"], world.households["DA-02"], world.households["DD-01"]
    both = [world.dak_ang.pk, world.dak_duc.pk]
    assert sel.communes_reviewed(both, 2020) == set()
    assert sel.communes_reviewed(both, 2019) == set(both)
    add_review(h1, 2020, "near_poor", 900_000, ("sanitation",))
    assert sel.communes_reviewed(both, 2020) == {world.dak_ang.pk}
    add_review(h2, 2020, "poor", 600_000, ("housing_quality",))
    add_review(dd1, 2020, "non_poor", 2_000_000)
    found = sel.next_reviews(2020, [h1.pk, dd1.pk])
    assert [(r.household_id, r.classification, r.year) for r in found] == [
        (h1.pk, "near_poor", 2020),
        (dd1.pk, "non_poor", 2020),
    ]
    assert found[0].deprived == frozenset({"sanitation"})
    assert sel.next_reviews(2020, []) == []
    assert sel.communes_reviewed([world.dak_ang.pk, world.dak_duc.pk], 2021) == set()


def test_registrations_and_the_plans_targets(world: Any) -> None:
    plan = load_demo_plan()
    h1 = world.households["DA-01"]
    EscapeRegistration.objects.create(household=h1, commune=world.dak_ang, year=2020)
    regs = sel.registrations(year=2020, commune_ids=[world.dak_ang.pk, world.dak_duc.pk])
    assert [(r.household_id, r.commune_id, r.year) for r in regs] == [
        (h1.pk, world.dak_ang.pk, 2020)
    ]
    assert sel.registrations(year=2021, commune_ids=[world.dak_ang.pk]) == []
    (row,) = sel.registered_rows(year=2020, commune_id=world.dak_ang.pk)
    assert (row.code, row.head_name) == ("DA-01", "A Thắng")
    target = PlanRow.objects.get(plan=plan, unit=world.dak_ang).reduction
    assert target is not None
    assert sel.plan_targets(year=2020, commune_ids=[world.dak_ang.pk]) == {world.dak_ang.pk: target}
    assert sel.plan_targets(year=2021, commune_ids=[world.dak_ang.pk]) == {}


def test_received_dates_a_support_by_its_delivery_both_ways(world: Any) -> None:
    """Planned in December, delivered in January: received in the new year, dated by the
    delivery, whether asked by commune (the ledger's read) or by household."""
    h1 = world.households["DA-01"]
    late = Support(
        household=h1, support_type="clean_water", item="Bể nước", value=3_000_000,
        source="central", on=dt.date(2020, 12, 20), state=SupportState.DELIVERED,
        delivered_on=dt.date(2021, 1, 15),
    )  # fmt: skip
    late.save()
    for got in (
        sel.received(year=2021, commune_ids=[world.dak_ang.pk]),
        sel.received(year=2021, household_ids=[h1.pk]),
    ):
        assert [(r.support_type, r.on) for r in got] == [("clean_water", dt.date(2021, 1, 15))]
    assert sel.received(year=2020, household_ids=[h1.pk]) == []
    assert sel.received(year=2020, commune_ids=[world.dak_ang.pk]) == []
