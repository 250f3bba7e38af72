"""Build the Word templates of ``giamngheo.core.documents`` (run once; commit the .docx files).

    .venv/bin/python tools/build_document_templates.py [OUTPUT_DIR]

Writes minutes.docx, posting_list.docx, decision.docx, certificate.docx, refusal.docx,
monthly_report.docx and handover.docx into ``src/giamngheo/core/documents/templates/`` (or
OUTPUT_DIR). The script documents how the templates were made; after that the templates are
*files*: an officer's IT person edits them in Word (wording, spacing, a unit's own legal
text) and this script is not run again unless the layout is rebuilt from scratch (or to add
a template: write the others to a scratch folder and copy the new one, leaving the edited
ones alone).

Layout (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, margins top 20 mm, bottom 20 mm, left
30 mm, right 15 mm; Times New Roman 13 pt; the heading as a borderless two-column table
(issuing body and number on the left, national motto and place-and-date on the right, short
rules as paragraph bottom borders between indents); title bold caps centred; signature block
on the right, "Nơi nhận:" on the left.

Every name, number, date and table row is a Jinja tag of docxtpl: ``{{ x }}`` in a run,
``{%p … %}`` as a paragraph of its own (loops and conditions over paragraphs and tables),
``{%tr … %}`` as a table row of its own (one row per item). Each tag is written in a single
run so that Word does not split it. The variables are listed in templates/README.md.

Only the Word features that ``giamngheo.core.documents.pdf`` draws are used: paragraph
alignment, indents, spacing, bold/italic runs and sizes, page breaks, bottom borders, tables
with or without borders, fixed column widths, merged cells, repeated heading rows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

OUT = Path(__file__).resolve().parents[1] / "src/giamngheo/core/documents/templates"
FONT = "Times New Roman"
BODY = 13  # pt
CONTENT_PORTRAIT = 165.0  # mm: 210 - 30 - 15
CONTENT_LANDSCAPE = 252.0  # mm: 297 - 30 - 15

C, L, R, J = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)

Run = tuple[str, str]  # (text, style letters: "b" bold, "i" italic)


# --- document, section, styles -----------------------------------------------------------


def new_document(landscape: bool = False) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:  # pragma: no cover - set by font.name above
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    # The default template's docDefaults add 1.08 line spacing and 8 pt after: reset them.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        ppr_default = defaults.find(qn("w:pPrDefault"))
        if ppr_default is not None:
            defaults.remove(ppr_default)
    return doc


# --- paragraphs --------------------------------------------------------------------------


def para(
    where: DocxDocument | _Cell,
    runs: Sequence[Run] | str = (),
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float | None = None,
    before: float = 0,
    after: float = 0,
    first_line: float | None = None,
    left: float | None = None,
    right: float | None = None,
    style: str = "",
    line: float | None = None,
    keep: bool = False,
) -> Paragraph:
    """A paragraph with its runs. In a table cell the cell's first (empty) paragraph is used
    for the first call. ``style`` applies to all runs of a plain-string paragraph."""
    p: Paragraph
    first = where.paragraphs[0] if isinstance(where, _Cell) else None
    if first is not None and len(where.paragraphs) == 1 and not first.runs and first._p.pPr is None:
        p = first  # the cell's own empty paragraph
    else:
        p = where.add_paragraph()
    if isinstance(runs, str):
        runs = [(runs, style)] if runs else []
    for text, letters in runs:
        run = p.add_run(text)
        run.bold = "b" in letters or None
        run.italic = "i" in letters or None
        if size is not None:
            run.font.size = Pt(size)
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if first_line is not None:
        pf.first_line_indent = Mm(first_line)
    if left is not None:
        pf.left_indent = Mm(left)
    if right is not None:
        pf.right_indent = Mm(right)
    if line is not None:
        pf.line_spacing = line
    if keep:
        pf.keep_with_next = True
    if size is not None:
        mark_size(p, size)
    return p


def mark_size(p: Paragraph, size: float) -> None:
    """The paragraph mark's size (the height of an empty paragraph)."""
    p_pr = p._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.append(r_pr)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(round(size * 2)))
        r_pr.append(el)


def tag(where: DocxDocument | _Cell, text: str) -> Paragraph:
    """A paragraph that holds one docxtpl ``{%p … %}`` tag (removed when rendered)."""
    return para(where, text, size=BODY)


