"""The audit log: services call ``audit`` inside their transaction, after the write.

Every ``AuditEvent`` is written here, nowhere else: each row is chained to the previous one
by its hash (``giamngheo.registry.chain``: how, and why concurrent writers cannot fork the
chain). A write costs the insert, one indexed read of the previous row and one UPDATE (and,
on PostgreSQL, the advisory lock that serialises the chain's writers to the end of the
transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models, router, transaction

from giamngheo.registry import chain
from giamngheo.registry.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def jsonable(value: object) -> Any:
    """A field value as JSON (dates as ISO text, model instances as their pk; inside lists and
    mappings too)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def audit(
    actor: AnyUser | None,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: object = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row, chained to the previous one (inside the caller's transaction, or
    in one of its own)."""
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic(using=router.db_for_write(AuditEvent), savepoint=False):
        chain.lock()
        event = AuditEvent.objects.create(
            actor_id=user.pk if user is not None else None,
            action=action,
            object_type=object_type or (obj._meta.label if obj is not None else ""),
            object_id=str(obj.pk if obj is not None else object_id),
            object_repr=(str(obj) if obj is not None else object_repr)[:200],
            changes={k: jsonable(v) for k, v in (changes or {}).items()},
        )
        return chain.seal(event)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        k: [jsonable(before.get(k)), jsonable(v)] for k, v in after.items() if before.get(k) != v
    }
