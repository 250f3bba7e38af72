"""Golden cases: each standard and area at and around every line and cut."""

from __future__ import annotations

import unicodedata

import pytest

from giamngheo.core.standards import InvalidHousehold, classify_household, get_standard


def household(
    sid: str,
    *,
    area: object = "rural",
    income: object = None,
    score: object = None,
    deprived: int = 0,
    hid: str = "H1",
) -> dict[str, object]:
    keys = get_standard(sid).indicator_keys
    record: dict[str, object] = {"household_id": hid, "area": area}
    if income is not None:
        record["income"] = income
    if score is not None:
        record["income_score"] = score
    record.update({f"dep_{k}": int(i < deprived) for i, k in enumerate(keys)})
    return record


# (standard, area, income, deprivations) -> (classification, poor_basis)
INCOME_CASES = [
    # QD59-2015 rural: poverty 700,000; near-poverty 1,000,000; medium up to 1,500,000.
    ("QD59-2015", "rural", 0, 0, "poor", "income"),
    ("QD59-2015", "rural", 699_999, 0, "poor", "income"),
    ("QD59-2015", "rural", 700_000, 0, "poor", "income"),
    ("QD59-2015", "rural", 700_000, 5, "poor", "income"),
    ("QD59-2015", "rural", 700_001, 2, "near_poor", ""),
    ("QD59-2015", "rural", 700_001, 3, "poor", "deprivation"),
    ("QD59-2015", "rural", 999_999, 2, "near_poor", ""),
    ("QD59-2015", "rural", 1_000_000, 2, "near_poor", ""),
    ("QD59-2015", "rural", 1_000_000, 3, "poor", "deprivation"),
    ("QD59-2015", "rural", 1_000_001, 2, "medium", ""),
    ("QD59-2015", "rural", 1_000_001, 3, "medium", ""),
    ("QD59-2015", "rural", 1_500_000, 10, "medium", ""),
    ("QD59-2015", "rural", 1_500_001, 10, "non_poor", ""),
    # QD59-2015 urban: 900,000; 1,300,000; 1,950,000.
    ("QD59-2015", "urban", 900_000, 0, "poor", "income"),
    ("QD59-2015", "urban", 900_001, 2, "near_poor", ""),
    ("QD59-2015", "urban", 900_001, 3, "poor", "deprivation"),
    ("QD59-2015", "urban", 1_300_000, 2, "near_poor", ""),
    ("QD59-2015", "urban", 1_300_000, 3, "poor", "deprivation"),
    ("QD59-2015", "urban", 1_300_001, 3, "medium", ""),
    ("QD59-2015", "urban", 1_950_000, 0, "medium", ""),
    ("QD59-2015", "urban", 1_950_001, 0, "non_poor", ""),
    # A rural household's income is judged against rural lines, an urban one's against urban.
    ("QD59-2015", "urban", 1_000_001, 0, "near_poor", ""),
    # ND07-2021 rural: line 1,500,000; medium up to 2,250,000.
    ("ND07-2021", "rural", 0, 0, "near_poor", ""),
    ("ND07-2021", "rural", 1_499_999, 3, "poor", ""),
    ("ND07-2021", "rural", 1_500_000, 2, "near_poor", ""),
    ("ND07-2021", "rural", 1_500_000, 3, "poor", ""),
    ("ND07-2021", "rural", 1_500_001, 12, "medium", ""),  # no income-free poor branch
    ("ND07-2021", "rural", 2_250_000, 0, "medium", ""),
    ("ND07-2021", "rural", 2_250_001, 0, "non_poor", ""),
    # ND07-2021 urban: line 2,000,000; medium up to 3,000,000.
    ("ND07-2021", "urban", 2_000_000, 2, "near_poor", ""),
    ("ND07-2021", "urban", 2_000_000, 3, "poor", ""),
    ("ND07-2021", "urban", 2_000_001, 3, "medium", ""),
    ("ND07-2021", "urban", 3_000_000, 3, "medium", ""),
    ("ND07-2021", "urban", 3_000_001, 3, "non_poor", ""),
    # ND351-2025: rural 2,200,000, urban 2,800,000, no medium band.
    ("ND351-2025", "rural", 2_200_000, 2, "near_poor", ""),
    ("ND351-2025", "rural", 2_200_000, 3, "poor", ""),
    ("ND351-2025", "rural", 2_200_001, 3, "non_poor", ""),
    ("ND351-2025", "urban", 2_799_999, 3, "poor", ""),
    ("ND351-2025", "urban", 2_800_000, 2, "near_poor", ""),
    ("ND351-2025", "urban", 2_800_001, 12, "non_poor", ""),
]


