"""Personas and units shared by the web tests (a folder's own conftest may override them).

* ``district_officer`` (Ngọc Hồi, may see ID numbers): manages every commune;
* ``dak_ang_officer`` (commune officer of Đắk Ang, may NOT see ID numbers);
* ``dak_duc_officer`` (commune officer of Đắk Dục): must not reach Đắk Ang's households;
* ``dak_ang_leader`` (read-only leader of Đắk Ang).

This folder is on ``sys.path`` (pytest puts a conftest's folder there), so the helpers beside
this file (``generated_households``) are importable from every test below it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from generated_households import Generated, generate

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits, load_ngoc_hoi_demo

DAK_ANG = "23380"
DAK_DUC = "23383"


@pytest.fixture
def units(db: None) -> DemoUnits:
    return load_ngoc_hoi_demo()


def _user(username: str, unit: AdminUnit, role: str, *, ids: bool = False) -> User:
    user = User.objects.create_user(username=username, password="x")
    UserProfile.objects.create(user=user, unit=unit, role=role, can_view_national_id=ids)
    return user


@pytest.fixture
def district_officer(units: DemoUnits) -> User:
    return _user("huyen", units.district, Role.DISTRICT_OFFICER, ids=True)


@pytest.fixture
def dak_ang_officer(units: DemoUnits) -> User:
    return _user("dakang", units.communes_old[DAK_ANG], Role.COMMUNE_OFFICER)


@pytest.fixture
def dak_duc_officer(units: DemoUnits) -> User:
    return _user("dakduc", units.communes_old[DAK_DUC], Role.COMMUNE_OFFICER)


@pytest.fixture
def dak_ang_leader(units: DemoUnits) -> User:
    return _user("lanhdao", units.communes_old[DAK_ANG], Role.LEADER)


@pytest.fixture
def dak_ang(units: DemoUnits) -> AdminUnit:
    return units.communes_old[DAK_ANG]


@pytest.fixture
def generated(units: DemoUnits) -> Generated:
    """Three communes' households across 2018–2020 (``generated_households.generate``)."""
    return generate(units)