def blank(where: DocxDocument | _Cell, size: float = BODY) -> Paragraph:
    return para(where, "", size=size)


def rule(where: DocxDocument | _Cell, cell_width: float, length: float) -> Paragraph:
    """A short centred rule: an empty paragraph with a bottom border between its indents."""
    indent = (cell_width - length) / 2 - 1.9  # minus the cell's own margins
    p = para(where, "", size=2, left=indent, right=indent)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "3")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    # pBdr comes before spacing/ind/jc/rPr in pPr (schema order); para() set the spacing.
    p_pr.find(qn("w:spacing")).addprevious(borders)
    return p


def page_break(where: DocxDocument) -> Paragraph:
    p = where.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)
    return p


# --- tables ------------------------------------------------------------------------------


def table(
    doc: DocxDocument | _Cell,
    widths: Sequence[float],
    rows: int,
    *,
    borders: bool,
    center: bool = True,
    cell_margin: float | None = None,
) -> Table:
    t = doc.add_table(rows=rows, cols=len(widths))
    t.autofit = False
    if center:
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = t._tbl.tblPr
    # Schema order inside tblPr: … jc, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook:
    # the borders go before tblLayout, the cell margins after it.
    added = []
    el = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        if borders:
            b.set(qn("w:val"), "single")
            b.set(qn("w:sz"), "4")
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), "000000")
        else:
            b.set(qn("w:val"), "nil")
        el.append(b)
    added.append(el)
    if cell_margin is not None:  # left and right cell margins (mm), default 1.9 mm
        mar = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), str(round(cell_margin / 25.4 * 1440)))
            m.set(qn("w:type"), "dxa")
            mar.append(m)
        added.append(mar)
    look = tbl_pr.find(qn("w:tblLayout"))  # set by autofit = False
    look.addprevious(el)
    if len(added) > 1:
        look.addnext(added[1])
    for i, w in enumerate(widths):
        t.columns[i].width = Mm(w)
        for cell in t.columns[i].cells:
            cell.width = Mm(w)
    return t


def heading_row(t: Table, index: int) -> None:
    """Repeat this row at the top of every page."""
    tr_pr = t.rows[index]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def cells_text(
    t: Table,
    row: int,
    texts: Sequence[str],
    *,
    size: float = 12,
    style: str = "",
    aligns: Sequence[WD_ALIGN_PARAGRAPH] | None = None,
) -> None:
    for i, text in enumerate(texts):
        cell = t.cell(row, i)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        align = aligns[i] if aligns else C
        para(cell, text, align=align, size=size, style=style)


def loop_rows(
    t: Table,
    first: int,
    loop: str,
    fields: Sequence[str],
    aligns: Sequence[WD_ALIGN_PARAGRAPH],
    *,
    size: float = 12,
    style: str = "",
) -> None:
    """Rows ``first``..``first+2``: ``{%tr for … %}``, the item row, ``{%tr endfor %}``."""
    para(t.cell(first, 0), f"{{%tr for {loop} %}}", size=size)
    cells_text(t, first + 1, [f"{{{{ {f} }}}}" for f in fields], size=size, aligns=aligns)
    if style:
        for cell in t.rows[first + 1].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = "b" in style or None
    para(t.cell(first + 2, 0), "{%tr endfor %}", size=size)


# --- shared blocks -----------------------------------------------------------------------

LEFT_W, RIGHT_W = 68.0, 97.0  # the heading's two columns (mm)


