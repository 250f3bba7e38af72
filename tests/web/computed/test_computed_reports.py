"""The computed-report mechanism on its own, with a toy report (no registry): a fresh result,
the previous one shown while a newer is computed (stale-while-revalidate), one pending
computation per scope, the failure marker and its retry, the missing-worker notice, replaced
results deleted, scopes that never share a result, and the registry of reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory
from django.utils import timezone
from django_tasks import default_task_backend
from pytest_django.fixtures import Settings as SettingsWrapper

from giamngheo.computed.definition import ComputedReport, get_report, register, unregister
from giamngheo.computed.store import ReportStore
from giamngheo.computed.tasks import compute_and_store, compute_report, worker_missing
from giamngheo.computed.views import Cached, cached, retry

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class Squares(ComputedReport[int]):
    """``n`` → the squares up to n (part ``table``) and their sum (part ``total``), as of the
    class's data version; ``fail`` makes the computation raise."""

    name = "squares-test"
    parts = ("table", "total")
    cache_alias = "computed-test"
    version: ClassVar[int] = 1
    calls: ClassVar[list[int]] = []
    fail: ClassVar[bool] = False

    def data_version(self) -> str:
        return f"v{Squares.version}"

    def scope(self, actor: Any, params: int) -> object:
        return (getattr(actor, "username", ""), params)

    def compute(self, actor: Any, params: int, version: str) -> Iterator[tuple[str, object]]:
        Squares.calls.append(params)
        if Squares.fail:
            raise MemoryError
        table = [(i, i * i + Squares.version) for i in range(params + 1)]
        yield "table", table
        yield "total", sum(v for _, v in table)

    def encode_params(self, params: int) -> dict[str, Any]:
        return {"n": params}

    def decode_params(self, data: Mapping[str, Any]) -> int:
        return int(data["n"])


REPORT = Squares()
STORE = ReportStore(REPORT)


@pytest.fixture(autouse=True)
def toy(settings: SettingsWrapper, tmp_path: Path) -> Iterator[None]:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        Squares.cache_alias: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    Squares.version, Squares.fail = 1, False
    Squares.calls.clear()
    register(REPORT)
    yield
    unregister(REPORT.name)


def _total(version: int, n: int = 3) -> int:
    return sum(i * i + version for i in range(n + 1))


def _scope(actor: Any = None, n: int = 3) -> str:
    return STORE.scope_key(REPORT.scope(actor or AnonymousUser(), n))


def _queued() -> int:
    return len(default_task_backend.results)  # type: ignore[attr-defined]


def test_fresh_result_is_computed_once_and_then_read() -> None:
    actor = AnonymousUser()
    first = cached(REPORT, actor, 3, "total")  # the immediate backend computes inline
    assert first == Cached(_total(1)) and not first.computing and not first.refresh
    assert cached(REPORT, actor, 3, "table").value[-1] == (3, 10)
    assert cached(REPORT, actor, 3, "total").value == _total(1)
    assert Squares.calls == [3]
    latest = STORE.latest(_scope())
    assert latest is not None and latest.key == STORE.stamped_key(_scope(), "v1")
    assert STORE.pending(_scope()) is None and STORE.failed(_scope()) is None


def test_previous_result_while_the_new_one_is_computed(settings: SettingsWrapper) -> None:
    actor = AnonymousUser()
    assert cached(REPORT, actor, 3, "total").value == _total(1)
    old_key = STORE.stamped_key(_scope(), "v1")
    settings.TASKS = DUMMY  # the worker does not run
    Squares.version = 2
    got = cached(REPORT, actor, 3, "total")
    assert got.value == _total(1) and got.stale_at is not None
    assert not got.computing and got.refresh
    assert got.context("vi")["stale_at"] and got.stale_note("vi").startswith("Số liệu lúc")
    assert got.stale_note("en").startswith("Figures as of")
    assert _queued() == 1
    # Asked again, and the data changed again: still one pending computation for the scope.
    Squares.version = 3
    assert cached(REPORT, actor, 3, "table").stale_at is not None
    assert _queued() == 1 and Squares.calls == [3]
    # The worker's part: the newest data; the result it replaces is deleted.
    key = compute_and_store(REPORT, actor, 3)
    assert key == STORE.stamped_key(_scope(), "v3")
    assert all(STORE.get(old_key, part) is None for part in REPORT.parts)
    assert all(STORE.get(key, part) is not None for part in REPORT.parts)
    latest = STORE.latest(_scope())
    assert latest is not None and latest.key == key and STORE.pending(_scope()) is None
    assert cached(REPORT, actor, 3, "total") == Cached(_total(3))


def test_an_older_result_published_late_is_dropped() -> None:
    scope = _scope()
    new, old = STORE.stamped_key(scope, "new"), STORE.stamped_key(scope, "old")
    now = timezone.now()
    for key in (new, old):
        STORE.put(key, "total", 1)
    STORE.publish(scope, new, now)
    STORE.publish(scope, old, now - dt.timedelta(minutes=1))  # overlapped, read earlier
    latest = STORE.latest(scope)
    assert latest is not None and latest.key == new
    assert STORE.get(new, "total") == 1 and STORE.get(old, "total") is None
    with pytest.raises(KeyError):
        STORE.put(new, "no-such-part", 1)


