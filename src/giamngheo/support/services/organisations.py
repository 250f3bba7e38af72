"""Every write of organisations, their members and the plan's tasks, each audited.

* ``org_create`` / ``org_update`` (kind, name, communes served), ``member_add`` /
  ``member_remove`` (a user of the organisation's unit or below whose role is ``department``
  or an officer's: ``access.MEMBER_ROLES``; a leader, approver or collaborator is refused,
  ``role_cannot_join``): officers of the unit;
* ``task_create`` / ``task_update``: lead, partners, due date, recurrence, the plan (of the
  unit or above); ``task_report``: a ``TaskUpdate`` and the task's status (done: the day), by
  the task's managers or members of its lead or partner organisations;
* ``seed_organisations``: the seed plan's organisations (Kế hoạch 252/KH-UBND, Ngọc Hồi, 2020,
  section III) for a district; for a province the departments of the time (from 1/7/2025 after
  the mergers, domain notes §1.2–§1.3: Sở Nông nghiệp và Môi trường leads poverty reduction);
  plus each commune's People's Committee; idempotent;
* ``seed_plan_tasks``: the nine duties of section III as tasks of a plan, one per organisation
  (III.9 once per commune, at the commune), reported quarterly (section IV); idempotent.

Rights are ``support.access``'s (PermissionDenied → 403); rules raise a bilingual
ValidationError with a stable code before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation

from giamngheo.accounts.access import can_manage_unit, get_profile
from giamngheo.geo.models import AdminUnit, Level, descendants_q
from giamngheo.geo.services import REFORM_DATE
from giamngheo.plans.models import Plan
from giamngheo.registry.audit import diff
from giamngheo.support import access
from giamngheo.support.models import (
    Membership,
    Organisation,
    OrgKind,
    Recurrence,
    Task,
    TaskStatus,
    TaskUpdate,
)
from giamngheo.support.selectors.facts import today
from giamngheo.support.services.common import actor_id, forbid, log, refuse, require

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from giamngheo.accounts.access import AnyUser


# --- the seed's organisations ------------------------------------------------------------------
@dataclass(frozen=True)
class SeedOrg:
    """One organisation of the seed: ``key`` names its duty role; ``{place}`` in the name is the
    unit's name ("huyện Ngọc Hồi")."""

    key: str
    kind: str
    name: str
    short_name: str = ""


def _orgs(table: str) -> tuple[SeedOrg, ...]:
    """A table of ``key | kind | name | short name`` lines."""
    rows = (line.split("|") for line in table.strip().splitlines())
    return tuple(SeedOrg(*(cell.strip() for cell in row)) for row in rows)


DISTRICT_ORGS = _orgs("""
coordinator | labour | Phòng Lao động – Thương binh và Xã hội | Phòng LĐ-TB&XH
agriculture | agriculture | Phòng Nông nghiệp và Phát triển nông thôn | Phòng NN&PTNT
finance | finance | Phòng Tài chính – Kế hoạch | Phòng TC-KH
ethnic | ethnic | Phòng Dân tộc |
culture | culture | Phòng Văn hóa – Thông tin | Phòng VH-TT
culture_centre | culture | Trung tâm Văn hóa – Thể thao, Du lịch và Truyền thông | Trung tâm VH-TT
infrastructure | infrastructure | Phòng Kinh tế – Hạ tầng | Phòng KT-HT
bank | bank | Phòng giao dịch Ngân hàng Chính sách xã hội {place} | NHCSXH
steering | steering | Thành viên Ban Chỉ đạo các chương trình MTQG {place} | BCĐ các CTMTQG
""")

#: A province before 1/7/2025: the departments of the time.
PROVINCE_ORGS_BEFORE_2025 = _orgs("""
coordinator | labour | Sở Lao động – Thương binh và Xã hội | Sở LĐ-TB&XH
agriculture | agriculture | Sở Nông nghiệp và Phát triển nông thôn | Sở NN&PTNT
finance | finance | Sở Tài chính |
planning | finance | Sở Kế hoạch và Đầu tư | Sở KH&ĐT
ethnic | ethnic | Ban Dân tộc {place} |
culture | culture | Sở Thông tin và Truyền thông | Sở TT&TT
infrastructure | infrastructure | Sở Xây dựng |
bank | bank | Chi nhánh Ngân hàng Chính sách xã hội {place} | NHCSXH
steering | steering | Thành viên Ban Chỉ đạo các chương trình MTQG {place} | BCĐ các CTMTQG
""")

