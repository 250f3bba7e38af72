"""The freeze hook (``registry.freeze``): with a check registered, every service that changes a
frozen household, its members or its reviews refuses (``ValidationError``, code "frozen",
the check's bilingual reason) and writes nothing; ``through_complaint`` lets the change
through and the audit row names the complaint; other households are not affected; a page
shows the reason on its form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from giamngheo.geo.models import AdminUnit
from giamngheo.registry import freeze
from giamngheo.registry.models import AuditEvent, Household, Member, ReviewRecord
from giamngheo.registry.restructure import (
    household_merge,
    household_move_away,
    household_split,
    members_move,
)
from giamngheo.registry.services import (
    household_create,
    household_set_status,
    household_split_off,
    household_update,
    member_add,
    member_update,
    review_approve,
    review_correct,
    review_create,
    review_update,
)

pytestmark = pytest.mark.django_db

REASON = "Danh sách của xã đang niêm yết / the list of the commune is publicly posted"
DAY = dt.date(2024, 5, 20)
DEPS = (
    "health_access",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_assets",
)


def inputs(income: int) -> dict[str, object]:
    return {"income": income, **{f"dep_{k}": 0 for k in DEPS}}


class Complaint:
    pk = 77


def dump() -> tuple[Any, ...]:
    return (
        list(Household.objects.order_by("pk").values_list()),
        list(Member.objects.order_by("pk").values_list()),
        list(ReviewRecord.objects.order_by("pk").values_list()),
        list(AuditEvent.objects.order_by("pk").values_list()),
    )


@pytest.fixture
def world(district_officer: User, dak_ang: AdminUnit, units: Any) -> dict[str, Any]:
    actor = district_officer
    frozen = household_create(actor=actor, commune=dak_ang, code="F1", head_name="Đóng Băng")
    free = household_create(actor=actor, commune=dak_ang, code="L1", head_name="Tự Do")
    member = member_add(
        actor=actor,
        household=frozen,
        full_name="Đóng Băng",
        sex="male",
        relationship="head",
        birth_year=1970,
    )
    draft = review_create(actor=actor, household=frozen, year=2019, inputs=inputs(500))
    approved = review_create(actor=actor, household=frozen, year=2020, inputs=inputs(500))
    review_approve(actor=actor, review=approved)
    return {
        "frozen": frozen,
        "free": free,
        "member": member,
        "draft": draft,
        "approved": approved,
        "duc": units.communes_old["23383"],
    }


@pytest.fixture
def check(world: dict[str, Any]) -> Iterator[Callable[[Sequence[int]], str | None]]:
    frozen_pk = world["frozen"].pk

    def posted(household_ids: Sequence[int]) -> str | None:
        return REASON if frozen_pk in household_ids else None

    freeze.register_freeze_check(posted)
    yield posted
    freeze.unregister_freeze_check(posted)


def _attempts(actor: User, w: dict[str, Any]) -> dict[str, Callable[..., object]]:
    hh, free, member = w["frozen"], w["free"], w["member"]
    return {
        "update": lambda **k: household_update(actor=actor, household=hh, head_name="Đổi", **k),
        "status": lambda **k: household_set_status(
            actor=actor, household=hh, status="dissolved", on=DAY, **k
        ),
        "split_off": lambda **k: household_split_off(
            actor=actor, source=hh, code="F2", head_name="Tách", entry_date=DAY, **k
        ),
        "member_add": lambda **k: member_add(
            actor=actor,
            household=hh,
            full_name="Mới",
            sex="female",
            relationship="child",
            birth_year=2015,
            **k,
        ),
        "member_update": lambda **k: member_update(
            actor=actor, member=member, full_name="Đổi", **k
        ),
        "review_create": lambda **k: review_create(
            actor=actor, household=hh, year=2018, inputs=inputs(400), **k
        ),
        "review_update": lambda **k: review_update(
            actor=actor, review=w["draft"], inputs=inputs(300), **k
        ),
        "review_correct": lambda **k: review_correct(
            actor=actor, review=w["approved"], inputs=inputs(300), reason="Sai thu nhập", **k
        ),
        "members_move_out": lambda **k: members_move(
            actor=actor, members=[member], to_household=free, **k
        ),
        "split": lambda **k: household_split(
            actor=actor,
            source=hh,
            code="F3",
            head_name="Tách",
            entry_date=DAY,
            members=[member],
            **k,
        ),
        "merge_from": lambda **k: household_merge(
            actor=actor, household=hh, into=free, on_date=DAY, **k
        ),
        "merge_into": lambda **k: household_merge(
            actor=actor, household=free, into=hh, on_date=DAY, **k
        ),
        "move_away": lambda **k: household_move_away(
            actor=actor,
            household=hh,
            to_commune=w["duc"],
            village=None,
            on_date=DAY,
            new_code="F9",
            **k,
        ),
    }


NAMES = [
    "update",
    "status",
    "split_off",
    "member_add",
    "member_update",
    "review_create",
    "review_update",
    "review_correct",
    "members_move_out",
    "split",
    "merge_from",
    "merge_into",
    "move_away",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_frozen_household_refuses_every_change(
    district_officer: User, world: dict[str, Any], check: object, name: str
) -> None:
    attempt = _attempts(district_officer, world)[name]
    before = dump()
    with pytest.raises(ValidationError) as exc:
        attempt()
    assert exc.value.code == "frozen" and exc.value.messages == [REASON]
    assert dump() == before


@pytest.mark.parametrize("name", NAMES)
def test_through_a_complaint_the_change_is_made_and_audited(
    district_officer: User, world: dict[str, Any], check: object, name: str
) -> None:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _attempts(district_officer, world)[name](through_complaint=Complaint())
    events = AuditEvent.objects.filter(pk__gt=last)
    assert events.exists()
    if name != "split_off":  # a new household: its creation row names no complaint
        assert any(e.changes.get("through_complaint") == Complaint.pk for e in events)


def test_other_households_and_no_check(
    district_officer: User, world: dict[str, Any], check: Callable[[Sequence[int]], str | None]
) -> None:
    assert freeze.frozen_reason([world["free"].pk]) is None
    assert freeze.frozen_reason([world["free"].pk, world["frozen"].pk]) == REASON
    household_update(actor=district_officer, household=world["free"], head_name="Được sửa")
    freeze.unregister_freeze_check(check)
    assert freeze.frozen_reason([world["frozen"].pk]) is None
    household_update(actor=district_officer, household=world["frozen"], head_name="Được sửa")
    assert Household.objects.get(pk=world["frozen"].pk).head_name == "Được sửa"


def test_a_page_shows_the_reason_and_changes_nothing(
    district_officer: User, world: dict[str, Any], check: object
) -> None:
    client = Client()
    client.force_login(district_officer)
    hh = world["frozen"]
    before = dump()
    response = client.post(
        reverse("registry:household_edit", args=[hh.pk]), {"head_name": "Đổi", "address": ""}
    )
    assert response.status_code == 200
    assert REASON in response.content.decode()
    assert response.context["form"].non_field_errors() == [REASON]
    assert dump() == before


def test_approving_a_draft_or_committing_an_import_refuse_a_frozen_household(
    district_officer: User, world: dict[str, Any], check: object, dak_ang: AdminUnit
) -> None:
    """Two ways round the campaign: approving the household's draft directly, and a file
    committed while its list is posted. Both are refused with the reason; nothing written."""
    from registry_files import YEAR, hh_row, member_row, two_sheet_file

    from giamngheo.registry.imports import ImportConflict
    from giamngheo.registry.models import ImportStatus
    from giamngheo.registry.services import import_commit, import_upload, import_validate

    before = dump()
    with pytest.raises(ValidationError) as exc:
        review_approve(actor=district_officer, review=world["draft"])
    assert exc.value.code == "frozen" and REASON in exc.value.messages[0]
    assert dump() == before

    content = two_sheet_file(
        [hh_row("L1", "Tự Do", persons=1), hh_row("F1", "Đóng Băng", persons=1, village="Thôn 2")],
        [
            member_row("L1", "Tự Do", "Nam", 1980, "Chủ hộ"),
            member_row("F1", "Đóng Băng", "Nam", 1970, "Chủ hộ"),
        ],
    )
    batch = import_upload(
        actor=district_officer, scope=dak_ang, year=YEAR, file_name="f.xlsx", content=content
    )
    batch = import_validate(batch=batch, actor=district_officer)
    assert batch.status == ImportStatus.VALIDATED, batch.file_errors
    assert batch.households_valid == 2
    before = dump()
    with pytest.raises(ImportConflict) as conflict:
        import_commit(batch=batch, actor=district_officer)
    assert REASON in conflict.value.messages[0]
    assert dump() == before  # not even the free household L1 of the same file
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
