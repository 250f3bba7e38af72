"""Writing household tables to CSV, Parquet or XLSX, chunk by chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = ["FORMATS", "XLSX_MAX_ROWS", "OutputError", "output_format", "write"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
UNIQUE_COLUMNS = frozenset({"household_id", "income"})
XLSX_MAX_ROWS = 200_000
"""XLSX is for people, not for volume: larger tables must go to CSV or Parquet."""


class OutputError(ValueError):
    """The output path or size cannot be written."""


def output_format(path: str | Path) -> str:
    """``csv``, ``parquet`` or ``xlsx`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise OutputError(f"unknown output format {suffix or '(none)'!r}: use one of {known}")
    return FORMATS[suffix]


def write(
    source: pa.Table | Iterable[pa.RecordBatch],
    path: str | Path,
    *,
    schema: pa.Schema | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write record batches to ``path`` in the format its extension names.

    Memory stays bounded by one batch for CSV and Parquet. XLSX takes at most
    :data:`XLSX_MAX_ROWS` rows.

    Args:
        source: a table or an iterable of record batches (all of one schema).
        path: ``.csv``, ``.parquet`` (or ``.pq``) or ``.xlsx``.
        schema: the schema, when ``source`` may be empty.
        progress: called with the number of rows written so far after each batch.

    Returns:
        The number of rows written.
    """
    kind = output_format(path)
    batches: Iterable[pa.RecordBatch]
    if isinstance(source, pa.Table):
        schema = schema or source.schema
        batches = source.to_batches(max_chunksize=1 << 16)
    else:
        batches = source
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None and schema is None:
        raise OutputError("nothing to write and no schema given")
    schema = schema or first.schema  # type: ignore[union-attr]

    def all_batches() -> Iterable[pa.RecordBatch]:
        if first is not None:
            yield first
        yield from iterator

    if kind == "xlsx":
        return _write_xlsx(all_batches(), Path(path), schema, progress)
    rows = 0
    if kind == "parquet":
        # Dictionary-encoding unique ids and incomes costs time and saves nothing. (pyarrow
        # takes a list of column names here; its stubs only say bool.)
        dictionary = [name for name in schema.names if name not in UNIQUE_COLUMNS]
        with pq.ParquetWriter(
            str(path),
            schema,
            compression="zstd",
            use_dictionary=dictionary,  # type: ignore[arg-type]
        ) as writer:
            for batch in all_batches():
                writer.write_batch(batch)
                rows += batch.num_rows
                if progress:
                    progress(rows)
    else:
        with pa_csv.CSVWriter(str(path), schema) as csv_writer:
            for batch in all_batches():
                csv_writer.write_batch(batch)
                rows += batch.num_rows
                if progress:
                    progress(rows)
    return rows


def _write_xlsx(
    batches: Iterable[pa.RecordBatch],
    path: Path,
    schema: pa.Schema,
    progress: Callable[[int], None] | None,
) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("households")
    sheet.append(list(schema.names))
    rows = 0
    for batch in batches:
        if rows + batch.num_rows > XLSX_MAX_ROWS:
            raise OutputError(
                f"XLSX holds at most {XLSX_MAX_ROWS:,} households here: write CSV or Parquet"
            )
        columns = [column.to_pylist() for column in batch.columns]
        for values in zip(*columns, strict=True):
            sheet.append(list(values))
        rows += batch.num_rows
        if progress:
            progress(rows)
    workbook.save(path)
    return rows
