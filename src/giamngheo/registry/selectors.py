"""Reads of the registry, always scoped to what the actor may see.

A household outside the actor's units is reported as not existing (``Household.DoesNotExist``),
never as forbidden, so nothing leaks about other communes. National ID numbers leave this
module masked (``062*******34``) unless the actor's profile allows them
(``can_view_national_id``) — for pages and exports alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from giamngheo.accounts.access import can_view_national_id, can_view_unit, unit_scope_q
from giamngheo.core.identity import mask_national_id
from giamngheo.core.text import fold
from giamngheo.core.transitions import EntryReason, ExitReason, HouseholdYear
from giamngheo.geo.models import AdminUnit, descendants_q
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ImportBatch,
    ImportRow,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser


def households_visible(
    *,
    actor: AnyUser,
    unit: AdminUnit | None = None,
    search: str = "",
    year: int | None = None,
    classification: str | None = None,
    policy_flag: str | None = None,
) -> QuerySet[Household]:
    """Households the actor may see, optionally within ``unit`` (commune, village or above),
    matching ``search`` (code, or the head's name ignoring case and diacritics: prefix of any
    word), with a current ``classification`` in ``year``'s periodic review."""
    qs = Household.objects.filter(unit_scope_q(actor, field="commune"))
    if unit is not None:
        qs = qs.filter(descendants_q(unit, field="commune") | Q(village=unit))
    if search.strip():
        key = fold(search)
        qs = qs.filter(
            Q(code=search.strip())
            | Q(head_name_key__startswith=key)
            | Q(head_name_key__contains=f" {key}")
        )
    if classification and year is not None:
        qs = qs.filter(
            Exists(
                ReviewRecord.objects.current().filter(
                    household=OuterRef("pk"),
                    year=year,
                    kind=ReviewKind.PERIODIC,
                    classification=classification,
                )
            )
        )
    if policy_flag:
        if policy_flag not in {f.name for f in Household._meta.fields}:
            raise ValueError(policy_flag)
        qs = qs.filter(**{policy_flag: True})
    return qs.select_related("commune", "village").order_by("commune_id", "code")


def household_get(*, actor: AnyUser, pk: int) -> Household:
    """The household, if the actor may see it (``Household.DoesNotExist`` otherwise)."""
    return Household.objects.select_related("commune", "village").get(
        unit_scope_q(actor, field="commune"), pk=pk
    )


def member_national_id(*, actor: AnyUser, member: Member) -> str:
    """The member's ID number, whole only for actors allowed to see ID numbers."""
    if not member.national_id:
        return ""
    if can_view_national_id(actor) and can_view_unit(actor, member.household.commune):
        return member.national_id
    return mask_national_id(member.national_id)


@dataclass(frozen=True)
class MemberView:
    pk: int
    full_name: str
    sex: str
    birth_date: str
    birth_year: int | None
    relationship: str
    ethnicity: str
    national_id: str  # masked unless allowed
    health_insurance: bool
    in_school: bool
    disability: bool


def _view(m: Member, show: bool) -> MemberView:
    return MemberView(
        pk=m.pk,
        full_name=m.full_name,
        sex=m.sex,
        birth_date=m.birth_date.isoformat() if m.birth_date else "",
        birth_year=m.birth_year,
        relationship=m.relationship,
        ethnicity=m.ethnicity,
        national_id=(m.national_id if show else mask_national_id(m.national_id))
        if m.national_id
        else "",
        health_insurance=m.health_insurance,
        in_school=m.in_school,
        disability=m.disability,
    )


def household_members(*, actor: AnyUser, household: Household | int) -> list[MemberView]:
    """The household's members as the actor may see them."""
    pk = household if isinstance(household, int) else household.pk
    hh = household_get(actor=actor, pk=pk)
    show = can_view_national_id(actor)
    return [_view(m, show) for m in Member.objects.filter(household=hh).order_by("pk")]


