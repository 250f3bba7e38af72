"""Housing support: eligibility by the basis's rule, the basis's limits, once per household
and basis, the construction steps in order, the ledger line, the eligible list in the rule's
order of priority, and who may record it (refusals change nothing)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from support_world import add_review

from giamngheo.core.support.housing import (
    HousingDataError,
    bases_from_dict,
    check_amounts,
    housing_basis,
    load_housing_bases,
    next_steps,
)
from giamngheo.registry.models import AuditEvent, EntryReason, Household, HouseholdStatus
from giamngheo.support.models import Housing, Support, SupportState
from giamngheo.support.selectors.facts import household_facts, households_facts
from giamngheo.support.services import housing as housing_service
from giamngheo.support.services.housing import housing_add, housing_eligible, housing_step

pytestmark = pytest.mark.django_db
World = Any  # the `world` fixture of conftest.py

ON = dt.date(2020, 3, 2)


def add(world: World, code: str, who: str = "da", **kw: Any) -> Housing:
    args: dict[str, Any] = {
        "basis": "qd33_2015", "kind": "new", "year": 2020, "grant_amount": 0,
        "loan_amount": 25_000_000, "on": ON,
    }  # fmt: skip
    args.update(kw)
    return housing_add(world.users[who], world.households[code], **args)


def independent(hh: Household, since: dt.date = dt.date(2015, 6, 1), **flags: bool) -> None:
    hh.entry_reason, hh.entry_date = EntryReason.SPLIT_OFF, since
    for k, v in flags.items():
        setattr(hh, k, v)
    hh.save()


# --- the data -----------------------------------------------------------------------------------
def test_the_bases_are_data_with_their_limits() -> None:
    bases = load_housing_bases()
    assert set(bases) == {"qd33_2015", "p5_2022"}
    assert bases["qd33_2015"].loan_limit_vnd == 25_000_000
    assert bases["qd33_2015"].rule == "housing_qd33_2015"
    assert bases["p5_2022"].grant_limit_vnd == 40_000_000
    assert bases["p5_2022"].rule == "housing_p5_2022"
    assert bases["p5_2022"].grant_source == "central"
    assert bases["qd33_2015"].legal_basis.instrument == "QĐ 33/2015/QĐ-TTg"
    with pytest.raises(HousingDataError, match="grant_source"):
        bases_from_dict({"schema": 1, "bases": [{
            "code": "x", "rule": "r", "name_vi": "x", "name_en": "x",
            "legal_basis": {"instrument": "QĐ"}, "grant_source": "bank"}]})  # fmt: skip


def test_amounts_against_the_limits() -> None:
    qd33, p5 = housing_basis("qd33_2015"), housing_basis("p5_2022")
    assert check_amounts(qd33, 0, 25_000_000) == []
    assert [p.code for p in check_amounts(qd33, 0, 25_000_001)] == ["loan_over_limit"]
    assert [p.code for p in check_amounts(p5, 40_000_001, 0)] == ["grant_over_limit"]
    assert [p.code for p in check_amounts(p5, 0, 0)] == ["no_amount"]
    assert [p.code for p in check_amounts(p5, -1, 0)] == ["negative"]
    assert "40.000.000 đ" in check_amounts(p5, 40_000_001, 0)[0].message_vi


def test_the_steps() -> None:
    assert next_steps("planned") == ("started", "cancelled")
    assert next_steps("started") == ("finished", "cancelled")
    assert next_steps("finished") == ("handed_over",)
    assert next_steps("handed_over") == ()
    assert next_steps("cancelled") == ()


# --- recording a house --------------------------------------------------------------------------
def test_an_eligible_household_gets_its_house_and_ledger_line(world: World) -> None:
    before = AuditEvent.objects.count()
    h = add(world, "DA-08")
    assert (h.status, h.basis, h.kind, h.year) == ("planned", "qd33_2015", "new", 2020)
    assert (h.grant_amount, h.loan_amount) == (0, 25_000_000)
    assert h.eligibility["rule"] == "housing_qd33_2015"
    assert h.eligibility["review"]["year"] == 2019
    s = h.support
    assert s is not None
    assert (s.household_id, s.support_type, s.value, s.source, s.state, s.year, s.project_id) == (
        world.households["DA-08"].pk,
        "housing_new",
        0,
        "local",
        SupportState.PLANNED,
        2020,
        None,
    )
    assert "QĐ 33/2015" in s.item
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and event.action == "support_housing_add"
    assert event.object_id == str(h.pk) and event.changes["loan_amount"] == 25_000_000


def test_project_5_grant_is_central_money(world: World) -> None:
    independent(world.households["DA-02"])
    h = add(world, "DA-02", basis="p5_2022", kind="repair", grant_amount=40_000_000,
            loan_amount=0)  # fmt: skip
    assert h.support is not None
    assert (h.support.support_type, h.support.value, h.support.source) == (
        "housing_repair",
        40_000_000,
        "central",
    )


@pytest.mark.parametrize(
    ("code", "kw", "error"),
    [
        ("DA-01", {}, "ineligible"),  # poor, but not deprived on housing quality
        ("DA-06", {}, "ineligible"),  # not poor
        ("DA-03", {"basis": "p5_2022", "grant_amount": 1}, "ineligible"),  # not deprived
        ("DA-08", {"loan_amount": 25_000_001}, "loan_over_limit"),
        ("DA-08", {"basis": "p5_2022", "grant_amount": 40_000_001}, "grant_over_limit"),
        ("DA-08", {"loan_amount": 0}, "no_amount"),
        ("DA-08", {"kind": "palace"}, "bad_kind"),
        ("DA-08", {"basis": "nd28_2022"}, "unknown_basis"),
        ("DA-08", {"year": 2021}, "year_mismatch"),
    ],
)
def test_refusals_change_nothing(
    world: World, unchanged: Callable[..., Any], code: str, kw: dict[str, Any], error: str
) -> None:
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        add(world, code, **kw)
    assert exc.value.code == error


def test_the_refusal_says_why(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        add(world, "DA-01")
    text = "; ".join(exc.value.messages)
    assert "chất lượng nhà ở" in text and "housing quality" in text


def test_project_5_needs_three_independent_years(
    world: World, unchanged: Callable[..., Any]
) -> None:
    hh = world.households["DA-08"]
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        add(world, "DA-08", basis="p5_2022", grant_amount=40_000_000, loan_amount=0)
    assert exc.value.code == "ineligible"
    independent(hh, since=dt.date(2018, 6, 1))
    with pytest.raises(ValidationError):
        add(world, "DA-08", basis="p5_2022", grant_amount=40_000_000, loan_amount=0)
    independent(hh, since=dt.date(2017, 3, 1))
    assert add(world, "DA-08", basis="p5_2022", grant_amount=40_000_000, loan_amount=0).pk


def test_once_per_household_and_basis(world: World, unchanged: Callable[..., Any]) -> None:
    first = add(world, "DA-08")
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        add(world, "DA-08")
    assert exc.value.code == "already"
    housing_step(world.users["da"], first, "cancelled", dt.date(2020, 3, 10), "hộ chuyển đi")
    again = add(world, "DA-08")
    assert again.pk != first.pk and Housing.objects.filter(household=first.household).count() == 2


def test_a_house_started_under_one_basis_bars_the_other(
    world: World, unchanged: Callable[..., Any]
) -> None:
    independent(world.households["DA-08"])
    h = add(world, "DA-08")
    housing_step(world.users["da"], h, "started", dt.date(2020, 4, 1))
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        add(world, "DA-08", basis="p5_2022", grant_amount=10_000_000, loan_amount=0,
            on=dt.date(2020, 5, 1))  # fmt: skip
    assert exc.value.code == "ineligible"
    assert "đã được hỗ trợ" in exc.value.messages[0]


# --- the steps ----------------------------------------------------------------------------------
def test_steps_in_order_with_dates_in_order(world: World, unchanged: Callable[..., Any]) -> None:
    h = add(world, "DA-08")
    actor = world.users["da"]
    for status, day, code in (
        ("finished", dt.date(2020, 4, 1), "bad_step"),  # not started yet
        ("handed_over", dt.date(2020, 4, 1), "bad_step"),
        ("started", dt.date(2020, 3, 1), "date_order"),  # before the support's day
    ):
        with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
            housing_step(actor, h, status, day)
        assert exc.value.code == code
    h = housing_step(actor, h, "started", dt.date(2020, 4, 1))
    assert h.support is not None and h.support.state == SupportState.APPROVED
    assert h.support.approved_by == actor
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        housing_step(actor, h, "finished", dt.date(2020, 3, 31))
    assert exc.value.code == "date_order"
    h = housing_step(actor, h, "finished", dt.date(2020, 7, 15))
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        housing_step(actor, h, "cancelled", dt.date(2020, 7, 20), "muộn")
    assert exc.value.code == "bad_step"
    h = housing_step(actor, h, "handed_over", dt.date(2020, 7, 20))
    h.refresh_from_db()
    assert (h.status, h.started_on, h.finished_on, h.handed_over_on) == (
        "handed_over",
        dt.date(2020, 4, 1),
        dt.date(2020, 7, 15),
        dt.date(2020, 7, 20),
    )
    support = Support.objects.get(housing=h)
    assert (support.state, support.delivered_on) == (SupportState.DELIVERED, dt.date(2020, 7, 20))
    steps = AuditEvent.objects.filter(action="support_housing_step", object_id=str(h.pk))
    assert [e.changes["status"] for e in steps.order_by("pk")] == [
        ["planned", "started"],
        ["started", "finished"],
        ["finished", "handed_over"],
    ]


def test_cancelling_needs_a_reason_and_cancels_the_ledger_line(
    world: World, unchanged: Callable[..., Any]
) -> None:
    h = add(world, "DA-08")
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        housing_step(world.users["da"], h, "cancelled", dt.date(2020, 3, 5))
    assert exc.value.code == "no_reason"
    h = housing_step(world.users["da"], h, "cancelled", dt.date(2020, 3, 5), "hộ từ chối")
    support = Support.objects.get(housing=h)
    assert (support.state, support.reason_code, support.reason_note) == (
        SupportState.CANCELLED,
        "other",
        "hộ từ chối",
    )


# --- rights -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("da", True),
        ("district", True),
        ("infra", True),
        ("dd", False),
        ("leader", False),
        ("bank", False),
        ("agri", False),
        ("outsider", False),
    ],
)
def test_who_may_record_housing(
    world: World, unchanged: Callable[..., Any], who: str, allowed: bool
) -> None:
    if allowed:
        h = add(world, "DA-08", who=who)
        assert housing_step(world.users[who], h, "started", dt.date(2020, 4, 1)).status == "started"
        return
    with unchanged(Housing, Support), pytest.raises(PermissionDenied):
        add(world, "DA-08", who=who)
    h = add(world, "DA-08", who="district")
    with unchanged(Housing, Support), pytest.raises(PermissionDenied):
        housing_step(world.users[who], h, "started", dt.date(2020, 4, 1))


# --- the eligible list --------------------------------------------------------------------------
def test_the_eligible_list_of_qd33(world: World) -> None:
    got = housing_eligible(world.users["district"], world.district, "qd33_2015", 2020)
    # Poor in the 2019 review and deprived on housing quality; DD-02 too (the same 2019 rows).
    assert [e.household.code for e in got] == ["DA-02", "DA-08", "DD-02"]
    assert all(e.eligibility.eligible and e.eligibility.basis.year == 2019 for e in got)  # type: ignore[union-attr]
    add(world, "DA-08")
    got = housing_eligible(world.users["da"], world.dak_ang, "qd33_2015", 2020)
    assert [e.household.code for e in got] == ["DA-02"]


def test_the_eligible_list_of_project_5_in_priority_order(world: World) -> None:
    hh = world.households
    independent(hh["DA-02"], ethnic_minority=False, merit_member=True)
    independent(hh["DA-08"], ethnic_minority=True)
    independent(hh["DD-02"], ethnic_minority=False, social_assistance_member=True)
    independent(hh["DA-04"], ethnic_minority=True)  # near-poor, but not deprived on housing
    got = housing_eligible(world.users["district"], world.district, "p5_2022", 2020)
    assert [e.household.code for e in got] == ["DA-08", "DA-02", "DD-02"]
    priorities = [e.eligibility.priority for e in got]
    assert priorities == sorted(priorities) and len(set(priorities)) == 3


def test_the_eligible_list_needs_sight_of_the_unit(world: World) -> None:
    with pytest.raises(PermissionDenied):
        housing_eligible(world.users["da"], world.dak_duc, "qd33_2015", 2020)


# --- the house and its ledger line move together ------------------------------------------
@pytest.mark.parametrize(
    ("done", "step", "line"),
    [
        ((), "started", SupportState.DELIVERED),  # the line was moved outside the housing steps
        ((), "cancelled", SupportState.APPROVED),
        (("started",), "finished", SupportState.CANCELLED),
        (("started",), "cancelled", SupportState.PLANNED),
        (("started", "finished"), "handed_over", SupportState.PLANNED),
        (("started", "finished"), "handed_over", SupportState.DELIVERED),
    ],
)
def test_a_step_needs_the_ledger_line_where_the_house_left_it(
    world: World, unchanged: Callable[..., Any], done: tuple[str, ...], step: str, line: str
) -> None:
    actor = world.users["da"]
    h = add(world, "DA-08")
    for i, status in enumerate(done):
        h = housing_step(actor, h, status, dt.date(2020, 4, 1 + i))
    Support.objects.filter(pk=h.support_id).update(state=line)
    with unchanged(Housing, Support), pytest.raises(ValidationError) as exc:
        housing_step(actor, h, step, dt.date(2020, 5, 1), "lý do")
    assert exc.value.code == "line_state"
    text = exc.value.messages[0]
    assert "dòng hỗ trợ" in text and "support line" in text


def test_a_stale_second_submission_is_refused_and_logged_once(world: World) -> None:
    actor = world.users["da"]
    h = add(world, "DA-08")
    housing_step(actor, h, "started", dt.date(2020, 4, 1))
    with pytest.raises(ValidationError) as exc:
        housing_step(actor, h, "started", dt.date(2020, 4, 1))  # the same page posted again
    assert exc.value.code == "bad_step"
    assert AuditEvent.objects.filter(action="support_housing_step").count() == 1


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="row locks: PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_start_waits_for_the_first_and_is_refused(world: World) -> None:
    actor = world.users["da"]
    h = add(world, "DA-08")
    outcome: dict[str, str] = {}

    def second() -> None:
        try:
            housing_step(actor, h, "started", dt.date(2020, 4, 1))
            outcome["second"] = "written"
        except ValidationError as exc:
            outcome["second"] = str(exc.code)
        finally:
            connection.close()

    with transaction.atomic():
        # The first submission holds the house's row while the second one arrives.
        Housing.objects.select_for_update().get(pk=h.pk)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        housing_step(actor, h, "started", dt.date(2020, 4, 1))
    thread.join(10)
    assert outcome == {"second": "bad_step"}
    assert AuditEvent.objects.filter(action="support_housing_step").count() == 1


def test_a_house_recorded_meanwhile_is_a_refusal_not_a_crash(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = housing_service.check
    raced: list[Housing] = []
    racing: list[bool] = []

    def check_while_another_records(*args: Any) -> Any:
        result = real(*args)
        if not racing:  # another officer records the same house between the checks and the write
            racing.append(True)
            raced.append(add(world, "DA-08", who="district"))
        return result

    monkeypatch.setattr(housing_service, "check", check_while_another_records)
    with pytest.raises(ValidationError) as exc:
        add(world, "DA-08")
    assert exc.value.code == "already"
    assert "DA-08" in exc.value.messages[0]
    assert list(Housing.objects.values_list("pk", flat=True)) == [raced[0].pk]
    assert Support.objects.count() == 1
    assert AuditEvent.objects.filter(action="support_housing_add").count() == 1


# --- the eligible list in a few queries -----------------------------------------------------
def test_the_facts_of_many_households_read_at_once(world: World) -> None:
    """``households_facts`` (which ``household_facts`` is for one) over the whole world: flags,
    status, class history, independence, and what counts as received by the day — a ledger
    line by its delivery date, housing under way, a type no longer in the catalogue ignored."""
    hh = world.households
    independent(hh["DA-02"], since=dt.date(2016, 1, 1), merit_member=True)
    hh["DA-07"].status, hh["DA-07"].status_date = HouseholdStatus.DISSOLVED, dt.date(2020, 2, 1)
    hh["DA-07"].save()
    add_review(hh["DA-01"], 2020, "near_poor", 900_000, ("water",))
    started = add(world, "DA-08")
    housing_step(world.users["da"], started, "started", dt.date(2020, 4, 1))
    Support.objects.create(
        household=hh["DA-03"], support_type="health_insurance_card", item="Thẻ BHYT",
        quantity=1, unit_label="thẻ", value=700_000, source="central", on=dt.date(2020, 1, 5),
        state=SupportState.DELIVERED,
    )  # fmt: skip
    Support.objects.create(  # planned in 2019, delivered in March 2020
        household=hh["DA-05"], support_type="clean_water", item="Bể nước", value=3_000_000,
        source="local", on=dt.date(2019, 12, 20), delivered_on=dt.date(2020, 3, 1),
        state=SupportState.DELIVERED,
    )  # fmt: skip
    Support.objects.create(
        household=hh["DA-04"], support_type="gone_from_the_catalogue", item="?", value=1,
        source="local", on=dt.date(2019, 6, 1), state=SupportState.SETTLED,
    )  # fmt: skip
    households = [Household.objects.get(pk=h.pk) for h in hh.values()]
    early = households_facts(households, dt.date(2020, 1, 1))
    later = households_facts(households, dt.date(2020, 4, 2))
    assert set(early) == {h.pk for h in households}
    assert early[hh["DA-02"].pk].merit_member
    assert early[hh["DA-02"].pk].independent_since == dt.date(2016, 1, 1)
    assert not early[hh["DA-07"].pk].active and early[hh["DA-06"].pk].active
    assert [c.year for c in later[hh["DA-01"].pk].history] == [2019, 2020]
    categories = {
        code: (early[hh[code].pk].previous_support_categories,
               later[hh[code].pk].previous_support_categories)
        for code in ("DA-03", "DA-04", "DA-05", "DA-08")
    }  # fmt: skip
    assert categories == {
        "DA-03": (frozenset(), frozenset({"health_insurance"})),
        "DA-04": (frozenset(), frozenset()),
        "DA-05": (frozenset(), frozenset({"water_sanitation"})),
        "DA-08": (frozenset(), frozenset({"housing"})),
    }
    assert household_facts(hh["DA-05"], dt.date(2020, 4, 2)) == later[hh["DA-05"].pk]
    assert households_facts([], ON) == {}


def test_the_candidates_are_read_from_the_review_in_force(world: World) -> None:
    hh = world.households
    # DA-06 was poor and badly housed in 2018, non-poor since: not a candidate in 2020.
    add_review(hh["DA-06"], 2018, "poor", 500_000, ("housing_quality",))
    # DA-01's 2020 review (poor, badly housed) comes after 1 January 2020: not yet in force.
    add_review(hh["DA-01"], 2020, "poor", 500_000, ("housing_quality",))
    got = housing_eligible(world.users["district"], world.district, "qd33_2015", 2020)
    assert [e.household.code for e in got] == ["DA-02", "DA-08", "DD-02"]
    later = housing_eligible(world.users["district"], world.district, "qd33_2015", 2021)
    assert [e.household.code for e in later] == ["DA-02", "DA-08", "DA-01", "DD-02"]