@pytest.mark.parametrize(("sid", "area", "income", "d", "cls", "basis"), INCOME_CASES)
def test_income_rule(*, sid: str, area: str, income: int, d: int, cls: str, basis: str) -> None:
    r = classify_household(household(sid, area=area, income=income, deprived=d), sid)
    assert (r.classification, r.poor_basis) == (cls, basis)
    assert r.deprivation_count == d
    assert r.deprivation_score == 10 * d
    assert r.decided_by == "income"
    assert r.standard == sid
    assert not r.income_score_disagreement


# (standard, area, score, deprivations) -> (classification, poor_basis)
SCORE_CASES = [
    # TT 14/2018, B1: rural 120/150, urban 140/175; B2 = 10 x deprivations, cut 30.
    ("QD59-2015", "rural", 0, 0, "poor", "income"),
    ("QD59-2015", "rural", 120, 0, "poor", "income"),
    ("QD59-2015", "rural", 121, 2, "near_poor", ""),
    ("QD59-2015", "rural", 121, 3, "poor", "deprivation"),
    ("QD59-2015", "rural", 150, 2, "near_poor", ""),
    ("QD59-2015", "rural", 150, 3, "poor", "deprivation"),
    ("QD59-2015", "rural", 151, 10, "non_poor", ""),
    ("QD59-2015", "urban", 140, 0, "poor", "income"),
    ("QD59-2015", "urban", 141, 2, "near_poor", ""),
    ("QD59-2015", "urban", 141, 3, "poor", "deprivation"),
    ("QD59-2015", "urban", 175, 3, "poor", "deprivation"),
    ("QD59-2015", "urban", 175, 2, "near_poor", ""),
    ("QD59-2015", "urban", 176, 3, "non_poor", ""),
    ("QD59-2015", "rural", 149.5, 2, "near_poor", ""),
    # TT 07/2021, A: rural 140, urban 175; B >= 30 poor.
    ("ND07-2021", "rural", 0, 2, "near_poor", ""),
    ("ND07-2021", "rural", 140, 2, "near_poor", ""),
    ("ND07-2021", "rural", 140, 3, "poor", ""),
    ("ND07-2021", "rural", 141, 12, "non_poor", ""),
    ("ND07-2021", "urban", 175, 2, "near_poor", ""),
    ("ND07-2021", "urban", 175, 3, "poor", ""),
    ("ND07-2021", "urban", 176, 3, "non_poor", ""),
    ("ND07-2021", "urban", 141, 3, "poor", ""),
]


@pytest.mark.parametrize(("sid", "area", "score", "d", "cls", "basis"), SCORE_CASES)
def test_score_rule(*, sid: str, area: str, score: float, d: int, cls: str, basis: str) -> None:
    r = classify_household(household(sid, area=area, score=score, deprived=d), sid)
    assert (r.classification, r.poor_basis) == (cls, basis)
    assert r.decided_by == "score"


def test_score_beats_income_and_disagreement_is_flagged() -> None:
    # Income 1,200,000 with 3 deprivations is poor; A = 150 > 140 is non-poor: the score decides.
    r = classify_household(
        household("ND07-2021", income=1_200_000, score=150, deprived=3), "ND07-2021"
    )
    assert r.classification == "non_poor"
    assert r.decided_by == "score"
    assert r.income_score_disagreement
    assert "the form score decides" in r.disagreement_en
    assert "poor" in r.disagreement_en
    assert "điểm phiếu quyết định" in r.disagreement_vi
    assert r.disagreement_en in r.explanation_en


def test_medium_income_agrees_with_a_non_poor_score() -> None:
    """The score rules have no medium band: medium by income and non-poor by score agree."""
    r = classify_household(household("ND07-2021", income=2_000_000, score=150), "ND07-2021")
    assert r.classification == "non_poor"
    assert not r.income_score_disagreement


def test_qd59_income_and_score_agreeing() -> None:
    r = classify_household(household("QD59-2015", income=650_000, score=110), "QD59-2015")
    assert (r.classification, r.poor_basis, r.income_score_disagreement) == (
        "poor",
        "income",
        False,
    )


def test_nd351_ignores_a_score_when_there_is_an_income_and_says_so() -> None:
    r = classify_household(
        household("ND351-2025", income=2_000_000, score=100, deprived=3), "ND351-2025"
    )
    assert r.classification == "poor"
    assert r.decided_by == "income"
    assert any("has no score rule" in n for n in r.notes_en)


