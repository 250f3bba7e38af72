"""The transitions pages on generated multi-year data: every figure links to exactly its
households (same households, same counts), origin codes, pagination, and the access rules."""

from __future__ import annotations

import html
import random
import re
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from generated_households import DAK_ANG, DAK_DUC, Generated, add_household

from giamngheo.core.transitions import LIST_KINDS, History, histories_from_records, movement_table
from giamngheo.core.transitions_figures import bucket_of
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.histories import unit_histories
from giamngheo.transitions.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _q(**params: str | int) -> dict[str, str | int]:
    return params


def _admin() -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def _links(page: str) -> list[str]:
    return [
        html.unescape(h)
        for h in re.findall(r'href="(/ho-gia-dinh/bien-dong/danh-sach/[^"]+)"', page)
    ]


def _list_ids(client: Client, url: str) -> tuple[list[str], str]:
    ids: list[str] = []
    first = ""
    page = 1
    while True:
        response = client.get(f"{url}&trang={page}")
        assert response.status_code == 200
        text = response.content.decode()
        first = first or text
        ids += re.findall(r'data-household="(\d+)"', text)
        if f"trang={page + 1}" not in text:
            return ids, first
        page += 1


def test_page_shows_checked_identity_and_every_figure_links_to_its_households(
    generated: Generated, units: DemoUnits, client: Client
) -> None:
    client.force_login(_admin())
    district = units.district
    response = client.get(reverse("transitions:page"), {"don_vi": district.pk, "nam": 2020})
    assert response.status_code == 200
    page = response.content.decode()
    assert "✖" not in page and "✓" in page
    assert "Xã Đắk Ang" in page and "I. Khu vực thành thị" in page
    links = _links(page)
    assert len(links) > 300
    truth = histories_from_records(generated.truth)
    by_commune = {str(c.pk): c for c in units.communes_old.values()}
    # A sample that covers every kind of figure: each list, measure, group and key.
    rnd = random.Random(3)
    sample = rnd.sample(links, 60) + [u for u in links if "newly" in u and "xa=" in u][:4]
    for url in sample:
        params = {k: unquote(v) for k, v in re.findall(r"[?&]([a-z_]+)=([^&]*)", url)}
        ids, text = _list_ids(client, url)
        kind = params["ds"]
        where_area = params.get("khu_vuc")
        em = params.get("dtts") == "1"
        sub = params.get("xa")

        def keep(
            h: History, area: str | None = where_area, em: bool = em, sub: str | None = sub
        ) -> bool:
            ref = h.at(2020) if h.at(2020) is not None and h.at(2020).present else h.at(2019)  # type: ignore[union-attr]
            assert ref is not None
            return (
                (area is None or ref.area == area)
                and (not em or ref.ethnic_minority)
                and (sub is None or ref.unit_code == sub)
            )

        table = movement_table(
            [h for h in truth if keep(h)],
            2019,
            2020,
            list_kind=kind,  # type: ignore[arg-type]
        )
        bucket = bucket_of(table, params["muc"], params["do"])  # type: ignore[arg-type]
        assert sorted(ids) == sorted(bucket.household_ids), url
        assert f'class="count-households">{bucket.households:,}<'.replace(",", ".") in text
        assert f'class="count-persons">{bucket.persons:,}<'.replace(",", ".") in text
        assert sub is None or sub in by_commune


def test_page_figures_equal_list_counts(
    generated: Generated, units: DemoUnits, client: Client
) -> None:
    client.force_login(_admin())
    dak_ang = units.communes_old[DAK_ANG]
    page = client.get(reverse("transitions:page"), {"don_vi": dak_ang.pk}).content.decode()
    # Every linked household figure of the commune's page equals the count on its list page
    # (each distinct link once; persons figures are checked by the sample above).
    figures: dict[str, int] = {}
    for match in re.finditer(
        r'<a href="(/ho-gia-dinh/bien-dong/danh-sach/[^"]+)">([\d.]+)</a>', page
    ):
        url, figure = html.unescape(match.group(1)), int(match.group(2).replace(".", ""))
        assert figures.setdefault(url, figure) == figure, url
    assert len(figures) > 100
    for url, figure in figures.items():
        if "do=persons" in url:
            continue
        measure = "persons" if "do=persons" in url else "households"
        text = client.get(url).content.decode()
        count = re.search(rf'class="count-{measure}">([\d.]+)<', text)
        assert count is not None and int(count.group(1).replace(".", "")) == figure, url


