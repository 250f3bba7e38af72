"""Batch classification: columnar (pyarrow + numpy), streaming, bounded memory.

``classify_batch`` classifies one ``pyarrow.RecordBatch`` with vectorised code; it agrees with
``classify_household`` on every row (property-tested). Rows that cannot be classified are left
out of the output batch and described, with their row number, by running the per-household
validator on those rows only, so the messages are the same in both paths.

``classify_file`` streams a CSV, XLSX or Parquet file through ``classify_batch`` into a CSV,
XLSX or Parquet file, and writes the rejected rows beside it (``<output>.rejected.csv``).
Memory depends on the batch size (and, for Parquet input, on its row-group size), not on the
number of rows.
"""

from __future__ import annotations

import contextlib
import csv
import os
import queue
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as _pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from giamngheo.core.standards.classify import (
    GROUPED_PATTERN,
    NUMBER_PATTERN,
    WHITESPACE,
    Parsed,
    is_blank,
    parse_record,
)
from giamngheo.core.standards.headings import (
    AmbiguousColumns,
    ColumnMap,
    area_value,
    resolve_columns,
)
from giamngheo.core.standards.model import (
    AREA,
    CLASSIFICATIONS,
    HOUSEHOLD_ID,
    INCOME,
    INCOME_SCORE,
    POOR_BASES,
    Standard,
)

# The pyarrow stubs' overloads do not follow numpy inputs and dictionary types; arrow calls go
# through these two Any-typed names, and the tests check the results.
pc: Any = _pc
_array: Any = pa.array
Arr = Any  # a pyarrow Array

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

RESULT_COLUMNS = (
    "household_id",
    "standard",
    "classification",
    "poor_basis",
    "deprivation_count",
    "deprived",
)
DISAGREEMENT_COLUMN = "income_score_disagreement"
REJECTED_COLUMNS = ("row", "household_id", "field", "message_vi", "message_en")
DEFAULT_BATCH_ROWS = 262_144
XLSX_MAX_ROWS = 1_048_576

_CLASS_CODE = {c: i for i, c in enumerate(CLASSIFICATIONS)}  # poor 0, near_poor 1, medium 2, …
_BASIS_CODE = {b: i for i, b in enumerate(POOR_BASES)}  # income 0, deprivation 1, "" 2
_NUMBER_RE2 = f"^{NUMBER_PATTERN}$"
_GROUPED_RE2 = f"^{GROUPED_PATTERN}$"


class InputError(Exception):
    """The input cannot be read (exit status 2)."""


class OutputError(Exception):
    """The output cannot be written."""


@dataclass(frozen=True)
class Rejection:
    row: int
    household_id: str
    field: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class BatchResult:
    """The classified rows of one input batch (output columns) and the rejected ones."""

    batch: pa.RecordBatch
    rejections: tuple[Rejection, ...]
    rejected_rows: int


# --------------------------------------------------------------------------------------------
# Vectorised parsing of one column. Every function mirrors a function of ``classify``.


def _np(arr: Arr) -> npt.NDArray[Any]:
    out: npt.NDArray[Any] = arr.to_numpy(zero_copy_only=False)
    return out


def _nulls(arr: Arr) -> BoolArray:
    if arr.null_count == 0:
        return np.zeros(len(arr), dtype=bool)
    return _np(arr.is_null())


def _decode(arr: Arr) -> Arr:
    if pa.types.is_dictionary(arr.type):
        return arr.cast(arr.type.value_type)
    return arr


