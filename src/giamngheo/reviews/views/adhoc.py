"""Monthly (ad-hoc, "thường xuyên") applications: a commune's month, one application's steps
in small, the refusal letter and the commune's monthly report.

* ``reviews:applications`` (``/ra-soat/thang/``): a commune's applications of a month (the
  user's commune, or one chosen by an officer above) with their due dates, overdue ones red
  with their days; the form that receives one; the month's report and its due date.
* ``reviews:application`` (``/ra-soat/thang/<pk>/``): survey (the survey form for the
  ad-hoc standard of the year received), village meeting, posting, decision (recognise → an
  approved ad-hoc registry record; refuse with reasons → the letter).
* ``reviews:application_classify`` (POST, JSON): the survey form's live classification.
* ``reviews:refusal`` (``…/van-ban.<pdf|docx>``) and ``reviews:monthly_report``.

Deadlines are the rule set's (``reviews.rules``: TT 17/2016: 7 working days from receipt;
QĐ 24/2021: the monthly cycle from the 15th, 15 days); the page never computes one itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamngheo.accounts.access import can_view_unit, user_unit, visible_units
from giamngheo.accounts.models import Role, UserProfile
from giamngheo.core.documents import file_name, render_docx, render_pdf
from giamngheo.core.review.calendar import WorkCalendar
from giamngheo.core.standards import standard_for
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.models import Household, Member
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews import selectors, services
from giamngheo.reviews.access import can_decide, can_prepare
from giamngheo.reviews.documents import monthly_report_of, refusal_of
from giamngheo.reviews.models import Application, ApplicationKind, ApplicationState
from giamngheo.reviews.survey_form import SurveyForm, in_language, result_view
from giamngheo.reviews.views.common import english, record_document, refused
from giamngheo.reviews.views.survey import classify_form, classify_json

OPEN_STATES = (
    ApplicationState.RECEIVED,
    ApplicationState.SURVEYED,
    ApplicationState.MEETING,
    ApplicationState.POSTED,
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {"pdf": "application/pdf", "docx": DOCX}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReceiveForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã hộ"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Đề nghị"), choices=ApplicationKind.choices)
    received = _date_field(gettext_lazy("Ngày nhận"))


class MeetingForm(forms.Form):
    date = _date_field(gettext_lazy("Ngày họp"))
    attendees = forms.IntegerField(label=gettext_lazy("Số người dự"), min_value=1)
    agreement = forms.IntegerField(label=gettext_lazy("Số người đồng ý"), min_value=0)


class PostForm(forms.Form):
    start = _date_field(gettext_lazy("Ngày bắt đầu niêm yết"))


class DecideForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Số văn bản"), max_length=40)
    date = _date_field(gettext_lazy("Ngày ký"))
    reasons = forms.CharField(
        label=gettext_lazy("Lý do không công nhận (mỗi lý do một dòng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _month(raw: str, today: dt.date) -> tuple[int, int]:
    try:
        y, m = (int(x) for x in raw.split("-", 1))
        if 1 <= m <= 12 and 2000 <= y <= 2100:
            return y, m
    except ValueError:
        pass
    return today.year, today.month


def _communes(request: HttpRequest) -> list[AdminUnit]:
    return list(visible_units(request.user).filter(level=Level.COMMUNE).order_by("name_key", "pk"))


def _chosen(request: HttpRequest, raw: str) -> AdminUnit | None:
    if raw:
        try:
            unit = AdminUnit.objects.get(pk=int(raw), level=Level.COMMUNE)
        except (ValueError, AdminUnit.DoesNotExist):
            raise Http404(_("Không có xã này.")) from None
        if not can_view_unit(request.user, unit):
            raise Http404(_("Không có xã này."))
        return unit
    own = user_unit(request.user)
    return own if own is not None and own.level == Level.COMMUNE else None


def _application(request: HttpRequest, pk: int) -> Application:
    try:
        app = Application.objects.select_related(
            "commune", "household__village", "record", "decided_by"
        ).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404(_("Không có hồ sơ này.")) from None
    if not can_view_unit(request.user, app.commune):
        raise Http404(_("Không có hồ sơ này."))
    return app


@dataclass(frozen=True)
class DueState:
    """An application's deadline as the page shows it."""

    due: dt.date
    overdue_days: int  # open and past its due date
    late_days: int  # decided after its due date

    @classmethod
    def of(cls, app: Application, today: dt.date) -> DueState:
        if app.decision_date is not None:
            return cls(app.due, 0, max(0, (app.decision_date - app.due).days))
        return cls(app.due, max(0, (today - app.due).days), 0)


