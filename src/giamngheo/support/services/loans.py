"""The Social Policy Bank's loan file as a staged import, like the registry's review import in
small: the upload (stored under its SHA-256, one batch per file and scope), the staging (every
row read and checked by ``core.support.loans.read_loan_file``, its household matched by code in
the batch's scope, each error kept with its sheet, row, column letter and heading), the commit
(all or nothing, in one transaction, an upsert by contract number) and the downloads (the
annotated error workbook, the template).

A batch's ``status`` says whether it may be written (PENDING while it is read; VALID: staged and
no row has an error; INVALID: an error in the file or a row);
where it stands in its work is ``summary["phase"]`` (uploaded → staging → staged →
committing → committed), its progress the row counters. Re-importing the same loans changes
nothing: a loan whose values are all the same is not touched (not even ``updated_at``) and gets
no audit row; only the batch's own rows (upload, commit) are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from giamngheo.accounts.access import can_view_unit
from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.headings import letter
from giamngheo.core.records.reader import UPLOAD_SUFFIXES, read_sheets
from giamngheo.core.support.loans import (
    LoanColumns,
    LoanRecord,
    LoanRowError,
    read_loan_file,
    write_loan_template,
)
from giamngheo.core.text import unit_name_key
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.models import Household
from giamngheo.support.access import can_import_loans
from giamngheo.support.models import BatchStatus, Loan, LoanBatch, LoanRow
from giamngheo.support.services.common import log, refuse, require

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from giamngheo.accounts.access import AnyUser

#: Rows staged per short transaction (the batch's counters advance after each).
CHUNK = 500
UPLOADED, STAGING, STAGED, COMMITTING, COMMITTED = (
    "uploaded", "staging", "staged", "committing", "committed",
)  # fmt: skip
#: The loan's values an import writes (besides its household and contract number).
VALUES = (
    "programme", "amount", "disbursed_on", "rate", "term_months", "due_on", "outstanding",
    "overdue", "as_of", "savings_group", "transaction_point", "entrusted_org",
)  # fmt: skip
_DATES = ("disbursed_on", "due_on", "as_of")
_WARNINGS_KEPT = 500


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "loans"


def phase(batch: LoanBatch) -> str:
    return str((batch.summary or {}).get("phase", UPLOADED))


def _require_import(actor: AnyUser, scope: AdminUnit) -> None:
    require(
        can_import_loans(actor, scope),
        f"Không có quyền nhập dư nợ cho {scope}",
        f"not allowed to import loans for {scope}",
    )


# --- step 1: the upload ----------------------------------------------------------------------
def loans_upload(
    actor: AnyUser, scope: AdminUnit, uploaded_file: UploadedFile, as_of: dt.date | None
) -> LoanBatch:
    """Store the file and create its batch (to be staged) — or return the batch of the same
    file (same SHA-256) for the same scope, unless that one could not be read and a date of
    the figures is given now."""
    _require_import(actor, scope)
    name = Path(uploaded_file.name or "tep-du-no.xlsx").name[:255]
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        shown = ", ".join(UPLOAD_SUFFIXES)
        raise refuse(
            f"Tệp «{name}» không đúng định dạng (nhận {shown})",
            f"the file '{name}' is not of a supported format ({shown})",
            "file_type",
        )
    content = b"".join(uploaded_file.chunks())
    digest = hashlib.sha256(content).hexdigest()
    for same in LoanBatch.objects.filter(sha256=digest, scope=scope).order_by("-pk"):
        if not (same.file_errors and as_of is not None and same.as_of != as_of):
            return same
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / digest
    if not path.exists():
        path.write_bytes(content)
    with transaction.atomic():
        batch = LoanBatch.objects.create(
            file_name=name,
            sha256=digest,
            stored_path=str(path),
            scope=scope,
            as_of=as_of,
            status=BatchStatus.PENDING,
            summary={"phase": UPLOADED},
            created_by_id=actor.pk if actor.is_authenticated else None,
        )
        log(actor, "loans_upload", batch, sha256=digest, scope=scope.pk, as_of=as_of)
    return batch


# --- step 2: the staging ---------------------------------------------------------------------
_ERROR_KEYS = ("sheet", "row", "column", "heading", "field", "code", "vi", "en")


def _error(  # noqa: PLR0917
    sheet: str, row: int, column: str, heading: str, field: str, code: str, vi: str, en: str
) -> dict[str, Any]:
    """A row's error as ``LoanRow.errors`` keeps it."""
    return dict(zip(_ERROR_KEYS, (sheet, row, column, heading, field, code, vi, en), strict=True))


