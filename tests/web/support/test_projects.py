"""Projects and their beneficiaries (``support.services.projects``): the programme's node must
fund each chosen type, the rule must exist, communes sit under the project's unit, dates in
order, revolving terms consistent; status with its approval decision; budgets by source;
beneficiaries checked against the project's rule at the date of support (poor accepted,
non-poor refused with the reason or accepted with a justification where the rule allows it,
DA-05's "newly escaped within 3 years"); who may do what; refusals change nothing; audit
rows. ``make_project`` and ``PROJECT`` are shared with the ledger and page tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from giamngheo.registry.models import AuditEvent, EntryReason, Household
from giamngheo.support.models import (
    Beneficiary,
    Project,
    ProjectBudget,
    ProjectOutput,
    ProjectStatus,
    Support,
    SupportState,
)
from giamngheo.support.selectors.projects import household_facts, projects_visible
from giamngheo.support.services import ledger
from giamngheo.support.services import projects as svc
from giamngheo.support.services.projects import ProjectFields

pytestmark = pytest.mark.django_db

SPRING = dt.date(2020, 3, 1)


def fields(world: Any, **changes: Any) -> ProjectFields:
    """A cow-raising model under QĐ 1722's project 3, led by Agriculture, in both communes."""
    base = ProjectFields(
        name="Mô hình nuôi bò sinh sản Đắk Ang 2020",
        kind="model",
        programme_id="QD1722-2016",
        node_code="DA3",
        lead=world.orgs["agriculture"],
        year=2020,
        eligibility_rule="poor_near_poor_escaped",
        support_types=["breeding_cattle", "production_training"],
        communes=[world.dak_ang, world.dak_duc],
        start=dt.date(2020, 2, 1),
        end=dt.date(2020, 12, 31),
    )
    return dataclasses.replace(base, **changes)


def make_project(
    world: Any,
    *,
    status: str = ProjectStatus.RUNNING,
    budgets: dict[str, int] | None = None,
    **changes: Any,
) -> Project:
    """A project made through the service by the district officer, moved to ``status``, with
    ``budgets`` by source."""
    officer = world.users["district"]
    unit = changes.pop("unit", world.district)
    project = svc.project_create(officer, unit, fields(world, **changes))
    steps = [ProjectStatus.APPROVED, ProjectStatus.RUNNING, ProjectStatus.FINISHED]
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        svc.project_set_status(
            officer, project, step, approval_number="15/QĐ-UBND", approval_date=dt.date(2020, 1, 20)
        )
    for source, amount in (budgets or {}).items():
        svc.project_set_budget(officer, project, source, amount)
    project.refresh_from_db()
    return project


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# --- creating and changing a project ----------------------------------------------------------
def test_create_stores_the_project_and_one_audit_row(world: Any) -> None:
    project = svc.project_create(world.users["district"], world.district, fields(world))
    assert project.status == ProjectStatus.DRAFT
    assert set(project.communes.all()) == {world.dak_ang, world.dak_duc}
    assert project.support_types == ["breeding_cattle", "production_training"]
    event = AuditEvent.objects.get(action="support_project_create")
    assert event.object_id == str(project.pk)
    assert event.changes["node_code"] == "DA3"
    assert sorted(event.changes["communes"]) == sorted([world.dak_ang.pk, world.dak_duc.pk])


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"programme_id": "QD0-1900"}, "unknown_programme"),
        ({"node_code": "DA9"}, "unknown_node"),
        ({"node_code": "DA4"}, "node_cannot_fund"),
        ({"support_types": ["no_such_type"]}, "unknown_support_type"),
        ({"support_types": []}, "no_support_type"),
        ({"year": 2022}, "year_outside_programme"),
        ({"eligibility_rule": "everyone_rich"}, "unknown_rule"),
        ({"end": dt.date(2020, 1, 1)}, "dates_order"),
        ({"name": "  "}, "name_required"),
        ({"communes": []}, "no_commune"),
        (
            {"revolving": True, "recovery_share": 0, "support_types": ["breeding_cattle"]},
            "revolving_settings",
        ),
        ({"revolving": False, "recovery_share": 50}, "revolving_settings"),
        (
            {"revolving": True, "recovery_share": 50, "recovery_instalments": 2},
            "type_not_revolving",  # production training is not capital to recover
        ),
    ],
)
def test_create_refusals_change_nothing(
    world: Any, unchanged: Callable[..., Any], changes: dict[str, Any], code: str
) -> None:
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_create(world.users["district"], world.district, fields(world, **changes))
    assert exc.value.code == code
    assert " / " in exc.value.messages[0]  # both languages


