"""The campaign and commune pages: what they show (progress matrix with overdue days, the
consolidated and frozen figures, the posting countdown, flags), the actions through the pages,
refusals re-shown with status 400, and the files (the .xlsx list, minutes, posting lists,
decision and certificates as PDF and Word with the names in them)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from giamngheo.registry.models import AuditEvent, Household
from giamngheo.reviews import selectors, services
from giamngheo.reviews.flags import plan_targets, review_flags
from giamngheo.reviews.models import (
    Campaign,
    CommuneReview,
    CommuneState,
    Complaint,
    Decision,
    ListEntry,
    Meeting,
)
from giamngheo.reviews.rules import calendar_of

pytestmark = pytest.mark.django_db


def login(user: User, lang: str = "vi") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---------------------------------------------------------------------------------------------
# Campaigns
# ---------------------------------------------------------------------------------------------
def test_open_a_campaign_from_the_list_page(
    district_officer: User, commune_officer: User, review_units: Any
) -> None:
    c = login(district_officer)
    page = c.get(reverse("reviews:campaigns"))
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert login(commune_officer).get(reverse("reviews:campaigns")).context["form"] is None
    data = {
        "unit": review_units.district.pk,
        "year": 2022,
        "standard_id": "",
        "local_standard": "local-BacNinh-2025.json",
        "due_report": "2022-12-01",
        "days_off": "02/09/2022, 05/09/2022",
        "working_days": "",
    }
    r = c.post(reverse("reviews:campaign_open"), data)
    campaign = Campaign.objects.get(unit=review_units.district, year=2022)
    assert r.status_code == 302 and r["Location"] == reverse("reviews:campaign", args=[campaign.pk])
    assert campaign.standard_id == "ND07-2021"  # the engine's year rule
    assert campaign.local_standard == "local-BacNinh-2025.json"
    assert campaign.days_off == ["2022-09-02", "2022-09-05"]
    report = campaign.steps.get(key="report")
    assert (report.due, report.origin) == (dt.date(2022, 12, 1), "unit")
    assert (campaign.window_start, campaign.window_end) == (
        dt.date(2022, 9, 1),
        dt.date(2022, 12, 14),
    )
    # The same year again: refused by the service, the page again with the reason.
    again = c.post(reverse("reviews:campaign_open"), data)
    assert again.status_code == 400
    assert "đã có đợt rà soát năm 2022" in text(again)
    assert Campaign.objects.filter(year=2022).count() == 1
    # A chosen standard and window win over the defaults.
    data.update(
        year=2023, standard_id="QD59-2015", window_start="2023-10-01", window_end="2023-12-05"
    )
    c.post(reverse("reviews:campaign_open"), data)
    other = Campaign.objects.get(year=2023)
    assert other.standard_id == "QD59-2015"
    assert (other.window_start, other.window_end) == (dt.date(2023, 10, 1), dt.date(2023, 12, 5))


def test_campaign_page_shows_rules_chain_and_calendar(
    review_campaign: Campaign, district_officer: User
) -> None:
    r = login(district_officer).get(reverse("reviews:campaign", args=[review_campaign.pk]))
    html = text(r)
    assert r.status_code == 200
    assert "QD24-2021" in html and "ND07-2021" in html
    assert "01/09/2021 – 14/12/2021" in html
    for level in ("Ban Chỉ đạo rà soát cấp xã", "Chủ tịch UBND cấp xã", "Chủ tịch UBND cấp huyện"):
        assert level in html
    # The posting's 3 working days are not confirmed against the text: a visible mark and note.
    assert 'data-step="posting"' in html and "tạm tính" in html
    assert "3 ngày làm việc là con số thường được nêu" in html
    assert "Theo quy định" in html and "Đề xuất" in html
    english = login(district_officer, "en").get(
        reverse("reviews:campaign", args=[review_campaign.pk])
    )
    assert "Progress of the communes" in text(english)
    assert "Commune review steering committee" in text(english)


def _matrix_row(html: str, code: str) -> str:
    m = re.search(rf'<tr data-commune="{code}">(.*?)</tr>', html)
    assert m is not None
    return m.group(1)


def test_progress_matrix_marks_overdue_and_due_this_week(
    review_campaign: Campaign,
    review_units: Any,
    district_officer: User,
    commune_officer: User,
) -> None:
    today = timezone.localdate()
    services.campaign_set_due(
        actor=district_officer,
        campaign=review_campaign,
        overrides={
            key: today + dt.timedelta(days=days)
            for key, days in (
                ("list", -5),
                ("assign", 3),
                ("survey", 20),
                ("meeting", 30),
                ("posting", 35),
                ("complaints", 40),
                ("decision", 45),
                ("report", 50),
            )
        },
    )
    dak_ang = CommuneReview.objects.get(campaign=review_campaign, commune=review_units.dak_ang)
    services.list_generate(actor=commune_officer, review=dak_ang)
    html = text(login(district_officer).get(reverse("reviews:campaign", args=[review_campaign.pk])))
    duc = _matrix_row(html, "23383")
    assert 'class="st st-overdue" data-step="list"' in duc and "Quá hạn 5 ngày" in duc
    assert 'class="st st-due_this_week" data-step="assign"' in duc
    ang = _matrix_row(html, "23380")
    # Listed today, five days after the due date: done, late.
    assert 'class="st st-done_late" data-step="list"' in ang and "(+5)" in ang
    assert ">4<" in ang.replace(" ", "")  # four households listed
    overdue = html.split('class="rv-list overdue-list"')[1].split("</ul>")[0]
    assert "Xã Đắk Dục" in overdue and "quá hạn 5 ngày" in overdue and "Xã Đắk Ang" not in overdue
    # The commune's own page: the step header says it too.
    dak_duc = CommuneReview.objects.get(campaign=review_campaign, commune=review_units.dak_duc)
    page = text(login(district_officer).get(reverse("reviews:commune", args=[dak_duc.pk])))
    assert "Quá hạn 5 ngày" in page


def test_progress_selector_with_a_fixed_day(
    review_campaign: Campaign, review_units: Any, district_officer: User, commune_officer: User
) -> None:
    steps = {s.key: s.due for s in review_campaign.steps.all()}
    dak_ang = CommuneReview.objects.get(campaign=review_campaign, commune=review_units.dak_ang)
    services.list_generate(actor=commune_officer, review=dak_ang)  # done today: late in 2021 terms
    day = steps["assign"] + dt.timedelta(days=4)
    rows = {
        p.review.commune.code: p
        for p in selectors.campaign_progress(district_officer, review_campaign, day)
    }
    duc = {c.key: c for c in rows["23383"].cells}
    assert (duc["list"].status, duc["list"].days_late) == ("overdue", (day - steps["list"]).days)
    assert (duc["assign"].status, duc["assign"].days_late) == ("overdue", 4)
    assert rows["23383"].overdue_days == (day - steps["list"]).days
    assert {c.key: c.status for c in rows["23380"].cells}["list"] == "done_late"
    week = selectors.due_this_week(rows.values())
    assert all(c.due is not None and day <= c.due <= day + dt.timedelta(days=6) for _, c in week)
    only = selectors.campaign_progress(commune_officer, review_campaign, day)
    assert [p.review.commune.code for p in only] == ["23380"]


def test_results_frozen_at_acceptance_and_difference(
    review_flow: Any, review_units: Any, district_officer: User, district_approver: User
) -> None:
    r = review_flow.until(review_units.dak_ang, "accepted")
    assert r.accepted_figures["class:poor"] == 2
    url = reverse("reviews:campaign", args=[r.campaign_id])
    row = text(login(district_officer).get(url)).split('<table class="data results">')[1]
    ang = _matrix_row(row, "23380")
    cells = re.findall(r'<td class="num">(\d+)', ang)
    assert cells == ["5", "2", "1", "2", "1"]  # listed, poor, near-poor, escaped, carried over
    assert "số liệu đã khóa" in ang and "hiện tại" not in ang
    # Live figures that differ from the frozen ones are shown beside them.
    CommuneReview.objects.filter(pk=r.pk).update(
        accepted_figures={**r.accepted_figures, "class:poor": 1}
    )
    ang = _matrix_row(
        text(login(district_officer).get(url)).split('<table class="data results">')[1], "23380"
    )
    assert re.findall(r'<td class="num">(\d+)', ang)[1] == "1"
    assert "hiện tại +1" in ang and "đã thay đổi sau khi chấp nhận" in ang
    # The district approver sees the close button, the officer the unlock form.
    assert "Phê duyệt kết quả toàn đợt" in text(login(district_approver).get(url))
    assert reverse("reviews:commune_unlock", args=[r.pk]) in text(login(district_officer).get(url))


# ---------------------------------------------------------------------------------------------
# The commune page and its actions
# ---------------------------------------------------------------------------------------------
def test_commune_page_forms_by_role(  # noqa: PLR0917 - pytest fixtures
    review_flow: Any,
    review_units: Any,
    commune_officer: User,
    reviewer: User,
    approver: User,
    leader: User,
) -> None:
    r = review_flow.until(review_units.dak_ang, "list")
    url = reverse("reviews:commune", args=[r.pk])
    officer = text(login(commune_officer).get(url))
    assert reverse("reviews:list_generate", args=[r.pk]) in officer
    assert reverse("reviews:assign", args=[r.pk]) in officer
    assert "Hộ có ô tô" in officer  # Phiếu A's questions
    for code, head in (("DA-01", "A Thắng"), ("DA-05", "Trần Thị Mai")):
        assert code in officer and head in officer
    assert "Thôn Ngọc Tụ" in officer and "Có giấy đề nghị" in officer
    for user in (reviewer, leader, approver):
        html = text(login(user).get(url))
        assert "DA-01" in html
        assert reverse("reviews:list_generate", args=[r.pk]) not in html
        assert reverse("reviews:decide", args=[r.pk]) not in html
    posted = review_flow.until(review_units.dak_ang, "posting")
    assert reverse("reviews:decide", args=[posted.pk]) in text(login(approver).get(url))


def test_actions_through_the_pages(  # noqa: PLR0917 - pytest fixtures
    review_flow: Any,
    review_campaign: Campaign,
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
    reviewer: User,
    approver: User,
    district_officer: User,
) -> None:
    r = CommuneReview.objects.get(campaign=review_campaign, commune=review_units.dak_ang)
    c = login(commune_officer)

    def post(name: str, data: dict[str, Any], *, pk: int | None = None, status: int = 302) -> Any:
        response = c.post(reverse(f"reviews:{name}", args=[pk or r.pk]), data)
        assert response.status_code == status, text(response)[-3000:]
        return response

    post("list_generate", {})
    no = {
        f"q_{k}": "0"
        for k in (
            "car",
            "solid_large_house",
            "regular_salary_above_line",
            "large_production_assets",
            "large_business",
            "illness_or_disability",
            "recent_shock",
        )
    }
    post("list_add_applicant", {"code": "da-05", "received": "20/09/2021", **no})
    post("list_add_applicant", {"code": "DA-06", "received": "2021-09-21", **no, "q_car": "1"})
    assert ListEntry.objects.get(review=r, household__code="DA-06").screened_out
    missing = post("list_add", {"code": "XX-99", "reason": "x"}, status=400)
    assert "Không có hộ mã XX-99" in text(missing)
    post("list_add", {"code": "DA-06", "reason": "x"}, status=400)  # already listed
    first, second = review_units.villages["23380"]
    post("assign", {"reviewer": reviewer.pk, "village": first.pk})
    post("assign", {"reviewer": reviewer.pk, "codes": "DA-02, da-04"})
    assert not r.entries.filter(reviewer=None, screened_out=False).exists()
    surveys = review_flow.surveys
    for e in r.entries.filter(screened_out=False).select_related("household"):
        services.survey_save(
            actor=reviewer, entry=e, inputs=surveys[int(e.household.code[-2:])], final=True
        )
    # Posting before the meetings: refused by the service, page again with the reason.
    refused = post("posting_start", {"start": "2021-11-08"}, status=400)
    assert "Chưa họp dân thông qua" in text(refused)
    meeting = {
        "held_at": "2021-11-05T08:00",
        "chair": "A Nhơn",
        "secretary": "Y Thư",
        "attendees": 40,
        "agreement": 10,
        "head": "A Nhơn",
        "party": "A Bảo",
        "front": "Y Mận",
    }
    post("meeting_record", {**meeting, "village": first.pk})  # 25 %: back to survey
    html = text(c.get(reverse("reviews:commune", args=[r.pk])))
    assert "Dưới 50 %: điều tra lại, họp lại" in html
    bad = post("meeting_record", {**meeting, "village": second.pk, "agreement": 50}, status=400)
    assert "Số người đồng ý" in text(bad)
    for e in r.entries.filter(household__village=first, screened_out=False):
        services.survey_save(
            actor=reviewer, entry=e, inputs=surveys[int(e.household.code[-2:])], final=True
        )
    post("meeting_record", {**meeting, "village": first.pk, "agreement": 30})
    post("meeting_record", {**meeting, "village": second.pk, "agreement": 30})
    assert Meeting.objects.filter(review=r).count() == 3
    post("posting_start", {"start": "2021-11-08", "places": "Nhà văn hóa thôn"})
    post(
        "complaint_open",
        {
            "code": "DA-02",
            "complainant": "Bà C",
            "received": "2021-11-09",
            "content": "Hộ còn khó khăn",
        },
    )
    complaint = Complaint.objects.get(review=r)
    post(
        "complaint_decide", {"outcome": "upheld", "answer": "x"}, pk=complaint.pk, status=400
    )  # no re-check
    post("complaint_decide", {"outcome": "rejected", "answer": "Giữ kết quả"}, pk=complaint.pk)
    a = login(approver)
    early = a.post(
        reverse("reviews:decide", args=[r.pk]),
        {"number": "15/QĐ-UBND", "date": "2021-11-10", "signer_name": "Nguyễn Văn Chung"},
    )
    assert early.status_code == 400 and "sau khi hết thời gian niêm yết" in text(early)
    done = a.post(
        reverse("reviews:decide", args=[r.pk]),
        {"number": "15/QĐ-UBND", "date": "2021-11-16", "signer_name": "Nguyễn Văn Chung"},
    )
    assert done.status_code == 302
    post("commune_submit", {"note": ""})
    d = login(district_officer)
    assert (
        d.post(reverse("reviews:commune_return", args=[r.pk]), {"comment": ""}).status_code == 400
    )
    assert (
        d.post(
            reverse("reviews:commune_return", args=[r.pk]), {"comment": "Bổ sung biên bản"}
        ).status_code
        == 302
    )
    assert "Bổ sung biên bản" in text(c.get(reverse("reviews:commune", args=[r.pk])))
    post("commune_submit", {"note": "đã bổ sung"})
    assert d.post(reverse("reviews:commune_accept", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert r.state == CommuneState.ACCEPTED and r.locked
    assert (
        d.post(reverse("reviews:commune_unlock", args=[r.pk]), {"reason": "Sai số"}).status_code
        == 302
    )
    r.refresh_from_db()
    assert (r.state, r.locked) == (CommuneState.RETURNED, False)


def test_posting_countdown_in_working_days(
    review_flow: Any, review_units: Any, commune_officer: User
) -> None:
    r = review_flow.until(review_units.dak_ang, "meeting")
    today = timezone.localdate()
    services.posting_start(actor=commune_officer, review=r, start=today)
    r.refresh_from_db()
    assert r.posting_end is not None
    left = calendar_of(r.campaign).working_days_between(today, r.posting_end)
    html = text(login(commune_officer).get(reverse("reviews:commune", args=[r.pk])))
    assert f"còn {left} ngày làm việc" in html


def test_flags_for_the_commune_and_the_upper_level(
    review_flow: Any, review_units: Any, district_officer: User, commune_officer: User
) -> None:
    r = review_flow.until(review_units.dak_ang, "survey")
    flags = review_flags([r])[r.pk]
    jumps = {f.household_ids[0] for f in flags if f.kind == "class_jump"}
    codes = dict(Household.objects.values_list("pk", "code"))
    assert {codes[int(h)] for h in jumps} == {"DA-02", "DA-05"}  # poor → non-poor, non-poor → poor
    page = text(login(commune_officer).get(reverse("reviews:commune", args=[r.pk])))
    assert "DA-02" in page.split('id="canh-bao"')[1]
    campaign = reverse("reviews:campaign", args=[r.campaign_id])
    assert 'id="canh-bao"' in text(login(district_officer).get(campaign))
    assert 'id="canh-bao"' not in text(login(commune_officer).get(campaign))
    assert plan_targets(2021, [review_units.dak_ang.pk]) == {}
    # Grouped by kind, with the count.
    assert "Đổi nhiều bậc trong một năm: <strong>2</strong>" in page


def test_flags_are_grouped_warnings_first_and_cut_on_the_campaign_page() -> None:
    """A commune of thousands of households can have hundreds of flags: each kind is one
    folded group with its count; the campaign page lists the first 20 of each."""
    from django.template.loader import render_to_string

    from giamngheo.core.review.plausibility import Flag
    from giamngheo.reviews.flags import flag_groups

    jumps = [
        Flag("class_jump", "check", (str(i),), f"Hộ H{i}: đổi nhiều bậc", f"H{i}: jumps")
        for i in range(25)
    ]
    escape = Flag("escape_without_change", "warning", ("99",), "Hộ H99: thoát", "H99: escapes")
    groups = flag_groups([*jumps, escape], english=False)
    assert [(g["kind"], g["count"], g["warning"]) for g in groups] == [
        ("escape_without_change", 1, True),
        ("class_jump", 25, False),
    ]
    html = render_to_string("reviews/_flags.html", {"groups": groups, "limit": 20})
    assert html.count("<li") == 21 and "Hộ H19:" in html and "Hộ H20:" not in html
    assert "20 đầu tiên trong 25" in html
    whole = render_to_string("reviews/_flags.html", {"groups": groups, "open_warnings": True})
    assert whole.count("<li") == 26 and "đầu tiên" not in whole
    assert '<details class="flag-group" data-kind="escape_without_change" open>' in whole
    english = flag_groups([*jumps, escape], english=True)
    assert english[1]["label"] == "Several classes in one year"


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(parts)


def _file(c: Client, url: str, fmt: str) -> tuple[str, str]:
    r = c.get(f"{url}?format={fmt}")
    assert r.status_code == 200, url
    disposition = r["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'.{fmt}"')
    data = r.content
    body = _pdf_text(data) if fmt == "pdf" else _docx_text(data)
    return " ".join(body.split()), disposition  # lines wrapped inside table cells


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_documents_carry_the_names(
    review_flow: Any, review_units: Any, district_officer: User, fmt: str
) -> None:
    r = review_flow.until(review_units.dak_ang, "decision")
    c = login(district_officer)
    first = review_units.villages["23380"][0]  # Thôn Ngọc Tụ: DA-01, DA-03, DA-05
    meeting = Meeting.objects.get(review=r, village=first)
    body, name = _file(c, reverse("reviews:minutes_doc", args=[meeting.pk]), fmt)
    for word in ("Đắk Ang", "Thôn Ngọc Tụ", "DA-01", "A Thắng", "Trần Thị Mai"):
        assert word in body, word
    assert "bien-ban-hop-dan-thon-ngoc-tu-lan-1" in name
    body, _ = _file(c, reverse("reviews:posting_village_doc", args=[r.pk, first.pk]), fmt)
    assert "Thôn Ngọc Tụ" in body and "A Thắng" in body and "Y Hoa" not in body
    body, _ = _file(c, reverse("reviews:posting_doc", args=[r.pk]), fmt)
    assert "Đắk Ang" in body and "A Thắng" in body and "Y Hoa" in body
    decision = Decision.objects.get(review=r)
    body, name = _file(c, reverse("reviews:decision_doc", args=[decision.pk]), fmt)
    for word in ("Đắk Ang", "A Thắng", "Y Hoa", "Thôn Đăk Răng", "Nguyễn Văn Chung"):
        assert word in body, word
    body, name = _file(c, reverse("reviews:certificates_doc", args=[decision.pk]), fmt)
    for word in ("Đắk Ang", "A Thắng", "Nguyễn Văn Bình", "Trần Thị Mai"):
        assert word in body, word
    assert "giay-chung-nhan-3-ban" in name
    taken = AuditEvent.objects.filter(action="review_document").latest("pk")
    assert taken.actor_id == district_officer.pk and taken.object_id == str(decision.pk)
    assert name.endswith(f'{taken.changes["file"]}"')  # who took which document, when
    assert (
        c.get(reverse("reviews:decision_doc", args=[decision.pk]) + "?format=odt").status_code
        == 400
    )


def test_certificates_mask_ids_unless_allowed(
    review_flow: Any, review_units: Any, district_officer: User, commune_officer: User
) -> None:
    r = review_flow.until(review_units.dak_ang, "decision")
    decision = Decision.objects.get(review=r)
    url = reverse("reviews:certificates_doc", args=[decision.pk])
    nid = "062076380001"  # A Thắng's (DA-01) citizen ID
    assert nid in _file(login(district_officer), url, "docx")[0]
    masked = _file(login(commune_officer), url, "docx")[0]
    assert nid not in masked and "062*******01" in masked


def test_list_as_xlsx(review_flow: Any, review_units: Any, commune_officer: User) -> None:
    from openpyxl import load_workbook

    r = review_flow.until(review_units.dak_ang, "survey")
    response = login(commune_officer).get(reverse("reviews:commune_list_xlsx", args=[r.pk]))
    assert response.status_code == 200
    assert "danh-sach-ra-soat-2021-23380.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    assert ws["A4"].value == "DANH SÁCH HỘ GIA ĐÌNH CẦN RÀ SOÁT NĂM 2021"
    assert "Xã Đắk Ang" in str(ws["A5"].value)
    assert [c.value for c in ws[7]][:3] == ["STT", "Mã hộ", "Họ và tên chủ hộ"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=8)]
    assert sorted(str(row[1]) for row in rows) == ["DA-01", "DA-02", "DA-03", "DA-04", "DA-05"]
    first = next(row for row in rows if row[1] == "DA-01")
    assert first[2:] == [
        "A Thắng",
        "Thôn Ngọc Tụ",
        "Đang trong danh sách hộ nghèo, cận nghèo",
        "Hộ nghèo",
        "A Tuấn",
        "Đã điều tra",
        "Hộ nghèo",
    ]


def test_a_household_changed_after_the_vote_brings_its_village_back_to_the_meeting(
    review_flow: Any, review_units: Any
) -> None:
    """A vote covers the households as they stood: one added to the list, or surveyed again,
    after the village agreed sends the village back to the meeting before the posting."""
    from django.core.exceptions import ValidationError

    from giamngheo.core.standards import get_standard
    from giamngheo.reviews.selectors import villages_waiting

    posting = dt.date(2021, 11, 8)
    richer = {
        "income": 3_500_000,
        **{f"dep_{k}": 0 for k in get_standard("ND07-2021").indicator_keys},
    }
    r = review_flow.until(review_units.dak_ang, "meeting")
    assert villages_waiting(r) == []
    e = r.entries.select_related("household__village").get(household__code="DA-01")
    services.survey_save(actor=review_flow.reviewer, entry=e, inputs=richer, final=True)
    assert villages_waiting(r) == [e.household.village]
    with pytest.raises(ValidationError) as exc:
        services.posting_start(actor=review_flow.officer, review=r, start=posting)
    assert exc.value.code == "meetings_missing"
    again = services.meeting_record(
        actor=review_flow.officer,
        review=r,
        village=e.household.village,
        held_at=timezone.make_aware(dt.datetime(2021, 11, 6, 8, 0)),
        chair="Trưởng thôn A Nhơn",
        secretary="Y Thư",
        attendees=30,
        agreement=20,
    )
    assert again.attempt == 2 and again.passed and villages_waiting(r) == []
    # A household added after the vote, not even surveyed yet: its village waits too.
    extra = (
        Household.objects.filter(commune=review_units.dak_ang, village=e.household.village)
        .exclude(pk__in=r.entries.values("household_id"))
        .first()
    )
    if extra is None:
        extra = Household.objects.create(
            commune=review_units.dak_ang, village=e.household.village, code="DA-99", head_name="Mới"
        )
    added = services.list_add(
        actor=review_flow.officer, review=r, household=extra, reason="Hộ mới gặp khó khăn"
    )
    assert villages_waiting(r) == [e.household.village]
    services.survey_save(actor=review_flow.officer, entry=added, inputs=richer, final=True)
    assert villages_waiting(r) == [e.household.village]  # surveyed, but not voted on
    third = services.meeting_record(
        actor=review_flow.officer,
        review=r,
        village=e.household.village,
        held_at=timezone.make_aware(dt.datetime(2021, 11, 6, 14, 0)),
        chair="Trưởng thôn A Nhơn",
        secretary="Y Thư",
        attendees=30,
        agreement=20,
    )
    assert third.attempt == 3 and villages_waiting(r) == []
    with pytest.raises(ValidationError) as exc:  # nothing changed since: no fourth meeting
        services.meeting_record(
            actor=review_flow.officer,
            review=r,
            village=e.household.village,
            held_at=timezone.make_aware(dt.datetime(2021, 11, 7, 8, 0)),
            chair="A",
            secretary="B",
            attendees=30,
            agreement=20,
        )
    assert exc.value.code == "met"
    services.posting_start(actor=review_flow.officer, review=r, start=posting)


def test_decision_numbers_restart_each_year_and_communes_belong_to_one_campaign(
    review_flow: Any, review_units: Any
) -> None:
    from django.core.exceptions import ValidationError

    from giamngheo.accounts.models import Role, UserProfile

    r = review_flow.until(review_units.dak_ang, "posting")
    when = dt.date(2021, 11, 16)
    for number, day in (("16/QĐ-UBND", dt.date(2021, 3, 1)), ("15/QĐ-UBND", dt.date(2020, 11, 2))):
        Decision.objects.create(review=r, number=number, date=day, signer_name="X")
    with pytest.raises(ValidationError) as exc:  # used earlier this year
        services.decide(
            actor=review_flow.approver, review=r, number="16/QĐ-UBND", date=when, signer_name="A"
        )
    assert exc.value.code == "number_used"
    # Last year's 15/QĐ-UBND does not stand in the way of this year's.
    services.decide(
        actor=review_flow.approver, review=r, number="15/QĐ-UBND", date=when, signer_name="A"
    )

    # The province cannot open a second 2021 campaign over the district's communes.
    province = User.objects.create_user(username="rs_tinh", password="x")
    UserProfile.objects.create(
        user=province, unit=review_units.province, role=Role.PROVINCE_OFFICER
    )
    with pytest.raises(ValidationError) as exc:
        services.campaign_open(
            actor=province,
            unit=review_units.province,
            year=2021,
            communes=[review_units.dak_ang],
        )
    assert exc.value.code == "commune_taken" and "Đắk Ang" in exc.value.messages[0]


def test_the_campaigns_flags_come_from_the_worker(
    review_flow: Any, review_units: Any, district_officer: User, settings: Any
) -> None:
    """The whole campaign's flags are computed in the background (``reviews.report``): with a
    worker that has not run yet the page says so, and is not kept waiting."""
    from django.core.cache import caches

    r = review_flow.until(review_units.dak_ang, "survey")
    caches["reviews"].clear()  # no result of an earlier test's campaign of the same id
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    url = reverse("reviews:campaign", args=[r.campaign_id])
    page = text(login(district_officer).get(url))
    assert "Đang tính các điểm cần kiểm tra trong nền" in page
    assert "Đổi nhiều bậc trong một năm" not in page
