"""``giamngheo plan check`` / ``plan propose`` through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from giamngheo.cli.plan import parse_objective, plan_group
from giamngheo.core.plan.checks import check_table
from giamngheo.core.plan.reader import read_plan_table

OBJ = ["--min-reduction", "1,2", "--strict", "--objective", "Đăk Ang=7-8"]


@pytest.fixture
def annex_file(tmp_path: Path, annex_text: str) -> Path:
    path = tmp_path / "252-KH-UBND.txt"
    path.write_text(annex_text, encoding="utf-8")
    return path


def test_check_warnings_only_exit_0(annex_file: Path) -> None:
    result = CliRunner().invoke(plan_group, ["check", str(annex_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("CẢNH BÁO/WARNING rounding") == 2
    assert "Xã Đăk Kan, cột/column 7 [cần/expected: 1,61; ghi/actual: 1,60]" in result.stdout
    assert "8 đơn vị, 0 lỗi, 2 cảnh báo / 8 units, 0 errors, 2 warnings" in result.stdout
    # Vietnamese first
    assert result.stdout.index("Tỷ lệ dự kiến") < result.stdout.index("The projected rate")


def test_check_objectives_json_exit_1(annex_file: Path) -> None:
    result = CliRunner().invoke(plan_group, ["check", str(annex_file), *OBJ, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert all(
        set(item) == {"severity", "code", "row", "column", "expected", "actual", "message"}
        for item in data
    )
    assert [(d["severity"], d["code"], d["row"], d["expected"], d["actual"]) for d in data] == [
        ("warning", "rounding", "Xã Đăk Kan", "1,61", "1,60"),
        ("warning", "rounding", "Xã Đăk Dục", "2,76", "2,75"),
        ("error", "objective_below_range", "Xã Đăk Ang", "77–87", "73"),
    ]
    assert " / " in data[2]["message"]


@pytest.mark.parametrize("points", ["1,2", "1.2"])
def test_min_reduction_both_marks(annex_file: Path, points: str) -> None:
    ok = CliRunner().invoke(plan_group, ["check", str(annex_file), "--min-reduction", points,
                                         "--strict", "--json"])  # fmt: skip
    assert ok.exit_code == 0 and json.loads(ok.stdout)[-1]["code"] == "rounding"
    strict_more = CliRunner().invoke(
        plan_group, ["check", str(annex_file), "--min-reduction", "1,25", "--json"]
    )
    assert strict_more.exit_code == 1
    assert json.loads(strict_more.stdout)[-1]["code"] == "objective_not_met"


def test_check_unreadable_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("A;B;1;2;3;4=3/1;5;6=3-5;7\nII;Nông thôn\n1;Xã X;nhiều;1;1\n", "utf-8")
    result = CliRunner().invoke(plan_group, ["check", str(bad)])
    assert result.exit_code == 2
    assert "bad.csv, dòng 3, cột 1" in result.stderr
    assert "bad.csv, row 3, column 1" in result.stderr
    assert result.stdout == ""
    missing = CliRunner().invoke(plan_group, ["check", str(tmp_path / "none.xlsx")])
    assert missing.exit_code == 2 and "Cannot read the file" in missing.stderr


def test_bad_objective_is_usage_error(annex_file: Path) -> None:
    result = CliRunner().invoke(plan_group, ["check", str(annex_file), "--objective", "Đăk Ang"])
    assert result.exit_code == 2 and "NAME=MIN" in result.output


def test_parse_objective() -> None:
    o = parse_objective("Xã Đăk Ang=7-8")
    assert (o.name, str(o.min_points), str(o.max_points)) == ("Xã Đăk Ang", "7", "8")
    o = parse_objective("Bờ Y = 1,5 – 2.5%")
    assert (o.name, str(o.min_points), str(o.max_points)) == ("Bờ Y", "1.5", "2.5")
    assert parse_objective("Sa Loong=3").max_points is None
    for bad in ["=7", "Sa Loong=", "Sa Loong=8-7", "Sa Loong=a"]:
        with pytest.raises(click.BadParameter):
            parse_objective(bad)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_propose_writes_and_explains(annex_file: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"de-xuat{suffix}"
    result = CliRunner().invoke(plan_group, ["propose", str(annex_file), *OBJ, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "chọn mức tối thiểu 77 hộ" in result.stdout
    assert "the minimum 77 is chosen" in result.stdout
    table = read_plan_table(out)
    assert [r.reduction for r in table.rows] == [20, 7, 77, 13, 11, 13, 20, 31]
    assert [str(r.printed_projected_rate) for r in table.rows][:2] == ["1.33", "1.61"]
    assert check_table(table) == []


def test_propose_infeasible_exit_1(annex_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(
        plan_group, ["propose", str(annex_file), "--min-reduction", "6", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "cannot be met" in result.stderr
    assert not out.exists()


def test_propose_requires_known_output_format(annex_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        plan_group,
        ["propose", str(annex_file), "--min-reduction", "1", "-o", str(tmp_path / "x.pdf")],
    )
    assert result.exit_code == 2


def test_cli_runs_without_django(annex_file: Path) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from giamngheo.cli.plan import plan_group\n"
        f"r = CliRunner().invoke(plan_group, ['check', {str(annex_file)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_main_has_plan_group() -> None:
    from giamngheo.cli import main

    assert isinstance(main, click.Group)
    assert main.commands["plan"] is plan_group
    assert {"check", "propose"} <= set(plan_group.commands)
