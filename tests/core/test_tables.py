"""Tables of figures and their writers (``giamngheo.core.tables``): xlsx laid out as the pages'
exports, csv with BOM and plain numbers, JSON under stable keys, and readable text."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from giamngheo.core.tables import (
    Column,
    Row,
    Section,
    Table,
    csv_text,
    export_format,
    tables_json,
    tables_text,
    write_tables,
)

TABLE = Table(
    key="poor",
    title="Huyện Ngọc Hồi: 2019 → 2020",
    sheet="Ho ngheo",
    notes=("Số liệu lúc 10:00 01/01/2021",),
    sections=(
        Section(
            "detail",
            "",
            (Column("all", "Tất cả hộ"), Column("em", "Hộ DTTS")),
            (
                Row("start", "Đầu kỳ", (4807, 12), level=0, strong=True),
                Row("members_lost", "Giảm nhân khẩu", (None, 3), level=1),
            ),
        ),
        Section("summary", "Số hộ", (Column("start", "Đầu kỳ"),), (Row("total", "Tổng số", (7,)),)),
    ),
)


def test_xlsx_lines() -> None:
    out = io.BytesIO()
    write_tables([TABLE], out, "xlsx")
    ws = load_workbook(io.BytesIO(out.getvalue()))["Ho ngheo"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["Huyện Ngọc Hồi: 2019 → 2020", None, None],
        ["Số liệu lúc 10:00 01/01/2021", None, None],
        [None, None, None],
        [None, "Tất cả hộ", "Hộ DTTS"],
        ["Đầu kỳ", 4807, 12],
        ["  Giảm nhân khẩu", None, 3],
        [None, None, None],
        ["Số hộ", None, None],
        [None, "Đầu kỳ", None],
        ["Tổng số", 7, None],
    ]
    assert ws["A5"].font.bold and not ws["A6"].font.bold


def test_csv_and_json() -> None:
    out = io.BytesIO()
    write_tables([TABLE, TABLE], out, "csv")
    assert out.getvalue().startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(csv_text([TABLE]))))
    assert lines[4] == ["Đầu kỳ", "4807", "12"] and lines[5] == ["  Giảm nhân khẩu", "", "3"]
    assert len(list(csv.reader(io.StringIO(csv_text([TABLE, TABLE]))))) == 2 * len(lines) + 1
    data = tables_json([TABLE], {"report": "x"})
    assert data["report"] == "x"
    rows = data["tables"][0]["sections"][0]["rows"]
    assert rows[1] == {
        "key": "members_lost",
        "label": "Giảm nhân khẩu",
        "level": 1,
        "values": {"all": None, "em": 3},
    }
    out = io.BytesIO()
    write_tables([TABLE], out, "json", {"report": "x"})
    assert json.loads(out.getvalue()) == data


def test_text_is_aligned_and_cut_into_blocks() -> None:
    text = tables_text([TABLE], "vi")
    assert "4.807" in text and "—" in text and text.startswith("Huyện Ngọc Hồi")
    assert "4,807" in tables_text([TABLE], "en")
    wide = Section(
        "wide",
        "",
        tuple(Column(f"c{i}", f"Cột số {i} khá dài") for i in range(12)),
        (Row("r", "Dòng", tuple(range(12))),),
    )
    lines = tables_text([Table("t", "T", "T", (wide,))]).splitlines()
    assert max(len(x) for x in lines) <= 120
    assert sum(1 for x in lines if x.startswith("Dòng")) > 1  # the row label in every block


def test_formats_and_shapes() -> None:
    assert export_format("a/b.XLSX") == "xlsx" and export_format("b.json") == "json"
    with pytest.raises(ValueError, match=r"\.xlsx, \.csv"):
        export_format("b.pdf")
    with pytest.raises(ValueError, match="values"):
        Section("s", "", (Column("a", "A"),), (Row("r", "R", (1, 2)),))
