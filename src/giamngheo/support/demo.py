"""The demo's support and money: what Ngọc Hồi did for its poor households in 2020.

Built on the registry demo (its households and their approved reviews) and the demo plan
(252/KH-UBND), through the app's own services, as the district's officers would have entered
it, by 09/10/2020:

* the organisations of the plan's section III and their tasks (III.1 … III.9), some reported;
* a cow-raising revolving model in Đắk Ang (Program 135's production sub-project): 20 poor
  households, a breeding cow each, half its value to recover in three yearly instalments after
  a year's grace;
* a goat-raising model of 2019 in Sa Loong whose first instalments fell due in 04/2020: most
  collected, some overdue, the recovered capital re-lent to two more households in 2020;
* coffee seedlings and fertiliser in Đắk Dục and Đắk Nông (project 3), some delivered, some
  approved, some still planned;
* Program 135's production items (pigs, poultry, tools) in Bờ Y and Đắk Xú;
* health-insurance cards and tuition exemptions reported for the poor households of two
  communes (supports without a project);
* housing under QĐ 33/2015 for four households, at every stage;
* the Social Policy Bank's loans, brought in by the staged import of a file in the bank's
  layout;
* the district's allocation decision 1725/QĐ-UBND (24/12/2019, cited by the plan) by commune,
  programme node and source, with disbursements in the first three quarters and a settlement;
* the households each commune registered in March 2020 to escape poverty, up to the plan's
  column 5, chosen in the pipeline's order.

Idempotent: a second call finds the cow project and returns the summary.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from giamngheo.core.numbers import format_int
from giamngheo.core.support.loans_template import FIELDS, write_loan_template
from giamngheo.core.support.pipeline import candidates, suggest
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.plans.models import Plan, PlanRow
from giamngheo.registry.audit import audit
from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.support.models import (
    EscapeRegistration,
    Housing,
    Loan,
    Organisation,
    OrgKind,
    Project,
    ProjectStatus,
    Support,
    TaskStatus,
)
from giamngheo.support.selectors.needs import needs
from giamngheo.support.selectors.projects import eligibility_of
from giamngheo.support.services import housing as housing_svc
from giamngheo.support.services import ledger
from giamngheo.support.services import loans as loans_svc
from giamngheo.support.services import money as money_svc
from giamngheo.support.services import organisations as orgs_svc
from giamngheo.support.services import projects as projects_svc

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

YEAR = 2020
PROGRAMME = "QD1722-2016"
COW_PROJECT = "Mô hình nuôi bò cái sinh sản quay vòng vốn xã Đắk Ang năm 2020"
#: Commune codes (before 1/7/2025).
DAK_ANG, DAK_DUC, DAK_NONG, DAK_XU, BO_Y, SA_LOONG = (
    "23380",
    "23383",
    "23386",
    "23389",
    "23395",
    "23398",
)
#: Demo accounts of the organisations (created by ``giamngheo demo``): username → kind.
MEMBERS = {
    "nongnghiep.ngochoi": OrgKind.AGRICULTURE,
    "taichinh.ngochoi": OrgKind.FINANCE,
    "nhcsxh.ngochoi": OrgKind.BANK,
}


@dataclass(frozen=True)
class DemoSupportSummary:
    projects: int
    supports: int
    loans: int
    housing: int
    registered: int

    def __str__(self) -> str:
        return (
            f"{self.projects} dự án / projects, {format_int(self.supports)} lượt hỗ trợ / "
            f"supports, {format_int(self.loans)} khoản vay / loans, {self.housing} nhà ở / "
            f"houses, {self.registered} hộ đăng ký thoát nghèo / registered to escape"
        )


def _summary() -> DemoSupportSummary:
    return DemoSupportSummary(
        projects=Project.objects.count(),
        supports=Support.objects.count(),
        loans=Loan.objects.count(),
        housing=Housing.objects.count(),
        registered=EscapeRegistration.objects.filter(year=YEAR).count(),
    )


def _communes(district: AdminUnit) -> dict[str, AdminUnit]:
    return {
        u.code: u
        for u in AdminUnit.objects.filter(
            parent=district, level=Level.COMMUNE, valid_from__isnull=True
        )
    }


def _poor_of(
    commune: AdminUnit, year: int, classes: tuple[str, ...] = ("poor",)
) -> list[Household]:
    ids = ReviewRecord.objects.filter(
        household__commune=commune,
        year=year,
        kind=ReviewKind.PERIODIC,
        state=ReviewState.APPROVED,
        classification__in=classes,
    ).values("household_id")
    return list(
        Household.objects.filter(pk__in=ids, status=HouseholdStatus.ACTIVE)
        .select_related("village")
        .order_by("code")
    )


def load_demo_support(actor: AbstractBaseUser, district: AdminUnit) -> DemoSupportSummary:
    """Load everything above once (``actor``: the district officer who enters it)."""
    if Project.objects.filter(name=COMMUNE_GUARD).exists():
        return _summary()
    communes = _communes(district)
    with transaction.atomic():
        orgs = _organisations(actor, district)
        _tasks(actor, district, orgs)
        projects = _projects(actor, district, communes, orgs)
        _other_supports(actor, communes)
        _housing(actor, district)
        _money(actor, district, communes, projects)
        _registrations(actor, district, communes)
    _loans(actor, district, communes)
    return _summary()


COMMUNE_GUARD = COW_PROJECT


# --- organisations and tasks -------------------------------------------------------------
def _organisations(actor: AbstractBaseUser, district: AdminUnit) -> dict[str, Organisation]:
    from django.contrib.auth import get_user_model

    orgs_svc.seed_organisations(actor, district)
    by_kind = {
        o.kind: o
        for o in Organisation.objects.filter(unit=district).order_by("pk")
        if o.kind != OrgKind.COMMUNE
    }
    users = get_user_model().objects.filter(username__in=MEMBERS)
    for user in users:
        org = by_kind[MEMBERS[user.get_username()]]
        if not org.memberships.filter(user=user).exists():
            orgs_svc.member_add(actor, org, user)
    return by_kind


def _tasks(actor: AbstractBaseUser, district: AdminUnit, orgs: dict[str, Organisation]) -> None:
    plan = Plan.objects.filter(issuing_unit=district, year=YEAR).first()
    if plan is None:
        return
    tasks = {t.number: t for t in orgs_svc.seed_plan_tasks(actor, plan)}
    reports = (
        ("III.1", TaskStatus.IN_PROGRESS, "Đã hướng dẫn các xã rà soát; báo cáo quý I, II."),
        ("III.2", TaskStatus.IN_PROGRESS, "Thẩm định 3 dự án; mô hình bò Đắk Ang đã cấp bò."),
        ("III.3", TaskStatus.DONE, "Đã tham mưu QĐ 1725/QĐ-UBND phân bổ kinh phí 2020."),
        ("III.7", TaskStatus.IN_PROGRESS, "Giải ngân cho vay hộ nghèo, cận nghèo quý I–III."),
    )
    for number, status, note in reports:
        if number in tasks:
            orgs_svc.task_report(actor, tasks[number], status, note)


# --- projects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    name: str
    kind: str
    node: str
    lead: str
    rule: str
    types: tuple[str, ...]
    communes: tuple[str, ...]
    year: int
    budget: tuple[tuple[str, int], ...]
    approval: tuple[str, dt.date]
    revolving: tuple[int, int, int, int] = (0, 0, 12, 0)  # share, instalments, every, grace


SPECS = (
    _Spec(COW_PROJECT, "model", "DA2.TDA2", OrgKind.AGRICULTURE, "poor_near_poor",
          ("breeding_cattle",), (DAK_ANG,), 2020,
          (("central", 300_000_000), ("contribution", 20_000_000)),
          ("215/QĐ-UBND", dt.date(2020, 3, 20)), (50, 3, 12, 12)),
    _Spec("Mô hình nuôi dê sinh sản quay vòng vốn xã Sa Loong", "model", "DA2.TDA2",
          OrgKind.AGRICULTURE, "poor_near_poor", ("breeding_goat",), (SA_LOONG,), 2019,
          (("central", 80_000_000),), ("301/QĐ-UBND", dt.date(2019, 3, 20)), (50, 2, 12, 0)),
    _Spec("Hỗ trợ cây giống cà phê và phân bón xã Đăk Dục, Đăk Nông", "production", "DA3",
          OrgKind.AGRICULTURE, "poor_near_poor_escaped", ("seedlings", "fertiliser"),
          (DAK_DUC, DAK_NONG), 2020, (("central", 150_000_000), ("local", 30_000_000)),
          ("402/QĐ-UBND", dt.date(2020, 4, 10))),
    _Spec("Hỗ trợ phát triển sản xuất Chương trình 135 năm 2020 xã Bờ Y, Đăk Xú", "production",
          "DA2.TDA2", OrgKind.ETHNIC, "poor_near_poor",
          ("breeding_pig", "breeding_poultry", "farm_tools"), (BO_Y, DAK_XU), 2020,
          (("central", 200_000_000),), ("388/QĐ-UBND", dt.date(2020, 4, 2))),
)  # fmt: skip


def _project(actor: AbstractBaseUser, district: AdminUnit, communes: dict[str, AdminUnit],
             orgs: dict[str, Organisation], s: _Spec) -> Project:  # fmt: skip
    share, count, every, grace = s.revolving
    fields = projects_svc.ProjectFields(
        name=s.name, kind=s.kind, programme_id=PROGRAMME, node_code=s.node, lead=orgs[s.lead],
        year=s.year, eligibility_rule=s.rule, support_types=list(s.types),
        communes=[communes[c] for c in s.communes], partners=[orgs[OrgKind.LABOUR]],
        start=s.approval[1], end=dt.date(s.year, 12, 31),
        appraisal_number=f"{s.approval[0].split('/')[0]}/BC-NN",
        appraisal_date=s.approval[1] - dt.timedelta(days=10),
        approval_body="UBND huyện Ngọc Hồi", revolving=share > 0, recovery_share=share,
        recovery_instalments=count, recovery_every_months=every, recovery_grace_months=grace,
    )  # fmt: skip
    project = projects_svc.project_create(actor, district, fields)
    for source, amount in s.budget:
        projects_svc.project_set_budget(actor, project, source, amount)
    projects_svc.project_set_status(
        actor, project, ProjectStatus.APPROVED, approval_number=s.approval[0],
        approval_date=s.approval[1], approval_body="UBND huyện Ngọc Hồi",
    )  # fmt: skip
    projects_svc.project_set_status(actor, project, ProjectStatus.RUNNING)
    return project


def _beneficiaries(actor: AbstractBaseUser, project: Project, households: list[Household],
                   on: dt.date, limit: int) -> list[Household]:  # fmt: skip
    chosen: list[Household] = []
    for hh in households:
        if len(chosen) == limit:
            break
        if eligibility_of(project, hh, on).eligible:
            projects_svc.beneficiary_add(actor, project, hh, on)
            chosen.append(hh)
    return chosen


class _Item(NamedTuple):
    support_type: str
    item: str
    quantity: int
    unit: str
    value: int


COW = _Item("breeding_cattle", "Bò cái sinh sản", 1, "con", 15_000_000)
GOATS = _Item("breeding_goat", "Dê cái sinh sản", 4, "con", 8_000_000)
SEEDLINGS = _Item("seedlings", "Cây cà phê giống", 800, "cây", 3_200_000)
FERTILISER = _Item("fertiliser", "Phân NPK", 200, "kg", 2_400_000)
P135_ITEMS = (
    _Item("breeding_pig", "Lợn giống", 2, "con", 5_000_000),
    _Item("breeding_poultry", "Gà giống", 50, "con", 2_500_000),
    _Item("farm_tools", "Máy xát lúa mini", 1, "cái", 6_000_000),
)


def _give(actor: AbstractBaseUser, project: Project, hh: Household, what: _Item, on: dt.date,
          *, until: str) -> Support:  # fmt: skip
    """Plan one support and move it as far as ``until`` (planned, approved, delivered)."""
    support = ledger.support_plan(
        actor, hh, project=project, support_type=what.support_type, item=what.item,
        quantity=what.quantity, unit_label=what.unit, value=what.value, source="central", on=on,
    )  # fmt: skip
    if until in ("approved", "delivered"):
        support = ledger.support_approve(actor, support)
    if until == "delivered":
        support = ledger.support_deliver(actor, support, on)
    return support


def _projects(actor: AbstractBaseUser, district: AdminUnit, communes: dict[str, AdminUnit],
              orgs: dict[str, Organisation]) -> dict[str, Project]:  # fmt: skip
    made = {s.name: _project(actor, district, communes, orgs, s) for s in SPECS}
    cow, goat, coffee, p135 = (made[s.name] for s in SPECS)
    on = dt.date(2020, 4, 15)
    for hh in _beneficiaries(actor, cow, _poor_of(communes[DAK_ANG], 2019), on, 20):
        _give(actor, cow, hh, COW, on, until="delivered")
    projects_svc.output_save(actor, cow, label="Hộ được hỗ trợ bò", unit_label="hộ",
                             planned=20, actual=20)  # fmt: skip
    _goats(actor, goat, communes[SA_LOONG])
    for i, hh in enumerate(_beneficiaries(
        actor, coffee,
        _poor_of(communes[DAK_DUC], 2019, ("poor", "near_poor"))
        + _poor_of(communes[DAK_NONG], 2019, ("poor", "near_poor")),
        dt.date(2020, 5, 5), 30,
    )):  # fmt: skip
        until = ("delivered", "delivered", "approved", "planned")[i % 4]
        _give(actor, coffee, hh, SEEDLINGS, dt.date(2020, 5, 20), until=until)
        if until == "delivered":
            _give(actor, coffee, hh, FERTILISER, dt.date(2020, 6, 10), until="delivered")
    projects_svc.output_save(actor, coffee, label="Cây cà phê giống", unit_label="cây",
                             planned=24_000, actual=12_000)  # fmt: skip
    pool = _poor_of(communes[BO_Y], 2019) + _poor_of(communes[DAK_XU], 2019)
    for i, hh in enumerate(_beneficiaries(actor, p135, pool, dt.date(2020, 4, 20), 24)):
        until = "delivered" if i % 5 else "approved"
        _give(actor, p135, hh, P135_ITEMS[i % 3], dt.date(2020, 6, 1), until=until)
    return made


def _goats(actor: AbstractBaseUser, goat: Project, sa_loong: AdminUnit) -> None:
    """2019: ten households, 8.000.000 đ of goats each, half to return in two yearly
    instalments (due 04/2020 and 04/2021); seven paid the first on time, three are overdue;
    the capital collected is re-lent to two households in 2020."""
    on = dt.date(2019, 4, 10)
    households = _beneficiaries(actor, goat, _poor_of(sa_loong, 2018), on, 10)
    for i, hh in enumerate(households):
        support = _give(actor, goat, hh, GOATS, on, until="delivered")
        if i < 7:
            ledger.collection_record(actor, support.recovery, dt.date(2020, 4, 20), 2_000_000)
    taken = {h.pk for h in households}
    others = [h for h in _poor_of(sa_loong, 2019) if h.pk not in taken]
    for hh in _beneficiaries(actor, goat, others, dt.date(2020, 6, 15), 2):
        relent = ledger.relend(actor, goat, hh, 7_000_000, dt.date(2020, 6, 20),
                               support_type="breeding_goat", item="Dê cái sinh sản (vốn quay "
                               "vòng)", quantity=3, unit_label="con")  # fmt: skip
        relent = ledger.support_approve(actor, relent)
        ledger.support_deliver(actor, relent, dt.date(2020, 6, 20))


# --- supports without a project, housing ------------------------------------------------
def _other_supports(actor: AbstractBaseUser, communes: dict[str, AdminUnit]) -> None:
    for code in (DAK_ANG, SA_LOONG):
        for hh in _poor_of(communes[code], 2019, ("poor", "near_poor")):
            ledger.support_report(
                actor, hh, support_type="health_insurance_card", item="Thẻ BHYT năm 2020",
                quantity=3, unit_label="thẻ", value=2_413_800, source="central",
                on=dt.date(2020, 1, 15),
            )  # fmt: skip
    reviews = ReviewRecord.objects.filter(
        household__commune=communes[DAK_ANG], year=2019, state=ReviewState.APPROVED,
        kind=ReviewKind.PERIODIC, classification="poor",
        household__status=HouseholdStatus.ACTIVE,
    ).select_related("household").order_by("household__code")  # fmt: skip
    deprived = [r for r in reviews if "child_schooling" in (r.deprived or ())][:15]
    for r in deprived:
        ledger.support_report(
            actor, r.household, support_type="tuition_exemption", item="Miễn học phí, hỗ trợ "
            "chi phí học tập năm học 2019–2020", quantity=1, unit_label="học sinh",
            value=1_050_000, source="local", on=dt.date(2020, 2, 10),
        )  # fmt: skip


def _housing(actor: AbstractBaseUser, district: AdminUnit) -> None:
    found = housing_svc.housing_eligible(actor, district, "qd33_2015", YEAR)
    steps = (("handed_over", dt.date(2020, 8, 30)), ("finished", dt.date(2020, 9, 20)),
             ("started", dt.date(2020, 7, 1)), ("planned", None))  # fmt: skip
    for e, (status, until) in zip(found[:4], steps, strict=False):
        house = housing_svc.housing_add(
            actor, e.household, "qd33_2015", "new", YEAR, 0, 25_000_000, dt.date(2020, 5, 4)
        )
        days = (("started", dt.date(2020, 6, 1)), ("finished", dt.date(2020, 8, 15)),
                ("handed_over", dt.date(2020, 8, 30)))  # fmt: skip
        for step, day in days:
            if until is None or day > until:
                break
            house = housing_svc.housing_step(actor, house, step, day)
            if step == status:
                break


# --- money ---------------------------------------------------------------------------------
#: Decision 1725/QĐ-UBND's lines: commune code (None: kept at the district) → node → source →
#: amount; the cow and coffee lines are the projects'.
LINES: tuple[tuple[str | None, str, str, int], ...] = (
    (DAK_ANG, "DA2.TDA1", "central", 1_200_000_000),
    (DAK_ANG, "DA2.TDA2", "central", 300_000_000),
    (SA_LOONG, "DA2.TDA1", "central", 1_000_000_000),
    (SA_LOONG, "DA2.TDA2", "central", 250_000_000),
    (BO_Y, "DA2.TDA2", "central", 120_000_000),
    (DAK_XU, "DA2.TDA2", "central", 80_000_000),
    (DAK_DUC, "DA3", "central", 90_000_000),
    (DAK_NONG, "DA3", "central", 60_000_000),
    (DAK_DUC, "DA3", "local", 30_000_000),
    (None, "DA4", "local", 45_000_000),
    (None, "DA5.TDA1", "central", 60_000_000),
)
#: Share of each line disbursed by quarter (Q1, Q2, Q3) in per cent, by node.
PACE = {"DA2.TDA1": (20, 30, 25), "DA2.TDA2": (0, 60, 30), "DA3": (0, 50, 30),
        "DA4": (25, 25, 25), "DA5.TDA1": (10, 40, 20)}  # fmt: skip
QUARTER_DAY = (dt.date(2020, 3, 25), dt.date(2020, 6, 25), dt.date(2020, 9, 25))


def _money(actor: AbstractBaseUser, district: AdminUnit, communes: dict[str, AdminUnit],
           projects: dict[str, Project]) -> None:  # fmt: skip
    decision = money_svc.decision_create(
        actor, unit=district, number="1725/QĐ-UBND", date=dt.date(2019, 12, 24),
        issuer="UBND huyện Ngọc Hồi", year=YEAR, programme_id=PROGRAMME,
        title="Giao chi tiết Kế hoạch đầu tư nguồn ngân sách nhà nước năm 2020 — Chương trình "
        "MTQG Giảm nghèo bền vững",
    )  # fmt: skip
    by_commune_node = {
        (SPECS[0].communes[0], SPECS[0].node): projects[SPECS[0].name],
        (DAK_DUC, "DA3"): projects[SPECS[2].name],
    }
    for code, node, source, amount in LINES:
        project = by_commune_node.get((code, node)) if code is not None else None
        if project is not None and source != "central":
            project = None
        line = money_svc.allocation_add(
            actor, decision, commune=communes[code] if code else None, project=project,
            node_code=node, source=source, amount=amount,
        )  # fmt: skip
        for day, share in zip(QUARTER_DAY, PACE[node], strict=True):
            if share:
                money_svc.disbursement_record(
                    actor, line, on=day, amount=amount * share // 100,
                    reference=f"UNC {day:%m}/{line.pk:03d}",
                )  # fmt: skip
        if node == "DA4":
            money_svc.settlement_record(actor, line, on=dt.date(2020, 9, 30),
                                        amount=amount * 50 // 100,
                                        reference="Biên bản quyết toán quý III")  # fmt: skip


# --- escape registrations ------------------------------------------------------------------
def _registrations(actor: AbstractBaseUser, district: AdminUnit,
                   communes: dict[str, AdminUnit]) -> None:  # fmt: skip
    """Each commune registered in March 2020, up to its target, the 2019 poor households
    closest to escaping. Written directly (with its audit row): a registration is refused
    once the year's review is approved, and the registry demo already holds 2020's."""
    plan = Plan.objects.filter(issuing_unit=district, year=YEAR).first()
    if plan is None:
        return
    targets = dict(
        PlanRow.objects.filter(plan=plan, reduction__isnull=False).values_list(
            "unit_id", "reduction"
        )
    )
    pool = needs(actor, year=YEAR - 1, commune_ids=list(targets))
    ranked = candidates(pool)
    for commune_id, target in targets.items():
        for c in suggest(ranked, target or 0, commune_id=commune_id):
            reg = EscapeRegistration.objects.create(
                household_id=c.need.household_id, commune_id=commune_id, year=YEAR,
                note="Đăng ký tại hội nghị thôn tháng 3/2020", registered_by_id=actor.pk,
            )  # fmt: skip
            audit(actor, "support_escape_register", reg, changes={"year": YEAR, "demo": True})


# --- loans ---------------------------------------------------------------------------------
LOAN_AS_OF = dt.date(2020, 9, 30)
#: (programme as the bank writes it, amount, rate, term in months) by class of 2019.
LOAN_OF = {
    "poor": ("Cho vay hộ nghèo", 40_000_000, "6,6", 60),
    "near_poor": ("Cho vay hộ cận nghèo", 50_000_000, "7,92", 60),
}
ENTRUSTED = ("Hội Nông dân", "Hội Phụ nữ", "Hội Cựu chiến binh", "Đoàn Thanh niên")


def _loan_rows(communes: dict[str, AdminUnit]) -> list[list[object]]:
    rows: list[list[object]] = []
    for code in (DAK_ANG, DAK_DUC, SA_LOONG, BO_Y):
        commune = communes[code]
        for i, hh in enumerate(_poor_of(commune, 2019, ("poor", "near_poor"))[:25]):
            cls = "poor" if ReviewRecord.objects.filter(
                household=hh, year=2019, classification="poor"
            ).exists() else "near_poor"  # fmt: skip
            programme, amount, rate, term = LOAN_OF[cls]
            disbursed = dt.date(2019 + i % 2, 1 + i % 9, 10 + i % 15)
            repaid = amount * (i % 4) // 10
            values: dict[str, object] = {
                "contract_no": f"NH-{code}-{2019 + i % 2}-{i + 1:04d}", "household_code": hh.code,
                "borrower_name": hh.head_name, "commune": commune.name,
                "village": hh.village.name if hh.village else "", "programme": programme,
                "amount": amount, "disbursed_on": disbursed, "rate": rate, "term_months": term,
                "due_on": None, "outstanding": amount - repaid,
                "overdue": 5_000_000 if i % 11 == 3 else 0,
                "savings_group": f"Tổ TK&VV số {1 + i % 3}",
                "transaction_point": f"Điểm giao dịch {commune.name}",
                "entrusted_org": ENTRUSTED[i % 4],
            }  # fmt: skip
            rows.append([len(rows) + 1, *(values[f] for f in FIELDS)])
    return rows


def _loans(actor: AbstractBaseUser, district: AdminUnit, communes: dict[str, AdminUnit]) -> None:
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    write_loan_template(buffer, as_of=LOAN_AS_OF)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = wb.worksheets[0]
    ws.delete_rows(ws.max_row)  # the template's example row
    for row in _loan_rows(communes):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("du-no-NHCSXH-Ngoc-Hoi-30-09-2020.xlsx", out.getvalue())
    batch = loans_svc.loans_upload(actor, district, upload, LOAN_AS_OF)
    batch = loans_svc.loans_stage(batch)
    loans_svc.loans_commit(actor, batch)
