"""Staged import of a year's review (issue 4 §2). The template is documented in
``import_template.md`` next to this module.

1. ``import_upload`` stores the file (named by its SHA-256) and creates an ``ImportBatch``;
   the same file for the same unit, year and review kind returns the existing batch instead
   (re-importing the same file changes nothing).
2. ``import_validate`` streams the file once, in chunks: every row is kept (``ImportRow.raw``)
   with its errors per field, or with the normalised values the commit will write
   (``ImportRow.clean``). Each chunk is its own short transaction and advances the batch's
   ``done``/``total`` counters, so the web app can show progress while a worker thread or
   process runs it.
3. ``import_commit`` writes the valid rows in ONE transaction (bulk, chunked) as idempotent
   upserts on (commune, household code), members on (household, ID number or name and year of
   birth) and reviews on (household, year, kind[, date]). Any failure leaves nothing written.

``import_errors_xlsx`` gives the rows back with an error column and red cells;
``import_template_xlsx`` writes the template pre-filled with a commune's households and
their previous year's review.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from giamngheo.accounts.access import can_manage_unit, can_view_national_id
from giamngheo.core.identity import Sex as IdSex
from giamngheo.core.identity import check_citizen_id, mask_national_id, normalize_citizen_id
from giamngheo.core.standards import (
    InvalidHousehold,
    Standard,
    classify_household,
    get_standard,
    resolve_columns,
    standard_for,
)
from giamngheo.core.standards.headings import area_value, heading_key
from giamngheo.core.text import fold, unit_name_key
from giamngheo.geo.models import AdminUnit, Level, valid_on_q
from giamngheo.registry import progress
from giamngheo.registry.audit import audit
from giamngheo.registry.bulk import (
    bulk_session,
    insert_many,
    refresh_statistics,
)
from giamngheo.registry.models import (
    CAUSES,
    MEMBER_DATA_FIELDS,
    POLICY_FLAGS,
    EntryReason,
    Household,
    HouseholdStatus,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Member,
    Relationship,
    ReviewKind,
    ReviewRecord,
    ReviewState,
    Sex,
    name_key,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser

CHUNK = 2000
HOUSEHOLD = "household"
MEMBER = "member"

# ---------------------------------------------------------------------------------------------
# Headings (matched after folding case, diacritics, spaces and punctuation)
# ---------------------------------------------------------------------------------------------
CODE_HEADINGS = ("Mã hộ", "Mã hộ gia đình", "Mã số hộ", "household_id", "code")
HOUSEHOLD_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": CODE_HEADINGS,
    "commune_code": ("Mã xã", "commune_code"),
    "commune": ("Xã", "Tên xã", "Xã, phường, thị trấn", "commune", "commune_name"),
    "village": ("Thôn", "Thôn, tổ dân phố", "Thôn, làng", "Thôn/tổ dân phố", "village"),
    "head_name": ("Họ tên chủ hộ", "Họ và tên chủ hộ", "Chủ hộ", "head_name"),
    "address": ("Địa chỉ", "address"),
    "ethnic_minority": ("Hộ dân tộc thiểu số", "Hộ DTTS", "ethnic_minority"),
    "indigenous_minority": (
        "Hộ dân tộc thiểu số tại chỗ",
        "Hộ DTTS tại chỗ",
        "indigenous_minority",
    ),
    "no_labour_capacity": (
        "Hộ không có khả năng lao động",
        "Không có khả năng lao động",
        "no_labour_capacity",
    ),
    "merit_member": ("Có thành viên là người có công", "Người có công", "merit_member"),
    "social_assistance_member": (
        "Có thành viên hưởng bảo trợ xã hội",
        "Hưởng bảo trợ xã hội",
        "social_assistance_member",
    ),
    "female_head": ("Chủ hộ là nữ", "Chủ hộ nữ", "female_head"),
    "review_date": ("Ngày rà soát", "review_date"),
    "persons": ("Số nhân khẩu", "Số thành viên", "household_size", "persons"),
    "head_sex": ("Giới tính chủ hộ", "head_sex"),
    "head_birth": ("Năm sinh chủ hộ", "Ngày sinh chủ hộ", "head_birth"),
    "head_national_id": ("Số định danh chủ hộ", "CCCD chủ hộ", "head_national_id"),
    "head_ethnicity": ("Dân tộc chủ hộ", "head_ethnicity"),
    "entry_reason": ("Lý do vào sổ", "Hộ chuyển đến hoặc tách hộ", "entry_reason"),
    "entry_date": ("Ngày vào sổ", "Ngày chuyển đến hoặc tách hộ", "entry_date"),
    "came_from": ("Tách từ hộ", "Mã hộ gốc", "came_from"),
    **{f"cause_{k}": (vi, f"cause_{k}") for k, (vi, _en) in CAUSES.items()},
}
MEMBER_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": CODE_HEADINGS,
    "full_name": ("Họ tên", "Họ và tên", "full_name"),
    "sex": ("Giới tính", "sex"),
    "birth": ("Ngày sinh", "Năm sinh", "Ngày/năm sinh", "birth"),
    "relationship": ("Quan hệ với chủ hộ", "Quan hệ", "relationship"),
    "ethnicity": ("Dân tộc", "ethnicity"),
    "national_id": ("Số định danh cá nhân", "Số định danh", "Số CCCD", "national_id"),
    "health_insurance": ("Có bảo hiểm y tế", "BHYT", "health_insurance"),
    "in_school": ("Đang đi học", "in_school"),
    "disability": ("Khuyết tật", "Người khuyết tật", "disability"),
}
HOUSEHOLD_SHEET_NAMES = ("Hộ", "Hộ gia đình", "Danh sách hộ", "households")
MEMBER_SHEET_NAMES = ("Thành viên", "Nhân khẩu", "Thành viên hộ", "members")

_FLAG_FIELDS = ("ethnic_minority", *POLICY_FLAGS)
_TRUE = {"1", "x", "co", "c", "yes", "true", "dung"}
_FALSE = {"0", "khong", "k", "no", "false", ""}
_SEX = {"nam": Sex.MALE, "male": Sex.MALE, "m": Sex.MALE, "nu": Sex.FEMALE, "female": Sex.FEMALE}
_SEX.update({"f": Sex.FEMALE})
_RELATIONSHIP = {
    "chu ho": Relationship.HEAD,
    "head": Relationship.HEAD,
    "vo": Relationship.SPOUSE,
    "chong": Relationship.SPOUSE,
    "vo/chong": Relationship.SPOUSE,
    "vo chong": Relationship.SPOUSE,
    "spouse": Relationship.SPOUSE,
    "con": Relationship.CHILD,
    "con de": Relationship.CHILD,
    "con nuoi": Relationship.CHILD,
    "con dau": Relationship.CHILD,
    "con re": Relationship.CHILD,
    "child": Relationship.CHILD,
    "bo": Relationship.PARENT,
    "me": Relationship.PARENT,
    "cha": Relationship.PARENT,
    "bo/me": Relationship.PARENT,
    "cha/me": Relationship.PARENT,
    "parent": Relationship.PARENT,
    "chau": Relationship.GRANDCHILD,
    "grandchild": Relationship.GRANDCHILD,
    "anh": Relationship.SIBLING,
    "chi": Relationship.SIBLING,
    "em": Relationship.SIBLING,
    "anh/chi/em": Relationship.SIBLING,
    "sibling": Relationship.SIBLING,
    "khac": Relationship.OTHER,
    "other": Relationship.OTHER,
}
MAX_AGE = 120
#: «Lý do vào sổ» cell (folded) → ``Household.entry_reason``.
_ENTRY_REASONS = {
    "chuyen den": EntryReason.MOVED_IN,
    "moved in": EntryReason.MOVED_IN,
    "moved_in": EntryReason.MOVED_IN,
    "tach ho": EntryReason.SPLIT_OFF,
    "split off": EntryReason.SPLIT_OFF,
    "split_off": EntryReason.SPLIT_OFF,
}


@lru_cache(maxsize=4096)
def cfold(text: str) -> str:
    """``fold`` for the few distinct values of a column (sex, ethnicity, relationship …)."""
    return fold(text)


@lru_cache(maxsize=4096)
def _village_key(name: str) -> str:
    return unit_name_key(name)


def is_minority(ethnicity: str) -> bool:
    """An ethnicity other than Kinh (blank: unknown, not a minority)."""
    key = cfold(ethnicity)
    return bool(key) and key not in {"kinh", "viet", "viet (kinh)"}


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
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


class ImportFileError(ValueError):
    """The file cannot be read as a template (bilingual, naming the file and sheet)."""

    def __init__(self, file: str, vi: str, en: str, sheet: str = "") -> None:
        self.file, self.sheet, self.message_vi, self.message_en = file, sheet, vi, en
        where = f"{file} [{sheet}]" if sheet else file
        super().__init__(f"{where}: {vi} / {en}")

    def as_dict(self) -> dict[str, str]:
        return {
            "field": "",
            "column": "",
            "letter": "",
            "code": "file",
            "sheet": self.sheet,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---------------------------------------------------------------------------------------------
# Reading .xlsx / .csv as sheets of rows
# ---------------------------------------------------------------------------------------------
@dataclass
class SheetSource:
    name: str
    headings: list[str]
    rows: Iterator[tuple[int, list[object]]]  # (1-based row number, cells)
    estimated_rows: int
    #: row number → {column index: the error shown in the cell, e.g. "#REF!"}
    error_cells: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass
class SheetRef:
    """A sheet not read yet: its name, a row count hint for progress (0 when unknown), and how
    to read it. A workbook's sheets are read one after the other, so only one is in memory."""

    name: str
    estimated_rows: int
    open: Callable[[], SheetSource]


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: object) -> object:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _find_heading_row(
    first_rows: list[tuple[int, list[object]]],
) -> int | None:
    codes = {heading_key(h) for h in CODE_HEADINGS}
    for i, (_n, cells) in enumerate(first_rows):
        if any(isinstance(c, str) and heading_key(c) in codes for c in cells):
            return i
    return None


