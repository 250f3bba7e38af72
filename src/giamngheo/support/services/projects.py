"""Writes of projects: the project itself, its budget by source, its outputs, its status, and
its beneficiary households.

A project hangs on a node of a programme's data (``core.support.programme``) that must fund
each support type it delivers (``Programme.can_fund``), names an eligibility rule of
``core.support.eligibility``, covers communes under its unit (and, optionally, villages of
those communes), and, for a revolving model, says what share of each support's value is
recovered and on what schedule (every chosen type must allow revolving capital).

Status: draft → approved (the approval decision's number and date) → running → finished; any
open status → cancelled with a reason, while no support of the project is still open. Status
changes and the beneficiaries' list check under the project's row lock (``_locked``), the lock
approvals and planning take, so none passes another between its check and its write.

A beneficiary is checked against the project's rule on the date of support
(``selectors.projects.eligibility_of``): an ineligible household is refused with the reason
(code ``ineligible``), or accepted with a recorded justification when the rule allows it;
the result is kept on the ``Beneficiary``.

Rights (``support.access``): a project is created by officers of its unit or members of its
lead organisation, and changed by its managers (``can_manage_project``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from giamngheo.core.support.catalog import UnknownSupportType, load_catalog
from giamngheo.core.support.eligibility import Eligibility, UnknownRule, get_rule
from giamngheo.core.support.funds import source_label
from giamngheo.core.support.money import format_vnd
from giamngheo.core.support.programme import UnknownProgramme, programme_by_id
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.audit import diff
from giamngheo.registry.models import Household
from giamngheo.support.access import can_create_project_in, can_manage_project
from giamngheo.support.models import (
    Beneficiary,
    Organisation,
    Project,
    ProjectBudget,
    ProjectKind,
    ProjectOutput,
    ProjectStatus,
    ReasonCode,
    Source,
    Support,
    SupportState,
)
from giamngheo.support.selectors.projects import (
    CLOSED_STATES,
    committed_by_source,
    covers,
    eligibility_of,
)
from giamngheo.support.services.common import actor_id, log, refuse, require

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser

OPEN_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.APPROVED, ProjectStatus.RUNNING)
#: The note of planned supports cancelled with their household's removal (both languages).
REMOVED_NOTE = "Hộ được đưa khỏi danh sách hưởng lợi / removed from the project's beneficiaries"
#: The allowed status changes (cancelling is allowed from every open status).
NEXT_STATUS = {
    ProjectStatus.DRAFT: ProjectStatus.APPROVED,
    ProjectStatus.APPROVED: ProjectStatus.RUNNING,
    ProjectStatus.RUNNING: ProjectStatus.FINISHED,
}


@dataclass
class ProjectFields:
    """What a project is made of (the unit and the status apart)."""

    name: str
    kind: str
    programme_id: str
    node_code: str
    lead: Organisation
    year: int
    eligibility_rule: str
    support_types: list[str]
    communes: list[AdminUnit]
    villages: list[AdminUnit] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    appraisal_number: str = ""
    appraisal_date: date | None = None
    approval_body: str = ""
    revolving: bool = False
    recovery_share: int = 0
    recovery_instalments: int = 0
    recovery_every_months: int = 12
    recovery_grace_months: int = 0
    notes: str = ""


_RELATED = ("communes", "villages", "partners")


def fields_of(project: Project) -> ProjectFields:
    """The project's current fields (for an edit form: change some, pass them back)."""
    plain = {f.name: getattr(project, f.name) for f in fields(ProjectFields)}
    related = {name: list(getattr(project, name).order_by("pk")) for name in _RELATED}
    return ProjectFields(**plain | related | {"support_types": list(project.support_types)})


def _locked(project: Project) -> Project:
    """The project's row locked until the transaction ends (approvals and planning take the
    same lock) and its fields read again, in place."""
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    return project


def _record(f: ProjectFields) -> dict[str, Any]:
    """The fields as the audit stores them (units and organisations by pk)."""
    out = asdict(f) | {"lead": f.lead.pk}
    for name in _RELATED:
        out[name] = sorted(x.pk for x in getattr(f, name))
    out["support_types"] = sorted(f.support_types)
    return out


# --- checks ----------------------------------------------------------------------------------
def _split(exc: Exception) -> tuple[str, str]:
    """A core lookup error's "vi / en" message as its two halves."""
    vi, _, en = str(exc).partition(" / ")
    return vi, en or vi


