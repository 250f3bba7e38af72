"""The money pages: the year's decisions with totals per source and the chain's findings, a
decision's lines by commune (the total in words), adding lines, recording disbursements and
settlements through the forms (refusals answer 400/403/404 and change nothing), the report
on the page and as .xlsx (totals checked against the database, a commune's export holding its
commune only), and the English page."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.support.models import Allocation, AllocationDecision, Disbursement, Settlement
from giamngheo.support.services import money as svc

World = Any  # the `world` fixture of conftest.py

pytestmark = pytest.mark.django_db

MONEY = (AllocationDecision, Allocation, Disbursement, Settlement)


def client_for(user: User, lang: str = "vi") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def text(response: Any) -> str:
    """The page's text without tags and with spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


@pytest.fixture
def money(world: World) -> dict[str, Any]:
    district = world.users["district"]
    decision = svc.decision_create(
        district,
        unit=world.district,
        number="123/QĐ-UBND",
        date=dt.date(2020, 2, 10),
        issuer="UBND huyện Ngọc Hồi",
        title="Phân bổ vốn Chương trình 135 năm 2020",
        year=2020,
        programme_id="QD1722-2016",
    )
    common = {"project": None, "node_code": "DA2.TDA2"}
    da = svc.allocation_add(
        district, decision, commune=world.dak_ang, source="central", amount=500_000_000, **common
    )
    dd = svc.allocation_add(
        district, decision, commune=world.dak_duc, source="local", amount=300_000_000, **common
    )
    svc.disbursement_record(district, da, on=dt.date(2020, 4, 15), amount=120_000_000)
    svc.disbursement_record(district, dd, on=dt.date(2020, 8, 3), amount=45_000_000)
    svc.settlement_record(district, da, on=dt.date(2020, 12, 20), amount=100_000_000)
    return {"decision": decision, "da": da, "dd": dd}


def _url(name: str, *args: Any) -> str:
    return reverse(f"support:{name}", args=args)


# --- the year's page -----------------------------------------------------------------------------
def test_money_page_for_the_district(world: World, money: dict[str, Any]) -> None:
    r = client_for(world.users["district"]).get(_url("money"), {"nam": 2020})
    assert r.status_code == 200
    page = text(r)
    assert "123/QĐ-UBND" in page and "10/02/2020" in page
    html = r.content.decode()
    assert f'href="{_url("decision", money["decision"].pk)}"' in html
    # totals per source: allocated / disbursed / settled / remaining
    assert re.search(
        r'data-source="central">.*?500\.000\.000 đ.*?120\.000\.000 đ.*?100\.000\.000 đ'
        r".*?380\.000\.000 đ",
        html,
        re.S,
    )
    assert re.search(r'data-source="total">.*?800\.000\.000 đ.*?165\.000\.000 đ', html, re.S)
    assert "Đạt" in page  # no finding
    assert _url("decision_new") in html


def test_money_page_shows_findings_of_stored_data(world: World, money: dict[str, Any]) -> None:
    Allocation.objects.filter(pk=money["da"].pk).update(amount=100_000_000)  # as an admin would
    r = client_for(world.users["finance"]).get(_url("money"), {"nam": 2020})
    page = text(r)
    assert r.status_code == 200
    assert "đã giải ngân 120.000.000 đ nhưng chỉ được phân bổ 100.000.000 đ" in page
    assert "Từng dòng phân bổ" in page and "Theo xã và nguồn vốn" in page
    d = client_for(world.users["district"]).get(_url("decision", money["decision"].pk))
    assert re.search(rf'data-line="{money["da"].pk}" class="finding-error"', d.content.decode())


