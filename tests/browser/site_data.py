"""The browser tests' data: Ngọc Hồi's units, two personas and a few households reviewed in
2018 and 2019 (kept out of conftest.py so that test modules can import it by name)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.models import Household, HouseholdStatus, ReviewRecord

PLEI_KAN = "23377"
DAK_ANG = "23380"
PASSWORD = "trinh-duyet-2026"


@dataclass
class Site:
    """The live server's address, the seeded units and the personas."""

    url: str
    district: AdminUnit
    dak_ang: AdminUnit
    plei_kan: AdminUnit
    escaped: list[Household]
    newly: list[Household]


def _user(username: str, unit: AdminUnit, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    UserProfile.objects.create(user=user, unit=unit, role=role)
    return user


def _household(commune: AdminUnit, code: str, name: str, reviews: dict[int, str]) -> Household:
    hh = Household.objects.create(
        commune=commune, code=code, head_name=name, status=HouseholdStatus.ACTIVE
    )
    ReviewRecord.objects.bulk_create(
        ReviewRecord(
            household=hh,
            year=year,
            kind="periodic",
            review_date=dt.date(year, 12, 31),
            standard_id="QD59-2015",
            classification=cls,
            persons=4,
            state="approved",
        )
        for year, cls in reviews.items()
    )
    return hh


def seed_site(url: str) -> Site:
    """Ngọc Hồi's units, a district officer and a Đắk Ang commune officer, and households of
    two communes reviewed in 2018 and 2019: two escape poverty and one becomes newly poor in
    Đắk Ang; Plei Kần's households stay where they were."""
    units = load_ngoc_hoi_demo()
    dak_ang, plei_kan = units.communes_old[DAK_ANG], units.communes_old[PLEI_KAN]
    _user("huyen", units.district, Role.DISTRICT_OFFICER)
    _user("dakang", dak_ang, Role.COMMUNE_OFFICER)
    escaped = [
        _household(dak_ang, "DA01", "Nguyễn Thị Hoà", {2018: "poor", 2019: "near_poor"}),
        _household(dak_ang, "DA02", "A Blong", {2018: "poor", 2019: "non_poor"}),
    ]
    newly = [_household(dak_ang, "DA03", "Y Hlen", {2018: "non_poor", 2019: "poor"})]
    _household(dak_ang, "DA04", "Trần Văn Đức", {2018: "poor", 2019: "poor"})
    _household(plei_kan, "PK01", "Lê Văn Sơn", {2018: "poor", 2019: "poor"})
    _household(plei_kan, "PK02", "Đinh Thị Mai", {2018: "near_poor", 2019: "near_poor"})
    return Site(url, units.district, dak_ang, plei_kan, escaped, newly)
