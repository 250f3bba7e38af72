"""The review in a real browser: a reviewer fills the survey (Phiếu B) of an assigned household
and sees the engine's classification change live, saves a draft, reloads, finishes; a household
not assigned to them is refused; then the commune's chairman signs the recognition decision on
the commune page and downloads it as PDF.

The campaign is brought to the decision step through the services (list, assignment, surveys,
village meeting, posting), so the browser drives only the pages under test. Screenshots go to
``GIAMNGHEO_SCREENSHOTS`` when set (1366×768 laptop and a 360-px phone)."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pypdf import PdfReader

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.models import Household, Member, ReviewKind, ReviewRecord, ReviewState
from giamngheo.reviews import services
from giamngheo.reviews.models import CommuneReview, ListEntry, SurveyState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "ra-soat-2026"
ND07 = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_access",
)


@dataclass
class Flow:
    review: CommuneReview
    mine: ListEntry
    other: ListEntry
    officer: User


def _user(username: str, unit: AdminUnit, role: str, name: str) -> User:
    first, _, last = name.rpartition(" ")
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )
    UserProfile.objects.create(user=user, unit=unit, role=role)
    return user


def _household(commune: AdminUnit, village: AdminUnit, code: str, head: str) -> Household:
    hh = Household.objects.create(commune=commune, village=village, code=code, head_name=head)
    Member.objects.create(
        household=hh, full_name=head, sex="male", relationship="head", birth_year=1978
    )
    Member.objects.create(
        household=hh, full_name=f"Y {code} Vợ", sex="female", relationship="spouse", birth_year=1982
    )
    ReviewRecord.objects.create(
        household=hh,
        year=2020,
        kind=ReviewKind.PERIODIC,
        review_date=dt.date(2020, 11, 20),
        standard_id="QD59-2015",
        classification="poor",
        persons=2,
        state=ReviewState.APPROVED,
    )
    return hh


def _seed() -> Flow:
    units = load_ngoc_hoi_demo()
    dak_ang = units.communes_old["23380"]
    village = AdminUnit.objects.create(
        name="Thôn Ngọc Tụ",
        kind=Kind.THON,
        level=Level.VILLAGE,
        parent=dak_ang,
        valid_to=dak_ang.valid_to,
    )
    district = _user("huyen", units.district, Role.DISTRICT_OFFICER, "Phạm Quốc Huy")
    officer = _user("canbo", dak_ang, Role.COMMUNE_OFFICER, "Lê Thị Thu")
    reviewer = _user("ctv", dak_ang, Role.COLLABORATOR, "A Tuấn")
    _user("chutich", dak_ang, Role.APPROVER, "Nguyễn Văn Chung")
    _household(dak_ang, village, "DA-01", "A Thắng")
    _household(dak_ang, village, "DA-02", "Nguyễn Văn Bình")
    campaign = services.campaign_open(
        actor=district, unit=units.district, year=2021, communes=[dak_ang]
    )
    review = campaign.communes.get()
    services.list_generate(actor=officer, review=review)
    mine = review.entries.get(household__code="DA-01")
    other = review.entries.get(household__code="DA-02")
    services.assign(actor=officer, review=review, reviewer=reviewer, entries=[mine])
    services.assign(actor=officer, review=review, reviewer=officer, entries=[other])
    return Flow(review, mine, other, officer)


def _to_decision(flow: Flow) -> dt.date:
    """The other household's survey, the village meeting and the posting (services)."""
    services.survey_save(
        actor=flow.officer,
        entry=flow.other,
        inputs={"income": 2_600_000, **{f"dep_{k}": 0 for k in ND07}},
        final=True,
    )
    village = flow.mine.household.village
    assert village is not None
    services.meeting_record(
        actor=flow.officer,
        review=flow.review,
        village=village,
        held_at=timezone.make_aware(dt.datetime(2021, 10, 5, 8)),
        chair="Trưởng thôn A Blông",
        secretary="Y Nhung",
        attendees=30,
        agreement=25,
    )
    r = services.posting_start(actor=flow.officer, review=flow.review, start=dt.date(2021, 10, 11))
    assert r.posting_end is not None
    return r.posting_end + dt.timedelta(days=1)


def _login(browser: Any, url: str, username: str, **kw: Any) -> Any:
    kw.setdefault("viewport", {"width": 1366, "height": 768})
    page = browser.new_page(locale="vi-VN", **kw)
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/dang-nhap/"] button[type=submit]')
    assert "/dang-nhap/" not in page.url
    return page


