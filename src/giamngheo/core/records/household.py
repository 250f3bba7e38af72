"""The rules of a household record (a row of the households sheet, with the head's columns in
the flat layout), its checks against the registry, and against the summary of its members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from giamngheo.core.records.cells import blank, date, text
from giamngheo.core.records.context import (
    Checked,
    Commune,
    Context,
    FactKeys,
    RegistryFacts,
    Seen,
    SeenHousehold,
    review_key,
)
from giamngheo.core.records.errors import FieldError
from giamngheo.core.records.headings import HOUSEHOLD
from giamngheo.core.records.member import check_person, flag_field
from giamngheo.core.records.vocab import (
    ACTIVE,
    ADHOC,
    CAUSES,
    ENTRY_REASON_WORDS,
    FEMALE,
    FLAG_FIELDS,
    HEAD,
    SPLIT_OFF,
    cfold,
    is_minority,
)
from giamngheo.core.standards import InvalidHousehold, classify_household
from giamngheo.core.standards.headings import area_value
from giamngheo.core.text import unit_name_key

#: The head's columns of the flat layout that make its household row carry a head member.
HEAD_FIELDS = ("head_sex", "head_birth", "head_national_id")
_CAUSE_FIELDS = tuple((k, f"cause_{k}") for k in CAUSES)
#: The female-head flag against the head's sex (the flat layout's head, or the head member).
_FEMALE_HEAD_CONFLICT = FieldError(
    "female_head",
    "flag_conflict",
    "cờ «chủ hộ là nữ» trái với giới tính của chủ hộ",
    "the female-head flag contradicts the head's sex",
)


@lru_cache(maxsize=4096)
def _village_key(name: str) -> str:
    return unit_name_key(name)


def commune_of(record: Mapping[str, object], context: Context) -> Commune | FieldError:
    """The record's commune, by code, else by name, else the scope when it is a commune."""
    code = text(record.get("commune_code"))
    name = text(record.get("commune"))
    scope = context.scope_label
    if code:
        unit = context.by_code.get(code.zfill(5) if code.isdigit() else code)
        if unit is None:
            return FieldError(
                "commune_code",
                "unknown_commune",
                f"mã xã «{code}» không có trong {scope}",
                f"commune code '{code}' is not in {scope}",
            )
        return unit
    if name:
        hits = context.by_name.get(unit_name_key(name), [])
        if len(hits) == 1:
            return hits[0]
        return FieldError(
            "commune",
            "unknown_commune",
            f"xã «{name}» không có (hoặc không rõ) trong {scope}",
            f"commune '{name}' is unknown (or ambiguous) in {scope}",
        )
    if context.scope_is_commune and context.scope_code in context.by_code:
        return context.by_code[context.scope_code]
    return FieldError(
        "commune_code",
        "unknown_commune",
        "thiếu mã xã hoặc tên xã",
        "the commune code or name is missing",
    )


