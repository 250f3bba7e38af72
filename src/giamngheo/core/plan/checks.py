"""Checks of a plan table: arithmetic, bounds, unit names and objectives.

``check_table(table, objectives=None, known_units=None)`` returns a list of ``Finding`` in
table order (rows, then total rows, then objectives). Expected and actual values are strings
in Vietnamese number format (``"1,61"``, ``"15.954"``, ``"77–87"``).

Rates are compared at the precision they are printed with: a printed ``20,7`` is compared
with the exact rate rounded (ROUND_HALF_UP) to one decimal, ``1,60`` with the exact rate
rounded to two. A difference of exactly one unit in the last printed digit is a warning
(``rounding``: 24/1491 = 1,6097… printed 1,60 instead of 1,61); more is an error.
Objective comparisons use exact fractions (199/15954 = 1,2473… points > 1,2).

Finding codes (stable; the web app and the CLI's ``--json`` rely on them):

==========================  ========  ==============================================
code                        severity  meaning
==========================  ========  ==============================================
``rounding``                warning   printed rate (4 or 7) one unit off in its last
                                      digit
``rate_mismatch``           error     printed rate (4 or 7) of a row or a total more
                                      than one unit off
``remaining_mismatch``      error     column 6 of a row is not 3 − 5
``total_mismatch``          error     a total row's 1, 2, 3, 5 or 6 is not the sum of
                                      its rows (I: urban, II: rural, III: all)
``exceeds_households``      error     column 2 or 3 greater than column 1
``exceeds_poor``            error     column 5 greater than column 3
``negative``                error     a negative number
``zero_households``         error     column 1 is 0: rates cannot be computed
``missing_reduction``       warning   column 5 is empty (plan not complete)
``duplicate_unit``          error     the same unit appears on two rows
``unknown_unit``            error     the name matches no known unit (close names in
                                      ``expected``)
``ambiguous_unit``          error     the name matches several known units
                                      (candidates in ``expected``)
``objective_not_met``       error     the whole table's reduction in points misses
                                      the minimum (households needed in ``expected``)
``objective_below_range``   error     a commune's reduction is below its range
``objective_above_range``   error     a commune's reduction is above its range
``objective_infeasible``    error     a commune's range contains no whole number of
                                      households or needs more than its poor
``objective_unknown_unit``  error     an objective names no row (or several)
==========================  ========  ==============================================
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from giamngheo.core.numbers import Lang, decimal_places, format_decimal, format_int, round_half_up
from giamngheo.core.plan import calc
from giamngheo.core.plan.model import (
    CommuneObjective,
    Finding,
    Objectives,
    PlanRow,
    PlanTable,
    PrintedTotal,
    Severity,
)
from giamngheo.core.text import unit_name_key

CODES: dict[str, Severity] = {
    "rounding": "warning",
    "rate_mismatch": "error",
    "remaining_mismatch": "error",
    "total_mismatch": "error",
    "exceeds_households": "error",
    "exceeds_poor": "error",
    "negative": "error",
    "zero_households": "error",
    "missing_reduction": "warning",
    "duplicate_unit": "error",
    "unknown_unit": "error",
    "ambiguous_unit": "error",
    "objective_not_met": "error",
    "objective_below_range": "error",
    "objective_above_range": "error",
    "objective_infeasible": "error",
    "objective_unknown_unit": "error",
}

COLUMN_NAMES_VI = {
    "1": "tổng số hộ",
    "2": "số hộ DTTS",
    "3": "số hộ nghèo",
    "4": "tỷ lệ hộ nghèo",
    "5": "số hộ giảm",
    "6": "số hộ nghèo còn lại",
    "7": "tỷ lệ dự kiến",
}
COLUMN_NAMES_EN = {
    "1": "households",
    "2": "ethnic-minority households",
    "3": "poor households",
    "4": "poverty rate",
    "5": "reduction",
    "6": "poor remaining",
    "7": "projected rate",
}
GRAND_TOTAL_LABEL = calc.SECTION_LABELS_VI[None]


@dataclass(frozen=True)
class KnownUnit:
    """A unit the names may refer to (from the administrative-unit register)."""

    name: str
    code: str | None = None

    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


KnownUnits = Mapping[str, str] | Iterable[str | KnownUnit]
"""Either ``{code: name}`` or an iterable of names and/or ``KnownUnit``."""


def normalize_known_units(known: KnownUnits) -> list[KnownUnit]:
    if isinstance(known, Mapping):
        return [KnownUnit(name=name, code=code) for code, name in known.items()]
    return [k if isinstance(k, KnownUnit) else KnownUnit(name=k) for k in known]


def match_unit(name: str, known: list[KnownUnit], code: str | None = None) -> list[KnownUnit]:
    """Known units that ``name`` (or ``code``) designates; diacritics- and kind-insensitive
    (``"Đắk Kan"`` matches ``"Xã Đăk Kan"``). A matching code wins over the name."""
    if code:
        by_code = [k for k in known if k.code == code]
        if by_code:
            return by_code
    key = unit_name_key(name)
    return [k for k in known if unit_name_key(k.name) == key]


def _f(  # noqa: PLR0917 - mirrors Finding's positional fields
    code: str, row: str, column: str, expected: str | None, actual: str | None, vi: str, en: str
) -> Finding:
    return Finding(CODES[code], code, row, column, expected, actual, vi, en)


def _pts(value: Fraction) -> str:
    """Exact value shown with four decimals (…) for messages."""
    return format_decimal(round_half_up(value, 4), "vi")


def _pts_en(value: Fraction) -> str:
    return format_decimal(round_half_up(value, 4), "en")


def _check_rate(
    label: str,
    column: str,
    printed_value: Decimal | None,
    exact: Fraction | None,
    formula: str,
) -> list[Finding]:
    if printed_value is None or exact is None:
        return []
    places = decimal_places(printed_value)
    expected = round_half_up(exact, places)
    units = abs(printed_value - expected).scaleb(places)
    if units == 0:
        return []
    code = "rounding" if units == 1 else "rate_mismatch"
    exp_s, act_s = format_decimal(expected, "vi"), format_decimal(printed_value, "vi")
    name_vi, name_en = COLUMN_NAMES_VI[column], COLUMN_NAMES_EN[column]
    if code == "rounding":
        vi = (
            f"{name_vi.capitalize()} (cột {column} = {formula}) = {_pts(exact)}… làm tròn "
            f"thành {exp_s}, bảng ghi {act_s} (lệch một đơn vị ở chữ số cuối)"
        )
        en = (
            f"The {name_en} (column {column} = {formula}) is {_pts_en(exact)}…, which rounds "
            f"to {format_decimal(expected, 'en')}; the table prints "
            f"{format_decimal(printed_value, 'en')} (one unit off in the last digit)"
        )
    else:
        vi = (
            f"{name_vi.capitalize()} (cột {column} = {formula}) phải là {exp_s} "
            f"({_pts(exact)}…), bảng ghi {act_s}"
        )
        en = (
            f"The {name_en} (column {column} = {formula}) should be "
            f"{format_decimal(expected, 'en')} ({_pts_en(exact)}…); the table prints "
            f"{format_decimal(printed_value, 'en')}"
        )
    return [_f(code, label, column, exp_s, act_s, vi, en)]


def _check_row(row: PlanRow) -> list[Finding]:
    out: list[Finding] = []
    name = row.name
    values = {
        "1": row.households,
        "2": row.ethnic_minority,
        "3": row.poor,
        "5": row.reduction,
        "6": row.printed_remaining,
    }
    for column, value in values.items():
        if value is not None and value < 0:
            out.append(
                _f(
                    "negative",
                    name,
                    column,
                    None,
                    format_int(value),
                    f"Cột {column} ({COLUMN_NAMES_VI[column]}) không được âm",
                    f"Column {column} ({COLUMN_NAMES_EN[column]}) cannot be negative",
                )
            )
    for column, value in (("2", row.ethnic_minority), ("3", row.poor)):
        if value > row.households:
            out.append(
                _f(
                    "exceeds_households",
                    name,
                    column,
                    f"≤ {format_int(row.households)}",
                    format_int(value),
                    f"Cột {column} ({COLUMN_NAMES_VI[column]}) lớn hơn tổng số hộ (cột 1 = "
                    f"{format_int(row.households)})",
                    f"Column {column} ({COLUMN_NAMES_EN[column]}) exceeds the households "
                    f"(column 1 = {format_int(row.households, 'en')})",
                )
            )
    if row.reduction is None:
        out.append(
            _f(
                "missing_reduction",
                name,
                "5",
                None,
                None,
                "Chưa có số hộ giảm (cột 5)",
                "The reduction (column 5) is empty",
            )
        )
    elif row.reduction > row.poor:
        out.append(
            _f(
                "exceeds_poor",
                name,
                "5",
                f"≤ {format_int(row.poor)}",
                format_int(row.reduction),
                f"Số hộ giảm lớn hơn số hộ nghèo (cột 3 = {format_int(row.poor)})",
                f"The reduction exceeds the poor households (column 3 = "
                f"{format_int(row.poor, 'en')})",
            )
        )
    if row.reduction is not None and row.printed_remaining is not None:
        expected = calc.remaining(row.poor, row.reduction)
        if expected != row.printed_remaining:
            out.append(
                _f(
                    "remaining_mismatch",
                    name,
                    "6",
                    format_int(expected),
                    format_int(row.printed_remaining),
                    f"Số hộ nghèo còn lại (cột 6 = 3 − 5) phải là {format_int(row.poor)} − "
                    f"{format_int(row.reduction)} = {format_int(expected)}",
                    f"Poor remaining (column 6 = 3 − 5) should be {format_int(row.poor, 'en')} − "
                    f"{format_int(row.reduction, 'en')} = {format_int(expected, 'en')}",
                )
            )
    if row.households == 0:
        if row.poor or row.printed_rate is not None or row.printed_projected_rate is not None:
            out.append(
                _f(
                    "zero_households",
                    name,
                    "1",
                    None,
                    "0",
                    "Tổng số hộ bằng 0: không tính được tỷ lệ",
                    "No households: the rates cannot be computed",
                )
            )
        return out
    out += _check_rate(name, "4", row.printed_rate, calc.rate(row.poor, row.households), "3/1")
    if row.reduction is not None:
        out += _check_rate(
            name,
            "7",
            row.printed_projected_rate,
            calc.projected_rate(row.households, row.poor, row.reduction),
            "6/1",
        )
    return out


def _check_total(total: PrintedTotal, rows: tuple[PlanRow, ...]) -> list[Finding]:
    t = calc.totals(rows, total.section)
    grand = total.section is None
    scope_vi = "tất cả các dòng" if grand else f"các dòng khu vực {total.number}"
    scope_en = "all rows" if grand else f"the rows of section {total.number}"
    out: list[Finding] = []
    pairs = (
        ("1", total.households, t.households),
        ("2", total.ethnic_minority, t.ethnic_minority),
        ("3", total.poor, t.poor),
        ("5", total.reduction, t.reduction),
        ("6", total.remaining, t.remaining),
    )
    for column, printed_value, expected in pairs:
        if printed_value is None or expected is None or printed_value == expected:
            continue
        out.append(
            _f(
                "total_mismatch",
                total.name,
                column,
                format_int(expected),
                format_int(printed_value),
                f"Cột {column} ({COLUMN_NAMES_VI[column]}) của dòng tổng phải bằng tổng "
                f"{scope_vi}: {format_int(expected)}",
                f"Column {column} ({COLUMN_NAMES_EN[column]}) of the total must be the sum of "
                f"{scope_en}: {format_int(expected, 'en')}",
            )
        )
    out += _check_rate(total.name, "4", total.rate, t.rate, "3/1")
    out += _check_rate(total.name, "7", total.projected_rate, t.projected_rate, "6/1")
    return out


def _check_names(rows: tuple[PlanRow, ...], known: list[KnownUnit] | None) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[str, str] = {}
    for row in rows:
        key = unit_name_key(row.name)
        if key in seen:
            out.append(
                _f(
                    "duplicate_unit",
                    row.name,
                    "B",
                    None,
                    row.name,
                    f"Đơn vị này đã có ở dòng «{seen[key]}»",
                    f"This unit already appears as '{seen[key]}'",
                )
            )
        else:
            seen[key] = row.name
        if known is None:
            continue
        matches = match_unit(row.name, known, row.unit_code)
        if len(matches) == 1:
            continue
        if not matches:
            keys = {unit_name_key(k.name): k for k in known}
            close = difflib.get_close_matches(key, list(keys), n=3, cutoff=0.6)
            candidates = "; ".join(keys[c].label() for c in close) or None
            out.append(
                _f(
                    "unknown_unit",
                    row.name,
                    "B",
                    candidates,
                    row.name,
                    "Tên đơn vị không khớp với đơn vị hành chính nào"
                    + (f"; gần giống: {candidates}" if candidates else ""),
                    "The name matches no administrative unit"
                    + (f"; close names: {candidates}" if candidates else ""),
                )
            )
        else:
            candidates = "; ".join(k.label() for k in matches)
            out.append(
                _f(
                    "ambiguous_unit",
                    row.name,
                    "B",
                    candidates,
                    row.name,
                    f"Tên đơn vị khớp với nhiều đơn vị: {candidates}",
                    f"The name matches several units: {candidates}",
                )
            )
    return out


def commune_range(households: int, objective: CommuneObjective) -> tuple[int, int | None]:
    """Whole numbers of households [lo, hi] whose reduction in points lies in the
    objective's [min, max] (hi None: no maximum). Đăk Ang 1 094 households, 7–8 points:
    ceil(76,58) = 77 to floor(87,52) = 87."""
    lo = calc.min_households(households, objective.min_points)
    hi = (
        None
        if objective.max_points is None
        else calc.max_households(households, objective.max_points)
    )
    return lo, hi


def format_range(lo: int, hi: int | None, lang: Lang = "vi") -> str:
    """``"77–87"``, or ``"≥ 77"`` without a maximum."""
    fmt = lang
    return (
        f"≥ {format_int(lo, fmt)}" if hi is None else f"{format_int(lo, fmt)}–{format_int(hi, fmt)}"
    )


def _points_text(objective: CommuneObjective, lang: Lang) -> str:
    fmt = lang
    lo = format_decimal(objective.min_points.normalize(), fmt)
    if objective.max_points is None:
        return f"≥ {lo}"
    return f"{lo}–{format_decimal(objective.max_points.normalize(), fmt)}"


def find_rows(rows: tuple[PlanRow, ...], name: str) -> list[PlanRow]:
    key = unit_name_key(name)
    return [r for r in rows if unit_name_key(r.name) == key]


def _check_objectives(table: PlanTable, objectives: Objectives) -> list[Finding]:
    out: list[Finding] = []
    rows = table.rows
    grand = next((t for t in table.totals if t.section is None), None)
    label = grand.name if grand else GRAND_TOTAL_LABEL
    t = calc.totals(rows)
    m = objectives.min_reduction_points
    if m is not None and t.reduction is not None and t.households > 0:
        points = calc.reduction_points(t.households, t.reduction)
        assert points is not None
        met = points > m if objectives.strict else points >= m
        if not met:
            need = calc.min_households(t.households, m, objectives.strict)
            word_vi, word_en = (
                ("trên", "more than") if objectives.strict else ("ít nhất", "at least")
            )
            out.append(
                _f(
                    "objective_not_met",
                    label,
                    "5",
                    f"≥ {format_int(need)}",
                    format_int(t.reduction),
                    f"Toàn đơn vị giảm {format_int(t.reduction)} hộ = {_pts(points)} điểm %, chỉ "
                    f"tiêu {word_vi} {format_decimal(m.normalize())} điểm %: cần ít nhất "
                    f"{format_int(need)} hộ",
                    f"The whole unit reduces by {format_int(t.reduction, 'en')} households = "
                    f"{_pts_en(points)} points; the objective is {word_en} "
                    f"{format_decimal(m.normalize(), 'en')} points: at least "
                    f"{format_int(need, 'en')} households are needed",
                )
            )
    for objective in objectives.communes:
        matches = find_rows(rows, objective.name)
        if len(matches) != 1:
            out.append(
                _f(
                    "objective_unknown_unit",
                    objective.name,
                    "B",
                    None,
                    objective.name,
                    f"Chỉ tiêu cho «{objective.name}» không khớp với đúng một dòng của bảng "
                    f"({len(matches)} dòng)",
                    f"The objective for '{objective.name}' matches {len(matches)} rows of the "
                    "table instead of one",
                )
            )
            continue
        row = matches[0]
        lo, hi = commune_range(row.households, objective)
        rng_vi, rng_en = format_range(lo, hi), format_range(lo, hi, "en")
        pts_vi, pts_en = _points_text(objective, "vi"), _points_text(objective, "en")
        if (hi is not None and lo > hi) or lo > row.poor or row.households == 0:
            out.append(
                _f(
                    "objective_infeasible",
                    row.name,
                    "5",
                    rng_vi,
                    format_int(row.poor),
                    f"Chỉ tiêu giảm {pts_vi} điểm % không thực hiện được: cần {rng_vi} hộ, "
                    f"có {format_int(row.poor)} hộ nghèo",
                    f"The objective of {pts_en} points cannot be met: it needs {rng_en} "
                    f"households, there are {format_int(row.poor, 'en')} poor households",
                )
            )
            continue
        if row.reduction is None:
            continue
        code = None
        if row.reduction < lo:
            code = "objective_below_range"
        elif hi is not None and row.reduction > hi:
            code = "objective_above_range"
        if code is None:
            continue
        points = calc.reduction_points(row.households, row.reduction)
        assert points is not None
        out.append(
            _f(
                code,
                row.name,
                "5",
                rng_vi,
                format_int(row.reduction),
                f"Giảm {format_int(row.reduction)} hộ = {_pts(points)} điểm %, chỉ tiêu "
                f"{pts_vi} điểm %: cần {rng_vi} hộ",
                f"A reduction of {format_int(row.reduction, 'en')} households = {_pts_en(points)} "
                f"points; the objective is {pts_en} points: {rng_en} households are needed",
            )
        )
    return out


def check_table(
    table: PlanTable,
    objectives: Objectives | None = None,
    known_units: KnownUnits | None = None,
) -> list[Finding]:
    """All findings for ``table``; an empty list means the table is correct.

    ``known_units``: ``{code: name}`` or names / ``KnownUnit`` of the units the rows may
    name (e.g. the district's communes); without it names are not checked.
    """
    out: list[Finding] = []
    for row in table.rows:
        out += _check_row(row)
    for total in table.totals:
        out += _check_total(total, table.rows)
    known = None if known_units is None else normalize_known_units(known_units)
    out += _check_names(table.rows, known)
    if objectives is not None:
        out += _check_objectives(table, objectives)
    return out


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
