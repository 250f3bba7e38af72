"""Households and members fixed by hand: the restructuring services (members move, split with
members, merge, move away to another commune) and the pages of every fix, for every role:
officers who manage the commune succeed; another commune's officer gets 404, a leader or a
collaborator 403 with a bilingual message, an anonymous visitor the login page; a refused
request changes no household, member or audit row. Invalid input re-shows the form with the
error at its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.chain import verify_chain
from giamngheo.registry.models import AuditEvent, EntryReason, Household, HouseholdStatus, Member
from giamngheo.registry.restructure import (
    household_merge,
    household_move_away,
    household_split,
    members_move,
)
from giamngheo.registry.services import household_create, member_add

pytestmark = pytest.mark.django_db

DAK_DUC = "23383"
DAY = dt.date(2024, 5, 20)


def dump() -> tuple[Any, ...]:
    """Every household, member, review and audit row, whole."""
    from giamngheo.registry.models import ReviewRecord

    return (
        list(Household.objects.order_by("pk").values_list()),
        list(Member.objects.order_by("pk").values_list()),
        list(ReviewRecord.objects.order_by("pk").values_list()),
        list(AuditEvent.objects.order_by("pk").values_list()),
    )


def villages(commune: AdminUnit) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("pk"))


@dataclass
class Reg:
    a1: Household
    a2: Household
    d1: Household
    head: Member
    child: Member


def _member(actor: User, hh: Household, name: str, rel: str, year: int) -> Member:
    return member_add(
        actor=actor,
        household=hh,
        full_name=name,
        sex="male",
        relationship=rel,
        birth_year=year,
    )


@pytest.fixture
def reg(district_officer: User, units: DemoUnits, dak_ang: AdminUnit) -> Reg:
    duc = units.communes_old[DAK_DUC]
    a1 = household_create(
        actor=district_officer,
        commune=dak_ang,
        village=villages(dak_ang)[0],
        code="A1",
        head_name="Nguyễn Văn A",
        flags={"no_labour_capacity": True},
    )
    a2 = household_create(actor=district_officer, commune=dak_ang, code="A2", head_name="Y B")
    d1 = household_create(actor=district_officer, commune=duc, code="D1", head_name="A Đức")
    head = _member(district_officer, a1, "Nguyễn Văn A", "head", 1970)
    child = _member(district_officer, a1, "Nguyễn Văn Con", "child", 2000)
    _member(district_officer, a2, "Y B", "head", 1980)
    _member(district_officer, d1, "A Đức", "head", 1960)
    return Reg(a1, a2, d1, head, child)


@pytest.fixture
def collaborator(dak_ang: AdminUnit) -> User:
    user = User.objects.create_user(username="ctv", password="x")
    UserProfile.objects.create(user=user, unit=dak_ang, role=Role.COLLABORATOR)
    return user


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------
def test_members_move_is_audited_per_member(dak_ang_officer: User, reg: Reg) -> None:
    moved = members_move(actor=dak_ang_officer, members=[reg.child], to_household=reg.a2)
    assert [m.pk for m in moved] == [reg.child.pk]
    assert Member.objects.get(pk=reg.child.pk).household_id == reg.a2.pk
    ev = AuditEvent.objects.get(action="member_move")
    assert ev.object_id == str(reg.child.pk) and ev.changes == {"household": [reg.a1.pk, reg.a2.pk]}
    # Moving it again to where it is does nothing.
    assert members_move(actor=dak_ang_officer, members=[reg.child], to_household=reg.a2) == []
    assert verify_chain().intact


def test_members_move_across_communes_needs_both(
    dak_ang_officer: User, district_officer: User, reg: Reg
) -> None:
    before = dump()
    with pytest.raises(PermissionDenied):
        members_move(actor=dak_ang_officer, members=[reg.child], to_household=reg.d1)
    assert dump() == before
    members_move(actor=district_officer, members=[reg.child], to_household=reg.d1)
    assert Member.objects.get(pk=reg.child.pk).household_id == reg.d1.pk


def test_split_moves_the_chosen_members(dak_ang_officer: User, reg: Reg) -> None:
    new = household_split(
        actor=dak_ang_officer,
        source=reg.a1,
        code="A1T",
        head_name="Nguyễn Văn Con",
        entry_date=DAY,
        members=[reg.child],
        address="Thôn 2",
    )
    assert (new.entry_reason, new.entry_date, new.came_from_id) == (
        EntryReason.SPLIT_OFF,
        DAY,
        reg.a1.pk,
    )
    assert list(new.members.values_list("pk", flat=True)) == [reg.child.pk]
    assert list(reg.a1.members.values_list("pk", flat=True)) == [reg.head.pk]
    assert Household.objects.get(pk=reg.a1.pk).status == HouseholdStatus.ACTIVE
    # Members of another household are refused, and nothing is written.
    before = dump()
    other = Member.objects.get(household=reg.a2)
    with pytest.raises(ValidationError) as exc:
        household_split(
            actor=dak_ang_officer,
            source=reg.a1,
            code="A1U",
            head_name="X",
            entry_date=DAY,
            members=[other],
        )
    assert exc.value.code == "members"
    assert dump() == before


def test_merge_moves_members_and_marks_the_household(dak_ang_officer: User, reg: Reg) -> None:
    household_merge(actor=dak_ang_officer, household=reg.a2, into=reg.a1, on_date=DAY)
    a2 = Household.objects.get(pk=reg.a2.pk)
    assert (a2.status, a2.status_date, a2.went_to_id) == (HouseholdStatus.MERGED, DAY, reg.a1.pk)
    assert a2.members.count() == 0 and reg.a1.members.count() == 3
    ev = AuditEvent.objects.get(action="household_merge")
    assert (
        ev.changes["went_to"] == [None, reg.a1.pk] and ev.changes["status_date"][1] == "2024-05-20"
    )
    before = dump()
    # A merged household cannot merge again; a household cannot merge into itself.
    for household, into in ((reg.a2, reg.a1), (reg.a1, reg.a1)):
        with pytest.raises(ValidationError):
            household_merge(actor=dak_ang_officer, household=household, into=into, on_date=DAY)
    assert dump() == before


def test_move_away_creates_the_household_in_the_other_commune(
    district_officer: User, dak_ang_officer: User, reg: Reg, units: DemoUnits
) -> None:
    duc = units.communes_old[DAK_DUC]
    before = dump()
    with pytest.raises(PermissionDenied):  # the commune officer does not manage Đắk Dục
        household_move_away(
            actor=dak_ang_officer,
            household=reg.a1,
            to_commune=duc,
            village=None,
            on_date=DAY,
            new_code="D9",
        )
    with pytest.raises(ValidationError) as exc:  # the code is taken there
        household_move_away(
            actor=district_officer,
            household=reg.a1,
            to_commune=duc,
            village=None,
            on_date=DAY,
            new_code="D1",
        )
    assert exc.value.code == "duplicate_code"
    assert dump() == before
    new = household_move_away(
        actor=district_officer,
        household=reg.a1,
        to_commune=duc,
        village=villages(duc)[0],
        on_date=DAY,
        new_code="D9",
    )
    old = Household.objects.get(pk=reg.a1.pk)
    assert (old.status, old.status_date, old.went_to_id) == (
        HouseholdStatus.MOVED_AWAY,
        DAY,
        new.pk,
    )
    assert (new.commune_id, new.entry_reason, new.entry_date) == (duc.pk, EntryReason.MOVED_IN, DAY)
    assert new.head_name == old.head_name and new.no_labour_capacity
    assert sorted(new.members.values_list("pk", flat=True)) == [reg.head.pk, reg.child.pk]
    assert verify_chain().intact


# ---------------------------------------------------------------------------------------------
# Pages × roles
# ---------------------------------------------------------------------------------------------
Case = Callable[[Reg, DemoUnits], tuple[str, dict[str, Any]]]


def _create(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    commune = u.communes_old["23380"]
    return reverse("registry:household_create"), {
        "commune": commune.pk,
        "village": villages(commune)[1].pk,
        "code": "A9",
        "head_name": "Hộ Mới",
        "entry_reason": "moved_in",
        "entry_date": "2024-05-01",
        "female_head": "on",
    }


def _edit(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:household_edit", args=[r.a1.pk]), {
        "head_name": "Nguyễn Văn Sửa",
        "address": "Số 1",
        "village": r.a1.village_id,
        "no_labour_capacity": "on",
    }


def _member_add(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:member_add", args=[r.a1.pk]), {
        "full_name": "Nguyễn Thị Mới",
        "sex": "female",
        "relationship": "child",
        "birth_year": "2010",
    }


def _member_edit(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:member_edit", args=[r.child.pk]), {
        "full_name": "Nguyễn Văn Con Sửa",
        "sex": "male",
        "relationship": "child",
        "birth_year": "2001",
        "in_school": "on",
    }


def _split(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:household_split", args=[r.a1.pk]), {
        "code": "A1T",
        "head_name": "Nguyễn Văn Con",
        "entry_date": "2024-05-20",
        "members": [r.child.pk],
    }


def _merge(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:household_merge", args=[r.a2.pk]), {
        "into": "A1",
        "on_date": "2024-05-20",
    }


def _move(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:household_move", args=[r.a1.pk]), {
        "village": villages(u.communes_old["23380"])[1].pk
    }


def _move_away(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    duc = u.communes_old[DAK_DUC]
    return reverse("registry:household_move_away", args=[r.a2.pk]), {
        "to_commune": duc.pk,
        "village": villages(duc)[0].pk,
        "code": "D7",
        "on_date": "2024-05-20",
    }


def _status(r: Reg, u: DemoUnits) -> tuple[str, dict[str, Any]]:
    return reverse("registry:household_status", args=[r.a2.pk]), {
        "status": "dissolved",
        "on_date": "2024-05-20",
    }


def _effect(name: str, r: Reg) -> None:
    """What a successful POST of the page ``name`` wrote."""
    a1 = Household.objects.get(pk=r.a1.pk)
    a2 = Household.objects.get(pk=r.a2.pk)
    checks: dict[str, Callable[[], bool]] = {
        "create": lambda: Household.objects.filter(
            code="A9", entry_reason="moved_in", female_head=True
        ).exists(),
        "edit": lambda: a1.head_name == "Nguyễn Văn Sửa" and a1.address == "Số 1",
        "member_add": lambda: a1.members.filter(full_name="Nguyễn Thị Mới").exists(),
        "member_edit": lambda: Member.objects.get(pk=r.child.pk).in_school,
        "split": lambda: Member.objects.get(pk=r.child.pk).household.code == "A1T",
        "merge": lambda: a2.status == HouseholdStatus.MERGED and a2.went_to_id == a1.pk,
        "move": lambda: a1.village_id != r.a1.village_id,
        "move_away": lambda: (
            a2.status == HouseholdStatus.MOVED_AWAY
            and Household.objects.filter(code="D7", went_to=None).exists()
        ),
        "status": lambda: a2.status == HouseholdStatus.DISSOLVED,
    }
    assert checks[name](), name


CASES: dict[str, Case] = {
    "create": _create,
    "edit": _edit,
    "member_add": _member_add,
    "member_edit": _member_edit,
    "split": _split,
    "merge": _merge,
    "move": _move,
    "move_away": _move_away,
    "status": _status,
}
#: role → expected answer of a POST (``ok``: the change is made and the page redirects).
ROLES = {
    "district_officer": "ok",
    "dak_ang_officer": "ok",
    "dak_duc_officer": 404,
    "dak_ang_leader": 403,
    "collaborator": 403,
    "anonymous": "login",
}


def _client(request: pytest.FixtureRequest, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(CASES))
def test_every_page_for_every_role(
    request: pytest.FixtureRequest, reg: Reg, units: DemoUnits, name: str, role: str
) -> None:
    expected = ROLES[role]
    if name == "create" and role == "dak_duc_officer":
        expected = 403  # may create in their own commune, not in Đắk Ang
    if name == "move_away" and role == "dak_ang_officer":
        expected = 403  # does not manage Đắk Dục, where the household would go
    client = _client(request, role)
    url, data = CASES[name](reg, units)
    before = dump()
    got = client.get(url)
    post = client.post(url, data)
    if expected == "ok":
        assert got.status_code == 200
        assert post.status_code == 302, post.content.decode()[-2000:]
        _effect(name, reg)
        assert verify_chain().intact
        return
    if expected == "login":
        assert got.status_code == post.status_code == 302
        assert "/login" in post["Location"] or "dang-nhap" in post["Location"]
    else:
        assert post.status_code == expected
        if name != "create" or role != "dak_duc_officer":
            assert got.status_code == expected
    if expected == 403:
        text = post.content.decode()
        assert "không có quyền" in text.lower() and "may not change" in text
    assert dump() == before


def test_detail_links_only_for_managers(
    request: pytest.FixtureRequest, reg: Reg, dak_ang_leader: User, dak_ang_officer: User
) -> None:
    url = reverse("registry:detail", args=[reg.a1.pk])
    edit = reverse("registry:household_edit", args=[reg.a1.pk])
    member = reverse("registry:member_edit", args=[reg.child.pk])
    shown = _client(request, "dak_ang_officer").get(url).content.decode()
    assert edit in shown and member in shown
    assert reverse("registry:household_split", args=[reg.a1.pk]) in shown
    hidden = _client(request, "dak_ang_leader").get(url).content.decode()
    assert edit not in hidden and member not in hidden


def _field_errors(response: Any, field: str) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].errors.get(field, []))


def test_invalid_input_shows_errors_at_their_fields(
    request: pytest.FixtureRequest, reg: Reg, units: DemoUnits
) -> None:
    client = _client(request, "dak_ang_officer")
    before = dump()
    url, data = _create(reg, units)
    assert "A1" in " ".join(_field_errors(client.post(url, {**data, "code": "A1"}), "code"))
    no_date = {**data, "entry_date": ""}
    assert _field_errors(client.post(url, no_date), "entry_date")
    other_village = {**data, "village": villages(units.communes_old[DAK_DUC])[0].pk}
    assert _field_errors(client.post(url, other_village), "village")
    url, data = _member_add(reg, units)
    assert _field_errors(client.post(url, {**data, "birth_year": ""}), "birth_year")
    bad_id = client.post(url, {**data, "national_id": "123"})
    assert _field_errors(bad_id, "national_id")
    url, data = _merge(reg, units)
    assert _field_errors(client.post(url, {**data, "into": "ZZ"}), "into")
    url, data = _split(reg, units)
    assert _field_errors(client.post(url, {**data, "members": [999999]}), "members")
    assert dump() == before


def test_member_edit_keeps_an_unseen_id_number(
    request: pytest.FixtureRequest, reg: Reg, units: DemoUnits, district_officer: User
) -> None:
    Member.objects.filter(pk=reg.child.pk).update(national_id="062200000001")
    client = _client(request, "dak_ang_officer")  # may not see ID numbers
    url, data = _member_edit(reg, units)
    page = client.get(url).content.decode()
    assert "062200000001" not in page
    assert client.post(url, {**data, "birth_year": "2000"}).status_code == 302
    child = Member.objects.get(pk=reg.child.pk)
    assert child.national_id == "062200000001" and child.full_name == "Nguyễn Văn Con Sửa"
