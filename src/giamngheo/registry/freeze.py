"""Freezing a household's edits while something above the registry says so.

The review campaign (app ``giamngheo.reviews``, above the registry in the import layers: the
registry never imports it) freezes the households of a commune whose list is publicly posted
or under decision; only a complaint re-check may then change them. The registry offers the
hook, the campaign fills it:

* :func:`register_freeze_check` — ``fn(household_ids: Sequence[int]) -> str | None`` returns
  a bilingual reason ("Vietnamese / English") naming the first frozen household among them,
  None when none is (one query for many households: an import checks a whole chunk; the reviews
  app registers it in its ``AppConfig.ready``; a test registers one and unregisters it with
  :func:`unregister_freeze_check`);
* :func:`frozen_reason` — the first reason any check gives for any of the households;
* :func:`require_not_frozen` — what every service that changes a household or its members
  calls before writing (``household_update``, ``household_set_status``,
  ``household_split_off``, ``member_add``, ``member_update``, ``review_create``,
  ``review_update``, ``review_correct``, ``review_approve`` in ``registry.services``;
  the commit of a review import, for the households of each chunk; ``members_move``,
  ``household_split``, ``household_merge``, ``household_move_away`` in
  ``registry.restructure``): it raises ``ValidationError(reason, code="frozen")``.

**The bypass:** each of those services takes ``through_complaint: object | None = None``.
The reviews app passes the complaint (any object; it is not read here, only tested for None)
when a complaint re-check changes a frozen household; the check is then skipped. The audit row
of the write names the complaint (``changes["through_complaint"]``: its ``pk``, or its text;
except ``household_split_off``, whose only row is the new household's creation). No page of
the registry passes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError

__all__ = [
    "FreezeCheck",
    "complaint_ref",
    "frozen_reason",
    "register_freeze_check",
    "require_not_frozen",
    "unregister_freeze_check",
]

FreezeCheck = Callable[[Sequence[int]], "str | None"]

_checks: list[FreezeCheck] = []


def register_freeze_check(fn: FreezeCheck) -> FreezeCheck:
    """Add a check (once; usable as a decorator)."""
    if fn not in _checks:
        _checks.append(fn)
    return fn


def unregister_freeze_check(fn: FreezeCheck) -> None:
    """Remove a check (nothing happens when it was not registered)."""
    if fn in _checks:
        _checks.remove(fn)


def frozen_reason(household_ids: Iterable[int | None]) -> str | None:
    """The first reason a registered check gives for one of the households (None: none is
    frozen). Without a registered check this costs nothing."""
    if not _checks:
        return None
    ids = [pk for pk in dict.fromkeys(household_ids) if pk is not None]
    if not ids:
        return None
    for check in _checks:
        reason = check(ids)
        if reason:
            return reason
    return None


def require_not_frozen(
    household_ids: Iterable[int | None], *, through_complaint: object | None = None
) -> None:
    """``ValidationError(reason, code="frozen")`` when one of the households is frozen,
    unless the change comes ``through_complaint``."""
    if through_complaint is not None:
        return
    reason = frozen_reason(household_ids)
    if reason:
        raise ValidationError(reason, code="frozen")


def complaint_ref(through_complaint: object | None) -> dict[str, object]:
    """What an audit row records of the complaint a change came through (nothing without)."""
    if through_complaint is None:
        return {}
    pk = getattr(through_complaint, "pk", None)
    return {"through_complaint": pk if pk is not None else str(through_complaint)[:200]}
