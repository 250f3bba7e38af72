"""Vietnamese citizen ID numbers (số định danh cá nhân, printed on the CCCD card): checking
and masking.

A citizen ID has 12 digits ``PPP G YY NNNNNN``:

* ``PPP`` — the code of the province where the birth was registered (pre-2025 codes,
  :data:`PROVINCE_CODES`; the 2025 merger of provinces does not renumber issued IDs);
* ``G`` — century of birth and sex: 0/1 = 1900–1999 male/female, 2/3 = 2000–2099,
  4/5 = 2100–2199, 6/7 = 2200–2299, 8/9 = 2300–2399 (even: male, odd: female);
* ``YY`` — the last two digits of the year of birth;
* ``NNNNNN`` — a serial number, not checked (there is no check digit).

:func:`check_citizen_id` returns every problem it finds, each in Vietnamese and English.
A mismatch with the member's recorded sex or year of birth is an **error**, not a warning:
the number encodes both exactly, so one of the two records is wrong and a member with
contradictory data must not be committed (issue 4 §2). Two common slips get their own message:
11 digits (a spreadsheet stored the number as a number and dropped the leading 0) and 9 digits
(the old identity card, CMND, not a citizen ID).

:func:`mask_national_id` shows the first 3 and the last 2 characters and replaces every other
character by ``*``: ``"062190001234"`` → ``"062*******34"``. Values shorter than 6 characters
are masked entirely, so a mask never shows more than 5 characters of the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

CITIZEN_ID_LENGTH = 12

# Province codes of the citizen ID (birth-registration province), pre-2025 provinces.
_PROVINCE_CODES_TEXT = """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034
    035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068
    070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
"""
PROVINCE_CODES: frozenset[str] = frozenset(_PROVINCE_CODES_TEXT.split())

_SEPARATORS = re.compile(r"[\s.\-]+")


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdProblem:
    """One problem with a citizen ID, in both languages. ``code`` is stable, for programs."""

    code: str
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


@dataclass(frozen=True)
class CitizenId:
    """What a well-formed citizen ID says about its holder."""

    number: str
    province_code: str
    sex: Sex
    birth_year: int
    serial: str


@dataclass(frozen=True)
class IdCheck:
    number: str  # the normalized number that was checked
    problems: tuple[IdProblem, ...]
    info: CitizenId | None  # None when the number is not well-formed

    @property
    def ok(self) -> bool:
        return not self.problems


class InvalidCitizenId(ValueError):
    def __init__(self, problems: tuple[IdProblem, ...]):
        self.problems = problems
        super().__init__("; ".join(p.message_en for p in problems))


def normalize_citizen_id(text: str) -> str:
    """Remove white space, dots and hyphens between digit groups: ``"062 190 001 234"``."""
    return _SEPARATORS.sub("", text)


def _form_problems(number: str) -> tuple[IdProblem, ...]:
    if not number:
        return (IdProblem("empty", "Chưa có số định danh cá nhân", "The citizen ID is empty"),)
    if not number.isascii() or not number.isdigit():
        return (
            IdProblem(
                "not_digits",
                f"Số định danh cá nhân «{number}» chỉ được gồm chữ số",
                f"The citizen ID '{number}' must contain digits only",
            ),
        )
    if len(number) == CITIZEN_ID_LENGTH - 1:
        return (
            IdProblem(
                "lost_leading_zero",
                f"Số định danh cá nhân «{number}» có 11 chữ số, cần 12: có thể bảng tính đã "
                "làm mất số 0 ở đầu (hãy định dạng cột là văn bản)",
                f"The citizen ID '{number}' has 11 digits, not 12: the spreadsheet probably "
                "dropped the leading 0 (format the column as text)",
            ),
        )
    if len(number) == 9:
        return (
            IdProblem(
                "old_identity_card",
                f"«{number}» là số chứng minh nhân dân 9 chữ số, không phải số định danh cá "
                "nhân 12 chữ số",
                f"'{number}' is a 9-digit identity card (CMND) number, not a 12-digit citizen ID",
            ),
        )
    if len(number) != CITIZEN_ID_LENGTH:
        return (
            IdProblem(
                "wrong_length",
                f"Số định danh cá nhân «{number}» có {len(number)} chữ số, cần 12",
                f"The citizen ID '{number}' has {len(number)} digits, not 12",
            ),
        )
    if number[:3] not in PROVINCE_CODES:
        return (
            IdProblem(
                "unknown_province",
                f"Số định danh cá nhân «{number}»: mã tỉnh nơi đăng ký khai sinh «{number[:3]}» "
                "không tồn tại",
                f"The citizen ID '{number}': '{number[:3]}' is not a province code",
            ),
        )
    return ()


def _decode(number: str) -> CitizenId:
    code = int(number[3])
    return CitizenId(
        number=number,
        province_code=number[:3],
        sex=Sex.MALE if code % 2 == 0 else Sex.FEMALE,
        birth_year=1900 + 100 * (code // 2) + int(number[4:6]),
        serial=number[6:],
    )


def parse_citizen_id(text: str) -> CitizenId:
    """Decode a well-formed citizen ID; raises :class:`InvalidCitizenId` otherwise."""
    number = normalize_citizen_id(text)
    problems = _form_problems(number)
    if problems:
        raise InvalidCitizenId(problems)
    return _decode(number)


_SEX_VI = {Sex.MALE: "nam", Sex.FEMALE: "nữ"}


def check_citizen_id(
    text: str,
    *,
    sex: Sex | None = None,
    birth_year: int | None = None,
    as_of_year: int | None = None,
) -> IdCheck:
    """Every problem of the number, and of its agreement with the member's recorded ``sex``
    and ``birth_year`` when given. A year of birth after ``as_of_year`` (default: this year)
    is impossible."""
    number = normalize_citizen_id(text)
    problems = list(_form_problems(number))
    if problems:
        return IdCheck(number, tuple(problems), None)
    info = _decode(number)
    this_year = date.today().year if as_of_year is None else as_of_year
    if info.birth_year > this_year:
        problems.append(
            IdProblem(
                "birth_year_in_future",
                f"Số định danh cá nhân «{number}» cho năm sinh {info.birth_year}, sau năm "
                f"{this_year}",
                f"The citizen ID '{number}' gives year of birth {info.birth_year}, after "
                f"{this_year}",
            )
        )
    if sex is not None and sex != info.sex:
        problems.append(
            IdProblem(
                "sex_mismatch",
                f"Số định danh cá nhân «{number}» là của người {_SEX_VI[info.sex]}, nhưng giới "
                f"tính ghi là {_SEX_VI[sex]}",
                f"The citizen ID '{number}' is a {info.sex.value}'s, but the recorded sex is "
                f"{sex.value}",
            )
        )
    if birth_year is not None and birth_year != info.birth_year:
        problems.append(
            IdProblem(
                "birth_year_mismatch",
                f"Số định danh cá nhân «{number}» cho năm sinh {info.birth_year}, nhưng năm "
                f"sinh ghi là {birth_year}",
                f"The citizen ID '{number}' gives year of birth {info.birth_year}, but the "
                f"recorded year is {birth_year}",
            )
        )
    return IdCheck(number, tuple(problems), info)


def mask_national_id(text: str) -> str:
    """``"062190001234"`` → ``"062*******34"``: first 3 and last 2 characters kept, the rest
    ``*``; fewer than 6 characters are all masked. Separators are removed first."""
    number = normalize_citizen_id(text)
    if len(number) < 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
