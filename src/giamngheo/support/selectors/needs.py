"""Reads for support against deprivation and the path out of poverty: the pure core's inputs
(``core.support.gaps`` / ``core.support.pipeline``) built from the database, and the small
reads of the escape registrations, the plan's targets and a household's support history.

The big reads (:func:`needs`, :func:`received`, :func:`next_reviews`) use ``values_list`` with
``iterator`` and build the core's frozen dataclasses directly: no model instances, a few
queries a list (the later reviews one per 2,000 households), 500,000 households in about a
second each (``bench/support.py``).

Which review counts: an **approved periodic** review of the year that is *current* — not
corrected by another approved record (a draft correction does not replace what was approved),
as ``registry.histories`` reads them; when several current records remain for one household
and year the highest revision wins.

Households that have left (moved away, dissolved, split, merged: status not active) are not on
the lists (:func:`needs`), except one registered to escape poverty in the support year before
it left, which the pipeline still counts as registered (outcome unknown).

Years: the list of support year Y is the review at the end of Y − 1 (``needs(year=Y − 1)``),
the supports received during Y (``received(year=Y)``) and the outcome at the review of Y
(``next_reviews(Y, …)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, Func, JSONField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from giamngheo.accounts.access import unit_scope_q
from giamngheo.core.standards.model import UnknownStandard
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.gaps import NEED_CLASSES, HouseholdNeed, NextReview, Received
from giamngheo.core.support.money import MoneyError, parse_vnd
from giamngheo.core.support.pipeline import Registration
from giamngheo.geo.models import AdminUnit
from giamngheo.plans.models import PlanRow
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.support.models import (
    EscapeRegistration,
    Housing,
    HousingStatus,
    Loan,
    Recovery,
    Support,
)
from giamngheo.support.selectors.facts import RECEIVED_STATES
from giamngheo.support.selectors.projects import supports_received

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

__all__ = [
    "HouseholdHistory",
    "RegisteredRow",
    "addressing",
    "classes_in",
    "communes_reviewed",
    "household_history",
    "needs",
    "next_reviews",
    "plan_targets",
    "read_income",
    "received",
    "registered_rows",
    "registrations",
    "unit_names",
]

CHUNK = 5000  # rows fetched at a time
IN_CHUNK = 2000  # ids in one ``IN (…)`` (SQLite's and PostgreSQL's limits are far above)
_DONE_HOUSING = (HousingStatus.FINISHED, HousingStatus.HANDED_OVER)


def read_income(value: object) -> int | None:
    """The income of a review's inputs (VND per person per month), read defensively: a whole
    number, or a text officers typed ("650.000"); None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if type(value) is int:
        return value if value >= 0 else None
    try:
        return parse_vnd(value)
    except MoneyError:
        return None


