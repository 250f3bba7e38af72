"""The handover list of a project (danh sách hộ nhận hỗ trợ kiêm biên bản giao nhận) as a
download: .pdf and .docx, one list per commune and day (or the one asked for), the
households the user may see (a commune officer's list holds its own commune's only), the
approved supports before a delivery, one audit row per download, 404 outside the user's
projects and for nothing to list, 400 for an unreadable parameter."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from docx import Document as open_docx
from pypdf import PdfReader
from test_projects import SPRING, make_project

from giamngheo.registry.models import AuditEvent
from giamngheo.support.models import Project, Support
from giamngheo.support.services import ledger
from giamngheo.support.services.projects import beneficiary_add

pytestmark = pytest.mark.django_db

APRIL_1 = dt.date(2020, 4, 1)
APRIL_2 = dt.date(2020, 4, 2)
WORDS = "Một triệu hai trăm năm mươi nghìn đồng"
#: code → (value, delivered on; None: approved, not delivered)
DELIVERIES: dict[str, tuple[int, dt.date | None]] = {
    "DA-01": (500_000, APRIL_1),
    "DA-02": (450_000, APRIL_1),
    "DA-03": (300_000, APRIL_1),
    "DA-04": (700_000, None),
    "DD-01": (900_000, APRIL_2),
}


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def goats(world: Any, communes: list[Any] | None = None) -> Project:
    """A production-support project handing goats to households of both communes: three
    in Đắk Ang on 01/04/2020 (1.250.000 đ in all), one in Đắk Dục on 02/04/2020, and one
    approved in Đắk Ang, not delivered yet."""
    project = make_project(
        world,
        name="Hỗ trợ dê giống năm 2020",
        communes=communes or [world.dak_ang, world.dak_duc],
        budgets={"central": 40_000_000},
    )
    boss = world.users["district"]
    for code, (value, delivered) in DELIVERIES.items():
        household = world.households[code]
        if household.commune not in project.communes.all():
            continue
        beneficiary_add(boss, project, household, SPRING)
        support = ledger.support_plan(
            boss,
            household,
            project=project,
            support_type="breeding_cattle",
            item="Dê cái sinh sản",
            quantity=2,
            unit_label="con",
            value=value,
            source="central",
            on=SPRING,
        )
        ledger.support_approve(boss, support)
        if delivered is not None:
            ledger.support_deliver(boss, support, delivered)
    return project


def url(project: Project, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    path = reverse("support:project_handover", args=[project.pk])
    return f"{path}?{query}" if query else path


def pdf_pages(data: bytes) -> list[str]:
    return [
        " ".join(p.extract_text().replace("\u00a0", " ").split())
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def docx_text(data: bytes) -> str:
    body = open_docx(io.BytesIO(data)).element.body
    return " ".join(t.text or "" for t in body.iter() if t.tag.endswith("}t"))


def downloads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="support_document").order_by("pk"))


def test_one_commune_one_day_as_pdf_with_its_audit_row(world: Any) -> None:
    project = goats(world)
    before = len(downloads())
    r = client_for(world.users["district"]).get(
        url(project, ngay="01/04/2020", xa=world.dak_ang.pk)
    )
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    name = "bien-ban-giao-nhan-xa-dak-ang-2020-04-01.pdf"
    assert r["Content-Disposition"] == f'attachment; filename="{name}"'
    (page,) = pdf_pages(r.content)
    for expected in (
        "DANH SÁCH HỘ NHẬN HỖ TRỢ",
        "Hỗ trợ dê giống năm 2020",
        "Quyết định số 15/QĐ-UBND ngày 20/01/2020",
        "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
        "Đắk Ang, ngày 01 tháng 4 năm 2020",
        "DA-01",
        "DA-02",
        "DA-03",
        world.households["DA-03"].head_name,
        "Ngọc Tụ",
        "2 con",
        "500.000",
        "1.250.000",
        f"Bằng chữ: {WORDS}",
        "Ký nhận",
    ):
        assert expected in page, expected
    assert "DD-01" not in page and "DA-04" not in page  # another day; not delivered
    events = downloads()
    assert len(events) == before + 1
    event = events[-1]
    assert event.actor == world.users["district"]
    assert event.object_id == str(project.pk)
    assert event.changes["file"] == name
    assert event.changes["households"] == 3 and event.changes["total"] == 1_250_000


def test_the_word_file(world: Any) -> None:
    project = goats(world)
    r = client_for(world.users["district"]).get(
        url(project, ngay="01/04/2020", xa=world.dak_ang.pk, format="docx")
    )
    assert r.status_code == 200
    assert r["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="bien-ban-giao-nhan-xa-dak-ang-2020-04-01.docx"' in r["Content-Disposition"]
    text = docx_text(r.content)
    assert "DA-01" in text and "1.250.000" in text and WORDS in text
    assert "{{" not in text
    assert downloads()[-1].changes["file"].endswith(".docx")


def test_without_filters_one_list_per_commune_and_day(world: Any) -> None:
    project = goats(world)
    r = client_for(world.users["district"]).get(url(project))
    assert r.status_code == 200
    assert 'filename="bien-ban-giao-nhan-2-ban.pdf"' in r["Content-Disposition"]
    first, second = pdf_pages(r.content)
    assert "DA-01" in first and "DD-01" not in first and "1.250.000" in first
    assert "DD-01" in second and "DA-01" not in second and "900.000" in second
    assert "Đắk Dục, ngày 02 tháng 4 năm 2020" in second
    assert "Chín trăm nghìn đồng" in second


def test_a_commune_officer_lists_only_its_own_households(world: Any) -> None:
    project = goats(world)
    officer = client_for(world.users["da"])
    r = officer.get(url(project))
    assert r.status_code == 200
    (page,) = pdf_pages(r.content)
    assert "DA-01" in page and "DA-03" in page
    assert "DD-01" not in page and "900.000" not in page
    assert downloads()[-1].actor == world.users["da"]
    # the other commune of the same project: nothing this officer may list
    assert officer.get(url(project, xa=world.dak_duc.pk)).status_code == 404


def test_another_communes_officer_gets_404_and_nothing_is_recorded(
    world: Any, unchanged: Callable[..., Any]
) -> None:
    project = goats(world, communes=[world.dak_duc])
    assert client_for(world.users["district"]).get(url(project)).status_code == 200
    with unchanged(Support):
        for who in ("da", "outsider"):
            r = client_for(world.users[who]).get(url(project))
            assert r.status_code == 404, who
        assert Client().get(url(project)).status_code in (302, 404)


def test_the_approved_supports_before_the_delivery(world: Any) -> None:
    project = goats(world)
    r = client_for(world.users["district"]).get(
        url(project, tinh_trang="approved", ngay="01/03/2020")
    )
    assert r.status_code == 200
    (page,) = pdf_pages(r.content)
    assert "DA-04" in page and "700.000" in page and "Bảy trăm nghìn đồng" in page
    assert "DA-01" not in page
    assert "Đắk Ang, ngày 01 tháng 3 năm 2020" in page


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"format": "odt"}, 400),
        ({"ngay": "31/02/2020"}, 400),
        ({"xa": "abc"}, 400),
        ({"tinh_trang": "planned"}, 400),
        ({"ngay": "05/04/2020"}, 404),  # nothing handed over that day
        ({"xa": "999999"}, 404),  # not a commune of the project
    ],
)
def test_refused_parameters_record_nothing(
    world: Any, unchanged: Callable[..., Any], params: dict[str, str], status: int
) -> None:
    project = goats(world)
    with unchanged(Support):
        r = client_for(world.users["district"]).get(url(project, **params))
    assert r.status_code == status


def test_a_project_in_another_commune_is_not_a_commune_of_the_list(world: Any) -> None:
    project = goats(world, communes=[world.dak_ang])
    r = client_for(world.users["district"]).get(url(project, xa=world.dak_duc.pk))
    assert r.status_code == 404


def test_the_refusal_in_english(world: Any) -> None:
    from django.conf import settings

    project = goats(world)
    c = client_for(world.users["district"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.get(url(project, ngay="31/02/2020"))
    assert r.status_code == 400
    assert "Invalid date (dd/mm/yyyy)." in r.content.decode()


def test_the_project_page_links_the_lists_once_there_are_supports(world: Any) -> None:
    project = goats(world)
    page = client_for(world.users["district"]).get(reverse("support:project", args=[project.pk]))
    html = page.content.decode()
    assert f'href="{url(project)}?format=pdf"' in html
    assert f'href="{url(project)}?format=docx"' in html
    assert "tinh_trang=approved" in html


def test_a_numbered_village_keeps_its_kind_in_the_village_column() -> None:
    from giamngheo.support.documents import bare_name

    assert bare_name("Thôn Ngọc Tụ") == "Ngọc Tụ"
    assert bare_name("Xã Đắk Ang") == "Đắk Ang"
    assert bare_name("Thôn 1") == "Thôn 1"  # "1" alone would say nothing
