"""Changes to plans. Every write happens here, inside ``transaction.atomic``, after an access
check, and leaves a ``PlanChange`` row naming the user (the time is set by the database row).

* ``plan_create``: a new plan with its objectives;
* ``plan_import``: the annex table from a file or pasted text — all or nothing;
* ``plan_rows_update``: the officer's edits of columns 1, 2, 3, 5;
* ``plan_propose`` / ``plan_apply_proposal``: the core's proposal of column 5;
* ``plan_export``: the table in the official layout (xlsx, pdf, csv).

Printed values (4, 6, 7 and the total rows, as the imported document printed them) describe
the numbers they were printed for: when a row's entered numbers change, its printed values are
cleared, and the printed total rows as well, so the checks never compare new numbers with an
old document's arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from giamngheo.accounts.access import can_manage_unit
from giamngheo.core.numbers import Lang
from giamngheo.core.plan import writer
from giamngheo.core.plan.calc import recompute_table
from giamngheo.core.plan.model import PlanTable
from giamngheo.core.plan.propose import Proposal, propose
from giamngheo.core.plan.reader import PlanReadError, read_plan_table
from giamngheo.geo.models import AdminUnit, Area
from giamngheo.geo.services import UnitNameError, match_unit
from giamngheo.plans.models import (
    ChangeAction,
    Plan,
    PlanChange,
    PlanObjective,
    PlanPrintedTotal,
    PlanRow,
    Section,
)
from giamngheo.plans.selectors import plan_communes, plan_objectives, plan_rows, plan_table

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

ExportFormat = Literal["xlsx", "pdf", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("xlsx", "pdf", "csv")
ENTERED_FIELDS = ("households", "ethnic_minority", "poor", "reduction")


# -- errors ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportProblem:
    """One reason an import was rejected, located in the source: file, row (line) and column
    in the table's own numbering (A, B, 1 … 7) where known."""

    file: str
    row: int | None
    column: str | None
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", dòng/row {self.row}"
        if self.column:
            where += f", cột/column {self.column}"
        return f"{where}: {self.message}"


class PlanImportError(Exception):
    """The table was rejected; nothing was stored. ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


class PlanRowsError(ValueError):
    """Edited values the plan cannot take (bilingual)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


# -- helpers --------------------------------------------------------------------------------
def _require_manage(user: AbstractBaseUser, unit: AdminUnit) -> None:
    if not can_manage_unit(user, unit):
        raise PermissionDenied("Không có quyền thay đổi kế hoạch của đơn vị này.")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _log(
    *,
    plan: Plan,
    user: AbstractBaseUser,
    action: str,
    row: PlanRow | None = None,
    field_name: str = "",
    old: object = None,
    new: object = None,
) -> PlanChange:
    return PlanChange(
        plan=plan,
        row=row,
        unit_id=row.unit_id if row is not None else None,
        user_id=user.pk,
        action=action,
        field=field_name,
        old=_text(old),
        new=_text(new),
    )


def _apply_changes(
    row: PlanRow, new: Mapping[str, object], *, plan: Plan, user: AbstractBaseUser, action: str
) -> tuple[list[str], list[PlanChange]]:
    """Set on ``row`` the fields of ``new`` whose value differs; return their names and one
    audit entry each (old → new). The caller saves the row and stores the entries."""
    changed = [name for name, value in new.items() if getattr(row, name) != value]
    log = [
        _log(
            plan=plan,
            user=user,
            action=action,
            row=row,
            field_name=name,
            old=getattr(row, name),
            new=new[name],
        )
        for name in changed
    ]
    for name in changed:
        setattr(row, name, new[name])
    return changed, log


def _touch(plan: Plan, user: AbstractBaseUser) -> None:
    plan.updated_by_id = user.pk
    plan.save(update_fields=["updated_by", "updated_at"])


def _section_of(unit: AdminUnit) -> str:
    return Section.URBAN if unit.area == Area.URBAN else Section.RURAL


