"""The project pages: the list with its filters, the project page (budget by source with
committed and remaining, beneficiaries as far as the user may see them, supports with the
actions the user may take, the capital), the forms (a project, its status and budget,
beneficiaries with their eligibility shown before adding, a household's supports, actions on
a support, collections with overdue in red, re-loans), 403 with the reason and 404 outside the
user's scope, refusals shown with status 400, and the English page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_projects import SPRING, make_project

from giamngheo.registry.models import Household
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Beneficiary,
    Collection,
    Disbursement,
    Project,
    ProjectStatus,
    Support,
    SupportState,
)
from giamngheo.support.services import ledger
from giamngheo.support.services.housing import housing_add
from giamngheo.support.services.projects import beneficiary_add

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(settings: Any) -> None:
    settings.GIAMNGHEO_TODAY = TODAY


def client_for(user: User, lang: str = "vi") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def cow_model(world: Any) -> Project:
    """A revolving cow model with two delivered cows (DA-01, DD-01) and one planned (DA-02)."""
    project = make_project(
        world,
        budgets={"central": 40_000_000, "local": 5_000_000},
        revolving=True,
        recovery_share=50,
        recovery_instalments=2,
        recovery_every_months=12,
        support_types=["breeding_cattle"],
    )
    boss = world.users["district"]
    for code in ("DA-01", "DD-01", "DA-02"):
        household = world.households[code]
        beneficiary_add(boss, project, household, SPRING)
        support = ledger.support_plan(
            boss,
            household,
            project=project,
            support_type="breeding_cattle",
            item="Bò cái",
            value=12_000_000,
            source="central",
            on=SPRING,
        )
        if code != "DA-02":
            ledger.support_approve(boss, support)
            ledger.support_deliver(boss, support, dt.date(2020, 4, 1))
    return project


# --- the list --------------------------------------------------------------------------------
def test_the_list_filters_and_scopes(world: Any) -> None:
    project = cow_model(world)
    other = make_project(
        world,
        unit=world.dak_duc,
        name="Trồng cà phê Đắk Dục",
        lead=world.orgs["commune_dd"],
        communes=[world.dak_duc],
        support_types=["seedlings"],
    )
    page = client_for(world.users["district"]).get(reverse("support:projects"))
    assert page.status_code == 200
    html = page.content.decode()
    assert project.name in html and other.name in html
    assert "45.000.000 đ" in html  # the budget of both sources
    found = client_for(world.users["district"]).get(reverse("support:projects"), {"q": "ca phe"})
    assert other.name in found.content.decode() and project.name not in found.content.decode()
    by_org = client_for(world.users["district"]).get(
        reverse("support:projects"), {"co_quan": world.orgs["agriculture"].pk}
    )
    assert project.name in by_org.content.decode() and other.name not in by_org.content.decode()
    da = client_for(world.users["da"]).get(reverse("support:projects")).content.decode()
    assert project.name in da and other.name not in da
    assert client_for(world.users["outsider"]).get(reverse("support:projects")).status_code == 200


# --- the project page ------------------------------------------------------------------------
def test_the_project_page_shows_money_households_and_capital(world: Any) -> None:
    project = cow_model(world)
    url = reverse("support:project", args=[project.pk])
    html = client_for(world.users["district"]).get(url).content.decode()
    assert "Dự án 3" in html  # the programme node's name from the data
    assert "Hộ nghèo, hộ cận nghèo, hộ mới thoát nghèo" in html
    assert "40.000.000 đ" in html and "24.000.000 đ" in html and "16.000.000 đ" in html
    for code in ("DA-01", "DA-02", "DD-01"):
        assert f'data-household="{code}"' in html
    assert 'value="approve"' in html  # DA-02's cow waits for approval
    assert "12.000.000 đ" in html  # capital to recover: half of two cows
    assert reverse("support:collections", args=[project.pk]) in html
    # The commune officer of Đắk Ang sees its households only, and cannot approve.
    da = client_for(world.users["da"]).get(url).content.decode()
    assert 'data-household="DA-01"' in da and 'data-household="DD-01"' not in da
    assert 'value="approve"' not in da
    assert "Chỉ hiện các hộ thuộc địa bàn của bạn" in da


def test_pages_outside_the_scope_are_404_and_rights_403(world: Any) -> None:
    project = make_project(world, communes=[world.dak_ang])
    url = reverse("support:project", args=[project.pk])
    assert client_for(world.users["dd"]).get(url).status_code == 404
    assert client_for(world.users["outsider"]).get(url).status_code == 404
    assert client_for(world.users["leader"]).get(url).status_code == 200
    edit = client_for(world.users["leader"]).get(reverse("support:project_edit", args=[project.pk]))
    assert edit.status_code == 403
    assert "Không có quyền" in edit.content.decode()
    budget = client_for(world.users["da"]).post(
        reverse("support:project_budget", args=[project.pk]),
        {"source": "central", "amount": "1.000.000"},
    )
    assert budget.status_code == 403 and not project.budgets.exists()
    assert (
        client_for(world.users["district"]).get(reverse("support:project", args=[999])).status_code
        == 404
    )
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 404)


def test_the_english_page(world: Any) -> None:
    project = cow_model(world)
    html = (
        client_for(world.users["district"], "en")
        .get(reverse("support:project", args=[project.pk]))
        .content.decode()
    )
    assert '<html lang="en">' in html
    assert "Central budget" in html and "Local budget" in html
    assert "Poor, near-poor and newly escaped households" in html  # the rule, from its data
    assert "Breeding cattle (cows)" in html
    assert "Project 3: production development" in html
    assert "40,000,000 VND" in html


# --- the forms -------------------------------------------------------------------------------
def _project_post(world: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "unit": world.district.pk,
        "name": "Hỗ trợ giống cà phê 2020",
        "kind": "production",
        "node": "QD1722-2016|DA2.TDA2",
        "year": "2020",
        "lead": world.orgs["agriculture"].pk,
        "communes": [world.dak_ang.pk],
        "eligibility_rule": "poor_near_poor",
        "support_types": ["seedlings"],
        "start": "01/03/2020",
        "end": "31/12/2020",
        "recovery_share": "0",
        "recovery_instalments": "0",
        "recovery_every_months": "12",
        "recovery_grace_months": "0",
    }
    return data | changes


def test_creating_and_editing_a_project_through_the_form(world: Any) -> None:
    agri = client_for(world.users["agri"])
    form = agri.get(reverse("support:project_new"))
    assert form.status_code == 200 and "DA2.TDA2" in form.content.decode()
    refused = agri.post(
        reverse("support:project_new"), _project_post(world, node="QD1722-2016|DA4")
    )
    assert refused.status_code == 400 and not Project.objects.exists()
    assert "không chi cho" in refused.content.decode()
    made = agri.post(reverse("support:project_new"), _project_post(world))
    project = Project.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse(
        "support:project", args=[project.pk]
    )
    assert (project.node_code, project.start, project.lead) == (
        "DA2.TDA2",
        dt.date(2020, 3, 1),
        world.orgs["agriculture"],
    )
    edit_url = reverse("support:project_edit", args=[project.pk])
    page = agri.get(edit_url).content.decode()
    assert "Hỗ trợ giống cà phê 2020" in page and "01/03/2020" in page
    agri.post(edit_url, _project_post(world, name="Giống cà phê TR4"))
    project.refresh_from_db()
    assert project.name == "Giống cà phê TR4"


def test_status_and_budget_forms(world: Any) -> None:
    project = make_project(world, status=ProjectStatus.DRAFT)
    boss = client_for(world.users["district"])
    url = reverse("support:project_status", args=[project.pk])
    missing = boss.post(url, {"status": "approved", "approval_number": ""})
    assert missing.status_code == 400 and "số và ngày quyết định" in missing.content.decode()
    ok = boss.post(
        url, {"status": "approved", "approval_number": "45/QĐ-UBND", "approval_date": "10/02/2020"}
    )
    assert ok.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.approval_date) == ("approved", dt.date(2020, 2, 10))
    budget = boss.post(
        reverse("support:project_budget", args=[project.pk]),
        {"source": "local", "amount": "1.250.000"},
    )
    assert budget.status_code == 302
    assert project.budgets.get().amount == 1_250_000
    bad = boss.post(
        reverse("support:project_budget", args=[project.pk]), {"source": "local", "amount": "1,5"}
    )
    assert bad.status_code == 400 and project.budgets.get().amount == 1_250_000


def test_choosing_beneficiaries_shows_eligibility_first(world: Any) -> None:
    project = make_project(world, eligibility_rule="poor_near_poor_escaped")
    boss = client_for(world.users["district"])
    url = reverse("support:beneficiary_add", args=[project.pk])
    found = boss.get(url, {"q": "tran thi", "ngay": "01/03/2020"}).content.decode()  # no accents
    assert 'data-household="DA-05"' in found and "Đủ điều kiện" in found
    assert "mới thoát nghèo" in found
    others = boss.get(url, {"q": "DA-06", "ngay": "01/03/2020"}).content.decode()
    assert "Không đủ điều kiện" in others and "không nghèo" in others
    assert 'name="justification"' in others  # the rule allows a justification
    household = world.households["DA-06"]
    refused = boss.post(
        url, {"household": household.pk, "on": "01/03/2020", "justification": "", "q": "DA-06"}
    )
    assert refused.status_code == 400 and not Beneficiary.objects.exists()
    accepted = boss.post(
        url,
        {"household": household.pk, "on": "01/03/2020", "justification": "Mất mùa", "q": "DA-06"},
    )
    assert accepted.status_code == 302
    b = Beneficiary.objects.get()
    assert (b.household, b.eligible, b.justification) == (household, False, "Mất mùa")
    strict = make_project(world, eligibility_rule="poor")
    page = boss.get(
        reverse("support:beneficiary_add", args=[strict.pk]), {"q": "DA-06", "ngay": "01/03/2020"}
    ).content.decode()
    assert 'name="justification"' not in page
    outside = boss.get(url, {"q": "DX-99"}).content.decode()
    assert "Không tìm thấy hộ nào" in outside
    assert client_for(world.users["da"]).get(url, {"q": "DA"}).status_code == 403


def test_a_households_support_page_and_actions(world: Any) -> None:
    project = cow_model(world)
    household = world.households["DA-02"]
    url = reverse("support:support_new", args=[household.pk])
    da = client_for(world.users["da"])
    page = da.get(url)
    assert page.status_code == 200 and "Bò cái" in page.content.decode()
    card = da.post(
        url,
        {
            "project": "",
            "support_type": "health_insurance_card",
            "item": "Thẻ BHYT",
            "quantity": "3",
            "value": "2.100.000",
            "source": "central",
            "on": "15/01/2020",
            "delivered": "on",
        },
    )
    assert card.status_code == 302
    got = Support.objects.get(support_type="health_insurance_card")
    assert (got.state, got.value, got.project) == ("delivered", 2_100_000, None)
    planned = Support.objects.get(household=household, project=project)
    action = reverse("support:support_action", args=[planned.pk])
    assert da.post(action, {"action": "approve"}).status_code == 403  # not a manager
    boss = client_for(world.users["district"])
    assert boss.post(action, {"action": "approve"}).status_code == 302
    undo = boss.post(action, {"action": "cancel", "reason_code": "other", "note": ""})
    assert undo.status_code == 302  # back with the refusal as a message
    assert "Lý do khác cần ghi rõ" in boss.get(undo["Location"]).content.decode()
    assert Support.objects.get(pk=planned.pk).state == SupportState.APPROVED
    assert client_for(world.users["dd"]).get(url).status_code == 404
    assert client_for(world.users["dd"]).post(action, {"action": "approve"}).status_code == 404


def test_the_collections_table_and_relending(world: Any) -> None:
    project = cow_model(world)
    url = reverse("support:collections", args=[project.pk])
    boss = client_for(world.users["district"])
    html = boss.get(url).content.decode()
    # 6.000.000 each, due 01/04/2021 and 01/04/2022: by 01/12/2022 all due, nothing paid.
    assert 'class="num overdue"' in html and "6.000.000 đ" in html
    recovery = Support.objects.get(household=world.households["DA-01"]).recovery
    posted = boss.post(url, {"recovery": recovery.pk, "on": "02/04/2021", "amount": "3.000.000"})
    assert posted.status_code == 302 and Collection.objects.get().amount == 3_000_000
    over = boss.post(url, {"recovery": recovery.pk, "on": "03/04/2021", "amount": "3.000.001"})
    assert over.status_code == 400 and Collection.objects.count() == 1
    relend = reverse("support:relend", args=[project.pk])
    beneficiary_add(world.users["district"], project, world.households["DA-03"], SPRING)
    too_much = boss.post(
        relend,
        {
            "household": world.households["DA-03"].pk,
            "support_type": "breeding_cattle",
            "amount": "3.000.001",
            "on": "10/05/2021",
        },
    )
    assert too_much.status_code == 400 and "vượt số vốn đã thu hồi" in too_much.content.decode()
    ok = boss.post(
        relend,
        {
            "household": world.households["DA-03"].pk,
            "support_type": "breeding_cattle",
            "amount": "3.000.000",
            "on": "10/05/2021",
        },
    )
    assert ok.status_code == 302
    assert Support.objects.get(relent_from=recovery).value == 3_000_000
    dd = client_for(world.users["dd"]).get(url).content.decode()
    assert 'data-household="DD-01"' in dd and 'data-household="DA-01"' not in dd
    plain = make_project(world)
    assert boss.get(reverse("support:collections", args=[plain.pk])).status_code == 404


# --- refused actions, explicit form targets -------------------------------------------------
def test_a_refused_action_goes_back_with_the_reason(world: Any) -> None:
    project = cow_model(world)
    household = world.households["DA-02"]
    own_page = reverse("support:support_new", args=[household.pk])
    card = ledger.support_plan(
        world.users["da"], household, support_type="health_insurance_card", item="Thẻ BHYT",
        value=700_000,
        source="central", on=dt.date(2020, 1, 15),
    )  # fmt: skip
    da = client_for(world.users["da"])
    action = reverse("support:support_action", args=[card.pk])
    refused = da.post(action, {"action": "cancel", "reason_code": "other", "note": ""})
    assert refused.status_code == 302 and refused["Location"] == own_page
    assert Support.objects.get(pk=card.pk).state == SupportState.PLANNED
    page = da.get(own_page).content.decode()
    # The refusal, carried by the redirect, in the page's alert box (once).
    alert = page[page.index('id="error"') :].split("</div>")[0]
    assert "Lý do khác cần ghi rõ" in alert and page.count("Lý do khác cần ghi rõ") == 1
    assert f'action="{own_page}"' in page  # "Ghi" posts to the household's page, not the action
    # A project's support: back where the officer acted (the household's page or the project).
    cow = Support.objects.get(household=household, project=project)
    boss = client_for(world.users["district"])
    cow_action = reverse("support:support_action", args=[cow.pk])
    again = boss.post(cow_action, {"action": "cancel", "reason_code": "other", "back": "household"})
    assert again.status_code == 302 and again["Location"] == own_page
    there = boss.post(cow_action, {"action": "cancel", "reason_code": "other"})
    assert there.status_code == 302
    assert there["Location"].startswith(reverse("support:project", args=[project.pk]))
    assert "Lý do khác cần ghi rõ" in boss.get(there["Location"]).content.decode()
    assert Support.objects.get(pk=cow.pk).state == SupportState.PLANNED


def test_every_form_names_its_target(world: Any) -> None:
    project = cow_model(world)
    boss = client_for(world.users["district"])
    pages = [
        reverse("support:project", args=[project.pk]),
        reverse("support:project_edit", args=[project.pk]),
        reverse("support:project_new"),
        reverse("support:beneficiary_add", args=[project.pk]) + "?q=DA",
        reverse("support:support_new", args=[world.households["DA-01"].pk]),
        reverse("support:collections", args=[project.pk]),
        reverse("support:relend", args=[project.pk]),
    ]
    for url in pages:
        html = boss.get(url).content.decode()
        forms = re.findall(r"<form\b[^>]*>", html)
        assert forms, url
        for tag in forms:
            if "support-lang" in tag or "logout" in tag or "set_language" in tag:
                continue
            assert 'action="/' in tag, (url, tag)


# --- housing lines are the housing register's -------------------------------------------------
def test_a_housing_line_has_no_ledger_actions(world: Any) -> None:
    household = world.households["DA-08"]
    house = housing_add(
        world.users["da"], household, "qd33_2015", "new", 2020, 0, 25_000_000, SPRING
    )
    html = (
        client_for(world.users["district"])
        .get(reverse("support:support_new", args=[household.pk]))
        .content.decode()
    )
    assert house.support is not None
    row = html[html.index(f'data-support="{house.support.pk}"') :].split("</tr>")[0]
    assert "support_action" not in row and 'name="action"' not in row
    assert "Sổ hỗ trợ nhà ở" in row or "sổ hỗ trợ nhà ở" in row


# --- numbers the Vietnamese way -------------------------------------------------------------
def test_quantities_are_grouped(world: Any) -> None:
    project = make_project(world, support_types=["seedlings"], budgets={"central": 90_000_000})
    household = world.households["DA-01"]
    beneficiary_add(world.users["district"], project, household, SPRING)
    ledger.support_plan(
        world.users["district"], household, project=project, support_type="seedlings",
        item="Cà phê giống", quantity=12_000, value=48_000_000, source="central", on=SPRING,
    )  # fmt: skip
    project.outputs.create(label="Cây giống", unit_label="cây", planned=24_000, actual=12_000)
    boss = client_for(world.users["district"])
    for url in (
        reverse("support:project", args=[project.pk]),
        reverse("support:support_new", args=[household.pk]),
    ):
        html = boss.get(url).content.decode()
        assert "12.000 cây" in html and "12000" not in html
    english = client_for(world.users["district"], "en").get(
        reverse("support:project", args=[project.pk])
    )
    assert "12,000" in english.content.decode() and "24,000" in english.content.decode()


# --- the decisions beside the typed budget ---------------------------------------------------
def test_the_project_page_shows_what_the_decisions_allocated(world: Any) -> None:
    project = make_project(world, budgets={"central": 40_000_000, "local": 5_000_000})
    url = reverse("support:project", args=[project.pk])
    decision = AllocationDecision.objects.create(
        unit=world.district, number="12/QĐ-UBND", date=dt.date(2020, 2, 10),
        issuer="UBND huyện Ngọc Hồi", title="Phân bổ vốn", year=2020, programme_id="QD1722-2016",
    )  # fmt: skip
    lines = [
        Allocation.objects.create(
            decision=decision,
            commune=commune,
            project=project,
            node_code="DA3",
            source="central",
            amount=amount,
        )
        for commune, amount in ((world.dak_ang, 30_000_000), (world.dak_duc, 10_000_000))
    ]
    for day, amount in ((dt.date(2020, 4, 1), 7_000_000), (dt.date(2020, 5, 1), 1_000_000)):
        Disbursement.objects.create(allocation=lines[0], on=day, amount=amount)
    boss = client_for(world.users["district"])
    html = boss.get(url).content.decode()
    table = html[html.index('id="allocations"') :].split("</table>")[0]
    central = table[table.index('data-source="central"') :].split("</tr>")[0]
    assert "40.000.000 đ" in central and "8.000.000 đ" in central  # no line counted twice
    assert 'id="allocation-differs"' in html  # the local budget has no decision behind it
    Allocation.objects.create(
        decision=decision, commune=world.dak_ang, project=project, node_code="DA3",
        source="local", amount=5_000_000,
    )  # fmt: skip
    assert 'id="allocation-differs"' not in boss.get(url).content.decode()
    english = client_for(world.users["district"], "en").get(url).content.decode()
    assert "Allocated by decisions" in english


# --- paging and the page's queries ----------------------------------------------------------
def _supports(world: Any, project: Project | None, n: int, codes: tuple[str, ...]) -> None:
    states = (SupportState.PLANNED, SupportState.APPROVED, SupportState.DELIVERED)
    for i in range(n):
        state = states[i % 3]
        Support.objects.create(
            household=world.households[codes[i % len(codes)]], project=project,
            support_type="breeding_cattle" if project else "health_insurance_card",
            item=f"Hỗ trợ {i}", value=1_000_000, source="central", on=SPRING, state=state,
            delivered_on=SPRING if state == SupportState.DELIVERED else None,
        )  # fmt: skip


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


CODES = ("DA-01", "DA-02", "DA-03", "DD-01", "DD-02")


@pytest.mark.parametrize("who", ["district", "da", "agri"])
def test_the_project_pages_queries_do_not_grow_with_its_supports(
    world: Any, who: str, django_assert_max_num_queries: Any
) -> None:
    project = make_project(world, budgets={"central": 500_000_000})
    for code in CODES:
        beneficiary_add(world.users["district"], project, world.households[code], SPRING)
    _supports(world, project, 5, CODES)
    url = reverse("support:project", args=[project.pk])
    few = _queries(client_for(world.users[who]), url)
    _supports(world, project, 55, CODES)
    client = client_for(world.users[who])
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["district", "da"])
def test_the_households_support_pages_queries_do_not_grow(
    world: Any, who: str, django_assert_max_num_queries: Any
) -> None:
    project = make_project(world, budgets={"central": 500_000_000})
    other = make_project(world, name="Bò 2", budgets={"central": 500_000_000})
    household = world.households["DA-01"]
    for p in (project, other):
        beneficiary_add(world.users["district"], p, household, SPRING)
    for where in (project, other, None):
        _supports(world, where, 2, ("DA-01",))
    url = reverse("support:support_new", args=[household.pk])
    few = _queries(client_for(world.users[who]), url)
    for where in (project, other, None):
        _supports(world, where, 20, ("DA-01",))
    client = client_for(world.users[who])
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


def test_beneficiaries_and_supports_come_a_hundred_a_page(world: Any) -> None:
    project = make_project(world, budgets={"central": 500_000_000})
    village = world.villages[world.dak_ang.code][0]
    extra = Household.objects.bulk_create(
        Household(commune=world.dak_ang, village=village, code=f"DA-{n:03d}", head_name="A")
        for n in range(100, 205)
    )
    Beneficiary.objects.bulk_create(
        Beneficiary(project=project, household=h, checked_on=SPRING, eligible=True) for h in extra
    )
    _supports(world, project, 130, ("DA-01", "DD-01"))
    boss = client_for(world.users["district"])
    url = reverse("support:project", args=[project.pk])
    first = boss.get(url).content.decode()
    assert first.count("data-household=") == 100 and first.count("data-support=") == 100
    assert "trang_ho=2" in first and "trang_ht=2" in first
    assert "(105)" in first  # the number of beneficiaries, all pages
    second = boss.get(url, {"trang_ho": "2", "trang_ht": "2"}).content.decode()
    assert second.count("data-household=") == 5 and second.count("data-support=") == 30
    assert boss.get(url, {"trang_ho": "x", "trang_ht": "99"}).status_code == 200


# --- re-lending is the managers' ------------------------------------------------------------
def test_only_managers_see_and_use_the_relend_form(world: Any) -> None:
    project = cow_model(world)
    relend = reverse("support:relend", args=[project.pk])
    da = client_for(world.users["da"])
    assert da.get(relend).status_code == 403
    assert relend not in da.get(reverse("support:collections", args=[project.pk])).content.decode()
    posted = da.post(
        relend,
        {"household": world.households["DA-01"].pk, "support_type": "breeding_cattle",
         "amount": "1", "on": "10/05/2021"},
    )  # fmt: skip
    assert posted.status_code == 403 and not Support.objects.filter(relent_from__isnull=False)
    assert client_for(world.users["district"]).get(relend).status_code == 200
