"""Plausibility flags before the commune's decision: each fires, and stays quiet when it should."""

from __future__ import annotations

from dataclasses import replace

import pytest

from giamngheo.core.review.plausibility import (
    CommuneReduction,
    HouseholdYear,
    Person,
    PlausibilityParams,
    check_plausibility,
    class_jumps,
    duplicate_people,
    escapes_without_change,
    reductions_beyond_target,
)

DEPS = frozenset({"water", "sanitation", "telecom"})


def hh(
    previous: str | None = "poor",
    proposed: str = "non_poor",
    *,
    income: tuple[float | None, float | None] = (1_200_000, 1_200_000),
    deprived: tuple[frozenset[str], frozenset[str]] = (DEPS, DEPS),
    hid: str = "H1",
) -> HouseholdYear:
    return HouseholdYear(
        household_id=hid,
        code=f"C-{hid}",
        head_name="Nguyễn Văn A",
        village="Thôn 1",
        previous_class=previous,  # type: ignore[arg-type]
        proposed_class=proposed,  # type: ignore[arg-type]
        previous_income=income[0],
        proposed_income=income[1],
        previous_deprived=deprived[0],
        proposed_deprived=deprived[1],
    )


# --- escape with no change ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("household", "fires"),
    [
        (hh("poor", "non_poor"), True),
        (hh("poor", "near_poor"), True),  # poor → near-poor needs fewer deprivations
        (hh("near_poor", "medium", deprived=(frozenset(), frozenset())), True),
        (hh(income=(1_200_000, 1_300_000)), True),  # +100,000: within the tolerance
        (hh(income=(1_200_000, 1_300_001)), False),
        (hh(income=(1_200_000, 900_000)), True),  # income fell
        (hh(income=(None, None)), True),  # nothing recorded either year
        (hh(income=(None, 1_200_000)), False),  # nothing to compare
        (hh(deprived=(DEPS, DEPS - {"water"})), False),  # an indicator improved
        (hh(deprived=(DEPS, DEPS | {"nutrition"})), True),  # only got worse
        (hh("poor", "poor"), False),
        (hh("near_poor", "poor"), False),
        (hh(None, "non_poor"), False),
        (hh("medium", "non_poor"), False),
    ],
)
def test_escape_without_change(household: HouseholdYear, fires: bool) -> None:
    flags = escapes_without_change([household])
    assert bool(flags) is fires
    if fires:
        (f,) = flags
        assert f.kind == "escape_without_change" and f.severity == "warning"
        assert f.household_ids == ("H1",)
        assert "C-H1" in f.message_vi and "Nguyễn Văn A" in f.message_en


def test_escape_tolerance_is_a_parameter() -> None:
    h = hh(income=(1_200_000, 1_250_000))
    assert escapes_without_change([h])
    assert not escapes_without_change([h], PlausibilityParams(escape_income_tolerance=10_000))


# --- several classes in one year ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("previous", "proposed", "fires"),
    [
        ("poor", "non_poor", True),
        ("poor", "medium", True),
        ("non_poor", "poor", True),
        ("medium", "poor", True),
        ("poor", "near_poor", False),
        ("near_poor", "non_poor", False),  # the ordinary escape from near-poverty
        ("non_poor", "near_poor", False),
        ("medium", "non_poor", False),
        (None, "poor", False),  # new household: no previous class
    ],
)
def test_class_jumps(previous: str | None, proposed: str, fires: bool) -> None:
    flags = class_jumps([hh(previous, proposed)])
    assert bool(flags) is fires
    if fires:
        assert flags[0].kind == "class_jump" and flags[0].severity == "check"


def test_jump_steps_parameter() -> None:
    h = hh("near_poor", "non_poor")
    assert class_jumps([h], PlausibilityParams(jump_min_steps=1))


# --- duplicate people ---------------------------------------------------------------------------
def person(hid: str, name: str, year: int | None, nid: str = "", commune: str = "23377") -> Person:
    return Person(hid, f"C-{hid}", commune, name, year, nid)


def test_same_citizen_id_in_two_households() -> None:
    flags = duplicate_people(
        [
            person("H2", "Trần Thị B", 1990, "062 190 001 234"),
            person("H1", "Tran Thi B", 1990, "062190001234"),
            person("H3", "Lê Văn C", 1980, "062180009999"),
        ]
    )
    (f,) = [f for f in flags if f.kind == "duplicate_citizen_id"]
    assert f.severity == "warning"
    assert f.household_ids == ("H1", "H2")
    assert "062*******34" in f.message_vi and "062190001234" not in f.message_en


