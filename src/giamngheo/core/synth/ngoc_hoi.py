"""The Ngọc Hồi 2019 preset: the district's households, exact to the seed plan's table.

The counts come from ``data/ngoc_hoi_2019.json``, copied from the annex of plan
252/KH-UBND (19/02/2020) of Ngọc Hồi district: per commune, total households (column 1),
ethnic-minority households (column 2) and poor households at the end of 2019 under
QD59-2015 (column 3). :func:`ngoc_hoi_2019` reproduces all three exactly:

* **Totals** by construction: each commune gets exactly its number of households.
* **Ethnic-minority households**: exactly ``m`` of the commune's ``n`` households are
  chosen, weighted towards the villages the model makes mostly ethnic-minority
  (Gumbel top-m sampling on the village shares).
* **Poor households**: the commune's wellbeing effect is first calibrated so that about
  three quarters of its target are income-poor in expectation; households are then drawn
  from the model of :mod:`giamngheo.core.synth.model` and classified by the standards
  engine. If the engine finds ``p'`` poor instead of ``p``, the ``|p − p'|`` households
  nearest the boundary (lowest wellbeing among the non-poor, or highest among the poor)
  have their income and deprivations redrawn from the model, keeping their wellbeing,
  until the engine classifies them as needed (rejection sampling, so they stay typical of
  their class). Should that take more than :data:`MAX_ROUNDS` rounds, the income is set
  by construction (below the poverty line, or into the near-poor band with at most
  ``cutoff − 1`` deprivations). Finally every household of the district is classified
  again by the engine and the counts are checked; a mismatch raises :class:`SynthError`.

The classification itself always comes from the standards engine (its batch path,
:func:`giamngheo.core.standards.batch.classify_batch`, which is property-tested against
``classify_household``; the tests check the preset again one household at a time). This
module only knows the lines and the deprivation cutoff, as data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from giamngheo.core.standards import Standard, get_standard
from giamngheo.core.standards.batch import classify_batch
from giamngheo.core.synth import model
from giamngheo.core.synth.model import (
    BETA_ETHNIC_MINORITY,
    BETA_URBAN,
    RHO_INCOME,
    SIGMA_INCOME,
    WELLBEING_SCALE,
    Geography,
    HouseholdDraw,
)

__all__ = [
    "MAX_ROUNDS",
    "CommuneTarget",
    "SynthError",
    "classify_counts",
    "ngoc_hoi_2019",
    "ngoc_hoi_2019_targets",
]

MAX_ROUNDS = 200
INCOME_POOR_SHARE = 0.75  # share of the poor the calibration expects to be income-poor


class SynthError(RuntimeError):
    """The synthetic population does not meet its targets (a bug, never expected)."""


@dataclass(frozen=True)
class CommuneTarget:
    code: str
    name: str
    seed_name: str
    area: str
    households: int
    ethnic_minority: int
    poor: int


@cache
def _preset() -> dict[str, Any]:
    text = (
        resources.files("giamngheo.core.synth")
        .joinpath("data", "ngoc_hoi_2019.json")
        .read_text(encoding="utf-8")
    )
    return cast(dict[str, Any], json.loads(text))


def ngoc_hoi_2019_targets() -> tuple[CommuneTarget, ...]:
    """The seed table's columns 1–3 per commune, in GSO code order."""
    return tuple(CommuneTarget(**commune) for commune in _preset()["communes"])


def preset_standard_id() -> str:
    return str(_preset()["standard"])


