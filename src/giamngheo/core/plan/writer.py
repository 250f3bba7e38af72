"""Writing a plan table: official .xlsx layout, PDF (A4 landscape) and CSV.

All three write the table *as it is*: printed values of 4, 6, 7 where the table has them,
otherwise the computed ones (two decimals). Use ``calc.recompute_table`` first to write
corrected values. Section rows I and II carry subtotal numbers (the printed ones when the
table has them, otherwise computed); III carries the grand total. Every output reads back
with ``reader.read_plan_table`` to the same rows.

**XLSX** — the official layout: title and subtitle rows, the two heading rows merged exactly
as in the plans (TT | Khu vực/ Địa bàn | Tổng số hộ dân cư: Số hộ, Trong đó Hộ DTTS | Số hộ
nghèo cuối năm N−1: Số hộ, Tỷ lệ % | Kế hoạch giảm nghèo đến cuối năm N: Số hộ giảm tối
thiểu, Số hộ nghèo còn lại, Dự kiến tỷ lệ hộ nghèo cuối năm N), the formula row
``A, B, 1, 2, 3, 4=3/1, 5, 6=3-5, 7``, thin borders, A4 landscape fitted to one page wide,
headings repeated on every printed page.
Numbers stay *numeric* cells with the number formats ``#,##0`` (counts) and ``0.00`` /
``0.0`` (rates, at the precision printed). In a number-format code "," and "." are
placeholders for the *viewer's* thousands separator and decimal mark, so on a computer set to
Vietnamese Excel shows ``4.807`` and ``1,75``; officers can still sum and sort the cells,
which text such as "4.807" would prevent. The rate's format also carries its printed
precision back to the reader (``20,7`` stays one decimal).

**PDF** — the same table drawn with reportlab in DejaVu Serif (bundled in ``fonts/``, which
has every Vietnamese glyph), A4 landscape, numbers in the language's format (``4.807``,
``1,75`` in Vietnamese).

**CSV** — for exchange between programs: UTF-8 with BOM (so Excel detects the encoding),
comma-delimited, a row of column names, then the formula row, then the sections and rows.
Numbers are *plain*: no thousands separator and "." as the decimal mark (``4807``,
``1.75``), the form every program reads; the reader recognises the convention because rates
have two decimals (a rate printed with exactly three decimals in a file with no other
separator would be ambiguous and rejected on re-import).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from giamngheo.core.numbers import Lang, decimal_places, format_decimal, format_int
from giamngheo.core.plan import calc
from giamngheo.core.plan.model import PlanRow, PlanTable, PrintedTotal, Section

FONTS_DIR = Path(__file__).parent / "fonts"
FORMULA_LABELS = ("A", "B", "1", "2", "3", "4=3/1", "5", "6=3-5", "7")
DEFAULT_TITLE = {"vi": "CHỈ TIÊU GIẢM NGHÈO", "en": "POVERTY REDUCTION TARGETS"}

Output = str | PathLike[str] | IO[bytes]
Value = int | Decimal | None


@dataclass(frozen=True)
class WriteMeta:
    """Title rows and language of the output. ``year`` is the plan year (2020: the headings
    read "cuối năm 2019" and "cuối năm 2020"); None leaves the years out."""

    title: str = ""
    subtitle: str = ""
    lang: Lang = "vi"
    year: int | None = None

    @classmethod
    def from_table(cls, table: PlanTable, lang: Lang = "vi", subtitle: str = "") -> WriteMeta:
        """The table's own title; the year is taken from it ("… NĂM 2020")."""
        match = re.search(r"\b(19|20)\d{2}\b", table.title)
        return cls(table.title, subtitle, lang, int(match.group(0)) if match else None)

    @property
    def heading_title(self) -> str:
        if self.title:
            return self.title
        base = DEFAULT_TITLE[self.lang]
        if self.year is None:
            return base
        return f"{base} NĂM {self.year}" if self.lang == "vi" else f"{base} {self.year}"


def headings(meta: WriteMeta) -> tuple[list[str], list[str]]:
    """The two heading rows (9 cells each; "" under a merged cell)."""
    y = "" if meta.year is None else f" {meta.year}"
    b = "" if meta.year is None else f" {meta.year - 1}"
    if meta.lang == "vi":
        return (
            [
                "TT",
                "Khu vực/ Địa bàn",
                "Tổng số hộ dân cư",
                "",
                f"Số hộ nghèo cuối năm{b}",
                "",
                f"Kế hoạch giảm nghèo đến cuối năm{y}",
                "",
                "",
            ],
            [
                "",
                "",
                "Số hộ",
                "Trong đó Hộ DTTS",
                "Số hộ",
                "Tỷ lệ %",
                "Số hộ giảm tối thiểu",
                "Số hộ nghèo còn lại",
                f"Dự kiến tỷ lệ hộ nghèo cuối năm{y}",
            ],
        )
    return (
        [
            "No.",
            "Area / unit",
            "Total households",
            "",
            f"Poor households at the end of{b}",
            "",
            f"Poverty reduction plan to the end of{y}",
            "",
            "",
        ],
        [
            "",
            "",
            "Households",
            "of which ethnic minority",
            "Households",
            "Rate %",
            "Minimum reduction",
            "Poor households remaining",
            f"Projected poverty rate at the end of{y}",
        ],
    )


