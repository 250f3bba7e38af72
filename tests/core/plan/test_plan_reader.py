"""Reading plan tables from .xlsx, .csv and tab-separated text; rejecting bad files."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from giamngheo.core.plan.checks import check_table
from giamngheo.core.plan.model import PlanTable, Section
from giamngheo.core.plan.reader import PlanReadError, read_plan_table

FORMULA: list[Any] = ["A", "B", 1, 2, 3, "4=3/1", 5, "6=3-5", 7]


def _xlsx(
    rows: list[list[Any]], formats: dict[str, str] | None = None, start_col: int = 1
) -> bytes:
    """A workbook in the official layout built cell by cell (not with our writer)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=start_col):
            ws.cell(row=r, column=c, value=value)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


OFFICIAL: list[list[Any]] = [
    ["CHỈ TIÊU GIẢM NGHÈO NĂM 2020"],
    ["(Ban hành theo Kế hoạch số 252/KH-UBND ngày 19/02/2020 của UBND huyện Ngọc Hồi)"],
    [],
    ["TT", "Khu vực/ Địa bàn", "Tổng số hộ dân cư", None, "Số hộ nghèo cuối năm 2019", None,
     "Kế hoạch giảm nghèo đến cuối năm 2020"],
    [None, None, "Số hộ", "Trong đó Hộ DTTS", "Số hộ", "Tỷ lệ %", "Số hộ giảm tối thiểu",
     "Số hộ nghèo còn lại", "Dự kiến tỷ lệ hộ nghèo cuối năm 2020"],
    FORMULA,
    ["I", "Khu vực thành thị", 4807, 1178, 84, 1.75, 20, 64, 1.33],
    [1, "Thị trấn Plei Kần", 4807, 1178, 84, 1.75, 20, 64, 1.33],
    [],
    ["II", "Khu vực nông thôn"],
    [1, "Xã Đăk Kan", "1.491", 523, 31, "2,08", 7, 24, "1,61"],
    [2, "Xã Đăk Ang", 1094.0, 1094, 300, 0.2742, 73, 227, 20.7],
    ["III", "Tổng cộng I + II", 7392, 2795, 415, 5.61, 100, 315, 4.26],
    ["*Ghi chú: số hộ nghèo giảm trong năm"],
]  # fmt: skip


def test_xlsx_official_layout() -> None:
    data = _xlsx(OFFICIAL, {"F12": "0.00%", "I12": "0.0", "I8": "0.00"})
    table = read_plan_table(data, "chi-tieu.xlsx")
    assert table.title == "CHỈ TIÊU GIẢM NGHÈO NĂM 2020"
    assert table.source == "chi-tieu.xlsx"
    assert [(r.name, r.section, r.households, r.poor, r.reduction) for r in table.rows] == [
        ("Thị trấn Plei Kần", Section.URBAN, 4807, 84, 20),
        ("Xã Đăk Kan", Section.RURAL, 1491, 31, 7),
        ("Xã Đăk Ang", Section.RURAL, 1094, 300, 73),
    ]
    kan, ang = table.rows[1], table.rows[2]
    assert str(kan.printed_rate) == "2.08" and str(kan.printed_projected_rate) == "1.61"
    assert str(ang.printed_rate) == "27.42"  # 0.2742 formatted 0.00 % → 27,42
    assert str(ang.printed_projected_rate) == "20.7"  # format 0.0 keeps one decimal
    assert str(table.rows[0].printed_projected_rate) == "1.33"
    assert [r.source_row for r in table.rows] == [8, 11, 12]
    assert [(t.number, t.section, t.households) for t in table.totals] == [
        ("I", Section.URBAN, 4807),
        ("III", None, 7392),
    ]
    assert check_table(table) == []


def test_xlsx_table_not_in_first_column_and_other_sheet() -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first["A1"] = "Ghi chú"
    ws = wb.create_sheet("Phụ lục")
    rows: list[list[Any]] = [
        FORMULA,
        ["II", "Khu vực nông thôn"],
        [1, "Xã Đăk Kan", 1491, 523, 31, 2.08, 7],
    ]
    for r, cells in enumerate(rows, start=3):
        for c, value in enumerate(cells, start=2):
            ws.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_plan_table(buffer.getvalue(), "x.xlsx")
    (row,) = table.rows
    assert (row.name, row.households, row.reduction, row.source_row) == ("Xã Đăk Kan", 1491, 7, 5)
    assert row.printed_remaining is None and row.printed_projected_rate is None


