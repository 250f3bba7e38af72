"""Access: a commune officer neither reads nor changes another commune's households or
members, read-only roles change nothing, and ID numbers are masked unless the profile allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.models import Household, Member
from giamngheo.registry.selectors import (
    household_get,
    household_members,
    households_visible,
    member_national_id,
    members_export_rows,
    review_history,
)
from giamngheo.registry.services import (
    household_create,
    household_update,
    member_add,
    member_update,
    review_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(district_officer: User, units: DemoUnits) -> dict[str, Household]:
    out = {}
    for code, commune in (("A1", "23380"), ("D1", "23383")):
        hh = household_create(
            actor=district_officer,
            commune=units.communes_old[commune],
            code=code,
            head_name=f"Chủ hộ {code}",
        )
        member_add(
            actor=district_officer,
            household=hh,
            full_name=f"Chủ hộ {code}",
            sex="male",
            relationship="head",
            birth_year=1980,
            national_id="062080000001" if code == "A1" else "062080000002",
        )
        out[code] = hh
    return out


def test_commune_officer_sees_only_their_commune(
    dak_ang_officer: User, district_officer: User, registry: dict[str, Household]
) -> None:
    assert list(households_visible(actor=dak_ang_officer).values_list("code", flat=True)) == ["A1"]
    assert households_visible(actor=district_officer).count() == 2
    with pytest.raises(Household.DoesNotExist):
        household_get(actor=dak_ang_officer, pk=registry["D1"].pk)
    with pytest.raises(Household.DoesNotExist):
        household_members(actor=dak_ang_officer, household=registry["D1"])
    with pytest.raises(Household.DoesNotExist):
        review_history(actor=dak_ang_officer, household=registry["D1"])
    rows = list(members_export_rows(actor=dak_ang_officer))
    assert [r["household_code"] for r in rows] == ["A1"]


def test_search_ignores_case_and_diacritics(
    district_officer: User, registry: dict[str, Household]
) -> None:
    found = households_visible(actor=district_officer, search="CHU HO a1")
    assert [h.code for h in found] == ["A1"]
    assert [h.code for h in households_visible(actor=district_officer, search="D1")] == ["D1"]
    assert [h.code for h in households_visible(actor=district_officer, search="hộ")] == ["A1", "D1"]


def test_no_change_to_another_commune(
    dak_ang_officer: User,
    dak_ang_leader: User,
    registry: dict[str, Household],
    units: DemoUnits,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    before = snapshot()
    other = registry["D1"]
    member = Member.objects.get(household=other)
    attempts: list[Callable[[], object]] = [
        lambda: household_update(actor=dak_ang_officer, household=other, head_name="Đổi"),
        lambda: member_update(actor=dak_ang_officer, member=member, full_name="Đổi"),
        lambda: member_add(
            actor=dak_ang_officer,
            household=other,
            full_name="X",
            sex="male",
            relationship="child",
            birth_year=2010,
        ),
        lambda: review_create(
            actor=dak_ang_officer, household=other, year=2019, inputs={"income": 1}
        ),
        lambda: household_create(
            actor=dak_ang_officer, commune=units.communes_old["23383"], code="X", head_name="X"
        ),
        # read-only role, own commune
        lambda: household_update(actor=dak_ang_leader, household=registry["A1"], head_name="Đổi"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert snapshot() == before


def test_id_numbers_masked_by_role(
    dak_ang_officer: User,
    district_officer: User,
    registry: dict[str, Household],
    dak_ang: AdminUnit,
) -> None:
    a1 = registry["A1"]
    m = Member.objects.get(household=a1)
    assert member_national_id(actor=dak_ang_officer, member=m) == "062*******01"
    assert member_national_id(actor=district_officer, member=m) == "062080000001"
    assert household_members(actor=dak_ang_officer, household=a1)[0].national_id == "062*******01"
    assert household_members(actor=district_officer, household=a1)[0].national_id == "062080000001"
    exported = list(members_export_rows(actor=dak_ang_officer))
    assert exported[0]["national_id"] == "062*******01"
    assert "062080000001" not in repr(exported)
    # The profile flag, not the role, decides.
    profile = dak_ang_officer.profile
    profile.can_view_national_id = True
    profile.save()
    fresh = User.objects.get(pk=dak_ang_officer.pk)
    assert household_members(actor=fresh, household=a1)[0].national_id == "062080000001"
    assert dak_ang.code == "23380"
