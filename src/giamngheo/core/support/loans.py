"""The Social Policy Bank's loan file, read and checked row by row.

The bank's commune transaction point gives the district a spreadsheet of the households'
loans: one row a loan contract (khế ước), under a few title rows ("NGÂN HÀNG CHÍNH SÁCH XÃ
HỘI …", "DANH SÁCH HỘ VAY …", "Ngày số liệu: 31/12/2020"). The file is read with the review
import's reader (:func:`giamngheo.core.records.reader.read_sheets`, which finds the heading
row by its «Mã hộ» column) and its cell readers; each heading is matched folded, with an
optional unit after it ("Số tiền vay (triệu đồng)", "Lãi suất (%/tháng)", "Thời hạn (năm)").
Each row becomes a :class:`LoanRecord` or a list of :class:`LoanRowError` naming the sheet,
the row, the column letter and the heading. An amount above the programme's limit is only a
warning: the bank knows its own rules better.

The programmes (limit, rate, term, legal basis, provisional or not) are data:
``data/loan-programmes.json``. Money is whole đồng (``int``), rates are ``Decimal`` per cent
a year.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from giamngheo.core.numbers import (
    NumberFormatError,
    format_decimal,
    format_int,
    is_dash,
    parse_rate,
)
from giamngheo.core.records.cells import blank, date, text
from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.headings import CODE_HEADINGS
from giamngheo.core.records.reader import read_sheets
from giamngheo.core.standards.headings import heading_key
from giamngheo.core.support.loans_template import (
    ENTRUSTED_ORGS,
    FIELDS,
    MAX_TERM_MONTHS,
    UNITS,
    InvalidLoanProgrammes,
    Kind,
    LoanColumns,
    LoanProgramme,
    load_loan_programmes,
    match_entrusted_org,
    match_heading,
    match_programme,
    too_long,
    write_loan_template,
)
from giamngheo.core.support.money import MoneyError, parse_vnd
from giamngheo.core.text import fold

__all__ = [
    "ENTRUSTED_ORGS",
    "FIELDS",
    "InvalidLoanProgrammes",
    "LoanColumns",
    "LoanFile",
    "LoanFileError",
    "LoanProgramme",
    "LoanRecord",
    "LoanRowError",
    "add_months",
    "as_of_in_titles",
    "check_loan_row",
    "load_loan_programmes",
    "match_entrusted_org",
    "match_heading",
    "match_programme",
    "read_loan_file",
    "write_loan_template",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LoanRecord:
    """One loan, clean: VND as ``int``, the rate as ``Decimal`` per cent a year."""

    contract_no: str
    household_code: str
    borrower_name: str
    commune: str
    village: str
    programme: str  # the programme's code
    amount: int
    disbursed_on: dt.date
    rate: Decimal
    term_months: int
    due_on: dt.date
    due_on_derived: bool  # no due date in the file: disbursed_on + term
    outstanding: int
    overdue: int
    savings_group: str
    transaction_point: str
    entrusted_org: str  # a code of ENTRUSTED_ORGS, or ""
    as_of: dt.date

    @property
    def support_type(self) -> str:
        return f"loan_{self.programme}"


@dataclass(frozen=True)
class LoanRowError:
    """A problem of one cell (or one row) of the loan file; a warning keeps the record."""

    sheet: str
    row: int
    column_letter: str
    heading: str
    field: str
    code: str
    message_vi: str
    message_en: str
    severity: Severity = "error"


@dataclass(frozen=True)
class LoanFileError:
    """The file cannot be read as a loan file; the messages name the file and the sheet."""

    file: str
    sheet: str
    field: str
    code: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class LoanFile:
    """What a loan file holds: (row, record) of the valid rows, the row errors and warnings,
    or the file errors that stopped the reading (then no rows were read)."""

    file_name: str
    sheet: str
    as_of: dt.date | None
    records: list[tuple[int, LoanRecord]] = field(default_factory=list)
    errors: list[LoanRowError] = field(default_factory=list)
    warnings: list[LoanRowError] = field(default_factory=list)
    file_errors: list[LoanFileError] = field(default_factory=list)
    #: rows left out: the column numbers under the headings, rows of no field, total rows
    skipped_rows: list[int] = field(default_factory=list)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the month's last day when it is shorter."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


# --- reading one cell -------------------------------------------------------------------------
class _Bad(ValueError):
    def __init__(self, vi: str, en: str, code: str = "") -> None:
        super().__init__(en)
        self.vi, self.en, self.code = vi, en, code


def _money(v: object, scale: int) -> int:
    """Whole đồng; a dash is 0. A column in thousands or millions may hold decimals."""
    if isinstance(v, str) and is_dash(v):
        return 0
    try:
        if scale == 1:
            return parse_vnd(v)
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise NumberFormatError(f"«{v}» không phải là số", f"'{v}' is not a number")
        d = parse_rate(v, None)
    except (MoneyError, NumberFormatError) as exc:
        raise _Bad(exc.message_vi, exc.message_en) from None
    total = (d or Decimal(0)) * scale
    if total != total.to_integral_value() or total < 0:
        raise _Bad(
            f"«{text(v)}» × {scale} không phải số đồng nguyên không âm",
            f"'{text(v)}' × {scale} is not a whole, non-negative number of đồng",
        )
    return int(total)


def _rate(v: object, scale: int) -> Decimal:
    """Per cent a year; "0,55%/tháng" in the cell itself is a monthly rate (× 12 exactly)."""
    if isinstance(v, str):
        number, slash, unit = v.rpartition("/")
        if slash:
            per = UNITS["rate"].get(heading_key(unit))
            if per is None or not unit.strip():
                raise _Bad(f"«{v}» không phải lãi suất", f"'{v}' is not a rate")
            v, scale = number, per
    try:
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise NumberFormatError(f"«{v}» không phải là số", f"'{v}' is not a number")
        d = parse_rate(v, None)
    except NumberFormatError as exc:
        raise _Bad(exc.message_vi, exc.message_en) from None
    if d is None:
        raise _Bad("lãi suất là dấu gạch", "the rate is a dash")
    return d * scale


_TERM = re.compile(r"(\d+)\s*(thang|months?|nam|years?)?")


def _term(v: object, scale: int) -> int | None:
    """Whole months, or None."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return v * scale
    m = _TERM.fullmatch(fold(text(v))) if isinstance(v, str) else None
    if m is None:
        return None
    unit = m.group(2) or ""
    return int(m.group(1)) * (12 if unit[:1] in ("n", "y") else 1 if unit else scale)