def _rows_after_heading(
    file_name: str, sheet: str, it: Iterator[tuple[int, list[object]]], estimated: int
) -> SheetSource:
    first: list[tuple[int, list[object]]] = []
    for item in it:
        first.append(item)
        if len(first) >= 10:
            break
    at = _find_heading_row(first)
    if at is None:
        raise ImportFileError(
            file_name,
            "không tìm thấy dòng tiêu đề có cột «Mã hộ»",
            "no heading row with a 'Mã hộ' (household code) column",
            sheet,
        )
    headings = ["" if c is None else str(c).strip() for c in first[at][1]]
    while headings and not headings[-1]:
        headings.pop()
    rest = first[at + 1 :]

    width = len(headings)

    def rows() -> Iterator[tuple[int, list[object]]]:
        for n, cells in (*rest, *it):
            # Empty cells are None (calamine gives ""); dates become ISO text.
            vals = [
                None if c == "" else c if type(c) in _PLAIN else _jsonable(c) for c in cells[:width]
            ]
            if all(v is None or (type(v) is str and not v.strip()) for v in vals):
                continue
            if len(vals) < width:
                vals += [None] * (width - len(vals))
            yield n, vals

    return SheetSource(sheet, headings, rows(), max(estimated - first[at][0], 0))


def _sheet_role(name: str) -> str:
    key = heading_key(name)
    if key in {heading_key(n) for n in MEMBER_SHEET_NAMES}:
        return MEMBER
    if key in {heading_key(n) for n in HOUSEHOLD_SHEET_NAMES}:
        return HOUSEHOLD
    return ""


#: Spreadsheet formats accepted besides CSV: Excel 2007+ and OpenDocument (LibreOffice; the
#: open format government offices are asked to use). calamine also reads Excel 97–2003 .xls,
#: which is refused with a "save as .xlsx" message until a test covers it.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
UPLOAD_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")


def unsupported_format_message(suffix: str) -> tuple[str, str]:
    """(Vietnamese, English) refusal of a file of this suffix."""
    if suffix in (".xls", ".xlsb"):
        return (
            f"tệp {suffix} (Excel cũ) chưa được nhận: mở bằng Excel hoặc LibreOffice và lưu"
            " lại thành .xlsx",
            f"{suffix} files (old Excel) are not accepted yet: open it in Excel or LibreOffice"
            " and save it as .xlsx",
        )
    return (
        "chỉ nhận tệp .xlsx, .ods hoặc .csv",
        "only .xlsx, .ods or .csv files are accepted",
    )