def _normal_cdf(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    erf = np.frompyfunc(math.erf, 1, 1)
    values = np.asarray(erf(x / math.sqrt(2)), dtype=np.float64)
    return 0.5 * (1 + values)


def _calibrate_effect(
    partial_wellbeing: npt.NDArray[np.float64], location: float, line: int, rate: float
) -> float:
    """Commune effect u making the expected income-poor share equal ``rate`` (bisection)."""
    spread = SIGMA_INCOME * math.sqrt(1 - RHO_INCOME**2)
    slope = SIGMA_INCOME * RHO_INCOME / WELLBEING_SCALE

    def share(effect: float) -> float:
        z = (math.log(line) - location - slope * (partial_wellbeing + effect)) / spread
        return float(_normal_cdf(z).mean())

    low, high = -6.0, 6.0
    for _ in range(50):
        middle = (low + high) / 2
        if share(middle) > rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _choose_top(
    rng: np.random.Generator, weights: npt.NDArray[np.float64], count: int
) -> npt.NDArray[np.bool_]:
    """Exactly ``count`` of the items, sampled without replacement ∝ weights (Gumbel top-k)."""
    keys = np.log(np.maximum(weights, 1e-12)) - np.log(-np.log(rng.random(weights.shape[0])))
    chosen = np.zeros(weights.shape[0], dtype=bool)
    if count:
        chosen[np.argsort(-keys, kind="stable")[:count]] = True
    return chosen


def _classify(
    standard: Standard,
    area: str,
    income: npt.NDArray[np.int64],
    deprivations: npt.NDArray[np.int8],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    """The engine's classification and poor basis of each household (batch path)."""
    n = income.shape[0]
    columns: list[Any] = [
        pa.array([str(i) for i in range(n)], pa.string()),
        pa.array([area] * n, pa.string()),
        pa.array(income),
    ]
    columns += [
        pa.array(np.ascontiguousarray(deprivations[:, j])) for j in range(deprivations.shape[1])
    ]
    names = ["household_id", "area", "income", *standard.deprivation_columns]
    return _engine(pa.RecordBatch.from_arrays(columns, names=names), standard)


def _engine(
    batch: pa.RecordBatch, standard: Standard
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    result = classify_batch(batch, standard)
    if result.rejected_rows:
        first = result.rejections[0] if result.rejections else None
        raise SynthError(f"the engine rejected {result.rejected_rows} synthetic rows: {first}")
    out = result.batch
    classes = out.column("classification").cast(pa.string()).to_numpy(zero_copy_only=False)
    bases = out.column("poor_basis").cast(pa.string()).to_numpy(zero_copy_only=False)
    return classes.astype(str), bases.astype(str)


def _is_poor(
    standard: Standard, area: str, income: npt.NDArray[np.int64], deprivations: npt.NDArray[np.int8]
) -> npt.NDArray[np.bool_]:
    classes, _ = _classify(standard, area, income, deprivations)
    return np.asarray(classes == "poor", dtype=bool)


def _commune(
    target: CommuneTarget,
    index: int,
    seed: int,
    standard: Standard,
    geography: Geography,
) -> HouseholdDraw:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2, index]))
    n = target.households
    start = int(geography.starts[index])
    commune, number, village = model.locate(geography, start, start + n)
    villages = model.village_index(geography, commune, village)
    ethnic_minority = _choose_top(
        rng, geography.village_ethnic_share[villages], target.ethnic_minority
    )
    urban = target.area == "urban"
    partial = (
        geography.village_effect[villages]
        + BETA_ETHNIC_MINORITY * ethnic_minority
        + BETA_URBAN * urban
        + rng.standard_normal(n)
    )
    location = model.income_location(standard, target.area)
    line = standard.lines[target.area].poverty  # type: ignore[index]
    effect = _calibrate_effect(partial, location, line, INCOME_POOR_SHARE * target.poor / n)
    wellbeing = partial + effect
    size = model.draw_size(rng, wellbeing, ethnic_minority)
    locations = np.full(n, location)
    keys = standard.indicator_keys
    thresholds = model.deprivation_thresholds(standard)
    income = model.draw_income(rng, wellbeing, size, locations)
    deprivations = model.draw_deprivations(rng, wellbeing, size, keys, thresholds)

    poor = _is_poor(standard, target.area, income, deprivations)
    gap = target.poor - int(poor.sum())
    order = np.argsort(wellbeing, kind="stable")
    if gap > 0:  # the least well-off of the non-poor must become poor
        pending = order[~poor[order]][:gap]
        want_poor = True
    else:  # the best-off of the poor must leave poverty
        pending = order[::-1][poor[order[::-1]]][:-gap]
        want_poor = False
    for _ in range(MAX_ROUNDS):
        if pending.size == 0:
            break
        income[pending] = model.draw_income(
            rng, wellbeing[pending], size[pending], locations[pending]
        )
        deprivations[pending] = model.draw_deprivations(
            rng, wellbeing[pending], size[pending], keys, thresholds
        )
        now = _is_poor(standard, target.area, income[pending], deprivations[pending])
        pending = pending[now != want_poor]
    if pending.size:
        _force(
            rng,
            standard=standard,
            area=target.area,
            income=income,
            deprivations=deprivations,
            pending=pending,
            want_poor=want_poor,
        )

    return HouseholdDraw(
        commune=commune,
        number=number,
        village=village,
        urban=np.full(n, urban),
        ethnic_minority=ethnic_minority,
        wellbeing=wellbeing,
        size=size,
        income=income,
        deprivations=deprivations,
    )


