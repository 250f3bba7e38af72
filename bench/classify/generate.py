"""Input files for the classification benchmark: N synthetic households in Parquet.

Uses the project's synthetic population (``giamngheo.core.synth``) when it is importable, else
a small numpy generator with the same canonical columns (household_id, area, income, dep_*).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as _pc
import pyarrow.parquet as pq

pc: Any = _pc  # the stubs' overloads do not follow scalar arguments
STANDARD = "ND07-2021"
BLOCK = 1 << 16


def numpy_batches(households: int, seed: int = 7) -> Iterator[pa.RecordBatch]:
    """Canonical households: about 35 % urban, log-normal incomes around the ND07 lines, and
    deprivations more likely at low incomes."""
    from giamngheo.core.standards import get_standard

    std = get_standard(STANDARD)
    rng = np.random.default_rng(seed)
    for start in range(0, households, BLOCK):
        n = min(BLOCK, households - start)
        urban = rng.random(n) < 0.35
        median = np.where(urban, 4_200_000, 3_000_000)
        income = np.round(median * rng.lognormal(0.0, 0.6, n), -3).astype(np.int64)
        poorness = 1.0 / (1.0 + income / np.where(urban, 2_000_000, 1_500_000))
        ids = pc.binary_join_element_wise(
            "HH",
            pc.utf8_lpad(pc.cast(pa.array(np.arange(start, start + n)), pa.string()), 9, "0"),
            "",
        )
        columns = {
            "household_id": ids,
            "area": pa.array(np.where(urban, "urban", "rural")),
            "income": pa.array(income),
        }
        for i, col in enumerate(std.deprivation_columns):
            p = np.clip(poorness * (0.15 + 0.05 * (i % 4)), 0, 1)
            columns[col] = pa.array((rng.random(n) < p).astype(np.int8))
        yield pa.RecordBatch.from_pydict(columns)


def ensure_input(path: Path, households: int, generator: str = "synth", seed: int = 7) -> str:
    """Write ``households`` synthetic households to ``path`` unless it is already there.

    Returns which generator made the file.
    """
    marker = path.with_suffix(".generator")
    if path.exists() and marker.exists():
        return marker.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    used = generator
    if generator == "synth":
        try:
            from giamngheo.core.synth import generate, write

            write(generate(households, seed=seed, standard=STANDARD), path)
        except ImportError:
            used = "numpy"
    if used == "numpy":
        batches = numpy_batches(households, seed)
        first = next(batches)
        with pq.ParquetWriter(path, first.schema, compression="zstd") as writer:
            writer.write_batch(first)
            for batch in batches:
                writer.write_batch(batch)
    marker.write_text(used + "\n")
    print(
        f"  generated {path.name} ({households:,} households, {used}) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return used
