"""Export from the plan page and from ``giamngheo plan export``."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from giamngheo.cli.plan_export import export_command
from giamngheo.core.plan.reader import read_plan_table
from giamngheo.plans.models import Plan

pytestmark = pytest.mark.django_db


def _get(client: Client, plan: Plan, fmt: str) -> bytes:
    response = client.get(f"/ke-hoach/{plan.pk}/xuat.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content


def test_xlsx_has_the_official_layout(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    book = load_workbook(io.BytesIO(_get(client, plan, "xlsx")))
    sheet = book.active
    assert sheet is not None
    cells = {
        (c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None
    }
    texts = [v for v in cells.values() if isinstance(v, str)]
    assert "CHỈ TIÊU GIẢM NGHÈO NĂM 2020" in texts
    assert any("252/KH-UBND ngày 19/02/2020 của UBND huyện Ngọc Hồi" in t for t in texts)
    assert "Tổng số hộ dân cư" in texts
    assert "4=3/1" in texts and "6=3-5" in texts
    plei_kan = next(r for (r, c), v in cells.items() if v == "Thị trấn Plei Kần")
    households = sheet.cell(row=plei_kan, column=3)
    assert households.value == 4807 and households.number_format == "#,##0"
    # Exported columns are recomputed: Đăk Kan's 7 is 1,61, not the printed 1,60.
    dak_kan = next(r for (r, c), v in cells.items() if v == "Xã Đăk Kan")
    assert Decimal(str(sheet.cell(row=dak_kan, column=9).value)) == Decimal("1.61")
    assert sheet.page_setup.orientation == "landscape"


def test_pdf_is_a4_landscape(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    data = _get(client, plan, "pdf")
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box is not None
    width, height = float(box.group(1)), float(box.group(2))
    assert (round(width), round(height)) == (842, 595)  # A4 = 297 × 210 mm, landscape


def test_csv_reads_back_to_the_same_rows(
    client: Client, plan: Plan, district_officer: User
) -> None:
    client.force_login(district_officer)
    table = read_plan_table(_get(client, plan, "csv"), "xuat.csv")
    assert [r.name for r in table.rows][:2] == ["Thị trấn Plei Kần", "Xã Đăk Kan"]
    stored = {r.name_as_printed: (r.households, r.poor, r.reduction) for r in plan.rows.all()}
    assert {r.name: (r.households, r.poor, r.reduction) for r in table.rows} == stored
    ang = next(r for r in table.rows if r.name == "Xã Đăk Ang")
    assert ang.printed_projected_rate == Decimal("20.75")  # recomputed, two decimals


def test_unknown_format_is_404(client: Client, plan: Plan, district_officer: User) -> None:
    client.force_login(district_officer)
    assert client.get(f"/ke-hoach/{plan.pk}/xuat.docx").status_code == 404


@pytest.mark.parametrize("suffix", ["xlsx", "pdf", "csv"])
def test_cli_export(plan: Plan, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ke-hoach.{suffix}"
    result = CliRunner().invoke(export_command, [str(plan.pk), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if suffix == "pdf":
        assert data.startswith(b"%PDF")
    else:
        table = read_plan_table(data, out.name)
        assert len(table.rows) == 8
        assert sum(r.households for r in table.rows) == 15954


def test_cli_export_errors(plan: Plan, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(export_command, ["999999", "-o", str(tmp_path / "x.xlsx")])
    assert missing.exit_code == 1 and "999999" in missing.output
    bad = runner.invoke(export_command, [str(plan.pk), "-o", str(tmp_path / "x.docx")])
    assert bad.exit_code == 2 and ".xlsx, .pdf, .csv" in bad.output
    assert not (tmp_path / "x.docx").exists()


def test_cli_module_imports_without_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, giamngheo.cli.plan_export\n"
        "assert 'django.db' not in sys.modules, 'django.db loaded'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