def read_sheets(path: Path, file_name: str) -> tuple[str, list[tuple[str, SheetRef]]]:
    """The layout ("two" or "flat") and the sheets to read, households first.

    Workbooks are read with calamine (Rust), about ten times faster than openpyxl on a
    100,000-household file. calamine holds a whole sheet in memory (about 100 bytes a cell);
    the sheets are therefore opened one at a time, when the validation reaches them, and the
    upload size limit bounds the largest."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        src = _read_csv(path, file_name)
        return "flat", [(HOUSEHOLD, SheetRef(src.name, src.estimated_rows, lambda: src))]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ImportFileError(file_name, *unsupported_format_message(suffix))
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        titles = list(wb.sheet_names)
    except Exception as exc:  # calamine raises its own error types, and zip/IO errors
        raise ImportFileError(
            file_name,
            f"không đọc được tệp bảng tính ({exc})",
            f"cannot read the spreadsheet ({exc})",
        ) from exc
    if not titles:
        raise ImportFileError(file_name, "tệp không có trang nào", "the workbook has no sheet")
    heights = xlsx_sheet_rows(path) if suffix in (".xlsx", ".xlsm") else {}
    roles = {t: _sheet_role(t) for t in titles}
    hh_sheets = [t for t, r in roles.items() if r == HOUSEHOLD]
    mem_sheets = [t for t, r in roles.items() if r == MEMBER]

    def opener(title: str) -> Callable[[], SheetSource]:
        def open_sheet() -> SheetSource:
            try:
                sheet = wb.get_sheet_by_name(title)
            except Exception as exc:
                raise ImportFileError(
                    file_name,
                    f"không đọc được trang «{title}» ({exc})",
                    f"cannot read sheet '{title}' ({exc})",
                    title,
                ) from exc
            # calamine yields rows from the first row of the sheet, but cells from the first
            # non-empty column: put the columns back where they are in the file.
            lead = [None] * (sheet.start[1] if sheet.start else 0)
            height = sheet.end[0] + 1 if sheet.end else 0
            errors = xlsx_error_cells(path, title) if suffix in (".xlsx", ".xlsm") else {}

            def it() -> Iterator[tuple[int, list[object]]]:
                for i, r in enumerate(sheet.iter_rows(), start=1):
                    cells: list[object] = [*lead, *r]
                    for col, text in errors.get(i, {}).items():
                        if col < len(cells):
                            cells[col] = text  # kept as the file shows it (raw, error file)
                    yield i, cells

            src = _rows_after_heading(file_name, title, it(), height)
            src.error_cells = errors
            return src

        return open_sheet

    def ref(title: str) -> SheetRef:
        return SheetRef(title, max(heights.get(title, 0) - 1, 0), opener(title))

    if mem_sheets:
        if not hh_sheets:
            raise ImportFileError(
                file_name,
                f"có trang «{mem_sheets[0]}» nhưng không có trang «Hộ»",
                f"sheet '{mem_sheets[0]}' found but no 'Hộ' (households) sheet",
            )
        return "two", [(HOUSEHOLD, ref(hh_sheets[0])), (MEMBER, ref(mem_sheets[0]))]
    first = hh_sheets[0] if hh_sheets else titles[0]
    return "flat", [(HOUSEHOLD, ref(first))]


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"")


def _xlsx_sheet_members(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → the package member holding its XML."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    out: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out[sheet.get("name", "")] = member
    return out


_XLSX_ERRORS = (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError)


def xlsx_sheet_rows(path: Path) -> dict[str, int]:
    """Sheet title → last row number, from the ``<dimension>`` each worksheet declares at its
    top (Excel and LibreOffice write it): a progress hint read without loading the sheets.
    Sheets without one, or an unreadable package, are left out."""
    out: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as z:
            for title, member in _xlsx_sheet_members(z).items():
                with z.open(member) as fh:
                    head = fh.read(4096)
                m = _DIMENSION.search(head)
                if m:
                    out[title] = int(m.group(1) or 1)
    except _XLSX_ERRORS:
        return out
    return out


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ERROR_SCAN_CHUNK = 1 << 22  # bytes of sheet XML per read
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")


def xlsx_error_cells(path: Path, title: str) -> dict[int, dict[int, str]]:
    """Row number → {column index (0-based): error text} of the cells of sheet ``title`` that
    hold an error (``t="e"``: #REF!, #N/A, #VALUE!… — a broken formula). calamine reads them as
    empty cells, which would silently turn a broken flag into 0; this streams the sheet's XML
    (no tree is built) so the import can refuse them instead."""
    from openpyxl.utils import column_index_from_string

    out: dict[int, dict[int, str]] = {}
    marker = b't="e"'
    try:
        with zipfile.ZipFile(path) as z:
            member = _xlsx_sheet_members(z).get(title)
            if member is None:
                return out
            with z.open(member) as fh:
                buf, eof = b"", False
                while not eof:
                    chunk = fh.read(_ERROR_SCAN_CHUNK)
                    eof = not chunk
                    buf += chunk
                    at, carry = 0, -1
                    while (hit := buf.find(marker, at)) >= 0:
                        begin = buf.rfind(b"<c ", at, hit)
                        end = buf.find(b"</c>", hit)
                        if end < 0 and not eof:  # the cell goes on in the next chunk
                            carry = begin if begin >= 0 else hit
                            break
                        cell = buf[max(begin, 0) : end if end >= 0 else len(buf)]
                        ref, value = _CELL_REF.search(cell), _CELL_VALUE.search(cell)
                        if ref is not None:
                            col = column_index_from_string(ref.group(1).decode()) - 1
                            text = value.group(1).decode() if value else ""
                            out.setdefault(int(ref.group(2)), {})[col] = text or "#ERROR"
                        at = end + 4 if end >= 0 else len(buf)
                    if carry < 0:  # keep enough for a cell whose marker is in the next chunk
                        carry = max(at, len(buf) - 4096)
                    buf = buf[carry:]
    except _XLSX_ERRORS:
        return out
    return out


def _read_csv(path: Path, file_name: str) -> SheetSource:
    try:
        head = path.open(encoding="utf-8-sig").readline()
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            file_name, "tệp CSV phải mã hóa UTF-8", "the CSV file must be UTF-8 encoded"
        ) from exc
    delimiter = max((";", ",", "\t"), key=head.count)
    with path.open("rb") as fh:
        estimated = sum(1 for _ in fh)

    def it() -> Iterator[tuple[int, list[object]]]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for i, row in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                yield i, list(row)

    try:
        return _rows_after_heading(file_name, "CSV", it(), estimated)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            file_name, "tệp CSV phải mã hóa UTF-8", "the CSV file must be UTF-8 encoded"
        ) from exc


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------
def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_FAST_FLAGS: dict[object, bool] = {"0": False, "1": True, "": False, None: False, 0: False, 1: True}
_MISS = object()


def _flag(v: object) -> bool | None:
    """0/1, x, có/không; blank is 0. None when unreadable."""
    hit = _FAST_FLAGS.get(v, _MISS)
    if hit is not _MISS:
        return bool(hit)
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return bool(v) if v in (0, 1) else None
    key = cfold(_text(v))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _birth(v: object) -> tuple[dt.date | None, int] | None:
    """(date or None, year) from a date, a year, "dd/mm/yyyy" or "yyyy-mm-dd"."""
    if isinstance(v, dt.date):
        d = v.date() if isinstance(v, dt.datetime) else v
        return d, d.year
    text = _text(v)
    if text.isdigit() and len(text) == 4:
        return None, int(text)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            d = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return d, d.year
    return None


def _date(v: object) -> dt.date | None:
    b = _birth(v)
    return b[0] if b is not None else None


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _HH:
    """What the later passes need to know about a household row."""

    row_number: int
    commune_id: int
    valid: bool
    female_head: bool
    ethnic_minority: bool
    head_key: str
    persons: int | None
    members: int = 0
    heads: list[tuple[str, str]] = field(default_factory=list)  # (sex, name key)
    spouse_minority: bool = False
    member_bad_rows: list[int] = field(default_factory=list)


class _Columns:
    """Heading → field for one sheet, and the column of each field."""

    def __init__(self, headings: Sequence[str], wanted: Mapping[str, tuple[str, ...]]) -> None:
        keys = {heading_key(h): f for f, hs in wanted.items() for h in hs}
        self.index: dict[str, int] = {}
        self.headings = list(headings)
        self.rest: list[int] = []
        for i, h in enumerate(headings):
            f = keys.get(heading_key(h)) if h else None
            if f is not None and f not in self.index:
                self.index[f] = i
            elif h:
                self.rest.append(i)

    def has(self, f: str) -> bool:
        return f in self.index

    def get(self, cells: Sequence[object], f: str) -> object:
        i = self.index.get(f)
        return None if i is None else cells[i]

    def where(self, f: str) -> tuple[str, str]:
        i = self.index.get(f)
        return ("", "") if i is None else (self.headings[i], _letter(i))


class _Validator:
    def __init__(self, batch: ImportBatch, std: Standard) -> None:
        self.batch = batch
        self.std = std
        self.year = batch.year
        on = dt.date(batch.year, 12, 31)
        communes = list(
            AdminUnit.objects.descendants_of(batch.scope)
            .filter(level=Level.COMMUNE)
            .filter(valid_on_q(on))
        )
        self.scope_is_commune = batch.scope.level == Level.COMMUNE
        self.by_code = {c.code: c for c in communes}
        self.by_name: dict[str, list[AdminUnit]] = {}
        for c in communes:
            self.by_name.setdefault(c.name_key, []).append(c)
        self.villages: dict[tuple[int, str], int] = {
            (v.parent_id, v.name_key): v.pk
            for v in AdminUnit.objects.filter(parent__in=communes, level=Level.VILLAGE).only(
                "pk", "parent_id", "name_key"
            )
            if v.parent_id is not None
        }
        self.households: dict[str, _HH] = {}
        self.ids: dict[str, tuple[str, int]] = {}  # national id → (household code, row)

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def err(cols: _Columns, f: str, code: str, vi: str, en: str) -> RowError:
        column, letter = cols.where(f)
        return RowError(f, column, letter, code, vi, en)

    def flag(
        self, cols: _Columns, cells: Sequence[object], f: str, errors: list[RowError]
    ) -> bool | None:
        """A 0/1 (or x) cell; ``None`` with a ``bad_flag`` error added when it is neither."""
        raw = cols.get(cells, f)
        val = _flag(raw)
        if val is None:
            errors.append(
                self.err(
                    cols,
                    f,
                    "bad_flag",
                    f"phải là 0 hoặc 1 (hoặc x), không phải «{_text(raw)}»",
                    f"must be 0 or 1 (or x), not '{_text(raw)}'",
                )
            )
        return val

    def commune_of(self, cols: _Columns, cells: Sequence[object]) -> AdminUnit | RowError:
        code = _text(cols.get(cells, "commune_code"))
        name = _text(cols.get(cells, "commune"))
        if code:
            unit = self.by_code.get(code.zfill(5) if code.isdigit() else code)
            if unit is None:
                return self.err(
                    cols,
                    "commune_code",
                    "unknown_commune",
                    f"mã xã «{code}» không có trong {self.batch.scope}",
                    f"commune code '{code}' is not in {self.batch.scope}",
                )
            return unit
        if name:
            hits = self.by_name.get(unit_name_key(name), [])
            if len(hits) == 1:
                return hits[0]
            return self.err(
                cols,
                "commune",
                "unknown_commune",
                f"xã «{name}» không có (hoặc không rõ) trong {self.batch.scope}",
                f"commune '{name}' is unknown (or ambiguous) in {self.batch.scope}",
            )
        if self.scope_is_commune and self.batch.scope.code in self.by_code:
            return self.by_code[self.batch.scope.code]
        return self.err(
            cols,
            "commune_code",
            "unknown_commune",
            "thiếu mã xã hoặc tên xã",
            "the commune code or name is missing",
        )

    def member_checks(
        self,
        cols: _Columns,
        *,
        code: str,
        row_number: int,
        sex_f: str,
        birth_f: str,
        id_f: str,
        sex_v: object,
        birth_v: object,
        id_v: object,
        errors: list[RowError],
        masked: Mapping[tuple[str, str], str],
    ) -> dict[str, Any]:
        """Sex, birth and ID of a member (or of the head in the flat layout)."""
        out: dict[str, Any] = {}
        sex = _SEX.get(cfold(_text(sex_v)))
        if sex is None:
            errors.append(
                self.err(
                    cols,
                    sex_f,
                    "bad_sex",
                    f"giới tính phải là Nam hoặc Nữ, không phải «{_text(sex_v)}»",
                    f"sex must be Nam (male) or Nữ (female), not '{_text(sex_v)}'",
                )
            )
        out["sex"] = sex
        birth = _birth(birth_v)
        year: int | None = None
        if birth is None:
            errors.append(
                self.err(
                    cols,
                    birth_f,
                    "bad_birth",
                    f"ngày/năm sinh không đọc được: «{_text(birth_v)}»",
                    f"unreadable date or year of birth: '{_text(birth_v)}'",
                )
            )
        else:
            year = birth[1]
            age = self.year - year
            if age < 0 or age > MAX_AGE:
                errors.append(
                    self.err(
                        cols,
                        birth_f,
                        "impossible_age",
                        f"năm sinh {year}: tuổi {age} vào năm {self.year} là không thể",
                        f"born {year}: an age of {age} in {self.year} is impossible",
                    )
                )
            out["birth_date"] = birth[0].isoformat() if birth[0] else None
            out["birth_year"] = year
        raw_id = _text(id_v)
        nid = ""
        if raw_id and "*" in raw_id:
            nid = masked.get((code, raw_id), "")
            if not nid:
                errors.append(
                    self.err(
                        cols,
                        id_f,
                        "id_masked",
                        f"số định danh «{raw_id}» bị che và không khớp thành viên nào của hộ;"
                        " hãy ghi đủ 12 chữ số",
                        f"the ID '{raw_id}' is masked and matches no member of the household;"
                        " write all 12 digits",
                    )
                )
        elif raw_id:
            nid = normalize_citizen_id(raw_id)
            check = check_citizen_id(
                nid,
                sex=IdSex(sex) if sex else None,
                birth_year=year,
                as_of_year=self.year if year is not None and year <= self.year else None,
            )
            for p in check.problems:
                errors.append(self.err(cols, id_f, f"id_{p.code}", p.message_vi, p.message_en))
        if nid:
            first = self.ids.get(nid)
            if first is not None:
                other_code, other_row = first
                errors.append(
                    self.err(
                        cols,
                        id_f,
                        "duplicate_national_id",
                        f"số định danh đã có ở dòng {other_row} (hộ {other_code})",
                        f"the same ID is on row {other_row} (household {other_code})",
                    )
                )
            else:
                self.ids[nid] = (code, row_number)
        out["national_id"] = nid
        return out


def _db_member_ids(
    ids: Sequence[str],
) -> dict[str, tuple[int, str]]:
    """national id → (commune id, household code) of the members already registered."""
    out: dict[str, tuple[int, str]] = {}
    for nid, commune_id, code in (
        Member.objects.filter(national_id__in=ids)
        .order_by()
        .values_list("national_id", "household__commune_id", "household__code")
    ):
        out[nid] = (commune_id, code)
    return out


def _masked_ids(pairs: set[tuple[int, str]]) -> dict[tuple[str, str], str]:
    """(household code, masked id) → full id of existing members of these households."""
    out: dict[tuple[str, str], str] = {}
    for cid, codes in _by_commune(pairs).items():
        for code, nid in (
            Member.objects.filter(household__commune_id=cid, household__code__in=codes)
            .exclude(national_id="")
            .values_list("household__code", "national_id")
        ):
            out[(code, mask_national_id(nid))] = nid
    return out


ROW_FIELDS = ("batch_id", "sheet", "kind", "row_number", "key", "raw", "clean", "errors", "valid")
Staged = tuple[int, str, str, int, str, list[object], dict[str, Any], list[dict[str, str]], bool]


def _staged(  # noqa: PLR0917
    batch: ImportBatch,
    sheet: str,
    kind: str,
    n: int,
    key: str,
    cells: list[object],
    errors: list[RowError],
    clean: dict[str, Any],
) -> Staged:
    return (
        batch.pk,
        sheet,
        kind,
        n,
        key[:32],
        cells,
        {} if errors else clean,
        [e.as_dict() for e in errors],
        not errors,
    )


def _current_reviews(
    household_ids: Sequence[int], year: int, kind: str, *fields: str
) -> list[dict[str, Any]]:
    """The uncorrected reviews of these households for (year, kind). Filtered by household
    only in SQL, the rest in Python: with year and kind in the query, SQLite's planner (without
    statistics) picks the (year, kind, classification) index and scans every review."""
    if not household_ids:
        return []
    return [
        r
        for r in ReviewRecord.objects.current()
        .filter(household_id__in=household_ids)
        .order_by()
        .values("pk", "household_id", "year", "kind", "review_date", "state", *fields)
        if r["year"] == year and r["kind"] == kind
    ]


def _flush(batch: ImportBatch, rows: list[Staged], done: int, total: int) -> None:
    with transaction.atomic():
        insert_many(ImportRow, ROW_FIELDS, rows)
        ImportBatch.objects.filter(pk=batch.pk).update(done=done, total=max(total, done))


def _review_key(kind: str, review_date: str) -> str:
    return review_date if kind == ReviewKind.ADHOC else ""


def _entry_of(
    v: _Validator,
    cols: _Columns,
    cells: Sequence[object],
    review_date: dt.date | None,
    errors: list[RowError],
) -> dict[str, str] | None:
    """How the household came into the registry, when the row says it: reason, date (not
    after the review) and, for a split, the code of the household it split from."""
    reason_raw = _text(cols.get(cells, "entry_reason"))
    date_raw = cols.get(cells, "entry_date")
    came_raw = _text(cols.get(cells, "came_from"))
    if not reason_raw and _blank(date_raw) and not came_raw:
        return None
    reason = _ENTRY_REASONS.get(cfold(reason_raw)) if reason_raw else None
    if reason is None:
        errors.append(
            v.err(
                cols,
                "entry_reason",
                "bad_entry_reason",
                f"lý do vào sổ phải là «Chuyển đến» hoặc «Tách hộ», không phải «{reason_raw}»",
                f"the entry reason must be 'Chuyển đến' (moved in) or 'Tách hộ' (split off),"
                f" not '{reason_raw}'",
            )
        )
    on = _date(date_raw)
    if on is None or (review_date is not None and on > review_date):
        errors.append(
            v.err(
                cols,
                "entry_date",
                "bad_entry_date",
                "ngày vào sổ phải là một ngày, không sau ngày rà soát",
                "the entry date must be a date, not after the review date",
            )
        )
    if came_raw and reason != EntryReason.SPLIT_OFF:
        errors.append(
            v.err(
                cols,
                "came_from",
                "came_from_not_split",
                "chỉ hộ tách ra mới ghi «Tách từ hộ»",
                "only a household that split off names the household it came from",
            )
        )
    if reason is None or on is None:
        return None
    return {"reason": reason.value, "date": on.isoformat(), "came_from": came_raw[:32]}


def _households_chunk(
    v: _Validator,
    cols: _Columns,
    engine_cols: dict[str, int],
    sheet: str,
    chunk: list[tuple[int, list[object]]],
    *,
    flat: bool,
) -> list[Staged]:
    batch, std = v.batch, v.std
    parsed: list[tuple[int, list[object], list[RowError], dict[str, Any]]] = []
    for n, cells in chunk:
        errors: list[RowError] = []
        clean: dict[str, Any] = {}
        code = _text(cols.get(cells, "code"))
        if not code:
            errors.append(
                v.err(cols, "code", "missing_code", "thiếu mã hộ", "household code missing")
            )
        elif len(code) > 32:
            errors.append(
                v.err(cols, "code", "bad_code", "mã hộ dài quá 32 ký tự", "code over 32 chars")
            )
        elif code in v.households:
            errors.append(
                v.err(
                    cols,
                    "code",
                    "duplicate_code",
                    f"mã hộ {code} trùng với dòng {v.households[code].row_number}",
                    f"household code {code} repeats row {v.households[code].row_number}",
                )
            )
        clean["code"] = code
        commune = v.commune_of(cols, cells)
        if isinstance(commune, RowError):
            errors.append(commune)
            commune_id, area = 0, ""
        else:
            commune_id, area = commune.pk, commune.area
            clean["commune"], clean["area"] = commune_id, area
            vname = _text(cols.get(cells, "village"))
            clean["village"] = None
            if vname:
                vid = v.villages.get((commune_id, _village_key(vname)))
                if vid is None:
                    errors.append(
                        v.err(
                            cols,
                            "village",
                            "unknown_village",
                            f"thôn «{vname}» không thuộc {commune.name}",
                            f"village '{vname}' is not in {commune.name}",
                        )
                    )
                clean["village"] = vid
        head = _text(cols.get(cells, "head_name"))
        if not head:
            errors.append(
                v.err(cols, "head_name", "missing_head_name", "thiếu họ tên chủ hộ", "head missing")
            )
        clean["head_name"] = head
        clean["address"] = _text(cols.get(cells, "address"))[:300]
        for f in _FLAG_FIELDS:
            clean[f] = bool(v.flag(cols, cells, f, errors))
        causes = []
        for k in CAUSES:
            if v.flag(cols, cells, f"cause_{k}", errors):
                causes.append(k)
        clean["causes"] = causes
        if clean["indigenous_minority"] and not clean["ethnic_minority"]:
            errors.append(
                v.err(
                    cols,
                    "indigenous_minority",
                    "flag_conflict",
                    "hộ DTTS tại chỗ nhưng không phải hộ dân tộc thiểu số",
                    "local indigenous minority but not an ethnic-minority household",
                )
            )
        # review date
        rd_raw = cols.get(cells, "review_date")
        rd: dt.date | None = batch.review_date_default
        if not _blank(rd_raw) or batch.kind == ReviewKind.ADHOC:
            rd = _date(rd_raw)
            if rd is None or rd.year != batch.year:
                errors.append(
                    v.err(
                        cols,
                        "review_date",
                        "bad_review_date",
                        f"ngày rà soát phải là một ngày trong năm {batch.year}",
                        f"the review date must be a date in {batch.year}",
                    )
                )
        clean["review_date"] = rd.isoformat() if rd else None
        persons_raw = cols.get(cells, "persons")
        persons: int | None = None
        if not _blank(persons_raw):
            try:
                persons = int(float(_text(persons_raw)))
                if persons < 1 or persons > 99:
                    raise ValueError
            except ValueError:
                errors.append(
                    v.err(
                        cols,
                        "persons",
                        "bad_persons",
                        f"số nhân khẩu không hợp lệ: «{_text(persons_raw)}»",
                        f"invalid number of persons: '{_text(persons_raw)}'",
                    )
                )
                persons = None
        clean["persons"] = persons
        clean["entry"] = _entry_of(v, cols, cells, rd, errors)
        # the standards engine
        record: dict[str, object] = {"household_id": code or "?", "area": area or None}
        for canon, i in engine_cols.items():
            if canon != "area" or not _blank(cells[i]):
                record[canon] = cells[i]
        if "area" in engine_cols and area and not _blank(cells[engine_cols["area"]]):
            given = area_value(_text(cells[engine_cols["area"]]))
            if given is not None and given != area:
                errors.append(
                    RowError(
                        "area",
                        cols.headings[engine_cols["area"]],
                        _letter(engine_cols["area"]),
                        "area_mismatch",
                        f"khu vực khác với khu vực của xã ({area})",
                        f"the area differs from the commune's ({area})",
                    )
                )
        try:
            res = classify_household(record, std)
        except InvalidHousehold as exc:
            for e in exc.errors:
                col_i = engine_cols.get(e.field)
                errors.append(
                    RowError(
                        e.field,
                        cols.headings[col_i] if col_i is not None else "",
                        _letter(col_i) if col_i is not None else "",
                        "engine",
                        e.message_vi,
                        e.message_en,
                    )
                )
        else:
            inputs: dict[str, object] = {}
            if res.income is not None:
                inputs["income"] = res.income
            if res.income_score is not None:
                inputs["income_score"] = res.income_score
            deprived = set(res.deprived)  # the engine parsed the flags: reuse them
            for ind in std.indicators:
                inputs[ind.column] = int(ind.key in deprived)
            clean["inputs"] = inputs
            clean["result"] = {
                "classification": res.classification,
                "poor_basis": res.poor_basis,
                "deprivation_count": res.deprivation_count,
                "deprived": list(res.deprived),
                "explanation_vi": res.explanation_vi,
                "explanation_en": res.explanation_en,
            }
        # the head, in the flat layout
        clean["head"] = None
        if flat and any(
            cols.has(f) and not _blank(cols.get(cells, f))
            for f in ("head_sex", "head_birth", "head_national_id")
        ):
            h = v.member_checks(
                cols,
                code=code,
                row_number=n,
                sex_f="head_sex",
                birth_f="head_birth",
                id_f="head_national_id",
                sex_v=cols.get(cells, "head_sex"),
                birth_v=cols.get(cells, "head_birth"),
                id_v=cols.get(cells, "head_national_id"),
                errors=errors,
                masked={},
            )
            eth = _text(cols.get(cells, "head_ethnicity"))
            h.update(
                full_name=head,
                relationship=Relationship.HEAD,
                ethnicity=eth,
                health_insurance=False,
                in_school=False,
                disability=False,
            )
            clean["head"] = h
            if h["sex"] and clean["female_head"] != (h["sex"] == Sex.FEMALE):
                errors.append(
                    v.err(
                        cols,
                        "female_head",
                        "flag_conflict",
                        "cờ «chủ hộ là nữ» trái với giới tính của chủ hộ",
                        "the female-head flag contradicts the head's sex",
                    )
                )
            if is_minority(eth) and not clean["ethnic_minority"]:
                errors.append(
                    v.err(
                        cols,
                        "ethnic_minority",
                        "flag_conflict",
                        f"chủ hộ là người dân tộc {eth} nhưng hộ không đánh dấu là hộ DTTS",
                        f"the head is {eth} but the household is not marked ethnic-minority",
                    )
                )
        parsed.append((n, cells, errors, clean))
        if code and code not in v.households:
            v.households[code] = _HH(
                row_number=n,
                commune_id=commune_id,
                valid=False,
                female_head=clean["female_head"],
                ethnic_minority=clean["ethnic_minority"],
                head_key=name_key(head),
                persons=persons,
            )

    # -- against the database ------------------------------------------------------------
    keys = {(c["commune"], c["code"]) for _n, _c, _e, c in parsed if c.get("commune")}
    existing: dict[tuple[int, str], tuple[int, str]] = {
        (r["commune_id"], r["code"]): (r["pk"], r["status"])
        for r in households_by_key(keys, "status")
    }
    approved: dict[tuple[int, str], dict[str, Any]] = {}
    if existing:
        for r in _current_reviews(
            [pk for pk, _s in existing.values()],
            batch.year,
            batch.kind,
            "inputs",
            "causes",
        ):
            if r["state"] != ReviewState.APPROVED:
                continue
            approved[(r["household_id"], _review_key(batch.kind, r["review_date"].isoformat()))] = r
    sources = _split_sources(
        {(c["commune"], c["entry"]["came_from"]) for _n, _c, _e, c in parsed if _came_from(c)}
    )
    for _n, _c, errors, clean in parsed:
        if _came_from(clean):
            key = (clean["commune"], clean["entry"]["came_from"])
            if key[1] == clean["code"]:
                errors.append(
                    v.err(
                        cols,
                        "came_from",
                        "came_from_itself",
                        "một hộ không tách từ chính nó",
                        "a household cannot split off from itself",
                    )
                )
            elif key in sources:
                clean["entry"]["came_from_id"] = sources[key]
            else:
                errors.append(
                    v.err(
                        cols,
                        "came_from",
                        "unknown_source_household",
                        f"hộ gốc «{key[1]}» không có trong sổ của xã",
                        f"household '{key[1]}' (split from) is not in the commune's registry",
                    )
                )
    head_ids = [c["head"]["national_id"] for _n, _c, _e, c in parsed if c.get("head")]
    db_ids = _db_member_ids([i for i in head_ids if i])
    for _n, _cells, errors, clean in parsed:
        key = (clean.get("commune", 0), clean["code"])
        found = existing.get(key)
        if found is not None:
            pk, status = found
            if status != HouseholdStatus.ACTIVE:
                errors.append(
                    v.err(
                        cols,
                        "code",
                        "household_not_active",
                        f"hộ {clean['code']} không còn trong sổ (tình trạng: {status})",
                        f"household {clean['code']} is no longer active ({status})",
                    )
                )
            appr = approved.get((pk, _review_key(batch.kind, clean["review_date"] or "")))
            if appr is not None and (
                appr["inputs"] != clean.get("inputs")
                or sorted(appr["causes"]) != sorted(clean["causes"])
            ):
                errors.append(
                    v.err(
                        cols,
                        "code",
                        "approved_review",
                        f"hộ {clean['code']} đã có phiếu rà soát {batch.year} được phê duyệt với"
                        " số liệu khác; hãy lập phiếu điều chỉnh",
                        f"household {clean['code']} has an approved {batch.year} review with"
                        " other data; make a correction instead",
                    )
                )
        head_member = clean.get("head")
        if head_member and head_member["national_id"] in db_ids:
            other_cid, other_code = db_ids[head_member["national_id"]]
            if (other_cid, other_code) != key:
                errors.append(
                    v.err(
                        cols,
                        "head_national_id",
                        "national_id_other_household",
                        f"số định danh đã thuộc một thành viên của hộ {other_code}",
                        f"the ID belongs to a member of household {other_code}",
                    )
                )
    return [
        _staged(batch, sheet, HOUSEHOLD, n, clean["code"], cells, errors, clean)
        for n, cells, errors, clean in parsed
    ]


def _came_from(clean: Mapping[str, Any]) -> bool:
    return bool(clean.get("commune") and clean.get("entry") and clean["entry"]["came_from"])


def _split_sources(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(commune id, code) → pk of the registered households a split names as its source."""
    return {(r["commune_id"], r["code"]): r["pk"] for r in households_by_key(keys)}


