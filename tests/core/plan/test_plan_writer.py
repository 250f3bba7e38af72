"""Writing xlsx, csv and PDF; every output reads back to the same table."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from giamngheo.core.plan.calc import recompute_table
from giamngheo.core.plan.checks import check_table
from giamngheo.core.plan.model import PlanRow, PlanTable, Section
from giamngheo.core.plan.reader import read_plan_table
from giamngheo.core.plan.writer import WriteMeta, csv_text, write_csv, write_pdf, write_xlsx

SUBTITLE = "(Ban hành theo Kế hoạch số 252/KH-UBND ngày 19/02/2020 của UBND huyện Ngọc Hồi)"


def _meta(table: PlanTable, lang: str = "vi") -> WriteMeta:
    return WriteMeta.from_table(table, lang, SUBTITLE)  # type: ignore[arg-type]


def _plain(rows: tuple[PlanRow, ...]) -> list[PlanRow]:
    return [replace(r, source_row=None) for r in rows]


def _codes(table: PlanTable) -> list[tuple[str, str, str]]:
    return [(f.code, f.row, f.column) for f in check_table(table)]


def test_meta_from_table(seed_path: Path) -> None:
    meta = _meta(read_plan_table(seed_path))
    assert (meta.title, meta.year, meta.lang) == ("CHỈ TIÊU GIẢM NGHÈO NĂM 2020", 2020, "vi")
    assert WriteMeta(year=2021).heading_title == "CHỈ TIÊU GIẢM NGHÈO NĂM 2021"
    assert WriteMeta(lang="en").heading_title == "POVERTY REDUCTION TARGETS"


def test_xlsx_round_trip(seed_path: Path, tmp_path: Path) -> None:
    table = read_plan_table(seed_path)
    out = tmp_path / "chi-tieu.xlsx"
    write_xlsx(table, out, _meta(table))
    back = read_plan_table(out)
    assert _plain(back.rows) == _plain(table.rows)
    assert back.title == table.title
    assert _codes(back) == _codes(table)  # the two rounding warnings, nothing new
    grand_in, grand_out = table.totals[-1], back.totals[-1]
    assert replace(grand_out, source_row=None) == replace(grand_in, source_row=None)
    # sections I and II now carry (correct) subtotals
    assert [(t.number, t.households, t.reduction) for t in back.totals] == [
        ("I", 4807, 20),
        ("II", 11147, 179),
        ("III", 15954, 199),
    ]


def test_xlsx_layout(seed_path: Path) -> None:
    table = read_plan_table(seed_path)
    buffer = io.BytesIO()
    write_xlsx(table, buffer, _meta(table))
    ws = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert ws is not None
    assert ws["A1"].value == "CHỈ TIÊU GIẢM NGHÈO NĂM 2020"
    assert ws["A2"].value == SUBTITLE
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "A4:A5", "B4:B5", "C4:D4", "E4:F4", "G4:I4"} <= merged
    assert [ws.cell(4, c).value for c in (1, 2, 3, 5, 7)] == [
        "TT",
        "Khu vực/ Địa bàn",
        "Tổng số hộ dân cư",
        "Số hộ nghèo cuối năm 2019",
        "Kế hoạch giảm nghèo đến cuối năm 2020",
    ]
    assert [ws.cell(5, c).value for c in range(3, 10)] == [
        "Số hộ",
        "Trong đó Hộ DTTS",
        "Số hộ",
        "Tỷ lệ %",
        "Số hộ giảm tối thiểu",
        "Số hộ nghèo còn lại",
        "Dự kiến tỷ lệ hộ nghèo cuối năm 2020",
    ]
    assert [ws.cell(6, c).value for c in range(1, 10)] == [
        "A", "B", "1", "2", "3", "4=3/1", "5", "6=3-5", "7",
    ]  # fmt: skip
    assert [ws.cell(7, 1).value, ws.cell(7, 2).value, ws.cell(7, 3).value] == [
        "I",
        "Khu vực thành thị",
        4807,
    ]
    ang = next(r for r in range(7, 20) if ws.cell(r, 2).value == "Xã Đăk Ang")
    assert ws.cell(ang, 3).value == 1094 and ws.cell(ang, 3).number_format == "#,##0"
    assert ws.cell(ang, 6).number_format == "0.00"
    assert ws.cell(ang, 9).value == pytest.approx(20.7)
    assert ws.cell(ang, 9).number_format == "0.0"
    assert ws.cell(ang, 5).border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$6"


def test_xlsx_english(seed_table: PlanTable, tmp_path: Path) -> None:
    out = tmp_path / "en.xlsx"
    write_xlsx(seed_table, out, WriteMeta(lang="en", year=2020))
    ws = load_workbook(out).active
    assert ws is not None
    assert ws["A1"].value == "POVERTY REDUCTION TARGETS 2020"
    assert ws.cell(4, 1).value == "No." and ws.cell(7, 2).value == "Urban area"
    back = read_plan_table(out)
    assert _plain(back.rows) == _plain(seed_table.rows)
    assert back.totals[-1].name == "Total I + II"


def test_csv_round_trip_plain_numbers(seed_table: PlanTable, tmp_path: Path) -> None:
    out = tmp_path / "chi-tieu.csv"
    write_csv(seed_table, out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "1,Thị trấn Plei Kần,4807,1178,84,1.75,20,64,1.33" in text
    assert "2,Xã Đăk Ang,1094,1094,300,27.42,73,227,20.7" in text
    assert "A,B,1,2,3,4=3/1,5,6=3-5,7" in text
    assert "4.807" not in text
    back = read_plan_table(out)
    assert _plain(back.rows) == _plain(seed_table.rows)
    assert _codes(back) == _codes(seed_table)
    assert csv_text(seed_table) == text


def test_writer_fills_missing_computed_values(tmp_path: Path) -> None:
    row = PlanRow("Xã Đăk Kan", Section.RURAL, 1491, 523, 31, reduction=7)
    out = tmp_path / "x.xlsx"
    write_xlsx(PlanTable(rows=(row,)), out)
    (back,) = read_plan_table(out).rows
    assert (back.printed_rate, back.printed_remaining, back.printed_projected_rate) == (
        Decimal("2.08"),
        24,
        Decimal("1.61"),
    )


def test_recomputed_then_written_has_no_findings(seed_table: PlanTable, tmp_path: Path) -> None:
    out = tmp_path / "fixed.csv"
    write_csv(recompute_table(seed_table), out)
    assert check_table(read_plan_table(out)) == []


def test_pdf(seed_table: PlanTable, tmp_path: Path) -> None:
    out = tmp_path / "chi-tieu.pdf"
    write_pdf(seed_table, out, _meta(seed_table))
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 5000
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes
    for width, height in boxes:  # A4 landscape: 842 × 595 points
        assert float(width) == pytest.approx(841.89, abs=0.1)
        assert float(height) == pytest.approx(595.28, abs=0.1)
    assert b"DejaVuSerif" in data  # the Vietnamese-capable font is embedded


def test_pdf_to_stream_english(seed_table: PlanTable) -> None:
    buffer = io.BytesIO()
    write_pdf(seed_table, buffer, WriteMeta(lang="en", year=2020, title="Targets & <plan>"))
    assert buffer.getvalue().startswith(b"%PDF-")


def test_bundled_font_and_licence() -> None:
    from giamngheo.core.plan.writer import FONTS_DIR

    assert (FONTS_DIR / "DejaVuSerif.ttf").stat().st_size > 100_000
    assert (FONTS_DIR / "DejaVuSerif-Bold.ttf").stat().st_size > 100_000
    licence = (FONTS_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream Vera" in licence and "public domain" in licence
