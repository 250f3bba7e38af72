"""The signed documents of the poverty review, as plain data.

Plain frozen dataclasses: the caller (a selector of the app that owns the data) fills them;
``giamngheo.core.documents`` lays them out. Dates are ``datetime.date`` (the minutes' meeting
time a ``datetime``), counts ``int``. Texts are given as they should be printed, with
diacritics; the legal bases in particular are *versioned text given by the caller* (the
2022–2025 bases cite NĐ 07/2021 and QĐ 24/2021, later ones other texts).

Derived figures (the minutes' agreement percentage and result, the decision's counts, the
report's totals, the handover's total and its amount in words) are properties, never fields,
so they cannot contradict the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from giamngheo.core.numbers import round_half_up


@dataclass(frozen=True)
class Head:
    """The heading of an administrative document (NĐ 30/2020): superior body and issuing
    body (top left), number and symbol ("Số: 12/QĐ-UBND"; ``number`` None leaves the number
    blank to be written by hand when the document is registered), place and date (top
    right)."""

    superior: str  # "UBND HUYỆN NGỌC HỒI"
    issuer: str  # "UBND XÃ ĐẮK ANG"
    number: str | None  # "12"
    symbol: str  # "QĐ-UBND"; "" for no number line at all
    place: str  # "Đắk Ang"
    date: date


@dataclass(frozen=True)
class Signer:
    authority: str  # "TM. ỦY BAN NHÂN DÂN" ("" when the signer signs in their own name)
    title: str  # "CHỦ TỊCH"
    name: str  # "Nguyễn Văn An"


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # "Trưởng thôn", "Bí thư chi bộ", "Đại diện MTTQ xã (giám sát)" …


# --- 1. Minutes of the village meeting ---------------------------------------------------


@dataclass(frozen=True)
class MinutesHousehold:
    code: str
    head_name: str
    proposal: str  # "Đề nghị công nhận hộ nghèo"
    summary: str  # "Điểm A: 118; điểm B: 40 (thiếu hụt 1, 4, 7, 10)"


DEFAULT_COPIES = ("Bản số 1: lưu tại thôn", "Bản số 2: gửi Ban Chỉ đạo rà soát xã")


@dataclass(frozen=True)
class MeetingMinutes:
    """Biên bản họp dân (one village, one attempt). Printed twice in one file, one copy per
    label in ``copies``, a page break between them."""

    head: Head  # superior "UBND XÃ ĐẮK ANG", issuer "THÔN 1"; symbol "" for no number line
    commune: str  # "Đắk Ang"
    village: str  # "Thôn 1"
    subject: str  # "bình xét kết quả rà soát hộ nghèo, hộ cận nghèo năm 2026"
    held_at: datetime
    venue: str  # "Nhà văn hóa thôn 1"
    chair: Person
    secretary: Person
    attendees: int
    key_attendees: tuple[Person, ...]
    households: tuple[MinutesHousehold, ...]
    agreed: int
    attempt: int = 1
    ended_at: datetime | None = None
    household_representatives: tuple[str, ...] = ()
    copies: tuple[str, ...] = DEFAULT_COPIES

    @property
    def percentage(self) -> Decimal:
        """Share of attendees who agreed, in per cent, two decimals (ROUND_HALF_UP)."""
        if self.attendees <= 0:
            return Decimal("0.00")
        return round_half_up(Fraction(100 * self.agreed, self.attendees), 2)

    @property
    def passed(self) -> bool:
        """At least 50 % of the attendees agreed (QĐ 24/2021 Art. 4)."""
        return self.attendees > 0 and 2 * self.agreed >= self.attendees


# --- 2. Public posting list ----------------------------------------------------------------


@dataclass(frozen=True)
class PostingRow:
    code: str
    head_name: str
    village: str
    persons: int
    ethnic_minority: bool


@dataclass(frozen=True)
class PostingList:
    """Danh sách niêm yết công khai, at a village (``village``) or the commune office
    (``village`` None)."""

    head: Head
    commune: str
    village: str | None
    subject: str  # "kết quả rà soát hộ nghèo, hộ cận nghèo định kỳ năm 2026"
    posting_place: str  # "Nhà văn hóa thôn 1 và trụ sở UBND xã Đắk Ang"
    start: date
    end: date
    poor: tuple[PostingRow, ...]
    near_poor: tuple[PostingRow, ...]
    escaped_poor: tuple[PostingRow, ...]
    escaped_near_poor: tuple[PostingRow, ...]
    complaints: str  # where and how to complain
    complaints_until: date
    signer: Signer


# --- 3. Recognition decision ---------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    code: str
    head_name: str
    village: str
    persons: int
    classification: str  # "Hộ nghèo", "Hộ cận nghèo", "Thoát nghèo" …
    deprived: tuple[int, ...] = ()  # deprived indicator numbers 1–12


@dataclass(frozen=True)
class RecognitionDecision:
    """Quyết định công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo."""

    head: Head
    commune: str  # "Đắk Ang"
    decider: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẮK ANG"
    subject: str  # "công nhận hộ nghèo, hộ cận nghèo, … năm 2026"
    legal_bases: tuple[str, ...]  # "Căn cứ Luật Tổ chức chính quyền địa phương …;"
    poor: tuple[DecisionRow, ...]
    near_poor: tuple[DecisionRow, ...]
    escaped_poor: tuple[DecisionRow, ...]
    escaped_near_poor: tuple[DecisionRow, ...]
    effective: date | None  # None: "có hiệu lực kể từ ngày ký"
    executors: str  # "Văn phòng HĐND và UBND xã, công chức …, các hộ gia đình có tên …"
    signer: Signer
    recipients: tuple[str, ...]


# --- 4. Certificate (Mẫu số 03, QĐ 24/2021) --------------------------------------------------


@dataclass(frozen=True)
class CertificateMember:
    name: str
    ethnicity: str
    relation: str  # "Chủ hộ", "Vợ", "Con" …
    birth_year: int
    male: bool
    note: str = ""  # change of members


@dataclass(frozen=True)
class CertificateYear:
    year: int
    classification: Literal["N", "CN"]  # N: poor, CN: near-poor
    deprived: tuple[int, ...] = ()  # indicator numbers 1–12
    confirmed_on: date | None = None
    confirmed_by: str = ""  # the chairman's name


@dataclass(frozen=True)
class Certificate:
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo: built from the household's classification
    history (``years``), not stored."""

    head: Head  # number "15", symbol "GCN-HN.HCN"
    certifier: str  # "ỦY BAN NHÂN DÂN XÃ ĐẮK ANG"
    legal_bases: tuple[str, ...]
    period: str  # "2022 - 2025"
    head_name: str
    ethnicity: str
    id_number: str  # already masked or full, as the caller decides
    residence: str
    members: tuple[CertificateMember, ...]
    years: tuple[CertificateYear, ...]
    signer: Signer
    id_issued: date | None = None


