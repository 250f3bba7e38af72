"""Money writes: allocation decisions and their lines, disbursements and settlements.

Rights (``support.access``): decisions and their lines are changed by officers of the issuing
unit (or above) and members of its finance organisation (``can_manage_decision``);
disbursements and settlements of a line also by the officers of the line's commune
(``can_spend``). Every write is audited (``support_decision_create`` …).

The chain allocated ≥ disbursed ≥ settled holds for every line written here: a disbursement
beyond what is left of the line, a settlement beyond what was disbursed, or dated before the
money it settles was disbursed (``check_dated_chain``), and a line lowered (or removed) below
what was already disbursed are refused (codes ``chain_break`` and ``below_disbursed``). Money
once moved stays where it was moved: a line with disbursements or settlements keeps its
commune, project, programme node and source, its decision its programme and (for money kept
at the issuing unit) its unit (``line_in_use``), and the decision is dated no later than its
first movement (``after_movements``). Data can still break the chain when lines are lowered
through the admin or imported; the money page shows those as findings over what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.db.models import Sum

from giamngheo.core.support.funds import SOURCES, Movement, check_dated_chain, source_label
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
    """A changed unit or programme must still hold every line of the decision (its node, its
    commune, its project)."""
    names = _node_codes(decision.programme_id)
    for line in decision.lines.select_related("commune", "project"):
        if line.node_code not in names:
            raise refuse(
                f"Dòng phân bổ {line.node_code} không có trong chương trình mới",
                f"line {line.node_code} is not in the new programme",
                "node_not_in_programme",
            )
        project = line.project
        if project is not None and project.programme_id != decision.programme_id:
            raise refuse(
                f"Dự án «{project.name}» của dòng {line.node_code} thuộc chương trình "
                f"{project.programme_id}, không phải {decision.programme_id}",
                f"project '{project.name}' of line {line.node_code} is in programme "
                f"{project.programme_id}, not {decision.programme_id}",
                "project_node_mismatch",
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
        # the lines' movement writers lock the decision's row too: they take turns with this
        AllocationDecision.objects.select_for_update().filter(pk=decision.pk).first()
        _check_money_follows(decision, changed)
        for name in DECISION_FIELDS:
            setattr(decision, name, after[name])
        decision.save()
        log(actor, "decision_update", decision, **diff)
    return decision


def _first_movement(decision: AllocationDecision, **only: object) -> LineMovement | None:
    """The decision's earliest disbursement or settlement (a disbursement first on a tie),
    with its line, among the lines matching ``only``."""
    found: list[LineMovement] = []
    for model in (Disbursement, Settlement):
        first = (
            model.objects.filter(allocation__decision=decision, **only)
            .select_related("allocation__decision__unit", "allocation__commune")
            .order_by("on", "pk")
            .first()
        )
        if first is not None:
            found.append(first)
    return min(found, key=lambda m: m.on, default=None)


def _check_money_follows(decision: AllocationDecision, changed: AllocationDecision) -> None:
    """A decision with money moved on its lines is dated no later than the first movement
    (``after_movements``), keeps its programme (its lines' nodes are the programme's) and,
    when a line kept at the issuing unit moved money, its unit (``line_in_use``); a changed
    unit is otherwise checked by ``_check_lines_fit`` (each commune stays under it)."""
    moved = (changed.date, changed.programme_id, changed.unit_id)
    if moved == (decision.date, decision.programme_id, decision.unit_id):
        return  # a heading's words only: stored data, right or wrong, is not the change's
    first = _first_movement(decision)
    if first is None:
        return
    line = first.allocation
    name_vi, name_en = _line_name(line)
    if changed.date != decision.date and changed.date > first.on:
        kind_vi, kind_en = (
            ("giải ngân", "disbursed")
            if isinstance(first, Disbursement)
            else ("quyết toán", "settled")
        )
        raise refuse(
            f"Dòng {name_vi} đã {kind_vi} {_vnd(first.amount)[0]} ngày {first.on:%d/%m/%Y}: "
            f"ngày ban hành quyết định ({changed.date:%d/%m/%Y}) không được sau ngày đó",
            f"line {name_en}: {_vnd(first.amount)[1]} was {kind_en} on {first.on:%d/%m/%Y}; "
            f"the decision's date ({changed.date:%d/%m/%Y}) cannot be later than that",
            "after_movements",
        )
    if changed.programme_id != decision.programme_id:
        what_vi, what_en = _moved_words(*_spent(line))
        raise refuse(
            f"Dòng {name_vi} {what_vi}: không đổi được chương trình của quyết định",
            f"line {name_en}: {what_en}; the decision's programme cannot change",
            "line_in_use",
        )
    kept = None
    if changed.unit_id != decision.unit_id:
        kept = _first_movement(decision, allocation__commune__isnull=True)
    if kept is not None:
        line = kept.allocation
        name_vi, name_en = _line_name(line)
        what_vi, what_en = _moved_words(*_spent(line))
        raise refuse(
            f"Dòng {name_vi} (giữ lại ở {decision.unit.name}) {what_vi}: không chuyển quyết "
            f"định sang đơn vị khác được",
            f"line {name_en} (kept at {decision.unit.name}): {what_en}; the decision cannot "
            f"move to another unit",
            "line_in_use",
        )


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


#: What places a line's money (field → its name in both languages): fixed once money moved.
_LINE_PLACE = {
    "commune": ("xã", "commune"),
    "project": ("dự án", "project"),
    "node_code": ("hạng mục", "programme node"),
    "source": ("nguồn vốn", "source"),
}


def _moved_words(disbursed: int, settled: int) -> tuple[str, str]:
    """What moved on a line: "đã giải ngân … và quyết toán …" / "… disbursed and … settled"."""
    vi = [f"giải ngân {_vnd(disbursed)[0]}"] if disbursed else []
    en = [f"{_vnd(disbursed)[1]} disbursed"] if disbursed else []
    if settled:
        vi.append(f"quyết toán {_vnd(settled)[0]}")
        en.append(f"{_vnd(settled)[1]} settled")
    return "đã " + " và ".join(vi), " and ".join(en)


def _keep_place(
    line: Allocation, fields: Mapping[str, object], disbursed: int, settled: int
) -> None:
    """A line money moved on keeps its place (``line_in_use``): only its amount changes."""
    moved = [k for k in _LINE_PLACE if getattr(line, k) != fields[k]]
    if not moved or not (disbursed or settled):
        return
    name_vi, name_en = _line_name(line)
    what_vi, what_en = _moved_words(disbursed, settled)
    raise refuse(
        f"Dòng {name_vi} {what_vi}: không đổi được "
        f"{', '.join(_LINE_PLACE[k][0] for k in moved)} của dòng (chỉ sửa được số tiền)",
        f"line {name_en}: {what_en}; its {', '.join(_LINE_PLACE[k][1] for k in moved)} "
        f"cannot change (only its amount can)",
        "line_in_use",
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
    """Change a line; never below what was already disbursed from it (``below_disbursed``),
    and once money moved on it only its amount (``line_in_use``)."""
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
        _keep_place(line, fields, disbursed, settled)
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
def _check_movement(line: Allocation, on: date, amount: int) -> None:
    """A positive amount, not dated before the decision (of the locked ``line``: a decision
    re-dated meanwhile is read as it now is)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse(
            "Số tiền phải là số đồng dương",
            "the amount must be a positive number of đồng",
            "amount_not_positive",
        )
    decided = line.decision.date
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
    when it would take the line's disbursements beyond its allocation. Its date needs no
    check against the line's settlements: a disbursement only raises what was disbursed by
    each day from its own on, so it never makes an earlier settlement exceed it."""
    require(can_spend(actor, allocation), *_NO_SPEND)
    with transaction.atomic():
        line = _locked(allocation)
        _check_movement(line, on, amount)
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
    take the line's settlements beyond what was disbursed from it, in total or by any day
    from ``on`` (``_check_dated``)."""
    require(can_spend(actor, allocation), *_NO_SPEND)
    with transaction.atomic():
        line = _locked(allocation)
        _check_movement(line, on, amount)
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
        _check_dated(line, on, amount)
        made = _move(Settlement, actor, line, on=on, amount=amount, reference=reference)
    return made


