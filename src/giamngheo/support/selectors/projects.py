"""Reads of projects, their beneficiaries, the support ledger and revolving capital.

Every read is scoped by ``support.access``: a project is visible to users who see its unit,
to users of the communes it covers and to members of its organisations; inside it, the
households (beneficiaries, supports, capital) are those ``access.project_households_q``
lets the user see (a commune officer sees its own commune's households of a district project).

Money is whole đồng. A project's **committed** funds by source are the values of its supports
in ``COMMITTED_STATES`` (approved, delivered, settled) that are not re-loans of recovered
capital (``relent_from``): re-lent money comes from the pool of collections, not the budget.
The **pool** is what was collected from the project's households less what was re-lent
(planned re-loans included, so two re-loans cannot promise the same đồng).

``household_facts`` (``selectors.facts``) is what the eligibility rules know of a household
on a day; ``supports_received`` is the year's ledger as plain tuples for
the lists of hundreds of thousands of households, dated (and ``Support.year``) by delivery.
The project page reads ``PAGE_SIZE`` rows a page, their households and projects joined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from giamngheo.accounts.access import unit_scope_q
from giamngheo.core.support.eligibility import (
    Eligibility,
    check,
    get_rule,
)
from giamngheo.core.support.funds import FundBalance, balances
from giamngheo.core.support.revolving import (
    Collection as CoreCollection,
)
from giamngheo.core.support.revolving import (
    Instalment,
    PoolPosition,
    RecoverySummary,
    pool_position,
    position,
)
from giamngheo.core.text import fold
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
)
from giamngheo.support.access import (
    is_superuser,
    org_ids,
    project_households_q,
    visible_projects,
)
from giamngheo.support.models import (
    COMMITTED_STATES,
    Allocation,
    Beneficiary,
    Collection,
    Disbursement,
    Project,
    ProjectBudget,
    Recovery,
    Support,
    SupportState,
)
from giamngheo.support.selectors.facts import (
    RECEIVED_STATES,
    household_facts,
    today,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.geo.models import AdminUnit
    from giamngheo.support.models import Organisation

#: States that no longer count (refused or withdrawn).
CLOSED_STATES = (SupportState.REJECTED, SupportState.CANCELLED)
#: Rows of the project page's tables per page.
PAGE_SIZE = 100


# --- projects --------------------------------------------------------------------------------
def projects_visible(
    actor: AnyUser,
    *,
    year: int | None = None,
    commune: AdminUnit | None = None,
    kind: str = "",
    organisation: Organisation | None = None,
    status: str = "",
    search: str = "",
) -> QuerySet[Project]:
    """The projects the actor may see, filtered; ``search`` matches any part of the name,
    ignoring case and diacritics (``core.text.fold``)."""
    qs = visible_projects(actor)
    if year is not None:
        qs = qs.filter(year=year)
    if commune is not None:
        qs = qs.filter(communes=commune)
    if kind:
        qs = qs.filter(kind=kind)
    if organisation is not None:
        qs = qs.filter(Q(lead=organisation) | Q(partners=organisation))
    if status:
        qs = qs.filter(status=status)
    if search.strip():
        # Projects are few (hundreds in a province): fold the names here rather than keep a
        # folded column.
        key = fold(search)
        names = qs.values_list("pk", "name")
        qs = qs.filter(pk__in=[pk for pk, name in names if key in fold(name)])
    return qs.distinct().order_by("-year", "name", "pk")


def project_get(actor: AnyUser, pk: int) -> Project:
    """The project if the actor may see it (``Project.DoesNotExist`` otherwise)."""
    return visible_projects(actor).select_related("unit", "lead").get(pk=pk)


def budget_by_source(project: Project) -> dict[str, int]:
    return dict(ProjectBudget.objects.filter(project=project).values_list("source", "amount"))


def budget_totals(project_ids: Sequence[int]) -> dict[int, int]:
    """Each project's budget over all sources (one query for a list page)."""
    rows = (
        ProjectBudget.objects.filter(project_id__in=list(project_ids))
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    return {pk: int(total or 0) for pk, total in rows}


def committed_by_source(project: Project) -> dict[str, int]:
    """Values of the approved, delivered and settled supports by source (re-loans apart)."""
    rows = (
        Support.objects.filter(
            project=project, state__in=COMMITTED_STATES, relent_from__isnull=True
        )
        .values("source")
        .annotate(total=Sum("value"))
        .values_list("source", "total")
    )
    return {source: int(total or 0) for source, total in rows}


def fund_balances(project: Project) -> list[FundBalance]:
    """Budget, committed and remaining by source, in the sources' order."""
    return list(balances(budget_by_source(project), committed_by_source(project)).values())


def pool_totals(project: Project) -> tuple[int, int]:
    """(collected from the project's households, re-lent or promised to re-lend)."""
    collected = Collection.objects.filter(recovery__support__project=project).aggregate(
        total=Sum("amount")
    )["total"]
    relent = (
        Support.objects.filter(relent_from__support__project=project)
        .exclude(state__in=CLOSED_STATES)
        .aggregate(total=Sum("value"))["total"]
    )
    return int(collected or 0), int(relent or 0)


def pool(project: Project) -> PoolPosition:
    return pool_position(*pool_totals(project))


def relend_source(project: Project) -> Recovery | None:
    """The recovery a new re-loan is recorded against: the oldest whose collections are not
    yet all re-lent (the limit itself is the project's whole pool), else the oldest."""
    recoveries = list(
        Recovery.objects.filter(support__project=project)
        .annotate(collected=Sum("collections__amount"))
        .order_by("pk")
    )
    if not recoveries:
        return None
    relent: dict[int, int] = defaultdict(int)
    rows = (
        Support.objects.filter(relent_from__in=recoveries)
        .exclude(state__in=CLOSED_STATES)
        .values_list("relent_from_id", "value")
    )
    for rid, value in rows:
        relent[rid] += value
    for r in recoveries:
        if int(r.collected or 0) > relent[r.pk]:
            return r
    return recoveries[0]


def eligibility_of(project: Project, household: Household, on: date) -> Eligibility:
    """The project's rule applied to the household on ``on`` (``UnknownRule`` when the
    project's rule id is no longer in the data)."""
    return check(get_rule(project.eligibility_rule), household_facts(household, on), on)


def covers(project: Project, household: Household) -> bool:
    """Whether the household lives in one of the project's communes (and villages, if set)."""
    if not project.communes.filter(pk=household.commune_id).exists():
        return False
    villages = set(
        project.villages.filter(parent_id=household.commune_id).values_list("pk", flat=True)
    )
    return not villages or household.village_id in villages


def candidates(actor: AnyUser, project: Project, search: str, limit: int = 30) -> list[Household]:
    """Households of the project's communes (and villages) the actor may see, matching a
    code (exact or prefix) or the head's name (any word's start, diacritics ignored)."""
    text = search.strip()
    if not text:
        return []
    qs = Household.objects.filter(
        commune__in=project.communes.all(), status=HouseholdStatus.ACTIVE
    ).filter(_household_scope_q(actor, project))
    villages = list(project.villages.values_list("pk", "parent_id"))
    if villages:
        with_villages = {parent for _, parent in villages}
        qs = qs.filter(
            ~Q(commune_id__in=with_villages) | Q(village_id__in=[pk for pk, _ in villages])
        )
    key = fold(text)
    qs = qs.filter(
        Q(code__iexact=text)
        | Q(code__istartswith=text)
        | Q(head_name_key__startswith=key)
        | Q(head_name_key__contains=f" {key}")
    )
    return list(qs.select_related("commune", "village").order_by("commune_id", "code")[:limit])


def candidate_get(actor: AnyUser, project: Project, pk: int) -> Household | None:
    """One household the actor may choose for the project (its communes and villages)."""
    household = (
        Household.objects.filter(pk=pk, commune__in=project.communes.all())
        .filter(_household_scope_q(actor, project))
        .select_related("commune", "village")
        .first()
    )
    return household if household is not None and covers(project, household) else None


def _household_scope_q(actor: AnyUser, project: Project) -> Q:
    """``project_households_q`` on the household table itself."""
    return project_households_q(actor, project, "")


# --- inside a project ------------------------------------------------------------------------
def beneficiaries(actor: AnyUser, project: Project) -> QuerySet[Beneficiary]:
    return (
        Beneficiary.objects.filter(project=project)
        .filter(project_households_q(actor, project))
        .select_related("household__commune", "household__village")
        .order_by("household__commune_id", "household__code", "pk")
    )


#: A ledger row's joins: the rights read the commune and the project's unit; a house hides actions.
_LEDGER_JOINS = ("household__commune", "project__unit", "housing")


def project_supports(actor: AnyUser, project: Project) -> QuerySet[Support]:
    return (
        Support.objects.filter(project=project)
        .filter(project_households_q(actor, project))
        .select_related(*_LEDGER_JOINS)
        .order_by("-on", "pk")
    )


@dataclass(frozen=True)
class StateLine:
    state: str
    label: str
    count: int
    value: int


def supports_by_state(actor: AnyUser, project: Project) -> list[StateLine]:
    """Count and value of the visible supports of each state, in the states' order."""
    rows = (
        project_supports(actor, project)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), total=Sum("value"))
        .values_list("state", "n", "total")
    )
    found = {state: (int(n or 0), int(total or 0)) for state, n, total in rows}
    return [
        StateLine(s.value, str(s.label), *found[s.value]) for s in SupportState if s.value in found
    ]


