"""Whole files: CSV, XLSX and Parquet in and out, rejected rows, unreadable input."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from giamngheo.core.standards import classify_household, get_standard
from giamngheo.core.standards.batch import (
    RESULT_COLUMNS,
    InputError,
    OutputError,
    classify_batch,
    classify_file,
    rejected_path,
)

ND07 = get_standard("ND07-2021")
HEADER = [
    "Mã hộ",
    "Khu vực",
    "Thu nhập bình quân đầu người/tháng",
    *ND07.deprivation_columns,
    "Ghi chú",
]


def line(
    hid: str,
    area: str,
    income: str,
    deprived: int,
    *,
    note: str = "",
    flags: list[str] | None = None,
) -> list[str]:
    values = flags or [str(int(i < deprived)) for i in range(len(ND07.indicators))]
    return [hid, area, income, *values, note]


GOOD = [
    line("H1", "Nông thôn", "1500000", 3, note="a"),  # poor
    line("H2", "Thành thị", "2000000", 0, note="b"),  # near-poor
    line("H3", "Nông thôn", "2250000", 5, note="c"),  # medium
    line("H4", "urban", "3000001", 0, note="d"),  # non-poor
]


def write_csv(
    path: Path, rows: list[list[str]], delimiter: str = ",", header: list[str] = HEADER
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_rejected(output: Path) -> list[dict[str, str]]:
    with rejected_path(output).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_to_parquet(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", GOOD)
    out = tmp_path / "out.parquet"
    report = classify_file(src, out, ND07)
    assert (report.rows_read, report.rows_classified, report.rows_rejected) == (4, 4, 0)
    assert report.exit_status == 0
    assert report.counts == {"poor": 1, "near_poor": 1, "medium": 1, "non_poor": 1}
    table = pq.read_table(out)
    assert table.column_names == [*RESULT_COLUMNS, *HEADER]
    rows = table.to_pylist()
    assert [r["classification"] for r in rows] == ["poor", "near_poor", "medium", "non_poor"]
    assert rows[0]["deprived"] == "employment;dependants;nutrition"
    assert rows[0]["standard"] == "ND07-2021"
    assert rows[0]["household_id"] == "H1" == rows[0]["Mã hộ"]
    assert rows[1]["deprived"] == ""
    assert rows[3]["Ghi chú"] == "d"
    assert read_rejected(out) == []


def test_bad_rows_are_reported_with_row_numbers_and_do_not_change_good_rows(tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        line("H5", "ngoại ô", "100", 0),  # row 2: unknown area
        [""] * len(HEADER),  # row 3: a blank line is not a household
        line("H6", "Nông thôn", "-1", 0),  # row 4: negative income
        line("H7", "Nông thôn", "100", 0, flags=["2"] + ["0"] * 11),  # row 5: flag 2
        GOOD[1],
        line("", "Nông thôn", "", 0),  # row 7: no id, no income
    ]
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    report = classify_file(src, out, ND07)
    assert (report.rows_classified, report.rows_rejected) == (2, 4)
    assert report.exit_status == 1
    with out.open(encoding="utf-8-sig", newline="") as f:
        classified = list(csv.DictReader(f))
    assert [(r["household_id"], r["classification"]) for r in classified] == [
        ("H1", "poor"),
        ("H2", "near_poor"),
    ]
    rejected = read_rejected(out)
    assert [(r["row"], r["household_id"], r["field"]) for r in rejected] == [
        ("2", "H5", "area"),
        ("4", "H6", "income"),
        ("5", "H7", "dep_employment"),
        ("7", "", "household_id"),
        ("7", "", "income"),
    ]
    assert rejected[0]["message_vi"].startswith("khu vực không hợp lệ")
    assert "'ngoại ô'" in rejected[0]["message_en"]
    assert report.rejected_by_field == {
        "area": 1,
        "income": 2,
        "dep_employment": 1,
        "household_id": 1,
    }


def test_semicolon_csv_and_malformed_rows_fall_back_to_exact_reading(tmp_path: Path) -> None:
    rows = [GOOD[0], ["H9", "Nông thôn"], GOOD[1], line("H8", "x", "1", 0)]
    src = write_csv(tmp_path / "in.csv", rows, delimiter=";")
    out = tmp_path / "out.parquet"
    report = classify_file(src, out, ND07)
    assert report.rows_read == 4
    assert report.rows_classified == 2
    rejected = read_rejected(out)
    assert [(r["row"], r["household_id"], r["field"]) for r in rejected] == [
        ("4", "H8", "area"),
        ("2", "H9", "(row)"),
    ]
    assert "2 fields, 16 expected" in rejected[1]["message_en"]


def test_parquet_typed_columns_to_xlsx_and_back(tmp_path: Path) -> None:
    n = len(ND07.indicators)
    table = pa.table(
        {
            "household_id": ["A", "B", "C"],
            "area": pa.array(["rural", "urban", "rural"]).dictionary_encode(),
            "income": pa.array([1_000_000, None, 5], pa.int64()),
            "income_score": pa.array([None, 175.0, 150.0]),
            **{
                c: pa.array([1, int(i < 3), 0], pa.int8())
                for i, c in enumerate(ND07.deprivation_columns)
            },
        }
    )
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "out.xlsx"
    report = classify_file(src, out, ND07)
    assert report.rows_classified == 3
    ws = load_workbook(out, read_only=True).active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:6] == list(RESULT_COLUMNS)
    assert header[-1] == "income_score_disagreement"
    assert "household_id" not in header[6:]  # the input's household_id is not repeated
    got = {r[0]: dict(zip(header, r, strict=True)) for r in values[1:]}
    assert got["A"]["classification"] == "poor"
    assert got["A"]["deprivation_count"] == n
    assert got["B"]["classification"] == "poor"  # A = 175 urban, B = 30
    assert got["C"]["classification"] == "non_poor"  # A = 150 > 140 rural, though income is 5
    assert got["C"]["income_score_disagreement"] is True
    # The XLSX output classifies again, the same way, under another standard's name check.
    again = tmp_path / "again.csv"
    report = classify_file(out, again, ND07)
    assert report.rows_classified == 3
    with again.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["classification"] for r in rows] == ["poor", "poor", "non_poor"]
    assert "input_classification" in rows[0]


def test_xlsx_input_with_vietnamese_headings(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    qd59 = get_standard("QD59-2015")
    ws.append(["Mã hộ", "Khu vực", "Điểm B1", *[i.name_vi for i in qd59.indicators]])
    ws.append(["X1", "Thành thị", 150, *([1, 1, 1] + [0] * 7)])
    ws.append([None] * 13)
    ws.append(["X2", "Nông thôn", 151, *([True] + [False] * 9)])
    ws.append(["X3", "Nông thôn", "abc", *([0] * 10)])
    src = tmp_path / "in.xlsx"
    wb.save(src)
    out = tmp_path / "out.parquet"
    report = classify_file(src, out, qd59)
    rows = pq.read_table(out).to_pylist()
    assert [(r["household_id"], r["classification"], r["poor_basis"]) for r in rows] == [
        ("X1", "poor", "deprivation"),
        ("X2", "non_poor", ""),
    ]
    assert [(r["row"], r["field"]) for r in read_rejected(out)] == [("4", "income_score")]
    assert report.exit_status == 1


def test_all_rows_rejected_still_writes_an_output_with_its_columns(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", [line("H1", "?", "1", 0)])
    out = tmp_path / "out.parquet"
    report = classify_file(src, out, ND07)
    assert report.rows_classified == 0
    assert pq.read_table(out).column_names[:6] == list(RESULT_COLUMNS)


def test_a_standard_without_an_indicator_rejects_rows_that_use_it(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", GOOD[:1])
    out = tmp_path / "out.csv"
    report = classify_file(src, out, get_standard("ND351-2025"))
    fields = {r["field"] for r in read_rejected(out)}
    assert fields == {"dep_waste", "dep_info_access"}
    assert report.rows_rejected == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("in.parquet", b"not parquet"),
        ("in.csv", b""),
        ("in.csv", b"household_id,area\nH1,\xff\xfe\n"),
        ("in.txt", b"a,b\n"),
        ("in.xlsx", b"not a zip"),
    ],
)
def test_unreadable_input(tmp_path: Path, name: str, content: bytes) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    with pytest.raises(InputError):
        classify_file(src, out, ND07)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no half-written output, no temporary files


def test_missing_input_and_unwritable_output(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        classify_file(tmp_path / "nope.csv", tmp_path / "out.csv", ND07)
    src = write_csv(tmp_path / "in.csv", GOOD)
    with pytest.raises(OutputError, match="unsupported format"):
        classify_file(src, tmp_path / "out.json", ND07)
    with pytest.raises(OutputError):
        classify_file(src, tmp_path / "no-such-dir" / "out.csv", ND07)
    with pytest.raises(OutputError, match="overwrite the input"):
        classify_file(src, src, ND07)
    assert src.read_text(encoding="utf-8").startswith("Mã hộ")


def test_classify_batch_matches_per_household_with_explanations() -> None:
    batch = pa.RecordBatch.from_pylist(
        [
            {
                "household_id": "A",
                "area": "urban",
                "income": 2_000_000,
                **dict.fromkeys(ND07.deprivation_columns, 1),
            }
        ]
    )
    result = classify_batch(batch, ND07)
    (row,) = result.batch.to_pylist()
    single = classify_household(batch.to_pylist()[0], ND07)
    assert row["classification"] == single.classification == "poor"
    assert row["deprived"] == single.deprived_text
