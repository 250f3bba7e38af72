"""Registry pages: the household list (filters, diacritics-insensitive search, keyset pages,
a bounded number of queries), the household page (IDs masked by role, history, changes) and
access (another commune's household is 404 and absent from the list)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from registry_files import DAK_DUC

from giamngheo.core.identity import mask_national_id
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry import selectors
from giamngheo.registry.models import Household, HouseholdStatus
from giamngheo.registry.services import (
    household_create,
    household_update,
    member_add,
    review_approve,
    review_create,
)

pytestmark = pytest.mark.django_db

DEPS = (
    "health_access",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_assets",
)
NID = "062080000001"


def inputs(income: int, *deprived: str) -> dict[str, object]:
    return {"income": income, **{f"dep_{k}": int(k in deprived) for k in DEPS}}


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def registry(district_officer: User, units: DemoUnits, dak_ang: AdminUnit) -> dict[str, Household]:
    """Households of Đắk Ang (one poor with water deprived, one near-poor, one not poor) and
    one of Đắk Dục, with 2019 approved reviews."""
    officer = district_officer
    thon1 = AdminUnit.objects.get(parent=dak_ang, name="Thôn 1")
    an = household_create(
        actor=officer,
        commune=dak_ang,
        village=thon1,
        code="DA001",
        head_name="Nguyễn Văn An",
        ethnic_minority=True,
        flags={"female_head": False, "no_labour_capacity": True},
    )
    member_add(
        actor=officer,
        household=an,
        full_name="Nguyễn Văn An",
        sex="male",
        relationship="head",
        birth_year=1980,
        national_id=NID,
    )
    hoa = household_create(actor=officer, commune=dak_ang, code="DA002", head_name="Y Hoa")
    binh = household_create(actor=officer, commune=dak_ang, code="DA003", head_name="Trần Bình")
    duc = household_create(
        actor=officer, commune=units.communes_old[DAK_DUC], code="DD001", head_name="A Dục"
    )
    for hh, inp in (
        (an, inputs(600_000, "water", "sanitation", "telecom")),
        (hoa, inputs(900_000, "water")),
        (binh, inputs(3_000_000)),
        (duc, inputs(600_000, "water", "sanitation", "telecom")),
    ):
        r = review_create(actor=officer, household=hh, year=2019, inputs=inp, causes=["land"])
        review_approve(actor=officer, review=r)
    household_update(actor=officer, household=hoa, address="Thôn 2")
    return {"an": an, "hoa": hoa, "binh": binh, "duc": duc}


def codes(html: str) -> list[str]:
    return re.findall(r">(D[AD]\d{3})</a>", html)


def test_list_shows_visible_households_with_year_classification(
    registry: dict[str, Household], district_officer: User
) -> None:
    r = login(district_officer).get(reverse("registry:list"))
    assert r.status_code == 200
    html = r.content.decode()
    assert codes(html) == ["DA001", "DA002", "DA003", "DD001"]
    assert "Hộ nghèo" in html and "Hộ cận nghèo" in html
    assert r.context["year"] == 2019  # the latest approved review year by default


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "nguyen van an"}, ["DA001"]),
        ({"q": "NGUYỄN VĂN"}, ["DA001"]),
        ({"q": "van an"}, ["DA001"]),
        ({"q": "binh"}, ["DA003"]),
        ({"q": "DA002"}, ["DA002"]),
        ({"classification": "poor"}, ["DA001", "DD001"]),
        ({"classification": "near_poor"}, ["DA002"]),
        ({"deprivation": "water"}, ["DA001", "DA002", "DD001"]),
        ({"deprivation": "telecom", "commune": "dak_ang"}, ["DA001"]),
        ({"flag": "no_labour_capacity"}, ["DA001"]),
        ({"status": HouseholdStatus.MOVED_AWAY}, []),
        ({"village": "thon1", "commune": "dak_ang"}, ["DA001"]),
        ({"commune": "dak_duc"}, ["DD001"]),
    ],
)
def test_list_filters_and_search(
    registry: dict[str, Household],
    district_officer: User,
    units: DemoUnits,
    params: dict[str, str],
    expected: list[str],
) -> None:
    dak_ang = registry["an"].commune
    ids = {
        "dak_ang": str(dak_ang.pk),
        "dak_duc": str(units.communes_old[DAK_DUC].pk),
        "thon1": str(AdminUnit.objects.get(parent=dak_ang, name="Thôn 1").pk),
    }
    query = {k: ids.get(v, v) for k, v in params.items()}
    r = login(district_officer).get(reverse("registry:list"), query)
    assert r.status_code == 200
    assert codes(r.content.decode()) == expected


def test_list_keyset_pages(
    district_officer: User,
    dak_ang: AdminUnit,
    units: DemoUnits,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    dak_duc = units.communes_old[DAK_DUC]
    for i in range(5):  # pages cross the boundary between the two communes
        commune = dak_ang if i < 3 else dak_duc
        household_create(actor=district_officer, commune=commune, code=f"DA{i:03d}", head_name="X")
    ordered = list(Household.objects.order_by("commune_id", "code").values_list("code", flat=True))
    pages = [ordered[0:2], ordered[2:4], ordered[4:5]]
    c = login(district_officer)
    r = c.get(reverse("registry:list"))
    assert codes(r.content.decode()) == pages[0]
    assert r.context["page"].count == 5 and not r.context["prev_url"]
    r = c.get(reverse("registry:list") + r.context["next_url"])
    assert codes(r.content.decode()) == pages[1]
    r = c.get(reverse("registry:list") + r.context["next_url"])
    assert codes(r.content.decode()) == pages[2]
    assert not r.context["next_url"]
    r = c.get(reverse("registry:list") + r.context["prev_url"])
    assert codes(r.content.decode()) == pages[1]
    r = c.get(reverse("registry:list") + r.context["prev_url"])
    assert codes(r.content.decode()) == pages[0]
    assert not r.context["prev_url"]


def test_list_query_count_is_bounded(
    registry: dict[str, Household],
    district_officer: User,
    dak_ang: AdminUnit,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # session, user, profile; 3 index look-ups for the review years; communes (+ villages,
    # + the chosen commune and village checked); search size probe; capped count; the page.
    for i in range(60):  # more than a page: no query per row
        household_create(actor=district_officer, commune=dak_ang, code=f"DB{i:03d}", head_name="Y")
    c = login(district_officer)
    with django_assert_max_num_queries(14):
        r = c.get(
            reverse("registry:list"),
            {
                "commune": str(dak_ang.pk),
                "deprivation": "water",
                "classification": "poor",
                "q": "ng",
            },
        )
    assert r.status_code == 200
    with django_assert_max_num_queries(10):
        r = c.get(reverse("registry:list"))
    assert len(r.context["rows"]) == selectors.PAGE_SIZE


def test_commune_officer_sees_only_their_commune(
    registry: dict[str, Household], dak_ang_officer: User, dak_duc_officer: User
) -> None:
    c = login(dak_ang_officer)
    r = c.get(reverse("registry:list"))
    assert codes(r.content.decode()) == ["DA001", "DA002", "DA003"]
    assert c.get(reverse("registry:detail", args=[registry["duc"].pk])).status_code == 404
    assert c.get(reverse("registry:detail", args=[registry["an"].pk])).status_code == 200
    # another commune chosen by hand in the URL: not a choice, nothing shown from it
    r = c.get(reverse("registry:list"), {"commune": registry["duc"].commune_id})
    assert "DD001" not in r.content.decode()
    d = login(dak_duc_officer)
    assert d.get(reverse("registry:detail", args=[registry["an"].pk])).status_code == 404


def test_household_page_masks_ids_by_role(
    registry: dict[str, Household], dak_ang_officer: User, district_officer: User
) -> None:
    url = reverse("registry:detail", args=[registry["an"].pk])
    masked = login(dak_ang_officer).get(url).content.decode()
    assert NID not in masked
    assert mask_national_id(NID) in masked
    full = login(district_officer).get(url).content.decode()
    assert NID in full


def test_household_page_history_and_changes(
    registry: dict[str, Household], district_officer: User
) -> None:
    c = login(district_officer)
    r = c.get(reverse("registry:detail", args=[registry["an"].pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Nguyễn Văn An" in html and "Thôn 1" in html
    assert "Hộ nghèo" in html and "Thiếu đất sản xuất" in html  # classification, cause
    assert r.context["reviews"][0].explanation.startswith(
        r.context["reviews"][0].record.explanation_vi[:20]
    )
    assert "household_create" in html and "member_add" in html and "review_approve" in html
    r = c.get(reverse("registry:detail", args=[registry["hoa"].pk]))
    assert "household_update" in r.content.decode() and "Thôn 2" in r.content.decode()


def test_household_page_in_english_uses_the_english_explanation(
    registry: dict[str, Household], district_officer: User
) -> None:
    c = login(district_officer)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = c.get(reverse("registry:detail", args=[registry["an"].pk]))
    review = r.context["reviews"][0]
    assert review.explanation == review.record.explanation_en
    assert review.record.explanation_en in r.content.decode()
    html = c.get(reverse("registry:list")).content.decode()
    assert "Households" in html and "Search head&#x27;s name or household code" in html
