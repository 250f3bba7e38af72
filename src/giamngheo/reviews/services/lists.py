"""Steps 1–3 of a commune's review: the list to review (from the registry, applicants with
their Phiếu A screening, additions by hand with a reason), the assignment to reviewers and the
survey (Phiếu B) entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from giamngheo.accounts.access import can_view_unit, get_profile
from giamngheo.accounts.models import EDITING_ROLES, Role
from giamngheo.registry.models import (
    CAUSES,
    Classification,
    Household,
    HouseholdStatus,
    Member,
)
from giamngheo.registry.services import review_correct
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import require_enter_survey, require_prepare
from giamngheo.reviews.models import (
    CommuneReview,
    CommuneState,
    Complaint,
    ComplaintStatus,
    ListEntry,
    Source,
    Survey,
    SurveyState,
)
from giamngheo.reviews.selectors import current_classes, today
from giamngheo.reviews.services.common import (
    actor_id,
    locked_review,
    log,
    refuse,
    require_not_decided,
    require_not_posted,
    require_open,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from giamngheo.accounts.access import AnyUser

LISTED = (Classification.POOR, Classification.NEAR_POOR)


def _mark(review: CommuneReview, step: str) -> None:
    review.done.setdefault(step, today().isoformat())


def mark_surveyed(review: CommuneReview) -> None:
    """The survey step is done once every listed household (not screened out) is surveyed."""
    if (
        not review.entries.exclude(survey_state=SurveyState.DONE)
        .filter(screened_out=False)
        .exists()
    ):
        _mark(review, "survey")
        review.save(update_fields=["done"])


@transaction.atomic
def list_generate(*, actor: AnyUser, review: CommuneReview) -> int:
    """Puts every household on the commune's current poor and near-poor lists on the list to
    review (idempotent: households already listed stay as they are). Returns how many were
    added."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_posted(r)
    classes = current_classes(r.commune, r.campaign.year)
    have = set(r.entries.values_list("household_id", flat=True))
    active = set(
        Household.objects.filter(commune=r.commune, status=HouseholdStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    new = [
        ListEntry(review=r, household_id=pk, source=Source.CURRENT, previous_class=c)
        for pk, c in sorted(classes.items())
        if c in LISTED and pk in active and pk not in have
    ]
    ListEntry.objects.bulk_create(new)
    _mark(r, "list")
    r.save(update_fields=["done"])
    log(actor, "list_generate", r, added=len(new))
    return len(new)


def _household_in(r: CommuneReview, household: Household) -> Household:
    hh = Household.objects.select_related("commune").get(pk=household.pk)
    if hh.commune_id != r.commune_id:
        raise refuse(
            f"Hộ {hh.code} không thuộc {r.commune}",
            f"household {hh.code} is not in {r.commune}",
            "household_commune",
        )
    if hh.status != HouseholdStatus.ACTIVE:
        raise refuse(
            f"Hộ {hh.code} không còn sinh sống tại xã",
            f"household {hh.code} no longer lives in the commune",
            "household_inactive",
        )
    return hh


@transaction.atomic
def list_add_applicant(
    *,
    actor: AnyUser,
    review: CommuneReview,
    household: Household,
    received: dt.date,
    answers: Mapping[str, bool],
) -> ListEntry:
    """An applicant (Mẫu số 01 / Mẫu 1a) with its Phiếu A quick screening: a household that
    passes goes on to the survey; one that does not stays listed with the reasons and is not
    surveyed (its class stays as it was)."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_posted(r)
    hh = _household_in(r, household)
    screening = review_rules.screen(answers)
    prev = current_classes(r.commune, r.campaign.year, households=[hh.pk]).get(hh.pk, "")
    entry, _ = ListEntry.objects.get_or_create(
        review=r,
        household=hh,
        defaults={"source": Source.APPLICANT, "previous_class": prev},
    )
    entry.application_received = received
    entry.screening = screening
    entry.screened_out = not screening["passed"]
    entry.save(update_fields=["application_received", "screening", "screened_out"])
    log(actor, "list_applicant", entry, received=received, passed=screening["passed"])
    return entry


@transaction.atomic
def list_add(
    *, actor: AnyUser, review: CommuneReview, household: Household, reason: str
) -> ListEntry:
    """A household added to the list by hand, with the reason."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_posted(r)
    if not reason.strip():
        raise refuse("Cần lý do bổ sung hộ", "an addition needs a reason", "reason")
    hh = _household_in(r, household)
    if r.entries.filter(household=hh).exists():
        raise refuse(
            f"Hộ {hh.code} đã có trong danh sách",
            f"household {hh.code} is already on the list",
            "duplicate_entry",
        )
    prev = current_classes(r.commune, r.campaign.year, households=[hh.pk]).get(hh.pk, "")
    entry = ListEntry.objects.create(
        review=r, household=hh, source=Source.MANUAL, reason=reason.strip(), previous_class=prev
    )
    log(actor, "list_add", entry, reason=reason.strip())
    return entry


def _may_review(user: AbstractBaseUser, r: CommuneReview) -> bool:
    profile = get_profile(user)
    return (
        profile is not None
        and profile.role in (Role.COLLABORATOR, *EDITING_ROLES)
        and can_view_unit(user, r.commune)
    )


@transaction.atomic
def assign(
    *,
    actor: AnyUser,
    review: CommuneReview,
    reviewer: AbstractBaseUser | None,
    entries: Iterable[ListEntry] = (),
    village_id: int | None = None,
) -> int:
    """Assigns households (or a whole village) to a reviewer (``None`` clears). Returns how
    many entries changed."""
    r = locked_review(review)
    require_prepare(actor, r.commune)
    require_not_decided(r)
    if reviewer is not None and not _may_review(reviewer, r):
        raise refuse(
            f"{reviewer} không phải rà soát viên hoặc cán bộ của {r.commune}",
            f"{reviewer} is not a reviewer or officer of {r.commune}",
            "reviewer",
        )
    qs = r.entries.all()
    ids = [e.pk for e in entries]
    if ids:
        qs = qs.filter(pk__in=ids)
    elif village_id is not None:
        qs = qs.filter(household__village_id=village_id)
    else:
        raise refuse("Chọn hộ hoặc thôn", "choose households or a village", "nothing")
    n = qs.update(reviewer=reviewer)
    if not r.entries.filter(reviewer=None).exists():
        _mark(r, "assign")
        r.save(update_fields=["done"])
    log(
        actor,
        "assign",
        r,
        reviewer=reviewer.pk if reviewer is not None else None,
        entries=ids,
        village=village_id,
        count=n,
    )
    return n


def _causes(causes: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(causes))
    unknown = [c for c in out if c not in CAUSES]
    if unknown:
        raise ValidationError(
            {"causes": f"Nguyên nhân nghèo không rõ: {unknown} / unknown causes: {unknown}"}
        )
    return out


def _member_changes(hh: Household, changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    members = set(Member.objects.filter(household=hh).values_list("pk", flat=True))
    out = []
    for i, ch in enumerate(changes):
        text = str(ch.get("change", "")).strip()
        member = ch.get("member")
        if not text:
            continue
        if member is not None and int(member) not in members:
            raise ValidationError(
                {"member_changes": f"Dòng {i + 1}: thành viên không thuộc hộ / not a member"}
            )
        out.append({"member": None if member is None else int(member), "change": text})
    return out


def _may_correct(actor: AnyUser, r: CommuneReview, e: ListEntry, *, final: bool) -> None:
    """A correction: by an officer of the commune, of a decided household, while the result
    is back with the commune (returned or unlocked), as a final survey."""
    require_prepare(actor, r.commune)
    require_open(r)
    if r.state != CommuneState.RETURNED or e.record_id is None or not final:
        raise refuse(
            "Chỉ điều chỉnh hộ đã có quyết định khi kết quả bị cấp trên trả lại, bằng phiếu"
            " hoàn thành",
            "a decided household is corrected, with a finished survey, only while the result"
            " is returned by the upper level",
            "not_returned",
        )


def _may_survey(r: CommuneReview, e: ListEntry, complaint: Complaint | None) -> None:
    """Before the posting a household is surveyed freely; after it only through an open
    complaint of its own (its re-check); never when screened out by Phiếu A."""
    if complaint is None:
        require_not_decided(r)
        if r.posting_start is not None:
            raise refuse(
                "Danh sách đã niêm yết: chỉ điều tra lại qua khiếu nại (phúc tra)",
                "the list is posted: a household is re-surveyed only through a complaint",
                "frozen",
            )
    else:
        require_open(r)
        if (
            complaint.entry_id != e.pk
            or complaint.status != ComplaintStatus.OPEN
            or e.record_id is not None
        ):
            raise refuse(
                "Khiếu nại không thuộc hộ này hoặc đã giải quyết",
                "the complaint is not this household's or is already decided",
                "complaint",
            )
    if e.screened_out:
        raise refuse(
            "Hộ không qua nhận dạng nhanh (Phiếu A): không điều tra Phiếu B",
            "the household did not pass the quick screening (Phiếu A): no Phiếu B survey",
            "screened_out",
        )


@transaction.atomic
def survey_save(
    *,
    actor: AnyUser,
    entry: ListEntry,
    inputs: Mapping[str, object],
    causes: Iterable[str] = (),
    member_changes: Sequence[Mapping[str, Any]] = (),
    final: bool = False,
    complaint: Complaint | None = None,
    correction_reason: str = "",
) -> Survey:
    """Saves the survey of a listed household (a draft, or final), classified by the
    engine for the campaign's standard (and the local standard and target groups).

    Before the posting a survey can be entered and re-entered; once the list is posted the
    household's result changes only through a complaint's re-check (``complaint``). After a
    result is returned (or unlocked) by the upper level, an officer corrects a decided
    household with a final survey and a ``correction_reason``: the registry keeps the
    approved record and gets a correcting draft (``registry.services.review_correct``), and
    the household waits for the chairman's decision on the correction."""
    e = ListEntry.objects.select_related("review__campaign", "review__commune", "household").get(
        pk=entry.pk
    )
    r = locked_review(e.review)
    e.review = r
    require_enter_survey(actor, e)
    correcting = bool(correction_reason.strip())
    if correcting:
        _may_correct(actor, r, e, final=final)
    else:
        _may_survey(r, e, complaint)
    campaign = r.campaign
    persons = Member.objects.filter(household=e.household).count()
    result = review_rules.classify(campaign, e.household, inputs, persons)
    latest = e.surveys.order_by("-version").first()
    if (
        latest is not None
        and not latest.final
        and latest.complaint_id == (complaint.pk if complaint else None)
    ):
        survey = latest
    else:
        survey = Survey(entry=e, version=(latest.version + 1) if latest else 1)
    survey.final = final
    survey.standard_id = campaign.standard_id
    survey.inputs = dict(inputs)
    survey.causes = _causes(causes)
    survey.member_changes = _member_changes(e.household, member_changes)
    survey.persons = persons
    survey.result = result.data
    survey.classification = result.classification
    survey.complaint = complaint
    survey.entered_by_id = actor_id(actor)
    survey.save()
    if final:
        e.proposed_class = result.classification
        e.survey_state = SurveyState.DONE
    elif e.survey_state == SurveyState.PENDING:
        e.survey_state = SurveyState.DRAFT
    if correcting and e.record is not None:
        review_correct(
            actor=actor,
            review=e.record,
            inputs={k: v for k, v in inputs.items() if k != "work_status"},
            reason=correction_reason.strip(),
            causes=survey.causes,
            persons=persons,
        )
        e.record = None  # decided again by the chairman (``services.decide``)
    e.save(update_fields=["proposed_class", "survey_state", "record"])
    mark_surveyed(r)
    log(
        actor,
        "survey_final" if final else "survey_draft",
        survey,
        household=e.household_id,
        classification=result.classification,
        complaint=complaint.pk if complaint else None,
    )
    return survey
