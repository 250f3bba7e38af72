"""Editing columns 1, 2, 3, 5 through the formset, with the audit log."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from giamngheo.plans.models import ChangeAction, Plan, PlanChange, PlanRow
from giamngheo.plans.selectors import check_plan

pytestmark = pytest.mark.django_db


def _formset_data(plan: Plan, **changes: dict[str, str]) -> dict[str, Any]:
    """The posted formset with every row as stored, except ``changes`` (unit code → fields)."""
    rows = list(PlanRow.objects.filter(plan=plan).select_related("unit").order_by("order"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        values = {
            "row": str(row.pk),
            "households": str(row.households),
            "ethnic_minority": str(row.ethnic_minority),
            "poor": str(row.poor),
            "reduction": "" if row.reduction is None else str(row.reduction),
        }
        values.update(changes.get(f"u{row.unit.code}", {}))
        for key, value in values.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_edit_saves_and_logs_who_and_when(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    started = timezone.now()
    # Vietnamese thousands separator in the input: "1.100" is one thousand one hundred.
    data = _formset_data(plan, u23380={"reduction": "80", "households": "1.100"})
    response = client.post(f"/ke-hoach/{plan.pk}/sua/", data)
    assert response.status_code == 302
    row = PlanRow.objects.get(plan=plan, unit__code="23380")
    assert (row.households, row.reduction) == (1100, 80)
    # The printed values of the document no longer describe the row: cleared.
    assert (row.printed_rate, row.printed_remaining, row.printed_projected_rate) == ("", None, "")
    assert not plan.printed_totals.exists()
    edits = PlanChange.objects.filter(plan=plan, action=ChangeAction.EDIT, row=row)
    by_field = {c.field: (c.old, c.new) for c in edits}
    assert by_field["reduction"] == ("73", "80")
    assert by_field["households"] == ("1094", "1100")
    assert by_field["printed_projected_rate"] == ("20.7", "")
    for change in edits:
        assert change.user_id == district_officer.pk
        assert started - dt.timedelta(seconds=1) <= change.at <= timezone.now()
    # Other rows untouched.
    assert PlanRow.objects.get(plan=plan, unit__code="23383").printed_projected_rate == "2.75"
    plan.refresh_from_db()
    assert plan.updated_by_id == district_officer.pk
    # 80 households of 1 100 = 7,27 points: Đăk Ang's objective is met now.
    codes = {f.code for f in check_plan(plan)}
    assert "objective_below_range" not in codes


def test_unchanged_post_logs_nothing(
    client: Client, plan: Plan, district_officer: User, snapshot: Callable[[Plan], object]
) -> None:
    client.force_login(district_officer)
    before = snapshot(plan)
    response = client.post(f"/ke-hoach/{plan.pk}/sua/", _formset_data(plan))
    assert response.status_code == 302
    assert snapshot(plan) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "«abc» không phải là số / 'abc' is not a number"),
        ("-5", "Số hộ không được âm / A number of households cannot be negative"),
        ("12,5", "số hộ phải là số nguyên"),
        ("", "Cần nhập số / A number is required"),
    ],
)
def test_invalid_values_are_rejected_bilingually(
    officer_client: Client,
    plan: Plan,
    snapshot: Callable[[Plan], object],
    value: str,
    message: str,
) -> None:
    before = snapshot(plan)
    data = _formset_data(plan, u23380={"households": value}, u23383={"reduction": "14"})
    response = officer_client.post(f"/ke-hoach/{plan.pk}/sua/", data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert snapshot(plan) == before  # the valid change to Đăk Dục is not saved either


def test_row_of_another_plan_cannot_be_edited(
    client: Client,
    plan: Plan,
    empty_plan: Plan,
    district_officer: User,
    snapshot: Callable[[Plan], object],
) -> None:
    client.force_login(district_officer)
    before = snapshot(plan)
    data = _formset_data(plan, u23380={"reduction": "80"})
    response = client.post(f"/ke-hoach/{empty_plan.pk}/sua/", data)
    assert response.status_code == 200
    assert "Dòng không thuộc kế hoạch này" in response.content.decode()
    assert snapshot(plan) == before
