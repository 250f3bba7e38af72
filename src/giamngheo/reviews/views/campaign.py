"""The campaign pages: the campaigns a user sees (and the form to open one), a campaign with
its rules, step calendar, progress matrix, what is due and overdue, the communes' consolidated
results, and the upper level's actions (accept, return, unlock a commune; approve the whole).

Thin: reads come from ``reviews.selectors`` (and ``reviews.flags``), writes from
``reviews.services``. A campaign or commune the user cannot see answers 404; an action the
user may not take answers 403 with the bilingual reason and changes nothing; an action the
services refuse (a step out of order, a missing comment) re-shows the page with the reason,
status 400. The helpers at the top are shared with ``views.commune``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from giamngheo.accounts.access import can_view_unit, manageable_units
from giamngheo.computed.views import cached
from giamngheo.core.review.rules import all_rules
from giamngheo.core.standards import get_standard
from giamngheo.geo.models import Level
from giamngheo.reviews import access, selectors, services
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.flags import flag_groups
from giamngheo.reviews.forms import (
    CalendarForm,
    CampaignOpenForm,
    CommentForm,
    DueForm,
    ReasonForm,
    format_dates,
)
from giamngheo.reviews.models import (
    STEP_KEYS,
    Campaign,
    CampaignStatus,
    CommuneReview,
    CommuneState,
)
from giamngheo.reviews.report import CAMPAIGN_FLAGS
from giamngheo.reviews.views.common import (
    attempt,
    campaign_or_404,
    english,
    form_errors,
    pick,
    refusals,
    review_or_404,
    state_label,
    step_names,
)

ORIGINS = {
    "legal": gettext_lazy("Theo quy định"),
    "suggested": gettext_lazy("Đề xuất"),
    "unit": gettext_lazy("Đơn vị đặt"),
}


# ---------------------------------------------------------------------------------------------
# The campaigns
# ---------------------------------------------------------------------------------------------
def _openable(request: HttpRequest) -> Any:
    return manageable_units(request.user).filter(level__in=[Level.PROVINCE, Level.DISTRICT])


def _campaigns_page(
    request: HttpRequest, form: CampaignOpenForm | None, error: str = "", status: int = 200
) -> HttpResponse:
    campaigns = selectors.campaigns_visible(request.user).order_by("-year", "unit__name")
    context = {
        "campaigns": campaigns,
        "form": form,
        "error": error,
        "step_fields": [(form[f"due_{k}"], n) for k, n in _all_step_names(form)] if form else [],
    }
    return render(request, "reviews/campaign_list.html", context, status=status)


def _all_step_names(form: CampaignOpenForm) -> list[tuple[str, str]]:
    year = form.initial.get("year") or selectors.today().year
    try:
        rules = review_rules.rules_for_year(int(year))
    except ValidationError:
        rules = all_rules()[-1]
    return list(step_names(rules).items())


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    units = _openable(request)
    form = CampaignOpenForm(units=units, year=selectors.today().year) if units.exists() else None
    return _campaigns_page(request, form)


@require_POST
@refusals
def campaign_open(request: HttpRequest) -> HttpResponse:
    units = _openable(request)
    posted = request.POST.get("unit", "")
    if not units.exists() or (posted.isdigit() and not units.filter(pk=int(posted)).exists()):
        raise PermissionDenied(
            "Chỉ cán bộ cấp tỉnh hoặc huyện mới mở được đợt rà soát / "
            "only a province or district officer opens a campaign"
        )
    form = CampaignOpenForm(request.POST, units=units, year=selectors.today().year)
    if not form.is_valid():
        return _campaigns_page(request, form, form_errors(form), status=400)
    d = form.cleaned_data
    made: list[Campaign] = []
    error = attempt(
        lambda: made.append(
            services.campaign_open(
                actor=request.user,
                unit=d["unit"],
                year=d["year"],
                name=d["name"],
                standard_id=d["standard_id"] or None,
                local_standard=d["local_standard"],
                window=form.window(),
                overrides=form.overrides(),
                days_off=d["days_off"],
                working_days=d["working_days"],
            )
        )
    )
    if error:
        return _campaigns_page(request, form, error, status=400)
    messages.success(request, _("Đã mở đợt rà soát."))
    return redirect("reviews:campaign", pk=made[0].pk)


# ---------------------------------------------------------------------------------------------
# One campaign
# ---------------------------------------------------------------------------------------------
ESCAPES = ("poor>medium", "poor>non_poor", "near_poor>medium", "near_poor>non_poor")
RESULT_KEYS = ("listed", "poor", "near_poor", "escaped", "carried_over")


def summary(figures: Mapping[str, int]) -> dict[str, int]:
    """The consolidated figures of one commune from ``figures_of`` (or the frozen copy)."""
    return {
        "listed": figures.get("listed", 0),
        "poor": figures.get("class:poor", 0),
        "near_poor": figures.get("class:near_poor", 0),
        "escaped": sum(figures.get(f"move:{m}", 0) for m in ESCAPES),
        "carried_over": figures.get("carried_over", 0),
    }


@dataclass
class ResultRow:
    review: CommuneReview
    figures: dict[str, int]
    frozen: bool
    diff: dict[str, int]  # live − frozen, non-zero only

    @property
    def cells(self) -> list[tuple[int, int]]:
        return [(self.figures[k], self.diff.get(k, 0)) for k in RESULT_KEYS]


def result_row(r: CommuneReview) -> ResultRow:
    live = summary(services.figures_of(r))
    if r.state == CommuneState.ACCEPTED and r.accepted_figures:
        frozen = summary(r.accepted_figures)
        diff = {k: live[k] - frozen[k] for k in RESULT_KEYS if live[k] != frozen[k]}
        return ResultRow(r, frozen, True, diff)
    return ResultRow(r, live, False, {})


def _schedule(campaign: Campaign, rules: review_rules.ReviewRules) -> list[dict[str, Any]]:
    names = step_names(rules)
    out = []
    for s in sorted(campaign.steps.all(), key=lambda s: STEP_KEYS.index(s.key)):
        note = s.note
        if s.origin != "unit":
            p = rules.step(s.key).provenance
            note = pick(p.note.vi, p.note.en) if p.note else ""
        out.append(
            {
                "step": s,
                "name": names.get(s.key, s.key),
                "origin": ORIGINS.get(s.origin, s.origin),
                "note": note if s.origin != "unit" else _("Hạn do đơn vị đặt"),
            }
        )
    return out


def _chain(campaign: Campaign, rules: review_rules.ReviewRules) -> list[str]:
    levels = {lv.key: pick(lv.name_vi, lv.name_en) for lv in rules.chain}
    return [levels.get(k, k) for k in campaign.chain]


def _matrix(progress: list[selectors.CommuneProgress]) -> list[dict[str, Any]]:
    return [
        {
            "p": p,
            "cells": [(c, state_label(c.status)) for c in p.cells],
            "current": p.current_step,
        }
        for p in progress
    ]


def campaign_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    user, today = request.user, selectors.today()
    rules = review_rules.rules_of(campaign)
    std = get_standard(campaign.standard_id)
    progress = selectors.campaign_progress(user, campaign, today)
    reviews = [p.review for p in progress]
    is_open = campaign.status == CampaignStatus.OPEN
    can_set = is_open and access.can_open_campaign(user, campaign.unit)
    upper = can_view_unit(user, campaign.unit)
    # The whole campaign's flags come from the worker (``reviews.report``): never waited for.
    state = cached(CAMPAIGN_FLAGS, user, campaign, "flags") if upper else None
    flags: dict[int, Any] = (state.value if state is not None else None) or {}
    names = step_names(rules)
    return {
        "campaign": campaign,
        "rules_name": pick(rules.name_vi, rules.name_en),
        "standard_name": pick(std.name_vi, std.name_en),
        "chain": _chain(campaign, rules),
        "schedule": _schedule(campaign, rules),
        "steps": [(k, names.get(k, k)) for k in STEP_KEYS],
        "matrix": _matrix(progress),
        "due_week": [(p, c, names.get(c.key, c.key)) for p, c in selectors.due_this_week(progress)],
        "overdue": [(p, c, names.get(c.key, c.key)) for p, c in selectors.overdue(progress)],
        "results": [result_row(r) for r in reviews],
        "flags": [
            (r, flag_groups(flags[r.pk], english=english())) for r in reviews if flags.get(r.pk)
        ],
        "upper": upper,
        "flags_state": state.context("en" if english() else "vi") if state is not None else {},
        "can_set": can_set,
        "can_consolidate": is_open and access.can_consolidate(user, campaign),
        "can_close": is_open and access.can_close(user, campaign),
        "due_form": DueForm(steps=list(campaign.steps.all())) if can_set else None,
        "calendar_form": CalendarForm(
            initial={
                "days_off": format_dates(campaign.days_off),
                "working_days": format_dates(campaign.working_days),
            }
        )
        if can_set
        else None,
        "today": today,
        "english": english(),
    }


def campaign_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    error: str = "",
    status: int = 200,
    failed: Mapping[str, Any] | None = None,
) -> HttpResponse:
    context = campaign_context(request, campaign)
    context.update(failed or {})
    context["error"] = error
    if context.get("due_form") is not None:
        form = context["due_form"]
        context["due_fields"] = [(form[f"due_{k}"], n) for k, n in context["steps"]]
    return render(request, "reviews/campaign_detail.html", context, status=status)


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return campaign_page(request, campaign_or_404(request, pk))


def _done(request: HttpRequest, campaign: Campaign, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("reviews:campaign", args=[campaign.pk]) + anchor)


@require_POST
@refusals
def campaign_set_due(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    access.require_open_campaign(request.user, campaign.unit)
    form = DueForm(request.POST, steps=list(campaign.steps.all()))
    if not form.is_valid():
        return campaign_page(request, campaign, error=form_errors(form), status=400)
    error = attempt(
        lambda: services.campaign_set_due(
            actor=request.user, campaign=campaign, overrides=form.overrides()
        )
    )
    if error:
        return campaign_page(request, campaign, error=error, status=400)
    return _done(request, campaign, _("Đã cập nhật hạn các bước."), "#lich")


@require_POST
@refusals
def campaign_set_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    access.require_open_campaign(request.user, campaign.unit)
    form = CalendarForm(request.POST)
    if not form.is_valid():
        return campaign_page(
            request, campaign, error=form_errors(form), status=400, failed={"calendar_form": form}
        )
    d = form.cleaned_data
    error = attempt(
        lambda: services.campaign_set_calendar(
            actor=request.user,
            campaign=campaign,
            days_off=d["days_off"],
            working_days=d["working_days"],
        )
    )
    if error:
        return campaign_page(request, campaign, error=error, status=400)
    return _done(request, campaign, _("Đã cập nhật lịch làm việc."), "#lich")


@require_POST
@refusals
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    access.require_close(request.user, campaign)
    error = attempt(lambda: services.campaign_close(actor=request.user, campaign=campaign))
    if error:
        return campaign_page(request, campaign, error=error, status=400)
    return _done(request, campaign, _("Đã phê duyệt kết quả đợt rà soát."), "")


def _consolidate(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form] | None,
    write: Callable[[CommuneReview, dict[str, Any]], object],
    message: str,
) -> HttpResponse:
    review = review_or_404(request, pk)
    campaign = review.campaign
    access.require_consolidate(request.user, campaign)
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return campaign_page(request, campaign, error=form_errors(form), status=400)
        data = form.cleaned_data
    error = attempt(lambda: write(review, data))
    if error:
        return campaign_page(request, campaign, error=f"{review.commune.name}: {error}", status=400)
    return _done(request, campaign, message, "#ket-qua")


@require_POST
@refusals
def commune_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _consolidate(
        request,
        pk,
        None,
        lambda r, d: services.commune_accept(actor=request.user, review=r),
        _("Đã chấp nhận và khóa kết quả của xã."),
    )


@require_POST
@refusals
def commune_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _consolidate(
        request,
        pk,
        CommentForm,
        lambda r, d: services.commune_return(actor=request.user, review=r, comment=d["comment"]),
        _("Đã trả lại kết quả cho xã."),
    )


@require_POST
@refusals
def commune_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _consolidate(
        request,
        pk,
        ReasonForm,
        lambda r, d: services.commune_unlock(actor=request.user, review=r, reason=d["reason"]),
        _("Đã mở khóa kết quả của xã."),
    )


urlpatterns = [
    path("", campaign_list, name="campaigns"),
    path("mo/", campaign_open, name="campaign_open"),
    path("<int:pk>/", campaign_detail, name="campaign"),
    path("<int:pk>/han/", campaign_set_due, name="campaign_set_due"),
    path("<int:pk>/lich/", campaign_set_calendar, name="campaign_set_calendar"),
    path("<int:pk>/phe-duyet/", campaign_close, name="campaign_close"),
    path("xa/<int:pk>/chap-nhan/", commune_accept, name="commune_accept"),
    path("xa/<int:pk>/tra-lai/", commune_return, name="commune_return"),
    path("xa/<int:pk>/mo-khoa/", commune_unlock, name="commune_unlock"),
]
