"""Citizen ID (CCCD) checks and masking."""

from __future__ import annotations

import pytest

from giamngheo.core.identity import (
    PROVINCE_CODES,
    CitizenId,
    InvalidCitizenId,
    Sex,
    check_citizen_id,
    mask_national_id,
    normalize_citizen_id,
    parse_citizen_id,
)


def codes(text: str, *, sex: Sex | None = None, birth_year: int | None = None) -> list[str]:
    check = check_citizen_id(text, sex=sex, birth_year=birth_year, as_of_year=2026)
    return [p.code for p in check.problems]


def test_a_good_number_decodes_province_sex_and_year() -> None:
    assert parse_citizen_id("062190001234") == CitizenId(
        number="062190001234",
        province_code="062",
        sex=Sex.FEMALE,
        birth_year=1990,
        serial="001234",
    )
    check = check_citizen_id("062 190 001 234", sex=Sex.FEMALE, birth_year=1990, as_of_year=2026)
    assert check.ok
    assert check.number == "062190001234"
    assert check.info is not None and check.info.province_code == "062"


@pytest.mark.parametrize(
    ("digit", "sex", "century"),
    [
        ("0", Sex.MALE, 1900),
        ("1", Sex.FEMALE, 1900),
        ("2", Sex.MALE, 2000),
        ("3", Sex.FEMALE, 2000),
        ("4", Sex.MALE, 2100),
        ("5", Sex.FEMALE, 2100),
        ("6", Sex.MALE, 2200),
        ("7", Sex.FEMALE, 2200),
        ("8", Sex.MALE, 2300),
        ("9", Sex.FEMALE, 2300),
    ],
)
def test_the_fourth_digit_codes_century_and_sex(digit: str, sex: Sex, century: int) -> None:
    info = parse_citizen_id(f"001{digit}07123456")
    assert (info.sex, info.birth_year) == (sex, century + 7)


def test_province_codes_are_the_63_pre_2025_codes() -> None:
    assert len(PROVINCE_CODES) == 63
    assert {"001", "062", "079", "096"} <= PROVINCE_CODES
    assert not {"000", "003", "013", "063", "097", "100"} & PROVINCE_CODES
    assert codes("003190001234") == ["unknown_province"]
    assert codes("063190001234") == ["unknown_province"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("06219000123A", "not_digits"),
        ("０６２１９０００１２３４", "not_digits"),  # full-width digits are not ASCII digits
        ("62190001234", "lost_leading_zero"),
        ("123456789", "old_identity_card"),
        ("0621900012345", "wrong_length"),
        ("0621900", "wrong_length"),
    ],
)
def test_malformed_numbers_get_one_specific_problem(text: str, code: str) -> None:
    check = check_citizen_id(text, as_of_year=2026)
    assert [p.code for p in check.problems] == [code]
    assert check.info is None and not check.ok
    with pytest.raises(InvalidCitizenId) as err:
        parse_citizen_id(text)
    assert [p.code for p in err.value.problems] == [code]


def test_messages_are_bilingual_and_name_the_number() -> None:
    (problem,) = check_citizen_id("62190001234").problems
    assert "11 chữ số" in problem.message_vi and "số 0" in problem.message_vi
    assert "11 digits" in problem.message_en and "leading 0" in problem.message_en
    assert problem.message == f"{problem.message_vi} / {problem.message_en}"
    (cmnd,) = check_citizen_id("123456789").problems
    assert "chứng minh nhân dân" in cmnd.message_vi and "CMND" in cmnd.message_en


def test_recorded_sex_and_year_must_agree() -> None:
    assert codes("062190001234", sex=Sex.FEMALE, birth_year=1990) == []
    assert codes("062190001234", sex=Sex.MALE) == ["sex_mismatch"]
    assert codes("062190001234", birth_year=1991) == ["birth_year_mismatch"]
    assert codes("062201001234", birth_year=1901) == ["birth_year_mismatch"]  # 2001 ≠ 1901
    both = check_citizen_id("062190001234", sex=Sex.MALE, birth_year=1989, as_of_year=2026)
    assert [p.code for p in both.problems] == ["sex_mismatch", "birth_year_mismatch"]
    assert both.info is not None  # the number itself decodes
    assert "nữ" in both.problems[0].message_vi and "nam" in both.problems[0].message_vi
    assert "1990" in both.problems[1].message_en and "1989" in both.problems[1].message_en


def test_a_birth_year_after_the_reference_year_is_impossible() -> None:
    assert codes("062226001234") == []  # 2026
    assert codes("062227001234") == ["birth_year_in_future"]
    assert codes("062400001234") == ["birth_year_in_future"]  # 2100
    assert check_citizen_id("062227001234", as_of_year=2027).ok


def test_normalize_removes_separators_only() -> None:
    assert normalize_citizen_id(" 062.190-001 234\u00a0") == "062190001234"
    assert normalize_citizen_id("062/190") == "062/190"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("062190001234", "062*******34"),
        ("062 190 001 234", "062*******34"),
        ("123456789", "123****89"),
        ("123456", "123*56"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_masking_keeps_three_first_and_two_last(text: str, masked: str) -> None:
    assert mask_national_id(text) == masked


def test_a_mask_never_shows_more_than_five_digits() -> None:
    for length in range(13):
        number = "9" * length
        assert mask_national_id(number).count("9") <= 5
        assert len(mask_national_id(number)) == length
