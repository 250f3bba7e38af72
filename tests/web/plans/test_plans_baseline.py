"""The plan's baseline from the registry's approved review, and target versus actual."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.plans.baseline import plan_actuals, plan_baseline_from_registry
from giamngheo.plans.models import ChangeAction, Plan, PlanChange, PlanRow
from giamngheo.registry.models import Household, HouseholdStatus, ReviewRecord

pytestmark = pytest.mark.django_db

DAK_ANG = "23380"
DAK_DUC = "23383"
DAK_NONG = "23386"


def _household(
    commune: AdminUnit,
    code: str,
    reviews: dict[int, str],
    *,
    em: bool = False,
    state: str = "approved",
    status: str = HouseholdStatus.ACTIVE,
    status_date: dt.date | None = None,
) -> Household:
    hh = Household.objects.create(
        commune=commune,
        code=code,
        head_name=f"Chủ hộ {code}",
        ethnic_minority=em,
        status=status,
        status_date=status_date,
    )
    for year, cls in reviews.items():
        ReviewRecord.objects.create(
            household=hh,
            year=year,
            kind="periodic",
            review_date=dt.date(year, 12, 31),
            standard_id="QD59-2015",
            classification=cls,
            persons=4,
            state=state,
        )
    return hh


@pytest.fixture
def registry(units: DemoUnits) -> dict[str, Household]:
    """Đắk Ang: 2019 — 9 households (3 ethnic-minority), 4 poor; 2020 — 3 poor.
    Movements 2019 → 2020: A became near-poor, B rose above the line (escaped 2), C stayed,
    D moved away, E re-poor, F newly poor: actual reduction 4 − 3 = 1, by the note
    2 − 1 − 1 = 0. I's poor 2019 record was corrected (approved) to non-poor.
    Đắk Dục: 2019 only (3 households, 1 poor). Đắk Nông: a draft 2019 review only."""
    ang = units.communes_old[DAK_ANG]
    duc = units.communes_old[DAK_DUC]
    nong = units.communes_old[DAK_NONG]
    hh = {
        "A": _household(ang, "A", {2018: "poor", 2019: "poor", 2020: "near_poor"}, em=True),
        "B": _household(ang, "B", {2019: "poor", 2020: "medium"}),
        "C": _household(ang, "C", {2019: "poor", 2020: "poor"}, em=True),
        "D": _household(
            ang,
            "D",
            {2019: "poor"},
            status=HouseholdStatus.MOVED_AWAY,
            status_date=dt.date(2020, 5, 1),
        ),
        "E": _household(ang, "E", {2018: "poor", 2019: "non_poor", 2020: "poor"}),
        "F": _household(ang, "F", {2018: "non_poor", 2019: "medium", 2020: "poor"}),
        "G": _household(ang, "G", {2019: "near_poor", 2020: "near_poor"}),
        "H": _household(ang, "H", {2019: "non_poor", 2020: "non_poor"}, em=True),
        "I": _household(ang, "I", {2019: "poor", 2020: "non_poor"}),
    }
    wrong = ReviewRecord.objects.get(household=hh["I"], year=2019)
    ReviewRecord.objects.create(
        household=hh["I"],
        year=2019,
        kind="periodic",
        review_date=dt.date(2019, 12, 31),
        standard_id="QD59-2015",
        classification="non_poor",
        persons=4,
        state="approved",
        revision=1,
        corrects=wrong,
    )
    for code, cls in (("K", "poor"), ("L", "medium"), ("M", "non_poor")):
        hh[code] = _household(duc, code, {2019: cls}, em=code == "K")
    hh["N"] = _household(nong, "N", {2019: "poor"}, state="draft")
    return hh


def _row(plan: Plan, code: str) -> PlanRow:
    return PlanRow.objects.get(plan=plan, unit__code=code, unit__valid_from__isnull=True)


def test_baseline_service_fills_rows_and_audits(
    plan: Plan, registry: dict[str, Household], district_officer: User
) -> None:
    before = {r.pk: (r.households, r.ethnic_minority, r.poor) for r in plan.rows.all()}
    assert plan_baseline_from_registry(plan=plan, actor=district_officer) == 2
    ang, duc = _row(plan, DAK_ANG), _row(plan, DAK_DUC)
    assert (ang.households, ang.ethnic_minority, ang.poor) == (9, 3, 4)
    assert (duc.households, duc.ethnic_minority, duc.poor) == (3, 1, 1)
    assert ang.printed_rate == "" and ang.printed_remaining is None
    assert not plan.printed_totals.exists()
    for r in plan.rows.exclude(pk__in=[ang.pk, duc.pk]):  # no approved review: unchanged
        assert (r.households, r.ethnic_minority, r.poor) == before[r.pk]
    changes = PlanChange.objects.filter(plan=plan, action=ChangeAction.BASELINE, row=ang)
    assert {(c.field, c.old, c.new) for c in changes} == {
        ("households", "1094", "9"),
        ("ethnic_minority", "1094", "3"),
        ("poor", "300", "4"),
    }
    assert all(c.user_id == district_officer.pk for c in changes)
    # Idempotent: a second run changes nothing and logs nothing.
    count = PlanChange.objects.count()
    assert plan_baseline_from_registry(plan=plan, actor=district_officer) == 0
    assert PlanChange.objects.count() == count


def test_baseline_button_and_post(
    plan: Plan, registry: dict[str, Household], officer_client: Client
) -> None:
    page = officer_client.get(plan.get_absolute_url()).content.decode()
    assert "Lấy số liệu từ rà soát năm 2019" in page
    response = officer_client.post(reverse("plans:baseline", args=[plan.pk]))
    assert response.status_code == 302
    assert _row(plan, DAK_ANG).households == 9


def test_non_manager_gets_403_and_nothing_changes(
    plan: Plan,
    registry: dict[str, Household],
    commune_officer: User,
    client: Client,
    snapshot: Callable[[Plan], object],
) -> None:
    client.force_login(commune_officer)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Lấy số liệu từ rà soát" not in page
    before = snapshot(plan)
    assert client.post(reverse("plans:baseline", args=[plan.pk])).status_code == 403
    assert snapshot(plan) == before
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        plan_baseline_from_registry(plan=plan, actor=commune_officer)
    assert snapshot(plan) == before


def test_no_button_without_an_approved_review(plan: Plan, officer_client: Client) -> None:
    page = officer_client.get(plan.get_absolute_url()).content.decode()
    assert "Lấy số liệu từ rà soát" not in page
    assert 'class="actuals"' not in page


def test_target_versus_actual(
    plan: Plan, registry: dict[str, Household], district_officer: User, officer_client: Client
) -> None:
    lines = plan_actuals(plan=plan, actor=district_officer)
    assert [line.name for line in lines] == ["Xã Đăk Ang"]  # only its 2020 review is approved
    a = lines[0]
    assert (a.target, a.poor_start, a.poor_end, a.actual) == (73, 4, 3, 1)
    assert (a.escaped, a.re_poor, a.newly, a.net_by_note) == (2, 1, 1, 0)
    assert a.met is False
    page = officer_client.get(plan.get_absolute_url()).content.decode()
    row = re.search(rf'<tr data-unit="{a.unit_id}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = row.group(1)
    assert re.search(
        rf'class="num actual"><a href="[^"]*bien-dong/\?don_vi={a.unit_id}&amp;nam=2020">1</a>',
        cells,
    )
    assert re.search(r'class="num net-by-note"[^>]*><a href="[^"]+">0</a>', cells)
    # The linked figures open the named households.
    start = officer_client.get(a.start_url).content.decode()
    assert sorted(re.findall(r'data-household="(\d+)"', start)) == sorted(
        str(registry[k].pk) for k in "ABCD"
    )


def test_commune_officer_sees_only_their_line(
    plan: Plan, registry: dict[str, Household], commune_officer: User, units: DemoUnits
) -> None:
    lines = plan_actuals(plan=plan, actor=commune_officer)
    assert [line.unit_id for line in lines] == [units.communes_old[DAK_ANG].pk]
