"""The Social Policy Bank's loan file as a staged import: a good file written exactly, a file
with every kind of error writing nothing (each error with its row and column letter), the same
loans again changing nothing (tables and audit), a newer file updating balances, unknown
households, and who may import."""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from giamngheo.registry.models import AuditEvent
from giamngheo.support.models import BatchStatus, Loan, LoanBatch, LoanRow
from giamngheo.support.services.loans import (
    loans_commit,
    loans_errors_xlsx,
    loans_queue_commit,
    loans_stage,
    loans_template_xlsx,
    loans_upload,
    phase,
)
from giamngheo.support.tasks import commit_loans, stage_loans

World = Any  # the `world` fixture of conftest.py

pytestmark = pytest.mark.django_db

HEAD = [
    "STT", "Số khế ước", "Mã hộ", "Họ tên người vay", "Xã", "Thôn", "Chương trình cho vay",
    "Số tiền vay (đồng)", "Ngày giải ngân", "Lãi suất (%/năm)", "Thời hạn (tháng)",
    "Ngày đến hạn", "Dư nợ (đồng)", "Nợ quá hạn (đồng)",
]  # fmt: skip
#: Three loans of two communes (as of 31/12/2020).
GOOD = [
    ["KU-001", "DA-01", "A Thắng", "Đắk Ang", "Thôn Ngọc Tụ", "Hộ nghèo", 30_000_000,
     "15/03/2019", 6.6, 36, "15/03/2022", 20_000_000, 0],
    ["KU-002", "DA-02", "Y Hoa", "23380", "", "Cho vay nhà ở", 25_000_000, dt.date(2018, 5, 2),
     3, 180, None, 25_000_000, 1_500_000],
    ["KU-003", "DD-03", "Nguyễn Văn Bình", "Xã Đăk Dục", "", "Hộ cận nghèo", 40_000_000,
     "01/07/2020", 7.92, 60, "01/07/2025", 40_000_000, 0],
]  # fmt: skip


