"""Writes of the support ledger and of revolving capital.

A support runs planned → approved → delivered → settled; a planned or approved one may be
rejected or cancelled with a reason code (``ReasonCode``; "other" needs a note); nothing else
moves (a delivered support is never cancelled: what was handed over is on the books).

* **With a project**: the household must be one of its beneficiaries (``beneficiary_add``) and
  the type one the project delivers. Approval is the project managers' and checks the
  project's remaining funds of the support's source (``core.support.funds.check_commitment``:
  the budget of the source less the approved, delivered and settled supports), with the
  project's row locked, so two approvals cannot spend the same đồng.
* **Without a project**: the "other supports" people report on (health-insurance cards,
  tuition exemptions, vocational training, labour export, social assistance…), recorded by
  the officers of the household's commune; no funds are checked. Production, model,
  infrastructure and credit types need a project (or, for loans, the bank's import).

Delivering a support of a revolving project creates its ``Recovery``: the amount is
``value × recovery_share // 100`` (whole đồng, rounded down: the household never owes a
fraction of a đồng it was not given), repaid in the project's instalments
(``core.support.revolving.make_schedule``: every N months after a grace, the đồng that do not
divide evenly in the first instalments).

Collections never exceed what remains (``core.support.revolving``: ``over_collection``).
Recovered capital is re-lent to the next households (``relend``: a new planned support with
``relent_from``), never more than the project's pool, collected less re-lent
(``relend_over_recovered``). A re-loan is not charged to the project's budget.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from giamngheo.core.support.catalog import SupportType, UnknownSupportType, load_catalog
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
    pool_totals,
    relend_source,
    schedule_of,
)
from giamngheo.support.services.common import actor_id, log, refuse, require

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

#: Categories that come only through a project (or, for credit, the bank's loan import).
PROJECT_ONLY = frozenset({"production", "livelihood", "model", "infrastructure", "credit"})
_STATE_VI = {s.value: str(s.label) for s in SupportState}
_RUNNING = (ProjectStatus.APPROVED, ProjectStatus.RUNNING)


# --- rights ------------------------------------------------------------------------------------
def can_approve(actor: AnyUser, support: Support) -> bool:
    """Approve or reject: the project's managers; without a project, the household's
    commune's officers."""
    if support.project is not None:
        return can_manage_project(actor, support.project)
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
def _type(code: str) -> SupportType:
    try:
        return load_catalog().get(code)
    except UnknownSupportType:
        raise refuse(
            f"Không có loại hỗ trợ «{code}»", f"no support type '{code}'", "unknown_support_type"
        ) from None


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


def _check_project_support(project: Project, household: Household, kind: SupportType) -> None:
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
    if not Beneficiary.objects.filter(project=project, household=household).exists():
        raise refuse(
            f"Hộ {household.code} chưa có trong danh sách hưởng lợi của dự án",
            f"household {household.code} is not one of the project's beneficiaries",
            "not_beneficiary",
        )


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
    if household.status != HouseholdStatus.ACTIVE:
        raise refuse(
            f"Hộ {household.code} không còn hoạt động",
            f"household {household.code} is no longer active",
            "household_inactive",
        )
    if project is not None:
        _check_project_support(project, household, kind)
    elif kind.category in PROJECT_ONLY:
        raise refuse(
            f"«{kind.name_vi}» chỉ ghi qua một dự án",
            f"'{kind.name_en}' is recorded only through a project",
            "needs_project",
        )
    with transaction.atomic():
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
        log(
            actor,
            "plan",
            support,
            household=household.pk,
            project=project.pk if project else None,
            support_type=kind.code,
            quantity=quantity,
            value=value,
            source=source,
            on=on,
        )
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
        support = Support.objects.select_for_update().get(pk=support.pk)
        _transition(support, (SupportState.PLANNED,), SupportState.APPROVED)
        if support.project_id is not None:
            # Serialises approvals of one project: the second waits here, then sees the first.
            project = Project.objects.select_for_update().get(pk=support.project_id)
            if project.status not in _RUNNING:
                raise refuse(
                    "Dự án chưa được phê duyệt hoặc đã kết thúc",
                    "the project is not approved or is over",
                    "project_not_running",
                )
            if support.relent_from_id is None:
                _check_funds(project, support)
        support.state = SupportState.APPROVED
        support.approved_by_id = actor_id(actor)
        support.approved_at = timezone.now()
        support.save(update_fields=["state", "approved_by", "approved_at"])
        log(actor, "approve", support, state=["planned", "approved"], value=support.value)
    return support


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
        support = Support.objects.select_for_update().get(pk=support.pk)
        _transition(support, (SupportState.APPROVED,), SupportState.DELIVERED)
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
        support = Support.objects.select_for_update().get(pk=support.pk)
        _transition(support, (SupportState.DELIVERED,), SupportState.SETTLED)
        if support.delivered_on and on < support.delivered_on:
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
        support = Support.objects.select_for_update().get(pk=support.pk)
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
            actor,
            household,
            support_type=support_type,
            item=item,
            quantity=quantity,
            unit_label=unit_label,
            value=value,
            source=source,
            on=on,
        )
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
        log(
            actor,
            "collection_record",
            collection,
            recovery=recovery.pk,
            household=support.household_id,
            on=on,
            amount=amount,
        )
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
    ``relent_from``, within what was collected and not yet re-lent."""
    _require_record(actor, project, household)
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
        _check_project_support(project, household, kind)
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
        log(
            actor,
            "relend",
            support,
            project=project.pk,
            household=household.pk,
            relent_from=source_recovery.pk,
            amount=amount,
            source=source,
            pool=[collected, relent_total + amount],
        )
    return support
