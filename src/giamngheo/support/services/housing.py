"""Housing support (QĐ 33/2015, the 2021–2025 programme's project 5): a house for one household
(checked against its basis's eligibility rule on the day, its amounts against the basis's
limits, once per household and basis), its construction steps in order with their dates, and
the eligible list of a unit by the basis's rule, in the rule's order of priority.

The basis (rule id, limits, the grant's source) is data: ``core/support/data/housing.json``
read by ``core.support.housing``; the eligibility rules are ``core.support.eligibility``'s,
checked on the registry's facts as the projects check them
(``selectors.facts.household_facts``). Every house is also a line of the household's support
ledger (``Support`` of type ``housing_new`` / ``housing_repair``, the grant's value and source),
so its support history shows it: planned while the house is planned, approved once started,
delivered when handed over, cancelled with the house. The line moves only with the house's
steps: a step is refused when the line is not where the house's last step left it (moved by
another action). A step locks the house's row and its line and checks inside the
transaction, so a page posted twice records the step once; a house recorded by someone else at
the same moment is refused (``already``), not a database error.

The eligible list reads only each household's review in force on the day to pick the
candidates, then the facts of all of them at once (``selectors.facts.households_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation

from giamngheo.accounts.access import can_view_unit
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.eligibility import Eligibility, check, get_rule
from giamngheo.core.support.housing import (
    CANCELLED,
    FINISHED,
    HANDED_OVER,
    STARTED,
    HousingBasis,
    UnknownHousingBasis,
    check_amounts,
    check_step,
    housing_basis,
)
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.models import Household, HouseholdStatus, ReviewRecord, ReviewState
from giamngheo.support.access import can_manage_housing
from giamngheo.support.models import (
    Housing,
    HousingKind,
    HousingStatus,
    ReasonCode,
    Support,
    SupportState,
)
from giamngheo.support.selectors.facts import CHUNK, household_facts, households_facts
from giamngheo.support.services.common import forbid, log, refuse, require
from giamngheo.support.services.projects import basis_of

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

#: The ledger state of the house's line at each construction step.
_LEDGER_STATE = {
    HousingStatus.PLANNED: SupportState.PLANNED,
    STARTED: SupportState.APPROVED,
    FINISHED: SupportState.APPROVED,
    HANDED_OVER: SupportState.DELIVERED,
    CANCELLED: SupportState.CANCELLED,
}
_STEP_DATE = {STARTED: "started_on", FINISHED: "finished_on", HANDED_OVER: "handed_over_on"}


def basis_for(code: str) -> HousingBasis:
    """The basis's data, or a refusal naming the bases the product knows."""
    try:
        return housing_basis(code)
    except UnknownHousingBasis as exc:
        vi, _, en = str(exc).partition(" / ")
        raise refuse(vi, en, "unknown_basis") from None


def _require_manage(actor: AnyUser, household: Household) -> None:
    require(
        can_manage_housing(actor, household),
        f"Không có quyền ghi hỗ trợ nhà ở cho hộ {household.code}",
        f"not allowed to record housing for household {household.code}",
    )


def _check_request(
    basis: HousingBasis, kind: str, *, year: int, on: date, grant: int, loan: int
) -> None:
    if kind not in HousingKind.values:
        raise refuse(f"Hình thức «{kind}» không rõ", f"unknown kind '{kind}'", "bad_kind")
    if on.year != year:
        raise refuse(
            f"Ngày hỗ trợ {on:%d/%m/%Y} không thuộc năm {year}",
            f"the support date {on:%d/%m/%Y} is not in {year}",
            "year_mismatch",
        )
    problems = check_amounts(basis, grant, loan)
    if problems:
        raise refuse(
            "; ".join(p.message_vi for p in problems),
            "; ".join(p.message_en for p in problems),
            problems[0].code,
        )


def _check_eligible(result: Eligibility, justification: str) -> None:
    if result.eligible:
        return
    if result.can_justify and justification.strip():
        return
    vi = "; ".join(r.message_vi for r in result.reasons)
    en = "; ".join(r.message_en for r in result.reasons)
    raise refuse(f"Hộ không đủ điều kiện: {vi}", f"the household is not eligible: {en}",
                 "ineligible")  # fmt: skip