def heading(doc: DocxDocument, *, summary: bool = False, width: float = CONTENT_PORTRAIT) -> None:
    """Issuing body and number (left), national motto and place-and-date (right)."""
    right_w = width - LEFT_W
    t = table(doc, [LEFT_W, right_w], 2, borders=False, center=False)
    left, right = t.cell(0, 0), t.cell(0, 1)
    para(left, "{{ superior }}", align=C, size=12)
    para(left, [("{{ issuer }}", "b")], align=C, size=12)
    rule(left, LEFT_W, 22)
    para(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b")], align=C, size=12)
    para(right, [("Độc lập - Tự do - Hạnh phúc", "b")], align=C, size=13)
    rule(right, right_w, 58)
    para(t.cell(1, 0), "{{ number_line }}", align=C, size=13, before=6)
    if summary:
        para(t.cell(1, 0), "{{ summary }}", align=C, size=12)
    para(t.cell(1, 1), [("{{ place_date }}", "i")], align=C, size=13, before=6)


def title(doc: DocxDocument, lines: Sequence[Run], *, before: float = 18) -> None:
    for i, (text, letters) in enumerate(lines):
        para(doc, [(text, letters)], align=C, size=14, before=before if i == 0 else 0)


def signature(doc: DocxDocument, *, recipients: bool, width: float = CONTENT_PORTRAIT) -> None:
    """The recipients ("Nơi nhận:", left, optional) and the signer (right)."""
    left_w = width - 85
    blank(doc, size=6)
    t = table(doc, [left_w, 85], 1, borders=False, center=False)
    left, right = t.cell(0, 0), t.cell(0, 1)
    if recipients:
        para(left, [("Nơi nhận:", "bi")], size=12, before=6)
        tag(left, "{%p for r in recipients %}")
        para(left, "- {{ r }}", size=11)
        tag(left, "{%p endfor %}")
    else:
        blank(left)
    tag(right, "{%p if signer.authority %}")
    para(right, [("{{ signer.authority }}", "b")], align=C, size=13, before=6)
    tag(right, "{%p endif %}")
    para(right, [("{{ signer.title }}", "b")], align=C, size=13)
    para(right, [("(Ký, ghi rõ họ tên, đóng dấu)", "i")], align=C, size=12)
    for _ in range(4):
        blank(right)
    para(right, [("{{ signer.name }}", "b")], align=C, size=13)


def body(doc: DocxDocument, runs: Sequence[Run] | str, **kw: Any) -> Paragraph:
    kw.setdefault("first_line", 10)
    kw.setdefault("before", 3)
    kw.setdefault("after", 3)
    kw.setdefault("size", BODY)
    return para(doc, runs, align=J, **kw)


# --- the six templates -------------------------------------------------------------------


def minutes() -> DocxDocument:
    doc = new_document()
    tag(doc, "{%p for copy in copies %}")
    tag(doc, "{%p if not loop.first %}")
    page_break(doc)
    tag(doc, "{%p endif %}")
    para(doc, [("{{ copy }}", "i")], align=R, size=12, after=6)
    heading(doc)
    title(
        doc,
        [
            ("BIÊN BẢN HỌP DÂN", "b"),
        ],
    )
    para(doc, [("V/v {{ subject }} (lần {{ attempt }})", "b")], align=C, size=13, after=12)
    body(
        doc,
        "Hôm nay, vào lúc {{ time }} ngày {{ day }}, tại {{ venue }}, {{ village }}, "
        "xã {{ commune }}, tổ chức họp dân để {{ subject }}.",
    )
    body(doc, [("I. THÀNH PHẦN THAM DỰ", "b")], first_line=0, keep=True)
    body(doc, "- Chủ trì: {{ chair.name }}, {{ chair.role }};", before=0, after=0)
    body(doc, "- Thư ký: {{ secretary.name }}, {{ secretary.role }};", before=0, after=0)
    tag(doc, "{%p for a in key_attendees %}")
    body(doc, "- {{ a.name }}, {{ a.role }};", before=0, after=0)
    tag(doc, "{%p endfor %}")
    body(doc, "- Tổng số người tham dự: {{ attendees }} người.", before=0)
    body(doc, [("II. NỘI DUNG", "b")], first_line=0, keep=True)
    body(
        doc,
        "Cuộc họp đã nghe rà soát viên báo cáo kết quả thu thập thông tin, chấm điểm và "
        "phân loại các hộ gia đình; người dự họp thảo luận, bình xét từng hộ như sau:",
    )
    widths = [10, 25, 40, 40, 50]
    t = table(doc, widths, 4, borders=True)
    cells_text(t, 0, ["TT", "Mã hộ", "Họ và tên chủ hộ", "Đề xuất", "Kết quả chấm điểm"], style="b")
    heading_row(t, 0)
    loop_rows(
        t,
        1,
        "h in households",
        ["h.no", "h.code", "h.head_name", "h.proposal", "h.summary"],
        [C, C, L, L, L],
    )
    body(doc, [("III. KẾT QUẢ BIỂU QUYẾT", "b")], first_line=0, before=9, keep=True)
    body(
        doc,
        "Số người dự họp đồng ý với kết quả chấm điểm, phân loại: {{ agreed }}/{{ attendees }}"
        " người, đạt tỷ lệ {{ percentage }}.",
    )
    body(doc, [("{{ result }}", "b")])
    body(
        doc,
        "Cuộc họp kết thúc vào lúc {{ end_time }} cùng ngày. Biên bản được lập thành "
        "02 bản có giá trị như nhau, đã đọc lại cho mọi người cùng nghe và nhất trí ký tên.",
    )
    t = table(doc, [82.5, 82.5], 1, borders=False, center=False)
    para(t.cell(0, 0), [("THƯ KÝ", "b")], align=C, size=13, before=12)
    para(t.cell(0, 0), [("(Ký, ghi rõ họ tên)", "i")], align=C, size=12)
    para(t.cell(0, 1), [("CHỦ TRÌ", "b")], align=C, size=13, before=12)
    para(t.cell(0, 1), [("(Ký, ghi rõ họ tên)", "i")], align=C, size=12)
    for cell in (t.cell(0, 0), t.cell(0, 1)):
        for _ in range(3):
            blank(cell)
    para(t.cell(0, 0), [("{{ secretary.name }}", "b")], align=C, size=13)
    para(t.cell(0, 1), [("{{ chair.name }}", "b")], align=C, size=13)
    tag(doc, "{%p if representatives %}")
    para(doc, [("ĐẠI DIỆN CÁC HỘ GIA ĐÌNH", "b")], align=C, size=13, before=12, after=6, keep=True)
    t = table(doc, [12, 80, 60], 4, borders=True)
    cells_text(t, 0, ["TT", "Họ và tên", "Chữ ký"], style="b")
    heading_row(t, 0)
    loop_rows(t, 1, "r in representatives", ["r.no", "r.name", "r.blank"], [C, L, L])
    blank(t.cell(2, 2), size=12)  # room to sign: two lines per row
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    return doc


def posting_list() -> DocxDocument:
    doc = new_document()
    heading(doc)
    title(doc, [("DANH SÁCH NIÊM YẾT CÔNG KHAI", "b")])
    para(doc, [("{{ subject }}", "b")], align=C, size=13)
    para(doc, [("{{ where }}", "i")], align=C, size=13, after=6)
    body(doc, "Thời gian niêm yết: từ ngày {{ start }} đến ngày {{ end }}.")
    body(doc, "Địa điểm niêm yết: {{ posting_place }}.")
    tag(doc, "{%p for s in sections %}")
    para(doc, [("{{ s.title }}", "b")], size=13, before=9, after=3, keep=True)
    tag(doc, "{%p if s.rows %}")
    widths = [10, 28, 52, 30, 20, 25]
    t = table(doc, widths, 5, borders=True)
    cells_text(
        t,
        0,
        ["TT", "Mã hộ", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Hộ DTTS"],
        style="b",
    )
    heading_row(t, 0)
    loop_rows(
        t,
        1,
        "r in s.rows",
        ["r.no", "r.code", "r.head_name", "r.village", "r.persons", "r.ethnic_minority"],
        [C, C, L, L, C, C],
    )
    cells_text(t, 4, ["", "Cộng", "{{ s.households }} hộ", "", "{{ s.persons }}", ""], style="b")
    tag(doc, "{%p else %}")
    para(doc, [("Không có hộ nào.", "i")], size=13, left=10)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    body(
        doc,
        "Trong thời gian niêm yết, nếu có ý kiến khác hoặc khiếu nại về danh sách trên, "
        "đề nghị phản ánh {{ complaints }} chậm nhất đến ngày {{ complaints_until }}.",
        before=9,
    )
    signature(doc, recipients=False)
    return doc


def decision() -> DocxDocument:
    doc = new_document()
    heading(doc)
    title(doc, [("QUYẾT ĐỊNH", "b")])
    para(doc, [("Về việc {{ subject }}", "b")], align=C, size=14)
    rule(doc, CONTENT_PORTRAIT, 40)
    para(doc, [("{{ decider }}", "b")], align=C, size=14, before=12, after=6)
    tag(doc, "{%p for b in legal_bases %}")
    body(doc, [("{{ b }}", "i")], before=0, after=3)
    tag(doc, "{%p endfor %}")
    para(doc, [("QUYẾT ĐỊNH:", "b")], align=C, size=14, before=6, after=6)
    body(
        doc,
        [
            ("Điều 1. ", "b"),
            (
                "Công nhận kết quả rà soát hộ nghèo, hộ cận nghèo trên địa bàn xã {{ commune }}, "
                "cụ thể như sau:",
                "",
            ),
        ],
    )
    tag(doc, "{%p for c in counts %}")
    body(doc, "- {{ c.label }}: {{ c.households }} hộ, {{ c.persons }} nhân khẩu;", before=0)
    tag(doc, "{%p endfor %}")
    body(doc, [("(Có danh sách kèm theo)", "i")], before=0)
    body(doc, [("Điều 2. ", "b"), ("Quyết định này có hiệu lực {{ effect }}.", "")])
    body(
        doc,
        [("Điều 3. ", "b"), ("{{ executors }} chịu trách nhiệm thi hành Quyết định này./.", "")],
    )
    signature(doc, recipients=True)
    tag(doc, "{%p for a in annexes %}")
    page_break(doc)
    para(doc, [("DANH SÁCH {{ a.title }}", "b")], align=C, size=14, keep=True)
    para(doc, [("(Kèm theo Quyết định số {{ reference }})", "i")], align=C, size=13, after=12)
    widths = [10, 24, 40, 25, 18, 24, 24]
    t = table(doc, widths, 4, borders=True)
    cells_text(
        t,
        0,
        [
            "TT",
            "Mã hộ",
            "Họ và tên chủ hộ",
            "Thôn",
            "Số nhân khẩu",
            "Phân loại",
            "Chỉ số thiếu hụt",
        ],
        size=12,
        style="b",
    )
    heading_row(t, 0)
    loop_rows(
        t,
        1,
        "r in a.rows",
        [
            "r.no",
            "r.code",
            "r.head_name",
            "r.village",
            "r.persons",
            "r.classification",
            "r.deprived",
        ],
        [C, C, L, L, C, C, C],
    )
    para(doc, "Tổng cộng: {{ a.households }} hộ, {{ a.persons }} nhân khẩu.", size=13, before=6)
    tag(doc, "{%p endfor %}")
    return doc


def certificate() -> DocxDocument:
    doc = new_document()
    heading(doc)
    title(doc, [("GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO", "b")], before=12)
    para(doc, [("Giai đoạn {{ period }}", "i")], align=C, size=13, after=6)
    tag(doc, "{%p for b in legal_bases %}")
    body(doc, [("{{ b }}", "i")], before=0, after=0, size=12)
    tag(doc, "{%p endfor %}")
    para(doc, [("{{ certifier }} CHỨNG NHẬN:", "b")], align=C, size=13, before=6, after=3)
    body(
        doc,
        [
            ("Hộ gia đình ông/bà: ", ""),
            ("{{ head_name }}", "b"),
            ("; dân tộc: {{ ethnicity }}", ""),
        ],
        before=0,
        after=0,
        size=12,
        first_line=0,
    )
    body(
        doc,
        "Số CCCD/CMND: {{ id_number }}{% if id_issued %}; ngày cấp: {{ id_issued }}{% endif %}",
        before=0,
        after=0,
        size=12,
        first_line=0,
    )
    body(doc, "Nơi cư trú: {{ residence }}", before=0, after=0, size=12, first_line=0)
    para(doc, [("I. DANH SÁCH THÀNH VIÊN HỘ GIA ĐÌNH", "b")], size=12, before=6, after=3, keep=True)
    widths = [10, 50, 20, 27, 16, 16, 26]
    t = table(doc, widths, 5, borders=True)
    heads = ["TT", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "", "Ghi chú"]
    cells_text(t, 0, heads, size=11, style="b")
    cells_text(t, 1, ["", "", "", "", "Nam", "Nữ", ""], size=11, style="b")
    for col in (0, 1, 2, 3, 6):
        t.cell(0, col).merge(t.cell(1, col))
    t.cell(0, 4).merge(t.cell(0, 5))
    heading_row(t, 0)
    heading_row(t, 1)
    loop_rows(
        t,
        2,
        "m in members",
        ["m.no", "m.name", "m.ethnicity", "m.relation", "m.male_year", "m.female_year", "m.note"],
        [C, L, C, C, C, C, L],
        size=11,
    )
    para(
        doc,
        [("II. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO GIAI ĐOẠN {{ period }}", "b")],
        size=12,
        before=6,
        after=3,
        keep=True,
    )
    widths2 = [12.0, 12.0] + [8.0] * 12 + [20.0, 25.0]
    t = table(doc, widths2, 5, borders=True, cell_margin=0.6)
    cells_text(
        t,
        0,
        ["Năm", "Phân loại", "Chỉ số thiếu hụt", *[""] * 11, "Ngày", "Xác nhận"],
        size=11,
        style="b",
    )
    cells_text(t, 1, ["", "", *[str(i) for i in range(1, 13)], "", ""], size=10, style="b")
    for col in (0, 1, 14, 15):
        t.cell(0, col).merge(t.cell(1, col))
    t.cell(0, 2).merge(t.cell(0, 13))
    heading_row(t, 0)
    heading_row(t, 1)
    loop_rows(
        t,
        2,
        "y in years",
        [
            "y.year",
            "y.classification",
            *[f"y.marks[{i}]" for i in range(12)],
            "y.date",
            "y.confirmed_by",
        ],
        [C] * 16,
        size=11,
    )
    para(
        doc,
        [
            (
                "Ghi chú: N: hộ nghèo; CN: hộ cận nghèo; các cột 1 đến 12: chỉ số thiếu hụt "
                "dịch vụ xã hội cơ bản của hộ (đánh dấu x).",
                "i",
            )
        ],
        size=11,
        before=3,
    )
    signature(doc, recipients=False)
    return doc


def refusal() -> DocxDocument:
    doc = new_document()
    heading(doc, summary=True)
    para(doc, "Kính gửi: Hộ gia đình ông/bà {{ addressee_name }}", align=C, size=14, before=18)
    para(doc, [("(Nơi cư trú: {{ addressee_residence }})", "i")], align=C, size=13, after=12)
    body(
        doc,
        "Ngày {{ received }}, {{ responder }} nhận được đề nghị {{ applied_for }} của hộ gia "
        "đình ông/bà {{ addressee_name }}.",
    )
    body(
        doc,
        "Sau khi tổ chức rà soát theo quy định, hộ gia đình ông/bà không đủ điều kiện để "
        "{{ applied_for }}, với lý do sau:",
    )
    tag(doc, "{%p for r in reasons %}")
    body(doc, "- {{ r }}", before=0, after=0)
    tag(doc, "{%p endfor %}")
    body(
        doc,
        "Nếu không đồng ý với nội dung trả lời này, ông/bà có quyền khiếu nại theo quy định "
        "của pháp luật về khiếu nại.",
    )
    body(doc, "{{ responder }} trả lời để hộ gia đình ông/bà được biết./.")
    signature(doc, recipients=True)
    return doc


def monthly_report() -> DocxDocument:
    doc = new_document(landscape=True)
    heading(doc, width=CONTENT_LANDSCAPE)
    title(doc, [("BÁO CÁO", "b")], before=12)
    para(
        doc,
        [("Kết quả rà soát hộ nghèo, hộ cận nghèo thường xuyên tháng {{ month_label }}", "b")],
        align=C,
        size=14,
    )
    rule(doc, CONTENT_LANDSCAPE, 40)
    para(doc, "Kính gửi: {{ addressee }}", align=C, size=14, before=9, after=9)
    body(
        doc,
        "{{ reporter }} báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo thường xuyên trong kỳ "
        "từ ngày {{ start }} đến ngày {{ end }} như sau:",
    )
    widths = [12.0, 60.0] + [30.0] * 6
    t = table(doc, widths, 5, borders=True)
    cells_text(
        t,
        0,
        [
            "TT",
            "{{ unit_label }}",
            "Hộ nghèo phát sinh mới",
            "Hộ cận nghèo phát sinh mới",
            "Hộ thoát nghèo",
            "Hộ thoát cận nghèo",
            "Số đơn đề nghị đã nhận",
            "Số trường hợp không công nhận",
        ],
        style="b",
    )
    heading_row(t, 0)
    fields = [
        "new_poor",
        "new_near_poor",
        "escaped_poor",
        "escaped_near_poor",
        "received",
        "refused",
    ]
    loop_rows(t, 1, "r in rows", ["r.no", "r.unit", *[f"r.{f}" for f in fields]], [C, L] + [C] * 6)
    cells_text(
        t,
        4,
        ["", "{{ totals.unit }}", *[f"{{{{ totals.{f} }}}}" for f in fields]],
        style="b",
        aligns=[C, L] + [C] * 6,
    )
    tag(doc, "{%p for n in notes %}")
    body(doc, "{{ n }}", before=3)
    tag(doc, "{%p endfor %}")
    body(doc, "{{ reporter }} báo cáo để {{ addressee }} biết, tổng hợp./.", before=6)
    signature(doc, recipients=True, width=CONTENT_LANDSCAPE)
    return doc


def signers_row(doc: DocxDocument, keys: Sequence[str], widths: Sequence[float]) -> None:
    """Signers side by side in one borderless row (never split across pages): two heading
    lines (bold), the hint (italic), the room to sign, the name. Each signer ``s`` gives
    ``s.line1``, ``s.line2``, ``s.hint`` and ``s.name`` (all empty: an empty column); every
    line is printed even when empty, so the names stay level."""
    t = table(doc, widths, 1, borders=False, center=False, cell_margin=1)
    for col, key in enumerate(keys):
        cell = t.cell(0, col)
        para(cell, [(f"{{{{ {key}.line1 }}}}", "b")], align=C, size=11)
        para(cell, [(f"{{{{ {key}.line2 }}}}", "b")], align=C, size=11)
        para(cell, [(f"{{{{ {key}.hint }}}}", "i")], align=C, size=10)
        for _ in range(3):
            blank(cell, size=11)
        para(cell, [(f"{{{{ {key}.name }}}}", "b")], align=C, size=12)


def handover() -> DocxDocument:
    """Danh sách hộ nhận hỗ trợ kiêm biên bản giao nhận (A4 portrait: 20 households and the
    signatures fit one page; the table's heading repeats on the next pages)."""
    doc = new_document()
    heading(doc)
    title(doc, [("DANH SÁCH HỘ NHẬN HỖ TRỢ", "b"), ("KIÊM BIÊN BẢN GIAO NHẬN", "b")], before=9)
    para(doc, [("Dự án: {{ project }}", "b")], align=C, size=13)
    para(doc, [("{{ where }}", "i")], align=C, size=13, after=6)
    tag(doc, "{%p if approval %}")
    body(doc, [("Căn cứ {{ approval }} về việc phê duyệt dự án;", "i")], before=0, after=0)
    tag(doc, "{%p endif %}")
    body(
        doc,
        "Hôm nay, ngày {{ day }}, tại {{ place }}, {{ giver }} giao hỗ trợ cho các hộ có tên "
        "dưới đây:",
        before=0,
        after=6,
    )
    widths = [10, 15, 37, 20, 29, 15, 22, 17]
    t = table(doc, widths, 5, borders=True, cell_margin=1.0)
    cells_text(
        t,
        0,
        [
            "STT",
            "Mã hộ",
            "Họ và tên chủ hộ",
            "Thôn",
            "Nội dung hỗ trợ",
            "Số lượng",
            "Giá trị (đồng)",
            "Ký nhận",
        ],
        size=11,
        style="b",
    )
    heading_row(t, 0)
    fields = ["no", "code", "head_name", "village", "item", "quantity", "value"]
    # the last column ("Ký nhận") stays empty: the household signs there
    loop_rows(t, 1, "r in rows", [f"r.{f}" for f in fields], [C, C, L, L, L, C, R], size=11)
    t.cell(4, 0).merge(t.cell(4, 5))
    cells_text(t, 4, ["Tổng cộng: {{ households }} hộ"], size=11, style="b")
    para(t.cell(4, 6), [("{{ total }}", "b")], align=R, size=11)
    t.cell(4, 6).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    body(doc, [("Bằng chữ: {{ total_in_words }}./.", "i")], before=3, after=6, first_line=0)
    signers_row(
        doc,
        ["preparer", "village_signer", "giver_signer", "commune_signer"],
        [35, 35, 47.5, 47.5],
    )
    return doc


TEMPLATES = {
    "minutes.docx": minutes,
    "posting_list.docx": posting_list,
    "decision.docx": decision,
    "certificate.docx": certificate,
    "refusal.docx": refusal,
    "monthly_report.docx": monthly_report,
    "handover.docx": handover,
}


def main(argv: Sequence[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        build().save(str(out / name))
        print(out / name)


if __name__ == "__main__":
    main(sys.argv[1:])
