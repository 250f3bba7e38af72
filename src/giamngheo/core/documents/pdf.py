"""Drawing a filled Word document as PDF (reportlab platypus, Liberation Serif embedded).

The PDF is made *from the filled .docx*, so the layout lives in one place: the template that
an IT person edits in Word. This is not a general Word renderer; it draws the subset of Word
that the templates use, and refuses (``UnsupportedWordFeature``) what it would otherwise
draw wrongly.

Drawn:

* sections: page size and orientation (A4 portrait or landscape, any size), margins; each
  section starts on a new page;
* paragraphs: alignment (left, centre, right, justified), left/right/first-line/hanging
  indents, space before and after, line spacing (multiple, exact, at least), "page break
  before", "keep with next", page breaks inside the text (``w:br w:type="page"``), line
  breaks, a bottom border (drawn as a rule under the paragraph, between its indents);
* runs: bold, italic, underline, strike-through, all caps, superscript and subscript, font
  size; the text, tabs (as a gap of four spaces: tab stops are not honoured), non-breaking
  and soft hyphens;
* properties come from the run, its character style, the paragraph's style chain and the
  document defaults, as in Word;
* tables: column widths (the table grid; scaled down when wider than the page), fixed
  layout, borders of the table (``single``/``nil``/``none``, from the table or its style),
  horizontal (``gridSpan``) and vertical (``vMerge``) merges, vertical alignment of cells,
  cell margins, table alignment (left, centre, right), heading rows repeated on each page.

Not drawn, *on purpose* (documented, not errors): the font family (everything is Liberation
Serif, metric-compatible with Times New Roman), colours, highlighting and shading (the PDF is
black on white), character spacing, tab stops, row heights (rows are as high as their text),
widow control, table style formatting other than borders.

Refused (``UnsupportedWordFeature``, naming the feature): numbered or bulleted lists,
pictures and drawings, fields (page numbers), text boxes and frames, content controls,
tracked changes and comments, footnotes, headers and footers with content, multiple text
columns, continuous section breaks, column breaks, paragraph borders other than the bottom
one, cell borders set per cell, nested tables, rows that skip grid columns, border styles
other than single.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx import Document as open_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from reportlab.lib.styles import ParagraphStyle as RLStyle
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from giamngheo.core.documents.pdf_table import TableMixin
from giamngheo.core.documents.pdf_word import (
    ALIGN,
    DEFAULT_SIZE,
    FONT,
    IGNORED_IN_BODY,
    IGNORED_IN_PARAGRAPH,
    IGNORED_IN_RUN,
    LINE_FACTOR,
    TAB,
    UnsupportedWordFeature,
    is_on,
    local_name,
    register_fonts,
)


@dataclass(frozen=True)
class _Defaults:
    size: float
    bold: bool
    italic: bool
    before: float
    after: float
    line: float  # multiple of single spacing


def _doc_defaults(document: DocxDocument) -> _Defaults:
    size, bold, italic = DEFAULT_SIZE, False, False
    before = after = 0.0
    line = 1.0
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if r_pr is not None:
            sz = r_pr.find(qn("w:sz"))
            if sz is not None:
                size = int(sz.get(qn("w:val"))) / 2
            bold = is_on(r_pr.find(qn("w:b")))
            italic = is_on(r_pr.find(qn("w:i")))
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is not None:
            before = int(spacing.get(qn("w:before"), "0")) / 20
            after = int(spacing.get(qn("w:after"), "0")) / 20
            rule = spacing.get(qn("w:lineRule"), "auto")
            if rule != "auto":
                raise UnsupportedWordFeature(
                    "giãn dòng cố định trong định dạng mặc định",
                    "an exact line spacing in the document defaults",
                )
            line = int(spacing.get(qn("w:line"), "240")) / 240
    return _Defaults(size, bold, italic, before, after, line)


def _style_chain(style: ParagraphStyle | CharacterStyle | None) -> Iterator[Any]:
    seen = 0
    while style is not None and seen < 20:
        yield style
        style = style.base_style
        seen += 1


class _Resolver:
    """Word's inheritance of a property: the paragraph or run itself, then its style chain.

    python-docx finds a style by scanning every style of the document (hundreds, latent ones
    included) on each ``.style``; the styles and what their chains give are cached here, per
    style id, which makes a certificate page ~10× faster to draw."""

    def __init__(self, document: DocxDocument) -> None:
        self.defaults = _doc_defaults(document)
        self._styles: dict[tuple[str, str | None], Any] = {}
        self._chained: dict[tuple[str, str | None, str, str], Any] = {}

    def style_of(self, kind: str, item: DocxParagraph | Run) -> Any:
        style_id = item._p.style if isinstance(item, DocxParagraph) else item._r.style
        key = (kind, style_id)
        if key not in self._styles:
            self._styles[key] = item.style
        return self._styles[key]

    def _from_chain(self, kind: str, style: Any, part: str, attr: str) -> Any:
        key = (kind, style.style_id if style is not None else None, part, attr)
        if key not in self._chained:
            value = None
            for s in _style_chain(style):
                value = getattr(getattr(s, part), attr)
                if value is not None:
                    break
            self._chained[key] = value
        return self._chained[key]

    def para(self, p: DocxParagraph, attr: str) -> Any:
        value = getattr(p.paragraph_format, attr)
        if value is not None:
            return value
        return self._from_chain("p", self.style_of("p", p), "paragraph_format", attr)

    def font(self, run: Run | None, p: DocxParagraph, attr: str) -> Any:
        if run is not None:
            value = getattr(run.font, attr)
            if value is not None:
                return value
            value = self._from_chain("r", self.style_of("r", run), "font", attr)
            if value is not None:
                return value
        return self._from_chain("p", self.style_of("p", p), "font", attr)

    def size(self, run: Run | None, p: DocxParagraph) -> float:
        value = self.font(run, p, "size")
        return float(value.pt) if value is not None else self.defaults.size

    def mark_size(self, p: DocxParagraph) -> float:
        """The size of the paragraph mark (the height of an empty paragraph)."""
        p_pr = p._p.pPr
        if p_pr is not None:
            sz = p_pr.find(f"{qn('w:rPr')}/{qn('w:sz')}")
            if sz is not None:
                return int(sz.get(qn("w:val"))) / 2
        return self.size(None, p)


# --- flowables -----------------------------------------------------------------------------


class _Rule(Flowable):
    """A paragraph's bottom border: a line between its indents."""

    def __init__(self, left: float, right: float, thickness: float, height: float) -> None:
        super().__init__()
        self.left, self.right, self.thickness, self.height_ = left, right, thickness, height
        self.avail = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.avail = avail_width
        return avail_width, self.height_ + self.thickness

    def draw(self) -> None:
        canvas = self.canv
        canvas.setLineWidth(self.thickness)
        y = self.thickness / 2
        canvas.line(self.left, y, self.avail - self.right, y)


