"""Alkire–Foster multidimensional poverty measures (the adjusted headcount ratio M0).

The method (Alkire & Foster 2011, "Counting and multidimensional poverty measurement",
J. Public Economics 95: 476–487; OPHI handbook, Alkire et al. 2015, ch. 5):

1. Each household has a 0/1 deprivation per indicator (the matrix g⁰).
2. Indicator weights ``w_j`` sum to 1. A household's deprivation score is
   ``c_i = Σ_j w_j g⁰_ij``, a share of the total weight, between 0 and 1.
3. **The poverty cutoff k is on that weighted score, as a share of the total weight**:
   a household is multidimensionally poor when ``c_i ≥ k``, with ``0 < k ≤ 1``. With equal
   weights over d indicators, "deprived in at least m indicators" is ``k = m/d``; the
   union approach is the smallest weight, the intersection approach is ``k = 1``.
4. Rows of the non-poor are censored (set to zero), giving g⁰(k).

Measures (names after mpitb): incidence ``H = q/n``; intensity ``A`` = the mean score of
the poor; adjusted headcount ratio ``M0 = H × A`` (= the mean censored score);
uncensored headcount ratio per indicator ``hd_j`` (share deprived in j); censored headcount
ratio ``hdk_j`` (share poor *and* deprived in j); the percentage contribution of indicator
j, ``100 × w_j × hdk_j / M0``, which sums to 100 whenever ``M0 > 0``.

Every measure can be broken down by any grouping (commune, village, ethnic-minority
flag...). M0 is subgroup-decomposable: ``M0 = Σ_g (n_g / n) × M0_g``.

Exactness. Weights are :class:`fractions.Fraction`; they are put on a common denominator
``D`` so that scores are integers (``D × c_i``) and the cutoff test is an exact integer
comparison. With no household sample weights, or integer ones, every sum is an exact
integer and every measure is an exact ``Fraction``: the decomposition identity then
holds exactly (:meth:`AFReport.decomposition_residual` returns ``Fraction(0)``). With
float sample weights the sums are float64 and the identity holds within float rounding;
:attr:`AFMeasures.exact` says which.

Conventions for degenerate groups: a group of zero population has ``H = A = M0 = 0``;
a group with no poor has ``A = 0`` and every contribution 0 (the contributions then do
not sum to 100, since M0 = 0). ``is_empty`` / ``poor == 0`` tell these apart.

Streaming: :class:`AFAccumulator` takes chunks (for example Parquet record batches) and
merges their integer sums, so a national table never has to be in memory at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from giamngheo.core.standards import Standard

__all__ = [
    "VIETNAM_MPI_K",
    "AFAccumulator",
    "AFError",
    "AFMeasures",
    "AFReport",
    "Subgroup",
    "alkire_foster",
    "as_fraction",
    "equal_weights",
    "nested_weights",
    "standard_dimensions",
]

Number: TypeAlias = int | float | str | Fraction
Rows: TypeAlias = Sequence[Mapping[str, Any]]
Data: TypeAlias = npt.NDArray[Any] | pa.Table | pa.RecordBatch | Rows
Labels: TypeAlias = "Sequence[Hashable] | npt.NDArray[Any] | pa.Array[Any] | pa.ChunkedArray[Any]"

_EXACT_FLOAT_LIMIT = 2**53

VIETNAM_MPI_K = Fraction(1, 3)
"""The cutoff of Vietnam's national statistical MPI (5 dimensions, 10 indicators, nested
weights; shared/domain/anchor-systems.md §5)."""
_DEP_PREFIX = "dep_"


class AFError(ValueError):
    """Invalid input to the Alkire–Foster computation (names the field or indicator)."""


def as_fraction(value: Number) -> Fraction:
    """Convert a weight or cutoff to an exact fraction.

    Integers, fractions and strings (``"1/3"``, ``"0.25"``) convert exactly. A float is
    taken as the simplest fraction within 1e-9 of it (so ``1/3`` typed as ``0.3333333333``
    means one third), because binary floats cannot hold most decimal cutoffs.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise AFError(f"not a number: {value!r}")
    if isinstance(value, int | str):
        return Fraction(value)
    if isinstance(value, float):
        exact = Fraction(value)
        simple = exact.limit_denominator(1_000_000)
        return simple if abs(simple - exact) <= Fraction(1, 10**9) else exact
    raise AFError(f"not a number: {value!r}")