def housing_add(  # noqa: PLR0917
    actor: AnyUser,
    household: Household,
    basis: str,
    kind: str,
    year: int,
    grant_amount: int,
    loan_amount: int,
    on: date,
    justification: str = "",
) -> Housing:
    """Record housing support for one household (planned), with its ledger line."""
    _require_manage(actor, household)
    data = basis_for(basis)
    _check_request(data, kind, year=year, on=on, grant=grant_amount, loan=loan_amount)
    if _has_house(household, basis):
        raise _already(household, data)
    result = check(get_rule(data.rule), household_facts(household, on), on)
    _check_eligible(result, justification)
    support_type = load_catalog().get(f"housing_{kind}")
    try:
        with transaction.atomic():
            support = Support.objects.create(
                household=household,
                support_type=support_type.code,
                item=f"{support_type.name_vi} ({data.legal_basis.instrument})"[:200],
                quantity=1,
                unit_label=support_type.unit_vi,
                value=grant_amount,
                source=data.grant_source,
                on=on,
                state=SupportState.PLANNED,
                created_by_id=actor.pk if actor.is_authenticated else None,
            )
            housing = Housing.objects.create(
                household=household,
                basis=basis,
                kind=kind,
                year=year,
                grant_amount=grant_amount,
                loan_amount=loan_amount,
                support=support,
                eligibility=basis_of(result),
                justification="" if result.eligible else justification.strip(),
                created_by_id=actor.pk if actor.is_authenticated else None,
            )
            log(actor, "housing_add", housing, household=household.code, basis=basis, kind=kind,
                year=year, grant_amount=grant_amount, loan_amount=loan_amount, on=on,
                support=support.pk, eligible=result.eligible)  # fmt: skip
    except IntegrityError:
        # Recorded by someone else since the check above (one house per household and basis).
        if _has_house(household, basis):
            raise _already(household, data) from None
        raise
    return housing


def _has_house(household: Household, basis: str) -> bool:
    return (
        Housing.objects.filter(household=household, basis=basis)
        .exclude(status=HousingStatus.CANCELLED)
        .exists()
    )


def _already(household: Household, data: HousingBasis) -> Exception:
    return refuse(
        f"Hộ {household.code} đã có hỗ trợ nhà ở theo {data.legal_basis.instrument}",
        f"household {household.code} already has housing under {data.legal_basis.instrument}",
        "already",
    )


def _previous_day(housing: Housing, support: Support | None) -> date | None:
    for field in ("handed_over_on", "finished_on", "started_on"):
        day: date | None = getattr(housing, field)
        if day is not None:
            return day
    return support.on if support is not None else None


def housing_step(
    actor: AnyUser, housing: Housing, status: str, on: date, note: str = ""
) -> Housing:
    """Move a house to its next step (started → finished → handed over) on ``on``, or cancel
    it (from planned or started, with a note); its ledger line follows. The house's row and
    its line are locked and every check is made inside the transaction."""
    with transaction.atomic():
        h = (
            Housing.objects.select_for_update(of=("self",))
            .select_related("household", "household__commune")
            .get(pk=housing.pk)
        )
        support = (
            Support.objects.select_for_update().get(pk=h.support_id)
            if h.support_id is not None
            else None
        )
        _require_manage(actor, h.household)
        problem = check_step(h.status, status, on, _previous_day(h, support))
        if problem is not None:
            raise refuse(problem.message_vi, problem.message_en, problem.code)
        if status == CANCELLED and not note.strip():
            raise refuse("Cần ghi lý do hủy", "a reason for the cancellation is needed",
                         "no_reason")  # fmt: skip
        before = h.status
        if support is not None:
            _follow(actor, support, _LEDGER_STATE[before], status, on, note)
        h.status = status
        if status in _STEP_DATE:
            setattr(h, _STEP_DATE[status], on)
        if note.strip():
            h.note = f"{h.note}\n{on:%d/%m/%Y}: {note.strip()}".strip()
        h.save()
        log(actor, "housing_step", h, status=[before, status], on=on, note=note.strip())
    h.support = support
    return h