_MERGES = ((0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 0, 5), (0, 6, 0, 8))
"""(row0, col0, row1, col1) merges of the heading rows, 0-based."""


@dataclass(frozen=True)
class _Line:
    kind: str  # "section", "row", "total"
    number: str
    name: str
    values: tuple[Value, ...]  # columns 1..7


def _rate_value(printed_value: Decimal | None, exact: Fraction | None) -> Decimal | None:
    return printed_value if printed_value is not None else calc.printed(exact)


def _pick(printed_value: int | None, computed: int | None) -> int | None:
    return printed_value if printed_value is not None else computed


def _row_line(row: PlanRow) -> _Line:
    rem = None if row.reduction is None else calc.remaining(row.poor, row.reduction)
    proj = None if rem is None else calc.rate(rem, row.households)
    return _Line(
        "row",
        row.number,
        row.name,
        (
            row.households,
            row.ethnic_minority,
            row.poor,
            _rate_value(row.printed_rate, calc.rate(row.poor, row.households)),
            row.reduction,
            _pick(row.printed_remaining, rem),
            _rate_value(row.printed_projected_rate, proj),
        ),
    )


def _total_line(
    kind: str,
    t: calc.Totals,
    printed_total: PrintedTotal | None,
    *,
    label: str,
    number: str,
    keep_name: bool,
) -> _Line:
    p = printed_total or PrintedTotal(name=label, section=t.section)
    if t.rows == 0 and printed_total is None and t.section is not None:
        return _Line(kind, number, label, (None,) * 7)
    return _Line(
        kind,
        p.number or number,
        (p.name if keep_name else "") or label,
        (
            _pick(p.households, t.households),
            _pick(p.ethnic_minority, t.ethnic_minority),
            _pick(p.poor, t.poor),
            _rate_value(p.rate, t.rate),
            _pick(p.reduction, t.reduction),
            _pick(p.remaining, t.remaining),
            _rate_value(p.projected_rate, t.projected_rate),
        ),
    )


def table_lines(table: PlanTable, lang: Lang = "vi") -> list[_Line]:
    """Section I, its rows, section II, its rows, III — with subtotal numbers. Section
    labels: as printed in a Vietnamese output, the standard English ones otherwise."""
    labels = calc.SECTION_LABELS_VI if lang == "vi" else calc.SECTION_LABELS_EN
    keep = lang == "vi"
    printed = {t.section: t for t in table.totals}
    lines: list[_Line] = []
    for section in (Section.URBAN, Section.RURAL):
        t = calc.totals(table.rows, section)
        lines.append(
            _total_line(
                "section",
                t,
                printed.get(section),
                label=labels[section],
                number=calc.SECTION_NUMBERS[section],
                keep_name=keep,
            )
        )
        lines += [_row_line(r) for r in table.rows if r.section is section]
    lines.append(
        _total_line(
            "total",
            calc.totals(table.rows),
            printed.get(None),
            label=labels[None],
            number="III",
            keep_name=keep,
        )
    )
    return lines


def _number_text(value: Value, lang: Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, lang)
    return format_int(value, lang)


# --------------------------------------------------------------------------- XLSX