# --- revolving capital -----------------------------------------------------------------------
@dataclass(frozen=True)
class CapitalRow:
    """One household's capital to recover, as of a day."""

    recovery: Recovery
    household: Household
    amount: int
    due: int
    collected: int
    outstanding: int
    overdue: int
    overdue_since: date | None
    days_overdue: int
    next_due: date | None
    next_amount: int
    paid_off: bool


def schedule_of(recovery: Recovery) -> list[Instalment]:
    return [Instalment(date.fromisoformat(i["due"]), int(i["amount"])) for i in recovery.schedule]


def _capital_row(recovery: Recovery, on: date) -> CapitalRow:
    schedule = schedule_of(recovery)
    collections = [CoreCollection(c.on, c.amount) for c in recovery.collections.all()]
    where = position(schedule, collections, on)
    paid_total = sum(c.amount for c in collections)
    covered, next_due, next_amount = 0, None, 0
    for instalment in sorted(schedule, key=lambda i: i.due):
        covered += instalment.amount
        if instalment.due > on and covered > paid_total:
            next_due, next_amount = instalment.due, min(instalment.amount, covered - paid_total)
            break
    return CapitalRow(
        recovery=recovery,
        household=recovery.support.household,
        amount=where.amount,
        due=where.due,
        collected=where.collected,
        outstanding=where.outstanding,
        overdue=where.overdue,
        overdue_since=where.overdue_since,
        days_overdue=where.days_overdue,
        next_due=next_due,
        next_amount=next_amount,
        paid_off=where.paid_off,
    )


