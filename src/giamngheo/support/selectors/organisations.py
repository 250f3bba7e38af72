"""Reads of organisations and the plan's tasks, scoped by ``support.access``.

* organisations a user may see: ``access.organisations_q`` (its units and below, the units
  above its own, and the organisations it belongs to);
* tasks a user may see: the tasks of the units it sees, plus the tasks whose lead or partner
  organisations include one of its own (a member of a district office sees that office's
  tasks whatever its own unit) or its own commune's People's Committee (a commune's users see
  the district's duties where "UBND xã" is a partner; its officers report them:
  ``access.can_report_task``);
* "who has done what": per lead organisation, its visible tasks by status and how many are
  overdue (a due date before today and neither done nor cancelled);
* ``today()``: ``settings.GIAMNGHEO_TODAY`` when set (the demo, training), else the real date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Q, QuerySet, Value, When

from giamngheo.accounts.access import unit_scope_q
from giamngheo.geo.models import LEVEL_DEPTH
from giamngheo.support import access
from giamngheo.support.models import (
    Membership,
    Organisation,
    Project,
    Task,
    TaskStatus,
    TaskUpdate,
)
from giamngheo.support.selectors.facts import today

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from giamngheo.accounts.access import AnyUser

#: Statuses that close a task (never overdue).
CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)


# --- organisations ---------------------------------------------------------------------------
#: Higher units first (a province's departments, a district's offices, then the communes).
LEVEL_ORDER = Case(
    *(When(unit__level=level, then=Value(depth)) for level, depth in LEVEL_DEPTH.items()),
    default=Value(9),
)


def organisations_visible(user: AnyUser) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(access.organisations_q(user))
        .select_related("unit")
        .order_by(LEVEL_ORDER, "unit__name_key", "unit_id", "name", "pk")
    )


def organisation_visible(user: AnyUser, pk: int) -> Organisation | None:
    """The organisation if the user may open it, else None (the page answers 404)."""
    return organisations_visible(user).filter(pk=pk).first()


def organisation_members(org: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=org)
        .select_related("user", "user__profile__unit")
        .order_by("user__username", "pk")
    )


def organisation_projects(user: AnyUser, org: Organisation) -> QuerySet[Project]:
    """The organisation's projects (as lead or partner) the user may see."""
    return (
        access.visible_projects(user)
        .filter(pk__in=Project.objects.filter(Q(lead=org) | Q(partners=org)).values("pk"))
        .order_by("-year", "name", "pk")
    )


def member_counts(orgs: QuerySet[Organisation]) -> dict[int, int]:
    rows = (
        Membership.objects.filter(organisation__in=orgs.values("pk"))
        .values("organisation_id")
        .annotate(n=Count("pk"))
    )
    return {r["organisation_id"]: r["n"] for r in rows}


# --- tasks -----------------------------------------------------------------------------------
def tasks_q(user: AnyUser) -> Q:
    """Q on ``Task``: the tasks the user may see (use through ``tasks_visible``)."""
    if access.is_superuser(user):
        return Q()
    ids = access.org_ids(user) | access.commune_org_ids(user)
    return unit_scope_q(user, "unit") | Q(lead_id__in=ids) | Q(partners__in=ids)


def tasks_visible(user: AnyUser) -> QuerySet[Task]:
    return (
        Task.objects.filter(pk__in=Task.objects.filter(tasks_q(user)).values("pk"))
        .select_related("unit", "lead", "plan")
        .order_by("plan_id", "number", "unit__name_key", "pk")
    )


def task_visible(user: AnyUser, pk: int) -> Task | None:
    """The task if the user may open it, else None (the page answers 404)."""
    return tasks_visible(user).filter(pk=pk).first()


def overdue_q(on: dt.date) -> Q:
    """Q on ``Task``: due before ``on`` and neither done nor cancelled."""
    return Q(due_date__lt=on) & ~Q(status__in=CLOSED)


def is_overdue(task: Task, on: dt.date) -> bool:
    return task.due_date is not None and task.due_date < on and task.status not in CLOSED


def filter_tasks(
    tasks: QuerySet[Task],
    *,
    org: int | None = None,
    status: str = "",
    overdue: bool = False,
    on: dt.date | None = None,
    plan: int | None = None,
) -> QuerySet[Task]:
    """The list's filters: an organisation (lead or partner), a status, overdue only, a
    plan."""
    if org is not None:
        tasks = tasks.filter(
            pk__in=Task.objects.filter(Q(lead_id=org) | Q(partners=org)).values("pk")
        )
    if status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(overdue_q(on or today()))
    if plan is not None:
        tasks = tasks.filter(plan_id=plan)
    return tasks


def organisation_tasks(user: AnyUser, org: Organisation) -> QuerySet[Task]:
    return filter_tasks(tasks_visible(user), org=org.pk)


def task_updates(task: Task) -> QuerySet[TaskUpdate]:
    return TaskUpdate.objects.filter(task=task).select_related("by").order_by("-at", "-pk")


def task_partners(tasks: QuerySet[Task]) -> dict[int, list[Organisation]]:
    """Each task's partners in one query (task pk → organisations by name)."""
    through = Task.partners.through.objects.filter(task_id__in=tasks.values("pk"))
    pairs = list(through.values_list("task_id", "organisation_id"))
    orgs = Organisation.objects.in_bulk({o for _, o in pairs})
    out: dict[int, list[Organisation]] = {}
    for task_id, org_id in pairs:
        out.setdefault(task_id, []).append(orgs[org_id])
    for found in out.values():
        found.sort(key=lambda o: o.name)
    return out


# --- who has done what -------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgTally:
    """One organisation's tasks (as lead) by status, and how many are overdue."""

    organisation: Organisation
    total: int
    todo: int
    in_progress: int
    done: int
    cancelled: int
    overdue: int


def org_tallies(user: AnyUser, on: dt.date | None = None) -> list[OrgTally]:
    """Per lead organisation of the user's visible tasks: counts by status and overdue, the
    organisations with most overdue first, then by name."""
    on = on or today()
    rows = (
        Task.objects.filter(pk__in=tasks_visible(user).values("pk"))
        .values("lead_id")
        .annotate(
            total=Count("pk"),
            todo=Count("pk", filter=Q(status=TaskStatus.TODO)),
            in_progress=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS)),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            cancelled=Count("pk", filter=Q(status=TaskStatus.CANCELLED)),
            overdue=Count("pk", filter=overdue_q(on)),
        )
        .order_by()
    )
    orgs = Organisation.objects.select_related("unit").in_bulk({r["lead_id"] for r in rows})
    tallies = [
        OrgTally(
            organisation=orgs[r["lead_id"]],
            total=r["total"],
            todo=r["todo"],
            in_progress=r["in_progress"],
            done=r["done"],
            cancelled=r["cancelled"],
            overdue=r["overdue"],
        )
        for r in rows
    ]
    tallies.sort(
        key=lambda t: (
            -t.overdue,
            LEVEL_DEPTH.get(t.organisation.unit.level, 9),
            t.organisation.unit.name_key,
            t.organisation.name,
        )
    )
    return tallies


def user_by_name(username: str) -> User | None:
    """The user with this login name (the member form), or None."""
    found: User | None = get_user_model().objects.filter(username=username.strip()).first()
    return found
