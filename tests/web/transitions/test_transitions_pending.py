"""A commune whose review of the second year is not approved yet (its campaign is still
running) is left out of the district's tables and named, instead of every one of its
households being counted as gone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from generated_households import DAK_ANG, DAK_DUC, add_household

from giamngheo.computed.tasks import current_value
from giamngheo.geo.services import DemoUnits
from giamngheo.transitions.report import TRANSITIONS, TransitionsParams

pytestmark = pytest.mark.django_db


def test_commune_without_the_second_year_is_named_not_counted(
    units: DemoUnits, district_officer: User, client: Client
) -> None:
    ang, duc = units.communes_old[DAK_ANG], units.communes_old[DAK_DUC]
    for i in range(3):  # Đắk Ang: reviewed in 2019 only (its 2020 campaign is running)
        add_household(ang, f"A{i}", {2019: ("poor", 4)})
    add_household(duc, "D0", {2019: ("poor", 3), 2020: ("near_poor", 3)})
    add_household(duc, "D1", {2019: ("poor", 5), 2020: ("poor", 5)})

    figures = current_value(
        TRANSITIONS, district_officer, TransitionsParams(units.district, 2020), "figures"
    )
    assert figures.pending == (ang.name,)
    poor = figures.all["poor"].total.counts
    assert (poor["start"][0], poor["end"][0]) == (2, 1)  # Đắk Dục alone
    assert poor["escaped"][0] == 1

    client.force_login(district_officer)
    page = client.get(reverse("transitions:page"), {"don_vi": units.district.pk, "nam": 2020})
    text = page.content.decode()
    assert "không tính trong các bảng" in text and ang.name in text

    # Once Đắk Ang's 2020 result is approved it counts again.
    add_household(ang, "A9", {2019: ("near_poor", 2), 2020: ("near_poor", 2)})
    figures = current_value(
        TRANSITIONS, district_officer, TransitionsParams(units.district, 2020), "figures"
    )
    assert figures.pending == ()
    assert figures.all["poor"].total.counts["start"][0] == 5
