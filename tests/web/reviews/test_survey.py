"""The survey entry page (Phiếu B) and its live classification, through the views.

The 2021 campaign (NĐ 07/2021, ``review_campaign``) lists Đắk Ang's DA-01 … DA-04; DA-01 is
assigned to the reviewer. A 2019 campaign (QĐ 59/2015) checks the form of the older standard,
built from its own data (10 indicators, income or the B1 score).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from giamngheo.core.standards import get_standard
from giamngheo.registry.models import Household, Member
from giamngheo.reviews import services
from giamngheo.reviews.models import Campaign, ListEntry, Survey, SurveyState

pytestmark = pytest.mark.django_db


def client_for(user: User, lang: str = "vi") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def _entries(campaign: Campaign, officer: User, reviewer: User) -> dict[str, ListEntry]:
    review = campaign.communes.get(commune__code="23380")
    services.list_generate(actor=officer, review=review)
    entries = {e.household.code: e for e in review.entries.select_related("household")}
    services.assign(actor=officer, review=review, reviewer=reviewer, entries=[entries["DA-01"]])
    return entries


@pytest.fixture
def entries(review_campaign: Campaign, commune_officer: User, reviewer: User) -> dict[str, Any]:
    return _entries(review_campaign, commune_officer, reviewer)


def _form(income: str, *deprived: str, standard: str = "ND07-2021", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"income": income, **extra}
    for key in get_standard(standard).indicator_keys:
        if key in deprived:
            data[f"dep_{key}"] = "on"
    return data


def test_the_form_is_built_from_the_standards_data_with_the_members(
    entries: dict[str, ListEntry], reviewer: User
) -> None:
    e = entries["DA-01"]
    r = client_for(reviewer).get(reverse("reviews:survey", args=[e.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    std = get_standard("ND07-2021")
    assert len(std.indicators) == 12
    for ind in std.indicators:
        assert f'name="dep_{ind.key}"' in html
        assert ind.name_vi in html and ind.threshold_vi in html
    assert 'name="income_score"' in html  # NĐ 07 has the A score rule
    for m in Member.objects.filter(household=e.household):
        assert m.full_name in html and f'name="work_{m.pk}"' in html
        assert f'name="change_{m.pk}"' in html
    assert 'name="new_member"' in html and "reviews/survey.js" in html
    assert 'data-classify-url="/ra-soat/phieu/' in html

    en = client_for(reviewer, "en").get(reverse("reviews:survey", args=[e.pk])).content.decode()
    for ind in std.indicators:
        assert escape(ind.name_en) in en and escape(ind.threshold_en) in en


def test_draft_reloads_with_its_values_then_finish_stores_the_classification(
    entries: dict[str, ListEntry], reviewer: User
) -> None:
    e = entries["DA-01"]
    url = reverse("reviews:survey", args=[e.pk])
    c = client_for(reviewer)
    head, _child, spouse = Member.objects.filter(household=e.household).order_by("pk")
    data = _form(
        "1.250.000",
        "water",
        "sanitation",
        "telecom",
        farm="yes",
        causes=["capital"],
        action="draft",
        **{f"work_{head.pk}": "employed", f"change_{spouse.pk}": "Đi làm xa từ tháng 6"},
    )
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    s = Survey.objects.get(entry=e)
    assert not s.final and s.classification == "poor"
    assert s.inputs["income"] == 1_250_000 and s.inputs["dep_water"] == 1
    assert s.inputs["farm"] is True and s.inputs["work_status"] == {str(head.pk): "employed"}
    assert s.causes == ["capital"]
    assert s.member_changes == [{"member": spouse.pk, "change": "Đi làm xa từ tháng 6"}]
    assert s.result["national"]["classification"] == "poor"
    e.refresh_from_db()
    assert e.survey_state == SurveyState.DRAFT

    page = c.get(url).content.decode()
    assert 'value="1.250.000"' in page
    assert re.search(r'<input type="checkbox" name="dep_water"[^>]* checked', page)
    assert not re.search(r'<input type="checkbox" name="dep_employment"[^>]* checked', page)
    assert "Đi làm xa từ tháng 6" in page and "Hộ nghèo" in page

    r = c.post(url, {**_form("2.500.000"), "action": "finish", "farm": "no"})
    assert r.status_code == 302
    s = Survey.objects.get(entry=e)  # the draft became the final survey
    assert s.final and s.classification == "non_poor" and s.causes == []
    e.refresh_from_db()
    assert e.survey_state == SurveyState.DONE and e.proposed_class == "non_poor"


def test_no_javascript_classify_button_rerenders_with_the_result(
    entries: dict[str, ListEntry], reviewer: User
) -> None:
    e = entries["DA-01"]
    before = Survey.objects.count()
    r = client_for(reviewer).post(
        reverse("reviews:survey", args=[e.pk]),
        {**_form("1.000.000", "water", "sanitation"), "action": "classify"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "Hộ cận nghèo" in html and 'id="sv-causes" hidden' not in html
    assert Survey.objects.count() == before


def test_errors_at_their_fields_in_the_pages_language(
    entries: dict[str, ListEntry], reviewer: User
) -> None:
    e = entries["DA-01"]
    url = reverse("reviews:survey", args=[e.pk])
    r = client_for(reviewer).post(url, {"income": "một triệu", "action": "finish"})
    assert r.status_code == 400
    assert "Thu nhập phải là số" in r.context["form"].errors["income"][0]
    r = client_for(reviewer).post(url, {"action": "finish"})  # neither income nor score A
    assert "không có thu nhập bình quân đầu người" in r.context["form"].errors["income"][0]
    r = client_for(reviewer, "en").post(url, {"action": "finish"})
    assert r.context["form"].errors["income"][0].startswith("neither income")
    assert not Survey.objects.filter(entry=e).exists()


def test_classify_endpoint_nd07(entries: dict[str, ListEntry], reviewer: User) -> None:
    e = entries["DA-01"]
    url = reverse("reviews:survey_classify", args=[e.pk])
    c = client_for(reviewer)
    head = Member.objects.filter(household=e.household).order_by("pk").first()
    assert head is not None
    poor = c.post(url, _form("1.200.000", "water", "sanitation", "telecom")).json()
    assert poor["classification"] == "poor" and poor["label"] == "Hộ nghèo"
    assert "1.200.000" in poor["explanation"] and poor["show_causes"] is True
    assert poor["errors"] == {}
    near = c.post(url, _form("1.200.000", "water")).json()
    assert near["classification"] == "near_poor" and near["label"] == "Hộ cận nghèo"
    medium = c.post(url, _form("2.000.000", farm="yes")).json()
    assert medium["classification"] == "medium" and medium["medium_farm"] == "Có"
    low = c.post(url, _form("2.000.000", **{f"work_{head.pk}": "employed"})).json()
    assert low["low_income_members"] == []  # NĐ 30/2025 is not in force for the 2022 lists
    assert any("2022" in n for n in low["notes"])
    by_score = c.post(url, {**_form(""), "income_score": "130", "dep_water": "on"}).json()
    assert by_score["classification"] == "near_poor"
    en = client_for(reviewer, "en").post(url, _form("1.200.000", "water", "sanitation", "telecom"))
    assert en.json()["label"] == "Poor" and "income" in en.json()["explanation"].lower()
    bad = c.post(url, _form("1,2,3")).json()
    assert bad["classification"] == "" and "income" in bad["errors"]
    assert not Survey.objects.exists()


def _added(
    year: int, units: Any, households: dict[str, Household], district: User, officer: User
) -> ListEntry:
    campaign = services.campaign_open(
        actor=district, unit=units.district, year=year, communes=[units.dak_ang]
    )
    return services.list_add(
        actor=officer,
        review=campaign.communes.get(),
        household=households["DA-05"],
        reason="Hộ gặp thiên tai",
    )


def test_low_income_workers_named_from_the_registry(
    review_units: Any,
    review_households: dict[str, Household],
    district_officer: User,
    commune_officer: User,
) -> None:
    """The 2024 review makes the 2025 lists: NĐ 30/2025 applies to the working members."""
    entry = _added(2024, review_units, review_households, district_officer, commune_officer)
    head, child = Member.objects.filter(household=entry.household).order_by("pk")[:2]
    c = client_for(commune_officer)
    url = reverse("reviews:survey_classify", args=[entry.pk])
    work = {f"work_{head.pk}": "employed", f"work_{child.pk}": "studying"}
    low = c.post(url, _form("2.000.000", farm="yes", **work)).json()
    assert low["classification"] == "medium" and low["medium_farm"] == "Có"
    assert low["low_income_members"] == [head.full_name] and low["low_income_rule"]
    none = c.post(url, _form("2.400.000", **work)).json()
    assert none["classification"] == "non_poor" and none["low_income_members"] == []


def test_classify_endpoint_qd59(
    review_units: Any,
    review_households: dict[str, Household],
    district_officer: User,
    commune_officer: User,
) -> None:
    entry = _added(2019, review_units, review_households, district_officer, commune_officer)
    assert entry.review.campaign.standard_id == "QD59-2015"
    c = client_for(commune_officer)
    page = c.get(reverse("reviews:survey", args=[entry.pk])).content.decode()
    std = get_standard("QD59-2015")
    assert len(std.indicators) == 10
    assert all(f'name="dep_{k}"' in page for k in std.indicator_keys)
    assert "dep_employment" not in page and "Điểm B1" in page
    url = reverse("reviews:survey_classify", args=[entry.pk])
    income_poor = c.post(url, _form("650.000", standard="QD59-2015")).json()
    assert income_poor["classification"] == "poor"
    deprived = c.post(
        url, _form("900.000", "water", "sanitation", "telecom", standard="QD59-2015")
    ).json()
    assert deprived["classification"] == "poor" and deprived["show_causes"]
    near = c.post(url, _form("900.000", "water", standard="QD59-2015")).json()
    assert near["classification"] == "near_poor"
    b1 = c.post(url, {"income_score": "110"}).json()
    assert b1["classification"] == "poor", b1
    non = c.post(url, _form("1.500.000", standard="QD59-2015")).json()
    assert non["classification"] in ("non_poor", "medium")


def test_refusals_change_nothing(
    entries: dict[str, ListEntry],
    reviewer: User,
    other_commune_officer: User,
    leader: User,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    not_mine = entries["DA-02"]
    mine = entries["DA-01"]
    before = snapshot()
    post = {**_form("600.000", "water"), "action": "finish"}
    c = client_for(reviewer)
    r = c.get(reverse("reviews:survey", args=[not_mine.pk]))
    assert r.status_code == 403
    assert "Rà soát viên chỉ nhập phiếu cho hộ được phân công" in r.content.decode()
    assert "a reviewer enters surveys only" in r.content.decode()
    assert c.post(reverse("reviews:survey", args=[not_mine.pk]), post).status_code == 403
    j = c.post(reverse("reviews:survey_classify", args=[not_mine.pk]), post)
    assert j.status_code == 403 and "phân công" in j.json()["error"]
    other = client_for(other_commune_officer)
    assert other.get(reverse("reviews:survey", args=[mine.pk])).status_code == 404
    assert other.post(reverse("reviews:survey", args=[mine.pk]), post).status_code == 404
    assert other.post(reverse("reviews:survey_classify", args=[mine.pk]), post).status_code == 404
    lead = client_for(leader)
    assert lead.get(reverse("reviews:survey", args=[mine.pk])).status_code == 403
    assert lead.post(reverse("reviews:survey", args=[mine.pk]), post).status_code == 403
    assert snapshot() == before


def test_posted_list_is_frozen_except_for_a_complaints_recheck(
    entries: dict[str, ListEntry], commune_officer: User, review_campaign: Campaign
) -> None:
    review = review_campaign.communes.get(commune__code="23380")
    for code in ("DA-01", "DA-02", "DA-03", "DA-04"):
        services.survey_save(
            actor=commune_officer,
            entry=entries[code],
            inputs=_engine("1.000.000"),
            final=True,
        )
    for village in {e.household.village for e in entries.values()}:
        assert village is not None
        services.meeting_record(
            actor=commune_officer,
            review=review,
            village=village,
            held_at=timezone.make_aware(dt.datetime(2021, 10, 5, 8)),
            chair="Trưởng thôn",
            secretary="Thư ký",
            attendees=20,
            agreement=15,
        )
    services.posting_start(actor=commune_officer, review=review, start=dt.date(2021, 10, 11))
    e = entries["DA-01"]
    c = client_for(commune_officer)
    url = reverse("reviews:survey", args=[e.pk])
    page = c.get(url).content.decode()
    assert "Danh sách đã niêm yết" in page
    r = c.post(url, {**_form("600.000", "water"), "action": "finish"})
    assert r.status_code == 400 and "chỉ điều tra lại qua khiếu nại" in r.content.decode()
    complaint = services.complaint_open(
        actor=commune_officer,
        review=review,
        entry=e,
        complainant="Y Hoa",
        received=dt.date(2021, 10, 12),
        content="Hộ nghèo hơn kết quả",
    )
    r = c.post(f"{url}?khieu_nai={complaint.pk}", {**_form("600.000", "water"), "action": "finish"})
    assert r.status_code == 302 and r["Location"].endswith(f"?khieu_nai={complaint.pk}")
    recheck = Survey.objects.filter(entry=e).order_by("-version").first()
    assert recheck is not None and recheck.complaint_id == complaint.pk and recheck.final
    assert c.get(f"{url}?khieu_nai=999999").status_code == 404


def _engine(income: str) -> dict[str, object]:
    return {
        "income": int(income.replace(".", "")),
        **{f"dep_{k}": 0 for k in get_standard("ND07-2021").indicator_keys},
    }


def test_a_local_standard_is_classified_live_beside_the_national(
    entries: dict[str, ListEntry], reviewer: User, review_campaign: Campaign
) -> None:
    """A province running its own standard (Bắc Ninh: 1.750.000 rural, the NĐ 07 deprivation
    rule) beside the national one: the form shows both, each with its own class."""
    url = reverse("reviews:survey_classify", args=[entries["DA-01"].pk])
    c = client_for(reviewer)
    before = c.post(url, _form("1.600.000")).json()
    assert before["local"] == ""  # no local standard in this campaign
    review_campaign.local_standard = "local-BacNinh-2025.json"
    review_campaign.save(update_fields=["local_standard"])
    both = c.post(url, _form("1.600.000")).json()
    assert both["classification"] != "near_poor"  # above the national line of 1.500.000
    assert "BacNinh-2025" in both["local"] and "Hộ cận nghèo" in both["local"]
    poor = c.post(url, _form("1.600.000", "water", "sanitation", "telecom")).json()
    assert "Hộ nghèo" in poor["local"]
    page = c.get(reverse("reviews:survey", args=[entries["DA-01"].pk])).content.decode()
    assert "Chuẩn nghèo địa phương" in page
