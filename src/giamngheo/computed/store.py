"""Where a computed report's results live: keys and entries in the report's cache.

For a report ``name`` and a scope (``ComputedReport.scope``):

* the *scope key* ``gn-<name>:<digest of the scope>``;
* a result of one data version under the *stamped key* ``<scope key>:<digest of the
  version>``, one entry per part: ``<stamped key>:<part>``;
* beside it, under the scope key: ``:latest``, the pointer to the last finished result (its
  stamped key and the time its data was read); ``:pending``, set when a computation is queued
  (:data:`PENDING_TIMEOUT` at most, with the task result id: one pending computation per scope,
  whatever the version); ``:failed``, set when the computation raised (:data:`FAILED_TIMEOUT`,
  a short bilingual reason).

:meth:`ReportStore.publish` points the scope at a new result and deletes the one it replaces,
so a scope keeps one result however often the data changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import DatabaseError

if TYPE_CHECKING:
    from giamngheo.computed.definition import ComputedReport

T = TypeVar("T")
#: How long a computed result is kept (a newer data version replaces it at once anyway).
CACHE_TIMEOUT = 6 * 3600
#: How long a computation is considered running before it is asked for again.
PENDING_TIMEOUT = 15 * 60
#: How long a failed computation is reported (with a retry) before the page asks again.
FAILED_TIMEOUT = 2 * 60
UNKNOWN_FAILURE = ("lỗi không rõ", "unknown error")


def digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def failure_reason(exc: BaseException) -> tuple[str, str]:
    """A short reason for a failed computation, (Vietnamese, English); nothing of the data."""
    name = type(exc).__name__
    if isinstance(exc, MemoryError):
        return ("không đủ bộ nhớ", "out of memory")
    if isinstance(exc, DatabaseError):
        return (f"lỗi cơ sở dữ liệu: {name}", f"database error: {name}")
    return (f"lỗi khi tính: {name}", f"computation error: {name}")


@dataclass(frozen=True)
class Latest:
    """The scope's last finished result: its stamped key and when its data was read."""

    key: str
    at: dt.datetime | None


class ReportStore:
    """The cache entries of one report (see the module docstring)."""

    def __init__(self, report: ComputedReport[Any]) -> None:
        self.name = report.name
        self.parts = report.parts
        self.alias = report.cache_alias

    @property
    def cache(self) -> BaseCache:
        return caches[self.alias] if self.alias in settings.CACHES else caches["default"]

    # keys
    def scope_key(self, scope: object) -> str:
        return f"gn-{self.name}:{digest(scope)}"

    def stamped_key(self, scope_key: str, version: str) -> str:
        """The key of the result of ``scope_key`` for one data version."""
        return f"{scope_key}:{digest(version)}"

    # results
    def get(self, key: str, part: str) -> Any:
        """The part ``part`` of the result under the stamped ``key`` (None when missing)."""
        return self.cache.get(f"{key}:{part}")

    def put(self, key: str, part: str, value: object) -> None:
        if part not in self.parts:
            raise KeyError(f"{self.name}: unknown part {part!r}")
        self.cache.set(f"{key}:{part}", value, CACHE_TIMEOUT)

    def drop(self, key: str) -> None:
        """Delete every part of the result stored under the stamped ``key``."""
        self.cache.delete_many([f"{key}:{part}" for part in self.parts])

    def latest(self, scope_key: str) -> Latest | None:
        found = self.cache.get(f"{scope_key}:latest")
        if isinstance(found, dict) and isinstance(found.get("key"), str):
            return Latest(found["key"], found.get("at"))
        return None

    def publish(self, scope_key: str, key: str, at: dt.datetime) -> None:
        """Point the scope at the result just stored under ``key`` (data as of ``at``) and
        delete the result it replaces. If a result of newer data was published meanwhile (two
        computations of the same scope overlapped), that one stays and this one is deleted."""
        previous = self.latest(scope_key)
        if previous is not None and previous.key != key:
            if previous.at is not None and previous.at > at:
                self.drop(key)
                return
            self.drop(previous.key)
        self.cache.set(f"{scope_key}:latest", {"key": key, "at": at}, CACHE_TIMEOUT)

    # markers
    def pending(self, scope_key: str) -> dict[str, Any] | None:
        found = self.cache.get(f"{scope_key}:pending")
        return found if isinstance(found, dict) else None

    def add_pending(self, scope_key: str, marker: dict[str, Any]) -> bool:
        """Set the pending marker unless there is one (atomic where the cache's ``add`` is)."""
        return bool(self.cache.add(f"{scope_key}:pending", marker, PENDING_TIMEOUT))

    def set_pending(self, scope_key: str, marker: dict[str, Any]) -> None:
        self.cache.set(f"{scope_key}:pending", marker, PENDING_TIMEOUT)

    def clear_pending(self, scope_key: str) -> None:
        self.cache.delete(f"{scope_key}:pending")

    def failed(self, scope_key: str) -> tuple[str, str] | None:
        """The last computation's failure, (vi, en), while its marker lasts."""
        found = self.cache.get(f"{scope_key}:failed")
        if found is None:
            return None
        if isinstance(found, tuple | list) and len(found) == 2:
            return (str(found[0]), str(found[1]))
        return UNKNOWN_FAILURE

    def record_failure(self, scope_key: str, exc: BaseException) -> None:
        """What the task does when the computation raises: the scope's failed marker (shown
        for :data:`FAILED_TIMEOUT`, with a retry) and no pending marker any more."""
        self.cache.set(f"{scope_key}:failed", failure_reason(exc), FAILED_TIMEOUT)
        self.clear_pending(scope_key)

    def clear_failed(self, scope_key: str) -> None:
        self.cache.delete(f"{scope_key}:failed")

    def finish(self, scope_key: str) -> None:
        """The scope's computation is done: neither pending nor failed."""
        self.cache.delete_many([f"{scope_key}:pending", f"{scope_key}:failed"])

    # small values beside their version
    def stamped_value(self, key: str, version: str, compute: Callable[[], T]) -> T:
        """A small value cached under ``key`` (no version in it) beside the version it was
        computed at: a new version overwrites it in place, so the cache holds one entry per
        key, not one per data version."""
        found = self.cache.get(key)
        if isinstance(found, tuple) and len(found) == 2 and found[0] == version:
            value: T = found[1]
            return value
        value = compute()
        self.cache.set(key, (version, value), CACHE_TIMEOUT)
        return value
