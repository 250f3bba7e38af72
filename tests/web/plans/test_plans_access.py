"""Who sees and who changes what.

* A commune officer (Đắk Ang) opens their district's plan but sees only Đắk Ang's row: no
  other commune, no totals, no finding about another row; every write is refused with 403 and
  leaves the database exactly as it was.
* A district officer of another district sees no Ngọc Hồi plan at all (404).
* Anonymous users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from giamngheo.plans.models import Plan, PlanRow

pytestmark = pytest.mark.django_db

OTHER_COMMUNES = ("Plei Kần", "Đăk Kan", "Đăk Dục", "Đăk Nông", "Đăk Xú", "Bờ Y", "Sa Loong")
OTHER_NUMBERS = ("4.807", "1.488", "1.383", "2,75", "15.954", "8.818", "4,96", "3,71", "11.147")


def _edit_data(plan: Plan) -> dict[str, Any]:
    rows = list(PlanRow.objects.filter(plan=plan).order_by("order"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data |= {
            f"form-{i}-row": str(row.pk),
            f"form-{i}-households": "1",
            f"form-{i}-ethnic_minority": "0",
            f"form-{i}-poor": "0",
            f"form-{i}-reduction": "0",
        }
    return data


def _writes(plan: Plan, files: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/ke-hoach/{plan.pk}/sua/", _edit_data(plan)),
        (f"/ke-hoach/{plan.pk}/nhap/", {"file": SimpleUploadedFile("b.csv", files["csv"]())}),
        (f"/ke-hoach/{plan.pk}/nhap/", {"text": files["txt"]().decode()}),
        (f"/ke-hoach/{plan.pk}/de-xuat/", {"action": "apply"}),
    ]


def test_commune_officer_sees_only_their_row(
    client: Client, plan: Plan, commune_officer: User
) -> None:
    client.force_login(commune_officer)
    assert "252/KH-UBND" in client.get("/ke-hoach/").content.decode()
    response = client.get(f"/ke-hoach/{plan.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-row="Xã Đăk Ang"' in html
    assert ">1.094<" in html and ">27,42<" in html
    # Their own objective and its status are shown; the finding at their cell too.
    assert "Xã Đăk Ang: giảm 7–8 điểm %" in html
    assert 'data-code="objective_below_range"' in html
    for name in OTHER_COMMUNES:
        assert name not in html, name
    for number in OTHER_NUMBERS:
        assert number not in html, number
    assert "Tổng cộng" not in html
    assert 'data-code="rounding"' not in html  # the rounding findings are other rows'
    assert "/sua/" not in html and "/xuat." not in html  # no edit or export links


def test_commune_officer_history_shows_only_their_row(
    client: Client, plan: Plan, commune_officer: User
) -> None:
    client.force_login(commune_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/lich-su/").content.decode()
    assert "Xã Đăk Ang" in html
    for name in OTHER_COMMUNES:
        assert name not in html, name


@pytest.mark.parametrize("page", ["sua/", "nhap/", "de-xuat/", "xuat.xlsx", "xuat.csv"])
def test_commune_officer_cannot_open_write_pages_or_export(
    client: Client, plan: Plan, commune_officer: User, page: str
) -> None:
    client.force_login(commune_officer)
    assert client.get(f"/ke-hoach/{plan.pk}/{page}").status_code == 403


def test_commune_officer_writes_are_refused_and_change_nothing(
    client: Client,
    plan: Plan,
    commune_officer: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    client.force_login(commune_officer)
    before = snapshot(plan)
    for url, data in _writes(plan, files):
        assert client.post(url, data).status_code == 403, url
        assert snapshot(plan) == before, url
    assert client.post("/ke-hoach/tao/", {"year": "2021"}).status_code == 200  # own commune
    assert snapshot(plan) == before


def test_officer_of_another_district_sees_nothing(
    client: Client,
    plan: Plan,
    outsider: User,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    client.force_login(outsider)
    assert "252/KH-UBND" not in client.get("/ke-hoach/").content.decode()
    for page in ("", "lich-su/", "sua/", "xuat.pdf"):
        assert client.get(f"/ke-hoach/{plan.pk}/{page}").status_code == 404, page
    before = snapshot(plan)
    for url, data in _writes(plan, files):
        assert client.post(url, data).status_code == 404, url
    assert snapshot(plan) == before


def test_read_only_role_cannot_write(
    client: Client,
    plan: Plan,
    units: Any,
    files: dict[str, Any],
    snapshot: Callable[[Plan], object],
) -> None:
    """A district leader sees the whole plan but changes nothing."""
    from giamngheo.accounts.models import Role, UserProfile

    leader = User.objects.create_user("lanhdao", password="x")
    UserProfile.objects.create(user=leader, unit=units.district, role=Role.LEADER)
    client.force_login(leader)
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "15.954" in html and "/sua/" not in html
    before = snapshot(plan)
    for url, data in _writes(plan, files):
        assert client.post(url, data).status_code == 403, url
    assert snapshot(plan) == before


def test_anonymous_is_sent_to_login(client: Client, plan: Plan) -> None:
    response = client.get(f"/ke-hoach/{plan.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_admin_shows_plans_read_only(admin_client: Client, plan: Plan) -> None:
    """Changes must go through the services (audit log): the admin only shows."""
    assert admin_client.get("/admin/plans/plan/").status_code == 200
    page = admin_client.get(f"/admin/plans/plan/{plan.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/plans/planchange/").status_code == 200
    assert admin_client.get("/admin/plans/plan/add/").status_code == 403
