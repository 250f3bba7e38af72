"""The generic synthetic population: schema, size, determinism, believable distributions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from giamngheo.core.standards import get_standard
from giamngheo.core.standards.batch import classify_batch
from giamngheo.core.synth import BLOCK, generate, generate_table, schema

STANDARDS = ("QD59-2015", "ND07-2021", "ND351-2025")


@pytest.mark.parametrize("standard_id", STANDARDS)
def test_schema_follows_the_standard(standard_id: str) -> None:
    standard = get_standard(standard_id)
    table = generate_table(300, seed=3, standard=standard_id)
    assert table.schema == schema(standard_id)
    assert table.column_names == [
        "household_id",
        "commune_code",
        "commune_name",
        "village",
        "area",
        "ethnic_minority",
        "household_size",
        "income",
        *standard.deprivation_columns,
    ]
    assert table.num_rows == 300
    for column in standard.deprivation_columns:
        assert set(table.column(column).to_pylist()) <= {0, 1}
    assert set(table.column("area").to_pylist()) <= {"rural", "urban"}
    assert set(table.column("ethnic_minority").to_pylist()) <= {0, 1}
    sizes = table.column("household_size").to_numpy()
    assert sizes.min() >= 1
    assert sizes.max() <= 12
    incomes = table.column("income").to_numpy()
    assert (incomes > 0).all()
    assert (incomes % 1000 == 0).all()
    assert len(set(table.column("household_id").to_pylist())) == 300


def test_size_and_streaming_in_blocks() -> None:
    count = BLOCK + 123
    batches = list(generate(count, seed=1))
    assert [b.num_rows for b in batches] == [BLOCK, 123]
    assert generate_table(0).num_rows == 0
    with pytest.raises(ValueError, match="negative"):
        generate(-1)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first = generate_table(2000, seed=42)
    assert generate_table(2000, seed=42).equals(first)
    assert not generate_table(2000, seed=43).equals(first)


def test_a_smaller_population_is_a_prefix_of_a_larger_one() -> None:
    small = generate_table(1500, seed=9)
    large = generate_table(BLOCK + 10, seed=9)
    assert large.slice(0, 1500).equals(small)


def test_geography_codes_are_synthetic_and_villages_named() -> None:
    table = generate_table(20_000, seed=5)
    codes = {str(code) for code in table.column("commune_code").to_pylist()}
    assert all(code.startswith("X") and len(code) == 6 for code in codes)
    assert len(codes) > 3
    ids = [str(i) for i in table.column("household_id").to_pylist()]
    assert all(
        i.startswith(c + "-")
        for i, c in zip(ids, map(str, table.column("commune_code").to_pylist()), strict=True)
    )
    villages = {str(v) for v in table.column("village").to_pylist()}
    assert all(v.startswith(("Thôn ", "Tổ dân phố ")) for v in villages)


@pytest.mark.parametrize("standard_id", STANDARDS)
def test_believable_prevalence_and_correlation(standard_id: str) -> None:
    """Rates in the range of Vietnam's reviews; deprivations go with low income."""
    standard = get_standard(standard_id)
    table = generate_table(30_000, seed=11, standard=standard_id)
    result = classify_batch(table.combine_chunks().to_batches()[0], standard)
    assert result.rejected_rows == 0
    classes = result.batch.column("classification").cast(pa.string()).to_numpy(zero_copy_only=False)
    poor = classes == "poor"
    near = classes == "near_poor"
    assert 0.03 < poor.mean() < 0.15
    assert 0.02 < near.mean() < 0.10
    ethnic = table.column("ethnic_minority").to_numpy() == 1
    assert 0.05 < ethnic.mean() < 0.30
    assert poor[ethnic].mean() > 3 * poor[~ethnic].mean()
    deprivations = np.column_stack(
        [table.column(c).to_numpy() for c in standard.deprivation_columns]
    )
    prevalence = deprivations.mean(axis=0)
    assert (prevalence > 0.01).all()
    assert (prevalence < 0.40).all()
    income = table.column("income").to_numpy()
    assert np.corrcoef(np.log(income), deprivations.sum(axis=1))[0, 1] < -0.3
    pairwise = np.corrcoef(deprivations.T.astype(float))[np.triu_indices(deprivations.shape[1], 1)]
    assert pairwise.mean() > 0.02
    if standard_id == "QD59-2015":
        bases = result.batch.column("poor_basis").cast(pa.string()).to_numpy(zero_copy_only=False)
        assert (bases[poor] == "income").sum() > (bases[poor] == "deprivation").sum() > 0
    urban = table.column("area").to_numpy(zero_copy_only=False) == "urban"
    assert 0.1 < urban.mean() < 0.6
