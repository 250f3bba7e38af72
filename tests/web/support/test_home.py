"""The support section's front page: every part linked, figures of the user's own scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from giamngheo.support.models import Loan, Support, SupportState


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _support(hh: Any, value: int, year: int) -> Support:
    return Support.objects.create(
        household=hh,
        support_type="health_insurance_card",
        item="Thẻ BHYT",
        value=value,
        source="central",
        on=dt.date(year, 2, 1),
        state=SupportState.DELIVERED,
    )


def test_front_page_links_every_part_and_counts_only_the_users_communes(
    world: Any, settings: Any
) -> None:
    settings.GIAMNGHEO_TODAY = dt.date(2020, 10, 9)
    _support(world.households["DA-01"], 800_000, 2020)
    _support(world.households["DD-01"], 1_200_000, 2020)
    _support(world.households["DD-02"], 5_000_000, 2019)  # another year: not counted
    Loan.objects.create(
        household=world.households["DD-01"], contract_no="NH-1", programme="poor",
        amount=40_000_000, disbursed_on=dt.date(2020, 1, 5), rate="6.6", term_months=60,
        due_on=dt.date(2025, 1, 5), outstanding=30_000_000, as_of=dt.date(2020, 9, 30),
    )  # fmt: skip
    page = _client(world.users["district"]).get(reverse("support:home"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("projects", "gaps", "pipeline", "money", "loans", "housing", "tasks",
                 "organisations", "programmes"):  # fmt: skip
        assert f'href="{reverse(f"support:{name}")}"' in html
    assert "2.000.000 đ" in html  # 800.000 + 1.200.000 delivered in 2020
    assert "30.000.000 đ" in html
    own = _client(world.users["da"]).get(reverse("support:home")).content.decode()
    assert "800.000 đ" in own and "2.000.000 đ" not in own
    assert "30.000.000 đ" not in own  # Đắk Dục's loan


def test_front_page_needs_a_login(world: Any) -> None:
    page = Client().get(reverse("support:home"))
    assert page.status_code == 302
