"""The household rules: every error code a household record can get, at the field it names,
in both languages; what a good record's clean values are; the registry checks."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest
from records_data import DAK_ANG, INDICATORS, STD, household, make_context

from giamngheo.core.records import (
    Checked,
    Context,
    FieldError,
    Registered,
    RegistryFacts,
    Seen,
    check_household_registry,
    check_household_row,
    household_keys,
)
from giamngheo.core.records import (
    household as household_rules,
)
from giamngheo.core.records import (
    member as member_rules,
)
from giamngheo.core.records.headings import HOUSEHOLD_HEADINGS
from giamngheo.core.standards import InvalidHousehold, classify_household


def check(
    record: dict[str, object],
    context: Context,
    *,
    seen: Seen | None = None,
    facts: RegistryFacts | None = None,
    flat: bool = False,
) -> Checked:
    """Both steps of a household row: its own rules, then the registry's."""
    engine = tuple(f for f in record if f not in HOUSEHOLD_HEADINGS)
    c = check_household_row(record, context, seen or Seen(), row=7, engine_fields=engine, flat=flat)
    check_household_registry(
        c,
        context,
        facts or RegistryFacts(),
    )
    return c


def test_a_good_record_and_its_clean_values(context: Context) -> None:
    c = check(household(), context)
    assert c.errors == [] and c.kind == "household" and c.row == 7 and c.new_id == ""
    clean = c.clean
    assert list(clean) == [
        "code",
        "commune",
        "area",
        "village",
        "head_name",
        "address",
        "ethnic_minority",
        "indigenous_minority",
        "no_labour_capacity",
        "merit_member",
        "social_assistance_member",
        "female_head",
        "causes",
        "review_date",
        "persons",
        "entry",
        "inputs",
        "result",
        "head",
    ]
    assert (clean["code"], clean["commune"], clean["area"], clean["village"]) == (
        "H1",
        1,
        "rural",
        11,
    )
    assert clean["ethnic_minority"] is True and clean["female_head"] is False
    assert clean["causes"] == ["capital"] and clean["review_date"] == "2019-12-31"
    assert clean["persons"] == 2 and clean["entry"] is None and clean["head"] is None
    assert clean["inputs"] == {"income": 600_000, **dict.fromkeys(INDICATORS, 0), "dep_water": 1}
    result = clean["result"]
    assert (result["classification"], result["poor_basis"]) == ("poor", "income")
    assert "700.000" in result["explanation_vi"]


def _engine_error(record: dict[str, Any], field: str) -> FieldError:
    """What the standards engine says of ``field`` of this record, as the rules report it."""
    eng = {"household_id": record["code"], "area": "rural"}
    eng.update({k: v for k, v in record.items() if k not in HOUSEHOLD_HEADINGS})
    with pytest.raises(InvalidHousehold) as caught:
        classify_household(eng, STD)
    (e,) = [e for e in caught.value.errors if e.field == field]
    return FieldError(field, "engine", e.message_vi, e.message_en, engine=True)


FLAG_VI = "phải là 0 hoặc 1 (hoặc x), không phải «{}»"
FLAG_EN = "must be 0 or 1 (or x), not '{}'"
FEMALE_HEAD = FieldError(
    "female_head",
    "flag_conflict",
    "cờ «chủ hộ là nữ» trái với giới tính của chủ hộ",
    "the female-head flag contradicts the head's sex",
)

