"""Importing the annex table through the web page: good files are stored, bad files change
nothing, names are matched however they are typed."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from giamngheo.plans.models import ChangeAction, Plan, PlanChange, PlanRow

pytestmark = pytest.mark.django_db

EXPECTED = {  # unit code → (households, ethnic minority, poor, reduction) of NEW_TABLE
    "23377": (5000, 1200, 100, 25),
    "23392": (1500, 500, 30, 8),
    "23380": (1100, 1100, 300, 80),
    "23383": (1500, 1400, 50, 12),
    "23386": (1150, 950, 45, 11),
    "23389": (1800, 1000, 60, 15),
    "23395": (2700, 1500, 90, 22),
    "23398": (1450, 1200, 130, 35),
}


def _stored(plan: Plan) -> dict[str, tuple[int, int, int, int | None]]:
    return {
        r.unit.code: (r.households, r.ethnic_minority, r.poor, r.reduction)
        for r in PlanRow.objects.filter(plan=plan).select_related("unit")
    }


def _upload(client: Client, plan: Plan, name: str, data: bytes) -> Any:
    return client.post(
        f"/ke-hoach/{plan.pk}/nhap/", {"file": SimpleUploadedFile(name, data)}, follow=True
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "txt"])
def test_good_file_is_stored(
    client: Client,
    empty_plan: Plan,
    district_officer: User,
    files: dict[str, Callable[[], bytes]],
    fmt: str,
) -> None:
    client.force_login(district_officer)
    response = _upload(client, empty_plan, f"bang.{fmt}", files[fmt]())
    assert response.redirect_chain == [(f"/ke-hoach/{empty_plan.pk}/", 302)]
    assert _stored(empty_plan) == EXPECTED
    # Sections come from the units' areas: Plei Kần is a township (urban).
    sections = dict(PlanRow.objects.filter(plan=empty_plan).values_list("unit__code", "section"))
    assert sections["23377"] == "urban" and sections["23380"] == "rural"
    # The plan page shows the findings of the new table: 1,5 points minimum is not met
    # (208 households = 1,3 points), so there is an objective error at the total row.
    html = response.content.decode()
    assert 'data-code="objective_not_met"' in html
    # Audit: one import entry per entered number, by the officer.
    imported = PlanChange.objects.filter(plan=empty_plan, action=ChangeAction.IMPORT)
    assert imported.filter(field="households").count() == 8
    assert set(imported.values_list("user", flat=True)) == {district_officer.pk}


def test_pasted_text_is_stored(
    client: Client, empty_plan: Plan, district_officer: User, files: dict[str, Any]
) -> None:
    client.force_login(district_officer)
    text = files["txt"]().decode()
    response = client.post(f"/ke-hoach/{empty_plan.pk}/nhap/", {"text": text})
    assert response.status_code == 302
    assert _stored(empty_plan) == EXPECTED


def test_reimport_replaces_the_table_and_logs_old_and_new(
    client: Client, plan: Plan, district_officer: User, files: dict[str, Any]
) -> None:
    client.force_login(district_officer)
    response = _upload(client, plan, "moi.csv", files["csv"]())
    assert response.status_code == 200
    assert _stored(plan) == EXPECTED
    change = PlanChange.objects.get(
        plan=plan,
        action=ChangeAction.IMPORT,
        field="households",
        unit__code="23380",
        user=district_officer,
    )
    assert (change.old, change.new, change.user_id) == ("1094", "1100", district_officer.pk)
    # The new file printed no 4, 6, 7 and no totals: the old document's are gone.
    row = PlanRow.objects.get(plan=plan, unit__code="23392")
    assert (row.printed_rate, row.printed_projected_rate) == ("", "")
    (total,) = plan.printed_totals.all()
    assert (total.name, total.households, total.rate, total.projected_rate) == (
        "Tổng cộng I + II",
        None,
        "",
        "",
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("ĐĂK ANG", "txt"), ("dak ang", "csv"), ("Xã Đắk Ang", "xlsx"), ("  Xã   Đăk  Ang ", "txt")],
)
def test_name_variants_match_the_commune(
    officer_client: Client,
    empty_plan: Plan,
    files: dict[str, Any],
    name: str,
    fmt: str,
) -> None:
    if name == "Xã Đắk Ang":
        name = unicodedata.normalize("NFD", name)  # decomposed diacritics, as macOS writes
        assert len(name) > len("Xã Đắk Ang")
    table = [r if r[1] != "Xã Đăk Ang" else (r[0], name, *r[2:]) for r in files["table"]]
    response = _upload(officer_client, empty_plan, f"bien-the.{fmt}", files[fmt](table))
    assert response.status_code == 200
    row = PlanRow.objects.get(plan=empty_plan, unit__code="23380")
    assert (row.households, row.reduction) == (1100, 80)


def test_unreadable_number_changes_nothing(
    client: Client,
    plan: Plan,
    district_officer: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    table = [r if r[1] != "Xã Đăk Dục" else (*r[:2], "1.5OO", *r[3:]) for r in files["table"]]
    before = snapshot(plan)
    client.force_login(district_officer)
    response = _upload(client, plan, "loi-so.txt", files["txt"](table))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không nhập được bảng" in html
    assert "loi-so.txt" in html
    assert "1.5OO" in html  # the offending text is quoted
    assert '<td class="num">9</td><td>1</td>' in html  # file line 9, column 1
    assert snapshot(plan) == before


def test_unknown_commune_changes_nothing_and_lists_candidates(
    client: Client,
    plan: Plan,
    district_officer: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    table = [
        r if r[1] != "Xã Đăk Nông" else (r[0], "Xã Đăk Nong Mới", *r[2:]) for r in files["table"]
    ]
    before = snapshot(plan)
    client.force_login(district_officer)
    response = _upload(client, plan, "sai-ten.xlsx", files["xlsx"](table))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị" in html and "No unit named" in html
    assert "Đắk Nông" in html  # the candidate
    assert '<td class="num">11</td><td>B</td>' in html  # title + 3 heading rows → line 11
    assert snapshot(plan) == before


def test_duplicate_commune_changes_nothing(
    client: Client,
    plan: Plan,
    district_officer: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    table = [r if r[1] != "Xã Đăk Nông" else (r[0], "Đắk Dục", *r[2:]) for r in files["table"]]
    before = snapshot(plan)
    client.force_login(district_officer)
    html = _upload(client, plan, "trung.csv", files["csv"](table)).content.decode()
    assert "cùng đơn vị" in html and "same unit" in html
    assert snapshot(plan) == before


def test_unit_of_another_district_is_unknown(
    client: Client,
    plan: Plan,
    district_officer: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    """Names are matched only among the issuing unit's communes valid on the document date:
    the post-2025 "Xã Dục Nông" did not exist in 2020."""
    table = [r if r[1] != "Xã Đăk Dục" else (r[0], "Xã Dục Nông", *r[2:]) for r in files["table"]]
    before = snapshot(plan)
    client.force_login(district_officer)
    html = _upload(client, plan, "sau-2025.txt", files["txt"](table)).content.decode()
    assert "Không tìm thấy đơn vị" in html
    assert snapshot(plan) == before


def test_empty_form_is_an_error(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    response = client.post(f"/ke-hoach/{plan.pk}/nhap/", {"text": "  "})
    assert response.status_code == 200
    assert "Chọn một tệp hoặc dán bảng / Choose a file or paste the table" in (
        response.content.decode()
    )