def test_communes_must_be_under_the_unit_and_villages_in_the_communes(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    da_officer = world.users["da"]
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_create(
            da_officer, world.dak_ang, fields(world, lead=world.orgs["commune_da"])
        )  # Đắk Dục is not under Đắk Ang
    assert exc.value.code == "commune_outside_unit"
    dd_village = world.villages[world.dak_duc.code][0]
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_create(
            world.users["district"],
            world.district,
            fields(world, communes=[world.dak_ang], villages=[dd_village]),
        )
    assert exc.value.code == "village_outside_communes"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (("district", "district", "agriculture"), True),
        (("agri", "district", "agriculture"), True),  # a member of the lead organisation
        (("agri", "district", "finance"), False),  # not its organisation
        (("finance", "district", "agriculture"), False),
        (("leader", "dak_ang", "commune_da"), False),  # read-only
        (("da", "district", "agriculture"), False),  # a commune officer above its commune
        (("da", "dak_ang", "commune_da"), True),  # its own commune's project
        (("dd", "dak_ang", "commune_da"), False),
        (("outsider", "district", "agriculture"), False),
    ],
)
def test_who_may_create_a_project(
    world: Any, unchanged: Callable[..., Any], who: tuple[str, str, str], allowed: bool
) -> None:
    user, unit, lead = who
    where = getattr(world, unit)
    f = fields(world, lead=world.orgs[lead], communes=[world.dak_ang])
    if allowed:
        assert svc.project_create(world.users[user], where, f).unit == where
        return
    with unchanged(Project), pytest.raises(PermissionDenied):
        svc.project_create(world.users[user], where, f)


def test_update_audits_the_difference_and_a_no_op_writes_nothing(world: Any) -> None:
    project = make_project(world, status=ProjectStatus.DRAFT)
    before = AuditEvent.objects.count()
    svc.project_update(world.users["agri"], project, svc.fields_of(project))
    assert AuditEvent.objects.count() == before
    changed = dataclasses.replace(
        svc.fields_of(project), name="Bò sinh sản", communes=[world.dak_ang]
    )
    svc.project_update(world.users["agri"], project, changed)
    project.refresh_from_db()
    assert project.name == "Bò sinh sản"
    assert list(project.communes.all()) == [world.dak_ang]
    event = AuditEvent.objects.filter(action="support_project_update").get()
    assert event.changes["name"] == ["Mô hình nuôi bò sinh sản Đắk Ang 2020", "Bò sinh sản"]
    assert event.changes["communes"][1] == [world.dak_ang.pk]


def test_update_keeps_what_households_depend_on(world: Any, unchanged: Callable[..., Any]) -> None:
    project = make_project(world)
    svc.beneficiary_add(world.users["district"], project, world.households["DD-01"], SPRING)
    current = svc.fields_of(project)
    with unchanged(Project, Beneficiary), pytest.raises(ValidationError) as exc:
        svc.project_update(
            world.users["district"], project, dataclasses.replace(current, communes=[world.dak_ang])
        )
    assert exc.value.code == "commune_in_use"
    Support.objects.create(
        household=world.households["DD-01"],
        project=project,
        support_type="production_training",
        item="Tập huấn",
        value=0,
        source="central",
        on=SPRING,
    )
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_update(
            world.users["district"],
            project,
            dataclasses.replace(current, support_types=["breeding_cattle"]),
        )
    assert exc.value.code == "type_in_use"
    with unchanged(Project), pytest.raises(PermissionDenied):
        svc.project_update(world.users["dd"], project, dataclasses.replace(current, name="X"))


