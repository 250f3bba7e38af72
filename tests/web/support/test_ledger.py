"""The support ledger and revolving capital (``support.services.ledger``): planning for a
beneficiary, approval against the project's remaining funds by source (two sources
independent, the approval that would overspend refused and naming the source and amounts),
the allowed transitions only, the "other supports" without a project, the recovery schedule
of a revolving model, collections and overdue, re-lending within the recovered capital, who
may do what, refusals that change nothing, audit rows; the reads the household page and the
long lists use."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from support_world import add_review
from test_projects import SPRING, make_project

from giamngheo.registry.models import AuditEvent, Household, HouseholdStatus
from giamngheo.support.models import (
    Collection,
    Housing,
    Project,
    ProjectStatus,
    Recovery,
    Support,
    SupportState,
)
from giamngheo.support.selectors.projects import (
    capital_rows,
    committed_by_source,
    household_recoveries,
    household_supports,
    pool,
    supports_received,
)
from giamngheo.support.services import ledger
from giamngheo.support.services.housing import housing_add
from giamngheo.support.services.projects import beneficiary_add, project_set_status

pytestmark = pytest.mark.django_db

COW = 12_000_000


def cow(world: Any, project: Project, code: str = "DA-01", **changes: Any) -> Support:
    """A planned breeding cow for a beneficiary (added first when it is not one yet)."""
    household = world.households[code]
    if not project.beneficiaries.filter(household=household).exists():
        beneficiary_add(world.users["district"], project, household, SPRING)
    args: dict[str, Any] = {
        "project": project,
        "support_type": "breeding_cattle",
        "item": "Bò cái sinh sản",
        "quantity": 1,
        "unit_label": "con",
        "value": COW,
        "source": "central",
        "on": SPRING,
    } | changes
    return ledger.support_plan(world.users["district"], household, **args)


def revolving(world: Any, **changes: Any) -> Project:
    """Half of each cow's value recovered in 3 yearly instalments after 6 months' grace."""
    terms = {
        "revolving": True,
        "recovery_share": 50,
        "recovery_instalments": 3,
        "recovery_every_months": 12,
        "recovery_grace_months": 6,
        "support_types": ["breeding_cattle"],
    }
    return make_project(world, budgets={"central": 100_000_000}, **(terms | changes))


def delivered(world: Any, project: Project, code: str, value: int = COW) -> Support:
    support = cow(world, project, code, value=value)
    ledger.support_approve(world.users["district"], support)
    return ledger.support_deliver(world.users["district"], support, dt.date(2020, 4, 1))


# --- planning --------------------------------------------------------------------------------
def test_planning_needs_a_beneficiary_and_a_type_of_the_project(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    household = world.households["DA-01"]
    args: dict[str, Any] = {
        "project": project,
        "support_type": "breeding_cattle",
        "item": "Bò",
        "value": COW,
        "source": "central",
        "on": SPRING,
    }
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_plan(world.users["district"], household, **args)
    assert exc.value.code == "not_beneficiary"
    beneficiary_add(world.users["district"], project, household, SPRING)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_plan(
            world.users["district"], household, **(args | {"support_type": "seedlings"})
        )
    assert exc.value.code == "type_not_in_project"
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_plan(world.users["district"], household, **(args | {"value": -1}))
    assert exc.value.code == "bad_value"
    support = ledger.support_plan(world.users["da"], household, **args)  # the commune records
    assert (support.state, support.year, support.unit_label) == ("planned", 2020, "con")
    event = AuditEvent.objects.get(action="support_plan")
    assert event.changes["value"] == COW and event.changes["project"] == project.pk


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("district", True),
        ("agri", True),
        ("da", True),  # officer of the household's commune, covered by the project
        ("dd", False),  # another commune
        ("leader", False),
        ("finance", False),
        ("outsider", False),
    ],
)
def test_who_may_plan_a_support(
    world: Any, unchanged: Callable[..., Any], user: str, allowed: bool
) -> None:
    project = make_project(world)
    household = world.households["DA-01"]
    beneficiary_add(world.users["district"], project, household, SPRING)
    args: dict[str, Any] = {
        "project": project,
        "support_type": "breeding_cattle",
        "item": "Bò",
        "value": COW,
        "source": "central",
        "on": SPRING,
    }
    if allowed:
        assert ledger.support_plan(world.users[user], household, **args).pk
        return
    with unchanged(Support), pytest.raises(PermissionDenied):
        ledger.support_plan(world.users[user], household, **args)


# --- approval against the funds --------------------------------------------------------------
def test_approval_refuses_what_would_overspend_a_source(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world, budgets={"central": 20_000_000, "local": 12_000_000})
    first, second = cow(world, project, "DA-01"), cow(world, project, "DA-02")
    third = cow(world, project, "DA-03", source="local")
    boss = world.users["district"]
    ledger.support_approve(boss, first)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, second)
    assert exc.value.code == "insufficient_funds"
    message = exc.value.messages[0]
    assert "Ngân sách trung ương" in message and "Central budget" in message
    assert "8.000.000 đ" in message and "12.000.000 đ" in message  # remaining, asked
    # The local source is independent of the central one.
    ledger.support_approve(boss, third)
    assert committed_by_source(project) == {"central": COW, "local": COW}
    credit = cow(world, project, "DA-04", source="credit", value=1)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, credit)
    assert exc.value.code == "no_budget_for_source"
    # Cancelling the first frees its funds for the second.
    ledger.support_cancel(boss, first, "declined")
    ledger.support_approve(boss, second)
    assert Support.objects.get(pk=second.pk).state == SupportState.APPROVED


def test_only_managers_approve_and_only_a_running_project(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    support = cow(world, project)
    for user in ("da", "dd", "leader", "finance", "outsider"):
        with unchanged(Support), pytest.raises(PermissionDenied):
            ledger.support_approve(world.users[user], support)
    ledger.support_approve(world.users["agri"], support)  # the lead organisation
    approved = Support.objects.get(pk=support.pk)
    assert approved.approved_by == world.users["agri"] and approved.approved_at is not None
    draft = make_project(world, status="draft", budgets={"central": 50_000_000})
    waiting = cow(world, draft)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(world.users["district"], waiting)
    assert exc.value.code == "project_not_running"


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_cannot_overspend(world: Any) -> None:
    """Two officers approve at the same moment: the project's row lock makes the second see the
    first (PostgreSQL; SQLite writes one transaction at a time anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    project = make_project(world, budgets={"central": 20_000_000})
    supports = [cow(world, project, "DA-01"), cow(world, project, "DA-02")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(support: Support) -> None:
        try:
            barrier.wait()
            ledger.support_approve(world.users["district"], support)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped

    threads = [threading.Thread(target=approve, args=(s,)) for s in supports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "insufficient_funds"]
    assert committed_by_source(project) == {"central": COW}


# --- transitions -----------------------------------------------------------------------------
def test_only_the_allowed_transitions(world: Any, unchanged: Callable[..., Any]) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    boss = world.users["district"]
    support = cow(world, project)
    for step in (
        lambda: ledger.support_deliver(boss, support, SPRING),
        lambda: ledger.support_settle(boss, support, SPRING),
    ):
        with unchanged(Support), pytest.raises(ValidationError) as exc:
            step()
        assert exc.value.code == "bad_transition"
    ledger.support_approve(boss, support)
    ledger.support_deliver(boss, support, dt.date(2020, 4, 1))
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_cancel(boss, support, "error")  # delivered: on the books
    assert exc.value.code == "bad_transition"
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_settle(boss, support, dt.date(2020, 3, 1))
    assert exc.value.code == "dates_order"
    ledger.support_settle(boss, support, dt.date(2020, 12, 20))
    done = Support.objects.get(pk=support.pk)
    assert (done.state, done.delivered_on, done.settled_on) == (
        "settled",
        dt.date(2020, 4, 1),
        dt.date(2020, 12, 20),
    )
    kinds = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert kinds[-3:] == [
        "support_approve",
        "support_deliver",
        "support_settle",
    ]


def test_reject_and_cancel_with_a_reason_code(world: Any, unchanged: Callable[..., Any]) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    boss = world.users["district"]
    support = cow(world, project)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_reject(boss, support, "other", "  ")
    assert exc.value.code == "reason_note_required"
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_reject(boss, support, "because")
    assert exc.value.code == "bad_reason"
    with unchanged(Support), pytest.raises(PermissionDenied):
        ledger.support_reject(world.users["da"], support, "duplicate")  # not an approver
    ledger.support_reject(boss, support, "duplicate")
    rejected = Support.objects.get(pk=support.pk)
    assert (rejected.state, rejected.reason_code) == ("rejected", "duplicate")
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, rejected)
    assert exc.value.code == "bad_transition"
    planned = cow(world, project, "DA-02")
    ledger.support_cancel(world.users["da"], planned, "other", "Hộ chuyển vào Nam")  # recorder
    event = AuditEvent.objects.filter(action="support_cancel").get()
    assert event.changes["note"] == "Hộ chuyển vào Nam"


# --- other supports, without a project -------------------------------------------------------
def test_other_supports_are_recorded_by_the_commune(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    household = world.households["DA-02"]
    card: dict[str, Any] = {
        "support_type": "health_insurance_card",
        "item": "Thẻ BHYT 2020",
        "quantity": 4,
        "value": 2_800_000,
        "source": "central",
        "on": dt.date(2020, 1, 10),
    }
    for user in ("dd", "leader", "agri", "outsider"):
        with unchanged(Support), pytest.raises(PermissionDenied):
            ledger.support_plan(world.users[user], household, **card)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_plan(
            world.users["da"], household, **(card | {"support_type": "breeding_cattle"})
        )
    assert exc.value.code == "needs_project"
    support = ledger.support_report(world.users["da"], household, **card)
    assert (support.state, support.delivered_on, support.unit_label) == (
        "delivered",
        dt.date(2020, 1, 10),
        "thẻ",
    )
    assert support.project is None and not Recovery.objects.exists()
    steps = AuditEvent.objects.filter(
        object_id=str(support.pk), object_type="support.Support"
    ).exclude(action="support_collection_record")
    assert sorted(steps.values_list("action", flat=True)) == [
        "support_approve",
        "support_deliver",
        "support_plan",
    ]


# --- revolving capital -----------------------------------------------------------------------
def test_delivery_of_a_revolving_model_starts_the_schedule(world: Any) -> None:
    project = revolving(world)
    support = delivered(world, project, "DA-01", value=10_000_001)
    recovery = Recovery.objects.get(support=support)
    # Half of 10.000.001 đ, rounded down to the đồng; 3 instalments, the odd đồng first.
    assert recovery.amount == 5_000_000
    assert recovery.schedule == [
        {"due": "2021-10-01", "amount": 1_666_667},
        {"due": "2022-10-01", "amount": 1_666_667},
        {"due": "2023-10-01", "amount": 1_666_666},
    ]
    event = AuditEvent.objects.get(action="support_deliver")
    assert event.changes["recovery"] == 5_000_000
    plain = make_project(world, budgets={"central": 50_000_000})
    assert not Recovery.objects.filter(support=delivered(world, plain, "DA-02")).exists()


def test_collections_overdue_and_over_collection(world: Any, unchanged: Callable[..., Any]) -> None:
    project = revolving(world)
    first = delivered(world, project, "DA-01")  # 6.000.000 to recover: 3 × 2.000.000
    delivered(world, project, "DA-02")
    recovery = first.recovery
    da_officer = world.users["da"]
    ledger.collection_record(da_officer, recovery, dt.date(2021, 3, 20), 2_000_000)
    ledger.collection_record(da_officer, recovery, dt.date(2022, 5, 2), 1_000_000)
    with unchanged(Collection), pytest.raises(ValidationError) as exc:
        ledger.collection_record(da_officer, recovery, dt.date(2022, 6, 1), 3_000_001)
    assert exc.value.code == "over_collection"
    for user in ("dd", "leader", "outsider"):
        with unchanged(Collection), pytest.raises(PermissionDenied):
            ledger.collection_record(world.users[user], recovery, dt.date(2022, 6, 1), 1)
    rows = {r.household.code: r for r in capital_rows(da_officer, project, dt.date(2022, 12, 1))}
    one, two = rows["DA-01"], rows["DA-02"]
    assert (one.due, one.collected, one.overdue, one.overdue_since) == (
        4_000_000,
        3_000_000,
        1_000_000,
        dt.date(2022, 10, 1),
    )
    assert (one.next_due, one.next_amount) == (dt.date(2023, 10, 1), 2_000_000)
    assert (two.collected, two.overdue, two.days_overdue) == (0, 4_000_000, 426)
    # Đắk Dục's officer sees none of Đắk Ang's households' capital.
    assert capital_rows(world.users["dd"], project, dt.date(2022, 6, 1)) == []
    event = AuditEvent.objects.filter(action="support_collection_record").order_by("pk").last()
    assert event is not None and event.changes["amount"] == 1_000_000


def test_relending_stays_within_the_recovered_capital(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = revolving(world)
    support = delivered(world, project, "DA-01")
    da_officer, boss = world.users["da"], world.users["district"]
    beneficiary_add(world.users["district"], project, world.households["DA-03"], SPRING)
    beneficiary_add(world.users["district"], project, world.households["DA-04"], SPRING)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.relend(boss, project, world.households["DA-03"], 1, dt.date(2021, 5, 1))
    assert exc.value.code == "relend_over_recovered"  # nothing collected yet
    ledger.collection_record(da_officer, support.recovery, dt.date(2021, 4, 1), 2_000_000)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.relend(boss, project, world.households["DA-03"], 2_500_000, dt.date(2021, 5, 1))
    assert exc.value.code == "relend_over_recovered"
    assert "2.000.000 đ" in exc.value.messages[0]
    loan = ledger.relend(boss, project, world.households["DA-03"], 1_500_000, dt.date(2021, 5, 1))
    assert loan.relent_from == support.recovery and loan.support_type == "breeding_cattle"
    assert loan.source == "central" and loan.state == SupportState.PLANNED
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.relend(boss, project, world.households["DA-04"], 600_000, dt.date(2021, 5, 2))
    assert exc.value.code == "relend_over_recovered"
    # Only the project's managers re-lend: a commune officer records collections, but the pool
    # is the whole project's (other communes' capital included).
    for user in ("da", "dd", "leader"):
        with unchanged(Support), pytest.raises(PermissionDenied):
            ledger.relend(world.users[user], project, world.households["DA-04"], 1, SPRING)
    # A re-loan is not charged to the budget, and approves without the funds check.
    ledger.support_approve(world.users["district"], loan)
    assert committed_by_source(project) == {"central": COW}
    there = pool(project)
    assert (there.collected, there.relent, there.available) == (2_000_000, 1_500_000, 500_000)
    assert (
        AuditEvent.objects.get(action="support_relend").changes["relent_from"]
        == support.recovery.pk
    )
    assert ledger.relend(world.users["agri"], project, world.households["DA-04"], 1, SPRING).pk


def test_relend_only_in_a_revolving_project(world: Any, unchanged: Callable[..., Any]) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    beneficiary_add(world.users["district"], project, world.households["DA-01"], SPRING)
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.relend(world.users["district"], project, world.households["DA-01"], 1, SPRING)
    assert exc.value.code == "not_revolving"


# --- reads for other pages -------------------------------------------------------------------
def test_a_households_supports_and_capital_as_others_see_them(world: Any) -> None:
    project = revolving(world)
    support = delivered(world, project, "DA-01")
    household = world.households["DA-01"]
    card = ledger.support_report(
        world.users["da"],
        household,
        support_type="tuition_exemption",
        value=300_000,
        source="local",
        on=dt.date(2020, 9, 5),
    )
    assert household_supports(world.users["da"], household) == [card, support]
    assert household_supports(world.users["agri"], household) == [card, support]  # district
    assert household_supports(world.users["dd"], household) == []
    assert household_supports(world.users["outsider"], household) == []
    rows = household_recoveries(world.users["da"], household, dt.date(2021, 12, 1))
    assert [(r.amount, r.due, r.overdue) for r in rows] == [(6_000_000, 2_000_000, 2_000_000)]
    assert household_recoveries(world.users["dd"], household) == []


def test_supports_received_are_plain_tuples_of_delivered_and_settled(world: Any) -> None:
    project = make_project(world, budgets={"central": 50_000_000})
    got = delivered(world, project, "DA-01")
    cow(world, project, "DA-02")  # planned: not received
    approved = cow(world, project, "DD-01")
    ledger.support_approve(world.users["district"], approved)  # approved: not yet received
    rows = list(supports_received(2020, [world.dak_ang.pk, world.dak_duc.pk]))
    assert rows == [(got.household_id, "breeding_cattle", dt.date(2020, 4, 1), COW)]
    assert list(supports_received(2020, [world.dak_duc.pk])) == []
    assert list(supports_received(2021, [world.dak_ang.pk])) == []


# --- the rule, the period and the housing register at the date of support -------------------
def test_eligibility_is_checked_again_on_the_date_of_support(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(
        world, budgets={"central": 50_000_000}, eligibility_rule="poor_near_poor"
    )
    boss, household = world.users["district"], world.households["DA-01"]  # poor in 2019
    summer = dt.date(2020, 7, 1)
    planned = cow(world, project, "DA-01", on=summer)  # still poor when it was planned
    add_review(household, 2020, "non_poor", 2_500_000, review_date=dt.date(2020, 6, 1))
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        cow(world, project, "DA-01", on=summer)
    assert exc.value.code == "ineligible" and "01/07/2020" in exc.value.messages[0]
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, planned)
    assert exc.value.code == "ineligible"
    # On a day it was still poor it may be supported.
    ledger.support_approve(boss, cow(world, project, "DA-01"))
    moved = cow(world, project, "DA-02")
    Household.objects.filter(pk=moved.household_id).update(
        status=HouseholdStatus.MOVED_AWAY, status_date=dt.date(2020, 4, 1)
    )
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, moved)
    assert exc.value.code == "household_inactive"


def test_a_recorded_justification_stands_in_for_the_rule(world: Any) -> None:
    project = make_project(world, budgets={"central": 50_000_000})  # allows a justification
    boss = world.users["district"]
    beneficiary_add(boss, project, world.households["DA-06"], SPRING, "Mất mùa do lũ")  # not poor
    support = cow(world, project, "DA-06")
    ledger.support_approve(boss, support)
    events = AuditEvent.objects.filter(object_id=str(support.pk), object_type="support.Support")
    assert {e.action: e.changes.get("justified") for e in events} == {
        "support_plan": "Mất mùa do lũ",
        "support_approve": "Mất mùa do lũ",
    }
    eligible = cow(world, project, "DA-01")
    event = AuditEvent.objects.get(action="support_plan", object_id=str(eligible.pk))
    assert "justified" not in event.changes


def test_a_support_outside_the_project_period_is_refused(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world, budgets={"central": 50_000_000})  # 01/02/2020 – 31/12/2020
    boss = world.users["district"]
    beneficiary_add(boss, project, world.households["DA-01"], SPRING)
    for day in (dt.date(2020, 1, 31), dt.date(2021, 1, 1)):
        with unchanged(Support), pytest.raises(ValidationError) as exc:
            cow(world, project, on=day)
        assert exc.value.code == "outside_period"
        assert " / " in exc.value.messages[0]
    last_day = cow(world, project, on=dt.date(2020, 12, 31))
    Project.objects.filter(pk=project.pk).update(end=dt.date(2020, 11, 30))
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_approve(boss, last_day)
    assert exc.value.code == "outside_period"
    endless = make_project(world, budgets={"central": 50_000_000}, start=None, end=None)
    assert cow(world, endless, on=dt.date(2021, 6, 1)).pk


def test_housing_goes_through_the_housing_register(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    household, officer, boss = world.households["DA-08"], world.users["da"], world.users["district"]
    for write in (ledger.support_report, ledger.support_plan):
        with unchanged(Support), pytest.raises(ValidationError) as exc:
            write(
                officer, household, support_type="housing_new", item="Nhà", value=1,
                source="central", on=SPRING,
            )  # fmt: skip
        assert exc.value.code == "housing_register"
        assert "sổ hỗ trợ nhà ở" in exc.value.messages[0]
        assert "housing register" in exc.value.messages[0]
    house = housing_add(officer, household, "qd33_2015", "new", 2020, 0, 25_000_000, SPRING)
    line = house.support
    assert line is not None and line.state == SupportState.PLANNED
    steps: list[tuple[str, Callable[[], object]]] = [
        (SupportState.PLANNED, lambda: ledger.support_approve(boss, line)),
        (SupportState.PLANNED, lambda: ledger.support_reject(boss, line, "duplicate")),
        (SupportState.PLANNED, lambda: ledger.support_cancel(boss, line, "error")),
        (SupportState.APPROVED, lambda: ledger.support_deliver(boss, line, dt.date(2020, 9, 1))),
        (SupportState.DELIVERED, lambda: ledger.support_settle(boss, line, dt.date(2020, 9, 1))),
    ]
    for state, step in steps:
        Support.objects.filter(pk=line.pk).update(state=state, delivered_on=SPRING)
        with unchanged(Support, Housing), pytest.raises(ValidationError) as exc:
            step()
        assert exc.value.code == "housing_register"


def test_delivery_on_or_after_the_support_date_in_an_open_project(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = revolving(world)
    boss = world.users["district"]
    support = cow(world, project, on=dt.date(2020, 3, 10))
    ledger.support_approve(boss, support)
    with unchanged(Support, Recovery), pytest.raises(ValidationError) as exc:
        ledger.support_deliver(boss, support, dt.date(2020, 3, 9))
    assert exc.value.code == "delivered_before_planned"
    project_set_status(boss, project, ProjectStatus.FINISHED)
    with unchanged(Support, Recovery), pytest.raises(ValidationError) as exc:
        ledger.support_deliver(boss, support, dt.date(2020, 3, 10))
    assert exc.value.code == "project_closed"
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.RUNNING)
    ledger.support_deliver(boss, support, dt.date(2020, 3, 10))  # the same day is fine
    with unchanged(Support), pytest.raises(ValidationError) as exc:
        ledger.support_settle(boss, support, dt.date(2020, 3, 9))
    assert exc.value.code == "dates_order"


def test_a_support_counts_in_the_year_it_was_delivered(world: Any) -> None:
    project = make_project(world, budgets={"central": 50_000_000}, end=dt.date(2021, 6, 30))
    boss = world.users["district"]
    support = cow(world, project, on=dt.date(2020, 12, 20))
    assert support.year == 2020
    ledger.support_approve(boss, support)
    ledger.support_deliver(boss, support, dt.date(2021, 1, 15))
    assert Support.objects.get(pk=support.pk).year == 2021
    communes = [world.dak_ang.pk]
    assert list(supports_received(2021, communes)) == [
        (support.household_id, "breeding_cattle", dt.date(2021, 1, 15), COW)
    ]
    assert list(supports_received(2020, communes)) == []