class JsonKey(Func):
    """One key of a JSON column as JSON (its type kept: the text "650.000" stays text):
    ``column -> '$.key'`` on SQLite (``JSON_EXTRACT``, used by Django's key transform, gives
    text that then reads as the number 650.0), ``column -> 'key'`` on PostgreSQL."""

    arg_joiner = " -> "
    template = "(%(expressions)s)"

    def __init__(self, column: str, key: str) -> None:
        self.key = key
        super().__init__(F(column), Value(key), output_field=JSONField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        path = self.copy()
        path.set_source_expressions([self.get_source_expressions()[0], Value(f"$.{self.key}")])
        return path.as_sql(compiler, connection, **extra)


def _current_reviews(year: int) -> QuerySet[ReviewRecord]:
    """Approved periodic reviews of ``year`` not corrected by an approved record."""
    corrected = ReviewRecord.objects.filter(corrects=OuterRef("pk"), state=ReviewState.APPROVED)
    return ReviewRecord.objects.filter(
        year=year, kind=ReviewKind.PERIODIC, state=ReviewState.APPROVED
    ).filter(~Exists(corrected))


def _id_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) >= IN_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Keys:
    """One frozenset per distinct deprived list (a province has a few hundred)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], frozenset[str]] = {}

    def __call__(self, value: object) -> frozenset[str]:
        if not isinstance(value, list):
            return frozenset()
        key = tuple(str(v) for v in value)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = frozenset(key)
        return found


_NEED_FIELDS = (
    "household_id",
    "household__commune_id",
    "household__village_id",
    "household__code",
    "household__head_name",
    "classification",
    "standard_id",
    "household__area",
    JsonKey("inputs", "income"),
    "deprived",
)


def needs(
    actor: AnyUser,
    *,
    year: int,
    commune_ids: Sequence[int] | None = None,
    household_ids: Collection[int] | None = None,
) -> list[HouseholdNeed]:
    """The poor and near-poor households of the approved periodic review of ``year`` that the
    actor may see (in ``commune_ids`` / among ``household_ids`` when given), ordered by
    household id. Households that have left (status not active) are left out, except those
    registered to escape poverty in ``year + 1`` (see :func:`_still_listed_q`)."""
    qs = (
        _current_reviews(year)
        .filter(classification__in=NEED_CLASSES)
        .filter(unit_scope_q(actor, "household__commune"))
        .filter(_still_listed_q(year))
    )
    if commune_ids is not None:
        qs = qs.filter(household__commune_id__in=list(commune_ids))
    parts: Iterable[QuerySet[ReviewRecord]] = [qs]
    if household_ids is not None:
        parts = (qs.filter(household_id__in=c) for c in _id_chunks(sorted(household_ids)))
    keys = _Keys()
    found: dict[int, HouseholdNeed] = {}
    for part in parts:
        rows = part.order_by("household_id", "revision").values_list(*_NEED_FIELDS)
        for hid, commune, village, code, head, cls, std, area, income, deprived in rows.iterator(
            CHUNK
        ):
            found[hid] = HouseholdNeed(
                household_id=hid,
                commune_id=commune,
                village_id=village,
                code=code,
                head_name=head,
                classification=cls,
                standard_id=std,
                area="urban" if area == "urban" else "rural",
                income=read_income(income),
                deprived=keys(deprived),
                review_year=year,
            )
    return [found[h] for h in sorted(found)]


def _still_listed_q(year: int) -> Q:
    """Q on ``ReviewRecord``: the household still lives there (active), or it left after being
    registered to escape poverty in ``year + 1`` (the registration stays, and the pipeline
    counts it as registered with an unknown outcome: it has no next review). The registered
    households that left are few: their ids are read first, so the big read stays one
    indexed condition."""
    kept = EscapeRegistration.objects.filter(year=year + 1).exclude(
        household__status=HouseholdStatus.ACTIVE
    )
    ids = list(kept.values_list("household_id", flat=True))
    active = Q(household__status=HouseholdStatus.ACTIVE)
    return active | Q(household_id__in=ids) if ids else active


def _households_q(
    field: str, commune_ids: Sequence[int] | None, household_ids: Collection[int] | None
) -> Iterator[Q]:
    """One Q per query: the communes at once, the households by chunks of ids."""
    if household_ids is not None:
        for chunk in _id_chunks(sorted(household_ids)):
            yield Q(**{f"{field}_id__in": chunk})
    elif commune_ids is not None:
        yield Q(**{f"{field}__commune_id__in": list(commune_ids)})
    else:
        yield Q()


def received(
    *,
    year: int,
    commune_ids: Sequence[int] | None = None,
    household_ids: Collection[int] | None = None,
) -> list[Received]:
    """What households of ``commune_ids`` (or ``household_ids``) received during ``year``:
    delivered and settled supports of the ledger (for communes through the ledger's own read,
    ``selectors.projects.supports_received``), Social Policy Bank loans disbursed in the year
    (support type ``loan_<programme>``), and finished housing without a ledger row (its grant;
    housing grants normally have theirs). No scoping here: the caller passes what the user may
    see (from :func:`needs`)."""
    out: list[Received] = []
    if household_ids is None and commune_ids is not None:  # the ledger's own read
        out.extend(Received(*row) for row in supports_received(year, commune_ids))
    for where in _households_q("household", commune_ids, household_ids):
        if household_ids is not None or commune_ids is None:
            supports = Support.objects.filter(where, year=year, state__in=RECEIVED_STATES)
            # Dated by its delivery (``year`` is the delivery's year), as the ledger's read.
            dated = supports.order_by().annotate(day=Coalesce("delivered_on", "on"))
            for hid, kind, on, value in (
                dated.values_list("household_id", "support_type", "day", "value")
            ).iterator(CHUNK):
                out.append(Received(hid, kind, on, value))
        loans = Loan.objects.filter(
            where, disbursed_on__gte=dt.date(year, 1, 1), disbursed_on__lte=dt.date(year, 12, 31)
        )
        for hid, programme, on, amount in (
            loans.order_by().values_list("household_id", "programme", "disbursed_on", "amount")
        ).iterator(CHUNK):
            out.append(Received(hid, f"loan_{programme}", on, amount))
        housing = Housing.objects.filter(
            where, support__isnull=True, year=year, status__in=_DONE_HOUSING, grant_amount__gt=0
        )
        for hid, kind, finished, handed, grant in housing.order_by().values_list(
            "household_id", "kind", "finished_on", "handed_over_on", "grant_amount"
        ):
            days = [d for d in (finished, handed) if d is not None and d.year == year]
            on = days[0] if days else dt.date(year, 12, 31)
            out.append(Received(hid, f"housing_{kind}", on, grant))
    return out


def next_reviews(year: int, household_ids: Collection[int]) -> list[NextReview]:
    """The approved periodic reviews of ``year`` of ``household_ids`` (every class), one query
    per 2,000 households on the (household, year) index: at 500,000 households 3–4 × faster than
    reading a whole year of the communes and keeping the households asked for."""
    wanted = set(household_ids)
    if not wanted:
        return []
    qs = _current_reviews(year)
    parts = (qs.filter(household_id__in=c) for c in _id_chunks(sorted(wanted)))
    keys = _Keys()
    found: dict[int, NextReview] = {}
    fields = (
        "household_id",
        "classification",
        "deprived",
        JsonKey("inputs", "income"),
        "standard_id",
    )
    for part in parts:
        rows = part.order_by("household_id", "revision").values_list(*fields)
        for hid, cls, deprived, income, std in rows.iterator(CHUNK):
            if hid in wanted:
                found[hid] = NextReview(hid, year, cls, keys(deprived), read_income(income), std)
    return [found[h] for h in sorted(found)]


def classes_in(year: int, household_ids: Collection[int]) -> dict[int, str]:
    """Each household's class at the approved periodic review of ``year`` (absent: none)."""
    return {r.household_id: r.classification for r in next_reviews(year, household_ids)}