# --- 5. Refusal letter ---------------------------------------------------------------------


@dataclass(frozen=True)
class RefusalLetter:
    """Văn bản trả lời (không công nhận) with the reasons."""

    head: Head  # symbol "UBND-LĐTBXH" or similar
    summary: str  # trích yếu: "V/v trả lời đề nghị công nhận hộ nghèo"
    responder: str  # "Ủy ban nhân dân xã Đắk Ang" (in the text: "… nhận được đề nghị …")
    addressee_name: str
    addressee_residence: str
    applied_for: str  # "công nhận hộ nghèo"
    received: date
    reasons: tuple[str, ...]
    signer: Signer
    recipients: tuple[str, ...] = ()


# --- 6. Monthly report ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyRow:
    unit: str  # a commune or a village
    new_poor: int
    new_near_poor: int
    escaped_poor: int
    escaped_near_poor: int
    received: int  # applications received
    refused: int


@dataclass(frozen=True)
class MonthlyReport:
    """Báo cáo kết quả rà soát thường xuyên of one month (period from the 15th)."""

    head: Head
    addressee: str  # "Ủy ban nhân dân huyện Ngọc Hồi"
    reporter: str  # "Ủy ban nhân dân xã Đắk Ang"
    month: int
    year: int
    period_start: date
    period_end: date
    unit_label: str  # "Thôn" or "Xã" (the first column's heading)
    rows: tuple[MonthlyRow, ...]
    signer: Signer
    recipients: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def totals(self) -> MonthlyRow:
        return MonthlyRow(
            "Tổng cộng",
            sum(r.new_poor for r in self.rows),
            sum(r.new_near_poor for r in self.rows),
            sum(r.escaped_poor for r in self.rows),
            sum(r.escaped_near_poor for r in self.rows),
            sum(r.received for r in self.rows),
            sum(r.refused for r in self.rows),
        )


# --- 7. Handover list of a support project -------------------------------------------------


@dataclass(frozen=True)
class HandoverRow:
    """One thing handed to one household (a line of the support ledger)."""

    code: str
    head_name: str
    village: str
    item: str  # "Bò cái sinh sản"
    quantity: int
    unit_label: str  # "con", "cây", "kg"; "" when the item has no unit
    value: int  # whole đồng


@dataclass(frozen=True)
class Handover:
    """Danh sách hộ nhận hỗ trợ kiêm biên bản giao nhận: what a project handed to the
    households of one commune (one village, or several) on one day, each household signing
    for it in the "Ký nhận" column.

    ``in_words`` writes an amount in Vietnamese words; the caller passes
    ``giamngheo.core.support.money.amount_in_words`` (this package sits below the support
    rules in the core's layers and cannot import it), so the printed words are always those of
    ``total``, which the rows give."""

    head: Head  # superior "UBND HUYỆN NGỌC HỒI", issuer "PHÒNG NÔNG NGHIỆP VÀ PTNT"; symbol ""
    project: str  # "Mô hình nuôi bò sinh sản Đắk Ang 2020"
    approval: str  # "Quyết định số 15/QĐ-UBND ngày 20/01/2020 của UBND huyện Ngọc Hồi"; ""
    giver: str  # "Phòng Nông nghiệp và Phát triển nông thôn huyện Ngọc Hồi"
    commune: str  # "Đắk Ang"
    village: str | None  # "Thôn Ngọc Tụ"; None when the list spans the commune's villages
    delivered_on: date
    place: str  # "Nhà văn hóa thôn Ngọc Tụ"
    rows: tuple[HandoverRow, ...]
    in_words: Callable[[int], str]
    giver_signer: Signer  # authority "ĐẠI DIỆN ĐƠN VỊ CẤP", title "PHÒNG NÔNG NGHIỆP …"
    commune_signer: Signer  # "TM. ỦY BAN NHÂN DÂN XÃ", "CHỦ TỊCH"
    village_signer: Signer | None  # "TRƯỞNG THÔN"; None: no village head signs
    preparer: Signer  # "NGƯỜI LẬP BIỂU"

    @property
    def total(self) -> int:
        return sum(r.value for r in self.rows)

    @property
    def households(self) -> int:
        """How many households signed (a household with two items counts once)."""
        return len({r.code for r in self.rows})

    @property
    def total_in_words(self) -> str:
        return self.in_words(self.total)


Document = (
    MeetingMinutes
    | PostingList
    | RecognitionDecision
    | Certificate
    | RefusalLetter
    | MonthlyReport
    | Handover
)
