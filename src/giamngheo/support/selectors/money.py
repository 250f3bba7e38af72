"""Money reads: what each commune was allocated, disbursed and settled in a budget year (for
the plan page), the decisions a user may see, a decision's lines with their sums, the chain
lines and findings at three levels (``core.support.funds.check_chain``) and the report's money
entries (``core.support.money_report.MoneyEntry`` for ``money_tables``).

Scope: a line is visible to users who see the decision's issuing unit (they see every line
and the totals) and to users of the line's commune (they see that commune's lines only, so
no total of the decision: a total minus one's own lines would reveal the others').

Rights over many units or lines at once (``issuing_units``, ``spendable``, ``whole_decisions``)
are read in one scoped query plus the organisation queries (``_acting_q``), never unit by unit
nor line by line: they are ``access.can_manage_decision``, ``can_spend`` and ``sees_whole`` in
bulk, and ``tests/web/support/test_money.py`` checks that they agree with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Literal

from django.db.models import (
    BigIntegerField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from giamngheo.accounts.access import can_view_unit, manage_scope_q, unit_scope_q, visible_units
from giamngheo.core.support.funds import (
    SOURCES,
    ChainLine,
    Finding,
    Movement,
    Quarter,
    check_chain,
    check_dated_chain,
    quarter_of,
    source_label,
)
from giamngheo.core.support.money_report import MoneyEntry
from giamngheo.core.support.programme import UnknownProgramme, programme_by_id
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.support.access import (
    decisions_q,
    is_superuser,
    org_ids,
    served_q,
    visible_projects,
)
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Disbursement,
    Organisation,
    OrgKind,
    Project,
    Settlement,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.core.numbers import Lang

ChainLevel = Literal["line", "commune_source", "node_source"]
CHAIN_LEVELS: tuple[ChainLevel, ...] = ("line", "commune_source", "node_source")


# --- the plan page: money per commune ------------------------------------------------------
@dataclass(frozen=True)
class CommuneMoney:
    """A commune's money of one budget year, whole đồng."""

    allocated: int = 0
    disbursed: int = 0
    settled: int = 0

    @property
    def remaining(self) -> int:
        """Allocated but not yet disbursed."""
        return self.allocated - self.disbursed


def commune_money(*, year: int, commune_ids: Iterable[int]) -> dict[int, CommuneMoney]:
    """Allocated, disbursed and settled per commune, for the lines of decisions of budget
    ``year`` going to the commune: three aggregate queries. No scoping here: the caller
    passes only the communes the user may see. Every asked commune is in the result (zeros
    when it has nothing)."""
    ids = list(dict.fromkeys(commune_ids))
    if not ids:
        return {}
    allocated = dict(
        Allocation.objects.filter(decision__year=year, commune_id__in=ids)
        .order_by()
        .values("commune_id")
        .annotate(total=Sum("amount"))
        .values_list("commune_id", "total")
    )
    disbursed = dict(
        Disbursement.objects.filter(allocation__decision__year=year, allocation__commune_id__in=ids)
        .order_by()
        .values("allocation__commune_id")
        .annotate(total=Sum("amount"))
        .values_list("allocation__commune_id", "total")
    )
    settled = dict(
        Settlement.objects.filter(allocation__decision__year=year, allocation__commune_id__in=ids)
        .order_by()
        .values("allocation__commune_id")
        .annotate(total=Sum("amount"))
        .values_list("allocation__commune_id", "total")
    )
    return {
        pk: CommuneMoney(
            int(allocated.get(pk) or 0), int(disbursed.get(pk) or 0), int(settled.get(pk) or 0)
        )
        for pk in ids
    }


# --- decisions ---------------------------------------------------------------------------------
def visible_decisions(user: AnyUser) -> QuerySet[AllocationDecision]:
    """The decisions the user may open (``access.decisions_q``)."""
    return AllocationDecision.objects.filter(decisions_q(user)).select_related("unit")


def decision_for(user: AnyUser, pk: int) -> AllocationDecision | None:
    """The decision when the user may see it, else None (the page answers 404)."""
    return visible_decisions(user).filter(pk=pk).first()


