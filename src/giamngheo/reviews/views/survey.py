"""The survey entry (Phiếu B) of one listed household, and its live classification.

* ``reviews:survey`` (``/ra-soat/phieu/<entry>/``): the form for the campaign's standard.
  "Phân loại" re-renders the page with the engine's result (without JavaScript); "Lưu nháp"
  and "Hoàn thành" call ``services.survey_save`` (draft / final) and come back to the page.
  ``?khieu_nai=<complaint>`` makes it that complaint's re-check (phúc tra).
* ``reviews:survey_classify`` (``…/phan-loai/``, POST): the same form read and classified,
  answered as JSON for ``static/reviews/survey.js``; nothing is written.

A user who cannot see the commune gets 404; one who may not enter this household's survey
(a reviewer for a household not assigned to them, a leader) gets 403 with the bilingual
refusal, and nothing changes (the service checks again).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from giamngheo.accounts.access import can_view_unit
from giamngheo.core.standards import get_standard
from giamngheo.registry.models import Member
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews import services
from giamngheo.reviews.access import require_enter_survey
from giamngheo.reviews.models import CommuneState, Complaint, ComplaintStatus, ListEntry, Survey
from giamngheo.reviews.survey_form import SurveyForm, result_view
from giamngheo.reviews.views.common import english, refused

ACTIONS = ("classify", "draft", "finish")


def _entry(request: HttpRequest, pk: int) -> ListEntry:
    try:
        e = ListEntry.objects.select_related(
            "review__campaign", "review__commune", "household__village", "reviewer"
        ).get(pk=pk)
    except ListEntry.DoesNotExist:
        raise Http404(_("Không có hộ này trong danh sách rà soát.")) from None
    if not can_view_unit(request.user, e.review.commune):
        raise Http404(_("Không có hộ này trong danh sách rà soát."))
    return e


def _complaint(request: HttpRequest, entry: ListEntry) -> Complaint | None:
    raw = request.GET.get("khieu_nai", "").strip()
    if not raw:
        return None
    try:
        return Complaint.objects.get(pk=int(raw), entry=entry)
    except (ValueError, Complaint.DoesNotExist):
        raise Http404(_("Không có khiếu nại này.")) from None


def _members(entry: ListEntry) -> list[Member]:
    return list(Member.objects.filter(household=entry.household).order_by("pk"))


def _latest(entry: ListEntry, complaint: Complaint | None) -> Survey | None:
    if complaint is not None:
        own = entry.surveys.filter(complaint=complaint).order_by("-version").first()
        if own is not None:
            return own
    return entry.surveys.order_by("-version").first()


def _form(
    request: HttpRequest,
    entry: ListEntry,
    members: list[Member],
    latest: Survey | None,
) -> SurveyForm:
    campaign = entry.review.campaign
    en = english()
    initial = (
        SurveyForm.initial_from(latest.inputs, latest.causes, latest.member_changes, english=en)
        if latest is not None
        else None
    )
    return SurveyForm(
        request.POST if request.method == "POST" else None,
        standard=get_standard(campaign.standard_id),
        members=members,
        english=en,
        low_income=campaign.identify_low_income,
        initial=initial,
    )


def classify_form(form: SurveyForm, classify: Any, members: list[Member]) -> dict[str, Any] | None:
    """The form read and classified (``classify(inputs)`` → ``rules.Classified``); the
    engine's errors go to their fields. None when the form or the engine refuses."""
    if not form.is_valid():
        return None
    try:
        result = classify(form.inputs())
    except ValidationError as exc:
        form.add_errors(exc)
        return None
    return result_view(result.data, members, form.english)


def classify_json(form: SurveyForm, classify: Any, members: list[Member]) -> JsonResponse:
    shown = classify_form(form, classify, members)
    body: dict[str, Any] = dict(shown) if shown is not None else {"classification": ""}
    body["errors"] = form.error_map()
    return JsonResponse(body)


def _causes_for(form: SurveyForm, shown: dict[str, Any] | None) -> list[str]:
    """Causes are kept only for a poor or near-poor result (the question is hidden else)."""
    return form.causes() if shown is not None and shown["show_causes"] else []


