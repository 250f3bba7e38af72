"""The certificate (Mẫu số 03) as a multi-year card printed from the classification history."""

from __future__ import annotations

from datetime import date

import pytest

from giamngheo.core.review.certificate import (
    CertificateError,
    CertificateYear,
    YearClass,
    certificate_number,
    certificate_rows,
)
from giamngheo.core.standards import UnknownStandard, get_standard

CHAIR = "Phạm Văn Chủ Tịch"


def yc(
    review_year: int,
    cls: str,
    deprived: set[str],
    *,
    standard: str = "ND07-2021",
    when: date | None = None,
    review: str = "periodic",
) -> YearClass:
    return YearClass(
        review_year=review_year,
        classification=cls,  # type: ignore[arg-type]
        deprived=frozenset(deprived),
        standard_id=standard,
        decision_date=when or date(review_year, 12, 10),
        confirmed_by=CHAIR,
        review=review,  # type: ignore[arg-type]
    )


def test_history_2021_to_2025_with_a_gap_and_a_non_poor_year() -> None:
    history = [
        yc(2021, "poor", {"water", "sanitation", "telecom"}),  # baseline → list 2022
        yc(2022, "near_poor", {"health_insurance"}),  # → 2023
        # no review recorded at the end of 2023: the 2024 list has no row (a gap)
        yc(2024, "non_poor", set()),  # → 2025: escaped, no row
        yc(2025, "near_poor", {"employment", "info_access"}),  # → 2026 (ND07 until end-2026)
    ]
    rows = certificate_rows(history)
    assert rows == (
        CertificateYear(2022, "N", (9, 10, 11), date(2021, 12, 10), CHAIR, "ND07-2021"),
        CertificateYear(2023, "CN", (4,), date(2022, 12, 10), CHAIR, "ND07-2021"),
        CertificateYear(2026, "CN", (1, 12), date(2025, 12, 10), CHAIR, "ND07-2021"),
    )


def test_indicator_numbers_follow_the_standard_of_each_row() -> None:
    rows = certificate_rows(
        [
            yc(2020, "poor", {"health_access", "info_assets"}, standard="QD59-2015"),  # → 2021
            yc(2021, "poor", {"health_insurance", "info_access"}),  # → 2022
        ]
    )
    assert [(r.year, r.indicators, r.standard_id) for r in rows] == [
        (2021, (1, 10), "QD59-2015"),
        (2022, (4, 12), "ND07-2021"),
    ]
    # health_insurance is no. 2 under QĐ 59/2015 and no. 4 under NĐ 07/2021
    assert get_standard("QD59-2015").indicator_keys.index("health_insurance") == 1


def test_adhoc_review_changes_the_year_it_is_held() -> None:
    history = [
        yc(2022, "near_poor", {"water"}),  # periodic end-2022 → list 2023
        yc(
            2023, "poor", {"water", "sanitation", "telecom"}, when=date(2023, 6, 30), review="adhoc"
        ),
    ]
    (row,) = certificate_rows(history)
    assert (row.year, row.mark, row.decision_date) == (2023, "N", date(2023, 6, 30))


def test_later_escape_in_the_year_removes_the_row() -> None:
    history = [
        yc(2022, "poor", {"water", "sanitation", "telecom"}),
        yc(2023, "non_poor", set(), when=date(2023, 8, 15), review="adhoc"),
    ]
    assert certificate_rows(history) == ()


def test_unknown_indicator_and_wrong_year_are_errors() -> None:
    with pytest.raises(CertificateError, match="waste"):
        certificate_rows([yc(2022, "poor", {"waste", "water", "telecom"})])
    # a list year passed as the review year: end-2026 review → 2027 list, not under ND07-2021
    with pytest.raises(CertificateError, match="2027"):
        certificate_rows([yc(2026, "poor", {"water"})])
    with pytest.raises(UnknownStandard):
        certificate_rows([yc(2022, "poor", {"water"}, standard="XX")])


def test_custom_standard_lookup() -> None:
    nd351 = get_standard("ND351-2025")
    rows = certificate_rows([yc(2027, "near_poor", {"waste"})], {"ND07-2021": nd351}.__getitem__)
    assert rows[0].indicators == (11,) and rows[0].year == 2028


def test_certificate_number() -> None:
    assert certificate_number(5, 2025) == "05/GCN-HN.HCN"
    assert certificate_number(123, 2025) == "123/GCN-HN.HCN"
    assert certificate_number(7, 2026, "{seq:02d}/{year}/GCN-HN.HCN") == "07/2026/GCN-HN.HCN"
    with pytest.raises(ValueError, match="seq"):
        certificate_number(0, 2025)
    with pytest.raises(ValueError, match="year"):
        certificate_number(1, 25)
