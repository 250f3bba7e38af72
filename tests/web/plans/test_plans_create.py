"""Creating a plan, and the demo plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from giamngheo.geo.services import DemoUnits
from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import ChangeAction, Plan, PlanChange

pytestmark = pytest.mark.django_db


def _form(units: DemoUnits, **overrides: str) -> dict[str, str]:
    data = {
        "issuing_unit": str(units.district.pk),
        "year": "2021",
        "document_number": "45/KH-UBND",
        "document_date": "15/01/2021",
        "title": "Kế hoạch giảm nghèo năm 2021",
        "baseline_year": "2020",
        "min_reduction_points": "1,5",
        "strict": "on",
        "commune_objectives": "dak ang = 5-6\nXÃ SA LOONG: 2",
    }
    data.update(overrides)
    return data


def test_district_officer_creates_a_plan(
    client: Client, units: DemoUnits, district_officer: User
) -> None:
    client.force_login(district_officer)
    response = client.post("/ke-hoach/tao/", _form(units))
    plan = Plan.objects.get(document_number="45/KH-UBND")
    assert response.status_code == 302 and response["Location"] == f"/ke-hoach/{plan.pk}/nhap/"
    assert (plan.year, plan.document_date, plan.baseline_year) == (2021, dt.date(2021, 1, 15), 2020)
    assert (plan.min_reduction_points, plan.strict) == (Decimal("1.5"), True)
    objectives = {o.unit.code: (o.min_points, o.max_points) for o in plan.commune_objectives.all()}
    assert objectives == {"23380": (Decimal(5), Decimal(6)), "23398": (Decimal(2), None)}
    assert plan.created_by_id == plan.updated_by_id == district_officer.pk
    created = PlanChange.objects.filter(plan=plan, action=ChangeAction.CREATE)
    assert created.filter(field="document_number", new="45/KH-UBND").exists()
    assert set(created.values_list("user", flat=True)) == {district_officer.pk}


def test_bad_objective_line_is_rejected(
    client: Client, units: DemoUnits, district_officer: User
) -> None:
    client.force_login(district_officer)
    response = client.post(
        "/ke-hoach/tao/", _form(units, commune_objectives="Đăk Không = 7-8", year="2021")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dòng 1" in html and "Line 1" in html
    assert not Plan.objects.filter(document_number="45/KH-UBND").exists()


def test_issuing_unit_outside_scope_is_rejected(
    client: Client, units: DemoUnits, commune_officer: User
) -> None:
    client.force_login(commune_officer)
    response = client.post("/ke-hoach/tao/", _form(units, commune_objectives=""))
    assert response.status_code == 200  # the district is not among the choices
    assert not Plan.objects.filter(document_number="45/KH-UBND").exists()


def test_demo_plan_is_idempotent(units: DemoUnits) -> None:
    first = load_demo_plan()
    changes = PlanChange.objects.count()
    second = load_demo_plan()
    assert first.pk == second.pk
    assert Plan.objects.count() == 1 and PlanChange.objects.count() == changes
    assert (first.document_number, first.document_date) == ("252/KH-UBND", dt.date(2020, 2, 19))
    assert (first.min_reduction_points, first.strict, first.baseline_year) == (
        Decimal("1.2"),
        True,
        2019,
    )
    (objective,) = first.commune_objectives.all()
    assert (objective.unit.code, objective.min_points, objective.max_points) == (
        "23380",
        Decimal(7),
        Decimal(8),
    )
    assert first.rows.count() == 8
    author = first.created_by
    assert author.get_username() == "du-lieu-mau" and not author.is_active


def test_same_number_and_date_twice_is_a_form_error(
    officer_client: Client, units: DemoUnits
) -> None:
    data = _form(units, commune_objectives="")
    assert officer_client.post("/ke-hoach/tao/", data).status_code == 302
    response = officer_client.post("/ke-hoach/tao/", data)
    assert response.status_code == 200
    assert "Đơn vị đã có kế hoạch số này, cùng ngày" in response.content.decode()
    assert Plan.objects.filter(document_number="45/KH-UBND").count() == 1


def test_points_with_three_decimals_are_rejected(officer_client: Client, units: DemoUnits) -> None:
    response = officer_client.post("/ke-hoach/tao/", _form(units, min_reduction_points="1,234"))
    assert response.status_code == 200
    assert "tối đa hai chữ số thập phân" in response.content.decode()
    assert not Plan.objects.exists()
