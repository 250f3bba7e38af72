"""The Social Policy Bank's loan file as the product knows it: the loan programmes (data), the
file's columns with the headings accepted for each, the organisations the bank entrusts its
loans to, and the .xlsx template in the bank's layout.

:mod:`giamngheo.core.support.loans` reads and checks a file with these; they live apart so
that the template and the reader share one list of columns. The programmes' limits, rates,
terms and legal bases are data (``data/loan-programmes.json``), each with its confidence and
a ``provisional`` flag; a rate is a decimal string there and a ``Decimal`` here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any, Literal

from giamngheo.core.records.headings import CODE_HEADINGS, letter
from giamngheo.core.standards.headings import heading_key
from giamngheo.core.tables import Output

Kind = Literal["text", "money", "rate", "term", "date", "programme", "org"]


# --- the programmes ---------------------------------------------------------------------------
class InvalidLoanProgrammes(ValueError):
    """The programmes file is malformed (names the file and the key path)."""


@dataclass(frozen=True)
class LoanProgramme:
    """One loan programme; a ``None`` limit, rate or term is not established (not checked)."""

    code: str
    support_type: str  # "loan_<code>", the support catalogue's type
    name_vi: str
    name_en: str
    legal_basis: str
    limit_vnd: int | None
    rate_pct_year: Decimal | None
    max_term_months: int | None
    confidence: str | None  # H, M, L (None: not a legal fact, e.g. "other")
    provisional: bool
    note_vi: str
    note_en: str
    aliases: tuple[str, ...]  # as the bank's files write the programme


def _programme(raw: Mapping[str, Any], where: str) -> LoanProgramme:
    def bad(key: str, vi: str, en: str) -> InvalidLoanProgrammes:
        return InvalidLoanProgrammes(f"loan-programmes.json: {where}.{key}: {vi} / {en}")

    extra = sorted(set(raw) - {f.name for f in fields(LoanProgramme)})
    if extra:
        raise bad(extra[0], "khoá không được hỗ trợ", "unknown key")
    names = {k: raw.get(k, "") for k in ("code", "name_vi", "name_en", "legal_basis")}
    if not all(isinstance(v, str) for v in names.values()) or not names["code"]:
        raise bad("code", "cần chuỗi", "expected strings (code, names, legal basis)")
    code = names["code"]
    if raw.get("support_type") != f"loan_{code}":
        raise bad("support_type", f"cần «loan_{code}»", f"expected 'loan_{code}'")
    ints = {k: raw.get(k) for k in ("limit_vnd", "max_term_months")}
    for k, v in ints.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
            raise bad(k, "cần số nguyên dương hoặc null", "expected a positive integer or null")
    rate_raw = raw.get("rate_pct_year")
    try:
        rate = None if rate_raw is None else Decimal(rate_raw)
    except (InvalidOperation, TypeError):
        rate = Decimal(-1)
    if not isinstance(rate_raw, str | None) or (rate is not None and not 0 <= rate < 100):
        raise bad("rate_pct_year", 'cần chuỗi thập phân như "6.6"', 'expected a string "6.6"')
    confidence, provisional = raw.get("confidence"), raw.get("provisional")
    note_vi, note_en = raw.get("note_vi", ""), raw.get("note_en", "")
    if confidence not in ("H", "M", "L", None) or not isinstance(provisional, bool):
        raise bad("confidence", "cần H, M, L hoặc null", "expected H, M, L or null")
    if (confidence == "L" and not provisional) or (provisional and not (note_vi and note_en)):
        raise bad(
            "provisional",
            "độ tin cậy L phải tạm tính, và giá trị tạm tính cần ghi chú hai thứ tiếng",
            "L must be provisional, and a provisional value needs both notes",
        )
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise bad("aliases", "cần danh sách chuỗi", "expected a list of strings")
    return LoanProgramme(
        code,
        f"loan_{code}",
        names["name_vi"],
        names["name_en"],
        names["legal_basis"],
        ints["limit_vnd"],
        rate,
        ints["max_term_months"],
        confidence,
        provisional,
        str(note_vi),
        str(note_en),
        tuple(aliases),
    )


@cache
def load_loan_programmes() -> dict[str, LoanProgramme]:
    """The programmes of ``data/loan-programmes.json`` by code, in the file's order."""
    data = resources.files("giamngheo.core.support").joinpath("data")
    raw = json.loads(data.joinpath("loan-programmes.json").read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("schema") != 1:
        raise InvalidLoanProgrammes("loan-programmes.json: schema: cần 1 / expected 1")
    out: dict[str, LoanProgramme] = {}
    for i, item in enumerate(raw.get("programmes", [])):
        p = _programme(item, f"programmes[{i}]")
        if p.code in out:
            raise InvalidLoanProgrammes(
                f"loan-programmes.json: programmes[{i}].code: mã trùng / repeated code"
            )
        out[p.code] = p
    return out


def _programme_key(value: str) -> str:
    return heading_key(value).removeprefix("chovay")


def match_programme(
    value: str, programmes: Mapping[str, LoanProgramme] | None = None
) -> LoanProgramme | None:
    """The programme a cell names (its code, ``loan_<code>``, a name or an alias, folded; a
    leading "Cho vay" is optional), or None."""
    key = _programme_key(value)
    if not key:
        return None
    for p in (programmes or load_loan_programmes()).values():
        if any(_programme_key(n) == key for n in (p.code, p.support_type, p.name_vi, p.name_en)):
            return p
        if any(_programme_key(n) == key for n in p.aliases):
            return p
    return None


#: The mass organisations the bank entrusts with its loans: code → (Vietnamese, English,
#: other spellings).
ENTRUSTED_ORGS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "farmers_union": ("Hội Nông dân", "Farmers' Union", ("HND", "Nông dân", "Hội ND")),
    "womens_union": (
        "Hội Liên hiệp Phụ nữ", "Women's Union", ("Hội Phụ nữ", "HPN", "Phụ nữ", "Hội LHPN")
    ),
    "veterans_association": (
        "Hội Cựu chiến binh", "Veterans' Association", ("Hội CCB", "CCB", "Cựu chiến binh")
    ),
    "youth_union": (
        "Đoàn Thanh niên", "Youth Union", ("Đoàn TN", "ĐTN", "Đoàn TNCS Hồ Chí Minh", "Thanh niên")
    ),
}  # fmt: skip


