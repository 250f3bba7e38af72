"""Personas, organisations and households for the support and money tests.

Units (``world.units``): Huyện Ngọc Hồi with Đắk Ang (23380) and Đắk Dục (23383)
(``geo.services.load_ngoc_hoi_demo``), each with two villages of its own.

Households (``world.households``, by code): ``DA-01`` … ``DA-08`` in Đắk Ang, ``DD-01`` …
``DD-04`` in Đắk Dục; odd numbers in the commune's first village, even in the second. Each has
an **approved 2019 periodic** review under QĐ 59/2015 (``REVIEWS_2019``: class, income per
person per month, deprived indicators) dated 20/11/2019; ``DA-05`` was also poor in 2018 (so it
escaped in 2019: "newly escaped" in 2020). ``support_world.add_review`` adds another year.

Organisations (``world.orgs``, by kind; the seed plan's section III): the district's Labour,
Agriculture, Finance–Planning, Ethnic Affairs, Culture–Information, Economy–Infrastructure
offices, the Social Policy Bank's district branch, and the People's Committees of the two
communes (``world.orgs["commune_da"]``, ``["commune_dd"]``).

Personas (``world.users``): ``district`` (district officer), ``da`` (commune officer of Đắk
Ang), ``dd`` (of Đắk Dục), ``leader`` (read-only, Đắk Ang), ``agri`` (department role at the
district, member of Agriculture), ``finance`` (member of Finance), ``bank`` (member of the
bank), ``infra`` (member of Economy–Infrastructure), ``outsider`` (a user with no profile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import models
from pytest_django.fixtures import Settings as SettingsWrapper
from support_world import add_review

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.models import (
    AuditEvent,
    Household,
)
from giamngheo.support.models import Membership, Organisation, OrgKind

DAK_ANG = "23380"
DAK_DUC = "23383"
#: 2019 results by household number: (class, income per person per month, deprived).
REVIEWS_2019: dict[int, tuple[str, int, tuple[str, ...]]] = {
    1: ("poor", 600_000, ("water", "sanitation", "telecom")),
    2: ("poor", 650_000, ("housing_quality", "health_insurance")),
    3: ("near_poor", 900_000, ("water",)),
    4: ("near_poor", 950_000, ()),
    5: ("non_poor", 1_500_000, ()),
    6: ("non_poor", 3_000_000, ()),
    7: ("poor", 690_000, ("child_schooling",)),
    8: ("poor", 400_000, ("housing_quality", "housing_area", "water", "sanitation")),
}
HEADS = (
    "A Thắng",
    "Y Hoa",
    "Nguyễn Văn Bình",
    "A Lâm",
    "Trần Thị Mai",
    "Lê Văn Hùng",
    "Y Nhung",
    "A Pháo",
)

ORGS: tuple[tuple[str, str, str], ...] = (
    ("labour", OrgKind.LABOUR, "Phòng Lao động – Thương binh và Xã hội"),
    ("agriculture", OrgKind.AGRICULTURE, "Phòng Nông nghiệp và Phát triển nông thôn"),
    ("finance", OrgKind.FINANCE, "Phòng Tài chính – Kế hoạch"),
    ("ethnic", OrgKind.ETHNIC, "Phòng Dân tộc"),
    ("culture", OrgKind.CULTURE, "Phòng Văn hóa – Thông tin"),
    ("infrastructure", OrgKind.INFRASTRUCTURE, "Phòng Kinh tế – Hạ tầng"),
    ("bank", OrgKind.BANK, "Ngân hàng Chính sách xã hội huyện Ngọc Hồi"),
)


@dataclass
class World:
    district: AdminUnit
    dak_ang: AdminUnit
    dak_duc: AdminUnit
    villages: dict[str, tuple[AdminUnit, AdminUnit]]
    households: dict[str, Household]
    orgs: dict[str, Organisation]
    users: dict[str, User]


def _user(name: str, unit: AdminUnit | None, role: str | None) -> User:
    user = User.objects.create_user(username=name, password="x")
    if unit is not None and role is not None:
        UserProfile.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def world(db: None) -> World:
    demo = load_ngoc_hoi_demo()
    district, da, dd = demo.district, demo.communes_old[DAK_ANG], demo.communes_old[DAK_DUC]
    villages: dict[str, tuple[AdminUnit, AdminUnit]] = {}
    for commune, names in (
        (da, ("Thôn Ngọc Tụ", "Thôn Đăk Răng")),
        (dd, ("Thôn Nông Nhầy", "Thôn Chả Nhầy")),
    ):
        made = [
            AdminUnit.objects.create(
                name=n,
                kind=Kind.THON,
                level=Level.VILLAGE,
                parent=commune,
                valid_to=commune.valid_to,
            )
            for n in names
        ]
        villages[commune.code] = (made[0], made[1])
    households: dict[str, Household] = {}
    for commune, prefix, count in ((da, "DA", 8), (dd, "DD", 4)):
        for n in range(1, count + 1):
            village = villages[commune.code][(n - 1) % 2]
            head = HEADS[n - 1]
            hh = Household.objects.create(
                commune=commune,
                village=village,
                code=f"{prefix}-{n:02d}",
                head_name=head,
                ethnic_minority=head.startswith(("A ", "Y ")),
            )
            cls, income, deprived = REVIEWS_2019[n]
            add_review(hh, 2019, cls, income, deprived)
            if n == 5:
                add_review(hh, 2018, "poor", 650_000, ("water", "sanitation", "telecom"))
            households[hh.code] = hh
    orgs = {
        key: Organisation.objects.create(unit=district, kind=kind, name=name)
        for key, kind, name in ORGS
    }
    orgs["commune_da"] = Organisation.objects.create(
        unit=da, kind=OrgKind.COMMUNE, name="UBND xã Đắk Ang"
    )
    orgs["commune_dd"] = Organisation.objects.create(
        unit=dd, kind=OrgKind.COMMUNE, name="UBND xã Đắk Dục"
    )
    users = {
        "district": _user("huyen", district, Role.DISTRICT_OFFICER),
        "da": _user("dakang", da, Role.COMMUNE_OFFICER),
        "dd": _user("dakduc", dd, Role.COMMUNE_OFFICER),
        "leader": _user("lanhdao", da, Role.LEADER),
        "agri": _user("nongnghiep", district, Role.DEPARTMENT),
        "finance": _user("taichinh", district, Role.DEPARTMENT),
        "bank": _user("nganhang", district, Role.DEPARTMENT),
        "infra": _user("hatang", district, Role.DEPARTMENT),
        "outsider": _user("nguoingoai", None, None),
    }
    for user_key, org_key in (
        ("agri", "agriculture"),
        ("finance", "finance"),
        ("bank", "bank"),
        ("infra", "infrastructure"),
    ):
        Membership.objects.create(organisation=orgs[org_key], user=users[user_key])
    return World(district, da, dd, villages, households, orgs, users)


def snapshot(*model_classes: type[models.Model]) -> dict[str, list[dict[str, Any]]]:
    """Every row of the given tables plus the audit log, to compare before and after a
    refused action (nothing may change)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for m in (*model_classes, AuditEvent):
        out[m._meta.label] = list(m.objects.order_by("pk").values())
    return out


@pytest.fixture
def unchanged() -> Callable[..., Iterator[None]]:
    """``with unchanged(Model, …):`` asserts the block changed none of those tables nor the
    audit log (use around a refused action)."""
    from contextlib import contextmanager

    @contextmanager
    def check(*model_classes: type[models.Model]) -> Iterator[None]:
        before = snapshot(*model_classes)
        yield
        assert snapshot(*model_classes) == before

    return check
