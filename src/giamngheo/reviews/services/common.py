"""What every review service shares: the bilingual refusal, locking a commune's review row,
the audit call and the checks of a step's order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from giamngheo.registry.audit import audit
from giamngheo.reviews.models import Campaign, CampaignStatus, CommuneReview, CommuneState

if TYPE_CHECKING:
    from django.db import models

    from giamngheo.accounts.access import AnyUser


def refuse(vi: str, en: str, code: str) -> ValidationError:
    """A refused action: both languages, a stable code for tests and pages."""
    return ValidationError(f"{vi} / {en}", code=code)


def actor_id(actor: AnyUser) -> int | None:
    return actor.pk if actor.is_authenticated else None


def log(actor: AnyUser, action: str, obj: models.Model, **changes: Any) -> None:
    """One entry of the tamper-evident trail (``registry.audit``), action ``review_*``."""
    audit(actor, f"review_{action}", obj, changes=changes)


def locked_review(review: CommuneReview | int) -> CommuneReview:
    """The commune's review row, locked for the transaction (``SELECT … FOR UPDATE``)."""
    pk = review if isinstance(review, int) else review.pk
    return (
        CommuneReview.objects.select_for_update()
        .select_related("campaign__unit", "commune")
        .get(pk=pk)
    )


def require_open(review: CommuneReview) -> None:
    """Preparation steps happen only before the commune's result is submitted."""
    if review.campaign.status == CampaignStatus.CLOSED:
        raise refuse("Đợt rà soát đã kết thúc", "the campaign is closed", "campaign_closed")
    if review.locked or review.state in (CommuneState.SUBMITTED, CommuneState.ACCEPTED):
        raise refuse(
            f"Kết quả của {review.commune} đã báo cáo lên cấp trên hoặc đã khóa",
            f"the result of {review.commune} was submitted upward or is locked",
            "locked",
        )


def require_not_decided(review: CommuneReview) -> None:
    require_open(review)
    if review.state != CommuneState.IN_PROGRESS:
        raise refuse(
            f"{review.commune} đã có quyết định công nhận",
            f"{review.commune} already has its recognition decision",
            "decided",
        )


def require_not_posted(review: CommuneReview) -> None:
    """The list is closed once posted: a household that applies later goes to the monthly
    (ad-hoc) review."""
    require_not_decided(review)
    if review.posting_start is not None:
        raise refuse(
            "Danh sách đã niêm yết: không bổ sung hộ; hộ đề nghị sau đó được rà soát thường xuyên"
            " hằng tháng",
            "the list is posted: no household is added; one that applies later goes to the"
            " monthly review",
            "posted",
        )


def require_campaign_open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise refuse("Đợt rà soát đã kết thúc", "the campaign is closed", "campaign_closed")
