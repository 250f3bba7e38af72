"""Writes of the support ledger and of revolving capital.

A support runs planned → approved → delivered → settled; a planned or approved one may be
rejected or cancelled with a reason code (``ReasonCode``; "other" needs a note); nothing else
moves (a delivered support is never cancelled: what was handed over is on the books).

* **With a project**: the household must be one of its beneficiaries (``beneficiary_add``), the
  type one the project delivers, the date in the project's period (when set; re-loans of
  recovered capital apart) and, on that date, the household active and meeting the project's
  rule (checked when planned and again when approved) — unless it was accepted with a
  recorded justification, which then stands in (audited as ``justified``). Approval is the
  project managers' and checks the project's remaining funds of the support's source
  (``core.support.funds.check_commitment``), with the project's row locked (planning and
  delivery take the same lock), so two approvals cannot spend the same đồng.
* **Without a project**: the "other supports" people report on (health-insurance cards,
  tuition exemptions, vocational training, labour export, social assistance…), recorded by
  the officers of the household's commune; no funds are checked. Production, model,
  infrastructure and credit types need a project (or, for loans, the bank's import).
* **Housing** is the housing register's (``services.housing``, which writes its own ledger
  line and moves it with the house): housing types are refused here, and so is any action on
  a line that has a house (code ``housing_register``).

Delivery is dated on or after the support's date, in a project neither finished nor
cancelled; settlement on or after the delivery. A support counts in the year it was delivered
(``Support.year``).

Delivering a support of a revolving project creates its ``Recovery``: the amount is
``value × recovery_share // 100`` (whole đồng, rounded down: the household never owes a
fraction of a đồng it was not given), repaid in the project's instalments
(``core.support.revolving.make_schedule``: every N months after a grace, the đồng that do not
divide evenly in the first instalments).

Collections never exceed what remains (``core.support.revolving``: ``over_collection``).
Recovered capital is re-lent to the next households (``relend``: a new planned support with
``relent_from``) by the project's managers only (the pool is the whole project's, every
commune's capital in it), never more than the pool, collected less re-lent
(``relend_over_recovered``). A re-loan is not charged to the project's budget.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from giamngheo.core.support.catalog import SupportType, UnknownSupportType, load_catalog
from giamngheo.core.support.eligibility import UnknownRule
from giamngheo.core.support.funds import check_commitment
from giamngheo.core.support.revolving import (
    Collection as CoreCollection,
)
from giamngheo.core.support.revolving import (
    RevolvingError,
    check_relend,
    make_schedule,
    position,
)
from giamngheo.registry.models import Household, HouseholdStatus
from giamngheo.support.access import can_manage_project, can_record_for
from giamngheo.support.models import (
    Beneficiary,
    Collection,
    Housing,
    Project,
    ProjectStatus,
    ReasonCode,
    Recovery,
    Source,
    Support,
    SupportState,
)
from giamngheo.support.selectors.projects import (
    budget_by_source,
    committed_by_source,
    eligibility_of,
    pool_totals,
    relend_source,
    schedule_of,
)
from giamngheo.support.services.common import actor_id, log, refuse, require

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

#: Categories that come only through a project (or, for credit, the bank's loan import).
PROJECT_ONLY = frozenset({"production", "livelihood", "model", "infrastructure", "credit"})
#: The category the housing register records (``services.housing``), never this ledger.
HOUSING = "housing"
_STATE_VI = {s.value: str(s.label) for s in SupportState}
_RUNNING = (ProjectStatus.APPROVED, ProjectStatus.RUNNING)
_OVER = (ProjectStatus.FINISHED, ProjectStatus.CANCELLED)


# --- rights ------------------------------------------------------------------------------------
def can_approve(actor: AnyUser, support: Support) -> bool:
    """Approve or reject: the project's managers; without a project, the household's
    commune's officers."""
    if support.project is not None:
        return can_manage_project(actor, support.project, support.household)
    return can_record_for(actor, None, support.household)


def can_record(actor: AnyUser, support: Support) -> bool:
    """Plan, deliver, record collections: the project's managers or the officers of the
    household's commune when the project covers it."""
    return can_record_for(actor, support.project, support.household)


