"""Step 2 of an import: every row of the file is checked by the record rules
(``giamngheo.core.records``) and staged as an ``ImportRow``, chunk by chunk, each chunk in its
own short transaction that advances the batch's progress counters.

A row keeps its cells (``raw``), its errors, each with the sheet's heading and column letter,
and, when it has none, the normalised values the commit writes (``clean``). What talks about
the sheet's rows is decided here: a household row whose member rows have errors
(``member_rows_invalid``), a member of a household whose row has errors
(``household_invalid``), and cells that hold a formula error (``cell_error``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count

from giamngheo.core.records import (
    Context,
    FieldError,
    ImportFileError,
    Seen,
    check_against_members,
    check_household_registry,
    check_household_row,
    check_member_registry,
    check_member_row,
    household_keys,
    masked_keys,
    member_keys,
)
from giamngheo.core.records.headings import (
    HOUSEHOLD,
    HOUSEHOLD_HEADINGS,
    MEMBER,
    MEMBER_HEADINGS,
    REQUIRED_HOUSEHOLD_FIELDS,
    REQUIRED_MEMBER_FIELDS,
    Columns,
    RecordReader,
    engine_columns,
    letter,
    require_headings,
)
from giamngheo.core.records.reader import SheetRef, SheetSource, read_sheets
from giamngheo.core.standards import Standard, get_standard
from giamngheo.registry.bulk import bulk_session, insert_many, refresh_statistics
from giamngheo.registry.imports.batch import CHUNK, load_batch, no_cyclic_gc, require_manager
from giamngheo.registry.imports.facts import registry_facts, scope_context
from giamngheo.registry.models import ImportBatch, ImportRow, ImportStatus

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser


@dataclass(frozen=True)
class RowError:
    """One problem of one field of one row; ``column`` is the heading, ``letter`` its column
    letter in the sheet ("" for problems of the row as a whole)."""

    field: str
    column: str
    letter: str
    code: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "column": self.column,
            "letter": self.letter,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


ROW_FIELDS = ("batch_id", "sheet", "kind", "row_number", "key", "raw", "clean", "errors", "valid")
Staged = tuple[int, str, str, int, str, list[object], dict[str, Any], list[dict[str, str]], bool]


def _staged(  # noqa: PLR0917
    batch: ImportBatch,
    sheet: str,
    kind: str,
    n: int,
    key: str,
    cells: list[object],
    errors: list[dict[str, str]],
    clean: dict[str, Any],
) -> Staged:
    return (batch.pk, sheet, kind, n, key[:32], cells, {} if errors else clean, errors, not errors)


class _Sheet:
    """A sheet being staged: its columns, how a row becomes a record, and where each field's
    errors are shown (heading, column letter)."""

    def __init__(self, src: SheetSource, cols: Columns, engine_cols: dict[str, int]) -> None:
        self.name = src.name
        self.cols = cols
        self.engine_cols = engine_cols
        self.engine_fields = tuple(engine_cols)
        self.read = RecordReader({**cols.index, **engine_cols})

    @classmethod
    def households(cls, file_name: str, src: SheetSource, std: Standard) -> _Sheet:
        cols = Columns(src.headings, HOUSEHOLD_HEADINGS)
        engine_cols = engine_columns(cols, std, file_name, src.name)
        require_headings(file_name, src.name, cols, REQUIRED_HOUSEHOLD_FIELDS)
        return cls(src, cols, engine_cols)

    @classmethod
    def members(cls, file_name: str, src: SheetSource) -> _Sheet:
        cols = Columns(src.headings, MEMBER_HEADINGS)
        require_headings(file_name, src.name, cols, REQUIRED_MEMBER_FIELDS)
        return cls(src, cols, {})

    def error(self, e: FieldError) -> dict[str, str]:
        """The error with the heading and letter of its field (the engine's: of its column)."""
        if e.engine:
            i = self.engine_cols.get(e.field)
            column, col_letter = ("", "") if i is None else (self.cols.headings[i], letter(i))
        else:
            column, col_letter = self.cols.where(e.field)
        return RowError(e.field, column, col_letter, e.code, e.message_vi, e.message_en).as_dict()

    def errors(self, errors: Sequence[FieldError]) -> list[dict[str, str]]:
        return [self.error(e) for e in errors]


def _household_invalid(row_number: int, column: str, col_letter: str) -> dict[str, str]:
    return RowError(
        "code",
        column,
        col_letter,
        "household_invalid",
        f"dòng hộ {row_number} có lỗi",
        f"the household's row {row_number} has errors",
    ).as_dict()


class _Staging:
    """One validation run: the batch, the rules' context, what the rows so far were, and the
    member rows with errors of each household code."""

    def __init__(self, batch: ImportBatch, context: Context) -> None:
        self.batch = batch
        self.context = context
        self.seen = Seen()
        self.bad_member_rows: dict[str, list[int]] = {}


def _households_chunk(
    st: _Staging, sheet: _Sheet, chunk: list[tuple[int, list[object]]]
) -> list[Staged]:
    context, seen = st.context, st.seen
    read, engine_fields, flat = sheet.read, sheet.engine_fields, st.batch.layout == "flat"
    checked = []
    for n, cells in chunk:
        c = check_household_row(
            read(cells), context, seen, row=n, engine_fields=engine_fields, flat=flat
        )
        seen.add(c)
        checked.append(c)
    facts = registry_facts(household_keys(checked), context)
    rows = []
    for (n, cells), c in zip(chunk, checked, strict=True):
        check_household_registry(c, context, facts)
        errors = sheet.errors(c.errors) if c.errors else []
        rows.append(
            _staged(st.batch, sheet.name, HOUSEHOLD, n, c.clean["code"], cells, errors, c.clean)
        )
    return rows


def _members_chunk(
    st: _Staging, sheet: _Sheet, chunk: list[tuple[int, list[object]]]
) -> list[Staged]:
    context, seen = st.context, st.seen
    records = [sheet.read(cells) for _n, cells in chunk]
    masked = registry_facts(masked_keys(records, seen), context)
    checked = []
    for (n, _cells), record in zip(chunk, records, strict=True):
        c = check_member_row(record, context, seen, masked, row=n)
        seen.add(c)
        checked.append(c)
    facts = registry_facts(member_keys(checked), context)
    code_where = sheet.cols.where("code")
    rows: list[Staged] = []
    for (n, cells), c in zip(chunk, checked, strict=True):
        check_member_registry(c, seen, facts)
        errors = sheet.errors(c.errors) if c.errors else []
        code = c.clean["code"]
        household = seen.households.get(code)
        if household is not None:
            if not household.valid and not errors:
                errors.append(_household_invalid(household.row, *code_where))
            if errors:
                st.bad_member_rows.setdefault(code, []).append(n)
        rows.append(_staged(st.batch, sheet.name, MEMBER, n, code, cells, errors, c.clean))
    return rows


def _flush(batch: ImportBatch, rows: list[Staged], done: int, total: int) -> None:
    with transaction.atomic():
        insert_many(ImportRow, ROW_FIELDS, rows)
        ImportBatch.objects.filter(pk=batch.pk).update(done=done, total=max(total, done))


def _validate_chunk(  # noqa: PLR0917
    st: _Staging,
    role: str,
    sheet: _Sheet,
    chunk: list[tuple[int, list[object]]],
    done: int,
    total: int,
    error_cells: Mapping[int, Mapping[int, str]] | None = None,
) -> int:
    """Check one chunk of rows, store them (one short transaction), return the rows done."""
    if role == HOUSEHOLD:
        rows = _households_chunk(st, sheet, chunk)
    else:
        rows = _members_chunk(st, sheet, chunk)
    if error_cells:
        rows = [_refuse_error_cells(st, role, sheet.cols, r, error_cells) for r in rows]
    done += len(rows)
    _flush(st.batch, rows, done, total)
    if role == HOUSEHOLD:
        for r in rows:
            household = st.seen.households.get(r[4])
            if household is not None and household.row == r[3]:
                household.valid = r[8]
    return done


def _refuse_error_cells(
    st: _Staging,
    role: str,
    cols: Columns,
    row: Staged,
    error_cells: Mapping[int, Mapping[int, str]],
) -> Staged:
    """The staged row, made invalid with one error per cell of it that holds a formula error
    (#REF!, #N/A…): such a cell means nothing, and must not be read as empty or as a value."""
    found = error_cells.get(row[3])
    if not found:
        return row
    by_index = {i: f for f, i in cols.index.items()}
    errors = list(row[7])
    for col, text in sorted(found.items()):
        if col >= len(cols.headings):
            continue
        errors.append(
            RowError(
                by_index.get(col, cols.headings[col]),
                cols.headings[col],
                letter(col),
                "cell_error",
                f"ô có lỗi công thức «{text}»: hãy sửa công thức hoặc nhập giá trị",
                f"the cell holds a formula error '{text}': fix the formula or type the value",
            ).as_dict()
        )
    if len(errors) == len(row[7]):
        return row
    if role == MEMBER and row[8] and row[4] in st.seen.households:
        st.bad_member_rows.setdefault(row[4], []).append(row[3])
    return (*row[:6], {}, errors, False)


def _cross_checks(st: _Staging, sheet: _Sheet) -> None:
    """Household-level checks that need the members (two-sheet layout): the staged household
    rows found invalid now get the errors, and their valid member rows ``household_invalid``."""
    newly_invalid: list[str] = []
    for code, household in st.seen.households.items():
        if not household.valid:
            continue
        errors = sheet.errors(check_against_members(household))
        bad_rows = st.bad_member_rows.get(code)
        if bad_rows:
            rows = ", ".join(str(r) for r in bad_rows[:10])
            errors.append(
                RowError(
                    "code",
                    *sheet.cols.where("code"),
                    "member_rows_invalid",
                    f"thành viên có lỗi ở trang thành viên, dòng {rows}",
                    f"members with errors in the members sheet, rows {rows}",
                ).as_dict()
            )
        if errors:
            household.valid = False
            newly_invalid.append(code)
            with transaction.atomic():
                row = ImportRow.objects.get(
                    batch=st.batch, kind=HOUSEHOLD, key=code[:32], row_number=household.row
                )
                row.errors = [*row.errors, *errors]
                row.valid, row.clean = False, {}
                row.save(update_fields=["errors", "valid", "clean"])
    # Members of households found invalid only now.
    for start in range(0, len(newly_invalid), CHUNK):
        codes = newly_invalid[start : start + CHUNK]
        with transaction.atomic():
            for row in ImportRow.objects.filter(
                batch=st.batch, kind=MEMBER, key__in=codes, valid=True
            ):
                row.errors = [_household_invalid(st.seen.households[row.key].row, "", "")]
                row.valid, row.clean = False, {}
                row.save(update_fields=["errors", "valid", "clean"])


def import_validate(*, batch: ImportBatch | int, actor: AnyUser) -> ImportBatch:
    """Read and check every row (chunked, short transactions; progress on the batch).

    Safe to call from a worker thread or process. A file that cannot be read as the
    template ends FAILED with ``file_errors``; otherwise VALIDATED (rows may have errors)."""
    with no_cyclic_gc(), bulk_session():
        return _import_validate(batch=batch, actor=actor)


def _import_validate(*, batch: ImportBatch | int, actor: AnyUser) -> ImportBatch:
    b = load_batch(batch)
    require_manager(actor, b.scope)
    if b.status == ImportStatus.COMMITTED:
        return b
    ImportRow.objects.filter(batch=b).delete()
    ImportBatch.objects.filter(pk=b.pk).update(
        status=ImportStatus.VALIDATING, done=0, total=0, file_errors=[]
    )
    try:
        layout, sheets = read_sheets(Path(b.stored_path), b.file_name)
        std = get_standard(b.standard_id)
        b.layout = layout
        done = _stage_sheets(_Staging(b, scope_context(b, std)), sheets)
    except ImportFileError as exc:
        ImportRow.objects.filter(batch=b).delete()
        ImportBatch.objects.filter(pk=b.pk).update(
            status=ImportStatus.FAILED, file_errors=[exc.as_dict()]
        )
    except Exception:
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.PENDING)
        raise
    else:
        refresh_statistics(ImportRow, rows=done)
        counts = {(kind, valid): n for kind, valid, n in _counts(b)}
        ImportBatch.objects.filter(pk=b.pk).update(
            status=ImportStatus.VALIDATED,
            done=done,
            total=done,
            households_valid=counts.get((HOUSEHOLD, True), 0),
            households_invalid=counts.get((HOUSEHOLD, False), 0),
            members_valid=counts.get((MEMBER, True), 0),
            members_invalid=counts.get((MEMBER, False), 0),
        )
    b.refresh_from_db()
    return b