#: A province from 1/7/2025 (two-level government; Sở NN&MT runs poverty reduction, the labour
#: office's former duties of jobs and labour export sit with Sở Nội vụ).
PROVINCE_ORGS = _orgs("""
coordinator | agriculture | Sở Nông nghiệp và Môi trường | Sở NN&MT
labour | labour | Sở Nội vụ |
finance | finance | Sở Tài chính |
ethnic | ethnic | Sở Dân tộc và Tôn giáo | Sở DT&TG
culture | culture | Sở Văn hóa, Thể thao và Du lịch | Sở VH-TT&DL
infrastructure | infrastructure | Sở Xây dựng |
bank | bank | Chi nhánh Ngân hàng Chính sách xã hội {place} | NHCSXH
steering | steering | Thành viên Ban Chỉ đạo các chương trình MTQG {place} | BCĐ các CTMTQG
""")

#: Each commune's People's Committee (``{place}``: "xã Đắk Ang").
COMMUNE_ORG = SeedOrg("commune", OrgKind.COMMUNE, "Ủy ban nhân dân {place}", "UBND {place}")

#: Duty roles a level has no organisation of its own for: who takes them.
STAND_INS = {"agriculture": "coordinator"}


# --- the seed's duties (section III) -----------------------------------------------------------
@dataclass(frozen=True)
class SeedDuty:
    number: str
    lead: str  # a SeedOrg key, or "commune": each commune's People's Committee
    partners: tuple[str, ...]
    title: str
    text: str