#: (case, record changes, expected error) — one row per error of a household row alone.
ROW_CASES: list[tuple[str, dict[str, object], FieldError]] = [
    (
        "no code",
        {"code": "  "},
        FieldError("code", "missing_code", "thiếu mã hộ", "household code missing"),
    ),
    (
        "code too long",
        {"code": "H" * 33},
        FieldError("code", "bad_code", "mã hộ dài quá 32 ký tự", "code over 32 chars"),
    ),
    (
        "unknown commune code",
        {"commune_code": "99999"},
        FieldError(
            "commune_code",
            "unknown_commune",
            "mã xã «99999» không có trong Huyện Ngọc Hồi (611)",
            "commune code '99999' is not in Huyện Ngọc Hồi (611)",
        ),
    ),
    (
        "unknown commune name",
        {"commune_code": None, "commune": "Xã Lạ"},
        FieldError(
            "commune",
            "unknown_commune",
            "xã «Xã Lạ» không có (hoặc không rõ) trong Huyện Ngọc Hồi (611)",
            "commune 'Xã Lạ' is unknown (or ambiguous) in Huyện Ngọc Hồi (611)",
        ),
    ),
    (
        "no commune",
        {"commune_code": ""},
        FieldError(
            "commune_code",
            "unknown_commune",
            "thiếu mã xã hoặc tên xã",
            "the commune code or name is missing",
        ),
    ),
    (
        "unknown village",
        {"village": "Thôn 99"},
        FieldError(
            "village",
            "unknown_village",
            "thôn «Thôn 99» không thuộc Xã Đắk Ang",
            "village 'Thôn 99' is not in Xã Đắk Ang",
        ),
    ),
    (
        "no head",
        {"head_name": None},
        FieldError("head_name", "missing_head_name", "thiếu họ tên chủ hộ", "head missing"),
    ),
    (
        "unreadable policy flag",
        {"merit_member": "có lẽ"},
        FieldError("merit_member", "bad_flag", FLAG_VI.format("có lẽ"), FLAG_EN.format("có lẽ")),
    ),
    (
        "unreadable cause",
        {"cause_land": 2},
        FieldError("cause_land", "bad_flag", FLAG_VI.format("2"), FLAG_EN.format("2")),
    ),
    (
        "indigenous but not a minority",
        {"ethnic_minority": 0, "indigenous_minority": 1},
        FieldError(
            "indigenous_minority",
            "flag_conflict",
            "hộ DTTS tại chỗ nhưng không phải hộ dân tộc thiểu số",
            "local indigenous minority but not an ethnic-minority household",
        ),
    ),
    (
        "review date in another year",
        {"review_date": "15/06/2020"},
        FieldError(
            "review_date",
            "bad_review_date",
            "ngày rà soát phải là một ngày trong năm 2019",
            "the review date must be a date in 2019",
        ),
    ),
    (
        "persons out of range",
        {"persons": 100},
        FieldError(
            "persons",
            "bad_persons",
            "số nhân khẩu không hợp lệ: «100»",
            "invalid number of persons: '100'",
        ),
    ),
    (
        "unknown entry reason",
        {"entry_reason": "Đi lạc", "entry_date": "01/02/2019"},
        FieldError(
            "entry_reason",
            "bad_entry_reason",
            "lý do vào sổ phải là «Chuyển đến» hoặc «Tách hộ», không phải «Đi lạc»",
            "the entry reason must be 'Chuyển đến' (moved in) or 'Tách hộ' (split off),"
            " not 'Đi lạc'",
        ),
    ),
    (
        "entry after the review",
        {"entry_reason": "Chuyển đến", "entry_date": "2020-01-02"},
        FieldError(
            "entry_date",
            "bad_entry_date",
            "ngày vào sổ phải là một ngày, không sau ngày rà soát",
            "the entry date must be a date, not after the review date",
        ),
    ),
    (
        "a source for a household that moved in",
        {"entry_reason": "Chuyển đến", "entry_date": "01/02/2019", "came_from": "H0"},
        FieldError(
            "came_from",
            "came_from_not_split",
            "chỉ hộ tách ra mới ghi «Tách từ hộ»",
            "only a household that split off names the household it came from",
        ),
    ),
    (
        "an area that is not the commune's",
        {"area": "Thành thị"},
        FieldError(
            "area",
            "area_mismatch",
            "khu vực khác với khu vực của xã (rural)",
            "the area differs from the commune's (rural)",
            engine=True,
        ),
    ),
]


NO_AREA = FieldError(
    "area",
    "engine",
    "thiếu khu vực (Thành thị/Nông thôn)",
    "area is missing (urban or rural)",
    engine=True,
)
#: What else a case's record gets: without a commune, the engine has no area; a source named
#: by a household that moved in is looked for too.
FOLLOWS = {
    "unknown commune code": [NO_AREA],
    "unknown commune name": [NO_AREA],
    "no commune": [NO_AREA],
    "a source for a household that moved in": [
        FieldError(
            "came_from",
            "unknown_source_household",
            "hộ gốc «H0» không có trong sổ của xã",
            "household 'H0' (split from) is not in the commune's registry",
        )
    ],
}


