"""Proposing column 5 (minimum reduction) so that every objective is met with the smallest
total number of households.

Rule (shown to the user, in Vietnamese and English, by ``Proposal.explanation_vi/_en``):

1. **Manual values** (``overrides``: name → households) are kept as given. They must lie
   between 0 and the commune's poor households and inside the commune's range if it has one.
2. **Communes with a range** (``CommuneObjective``, e.g. Đăk Ang 7–8 points) get the smallest
   whole number of households reaching their minimum: ceil(min × households / 100), which is
   by construction not above their maximum floor(max × households / 100). A range that holds
   no whole number, or needs more than the commune's poor households, is infeasible.
3. **The unit's minimum**: the smallest whole total R with R / total households × 100 ≥ min
   (``> min`` when ``strict``: R = floor(min × H / 100) + 1). If the households fixed by
   steps 1–2 already reach R, every other commune gets 0 — the smallest total.
4. Otherwise the shortfall S = R − fixed is apportioned among the **other communes in
   proportion to their poor households** by the largest-remainder (Hamilton) method: each gets
   floor(S × poor / Σpoor), and the households still missing go one each to the largest
   remainders (ties: more poor households first, then table order). No commune gets more than
   its poor households: any excess is redistributed among the others by the same method.
5. Only if S exceeds the other communes' poor households (they all get their poor count),
   the rest is apportioned the same way among the communes with a range, up to their
   maximum (and poor count). If that is still not enough the objective is infeasible.

The total is then max(R, fixed), and no smaller total meets every objective: the communes
with a range are at their minimum and the unit total is exactly its minimum whenever step 4
or 5 runs. Columns 4, 6, 7 and the total rows are recomputed (``calc.recompute_table``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from giamngheo.core.numbers import format_decimal, format_int, round_half_up
from giamngheo.core.plan import calc
from giamngheo.core.plan.checks import commune_range, find_rows, format_range
from giamngheo.core.plan.model import Objectives, PlanRow, PlanTable
from giamngheo.core.text import unit_name_key

RULE_VI = (
    "Quy tắc đề xuất: xã có chỉ tiêu riêng nhận số hộ nhỏ nhất đạt mức tối thiểu của khoảng "
    "chỉ tiêu; nếu toàn đơn vị còn thiếu so với mức giảm tối thiểu, số hộ còn thiếu được chia "
    "cho các xã còn lại theo tỷ lệ số hộ nghèo (phương pháp số dư lớn nhất), không xã nào vượt "
    "quá số hộ nghèo của mình. Tổng số hộ giảm là nhỏ nhất có thể để đạt mọi chỉ tiêu."
)
RULE_EN = (
    "Proposal rule: a commune with its own range gets the smallest number of households "
    "reaching the range's minimum; if the whole unit still falls short of its minimum "
    "reduction, the missing households are apportioned among the other communes in "
    "proportion to their poor households (largest-remainder method), none above its poor "
    "households. The total is the smallest that meets every objective."
)


class ProposalError(ValueError):
    """The objectives cannot be met (or the input is inconsistent). Bilingual."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class Proposal:
    table: PlanTable  # rows with column 5 set; 4, 6, 7 and totals recomputed
    required_total: int  # the unit's minimum (0 without one)
    total_reduction: int
    explanation_vi: tuple[str, ...]
    explanation_en: tuple[str, ...]


