"""The certificate of a poor or near-poor household (Giấy chứng nhận hộ nghèo, hộ cận nghèo,
Mẫu số 03, QĐ 24/2021/QĐ-TTg) as a multi-year card printed from the classification history.

Part II of the certificate has one row per year ("NĂM 20.."): N (poor) or CN (near-poor), the
deprived indicators ticked by number 1–12, the date and the commune chairman's confirmation
(programme-and-reporting-2026.md §2.2, §6.4). It is re-stamped after each review, so it is
generated from the ledger, never stored as a one-off document.

**Which year a row shows.** A row's year is the year of the list, not of the review: the
periodic review at the end of year Y makes the list for Y + 1 (``standard_for`` in the
standards engine documents this; the end-2021 baseline review made the 2022 list, the first
row of the 2022–2025 card), and an ad-hoc (monthly) review during Y changes the list of Y.
When several decisions fall on one list year, the latest decision (by date, then by order in
the history) gives the row; if it takes the household off both lists, the year has no row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from giamngheo.core.standards.model import Classification, ReviewKind, Standard
from giamngheo.core.standards.registry import get_standard

__all__ = [
    "CERTIFICATE_NUMBER_FORMAT",
    "CertificateError",
    "CertificateYear",
    "Mark",
    "YearClass",
    "certificate_number",
    "certificate_rows",
]

Mark = Literal["N", "CN"]
_MARKS: dict[Classification, Mark] = {"poor": "N", "near_poor": "CN"}

#: The certificate number: ``…/GCN-HN.HCN`` (QĐ 24/2021 Mẫu số 03) [M]. Provisional choices:
#: the year is not written (administrative documents carry "Số: 05/QĐ-UBND" without a year
#: and restart at 01 on 1 January, NĐ 30/2020/NĐ-CP), and numbers below 10 take a leading
#: zero as that decree asks. A province writing the year can pass e.g.
#: ``"{seq:02d}/{year}/GCN-HN.HCN"``.
CERTIFICATE_NUMBER_FORMAT = "{seq:02d}/GCN-HN.HCN"


class CertificateError(ValueError):
    """The history cannot be printed; the message names the year and the problem."""


@dataclass(frozen=True)
class YearClass:
    """One approved classification decision of the household.

    ``review_year``: the year the review was held; ``review``: periodic (end of year, makes the
    next year's list) or adhoc (monthly, changes this year's list).
    """

    review_year: int
    classification: Classification
    deprived: Collection[str]  # indicator keys of ``standard_id``
    standard_id: str
    decision_date: date | None
    confirmed_by: str  # the commune chairman who signed
    review: ReviewKind = "periodic"

    @property
    def list_year(self) -> int:
        """The year of the list this decision makes or changes (the certificate row's year)."""
        return self.review_year + 1 if self.review == "periodic" else self.review_year


@dataclass(frozen=True)
class CertificateYear:
    """One row "NĂM …" of part II of the certificate."""

    year: int  # the list year
    mark: Mark  # "N" poor, "CN" near-poor
    indicators: tuple[int, ...]  # 1-based numbers in the standard's indicator order
    decision_date: date | None
    confirmed_by: str
    standard_id: str = ""  # the standard that numbers the indicators


def certificate_rows(
    history: Sequence[YearClass],
    standard_lookup: Callable[[str], Standard] = get_standard,
) -> tuple[CertificateYear, ...]:
    """The certificate's year rows, oldest first: poor and near-poor list years only.

    Years missing from the history (a gap) get no row; indicators are numbered by the standard
    of each row, so rows under QD59-2015 (10 indicators) and ND07-2021 (12) each use their own.

    Raises:
        CertificateError: a decision names an indicator its standard does not have, or uses a
            standard not in force in its list year (a review year passed as a list year).
        UnknownStandard: ``standard_lookup`` knows no standard with that id.
    """
    latest: dict[int, tuple[date, int, YearClass]] = {}
    for n, yc in enumerate(history):
        key = (yc.decision_date or date.min, n, yc)
        current = latest.get(yc.list_year)
        if current is None or key[:2] >= current[:2]:
            latest[yc.list_year] = key
    rows = []
    for year in sorted(latest):
        yc = latest[year][2]
        mark = _MARKS.get(yc.classification)
        if mark is None:
            continue
        std = standard_lookup(yc.standard_id)
        if not std.in_force(year):
            raise CertificateError(
                f"Năm {year}: chuẩn {std.id} chỉ áp dụng {std.years[0]}–{std.years[1]}"
                f" (rà soát {yc.review} năm {yc.review_year}) / "
                f"{year}: standard {std.id} is only in force {std.years[0]}–{std.years[1]}"
                f" ({yc.review} review of {yc.review_year})"
            )
        keys = std.indicator_keys
        unknown = sorted(set(yc.deprived) - set(keys))
        if unknown:
            raise CertificateError(
                f"Năm {year}: chuẩn {std.id} không có chỉ số {', '.join(unknown)} / "
                f"{year}: standard {std.id} has no indicator {', '.join(unknown)}"
            )
        rows.append(
            CertificateYear(
                year=year,
                mark=mark,
                indicators=tuple(i + 1 for i, k in enumerate(keys) if k in yc.deprived),
                decision_date=yc.decision_date,
                confirmed_by=yc.confirmed_by,
                standard_id=std.id,
            )
        )
    return tuple(rows)


def certificate_number(seq: int, year: int, fmt: str = CERTIFICATE_NUMBER_FORMAT) -> str:
    """The certificate number, ``05/GCN-HN.HCN`` for the 5th certificate of the year.

    ``year`` is the calendar year whose numbering ``seq`` belongs to (numbers restart each
    year); the default format does not print it (provisional, see
    ``CERTIFICATE_NUMBER_FORMAT``).

    Raises:
        ValueError: ``seq`` below 1 or an implausible year.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"số thứ tự phải từ 1, không phải {seq!r} / seq must be ≥ 1, not {seq!r}")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValueError(f"năm không hợp lệ: {year!r} / invalid year: {year!r}")
    return fmt.format(seq=seq, year=year)
