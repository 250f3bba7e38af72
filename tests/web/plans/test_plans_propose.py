"""The proposal page: the rule on screen, overrides, applying with the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from giamngheo.core.plan.checks import has_errors
from giamngheo.plans.models import ChangeAction, Plan, PlanChange, PlanRow
from giamngheo.plans.selectors import check_plan

pytestmark = pytest.mark.django_db

#: Column 5 as printed in 252/KH-UBND, by unit code.
SEED_REDUCTIONS = {
    "23377": 20, "23392": 7, "23380": 73, "23383": 13,
    "23386": 11, "23389": 14, "23395": 21, "23398": 40,
}  # fmt: skip


def _reductions(plan: Plan) -> dict[str, int | None]:
    return dict(PlanRow.objects.filter(plan=plan).values_list("unit__code", "reduction"))


def test_page_shows_the_rule_and_the_explanation(
    client: Client, plan: Plan, district_officer: User, snapshot: Callable[[Plan], object]
) -> None:
    client.force_login(district_officer)
    before = snapshot(plan)
    html = client.get(f"/ke-hoach/{plan.pk}/de-xuat/").content.decode()
    assert "Quy tắc đề xuất" in html
    assert "phương pháp số dư lớn nhất" in html
    # Đăk Ang: 7 % × 1 094 = 76,58 → 77; the district: 1,2 % × 15 954 = 191,448 → 192.
    assert "76,58" in html and "191,448" in html
    assert snapshot(plan) == before  # looking changes nothing


def test_apply_meets_every_objective_with_the_smallest_total(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    response = client.post(f"/ke-hoach/{plan.pk}/de-xuat/", {"action": "apply"})
    assert response.status_code == 302
    values = _reductions(plan)
    assert values["23380"] == 77  # Đăk Ang at the minimum of its 7–8 points
    assert sum(v or 0 for v in values.values()) == 192  # floor(191,448) + 1
    findings = check_plan(plan)
    assert not has_errors(findings), findings
    logged = PlanChange.objects.filter(plan=plan, action=ChangeAction.PROPOSE, field="reduction")
    changed = {code for code, value in values.items() if value != SEED_REDUCTIONS[code]}
    assert {c.unit.code for c in logged if c.unit is not None} == changed
    assert "23380" in changed  # 73 → 77
    assert set(logged.values_list("user", flat=True)) == {district_officer.pk}


def test_kept_row_keeps_its_value_and_is_logged_as_override(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    sa_loong = PlanRow.objects.get(plan=plan, unit__code="23398")
    preview = client.post(
        f"/ke-hoach/{plan.pk}/de-xuat/", {"action": "preview", "keep": [str(sa_loong.pk)]}
    )
    assert preview.status_code == 200
    assert "giữ giá trị nhập tay 40 hộ" in preview.content.decode()
    assert _reductions(plan)["23398"] == 40  # a preview stores nothing
    response = client.post(
        f"/ke-hoach/{plan.pk}/de-xuat/", {"action": "apply", "keep": [str(sa_loong.pk)]}
    )
    assert response.status_code == 302
    values = _reductions(plan)
    assert values["23398"] == 40
    assert values["23380"] == 77
    assert sum(v or 0 for v in values.values()) == 192
    assert not has_errors(check_plan(plan))
    override = PlanChange.objects.get(plan=plan, action=ChangeAction.OVERRIDE)
    assert (override.row_id, override.new, override.user_id) == (
        sa_loong.pk,
        "40",
        district_officer.pk,
    )


def test_infeasible_objective_is_explained_and_nothing_changes(
    client: Client,
    plan: Plan,
    district_officer: User,
    snapshot: Callable[[Plan], object],
) -> None:
    """Keeping Đăk Ang at 73 contradicts its 7–8 points objective."""
    client.force_login(district_officer)
    dak_ang = PlanRow.objects.get(plan=plan, unit__code="23380")
    before = snapshot(plan)
    response = client.post(
        f"/ke-hoach/{plan.pk}/de-xuat/", {"action": "apply", "keep": [str(dak_ang.pk)]}
    )
    assert response.status_code == 200
    assert 'class="error-box"' in response.content.decode()
    assert snapshot(plan) == before