def test_a_commune_sees_its_own_money_only(world: World, money: dict[str, Any]) -> None:
    r = client_for(world.users["dd"]).get(_url("money"), {"nam": 2020})
    page = text(r)
    assert r.status_code == 200
    assert "300.000.000 đ" in page and "45.000.000 đ" in page
    assert "500.000.000 đ" not in page and "800.000.000 đ" not in page
    assert "Số liệu chỉ gồm các dòng phân bổ cho xã của bạn." in page
    d = client_for(world.users["dd"]).get(_url("decision", money["decision"].pk))
    assert d.status_code == 200
    html = d.content.decode()
    assert f'data-line="{money["dd"].pk}"' in html
    assert f'data-line="{money["da"].pk}"' not in html
    assert world.dak_ang.name not in text(d)
    assert "800.000.000" not in html and "Tổng cộng" not in text(d)
    assert "Ba trăm triệu đồng" in text(d)  # its own lines in words


def test_decision_page_by_commune_with_the_total_in_words(
    world: World, money: dict[str, Any]
) -> None:
    r = client_for(world.users["agri"]).get(_url("decision", money["decision"].pk))
    assert r.status_code == 200
    page = text(r)
    assert world.dak_ang.name in page and world.dak_duc.name in page
    assert "Tổng cộng 800.000.000 đ 165.000.000 đ 100.000.000 đ 635.000.000 đ" in page
    assert "Bằng chữ: Tám trăm triệu đồng" in page
    assert "DA2.TDA2 Tiểu dự án 2" in page and "Ngân sách trung ương" in page
    assert "15/04/2020" in page and "Quý II/2020" in page  # the disbursement with its quarter
    # read-only: no forms, no edit links
    assert 'id="add-line"' not in r.content.decode()
    assert _url("allocation_edit", money["da"].pk) not in r.content.decode()


@pytest.mark.parametrize("who", ["da", "outsider"])
def test_decision_outside_the_users_reach_is_404(
    world: World, money: dict[str, Any], who: str
) -> None:
    other = svc.decision_create(
        world.users["district"],
        unit=world.district,
        number="9/QĐ-UBND",
        date=dt.date(2020, 3, 1),
        issuer="UBND huyện",
        title="Đắk Dục",
        year=2020,
        programme_id="QD1722-2016",
    )
    svc.allocation_add(
        world.users["district"],
        other,
        commune=world.dak_duc,
        project=None,
        node_code="DA3",
        source="central",
        amount=5_000_000,
    )
    assert client_for(world.users[who]).get(_url("decision", other.pk)).status_code == 404