def _require_record(actor: AnyUser, project: Project | None, household: Household) -> None:
    require(
        can_record_for(actor, project, household),
        f"Không có quyền ghi hỗ trợ cho hộ {household.code}",
        f"not allowed to record support for household {household.code}",
    )


# --- checks ------------------------------------------------------------------------------------
def _housing_register() -> ValidationError:
    return refuse(
        "Hỗ trợ nhà ở ghi qua sổ hỗ trợ nhà ở",
        "housing support is recorded in the housing register",
        "housing_register",
    )


def _type(code: str) -> SupportType:
    """The catalog's type; housing is refused (the housing register writes its own lines)."""
    try:
        kind = load_catalog().get(code)
    except UnknownSupportType:
        raise refuse(
            f"Không có loại hỗ trợ «{code}»", f"no support type '{code}'", "unknown_support_type"
        ) from None
    if kind.category == HOUSING:
        raise _housing_register()
    return kind


def _locked(support: Support) -> tuple[Support, Project | None]:
    """The support's project's row, then the support's, locked for an action: always in that
    order, the order of planning, removals and status changes (no deadlock). A housing line
    is the housing register's."""
    pk = support.project_id
    project = Project.objects.select_for_update().get(pk=pk) if pk is not None else None
    support = Support.objects.select_for_update().get(pk=support.pk)
    if Housing.objects.filter(support_id=support.pk).exists():
        raise _housing_register()
    return support, project


def _check_active(household: Household) -> None:
    if household.status != HouseholdStatus.ACTIVE:
        raise refuse(
            f"Hộ {household.code} không còn hoạt động",
            f"household {household.code} is no longer active",
            "household_inactive",
        )


