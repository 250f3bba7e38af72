"""What an officer downloads: a batch's rows with their errors marked, and the template
pre-filled with a commune's households."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from giamngheo.accounts.access import can_manage_unit, can_view_national_id
from giamngheo.core.identity import mask_national_id
from giamngheo.core.records.headings import (
    HOUSEHOLD,
    HOUSEHOLD_HEADINGS,
    MEMBER_HEADINGS,
    Columns,
    letter,
    template_headings,
)
from giamngheo.core.standards import Standard, standard_for
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.imports.batch import CHUNK, load_batch
from giamngheo.registry.models import (
    CAUSES,
    POLICY_FLAGS,
    Household,
    HouseholdStatus,
    ImportBatch,
    ImportRow,
    Member,
    Relationship,
    ReviewKind,
    ReviewRecord,
    Sex,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from giamngheo.registry.audit import AnyUser

ERROR_HEADING = "Lỗi / Errors"
_RED = "FFC7CE"


def import_errors_xlsx(
    *, batch: ImportBatch | int, actor: AnyUser, only_errors: bool = False
) -> bytes:
    """The rows as read, with an error column and the cells in error filled red.
    ID numbers are masked unless the actor may see them."""
    from openpyxl import Workbook

    b = load_batch(batch)
    if not can_manage_unit(actor, b.scope):
        raise PermissionDenied("Không có quyền / no permission")
    show_ids = can_view_national_id(actor)
    wb = Workbook(write_only=True)
    for sheet in b.sheets or []:
        rows = ImportRow.objects.filter(batch=b, sheet=sheet["name"]).order_by("pk")
        if only_errors:
            rows = rows.filter(valid=False)
        _error_sheet(wb, sheet, rows, show_ids=show_ids)
    if not b.sheets:
        ws = wb.create_sheet(title="Lỗi")
        ws.append([ERROR_HEADING])
        for e in b.file_errors:
            ws.append([f"{e['message_vi']} / {e['message_en']}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _error_sheet(
    wb: Workbook, sheet: dict[str, Any], rows: QuerySet[ImportRow], *, show_ids: bool
) -> None:
    """One sheet of the error file: its headings and rows, the error column last."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    red = PatternFill("solid", fgColor=_RED)
    bold = Font(bold=True)
    ws: WriteOnlyWorksheet = wb.create_sheet(title=sheet["name"][:31])
    headings: list[str] = sheet["headings"]
    wanted = HOUSEHOLD_HEADINGS if sheet["kind"] == HOUSEHOLD else MEMBER_HEADINGS
    cols = Columns(headings, wanted)
    id_cols = {cols.index[f] for f in ("national_id", "head_national_id") if f in cols.index}
    head_cells = []
    for h in [*headings, ERROR_HEADING]:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    for row in rows.only("raw", "errors", "row_number").iterator(chunk_size=CHUNK):
        bad_letters = {e["letter"] for e in row.errors}
        cells = []
        for i, raw_value in enumerate(row.raw):
            value = raw_value
            if i in id_cols and not show_ids and isinstance(value, str | int) and value:
                value = mask_national_id(str(value))
            cell = WriteOnlyCell(ws, value=value)
            if letter(i) in bad_letters:
                cell.fill = red
            cells.append(cell)
        cells += [WriteOnlyCell(ws, value=None) for _ in range(len(headings) - len(cells))]
        text = "; ".join(
            f"[{e['column'] or '-'}] {e['message_vi']} / {e['message_en']}" for e in row.errors
        )
        if text:
            text = f"Dòng/row {row.row_number}: {text}"
        err = WriteOnlyCell(ws, value=text or None)
        if text:
            err.fill = red
        ws.append([*cells, err])


_REL_VI = {r.value: str(r.label) for r in Relationship}
_SEX_VI = {Sex.MALE.value: "Nam", Sex.FEMALE.value: "Nữ"}


def import_template_xlsx(*, actor: AnyUser, commune: AdminUnit, year: int) -> bytes:
    """The two-sheet template for ``year``'s periodic review of ``commune``, pre-filled with
    its active households, their members and their ``year - 1`` review (income, score,
    indicators, causes). ID numbers are masked unless the actor may see them; a masked
    number left as it is keeps the registered number on import."""
    from openpyxl import Workbook

    if not can_manage_unit(actor, commune):
        raise PermissionDenied("Không có quyền / no permission")
    std = standard_for(year, "periodic")
    hh_head, mem_head = template_headings(std)
    show_ids = can_view_national_id(actor)
    wb = Workbook(write_only=True)
    ws_h = wb.create_sheet("Hộ")
    ws_m = wb.create_sheet("Thành viên")
    ws_h.append(hh_head)
    ws_m.append(mem_head)
    households = (
        Household.objects.filter(commune=commune, status=HouseholdStatus.ACTIVE)
        .select_related("village")
        .order_by("code")
    )
    last = 0
    while True:
        chunk = list(households.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        last = chunk[-1].pk
        prev: dict[int, ReviewRecord] = {}
        for r in ReviewRecord.objects.current().filter(
            household__in=chunk, year=year - 1, kind=ReviewKind.PERIODIC
        ):
            prev[r.household_id] = r
        members: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household__in=chunk).order_by("pk"):
            members.setdefault(m.household_id, []).append(m)
        for h in chunk:
            ws_h.append(_template_household(h, commune, std, prev.get(h.pk), members.get(h.pk, [])))
            for m in members.get(h.pk, []):
                ws_m.append(_template_member(h, m, show_ids=show_ids))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _template_household(
    h: Household,
    commune: AdminUnit,
    std: Standard,
    prev: ReviewRecord | None,
    members: Sequence[Member],
) -> list[object]:
    """A household's row of the template, with its previous review's figures."""
    inputs = prev.inputs if prev is not None else {}
    causes = set(prev.causes) if prev is not None else set()
    row: list[object] = [
        h.code,
        commune.code,
        h.village.name if h.village else "",
        h.head_name,
        h.address,
        int(h.ethnic_minority),
        *(int(getattr(h, f)) for f in POLICY_FLAGS),
        len(members) or None,
        inputs.get("income"),
    ]
    if std.score_rule is not None:
        row.append(inputs.get("income_score"))
    row += [inputs.get(ind.column) for ind in std.indicators]
    row += [int(k in causes) for k in CAUSES]
    return row


def _template_member(h: Household, m: Member, *, show_ids: bool) -> list[object]:
    return [
        h.code,
        m.full_name,
        _SEX_VI.get(m.sex, m.sex),
        m.birth_date or m.birth_year,
        _REL_VI.get(m.relationship, m.relationship),
        m.ethnicity,
        m.national_id if show_ids else mask_national_id(m.national_id) if m.national_id else "",
        int(m.health_insurance),
        int(m.in_school),
        int(m.disability),
    ]