def _check_programme(f: ProjectFields) -> None:
    try:
        programme = programme_by_id(f.programme_id)
    except UnknownProgramme as exc:
        raise refuse(*_split(exc), "unknown_programme") from None
    if not programme.contains(f.year):
        first, last = programme.period
        raise refuse(
            f"Năm {f.year} ngoài giai đoạn {first}–{last} của chương trình {programme.id}",
            f"{f.year} is outside the {first}–{last} period of programme {programme.id}",
            "year_outside_programme",
        )
    if f.node_code not in programme:
        raise refuse(
            f"Chương trình {programme.id} không có hạng mục «{f.node_code}»",
            f"programme {programme.id} has no node '{f.node_code}'",
            "unknown_node",
        )
    if not f.support_types:
        raise refuse("Chưa chọn loại hỗ trợ", "no support type chosen", "no_support_type")
    catalog = load_catalog()
    for code in f.support_types:
        try:
            kind = catalog.get(code)
        except UnknownSupportType as exc:
            raise refuse(*_split(exc), "unknown_support_type") from None
        if not programme.can_fund(f.node_code, code):
            raise refuse(
                f"Hạng mục {f.node_code} không chi cho «{kind.name_vi}»",
                f"node {f.node_code} does not fund '{kind.name_en}'",
                "node_cannot_fund",
            )
        if f.revolving and not kind.revolving_allowed:
            raise refuse(
                f"«{kind.name_vi}» không được hỗ trợ theo hình thức quay vòng vốn",
                f"'{kind.name_en}' cannot be given as revolving capital",
                "type_not_revolving",
            )


def _check_places(unit: AdminUnit, f: ProjectFields) -> None:
    if not f.lead.active:
        raise refuse(
            f"Cơ quan {f.lead} không còn hoạt động", f"{f.lead} is not active", "lead_inactive"
        )
    lead_unit = f.lead.unit
    if not (unit.is_descendant_of(lead_unit) or lead_unit.is_descendant_of(unit)):
        raise refuse(
            f"Cơ quan chủ trì {f.lead} không thuộc {unit.name}",
            f"the lead organisation {f.lead} is not of {unit.name}",
            "lead_outside_unit",
        )
    if not f.communes:
        raise refuse("Chưa chọn xã", "no commune chosen", "no_commune")
    for commune in f.communes:
        if commune.level != Level.COMMUNE or not commune.is_descendant_of(unit):
            raise refuse(
                f"{commune.name} không phải là xã thuộc {unit.name}",
                f"{commune.name} is not a commune of {unit.name}",
                "commune_outside_unit",
            )
    chosen = {c.pk for c in f.communes}
    for village in f.villages:
        if village.level != Level.VILLAGE or village.parent_id not in chosen:
            raise refuse(
                f"Thôn {village.name} không thuộc các xã đã chọn",
                f"village {village.name} is not in the chosen communes",
                "village_outside_communes",
            )


def _check_dates_and_capital(f: ProjectFields) -> None:
    if f.start and f.end and f.end < f.start:
        raise refuse(
            "Ngày kết thúc trước ngày bắt đầu", "the end is before the start", "dates_order"
        )
    if f.revolving:
        if not 1 <= f.recovery_share <= 100 or f.recovery_instalments < 1:
            raise refuse(
                "Dự án quay vòng vốn cần tỷ lệ thu hồi từ 1 đến 100% và ít nhất một kỳ thu hồi",
                "a revolving project needs a recovery share of 1–100% and at least one instalment",
                "revolving_settings",
            )
        if f.recovery_every_months < 1:
            raise refuse(
                "Mỗi kỳ thu hồi cần ít nhất 1 tháng",
                "an instalment period is at least one month",
                "revolving_settings",
            )
    elif f.recovery_share or f.recovery_instalments:
        raise refuse(
            "Dự án không quay vòng vốn thì không có tỷ lệ và kỳ thu hồi",
            "a project without revolving capital has no recovery share or instalments",
            "revolving_settings",
        )