def _pdf_text(data: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize("NFC", text)


def test_survey_live_draft_finish_refusal_and_decision(
    browser: Any, live_server: Any, shots: Path, settings: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    settings.DATA_DIR = tmp_path
    flow = _seed()
    url = live_server.url
    page = _login(browser, url, "ctv")
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    survey_url = f"{url}/ra-soat/phieu/{flow.mine.pk}/"
    page.goto(survey_url)
    label = page.locator("[data-result=label]")
    expect(label).to_have_text("Chưa phân loại")
    assert page.locator("input[type=checkbox][name^=dep_]").count() == 12

    page.fill("#id_income", "2.500.000")
    expect(label).to_have_text("Hộ không nghèo")
    expect(page.locator("#sv-causes")).to_be_hidden()
    page.fill("#id_income", "1.200.000")
    expect(label).to_have_text("Hộ cận nghèo")
    for key in ("water", "sanitation"):
        page.check(f"#id_dep_{key}")
    expect(label).to_have_text("Hộ cận nghèo")
    page.check("#id_dep_telecom")
    expect(label).to_have_text("Hộ nghèo")
    expect(page.locator("[data-result=explanation]")).to_contain_text("1.200.000")
    expect(page.locator("#sv-causes")).to_be_visible()
    page.fill("#id_income", "12,5")  # a typing slip: the error at its field, live
    expect(page.locator("[data-errors-for=income]")).to_contain_text("Thu nhập phải là số")
    page.fill("#id_income", "1.200.000")
    expect(page.locator("[data-errors-for=income]")).to_be_empty()
    expect(label).to_have_text("Hộ nghèo")
    page.screenshot(path=str(shots / "review_survey_live_1366.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".msg-success")).to_contain_text("Đã lưu nháp")
    page.reload()
    assert page.input_value("#id_income") == "1.200.000"
    assert page.is_checked("#id_dep_telecom") and not page.is_checked("#id_dep_employment")
    expect(label).to_have_text("Hộ nghèo")
    page.check("#sv-causes input[value=capital]")
    with page.expect_navigation():
        page.get_by_role("button", name="Hoàn thành").click()
    expect(page.locator("[data-state]")).to_contain_text("Đã điều tra")
    flow.mine.refresh_from_db()
    assert flow.mine.survey_state == SurveyState.DONE and flow.mine.proposed_class == "poor"
    assert all(u.startswith(url) or u.startswith("data:") for u in requests)

    phone = _login(browser, url, "ctv", viewport={"width": 360, "height": 740})
    phone.goto(survey_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362
    phone.screenshot(path=str(shots / "review_survey_phone_360.png"), full_page=True)
    phone.locator("#id_dep_water").scroll_into_view_if_needed()
    expect(phone.locator(".sv-mini")).to_be_visible()  # the result stays in sight on a phone
    expect(phone.locator("[data-result-mini]")).to_have_text("Hộ nghèo")
    phone.screenshot(path=str(shots / "review_survey_phone_360_viewport.png"))

    refused = page.goto(f"{url}/ra-soat/phieu/{flow.other.pk}/")
    assert refused is not None and refused.status == 403
    expect(page.locator(".error-box")).to_contain_text("chỉ nhập phiếu cho hộ được phân công")
    page.screenshot(path=str(shots / "review_survey_refused.png"), full_page=True)

    decision_date = _to_decision(flow)
    chairman = _login(browser, url, "chutich")
    chairman.goto(f"{url}/ra-soat/xa/{flow.review.pk}/#buoc-decision")
    section = chairman.locator("#buoc-decision")
    section.locator("input[name=number]").fill("45/QĐ-UBND")
    section.locator("input[name=date]").fill(decision_date.isoformat())
    section.locator("input[name=signer_name]").fill("Nguyễn Văn Chung")
    with chairman.expect_navigation():
        section.get_by_role("button", name="Ký quyết định công nhận").click()
    expect(chairman.locator("#buoc-decision")).to_contain_text("45/QĐ-UBND")
    # Every household is decided: no second decision to sign.
    expect(chairman.locator("#buoc-decision form")).to_have_count(0)
    chairman.locator("#buoc-decision").scroll_into_view_if_needed()
    chairman.screenshot(path=str(shots / "review_commune_decision.png"), full_page=True)
    with chairman.expect_download() as info:
        chairman.locator("#buoc-decision a", has_text="PDF").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    text = _pdf_text(Path(download.path()).read_bytes())
    assert "45/QĐ-UBND" in text and "A Thắng" in text


def test_monthly_application_pages(
    browser: Any, live_server: Any, shots: Path, settings: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    settings.DATA_DIR = tmp_path
    _seed()
    url = live_server.url
    page = _login(browser, url, "canbo")
    page.goto(f"{url}/ra-soat/thang/?thang=2023-03")
    page.fill("#id_code", "DA-01")
    page.fill("#id_received", "2023-03-10")
    with page.expect_navigation():
        page.get_by_role("button", name="Nhận hồ sơ").click()
    expect(page.locator("#due")).to_contain_text("30/03/2023")
    page.fill("#id_income", "1.000.000")
    for key in ("water", "sanitation", "telecom"):
        page.check(f"#id_dep_{key}")
    expect(page.locator("[data-result=label]")).to_have_text("Hộ nghèo")
    page.screenshot(path=str(shots / "review_application_1366.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu phiếu điều tra").click()
    expect(page.locator("#state")).to_have_text("Đã điều tra")
    page.goto(f"{url}/ra-soat/thang/?thang=2023-03")
    expect(page.locator("#applications td.due")).to_contain_text("quá hạn")
    expect(page.locator("#report-due")).to_contain_text("05/04/2023")
    page.screenshot(path=str(shots / "review_applications_month.png"), full_page=True)
