"""Classification of one household under a standard, with a bilingual explanation.

This is the reference path: ``giamngheo.core.standards.batch`` classifies whole tables with
vectorised code and must agree with it on every row (property-tested).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from giamngheo.core.standards.headings import ColumnMap, area_value, resolve_columns
from giamngheo.core.standards.model import (
    AREA,
    HOUSEHOLD_ID,
    INCOME,
    INCOME_SCORE,
    Area,
    Classification,
    FieldError,
    Indicator,
    InvalidHousehold,
    PoorBasis,
    Result,
    Standard,
)
from giamngheo.core.standards.registry import get_standard

# Blank cells: empty or only these white-space characters (the same in the batch path).
WHITESPACE = " \t\r\n"
# A plain decimal number (ASCII digits); "1.500.000" / "700.000" (dots as thousands separators,
# the Vietnamese habit) are refused rather than read as 1.5 or 700. Patterns are unanchored:
# Python uses fullmatch, the batch path (RE2) adds ^…$.
NUMBER_PATTERN = r"[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\r\n]*"
GROUPED_PATTERN = r"[ \t\r\n]*[+-]?[0-9]{1,3}(?:\.[0-9]{3})+[ \t\r\n]*"
_NUMBER = re.compile(NUMBER_PATTERN)
_GROUPED = re.compile(GROUPED_PATTERN)

AREA_VI: dict[Area, str] = {"rural": "nông thôn", "urban": "thành thị"}
CLASS_VI: dict[Classification, str] = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "medium": "hộ có mức sống trung bình",
    "non_poor": "hộ không nghèo",
}
CLASS_EN: dict[Classification, str] = {
    "poor": "poor",
    "near_poor": "near-poor",
    "medium": "medium living standard",
    "non_poor": "non-poor",
}
BASIS_VI = {
    "income": "nghèo về thu nhập",
    "deprivation": "nghèo do thiếu hụt tiếp cận dịch vụ xã hội cơ bản",
}
BASIS_EN = {"income": "income-poor", "deprivation": "poor from lack of access to basic services"}


class _Missing:
    """A blank or absent cell."""


MISSING = _Missing()


@dataclass(frozen=True)
class _Problem:
    kind: Literal["not_number", "grouped", "not_flag"]


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(WHITESPACE))


def parse_number(value: object) -> float | _Missing | _Problem:
    """A cell as a number: float, MISSING for a blank cell, or the problem."""
    if is_blank(value):
        return MISSING
    if isinstance(value, bool):
        return _Problem("not_number")
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float | Decimal):
        f = float(value)
        return f if math.isfinite(f) else _Problem("not_number")
    if isinstance(value, str):
        if _GROUPED.fullmatch(value):
            return _Problem("grouped")
        if _NUMBER.fullmatch(value):
            f = float(value)
            return f if math.isfinite(f) else _Problem("not_number")
    return _Problem("not_number")


def parse_flag(value: object) -> int | _Missing | _Problem:
    """A 0/1 indicator cell: 0, 1, MISSING, or the problem."""
    if isinstance(value, bool):
        return int(value)
    n = parse_number(value)
    if isinstance(n, _Missing):
        return n
    if isinstance(n, _Problem) or n not in (0.0, 1.0):
        return _Problem("not_flag")
    return int(n)


def household_id_text(value: object) -> str:
    """The household id as text ("" when blank); kept as given, not trimmed."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fmt_vi(x: float) -> str:
    """1500000 -> "1.500.000"; 1500000.5 -> "1.500.000,5"."""
    return fmt_en(x).replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_en(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _col(heading: str, field: str) -> tuple[str, str]:
    """' (cột "Khu vực")' when the input heading differs from the canonical field."""
    if heading == field:
        return "", ""
    return f' (cột "{heading}")', f' (column "{heading}")'


@dataclass(frozen=True)
class Parsed:
    household_id: str
    area: Area
    income: float | None
    income_raw: object
    score: float | None
    flags: tuple[int, ...]  # in the standard's indicator order
    score_ignored: bool


def _number_error(
    field: str, heading: str, value: object, problem: _Problem, *, what_vi: str, what_en: str
) -> FieldError:
    cv, ce = _col(heading, field)
    if problem.kind == "grouped":
        return FieldError(
            field,
            f"{what_vi}{cv} {_show(value)} có dấu chấm phân cách hàng nghìn; hãy ghi số liền"
            " (ví dụ 1500000)",
            f"{what_en}{ce} {_show(value)} has dots as thousands separators; write the plain"
            " number (e.g. 1500000)",
        )
    return FieldError(
        field,
        f"{what_vi}{cv} không phải là số: {_show(value)}",
        f"{what_en}{ce} is not a number: {_show(value)}",
    )


def parse_record(
    record: Mapping[str, object], standard: Standard, columns: ColumnMap | None = None
) -> Parsed | tuple[str, tuple[FieldError, ...]]:
    """Validate a record: the parsed household, or (household id, every problem found)."""
    cols = columns if columns is not None else resolve_columns(record.keys(), standard)
    f = cols.fields
    errors: list[FieldError] = []

    def get(field: str) -> object:
        heading = f.get(field)
        return None if heading is None else record.get(heading)

    hid = household_id_text(get(HOUSEHOLD_ID))
    if not hid:
        cv, ce = _col(f.get(HOUSEHOLD_ID, HOUSEHOLD_ID), HOUSEHOLD_ID)
        errors.append(FieldError(HOUSEHOLD_ID, f"thiếu mã hộ{cv}", f"household id is missing{ce}"))

    raw_area = get(AREA)
    area: Area | None = None
    cv, ce = _col(f.get(AREA, AREA), AREA)
    if is_blank(raw_area):
        errors.append(
            FieldError(
                AREA,
                f"thiếu khu vực{cv} (Thành thị/Nông thôn)",
                f"area is missing{ce} (urban or rural)",
            )
        )
    else:
        area = area_value(raw_area) if isinstance(raw_area, str) else None
        if area is None:
            errors.append(
                FieldError(
                    AREA,
                    f"khu vực không hợp lệ{cv}: {_show(raw_area)};"
                    " phải là Thành thị hoặc Nông thôn",
                    f"unknown area{ce}: {_show(raw_area)}; must be urban or rural",
                )
            )

    raw_income = get(INCOME)
    income = parse_number(raw_income)
    cv, ce = _col(f.get(INCOME, INCOME), INCOME)
    if isinstance(income, _Problem):
        errors.append(
            _number_error(
                INCOME,
                f.get(INCOME, INCOME),
                raw_income,
                income,
                what_vi="thu nhập bình quân đầu người",
                what_en="income",
            )
        )
    elif isinstance(income, float) and income < 0:
        errors.append(
            FieldError(
                INCOME,
                f"thu nhập bình quân đầu người{cv} âm: {_show(raw_income)}",
                f"income{ce} is negative: {_show(raw_income)}",
            )
        )

    raw_score = get(INCOME_SCORE)
    rule = standard.score_rule
    score: float | _Missing | _Problem = MISSING
    score_ignored = False
    if rule is None:
        if not is_blank(raw_score):
            if isinstance(income, _Missing):
                note = standard.score_rule_note
                errors.append(
                    FieldError(
                        INCOME_SCORE,
                        f"chuẩn {standard.id} không có quy tắc chấm điểm phiếu; cần thu nhập"
                        " bình quân đầu người" + (f" ({note.vi})" if note else ""),
                        f"standard {standard.id} has no form score rule; an income is needed"
                        + (f" ({note.en})" if note else ""),
                    )
                )
            else:
                score_ignored = True
    else:
        score = parse_number(raw_score)
        sh = f.get(INCOME_SCORE, INCOME_SCORE)
        cv, ce = _col(sh, INCOME_SCORE)
        name = rule.score_name
        if isinstance(score, _Problem):
            errors.append(
                _number_error(
                    INCOME_SCORE,
                    sh,
                    raw_score,
                    score,
                    what_vi=f"điểm {name}",
                    what_en=f"score {name}",
                )
            )
        elif isinstance(score, float) and score < 0:
            errors.append(
                FieldError(
                    INCOME_SCORE,
                    f"điểm {name}{cv} âm: {_show(raw_score)}",
                    f"score {name}{ce} is negative: {_show(raw_score)}",
                )
            )
    if (
        isinstance(income, _Missing)
        and isinstance(score, _Missing)
        and not (rule is None and not is_blank(raw_score))
    ):
        score_vi = f" và không có điểm {rule.score_name}" if rule else ""
        score_en = f" nor form score {rule.score_name}" if rule else ""
        errors.append(
            FieldError(
                INCOME,
                f"không có thu nhập bình quân đầu người{score_vi}",
                f"neither income{score_en} given" if rule else "income is missing",
            )
        )

    flags: list[int] = []
    for ind in standard.indicators:
        heading = f.get(ind.column)
        raw = None if heading is None else record.get(heading)
        flag = parse_flag(raw)
        cv, ce = _col(heading or ind.column, ind.column)
        if isinstance(flag, _Missing):
            where_vi = f"thiếu cột {ind.column}" if heading is None else f"thiếu giá trị{cv}"
            where_en = f"no column {ind.column}" if heading is None else f"blank{ce}"
            errors.append(
                FieldError(
                    ind.column,
                    f"chỉ số {ind.name_vi}: {where_vi} (phải là 0 hoặc 1)",
                    f"indicator {ind.name_en}: {where_en} (must be 0 or 1)",
                )
            )
        elif isinstance(flag, _Problem):
            errors.append(
                FieldError(
                    ind.column,
                    f"chỉ số {ind.name_vi}{cv} phải là 0 hoặc 1, không phải {_show(raw)}",
                    f"indicator {ind.name_en}{ce} must be 0 or 1, not {_show(raw)}",
                )
            )
        else:
            flags.append(flag)

    for heading, column in cols.foreign.items():
        if not is_blank(record.get(heading)):
            cv, ce = _col(heading, column)
            errors.append(
                FieldError(
                    column,
                    f"chuẩn {standard.id} không có chỉ số {column}{cv}",
                    f"standard {standard.id} has no indicator {column}{ce}",
                )
            )

    if errors or area is None:
        return hid, tuple(errors)
    return Parsed(
        household_id=hid,
        area=area,
        income=income if isinstance(income, float) else None,
        income_raw=raw_income,
        score=score if isinstance(score, float) else None,
        flags=tuple(flags),
        score_ignored=score_ignored,
    )


def classify_by_income(
    standard: Standard, area: Area, income: float, count: int
) -> tuple[Classification, PoorBasis]:
    lines = standard.lines[area]
    qd59 = standard.rule == "qd59"
    if qd59 and income <= lines.poverty:
        return "poor", "income"
    if income <= lines.near_poverty:
        if count >= standard.deprivation_cutoff:
            return "poor", "deprivation" if qd59 else ""
        return "near_poor", ""
    if lines.medium_upper is not None and income <= lines.medium_upper:
        return "medium", ""
    return "non_poor", ""


def classify_by_score(
    standard: Standard, area: Area, score: float, count: int
) -> tuple[Classification, PoorBasis]:
    rule = standard.score_rule
    assert rule is not None
    cuts = rule.cuts[area]
    qd59 = standard.rule == "qd59"
    if cuts.poor is not None and score <= cuts.poor:
        return "poor", "income" if qd59 else ""
    if score <= cuts.near_poor:
        if count * standard.points_per_deprivation >= rule.min_deprivation_score:
            return "poor", "deprivation" if qd59 else ""
        return "near_poor", ""
    return "non_poor", ""


def _status(c: Classification) -> Classification:
    """Poverty status for comparing income and score: the score rules have no medium band."""
    return "non_poor" if c == "medium" else c


def classify_household(
    record: Mapping[str, object], standard: Standard | str, *, row: int | None = None
) -> Result:
    """Classify one household record.

    Args:
        record: canonical fields (``household_id``, ``area``, ``income`` and/or
            ``income_score``, ``dep_<key>``) or their accepted Vietnamese headings.
        standard: a ``Standard`` or a national standard's id.
        row: the record's row number, carried into the error.

    Returns:
        The classification with its bilingual explanation.

    Raises:
        InvalidHousehold: naming the household and every bad field.
    """
    std = get_standard(standard) if isinstance(standard, str) else standard
    parsed = parse_record(record, std)
    if not isinstance(parsed, Parsed):
        raise InvalidHousehold(parsed[0], parsed[1], row)
    return result_of(parsed, std)


def result_of(p: Parsed, std: Standard) -> Result:
    count = sum(p.flags)
    deprived = tuple(ind for ind, flag in zip(std.indicators, p.flags, strict=True) if flag)
    by_income = classify_by_income(std, p.area, p.income, count) if p.income is not None else None
    by_score = classify_by_score(std, p.area, p.score, count) if p.score is not None else None
    decided_by: Literal["income", "score"] = "score" if by_score is not None else "income"
    decision = by_score if by_score is not None else by_income
    assert decision is not None  # parse_record guarantees an income or a score
    cls, basis = decision
    disagreement = (
        by_score is not None and by_income is not None and _status(by_income[0]) != by_score[0]
    )
    points = count * std.points_per_deprivation

    dep_vi, dep_en = _deprivations_text(std, deprived, points)
    if decided_by == "score":
        assert p.score is not None
        why_vi, why_en = _score_reason(std, p.area, p.score, points, cls=cls, basis=basis)
    else:
        assert p.income is not None
        why_vi, why_en = _income_reason(std, p.area, p.income, count, cls=cls, basis=basis)

    notes_vi = [n.vi for n in std.notes]
    notes_en = [n.en for n in std.notes]
    lines = std.lines[p.area]
    if decided_by == "income" and p.income is not None and p.income > lines.near_poverty:
        band = std.medium_band_note
        if band is not None and (std.medium_band_provisional or lines.medium_upper is None):
            notes_vi.append(band.vi)
            notes_en.append(band.en)
    if p.score_ignored:
        note = std.score_rule_note
        notes_vi.append(
            f"Điểm phiếu không được dùng: chuẩn {std.id} không có quy tắc chấm điểm"
            + (f" ({note.vi})" if note else "")
        )
        notes_en.append(
            f"The form score was not used: standard {std.id} has no score rule"
            + (f" ({note.en})" if note else "")
        )
    dis_vi = dis_en = ""
    if disagreement:
        assert by_income is not None and p.income is not None and std.score_rule is not None
        name = std.score_rule.score_name
        dis_vi = (
            f"Thu nhập {fmt_vi(p.income)} đồng cho kết quả {CLASS_VI[by_income[0]]}, khác với kết"
            f" quả theo điểm {name} ({CLASS_VI[cls]}); điểm phiếu quyết định."
        )
        dis_en = (
            f"The income {fmt_en(p.income)} VND gives {CLASS_EN[by_income[0]]}, unlike the score"
            f" {name} ({CLASS_EN[cls]}); the form score decides."
        )
        notes_vi.append(dis_vi)
        notes_en.append(dis_en)

    head_vi = (
        f"Hộ {p.household_id} ({AREA_VI[p.area]}), chuẩn {std.id} ({std.legal_basis.instrument})"
    )
    head_en = (
        f"Household {p.household_id} ({p.area}), standard {std.id} ({std.legal_basis.instrument})"
    )
    result_vi = CLASS_VI[cls] + (f" ({BASIS_VI[basis]})" if basis else "")
    result_en = CLASS_EN[cls] + (f" ({BASIS_EN[basis]})" if basis else "")
    explanation_vi = f"{head_vi}: {dep_vi}. {why_vi} → {result_vi}."
    explanation_en = f"{head_en}: {dep_en}. {why_en} → {result_en}."
    if notes_vi:
        explanation_vi += " Lưu ý: " + " ".join(notes_vi)
        explanation_en += " Note: " + " ".join(notes_en)

    return Result(
        household_id=p.household_id,
        standard=std.id,
        classification=cls,
        poor_basis=basis,
        deprivation_count=count,
        deprivation_score=points,
        deprived=tuple(i.key for i in deprived),
        area=p.area,
        decided_by=decided_by,
        income=p.income,
        income_score=p.score,
        income_score_disagreement=disagreement,
        explanation_vi=explanation_vi,
        explanation_en=explanation_en,
        disagreement_vi=dis_vi,
        disagreement_en=dis_en,
        notes_vi=tuple(notes_vi),
        notes_en=tuple(notes_en),
    )


def _deprivations_text(
    std: Standard, deprived: tuple[Indicator, ...], points: int
) -> tuple[str, str]:
    name = std.score_rule.deprivation_score_name if std.score_rule else "B"
    if not deprived:
        return (
            f"không thiếu hụt chỉ số nào (điểm {name} = 0)",
            f"no deprivation (score {name} = 0)",
        )
    return (
        f"thiếu hụt {len(deprived)} chỉ số ({'; '.join(i.name_vi for i in deprived)}),"
        f" điểm {name} = {points}",
        f"{len(deprived)} deprivation{'s' if len(deprived) > 1 else ''}"
        f" ({'; '.join(i.name_en for i in deprived)}), score {name} = {points}",
    )


def _income_reason(
    std: Standard, area: Area, income: float, count: int, *, cls: Classification, basis: PoorBasis
) -> tuple[str, str]:
    lines = std.lines[area]
    k = std.deprivation_cutoff
    iv = f"Thu nhập bình quân {fmt_vi(income)} đồng/người/tháng"
    ie = f"Income {fmt_en(income)} VND per person per month"
    if basis == "income":
        return (
            f"{iv} ≤ chuẩn nghèo {fmt_vi(lines.poverty)}",
            f"{ie} ≤ the poverty line {fmt_en(lines.poverty)}",
        )
    if cls in ("poor", "near_poor"):
        cmp = "≥" if cls == "poor" else "<"
        if std.rule == "qd59":
            return (
                f"{iv}: trên chuẩn nghèo {fmt_vi(lines.poverty)}, không quá chuẩn cận nghèo"
                f" {fmt_vi(lines.near_poverty)}, và số chỉ số thiếu hụt {count} {cmp} {k}",
                f"{ie}: above the poverty line {fmt_en(lines.poverty)}, at most the near-poverty"
                f" line {fmt_en(lines.near_poverty)}, and {count} deprivations {cmp} {k}",
            )
        return (
            f"{iv} ≤ chuẩn nghèo {fmt_vi(lines.near_poverty)} và số chỉ số thiếu hụt {count}"
            f" {cmp} {k}",
            f"{ie} ≤ the poverty line {fmt_en(lines.near_poverty)} and {count} deprivations"
            f" {cmp} {k}",
        )
    line_vi = "chuẩn cận nghèo" if std.rule == "qd59" else "chuẩn nghèo"
    line_en = "near-poverty line" if std.rule == "qd59" else "poverty line"
    if cls == "medium":
        assert lines.medium_upper is not None
        return (
            f"{iv}: trên {line_vi} {fmt_vi(lines.near_poverty)}, không quá mức trần hộ có mức"
            f" sống trung bình {fmt_vi(lines.medium_upper)}",
            f"{ie}: above the {line_en} {fmt_en(lines.near_poverty)}, at most the"
            f" medium-living-standard bound {fmt_en(lines.medium_upper)}",
        )
    if lines.medium_upper is not None:
        return (
            f"{iv} > mức trần hộ có mức sống trung bình {fmt_vi(lines.medium_upper)}",
            f"{ie} > the medium-living-standard bound {fmt_en(lines.medium_upper)}",
        )
    return (
        f"{iv} > {line_vi} {fmt_vi(lines.near_poverty)}",
        f"{ie} > the {line_en} {fmt_en(lines.near_poverty)}",
    )


def _score_reason(
    std: Standard, area: Area, score: float, points: int, *, cls: Classification, basis: PoorBasis
) -> tuple[str, str]:
    rule = std.score_rule
    assert rule is not None
    cuts = rule.cuts[area]
    a, b, m = rule.score_name, rule.deprivation_score_name, rule.min_deprivation_score
    sv, se = fmt_vi(score), fmt_en(score)
    basis_v = f"theo {rule.basis}"
    basis_e = f"under {rule.basis}"
    if basis == "income":
        assert cuts.poor is not None
        return (
            f"Điểm {a} = {sv} ≤ {cuts.poor} ({basis_v})",
            f"Score {a} = {se} ≤ {cuts.poor} ({basis_e})",
        )
    if cls in ("poor", "near_poor"):
        cmp = "≥" if cls == "poor" else "<"
        low_v = f"{cuts.poor} < " if cuts.poor is not None else ""
        return (
            f"{low_v}điểm {a} = {sv} ≤ {cuts.near_poor} và điểm {b} = {points} {cmp} {m}"
            f" ({basis_v})",
            f"{low_v}score {a} = {se} ≤ {cuts.near_poor} and score {b} = {points} {cmp} {m}"
            f" ({basis_e})",
        )
    return (
        f"Điểm {a} = {sv} > {cuts.near_poor} ({basis_v})",
        f"Score {a} = {se} > {cuts.near_poor} ({basis_e})",
    )
