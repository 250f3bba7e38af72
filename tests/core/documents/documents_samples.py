"""Sample documents (Đắk Ang commune, Ngọc Hồi, Kon Tum) for the document tests."""

from __future__ import annotations

from datetime import date, datetime

from giamngheo.core.documents import (
    Certificate,
    CertificateMember,
    CertificateYear,
    DecisionRow,
    Head,
    MeetingMinutes,
    MinutesHousehold,
    MonthlyReport,
    MonthlyRow,
    Person,
    PostingList,
    PostingRow,
    RecognitionDecision,
    RefusalLetter,
    Signer,
)

CHAIRMAN = Signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Thắng")
BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ "
    "sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày "
    "22 tháng 11 năm 2019;",
    "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn "
    "nghèo đa chiều giai đoạn 2022 - 2025;",
    "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy "
    "định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm;",
)


def head(symbol: str, number: str | None = "12", day: date = date(2026, 2, 5)) -> Head:
    return Head("UBND HUYỆN NGỌC HỒI", "UBND XÃ ĐẮK ANG", number, symbol, "Đắk Ang", day)


def minutes(agreed: int = 16, attendees: int = 24, attempt: int = 2) -> MeetingMinutes:
    return MeetingMinutes(
        head=Head("UBND XÃ ĐẮK ANG", "THÔN ĐẮK NĂNG", None, "", "Đắk Ang", date(2026, 2, 5)),
        commune="Đắk Ang",
        village="Thôn Đắk Năng",
        subject="bình xét kết quả rà soát hộ nghèo, hộ cận nghèo năm 2026",
        held_at=datetime(2026, 2, 5, 14, 0),
        ended_at=datetime(2026, 2, 5, 16, 30),
        venue="Nhà văn hóa thôn Đắk Năng",
        chair=Person("A Thuận", "Trưởng thôn"),
        secretary=Person("Y Hằng", "Chi hội trưởng Chi hội Phụ nữ thôn"),
        attendees=attendees,
        key_attendees=(
            Person("A Dũng", "Bí thư chi bộ thôn"),
            Person("Trần Thị Ngọc", "Công chức Lao động - Thương binh và Xã hội xã"),
            Person("Lê Văn Quyết", "Rà soát viên"),
            Person("Phạm Thị Huyền", "Đại diện Ủy ban MTTQ Việt Nam xã (giám sát)"),
        ),
        households=(
            MinutesHousehold(
                "KT-0001",
                "A Phiên",
                "Đề nghị công nhận hộ nghèo",
                "Điểm A: 118; điểm B: 40 (thiếu hụt 1, 4, 7, 10)",
            ),
            MinutesHousehold(
                "KT-0002", "Y Mĩ", "Đề nghị công nhận hộ cận nghèo", "Điểm A: 132; điểm B: 20"
            ),
            MinutesHousehold(
                "KT-0003",
                "Đinh Văn Lực",
                "Đề nghị công nhận thoát nghèo",
                "Điểm A: 171; điểm B: 10",
            ),
        ),
        agreed=agreed,
        attempt=attempt,
        household_representatives=("A Phiên", "Y Mĩ", "Đinh Văn Lực"),
    )


def posting_list() -> PostingList:
    return PostingList(
        head=Head("UBND XÃ ĐẮK ANG", "BAN CHỈ ĐẠO RÀ SOÁT", None, "", "Đắk Ang", date(2026, 2, 9)),
        commune="Đắk Ang",
        village="Thôn Đắk Năng",
        subject="Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2026",
        posting_place="Nhà văn hóa thôn Đắk Năng và trụ sở UBND xã Đắk Ang",
        start=date(2026, 2, 9),
        end=date(2026, 2, 11),
        poor=(PostingRow("KT-0001", "A Phiên", "Đắk Năng", 6, True),),
        near_poor=(
            PostingRow("KT-0002", "Y Mĩ", "Đắk Năng", 4, True),
            PostingRow("KT-0004", "Nguyễn Thị Lưỡng", "Đắk Năng", 1234, False),
        ),
        escaped_poor=(PostingRow("KT-0003", "Đinh Văn Lực", "Đắk Năng", 5, True),),
        escaped_near_poor=(),
        complaints="trực tiếp với Trưởng thôn hoặc Ban Chỉ đạo rà soát xã (công chức "
        "Lao động - Thương binh và Xã hội, trụ sở UBND xã)",
        complaints_until=date(2026, 2, 11),
        signer=Signer("TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN", "Nguyễn Văn Thắng"),
    )


