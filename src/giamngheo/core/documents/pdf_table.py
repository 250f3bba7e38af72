"""Drawing a Word table as a reportlab ``Table``: the grid (scaled down to the page), merged
cells across (``gridSpan``) and down (``vMerge``), vertical alignment, cell margins, the
table's alignment, its borders (from the table or its style) and its heading rows, repeated
on each page. What it cannot draw faithfully (cell borders, nested tables, rows that skip grid
columns) is refused with ``UnsupportedWordFeature``.

A mixin of the converter in ``pdf``: a cell's paragraphs are drawn by its ``paragraph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Length
from reportlab.platypus import Flowable, Table, TableStyle

from giamngheo.core.documents.pdf_word import (
    DEFAULT_CELL_MARGIN,
    FONT,
    IGNORED_IN_BODY,
    VALIGN,
    UnsupportedWordFeature,
    is_on,
    local_name,
)

_BORDER_SIDES: dict[str, tuple[str, Any, Any]] = {
    "top": ("LINEABOVE", (0, 0), (-1, 0)),
    "bottom": ("LINEBELOW", (0, -1), (-1, -1)),
    "left": ("LINEBEFORE", (0, 0), (0, -1)),
    "start": ("LINEBEFORE", (0, 0), (0, -1)),
    "right": ("LINEAFTER", (-1, 0), (-1, -1)),
    "end": ("LINEAFTER", (-1, 0), (-1, -1)),
    "insideH": ("LINEBELOW", (0, 0), (-1, -2)),
    "insideV": ("LINEAFTER", (0, 0), (-2, -1)),
}


@dataclass
class _Layout:
    """What reading the rows finds: the cells, the merges, the alignments, the heading rows."""

    rows: list[list[Any]] = field(default_factory=list)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    valign: list[tuple[int, int, str]] = field(default_factory=list)
    open_merges: dict[int, list[int]] = field(default_factory=dict)  # col -> [r0, c0, r1, c1]
    repeat: int = 0
    counting_heading: bool = True

    def close(self, column: int) -> None:
        m = self.open_merges.pop(column, None)
        if m is not None:
            self.spans.append((m[0], m[1], m[2], m[3]))


def _check_row(tr_pr: Any) -> None:
    if tr_pr is not None and (
        tr_pr.find(qn("w:gridBefore")) is not None or tr_pr.find(qn("w:gridAfter")) is not None
    ):
        raise UnsupportedWordFeature(
            "hàng bảng bỏ qua cột lưới", "table rows that skip grid columns"
        )


def _check_cell(tc_pr: Any) -> None:
    cell_borders = tc_pr.find(qn("w:tcBorders")) if tc_pr is not None else None
    if cell_borders is not None and any(
        b.get(qn("w:val")) not in ("nil", "none") for b in cell_borders
    ):
        raise UnsupportedWordFeature("viền riêng của từng ô bảng", "borders set on single cells")


class TableMixin:
    document: DocxDocument

    def paragraph(self, p_el: Any, parent: Any, *, in_cell: bool = False) -> list[Flowable]:
        raise NotImplementedError

    def table(self, tbl: Any, parent: Any, avail: float) -> Flowable:
        grid = [float(Length(int(gc.get(qn("w:w"), "0")) * 635).pt) for gc in tbl.tblGrid]
        if not grid:
            raise UnsupportedWordFeature("bảng không có lưới cột", "a table without a grid")
        total = sum(grid)
        if total > avail:
            grid = [w * avail / total for w in grid]
        tbl_pr = tbl.tblPr
        pads = self._cell_margins(tbl_pr)
        layout = _Layout()
        for r_index, tr in enumerate(tbl.tr_lst):
            self._row(layout=layout, r_index=r_index, tr=tr, parent=parent, grid=grid, pads=pads)
        for c in list(layout.open_merges):
            layout.close(c)
        left_pad, right_pad, top_pad, bottom_pad = pads
        commands: list[tuple[Any, ...]] = [
            ("LEFTPADDING", (0, 0), (-1, -1), left_pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), right_pad),
            ("TOPPADDING", (0, 0), (-1, -1), top_pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), bottom_pad),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),  # the empty cells under a merge
        ]
        for r0, c0, r1, c1 in layout.spans:
            if r1 > r0 or c1 > c0:
                commands.append(("SPAN", (c0, r0), (c1, r1)))
        for r0, c0, how in layout.valign:
            if how != "TOP":
                commands.append(("VALIGN", (c0, r0), (c0, r0), how))
        commands.extend(self._borders(tbl))
        return Table(
            layout.rows,
            colWidths=grid,
            style=TableStyle(commands),
            repeatRows=layout.repeat,
            hAlign=self._table_align(tbl_pr),
        )

    def _row(
        self,
        *,
        layout: _Layout,
        r_index: int,
        tr: Any,
        parent: Any,
        grid: list[float],
        pads: tuple[float, float, float, float],
    ) -> None:
        tr_pr = tr.trPr
        _check_row(tr_pr)
        is_heading = tr_pr is not None and is_on(tr_pr.find(qn("w:tblHeader")))
        if layout.counting_heading and is_heading:
            layout.repeat += 1
        else:
            layout.counting_heading = False
        ncols = len(grid)
        row: list[Any] = [""] * ncols
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            if col + span > ncols:
                raise UnsupportedWordFeature(
                    "hàng bảng có nhiều ô hơn lưới cột", "a table row wider than its grid"
                )
            tc_pr = tc.tcPr
            _check_cell(tc_pr)
            vmerge = tc.vMerge
            if vmerge == "continue":
                merge = layout.open_merges.get(col)
                if merge is None:
                    raise UnsupportedWordFeature(
                        "ô gộp dọc không có ô bắt đầu", "a vertical merge without a start"
                    )
                merge[2] = r_index
            else:
                layout.close(col)
                width = sum(grid[col : col + span]) - pads[0] - pads[1]
                row[col] = self._cell(tc, parent, width)
                if vmerge == "restart":
                    layout.open_merges[col] = [r_index, col, r_index, col + span - 1]
                elif span > 1:
                    layout.spans.append((r_index, col, r_index, col + span - 1))
                v_align = tc_pr.vAlign_val if tc_pr is not None else None
                how = VALIGN.get(v_align, "TOP") if v_align is not None else "TOP"
                layout.valign.append((r_index, col, how))
            col += span
        layout.rows.append(row)

    def _cell(self, tc: Any, parent: Any, width: float) -> list[Flowable]:
        out: list[Flowable] = []
        for child in tc:
            tag = child.tag
            if tag == qn("w:p"):
                out.extend(self.paragraph(child, parent, in_cell=True))
            elif tag == qn("w:tcPr"):
                continue
            elif tag == qn("w:tbl"):
                raise UnsupportedWordFeature("bảng lồng trong bảng", "nested tables")
            elif tag in IGNORED_IN_BODY:
                continue
            else:
                raise UnsupportedWordFeature(
                    f"thành phần «{local_name(tag)}» trong ô bảng",
                    f"the element '{local_name(tag)}' in a table cell",
                )
        return out

    def _cell_margins(self, tbl_pr: Any) -> tuple[float, float, float, float]:
        margins = {
            "left": DEFAULT_CELL_MARGIN,
            "right": DEFAULT_CELL_MARGIN,
            "top": 1.0,
            "bottom": 1.0,
        }
        mar = tbl_pr.find(qn("w:tblCellMar")) if tbl_pr is not None else None
        if mar is not None:
            for side in mar:
                name = {"start": "left", "end": "right"}.get(
                    local_name(side.tag), local_name(side.tag)
                )
                if name in margins and side.get(qn("w:type"), "dxa") == "dxa":
                    margins[name] = int(side.get(qn("w:w"), "0")) / 20
        return margins["left"], margins["right"], margins["top"], margins["bottom"]

    def _table_align(self, tbl_pr: Any) -> Literal["LEFT", "CENTER", "RIGHT"]:
        jc = tbl_pr.find(qn("w:jc")) if tbl_pr is not None else None
        value = jc.get(qn("w:val")) if jc is not None else "left"
        if value == "center":
            return "CENTER"
        return "RIGHT" if value in ("right", "end") else "LEFT"

    def _borders(self, tbl: Any) -> list[tuple[Any, ...]]:
        borders = None
        tbl_pr = tbl.tblPr
        if tbl_pr is not None:
            borders = tbl_pr.find(qn("w:tblBorders"))
            if borders is None:
                style_el = tbl_pr.find(qn("w:tblStyle"))
                if style_el is not None:
                    borders = self._style_borders(style_el.get(qn("w:val")))
        if borders is None:
            return []
        out: list[tuple[Any, ...]] = []
        for side in borders:
            name = local_name(side.tag)
            val = side.get(qn("w:val"), "nil")
            if val in ("nil", "none"):
                continue
            if val != "single":
                raise UnsupportedWordFeature(f"kiểu viền «{val}»", f"the border style '{val}'")
            width = int(side.get(qn("w:sz"), "4")) / 8
            cmd = _BORDER_SIDES.get(name)
            if cmd is None:
                raise UnsupportedWordFeature(f"viền bảng «{name}»", f"the table border '{name}'")
            out.append((cmd[0], cmd[1], cmd[2], width, "black"))
        return out

    def _style_borders(self, style_id: str | None) -> Any:
        styles = self.document.styles.element
        seen = 0
        while style_id and seen < 20:
            seen += 1
            style = next(
                (s for s in styles.findall(qn("w:style")) if s.get(qn("w:styleId")) == style_id),
                None,
            )
            if style is None:
                return None
            borders = style.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
            if borders is not None:
                return borders
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return None