def _recoveries(qs: QuerySet[Recovery]) -> QuerySet[Recovery]:
    return qs.select_related(
        "support__household__commune", "support__household__village", "support__project"
    ).prefetch_related("collections")


def capital_rows(actor: AnyUser, project: Project, on: date) -> list[CapitalRow]:
    """The visible households' capital of a revolving project on ``on``."""
    qs = Recovery.objects.filter(support__project=project).filter(
        project_households_q(actor, project, "support__household")
    )
    rows = [_capital_row(r, on) for r in _recoveries(qs)]
    return sorted(rows, key=lambda r: (r.household.commune_id, r.household.code, r.recovery.pk))


def capital_summary(rows: Sequence[CapitalRow]) -> RecoverySummary:
    return RecoverySummary(
        households=len({r.household.pk for r in rows}),
        amount=sum(r.amount for r in rows),
        due=sum(r.due for r in rows),
        collected=sum(r.collected for r in rows),
        outstanding=sum(r.outstanding for r in rows),
        overdue=sum(r.overdue for r in rows),
        households_overdue=len({r.household.pk for r in rows if r.overdue}),
        households_paid_off=sum(1 for r in rows if r.paid_off),
    )


# --- the project page ------------------------------------------------------------------------
def allocated_by_source(project: Project) -> dict[str, tuple[int, int]]:
    """(allocated, disbursed) by source on the decisions' lines for ``project``: one query
    (each line's disbursements summed in a subquery, so no line counts twice)."""
    lines = Disbursement.objects.filter(allocation=OuterRef("pk")).order_by().values("allocation")
    paid = lines.annotate(total=Sum("amount")).values("total")
    rows = (
        Allocation.objects.filter(project=project)
        .annotate(paid=Coalesce(Subquery(paid), 0))
        .order_by()
        .values("source")
        .annotate(allocated=Sum("amount"), disbursed=Sum("paid"))
        .values_list("source", "allocated", "disbursed")
    )
    return {src: (int(a or 0), int(d or 0)) for src, a, d in rows}