def _state_names(state: str) -> tuple[str, str]:
    label = SupportState(state).label
    with translation.override("vi"):
        vi = str(label)
    with translation.override("en"):
        en = str(label)
    return vi, en


def _follow(  # noqa: PLR0917
    actor: AnyUser, support: Support, expected: str, status: str, on: date, note: str
) -> None:
    """The ledger line of the house follows its step, from the state the house's last step
    left it in (``expected``); a line moved by another action is a refusal."""
    if support.state != expected:
        (now_vi, now_en), (exp_vi, exp_en) = _state_names(support.state), _state_names(expected)
        raise refuse(
            f"Không ghi được bước này: dòng hỗ trợ của căn nhà đang «{now_vi}», không phải"
            f" «{exp_vi}» như bước trước của căn nhà để lại",
            f"step not recorded: the house's support line is '{now_en}', not '{exp_en}' as"
            " the house's last step left it",
            "line_state",
        )
    support.state = _LEDGER_STATE[status]
    if status == STARTED:
        support.approved_by_id = actor.pk if actor.is_authenticated else None
        support.approved_at = timezone.now()
    elif status == HANDED_OVER:
        support.delivered_on = on
    elif status == CANCELLED:
        support.reason_code = ReasonCode.OTHER
        support.reason_note = note.strip()
    support.save()


# --- the eligible list ---------------------------------------------------------------------
@dataclass(frozen=True)
class EligibleHousehold:
    household: Household
    eligibility: Eligibility


def _candidates(
    communes: list[int], classes: frozenset[str], needs: tuple[str, ...], on: date
) -> list[int]:
    """Active households of the communes whose approved review in force on ``on`` (the latest
    on or before it, as ``eligibility.class_at`` picks it) has one of the rule's classes and
    its deprivations. One query, reading only that review of each household; the rule itself
    decides afterwards."""
    in_force = (
        ReviewRecord.objects.current()
        .filter(household_id=OuterRef("pk"), state=ReviewState.APPROVED, review_date__lte=on)
        .order_by("-review_date", "-year", "-pk")
        .values("pk")[:1]
    )
    latest = (
        Household.objects.filter(commune_id__in=communes, status=HouseholdStatus.ACTIVE)
        .annotate(review=Subquery(in_force))
        .values("review")
    )
    rows = (
        ReviewRecord.objects.filter(pk__in=latest, classification__in=classes)
        .order_by()
        .values_list("household_id", "deprived")
    )
    return [
        hid
        for hid, deprived in rows.iterator(chunk_size=2000)
        if all(k in (deprived or ()) for k in needs)
    ]


def housing_eligible(
    actor: AnyUser, unit: AdminUnit, basis: str, year: int, on: date | None = None
) -> list[EligibleHousehold]:
    """The unit's households eligible for housing under ``basis`` in ``year`` (checked on
    ``on``, by default 1 January: the list the previous year's review made), without a house
    recorded already, ordered by the rule's priority, then commune, village and code. A few
    queries whatever the number of households."""
    if not can_view_unit(actor, unit):
        raise forbid(f"Không có quyền xem {unit}", f"not allowed to see {unit}")
    data = basis_for(basis)
    rule = get_rule(data.rule)
    day = on or date(year, 1, 1)
    communes = list(
        AdminUnit.objects.descendants_of(unit)
        .filter(level=Level.COMMUNE)
        .values_list("pk", flat=True)
    )
    ids = _candidates(communes, rule.classes, rule.requires_deprived, day)
    housed = (
        Housing.objects.exclude(status=HousingStatus.CANCELLED)
        .filter(household__commune_id__in=communes)
        .values("household_id")
    )
    households: list[Household] = []
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        households += (
            Household.objects.filter(pk__in=chunk)
            .exclude(pk__in=housed)
            .select_related("commune", "village")
        )
    facts = households_facts(households, day)
    out = [
        EligibleHousehold(hh, result)
        for hh in households
        if (result := check(rule, facts[hh.pk], day)).eligible
    ]
    out.sort(key=lambda e: (e.eligibility.priority, e.household.commune.name_key,
                            e.household.village.name_key if e.household.village else "",
                            e.household.code))  # fmt: skip
    return out