def sees_whole(user: AnyUser, decision: AllocationDecision) -> bool:
    """Whether the user sees every line of the decision and its totals (it sees the issuing
    unit); otherwise only its own commune's lines."""
    return is_superuser(user) or can_view_unit(user, decision.unit)


def whole_decisions(user: AnyUser, decisions: Iterable[AllocationDecision]) -> set[int]:
    """The pks of the decisions the user sees whole (``sees_whole``), in one query."""
    found = list(decisions)
    if is_superuser(user):
        return {d.pk for d in found}
    units = {d.unit_id for d in found}
    seen = set(
        AdminUnit.objects.filter(pk__in=units)
        .filter(unit_scope_q(user, "pk"))
        .values_list("pk", flat=True)
    )
    return {d.pk for d in found if d.unit_id in seen}


# --- rights in bulk ----------------------------------------------------------------------------
def _below_q(pk: int | OuterRef) -> Q:
    """Q on ``AdminUnit``: the units strictly below ``pk`` (the tree is four levels deep, as
    ``geo.models.descendants_q``; ``pk`` may be an ``OuterRef``)."""
    return Q(parent_id=pk) | Q(parent__parent_id=pk) | Q(parent__parent__parent_id=pk)


def _served_q(org: Organisation) -> Q:
    """Q on ``AdminUnit``: the units ``org`` acts for (``access.serves_unit`` in SQL, villages
    aside): at or below its unit, a commune it serves (``access.served_q``) or a unit above the
    communes each of whose communes it serves."""
    served = served_q(org)  # one query: the communes it lists
    unserved = AdminUnit.objects.filter(level=Level.COMMUNE).exclude(served)
    all_served = Q(~Exists(unserved.filter(_below_q(OuterRef("pk")))))
    above = ~Q(level__in=(Level.COMMUNE, Level.VILLAGE)) & all_served
    inside = Q(pk=org.unit_id) | _below_q(org.unit_id)
    return inside & ((Q(level=Level.COMMUNE) & served) | above)


def _acting_q(user: AnyUser) -> Q:
    """Q on ``AdminUnit`` (not for a superuser): the units whose decisions the user manages
    and whose lines it spends (``access.can_manage_decision``; ``can_spend`` for a commune):
    as an officer (``accounts.access.manage_scope_q``) or as a member of a finance
    organisation serving the unit (``access.member_of_kind``). Built with the user's
    memberships (``access.org_ids``, cached), one organisation query and one per finance
    organisation for the communes it lists; the Q then runs as one query."""
    q = manage_scope_q(user, "pk")
    ids = org_ids(user)
    if ids:
        for org in Organisation.objects.filter(pk__in=ids, kind=OrgKind.FINANCE).order_by("pk"):
            q |= _served_q(org)
    return q


def lines_q(user: AnyUser) -> Q:
    """Q on ``Allocation``: the lines the user may see."""
    if is_superuser(user):
        return Q()
    return unit_scope_q(user, "decision__unit") | unit_scope_q(user, "commune")


def budget_years(user: AnyUser) -> list[int]:
    """The budget years of the decisions the user may see, newest first."""
    years = visible_decisions(user).order_by().values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def issuing_units(user: AnyUser) -> list[AdminUnit]:
    """The units the user may issue an allocation decision for (``can_manage_decision``):
    provinces and districts for a superuser, else those of its unit and the units below it
    (no villages) it acts for (``_acting_q``), in one query."""
    units = visible_units(user)
    if is_superuser(user):
        units = units.filter(level__in=(Level.PROVINCE, Level.DISTRICT))
    else:
        units = units.exclude(level=Level.VILLAGE).filter(_acting_q(user))
    order: dict[str, int] = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}
    return sorted(units, key=lambda u: (order.get(u.level, 3), u.name_key, u.pk))


def line_communes(decision: AllocationDecision) -> list[AdminUnit]:
    """The communes a line of the decision may go to: the issuing unit's communes valid on
    the decision's date (the unit itself when it is a commune)."""
    units = AdminUnit.objects.descendants_of(decision.unit).filter(level=Level.COMMUNE)
    return list(units.valid_on(decision.date).order_by("name_key", "pk"))