@dataclass(frozen=True)
class Paged:
    """One page of a table: its rows, the page number, the number of pages, all the rows."""

    rows: list[Any]
    page: int
    pages: int
    total: int


def paged(qs: QuerySet[Any], page: int | None) -> Paged:
    """Page ``page`` (from 1, clamped) of ``qs``: a count and one slice."""
    total = qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, page or 1), pages)
    rows = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if total else []
    return Paged(rows, number, pages, total)


@dataclass(frozen=True)
class ProjectPage:
    project: Project
    balances: list[FundBalance]
    budget_total: int
    committed_total: int
    allocations: dict[str, tuple[int, int]]
    outputs: list[object]
    beneficiaries: Paged
    supports: Paged
    states: list[StateLine]
    capital: list[CapitalRow]
    capital_total: RecoverySummary | None
    pool: PoolPosition | None
    sees_all: bool


def project_page(
    actor: AnyUser,
    project: Project,
    on: date,
    *,
    page_ho: int | None = None,
    page_ht: int | None = None,
) -> ProjectPage:
    """Everything the project's page shows, for this actor, as of ``on``: page ``page_ho`` of
    the beneficiaries and ``page_ht`` of the supports. Totals of money (budget, committed,
    allocated) are the project's; households are the visible ones."""
    found = fund_balances(project)
    capital = capital_rows(actor, project, on) if project.revolving else []
    return ProjectPage(
        project=project,
        balances=found,
        budget_total=sum(b.budget for b in found),
        committed_total=sum(b.committed for b in found),
        allocations=allocated_by_source(project),
        outputs=list(project.outputs.all()),
        beneficiaries=paged(beneficiaries(actor, project), page_ho),
        supports=paged(project_supports(actor, project), page_ht),
        states=supports_by_state(actor, project),
        capital=capital,
        capital_total=capital_summary(capital) if project.revolving else None,
        pool=pool(project) if project.revolving else None,
        sees_all=not project_households_q(actor, project),
    )


# --- a household's supports (the household page's panel) ------------------------------------
def _household_supports_q(actor: AnyUser) -> Q:
    """Supports the actor may see: of households of its units, and of its organisations'
    projects."""
    if is_superuser(actor):
        return Q()
    ids = org_ids(actor)
    q = unit_scope_q(actor, "household__commune")
    if ids:
        q |= Q(project__lead_id__in=ids) | Q(project__partners__in=ids)
    return q


def household_supports(actor: AnyUser, household: Household) -> list[Support]:
    """The household's ledger, newest first, as far as the actor may see it."""
    qs = Support.objects.filter(household=household).filter(_household_supports_q(actor))
    return list(
        Support.objects.filter(pk__in=qs.values("pk"))
        .select_related(*_LEDGER_JOINS, "recovery")
        .order_by("-on", "-pk")
    )


def support_get(actor: AnyUser, pk: int) -> Support:
    """One support of the ledger if the actor may see it (``Support.DoesNotExist`` otherwise)."""
    visible = Support.objects.filter(pk=pk).filter(_household_supports_q(actor))
    return Support.objects.select_related("household__commune", "project__unit").get(
        pk__in=visible.values("pk")
    )


def household_recoveries(
    actor: AnyUser, household: Household, on: date | None = None
) -> list[CapitalRow]:
    """The household's capital to recover from revolving models, as of ``on`` (today)."""
    visible = Support.objects.filter(household=household).filter(_household_supports_q(actor))
    qs = Recovery.objects.filter(support__in=visible.values("pk"))
    return [_capital_row(r, on or today()) for r in _recoveries(qs).order_by("pk")]


# --- the year's ledger for the long lists ----------------------------------------------------
def supports_received(
    year: int, commune_ids: Sequence[int]
) -> Iterator[tuple[int, str, date, int]]:
    """(household id, support type, date received, value) of every delivered or settled
    support of ``year`` (the delivery's year) in the communes: plain tuples, streamed, no model
    instances. The date is the delivery's (the planned date when none was recorded)."""
    qs = (
        Support.objects.filter(
            year=year, state__in=RECEIVED_STATES, household__commune_id__in=list(commune_ids)
        )
        .annotate(received=Coalesce("delivered_on", "on"))
        .order_by()
        .values_list("household_id", "support_type", "received", "value")
    )
    return qs.iterator(chunk_size=5000)