def _core_error(e: LoanRowError) -> dict[str, Any]:
    return _error(
        e.sheet, e.row, e.column_letter, e.heading, e.field, e.code, e.message_vi, e.message_en
    )


def _cell(value: object) -> object:
    """A cell as JSON: dates as dd/mm/yyyy (the reader reads them back), others as they are."""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _raw_rows(b: LoanBatch) -> tuple[str, list[str], dict[int, list[object]]]:
    """The sheet's name, headings and cells by row number, as read (for the error file)."""
    _layout, sheets = read_sheets(Path(b.stored_path), b.file_name)
    src = sheets[0][1].open()
    return src.name, list(src.headings), {n: [_cell(c) for c in cells] for n, cells in src.rows}


class _Scope:
    """The batch's communes and the registry households and loans its rows name, and whose
    households the importing user may see (another commune's household is not named)."""

    def __init__(self, b: LoanBatch, records: Sequence[LoanRecord]) -> None:
        self.communes = {
            c.pk: c for c in AdminUnit.objects.descendants_of(b.scope).filter(level=Level.COMMUNE)
        }
        self.label = str(b.scope)
        self.viewer: AnyUser = b.created_by or AnonymousUser()
        self.visible: dict[int, bool] = {}
        codes = sorted({r.household_code for r in records})
        self.households: dict[str, list[Household]] = {}
        for start in range(0, len(codes), CHUNK):
            for h in Household.objects.filter(
                commune_id__in=list(self.communes), code__in=codes[start : start + CHUNK]
            ).only("pk", "code", "commune_id", "head_name"):
                self.households.setdefault(h.code, []).append(h)
        contracts = sorted({r.contract_no for r in records})
        self.loans: dict[str, dict[str, Any]] = {}
        for start in range(0, len(contracts), CHUNK):
            for loan in Loan.objects.filter(
                contract_no__in=contracts[start : start + CHUNK]
            ).values(
                "contract_no", "household_id", "household__code", "household__commune_id", *VALUES
            ):
                self.loans[loan["contract_no"]] = loan

    def named(self, stored: Mapping[str, Any]) -> str | None:
        """The code of a stored loan's household, if the importing user may see it."""
        cid = stored["household__commune_id"]
        if cid not in self.visible:
            unit = self.communes.get(cid) or AdminUnit.objects.filter(pk=cid).first()
            self.visible[cid] = unit is not None and can_view_unit(self.viewer, unit)
        return str(stored["household__code"]) if self.visible[cid] else None

    def commune_matches(self, value: str, commune_id: int) -> bool:
        commune = self.communes[commune_id]
        text = value.strip()
        if text.isdigit():
            return text.zfill(5) == commune.code
        return unit_name_key(text) == commune.name_key


