"""``giamngheo support …`` on the command line: ``programmes`` (the tree of a period, from the
data files, no database); ``gaps`` (the gaps page's workbook, the same bytes' rows as the page's
export; the summary as text), ``pipeline`` (registered versus escaped per commune, before and
after the 2020 reviews), ``money`` (the report page's export, for the district and a commune),
``loans-import`` (a good file written with no actor, a file with errors: exit 1 and nothing
written, an unknown scope: exit 2)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from support_world import add_review

from giamngheo.cli import main
from giamngheo.plans.demo import load_demo_plan
from giamngheo.plans.models import PlanRow
from giamngheo.registry.models import AuditEvent
from giamngheo.support.models import (
    Allocation,
    BatchStatus,
    Disbursement,
    EscapeRegistration,
    Loan,
    LoanBatch,
    Settlement,
    Source,
    Support,
)
from giamngheo.support.services import money as money_svc
from giamngheo.support.services.escape import escape_register_suggested


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


# --- the database commands ---------------------------------------------------------------------
World = Any  # the `world` fixture of conftest.py


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["support", *args], catch_exceptions=False)


def login(user: User, lang: str = "vi") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def give(world: World, code: str, kind: str, value: int = 3_000_000) -> Support:
    return Support.objects.create(
        household=world.households[code],
        support_type=kind,
        item=kind,
        value=value,
        source=Source.CENTRAL,
        on=dt.date(2020, 4, 2),
        state="delivered",
    )


# --- gaps ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "query"),
    [
        ((), {}),
        (("--unaddressed-only",), {"chua": "1"}),
        (("--village", "SECOND"), {"thon": "SECOND"}),
    ],
)
def test_gaps_workbook_is_the_pages_export(
    world: World, tmp_path: Path, args: tuple[str, ...], query: dict[str, str]
) -> None:
    give(world, "DA-01", "clean_water", 4_500_000)
    give(world, "DA-03", "clean_water", 2_000_000)
    give(world, "DA-03", "breeding_goat")  # income: DA-03 and DA-04 have no need left
    give(world, "DA-04", "breeding_cattle")
    second = str(world.villages[world.dak_ang.code][1].pk)
    args = tuple(second if a == "SECOND" else a for a in args)
    query = {k: second if v == "SECOND" else v for k, v in query.items()}
    out = tmp_path / "gaps.xlsx"
    result = run("gaps", "--unit", world.dak_ang.code, "--year", "2020", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "Xã Đắk Ang" in result.output
    page = login(world.users["district"]).get(
        reverse("support:gaps"), {"nam": "2020", "xa": world.dak_ang.pk, "format": "xlsx", **query}
    )
    assert page.status_code == 200
    mine, theirs = sheets(out.read_bytes()), sheets(page.content)
    assert list(mine) == ["Tổng hợp", "Danh sách hộ"]
    assert mine == theirs
    codes = [r[3] for r in mine["Danh sách hộ"][1:]]
    every = ["DA-01", "DA-03", "DA-07", "DA-02", "DA-04", "DA-08"]  # by village, then code
    want = {
        (): every,
        ("--unaddressed-only",): ["DA-01", "DA-07", "DA-02", "DA-08"],
    }.get(args, ["DA-02", "DA-04", "DA-08"])
    assert codes == want


def test_gaps_of_the_district_in_english_and_as_text(world: World, tmp_path: Path) -> None:
    give(world, "DD-01", "clean_water")
    out = tmp_path / "district.xlsx"
    code = world.district.code
    result = run("gaps", "--unit", code, "--year", "2020", "--lang", "en", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = login(world.users["district"], "en").get(
        reverse("support:gaps"), {"nam": "2020", "format": "xlsx"}
    )
    assert sheets(out.read_bytes()) == sheets(page.content)
    assert list(sheets(out.read_bytes())) == ["Summary", "Households"]
    text = run("gaps", "--unit", code, "--year", "2020")
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].startswith("Huyện Ngọc Hồi (mã 611")
    assert "Thiếu hụt và hỗ trợ năm 2020" in text.output
    # Per commune: its poor and near-poor households of 2019, and the total first.
    counts = {"Tổng cộng": 10, "Xã Đắk Ang": 6, "Xã Đắk Dục": 4}
    for name, n in counts.items():
        row = next(line for line in lines if line.startswith(name))
        assert row.split()[len(name.split())] == str(n), row
    assert lines.index(next(x for x in lines if x.startswith("Tổng cộng"))) < lines.index(
        next(x for x in lines if x.startswith("Xã Đắk Ang"))
    )


def test_gaps_refuses_unknown_units_and_villages(world: World, tmp_path: Path) -> None:
    assert run("gaps", "--unit", "99999", "--year", "2020").exit_code == 2
    other = str(world.villages[world.dak_duc.code][0].pk)
    out = tmp_path / "x.xlsx"
    wrong = run("gaps", "--unit", world.dak_ang.code, "--year", "2020", "--village", other,
                "-o", str(out))  # fmt: skip
    assert wrong.exit_code == 2 and "no village" in wrong.output
    assert not out.exists()
    csv = run("gaps", "--unit", world.dak_ang.code, "--year", "2020", "-o", str(tmp_path / "a.csv"))
    assert csv.exit_code == 2 and ".xlsx" in csv.output


# --- registered versus escaped -----------------------------------------------------------------
def _pipeline(world: World, tmp_path: Path) -> dict[str, dict[str, int | None]]:
    out = tmp_path / "pipeline.json"
    result = run("pipeline", "--unit", world.district.code, "--year", "2020", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["unit"]["code"] == world.district.code and data["year"] == 2020
    (table,) = data["tables"]
    assert table["key"] == "pipeline"
    return {r["key"]: r["values"] for r in table["sections"][0]["rows"]}


def test_pipeline_before_and_after_the_2020_reviews(world: World, tmp_path: Path) -> None:
    load_demo_plan()
    h = world.households
    chosen = [h["DA-01"].pk, h["DA-02"].pk, h["DA-07"].pk]
    escape_register_suggested(world.users["da"], world.dak_ang, 2020, chosen)
    target = PlanRow.objects.get(unit=world.dak_ang, plan__year=2020).reduction
    before = _pipeline(world, tmp_path)
    da, dd = f"commune:{world.dak_ang.code}", f"commune:{world.dak_duc.code}"
    assert list(before) == ["total", da, dd]
    registered = EscapeRegistration.objects.filter(commune=world.dak_ang, year=2020).count()
    assert before[da]["registered"] == registered == 3
    assert before[da]["target"] == target
    assert before[da]["gap_to_target"] == (target or 0) - 3
    assert before[da]["poor"] == 4  # DA-01, 02, 07, 08 were poor in 2019
    assert before[da]["registered_escaped"] is None  # no 2020 review yet
    # The 2020 reviews of Đắk Ang: two registered escaped, one did not, DA-08 escaped unasked.
    add_review(h["DA-01"], 2020, "near_poor", 900_000)
    add_review(h["DA-02"], 2020, "non_poor", 1_600_000)
    add_review(h["DA-07"], 2020, "poor", 650_000, ("child_schooling",))
    add_review(h["DA-08"], 2020, "near_poor", 800_000, ("water",))
    for n in (3, 4, 5, 6):
        add_review(h[f"DA-{n:02d}"], 2020, "non_poor", 2_000_000)
    after = _pipeline(world, tmp_path)
    assert after[da]["registered_escaped"] == 2
    assert after[da]["registered_still_poor"] == 1
    assert after[da]["registered_unknown"] == 0
    assert after[da]["escaped_unregistered"] == 1
    assert after[dd]["registered_escaped"] is None  # Đắk Dục has no 2020 review
    assert after["total"]["registered"] == 3 and after["total"]["registered_escaped"] is None


def test_pipeline_of_a_commune_as_text_csv_and_xlsx(world: World, tmp_path: Path) -> None:
    text = run("pipeline", "--unit", world.dak_duc.code, "--year", "2020", "--lang", "en")
    assert text.exit_code == 0, text.output
    assert "Registered to escape poverty in 2020" in text.output
    assert "Xã Đắk Dục" in text.output and "Xã Đắk Ang" not in text.output
    csv_out = tmp_path / "p.csv"
    result = run("pipeline", "--unit", world.dak_duc.code, "--year", "2020", "-o", str(csv_out))
    assert result.exit_code == 0, result.output
    assert "Hộ nghèo đầu năm" in csv_out.read_text(encoding="utf-8-sig")
    xlsx = tmp_path / "p.xlsx"
    assert run("pipeline", "--unit", "611", "--year", "2020", "-o", str(xlsx)).exit_code == 0
    assert list(sheets(xlsx.read_bytes())) == ["Đăng ký thoát nghèo"]
    assert run("pipeline", "--unit", "00000", "--year", "2020").exit_code == 2


# --- money ---------------------------------------------------------------------------------------
@pytest.fixture
def money(world: World) -> None:
    district = world.users["district"]
    decision = money_svc.decision_create(
        district, unit=world.district, number="123/QĐ-UBND", date=dt.date(2020, 2, 10),
        issuer="UBND huyện Ngọc Hồi", title="Phân bổ vốn Chương trình 135 năm 2020", year=2020,
        programme_id="QD1722-2016",
    )  # fmt: skip
    common = {"project": None, "node_code": "DA2.TDA2"}
    da = money_svc.allocation_add(
        district, decision, commune=world.dak_ang, source="central", amount=500_000_000, **common
    )
    dd = money_svc.allocation_add(
        district, decision, commune=world.dak_duc, source="local", amount=300_000_000, **common
    )
    money_svc.disbursement_record(district, da, on=dt.date(2020, 4, 15), amount=120_000_000)
    money_svc.disbursement_record(district, dd, on=dt.date(2020, 8, 3), amount=45_000_000)
    money_svc.settlement_record(district, da, on=dt.date(2020, 12, 20), amount=100_000_000)


def _total(rows: Sequence[tuple[Any, ...]]) -> Any:
    return next(r for r in rows if r and r[0] == "Tổng cộng")[1]


@pytest.mark.usefixtures("money")
def test_money_workbook_is_the_report_pages(world: World, tmp_path: Path) -> None:
    out = tmp_path / "kinh-phi.xlsx"
    result = run("money", "--unit", world.district.code, "--year", "2020", "-o", str(out))
    assert result.exit_code == 0, result.output
    mine = sheets(out.read_bytes())
    assert list(mine) == ["Phân bổ", "Giải ngân", "Quyết toán"]
    for sheet, model in (("Phân bổ", Allocation), ("Giải ngân", Disbursement),
                         ("Quyết toán", Settlement)):  # fmt: skip
        assert _total(mine[sheet]) == model.objects.aggregate(t=Sum("amount"))["t"], sheet
    page = login(world.users["district"]).get(
        reverse("support:money_report"), {"nam": 2020, "format": "xlsx"}
    )
    assert mine == sheets(page.content)
    # A commune: its own money only, as its officer's export.
    one = tmp_path / "dd.xlsx"
    assert (
        run("money", "--unit", world.dak_duc.code, "--year", "2020", "-o", str(one)).exit_code == 0
    )
    theirs = login(world.users["dd"]).get(
        reverse("support:money_report"), {"nam": 2020, "format": "xlsx"}
    )
    assert sheets(one.read_bytes()) == sheets(theirs.content)
    assert _total(sheets(one.read_bytes())["Phân bổ"]) == 300_000_000


@pytest.mark.usefixtures("money")
def test_money_as_text_json_and_unknown_unit(world: World, tmp_path: Path) -> None:
    text = run("money", "--unit", world.dak_ang.code, "--year", "2020")
    assert text.exit_code == 0, text.output
    assert "500.000.000" in text.output and "300.000.000" not in text.output
    out = tmp_path / "m.json"
    assert (
        run("money", "--unit", "611", "--year", "2020", "-o", str(out), "--lang", "en").exit_code
        == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [t["key"] for t in data["tables"]] == ["allocated", "disbursed", "settled"]
    total = data["tables"][0]["sections"][0]["rows"][0]
    assert total["key"] == "total" and total["values"]["total"] == 800_000_000
    assert run("money", "--unit", "777", "--year", "2020").exit_code == 2


# --- the loan file -------------------------------------------------------------------------------
HEAD = [
    "STT", "Số khế ước", "Mã hộ", "Họ tên người vay", "Xã", "Thôn", "Chương trình cho vay",
    "Số tiền vay (đồng)", "Ngày giải ngân", "Lãi suất (%/năm)", "Thời hạn (tháng)",
    "Ngày đến hạn", "Dư nợ (đồng)", "Nợ quá hạn (đồng)",
]  # fmt: skip
GOOD = [
    ["KU-001", "DA-01", "A Thắng", "Đắk Ang", "", "Hộ nghèo", 30_000_000, "15/03/2019", 6.6, 36,
     "15/03/2022", 20_000_000, 0],
    ["KU-003", "DD-03", "Nguyễn Văn Bình", "Xã Đăk Dục", "", "Hộ cận nghèo", 40_000_000,
     "01/07/2020", 7.92, 60, "01/07/2025", 40_000_000, 0],
]  # fmt: skip


def loan_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dư nợ"
    ws.append(["NGÂN HÀNG CHÍNH SÁCH XÃ HỘI - PHÒNG GIAO DỊCH NGỌC HỒI"])
    ws.append(["DANH SÁCH HỘ VAY VỐN"])
    ws.append(["Ngày số liệu: 31/12/2020"])
    ws.append(HEAD)
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(path)
    return path


def test_a_good_loan_file_is_checked_then_written_without_an_actor(
    world: World, tmp_path: Path
) -> None:
    path = loan_file(tmp_path / "du-no.xlsx", GOOD)
    checked = run("loans-import", str(path), "--scope", world.district.code)
    assert checked.exit_code == 0, checked.output
    assert "2 dòng / rows, 2 hợp lệ / valid" in checked.output
    assert not Loan.objects.exists()  # checked only
    done = run("loans-import", str(path), "--scope", "611", "--as-of", "31/12/2020", "--commit")
    assert done.exit_code == 0, done.output
    assert "created 2" in done.output
    loans = dict(Loan.objects.values_list("contract_no", "household__code"))
    assert loans == {"KU-001": "DA-01", "KU-003": "DD-03"}
    (batch,) = LoanBatch.objects.all()
    assert batch.status == BatchStatus.COMMITTED
    assert batch.created_by_id is None and batch.as_of == dt.date(2020, 12, 31)
    written = AuditEvent.objects.filter(action__startswith="support_loan")
    assert sorted(written.values_list("action", flat=True)) == sorted(
        ["support_loans_upload", *["support_loan_create"] * 2, "support_loans_commit"]
    )  # the same file and scope: one upload, its batch checked again, then written
    assert set(written.values_list("actor_id", flat=True)) == {None}
    again = run("loans-import", str(path), "--scope", "611", "--as-of", "31/12/2020", "--commit")
    assert again.exit_code == 0 and "already been written" in again.output
    assert Loan.objects.count() == 2


def test_a_loan_file_with_errors_writes_nothing(world: World, tmp_path: Path) -> None:
    bad = [
        GOOD[0],
        ["KU-009", "XX-99", "Không Có", "Đắk Ang", "", "Hộ nghèo", 10_000_000, "01/02/2020", 6.6,
         36, "01/02/2023", 10_000_000, 0],
        ["KU-010", "DA-02", "Y Hoa", "Đắk Ang", "", "Hộ nghèo", "mười triệu", "01/02/2020", 6.6,
         36, "01/02/2023", 10_000_000, 0],
    ]  # fmt: skip
    path = loan_file(tmp_path / "loi.xlsx", bad)
    result = run("loans-import", str(path), "--scope", world.district.code, "--commit")
    assert result.exit_code == 1, result.output
    assert "3 dòng / rows, 1 hợp lệ / valid, 2 có lỗi / with errors" in result.output
    assert "Dư nợ!6 C (Mã hộ): " in result.output and "XX-99" in result.output
    assert "Dư nợ!7 H (Số tiền vay (đồng)): " in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Dư nợ!6 C"))
    assert " / " in line and "no household" in line  # Vietnamese / English
    assert not Loan.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["support_loan_create",
                                                      "support_loans_commit"]).exists()  # fmt: skip


def test_a_loan_import_for_an_unknown_scope_or_date_exits_2(world: World, tmp_path: Path) -> None:
    path = loan_file(tmp_path / "du-no.xlsx", GOOD)
    unknown = run("loans-import", str(path), "--scope", "12345", "--commit")
    assert unknown.exit_code == 2 and "12345" in unknown.output
    wrong_day = run("loans-import", str(path), "--scope", "611", "--as-of", "2020-12-31")
    assert wrong_day.exit_code == 2
    assert not LoanBatch.objects.exists() and not Loan.objects.exists()