def _is_string(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _blank(arr: Arr) -> BoolArray:
    """Mirror of ``is_blank``: null, or a string of white space only."""
    blank = _nulls(arr)
    if not _is_string(arr.type):
        return blank
    blank |= _np(pc.fill_null(pc.equal(pc.binary_length(arr), 0), False))
    # utf8_is_space is true for every non-empty white-space-only string (and for some more);
    # the few candidates are checked exactly.
    candidates = np.flatnonzero(_np(pc.fill_null(pc.utf8_is_space(arr), False)))
    if len(candidates):
        values = arr.take(_array(candidates)).to_pylist()
        blank[candidates] = [not v.strip(WHITESPACE) for v in values]
    return blank


def _numbers(arr: Arr) -> tuple[npt.NDArray[Any], BoolArray, BoolArray]:
    """Mirror of ``parse_number``: (values, missing, bad); bad includes negative numbers.

    Values are float64, or the column's own integers when it has no nulls."""
    arr = _decode(arr)
    n = len(arr)
    t = arr.type
    missing = _blank(arr)
    if pa.types.is_null(t):
        return np.zeros(n), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if pa.types.is_integer(t) and arr.null_count == 0:
        # Fast path (Parquet): compare the integers as they are; no copy.
        ints = _np(arr)
        if pa.types.is_signed_integer(t) and len(ints) and ints.min() < 0:
            return ints, missing, ints < 0
        return ints, missing, np.zeros(n, dtype=bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        if pa.types.is_decimal(t):
            arr = arr.cast(pa.float64())
        values = _np(pc.fill_null(arr, 0)).astype(np.float64, copy=False)
        with np.errstate(invalid="ignore"):
            bad = ~missing & ~(np.isfinite(values) & (values >= 0))
        return values, missing, bad
    if _is_string(t):
        grouped = _np(pc.fill_null(pc.match_substring_regex(arr, _GROUPED_RE2), False))
        number = _np(pc.fill_null(pc.match_substring_regex(arr, _NUMBER_RE2), False))
        ok = number & ~grouped & ~missing
        values = np.zeros(n)
        if ok.any():
            idx = np.flatnonzero(ok)
            candidates = pc.utf8_trim(arr.take(_array(idx)), WHITESPACE)
            try:
                parsed = _np(candidates.cast(pa.float64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                parsed = np.array([float(v) for v in candidates.to_pylist()])
            values[idx] = parsed
        with np.errstate(invalid="ignore"):
            bad = ~missing & ~(ok & np.isfinite(values) & (values >= 0))
        return values, missing, bad
    # Booleans, dates and anything else are not numbers.
    return np.zeros(n), missing, ~missing


def _flags(arr: Arr) -> tuple[npt.NDArray[np.uint8], BoolArray | None]:
    """Mirror of ``parse_flag``: (0/1 values, bad) where bad is blank or not 0/1; bad is None
    when every value is good."""
    arr = _decode(arr)
    t = arr.type
    n = len(arr)
    if pa.types.is_boolean(t):
        values = _np(pc.fill_null(arr, False)).view(np.uint8)
        return values, (_nulls(arr) if arr.null_count else None)
    if pa.types.is_integer(t) and arr.null_count == 0:
        v = _np(arr)
        if v.dtype.itemsize == 1:
            u = v.view(np.uint8)  # -1 becomes 255: one comparison finds every bad value
            return u, (u > 1 if n and u.max() > 1 else None)
        bad = (v < 0) | (v > 1) if pa.types.is_signed_integer(t) else v > 1
        return v.astype(np.uint8), (bad if bad.any() else None)
    values, missing, bad = _numbers(arr)
    flag_bad = missing | bad | ((values != 0) & (values != 1))
    out = np.zeros(n, dtype=np.uint8)
    out[values == 1] = 1
    return out, (flag_bad if flag_bad.any() else None)


def _areas(arr: Arr) -> npt.NDArray[np.int8]:
    """Area codes: 0 rural, 1 urban, -1 missing or unknown (mirror of ``parse_record``)."""
    n = len(arr)
    if pa.types.is_dictionary(arr.type) and _is_string(arr.type.value_type):
        dict_arr = arr
    elif _is_string(arr.type):
        dict_arr = pc.dictionary_encode(arr)
    else:
        return np.full(n, -1, dtype=np.int8)
    table = np.array(
        [
            -1
            if v is None or is_blank(v)
            else {"rural": 0, "urban": 1}.get(area_value(v) or "", -1)
            for v in dict_arr.dictionary.to_pylist()
        ]
        + [-1],
        dtype=np.int8,
    )
    indices = _np(pc.fill_null(dict_arr.indices, len(table) - 1))
    codes: npt.NDArray[np.int8] = table[indices]
    return codes


# --------------------------------------------------------------------------------------------
# Per-standard constants.


@dataclass(frozen=True)
class _Plan:
    standard: Standard
    deprived: Arr  # bitmask -> "key;key" (for up to 16 indicators)
    standard_dict: Arr
    popcount: npt.NDArray[np.uint8]  # bitmask -> number of deprivations (up to 16 indicators)


_PLANS: dict[int, _Plan] = {}


def _plan(standard: Standard) -> _Plan:
    hit = _PLANS.get(id(standard))
    if hit is not None and hit.standard is standard:
        return hit
    keys = standard.indicator_keys
    if len(keys) <= 16:
        masks = np.arange(1 << len(keys))
        deprived = _array(
            [";".join(k for i, k in enumerate(keys) if m >> i & 1) for m in masks.tolist()]
        )
    else:
        deprived = _array([], pa.string())
    width = min(len(keys), 16)
    popcount = np.zeros(1 << width, dtype=np.uint8)
    for bit in range(width):
        popcount += ((np.arange(1 << width) >> bit) & 1).astype(np.uint8)
    plan = _Plan(standard, deprived, _array([standard.id]), popcount)
    if len(_PLANS) > 32:
        _PLANS.clear()
    _PLANS[id(standard)] = plan
    return plan


def _popcount(mask: npt.NDArray[Any], width: int) -> npt.NDArray[np.uint8]:
    count = np.zeros(len(mask), dtype=np.uint8)
    for bit in range(width):
        count += ((mask >> bit) & 1).astype(np.uint8)
    return count


def _at_or_below(
    values: npt.NDArray[Any], area: npt.NDArray[np.int8], rural: int | None, urban: int | None
) -> npt.NDArray[np.uint8]:
    """1 where the value is at or below its area's line (or cut), else 0.

    A missing line is -1: no valid value (never negative) is at or below it. Rows with an
    invalid area (-1) take the last entry; they are rejected anyway."""
    r = -1 if rural is None else rural
    u = -1 if urban is None else urban
    line = np.array([r, u, r], dtype=np.int64)[area]
    out: npt.NDArray[np.uint8] = (values <= line).view(np.uint8)
    return out


def _code_tables(qd59: bool) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """Classification and basis codes for each 4-bit row code.

    Bits: 1 deprivations >= cutoff (or score B >= its minimum); 2 income at or below the
    near-poverty line (score at or below the near-poor cut); 4 income at or below the medium
    bound; 8 income at or below the poverty line (score at or below the poor cut), QD59 only.
    """
    cls = np.empty(16, dtype=np.int8)
    basis = np.empty(16, dtype=np.int8)
    for code in range(16):
        many, near, medium, poor = code & 1, code & 2, code & 4, code & 8
        if poor and qd59:
            cls[code], basis[code] = _CLASS_CODE["poor"], _BASIS_CODE["income"]
        elif near:
            cls[code] = _CLASS_CODE["poor" if many else "near_poor"]
            basis[code] = _BASIS_CODE["deprivation" if many and qd59 else ""]
        elif medium:
            cls[code], basis[code] = _CLASS_CODE["medium"], _BASIS_CODE[""]
        else:
            cls[code], basis[code] = _CLASS_CODE["non_poor"], _BASIS_CODE[""]
    return cls, basis


# Poverty status for comparing income with score: medium counts as non-poor.
_STATUS = np.array(
    [_CLASS_CODE[c if c != "medium" else "non_poor"] for c in CLASSIFICATIONS], dtype=np.int8
)


def _dict_array(indices: npt.NDArray[Any], dictionary: Arr) -> Arr:
    return pa.DictionaryArray.from_arrays(_array(indices), dictionary)


_CLASS_DICT = _array(list(CLASSIFICATIONS))
_BASIS_DICT = _array(list(POOR_BASES))


def output_schema(input_schema: pa.Schema, standard: Standard) -> pa.Schema:
    """The output columns for an input schema: results, then the input columns."""
    cols = resolve_columns(input_schema.names, standard)
    n = len(standard.indicators)
    idx = pa.int16() if n <= 15 else pa.int32()
    fields = [
        pa.field("household_id", pa.string()),
        pa.field("standard", pa.dictionary(pa.int8(), pa.string())),
        pa.field("classification", pa.dictionary(pa.int8(), pa.string())),
        pa.field("poor_basis", pa.dictionary(pa.int8(), pa.string())),
        pa.field("deprivation_count", pa.int8()),
        pa.field("deprived", pa.dictionary(idx, pa.string()) if n <= 16 else pa.string()),
    ]
    for name, f in zip(_passthrough_names(input_schema.names, cols), input_schema, strict=True):
        if name is not None:
            fields.append(pa.field(name, f.type))
    if _has_disagreement(cols, standard):
        fields.append(pa.field(DISAGREEMENT_COLUMN, pa.bool_()))
    return pa.schema(fields)


def _passthrough_names(names: Sequence[str], cols: ColumnMap) -> list[str | None]:
    """Output names of the input columns: None for the id column called ``household_id``
    (it is the first output column already), ``input_<name>`` for other clashes."""
    out: list[str | None] = []
    used = set(RESULT_COLUMNS) | {DISAGREEMENT_COLUMN} | set(names)
    clashes = set(RESULT_COLUMNS) | {DISAGREEMENT_COLUMN}
    for name in names:
        if name == HOUSEHOLD_ID and cols.fields.get(HOUSEHOLD_ID) == name:
            out.append(None)
        elif name in clashes:
            new = f"input_{name}"
            while new in used:
                new = f"input_{new}"
            used.add(new)
            out.append(new)
        else:
            out.append(name)
    return out


def _has_disagreement(cols: ColumnMap, standard: Standard) -> bool:
    return standard.score_rule is not None and INCOME in cols.fields and INCOME_SCORE in cols.fields


def _column(batch: pa.RecordBatch, cols: ColumnMap, field: str) -> Arr | None:
    heading = cols.fields.get(field)
    return None if heading is None else batch.column(heading)


def classify_batch(
    batch: pa.RecordBatch,
    standard: Standard,
    *,
    first_row: int = 1,
    row_numbers: npt.NDArray[np.int64] | None = None,
) -> BatchResult:
    """Classify every row of a record batch.

    Args:
        batch: input columns (canonical names or accepted Vietnamese headings).
        standard: the standard to apply.
        first_row: the row number of the batch's first row (rows count from 1).
        row_numbers: the row number of each row, instead of ``first_row`` + position.

    Returns:
        The classified rows as output columns (see ``output_schema``) and the rejections.
    """
    cols = resolve_columns(batch.schema.names, standard)
    plan = _plan(standard)
    n = batch.num_rows
    valid = np.ones(n, dtype=bool)

    id_arr = _column(batch, cols, HOUSEHOLD_ID)
    if id_arr is None:
        valid[:] = False
        ids = pa.nulls(n, pa.string())
    else:
        id_arr = _decode(id_arr)
        valid &= ~_blank(id_arr)
        ids = id_arr if _is_string(id_arr.type) else id_arr.cast(pa.string())
        if pa.types.is_large_string(ids.type):
            ids = ids.cast(pa.string())

    area_arr = _column(batch, cols, AREA)
    area = np.full(n, -1, dtype=np.int8) if area_arr is None else _areas(area_arr)
    valid &= area >= 0

    income_arr = _column(batch, cols, INCOME)
    if income_arr is None:
        income, income_missing = np.zeros(n), np.ones(n, dtype=bool)
    else:
        income, income_missing, income_bad = _numbers(income_arr)
        valid &= ~income_bad

    rule = standard.score_rule
    score_arr = _column(batch, cols, INCOME_SCORE)
    score_missing = np.ones(n, dtype=bool)
    score = np.zeros(n)
    if score_arr is not None:
        if rule is None:
            # No score rule: a score is ignored when there is an income, an error otherwise.
            valid &= ~(~_blank(_decode(score_arr)) & income_missing)
        else:
            score, score_missing, score_bad = _numbers(score_arr)
            valid &= ~score_bad
    neither = income_missing & score_missing
    if rule is None and score_arr is not None:
        neither &= _blank(_decode(score_arr))
    valid &= ~neither

    width = len(standard.indicators)
    mask_type = np.uint16 if width <= 16 else np.uint32 if width <= 32 else np.uint64
    mask: npt.NDArray[Any] = np.zeros(n, dtype=mask_type)
    shifted = np.empty(n, dtype=mask_type)
    for bit, ind in enumerate(standard.indicators):
        arr = _column(batch, cols, ind.column)
        if arr is None:
            valid[:] = False
            continue
        flag, bad = _flags(arr)
        if bad is not None:
            valid &= ~bad
            flag = np.bitwise_and(flag, 1, dtype=np.uint8)
        np.left_shift(flag, bit, out=shifted, dtype=mask_type)
        np.bitwise_or(mask, shifted, out=mask)
    count = plan.popcount[mask] if width <= 16 else _popcount(mask, width)
    for heading in cols.foreign:
        valid &= _blank(_decode(batch.column(heading)))

    # Classification: vectorised mirror of classify_by_income and classify_by_score. Each row
    # gets a 4-bit code (see _code_tables) looked up into classification and basis codes.
    qd59 = standard.rule == "qd59"
    cls_table, basis_table = _code_tables(qd59)
    many = (count >= standard.deprivation_cutoff).view(np.uint8)
    lines_r, lines_u = standard.lines["rural"], standard.lines["urban"]
    code = many.copy()
    code |= _at_or_below(income, area, lines_r.near_poverty, lines_u.near_poverty) << 1
    if lines_r.medium_upper is not None or lines_u.medium_upper is not None:
        code |= _at_or_below(income, area, lines_r.medium_upper, lines_u.medium_upper) << 2
    if qd59:
        code |= _at_or_below(income, area, lines_r.poverty, lines_u.poverty) << 3
    cls = cls_table[code]
    basis = basis_table[code]

    disagreement: BoolArray | None = None
    if rule is not None and score_arr is not None:
        has_score = ~score_missing
        cuts_r, cuts_u = rule.cuts["rural"], rule.cuts["urban"]
        points = count.astype(np.int64) * standard.points_per_deprivation
        s_code = (points >= rule.min_deprivation_score).view(np.uint8)
        s_code |= _at_or_below(score, area, cuts_r.near_poor, cuts_u.near_poor) << 1
        if cuts_r.poor is not None or cuts_u.poor is not None:
            s_code |= _at_or_below(score, area, cuts_r.poor, cuts_u.poor) << 3
        s_cls = cls_table[s_code]
        if income_arr is not None:
            disagreement = has_score & ~income_missing & (_STATUS[cls] != s_cls)
        cls = np.where(has_score, s_cls, cls)
        basis = np.where(has_score, basis_table[s_code], basis)
    if _has_disagreement(cols, standard) and disagreement is None:
        disagreement = np.zeros(n, dtype=bool)

    rejected = np.flatnonzero(~valid)
    rejections: tuple[Rejection, ...] = ()
    if len(rejected):
        rows = (
            row_numbers
            if row_numbers is not None
            else np.arange(first_row, first_row + n, dtype=np.int64)
        )
        rejections = _describe_rejections(batch, cols, standard, rejected, rows)

    if len(rejected):
        keep = _array(np.flatnonzero(valid))
        take: Callable[[Arr], Arr] = lambda a: a.take(keep)  # noqa: E731
        source = batch.take(keep)
        kept = valid
    else:
        take = lambda a: a  # noqa: E731
        source = batch
        kept = None

    def sel(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a if kept is None else a[kept]

    m = int(np.count_nonzero(valid))
    if len(plan.deprived):
        # The dictionary holds only the combinations this batch uses (a few hundred of the
        # 2**width), so each row group's dictionary page stays small.
        kept_mask = sel(mask)
        used = np.flatnonzero(np.bincount(kept_mask, minlength=1))
        remap = np.zeros(len(plan.deprived), dtype=np.int16 if width <= 15 else np.int32)
        remap[used] = np.arange(len(used))
        deprived: Arr = _dict_array(remap[kept_mask], plan.deprived.take(_array(used)))
    else:
        keys = standard.indicator_keys
        deprived = _array(
            [";".join(k for i, k in enumerate(keys) if v >> i & 1) for v in sel(mask).tolist()],
            pa.string(),
        )
    columns: list[Arr] = [
        take(ids),
        _dict_array(np.zeros(m, dtype=np.int8), plan.standard_dict),
        _dict_array(sel(cls), _CLASS_DICT),
        _dict_array(sel(basis), _BASIS_DICT),
        _array(sel(count).view(np.int8)),
        deprived,
    ]
    for name, col in zip(_passthrough_names(batch.schema.names, cols), source.columns, strict=True):
        if name is not None:
            columns.append(col)
    if disagreement is not None:
        columns.append(_array(sel(disagreement)))
    schema = output_schema(batch.schema, standard)
    return BatchResult(
        batch=pa.RecordBatch.from_arrays(columns, schema=schema),
        rejections=rejections,
        rejected_rows=len(rejected),
    )


def _describe_rejections(
    batch: pa.RecordBatch,
    cols: ColumnMap,
    standard: Standard,
    rejected: npt.NDArray[np.intp],
    rows: npt.NDArray[np.int64],
) -> tuple[Rejection, ...]:
    if not len(rejected):
        return ()
    out: list[Rejection] = []
    records = batch.take(_array(rejected)).to_pylist()
    for pos, record in zip(rejected.tolist(), records, strict=True):
        parsed = parse_record(record, standard, cols)
        if isinstance(parsed, Parsed):  # pragma: no cover - the property test guards this
            raise AssertionError(f"row {rows[pos]}: batch and per-household validation disagree")
        hid, errors = parsed
        for e in errors:
            out.append(Rejection(int(rows[pos]), hid, e.field, e.message_vi, e.message_en))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Files.

Format = Literal["csv", "parquet", "xlsx"]


def file_format(path: str | Path) -> Format:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".xlsx":
        return "xlsx"
    raise ValueError(
        f"Không đọc/ghi được định dạng {suffix or '(không có đuôi)'}; dùng .csv, .xlsx hoặc"
        f" .parquet / unsupported format {suffix or '(no extension)'}: use .csv, .xlsx or .parquet"
    )


def rejected_path(output: str | Path) -> Path:
    """Where the rejected rows of ``output`` go: ``out.parquet`` -> ``out.rejected.csv``."""
    p = Path(output)
    return p.with_name(p.stem + ".rejected.csv")


@dataclass
class Source:
    """An input read as record batches, with the row number of each batch's rows."""

    schema: pa.Schema
    batches: Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]
    total: int  # for progress: rows or bytes
    unit: Literal["rows", "bytes"]
    position: Callable[[], int]  # progress so far, in ``unit``
    close: Callable[[], None] = lambda: None
    rejections: list[Rejection] = field(default_factory=list)  # rows unreadable as records


def open_source(
    path: str | Path, standard: Standard, *, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Source:
    """Open an input file for streaming.

    Raises:
        InputError: the file is missing, of an unknown format or unreadable.
    """
    p = Path(path)
    try:
        fmt = file_format(p)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if not p.is_file():
        raise InputError(f"Không tìm thấy tệp {p} / no such file: {p}")
    try:
        if fmt == "parquet":
            return _parquet_source(p, standard, batch_rows)
        if fmt == "csv":
            return _csv_source(p, batch_rows)
        return _xlsx_source(p, batch_rows)
    except InputError:
        raise
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:
        raise InputError(f"Không đọc được {p} / cannot read {p}: {exc}") from exc


def _dictionary_encoded(pf: pq.ParquetFile) -> list[str]:
    """String columns stored with a small dictionary (communes, villages, areas…).

    Reading them as dictionary arrays skips building one string per row, and they are written
    back as dictionaries. A column counts when, in the first row group, its dictionary page is
    at most a quarter of the column chunk (unique ids fail this test and are read as strings).
    """
    if pf.metadata.num_row_groups == 0:
        return []
    group = pf.metadata.row_group(0)
    out = []
    for i, f in enumerate(pf.schema_arrow):
        if not _is_string(f.type) or i >= group.num_columns:
            continue
        chunk = group.column(i)
        start = chunk.dictionary_page_offset
        if chunk.path_in_schema != f.name or not chunk.has_dictionary_page or start is None:
            continue
        if (chunk.data_page_offset - start) * 4 <= chunk.total_compressed_size:
            out.append(f.name)
    return out


def _parquet_source(path: Path, standard: Standard, batch_rows: int) -> Source:
    probe = pq.ParquetFile(path)
    read_dictionary = _dictionary_encoded(probe)
    area = resolve_columns(probe.schema_arrow.names, standard).fields.get(AREA)
    if (
        area is not None
        and area not in read_dictionary
        and _is_string(probe.schema_arrow.field(area).type)
    ):
        read_dictionary.append(area)
    probe.close()
    pf = pq.ParquetFile(path, read_dictionary=read_dictionary or None)
    done = [0]

    def batches() -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
        for b in pf.iter_batches(batch_size=batch_rows, use_threads=True):
            done[0] += b.num_rows
            yield b, None

    return Source(
        schema=pf.schema_arrow,
        batches=batches(),
        total=pf.metadata.num_rows,
        unit="rows",
        position=lambda: done[0],
        close=pf.close,
    )


class _MalformedCsv(Exception):
    """A CSV row has the wrong number of fields: the fast reader cannot number rows exactly."""


def _csv_header(path: Path) -> tuple[list[str], str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    if not first.strip():
        raise InputError(f"Tệp CSV {path} không có dòng tiêu đề / CSV {path} has no header line")
    delimiter = max((",", ";", "\t"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"Cột trùng tên / duplicate column names: {dup}")
    return header, delimiter


def _open_csv_reader(
    fh: Any,
    header: list[str],
    delimiter: str,
    on_invalid: Callable[[pacsv.InvalidRow], Literal["skip", "error"]],
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        fh,
        read_options=pacsv.ReadOptions(block_size=8 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )


def _csv_source(path: Path, batch_rows: int) -> Source:
    header, delimiter = _csv_header(path)
    size = path.stat().st_size
    fh = path.open("rb")
    malformed: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> Literal["skip", "error"]:
        malformed.append(row.text)
        return "error"

    try:
        reader = _open_csv_reader(fh, header, delimiter, on_invalid)
    except pa.ArrowInvalid as exc:
        fh.close()
        if malformed:
            raise _MalformedCsv(malformed[0]) from exc
        raise
    schema = reader.schema

    def batches() -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
        row = 1
        while True:
            try:
                b = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                if malformed:
                    raise _MalformedCsv(malformed[0]) from exc
                raise InputError(f"Không đọc được {path} / cannot read {path}: {exc}") from exc
            rows = np.arange(row, row + b.num_rows, dtype=np.int64)
            row += b.num_rows
            yield from _drop_empty_rows(b, rows, batch_rows)

    return Source(
        schema=schema,
        batches=batches(),
        total=size,
        unit="bytes",
        position=lambda: fh.tell() if not fh.closed else size,
        close=fh.close,
    )


def _drop_empty_rows(
    b: pa.RecordBatch, rows: npt.NDArray[np.int64], batch_rows: int
) -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
    """Split into batches of ``batch_rows`` and leave out rows where every cell is blank
    (blank lines are not households; they keep their row number)."""
    if b.num_columns and b.num_rows:
        empty = np.ones(b.num_rows, dtype=bool)
        for col in b.columns:
            empty &= _blank(col)
            if not empty.any():
                break
        if empty.any():
            keep = np.flatnonzero(~empty)
            b, rows = b.take(_array(keep)), rows[keep]
    for start in range(0, b.num_rows, batch_rows):
        yield b.slice(start, batch_rows), rows[start : start + batch_rows]


def _csv_python_source(path: Path, batch_rows: int) -> Source:
    """Slow but exact CSV reader (Python's csv module), used when a row is malformed."""
    header, delimiter = _csv_header(path)
    size = path.stat().st_size
    fh = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(fh, delimiter=delimiter)
    next(reader)
    schema = pa.schema([pa.field(h, pa.string()) for h in header])
    rejections: list[Rejection] = []
    width = len(header)

    def batches() -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        for number, record in enumerate(reader, start=1):
            if not record or all(not c.strip(WHITESPACE) for c in record):
                continue
            if len(record) != width:
                rejections.append(
                    Rejection(
                        number,
                        record[0] if record else "",
                        "(row)",
                        f"dòng có {len(record)} ô, cần {width}: {delimiter.join(record)[:200]}",
                        f"the row has {len(record)} fields, {width} expected:"
                        f" {delimiter.join(record)[:200]}",
                    )
                )
                continue
            rows.append(list(record))
            numbers.append(number)
            if len(rows) >= batch_rows:
                yield _string_batch(schema, rows), np.array(numbers, dtype=np.int64)
                rows, numbers = [], []
        if rows:
            yield _string_batch(schema, rows), np.array(numbers, dtype=np.int64)

    raw: Any = fh.buffer

    def position() -> int:
        return size if fh.closed else raw.tell()

    return Source(
        schema=schema,
        batches=batches(),
        total=size,
        unit="bytes",
        position=position,
        close=fh.close,
        rejections=rejections,
    )


def _string_batch(schema: pa.Schema, rows: list[list[str | None]]) -> pa.RecordBatch:
    columns = [_array([r[i] for r in rows], pa.string()) for i in range(len(schema))]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _cell_text(value: object) -> str | None:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _xlsx_source(path: Path, batch_rows: int) -> Source:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"Không đọc được {path} / cannot read {path}: {exc}") from exc
    ws = wb.active
    if ws is None:
        raise InputError(f"Tệp {path} không có trang tính / {path} has no worksheet")
    it = ws.iter_rows(values_only=True)
    try:
        header_row = next(it)
    except StopIteration:
        wb.close()
        raise InputError(f"Tệp {path} trống / {path} is empty") from None
    header = [str(h) if h is not None else "" for h in header_row]
    while header and header[-1] == "":
        header.pop()
    if not header or "" in header:
        wb.close()
        raise InputError(f"Dòng tiêu đề có ô trống / the header row has a blank cell: {header}")
    if len(set(header)) != len(header):
        wb.close()
        raise InputError(f"Cột trùng tên / duplicate column names: {header}")
    schema = pa.schema([pa.field(h, pa.string()) for h in header])
    width = len(header)
    total = max((ws.max_row or 1) - 1, 0)
    done = [0]

    def batches() -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        for number, values in enumerate(it, start=1):
            done[0] = number
            cells = [_cell_text(v) for v in values[:width]]
            cells += [None] * (width - len(cells))
            if all(c is None or not c.strip(WHITESPACE) for c in cells):
                continue
            rows.append(cells)
            numbers.append(number)
            if len(rows) >= batch_rows:
                yield _string_batch(schema, rows), np.array(numbers, dtype=np.int64)
                rows, numbers = [], []
        if rows:
            yield _string_batch(schema, rows), np.array(numbers, dtype=np.int64)

    return Source(
        schema=schema,
        batches=batches(),
        total=total,
        unit="rows",
        position=lambda: done[0],
        close=wb.close,
    )


class Sink(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...
    def close(self) -> None: ...


class _ParquetSink:
    """Snappy-compressed Parquet. Dictionary columns stay dictionaries; other columns are not
    dictionary-encoded (unique ids would only be hashed in vain). Min/max statistics are kept
    for numeric and boolean columns; for text they cost more than the whole classification."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        dict_cols = [f.name for f in schema if pa.types.is_dictionary(f.type)]
        stats = [
            f.name
            for f in schema
            if pa.types.is_integer(f.type)
            or pa.types.is_floating(f.type)
            or pa.types.is_boolean(f.type)
        ]
        use_dictionary: Any = dict_cols or False  # the stubs say bool; a list is documented
        write_statistics: Any = stats or False
        self.writer = pq.ParquetWriter(
            path,
            schema,
            compression="snappy",
            use_dictionary=use_dictionary,
            write_statistics=write_statistics,
        )

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self.writer.write_batch(batch)

    def close(self) -> None:
        self.writer.close()


def _plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Dictionary columns decoded, for writers without dictionary support."""
    if not any(pa.types.is_dictionary(t) for t in batch.schema.types):
        return batch
    arrays = [_decode(c) for c in batch.columns]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [
            pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f
            for f in schema
        ]
    )


class _CsvSink:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.fh = path.open("wb")
        self.fh.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then shows Vietnamese correctly
        self.writer = pacsv.CSVWriter(self.fh, _plain_schema(schema))

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self.writer.write_batch(_plain(batch))

    def close(self) -> None:
        self.writer.close()
        self.fh.close()


class _XlsxSink:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        from openpyxl import Workbook

        self.path = path
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet("ket_qua")
        self.ws.append(list(schema.names))
        self.rows = 1

    def write(self, batch: pa.RecordBatch) -> None:
        if self.rows + batch.num_rows > XLSX_MAX_ROWS:
            raise OutputError(
                f"Quá {XLSX_MAX_ROWS - 1} dòng cho tệp XLSX; hãy dùng .csv hoặc .parquet /"
                f" more than {XLSX_MAX_ROWS - 1} rows for XLSX; use .csv or .parquet"
            )
        for row in _plain(batch).to_pylist():
            self.ws.append(list(row.values()))
        self.rows += batch.num_rows

    def close(self) -> None:
        self.wb.save(self.path)


T = TypeVar("T")
_DONE = object()


def _prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Iterate ``items`` in a background thread, at most ``depth`` items ahead.

    Reading (Parquet decoding, CSV parsing) releases the GIL, so it overlaps with the
    classification of the previous batch. An exception in the thread is raised here.
    """
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed over to the consumer, which re-raises it
            put(exc)
            return
        put(_DONE)

    thread = threading.Thread(target=work, name="classify-read", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(T, item)
    finally:
        stop.set()
        thread.join(timeout=5)


def open_sink(path: Path, schema: pa.Schema, fmt: Format) -> Sink:
    if fmt == "parquet":
        return _ParquetSink(path, schema)
    if fmt == "csv":
        return _CsvSink(path, schema)
    return _XlsxSink(path, schema)


@dataclass
class FileReport:
    """What a file run did."""

    input: Path
    output: Path
    rejected_file: Path
    standard: str
    rows_read: int = 0
    rows_classified: int = 0
    rows_rejected: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # per classification
    rejected_by_field: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    score_ignored: bool = False  # the input has scores the standard has no rule for

    @property
    def exit_status(self) -> int:
        return 1 if self.rows_rejected else 0


Progress = Callable[[int], None]  # called with the progress so far, in the source's unit


def classify_file(
    input_path: str | Path,
    output_path: str | Path,
    standard: Standard,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    on_start: Callable[[int, str], None] | None = None,
    progress: Progress | None = None,
) -> FileReport:
    """Classify a CSV/XLSX/Parquet file into a CSV/XLSX/Parquet file, streaming.

    The output is written to a temporary file beside it and renamed at the end, so a failed
    run leaves no half-written output. Rejected rows go to ``rejected_path(output_path)``.

    Args:
        on_start: called once with (total, unit) of the progress measure ("rows" or "bytes").
        progress: called after each batch with the progress so far.

    Raises:
        InputError: the input cannot be read.
        OutputError: the output cannot be written.
    """
    inp, out = Path(input_path), Path(output_path)
    try:
        out_fmt = file_format(out)
    except ValueError as exc:
        raise OutputError(str(exc)) from exc
    if inp.resolve() in (out.resolve(), rejected_path(out).resolve()):
        raise OutputError(
            f"Tệp kết quả sẽ ghi đè tệp đầu vào {inp} / the output would overwrite the input {inp}"
        )
    started = time.perf_counter()
    try:
        return _run(
            inp,
            out,
            out_fmt,
            standard,
            batch_rows=batch_rows,
            on_start=on_start,
            progress=progress,
            python_csv=False,
        )
    except _MalformedCsv:
        report = _run(
            inp,
            out,
            out_fmt,
            standard,
            batch_rows=batch_rows,
            on_start=on_start,
            progress=progress,
            python_csv=True,
        )
        report.seconds = time.perf_counter() - started
        return report


def _run(
    inp: Path,
    out: Path,
    out_fmt: Format,
    standard: Standard,
    *,
    batch_rows: int,
    on_start: Callable[[int, str], None] | None,
    progress: Progress | None,
    python_csv: bool,
) -> FileReport:
    started = time.perf_counter()
    if python_csv:
        try:
            source = _csv_python_source(inp, batch_rows)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"Không đọc được {inp} / cannot read {inp}: {exc}") from exc
    else:
        source = open_source(inp, standard, batch_rows=batch_rows)
    report = FileReport(inp, out, rejected_path(out), standard.id)
    try:
        try:
            schema = output_schema(source.schema, standard)
        except AmbiguousColumns as exc:
            raise InputError(str(exc)) from exc
        cols = resolve_columns(source.schema.names, standard)
        report.score_ignored = standard.score_rule is None and INCOME_SCORE in cols.fields
        if on_start is not None:
            on_start(source.total, source.unit)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        rej_tmp = report.rejected_file.with_name(f".{report.rejected_file.name}.{os.getpid()}.tmp")
        sink: Sink | None = None

        def opened(schema: pa.Schema) -> Sink:
            try:
                return open_sink(tmp, schema, out_fmt)
            except (OSError, pa.ArrowException) as exc:
                raise OutputError(f"Không ghi được {out} / cannot write {out}: {exc}") from exc

        counts = np.zeros(len(CLASSIFICATIONS), dtype=np.int64)
        ok = False
        try:
            try:
                rej_fh = rej_tmp.open("w", encoding="utf-8-sig", newline="")
            except OSError as exc:
                raise OutputError(f"Không ghi được {out} / cannot write {out}: {exc}") from exc
            with rej_fh:
                rej = csv.writer(rej_fh)
                rej.writerow(REJECTED_COLUMNS)
                for batch, rows in _prefetch(_safe(source.batches, inp)):
                    result = classify_batch(batch, standard, row_numbers=rows)
                    _write_rejections(rej, result.rejections, report)
                    report.rows_read += batch.num_rows
                    report.rows_rejected += result.rejected_rows
                    report.rows_classified += result.batch.num_rows
                    cls: Any = result.batch.column("classification")
                    counts += np.bincount(_np(cls.indices), minlength=len(CLASSIFICATIONS))
                    if sink is None:
                        sink = opened(result.batch.schema)
                    try:
                        sink.write(result.batch)
                    except (OSError, pa.ArrowException) as exc:
                        raise OutputError(
                            f"Không ghi được {out} / cannot write {out}: {exc}"
                        ) from exc
                    if progress is not None:
                        progress(source.position())
                # Rows the reader itself could not split into fields.
                if source.rejections:
                    report.rows_read += len(source.rejections)
                    report.rows_rejected += len(source.rejections)
                    _write_rejections(rej, tuple(source.rejections), report)
            if sink is None:
                sink = opened(schema)
            try:
                sink.close()
            except (OSError, pa.ArrowException) as exc:
                raise OutputError(f"Không ghi được {out} / cannot write {out}: {exc}") from exc
            os.replace(tmp, out)
            os.replace(rej_tmp, report.rejected_file)
            ok = True
        finally:
            if not ok:
                if sink is not None:
                    with contextlib.suppress(Exception):
                        sink.close()
                for p in (tmp, rej_tmp):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
    finally:
        source.close()
    report.counts = {c: int(counts[i]) for i, c in enumerate(CLASSIFICATIONS)}
    report.seconds = time.perf_counter() - started
    return report


def _safe(
    batches: Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]], path: Path
) -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64] | None]]:
    try:
        yield from batches
    except (_MalformedCsv, InputError):
        raise
    except (OSError, pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"Không đọc được {path} / cannot read {path}: {exc}") from exc


def _write_rejections(writer: Any, rejections: tuple[Rejection, ...], report: FileReport) -> None:
    for r in rejections:
        writer.writerow((r.row, r.household_id, r.field, r.message_vi, r.message_en))
        report.rejected_by_field[r.field] = report.rejected_by_field.get(r.field, 0) + 1