def check_household_row(
    record: Mapping[str, object],
    context: Context,
    seen: Seen,
    *,
    row: int,
    engine_fields: Sequence[str] = (),
    flat: bool = False,
) -> Checked:
    """The rules of a household record that need no registry look-up (then
    :func:`check_household_registry`).

    ``record``: field → value, the fields of ``HOUSEHOLD_HEADINGS`` and ``engine_fields``,
    the standards engine's columns (income, the form score, the indicators, the area).
    ``flat``: the record also holds its head's columns (the flat layout): they are checked
    and give the head member (``clean["head"]``) when any of them is filled in."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    code = text(record.get("code"))
    _check_code(code, seen, errors)
    clean["code"] = code
    area = _place(record, context, clean, errors)
    head = text(record.get("head_name"))
    if not head:
        errors.append(
            FieldError("head_name", "missing_head_name", "thiếu họ tên chủ hộ", "head missing")
        )
    clean["head_name"] = head
    clean["address"] = text(record.get("address"))[:300]
    _flags(record, clean, errors)
    rd = _review_date(record, context, errors)
    clean["review_date"] = rd.isoformat() if rd else None
    clean["persons"] = _persons(record, errors)
    clean["entry"] = _entry(record, rd, errors)
    _classify(record, engine_fields, code, area, context, clean, errors)
    clean["head"] = None
    new_id = ""
    if flat and any(not blank(record.get(f)) for f in HEAD_FIELDS):
        new_id = _flat_head(record, context, seen, code, head, clean, errors)
    return Checked(HOUSEHOLD, row, clean, errors, new_id)


def _check_code(code: str, seen: Seen, errors: list[FieldError]) -> None:
    if not code:
        errors.append(FieldError("code", "missing_code", "thiếu mã hộ", "household code missing"))
    elif len(code) > 32:
        errors.append(
            FieldError("code", "bad_code", "mã hộ dài quá 32 ký tự", "code over 32 chars")
        )
    elif code in seen.households:
        first = seen.households[code].row
        errors.append(
            FieldError(
                "code",
                "duplicate_code",
                f"mã hộ {code} trùng với dòng {first}",
                f"household code {code} repeats row {first}",
            )
        )


def _place(
    record: Mapping[str, object], context: Context, clean: dict[str, Any], errors: list[FieldError]
) -> str:
    """The commune and village (into ``clean``); the commune's area ("" when unknown)."""
    commune = commune_of(record, context)
    if isinstance(commune, FieldError):
        errors.append(commune)
        return ""
    clean["commune"], clean["area"] = commune.id, commune.area
    vname = text(record.get("village"))
    clean["village"] = None
    if vname:
        vid = commune.villages.get(_village_key(vname))
        if vid is None:
            errors.append(
                FieldError(
                    "village",
                    "unknown_village",
                    f"thôn «{vname}» không thuộc {commune.name}",
                    f"village '{vname}' is not in {commune.name}",
                )
            )
        clean["village"] = vid
    return commune.area


def _flags(record: Mapping[str, object], clean: dict[str, Any], errors: list[FieldError]) -> None:
    """The yes/no fields and the causes of poverty."""
    for f in FLAG_FIELDS:
        clean[f] = bool(flag_field(record, f, errors))
    clean["causes"] = [k for k, f in _CAUSE_FIELDS if flag_field(record, f, errors)]
    if clean["indigenous_minority"] and not clean["ethnic_minority"]:
        errors.append(
            FieldError(
                "indigenous_minority",
                "flag_conflict",
                "hộ DTTS tại chỗ nhưng không phải hộ dân tộc thiểu số",
                "local indigenous minority but not an ethnic-minority household",
            )
        )


def _review_date(
    record: Mapping[str, object], context: Context, errors: list[FieldError]
) -> dt.date | None:
    """The review date: the record's (needed for an ad hoc review), else the default."""
    rd_raw = record.get("review_date")
    rd = context.review_date_default
    if not blank(rd_raw) or context.kind == ADHOC:
        rd = date(rd_raw)
        if rd is None or rd.year != context.year:
            errors.append(
                FieldError(
                    "review_date",
                    "bad_review_date",
                    f"ngày rà soát phải là một ngày trong năm {context.year}",
                    f"the review date must be a date in {context.year}",
                )
            )
    return rd


def _persons(record: Mapping[str, object], errors: list[FieldError]) -> int | None:
    raw = record.get("persons")
    if blank(raw):
        return None
    try:
        persons = int(float(text(raw)))
        if persons < 1 or persons > 99:
            raise ValueError
    except ValueError:
        errors.append(
            FieldError(
                "persons",
                "bad_persons",
                f"số nhân khẩu không hợp lệ: «{text(raw)}»",
                f"invalid number of persons: '{text(raw)}'",
            )
        )
        return None
    return persons


def _entry(
    record: Mapping[str, object], review_date: dt.date | None, errors: list[FieldError]
) -> dict[str, str] | None:
    """How the household came into the registry, when the record says it: reason, date (not
    after the review) and, for a split, the code of the household it split from."""
    reason_raw = text(record.get("entry_reason"))
    date_raw = record.get("entry_date")
    came_raw = text(record.get("came_from"))
    if not reason_raw and blank(date_raw) and not came_raw:
        return None
    reason = ENTRY_REASON_WORDS.get(cfold(reason_raw)) if reason_raw else None
    if reason is None:
        errors.append(
            FieldError(
                "entry_reason",
                "bad_entry_reason",
                f"lý do vào sổ phải là «Chuyển đến» hoặc «Tách hộ», không phải «{reason_raw}»",
                f"the entry reason must be 'Chuyển đến' (moved in) or 'Tách hộ' (split off),"
                f" not '{reason_raw}'",
            )
        )
    on = date(date_raw)
    if on is None or (review_date is not None and on > review_date):
        errors.append(
            FieldError(
                "entry_date",
                "bad_entry_date",
                "ngày vào sổ phải là một ngày, không sau ngày rà soát",
                "the entry date must be a date, not after the review date",
            )
        )
    if came_raw and reason != SPLIT_OFF:
        errors.append(
            FieldError(
                "came_from",
                "came_from_not_split",
                "chỉ hộ tách ra mới ghi «Tách từ hộ»",
                "only a household that split off names the household it came from",
            )
        )
    if reason is None or on is None:
        return None
    return {"reason": reason, "date": on.isoformat(), "came_from": came_raw[:32]}