def communes_reviewed(commune_ids: Iterable[int], year: int) -> set[int]:
    """The communes among ``commune_ids`` with an approved periodic review of ``year`` (their
    review of the year is decided). One small query per commune, through its households and
    the (household, year) index, stopping at the first found: about 1 ms a commune on SQLite
    and PostgreSQL when it is reviewed (0.2 s on SQLite for a 62,500-household commune that is
    not). A single EXISTS over the communes is planned by PostgreSQL as a hash of the whole
    year (0.8–2.6 s at 500,000 households), and ``registry.histories.communes_reviewed`` reads
    every review of the year (its DISTINCT carries the model's ordering columns)."""
    found: set[int] = set()
    for commune in sorted(set(commune_ids)):
        reviewed = ReviewRecord.objects.filter(
            household_id=OuterRef("pk"),
            year=year,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.APPROVED,
        )
        if Household.objects.filter(commune_id=commune).filter(Exists(reviewed)).exists():
            found.add(commune)
    return found


def addressing(standard_ids: Iterable[str]) -> dict[str, dict[str, frozenset[str]]]:
    """Per standard present, per support type, what it addresses (the catalog's mapping);
    a standard the catalog does not know (a province's own) maps to nothing."""
    catalog = load_catalog()
    out: dict[str, dict[str, frozenset[str]]] = {}
    for std in sorted(set(standard_ids)):
        try:
            out[std] = catalog.addressing(std)
        except UnknownStandard:
            out[std] = {}
    return out


