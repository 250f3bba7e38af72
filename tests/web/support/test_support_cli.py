"""``giamngheo support programmes``: the tree of a period, from the data files, no database."""

from __future__ import annotations

from click.testing import CliRunner

from giamngheo.cli import main


def test_programmes_of_2020_lists_program_135_and_marks_provisional_nodes() -> None:
    result = CliRunner().invoke(main, ["support", "programmes", "--year", "2020"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("QD1722-2016")
    assert "DA2  Dự án 2: Chương trình 135" in result.output
    assert "(tạm tính)" in result.output
    assert "QD90-2022" not in result.output


def test_programmes_in_english_and_every_period() -> None:
    result = CliRunner().invoke(main, ["support", "programmes", "--lang", "en"])
    assert result.exit_code == 0, result.output
    ids = [line.split(" — ")[0] for line in result.output.splitlines() if " — " in line]
    assert ids == ["QD1722-2016", "QD90-2022", "QD417-2026"]
    assert "(provisional)" in result.output


def test_a_year_outside_every_period_exits_2() -> None:
    result = CliRunner().invoke(main, ["support", "programmes", "--year", "1990"])
    assert result.exit_code == 2