@dataclass
class _Segment:
    markup: list[str]
    sizes: list[float]
    plain: list[str]


class _Converter(TableMixin):
    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.resolve = _Resolver(document)

    # paragraphs

    def paragraph(self, p_el: Any, parent: Any, *, in_cell: bool = False) -> list[Flowable]:
        p = DocxParagraph(p_el, parent)
        self._check_paragraph(p)
        r = self.resolve
        size_mark = r.mark_size(p)
        segments: list[_Segment] = [_Segment([], [], [])]
        for run in self._runs(p):
            for piece in self._run_pieces(run, p):
                if piece is None:
                    if in_cell:
                        raise UnsupportedWordFeature(
                            "ngắt trang trong ô bảng", "a page break inside a table cell"
                        )
                    segments.append(_Segment([], [], []))
                else:
                    markup, size, plain = piece
                    segments[-1].markup.append(markup)
                    segments[-1].sizes.append(size)
                    segments[-1].plain.append(plain)
        out: list[Flowable] = []
        if r.para(p, "page_break_before"):
            out.append(PageBreak())
        for i, seg in enumerate(segments):
            if i > 0:
                out.append(PageBreak())
            if not "".join(seg.plain) and len(segments) > 1:
                continue  # the empty side of a page break
            out.extend(self._paragraph_flowables(p, seg, size_mark))
        return out

    def _paragraph_flowables(
        self, p: DocxParagraph, seg: _Segment, size_mark: float
    ) -> list[Flowable]:
        r = self.resolve
        has_text = bool("".join(seg.plain).strip())
        size = max(seg.sizes, default=size_mark) if has_text else size_mark
        before = _pt(r.para(p, "space_before"), r.defaults.before)
        after = _pt(r.para(p, "space_after"), r.defaults.after)
        leading = self._leading(p, size)
        left = _pt(r.para(p, "left_indent"), 0.0)
        right = _pt(r.para(p, "right_indent"), 0.0)
        first = _pt(r.para(p, "first_line_indent"), 0.0)
        alignment = r.para(p, "alignment")
        if alignment not in ALIGN:
            raise UnsupportedWordFeature(
                f"căn lề đoạn văn «{alignment}»", f"the paragraph alignment {alignment}"
            )
        border = self._bottom_border(p)
        out: list[Flowable] = []
        text = "".join(seg.markup)
        if has_text:
            style = RLStyle(
                "p",
                fontName=FONT,
                fontSize=size,
                leading=leading,
                alignment=ALIGN[alignment],
                spaceBefore=before,
                spaceAfter=0 if border else after,
                leftIndent=left,
                rightIndent=right,
                firstLineIndent=first,
                keepWithNext=1 if r.para(p, "keep_with_next") else 0,
            )
            out.append(Paragraph(text, style))
        else:
            height = before + leading + (0 if border else after)
            out.append(Spacer(1, height))
        if border is not None:
            width, space = border
            out.append(_Rule(left, right, width, space))
            if after:
                out.append(Spacer(1, after))
        return out

    def _leading(self, p: DocxParagraph, size: float) -> float:
        r = self.resolve
        spacing = r.para(p, "line_spacing")
        rule = r.para(p, "line_spacing_rule")
        single = LINE_FACTOR * size
        if spacing is None:
            return single * r.defaults.line
        if isinstance(spacing, Length):
            if rule == WD_LINE_SPACING.AT_LEAST:
                return max(single, float(spacing.pt))
            return float(spacing.pt)
        return single * float(spacing)

    def _bottom_border(self, p: DocxParagraph) -> tuple[float, float] | None:
        p_pr = p._p.pPr
        borders = p_pr.find(qn("w:pBdr")) if p_pr is not None else None
        if borders is None:
            return None
        result = None
        for side in borders:
            name = local_name(side.tag)
            val = side.get(qn("w:val"), "single")
            if val in ("nil", "none"):
                continue
            if name != "bottom":
                raise UnsupportedWordFeature(
                    f"viền đoạn văn «{name}»", f"the paragraph border '{name}'"
                )
            if val != "single":
                raise UnsupportedWordFeature(f"kiểu viền «{val}»", f"the border style '{val}'")
            width = int(side.get(qn("w:sz"), "4")) / 8
            space = int(side.get(qn("w:space"), "0"))
            result = (width, float(space))
        return result

    def _check_paragraph(self, p: DocxParagraph) -> None:
        p_pr = p._p.pPr
        if p_pr is not None:
            if p_pr.find(qn("w:numPr")) is not None:
                raise UnsupportedWordFeature(
                    "danh sách đánh số hoặc gạch đầu dòng tự động",
                    "numbered or bulleted lists",
                )
            if p_pr.find(qn("w:framePr")) is not None:
                raise UnsupportedWordFeature("khung văn bản", "text frames")
        for style in _style_chain(self.resolve.style_of("p", p)):
            s_pr = style.element.pPr
            if s_pr is not None and s_pr.find(qn("w:numPr")) is not None:
                raise UnsupportedWordFeature(
                    f"danh sách tự động (kiểu «{style.name}»)",
                    f"automatic lists (style '{style.name}')",
                )

    def _runs(self, p: DocxParagraph) -> Iterator[Run]:
        for child in p._p:
            tag = child.tag
            if tag == qn("w:r"):
                yield Run(child, p)
            elif tag == qn("w:hyperlink"):
                for sub in child:
                    if sub.tag == qn("w:r"):
                        yield Run(sub, p)
            elif tag in IGNORED_IN_PARAGRAPH:
                continue
            elif tag in (qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")):
                raise UnsupportedWordFeature(
                    "thay đổi được theo dõi (hãy chấp nhận hoặc từ chối)",
                    "tracked changes (accept or reject them first)",
                )
            elif tag in (qn("w:commentRangeStart"), qn("w:commentRangeEnd")):
                raise UnsupportedWordFeature("chú thích (comment)", "comments")
            else:
                raise UnsupportedWordFeature(
                    f"thành phần «{local_name(tag)}» trong đoạn văn",
                    f"the element '{local_name(tag)}' in a paragraph",
                )

    def _run_pieces(self, run: Run, p: DocxParagraph) -> Iterator[tuple[str, float, str] | None]:
        """Markup pieces of a run; ``None`` stands for a page break."""
        r = self.resolve
        size = r.size(run, p)
        bold_value = r.font(run, p, "bold")
        italic_value = r.font(run, p, "italic")
        bold = bool(r.defaults.bold if bold_value is None else bold_value)
        italic = bool(r.defaults.italic if italic_value is None else italic_value)
        underline = bool(r.font(run, p, "underline"))
        strike = bool(r.font(run, p, "strike"))
        caps = bool(r.font(run, p, "all_caps"))
        if r.font(run, p, "small_caps"):
            raise UnsupportedWordFeature("chữ hoa nhỏ (small caps)", "small capitals")
        sup = bool(r.font(run, p, "superscript"))
        sub = bool(r.font(run, p, "subscript"))
        text: list[str] = []

        def flush() -> Iterator[tuple[str, float, str]]:
            if not text:
                return
            body = "".join(text)
            text.clear()
            if caps:
                body = body.upper()
            markup = escape(body).replace("\n", "<br/>")
            for on, open_, close in (
                (sup, "<super>", "</super>"),
                (sub, "<sub>", "</sub>"),
                (strike, "<strike>", "</strike>"),
                (underline, "<u>", "</u>"),
                (italic, "<i>", "</i>"),
                (bold, "<b>", "</b>"),
            ):
                if on:
                    markup = open_ + markup + close
            yield f'<font name="{FONT}" size="{size:g}">{markup}</font>', size, body

        for child in run._r:
            tag = child.tag
            name = local_name(tag)
            if tag == qn("w:t"):
                text.append(child.text or "")
            elif tag == qn("w:tab"):
                text.append(TAB)
            elif tag in (qn("w:br"), qn("w:cr")):
                kind = child.get(qn("w:type"), "textWrapping")
                if kind == "page":
                    yield from flush()
                    yield None
                elif kind == "column":
                    raise UnsupportedWordFeature("ngắt cột", "column breaks")
                else:
                    text.append("\n")
            elif tag == qn("w:noBreakHyphen"):
                text.append("\u2011")
            elif tag == qn("w:softHyphen") or tag in IGNORED_IN_RUN:
                continue
            elif name in ("drawing", "pict", "object"):
                raise UnsupportedWordFeature("hình ảnh, hình vẽ", "pictures and drawings")
            elif name in ("fldChar", "instrText", "fldSimple"):
                raise UnsupportedWordFeature("trường (field, số trang)", "fields (page numbers)")
            elif name in ("footnoteReference", "endnoteReference"):
                raise UnsupportedWordFeature("chú thích cuối trang", "footnotes and endnotes")
            elif name == "commentReference":
                raise UnsupportedWordFeature("chú thích (comment)", "comments")
            else:
                raise UnsupportedWordFeature(
                    f"thành phần «{name}» trong đoạn văn", f"the element '{name}' in a run"
                )
        yield from flush()

    # body and sections

    def story(self) -> tuple[list[PageTemplate], list[Flowable]]:
        body = self.document.element.body
        parent = self.document._body
        chunks: list[tuple[Any, list[Any]]] = []
        current: list[Any] = []
        for child in body:
            tag = child.tag
            if tag == qn("w:sectPr"):
                chunks.append((child, current))
                current = []
            elif tag == qn("w:p"):
                current.append(child)
                p_pr = child.pPr
                sect = p_pr.find(qn("w:sectPr")) if p_pr is not None else None
                if sect is not None:
                    chunks.append((sect, current))
                    current = []
            elif tag == qn("w:tbl"):
                current.append(child)
            elif tag in IGNORED_IN_BODY:
                continue
            else:
                raise UnsupportedWordFeature(
                    f"thành phần «{local_name(tag)}» trong thân văn bản",
                    f"the element '{local_name(tag)}' in the document body",
                )
        if current:  # pragma: no cover - a document ends with its sectPr
            raise UnsupportedWordFeature("văn bản không có sectPr", "a body without sectPr")
        templates: list[PageTemplate] = []
        story: list[Flowable] = []
        for i, (sect_pr, elements) in enumerate(chunks):
            section = Section(sect_pr, self.document.part)
            self._check_section(section, sect_pr, first=i == 0)
            width = float(section.page_width.pt) if section.page_width else 595.3
            height = float(section.page_height.pt) if section.page_height else 841.9
            left = _pt(section.left_margin, 72.0)
            right = _pt(section.right_margin, 72.0)
            top = _pt(section.top_margin, 72.0)
            bottom = _pt(section.bottom_margin, 72.0)
            frame = Frame(
                left,
                bottom,
                width - left - right,
                height - top - bottom,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                id=f"f{i}",
            )
            templates.append(PageTemplate(id=f"s{i}", frames=[frame], pagesize=(width, height)))
            if i > 0:
                story.append(NextPageTemplate(f"s{i}"))
                story.append(PageBreak())
            avail = width - left - right
            for el in elements:
                if el.tag == qn("w:p"):
                    story.extend(self.paragraph(el, parent))
                else:
                    story.append(self.table(el, parent, avail))
        # a page break at the very end would add an empty page
        while story and isinstance(story[-1], PageBreak):
            story.pop()
        return templates, story

    def _check_section(self, section: Section, sect_pr: Any, *, first: bool) -> None:
        kind = sect_pr.find(qn("w:type"))
        if not first and kind is not None and kind.get(qn("w:val")) == "continuous":
            raise UnsupportedWordFeature(
                "ngắt phần liên tục (continuous)", "continuous section breaks"
            )
        cols = sect_pr.find(qn("w:cols"))
        if cols is not None and int(cols.get(qn("w:num"), "1")) > 1:
            raise UnsupportedWordFeature("văn bản nhiều cột", "multiple text columns")
        for part_name in (
            "header",
            "footer",
            "first_page_header",
            "first_page_footer",
            "even_page_header",
            "even_page_footer",
        ):
            part = getattr(section, part_name)
            if part.is_linked_to_previous:
                continue
            if part.tables or any(p.text.strip() for p in part.paragraphs):
                raise UnsupportedWordFeature(
                    "đầu trang, chân trang có nội dung", "headers and footers with content"
                )


def _pt(value: Any, default: float) -> float:
    return float(value.pt) if value is not None else default


def docx_to_pdf(data: bytes, *, title: str = "") -> bytes:
    """The PDF of a filled Word document (bytes of a .docx)."""
    register_fonts()
    document = open_docx(io.BytesIO(data))
    templates, story = _Converter(document).story()
    out = io.BytesIO()
    pdf = BaseDocTemplate(
        out,
        pageTemplates=templates,
        pagesize=templates[0].pagesize,
        title=title,
        author="giamngheo",
        initialFontName=FONT,  # otherwise every page refers to Helvetica
        initialFontSize=DEFAULT_SIZE,
    )
    pdf.build(story)
    return out.getvalue()