# --- escape registrations and the plan's targets ----------------------------------------------
def registrations(*, year: int, commune_ids: Sequence[int]) -> list[Registration]:
    """The escape registrations of ``year`` in the communes, as the core reads them."""
    rows = EscapeRegistration.objects.filter(year=year, commune_id__in=list(commune_ids))
    return [
        Registration(hid, commune, year)
        for hid, commune in rows.order_by("pk").values_list("household_id", "commune_id")
    ]


@dataclass(frozen=True)
class RegisteredRow:
    """One registration as the pipeline page lists it."""

    pk: int
    household_id: int
    code: str
    head_name: str
    village: str
    note: str
    registered_by: str
    registered_at: dt.datetime


def registered_rows(*, year: int, commune_id: int) -> list[RegisteredRow]:
    rows = (
        EscapeRegistration.objects.filter(year=year, commune_id=commune_id)
        .order_by("household__code")
        .values_list(
            "pk",
            "household_id",
            "household__code",
            "household__head_name",
            "household__village__name",
            "note",
            "registered_by__username",
            "registered_at",
        )
    )
    return [
        RegisteredRow(pk, hid, code, head, village or "", note, by or "", at)
        for pk, hid, code, head, village, note, by, at in rows
    ]


def plan_targets(*, year: int, commune_ids: Sequence[int]) -> dict[int, int]:
    """Column 5 (minimum reduction) of the plans of ``year`` per commune; when several plans
    name a commune, the latest document's row."""
    rows = (
        PlanRow.objects.filter(
            plan__year=year, unit_id__in=list(commune_ids), reduction__isnull=False
        )
        .order_by("plan__document_date", "plan_id")
        .values_list("unit_id", "reduction")
    )
    return {unit: reduction for unit, reduction in rows if reduction is not None}


def unit_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(AdminUnit.objects.filter(pk__in=list(set(ids))).values_list("pk", "name"))


# --- one household's support history ----------------------------------------------------------
@dataclass
class HouseholdHistory:
    """What the household page's support section shows (small: model instances)."""

    supports: list[Support] = field(default_factory=list)
    recoveries: list[tuple[Recovery, list[tuple[dt.date, int]]]] = field(default_factory=list)
    loans: list[Loan] = field(default_factory=list)
    housing: list[Housing] = field(default_factory=list)
    registrations: list[EscapeRegistration] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.supports or self.loans or self.housing or self.registrations)


def household_history(household: Household) -> HouseholdHistory:
    """The household's ledger rows (with project), the capital it must return with its
    collections, its loans, its housing support and its escape registrations."""
    supports = list(
        Support.objects.filter(household=household).select_related("project").order_by("-on", "-pk")
    )
    recoveries: list[tuple[Recovery, list[tuple[dt.date, int]]]] = []
    for rec in (
        Recovery.objects.filter(support__household=household)
        .select_related("support")
        .prefetch_related("collections")
        .order_by("support__on", "pk")
    ):
        got: list[tuple[dt.date, int]] = [(c.on, c.amount) for c in rec.collections.all()]
        recoveries.append((rec, got))
    return HouseholdHistory(
        supports=supports,
        recoveries=recoveries,
        loans=list(Loan.objects.filter(household=household).order_by("-disbursed_on")),
        housing=list(Housing.objects.filter(household=household).order_by("-year", "pk")),
        registrations=list(
            EscapeRegistration.objects.filter(household=household).order_by("-year")
        ),
    )
