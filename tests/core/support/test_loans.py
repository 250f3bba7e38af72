"""The Social Policy Bank's loan file (no database): the programmes' data, the headings in
three spellings, every row check with its row and column letter, the limit warning, rates
per month, amounts in millions, the date of the figures from the title rows, and the
template read back without errors."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from giamngheo.core.support.loans import (
    FIELDS,
    LoanColumns,
    add_months,
    as_of_in_titles,
    check_loan_row,
    load_loan_programmes,
    match_entrusted_org,
    match_heading,
    match_programme,
    read_loan_file,
)
from giamngheo.core.support.loans_template import (
    InvalidLoanProgrammes,
    _programme,
    template_headings,
    write_loan_template,
)

AS_OF = dt.date(2020, 12, 31)
TITLES: list[list[object]] = [
    ["NGÂN HÀNG CHÍNH SÁCH XÃ HỘI"],
    ["DANH SÁCH HỘ VAY VỐN NGÂN HÀNG CHÍNH SÁCH XÃ HỘI"],
    ["Ngày số liệu: 31/12/2020"],
]
# A  STT, B contract, C household, D borrower, E commune, F village, G programme, H amount,
# I disbursed, J rate, K term, L due, M outstanding, N overdue, O group, P point, Q org
HEADINGS = [
    "STT", "Số khế ước", "Mã hộ", "Họ tên người vay", "Xã", "Thôn", "Chương trình cho vay",
    "Số tiền vay (đồng)", "Ngày giải ngân", "Lãi suất (%/năm)", "Thời hạn (tháng)",
    "Ngày đến hạn", "Dư nợ (đồng)", "Nợ quá hạn (đồng)", "Tổ TK&VV", "Điểm giao dịch",
    "Hội đoàn thể nhận ủy thác",
]  # fmt: skip
FIRST = len(TITLES) + 2  # the first data row under the titles and the heading row


def _row(n: int, **over: object) -> list[object]:
    """A valid row (a poor-household loan) with some fields replaced."""
    values: dict[str, object] = {
        "contract_no": f"KU-{n:04d}", "household_code": f"HN-{n:04d}",
        "borrower_name": "Y Blơng", "commune": "Đăk Kan", "village": "Thôn 1",
        "programme": "Cho vay hộ nghèo", "amount": 50_000_000,
        "disbursed_on": dt.datetime(2020, 3, 15), "rate": 6.6, "term_months": 60,
        "due_on": None, "outstanding": 40_000_000, "overdue": 0,
        "savings_group": "Tổ 1", "transaction_point": "Điểm giao dịch Đăk Kan",
        "entrusted_org": "Hội Nông dân",
    }  # fmt: skip
    values.update(over)
    return [n, *(values[f] for f in FIELDS)]


def _xlsx(path: Path, rows: list[list[object]], headings: list[str] = HEADINGS) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dư nợ"
    lines: list[list[Any]] = [*TITLES, headings, *rows]
    for r in lines:
        ws.append(r)
    wb.save(path)
    return path


def _csv(path: Path, headings: list[str], rows: list[list[object]]) -> Path:
    width = len(headings)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        for title in TITLES:  # Excel pads title rows with separators; so does this
            w.writerow([*title, *[""] * (width - len(title))])
        w.writerow(headings)
        w.writerows(rows)
    return path


def _codes(result: object) -> set[tuple[int, str, str]]:
    errors = getattr(result, "errors", [])
    return {(e.row, e.code, e.column_letter) for e in errors}


# --- the programmes -------------------------------------------------------------------------
def test_the_programmes_and_their_support_types() -> None:
    programmes = load_loan_programmes()
    assert list(programmes) == [
        "poor", "near_poor", "newly_escaped", "housing", "water_sanitation", "students",
        "job_creation", "ethnic_minority_hardship", "other",
    ]  # fmt: skip
    assert all(p.support_type == f"loan_{code}" for code, p in programmes.items())
    escaped = programmes["newly_escaped"]
    assert (escaped.limit_vnd, escaped.rate_pct_year, escaped.max_term_months) == (
        100_000_000,
        Decimal("8.25"),
        60,
    )
    assert escaped.legal_basis.startswith("QĐ 28/2015")
    housing = programmes["housing"]
    assert (housing.limit_vnd, housing.rate_pct_year, housing.max_term_months) == (
        25_000_000,
        Decimal("3"),
        180,
    )
    hardship = programmes["ethnic_minority_hardship"]
    assert (hardship.limit_vnd, hardship.rate_pct_year) == (5_000_000, Decimal(0))
    assert programmes["poor"].legal_basis == "NĐ 78/2002/NĐ-CP"
    assert programmes["near_poor"].legal_basis == "QĐ 15/2013/QĐ-TTg"
    for code in ("water_sanitation", "students", "job_creation"):
        assert programmes[code].provisional and programmes[code].note_en
    for p in programmes.values():
        assert p.confidence != "L" or p.provisional
        assert p.rate_pct_year is None or isinstance(p.rate_pct_year, Decimal)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CHO VAY HO NGHEO", "poor"),
        ("Hộ cận nghèo", "near_poor"),
        ("cho vay hộ mới thoát nghèo", "newly_escaped"),
        ("HSSV", "students"),
        ("NS&VSMT", "water_sanitation"),
        ("loan_housing", "housing"),
        ("Hộ DTTS ĐBKK", "ethnic_minority_hardship"),
        ("Giải quyết việc làm", "job_creation"),
    ],
)
def test_a_programme_is_matched_folded(text: str, code: str) -> None:
    p = match_programme(text)
    assert p is not None and p.code == code


def test_unknown_programmes_and_organisations() -> None:
    assert match_programme("Cho vay mua xe máy") is None
    assert match_programme("") is None
    assert match_entrusted_org("hoi phu nu") == "womens_union"
    assert match_entrusted_org("Đoàn TN") == "youth_union"
    assert match_entrusted_org("Hội Doanh nhân") is None


def test_a_malformed_programme_names_its_path() -> None:
    raw = {"code": "poor", "support_type": "loan_poor", "rate_pct_year": 6.6}
    with pytest.raises(InvalidLoanProgrammes, match=r"programmes\[0\]\.rate_pct_year"):
        _programme({**raw, "provisional": False}, "programmes[0]")
    with pytest.raises(InvalidLoanProgrammes, match=r"\.provisional"):
        _programme(
            {"code": "x", "support_type": "loan_x", "confidence": "L", "provisional": False},
            "programmes[0]",
        )


# --- headings -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Số tiền vay (đồng)", ("amount", 1)),
        ("SO TIEN VAY (TRIEU DONG)", ("amount", 1_000_000)),
        ("Dư nợ quá hạn (nghìn đồng)", ("overdue", 1000)),
        ("Lãi suất (%/tháng)", ("rate", 12)),
        ("Lai suat %/nam", ("rate", 1)),
        ("Thời hạn (năm)", ("term_months", 12)),
        ("Interest rate (% per month)", ("rate", 12)),
        ("Lãi suất quá hạn", None),
        ("Số tiền lãi", None),
    ],
)
def test_headings_with_their_units(heading: str, expected: tuple[str, int] | None) -> None:
    assert match_heading(heading) == expected


def test_a_missing_heading_names_the_file_the_sheet_and_the_heading(tmp_path: Path) -> None:
    headings = [h for h in HEADINGS if not h.startswith("Lãi suất")]
    rows = [[c for c, h in zip(_row(1), HEADINGS, strict=True) if not h.startswith("Lãi")]]
    result = read_loan_file(_xlsx(tmp_path / "vay.xlsx", rows, headings), "vay.xlsx", as_of=None)
    assert not result.records and not result.errors
    [err] = result.file_errors
    assert (err.code, err.field, err.sheet) == ("missing_heading", "rate", "Dư nợ")
    assert err.message_vi.startswith("vay.xlsx [Dư nợ]: thiếu cột «Lãi suất»")
    assert "vay.xlsx" in err.message_en and "'Interest rate'" in err.message_en


def test_no_household_code_column_is_a_missing_heading(tmp_path: Path) -> None:
    headings = ["Household code" if h == "Mã hộ" else h for h in HEADINGS]
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", [_row(1)], headings), "a.xlsx", as_of=None)
    [err] = result.file_errors
    assert (err.code, err.field) == ("missing_heading", "household_code")
    assert "«Mã hộ»" in err.message_vi and err.message_en.startswith("a.xlsx [Dư nợ]: ")


# --- a good file ----------------------------------------------------------------------------
def test_a_good_file_comes_back_exact(tmp_path: Path) -> None:
    rows = [
        _row(1),
        _row(2, programme="Nhà ở", amount="25.000.000", disbursed_on="15/06/2019", rate="3",
             term_months="180", outstanding="25.000.000 đ", overdue=None, entrusted_org="HPN"),
        _row(3, programme="Hộ mới thoát nghèo", amount=100_000_000, rate="8,25",
             term_months=36, due_on="31/01/2023", outstanding=80_000_000, overdue="-",
             commune=None, village=None, savings_group=None, entrusted_org=None),
    ]  # fmt: skip
    result = read_loan_file(_xlsx(tmp_path / "vay.xlsx", rows), "vay.xlsx", as_of=None)
    assert (result.file_errors, result.errors, result.warnings) == ([], [], [])
    assert result.as_of == AS_OF and result.sheet == "Dư nợ"
    assert [n for n, _r in result.records] == [FIRST, FIRST + 1, FIRST + 2]
    poor, housing, escaped = (r for _n, r in result.records)
    assert poor.contract_no == "KU-0001" and poor.household_code == "HN-0001"
    assert (poor.programme, poor.support_type, poor.amount) == ("poor", "loan_poor", 50_000_000)
    assert poor.rate == Decimal("6.6") and isinstance(poor.amount, int)
    assert (poor.disbursed_on, poor.due_on, poor.due_on_derived) == (
        dt.date(2020, 3, 15),
        dt.date(2025, 3, 15),
        True,
    )
    assert (poor.entrusted_org, poor.commune, poor.as_of) == ("farmers_union", "Đăk Kan", AS_OF)
    assert (housing.programme, housing.amount, housing.outstanding) == (
        "housing",
        25_000_000,
        25_000_000,
    )
    assert (housing.rate, housing.term_months, housing.overdue) == (Decimal(3), 180, 0)
    assert housing.due_on == dt.date(2034, 6, 15) and housing.entrusted_org == "womens_union"
    assert (escaped.rate, escaped.due_on, escaped.due_on_derived) == (
        Decimal("8.25"),
        dt.date(2023, 1, 31),
        False,
    )
    assert (escaped.overdue, escaped.commune, escaped.savings_group) == (0, "", "")


def test_the_callers_date_wins_and_a_file_without_one_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "vay.xlsx", [_row(1)])
    assert read_loan_file(path, "vay.xlsx", as_of=dt.date(2021, 6, 30)).as_of == dt.date(
        2021, 6, 30
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    lines: list[list[Any]] = [["DANH SÁCH HỘ VAY"], HEADINGS, _row(1)]
    for r in lines:
        ws.append(r)
    wb.save(tmp_path / "b.xlsx")
    result = read_loan_file(tmp_path / "b.xlsx", "b.xlsx", as_of=None)
    [err] = result.file_errors
    assert (err.code, err.field) == ("missing_as_of", "as_of") and not result.records
    assert err.message_vi.startswith("b.xlsx [Sheet]: ")


def test_the_date_of_the_figures_in_the_titles() -> None:
    assert as_of_in_titles([["DANH SÁCH HỘ VAY ĐẾN NGÀY 31 THÁNG 12 NĂM 2020"]]) == AS_OF
    assert as_of_in_titles([[None, "Ngày số liệu:", None, dt.datetime(2021, 6, 30)]]) == (
        dt.date(2021, 6, 30)
    )
    assert as_of_in_titles([["Tính đến ngày 2021-03-31"]]) == dt.date(2021, 3, 31)
    assert as_of_in_titles([["Ngày in: 05/01/2021"], ["NGÂN HÀNG CHÍNH SÁCH XÃ HỘI"]]) is None


# --- errors ---------------------------------------------------------------------------------
def test_one_of_every_error_with_its_row_and_column(tmp_path: Path) -> None:
    rows = [
        _row(1, borrower_name=None),
        _row(2, amount="1.500.000,5"),
        _row(3, outstanding=60_000_000),
        _row(4, overdue=45_000_000),
        _row(5, disbursed_on=dt.datetime(2021, 2, 1)),
        _row(6, due_on=dt.datetime(2019, 1, 1)),
        _row(7, programme="Cho vay mua xe máy"),
        _row(8, rate="sáu"),
        _row(9, rate=100),
        _row(10, term_months=0),
        _row(11, term_months="2,5"),
        _row(12, contract_no="KU-0003"),
        _row(13, disbursed_on="31/02/2020"),
        _row(14, entrusted_org="Hội Doanh nhân"),
        _row(15, amount=-5_000_000),
        _row(16, household_code="X" * 33),
        _row(17, amount="#REF!"),
    ]
    path = _xlsx(tmp_path / "loi.xlsx", rows)
    result = read_loan_file(path, "loi.xlsx", as_of=AS_OF)
    r = FIRST - 1
    assert _codes(result) == {
        (r + 1, "missing", "D"),
        (r + 2, "bad_amount", "H"),
        (r + 3, "outstanding_over_amount", "M"),
        (r + 4, "overdue_over_outstanding", "N"),
        (r + 5, "disbursed_in_future", "I"),
        (r + 6, "due_before_disbursed", "L"),
        (r + 7, "unknown_programme", "G"),
        (r + 8, "bad_rate", "J"),
        (r + 9, "bad_rate", "J"),
        (r + 10, "bad_term", "K"),
        (r + 11, "bad_term", "K"),
        (r + 12, "duplicate_contract", "B"),
        (r + 13, "bad_date", "I"),
        (r + 14, "unknown_entrusted_org", "Q"),
        (r + 15, "bad_amount", "H"),
        (r + 16, "too_long", "C"),
        (r + 17, "formula_error", "H"),
    }
    assert [n for n, _rec in result.records] == []
    by_row = {e.row: e for e in result.errors}
    assert by_row[r + 1].heading == "Họ tên người vay" and by_row[r + 1].sheet == "Dư nợ"
    assert "Cho vay hộ nghèo" in by_row[r + 7].message_vi
    assert "Loans to poor households" in by_row[r + 7].message_en
    first = f"{r + 3}"  # KU-0003
    assert by_row[r + 12].message_vi.endswith(f"dòng {first}")
    assert by_row[r + 12].message_en.endswith(f"row {first}")
    assert all(e.severity == "error" and e.message_vi and e.message_en for e in result.errors)


def test_values_longer_than_their_column_are_row_errors(tmp_path: Path) -> None:
    """The loan table holds 40 characters of a contract number, 120 of a savings group and of
    a transaction point, 32 of a household code: longer is an error, not a failed write."""
    rows = [
        _row(1, contract_no="K" * 41),
        _row(2, savings_group="T" * 121),
        _row(3, transaction_point="Đ" * 121),
        _row(4, household_code="H" * 33),
        _row(5, contract_no="K" * 40, savings_group="T" * 120, household_code="H" * 32),
        _row(6, transaction_point="Đ" * 120),
    ]
    result = read_loan_file(_xlsx(tmp_path / "dai.xlsx", rows), "dai.xlsx", as_of=AS_OF)
    r = FIRST - 1
    assert _codes(result) == {
        (r + 1, "too_long", "B"),
        (r + 2, "too_long", "O"),
        (r + 3, "too_long", "P"),
        (r + 4, "too_long", "C"),
    }
    assert [n for n, _rec in result.records] == [r + 5, r + 6]
    by_row = {e.row: e for e in result.errors}
    assert "41" in by_row[r + 1].message_vi and "40" in by_row[r + 1].message_vi
    assert "over 40 characters" in by_row[r + 1].message_en
    assert "120" in by_row[r + 2].message_vi and "Savings group" in by_row[r + 2].message_en
    assert all(FIELDS[f].max_length for f in ("contract_no", "savings_group",
                                              "transaction_point", "entrusted_org"))  # fmt: skip


@pytest.mark.parametrize(
    ("term", "heading", "months"),
    [(600, "Thời hạn (tháng)", 600), (601, "Thời hạn (tháng)", None),
     (50, "Thời hạn (năm)", 600), (51, "Thời hạn (năm)", None), ("51 năm", "Thời hạn", None),
     (40_000, "Thời hạn (tháng)", None)],
)  # fmt: skip
def test_a_term_over_50_years_is_an_error(
    tmp_path: Path, term: object, heading: str, months: int | None
) -> None:
    headings = [heading if h == "Thời hạn (tháng)" else h for h in HEADINGS]
    path = _xlsx(tmp_path / "han.xlsx", [_row(1, term_months=term)], headings)
    result = read_loan_file(path, "han.xlsx", as_of=AS_OF)
    if months is not None:
        assert [rec.term_months for _n, rec in result.records] == [months]
        return
    [error] = result.errors
    assert (error.code, error.column_letter) == ("bad_term", "K")
    assert "50 năm" in error.message_vi and "600" in error.message_vi
    assert "50 years" in error.message_en


def test_a_repeated_contract_number_names_the_first_row(tmp_path: Path) -> None:
    rows = [_row(1), _row(2), _row(3, contract_no="KU-0001"), _row(4, contract_no="KU-0001")]
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", rows), "a.xlsx", as_of=AS_OF)
    assert [n for n, _r in result.records] == [FIRST, FIRST + 1]
    assert [(e.row, e.code, e.field) for e in result.errors] == [
        (FIRST + 2, "duplicate_contract", "contract_no"),
        (FIRST + 3, "duplicate_contract", "contract_no"),
    ]
    assert all(f"dòng {FIRST}" in e.message_vi for e in result.errors)


def test_an_amount_above_the_limit_is_a_warning_and_the_record_stays(tmp_path: Path) -> None:
    rows = [
        _row(1, programme="Hộ mới thoát nghèo", amount=120_000_000, outstanding=120_000_000),
        _row(2, programme="Hộ DTTS đặc biệt khó khăn", amount=5_000_000, rate=0,
             outstanding=5_000_000),
        _row(3, programme="Học sinh sinh viên", amount=500_000_000, outstanding=1),
    ]  # fmt: skip
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", rows), "a.xlsx", as_of=AS_OF)
    assert result.errors == [] and len(result.records) == 3
    [warning] = result.warnings
    assert (warning.row, warning.code, warning.column_letter, warning.severity) == (
        FIRST,
        "over_limit",
        "H",
        "warning",
    )
    assert "120.000.000" in warning.message_vi and "100.000.000" in warning.message_vi
    assert "100,000,000 VND" in warning.message_en


# --- rates, units, spellings ----------------------------------------------------------------
def test_a_rate_per_month_is_converted_exactly(tmp_path: Path) -> None:
    headings = ["Lãi suất (%/tháng)" if h.startswith("Lãi suất") else h for h in HEADINGS]
    rows = [_row(1, rate=0.55), _row(2, rate="0,55"), _row(3, rate="6,6%/năm"), _row(4, rate=0.6)]
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", rows, headings), "a.xlsx", as_of=AS_OF)
    assert [r.rate for _n, r in result.records] == [Decimal("6.6")] * 3 + [Decimal("7.2")]
    assert all(isinstance(r.rate, Decimal) for _n, r in result.records)
    # a monthly rate written in the cell of a yearly column
    yearly = read_loan_file(
        _xlsx(tmp_path / "b.xlsx", [_row(1, rate="0,55%/tháng")]), "b.xlsx", as_of=AS_OF
    )
    assert [r.rate for _n, r in yearly.records] == [Decimal("6.60")]


def test_a_tiny_yearly_rate_is_a_warning(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "a.xlsx", [_row(1, rate=0.066)])
    result = read_loan_file(path, "a.xlsx", as_of=AS_OF)
    assert [(w.code, w.column_letter) for w in result.warnings] == [("rate_suspicious", "J")]


def test_amounts_in_millions(tmp_path: Path) -> None:
    headings = [
        h.replace("(đồng)", "(triệu đồng)") if h.startswith(("Số tiền", "Dư nợ")) else h
        for h in HEADINGS
    ]
    rows = [_row(1, amount=12.5, outstanding="10,25"), _row(2, amount="0,0000005")]
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", rows, headings), "a.xlsx", as_of=AS_OF)
    [(_n, record)] = result.records
    assert (record.amount, record.outstanding) == (12_500_000, 10_250_000)
    assert _codes(result) == {(FIRST + 1, "bad_amount", "H")}


def test_english_headings_in_a_csv(tmp_path: Path) -> None:
    headings = [
        "Contract number", "household_id", "Borrower name", "Programme", "Amount (VND)",
        "Disbursed on", "Interest rate (% per year)", "Term (months)", "Outstanding",
        "Overdue", "Entrusted org", "Savings group",
    ]  # fmt: skip
    rows: list[list[object]] = [
        ["C-1", "H-1", "Ksor H'Bia", "Near-poor households", "1.000.000", "2020-05-04", "7.92",
         "24", "1.000.000", "", "Women's Union", "Group 2"],
    ]  # fmt: skip
    path = _csv(tmp_path / "loans.csv", headings, rows)
    result = read_loan_file(path, "loans.csv", as_of=None)
    assert (result.file_errors, result.errors, result.as_of) == ([], [], AS_OF)
    [(n, r)] = result.records
    assert n == FIRST and result.sheet == "CSV"
    assert (r.programme, r.amount, r.rate, r.term_months) == (
        "near_poor",
        1_000_000,
        Decimal("7.92"),
        24,
    )
    assert (r.entrusted_org, r.savings_group, r.due_on) == (
        "womens_union",
        "Group 2",
        dt.date(2022, 5, 4),
    )


def test_headings_without_diacritics_in_a_csv(tmp_path: Path) -> None:
    headings = [
        "SO KHE UOC", "Ma ho", "Ho ten nguoi vay", "Chuong trinh cho vay", "So tien vay",
        "Ngay giai ngan", "Lai suat", "Thoi han (thang)", "Du no", "No qua han",
        "Hoi doan the nhan uy thac",
    ]  # fmt: skip
    rows: list[list[object]] = [
        ["K-9", "H-9", "A Thương", "ho ngheo", "30.000.000", "01/07/2020", "6,6", "36",
         "30.000.000", "2.000.000", "hoi ccb"],
    ]  # fmt: skip
    result = read_loan_file(_csv(tmp_path / "a.csv", headings, rows), "a.csv", as_of=AS_OF)
    [(_n, r)] = result.records
    assert (r.programme, r.amount, r.overdue, r.entrusted_org) == (
        "poor",
        30_000_000,
        2_000_000,
        "veterans_association",
    )
    assert result.errors == []


def test_column_numbers_blank_and_total_rows_are_skipped(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [f"({i})" for i in range(1, len(HEADINGS) + 1)],
        _row(1),
        [7],
        ["Tổng cộng", None, None, None, None, None, None, 50_000_000],
        [None, None, None, "Tống Văn Bình", None, None, "Hộ nghèo", 1_000_000],
    ]
    result = read_loan_file(_xlsx(tmp_path / "a.xlsx", rows), "a.xlsx", as_of=AS_OF)
    assert [n for n, _r in result.records] == [FIRST + 1]
    assert result.skipped_rows == [FIRST, FIRST + 2, FIRST + 3]
    # a borrower called Tống is not a total row: its missing cells are reported
    assert {(e.row, e.field) for e in result.errors} >= {
        (FIRST + 4, "contract_no"),
        (FIRST + 4, "household_code"),
    }
    assert {e.row for e in result.errors} == {FIRST + 4}


# --- the template ---------------------------------------------------------------------------
def test_the_template_reads_back_without_errors(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_loan_template(path, as_of=dt.date(2021, 6, 30))
    result = read_loan_file(path, "mau.xlsx", as_of=None)
    assert (result.file_errors, result.errors, result.warnings) == ([], [], [])
    assert result.as_of == dt.date(2021, 6, 30) and result.sheet == "Danh sách hộ vay"
    [(_n, record)] = result.records
    assert (record.programme, record.amount, record.rate) == ("poor", 50_000_000, Decimal("6.6"))
    assert record.disbursed_on < record.as_of < record.due_on
    assert len(result.skipped_rows) == 1  # the column numbers
    columns = LoanColumns.from_headings(template_headings())
    assert columns.missing() == [] and set(columns.index) == set(FIELDS)


def test_a_template_without_a_date_needs_the_callers(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    with path.open("wb") as fh:
        write_loan_template(fh)
    assert [e.code for e in read_loan_file(path, "mau.xlsx", as_of=None).file_errors] == [
        "missing_as_of"
    ]
    result = read_loan_file(path, "mau.xlsx", as_of=AS_OF)
    assert result.errors == [] and len(result.records) == 1


# --- one row, as the Django side re-checks it -----------------------------------------------
_COLUMNS = LoanColumns.from_headings(template_headings(), "Danh sách hộ vay")


def _cells(**over: object) -> dict[str, object]:
    return dict(zip(FIELDS, _row(1, **over)[1:], strict=True))


@given(
    amount=st.integers(1, 10**9),
    outstanding=st.integers(0, 10**9),
    overdue=st.integers(0, 10**9),
)
def test_balances_property(amount: int, outstanding: int, overdue: int) -> None:
    cells = _cells(programme="other", amount=amount, outstanding=outstanding, overdue=overdue)
    record, problems = check_loan_row(cells, 7, _COLUMNS, load_loan_programmes(), {}, as_of=AS_OF)
    codes = {p.code for p in problems}
    assert ("outstanding_over_amount" in codes) == (outstanding > amount)
    assert ("overdue_over_outstanding" in codes) == (overdue > outstanding)
    assert (record is None) == (outstanding > amount or overdue > outstanding)
    if record is not None:
        assert (record.amount, record.outstanding, record.overdue) == (amount, outstanding, overdue)


def test_check_loan_row_fills_seen() -> None:
    seen: dict[str, int] = {}
    programmes = load_loan_programmes()
    first, _ = check_loan_row(_cells(), 9, _COLUMNS, programmes, seen, as_of=AS_OF)
    again, problems = check_loan_row(_cells(), 12, _COLUMNS, programmes, seen, as_of=AS_OF)
    assert first is not None and again is None and seen == {"KU-0001": 9}
    assert [(p.code, p.column_letter, p.heading) for p in problems] == [
        ("duplicate_contract", "B", "Số khế ước")
    ]


@given(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)), st.integers(0, 360))
def test_add_months(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(1)).day == 1)