def _members_chunk(
    v: _Validator, cols: _Columns, sheet: str, chunk: list[tuple[int, list[object]]]
) -> list[Staged]:
    pairs = set()
    for _n, cells in chunk:
        raw_id = _text(cols.get(cells, "national_id"))
        hh = v.households.get(_text(cols.get(cells, "code")))
        if "*" in raw_id and hh is not None:
            pairs.add((hh.commune_id, _text(cols.get(cells, "code"))))
    masked = _masked_ids(pairs)
    parsed: list[tuple[int, list[object], list[RowError], dict[str, Any]]] = []
    for n, cells in chunk:
        errors: list[RowError] = []
        code = _text(cols.get(cells, "code"))
        hh = v.households.get(code)
        if hh is None:
            errors.append(
                v.err(
                    cols,
                    "code",
                    "unknown_household",
                    f"mã hộ «{code}» không có trong trang hộ",
                    f"household code '{code}' is not in the households sheet",
                )
            )
        name = _text(cols.get(cells, "full_name"))
        if not name:
            errors.append(v.err(cols, "full_name", "missing_name", "thiếu họ tên", "name missing"))
        rel_raw = _text(cols.get(cells, "relationship"))
        rel = _RELATIONSHIP.get(cfold(rel_raw))
        if rel is None:
            errors.append(
                v.err(
                    cols,
                    "relationship",
                    "bad_relationship",
                    f"quan hệ với chủ hộ không rõ: «{rel_raw}»",
                    f"unknown relationship to the head: '{rel_raw}'",
                )
            )
        clean = v.member_checks(
            cols,
            code=code,
            row_number=n,
            sex_f="sex",
            birth_f="birth",
            id_f="national_id",
            sex_v=cols.get(cells, "sex"),
            birth_v=cols.get(cells, "birth"),
            id_v=cols.get(cells, "national_id"),
            errors=errors,
            masked=masked,
        )
        eth = _text(cols.get(cells, "ethnicity"))[:50]
        clean.update(code=code, full_name=name[:200], relationship=rel, ethnicity=eth)
        for f in ("health_insurance", "in_school", "disability"):
            clean[f] = bool(v.flag(cols, cells, f, errors))
        parsed.append((n, cells, errors, clean))
    db_ids = _db_member_ids([c["national_id"] for *_x, c in parsed if c["national_id"]])
    rows: list[Staged] = []
    for n, cells, errors, clean in parsed:
        hh = v.households.get(clean["code"])
        nid = clean["national_id"]
        if nid in db_ids and hh is not None and db_ids[nid] != (hh.commune_id, clean["code"]):
            errors.append(
                v.err(
                    cols,
                    "national_id",
                    "national_id_other_household",
                    f"số định danh đã thuộc một thành viên của hộ {db_ids[nid][1]}",
                    f"the ID belongs to a member of household {db_ids[nid][1]}",
                )
            )
        if hh is not None:
            if not hh.valid and not errors:
                errors.append(
                    RowError(
                        "code",
                        *v_where(cols, "code"),
                        "household_invalid",
                        f"dòng hộ {hh.row_number} có lỗi",
                        f"the household's row {hh.row_number} has errors",
                    )
                )
            hh.members += 1
            if clean["relationship"] == Relationship.HEAD:
                hh.heads.append((clean.get("sex") or "", name_key(clean["full_name"])))
            if clean["relationship"] in (Relationship.HEAD, Relationship.SPOUSE) and is_minority(
                clean["ethnicity"]
            ):
                hh.spouse_minority = True
            if errors:
                hh.member_bad_rows.append(n)
        rows.append(_staged(v.batch, sheet, MEMBER, n, clean["code"], cells, errors, clean))
    return rows