def loan_file(
    rows: Sequence[Sequence[object]], as_of: str = "31/12/2020", title: str = ""
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dư nợ"
    ws.append(["NGÂN HÀNG CHÍNH SÁCH XÃ HỘI - PHÒNG GIAO DỊCH NGỌC HỒI"])
    ws.append([title or "DANH SÁCH HỘ VAY VỐN"])
    ws.append([f"Ngày số liệu: {as_of}"])
    ws.append(HEAD)
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(  # noqa: PLR0917
    world: World, who: str, content: bytes, scope: Any = None, name: str = "du-no.xlsx",
    as_of: dt.date | None = None,
) -> LoanBatch:  # fmt: skip
    return loans_upload(
        world.users[who], scope or world.district, SimpleUploadedFile(name, content), as_of
    )


def staged(world: World, content: bytes, who: str = "district", scope: Any = None) -> LoanBatch:
    return loans_stage(upload(world, who, content, scope))


def loans_table() -> list[dict[str, Any]]:
    return [dict(r) for r in Loan.objects.order_by("pk").values()]


def audit_actions(since: int = 0) -> list[str]:
    return list(
        AuditEvent.objects.filter(pk__gt=since).order_by("pk").values_list("action", flat=True)
    )


def last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- a good file -------------------------------------------------------------------------------
def test_good_file_is_written_exactly(world: World) -> None:
    batch = staged(world, loan_file(GOOD))
    assert (batch.status, phase(batch)) == (BatchStatus.VALID, "staged")
    assert (batch.rows_total, batch.rows_valid, batch.rows_invalid) == (3, 3, 0)
    assert batch.as_of == dt.date(2020, 12, 31)
    assert batch.summary["plan"] == {"new": 3, "same": 0, "changed": 0, "older": 0}
    before = last_audit()
    done = loans_commit(world.users["district"], batch)
    assert done.status == BatchStatus.COMMITTED and done.committed_at is not None
    assert done.summary["written"] == {"created": 3, "updated": 0, "unchanged": 0, "older": 0}
    hh = world.households
    got = {
        loan.contract_no: (
            loan.household_id, loan.programme, loan.amount, loan.disbursed_on, loan.rate,
            loan.term_months, loan.due_on, loan.outstanding, loan.overdue, loan.as_of,
            loan.batch_id,
        )
        for loan in Loan.objects.all()
    }  # fmt: skip
    as_of = dt.date(2020, 12, 31)
    assert got == {
        "KU-001": (hh["DA-01"].pk, "poor", 30_000_000, dt.date(2019, 3, 15), Decimal("6.6"), 36,
                   dt.date(2022, 3, 15), 20_000_000, 0, as_of, batch.pk),
        # No due date in the file: disbursed + term.
        "KU-002": (hh["DA-02"].pk, "housing", 25_000_000, dt.date(2018, 5, 2), Decimal("3"), 180,
                   dt.date(2033, 5, 2), 25_000_000, 1_500_000, as_of, batch.pk),
        "KU-003": (hh["DD-03"].pk, "near_poor", 40_000_000, dt.date(2020, 7, 1),
                   Decimal("7.92"), 60, dt.date(2025, 7, 1), 40_000_000, 0, as_of, batch.pk),
    }  # fmt: skip
    assert sorted(audit_actions(before)) == sorted(
        ["support_loan_create"] * 3 + ["support_loans_commit"]
    )
    commit_row = AuditEvent.objects.get(action="support_loans_commit")
    assert commit_row.object_id == str(batch.pk) and commit_row.changes["created"] == 3


def test_the_jobs_stage_and_commit(world: World) -> None:
    batch = upload(world, "bank", loan_file(GOOD))
    assert phase(batch) == "uploaded" and batch.status == BatchStatus.PENDING
    stage_loans.enqueue(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_valid) == (BatchStatus.VALID, 3)
    result = commit_loans.enqueue(batch.pk, world.users["bank"].pk)
    assert result.return_value is not None and result.return_value["status"] == "committed"
    assert Loan.objects.count() == 3
    # A second click: nothing written, nothing to say.
    again = commit_loans.enqueue(batch.pk, world.users["bank"].pk)
    batch.refresh_from_db()
    assert again.return_value is not None and again.return_value["status"] == "committed"
    assert "refused" not in batch.summary and Loan.objects.count() == 3


def test_a_refused_commit_job_keeps_its_reason(world: World) -> None:
    batch = staged(world, loan_file(GOOD))
    loans_queue_commit(world.users["district"], batch)
    commit_loans.enqueue(batch.pk, world.users["da"].pk)  # a commune officer: no right
    batch.refresh_from_db()
    assert "not allowed to import loans" in batch.summary["refused"]
    assert "queued" not in batch.summary and Loan.objects.count() == 0
    loans_commit(world.users["district"], batch)
    batch.refresh_from_db()
    assert "refused" not in batch.summary and batch.status == BatchStatus.COMMITTED


def test_queueing_a_commit_is_refused_like_the_commit(
    world: World, unchanged: Callable[..., Any]
) -> None:
    _old_loan(world)
    bad = staged(world, loan_file(_bad_rows(world)))
    with unchanged(LoanBatch), pytest.raises(ValidationError) as exc:
        loans_queue_commit(world.users["district"], bad)
    assert exc.value.code == "not_valid"
    with unchanged(LoanBatch), pytest.raises(PermissionDenied):
        loans_queue_commit(world.users["leader"], bad)


# --- every kind of error ------------------------------------------------------------------------
def _bad_rows(world: World) -> list[list[object]]:
    base = ["DA-03", "Nguyễn Văn Bình", "", "", "Hộ nghèo", 10_000_000, "15/03/2019", 6.6, 36,
            None, 5_000_000, 0]  # fmt: skip

    def row(contract: str, **change: object) -> list[object]:
        cells = [contract, *base]
        index = {"code": 1, "commune": 3, "programme": 5, "amount": 6, "disbursed": 7,
                 "rate": 8, "term": 9, "outstanding": 11}  # fmt: skip
        for k, v in change.items():
            cells[index[k]] = v
        return cells

    return [
        row("KU-100"),  # row 5: good
        row("KU-101", amount=None),  # 6: missing amount
        row("KU-102", amount="mười triệu"),  # 7: not an amount
        row("KU-103", disbursed="32/13/2019"),  # 8: not a date
        row("KU-104", programme="Cho vay mua xe máy"),  # 9: unknown programme
        row("KU-100"),  # 10: the contract of row 5 again
        row("KU-106", outstanding=20_000_000),  # 11: outstanding above the amount
        row("KU-107", term=-3),  # 12: not a term
        row("KU-108", code="XX-99"),  # 13: no such household
        row("KU-109", code="DA-04", commune="Đắk Dục"),  # 14: DA-04 is in Đắk Ang
        row("KU-OLD", code="DA-04"),  # 15: the contract is DA-05's
        row("KU-111", rate="abc"),  # 16: not a rate
    ]


EXPECTED_ERRORS = {
    6: ("H", "missing"),
    7: ("H", "bad_amount"),
    8: ("I", "bad_date"),
    9: ("G", "unknown_programme"),
    10: ("B", "duplicate_contract"),
    11: ("M", "outstanding_over_amount"),
    12: ("K", "bad_term"),
    13: ("C", "unknown_household"),
    14: ("E", "commune_mismatch"),
    15: ("B", "contract_other_household"),
    16: ("J", "bad_rate"),
}


def _old_loan(world: World) -> Loan:
    return Loan.objects.create(
        household=world.households["DA-05"], contract_no="KU-OLD", programme="newly_escaped",
        amount=50_000_000, disbursed_on=dt.date(2020, 2, 1), rate=Decimal("8.25"),
        term_months=60, due_on=dt.date(2025, 2, 1), outstanding=50_000_000,
        as_of=dt.date(2020, 6, 30),
    )  # fmt: skip


def test_a_file_with_every_kind_of_error_writes_nothing(
    world: World, unchanged: Callable[..., Any]
) -> None:
    _old_loan(world)
    batch = staged(world, loan_file(_bad_rows(world)))
    assert batch.status == BatchStatus.INVALID
    assert (batch.rows_total, batch.rows_valid, batch.rows_invalid) == (12, 1, 11)
    found = {
        r.row_number: [(e["column"], e["code"]) for e in r.errors]
        for r in LoanRow.objects.filter(batch=batch, valid=False)
    }
    assert {n: errs[0] for n, errs in found.items()} == EXPECTED_ERRORS
    for r in LoanRow.objects.filter(batch=batch, valid=False):
        for e in r.errors:
            assert e["sheet"] == "Dư nợ" and e["row"] == r.row_number
            assert e["vi"] and e["en"] and e["heading"]
    unknown = LoanRow.objects.get(batch=batch, row_number=13).errors[0]
    assert "dòng 13, cột C" in unknown["vi"] and "row 13, column C" in unknown["en"]
    assert "XX-99" in unknown["vi"] and unknown["heading"] == "Mã hộ"
    assert LoanRow.objects.get(batch=batch, row_number=13).contract_no == "KU-108"
    with unchanged(Loan, LoanBatch), pytest.raises(ValidationError) as exc:
        loans_commit(world.users["district"], batch)
    assert exc.value.code == "not_valid"
    assert Loan.objects.filter(contract_no="KU-100").count() == 0


def test_the_error_workbook_marks_rows_and_cells(world: World) -> None:
    _old_loan(world)
    batch = staged(world, loan_file(_bad_rows(world)))
    wb = load_workbook(io.BytesIO(loans_errors_xlsx(batch)))
    ws = wb["Dư nợ"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEAD, "Lỗi / Errors"]
    assert len(rows) == 1 + 12
    notes = [str(r[-1] or "") for r in rows[1:]]  # the rows in the file's order, 5 to 16
    assert notes[0] == ""  # row 5 is good
    assert notes[13 - 5].startswith("Dòng/row 13: [C] Mã hộ:") and "XX-99" in notes[13 - 5]
    assert notes[10 - 5].startswith("Dòng/row 10: [B] Số khế ước:")
    bad_cell = ws.cell(row=1 + [r[1] for r in rows].index("KU-102"), column=8)
    assert bad_cell.value == "mười triệu" and bad_cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_a_file_that_cannot_be_read_has_file_errors(world: World) -> None:
    wb = load_workbook(io.BytesIO(loan_file(GOOD)))
    ws = wb.active
    assert ws is not None
    ws["H4"] = "Tiền"  # the amount column is gone
    out = io.BytesIO()
    wb.save(out)
    batch = staged(world, out.getvalue())
    assert batch.status == BatchStatus.INVALID and batch.rows_total == 0
    assert [e["code"] for e in batch.file_errors] == ["missing_heading"]
    assert "Số tiền vay" in batch.file_errors[0]["vi"]
    wb2 = load_workbook(io.BytesIO(loans_errors_xlsx(batch)))
    assert "Số tiền vay" in str(list(wb2["Lỗi"].iter_rows(values_only=True))[1][0])


def test_unknown_file_type_is_refused(world: World, unchanged: Callable[..., Any]) -> None:
    with unchanged(LoanBatch), pytest.raises(ValidationError) as exc:
        upload(world, "district", b"hello", name="du-no.pdf")
    assert exc.value.code == "file_type"


# --- re-import, newer figures -------------------------------------------------------------------
def test_the_same_file_again_returns_its_batch_and_is_not_written_twice(
    world: World, unchanged: Callable[..., Any]
) -> None:
    content = loan_file(GOOD)
    batch = staged(world, content)
    loans_commit(world.users["district"], batch)
    with unchanged(Loan, LoanBatch, LoanRow):
        again = upload(world, "district", content)
        assert again.pk == batch.pk
        with pytest.raises(ValidationError) as exc:
            loans_commit(world.users["district"], again)
        assert exc.value.code == "committed"
        loans_stage(again)  # a committed batch is not staged again


def test_the_same_loans_in_another_file_change_nothing(world: World) -> None:
    loans_commit(world.users["district"], staged(world, loan_file(GOOD)))
    loans = loans_table()
    before = last_audit()
    # The same figures, another file (another title), uploaded by the bank.
    second = staged(world, loan_file(GOOD, title="DANH SÁCH (bản gửi lại)"), who="bank")
    assert second.status == BatchStatus.VALID
    assert second.summary["plan"] == {"new": 0, "same": 3, "changed": 0, "older": 0}
    loans_commit(world.users["bank"], second)
    assert loans_table() == loans  # not even updated_at, nor the batch
    assert audit_actions(before) == ["support_loans_upload", "support_loans_commit"]
    second.refresh_from_db()
    assert second.summary["written"] == {"created": 0, "updated": 0, "unchanged": 3, "older": 0}


def test_a_newer_file_updates_balances_and_an_older_one_does_not(world: World) -> None:
    first = staged(world, loan_file(GOOD))
    loans_commit(world.users["district"], first)
    newer_rows = [list(r) for r in GOOD]
    newer_rows[0][11], newer_rows[0][12] = 15_000_000, 2_000_000  # KU-001 pays, falls behind
    newer = staged(world, loan_file(newer_rows, as_of="30/06/2021"))
    assert newer.summary["plan"] == {"new": 0, "same": 0, "changed": 3, "older": 0}
    before = last_audit()
    loans_commit(world.users["district"], newer)
    ku1 = Loan.objects.get(contract_no="KU-001")
    assert (ku1.outstanding, ku1.overdue, ku1.as_of) == (
        15_000_000,
        2_000_000,
        dt.date(2021, 6, 30),
    )
    assert ku1.batch_id == newer.pk
    assert sorted(audit_actions(before)) == sorted(
        ["support_loan_update"] * 3 + ["support_loans_commit"]
    )
    update = AuditEvent.objects.filter(action="support_loan_update", object_id=str(ku1.pk)).get()
    assert update.changes["outstanding"] == [20_000_000, 15_000_000]
    # The first figures again, in a file of their own: older, so nothing changes.
    loans = loans_table()
    old = staged(world, loan_file(GOOD, title="bản cũ"))
    assert old.status == BatchStatus.VALID
    assert old.summary["plan"]["older"] == 3
    assert [w["code"] for w in old.warnings] == ["older_figures"] * 3
    loans_commit(world.users["district"], old)
    assert loans_table() == loans


def test_a_date_given_at_upload_wins_over_the_title(world: World) -> None:
    batch = loans_stage(upload(world, "district", loan_file(GOOD), as_of=dt.date(2021, 1, 15)))
    assert batch.as_of == dt.date(2021, 1, 15)
    assert {r.data["clean"]["as_of"] for r in LoanRow.objects.filter(batch=batch)} == {"2021-01-15"}


# --- scope and rights ---------------------------------------------------------------------------
def test_a_commune_file_knows_only_its_households(world: World) -> None:
    batch = staged(world, loan_file(GOOD), who="da", scope=world.dak_ang)
    assert batch.status == BatchStatus.INVALID
    bad = LoanRow.objects.get(batch=batch, valid=False)
    assert bad.row_number == 7 and bad.errors[0]["code"] == "unknown_household"
    assert bad.errors[0]["column"] == "C" and "DD-03" in bad.errors[0]["vi"]


@pytest.mark.parametrize(
    ("who", "scope", "allowed"),
    [
        ("bank", "district", True),
        ("district", "district", True),
        ("district", "dak_duc", True),
        ("da", "dak_ang", True),
        ("da", "dak_duc", False),
        ("da", "district", False),
        ("leader", "dak_ang", False),
        ("agri", "district", False),
        ("outsider", "district", False),
    ],
)
def test_who_may_import(
    world: World, unchanged: Callable[..., Any], who: str, scope: str, allowed: bool
) -> None:
    unit = getattr(world, scope)
    if allowed:
        batch = upload(world, who, loan_file(GOOD), scope=unit)
        assert batch.scope == unit and batch.created_by == world.users[who]
        return
    with unchanged(LoanBatch), pytest.raises(PermissionDenied):
        upload(world, who, loan_file(GOOD), scope=unit)


def test_the_commit_checks_the_right_again(world: World, unchanged: Callable[..., Any]) -> None:
    batch = staged(world, loan_file(GOOD))
    for who in ("da", "leader", "agri"):
        with unchanged(Loan, LoanBatch), pytest.raises(PermissionDenied):
            loans_commit(world.users[who], batch)


def test_the_file_is_stored_by_its_digest(world: World, data_dir: Any) -> None:
    content = loan_file(GOOD)  # (a workbook made a second later differs: its timestamps)
    batch = upload(world, "district", content)
    stored = data_dir / "uploads" / "loans" / batch.sha256
    assert str(stored) == batch.stored_path and stored.read_bytes() == content


def test_the_template_reads_back(world: World) -> None:
    wb = load_workbook(io.BytesIO(loans_template_xlsx(dt.date(2020, 12, 31))))
    first = wb.worksheets[0]
    headings = [c for row in first.iter_rows(values_only=True) for c in row if c]
    assert "Số khế ước" in headings and "Mã hộ" in headings


# --- what the columns hold ----------------------------------------------------------------------
def test_values_longer_than_their_column_and_terms_over_50_years_are_row_errors(
    world: World,
) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][0] = "KU-" + "9" * 38  # 41 characters: the contract column holds 40
    rows[1][9] = 601  # months: over 50 years
    rows[2][9] = 600  # 50 years: accepted
    batch = staged(world, loan_file(rows))
    assert batch.status == BatchStatus.INVALID
    errors = {r.row_number: r.errors for r in LoanRow.objects.filter(batch=batch, valid=False)}
    assert {n: [(e["column"], e["code"]) for e in errs] for n, errs in errors.items()} == {
        5: [("B", "too_long")],
        6: [("K", "bad_term")],
    }
    assert "40" in errors[5][0]["vi"] and "40 characters" in errors[5][0]["en"]
    assert "50 năm" in errors[6][0]["vi"] and "50 years" in errors[6][0]["en"]
    assert LoanRow.objects.get(batch=batch, row_number=5).contract_no == rows[0][0][:40]