def members_export_rows(
    *, actor: AnyUser, households: QuerySet[Household] | None = None
) -> Iterator[dict[str, Any]]:
    """Members of the visible households (or of ``households``, re-scoped) for an export,
    streamed; ID numbers masked unless allowed."""
    show = can_view_national_id(actor)
    qs = Member.objects.filter(unit_scope_q(actor, field="household__commune"))
    if households is not None:
        qs = qs.filter(household__in=households.values("pk"))
    for m in qs.select_related("household").order_by("household_id", "pk").iterator(2000):
        v = _view(m, show)
        yield {"household_code": m.household.code, **v.__dict__}


def review_history(*, actor: AnyUser, household: Household | int) -> list[ReviewRecord]:
    """Every review of the household, oldest first, corrections after what they correct."""
    pk = household if isinstance(household, int) else household.pk
    hh = household_get(actor=actor, pk=pk)
    return list(
        ReviewRecord.objects.filter(household=hh).order_by("year", "review_date", "revision")
    )


def import_batches(*, actor: AnyUser) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(unit_scope_q(actor, field="scope")).order_by("-pk")


def import_errors(*, actor: AnyUser, batch: ImportBatch | int, limit: int = 500) -> list[ImportRow]:
    """The batch's rows with errors (for the page; the annotated .xlsx has them all)."""
    pk = batch if isinstance(batch, int) else batch.pk
    b = import_batches(actor=actor).get(pk=pk)
    return list(
        ImportRow.objects.filter(batch=b, valid=False)
        .order_by("pk")
        .only("sheet", "row_number", "key", "errors")[:limit]
    )


_EXIT = {
    HouseholdStatus.MOVED_AWAY: ExitReason.MOVED_AWAY,
    HouseholdStatus.DISSOLVED: ExitReason.DISSOLVED,
    HouseholdStatus.MERGED: ExitReason.MERGED,
    HouseholdStatus.SPLIT: ExitReason.UNRECORDED,
}


def household_years(
    *,
    actor: AnyUser,
    unit: AdminUnit,
    years: Sequence[int],
    approved_only: bool = True,
) -> list[HouseholdYear]:
    """The transitions engine's records for the households of ``unit`` in ``years``, from the
    current (uncorrected) periodic reviews. A household absent in a year after being present
    gets an absent record with its exit reason (from its status) and a household present after
    being absent an entry reason (split off when another household split into it)."""
    ordered = sorted(set(years))
    reviews = ReviewRecord.objects.current().filter(
        unit_scope_q(actor, field="household__commune"),
        descendants_q(unit, field="household__commune"),
        kind=ReviewKind.PERIODIC,
        year__in=ordered,
    )
    if approved_only:
        reviews = reviews.filter(state=ReviewState.APPROVED)
    by_hh: dict[int, dict[int, tuple[str, int]]] = {}
    for hid, year, cls, persons in reviews.values_list(
        "household_id", "year", "classification", "persons"
    ).iterator(5000):
        by_hh.setdefault(hid, {})[year] = (cls, persons)
    out: list[HouseholdYear] = []
    ids = list(by_hh)
    split_into = set(
        Household.objects.filter(status=HouseholdStatus.SPLIT, went_to_id__in=ids).values_list(
            "went_to_id", flat=True
        )
    )
    for start in range(0, len(ids), 2000):
        for h in Household.objects.filter(pk__in=ids[start : start + 2000]).select_related(
            "commune"
        ):
            seen = by_hh[h.pk]
            out.extend(_years_of(h, seen, ordered, h.pk in split_into))
    return out


def _years_of(
    h: Household, seen: dict[int, tuple[str, int]], years: Iterable[int], split_off: bool
) -> list[HouseholdYear]:
    out: list[HouseholdYear] = []
    previous_present: bool | None = None
    last_persons = 0
    area = "urban" if h.area == "urban" else "rural"
    for y in years:
        rec = seen.get(y)
        common: dict[str, Any] = {
            "household_id": f"{h.commune.code}/{h.code}",
            "year": y,
            "ethnic_minority": h.ethnic_minority,
            "area": area,
            "unit_code": h.commune.code,
        }
        if rec is not None:
            last_persons = rec[1]
            entry = None
            if previous_present is False:
                entry = EntryReason.SPLIT_OFF if split_off else EntryReason.UNRECORDED
            out.append(
                HouseholdYear(
                    status=rec[0],  # type: ignore[arg-type]
                    persons=rec[1],
                    entry_reason=entry,
                    **common,
                )
            )
            previous_present = True
        elif previous_present:
            reason = ExitReason.UNRECORDED
            if h.status != HouseholdStatus.ACTIVE and (
                h.status_date is None or h.status_date.year <= y
            ):
                reason = _EXIT.get(HouseholdStatus(h.status), ExitReason.UNRECORDED)
            out.append(
                HouseholdYear(status=None, persons=last_persons, exit_reason=reason, **common)
            )
            previous_present = False
        elif previous_present is None:
            previous_present = False
    return out


