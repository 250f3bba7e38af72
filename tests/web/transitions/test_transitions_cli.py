"""``giamngheo transitions``: the page's movement tables on the command line (text, JSON, xlsx,
csv), computed through the computed-report mechanism with the national view; exit status 2
with a bilingual message for an unknown unit code or pair of years; a GSO code used before
and after the 2025 reform."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from django.contrib.auth.models import User
from generated_households import DAK_ANG, PLEI_KAN, Generated
from openpyxl import load_workbook

from giamngheo.cli import main
from giamngheo.cli.transitions import find_unit
from giamngheo.core.transitions import LIST_KINDS, movement_table
from giamngheo.core.transitions_figures import MEASURES, SUMMARY_KEYS, bucket_of
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.histories import unit_histories
from giamngheo.transitions.report import STORE, TRANSITIONS, TransitionsParams

pytestmark = pytest.mark.django_db


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["transitions", *args], catch_exceptions=False)


def _national() -> User:
    return User(username="giamngheo-cli", is_superuser=True)


def test_json_holds_every_figure_under_its_key(
    generated: Generated, units: DemoUnits, tmp_path: Path
) -> None:
    out = tmp_path / "bien-dong.json"
    result = _run("--unit", "611", "--from", "2019", "--to", "2020", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Huyện Ngọc Hồi (mã 611" in result.output and str(out) in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["unit"]["code"] == "611" and (data["year_from"], data["year_to"]) == (2019, 2020)
    histories = unit_histories(actor=_national(), unit=units.district, up_to=2020)
    em = [h for h in histories if h.records[-1].ethnic_minority]
    for kind, table in zip(LIST_KINDS, data["tables"], strict=True):
        assert table["key"] == kind
        sections = {s["key"]: s for s in table["sections"]}
        assert list(sections) == ["detail", "summary:households", "summary:persons"]
        every, minority = (movement_table(p, 2019, 2020, list_kind=kind) for p in (histories, em))
        for row in sections["detail"]["rows"]:
            values = row["values"]
            for pop, t in (("all", every), ("em", minority)):
                for m in MEASURES:
                    want = bucket_of(t, row["key"], m).count(m)
                    if m == "households" and row["key"].startswith("members_"):
                        want = None  # counted in persons only
                    assert values[f"{pop}_{m}"] == want, (kind, row["key"], pop, m)
        for m in MEASURES:
            rows = {r["key"]: r["values"] for r in sections[f"summary:{m}"]["rows"]}
            assert list(rows)[:2] == ["total", "area:urban"]
            assert rows[f"unit:{DAK_ANG}"]["start"] == bucket_of(
                movement_table(
                    [
                        h
                        for h in histories
                        if h.records[-1].unit_code == str(units.communes_old[DAK_ANG].pk)
                    ],
                    2019,
                    2020,
                    list_kind=kind,
                ),
                "start",
                m,
            ).count(m)
            for key in SUMMARY_KEYS:
                assert rows["total"][key] == bucket_of(every, key, m).count(m)
            assert rows["total"]["net_change"] == every.net_change(m)
            assert rows["total"]["net_by_note"] == every.net_reduction_by_note(m)
    # Computed through the mechanism: the national scope's result is stored for the pages.
    scope = STORE.scope_key(TRANSITIONS.scope(_national(), TransitionsParams(units.district, 2020)))
    latest = STORE.latest(scope)
    assert latest is not None and STORE.get(latest.key, "figures") is not None


def test_ethnic_minority_tables_text_xlsx_and_csv(
    generated: Generated, units: DemoUnits, tmp_path: Path
) -> None:
    result = _run("--unit", "611", "--ethnic-minority")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Hộ nghèo — Huyện Ngọc Hồi: 2019 → 2020" in text and "Hộ cận nghèo —" in text
    assert "I. Khu vực thành thị" in text and "Xã Đắk Ang" in text
    em = [
        h
        for h in unit_histories(actor=_national(), unit=units.district, up_to=2020)
        if h.records[-1].ethnic_minority
    ]
    start = movement_table(em, 2019, 2020).start.households
    english = _run("--unit", "611", "--ethnic-minority", "--lang", "en")
    assert "Poor households — Huyện Ngọc Hồi" in english.output and "Total" in english.output
    xlsx = tmp_path / "t.xlsx"
    assert _run("--unit", "611", "--ethnic-minority", "-o", str(xlsx)).exit_code == 0
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["Ho ngheo", "Ho can ngheo"]
    rows = [[c.value for c in r] for r in book["Ho ngheo"].iter_rows()]
    total = next(r for r in rows if r[0] == "Tổng số")
    assert total[2] == start  # the ethnic-minority households' table by area and unit
    csv = tmp_path / "t.csv"
    assert _run("--unit", "611", "-o", str(csv)).exit_code == 0
    assert csv.read_bytes().startswith("\ufeffHộ nghèo\r\n".encode())


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (("--unit", "99999"), "Không có đơn vị mã '99999'", "no unit with code '99999'"),
        (("--unit", "611", "--to", "2022"), "Không có cặp năm 2021 → 2022", "known: 2018 → 2019"),
        (("--unit", "611", "--from", "2018", "--to", "2020"), "2018 → 2020", "no pair"),
    ],
)
def test_unknown_unit_or_years_exit_2(
    generated: Generated, args: tuple[str, ...], vi: str, en: str
) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert vi in result.stderr and en in result.stderr and " / " in result.stderr
    assert result.stdout == ""


def test_a_code_used_before_and_after_the_reform(generated: Generated, units: DemoUnits) -> None:
    old = units.communes_old[PLEI_KAN]
    new = next(c for c in units.communes_new.values() if c.code == PLEI_KAN)
    assert old.pk != new.pk
    # The unit in force at the end of the --to year; without years, the one with households.
    assert find_unit(PLEI_KAN, 2020) == old
    assert find_unit(PLEI_KAN, 2026) == new
    assert find_unit(PLEI_KAN, None) == old
    assert find_unit("  ", None) is None
    result = _run("--unit", PLEI_KAN)
    assert result.exit_code == 0 and result.output.startswith(f"{old.name} (mã {PLEI_KAN}")
    later = _run("--unit", PLEI_KAN, "--to", "2026")
    assert later.exit_code == 2 and new.name in later.stderr


def test_bad_output_format(generated: Generated, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["transitions", "--unit", "611", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 2 and ".xlsx, .csv" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_help_says_what_a_reused_code_means() -> None:
    result: Any = _run("--help")
    assert result.exit_code == 0
    assert "2025" in result.output and "31 December" in result.output