def check_fields(unit: AdminUnit, f: ProjectFields) -> None:
    """Every rule of a project's fields (``ValidationError`` with its code)."""
    if not f.name.strip():
        raise refuse("Chưa nhập tên dự án", "the project has no name", "name_required")
    if f.kind not in ProjectKind.values:
        raise refuse(
            f"Loại dự án «{f.kind}» không hợp lệ", f"unknown project kind '{f.kind}'", "bad_kind"
        )
    _check_programme(f)
    try:
        get_rule(f.eligibility_rule)
    except UnknownRule as exc:
        raise refuse(*_split(exc), "unknown_rule") from None
    _check_places(unit, f)
    _check_dates_and_capital(f)


def _check_in_use(project: Project, f: ProjectFields) -> None:
    """An update may not drop what the project's households already depend on."""
    live = Support.objects.filter(project=project).exclude(state__in=CLOSED_STATES)
    dropped = set(project.support_types) - set(f.support_types)
    if dropped and live.filter(support_type__in=dropped).exists():
        raise refuse(
            "Không bỏ được loại hỗ trợ đã có hộ được hỗ trợ",
            "a support type some households already have cannot be dropped",
            "type_in_use",
        )
    communes = {c.pk for c in f.communes}
    if (
        Beneficiary.objects.filter(project=project)
        .exclude(household__commune_id__in=communes)
        .exists()
    ):
        raise refuse(
            "Không bỏ được xã đã có hộ hưởng lợi",
            "a commune with beneficiaries cannot be dropped",
            "commune_in_use",
        )
    capital = ("revolving", "recovery_share", "recovery_instalments", "recovery_every_months")
    changed = any(getattr(project, k) != getattr(f, k) for k in capital) or (
        project.recovery_grace_months != f.recovery_grace_months
    )
    if changed and Support.objects.filter(project=project, recovery__isnull=False).exists():
        raise refuse(
            "Đã có hộ phải thu hồi vốn: không đổi được cách quay vòng",
            "households already owe capital: the revolving terms cannot change",
            "revolving_in_use",
        )


def _open(project: Project) -> None:
    if project.status not in OPEN_STATUSES:
        raise refuse(
            f"Dự án đã {project.get_status_display().lower()}: không thay đổi được",
            "the project is closed: it cannot change",
            "project_closed",
        )


def _save(project: Project, f: ProjectFields) -> None:
    for name, value in asdict(f).items():
        if name not in _RELATED and name != "lead":
            setattr(project, name, value)
    project.lead = f.lead
    project.save()
    for name in _RELATED:
        getattr(project, name).set(getattr(f, name))


# --- projects --------------------------------------------------------------------------------
def project_create(actor: AnyUser, unit: AdminUnit, f: ProjectFields) -> Project:
    require(
        can_create_project_in(actor, unit, f.lead, f.communes),
        f"Không có quyền lập dự án của {unit.name}",
        f"not allowed to create a project of {unit.name}",
    )
    check_fields(unit, f)
    with transaction.atomic():
        project = Project(unit=unit, created_by_id=actor_id(actor))
        _save(project, f)
        log(actor, "project_create", project, unit=unit.pk, **_record(f))
    return project


def _manage(actor: AnyUser, project: Project, household: Household | None = None) -> None:
    require(
        can_manage_project(actor, project, household),
        "Không có quyền thay đổi dự án này",
        "not allowed to change this project",
    )


def project_update(actor: AnyUser, project: Project, f: ProjectFields) -> Project:
    _manage(actor, project)
    _open(project)
    check_fields(project.unit, f)
    _check_in_use(project, f)
    changes = diff(_record(fields_of(project)), _record(f))
    if not changes:
        return project
    with transaction.atomic():
        _save(project, f)
        log(actor, "project_update", project, **changes)
    return project


def project_set_status(
    actor: AnyUser,
    project: Project,
    status: str,
    *,
    approval_number: str = "",
    approval_date: date | None = None,
    approval_body: str = "",
    reason: str = "",
) -> Project:
    """Move the project on (draft → approved → running → finished) or cancel it."""
    _manage(actor, project)
    with transaction.atomic():
        project = _locked(project)
        old = ProjectStatus(project.status)
        if status == ProjectStatus.CANCELLED and old in OPEN_STATUSES:
            _check_cancel(project, reason)
        elif NEXT_STATUS.get(old) != status:
            raise refuse(
                f"Không chuyển được dự án từ «{old.label}» sang trạng thái «{status}»",
                f"the project cannot go from '{old.value}' to '{status}'",
                "bad_transition",
            )
        changes: dict[str, Any] = {"status": [old.value, status]}
        if status == ProjectStatus.APPROVED:
            _check_approval(project, approval_number, approval_date)
            project.approval_number = approval_number.strip()
            project.approval_date = approval_date
            project.approval_body = approval_body.strip() or project.approval_body
            changes |= {"approval_number": project.approval_number, "approval_date": approval_date}
        if status == ProjectStatus.CANCELLED:
            # Stored in both languages, as the app's other stored texts are.
            note = f"Hủy dự án: {reason.strip()} / Cancelled: {reason.strip()}"
            project.notes = f"{project.notes}\n{note}".strip()
            changes["reason"] = reason.strip()
        project.status = status
        project.save()
        log(actor, "project_status", project, **changes)
    return project


