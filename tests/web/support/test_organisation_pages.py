"""The programme, organisation and task pages: what they show, the actions through them
(seeding, members, reports, forms), refusals (403 with the reason and nothing changed; 400 with
the rule's reason beside the form), 404 outside the user's units, and the English pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from giamngheo.plans.models import Plan
from giamngheo.support.models import (
    Membership,
    Organisation,
    OrgKind,
    Project,
    Task,
    TaskStatus,
    TaskUpdate,
)
from giamngheo.support.services import organisations as svc

pytestmark = pytest.mark.django_db
World = Any  # conftest.World
Unchanged = Callable[..., Any]
TABLES = (Organisation, Membership, Task, TaskUpdate)


def login(user: User, lang: str = "vi") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def make_plan(world: World) -> Plan:
    user = world.users["district"]
    return Plan.objects.create(
        year=2020,
        issuing_unit=world.district,
        document_number="252/KH-UBND",
        document_date=dt.date(2020, 2, 19),
        title="Kế hoạch giảm nghèo năm 2020",
        baseline_year=2019,
        created_by=user,
        updated_by=user,
    )


# --- programmes ------------------------------------------------------------------------------
def test_programmes_in_force_first(world: World, settings: SettingsWrapper) -> None:
    settings.GIAMNGHEO_TODAY = dt.date(2020, 10, 9)
    page = login(world.users["leader"]).get(reverse("support:programmes"))
    html = text(page)
    assert page.status_code == 200
    order = re.findall(r'data-programme="([^"]+)"', html)
    assert order == ["QD1722-2016", "QD417-2026", "QD90-2022"]
    assert "đang áp dụng năm 2020" in html
    settings.GIAMNGHEO_TODAY = dt.date(2026, 3, 1)
    again = text(login(world.users["leader"]).get(reverse("support:programmes")))
    assert re.findall(r'data-programme="([^"]+)"', again)[0] == "QD417-2026"
    assert "tạm thời" in again  # the 2026 programme is provisional as a whole


def test_programme_tree_with_types_owner_and_provisional_marks(world: World) -> None:
    page = login(world.users["da"]).get(reverse("support:programme", args=["QD1722-2016"]))
    html = text(page)
    assert page.status_code == 200
    codes = re.findall(r'data-node="([^"]+)"', html)
    assert codes[:3] == ["DA1", "DA1.TDA1", "DA1.TDA2"] and "DA5.TDA2" in codes
    row = re.search(r'<tr data-node="DA2.TDA2"(.*?)</tr>', html)
    assert row is not None
    assert "Tiểu dự án" in row.group(1) and "Bò giống (bò cái sinh sản)" in row.group(1)
    assert "is-provisional" in row.group(0) and "tạm thời" in row.group(1)
    assert "<td>Bộ Lao động – Thương binh và Xã hội</td>" in row.group(1)
    top = re.search(r'<tr data-node="DA1"(.*?)</tr>', html)
    assert top is not None and "Theo các hạng mục con" in top.group(1)  # funds through children
    assert "chưa đối chiếu văn bản QĐ 1722/QĐ-TTg" in html  # the provisional note itself
    assert "QĐ 1722/QĐ-TTg (02/09/2016)" in html


def test_programme_2026_is_marked_provisional(world: World) -> None:
    html = text(login(world.users["da"]).get(reverse("support:programme", args=["QD417-2026"])))
    assert 'id="provisional-note"' in html
    assert "Bộ Nông nghiệp và Môi trường" in html and "Bộ Dân tộc và Tôn giáo" in html
    assert "Hợp phần" in html


def test_unknown_programme_404(world: World) -> None:
    r = login(world.users["da"]).get(reverse("support:programme", args=["QD0-1999"]))
    assert r.status_code == 404


def test_programme_pages_need_a_login(world: World) -> None:
    r = Client().get(reverse("support:programmes"))
    assert r.status_code == 302 and "dang-nhap" in r["Location"]


# --- organisations ---------------------------------------------------------------------------
def test_organisation_list_and_seed(world: World) -> None:
    c = login(world.users["district"])
    page = c.get(reverse("support:organisations"))
    html = text(page)
    assert page.status_code == 200
    assert "Phòng Dân tộc" in html and "UBND xã Đắk Dục" in html
    assert 'id="seed-organisations"' in html
    r = c.post(reverse("support:organisations_seed"), {"unit": world.district.pk})
    assert r.status_code == 302
    assert Organisation.objects.filter(kind=OrgKind.COMMUNE).count() == 8
    after = text(c.get(reverse("support:organisations")))
    assert "Đã tạo 8 cơ quan cho Huyện Ngọc Hồi." in after
    assert "Ủy ban nhân dân xã Sa Loong" in after


def test_a_commune_sees_its_own_and_the_district_offices(world: World) -> None:
    html = text(login(world.users["da"]).get(reverse("support:organisations")))
    assert "UBND xã Đắk Ang" in html and "Phòng Tài chính – Kế hoạch" in html
    assert "UBND xã Đắk Dục" not in html
    assert 'id="seed-organisations"' not in html  # a commune makes no seed


def test_seed_refused_for_a_commune_officer(world: World, unchanged: Unchanged) -> None:
    with unchanged(*TABLES):
        r = login(world.users["da"]).post(
            reverse("support:organisations_seed"), {"unit": world.district.pk}
        )
    assert r.status_code == 403
    assert "Không có quyền" in text(r)


def test_organisation_page_members_projects_tasks(world: World) -> None:
    agri = world.orgs["agriculture"]
    project = Project.objects.create(
        unit=world.district,
        name="Mô hình nuôi bò cái sinh sản Đắk Ang",
        kind="model",
        programme_id="QD1722-2016",
        node_code="DA3",
        lead=agri,
        year=2020,
        eligibility_rule="poor_near_poor",
    )
    partner_project = Project.objects.create(
        unit=world.district,
        name="Cây giống cà phê",
        kind="production",
        programme_id="QD1722-2016",
        node_code="DA3",
        lead=world.orgs["finance"],
        year=2020,
        eligibility_rule="poor_near_poor",
    )
    partner_project.partners.add(agri)
    svc.seed_plan_tasks(world.users["district"], make_plan(world))
    page = login(world.users["district"]).get(reverse("support:organisation", args=[agri.pk]))
    html = text(page)
    assert page.status_code == 200
    assert 'data-user="nongnghiep"' in html
    assert f'data-project="{project.pk}"' in html and "Mô hình nuôi bò cái sinh sản" in html
    assert f'data-project="{partner_project.pk}"' in html and "phối hợp" in html
    assert "Hướng dẫn, thẩm định các dự án hỗ trợ phát triển sản xuất" in html
    assert 'id="add-member"' in html
    # The member itself sees the page but manages nothing.
    member = text(login(world.users["agri"]).get(reverse("support:organisation", args=[agri.pk])))
    assert 'id="add-member"' not in member and "Sửa cơ quan" not in member


def test_organisation_of_another_commune_is_404(world: World) -> None:
    r = login(world.users["da"]).get(
        reverse("support:organisation", args=[world.orgs["commune_dd"].pk])
    )
    assert r.status_code == 404
    assert (
        login(world.users["outsider"])
        .get(reverse("support:organisation", args=[world.orgs["bank"].pk]))
        .status_code
        == 404
    )


def test_members_through_the_page(world: World, unchanged: Unchanged) -> None:
    c = login(world.users["district"])
    ethnic = world.orgs["ethnic"]
    url = reverse("support:organisation_members", args=[ethnic.pk])
    assert c.post(url, {"username": "nganhang"}).status_code == 302
    assert Membership.objects.filter(organisation=ethnic, user=world.users["bank"]).exists()
    with unchanged(*TABLES):
        again = c.post(url, {"username": "nganhang"})
        nobody = c.post(url, {"username": "khongco"})
        stranger = c.post(url, {"username": "nguoingoai"})
    assert again.status_code == 400 and "đã là thành viên" in text(again)
    assert nobody.status_code == 400 and "Không có người dùng này." in text(nobody)
    assert stranger.status_code == 400 and "không thuộc Huyện Ngọc Hồi" in text(stranger)
    with unchanged(*TABLES):
        denied = login(world.users["agri"]).post(url, {"remove": world.users["bank"].pk})
    assert denied.status_code == 403
    assert c.post(url, {"remove": world.users["bank"].pk}).status_code == 302
    assert not Membership.objects.filter(organisation=ethnic, user=world.users["bank"]).exists()


def test_create_and_edit_an_organisation(world: World, unchanged: Unchanged) -> None:
    c = login(world.users["district"])
    assert c.get(reverse("support:organisation_new")).status_code == 200
    data = {"unit": world.district.pk, "kind": "mass_org", "name": "Hội Nông dân huyện"}
    r = c.post(reverse("support:organisation_new"), {**data, "serves": [world.dak_ang.pk]})
    org = Organisation.objects.get(name="Hội Nông dân huyện")
    assert r.status_code == 302 and r["Location"] == reverse("support:organisation", args=[org.pk])
    assert list(org.serves.all()) == [world.dak_ang]
    with unchanged(*TABLES):
        dup = c.post(reverse("support:organisation_new"), data)
    assert dup.status_code == 400 and "đã có cơ quan" in text(dup)
    edit = reverse("support:organisation_edit", args=[org.pk])
    assert c.get(edit).status_code == 200
    r = c.post(edit, {"kind": "mass_org", "name": "Hội Nông dân", "active": "on"})
    org.refresh_from_db()
    assert r.status_code == 302 and org.name == "Hội Nông dân" and not org.serves.exists()
    with unchanged(*TABLES):
        assert login(world.users["agri"]).get(edit).status_code == 403
        denied = login(world.users["da"]).post(
            reverse("support:organisation_new"), {**data, "unit": world.district.pk}
        )
    assert denied.status_code == 400  # not a unit it may choose
    assert login(world.users["leader"]).get(reverse("support:organisation_new")).status_code == 403


# --- tasks -----------------------------------------------------------------------------------
def test_tasks_page_seed_filters_and_who_did_what(world: World, settings: SettingsWrapper) -> None:
    settings.GIAMNGHEO_TODAY = dt.date(2021, 1, 10)
    plan = make_plan(world)
    c = login(world.users["district"])
    page = text(c.get(reverse("support:tasks")))
    assert 'id="seed-tasks"' in page and "252/KH-UBND" in page
    r = c.post(reverse("support:tasks_seed"), {"plan": plan.pk})
    assert r.status_code == 302 and f"ke_hoach={plan.pk}" in r["Location"]
    assert Task.objects.filter(plan=plan).count() == 16
    svc.task_report(world.users["agri"], Task.objects.get(number="III.2"), "done", "Xong")
    html = text(c.get(reverse("support:tasks")))
    assert "Đã tạo 16 nhiệm vụ từ kế hoạch 252/KH-UBND." in html
    row = re.search(rf'<tr data-org="{world.orgs["agriculture"].pk}">(.*?)</tr>', html)
    assert row is not None
    assert '<td class="num" data-col="done">1</td>' in row.group(1)
    assert 'data-col="overdue">0<' in row.group(1)
    bank = re.search(rf'<tr data-org="{world.orgs["bank"].pk}">(.*?)</tr>', html)
    assert bank is not None and 'qua_han=1">1</a>' in bank.group(1)
    overdue = text(c.get(reverse("support:tasks"), {"qua_han": "1"}))
    assert overdue.count("data-task=") == 15
    done = text(c.get(reverse("support:tasks"), {"tinh_trang": "done"}))
    assert done.count("data-task=") == 1
    by_org = text(c.get(reverse("support:tasks"), {"co_quan": world.orgs["commune_dd"].pk}))
    assert by_org.count("data-task=") == 4  # III.1, III.6, III.7 as partner; III.9 as lead


def test_seed_tasks_refused_and_unknown_plan(world: World, unchanged: Unchanged) -> None:
    plan = make_plan(world)
    with unchanged(*TABLES):
        r = login(world.users["da"]).post(reverse("support:tasks_seed"), {"plan": plan.pk})
    assert r.status_code == 403
    assert 'id="seed-tasks"' not in text(login(world.users["da"]).get(reverse("support:tasks")))
    missing = login(world.users["district"]).post(reverse("support:tasks_seed"), {"plan": 999})
    assert missing.status_code == 404


def test_task_page_report_and_refusals(world: World, unchanged: Unchanged) -> None:
    svc.seed_plan_tasks(world.users["district"], make_plan(world))
    task = Task.objects.get(number="III.2")
    url = reverse("support:task", args=[task.pk])
    c = login(world.users["agri"])
    page = text(c.get(url))
    assert 'id="report"' in page and "Sửa nhiệm vụ" not in page
    r = c.post(url, {"status": "in_progress", "note": "Đã thẩm định dự án bò giống"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert "Đã thẩm định dự án bò giống" in text(c.get(url))
    with unchanged(*TABLES):
        empty = c.post(url, {"status": "in_progress", "note": ""})
        cancel = c.post(url, {"status": "cancelled", "note": "thôi"})
        other = login(world.users["bank"]).post(url, {"status": "done", "note": "x"})
    assert empty.status_code == 400 and "cần ghi nội dung báo cáo" in text(empty)
    assert cancel.status_code == 403 and other.status_code == 403
    assert 'id="report"' not in text(login(world.users["bank"]).get(url))


def test_task_of_another_commune_is_404(world: World) -> None:
    svc.seed_plan_tasks(world.users["district"], make_plan(world))
    dd_task = Task.objects.get(number="III.9", unit=world.dak_duc)
    da_task = Task.objects.get(number="III.9", unit=world.dak_ang)
    c = login(world.users["da"])
    assert c.get(reverse("support:task", args=[dd_task.pk])).status_code == 404
    assert c.get(reverse("support:task_edit", args=[dd_task.pk])).status_code == 404
    own = c.get(reverse("support:task", args=[da_task.pk]))
    assert own.status_code == 200 and 'id="report"' in text(own)  # the commune manages it


def test_create_and_edit_a_task(world: World, unchanged: Unchanged) -> None:
    c = login(world.users["district"])
    assert c.get(reverse("support:task_new")).status_code == 200
    data = {
        "unit": world.district.pk,
        "number": "III.10",
        "title": "Tổng kết giai đoạn 2016–2020",
        "lead": world.orgs["labour"].pk,
        "partners": [world.orgs["commune_da"].pk],
        "due_date": "31/10/2020",
        "recurrence": "once",
    }
    r = c.post(reverse("support:task_new"), data)
    task = Task.objects.get(number="III.10")
    assert r.status_code == 302 and task.due_date == dt.date(2020, 10, 31)
    with unchanged(*TABLES):
        bad = c.post(reverse("support:task_new"), {**data, "partners": [world.orgs["labour"].pk]})
    assert bad.status_code == 400 and "không đồng thời là cơ quan phối hợp" in text(bad)
    edit = reverse("support:task_edit", args=[task.pk])
    r = c.post(edit, {**data, "title": "Tổng kết giai đoạn", "due_date": "2020-11-15"})
    task.refresh_from_db()
    assert r.status_code == 302 and task.due_date == dt.date(2020, 11, 15)
    assert task.title == "Tổng kết giai đoạn"
    assert login(world.users["agri"]).get(edit).status_code == 403
    assert login(world.users["leader"]).get(reverse("support:task_new")).status_code == 403


# --- English -----------------------------------------------------------------------------------
def test_english_pages(world: World) -> None:
    c = login(world.users["district"], "en")
    programmes = text(c.get(reverse("support:programmes")))
    assert "National target programmes" in programmes
    assert "National Target Programme for Sustainable Poverty Reduction 2016–2020" in programmes
    tree = text(c.get(reverse("support:programme", args=["QD1722-2016"])))
    assert "Breeding cattle (cows)" in tree and "Sub-project" in tree
    assert "provisional" in tree
    svc.seed_plan_tasks(world.users["district"], make_plan(world))
    tasks = text(c.get(reverse("support:tasks")))
    assert "Who has done what" in tasks and "Create tasks from the plan" in tasks
    orgs = text(c.get(reverse("support:organisations")))
    assert "Organisations carrying out the plan" in orgs
    task = Task.objects.get(number="III.2")
    page = text(c.get(reverse("support:task", args=[task.pk])))
    assert "Progress reports" in page and "Send the report" in page
