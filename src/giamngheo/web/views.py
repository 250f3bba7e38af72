from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from giamngheo.accounts.access import get_profile, visible_units
from giamngheo.geo.models import Level


def home(request: HttpRequest) -> HttpResponse:
    """Greeting, the user's unit and quick links."""
    profile = get_profile(request.user)
    units = visible_units(request.user)
    context = {
        "profile": profile,
        "commune_count": units.filter(level=Level.COMMUNE).count(),
        "village_count": units.filter(level=Level.VILLAGE).count(),
    }
    return render(request, "home.html", context)