def _due_notes(app: Application, en: bool) -> list[str]:
    rules = review_rules.get_rules(app.rules_id)
    notes = rules.adhoc_due(app.received, WorkCalendar()).notes
    return [n.en if en else n.vi for n in notes]


def _approver_name(commune: AdminUnit) -> str:
    p = (
        UserProfile.objects.filter(unit=commune, role=Role.APPROVER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return (p.user.get_full_name() or p.user.get_username()) if p is not None else ""


def _file(data: bytes, name: str, ext: str) -> HttpResponse:
    response = HttpResponse(data, content_type=TYPES[ext])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------------------------------------
# The month of a commune
# ---------------------------------------------------------------------------------------------
def _month_rows(commune: AdminUnit, year: int, month: int, today: dt.date) -> list[Any]:
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    apps = (
        Application.objects.filter(commune=commune)
        .filter(
            Q(received__range=(start, end))
            | Q(decision_date__range=(start, end))
            | Q(state__in=OPEN_STATES, received__lte=end)
        )
        .select_related("household")
        .order_by("due", "pk")
    )
    return [(a, DueState.of(a, today)) for a in apps]


def _report_due(year: int, month: int, commune: AdminUnit | None) -> tuple[dt.date | None, bool]:
    """The monthly report's due date (past days off); (None, False) when no rule set covers
    the month."""
    try:
        rules = review_rules.rules_for_received(dt.date(year, month, 1))
    except ValidationError:
        return None, False
    return review_rules.monthly_report_due(rules, year, month, commune), True


def _receive(request: HttpRequest, commune: AdminUnit, form: ReceiveForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    code = form.cleaned_data["code"].strip()
    hh = Household.objects.filter(commune=commune, code=code).first()
    if hh is None:
        form.add_error("code", _("Không có hộ mã %(code)s ở xã này.") % {"code": code})
        return None
    try:
        app = services.application_receive(
            actor=request.user,
            household=hh,
            kind=form.cleaned_data["kind"],
            received=form.cleaned_data["received"],
        )
    except PermissionDenied as exc:
        return refused(request, str(exc))
    except ValidationError as exc:
        for m in exc.messages:
            form.add_error(None, in_language(m, english()))
        return None
    messages.success(request, _("Đã nhận hồ sơ của hộ %(code)s.") % {"code": hh.code})
    return redirect("reviews:application", app.pk)


@require_http_methods(["GET", "POST"])
def applications_view(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    today = selectors.today()
    commune = _chosen(request, params.get("xa", "").strip())
    year, month = _month(params.get("thang", ""), today)
    form = ReceiveForm(
        request.POST if request.method == "POST" else None, initial={"received": today}
    )
    if request.method == "POST":
        if commune is None:
            raise Http404(_("Chọn xã."))
        done = _receive(request, commune, form)
        if done is not None:
            return done
    report_due, has_rules = _report_due(year, month, commune)
    month_text = f"{year:04d}-{month:02d}"
    return render(
        request,
        "reviews/adhoc_list.html",
        {
            "communes": _communes(request),
            "commune": commune,
            "month_text": month_text,
            "month": month,
            "year": year,
            "rows": _month_rows(commune, year, month, today) if commune else [],
            "form": form,
            "can_receive": commune is not None and can_prepare(request.user, commune),
            "report_due": report_due,
            "has_rules": has_rules,
            "report_query": urlencode({"xa": str(commune.pk), "thang": month_text})
            if commune
            else "",
            "today": today,
        },
    )


@require_GET
def monthly_report_view(request: HttpRequest) -> HttpResponse:
    commune = _chosen(request, request.GET.get("xa", "").strip())
    if commune is None:
        raise Http404(_("Chọn xã."))
    year, month = _month(request.GET.get("thang", ""), selectors.today())
    ext = request.GET.get("dinh_dang", "pdf")
    if ext not in TYPES:
        raise Http404(_("Định dạng không rõ."))
    doc = monthly_report_of(commune, year, month, _approver_name(commune))
    data = render_pdf(doc) if ext == "pdf" else render_docx(doc)
    record_document(request, commune, file_name(doc, ext))
    return _file(data, file_name(doc, ext), ext)


# ---------------------------------------------------------------------------------------------
# One application
# ---------------------------------------------------------------------------------------------
def _members(app: Application) -> list[Member]:
    return list(Member.objects.filter(household=app.household).order_by("pk"))


def _survey_form(request: HttpRequest, app: Application, members: list[Member]) -> SurveyForm:
    en = english()
    posted = request.method == "POST" and request.POST.get("action") in ("classify", "survey")
    return SurveyForm(
        request.POST if posted else None,
        standard=standard_for(app.received.year, "adhoc"),
        members=members,
        english=en,
        low_income=False,
        member_changes=False,
        initial=SurveyForm.initial_from(app.inputs, app.causes, english=en) if app.inputs else None,
    )


def _classifier(app: Application, members: list[Member]) -> Any:
    return lambda inputs: review_rules.classify_adhoc(app, inputs, len(members))


def _step_forms(request: HttpRequest, action: str) -> dict[str, forms.Form]:
    data = request.POST if request.method == "POST" else None
    today = selectors.today()
    return {
        "meeting": MeetingForm(data if action == "meeting" else None, initial={"date": today}),
        "post": PostForm(data if action == "post" else None, initial={"start": today}),
        "decide": DecideForm(
            data if action in ("recognise", "refuse") else None, initial={"date": today}
        ),
    }


def _run(
    request: HttpRequest,
    app: Application,
    action: str,
    *,
    survey: SurveyForm,
    step: dict[str, forms.Form],
    members: list[Member],
) -> Any:
    """Calls the action's service: the saved application, or None (errors on the forms)."""
    en, actor = english(), request.user
    if action == "survey":
        shown = classify_form(survey, _classifier(app, members), members)
        if shown is None:
            return None
        causes = survey.causes() if shown["show_causes"] else []
        return services.application_survey(
            actor=actor, application=app, inputs=survey.inputs(), causes=causes
        )
    form = step["decide" if action in ("recognise", "refuse") else action]
    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        if action == "meeting":
            return services.application_meeting(
                actor=actor,
                application=app,
                date=d["date"],
                attendees=d["attendees"],
                agreement=d["agreement"],
            )
        if action == "post":
            return services.application_post(actor=actor, application=app, start=d["start"])
        return services.application_decide(
            actor=actor,
            application=app,
            recognise=action == "recognise",
            number=d["number"],
            date=d["date"],
            reasons=[r for r in d["reasons"].splitlines() if r.strip()],
        )
    except ValidationError as exc:
        for m in exc.messages:
            form.add_error(None, in_language(m, en))
        return None


@require_http_methods(["GET", "POST"])
def application_view(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    members = _members(app)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    survey = _survey_form(request, app, members)
    step = _step_forms(request, action)
    shown = result_view(app.result, members, survey.english) if app.result else None
    if action == "classify":
        shown = classify_form(survey, _classifier(app, members), members)
    elif action in ("survey", "meeting", "post", "recognise", "refuse"):
        try:
            saved = _run(request, app, action, survey=survey, step=step, members=members)
        except PermissionDenied as exc:
            return refused(request, str(exc), reverse("reviews:application", args=[app.pk]))
        except ValidationError as exc:
            survey.add_errors(exc)
            saved = None
        if saved is not None:
            messages.success(request, _("Đã lưu."))
            return redirect("reviews:application", app.pk)
    today = selectors.today()
    return render(
        request,
        "reviews/adhoc_detail.html",
        {
            "app": app,
            "household": app.household,
            "members": members,
            "form": survey,
            "result": shown,
            "step": step,
            "action": action,
            "due": DueState.of(app, today),
            "due_notes": _due_notes(app, survey.english),
            "may_prepare": can_prepare(request.user, app.commune),
            "may_decide": can_decide(request.user, app.commune),
            "open": app.state in OPEN_STATES,
            "classify_url": reverse("reviews:application_classify", args=[app.pk]),
            "month_query": urlencode({"xa": str(app.commune_id), "thang": f"{app.received:%Y-%m}"}),
        },
    )


@require_POST
def application_classify_view(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    if not can_prepare(request.user, app.commune):
        return JsonResponse({"error": _("Không có quyền nhập phiếu của xã này.")}, status=403)
    members = _members(app)
    form = SurveyForm(
        request.POST,
        standard=standard_for(app.received.year, "adhoc"),
        members=members,
        english=english(),
        low_income=False,
        member_changes=False,
    )
    return classify_json(form, _classifier(app, members), members)


@require_GET
def refusal_view(request: HttpRequest, pk: int, ext: str) -> HttpResponse:
    app = _application(request, pk)
    if app.state != ApplicationState.REFUSED or ext not in TYPES:
        raise Http404(_("Hồ sơ không có văn bản trả lời."))
    doc = refusal_of(app)
    data = render_pdf(doc) if ext == "pdf" else render_docx(doc)
    record_document(request, app, file_name(doc, ext))
    return _file(data, file_name(doc, ext), ext)


urlpatterns = [
    path("thang/", applications_view, name="applications"),
    path("thang/bao-cao/", monthly_report_view, name="monthly_report"),
    path("thang/<int:pk>/", application_view, name="application"),
    path("thang/<int:pk>/phan-loai/", application_classify_view, name="application_classify"),
    path("thang/<int:pk>/van-ban.<str:ext>", refusal_view, name="refusal"),
]