# --- a contract already written for another household --------------------------------------------
def _loan_of(world: World, code: str, contract: str) -> Loan:
    return Loan.objects.create(
        household=world.households[code], contract_no=contract, programme="poor",
        amount=20_000_000, disbursed_on=dt.date(2020, 2, 1), rate=Decimal("6.6"),
        term_months=36, due_on=dt.date(2023, 2, 1), outstanding=20_000_000,
        as_of=dt.date(2020, 6, 30),
    )  # fmt: skip


def test_another_communes_household_is_not_named_to_a_commune_officer(world: World) -> None:
    _loan_of(world, "DD-04", "KU-001")  # Đắk Dục's household holds KU-001
    batch = staged(world, loan_file(GOOD[:2]), who="da", scope=world.dak_ang)
    error = LoanRow.objects.get(batch=batch, row_number=5).errors[0]
    assert error["code"] == "contract_other_household" and error["column"] == "B"
    assert "DD-04" not in error["vi"] and "DD-04" not in error["en"]
    assert "ngoài phạm vi" in error["vi"] and "outside your scope" in error["en"]
    assert "DA-01" in error["vi"]
    # The district sees both communes: the household is named.
    district = staged(world, loan_file(GOOD[:2], title="huyện"))
    named = LoanRow.objects.get(batch=district, row_number=5).errors[0]
    assert "DD-04" in named["vi"] and "DD-04" in named["en"]


