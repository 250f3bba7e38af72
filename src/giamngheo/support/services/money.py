"""Money writes: allocation decisions and their lines, disbursements and settlements.

Rights (``support.access``): decisions and their lines are changed by officers of the issuing
unit (or above) and members of its finance organisation (``can_manage_decision``);
disbursements and settlements of a line also by the officers of the line's commune
(``can_spend``). Every write is audited (``support_decision_create`` …).

The chain allocated ≥ disbursed ≥ settled holds for every line written here: a disbursement
beyond what is left of the line, a settlement beyond what was disbursed, and a line lowered
(or removed) below what was already disbursed are refused (codes ``chain_break`` and
``below_disbursed``). Data can still break the chain when lines are lowered through the admin
or imported; the money page shows those as findings of ``check_chain`` over what is stored.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.db.models import Sum

from giamngheo.core.support.funds import SOURCES, source_label
from giamngheo.core.support.money import format_vnd
from giamngheo.core.support.programme import UnknownProgramme, programme_by_id
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.support.access import can_manage_decision, can_spend
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Disbursement,
    Project,
    Settlement,
)
from giamngheo.support.models.money import LineMovement
from giamngheo.support.services.common import actor_id, log, refuse, require

M = TypeVar("M", bound=LineMovement)

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

_NO_RIGHT = (
    "Chỉ cán bộ của đơn vị ban hành hoặc phòng Tài chính – Kế hoạch mới được sửa quyết định này",
    "only officers of the issuing unit or its finance office may change this decision",
)
_NO_SPEND = (
    "Chỉ cán bộ của đơn vị ban hành, phòng Tài chính – Kế hoạch hoặc cán bộ xã của dòng "
    "phân bổ mới được ghi giải ngân, quyết toán",
    "only officers of the issuing unit, its finance office or the line's commune may record "
    "disbursements and settlements",
)
DECISION_FIELDS = ("unit", "number", "date", "issuer", "title", "year", "programme_id")
LINE_FIELDS = ("commune", "project", "node_code", "source", "amount")


def _vnd(amount: int) -> tuple[str, str]:
    return format_vnd(amount, "vi"), format_vnd(amount, "en")


# --- decisions ---------------------------------------------------------------------------------
def _check_decision(
    decision: AllocationDecision, *, number: str, year: int, programme_id: str
) -> None:
    if not number.strip():
        raise refuse("Chưa nhập số quyết định", "the decision has no number", "no_number")
    try:
        programme = programme_by_id(programme_id)
    except UnknownProgramme:
        raise refuse(
            f"Không có chương trình «{programme_id}»",
            f"there is no programme '{programme_id}'",
            "unknown_programme",
        ) from None
    if not programme.contains(year):
        first, last = programme.period
        raise refuse(
            f"Năm ngân sách {year} không thuộc giai đoạn {first}–{last} của chương trình",
            f"budget year {year} is outside the programme's period {first}–{last}",
            "year_outside_programme",
        )
    twins = AllocationDecision.objects.filter(
        unit=decision.unit, number=number.strip(), date=decision.date
    ).exclude(pk=decision.pk)
    if twins.exists():
        raise refuse(
            f"Đơn vị đã có quyết định số {number} ngày {decision.date:%d/%m/%Y}",
            f"the unit already has decision {number} of {decision.date:%d/%m/%Y}",
            "duplicate_decision",
        )


def decision_create(
    actor: AnyUser,
    *,
    unit: AdminUnit,
    number: str,
    date: date,
    issuer: str,
    title: str,
    year: int,
    programme_id: str,
) -> AllocationDecision:
    """A new allocation decision of ``unit`` (number unique with its date in the unit)."""
    decision = AllocationDecision(
        unit=unit,
        number=number.strip(),
        date=date,
        issuer=issuer.strip(),
        title=title.strip(),
        year=year,
        programme_id=programme_id,
        created_by_id=actor_id(actor),
    )
    require(can_manage_decision(actor, decision), *_NO_RIGHT)
    _check_decision(decision, number=number, year=year, programme_id=programme_id)
    with transaction.atomic():
        decision.save()
        log(actor, "decision_create", decision, **_values(decision, DECISION_FIELDS))
    return decision


def _values(obj: object, fields: tuple[str, ...]) -> dict[str, object]:
    return {f: getattr(obj, f) for f in fields}


def _check_lines_fit(decision: AllocationDecision) -> None:
    """A changed unit or programme must still hold every line of the decision."""
    names = _node_codes(decision.programme_id)
    for line in decision.lines.select_related("commune"):
        if line.node_code not in names:
            raise refuse(
                f"Dòng phân bổ {line.node_code} không có trong chương trình mới",
                f"line {line.node_code} is not in the new programme",
                "node_not_in_programme",
            )
        if line.commune is not None and not line.commune.is_descendant_of(decision.unit):
            raise refuse(
                f"Xã {line.commune.name} của một dòng phân bổ không thuộc đơn vị mới",
                f"commune {line.commune.name} of a line is not under the new unit",
                "commune_outside_unit",
            )


def decision_update(
    actor: AnyUser,
    decision: AllocationDecision,
    *,
    unit: AdminUnit,
    number: str,
    date: date,
    issuer: str,
    title: str,
    year: int,
    programme_id: str,
) -> AllocationDecision:
    """Change a decision's heading (moving it to another unit needs the right there too)."""
    require(can_manage_decision(actor, decision), *_NO_RIGHT)
    before = _values(decision, DECISION_FIELDS)
    changed = AllocationDecision(
        pk=decision.pk,
        unit=unit,
        number=number.strip(),
        date=date,
        issuer=issuer.strip(),
        title=title.strip(),
        year=year,
        programme_id=programme_id,
    )
    require(can_manage_decision(actor, changed), *_NO_RIGHT)
    _check_decision(changed, number=number, year=year, programme_id=programme_id)
    if unit.pk != decision.unit_id or programme_id != decision.programme_id:
        _check_lines_fit(changed)
    after = _values(changed, DECISION_FIELDS)
    diff = {k: [before[k], after[k]] for k in DECISION_FIELDS if before[k] != after[k]}
    if not diff:
        return decision
    with transaction.atomic():
        for name in DECISION_FIELDS:
            setattr(decision, name, after[name])
        decision.save()
        log(actor, "decision_update", decision, **diff)
    return decision


