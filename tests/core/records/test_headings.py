"""Headings: which column of a sheet holds which field, the engine's columns, the required
headings, the sheets' roles and the template's headings."""

from __future__ import annotations

import pytest

from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.headings import (
    HOUSEHOLD,
    HOUSEHOLD_HEADINGS,
    MEMBER,
    MEMBER_HEADINGS,
    REQUIRED_HOUSEHOLD_FIELDS,
    REQUIRED_MEMBER_FIELDS,
    Columns,
    RecordReader,
    engine_columns,
    letter,
    require_headings,
    sheet_role,
    template_headings,
)
from giamngheo.core.standards import get_standard

STD = get_standard("QD59-2015")


def test_columns_match_headings_folded_and_the_first_wins() -> None:
    headings = ["", "MÃ HỘ", "ho_ten_chu_ho", "Thôn, tổ dân phố", "Mã hộ", "Ghi chú", "Thu nhập"]
    cols = Columns(headings, HOUSEHOLD_HEADINGS)
    assert cols.index == {"code": 1, "head_name": 2, "village": 3}
    assert cols.rest == [4, 5, 6]  # a second «Mã hộ» is not the code
    assert cols.has("code") and not cols.has("persons")
    cells = [None, "H1", "A Blong", "Thôn 1", "H1", "", 600_000]
    assert cols.get(cells, "head_name") == "A Blong" and cols.get(cells, "persons") is None
    assert cols.where("village") == ("Thôn, tổ dân phố", "D")
    assert cols.where("persons") == ("", "")


def test_a_record_reader_picks_the_fields() -> None:
    cells = ["H1", "A Blong", 600_000]
    assert RecordReader({"code": 0, "income": 2})(cells) == {"code": "H1", "income": 600_000}
    assert RecordReader({"head_name": 1})(cells) == {"head_name": "A Blong"}
    assert RecordReader({})(cells) == {}


def test_engine_columns_are_the_other_headings_of_the_standard() -> None:
    headings = ["Mã hộ", "Họ tên chủ hộ", "Thu nhập bình quân đầu người/tháng", "Khu vực"]
    headings += [ind.name_vi for ind in STD.indicators] + ["Ghi chú"]
    cols = Columns(headings, HOUSEHOLD_HEADINGS)
    engine = engine_columns(cols, STD, "a.xlsx", "Hộ")
    assert engine["income"] == 2 and engine["area"] == 3
    assert [engine[ind.column] for ind in STD.indicators] == list(range(4, 14))
    assert 14 not in engine.values()


def test_two_headings_of_one_engine_column_refuse_the_file() -> None:
    cols = Columns(["Mã hộ", "Thu nhập", "Thu nhập bình quân đầu người"], HOUSEHOLD_HEADINGS)
    with pytest.raises(ImportFileError) as caught:
        engine_columns(cols, STD, "a.csv", "CSV")
    error = caught.value
    assert (error.file, error.sheet) == ("a.csv", "CSV")
    assert "Hai cột cùng nghĩa" in error.message_vi and "two columns mean" in error.message_en
    assert error.as_dict()["code"] == "file"


def test_required_headings() -> None:
    cols = Columns(["Mã hộ", "Tên"], HOUSEHOLD_HEADINGS)
    with pytest.raises(ImportFileError) as caught:
        require_headings("a.xlsx", "Hộ", cols, REQUIRED_HOUSEHOLD_FIELDS)
    assert caught.value.message_vi == "thiếu cột «Họ tên chủ hộ»"
    assert caught.value.message_en == "missing column(s) «Họ tên chủ hộ»"
    members = Columns(["Mã hộ", "Họ tên"], MEMBER_HEADINGS)
    with pytest.raises(ImportFileError) as caught:
        require_headings("a.xlsx", "Thành viên", members, REQUIRED_MEMBER_FIELDS)
    assert caught.value.message_vi == "thiếu cột «Giới tính», «Ngày sinh», «Quan hệ với chủ hộ»"
    require_headings(
        "a.xlsx",
        "Hộ",
        Columns(["code", "head_name"], HOUSEHOLD_HEADINGS),
        REQUIRED_HOUSEHOLD_FIELDS,
    )


def test_sheet_roles_and_letters() -> None:
    assert sheet_role("HỘ GIA ĐÌNH") == HOUSEHOLD and sheet_role("nhan khau") == MEMBER
    assert sheet_role("Sheet1") == ""
    assert [letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_template_headings_follow_the_standard() -> None:
    households, members = template_headings(STD)
    assert households[:3] == ["Mã hộ", "Mã xã", "Thôn"]
    assert "Điểm B1" in households  # the QĐ 59 form score
    assert households[-3:] == ["Lý do vào sổ", "Ngày vào sổ", "Tách từ hộ"]
    nd07, _ = template_headings(get_standard("ND07-2021"))
    assert "Điểm B1" not in nd07
    every = {h for hs in HOUSEHOLD_HEADINGS.values() for h in hs}
    engine = {ind.name_vi for ind in STD.indicators} | {
        "Điểm B1",
        "Thu nhập bình quân đầu người/tháng",
    }
    assert set(households) <= every | engine
    assert members == [hs[0] for hs in MEMBER_HEADINGS.values()]