def _clear_printed(row: PlanRow, plan: Plan, user: AbstractBaseUser) -> list[PlanChange]:
    log: list[PlanChange] = []
    for name in ("printed_rate", "printed_remaining", "printed_projected_rate"):
        old = getattr(row, name)
        if old not in (None, ""):
            log.append(
                _log(
                    plan=plan,
                    user=user,
                    action=ChangeAction.EDIT,
                    row=row,
                    field_name=name,
                    old=old,
                )
            )
            setattr(row, name, None if name == "printed_remaining" else "")
    return log


def _clear_printed_totals(plan: Plan, user: AbstractBaseUser, action: str) -> list[PlanChange]:
    totals = list(plan.printed_totals.all())
    if not totals:
        return []
    plan.printed_totals.all().delete()
    return [
        _log(
            plan=plan,
            user=user,
            action=action,
            field_name="printed_totals",
            old="; ".join(t.name for t in totals),
        )
    ]


# -- create ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommuneObjectiveInput:
    unit: AdminUnit
    min_points: Decimal
    max_points: Decimal | None = None


@transaction.atomic
def plan_create(
    *,
    user: AbstractBaseUser,
    year: int,
    issuing_unit: AdminUnit,
    document_number: str,
    document_date: dt.date,
    title: str,
    baseline_year: int,
    min_reduction_points: Decimal | None = None,
    strict: bool = False,
    commune_objectives: Sequence[CommuneObjectiveInput] = (),
) -> Plan:
    """Create a plan (no rows yet: they come from an import or the edit page)."""
    _require_manage(user, issuing_unit)
    plan = Plan.objects.create(
        year=year,
        issuing_unit=issuing_unit,
        document_number=document_number.strip(),
        document_date=document_date,
        title=title.strip(),
        baseline_year=baseline_year,
        min_reduction_points=min_reduction_points,
        strict=strict,
        created_by_id=user.pk,
        updated_by_id=user.pk,
    )
    log = [
        _log(
            plan=plan,
            user=user,
            action=ChangeAction.CREATE,
            field_name=name,
            new=getattr(plan, name),
        )
        for name in (
            "year",
            "document_number",
            "document_date",
            "title",
            "baseline_year",
            "min_reduction_points",
            "strict",
        )
    ]
    for objective in commune_objectives:
        PlanObjective.objects.create(
            plan=plan,
            unit=objective.unit,
            min_points=objective.min_points,
            max_points=objective.max_points,
        )
        rng = f"{objective.min_points}–{_text(objective.max_points)}"
        log.append(
            _log(
                plan=plan,
                user=user,
                action=ChangeAction.CREATE,
                field_name=f"objective:{objective.unit.name}",
                new=rng,
            )
        )
    PlanChange.objects.bulk_create(log)
    return plan


# -- import ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    deleted: int
    unchanged: int


def _read_table(data: bytes | Path, filename: str) -> PlanTable:
    try:
        return read_plan_table(data, filename)
    except PlanReadError as exc:
        problem = ImportProblem(
            file=exc.file or filename,
            row=exc.row,
            column=exc.column,
            message_vi=exc.message_vi,
            message_en=exc.message_en,
        )
        raise PlanImportError([problem]) from exc


def _match_rows(
    plan: Plan, table: PlanTable, filename: str
) -> tuple[list[AdminUnit], list[ImportProblem]]:
    communes = plan_communes(plan=plan)
    problems: list[ImportProblem] = []
    units: list[AdminUnit] = []
    seen: dict[int, str] = {}
    if not table.rows:
        problems.append(
            ImportProblem(
                filename, None, None, "Bảng không có dòng đơn vị nào", "The table has no unit rows"
            )
        )
    for row in table.rows:
        try:
            unit = match_unit(row.name, communes, plan.document_date)
        except UnitNameError as exc:
            problems.append(
                ImportProblem(filename, row.source_row, "B", exc.message_vi, exc.message_en)
            )
            continue
        if unit.pk in seen:
            problems.append(
                ImportProblem(
                    filename,
                    row.source_row,
                    "B",
                    f"«{row.name}» là cùng đơn vị với dòng «{seen[unit.pk]}» ({unit})",
                    f"'{row.name}' is the same unit as the row '{seen[unit.pk]}' ({unit})",
                )
            )
            continue
        seen[unit.pk] = row.name
        units.append(unit)
    return units, problems


