"""The standards' data: lines, indicators, score rules, selection by year, local standards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from giamngheo.core.standards import (
    InvalidStandard,
    UnknownStandard,
    classify_household,
    get_standard,
    load_standard,
    national_standards,
    resolve_standard,
    standard_for,
    standard_from_dict,
)

KEYS = {
    "QD59-2015": (
        "health_access health_insurance adult_education child_schooling housing_quality"
        " housing_area water sanitation telecom info_assets"
    ),
    "ND07-2021": (
        "employment dependants nutrition health_insurance adult_education child_schooling"
        " housing_quality housing_area water sanitation telecom info_access"
    ),
    "ND351-2025": (
        "employment dependants nutrition health_insurance adult_education child_schooling"
        " housing_quality housing_area water sanitation waste telecom"
    ),
}


@pytest.mark.parametrize("sid", sorted(KEYS))
def test_indicator_keys_are_exactly_the_issues_lists(sid: str) -> None:
    assert get_standard(sid).indicator_keys == tuple(KEYS[sid].split())


def test_qd59_lines_dimensions_and_score_rule() -> None:
    s = get_standard("QD59-2015")
    assert s.years == (2016, 2021)
    assert s.rule == "qd59"
    assert s.legal_basis.instrument == "QĐ 59/2015/QĐ-TTg"
    assert (s.lines["rural"].poverty, s.lines["rural"].near_poverty) == (700_000, 1_000_000)
    assert (s.lines["urban"].poverty, s.lines["urban"].near_poverty) == (900_000, 1_300_000)
    assert (s.lines["rural"].medium_upper, s.lines["urban"].medium_upper) == (1_500_000, 1_950_000)
    assert s.medium_band_provisional
    assert len(s.dimensions) == 5
    assert s.score_rule is not None
    assert s.score_rule.score_name == "B1"
    assert (s.score_rule.cuts["rural"].poor, s.score_rule.cuts["rural"].near_poor) == (120, 150)
    assert (s.score_rule.cuts["urban"].poor, s.score_rule.cuts["urban"].near_poor) == (140, 175)
    assert s.score_rule.min_deprivation_score == 30


def test_nd07_lines_dimensions_and_score_rule() -> None:
    s = get_standard("ND07-2021")
    assert s.years == (2022, 2026)
    assert s.rule == "line_and_deprivations"
    assert s.lines["rural"].near_poverty == 1_500_000
    assert s.lines["urban"].near_poverty == 2_000_000
    # Medium band up to 1.5 x line.
    assert s.lines["rural"].medium_upper == 2_250_000
    assert s.lines["urban"].medium_upper == 3_000_000
    assert not s.medium_band_provisional
    assert len(s.dimensions) == 6
    assert s.score_rule is not None
    assert s.score_rule.score_name == "A"
    assert s.score_rule.cuts["rural"].poor is None
    assert (s.score_rule.cuts["rural"].near_poor, s.score_rule.cuts["urban"].near_poor) == (
        140,
        175,
    )


def test_nd351_is_provisional_without_medium_band_or_score_rule() -> None:
    s = get_standard("ND351-2025")
    assert s.years == (2027, 2030)
    assert s.lines["rural"].near_poverty == 2_200_000
    assert s.lines["urban"].near_poverty == 2_800_000
    assert s.lines["rural"].medium_upper is None
    assert s.score_rule is None
    assert s.score_rule_note is not None
    assert "no review-form score rule" in s.score_rule_note.en.lower()
    assert s.notes and all(i.provisional for i in s.indicators)
    dims = {d.key: [i.key for i in d.indicators] for d in s.dimensions}
    assert dims["water_sanitation_environment"] == ["water", "sanitation", "waste"]
    assert dims["information"] == ["telecom"]


@pytest.mark.parametrize(
    ("year", "review", "expected"),
    [
        (2015, "periodic", "QD59-2015"),
        (2020, "periodic", "QD59-2015"),
        (2021, "periodic", "ND07-2021"),  # the end-2021 baseline review for 2022-2025
        (2025, "periodic", "ND07-2021"),
        (2026, "periodic", "ND351-2025"),  # end-2026 review makes the 2027 list
        (2029, "periodic", "ND351-2025"),
        (2016, "adhoc", "QD59-2015"),
        (2021, "adhoc", "QD59-2015"),
        (2022, "adhoc", "ND07-2021"),
        (2026, "adhoc", "ND07-2021"),
        (2027, "adhoc", "ND351-2025"),
        (2030, "adhoc", "ND351-2025"),
    ],
)
def test_standard_for_year_and_review(year: int, review: str, expected: str) -> None:
    assert standard_for(year, review).id == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("year", "review"), [(2014, "periodic"), (2030, "periodic"), (2015, "adhoc"), (2031, "adhoc")]
)
def test_years_outside_the_known_standards_are_a_clear_error(year: int, review: str) -> None:
    with pytest.raises(UnknownStandard, match=r"no national standard is in force in \d+"):
        standard_for(year, review)  # type: ignore[arg-type]


def test_unknown_review_kind_and_id() -> None:
    with pytest.raises(ValueError, match="review"):
        standard_for(2022, "yearly")  # type: ignore[arg-type]
    with pytest.raises(UnknownStandard, match="QD59-2015, ND07-2021, ND351-2025"):
        get_standard("ND99-2040")


def test_national_standards_in_order() -> None:
    assert [s.id for s in national_standards()] == ["QD59-2015", "ND07-2021", "ND351-2025"]


def _household(
    standard_id: str, income: int, deprived: int, area: str = "rural"
) -> dict[str, object]:
    keys = get_standard(standard_id).indicator_keys
    record: dict[str, object] = {"household_id": "L1", "area": area, "income": income}
    record.update({f"dep_{k}": int(i < deprived) for i, k in enumerate(keys)})
    return record


def test_a_local_standard_is_data_only_json(tmp_path: Path) -> None:
    """A province raises the lines of ND07-2021 with a small file, no code."""
    path = tmp_path / "kon-tum-2024.json"
    path.write_text(
        json.dumps(
            {
                "based_on": "ND07-2021",
                "id": "KT-2024",
                "name_vi": "Chuẩn nghèo đa chiều tỉnh Kon Tum",
                "name_en": "Kon Tum local standard",
                "legal_basis": {"instrument": "NQ xx/2024/NQ-HĐND", "effective": "2024-01-01"},
                "lines": {
                    "rural": {
                        "poverty": 1_800_000,
                        "near_poverty": 1_800_000,
                        "medium_upper": 2_700_000,
                    },
                    "urban": {
                        "poverty": 2_400_000,
                        "near_poverty": 2_400_000,
                        "medium_upper": 3_600_000,
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    local = load_standard(path)
    assert local.id == "KT-2024"
    assert not local.national
    assert local.based_on == "ND07-2021"
    assert local.legal_basis.instrument == "NQ xx/2024/NQ-HĐND"
    assert local.indicator_keys == get_standard("ND07-2021").indicator_keys
    r = classify_household(_household("ND07-2021", 1_700_000, 3), local)
    assert (r.standard, r.classification) == ("KT-2024", "poor")
    assert "1,800,000" in r.explanation_en
    # Under the national standard the same household is medium.
    assert classify_household(
        _household("ND07-2021", 1_700_000, 3), "ND07-2021"
    ).classification == ("medium")
    assert resolve_standard(str(path)).id == "KT-2024"


def test_a_local_standard_in_toml_can_change_the_cutoff(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        """
based_on = "ND07-2021"
id = "HCM-2022"
deprivation_cutoff = 2

