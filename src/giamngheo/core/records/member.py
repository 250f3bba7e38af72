"""The rules of a member record (a row of the members sheet), and of a person's sex, birth
and ID number, which the flat layout's household row also has for its head."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from giamngheo.core.identity import Sex as IdSex
from giamngheo.core.identity import check_citizen_id, normalize_citizen_id
from giamngheo.core.records.cells import birth, flag, text
from giamngheo.core.records.context import (
    Checked,
    Context,
    FactKeys,
    RegistryFacts,
    Seen,
)
from giamngheo.core.records.errors import FieldError
from giamngheo.core.records.headings import MEMBER
from giamngheo.core.records.vocab import MAX_AGE, RELATIONSHIP_WORDS, SEX_WORDS, cfold

MEMBER_FLAGS = ("health_insurance", "in_school", "disability")


def flag_field(record: Mapping[str, object], f: str, errors: list[FieldError]) -> bool | None:
    """A 0/1 (or x) field; ``None`` with a ``bad_flag`` error added when it is neither."""
    raw = record.get(f)
    val = flag(raw)
    if val is None:
        errors.append(
            FieldError(
                f,
                "bad_flag",
                f"phải là 0 hoặc 1 (hoặc x), không phải «{text(raw)}»",
                f"must be 0 or 1 (or x), not '{text(raw)}'",
            )
        )
    return val


def check_person(  # noqa: PLR0917
    context: Context,
    seen: Seen,
    masked: Mapping[tuple[str, str], str],
    code: str,
    fields: tuple[str, str, str],
    values: tuple[object, object, object],
    errors: list[FieldError],
) -> tuple[dict[str, Any], str]:
    """Sex, birth and ID number of a member (or of the head in the flat layout).

    ``fields`` / ``values``: the record's sex, birth and ID fields and their values. A masked
    number is the registered number it stands for in household ``code`` (``masked``). Returns
    the clean values and the ID number when the batch has not seen it (to record), else ""."""
    sex_f, birth_f, id_f = fields
    sex_v, birth_v, id_v = values
    year_of_review = context.year
    out: dict[str, Any] = {}
    sex = SEX_WORDS.get(cfold(text(sex_v)))
    if sex is None:
        errors.append(
            FieldError(
                sex_f,
                "bad_sex",
                f"giới tính phải là Nam hoặc Nữ, không phải «{text(sex_v)}»",
                f"sex must be Nam (male) or Nữ (female), not '{text(sex_v)}'",
            )
        )
    out["sex"] = sex
    born = birth(birth_v)
    year: int | None = None
    if born is None:
        errors.append(
            FieldError(
                birth_f,
                "bad_birth",
                f"ngày/năm sinh không đọc được: «{text(birth_v)}»",
                f"unreadable date or year of birth: '{text(birth_v)}'",
            )
        )
    else:
        year = born[1]
        age = year_of_review - year
        if age < 0 or age > MAX_AGE:
            errors.append(
                FieldError(
                    birth_f,
                    "impossible_age",
                    f"năm sinh {year}: tuổi {age} vào năm {year_of_review} là không thể",
                    f"born {year}: an age of {age} in {year_of_review} is impossible",
                )
            )
        out["birth_date"] = born[0].isoformat() if born[0] else None
        out["birth_year"] = year
    nid = _national_id(context, masked, code, id_f, id_v, sex, year, errors)
    new_id = ""
    if nid:
        first = seen.ids.get(nid)
        if first is not None:
            other_code, other_row = first
            errors.append(
                FieldError(
                    id_f,
                    "duplicate_national_id",
                    f"số định danh đã có ở dòng {other_row} (hộ {other_code})",
                    f"the same ID is on row {other_row} (household {other_code})",
                )
            )
        else:
            new_id = nid
    out["national_id"] = nid
    return out, new_id


def _national_id(  # noqa: PLR0917
    context: Context,
    masked: Mapping[tuple[str, str], str],
    code: str,
    id_f: str,
    id_v: object,
    sex: str | None,
    year: int | None,
    errors: list[FieldError],
) -> str:
    """The ID number, normalised, with its problems (or the number a masked one stands for)."""
    raw_id = text(id_v)
    if raw_id and "*" in raw_id:
        nid = masked.get((code, raw_id), "")
        if not nid:
            errors.append(
                FieldError(
                    id_f,
                    "id_masked",
                    f"số định danh «{raw_id}» bị che và không khớp thành viên nào của hộ;"
                    " hãy ghi đủ 12 chữ số",
                    f"the ID '{raw_id}' is masked and matches no member of the household;"
                    " write all 12 digits",
                )
            )
        return nid
    if not raw_id:
        return ""
    nid = normalize_citizen_id(raw_id)
    check = check_citizen_id(
        nid,
        sex=IdSex(sex) if sex else None,
        birth_year=year,
        as_of_year=context.year if year is not None and year <= context.year else None,
    )
    for p in check.problems:
        errors.append(FieldError(id_f, f"id_{p.code}", p.message_vi, p.message_en))
    return nid


def check_member_row(
    record: Mapping[str, object],
    context: Context,
    seen: Seen,
    facts: RegistryFacts,
    *,
    row: int,
) -> Checked:
    """The rules of a member record that need no registry look-up but the masked numbers
    (``facts.masked``, see :func:`masked_keys`); then :func:`check_member_registry`."""
    errors: list[FieldError] = []
    code = text(record.get("code"))
    if code not in seen.households:
        errors.append(
            FieldError(
                "code",
                "unknown_household",
                f"mã hộ «{code}» không có trong trang hộ",
                f"household code '{code}' is not in the households sheet",
            )
        )
    name = text(record.get("full_name"))
    if not name:
        errors.append(FieldError("full_name", "missing_name", "thiếu họ tên", "name missing"))
    rel_raw = text(record.get("relationship"))
    rel = RELATIONSHIP_WORDS.get(cfold(rel_raw))
    if rel is None:
        errors.append(
            FieldError(
                "relationship",
                "bad_relationship",
                f"quan hệ với chủ hộ không rõ: «{rel_raw}»",
                f"unknown relationship to the head: '{rel_raw}'",
            )
        )
    clean, new_id = check_person(
        context,
        seen,
        facts.masked,
        code,
        ("sex", "birth", "national_id"),
        (record.get("sex"), record.get("birth"), record.get("national_id")),
        errors,
    )
    eth = text(record.get("ethnicity"))[:50]
    clean.update(code=code, full_name=name[:200], relationship=rel, ethnicity=eth)
    for f in MEMBER_FLAGS:
        clean[f] = bool(flag_field(record, f, errors))
    return Checked(MEMBER, row, clean, errors, new_id)


def masked_keys(records: Iterable[Mapping[str, object]], seen: Seen) -> FactKeys:
    """The households whose registered ID numbers the masked numbers of these member records
    may stand for (needed before :func:`check_member_row`)."""
    keys = FactKeys()
    for record in records:
        raw_id = text(record.get("national_id"))
        if "*" in raw_id:
            code = text(record.get("code"))
            household = seen.households.get(code)
            if household is not None:
                keys.masked.add((household.commune_id, code))
    return keys


def member_keys(checked: Iterable[Checked]) -> FactKeys:
    """The ID numbers whose owners :func:`check_member_registry` needs."""
    return FactKeys(
        national_ids=[c.clean["national_id"] for c in checked if c.clean["national_id"]]
    )


def check_member_registry(checked: Checked, seen: Seen, facts: RegistryFacts) -> None:
    """The member's ID number must not belong to a member of another registered household."""
    clean = checked.clean
    nid = clean["national_id"]
    owner = facts.id_owners.get(nid)
    household = seen.households.get(clean["code"])
    if (
        owner is not None
        and household is not None
        and owner != (household.commune_id, clean["code"])
    ):
        checked.errors.append(
            FieldError(
                "national_id",
                "national_id_other_household",
                f"số định danh đã thuộc một thành viên của hộ {owner[1]}",
                f"the ID belongs to a member of household {owner[1]}",
            )
        )
