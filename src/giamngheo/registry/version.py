"""The registry's data version: what a computed report of the registry is cached under.

:func:`registry_stamp` is a cheap version of everything the registry's reports read (one
indexed query per table): the last row (pk and creation time) of the audit log, the reviews
and the households, and of the admin's log. Every write of households and reviews goes through
a service that writes an ``AuditEvent`` in the same transaction (an import commit writes one
at its end; an approval, a correction or a status change one each); a new review or household
also moves its table's last pk; the Django admin writes a ``LogEntry``. So any write changes
the stamp at once; a write that bypasses the services and the admin (raw SQL, a shell) is not
seen until the next audited write. The creation times make the stamp differ between two
databases that reached the same pks (a restored backup, a test database).
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry

from giamngheo.registry.models import AuditEvent, Household, ReviewRecord

__all__ = ["registry_stamp"]


def registry_stamp() -> str:
    """The registry's current data version (see the module docstring)."""
    parts: list[str] = []
    for model, when in (
        (AuditEvent, "at"),
        (ReviewRecord, "created_at"),
        (Household, "created_at"),
        (LogEntry, "action_time"),
    ):
        last = model.objects.order_by("-pk").values_list("pk", when).first()
        parts.append("-" if last is None else f"{last[0]}@{last[1].isoformat()}")
    return "|".join(parts)