[lines.rural]
poverty = 2_500_000
near_poverty = 2_500_000
medium_upper = 3_000_000
""",
        encoding="utf-8",
    )
    local = load_standard(path)
    assert local.deprivation_cutoff == 2
    assert classify_household(_household("ND07-2021", 2_400_000, 2), local).classification == "poor"
    assert classify_household(
        _household("ND07-2021", 1_900_000, 1, "urban"), local
    ).classification == ("near_poor")


def test_a_standalone_standard_dict() -> None:
    data: dict[str, object] = {
        "id": "X-1",
        "name_vi": "x",
        "name_en": "x",
        "legal_basis": {"instrument": "x"},
        "years_in_force": [2020, 2020],
        "rule": "line_and_deprivations",
        "deprivation_cutoff": 1,
        "points_per_deprivation": 10,
        "lines": {
            "rural": {"poverty": 10, "near_poverty": 10, "medium_upper": None},
            "urban": {"poverty": 20, "near_poverty": 20, "medium_upper": None},
        },
        "dimensions": [
            {
                "key": "d",
                "name_vi": "d",
                "name_en": "d",
                "indicators": [{"key": "a", "name_vi": "Chỉ số A", "name_en": "A"}],
            }
        ],
    }
    s = standard_from_dict(data)
    r = classify_household({"household_id": "1", "area": "urban", "income": 20, "Chỉ số A": 1}, s)
    assert (r.classification, r.deprived) == ("poor", ("a",))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": "magic"}, "rule"),
        ({"years_in_force": [2030, 2020]}, "years_in_force"),
        ({"lines": {"rural": {"poverty": -1}}}, "lines.rural.poverty"),
        ({"lines": {"rural": {"poverty": 1_600_000}}}, "poverty == near_poverty"),
        ({"dimensions": []}, "dimensions"),
        ({"schema": 2}, "schema"),
    ],
)
def test_malformed_standard_data_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidStandard, match=message):
        standard_from_dict({"based_on": "ND07-2021", **change})


def test_based_on_must_name_a_national_standard() -> None:
    with pytest.raises(InvalidStandard, match="based_on"):
        standard_from_dict({"based_on": "KT-2024"})
