"""``{% load giamngheo_accounts %}{% current_unit as unit %}`` — the request user's unit, for
the page header (no context processor needed, so any view's template gets it)."""

from __future__ import annotations

from django import template

from giamngheo.accounts.access import get_profile
from giamngheo.accounts.models import UserProfile

register = template.Library()


@register.simple_tag(takes_context=True)
def current_profile(context: template.Context) -> UserProfile | None:
    """The request user's ``UserProfile`` (or None)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return None
    return get_profile(user)
