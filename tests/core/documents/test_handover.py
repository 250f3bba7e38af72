"""The handover list of a support project (danh sách hộ nhận hỗ trợ kiêm biên bản giao
nhận): the Word file filled, the PDF read back (names, the total and its words, one page for
20 households, several pages for 60 with the table's heading repeated), the derived figures
and the file name."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

from docx import Document as open_docx
from pypdf import PdfReader

from giamngheo.core.documents import file_name, render_docx, render_pdf
from giamngheo.core.documents.model import Handover, HandoverRow, Head, Signer
from giamngheo.core.support.money import amount_in_words

A4 = (595.3, 841.9)
WORDS_1250000 = "Một triệu hai trăm năm mươi nghìn đồng"
NAMES = ("A Thắng", "Y Hoa", "Nguyễn Văn Bình", "A Lâm", "Trần Thị Mai", "Lê Văn Hùng")
VILLAGES = ("Ngọc Tụ", "Đăk Răng")


def rows(n: int, total: int = 1_250_000) -> tuple[HandoverRow, ...]:
    """``n`` households (distinct names), the values adding up to ``total`` exactly."""
    share, rest = divmod(total, n)
    return tuple(
        HandoverRow(
            code=f"DA-{i:03d}",
            head_name=f"{NAMES[i % len(NAMES)]} {i:03d}",
            village=VILLAGES[i % 2],
            item="Giống cà phê",
            quantity=50,
            unit_label="cây",
            value=share + (rest if i == 1 else 0),
        )
        for i in range(1, n + 1)
    )


def handover(n: int = 20, **changes: object) -> Handover:
    doc = Handover(
        head=Head(
            "UBND HUYỆN NGỌC HỒI",
            "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
            None,
            "",
            "Đắk Ang",
            date(2020, 4, 1),
        ),
        project="Hỗ trợ giống cà phê xã Đắk Ang năm 2020",
        approval="Quyết định số 15/QĐ-UBND ngày 20/01/2020 của UBND huyện Ngọc Hồi",
        giver="Phòng Nông nghiệp và Phát triển nông thôn",
        commune="Đắk Ang",
        village=None,
        delivered_on=date(2020, 4, 1),
        place="Trụ sở UBND xã Đắk Ang",
        rows=rows(n),
        in_words=amount_in_words,
        giver_signer=Signer("ĐẠI DIỆN ĐƠN VỊ CẤP", "PHÒNG NN&PTNT", ""),
        commune_signer=Signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Thắng"),
        village_signer=Signer("", "TRƯỞNG THÔN", ""),
        preparer=Signer("", "NGƯỜI LẬP BIỂU", "Trần Thị Ngọc"),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def docx_text(data: bytes) -> str:
    body = open_docx(io.BytesIO(data)).element.body
    return "\n".join(
        "".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
        for p in body.iter()
        if p.tag.endswith("}p")
    )


def pages(data: bytes) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def test_the_total_and_its_words_follow_the_rows() -> None:
    doc = handover(20)
    assert doc.total == 1_250_000
    assert doc.total_in_words == WORDS_1250000
    assert doc.households == 20
    two_items = replace(doc, rows=(*doc.rows, replace(doc.rows[0], item="Phân bón", value=5)))
    assert two_items.households == 20  # a household with two items signs once
    assert two_items.total == 1_250_005
    assert two_items.total_in_words == "Một triệu hai trăm năm mươi nghìn không trăm linh năm đồng"


def test_the_word_file_is_filled() -> None:
    text = flat(docx_text(render_docx(handover(20))))
    for expected in (
        "UBND HUYỆN NGỌC HỒI",
        "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
        "Đắk Ang, ngày 01 tháng 4 năm 2020",
        "DANH SÁCH HỘ NHẬN HỖ TRỢ",
        "KIÊM BIÊN BẢN GIAO NHẬN",
        "Hỗ trợ giống cà phê xã Đắk Ang năm 2020",
        "Quyết định số 15/QĐ-UBND ngày 20/01/2020 của UBND huyện Ngọc Hồi",
        "01/04/2020",
        "Trụ sở UBND xã Đắk Ang",
        "Ký nhận",
        "A Thắng 006",
        "Đăk Răng",
        "Giống cà phê",
        "50 cây",
        "1.250.000",
        f"Bằng chữ: {WORDS_1250000}",
        "NGƯỜI LẬP BIỂU",
        "TRƯỞNG THÔN",
        "CHỦ TỊCH",
        "Nguyễn Văn Thắng",
        "Trần Thị Ngọc",
    ):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_the_pdf_of_20_households_is_one_page() -> None:
    data = render_pdf(handover(20))
    read = pages(data)
    assert len(read) == 1
    text = read[0]
    for i in range(1, 21):
        assert f"{NAMES[i % len(NAMES)]} {i:03d}" in text
    assert "1.250.000" in text
    assert f"Bằng chữ: {WORDS_1250000}" in text
    assert "NGƯỜI LẬP BIỂU" in text and "Nguyễn Văn Thắng" in text
    sizes = {
        (round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
        for p in PdfReader(io.BytesIO(data)).pages
    }
    assert sizes == {A4}


def test_the_pdf_of_60_households_repeats_the_table_heading() -> None:
    read = pages(render_pdf(handover(60)))
    assert len(read) >= 2
    for page in read:
        assert "Họ và tên chủ hộ" in page and "Ký nhận" in page
    everything = " ".join(read)
    for i in range(1, 61):
        assert f"{NAMES[i % len(NAMES)]} {i:03d}" in everything
    assert "DANH SÁCH HỘ NHẬN HỖ TRỢ" in read[0] and "DANH SÁCH HỘ NHẬN HỖ TRỢ" not in read[1]
    assert f"Bằng chữ: {WORDS_1250000}" in read[-1]


def test_a_village_list_names_the_village_and_a_commune_list_has_no_village_head() -> None:
    village = flat(docx_text(render_docx(handover(3, village="Thôn Ngọc Tụ"))))
    assert "Thôn Ngọc Tụ, xã Đắk Ang" in village
    commune = flat(docx_text(render_docx(handover(3, village_signer=None))))
    assert "Xã Đắk Ang" in commune
    assert "TRƯỞNG THÔN" not in commune
    no_approval = flat(docx_text(render_docx(handover(3, approval=""))))
    assert "Căn cứ" not in no_approval


def test_values_are_escaped_and_the_file_is_named() -> None:
    odd = replace(handover(2), project="Bò & dê <sinh sản>")
    assert "Bò & dê <sinh sản>" in " ".join(pages(render_pdf(odd)))
    name = file_name(handover(2, village="Thôn Ngọc Tụ"), "pdf")
    assert name == "bien-ban-giao-nhan-xa-dak-ang-thon-ngoc-tu-2020-04-01.pdf"
    assert file_name(handover(2), "DOCX") == "bien-ban-giao-nhan-xa-dak-ang-2020-04-01.docx"
