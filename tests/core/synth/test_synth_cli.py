"""``giamngheo synth`` through click's CliRunner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from click.testing import CliRunner

from giamngheo.cli.synth import synth_command


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(synth_command, list(args))
    return result.exit_code, result.output


def test_writes_csv_deterministically(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("-o", str(first), "--households", "500", "--seed", "3")[0] == 0
    assert run("-o", str(second), "-n", "500", "--seed", "3")[0] == 0
    assert first.read_bytes() == second.read_bytes()
    table = pa_csv.read_csv(first)
    assert table.num_rows == 500
    assert "dep_info_assets" in table.column_names
    third = tmp_path / "c.csv"
    assert run("-o", str(third), "-n", "500", "--seed", "4")[0] == 0
    assert third.read_bytes() != first.read_bytes()


def test_parquet_and_standard(tmp_path: Path) -> None:
    out = tmp_path / "h.parquet"
    code, output = run("-o", str(out), "-n", "1000", "--standard", "ND07-2021")
    assert code == 0, output
    table = pq.read_table(out)
    assert table.num_rows == 1000
    assert "dep_employment" in table.column_names
    assert "1,000" in output


def test_small_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "h.xlsx"
    assert run("-o", str(out), "-n", "20")[0] == 0
    sheet = load_workbook(out, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("household_id", "commune_code", "commune_name")
    assert len(rows) == 21


def test_ngoc_hoi_preset(tmp_path: Path) -> None:
    out = tmp_path / "ngoc_hoi.parquet"
    code, output = run("-o", str(out), "--district", "ngoc-hoi", "--year", "2019")
    assert code == 0, output
    table = pq.read_table(out)
    assert table.num_rows == 15954
    assert "23380 Xã Đắk Ang: 1,094" in output


def test_usage_errors(tmp_path: Path) -> None:
    out = str(tmp_path / "x.csv")
    assert run("-o", out, "--district", "ngoc-hoi")[0] == 2
    assert run("-o", out, "--district", "ngoc-hoi", "--year", "2019", "-n", "5")[0] == 2
    assert run("-o", out, "--district", "ha-noi", "--year", "2019")[0] == 2
    assert (
        run("-o", out, "--district", "ngoc-hoi", "--year", "2019", "--standard", "ND07-2021")[0]
        == 2
    )
    assert run("-o", str(tmp_path / "x.txt"))[0] == 2
    assert run("-o", out, "--standard", "QD00-1999")[0] == 2
    code, output = run("-o", str(tmp_path / "big.xlsx"), "-n", "300000")
    assert code == 2
    assert "XLSX" in output
    assert not (tmp_path / "big.xlsx").exists()


def test_runs_without_django(tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from giamngheo.cli.synth import synth_command\n"
        f"result = CliRunner().invoke(synth_command, ['-o', {str(out)!r}, '-n', '10'])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert out.exists()