def test_explanation_names_the_line_the_income_and_each_deprivation() -> None:
    r = classify_household(household("ND07-2021", income=1_200_000, deprived=3), "ND07-2021")
    assert r.deprived == ("employment", "dependants", "nutrition")
    assert r.deprived_text == "employment;dependants;nutrition"
    for text in (
        "1.200.000",
        "1.500.000",
        "Việc làm",
        "Người phụ thuộc trong hộ gia đình",
        "Dinh dưỡng",
        "hộ nghèo",
        "NĐ 07/2021/NĐ-CP",
        "nông thôn",
    ):
        assert text in r.explanation_vi
    for text in (
        "1,200,000",
        "1,500,000",
        "Employment",
        "Dependants in the household",
        "Nutrition",
        "→ poor",
        "ND07-2021",
    ):
        assert text in r.explanation_en


def test_explanation_of_the_two_qd59_poor_branches() -> None:
    r = classify_household(household("QD59-2015", income=600_000), "QD59-2015")
    assert "≤ the poverty line 700,000" in r.explanation_en
    assert "income-poor" in r.explanation_en
    assert "nghèo về thu nhập" in r.explanation_vi
    r = classify_household(
        household("QD59-2015", area="urban", income=1_000_000, deprived=4), "QD59-2015"
    )
    assert "poverty line 900,000" in r.explanation_en
    assert "near-poverty line 1,300,000" in r.explanation_en
    assert "lack of access to basic services" in r.explanation_en
    assert "Bảo hiểm y tế" in r.explanation_vi  # second indicator


def test_explanation_of_scores() -> None:
    r = classify_household(household("QD59-2015", score=130, deprived=3), "QD59-2015")
    assert "score B1 = 130 ≤ 150 and score B2 = 30 ≥ 30" in r.explanation_en
    assert "TT 14/2018/TT-BLĐTBXH" in r.explanation_vi


def test_provisional_medium_band_is_noted() -> None:
    r = classify_household(household("QD59-2015", income=1_200_000), "QD59-2015")
    assert r.classification == "medium"
    assert any("provisional" in n for n in r.notes_en)
    assert "provisional" in r.explanation_en
    r = classify_household(household("ND07-2021", income=1_700_000), "ND07-2021")
    assert r.classification == "medium"
    assert r.notes_en == ()


def test_nd351_provisional_indicators_are_noted_for_every_household() -> None:
    r = classify_household(household("ND351-2025", income=100), "ND351-2025")
    assert any("provisional" in n for n in r.notes_en)
    r = classify_household(household("ND351-2025", income=3_000_000), "ND351-2025")
    assert any("No medium-living-standard band" in n for n in r.notes_en)


def test_vietnamese_headings_are_accepted_in_any_case_and_normal_form() -> None:
    std = get_standard("QD59-2015")
    record: dict[str, object] = {
        "Mã hộ": "KT-001",
        "KHU VỰC": unicodedata.normalize("NFD", "Thành thị"),
        "Thu nhập bình quân đầu người / tháng": "1100000",
        "Điểm B1": "160",
    }
    for i, ind in enumerate(std.indicators):
        heading = ind.name_vi.upper() if i % 2 else unicodedata.normalize("NFD", ind.name_vi)
        record[heading] = "1" if i < 3 else "0"
    r = classify_household(record, std)
    assert (r.household_id, r.area, r.classification, r.poor_basis) == (
        "KT-001",
        "urban",
        "poor",
        "deprivation",
    )
    assert r.income_score == 160
    assert r.income == 1_100_000
    assert not r.income_score_disagreement


@pytest.mark.parametrize("area", ["Nông thôn", "nong thon", "RURAL", " rural "])
def test_rural_spellings(area: str) -> None:
    r = classify_household(household("ND07-2021", area=area, income=1_600_000), "ND07-2021")
    assert r.area == "rural"


def test_numbers_as_text_and_floats() -> None:
    r = classify_household(household("ND07-2021", income=" 1500000.0 ", deprived=3), "ND07-2021")
    assert r.classification == "poor"
    rec = household("ND07-2021", income=1_500_000.5)
    rec["dep_water"] = True
    rec["dep_telecom"] = 1.0
    r = classify_household(rec, "ND07-2021")
    assert (r.classification, r.deprived) == ("medium", ("water", "telecom"))


# ----------------------------------------------------------------------------- invalid input


def errors_of(record: dict[str, object], sid: str) -> dict[str, str]:
    with pytest.raises(InvalidHousehold) as info:
        classify_household(record, sid, row=7)
    assert info.value.row == 7
    assert "row 7" in str(info.value)
    return {e.field: e.message_en for e in info.value.errors}


