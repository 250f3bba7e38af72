"""Tables of figures: the one shape every computed report is exported in, and its writers.

A :class:`Table` (one per sheet) is a caption (what it is, e.g. "Hộ nghèo"), a title, a few
notes (e.g. "figures as of …") and :class:`Section` s; a section has columns (a stable key and
a label each) and rows (a stable key, a label, an indent level, one value per column: a whole
number or ``None`` for "no such figure"). Keys never depend on the language, so a program
reads the same key in a Vietnamese and an English export. The writers are pure (no Django):

* :func:`write_xlsx` — one sheet per table (the sheet's name says what it is): the title, the
  notes, then per section a blank row, its title (when it has one), a header row (an empty
  cell, then the column labels) and its rows (the label indented by two spaces per level,
  bold when the row is ``strong``);
* :func:`write_csv` — the same lines after the table's caption, table after table, UTF-8 with
  BOM (so Excel detects the encoding), numbers plain (``4807``), the form every program reads;
* :func:`write_json` / :func:`tables_json` — ``{…meta, "tables": [{"key", "caption",
  "title", "notes", "sections": [{"key", "title", "columns": [{"key", "label"}], "rows":
  [{"key", "label", "level", "values": {column key: number or null}}]}]}]}``;
* :func:`tables_text` — aligned plain text for a terminal, numbers in the language's format
  (``4.807`` in Vietnamese); a section wider than the terminal is cut into column blocks, each
  repeating the row labels.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, Any, Literal

from giamngheo.core.numbers import Lang, format_int

Value = int | None
Format = Literal["xlsx", "csv", "json"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv", "json")
Output = str | PathLike[str] | IO[bytes]
INDENT = "  "


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple[Value, ...]  # one per column of the section
    level: int = 0
    strong: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.values) != len(self.columns):
                raise ValueError(
                    f"row {row.key!r}: {len(row.values)} values, columns {len(self.columns)}"
                )


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    sheet: str  # the xlsx sheet's name (at most 31 characters)
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    caption: str = ""  # what the table is (e.g. "Hộ nghèo"); in xlsx the sheet's name says it


def export_format(file_name: str) -> Format:
    """The format named by a file's extension (``ValueError`` for another one)."""
    suffix = Path(file_name).suffix.lower().lstrip(".")
    for fmt in FORMATS:
        if suffix == fmt:
            return fmt
    raise ValueError(
        f"Định dạng không hỗ trợ: {file_name!r} (dùng .xlsx, .csv hoặc .json) / "
        f"unsupported format {file_name!r} (use .xlsx, .csv or .json)"
    )


def _lines(table: Table, caption: bool) -> Iterator[tuple[list[str | int | None], bool]]:
    """The lines of a table as the xlsx and csv writers lay it out: (cells, bold first cell);
    with ``caption``, the table's caption first (when it has one)."""
    if caption and table.caption:
        yield [table.caption], True
    yield [table.title], False
    for note in table.notes:
        yield [note], False
    for section in table.sections:
        yield [], False
        if section.title:
            yield [section.title], False
        yield ["", *(c.label for c in section.columns)], False
        for row in section.rows:
            yield [INDENT * row.level + row.label, *row.values], row.strong


def _write_bytes(data: bytes, out: Output) -> None:
    if isinstance(out, str | PathLike):
        Path(out).write_bytes(data)
    else:
        out.write(data)


def write_xlsx(tables: Sequence[Table], out: Output) -> None:
    """One sheet per table (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for table in tables:
        ws = wb.create_sheet(table.sheet)
        for cells, strong in _lines(table, caption=False):
            ws.append(cells)
            if strong:
                ws.cell(ws.max_row, 1).font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_bytes(buffer.getvalue(), out)


def csv_text(tables: Sequence[Table]) -> str:
    """The CSV content (without BOM): the tables' lines one after another, a blank line
    between two tables."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        for cells, _strong in _lines(table, caption=True):
            writer.writerow(["" if v is None else v for v in cells])
    return buffer.getvalue()


