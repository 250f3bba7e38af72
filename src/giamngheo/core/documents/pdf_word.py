"""What the PDF renderer knows of Word and of its font: the font shipped with the project
(Liberation Serif, metric-compatible with Times New Roman) and its registration, Word's
defaults (line height, size, cell margin), the alignments, the elements passed over, and the
bilingual refusal of a Word feature the renderer does not draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT

FONTS_DIR = Path(__file__).parent / "fonts"
FONT = "LiberationSerif"
_FACES = {
    FONT: "LiberationSerif-Regular.ttf",
    f"{FONT}-Bold": "LiberationSerif-Bold.ttf",
    f"{FONT}-Italic": "LiberationSerif-Italic.ttf",
    f"{FONT}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}
LINE_FACTOR = 1.15
"""Word's single line height for Times New Roman / Liberation Serif: (ascent + descent +
line gap) / em = (1825 + 443 + 87) / 2048."""
DEFAULT_SIZE = 10.0  # Word's size when nothing sets one
DEFAULT_CELL_MARGIN = 5.4  # pt (108 twips), Word's default left/right cell margin
TAB = "\u00a0" * 4

ALIGN: dict[WD_ALIGN_PARAGRAPH | None, Literal[0, 1, 2, 4]] = {
    None: TA_LEFT,
    WD_ALIGN_PARAGRAPH.LEFT: TA_LEFT,
    WD_ALIGN_PARAGRAPH.CENTER: TA_CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT: TA_RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY: TA_JUSTIFY,
}
VALIGN = {
    WD_CELL_VERTICAL_ALIGNMENT.TOP: "TOP",
    WD_CELL_VERTICAL_ALIGNMENT.CENTER: "MIDDLE",
    WD_CELL_VERTICAL_ALIGNMENT.BOTTOM: "BOTTOM",
}
IGNORED_IN_PARAGRAPH = {
    qn(t)
    for t in (
        "w:pPr",
        "w:bookmarkStart",
        "w:bookmarkEnd",
        "w:proofErr",
        "w:permStart",
        "w:permEnd",
    )
}
IGNORED_IN_RUN = {qn(t) for t in ("w:rPr", "w:lastRenderedPageBreak", "w:delText")}
IGNORED_IN_BODY = {qn(t) for t in ("w:bookmarkStart", "w:bookmarkEnd", "w:proofErr")}


class UnsupportedWordFeature(ValueError):
    """The document uses a Word feature this renderer does not draw. Bilingual."""

    def __init__(self, feature_vi: str, feature_en: str) -> None:
        super().__init__(
            f"Trình tạo PDF không hỗ trợ {feature_vi}; hãy bỏ khỏi mẫu Word / "
            f"the PDF renderer does not support {feature_en}; remove it from the Word template"
        )
        self.feature_vi = feature_vi
        self.feature_en = feature_en


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def register_fonts() -> None:
    """Register Liberation Serif (4 faces) with reportlab, once."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in _FACES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, f"{FONT}-Bold")
    addMapping(FONT, 0, 1, f"{FONT}-Italic")
    addMapping(FONT, 1, 1, f"{FONT}-BoldItalic")


def is_on(el: Any) -> bool:
    """A Word on/off property (``<w:b/>``, ``<w:b w:val="0"/>``): present and not switched off."""
    if el is None:
        return False
    return el.get(qn("w:val"), "true") not in ("0", "false", "off")