def test_xlsx_unreadable_number_names_cell() -> None:
    rows: list[list[Any]] = [
        FORMULA,
        ["II", "Khu vực nông thôn"],
        [1, "Xã Đăk Kan", 1491, 523, "ba mươi", 2.08],
    ]
    with pytest.raises(PlanReadError) as info:
        read_plan_table(_xlsx(rows), "bad.xlsx")
    err = info.value
    assert (err.file, err.row, err.column) == ("bad.xlsx", 3, "3")
    assert "E3" in err.message_vi and "E3" in err.message_en
    assert "bad.xlsx, dòng 3, cột 3" in err.message
    assert "bad.xlsx, row 3, column 3" in err.message


def test_xlsx_fractional_households_rejected() -> None:
    rows: list[list[Any]] = [FORMULA, ["II", "Nông thôn"], [1, "Xã Đăk Kan", 1491.5, 523, 31]]
    with pytest.raises(PlanReadError) as info:
        read_plan_table(_xlsx(rows), "bad.xlsx")
    assert (info.value.row, info.value.column) == (3, "1")


def test_xlsx_missing_required_value() -> None:
    rows: list[list[Any]] = [FORMULA, ["II", "Nông thôn"], [1, "Xã Đăk Kan", 1491, None, 31]]
    with pytest.raises(PlanReadError) as info:
        read_plan_table(_xlsx(rows), "bad.xlsx")
    assert (info.value.row, info.value.column) == (3, "2")
    assert "formula" in info.value.message_en


def test_damaged_xlsx() -> None:
    with pytest.raises(PlanReadError) as info:
        read_plan_table(b"PK\x03\x04 not really", "hong.xlsx")
    assert info.value.file == "hong.xlsx" and info.value.row is None


# ---------------------------------------------------------------- CSV

CSV_VI = (
    "TT;Khu vực/ Địa bàn;Số hộ;DTTS;Hộ nghèo;Tỷ lệ;Giảm;Còn lại;Dự kiến\n"
    "A;B;1;2;3;4=3/1;5;6=3-5;7\n"
    "I;Khu vực thành thị;;;;;;;\n"
    "1;Thị trấn Plei Kần;4.807;1.178;84;1,75;20;64;1,33\n"
    "\n"
    "II;Khu vực nông thôn;;;;;;;\n"
    "1;Xã Đăk Ang;1.094;1.094;300;27,42;73;227;20,7\n"
    "III;Tổng cộng I + II;5.901;2.272;384;6,51;93;291;4,93\n"
)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_semicolon_vietnamese(bom: bytes) -> None:
    table = read_plan_table(bom + CSV_VI.encode("utf-8"), "chi-tieu.csv")
    assert [(r.name, r.households, r.ethnic_minority) for r in table.rows] == [
        ("Thị trấn Plei Kần", 4807, 1178),
        ("Xã Đăk Ang", 1094, 1094),
    ]
    assert str(table.rows[1].printed_projected_rate) == "20.7"
    assert [r.source_row for r in table.rows] == [4, 7]
    assert table.totals[0].households == 5901
    assert [f.code for f in check_table(table)] == []


def test_csv_comma_english_convention_is_consistent() -> None:
    text = (
        "A,B,1,2,3,4=3/1,5,6=3-5,7\n"
        "I,Urban area,,,,,,,\n"
        '1,Thị trấn Plei Kần,"4,807","1,178",84,1.75,20,64,1.33\n'
        'III,Total I + II,"4,807","1,178",84,1.75,20,64,1.33\n'
    )
    table = read_plan_table(text.encode(), "en.csv")
    (row,) = table.rows
    assert (row.households, row.ethnic_minority, str(row.printed_rate)) == (4807, 1178, "1.75")
    assert check_table(table) == []


def test_csv_conflicting_conventions_rejected() -> None:
    text = (
        "A;B;1;2;3;4=3/1;5;6=3-5;7\n"
        "II;Khu vực nông thôn\n"
        "1;Xã Đăk Kan;1491;523;31;2,08;7;24;1,61\n"
        "2;Xã Đăk Ang;4,807;1094;300;27,42;73;227;20,7\n"
    )
    with pytest.raises(PlanReadError) as info:
        read_plan_table(text.encode(), "tron.csv")
    err = info.value
    assert (err.file, err.row, err.column) == ("tron.csv", 4, "1")
    assert "dòng 3 cột 4" in err.message_vi and "row 3 column 4" in err.message_en


def test_csv_ambiguous_rate_rejected() -> None:
    text = 'A,B,1,2,3,4=3/1,5,6=3-5,7\nII,Nông thôn\n1,Xã Đăk Kan,1491,523,31,"2,079",7\n'
    with pytest.raises(PlanReadError) as info:
        read_plan_table(text.encode(), "mo-ho.csv")
    assert (info.value.row, info.value.column) == (3, "4")
    assert "two ways" in info.value.message_en


