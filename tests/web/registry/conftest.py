"""Personas, units and import files for the registry tests.

* ``district_officer`` (Ngọc Hồi, may see ID numbers): manages every commune;
* ``dak_ang_officer`` (commune officer of Đắk Ang, may NOT see ID numbers);
* ``dak_duc_officer`` (commune officer of Đắk Dục): must not reach Đắk Ang's households;
* ``dak_ang_leader`` (read-only leader of Đắk Ang).

Files are built in memory with openpyxl; the review year is 2019 (periodic → QĐ 59/2015).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings as SettingsWrapper
from registry_files import DAK_ANG, DAK_DUC, registry_snapshot

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits, load_ngoc_hoi_demo


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


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
def snapshot() -> Callable[[], tuple[Any, ...]]:
    return registry_snapshot
