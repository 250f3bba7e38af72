"""The credit and housing pages: status codes, content, scoping (another commune's file or
house is 404, a refused right 403 with nothing changed), the English pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from support_world import add_review

from giamngheo.core.support.eligibility import Eligibility
from giamngheo.registry.models import AuditEvent, Household
from giamngheo.support.access import can_manage_housing
from giamngheo.support.models import BatchStatus, Housing, Loan, LoanBatch, Support
from giamngheo.support.selectors.credit import group_label, housing_communes
from giamngheo.support.services.housing import EligibleHousehold, housing_add
from giamngheo.support.services.loans import (
    loans_commit,
    loans_queue_commit,
    loans_stage,
    loans_upload,
)

pytestmark = pytest.mark.django_db
World = Any  # the `world` fixture of conftest.py

HEAD = [
    "Số khế ước", "Mã hộ", "Họ tên người vay", "Chương trình cho vay", "Số tiền vay",
    "Ngày giải ngân", "Lãi suất", "Thời hạn", "Dư nợ", "Nợ quá hạn",
]  # fmt: skip
ROWS = [
    ["KU-01", "DA-01", "A Thắng", "Hộ nghèo", 30_000_000, "15/03/2019", 6.6, 36, 20_000_000, 0],
    ["KU-02", "DA-02", "Y Hoa", "Hộ nghèo", 10_000_000, "15/03/2019", 6.6, 36, 10_000_000,
     1_000_000],
    ["KU-03", "DA-03", "Bình", "Hộ cận nghèo", 50_000_000, "01/07/2020", 7.92, 60, 50_000_000, 0],
    ["KU-04", "DD-01", "A Thắng", "Hộ nghèo", 20_000_000, "01/02/2020", 6.6, 36, 15_000_000, 0],
]  # fmt: skip


def xlsx(rows: list[list[object]], as_of: str = "31/12/2020") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"Ngày số liệu: {as_of}"])
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def client_for(world: World, who: str, lang: str = "vi") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(world.users[who])
    return c


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def loans(world: World) -> LoanBatch:
    user = world.users["district"]
    batch = loans_stage(
        loans_upload(user, world.district, SimpleUploadedFile("a.xlsx", xlsx(ROWS)), None)
    )
    return loans_commit(user, batch)


# --- loans --------------------------------------------------------------------------------------
def test_the_loans_page_sums_by_commune_and_programme(world: World, loans: LoanBatch) -> None:
    r = client_for(world, "district").get(reverse("support:loans"))
    assert r.status_code == 200
    page = text(r)
    assert "Đắk Ang" in page and "Đắk Dục" in page
    summary = page[page.index('id="credit-summary"') : page.index('id="loans"')]
    # Đắk Ang, poor: 30 M + 10 M outstanding, 1 M overdue = 3,33 %; two borrowers.
    assert "30.000.000" in summary and "1.000.000" in summary and "3,33 %" in summary
    assert re.search(r"Cộng [^<]*Đắk Ang</td><td class=\"num\">3</td><td class=\"num\">3</td>"
                     r"<td class=\"num\">80.000.000</td>", summary)  # fmt: skip
    assert "95.000.000" in summary  # the district's total
    assert page.count('data-contract="') == 4


def test_a_commune_sees_only_its_loans(world: World, loans: LoanBatch) -> None:
    c = client_for(world, "dd")
    page = text(c.get(reverse("support:loans")))
    assert 'data-contract="KU-04"' in page and 'data-contract="KU-01"' not in page
    assert "Đắk Ang" not in page
    assert c.get(reverse("support:loans"), {"xa": world.dak_ang.pk}).status_code == 404
    assert c.get(reverse("support:loans"), {"xa": world.dak_duc.pk}).status_code == 200


def test_loan_filters(world: World, loans: LoanBatch) -> None:
    c = client_for(world, "district")
    page = text(c.get(reverse("support:loans"), {"qua-han": "1"}))
    assert page.count('data-contract="') == 1 and 'data-contract="KU-02"' in page
    page = text(c.get(reverse("support:loans"), {"ct": "near_poor"}))
    assert page.count('data-contract="') == 1 and 'data-contract="KU-03"' in page
    page = text(c.get(reverse("support:loans"), {"q": "DD-01"}))
    assert page.count('data-contract="') == 1


def test_the_english_loans_page(world: World, loans: LoanBatch) -> None:
    r = client_for(world, "district", "en").get(reverse("support:loans"))
    page = text(r)
    assert r.status_code == 200
    assert "Loans to poor households" in page and "3.33 %" in page


# --- imports ------------------------------------------------------------------------------------
def test_upload_stage_and_commit_through_the_pages(world: World) -> None:
    c = client_for(world, "bank")
    assert c.get(reverse("support:loan_upload")).status_code == 200
    r = c.post(reverse("support:loan_upload"), {
        "scope": world.district.pk, "file": SimpleUploadedFile("du-no.xlsx", xlsx(ROWS)),
    })  # fmt: skip
    batch = LoanBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("support:loan_batch", args=[batch.pk])
    page = text(c.get(r["Location"]))
    assert batch.status == BatchStatus.VALID and "Xác nhận ghi" in page
    assert "thêm mới 4" in page
    r = c.post(reverse("support:loan_commit", args=[batch.pk]))
    assert r.status_code == 302 and Loan.objects.count() == 4
    page = text(c.get(r["Location"]))
    assert 'id="committed"' in page and "Xác nhận ghi" not in page
    listing = text(c.get(reverse("support:loan_imports")))
    assert "du-no.xlsx" in listing and "Đã ghi" in listing


def test_a_queued_commit_hides_the_button_and_reloads(world: World) -> None:
    user = world.users["district"]
    upload = SimpleUploadedFile("a.xlsx", xlsx(ROWS))
    batch = loans_queue_commit(user, loans_stage(loans_upload(user, world.district, upload, None)))
    c = client_for(world, "district")
    page = text(c.get(reverse("support:loan_batch", args=[batch.pk])))
    assert 'http-equiv="refresh"' in page and "Xác nhận ghi" not in page
    assert 'data-phase="committing"' in page
    # A second click while queued enqueues nothing more.
    assert c.post(reverse("support:loan_commit", args=[batch.pk])).status_code == 302
    assert Loan.objects.count() == 0


def test_a_file_with_errors_shows_them_by_row_and_column(world: World) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][1] = "XX-77"
    rows[2][4] = "năm mươi"
    c = client_for(world, "district")
    c.post(reverse("support:loan_upload"), {
        "scope": world.district.pk, "file": SimpleUploadedFile("loi.xlsx", xlsx(rows)),
    })  # fmt: skip
    batch = LoanBatch.objects.get()
    page = text(c.get(reverse("support:loan_batch", args=[batch.pk])))
    assert 'data-row="4" data-column="B" data-code="unknown_household"' in page
    assert 'data-row="5" data-column="E" data-code="bad_amount"' in page
    assert "XX-77" in page and "Xác nhận ghi" not in page
    # The commit is refused; nothing is written.
    c.post(reverse("support:loan_commit", args=[batch.pk]))
    assert Loan.objects.count() == 0
    r = c.get(reverse("support:loan_errors", args=[batch.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert next(ws.iter_rows(values_only=True))[-1] == "Lỗi / Errors"
    english = text(client_for(world, "district", "en").get(reverse("support:loan_batch",
                                                                   args=[batch.pk])))  # fmt: skip
    assert "no household coded &#x27;XX-77&#x27;" in english
    assert "không có hộ mã" not in english


def test_the_batch_page_of_another_unit_is_404(world: World, loans: LoanBatch) -> None:
    c = client_for(world, "da")
    assert c.get(reverse("support:loan_batch", args=[loans.pk])).status_code == 404
    assert c.get(reverse("support:loan_errors", args=[loans.pk])).status_code == 404
    assert c.post(reverse("support:loan_commit", args=[loans.pk])).status_code == 404
    assert "a.xlsx" not in text(c.get(reverse("support:loan_imports")))


def test_a_leader_may_not_upload_and_nothing_is_stored(
    world: World, unchanged: Callable[..., Any]
) -> None:
    c = client_for(world, "leader")
    with unchanged(LoanBatch):
        r = c.get(reverse("support:loan_upload"))
        assert r.status_code == 403 and "not allowed to import loans" in text(r)
        r = c.post(reverse("support:loan_upload"), {
            "scope": world.dak_ang.pk, "file": SimpleUploadedFile("x.xlsx", xlsx(ROWS)),
        })  # fmt: skip
        assert r.status_code == 403


def test_a_commune_officer_uploads_only_for_its_commune(
    world: World, unchanged: Callable[..., Any]
) -> None:
    c = client_for(world, "da")
    form = text(c.get(reverse("support:loan_upload")))
    assert "Đắk Ang" in form and "Đắk Dục" not in form and "Ngọc Hồi" not in form
    with unchanged(LoanBatch):
        r = c.post(reverse("support:loan_upload"), {
            "scope": world.dak_duc.pk, "file": SimpleUploadedFile("x.xlsx", xlsx(ROWS)),
        })  # fmt: skip
        assert r.status_code == 403


def test_a_bad_upload_is_answered_beside_the_form(world: World) -> None:
    c = client_for(world, "district")
    r = c.post(reverse("support:loan_upload"), {
        "scope": world.district.pk, "file": SimpleUploadedFile("x.pdf", b"%PDF"),
    })  # fmt: skip
    assert r.status_code == 400 and "không đúng định dạng" in text(r)
    assert LoanBatch.objects.count() == 0


def test_the_template_download(world: World) -> None:
    r = client_for(world, "dd").get(reverse("support:loan_template"))
    assert r.status_code == 200 and r.content[:2] == b"PK"


# --- housing ------------------------------------------------------------------------------------
def _house(world: World) -> Housing:
    return housing_add(world.users["da"], world.households["DA-08"], "qd33_2015", "new", 2020,
                       0, 25_000_000, dt.date(2020, 3, 2))  # fmt: skip


def test_the_housing_page_with_counts_and_the_eligible_list(world: World) -> None:
    _house(world)
    c = client_for(world, "district")
    r = c.get(reverse("support:housing"), {"can-cu": "qd33_2015", "nam": "2020"})
    assert r.status_code == 200
    page = text(r)
    planned = '<a href="?can-cu=qd33_2015&amp;nam=2020&amp;tt=planned">Dự kiến</a>: <strong>1'
    assert f'data-status="planned">{planned}' in page
    assert page.count('data-housing="') == 1
    eligible = page[page.index('id="eligible"') :]
    assert 'data-household="DA-02"' in eligible and 'data-household="DD-02"' in eligible
    assert 'data-household="DA-08"' not in eligible  # already has its house
    assert "25.000.000 đ" in page  # the basis's loan limit
    only = text(c.get(reverse("support:housing"), {"tt": "started"}))
    assert only.count('data-housing="') == 0


def test_recording_a_house_through_the_form(world: World) -> None:
    c = client_for(world, "da")
    url = reverse("support:housing_new")
    form = text(c.get(url, {"ho": world.households["DA-08"].pk, "can-cu": "qd33_2015"}))
    assert 'value="DA-08"' in form
    r = c.post(url, {
        "commune": world.dak_ang.pk, "code": "DA-08", "basis": "qd33_2015", "kind": "new",
        "year": "2020", "on": "02/03/2020", "grant_amount": "", "loan_amount": "25.000.000",
    })  # fmt: skip
    h = Housing.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("support:housing_update", args=[h.pk])
    assert h.loan_amount == 25_000_000
    # Over the limit: refused beside the form, nothing written.
    r = c.post(url, {
        "commune": world.dak_ang.pk, "code": "DA-02", "basis": "qd33_2015", "kind": "new",
        "year": "2020", "on": "02/03/2020", "loan_amount": "25.000.001",
    })  # fmt: skip
    assert r.status_code == 400 and "vượt mức tối đa" in text(r)
    assert Housing.objects.count() == 1
    r = c.post(url, {
        "commune": world.dak_ang.pk, "code": "DA-02", "basis": "qd33_2015", "kind": "new",
        "year": "2020", "on": "02/03/2020", "loan_amount": "25,5 triệu",
    })  # fmt: skip
    assert r.status_code == 400 and Housing.objects.count() == 1


def test_the_steps_through_the_page(world: World, unchanged: Callable[..., Any]) -> None:
    h = _house(world)
    c = client_for(world, "da")
    url = reverse("support:housing_update", args=[h.pk])
    page = text(c.get(url))
    assert 'data-status="planned"' in page and "Đã khởi công" in page
    r = c.post(url, {"status": "started", "on": "2020-04-01"})
    assert r.status_code == 302
    with unchanged(Housing, Support):
        r = c.post(url, {"status": "finished", "on": "2020-03-01"})
        assert r.status_code == 400 and "trước ngày của bước trước" in text(r)
    c.post(url, {"status": "finished", "on": "2020-07-01"})
    c.post(url, {"status": "handed_over", "on": "2020-07-10"})
    h.refresh_from_db()
    assert h.status == "handed_over" and h.handed_over_on == dt.date(2020, 7, 10)
    page = text(c.get(url))
    assert (
        "10/07/2020" in page
        and '<form method="post"' not in page.split("site-main")[1].split("</main>")[0]
    )


def test_housing_of_another_commune_is_404_and_a_leader_403(
    world: World, unchanged: Callable[..., Any]
) -> None:
    h = _house(world)
    url = reverse("support:housing_update", args=[h.pk])
    assert client_for(world, "dd").get(url).status_code == 404
    leader = client_for(world, "leader")
    assert leader.get(url).status_code == 200
    with unchanged(Housing, Support):
        r = leader.post(url, {"status": "started", "on": "2020-04-01"})
        assert r.status_code == 403
        assert leader.get(reverse("support:housing_new")).status_code == 403
    assert AuditEvent.objects.filter(action="support_housing_step").count() == 0


def test_the_english_housing_page(world: World) -> None:
    h = _house(world)
    c = client_for(world, "da", "en")
    page = text(c.get(reverse("support:housing"), {"can-cu": "qd33_2015", "nam": "2020"}))
    assert '<html lang="en">' in page and "25,000,000 VND" in page  # the basis's limit
    page = text(c.get(reverse("support:housing_update", args=[h.pk])))
    assert "25,000,000 VND" in page and "25.000.000 đ" not in page


def _badly_housed(world: World, n: int) -> None:
    """``n`` more poor households of Đắk Dục deprived on housing quality (eligible)."""
    village = world.villages[world.dak_duc.code][0]
    for i in range(n):
        hh = Household.objects.create(commune=world.dak_duc, village=village,
                                      code=f"DD-9{i:03d}", head_name=f"Y Hộ {i}")  # fmt: skip
        add_review(hh, 2019, "poor", 500_000, ("housing_quality",))


def _housing_queries(c: Client, params: dict[str, str]) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        r = c.get(reverse("support:housing"), params)
    assert r.status_code == 200
    return len(queries), text(r)


def test_the_housing_page_queries_do_not_grow_with_the_eligible(
    world: World, django_assert_max_num_queries: Any
) -> None:
    _house(world)
    c = client_for(world, "district")
    params = {"can-cu": "qd33_2015", "nam": "2020"}
    c.get(reverse("support:housing"), params)  # the session and the profile are cached
    few, page = _housing_queries(c, params)
    assert page.count('data-household="') == 2  # DA-02, DD-02
    _badly_housed(world, 40)
    with django_assert_max_num_queries(few):
        r = c.get(reverse("support:housing"), params)
    assert text(r).count('data-household="') == 42


def test_the_eligible_list_is_paged(world: World) -> None:
    _badly_housed(world, 100)  # 103 eligible with DA-02, DA-08, DD-02
    c = client_for(world, "district")
    params = {"can-cu": "qd33_2015", "nam": "2020"}
    first = text(c.get(reverse("support:housing"), params))
    eligible = first[first.index('id="eligible"') :]
    assert eligible.count('data-household="') == 100 and "103" in first
    assert 'href="?can-cu=qd33_2015&amp;nam=2020&amp;trang-ds=2"' in first
    second = text(c.get(reverse("support:housing"), {**params, "trang-ds": "2"}))
    rows = second[second.index('id="eligible"') :]
    assert rows.count('data-household="') == 3
    assert '<td class="num">101</td>' in rows  # numbered on from the first page


def test_the_communes_where_housing_may_be_recorded_in_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    from giamngheo.accounts.access import get_profile
    from giamngheo.geo.models import AdminUnit
    from giamngheo.support.access import org_ids

    communes = AdminUnit.objects.filter(pk__in=[world.dak_ang.pk, world.dak_duc.pk])
    for who, user in world.users.items():
        get_profile(user)
        org_ids(user)
        with django_assert_num_queries(1):
            got = {c.pk for c in housing_communes(user, communes)}
        expected = {
            c.pk for c in communes
            if can_manage_housing(user, Household.objects.filter(commune=c).first())  # type: ignore[arg-type]
        }  # fmt: skip
        assert got == expected, who
    assert {c.pk for c in housing_communes(world.users["infra"], communes)} == {
        world.dak_ang.pk, world.dak_duc.pk,
    }  # fmt: skip
    assert {c.pk for c in housing_communes(world.users["da"], communes)} == {world.dak_ang.pk}
    assert not list(housing_communes(world.users["leader"], communes))


def test_the_eligible_list_shows_labels_not_codes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    hh = world.households
    groups = {"DA-01": "newly_escaped", "DA-02": "unreviewed", "DA-03": "medium",
              "DA-04": "non_poor"}  # fmt: skip
    day = dt.date(2020, 1, 1)
    rows = [
        EligibleHousehold(hh[code], Eligibility("r", hh[code].pk, day, True, (), False, None, g))
        for code, g in groups.items()
    ]
    monkeypatch.setattr("giamngheo.support.views.credit.housing_eligible", lambda *a: rows)
    params = {"can-cu": "qd33_2015", "nam": "2020"}
    page = text(client_for(world, "district").get(reverse("support:housing"), params))
    eligible = page[page.index('id="eligible"') :]
    for code in ("newly_escaped", "unreviewed", "medium", "non_poor"):
        assert f">{code}<" not in eligible and f"> {code}" not in eligible
    assert "Hộ mới thoát nghèo" in eligible and "Chưa có kết quả rà soát" in eligible
    english = text(client_for(world, "district", "en").get(reverse("support:housing"), params))
    assert "Newly escaped" in english and "No approved review" in english


def test_every_group_has_a_label_in_both_languages() -> None:
    from django.utils import translation

    groups = ("poor", "near_poor", "newly_escaped", "medium", "non_poor", "unreviewed")
    for lang in ("vi", "en"):
        with translation.override(lang):
            labels = [group_label(g) for g in groups]
        assert all(label and label not in groups for label in labels), labels
        assert len(set(labels)) == len(groups)
    assert group_label("something_new") == "something_new"