def v_where(cols: _Columns, f: str) -> tuple[str, str]:
    return cols.where(f)


def _cross_checks(v: _Validator, hcols: _Columns) -> None:
    """Household-level checks that need the members (two-sheet layout)."""
    newly_invalid: list[str] = []
    for code, hh in v.households.items():
        if not hh.valid:
            continue
        errors: list[RowError] = []
        if len(hh.heads) != 1:
            errors.append(
                v.err(
                    hcols,
                    "head_name",
                    "head_count",
                    f"hộ phải có đúng một thành viên là chủ hộ, có {len(hh.heads)}",
                    f"the household must have exactly one head member, has {len(hh.heads)}",
                )
            )
        else:
            sex, key = hh.heads[0]
            if key != hh.head_key:
                errors.append(
                    v.err(
                        hcols,
                        "head_name",
                        "head_name_mismatch",
                        "họ tên chủ hộ khác với thành viên là chủ hộ",
                        "the head's name differs from the member marked as head",
                    )
                )
            if sex and hh.female_head != (sex == Sex.FEMALE):
                errors.append(
                    v.err(
                        hcols,
                        "female_head",
                        "flag_conflict",
                        "cờ «chủ hộ là nữ» trái với giới tính của chủ hộ",
                        "the female-head flag contradicts the head's sex",
                    )
                )
        if hh.spouse_minority and not hh.ethnic_minority:
            errors.append(
                v.err(
                    hcols,
                    "ethnic_minority",
                    "flag_conflict",
                    "chủ hộ hoặc vợ/chồng là người dân tộc thiểu số nhưng hộ không được đánh dấu"
                    " hộ DTTS",
                    "the head or spouse is an ethnic minority but the household is not marked so",
                )
            )
        if hh.persons is not None and hh.persons != hh.members:
            errors.append(
                v.err(
                    hcols,
                    "persons",
                    "persons_mismatch",
                    f"số nhân khẩu {hh.persons} khác số thành viên trong trang thành viên"
                    f" ({hh.members})",
                    f"{hh.persons} persons but {hh.members} members in the members sheet",
                )
            )
        if hh.member_bad_rows:
            rows = ", ".join(str(r) for r in hh.member_bad_rows[:10])
            errors.append(
                RowError(
                    "code",
                    *hcols.where("code"),
                    "member_rows_invalid",
                    f"thành viên có lỗi ở trang thành viên, dòng {rows}",
                    f"members with errors in the members sheet, rows {rows}",
                )
            )
        if errors:
            hh.valid = False
            newly_invalid.append(code)
            with transaction.atomic():
                row = ImportRow.objects.get(
                    batch=v.batch, kind=HOUSEHOLD, key=code[:32], row_number=hh.row_number
                )
                row.errors = [*row.errors, *(e.as_dict() for e in errors)]
                row.valid, row.clean = False, {}
                row.save(update_fields=["errors", "valid", "clean"])
    # Members of households found invalid only now.
    for start in range(0, len(newly_invalid), CHUNK):
        codes = newly_invalid[start : start + CHUNK]
        with transaction.atomic():
            for row in ImportRow.objects.filter(
                batch=v.batch, kind=MEMBER, key__in=codes, valid=True
            ):
                hh = v.households[row.key]
                row.errors = [
                    {
                        "field": "code",
                        "column": "",
                        "letter": "",
                        "code": "household_invalid",
                        "message_vi": f"dòng hộ {hh.row_number} có lỗi",
                        "message_en": f"the household's row {hh.row_number} has errors",
                    }
                ]
                row.valid, row.clean = False, {}
                row.save(update_fields=["errors", "valid", "clean"])


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: with ~10^5 live objects of an import, its full
    collections re-scan them all again and again (a quarter of the run). Reference counting
    still frees everything acyclic; one collection runs at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def _require(actor: AnyUser, unit: AdminUnit) -> None:
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(
            f"Không có quyền nhập dữ liệu cho {unit} / no permission to import data for {unit}"
        )


