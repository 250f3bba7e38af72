"""Step 7: the commune chairman's recognition decision.

The decision turns each decided household's final survey into an **approved** periodic
``registry.ReviewRecord`` of the campaign's year (immutable, as an approved import's), numbers
the certificates of the households recognised poor or near-poor, and — on the commune's first
decision — carries the commune's other active households into the year with the class they
had (not reviewed: a non-poor household stays non-poor), so that the transitions and the plan
read the year whole, exactly as they read an approved import.

A household with an open complaint is held back (its complaint blocks it alone); a later
decision covers it once the complaint is decided. The approver never decides a household
whose survey they entered (maker-checker).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from giamngheo.registry.models import (
    Classification,
    Household,
    HouseholdStatus,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import require_decide
from giamngheo.reviews.models import (
    CommuneReview,
    CommuneState,
    ComplaintStatus,
    Decision,
    ListEntry,
    SurveyState,
)
from giamngheo.reviews.selectors import current_classes, effective_survey
from giamngheo.reviews.services.common import actor_id, locked_review, log, refuse, require_open

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

RECOGNISED = (Classification.POOR, Classification.NEAR_POOR)


def _ready_entries(r: CommuneReview) -> list[ListEntry]:
    entries = list(
        r.entries.filter(record=None)
        .exclude(complaints__status=ComplaintStatus.OPEN)
        .select_related("household")
        .order_by("household__village__name", "household__code")
    )
    waiting = [e for e in entries if not e.screened_out and e.survey_state != SurveyState.DONE]
    if waiting:
        codes = ", ".join(e.household.code for e in waiting)
        raise refuse(
            f"Còn hộ chưa điều tra xong hoặc đang điều tra lại: {codes}",
            f"households not surveyed or being re-surveyed: {codes}",
            "not_surveyed",
        )
    return entries


def _maker_checker(actor: AnyUser, entries: list[ListEntry]) -> None:
    own = [
        e for e in entries if e.surveys.filter(final=True, entered_by_id=actor_id(actor)).exists()
    ]
    if own and actor_id(actor) is not None:
        codes = ", ".join(e.household.code for e in own)
        raise refuse(
            f"Người nhập phiếu điều tra không được phê duyệt hộ đó: {codes}",
            f"the person who entered a household's survey may not approve it: {codes}",
            "maker_checker",
        )


def _record(
    r: CommuneReview, e: ListEntry, when: dt.date, actor: AnyUser, persons: dict[int, int]
) -> ReviewRecord:
    now = timezone.now()
    # A draft of the year (a committed import that came into the campaign) becomes the
    # approved record; otherwise the decision creates it.
    draft = ReviewRecord.objects.filter(
        household_id=e.household_id,
        year=r.campaign.year,
        kind=ReviewKind.PERIODIC,
        state=ReviewState.DRAFT,
    ).first()
    rec = draft or ReviewRecord(
        household_id=e.household_id,
        year=r.campaign.year,
        kind=ReviewKind.PERIODIC,
        created_by_id=actor_id(actor),
    )
    rec.review_date = when
    rec.state = ReviewState.APPROVED
    rec.approved_by_id = actor_id(actor)
    rec.approved_at = now
    survey = None if e.screened_out else effective_survey(e)
    if survey is None:
        review_rules.fill_carried(rec, r.campaign, e.previous_class, screened_out=True)
        rec.persons = persons.get(e.household_id, 0)
    else:  # the class and everything behind it from one and the same survey
        review_rules.fill_from_survey(rec, survey)
    return rec


def _carry_over(r: CommuneReview, when: dt.date, actor: AnyUser) -> int:
    """The commune's active households not on the list, into the year with their class."""
    listed = r.entries.values("household_id")
    already = ReviewRecord.objects.filter(year=r.campaign.year, kind=ReviewKind.PERIODIC).values(
        "household_id"
    )
    todo = list(
        Household.objects.filter(commune=r.commune, status=HouseholdStatus.ACTIVE)
        .exclude(pk__in=listed)
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )
    if not todo:
        return 0
    classes = current_classes(r.commune, r.campaign.year, households=todo)
    persons = _persons(todo)
    now = timezone.now()
    records = []
    for pk in todo:
        rec = ReviewRecord(
            household_id=pk,
            year=r.campaign.year,
            kind=ReviewKind.PERIODIC,
            review_date=when,
            state=ReviewState.APPROVED,
            approved_by_id=actor_id(actor),
            approved_at=now,
            created_by_id=actor_id(actor),
            persons=persons.get(pk, 0),
        )
        review_rules.fill_carried(rec, r.campaign, classes.get(pk, ""), screened_out=False)
        records.append(rec)
    ReviewRecord.objects.bulk_create(records, batch_size=1000)
    return len(records)