# --- checking one row -------------------------------------------------------------------------
class _Problems:
    def __init__(self, columns: LoanColumns, row: int) -> None:
        self.columns, self.row, self.items = columns, row, list[LoanRowError]()

    def add(self, f: str, code: str, vi: str, en: str, severity: Severity = "error") -> None:
        heading, letter = self.columns.where(f)
        self.items.append(
            LoanRowError(self.columns.sheet, self.row, letter, heading, f, code, vi, en, severity)
        )

    def bad(self, f: str, code: str, exc: _Bad) -> None:
        spec = FIELDS[f]
        self.add(f, code, f"{spec.vi}: {exc.vi}", f"{spec.en}: {exc.en}")

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.items)


def _read_values(
    cells: Mapping[str, object],
    columns: LoanColumns,
    programmes: Mapping[str, LoanProgramme],
    out: _Problems,
) -> dict[str, Any]:
    """Each field's clean value (None when missing or unreadable, with its problem)."""
    values: dict[str, Any] = {}
    for f, spec in FIELDS.items():
        raw = cells.get(f)
        if blank(raw):
            values[f] = None
            if spec.required:
                out.add(f, "missing", f"thiếu «{spec.vi}»", f"'{spec.en}' is missing")
            continue
        scale = columns.scale.get(f, 1)
        try:
            values[f] = _read_cell(f, spec.kind, raw, scale, programmes)
            if (long := too_long(spec, values[f])) is not None:  # more than its column holds
                raise _Bad(*long, "too_long")
        except _Bad as exc:
            values[f] = None
            out.bad(f, exc.code or _BAD_CODES[spec.kind], exc)
    return values


_BAD_CODES = {
    "money": "bad_amount", "rate": "bad_rate", "term": "bad_term", "date": "bad_date",
    "programme": "unknown_programme", "org": "unknown_entrusted_org", "text": "bad_text",
}  # fmt: skip


