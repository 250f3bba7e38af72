"""Builders of import files and shared constants for the registry tests (a plain module:
the test folder is not a package, pytest puts it on ``sys.path``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from giamngheo.core.standards import get_standard

DAK_ANG = "23380"
DAK_DUC = "23383"
YEAR = 2019
STD = get_standard("QD59-2015")
INDICATORS = [ind.name_vi for ind in STD.indicators]

HH_HEADINGS = [
    "Mã hộ",
    "Mã xã",
    "Thôn",
    "Họ tên chủ hộ",
    "Địa chỉ",
    "Hộ dân tộc thiểu số",
    "Hộ dân tộc thiểu số tại chỗ",
    "Chủ hộ là nữ",
    "Số nhân khẩu",
    "Thu nhập bình quân đầu người/tháng",
    *INDICATORS,
    "Thiếu vốn sản xuất",
    "Thiếu đất sản xuất",
]
MEMBER_HEADINGS = [
    "Mã hộ",
    "Họ tên",
    "Giới tính",
    "Ngày sinh",
    "Quan hệ với chủ hộ",
    "Dân tộc",
    "Số định danh cá nhân",
    "Có bảo hiểm y tế",
]


def hh_row(
    code: str,
    head: str,
    *,
    commune: str = DAK_ANG,
    village: str = "Thôn 1",
    ethnic: int = 1,
    indigenous: int = 0,
    female: object = 0,
    persons: int | None = 2,
    income: object = 600_000,
    deps: Sequence[object] = (1, 0, 0, 0, 1, 0, 1, 1, 0, 0),
    capital: object = 1,
    land: int = 0,
) -> list[object]:
    return [
        code,
        commune,
        village,
        head,
        f"{village}, Đắk Ang",
        ethnic,
        indigenous,
        female,
        persons,
        income,
        *deps,
        capital,
        land,
    ]


def member_row(  # noqa: PLR0917
    code: str,
    name: str,
    sex: str,
    birth: object,
    rel: str,
    nid: str = "",
    ethnicity: str = "Xơ Đăng",
    insured: object = 1,
) -> list[object]:
    return [code, name, sex, birth, rel, ethnicity, nid, insured]


#: Two good households of Đắk Ang, with their members.
GOOD_HOUSEHOLDS = [
    hh_row("DA001", "A Blong", persons=2),
    hh_row("DA002", "Y Hoa", female=1, persons=1, income=1_200_000, village="Thôn 2"),
]
GOOD_MEMBERS = [
    member_row("DA001", "A Blong", "Nam", 1980, "Chủ hộ", "062080000001"),
    member_row("DA001", "Y Nhi", "Nữ", "12/03/2010", "Con", "062310000002"),
    member_row("DA002", "Y Hoa", "Nữ", 1975, "Chủ hộ", "062175000003"),
]


def xlsx_bytes(sheets: dict[str, tuple[list[str], list[list[object]]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, (headings, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(headings)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def two_sheet_file(
    households: list[list[object]] | None = None, members: list[list[object]] | None = None
) -> bytes:
    return xlsx_bytes(
        {
            "Hộ": (HH_HEADINGS, GOOD_HOUSEHOLDS if households is None else households),
            "Thành viên": (MEMBER_HEADINGS, GOOD_MEMBERS if members is None else members),
        }
    )


FLAT_HEADINGS = [
    *HH_HEADINGS,
    "Giới tính chủ hộ",
    "Năm sinh chủ hộ",
    "Số định danh chủ hộ",
    "Dân tộc chủ hộ",
]


def csv_bytes(headings: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headings)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return out.getvalue().encode("utf-8-sig")


def registry_snapshot() -> tuple[Any, ...]:
    """Every registry row, to assert that a refused or repeated operation changed nothing."""
    from giamngheo.registry.models import AuditEvent, Household, Member, ReviewRecord

    return (
        list(Household.objects.order_by("pk").values_list()),
        list(Member.objects.order_by("pk").values_list()),
        list(ReviewRecord.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


def ods_bytes(sheets: dict[str, tuple[list[str], list[list[object]]]]) -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves): text, numbers and dates as
    typed cells, empty cells empty."""
    import datetime as dt
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    def cell(v: object) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, dt.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v.strftime('%d/%m/%Y')}</text:p></table:table-cell>"
            )
        if isinstance(v, int | float) and not isinstance(v, bool):
            return (
                f'<table:table-cell office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p>'
            "</table:table-cell>"
        )

    tables = "".join(
        f"<table:table table:name={quoteattr(title)}>"
        + "".join(
            "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
            for row in [headings, *rows]
        )
        + "</table:table>"
        for title, (headings, rows) in sheets.items()
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    mime = "application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mime}"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime)  # first and stored, as the format asks
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()