@transaction.atomic
def import_upload(
    *,
    actor: AnyUser,
    scope: AdminUnit,
    year: int,
    kind: str = ReviewKind.PERIODIC,
    file_name: str,
    content: bytes,
) -> ImportBatch:
    """Store the file and create a PENDING batch — or return the existing batch of the same
    file (same SHA-256) for the same unit, year and kind, unless that one failed."""
    _require(actor, scope)
    if kind not in ReviewKind.values:
        raise ValidationError(f"Loại rà soát không rõ / unknown review kind: {kind!r}")
    std = standard_for(year, "adhoc" if kind == ReviewKind.ADHOC else "periodic")
    digest = hashlib.sha256(content).hexdigest()
    same = (
        ImportBatch.objects.filter(sha256=digest, scope=scope, year=year, kind=kind)
        .exclude(status=ImportStatus.FAILED)
        .order_by("-pk")
        .first()
    )
    if same is not None:
        return same
    suffix = Path(file_name).suffix.lower()
    folder = progress.import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        path.write_bytes(content)
    batch = ImportBatch.objects.create(
        file_name=Path(file_name).name[:255],
        sha256=digest,
        stored_path=str(path),
        scope=scope,
        year=year,
        kind=kind,
        standard_id=std.id,
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    audit(actor, "import_upload", batch, changes={"sha256": digest, "year": year})
    return batch


def _validate_chunk(  # noqa: PLR0917
    v: _Validator,
    role: str,
    cols: _Columns,
    engine_cols: dict[str, int],
    sheet: str,
    chunk: list[tuple[int, list[object]]],
    done: int,
    total: int,
    error_cells: Mapping[int, Mapping[int, str]] | None = None,
) -> int:
    """Check one chunk of rows, store them (one short transaction), return the rows done."""
    if role == HOUSEHOLD:
        rows = _households_chunk(v, cols, engine_cols, sheet, chunk, flat=v.batch.layout == "flat")
    else:
        rows = _members_chunk(v, cols, sheet, chunk)
    if error_cells:
        rows = [_refuse_error_cells(v, role, cols, r, error_cells) for r in rows]
    done += len(rows)
    _flush(v.batch, rows, done, total)
    if role == HOUSEHOLD:
        for r in rows:
            hh = v.households.get(r[4])
            if hh is not None and hh.row_number == r[3]:
                hh.valid = r[8]
    return done


def _refuse_error_cells(
    v: _Validator,
    role: str,
    cols: _Columns,
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
                _letter(col),
                "cell_error",
                f"ô có lỗi công thức «{text}»: hãy sửa công thức hoặc nhập giá trị",
                f"the cell holds a formula error '{text}': fix the formula or type the value",
            ).as_dict()
        )
    if len(errors) == len(row[7]):
        return row
    if role == MEMBER:
        hh = v.households.get(row[4])
        if hh is not None and row[8]:
            hh.member_bad_rows.append(row[3])
    return (*row[:6], {}, errors, False)


def import_validate(*, batch: ImportBatch | int, actor: AnyUser) -> ImportBatch:
    """Read and check every row (chunked, short transactions; progress on the batch).

    Safe to call from a worker thread or process. A file that cannot be read as the
    template ends FAILED with ``file_errors``; otherwise VALIDATED (rows may have errors)."""
    with _no_cyclic_gc(), bulk_session():
        return _import_validate(batch=batch, actor=actor)


def _import_validate(*, batch: ImportBatch | int, actor: AnyUser) -> ImportBatch:
    b = ImportBatch.objects.select_related("scope").get(
        pk=batch if isinstance(batch, int) else batch.pk
    )
    _require(actor, b.scope)
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
        v = _Validator(b, std)
        total = sum(s.estimated_rows for _r, s in sheets)
        done = 0
        b.sheets = []
        ImportBatch.objects.filter(pk=b.pk).update(layout=layout, sheets=[], total=total)
        hcols: _Columns | None = None
        engine_cols: dict[str, int] = {}
        for role, sheet_ref in sheets:
            src = sheet_ref.open()  # the previous sheet's cells are released by now
            if src.estimated_rows != sheet_ref.estimated_rows:  # the hint was wrong or absent
                total += src.estimated_rows - sheet_ref.estimated_rows
            b.sheets.append({"name": src.name, "kind": role, "headings": src.headings})
            ImportBatch.objects.filter(pk=b.pk).update(sheets=b.sheets, total=max(total, done))
            if role == HOUSEHOLD:
                cols = _Columns(src.headings, HOUSEHOLD_HEADINGS)
                hcols = cols
                rest = [src.headings[i] for i in cols.rest]
                try:
                    cmap = resolve_columns(rest, std)
                except ValueError as exc:
                    raise ImportFileError(b.file_name, str(exc), str(exc), src.name) from exc
                pos = {h: i for i, h in enumerate(src.headings)}
                engine_cols = {canon: pos[h] for canon, h in cmap.fields.items()}
                engine_cols.update({canon: pos[h] for h, canon in cmap.foreign.items()})
                _require_headings(b.file_name, src, cols, ("code", "head_name"))
            else:
                cols = _Columns(src.headings, MEMBER_HEADINGS)
                _require_headings(
                    b.file_name, src, cols, ("code", "full_name", "sex", "birth", "relationship")
                )
            chunk: list[tuple[int, list[object]]] = []
            for item in src.rows:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    done = _validate_chunk(
                        v, role, cols, engine_cols, src.name, chunk, done, total, src.error_cells
                    )
                    chunk = []
            if chunk:
                done = _validate_chunk(
                    v, role, cols, engine_cols, src.name, chunk, done, total, src.error_cells
                )
            del src, chunk  # release this sheet's cells before the next sheet is read
        if layout == "two" and hcols is not None:
            _cross_checks(v, hcols)
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


def _counts(b: ImportBatch) -> list[tuple[str, bool, int]]:
    from django.db.models import Count

    return [
        (r["kind"], r["valid"], r["n"])
        for r in ImportRow.objects.filter(batch=b)
        .values("kind", "valid")
        .annotate(n=Count("pk"))
        .order_by()
    ]


def _require_headings(
    file_name: str, src: SheetSource, cols: _Columns, fields: Sequence[str]
) -> None:
    wanted = HOUSEHOLD_HEADINGS if "head_name" in fields else MEMBER_HEADINGS
    missing = [wanted[f][0] for f in fields if not cols.has(f)]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise ImportFileError(
            file_name, f"thiếu cột {names}", f"missing column(s) {names}", src.name
        )


# ---------------------------------------------------------------------------------------------
# Commit
# ---------------------------------------------------------------------------------------------
class ImportConflict(ValidationError):
    """The registry changed between validation and commit; nothing was written."""


_HH_FIELDS = ("village_id", "head_name", "address", "ethnic_minority", *POLICY_FLAGS)
_MEMBER_FIELDS = MEMBER_DATA_FIELDS


def _zero() -> dict[str, int]:
    return {"household": 0, "member": 0, "review": 0}


