"""The demo plan: Ngọc Hồi's 2020 plan 252/KH-UBND of 19/02/2020, as printed.

The annex table ships with the package (``demo_data/252-KH-UBND-annex.txt``: the
tab-separated lines exactly as they stand in the seed document), so the demo needs no file
from outside the package and no network. It is imported through the same service as any
officer's file, so the demo shows what the checks find in the real document: two rounding
warnings (Đăk Kan and Đăk Dục, column 7) and Đăk Ang's objective of 7–8 points missed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.services import load_ngoc_hoi_demo, match_unit
from giamngheo.plans.models import Plan
from giamngheo.plans.selectors import communes_under
from giamngheo.plans.services import CommuneObjectiveInput, plan_create, plan_import

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

DOCUMENT_NUMBER = "252/KH-UBND"
DOCUMENT_DATE = dt.date(2020, 2, 19)
TITLE = "Triển khai thực hiện Đề án giảm nghèo bền vững trên địa bàn huyện Ngọc Hồi năm 2020"
ANNEX_FILE = "252-KH-UBND-annex.txt"
#: The account that loaded the demo, so the history names someone. It cannot log in.
DEMO_LOADER_USERNAME = "du-lieu-mau"


def annex_bytes() -> bytes:
    """The seed's annex table, as shipped with the package."""
    return resources.files("giamngheo.plans").joinpath("demo_data", ANNEX_FILE).read_bytes()


def _demo_loader(district_pk: int) -> AbstractBaseUser:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DEMO_LOADER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    UserProfile.objects.get_or_create(
        user=user, defaults={"unit_id": district_pk, "role": Role.DISTRICT_OFFICER}
    )
    return user


@transaction.atomic
def load_demo_plan(user: AbstractBaseUser | None = None) -> Plan:
    """Create the Ngọc Hồi 2020 plan with its objectives and the seed's annex table.

    Idempotent: when the plan (same issuing unit, number and date) exists it is returned
    unchanged. ``user`` is recorded as its author (default: an inactive "du-lieu-mau"
    account, district officer of Ngọc Hồi)."""
    units = load_ngoc_hoi_demo()
    district = units.district
    existing = Plan.objects.filter(
        issuing_unit=district, document_number=DOCUMENT_NUMBER, document_date=DOCUMENT_DATE
    ).first()
    if existing is not None:
        return existing
    author = user if user is not None else _demo_loader(district.pk)
    # The text says "Đăk Ang"; match it like any typed name, among the district's communes
    # valid on the document date.
    dak_ang = match_unit("Đăk Ang", communes_under(unit=district, on=DOCUMENT_DATE), DOCUMENT_DATE)
    plan = plan_create(
        user=author,
        year=2020,
        issuing_unit=district,
        document_number=DOCUMENT_NUMBER,
        document_date=DOCUMENT_DATE,
        title=TITLE,
        baseline_year=2019,
        min_reduction_points=Decimal("1.2"),
        strict=True,
        commune_objectives=[
            CommuneObjectiveInput(unit=dak_ang, min_points=Decimal(7), max_points=Decimal(8))
        ],
    )
    plan_import(plan=plan, user=author, data=annex_bytes(), filename=ANNEX_FILE)
    return plan