def write_xlsx(table: PlanTable, out: Output, meta: WriteMeta | None = None) -> None:
    """The official layout as an Excel workbook (one sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    meta = meta or WriteMeta.from_table(table)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Chi tieu" if meta.lang == "vi" else "Targets"
    font = "Times New Roman"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.merge_cells("A1:I1")
    ws["A1"] = meta.heading_title
    ws["A1"].font = Font(name=font, size=14, bold=True)
    ws["A1"].alignment = center
    if meta.subtitle:
        ws.merge_cells("A2:I2")
        ws["A2"] = meta.subtitle
        ws["A2"].font = Font(name=font, size=12, italic=True)
        ws["A2"].alignment = center
    first = 4
    h1, h2 = headings(meta)
    for r, texts in enumerate((h1, h2, list(FORMULA_LABELS))):
        for c, text in enumerate(texts):
            cell: Any = ws.cell(row=first + r, column=c + 1, value=text or None)
            cell.font = Font(name=font, size=11, bold=r < 2, italic=r == 2)
            cell.alignment = center
            cell.border = border
    for r0, c0, r1, c1 in _MERGES:
        ws.merge_cells(
            start_row=first + r0, start_column=c0 + 1, end_row=first + r1, end_column=c1 + 1
        )
    ws.row_dimensions[first].height = 32
    ws.row_dimensions[first + 1].height = 48

    row_no = first + 3
    for line in table_lines(table, meta.lang):
        bold = line.kind != "row"
        ws.cell(row=row_no, column=1, value=line.number or None)
        ws.cell(row=row_no, column=2, value=line.name)
        for i, value in enumerate(line.values):
            cell = ws.cell(row=row_no, column=3 + i)
            if isinstance(value, Decimal):
                cell.value = float(value)
                places = decimal_places(value)
                cell.number_format = "0" if places == 0 else "0." + "0" * places
            elif value is not None:
                cell.value = value
                cell.number_format = "#,##0"
        for c in range(1, 10):
            cell = ws.cell(row=row_no, column=c)
            cell.font = Font(name=font, size=12, bold=bold)
            cell.border = border
            cell.alignment = Alignment(
                horizontal="left" if c == 2 else ("center" if c == 1 else "right"),
                vertical="center",
            )
        row_no += 1

    for c, width in enumerate((6, 30, 12, 12, 12, 10, 13, 13, 15), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = f"C{first + 3}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{first}:{first + 2}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    wb.save(out if not isinstance(out, PathLike) else str(out))


# --------------------------------------------------------------------------- CSV


def csv_text(table: PlanTable, lang: Lang = "vi") -> str:
    """The CSV content (without BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    h1, h2 = headings(WriteMeta(lang=lang))
    names = []
    for top, sub in zip(h1, h2, strict=True):
        names.append(sub or top)
    names[2] = h1[2] + " - " + h2[2]
    names[4] = h1[4] + " - " + h2[4]
    writer.writerow(names)
    writer.writerow(FORMULA_LABELS)
    for line in table_lines(table, lang):
        writer.writerow(
            [
                line.number,
                line.name,
                *(
                    "" if v is None else format(v, "f") if isinstance(v, Decimal) else str(v)
                    for v in line.values
                ),
            ]
        )
    return buffer.getvalue()


def write_csv(table: PlanTable, out: Output, lang: Lang = "vi") -> None:
    """Plain-number CSV (see the module docstring) that re-imports with the reader."""
    data = ("\ufeff" + csv_text(table, lang)).encode("utf-8")
    if isinstance(out, str | PathLike):
        Path(out).write_bytes(data)
    else:
        out.write(data)


# --------------------------------------------------------------------------- PDF

_FONT = "DejaVuSerif"
_FONT_BOLD = "DejaVuSerif-Bold"


def _register_fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(_FONT, str(FONTS_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(FONTS_DIR / "DejaVuSerif-Bold.ttf")))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _FONT_BOLD)
    addMapping(_FONT, 0, 1, _FONT)
    addMapping(_FONT, 1, 1, _FONT_BOLD)


def write_pdf(table: PlanTable, out: Output, meta: WriteMeta | None = None) -> None:
    """The table as an A4-landscape PDF with Vietnamese glyphs."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    meta = meta or WriteMeta.from_table(table)
    _register_fonts()
    lang = meta.lang
    title_style = ParagraphStyle(
        "t", fontName=_FONT_BOLD, fontSize=14, leading=18, alignment=TA_CENTER
    )
    sub_style = ParagraphStyle("s", fontName=_FONT, fontSize=11, leading=14, alignment=TA_CENTER)
    head_style = ParagraphStyle(
        "h", fontName=_FONT_BOLD, fontSize=9, leading=11, alignment=TA_CENTER
    )
    name_style = ParagraphStyle("n", fontName=_FONT, fontSize=10, leading=12)
    bold_name = ParagraphStyle("nb", parent=name_style, fontName=_FONT_BOLD)

    h1, h2 = headings(meta)
    data: list[list[Any]] = [
        [Paragraph(escape(t), head_style) if t else "" for t in h1],
        [Paragraph(escape(t), head_style) if t else "" for t in h2],
        list(FORMULA_LABELS),
    ]
    bold_rows = []
    for line in table_lines(table, lang):
        if line.kind != "row":
            bold_rows.append(len(data))
        style = name_style if line.kind == "row" else bold_name
        data.append(
            [
                line.number,
                Paragraph(escape(line.name), style),
                *(_number_text(v, lang) for v in line.values),
            ]
        )

    page = landscape(A4)
    margin = 15 * mm
    width = page[0] - 2 * margin
    widths = [12 * mm, 62 * mm]
    widths += [(width - sum(widths)) / 7] * 7
    grid = Table(data, colWidths=widths, repeatRows=3)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), _FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 2), "CENTER"),
        ("ALIGN", (0, 3), (0, -1), "CENTER"),
        ("ALIGN", (2, 3), (-1, -1), "RIGHT"),
        ("FONTNAME", (0, 2), (-1, 2), _FONT),
    ]
    commands += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in _MERGES]
    commands += [("FONTNAME", (0, r), (-1, r), _FONT_BOLD) for r in bold_rows]
    grid.setStyle(TableStyle(commands))

    story: list[Any] = [Paragraph(escape(meta.heading_title), title_style)]
    if meta.subtitle:
        story.append(Paragraph(escape(meta.subtitle), sub_style))
    story += [Spacer(1, 6 * mm), grid]
    target: str | IO[bytes] = str(out) if isinstance(out, str | PathLike) else out
    doc = SimpleDocTemplate(
        target,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=meta.heading_title,
        author="giamngheo",
    )
    doc.build(story)
