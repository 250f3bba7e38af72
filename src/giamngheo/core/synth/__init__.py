"""Synthetic households in the canonical schema, for demos, tests and benchmarks.

Public API::

    from giamngheo.core.synth import generate, generate_table, ngoc_hoi_2019, write
    for batch in generate(1_000_000, seed=7, standard="ND07-2021"):  # pyarrow RecordBatches
        ...
    write(generate(10_000_000, seed=7), "households.parquet")      # streamed, bounded memory
    table = ngoc_hoi_2019(seed=1)   # Ngọc Hồi 2019, exact to the seed plan's columns 1-3

Columns (:func:`schema`): ``household_id, commune_code, commune_name, village, area,
ethnic_minority, household_size, income, dep_<key>…`` for the standard's indicators.
The model is described in :mod:`giamngheo.core.synth.model`, the preset's exactness in
:mod:`giamngheo.core.synth.ngoc_hoi`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from giamngheo.core.standards import Standard, resolve_standard
from giamngheo.core.synth.history import ngoc_hoi_history as ngoc_hoi_history
from giamngheo.core.synth.model import BLOCK, PREVALENCE, generate_blocks, generic_geography
from giamngheo.core.synth.ngoc_hoi import (
    CommuneTarget,
    SynthError,
    classify_counts,
    ngoc_hoi_2019,
    ngoc_hoi_2019_targets,
)
from giamngheo.core.synth.output import XLSX_MAX_ROWS, OutputError, output_format, write

__all__ = [
    "BLOCK",
    "PRESETS",
    "PREVALENCE",
    "XLSX_MAX_ROWS",
    "CommuneTarget",
    "OutputError",
    "SynthError",
    "classify_counts",
    "generate",
    "generate_table",
    "ngoc_hoi_2019",
    "ngoc_hoi_2019_targets",
    "output_format",
    "preset",
    "schema",
    "write",
]

DEFAULT_STANDARD = "QD59-2015"
PRESETS = {("ngoc-hoi", 2019): "QD59-2015"}
"""Presets by (district, year), with the standard each one is built for."""


def _standard(standard: str | Standard) -> Standard:
    return standard if isinstance(standard, Standard) else resolve_standard(standard)


def schema(standard: str | Standard = DEFAULT_STANDARD) -> pa.Schema:
    """The columns of a synthetic table for this standard."""
    from giamngheo.core.synth.model import schema as model_schema

    return model_schema(_standard(standard))


def generate(
    households: int, seed: int = 1, standard: str | Standard = DEFAULT_STANDARD
) -> Iterator[pa.RecordBatch]:
    """Stream ``households`` synthetic households as record batches of up to :data:`BLOCK` rows.

    Args:
        households: how many (0 or more).
        seed: the same seed and count give the same rows, whatever the consumer does.
        standard: a standard id or a standard file (its indicators make the ``dep_``
            columns and its lines place the incomes).
    """
    if households < 0:
        raise ValueError("the number of households cannot be negative")
    std = _standard(standard)
    if households == 0:
        return iter(())
    return generate_blocks(generic_geography(households, seed), std, seed)


def generate_table(
    households: int, seed: int = 1, standard: str | Standard = DEFAULT_STANDARD
) -> pa.Table:
    """:func:`generate` collected into one table (for small populations)."""
    std = _standard(standard)
    return pa.Table.from_batches(list(generate(households, seed, std)), schema=schema(std))


def preset(district: str, year: int, seed: int = 1) -> pa.Table:
    """A named preset: ``("ngoc-hoi", 2019)`` is :func:`ngoc_hoi_2019`."""
    if (district, year) not in PRESETS:
        known = ", ".join(f"{d} {y}" for d, y in PRESETS)
        raise ValueError(f"no preset for {district} {year} (known: {known})")
    return ngoc_hoi_2019(seed)
