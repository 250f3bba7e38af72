"""The demo registry: loaded once per test (≈ 16,300 households), idempotent, its 2019 review
equal to the seed table's columns 1–3, the plan's baseline computed from it, and the
transitions read back from the database equal to the synthetic registry's."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import F

from giamngheo.core.synth.history import ngoc_hoi_history, to_transition_records
from giamngheo.core.synth.ngoc_hoi import ngoc_hoi_2019_targets
from giamngheo.core.transitions import LIST_KINDS, histories_from_records, movement_tables
from giamngheo.geo.models import AdminUnit
from giamngheo.plans.baseline import plan_actuals, plan_baseline_from_registry, registry_baseline
from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import PlanChange, PlanRow
from giamngheo.registry.demo import DEMO_LOADER_USERNAME, load_demo_registry
from giamngheo.registry.histories import unit_histories
from giamngheo.registry.models import Household, Member, ReviewRecord, ReviewState

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        ReviewRecord.objects.count(),
        AdminUnit.objects.count(),
        User.objects.count(),
    )


def test_demo_registry_loads_once_matches_the_seed_and_feeds_the_plan() -> None:
    first = load_demo_registry()
    assert not first.already_loaded
    assert first.households > 16000 and first.members > 60000 and first.reviews > 45000
    assert first.seconds < 60
    counts = _counts()
    assert counts[:3] == (first.households, first.members, first.reviews)
    again = load_demo_registry()
    assert again.already_loaded and _counts() == counts
    assert "hộ/households" in str(first) and "already loaded" in str(again)

    # Approved by the inactive demo account; members carry citizen IDs.
    loader = User.objects.get(username=DEMO_LOADER_USERNAME)
    assert not loader.is_active
    assert not ReviewRecord.objects.exclude(state=ReviewState.APPROVED).exists()
    assert not ReviewRecord.objects.exclude(approved_by=loader).exists()
    assert Member.objects.exclude(national_id="").count() > 40000
    assert Household.objects.filter(status="merged", went_to__isnull=False).exists()
    # Every household sits in a village of its commune.
    assert not Household.objects.filter(village__isnull=True).exists()
    assert not Household.objects.exclude(village__parent=F("commune")).exists()

    # 2019 = the seed's columns 1–3, commune by commune; the plan's baseline is computed from it.
    plan = load_demo_plan()
    officer = User.objects.create_superuser("root", "root@example.org", "x")
    baseline = registry_baseline(plan=plan, actor=officer)
    targets = {t.code: t for t in ngoc_hoi_2019_targets()}
    rows = list(PlanRow.objects.filter(plan=plan).select_related("unit"))
    assert len(rows) == len(targets) == len(baseline)
    for row in rows:
        t = targets[row.unit.code]
        got = baseline[row.unit_id]
        assert (got.households, got.ethnic_minority, got.poor) == (
            t.households,
            t.ethnic_minority,
            t.poor,
        )
        assert (row.households, row.ethnic_minority, row.poor) == (
            t.households,
            t.ethnic_minority,
            t.poor,
        )
    # The plan already holds the seed's numbers: taking the baseline changes nothing.
    before = PlanChange.objects.count()
    assert plan_baseline_from_registry(plan=plan, actor=officer) == 0
    assert PlanChange.objects.count() == before
    # Target versus actual for 2020, one line per commune, each figure the transitions'.
    actuals = plan_actuals(plan=plan, actor=officer)
    assert len(actuals) == 8
    for a in actuals:
        assert a.actual == a.poor_start - a.poor_end
        assert a.net_by_note == a.escaped - a.re_poor - a.newly
        assert (
            a.poor_start == targets[next(r.unit.code for r in rows if r.unit_id == a.unit_id)].poor
        )
        assert a.target is not None and 0.85 * a.target <= a.net_by_note <= a.target

    # The transitions read from the database equal the synthetic registry's, every list,
    # pair and commune (ids differ: compare the counts).
    registry = ngoc_hoi_history(seed=1)
    expected = histories_from_records(to_transition_records(registry))
    got_histories = unit_histories(actor=officer, unit=load_units_district())
    assert len(got_histories) == len(expected) == first.households
    for y0, y1 in ((2018, 2019), (2019, 2020)):
        for kind in LIST_KINDS:
            got_t = movement_tables(got_histories, y0, y1, list_kind=kind, group_by=("area",))
            want_t = movement_tables(expected, y0, y1, list_kind=kind, group_by=("area",))
            for measure in ("households", "persons"):
                assert [(r.key, r.bucket.count(measure)) for r in got_t.total.rows(measure)] == [
                    (r.key, r.bucket.count(measure)) for r in want_t.total.rows(measure)
                ]


def load_units_district() -> AdminUnit:
    return AdminUnit.objects.get(code="611")
