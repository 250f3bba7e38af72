"""What every support service shares: the bilingual refusal, the audit call, and the check of
a right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from giamngheo.registry.audit import audit

if TYPE_CHECKING:
    from django.db import models

    from giamngheo.accounts.access import AnyUser


def refuse(vi: str, en: str, code: str) -> ValidationError:
    """A refused action: both languages, a stable code for tests and pages."""
    return ValidationError(f"{vi} / {en}", code=code)


def forbid(vi: str, en: str) -> PermissionDenied:
    """A refused right (pages answer 403 with this text)."""
    return PermissionDenied(f"{vi} / {en}")


def require(allowed: bool, vi: str, en: str) -> None:
    if not allowed:
        raise forbid(vi, en)


def actor_id(actor: AnyUser) -> int | None:
    return actor.pk if actor.is_authenticated else None


def log(actor: AnyUser, action: str, obj: models.Model, **changes: Any) -> None:
    """One entry of the tamper-evident trail (``registry.audit``), action ``support_*``."""
    audit(actor, f"support_{action}", obj, changes=changes)
