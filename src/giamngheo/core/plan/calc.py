"""Exact arithmetic of the plan table.

Every quantity is computed exactly (``int`` and ``Fraction``); rounding happens only when a
value is printed, with ROUND_HALF_UP to two decimals (``round_half_up``).

* column 4 = 3 / 1 × 100 (poverty rate, %)
* column 6 = 3 − 5 (poor households remaining)
* column 7 = 6 / 1 × 100 (projected rate, %)
* reduction in percentage points = 4 − 7 = 5 / 1 × 100 (exact, not the difference of the
  rounded printed rates)
* totals: sums of 1, 2, 3, 5, 6 over the section's rows (urban I, rural II) or all rows (III);
  the rates of a total are computed from the summed counts, never averaged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

from giamngheo.core.numbers import round_half_up
from giamngheo.core.plan.model import PlanRow, PlanTable, PrintedTotal, Section

PRINT_PLACES = 2

SECTION_LABELS_VI = {
    Section.URBAN: "Khu vực thành thị",
    Section.RURAL: "Khu vực nông thôn",
    None: "Tổng cộng I + II",
}
SECTION_LABELS_EN = {
    Section.URBAN: "Urban area",
    Section.RURAL: "Rural area",
    None: "Total I + II",
}
SECTION_NUMBERS = {Section.URBAN: "I", Section.RURAL: "II", None: "III"}


def rate(part: int, households: int) -> Fraction | None:
    """``part / households × 100`` exactly; ``None`` when there are no households."""
    if households == 0:
        return None
    return Fraction(part * 100, households)


def remaining(poor: int, reduction: int) -> int:
    """Column 6 = 3 − 5."""
    return poor - reduction


def projected_rate(households: int, poor: int, reduction: int) -> Fraction | None:
    """Column 7 = (3 − 5) / 1 × 100."""
    return rate(poor - reduction, households)


def reduction_points(households: int, reduction: int) -> Fraction | None:
    """Reduction of the rate in percentage points, exactly: 5 / 1 × 100 (= 4 − 7)."""
    return rate(reduction, households)


def households_for_points(households: int, points: Decimal | Fraction) -> Fraction:
    """The exact (fractional) number of households that is ``points`` per cent of
    ``households``; ceil/floor it for the smallest/largest whole count."""
    return Fraction(points) * households / 100


def min_households(households: int, points: Decimal | Fraction, strict: bool = False) -> int:
    """Smallest whole reduction whose points reach ``points`` (``>=``), or exceed it when
    ``strict`` (``>``). 199/15954 = 1,247 points > 1,2: with ``strict`` the minimum for
    15 954 households is floor(191,448) + 1 = 192."""
    exact = households_for_points(households, points)
    return floor(exact) + 1 if strict else ceil(exact)


def max_households(households: int, points: Decimal | Fraction) -> int:
    """Largest whole reduction whose points do not exceed ``points``."""
    return floor(households_for_points(households, points))


def printed(value: Fraction | None, places: int = PRINT_PLACES) -> Decimal | None:
    """The value as it should be printed (ROUND_HALF_UP)."""
    return None if value is None else round_half_up(value, places)


@dataclass(frozen=True)
class Totals:
    """Exact sums of a group of rows; ``reduction``/``remaining`` None when some row has no
    reduction yet."""

    section: Section | None
    households: int
    ethnic_minority: int
    poor: int
    reduction: int | None
    rows: int

    @property
    def remaining(self) -> int | None:
        return None if self.reduction is None else self.poor - self.reduction

    @property
    def rate(self) -> Fraction | None:
        return rate(self.poor, self.households)

    @property
    def projected_rate(self) -> Fraction | None:
        return None if self.remaining is None else rate(self.remaining, self.households)

    @property
    def reduction_points(self) -> Fraction | None:
        return None if self.reduction is None else rate(self.reduction, self.households)


def totals(rows: tuple[PlanRow, ...] | list[PlanRow], section: Section | None = None) -> Totals:
    """Sums for one section (``Section.URBAN``/``RURAL``) or all rows (``None``)."""
    chosen = [r for r in rows if section is None or r.section is section]
    reductions = [r.reduction for r in chosen]
    reduction = (
        None if any(x is None for x in reductions) else sum(x for x in reductions if x is not None)
    )
    return Totals(
        section=section,
        households=sum(r.households for r in chosen),
        ethnic_minority=sum(r.ethnic_minority for r in chosen),
        poor=sum(r.poor for r in chosen),
        reduction=reduction,
        rows=len(chosen),
    )


def recompute_row(row: PlanRow) -> PlanRow:
    """The row with printed 4, 6, 7 replaced by the correct values (two decimals)."""
    rem = None if row.reduction is None else remaining(row.poor, row.reduction)
    return replace(
        row,
        printed_rate=printed(rate(row.poor, row.households)),
        printed_remaining=rem,
        printed_projected_rate=None if rem is None else printed(rate(rem, row.households)),
    )


def total_row(t: Totals, lang: str = "vi") -> PrintedTotal:
    """A correct printed total row for ``t``."""
    labels = SECTION_LABELS_VI if lang == "vi" else SECTION_LABELS_EN
    return PrintedTotal(
        name=labels[t.section],
        section=t.section,
        households=t.households,
        ethnic_minority=t.ethnic_minority,
        poor=t.poor,
        rate=printed(t.rate),
        reduction=t.reduction,
        remaining=t.remaining,
        projected_rate=printed(t.projected_rate),
        number=SECTION_NUMBERS[t.section],
    )


def recompute_table(table: PlanTable, section_totals: bool = True) -> PlanTable:
    """The table with every computed column and total row recomputed: rows' 4, 6, 7 and the
    total rows I and II (when ``section_totals`` and the section has rows) and III."""
    rows = tuple(recompute_row(r) for r in table.rows)
    old = {t.section: t for t in table.totals}
    new_totals: list[PrintedTotal] = []
    sections: list[Section | None] = [Section.URBAN, Section.RURAL] if section_totals else []
    for section in [*sections, None]:
        t = totals(rows, section)
        if section is not None and not t.rows:
            continue
        row = total_row(t)
        if section in old:  # keep the label as printed
            row = replace(row, name=old[section].name, number=old[section].number)
        new_totals.append(row)
    return replace(table, rows=rows, totals=tuple(new_totals))