def _household(
    rec: LoanRecord, sc: _Scope, where: Mapping[str, tuple[str, str]], sheet: str, n: int
) -> tuple[Household | None, list[dict[str, Any]]]:
    """The registry household of a row, or the errors saying why there is none."""
    code_heading, code_letter = where["household_code"]
    commune_heading, commune_letter = where["commune"]
    found = sc.households.get(rec.household_code, [])
    if rec.commune and found:
        same = [h for h in found if sc.commune_matches(rec.commune, h.commune_id)]
        if not same:
            names = ", ".join(sorted({sc.communes[h.commune_id].name for h in found}))
            vi = f"hộ {rec.household_code} thuộc xã {names}, không phải «{rec.commune}»"
            en = f"household {rec.household_code} is in {names}, not '{rec.commune}'"
            row_err = _error(
                sheet, n, commune_letter, commune_heading, "commune", "commune_mismatch", vi, en
            )
            return None, [row_err]
        found = same
    if len(found) == 1:
        return found[0], []
    if not found:
        code, vi, en = (
            "unknown_household",
            f"dòng {n}, cột {code_letter}: không có hộ mã «{rec.household_code}» trong {sc.label}",
            f"row {n}, column {code_letter}: no household coded '{rec.household_code}' in"
            f" {sc.label}",
        )
    else:
        code, vi, en = (
            "ambiguous_household",
            f"mã hộ «{rec.household_code}» có ở nhiều xã: hãy ghi cột «Xã»",
            f"household code '{rec.household_code}' exists in several communes: fill 'Xã'",
        )
    return None, [_error(sheet, n, code_letter, code_heading, "household_code", code, vi, en)]


def _clean(rec: LoanRecord, household: Household) -> dict[str, Any]:
    return {
        "contract_no": rec.contract_no,
        "household_id": household.pk,
        "household_code": household.code,
        "borrower_name": rec.borrower_name,
        "programme": rec.programme,
        "amount": rec.amount,
        "disbursed_on": rec.disbursed_on.isoformat(),
        "rate": str(rec.rate.quantize(Decimal("0.001"))),
        "term_months": rec.term_months,
        "due_on": rec.due_on.isoformat(),
        "outstanding": rec.outstanding,
        "overdue": rec.overdue,
        "as_of": rec.as_of.isoformat(),
        "savings_group": rec.savings_group[:120],
        "transaction_point": rec.transaction_point[:120],
        "entrusted_org": rec.entrusted_org[:60],
    }


def loan_values(clean: Mapping[str, Any]) -> dict[str, Any]:
    """The model's values of a staged row's clean data."""
    out = {f: clean[f] for f in VALUES}
    for f in _DATES:
        out[f] = dt.date.fromisoformat(clean[f])
    out["rate"] = Decimal(clean["rate"])
    return out


