"""The plan list and the plan page with the seed plan (252/KH-UBND)."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.test import Client

from giamngheo.plans.models import Plan

pytestmark = pytest.mark.django_db


def _cell(html: str, row: str, column: str) -> str:
    """The opening tag of the cell of ``row`` (its name as printed) in ``column``."""
    line = re.search(rf'<tr class="[a-z]+" data-row="{re.escape(row)}">(.*?)</tr>', html, re.S)
    assert line is not None, f"no line {row}"
    tag = re.search(rf'<t[dh][^>]*data-col="{column}"[^>]*>', line.group(1))
    assert tag is not None, f"no cell {row}/{column}"
    return tag.group(0)


def test_list_shows_the_plan(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    html = client.get("/ke-hoach/").content.decode()
    assert "252/KH-UBND" in html
    assert "19/02/2020" in html
    assert f'href="/ke-hoach/{plan.pk}/"' in html


def test_plan_page_header_and_objectives_in_words(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Kế hoạch số 252/KH-UBND ngày 19/02/2020" in html
    assert "Triển khai thực hiện Đề án giảm nghèo bền vững trên địa bàn huyện Ngọc Hồi" in html
    assert "giảm trên 1,2 điểm %/năm" in html
    # 199 / 15 954 = 1,2473 points > 1,2: the district objective is met; Đăk Ang's is not.
    assert re.search(r"objective-met\">\s*Tỷ lệ hộ nghèo toàn huyện Ngọc Hồi", html)
    assert re.search(r"objective-not_met\">\s*Xã Đăk Ang: giảm 7–8 điểm %", html)


def test_plan_page_shows_the_seed_findings_at_their_cells(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    # Đăk Kan: 24/1491 = 1,6097… → 1,61 printed 1,60; Đăk Dục: 41/1488 = 2,7554… → 2,76 / 2,75.
    kan = _cell(html, "Xã Đăk Kan", "7")
    assert "finding-warning" in kan
    assert "1,61" in kan and "1,60" in kan
    duc = _cell(html, "Xã Đăk Dục", "7")
    assert "finding-warning" in duc and "2,76" in duc
    # Đăk Ang: 73 households = 6,67 points, objective 7–8 points = 77–87 households.
    ang = _cell(html, "Xã Đăk Ang", "5")
    assert "finding-error" in ang and "77–87" in ang
    # Every other cell is clean.
    assert html.count('finding-warning" data-col') == 2
    assert html.count('finding-error" data-col') == 1
    # The findings list below the table.
    assert html.count('data-code="rounding"') == 2
    assert html.count('data-code="objective_below_range"') == 1


def test_plan_page_table_layout_and_numbers(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    for label in (
        "4=3/1",
        "6=3-5",
        "Tổng số hộ dân cư",
        "Số hộ nghèo cuối năm 2019",
        "Kế hoạch giảm nghèo đến cuối năm 2020",
    ):
        assert label in html
    assert re.search(r'data-row="Khu vực thành thị">\s*<td>I</td>', html)
    assert re.search(r'data-row="Khu vực nông thôn">\s*<td>II</td>', html)
    total = re.search(r'data-row="Tổng cộng I \+ II">(.*?)</tr>', html, re.S)
    assert total is not None
    assert ">15.954<" in total.group(1) and ">4,96<" in total.group(1)
    assert ">3,71<" in total.group(1)
    rural = re.search(r'data-row="Khu vực nông thôn">(.*?)</tr>', html, re.S)
    assert rural is not None and ">11.147<" in rural.group(1)  # subtotal of section II


def test_plan_page_chart_is_inline_svg(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    svg = re.search(r"<svg class=\"rate-chart\".*?</svg>", html, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert svg.group(0).count('class="bar-group"') == 8
    assert "Xã Đăk Ang: 27,42% → 20,75%" in svg.group(0)  # computed, not the printed 20,7
    drawing = ElementTree.fromstring(svg.group(0))  # well-formed, geometry not localised
    widths = [float(r.get("width", "")) for r in drawing.iter("{http://www.w3.org/2000/svg}rect")]
    assert max(widths) == pytest.approx(420 * 27.42 / 30, abs=0.1)  # Đăk Ang on a 30 % scale
    assert "<script" not in html


def test_english_page_uses_english_number_format(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    client.cookies["django_language"] = "en"
    html = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert ">15,954<" in html
    assert "falls by more than 1.2 percentage points a year" in html
    assert "Resident households" in html and "Check results" in html
    assert "The projected rate (column 7 = 6/1) is 1.6097…" in html


def test_history_lists_the_import_with_its_author(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    html = client.get(f"/ke-hoach/{plan.pk}/lich-su/").content.decode()
    assert "du-lieu-mau" in html  # the demo loader is the author of the demo import
    assert "252-KH-UBND-annex.txt" in html


def test_plan_page_query_count_does_not_grow_with_rows(
    client: Client, plan: Plan, district_officer: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(district_officer)
    client.get(f"/ke-hoach/{plan.pk}/")  # warm the session and profile caches
    # 13 for the plan itself, 4 for the support app's section (registrations, money).
    with django_assert_max_num_queries(18):
        assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 200


def test_plan_without_table_invites_an_import(officer_client: Client, empty_plan: Plan) -> None:
    html = officer_client.get(f"/ke-hoach/{empty_plan.pk}/").content.decode()
    assert "Kế hoạch chưa có bảng chỉ tiêu." in html
    assert f'href="/ke-hoach/{empty_plan.pk}/nhap/"' in html
    assert "<svg" not in html
    # Without rows there is nothing to propose.
    html = officer_client.get(f"/ke-hoach/{empty_plan.pk}/de-xuat/").content.decode()
    assert "Bảng không có dòng nào" in html
