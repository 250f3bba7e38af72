"""Reads of the review process: the lists a campaign starts from, what each commune has done
and what is due or overdue, the villages still to meet, the freeze of posted households."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from giamngheo.accounts.access import unit_scope_q
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import (
    ImportBatch,
    ImportStatus,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.models import (
    STEP_KEYS,
    Campaign,
    CommuneReview,
    CommuneState,
    ComplaintOutcome,
    ListEntry,
    Survey,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser


def today() -> dt.date:
    """The date deadlines are measured against: ``settings.GIAMNGHEO_TODAY`` when set (the
    demo, training), else the real local date."""
    fixed: dt.date | None = getattr(settings, "GIAMNGHEO_TODAY", None)
    return fixed or timezone.localdate()


def current_classes(
    commune: AdminUnit, year: int, *, households: Sequence[int] | None = None
) -> dict[int, str]:
    """Each household's class on the lists in force during ``year``: its latest approved
    review among the periodic review of ``year - 1`` and the ad-hoc reviews of ``year``
    (a correction wins over the record it corrects: it has the higher revision)."""
    qs = ReviewRecord.objects.filter(household__commune=commune, state=ReviewState.APPROVED).filter(
        Q(kind=ReviewKind.PERIODIC, year=year - 1)
        | Q(kind=ReviewKind.ADHOC, year=year, review_date__year=year)
    )
    if households is not None:
        qs = qs.filter(household_id__in=list(households))
    best: dict[int, tuple[dt.date, int, str]] = {}
    for hid, when, rev, cls in qs.values_list(
        "household_id", "review_date", "revision", "classification"
    ):
        if hid not in best or (when, rev) > best[hid][:2]:
            best[hid] = (when, rev, cls)
    return {hid: v[2] for hid, v in best.items()}


def voted_versions(entry_ids: Iterable[int]) -> dict[str, int]:
    """Each entry's survey as a village meeting votes on it: the version of its latest final
    survey made for the list (a complaint's re-check is the complaint's business)."""
    rows = (
        Survey.objects.filter(entry_id__in=list(entry_ids), final=True, complaint=None)
        .values("entry_id")
        .annotate(v=Max("version"))
        .values_list("entry_id", "v")
    )
    return {str(pk): v for pk, v in rows}


def villages_waiting(review: CommuneReview) -> list[AdminUnit]:
    """Villages with a listed (not screened-out) household that no passed meeting voted on as
    it stands: never met, the meeting failed, or the household was added or surveyed again
    after the vote."""
    listed = list(
        review.entries.filter(screened_out=False)
        .exclude(household__village=None)
        .values_list("pk", "household__village_id")
    )
    current = voted_versions(pk for pk, _ in listed)
    voted: dict[int, list[dict[str, int]]] = {}
    for village, versions in review.meetings.filter(passed=True).values_list(
        "village_id", "versions"
    ):
        voted.setdefault(village, []).append(versions)
    waiting = {
        village
        for pk, village in listed
        # voted on, and on the survey it has now (never met or unsurveyed: not covered)
        if not any(
            str(pk) in v and v[str(pk)] == current.get(str(pk)) for v in voted.get(village, [])
        )
    }
    return list(AdminUnit.objects.filter(pk__in=waiting).order_by("name"))


def frozen_household_reason(household_ids: Sequence[int]) -> str | None:
    """The registry's freeze check: a household on a list that is posted and not yet
    decided is changed only through a complaint (one query per 500 households)."""
    for start in range(0, len(household_ids), 500):
        e = (
            ListEntry.objects.filter(
                household_id__in=household_ids[start : start + 500],
                record=None,
                review__posting_start__isnull=False,
            )
            .select_related("review__commune", "household")
            .order_by("household__code")
            .first()
        )
        if e is not None:
            code, commune = e.household.code, e.review.commune
            return (
                f"Hộ {code} đang trong danh sách niêm yết của {commune} "
                f"(từ {e.review.posting_start:%d/%m/%Y}): chỉ thay đổi qua khiếu nại / "
                f"household {code} is on the posted list of {commune}: it changes only "
                "through a complaint"
            )
    return None


def campaigns_visible(actor: AnyUser) -> QuerySet[Campaign]:
    """Campaigns whose unit the actor sees, or that cover the actor's commune."""
    own = CommuneReview.objects.filter(unit_scope_q(actor, field="commune")).values("campaign_id")
    return (
        Campaign.objects.filter(Q(unit_scope_q(actor, field="unit")) | Q(pk__in=own))
        .select_related("unit")
        .distinct()
    )