def _classify(  # noqa: PLR0917
    record: Mapping[str, object],
    engine_fields: Sequence[str],
    code: str,
    area: str,
    context: Context,
    clean: dict[str, Any],
    errors: list[FieldError],
) -> None:
    """The standards engine's classification of the record (``clean["inputs"]`` and
    ``clean["result"]``), or its errors; an area that is not the commune's."""
    eng: dict[str, object] = {"household_id": code or "?", "area": area or None}
    for canon in engine_fields:
        value = record.get(canon)
        if canon != "area" or not blank(value):
            eng[canon] = value
    if "area" in engine_fields and area and not blank(record.get("area")):
        given = area_value(text(record.get("area")))
        if given is not None and given != area:
            errors.append(
                FieldError(
                    "area",
                    "area_mismatch",
                    f"khu vực khác với khu vực của xã ({area})",
                    f"the area differs from the commune's ({area})",
                    engine=True,
                )
            )
    std = context.standard
    try:
        res = classify_household(eng, std)
    except InvalidHousehold as exc:
        for e in exc.errors:
            errors.append(FieldError(e.field, "engine", e.message_vi, e.message_en, engine=True))
        return
    inputs: dict[str, object] = {}
    if res.income is not None:
        inputs["income"] = res.income
    if res.income_score is not None:
        inputs["income_score"] = res.income_score
    deprived = set(res.deprived)  # the engine parsed the flags: reuse them
    for ind in std.indicators:
        inputs[ind.column] = int(ind.key in deprived)
    clean["inputs"] = inputs
    clean["result"] = {
        "classification": res.classification,
        "poor_basis": res.poor_basis,
        "deprivation_count": res.deprivation_count,
        "deprived": list(res.deprived),
        "explanation_vi": res.explanation_vi,
        "explanation_en": res.explanation_en,
    }


def _flat_head(  # noqa: PLR0917
    record: Mapping[str, object],
    context: Context,
    seen: Seen,
    code: str,
    head: str,
    clean: dict[str, Any],
    errors: list[FieldError],
) -> str:
    """The head member from the flat layout's head columns (into ``clean["head"]``), and its
    agreement with the household's flags; returns the head's ID number if new to the batch."""
    person, new_id = check_person(
        context,
        seen,
        {},
        code,
        ("head_sex", "head_birth", "head_national_id"),
        (record.get("head_sex"), record.get("head_birth"), record.get("head_national_id")),
        errors,
    )
    eth = text(record.get("head_ethnicity"))
    person.update(
        full_name=head,
        relationship=HEAD,
        ethnicity=eth,
        health_insurance=False,
        in_school=False,
        disability=False,
    )
    clean["head"] = person
    if person["sex"] and clean["female_head"] != (person["sex"] == FEMALE):
        errors.append(_FEMALE_HEAD_CONFLICT)
    if is_minority(eth) and not clean["ethnic_minority"]:
        errors.append(
            FieldError(
                "ethnic_minority",
                "flag_conflict",
                f"chủ hộ là người dân tộc {eth} nhưng hộ không đánh dấu là hộ DTTS",
                f"the head is {eth} but the household is not marked ethnic-minority",
            )
        )
    return new_id


# ---------------------------------------------------------------------------------------------
# Against the registry
# ---------------------------------------------------------------------------------------------
def _came_from(clean: Mapping[str, Any]) -> bool:
    return bool(clean.get("commune") and clean.get("entry") and clean["entry"]["came_from"])


def household_keys(checked: Iterable[Checked]) -> FactKeys:
    """The registry facts :func:`check_household_registry` needs for these records."""
    keys = FactKeys()
    for c in checked:
        clean = c.clean
        if clean.get("commune"):
            keys.households.add((clean["commune"], clean["code"]))
        if _came_from(clean):
            keys.sources.add((clean["commune"], clean["entry"]["came_from"]))
        head = clean.get("head")
        if head and head["national_id"]:
            keys.national_ids.append(head["national_id"])
    return keys


