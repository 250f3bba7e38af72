"""Personas and the demo plan for the plan pages.

* ``district_officer`` (Ngọc Hồi): sees and manages the whole plan;
* ``commune_officer`` (Đắk Ang, commune officer): opens the plan, sees only Đắk Ang's row,
  may change nothing in a district plan;
* ``outsider`` (district officer of another district, Đắk Tô): sees no Ngọc Hồi plan.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind
from giamngheo.geo.services import DemoUnits, load_ngoc_hoi_demo
from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import Plan

DAK_ANG = "23380"
DAK_DUC = "23383"


@pytest.fixture
def units(db: None) -> DemoUnits:
    return load_ngoc_hoi_demo()


def _user(username: str, unit: AdminUnit, role: str) -> User:
    user = User.objects.create_user(username=username, password="x")
    UserProfile.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def district_officer(units: DemoUnits) -> User:
    return _user("huyen", units.district, Role.DISTRICT_OFFICER)


@pytest.fixture
def commune_officer(units: DemoUnits) -> User:
    return _user("dakang", units.communes_old[DAK_ANG], Role.COMMUNE_OFFICER)


@pytest.fixture
def outsider(units: DemoUnits) -> User:
    dak_to = AdminUnit.objects.create(
        code="612",
        name="Huyện Đắk Tô",
        kind=Kind.DISTRICT,
        parent=units.province_old,
        valid_to=units.district.valid_to,
    )
    return _user("dakto", dak_to, Role.DISTRICT_OFFICER)


@pytest.fixture
def officer_client(client: Client, district_officer: User) -> Client:
    """The test client, signed in as the district officer."""
    client.force_login(district_officer)
    return client


@pytest.fixture
def plan(units: DemoUnits) -> Plan:
    return load_demo_plan()


# -- helpers shared by the tests (as fixtures: the test folder is not a package) ------------
Snapshot = tuple[object, ...]


def _snapshot(plan: Plan) -> Snapshot:
    """Everything an illegal or rejected request must leave as it was."""
    from giamngheo.plans.models import PlanChange, PlanObjective, PlanPrintedTotal, PlanRow

    row_fields = [f.name for f in PlanRow._meta.concrete_fields]
    total_fields = [f.name for f in PlanPrintedTotal._meta.concrete_fields]
    return (
        list(PlanRow.objects.filter(plan=plan).order_by("pk").values_list(*row_fields)),
        list(PlanPrintedTotal.objects.filter(plan=plan).order_by("pk").values_list(*total_fields)),
        list(PlanObjective.objects.filter(plan=plan).order_by("pk").values_list()),
        list(Plan.objects.order_by("pk").values_list()),
        PlanChange.objects.count(),
    )


@pytest.fixture
def snapshot() -> object:
    return _snapshot


HEADINGS = [
    [
        "TT",
        "Khu vực/ Địa bàn",
        "Tổng số hộ dân cư",
        "",
        "Số hộ nghèo cuối năm 2019",
        "",
        "Kế hoạch giảm nghèo đến cuối năm 2020",
        "",
        "",
    ],
    [
        "",
        "",
        "Số hộ",
        "Trong đó Hộ DTTS",
        "Số hộ",
        "Tỷ lệ %",
        "Số hộ giảm tối thiểu",
        "Số hộ nghèo còn lại",
        "Dự kiến tỷ lệ hộ nghèo cuối năm 2020",
    ],
    ["A", "B", "1", "2", "3", "4=3/1", "5", "6=3-5", "7"],
]

#: A table different from the seed's: (number, name, households, ethnic minority, poor,
#: reduction); section rows have only a number and a name.
NEW_TABLE: list[tuple[object, ...]] = [
    ("I", "Khu vực thành thị"),
    ("1", "Thị trấn Plei Kần", 5000, 1200, 100, 25),
    ("II", "Khu vực nông thôn"),
    ("1", "Xã Đăk Kan", 1500, 500, 30, 8),
    ("2", "Xã Đăk Ang", 1100, 1100, 300, 80),
    ("3", "Xã Đăk Dục", 1500, 1400, 50, 12),
    ("4", "Xã Đăk Nông", 1150, 950, 45, 11),
    ("5", "Xã Đăk Xú", 1800, 1000, 60, 15),
    ("6", "Xã Bờ Y", 2700, 1500, 90, 22),
    ("7", "Xã Sa Loong", 1450, 1200, 130, 35),
    ("III", "Tổng cộng I + II"),
]


def _grid(rows: list[tuple[object, ...]], vn_numbers: bool) -> list[list[object]]:
    from giamngheo.core.numbers import format_int

    grid: list[list[object]] = [list(r) for r in HEADINGS]
    for r in rows:
        if len(r) == 2:
            grid.append([*r, "", "", "", "", "", "", ""])
            continue
        number, name, households, minority, poor, reduction = r
        cells: list[object] = [number, name]
        for value in (households, minority, poor, "", reduction, "", ""):
            if isinstance(value, int) and vn_numbers:
                cells.append(format_int(value))
            else:
                cells.append(value)
        grid.append(cells)
    return grid


def make_txt(rows: list[tuple[object, ...]] = NEW_TABLE) -> bytes:
    """Tab-separated, Vietnamese number format: as copied out of a Word plan."""
    grid = _grid(rows, vn_numbers=True)
    return ("\n".join("\t".join(str(c) for c in line) for line in grid) + "\n").encode()


def make_csv(rows: list[tuple[object, ...]] = NEW_TABLE) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(_grid(rows, vn_numbers=False))
    return buffer.getvalue().encode("utf-8-sig")


def make_xlsx(rows: list[tuple[object, ...]] = NEW_TABLE) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["CHỈ TIÊU GIẢM NGHÈO NĂM 2020"])
    for line in _grid(rows, vn_numbers=False):
        sheet.append([None if c == "" else c for c in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def files() -> dict[str, object]:
    return {"txt": make_txt, "csv": make_csv, "xlsx": make_xlsx, "table": NEW_TABLE}


@pytest.fixture
def empty_plan(units: DemoUnits, district_officer: User) -> Plan:
    """A 2021 plan of Ngọc Hồi with no table yet."""
    import datetime as dt
    from decimal import Decimal

    from giamngheo.plans.services import plan_create

    return plan_create(
        user=district_officer,
        year=2021,
        issuing_unit=units.district,
        document_number="99/KH-UBND",
        document_date=dt.date(2021, 3, 1),
        title="Kế hoạch thử",
        baseline_year=2020,
        min_reduction_points=Decimal("1.5"),
        strict=False,
    )
