"""A commune's review, step by step: the list (from the registry, applicants with Phiếu A,
additions), the assignment to reviewers, the village meetings, the posting with its countdown
in working days, complaints, the plausibility flags, the recognition decision and the report
upward (its files, the list and the signed documents, are ``views.files``).

Thin: reads from ``reviews.selectors`` / ``reviews.flags``, writes
through ``reviews.services``; 404 for a commune the user cannot see, 403 (nothing changed)
for an action the user may not take, 400 with the page and the reason when a service refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giamngheo.accounts.models import EDITING_ROLES, Role
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Classification
from giamngheo.reviews import access, selectors, services
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.flags import flag_groups, review_flags
from giamngheo.reviews.forms import (
    AddForm,
    AppealForm,
    ApplicantForm,
    AssignForm,
    ComplaintDecideForm,
    ComplaintForm,
    DecisionForm,
    IntakeForm,
    MeetingForm,
    PostingForm,
    SubmitForm,
)
from giamngheo.reviews.models import (
    CampaignStatus,
    CommuneReview,
    CommuneState,
    ComplaintStatus,
    Meeting,
)
from giamngheo.reviews.views import jobs
from giamngheo.reviews.views.common import (
    attempt,
    complaint_or_404,
    english,
    form_errors,
    refusals,
    review_or_404,
    state_label,
    step_names,
)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------
@dataclass
class Rights:
    prepare: bool  # an officer managing the commune, while the result is open
    before_decision: bool  # … and the commune has no decision yet
    before_posting: bool  # … and its list is not posted yet (the list can still grow)
    decide: bool
    consolidate: bool
    submit: bool


def _rights(request: HttpRequest, r: CommuneReview) -> Rights:
    user, campaign = request.user, r.campaign
    open_ = campaign.status == CampaignStatus.OPEN and not r.locked
    open_ = open_ and r.state not in (CommuneState.SUBMITTED, CommuneState.ACCEPTED)
    prepare = open_ and access.can_prepare(user, r.commune)
    return Rights(
        prepare=prepare,
        before_decision=prepare and r.state == CommuneState.IN_PROGRESS,
        before_posting=prepare and r.state == CommuneState.IN_PROGRESS and r.posting_start is None,
        decide=open_
        and access.can_decide(user, r.commune)
        and r.posting_end is not None
        and (not r.decisions.exists() or r.entries.filter(record=None).exists()),
        consolidate=open_ and access.can_consolidate(user, campaign),
        submit=prepare and r.state in (CommuneState.DECIDED, CommuneState.RETURNED),
    )


def _class_label(value: str) -> str:
    return str(Classification(value).label) if value in Classification.values else ""


def _survey_url(pk: int) -> str:
    try:
        return reverse("reviews:survey", args=[pk])
    except NoReverseMatch:  # the survey pages are another module's
        return ""


def _reviewers(commune: AdminUnit) -> Any:
    units = [commune.pk, *(a.pk for a in commune.ancestors())]
    return (
        get_user_model()
        .objects.filter(
            profile__role__in=[Role.COLLABORATOR, *EDITING_ROLES], profile__unit_id__in=units
        )
        .order_by("first_name", "last_name", "username")
    )


def _meetings(r: CommuneReview, rights: Rights, failed: forms.Form | None) -> list[dict[str, Any]]:
    by_village: dict[int, list[Meeting]] = {}
    for m in r.meetings.order_by("attempt"):
        by_village.setdefault(m.village_id, []).append(m)
    waiting = {v.pk for v in selectors.villages_waiting(r)}
    villages = selectors.listed_villages(r)
    out = []
    for v in villages:
        form = None
        if rights.before_decision and r.posting_start is None and v.pk in waiting:
            failed_here = failed is not None and str(failed.data.get("village")) == str(v.pk)
            form = failed if failed_here else None
            form = form or MeetingForm(
                villages=villages, initial={"village": v.pk}, auto_id=f"id_m{v.pk}_%s"
            )
        out.append(
            {"village": v, "attempts": by_village.get(v.pk, []), "waiting": v.pk in waiting}
            | {"form": form}
        )
    return out


def _complaints(
    r: CommuneReview, rights: Rights, today: Any, failed: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for c in r.complaints.select_related("entry__household", "appeal_of").order_by("received"):
        is_open = c.status == ComplaintStatus.OPEN
        may = rights.consolidate if c.appeal_of_id else rights.prepare
        survey = _survey_url(c.entry_id)
        appealed = c.appeals.exists()
        rows.append(
            {
                "c": c,
                "overdue": is_open and c.due < today,
                "days": (today - c.due).days if is_open and c.due < today else 0,
                "recheck": f"{survey}?khieu_nai={c.pk}" if survey and is_open else "",
                "decide": (
                    failed.get(f"decide{c.pk}") or ComplaintDecideForm(auto_id=f"id_c{c.pk}_%s")
                )
                if is_open and may
                else None,
                "appeal": (failed.get(f"appeal{c.pk}") or AppealForm(auto_id=f"id_a{c.pk}_%s"))
                if not is_open and not appealed and rights.consolidate
                else None,
            }
        )
    return rows


def _posting(r: CommuneReview, today: Any) -> dict[str, Any]:
    if r.posting_end is None:
        return {}
    left = review_rules.calendar_of(r.campaign).working_days_between(today, r.posting_end)
    return {"days_left": max(left, 0), "ended": r.posting_end < today}


def commune_context(
    request: HttpRequest, r: CommuneReview, failed: dict[str, Any]
) -> dict[str, Any]:
    user, today, campaign = request.user, selectors.today(), r.campaign
    rules = review_rules.rules_of(campaign)
    names = step_names(rules)
    progress = selectors.campaign_progress(user, campaign, today, only=r)[0]
    rights = _rights(request, r)
    entries = list(
        r.entries.select_related("household__village", "reviewer").order_by(
            "household__village__name", "household__code"
        )
    )
    commune_entries = r.entries.all()
    meetings = _meetings(r, rights, failed.get("meeting"))
    villages = selectors.listed_villages(r)
    steps = {
        c.key: {"cell": c, "name": names.get(c.key, c.key), "label": state_label(c.status)}
        for c in progress.cells
    }
    return {
        "review": r,
        "campaign": campaign,
        "commune": r.commune,
        "progress": progress,
        "steps": steps,
        "current_name": names.get(progress.current_step, ""),
        "rights": rights,
        "entries": [(e, _survey_url(e.pk), _class_label(e.previous_class)) for e in entries],
        "screened_out": sum(e.screened_out for e in entries),
        "unassigned": sum(e.reviewer_id is None and not e.screened_out for e in entries),
        "meetings": meetings,
        "meetings_done": bool(meetings) and not any(m["waiting"] for m in meetings),
        "posting": _posting(r, today),
        "complaints": _complaints(r, rights, today, failed),
        "flags": flag_groups(review_flags([r]).get(r.pk, []), english=english()),
        "decisions": [
            (d, d.entries.filter(certificate_seq__isnull=False).count())
            for d in r.decisions.order_by("date", "pk")
        ],
        "applicant_form": failed.get("applicant") or ApplicantForm(commune=r.commune),
        "add_form": failed.get("add") or AddForm(commune=r.commune),
        "assign_form": failed.get("assign")
        or AssignForm(reviewers=_reviewers(r.commune), villages=villages, entries=commune_entries),
        "posting_form": failed.get("posting")
        or PostingForm(initial={"start": today, "places": "Nhà văn hóa thôn và trụ sở UBND xã"}),
        "complaint_form": failed.get("complaint") or ComplaintForm(entries=commune_entries),
        "decision_form": failed.get("decision") or DecisionForm(initial={"date": today}),
        "submit_form": failed.get("submit") or SubmitForm(),
        "intake_form": failed.get("intake") or _intake_form(r, rights),
        "today": today,
        "english": english(),
        "direct_max": jobs.DIRECT_MAX,
    }


def _intake_form(r: CommuneReview, rights: Rights) -> IntakeForm | None:
    batches = selectors.intake_batches(r)
    return IntakeForm(batches=batches) if rights.before_posting and batches.exists() else None


def commune_page(
    request: HttpRequest,
    r: CommuneReview,
    *,
    error: str = "",
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> HttpResponse:
    context = commune_context(request, r, failed or {})
    context["error"] = error
    return render(request, "reviews/commune_detail.html", context, status=status)


@require_GET
def commune_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return commune_page(request, review_or_404(request, pk))


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------
Write = Callable[[CommuneReview, Any], object]


def act(
    request: HttpRequest,
    r: CommuneReview,
    *,
    form: forms.Form | None,
    key: str,
    write: Write,
    message: str,
    anchor: str,
) -> HttpResponse:
    """Validate the form, run the service; the page again (400) when either refuses."""
    if form is not None and not form.is_valid():
        return commune_page(request, r, error=form_errors(form), status=400, failed={key: form})
    error = attempt(lambda: write(r, form.cleaned_data if form is not None else {}))
    if error:
        failed = {key: form} if form is not None else {}
        return commune_page(request, r, error=error, status=400, failed=failed)
    messages.success(request, message)
    return redirect(reverse("reviews:commune", args=[r.pk]) + anchor)


def _prepared(request: HttpRequest, pk: int) -> CommuneReview:
    r = review_or_404(request, pk)
    access.require_prepare(request.user, r.commune)
    return r


@require_POST
@refusals
def list_generate(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    return act(
        request,
        r,
        form=None,
        key="",
        write=lambda r, d: services.list_generate(actor=request.user, review=r),
        message=_("Đã lập danh sách từ sổ hộ nghèo, hộ cận nghèo."),
        anchor="#buoc-list",
    )


@require_POST
@refusals
def list_add_applicant(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    form = ApplicantForm(request.POST, commune=r.commune)
    return act(
        request,
        r,
        form=form,
        key="applicant",
        write=lambda r, d: services.list_add_applicant(
            actor=request.user,
            review=r,
            household=d["code"],
            received=d["received"],
            answers=form.answers(),
        ),
        message=_("Đã thêm hộ có giấy đề nghị."),
        anchor="#buoc-list",
    )


@require_POST
@refusals
def list_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    return act(
        request,
        r,
        form=AddForm(request.POST, commune=r.commune),
        key="add",
        write=lambda r, d: services.list_add(
            actor=request.user, review=r, household=d["code"], reason=d["reason"]
        ),
        message=_("Đã bổ sung hộ vào danh sách."),
        anchor="#buoc-list",
    )


@require_POST
@refusals
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    form = AssignForm(
        request.POST,
        reviewers=_reviewers(r.commune),
        villages=selectors.listed_villages(r),
        entries=r.entries.all(),
    )
    return act(
        request,
        r,
        form=form,
        key="assign",
        write=lambda r, d: services.assign(
            actor=request.user,
            review=r,
            reviewer=d["reviewer"],
            entries=d["codes"],
            village_id=d["village"].pk if d["village"] and not d["codes"] else None,
        ),
        message=_("Đã phân công rà soát viên."),
        anchor="#buoc-assign",
    )


@require_POST
@refusals
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    form = MeetingForm(request.POST, villages=selectors.listed_villages(r))
    return act(
        request,
        r,
        form=form,
        key="meeting",
        write=lambda r, d: services.meeting_record(
            actor=request.user,
            review=r,
            village=d["village"],
            held_at=d["held_at"],
            chair=d["chair"],
            secretary=d["secretary"],
            attendees=d["attendees"],
            agreement=d["agreement"],
            key_attendees=form.key_attendees(),
            venue=d["venue"],
        ),
        message=_("Đã ghi biên bản họp dân."),
        anchor="#buoc-meeting",
    )


@require_POST
@refusals
def posting_start(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    return act(
        request,
        r,
        form=PostingForm(request.POST),
        key="posting",
        write=lambda r, d: services.posting_start(
            actor=request.user, review=r, start=d["start"], places=d["places"]
        ),
        message=_("Đã niêm yết danh sách."),
        anchor="#buoc-posting",
    )


@require_POST
@refusals
def complaint_open(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    return act(
        request,
        r,
        form=ComplaintForm(request.POST, entries=r.entries.all()),
        key="complaint",
        write=lambda r, d: services.complaint_open(
            actor=request.user,
            review=r,
            entry=d["code"],
            complainant=d["complainant"],
            received=d["received"],
            content=d["content"],
        ),
        message=_("Đã nhận khiếu nại."),
        anchor="#buoc-complaints",
    )


@require_POST
@refusals
def complaint_decide(request: HttpRequest, pk: int) -> HttpResponse:
    c = complaint_or_404(request, pk)
    r = review_or_404(request, c.review_id)
    if c.appeal_of_id is None:
        access.require_prepare(request.user, r.commune)
    else:
        access.require_consolidate(request.user, r.campaign)
    return act(
        request,
        r,
        form=ComplaintDecideForm(request.POST, auto_id=f"id_c{c.pk}_%s"),
        key=f"decide{c.pk}",
        write=lambda r, d: services.complaint_decide(
            actor=request.user, complaint=c, outcome=d["outcome"], answer=d["answer"]
        ),
        message=_("Đã giải quyết khiếu nại."),
        anchor="#buoc-complaints",
    )


@require_POST
@refusals
def complaint_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    c = complaint_or_404(request, pk)
    r = review_or_404(request, c.review_id)
    access.require_consolidate(request.user, r.campaign)
    return act(
        request,
        r,
        form=AppealForm(request.POST, auto_id=f"id_a{c.pk}_%s"),
        key=f"appeal{c.pk}",
        write=lambda r, d: services.complaint_open(
            actor=request.user,
            review=r,
            entry=c.entry,
            complainant=d["complainant"],
            received=d["received"],
            content=d["content"],
            appeal_of=c,
        ),
        message=_("Đã nhận khiếu nại tiếp."),
        anchor="#buoc-complaints",
    )


@require_POST
@refusals
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    r = review_or_404(request, pk)
    access.require_decide(request.user, r.commune)
    return act(
        request,
        r,
        form=DecisionForm(request.POST),
        key="decision",
        write=lambda r, d: services.decide(
            actor=request.user,
            review=r,
            number=d["number"],
            date=d["date"],
            signer_name=d["signer_name"],
        ),
        message=_("Đã ký quyết định công nhận."),
        anchor="#buoc-decision",
    )


@require_POST
@refusals
def commune_submit(request: HttpRequest, pk: int) -> HttpResponse:
    r = _prepared(request, pk)
    return act(
        request,
        r,
        form=SubmitForm(request.POST),
        key="submit",
        write=lambda r, d: services.commune_submit(actor=request.user, review=r, note=d["note"]),
        message=_("Đã báo cáo kết quả lên cấp trên."),
        anchor="#buoc-report",
    )


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
urlpatterns = [
    path("xa/<int:pk>/", commune_detail, name="commune"),
    path("xa/<int:pk>/danh-sach/lap/", list_generate, name="list_generate"),
    path("xa/<int:pk>/danh-sach/de-nghi/", list_add_applicant, name="list_add_applicant"),
    path("xa/<int:pk>/danh-sach/bo-sung/", list_add, name="list_add"),
    path("xa/<int:pk>/phan-cong/", assign, name="assign"),
    path("xa/<int:pk>/hop-dan/", meeting_record, name="meeting_record"),
    path("xa/<int:pk>/niem-yet/", posting_start, name="posting_start"),
    path("xa/<int:pk>/khieu-nai/", complaint_open, name="complaint_open"),
    path("xa/<int:pk>/quyet-dinh/", decide, name="decide"),
    path("xa/<int:pk>/bao-cao/", commune_submit, name="commune_submit"),
    path("khieu-nai/<int:pk>/giai-quyet/", complaint_decide, name="complaint_decide"),
    path("khieu-nai/<int:pk>/khieu-nai-tiep/", complaint_appeal, name="complaint_appeal"),
]
