"""Reading a plan table from .xlsx, .csv or tab-separated text (.txt/.tsv).

``read_plan_table(source, filename=None) -> PlanTable`` reads the whole table or raises
``PlanReadError`` (``message_vi``, ``message_en``, ``file``, ``row``, ``column``); nothing
partial is ever returned.

Layout (the official annex "CHỈ TIÊU GIẢM NGHÈO"): optional title rows, the two heading
rows, then the **formula row** ``A | B | 1 | 2 | 3 | 4=3/1 | 5 | 6=3-5 | 7`` that locates the
table and its columns (it may start in any column; labels are compared without spaces or
parentheses, ``4``/``6`` may omit their formula). After it:

* blank rows are skipped;
* a section row has ``I``/``II``/``III`` in column A, or (column A empty) a name containing
  "thành thị"/"urban", "nông thôn"/"rural" or starting with "tổng"/"total" (diacritics- and
  case-insensitive). Rows I and II become ``PrintedTotal`` only when they carry numbers;
  III is the grand total and ends the table;
* a row with text only in column A (``*Ghi chú:``) also ends the table;
* any other row is a unit: column B is its name, columns 1, 2, 3 are required, 4–7
  optional (empty = not printed). A unit row before the first section row is an error.

Numbers follow ``giamngheo.core.numbers``: the decimal mark is established per file from
cells that admit one reading only, and conflicting or ambiguous cells are rejected. Excel
numeric cells are read as numbers; a rate's printed precision comes from the cell's number
format (``0.0`` → one decimal), and a percentage format (``0.00%``) is multiplied by 100.
CSV: comma or semicolon delimited (the one that yields the formula row), UTF-8 with or
without BOM. Row numbers in messages and in ``source_row`` are the file's own (1-based).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from os import PathLike
from pathlib import Path

from giamngheo.core.numbers import (
    ColumnKind,
    DecimalMark,
    NumberFormatError,
    decimal_mark_evidence,
    parse_count,
    parse_rate,
)
from giamngheo.core.plan.model import PlanRow, PlanTable, PrintedTotal, Section
from giamngheo.core.text import fold

LABELS = ("A", "B", "1", "2", "3", "4", "5", "6", "7")
FORMULA_ROW = "A, B, 1, 2, 3, 4=3/1, 5, 6=3-5, 7"
COUNT_COLUMNS = ("1", "2", "3", "5", "6")
RATE_COLUMNS = ("4", "7")
REQUIRED = ("1", "2", "3")
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
MAX_BYTES = 20 * 1024 * 1024


class PlanReadError(Exception):
    """The file cannot be read as a plan table. ``row`` is the file's row/line number,
    ``column`` the table's column label (A, B, 1…7), each None when not applicable."""

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        file: str = "",
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.message)

    def location(self, lang: str = "vi") -> str:
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"dòng {self.row}" if lang == "vi" else f"row {self.row}")
        if self.column is not None:
            parts.append(f"cột {self.column}" if lang == "vi" else f"column {self.column}")
        return ", ".join(parts)

    @property
    def text_vi(self) -> str:
        loc = self.location("vi")
        return f"{loc}: {self.message_vi}" if loc else self.message_vi

    @property
    def text_en(self) -> str:
        loc = self.location("en")
        return f"{loc}: {self.message_en}" if loc else self.message_en

    @property
    def message(self) -> str:
        return f"{self.text_vi}\n{self.text_en}"


@dataclass(frozen=True)
class _Cell:
    value: str | int | float | None
    places: int | None = None  # decimals shown by an Excel number format
    percent: bool = False  # Excel percentage format: the value is a fraction of 1
    ref: str | None = None  # Excel cell reference, for messages

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value).strip()

    @property
    def blank(self) -> bool:
        return self.text == ""


@dataclass(frozen=True)
class _Row:
    number: int
    cells: tuple[_Cell, ...]

    def cell(self, index: int) -> _Cell:
        return self.cells[index] if 0 <= index < len(self.cells) else _Cell(None)

    @property
    def blank(self) -> bool:
        return all(c.blank for c in self.cells)


_Grid = list[_Row]


def _label(cell: _Cell) -> str:
    return re.sub(r"[\s()]", "", cell.text).upper()


def _label_matches(token: str, label: str) -> bool:
    if token == label:
        return True
    return label in {"4", "6", "7"} and token.startswith(label + "=")


def _format_places(number_format: str) -> tuple[int | None, bool]:
    """Decimals shown by an Excel number format, and whether it is a percentage."""
    if not number_format or number_format == "General":
        return None, False
    section = number_format.split(";", maxsplit=1)[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]', "", section)
    match = re.search(r"[0#]\.([0#]+)", section)
    places = len(match.group(1)) if match else (0 if re.search(r"[0#]", section) else None)
    return places, "%" in section