@dataclass
class _Tally:
    created: dict[str, int] = field(default_factory=_zero)
    updated: dict[str, int] = field(default_factory=_zero)
    unchanged: dict[str, int] = field(default_factory=_zero)

    def add(self, what: str, model: str, n: int = 1) -> None:
        d = getattr(self, what)
        d[model] = d.get(model, 0) + n

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _member_values(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "full_name": c["full_name"],
        "sex": c["sex"],
        "birth_date": dt.date.fromisoformat(c["birth_date"]) if c.get("birth_date") else None,
        "birth_year": c["birth_year"],
        "relationship": c["relationship"],
        "ethnicity": c.get("ethnicity", ""),
        "national_id": c.get("national_id", ""),
        "health_insurance": bool(c.get("health_insurance")),
        "in_school": bool(c.get("in_school")),
        "disability": bool(c.get("disability")),
    }


_HH_INSERT = (
    "commune_id",
    "village_id",
    "code",
    "head_name",
    "head_name_key",
    "address",
    *_FLAG_FIELDS,
    "area",
    "status",
    "entry_reason",
    "entry_date",
    "came_from_id",
    "created_by_id",
    "created_at",
    "updated_at",
)
_ENTRY_FIELDS = ("entry_reason", "entry_date", "came_from_id")


def _entry_values(c: Mapping[str, Any]) -> dict[str, Any]:
    """The household's entry fields from a clean row that states them."""
    e = c["entry"]
    return {
        "entry_reason": e["reason"],
        "entry_date": dt.date.fromisoformat(e["date"]),
        "came_from_id": e.get("came_from_id"),
    }


_MEMBER_INSERT = ("household_id", *_MEMBER_FIELDS, "created_by_id", "created_at")
_REVIEW_VALUES = (
    "standard_id",
    "inputs",
    "persons",
    "causes",
    "classification",
    "poor_basis",
    "deprivation_count",
    "deprived",
    "explanation_vi",
    "explanation_en",
)
_REVIEW_INSERT = (
    "household_id",
    "year",
    "kind",
    "review_date",
    *_REVIEW_VALUES,
    "state",
    "revision",
    "created_by_id",
    "created_at",
)


def _by_commune(keys: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    by_commune: dict[int, list[str]] = {}
    for cid, code in keys:
        by_commune.setdefault(cid, []).append(code)
    return by_commune


def households_by_key(keys: Iterable[tuple[int, str]], *fields: str) -> list[dict[str, Any]]:
    """The households with these (commune id, code) keys, in one query: ``commune IN (…) AND
    code IN (…)`` probes the (commune, code) unique index for each pair on both databases (an
    OR of per-commune conditions would make SQLite scan the table), and the pairs that were
    not asked for (a code of one commune found in another) are dropped here."""
    wanted = set(keys)
    if not wanted:
        return []
    rows = (
        Household.objects.filter(
            commune_id__in={cid for cid, _c in wanted}, code__in={c for _cid, c in wanted}
        )
        .order_by()
        .values("pk", "commune_id", "code", *fields)
    )
    return [r for r in rows if (r["commune_id"], r["code"]) in wanted]


def _commit_chunk(
    b: ImportBatch, cleans: list[dict[str, Any]], actor_id: int | None, tally: _Tally
) -> None:
    now = timezone.now()
    keys = [(c["commune"], c["code"]) for c in cleans]
    existing = {
        (r["commune_id"], r["code"]): r
        for r in households_by_key(keys, "status", *_HH_FIELDS, *_ENTRY_FIELDS)
    }
    new_rows: list[tuple[object, ...]] = []
    changed: list[Household] = []
    for c in cleans:
        values: dict[str, Any] = {
            "village_id": c["village"],
            "head_name": c["head_name"],
            "address": c["address"],
            **{f: c[f] for f in _FLAG_FIELDS},
        }
        if c.get("entry"):  # a row without them keeps what the registry has
            values.update(_entry_values(c))
        cur = existing.get((c["commune"], c["code"]))
        if cur is None:
            entry = _entry_values(c) if c.get("entry") else dict.fromkeys(_ENTRY_FIELDS)
            new_rows.append(
                (
                    c["commune"],
                    c["village"],
                    c["code"],
                    c["head_name"],
                    name_key(c["head_name"]),
                    c["address"],
                    *(c[f] for f in _FLAG_FIELDS),
                    c["area"],
                    HouseholdStatus.ACTIVE.value,
                    entry["entry_reason"] or "",
                    entry["entry_date"],
                    entry["came_from_id"],
                    actor_id,
                    now,
                    now,
                )
            )
        else:
            if cur["status"] != HouseholdStatus.ACTIVE:
                raise ImportConflict(f"{c['code']}: không còn trong sổ / not active")
            if any(cur[k] != val for k, val in values.items()):
                kept = {f: cur[f] for f in _ENTRY_FIELDS}
                h = Household(
                    pk=cur["pk"], commune_id=c["commune"], code=c["code"], **(kept | values)
                )
                h.head_name_key = name_key(h.head_name)
                h.updated_at = now
                changed.append(h)
    insert_many(Household, _HH_INSERT, new_rows)
    hh_pk = {k: r["pk"] for k, r in existing.items()}
    if new_rows:
        fresh = [k for k in keys if k not in existing]
        for r in households_by_key(fresh):
            hh_pk[(r["commune_id"], r["code"])] = r["pk"]
    if changed:
        Household.objects.bulk_update(
            changed, [*_HH_FIELDS, *_ENTRY_FIELDS, "head_name_key", "updated_at"]
        )
    tally.add("created", "household", len(new_rows))
    tally.add("updated", "household", len(changed))
    tally.add("unchanged", "household", len(cleans) - len(new_rows) - len(changed))
    pk_of = {c["code"]: hh_pk[(c["commune"], c["code"])] for c in cleans}
    old_pks = [r["pk"] for r in existing.values()]

    # members
    member_cleans: dict[str, list[dict[str, Any]]] = {}
    if b.layout == "two":
        for mc in ImportRow.objects.filter(
            batch=b, kind=MEMBER, valid=True, key__in=list(pk_of)
        ).values_list("clean", flat=True):
            member_cleans.setdefault(mc["code"], []).append(mc)
    else:
        for c in cleans:
            if c.get("head"):
                member_cleans[c["code"]] = [c["head"]]
    current: dict[int, list[dict[str, Any]]] = {}
    for m in (
        Member.objects.filter(household_id__in=old_pks)
        .order_by()
        .values("pk", "household_id", *_MEMBER_FIELDS)
    ):
        current.setdefault(m["household_id"], []).append(m)
    new_members: list[tuple[object, ...]] = []
    changed_members: list[Member] = []
    for code, mcs in member_cleans.items():
        hpk = pk_of[code]
        pool = current.get(hpk, [])
        for mc in mcs:
            mv = _member_values(mc)
            match = None
            for m in pool:
                if (mv["national_id"] and m["national_id"] == mv["national_id"]) or (
                    name_key(m["full_name"]) == name_key(mv["full_name"])
                    and m["birth_year"] == mv["birth_year"]
                ):
                    match = m
                    break
            if match is None:
                new_members.append((hpk, *(mv[f] for f in _MEMBER_FIELDS), actor_id, now))
            else:
                pool = [m for m in pool if m is not match]
                if any(match[k] != val for k, val in mv.items()):
                    changed_members.append(Member(pk=match["pk"], household_id=hpk, **mv))
        current[hpk] = pool
    insert_many(Member, _MEMBER_INSERT, new_members)
    if changed_members:
        Member.objects.bulk_update(changed_members, list(_MEMBER_FIELDS))
    n_members = sum(len(v) for v in member_cleans.values())
    tally.add("created", "member", len(new_members))
    tally.add("updated", "member", len(changed_members))
    tally.add("unchanged", "member", n_members - len(new_members) - len(changed_members))

    # reviews
    reviews: dict[tuple[int, str], dict[str, Any]] = {}
    for r in _current_reviews(old_pks, b.year, b.kind, *_REVIEW_VALUES):
        reviews[(r["household_id"], _review_key(b.kind, r["review_date"].isoformat()))] = r
    new_reviews: list[tuple[object, ...]] = []
    changed_reviews: list[ReviewRecord] = []
    for c in cleans:
        hpk = pk_of[c["code"]]
        persons = c["persons"]
        if persons is None:
            persons = len(member_cleans.get(c["code"], []))
        rv: dict[str, Any] = {
            "standard_id": b.standard_id,
            "inputs": c["inputs"],
            "persons": persons,
            "causes": c["causes"],
            **c["result"],
        }
        rev = reviews.get((hpk, _review_key(b.kind, c["review_date"])))
        if rev is None:
            new_reviews.append(
                (
                    hpk,
                    b.year,
                    b.kind,
                    dt.date.fromisoformat(c["review_date"]),
                    *(rv[f] for f in _REVIEW_VALUES),
                    ReviewState.DRAFT.value,
                    0,
                    actor_id,
                    now,
                )
            )
        elif all(rev[k] == val for k, val in rv.items()):
            tally.add("unchanged", "review")
        elif rev["state"] == ReviewState.APPROVED:
            if rev["inputs"] != c["inputs"] or sorted(rev["causes"]) != sorted(c["causes"]):
                raise ImportConflict(
                    f"{c['code']}: phiếu {b.year} đã phê duyệt / approved {b.year} review"
                )
            tally.add("unchanged", "review")
        else:
            changed_reviews.append(ReviewRecord(pk=rev["pk"], household_id=hpk, **rv))
    insert_many(ReviewRecord, _REVIEW_INSERT, new_reviews)
    if changed_reviews:
        ReviewRecord.objects.bulk_update(changed_reviews, list(_REVIEW_VALUES))
    tally.add("created", "review", len(new_reviews))
    tally.add("updated", "review", len(changed_reviews))


def import_commit(
    *, batch: ImportBatch | int, actor: AnyUser, chunk_size: int = CHUNK
) -> ImportBatch:
    """Write the batch's valid rows in one transaction (all or nothing) and mark it
    COMMITTED with the counts in ``summary``. Committing a committed batch does nothing."""
    with _no_cyclic_gc(), bulk_session(staging=False):
        return _import_commit(batch=batch, actor=actor, chunk_size=chunk_size)


def _import_commit(
    *, batch: ImportBatch | int, actor: AnyUser, chunk_size: int = CHUNK
) -> ImportBatch:
    b = ImportBatch.objects.select_related("scope").get(
        pk=batch if isinstance(batch, int) else batch.pk
    )
    _require(actor, b.scope)
    if b.status == ImportStatus.COMMITTED:
        return b
    if b.status != ImportStatus.VALIDATED:
        raise ValidationError(
            f"Lượt nhập chưa kiểm tra xong ({b.status}) / the batch is not validated ({b.status})",
            code="not_validated",
        )
    staged = ImportRow.objects.filter(batch=b, kind=HOUSEHOLD, valid=True).count()
    if staged != b.households_valid:
        # The staged rows are gone (on PostgreSQL they are not crash-safe: migration 0004)
        # or were changed: nothing is written, the batch is to be validated again.
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.PENDING)
        raise ValidationError(
            f"Các dòng đã kiểm tra không còn đủ ({staged}/{b.households_valid}): hãy kiểm tra lại"
            f" tệp / the checked rows are incomplete ({staged}/{b.households_valid}): validate"
            " the file again",
            code="staged_rows_missing",
        )
    actor_id = actor.pk if actor.is_authenticated else None
    tally = _Tally()
    ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.COMMITTING)
    total, done = b.households_valid, 0
    try:
        progress.report(b.pk, 0, total)
        with transaction.atomic():
            last = 0
            while True:
                rows = list(
                    ImportRow.objects.filter(batch=b, kind=HOUSEHOLD, valid=True, pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "clean")[:chunk_size]
                )
                if not rows:
                    break
                _commit_chunk(b, [c for _pk, c in rows], actor_id, tally)
                last = rows[-1][0]
                done += len(rows)
                progress.report(b.pk, min(done, total), max(total, done))
            b.status = ImportStatus.COMMITTED
            b.summary = tally.as_dict()
            b.committed_at = timezone.now()
            b.save(update_fields=["status", "summary", "committed_at"])
            audit(actor, "import_commit", b, changes=tally.as_dict())
    except BaseException:
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.VALIDATED)
        raise
    finally:
        progress.clear(b.pk)
    created = b.summary.get("created", {})
    refresh_statistics(Household, Member, ReviewRecord, rows=sum(created.values()))
    return b


# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------
ERROR_HEADING = "Lỗi / Errors"
_RED = "FFC7CE"


def import_errors_xlsx(
    *, batch: ImportBatch | int, actor: AnyUser, only_errors: bool = False
) -> bytes:
    """The rows as read, with an error column and the cells in error filled red.
    ID numbers are masked unless the actor may see them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    b = ImportBatch.objects.select_related("scope").get(
        pk=batch if isinstance(batch, int) else batch.pk
    )
    if not can_manage_unit(actor, b.scope):
        raise PermissionDenied("Không có quyền / no permission")
    show_ids = can_view_national_id(actor)
    wb = Workbook(write_only=True)
    red = PatternFill("solid", fgColor=_RED)
    bold = Font(bold=True)
    for sheet in b.sheets or []:
        ws = wb.create_sheet(title=sheet["name"][:31])
        headings: list[str] = sheet["headings"]
        wanted = HOUSEHOLD_HEADINGS if sheet["kind"] == HOUSEHOLD else MEMBER_HEADINGS
        cols = _Columns(headings, wanted)
        id_cols = {cols.index[f] for f in ("national_id", "head_national_id") if f in cols.index}
        head_cells = []
        for h in [*headings, ERROR_HEADING]:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            head_cells.append(cell)
        ws.append(head_cells)
        qs = ImportRow.objects.filter(batch=b, sheet=sheet["name"]).order_by("pk")
        if only_errors:
            qs = qs.filter(valid=False)
        for row in qs.only("raw", "errors", "row_number").iterator(chunk_size=CHUNK):
            bad_letters = {e["letter"] for e in row.errors}
            cells = []
            for i, raw_value in enumerate(row.raw):
                value = raw_value
                if i in id_cols and not show_ids and isinstance(value, str | int) and value:
                    value = mask_national_id(str(value))
                cell = WriteOnlyCell(ws, value=value)
                if _letter(i) in bad_letters:
                    cell.fill = red
                cells.append(cell)
            cells += [WriteOnlyCell(ws, value=None) for _ in range(len(headings) - len(cells))]
            text = "; ".join(
                f"[{e['column'] or '-'}] {e['message_vi']} / {e['message_en']}" for e in row.errors
            )
            if text:
                text = f"Dòng/row {row.row_number}: {text}"
            err = WriteOnlyCell(ws, value=text or None)
            if text:
                err.fill = red
            ws.append([*cells, err])
    if not b.sheets:
        ws = wb.create_sheet(title="Lỗi")
        ws.append([ERROR_HEADING])
        for e in b.file_errors:
            ws.append([f"{e['message_vi']} / {e['message_en']}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_headings(std: Standard) -> tuple[list[str], list[str]]:
    """Headings of the households sheet and of the members sheet for ``std``."""
    hh = [
        "Mã hộ",
        "Mã xã",
        "Thôn",
        "Họ tên chủ hộ",
        "Địa chỉ",
        "Hộ dân tộc thiểu số",
        *(vi for vi, _en in POLICY_FLAGS.values()),
        "Số nhân khẩu",
        "Thu nhập bình quân đầu người/tháng",
    ]
    if std.score_rule is not None:
        hh.append(std.score_rule.headings_vi[0])
    hh += [ind.name_vi for ind in std.indicators]
    hh += [vi for vi, _en in CAUSES.values()]
    # Only for a household new to the registry: moved in, or split off (from «Tách từ hộ»).
    hh += ["Lý do vào sổ", "Ngày vào sổ", "Tách từ hộ"]
    members = [
        "Mã hộ",
        "Họ tên",
        "Giới tính",
        "Ngày sinh",
        "Quan hệ với chủ hộ",
        "Dân tộc",
        "Số định danh cá nhân",
        "Có bảo hiểm y tế",
        "Đang đi học",
        "Khuyết tật",
    ]
    return hh, members


_REL_VI = {r.value: str(r.label) for r in Relationship}
_SEX_VI = {Sex.MALE.value: "Nam", Sex.FEMALE.value: "Nữ"}


def import_template_xlsx(*, actor: AnyUser, commune: AdminUnit, year: int) -> bytes:
    """The two-sheet template for ``year``'s periodic review of ``commune``, pre-filled with
    its active households, their members and their ``year - 1`` review (income, score,
    indicators, causes). ID numbers are masked unless the actor may see them; a masked
    number left as it is keeps the registered number on import."""
    from openpyxl import Workbook

    if not can_manage_unit(actor, commune):
        raise PermissionDenied("Không có quyền / no permission")
    std = standard_for(year, "periodic")
    hh_head, mem_head = template_headings(std)
    show_ids = can_view_national_id(actor)
    wb = Workbook(write_only=True)
    ws_h = wb.create_sheet("Hộ")
    ws_m = wb.create_sheet("Thành viên")
    ws_h.append(hh_head)
    ws_m.append(mem_head)
    households = (
        Household.objects.filter(commune=commune, status=HouseholdStatus.ACTIVE)
        .select_related("village")
        .order_by("code")
    )
    last = 0
    while True:
        chunk = list(households.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        last = chunk[-1].pk
        prev: dict[int, ReviewRecord] = {}
        for r in ReviewRecord.objects.current().filter(
            household__in=chunk, year=year - 1, kind=ReviewKind.PERIODIC
        ):
            prev[r.household_id] = r
        members: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household__in=chunk).order_by("pk"):
            members.setdefault(m.household_id, []).append(m)
        for h in chunk:
            prev_r = prev.get(h.pk)
            inputs = prev_r.inputs if prev_r is not None else {}
            causes = set(prev_r.causes) if prev_r is not None else set()
            row: list[object] = [
                h.code,
                commune.code,
                h.village.name if h.village else "",
                h.head_name,
                h.address,
                int(h.ethnic_minority),
                *(int(getattr(h, f)) for f in POLICY_FLAGS),
                len(members.get(h.pk, [])) or None,
                inputs.get("income"),
            ]
            if std.score_rule is not None:
                row.append(inputs.get("income_score"))
            row += [inputs.get(ind.column) for ind in std.indicators]
            row += [int(k in causes) for k in CAUSES]
            ws_h.append(row)
            for m in members.get(h.pk, []):
                ws_m.append(
                    [
                        h.code,
                        m.full_name,
                        _SEX_VI.get(m.sex, m.sex),
                        m.birth_date or m.birth_year,
                        _REL_VI.get(m.relationship, m.relationship),
                        m.ethnicity,
                        m.national_id
                        if show_ids
                        else mask_national_id(m.national_id)
                        if m.national_id
                        else "",
                        int(m.health_insurance),
                        int(m.in_school),
                        int(m.disability),
                    ]
                )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
