"""The audit log as a hash chain: each ``AuditEvent`` carries ``hash``, the SHA-256 of a
canonical JSON of its own content and of the previous row's hash (``prev_hash``, in id order;
the first row's is :data:`GENESIS`). Changing a row's content in place (raw SQL, a queryset
``update``) breaks its own hash; deleting a row breaks the next row's link; rewriting a row and
its hash breaks the next row's link.

What the hash covers (:func:`event_hash`): id, actor id, time (UTC, ISO 8601 with
microseconds), action, object type, object id, object repr and changes (keys sorted at every
level; a float with an integral value is written as the integer, as PostgreSQL's ``jsonb``
gives it back), plus the previous hash.

**Writing** (:func:`lock` then :func:`seal`, called by ``registry.audit.audit`` inside the
writer's transaction): the row is inserted, then the previous row (the highest id below the
new one: one indexed read) gives ``prev_hash``, and an UPDATE stores both hashes. Concurrent
writers must not read the same previous row:

* on PostgreSQL :func:`lock` takes a transaction-level advisory lock (``pg_advisory_xact_lock``,
  :data:`LOCK_KEY`) *before* the insert, so ids are drawn, and previous rows read, one writer at
  a time; the lock is held to the end of the writer's transaction (READ COMMITTED: the read
  after the lock sees every committed row). A service that audits should take its row locks
  before its first ``audit`` call, so that two writers never wait on each other;
* on SQLite one connection writes at a time: the INSERT takes the database's write lock (the
  project opens transactions ``BEGIN IMMEDIATE`` anyway), so the read that follows it sees
  every committed row and no other writer can slip a row in before ours.

A savepoint rolled back takes its rows with it: the next row links to the last one kept,
because the previous row is read after the insert, inside the same transaction.

**Checking**: :func:`verify_chain` streams the whole log in id order (``.iterator()``) and
reports the first broken row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from giamngheo.registry.models import AuditEvent

__all__ = ["GENESIS", "LOCK_KEY", "ChainReport", "event_hash", "lock", "seal", "verify_chain"]

#: The ``prev_hash`` of the first row.
GENESIS = "0" * 64
#: The PostgreSQL advisory-lock key of the audit chain ("gn-audit" as a number).
LOCK_KEY = 0x676E_2D61_7564_6974
#: The columns :func:`event_hash` reads, in order (the migration back-fill uses them too).
HASHED = ("pk", "actor_id", "at", "action", "object_type", "object_id", "object_repr", "changes")

CONTENT, LINK, MISSING = "content", "link", "missing"
_WHY = {
    CONTENT: ("nội dung đã bị sửa", "its content was changed"),
    LINK: (
        "không nối với bản ghi trước (bản ghi trước bị xóa hoặc sửa)",
        "it does not link to the previous record (which was deleted or changed)",
    ),
    MISSING: ("thiếu mã băm", "its hash is missing"),
}


def _canon(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    return value


def _utc(at: dt.datetime) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(prev: str, row: Sequence[Any]) -> str:
    """The hex SHA-256 of one row's canonical content (``row``: the values of :data:`HASHED`,
    in order) and the previous row's hash."""
    pk, actor_id, at, action, object_type, object_id, object_repr, changes = row
    content = {
        "prev": prev,
        "id": pk,
        "actor": actor_id,
        "at": _utc(at),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": _canon(changes),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock() -> None:
    """Serialise the chain's writers until the end of the current transaction (PostgreSQL; a
    no-op on SQLite, where the insert itself takes the database's write lock)."""
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def seal(event: AuditEvent) -> AuditEvent:
    """Fill the just-inserted ``event``'s ``prev_hash`` and ``hash`` (one indexed read of the
    previous row, one UPDATE)."""
    prev = (
        AuditEvent.objects.filter(pk__lt=event.pk)
        .order_by("-pk")
        .values_list("hash", flat=True)
        .first()
    )
    event.prev_hash = GENESIS if prev is None else prev
    event.hash = event_hash(event.prev_hash, [getattr(event, f) for f in HASHED])
    AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify_chain`: how many rows were checked and the first broken
    one (``broken_id``, ``reason``: ``"content"``, ``"link"`` or ``"missing"``)."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None

    def message(self) -> str:
        """Bilingual: Vietnamese, then English."""
        if self.broken_id is None:
            return (
                f"Nhật ký thay đổi nguyên vẹn ({self.checked} bản ghi) / "
                f"the audit log is intact ({self.checked} records)"
            )
        vi, en = _WHY[self.reason]
        return (
            f"Nhật ký thay đổi bị phá vỡ tại bản ghi #{self.broken_id}: {vi} / "
            f"the audit log is broken at record #{self.broken_id}: {en}"
        )


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Check every row in id order (streamed) and report the first broken one."""
    prev = GENESIS
    checked = 0
    rows = (
        AuditEvent.objects.order_by("pk")
        .values_list("prev_hash", "hash", *HASHED)
        .iterator(chunk_size=chunk_size)
    )
    for prev_hash, stored, *content in rows:
        checked += 1
        pk = content[0]
        if not stored or not prev_hash:
            return ChainReport(checked, pk, MISSING)
        if prev_hash != prev:
            return ChainReport(checked, pk, LINK)
        if event_hash(prev_hash, content) != stored:
            return ChainReport(checked, pk, CONTENT)
        prev = stored
    return ChainReport(checked)
