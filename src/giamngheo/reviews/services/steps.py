"""Steps 4–6 of a commune's review: the village meeting and its vote, the public posting, and
complaints with their re-check (phúc tra), decision and appeal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from giamngheo.geo.models import AdminUnit
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import require_consolidate, require_prepare
from giamngheo.reviews.models import (
    CommuneReview,
    Complaint,
    ComplaintOutcome,
    ComplaintStatus,
    ListEntry,
    Meeting,
    SurveyState,
)
from giamngheo.reviews.selectors import effective_survey, villages_waiting, voted_versions
from giamngheo.reviews.services.common import (
    actor_id,
    locked_review,
    log,
    refuse,
    require_not_decided,
    require_open,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser


def _codes(entries: Iterable[ListEntry]) -> str:
    return ", ".join(e.household.code for e in entries)


def _meeting_entries(
    r: CommuneReview,
    village: AdminUnit,
    *,
    attendees: int,
    agreement: int,
    chair: str,
    secretary: str,
) -> list[ListEntry]:
    """The village's listed households, once the meeting may be held: before the posting,
    with a valid vote and every household surveyed."""
    if r.posting_start is not None:
        raise refuse("Danh sách đã niêm yết", "the list is already posted", "posted")
    if village.parent_id != r.commune_id:
        raise refuse(
            f"{village} không thuộc {r.commune}", f"{village} is not in {r.commune}", "village"
        )
    if attendees <= 0 or agreement < 0 or agreement > attendees:
        raise refuse(
            "Số người đồng ý phải từ 0 đến số người dự (lớn hơn 0)",
            "the agreement count must be between 0 and the attendees (more than 0)",
            "vote",
        )
    if not chair.strip() or not secretary.strip():
        raise refuse("Cần chủ trì và thư ký", "a chair and a secretary are needed", "chair")
    entries = list(
        r.entries.filter(household__village=village, screened_out=False).select_related("household")
    )
    if not entries:
        raise refuse(
            f"{village} không có hộ nào trong danh sách rà soát",
            f"{village} has no household on the list",
            "no_entries",
        )
    pending = [e for e in entries if e.survey_state != SurveyState.DONE]
    if pending:
        raise refuse(
            f"Còn hộ chưa điều tra xong: {_codes(pending)}",
            f"households not yet surveyed: {_codes(pending)}",
            "not_surveyed",
        )
    return entries


@transaction.atomic
def meeting_record(
    *,
    actor: AnyUser,
    review: CommuneReview,
    village: AdminUnit,
    held_at: dt.datetime,
    chair: str,
    secretary: str,
    attendees: int,
    agreement: int,
    key_attendees: Sequence[tuple[str, str]] = (),
    venue: str = "",
) -> Meeting:
    """A village meeting on every surveyed household of the village. Below the threshold
    (≥ 50 % of attendees agreeing) the households go back to survey and the meeting is held
    again (a new attempt) once they are re-surveyed."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_decided(r)
    entries = _meeting_entries(
        r, village, attendees=attendees, agreement=agreement, chair=chair, secretary=secretary
    )
    last = r.meetings.filter(village=village).order_by("-attempt").first()
    if last is not None and village not in villages_waiting(r):
        raise refuse(f"{village} đã họp và thông qua", f"{village} already met and agreed", "met")
    rules = review_rules.rules_of(r.campaign)
    passed = review_rules.vote_passes(rules, agreement, attendees)
    meeting = Meeting.objects.create(
        review=r,
        village=village,
        attempt=(last.attempt + 1) if last else 1,
        held_at=held_at,
        venue=venue.strip(),
        chair=chair.strip(),
        secretary=secretary.strip(),
        attendees=attendees,
        agreement=agreement,
        key_attendees=[[role, name] for role, name in key_attendees],
        passed=passed,
        versions=voted_versions(e.pk for e in entries),
        recorded_by_id=actor_id(actor),
    )
    meeting.entries.set(entries)
    if not passed:
        ListEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
            survey_state=SurveyState.RESURVEY
        )
    elif not villages_waiting(r):
        r.done.setdefault("meeting", held_at.date().isoformat())
        r.save(update_fields=["done"])
    log(
        actor,
        "meeting",
        meeting,
        village=village.pk,
        attempt=meeting.attempt,
        attendees=attendees,
        agreement=agreement,
        passed=passed,
        households=[e.household_id for e in entries],
    )
    return meeting