def match_entrusted_org(value: str) -> str | None:
    """The code of the organisation a cell names (folded), or None."""
    key = heading_key(value)
    for code, (vi, en, others) in ENTRUSTED_ORGS.items():
        if key in {heading_key(n) for n in (code, vi, en, *others)}:
            return code
    return None


# --- the columns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoanField:
    kind: Kind
    required: bool
    vi: str  # the template's heading (its unit, if any, follows in the template)
    en: str
    headings: tuple[str, ...]  # the other headings accepted
    #: the most characters the value may have: the width of the column that stores it
    #: (``support.models.Loan``; the household code's in the registry)
    max_length: int | None = None


#: The longest term accepted (50 years, far above any programme's): longer is a typing error
#: (years typed in a column of months, a date in the term's cell).
MAX_TERM_MONTHS = 600


def too_long(spec: LoanField, value: object) -> tuple[str, str] | None:
    """(vi, en) when a text is longer than the column that stores it, else None."""
    n = spec.max_length
    if n is None or not isinstance(value, str) or len(value) <= n:
        return None
    return f"dài {len(value)} ký tự, quá {n} ký tự", f"{len(value)} characters, over {n} characters"


FIELDS: dict[str, LoanField] = {
    "contract_no": LoanField("text", True, "Số khế ước", "Contract number", (
        "Số KƯ", "Số khế ước nhận nợ", "Số hợp đồng", "Số HĐ", "Số hợp đồng tín dụng",
        "Mã khế ước", "Contract no", "Loan contract", "contract_no"), 40),
    "household_code": LoanField("text", True, "Mã hộ", "Household code", CODE_HEADINGS, 32),
    "borrower_name": LoanField("text", True, "Họ tên người vay", "Borrower name", (
        "Họ và tên người vay", "Người vay", "Tên người vay", "Họ tên khách hàng",
        "Tên khách hàng", "Borrower", "borrower_name")),
    "commune": LoanField("text", False, "Xã", "Commune", (
        "Tên xã", "Mã xã", "Xã, phường, thị trấn", "commune")),
    "village": LoanField("text", False, "Thôn", "Village", (
        "Thôn, làng", "Thôn, buôn", "Thôn, tổ dân phố", "Thôn/tổ dân phố", "village")),
    "programme": LoanField("programme", True, "Chương trình cho vay", "Programme", (
        "Chương trình", "Chương trình vay", "Tên chương trình", "Program", "Loan programme",
        "programme")),
    "amount": LoanField("money", True, "Số tiền vay", "Amount", (
        "Số tiền cho vay", "Số tiền giải ngân", "Số tiền", "Loan amount", "amount")),
    "disbursed_on": LoanField("date", True, "Ngày giải ngân", "Disbursed on", (
        "Ngày vay", "Ngày cho vay", "Disbursement date", "disbursed_on")),
    "rate": LoanField("rate", True, "Lãi suất", "Interest rate", (
        "Lãi suất cho vay", "Rate", "rate")),
    "term_months": LoanField("term", True, "Thời hạn", "Term", (
        "Thời hạn vay", "Thời hạn cho vay", "Loan term", "term_months")),
    "due_on": LoanField("date", False, "Ngày đến hạn", "Due on", (
        "Hạn trả nợ", "Ngày đáo hạn", "Ngày đến hạn cuối cùng", "Due date", "Maturity date",
        "due_on")),
    "outstanding": LoanField("money", True, "Dư nợ", "Outstanding", (
        "Dư nợ hiện tại", "Tổng dư nợ", "Outstanding balance", "outstanding")),
    "overdue": LoanField("money", False, "Nợ quá hạn", "Overdue", (
        "Dư nợ quá hạn", "Overdue balance", "overdue")),
    "savings_group": LoanField("text", False, "Tổ TK&VV", "Savings group", (
        "Tổ tiết kiệm và vay vốn", "Tổ TKVV", "Tên tổ TK&VV", "savings_group"), 120),
    "transaction_point": LoanField("text", False, "Điểm giao dịch", "Transaction point", (
        "Điểm giao dịch xã", "Điểm GD", "transaction_point"), 120),
    "entrusted_org": LoanField("org", False, "Hội đoàn thể nhận ủy thác", "Entrusted organisation",
        ("Tổ chức nhận ủy thác", "Hội nhận ủy thác", "Đơn vị nhận ủy thác", "Hội đoàn thể",
         "Ủy thác qua", "Entrusted org", "entrusted_org"), 60),
}  # fmt: skip
REQUIRED = tuple(f for f, spec in FIELDS.items() if spec.required)

