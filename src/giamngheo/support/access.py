"""Who may see and change what in support and money.

The unit rules are the accounts app's (a user sees its unit and below; officers change them).
Organisations add one thing: a user who belongs to an organisation (``Membership``) runs that
organisation's projects in the communes it serves, and reports on its tasks.

**Roles.** Only the ``department`` role and the officers (``MEMBER_ROLES``) may belong to an
organisation (``services.organisations.member_add`` refuses the others, code
``role_cannot_join``), and only their memberships count here: a leader, approver or
collaborator made a member earlier gains nothing from it (``org_ids`` is empty for them) and
stays read-only.

**Served communes.** An organisation serves the communes listed in ``Organisation.serves``,
or, when none is listed, every commune of its unit (``serves_unit``: a village counts as its
commune; a unit above the communes is served when each of its communes is). Everything a
member does through its organisation stays inside them:

* a project is **visible** to users who see its unit, to users of any commune it covers (a
  commune sees its own projects), and to members of its lead or partner organisations when
  the organisation serves one of the project's communes;
* its **households** are visible to users who see the household's commune, and to members
  of its lead or partner organisations in the project's communes their organisation serves;
* a project is **managed** (edited, budgets, beneficiaries, approval of supports against its
  funds) by officers of its unit and by members of its lead organisation when the lead serves
  one of the project's communes, and for one household (``can_manage_project(…, household)``)
  only when it serves the household's commune; a member creates a project only in communes
  its lead serves (``can_create_project_in``);
* a commune officer records deliveries, collections, housing and escape registrations for its
  own commune's households (never approves against a project's funds);
* the rights of an organisation's kind (``member_of_kind``: finance, bank, infrastructure)
  hold only where that organisation serves: a decision's lines are changed by officers of the
  issuing unit and members of its finance organisation serving all of that unit; a commune's
  disbursements and settlements also by the commune's officers and members of a finance
  organisation serving the commune; loans are imported by officers and members of the bank's
  organisation serving the whole scope; housing is recorded by the commune's officers and
  members of the infrastructure organisation serving the commune;
* tasks: visible to the users of the units they see, to members of their lead or partner
  organisations, and to the users of a commune whose People's Committee organisation (kind
  ``commune``, attached to that commune) leads or partners them; reported by the task's
  managers, those members, and the officers of that commune (``can_report_task``).

Every function takes the request's user (possibly anonymous); refusals are the services'
(``services.common.refuse``), which pages answer with 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from giamngheo.accounts.access import (
    can_manage_unit,
    can_view_unit,
    get_profile,
    unit_scope_q,
)
from giamngheo.accounts.models import EDITING_ROLES, Role
from giamngheo.geo.models import AdminUnit, Level, descendants_q
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
    from giamngheo.registry.models import Household

_ORGS_ATTR = "_giamngheo_support_orgs"

#: The roles that may belong to an organisation (and whose memberships give rights).
MEMBER_ROLES = frozenset({Role.DEPARTMENT, *EDITING_ROLES})


def is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def may_join(user: AnyUser) -> bool:
    """Whether the user's role allows belonging to an organisation (``MEMBER_ROLES``)."""
    profile = get_profile(user)
    return profile is not None and profile.role in MEMBER_ROLES


def _is_officer(user: AnyUser) -> bool:
    profile = get_profile(user)
    return profile is not None and profile.role in EDITING_ROLES


