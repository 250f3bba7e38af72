"""The member rules: every error code a member record can get, at the field it names, in
both languages; the masked ID numbers; the checks of a household against its members."""

from __future__ import annotations

import pytest
from records_data import DAK_ANG, child, household, member

from giamngheo.core.records import (
    Checked,
    Context,
    FieldError,
    RegistryFacts,
    Seen,
    check_against_members,
    check_household_row,
    check_member_registry,
    check_member_row,
    masked_keys,
    member_keys,
)


def seen_with(*codes: str, context: Context) -> Seen:
    """A batch that has seen good household rows with these codes (row 2, 3 …)."""
    seen = Seen()
    for i, code in enumerate(codes, start=2):
        seen.add(check_household_row(household(code), context, seen, row=i))
    return seen


def check(
    record: dict[str, object],
    context: Context,
    seen: Seen | None = None,
    facts: RegistryFacts | None = None,
    *,
    row: int = 5,
) -> Checked:
    seen = seen if seen is not None else seen_with("H1", context=context)
    c = check_member_row(record, context, seen, facts or RegistryFacts(), row=row)
    check_member_registry(c, seen, facts or RegistryFacts())
    return c


def test_a_good_member_and_its_clean_values(context: Context) -> None:
    c = check(child(), context)
    assert c.errors == [] and c.kind == "member" and c.new_id == "062310000002"
    assert c.clean == {
        "sex": "female",
        "birth_date": "2010-03-12",
        "birth_year": 2010,
        "national_id": "062310000002",
        "code": "H1",
        "full_name": "Y Nhi",
        "relationship": "child",
        "ethnicity": "Xơ Đăng",
        "health_insurance": True,
        "in_school": False,
        "disability": False,
    }
    # no ID number: nothing to record; a long name and ethnicity are cut to their columns
    c = check(member(national_id=None, full_name="A" * 250, ethnicity="E" * 60), context)
    assert c.errors == [] and c.new_id == "" and c.clean["national_id"] == ""
    assert len(c.clean["full_name"]) == 200 and len(c.clean["ethnicity"]) == 50


