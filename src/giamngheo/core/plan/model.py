"""Data model of the plan table, shared by the core, the CLI and the web app.

Columns use the table's own numbering: A (TT), B (unit name), 1 households, 2 of which
ethnic-minority households, 3 poor households at the end of the baseline year, 4 = 3/1 rate %,
5 minimum reduction, 6 = 3 - 5 remaining, 7 = 6/1 projected rate %.
Counts are exact integers; rates are ``Decimal`` percentages as printed (their exponent carries
the printed precision: ``Decimal("20.7")`` was printed with one decimal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal


class Section(StrEnum):
    URBAN = "urban"  # I. Khu vực thành thị
    RURAL = "rural"  # II. Khu vực nông thôn


COLUMNS = ("A", "B", "1", "2", "3", "4", "5", "6", "7")


@dataclass(frozen=True)
class PlanRow:
    """One commune-level unit. Entered: 1, 2, 3, 5. Printed values of 4, 6, 7 are kept
    (None when absent) so that a check can compare them with what they should be."""

    name: str
    section: Section
    households: int
    ethnic_minority: int
    poor: int
    reduction: int | None = None
    printed_rate: Decimal | None = None
    printed_remaining: int | None = None
    printed_projected_rate: Decimal | None = None
    number: str = ""
    unit_code: str | None = None
    source_row: int | None = None  # row/line number in the file it was read from


@dataclass(frozen=True)
class PrintedTotal:
    """A total row as printed: the section rows I and II (when they carry numbers) and III.
    ``section`` None is the grand total (III. Tổng cộng I + II)."""

    name: str
    section: Section | None
    households: int | None = None
    ethnic_minority: int | None = None
    poor: int | None = None
    rate: Decimal | None = None
    reduction: int | None = None
    remaining: int | None = None
    projected_rate: Decimal | None = None
    number: str = ""
    source_row: int | None = None


@dataclass(frozen=True)
class PlanTable:
    rows: tuple[PlanRow, ...]
    totals: tuple[PrintedTotal, ...] = ()
    title: str = ""
    source: str = ""  # file name, for messages


@dataclass(frozen=True)
class CommuneObjective:
    """A commune's objective range in percentage points (Đăk Ang 7–8)."""

    name: str
    min_points: Decimal
    max_points: Decimal | None = None


@dataclass(frozen=True)
class Objectives:
    """The unit's minimum reduction of the poverty rate in percentage points; ``strict`` means
    "more than" ("trên 1,2%"), otherwise "at least"."""

    min_reduction_points: Decimal | None = None
    strict: bool = False
    communes: tuple[CommuneObjective, ...] = field(default_factory=tuple)


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    row: str  # the unit's name as printed, or the total row's label
    column: str  # one of COLUMNS
    expected: str | None
    actual: str | None
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"

    def as_json(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
        }
