"""The floor: read the input and write as many output columns, without classifying.

    python bench/classify/floor.py INPUT.parquet OUTPUT.parquet

Same reader, writer, threads and column types as ``giamngheo classify``; the six result
columns are the household id and constants, so what is left out is exactly the classification.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from giamngheo.core.standards import get_standard
from giamngheo.core.standards.batch import (
    _ParquetSink,
    _prefetch,
    open_source,
    output_schema,
)
from giamngheo.core.standards.headings import resolve_columns

STANDARD = "ND07-2021"


def main(src: str, dst: str) -> None:
    std = get_standard(STANDARD)
    source = open_source(Path(src), std)
    cols = resolve_columns(source.schema.names, std)
    id_heading = cols.fields["household_id"]
    sink: _ParquetSink | None = None
    const = {
        "standard": pa.array([STANDARD]),
        "classification": pa.array(["non_poor"]),
        "poor_basis": pa.array([""]),
        "deprived": pa.array([""]),
    }
    for batch, _ in _prefetch(source.batches):
        n = batch.num_rows
        zeros8: Any = pa.array(np.zeros(n, dtype=np.int8))
        zeros16: Any = pa.array(np.zeros(n, dtype=np.int16))
        columns = [
            batch.column(id_heading),
            pa.DictionaryArray.from_arrays(zeros8, const["standard"]),
            pa.DictionaryArray.from_arrays(zeros8, const["classification"]),
            pa.DictionaryArray.from_arrays(zeros8, const["poor_basis"]),
            zeros8,
            pa.DictionaryArray.from_arrays(zeros16, const["deprived"]),
        ]
        names = [
            "household_id",
            "standard",
            "classification",
            "poor_basis",
            "deprivation_count",
            "deprived",
        ]
        for name, col in zip(batch.schema.names, batch.columns, strict=True):
            if name != "household_id":
                columns.append(col)
                names.append(name)
        out = pa.RecordBatch.from_arrays(columns, names=names)
        if sink is None:
            sink = _ParquetSink(Path(dst), out.schema)
        sink.write(out)
    if sink is None:
        sink = _ParquetSink(Path(dst), output_schema(source.schema, std))
    sink.close()
    source.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
