"""Who may see and change what in support and money.

The unit rules are the accounts app's (a user sees its unit and below; officers change them).
Organisations add one thing: a user who belongs to an organisation (``Membership``; usually
the ``department`` role, read-only elsewhere) runs that organisation's projects across the
communes it serves, and reports on its tasks. So:

* a project is **visible** to users who see its unit, to users of any commune it covers (a
  commune sees its own projects), and to members of its lead or partner organisations;
* its **households** are visible to users who see the household's commune, and to members
  of its lead or partner organisations (inside the project's communes);
* a project is **managed** (edited, budgets, beneficiaries, approval of supports against its
  funds) by officers of its unit and members of its lead organisation;
* a commune officer records deliveries, collections, housing and escape registrations for its
  own commune's households (never approves against a project's funds);
* money: a decision's lines are changed by officers of the issuing unit and members of its
  finance organisation; a commune's disbursements and settlements also by the commune's
  officers; loans are imported by officers and members of the bank's organisation.

Every function takes the request's user (possibly anonymous); refusals are the services'
(``services.common.refuse``), which pages answer with 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from giamngheo.accounts.access import (
    can_manage_unit,
    can_view_unit,
    get_profile,
    unit_scope_q,
)
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Membership,
    Organisation,
    OrgKind,
    Project,
    Task,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.geo.models import AdminUnit
    from giamngheo.registry.models import Household

_ORGS_ATTR = "_giamngheo_support_orgs"


def is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def org_ids(user: AnyUser) -> frozenset[int]:
    """The organisations the user belongs to (cached on the user object)."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, _ORGS_ATTR, None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True)
        )
        setattr(user, _ORGS_ATTR, cached)
    return cached


def forget_orgs(user: AnyUser) -> None:
    """Drop the cached memberships (after a membership changes)."""
    if hasattr(user, _ORGS_ATTR):
        delattr(user, _ORGS_ATTR)


def member_of_kind(user: AnyUser, kind: str, unit: AdminUnit) -> bool:
    """Whether the user belongs to an organisation of ``kind`` attached to ``unit`` or above."""
    ids = org_ids(user)
    if not ids:
        return False
    units = {unit.pk, *(a.pk for a in unit.ancestors())}
    return Organisation.objects.filter(pk__in=ids, kind=kind, unit_id__in=units).exists()


# --- projects ---------------------------------------------------------------------------
def projects_q(user: AnyUser) -> Q:
    """Q on ``Project``: the projects the user may see (use with ``.distinct()``)."""
    if is_superuser(user):
        return Q()
    if get_profile(user) is None and not org_ids(user):
        return Q(pk__in=[])
    ids = org_ids(user)
    return (
        unit_scope_q(user, "unit")
        | unit_scope_q(user, "communes")
        | Q(lead_id__in=ids)
        | Q(partners__in=ids)
    )


def visible_projects(user: AnyUser) -> QuerySet[Project]:
    return Project.objects.filter(
        pk__in=Project.objects.filter(projects_q(user)).values("pk")
    ).select_related("unit", "lead")


def can_view_project(user: AnyUser, project: Project) -> bool:
    return visible_projects(user).filter(pk=project.pk).exists()


def in_project_orgs(user: AnyUser, project: Project) -> bool:
    ids = org_ids(user)
    if not ids:
        return False
    return project.lead_id in ids or project.partners.filter(pk__in=ids).exists()


def can_manage_project(user: AnyUser, project: Project) -> bool:
    """Edit the project, its budget and beneficiaries; approve supports against its funds."""
    return can_manage_unit(user, project.unit) or project.lead_id in org_ids(user)


def project_households_q(user: AnyUser, project: Project, field: str = "household") -> Q:
    """Q on a model with a household FK: the project's households the user may see."""
    if is_superuser(user) or in_project_orgs(user, project) or can_view_unit(user, project.unit):
        return Q()
    return unit_scope_q(user, f"{field}__commune")


def can_record_for(user: AnyUser, project: Project | None, household: Household) -> bool:
    """Record a delivery, a collection, a re-loan for one household: the project's managers,
    or officers of the household's commune when the project covers it (or there is none)."""
    if project is not None and can_manage_project(user, project):
        return True
    if not can_manage_unit(user, household.commune):
        return False
    return project is None or project.communes.filter(pk=household.commune_id).exists()


# --- organisations and tasks --------------------------------------------------------------
def organisations_q(user: AnyUser) -> Q:
    if is_superuser(user):
        return Q()
    return unit_scope_q(user, "unit") | Q(pk__in=org_ids(user)) | _above_q(user)


def _above_q(user: AnyUser) -> Q:
    """Organisations of the units above the user's (a commune sees the district's offices)."""
    profile = get_profile(user)
    if profile is None:
        return Q(pk__in=[])
    return Q(unit_id__in=[a.pk for a in profile.unit.ancestors()])


def can_manage_org(user: AnyUser, org: Organisation) -> bool:
    return can_manage_unit(user, org.unit)


def can_manage_task(user: AnyUser, task: Task) -> bool:
    return can_manage_unit(user, task.unit)


def can_report_task(user: AnyUser, task: Task) -> bool:
    """Report progress: the task's managers and members of its lead or partner organisations."""
    if can_manage_task(user, task):
        return True
    ids = org_ids(user)
    return bool(ids) and (task.lead_id in ids or task.partners.filter(pk__in=ids).exists())


# --- money ---------------------------------------------------------------------------------
def decisions_q(user: AnyUser) -> Q:
    """Decisions the user may see: of its units and above-and-covering its commune lines."""
    if is_superuser(user):
        return Q()
    return unit_scope_q(user, "unit") | Q(
        pk__in=Allocation.objects.filter(unit_scope_q(user, "commune")).values("decision_id")
    )


def can_manage_decision(user: AnyUser, decision: AllocationDecision) -> bool:
    return can_manage_unit(user, decision.unit) or member_of_kind(
        user, OrgKind.FINANCE, decision.unit
    )


def can_spend(user: AnyUser, allocation: Allocation) -> bool:
    """Record disbursements and settlements of a line: the decision's managers, or officers
    of the line's commune."""
    if can_manage_decision(user, allocation.decision):
        return True
    return allocation.commune is not None and can_manage_unit(user, allocation.commune)


# --- credit and housing --------------------------------------------------------------------
def can_import_loans(user: AnyUser, scope: AdminUnit) -> bool:
    return can_manage_unit(user, scope) or member_of_kind(user, OrgKind.BANK, scope)


def can_manage_housing(user: AnyUser, household: Household) -> bool:
    return can_manage_unit(user, household.commune) or member_of_kind(
        user, OrgKind.INFRASTRUCTURE, household.commune
    )