@transaction.atomic
def plan_import(
    *, plan: Plan, user: AbstractBaseUser, data: bytes | str | Path, filename: str
) -> ImportResult:
    """Replace the plan's table by the one read from ``data`` (.xlsx, .csv or tab-separated
    .txt; pasted text is passed as ``str`` with a ``.txt`` name).

    Every name must match exactly one commune-level unit under the issuing unit valid on the
    plan's document date, and no unit may appear twice. If anything is wrong — the file
    cannot be read, a number cannot be read without guessing, a name is unknown or
    ambiguous, a unit is repeated — nothing is stored and ``PlanImportError`` lists every
    problem with its file, row and column.

    Rows of units absent from the new table are deleted; all changes are logged as
    ``import``.
    """
    _require_manage(user, plan.issuing_unit)
    if isinstance(data, str):
        data = data.encode("utf-8")
    table = _read_table(data, filename)
    units, problems = _match_rows(plan, table, filename)
    if problems:
        raise PlanImportError(problems)

    existing = {r.unit_id: r for r in plan.rows.select_for_update()}
    log: list[PlanChange] = []
    created = updated = unchanged = 0
    keep: set[int] = set()
    for order, (core, unit) in enumerate(zip(table.rows, units, strict=True), start=1):
        values: dict[str, object] = {
            "order": order,
            "number": core.number,
            "name_as_printed": core.name,
            "section": _section_of(unit),
            "households": core.households,
            "ethnic_minority": core.ethnic_minority,
            "poor": core.poor,
            "reduction": core.reduction,
            "printed_rate": _text(core.printed_rate),
            "printed_remaining": core.printed_remaining,
            "printed_projected_rate": _text(core.printed_projected_rate),
        }
        keep.add(unit.pk)
        row = existing.get(unit.pk)
        if row is None:
            row = PlanRow.objects.create(plan=plan, unit=unit, **values)
            created += 1
            log += [
                _log(plan=plan, user=user, action=ChangeAction.IMPORT, row=row, field_name=k, new=v)
                for k, v in values.items()
                if k in ENTERED_FIELDS or k == "name_as_printed"
            ]
            continue
        changed, entries = _apply_changes(
            row, values, plan=plan, user=user, action=ChangeAction.IMPORT
        )
        if not changed:
            unchanged += 1
            continue
        log += entries
        row.save(update_fields=changed)
        updated += 1
    gone = [r for unit_id, r in existing.items() if unit_id not in keep]
    for row in gone:
        log.append(
            _log(
                plan=plan,
                user=user,
                action=ChangeAction.IMPORT,
                row=None,
                field_name="row",
                old=row.name_as_printed,
            )
        )
        log[-1].unit_id = row.unit_id
    PlanRow.objects.filter(pk__in=[r.pk for r in gone]).delete()

    old_totals = list(plan.printed_totals.all())
    plan.printed_totals.all().delete()
    PlanPrintedTotal.objects.bulk_create(
        PlanPrintedTotal(
            plan=plan,
            section=t.section.value if t.section is not None else "",
            order=i,
            number=t.number,
            name=t.name,
            households=t.households,
            ethnic_minority=t.ethnic_minority,
            poor=t.poor,
            rate=_text(t.rate),
            reduction=t.reduction,
            remaining=t.remaining,
            projected_rate=_text(t.projected_rate),
        )
        for i, t in enumerate(table.totals, start=1)
    )
    old_names = "; ".join(t.name for t in old_totals)
    new_names = "; ".join(t.name for t in table.totals)
    if old_totals or table.totals:
        log.append(
            _log(
                plan=plan,
                user=user,
                action=ChangeAction.IMPORT,
                field_name="printed_totals",
                old=old_names,
                new=new_names,
            )
        )
    log.append(
        _log(plan=plan, user=user, action=ChangeAction.IMPORT, field_name="file", new=filename)
    )
    PlanChange.objects.bulk_create(log)
    _touch(plan, user)
    return ImportResult(created=created, updated=updated, deleted=len(gone), unchanged=unchanged)