def _same(stored: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return all(stored[f] == values[f] for f in VALUES)


def _against_stored(
    clean: dict[str, Any], sc: _Scope, where: Mapping[str, tuple[str, str]], sheet: str, n: int
) -> tuple[str, list[dict[str, Any]]]:
    """What the commit will do with the row (new, same, changed, older), or the error of a
    contract number registered to another household."""
    stored = sc.loans.get(clean["contract_no"])
    if stored is None:
        return "new", []
    if stored["household_id"] != clean["household_id"]:
        heading, col = where["contract_no"]
        other = sc.named(stored)
        vi = (
            f"số khế ước {clean['contract_no']} đã ghi cho "
            + (f"hộ {other}" if other else "một hộ ngoài phạm vi của bạn")
            + f", không phải hộ {clean['household_code']}"
        )
        en = (
            f"contract {clean['contract_no']} belongs to "
            + (f"household {other}" if other else "a household outside your scope")
            + f", not {clean['household_code']}"
        )
        return "error", [
            _error(sheet, n, col, heading, "contract_no", "contract_other_household", vi, en)
        ]
    values = loan_values(clean)
    if _same(stored, values):
        return "same", []
    if stored["as_of"] > values["as_of"]:
        return "older", []
    return "changed", []


def _rows_of(
    b: LoanBatch, loan_file: Any, raw: Mapping[int, list[object]], headings: Sequence[str]
) -> tuple[list[LoanRow], dict[str, int], list[dict[str, Any]]]:
    """Every staged row with its errors or clean values, what the commit will do (counts),
    and the warnings (older figures)."""
    sheet = loan_file.sheet
    columns = LoanColumns.from_headings(list(headings), sheet)
    where = {f: columns.where(f) for f in ("household_code", "commune", "contract_no")}
    records: dict[int, LoanRecord] = dict(loan_file.records)
    errors: dict[int, list[dict[str, Any]]] = {}
    for e in loan_file.errors:
        errors.setdefault(e.row, []).append(_core_error(e))
    sc = _Scope(b, list(records.values()))
    plan = {"new": 0, "same": 0, "changed": 0, "older": 0}
    warnings: list[dict[str, Any]] = []
    out: list[LoanRow] = []
    for n in sorted(set(records) | set(errors)):
        row_errors = errors.get(n, [])
        clean: dict[str, Any] = {}
        rec = records.get(n)
        if rec is not None:
            household, problems = _household(rec, sc, where, sheet, n)
            row_errors += problems
            if household is not None:
                clean = _clean(rec, household)
                what, problems = _against_stored(clean, sc, where, sheet, n)
                row_errors += problems
                if not problems:
                    plan[what] += 1
                if what == "older":
                    warnings.append(_older(clean, sc, sheet, n))
        contract = rec.contract_no if rec is not None else _contract_in(raw.get(n), where)
        out.append(
            LoanRow(
                batch=b,
                sheet=sheet,
                row_number=n,
                contract_no=str(contract)[:40],
                data={"raw": raw.get(n, []), "clean": {} if row_errors else clean},
                errors=row_errors,
                valid=not row_errors,
            )
        )
    return out, plan, warnings


def _contract_in(cells: Sequence[object] | None, where: Mapping[str, tuple[str, str]]) -> str:
    _heading, col = where["contract_no"]
    if not cells or not col:
        return ""
    from openpyxl.utils import column_index_from_string

    i = column_index_from_string(col) - 1
    return str(cells[i] or "") if i < len(cells) else ""


def _older(clean: Mapping[str, Any], sc: _Scope, sheet: str, n: int) -> dict[str, Any]:
    stored = sc.loans[clean["contract_no"]]["as_of"]
    day = dt.date.fromisoformat(clean["as_of"])
    return _error(
        sheet,
        n,
        "",
        "",
        "as_of",
        "older_figures",
        f"khế ước {clean['contract_no']}: số liệu ngày {day:%d/%m/%Y} cũ hơn số liệu đã ghi"
        f" ngày {stored:%d/%m/%Y}, sẽ không ghi đè",
        f"contract {clean['contract_no']}: figures of {day:%d/%m/%Y} are older than the stored"
        f" ones of {stored:%d/%m/%Y} and will not overwrite them",
    )


def _file_error_dicts(errors: Iterable[Any]) -> list[dict[str, str]]:
    return [
        {"field": e.field, "code": e.code, "vi": e.message_vi, "en": e.message_en} for e in errors
    ]


def _finish_unreadable(b: LoanBatch, file_errors: list[dict[str, str]]) -> LoanBatch:
    LoanBatch.objects.filter(pk=b.pk).update(
        status=BatchStatus.INVALID, file_errors=file_errors, summary={"phase": STAGED}
    )
    b.refresh_from_db()
    return b


def loans_stage(batch: LoanBatch) -> LoanBatch:
    """Read and check every row of the batch's file, chunk by chunk (short transactions, the
    counters advancing). VALID only when rows were read and none has an error. A committed
    batch is left as it is."""
    b = LoanBatch.objects.select_related("scope", "created_by").get(pk=batch.pk)
    if b.status == BatchStatus.COMMITTED:
        return b
    LoanRow.objects.filter(batch=b).delete()
    LoanBatch.objects.filter(pk=b.pk).update(
        status=BatchStatus.PENDING,
        rows_total=0,
        rows_valid=0,
        rows_invalid=0,
        file_errors=[],
        warnings=[],
        summary={"phase": STAGING},
    )
    loan_file = read_loan_file(Path(b.stored_path), b.file_name, as_of=b.as_of)
    if loan_file.file_errors:
        return _finish_unreadable(b, _file_error_dicts(loan_file.file_errors))
    try:
        sheet, headings, raw = _raw_rows(b)
    except ImportFileError as exc:  # read once already by the core: should not happen
        return _finish_unreadable(b, [{"field": "", "code": "unreadable", "vi": exc.message_vi,
                                       "en": exc.message_en}])  # fmt: skip
    rows, plan, older = _rows_of(b, loan_file, raw, headings)
    if not rows:
        return _finish_unreadable(b, [{
            "field": "", "code": "no_rows",
            "vi": f"{b.file_name}: không có dòng khoản vay nào dưới dòng tiêu đề",
            "en": f"{b.file_name}: no loan rows under the heading row",
        }])  # fmt: skip
    LoanBatch.objects.filter(pk=b.pk).update(rows_total=len(rows))
    valid = invalid = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        valid += sum(r.valid for r in chunk)
        invalid += sum(not r.valid for r in chunk)
        with transaction.atomic():
            LoanRow.objects.bulk_create(chunk)
            LoanBatch.objects.filter(pk=b.pk).update(rows_valid=valid, rows_invalid=invalid)
    warnings = [_core_error(w) for w in loan_file.warnings] + older
    LoanBatch.objects.filter(pk=b.pk).update(
        status=BatchStatus.VALID if invalid == 0 else BatchStatus.INVALID,
        as_of=loan_file.as_of,
        warnings=warnings[:_WARNINGS_KEPT],
        summary={
            "phase": STAGED,
            "sheet": sheet,
            "headings": headings,
            "skipped_rows": list(loan_file.skipped_rows),
            "plan": plan,
            "warnings_total": len(warnings),
        },
    )
    b.refresh_from_db()
    return b


# --- step 3: the commit ----------------------------------------------------------------------
def _commit_refusals(b: LoanBatch) -> None:
    if b.status == BatchStatus.COMMITTED:
        raise refuse("Tệp này đã được ghi", "this file has already been written", "committed")
    if phase(b) != STAGED or b.status != BatchStatus.VALID:
        raise refuse(
            "Tệp chưa kiểm tra xong hoặc còn dòng có lỗi: không ghi gì",
            "the file is not checked yet or has rows with errors: nothing written",
            "not_valid",
        )
    staged = LoanRow.objects.filter(batch=b, valid=True).count()
    if staged != b.rows_valid:
        raise refuse(
            "Các dòng đã kiểm tra không còn đủ: hãy kiểm tra lại tệp",
            "the checked rows are incomplete: check the file again",
            "staged_rows_missing",
        )


def loans_queue_commit(actor: AnyUser, batch: LoanBatch) -> LoanBatch:
    """Mark the batch as waiting for its commit (the page hides the button and reloads
    itself); the same checks as the commit, which runs in the worker."""
    b = LoanBatch.objects.select_related("scope").get(pk=batch.pk)
    _require_import(actor, b.scope)
    _commit_refusals(b)
    queued = {**b.summary, "queued": timezone.now().isoformat()}
    queued.pop("refused", None)
    LoanBatch.objects.filter(pk=b.pk).update(summary=queued)
    b.summary = queued
    return b


def loans_commit(actor: AnyUser, batch: LoanBatch) -> LoanBatch:
    """Write every row of a VALID batch in one transaction (all or nothing): a new contract
    is created, one with the same values left alone, one with figures as new or newer updated
    (its balances), one with older figures left alone. One audit row per loan written, and the
    batch's own."""
    b = LoanBatch.objects.select_related("scope").get(pk=batch.pk)
    _require_import(actor, b.scope)
    _commit_refusals(b)
    summary = {k: v for k, v in b.summary.items() if k not in ("refused", "queued")}
    LoanBatch.objects.filter(pk=b.pk).update(summary={**summary, "phase": COMMITTING})
    try:
        with transaction.atomic():
            data = LoanRow.objects.filter(batch=b, valid=True).order_by("row_number")
            cleans = [d["clean"] for d in data.values_list("data", flat=True)]
            tally = _write_loans(actor, b, cleans)
            b.status = BatchStatus.COMMITTED
            b.committed_at = timezone.now()
            b.summary = {**summary, "phase": COMMITTED, "written": tally}
            b.save(update_fields=["status", "committed_at", "summary"])
            log(actor, "loans_commit", b, **tally)
    except BaseException:
        LoanBatch.objects.filter(pk=b.pk).update(summary={**summary, "phase": STAGED})
        raise
    return b


def _write_loans(actor: AnyUser, b: LoanBatch, cleans: Sequence[dict[str, Any]]) -> dict[str, int]:
    contracts = [c["contract_no"] for c in cleans]
    stored: dict[str, Loan] = {}
    for start in range(0, len(contracts), CHUNK):
        for row in Loan.objects.select_for_update().filter(
            contract_no__in=contracts[start : start + CHUNK]
        ):
            stored[row.contract_no] = row
    tally = {"created": 0, "updated": 0, "unchanged": 0, "older": 0}
    now = timezone.now()
    for clean in cleans:
        values = loan_values(clean)
        loan = stored.get(clean["contract_no"])
        if loan is None:
            new = Loan.objects.create(
                household_id=clean["household_id"],
                contract_no=clean["contract_no"],
                batch=b,
                **values,
            )
            log(actor, "loan_create", new, batch=b.pk, household=clean["household_id"],
                **{f: values[f] for f in ("programme", "amount", "outstanding", "overdue",
                                          "as_of")})  # fmt: skip
            tally["created"] += 1
            continue
        if loan.household_id != clean["household_id"]:
            raise refuse(
                f"Số khế ước {loan.contract_no} đã ghi cho hộ khác: không ghi gì",
                f"contract {loan.contract_no} belongs to another household: nothing written",
                "contract_other_household",
            )
        before = {f: getattr(loan, f) for f in VALUES}
        if _same(before, values):
            tally["unchanged"] += 1
            continue
        if before["as_of"] > values["as_of"]:
            tally["older"] += 1
            continue
        for f, v in values.items():
            setattr(loan, f, v)
        loan.batch = b
        loan.updated_at = now
        loan.save()
        changed = {f: [before[f], values[f]] for f in VALUES if before[f] != values[f]}
        log(actor, "loan_update", loan, batch=b.pk, **changed)
        tally["updated"] += 1
    return tally


# --- downloads --------------------------------------------------------------------------------
ERROR_HEADING = "Lỗi / Errors"
_RED = "FFC7CE"


def loans_errors_xlsx(batch: LoanBatch) -> bytes:
    """The rows as read, with an error column last and the cells in error filled red; a
    file that could not be read: its errors on one sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    headings: list[str] = list((batch.summary or {}).get("headings", []))
    if not headings:
        ws = wb.create_sheet(title="Lỗi")
        ws.append([ERROR_HEADING])
        for e in batch.file_errors:
            ws.append([f"{e['vi']} / {e['en']}"])
    else:
        ws = wb.create_sheet(title=str(batch.summary.get("sheet") or "Dư nợ")[:31])
        red, bold = PatternFill("solid", fgColor=_RED), Font(bold=True)
        head = [WriteOnlyCell(ws, value=h) for h in [*headings, ERROR_HEADING]]
        for cell in head:
            cell.font = bold
        ws.append(head)
        for row in LoanRow.objects.filter(batch=batch).order_by("row_number").iterator():
            bad = {e["column"] for e in row.errors}
            raw = list(row.data.get("raw", []))
            raw += [None] * (len(headings) - len(raw))
            cells = []
            for i, value in enumerate(raw):
                cell = WriteOnlyCell(ws, value=value)
                if letter(i) in bad:
                    cell.fill = red
                cells.append(cell)
            text = "; ".join(
                f"[{e['column'] or '-'}] {e['heading'] or e['field']}: {e['vi']} / {e['en']}"
                for e in row.errors
            )
            err = WriteOnlyCell(ws, value=f"Dòng/row {row.row_number}: {text}" if text else None)
            if text:
                err.fill = red
            ws.append([*cells, err])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def loans_template_xlsx(as_of: dt.date | None = None) -> bytes:
    """The bank's layout as an empty template (``core.support.loans.write_loan_template``)."""
    out = io.BytesIO()
    write_loan_template(out, as_of=as_of)
    return out.getvalue()
