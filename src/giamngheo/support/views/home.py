"""The support section's front page: each part with what it answers, and a few figures of the
user's scope (projects, supports delivered this year, loans outstanding, overdue tasks)."""

from __future__ import annotations

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from giamngheo.accounts.access import unit_scope_q
from giamngheo.support.access import visible_projects
from giamngheo.support.models import Loan, Support, SupportState
from giamngheo.support.selectors.facts import today
from giamngheo.support.selectors.organisations import overdue_q, tasks_visible


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    on = today()
    year = on.year
    delivered = Support.objects.filter(
        unit_scope_q(request.user, "household__commune"),
        year=year,
        state__in=(SupportState.DELIVERED, SupportState.SETTLED),
    )
    loans = Loan.objects.filter(unit_scope_q(request.user, "household__commune"))
    context = {
        "year": year,
        "project_count": visible_projects(request.user).count(),
        "delivered_count": delivered.count(),
        "delivered_value": delivered.aggregate(v=Sum("value"))["v"] or 0,
        "outstanding": loans.aggregate(v=Sum("outstanding"))["v"] or 0,
        "overdue_tasks": tasks_visible(request.user).filter(overdue_q(on)).count(),
    }
    return render(request, "support/home.html", context)


urlpatterns = [path("", home_view, name="home")]