# ---------------------------------------------------------------------------------------------
# The household list: filters, search and keyset pages that stay fast at 500,000 households
# ---------------------------------------------------------------------------------------------
#: Households per page of the list.
PAGE_SIZE = 50
#: The list counts matching households up to this many, then says "more than".
COUNT_CAP = 1_000


def list_review_years() -> tuple[list[int], int | None]:
    """The review years present (min..max, two index look-ups) and the default year: the
    latest with an approved periodic review, else the latest."""
    # Separate MIN and MAX: each is one index look-up (SQLite scans for both in one query).
    years = ReviewRecord.objects.values_list("year", flat=True)
    lo, hi = years.order_by("year").first(), years.order_by("-year").first()
    if lo is None or hi is None:
        return [], None
    approved = (
        years.filter(state=ReviewState.APPROVED, kind=ReviewKind.PERIODIC).order_by("-year").first()
    )
    return list(range(lo, hi + 1)), approved or hi


def _cursor(value: str) -> tuple[int, str] | None:
    head, sep, code = value.partition(":")
    commune_id = int(head) if head.isdigit() else None
    return (commune_id, code) if sep and commune_id is not None else None


def year_reviews(year: int) -> QuerySet[ReviewRecord]:
    """Current periodic reviews of ``year`` of the outer household (for Subquery / Exists).

    "Current" is written as NOT EXISTS (a correction of it), not as ``.current()``: that one
    is a LEFT JOIN … ``IS NULL`` on the joined row's id, which PostgreSQL does not turn into
    an anti-join; it then estimates one row and hashes the whole review table."""
    corrections = ReviewRecord.objects.filter(corrects=OuterRef("pk"))
    return ReviewRecord.objects.filter(
        ~Exists(corrections), household=OuterRef("pk"), year=year, kind=ReviewKind.PERIODIC
    )


#: Above any folded name key or code (keys are lower-case ASCII; codes short text).
_TOP = "\U0010ffff"


def search_q(text: str) -> tuple[Q, Q | None]:
    """The search, in a form each database can answer from an index: a text with a digit is
    a household code (exact or prefix: a range of the (commune, code) index); otherwise the
    start of the head's name, ignoring case and diacritics (the ``head_name_key`` index).
    The second Q widens a name search to any word of the name (a scan: used only when the
    indexed search finds less than a page)."""
    text = text.strip()
    if any(ch.isdigit() for ch in text):
        return Q(code__gte=text, code__lt=text + _TOP), None
    key = fold(text)
    wider = Q(head_name_key__contains=f" {key}")
    if connection.vendor == "postgresql":
        # The index has varchar_pattern_ops: it serves LIKE 'key%', not plain comparisons.
        return Q(head_name_key__startswith=key), wider
    # SQLite's LIKE ignores case, so it cannot use the index; a range can.
    return Q(head_name_key__gte=key, head_name_key__lt=key + _TOP), wider