def _persons(households: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for hid in Member.objects.filter(household_id__in=households).values_list(
        "household_id", flat=True
    ):
        out[hid] = out.get(hid, 0) + 1
    return out


def _check_document(r: CommuneReview, *, number: str, date: dt.date, signer_name: str) -> None:
    """After the posting, with a number unused this year and a signer."""
    if r.posting_end is None:
        raise refuse("Danh sách chưa niêm yết", "the list has not been posted", "not_posted")
    if date <= r.posting_end:
        raise refuse(
            f"Quyết định sau khi hết thời gian niêm yết ({r.posting_end:%d/%m/%Y})",
            f"the decision comes after the posting period ({r.posting_end:%d/%m/%Y})",
            "posting_not_ended",
        )
    if not number.strip() or not signer_name.strip():
        raise refuse("Cần số quyết định và người ký", "a number and a signer are needed", "number")
    # Document numbers restart each calendar year (NĐ 30/2020): unique within the year.
    if Decision.objects.filter(
        review__commune=r.commune, number=number.strip(), date__year=date.year
    ).exists():
        raise refuse(
            f"Số quyết định {number} đã dùng trong năm {date.year}",
            f"decision number {number} is already used in {date.year}",
            "number_used",
        )


def _refuse_clash(r: CommuneReview, entries: list[ListEntry]) -> None:
    """No household decided twice for the year (a record with a correction waiting is
    decided again through the correction)."""
    clash = set(
        ReviewRecord.objects.filter(
            household_id__in=[e.household_id for e in entries],
            year=r.campaign.year,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.APPROVED,
        )
        .current()  # a record with a correction waiting is decided again through it
        .values_list("household__code", flat=True)
    )
    if clash:
        raise refuse(
            f"Hộ đã có kết quả rà soát năm {r.campaign.year}: {', '.join(sorted(clash))}",
            f"households already have a {r.campaign.year} review: {', '.join(sorted(clash))}",
            "duplicate_review",
        )


@transaction.atomic
def decide(
    *,
    actor: AnyUser,
    review: CommuneReview,
    number: str,
    date: dt.date,
    signer_name: str,
) -> Decision:
    """The recognition decision for every listed household that is ready (surveyed, agreed,
    posted, with no open complaint)."""
    r = locked_review(review)
    require_decide(actor, r.commune)
    require_open(r)
    _check_document(r, number=number, date=date, signer_name=signer_name)
    entries = _ready_entries(r)
    first = not r.decisions.exists()
    if not entries and not first:
        raise refuse("Không còn hộ nào chờ quyết định", "no household awaits a decision", "empty")
    _maker_checker(actor, entries)
    _refuse_clash(r, entries)
    decision = Decision.objects.create(
        review=r,
        number=number.strip(),
        date=date,
        signer_name=signer_name.strip(),
        decided_by_id=actor_id(actor),
    )
    persons = _persons([e.household_id for e in entries if e.screened_out])
    seq = (r.entries.aggregate(m=Max("certificate_seq"))["m"] or 0) + 1
    for e in entries:
        rec = _record(r, e, date, actor, persons)
        rec.save()
        e.record = rec
        e.decision = decision
        if rec.classification in RECOGNISED:
            e.certificate_seq = seq
            seq += 1
        e.save(update_fields=["record", "decision", "certificate_seq"])
    if first:
        r.carried_over = _carry_over(r, date, actor)
    r.state = CommuneState.DECIDED
    r.done.setdefault("complaints", date.isoformat())
    r.done["decision"] = date.isoformat()
    r.save(update_fields=["state", "carried_over", "done"])
    log(
        actor,
        "decision",
        decision,
        number=decision.number,
        date=date,
        households=[e.household_id for e in entries],
        carried_over=r.carried_over if first else 0,
    )
    return decision
