"""Households written to the database for the transitions tests, and the records the engine
should see: three communes of Ngọc Hồi (Plei Kần urban) across 2018–2020 (``generate``), or
one household at a time (``add_household``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from giamngheo.core.standards.model import Area
from giamngheo.core.transitions import EntryReason, ExitReason, HouseholdYear
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.models import Household, HouseholdStatus, ReviewRecord

YEARS = (2018, 2019, 2020)
CLASSES = ("poor", "near_poor", "medium", "non_poor")
PLEI_KAN = "23377"
DAK_ANG = "23380"
DAK_DUC = "23383"
_EXITS = {
    HouseholdStatus.MOVED_AWAY: ExitReason.MOVED_AWAY,
    HouseholdStatus.DISSOLVED: ExitReason.DISSOLVED,
    HouseholdStatus.MERGED: ExitReason.MERGED,
}


@dataclass
class Generated:
    """The households written to the database and the records the engine should see."""

    truth: list[HouseholdYear] = field(default_factory=list)
    names: dict[str, list[str]] = field(default_factory=dict)  # commune code → head names


def add_household(
    commune: AdminUnit,
    code: str,
    reviews: dict[int, tuple[str, int]],
    *,
    em: bool = False,
    status: str = HouseholdStatus.ACTIVE,
    status_date: dt.date | None = None,
    name: str | None = None,
    entry_reason: str = "",
    entry_date: dt.date | None = None,
    came_from: Household | None = None,
) -> Household:
    hh = Household.objects.create(
        commune=commune,
        code=code,
        head_name=name or f"Chủ hộ {commune.code} {code}",
        ethnic_minority=em,
        status=status,
        status_date=status_date,
        entry_reason=entry_reason,
        entry_date=entry_date,
        came_from=came_from,
    )
    ReviewRecord.objects.bulk_create(
        ReviewRecord(
            household=hh,
            year=y,
            kind="periodic",
            review_date=dt.date(y, 12, 31),
            standard_id="QD59-2015",
            classification=c,
            persons=p,
            state="approved",
        )
        for y, (c, p) in reviews.items()
    )
    return hh


def generate(units: DemoUnits, per_commune: int = 90, seed: int = 7) -> Generated:
    """Households of three communes (one urban) across 2018–2020: staying, escaping, falling
    back, arriving (moved in, split off, or unrecorded) and leaving (moved away, dissolved,
    merged, or without a recorded reason)."""
    rnd = random.Random(seed)
    out = Generated()
    for code in (PLEI_KAN, DAK_ANG, DAK_DUC):
        commune = units.communes_old[code]
        out.names[code] = []
        for i in range(per_commune):
            first, last = 2018, 2020
            roll = rnd.random()
            if roll < 0.12:
                first = rnd.choice((2019, 2020))
            elif roll < 0.24:
                last = rnd.choice((2018, 2019))
            cls = rnd.choice(CLASSES)
            reviews: dict[int, tuple[str, int]] = {}
            for y in range(first, last + 1):
                if rnd.random() < 0.45:
                    cls = rnd.choice(CLASSES)
                reviews[y] = (cls, rnd.randint(1, 8))
            em = rnd.random() < 0.5
            status, status_date, exit_reason = HouseholdStatus.ACTIVE, None, None
            if last < 2020:
                choice = rnd.choice([*list(_EXITS), None])
                if choice is not None:
                    status, status_date = choice, dt.date(last + 1, 6, 30)
                    exit_reason = _EXITS[choice]
                else:
                    exit_reason = ExitReason.UNRECORDED
            entry = None
            if first > 2018:
                entry = rnd.choice(
                    (EntryReason.MOVED_IN, EntryReason.SPLIT_OFF, EntryReason.UNRECORDED)
                )
            # How it came in, on the household: dated in its first review year.
            recorded = entry in (EntryReason.MOVED_IN, EntryReason.SPLIT_OFF)
            name = f"Hộ thử {code} số {i:03d}"
            hh = add_household(
                commune,
                f"G{i:03d}",
                reviews,
                em=em,
                status=status,
                status_date=status_date,
                name=name,
                entry_reason=str(entry) if recorded else "",
                entry_date=dt.date(first, 1 + i % 12, 1) if recorded else None,
            )
            out.names[code].append(name)
            area: Area = "urban" if code == PLEI_KAN else "rural"
            for y, (c, p) in reviews.items():
                out.truth.append(
                    HouseholdYear(
                        household_id=str(hh.pk),
                        year=y,
                        status=c,  # type: ignore[arg-type]
                        persons=p,
                        ethnic_minority=em,
                        area=area,
                        unit_code=str(commune.pk),
                        entry_reason=entry if y == first and first > 2018 else None,
                    )
                )
            if exit_reason is not None:
                out.truth.append(
                    HouseholdYear(
                        household_id=str(hh.pk),
                        year=last + 1,
                        status=None,
                        persons=reviews[last][1],
                        ethnic_minority=em,
                        area=area,
                        unit_code=str(commune.pk),
                        exit_reason=exit_reason,
                    )
                )
    return out