def filter_households(actor: Any, f: dict[str, Any]) -> QuerySet[Household]:
    """The visible households matching the list's filters, in (commune, code) order."""
    year: int | None = f.get("year")
    qs = households_visible(actor=actor, policy_flag=f.get("flag") or None)
    if f.get("classification") and year is not None:
        qs = qs.filter(Exists(year_reviews(year).filter(classification=f["classification"])))
    # Plain FK filters (the selector's ``unit`` walks the tree with OR-ed joins: a scan).
    if f.get("village") is not None:
        qs = qs.filter(village=f["village"])
    elif f.get("commune") is not None:
        qs = qs.filter(commune=f["commune"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("deprivation") and year is not None:
        # ``deprived`` is a JSON list of indicator keys; a quoted key cannot match another.
        # A correlated scalar subquery (LIMIT 1), not EXISTS: PostgreSQL cannot estimate the
        # text match and would scan and hash every review of the year; this way it probes
        # the (household, year) index household by household, as SQLite does, and stops
        # once the page and the capped count are filled.
        hit = year_reviews(year).filter(deprived__icontains=f'"{f["deprivation"]}"')
        qs = qs.alias(deprived_hit=Subquery(hit.order_by().values("pk")[:1])).filter(
            deprived_hit__isnull=False
        )
    if (f.get("q") or "").strip():
        indexed, wider = search_q(f["q"])
        found = qs.filter(indexed)
        if wider is not None and found.order_by().values("pk")[:PAGE_SIZE].count() < PAGE_SIZE:
            return qs.filter(indexed | wider)
        return found
    return qs


def annotate_year(qs: QuerySet[Household], year: int | None) -> QuerySet[Household]:
    if year is None:
        return qs
    rev = year_reviews(year).order_by("-revision")
    return qs.annotate(
        year_class=Subquery(rev.values("classification")[:1]),
        year_deps=Subquery(rev.values("deprivation_count")[:1]),
        year_state=Subquery(rev.values("state")[:1]),
    )


@dataclass
class Page:
    rows: list[Household]
    next_cursor: str = ""
    prev_cursor: str = ""
    first: bool = True
    count: int = 0
    capped: bool = False


def _key(h: Household) -> str:
    return f"{h.commune_id}:{h.code}"


def _beyond(
    qs: QuerySet[Household], cursor: tuple[int, str], n: int, *, forward: bool
) -> list[Household]:
    """Up to ``n`` households after (or before, nearest first) the (commune, code) cursor:
    the rest of the cursor's commune, then the next communes — two exact ranges of the
    unique index, where one OR-ed condition would make PostgreSQL walk from the start."""
    c, code = cursor
    if forward:
        same, other, order = (
            Q(commune_id=c, code__gt=code),
            Q(commune_id__gt=c),
            ("commune_id", "code"),
        )
    else:
        same, other, order = (
            Q(commune_id=c, code__lt=code),
            Q(commune_id__lt=c),
            ("-commune_id", "-code"),
        )
    rows = list(qs.filter(same).order_by(*order)[:n])
    if len(rows) < n:
        rows += list(qs.filter(other).order_by(*order)[: n - len(rows)])
    return rows


def household_page(qs: QuerySet[Household], *, after: str, before: str, year: int | None) -> Page:
    """One page by keyset on (commune, code) — the unique index — and a count capped at
    ``COUNT_CAP`` (never a COUNT(*) over the whole registry)."""
    # Up to COUNT_CAP + 1 matching ids, in whatever order is cheapest. When the filters are
    # that selective, the page is read by id (a sort of at most COUNT_CAP rows) instead of
    # walking the (commune, code) index past every household that does not match.
    ids = list(qs.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
    count = len(ids)
    if count <= COUNT_CAP:
        qs = Household.objects.filter(pk__in=ids).select_related("commune", "village")
    page = annotate_year(qs, year)
    a, b = _cursor(after), _cursor(before)
    if b is not None:
        rows = _beyond(page, b, PAGE_SIZE + 1, forward=False)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        out = Page(rows, first=not more)
        out.next_cursor = _key(rows[-1]) if rows else ""
        out.prev_cursor = _key(rows[0]) if rows and more else ""
    else:
        if a is not None:
            rows = _beyond(page, a, PAGE_SIZE + 1, forward=True)
        else:
            rows = list(page.order_by("commune_id", "code")[: PAGE_SIZE + 1])
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        out = Page(rows, first=a is None)
        out.next_cursor = _key(rows[-1]) if rows and more else ""
        out.prev_cursor = _key(rows[0]) if rows and a is not None else ""
    out.count, out.capped = min(count, COUNT_CAP), count > COUNT_CAP
    return out
