"""Reading an import file as sheets of rows: ``.xlsx``/``.xlsm``/``.ods`` workbooks (calamine)
and ``.csv`` (UTF-8, ``;``, ``,`` or tab separated).

:func:`read_sheets` finds the layout ("two": a households sheet and a members sheet; "flat":
one row per household) and returns the sheets not read yet; each is read when opened, from
its heading row (the first of the first ten rows with a «Mã hộ» column), as (row number,
cells) with empty cells as ``None`` and dates as ISO text.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from giamngheo.core.records.cells import PLAIN, jsonable
from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.headings import CODE_HEADINGS, HOUSEHOLD, MEMBER, sheet_role
from giamngheo.core.standards.headings import heading_key


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
                None if c == "" else c if type(c) in PLAIN else jsonable(c) for c in cells[:width]
            ]
            if all(v is None or (type(v) is str and not v.strip()) for v in vals):
                continue
            if len(vals) < width:
                vals += [None] * (width - len(vals))
            yield n, vals

    return SheetSource(sheet, headings, rows(), max(estimated - first[at][0], 0))


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
    roles = {t: sheet_role(t) for t in titles}
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