def _xlsx_grids(data: bytes, name: str) -> list[tuple[str, _Grid]]:
    import openpyxl  # imported lazily: only .xlsx needs it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanReadError(
            "Không mở được tệp Excel (.xlsx) — tệp hỏng hoặc không đúng định dạng",
            "Cannot open the Excel (.xlsx) file — it is damaged or not an .xlsx file",
            name,
        ) from exc
    sheets = [wb.active, *[ws for ws in wb.worksheets if ws is not wb.active]]
    grids: list[tuple[str, _Grid]] = []
    for ws in sheets:
        if ws is None:
            continue
        grid: _Grid = []
        for r_index, row in enumerate(ws.iter_rows(), start=1):
            cells = []
            for c in row:
                value = c.value
                if value is not None and not isinstance(value, str | int | float):
                    value = str(value) if not hasattr(value, "isoformat") else value.isoformat()
                places, percent = _format_places(str(c.number_format or ""))
                cells.append(_Cell(value, places, percent, getattr(c, "coordinate", None)))
            grid.append(_Row(r_index, tuple(cells)))
        grids.append((ws.title, grid))
    return grids


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanReadError(
            "Tệp không phải văn bản UTF-8 — hãy lưu lại với mã hóa UTF-8",
            "The file is not UTF-8 text — save it again with UTF-8 encoding",
            name,
            line,
        ) from exc


def _csv_grids(text: str) -> list[tuple[str, _Grid]]:
    grids = []
    for delimiter in (";", ","):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        grid: _Grid = []
        try:
            for record in reader:
                grid.append(_Row(reader.line_num, tuple(_Cell(v) for v in record)))
        except csv.Error:
            continue
        grids.append((delimiter, grid))
    return grids


def _tsv_grid(text: str) -> _Grid:
    return [
        _Row(n, tuple(_Cell(v) for v in line.split("\t")))
        for n, line in enumerate(text.splitlines(), start=1)
    ]


@dataclass(frozen=True)
class _Header:
    row: _Row
    start: int  # index of column A


def _find_header(grid: _Grid, name: str) -> _Header | None:
    """The formula row, or None. A row that starts with A, B but has a wrong or missing
    label raises, naming the row and the first wrong column."""
    for row in grid:
        filled = [i for i, c in enumerate(row.cells) if not c.blank]
        if len(filled) < 2:
            continue
        start = filled[0]
        if _label(row.cells[start]) != "A" or _label(row.cell(start + 1)) != "B":
            continue
        for offset, label in enumerate(LABELS):
            token = _label(row.cell(start + offset))
            if _label_matches(token, label):
                continue
            if token == "":
                vi, en = f"thiếu cột «{label}»", f"column '{label}' is missing"
            else:
                vi = f"cột thứ {offset + 1} ghi «{token}», cần «{label}»"
                en = f"column {offset + 1} reads '{token}', expected '{label}'"
            raise PlanReadError(
                f"Dòng ký hiệu cột sai ({vi}); dòng này phải là «{FORMULA_ROW}»",
                f"Wrong column-label row ({en}); it must read '{FORMULA_ROW}'",
                name,
                row.number,
                label,
            )
        return _Header(row, start)
    return None


def _no_header_error(grids: list[_Grid], name: str) -> PlanReadError:
    for grid in grids:
        for row in grid:
            first = next((c for c in row.cells if not c.blank), None)
            if first is not None and fold(first.text) in {"tt", "stt"}:
                return PlanReadError(
                    f"Có dòng tiêu đề bảng nhưng không tìm thấy dòng ký hiệu cột «{FORMULA_ROW}» "
                    "ngay dưới tiêu đề",
                    f"The table heading is there but the column-label row '{FORMULA_ROW}' "
                    "below it is missing",
                    name,
                    row.number,
                    "A",
                )
    return PlanReadError(
        f"Không tìm thấy bảng chỉ tiêu: thiếu dòng ký hiệu cột «{FORMULA_ROW}»",
        f"No plan table found: the column-label row '{FORMULA_ROW}' is missing",
        name,
    )


_ROMAN: dict[str, Section | None] = {"I": Section.URBAN, "II": Section.RURAL, "III": None}


def _section_of(a: str, b: str) -> tuple[bool, Section | None]:
    """(is a section row, section) — section None with True is the grand total."""
    mark = a.strip().rstrip(".").upper()
    if mark in _ROMAN:
        return True, _ROMAN[mark]
    if mark and any(ch.isdigit() for ch in mark):
        return False, None
    key = fold(b)
    if "thanh thi" in key or "urban" in key:
        return True, Section.URBAN
    if "nong thon" in key or "rural" in key:
        return True, Section.RURAL
    if key.startswith(("tong", "total", "cong")):
        return True, None
    return False, None