# -- edit -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowInput:
    households: int
    ethnic_minority: int
    poor: int
    reduction: int | None


@transaction.atomic
def plan_rows_update(*, plan: Plan, user: AbstractBaseUser, values: Mapping[int, RowInput]) -> int:
    """Set columns 1, 2, 3, 5 of the rows whose pk is in ``values``; returns the number of
    rows changed. Changed rows lose their printed 4, 6, 7 and the plan its printed totals."""
    _require_manage(user, plan.issuing_unit)
    rows = {r.pk: r for r in plan.rows.select_for_update().filter(pk__in=list(values))}
    missing = set(values) - set(rows)
    if missing:
        raise PlanRowsError("Dòng không thuộc kế hoạch này", "A row does not belong to this plan")
    for pk, v in values.items():
        for name in ENTERED_FIELDS:
            number = getattr(v, name)
            if number is not None and number < 0:
                raise PlanRowsError(
                    f"«{rows[pk].name_as_printed}»: số không được âm",
                    f"'{rows[pk].name_as_printed}': numbers cannot be negative",
                )
    log: list[PlanChange] = []
    changed_rows = 0
    for pk, v in values.items():
        row = rows[pk]
        changed, entries = _apply_changes(
            row,
            {name: getattr(v, name) for name in ENTERED_FIELDS},
            plan=plan,
            user=user,
            action=ChangeAction.EDIT,
        )
        if not changed:
            continue
        log += entries
        log += _clear_printed(row, plan, user)
        row.save()
        changed_rows += 1
    if changed_rows:
        log += _clear_printed_totals(plan, user, ChangeAction.EDIT)
        PlanChange.objects.bulk_create(log)
        _touch(plan, user)
    return changed_rows


# -- proposal -------------------------------------------------------------------------------
def _propose(plan: Plan, rows: list[PlanRow], keep: set[int]) -> Proposal:
    overrides = {
        r.name_as_printed: r.reduction for r in rows if r.pk in keep and r.reduction is not None
    }
    return propose(
        plan_table(plan=plan, rows=rows),
        plan_objectives(plan=plan, rows=rows),
        overrides=overrides or None,
    )


def _kept(rows: list[PlanRow], keep: Sequence[int]) -> set[int]:
    """Rows the officer keeps: only rows that have a value to keep."""
    wanted = set(keep)
    return {r.pk for r in rows if r.pk in wanted and r.reduction is not None}


def plan_propose(*, plan: Plan, keep: Sequence[int] = ()) -> Proposal:
    """The core's proposal of column 5 for the stored plan (see
    ``giamngheo.core.plan.propose`` for the rule). ``keep``: pks of rows whose current
    column 5 the officer keeps ("giữ số của tôi"). Raises ``ProposalError`` when the
    objectives cannot be met."""
    rows = list(plan_rows(plan=plan))
    return _propose(plan, rows, _kept(rows, keep))