# fmt: off
DUTIES: tuple[SeedDuty, ...] = (
    SeedDuty("III.1", "coordinator", ("labour", "commune"),
        "Chủ trì triển khai Đề án giảm nghèo; hướng dẫn, kiểm tra các dự án nhân rộng mô hình; "
        "tổng hợp khó khăn, kiến nghị và báo cáo kết quả",
        "Triển khai Đề án giảm nghèo theo phương pháp tiếp cận đa chiều; hướng dẫn, kiểm tra, giám "
        "sát các dự án nhân rộng mô hình; tổng hợp kiến nghị, khó khăn, vướng mắc báo cáo UBND; "
        "báo cáo kết quả các dự án nhân rộng mô hình lên cấp trên.",
    ),
    SeedDuty("III.2", "agriculture", (),
        "Hướng dẫn, thẩm định các dự án hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế, nhân rộng "
        "mô hình; theo dõi, kiểm tra và thu hồi vốn hỗ trợ",
        "Chủ trì, trực tiếp hướng dẫn, thẩm định các dự án hỗ trợ phát triển sản xuất, đa dạng hóa "
        "sinh kế và nhân rộng mô hình giảm nghèo; phối hợp chỉ đạo, theo dõi, đôn đốc, kiểm tra, "
        "giám sát việc thực hiện dự án, thu hồi vốn hỗ trợ theo quy định; định kỳ báo cáo kết quả.",
    ),
    SeedDuty("III.3", "finance", ("planning",),
        "Hướng dẫn quản lý, sử dụng nguồn vốn; tham mưu phân bổ kinh phí; kiểm tra và quyết toán",
        "Chủ trì hướng dẫn, quản lý, sử dụng nguồn vốn đầu tư và kinh phí sự nghiệp của Chương "
        "trình MTQG giảm nghèo bền vững; tham mưu quyết định phân bổ kinh phí năm {year}; phối "
        "hợp theo dõi, kiểm tra, giám sát và quyết toán ngân sách theo quy định.",
    ),
    SeedDuty("III.4", "ethnic", (),
        "Hướng dẫn, kiểm tra các chính sách dân tộc; tập huấn nâng cao năng lực cán bộ cơ sở, cộng "
        "đồng (Chương trình 135)",
        "Chủ trì hướng dẫn, theo dõi, kiểm tra, giám sát việc thực hiện các chính sách dân tộc "
        "thuộc Đề án giảm nghèo; tổ chức tập huấn nâng cao năng lực cho cán bộ cơ sở, cộng đồng "
        "các xã, thôn, làng thuộc Chương trình 135.",
    ),
    SeedDuty("III.5", "culture", ("culture_centre",),
        "Truyền thông và thông tin về giảm nghèo; hướng dẫn, kiểm tra, giám sát hoạt động truyền "
        "thông",
        "Triển khai các hoạt động truyền thông và thông tin về giảm nghèo thuộc Đề án giảm nghèo; "
        "hướng dẫn, kiểm tra, giám sát các hoạt động truyền thông và thông tin về giảm nghèo.",
    ),
    SeedDuty("III.6", "infrastructure", ("commune",),
        "Hỗ trợ nhà ở cho hộ nghèo",
        "Chủ trì, phối hợp với các đơn vị liên quan, UBND các xã, thị trấn triển khai thực hiện "
        "phương án hỗ trợ nhà ở cho hộ nghèo {housing}.",
    ),
    SeedDuty("III.7", "bank", ("commune",),
        "Cho vay ưu đãi hộ nghèo, hộ cận nghèo; ưu tiên vốn cho các dự án phát triển sản xuất, đa "
        "dạng hóa sinh kế, nhân rộng mô hình",
        "Triển khai các chính sách tín dụng ưu đãi cho hộ nghèo, cận nghèo đúng đối tượng, đúng "
        "mục đích, hiệu quả; ưu tiên bố trí vốn cho các dự án phát triển sản xuất, đa dạng hóa "
        "sinh kế và nhân rộng mô hình giảm nghèo được phê duyệt.",
    ),
    SeedDuty("III.8", "steering", (),
        "Theo dõi, kiểm tra, giám sát thực hiện Đề án theo nhiệm vụ được phân công",
        "Theo dõi, kiểm tra, giám sát việc thực hiện Đề án giảm nghèo thuộc Chương trình MTQG giảm "
        "nghèo bền vững theo nhiệm vụ được phân công tại quyết định thành lập Ban Chỉ đạo.",
    ),
    SeedDuty("III.9", "commune", (),
        "Triển khai các nguồn vốn, thu hồi vốn đúng hạn; lồng ghép nguồn vốn; quyết toán; đăng ký "
        "thoát nghèo, thoát cận nghèo năm {year}",
        "Trực tiếp triển khai các nguồn vốn của Chương trình đúng đối tượng, đúng mục đích, hiệu "
        "quả, thu hồi vốn (nếu có) đúng thời gian; lồng ghép nguồn vốn các chương trình trên cùng "
        "địa bàn; theo dõi, kiểm tra, giám sát và thanh quyết toán; xây dựng kế hoạch đăng ký "
        "thoát nghèo, thoát cận nghèo năm {year}, hạn chế tái nghèo, phát sinh nghèo.",
    ),
)
# fmt: on

#: Section IV: reports every quarter, 6 months and year; the quarter is the tightest rhythm.
DUTY_RECURRENCE = Recurrence.QUARTERLY


# --- organisations -----------------------------------------------------------------------------
def _may(allowed: bool, unit: AdminUnit) -> None:
    """The right to change the organisations and tasks of ``unit`` (else 403)."""
    require(
        allowed,
        f"Không có quyền thay đổi cơ quan, nhiệm vụ của {unit.name}",
        f"not allowed to change the organisations and tasks of {unit.name}",
    )


