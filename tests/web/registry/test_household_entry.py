"""How a household came into the registry, on the household (``entry_reason``, ``entry_date``,
``came_from``): the model's rules and constraints, the services (audited, scoped), the
transitions reading them year by year, the household page, and the demo loader."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from registry_files import DAK_ANG, DAK_DUC

from giamngheo.core.synth.history import ngoc_hoi_history, to_transition_records
from giamngheo.core.transitions import EntryReason as Movement
from giamngheo.core.transitions import History, histories_from_records
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.demo import load_demo_registry
from giamngheo.registry.histories import _entry_reason, unit_histories
from giamngheo.registry.models import (
    AuditEvent,
    EntryReason,
    Household,
    HouseholdStatus,
    ReviewRecord,
)
from giamngheo.registry.services import household_create, household_split_off

pytestmark = pytest.mark.django_db


def _household(commune: AdminUnit, code: str, **fields: Any) -> Household:
    fields.setdefault("head_name", f"Chủ hộ {code}")
    return Household.objects.create(commune=commune, code=code, **fields)


def _reviewed(hh: Household, *years: int) -> Household:
    ReviewRecord.objects.bulk_create(
        ReviewRecord(
            household=hh,
            year=y,
            kind="periodic",
            review_date=dt.date(y, 12, 31),
            standard_id="QD59-2015",
            classification="poor",
            persons=3,
            state="approved",
        )
        for y in years
    )
    return hh


# ---------------------------------------------------------------------------------------------
# Model: clean() and the database constraints
# ---------------------------------------------------------------------------------------------
def test_clean_needs_a_date_with_a_reason_and_a_reason_with_a_date(dak_ang: AdminUnit) -> None:
    hh = Household(commune=dak_ang, code="E1", head_name="A", entry_reason=EntryReason.MOVED_IN)
    with pytest.raises(ValidationError) as exc:
        hh.full_clean()
    assert exc.value.message_dict["entry_date"] == ["Cần ngày vào sổ / an entry date is needed."]
    hh.entry_reason, hh.entry_date = EntryReason.ORIGINAL, dt.date(2019, 3, 12)
    with pytest.raises(ValidationError) as exc:
        hh.full_clean()
    assert "entry_reason" in exc.value.message_dict
    hh.entry_reason = EntryReason.MOVED_IN
    hh.full_clean()  # reason and date: valid


def test_clean_came_from_only_for_a_split_off_and_never_itself(dak_ang: AdminUnit) -> None:
    source = _household(dak_ang, "S1")
    hh = _household(dak_ang, "E2", entry_reason="split_off", entry_date=dt.date(2019, 5, 1))
    hh.came_from = source
    hh.full_clean()
    hh.entry_reason = EntryReason.MOVED_IN
    with pytest.raises(ValidationError) as exc:
        hh.full_clean()
    assert "came_from" in exc.value.message_dict
    hh.entry_reason, hh.came_from = EntryReason.SPLIT_OFF, hh
    with pytest.raises(ValidationError) as exc:
        hh.full_clean()
    assert exc.value.message_dict["came_from"] == [
        "Hộ không thể tách từ chính nó / a household cannot split off from itself."
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"entry_reason": "moved_in"},  # a reason without its date
        {"entry_date": dt.date(2019, 3, 12)},  # a date without a reason
        {"entry_reason": "moved_in", "entry_date": dt.date(2019, 3, 12), "came_from": "source"},
    ],
    ids=["reason-no-date", "date-no-reason", "came-from-not-split"],
)
def test_database_refuses_inconsistent_entries(dak_ang: AdminUnit, fields: dict[str, Any]) -> None:
    source = _household(dak_ang, "S1")
    if fields.get("came_from") == "source":
        fields = {**fields, "came_from": source}
    with pytest.raises(IntegrityError), transaction.atomic():
        _household(dak_ang, "E3", **fields)
    assert not Household.objects.filter(code="E3").exists()


def test_a_row_inserted_without_the_column_is_original(dak_ang: AdminUnit) -> None:
    # The staged import inserts households naming only its own columns: the database default.
    hh = _household(dak_ang, "E4")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_household (commune_id, code, head_name, head_name_key, address,"
            " ethnic_minority, area, indigenous_minority, no_labour_capacity, merit_member,"
            " social_assistance_member, female_head, status, created_at, updated_at)"
            " SELECT commune_id, 'E5', head_name, head_name_key, address, ethnic_minority, area,"
            " indigenous_minority, no_labour_capacity, merit_member, social_assistance_member,"
            " female_head, status, created_at, updated_at FROM registry_household WHERE id = %s",
            [hh.pk],
        )
    raw = Household.objects.get(commune=dak_ang, code="E5")
    assert (raw.entry_reason, raw.entry_date, raw.came_from_id) == ("", None, None)


def test_split_off_label_differs_from_the_split_status_in_english() -> None:
    with translation.override("en"):
        assert str(EntryReason.SPLIT_OFF.label) == "Split off"
        assert str(EntryReason.MOVED_IN.label) == "Moved in"
        assert str(HouseholdStatus.SPLIT.label) == "Split"
    with translation.override("vi"):
        assert str(EntryReason.SPLIT_OFF.label) == "Tách hộ"


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------
def test_create_with_entry_is_stored_and_audited(dak_ang_officer: User, dak_ang: AdminUnit) -> None:
    source = _household(dak_ang, "S1")
    hh = household_create(
        actor=dak_ang_officer,
        commune=dak_ang,
        code="N1",
        head_name="Y Nhung",
        entry_reason=EntryReason.SPLIT_OFF,
        entry_date=dt.date(2019, 3, 12),
        came_from=source,
    )
    hh.refresh_from_db()
    assert (hh.entry_reason, hh.entry_date, hh.came_from_id) == (
        "split_off",
        dt.date(2019, 3, 12),
        source.pk,
    )
    assert list(source.split_offs.all()) == [hh]
    ev = AuditEvent.objects.get(action="household_create", object_id=str(hh.pk))
    assert ev.actor_id == dak_ang_officer.pk
    assert ev.changes == {
        "code": "N1",
        "commune": dak_ang.pk,
        "entry_reason": "split_off",
        "entry_date": "2019-03-12",
        "came_from": source.pk,
    }
    # Without an entry, the audit row names no entry fields.
    plain = household_create(actor=dak_ang_officer, commune=dak_ang, code="N2", head_name="B")
    ev = AuditEvent.objects.get(action="household_create", object_id=str(plain.pk))
    assert ev.changes == {"code": "N2", "commune": dak_ang.pk}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"entry_reason": "moved_in"}, "Cần ngày vào sổ / an entry date is needed"),
        ({"entry_date": dt.date(2019, 1, 2)}, "an entry date needs an entry reason"),
        ({"entry_reason": "came_by_boat", "entry_date": dt.date(2019, 1, 2)}, "unknown entry"),
        (
            {"entry_reason": "moved_in", "entry_date": dt.date(2019, 1, 2), "came_from": "src"},
            "only a household that split off",
        ),
    ],
    ids=["reason-no-date", "date-no-reason", "unknown-reason", "came-from-not-split"],
)
def test_create_refuses_bad_entries_and_writes_nothing(
    dak_ang_officer: User,
    dak_ang: AdminUnit,
    snapshot: Callable[[], tuple[Any, ...]],
    fields: dict[str, Any],
    message: str,
) -> None:
    source = _household(dak_ang, "S1")
    if fields.get("came_from") == "src":
        fields = {**fields, "came_from": source}
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        household_create(actor=dak_ang_officer, commune=dak_ang, code="N1", head_name="X", **fields)
    assert message in str(exc.value)
    assert snapshot() == before


def test_commune_officer_cannot_name_another_communes_household(
    dak_ang_officer: User,
    district_officer: User,
    units: DemoUnits,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    dak_ang, dak_duc = units.communes_old[DAK_ANG], units.communes_old[DAK_DUC]
    other = _household(dak_duc, "D1", head_name="Bí Mật Đắk Dục")
    before = snapshot()
    with pytest.raises(PermissionDenied) as exc:
        household_create(
            actor=dak_ang_officer,
            commune=dak_ang,
            code="N1",
            head_name="X",
            entry_reason=EntryReason.SPLIT_OFF,
            entry_date=dt.date(2019, 3, 12),
            came_from=other,
        )
    assert "Bí Mật" not in str(exc.value) and "D1" not in str(exc.value)
    assert snapshot() == before
    # A district officer sees both communes: the same write is allowed.
    hh = household_create(
        actor=district_officer,
        commune=dak_ang,
        code="N1",
        head_name="X",
        entry_reason=EntryReason.SPLIT_OFF,
        entry_date=dt.date(2019, 3, 12),
        came_from=other,
    )
    assert hh.came_from_id == other.pk


def test_split_off_service(
    dak_ang_officer: User,
    dak_duc_officer: User,
    dak_ang: AdminUnit,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    source = _household(dak_ang, "S1")
    village = AdminUnit.objects.get(parent=dak_ang, name="Thôn 1")
    hh = household_split_off(
        actor=dak_ang_officer,
        source=source,
        code="T1",
        head_name="A Tách",
        entry_date=dt.date(2020, 2, 1),
        village=village,
        flags={"female_head": True},
    )
    hh.refresh_from_db()
    assert (hh.commune_id, hh.village_id, hh.female_head) == (dak_ang.pk, village.pk, True)
    assert (hh.entry_reason, hh.entry_date, hh.came_from_id) == (
        "split_off",
        dt.date(2020, 2, 1),
        source.pk,
    )
    assert AuditEvent.objects.get(object_id=str(hh.pk)).changes["came_from"] == source.pk
    # An officer of another commune may not split a household of Đắk Ang.
    before = snapshot()
    with pytest.raises(PermissionDenied):
        household_split_off(
            actor=dak_duc_officer,
            source=source,
            code="T2",
            head_name="B",
            entry_date=dt.date(2020, 2, 1),
        )
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------
def _entries(histories: list[History]) -> dict[str, dict[int, Movement | None]]:
    """Household pk → {year: entry reason} of its present records."""
    return {
        h.household_id: {r.year: r.entry_reason for r in h.records if r.present} for h in histories
    }


def test_transitions_read_the_entry_from_the_household(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    def moved_in(on: dt.date) -> dict[str, Any]:
        return {"entry_reason": "moved_in", "entry_date": on}

    source = _reviewed(_household(dak_ang, "A0"), 2018, 2019, 2020)  # the unit's first year
    cases = {
        # household: (fields, review years, expected entry reason by year)
        "moved_2019": (moved_in(dt.date(2019, 5, 1)), (2019, 2020), {2019: Movement.MOVED_IN}),
        "split_2020": (
            {"entry_reason": "split_off", "entry_date": dt.date(2020, 2, 1), "came_from": source},
            (2020,),
            {2020: Movement.SPLIT_OFF},
        ),
        # A first arrival recorded in an earlier year (here: after the 2018 review) counts.
        "after_2018": (moved_in(dt.date(2018, 11, 20)), (2019,), {2019: Movement.MOVED_IN}),
        "long_ago": (moved_in(dt.date(2015, 6, 1)), (2019,), {2019: Movement.MOVED_IN}),
        # Dated after the review it appears in.
        "too_late": (moved_in(dt.date(2020, 3, 1)), (2019, 2020), {2019: Movement.UNRECORDED}),
        "nothing": ({}, (2020,), {2020: Movement.UNRECORDED}),
        # Left in 2019, came back in 2020: the date must fall in [2019, 2020].
        "returned": (moved_in(dt.date(2020, 4, 1)), (2018, 2020), {2020: Movement.MOVED_IN}),
        "returned_late_2019": (
            moved_in(dt.date(2019, 11, 20)),
            (2018, 2020),
            {2020: Movement.MOVED_IN},
        ),
        "returned_old": (moved_in(dt.date(2018, 4, 1)), (2018, 2020), {2020: Movement.UNRECORDED}),
    }
    pks: dict[str, int] = {}
    for code, (fields, years, _) in cases.items():
        pks[code] = _reviewed(_household(dak_ang, code, **fields), *years).pk
    # Fallback: no entry recorded, but a household that split names it as where it went.
    fallback = _reviewed(_household(dak_ang, "fallback"), 2020)
    _household(
        dak_ang,
        "gone",
        status=HouseholdStatus.SPLIT,
        status_date=dt.date(2020, 1, 1),
        went_to=fallback,
    )

    got = _entries(unit_histories(actor=district_officer, unit=dak_ang))
    for code, (_, years, expected) in cases.items():
        want: dict[int, Movement | None] = dict.fromkeys(years) | expected
        assert got[str(pks[code])] == want, code
    assert got[str(fallback.pk)] == {2020: Movement.SPLIT_OFF}
    assert got[str(source.pk)] == {2018: None, 2019: None, 2020: None}


def test_entry_reason_rule() -> None:
    # A reason without a date (the model refuses it; older data) counts for any year.
    assert _entry_reason(("moved_in", None), 2018, 2019, False) is Movement.MOVED_IN
    assert _entry_reason(("split_off", dt.date(2019, 12, 31)), 2018, 2019, False) is (
        Movement.SPLIT_OFF
    )
    assert _entry_reason(("", None), 2018, 2019, True) is Movement.SPLIT_OFF
    assert _entry_reason(("", None), 2018, 2019, False) is Movement.UNRECORDED
    # First arrival: any recorded date up to the review year explains it — also one after
    # the previous year's review (20/11/2018 for the 2019 review) or long before.
    for on in (dt.date(2018, 11, 20), dt.date(2015, 6, 1)):
        assert _entry_reason(("moved_in", on), 2018, 2019, True) is Movement.MOVED_IN
    # ... but not a date after it
    assert _entry_reason(("moved_in", dt.date(2020, 1, 5)), 2018, 2019, False) is (
        Movement.UNRECORDED
    )
    # A return after an absence: an arrival recorded before it left explains nothing
    assert _entry_reason(("moved_in", dt.date(2016, 3, 1)), 2018, 2019, True, returning=True) is (
        Movement.SPLIT_OFF
    )
    assert _entry_reason(
        ("moved_in", dt.date(2018, 11, 20)), 2018, 2019, False, returning=True
    ) is (Movement.MOVED_IN)


def test_unit_histories_queries_do_not_grow_with_households(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            unit_histories(actor=district_officer, unit=dak_ang)
        return len(ctx.captured_queries)

    _reviewed(_household(dak_ang, "B0"), 2018, 2019)
    for i in range(3):
        _reviewed(_household(dak_ang, f"B{i + 1}", **_moved(2019)), 2019)
    count()  # the actor's profile is read once, then cached on the user
    few = count()
    for i in range(3, 30):
        _reviewed(_household(dak_ang, f"B{i + 1}", **_moved(2019)), 2019)
    assert count() == few
    assert few <= 4  # scope, reviews, households (with their entry), split households


def _moved(year: int) -> dict[str, Any]:
    return {"entry_reason": "moved_in", "entry_date": dt.date(year, 7, 1)}


# ---------------------------------------------------------------------------------------------
# The household page
# ---------------------------------------------------------------------------------------------
def test_household_page_shows_the_entry(district_officer: User, dak_ang: AdminUnit) -> None:
    source = _household(dak_ang, "S1")
    hh = _household(
        dak_ang, "P1", entry_reason="split_off", entry_date=dt.date(2019, 3, 12), came_from=source
    )
    plain = _household(dak_ang, "P2")
    client = Client()
    client.force_login(district_officer)
    page = client.get(reverse("registry:detail", args=[hh.pk])).content.decode()
    assert "Vào sổ" in page and "Tách hộ, 12/03/2019" in page
    detail = reverse("registry:detail", args=[source.pk])
    assert f'<dt>Tách từ hộ</dt><dd><a href="{detail}" class="code">S1</a></dd>' in page
    moved = _household(dak_ang, "P3", entry_reason="moved_in", entry_date=dt.date(2020, 1, 5))
    page = client.get(reverse("registry:detail", args=[moved.pk])).content.decode()
    assert "Chuyển đến, 05/01/2020" in page and "Tách từ hộ" not in page
    page = client.get(reverse("registry:detail", args=[plain.pk])).content.decode()
    assert "Vào sổ" not in page and "Tách từ hộ" not in page


# ---------------------------------------------------------------------------------------------
# The demo loader
# ---------------------------------------------------------------------------------------------
def test_demo_records_entries_on_the_households_with_the_same_movements(
    units: DemoUnits,
) -> None:
    load_demo_registry()
    registry = ngoc_hoi_history(seed=1)
    arrivals = [h for h in registry.households if h.entry.value in ("moved_in", "split_off")]
    stored = list(
        Household.objects.exclude(entry_reason="").values_list(
            "code",
            "entry_reason",
            "entry_date",
            "came_from__code",
            "came_from__commune_id",
            "commune_id",
        )
    )
    assert Counter(r[1] for r in stored) == Counter(h.entry.value for h in arrivals)
    by_code = {h.code: h for h in arrivals}
    for code, reason, on, from_code, from_commune, commune in stored:
        h = by_code[code]
        assert reason == h.entry.value
        assert on is not None and on.year == h.entry_year and on < dt.date(on.year, 12, 31)
        want_from = (
            registry.household(h.related_household_id).code
            if (reason == "split_off" and h.related_household_id)
            else None
        )
        assert from_code == want_from
        assert from_code is None or from_commune == commune
    assert not AuditEvent.objects.filter(action="household_entry").exists()

    # Every arrival's entry reason, by year and reason, is the synthetic registry's.
    officer = User.objects.create_superuser("root", "root@example.org", "x")
    got = unit_histories(actor=officer, unit=units.district)
    expected = histories_from_records(to_transition_records(registry))

    def tally(histories: list[History]) -> Counter[tuple[int, Movement]]:
        return Counter(
            (r.year, r.entry_reason)
            for h in histories
            for r in h.records
            if r.entry_reason is not None
        )

    counts = tally(got)
    assert counts == tally(expected)
    assert counts[(2019, Movement.MOVED_IN)] > 0 and counts[(2020, Movement.SPLIT_OFF)] > 0
    assert not any(reason is Movement.UNRECORDED for _, reason in counts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema")
def test_migration_carries_entries_over_from_the_audit_events() -> None:
    """0003: the ``household_entry`` events written before the fields existed become the
    fields (1 January of the recorded year); households with a reason keep theirs."""
    from django.db.migrations.executor import MigrationExecutor

    from giamngheo.geo.services import load_ngoc_hoi_demo

    before = [("registry", "0002_household_entry")]
    after = [("registry", "0003_entry_from_audit_events")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    commune = load_ngoc_hoi_demo().communes_old["23380"]
    hh = old.get_model("registry", "Household")

    def make(code: str, **kw: object) -> Any:
        return hh.objects.create(
            commune_id=commune.pk, code=code, head_name=code, head_name_key=code.lower(), **kw
        )

    source, moved, split, kept, odd = (make(c) for c in ("S1", "M1", "T1", "K1", "X1"))
    kept.entry_reason, kept.entry_date = "moved_in", dt.date(2019, 5, 2)
    kept.save()
    event = old.get_model("registry", "AuditEvent")
    for obj, changes in (
        (moved, {"entry": "moved_in", "year": 2019, "from": None}),
        (split, {"entry": "split_off", "year": 2020, "from": source.pk}),
        (kept, {"entry": "split_off", "year": 2020, "from": source.pk}),
        (odd, {"entry": "teleported", "year": 2020}),
    ):
        event.objects.create(
            action="household_entry",
            object_type="registry.Household",
            object_id=str(obj.pk),
            changes=changes,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("registry", "Household")
    got = {
        h.code: (h.entry_reason, h.entry_date, h.came_from_id)
        for h in new.objects.filter(code__in=["M1", "T1", "K1", "X1"])
    }
    assert got == {
        "M1": ("moved_in", dt.date(2019, 1, 1), None),
        "T1": ("split_off", dt.date(2020, 1, 1), source.pk),
        "K1": ("moved_in", dt.date(2019, 5, 2), None),
        "X1": ("", None, None),
    }