@transaction.atomic
def plan_apply_proposal(*, plan: Plan, user: AbstractBaseUser, keep: Sequence[int] = ()) -> int:
    """Compute the proposal again (never trust numbers posted back) and store its column 5.
    Rows in ``keep`` keep their value (logged as ``override``); the others are logged as
    ``propose``. Returns the number of rows whose column 5 changed."""
    _require_manage(user, plan.issuing_unit)
    rows = list(
        plan.rows.select_for_update(of=("self",)).select_related("unit").order_by("order", "pk")
    )
    kept = _kept(rows, keep)
    proposal = _propose(plan, rows, kept)
    proposed = {r.name: r.reduction for r in proposal.table.rows}
    log: list[PlanChange] = []
    changed = 0
    for row in rows:
        if row.pk in kept:
            log.append(
                _log(
                    plan=plan,
                    user=user,
                    action=ChangeAction.OVERRIDE,
                    row=row,
                    field_name="reduction",
                    old=row.reduction,
                    new=row.reduction,
                )
            )
            continue
        new = proposed.get(row.name_as_printed, row.reduction)
        if new == row.reduction:
            continue
        log.append(
            _log(
                plan=plan,
                user=user,
                action=ChangeAction.PROPOSE,
                row=row,
                field_name="reduction",
                old=row.reduction,
                new=new,
            )
        )
        row.reduction = new
        log += _clear_printed(row, plan, user)
        row.save()
        changed += 1
    if changed:
        log += _clear_printed_totals(plan, user, ChangeAction.PROPOSE)
    if log:
        PlanChange.objects.bulk_create(log)
        _touch(plan, user)
    return changed


# -- export ---------------------------------------------------------------------------------
def export_format(filename: str) -> ExportFormat:
    suffix = Path(filename).suffix.lower().lstrip(".")
    for fmt in EXPORT_FORMATS:
        if suffix == fmt:
            return fmt
    raise ValueError(
        f"Không xuất được «{filename}»: chỉ hỗ trợ .xlsx, .pdf, .csv / "
        f"cannot export '{filename}': only .xlsx, .pdf, .csv"
    )


def plan_export(*, plan: Plan, out: IO[bytes] | Path, fmt: ExportFormat, lang: Lang = "vi") -> None:
    """Write the plan's table in the official layout (title rows, headings with the formula
    labels, sections I and II with subtotals, III). Columns 4, 6, 7 and the totals are
    recomputed from the stored numbers: an export is the plan as it stands, not the
    arithmetic of the document it was imported from."""
    table = recompute_table(plan_table(plan=plan))
    if fmt == "xlsx":
        writer.write_xlsx(table, out, export_meta(plan, lang))
    elif fmt == "pdf":
        writer.write_pdf(table, out, export_meta(plan, lang))
    else:
        writer.write_csv(table, out, lang)


def export_meta(plan: Plan, lang: Lang = "vi") -> writer.WriteMeta:
    """Title rows as in the seed: "CHỈ TIÊU GIẢM NGHÈO NĂM 2020" and "(Ban hành theo Kế
    hoạch số 252/KH-UBND ngày 19/02/2020 của UBND huyện Ngọc Hồi)"."""
    unit = plan.issuing_unit.name
    unit = unit[:1].lower() + unit[1:]
    if lang == "vi":
        title = f"CHỈ TIÊU GIẢM NGHÈO NĂM {plan.year}"
        subtitle = (
            f"(Ban hành theo Kế hoạch số {plan.document_number} ngày "
            f"{plan.document_date:%d/%m/%Y} của UBND {unit})"
        )
    else:
        title = f"POVERTY REDUCTION TARGETS {plan.year}"
        subtitle = (
            f"(Issued with plan No. {plan.document_number} of {plan.document_date:%d/%m/%Y} "
            f"of the People's Committee of {plan.issuing_unit.name})"
        )
    return writer.WriteMeta(title=title, subtitle=subtitle, lang=lang, year=plan.year)


__all__ = [
    "EXPORT_FORMATS",
    "CommuneObjectiveInput",
    "ImportProblem",
    "ImportResult",
    "PlanImportError",
    "PlanRowsError",
    "RowInput",
    "export_format",
    "plan_apply_proposal",
    "plan_create",
    "plan_export",
    "plan_import",
    "plan_propose",
    "plan_rows_update",
]