def equal_weights(indicators: Sequence[str]) -> dict[str, Fraction]:
    """Equal weight ``1/d`` for each of the d indicators."""
    if not indicators:
        raise AFError("no indicators")
    share = Fraction(1, len(indicators))
    return dict.fromkeys(indicators, share)


def nested_weights(dimensions: Mapping[str, Sequence[str]]) -> dict[str, Fraction]:
    """Nested weights: each dimension gets ``1/D``, split equally among its indicators.

    Args:
        dimensions: dimension name → its indicator keys, in order.

    Returns:
        indicator → weight, in the order the dimensions list them; the weights sum to 1.
    """
    if not dimensions:
        raise AFError("no dimensions")
    weights: dict[str, Fraction] = {}
    per_dimension = Fraction(1, len(dimensions))
    for name, indicators in dimensions.items():
        if not indicators:
            raise AFError(f"dimension {name!r} has no indicators")
        for indicator in indicators:
            if indicator in weights:
                raise AFError(f"indicator {indicator!r} is in more than one dimension")
            weights[indicator] = per_dimension / len(indicators)
    return weights


def standard_dimensions(standard: Standard) -> dict[str, list[str]]:
    """A poverty standard's dimensions → indicator keys, for :func:`nested_weights`."""
    return {
        dimension.key: [indicator.key for indicator in dimension.indicators]
        for dimension in standard.dimensions
    }


@dataclass(frozen=True)
class AFMeasures:
    """AF measures for one population (the whole set, or one subgroup).

    Ratios are shares in [0, 1]; contributions are percentages.
    """

    indicators: tuple[str, ...]
    weights: Mapping[str, Fraction]
    k: Fraction
    population: Fraction
    """n: number of households (sum of sample weights when given)."""
    poor: Fraction
    """q: number of multidimensionally poor households (weighted)."""
    incidence: Fraction
    """H = q / n."""
    intensity: Fraction
    """A: average deprivation score among the poor."""
    adjusted_headcount: Fraction
    """M0 = H × A."""
    uncensored_headcount: Mapping[str, Fraction]
    """hd_j: share of households deprived in j."""
    censored_headcount: Mapping[str, Fraction]
    """hdk_j: share of households poor and deprived in j."""
    contribution_percent: Mapping[str, Fraction]
    """100 × w_j × hdk_j / M0; sums to 100 when M0 > 0, all 0 when M0 = 0."""
    exact: bool = True

    @property
    def H(self) -> Fraction:
        return self.incidence

    @property
    def A(self) -> Fraction:
        return self.intensity

    @property
    def M0(self) -> Fraction:
        return self.adjusted_headcount

    @property
    def is_empty(self) -> bool:
        return self.population == 0


@dataclass(frozen=True)
class Subgroup:
    """One group of a breakdown, with its place in the decomposition of the total."""

    grouping: str
    label: Hashable
    population_share: Fraction
    """n_g / n."""
    measures: AFMeasures
    contribution_percent: Fraction
    """The group's share of total M0: 100 × (n_g / n) × M0_g / M0 (0 when M0 = 0)."""


@dataclass(frozen=True)
class AFReport:
    """The total measures and every requested breakdown."""

    total: AFMeasures
    groups: Mapping[str, Mapping[Hashable, Subgroup]] = field(default_factory=dict)

    def decomposition_residual(self, grouping: str) -> Fraction:
        """``M0 − Σ_g (n_g/n) M0_g`` for one grouping: exactly 0 for exact inputs."""
        subgroups = self.groups[grouping].values()
        return self.total.adjusted_headcount - sum(
            (group.population_share * group.measures.adjusted_headcount for group in subgroups),
            Fraction(0),
        )

    def check_decomposition(self, tolerance: float = 1e-9) -> None:
        """Raise :class:`AFError` unless every grouping decomposes the total M0.

        Exact reports must decompose exactly; float-weighted ones within ``tolerance``.
        """
        for grouping in self.groups:
            residual = self.decomposition_residual(grouping)
            allowed = Fraction(0) if self.total.exact else as_fraction(tolerance)
            if abs(residual) > allowed:
                raise AFError(f"grouping {grouping!r} does not decompose M0: residual {residual}")

    def to_rows(self) -> list[dict[str, object]]:
        """Long format, one row per (grouping, group, measure, indicator), values as floats.

        The total has grouping ``""`` and group ``""``; per-indicator measures carry the
        indicator key, the others ``""``.
        """
        rows: list[dict[str, object]] = []
        _measure_rows(rows, "", "", self.total, None)
        for grouping, subgroups in self.groups.items():
            for label, group in subgroups.items():
                _measure_rows(rows, grouping, label, group.measures, group)
        return rows