@pytest.mark.parametrize("area", ["suburb", "1", "", None, 1])
def test_unknown_or_missing_area(area: object) -> None:
    errs = errors_of(household("ND07-2021", area=area, income=1), "ND07-2021")
    assert list(errs) == ["area"]


def test_error_names_household_and_field_in_both_languages() -> None:
    with pytest.raises(InvalidHousehold) as info:
        classify_household(household("ND07-2021", area="suburb", income=1, hid="KT-9"), "ND07-2021")
    err = info.value
    assert err.household_id == "KT-9"
    assert "KT-9" in str(err) and "area" in str(err)
    (e,) = err.errors
    assert e.message_vi.startswith("khu vực không hợp lệ")
    assert "'suburb'" in e.message_en


@pytest.mark.parametrize("income", [-1, "-5", -0.5])
def test_negative_income(income: object) -> None:
    assert "negative" in errors_of(household("ND07-2021", income=income), "ND07-2021")["income"]


@pytest.mark.parametrize(
    "income", ["abc", "1,500,000", float("nan"), float("inf"), True, "0x10", [1]]
)
def test_non_numeric_income(income: object) -> None:
    assert "not a number" in errors_of(household("ND07-2021", income=income), "ND07-2021")["income"]


@pytest.mark.parametrize("income", ["1.500.000", "700.000"])
def test_dots_as_thousands_separators_are_refused(income: str) -> None:
    msg = errors_of(household("QD59-2015", income=income), "QD59-2015")["income"]
    assert "thousands separators" in msg


def test_negative_or_non_numeric_score() -> None:
    assert "negative" in errors_of(household("QD59-2015", score=-1), "QD59-2015")["income_score"]
    assert (
        "not a number" in errors_of(household("QD59-2015", score="x"), "QD59-2015")["income_score"]
    )


@pytest.mark.parametrize("flag", [2, -1, 0.5, "x", "yes", "", None, float("nan")])
def test_flag_not_0_or_1(flag: object) -> None:
    rec = household("ND07-2021", income=1)
    rec["dep_water"] = flag
    errs = errors_of(rec, "ND07-2021")
    assert list(errs) == ["dep_water"]
    assert "Domestic water source" in errs["dep_water"]


def test_missing_indicator_column() -> None:
    rec = household("ND07-2021", income=1)
    del rec["dep_nutrition"]
    assert "no column dep_nutrition" in errors_of(rec, "ND07-2021")["dep_nutrition"]


def test_neither_income_nor_score() -> None:
    errs = errors_of(household("ND07-2021"), "ND07-2021")
    assert errs == {"income": "neither income nor form score A given"}
    errs = errors_of(household("ND07-2021", income="  ", score=""), "ND07-2021")
    assert list(errs) == ["income"]


def test_score_without_income_under_a_standard_with_no_score_rule() -> None:
    errs = errors_of(household("ND351-2025", score=100), "ND351-2025")
    assert list(errs) == ["income_score"]
    assert "no form score rule" in errs["income_score"]


@pytest.mark.parametrize(
    ("sid", "column"),
    [
        ("ND351-2025", "dep_info_access"),
        ("QD59-2015", "dep_waste"),
        ("ND07-2021", "dep_unknown_thing"),
    ],
)
def test_indicator_the_standard_does_not_have(sid: str, column: str) -> None:
    rec = household(sid, income=1)
    rec[column] = 0
    errs = errors_of(rec, sid)
    assert list(errs) == [column]
    assert f"has no indicator {column}" in errs[column]


def test_a_blank_foreign_indicator_is_not_an_error() -> None:
    rec = household("ND351-2025", income=1)
    rec["dep_info_access"] = ""
    assert classify_household(rec, "ND351-2025").classification == "near_poor"


def test_foreign_indicator_by_vietnamese_name() -> None:
    rec = household("ND07-2021", income=1)
    rec["Xử lý rác thải sinh hoạt"] = 1
    errs = errors_of(rec, "ND07-2021")
    assert "has no indicator dep_waste" in errs["dep_waste"]
    assert 'column "Xử lý rác thải sinh hoạt"' in errs["dep_waste"]


def test_missing_household_id_and_all_errors_at_once() -> None:
    rec = household("ND07-2021", area="x", income="y", hid="")
    rec["dep_water"] = 7
    errs = errors_of(rec, "ND07-2021")
    assert set(errs) == {"household_id", "area", "income", "dep_water"}
