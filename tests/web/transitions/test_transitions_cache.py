"""The transitions cache: the same figures as a fresh computation, invalidated by every write
of the registry (approval, status change, import commit), never shared between scopes; the
drill-down lists from the cached index equal the tables' buckets, page after page; the
"computing" state while the worker has not finished; the previous result shown (with its
time) while a newer one is computed, and deleted once it is replaced; a failed computation
shown with a retry; and the notice when no worker takes the queued computation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend
from generated_households import DAK_ANG, Generated, add_household
from pytest_django.fixtures import Settings as SettingsWrapper
from registry_files import YEAR, hh_row, two_sheet_file

from giamngheo.computed.store import Latest
from giamngheo.computed.tasks import compute_and_store, compute_report
from giamngheo.core.transitions import (
    LIST_KINDS,
    History,
    HouseholdYear,
    ListKind,
    Measure,
    movement_table,
)
from giamngheo.core.transitions_figures import MEASURES, SUMMARY_KEYS, bucket_of
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.histories import review_years, unit_histories
from giamngheo.registry.models import HouseholdStatus, ReviewRecord, ReviewState
from giamngheo.registry.services import (
    household_set_status,
    import_commit,
    import_upload,
    import_validate,
    review_approve,
)
from giamngheo.transitions import report
from giamngheo.transitions.report import (
    STORE,
    TRANSITIONS,
    Selection,
    TransitionsParams,
    build_index,
    build_report,
)
from giamngheo.transitions.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

PAGE = "transitions:page"
LIST = "transitions:list"


def scope_key(actor: Any, unit: Any, year_to: int) -> str:
    """The scope key of the transitions of ``unit`` for (year_to − 1, year_to) as ``actor``
    sees them."""
    return STORE.scope_key(TRANSITIONS.scope(actor, TransitionsParams(unit, year_to)))


def cache_key(actor: Any, unit: Any, year_to: int) -> str:
    """The key of that result at the registry's current version."""
    return STORE.stamped_key(scope_key(actor, unit, year_to), TRANSITIONS.data_version())


def _latest(scope: str) -> Latest:
    latest = STORE.latest(scope)
    assert latest is not None
    return latest


