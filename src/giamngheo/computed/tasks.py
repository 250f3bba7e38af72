"""The one background task of every computed report, and what it runs.

:func:`compute_report` (django-tasks, run by ``giamngheo worker``) finds the report by name
(:func:`~giamngheo.computed.definition.get_report`), loads the actor again and calls
:func:`compute_and_store`. If that raises, the scope (its key, as the page computed it) gets a
short-lived failure marker and loses its pending marker, and the task ends FAILED.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_tasks import TaskResult, default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist

from giamngheo.computed.definition import ComputedReport, get_report
from giamngheo.computed.store import ReportStore

#: A computation queued this long (seconds) and not started: no worker seems to run.
WORKER_WAIT_SECONDS = 30


def load_actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return AnonymousUser()
    return get_user_model().objects.get(pk=actor_id)


def compute_and_store(report: ComputedReport[Any], actor: Any, params: Any) -> str:
    """Compute ``report`` for ``params`` as ``actor`` sees it and store its parts; returns the
    result's stamped key. The version is read before the data, so a write that lands meanwhile
    can only make the result look older than it is (recomputed), never newer. The result
    becomes the scope's latest (the one it replaces is deleted) and the scope's pending and
    failed markers are cleared."""
    at = timezone.now()
    version = report.data_version()
    store = ReportStore(report)
    scope = store.scope_key(report.scope(actor, params))
    key = store.stamped_key(scope, version)
    for part, value in report.compute(actor, params, version):
        store.put(key, part, value)
        del value  # the next part is computed without this one in memory
    store.publish(scope, key, at)
    store.finish(scope)
    return key


def current_value(report: ComputedReport[Any], actor: Any, params: Any, part: str) -> Any:
    """The part ``part`` of the current data version's result, computed here and now (and
    stored for everyone) when it is not stored yet: what a command line or a script uses,
    where there is no page to show a previous result while the worker computes."""
    store = ReportStore(report)
    scope = store.scope_key(report.scope(actor, params))
    value = store.get(store.stamped_key(scope, report.data_version()), part)
    if value is None:
        value = store.get(compute_and_store(report, actor, params), part)
    return value


@task()
def compute_report(name: str, actor_id: int | None, params: dict[str, Any], scope: str = "") -> str:
    """Compute the report ``name`` for ``params`` (its JSON) as the actor sees it and store it;
    returns the stamped key (see the module docstring)."""
    report = get_report(name)
    store = ReportStore(report)
    try:
        actor = load_actor(actor_id)
        decoded = report.decode_params(params)
        if not scope:
            scope = store.scope_key(report.scope(actor, decoded))
        return compute_and_store(report, actor, decoded)
    except Exception as exc:  # MemoryError and database errors included
        if scope:
            store.record_failure(scope, exc)
        raise


def stored_result(result_id: str) -> TaskResult[Any] | None:
    """A task's result by id, if the backend keeps results (the database backend does; the
    inline backend of the tests does not) and has this one."""
    if not result_id or not default_task_backend.supports_get_result:
        return None
    try:
        return default_task_backend.get_result(result_id)
    except (TaskResultDoesNotExist, ValueError):
        return None


def report_task_result(result_id: str) -> TaskResult[Any] | None:
    """The result of a :func:`compute_report` task, if the backend keeps results."""
    result = stored_result(result_id)
    if result is None or result.task.module_path != compute_report.module_path:
        return None
    return result


def worker_missing(result: Any, now: dt.datetime | None = None) -> bool:
    """Whether a queued task (a django-tasks ``TaskResult``) has waited more than
    :data:`WORKER_WAIT_SECONDS` without being started: no background worker seems to run."""
    if result is None or result.status != "READY" or result.enqueued_at is None:
        return False
    now = timezone.now() if now is None else now
    waited: dt.timedelta = now - result.enqueued_at
    return waited.total_seconds() > WORKER_WAIT_SECONDS