def _force(
    rng: np.random.Generator,
    *,
    standard: Standard,
    area: str,
    income: npt.NDArray[np.int64],
    deprivations: npt.NDArray[np.int8],
    pending: npt.NDArray[np.intp],
    want_poor: bool,
) -> None:
    """Set incomes (and trim deprivations) so the households land on the wanted side."""
    lines = standard.lines[area]  # type: ignore[index]
    if want_poor:
        share = rng.uniform(0.6, 1.0, pending.size)
        income[pending] = (np.floor(lines.poverty * share / 1000) * 1000).astype(np.int64)
        return
    band = max((lines.near_poverty - lines.poverty) // 1000, 1)
    raised = lines.poverty + 1000 * rng.integers(1, band + 1, pending.size)
    income[pending] = np.maximum(income[pending], raised)
    keep = standard.deprivation_cutoff - 1
    for i in pending.tolist():
        deprived = np.flatnonzero(deprivations[i])
        if deprived.size > keep:
            deprivations[i, deprived[keep:]] = 0


def _geography(targets: Sequence[CommuneTarget], seed: int) -> Geography:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    sizes = np.array([t.households for t in targets], dtype=np.int64)
    return model.with_villages(
        rng,
        codes=[t.code for t in targets],
        names=[t.name for t in targets],
        urban=np.array([t.area == "urban" for t in targets], dtype=bool),
        effect=np.zeros(len(targets)),
        ethnic_share=np.array([t.ethnic_minority / t.households for t in targets]),
        sizes=sizes,
    )


COUNT_KEYS = (
    "households",
    "ethnic_minority",
    "poor",
    "poor_income",
    "poor_deprivation",
    "near_poor",
    "medium",
    "non_poor",
)


def classify_counts(table: pa.Table, standard: Standard | None = None) -> dict[str, dict[str, int]]:
    """Per commune code: households, ethnic-minority households, and the engine's counts.

    Keys of each commune's dict: :data:`COUNT_KEYS`.
    """
    std = standard or get_standard(preset_standard_id())
    counts: dict[str, dict[str, int]] = {}
    columns = ["household_id", "area", "income", *std.deprivation_columns]
    for batch in table.to_batches(max_chunksize=1 << 16):
        classes, bases = _engine(batch.select(columns), std)
        communes = batch.column("commune_code").to_numpy(zero_copy_only=False).astype(str)
        ethnic = batch.column("ethnic_minority").to_numpy(zero_copy_only=False)
        for code in np.unique(communes).tolist():
            mine = communes == code
            commune = counts.setdefault(code, dict.fromkeys(COUNT_KEYS, 0))
            commune["households"] += int(mine.sum())
            commune["ethnic_minority"] += int(ethnic[mine].sum())
            for name in ("poor", "near_poor", "medium", "non_poor"):
                commune[name] += int((classes[mine] == name).sum())
            for basis in ("income", "deprivation"):
                commune[f"poor_{basis}"] += int(
                    ((classes == "poor") & (bases == basis))[mine].sum()
                )
    return counts


def ngoc_hoi_2019(seed: int = 1, *, verify: bool = True) -> pa.Table:
    """Ngọc Hồi district at the end of 2019, exact to the seed plan's columns 1–3.

    Args:
        seed: random seed; the same seed gives the same table.
        verify: classify every household again with the engine and check the counts.

    Returns:
        A table in the schema of :func:`giamngheo.core.synth.model.schema` for QD59-2015,
        15,954 households in the GSO order of the communes.

    Raises:
        SynthError: the counts do not match (never expected).
    """
    standard = get_standard(preset_standard_id())
    targets = ngoc_hoi_2019_targets()
    geography = _geography(targets, seed)
    batches = [
        model.build_table(geography, standard, _commune(target, index, seed, standard, geography))
        for index, target in enumerate(targets)
    ]
    table = pa.Table.from_batches(batches, schema=model.schema(standard))
    if verify:
        counts = classify_counts(table, standard)
        for target in targets:
            got = counts.get(target.code, {})
            expected = {
                "households": target.households,
                "ethnic_minority": target.ethnic_minority,
                "poor": target.poor,
            }
            if {key: got.get(key) for key in expected} != expected:
                raise SynthError(f"commune {target.code}: expected {expected}, got {got}")
    return table
