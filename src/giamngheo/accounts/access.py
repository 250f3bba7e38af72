"""Access rules: a user sees their unit and every unit below it; officers may also change them.

Every function takes the request's user (possibly anonymous). Superusers see and manage all.
A user without a ``UserProfile`` sees nothing. Roles and their rights: see
``giamngheo.accounts.models``.

Descendants are found with one query (the tree is at most four levels deep:
``giamngheo.geo.models.descendants_q``), so these helpers compose into any queryset;
``unit_scope_q`` is a semi-join on the unit FK (``unit_id IN (SELECT …)``), cheap on big tables::

    Plan.objects.filter(unit_scope_q(request.user, field="issuing_unit"))
    Household.objects.filter(unit_scope_q(request.user, field="village"))
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from giamngheo.accounts.models import EDITING_ROLES, UserProfile
from giamngheo.geo.models import AdminUnit, AdminUnitQuerySet, descendants_q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


_CACHE_ATTR = "_giamngheo_profile"


def get_profile(user: AnyUser) -> UserProfile | None:
    """The user's profile (cached on the user object), or None."""
    if not user.is_authenticated:
        return None
    cached: UserProfile | bool | None = getattr(user, _CACHE_ATTR, False)
    if cached is None or isinstance(cached, UserProfile):
        return cached
    profile = UserProfile.objects.select_related("unit").filter(user_id=user.pk).first()
    setattr(user, _CACHE_ATTR, profile)
    return profile


def user_unit(user: AnyUser) -> AdminUnit | None:
    """The unit the user belongs to (None for anonymous users and users without a profile)."""
    profile = get_profile(user)
    return profile.unit if profile is not None else None


def _is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def visible_units(user: AnyUser, on: dt.date | None = None) -> AdminUnitQuerySet:
    """The user's unit and all its descendants (any validity period, or valid on ``on``)."""
    qs: AdminUnitQuerySet = AdminUnit.objects.all()
    if not _is_superuser(user):
        profile = get_profile(user)
        if profile is None:
            return AdminUnit.objects.none()
        qs = qs.filter(descendants_q(profile.unit_id))
    if on is not None:
        qs = qs.valid_on(on)
    return qs


def manageable_units(user: AnyUser, on: dt.date | None = None) -> AdminUnitQuerySet:
    """Units whose data the user may change: all visible units for officers, none otherwise."""
    if _is_superuser(user):
        return visible_units(user, on)
    profile = get_profile(user)
    if profile is None or profile.role not in EDITING_ROLES:
        return AdminUnit.objects.none()
    return visible_units(user, on)


def _within(user: AnyUser, unit: AdminUnit) -> bool:
    profile = get_profile(user)
    if profile is None:
        return False
    return unit.pk == profile.unit_id or any(a.pk == profile.unit_id for a in unit.ancestors())


def can_view_unit(user: AnyUser, unit: AdminUnit) -> bool:
    """True when ``unit`` is the user's unit or below it (superusers: always)."""
    return _is_superuser(user) or _within(user, unit)


def can_manage_unit(user: AnyUser, unit: AdminUnit) -> bool:
    """True when the user may change data of ``unit``: an officer of that unit or an ancestor
    (superusers: always). Leaders, departments and collaborators are read-only."""
    if _is_superuser(user):
        return True
    profile = get_profile(user)
    return profile is not None and profile.role in EDITING_ROLES and _within(user, unit)


def can_view_national_id(user: AnyUser) -> bool:
    """Whether the registry may show national ID numbers to this user."""
    if _is_superuser(user):
        return True
    profile = get_profile(user)
    return profile is not None and profile.can_view_national_id


def unit_scope_q(user: AnyUser, field: str = "unit") -> Q:
    """Q restricting any queryset by its unit FK ``field`` to the units the user can see.

    ``field`` may span relations (``"plan__unit"``). Superusers: no restriction; users without
    a profile: nothing (``Q(pk__in=[])``)."""
    if _is_superuser(user):
        return Q()
    profile = get_profile(user)
    if profile is None:
        return Q(pk__in=[])
    return _in_scope(profile.unit_id, field)


def manage_scope_q(user: AnyUser, field: str = "unit") -> Q:
    """Like ``unit_scope_q`` but for the units the user may change."""
    if _is_superuser(user):
        return Q()
    profile = get_profile(user)
    if profile is None or profile.role not in EDITING_ROLES:
        return Q(pk__in=[])
    return _in_scope(profile.unit_id, field)


def _in_scope(unit_id: int, field: str) -> Q:
    # A semi-join on the (indexed) FK: ``field IN (SELECT id FROM geo_adminunit WHERE …)``.
    # On a large table (households) the database then uses the FK index, where OR-ed joins
    # through three parent hops would force a scan.
    scope = AdminUnit.objects.filter(descendants_q(unit_id)).values("pk")
    return Q(**{f"{field}__in": scope})