def _check_values(quantity: int, value: int, source: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise refuse(
            "Giá trị phải là số đồng không âm",
            "the value must be a non-negative whole number of đồng",
            "bad_value",
        )
    if quantity < 1:
        raise refuse("Số lượng ít nhất là 1", "the quantity is at least 1", "bad_quantity")
    if source not in Source.values:
        raise refuse(
            f"«{source}» không phải là nguồn vốn", f"'{source}' is not a source", "bad_source"
        )


def _check_project_support(
    project: Project, household: Household, kind: SupportType
) -> Beneficiary:
    """The project delivers ``kind`` to ``household`` (its beneficiary row)."""
    if project.status not in (ProjectStatus.DRAFT, *_RUNNING):
        raise refuse(
            "Dự án đã kết thúc hoặc bị hủy",
            "the project is finished or cancelled",
            "project_closed",
        )
    if kind.code not in project.support_types:
        raise refuse(
            f"Dự án không hỗ trợ «{kind.name_vi}»",
            f"the project does not give '{kind.name_en}'",
            "type_not_in_project",
        )
    beneficiary = Beneficiary.objects.filter(project=project, household=household).first()
    if beneficiary is None:
        raise refuse(
            f"Hộ {household.code} chưa có trong danh sách hưởng lợi của dự án",
            f"household {household.code} is not one of the project's beneficiaries",
            "not_beneficiary",
        )
    return beneficiary


def _check_period(project: Project, on: date) -> None:
    if (project.start and on < project.start) or (project.end and on > project.end):
        start = f"{project.start:%d/%m/%Y}" if project.start else "…"
        end = f"{project.end:%d/%m/%Y}" if project.end else "…"
        raise refuse(
            f"Ngày hỗ trợ {on:%d/%m/%Y} ngoài thời gian thực hiện dự án ({start} – {end})",
            f"the support date {on:%d/%m/%Y} is outside the project's period ({start} – {end})",
            "outside_period",
        )


def _check_rule(project: Project, beneficiary: Beneficiary, on: date) -> str:
    """The household is active and meets the project's rule on ``on``: "" then; the
    beneficiary's recorded justification when it stands in for the rule; else refused."""
    household = beneficiary.household
    _check_active(household)
    try:
        result = eligibility_of(project, household, on)
    except UnknownRule as exc:
        vi, _sep, en = str(exc).partition(" / ")
        raise refuse(vi, en or vi, "unknown_rule") from None
    if result.eligible:
        return ""
    if beneficiary.justification and result.can_justify:
        return beneficiary.justification
    raise refuse(
        f"Hộ {household.code} không đủ điều kiện của dự án tại ngày {on:%d/%m/%Y}: "
        + "; ".join(r.message_vi for r in result.reasons),
        f"household {household.code} does not meet the project's rule on {on:%d/%m/%Y}: "
        + "; ".join(r.message_en for r in result.reasons),
        "ineligible",
    )


def _justified(justification: str) -> dict[str, str]:
    """The audit's note that a recorded justification stood in for the rule."""
    return {"justified": justification} if justification else {}


def _transition(support: Support, allowed: tuple[str, ...], to: str) -> None:
    if support.state not in allowed:
        raise refuse(
            f"Khoản hỗ trợ đang «{_STATE_VI[support.state]}»: không chuyển sang "
            f"«{_STATE_VI[to]}» được",
            f"the support is '{support.state}': it cannot become '{to}'",
            "bad_transition",
        )


# --- planning ----------------------------------------------------------------------------------
def support_plan(
    actor: AnyUser,
    household: Household,
    *,
    project: Project | None = None,
    support_type: str,
    item: str,
    quantity: int = 1,
    unit_label: str = "",
    value: int,
    source: str,
    on: date,
) -> Support:
    """A planned support for one household, from a project or on its own."""
    _require_record(actor, project, household)
    kind = _type(support_type)
    _check_values(quantity, value, source)
    _check_active(household)
    if project is None and kind.category in PROJECT_ONLY:
        raise refuse(
            f"«{kind.name_vi}» chỉ ghi qua một dự án",
            f"'{kind.name_en}' is recorded only through a project",
            "needs_project",
        )
    with transaction.atomic():
        justified = ""
        if project is not None:
            # The lock of approvals, cancelling and removals: they see this support or refuse it.
            project = Project.objects.select_for_update().get(pk=project.pk)
            beneficiary = _check_project_support(project, household, kind)
            _check_period(project, on)
            justified = _check_rule(project, beneficiary, on)
        support = Support.objects.create(
            household=household,
            project=project,
            support_type=kind.code,
            item=item.strip() or kind.name_vi,
            quantity=quantity,
            unit_label=unit_label.strip() or kind.unit_vi,
            value=value,
            source=source,
            on=on,
            created_by_id=actor_id(actor),
        )
        log(actor, "plan", support, household=household.pk,
            project=project.pk if project else None, support_type=kind.code, quantity=quantity,
            value=value, source=source, on=on, **_justified(justified))  # fmt: skip
    return support


# --- transitions -------------------------------------------------------------------------------
def _check_funds(project: Project, support: Support) -> None:
    """The project's source still carries the support (the caller holds the project's lock)."""
    findings = check_commitment(
        {support.source: support.value}, budget_by_source(project), committed_by_source(project)
    )
    if findings:
        first = findings[0]
        raise refuse(first.message_vi, first.message_en, first.code)


def support_approve(actor: AnyUser, support: Support) -> Support:
    require(
        can_approve(actor, support),
        "Chỉ người quản lý dự án được duyệt khoản hỗ trợ",
        "only the project's managers may approve a support",
    )
    with transaction.atomic():
        # The project's lock serialises approvals: the second waits, then sees the first.
        support, project = _locked(support)
        _transition(support, (SupportState.PLANNED,), SupportState.APPROVED)
        _check_active(support.household)
        justified = ""
        if project is not None:
            if project.status not in _RUNNING:
                raise refuse(
                    "Dự án chưa được phê duyệt hoặc đã kết thúc",
                    "the project is not approved or is over",
                    "project_not_running",
                )
            justified = _check_at_approval(project, support)
            if support.relent_from_id is None:
                _check_funds(project, support)
        support.state = SupportState.APPROVED
        support.approved_by_id = actor_id(actor)
        support.approved_at = timezone.now()
        support.save(update_fields=["state", "approved_by", "approved_at"])
        changes = {"state": ["planned", "approved"], "value": support.value}
        log(actor, "approve", support, **changes, **_justified(justified))
    return support


def _check_at_approval(project: Project, support: Support) -> str:
    """What planning checked, again on the support's date: still a beneficiary, in the
    project's period (a re-loan apart), meeting its rule (or justified)."""
    kind = _type(support.support_type)
    beneficiary = _check_project_support(project, support.household, kind)
    if support.relent_from_id is None:
        _check_period(project, support.on)
    return _check_rule(project, beneficiary, support.on)


def _recovery(support: Support, on: date) -> Recovery | None:
    project = support.project
    if project is None or not project.revolving:
        return None
    amount = support.value * project.recovery_share // 100
    if amount <= 0:
        return None
    schedule = make_schedule(
        amount,
        on,
        project.recovery_instalments,
        project.recovery_every_months,
        project.recovery_grace_months,
    )
    return Recovery.objects.create(
        support=support,
        amount=amount,
        schedule=[{"due": i.due.isoformat(), "amount": i.amount} for i in schedule],
    )


def support_deliver(actor: AnyUser, support: Support, on: date) -> Support:
    """Handed over or paid on ``on``; a revolving project's support starts its recovery."""
    require(
        can_record(actor, support),
        "Không có quyền ghi cấp phát cho hộ này",
        "not allowed to record a delivery for this household",
    )
    with transaction.atomic():
        support, project = _locked(support)
        _transition(support, (SupportState.APPROVED,), SupportState.DELIVERED)
        if on < support.on:
            raise refuse(
                f"Ngày cấp {on:%d/%m/%Y} trước ngày hỗ trợ {support.on:%d/%m/%Y}",
                f"the delivery ({on:%d/%m/%Y}) is dated before the support ({support.on:%d/%m/%Y})",
                "delivered_before_planned",
            )
        if project is not None and project.status in _OVER:
            raise refuse(
                "Dự án đã kết thúc hoặc bị hủy",
                "the project is finished or cancelled",
                "project_closed",
            )
        support.state = SupportState.DELIVERED
        support.delivered_on = on
        support.save(update_fields=["state", "delivered_on"])
        try:
            recovery = _recovery(support, on)
        except RevolvingError as exc:
            raise refuse(exc.message_vi, exc.message_en, exc.code) from None
        log(
            actor,
            "deliver",
            support,
            state=["approved", "delivered"],
            on=on,
            recovery=recovery.amount if recovery else None,
        )
    return support


def support_settle(actor: AnyUser, support: Support, on: date) -> Support:
    require(
        can_approve(actor, support),
        "Chỉ người quản lý dự án được quyết toán",
        "only the project's managers may settle",
    )
    with transaction.atomic():
        support, _project = _locked(support)
        _transition(support, (SupportState.DELIVERED,), SupportState.SETTLED)
        if on < (support.delivered_on or support.on):
            raise refuse(
                "Ngày quyết toán trước ngày cấp",
                "the settlement is dated before the delivery",
                "dates_order",
            )
        support.state = SupportState.SETTLED
        support.settled_on = on
        support.save(update_fields=["state", "settled_on"])
        log(actor, "settle", support, state=["delivered", "settled"], on=on)
    return support


def _close(actor: AnyUser, support: Support, to: str, reason_code: str, note: str) -> Support:
    if reason_code not in ReasonCode.values:
        raise refuse(
            f"Mã lý do «{reason_code}» không hợp lệ",
            f"unknown reason '{reason_code}'",
            "bad_reason",
        )
    if reason_code == ReasonCode.OTHER and not note.strip():
        raise refuse(
            "Lý do khác cần ghi rõ", "the reason 'other' needs a note", "reason_note_required"
        )
    with transaction.atomic():
        support, _project = _locked(support)
        _transition(support, (SupportState.PLANNED, SupportState.APPROVED), to)
        old = support.state
        support.state = to
        support.reason_code = reason_code
        support.reason_note = note.strip()
        support.save(update_fields=["state", "reason_code", "reason_note"])
        log(
            actor,
            "reject" if to == SupportState.REJECTED else "cancel",
            support,
            state=[old, to],
            reason_code=reason_code,
            note=note.strip(),
        )
    return support


def support_reject(actor: AnyUser, support: Support, reason_code: str, note: str = "") -> Support:
    require(
        can_approve(actor, support),
        "Chỉ người quản lý dự án được từ chối khoản hỗ trợ",
        "only the project's managers may reject a support",
    )
    return _close(actor, support, SupportState.REJECTED, reason_code, note)


def support_cancel(actor: AnyUser, support: Support, reason_code: str, note: str = "") -> Support:
    """Withdraw a planned support (its recorders) or an approved one (its approvers)."""
    allowed = (
        can_approve(actor, support)
        if support.state == SupportState.APPROVED
        else can_record(actor, support) or can_approve(actor, support)
    )
    require(allowed, "Không có quyền hủy khoản hỗ trợ này", "not allowed to cancel this support")
    return _close(actor, support, SupportState.CANCELLED, reason_code, note)


def support_report(
    actor: AnyUser,
    household: Household,
    *,
    support_type: str,
    item: str = "",
    quantity: int = 1,
    unit_label: str = "",
    value: int,
    source: str,
    on: date,
) -> Support:
    """An "other support" that already happened (a card issued, a fee exempted): planned,
    approved and delivered on ``on`` at once, each step audited."""
    with transaction.atomic():
        support = support_plan(
            actor, household, support_type=support_type, item=item, quantity=quantity,
            unit_label=unit_label, value=value, source=source, on=on,
        )  # fmt: skip
        support_approve(actor, support)
        return support_deliver(actor, support, on)


# --- revolving capital -------------------------------------------------------------------------
def collection_record(
    actor: AnyUser, recovery: Recovery, on: date, amount: int, note: str = ""
) -> Collection:
    """Capital paid back by the household on ``on``."""
    support = recovery.support
    require(
        can_record(actor, support),
        "Không có quyền ghi thu hồi vốn cho hộ này",
        "not allowed to record collections for this household",
    )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse(
            "Số tiền thu phải là số đồng dương", "a collection is a positive amount", "bad_amount"
        )
    if support.delivered_on and on < support.delivered_on:
        raise refuse(
            "Ngày thu trước ngày cấp vốn",
            "the collection is dated before the delivery",
            "dates_order",
        )
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        earlier = [CoreCollection(c.on, c.amount) for c in recovery.collections.all()]
        try:
            position(schedule_of(recovery), [*earlier, CoreCollection(on, amount)], on)
        except RevolvingError as exc:
            raise refuse(exc.message_vi, exc.message_en, exc.code) from None
        collection = Collection.objects.create(
            recovery=recovery,
            on=on,
            amount=amount,
            note=note.strip()[:200],
            recorded_by_id=actor_id(actor),
        )
        log(actor, "collection_record", collection, recovery=recovery.pk,
            household=support.household_id, on=on, amount=amount)  # fmt: skip
    return collection


def relend(
    actor: AnyUser,
    project: Project,
    household: Household,
    amount: int,
    on: date,
    *,
    support_type: str = "",
    item: str = "",
    quantity: int = 1,
    unit_label: str = "",
) -> Support:
    """Re-lend recovered capital of ``project`` to the next household: a planned support with
    ``relent_from``, within what was collected and not yet re-lent; the project's managers
    only (the pool is the whole project's)."""
    require(
        can_manage_project(actor, project),
        "Chỉ người quản lý dự án được cho vay quay vòng vốn đã thu hồi",
        "only the project's managers may re-lend recovered capital",
    )
    if not project.revolving:
        raise refuse(
            "Dự án không quay vòng vốn", "the project has no revolving capital", "not_revolving"
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse("Số tiền phải là số đồng dương", "a positive amount", "bad_amount")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        source_recovery = relend_source(project)
        code = support_type or (source_recovery.support.support_type if source_recovery else "")
        kind = _type(code)
        beneficiary = _check_project_support(project, household, kind)
        justified = _check_rule(project, beneficiary, on)
        collected, relent_total = pool_totals(project)
        finding = check_relend(amount, max(0, collected - relent_total), label=project.name)
        if finding is not None:
            raise refuse(finding.message_vi, finding.message_en, finding.code)
        assert source_recovery is not None  # something was collected, so a recovery exists
        source = source_recovery.support.source
        support = Support.objects.create(
            household=household,
            project=project,
            support_type=kind.code,
            item=item.strip() or kind.name_vi,
            quantity=quantity,
            unit_label=unit_label.strip() or kind.unit_vi,
            value=amount,
            source=source,
            on=on,
            relent_from=source_recovery,
            created_by_id=actor_id(actor),
        )
        log(actor, "relend", support, project=project.pk, household=household.pk,
            relent_from=source_recovery.pk, amount=amount, source=source,
            pool=[collected, relent_total + amount], **_justified(justified))  # fmt: skip
    return support
