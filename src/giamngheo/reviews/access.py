"""Who may do what in a review campaign.

* open a campaign, set its deadlines: an officer of the province or district it covers;
* prepare a commune's review (list, assignment, meetings, posting, complaints, submission):
  an officer who manages the commune (the commune's own, or one above it);
* enter a survey: those officers, or the collaborator (rà soát viên) the household is assigned
  to — a collaborator enters only for its own households;
* decide (recognition decision): an ``approver`` of the commune (its chairman), never for a
  household whose survey they entered (maker-checker);
* accept or return a commune's result, unlock it: an officer of the campaign's unit;
* approve the whole result (close the campaign): an ``approver`` of the campaign's unit or
  above;
* read: anyone who sees the unit (leaders, departments).

Each ``require_*`` raises ``PermissionDenied`` with a bilingual message; services call them
before writing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from giamngheo.accounts.access import can_manage_unit, can_view_unit, get_profile
from giamngheo.accounts.models import Role
from giamngheo.geo.models import AdminUnit, Level

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.reviews.models import Campaign, ListEntry


def _superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def _deny(vi: str, en: str) -> PermissionDenied:
    return PermissionDenied(f"{vi} / {en}")


def can_open_campaign(user: AnyUser, unit: AdminUnit) -> bool:
    return unit.level in (Level.PROVINCE, Level.DISTRICT) and can_manage_unit(user, unit)


def require_open_campaign(user: AnyUser, unit: AdminUnit) -> None:
    if not can_open_campaign(user, unit):
        raise _deny(
            f"Chỉ cán bộ cấp tỉnh hoặc huyện quản lý {unit} mới mở được đợt rà soát",
            f"only an officer of the province or district managing {unit} may open a campaign",
        )


def can_prepare(user: AnyUser, commune: AdminUnit) -> bool:
    return can_manage_unit(user, commune)


def require_prepare(user: AnyUser, commune: AdminUnit) -> None:
    if not can_prepare(user, commune):
        raise _deny(
            f"Không có quyền chuẩn bị rà soát của {commune}",
            f"no permission to prepare the review of {commune}",
        )


def can_enter_survey(user: AnyUser, entry: ListEntry) -> bool:
    commune = entry.review.commune
    if can_manage_unit(user, commune):
        return True
    profile = get_profile(user)
    return (
        profile is not None
        and profile.role == Role.COLLABORATOR
        and entry.reviewer_id == user.pk
        and can_view_unit(user, commune)
    )


def require_enter_survey(user: AnyUser, entry: ListEntry) -> None:
    if not can_enter_survey(user, entry):
        raise _deny(
            "Rà soát viên chỉ nhập phiếu cho hộ được phân công",
            "a reviewer enters surveys only for the households assigned to them",
        )


def _approver_of(user: AnyUser, unit: AdminUnit) -> bool:
    if _superuser(user):
        return True
    profile = get_profile(user)
    return profile is not None and profile.role == Role.APPROVER and can_view_unit(user, unit)


def can_decide(user: AnyUser, commune: AdminUnit) -> bool:
    """The recognition decision is the commune chairman's own (not a chairman above it)."""
    if _superuser(user):
        return True
    profile = get_profile(user)
    return profile is not None and profile.role == Role.APPROVER and profile.unit_id == commune.pk


def require_decide(user: AnyUser, commune: AdminUnit) -> None:
    if not can_decide(user, commune):
        raise _deny(
            f"Chỉ Chủ tịch UBND (người phê duyệt) của {commune} mới ký quyết định công nhận",
            f"only the approver (chairman) of {commune} signs the recognition decision",
        )


def can_consolidate(user: AnyUser, campaign: Campaign) -> bool:
    return can_manage_unit(user, campaign.unit)


def require_consolidate(user: AnyUser, campaign: Campaign) -> None:
    if not can_consolidate(user, campaign):
        raise _deny(
            f"Chỉ cán bộ của {campaign.unit} mới chấp nhận hoặc trả lại kết quả của xã",
            f"only an officer of {campaign.unit} accepts or returns a commune's result",
        )


def can_close(user: AnyUser, campaign: Campaign) -> bool:
    return _approver_of(user, campaign.unit)


def require_close(user: AnyUser, campaign: Campaign) -> None:
    if not can_close(user, campaign):
        raise _deny(
            f"Chỉ người phê duyệt của {campaign.unit} mới phê duyệt kết quả đợt rà soát",
            f"only the approver of {campaign.unit} approves the campaign's result",
        )


def require_view(user: AnyUser, unit: AdminUnit) -> None:
    if not can_view_unit(user, unit):
        raise _deny(f"Không có quyền xem {unit}", f"no permission to see {unit}")