#: A unit written after a heading, by the kind of field: folded unit → multiplier (đồng a
#: unit of a money column; months a unit of the term; 12 for a rate per month).
UNITS: dict[str, dict[str, int]] = {
    "money": {
        "": 1, "d": 1, "dong": 1, "vnd": 1, "nghindong": 1000, "ngandong": 1000,
        "1000dong": 1000, "1000d": 1000, "nghin": 1000, "thousandvnd": 1000,
        "trieudong": 10**6, "trieu": 10**6, "trd": 10**6, "millionvnd": 10**6,
    },
    "rate": {"": 1, "nam": 1, "peryear": 1, "year": 1, "thang": 12, "permonth": 12, "month": 12},
    "term": {"": 1, "thang": 1, "months": 1, "nam": 12, "years": 12},
}  # fmt: skip


@cache
def _heading_bases() -> tuple[tuple[str, str], ...]:
    """(folded heading, field), longest first so that a unit is never read as a heading."""
    pairs = {heading_key(h): f for f, s in FIELDS.items() for h in (s.vi, s.en, *s.headings)}
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def match_heading(heading: str) -> tuple[str, int] | None:
    """(field, unit multiplier) of a heading, or None: "Số tiền vay (triệu đồng)" →
    ("amount", 1000000), "Lãi suất (%/tháng)" → ("rate", 12)."""
    key = heading_key(heading)
    for base, f in _heading_bases():
        units = UNITS.get(FIELDS[f].kind, {"": 1})
        if key.startswith(base) and key[len(base) :] in units:
            return f, units[key[len(base) :]]
    return None


@dataclass(frozen=True)
class LoanColumns:
    """Which column of a sheet holds which field (the first one when two do), and the unit
    of each (đồng per unit of a money column, months per unit of the term, 12 for a rate per
    month). Built from the headings again when the rows are checked later."""

    sheet: str
    headings: tuple[str, ...]
    index: Mapping[str, int]
    scale: Mapping[str, int]

    @classmethod
    def from_headings(cls, headings: Sequence[str], sheet: str = "") -> LoanColumns:
        index: dict[str, int] = {}
        scale: dict[str, int] = {}
        for i, h in enumerate(headings):
            hit = match_heading(h) if h else None
            if hit is not None and hit[0] not in index:
                index[hit[0]], scale[hit[0]] = i, hit[1]
        return cls(sheet, tuple(headings), index, scale)

    def missing(self) -> list[str]:
        return [f for f in REQUIRED if f not in self.index]

    def where(self, f: str) -> tuple[str, str]:
        """(heading, column letter) of field ``f``; ("", "") without such a column."""
        i = self.index.get(f)
        return ("", "") if i is None else (self.headings[i], letter(i))

    def cells(self, row: Sequence[object]) -> dict[str, object]:
        return {f: row[i] if i < len(row) else None for f, i in self.index.items()}