def test_origin_codes(units: DemoUnits, client: Client) -> None:
    dak_ang = units.communes_old[DAK_ANG]
    cases = {
        "old": ({2018: ("poor", 3), 2019: ("poor", 3), 2020: ("poor", 3)}, "Nghèo cũ"),
        "re": ({2018: ("poor", 3), 2019: ("medium", 3), 2020: ("poor", 3)}, "Tái nghèo"),
        "new": ({2018: ("non_poor", 3), 2019: ("medium", 3), 2020: ("poor", 3)}, "Nghèo mới"),
        "from_near": ({2018: ("poor", 2), 2019: ("near_poor", 2), 2020: ("poor", 2)}, "Nghèo mới"),
        "near_old": (
            {2018: ("near_poor", 2), 2019: ("near_poor", 2), 2020: ("near_poor", 2)},
            "Cận nghèo cũ",
        ),
        "near_re": (
            {2018: ("near_poor", 2), 2019: ("non_poor", 2), 2020: ("near_poor", 2)},
            "Tái cận nghèo",
        ),
        "near_new": (
            {2018: ("non_poor", 2), 2019: ("poor", 2), 2020: ("near_poor", 2)},
            "Cận nghèo mới",
        ),
    }
    pks = {key: add_household(dak_ang, key, reviews).pk for key, (reviews, _) in cases.items()}
    client.force_login(_admin())
    for kind in LIST_KINDS:
        url = reverse("transitions:list")
        text = client.get(
            url, {"don_vi": dak_ang.pk, "nam": 2020, "ds": kind, "muc": "end"}
        ).content.decode()
        for key, (_, label) in cases.items():
            row = re.search(rf'data-household="{pks[key]}">(.*?)</tr>', text, re.S)
            on_list = (cases[key][0][2020][0]) == kind
            assert (row is not None) == on_list, (kind, key)
            if row is not None:
                origins = re.findall(r'class="origin">([^<]*)<', row.group(1))
                assert origins[-1] == label, (key, origins)
    # The start year's origin is relative to the year before it (2018).
    text = client.get(
        reverse("transitions:list"),
        _q(don_vi=dak_ang.pk, nam=2020, ds="poor", muc="start"),
    ).content.decode()
    row = re.search(rf'data-household="{pks["old"]}">(.*?)</tr>', text, re.S)
    assert row is not None
    assert "2019 → 2020" in text  # years and ids are not printed as localised numbers
    assert re.findall(r'class="origin">([^<]*)<', row.group(1)) == ["Nghèo cũ", "Nghèo cũ"]


def test_commune_officer_sees_only_their_commune(
    generated: Generated,
    units: DemoUnits,
    client: Client,
    dak_ang_officer: User,
) -> None:
    client.force_login(dak_ang_officer)
    dak_ang, dak_duc = units.communes_old[DAK_ANG], units.communes_old[DAK_DUC]
    response = client.get(reverse("transitions:page"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{dak_ang.pk}" selected' in page
    assert f'value="{units.district.pk}"' not in page and f'value="{dak_duc.pk}"' not in page
    assert "Đắk Dục" not in page and "Plei Kần" not in page
    # Its figures are Đắk Ang's alone.
    histories = unit_histories(actor=dak_ang_officer, unit=dak_ang)
    assert {h.records[-1].unit_code for h in histories} == {str(dak_ang.pk)}
    for link in _links(page)[:20]:
        text = client.get(link).content.decode()
        assert not any(name in text for name in generated.names[DAK_DUC])
    # Other units, or a group outside the unit: not found, and nothing of them in the answer.
    lst = reverse("transitions:list")
    for other in (dak_duc, units.district, units.province_old):
        for path in (reverse("transitions:page"), lst):
            r = client.get(path, _q(don_vi=other.pk, ds="poor", muc="households_start"))
            assert r.status_code == 404
            assert not any(n in r.content.decode() for n in generated.names[DAK_DUC])
    r = client.get(lst, _q(don_vi=dak_ang.pk, xa=dak_duc.pk, ds="poor", muc="households_start"))
    assert r.status_code == 404
    # The export is scoped the same way.
    assert client.get(reverse("transitions:export"), {"don_vi": dak_duc.pk}).status_code == 404
    ok = client.get(reverse("transitions:export"), {"don_vi": dak_ang.pk})
    assert ok.status_code == 200 and ok.content[:2] == b"PK"


def test_district_list_is_paginated_and_complete(
    generated: Generated, units: DemoUnits, client: Client
) -> None:
    client.force_login(_admin())
    url = (
        f"{reverse('transitions:list')}?don_vi={units.district.pk}&nam=2020"
        "&ds=poor&muc=households_start&do=households"
    )
    ids, _ = _list_ids(client, url)
    assert len(ids) > PAGE_SIZE
    truth = histories_from_records(generated.truth)
    present = {h.household_id for h in truth if h.at(2019) is not None and h.at(2019).present}  # type: ignore[union-attr]
    assert sorted(ids) == sorted(present)


def test_empty_registry_says_so(units: DemoUnits, client: Client, dak_ang_officer: User) -> None:
    client.force_login(dak_ang_officer)
    response = client.get(reverse("transitions:page"))
    assert response.status_code == 200
    assert "Chưa có hộ gia đình nào trong phạm vi của bạn." in response.content.decode()
    # One year only: no pair of years yet.
    add_household(units.communes_old[DAK_ANG], "X", {2019: ("poor", 3)})
    page = client.get(reverse("transitions:page")).content.decode()
    assert "Chưa có hai kỳ rà soát định kỳ liên tiếp đã phê duyệt" in page
