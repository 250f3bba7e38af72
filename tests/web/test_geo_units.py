"""Administrative units: models, code reuse across the 2025 reform, successions, the demo loader,
the import from the vietnam-provinces package and from its older three-level JSON format, and
name matching."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from giamngheo.geo.models import AdminUnit, Area, Kind, Level, Succession
from giamngheo.geo.services import (
    REFORM_DATE,
    REFORM_LAST_OLD_DAY,
    UnitImportError,
    UnitNameError,
    import_vietnam_provinces,
    load_ngoc_hoi_demo,
    match_unit,
    package_data_path,
)

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2020, 2, 19)
AFTER = dt.date(2025, 7, 1)


def _unit(code: str, level: str, on: dt.date) -> AdminUnit:
    return AdminUnit.objects.valid_on(on).get(code=code, level=level)


# -- model --------------------------------------------------------------------------------------


def test_save_fills_level_area_name_key_and_pads_code() -> None:
    province = AdminUnit.objects.create(code="1", name="Thành phố Hà Nội", kind=Kind.CENTRAL_CITY)
    assert (province.code, province.level, province.area) == ("01", Level.PROVINCE, "")
    ward = AdminUnit.objects.create(
        code="70", name="Phường Hoàn Kiếm", kind=Kind.WARD, parent=province
    )
    assert (ward.code, ward.level, ward.area, ward.name_key) == (
        "00070",
        Level.COMMUNE,
        Area.URBAN,
        "hoan kiem",
    )
    township = AdminUnit.objects.create(code="23377", name="Thị trấn Plei Kần", kind=Kind.TOWNSHIP)
    commune = AdminUnit.objects.create(code="23380", name="Xã Đắk Ang", kind=Kind.COMMUNE)
    zone = AdminUnit.objects.create(code="31153", name="Đặc khu Phú Quốc", kind=Kind.SPECIAL_ZONE)
    assert (township.area, commune.area, zone.area) == (Area.URBAN, Area.RURAL, Area.RURAL)
    village = AdminUnit.objects.create(name="Thôn 1", kind=Kind.THON, parent=commune)
    assert (village.code, village.level, village.area) == ("", Level.VILLAGE, Area.RURAL)


def test_code_reuse_across_periods_and_valid_on() -> None:
    units = load_ngoc_hoi_demo()
    both = AdminUnit.objects.filter(code="23377", level=Level.COMMUNE)  # older period first
    assert [(u.name, u.valid_from, u.valid_to) for u in both] == [
        ("Thị trấn Plei Kần", None, REFORM_LAST_OLD_DAY),
        ("Xã Bờ Y", REFORM_DATE, None),
    ]
    assert _unit("23377", Level.COMMUNE, BEFORE).name == "Thị trấn Plei Kần"
    assert _unit("23377", Level.COMMUNE, REFORM_LAST_OLD_DAY).name == "Thị trấn Plei Kần"
    assert _unit("23377", Level.COMMUNE, AFTER).name == "Xã Bờ Y"
    assert _unit("23377", Level.COMMUNE, AFTER).parent == units.province_new
    assert _unit("23377", Level.COMMUNE, BEFORE).parent == units.district
    # Before the reform Ngọc Hồi has 8 communes; after it there is no district at all.
    assert AdminUnit.objects.valid_on(BEFORE).filter(parent=units.district).count() == 8
    assert not AdminUnit.objects.valid_on(AFTER).filter(level=Level.DISTRICT).exists()
    assert units.communes_old["23377"].is_valid_on(BEFORE)
    assert not units.communes_old["23377"].is_valid_on(AFTER)


def test_identity_is_code_level_and_start() -> None:
    AdminUnit.objects.create(code="23377", name="Thị trấn Plei Kần", kind=Kind.TOWNSHIP)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminUnit.objects.create(code="23377", name="Thị trấn khác", kind=Kind.TOWNSHIP)
    AdminUnit.objects.create(
        code="23377", name="Xã Bờ Y", kind=Kind.COMMUNE, valid_from=REFORM_DATE
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminUnit.objects.create(
            code="23377", name="Xã Bờ Y", kind=Kind.COMMUNE, valid_from=REFORM_DATE
        )
    # The same code at another level is another unit (district 611 vs commune 00611).
    AdminUnit.objects.create(code="611", name="Huyện Ngọc Hồi", kind=Kind.DISTRICT)


def test_period_must_be_ordered() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminUnit.objects.create(
            code="23380",
            name="Xã Đắk Ang",
            kind=Kind.COMMUNE,
            valid_from=dt.date(2025, 7, 1),
            valid_to=dt.date(2025, 6, 30),
        )


def test_successions_both_ways() -> None:
    units = load_ngoc_hoi_demo()
    duc_nong = units.communes_new["23383"]
    assert duc_nong.name == "Xã Dục Nông"
    assert sorted(u.name for u in duc_nong.predecessors()) == [
        "Xã Đắk Ang",
        "Xã Đắk Dục",
        "Xã Đắk Nông",
    ]
    assert [u.name for u in units.communes_old["23380"].successors()] == ["Xã Dục Nông"]
    bo_y = units.communes_new["23377"]
    assert sorted(u.code for u in bo_y.predecessors()) == ["23377", "23389", "23395"]
    assert sorted(u.code for u in units.communes_new["23392"].predecessors()) == [
        "23392",
        "23398",
    ]
    # Kon Tum merged into Quảng Ngãi.
    assert list(units.province_old.successors()) == [units.province_new]
    # Queryable from the Succession table too.
    into = Succession.objects.filter(successor__code="23377", successor__valid_from=REFORM_DATE)
    assert into.count() == 3
    assert {s.effective_date for s in Succession.objects.all()} == {REFORM_DATE}


def test_demo_loader_is_idempotent() -> None:
    first = load_ngoc_hoi_demo()
    counts = (AdminUnit.objects.count(), Succession.objects.count())
    second = load_ngoc_hoi_demo()
    assert (AdminUnit.objects.count(), Succession.objects.count()) == counts
    assert counts == (2 + 8 + 8 * 4 + 1 + 3, 8 + 1)
    assert first.district.pk == second.district.pk
    assert first.communes_old["23380"].pk == second.communes_old["23380"].pk


def test_demo_villages() -> None:
    units = load_ngoc_hoi_demo()
    plei_kan = units.communes_old["23377"]
    assert plei_kan.area == Area.URBAN
    assert [v.name for v in plei_kan.children.order_by("name")] == [
        "Tổ dân phố 1",
        "Tổ dân phố 2",
        "Tổ dân phố 3",
        "Tổ dân phố 4",
    ]
    dak_ang = units.communes_old["23380"]
    villages = list(dak_ang.children.all())
    assert {v.kind for v in villages} == {Kind.THON}
    assert {v.area for v in villages} == {Area.RURAL}
    assert {v.valid_to for v in villages} == {REFORM_LAST_OLD_DAY}


def test_descendants_in_one_query(django_assert_num_queries: Any) -> None:
    units = load_ngoc_hoi_demo()
    with django_assert_num_queries(1):
        below = list(units.province_old.descendants())
    assert len(below) == 1 + 8 + 32
    assert units.province_old not in below
    assert units.communes_old["23380"].is_descendant_of(units.province_old)
    assert not units.communes_new["23383"].is_descendant_of(units.province_old)


# -- import -------------------------------------------------------------------------------------


def _package_counts() -> tuple[int, int]:
    data = json.loads(package_data_path().read_text(encoding="utf-8"))
    return len(data), sum(len(p["wards"]) for p in data)


def test_import_from_the_package() -> None:
    result = import_vietnam_provinces()
    n_provinces, n_communes = _package_counts()
    assert (n_provinces, n_communes) == (34, 3321)
    assert result.structure == "2-level"
    assert result.created == {Level.PROVINCE: 34, Level.DISTRICT: 0, Level.COMMUNE: 3321}
    current = AdminUnit.objects.valid_on(AFTER)
    assert current.filter(level=Level.PROVINCE).count() == 34
    assert current.filter(level=Level.COMMUNE).count() == 3321
    assert not current.filter(level=Level.DISTRICT).exists()
    quang_ngai = current.get(code="51", level=Level.PROVINCE)
    assert quang_ngai.name == "Tỉnh Quảng Ngãi"
    duc_nong = current.get(code="23383", level=Level.COMMUNE)
    assert (duc_nong.name, duc_nong.parent, duc_nong.valid_from) == (
        "Xã Dục Nông",
        quang_ngai,
        REFORM_DATE,
    )
    ha_noi = current.get(code="01")
    assert (ha_noi.kind, ha_noi.name) == (Kind.CENTRAL_CITY, "Thành phố Hà Nội")
    hoan_kiem = current.get(code="00070")
    assert (hoan_kiem.area, hoan_kiem.parent) == (Area.URBAN, ha_noi)
    kinds = set(current.filter(level=Level.COMMUNE).values_list("kind", flat=True))
    assert kinds == {Kind.COMMUNE, Kind.WARD, Kind.SPECIAL_ZONE}


def test_import_is_idempotent_and_merges_with_the_demo() -> None:
    demo = load_ngoc_hoi_demo()
    first = import_vietnam_provinces()
    # The demo's Quảng Ngãi and its three communes are the package's: updated, not duplicated.
    assert first.created[Level.PROVINCE] == 33
    assert first.created[Level.COMMUNE] == 3318
    total = AdminUnit.objects.count()
    second = import_vietnam_provinces()
    assert AdminUnit.objects.count() == total
    assert second.created == {Level.PROVINCE: 0, Level.DISTRICT: 0, Level.COMMUNE: 0}
    assert second.updated == {Level.PROVINCE: 0, Level.DISTRICT: 0, Level.COMMUNE: 0}
    assert second.unchanged[Level.COMMUNE] == 3321
    assert AdminUnit.objects.get(pk=demo.communes_new["23383"].pk).name == "Xã Dục Nông"
    # Successions recorded by the demo survive.
    assert demo.communes_new["23383"].predecessors().count() == 3


def _old_format() -> list[dict[str, Any]]:
    def ward(code: int, name: str, kind: str) -> dict[str, Any]:
        return {"name": name, "code": code, "division_type": kind, "codename": "x"}

    return [
        {
            "name": "Tỉnh Kon Tum",
            "code": 62,
            "division_type": "tỉnh",
            "codename": "tinh_kon_tum",
            "phone_code": 260,
            "districts": [
                {
                    "name": "Huyện Ngọc Hồi",
                    "code": 611,
                    "division_type": "huyện",
                    "codename": "huyen_ngoc_hoi",
                    "wards": [
                        ward(23377, "Thị trấn Plei Kần", "thị trấn"),
                        ward(23380, "Xã Đắk Ang", "xã"),
                        ward(23383, "Xã Đắk Dục", "xã"),
                    ],
                },
                {
                    "name": "Thành phố Kon Tum",
                    "code": 608,
                    "division_type": "thành phố",
                    "codename": "thanh_pho_kon_tum",
                    "wards": [ward(23281, "Phường Quang Trung", "phường")],
                },
            ],
        },
        {
            "name": "Thành phố Hà Nội",
            "code": 1,
            "division_type": "thành phố trung ương",
            "codename": "thanh_pho_ha_noi",
            "phone_code": 24,
            "districts": [
                {
                    "name": "Quận Ba Đình",
                    "code": 1,
                    "division_type": "quận",
                    "codename": "quan_ba_dinh",
                    "wards": [ward(1, "Phường Phúc Xá", "phường")],
                }
            ],
        },
    ]


def _write(tmp_path: Path, data: object, name: str = "units.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_older_three_level_file(tmp_path: Path) -> None:
    demo = load_ngoc_hoi_demo()
    result = import_vietnam_provinces(_write(tmp_path, _old_format()))
    assert result.structure == "3-level"
    assert (result.valid_from, result.valid_to) == (None, REFORM_LAST_OLD_DAY)
    assert result.total(Level.PROVINCE) == 2
    assert result.total(Level.DISTRICT) == 3
    assert result.total(Level.COMMUNE) == 5
    # Kon Tum, Ngọc Hồi and its three communes already came from the demo: updated in place.
    assert result.created == {Level.PROVINCE: 1, Level.DISTRICT: 2, Level.COMMUNE: 2}
    old = AdminUnit.objects.valid_on(BEFORE)
    phuc_xa = old.get(code="00001", level=Level.COMMUNE)
    assert phuc_xa.parent is not None and phuc_xa.parent.code == "001"
    assert phuc_xa.parent.kind == Kind.URBAN_DISTRICT
    assert phuc_xa.parent.parent is not None and phuc_xa.parent.parent.code == "01"
    kon_tum_city = old.get(code="608")
    assert (kon_tum_city.kind, kon_tum_city.parent) == (Kind.PROVINCIAL_CITY, demo.province_old)
    assert old.get(code="23377", level=Level.COMMUNE).pk == demo.communes_old["23377"].pk
    # Old and new data side by side: 23377 twice, told apart by period.
    import_vietnam_provinces()
    assert _unit("23377", Level.COMMUNE, BEFORE).name == "Thị trấn Plei Kần"
    assert _unit("23377", Level.COMMUNE, AFTER).name == "Xã Bờ Y"
    # Idempotent.
    again = import_vietnam_provinces(_write(tmp_path, _old_format()))
    assert sum(again.created.values()) == 0
    assert sum(again.updated.values()) == 0


def test_import_large_old_file_is_fast(tmp_path: Path) -> None:
    """~10,600 wards in the pre-2025 data: the import is bulk (a few seconds at most)."""
    import time

    provinces = []
    code = 0
    for p in range(1, 64):
        districts = []
        for d in range(11):
            wards = []
            for _ in range(15):
                code += 1
                wards.append({"name": f"Xã Số {code}", "code": code, "division_type": "xã"})
            districts.append(
                {
                    "name": f"Huyện {p}-{d}",
                    "code": p * 100 + d,
                    "division_type": "huyện",
                    "wards": wards,
                }
            )
        provinces.append(
            {"name": f"Tỉnh {p}", "code": p, "division_type": "tỉnh", "districts": districts}
        )
    path = _write(tmp_path, provinces)
    start = time.perf_counter()
    result = import_vietnam_provinces(path)
    elapsed = time.perf_counter() - start
    assert result.created[Level.COMMUNE] == 63 * 11 * 15
    assert elapsed < 30  # generous for a shared CI machine; typically ~1-2 s


@pytest.mark.parametrize(
    ("data", "json_path", "english"),
    [
        ({"name": "x"}, "$", "expected a JSON list"),
        ([], "$", "empty"),
        ([{"name": "Tỉnh A", "code": 1, "division_type": "tỉnh"}], "$[0]", "neither"),
        (
            [{"name": "Tỉnh A", "code": 1, "division_type": "tỉnh", "wards": [{"name": "Xã B"}]}],
            "$[0].wards[0].code",
            "missing field 'code'",
        ),
        (
            [
                {
                    "name": "Tỉnh A",
                    "code": 1,
                    "division_type": "tỉnh",
                    "districts": [
                        {
                            "name": "Huyện B",
                            "code": 2,
                            "division_type": "huyện",
                            "wards": [
                                {"name": "Xã C", "code": 3, "division_type": "xã"},
                                {"name": "Xã D", "code": "abc", "division_type": "xã"},
                            ],
                        }
                    ],
                }
            ],
            "$[0].districts[0].wards[1].code",
            "invalid code",
        ),
        (
            [{"name": "Tỉnh A", "code": 1, "division_type": "vương quốc", "wards": []}],
            "$[0].division_type",
            "unknown division type",
        ),
        (
            [{"name": "Tỉnh A", "code": 1, "division_type": "xã", "wards": []}],
            "$[0].division_type",
            "not a province-level type",
        ),
        (
            [
                {"name": "Tỉnh A", "code": 1, "division_type": "tỉnh", "wards": []},
                {"name": "Tỉnh B", "code": 1, "division_type": "tỉnh", "wards": []},
            ],
            "$[1]",
            "duplicates $[0]",
        ),
        (
            [
                {"name": "Tỉnh A", "code": 1, "division_type": "tỉnh", "wards": []},
                {"name": "Tỉnh B", "code": 2, "division_type": "tỉnh", "districts": []},
            ],
            "$[1]",
            "mixed structure",
        ),
    ],
)
def test_malformed_file_error_names_file_and_path(
    tmp_path: Path, data: object, json_path: str, english: str
) -> None:
    path = _write(tmp_path, data, "hong.json")
    before = AdminUnit.objects.count()
    with pytest.raises(UnitImportError) as info:
        import_vietnam_provinces(path)
    err = info.value
    assert err.file == str(path)
    assert err.json_path == json_path
    assert english in err.message_en
    assert err.message_vi and err.message_vi != err.message_en
    assert str(path) in str(err) and json_path in str(err)
    assert AdminUnit.objects.count() == before


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "Tỉnh A",]', encoding="utf-8")
    with pytest.raises(UnitImportError, match=r"bad\.json.*dòng 1.*line 1"):
        import_vietnam_provinces(bad)
    with pytest.raises(UnitImportError, match="không đọc được tệp"):
        import_vietnam_provinces(tmp_path / "missing.json")


def test_nothing_is_stored_when_a_late_entry_is_bad(tmp_path: Path) -> None:
    data = _old_format()
    data[1]["districts"][0]["wards"].append({"name": "Phường X", "code": 5})
    with pytest.raises(UnitImportError, match=r"\$\[1\]\.districts\[0\]\.wards\[1\]"):
        import_vietnam_provinces(_write(tmp_path, data))
    assert AdminUnit.objects.count() == 0


# -- matching names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Xã Đắk Ang",
        "Đắk Ang",
        "Đăk Ang",
        "ĐĂK ANG",
        "đắk ang",
        "dak ang",
        "DAK ANG",
        "xã đăk ang",
        "XÃ ĐẮK ANG",
        "  Xã   Đắk  Ang  ",
        "\tĐăk Ang\n",
        unicodedata.normalize("NFD", "Xã Đắk Ang"),
        unicodedata.normalize("NFD", "Đăk Ang"),
        unicodedata.normalize("NFC", "Đăk Ang"),
    ],
)
def test_match_unit_survives_real_world_spellings(typed: str) -> None:
    demo = load_ngoc_hoi_demo()
    among = AdminUnit.objects.filter(parent=demo.district)
    assert match_unit(typed, among) == demo.communes_old["23380"]


@pytest.mark.parametrize(
    "typed", ["Thị trấn Plei Kần", "TT Plei Kần", "thị  trấn plei kần", "Plei Kần", "PLEI KAN"]
)
def test_match_unit_township(typed: str) -> None:
    demo = load_ngoc_hoi_demo()
    assert match_unit(typed, AdminUnit.objects.all()) == demo.communes_old["23377"]


def test_match_unit_ward_with_and_without_phuong() -> None:
    import_vietnam_provinces()
    ha_noi = AdminUnit.objects.get(code="01", valid_from=REFORM_DATE)
    among = AdminUnit.objects.filter(parent=ha_noi)
    assert match_unit("Phường Hoàn Kiếm", among).code == "00070"
    assert match_unit("hoan  kiem", among).code == "00070"


def test_match_unit_by_date_resolves_reused_names() -> None:
    demo = load_ngoc_hoi_demo()
    # "Bờ Y" is both the old commune 23395 and the new commune 23377.
    with pytest.raises(UnitNameError) as info:
        match_unit("Bờ Y", AdminUnit.objects.all())
    err = info.value
    assert err.reason == "ambiguous"
    assert {u.code for u in err.candidates} == {"23377", "23395"}
    assert "23377" in err.message_vi and "23395" in err.message_en
    assert "không rõ" in str(err) and "ambiguous" in str(err)
    assert match_unit("Bờ Y", AdminUnit.objects.all(), BEFORE) == demo.communes_old["23395"]
    assert match_unit("Bờ Y", AdminUnit.objects.all(), AFTER) == demo.communes_new["23377"]


def test_match_unit_kind_prefix_breaks_a_tie() -> None:
    province = AdminUnit.objects.create(code="62", name="Tỉnh Kon Tum", kind=Kind.PROVINCE)
    district = AdminUnit.objects.create(
        code="615", name="Huyện Đắk Hà", kind=Kind.DISTRICT, parent=province
    )
    township = AdminUnit.objects.create(
        code="23500", name="Thị trấn Đắk Hà", kind=Kind.TOWNSHIP, parent=district
    )
    commune = AdminUnit.objects.create(
        code="23503", name="Xã Đắk Hà", kind=Kind.COMMUNE, parent=district
    )
    among = AdminUnit.objects.filter(parent=district)
    assert match_unit("Thị trấn Đắk Hà", among) == township
    assert match_unit("xã đăk hà", among) == commune
    with pytest.raises(UnitNameError) as info:
        match_unit("Đắk Hà", among)
    assert info.value.reason == "ambiguous"
    assert set(info.value.candidates) == {township, commune}


def test_match_unit_name_beginning_with_a_kind_word() -> None:
    """ "Tịnh Hòa" typed without "Xã" must not be read as "Tỉnh" + "Hòa"."""
    province = AdminUnit.objects.create(
        code="51", name="Tỉnh Quảng Ngãi", kind=Kind.PROVINCE, valid_from=REFORM_DATE
    )
    tinh_hoa = AdminUnit.objects.create(
        code="21001", name="Xã Tịnh Hòa", kind=Kind.COMMUNE, parent=province
    )
    hoa = AdminUnit.objects.create(code="21002", name="Xã Hòa", kind=Kind.COMMUNE, parent=province)
    among = AdminUnit.objects.filter(parent=province)
    assert match_unit("Tịnh Hòa", among) == tinh_hoa
    assert match_unit("Xã Tịnh Hòa", among) == tinh_hoa
    assert match_unit("Hòa", among) == hoa


def test_match_unit_unknown_lists_candidates() -> None:
    demo = load_ngoc_hoi_demo()
    among = AdminUnit.objects.filter(parent=demo.district)
    with pytest.raises(UnitNameError) as info:
        match_unit("Đắk Anh", among)
    err = info.value
    assert err.reason == "unknown"
    assert demo.communes_old["23380"] in err.candidates
    assert "Xã Đắk Ang" in err.message_vi and "Xã Đắk Ang" in err.message_en
    assert "Không tìm thấy" in str(err) and "No unit named" in str(err)
    # A unit outside ``among`` is not a match, even with the exact name.
    with pytest.raises(UnitNameError):
        match_unit("Dục Nông", among)
    with pytest.raises(UnitNameError):
        match_unit("   ", among)