def test_csv_not_utf8() -> None:
    data = "A;B;1;2;3;4=3/1;5;6=3-5;7\nII;Nông thôn\n".encode("cp1258")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "cu.csv")
    assert info.value.row == 2 and "UTF-8" in info.value.message_en


# ---------------------------------------------------------------- layout errors


def _tsv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


def test_missing_column() -> None:
    data = _tsv("TT\tTên", "A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5", "II\tNông thôn", "1\tX\t1\t0\t0")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "thieu.txt")
    assert (info.value.file, info.value.row, info.value.column) == ("thieu.txt", 2, "7")
    assert "column '7' is missing" in info.value.message_en


def test_wrong_header_order() -> None:
    data = _tsv("A\tB\t1\t2\t3\t5\t4=3/1\t6=3-5\t7", "II\tNông thôn")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "sai.tsv")
    assert (info.value.row, info.value.column) == (1, "4")
    assert "reads '5'" in info.value.message_en


def test_no_formula_row_after_heading() -> None:
    data = _tsv("CHỈ TIÊU", "", "TT\tKhu vực\tSố hộ", "1\tXã Đăk Kan\t1491")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "khong.txt")
    assert (info.value.row, info.value.column) == (3, "A")


def test_no_table_at_all() -> None:
    with pytest.raises(PlanReadError) as info:
        read_plan_table(b"hello\nworld\n", "x.txt")
    assert info.value.row is None and "No plan table" in info.value.message_en


def test_row_outside_section() -> None:
    data = _tsv("A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5\t7", "1\tXã Đăk Kan\t1.491\t523\t31")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "x.txt")
    assert (info.value.row, info.value.column) == (2, "A")


def test_numbers_without_name() -> None:
    data = _tsv("A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5\t7", "II\tNông thôn", "1\t\t1.491\t523\t31")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(data, "x.txt")
    assert (info.value.row, info.value.column) == (3, "B")


def test_table_without_rows() -> None:
    data = _tsv("A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5\t7", "II\tNông thôn", "III\tTổng cộng")
    with pytest.raises(PlanReadError, match="no unit rows"):
        read_plan_table(data, "x.txt")


def test_sections_by_name_and_subtotals() -> None:
    data = _tsv(
        "A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5\t7",
        "\tKHU VUC THANH THI\t4.807\t1.178\t84\t1,75\t20\t64\t1,33",
        "1\tThị trấn Plei Kần\t4.807\t1.178\t84\t1,75\t20\t64\t1,33",
        "\tKhu vực Nông thôn",
        "1\tXã Đăk Kan\t1.491\t523\t31\t2,08\t7\t24\t1,60",
        "\tTổng cộng\t6.298\t1.701\t115\t1,83\t27\t88\t1,40",
        "x\tignored after the total",
    )
    table = read_plan_table(data, "x.txt")
    assert [r.section for r in table.rows] == [Section.URBAN, Section.RURAL]
    assert [(t.section, t.households) for t in table.totals] == [
        (Section.URBAN, 4807),
        (None, 6298),
    ]
    assert [(f.code, f.row) for f in check_table(table)] == [("rounding", "Xã Đăk Kan")]


def test_dash_means_zero_count_and_no_rate() -> None:
    data = _tsv("A\tB\t1\t2\t3\t4=3/1\t5\t6=3-5\t7", "I\tThành thị", "1\tPhường 1\t500\t-\t0\t-\t-")
    (row,) = read_plan_table(data, "x.txt").rows
    assert (row.ethnic_minority, row.poor, row.printed_rate, row.reduction) == (0, 0, None, 0)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(PlanReadError, match=r"\.xls"):
        read_plan_table(b"...", "cu.xls")
    with pytest.raises(PlanReadError, match="file name"):
        read_plan_table(b"...")
    with pytest.raises(PlanReadError) as info:
        read_plan_table(tmp_path / "none.csv")
    assert info.value.file == "none.csv"


def test_path_and_bytes_agree(seed_path: Path, tmp_path: Path, annex_text: str) -> None:
    target = tmp_path / "annex.tsv"
    target.write_text(annex_text, encoding="utf-8")
    from_path: PlanTable = read_plan_table(target)
    from_bytes = read_plan_table(annex_text.encode(), "annex.tsv")
    assert from_path == from_bytes
    assert from_path.rows[2].printed_projected_rate == Decimal("20.7")
