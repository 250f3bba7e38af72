"""Reads of credit and housing: the loans a user may see (scoped by the household's commune),
one household's loans, each commune's credit by programme (outstanding, borrowers, the overdue
ratio as an exact ``Fraction``), the loan files a user may see (by the batch's scope), the
housing register with its counts by status, the communes where a user may record housing (one
query). The eligibility facts of many households at once are ``selectors.facts``'.

Money is whole đồng; a ratio is a ``Fraction`` until a page writes it as a percentage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from giamngheo.accounts.access import manage_scope_q, unit_scope_q
from giamngheo.core.numbers import format_decimal, format_pct
from giamngheo.core.support.loans import load_loan_programmes
from giamngheo.core.text import fold
from giamngheo.support.models import (
    Housing,
    HousingStatus,
    Loan,
    LoanBatch,
    Organisation,
    OrgKind,
)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.geo.models import AdminUnit
    from giamngheo.registry.models import Household

#: How a household qualifies or stands (``Eligibility.group``), as the pages name it.
GROUP_LABELS = {
    "poor": _("Hộ nghèo"),
    "near_poor": _("Hộ cận nghèo"),
    "newly_escaped": _("Hộ mới thoát nghèo"),
    "medium": _("Hộ có mức sống trung bình"),
    "non_poor": _("Hộ không nghèo"),
    "unreviewed": _("Chưa có kết quả rà soát"),
}


def ratio_pct(ratio: Fraction | None, lang: str = "vi") -> str:
    """``Fraction(1, 8)`` → ``"12,50 %"`` (English ``"12.50 %"``); "—" without a ratio."""
    if ratio is None:
        return "—"
    return f"{format_pct(ratio * 100, 'en' if lang == 'en' else 'vi')} %"


def rate_text(rate: Decimal, lang: str = "vi") -> str:
    """A rate as the bank writes it: ``Decimal("6.600")`` → ``"6,6"``."""
    value = rate.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format_decimal(value, "en" if lang == "en" else "vi")


def programme_label(code: str, lang: str = "vi") -> str:
    p = load_loan_programmes().get(code)
    if p is None:
        return code
    return p.name_en if lang == "en" else p.name_vi


# --- loans ------------------------------------------------------------------------------------
def visible_loans(actor: AnyUser) -> QuerySet[Loan]:
    """The loans of the households the user may see (their commune is in the user's units)."""
    return Loan.objects.filter(unit_scope_q(actor, "household__commune")).select_related(
        "household", "household__commune", "household__village"
    )


def loans_list(
    actor: AnyUser,
    *,
    commune: AdminUnit | None = None,
    programme: str = "",
    search: str = "",
    overdue_only: bool = False,
) -> QuerySet[Loan]:
    """The visible loans, filtered (a commune, a programme, a contract number or household
    code or the head's name, only those with an overdue balance)."""
    qs = visible_loans(actor)
    if commune is not None:
        qs = qs.filter(household__commune=commune)
    if programme:
        qs = qs.filter(programme=programme)
    if search.strip():
        text = search.strip()
        qs = qs.filter(
            Q(contract_no__icontains=text)
            | Q(household__code__icontains=text)
            | Q(household__head_name_key__startswith=fold(text))
        )
    if overdue_only:
        qs = qs.filter(overdue__gt=0)
    return qs.order_by("household__commune__name_key", "household__code", "contract_no")


def household_loans(actor: AnyUser, household: Household) -> list[Loan]:
    """A household's loans, newest first (none when the user may not see the household)."""
    return list(visible_loans(actor).filter(household=household).order_by("-disbursed_on", "pk"))


@dataclass
class ProgrammeCredit:
    programme: str
    outstanding: int = 0
    overdue: int = 0
    loans: int = 0
    borrowers: int = 0

    @property
    def overdue_ratio(self) -> Fraction | None:
        return Fraction(self.overdue, self.outstanding) if self.outstanding else None


@dataclass
class CommuneCredit:
    """A commune's credit: its programmes and its totals (borrowers counted once)."""

    commune_id: int
    commune_name: str
    programmes: list[ProgrammeCredit] = field(default_factory=list)
    borrowers: int = 0

    @property
    def outstanding(self) -> int:
        return sum(p.outstanding for p in self.programmes)

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.programmes)

    @property
    def loans(self) -> int:
        return sum(p.loans for p in self.programmes)

    @property
    def overdue_ratio(self) -> Fraction | None:
        return Fraction(self.overdue, self.outstanding) if self.outstanding else None