def _title(grid: _Grid, header: _Header) -> str:
    above = [r for r in grid if r.number < header.row.number]
    heading_index = len(above)
    for i in range(len(above) - 1, max(-1, len(above) - 4), -1):
        if fold(above[i].cell(header.start).text) in {"tt", "stt"}:
            heading_index = i
            break
    texts = [
        next(c.text for c in r.cells if not c.blank) for r in above[:heading_index] if not r.blank
    ][-4:]
    for text in reversed(texts):
        if any(ch.isalpha() for ch in text) and text == text.upper():
            return text
    return ""


@dataclass
class _Parsed:
    kind: str  # "row" or "total"
    row: _Row
    section: Section | None
    values: dict[str, _Cell]


def _parse_layout(grid: _Grid, header: _Header, name: str) -> list[_Parsed]:
    items: list[_Parsed] = []
    section: Section | None = None
    seen_section = False
    start = header.start
    for row in grid:
        if row.number <= header.row.number or row.blank:
            continue
        a, b = row.cell(start), row.cell(start + 1)
        values = {label: row.cell(start + 2 + i) for i, label in enumerate(LABELS[2:])}
        numbers_blank = all(c.blank for c in values.values())
        is_section, sec = _section_of(a.text, b.text)
        if is_section:
            if not numbers_blank or sec is None:
                items.append(_Parsed("total", row, sec, values))
            if sec is None:
                break
            section, seen_section = sec, True
            continue
        if b.blank and numbers_blank:
            break  # a note under the table (*Ghi chú: …)
        if b.blank:
            raise PlanReadError(
                "Dòng có số liệu nhưng thiếu tên đơn vị (cột B)",
                "The row has numbers but no unit name (column B)",
                name,
                row.number,
                "B",
            )
        if not seen_section or section is None:
            raise PlanReadError(
                "Dòng đơn vị nằm ngoài khu vực: cần dòng «I Khu vực thành thị» hoặc "
                "«II Khu vực nông thôn» phía trên",
                "A unit row outside any section: a row 'I Khu vực thành thị' (urban) or "
                "'II Khu vực nông thôn' (rural) must come first",
                name,
                row.number,
                "A",
            )
        items.append(_Parsed("row", row, section, values))
    return items


def _establish_mark(items: list[_Parsed], name: str) -> DecimalMark | None:
    mark: DecimalMark | None = None
    witness: tuple[int, str, str] | None = None
    for item in items:
        for label, cell in item.values.items():
            if not isinstance(cell.value, str) or cell.blank:
                continue
            kind = ColumnKind.COUNT if label in COUNT_COLUMNS else ColumnKind.RATE
            evidence = decimal_mark_evidence(cell.text, kind)
            if evidence is None:
                continue
            if mark is None:
                mark, witness = evidence, (item.row.number, label, cell.text)
            elif evidence != mark and witness is not None:
                w_row, w_col, w_text = witness
                raise PlanReadError(
                    f"«{cell.text}» dùng «{evidence}» làm dấu thập phân, trái với ô dòng {w_row} "
                    f"cột {w_col} («{w_text}») dùng «{mark}»; không đọc được mà không đoán — "
                    "hãy thống nhất một cách ghi số trong cả tệp",
                    f"'{cell.text}' implies '{evidence}' as the decimal mark, contradicting row "
                    f"{w_row} column {w_col} ('{w_text}') which uses '{mark}'; it cannot be read "
                    "without guessing — use one number convention throughout the file",
                    name,
                    item.row.number,
                    label,
                )
    return mark


def _count(cell: _Cell, mark: DecimalMark | None) -> int | None:
    if cell.blank:
        return None
    assert cell.value is not None
    if cell.percent and isinstance(cell.value, float | int):
        raise NumberFormatError(
            "ô số hộ lại định dạng phần trăm", "a household count is formatted as a percentage"
        )
    return parse_count(cell.value, mark)


def _rate(cell: _Cell, mark: DecimalMark | None) -> Decimal | None:
    if cell.blank:
        return None
    assert cell.value is not None
    if cell.percent and isinstance(cell.value, float | int):
        value = Decimal(repr(cell.value)) * 100
        if cell.places is not None:
            value = value.quantize(Decimal(1).scaleb(-cell.places), rounding=ROUND_HALF_UP)
        return value
    return parse_rate(cell.value, mark, cell.places)