def _clean_text(value: str, label_vi: str, label_en: str, code: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text or len(text) > limit:
        vi, en = f"Cần nhập {label_vi}", f"{label_en} is required"
        raise refuse(f"{vi} (tối đa {limit} ký tự)", f"{en} (at most {limit} characters)", code)
    return text


def _check_org(
    unit: AdminUnit, kind: str, name: str, serves: Sequence[AdminUnit], exclude: int | None
) -> None:
    if kind not in OrgKind.values:
        raise refuse(f"Loại cơ quan không rõ: {kind}", f"unknown organisation kind: {kind}", "kind")
    if kind == OrgKind.COMMUNE and unit.level != Level.COMMUNE:
        raise refuse(
            "UBND xã chỉ gắn với một đơn vị cấp xã",
            "a commune People's Committee belongs to a commune-level unit",
            "commune_level",
        )
    same = Organisation.objects.filter(unit=unit, name=name)
    if same.exclude(pk=exclude or 0).exists():
        raise refuse(
            f"{unit.name} đã có cơ quan «{name}»",
            f"{unit.name} already has an organisation named {name!r}",
            "org_name_taken",
        )
    for commune in serves:
        if commune.level != Level.COMMUNE or not commune.is_descendant_of(unit):
            raise refuse(
                f"{commune.name} không phải xã thuộc {unit.name}",
                f"{commune.name} is not a commune of {unit.name}",
                "serves_outside",
            )


def _org_state(org: Organisation) -> dict[str, Any]:
    return {
        "kind": org.kind,
        "name": org.name,
        "short_name": org.short_name,
        "active": org.active,
        "serves": sorted(org.serves.values_list("pk", flat=True)),
    }


@transaction.atomic
def org_create(
    actor: AnyUser,
    unit: AdminUnit,
    *,
    kind: str,
    name: str,
    short_name: str = "",
    serves: Sequence[AdminUnit] = (),
) -> Organisation:
    _may(can_manage_unit(actor, unit), unit)
    name = _clean_text(name, "tên cơ quan", "the name", "name", 200)
    short_name = " ".join(short_name.split())[:60]
    _check_org(unit, kind, name, serves, None)
    org = Organisation.objects.create(unit=unit, kind=kind, name=name, short_name=short_name)
    org.serves.set(serves)
    log(actor, "org_create", org, unit=unit.pk, **_org_state(org))
    return org


@transaction.atomic
def org_update(
    actor: AnyUser,
    org: Organisation,
    *,
    kind: str,
    name: str,
    short_name: str = "",
    serves: Sequence[AdminUnit] = (),
    active: bool = True,
) -> Organisation:
    org = Organisation.objects.select_for_update().select_related("unit").get(pk=org.pk)
    _may(access.can_manage_org(actor, org), org.unit)
    name = _clean_text(name, "tên cơ quan", "the name", "name", 200)
    _check_org(org.unit, kind, name, serves, org.pk)
    before = _org_state(org)
    org.kind, org.name, org.active = kind, name, active
    org.short_name = " ".join(short_name.split())[:60]
    org.save(update_fields=["kind", "name", "short_name", "active"])
    org.serves.set(serves)
    changes = diff(before, _org_state(org))
    if changes:
        log(actor, "org_update", org, **changes)
    return org


# --- members -----------------------------------------------------------------------------------
@transaction.atomic
def member_add(actor: AnyUser, org: Organisation, user: User) -> Membership:
    _may(access.can_manage_org(actor, org), org.unit)
    profile = get_profile(user)
    if profile is None or not profile.unit.is_descendant_of(org.unit):
        raise refuse(
            f"Người dùng {user.get_username()} không thuộc {org.unit.name} hay đơn vị cấp dưới",
            f"user {user.get_username()} does not belong to {org.unit.name} or a unit below it",
            "member_scope",
        )
    if not access.may_join(user):
        with translation.override("vi"):
            role_vi = str(profile.get_role_display())
        with translation.override("en"):
            role_en = str(profile.get_role_display())
        raise refuse(
            f"{user.get_username()} có vai trò «{role_vi}», không được làm thành viên cơ quan:"
            " chỉ người dùng vai trò phòng ban và cán bộ mới được",
            f"{user.get_username()} has the role '{role_en}' and may not join an organisation:"
            " only the department role and officers may",
            "role_cannot_join",
        )
    if Membership.objects.filter(organisation=org, user=user).exists():
        raise refuse(
            f"{user.get_username()} đã là thành viên của {org.name}",
            f"{user.get_username()} is already a member of {org.name}",
            "member_exists",
        )
    membership = Membership.objects.create(organisation=org, user=user)
    log(actor, "member_add", org, user=user.pk, username=user.get_username())
    access.forget_orgs(user)
    return membership


@transaction.atomic
def member_remove(actor: AnyUser, org: Organisation, user: User) -> None:
    _may(access.can_manage_org(actor, org), org.unit)
    deleted, _ = Membership.objects.filter(organisation=org, user=user).delete()
    if not deleted:
        raise refuse(
            f"{user.get_username()} không phải thành viên của {org.name}",
            f"{user.get_username()} is not a member of {org.name}",
            "not_member",
        )
    log(actor, "member_remove", org, user=user.pk, username=user.get_username())
    access.forget_orgs(user)


# --- tasks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskFields:
    """What a task form sets (everything but its unit and status)."""

    title: str
    lead: Organisation
    partners: Sequence[Organisation] = ()
    number: str = ""
    description: str = ""
    due_date: dt.date | None = None
    recurrence: str = Recurrence.ONCE
    plan: Plan | None = None
    notes: str = ""


def _check_task(unit: AdminUnit, f: TaskFields) -> TaskFields:
    title = _clean_text(f.title, "tên nhiệm vụ", "the task", "title", 300)
    if f.recurrence not in Recurrence.values:
        raise refuse(
            f"Định kỳ không rõ: {f.recurrence}", f"unknown recurrence: {f.recurrence}", "recurrence"
        )
    if not f.lead.unit.is_descendant_of(unit):
        raise refuse(
            f"Cơ quan chủ trì {f.lead.name} không thuộc {unit.name}",
            f"the lead organisation {f.lead.name} is not of {unit.name}",
            "lead_outside",
        )
    if not f.lead.active:
        raise refuse(
            f"Cơ quan {f.lead.name} đã ngừng hoạt động",
            f"the organisation {f.lead.name} is no longer active",
            "lead_inactive",
        )
    above = {a.pk for a in unit.ancestors()}
    for partner in f.partners:
        if partner.pk == f.lead.pk:
            raise refuse(
                "Cơ quan chủ trì không đồng thời là cơ quan phối hợp",
                "the lead organisation cannot also be a partner",
                "lead_is_partner",
            )
        if not (partner.unit.is_descendant_of(unit) or partner.unit_id in above):
            raise refuse(
                f"Cơ quan phối hợp {partner.name} không thuộc {unit.name} hay cấp trên",
                f"the partner {partner.name} is not of {unit.name} or a unit above it",
                "partner_outside",
            )
    if f.plan is not None and f.plan.issuing_unit_id not in {unit.pk, *above}:
        raise refuse(
            f"Kế hoạch {f.plan.document_number} không phải của {unit.name} hay cấp trên",
            f"plan {f.plan.document_number} is not of {unit.name} or a unit above it",
            "plan_unit",
        )
    number = " ".join(f.number.split())[:20]
    description, notes = f.description.strip(), f.notes.strip()
    return replace(f, title=title, number=number, description=description, notes=notes)


def _task_state(task: Task) -> dict[str, Any]:
    return {
        "number": task.number,
        "title": task.title,
        "description": task.description,
        "lead": task.lead_id,
        "partners": sorted(task.partners.values_list("pk", flat=True)),
        "due_date": task.due_date,
        "recurrence": task.recurrence,
        "plan": task.plan_id,
        "notes": task.notes,
    }


def _write_task(task: Task, f: TaskFields) -> None:
    task.number, task.title, task.description = f.number, f.title, f.description
    task.lead, task.due_date, task.recurrence = f.lead, f.due_date, f.recurrence
    task.plan, task.notes = f.plan, f.notes
    task.save()
    task.partners.set(f.partners)


@transaction.atomic
def task_create(actor: AnyUser, unit: AdminUnit, fields: TaskFields) -> Task:
    _may(can_manage_unit(actor, unit), unit)
    f = _check_task(unit, fields)
    task = Task(unit=unit, created_by_id=actor_id(actor))
    _write_task(task, f)
    log(actor, "task_create", task, unit=unit.pk, **_task_state(task))
    return task


@transaction.atomic
def task_update(actor: AnyUser, task: Task, fields: TaskFields) -> Task:
    task = Task.objects.select_for_update().select_related("unit").get(pk=task.pk)
    _may(access.can_manage_task(actor, task), task.unit)
    f = _check_task(task.unit, fields)
    before = _task_state(task)
    _write_task(task, f)
    changes = diff(before, _task_state(task))
    if changes:
        log(actor, "task_update", task, **changes)
    return task


@transaction.atomic
def task_report(actor: AnyUser, task: Task, status: str, note: str = "") -> TaskUpdate:
    """A progress report: the task's new status with a note (done: the day it was done)."""
    task = Task.objects.select_for_update().select_related("unit").get(pk=task.pk)
    require(
        access.can_report_task(actor, task),
        f"Không có quyền báo cáo nhiệm vụ «{task.title}»",
        f"not allowed to report on the task {task.title!r}",
    )
    if status not in TaskStatus.values:
        raise refuse(f"Tình trạng không rõ: {status}", f"unknown status: {status}", "status")
    manager = access.can_manage_task(actor, task)
    if TaskStatus.CANCELLED in (status, task.status) and not manager:
        raise forbid(
            "Chỉ đơn vị giao nhiệm vụ mới hủy hoặc mở lại nhiệm vụ",
            "only the unit that set the task may cancel or reopen it",
        )
    note = (note or "").strip()
    if status == task.status and not note:
        raise refuse(
            "Tình trạng không đổi: cần ghi nội dung báo cáo",
            "the status is unchanged: the report needs a note",
            "report_empty",
        )
    before = {"status": task.status, "done_on": task.done_on}
    task.status = status
    if status == TaskStatus.DONE:
        task.done_on = task.done_on if before["status"] == TaskStatus.DONE else today()
    else:
        task.done_on = None
    task.save(update_fields=["status", "done_on"])
    update = TaskUpdate.objects.create(task=task, status=status, note=note, by_id=actor_id(actor))
    changes = diff(before, {"status": task.status, "done_on": task.done_on})
    log(actor, "task_report", task, note=note, update=update.pk, **changes)
    return update


# --- the seed ------------------------------------------------------------------------------------
def _place(unit: AdminUnit) -> str:
    """The unit's name inside a sentence: "Huyện Ngọc Hồi" → "huyện Ngọc Hồi"."""
    return unit.name[:1].lower() + unit.name[1:]


def _reference_date(unit: AdminUnit) -> dt.date:
    """The day the unit's communes are read on: today, or the unit's last day if it ended."""
    on = today()
    if unit.valid_to is not None and unit.valid_to < on:
        on = unit.valid_to
    if unit.valid_from is not None and on < unit.valid_from:
        on = unit.valid_from
    return on


def seed_for(unit: AdminUnit) -> tuple[SeedOrg, ...]:
    """The seed's organisations for a district or province unit (see the module docstring)."""
    if unit.level == Level.DISTRICT:
        return DISTRICT_ORGS
    if unit.level == Level.PROVINCE:
        return PROVINCE_ORGS if _reference_date(unit) >= REFORM_DATE else PROVINCE_ORGS_BEFORE_2025
    raise refuse(
        "Chỉ tạo các cơ quan mẫu cho cấp huyện hoặc cấp tỉnh",
        "the seed organisations are made for a district or a province only",
        "seed_level",
    )


def seed_communes(unit: AdminUnit) -> list[AdminUnit]:
    """The commune-level units of ``unit`` in force on its reference date."""
    return list(
        AdminUnit.objects.valid_on(_reference_date(unit))
        .filter(descendants_q(unit), level=Level.COMMUNE)
        .order_by("code", "name")
    )


def _seed_one(
    actor: AnyUser, unit: AdminUnit, seed: SeedOrg, *, single_kind: bool
) -> tuple[Organisation, bool]:
    """The seed's organisation at ``unit``: the one of that name, else (``single_kind``) the
    only one of its kind, else a new one."""
    name, short = seed.name.format(place=_place(unit)), seed.short_name.format(place=_place(unit))
    found = Organisation.objects.filter(unit=unit, name=name).first()
    if found is None and single_kind:
        found = Organisation.objects.filter(unit=unit, kind=seed.kind).order_by("pk").first()
    if found is not None:
        return found, False
    org = Organisation.objects.create(unit=unit, kind=seed.kind, name=name, short_name=short)
    log(actor, "org_create", org, unit=unit.pk, kind=seed.kind, name=name, seed=True)
    return org, True


def _seed_orgs(
    actor: AnyUser, unit: AdminUnit
) -> tuple[dict[str, list[Organisation]], list[Organisation]]:
    """Create what is missing; the organisations by duty key, and those created."""
    seeds = seed_for(unit)
    kinds = [s.kind for s in seeds]
    by_key: dict[str, list[Organisation]] = {}
    created: list[Organisation] = []
    for s in seeds:
        org, new = _seed_one(actor, unit, s, single_kind=kinds.count(s.kind) == 1)
        by_key[s.key] = [org]
        created += [org] if new else []
    communes: list[Organisation] = []
    for commune in seed_communes(unit):
        org, new = _seed_one(actor, commune, COMMUNE_ORG, single_kind=True)
        communes.append(org)
        created += [org] if new else []
    by_key["commune"] = communes
    for key, stand_in in STAND_INS.items():
        by_key.setdefault(key, by_key[stand_in])
    return by_key, created


@transaction.atomic
def seed_organisations(actor: AnyUser, unit: AdminUnit) -> list[Organisation]:
    """The seed plan's organisations for ``unit`` and each commune's People's Committee, those
    missing only (an organisation of the same name, or the only one of its kind, counts as
    present). Returns those created."""
    _may(can_manage_unit(actor, unit), unit)
    _, created = _seed_orgs(actor, unit)
    return created


def _duty_text(text: str, plan: Plan) -> str:
    housing = (
        "theo Quyết định 33/2015/QĐ-TTg ngày 10/8/2015 của Thủ tướng Chính phủ"
        if plan.year <= 2020
        else "theo chính sách hỗ trợ nhà ở của Chương trình MTQG đang áp dụng"
    )
    return text.format(year=plan.year, housing=housing)


def _duty_tasks(
    actor: AnyUser, plan: Plan, duty: SeedDuty, orgs: dict[str, list[Organisation]]
) -> Iterable[Task]:
    partners = [o for key in duty.partners for o in orgs.get(key, [])]
    for lead in orgs.get(duty.lead, []):
        unit = lead.unit if duty.lead == "commune" else plan.issuing_unit
        if Task.objects.filter(plan=plan, number=duty.number, lead=lead).exists():
            continue
        fields = TaskFields(
            title=_duty_text(duty.title, plan),
            lead=lead,
            partners=[p for p in partners if p.pk != lead.pk],
            number=duty.number,
            description=_duty_text(duty.text, plan),
            due_date=dt.date(plan.year, 12, 31),
            recurrence=DUTY_RECURRENCE,
            plan=plan,
        )
        task = Task(unit=unit, created_by_id=actor_id(actor))
        _write_task(task, _check_task(unit, fields))
        log(actor, "task_create", task, unit=unit.pk, seed=True, **_task_state(task))
        yield task


@transaction.atomic
def seed_plan_tasks(actor: AnyUser, plan: Plan) -> list[Task]:
    """The seed plan's section III duties as tasks of ``plan`` (creating the organisations it
    needs first); tasks already there (same plan, number and lead) are left alone. Returns the
    tasks created."""
    plan = Plan.objects.select_related("issuing_unit").get(pk=plan.pk)
    _may(can_manage_unit(actor, plan.issuing_unit), plan.issuing_unit)
    orgs, _ = _seed_orgs(actor, plan.issuing_unit)
    return [task for duty in DUTIES for task in _duty_tasks(actor, plan, duty, orgs)]
