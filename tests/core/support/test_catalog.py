"""The support-type catalog: the shipped types, what each addresses per standard, the reader."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from giamngheo.core.standards import NATIONAL_STANDARD_IDS, UnknownStandard, get_standard
from giamngheo.core.support.catalog import (
    CATALOG_FILE,
    CATEGORIES,
    DATA_DIR,
    CatalogError,
    UnknownSupportType,
    catalog_from_dict,
    load_catalog,
    read_catalog,
)

CAT = load_catalog()
REQUIRED = {
    "breeding_cattle",
    "breeding_buffalo",
    "breeding_pig",
    "breeding_goat",
    "breeding_poultry",
    "seedlings",
    "fertiliser",
    "farm_tools",
    "model_replication",
    "vocational_training",
    "labour_export",
    "housing_new",
    "housing_repair",
    "clean_water",
    "latrine",
    "health_insurance_card",
    "tuition_exemption",
    "child_nutrition",
    "social_allowance",
    "information_equipment",
    "electricity_connection",
    "infrastructure_works",
    "loan_poor",
    "loan_near_poor",
    "loan_newly_escaped",
    "loan_housing",
    "loan_water_sanitation",
    "loan_students",
    "loan_job_creation",
    "loan_ethnic_minority_hardship",
    "loan_other",
}


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / CATALOG_FILE).read_text(encoding="utf-8"))
    return data


def test_the_catalog_has_every_required_type() -> None:
    assert set(CAT.codes) >= REQUIRED
    assert len(CAT.codes) == len(set(CAT.codes))


def test_every_indicator_in_the_catalog_exists_in_its_standard() -> None:
    for t in CAT.types:
        for standard_id, keys in t.indicators.items():
            assert standard_id in NATIONAL_STANDARD_IDS, t.code
            assert keys <= set(get_standard(standard_id).indicator_keys), (t.code, standard_id)


def test_categories_and_units_are_set() -> None:
    for t in CAT.types:
        assert t.category in CATEGORIES
        assert t.unit("vi") and t.unit("en")
    assert CAT.get("breeding_cattle").unit("vi") == "con"
    assert CAT.get("seedlings").unit("en") == "seedling"
    assert CAT.get("health_insurance_card").unit("vi") == "thẻ"


def test_breeding_stock_revolves_and_addresses_income_only() -> None:
    for code in ("breeding_cattle", "breeding_buffalo", "breeding_pig", "breeding_goat"):
        t = CAT.get(code)
        assert t.category == "production"
        assert t.revolving_allowed
        for sid in NATIONAL_STANDARD_IDS:
            assert CAT.addresses(code, sid) == {"income"}


def test_credit_types_never_revolve_in_the_commune() -> None:
    loans = [t for t in CAT.types if t.code.startswith("loan_")]
    assert {t.code for t in loans} == {c for c in REQUIRED if c.startswith("loan_")}
    assert all(t.is_credit and not t.revolving_allowed for t in loans)
    assert CAT.of_category("credit") == tuple(loans)


def test_housing_addresses_quality_and_the_new_build_area() -> None:
    for sid in NATIONAL_STANDARD_IDS:
        assert CAT.addresses("housing_new", sid) == {"housing_quality", "housing_area"}
        assert CAT.addresses("housing_repair", sid) == {"housing_quality"}
        assert CAT.addresses("loan_housing", sid) == {"housing_quality", "housing_area"}


def test_addresses_follow_each_standards_own_indicators() -> None:
    info = CAT.get("information_equipment")
    assert info.addresses("QD59-2015") == {"telecom", "info_assets"}
    assert info.addresses("ND07-2021") == {"telecom", "info_access"}
    assert info.addresses("ND351-2025") == {"telecom"}
    # QĐ 59/2015 has no employment or nutrition indicator
    assert CAT.addresses("vocational_training", "QD59-2015") == {"income"}
    assert CAT.addresses("vocational_training", "ND07-2021") == {
        "income",
        "employment",
        "adult_education",
    }
    assert CAT.addresses("labour_export", "ND351-2025") == {"income", "employment"}
    assert CAT.addresses("child_nutrition", "QD59-2015") == frozenset()
    assert CAT.addresses("child_nutrition", "ND07-2021") == {"nutrition"}
    assert CAT.addresses("waste_treatment", "ND351-2025") == {"waste"}
    assert CAT.addresses("waste_treatment", "ND07-2021") == frozenset()


def test_single_indicator_types() -> None:
    for sid in NATIONAL_STANDARD_IDS:
        assert CAT.addresses("clean_water", sid) == {"water"}
        assert CAT.addresses("latrine", sid) == {"sanitation"}
        assert CAT.addresses("health_insurance_card", sid) == {"health_insurance"}
        assert CAT.addresses("tuition_exemption", sid) == {"child_schooling"}
        assert CAT.addresses("loan_water_sanitation", sid) == {"water", "sanitation"}
        assert CAT.addresses("social_allowance", sid) == {"income"}
        assert CAT.addresses("infrastructure_works", sid) == frozenset()
        assert CAT.addresses("electricity_connection", sid) == frozenset()


def test_addressing_is_the_whole_map_for_one_standard() -> None:
    m = CAT.addressing("ND07-2021")
    assert list(m) == list(CAT.codes)
    assert m["latrine"] == {"sanitation"}
    assert m["loan_job_creation"] == {"income", "employment"}


def test_types_for_suggests_support_for_an_indicator() -> None:
    water = {t.code for t in CAT.types_for("water", "ND07-2021")}
    assert water == {"clean_water", "loan_water_sanitation"}
    assert "health_insurance_card" in {
        t.code for t in CAT.types_for("health_insurance", "QD59-2015")
    }
    assert CAT.types_for("health_access", "QD59-2015") == ()
    income = {t.code for t in CAT.types_for("income", "ND351-2025")}
    assert {"breeding_cattle", "loan_poor", "social_allowance"} <= income
    assert "latrine" not in income


def test_unknown_code_and_standard_are_refused() -> None:
    with pytest.raises(UnknownSupportType, match="no support type 'cow'"):
        CAT.get("cow")
    assert "cow" not in CAT and "latrine" in CAT
    with pytest.raises(UnknownStandard):
        CAT.addresses("latrine", "ND07-2022")


def test_labels_are_bilingual() -> None:
    t = CAT.get("latrine")
    assert t.label("vi") == "Hỗ trợ nhà tiêu hợp vệ sinh"
    assert t.label("en") == "Hygienic latrine"


def test_the_shipped_file_reads_the_same_through_read_catalog() -> None:
    assert read_catalog(DATA_DIR / CATALOG_FILE).codes == CAT.codes


# --------------------------------------------------------------------------- strict reader


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DELETE = object()
LATRINE = next(i for i, t in enumerate(raw()["types"]) if t["code"] == "latrine")


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        (("colour",), "red", "colour", "unknown key"),
        (("types", 0, "colour"), "red", "types[0].colour", "unknown key"),
        (("types", 0, "category"), "animals", "types[0].category", "expected one of"),
        (("types", 0, "revolving_allowed"), "yes", "types[0].revolving_allowed", "true or false"),
        (("types", 0, "unit_vi"), _DELETE, "types[0].unit_vi", "required key missing"),
        (("types", 0, "code"), "Breeding Cattle", "types[0].code", "lower-case"),
        (("types", 1, "code"), "breeding_cattle", "types[1].code", "duplicate code"),
        (("types", 0, "addresses", "weight"), 1, "types[0].addresses.weight", "unknown key"),
        (("types", 0, "addresses", "income"), _DELETE, "types[0].addresses.income", "missing"),
        (
            ("types", LATRINE, "addresses", "indicators", "QD59-2015"),
            ["info_access"],
            f"types[{LATRINE}].addresses.indicators.QD59-2015[0]",
            "'info_access' is not valid",
        ),
        (
            ("types", LATRINE, "addresses", "indicators", "ND07-2022"),
            ["water"],
            f"types[{LATRINE}].addresses.indicators.ND07-2022",
            "no standard 'ND07-2022'",
        ),
        (
            ("types", LATRINE, "addresses", "indicators", "ND07-2021"),
            ["sanitation", "sanitation"],
            f"types[{LATRINE}].addresses.indicators.ND07-2021[1]",
            "duplicate",
        ),
        (
            ("types", LATRINE, "provisional"),
            True,
            f"types[{LATRINE}].note_vi/note_en",
            "needs a note",
        ),
        (
            ("types", LATRINE, "note_vi"),
            "chỉ tiếng Việt",
            f"types[{LATRINE}].note_vi/note_en",
            "both",
        ),
        (("types", 0, "legal_basis"), {"signed": "2020-01-01"}, "legal_basis.instrument", ""),
        (
            ("types", 0, "legal_basis"),
            {"instrument": "X", "signed": "2020-02-30"},
            "types[0].legal_basis.signed",
            "YYYY-MM-DD",
        ),
        (("schema",), 2, "schema", "unsupported schema version"),
        (("types",), [], "types", "empty"),
    ],
)
def test_the_reader_refuses(
    tmp_path: Path, path: tuple[Any, ...], value: Any, where: str, says: str
) -> None:
    f = tmp_path / "my-types.json"
    f.write_text(json.dumps(_set(raw(), path, value), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        read_catalog(f)
    message = str(err.value)
    assert message.startswith("my-types.json: ")
    assert where in message
    assert says in message
    assert " / " in message  # Vietnamese / English


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "broken.json"
    f.write_text('{"schema": 1,\n "types": [,]}', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.json: dòng 2.*line 2"):
        read_catalog(f)


def test_catalog_from_dict_accepts_a_minimal_catalog() -> None:
    cat = catalog_from_dict(
        {
            "schema": 1,
            "types": [
                {
                    "code": "x",
                    "name_vi": "X",
                    "name_en": "X",
                    "category": "other",
                    "unit_vi": "cái",
                    "unit_en": "piece",
                    "revolving_allowed": False,
                    "addresses": {"income": False, "indicators": {"ND351-2025": ["waste"]}},
                }
            ],
        }
    )
    assert cat.addresses("x", "ND351-2025") == {"waste"}
    assert cat.addresses("x", "QD59-2015") == frozenset()
