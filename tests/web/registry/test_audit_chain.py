"""The audit log as a hash chain: a clean chain verifies; a row changed in place is found at
that row, a deleted row at the next one; writes in sequence and in nested transactions (a
savepoint rolled back) keep the chain; the migration back-fills existing rows; ``giamngheo
audit verify`` exits 0 or 1 naming the first broken record in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.db import connection, transaction

from giamngheo.cli import main
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.audit import audit
from giamngheo.registry.chain import GENESIS, HASHED, event_hash, verify_chain
from giamngheo.registry.models import AuditEvent, Household
from giamngheo.registry.restructure import household_merge
from giamngheo.registry.services import (
    household_create,
    household_set_status,
    household_update,
    member_add,
)

pytestmark = pytest.mark.django_db


def _write_some(actor: User, commune: AdminUnit) -> list[Household]:
    out = []
    for code in ("C1", "C2", "C3"):
        hh = household_create(actor=actor, commune=commune, code=code, head_name=f"Chủ {code}")
        member_add(
            actor=actor,
            household=hh,
            full_name=f"Chủ {code}",
            sex="female",
            relationship="head",
            birth_year=1975,
        )
        household_update(actor=actor, household=hh, address=f"Thôn {code}")
        out.append(hh)
    return out


def _ids() -> list[int]:
    return list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))


def test_a_clean_chain_verifies(district_officer: User, dak_ang: AdminUnit) -> None:
    assert verify_chain().intact  # an empty log too
    _write_some(district_officer, dak_ang)
    ids = _ids()
    report = verify_chain()
    assert report.intact and report.checked == len(ids) == 9
    rows = list(AuditEvent.objects.order_by("pk"))
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    # The hash is the documented one: recomputed from the stored row.
    last = rows[-1]
    assert last.hash == event_hash(last.prev_hash, [getattr(last, f) for f in HASHED])
    # The returned event carries its hashes.
    event = audit(district_officer, "test", object_type="t", object_id=1, changes={"x": 1.0})
    assert event.hash == AuditEvent.objects.get(pk=event.pk).hash
    assert verify_chain().intact


def test_a_row_changed_in_place_is_found_at_that_row(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    _write_some(district_officer, dak_ang)
    target = _ids()[4]
    AuditEvent.objects.filter(pk=target).update(changes={"address": ["", "Khác"]})
    report = verify_chain()
    assert (report.broken_id, report.reason) == (target, "content")
    assert report.checked == 5


@pytest.mark.parametrize(
    "column", ["action", "object_id", "object_repr", "actor_id", "at", "changes"]
)
def test_any_column_changed_by_raw_sql_is_found(
    district_officer: User, dak_ang: AdminUnit, column: str
) -> None:
    _write_some(district_officer, dak_ang)
    target = _ids()[2]
    values: dict[str, Any] = {
        "action": "other",
        "object_id": "999",
        "object_repr": "X",
        "actor_id": None,
        "at": "2001-01-01 00:00:00",
        "changes": '{"a": 1}',
    }
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [values[column], target])
    report = verify_chain()
    assert (report.broken_id, report.reason) == (target, "content")


def test_a_deleted_row_is_found_at_the_next_one(district_officer: User, dak_ang: AdminUnit) -> None:
    _write_some(district_officer, dak_ang)
    ids = _ids()
    AuditEvent.objects.filter(pk=ids[3]).delete()
    report = verify_chain()
    assert (report.broken_id, report.reason) == (ids[4], "link")
    assert f"#{ids[4]}" in report.message() and "deleted" in report.message()


def test_a_rewritten_row_with_its_hash_breaks_the_next_link(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    _write_some(district_officer, dak_ang)
    ids = _ids()
    row = AuditEvent.objects.get(pk=ids[1])
    row.changes = {"forged": True}
    forged = event_hash(row.prev_hash, [getattr(row, f) for f in HASHED])
    AuditEvent.objects.filter(pk=row.pk).update(changes=row.changes, hash=forged)
    report = verify_chain()
    assert (report.broken_id, report.reason) == (ids[2], "link")


def test_a_missing_hash_is_reported(district_officer: User, dak_ang: AdminUnit) -> None:
    _write_some(district_officer, dak_ang)
    ids = _ids()
    AuditEvent.objects.filter(pk=ids[0]).update(hash="")
    assert (verify_chain().broken_id, verify_chain().reason) == (ids[0], "missing")


def test_nested_transactions_and_rolled_back_savepoints_keep_the_chain(
    district_officer: User, dak_ang: AdminUnit, units: DemoUnits
) -> None:
    households = _write_some(district_officer, dak_ang)
    with transaction.atomic():
        household_update(actor=district_officer, household=households[0], head_name="Đổi 1")
        try:
            with transaction.atomic():
                household_update(actor=district_officer, household=households[1], head_name="Bỏ")
                audit(district_officer, "inside", object_type="t", object_id=1)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with transaction.atomic():
            household_set_status(
                actor=district_officer,
                household=households[1],
                status="dissolved",
                on=dt.date(2024, 3, 1),
            )
    household_merge(
        actor=district_officer,
        household=households[2],
        into=households[0],
        on_date=dt.date(2024, 4, 1),
    )
    assert not AuditEvent.objects.filter(action="inside").exists()
    report = verify_chain()
    assert report.intact, report.message()
    assert report.checked == AuditEvent.objects.count()


def test_services_from_several_users_in_sequence_keep_the_chain(
    district_officer: User, dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    households = _write_some(district_officer, dak_ang)
    for i, hh in enumerate(households):
        actor = dak_ang_officer if i % 2 else district_officer
        household_update(actor=actor, household=hh, head_name=f"Người {i}")
        audit(None, "anonymous_event", object_type="t", object_id=i)
    assert verify_chain(chunk_size=2).intact


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema")
def test_the_migration_back_fills_existing_rows_in_id_order() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("registry", "0005_importrow_json_text")]
    after = [("registry", "0006_audit_hash_chain")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("registry", "AuditEvent")
    for i in range(5):
        old.objects.create(
            action="old", object_type="t", object_id=str(i), changes={"n": i, "d": {"b": 1}}
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    report = verify_chain()
    assert report.intact and report.checked == 5
    first = AuditEvent.objects.order_by("pk").first()
    assert first is not None and first.prev_hash == GENESIS


def test_cli_verify_exit_codes_and_message(district_officer: User, dak_ang: AdminUnit) -> None:
    _write_some(district_officer, dak_ang)
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert "nguyên vẹn (9 bản ghi)" in ok.output and "intact (9 records)" in ok.output
    target = _ids()[6]
    AuditEvent.objects.filter(pk=target).update(action="forged")
    broken = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert broken.exit_code == 1
    assert f"bị phá vỡ tại bản ghi #{target}: nội dung đã bị sửa" in broken.output
    assert f"broken at record #{target}: its content was changed" in broken.output


def test_the_admin_cannot_add_change_or_delete_audit_rows(admin_user: User) -> None:
    """A row written past ``registry.audit`` would carry no hash and break the chain for
    good: the Django admin offers no way to add, change or delete one."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