def _measure_rows(
    rows: list[dict[str, object]],
    grouping: str,
    label: Hashable,
    measures: AFMeasures,
    group: Subgroup | None,
) -> None:
    def add(measure: str, value: Fraction, indicator: str = "") -> None:
        rows.append(
            {
                "grouping": grouping,
                "group": label,
                "measure": measure,
                "indicator": indicator,
                "value": float(value),
            }
        )

    add("n", measures.population)
    add("q", measures.poor)
    add("H", measures.incidence)
    add("A", measures.intensity)
    add("M0", measures.adjusted_headcount)
    if group is not None:
        add("population_share", group.population_share)
        add("contribution_to_M0_percent", group.contribution_percent)
    for key in measures.indicators:
        add("hd", measures.uncensored_headcount[key], key)
        add("hdk", measures.censored_headcount[key], key)
        add("contribution_percent", measures.contribution_percent[key], key)


# --------------------------------------------------------------------------- sums


@dataclass
class _Sums:
    """Additive sufficient statistics of one group; scores are in units of 1/D."""

    n: int | float = 0
    q: int | float = 0
    score: int | float = 0
    hd: list[int | float] = field(default_factory=list)
    hdk: list[int | float] = field(default_factory=list)

    def add(self, other: _Sums) -> None:
        self.n += other.n
        self.q += other.q
        self.score += other.score
        if not self.hd:
            self.hd = [0] * len(other.hd)
            self.hdk = [0] * len(other.hdk)
        self.hd = [a + b for a, b in zip(self.hd, other.hd, strict=True)]
        self.hdk = [a + b for a, b in zip(self.hdk, other.hdk, strict=True)]


def _group_sum(
    codes: npt.NDArray[np.intp] | None, count: int, values: npt.NDArray[Any], small: bool
) -> list[int | float]:
    """Per-group sums (one group when ``codes`` is None), exact for integer values.

    ``small``: every partial sum stays below 2**53, so float64 accumulation is exact.
    """
    if values.dtype.kind == "f":
        if codes is None:
            return [float(values.sum())]
        return [float(x) for x in np.bincount(codes, weights=values, minlength=count)]
    values = values.astype(np.int64, copy=False)
    if values.size == 0:
        return [0] * count
    if codes is None and small:
        return [int(values.sum())]
    if codes is None:
        return [sum(int(x) for x in values.tolist())]
    if small:
        sums = np.bincount(codes, weights=values, minlength=count)
        return [round(float(x)) for x in sums]
    exact = np.zeros(count, dtype=object)
    np.add.at(exact, codes, values.astype(object))
    return [int(x) for x in exact]