def check_household_registry(checked: Checked, context: Context, facts: RegistryFacts) -> None:
    """The rules against the registry: the household a split names exists (its id goes into
    ``clean["entry"]["came_from_id"]``), a registered household is active and its approved
    review is not contradicted, the head's ID number is not another household's member's."""
    clean, errors = checked.clean, checked.errors
    code = clean["code"]
    if _came_from(clean):
        source = (clean["commune"], clean["entry"]["came_from"])
        if source[1] == code:
            errors.append(
                FieldError(
                    "came_from",
                    "came_from_itself",
                    "một hộ không tách từ chính nó",
                    "a household cannot split off from itself",
                )
            )
        elif source in facts.split_sources:
            clean["entry"]["came_from_id"] = facts.split_sources[source]
        else:
            errors.append(
                FieldError(
                    "came_from",
                    "unknown_source_household",
                    f"hộ gốc «{source[1]}» không có trong sổ của xã",
                    f"household '{source[1]}' (split from) is not in the commune's registry",
                )
            )
    key = (clean.get("commune", 0), code)
    found = facts.households.get(key)
    if found is not None:
        if found.status != ACTIVE:
            errors.append(
                FieldError(
                    "code",
                    "household_not_active",
                    f"hộ {code} không còn trong sổ (tình trạng: {found.status})",
                    f"household {code} is no longer active ({found.status})",
                )
            )
        approved = found.approved.get(review_key(context.kind, clean["review_date"] or ""))
        if approved is not None and (
            approved[0] != clean.get("inputs") or sorted(approved[1]) != sorted(clean["causes"])
        ):
            errors.append(
                FieldError(
                    "code",
                    "approved_review",
                    f"hộ {code} đã có phiếu rà soát {context.year} được phê duyệt với"
                    " số liệu khác; hãy lập phiếu điều chỉnh",
                    f"household {code} has an approved {context.year} review with"
                    " other data; make a correction instead",
                )
            )
    head = clean.get("head")
    owner = facts.id_owners.get(head["national_id"]) if head else None
    if owner is not None and owner != key:
        errors.append(
            FieldError(
                "head_national_id",
                "national_id_other_household",
                f"số định danh đã thuộc một thành viên của hộ {owner[1]}",
                f"the ID belongs to a member of household {owner[1]}",
            )
        )


# ---------------------------------------------------------------------------------------------
# Against the members
# ---------------------------------------------------------------------------------------------
def check_against_members(household: SeenHousehold) -> list[FieldError]:
    """A household against the summary of its members: exactly one head, named as the
    household's head; the female-head flag and the head's sex agree; a head or spouse of an
    ethnic minority makes an ethnic-minority household; the persons are the members."""
    errors: list[FieldError] = []
    heads = household.heads
    if len(heads) != 1:
        errors.append(
            FieldError(
                "head_name",
                "head_count",
                f"hộ phải có đúng một thành viên là chủ hộ, có {len(heads)}",
                f"the household must have exactly one head member, has {len(heads)}",
            )
        )
    else:
        sex, key = heads[0]
        if key != household.head_key:
            errors.append(
                FieldError(
                    "head_name",
                    "head_name_mismatch",
                    "họ tên chủ hộ khác với thành viên là chủ hộ",
                    "the head's name differs from the member marked as head",
                )
            )
        if sex and household.female_head != (sex == FEMALE):
            errors.append(_FEMALE_HEAD_CONFLICT)
    if household.minority_head_or_spouse and not household.ethnic_minority:
        errors.append(
            FieldError(
                "ethnic_minority",
                "flag_conflict",
                "chủ hộ hoặc vợ/chồng là người dân tộc thiểu số nhưng hộ không được đánh dấu"
                " hộ DTTS",
                "the head or spouse is an ethnic minority but the household is not marked so",
            )
        )
    members = household.members
    if household.persons is not None and household.persons != members:
        errors.append(
            FieldError(
                "persons",
                "persons_mismatch",
                f"số nhân khẩu {household.persons} khác số thành viên trong trang thành viên"
                f" ({members})",
                f"{household.persons} persons but {members} members in the members sheet",
            )
        )
    return errors