def test_same_citizen_id_in_one_household_is_not_this_check() -> None:
    assert not duplicate_people([person("H1", "A", 1990, "062190001234")] * 2)


def test_possible_duplicate_by_folded_name_and_birth_year() -> None:
    flags = duplicate_people(
        [person("H1", "Nguyễn Thị Đào", 1985), person("H2", "NGUYEN  THI DAO", 1985)]
    )
    (f,) = flags
    assert f.kind == "possible_duplicate_person" and f.severity == "check"
    assert f.household_ids == ("H1", "H2")
    assert f.commune == "23377"


@pytest.mark.parametrize(
    "other",
    [
        person("H2", "Nguyễn Thị Đào", 1986),  # another birth year
        person("H2", "Nguyễn Thị Đào", 1985, commune="23392"),  # another commune
        person("H1", "Nguyễn Thị Đào", 1985),  # same household
        person("H2", "Nguyễn Thị Đào", None),  # birth year unknown
    ],
)
def test_possible_duplicate_quiet(other: Person) -> None:
    base = person("H1", "Nguyễn Thị Đào", 1985, nid="062185000001")
    assert duplicate_people([base, other]) == ()


def test_folding_drops_tone_marks() -> None:
    """Folded names ignore diacritics, so "Đào" and "Đảo" are a possible duplicate (a check)."""
    flags = duplicate_people(
        [person("H1", "Nguyễn Thị Đào", 1985), person("H2", "Nguyễn Thị Đảo", 1985)]
    )
    assert [f.kind for f in flags] == ["possible_duplicate_person"]


def test_two_different_ids_are_two_people() -> None:
    a = person("H1", "Nguyễn Thị Đào", 1985, "062185000001")
    b = person("H2", "Nguyễn Thị Đào", 1985, "062185000002")
    assert duplicate_people([a, b]) == ()
    assert duplicate_people([a, replace(b, national_id="")])  # one without ID: may be the same


# --- reduction beyond the plan target -------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "target", "fires"),
    [
        (200, 150, 20, True),  # 50 > 20 × 1.5
        (200, 170, 20, False),  # 30 = 20 × 1.5: not beyond
        (200, 169, 20, True),  # 31 > 30
        (500, 379, 100, True),  # 121 > 100 + 20
        (500, 380, 100, False),  # 120: neither margin exceeded
        (50, 46, 2, False),  # 4 > 2 × 1.5, but only 2 above target (< reduction_min_excess)
        (50, 45, 2, True),  # 5 > 3 and 3 above target
        (50, 40, None, False),  # no target
        (50, 50, 0, False),
    ],
)
def test_reduction_beyond_target(start: int, end: int, target: int | None, fires: bool) -> None:
    c = CommuneReduction("23377", "Xã Bờ Y", start, end, target)
    flags = reductions_beyond_target([c])
    assert bool(flags) is fires
    if fires:
        (f,) = flags
        assert f.kind == "reduction_beyond_target" and f.commune == "23377"
        assert "Xã Bờ Y" in f.message_vi and str(start - end) in f.message_en


def test_reduction_parameters() -> None:
    c = CommuneReduction("23377", "Xã Bờ Y", 200, 170, 20)
    assert reductions_beyond_target([c], PlausibilityParams(reduction_factor=1.2))
    assert not reductions_beyond_target([c], PlausibilityParams(reduction_min_excess=11))


# --- all together ---------------------------------------------------------------------------------
def test_check_plausibility_sorts_stably() -> None:
    households = [hh("poor", "non_poor", hid="H9"), hh("non_poor", "poor", hid="H2")]
    persons = [person("H5", "A", 1990), person("H4", "a", 1990)]
    communes = [CommuneReduction("23377", "Xã Bờ Y", 200, 100, 10)]
    flags = check_plausibility(households, persons, communes)
    assert [(f.severity, f.kind, f.household_ids) for f in flags] == [
        ("warning", "escape_without_change", ("H9",)),
        ("warning", "reduction_beyond_target", ()),
        ("check", "class_jump", ("H2",)),
        ("check", "class_jump", ("H9",)),
        ("check", "possible_duplicate_person", ("H4", "H5")),
    ]
    again = check_plausibility(list(reversed(households)), reversed(persons), communes)
    assert again == flags