# --- status ----------------------------------------------------------------------------------
def test_status_runs_draft_approved_running_finished(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    officer = world.users["district"]
    project = make_project(world, status=ProjectStatus.DRAFT)
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_set_status(officer, project, ProjectStatus.APPROVED, approval_number="")
    assert exc.value.code == "approval_required"
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_set_status(officer, project, ProjectStatus.RUNNING)
    assert exc.value.code == "bad_transition"
    svc.project_set_status(
        officer,
        project,
        ProjectStatus.APPROVED,
        approval_number="123/QĐ-UBND",
        approval_date=dt.date(2020, 1, 15),
    )
    project.refresh_from_db()
    assert (project.approval_number, project.approval_date) == ("123/QĐ-UBND", dt.date(2020, 1, 15))
    svc.project_set_status(officer, project, ProjectStatus.RUNNING)
    svc.project_set_status(officer, project, ProjectStatus.FINISHED)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.FINISHED
    events = AuditEvent.objects.filter(action="support_project_status").order_by("pk")
    assert [e.changes["status"] for e in events] == [
        ["draft", "approved"],
        ["approved", "running"],
        ["running", "finished"],
    ]
    with unchanged(Project, ProjectBudget), pytest.raises(ValidationError) as exc:
        svc.project_set_budget(officer, project, "central", 1_000_000)
    assert exc.value.code == "project_closed"


def test_cancelling_needs_a_reason_and_no_open_support(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    officer = world.users["district"]
    project = make_project(world)
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_set_status(officer, project, ProjectStatus.CANCELLED, reason=" ")
    assert exc.value.code == "reason_required"
    Support.objects.create(
        household=world.households["DA-01"],
        project=project,
        support_type="breeding_cattle",
        item="Bò",
        value=1,
        source="central",
        on=SPRING,
    )
    with unchanged(Project), pytest.raises(ValidationError) as exc:
        svc.project_set_status(officer, project, ProjectStatus.CANCELLED, reason="Không có vốn")
    assert exc.value.code == "project_has_supports"
    Support.objects.update(state=SupportState.CANCELLED)
    svc.project_set_status(officer, project, ProjectStatus.CANCELLED, reason="Không có vốn")
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    # Kept in both languages, as the app's other stored texts are.
    assert "Hủy dự án: Không có vốn" in project.notes and "Cancelled" in project.notes
    event = AuditEvent.objects.filter(action="support_project_status").order_by("pk").last()
    assert event is not None and event.changes["reason"] == "Không có vốn"


# --- budget and outputs ----------------------------------------------------------------------
def test_budget_by_source_never_below_committed(world: Any, unchanged: Callable[..., Any]) -> None:
    officer = world.users["district"]
    project = make_project(world, budgets={"central": 50_000_000, "local": 5_000_000})
    assert dict(project.budgets.values_list("source", "amount")) == {
        "central": 50_000_000,
        "local": 5_000_000,
    }
    svc.project_set_budget(officer, project, "local", 0)
    assert not project.budgets.filter(source="local").exists()
    Support.objects.create(
        household=world.households["DA-01"],
        project=project,
        support_type="breeding_cattle",
        item="Bò",
        value=20_000_000,
        source="central",
        on=SPRING,
        state=SupportState.APPROVED,
    )
    with unchanged(ProjectBudget), pytest.raises(ValidationError) as exc:
        svc.project_set_budget(officer, project, "central", 19_999_999)
    assert exc.value.code == "budget_below_committed"
    assert "20.000.000 đ" in exc.value.messages[0]
    with unchanged(ProjectBudget), pytest.raises(PermissionDenied):
        svc.project_set_budget(world.users["da"], project, "central", 60_000_000)
    amounts = [
        e.changes["amount"]
        for e in AuditEvent.objects.filter(action="support_project_budget").order_by("pk")
    ]
    assert amounts == [[0, 50_000_000], [0, 5_000_000], [5_000_000, 0]]


def test_outputs_planned_and_actual(world: Any, unchanged: Callable[..., Any]) -> None:
    project = make_project(world)
    out = svc.output_save(
        world.users["agri"], project, label="Bò giống", unit_label="con", planned=20
    )
    svc.output_save(
        world.users["agri"],
        project,
        label="Bò giống",
        unit_label="con",
        planned=20,
        actual=12,
        output=out,
    )
    out.refresh_from_db()
    assert (out.planned, out.actual) == (20, 12)
    assert actions()[-2:] == ["support_output_add", "support_output_update"]
    with unchanged(ProjectOutput), pytest.raises(PermissionDenied):
        svc.output_delete(world.users["leader"], out)
    svc.output_delete(world.users["district"], out)
    assert not ProjectOutput.objects.exists()


# --- beneficiaries ---------------------------------------------------------------------------
def test_a_poor_household_is_accepted_with_its_basis(world: Any) -> None:
    project = make_project(world, eligibility_rule="poor")
    b = svc.beneficiary_add(world.users["agri"], project, world.households["DA-01"], SPRING)
    assert b.eligible and b.justification == ""
    assert b.checked_on == SPRING
    assert b.basis["group"] == "poor"
    assert b.basis["review"]["year"] == 2019
    assert b.basis["review"]["deprived"] == ["sanitation", "telecom", "water"]
    event = AuditEvent.objects.get(action="support_beneficiary_add")
    assert event.changes["household"] == world.households["DA-01"].pk
    assert event.changes["eligible"] is True


def test_a_non_poor_household_is_refused_with_the_reason(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world, eligibility_rule="poor_near_poor")
    with unchanged(Beneficiary), pytest.raises(ValidationError) as exc:
        svc.beneficiary_add(
            world.users["district"], project, world.households["DA-06"], SPRING, "Hộ khó khăn"
        )
    assert exc.value.code == "ineligible"
    message = exc.value.messages[0]
    assert "không nghèo" in message and "non-poor" in message and "2019" in message


def test_justification_accepts_an_ineligible_household_only_where_the_rule_allows(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world)  # poor, near-poor, newly escaped: justification allowed
    household = world.households["DA-06"]
    with unchanged(Beneficiary), pytest.raises(ValidationError) as exc:
        svc.beneficiary_add(world.users["district"], project, household, SPRING, "   ")
    assert exc.value.code == "ineligible"
    assert "lý do" in exc.value.messages[0]
    b = svc.beneficiary_add(
        world.users["district"], project, household, SPRING, "Chủ hộ ốm nặng, mất mùa 2020"
    )
    assert not b.eligible
    assert b.justification == "Chủ hộ ốm nặng, mất mùa 2020"
    assert b.basis["reasons"][0]["code"] == "class_not_eligible"


def test_newly_escaped_within_three_years_at_the_date(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    """DA-05: poor in the 2018 review, non-poor in the 2019 one (20/11/2019)."""
    escaped = make_project(world)
    b = svc.beneficiary_add(world.users["district"], escaped, world.households["DA-05"], SPRING)
    assert b.eligible and b.basis["group"] == "newly_escaped"
    poor_only = make_project(world, eligibility_rule="poor")
    with unchanged(Beneficiary), pytest.raises(ValidationError) as exc:
        svc.beneficiary_add(world.users["district"], poor_only, world.households["DA-05"], SPRING)
    assert exc.value.code == "ineligible"
    # Before its 2019 review it was still poor (the 2018 review in force): eligible then.
    early = svc.beneficiary_add(
        world.users["district"], poor_only, world.households["DA-05"], dt.date(2019, 6, 1)
    )
    assert early.eligible and early.basis["review"]["year"] == 2018


def test_the_escape_window_closes_after_three_years(world: Any) -> None:
    from giamngheo.support.selectors.projects import eligibility_of

    project = make_project(world, eligibility_rule="newly_escaped")
    household = world.households["DA-05"]
    assert eligibility_of(project, household, dt.date(2022, 11, 20)).eligible
    late = eligibility_of(project, household, dt.date(2022, 11, 21))
    assert not late.eligible and late.codes == ("class_not_eligible",)


def test_the_household_must_live_where_the_project_works(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    first, _second = world.villages[world.dak_ang.code]
    project = make_project(world, communes=[world.dak_ang], villages=[first])
    for code in ("DD-01", "DA-02"):  # another commune; another village of Đắk Ang
        with unchanged(Beneficiary), pytest.raises(ValidationError) as exc:
            svc.beneficiary_add(world.users["district"], project, world.households[code], SPRING)
        assert exc.value.code == "household_outside_project"
    assert svc.beneficiary_add(world.users["district"], project, world.households["DA-01"], SPRING)
    with unchanged(Beneficiary), pytest.raises(ValidationError) as exc:
        svc.beneficiary_add(world.users["district"], project, world.households["DA-01"], SPRING)
    assert exc.value.code == "already_beneficiary"


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("district", True),
        ("agri", True),  # the lead organisation
        ("da", False),  # the commune's officer does not choose for a district project
        ("dd", False),
        ("leader", False),
        ("finance", False),
        ("outsider", False),
    ],
)
def test_who_may_choose_beneficiaries(
    world: Any, unchanged: Callable[..., Any], user: str, allowed: bool
) -> None:
    project = make_project(world)
    household = world.households["DA-01"]
    if allowed:
        assert svc.beneficiary_add(world.users[user], project, household, SPRING).eligible
        return
    with unchanged(Beneficiary), pytest.raises(PermissionDenied):
        svc.beneficiary_add(world.users[user], project, household, SPRING)


def test_previous_housing_support_is_read_from_the_ledger(world: Any) -> None:
    from giamngheo.support.selectors.projects import eligibility_of

    project = make_project(world, eligibility_rule="housing_qd33_2015")
    household = world.households["DA-02"]  # poor, deprived on housing quality
    assert eligibility_of(project, household, SPRING).eligible
    Support.objects.create(
        household=household,
        support_type="housing_new",
        item="Nhà",
        value=25_000_000,
        source="central",
        on=dt.date(2018, 5, 1),
        state=SupportState.DELIVERED,
    )
    again = eligibility_of(project, household, SPRING)
    assert again.codes == ("previous_support",)
    # A planned or cancelled one is not support received.
    Support.objects.update(state=SupportState.CANCELLED)
    assert eligibility_of(project, household, SPRING).eligible


def test_facts_independent_since_split_off_date_else_first_approved_review(world: Any) -> None:
    household = world.households["DA-03"]
    # In the registry from the start: on its own at least since its first approved review.
    assert household_facts(household, SPRING).independent_since == dt.date(2019, 11, 20)
    Household.objects.filter(pk=household.pk).update(
        entry_reason=EntryReason.SPLIT_OFF, entry_date=dt.date(2018, 4, 2)
    )
    household.refresh_from_db()
    facts = household_facts(household, SPRING)
    assert facts.independent_since == dt.date(2018, 4, 2)
    assert [h.classification for h in facts.history] == ["near_poor"]
    # Moving in does not make a household new: its first approved review still counts.
    Household.objects.filter(pk=household.pk).update(entry_reason=EntryReason.MOVED_IN)
    household.refresh_from_db()
    assert household_facts(household, SPRING).independent_since == dt.date(2019, 11, 20)
    # No approved review at all and not split off: unknown (the housing rule says so).
    fresh = Household.objects.create(
        commune=household.commune, village=household.village, code="DA-99", head_name="Y Mới"
    )
    assert household_facts(fresh, SPRING).independent_since is None


def test_removal_only_while_no_support_is_approved(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = make_project(world)
    officer = world.users["district"]
    b = svc.beneficiary_add(officer, project, world.households["DA-01"], SPRING)
    planned = Support.objects.create(
        household=world.households["DA-01"],
        project=project,
        support_type="breeding_cattle",
        item="Bò",
        value=10,
        source="central",
        on=SPRING,
    )
    Support.objects.filter(pk=planned.pk).update(state=SupportState.APPROVED)
    with unchanged(Beneficiary, Support), pytest.raises(ValidationError) as exc:
        svc.beneficiary_remove(officer, b)
    assert exc.value.code == "has_approved_support"
    Support.objects.filter(pk=planned.pk).update(state=SupportState.PLANNED)
    svc.beneficiary_remove(officer, b)
    assert not Beneficiary.objects.exists()
    planned.refresh_from_db()
    assert planned.state == SupportState.CANCELLED and planned.reason_code == "other"
    assert planned.reason_note == (
        "Hộ được đưa khỏi danh sách hưởng lợi / removed from the project's beneficiaries"
    )
    assert actions()[-2:] == ["support_cancel", "support_beneficiary_remove"]


def _at_once(*writes: Callable[[], object]) -> list[str]:
    """Run the writes in threads released together; each one's outcome: "ok" or its code."""
    barrier = threading.Barrier(len(writes))
    outcomes: list[str] = []

    def run(write: Callable[[], object]) -> None:
        try:
            barrier.wait()
            write()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        except Exception as exc:  # a deadlock, an IntegrityError: named in the failure
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped

    threads = [threading.Thread(target=run, args=(w,)) for w in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_the_same_household_chosen_twice_at_once_is_a_coded_refusal(world: Any) -> None:
    """Two officers add the same household at the same moment: the project's row lock makes
    the second see the first and refuse with the code, not an IntegrityError."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    project = make_project(world)
    household, boss, agri = world.households["DA-01"], world.users["district"], world.users["agri"]
    outcomes = _at_once(
        lambda: svc.beneficiary_add(boss, project, household, SPRING),
        lambda: svc.beneficiary_add(agri, project, household, SPRING),
    )
    assert outcomes == ["already_beneficiary", "ok"]
    assert Beneficiary.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_removal_and_approval_at_once_never_leave_an_approved_support_behind(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    project = make_project(world, budgets={"central": 50_000_000})
    boss, agri = world.users["district"], world.users["agri"]
    b = svc.beneficiary_add(boss, project, world.households["DA-01"], SPRING)
    support = ledger.support_plan(
        boss, b.household, project=project, support_type="breeding_cattle", item="Bò",
        value=10_000_000, source="central", on=SPRING,
    )  # fmt: skip
    outcomes = _at_once(
        lambda: svc.beneficiary_remove(boss, b), lambda: ledger.support_approve(agri, support)
    )
    state = Support.objects.get(pk=support.pk).state
    if Beneficiary.objects.exists():  # the approval came first
        assert outcomes == ["has_approved_support", "ok"] and state == SupportState.APPROVED
    else:
        assert outcomes == ["bad_transition", "ok"] and state == SupportState.CANCELLED


def test_cancel_and_removal_check_under_the_projects_lock(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks run inside the transaction, after the project's row is locked."""
    project = make_project(world)
    boss = world.users["district"]
    b = svc.beneficiary_add(boss, project, world.households["DA-01"], SPRING)
    seen: list[bool] = []
    original = svc._locked

    def spy(p: Project) -> Project:
        seen.append(transaction.get_connection().in_atomic_block)
        return original(p)

    monkeypatch.setattr(svc, "_locked", spy)
    svc.beneficiary_remove(boss, b)
    svc.project_set_status(boss, project, ProjectStatus.CANCELLED, reason="Không có vốn")
    assert seen == [True, True]


# --- the list --------------------------------------------------------------------------------
def test_visible_projects_and_filters(world: Any) -> None:
    district = make_project(world, name="Mô hình nuôi bò Đắk Ang", communes=[world.dak_ang])
    own = make_project(
        world,
        unit=world.dak_duc,
        name="Trồng cà phê Đắk Dục",
        lead=world.orgs["commune_dd"],
        communes=[world.dak_duc],
        support_types=["seedlings"],
    )
    assert set(projects_visible(world.users["district"])) == {district, own}
    assert list(projects_visible(world.users["da"])) == [district]  # its commune is covered
    assert list(projects_visible(world.users["dd"])) == [own]
    assert list(projects_visible(world.users["agri"])) == [district, own]  # sees the district
    assert list(projects_visible(world.users["outsider"])) == []
    assert list(projects_visible(world.users["district"], search="ca phe")) == [own]
    assert list(projects_visible(world.users["district"], search="BÒ")) == [district]
    assert list(projects_visible(world.users["district"], commune=world.dak_duc)) == [own]
    assert list(
        projects_visible(world.users["district"], organisation=world.orgs["agriculture"])
    ) == [district]
    assert list(projects_visible(world.users["district"], year=2019)) == []