class AFAccumulator:
    """Streaming AF: feed chunks with :meth:`add`, then read :meth:`report`.

    Args:
        indicators: indicator keys (columns ``dep_<key>`` in tables and dicts).
        k: poverty cutoff on the weighted score, a share of total weight in (0, 1].
        weights: indicator → weight, summing to 1; default equal weights.
        groupings: names of the breakdowns to keep (for example ``"commune_code"``).
        levels: optional grouping → labels to report even when they have no households.
    """

    def __init__(
        self,
        indicators: Sequence[str],
        k: Number,
        weights: Mapping[str, Number] | None = None,
        groupings: Sequence[str] = (),
        levels: Mapping[str, Iterable[Hashable]] | None = None,
    ) -> None:
        self.indicators = tuple(indicators)
        if not self.indicators:
            raise AFError("no indicators")
        if len(set(self.indicators)) != len(self.indicators):
            raise AFError("an indicator is listed twice")
        raw = equal_weights(self.indicators) if weights is None else weights
        unknown = set(raw) - set(self.indicators)
        if unknown:
            raise AFError(f"weights for unknown indicators: {sorted(unknown)}")
        self.weights = {key: as_fraction(raw.get(key, 0)) for key in self.indicators}
        if any(w <= 0 for w in self.weights.values()):
            raise AFError("every indicator needs a positive weight")
        if sum(self.weights.values()) != 1:
            raise AFError(f"weights sum to {sum(self.weights.values())}, not 1")
        self.k = as_fraction(k)
        if not 0 < self.k <= 1:
            raise AFError(f"k must be in (0, 1], got {self.k}")
        self.denominator = lcm(*(w.denominator for w in self.weights.values()))
        self._integer_weights = np.array(
            [int(w * self.denominator) for w in self.weights.values()], dtype=np.int64
        )
        self.groupings = tuple(groupings)
        self._total = _Sums(hd=[0] * len(self.indicators), hdk=[0] * len(self.indicators))
        self._groups: dict[str, dict[Hashable, _Sums]] = {name: {} for name in self.groupings}
        for name, labels in (levels or {}).items():
            if name not in self._groups:
                raise AFError(f"levels for a grouping not requested: {name!r}")
            for label in labels:
                self._groups[name][label] = self._empty()
        self._exact = True

    def _empty(self) -> _Sums:
        return _Sums(hd=[0] * len(self.indicators), hdk=[0] * len(self.indicators))

    def add(
        self,
        data: Data,
        by: Mapping[str, Labels] | None = None,
        sample_weights: Labels | str | None = None,
    ) -> None:
        """Add one chunk of households.

        Args:
            data: a 0/1 matrix (rows = households, columns = ``indicators`` in order),
                a pyarrow table or record batch, or a sequence of dicts; the latter two
                hold ``dep_<key>`` columns (a bare ``<key>`` is accepted too).
            by: grouping → one label per household; for tables and dicts a grouping
                not given here is read from the column of that name.
            sample_weights: per-household population weights, or a column name.
        """
        matrix = _deprivation_matrix(data, self.indicators)
        n = matrix.shape[0]
        labels: dict[str, npt.NDArray[Any] | pa.Array[Any]] = {}
        given = dict(by or {})
        unknown_groupings = set(given) - set(self.groupings)
        if unknown_groupings:
            raise AFError(f"groupings not declared: {sorted(unknown_groupings)}")
        for name in self.groupings:
            column = given[name] if name in given else _column(data, name)
            array: npt.NDArray[Any] | pa.Array[Any]
            if isinstance(column, pa.ChunkedArray):
                array = column.combine_chunks()
            elif isinstance(column, pa.Array):
                array = column
            else:
                array = np.asarray(column)
                if array.ndim != 1:
                    raise AFError(f"grouping {name!r} must be one label per household")
            if len(array) != n:
                raise AFError(f"grouping {name!r} has {len(array)} labels for {n} households")
            labels[name] = array
        weights = _sample_weights(data, sample_weights, n)
        if weights is not None and weights.dtype.kind == "f":
            self._exact = False

        score = matrix.astype(np.int64) @ self._integer_weights
        poor = score * self.k.denominator >= self.k.numerator * self.denominator
        columns = self._columns(matrix, score, poor, weights)
        largest = 1 if weights is None or weights.size == 0 else int(weights.max())
        small = (weights is None or weights.dtype.kind != "f") and n * largest * max(
            self.denominator, 1
        ) < _EXACT_FLOAT_LIMIT
        self._total.add(self._sums(None, 1, columns, small)[0])
        for name, array in labels.items():
            uniques, codes = _encode(array)
            sums = self._sums(codes, len(uniques), columns, small)
            table = self._groups[name]
            for label, group_sums in zip(uniques, sums, strict=True):
                table.setdefault(label, self._empty())
                table[label].add(group_sums)

    @staticmethod
    def _columns(
        matrix: npt.NDArray[np.int8],
        score: npt.NDArray[np.int64],
        poor: npt.NDArray[np.bool_],
        weights: npt.NDArray[Any] | None,
    ) -> list[npt.NDArray[Any]]:
        one = np.ones(matrix.shape[0], dtype=np.int64) if weights is None else weights
        poor_weight = one * poor
        result = [one, poor_weight, poor_weight * score]
        result += [one * matrix[:, j] for j in range(matrix.shape[1])]
        result += [poor_weight * matrix[:, j] for j in range(matrix.shape[1])]
        return result

    def _sums(
        self,
        codes: npt.NDArray[np.intp] | None,
        count: int,
        columns: list[npt.NDArray[Any]],
        small: bool,
    ) -> list[_Sums]:
        per_column = [_group_sum(codes, count, column, small) for column in columns]
        d = len(self.indicators)
        return [
            _Sums(
                n=per_column[0][g],
                q=per_column[1][g],
                score=per_column[2][g],
                hd=[per_column[3 + j][g] for j in range(d)],
                hdk=[per_column[3 + d + j][g] for j in range(d)],
            )
            for g in range(count)
        ]

    def _measures(self, sums: _Sums) -> AFMeasures:
        n = _fraction(sums.n)
        q = _fraction(sums.q)
        score = _fraction(sums.score) / self.denominator
        zero = Fraction(0)
        hd = {
            key: (_fraction(x) / n if n else zero)
            for key, x in zip(self.indicators, sums.hd, strict=True)
        }
        hdk = {
            key: (_fraction(x) / n if n else zero)
            for key, x in zip(self.indicators, sums.hdk, strict=True)
        }
        m0 = score / n if n else zero
        contribution = {
            key: (100 * self.weights[key] * hdk[key] / m0 if m0 else zero)
            for key in self.indicators
        }
        return AFMeasures(
            indicators=self.indicators,
            weights=self.weights,
            k=self.k,
            population=n,
            poor=q,
            incidence=q / n if n else zero,
            intensity=score / q if q else zero,
            adjusted_headcount=m0,
            uncensored_headcount=hd,
            censored_headcount=hdk,
            contribution_percent=contribution,
            exact=self._exact,
        )

    def report(self) -> AFReport:
        """The measures for everything added so far."""
        total = self._measures(self._total)
        groups: dict[str, dict[Hashable, Subgroup]] = {}
        for name in self.groupings:
            groups[name] = {}
            for label in sorted(self._groups[name], key=_sort_key):
                measures = self._measures(self._groups[name][label])
                share = measures.population / total.population if total.population else Fraction(0)
                part = share * measures.adjusted_headcount
                groups[name][label] = Subgroup(
                    grouping=name,
                    label=label,
                    population_share=share,
                    measures=measures,
                    contribution_percent=(
                        100 * part / total.adjusted_headcount
                        if total.adjusted_headcount
                        else Fraction(0)
                    ),
                )
        return AFReport(total=total, groups=groups)


