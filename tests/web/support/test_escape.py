"""Registering households to escape poverty (``support.services.escape``): who may, which
households (poor at the approved review of the year before, once a year, only while the
commune's review of the year is not approved), all or nothing for a confirmed list, audit rows,
refusals that change nothing; and registered versus escaped once the 2020 reviews exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from giamngheo.core.support.pipeline import registered_vs_escaped
from giamngheo.registry.models import AuditEvent, Household, HouseholdStatus
from giamngheo.support.models import EscapeRegistration
from giamngheo.support.selectors import needs as sel
from giamngheo.support.services.escape import (
    escape_register,
    escape_register_suggested,
    escape_unregister,
)

pytestmark = pytest.mark.django_db


def code_of(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


def test_a_commune_officer_registers_a_poor_household_of_its_commune(world: Any) -> None:
    hh = world.households["DA-01"]
    reg = escape_register(world.users["da"], hh, 2020, note="  nuôi bò, có việc làm  ")
    assert (reg.household_id, reg.commune_id, reg.year) == (hh.pk, world.dak_ang.pk, 2020)
    assert reg.note == "nuôi bò, có việc làm"
    assert reg.registered_by == world.users["da"]
    event = AuditEvent.objects.get(action="support_escape_register")
    assert event.object_id == str(reg.pk)
    assert event.actor == world.users["da"]
    assert event.changes["household"] == "DA-01"
    assert event.changes["year"] == 2020
    # The district's officers manage the commune too.
    other = escape_register(world.users["district"], world.households["DD-01"], 2020)
    assert other.commune_id == world.dak_duc.pk


@pytest.mark.parametrize("who", ["dd", "leader", "agri", "outsider"])
def test_only_officers_managing_the_commune_may_register(
    world: Any, unchanged: Callable[..., Any], who: str
) -> None:
    with unchanged(EscapeRegistration), pytest.raises(PermissionDenied):
        escape_register(world.users[who], world.households["DA-01"], 2020)


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("DA-03", 2020, "escape.not_poor"),  # near-poor in 2019
        ("DA-05", 2020, "escape.not_poor"),  # non-poor in 2019 (poor in 2018)
        ("DA-01", 2021, "escape.not_poor"),  # no approved review of 2020
        ("DA-01", 1999, "escape.bad_year"),
    ],
)
def test_only_households_poor_the_year_before(
    world: Any, unchanged: Callable[..., Any], code: str, year: int, expected: str
) -> None:
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["da"], world.households[code], year)
    assert code_of(exc) == expected


def test_a_household_that_left_is_not_registered(world: Any, unchanged: Callable[..., Any]) -> None:
    h = world.households
    Household.objects.filter(pk=h["DA-01"].pk).update(
        status=HouseholdStatus.MOVED_AWAY, status_date=dt.date(2020, 5, 1)
    )
    h["DA-01"].refresh_from_db()
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["da"], h["DA-01"], 2020)
    assert code_of(exc) == "escape.inactive"
    assert "DA-01" in str(exc.value) and " / " in str(exc.value)
    # In a confirmed list too: the whole list is refused, naming the household.
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register_suggested(world.users["da"], world.dak_ang, 2020,
                                  [h["DA-02"].pk, h["DA-01"].pk])  # fmt: skip
    assert code_of(exc) == "escape.inactive"
    assert "DA-01" in str(exc.value) and "DA-02" not in str(exc.value)


def test_a_year_whose_review_is_approved_is_closed(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    # DA-05 was poor in 2018, but Đắk Ang's 2019 review is approved: 2019 is over.
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["da"], world.households["DA-05"], 2019)
    assert code_of(exc) == "escape.review_done"


def test_once_a_year_and_a_note_of_limited_length(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    hh = world.households["DA-01"]
    escape_register(world.users["da"], hh, 2020)
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["district"], hh, 2020)
    assert code_of(exc) == "escape.already"
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["da"], world.households["DA-02"], 2020, note="x" * 301)
    assert code_of(exc) == "escape.note_too_long"


def test_unregister_before_the_review_and_not_after(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    from support_world import add_review

    h1, h2 = world.households["DA-01"], world.households["DA-02"]
    first = escape_register(world.users["da"], h1, 2020)
    with unchanged(EscapeRegistration), pytest.raises(PermissionDenied):
        escape_unregister(world.users["dd"], first)
    pk = first.pk
    escape_unregister(world.users["da"], first)
    assert not EscapeRegistration.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="support_escape_unregister")
    assert event.object_id == str(pk)
    assert event.changes == {"household": "DA-01", "commune": world.dak_ang.pk, "year": 2020}
    second = escape_register(world.users["da"], h2, 2020)
    # Đắk Ang's 2020 review is approved (one household is enough): the year is closed there.
    add_review(world.households["DA-08"], 2020, "poor", 500_000, ("water",))
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_unregister(world.users["da"], second)
    assert code_of(exc) == "escape.review_done"
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register(world.users["da"], h1, 2020)
    assert code_of(exc) == "escape.review_done"
    # Đắk Dục's is not.
    assert escape_register(world.users["district"], world.households["DD-02"], 2020).pk


def test_a_confirmed_list_is_registered_all_or_nothing(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    h = world.households
    da = world.users["da"]
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register_suggested(da, world.dak_ang, 2020, [h["DA-01"].pk, h["DA-03"].pk])
    assert code_of(exc) == "escape.not_poor"
    assert "DA-03" in str(exc.value) and "DA-01" not in str(exc.value)
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register_suggested(da, world.dak_ang, 2020, [h["DA-01"].pk, h["DD-01"].pk])
    assert code_of(exc) == "escape.not_in_commune"
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register_suggested(da, world.dak_ang, 2020, [])
    assert code_of(exc) == "escape.none_chosen"
    with unchanged(EscapeRegistration), pytest.raises(PermissionDenied):
        escape_register_suggested(world.users["dd"], world.dak_ang, 2020, [h["DA-01"].pk])
    made = escape_register_suggested(
        da, world.dak_ang, 2020, [h["DA-07"].pk, h["DA-01"].pk, h["DA-07"].pk], note="gợi ý"
    )
    assert sorted(r.household.code for r in made) == ["DA-01", "DA-07"]
    assert AuditEvent.objects.filter(action="support_escape_register").count() == 2
    # One already registered refuses the whole new list.
    with unchanged(EscapeRegistration), pytest.raises(ValidationError) as exc:
        escape_register_suggested(da, world.dak_ang, 2020, [h["DA-02"].pk, h["DA-07"].pk])
    assert code_of(exc) == "escape.already"
    assert "DA-07" in str(exc.value)


def test_registered_versus_escaped_after_the_2020_reviews(world: Any) -> None:
    from support_world import add_review

    h = world.households
    da = world.users["da"]
    escape_register_suggested(
        da, world.dak_ang, 2020, [h["DA-01"].pk, h["DA-02"].pk, h["DA-08"].pk]
    )
    add_review(h["DA-01"], 2020, "near_poor", 900_000, ("sanitation",))  # escaped
    add_review(h["DA-02"], 2020, "poor", 640_000, ("housing_quality",))  # still poor
    add_review(h["DA-07"], 2020, "non_poor", 1_800_000)  # escaped without registration
    # DA-08 has no 2020 review: unknown.
    communes = [world.dak_ang.pk]
    needs = sel.needs(da, year=2019, commune_ids=communes)
    poor = [n.household_id for n in needs if n.classification == "poor"]
    rows = registered_vs_escaped(
        sel.registrations(year=2020, commune_ids=communes),
        needs,
        sel.next_reviews(2020, poor),
        {world.dak_ang.pk: 3},
        year=2020,
    )
    commune = rows[0]
    assert commune.commune_id == world.dak_ang.pk
    assert (commune.target, commune.poor, commune.registered) == (3, 4, 3)
    assert (commune.registered_escaped, commune.registered_still_poor) == (1, 1)
    assert commune.registered_unknown == 1
    assert (commune.escaped, commune.escaped_unregistered) == (2, 1)
    assert commune.gap_to_target == 0


def test_a_registered_household_that_moves_away_still_counts_as_registered(world: Any) -> None:
    """Registered, then it left (no 2020 review): registered, outcome unknown; the households
    that left without registering are off the lists."""
    from support_world import add_review

    h = world.households
    da = world.users["da"]
    escape_register_suggested(da, world.dak_ang, 2020, [h["DA-01"].pk, h["DA-02"].pk])
    gone = [h["DA-01"].pk, h["DA-07"].pk]  # DA-07 never registered
    Household.objects.filter(pk__in=gone).update(
        status=HouseholdStatus.MOVED_AWAY, status_date=dt.date(2020, 5, 1)
    )
    add_review(h["DA-02"], 2020, "near_poor", 900_000)
    communes = [world.dak_ang.pk]
    needs = sel.needs(da, year=2019, commune_ids=communes)
    assert {n.code for n in needs if n.classification == "poor"} == {"DA-01", "DA-02", "DA-08"}
    poor = [n.household_id for n in needs if n.classification == "poor"]
    rows = registered_vs_escaped(
        sel.registrations(year=2020, commune_ids=communes),
        needs,
        sel.next_reviews(2020, poor),
        {world.dak_ang.pk: 2},
        year=2020,
    )
    commune = rows[0]
    assert (commune.poor, commune.registered, commune.not_on_list) == (3, 2, 0)
    assert (commune.registered_escaped, commune.registered_unknown) == (1, 1)
    assert commune.gap_to_target == 0