def _save(
    request: HttpRequest,
    entry: ListEntry,
    form: SurveyForm,
    *,
    members: list[Member],
    complaint: Complaint | None,
    final: bool,
    correction_reason: str = "",
) -> HttpResponse | None:
    """Saves through the service; a response when done (redirect) or refused (403)."""
    shown = classify_form(form, lambda i: _classify(entry, i, members), members)
    if shown is None:
        return None
    try:
        services.survey_save(
            actor=request.user,
            entry=entry,
            inputs=form.inputs(),
            causes=_causes_for(form, shown),
            member_changes=form.member_changes(),
            final=final,
            complaint=complaint,
            correction_reason=correction_reason,
        )
    except PermissionDenied as exc:
        return refused(request, str(exc))
    except ValidationError as exc:
        form.add_errors(exc)
        return None
    messages.success(request, _saved_text(final, entry))
    url = reverse("reviews:survey", args=[entry.pk])
    if complaint is not None:
        url += f"?khieu_nai={complaint.pk}"
    return redirect(url)


def _saved_text(final: bool, entry: ListEntry) -> str:
    if final:
        return _("Đã hoàn thành phiếu điều tra của hộ %(code)s.") % {"code": entry.household.code}
    return _("Đã lưu nháp phiếu điều tra của hộ %(code)s.") % {"code": entry.household.code}


def _classify(entry: ListEntry, inputs: dict[str, object], members: list[Member]) -> Any:
    return review_rules.classify(entry.review.campaign, entry.household, inputs, len(members))


@require_http_methods(["GET", "POST"])
def survey_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    try:
        require_enter_survey(request.user, entry)
    except PermissionDenied as exc:
        return refused(request, str(exc))
    complaint = _complaint(request, entry)
    members = _members(entry)
    latest = _latest(entry, complaint)
    form = _form(request, entry, members, latest)
    shown: dict[str, Any] | None = None
    status = 200
    # A decided household of a result the upper level returned: corrected with a reason.
    correcting = (
        complaint is None
        and entry.record_id is not None
        and entry.review.state == CommuneState.RETURNED
    )
    reason = request.POST.get("correction_reason", "").strip() if correcting else ""
    correction_error = ""
    if request.method == "POST":
        action = request.POST.get("action", "classify")
        if correcting and action == "finish" and not reason:
            correction_error = _("Cần lý do điều chỉnh.")
            shown = classify_form(form, lambda i: _classify(entry, i, members), members)
            status = 400
        elif action in ("draft", "finish"):
            done = _save(
                request,
                entry,
                form,
                members=members,
                complaint=complaint,
                final=action == "finish",
                correction_reason=reason,
            )
            if done is not None:
                return done
            status = 400  # not saved: the page again, with the reasons at their fields
        else:
            shown = classify_form(form, lambda i: _classify(entry, i, members), members)
    elif latest is not None:
        shown = result_view(latest.result, members, form.english)
    review = entry.review
    classify_url = reverse("reviews:survey_classify", args=[entry.pk])
    return render(
        request,
        "reviews/survey.html",
        {
            "entry": entry,
            "review": review,
            "campaign": review.campaign,
            "household": entry.household,
            "form": form,
            "result": shown,
            "latest": latest,
            "complaint": complaint,
            "open_complaint": complaint is not None and complaint.status == ComplaintStatus.OPEN,
            "frozen": review.posting_start is not None and complaint is None,
            "classify_url": classify_url,
            "correcting": correcting,
            "correction_reason": reason,
            "correction_error": correction_error,
        },
        status=status,
    )


@require_POST
def survey_classify_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    try:
        require_enter_survey(request.user, entry)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    members = _members(entry)
    form = _form(request, entry, members, None)
    return classify_json(form, lambda i: _classify(entry, i, members), members)


urlpatterns = [
    path("phieu/<int:pk>/", survey_view, name="survey"),
    path("phieu/<int:pk>/phan-loai/", survey_classify_view, name="survey_classify"),
]
