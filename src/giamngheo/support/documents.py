"""The signed documents of support and money, filled from the ledger: the plain dataclasses of
``giamngheo.core.documents`` (the layout and the templates are the core's), so that every
name, quantity and đồng on paper is the one in the database.

* ``handovers_of(actor, project, …)`` — the handover lists of a project (danh sách hộ nhận hỗ
  trợ kiêm biên bản giao nhận): one list per commune and day of delivery, each household's
  line with a blank "Ký nhận" column, the total and the total in words
  (``core.support.money.amount_in_words``). By default the supports delivered or settled
  (the day is the delivery's); ``approved=True`` lists the approved ones not yet delivered
  (the day is the support's planned date), to be printed before a delivery and signed at it.
  ``day`` and ``commune`` narrow to one list, since a project delivers in several communes on
  several days.

Only reads, scoped like the project page: the project's households the actor may see
(``access.project_households_q``: a commune officer's list holds its own commune's
households). What the ledger does not know is left blank to write by hand: the place of the
delivery and the signers' names (but the preparer's, the actor's own when the account has
one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from giamngheo.core.documents.model import Handover, HandoverRow, Head, Signer
from giamngheo.core.support.money import amount_in_words
from giamngheo.support.access import project_households_q
from giamngheo.support.models import OrgKind, Project, Support, SupportState

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.geo.models import AdminUnit
    from giamngheo.support.models import Organisation

#: The ledger states of what was handed over.
HANDED_OVER = (SupportState.DELIVERED, SupportState.SETTLED)
#: Printed where the ledger does not know the place of the delivery.
BLANK_PLACE = "\u2026" * 14

_KINDS = (
    "Xã ",
    "Phường ",
    "Thị trấn ",
    "Đặc khu ",
    "Huyện ",
    "Quận ",
    "Thị xã ",
    "Thành phố ",
    "Tỉnh ",
    "Thôn ",
    "Làng ",
    "Bản ",
    "Buôn ",
    "Plei ",
    "Ấp ",
    "Tổ dân phố ",
    "Khu phố ",
)


def bare_name(name: str) -> str:
    """A unit's name without its kind ("Đắk Ang" for "Xã Đắk Ang", "Ngọc Tụ" for "Thôn Ngọc
    Tụ"), for place lines and the village column."""
    for prefix in _KINDS:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and not rest.isdigit():  # "Thôn 1" stays "Thôn 1"
            return rest
    return name


def handover_supports(
    actor: AnyUser,
    project: Project,
    *,
    day: date | None = None,
    commune: AdminUnit | None = None,
    approved: bool = False,
) -> QuerySet[Support]:
    """The supports of the project that go on its handover lists, as far as the actor may see
    the households."""
    qs = Support.objects.filter(project=project).filter(project_households_q(actor, project))
    if approved:
        qs = qs.filter(state=SupportState.APPROVED)
        if day is not None:
            qs = qs.filter(on=day)
    else:
        qs = qs.filter(state__in=HANDED_OVER)
        if day is not None:
            qs = qs.filter(Q(delivered_on=day) | Q(delivered_on__isnull=True, on=day))
    if commune is not None:
        qs = qs.filter(household__commune=commune)
    return qs.select_related("household__commune__parent", "household__village").order_by(
        "household__commune__name_key", "household__village__name_key", "household__code", "pk"
    )


def _day_of(support: Support, approved: bool) -> date:
    if approved or support.delivered_on is None:
        return support.on
    return support.delivered_on


def _superior(lead: Organisation, on: date) -> str:
    """The body above the giver in the heading: the People's Committee of the organisation's
    unit, or of the unit above for a commune's own People's Committee (the first one still
    existing on the day: districts were abolished on 1/7/2025)."""
    unit: AdminUnit | None = lead.unit
    if lead.kind == OrgKind.COMMUNE and unit is not None:
        unit = unit.parent
    while unit is not None and not unit.is_valid_on(on) and unit.parent is not None:
        unit = unit.parent
    return f"UBND {unit.name.upper()}" if unit is not None else ""


def _approval(project: Project) -> str:
    if not project.approval_number:
        return ""
    text = f"Quyết định số {project.approval_number}"
    if project.approval_date:
        d = project.approval_date
        text += f" ngày {d.day:02d}/{d.month:02d}/{d.year}"
    if project.approval_body:
        text += f" của {project.approval_body}"
    return text


def _row(s: Support) -> HandoverRow:
    hh = s.household
    return HandoverRow(
        code=hh.code,
        head_name=hh.head_name,
        village=bare_name(hh.village.name) if hh.village else "",
        item=s.item,
        quantity=s.quantity,
        unit_label=s.unit_label,
        value=s.value,
    )


def _handover(
    project: Project, commune: AdminUnit, day: date, supports: list[Support], preparer: str
) -> Handover:
    lead = project.lead
    villages = {s.household.village.name for s in supports if s.household.village is not None}
    village = next(iter(villages)) if len(villages) == 1 else None
    return Handover(
        head=Head(
            superior=_superior(lead, day),
            issuer=lead.name.upper(),
            number=None,
            symbol="",
            place=bare_name(commune.name),
            date=day,
        ),
        project=project.name,
        approval=_approval(project),
        giver=lead.name,
        commune=bare_name(commune.name),
        village=village,
        delivered_on=day,
        place=BLANK_PLACE,
        rows=tuple(_row(s) for s in supports),
        in_words=amount_in_words,
        # the giver's full name is in the heading; only a short one fits above the signature
        giver_signer=Signer("ĐẠI DIỆN ĐƠN VỊ CẤP", lead.short_name.upper(), ""),
        commune_signer=Signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", ""),
        village_signer=Signer("", "TRƯỞNG THÔN" if village else "ĐẠI DIỆN THÔN", ""),
        preparer=Signer("", "NGƯỜI LẬP BIỂU", preparer),
    )


def handovers_of(
    actor: AnyUser,
    project: Project,
    *,
    day: date | None = None,
    commune: AdminUnit | None = None,
    approved: bool = False,
) -> list[Handover]:
    """One handover list per commune and day (communes by name, days in order); empty when
    the actor sees no such support."""
    groups: dict[tuple[int, date], list[Support]] = defaultdict(list)
    communes: dict[int, AdminUnit] = {}
    for s in handover_supports(actor, project, day=day, commune=commune, approved=approved):
        key = (s.household.commune_id, _day_of(s, approved))
        groups[key].append(s)
        communes[s.household.commune_id] = s.household.commune
    order = {pk: i for i, pk in enumerate(communes)}  # the query's order: by commune name
    preparer = str(getattr(actor, "get_full_name", lambda: "")() or "")
    return [
        _handover(project, communes[c], d, groups[(c, d)], preparer)
        for c, d in sorted(groups, key=lambda k: (order[k[0]], k[1]))
    ]
