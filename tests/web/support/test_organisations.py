"""Organisations, members and the plan's tasks: every service (rights matrix, rules, one audit
row per change, refusals change nothing), the seed plan's organisations and duties (idempotent),
and the selectors (who sees which organisation and task, "who has done what")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from pytest_django.fixtures import Settings as SettingsWrapper

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.plans.models import Plan
from giamngheo.registry.models import AuditEvent, Household, ReviewRecord
from giamngheo.support import access
from giamngheo.support.models import (
    Membership,
    Organisation,
    OrgKind,
    Project,
    Recurrence,
    Task,
    TaskStatus,
    TaskUpdate,
)
from giamngheo.support.selectors import organisations as sel
from giamngheo.support.services import organisations as svc
from giamngheo.support.services.organisations import TaskFields

pytestmark = pytest.mark.django_db
World = Any  # conftest.World (the fixture's personas, units and organisations)
Unchanged = Callable[..., Any]
TABLES = (Organisation, Membership, Task, TaskUpdate, Task.partners.through)


def make_plan(world: World, unit: AdminUnit | None = None, number: str = "252/KH-UBND") -> Plan:
    user = world.users["district"]
    return Plan.objects.create(
        year=2020,
        issuing_unit=unit or world.district,
        document_number=number,
        document_date=dt.date(2020, 2, 19),
        title="Kế hoạch giảm nghèo năm 2020",
        baseline_year=2019,
        created_by=user,
        updated_by=user,
    )


def actions(action: str) -> int:
    return AuditEvent.objects.filter(action=f"support_{action}").count()


def code_of(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


# --- organisations ---------------------------------------------------------------------------
def test_district_officer_creates_an_organisation_serving_two_communes(world: World) -> None:
    org = svc.org_create(
        world.users["district"],
        world.district,
        kind=OrgKind.MASS_ORG,
        name="  Hội Nông dân   huyện ",
        short_name="HND",
        serves=[world.dak_ang, world.dak_duc],
    )
    assert org.name == "Hội Nông dân huyện"
    assert set(org.serves.all()) == {world.dak_ang, world.dak_duc}
    event = AuditEvent.objects.get(action="support_org_create", object_id=str(org.pk))
    assert event.changes["serves"] == sorted([world.dak_ang.pk, world.dak_duc.pk])
    assert event.actor_id == world.users["district"].pk


@pytest.mark.parametrize("who", ["da", "leader", "agri", "outsider"])
def test_only_officers_of_the_unit_create_organisations(
    world: World, unchanged: Unchanged, who: str
) -> None:
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.org_create(world.users[who], world.district, kind=OrgKind.OTHER, name="Ban mới")


def test_a_commune_officer_creates_in_its_own_commune(world: World) -> None:
    org = svc.org_create(world.users["da"], world.dak_ang, kind=OrgKind.MASS_ORG, name="Hội Phụ nữ")
    assert org.unit == world.dak_ang


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": OrgKind.OTHER, "name": "   "}, "name"),
        ({"kind": "nonsense", "name": "Ban X"}, "kind"),
        ({"kind": OrgKind.OTHER, "name": "Phòng Dân tộc"}, "org_name_taken"),
        ({"kind": OrgKind.COMMUNE, "name": "UBND gì đó"}, "commune_level"),
    ],
)
def test_organisation_rules_refuse_and_change_nothing(
    world: World, unchanged: Unchanged, kwargs: dict[str, Any], code: str
) -> None:
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.org_create(world.users["district"], world.district, **kwargs)
    assert code_of(exc) == code
    assert " / " in str(exc.value.message)  # both languages


def test_an_organisation_serves_only_communes_of_its_unit(
    world: World, unchanged: Unchanged
) -> None:
    village = world.villages[world.dak_ang.code][0]
    for wrong in (village, world.district):
        with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
            svc.org_create(
                world.users["district"], world.district, kind="other", name="X", serves=[wrong]
            )
        assert code_of(exc) == "serves_outside"
    with unchanged(*TABLES), pytest.raises(ValidationError):
        svc.org_create(
            world.users["da"], world.dak_ang, kind="other", name="X", serves=[world.dak_duc]
        )


def test_update_writes_the_difference(world: World, unchanged: Unchanged) -> None:
    org = world.orgs["culture"]
    svc.org_update(
        world.users["district"],
        org,
        kind=OrgKind.CULTURE,
        name="Phòng Văn hóa và Thông tin",
        short_name="VH&TT",
        serves=[world.dak_ang],
        active=False,
    )
    org.refresh_from_db()
    assert (org.name, org.short_name, org.active) == ("Phòng Văn hóa và Thông tin", "VH&TT", False)
    event = AuditEvent.objects.get(action="support_org_update")
    assert event.changes["name"] == ["Phòng Văn hóa – Thông tin", "Phòng Văn hóa và Thông tin"]
    assert event.changes["serves"] == [[], [world.dak_ang.pk]]
    assert "kind" not in event.changes
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.org_update(world.users["agri"], org, kind=OrgKind.CULTURE, name="Khác")
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.org_update(world.users["district"], org, kind=OrgKind.CULTURE, name="Phòng Dân tộc")
    assert code_of(exc) == "org_name_taken"


# --- members ---------------------------------------------------------------------------------
def test_add_and_remove_a_member_refreshes_the_cached_memberships(world: World) -> None:
    user, ethnic = world.users["agri"], world.orgs["ethnic"]
    assert ethnic.pk not in access.org_ids(user)  # cached on the user object now
    svc.member_add(world.users["district"], ethnic, user)
    assert ethnic.pk in access.org_ids(user)
    assert actions("member_add") == 1
    svc.member_remove(world.users["district"], ethnic, user)
    assert ethnic.pk not in access.org_ids(user)
    assert not Membership.objects.filter(organisation=ethnic, user=user).exists()
    assert actions("member_remove") == 1


def test_a_commune_user_may_join_a_district_office(world: World) -> None:
    svc.member_add(world.users["district"], world.orgs["culture"], world.users["da"])
    assert world.orgs["culture"].pk in access.org_ids(world.users["da"])


def _user_of(world: World, name: str, role: str) -> User:
    user = User.objects.create_user(username=name, password="x")
    UserProfile.objects.create(user=user, unit=world.dak_ang, role=role)
    return user


@pytest.mark.parametrize("role", [Role.LEADER, Role.APPROVER, Role.COLLABORATOR])
def test_a_read_only_role_may_not_join(world: World, unchanged: Unchanged, role: str) -> None:
    user = _user_of(world, "chi_doc", role)
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.member_add(world.users["district"], world.orgs["agriculture"], user)
    assert code_of(exc) == "role_cannot_join"
    assert "chi_doc" in str(exc.value) and " / " in str(exc.value)  # bilingual


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.COMMUNE_OFFICER])
def test_a_department_user_or_an_officer_may_join(world: World, role: str) -> None:
    user = _user_of(world, "thanh_vien", role)
    svc.member_add(world.users["district"], world.orgs["agriculture"], user)
    assert access.org_ids(user) == {world.orgs["agriculture"].pk}


def test_a_leader_joined_before_the_rule_gets_no_right(world: World) -> None:
    leader, agri = world.users["leader"], world.orgs["agriculture"]
    Membership.objects.create(organisation=agri, user=leader)  # as before roles were checked
    assert access.org_ids(leader) == frozenset()
    task = _task(world)
    assert not access.can_report_task(leader, task)
    assert sel.task_visible(leader, task.pk) is None
    project = _project(world, [world.dak_ang])
    assert not access.can_manage_project(leader, project)
    assert not access.member_of_kind(leader, OrgKind.AGRICULTURE, world.dak_ang)


def test_member_refusals(world: World, unchanged: Unchanged) -> None:
    ethnic = world.orgs["ethnic"]
    for who in ("da", "agri", "leader"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.member_add(world.users[who], ethnic, world.users["bank"])
    # A user from elsewhere (no profile; another commune for a commune's committee).
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.member_add(world.users["district"], ethnic, world.users["outsider"])
    assert code_of(exc) == "member_scope"
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.member_add(world.users["district"], world.orgs["commune_da"], world.users["dd"])
    assert code_of(exc) == "member_scope"
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.member_add(world.users["district"], world.orgs["agriculture"], world.users["agri"])
    assert code_of(exc) == "member_exists"
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.member_remove(world.users["district"], ethnic, world.users["bank"])
    assert code_of(exc) == "not_member"
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.member_remove(world.users["da"], world.orgs["agriculture"], world.users["agri"])


# --- tasks -----------------------------------------------------------------------------------
def _task(world: World, **kw: Any) -> Task:
    fields = TaskFields(
        title=kw.pop("title", "Thẩm định dự án bò giống"),
        lead=kw.pop("lead", world.orgs["agriculture"]),
        **kw,
    )
    return svc.task_create(world.users["district"], world.district, fields)


def test_create_a_task_with_partners_plan_and_recurrence(world: World) -> None:
    plan = make_plan(world)
    task = _task(
        world,
        number=" III.2 ",
        partners=[world.orgs["commune_da"], world.orgs["finance"]],
        due_date=dt.date(2020, 12, 31),
        recurrence=Recurrence.QUARTERLY,
        plan=plan,
    )
    assert (task.number, task.unit, task.plan, task.status) == (
        "III.2",
        world.district,
        plan,
        TaskStatus.TODO,
    )
    assert set(task.partners.all()) == {world.orgs["commune_da"], world.orgs["finance"]}
    event = AuditEvent.objects.get(action="support_task_create")
    assert event.changes["due_date"] == "2020-12-31"
    assert event.changes["plan"] == plan.pk
    assert task.created_by == world.users["district"]


def test_task_rules(world: World, unchanged: Unchanged) -> None:
    other_plan = make_plan(world, world.dak_duc, "1/KH-UBND")
    inactive = Organisation.objects.create(
        unit=world.district, kind=OrgKind.OTHER, name="Ban cũ", active=False
    )
    outside = Organisation.objects.create(
        unit=AdminUnit.objects.get(code="51"), kind=OrgKind.OTHER, name="Sở khác"
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": " "}, "title"),
        ({"recurrence": "weekly"}, "recurrence"),
        ({"lead": inactive}, "lead_inactive"),
        ({"partners": [world.orgs["agriculture"]]}, "lead_is_partner"),
        ({"partners": [outside]}, "partner_outside"),
        ({"plan": other_plan}, "plan_unit"),
    ]
    for kwargs, code in cases:
        with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
            _task(world, **kwargs)
        assert code_of(exc) == code, kwargs
    # A commune's task is led by one of the commune's organisations, not the district's.
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.task_create(
            world.users["da"], world.dak_ang, TaskFields(title="X", lead=world.orgs["bank"])
        )
    assert code_of(exc) == "lead_outside"
    for who in ("da", "agri", "leader", "outsider"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.task_create(
                world.users[who], world.district, TaskFields(title="X", lead=world.orgs["bank"])
            )


def test_update_a_task(world: World, unchanged: Unchanged) -> None:
    task = _task(world)
    fields = TaskFields(
        title="Thẩm định và theo dõi dự án bò giống",
        lead=world.orgs["agriculture"],
        partners=[world.orgs["commune_da"]],
        due_date=dt.date(2020, 6, 30),
    )
    svc.task_update(world.users["district"], task, fields)
    task.refresh_from_db()
    assert task.title == "Thẩm định và theo dõi dự án bò giống"
    changes = AuditEvent.objects.get(action="support_task_update").changes
    assert changes["partners"] == [[], [world.orgs["commune_da"].pk]]
    assert changes["due_date"] == [None, "2020-06-30"]
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.task_update(world.users["agri"], task, fields)  # a member reports, never edits


def test_members_of_the_lead_report_progress(world: World, settings: SettingsWrapper) -> None:
    settings.GIAMNGHEO_TODAY = dt.date(2020, 10, 9)
    task = _task(world)
    svc.task_report(world.users["agri"], task, TaskStatus.IN_PROGRESS, "Đã thẩm định 2 dự án")
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.IN_PROGRESS, None)
    svc.task_report(world.users["agri"], task, TaskStatus.DONE, "Hoàn thành")
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.DONE, dt.date(2020, 10, 9))
    # Reopened: no longer done.
    svc.task_report(world.users["district"], task, TaskStatus.IN_PROGRESS, "Còn thu hồi vốn")
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.IN_PROGRESS, None)
    assert list(task.updates.values_list("status", flat=True)) == [
        "in_progress",
        "done",
        "in_progress",
    ]
    assert task.updates.first().by == world.users["agri"]  # type: ignore[union-attr]
    event = AuditEvent.objects.filter(action="support_task_report").order_by("pk")[1]
    assert event.changes["status"] == ["in_progress", "done"]
    assert event.changes["done_on"] == [None, "2020-10-09"]


def test_partners_report_too_but_only_managers_cancel(world: World, unchanged: Unchanged) -> None:
    task = _task(world, partners=[world.orgs["finance"]])
    svc.task_report(world.users["finance"], task, TaskStatus.IN_PROGRESS, "Đã bố trí vốn")
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.task_report(world.users["agri"], task, TaskStatus.CANCELLED, "Không làm nữa")
    for who in ("bank", "dd", "leader", "outsider"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.task_report(world.users[who], task, TaskStatus.DONE, "")
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.task_report(world.users["agri"], task, "finished", "")
    assert code_of(exc) == "status"
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.task_report(world.users["agri"], task, TaskStatus.IN_PROGRESS, "  ")
    assert code_of(exc) == "report_empty"
    svc.task_report(world.users["district"], task, TaskStatus.CANCELLED, "Gộp vào III.1")
    with unchanged(*TABLES), pytest.raises(PermissionDenied):  # reopening: managers only
        svc.task_report(world.users["agri"], task, TaskStatus.IN_PROGRESS, "Làm tiếp")


# --- the seed --------------------------------------------------------------------------------
def test_seed_organisations_of_the_district_is_idempotent(world: World) -> None:
    before = Organisation.objects.count()
    created = svc.seed_organisations(world.users["district"], world.district)
    names = {o.name for o in created}
    # The world already has seven offices and two communes' committees: the rest is created.
    assert "Trung tâm Văn hóa – Thể thao, Du lịch và Truyền thông" in names
    assert "Thành viên Ban Chỉ đạo các chương trình MTQG huyện Ngọc Hồi" in names
    assert "Ủy ban nhân dân xã Đắk Nông" in names
    assert "Ủy ban nhân dân xã Đắk Ang" not in names  # "UBND xã Đắk Ang" is there already
    assert "Phòng giao dịch Ngân hàng Chính sách xã hội huyện Ngọc Hồi" not in names
    assert len(created) == 2 + 6  # centre, steering; six more communes
    assert Organisation.objects.count() == before + len(created)
    assert actions("org_create") == len(created)
    commune_orgs = Organisation.objects.filter(kind=OrgKind.COMMUNE)
    assert commune_orgs.count() == 8
    assert all(o.unit.parent_id == world.district.pk for o in commune_orgs)
    assert svc.seed_organisations(world.users["district"], world.district) == []
    assert actions("org_create") == len(created)


def test_seed_organisations_in_an_empty_district(world: World) -> None:
    Organisation.objects.all().delete()
    created = svc.seed_organisations(world.users["district"], world.district)
    kinds = sorted(o.kind for o in created if o.kind != OrgKind.COMMUNE)
    expected = ("labour", "agriculture", "finance", "ethnic", "culture", "culture")
    assert kinds == sorted([*expected, "infrastructure", "bank", "steering"])
    bank = next(o for o in created if o.kind == OrgKind.BANK)
    assert bank.name == "Phòng giao dịch Ngân hàng Chính sách xã hội huyện Ngọc Hồi"
    assert bank.short_name == "NHCSXH"


def test_seed_organisations_of_a_province_after_the_reform(world: World) -> None:
    quang_ngai = AdminUnit.objects.get(code="51")
    officer = User.objects.create_user(username="tinh", password="x")
    UserProfile.objects.create(user=officer, unit=quang_ngai, role=Role.PROVINCE_OFFICER)
    created = svc.seed_organisations(officer, quang_ngai)
    names = {o.name for o in created}
    for name in ("Sở Nông nghiệp và Môi trường", "Sở Tài chính", "Sở Dân tộc và Tôn giáo"):
        assert name in names
    assert "Chi nhánh Ngân hàng Chính sách xã hội tỉnh Quảng Ngãi" in names
    coordinator = Organisation.objects.get(unit=quang_ngai, name="Sở Nông nghiệp và Môi trường")
    assert coordinator.kind == OrgKind.AGRICULTURE
    communes = [o for o in created if o.kind == OrgKind.COMMUNE]
    assert len(communes) == 3  # Bờ Y, Sa Loong, Dục Nông (from 01/07/2025)
    assert all(o.unit.valid_from == dt.date(2025, 7, 1) for o in communes)


def test_seed_organisations_refusals(world: World, unchanged: Unchanged) -> None:
    for who in ("da", "agri", "outsider"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.seed_organisations(world.users[who], world.district)
    with unchanged(*TABLES), pytest.raises(ValidationError) as exc:
        svc.seed_organisations(world.users["da"], world.dak_ang)
    assert code_of(exc) == "seed_level"


def test_seed_plan_tasks(world: World) -> None:
    plan = make_plan(world)
    created = svc.seed_plan_tasks(world.users["district"], plan)
    numbers = sorted({t.number for t in created})
    assert numbers == [f"III.{n}" for n in range(1, 10)]
    assert len(created) == 8 + 8  # one per office, one per commune's committee
    assert all(t.recurrence == Recurrence.QUARTERLY for t in created)
    assert all(t.due_date == dt.date(2020, 12, 31) and t.plan == plan for t in created)
    by_number = {t.number: t for t in created if t.number != "III.9"}
    assert by_number["III.1"].lead.kind == OrgKind.LABOUR
    assert by_number["III.2"].lead == world.orgs["agriculture"]
    assert by_number["III.6"].lead == world.orgs["infrastructure"]
    assert "Quyết định 33/2015/QĐ-TTg" in by_number["III.6"].description
    assert by_number["III.7"].lead == world.orgs["bank"]
    assert by_number["III.8"].lead.kind == OrgKind.STEERING
    assert by_number["III.5"].partners.get().name.startswith("Trung tâm Văn hóa")
    assert by_number["III.1"].partners.filter(kind=OrgKind.COMMUNE).count() == 8
    commune_tasks = [t for t in created if t.number == "III.9"]
    assert {t.unit for t in commune_tasks} == {
        o.unit for o in Organisation.objects.filter(kind="commune")
    }
    da_task = next(t for t in commune_tasks if t.unit == world.dak_ang)
    assert da_task.lead == world.orgs["commune_da"]
    assert "năm 2020" in da_task.title
    assert actions("task_create") == 16
    # Again: nothing new.
    assert svc.seed_plan_tasks(world.users["district"], plan) == []
    assert Task.objects.count() == 16


def test_seed_plan_tasks_refused_for_others(world: World, unchanged: Unchanged) -> None:
    plan = make_plan(world)
    for who in ("da", "agri", "leader"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.seed_plan_tasks(world.users[who], plan)


# --- the communes an organisation serves -----------------------------------------------------
def _project(world: World, communes: list[AdminUnit]) -> Project:
    project = Project.objects.create(
        unit=world.district, name="Mô hình bò", kind="model", programme_id="QD1722-2016",
        node_code="DA3", lead=world.orgs["agriculture"], year=2020, eligibility_rule="poor",
    )  # fmt: skip
    project.communes.set(communes)
    return project


def _serve(world: World, key: str, communes: list[AdminUnit]) -> Organisation:
    org: Organisation = world.orgs[key]
    svc.org_update(world.users["district"], org, kind=org.kind, name=org.name, serves=communes)
    return org


def test_a_member_manages_a_project_only_where_its_organisation_serves(world: World) -> None:
    agri, da, dd = world.users["agri"], world.households["DA-01"], world.households["DD-01"]
    both = _project(world, [world.dak_ang, world.dak_duc])
    only_da = _project(world, [world.dak_ang])
    assert access.can_manage_project(agri, only_da)  # serves all (none listed)
    _serve(world, "agriculture", [world.dak_duc])
    assert not access.can_manage_project(agri, only_da)  # no commune in common
    assert access.can_manage_project(agri, both)  # Đắk Dục in common
    assert access.can_manage_project(agri, both, dd)
    assert not access.can_manage_project(agri, both, da)  # the household's commune unserved
    assert access.can_record_for(agri, both, dd) and not access.can_record_for(agri, both, da)
    # Officers of the project's unit are not concerned.
    assert access.can_manage_project(world.users["district"], both, da)


def test_a_member_sees_the_households_of_the_communes_served(world: World) -> None:
    both = _project(world, [world.dak_ang, world.dak_duc])
    # A department user of a third commune joins Agriculture (its unit shows it neither).
    third = (
        AdminUnit.objects.filter(parent=world.district, level=Level.COMMUNE)
        .exclude(pk__in=[world.dak_ang.pk, world.dak_duc.pk])
        .first()
    )
    assert third is not None
    member = User.objects.create_user(username="can_bo_phong", password="x")
    UserProfile.objects.create(user=member, unit=third, role=Role.DEPARTMENT)
    svc.member_add(world.users["district"], world.orgs["agriculture"], member)

    def seen() -> set[str]:
        q = access.project_households_q(member, both, "household")
        reviews = ReviewRecord.objects.filter(q, year=2019)
        return {c[:2] for c in reviews.values_list("household__code", flat=True)}

    assert access.project_households_q(member, both) == Q()  # serves all (none listed)
    assert seen() == {"DA", "DD"}
    _serve(world, "agriculture", [world.dak_ang])
    assert seen() == {"DA"}
    on_households = Household.objects.filter(access.project_households_q(member, both, ""))
    assert {c[:2] for c in on_households.values_list("code", flat=True)} == {"DA"}
    assert access.can_view_project(member, both)
    _serve(world, "agriculture", [world.dak_duc])
    assert seen() == {"DD"}
    # A project only in Đắk Ang is no longer its organisation's business there.
    assert not access.can_view_project(member, _project(world, [world.dak_ang]))


def test_kind_rights_hold_only_in_the_communes_served(world: World) -> None:
    bank = world.users["bank"]
    assert access.member_of_kind(bank, OrgKind.BANK, world.district)
    _serve(world, "bank", [world.dak_duc])
    assert access.member_of_kind(bank, OrgKind.BANK, world.dak_duc)
    assert not access.member_of_kind(bank, OrgKind.BANK, world.dak_ang)
    village = world.villages[world.dak_ang.code][0]
    assert not access.member_of_kind(bank, OrgKind.BANK, village)
    assert not access.member_of_kind(bank, OrgKind.BANK, world.district)  # not all of it
    assert access.can_import_loans(bank, world.dak_duc)
    assert not access.can_import_loans(bank, world.dak_ang)
    assert not access.can_import_loans(bank, world.district)
    infra = world.users["infra"]
    _serve(world, "infrastructure", [world.dak_ang])
    assert access.can_manage_housing(infra, world.households["DA-01"])
    assert not access.can_manage_housing(infra, world.households["DD-01"])


def test_creating_a_project_in_communes_not_served(world: World) -> None:
    agri, lead = world.users["agri"], world.orgs["agriculture"]
    assert access.can_create_project_in(agri, world.district, lead, [world.dak_ang])
    _serve(world, "agriculture", [world.dak_duc])
    assert access.can_create_project_in(agri, world.district, lead, [world.dak_duc])
    assert not access.can_create_project_in(agri, world.district, lead, [world.dak_ang])
    both = [world.dak_ang, world.dak_duc]
    assert not access.can_create_project_in(agri, world.district, lead, both)
    assert access.can_create_project_in(world.users["district"], world.district, lead, both)
    assert not access.can_create_project_in(world.users["finance"], world.district, lead, both)


# --- a commune's People's Committee ------------------------------------------------------------
def test_a_commune_sees_and_reports_the_tasks_its_committee_partners(
    world: World, unchanged: Unchanged
) -> None:
    housing = _task(world, title="Hỗ trợ nhà ở", lead=world.orgs["infrastructure"],
                    partners=[world.orgs["commune_da"]])  # fmt: skip
    own = svc.task_create(
        world.users["district"], world.district, TaskFields(title="Đăng ký thoát nghèo",
                                                             lead=world.orgs["commune_da"]),
    )  # fmt: skip
    other = _task(world, title="Khác")
    for who in ("da", "leader"):  # the users of Đắk Ang
        assert {t.pk for t in sel.tasks_visible(world.users[who])} == {housing.pk, own.pk}
    assert list(sel.tasks_visible(world.users["dd"])) == []
    assert sel.task_visible(world.users["da"], other.pk) is None
    # Its officers report (as the committee); a leader reads only.
    assert access.can_report_task(world.users["da"], housing)
    assert access.can_report_task(world.users["da"], own)
    svc.task_report(world.users["da"], housing, TaskStatus.IN_PROGRESS, "Đã khảo sát 3 hộ")
    assert TaskUpdate.objects.get(task=housing).by == world.users["da"]
    with unchanged(*TABLES), pytest.raises(PermissionDenied):
        svc.task_report(world.users["leader"], housing, TaskStatus.DONE, "Xong")
    for who in ("dd", "finance"):
        with unchanged(*TABLES), pytest.raises(PermissionDenied):
            svc.task_report(world.users[who], housing, TaskStatus.DONE, "Xong")


# --- selectors -------------------------------------------------------------------------------
def test_organisations_visible(world: World) -> None:
    da = set(sel.organisations_visible(world.users["da"]))
    assert world.orgs["commune_da"] in da and world.orgs["bank"] in da  # its own and above
    assert world.orgs["commune_dd"] not in da
    assert world.orgs["commune_dd"] in set(sel.organisations_visible(world.users["district"]))
    assert list(sel.organisations_visible(world.users["outsider"])) == []
    assert sel.organisation_visible(world.users["da"], world.orgs["commune_dd"].pk) is None


def test_tasks_visible_by_unit_and_by_membership(world: World) -> None:
    plan = make_plan(world)
    svc.seed_plan_tasks(world.users["district"], plan)
    da_sees = list(sel.tasks_visible(world.users["da"]))
    # Its commune's duty, and the district's duties its People's Committee is a partner of.
    assert sorted(t.number for t in da_sees) == ["III.1", "III.6", "III.7", "III.9"]
    assert next(t for t in da_sees if t.number == "III.9").unit == world.dak_ang
    svc.member_add(world.users["district"], world.orgs["culture"], world.users["da"])
    numbers = sorted(t.number for t in sel.tasks_visible(world.users["da"]))
    assert numbers == ["III.1", "III.5", "III.6", "III.7", "III.9"]  # and the office it joined
    assert sel.tasks_visible(world.users["district"]).count() == 16
    assert sel.tasks_visible(world.users["outsider"]).count() == 0
    dd_task = Task.objects.get(number="III.9", unit=world.dak_duc)
    assert sel.task_visible(world.users["da"], dd_task.pk) is None
    assert access.can_report_task(
        world.users["da"], Task.objects.get(number="III.9", unit=world.dak_ang)
    )


def test_who_has_done_what(world: World, settings: SettingsWrapper) -> None:
    settings.GIAMNGHEO_TODAY = dt.date(2021, 1, 15)
    plan = make_plan(world)
    svc.seed_plan_tasks(world.users["district"], plan)
    iii2 = Task.objects.get(number="III.2")
    svc.task_report(world.users["agri"], iii2, TaskStatus.DONE, "Xong")
    iii7 = Task.objects.get(number="III.7")
    svc.task_report(world.users["bank"], iii7, TaskStatus.IN_PROGRESS, "Đang giải ngân")
    tallies = {t.organisation.pk: t for t in sel.org_tallies(world.users["district"])}
    agri, bank = tallies[world.orgs["agriculture"].pk], tallies[world.orgs["bank"].pk]
    assert (agri.total, agri.done, agri.overdue) == (1, 1, 0)
    assert (bank.total, bank.in_progress, bank.overdue) == (1, 1, 1)
    assert tallies[world.orgs["commune_da"].pk].overdue == 1
    assert sum(t.overdue for t in tallies.values()) == 15
    overdue = sel.filter_tasks(sel.tasks_visible(world.users["district"]), overdue=True)
    assert overdue.count() == 15 and not overdue.filter(pk=iii2.pk).exists()
    by_org = sel.filter_tasks(
        sel.tasks_visible(world.users["district"]), org=world.orgs["commune_da"].pk
    )
    assert sorted(t.number for t in by_org) == ["III.1", "III.6", "III.7", "III.9"]
    settings.GIAMNGHEO_TODAY = dt.date(2020, 12, 31)  # the due day itself is not late
    assert sum(t.overdue for t in sel.org_tallies(world.users["district"])) == 0