def credit_summary(actor: AnyUser, loans: QuerySet[Loan] | None = None) -> list[CommuneCredit]:
    """Each commune's outstanding and overdue balances by programme, with its borrowers (the
    households with a loan), from the visible loans (or ``loans``, already scoped)."""
    qs = visible_loans(actor) if loans is None else loans
    by_commune: dict[int, CommuneCredit] = {}
    rows = (
        qs.values("household__commune_id", "household__commune__name", "programme")
        .annotate(
            outstanding=Sum("outstanding"),
            overdue=Sum("overdue"),
            loans=Count("pk"),
            borrowers=Count("household_id", distinct=True),
        )
        .order_by("household__commune__name", "programme")
    )
    for r in rows:
        cid = r["household__commune_id"]
        c = by_commune.setdefault(cid, CommuneCredit(cid, r["household__commune__name"]))
        c.programmes.append(
            ProgrammeCredit(
                r["programme"],
                int(r["outstanding"] or 0),
                int(r["overdue"] or 0),
                r["loans"],
                r["borrowers"],
            )
        )
    borrowers = (
        qs.values("household__commune_id")
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    )
    for r in borrowers:
        by_commune[r["household__commune_id"]].borrowers = r["n"]
    order = _programme_order()
    for c in by_commune.values():
        c.programmes.sort(key=lambda p: (order.get(p.programme, len(order)), p.programme))
    return sorted(by_commune.values(), key=lambda c: (fold(c.commune_name), c.commune_id))


def _programme_order() -> dict[str, int]:
    return {code: i for i, code in enumerate(load_loan_programmes())}


def credit_totals(communes: Iterable[CommuneCredit]) -> ProgrammeCredit:
    """The sums of the communes (borrowers added: a household borrows in one commune)."""
    total = ProgrammeCredit("")
    for c in communes:
        total.outstanding += c.outstanding
        total.overdue += c.overdue
        total.loans += c.loans
        total.borrowers += c.borrowers
    return total


def loan_batches(actor: AnyUser) -> QuerySet[LoanBatch]:
    """The loan files the user may see: those of the units the user sees (a commune officer
    sees its commune's files, not a district's that hold other communes' rows)."""
    return LoanBatch.objects.filter(unit_scope_q(actor, "scope")).select_related(
        "scope", "created_by"
    )


# --- housing ----------------------------------------------------------------------------------
def visible_housing(actor: AnyUser) -> QuerySet[Housing]:
    return Housing.objects.filter(unit_scope_q(actor, "household__commune")).select_related(
        "household", "household__commune", "household__village", "support"
    )


def housing_list(
    actor: AnyUser,
    *,
    commune: AdminUnit | None = None,
    basis: str = "",
    year: int | None = None,
    status: str = "",
) -> QuerySet[Housing]:
    qs = visible_housing(actor)
    if commune is not None:
        qs = qs.filter(household__commune=commune)
    if basis:
        qs = qs.filter(basis=basis)
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "household__commune__name_key", "household__code", "pk")


def housing_status_counts(qs: QuerySet[Housing]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the steps' order."""
    counts: dict[str, int] = defaultdict(int)
    for r in qs.order_by().values("status").annotate(n=Count("pk")):
        counts[r["status"]] = r["n"]
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in HousingStatus]


def household_housing(actor: AnyUser, household: Household) -> list[Housing]:
    return list(visible_housing(actor).filter(household=household).order_by("-year", "pk"))


def group_label(group: str) -> str:
    """The name of an eligibility group or a review's class in the page's language."""
    label = GROUP_LABELS.get(group)
    return group if label is None else str(label)


def housing_communes(actor: AnyUser, communes: QuerySet[AdminUnit]) -> QuerySet[AdminUnit]:
    """Of ``communes``, those where the user may record housing, in one query: the units the
    user may change, and those at or under a unit whose Economy–Infrastructure office the user
    belongs to (``access.can_manage_housing`` on a household of the commune, as a filter)."""
    if not actor.is_authenticated:
        return communes.none()
    offices = Organisation.objects.filter(
        kind=OrgKind.INFRASTRUCTURE, memberships__user_id=actor.pk
    ).values("unit_id")
    under_office = (
        Q(pk__in=offices)
        | Q(parent_id__in=offices)
        | Q(parent__parent_id__in=offices)
        | Q(parent__parent__parent_id__in=offices)
    )
    return communes.filter(manage_scope_q(actor, "pk") | under_office)
