"""The pages of support against deprivation and the path out of poverty: the gaps page with its
unaddressed needs, its .xlsx export and the effectiveness table; the escape pipeline with its
ordering rule, the plan's target, registering and removing through the page (a refusal: back to
the page with the reason as a message; 403, 404), households that left off the lists; the
support section of the household page and of the plan page; English."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import PlanRow
from giamngheo.registry.models import AuditEvent, Household, HouseholdStatus
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Collection,
    EscapeRegistration,
    Loan,
    Project,
    Recovery,
    Source,
    Support,
)

pytestmark = pytest.mark.django_db
GAPS = reverse("support:gaps")
PIPELINE = reverse("support:pipeline")


def login(user: User, lang: str = "vi") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def row_of(html: str, household_id: int) -> str:
    """The table row of one household."""
    match = re.search(rf'<tr data-household="{household_id}">(.*?)</tr>', html, re.S)
    assert match is not None, household_id
    return match.group(1)


def give(world: Any, code: str, kind: str, value: int = 3_000_000, **kw: Any) -> Support:
    return Support.objects.create(
        household=world.households[code],
        support_type=kind,
        item=kw.pop("item", kind),
        value=value,
        source=Source.CENTRAL,
        on=dt.date(2020, 4, 2),
        state=kw.pop("state", "delivered"),
        **kw,
    )


# --- gaps ----------------------------------------------------------------------------------------
def test_gaps_page_lists_the_unaddressed_needs_of_a_commune(world: Any) -> None:
    give(world, "DA-01", "clean_water", 4_500_000)
    page = login(world.users["da"]).get(GAPS, {"nam": "2020"})
    assert page.status_code == 200
    html = text(page)
    assert "Thiếu hụt và hỗ trợ năm 2020" in html
    # The summary: Đắk Ang by village (a commune officer has one commune).
    assert 'id="gap-summary"' in html
    assert html.count(f'data-commune="{world.dak_ang.pk}"') >= 2
    da1 = row_of(html, world.households["DA-01"].pk)
    assert 'data-need="water"' in da1 and "badge-ok" in da1
    assert 'data-unaddressed="sanitation"' in da1
    assert 'data-unaddressed="water"' not in da1
    assert "Nguồn nước sinh hoạt" in da1  # the standard's indicator name
    assert "Hỗ trợ nước sinh hoạt" in da1  # the support that addressed it
    assert "4.500.000 đ" in da1
    # Sanitation would be addressed by a latrine or a loan (the catalog's types_for).
    unaddressed = da1.split('class="unaddressed"')[1]
    assert "Hố xí/nhà tiêu hợp vệ sinh" in unaddressed
    assert "Hỗ trợ nhà tiêu hợp vệ sinh" in unaddressed
    assert "Cho vay nước sạch và vệ sinh môi trường nông thôn" in unaddressed
    # Households of Đắk Dục are not there.
    assert "DD-01" not in html
    assert "DA-05" not in html  # not poor or near-poor in 2019


def test_gaps_filters_and_the_other_commune(world: Any) -> None:
    give(world, "DA-01", "clean_water")
    c = login(world.users["district"])
    whole = text(c.get(GAPS, {"nam": "2020"}))
    assert "DD-01" not in whole  # no named list without a commune
    assert "Chọn một xã" in whole
    only = text(
        c.get(GAPS, {"nam": "2020", "xa": world.dak_ang.pk, "chua": "1", "chi_so": "water"})
    )
    listed = set(re.findall(r'<tr data-household="(\d+)">', only))
    # Unaddressed water: DA-03 and DA-08; DA-01's was addressed; the others lack none.
    assert listed == {str(world.households[k].pk) for k in ("DA-03", "DA-08")}
    village = world.villages[world.dak_ang.code][1]  # even numbers
    second = text(c.get(GAPS, {"nam": "2020", "xa": world.dak_ang.pk, "thon": village.pk}))
    assert f'data-household="{world.households["DA-02"].pk}"' in second
    assert f'data-household="{world.households["DA-01"].pk}"' not in second
    da = login(world.users["da"])
    assert da.get(GAPS, {"nam": "2020", "xa": world.dak_duc.pk}).status_code == 404
    other = world.villages[world.dak_duc.code][0]
    assert c.get(GAPS, {"xa": world.dak_ang.pk, "thon": other.pk}).status_code == 404
    assert login(world.users["outsider"]).get(GAPS, {"xa": world.dak_ang.pk}).status_code == 404
    assert "Chưa có hộ nghèo" in text(login(world.users["outsider"]).get(GAPS))


def test_gaps_export(world: Any) -> None:
    give(world, "DA-01", "clean_water", 4_500_000)
    response = login(world.users["district"]).get(
        GAPS, {"nam": "2020", "xa": world.dak_ang.pk, "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Tổng hợp", "Danh sách hộ"]
    households = list(wb["Danh sách hộ"].iter_rows(values_only=True))
    assert households[0][3] == "Mã hộ"
    rows = {r[3]: r for r in households[1:]}
    assert set(rows) == {"DA-01", "DA-02", "DA-03", "DA-04", "DA-07", "DA-08"}
    assert "4500000" in str(rows["DA-01"][8])
    assert "Nguồn nước sinh hoạt" in str(rows["DA-01"][6])  # its needs
    assert "Nguồn nước sinh hoạt" not in str(rows["DA-01"][9])  # addressed
    assert "Hố xí/nhà tiêu hợp vệ sinh" in str(rows["DA-01"][9])
    assert "Hỗ trợ nhà tiêu hợp vệ sinh" in str(rows["DA-01"][10])
    summary = list(wb["Tổng hợp"].iter_rows(values_only=True))
    assert [r[1] for r in summary[2:]] == [3, 3]  # the two villages of Đắk Ang


def test_effectiveness_after_the_next_review(world: Any) -> None:
    from support_world import add_review

    give(world, "DA-01", "clean_water")
    give(world, "DA-08", "clean_water")
    c = login(world.users["da"])
    assert 'id="effect"' not in text(c.get(GAPS, {"nam": "2020"}))
    add_review(world.households["DA-01"], 2020, "near_poor", 900_000, ("sanitation",))
    add_review(world.households["DA-08"], 2020, "poor", 450_000, ("water", "housing_area"))
    html = text(c.get(GAPS, {"nam": "2020"}))
    match = re.search(r'<tr data-type="clean_water">(.*?)</tr>', html)
    assert match is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))
    # 2 households, 2 needs addressed, 1 resolved, 1 not: 50 %.
    assert cells[1:5] == ["2", "2", "1", "1"]
    assert cells[-1] == "50,0 %"


# --- the path out of poverty -------------------------------------------------------------------
def test_pipeline_page_ranks_suggests_and_registers(world: Any) -> None:
    load_demo_plan()
    target = PlanRow.objects.get(unit=world.dak_ang, plan__year=2020).reduction
    c = login(world.users["da"])
    page = c.get(PIPELINE, {"nam": "2020"})
    assert page.status_code == 200
    html = text(page)
    assert "escape.closest.v1" in html and "Hộ gần thoát nghèo nhất" in html
    assert f"{target} hộ" in html
    poor = [world.households[k].pk for k in ("DA-01", "DA-02", "DA-07", "DA-08")]
    for pk in poor:
        assert f'name="ho" value="{pk}"' in html
    assert f'value="{world.households["DA-03"].pk}"' not in html  # near-poor: not a candidate
    checked = re.findall(r'name="ho" value="(\d+)"[^>]*checked', html)
    assert len(checked) == min(target or 0, 4)
    response = c.post(
        reverse("support:escape_register"),
        {"nam": "2020", "xa": world.dak_ang.pk, "ho": [poor[0], poor[2]], "ghi_chu": "họp thôn"},
    )
    assert response.status_code == 302
    assert set(EscapeRegistration.objects.values_list("household_id", flat=True)) == {
        poor[0],
        poor[2],
    }
    after = text(c.get(PIPELINE, {"nam": "2020"}))
    assert 'id="registered-list"' in after and "họp thôn" in after
    assert re.search(r'data-field="registered">2<', after)


def test_pipeline_refusals(world: Any) -> None:
    h = world.households
    url = reverse("support:escape_register")
    c = login(world.users["da"])
    chosen = [h["DA-01"].pk, h["DA-03"].pk]
    bad = c.post(url, {"nam": "2020", "xa": world.dak_ang.pk, "ho": chosen})
    # Back to the pipeline page (a GET address: its filters and page links work), the reason
    # as a message and the officer's choice still ticked.
    assert bad.status_code == 302
    back = bad["Location"]
    assert back.startswith(f"{PIPELINE}?nam=2020&xa={world.dak_ang.pk}")
    assert not EscapeRegistration.objects.exists()
    page = c.get(back)
    assert page.status_code == 200
    html = text(page)
    assert "msg-error" in html and "DA-03" in html.split("msg-error")[1][:400]
    assert re.search(rf'name="ho" value="{h["DA-01"].pk}"[^>]*checked', html)
    assert f'<form method="get" action="{PIPELINE}"' in html
    other = c.post(url, {"nam": "2020", "xa": world.dak_duc.pk, "ho": [h["DD-01"].pk]})
    assert other.status_code == 404
    leader = login(world.users["leader"])
    refused = leader.post(url, {"nam": "2020", "xa": world.dak_ang.pk, "ho": [h["DA-01"].pk]})
    assert refused.status_code == 403
    assert "Đăng ký các hộ đã chọn" not in text(leader.get(PIPELINE, {"nam": "2020"}))
    assert not EscapeRegistration.objects.exists()
    assert c.get(PIPELINE, {"xa": world.dak_duc.pk}).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="support_escape").exists()


def test_unregister_through_the_page_and_the_outcome_after_the_review(world: Any) -> None:
    from support_world import add_review

    h = world.households
    c = login(world.users["da"])
    pair = [h["DA-01"].pk, h["DA-02"].pk]
    c.post(reverse("support:escape_register"), {"nam": "2020", "xa": world.dak_ang.pk, "ho": pair})
    first = EscapeRegistration.objects.get(household=h["DA-01"])
    remove = reverse("support:escape_unregister", args=[first.pk])
    assert login(world.users["dd"]).post(remove).status_code == 404
    assert c.post(remove).status_code == 302
    assert not EscapeRegistration.objects.filter(pk=first.pk).exists()
    second = EscapeRegistration.objects.get(household=h["DA-02"])
    add_review(h["DA-02"], 2020, "near_poor", 800_000)
    add_review(h["DA-07"], 2020, "non_poor", 1_800_000)
    late = c.post(reverse("support:escape_unregister", args=[second.pk]), follow=True)
    assert late.redirect_chain == [(f"{PIPELINE}?nam=2020&xa={world.dak_ang.pk}", 302)]
    assert late.status_code == 200 and "msg-error" in text(late)
    assert "không còn thay đổi" in text(late).split("msg-error")[1][:400]
    assert EscapeRegistration.objects.filter(pk=second.pk).exists()
    html = text(c.get(PIPELINE, {"nam": "2020"}))
    assert re.search(r'data-field="registered_escaped">1<', html)
    assert "Hộ cận nghèo" in row_of(html, h["DA-02"].pk)  # its 2020 result
    assert 'name="ho"' not in html  # closed


def test_households_that_left_are_off_the_pages(world: Any) -> None:
    h = world.households
    c = login(world.users["da"])
    before = text(c.get(PIPELINE, {"nam": "2020"}))
    assert f'name="ho" value="{h["DA-08"].pk}"' in before
    Household.objects.filter(pk=h["DA-08"].pk).update(
        status=HouseholdStatus.MOVED_AWAY, status_date=dt.date(2020, 5, 1)
    )
    html = text(c.get(PIPELINE, {"nam": "2020"}))
    assert f'data-household="{h["DA-08"].pk}"' not in html
    assert "đã chuyển đi" in html  # the note says so
    gaps_html = text(c.get(GAPS, {"nam": "2020"}))
    assert f'data-household="{h["DA-08"].pk}"' not in gaps_html and "đã chuyển đi" in gaps_html
    # Posted anyway (a page opened before it left): refused with the reason, nothing written.
    refused = c.post(
        reverse("support:escape_register"),
        {"nam": "2020", "xa": world.dak_ang.pk, "ho": [h["DA-08"].pk]},
        follow=True,
    )
    assert "msg-error" in text(refused) and "không còn" in text(refused)
    assert not EscapeRegistration.objects.exists()


def test_district_pipeline_table_with_totals(world: Any) -> None:
    load_demo_plan()
    html = text(login(world.users["district"]).get(PIPELINE, {"nam": "2020"}))
    assert 'id="pipeline-communes"' in html
    assert (
        f'data-commune="{world.dak_ang.pk}"' in html
        and f'data-commune="{world.dak_duc.pk}"' in html
    )
    assert "<tfoot>" in html
    assert 'name="ho"' not in html  # no commune chosen
    one = text(login(world.users["da"]).get(PIPELINE, {"nam": "2020"}))
    assert "<tfoot>" not in one


# --- the household page and the plan page ----------------------------------------------------
def test_household_page_shows_its_support_history(world: Any) -> None:
    hh = world.households["DA-01"]
    project = Project.objects.create(
        unit=world.district, name="Mô hình nuôi bò sinh sản", kind="model",
        programme_id="QD1722-2016", node_code="3", lead=world.orgs["agriculture"], year=2020,
        eligibility_rule="poor", revolving=True,
    )  # fmt: skip
    cow = give(
        world, "DA-01", "breeding_cattle", 15_000_000, project=project, item="Bò cái sinh sản"
    )
    rec = Recovery.objects.create(
        support=cow, amount=6_000_000,
        schedule=[
            {"due": "2020-06-30", "amount": 3_000_000},
            {"due": "2021-06-30", "amount": 3_000_000},
        ],
    )  # fmt: skip
    Collection.objects.create(recovery=rec, on=dt.date(2020, 6, 1), amount=1_000_000)
    Loan.objects.create(
        household=hh, contract_no="KU-001", programme="poor", amount=50_000_000,
        disbursed_on=dt.date(2020, 3, 1), rate=Decimal("6.6"), term_months=60,
        due_on=dt.date(2025, 3, 1), outstanding=45_000_000, overdue=500_000,
        as_of=dt.date(2020, 12, 31),
    )  # fmt: skip
    url = reverse("registry:detail", args=[hh.pk])
    html = text(login(world.users["da"]).get(url))
    assert 'id="support-history"' in html
    assert "Bò cái sinh sản" in html and "Mô hình nuôi bò sinh sản" in html
    assert "15.000.000 đ" in html
    assert 'id="support-recovery"' in html and "6.000.000 đ" in html
    assert 'id="support-loans"' in html and "KU-001" in html and "45.000.000 đ" in html
    # A household with nothing: the section is there for an officer (to add), not for a leader.
    empty = reverse("registry:detail", args=[world.households["DA-02"].pk])
    leader_html = text(login(world.users["leader"]).get(empty))
    assert 'id="ho-tro"' not in leader_html
    assert 'id="support-history"' in text(login(world.users["leader"]).get(url))


def test_plan_page_shows_registrations_and_money_per_commune(world: Any) -> None:
    from support_world import add_review

    plan = load_demo_plan()
    h = world.households
    EscapeRegistration.objects.create(household=h["DA-01"], commune=world.dak_ang, year=2020)
    EscapeRegistration.objects.create(household=h["DA-02"], commune=world.dak_ang, year=2020)
    decision = AllocationDecision.objects.create(
        unit=world.district, number="123/QĐ-UBND", date=dt.date(2020, 3, 1), issuer="UBND huyện",
        title="Phân bổ", year=2020, programme_id="QD1722-2016",
    )  # fmt: skip
    Allocation.objects.create(
        decision=decision,
        commune=world.dak_ang,
        node_code="3",
        source="central",
        amount=700_000_000,
    )
    add_review(h["DA-01"], 2020, "near_poor", 900_000)
    add_review(h["DA-02"], 2020, "poor", 600_000)
    url = reverse("plans:detail", args=[plan.pk])
    html = text(login(world.users["district"]).get(url))
    assert 'id="plan-escape-money"' in html
    panel = html.split('id="plan-escape-money"')[1]
    row = re.search(rf'<tr data-unit="{world.dak_ang.pk}">(.*?)</tr>', panel)
    assert row is not None
    assert 'data-field="registered">2<' in row.group(1)
    assert 'data-field="escaped">1<' in row.group(1)
    assert "700.000.000" in row.group(1)
    assert "<tfoot>" in panel.split("</table>")[0]
    mine = text(login(world.users["da"]).get(url))
    panel = mine.split('id="plan-escape-money"')[1].split("</table>")[0]
    assert f'data-unit="{world.dak_ang.pk}"' in panel
    assert f'data-unit="{world.dak_duc.pk}"' not in panel
    assert "<tfoot>" not in panel


# --- English -------------------------------------------------------------------------------------
def test_pages_in_english(world: Any) -> None:
    give(world, "DA-01", "clean_water")
    c = login(world.users["da"], "en")
    gaps_page = c.get(GAPS, {"nam": "2020"})
    assert gaps_page.status_code == 200
    html = text(gaps_page)
    assert '<html lang="en">' in html
    da1 = row_of(html, world.households["DA-01"].pk)
    assert "Domestic water source" in da1
    assert "Domestic water (tank, filter, clean-water connection)" in da1
    assert "Hygienic latrine" in da1
    pipeline = text(c.get(PIPELINE, {"nam": "2020"}))
    assert "Households closest to escaping" in pipeline
    assert "income it lacks" in pipeline
