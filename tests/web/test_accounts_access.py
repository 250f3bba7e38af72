"""Who sees what: access helpers, login required on every page, the units page, the language
switch and Vietnamese number and date formats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from giamngheo.accounts.access import (
    can_manage_unit,
    can_view_national_id,
    can_view_unit,
    manage_scope_q,
    manageable_units,
    unit_scope_q,
    user_unit,
    visible_units,
)
from giamngheo.accounts.models import Role, UserProfile
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.geo.services import DemoUnits, import_vietnam_provinces, load_ngoc_hoi_demo

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def demo() -> DemoUnits:
    return load_ngoc_hoi_demo()


def _user(username: str, unit: AdminUnit | None, role: str | None, **extra: Any) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if unit is not None and role is not None:
        UserProfile.objects.create(user=user, unit=unit, role=role, **extra)
    return user


@pytest.fixture
def commune_officer(demo: DemoUnits) -> User:
    return _user("xa", demo.communes_old["23380"], Role.COMMUNE_OFFICER)


@pytest.fixture
def district_officer(demo: DemoUnits) -> User:
    return _user("huyen", demo.district, Role.DISTRICT_OFFICER)


@pytest.fixture
def province_officer(demo: DemoUnits) -> User:
    return _user("tinh", demo.province_old, Role.PROVINCE_OFFICER)


def _codes(qs: Any) -> set[str]:
    return {u.code for u in qs if u.code}


# -- helpers ------------------------------------------------------------------------------------


def test_commune_officer_sees_only_their_commune(demo: DemoUnits, commune_officer: User) -> None:
    dak_ang = demo.communes_old["23380"]
    visible = list(visible_units(commune_officer))
    assert _codes(visible) == {"23380"}
    assert {u.name for u in visible if not u.code} == {"Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4"}
    assert can_view_unit(commune_officer, dak_ang)
    assert can_manage_unit(commune_officer, dak_ang)
    assert can_view_unit(commune_officer, dak_ang.children.first())  # type: ignore[arg-type]
    for other in (demo.communes_old["23383"], demo.district, demo.province_old):
        assert not can_view_unit(commune_officer, other)
        assert not can_manage_unit(commune_officer, other)
    assert not can_view_unit(commune_officer, demo.communes_new["23383"])
    assert user_unit(commune_officer) == dak_ang


def test_district_officer_sees_every_commune_of_the_district(
    demo: DemoUnits, district_officer: User
) -> None:
    visible = visible_units(district_officer)
    communes = visible.filter(level=Level.COMMUNE)
    assert _codes(communes) == set(demo.communes_old)
    assert visible.filter(level=Level.VILLAGE).count() == 32
    assert visible.count() == 1 + 8 + 32
    assert not can_view_unit(district_officer, demo.province_old)
    assert all(can_manage_unit(district_officer, c) for c in demo.communes_old.values())
    # Valid on a date: the district and its communes ended on 30/06/2025.
    assert visible_units(district_officer, on=dt.date(2020, 2, 19)).count() == 41
    assert visible_units(district_officer, on=dt.date(2025, 7, 1)).count() == 0


def test_province_officer_sees_everything_below(demo: DemoUnits, province_officer: User) -> None:
    visible = visible_units(province_officer)
    assert visible.count() == 1 + 1 + 8 + 32
    assert _codes(visible) == {"62", "611", *demo.communes_old}
    assert can_manage_unit(province_officer, demo.communes_old["23398"])
    assert not can_view_unit(province_officer, demo.province_new)


def test_superuser_sees_and_manages_all(demo: DemoUnits) -> None:
    admin = User.objects.create_superuser("root", password=PASSWORD)
    assert visible_units(admin).count() == AdminUnit.objects.count()
    assert can_manage_unit(admin, demo.communes_new["23377"])
    assert can_view_national_id(admin)
    assert unit_scope_q(admin).children == []


def test_read_only_roles(demo: DemoUnits) -> None:
    for role in (Role.LEADER, Role.DEPARTMENT, Role.COLLABORATOR):
        user = _user(f"u-{role}", demo.district, role)
        assert can_view_unit(user, demo.communes_old["23380"])
        assert not can_manage_unit(user, demo.communes_old["23380"])
        assert not can_manage_unit(user, demo.district)
        assert manageable_units(user).count() == 0
        assert visible_units(user).count() == 41
        assert not Role(role).can_edit
    for role in (Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER):
        assert Role(role).can_edit


def test_no_profile_and_anonymous_see_nothing(demo: DemoUnits) -> None:
    nobody = _user("nobody", None, None)
    for user in (nobody, AnonymousUser()):
        assert visible_units(user).count() == 0
        assert not can_view_unit(user, demo.district)
        assert not can_manage_unit(user, demo.district)
        assert user_unit(user) is None
        assert not can_view_national_id(user)
        assert UserProfile.objects.filter(unit_scope_q(user)).count() == 0


def test_national_id_flag(demo: DemoUnits) -> None:
    allowed = _user("a", demo.district, Role.DISTRICT_OFFICER, can_view_national_id=True)
    denied = _user("b", demo.district, Role.DISTRICT_OFFICER)
    assert can_view_national_id(allowed)
    assert not can_view_national_id(denied)


def test_unit_scope_q_filters_any_model(
    demo: DemoUnits, commune_officer: User, district_officer: User
) -> None:
    other = _user("other", demo.communes_old["23383"], Role.COMMUNE_OFFICER)
    # UserProfile has a ``unit`` FK: each officer sees the profiles of their scope.
    assert set(UserProfile.objects.filter(unit_scope_q(commune_officer))) == {
        commune_officer.profile
    }
    assert UserProfile.objects.filter(unit_scope_q(district_officer)).count() == 3
    assert UserProfile.objects.filter(manage_scope_q(other)).get().user == other
    # Spanning a relation, and a different field name.
    in_scope = UserProfile.objects.filter(unit_scope_q(commune_officer, field="unit"))
    assert in_scope.count() == 1
    villages = AdminUnit.objects.filter(unit_scope_q(commune_officer, field="parent"))
    assert villages.count() == 4


def test_visible_units_is_one_query(
    demo: DemoUnits, district_officer: User, django_assert_num_queries: Any
) -> None:
    visible_units(district_officer)  # loads and caches the profile
    with django_assert_num_queries(1):
        assert len(list(visible_units(district_officer))) == 41


# -- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/don-vi/", "/don-vi/?q=dak", "/ke-hoach/", "/admin/geo/adminunit/"]
)
def test_login_required_for_every_page(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert "dang-nhap" in response["Location"] or "/admin/login/" in response["Location"]


def test_login_page_is_public_and_login_works(client: Client, district_officer: User) -> None:
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "Đăng nhập" in page.content.decode()
    response = client.post(
        reverse("login"), {"username": "huyen", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Huyện Ngọc Hồi" in html  # the user's unit in the header and greeting
    assert 'action="/dang-xuat/" method="post"' in html


def test_wrong_password_is_an_error(client: Client, district_officer: User) -> None:
    response = client.post(reverse("login"), {"username": "huyen", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_logout_is_a_post(client: Client, district_officer: User) -> None:
    client.force_login(district_officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def _new_commune_pk() -> int:
    return AdminUnit.objects.get(code="23383", valid_from__isnull=False).pk


def test_admin_only_for_superusers(client: Client, district_officer: User) -> None:
    client.force_login(district_officer)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 302
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    assert 'href="/admin/"' in client.get("/").content.decode()
    for url in (
        "/admin/geo/adminunit/",
        "/admin/geo/adminunit/add/",
        f"/admin/geo/adminunit/{_new_commune_pk()}/change/",
        "/admin/geo/succession/",
        "/admin/accounts/userprofile/",
        "/admin/accounts/userprofile/add/",
        f"/admin/auth/user/{district_officer.pk}/change/",
        "/admin/autocomplete/?app_label=accounts&model_name=userprofile&field_name=unit&term=dak",
    ):
        assert client.get(url).status_code == 200, url


def test_units_page_shows_only_the_users_units(
    client: Client, demo: DemoUnits, commune_officer: User
) -> None:
    client.force_login(commune_officer)
    html = client.get(reverse("geo:list")).content.decode()
    assert "Xã Đắk Ang" in html and "23380" in html and "Thôn 1" in html
    assert "Xã Đắk Dục" not in html
    assert "Xã Dục Nông" in html  # named as the successor of Đắk Ang
    assert "đến 30/06/2025" in html
    # Another unit's page cannot be reached by its id.
    other = demo.communes_old["23383"]
    html = client.get(reverse("geo:list") + f"?goc={other.pk}").content.decode()
    assert "Xã Đắk Dục" not in html


def test_units_page_tree_and_search(
    client: Client, demo: DemoUnits, district_officer: User
) -> None:
    client.force_login(district_officer)
    html = client.get(reverse("geo:list")).content.decode()
    for name in ("Huyện Ngọc Hồi", "Thị trấn Plei Kần", "Xã Sa Loong", "Tổ dân phố 1"):
        assert name in html
    assert "Thành thị" in html and "Nông thôn" in html
    # Diacritics-insensitive search, with or without the kind.
    for q in ("dak ang", "ĐĂK ANG", "Xã Đăk Ang", "23380"):
        html = client.get(reverse("geo:list"), {"q": q}).content.decode()
        assert "Xã Đắk Ang" in html, q
        assert "Xã Đắk Dục" not in html, q
    html = client.get(reverse("geo:list"), {"q": "ngoc"}).content.decode()
    assert "Huyện Ngọc Hồi" in html
    # Valid on a date after the reform: nothing of the old district.
    html = client.get(reverse("geo:list"), {"ngay": "2025-07-01"}).content.decode()
    assert "Thị trấn Plei Kần" not in html


def test_units_page_successions(client: Client, demo: DemoUnits) -> None:
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    html = client.get(reverse("geo:list"), {"goc": demo.province_new.pk}).content.decode()
    assert "Xã Dục Nông" in html
    assert "hợp thành từ" in html
    for name in ("Xã Đắk Ang (23380)", "Xã Đắk Dục (23383)", "Xã Đắk Nông (23386)"):
        assert name in html


def test_units_page_scales_to_the_whole_country(client: Client) -> None:
    import_vietnam_provinces()
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    html = client.get(reverse("geo:list")).content.decode()
    assert "3.355 đơn vị." in html  # 34 provinces + 3,321 communes, Vietnamese grouping
    assert html.count('class="level-commune') == 0  # one level shown: provinces only
    assert "Tỉnh Quảng Ngãi" in html
    # Ids in links are not localised ("?goc=2.345" would be a different id).
    quang_ngai = AdminUnit.objects.get(code="51", level=Level.PROVINCE)
    duc_nong = AdminUnit.objects.get(code="23383", level=Level.COMMUNE)
    assert duc_nong.pk >= 1000
    html = client.get(reverse("geo:list"), {"goc": quang_ngai.pk}).content.decode()
    assert f'href="?goc={duc_nong.pk}"' in html
    client.post(reverse("set_language"), {"language": "en", "next": "/don-vi/"})
    html = client.get(reverse("geo:list")).content.decode()
    assert "3,355 units." in html


def test_units_page_long_tree_shows_one_level(
    client: Client, demo: DemoUnits, province_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from giamngheo.web import units

    monkeypatch.setattr(units, "MAX_TREE_ROWS", 5)
    client.force_login(province_officer)
    html = client.get(reverse("geo:list")).content.decode()
    assert "Tỉnh Kon Tum" in html and "Huyện Ngọc Hồi" not in html
    assert "42 đơn vị." in html and "chỉ hiện một cấp" in html
    html = client.get(reverse("geo:list"), {"goc": demo.district.pk}).content.decode()
    assert "Huyện Ngọc Hồi" in html and "Xã Đắk Ang" in html and "Thôn 1" not in html
    assert html.count('<span class="muted"> (4)</span>') == 8  # villages per commune
    assert f'href="?goc={demo.province_old.pk}"' in html  # breadcrumb up


# -- language and formats -----------------------------------------------------------------------


def test_language_switch(client: Client, district_officer: User) -> None:
    client.force_login(district_officer)
    html = client.get("/").content.decode()
    assert 'lang="vi"' in html and "Trang chủ" in html and "Đơn vị hành chính" in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/don-vi/"})
    assert response.status_code == 302 and response["Location"] == "/don-vi/"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Home" in html and "Administrative units" in html and "Log out" in html
    assert "Hello, " in html and "District labour and social affairs officer" in html
    html = client.get(reverse("geo:list")).content.decode()
    assert "Commune" in html and "Rural" in html and "until 30/06/2025" in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Trang chủ" in client.get("/").content.decode()


def test_language_switch_on_the_login_page(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/dang-nhap/"})
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/"
    assert "Log in" in client.get("/dang-nhap/").content.decode()


def _render_page(language: str) -> str:
    template = Template(
        '{% extends "base.html" %}{% block content %}'
        '<td class="num">{{ n }}</td><td>{{ d }}</td><td>{{ r|floatformat:2 }}</td>'
        "{% endblock %}"
    )
    with translation.override(language):
        return template.render(
            Context({"n": 4807, "d": dt.date(2020, 2, 19), "r": 1.755, "request": None})
        )


def test_vietnamese_number_and_date_formats() -> None:
    vi = _render_page("vi")
    assert '<td class="num">4.807</td>' in vi
    assert "<td>19/02/2020</td>" in vi
    assert "<td>1,76</td>" in vi
    en = _render_page("en")
    assert '<td class="num">4,807</td>' in en
    assert "<td>19/02/2020</td>" in en
    assert "<td>1.76</td>" in en


def test_static_assets_are_local(client: Client, district_officer: User) -> None:
    client.force_login(district_officer)
    html = client.get("/").content.decode()
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html
    css = b"".join(client.get("/static/giamngheo/app.css").streaming_content)  # type: ignore[attr-defined]
    assert b".finding-error" in css and b"@media print" in css and b"url(" not in css


def test_english_catalog_complete_and_compiled() -> None:
    """Every string of the English catalog is translated, and the .mo matches the .po."""
    import gettext
    import re
    from pathlib import Path

    import giamngheo

    folder = Path(giamngheo.__file__).parent / "locale" / "en" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    with (folder / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    singles = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, flags=re.MULTILINE)
    assert len(singles) > 80
    for raw_id, raw_str in singles:
        msgid, msgstr = (s.replace('\\"', '"') for s in (raw_id, raw_str))
        assert msgstr, f"untranslated: {msgid}"
        assert mo.gettext(msgid) == msgstr, f".mo out of date for: {msgid}"
    plurals = re.findall(r'^msgid "(.+)"\nmsgid_plural "(.+)"\nmsgstr\[0\] "(.+)"', po, re.M)
    for msgid, plural, one in plurals:
        assert mo.ngettext(msgid, plural, 1) == one
