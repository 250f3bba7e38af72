"""The household model behind the synthetic population.

One latent *wellbeing* factor per household drives everything, so incomes and
deprivations are correlated the way they are in the field:

    w = u_commune + v_village + β_em·ethnic_minority + β_urban·urban + ε,   ε ~ N(0, 1)

* **Household size** = 1 + Poisson(λ), ``λ = 2.5 + 0.9·ethnic_minority − 0.2·w`` (capped
  at 12): ethnic-minority and poorer households are larger (average ≈ 3.6, the 2019
  census figure).
* **Income** (VND per person per month, rounded to 1,000):
  ``log income = μ_area + σ·(ρ·w/s + √(1−ρ²)·e) − 0.05·(size − 4)``. ``μ_area`` puts about
  10 % of a reference population at or below the standard's near-poverty line of that area
  (``μ = log line + 1.2816·0.75``), so every standard, national or local, gets believable
  rates without tuning.
* **Deprivations** are probit thresholds on the same factor:
  ``dep_j = 1`` when ``−ρ_j·w/s + √(1−ρ_j²)·η_j + γ_j·(size − 4) > Φ⁻¹(1 − p_j)``, with a
  base prevalence ``p_j`` per indicator key (:data:`PREVALENCE`; 8 % for an indicator this
  module does not know, so a province's own standard works too). Living area per person
  is worse in larger households (``γ = 0.2``).
* **Geography**: communes hold 500–4,000 households (urban ones more) in villages of about
  180; commune and village effects ``u ~ N(0, 0.45²)``, ``v ~ N(0, 0.25²)``; ethnic-minority
  shares per commune come from a two-part mixture (most communes a few per cent, about
  15 % of them mostly ethnic-minority), so about 15 % of all households are ethnic
  minority, as in the 2019 census. ``β_em = −0.9``, ``β_urban = +0.35``.

On 30,000 households this gives, as classified by the standards engine: under QD59-2015
about 9 % poor (three quarters of them income-poor, the rest poor by deprivations) and
5 % near-poor; under ND07-2021 about 7.5 % poor and 6 % near-poor; under ND351-2025 about
8 % poor and 5 % near-poor. Poverty is about seven times as common among ethnic-minority
households; there is about one deprivation per household on average, and log income and
the deprivation count correlate at about −0.55.

Determinism: households are drawn in fixed blocks of :data:`BLOCK` rows, block ``b`` from
``SeedSequence([seed, 1, b])`` (one child stream per quantity) and the geography from
``SeedSequence([seed, 0])`` in batches of communes. A short last block is drawn at full
length and cut. The output therefore depends only on the seed and the household count,
not on how it is consumed, and a smaller population is a prefix of a larger one with the
same seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from giamngheo.core.standards import Standard

__all__ = [
    "BLOCK",
    "PREVALENCE",
    "Geography",
    "HouseholdDraw",
    "build_table",
    "deprivation_thresholds",
    "draw_block",
    "draw_deprivations",
    "draw_income",
    "draw_size",
    "generate_blocks",
    "generic_geography",
    "income_location",
    "locate",
    "locate_index",
    "schema",
    "village_index",
    "with_villages",
]

BLOCK = 1 << 16
"""Households per random block (fixes the output for a seed whatever the chunk size)."""

# Base prevalence of each deprivation in the reference population (w = 0), by indicator key.
# Orders of magnitude from the 2016–2020 national reviews and the 2019 census (about 8 % of
# households below 8 m² per person); the model, not a statistic.
PREVALENCE: Mapping[str, float] = {
    "health_access": 0.03,
    "health_insurance": 0.10,
    "adult_education": 0.12,
    "child_schooling": 0.04,
    "housing_quality": 0.08,
    "housing_area": 0.08,
    "water": 0.08,
    "sanitation": 0.25,
    "telecom": 0.05,
    "info_assets": 0.08,
    "info_access": 0.05,
    "employment": 0.12,
    "dependants": 0.08,
    "nutrition": 0.06,
    "waste": 0.20,
}
DEFAULT_PREVALENCE = 0.08
SIZE_EFFECT: Mapping[str, float] = {"housing_area": 0.2, "dependants": 0.1, "nutrition": 0.05}

SIGMA_INCOME = 0.8
RHO_INCOME = 0.8
RHO_DEPRIVATION = 0.45
WELLBEING_SCALE = 1.25  # rough standard deviation of w in the whole population
SHARE_BELOW_NEAR_POVERTY = 0.10
_Z_SHARE = -NormalDist().inv_cdf(SHARE_BELOW_NEAR_POVERTY)  # 1.2816
SPREAD_BELOW_NEAR_POVERTY = 0.75
BETA_ETHNIC_MINORITY = -0.9
BETA_URBAN = 0.35
COMMUNE_SD = 0.45
VILLAGE_SD = 0.25
VILLAGE_SIZE = 180
MIN_INCOME = 50_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def schema(standard: Standard) -> pa.Schema:
    """The columns of a synthetic household table for this standard."""
    fields: list[pa.Field[Any]] = [
        pa.field("household_id", pa.string(), nullable=False),
        pa.field("commune_code", pa.string(), nullable=False),
        pa.field("commune_name", pa.string(), nullable=False),
        pa.field("village", pa.string(), nullable=False),
        pa.field("area", pa.string(), nullable=False),
        pa.field("ethnic_minority", pa.int8(), nullable=False),
        pa.field("household_size", pa.int8(), nullable=False),
        pa.field("income", pa.int64(), nullable=False),
    ]
    fields += [
        pa.field(column, pa.int8(), nullable=False) for column in standard.deprivation_columns
    ]
    return pa.schema(fields)


def income_location(standard: Standard, area: str) -> float:
    """μ of log income for an area: about 10 % at or below its near-poverty line."""
    line = standard.lines[area].near_poverty  # type: ignore[index]
    return math.log(line) + _Z_SHARE * SPREAD_BELOW_NEAR_POVERTY


def deprivation_thresholds(standard: Standard) -> FloatArray:
    """Φ⁻¹(1 − p_j) per indicator of the standard, in its order."""
    normal = NormalDist()
    return np.array(
        [
            normal.inv_cdf(1 - PREVALENCE.get(key, DEFAULT_PREVALENCE))
            for key in standard.indicator_keys
        ]
    )


def draw_size(
    rng: np.random.Generator, wellbeing: FloatArray, ethnic_minority: BoolArray
) -> IntArray:
    rate = np.clip(2.5 + 0.9 * ethnic_minority - 0.2 * wellbeing, 0.3, None)
    return np.minimum(1 + rng.poisson(rate), 12).astype(np.int64)


def draw_income(
    rng: np.random.Generator, wellbeing: FloatArray, size: IntArray, location: FloatArray
) -> IntArray:
    """Income per person per month, VND, rounded to 1,000 (so some fall exactly on a line)."""
    noise = rng.standard_normal(wellbeing.shape[0])
    log_income = (
        location
        + SIGMA_INCOME
        * (RHO_INCOME * wellbeing / WELLBEING_SCALE + math.sqrt(1 - RHO_INCOME**2) * noise)
        - 0.05 * (size - 4)
    )
    income: FloatArray = np.rint(np.exp(log_income) / 1000) * 1000
    return np.maximum(income, MIN_INCOME).astype(np.int64)


def draw_deprivations(
    rng: np.random.Generator,
    wellbeing: FloatArray,
    size: IntArray,
    keys: Sequence[str],
    thresholds: FloatArray,
) -> npt.NDArray[np.int8]:
    """0/1 deprivation matrix (households × indicators; a transposed view, so that each
    indicator's column is contiguous)."""
    n = wellbeing.shape[0]
    latent = ((-RHO_DEPRIVATION / WELLBEING_SCALE) * wellbeing).astype(np.float32)
    spread = math.sqrt(1 - RHO_DEPRIVATION**2)
    centred = (size - 4).astype(np.float32)
    by_indicator = np.empty((len(keys), n), dtype=np.int8)
    value = np.empty(n, dtype=np.float32)
    for j, key in enumerate(keys):
        rng.standard_normal(n, dtype=np.float32, out=value)
        value *= spread
        value += latent
        effect = SIZE_EFFECT.get(key)
        if effect:
            value += effect * centred
        np.greater(value, float(thresholds[j]), out=by_indicator[j], casting="unsafe")
    return by_indicator.T


@dataclass(frozen=True)
class Geography:
    """Communes and villages, and which households belong to which.

    Households ``starts[c] … starts[c + 1] − 1`` belong to commune ``c``; inside a commune
    they are numbered from 1 and grouped into villages of consecutive households. A commune
    cut short by the requested household count keeps the villages of its full ``span``.
    """

    codes: list[str]
    names: list[str]
    urban: BoolArray
    effect: FloatArray  # u_commune
    starts: IntArray  # len(codes) + 1 cumulative household offsets
    span: IntArray  # households a commune's villages are laid out for (≥ its households)
    village_counts: IntArray  # villages per commune
    village_starts: IntArray  # len(codes) + 1 offsets into the per-village arrays
    village_effect: FloatArray  # v_village, all communes' villages end to end
    village_ethnic_share: FloatArray  # expected share of ethnic-minority households

    @property
    def households(self) -> int:
        return int(self.starts[-1])


def _village_names(urban: bool, count: int) -> list[str]:
    prefix = "Tổ dân phố" if urban else "Thôn"
    return [f"{prefix} {v}" for v in range(1, count + 1)]


@dataclass(frozen=True)
class _Communes:
    urban: BoolArray
    sizes: IntArray
    effect: FloatArray
    ethnic_share: FloatArray
    village_counts: IntArray
    village_effect: FloatArray
    village_ethnic_share: FloatArray


def _draw_villages(
    rng: np.random.Generator, sizes: IntArray, ethnic_share: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    counts = np.maximum(1, np.rint(sizes / VILLAGE_SIZE)).astype(np.int64)
    total = int(counts.sum())
    effect = rng.normal(0, VILLAGE_SD, total)
    # Villages scatter around their commune's share (Beta, concentration 4), so
    # ethnic-minority households cluster in some villages, as they do.
    commune_share = np.repeat(ethnic_share, counts)
    concentration = 4.0
    share = rng.beta(
        np.maximum(commune_share * concentration, 1e-3),
        np.maximum((1 - commune_share) * concentration, 1e-3),
    )
    return counts, effect, share


def _commune_batch(rng: np.random.Generator, count: int) -> _Communes:
    """``count`` communes of the made-up country, with their villages."""
    urban = rng.random(count) < 0.25
    sizes = np.where(urban, rng.integers(1500, 6000, count), rng.integers(500, 4000, count))
    mostly_minority = rng.random(count) < 0.15
    ethnic_share = np.where(
        mostly_minority, rng.beta(4, 2, count), rng.beta(0.6, 12, count)
    ).astype(np.float64)
    effect = rng.normal(0, COMMUNE_SD, count)
    village_counts, village_effect, village_share = _draw_villages(rng, sizes, ethnic_share)
    return _Communes(
        urban=urban,
        sizes=sizes.astype(np.int64),
        effect=effect,
        ethnic_share=ethnic_share,
        village_counts=village_counts,
        village_effect=village_effect,
        village_ethnic_share=village_share,
    )


def _assemble(
    *,
    codes: list[str],
    names: list[str],
    urban: BoolArray,
    effect: FloatArray,
    households: IntArray,
    span: IntArray,
    village_counts: IntArray,
    village_effect: FloatArray,
    village_ethnic_share: FloatArray,
) -> Geography:
    starts = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(households, out=starts[1:])
    village_starts = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(village_counts, out=village_starts[1:])
    return Geography(
        codes=codes,
        names=names,
        urban=urban,
        effect=effect,
        starts=starts,
        span=span,
        village_counts=village_counts,
        village_starts=village_starts,
        village_effect=village_effect,
        village_ethnic_share=village_ethnic_share,
    )


COMMUNE_BATCH = 256


def generic_geography(households: int, seed: int) -> Geography:
    """A made-up country cut into communes, enough for ``households`` households.

    Communes are drawn in batches of :data:`COMMUNE_BATCH` from one stream, so the
    geography of a smaller population is a prefix of that of a larger one. Codes are
    ``"X"`` + 5 digits (``X00001``…), never a real GSO code; names are "Xã tổng hợp n"
    (rural) or "Phường tổng hợp n" (urban).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    batches: list[_Communes] = []
    total = 0
    while total < households:
        batch = _commune_batch(rng, COMMUNE_BATCH)
        batches.append(batch)
        total += int(batch.sizes.sum())
    urban = np.concatenate([b.urban for b in batches])
    span = np.concatenate([b.sizes for b in batches])
    ends = np.cumsum(span)
    count = int(np.searchsorted(ends, households, side="left")) + 1
    urban, span = urban[:count], span[:count]
    sizes = span.copy()
    sizes[-1] -= int(ends[count - 1]) - households
    village_counts = np.concatenate([b.village_counts for b in batches])[:count]
    villages = int(village_counts.sum())
    digits = max(5, len(str(count)))
    numbers = range(1, count + 1)
    return _assemble(
        codes=[f"X{c:0{digits}d}" for c in numbers],
        names=[
            (f"Phường tổng hợp {c}" if u else f"Xã tổng hợp {c}")
            for c, u in zip(numbers, urban.tolist(), strict=True)
        ],
        urban=urban,
        effect=np.concatenate([b.effect for b in batches])[:count],
        households=sizes,
        span=span,
        village_counts=village_counts,
        village_effect=np.concatenate([b.village_effect for b in batches])[:villages],
        village_ethnic_share=np.concatenate([b.village_ethnic_share for b in batches])[:villages],
    )


def with_villages(
    rng: np.random.Generator,
    *,
    codes: list[str],
    names: list[str],
    urban: BoolArray,
    effect: FloatArray,
    ethnic_share: FloatArray,
    sizes: IntArray,
) -> Geography:
    """A geography of given communes (a preset), with villages drawn for them."""
    village_counts, village_effect, village_share = _draw_villages(rng, sizes, ethnic_share)
    return _assemble(
        codes=codes,
        names=names,
        urban=urban,
        effect=effect,
        households=sizes,
        span=sizes,
        village_counts=village_counts,
        village_effect=village_effect,
        village_ethnic_share=village_share,
    )


@dataclass
class HouseholdDraw:
    """The arrays of one block of households, before they become a table."""

    commune: IntArray  # index into the geography
    number: IntArray  # 1-based number inside the commune
    village: IntArray  # 0-based village index inside the commune
    urban: BoolArray
    ethnic_minority: BoolArray
    wellbeing: FloatArray
    size: IntArray
    income: IntArray
    deprivations: npt.NDArray[np.int8]


def locate(geography: Geography, start: int, stop: int) -> tuple[IntArray, IntArray, IntArray]:
    """Commune index, number inside the commune and village index of households start…stop−1."""
    return locate_index(geography, np.arange(start, stop, dtype=np.int64))


def locate_index(geography: Geography, index: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """:func:`locate` for an array of household positions."""
    commune = np.searchsorted(geography.starts, index, side="right") - 1
    offset = index - geography.starts[commune]
    village = offset * geography.village_counts[commune] // geography.span[commune]
    return commune, offset + 1, village


def village_index(geography: Geography, commune: IntArray, village: IntArray) -> IntArray:
    """Index into the per-village arrays of each household's village."""
    return geography.village_starts[commune] + village


def draw_block(
    geography: Geography,
    standard: Standard,
    seed: int,
    block: int,
    locations: Mapping[str, float],
) -> HouseholdDraw:
    """Households of one block, from their own random stream.

    A short last block is drawn at full length and cut, so that every household's draws
    depend only on the seed and its position (a smaller population is a prefix).
    """
    start = block * BLOCK
    stop = min(start + BLOCK, geography.households)
    # One stream per quantity: Poisson draws use a varying amount of randomness, which
    # must not shift the other quantities' streams.
    streams = np.random.SeedSequence([seed, 1, block]).spawn(5)
    rng_ethnic, rng_wellbeing, rng_size, rng_income, rng_deprivation = (
        np.random.default_rng(stream) for stream in streams
    )
    positions = np.minimum(np.arange(start, start + BLOCK, dtype=np.int64), stop - 1)
    commune, number, village = locate_index(geography, positions)
    n = BLOCK
    urban = geography.urban[commune]
    villages = village_index(geography, commune, village)
    ethnic_minority = rng_ethnic.random(n) < geography.village_ethnic_share[villages]
    wellbeing = (
        geography.effect[commune]
        + geography.village_effect[villages]
        + BETA_ETHNIC_MINORITY * ethnic_minority
        + BETA_URBAN * urban
        + rng_wellbeing.standard_normal(n)
    )
    size = draw_size(rng_size, wellbeing, ethnic_minority)
    location = np.where(urban, locations["urban"], locations["rural"])
    income = draw_income(rng_income, wellbeing, size, location)
    deprivations = draw_deprivations(
        rng_deprivation, wellbeing, size, standard.indicator_keys, deprivation_thresholds(standard)
    )
    rows = stop - start
    return HouseholdDraw(
        commune=commune[:rows],
        number=number[:rows],
        village=village[:rows],
        urban=urban[:rows],
        ethnic_minority=ethnic_minority[:rows],
        wellbeing=wellbeing[:rows],
        size=size[:rows],
        income=income[:rows],
        deprivations=deprivations[:rows],
    )


def _fixed_width_strings(parts: Sequence[npt.NDArray[np.uint8]], rows: int) -> pa.Array[Any]:
    """A string array from per-row fixed-width ASCII byte columns, built without Python loops."""
    data = np.concatenate([p.reshape(rows, -1) for p in parts], axis=1)
    width = data.shape[1]
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        rows, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(data).tobytes())
    )


