"""What a page of a computed report needs: its cached value and the state of its computation.

:func:`cached` gives the part a page shows (:class:`Cached`): the current data version's
result when it is stored; else it asks for the computation (:func:`start`: one pending
computation per scope, nothing asked again while the last failure is reported) and gives the
scope's previous result with its time (stale-while-revalidate), or nothing ("computing").
:meth:`Cached.context` is what the shared notices template needs (computing, reload, "Số liệu
lúc …", failure with its retry link, no worker); :func:`retry` answers ``?thu_lai=1``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from giamngheo.computed.definition import ComputedReport
from giamngheo.computed.store import ReportStore
from giamngheo.computed.tasks import compute_report, report_task_result, worker_missing
from giamngheo.core.numbers import Lang

#: Seconds between two reloads of a page that waits for its computation.
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class Cached:
    """A cached value and the state of its computation."""

    value: Any  # None while nothing can be shown
    stale_at: dt.datetime | None = None  # the value is the previous result, of data as of then
    failed: tuple[str, str] | None = None  # the last computation failed: (vi, en) reason
    no_worker: bool = False  # queued for a while and not started

    @property
    def computing(self) -> bool:
        """Nothing to show yet; the page reloads itself."""
        return self.value is None and self.failed is None

    @property
    def refresh(self) -> bool:
        """The page reloads itself until the fresh result is in."""
        return self.failed is None and (self.value is None or self.stale_at is not None)

    def stale_text(self) -> str:
        """When the previous result's data was read (HH:MM dd/mm/yyyy), or ""."""
        if self.stale_at is None:
            return ""
        return timezone.localtime(self.stale_at).strftime("%H:%M %d/%m/%Y")

    def stale_note(self, lang: Lang) -> str:
        """The line an export carries while it is the previous result (else "")."""
        when = self.stale_text()
        if not when:
            return ""
        if lang == "vi":
            return f"Số liệu lúc {when}; đang cập nhật theo thay đổi mới…"
        return f"Figures as of {when}; updating with the latest changes…"

    def context(self, lang: Lang) -> dict[str, Any]:
        return {
            "computing": self.computing,
            "refresh_page": self.refresh,
            "refresh": REFRESH_SECONDS,
            "stale_at": self.stale_text(),
            "failed": "" if self.failed is None else self.failed[0 if lang == "vi" else 1],
            "no_worker": self.no_worker,
        }


def cached(
    report: ComputedReport[Any], actor: Any, params: Any, part: str, version: str | None = None
) -> Cached:
    """The part ``part`` of the result of ``params`` as ``actor`` sees it, at the data
    ``version`` (the current one by default; a page passes the version it read first). When it
    is missing, its computation is asked for (unless the last one failed a moment ago) and the
    scope's previous result is given instead, if any (``stale_at``); the value is None when
    there is none (unless the task ran inline, as in tests)."""
    version = report.data_version() if version is None else version
    store = ReportStore(report)
    scope = store.scope_key(report.scope(actor, params))
    key = store.stamped_key(scope, version)
    value = store.get(key, part)
    if value is not None:
        return Cached(value)
    failed = store.failed(scope)
    marker = None
    if failed is None:
        marker = start(report, actor, params, scope)
        value = store.get(key, part)
        if value is not None:
            return Cached(value)
        failed = store.failed(scope)  # failed inline
    no_worker = False
    if failed is None and marker is not None and marker.get("task"):
        no_worker = worker_missing(report_task_result(marker["task"]))
    latest = store.latest(scope)
    stale, stale_at = None, None
    if latest is not None and latest.key != key:
        stale = store.get(latest.key, part)
        stale_at = latest.at if stale is not None else None
    return Cached(stale, stale_at, failed, no_worker)


def start(
    report: ComputedReport[Any], actor: Any, params: Any, scope: str
) -> dict[str, Any] | None:
    """Ask the worker for the computation of ``scope`` unless it was asked for already (one
    pending computation per scope, whatever the version: it computes the newest data); returns
    the scope's pending marker (``task``: the task result id, when the backend keeps it)."""
    store = ReportStore(report)
    marker = store.pending(scope)
    if marker is not None and marker.get("task"):
        result = report_task_result(marker["task"])
        if result is not None and result.status in {"SUCCESSFUL", "FAILED"}:
            store.clear_pending(scope)  # its task ended without clearing it
            marker = None
    if marker is not None:
        return marker
    token = uuid.uuid4().hex
    if not store.add_pending(scope, {"token": token, "task": "", "at": timezone.now()}):
        return store.pending(scope)
    actor_id = actor.pk if actor.is_authenticated else None
    try:
        result = compute_report.enqueue(report.name, actor_id, report.encode_params(params), scope)
    except Exception:
        store.clear_pending(scope)
        raise
    marker = store.pending(scope)
    if marker is not None and marker.get("token") == token:  # not run inline
        marker = {**marker, "task": result.id}
        store.set_pending(scope, marker)
    return marker


def retry(
    request: HttpRequest, report: ComputedReport[Any], actor: Any, params: Any
) -> HttpResponse | None:
    """``?thu_lai=1``: forget the failure of the computation and show the page again without
    the parameter (which asks for the computation again)."""
    if not request.GET.get("thu_lai"):
        return None
    store = ReportStore(report)
    store.clear_failed(store.scope_key(report.scope(actor, params)))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "thu_lai"])
    return redirect(f"{request.path}?{query}")