def commune_reviews_visible(actor: AnyUser, campaign: Campaign) -> QuerySet[CommuneReview]:
    return (
        campaign.communes.filter(unit_scope_q(actor, field="commune"))
        .select_related("commune")
        .order_by("commune__name")
    )


@dataclass(frozen=True)
class StepCell:
    key: str
    due: dt.date | None
    done_on: dt.date | None
    #: ``core.review.schedule.State``: done_on_time, done_late, on_time, due_this_week,
    #: overdue ("open" when the step has no due date)
    status: str
    days_late: int


@dataclass(frozen=True)
class CommuneProgress:
    review: CommuneReview
    cells: tuple[StepCell, ...]
    listed: int
    surveyed: int
    overdue_days: int  # the worst overdue step, 0 when none

    @property
    def current_step(self) -> str:
        for c in self.cells:
            if c.done_on is None:
                return c.key
        return ""


def _cell(key: str, due: dt.date | None, done: str | None, today: dt.date) -> StepCell:
    done_on = dt.date.fromisoformat(done) if done else None
    if due is None:
        return StepCell(key, None, done_on, "done_on_time" if done_on else "open", 0)
    st = review_rules.status_of(due, done_on, today)
    return StepCell(key, due, done_on, st.state, st.days_overdue)


def campaign_progress(
    actor: AnyUser, campaign: Campaign, today: dt.date, *, only: CommuneReview | None = None
) -> list[CommuneProgress]:
    """Each visible commune's progress through the steps against the campaign's dates
    (``only``: that commune's alone, for its own page)."""
    due = {s.key: s.due for s in campaign.steps.all()}
    visible = commune_reviews_visible(actor, campaign)
    reviews = list(visible.filter(pk=only.pk) if only is not None else visible)
    counts: dict[int, tuple[int, int]] = {}
    for rid, state in ListEntry.objects.filter(review__in=reviews, screened_out=False).values_list(
        "review_id", "survey_state"
    ):
        listed, surveyed = counts.get(rid, (0, 0))
        counts[rid] = (listed + 1, surveyed + (state == "done"))
    out = []
    for r in reviews:
        done = dict(r.done)
        if r.state in (CommuneState.SUBMITTED, CommuneState.ACCEPTED):
            done.setdefault("report", (r.submitted_at or r.accepted_at or today).isoformat()[:10])
        cells = tuple(_cell(k, due.get(k), done.get(k), today) for k in STEP_KEYS)
        listed, surveyed = counts.get(r.pk, (0, 0))
        worst = max((c.days_late for c in cells if c.status == "overdue"), default=0)
        out.append(CommuneProgress(r, cells, listed, surveyed, worst))
    return out


def due_this_week(progress: Iterable[CommuneProgress]) -> list[tuple[CommuneProgress, StepCell]]:
    return [(p, c) for p in progress for c in p.cells if c.status == "due_this_week"]


def overdue(progress: Iterable[CommuneProgress]) -> list[tuple[CommuneProgress, StepCell]]:
    rows = [(p, c) for p in progress for c in p.cells if c.status == "overdue"]
    return sorted(rows, key=lambda pc: -pc[1].days_late)


def intake_batches(review: CommuneReview) -> QuerySet[ImportBatch]:
    """The committed periodic review imports of the campaign's year that cover the commune
    (uploaded for the commune or a unit above it): what can come into its list as surveys."""
    commune = review.commune
    scopes = [commune.pk, *(u.pk for u in commune.ancestors())]
    return ImportBatch.objects.filter(
        status=ImportStatus.COMMITTED,
        year=review.campaign.year,
        kind=ReviewKind.PERIODIC,
        scope_id__in=scopes,
    ).order_by("-pk")


def effective_survey(entry: ListEntry) -> Survey | None:
    """The survey that stands for the household: the latest final one not made for a
    complaint, or made for an upheld one (a rejected complaint's re-check does not count)."""
    for s in entry.surveys.filter(final=True).select_related("complaint").order_by("-version"):
        if s.complaint is None or s.complaint.outcome == ComplaintOutcome.UPHELD:
            return s
    return None


def listed_villages(review: CommuneReview) -> QuerySet[AdminUnit]:
    """The villages of the households on the commune's list, by name."""
    ids = review.entries.exclude(household__village=None).values("household__village_id")
    return AdminUnit.objects.filter(pk__in=ids).order_by("name")