def largest_remainder(total: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder method, never
    giving index i more than ``caps[i]``; overflow is redistributed among the uncapped.
    Ties of remainder go to the larger weight, then the lower index.

    >>> largest_remainder(10, [1, 1, 1], [10, 10, 10])
    [4, 3, 3]
    >>> largest_remainder(10, [8, 1, 1], [2, 10, 10])
    [2, 4, 4]
    """
    if total > sum(caps):
        raise ValueError("total exceeds the caps")
    shares = [0] * len(weights)
    open_ = [i for i in range(len(weights)) if caps[i] > 0]
    left = total
    while left > 0:
        weight_sum = sum(weights[i] for i in open_)
        basis = {i: weights[i] for i in open_} if weight_sum else dict.fromkeys(open_, 1)
        basis_sum = sum(basis.values())
        quotas = {i: Fraction(left * basis[i], basis_sum) for i in open_}
        alloc = {i: int(q) for i, q in quotas.items()}
        extra = left - sum(alloc.values())
        order = sorted(open_, key=lambda i: (-(quotas[i] - alloc[i]), -weights[i], i))
        for i in order[:extra]:
            alloc[i] += 1
        left = 0
        for i in open_:
            room = caps[i] - shares[i]
            give = min(alloc[i], room)
            shares[i] += give
            left += alloc[i] - give
        open_ = [i for i in open_ if shares[i] < caps[i]]
    return shares


def _match_overrides(rows: tuple[PlanRow, ...], overrides: Mapping[str, int]) -> dict[int, int]:
    fixed: dict[int, int] = {}
    for name, value in overrides.items():
        matches = [i for i, r in enumerate(rows) if unit_name_key(r.name) == unit_name_key(name)]
        if len(matches) != 1:
            raise ProposalError(
                f"Giá trị nhập tay cho «{name}» không khớp với đúng một dòng của bảng",
                f"The manual value for '{name}' does not match exactly one row of the table",
            )
        row = rows[matches[0]]
        if not 0 <= value <= row.poor:
            raise ProposalError(
                f"{row.name}: giá trị nhập tay {format_int(value)} phải từ 0 đến "
                f"{format_int(row.poor)} (số hộ nghèo)",
                f"{row.name}: the manual value {format_int(value, 'en')} must be between 0 and "
                f"{format_int(row.poor, 'en')} (poor households)",
            )
        fixed[matches[0]] = value
    return fixed


def _top_up_ranged(
    rows: tuple[PlanRow, ...],
    objectives: Objectives,
    *,
    values: dict[int, int],
    overridden: set[int],
    missing: int,
    required: int,
    vi: list[str],
    en: list[str],
) -> None:
    """Step 5: raise the communes with a range towards their maximum."""
    ranged: list[int] = []
    room: list[int] = []
    for objective in objectives.communes:
        index = rows.index(find_rows(rows, objective.name)[0])
        if index in overridden or index in ranged:
            continue
        _, hi = commune_range(rows[index].households, objective)
        top = rows[index].poor if hi is None else min(hi, rows[index].poor)
        ranged.append(index)
        room.append(top - values[index])
    if missing > sum(room):
        most = required - (missing - sum(room))
        raise ProposalError(
            f"Không đạt được chỉ tiêu toàn đơn vị: cần ít nhất {format_int(required)} hộ nhưng "
            f"kể cả khi mọi xã giảm tối đa chỉ được {format_int(most)} hộ",
            f"The unit's objective cannot be met: it needs at least "
            f"{format_int(required, 'en')} households but even with every commune at its "
            f"maximum only {format_int(most, 'en')} are possible",
        )
    extra = largest_remainder(missing, [rows[i].poor for i in ranged], room)
    vi.append(
        f"Các xã còn lại không đủ hộ nghèo; {format_int(missing)} hộ còn thiếu được thêm cho các "
        "xã có chỉ tiêu riêng, trong khoảng chỉ tiêu:"
    )
    en.append(
        f"The other communes have too few poor households; the missing "
        f"{format_int(missing, 'en')} are added to the communes with a range, within it:"
    )
    for i, add in zip(ranged, extra, strict=True):
        values[i] += add
        vi.append(f"  {rows[i].name}: +{format_int(add)} → {format_int(values[i])}")
        en.append(f"  {rows[i].name}: +{format_int(add, 'en')} → {format_int(values[i], 'en')}")


def propose(
    table: PlanTable, objectives: Objectives, overrides: Mapping[str, int] | None = None
) -> Proposal:
    """Choose column 5 for every row by the module's rule; raises ``ProposalError``."""
    rows = table.rows
    if not rows:
        raise ProposalError("Bảng không có dòng nào", "The table has no rows")
    values: dict[int, int] = _match_overrides(rows, overrides or {})
    overridden = set(values)
    vi: list[str] = []
    en: list[str] = []
    for i, v in sorted(values.items()):
        vi.append(f"{rows[i].name}: giữ giá trị nhập tay {format_int(v)} hộ.")
        en.append(f"{rows[i].name}: manual value {format_int(v, 'en')} households kept.")

    for objective in objectives.communes:
        matches = find_rows(rows, objective.name)
        if len(matches) != 1:
            raise ProposalError(
                f"Chỉ tiêu cho «{objective.name}» không khớp với đúng một dòng của bảng",
                f"The objective for '{objective.name}' does not match exactly one row",
            )
        row = matches[0]
        index = rows.index(row)
        lo, hi = commune_range(row.households, objective)
        rng_vi, rng_en = format_range(lo, hi), format_range(lo, hi, "en")
        if row.households == 0 or (hi is not None and lo > hi) or lo > row.poor:
            raise ProposalError(
                f"{row.name}: chỉ tiêu không thực hiện được — cần {rng_vi} hộ, có "
                f"{format_int(row.poor)} hộ nghèo",
                f"{row.name}: the objective cannot be met — it needs {rng_en} households, "
                f"there are {format_int(row.poor, 'en')} poor households",
            )
        if index in values:
            v = values[index]
            if v < lo or (hi is not None and v > hi):
                raise ProposalError(
                    f"{row.name}: giá trị nhập tay {format_int(v)} nằm ngoài khoảng chỉ tiêu "
                    f"{rng_vi} hộ",
                    f"{row.name}: the manual value {format_int(v, 'en')} is outside the "
                    f"objective's {rng_en} households",
                )
            continue
        values[index] = lo
        exact = calc.households_for_points(row.households, objective.min_points)
        vi.append(
            f"{row.name}: chỉ tiêu cần {rng_vi} hộ ({format_decimal(objective.min_points)}% × "
            f"{format_int(row.households)} hộ = {format_decimal(exact, places=2)}); chọn mức "
            f"tối thiểu {format_int(lo)} hộ."
        )
        en.append(
            f"{row.name}: the objective needs {rng_en} households "
            f"({format_decimal(objective.min_points, 'en')}% × "
            f"{format_int(row.households, 'en')} = {format_decimal(exact, 'en', 2)}); the "
            f"minimum {format_int(lo, 'en')} is chosen."
        )

    t = calc.totals(rows)
    required = 0
    m = objectives.min_reduction_points
    if m is not None:
        required = calc.min_households(t.households, m, objectives.strict)
        word_vi, word_en = ("trên", "more than") if objectives.strict else ("ít nhất", "at least")
        exact = calc.households_for_points(t.households, m)
        vi.append(
            f"Toàn đơn vị giảm {word_vi} {format_decimal(m)} điểm %: {format_decimal(m)}% × "
            f"{format_int(t.households)} hộ = {format_decimal(exact, places=3)} → cần ít nhất "
            f"{format_int(required)} hộ."
        )
        en.append(
            f"The whole unit must fall by {word_en} {format_decimal(m, 'en')} points: "
            f"{format_decimal(m, 'en')}% × {format_int(t.households, 'en')} = "
            f"{format_decimal(exact, 'en', 3)} → at least {format_int(required, 'en')} "
            "households."
        )
    fixed = sum(values.values())
    others = [i for i in range(len(rows)) if i not in values]
    shortfall = required - fixed
    if shortfall <= 0:
        for i in others:
            values[i] = 0
        if others:
            vi.append(f"Các xã còn lại không cần giảm thêm (đã đủ {format_int(fixed)} hộ): 0.")
            en.append(
                f"The other communes need no reduction ({format_int(fixed, 'en')} households "
                "already suffice): 0."
            )
    else:
        capacity = sum(rows[i].poor for i in others)
        take = min(shortfall, capacity)
        weights = [rows[i].poor for i in others]
        shares = largest_remainder(take, weights, weights)
        vi.append(
            f"Đã có {format_int(fixed)} hộ; còn thiếu {format_int(shortfall)} hộ, chia cho các "
            f"xã còn lại theo tỷ lệ số hộ nghèo (tổng {format_int(capacity)}), phương pháp số "
            "dư lớn nhất:"
        )
        en.append(
            f"{format_int(fixed, 'en')} households are fixed; the remaining "
            f"{format_int(shortfall, 'en')} are apportioned among the other communes in "
            f"proportion to their poor households (total {format_int(capacity, 'en')}) by "
            "the largest-remainder method:"
        )
        for i, share in zip(others, shares, strict=True):
            values[i] = share
            quota = Fraction(take * rows[i].poor, capacity) if capacity else Fraction(0)
            vi.append(
                f"  {rows[i].name}: {format_int(take)} × {format_int(rows[i].poor)}/"
                f"{format_int(capacity)} = {format_decimal(quota, places=2)} → {format_int(share)}"
            )
            en.append(
                f"  {rows[i].name}: {format_int(take, 'en')} × "
                f"{format_int(rows[i].poor, 'en')}/{format_int(capacity, 'en')} = "
                f"{format_decimal(quota, 'en', 2)} → {format_int(share, 'en')}"
            )
        if shortfall > capacity:
            _top_up_ranged(
                rows,
                objectives,
                values=values,
                overridden=overridden,
                missing=shortfall - capacity,
                required=required,
                vi=vi,
                en=en,
            )
    new_rows = tuple(replace(r, reduction=values[i]) for i, r in enumerate(rows))
    new_table = calc.recompute_table(replace(table, rows=new_rows))
    total = sum(values.values())
    points = calc.reduction_points(t.households, total)
    if points is not None:
        vi.append(
            f"Tổng số hộ giảm: {format_int(total)} = {format_decimal(round_half_up(points, 4))} "
            "điểm %."
        )
        en.append(
            f"Total reduction: {format_int(total, 'en')} households = "
            f"{format_decimal(round_half_up(points, 4), 'en')} points."
        )
    return Proposal(new_table, required, total, tuple(vi), tuple(en))