# --- lines -------------------------------------------------------------------------------------
def _node_codes(programme_id: str) -> set[str]:
    try:
        return {n.code for n in programme_by_id(programme_id).walk()}
    except UnknownProgramme:
        return set()


def _check_line(
    decision: AllocationDecision,
    *,
    commune: AdminUnit | None,
    project: Project | None,
    node_code: str,
    source: str,
    amount: int,
) -> None:
    if node_code not in _node_codes(decision.programme_id):
        raise refuse(
            f"Chương trình {decision.programme_id} không có hạng mục «{node_code}»",
            f"programme {decision.programme_id} has no node '{node_code}'",
            "unknown_node",
        )
    if source not in SOURCES:
        raise refuse(
            f"«{source}» không phải là một nguồn vốn",
            f"'{source}' is not a funding source",
            "unknown_source",
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse(
            "Số tiền phân bổ phải là số đồng dương",
            "an allocated amount must be a positive number of đồng",
            "amount_not_positive",
        )
    if commune is not None:
        _check_commune(decision, commune)
    if project is not None:
        _check_project(decision, project, commune, node_code)


def _check_commune(decision: AllocationDecision, commune: AdminUnit) -> None:
    if commune.level != Level.COMMUNE or not commune.is_descendant_of(decision.unit):
        raise refuse(
            f"{commune.name} không phải là một xã thuộc {decision.unit.name}",
            f"{commune.name} is not a commune under {decision.unit.name}",
            "commune_outside_unit",
        )


def _check_project(
    decision: AllocationDecision, project: Project, commune: AdminUnit | None, node_code: str
) -> None:
    if project.programme_id != decision.programme_id or project.node_code != node_code:
        raise refuse(
            f"Dự án «{project.name}» thuộc hạng mục {project.node_code}, không phải {node_code}",
            f"project '{project.name}' is under node {project.node_code}, not {node_code}",
            "project_node_mismatch",
        )
    if commune is not None and not project.communes.filter(pk=commune.pk).exists():
        raise refuse(
            f"Dự án «{project.name}» không thực hiện ở {commune.name}",
            f"project '{project.name}' does not cover {commune.name}",
            "project_commune",
        )


def _spent(allocation: Allocation) -> tuple[int, int]:
    """What was disbursed and settled from the line (read inside the caller's lock)."""
    disbursed = allocation.disbursements.aggregate(t=Sum("amount"))["t"] or 0
    settled = allocation.settlements.aggregate(t=Sum("amount"))["t"] or 0
    return int(disbursed), int(settled)


def _locked(allocation: Allocation) -> Allocation:
    """The line re-read under a row lock: concurrent writers of one line take turns."""
    return (
        Allocation.objects.select_for_update()
        .select_related("decision__unit")
        .get(pk=allocation.pk)
    )


def allocation_add(
    actor: AnyUser,
    decision: AllocationDecision,
    *,
    commune: AdminUnit | None,
    project: Project | None,
    node_code: str,
    source: str,
    amount: int,
) -> Allocation:
    """A new line of the decision: ``amount`` of ``source`` for ``node_code``, to ``commune``
    (None: kept at the issuing unit), optionally for one ``project``."""
    require(can_manage_decision(actor, decision), *_NO_RIGHT)
    fields = {
        "commune": commune,
        "project": project,
        "node_code": node_code,
        "source": source,
        "amount": amount,
    }
    _check_line(decision, **fields)  # type: ignore[arg-type]
    with transaction.atomic():
        line = Allocation.objects.create(decision=decision, **fields)
        log(actor, "allocation_add", line, decision=decision.pk, **fields)
    return line


def _below(disbursed: int, settled: int, amount: int, removing: bool) -> None:
    if disbursed > amount or (removing and disbursed):
        d_vi, d_en = _vnd(disbursed)
        a_vi, a_en = _vnd(amount)
        if removing:
            vi = f"Dòng phân bổ đã giải ngân {d_vi}, không xóa được"
            en = f"{d_en} has been disbursed from this line; it cannot be removed"
        else:
            vi = f"Không giảm dòng phân bổ xuống {a_vi}: đã giải ngân {d_vi}"
            en = f"the line cannot be lowered to {a_en}: {d_en} has been disbursed"
        raise refuse(vi, en, "below_disbursed")
    if removing and settled:
        s_vi, s_en = _vnd(settled)
        raise refuse(
            f"Dòng phân bổ đã quyết toán {s_vi}, không xóa được",
            f"{s_en} has been settled on this line; it cannot be removed",
            "has_settlements",
        )


def allocation_update(
    actor: AnyUser,
    allocation: Allocation,
    *,
    commune: AdminUnit | None,
    project: Project | None,
    node_code: str,
    source: str,
    amount: int,
) -> Allocation:
    """Change a line; never below what was already disbursed from it (``below_disbursed``)."""
    require(can_manage_decision(actor, allocation.decision), *_NO_RIGHT)
    fields = {
        "commune": commune,
        "project": project,
        "node_code": node_code,
        "source": source,
        "amount": amount,
    }
    _check_line(allocation.decision, **fields)  # type: ignore[arg-type]
    with transaction.atomic():
        line = _locked(allocation)
        disbursed, settled = _spent(line)
        _below(disbursed, settled, amount, removing=False)
        diff = {k: [getattr(line, k), v] for k, v in fields.items() if getattr(line, k) != v}
        if not diff:
            return line
        for name, value in fields.items():
            setattr(line, name, value)
        line.save()
        log(actor, "allocation_update", line, **diff)
    return line


def allocation_remove(actor: AnyUser, allocation: Allocation) -> None:
    """Remove a line from which nothing was disbursed or settled."""
    require(can_manage_decision(actor, allocation.decision), *_NO_RIGHT)
    with transaction.atomic():
        line = _locked(allocation)
        disbursed, settled = _spent(line)
        _below(disbursed, settled, line.amount, removing=True)
        log(
            actor,
            "allocation_remove",
            line,
            decision=line.decision_id,
            **{k: getattr(line, k) for k in LINE_FIELDS},
        )
        line.delete()


# --- disbursements and settlements -------------------------------------------------------------
def _check_movement(allocation: Allocation, on: date, amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse(
            "Số tiền phải là số đồng dương",
            "the amount must be a positive number of đồng",
            "amount_not_positive",
        )
    decided = allocation.decision.date
    if on < decided:
        raise refuse(
            f"Ngày {on:%d/%m/%Y} trước ngày quyết định phân bổ ({decided:%d/%m/%Y})",
            f"{on:%d/%m/%Y} is before the allocation decision ({decided:%d/%m/%Y})",
            "before_decision",
        )


def _line_name(line: Allocation) -> tuple[str, str]:
    place = line.commune.name if line.commune is not None else line.decision.unit.name
    vi = f"{line.node_code}, {place}, {source_label(line.source, 'vi')}"
    en = f"{line.node_code}, {place}, {source_label(line.source, 'en')}"
    return vi, en


def _move(
    model: type[M], actor: AnyUser, line: Allocation, *, on: date, amount: int, reference: str
) -> M:
    """Write one disbursement or settlement of a locked line, with its audit row."""
    made: M = model._default_manager.create(
        allocation=line,
        on=on,
        amount=amount,
        reference=reference.strip(),
        created_by_id=actor_id(actor),
    )
    action = f"{model._meta.model_name}_record"
    log(actor, action, made, allocation=line.pk, on=on, amount=amount, reference=made.reference)
    return made


def disbursement_record(
    actor: AnyUser, allocation: Allocation, *, on: date, amount: int, reference: str = ""
) -> Disbursement:
    """Money paid out of the line on ``on`` (its quarter follows); refused (``chain_break``)
    when it would take the line's disbursements beyond its allocation."""
    require(can_spend(actor, allocation), *_NO_SPEND)
    _check_movement(allocation, on, amount)
    with transaction.atomic():
        line = _locked(allocation)
        disbursed, _settled = _spent(line)
        if disbursed + amount > line.amount:
            left = line.amount - disbursed
            name_vi, name_en = _line_name(line)
            raise refuse(
                f"Dòng {name_vi}: phân bổ {_vnd(line.amount)[0]}, đã giải ngân "
                f"{_vnd(disbursed)[0]}, chỉ còn {_vnd(left)[0]}; không giải ngân được "
                f"{_vnd(amount)[0]}",
                f"line {name_en}: {_vnd(line.amount)[1]} allocated, {_vnd(disbursed)[1]} "
                f"disbursed, only {_vnd(left)[1]} left; {_vnd(amount)[1]} cannot be disbursed",
                "chain_break",
            )
        made = _move(Disbursement, actor, line, on=on, amount=amount, reference=reference)
    return made


def settlement_record(
    actor: AnyUser, allocation: Allocation, *, on: date, amount: int, reference: str = ""
) -> Settlement:
    """The settled amount of the line (quyết toán); refused (``chain_break``) when it would
    take the line's settlements beyond what was disbursed from it."""
    require(can_spend(actor, allocation), *_NO_SPEND)
    _check_movement(allocation, on, amount)
    with transaction.atomic():
        line = _locked(allocation)
        disbursed, settled = _spent(line)
        if settled + amount > disbursed:
            left = disbursed - settled
            name_vi, name_en = _line_name(line)
            raise refuse(
                f"Dòng {name_vi}: đã giải ngân {_vnd(disbursed)[0]}, đã quyết toán "
                f"{_vnd(settled)[0]}, chỉ còn {_vnd(left)[0]}; không quyết toán được "
                f"{_vnd(amount)[0]}",
                f"line {name_en}: {_vnd(disbursed)[1]} disbursed, {_vnd(settled)[1]} "
                f"settled, only {_vnd(left)[1]} left; {_vnd(amount)[1]} cannot be settled",
                "chain_break",
            )
        made = _move(Settlement, actor, line, on=on, amount=amount, reference=reference)
    return made
