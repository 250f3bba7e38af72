"""The support app's access matrix, through the pages: for every persona of the ``world``
fixture (and an anonymous visitor), what each page shows and what each write does.

``MATRIX`` is the whole table: one row per action (a page read, or a form posted), one cell per
persona. A cell says what must happen:

* ``ok``: a page answers 200 and shows the object; a write answers 200/302 and happened (the
  row is there, one audit row more);
* ``hidden``: a list page answers 200 without the object (how "not visible" shows on a list);
* ``403``: refused with the reason, nothing changed (tables and audit log compared);
* ``404``: the object is not visible to the user (a write: nothing changed);
* ``400``: the form refused it (the other commune is not among its choices), nothing changed;
* ``login``: redirected to the login page (nothing changed).

The world is built through the services: a revolving cow model of the district led by
Agriculture covering Đắk Ang (DA-01 with a planned cow, DA-03 with a delivered one and its
capital to recover), a district allocation decision with a line for Đắk Ang and one for Đắk
Dục, the bank's loans of DA-01 and DD-01, a house for DA-08, DA-07 registered to escape poverty,
an organisation of Đắk Ang, a task of the district led by Agriculture and one (III.6, housing)
where Đắk Ang's People's Committee is a partner.

Rows ending ``_unserved`` narrow an organisation to serve Đắk Dục only first (its member then
acts nowhere in Đắk Ang); rows ending ``_leader_member`` make the read-only leader a member of
Agriculture first (a membership gives a leader no right).

A cell where the app contradicts ``support/access.py``'s docstring or the issue is a
``flaw(expected, reason)``: the test states the rule and is a strict xfail.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from giamngheo.registry.models import AuditEvent
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Beneficiary,
    Collection,
    Disbursement,
    EscapeRegistration,
    Housing,
    Loan,
    LoanBatch,
    LoanRow,
    Membership,
    Organisation,
    Project,
    ProjectBudget,
    Recovery,
    Settlement,
    Support,
    SupportState,
    Task,
    TaskUpdate,
)
from giamngheo.support.services import ledger
from giamngheo.support.services import money as money_svc
from giamngheo.support.services import organisations as org_svc
from giamngheo.support.services import projects as project_svc
from giamngheo.support.services.escape import escape_register
from giamngheo.support.services.housing import housing_add
from giamngheo.support.services.loans import loans_commit, loans_stage, loans_upload

pytestmark = pytest.mark.django_db
World = Any  # the `world` fixture of conftest.py

TODAY = dt.date(2020, 6, 1)
SPRING = dt.date(2020, 3, 1)
PERSONAS = (
    "district", "da", "dd", "leader", "agri", "finance", "bank", "infra", "outsider", "anon",
)  # fmt: skip
#: Every table a write of the app may touch (the audit log is always compared too).
TABLES = (
    Project, ProjectBudget, Beneficiary, Support, Recovery, Collection, AllocationDecision,
    Allocation, Disbursement, Settlement, Loan, LoanBatch, LoanRow, Housing, EscapeRegistration,
    Organisation, Membership, Task, TaskUpdate,
)  # fmt: skip
LOAN_HEAD = [
    "Số khế ước", "Mã hộ", "Họ tên người vay", "Chương trình cho vay", "Số tiền vay",
    "Ngày giải ngân", "Lãi suất", "Thời hạn", "Dư nợ", "Nợ quá hạn",
]  # fmt: skip
NODE = "DA2.TDA2"  # QĐ 1722's Program 135, production support
# fmt: off
#: The bank's loans of the world (scope: the district) and the file a write uploads.
LOANS: list[list[object]] = [
    ["KU-DA-01", "DA-01", "A Thắng", "Hộ nghèo", 30_000_000, "15/03/2019", 6.6, 36, 20_000_000, 0],
    ["KU-DD-01", "DD-01", "A Thắng", "Hộ nghèo", 20_000_000, "01/02/2020", 6.6, 36, 15_000_000, 0],
]
UPLOADED: list[list[object]] = [
    ["KU-DA-02", "DA-02", "Y Hoa", "Hộ nghèo", 10_000_000, "15/03/2019", 6.6, 36, 10_000_000, 0],
]
# fmt: on
#: The house a write records (DA-02 is poor and deprived of housing quality in 2019).
HOUSE = {
    "basis": "qd33_2015",
    "kind": "new",
    "year": "2020",
    "on": "2020-03-02",
    "grant_amount": "",
    "loan_amount": "25.000.000",
}  # fmt: skip


# --- the world ---------------------------------------------------------------------------------
@dataclass
class Objects:
    """The fixture's world and what this module builds in it."""

    world: World
    project: Project
    planned: Support
    recovery: Recovery
    decision: AllocationDecision
    line_da: Allocation
    line_dd: Allocation
    housing: Housing
    organisation: Organisation
    task: Task
    partner_task: Task

    def hh(self, code: str) -> int:
        return int(self.world.households[code].pk)

    def org(self, key: str) -> Organisation:
        org: Organisation = self.world.orgs[key]
        return org