def alkire_foster(
    data: Data,
    k: Number,
    *,
    indicators: Sequence[str] | None = None,
    weights: Mapping[str, Number] | None = None,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    by: Mapping[str, Labels] | Sequence[str] = (),
    sample_weights: Labels | str | None = None,
    levels: Mapping[str, Iterable[Hashable]] | None = None,
) -> AFReport:
    """Compute the AF measures of a set of households, in total and by groups.

    Args:
        data: a 0/1 deprivation matrix (households × indicators), a pyarrow table or
            record batch, or a sequence of dicts with ``dep_<key>`` columns.
        k: poverty cutoff on the weighted deprivation score, as a share of the total
            weight, ``0 < k ≤ 1`` (poor when score ≥ k). Prefer ``Fraction`` or ``"1/3"``.
        indicators: indicator keys. Default: for a matrix ``"1"…"d"``; for tables and
            dicts every ``dep_*`` column (the keys of ``dimensions`` when given).
        weights: indicator → weight (summing to 1). Default equal per indicator, or
            nested when ``dimensions`` is given.
        dimensions: dimension → indicator keys; selects nested weights (each dimension
            ``1/D``, split equally within it) unless ``weights`` is also given.
        by: grouping → one label per household, or (tables and dicts) column names.
        sample_weights: per-household population weights, or a column name.
        levels: grouping → labels to report even if they have no households.

    Returns:
        The :class:`AFReport`; its decomposition is checked before it is returned.

    Raises:
        AFError: bad weights, k, matrix values or group labels.
    """
    if dimensions is not None and weights is None:
        weights = nested_weights(dimensions)
    if indicators is None:
        if weights is not None:
            indicators = list(weights)
        elif isinstance(data, np.ndarray):
            if data.ndim != 2:
                raise AFError("the deprivation matrix must have two dimensions")
            indicators = [str(j + 1) for j in range(data.shape[1])]
        else:
            indicators = _dep_columns(data)
    if isinstance(by, Mapping):
        grouping_labels: dict[str, Labels] = dict(by)
    else:
        grouping_labels = {name: _column(data, name) for name in by}
    accumulator = AFAccumulator(indicators, k, weights, tuple(grouping_labels), levels)
    accumulator.add(data, grouping_labels, sample_weights)
    report = accumulator.report()
    report.check_decomposition()
    return report


# --------------------------------------------------------------------------- input


def _fraction(value: int | float) -> Fraction:
    return Fraction(value)


def _sort_key(label: Hashable) -> tuple[str, str]:
    return (type(label).__name__, str(label))