def _digits(values: IntArray, width: int) -> npt.NDArray[np.uint8]:
    out = np.empty((values.shape[0], width), dtype=np.uint8)
    rest = values.astype(np.int32 if width <= 9 else np.int64)
    for position in range(width - 1, -1, -1):
        out[:, position] = rest % 10 + ord("0")
        rest = rest // 10
    return out


def build_table(geography: Geography, standard: Standard, draw: HouseholdDraw) -> pa.RecordBatch:
    """The record batch of one block, in :func:`schema` order."""
    rows = draw.commune.shape[0]
    code_width = len(geography.codes[0]) if geography.codes else 0
    code_bytes = np.frombuffer("".join(geography.codes).encode("ascii"), dtype=np.uint8)
    code_matrix = code_bytes.reshape(len(geography.codes), code_width)[draw.commune]
    largest = int(np.max(geography.span)) if len(geography.codes) else 1
    number_width = max(5, len(str(largest)))
    dash = np.full((rows, 1), ord("-"), dtype=np.uint8)
    household_id = _fixed_width_strings(
        [code_matrix, dash, _digits(draw.number, number_width)], rows
    )
    commune_code = _fixed_width_strings([code_matrix], rows)

    used = np.unique(draw.commune)
    local = np.searchsorted(used, draw.commune)
    commune_name = pa.array([geography.names[c] for c in used.tolist()], pa.string()).take(local)
    village_names: list[str] = []
    village_offsets = [0]
    for c in used.tolist():
        names = _village_names(bool(geography.urban[c]), int(geography.village_counts[c]))
        village_names += names
        village_offsets.append(len(village_names))
    village_index = np.array(village_offsets[:-1], dtype=np.int64)[local] + draw.village
    village = pa.array(village_names, pa.string()).take(village_index)
    area = pa.array(["rural", "urban"], pa.string()).take(draw.urban.astype(np.int8))

    columns: list[Any] = [
        household_id,
        commune_code,
        commune_name,
        village,
        area,
        pa.array(draw.ethnic_minority.astype(np.int8)),
        pa.array(draw.size.astype(np.int8)),
        pa.array(draw.income),
    ]
    columns += [
        pa.array(np.ascontiguousarray(draw.deprivations[:, j]))
        for j in range(draw.deprivations.shape[1])
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema(standard))


def generate_blocks(
    geography: Geography, standard: Standard, seed: int
) -> Iterator[pa.RecordBatch]:
    """Every block of the population, in order."""
    locations = {area: income_location(standard, area) for area in ("rural", "urban")}
    blocks = -(-geography.households // BLOCK)
    for block in range(blocks):
        draw = draw_block(geography, standard, seed, block, locations)
        yield build_table(geography, standard, draw)