def _stage_sheets(st: _Staging, sheets: list[tuple[str, SheetRef]]) -> int:
    """Stage every row of the sheets, households first; return the rows staged."""
    b = st.batch
    total = sum(s.estimated_rows for _r, s in sheets)
    done = 0
    b.sheets = []
    ImportBatch.objects.filter(pk=b.pk).update(layout=b.layout, sheets=[], total=total)
    households: _Sheet | None = None
    for role, sheet_ref in sheets:
        src = sheet_ref.open()  # the previous sheet's cells are released by now
        if src.estimated_rows != sheet_ref.estimated_rows:  # the hint was wrong or absent
            total += src.estimated_rows - sheet_ref.estimated_rows
        b.sheets.append({"name": src.name, "kind": role, "headings": src.headings})
        ImportBatch.objects.filter(pk=b.pk).update(sheets=b.sheets, total=max(total, done))
        if role == HOUSEHOLD:
            sheet = households = _Sheet.households(b.file_name, src, st.context.standard)
        else:
            sheet = _Sheet.members(b.file_name, src)
        chunk: list[tuple[int, list[object]]] = []
        for item in src.rows:
            chunk.append(item)
            if len(chunk) >= CHUNK:
                done = _validate_chunk(st, role, sheet, chunk, done, total, src.error_cells)
                chunk = []
        if chunk:
            done = _validate_chunk(st, role, sheet, chunk, done, total, src.error_cells)
        del src, chunk  # release this sheet's cells before the next sheet is read
    if b.layout == "two" and households is not None:
        _cross_checks(st, households)
    return done


def _counts(b: ImportBatch) -> list[tuple[str, bool, int]]:
    return [
        (r["kind"], r["valid"], r["n"])
        for r in ImportRow.objects.filter(batch=b)
        .values("kind", "valid")
        .annotate(n=Count("pk"))
        .order_by()
    ]
