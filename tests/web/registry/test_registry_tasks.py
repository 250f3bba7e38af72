"""Import pages and background tasks: upload → validated → «Xác nhận ghi» → committed through
the pages (inline task backend); the upload request returns before validation runs with the
real database backend, and the worker (``db_worker`` / ``giamngheo worker``) completes it;
access: POSTs by users who may not change the commune answer 403 and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper
from registry_files import GOOD_HOUSEHOLDS, GOOD_MEMBERS, YEAR, hh_row, member_row, two_sheet_file

from giamngheo.cli.worker import worker_command
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Household, ImportBatch, ImportStatus, Member, ReviewRecord

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(c: Client, commune: AdminUnit, content: bytes, name: str = "ra_soat.xlsx") -> Any:
    return c.post(
        reverse("registry:import_upload"),
        {
            "file": SimpleUploadedFile(name, content, content_type=XLSX),
            "commune": commune.pk,
            "year": YEAR,
            "kind": "periodic",
        },
    )


@pytest.mark.django_db
def test_import_flow_through_the_pages(dak_ang_officer: User, dak_ang: AdminUnit) -> None:
    c = login(dak_ang_officer)
    assert c.get(reverse("registry:import_upload")).status_code == 200
    content = two_sheet_file()  # (openpyxl stamps the time: build the bytes once)
    r = upload(c, dak_ang, content)
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert r["Location"].startswith(reverse("registry:import_detail", args=[batch.pk]))
    assert batch.status == ImportStatus.VALIDATED  # the inline backend ran the task
    page = c.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Xác nhận ghi" in html
    assert not page.context["refresh"]
    assert Household.objects.count() == 0  # nothing written before the confirmation
    r = c.post(reverse("registry:import_commit", args=[batch.pk]))
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert set(Household.objects.values_list("code", flat=True)) == {"DA001", "DA002"}
    assert Member.objects.count() == len(GOOD_MEMBERS)
    assert ReviewRecord.objects.filter(year=YEAR).count() == len(GOOD_HOUSEHOLDS)
    html = c.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "Xác nhận ghi" not in html and "Đã ghi" in html
    # the same file again: the existing batch, nothing new
    r = upload(c, dak_ang, content)
    assert r["Location"] == reverse("registry:import_detail", args=[batch.pk])
    assert ImportBatch.objects.count() == 1
    listing = c.get(reverse("registry:import_list")).content.decode()
    assert "ra_soat.xlsx" in listing
    # the household page names the import that wrote it
    hh = Household.objects.get(code="DA001")
    page = c.get(reverse("registry:detail", args=[hh.pk]))
    assert [b.pk for b in page.context["imports"]] == [batch.pk]


@pytest.mark.django_db
def test_errors_are_shown_per_row_and_field_and_downloadable(
    dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    bad = two_sheet_file(
        households=[*GOOD_HOUSEHOLDS, hh_row("DA009", "", income="nhiều")],
        members=[*GOOD_MEMBERS, member_row("DA001", "B", "Nam", 1990, "Con", "123")],
    )
    c = login(dak_ang_officer)
    r = upload(c, dak_ang, bad)
    page = c.get(r["Location"])
    errors = page.context["errors"]
    assert {e.row_number for e in errors} >= {4}
    assert all(e.errors for e in errors)
    html = page.content.decode()
    assert "import-errors" in html and "Tải tệp .xlsx có đánh dấu lỗi" in html
    batch = ImportBatch.objects.get()
    d = c.get(reverse("registry:import_errors", args=[batch.pk]))
    assert d.status_code == 200 and d["Content-Type"] == XLSX
    assert d.content[:2] == b"PK"
    p = c.get(reverse("registry:import_progress", args=[batch.pk])).json()
    assert p["status"] == "VALIDATED" and p["percent"] == 100 and not p["running"]


@pytest.mark.django_db
def test_import_posts_are_refused_to_other_communes_and_leaders(
    dak_ang_officer: User,
    dak_duc_officer: User,
    dak_ang_leader: User,
    dak_ang: AdminUnit,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    duc = login(dak_duc_officer)
    assert upload(duc, dak_ang, two_sheet_file()).status_code == 403
    assert ImportBatch.objects.count() == 0
    leader = login(dak_ang_leader)
    assert leader.get(reverse("registry:import_upload")).status_code == 403
    assert upload(leader, dak_ang, two_sheet_file()).status_code == 403
    assert ImportBatch.objects.count() == 0
    upload(login(dak_ang_officer), dak_ang, two_sheet_file())
    batch = ImportBatch.objects.get()
    before = snapshot()
    for client in (duc, leader):
        assert client.post(reverse("registry:import_commit", args=[batch.pk])).status_code == 403
        assert (
            client.post(reverse("registry:import_revalidate", args=[batch.pk])).status_code == 403
        )
        assert client.get(reverse("registry:import_errors", args=[batch.pk])).status_code == 403
    assert duc.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 404
    assert duc.get(reverse("registry:import_progress", args=[batch.pk])).status_code == 404
    assert leader.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    assert snapshot() == before


@pytest.mark.django_db
def test_template_download_prefilled(dak_ang_officer: User, dak_ang: AdminUnit) -> None:
    c = login(dak_ang_officer)
    assert c.get(reverse("registry:import_template")).status_code == 200
    r = c.get(reverse("registry:import_template"), {"commune": dak_ang.pk, "year": 2020})
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert "attachment" in r["Content-Disposition"]


@pytest.fixture
def database_backend(settings: SettingsWrapper) -> None:
    """The real queue: tasks wait in the database for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_upload_returns_before_validation_and_the_worker_completes_it(
    database_backend: None, dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    from django_tasks_db.models import DBTaskResult

    c = login(dak_ang_officer)
    r = upload(c, dak_ang, two_sheet_file())
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PENDING  # the request only enqueued the work
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    page = c.get(r["Location"])
    assert page.context["refresh"]  # auto-refresh while waiting
    assert b'http-equiv="refresh"' in page.content
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    assert batch.households_valid == len(GOOD_HOUSEHOLDS)
    r = c.post(reverse("registry:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and Household.objects.count() == 0
    page = c.get(r["Location"])
    assert page.context["waiting_commit"] and page.context["task"] is not None
    # ``giamngheo worker --batch`` runs the queued commit
    result = CliRunner().invoke(worker_command, ["--batch", "--no-migrate"])
    assert result.exit_code == 0, result.output
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Household.objects.filter(commune=dak_ang).count() == len(GOOD_HOUSEHOLDS)
    page = c.get(reverse("registry:import_detail", args=[batch.pk]))
    assert not page.context["refresh"]


@pytest.mark.django_db
def test_unreadable_file_fails_with_the_reason_and_can_be_revalidated(
    dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    c = login(dak_ang_officer)
    r = upload(c, dak_ang, "Cột lạ,Khác\n1,2\n".encode(), name="sai.csv")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch.file_errors
    html = c.get(r["Location"]).content.decode()
    assert "Không đọc được tệp theo mẫu" in html and "Xác nhận ghi" not in html
    # a good file: validated; «Kiểm tra lại» runs the validation again
    upload(c, dak_ang, two_sheet_file())
    good = ImportBatch.objects.exclude(pk=batch.pk).get()
    r = c.post(reverse("registry:import_revalidate", args=[good.pk]))
    assert r.status_code == 302
    good.refresh_from_db()
    assert good.status == ImportStatus.VALIDATED and good.households_valid == len(GOOD_HOUSEHOLDS)


@pytest.mark.django_db
def test_commit_progress_is_visible_while_the_transaction_runs(
    dak_ang_officer: User, dak_ang: AdminUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit writes everything in one transaction; after each chunk the worker reports
    its progress outside the database, and the progress view (what another request sees)
    shows it; the report is gone when the commit ends."""
    from giamngheo.registry import imports, progress
    from giamngheo.registry.views import _progress

    c = login(dak_ang_officer)
    upload(c, dak_ang, two_sheet_file())
    batch = ImportBatch.objects.get()
    assert batch.households_valid == len(GOOD_HOUSEHOLDS) == 2
    seen: list[tuple[int, int, int]] = []
    real_report = progress.report

    def spy(batch_id: int, done: int, total: int) -> None:
        real_report(batch_id, done, total)
        # what a request reading the batch sees meanwhile (its row still says COMMITTING)
        shown = _progress(ImportBatch(pk=batch_id, status=ImportStatus.COMMITTING))
        seen.append((shown["done"], shown["total"], shown["percent"]))

    monkeypatch.setattr(progress, "report", spy)  # looked up by imports.commit
    imports.import_commit(batch=batch, actor=dak_ang_officer, chunk_size=1)
    assert seen == [(0, 2, 0), (1, 2, 50), (2, 2, 99)]
    assert progress.read(batch.pk) is None  # cleared at the end
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


@pytest.mark.django_db
def test_progress_view_reads_the_commit_report(dak_ang_officer: User, dak_ang: AdminUnit) -> None:
    from giamngheo.registry import progress

    c = login(dak_ang_officer)
    upload(c, dak_ang, two_sheet_file())
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    url = reverse("registry:import_progress", args=[batch.pk])
    p = c.get(url).json()  # nothing reported yet: 0 of the valid households
    assert (p["done"], p["total"], p["percent"], p["running"]) == (0, 2, 0, True)
    progress.report(batch.pk, 1, 2)
    p = c.get(url).json()
    assert (p["done"], p["total"], p["percent"]) == (1, 2, 50)
    html = c.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "hộ đã ghi" in html
    progress.clear(batch.pk)
    assert progress.read(batch.pk) is None


@pytest.mark.django_db
def test_upload_form_names_the_accepted_formats(dak_ang_officer: User, dak_ang: AdminUnit) -> None:
    c = login(dak_ang_officer)
    page = upload(c, dak_ang, b"\xd0\xcf\x11\xe0", name="ra_soat.xls")
    assert page.status_code == 200  # the form again, with the reason
    assert "lưu lại thành .xlsx" in page.content.decode()
    page = upload(c, dak_ang, b"hello", name="ra_soat.txt")
    assert "chỉ nhận tệp .xlsx, .ods hoặc .csv" in page.content.decode()
    assert ImportBatch.objects.count() == 0
    ods = upload(c, dak_ang, b"PK", name="ra_soat.ods")  # accepted: checked by the worker
    assert ods.status_code == 302
