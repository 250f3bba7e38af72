"""Reading an import file as sheets of rows (no database): the layout, the heading row, the
row-count hints, CSV, cells holding formula errors, the refused formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from giamngheo.core.records import reader
from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.reader import (
    read_sheets,
    unsupported_format_message,
    xlsx_error_cells,
    xlsx_sheet_rows,
)


def test_sheet_row_hint_from_the_dimension(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hộ"
    for i in range(1, 42):
        ws.append([f"r{i}", i])
    wb.create_sheet("Thành viên").append(["x"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    assert xlsx_sheet_rows(path) == {"Hộ": 41, "Thành viên": 1}
    layout, sheets = read_sheets(path, "a.xlsx")
    assert layout == "two" and [r.estimated_rows for _role, r in sheets] == [40, 0]
    # not a workbook: no hint, no exception
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"not a zip")
    assert xlsx_sheet_rows(bad) == {}


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_the_heading_row_is_found_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        {
            "Danh sách hộ": [
                ["DANH SÁCH HỘ"],
                [],
                ["Mã hộ", "Họ tên chủ hộ", "Ngày", None],
                ["H1", "A Blong", dt.datetime(2019, 6, 15)],
                [None, " "],
                ["H2", "Y Hoa", "", "ghi chú ngoài cột"],
            ]
        },
    )
    layout, sheets = read_sheets(path, "a.xlsx")
    assert layout == "flat" and [role for role, _ref in sheets] == ["household"]
    src = sheets[0][1].open()
    assert src.name == "Danh sách hộ" and src.headings == ["Mã hộ", "Họ tên chủ hộ", "Ngày"]
    assert list(src.rows) == [(4, ["H1", "A Blong", "2019-06-15"]), (6, ["H2", "Y Hoa", None])]
    assert src.error_cells == {}


def test_sheets_are_found_by_name(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        {"Ghi chú": [["x"]], "Thành viên": [["Mã hộ"]], "households": [["Mã hộ"]]},
    )
    layout, sheets = read_sheets(path, "a.xlsx")
    assert layout == "two" and [(role, ref.name) for role, ref in sheets] == [
        ("household", "households"),
        ("member", "Thành viên"),
    ]
    unnamed = _workbook(tmp_path / "b.xlsx", {"Sheet1": [["Mã hộ"], ["H1"]], "Sheet2": [["x"]]})
    layout, sheets = read_sheets(unnamed, "b.xlsx")
    assert layout == "flat" and sheets[0][1].name == "Sheet1"


def test_what_refuses_a_workbook(tmp_path: Path) -> None:
    members_only = _workbook(tmp_path / "a.xlsx", {"Thành viên": [["Mã hộ"]]})
    with pytest.raises(ImportFileError) as caught:
        read_sheets(members_only, "a.xlsx")
    assert caught.value.message_en == "sheet 'Thành viên' found but no 'Hộ' (households) sheet"
    no_heading = _workbook(tmp_path / "b.xlsx", {"Hộ": [["Tên"], ["A"]]})
    _layout, sheets = read_sheets(no_heading, "b.xlsx")
    with pytest.raises(ImportFileError) as caught:
        sheets[0][1].open()
    assert (caught.value.sheet, caught.value.message_vi) == (
        "Hộ",
        "không tìm thấy dòng tiêu đề có cột «Mã hộ»",
    )
    broken = tmp_path / "c.xlsx"
    broken.write_bytes(b"PK not really")
    with pytest.raises(ImportFileError) as caught:
        read_sheets(broken, "c.xlsx")
    assert caught.value.message_en.startswith("cannot read the spreadsheet")


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".pdf", ""])
def test_refused_formats(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(b"x")
    with pytest.raises(ImportFileError) as caught:
        read_sheets(path, path.name)
    vi, en = unsupported_format_message(suffix)
    assert (caught.value.message_vi, caught.value.message_en) == (vi, en)
    old = suffix in (".xls", ".xlsb")
    assert ("save it as .xlsx" in en) == old and ("only .xlsx, .ods or .csv" in en) == (not old)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_with_any_delimiter_and_a_bom(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "a.csv"
    lines = ["Mã hộ", "Họ tên chủ hộ", "Số nhân khẩu"], ["H1", "A Blong", "2"], ["", "", ""]
    path.write_bytes("\n".join(delimiter.join(r) for r in lines).encode("utf-8-sig"))
    layout, sheets = read_sheets(path, "a.csv")
    assert layout == "flat"
    src = sheets[0][1].open()
    assert (src.name, src.headings) == ("CSV", ["Mã hộ", "Họ tên chủ hộ", "Số nhân khẩu"])
    assert list(src.rows) == [(2, ["H1", "A Blong", "2"])]
    assert sheets[0][1].estimated_rows == 2


def test_csv_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"M\xe3 h\xf4,H\xf4 t\xean\nH1,A\n")  # Latin-1 bytes
    with pytest.raises(ImportFileError) as caught:
        read_sheets(path, "a.csv")
    assert caught.value.message_en == "the CSV file must be UTF-8 encoded"


@pytest.mark.parametrize("chunk", [None, 7, 64])
def test_formula_error_cells_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    """Cells holding #REF!, #N/A … (``t="e"``), also when the XML is read in tiny pieces."""
    if chunk is not None:
        monkeypatch.setattr(reader, "_ERROR_SCAN_CHUNK", chunk)
    rows: list[list[object]] = [["Mã hộ", "Cờ", "Khác"]]
    rows += [[f"H{i}", 1, "#N/A" if i % 7 == 0 else "ok"] for i in range(1, 30)]
    rows[3][1] = "#REF!"
    path = _workbook(tmp_path / "a.xlsx", {"Hộ": rows})
    expected = {4: {1: "#REF!"}} | {i + 1: {2: "#N/A"} for i in range(7, 30, 7)}
    assert xlsx_error_cells(path, "Hộ") == expected
    assert xlsx_error_cells(path, "Không có") == {}
    src = read_sheets(path, "a.xlsx")[1][0][1].open()
    assert src.error_cells == expected
    by_row = dict(src.rows)
    assert by_row[4] == ["H3", "#REF!", "ok"]  # the file's text, kept for the error file