def _check_dated(line: Allocation, on: date, amount: int) -> None:
    """With ``amount`` settled on ``on``, what was settled by each day from ``on`` (inclusive)
    stays within what was disbursed by that day (``core.support.funds.check_dated_chain``).
    What moved before ``on`` counts as of ``on``: a break of stored data healed by then is
    not this settlement's."""
    key = ("line", str(line.pk))
    before: dict[str, int] = {"disbursed": 0, "settled": 0}
    moves = [Movement(key, on, "settled", amount)]
    for kind, model in (("disbursed", Disbursement), ("settled", Settlement)):
        for m in model._default_manager.filter(allocation=line).only("on", "amount"):
            if m.on < on:
                before[kind] += m.amount
            else:
                moves.append(Movement(key, m.on, kind, m.amount))  # type: ignore[arg-type]
    moves += [Movement(key, on, kind, total) for kind, total in before.items()]  # type: ignore[arg-type]
    name_vi, name_en = _line_name(line)
    found_vi = check_dated_chain(moves, {key: f"Dòng {name_vi}"})
    if found_vi:
        (found_en,) = check_dated_chain(moves, {key: f"line {name_en}"})
        raise refuse(
            f"{found_vi[0].message_vi}; không quyết toán được {_vnd(amount)[0]} ngày {on:%d/%m/%Y}",
            f"{found_en.message_en}; {_vnd(amount)[1]} cannot be settled on {on:%d/%m/%Y}",
            "chain_break",
        )