MEMBER_CASES: list[tuple[str, dict[str, object], list[FieldError]]] = [
    (
        "unknown household",
        {"code": "XX9"},
        [
            FieldError(
                "code",
                "unknown_household",
                "mã hộ «XX9» không có trong trang hộ",
                "household code 'XX9' is not in the households sheet",
            )
        ],
    ),
    (
        "no name",
        {"full_name": ""},
        [FieldError("full_name", "missing_name", "thiếu họ tên", "name missing")],
    ),
    (
        "unknown relationship",
        {"relationship": "Hàng xóm"},
        [
            FieldError(
                "relationship",
                "bad_relationship",
                "quan hệ với chủ hộ không rõ: «Hàng xóm»",
                "unknown relationship to the head: 'Hàng xóm'",
            )
        ],
    ),
    (
        "unknown sex",
        {"sex": "?", "national_id": ""},
        [
            FieldError(
                "sex",
                "bad_sex",
                "giới tính phải là Nam hoặc Nữ, không phải «?»",
                "sex must be Nam (male) or Nữ (female), not '?'",
            )
        ],
    ),
    (
        "unreadable birth",
        {"birth": "ngày xưa", "national_id": ""},
        [
            FieldError(
                "birth",
                "bad_birth",
                "ngày/năm sinh không đọc được: «ngày xưa»",
                "unreadable date or year of birth: 'ngày xưa'",
            )
        ],
    ),
    (
        "born after the review",
        {"birth": 2030, "national_id": ""},
        [
            FieldError(
                "birth",
                "impossible_age",
                "năm sinh 2030: tuổi -11 vào năm 2019 là không thể",
                "born 2030: an age of -11 in 2019 is impossible",
            )
        ],
    ),
    (
        "over the oldest age",
        {"birth": 1890, "national_id": ""},
        [
            FieldError(
                "birth",
                "impossible_age",
                "năm sinh 1890: tuổi 129 vào năm 2019 là không thể",
                "born 1890: an age of 129 in 2019 is impossible",
            )
        ],
    ),
    (
        "unreadable insurance flag",
        {"health_insurance": "?"},
        [
            FieldError(
                "health_insurance",
                "bad_flag",
                "phải là 0 hoặc 1 (hoặc x), không phải «?»",
                "must be 0 or 1 (or x), not '?'",
            )
        ],
    ),
    (
        "a masked ID that matches no registered member",
        {"national_id": "062*******01"},
        [
            FieldError(
                "national_id",
                "id_masked",
                "số định danh «062*******01» bị che và không khớp thành viên nào của hộ;"
                " hãy ghi đủ 12 chữ số",
                "the ID '062*******01' is masked and matches no member of the household;"
                " write all 12 digits",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "expected"), MEMBER_CASES, ids=[c[0] for c in MEMBER_CASES]
)
def test_each_error_of_a_member_row(
    context: Context, case: str, changes: dict[str, object], expected: list[FieldError]
) -> None:
    assert check(member(**changes), context).errors == expected, case


def test_id_number_problems_are_the_identity_checks(context: Context) -> None:
    from giamngheo.core.identity import Sex, check_citizen_id

    for nid, sex, code in (
        ("06208000001", "male", "id_lost_leading_zero"),
        ("062180000005", "male", "id_sex_mismatch"),
        ("062085000001", "male", "id_birth_year_mismatch"),
        ("12345678x012", "male", "id_not_digits"),
        ("123456789", "male", "id_old_identity_card"),
    ):
        c = check(member(national_id=nid), context)
        problems = check_citizen_id(nid, sex=Sex(sex), birth_year=1980, as_of_year=2019).problems
        assert c.errors == [
            FieldError("national_id", f"id_{p.code}", p.message_vi, p.message_en) for p in problems
        ]
        assert code in {e.code for e in c.errors}, (nid, c.errors)


def test_a_duplicate_id_names_the_first_row_and_household(context: Context) -> None:
    seen = seen_with("H1", "H2", context=context)
    first = check(member(), context, seen, row=4)
    seen.add(first)
    again = check(member("H2", full_name="Người Khác"), context, seen, row=9)
    assert again.errors == [
        FieldError(
            "national_id",
            "duplicate_national_id",
            "số định danh đã có ở dòng 4 (hộ H1)",
            "the same ID is on row 4 (household H1)",
        )
    ]
    assert again.new_id == ""


def test_the_id_of_another_registered_household(context: Context) -> None:
    facts = RegistryFacts(id_owners={"062080000001": (DAK_ANG.id, "H9")})
    assert check(member(), context, facts=facts).errors == [
        FieldError(
            "national_id",
            "national_id_other_household",
            "số định danh đã thuộc một thành viên của hộ H9",
            "the ID belongs to a member of household H9",
        )
    ]
    own = RegistryFacts(id_owners={"062080000001": (DAK_ANG.id, "H1")})
    assert check(member(), context, facts=own).errors == []


def test_a_masked_id_stands_for_the_registered_number(context: Context) -> None:
    seen = seen_with("H1", "H2", context=context)
    records = [
        member(national_id="062*******01"),
        member("H2", national_id="062080000002"),
        member("XX", national_id="062*******09"),
    ]
    keys = masked_keys(records, seen)
    assert keys.masked == {(DAK_ANG.id, "H1")}  # an unknown household has nothing to look up
    facts = RegistryFacts(masked={("H1", "062*******01"): "062080000001"})
    c = check(records[0], context, seen, facts)
    assert c.errors == [] and c.clean["national_id"] == "062080000001"
    assert c.new_id == "062080000001"
    assert member_keys([c]).national_ids == ["062080000001"]


# ---------------------------------------------------------------------------------------------
# A household against its members
# ---------------------------------------------------------------------------------------------
def household_with(
    context: Context, *members: dict[str, object], **changes: object
) -> list[FieldError]:
    seen = Seen()
    seen.add(check_household_row(household(**changes), context, seen, row=2))
    for i, m in enumerate(members, start=2):
        seen.add(check_member_row(m, context, seen, RegistryFacts(), row=i))
    return check_against_members(seen.households["H1"])


def test_a_household_that_agrees_with_its_members(context: Context) -> None:
    assert household_with(context, member(), child()) == []
    assert household_with(context, member(), persons=None) == []  # no persons: not compared


CROSS_CASES: list[tuple[str, list[dict[str, object]], dict[str, object], FieldError]] = [
    (
        "two heads",
        [member(), child(relationship="Chủ hộ")],
        {},
        FieldError(
            "head_name",
            "head_count",
            "hộ phải có đúng một thành viên là chủ hộ, có 2",
            "the household must have exactly one head member, has 2",
        ),
    ),
    (
        "another head's name",
        [member(full_name="A Khác"), child()],
        {},
        FieldError(
            "head_name",
            "head_name_mismatch",
            "họ tên chủ hộ khác với thành viên là chủ hộ",
            "the head's name differs from the member marked as head",
        ),
    ),
    (
        "a female-head flag for a male head",
        [member(), child()],
        {"female_head": 1},
        FieldError(
            "female_head",
            "flag_conflict",
            "cờ «chủ hộ là nữ» trái với giới tính của chủ hộ",
            "the female-head flag contradicts the head's sex",
        ),
    ),
    (
        "a minority spouse in a household not marked so",
        [
            member(ethnicity="Kinh"),
            child(relationship="Vợ", national_id="062180000002", birth=1980),
        ],
        {"ethnic_minority": 0},
        FieldError(
            "ethnic_minority",
            "flag_conflict",
            "chủ hộ hoặc vợ/chồng là người dân tộc thiểu số nhưng hộ không được đánh dấu hộ DTTS",
            "the head or spouse is an ethnic minority but the household is not marked so",
        ),
    ),
    (
        "more persons than members",
        [member()],
        {},
        FieldError(
            "persons",
            "persons_mismatch",
            "số nhân khẩu 2 khác số thành viên trong trang thành viên (1)",
            "2 persons but 1 members in the members sheet",
        ),
    ),
]


@pytest.mark.parametrize(
    ("case", "members", "changes", "expected"), CROSS_CASES, ids=[c[0] for c in CROSS_CASES]
)
def test_each_error_against_the_members(
    context: Context,
    case: str,
    members: list[dict[str, object]],
    changes: dict[str, object],
    expected: FieldError,
) -> None:
    assert household_with(context, *members, **changes) == [expected], case


def test_no_head_at_all(context: Context) -> None:
    (e,) = household_with(context, child(), persons=1)
    assert (e.field, e.code, e.message_en) == (
        "head_name",
        "head_count",
        "the household must have exactly one head member, has 0",
    )


MEMBER_CODES = (
    {e.code for _c, _x, errors in MEMBER_CASES for e in errors}
    | {e.code for _c, _m, _x, e in CROSS_CASES}
    | {"duplicate_national_id", "national_id_other_household"}
)