def _dep_columns(data: Data) -> list[str]:
    if isinstance(data, pa.Table | pa.RecordBatch):
        names = list(data.schema.names)
    elif len(data) == 0:
        raise AFError("no households and no indicators given")
    else:
        names = list(data[0].keys())
    keys = [name[len(_DEP_PREFIX) :] for name in names if name.startswith(_DEP_PREFIX)]
    if not keys:
        raise AFError("no dep_<indicator> columns")
    return keys


def _column(data: Data, name: str) -> Labels:
    if isinstance(data, np.ndarray):
        raise AFError(f"grouping {name!r} needs labels: a matrix has no named columns")
    if isinstance(data, pa.Table | pa.RecordBatch):
        if name not in data.schema.names:
            raise AFError(f"no column {name!r}")
        return data.column(name)
    try:
        return [row[name] for row in data]
    except KeyError:
        raise AFError(f"a household has no {name!r}") from None


def _encode(
    labels: npt.NDArray[Any] | pa.Array[Any],
) -> tuple[list[Hashable], npt.NDArray[np.intp]]:
    """Distinct labels and each household's code. Arrow columns and strings go through
    Arrow's hash dictionary (fast); numbers through ``np.unique``."""
    if isinstance(labels, pa.Array):
        if labels.null_count:
            raise AFError("a grouping label is missing")
        if pa.types.is_integer(labels.type) or pa.types.is_boolean(labels.type):
            labels = labels.to_numpy(zero_copy_only=False)
        else:
            encoded = labels.dictionary_encode()
            codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
            return list(encoded.dictionary.to_pylist()), codes
    if labels.dtype.kind in "OUS":
        try:
            strings = pa.array(labels)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            strings = None
        if strings is not None and strings.null_count == 0:
            return _encode(strings)
    uniques, codes = np.unique(labels, return_inverse=True)
    return list(uniques.tolist()), codes.reshape(-1)


def _deprivation_matrix(data: Data, indicators: Sequence[str]) -> npt.NDArray[np.int8]:
    if isinstance(data, np.ndarray):
        if data.ndim != 2 or data.shape[1] != len(indicators):
            raise AFError(
                f"the deprivation matrix has shape {data.shape}, expected (n, {len(indicators)})"
            )
        matrix = data
    elif isinstance(data, pa.Table | pa.RecordBatch):
        names = set(data.schema.names)
        columns = []
        for key in indicators:
            name = _DEP_PREFIX + key if _DEP_PREFIX + key in names else key
            if name not in names:
                raise AFError(f"no column {_DEP_PREFIX + key!r}")
            column = data.column(name)
            if column.null_count:
                raise AFError(f"column {name!r} has missing values")
            columns.append(np.asarray(column.to_numpy(zero_copy_only=False)))
        matrix = (
            np.column_stack(columns) if columns else np.zeros((data.num_rows, 0), dtype=np.int8)
        )
    else:
        matrix = np.zeros((len(data), len(indicators)), dtype=np.int64)
        for i, row in enumerate(data):
            for j, key in enumerate(indicators):
                value = row.get(_DEP_PREFIX + key, row.get(key))
                if value is None or isinstance(value, bool) or value not in (0, 1):
                    raise AFError(f"household {i}: {_DEP_PREFIX + key} must be 0 or 1")
                matrix[i, j] = value
    if matrix.dtype.kind == "b":
        return matrix.astype(np.int8)
    if matrix.dtype.kind not in "iuf" or not ((matrix == 0) | (matrix == 1)).all():
        bad = np.argwhere(~np.isin(matrix, (0, 1)))
        where = f" (household {bad[0][0]}, {indicators[bad[0][1]]})" if len(bad) else ""
        raise AFError(f"deprivations must be 0 or 1{where}")
    return matrix.astype(np.int8)


def _sample_weights(data: Data, given: Labels | str | None, n: int) -> npt.NDArray[Any] | None:
    if given is None:
        return None
    array = np.asarray(_column(data, given) if isinstance(given, str) else given)
    if array.shape != (n,):
        raise AFError(f"{array.shape[0]} sample weights for {n} households")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all() or (array < 0).any():
            raise AFError("sample weights must be finite and not negative")
        if (array == np.round(array)).all() and np.abs(array).max(initial=0) < _EXACT_FLOAT_LIMIT:
            return array.astype(np.int64)
        return array.astype(np.float64)
    if array.dtype.kind not in "iu":
        raise AFError("sample weights must be numbers")
    if (array < 0).any():
        raise AFError("sample weights must not be negative")
    return array.astype(np.int64)
