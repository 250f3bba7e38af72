"""The campaign's world for the end-to-end tests (a plain module beside them): Ngọc Hồi's
2020 review over Đắk Ang and Đắk Dục, two villages each, seven households on the 2019 lists
with members, and the people of the chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.geo.services import DemoUnits, load_ngoc_hoi_demo
from giamngheo.registry.models import Household, Member, ReviewKind, ReviewRecord, ReviewState

DAK_ANG, DAK_DUC = "23380", "23383"
YEAR = 2020
INDICATORS = (
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
NO_ANSWERS = {
    "car": False,
    "solid_large_house": False,
    "regular_salary_above_line": False,
    "large_production_assets": False,
    "large_business": False,
    "illness_or_disability": True,
    "recent_shock": False,
}


def inputs(income: int, deprived: int = 0) -> dict[str, object]:
    return {
        "income": income,
        **{f"dep_{k}": int(i < deprived) for i, k in enumerate(INDICATORS)},
    }


# What each household was on the 2019 lists and what its 2020 survey finds.
PLAN = {
    "H1": ("V1", "poor", inputs(1_200_000)),  # escapes poverty (medium)
    "H2": ("V1", "poor", inputs(600_000)),  # stays poor
    "H3": ("V1", "near_poor", inputs(900_000, 3)),  # near-poor → poor
    "H4": ("V2", "near_poor", inputs(1_600_000)),  # escapes near-poverty
    "H5": ("V2", "non_poor", inputs(950_000, 1)),  # applicant → near-poor
    "H6": ("V2", "non_poor", inputs(2_000_000)),  # added by hand → non-poor
    "H7": ("V2", "non_poor", {}),  # not listed: carried over
}


def head_id(commune_code: str, hcode: str) -> str:
    """The head's citizen ID: 062 (Kon Tum), 0 (male, born in the 1900s), 75, then the
    commune and the household, so that no two people share one."""
    return f"062075{int(commune_code) % 1000:03d}{int(hcode[1:]):03d}"


def _user(name: str, unit: AdminUnit, role: str) -> User:
    user = User.objects.create_user(username=name, password="x", first_name=name)
    UserProfile.objects.create(user=user, unit=unit, role=role)
    return user


@dataclass
class World:
    units: DemoUnits
    communes: dict[str, AdminUnit]
    villages: dict[tuple[str, str], AdminUnit]
    households: dict[tuple[str, str], Household]
    district_officer: User
    district_approver: User
    officers: dict[str, User]
    approvers: dict[str, User]
    reviewer: User
    admin: User


@pytest.fixture
def world(db: None) -> World:
    units = load_ngoc_hoi_demo()
    communes = {c: units.communes_old[c] for c in (DAK_ANG, DAK_DUC)}
    villages: dict[tuple[str, str], AdminUnit] = {}
    households: dict[tuple[str, str], Household] = {}
    for code, commune in communes.items():
        for v in ("V1", "V2"):
            villages[code, v] = AdminUnit.objects.create(
                name=f"Thôn {v[1]} {commune.name.removeprefix('Xã ')}",
                kind=Kind.THON,
                level=Level.VILLAGE,
                parent=commune,
                valid_to=commune.valid_to,
            )
        for hcode, (v, cls, _) in PLAN.items():
            hh = Household.objects.create(
                commune=commune,
                village=villages[code, v],
                code=hcode,
                head_name=f"A Lử {hcode} {commune.name.removeprefix('Xã ')}",
                ethnic_minority=True,
            )
            Member.objects.create(
                household=hh,
                full_name=hh.head_name,
                sex="male",
                birth_year=1975,
                relationship="head",
                ethnicity="Xơ Đăng",
                national_id=head_id(code, hcode),
            )
            Member.objects.create(
                household=hh,
                full_name=f"Y Hoa {hcode}",
                sex="female",
                birth_year=1980,
                relationship="spouse",
                ethnicity="Xơ Đăng",
            )
            ReviewRecord.objects.create(
                household=hh,
                year=YEAR - 1,
                kind=ReviewKind.PERIODIC,
                review_date=dt.date(YEAR - 1, 12, 31),
                standard_id="QD59-2015",
                classification=cls,
                persons=2,
                state=ReviewState.APPROVED,
                deprived=["water"] if cls == "poor" else [],
            )
            households[code, hcode] = hh
    return World(
        units=units,
        communes=communes,
        villages=villages,
        households=households,
        district_officer=_user("huyen", units.district, Role.DISTRICT_OFFICER),
        district_approver=_user("chutichhuyen", units.district, Role.APPROVER),
        officers={c: _user(f"canbo{c}", communes[c], Role.COMMUNE_OFFICER) for c in communes},
        approvers={c: _user(f"chutich{c}", communes[c], Role.APPROVER) for c in communes},
        reviewer=_user("ctv", communes[DAK_ANG], Role.COLLABORATOR),
        admin=User.objects.create_superuser("quantri", password="x"),
    )
