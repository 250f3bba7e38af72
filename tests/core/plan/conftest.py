"""Fixtures for the plan-table tests.

``data/plan_252_KH-UBND_2020.txt`` is a byte-for-byte copy of the seed document (plan
252/KH-UBND of Ngọc Hồi district, 19/02/2020) so that the tests run anywhere;
``test_seed_copy_is_identical`` checks it against the shared seed when that is present.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from giamngheo.core.plan.model import PlanRow, PlanTable, Section
from giamngheo.core.plan.reader import read_plan_table

DATA = Path(__file__).parent / "data"
SEED_COPY = DATA / "plan_252_KH-UBND_2020.txt"
SHARED_SEED = Path("/work/shared/seed/000_10de011b70d5e53d.txt")


def extract_annex(text: str) -> str:
    """The annex table exactly as it stands in the document: from the heading line that
    starts with "TT<tab>Khu vực/ Địa bàn" to the "III" row, inclusive."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("TT\tKhu vực/ Địa bàn"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("III\t"))
    return "".join(lines[start : end + 1])


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED_COPY


@pytest.fixture(scope="session")
def annex_text() -> str:
    return extract_annex(SEED_COPY.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_table(annex_text: str) -> PlanTable:
    return read_plan_table(annex_text.encode("utf-8"), "252-KH-UBND-phu-luc.txt")


@pytest.fixture
def mkrow() -> Callable[..., PlanRow]:
    """``mkrow(name, households, ethnic, poor, reduction, rate4, remaining6, rate7,
    section=...)``; rates are Decimal strings ("1.75")."""

    def make(  # noqa: PLR0917 - positional like the table's columns
        name: str,
        households: int,
        ethnic: int,
        poor: int,
        reduction: int | None = None,
        rate4: str | None = None,
        remaining6: int | None = None,
        rate7: str | None = None,
        section: Section = Section.RURAL,
    ) -> PlanRow:
        return PlanRow(
            name=name,
            section=section,
            households=households,
            ethnic_minority=ethnic,
            poor=poor,
            reduction=reduction,
            printed_rate=None if rate4 is None else Decimal(rate4),
            printed_remaining=remaining6,
            printed_projected_rate=None if rate7 is None else Decimal(rate7),
        )

    return make