def _check_approval(project: Project, number: str, day: date | None) -> None:
    if not number.strip() or day is None:
        raise refuse(
            "Phê duyệt dự án cần số và ngày quyết định phê duyệt",
            "approving a project needs the approval decision's number and date",
            "approval_required",
        )
    if project.appraisal_date and day < project.appraisal_date:
        raise refuse(
            "Ngày phê duyệt trước ngày thẩm định",
            "the approval is dated before the appraisal",
            "dates_order",
        )


def _check_cancel(project: Project, reason: str) -> None:
    if not reason.strip():
        raise refuse("Hủy dự án cần ghi lý do", "cancelling needs a reason", "reason_required")
    if Support.objects.filter(project=project).exclude(state__in=CLOSED_STATES).exists():
        raise refuse(
            "Dự án còn khoản hỗ trợ chưa hủy: hủy hoặc từ chối chúng trước",
            "the project still has open supports: cancel or reject them first",
            "project_has_supports",
        )


# --- budget and outputs ----------------------------------------------------------------------
def project_set_budget(actor: AnyUser, project: Project, source: str, amount: int) -> None:
    """The project's budget of one source (0 removes it); never below what is committed."""
    _manage(actor, project)
    _open(project)
    if source not in Source.values:
        raise refuse(f"«{source}» không phải nguồn vốn", f"'{source}' is no source", "bad_source")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise refuse("Số tiền phải là số đồng không âm", "a non-negative amount", "bad_amount")
    with transaction.atomic():
        # The approvals' lock: a budget cut and an approval cannot pass each other.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        committed = committed_by_source(project).get(source, 0)
        if amount < committed:
            raise refuse(
                f"Nguồn «{source_label(source)}» đã cam kết {format_vnd(committed)}, không giảm "
                f"xuống {format_vnd(amount)} được",
                f"source '{source_label(source, 'en')}' has {format_vnd(committed, 'en')} "
                f"committed: it cannot go down to {format_vnd(amount, 'en')}",
                "budget_below_committed",
            )
        row = ProjectBudget.objects.filter(project=project, source=source).first()
        old = row.amount if row is not None else 0
        if old == amount:
            return
        if amount == 0 and row is not None:
            row.delete()
        elif row is not None:
            row.amount = amount
            row.save(update_fields=["amount"])
        else:
            ProjectBudget.objects.create(project=project, source=source, amount=amount)
        log(actor, "project_budget", project, source=source, amount=[old, amount])


def output_save(
    actor: AnyUser,
    project: Project,
    *,
    label: str,
    unit_label: str,
    planned: int,
    actual: int = 0,
    output: ProjectOutput | None = None,
) -> ProjectOutput:
    """Add an output (households, animals, seedlings, sessions, works) or change one."""
    _manage(actor, project)
    if output is not None and output.project_id != project.pk:
        raise refuse("Chỉ tiêu không thuộc dự án", "not this project's output", "bad_output")
    if not label.strip() or not unit_label.strip():
        raise refuse(
            "Cần tên chỉ tiêu và đơn vị tính", "a label and a unit are needed", "output_label"
        )
    if min(planned, actual) < 0:
        raise refuse("Số lượng không được âm", "counts cannot be negative", "bad_count")
    new: dict[str, Any] = {"label": label.strip(), "unit_label": unit_label.strip()}
    new |= {"planned": planned, "actual": actual}
    with transaction.atomic():
        if output is None:
            output = ProjectOutput.objects.create(project=project, **new)
            log(actor, "output_add", output, project=project.pk, **new)
        else:
            changes = diff({k: getattr(output, k) for k in new}, new)
            for k, v in new.items():
                setattr(output, k, v)
            output.save()
            if changes:
                log(actor, "output_update", output, project=project.pk, **changes)
    return output


