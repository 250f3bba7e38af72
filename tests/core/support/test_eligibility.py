"""Eligibility rules: the class at a date, newly escaped households, each shipped rule's edges,
the housing priority order, and the strict reader's refusals."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giamngheo.core.support.catalog import DATA_DIR
from giamngheo.core.support.eligibility import (
    CLASS_NOT_ELIGIBLE,
    INACTIVE,
    INDEPENDENT_SINCE_UNKNOWN,
    NO_APPROVED_REVIEW,
    NOT_DEPRIVED,
    NOT_ETHNIC_MINORITY,
    NOT_INDEPENDENT_LONG_ENOUGH,
    PREVIOUS_SUPPORT,
    RULES_FILE,
    ClassAt,
    EligibilityRulesError,
    HouseholdFacts,
    UnknownRule,
    check,
    class_at,
    escape_date,
    get_rule,
    load_rules,
    newly_escaped,
    read_rules,
    years_before,
)

RULES = load_rules()
ND07 = "ND07-2021"


def review(year: int, cls: str, *deprived: str, day: date | None = None) -> ClassAt:
    """An end-of-year periodic review (15 December) unless ``day`` is given."""
    return ClassAt(
        year=year,
        review_date=day or date(year, 12, 15),
        classification=cls,
        deprived=frozenset(deprived),
        standard_id=ND07 if year >= 2021 else "QD59-2015",
    )


def hh(*history: ClassAt, **kw: Any) -> HouseholdFacts:
    return HouseholdFacts(household_id=7, history=history, **kw)


def test_the_named_rules_are_shipped() -> None:
    assert {
        "poor",
        "near_poor",
        "newly_escaped",
        "poor_near_poor",
        "poor_near_poor_escaped",
        "ethnic_minority_poor_near_poor",
        "housing_qd33_2015",
        "housing_p5_2022",
        "any_household",
    } <= set(RULES)
    assert RULES["poor_near_poor_escaped"].escaped_within_years == 3
    assert RULES["housing_p5_2022"].independent_years == 3
    assert RULES["housing_qd33_2015"].legal_basis.instrument == "QĐ 33/2015/QĐ-TTg"
    for rule in RULES.values():
        assert rule.confidence in ("H", "M", "L")
        if rule.provisional:
            assert rule.note is not None
    with pytest.raises(UnknownRule, match="no eligibility rule 'rich'"):
        get_rule("rich")
    assert load_rules() is not load_rules()  # callers get their own dict


# --------------------------------------------------------------------------- class at a date


def test_class_at_counts_the_review_day_itself() -> None:
    history = (review(2019, "poor"), review(2020, "medium"))
    assert class_at(history, date(2020, 12, 15)) == history[1]
    assert class_at(history, date(2020, 12, 14)) == history[0]
    assert class_at(history, date(2019, 12, 14)) is None
    assert class_at((), date(2020, 1, 1)) is None


@given(
    st.lists(
        st.tuples(st.integers(2016, 2030), st.sampled_from(["poor", "near_poor", "medium"])),
        min_size=1,
        max_size=8,
        unique_by=lambda t: t[0],
    ),
    st.dates(date(2015, 1, 1), date(2032, 12, 31)),
    st.randoms(),
)
def test_class_at_is_the_latest_review_whatever_the_order(
    rows: list[tuple[int, str]], on: date, rnd: Any
) -> None:
    history = [review(y, c) for y, c in rows]
    shuffled = list(history)
    rnd.shuffle(shuffled)
    before = [e for e in history if e.review_date <= on]
    expected = max(before, key=lambda e: e.review_date) if before else None
    assert class_at(shuffled, on) == expected


# --------------------------------------------------------------------------- newly escaped


def test_escape_is_counted_from_the_review_that_recognised_it() -> None:
    history = (review(2019, "poor"), review(2020, "medium"), review(2021, "non_poor"))
    assert escape_date(history, date(2022, 6, 1)) == date(2020, 12, 15)
    # exactly three years after the escape review: still newly escaped
    assert newly_escaped(history, date(2023, 12, 15), 3)
    assert not newly_escaped(history, date(2023, 12, 16), 3)
    # not newly escaped while still poor, nor when never poor
    assert not newly_escaped(history, date(2020, 6, 1), 3)
    assert escape_date((review(2020, "medium"),), date(2021, 1, 1)) is None


def test_escaping_near_poverty_counts_only_when_the_rule_says_so() -> None:
    history = (review(2020, "near_poor"), review(2021, "medium"))
    on = date(2022, 3, 1)
    assert newly_escaped(history, on, 3)
    assert not newly_escaped(history, on, 3, frozenset({"poor"}))
    # poor → near-poor → medium: the escape from poverty was at the near-poor review
    chain = (review(2019, "poor"), review(2020, "near_poor"), review(2021, "medium"))
    assert escape_date(chain, on, frozenset({"poor"})) == date(2020, 12, 15)
    assert escape_date(chain, on) == date(2021, 12, 15)


def test_years_before_handles_the_leap_day() -> None:
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert years_before(date(2024, 3, 1), 3) == date(2021, 3, 1)


# --------------------------------------------------------------------------- the rules


def test_poor_on_the_review_day_and_the_message_of_a_non_poor_household() -> None:
    facts = hh(review(2019, "non_poor"), review(2020, "poor"))
    assert check(RULES["poor"], facts, date(2020, 12, 15)).eligible
    result = check(RULES["poor"], facts, date(2020, 3, 15))
    assert not result.eligible
    assert result.codes == (CLASS_NOT_ELIGIBLE,)
    assert result.reasons[0].message_vi.startswith(
        "Hộ không nghèo tại ngày 15/03/2020 (rà soát 2019)"
    )
    assert result.reasons[0].message_en.startswith(
        "The household is non-poor on 15/03/2020 (review 2019)"
    )
    assert result.basis == facts.history[0]
    assert result.group == "non_poor"
    assert not result.can_justify  # the poor rule allows no justification


def test_no_history_is_not_eligible() -> None:
    for rule_id in ("poor", "poor_near_poor", "poor_near_poor_escaped", "housing_p5_2022"):
        result = check(RULES[rule_id], hh(), date(2022, 5, 1))
        assert not result.eligible
        assert NO_APPROVED_REVIEW in result.codes
        assert result.basis is None and result.group == "unreviewed"
        assert "05/2022" in result.reasons[0].message_vi


def test_an_inactive_household_is_never_eligible_and_cannot_be_justified() -> None:
    facts = hh(review(2021, "poor"), active=False)
    for rule in RULES.values():
        result = check(rule, facts, date(2022, 5, 1))
        assert not result.eligible
        assert result.codes[0] == INACTIVE
        assert not result.can_justify


def test_poor_near_poor_escaped_at_exactly_three_years() -> None:
    rule = RULES["poor_near_poor_escaped"]
    facts = hh(review(2019, "poor"), review(2020, "medium"))
    on_time = check(rule, facts, date(2023, 12, 15))
    assert on_time.eligible and on_time.group == "newly_escaped"
    late = check(rule, facts, date(2023, 12, 16))
    assert not late.eligible
    assert late.codes == (CLASS_NOT_ELIGIBLE,)
    assert "thoát nghèo ngày 15/12/2020, quá 3 năm" in late.reasons[0].message_vi
    assert "escaped within 3 years" in late.reasons[0].message_en
    assert late.can_justify  # the rule allows a recorded justification, the household is active
    near = check(rule, hh(review(2021, "near_poor")), date(2022, 1, 1))
    assert near.eligible and near.group == "near_poor"


def test_an_escape_from_near_poverty_with_a_poor_only_variant() -> None:
    rule = dataclasses.replace(RULES["poor_near_poor_escaped"], escaped_from=frozenset({"poor"}))
    facts = hh(review(2020, "near_poor"), review(2021, "medium"))
    assert check(RULES["poor_near_poor_escaped"], facts, date(2022, 6, 1)).eligible
    assert not check(rule, facts, date(2022, 6, 1)).eligible


def test_newly_escaped_alone() -> None:
    rule = RULES["newly_escaped"]
    assert rule.classes == frozenset()
    assert check(rule, hh(review(2021, "poor"), review(2022, "medium")), date(2023, 1, 1)).eligible
    still_poor = check(rule, hh(review(2022, "poor")), date(2023, 1, 1))
    assert still_poor.codes == (CLASS_NOT_ELIGIBLE,)
    assert "Hộ nghèo tại ngày 01/01/2023 (rà soát 2022)" in still_poor.reasons[0].message_vi


def test_ethnic_minority_rule() -> None:
    rule = RULES["ethnic_minority_poor_near_poor"]
    history = (review(2021, "near_poor"),)
    assert check(rule, hh(*history, ethnic_minority=True), date(2022, 2, 1)).eligible
    result = check(rule, hh(*history), date(2022, 2, 1))
    assert result.codes == (NOT_ETHNIC_MINORITY,)


def test_housing_qd33_2015() -> None:
    rule = RULES["housing_qd33_2015"]
    on = date(2017, 6, 1)
    assert check(rule, hh(review(2016, "poor", "housing_quality")), on).eligible
    not_deprived = check(rule, hh(review(2016, "poor", "water")), on)
    assert not_deprived.codes == (NOT_DEPRIVED,)
    assert "chất lượng nhà ở" in not_deprived.reasons[0].message_vi
    assert "housing quality" in not_deprived.reasons[0].message_en
    supported = check(
        rule,
        hh(
            review(2016, "poor", "housing_quality"),
            previous_support_categories=frozenset({"housing"}),
        ),
        on,
    )
    assert supported.codes == (PREVIOUS_SUPPORT,)
    # other earlier support does not matter
    other = hh(
        review(2016, "poor", "housing_quality"), previous_support_categories=frozenset({"credit"})
    )
    assert check(rule, other, on).eligible
    # a near-poor household fails on its class and keeps the deprivation check
    both = check(rule, hh(review(2016, "near_poor")), on)
    assert both.codes == (CLASS_NOT_ELIGIBLE, NOT_DEPRIVED)


def test_housing_p5_2022_independent_for_three_years() -> None:
    rule = RULES["housing_p5_2022"]
    on = date(2023, 4, 10)
    history = (review(2022, "near_poor", "housing_quality"),)
    assert check(rule, hh(*history, independent_since=date(2020, 4, 10)), on).eligible
    young = check(rule, hh(*history, independent_since=date(2020, 4, 11)), on)
    assert young.codes == (NOT_INDEPENDENT_LONG_ENOUGH,)
    assert "11/04/2020" in young.reasons[0].message_vi
    unknown = check(rule, hh(*history), on)
    assert unknown.codes == (INDEPENDENT_SINCE_UNKNOWN,)
    medium = check(rule, hh(review(2022, "medium"), independent_since=date(2001, 1, 1)), on)
    assert medium.codes == (CLASS_NOT_ELIGIBLE, NOT_DEPRIVED)
    assert not medium.can_justify


def test_housing_priority_order() -> None:
    rule = RULES["housing_p5_2022"]
    assert rule.priority == ("ethnic_minority", "merit", "social_assistance")
    base = (review(2022, "poor", "housing_quality"),)
    on = date(2023, 1, 1)

    def key(**flags: bool) -> int:
        return check(rule, hh(*base, independent_since=date(2000, 1, 1), **flags), on).priority

    ordered = [
        key(ethnic_minority=True, merit_member=True, social_assistance_member=True),
        key(ethnic_minority=True, merit_member=True),
        key(ethnic_minority=True, social_assistance_member=True),
        key(ethnic_minority=True),
        key(merit_member=True, social_assistance_member=True),
        key(merit_member=True),
        key(social_assistance_member=True),
        key(),
    ]
    assert ordered == sorted(ordered)
    assert len(set(ordered)) == len(ordered)
    assert ordered[0] == 0
    # rules without an order give every household 0
    assert check(RULES["poor"], hh(*base, ethnic_minority=True), on).priority == 0
    assert check(RULES["poor"], hh(*base), on).priority == 0


def test_any_household_needs_no_review_but_must_be_active() -> None:
    rule = RULES["any_household"]
    assert check(rule, hh(), date(2022, 1, 1)).eligible
    assert check(rule, hh(review(2021, "non_poor")), date(2022, 1, 1)).eligible
    assert check(rule, hh(active=False), date(2022, 1, 1)).codes == (INACTIVE,)


# --------------------------------------------------------------------------- strict reader


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / RULES_FILE).read_text(encoding="utf-8"))
    return data


def index_of(rule_id: str) -> int:
    return next(i for i, r in enumerate(raw()["rules"]) if r["id"] == rule_id)


POOR = index_of("poor")
P5 = index_of("housing_p5_2022")
ESC = index_of("poor_near_poor_escaped")
NEAR = index_of("near_poor")


@pytest.mark.parametrize(
    ("change", "value", "where", "says"),
    [
        ((POOR, "colour"), "red", f"rules[{POOR}].colour", "unknown key"),
        ((POOR, "classes"), ["rich"], f"rules[{POOR}].classes[0]", "'rich' is not valid"),
        ((POOR, "classes"), [], f"rules[{POOR}].classes", "serves nobody"),
        ((POOR, "requires_deprived"), ["roof"], "requires_deprived[0]", "'roof' is not valid"),
        (
            (POOR, "no_previous_support_categories"),
            ["houses"],
            "no_previous_support_categories[0]",
            "'houses' is not valid",
        ),
        ((P5, "priority"), ["veterans"], f"rules[{P5}].priority[0]", "'veterans' is not valid"),
        ((P5, "independent_years"), -1, f"rules[{P5}].independent_years", "integer"),
        ((POOR, "escaped_from"), ["poor"], f"rules[{POOR}].escaped_from", "escaped_within_years"),
        ((ESC, "escaped_from"), ["medium"], f"rules[{ESC}].escaped_from[0]", "not valid"),
        ((ESC, "escaped_from"), [], f"rules[{ESC}].escaped_from", "which classes"),
        ((POOR, "allow_justification"), "no", "allow_justification", "true or false"),
        ((POOR, "confidence"), "L", f"rules[{POOR}].provisional", "low-confidence"),
        ((POOR, "confidence"), "X", f"rules[{POOR}].confidence", "expected one of"),
        ((POOR, "legal_basis"), "QĐ 1", f"rules[{POOR}].legal_basis", "expected an object"),
        ((POOR, "id"), "near_poor", f"rules[{NEAR}].id", "duplicate id 'near_poor'"),
    ],
)
def test_the_reader_refuses(
    tmp_path: Path, change: tuple[int, str], value: Any, where: str, says: str
) -> None:
    data = copy.deepcopy(raw())
    index, key = change
    data["rules"][index][key] = value
    f = tmp_path / "rules.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EligibilityRulesError) as err:
        read_rules(f)
    message = str(err.value)
    assert message.startswith("rules.json: ")
    assert where in message
    assert says in message
    assert " / " in message


def test_the_reader_refuses_deprivations_without_a_review(tmp_path: Path) -> None:
    data = copy.deepcopy(raw())
    anyone = index_of("any_household")
    data["rules"][anyone]["requires_deprived"] = ["water"]
    f = tmp_path / "rules.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EligibilityRulesError, match=rf"rules\[{anyone}\]\.requires_deprived"):
        read_rules(f)


def test_the_reader_refuses_a_missing_required_key(tmp_path: Path) -> None:
    data = copy.deepcopy(raw())
    del data["rules"][POOR]["allow_justification"]
    f = tmp_path / "rules.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EligibilityRulesError, match=r"allow_justification: .*required key missing"):
        read_rules(f)


def test_dates_just_around_the_window() -> None:
    rule = RULES["poor_near_poor_escaped"]
    facts = hh(review(2020, "poor"), review(2021, "non_poor"))
    edge = date(2024, 12, 15)
    assert check(rule, facts, edge).eligible
    assert not check(rule, facts, edge + timedelta(days=1)).eligible