def _read_cell(
    f: str, kind: Kind, raw: object, scale: int, programmes: Mapping[str, LoanProgramme]
) -> object:
    shown = text(raw)
    if kind == "money":
        return _money(raw, scale)
    if kind == "rate":
        rate = _rate(raw, scale)
        if not 0 <= rate < 100:
            raise _Bad(f"«{shown}» phải từ 0 đến dưới 100%/năm", f"'{shown}' must be 0 to <100 %")
        return rate
    if kind == "term":
        months = _term(raw, scale)
        if months is None or months <= 0:
            raise _Bad(f"«{shown}» không phải số tháng nguyên dương", f"'{shown}' is not months")
        if months > MAX_TERM_MONTHS:
            vi, en = f"{months} tháng: quá 50 năm", f"{months} months: over 50 years"
            raise _Bad(f"«{shown}» = {vi} ({MAX_TERM_MONTHS} tháng)", f"'{shown}' = {en}")
        return months
    if kind == "date":
        day = date(raw)
        if day is None:
            raise _Bad(f"«{shown}» không phải ngày (dd/mm/yyyy)", f"'{shown}' is not a date")
        return day
    if kind == "programme":
        p = match_programme(shown, programmes)
        if p is None:
            known = "; ".join(p.name_vi for p in programmes.values())
            known_en = "; ".join(p.name_en for p in programmes.values())
            raise _Bad(
                f"«{shown}» không rõ; các chương trình: {known}",
                f"'{shown}' is unknown; the programmes: {known_en}",
            )
        return p.code
    if kind == "org":
        code = match_entrusted_org(shown)
        if code is None:
            known = ", ".join(vi for vi, _en, _o in ENTRUSTED_ORGS.values())
            raise _Bad(f"«{shown}» không rõ; các hội: {known}", f"'{shown}' is unknown ({known})")
        return code
    return shown


def check_loan_row(
    cells: Mapping[str, object],
    row: int,
    columns: LoanColumns,
    programmes: Mapping[str, LoanProgramme],
    seen: MutableMapping[str, int],
    *,
    as_of: dt.date,
) -> tuple[LoanRecord | None, list[LoanRowError]]:
    """The rules of one loan row: ``cells`` is field → cell (:meth:`LoanColumns.cells`),
    ``seen`` contract number → its first row (filled in here), ``as_of`` the date of the
    figures. The record is None when the row has an error; warnings keep it."""
    out = _Problems(columns, row)
    v = _read_values(cells, columns, programmes, out)
    contract = v["contract_no"]
    if contract is not None and contract in seen:
        first = seen[contract]
        out.add(
            "contract_no",
            "duplicate_contract",
            f"số khế ước {contract} trùng với dòng {first}",
            f"contract number {contract} repeats row {first}",
        )
    elif contract is not None:
        seen[contract] = row
    v["overdue"] = v["overdue"] or 0
    _balances(v, out)
    due_on, derived = _dates(v, blank(cells.get("due_on")), as_of, out)
    _limits(programmes.get(v["programme"] or ""), v, out)
    if out.failed:
        return None, out.items
    assert due_on is not None  # no disbursement date or term is an error
    texts = ("commune", "village", "savings_group", "transaction_point", "entrusted_org")
    record = LoanRecord(
        contract_no=contract,
        household_code=v["household_code"],
        borrower_name=v["borrower_name"],
        programme=v["programme"],
        amount=v["amount"],
        disbursed_on=v["disbursed_on"],
        rate=v["rate"],
        term_months=v["term_months"],
        due_on=due_on,
        due_on_derived=derived,
        outstanding=v["outstanding"],
        overdue=v["overdue"],
        as_of=as_of,
        **{f: v[f] or "" for f in texts},
    )
    return record, out.items


def _balances(v: Mapping[str, Any], out: _Problems) -> None:
    """A loan of nothing; more outstanding than lent; more overdue than outstanding."""
    amount, outstanding, overdue = v["amount"], v["outstanding"], v["overdue"]
    if amount == 0:
        out.add("amount", "bad_amount", "số tiền vay phải lớn hơn 0", "the amount must be over 0")
    if amount is not None and outstanding is not None and outstanding > amount:
        out.add(
            "outstanding",
            "outstanding_over_amount",
            f"dư nợ {format_int(outstanding)} đ lớn hơn số tiền vay {format_int(amount)} đ",
            f"the outstanding balance {outstanding:,} VND exceeds the amount lent {amount:,} VND",
        )
    if outstanding is not None and overdue > outstanding:
        out.add(
            "overdue",
            "overdue_over_outstanding",
            f"nợ quá hạn {format_int(overdue)} đ lớn hơn dư nợ {format_int(outstanding)} đ",
            f"the overdue balance {overdue:,} VND exceeds the outstanding {outstanding:,} VND",
        )