def decision() -> RecognitionDecision:
    return RecognitionDecision(
        head=head("QĐ-UBND", "15", date(2026, 2, 19)),
        commune="Đắk Ang",
        decider="CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẮK ANG",
        subject="công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo năm 2026",
        legal_bases=(
            *BASES,
            "Xét đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã Đắk Ang.",
        ),
        poor=(
            DecisionRow("KT-0001", "A Phiên", "Đắk Năng", 6, "Hộ nghèo", (1, 4, 7, 10)),
            DecisionRow("KT-0005", "Y Blúp", "Đắk Ung", 3, "Hộ nghèo", (2, 3)),
        ),
        near_poor=(DecisionRow("KT-0002", "Y Mĩ", "Đắk Năng", 4, "Hộ cận nghèo", (5,)),),
        escaped_poor=(DecisionRow("KT-0003", "Đinh Văn Lực", "Đắk Năng", 5, "Thoát nghèo"),),
        escaped_near_poor=(),
        effective=None,
        executors="Văn phòng HĐND và UBND xã, công chức Lao động - Thương binh và Xã hội xã, "
        "Trưởng các thôn và các hộ gia đình có tên tại Điều 1",
        signer=Signer("", "CHỦ TỊCH", "Nguyễn Văn Thắng"),
        recipients=("Như Điều 3;", "UBND huyện Ngọc Hồi (b/c);", "Lưu: VT."),
    )


def certificate(name: str = "A Phiên", number: str = "15") -> Certificate:
    return Certificate(
        head=head("GCN-HN.HCN", number, date(2026, 2, 19)),
        certifier="ỦY BAN NHÂN DÂN XÃ ĐẮK ANG",
        legal_bases=BASES,
        period="2022 - 2025",
        head_name=name,
        ethnicity="Xơ Đăng",
        id_number="062******789",
        id_issued=date(2021, 7, 3),
        residence="Thôn Đắk Năng, xã Đắk Ang, huyện Ngọc Hồi, tỉnh Kon Tum",
        members=(
            CertificateMember(name, "Xơ Đăng", "Chủ hộ", 1978, True),
            CertificateMember("Y Hoa", "Xơ Đăng", "Vợ", 1981, False),
            CertificateMember("A Nhật", "Xơ Đăng", "Con", 2005, True),
            CertificateMember("Y Nguyệt", "Xơ Đăng", "Con", 2009, False, "Chuyển đi 2024"),
        ),
        years=(
            CertificateYear(2023, "N", (1, 4, 7), date(2023, 12, 20), "Nguyễn Văn Thắng"),
            CertificateYear(2022, "N", (1, 4, 7, 10), date(2022, 1, 5), "Nguyễn Văn Thắng"),
            CertificateYear(2024, "CN", (4, 12), date(2024, 12, 18), "Nguyễn Văn Thắng"),
        ),
        signer=CHAIRMAN,
    )


def refusal() -> RefusalLetter:
    return RefusalLetter(
        head=head("UBND-LĐTBXH", "27", date(2026, 3, 2)),
        summary="V/v trả lời đề nghị công nhận hộ nghèo",
        responder="Ủy ban nhân dân xã Đắk Ang",
        addressee_name="Đinh Văn Lực",
        addressee_residence="Thôn Đắk Năng, xã Đắk Ang",
        applied_for="công nhận hộ nghèo",
        received=date(2026, 2, 16),
        reasons=(
            "Thu nhập bình quân đầu người của hộ là 2.150.000 đồng/tháng, cao hơn chuẩn hộ nghèo "
            "khu vực nông thôn (1.500.000 đồng/người/tháng);",
            "Hộ chỉ thiếu hụt 01 chỉ số dịch vụ xã hội cơ bản (chỉ số 10: nhà tiêu hợp vệ sinh).",
        ),
        signer=CHAIRMAN,
        recipients=("Như trên;", "Lưu: VT."),
    )


def monthly_report() -> MonthlyReport:
    return MonthlyReport(
        head=head("BC-UBND", "31", date(2026, 3, 5)),
        addressee="Ủy ban nhân dân huyện Ngọc Hồi",
        reporter="Ủy ban nhân dân xã Đắk Ang",
        month=2,
        year=2026,
        period_start=date(2026, 1, 15),
        period_end=date(2026, 2, 14),
        unit_label="Thôn",
        rows=(
            MonthlyRow("Thôn Đắk Năng", 1, 2, 1, 0, 5, 1),
            MonthlyRow("Thôn Đắk Ung", 2, 0, 0, 1, 4, 1),
            MonthlyRow("Thôn Ngọc Hải", 0, 1, 3, 0, 1200, 0),
        ),
        signer=CHAIRMAN,
        recipients=("UBND huyện Ngọc Hồi;", "Phòng Lao động - TB&XH huyện;", "Lưu: VT."),
        notes=("Các hộ không được công nhận đã được trả lời bằng văn bản, nêu rõ lý do.",),
    )