def test_anonymous_is_sent_to_log_in(money: dict[str, Any]) -> None:
    r = Client().get(_url("money"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- the pages' cost ----------------------------------------------------------------------------
def _more_lines(world: World, decision: AllocationDecision, count: int) -> None:
    """``count`` more lines of the decision, each with a disbursement and a settlement: every
    other one in a new commune of the district, the rest in Đắk Ang."""
    district = world.users["district"]
    for i in range(count):
        commune = world.dak_ang
        if i % 2:
            commune = AdminUnit.objects.create(
                code=f"9{i:04d}",
                name=f"Xã Thử {i}",
                kind=Kind.COMMUNE,
                level=Level.COMMUNE,
                parent=world.district,
                valid_to=world.dak_ang.valid_to,
            )
        line = svc.allocation_add(
            district,
            decision,
            commune=commune,
            project=None,
            node_code=("DA3", "DA4", "DA5.TDA1")[i % 3],
            source=("central", "local")[i % 2],
            amount=10_000_000 + i,
        )
        svc.disbursement_record(district, line, on=dt.date(2020, 5, 1 + i % 20), amount=2_000_000)
        svc.settlement_record(district, line, on=dt.date(2020, 9, 1), amount=1_000_000)


@pytest.mark.parametrize("who", ["finance", "district", "province", "da"])
def test_the_pages_cost_does_not_grow_with_lines_and_communes(
    world: World, money: dict[str, Any], who: str, django_assert_max_num_queries: Any
) -> None:
    """3 lines, then 30 lines over 16 communes: the money index and the decision page run no
    more queries (rights are read per page, not per line or per unit)."""
    decision = money["decision"]
    if who == "province":
        world.users[who] = User.objects.create_user(username="tinh", password="x")
        UserProfile.objects.create(
            user=world.users[who], unit=world.district.parent, role=Role.PROVINCE_OFFICER
        )
    _more_lines(world, decision, 1)
    c = client_for(world.users[who])
    urls = [f"{_url('money')}?nam=2020", _url("decision", decision.pk)]
    few: dict[str, int] = {}
    for url in urls:
        assert c.get(url).status_code == 200  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        few[url] = len(queries)
    _more_lines(world, decision, 27)
    assert Allocation.objects.filter(decision=decision).count() == 30
    for url in urls:
        with django_assert_max_num_queries(few[url]):
            r = c.get(url)
        assert r.status_code == 200
    assert "Xã Thử 25" in text(r) or who == "da"  # the decision page shows the new lines


# --- writing through the pages -------------------------------------------------------------------
def _line_post(world: World, amount: str = "1.250.000") -> dict[str, str]:
    return {
        "commune": str(world.dak_ang.pk),
        "node_code": "DA3",
        "project": "",
        "source": "integrated",
        "amount": amount,
    }


def test_adding_a_line(world: World, money: dict[str, Any], unchanged: Callable[..., Any]) -> None:
    url = _url("decision", money["decision"].pk)
    with unchanged(*MONEY):
        r = client_for(world.users["da"]).post(url, _line_post(world))
        assert r.status_code == 403
        assert "Chỉ cán bộ của đơn vị ban hành" in text(r)
        bad = client_for(world.users["district"]).post(url, _line_post(world, "1,5"))
        assert bad.status_code == 400
        assert "số tiền phải là số đồng nguyên" in text(bad)
    r = client_for(world.users["finance"]).post(url, _line_post(world))
    assert r.status_code == 302 and r["Location"] == url
    line = Allocation.objects.get(source="integrated")
    assert (line.amount, line.commune, line.node_code) == (1_250_000, world.dak_ang, "DA3")


def test_recording_a_disbursement_and_a_settlement(
    world: World, money: dict[str, Any], unchanged: Callable[..., Any]
) -> None:
    decision, da = money["decision"], money["da"]
    url = _url("disbursement_new", decision.pk)
    c = client_for(world.users["da"])
    form = c.get(url, {"dong": da.pk})
    assert form.status_code == 200
    assert re.search(rf'<option value="{da.pk}" selected>', form.content.decode())
    post = {"line": str(da.pk), "on": "20/05/2020", "amount": "1.250.000", "reference": "UNC 7"}
    r = c.post(url, post)
    assert r.status_code == 302 and r["Location"] == _url("decision", decision.pk)
    made = Disbursement.objects.get(reference="UNC 7")
    assert (made.amount, made.on, made.quarter) == (1_250_000, dt.date(2020, 5, 20), 2)
    with unchanged(*MONEY):
        over = c.post(url, {**post, "amount": "380.000.000"})  # 378.750.000 left
        assert over.status_code == 400
        assert "chỉ còn 378.750.000 đ" in text(over)
    s = c.post(
        _url("settlement_new", decision.pk),
        {"line": str(da.pk), "on": "2020-12-28", "amount": "21.250.000"},
    )
    assert s.status_code == 302
    assert Settlement.objects.filter(allocation=da).aggregate(t=Sum("amount"))["t"] == 121_250_000


def test_spending_refusals(
    world: World, money: dict[str, Any], unchanged: Callable[..., Any]
) -> None:
    decision, da = money["decision"], money["da"]
    url = _url("disbursement_new", decision.pk)
    post = {"line": str(da.pk), "on": "20/05/2020", "amount": "1.000.000"}
    with unchanged(*MONEY):
        # Đắk Dục's officer sees the decision (its own line) but not Đắk Ang's line
        assert client_for(world.users["dd"]).post(url, post).status_code == 404
        # the leader reads, never writes; the agriculture office neither
        for who in ("leader", "agri"):
            r = client_for(world.users[who]).post(url, post)
            assert r.status_code == 403, who
        assert client_for(world.users["leader"]).get(url).status_code == 403


def test_editing_and_removing_a_line(
    world: World, money: dict[str, Any], unchanged: Callable[..., Any]
) -> None:
    da, dd = money["da"], money["dd"]
    c = client_for(world.users["district"])
    url = _url("allocation_edit", da.pk)
    page = c.get(url)
    assert page.status_code == 200
    assert 'value="500000000"' in page.content.decode()
    assert client_for(world.users["da"]).get(url).status_code == 403
    with unchanged(*MONEY):
        low = c.post(url, {**_line_post(world, "100.000.000"), "node_code": "DA2.TDA2", "luu": "1"})
        assert low.status_code == 400
        assert "đã giải ngân 120.000.000 đ" in text(low)
        gone = c.post(url, {"xoa": "1"})
        assert gone.status_code == 400
    r = c.post(
        url, {**_line_post(world, "600.000.000"), "node_code": "DA2.TDA2", "source": "central"}
    )
    assert r.status_code == 302
    da.refresh_from_db()
    assert da.amount == 600_000_000
    Disbursement.objects.filter(allocation=dd).delete()  # a line with no money can go
    assert c.post(_url("allocation_edit", dd.pk), {"xoa": "1"}).status_code == 302
    assert not Allocation.objects.filter(pk=dd.pk).exists()


def test_money_once_moved_stays_put_through_the_pages(
    world: World, money: dict[str, Any], unchanged: Callable[..., Any]
) -> None:
    decision, da = money["decision"], money["da"]
    c = client_for(world.users["district"])
    url = _url("allocation_edit", da.pk)
    assert "chỉ sửa được số tiền" in text(c.get(url))  # the page says so before one tries
    heading = {
        "unit": str(world.district.pk),
        "number": decision.number,
        "date": "16/04/2020",  # the first disbursement was on 15/04/2020
        "issuer": decision.issuer,
        "title": decision.title,
        "year": "2020",
        "programme_id": decision.programme_id,
    }
    with unchanged(*MONEY):
        moved = c.post(url, {**_line_post(world, "500.000.000"), "commune": str(world.dak_duc.pk)})
        assert moved.status_code == 400
        assert "không đổi được xã, hạng mục, nguồn vốn" in text(moved)
        late = c.post(_url("decision_edit", decision.pk), heading)
        assert late.status_code == 400
        assert "15/04/2020" in text(late) and "16/04/2020" in text(late)
        early = c.post(
            _url("settlement_new", decision.pk),
            {"line": str(da.pk), "on": "01/04/2020", "amount": "10.000.000"},
        )
        assert early.status_code == 400
        assert "đến ngày 01/04/2020 đã quyết toán 10.000.000 đ nhưng mới giải ngân 0 đ" in text(
            early
        )
    english = client_for(world.users["district"], "en").post(url, _line_post(world, "500.000.000"))
    assert english.status_code == 400 and "cannot change (only its amount can)" in text(english)
    assert "only its amount can change" in text(english)  # the notice, translated


def test_money_page_shows_money_settled_before_it_was_disbursed(
    world: World, money: dict[str, Any]
) -> None:
    # written around the services: settled on 01/08/2020, disbursed on 03/08/2020
    Settlement.objects.create(allocation=money["dd"], on=dt.date(2020, 8, 1), amount=5_000_000)
    page = text(client_for(world.users["finance"]).get(_url("money"), {"nam": 2020}))
    assert "đến ngày 01/08/2020 đã quyết toán 5.000.000 đ nhưng mới giải ngân 0 đ" in page
    d = client_for(world.users["finance"]).get(_url("decision", money["decision"].pk))
    assert re.search(rf'data-line="{money["dd"].pk}" class="finding-error"', d.content.decode())


def test_decision_new_and_edit(world: World, unchanged: Callable[..., Any]) -> None:
    c = client_for(world.users["finance"])
    form = c.get(_url("decision_new"))
    assert form.status_code == 200
    assert world.district.name in form.content.decode()
    post = {
        "unit": str(world.district.pk),
        "number": "45/QĐ-UBND",
        "date": "05/03/2020",
        "issuer": "UBND huyện Ngọc Hồi",
        "title": "Giao kế hoạch vốn đầu tư",
        "year": "2020",
        "programme_id": "QD1722-2016",
    }
    r = c.post(_url("decision_new"), post)
    assert r.status_code == 302
    decision = AllocationDecision.objects.get(number="45/QĐ-UBND")
    assert decision.date == dt.date(2020, 3, 5) and decision.created_by == world.users["finance"]
    assert r["Location"] == _url("decision", decision.pk)
    with unchanged(*MONEY):
        again = c.post(_url("decision_new"), post)
        assert again.status_code == 400
        assert "Đơn vị đã có quyết định số 45/QĐ-UBND ngày 05/03/2020" in text(again)
        assert client_for(world.users["agri"]).get(_url("decision_new")).status_code == 403
        edit = client_for(world.users["leader"]).get(_url("decision_edit", decision.pk))
        assert edit.status_code == 404  # no line in Đắk Ang: the leader does not see it
    r = c.post(_url("decision_edit", decision.pk), {**post, "title": "Giao kế hoạch vốn 2020"})
    assert r.status_code == 302
    decision.refresh_from_db()
    assert decision.title == "Giao kế hoạch vốn 2020"


# --- the report ----------------------------------------------------------------------------------
def _sheet_rows(data: bytes, sheet: str) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


def _first(rows: list[tuple[Any, ...]], label: str) -> tuple[Any, ...]:
    return next(r for r in rows if r and r[0] == label)


def test_report_page_and_xlsx(world: World, money: dict[str, Any]) -> None:
    c = client_for(world.users["district"])
    page = c.get(_url("money_report"), {"nam": 2020})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-allocated"' in html and 'id="report-settled"' in html
    assert "Quý III/2020" in text(page)
    q3 = text(c.get(_url("money_report"), {"nam": 2020, "ky": "2020-Q3"}))
    assert "45.000.000" in q3 and "120.000.000" not in q3
    r = c.get(_url("money_report"), {"nam": 2020, "format": "xlsx"})
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="kinh-phi-2020.xlsx"'
    data = r.content
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["Phân bổ", "Giải ngân", "Quyết toán"]
    db = {
        "Phân bổ": Allocation.objects.aggregate(t=Sum("amount"))["t"],
        "Giải ngân": Disbursement.objects.aggregate(t=Sum("amount"))["t"],
        "Quyết toán": Settlement.objects.aggregate(t=Sum("amount"))["t"],
    }
    for sheet, total in db.items():
        rows = _sheet_rows(data, sheet)
        assert _first(rows, "Tổng cộng")[1] == total, sheet
    allocated = _sheet_rows(data, "Phân bổ")
    header = next(r for r in allocated if r and r[0] in ("", None) and r[1] == "Tổng số")
    central = header.index("Ngân sách trung ương")
    assert _first(allocated, world.dak_ang.name)[central] == 500_000_000
    assert _first(allocated, world.dak_duc.name)[1] == 300_000_000


def test_a_communes_export_holds_its_commune_only(world: World, money: dict[str, Any]) -> None:
    r = client_for(world.users["dd"]).get(_url("money_report"), {"nam": 2020, "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    cells = [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    ]
    assert any(world.dak_duc.name == v for v in cells)
    assert not any(world.dak_ang.name in v for v in cells)
    assert 500_000_000 not in [
        v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
    ]
    rows = _sheet_rows(r.content, "Phân bổ")
    assert _first(rows, "Tổng cộng")[1] == 300_000_000
    page = client_for(world.users["dd"]).get(_url("money_report"), {"nam": 2020})
    assert world.dak_ang.name not in text(page)


def test_english_pages(world: World, money: dict[str, Any]) -> None:
    c = client_for(world.users["district"], "en")
    page = text(c.get(_url("money"), {"nam": 2020}))
    assert "500,000,000 VND" in page and "Central budget" in page
    d = text(c.get(_url("decision", money["decision"].pk)))
    assert "Eight hundred million dong" in d and "Q2 2020" in d
    r = c.get(_url("money_report"), {"nam": 2020, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["Allocated", "Disbursed", "Settled"]