def write_csv(tables: Sequence[Table], out: Output) -> None:
    _write_bytes(("\ufeff" + csv_text(tables)).encode("utf-8"), out)


def tables_json(tables: Sequence[Table], meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The tables as plain JSON data, after ``meta`` (see the module docstring)."""
    return {
        **(meta or {}),
        "tables": [
            {
                "key": t.key,
                "caption": t.caption,
                "title": t.title,
                "notes": list(t.notes),
                "sections": [
                    {
                        "key": s.key,
                        "title": s.title,
                        "columns": [{"key": c.key, "label": c.label} for c in s.columns],
                        "rows": [
                            {
                                "key": r.key,
                                "label": r.label,
                                "level": r.level,
                                "values": {
                                    c.key: v for c, v in zip(s.columns, r.values, strict=True)
                                },
                            }
                            for r in s.rows
                        ],
                    }
                    for s in t.sections
                ],
            }
            for t in tables
        ],
    }


def json_text(tables: Sequence[Table], meta: Mapping[str, Any] | None = None) -> str:
    return json.dumps(tables_json(tables, meta), ensure_ascii=False, indent=2) + "\n"


def write_json(tables: Sequence[Table], out: Output, meta: Mapping[str, Any] | None = None) -> None:
    _write_bytes(json_text(tables, meta).encode("utf-8"), out)


def write_tables(
    tables: Sequence[Table], out: Output, fmt: Format, meta: Mapping[str, Any] | None = None
) -> None:
    """Write ``tables`` in ``fmt`` (``meta`` goes into the JSON only)."""
    if fmt == "xlsx":
        write_xlsx(tables, out)
    elif fmt == "csv":
        write_csv(tables, out)
    else:
        write_json(tables, out, meta)


# --- plain text -------------------------------------------------------------------------------
#: Widest a value column gets before its label wraps; the line width the text aims at.
_COLUMN_WIDTH = 12
_LINE_WIDTH = 120


def _number(value: Value, lang: Lang) -> str:
    return "—" if value is None else format_int(value, lang)


def _section_text(section: Section, lang: Lang) -> list[str]:
    labels = [INDENT * r.level + r.label for r in section.rows]
    label_width = max([len(x) for x in labels] or [0])
    cells = [[_number(v, lang) for v in r.values] for r in section.rows]
    widths = [
        max([_COLUMN_WIDTH, *(len(row[i]) for row in cells)]) for i in range(len(section.columns))
    ]
    heads = [
        textwrap.wrap(c.label, width) or [""]
        for c, width in zip(section.columns, widths, strict=True)
    ]
    # Column blocks that fit the line, each repeating the row labels.
    blocks: list[list[int]] = [[]]
    used = label_width
    for i, width in enumerate(widths):
        if blocks[-1] and used + 2 + width > _LINE_WIDTH:
            blocks.append([])
            used = label_width
        blocks[-1].append(i)
        used += 2 + width
    out: list[str] = []
    for block in blocks:
        depth = max(len(heads[i]) for i in block) if block else 0
        for line in range(depth):
            parts = [" " * label_width]
            for i in block:
                head = heads[i]
                parts.append((head[line] if line < len(head) else "").rjust(widths[i]))
            out.append("  ".join(parts).rstrip())
        out.append("  ".join(["-" * label_width, *("-" * widths[i] for i in block)]))
        for label, row in zip(labels, cells, strict=True):
            out.append(
                "  ".join([label.ljust(label_width), *(row[i].rjust(widths[i]) for i in block)])
            )
        out.append("")
    return out


def tables_text(tables: Sequence[Table], lang: Lang = "vi") -> str:
    """The tables as aligned plain text (see the module docstring)."""
    out: list[str] = []
    for table in tables:
        heading = f"{table.caption} — {table.title}" if table.caption else table.title
        out += [heading, "=" * len(heading), *table.notes, ""]
        for section in table.sections:
            if section.title:
                out += [section.title, ""]
            out += _section_text(section, lang)
    return "\n".join(out).rstrip() + "\n"