@pytest.fixture(autouse=True)
def own_cache(settings: SettingsWrapper, tmp_path: Path) -> None:
    """A cache of this test's own (a file cache, as in production)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        TRANSITIONS.cache_alias: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }


def _reports(client: Client, unit_pk: int, **extra: Any) -> Any:
    response = client.get(reverse(PAGE), {"don_vi": unit_pk, "nam": 2020, **extra})
    assert response.status_code == 200
    return response.context["reports"]


def _fresh(actor: User, unit: Any, lang: str = "vi", em_only: bool = False) -> Any:
    years = review_years(actor=actor, unit=unit)
    sel = Selection(unit, [], years, [], 2019, 2020)
    histories = unit_histories(actor=actor, unit=unit, up_to=2020)
    return build_report(histories, sel, lang, em_only)  # type: ignore[arg-type]


def _figure(report: Any, key: str) -> int:
    row = next(d for d in report.detail if d.key == key)
    return int(row.cells[0].value)


def test_cached_page_equals_a_fresh_computation(
    generated: Generated, units: DemoUnits, district_officer: User, client: Client
) -> None:
    client.force_login(district_officer)
    for unit in (units.district, units.communes_old[DAK_ANG]):
        for em_only in (False, True):
            extra = {"nhom": "dtts"} if em_only else {}
            cold = _reports(client, unit.pk, **extra)
            assert cold, "computed inline by the immediate task backend"
            warm = _reports(client, unit.pk, **extra)
            assert cold == warm == _fresh(district_officer, unit, em_only=em_only)
    client.cookies["django_language"] = "en"
    en = client.get(reverse(PAGE), {"don_vi": units.district.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert en.context["reports"] == _fresh(district_officer, units.district, "en")


def test_approval_status_change_and_import_invalidate(
    units: DemoUnits, district_officer: User, client: Client
) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    poor = add_household(dak_ang, "P1", {2019: ("poor", 3), 2020: ("poor", 3)})
    add_household(dak_ang, "P2", {2019: ("poor", 2), 2020: ("poor", 2)})
    client.force_login(district_officer)
    before = _reports(client, dak_ang.pk)
    assert _figure(before[0], "end") == 2
    # An approval: a third poor household in both years.
    hh = add_household(dak_ang, "P3", {})
    for year in (2019, 2020):
        review = ReviewRecord.objects.create(
            household=hh, year=year, kind="periodic", review_date=dt.date(year, 12, 31),
            standard_id="QD59-2015", classification="poor", persons=4,
            state=ReviewState.DRAFT,
        )  # fmt: skip
        key = cache_key(district_officer, dak_ang, 2020)
        review_approve(actor=district_officer, review=review)
        assert cache_key(district_officer, dak_ang, 2020) != key
    after = _reports(client, dak_ang.pk)
    assert _figure(after[0], "end") == 3
    assert after == _fresh(district_officer, dak_ang)
    # A status change (moved away in 2020) changes the exit reason shown.
    key = cache_key(district_officer, dak_ang, 2020)
    household_set_status(
        actor=district_officer, household=poor, status=HouseholdStatus.MOVED_AWAY,
        on=dt.date(2020, 3, 1),
    )  # fmt: skip
    assert cache_key(district_officer, dak_ang, 2020) != key
    assert _reports(client, dak_ang.pk) == _fresh(district_officer, dak_ang)
    # An import commit (reviews of 2019, drafts until approved).
    key = cache_key(district_officer, dak_ang, 2020)
    content = two_sheet_file([hh_row("IM1", "A Blong")], [])
    batch = import_upload(
        actor=district_officer, scope=dak_ang, year=YEAR, file_name="f.xlsx", content=content
    )
    batch = import_validate(batch=batch, actor=district_officer)
    import_commit(batch=batch, actor=district_officer)
    assert cache_key(district_officer, dak_ang, 2020) != key
    assert _reports(client, dak_ang.pk) == _fresh(district_officer, dak_ang)


def test_scopes_never_share_a_result(
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    dak_ang_officer: User,
    client: Client,
) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    # Different visible communes under the same unit: different keys.
    assert cache_key(dak_ang_officer, units.district, 2020) != cache_key(
        district_officer, units.district, 2020
    )
    for order in ((district_officer, dak_ang_officer), (dak_ang_officer, district_officer)):
        STORE.cache.clear()
        for who in order:
            client.force_login(who)
            unit = units.district if who == district_officer else dak_ang
            assert _reports(client, unit.pk) == _fresh(who, unit)
            if who == dak_ang_officer:  # the district is not theirs, cached or not
                r = client.get(reverse(PAGE), {"don_vi": units.district.pk, "nam": 2020})
                assert r.status_code == 404


def _ref(h: History) -> HouseholdYear:
    r1, r0 = h.at(2020), h.at(2019)
    ref = r1 if r1 is not None and r1.present else r0
    assert ref is not None
    return ref


def test_index_figures_equal_table_buckets(
    generated: Generated, units: DemoUnits, district_officer: User
) -> None:
    """Every figure of every group, from the index, is the bucket of a fresh table."""
    unit = units.district
    years = review_years(actor=district_officer, unit=unit)
    sel = Selection(unit, [], years, [], 2019, 2020)
    histories = unit_histories(actor=district_officer, unit=unit, up_to=2020)
    index = build_index(histories, sel)
    keys = [
        *SUMMARY_KEYS,
        "members_gained",
        "members_lost",
        *(f"other_decreases:{r}" for r in ("moved_away", "dissolved", "merged", "unrecorded")),
        *(f"other_increases:{r}" for r in ("moved_in", "split_off", "unrecorded")),
    ]
    communes = {str(c.pk) for c in units.communes_old.values()}
    groups: list[tuple[str | None, bool, set[int] | None]] = [
        (area, em, sub)
        for area in (None, "urban", "rural")
        for em in (False, True)
        for sub in (None, *({int(c)} for c in communes))
    ]
    for area, em, sub in groups:
        chosen = [
            h
            for h in histories
            if (area is None or _ref(h).area == area)
            and (not em or _ref(h).ethnic_minority)
            and (sub is None or int(_ref(h).unit_code) in sub)
        ]
        for kind in LIST_KINDS:
            table = movement_table(chosen, 2019, 2020, list_kind=kind)
            for key in keys:
                for measure in MEASURES:
                    positions, persons = index.figure(
                        kind, key, measure, area=area, em=em, communes=sub
                    )
                    bucket = bucket_of(table, key, measure)
                    got = sorted(str(index.household[p]) for p in positions)
                    assert got == sorted(bucket.household_ids), (kind, key, area, em, sub)
                    assert persons == bucket.persons, (kind, key, measure, area, em, sub)


def _pages(client: Client, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        response = client.get(reverse(LIST), {**params, "trang": page})
        assert response.status_code == 200
        text = response.content.decode()
        got = re.findall(r'data-household="(\d+)"', text)
        assert len(got) <= PAGE_SIZE
        ids += got
        if f"trang={page + 1}" not in text:
            return ids
        page += 1


@pytest.mark.parametrize(
    ("kind", "key", "measure", "group"),
    [
        ("poor", "households_start", "households", {}),
        ("poor", "households_end", "persons", {"khu_vuc": "rural"}),
        ("near_poor", "households_start", "households", {"dtts": "1"}),
        ("poor", "decreases", "persons", {}),
    ],
)
def test_drill_down_pages_list_exactly_the_bucket(  # noqa: PLR0917
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    client: Client,
    kind: ListKind,
    key: str,
    measure: Measure,
    group: dict[str, str],
) -> None:
    client.force_login(district_officer)
    params = {"don_vi": units.district.pk, "nam": 2020, "ds": kind, "muc": key, "do": measure}
    ids = _pages(client, {**params, **group})
    histories = unit_histories(actor=district_officer, unit=units.district, up_to=2020)
    chosen = [
        h
        for h in histories
        if ("khu_vuc" not in group or _ref(h).area == group["khu_vuc"])
        and ("dtts" not in group or _ref(h).ethnic_minority)
    ]
    bucket = bucket_of(movement_table(chosen, 2019, 2020, list_kind=kind), key, measure)
    assert len(ids) == len(set(ids)) == bucket.households
    assert sorted(ids) == sorted(bucket.household_ids)
    if key == "households_start":
        assert bucket.households > PAGE_SIZE  # several pages were walked
    # Warm: the same pages again, from the cached list.
    assert _pages(client, {**params, **group}) == ids


def test_computing_state_until_the_worker_has_stored_the_result(
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    client: Client,
    settings: SettingsWrapper,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(district_officer)
    params = {"don_vi": units.district.pk, "nam": 2020}
    page = client.get(reverse(PAGE), params)
    assert page.status_code == 200 and page.context["computing"]
    text = page.content.decode()
    assert 'http-equiv="refresh"' in text and "Đang tính" in text
    lst = client.get(reverse(LIST), {**params, "ds": "poor", "muc": "start"})
    assert lst.status_code == 200 and lst.context["computing"]
    export = client.get(reverse("transitions:export"), params)
    assert export.status_code == 302 and reverse(PAGE) in export["Location"]
    # The worker's part.
    compute_and_store(TRANSITIONS, district_officer, TransitionsParams(units.district, 2020))
    page = client.get(reverse(PAGE), params)
    assert not page.context["computing"] and page.context["reports"]
    assert 'http-equiv="refresh"' not in page.content.decode()
    export = client.get(reverse("transitions:export"), params)
    assert export.status_code == 200 and export.content[:2] == b"PK"


DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _queued() -> int:
    """Tasks queued on the dummy backend so far."""
    return len(default_task_backend.results)  # type: ignore[attr-defined]


def test_previous_result_is_shown_while_the_new_one_is_computed(
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    client: Client,
    settings: SettingsWrapper,
) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    client.force_login(district_officer)
    params = {"don_vi": dak_ang.pk, "nam": 2020}
    old = _reports(client, dak_ang.pk)  # computed inline
    old_key = cache_key(district_officer, dak_ang, 2020)
    scope = scope_key(district_officer, dak_ang, 2020)
    assert _latest(scope).key == old_key
    # A write: the stamp moves; the worker does not run (dummy backend).
    settings.TASKS = DUMMY
    add_household(dak_ang, "NEW1", {2019: ("poor", 2), 2020: ("near_poor", 2)})
    new_key = cache_key(district_officer, dak_ang, 2020)
    assert new_key != old_key
    page = client.get(reverse(PAGE), params)
    text = page.content.decode()
    assert not page.context["computing"] and page.context["reports"] == old
    assert page.context["stale_at"] and "Số liệu lúc" in text and "đang cập nhật" in text
    assert 'http-equiv="refresh"' in text
    assert _queued() == 1
    # Drill-down and export use the previous result too, with the same notice.
    lst = client.get(reverse(LIST), {**params, "ds": "poor", "muc": "start"})
    assert lst.status_code == 200 and not lst.context["computing"]
    assert "Số liệu lúc" in lst.content.decode()
    assert re.findall(r'data-household="(\d+)"', lst.content.decode())
    export = client.get(reverse("transitions:export"), params)
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # More writes while the refresh is pending: still one queued computation for the scope.
    add_household(dak_ang, "NEW2", {2020: ("poor", 3)})
    assert client.get(reverse(PAGE), params).context["reports"] == old
    assert _queued() == 1
    # The worker's part: the fresh result replaces the previous one, which is deleted.
    key = compute_and_store(TRANSITIONS, district_officer, TransitionsParams(dak_ang, 2020))
    assert key == cache_key(district_officer, dak_ang, 2020)
    assert _latest(scope).key == key
    assert all(STORE.get(old_key, part) is None for part in TRANSITIONS.parts)
    assert all(STORE.get(key, part) is not None for part in TRANSITIONS.parts)
    assert STORE.pending(scope) is None
    page = client.get(reverse(PAGE), params)
    text = page.content.decode()
    assert page.context["reports"] == _fresh(district_officer, dak_ang) != old
    assert not page.context["stale_at"] and "Số liệu lúc" not in text
    assert 'http-equiv="refresh"' not in text
    # No per-figure entry in the file cache: drill-downs add no file.
    files = _files()
    for muc in ("start", "end", "newly", "escaped"):
        client.get(reverse(LIST), {**params, "ds": "poor", "muc": muc, "khu_vuc": "rural"})
    assert _files() == files


def _files() -> int:
    """The number of entries (files) in the file cache."""
    return len(STORE.cache._list_cache_files())  # type: ignore[attr-defined]


def test_previous_results_never_cross_scopes(  # noqa: PLR0917
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    dak_ang_officer: User,
    client: Client,
    settings: SettingsWrapper,
) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    assert scope_key(dak_ang_officer, units.district, 2020) != scope_key(
        district_officer, units.district, 2020
    )
    client.force_login(district_officer)
    assert _reports(client, units.district.pk)
    settings.TASKS = DUMMY
    add_household(dak_ang, "NEW1", {2020: ("poor", 2)})
    assert _reports(client, units.district.pk)  # the district's previous result
    # The commune officer has no previous result of their own: nothing but "computing".
    client.force_login(dak_ang_officer)
    page = client.get(reverse(PAGE), {"don_vi": dak_ang.pk, "nam": 2020})
    assert page.context["computing"] and page.context["reports"] == []
    assert not page.context["stale_at"]
    r = client.get(reverse(PAGE), {"don_vi": units.district.pk, "nam": 2020})
    assert r.status_code == 404


def test_failed_computation_is_shown_with_a_retry(
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    client.force_login(district_officer)
    params = {"don_vi": dak_ang.pk, "nam": 2020}
    scope = scope_key(district_officer, dak_ang, 2020)
    calls: list[int] = []

    def broken(**kwargs: Any) -> Any:
        calls.append(1)
        raise DatabaseError("connection lost")

    monkeypatch.setattr(report, "unit_histories", broken)
    page = client.get(reverse(PAGE), params)
    text = page.content.decode()
    assert page.status_code == 200 and calls == [1]
    assert not page.context["computing"] and page.context["reports"] == []
    assert "Tính biến động không thành công" in text and "lỗi cơ sở dữ liệu" in text
    assert "thu_lai=1" in text and 'http-equiv="refresh"' not in text
    assert STORE.pending(scope) is None and STORE.failed(scope)
    # While the failure is shown, nothing is queued again; the drill-down says so too.
    lst = client.get(reverse(LIST), {**params, "ds": "poor", "muc": "start"})
    assert "Tính biến động không thành công" in lst.content.decode() and calls == [1]
    client.cookies["django_language"] = "en"
    en = client.get(reverse(PAGE), params)
    assert "Computing the transitions failed" in en.content.decode()
    assert "database error" in en.content.decode()
    del client.cookies["django_language"]
    # The task itself ends FAILED.
    encoded = TRANSITIONS.encode_params(TransitionsParams(dak_ang, 2020))
    result = compute_report.enqueue(TRANSITIONS.name, district_officer.pk, encoded, scope)
    assert result.status == "FAILED" and len(calls) == 2
    # Retry, once the cause is gone: the marker is cleared and the computation runs again.
    monkeypatch.undo()
    retry = client.get(reverse(PAGE), {**params, "thu_lai": 1})
    assert retry.status_code == 302 and "thu_lai" not in retry["Location"]
    assert STORE.failed(scope) is None
    page = client.get(retry["Location"])
    assert page.context["reports"] == _fresh(district_officer, dak_ang)
    assert "không thành công" not in page.content.decode()


def test_worker_missing_notice(
    generated: Generated,
    units: DemoUnits,
    district_officer: User,
    client: Client,
    settings: SettingsWrapper,
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dak_ang = units.communes_old[DAK_ANG]
    client.force_login(district_officer)
    params = {"don_vi": dak_ang.pk, "nam": 2020}
    page = client.get(reverse(PAGE), params)
    assert page.context["computing"] and not page.context["no_worker"]
    marker = STORE.pending(scope_key(district_officer, dak_ang, 2020))
    assert marker is not None
    assert marker["task"] and DBTaskResult.objects.filter(pk=marker["task"]).exists()
    # Queued a minute ago and still not started.
    DBTaskResult.objects.filter(pk=marker["task"]).update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=60)
    )
    page = client.get(reverse(PAGE), params)
    text = page.content.decode()
    assert page.context["computing"] and page.context["no_worker"]
    assert "chưa có tiến trình nền" in text and "giamngheo worker" in text
    assert DBTaskResult.objects.count() == 1  # not queued again
    # Started by a worker (RUNNING): no such notice.
    DBTaskResult.objects.filter(pk=marker["task"]).update(status="RUNNING")
    assert not client.get(reverse(PAGE), params).context["no_worker"]
