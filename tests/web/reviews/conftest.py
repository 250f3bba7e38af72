"""Personas and a small data set for the review pages and services.

Units (``review_units``): Huyện Ngọc Hồi with two of its communes, Đắk Ang (23380) and Đắk Dục
(23383), from ``geo.services.load_ngoc_hoi_demo``, each with two named villages of its own.

Households (``review_households``, by code): six per commune, ``DA-01`` … ``DA-06`` in Đắk Ang
and ``DD-01`` … ``DD-06`` in Đắk Dục; odd numbers live in the commune's first village, even in
the second. Each has two or three members (the head with a citizen ID) and an **approved 2020
periodic** review under QĐ 59/2015: 01–02 poor, 03–04 near-poor, 05–06 non-poor. A campaign of
2021 (``review_campaign``) therefore lists 01–04 of each commune.

Personas:

* ``district_officer`` — district officer of Ngọc Hồi (may see ID numbers): opens campaigns,
  accepts, returns and unlocks communes' results;
* ``commune_officer`` — commune officer of Đắk Ang; ``other_commune_officer`` — of Đắk Dục;
* ``reviewer`` — collaborator (rà soát viên) of Đắk Ang;
* ``approver`` — the chairman of Đắk Ang (Role.APPROVER): the recognition decision;
* ``district_approver`` — the district chairman: approves the whole campaign;
* ``leader`` — a read-only leader of Đắk Ang.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings as SettingsWrapper

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.models import (
    AuditEvent,
    Classification,
    Household,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)

DAK_ANG = "23380"
DAK_DUC = "23383"
VILLAGES = {
    DAK_ANG: ("Thôn Ngọc Tụ", "Thôn Đăk Răng"),
    DAK_DUC: ("Thôn Nông Nhầy", "Thôn Chả Nhầy"),
}
HEADS = {
    DAK_ANG: ("A Thắng", "Y Hoa", "Nguyễn Văn Bình", "A Lâm", "Trần Thị Mai", "Lê Văn Hùng"),
    DAK_DUC: ("A Dũng", "Y Lan", "Phạm Văn Tài", "A Khải", "Đỗ Thị Nga", "Hoàng Văn Sơn"),
}
QD59_KEYS = (
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
ND07_KEYS = (
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
#: 2020 results by household number: (class, income per person per month, deprived).
RESULTS_2020: dict[int, tuple[str, int, tuple[str, ...]]] = {
    1: (Classification.POOR, 600_000, ("water", "sanitation", "telecom")),
    2: (Classification.POOR, 650_000, ("housing_quality",)),
    3: (Classification.NEAR_POOR, 900_000, ("water",)),
    4: (Classification.NEAR_POOR, 950_000, ()),
    5: (Classification.NON_POOR, 2_500_000, ()),
    6: (Classification.NON_POOR, 3_000_000, ()),
}


def nd07_inputs(income: int, *deprived: str) -> dict[str, object]:
    """A Phiếu B record for the 2021 review (NĐ 07/2021): income and the 12 indicators."""
    return {"income": income, **{f"dep_{k}": int(k in deprived) for k in ND07_KEYS}}


@dataclass(frozen=True)
class ReviewUnits:
    province: AdminUnit
    district: AdminUnit
    dak_ang: AdminUnit
    dak_duc: AdminUnit
    #: commune code → its two villages
    villages: dict[str, tuple[AdminUnit, AdminUnit]]


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def review_units(db: None) -> ReviewUnits:
    demo = load_ngoc_hoi_demo()
    villages: dict[str, tuple[AdminUnit, AdminUnit]] = {}
    for code, names in VILLAGES.items():
        commune = demo.communes_old[code]
        made = [
            AdminUnit.objects.create(
                name=name,
                kind=Kind.THON,
                level=Level.VILLAGE,
                parent=commune,
                valid_to=commune.valid_to,
            )
            for name in names
        ]
        villages[code] = (made[0], made[1])
    return ReviewUnits(
        province=demo.province_old,
        district=demo.district,
        dak_ang=demo.communes_old[DAK_ANG],
        dak_duc=demo.communes_old[DAK_DUC],
        villages=villages,
    )


def _household(commune: AdminUnit, village: AdminUnit, code: str, head: str, n: int) -> Household:
    hh = Household.objects.create(
        commune=commune,
        village=village,
        code=code,
        head_name=head,
        ethnic_minority=head.startswith(("A ", "Y ")),
    )
    Member.objects.create(
        household=hh,
        full_name=head,
        sex="female" if head.startswith(("Y ", "Trần Thị", "Đỗ Thị")) else "male",
        relationship="head",
        birth_year=1975 + n,
        ethnicity="Xơ Đăng" if hh.ethnic_minority else "Kinh",
        national_id=f"0620{75 + n:02d}{int(commune.code) % 1000:03d}{n:03d}",
    )
    Member.objects.create(
        household=hh,
        full_name=f"{head.split(maxsplit=1)[0]} Con {n}",
        sex="male",
        relationship="child",
        birth_year=2008 + n,
        ethnicity="Xơ Đăng" if hh.ethnic_minority else "Kinh",
    )
    if n % 2:
        Member.objects.create(
            household=hh,
            full_name=f"{head.split(maxsplit=1)[0]} Vợ {n}",
            sex="female",
            relationship="spouse",
            birth_year=1978 + n,
            ethnicity="Xơ Đăng" if hh.ethnic_minority else "Kinh",
        )
    cls, income, deprived = RESULTS_2020[n]
    ReviewRecord.objects.create(
        household=hh,
        year=2020,
        kind=ReviewKind.PERIODIC,
        review_date=dt.date(2020, 11, 20),
        standard_id="QD59-2015",
        inputs={"income": income, **{f"dep_{k}": int(k in deprived) for k in QD59_KEYS}},
        persons=Member.objects.filter(household=hh).count(),
        classification=cls,
        deprivation_count=len(deprived),
        deprived=list(deprived),
        state=ReviewState.APPROVED,
    )
    return hh


@pytest.fixture
def review_households(review_units: ReviewUnits) -> dict[str, Household]:
    out: dict[str, Household] = {}
    for code, prefix, commune in (
        (DAK_ANG, "DA", review_units.dak_ang),
        (DAK_DUC, "DD", review_units.dak_duc),
    ):
        first, second = review_units.villages[code]
        for n in range(1, 7):
            village = first if n % 2 else second
            hh_code = f"{prefix}-{n:02d}"
            out[hh_code] = _household(commune, village, hh_code, HEADS[code][n - 1], n)
    return out


def _user(username: str, unit: AdminUnit, role: str, *, ids: bool = False, name: str = "") -> User:
    first, _, last = name.rpartition(" ")
    user = User.objects.create_user(
        username=username, password="x", first_name=first, last_name=last
    )
    UserProfile.objects.create(user=user, unit=unit, role=role, can_view_national_id=ids)
    return user


@pytest.fixture
def district_officer(review_units: ReviewUnits) -> User:
    return _user(
        "rs_huyen",
        review_units.district,
        Role.DISTRICT_OFFICER,
        ids=True,
        name="Phạm Quốc Huy",
    )


@pytest.fixture
def commune_officer(review_units: ReviewUnits) -> User:
    return _user("rs_dakang", review_units.dak_ang, Role.COMMUNE_OFFICER, name="Lê Thị Thu")


@pytest.fixture
def other_commune_officer(review_units: ReviewUnits) -> User:
    return _user("rs_dakduc", review_units.dak_duc, Role.COMMUNE_OFFICER, name="Võ Văn Đức")


@pytest.fixture
def reviewer(review_units: ReviewUnits) -> User:
    return _user("rs_ctv", review_units.dak_ang, Role.COLLABORATOR, name="A Tuấn")


@pytest.fixture
def approver(review_units: ReviewUnits) -> User:
    return _user("rs_chutich", review_units.dak_ang, Role.APPROVER, name="Nguyễn Văn Chung")


@pytest.fixture
def district_approver(review_units: ReviewUnits) -> User:
    return _user("rs_chutich_huyen", review_units.district, Role.APPROVER, name="Trần Văn Quang")


@pytest.fixture
def leader(review_units: ReviewUnits) -> User:
    return _user("rs_lanhdao", review_units.dak_ang, Role.LEADER, name="Đinh Văn Lực")


@pytest.fixture
def review_campaign(
    district_officer: User, review_units: ReviewUnits, review_households: dict[str, Household]
) -> Any:
    """The 2021 campaign of Ngọc Hồi over Đắk Ang and Đắk Dục (rules QĐ 24/2021, NĐ 07/2021)."""
    from giamngheo.reviews.services import campaign_open

    return campaign_open(
        actor=district_officer,
        unit=review_units.district,
        year=2021,
        communes=[review_units.dak_ang, review_units.dak_duc],
    )


def reviews_snapshot() -> tuple[Any, ...]:
    """Every reviews row, the registry's review records and the audit count: a refused
    request must leave all of them as they were."""
    from django.apps import apps

    tables = tuple(
        list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_app_config("reviews").get_models(include_auto_created=True)
    )
    return (
        *tables,
        list(ReviewRecord.objects.order_by("pk").values_list()),
        list(Household.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def snapshot() -> Callable[[], tuple[Any, ...]]:
    return reviews_snapshot


#: The 2021 surveys (NĐ 07/2021, rural lines 1.5 M / 2.0 M) by household number: 01 stays
#: poor, 02 escapes poverty, 03 stays near-poor, 04 escapes near-poverty, 05 (an applicant)
#: becomes poor.
SURVEYS_2021: dict[int, dict[str, object]] = {
    1: nd07_inputs(800_000, "water", "sanitation", "telecom"),
    2: nd07_inputs(3_000_000),
    3: nd07_inputs(1_200_000, "water"),
    4: nd07_inputs(2_600_000),
    5: nd07_inputs(900_000, "water", "sanitation", "housing_quality"),
}
POSTING_START = dt.date(2021, 11, 8)
DECISION_DATE = dt.date(2021, 11, 16)
STEPS = ("list", "assign", "survey", "meeting", "posting", "decision", "report", "accepted")


@dataclass
class ReviewFlow:
    """Runs a commune's review through the services, step by step (``until``), as the
    personas would: the commune officer prepares, the reviewer surveys, the chairman decides,
    the district officer accepts."""

    campaign: Any
    officer: User
    reviewer: User
    approver: User
    district_officer: User
    surveys: dict[int, dict[str, object]] = field(default_factory=lambda: dict(SURVEYS_2021))

    def review(self, commune: AdminUnit) -> Any:
        from giamngheo.reviews.models import CommuneReview

        return CommuneReview.objects.get(campaign=self.campaign, commune=commune)

    def until(self, commune: AdminUnit, step: str) -> Any:
        """Every step up to and including ``step`` (one of ``STEPS``); the fresh review row."""
        from django.utils import timezone

        from giamngheo.reviews import services as s

        r = self.review(commune)
        last = STEPS.index(step)
        prefix = "DA" if commune.code == DAK_ANG else "DD"
        s.list_generate(actor=self.officer, review=r)
        s.list_add_applicant(
            actor=self.officer,
            review=r,
            household=Household.objects.get(commune=commune, code=f"{prefix}-05"),
            received=dt.date(2021, 9, 20),
            answers={
                "car": False,
                "solid_large_house": False,
                "regular_salary_above_line": False,
                "large_production_assets": False,
                "large_business": False,
                "illness_or_disability": True,
                "recent_shock": False,
            },
        )
        if last >= 1:
            for village in {e.household.village for e in r.entries.select_related("household")}:
                s.assign(
                    actor=self.officer, review=r, reviewer=self.reviewer, village_id=village.pk
                )
        if last >= 2:
            for e in r.entries.select_related("household"):
                n = int(e.household.code[-2:])
                s.survey_save(actor=self.reviewer, entry=e, inputs=SURVEYS_2021[n], final=True)
        if last >= 3:
            for village in {e.household.village for e in r.entries.select_related("household")}:
                s.meeting_record(
                    actor=self.officer,
                    review=r,
                    village=village,
                    held_at=timezone.make_aware(dt.datetime(2021, 11, 5, 8, 0)),
                    chair="Trưởng thôn A Nhơn",
                    secretary="Y Thư",
                    attendees=40,
                    agreement=35,
                    key_attendees=[
                        ("Trưởng thôn", "A Nhơn"),
                        ("Bí thư chi bộ", "A Bảo"),
                        ("Trưởng ban công tác Mặt trận", "Y Mận"),
                    ],
                )
        if last >= 4:
            s.posting_start(actor=self.officer, review=r, start=POSTING_START)
        if last >= 5:
            s.decide(
                actor=self.approver,
                review=r,
                number="15/QĐ-UBND",
                date=DECISION_DATE,
                signer_name="Nguyễn Văn Chung",
            )
        if last >= 6:
            s.commune_submit(actor=self.officer, review=r)
        if last >= 7:
            s.commune_accept(actor=self.district_officer, review=r)
        return self.review(commune)


@pytest.fixture
def review_flow(
    review_campaign: Any,
    commune_officer: User,
    reviewer: User,
    approver: User,
    district_officer: User,
) -> ReviewFlow:
    return ReviewFlow(review_campaign, commune_officer, reviewer, approver, district_officer)