def output_delete(actor: AnyUser, output: ProjectOutput) -> None:
    _manage(actor, output.project)
    with transaction.atomic():
        log(actor, "output_delete", output, project=output.project_id, label=output.label)
        output.delete()


# --- beneficiaries ---------------------------------------------------------------------------
def basis_of(result: Eligibility) -> dict[str, Any]:
    """The eligibility result as ``Beneficiary.basis`` keeps it."""
    review = result.basis
    return {
        "rule": result.rule_id,
        "on": result.on.isoformat(),
        "group": result.group,
        "priority": result.priority,
        "reasons": [
            {"code": r.code, "vi": r.message_vi, "en": r.message_en} for r in result.reasons
        ],
        "review": None
        if review is None
        else {
            "year": review.year,
            "review_date": review.review_date.isoformat(),
            "classification": review.classification,
            "standard_id": review.standard_id,
            "deprived": sorted(review.deprived),
        },
    }


def _reasons(result: Eligibility) -> tuple[str, str]:
    return (
        "; ".join(r.message_vi for r in result.reasons),
        "; ".join(r.message_en for r in result.reasons),
    )


def beneficiary_add(
    actor: AnyUser, project: Project, household: Household, on: date, justification: str = ""
) -> Beneficiary:
    """Choose a household for the project, checked against its rule on ``on``."""
    _manage(actor, project, household)
    _open(project)
    if not covers(project, household):
        raise refuse(
            f"Hộ {household.code} không ở xã, thôn của dự án",
            f"household {household.code} is not in the project's communes or villages",
            "household_outside_project",
        )
    result = eligibility_of(project, household, on)
    justification = justification.strip()
    if not result.eligible:
        vi, en = _reasons(result)
        if not result.can_justify:
            raise refuse(f"Hộ không đủ điều kiện: {vi}", f"not eligible: {en}", "ineligible")
        if not justification:
            raise refuse(
                f"Hộ không đủ điều kiện: {vi}. Chỉ chấp nhận khi ghi rõ lý do",
                f"not eligible: {en}. It may be accepted only with a recorded justification",
                "ineligible",
            )
    with transaction.atomic():
        # Two officers adding the same household: the second waits here, then sees the first.
        _open(_locked(project))
        if Beneficiary.objects.filter(project=project, household=household).exists():
            raise refuse(
                f"Hộ {household.code} đã có trong danh sách hưởng lợi",
                f"household {household.code} is already a beneficiary",
                "already_beneficiary",
            )
        beneficiary = Beneficiary.objects.create(
            project=project,
            household=household,
            checked_on=on,
            eligible=result.eligible,
            basis=basis_of(result),
            justification=justification,
            selected_by_id=actor_id(actor),
        )
        log(
            actor,
            "beneficiary_add",
            beneficiary,
            project=project.pk,
            household=household.pk,
            on=on,
            eligible=result.eligible,
            group=result.group,
            justification=justification,
        )
    return beneficiary


def beneficiary_remove(actor: AnyUser, beneficiary: Beneficiary) -> None:
    """Take a household off the list while it has no approved support in the project; its
    planned supports are cancelled with it."""
    project = beneficiary.project
    _manage(actor, project)
    with transaction.atomic():
        _open(_locked(project))  # an approval waits for the removal, or the removal for it
        supports = Support.objects.filter(project=project, household_id=beneficiary.household_id)
        if supports.exclude(state__in=(*CLOSED_STATES, SupportState.PLANNED)).exists():
            raise refuse(
                "Hộ đã có khoản hỗ trợ được duyệt: không đưa ra khỏi danh sách được",
                "the household has an approved support: it cannot be removed",
                "has_approved_support",
            )
        for support in supports.filter(state=SupportState.PLANNED).select_for_update():
            support.state = SupportState.CANCELLED
            support.reason_code = ReasonCode.OTHER
            support.reason_note = REMOVED_NOTE
            support.save(update_fields=["state", "reason_code", "reason_note"])
            log(actor, "cancel", support, state=["planned", "cancelled"], note=REMOVED_NOTE)
        log(
            actor,
            "beneficiary_remove",
            beneficiary,
            project=project.pk,
            household=beneficiary.household_id,
        )
        beneficiary.delete()
