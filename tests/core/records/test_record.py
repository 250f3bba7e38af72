"""The whole-record function: a household with its members checked at once (the survey
form, ODK / Kobo, the API), with the facts ``facts_needed`` names."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from records_data import DAK_ANG, DAK_DUC, child, household, make_context, member

from giamngheo.core.records import (
    Context,
    FieldError,
    Registered,
    RegistryFacts,
    Seen,
    facts_needed,
    record_seen,
    validate_household,
)
from giamngheo.core.records.headings import HOUSEHOLD_HEADINGS, MEMBER_HEADINGS


def test_a_good_record(context: Context) -> None:
    result = validate_household(household(), [member(), child()], context, RegistryFacts())
    assert result.valid and result.errors == ()
    clean = result.clean
    assert clean is not None
    assert clean["code"] == "H1" and clean["commune"] == DAK_ANG.id and clean["head"] is None
    assert clean["result"]["classification"] == "poor"
    assert [m["full_name"] for m in clean["members"]] == ["A Blong", "Y Nhi"]
    assert [m["code"] for m in clean["members"]] == ["H1", "H1"]  # the record's, always
    assert clean["members"][1]["relationship"] == "child"


def test_every_error_with_its_field_and_member(context: Context) -> None:
    record = household(persons="x", village="Thôn 99")
    members = [
        member(),
        child(sex="?", birth=2030),
        child(full_name="", national_id="062080000001"),
    ]
    result = validate_household(record, members, context, RegistryFacts())
    assert not result.valid and result.clean is None
    assert [(e.member, e.field, e.code) for e in result.errors] == [
        (None, "village", "unknown_village"),
        (None, "persons", "bad_persons"),
        (1, "sex", "bad_sex"),
        (1, "birth", "impossible_age"),
        (1, "national_id", "id_birth_year_mismatch"),  # its number says 2010
        (2, "full_name", "missing_name"),
        (2, "national_id", "id_sex_mismatch"),
        (2, "national_id", "id_birth_year_mismatch"),
        (2, "national_id", "duplicate_national_id"),  # the head's number, member 1
    ]
    duplicate = result.errors[-1]
    assert duplicate.message_en == "the same ID is on row 1 (household H1)"
    assert all(isinstance(e, FieldError) and e.message_vi and e.message_en for e in result.errors)


def test_the_checks_against_the_members(context: Context) -> None:
    result = validate_household(household(female_head=1), [member()], context, RegistryFacts())
    assert [(e.member, e.field, e.code) for e in result.errors] == [
        (None, "female_head", "flag_conflict"),
        (None, "persons", "persons_mismatch"),
    ]
    # not made when the household itself has errors (as in the spreadsheet import)
    result = validate_household(household(head_name=""), [], context, RegistryFacts())
    assert [e.code for e in result.errors] == ["missing_head_name"]


def test_the_registry_facts_it_needs_and_uses(context: Context) -> None:
    records = [
        (household(), [member(), child(national_id="062*******02")]),
        (
            household(
                "H2",
                commune_code="23383",
                village=None,
                persons=1,
                entry_reason="Tách hộ",
                entry_date="01/02/2019",
                came_from="H0",
            ),
            [member("H2", national_id="062080000009")],
        ),
        (household("H3", commune_code="99999"), [member("H3", national_id="0620 8000 0010")]),
    ]
    keys = facts_needed(records, context)
    assert keys.households == {(DAK_ANG.id, "H1"), (DAK_DUC.id, "H2")}
    assert keys.sources == {(DAK_DUC.id, "H0")}
    assert keys.masked == {(DAK_ANG.id, "H1")} and keys.masked_owners
    assert keys.national_ids == ["062080000001", "062080000009", "062080000010"]
    facts = RegistryFacts(
        households={(DAK_ANG.id, "H1"): Registered(7, "dissolved", {})},
        masked={("H1", "062*******02"): "062310000002"},
        id_owners={"062310000002": (DAK_ANG.id, "H1"), "062080000009": (DAK_ANG.id, "H5")},
        split_sources={(DAK_DUC.id, "H0"): 3},
    )
    first = validate_household(*records[0], context, facts)
    assert [e.code for e in first.errors] == ["household_not_active"]
    assert first.members[1].clean["national_id"] == "062310000002"
    second = validate_household(*records[1], context, facts)
    assert [(e.member, e.code) for e in second.errors] == [(0, "national_id_other_household")]
    assert second.household.clean["entry"]["came_from_id"] == 3


def test_the_batch_seen_before_and_after(context: Context) -> None:
    seen = Seen()
    first = validate_household(household(), [member()], context, RegistryFacts(), seen=seen, row=1)
    assert seen.households == {} and seen.ids == {}  # not changed by the check
    record_seen(seen, first)
    assert seen.households["H1"].row == 1 and seen.households["H1"].members == 1
    assert seen.ids == {"062080000001": ("H1", 1)}
    again = validate_household(household(), [member()], context, RegistryFacts(), seen=seen, row=2)
    assert [(e.member, e.code) for e in again.errors] == [
        (None, "duplicate_code"),
        (0, "duplicate_national_id"),
    ]
    assert seen.households["H1"].members == 1  # the earlier record's counts are untouched


def test_the_engine_columns_are_the_keys_that_are_not_household_fields(context: Context) -> None:
    record = household(income="abc", area="Thành thị", something_else=1)
    codes = [
        (e.field, e.code, e.engine)
        for e in validate_household(record, [member(), child()], context, RegistryFacts()).errors
    ]
    assert codes == [("area", "area_mismatch", True), ("income", "engine", True)]


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------
ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "",
            " ",
            "x",
            "có",
            "Nam",
            "Nữ",
            "Chủ hộ",
            "Vợ",
            "12/03/1980",
            "2019-06-15",
            "062*******01",
            "Thôn 1",
            "23380",
            "Tách hộ",
            "Thành thị",
            "#REF!",
        ]
    ),
    st.text(max_size=8),
)
KNOWN_FIELDS = set(HOUSEHOLD_HEADINGS) | set(MEMBER_HEADINGS) | {"area", "income", "income_score"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    household_changes=st.dictionaries(st.sampled_from(sorted(household())), ANY_CELL, max_size=6),
    member_changes=st.lists(
        st.dictionaries(st.sampled_from(sorted(member())), ANY_CELL, max_size=4), max_size=4
    ),
    kind=st.sampled_from(["periodic", "adhoc"]),
)
def test_any_record_gets_a_clean_record_or_bilingual_errors_at_known_fields(
    household_changes: dict[str, Any], member_changes: list[dict[str, Any]], kind: str
) -> None:
    context = make_context(kind=kind)
    members = [
        member(**{"national_id": f"06208000{i:04d}", **changes})
        for i, changes in enumerate(member_changes)
    ]
    result = validate_household(household(**household_changes), members, context, RegistryFacts())
    assert (result.clean is None) == bool(result.errors)
    for e in result.errors:
        assert e.code and e.message_vi and e.message_en
        assert e.field in KNOWN_FIELDS or (e.engine and e.field.startswith("dep_")), e
        assert e.member is None or 0 <= e.member < len(members)
        assert e.engine == (e.code in ("engine", "area_mismatch"))
    if result.clean is not None:
        assert len(result.clean["members"]) == len(members)