def loan_file(rows: list[list[object]]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ngày số liệu: 31/05/2020"])
    ws.append(LOAN_HEAD)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("du-no.xlsx", out.getvalue())


def _project(world: World) -> tuple[Project, Support, Recovery]:
    """The cow model, made and run by Agriculture's member: DA-01's cow planned, DA-03's
    delivered (its capital to recover starts)."""
    agri = world.users["agri"]
    fields = project_svc.ProjectFields(
        name="Mô hình nuôi bò sinh sản Đắk Ang 2020",
        kind="model",
        programme_id="QD1722-2016",
        node_code="DA3",
        lead=world.orgs["agriculture"],
        year=2020,
        eligibility_rule="poor_near_poor_escaped",
        support_types=["breeding_cattle"],
        communes=[world.dak_ang],
        revolving=True,
        recovery_share=50,
        recovery_instalments=2,
    )
    project = project_svc.project_create(agri, world.district, fields)
    for status in ("approved", "running"):
        project_svc.project_set_status(
            agri, project, status, approval_number="15/QĐ-UBND", approval_date=dt.date(2020, 1, 20)
        )
    project_svc.project_set_budget(agri, project, "central", 100_000_000)
    supports = {}
    for code in ("DA-01", "DA-03"):
        household = world.households[code]
        project_svc.beneficiary_add(agri, project, household, SPRING)
        supports[code] = ledger.support_plan(
            agri, household, project=project, support_type="breeding_cattle", item="Bò cái",
            value=12_000_000, source="central", on=SPRING,
        )  # fmt: skip
    ledger.support_approve(agri, supports["DA-03"])
    ledger.support_deliver(agri, supports["DA-03"], dt.date(2020, 4, 1))
    return project, supports["DA-01"], Recovery.objects.get(support=supports["DA-03"])


def _money(world: World) -> tuple[AllocationDecision, Allocation, Allocation]:
    district = world.users["district"]
    decision = money_svc.decision_create(
        district, unit=world.district, number="123/QĐ-UBND", date=dt.date(2020, 2, 10),
        issuer="UBND huyện Ngọc Hồi", title="Phân bổ vốn Chương trình 135 năm 2020", year=2020,
        programme_id="QD1722-2016",
    )  # fmt: skip
    lines = [
        money_svc.allocation_add(
            district,
            decision,
            commune=commune,
            project=None,
            node_code=NODE,
            source=src,
            amount=amount,
        )
        for commune, src, amount in (
            (world.dak_ang, "central", 500_000_000),
            (world.dak_duc, "local", 300_000_000),
        )
    ]
    return decision, lines[0], lines[1]


def _others(world: World) -> tuple[Housing, Organisation, Task, Task]:
    """Loans (the bank's file), a house, an escape registration, an organisation, a task, and
    a task of the district where Đắk Ang's People's Committee is a partner."""
    bank, da, district = world.users["bank"], world.users["da"], world.users["district"]
    batch = loans_stage(loans_upload(bank, world.district, loan_file(LOANS), None))
    loans_commit(bank, batch)
    housing = housing_add(da, world.households["DA-08"], "qd33_2015", "new", 2020, 0,
                          25_000_000, dt.date(2020, 3, 2))  # fmt: skip
    escape_register(da, world.households["DA-07"], 2020)
    organisation = org_svc.org_create(
        da, world.dak_ang, kind="mass_org", name="Hội Nông dân xã Đắk Ang"
    )
    task = org_svc.task_create(
        district,
        world.district,
        org_svc.TaskFields(
            title="Thẩm định, theo dõi mô hình nuôi bò",
            lead=world.orgs["agriculture"],
            number="III.2",
            due_date=dt.date(2020, 12, 31),
        ),
    )
    partner_task = org_svc.task_create(
        district,
        world.district,
        org_svc.TaskFields(
            title="Hỗ trợ nhà ở cho hộ nghèo",
            lead=world.orgs["infrastructure"],
            partners=[world.orgs["commune_da"]],
            number="III.6",
        ),
    )
    return housing, organisation, task, partner_task


@pytest.fixture
def objects(world: World, settings: Any) -> Objects:
    settings.GIAMNGHEO_TODAY = TODAY
    project, planned, recovery = _project(world)
    decision, line_da, line_dd = _money(world)
    housing, organisation, task, partner_task = _others(world)
    return Objects(world, project, planned, recovery, decision, line_da, line_dd, housing,
                   organisation, task, partner_task)  # fmt: skip


# --- the actions ---------------------------------------------------------------------------------
Url = Callable[[Objects], str]


@dataclass(frozen=True)
class Read:
    """A page read: its address and the text that shows the object."""

    url: Url
    shows: Callable[[Objects], str]


@dataclass(frozen=True)
class Write:
    """A form posted: its address and data, and whether it happened. ``prepare`` changes the
    world first (as the services would), before anything is compared."""

    url: Url
    data: Callable[[Objects], dict[str, Any]]
    done: Callable[[Objects], bool]
    prepare: Callable[[Objects], None] | None = None


def url(name: str, *args: Callable[[Objects], object], query: str = "") -> Url:
    def build(o: Objects) -> str:
        path = reverse(name, args=[a(o) for a in args])
        return f"{path}?{query.format(o=o)}" if query else path

    return build


def _pk(attr: str) -> Callable[[Objects], object]:
    return lambda o: getattr(o, attr).pk


def _serving_dd_only(key: str) -> Callable[[Objects], None]:
    """The organisation ``key`` narrowed to serve Đắk Dục only (the project, DA-02, DA-08's
    house and the Đắk Ang line are in Đắk Ang)."""

    def prepare(o: Objects) -> None:
        org = o.org(key)
        org_svc.org_update(o.world.users["district"], org, kind=org.kind, name=org.name,
                           short_name=org.short_name, serves=[o.world.dak_duc])  # fmt: skip

    return prepare


_serves_dd_only = _serving_dd_only("agriculture")


def _leader_joins_agriculture(o: Objects) -> None:
    """The leader made a member of Agriculture as before roles were checked (straight into the
    table: ``member_add`` refuses a leader now)."""
    Membership.objects.create(organisation=o.org("agriculture"), user=o.world.users["leader"])


def _approve() -> Write:
    return Write(
        url("support:support_action", _pk("planned")),
        lambda o: {"action": "approve"},
        lambda o: Support.objects.get(pk=o.planned.pk).state == SupportState.APPROVED,
    )


def _approve_first(o: Objects) -> None:
    ledger.support_approve(o.world.users["agri"], o.planned)


def _beneficiary() -> Write:
    return Write(
        url("support:beneficiary_add", _pk("project")),
        lambda o: {"household": o.hh("DA-02"), "on": "01/03/2020"},
        lambda o: o.project.beneficiaries.filter(household_id=o.hh("DA-02")).exists(),
    )


def _report(task: str) -> Write:
    return Write(
        url("support:task", _pk(task)),
        lambda o: {"status": "in_progress", "note": "Đã thẩm định dự án"},
        lambda o: TaskUpdate.objects.filter(task=getattr(o, task)).exists(),
    )


def _upload_loans() -> Write:
    return Write(
        url("support:loan_upload"),
        lambda o: {"scope": o.world.dak_ang.pk, "file": loan_file(UPLOADED)},
        lambda o: LoanBatch.objects.filter(scope=o.world.dak_ang).exists(),
    )


def _add_housing() -> Write:
    return Write(
        url("support:housing_new"),
        lambda o: {"commune": o.world.dak_ang.pk, "code": "DA-02", **HOUSE},
        lambda o: Housing.objects.filter(household_id=o.hh("DA-02")).exists(),
    )


def _housing_step() -> Write:
    return Write(
        url("support:housing_update", _pk("housing")),
        lambda o: {"status": "started", "on": "2020-04-01"},
        lambda o: Housing.objects.get(pk=o.housing.pk).status == "started",
    )


def _add_member(username: str, persona: str) -> Write:
    return Write(
        url("support:organisation_members", _pk("organisation")),
        lambda o: {"username": username},
        lambda o: Membership.objects.filter(
            organisation=o.organisation, user=o.world.users[persona]
        ).exists(),
    )


def _disburse(line: str) -> Write:
    return Write(
        url("support:disbursement_new", _pk("decision")),
        lambda o: {"line": getattr(o, line).pk, "on": "15/04/2020", "amount": "10.000.000"},
        lambda o: Disbursement.objects.filter(allocation=getattr(o, line)).exists(),
    )


ACTIONS: dict[str, Read | Write] = {
    "project_list": Read(url("support:projects"), lambda o: f'data-project="{o.project.pk}"'),
    "project": Read(url("support:project", _pk("project")), lambda o: o.project.name),
    "capital": Read(url("support:collections", _pk("project")), lambda o: 'data-household="DA-03"'),
    "decision_list": Read(
        url("support:money", query="nam=2020"), lambda o: f'data-decision="{o.decision.pk}"'
    ),
    "decision": Read(url("support:decision", _pk("decision")), lambda o: o.decision.number),
    "decision_da_line": Read(
        url("support:decision", _pk("decision")), lambda o: f'data-line="{o.line_da.pk}"'
    ),
    "loans_da": Read(url("support:loans"), lambda o: 'data-contract="KU-DA-01"'),
    "loans_dd": Read(url("support:loans"), lambda o: 'data-contract="KU-DD-01"'),
    "housing_list": Read(url("support:housing"), lambda o: f'data-housing="{o.housing.pk}"'),
    "housing": Read(url("support:housing_update", _pk("housing")), lambda o: "DA-08"),
    "gaps_dd": Read(
        url("support:gaps", query="nam=2020&xa={o.world.dak_duc.pk}"),
        lambda o: f'data-commune="{o.world.dak_duc.pk}"',
    ),
    "pipeline_da": Read(
        url("support:pipeline", query="nam=2020&xa={o.world.dak_ang.pk}"),
        lambda o: f'data-commune="{o.world.dak_ang.pk}"',
    ),
    "household_panel": Read(
        url("registry:detail", lambda o: o.hh("DA-01")), lambda o: 'class="support-panel"'
    ),
    "organisation": Read(
        url("support:organisation", _pk("organisation")), lambda o: o.organisation.name
    ),
    "task": Read(url("support:task", _pk("task")), lambda o: o.task.title),
    "approve_support": _approve(),
    "disburse_da": _disburse("line_da"),
    "disburse_dd": _disburse("line_dd"),
    "add_beneficiary": _beneficiary(),
    "deliver_support": Write(
        url("support:support_action", _pk("planned")),
        lambda o: {"action": "deliver", "on": "01/05/2020"},
        lambda o: Support.objects.get(pk=o.planned.pk).state == SupportState.DELIVERED,
        prepare=_approve_first,
    ),
    "record_collection": Write(
        url("support:collections", _pk("project")),
        lambda o: {"recovery": o.recovery.pk, "on": "02/05/2020", "amount": "1.000.000"},
        lambda o: Collection.objects.filter(recovery=o.recovery).exists(),
    ),
    "register_escape": Write(
        url("support:escape_register"),
        lambda o: {"nam": "2020", "xa": o.world.dak_ang.pk, "ho": [o.hh("DA-02")]},
        lambda o: EscapeRegistration.objects.filter(household_id=o.hh("DA-02")).exists(),
    ),
    "add_housing": _add_housing(),
    "housing_step": _housing_step(),
    "upload_loans": _upload_loans(),
    "report_task": _report("task"),
    "add_member": _add_member("dakang", "da"),
    "approve_support_unserved": replace(_approve(), prepare=_serves_dd_only),
    "add_beneficiary_unserved": replace(_beneficiary(), prepare=_serves_dd_only),
    "disburse_da_unserved": replace(_disburse("line_da"), prepare=_serving_dd_only("finance")),
    "disburse_dd_served": replace(_disburse("line_dd"), prepare=_serving_dd_only("finance")),
    "upload_loans_unserved": replace(_upload_loans(), prepare=_serving_dd_only("bank")),
    "add_housing_unserved": replace(_add_housing(), prepare=_serving_dd_only("infrastructure")),
    "housing_step_unserved": replace(_housing_step(), prepare=_serving_dd_only("infrastructure")),
    "approve_support_leader_member": replace(_approve(), prepare=_leader_joins_agriculture),
    "add_beneficiary_leader_member": replace(_beneficiary(), prepare=_leader_joins_agriculture),
    "report_task_leader_member": replace(_report("task"), prepare=_leader_joins_agriculture),
    "add_member_leader": _add_member("lanhdao", "leader"),
    "task_commune_partner": Read(
        url("support:task", _pk("partner_task")), lambda o: o.partner_task.title
    ),
    "report_task_commune_partner": _report("partner_task"),
}


# --- the matrix ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flaw:
    """A cell where the app does not do what the rules say: ``expected`` is the rule's."""

    expected: str
    reason: str


Cell = str | Flaw


def flaw(expected: str, reason: str) -> Flaw:
    return Flaw(expected, reason)


def cells(spec: str, **flaws: Flaw) -> dict[str, Cell]:
    """One row: the cells in ``PERSONAS`` order, with the flaws by persona."""
    out: dict[str, Cell] = dict(zip(PERSONAS, spec.split(), strict=True))
    out.update(flaws)
    return out


# fmt: off
MATRIX: list[tuple[str, str, dict[str, Cell]]] = [
    # (action, url name / what it checks,
    #      district da    dd     leader agri   financ bank   infra  outsdr anon)
    ("project_list", "support:projects (the project listed)",
     cells("ok     ok     hidden ok     ok     ok     ok     ok     hidden login")),
    ("project", "support:project",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("capital", "support:collections (DA-03's capital)",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("decision_list", "support:money?nam=2020 (the decision listed)",
     cells("ok     ok     ok     ok     ok     ok     ok     ok     hidden login")),
    ("decision", "support:decision",
     cells("ok     ok     ok     ok     ok     ok     ok     ok     404    login")),
    ("decision_da_line", "support:decision (the Đắk Ang line shown)",
     cells("ok     ok     hidden ok     ok     ok     ok     ok     404    login")),
    ("loans_da", "support:loans (DA-01's loan listed)",
     cells("ok     ok     hidden ok     ok     ok     ok     ok     hidden login")),
    ("loans_dd", "support:loans (DD-01's loan listed)",
     cells("ok     hidden ok     hidden ok     ok     ok     ok     hidden login")),
    ("housing_list", "support:housing (DA-08's house listed)",
     cells("ok     ok     hidden ok     ok     ok     ok     ok     hidden login")),
    ("housing", "support:housing_update (DA-08's house)",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("gaps_dd", "support:gaps?xa=<Đắk Dục>",
     cells("ok     404    ok     404    ok     ok     ok     ok     404    login")),
    ("pipeline_da", "support:pipeline?xa=<Đắk Ang>",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("household_panel", "registry:detail of DA-01 (the support panel)",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("organisation", "support:organisation (Đắk Ang's farmers' union)",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("task", "support:task (the district's task led by Agriculture)",
     cells("ok     404    404    404    ok     ok     ok     ok     404    login")),
    ("approve_support", "POST support:support_action approve (DA-01's cow)",
     cells("ok     403    404    403    ok     403    403    403    404    login")),
    ("disburse_da", "POST support:disbursement_new, the Đắk Ang line",
     cells("ok     ok     404    403    403    ok     403    403    404    login")),
    ("disburse_dd", "POST support:disbursement_new, the Đắk Dục line",
     cells("ok     404    ok     403    403    ok     403    403    404    login")),
    ("add_beneficiary", "POST support:beneficiary_add (DA-02)",
     cells("ok     403    404    403    ok     403    403    403    404    login")),
    ("deliver_support", "POST support:support_action deliver (DA-01's approved cow)",
     cells("ok     ok     404    403    ok     403    403    403    404    login")),
    ("record_collection", "POST support:collections (DA-03 pays back)",
     cells("ok     ok     404    403    ok     403    403    403    404    login")),
    ("register_escape", "POST support:escape_register (DA-02, 2020)",
     cells("ok     ok     404    403    403    403    403    403    404    login")),
    ("add_housing", "POST support:housing_new (DA-02)",
     cells("ok     ok     400    403    403    403    403    ok     403    login")),
    ("housing_step", "POST support:housing_update started (DA-08's house)",
     cells("ok     ok     404    403    403    403    403    ok     404    login")),
    ("upload_loans", "POST support:loan_upload (scope Đắk Ang)",
     cells("ok     ok     403    403    403    403    ok     403    403    login")),
    ("report_task", "POST support:task (a progress report)",
     cells("ok     404    404    404    ok     403    403    403    404    login")),
    ("add_member", "POST support:organisation_members (add dakang, an officer)",
     cells("ok     ok     404    403    403    403    403    403    404    login")),
    # An organisation's member acts only in the communes it serves (Đắk Dục here).
    ("approve_support_unserved", "approve_support, Agriculture serving Đắk Dục only",
     cells("ok     403    404    403    403    403    403    403    404    login")),
    ("add_beneficiary_unserved", "add_beneficiary, Agriculture serving Đắk Dục only",
     cells("ok     403    404    403    403    403    403    403    404    login")),
    ("disburse_da_unserved", "disburse_da, Finance serving Đắk Dục only",
     cells("ok     ok     404    403    403    403    403    403    404    login")),
    ("disburse_dd_served", "disburse_dd, Finance serving Đắk Dục only (its line)",
     cells("ok     404    ok     403    403    ok     403    403    404    login")),
    ("upload_loans_unserved", "upload_loans, the bank serving Đắk Dục only",
     cells("ok     ok     403    403    403    403    403    403    403    login")),
    ("add_housing_unserved", "add_housing, Economy–Infrastructure serving Đắk Dục only",
     cells("ok     ok     400    403    403    403    403    403    403    login")),
    ("housing_step_unserved", "housing_step, Economy–Infrastructure serving Đắk Dục only",
     cells("ok     ok     404    403    403    403    403    403    404    login")),
    # Only the department role and officers may join: a leader's membership gives no right.
    ("approve_support_leader_member", "approve_support, the leader a member of Agriculture",
     cells("ok     403    404    403    ok     403    403    403    404    login")),
    ("add_beneficiary_leader_member", "add_beneficiary, the leader a member of Agriculture",
     cells("ok     403    404    403    ok     403    403    403    404    login")),
    ("report_task_leader_member", "report_task, the leader a member of Agriculture",
     cells("ok     404    404    404    ok     403    403    403    404    login")),
    ("add_member_leader", "POST support:organisation_members (add lanhdao, a leader)",
     cells("400    400    404    403    403    403    403    403    404    login")),
    # Đắk Ang's People's Committee is a partner: the commune's users see it, officers report.
    ("task_commune_partner", "support:task (the district's III.6, UBND Đắk Ang a partner)",
     cells("ok     ok     404    ok     ok     ok     ok     ok     404    login")),
    ("report_task_commune_partner", "POST support:task (a report on III.6)",
     cells("ok     ok     404    403    403    403    403    ok     404    login")),
]
# fmt: on


def _params() -> list[Any]:
    out = []
    for action, _what, row in MATRIX:
        for persona, cell in row.items():
            if isinstance(cell, Flaw):
                mark = pytest.mark.xfail(strict=True, reason=cell.reason)
                out.append(pytest.param(action, persona, cell.expected, marks=mark,
                                        id=f"{action}-{persona}"))  # fmt: skip
            else:
                out.append(pytest.param(action, persona, cell, id=f"{action}-{persona}"))
    return out


# --- the checks ----------------------------------------------------------------------------------
def client_for(o: Objects, persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(o.world.users[persona])
    return client


def _to_login(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith(reverse("login")))


def _check_read(o: Objects, spec: Read, client: Client, expected: str) -> None:
    response = client.get(spec.url(o))
    if expected == "login":
        assert _to_login(response)
        return
    status = {"ok": 200, "hidden": 200}.get(expected) or int(expected)
    assert response.status_code == status, response.content.decode()[:2000]
    if expected in ("ok", "hidden"):
        shown = spec.shows(o) in response.content.decode()
        assert shown is (expected == "ok")


def _check_write(
    o: Objects, spec: Write, client: Client, expected: str, unchanged: Callable[..., Any]
) -> None:
    if spec.prepare is not None:
        spec.prepare(o)
    assert not spec.done(o)
    if expected == "ok":
        audited = AuditEvent.objects.count()
        response = client.post(spec.url(o), spec.data(o))
        assert response.status_code in (200, 302), response.content.decode()[:2000]
        assert spec.done(o)
        assert AuditEvent.objects.count() > audited
        return
    with unchanged(*TABLES):
        response = client.post(spec.url(o), spec.data(o))
    if expected == "login":
        assert _to_login(response)
    else:
        assert response.status_code == int(expected), response.content.decode()[:2000]
    assert not spec.done(o)


@pytest.mark.parametrize(("action", "persona", "expected"), _params())
def test_matrix(
    objects: Objects, unchanged: Callable[..., Any], action: str, persona: str, expected: str
) -> None:
    spec = ACTIONS[action]
    client = client_for(objects, persona)
    if isinstance(spec, Read):
        _check_read(objects, spec, client, expected)
    else:
        _check_write(objects, spec, client, expected, unchanged)


def test_the_matrix_covers_every_action_and_persona() -> None:
    assert [a for a, _w, _r in MATRIX] == list(ACTIONS)
    for _action, _what, row in MATRIX:
        assert tuple(row) == PERSONAS
        values = {c.expected if isinstance(c, Flaw) else c for c in row.values()}
        assert values <= {"ok", "hidden", "403", "404", "400", "login"}