def test_nothing_but_computing_when_there_is_no_previous_result(
    settings: SettingsWrapper,
) -> None:
    settings.TASKS = DUMMY
    got = cached(REPORT, AnonymousUser(), 3, "total")
    assert got == Cached(None) and got.computing and got.refresh
    assert _queued() == 1
    marker = STORE.pending(_scope())
    assert marker is not None and marker["task"]


def test_a_pending_marker_whose_task_ended_is_asked_again(settings: SettingsWrapper) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert cached(REPORT, AnonymousUser(), 3, "total").computing
    marker = STORE.pending(_scope())
    assert marker is not None
    DBTaskResult.objects.filter(pk=marker["task"]).update(status="FAILED")  # died uncleaned
    cached(REPORT, AnonymousUser(), 3, "total")
    assert DBTaskResult.objects.count() == 2
    again = STORE.pending(_scope())
    assert again is not None and again["task"] != marker["task"]


def test_failure_marker_and_retry() -> None:
    actor = AnonymousUser()
    Squares.fail = True
    got = cached(REPORT, actor, 3, "total")
    assert got.value is None and got.failed == ("không đủ bộ nhớ", "out of memory")
    assert not got.computing and not got.refresh
    assert got.context("en")["failed"] == "out of memory"
    assert STORE.pending(_scope()) is None and STORE.failed(_scope()) is not None
    # Nothing is asked again while the failure is reported.
    assert cached(REPORT, actor, 3, "total").failed is not None and Squares.calls == [3]
    # The task itself ends FAILED.
    result = compute_report.enqueue(REPORT.name, None, {"n": 3}, _scope())
    assert result.status == "FAILED" and Squares.calls == [3, 3]
    # Retry once the cause is gone: the marker goes, the page is shown again without it.
    Squares.fail = False
    request = RequestFactory().get("/bao-cao/", {"n": 3, "thu_lai": 1})
    response = retry(request, REPORT, actor, 3)
    assert response is not None and response.status_code == 302
    assert response["Location"] == "/bao-cao/?n=3"
    assert STORE.failed(_scope()) is None
    assert retry(RequestFactory().get("/bao-cao/", {"n": 3}), REPORT, actor, 3) is None
    assert cached(REPORT, actor, 3, "total") == Cached(_total(1))


def test_an_unreadable_failure_marker_still_says_it_failed() -> None:
    STORE.cache.set(f"{_scope()}:failed", "?")
    assert STORE.failed(_scope()) == ("lỗi không rõ", "unknown error")


def test_worker_missing_notice(settings: SettingsWrapper) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    actor = AnonymousUser()
    assert not cached(REPORT, actor, 3, "total").no_worker
    marker = STORE.pending(_scope())
    assert marker is not None
    result = DBTaskResult.objects.filter(pk=marker["task"])
    result.update(enqueued_at=timezone.now() - dt.timedelta(seconds=60))
    got = cached(REPORT, actor, 3, "total")
    assert got.computing and got.no_worker and got.context("vi")["no_worker"]
    assert DBTaskResult.objects.count() == 1  # not queued again
    result.update(status="RUNNING")
    assert not cached(REPORT, actor, 3, "total").no_worker


def test_worker_missing_helper() -> None:
    now = timezone.now()
    queued = SimpleNamespace(status="READY", enqueued_at=now - dt.timedelta(seconds=31))
    assert worker_missing(queued, now)
    assert not worker_missing(SimpleNamespace(status="READY", enqueued_at=now), now)
    assert not worker_missing(
        SimpleNamespace(status="RUNNING", enqueued_at=now - dt.timedelta(hours=1)), now
    )
    assert not worker_missing(None, now)


def test_scopes_never_share_a_result(settings: SettingsWrapper) -> None:
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    assert _scope(alice) != _scope(bob) != _scope(alice, 4)
    assert cached(REPORT, alice, 3, "total").value == _total(1)
    settings.TASKS = DUMMY
    # Bob has no result of his own: his first view computes; Alice's is never his.
    assert cached(REPORT, bob, 3, "total") == Cached(None)
    Squares.version = 2
    assert cached(REPORT, alice, 3, "total").stale_at is not None  # her own previous result
    assert cached(REPORT, bob, 3, "total") == Cached(None)
    assert cached(REPORT, alice, 4, "total") == Cached(None)  # another parameter, no previous


def test_stamped_values_are_overwritten_in_place() -> None:
    calls: list[str] = []

    def compute(version: str) -> str:
        def fresh() -> str:
            calls.append(version)
            return version

        return STORE.stamped_value("gn-squares-test-choices", version, fresh)

    assert compute("v1") == compute("v1") == "v1" and calls == ["v1"]
    assert compute("v2") == "v2" and calls == ["v1", "v2"]
    assert STORE.cache.get("gn-squares-test-choices") == ("v2", "v2")


def test_the_registry_of_reports() -> None:
    assert get_report(REPORT.name) is REPORT
    assert register(Squares()) is REPORT  # the same report again: no-op

    class Other(Squares):
        pass

    with pytest.raises(ValueError, match="registered already"):
        register(Other())
    with pytest.raises(KeyError, match="no computed report"):
        get_report("no-such-report")
    assert get_report("transitions").name == "transitions"  # registered by its app