@pytest.mark.parametrize(("case", "changes", "expected"), ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_each_error_of_a_household_row(
    context: Context, case: str, changes: dict[str, object], expected: FieldError
) -> None:
    c = check(household(**changes), context)
    assert c.errors[0] == expected, case
    assert c.errors[1:] == FOLLOWS.get(case, []), case
    assert c.clean["code"] == household(**changes)["code"] or expected.code == "missing_code"


def test_engine_errors_name_the_engine_column(context: Context) -> None:
    record = household(income="1.500.000", dep_water=2)
    c = check(record, context)
    assert c.errors == [_engine_error(record, "income"), _engine_error(record, "dep_water")]
    assert all(e.engine and e.message_vi and e.message_en for e in c.errors)
    assert "inputs" not in c.clean and "result" not in c.clean


def test_a_duplicate_code_names_the_first_row(context: Context) -> None:
    seen = Seen()
    first = check(household(), context, seen=seen)
    seen.add(first)
    again = check(household(head_name="Trùng Mã"), context, seen=seen)
    assert again.errors == [
        FieldError(
            "code", "duplicate_code", "mã hộ H1 trùng với dòng 7", "household code H1 repeats row 7"
        )
    ]


def test_an_ad_hoc_review_needs_its_date() -> None:
    adhoc = make_context(kind="adhoc", year=2019)
    assert check(household(review_date="15/06/2019"), adhoc).errors == []
    (e,) = check(household(), adhoc).errors
    assert (e.field, e.code) == ("review_date", "bad_review_date")


def test_the_commune_by_name_or_from_a_commune_scope(context: Context) -> None:
    by_name = check(household(commune_code=None, commune="đắk ang"), context)
    assert by_name.errors == [] and by_name.clean["commune"] == DAK_ANG.id
    scope = make_context(commune_scope=True)
    blank = check(household(commune_code=""), scope)
    assert blank.errors == [] and blank.clean["commune"] == DAK_ANG.id
    # a commune code without its leading zero
    assert check(household(commune_code="2338"), context).errors[0].code == "unknown_commune"


# ---------------------------------------------------------------------------------------------
# The flat layout's head
# ---------------------------------------------------------------------------------------------
def flat(**changes: object) -> dict[str, object]:
    head = {
        "head_sex": "Nam",
        "head_birth": 1980,
        "head_national_id": "062080000001",
        "head_ethnicity": "Xơ Đăng",
    }
    return household(**{**head, **changes})


def test_the_flat_head_is_a_member(context: Context) -> None:
    c = check(flat(), context, flat=True)
    assert c.errors == [] and c.new_id == "062080000001"
    assert c.clean["head"] == {
        "sex": "male",
        "birth_date": None,
        "birth_year": 1980,
        "national_id": "062080000001",
        "full_name": "A Blong",
        "relationship": "head",
        "ethnicity": "Xơ Đăng",
        "health_insurance": False,
        "in_school": False,
        "disability": False,
    }
    # the head's columns are read only in the flat layout, and only when filled in
    assert check(flat(), context).clean["head"] is None
    empty = flat(head_sex="", head_birth=None, head_national_id="")
    assert check(empty, context, flat=True).clean["head"] is None


def test_the_flat_head_against_the_household_flags(context: Context) -> None:
    c = check(flat(female_head=1), context, flat=True)
    assert c.errors == [FEMALE_HEAD]
    c = check(flat(ethnic_minority=0), context, flat=True)
    assert c.errors == [
        FieldError(
            "ethnic_minority",
            "flag_conflict",
            "chủ hộ là người dân tộc Xơ Đăng nhưng hộ không đánh dấu là hộ DTTS",
            "the head is Xơ Đăng but the household is not marked ethnic-minority",
        )
    ]


def test_the_flat_head_person_errors_are_at_the_head_columns(context: Context) -> None:
    c = check(
        flat(head_sex="?", head_birth="ngày xưa", head_national_id="062*******01"),
        context,
        flat=True,
    )
    assert [(e.field, e.code) for e in c.errors] == [
        ("head_sex", "bad_sex"),
        ("head_birth", "bad_birth"),
        ("head_national_id", "id_masked"),  # a masked head ID never matches in a flat file
    ]
    c = check(flat(head_national_id="062180000001"), context, flat=True)
    assert [(e.field, e.code) for e in c.errors] == [("head_national_id", "id_sex_mismatch")]


# ---------------------------------------------------------------------------------------------
# Against the registry
# ---------------------------------------------------------------------------------------------
APPROVED_INPUTS = {"income": 600_000, **dict.fromkeys(INDICATORS, 0), "dep_water": 1}


def registry(
    status: str = "active", inputs: object = None, causes: tuple[str, ...] = ("capital",)
) -> RegistryFacts:
    approved = {} if inputs is None else {"": (inputs, list(causes))}
    return RegistryFacts(households={(DAK_ANG.id, "H1"): Registered(41, status, approved)})


APPROVED_REVIEW = FieldError(
    "code",
    "approved_review",
    "hộ H1 đã có phiếu rà soát 2019 được phê duyệt với số liệu khác; hãy lập phiếu điều chỉnh",
    "household H1 has an approved 2019 review with other data; make a correction instead",
)
REGISTRY_CASES: list[tuple[str, dict[str, object], RegistryFacts, FieldError]] = [
    (
        "not active",
        {},
        registry(status="moved_away"),
        FieldError(
            "code",
            "household_not_active",
            "hộ H1 không còn trong sổ (tình trạng: moved_away)",
            "household H1 is no longer active (moved_away)",
        ),
    ),
    (
        "an approved review with other data",
        {"income": 650_000},
        registry(inputs=APPROVED_INPUTS),
        APPROVED_REVIEW,
    ),
    (
        "an approved review with other causes",
        {},
        registry(inputs=APPROVED_INPUTS, causes=("land",)),
        APPROVED_REVIEW,
    ),
    (
        "a split from itself",
        {"entry_reason": "Tách hộ", "entry_date": "01/02/2019", "came_from": "H1"},
        RegistryFacts(),
        FieldError(
            "came_from",
            "came_from_itself",
            "một hộ không tách từ chính nó",
            "a household cannot split off from itself",
        ),
    ),
    (
        "a split from an unknown household",
        {"entry_reason": "Tách hộ", "entry_date": "01/02/2019", "came_from": "H0"},
        RegistryFacts(),
        FieldError(
            "came_from",
            "unknown_source_household",
            "hộ gốc «H0» không có trong sổ của xã",
            "household 'H0' (split from) is not in the commune's registry",
        ),
    ),
    (
        "the head's ID is another household's member's",
        {"head_sex": "Nam", "head_birth": 1980, "head_national_id": "062080000001"},
        RegistryFacts(id_owners={"062080000001": (DAK_ANG.id, "H9")}),
        FieldError(
            "head_national_id",
            "national_id_other_household",
            "số định danh đã thuộc một thành viên của hộ H9",
            "the ID belongs to a member of household H9",
        ),
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "facts", "expected"), REGISTRY_CASES, ids=[c[0] for c in REGISTRY_CASES]
)
def test_each_error_against_the_registry(
    context: Context,
    case: str,
    changes: dict[str, object],
    facts: RegistryFacts,
    expected: FieldError,
) -> None:
    c = check(household(**changes), context, facts=facts, flat=True)
    assert c.errors == [expected], case


def test_what_the_registry_allows(context: Context) -> None:
    # the same data as the approved review: no conflict; a draft is not looked at
    assert check(household(), context, facts=registry(inputs=APPROVED_INPUTS)).errors == []
    assert check(household(income=650_000), context, facts=registry()).errors == []
    # the head's own ID, registered in its own household
    own = RegistryFacts(id_owners={"062080000001": (DAK_ANG.id, "H1")})
    assert check(flat(), context, facts=own, flat=True).errors == []
    # a split from a registered household: its id is kept for the commit
    split = household(entry_reason="tach ho", entry_date="2019-06-01", came_from="H0")
    c = check(split, context, facts=RegistryFacts(split_sources={(DAK_ANG.id, "H0"): 40}))
    assert c.errors == []
    assert c.clean["entry"] == {
        "reason": "split_off",
        "date": "2019-06-01",
        "came_from": "H0",
        "came_from_id": 40,
    }


def test_an_ad_hoc_review_is_compared_with_the_approved_one_of_its_date() -> None:
    adhoc = make_context(kind="adhoc")
    facts = RegistryFacts(
        households={(DAK_ANG.id, "H1"): Registered(41, "active", {"2019-06-15": ({}, [])})}
    )
    other_day = check(household(review_date="16/06/2019"), adhoc, facts=facts)
    assert other_day.errors == []
    same_day = check(household(review_date="15/06/2019"), adhoc, facts=facts)
    assert [e.code for e in same_day.errors] == ["approved_review"]


def test_the_keys_a_chunk_needs(context: Context) -> None:
    rows = [
        check(flat(), context, flat=True),
        check(
            household(
                "H2",
                commune_code="23383",
                entry_reason="Tách hộ",
                entry_date="01/02/2019",
                came_from="H0",
            ),
            context,
        ),
        check(household("H3", commune_code="99999"), context),  # no commune: nothing to look up
        check(flat(code="H4", head_national_id=""), context, flat=True),
    ]
    keys = household_keys(rows)
    assert keys.households == {(1, "H1"), (2, "H2"), (1, "H4")}
    assert keys.sources == {(2, "H0")}
    assert keys.national_ids == ["062080000001"] and keys.masked == set()


# ---------------------------------------------------------------------------------------------
# Every code the rules write is tested here or in test_member.py
# ---------------------------------------------------------------------------------------------
def codes_written(*modules: object) -> set[str]:
    """The literal codes of the ``FieldError(field, CODE, …)`` calls of the modules."""
    codes = set()
    for module in modules:
        for node in ast.walk(ast.parse(inspect.getsource(module))):  # type: ignore[arg-type]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "FieldError"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(node.args[1].value)
    return codes


HOUSEHOLD_CODES = (
    {e.code for _c, _x, e in ROW_CASES}
    | {e.code for _c, _x, _f, e in REGISTRY_CASES}
    | {"engine", "duplicate_code"}
)


def test_every_household_code_is_tested() -> None:
    from test_member import MEMBER_CODES

    written = codes_written(household_rules, member_rules)
    assert written == HOUSEHOLD_CODES | MEMBER_CODES, written ^ (HOUSEHOLD_CODES | MEMBER_CODES)