def _dates(
    v: Mapping[str, Any], no_due_cell: bool, as_of: dt.date, out: _Problems
) -> tuple[dt.date | None, bool]:
    """(due date, derived or not): the file's, else disbursed + term; the checks of both."""
    disbursed, term, due = v["disbursed_on"], v["term_months"], v["due_on"]
    if disbursed is not None and disbursed > as_of:
        out.add(
            "disbursed_on",
            "disbursed_in_future",
            f"ngày giải ngân {disbursed:%d/%m/%Y} sau ngày số liệu {as_of:%d/%m/%Y}",
            f"disbursed on {disbursed:%d/%m/%Y}, after the date of the figures ({as_of:%d/%m/%Y})",
        )
    if due is None and no_due_cell and disbursed is not None and term is not None:
        return add_months(disbursed, term), True
    if due is not None and disbursed is not None and due < disbursed:
        out.add(
            "due_on",
            "due_before_disbursed",
            f"ngày đến hạn {due:%d/%m/%Y} trước ngày giải ngân {disbursed:%d/%m/%Y}",
            f"the due date {due:%d/%m/%Y} is before the disbursement date {disbursed:%d/%m/%Y}",
        )
    return due, False


def _limits(programme: LoanProgramme | None, v: Mapping[str, Any], out: _Problems) -> None:
    """Warnings only: the amount above the programme's limit, a rate under 1 %/year (a
    monthly rate, or a cell formatted as a percentage, in a yearly column?)."""
    amount, rate = v["amount"], v["rate"]
    limit = programme.limit_vnd if programme is not None else None
    if programme is not None and limit is not None and amount is not None and amount > limit:
        out.add(
            "amount",
            "over_limit",
            f"số tiền vay {format_int(amount)} đ vượt mức tối đa {format_int(limit)} đ của"
            f" «{programme.name_vi}» ({programme.legal_basis})",
            f"the amount {amount:,} VND is above the {limit:,} VND limit of"
            f" '{programme.name_en}' ({programme.legal_basis})",
            "warning",
        )
    if rate is not None and 0 < rate < 1:
        out.add(
            "rate",
            "rate_suspicious",
            f"lãi suất {format_decimal(rate)}%/năm rất thấp: lãi suất tháng, hay ô định dạng %?",
            f"a rate of {rate} %/year is very low: a monthly rate, or a cell formatted as %?",
            "warning",
        )


# --- reading the file -------------------------------------------------------------------------
_AS_OF = re.compile(r"(?:ngay so lieu|so lieu den ngay|tinh den ngay|den ngay|as of|as at)\W*(.*)")
_DAY_TEXT = re.compile(r"(\d{1,2})\s*(?:[/.-]|thang)\s*(\d{1,2})\s*(?:[/.-]|nam)\s*(\d{4})")


