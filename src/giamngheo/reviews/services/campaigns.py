"""Opening a campaign, its deadlines, and the way up: submission, return, acceptance with its
lock, unlocking, and the approval of the whole result that closes the campaign."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from giamngheo.core.standards import get_standard, standard_for
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import (
    require_close,
    require_consolidate,
    require_open_campaign,
    require_prepare,
)
from giamngheo.reviews.models import (
    STEP_KEYS,
    Campaign,
    CampaignStatus,
    CampaignStep,
    CommuneReview,
    CommuneState,
)
from giamngheo.reviews.selectors import today
from giamngheo.reviews.services.common import (
    actor_id,
    locked_review,
    log,
    refuse,
    require_campaign_open,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from giamngheo.accounts.access import AnyUser


def _communes_of(unit: AdminUnit, on: dt.date) -> list[AdminUnit]:
    return list(
        AdminUnit.objects.descendants_of(unit)
        .filter(level=Level.COMMUNE)
        .valid_on(on)
        .order_by("name")
    )


def _iso(days: Iterable[dt.date]) -> list[str]:
    return sorted({d.isoformat() for d in days})


@transaction.atomic
def campaign_open(
    *,
    actor: AnyUser,
    unit: AdminUnit,
    year: int,
    name: str = "",
    standard_id: str | None = None,
    local_standard: str = "",
    window: tuple[dt.date, dt.date] | None = None,
    overrides: Mapping[str, dt.date] | None = None,
    days_off: Iterable[dt.date] = (),
    working_days: Iterable[dt.date] = (),
    communes: Iterable[AdminUnit] | None = None,
) -> Campaign:
    """A periodic review campaign of ``year`` over the communes of ``unit`` valid at the
    window's start: the standard by the engine's year rule unless chosen, the rule set of the
    year, the window and step calendar by the rules unless the unit sets its own dates."""
    require_open_campaign(actor, unit)
    if Campaign.objects.filter(unit=unit, year=year).exists():
        raise refuse(
            f"{unit} đã có đợt rà soát năm {year}",
            f"{unit} already has a campaign for {year}",
            "duplicate_campaign",
        )
    rules = review_rules.rules_for_year(year)
    std = get_standard(standard_id) if standard_id else standard_for(year, "periodic")
    if local_standard:
        review_rules.local_standard(local_standard)  # refuses an unreadable file now
    start, end = window or review_rules.default_window(rules, year)
    if end < start:
        raise refuse(
            "Ngày kết thúc trước ngày bắt đầu", "the window ends before it starts", "window"
        )
    chosen = list(communes) if communes is not None else _communes_of(unit, start)
    outside = [c for c in chosen if not c.is_descendant_of(unit) or c.level != Level.COMMUNE]
    if outside or not chosen:
        raise refuse(
            f"Danh sách xã không hợp lệ cho {unit}: {', '.join(map(str, outside)) or 'trống'}",
            f"invalid communes for {unit}: {', '.join(map(str, outside)) or 'none'}",
            "communes",
        )
    taken = sorted(
        CommuneReview.objects.filter(campaign__year=year, commune__in=chosen)
        .select_related("commune", "campaign__unit")
        .values_list("commune__name", "campaign__unit__name")
    )
    if taken:  # one list per commune and year: two campaigns would freeze and decide twice
        names = ", ".join(f"{c} ({u})" for c, u in taken)
        raise refuse(
            f"Các xã đã thuộc một đợt rà soát năm {year} khác: {names}",
            f"communes already in another {year} campaign: {names}",
            "commune_taken",
        )
    campaign = Campaign.objects.create(
        unit=unit,
        year=year,
        name=name or f"Rà soát hộ nghèo, hộ cận nghèo năm {year} — {unit.name}",
        rules_id=rules.id,
        standard_id=std.id,
        local_standard=local_standard,
        window_start=start,
        window_end=end,
        days_off=_iso(days_off),
        working_days=_iso(working_days),
        chain=review_rules.chain_for_unit(rules, unit, start),
        created_by_id=actor_id(actor),
    )
    _write_steps(campaign, dict(overrides or {}))
    CommuneReview.objects.bulk_create(CommuneReview(campaign=campaign, commune=c) for c in chosen)
    log(
        actor,
        "campaign_open",
        campaign,
        year=year,
        rules=rules.id,
        standard=std.id,
        communes=len(chosen),
        window=[start.isoformat(), end.isoformat()],
    )
    return campaign


def _write_steps(campaign: Campaign, overrides: dict[str, dt.date]) -> None:
    unknown = sorted(set(overrides) - set(STEP_KEYS))
    if unknown:
        raise refuse(f"Bước không rõ: {unknown}", f"unknown steps: {unknown}", "step")
    CampaignStep.objects.filter(campaign=campaign).delete()
    CampaignStep.objects.bulk_create(
        CampaignStep(
            campaign=campaign,
            key=s.key,
            due=s.due,
            origin=s.origin,
            provisional=s.provisional,
            note=(f"{s.note.vi} / {s.note.en}" if s.note else "")[:300],
        )
        for s in review_rules.campaign_schedule(campaign, overrides)
    )


@transaction.atomic
def campaign_set_due(
    *, actor: AnyUser, campaign: Campaign, overrides: Mapping[str, dt.date]
) -> Campaign:
    """The unit's own deadlines (like the seed's "report before 15/10/2020"): the steps after
    an overridden one follow it; the others keep their defaults."""
    c = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    require_open_campaign(actor, c.unit)
    require_campaign_open(c)
    before = {s.key: s.due.isoformat() for s in c.steps.all()}
    kept = {s.key: s.due for s in c.steps.all() if s.origin == "unit"}
    _write_steps(c, {**kept, **overrides})
    after = {s.key: s.due.isoformat() for s in c.steps.all()}
    log(actor, "campaign_due", c, **{k: [before.get(k), v] for k, v in after.items()})
    return c


@transaction.atomic
def campaign_set_calendar(
    *,
    actor: AnyUser,
    campaign: Campaign,
    days_off: Iterable[dt.date],
    working_days: Iterable[dt.date],
) -> Campaign:
    """Official extra days off and make-up working days; the default deadlines are
    recomputed (the unit's own dates stay)."""
    c = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    require_open_campaign(actor, c.unit)
    require_campaign_open(c)
    before = [c.days_off, c.working_days]
    c.days_off, c.working_days = _iso(days_off), _iso(working_days)
    c.save(update_fields=["days_off", "working_days"])
    _write_steps(c, {s.key: s.due for s in c.steps.all() if s.origin == "unit"})
    log(actor, "campaign_calendar", c, calendar=[before, [c.days_off, c.working_days]])
    return c


def figures_of(review: CommuneReview) -> dict[str, int]:
    """The commune's result as counted from its decided entries (frozen at acceptance)."""
    counts = Counter(
        review.entries.exclude(record=None).values_list("record__classification", flat=True)
    )
    moves = Counter(
        (prev or "none", new)
        for prev, new in review.entries.exclude(record=None).values_list(
            "previous_class", "record__classification"
        )
    )
    out = {f"class:{k}": v for k, v in sorted(counts.items())}
    out.update({f"move:{a}>{b}": v for (a, b), v in sorted(moves.items())})
    out["carried_over"] = review.carried_over
    out["listed"] = review.entries.count()
    return out


@transaction.atomic
def commune_submit(*, actor: AnyUser, review: CommuneReview, note: str = "") -> CommuneReview:
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_campaign_open(r.campaign)
    if r.state not in (CommuneState.DECIDED, CommuneState.RETURNED):
        raise refuse(
            "Chỉ báo cáo sau khi có quyết định công nhận (hoặc sau khi bị trả lại)",
            "a result is submitted after the recognition decision (or after a return)",
            "not_decided",
        )
    if r.entries.filter(record=None).exists():
        raise refuse(
            "Còn hộ trong danh sách chưa có quyết định (khiếu nại đang giải quyết?)",
            "households on the list have no decision yet (open complaints?)",
            "undecided_entries",
        )
    r.state = CommuneState.SUBMITTED
    r.submitted_at = timezone.now()
    r.done["report"] = today().isoformat()
    r.save(update_fields=["state", "submitted_at", "done"])
    log(actor, "commune_submit", r, note=note)
    return r


@transaction.atomic
def commune_return(*, actor: AnyUser, review: CommuneReview, comment: str) -> CommuneReview:
    r = locked_review(review)
    require_consolidate(actor, r.campaign)
    require_campaign_open(r.campaign)
    if r.state != CommuneState.SUBMITTED:
        raise refuse(
            "Chỉ trả lại kết quả đã báo cáo", "only a submitted result is returned", "state"
        )
    if not comment.strip():
        raise refuse("Cần ý kiến khi trả lại", "a return needs a comment", "comment")
    r.state = CommuneState.RETURNED
    r.return_comment = comment.strip()
    r.done.pop("report", None)
    r.save(update_fields=["state", "return_comment", "done"])
    log(actor, "commune_return", r, comment=r.return_comment)
    return r


@transaction.atomic
def commune_accept(*, actor: AnyUser, review: CommuneReview) -> CommuneReview:
    """Accepts the commune's result and locks it: its figures are frozen as of now."""
    r = locked_review(review)
    require_consolidate(actor, r.campaign)
    require_campaign_open(r.campaign)
    if r.state != CommuneState.SUBMITTED:
        raise refuse(
            "Chỉ chấp nhận kết quả đã báo cáo", "only a submitted result is accepted", "state"
        )
    r.state = CommuneState.ACCEPTED
    r.locked = True
    r.accepted_by_id = actor_id(actor)
    r.accepted_at = timezone.now()
    r.accepted_figures = figures_of(r)
    r.save(update_fields=["state", "locked", "accepted_by", "accepted_at", "accepted_figures"])
    log(actor, "commune_accept", r, figures=r.accepted_figures)
    return r


@transaction.atomic
def commune_unlock(*, actor: AnyUser, review: CommuneReview, reason: str) -> CommuneReview:
    """Reopens an accepted result (back to submitted, unlocked): a reason is required and
    recorded; the frozen figures stay for comparison until the next acceptance."""
    r = locked_review(review)
    require_consolidate(actor, r.campaign)
    require_campaign_open(r.campaign)
    if not r.locked:
        raise refuse("Kết quả chưa bị khóa", "the result is not locked", "state")
    if not reason.strip():
        raise refuse("Cần lý do mở khóa", "unlocking needs a reason", "reason")
    r.locked = False
    r.state = CommuneState.RETURNED
    r.return_comment = reason.strip()
    r.done.pop("report", None)
    r.save(update_fields=["locked", "state", "return_comment", "done"])
    log(actor, "commune_unlock", r, reason=reason.strip())
    return r


@transaction.atomic
def campaign_close(*, actor: AnyUser, campaign: Campaign) -> Campaign:
    """The province's (or district's) approval of the whole result, once every commune's
    result is accepted."""
    c = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    require_close(actor, c)
    require_campaign_open(c)
    waiting = list(
        c.communes.exclude(state=CommuneState.ACCEPTED).values_list("commune__name", flat=True)
    )
    if waiting:
        raise refuse(
            f"Chưa chấp nhận kết quả của: {', '.join(waiting)}",
            f"results not yet accepted: {', '.join(waiting)}",
            "communes_waiting",
        )
    c.status = CampaignStatus.CLOSED
    c.closed_by_id = actor_id(actor)
    c.closed_at = timezone.now()
    c.save(update_fields=["status", "closed_by", "closed_at"])
    log(actor, "campaign_close", c)
    return c
