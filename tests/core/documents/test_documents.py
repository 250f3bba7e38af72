"""Rendering the six documents to Word and PDF and reading them back."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import documents_samples as samples
import pytest
from docx import Document as open_docx
from pypdf import PdfReader

from giamngheo.core.documents import (
    TEMPLATE_DIR,
    Document,
    UnsupportedWordFeature,
    batch_file_name,
    docx_to_pdf,
    file_name,
    long_date,
    render_batch_docx,
    render_batch_pdf,
    render_docx,
    render_pdf,
)

A4 = (595.3, 841.9)


def docx_text(data: bytes) -> str:
    """All paragraph text of a .docx, tables included, in body order."""
    doc = open_docx(io.BytesIO(data))
    lines: list[str] = []
    for block in doc.element.body.iter():
        if block.tag.endswith("}p"):
            lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts: Any = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            for d in descendants or []:
                desc = d.get_object().get("/FontDescriptor")
                if desc is not None:
                    assert "/FontFile2" in desc.get_object()  # embedded TrueType
    return names


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


CASES: dict[str, tuple[Callable[[], Document], list[str]]] = {
    "minutes": (
        samples.minutes,
        [
            "BIÊN BẢN HỌP DÂN",
            "Thôn Đắk Năng",
            "Nhà văn hóa thôn Đắk Năng",
            "A Thuận",
            "Y Hằng",
            "Phạm Thị Huyền",
            "Đinh Văn Lực",
            "16/24",
            "66,67 %",
            "05/02/2026",
            "14 giờ 00 phút",
            "(lần 2)",
            "được thông qua",
            "Đắk Ang, ngày 05 tháng 02 năm 2026",
        ],
    ),
    "posting_list": (
        samples.posting_list,
        [
            "DANH SÁCH NIÊM YẾT CÔNG KHAI",
            "Nguyễn Thị Lưỡng",
            "1.234",
            "1.238",
            "09/02/2026",
            "11/02/2026",
            "I. HỘ NGHÈO",
            "IV. HỘ THOÁT CẬN NGHÈO",
            "Không có hộ nào.",
        ],
    ),
    "decision": (
        samples.decision,
        [
            "QUYẾT ĐỊNH",
            "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẮK ANG",
            "Số: 15/QĐ-UBND",
            "Hộ nghèo: 2 hộ, 9 nhân khẩu",
            "Hộ cận nghèo: 1 hộ, 4 nhân khẩu",
            "Hộ thoát nghèo: 1 hộ, 5 nhân khẩu",
            "Hộ thoát cận nghèo: 0 hộ, 0 nhân khẩu",
            "Điều 2.",
            "DANH SÁCH HỘ NGHÈO",
            "Y Blúp",
            "1, 4, 7, 10",
            "15/QĐ-UBND ngày 19/02/2026",
            "Nguyễn Văn Thắng",
            "Nơi nhận:",
        ],
    ),
    "certificate": (
        samples.certificate,
        [
            "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO",
            "Số: 15/GCN-HN.HCN",
            "A Phiên",
            "Xơ Đăng",
            "062******789",
            "Y Nguyệt",
            "1981",
            "2009",
            "Chuyển đi 2024",
            "2022",
            "CN",
            "18/12/2024",
            "TM. ỦY BAN NHÂN DÂN",
        ],
    ),
    "refusal": (
        samples.refusal,
        [
            "Số: 27/UBND-LĐTBXH",
            "V/v trả lời đề nghị công nhận hộ nghèo",
            "Đinh Văn Lực",
            "16/02/2026",
            "2.150.000",
            "nhà tiêu hợp vệ sinh",
            "Đắk Ang, ngày 02 tháng 3 năm 2026",
        ],
    ),
    "monthly_report": (
        samples.monthly_report,
        [
            "BÁO CÁO",
            "tháng 02 năm 2026",
            "Thôn Ngọc Hải",
            "1.200",
            "1.209",
            "Tổng cộng",
            "15/01/2026",
            "14/02/2026",
            "Ủy ban nhân dân huyện Ngọc Hồi",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_docx_carries_the_data(name: str) -> None:
    make, expected = CASES[name]
    text = flat(docx_text(render_docx(make())))
    for item in expected:
        assert item in text, item
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_pdf_carries_the_data_in_liberation_serif_on_a4(name: str) -> None:
    make, expected = CASES[name]
    data = render_pdf(make())
    text = flat(pdf_text(data))
    for item in expected:
        assert item in text, item
    fonts = pdf_fonts(data)
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts
    sizes = set(page_sizes(data))
    if name == "monthly_report":
        assert sizes == {(A4[1], A4[0])}  # landscape
    else:
        assert sizes == {A4}


def test_minutes_are_printed_twice_with_their_labels() -> None:
    doc = samples.minutes()
    for data, read in ((render_docx(doc), docx_text), (render_pdf(doc), pdf_text)):
        text = flat(read(data))
        assert text.count("Bản số 1: lưu tại thôn") == 1
        assert text.count("Bản số 2: gửi Ban Chỉ đạo rà soát xã") == 1
        assert text.count("BIÊN BẢN HỌP DÂN") == 2
        assert text.count("Đinh Văn Lực") == 4  # discussed and signing, in each copy


def test_minutes_percentage_and_result() -> None:
    failed = samples.minutes(agreed=11, attendees=24, attempt=1)
    assert failed.percentage == Decimal("45.83") and not failed.passed
    text = flat(pdf_text(render_pdf(failed)))
    assert "45,83 %" in text
    assert "không được thông qua" in text and "họp dân lại" in text
    assert samples.minutes(agreed=12, attendees=24).passed


def test_certificate_batch_one_per_page() -> None:
    docs = [
        samples.certificate(),
        samples.certificate("Y Blúp", "16"),
        samples.certificate("Đinh Thị Ẫn", "17"),
    ]
    pdf = render_batch_pdf(docs)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    for page, name in zip(reader.pages, ["A Phiên", "Y Blúp", "Đinh Thị Ẫn"], strict=True):
        assert name in page.extract_text()
    docx = render_batch_docx(docs)
    body = open_docx(io.BytesIO(docx)).element.body
    breaks = [br for br in body.iter() if br.tag.endswith("}br") and "page" in br.attrib.values()]
    assert len(breaks) == 2
    assert flat(docx_text(docx)).count("GIẤY CHỨNG NHẬN HỘ NGHÈO") == 3
    assert batch_file_name(docs, "pdf") == "giay-chung-nhan-3-ban.pdf"


def test_single_certificate_fits_one_page() -> None:
    assert len(PdfReader(io.BytesIO(render_pdf(samples.certificate()))).pages) == 1


def test_certificate_years_sorted_and_ticked() -> None:
    text = docx_text(render_docx(samples.certificate()))
    table = text[text.index("II. KẾT QUẢ RÀ SOÁT") :]
    assert table.index("\n2022\n") < table.index("\n2023\n") < table.index("\n2024\n")
    row_2024 = table[table.index("\n2024\n") :].split("\n")[2:17]
    assert row_2024[0] == "CN"
    marks = row_2024[1:13]
    assert [i for i, m in enumerate(marks, 1) if m == "x"] == [4, 12]


def test_blank_number_and_place_date() -> None:
    assert long_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(date(2026, 3, 19)) == "ngày 19 tháng 3 năm 2026"
    assert long_date(date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
    from dataclasses import replace

    doc = samples.refusal()
    doc = replace(doc, head=replace(doc.head, number=None))
    assert "Số:" in docx_text(render_docx(doc)) and "/UBND-LĐTBXH" in docx_text(render_docx(doc))


def test_file_names() -> None:
    assert file_name(samples.minutes(), "pdf") == "bien-ban-hop-dan-thon-dak-nang-lan-2.pdf"
    assert file_name(samples.certificate(), ".DOCX") == (
        "giay-chung-nhan-so-15-gcn-hn-hcn-a-phien.docx"
    )
    decision_name = "quyet-dinh-cong-nhan-xa-dak-ang-so-15-qd-ubnd.pdf"
    assert file_name(samples.decision(), "pdf") == decision_name
    assert file_name(samples.monthly_report(), "pdf") == "bao-cao-thang-2026-02-ubnd-xa-dak-ang.pdf"
    for make, _ in CASES.values():
        assert file_name(make(), "pdf").isascii()


def test_unit_template_dir(tmp_path: Path) -> None:
    """A unit's own edited template is used instead of the shipped one."""
    for f in TEMPLATE_DIR.glob("*.docx"):
        shutil.copy(f, tmp_path / f.name)
    doc = open_docx(str(tmp_path / "refusal.docx"))
    doc.add_paragraph("Ghi chú riêng của xã Đắk Ang: {{ addressee_name }}")
    doc.save(str(tmp_path / "refusal.docx"))
    text = pdf_text(render_pdf(samples.refusal(), template_dir=tmp_path))
    assert "Ghi chú riêng của xã Đắk Ang: Đinh Văn Lực" in flat(text)
    with pytest.raises(FileNotFoundError):
        render_docx(samples.minutes(), template_dir=tmp_path / "nowhere")


def test_values_are_escaped() -> None:
    from dataclasses import replace

    doc = replace(samples.refusal(), addressee_name="Lò Văn <A> & B")
    assert "Lò Văn <A> & B" in flat(pdf_text(render_pdf(doc)))


def test_unsupported_word_features_are_refused() -> None:
    doc = open_docx(str(TEMPLATE_DIR / "refusal.docx"))
    doc.add_paragraph("Danh sách", style="List Number")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(UnsupportedWordFeature, match="lists"):
        docx_to_pdf(out.getvalue())


def test_invalid_indicator_rejected() -> None:
    from dataclasses import replace

    cert = samples.certificate()
    bad = replace(cert, years=(replace(cert.years[0], deprived=(13,)),))
    with pytest.raises(ValueError, match="1-12"):
        render_docx(bad)
