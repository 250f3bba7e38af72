"""The project pages: the list with its filters, the project page (budget by source with
committed and remaining, beneficiaries as far as the user may see them, supports with the
actions the user may take, the capital), the forms (a project, its status and budget,
beneficiaries with their eligibility shown before adding, a household's supports, actions on
a support, collections with overdue in red, re-loans), 403 with the reason and 404 outside the
user's scope, refusals shown with status 400, and the English page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from test_projects import SPRING, make_project

from giamngheo.support.models import (
    Beneficiary,
    Collection,
    Project,
    ProjectStatus,
    Support,
    SupportState,
)
from giamngheo.support.services import ledger
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
    assert undo.status_code == 400 and "Lý do khác cần ghi rõ" in undo.content.decode()
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
