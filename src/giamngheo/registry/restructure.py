"""Writes that reshape households: members moving between households, a household splitting
off with some of the members, merging into another, moving away to another commune.

Like ``registry.services``: keyword-only, the actor must manage the commune of every household
involved (``PermissionDenied``, nothing written), one transaction, audited, and refused while
a household involved is frozen (``registry.freeze``) unless called ``through_complaint``.
Rows are locked (``select_for_update``, in id order) before the first audit row is written:
on PostgreSQL the audit chain's lock is then taken last (``registry.chain``).

A move within the commune (another village) is a ``household_update`` of ``village``; a
status alone (dissolved, moved away without a new household) is ``household_set_status``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.audit import audit
from giamngheo.registry.freeze import complaint_ref, require_not_frozen
from giamngheo.registry.models import (
    POLICY_FLAGS,
    EntryReason,
    Household,
    HouseholdStatus,
    Member,
)
from giamngheo.registry.services import household_create, household_split_off, require_manage

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser

__all__ = ["household_merge", "household_move_away", "household_split", "members_move"]


def _locked(households: Iterable[Household]) -> dict[int, Household]:
    """The households, locked in id order, with their communes."""
    pks = sorted({h.pk for h in households})
    rows = Household.objects.select_for_update().select_related("commune").filter(pk__in=pks)
    return {h.pk: h for h in rows.order_by("pk")}


def _require_active(hh: Household) -> None:
    if hh.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            f"Hộ {hh.code} không còn sinh sống ({hh.get_status_display()}) / "
            f"household {hh.code} is no longer active",
            code="inactive",
        )


def _move(
    actor: AnyUser, members: list[Member], to: Household, extra: dict[str, object]
) -> list[Member]:
    """Move locked members to ``to`` (audited one by one: each member's history shows it)."""
    moved = []
    for m in members:
        if m.household_id == to.pk:
            continue
        old = m.household_id
        Member.objects.filter(pk=m.pk).update(household=to)
        m.household_id = to.pk
        audit(actor, "member_move", m, changes={"household": [old, to.pk], **extra})
        moved.append(m)
    return moved


@transaction.atomic
def members_move(
    *,
    actor: AnyUser,
    members: Iterable[Member],
    to_household: Household,
    through_complaint: object | None = None,
) -> list[Member]:
    """Move ``members`` to the active household ``to_household``; returns those that moved
    (a member already there stays)."""
    pks = sorted({m.pk for m in members})
    locked = list(Member.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):
        raise Member.DoesNotExist("Không có thành viên này / no such member")
    households = _locked([to_household, *(Household(pk=m.household_id) for m in locked)])
    for hh in households.values():
        require_manage(actor, hh.commune)
    target = households[to_household.pk]
    _require_active(target)
    require_not_frozen(households, through_complaint=through_complaint)
    return _move(actor, locked, target, complaint_ref(through_complaint))


@transaction.atomic
def household_split(
    *,
    actor: AnyUser,
    source: Household,
    code: str,
    head_name: str,
    entry_date: dt.date,
    members: Iterable[Member] = (),
    through_complaint: object | None = None,
    **fields: Any,
) -> Household:
    """A new household split off from ``source`` on ``entry_date``
    (``registry.services.household_split_off``; ``fields`` as there), with the chosen
    ``members`` of ``source`` moved to it. ``source`` stays active."""
    src = _locked([source])[source.pk]
    require_manage(actor, src.commune)
    _require_active(src)
    chosen = sorted({m.pk for m in members})
    locked = list(Member.objects.select_for_update().filter(pk__in=chosen).order_by("pk"))
    if len(locked) != len(chosen) or any(m.household_id != src.pk for m in locked):
        raise ValidationError(
            f"Chỉ chuyển được thành viên của hộ {src.code} / only members of household "
            f"{src.code} can move to the new household",
            code="members",
        )
    new = household_split_off(
        actor=actor,
        source=src,
        code=code,
        head_name=head_name,
        entry_date=entry_date,
        through_complaint=through_complaint,
        **fields,
    )
    _move(actor, locked, new, complaint_ref(through_complaint))
    return new


@transaction.atomic
def household_merge(
    *,
    actor: AnyUser,
    household: Household,
    into: Household,
    on_date: dt.date,
    through_complaint: object | None = None,
) -> Household:
    """Merge ``household`` into ``into`` on ``on_date``: its members move to ``into``; it gets
    status merged, ``went_to=into`` and the date. Both must be active. Returns ``household``."""
    if household.pk == into.pk:
        raise ValidationError(
            "Hộ không thể nhập vào chính nó / a household cannot merge into itself", code="into"
        )
    both = _locked([household, into])
    hh, target = both[household.pk], both[into.pk]
    for h in (hh, target):
        require_manage(actor, h.commune)
        _require_active(h)
    require_not_frozen(both, through_complaint=through_complaint)
    members = list(Member.objects.select_for_update().filter(household=hh).order_by("pk"))
    ref = complaint_ref(through_complaint)
    _move(actor, members, target, ref)
    hh.status, hh.status_date, hh.went_to = HouseholdStatus.MERGED, on_date, target
    hh.save()
    changes = {
        "status": [HouseholdStatus.ACTIVE, HouseholdStatus.MERGED],
        "status_date": [None, on_date],
        "went_to": [None, target.pk],
        "members": [m.pk for m in members],
        **ref,
    }
    audit(actor, "household_merge", hh, changes=changes)
    return hh


@transaction.atomic
def household_move_away(
    *,
    actor: AnyUser,
    household: Household,
    to_commune: AdminUnit,
    village: AdminUnit | None,
    on_date: dt.date,
    new_code: str,
    address: str = "",
    through_complaint: object | None = None,
) -> Household:
    """The household moves to another commune on ``on_date``: a new household there (code
    ``new_code``, entry reason moved in on that date, the same head, flags and members), and
    the old one becomes moved away with ``went_to`` the new one. The actor must manage both
    communes. Returns the new household."""
    hh = _locked([household])[household.pk]
    require_manage(actor, hh.commune)
    require_manage(actor, to_commune)
    _require_active(hh)
    if to_commune.level != Level.COMMUNE or to_commune.pk == hh.commune_id:
        raise ValidationError(
            f"Cần một xã khác {hh.commune} / another commune than {hh.commune} is needed",
            code="to_commune",
        )
    require_not_frozen([hh.pk], through_complaint=through_complaint)
    members = list(Member.objects.select_for_update().filter(household=hh).order_by("pk"))
    new = household_create(
        actor=actor,
        commune=to_commune,
        village=village,
        code=new_code,
        head_name=hh.head_name,
        address=address,
        ethnic_minority=hh.ethnic_minority,
        flags={f: getattr(hh, f) for f in POLICY_FLAGS},
        entry_reason=EntryReason.MOVED_IN,
        entry_date=on_date,
    )
    ref = complaint_ref(through_complaint)
    _move(actor, members, new, ref)
    hh.status, hh.status_date, hh.went_to = HouseholdStatus.MOVED_AWAY, on_date, new
    hh.save()
    changes = {
        "status": [HouseholdStatus.ACTIVE, HouseholdStatus.MOVED_AWAY],
        "status_date": [None, on_date],
        "went_to": [None, new.pk],
        "to_commune": to_commune.pk,
        **ref,
    }
    audit(actor, "household_move_away", hh, changes=changes)
    return new