# --- a write the database refuses -----------------------------------------------------------------
def _tamper(batch: LoanBatch, row: int, **clean: object) -> None:
    """A staged row changed after its checks (as a rule the checks do not know would let by)."""
    r = LoanRow.objects.get(batch=batch, row_number=row)
    r.data = {**r.data, "clean": {**r.data["clean"], **clean}}
    r.save()


def test_a_database_error_in_the_commit_job_is_shown_not_swallowed(world: World) -> None:
    batch = staged(world, loan_file(GOOD))
    _tamper(batch, 6, term_months=-1)  # the column's CHECK (term ≥ 0) refuses it
    loans_queue_commit(world.users["district"], batch)
    result = commit_loans.enqueue(batch.pk, world.users["district"].pk)
    batch.refresh_from_db()
    assert result.return_value is not None and result.return_value["phase"] == "staged"
    assert Loan.objects.count() == 0
    assert (phase(batch), batch.status) == ("staged", BatchStatus.INVALID)
    assert "queued" not in batch.summary
    [error] = batch.file_errors
    assert error["code"] == "write_failed"
    assert "cơ sở dữ liệu" in error["vi"].lower() and "database" in error["en"]
    assert "\n" not in error["vi"] and ("CHECK" in error["en"] or "check" in error["en"])
    c = Client()
    c.force_login(world.users["district"])
    page = c.get(reverse("support:loan_batch", args=[batch.pk])).content.decode()
    assert "write_failed" not in page and error["vi"] in html.unescape(page)
    assert "Xác nhận ghi" not in page and "Kiểm tra lại" in page
    loans_stage(batch)  # checked again: the tampered row is gone, the file is valid
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALID and batch.file_errors == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not limit lengths")
def test_a_value_too_long_for_postgresql_is_shown(world: World) -> None:
    batch = staged(world, loan_file(GOOD))
    _tamper(batch, 5, contract_no="KU-" + "9" * 50)
    loans_queue_commit(world.users["district"], batch)
    commit_loans.enqueue(batch.pk, world.users["district"].pk)
    batch.refresh_from_db()
    assert Loan.objects.count() == 0 and batch.status == BatchStatus.INVALID
    assert "character varying(40)" in batch.file_errors[0]["en"]