@transaction.atomic
def posting_start(
    *, actor: AnyUser, review: CommuneReview, start: dt.date, places: str = ""
) -> CommuneReview:
    """Posts the lists (village house and commune office) once every village agreed; the
    end date follows the period's rule in working days. From now the households' results
    change only through complaints."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_decided(r)
    if r.posting_start is not None:
        raise refuse("Danh sách đã niêm yết", "the list is already posted", "posted")
    waiting = villages_waiting(r)
    if waiting:
        names = ", ".join(v.name for v in waiting)
        raise refuse(
            f"Chưa họp dân thông qua ở: {names}",
            f"no agreed village meeting yet in: {names}",
            "meetings_missing",
        )
    rules = review_rules.rules_of(r.campaign)
    r.posting_start = start
    r.posting_end = review_rules.posting_end(r.campaign, rules, start)
    r.posting_places = places.strip() or "Nhà văn hóa thôn và trụ sở UBND xã"
    r.done.setdefault("posting", start.isoformat())
    r.save(update_fields=["posting_start", "posting_end", "posting_places", "done"])
    log(actor, "posting", r, start=start, end=r.posting_end, places=r.posting_places)
    return r


def _recheck_class(entry: ListEntry) -> str:
    """The class the household keeps when a complaint is rejected: the latest final survey
    not made for a complaint, or made for an upheld one."""
    survey = effective_survey(entry)
    return survey.classification if survey is not None else entry.proposed_class


@transaction.atomic
def complaint_open(
    *,
    actor: AnyUser,
    review: CommuneReview,
    entry: ListEntry,
    complainant: str,
    received: dt.date,
    content: str,
    appeal_of: Complaint | None = None,
) -> Complaint:
    """A complaint against a posted household's proposed result (or an appeal against a
    decided complaint): its response deadline follows the period's setting; until it is
    decided it holds back the decision for that household only."""
    r = locked_review(review)
    if appeal_of is None:
        require_prepare(actor, r.commune)
    else:
        require_consolidate(actor, r.campaign)
    require_open(r)
    if entry.review_id != r.pk:
        raise refuse("Hộ không thuộc danh sách này", "not a household of this list", "entry")
    if entry.record_id is not None:
        raise refuse(
            "Hộ đã có quyết định công nhận: điều chỉnh bằng phiếu điều chỉnh",
            "the household is decided: correct its record instead",
            "entry_decided",
        )
    if r.posting_start is None or received < r.posting_start:
        raise refuse(
            "Khiếu nại được nhận sau khi niêm yết danh sách",
            "complaints are received once the list is posted",
            "not_posted",
        )
    if not complainant.strip() or not content.strip():
        raise refuse(
            "Cần người khiếu nại và nội dung", "a complainant and a content are needed", "empty"
        )
    if appeal_of is not None and (
        appeal_of.entry_id != entry.pk or appeal_of.status != ComplaintStatus.DECIDED
    ):
        raise refuse(
            "Chỉ khiếu nại tiếp một khiếu nại đã giải quyết của cùng hộ",
            "an appeal is against a decided complaint of the same household",
            "appeal",
        )
    rules = review_rules.rules_of(r.campaign)
    complaint = Complaint.objects.create(
        review=r,
        entry=entry,
        complainant=complainant.strip(),
        received=received,
        content=content.strip(),
        due=review_rules.complaint_due(r.campaign, rules, received),
        appeal_of=appeal_of,
        created_by_id=actor_id(actor),
    )
    log(
        actor,
        "complaint_open",
        complaint,
        household=entry.household_id,
        received=received,
        due=complaint.due,
        appeal_of=appeal_of.pk if appeal_of else None,
    )
    return complaint


@transaction.atomic
def complaint_decide(
    *, actor: AnyUser, complaint: Complaint, outcome: str, answer: str
) -> Complaint:
    """Decides a complaint. Upheld needs the re-check survey (final) made for it, whose class
    becomes the household's proposal; rejected keeps the result as posted."""
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    r = locked_review(c.review_id)
    if c.appeal_of_id is None:
        require_prepare(actor, r.commune)
    else:
        require_consolidate(actor, r.campaign)
    require_open(r)
    if c.status != ComplaintStatus.OPEN:
        raise refuse("Khiếu nại đã giải quyết", "the complaint is already decided", "decided")
    if outcome not in ComplaintOutcome.values:
        raise refuse(f"Kết quả không rõ: {outcome}", f"unknown outcome: {outcome}", "outcome")
    if not answer.strip():
        raise refuse("Cần nội dung trả lời", "an answer is needed", "answer")
    entry = ListEntry.objects.select_for_update().get(pk=c.entry_id)
    recheck = entry.surveys.filter(complaint=c, final=True).order_by("-version").first()
    if outcome == ComplaintOutcome.UPHELD and recheck is None:
        raise refuse(
            "Khiếu nại đúng cần phiếu phúc tra (điều tra lại) đã hoàn thành",
            "an upheld complaint needs its finished re-check survey",
            "no_recheck",
        )
    c.status = ComplaintStatus.DECIDED
    c.outcome = outcome
    c.answer = answer.strip()
    c.decided_at = timezone.now()
    c.decided_by_id = actor_id(actor)
    c.save(update_fields=["status", "outcome", "answer", "decided_at", "decided_by"])
    before = entry.proposed_class
    entry.proposed_class = _recheck_class(entry)
    entry.survey_state = SurveyState.DONE
    entry.save(update_fields=["proposed_class", "survey_state"])
    log(
        actor,
        "complaint_decide",
        c,
        outcome=outcome,
        household=entry.household_id,
        proposed_class=[before, entry.proposed_class],
    )
    return c