def _day_in(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    m = _DAY_TEXT.search(fold(text(value)))
    if m is None:
        return date(text(value))
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def as_of_in_titles(rows: Sequence[Sequence[object]]) -> dt.date | None:
    """The date of the figures from the title rows: "Ngày số liệu: 31/12/2020", "… đến ngày
    31 tháng 12 năm 2020", or the label with the date in a cell further right."""
    for cells in rows:
        for i, cell in enumerate(cells):
            m = _AS_OF.search(fold(text(cell))) if isinstance(cell, str) else None
            if m is None:
                continue
            for value in (m.group(1), *cells[i + 1 :]):
                if not blank(value) and (day := _day_in(value)) is not None:
                    return day
    return None


def _title_rows(path: Path, file_name: str, sheet: str) -> list[list[object]]:
    """The rows above the heading row (of the first ten), for the date of the figures."""
    rows: list[list[object]] = []
    try:
        if Path(file_name).suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                head = fh.readline()
                fh.seek(0)
                delimiter = max((";", ",", "\t"), key=head.count)
                rows = [
                    list(r)
                    for _, r in zip(range(10), csv.reader(fh, delimiter=delimiter), strict=False)
                ]
        else:
            from python_calamine import CalamineWorkbook

            ws = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
            rows = [list(r) for _, r in zip(range(10), ws.iter_rows(), strict=False)]
    except Exception:  # calamine raises its own error types; the file was read once already
        return []
    codes = {heading_key(h) for h in CODE_HEADINGS}
    for n, cells in enumerate(rows):
        if any(isinstance(c, str) and heading_key(c) in codes for c in cells):
            return rows[:n]
    return rows


_NUMBERING = re.compile(r"\(?(?:\d{1,2}|[A-Za-z])\)?")
#: "Tổng cộng …", "Tổng số", "Total …", or "Tổng"/"Cộng" alone (not "Tống Văn A").
_TOTAL = re.compile(r"(?:tong cong|tong so|total)\b.*|(?:tong|cong)\W*")


def _filler(cells: Sequence[object], columns: LoanColumns) -> bool:
    """The column-number row under the headings ("1 2 3 …", "(1) (2) …"), a row with only
    cells of no field (a row number), or a total row (no contract nor household, the first
    cell "Tổng cộng …", "Cộng" or "Total …")."""
    shown = [text(c) for c in cells if not blank(c)]
    if len(shown) >= 3 and all(_NUMBERING.fullmatch(s) for s in shown):
        return True
    keys = columns.cells(cells)
    if all(blank(v) for v in keys.values()):
        return True  # only cells of no field (a row number)
    return (
        blank(keys.get("contract_no"))
        and blank(keys.get("household_code"))
        and _TOTAL.fullmatch(fold(shown[0])) is not None
    )


def _file_error(
    file_name: str, sheet: str, f: str, code: str, messages: tuple[str, str]
) -> LoanFileError:
    where = f"{file_name} [{sheet}]" if sheet else file_name
    vi, en = messages
    return LoanFileError(file_name, sheet, f, code, f"{where}: {vi}", f"{where}: {en}")


def _missing_heading(file_name: str, sheet: str, f: str) -> LoanFileError:
    spec = FIELDS[f]
    accepted = ", ".join(f"«{h}»" for h in (spec.vi, *spec.headings[:3]))
    return _file_error(
        file_name,
        sheet,
        f,
        "missing_heading",
        (
            f"thiếu cột «{spec.vi}» (tiêu đề được nhận: {accepted})",
            f"the '{spec.en}' column is missing (accepted headings: {accepted})",
        ),
    )


_NO_AS_OF = (
    "không có ngày số liệu: ghi «Ngày số liệu: dd/mm/yyyy» ở một dòng tiêu đề, hoặc chọn ngày",
    "no date of the figures: write 'Ngày số liệu: dd/mm/yyyy' in a title row, or give it",
)


def read_loan_file(
    path: Path,
    file_name: str,
    *,
    as_of: dt.date | None,
    programmes: Mapping[str, LoanProgramme] | None = None,
) -> LoanFile:
    """The loan file's records, row errors, warnings and file errors. ``as_of`` is the date
    of the figures; None: read from the title rows ("Ngày số liệu: …", "Đến ngày …")."""
    programmes = programmes or load_loan_programmes()
    try:
        _layout, sheets = read_sheets(path, file_name)
        src = sheets[0][1].open()
    except ImportFileError as exc:
        if exc.message_en.startswith("no heading row"):  # reader.py looks for «Mã hộ»
            err = _missing_heading(file_name, exc.sheet, "household_code")
        else:
            messages = (exc.message_vi, exc.message_en)
            err = _file_error(file_name, exc.sheet, "", "unreadable", messages)
        return LoanFile(file_name, exc.sheet, as_of, file_errors=[err])
    columns = LoanColumns.from_headings(src.headings, src.name)
    if missing := columns.missing():
        errors = [_missing_heading(file_name, src.name, f) for f in missing]
        return LoanFile(file_name, src.name, as_of, file_errors=errors)
    if as_of is None:
        as_of = as_of_in_titles(_title_rows(path, file_name, src.name))
    if as_of is None:
        err = _file_error(file_name, src.name, "as_of", "missing_as_of", _NO_AS_OF)
        return LoanFile(file_name, src.name, None, file_errors=[err])
    result = LoanFile(file_name, src.name, as_of)
    seen: dict[str, int] = {}
    for n, cells in src.rows:
        if _filler(cells, columns):
            result.skipped_rows.append(n)
            continue
        record, problems = check_loan_row(
            columns.cells(cells), n, columns, programmes, seen, as_of=as_of
        )
        broken = _formula_errors(columns, n, src.error_cells.get(n, {}))
        if broken:
            fields = {e.field for e in broken}
            problems = [p for p in problems if p.field not in fields] + broken
            record = None
        result.errors.extend(p for p in problems if p.severity == "error")
        result.warnings.extend(p for p in problems if p.severity == "warning")
        if record is not None:
            result.records.append((n, record))
    return result


def _formula_errors(columns: LoanColumns, row: int, cells: Mapping[int, str]) -> list[LoanRowError]:
    """The cells of a field that hold a formula error (#REF!, #N/A …): reader.py puts the
    error's text in the cell; this names it instead of reporting a strange value."""
    by_column = {i: f for f, i in columns.index.items()}
    out: list[LoanRowError] = []
    for col, shown in sorted(cells.items()):
        if col in by_column:
            heading, letter = columns.where(by_column[col])
            vi, en = f"ô có lỗi công thức {shown}", f"the cell holds a formula error {shown}"
            out.append(
                LoanRowError(
                    columns.sheet, row, letter, heading, by_column[col], "formula_error", vi, en
                )
            )
    return out
