"""``giamngheo classify``: exit statuses, standard choice, progress; no Django."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from giamngheo.cli import classify as classify_module
from giamngheo.cli import main
from giamngheo.core.standards import get_standard


def write_input(path: Path, sid: str, rows: list[tuple[str, str, str, int]]) -> Path:
    std = get_standard(sid)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["household_id", "area", "income", *std.deprivation_columns])
        for hid, area, income, d in rows:
            w.writerow([hid, area, income, *[int(i < d) for i in range(len(std.indicators))]])
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["classify", *args])
    return result.exit_code, result.output


def test_exit_0_when_every_row_is_classified(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", "ND07-2021", [("H1", "rural", "1500000", 3)])
    code, output = run(str(src), "-o", str(tmp_path / "out.parquet"), "--standard", "ND07-2021")
    assert code == 0, output
    assert "ND07-2021" in output
    assert pq.read_table(tmp_path / "out.parquet").column("classification").to_pylist() == ["poor"]
    assert (tmp_path / "out.rejected.csv").exists()


def test_exit_1_when_some_rows_are_rejected(tmp_path: Path) -> None:
    src = write_input(
        tmp_path / "in.csv", "ND07-2021", [("H1", "rural", "1500000", 3), ("H2", "mars", "1", 0)]
    )
    code, output = run(
        str(src), "-o", str(tmp_path / "out.csv"), "--year", "2023", "--review", "adhoc"
    )
    assert code == 1, output
    assert "rejected: 1" in output
    assert "area 1" in output


def test_exit_2_when_the_input_cannot_be_read(tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "missing.parquet"), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert "no such file" in output
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 but not really")
    code, output = run(str(tmp_path / "bad.parquet"), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert "cannot read" in output


def test_year_picks_the_standard_periodic_by_default(tmp_path: Path) -> None:
    # End-2021 periodic review: ND07-2021 (its indicators), so a QD59-2015 file is rejected.
    src = write_input(tmp_path / "in.csv", "QD59-2015", [("H1", "rural", "650000", 0)])
    code, output = run(str(src), "-o", str(tmp_path / "a.csv"), "--year", "2021")
    assert code == 1
    assert "ND07-2021 (periodic review in 2021)" in output
    code, output = run(
        str(src), "-o", str(tmp_path / "b.csv"), "--year", "2021", "--review", "adhoc"
    )
    assert code == 0, output
    assert "QD59-2015" in output


def test_year_out_of_range_and_conflicting_options(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", "ND07-2021", [])
    code, output = run(str(src), "-o", str(tmp_path / "out.csv"), "--year", "2031")
    assert code == 2
    assert "no national standard is in force in 2032" in output
    code, output = run(
        str(src), "-o", str(tmp_path / "out.csv"), "--year", "2022", "--standard", "ND07-2021"
    )
    assert code == 2
    assert "--standard or --year" in output


def test_a_local_standard_file(tmp_path: Path) -> None:
    local = tmp_path / "local.json"
    local.write_text(
        json.dumps(
            {
                "based_on": "ND07-2021",
                "id": "LOCAL-1",
                "lines": {"rural": {"poverty": 1_800_000, "near_poverty": 1_800_000}},
            }
        ),
        encoding="utf-8",
    )
    src = write_input(tmp_path / "in.csv", "ND07-2021", [("H1", "rural", "1700000", 0)])
    code, output = run(str(src), "-o", str(tmp_path / "out.csv"), "--standard", str(local))
    assert code == 0, output
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    assert (row["standard"], row["classification"]) == ("LOCAL-1", "near_poor")


def test_progress_on_long_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classify_module, "PROGRESS_MIN_BYTES", 0)
    src = write_input(tmp_path / "in.csv", "ND07-2021", [("H1", "rural", "1", 0)] * 10)
    code, output = run(str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 0
    assert "classifying (bytes)" in output


def test_the_classify_command_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "from giamngheo.cli.classify import classify_command\n"
        "import giamngheo.core.standards.batch\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
