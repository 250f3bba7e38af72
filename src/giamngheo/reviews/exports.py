"""The list of households to review as an Excel workbook (openpyxl), laid out as the commune
prints it: the issuing body and the national motto, the title with the year, the commune, then
the table (no., household code, head, village, source, class on the current list, reviewer,
survey state, proposed class), A4 landscape, the heading row repeated on every page.

A read (selector level): it writes nothing and is imported by the pages only.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from giamngheo.registry.models import Classification
from giamngheo.reviews.models import CommuneReview, Source, SurveyState

COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Mã hộ", 14),
    ("Họ và tên chủ hộ", 26),
    ("Thôn", 20),
    ("Nguồn", 24),
    ("Phân loại hiện tại", 18),
    ("Rà soát viên", 22),
    ("Tình trạng điều tra", 16),
    ("Đề xuất phân loại", 22),
)
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "Times New Roman"
HEADING_ROW = 7


def _class(value: str) -> str:
    return str(Classification(value).label) if value in Classification.values else ""


def _body(review: CommuneReview) -> str:
    parent = review.commune.parent
    return f"UBND {parent.name.upper()}" if parent is not None else ""


def _title(ws: object, review: CommuneReview, last: str) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    bold = Font(name=_FONT, bold=True, size=12)
    ws["A1"] = _body(review)
    ws["A2"] = f"UBND {review.commune.name.upper()}"
    ws["A2"].font = bold
    ws["A1"].font = Font(name=_FONT, size=12)
    ws["F1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws["F1"].font = bold
    ws["F2"] = "Độc lập - Tự do - Hạnh phúc"
    ws["F2"].font = Font(name=_FONT, bold=True, size=12, underline="single")
    for ref in ("A1:D1", "A2:D2", f"F1:{last}1", f"F2:{last}2", f"A4:{last}4", f"A5:{last}5"):
        ws.merge_cells(ref)
    ws["A4"] = f"DANH SÁCH HỘ GIA ĐÌNH CẦN RÀ SOÁT NĂM {review.campaign.year}"
    ws["A4"].font = Font(name=_FONT, bold=True, size=14)
    ws["A5"] = f"{review.commune.name} — {review.campaign.name}"
    ws["A5"].font = Font(name=_FONT, italic=True, size=12)
    for ref in ("A1", "A2", "F1", "F2", "A4", "A5"):
        ws[ref].alignment = Alignment(horizontal="center")


def list_xlsx(review: CommuneReview) -> bytes:
    """The commune's list to review (every listed household, screened-out applicants with
    their state) as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách rà soát"
    last = get_column_letter(len(COLUMNS))
    _title(ws, review, last)
    head = Font(name=_FONT, bold=True, size=11)
    for i, (label, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADING_ROW, column=i, value=label)
        cell.font, cell.border = head, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    entries = review.entries.select_related("household__village", "reviewer").order_by(
        "household__village__name", "household__code"
    )
    body = Font(name=_FONT, size=11)
    for n, e in enumerate(entries, start=1):
        hh = e.household
        state = "Không qua Phiếu A" if e.screened_out else str(SurveyState(e.survey_state).label)
        values: tuple[int | str, ...] = (
            n,
            hh.code,
            hh.head_name,
            hh.village.name if hh.village else "",
            str(Source(e.source).label),
            _class(e.previous_class),
            (e.reviewer.get_full_name() or e.reviewer.get_username()) if e.reviewer else "",
            state,
            _class(e.proposed_class),
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=HEADING_ROW + n, column=col, value=value)
            cell.font, cell.border = body, _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=col in (3, 5))
            if col == 2:
                cell.number_format = "@"
    ws.freeze_panes = f"A{HEADING_ROW + 1}"
    ws.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