# --- the template -----------------------------------------------------------------------------
#: The unit the template writes after a heading.
_TEMPLATE_UNITS = {
    "amount": " (đồng)", "rate": " (%/năm)", "term_months": " (tháng)", "outstanding": " (đồng)",
    "overdue": " (đồng)",
}  # fmt: skip
TITLE_ROWS = (
    "NGÂN HÀNG CHÍNH SÁCH XÃ HỘI",
    "PHÒNG GIAO DỊCH NHCSXH HUYỆN ………",
    "DANH SÁCH HỘ VAY VỐN NGÂN HÀNG CHÍNH SÁCH XÃ HỘI",
)


def template_headings() -> list[str]:
    """The template's heading row: "STT" then each field's heading with its unit."""
    return ["STT", *(spec.vi + _TEMPLATE_UNITS.get(f, "") for f, spec in FIELDS.items())]


def _example(as_of: dt.date | None) -> list[object]:
    year = as_of.year - 1 if as_of is not None else 2020
    disbursed = dt.date(year, 3, 15)
    values: dict[str, object] = {
        "contract_no": f"KU-{year}-000123", "household_code": "HN-0001",
        "borrower_name": "Nguyễn Văn A", "commune": "Xã …", "village": "Thôn 1",
        "programme": "Cho vay hộ nghèo", "amount": 50_000_000, "disbursed_on": disbursed,
        "rate": Decimal("6.6"), "term_months": 60, "due_on": dt.date(year + 5, 3, 15),
        "outstanding": 40_000_000, "overdue": 0, "savings_group": "Tổ TK&VV thôn 1",
        "transaction_point": "Điểm giao dịch xã …", "entrusted_org": "Hội Nông dân",
    }  # fmt: skip
    return [1, *(values[f] for f in FIELDS)]


def write_loan_template(out: Output, *, as_of: dt.date | None = None) -> None:
    """The .xlsx template in the bank's layout: title rows (with "Ngày số liệu: …", the date
    of the figures when given), the heading row, the column numbers, one example row, and a
    second sheet listing the columns and the programmes. It reads back without errors."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách hộ vay"
    headings = template_headings()
    bold = Font(bold=True)
    shown = as_of.strftime("%d/%m/%Y") if as_of is not None else "…/…/……"
    for line in (*TITLE_ROWS, f"Ngày số liệu: {shown}", ""):
        ws.append([line])
        ws.cell(ws.max_row, 1).font = bold
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(headings))
    ws.cell(3, 1).alignment = Alignment(horizontal="center")
    ws.append(headings)
    head_row = ws.max_row
    ws.append([f"({i})" for i in range(1, len(headings) + 1)])
    ws.append(_example(as_of))
    formats = {"money": "#,##0", "date": "DD/MM/YYYY", "rate": "0.00"}
    for i, spec in enumerate(FIELDS.values(), start=2):
        ws.cell(head_row + 2, i).number_format = formats.get(spec.kind, "General")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(headings[i - 1])))
    ws.column_dimensions["A"].width = 6
    for cell in ws[head_row]:
        cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = f"A{head_row + 2}"
    _guide(wb.create_sheet("Hướng dẫn"), bold)
    buffer = io.BytesIO()
    wb.save(buffer)
    if isinstance(out, str | PathLike):
        Path(out).write_bytes(buffer.getvalue())
    else:
        out.write(buffer.getvalue())


def _guide(ws: Any, bold: Any) -> None:
    """The columns (required or not, other headings accepted) and the programmes."""
    ws.append(["Cột / Column", "Bắt buộc / Required", "Tiêu đề khác được nhận / Also accepted"])
    for spec in FIELDS.values():
        ws.append(
            [f"{spec.vi} / {spec.en}", "x" if spec.required else "", ", ".join(spec.headings)]
        )
    ws.append([])
    ws.append(
        [
            "Chương trình / Programme",
            "Mức tối đa (đồng)",
            "Lãi suất (%/năm)",
            "Thời hạn tối đa (tháng)",
            "Căn cứ / Legal basis",
            "Tạm tính / Provisional",
        ]
    )
    for p in load_loan_programmes().values():
        ws.append(
            [
                p.name_vi,
                p.limit_vnd,
                None if p.rate_pct_year is None else p.rate_pct_year,
                p.max_term_months,
                p.legal_basis,
                "x" if p.provisional else "",
            ]
        )
    for row in (1, len(FIELDS) + 3):
        for cell in ws[row]:
            cell.font = bold
    for col, width in zip("ABCDEF", (40, 18, 60, 22, 40, 14), strict=True):
        ws.column_dimensions[col].width = width