def line_projects(user: AnyUser, decision: AllocationDecision) -> list[Project]:
    """The projects a line of the decision may fund: those the user sees, of the decision's
    programme."""
    projects = visible_projects(user).filter(programme_id=decision.programme_id)
    return list(projects.order_by("-year", "name", "pk"))


# --- lines with their sums ---------------------------------------------------------------------
@dataclass(frozen=True)
class LineRow:
    """One allocation line with what was disbursed and settled from it (whole đồng)."""

    line: Allocation
    allocated: int
    disbursed: int
    settled: int

    @property
    def remaining(self) -> int:
        return self.allocated - self.disbursed

    @property
    def place(self) -> AdminUnit:
        """The commune, or the issuing unit for a line kept there."""
        return self.line.commune or self.line.decision.unit


def _sum_of(model: type[Disbursement] | type[Settlement]) -> Coalesce:
    total = (
        model.objects.filter(allocation=OuterRef("pk"))
        .order_by()
        .values("allocation")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    return Coalesce(Subquery(total), Value(0), output_field=BigIntegerField())


def _rows(lines: QuerySet[Allocation]) -> list[LineRow]:
    annotated = (
        lines.select_related("decision__unit", "commune", "project")
        .annotate(disbursed_sum=_sum_of(Disbursement), settled_sum=_sum_of(Settlement))
        .order_by("decision__date", "decision_id", "commune__name_key", "node_code", "source", "pk")
    )
    return [LineRow(a, a.amount, int(a.disbursed_sum), int(a.settled_sum)) for a in annotated]


def decision_lines(user: AnyUser, decision: AllocationDecision) -> list[LineRow]:
    """The decision's lines the user may see (a commune's user: its commune's only), by
    commune (a line kept at the issuing unit first), node and source."""
    rows = _rows(Allocation.objects.filter(decision=decision).filter(lines_q(user)))
    return sorted(rows, key=lambda r: (r.line.commune is not None, r.place.name_key))


def year_lines(user: AnyUser, year: int) -> list[LineRow]:
    """Every visible line of the decisions of budget ``year``."""
    return _rows(Allocation.objects.filter(decision__year=year).filter(lines_q(user)))


def line_for(user: AnyUser, pk: int) -> LineRow | None:
    """One line with its sums, when the user may see it."""
    rows = _rows(Allocation.objects.filter(pk=pk).filter(lines_q(user)))
    return rows[0] if rows else None


def spendable(user: AnyUser, rows: Iterable[LineRow]) -> list[LineRow]:
    """The rows whose disbursements and settlements the user may record (``can_spend``: the
    decision's managers; for a commune's line also its officers and the members of a finance
    organisation serving it), in one query (``_acting_q``)."""
    found = list(rows)
    if is_superuser(user) or not found:
        return found
    units = {r.line.decision.unit_id for r in found}
    units |= {r.line.commune_id for r in found if r.line.commune_id is not None}
    acting = AdminUnit.objects.filter(pk__in=units).filter(_acting_q(user))
    ok = set(acting.values_list("pk", flat=True))
    return [r for r in found if r.line.decision.unit_id in ok or r.line.commune_id in ok]


def line_movements(
    rows: Sequence[LineRow],
) -> tuple[list[Disbursement], list[Settlement]]:
    """The disbursements and settlements of these lines, by date."""
    ids = [r.line.pk for r in rows]
    return (
        list(Disbursement.objects.filter(allocation_id__in=ids).order_by("on", "pk")),
        list(Settlement.objects.filter(allocation_id__in=ids).order_by("on", "pk")),
    )


# --- totals ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Totals:
    """Allocated, disbursed, settled of a group of lines (a source, a decision, all)."""

    key: str
    allocated: int = 0
    disbursed: int = 0
    settled: int = 0

    @property
    def remaining(self) -> int:
        return self.allocated - self.disbursed

    def plus(self, row: LineRow) -> Totals:
        return Totals(
            self.key,
            self.allocated + row.allocated,
            self.disbursed + row.disbursed,
            self.settled + row.settled,
        )


def total_of(rows: Iterable[LineRow], key: str = "total") -> Totals:
    out = Totals(key)
    for row in rows:
        out = out.plus(row)
    return out


def source_totals(rows: Iterable[LineRow]) -> list[Totals]:
    """The totals per source, in the order of ``core.support.funds.SOURCES``."""
    sums: dict[str, Totals] = {}
    for row in rows:
        src = row.line.source
        sums[src] = sums.get(src, Totals(src)).plus(row)
    return [sums[code] for code in [*SOURCES, *sorted(set(sums) - set(SOURCES))] if code in sums]


def decision_totals(rows: Iterable[LineRow]) -> dict[int, Totals]:
    """The totals of the given (visible) lines per decision pk."""
    out: dict[int, Totals] = {}
    for row in rows:
        pk = row.line.decision_id
        out[pk] = out.get(pk, Totals(str(pk))).plus(row)
    return out


# --- the chain ---------------------------------------------------------------------------------
def _source(code: str, lang: Lang) -> str:
    return source_label(code, lang) if code in SOURCES else code


@cache
def _node_names(programme_id: str, lang: Lang) -> dict[str, str]:
    """Node code → "code name" of a programme (empty for an unknown programme); do not
    change the result (it is shared)."""
    try:
        programme = programme_by_id(programme_id)
    except UnknownProgramme:
        return {}
    return {n.code: f"{n.code} {n.label(lang)}" for n in programme.walk()}


def node_label(programme_id: str, code: str, lang: Lang = "vi") -> str:
    return _node_names(programme_id, lang).get(code, code)


def chain_lines(rows: Iterable[LineRow], level: ChainLevel, lang: Lang = "vi") -> list[ChainLine]:
    """The rows as chain lines at ``level``: each line (``line``), summed per commune and
    source (``commune_source``; a line kept at the issuing unit counts for that unit), or per
    programme node and source (``node_source``)."""
    sums: dict[tuple[str, ...], list[int]] = {}
    labels: dict[tuple[str, ...], str] = {}
    for row in rows:
        a = row.line
        src = _source(a.source, lang)
        if level == "line":
            key: tuple[str, ...] = ("line", str(a.pk))
            label = f"{a.decision.number} · {row.place.name} · {a.node_code} · {src}"
        elif level == "commune_source":
            key = ("commune", str(row.place.pk), a.source)
            label = f"{row.place.name} · {src}"
        else:
            key = ("node", a.decision.programme_id, a.node_code, a.source)
            label = f"{node_label(a.decision.programme_id, a.node_code, lang)} · {src}"
        amounts = sums.setdefault(key, [0, 0, 0])
        amounts[0] += row.allocated
        amounts[1] += row.disbursed
        amounts[2] += row.settled
        labels[key] = label
    return [ChainLine(key, labels[key], *amounts) for key, amounts in sums.items()]


def _movements(rows: Sequence[LineRow]) -> list[Movement]:
    """The rows' disbursements and settlements summed per line and day, keyed as the line's
    chain line (``("line", pk)``)."""
    ids = [r.line.pk for r in rows]
    out: list[Movement] = []
    for model, kind in ((Disbursement, "disbursed"), (Settlement, "settled")):
        for start in range(0, len(ids), 500):  # few parameters per query, for SQLite too
            sums = (
                model.objects.filter(allocation_id__in=ids[start : start + 500])
                .order_by()
                .values("allocation_id", "on")
                .annotate(total=Sum("amount"))
                .values_list("allocation_id", "on", "total")
            )
            out += [Movement(("line", str(pk)), on, kind, int(t)) for pk, on, t in sums]  # type: ignore[arg-type]
    return out


def chain_findings(rows: Sequence[LineRow], lang: Lang = "vi") -> dict[ChainLevel, list[Finding]]:
    """``check_chain`` of the rows at each level (line, commune × source, node × source): a
    line breaks on its own; a commune or a node breaks when its lines together do. A line
    also breaks when money was settled before it was disbursed (``check_dated_chain``:
    ``settled_before_disbursed``)."""
    found: dict[ChainLevel, list[Finding]] = {}
    for level in CHAIN_LEVELS:
        lines = chain_lines(rows, level, lang)
        found[level] = check_chain(lines)
        if level == "line" and rows:
            labels = {line.key: line.label for line in lines}
            found[level] += check_dated_chain(_movements(rows), labels)
    return found


# --- the report --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoneyReport:
    """What ``core.support.money_report.money_tables`` needs: the entries and the labels (in the
    rows' order)."""

    entries: list[MoneyEntry]
    node_labels: dict[str, str]
    commune_labels: dict[str, str]


def _allocation_quarter(on: date, year: int) -> Quarter:
    """The quarter an allocation counts in: the decision's, or the budget year's first when
    the decision came before the year (the plan for a year is decided the year before)."""
    return Quarter(year, 1) if on.year < year else quarter_of(on)


def place_key(unit: AdminUnit) -> str:
    """A place's key in the report (``MoneyEntry.commune``): its code, else its pk."""
    return unit.code or str(unit.pk)


def money_report(user: AnyUser, year: int, lang: Lang = "vi") -> MoneyReport:
    """The entries of the visible lines of budget ``year``: each line's allocation (in the
    quarter of its decision), its disbursements and settlements summed per quarter in which
    they were made. A commune's user gets its commune only."""
    lines = list(
        Allocation.objects.filter(decision__year=year)
        .filter(lines_q(user))
        .select_related("decision__unit", "commune")
    )
    entries: list[MoneyEntry] = []
    places: dict[str, AdminUnit] = {}
    nodes: dict[str, str] = {}
    by_pk: dict[int, tuple[str, str, str]] = {}
    for a in lines:
        place = a.commune or a.decision.unit
        key = place_key(place)
        places[key] = place
        nodes.setdefault(a.node_code, a.decision.programme_id)
        by_pk[a.pk] = (a.source, a.node_code, key)
        quarter = _allocation_quarter(a.decision.date, year)
        entries.append(MoneyEntry(a.source, a.node_code, key, quarter, "allocated", a.amount))
    for model, kind in ((Disbursement, "disbursed"), (Settlement, "settled")):
        sums = (
            model.objects.filter(allocation_id__in=list(by_pk))
            .order_by()
            .values("allocation_id", "year", "quarter")
            .annotate(total=Sum("amount"))
        )
        for s in sums:
            src, node, key = by_pk[s["allocation_id"]]
            quarter = Quarter(s["year"], s["quarter"])
            entries.append(MoneyEntry(src, node, key, quarter, kind, int(s["total"])))  # type: ignore[arg-type]
    return MoneyReport(entries, _report_nodes(nodes, lang), _report_places(places, lang))


def _report_nodes(nodes: dict[str, str], lang: Lang) -> dict[str, str]:
    """The nodes' labels in the programme's order (unknown codes last, as they are)."""
    labels: dict[str, str] = {}
    for programme_id in dict.fromkeys(nodes.values()):
        for code, label in _node_names(programme_id, lang).items():
            if nodes.get(code) == programme_id:
                labels.setdefault(code, label)
    for code in sorted(nodes):
        labels.setdefault(code, code)
    return labels


def _report_places(places: dict[str, AdminUnit], lang: Lang) -> dict[str, str]:
    """Communes by name; a unit keeping money itself after them, marked."""
    kept = "không chia về xã" if lang == "vi" else "not allocated to a commune"
    ordered = sorted(places.items(), key=lambda kv: (kv[1].level != "commune", kv[1].name_key))
    return {
        key: unit.name if unit.level == "commune" else f"{unit.name} ({kept})"
        for key, unit in ordered
    }


def group_by_place(rows: Iterable[LineRow]) -> list[tuple[AdminUnit, list[LineRow], Totals]]:
    """The rows grouped by commune (a line kept at the unit under the unit), with the
    group's totals, in the rows' order."""
    groups: dict[int, list[LineRow]] = defaultdict(list)
    places: dict[int, AdminUnit] = {}
    for row in rows:
        groups[row.place.pk].append(row)
        places[row.place.pk] = row.place
    return [(places[pk], g, total_of(g, str(pk))) for pk, g in groups.items()]
