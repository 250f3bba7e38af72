"""The support section's front page: where each part is, with a few figures of the user's
scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from giamngheo.support.access import visible_projects


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    projects = visible_projects(request.user)
    context = {"project_count": projects.count()}
    return render(request, "support/home.html", context)


urlpatterns = [path("", home_view, name="home")]