def org_ids(user: AnyUser) -> frozenset[int]:
    """The organisations the user belongs to (cached on the user object); none for a role
    that may not belong to one (see the module docstring)."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, _ORGS_ATTR, None)
    if cached is None:
        cached = frozenset()
        if may_join(user):
            cached = frozenset(
                Membership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True)
            )
        setattr(user, _ORGS_ATTR, cached)
    return cached


def forget_orgs(user: AnyUser) -> None:
    """Drop the cached memberships (after a membership changes)."""
    if hasattr(user, _ORGS_ATTR):
        delattr(user, _ORGS_ATTR)


# --- served communes ----------------------------------------------------------------------
def _served_ids(org: Organisation) -> frozenset[int]:
    """The communes listed as served (empty: every commune of the organisation's unit)."""
    return frozenset(org.serves.values_list("pk", flat=True))


def served_q(org: Organisation, field: str = "pk") -> Q:
    """Q on a commune ``field`` ("pk": ``AdminUnit`` itself): the communes ``org`` serves."""
    served = _served_ids(org)
    if served:
        return Q(**{f"{field}__in": sorted(served)})
    inside = AdminUnit.objects.filter(descendants_q(org.unit_id)).values("pk")
    return Q(**{f"{field}__in": inside})


def serves_unit(org: Organisation, unit: AdminUnit) -> bool:
    """Whether ``org`` serves ``unit``: a commune (a village: its commune) served; a unit above
    the communes, each of its communes served."""
    if unit.level == Level.VILLAGE and unit.parent is not None:
        unit = unit.parent
    if not unit.is_descendant_of(org.unit):
        return False
    served = _served_ids(org)
    if not served:
        return True
    if unit.level == Level.COMMUNE:
        return unit.pk in served
    inside = AdminUnit.objects.filter(descendants_q(unit), level=Level.COMMUNE)
    return set(inside.values_list("pk", flat=True)) <= served


def member_of_kind(user: AnyUser, kind: str, unit: AdminUnit) -> bool:
    """Whether the user belongs to an organisation of ``kind`` attached to ``unit`` or above
    that serves ``unit`` (``serves_unit``)."""
    ids = org_ids(user)
    if not ids:
        return False
    units = {unit.pk, *(a.pk for a in unit.ancestors())}
    orgs = Organisation.objects.filter(pk__in=ids, kind=kind, unit_id__in=units)
    return any(serves_unit(org, unit) for org in orgs.select_related("unit"))


def commune_org_ids(user: AnyUser) -> frozenset[int]:
    """The People's Committee organisations (kind ``commune``) of the user's own unit."""
    profile = get_profile(user)
    if profile is None:
        return frozenset()
    found = Organisation.objects.filter(kind=OrgKind.COMMUNE, unit_id=profile.unit_id)
    return frozenset(found.values_list("pk", flat=True))


# --- projects ---------------------------------------------------------------------------
def _org_projects_q(user: AnyUser) -> Q:
    """Q on ``Project``: led or partnered by one of the user's organisations, in a commune
    that organisation serves."""
    q = Q(pk__in=[])
    for org in Organisation.objects.filter(pk__in=org_ids(user)).order_by("pk"):
        served = AdminUnit.objects.filter(served_q(org)).values("pk")
        q |= (Q(lead_id=org.pk) | Q(partners=org.pk)) & Q(communes__in=served)
    return q


def projects_q(user: AnyUser) -> Q:
    """Q on ``Project``: the projects the user may see (use with ``.distinct()``)."""
    if is_superuser(user):
        return Q()
    if get_profile(user) is None:
        return Q(pk__in=[])
    return unit_scope_q(user, "unit") | unit_scope_q(user, "communes") | _org_projects_q(user)


def visible_projects(user: AnyUser) -> QuerySet[Project]:
    return Project.objects.filter(
        pk__in=Project.objects.filter(projects_q(user)).values("pk")
    ).select_related("unit", "lead")


def can_view_project(user: AnyUser, project: Project) -> bool:
    return visible_projects(user).filter(pk=project.pk).exists()


def _project_orgs(user: AnyUser, project: Project) -> list[Organisation]:
    """The user's organisations among the project's lead and partners."""
    ids = org_ids(user)
    if not ids:
        return []
    mine = Q(pk=project.lead_id) | Q(pk__in=project.partners.values("pk"))
    return list(Organisation.objects.filter(mine, pk__in=ids).select_related("unit"))


def _serves_project(org: Organisation, project: Project) -> bool:
    """The organisation serves one of the project's communes."""
    return project.communes.filter(served_q(org)).exists()


def in_project_orgs(user: AnyUser, project: Project) -> bool:
    """A member of the project's lead or partner organisations that serves one of its
    communes."""
    return any(_serves_project(org, project) for org in _project_orgs(user, project))


def can_manage_project(user: AnyUser, project: Project, household: Household | None = None) -> bool:
    """Edit the project, its budget and beneficiaries; approve supports against its funds
    (with ``household``: for that household)."""
    if can_manage_unit(user, project.unit):
        return True
    if project.lead_id not in org_ids(user):
        return False
    lead = project.lead
    if not _serves_project(lead, project):
        return False
    return household is None or serves_unit(lead, household.commune)


def can_create_project_in(
    user: AnyUser, unit: AdminUnit, lead: Organisation, communes: Iterable[AdminUnit]
) -> bool:
    """Create a project of ``unit`` led by ``lead`` in ``communes``: officers of the unit, or
    members of the lead organisation (of that unit or above) serving every commune chosen."""
    if can_manage_unit(user, unit):
        return True
    if lead.pk not in org_ids(user) or not unit.is_descendant_of(lead.unit):
        return False
    return all(serves_unit(lead, commune) for commune in communes)


def project_households_q(user: AnyUser, project: Project, field: str = "household") -> Q:
    """Q on a model with a household FK ``field`` ("": ``Household`` itself): the project's
    households the user may see (``Q()``: all of them)."""
    if is_superuser(user) or can_view_unit(user, project.unit):
        return Q()
    commune = f"{field}__commune" if field else "commune"
    q = unit_scope_q(user, commune)
    orgs = _project_orgs(user, project)
    if orgs:
        communes = set(project.communes.values_list("pk", flat=True))
        for org in orgs:
            inside = AdminUnit.objects.filter(pk__in=communes).filter(served_q(org))
            served = set(inside.values_list("pk", flat=True))
            if communes and served == communes:
                return Q()
            if served:
                q |= Q(**{f"{commune}_id__in": sorted(served)})
    return q


def can_record_for(user: AnyUser, project: Project | None, household: Household) -> bool:
    """Record a delivery, a collection, a re-loan for one household: the project's managers
    for that household, or officers of the household's commune when the project covers it
    (or there is none)."""
    if project is not None and can_manage_project(user, project, household):
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
    """Report progress: the task's managers, members of its lead or partner organisations,
    and the officers of a commune whose People's Committee leads or partners it."""
    if can_manage_task(user, task):
        return True
    ids = org_ids(user)
    if _is_officer(user):
        ids |= commune_org_ids(user)
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
    """Record disbursements and settlements of a line: the decision's managers, or for a
    commune's line its officers and members of a finance organisation serving it."""
    if can_manage_decision(user, allocation.decision):
        return True
    commune = allocation.commune
    return commune is not None and (
        can_manage_unit(user, commune) or member_of_kind(user, OrgKind.FINANCE, commune)
    )


# --- credit and housing --------------------------------------------------------------------
def can_import_loans(user: AnyUser, scope: AdminUnit) -> bool:
    return can_manage_unit(user, scope) or member_of_kind(user, OrgKind.BANK, scope)


def can_manage_housing(user: AnyUser, household: Household) -> bool:
    return can_manage_unit(user, household.commune) or member_of_kind(
        user, OrgKind.INFRASTRUCTURE, household.commune
    )
