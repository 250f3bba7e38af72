"""Each finding code on a hand-built table, and the calculations behind them."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

import giamngheo.core.plan.checks as checks_module
from giamngheo.core.plan import calc
from giamngheo.core.plan.checks import CODES, KnownUnit, check_table, has_errors
from giamngheo.core.plan.model import (
    CommuneObjective,
    Objectives,
    PlanRow,
    PlanTable,
    PrintedTotal,
    Section,
)

RowFactory = Callable[..., PlanRow]


def _codes(
    table: PlanTable, **kwargs: object
) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (f.code, f.row, f.column, f.expected, f.actual)
        for f in check_table(table, **kwargs)  # type: ignore[arg-type]
    ]


def _one(rows: list[PlanRow], totals: tuple[PrintedTotal, ...] = ()) -> PlanTable:
    return PlanTable(rows=tuple(rows), totals=totals)


# ---------------------------------------------------------------- calc


def test_calc_exact() -> None:
    assert calc.rate(31, 1491) == Fraction(3100, 1491)
    assert calc.rate(1, 0) is None
    assert calc.remaining(300, 73) == 227
    assert calc.projected_rate(1094, 300, 73) == Fraction(22700, 1094)
    assert calc.reduction_points(15954, 199) == Fraction(19900, 15954)
    assert calc.households_for_points(1094, Decimal(7)) == Fraction(7658, 100)
    assert calc.min_households(1094, Decimal(7)) == 77
    assert calc.max_households(1094, Decimal(8)) == 87
    assert calc.min_households(15954, Decimal("1.2"), strict=True) == 192
    assert calc.min_households(1000, Decimal("1.2")) == 12
    assert calc.min_households(1000, Decimal("1.2"), strict=True) == 13
    assert calc.printed(Fraction(1, 8)) == Decimal("0.13")
    assert calc.printed(None) is None


def test_calc_totals_and_recompute(mkrow: RowFactory) -> None:
    rows = (
        mkrow("A", 100, 10, 20, 5, section=Section.URBAN),
        mkrow("B", 300, 30, 10, 2),
        mkrow("C", 100, 0, 10, None),
    )
    t_all = calc.totals(rows)
    assert (t_all.households, t_all.ethnic_minority, t_all.poor, t_all.reduction) == (
        500, 40, 40, None
    )  # fmt: skip
    assert t_all.remaining is None and t_all.projected_rate is None
    assert t_all.rate == Fraction(8)
    urban = calc.totals(rows, Section.URBAN)
    assert (urban.reduction, urban.remaining, urban.rows) == (5, 15, 1)
    assert urban.projected_rate == Fraction(15)
    assert urban.reduction_points == Fraction(5)
    table = calc.recompute_table(PlanTable(rows=rows[:2]))
    assert [t.number for t in table.totals] == ["I", "II", "III"]
    assert table.totals[2].rate == Decimal("7.50")
    assert table.totals[2].projected_rate == Decimal("5.75")
    assert table.rows[1].printed_projected_rate == Decimal("2.67")
    assert check_table(table) == []


def test_doctests() -> None:
    import giamngheo.core.plan.calc as calc_module

    for module in (checks_module, calc_module):
        assert doctest.testmod(module).failed == 0


# ---------------------------------------------------------------- arithmetic


def test_correct_row_has_no_finding(mkrow: RowFactory) -> None:
    assert check_table(_one([mkrow("X", 1491, 523, 31, 7, "2.08", 24, "1.61")])) == []


def test_rounding_and_rate_mismatch(mkrow: RowFactory) -> None:
    table = _one([
        mkrow("One", 1491, 523, 31, 7, "2.07", 24, "1.61"),  # 2,0791 → 2,08: one unit
        mkrow("Two", 1491, 523, 31, 7, "2.06", 24, "1.63"),  # two units each
    ])  # fmt: skip
    findings = check_table(table)
    assert [(f.severity, f.code, f.row, f.column, f.expected, f.actual) for f in findings] == [
        ("warning", "rounding", "One", "4", "2,08", "2,07"),
        ("error", "rate_mismatch", "Two", "4", "2,08", "2,06"),
        ("error", "rate_mismatch", "Two", "7", "1,61", "1,63"),
    ]
    assert "2,0791" in findings[0].message_vi and "2.0791" in findings[0].message_en
    assert has_errors(findings) and not has_errors(findings[:1])


def test_rate_compared_at_printed_precision(mkrow: RowFactory) -> None:
    # 227/1094 = 20,7495…: at one decimal 20,7; at two 20,75
    for printed in ("20.7", "20.75", "21"):
        assert _codes(_one([mkrow("A", 1094, 0, 300, 73, None, None, printed)])) == []
    assert _codes(_one([mkrow("A", 1094, 0, 300, 73, None, None, "20.8")])) == [
        ("rounding", "A", "7", "20,7", "20,8")
    ]
    assert _codes(_one([mkrow("A", 1094, 0, 300, 73, None, None, "20.5")])) == [
        ("rate_mismatch", "A", "7", "20,7", "20,5")
    ]
    assert _codes(_one([mkrow("A", 1094, 0, 300, 73, None, None, "20.74")])) == [
        ("rounding", "A", "7", "20,75", "20,74")
    ]
    assert _codes(_one([mkrow("A", 1094, 0, 300, 73, None, None, "20.70")])) == [
        ("rate_mismatch", "A", "7", "20,75", "20,70")
    ]


def test_round_half_up_not_bankers(mkrow: RowFactory) -> None:
    # 1/800 × 100 = 0,125 → 0,13 (ROUND_HALF_UP), banker's rounding would print 0,12
    assert _codes(_one([mkrow("A", 800, 0, 1, 0, "0.13")])) == []
    assert _codes(_one([mkrow("A", 800, 0, 1, 0, "0.12")])) == [
        ("rounding", "A", "4", "0,13", "0,12")
    ]


def test_remaining_mismatch(mkrow: RowFactory) -> None:
    assert _codes(_one([mkrow("A", 1491, 0, 31, 7, None, 25)])) == [
        ("remaining_mismatch", "A", "6", "24", "25")
    ]


def test_total_mismatch_for_sections_and_grand_total(mkrow: RowFactory) -> None:
    rows = [
        mkrow("U", 4807, 1178, 84, 20, section=Section.URBAN),
        mkrow("R1", 1491, 523, 31, 7),
        mkrow("R2", 1094, 1094, 300, 73),
    ]
    totals = (
        PrintedTotal("Khu vực thành thị", Section.URBAN, 4807, 1178, 84, Decimal("1.75"), 20, 64,
                     Decimal("1.33"), "I"),
        PrintedTotal("Khu vực nông thôn", Section.RURAL, 2585, 1617, 331, Decimal("12.80"), 81,
                     251, Decimal("9.71"), "II"),
        PrintedTotal("Tổng cộng I + II", None, 7393, 2795, 415, Decimal("5.61"), 100, 315,
                     Decimal("4.26"), "III"),
    )  # fmt: skip
    assert _codes(_one(rows, totals)) == [
        # I is right; II: reduction 7 + 73 = 80, printed 81 (remaining 251 and the rates
        # 331/2585 = 12,8046 → 12,80, 251/2585 = 9,7099 → 9,71 are right);
        # III: 4807 + 2585 = 7392 households, printed 7393 (rates 415/7392 = 5,6142 → 5,61
        # and 315/7392 = 4,2614 → 4,26 right).
        ("total_mismatch", "Khu vực nông thôn", "5", "80", "81"),
        ("total_mismatch", "Tổng cộng I + II", "1", "7.392", "7.393"),
    ]


def test_total_rates_checked(mkrow: RowFactory) -> None:
    rows = [mkrow("R1", 1491, 523, 31, 7), mkrow("R2", 1094, 1094, 300, 73)]
    grand = PrintedTotal("Tổng", None, 2585, 1617, 331, Decimal("12.81"), 80, 251,
                         Decimal("9.50"), "III")  # fmt: skip
    assert _codes(_one(rows, (grand,))) == [
        ("rounding", "Tổng", "4", "12,80", "12,81"),
        ("rate_mismatch", "Tổng", "7", "9,71", "9,50"),
    ]


def test_total_without_reductions_is_not_compared(mkrow: RowFactory) -> None:
    rows = [mkrow("R1", 1491, 523, 31, None)]
    grand = PrintedTotal("III", None, 1491, 523, 31, None, 7, 24, None, "III")
    assert _codes(_one(rows, (grand,))) == [("missing_reduction", "R1", "5", None, None)]


# ---------------------------------------------------------------- bounds


def test_bounds(mkrow: RowFactory) -> None:
    table = _one([
        mkrow("E", 100, 101, 10, 1),
        mkrow("P", 100, 10, 101, 1),
        mkrow("R", 100, 10, 10, 11),
        mkrow("N", 100, -1, 10, -2),
    ])  # fmt: skip
    assert _codes(table) == [
        ("exceeds_households", "E", "2", "≤ 100", "101"),
        ("exceeds_households", "P", "3", "≤ 100", "101"),
        ("exceeds_poor", "R", "5", "≤ 10", "11"),
        ("negative", "N", "2", None, "-1"),
        ("negative", "N", "5", None, "-2"),
    ]
    assert all(CODES[c[0]] == "error" for c in _codes(table))


def test_bound_equal_is_fine(mkrow: RowFactory) -> None:
    assert _codes(_one([mkrow("Đăk Ang", 1094, 1094, 300, 300)])) == []


def test_zero_households(mkrow: RowFactory) -> None:
    assert _codes(_one([mkrow("Z", 0, 0, 0, 0)])) == []
    assert _codes(_one([mkrow("Z", 0, 0, 0, 0, "0.00")])) == [
        ("zero_households", "Z", "1", None, "0")
    ]


def test_missing_reduction_is_a_warning(mkrow: RowFactory) -> None:
    (finding,) = check_table(_one([mkrow("M", 100, 0, 10, None, "10.00")]))
    assert (finding.severity, finding.code, finding.column) == ("warning", "missing_reduction", "5")


# ---------------------------------------------------------------- names


def test_duplicate_unit(mkrow: RowFactory) -> None:
    assert _codes(_one([mkrow("Xã Đăk Kan", 10, 0, 1, 0), mkrow("ĐẮK KAN", 10, 0, 1, 0)])) == [
        ("duplicate_unit", "ĐẮK KAN", "B", None, "ĐẮK KAN")
    ]


def test_known_units_match_unknown_ambiguous(mkrow: RowFactory) -> None:
    table = _one([
        mkrow("Xã Đắk Kan", 10, 0, 1, 0),  # other diacritics: matches
        mkrow("Xã Đăk Kam", 10, 0, 1, 0),  # typo
        mkrow("Sa Loong", 10, 0, 1, 0),  # two units with that name
        mkrow("Hà Nội", 10, 0, 1, 0),  # nothing close
    ])  # fmt: skip
    known = {
        "24001": "Xã Đăk Kan",
        "24002": "Xã Sa Loong",
        "99001": "Phường Sa Loong",
        "24003": "Xã Đăk Ang",
    }
    found = check_table(table, known_units=known)
    assert [(f.code, f.row, f.expected) for f in found] == [
        ("unknown_unit", "Xã Đăk Kam", "Xã Đăk Kan (24001); Xã Đăk Ang (24003)"),
        ("ambiguous_unit", "Sa Loong", "Xã Sa Loong (24002); Phường Sa Loong (99001)"),
        ("unknown_unit", "Hà Nội", None),
    ]
    assert "Xã Đăk Kan (24001)" in found[0].message_vi
    assert all(f.column == "B" and f.severity == "error" for f in found)


def test_known_units_as_names_and_codes(mkrow: RowFactory) -> None:
    row = replace(mkrow("Sa Loong", 10, 0, 1, 0), unit_code="24002")
    known = [KnownUnit("Xã Sa Loong", "24002"), KnownUnit("Phường Sa Loong", "99001")]
    assert check_table(_one([row]), known_units=known) == []
    assert check_table(_one([mkrow("Sa Loong", 10, 0, 1, 0)]), known_units=["Xã Sa Loong"]) == []


# ---------------------------------------------------------------- objectives


def test_unit_objective_strict_boundary(mkrow: RowFactory) -> None:
    table = _one([mkrow("A", 600, 0, 50, 6), mkrow("B", 400, 0, 50, 6)])  # 12/1000 = 1,2 points
    assert _codes(table, objectives=Objectives(Decimal("1.2"))) == []
    assert _codes(table, objectives=Objectives(Decimal("1.2"), strict=True)) == [
        ("objective_not_met", "Tổng cộng I + II", "5", "≥ 13", "12")
    ]
    grand = PrintedTotal("III. Tổng cộng", None, number="III")
    assert _codes(replace(table, totals=(grand,)), objectives=Objectives(Decimal("1.3"))) == [
        ("objective_not_met", "III. Tổng cộng", "5", "≥ 13", "12")
    ]


def test_commune_objectives(mkrow: RowFactory) -> None:
    table = _one([
        mkrow("Xã Đăk Ang", 1094, 1094, 300, 77),
        mkrow("Xã Bờ Y", 1094, 0, 300, 88),
        mkrow("Xã Sa Loong", 1000, 0, 50, 2),
        mkrow("Xã Đăk Xú", 1000, 0, 300, 20),
    ])  # fmt: skip
    objectives = Objectives(
        communes=(
            CommuneObjective("đăk ang", Decimal(7), Decimal(8)),  # 77 in 77–87: met
            CommuneObjective("Bờ Y", Decimal(7), Decimal(8)),  # 88 > 87
            CommuneObjective("Sa Loong", Decimal(6)),  # needs 60 of 50 poor
            CommuneObjective("Đăk Xú", Decimal("7.01"), Decimal("7.05")),  # 70,1–70,5: none
            CommuneObjective("Đăk Tô", Decimal(1)),  # no such row
        )
    )
    found = check_table(table, objectives)
    assert [(f.code, f.row, f.expected, f.actual) for f in found] == [
        ("objective_above_range", "Xã Bờ Y", "77–87", "88"),
        ("objective_infeasible", "Xã Sa Loong", "≥ 60", "50"),
        ("objective_infeasible", "Xã Đăk Xú", "71–70", "300"),
        ("objective_unknown_unit", "Đăk Tô", None, "Đăk Tô"),
    ]
    assert all(f.severity == "error" for f in found)
    below = check_table(_one([mkrow("Xã Đăk Ang", 1094, 1094, 300, 76)]), objectives=Objectives(
        communes=(CommuneObjective("Đăk Ang", Decimal(7), Decimal(8)),)))  # fmt: skip
    assert [(f.code, f.expected, f.actual) for f in below] == [
        ("objective_below_range", "77–87", "76")
    ]
    assert "6,9470" in below[0].message_vi and "6.9470" in below[0].message_en


def test_every_code_is_documented() -> None:
    doc = checks_module.__doc__ or ""
    for code in CODES:
        assert f"``{code}``" in doc


@pytest.mark.parametrize("lang_field", ["message_vi", "message_en"])
def test_messages_bilingual(mkrow: RowFactory, lang_field: str) -> None:
    found = check_table(_one([mkrow("E", 100, 101, 10, 11)]))
    assert all(getattr(f, lang_field) for f in found)
    assert found[0].message == f"{found[0].message_vi} / {found[0].message_en}"
