"""The path out of poverty: the households of a commune closest to escaping, the commune's
registration of households to escape this year (đăng ký thoát nghèo) against the plan's target
(column 5 "số hộ giảm tối thiểu" of the plan's annex), and afterwards registered versus escaped.

How "closest to escaping" is decided (:data:`CLOSEST_TO_ESCAPING` carries it in both languages
for the pages). A household leaves its class when its income rises above a line or its
deprivations fall below the standard's cut-off ``k``. Two distances are measured from its
recorded review:

- the *income route*: the rise, in VND per person per month, that alone lifts it out
  (``income_shortfall = line − income + 1``) and its share of that line (``shortfall_ratio``, a
  Fraction). The line: for a poor household under a line-and-deprivations standard (NĐ 07/2021,
  NĐ 351/2025) the poverty line; under QĐ 59/2015 the poverty line when it has fewer than ``k``
  deprivations, else the near-poverty line (above the poverty line alone it would still be poor
  by its deprivations); for a near-poor household (escaping near-poverty) the near-poverty line;
- the *deprivation route*: ``deprivations_to_remove = D − k + 1`` (at least 0), the deprivations
  to remove to fall below the cut-off. Alone it lifts a poor household out under NĐ 07/NĐ 351
  (it becomes near-poor) and under QĐ 59 when its income is above the poverty line; under QĐ 59
  at or below the poverty line it is what a rise above the poverty line would also need; it never
  lifts a near-poor household out.

``path`` says which routes lift the household out on their own: ``"both"`` (either one),
``"income"`` (only a rise in income), ``"deprivations"`` (only the removal of deprivations: the
income is not recorded, the form's score decided). A household whose recorded data already
meets the condition to leave (a distance of zero) needs nothing else.

Order within a commune (rank 1 = closest): (1) households needing nothing else first, then those
with a measurable route, then those with none (income not recorded and no deprivation route);
(2) smaller shortfall ratio (none recorded: after the recorded ones); (3) fewer deprivations to
remove; (4) fewer deprivations; (5) household code. The list is a suggestion for the commune's
officers to confirm (:func:`suggest`), never a registration.

"Escaped" in :func:`registered_vs_escaped`: poor in the base year, not poor (near-poor, medium,
non-poor) at the next review. Only the base year's poor households count; re-poor and newly
poor households are not part of a registration.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from giamngheo.core.standards.model import Standard
from giamngheo.core.support.gaps import (
    NEED_CLASSES,
    GapError,
    HouseholdNeed,
    NextReview,
    StandardLookup,
    area_lines,
    next_reviews_after,
)

__all__ = [
    "CLOSEST_TO_ESCAPING",
    "EscapeCandidate",
    "OrderingRule",
    "Path",
    "PipelineRow",
    "Registration",
    "candidates",
    "registered_vs_escaped",
    "suggest",
]

Path = Literal["income", "deprivations", "both"]


@dataclass(frozen=True)
class OrderingRule:
    """How a list is ordered, for a page to show ("cách sắp xếp danh sách")."""

    code: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str


CLOSEST_TO_ESCAPING = OrderingRule(
    code="escape.closest.v1",
    title_vi="Hộ gần thoát nghèo nhất",
    title_en="Households closest to escaping",
    description_vi=(
        "Mỗi hộ có hai khoảng cách: thu nhập còn thiếu để vượt chuẩn (đồng/người/tháng và tỷ lệ"
        " so với chuẩn) và số chỉ số thiếu hụt cần giảm để dưới ngưỡng. Xếp trong từng xã: hộ"
        " không còn cần gì trước, rồi hộ đo được khoảng cách, hộ không có thu nhập sau cùng; tỷ"
        " lệ thu nhập còn thiếu nhỏ hơn trước; ít chỉ số cần giảm hơn; ít chỉ số thiếu hụt hơn;"
        " theo mã hộ. Danh sách là gợi ý để cán bộ xã xem xét, không tự động đăng ký."
    ),
    description_en=(
        "Each household has two distances: the income it lacks to pass the line (VND per person"
        " per month, and as a share of the line) and the deprivations to remove to fall below"
        " the cut-off. Within each commune: households needing nothing else first, then those"
        " with a measurable distance, those without an income last; smaller income shortfall"
        " share first; fewer deprivations to remove; fewer deprivations; household code. The"
        " list is a suggestion for the commune's officers, never an automatic registration."
    ),
)


@dataclass(frozen=True, slots=True)
class EscapeCandidate:
    """A household with its distance to leaving its class and its rank in its commune."""

    need: HouseholdNeed
    path: Path
    income_shortfall: int | None  # VND per person per month; None: income not recorded
    shortfall_ratio: Fraction | None
    deprivations_to_remove: int
    rank: int  # within the commune, 1 = closest


@dataclass(frozen=True, slots=True)
class Registration:
    """A household the commune registered to escape poverty in ``year``."""

    household_id: int
    commune_id: int
    year: int


@dataclass(frozen=True, slots=True)
class PipelineRow:
    """One commune's registration against its target and the outcome (``commune_id`` None:
    the total row). A registered household is counted in the commune of its base-year record."""

    commune_id: int | None
    target: int | None  # the plan's column 5; None: no target given
    poor: int  # poor households of the base year
    registered: int
    registered_escaped: int
    registered_still_poor: int
    registered_unknown: int  # no next review (the household left)
    escaped: int
    escaped_unregistered: int
    not_on_list: int  # registrations of households not poor in the base year (not counted)
    gap_to_target: int | None  # target − registered


_COUNTED = (
    "poor",
    "registered",
    "registered_escaped",
    "registered_still_poor",
    "registered_unknown",
    "escaped",
    "escaped_unregistered",
    "not_on_list",
)
_Distance = tuple[Path, int | None, int, int, int]  # path, shortfall, line, to remove, tier


def _distance(std: Standard, need: HouseholdNeed) -> _Distance:
    k = std.deprivation_cutoff
    d = len(need.deprived)
    n = max(0, d - k + 1)
    income = need.income
    lines = area_lines(std, need.area)
    dep_route: bool | None
    if need.classification != "poor":
        line, dep_route = lines.near_poverty, False
    elif std.rule != "qd59":
        line, dep_route = lines.poverty, True
    else:
        line = lines.poverty if d < k else lines.near_poverty
        dep_route = None if income is None else income > lines.poverty
    if income is None:
        if dep_route:
            return "deprivations", None, line, n, 0 if n == 0 else 1
        return "income", None, line, n, 2
    s = max(0, line - income + 1)
    done = s == 0 or (dep_route and n == 0)
    return ("both" if dep_route else "income"), s, line, n, 0 if done else 1


def candidates(
    needs: Iterable[HouseholdNeed],
    *,
    classification: Literal["poor", "near_poor"] = "poor",
    standards: Mapping[str, Standard] | None = None,
) -> list[EscapeCandidate]:
    """The households of ``classification``, ordered by commune and then by the rule
    :data:`CLOSEST_TO_ESCAPING`, ranked within their commune (1 = closest).

    Shortfall ratios are compared exactly, as whole numbers over the common multiple of the
    lines in use (no floats, no Fraction comparisons in the sort).

    Raises:
        GapError: ``classification`` is not poor or near-poor, or a bad area.
        UnknownStandard: an unknown standard id.
    """
    if classification not in NEED_CLASSES:
        raise GapError(
            "pipeline.bad_classification",
            f"phân loại {classification!r} không phải hộ nghèo/cận nghèo",
            f"classification {classification!r} is not poor/near-poor",
        )
    lookup = StandardLookup(standards)
    measured: list[tuple[HouseholdNeed, _Distance]] = []
    lines: set[int] = set()
    for need in needs:
        if need.classification == classification:
            dist = _distance(lookup(need.standard_id), need)
            measured.append((need, dist))
            lines.add(dist[2])
    common = math.lcm(*lines) if lines else 1
    keyed: list[tuple[tuple[int, int, int, int, int, int, str, int], int]] = []
    for i, (need, (_, s, line, n, tier)) in enumerate(measured):
        scaled = -1 if s is None else s * (common // line)
        key = (need.commune_id, tier, scaled < 0, scaled, n, len(need.deprived), need.code, i)
        keyed.append((key, i))
    keyed.sort()
    out: list[EscapeCandidate] = []
    commune: int | None = None
    rank = 0
    for _, i in keyed:
        need, (path, s, line, n, _tier) = measured[i]
        rank = rank + 1 if need.commune_id == commune else 1
        commune = need.commune_id
        ratio = None if s is None else Fraction(s, line)
        out.append(EscapeCandidate(need, path, s, ratio, n, rank))
    return out


def suggest(
    ranked: Sequence[EscapeCandidate], target: int, *, commune_id: int | None = None
) -> list[EscapeCandidate]:
    """The first ``target`` candidates of one commune by rank: a suggestion the commune's
    officer confirms, never a registration.

    Raises:
        GapError: the candidates span several communes and ``commune_id`` is not given.
    """
    rows = [c for c in ranked if commune_id is None or c.need.commune_id == commune_id]
    communes = {c.need.commune_id for c in rows}
    if len(communes) > 1:
        raise GapError(
            "pipeline.several_communes",
            "danh sách gồm nhiều xã; hãy chọn một xã",
            "the candidates span several communes; choose one",
        )
    rows.sort(key=lambda c: c.rank)
    return rows[: max(0, target)]


def _registered_ids(
    registrations: Iterable[Registration], year: int | None
) -> dict[int, Registration]:
    regs: dict[int, Registration] = {}
    years: set[int] = set()
    for r in registrations:
        if year is not None and r.year != year:
            continue
        years.add(r.year)
        regs.setdefault(r.household_id, r)
    if len(years) > 1:
        shown = ", ".join(str(y) for y in sorted(years))
        raise GapError(
            "pipeline.mixed_years",
            f"đăng ký thoát nghèo của nhiều năm ({shown}); hãy chọn một năm",
            f"registrations of several years ({shown}); choose one",
        )
    return regs


def registered_vs_escaped(
    registrations: Iterable[Registration],
    needs_year: Iterable[HouseholdNeed],
    next_reviews: Iterable[NextReview],
    targets: Mapping[int, int],
    *,
    year: int | None = None,
) -> list[PipelineRow]:
    """Per commune (sorted by id), then a total row: the target, registered households and
    what their next review shows, and the base year's poor that escaped without registration.

    Args:
        registrations: the communes' registrations (of ``year`` when given; a household
            registered twice counts once).
        needs_year: the base year's list; only its poor households count.
        next_reviews: later reviews; each household's earliest after its base review counts.
        targets: commune id → the plan's column 5.

    Raises:
        GapError: registrations of several years without ``year``; a bad next review.
    """
    poor = [n for n in needs_year if n.classification == "poor"]
    later = next_reviews_after(next_reviews, {n.household_id: n.review_year for n in poor})
    regs = _registered_ids(registrations, year)
    counts: dict[int, dict[str, int]] = {}

    def unit(commune_id: int) -> dict[str, int]:
        c = counts.get(commune_id)
        if c is None:
            c = counts[commune_id] = dict.fromkeys(_COUNTED, 0)
        return c

    on_list: set[int] = set()
    for need in poor:
        on_list.add(need.household_id)
        c = unit(need.commune_id)
        c["poor"] += 1
        nr = later.get(need.household_id)
        escaped = nr is not None and nr.classification != "poor"
        c["escaped"] += escaped
        if need.household_id in regs:
            c["registered"] += 1
            outcome = "unknown" if nr is None else "escaped" if escaped else "still_poor"
            c["registered_" + outcome] += 1
        elif escaped:
            c["escaped_unregistered"] += 1
    for hid, reg in regs.items():
        if hid not in on_list:
            unit(reg.commune_id)["not_on_list"] += 1
    for commune_id in targets:
        unit(commune_id)
    rows = []
    for commune_id in sorted(counts):
        c = counts[commune_id]
        target = targets.get(commune_id)
        gap = None if target is None else target - c["registered"]
        rows.append(PipelineRow(commune_id, target, **c, gap_to_target=gap))
    total = {f: sum(counts[i][f] for i in counts) for f in _COUNTED}
    known = [targets[i] for i in counts if i in targets]
    total_target = sum(known) if known else None
    total_gap = None if total_target is None else total_target - total["registered"]
    rows.append(PipelineRow(None, total_target, **total, gap_to_target=total_gap))
    return rows