def _convert(
    item: _Parsed, mark: DecimalMark | None, name: str, xlsx: bool
) -> tuple[dict[str, int | None], dict[str, Decimal | None]]:
    counts: dict[str, int | None] = {}
    rates: dict[str, Decimal | None] = {}
    for label, cell in item.values.items():
        try:
            if label in COUNT_COLUMNS:
                counts[label] = _count(cell, mark)
            else:
                rates[label] = _rate(cell, mark)
        except NumberFormatError as exc:
            ref = f" (ô {cell.ref})" if cell.ref else ""
            ref_en = f" (cell {cell.ref})" if cell.ref else ""
            raise PlanReadError(
                exc.message_vi + ref, exc.message_en + ref_en, name, item.row.number, label
            ) from exc
    if item.kind == "row":
        for label in REQUIRED:
            if counts[label] is None:
                hint_vi = (
                    " (nếu ô có công thức, hãy mở tệp bằng Excel và lưu lại để có giá trị)"
                    if xlsx
                    else ""
                )
                hint_en = (
                    " (if the cell holds a formula, open and save the file in Excel so "
                    "its value is stored)"
                    if xlsx
                    else ""
                )
                raise PlanReadError(
                    "Thiếu số liệu bắt buộc" + hint_vi,
                    "A required number is missing" + hint_en,
                    name,
                    item.row.number,
                    label,
                )
    return counts, rates


def _build(grid: _Grid, header: _Header, name: str, xlsx: bool) -> PlanTable:
    items = _parse_layout(grid, header, name)
    if not any(i.kind == "row" for i in items):
        raise PlanReadError(
            "Bảng không có dòng đơn vị nào",
            "The table has no unit rows",
            name,
            header.row.number,
        )
    mark = _establish_mark(items, name)
    rows: list[PlanRow] = []
    totals: list[PrintedTotal] = []
    for item in items:
        counts, rates = _convert(item, mark, name, xlsx)
        a = item.row.cell(header.start).text
        b = re.sub(r"\s+", " ", item.row.cell(header.start + 1).text).strip()
        if item.kind == "row":
            assert item.section is not None
            households, ethnic, poor = counts["1"], counts["2"], counts["3"]
            assert households is not None and ethnic is not None and poor is not None
            rows.append(
                PlanRow(
                    name=b,
                    section=item.section,
                    households=households,
                    ethnic_minority=ethnic,
                    poor=poor,
                    reduction=counts["5"],
                    printed_rate=rates["4"],
                    printed_remaining=counts["6"],
                    printed_projected_rate=rates["7"],
                    number=a,
                    source_row=item.row.number,
                )
            )
        else:
            totals.append(
                PrintedTotal(
                    name=b,
                    section=item.section,
                    households=counts["1"],
                    ethnic_minority=counts["2"],
                    poor=counts["3"],
                    rate=rates["4"],
                    reduction=counts["5"],
                    remaining=counts["6"],
                    projected_rate=rates["7"],
                    number=a,
                    source_row=item.row.number,
                )
            )
    return PlanTable(
        rows=tuple(rows), totals=tuple(totals), title=_title(grid, header), source=name
    )


def read_plan_table(source: str | PathLike[str] | bytes, filename: str | None = None) -> PlanTable:
    """Read a plan table from a path or from the bytes of an uploaded file.

    ``filename`` gives the format (by its extension) and the name used in messages; it is
    required with bytes and defaults to the path's name.
    """
    if isinstance(source, bytes):
        if not filename:
            raise PlanReadError("Thiếu tên tệp", "The file name is missing")
        name, data = filename, source
    else:
        path = Path(source)
        name = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PlanReadError(
                f"Không đọc được tệp ({exc.strerror})",
                f"Cannot read the file ({exc.strerror})",
                name,
            ) from exc
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanReadError(
            f"Định dạng «{suffix or name}» không được hỗ trợ; dùng .xlsx, .csv hoặc .txt/.tsv "
            "(bảng chép từ Word/PDF, các cột cách nhau bằng Tab)",
            f"Format '{suffix or name}' is not supported; use .xlsx, .csv or .txt/.tsv "
            "(a table copied from Word/PDF, tab-separated)",
            name,
        )
    if len(data) > MAX_BYTES:
        raise PlanReadError("Tệp quá lớn", "The file is too large", name)
    if suffix in {".xlsx", ".xlsm"}:
        grids = [g for _, g in _xlsx_grids(data, name)]
    elif suffix == ".csv":
        grids = [g for _, g in _csv_grids(_decode(data, name))]
    else:
        grids = [_tsv_grid(_decode(data, name))]
    for grid in grids:
        header = _find_header(grid, name)
        if header is not None:
            return _build(grid, header, name, suffix in {".xlsx", ".xlsm"})
    raise _no_header_error(grids, name)
