"""Alkire–Foster measures: a published worked example, hand-computed cases, properties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giamngheo.core.af import (
    AFAccumulator,
    AFError,
    alkire_foster,
    as_fraction,
    equal_weights,
    nested_weights,
)

# Alkire & Foster (2011), "Counting and multidimensional poverty measurement",
# J. Public Economics 95(7-8): 476-487, section 4 (also OPHI Working Paper 32, 2009):
# four persons, four dimensions, achievement matrix y and deprivation cutoffs z.
AF2011_ACHIEVEMENTS = np.array(
    [
        [13.1, 14, 4, 1],
        [15.2, 7, 5, 0],
        [12.5, 10, 1, 0],
        [20, 11, 3, 1],
    ]
)
AF2011_CUTOFFS = np.array([13, 12, 3, 1])


def af2011_deprivations() -> np.ndarray:
    return (AF2011_ACHIEVEMENTS < AF2011_CUTOFFS).astype(np.int8)


def test_published_example_alkire_foster_2011() -> None:
    """Alkire & Foster (2011) §4 worked example, equal weights, k = 2 of 4 dimensions.

    The paper derives g⁰ = [[0,0,0,0],[0,1,0,1],[1,1,1,1],[0,1,0,0]], deprivation counts
    c = (0, 2, 4, 1); with k = 2 persons 2 and 3 are poor and person 4 is censored, so
    H = 1/2, A = 3/4 and M0 = H × A = 6/16 = 3/8. (The achievement matrix is the paper's,
    as reproduced in several public teaching scripts; every figure below is re-derived
    by hand from it.)
    """
    g0 = af2011_deprivations()
    assert g0.tolist() == [[0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 0]]
    total = alkire_foster(g0, Fraction(2, 4)).total
    assert (Fraction(1, 2), Fraction(3, 4), Fraction(3, 8)) == (total.H, total.A, total.M0)
    assert total.population == 4
    assert total.poor == 2
    assert list(total.uncensored_headcount.values()) == [
        Fraction(1, 4),
        Fraction(3, 4),
        Fraction(1, 4),
        Fraction(1, 2),
    ]
    # Person 4's lone deprivation in dimension 2 is censored.
    assert list(total.censored_headcount.values()) == [
        Fraction(1, 4),
        Fraction(1, 2),
        Fraction(1, 4),
        Fraction(1, 2),
    ]
    # M0 = Σ_j w_j hdk_j = (1/4)(1/4 + 1/2 + 1/4 + 1/2) = 3/8; contributions 100 w_j hdk_j / M0.
    assert list(total.contribution_percent.values()) == [
        Fraction(50, 3),
        Fraction(100, 3),
        Fraction(50, 3),
        Fraction(100, 3),
    ]
    assert sum(total.contribution_percent.values()) == 100


def test_published_example_union_and_intersection() -> None:
    """Same matrix: union (k = 1/4) and intersection (k = 1) identification."""
    union = alkire_foster(af2011_deprivations(), Fraction(1, 4)).total
    # Persons 2, 3, 4 poor with counts 2, 4, 1: A = 7/12, M0 = 7/16.
    assert (Fraction(3, 4), Fraction(7, 12), Fraction(7, 16)) == (union.H, union.A, union.M0)
    intersection = alkire_foster(af2011_deprivations(), 1).total
    assert (
        Fraction(1, 4),
        Fraction(1),
        Fraction(1, 4),
    ) == (intersection.H, intersection.A, intersection.M0)
    assert intersection.censored_headcount == dict.fromkeys("1234", Fraction(1, 4))


def test_nested_weights_hand_computed() -> None:
    """Three dimensions of 2, 1 and 3 indicators: weights 1/6,1/6 | 1/3 | 1/9,1/9,1/9."""
    dimensions = {"health": ["a", "b"], "education": ["c"], "housing": ["d", "e", "f"]}
    weights = nested_weights(dimensions)
    assert weights == {
        "a": Fraction(1, 6),
        "b": Fraction(1, 6),
        "c": Fraction(1, 3),
        "d": Fraction(1, 9),
        "e": Fraction(1, 9),
        "f": Fraction(1, 9),
    }
    matrix = np.array(
        [
            [1, 1, 0, 0, 0, 0],  # score 1/3: poor at k = 1/3
            [0, 0, 0, 1, 1, 0],  # score 2/9: not poor
            [0, 0, 1, 1, 1, 1],  # score 2/3: poor
            [0, 0, 0, 0, 0, 0],  # score 0
            [1, 0, 0, 1, 1, 1],  # score 1/6 + 1/3 = 1/2: poor
        ]
    )
    report = alkire_foster(matrix, "1/3", dimensions=dimensions)
    total = report.total
    assert total.indicators == ("a", "b", "c", "d", "e", "f")
    assert Fraction(3, 5) == total.H
    assert total.A == (Fraction(1, 3) + Fraction(2, 3) + Fraction(1, 2)) / 3 == Fraction(1, 2)
    assert Fraction(3, 10) == total.M0
    assert total.uncensored_headcount["d"] == Fraction(3, 5)
    assert total.censored_headcount["d"] == Fraction(2, 5)  # household 2 is censored
    # contribution of d: 100 × (1/9)(2/5) / (3/10) = 400/27 %.
    assert total.contribution_percent["d"] == Fraction(400, 27)
    assert sum(total.contribution_percent.values()) == 100


def test_cutoff_is_inclusive_on_the_weighted_score() -> None:
    """Poor when c_i ≥ k exactly; 1/3 as a float rounds to the fraction one third."""
    matrix = np.array([[1, 0, 0], [1, 1, 0]])
    assert alkire_foster(matrix, Fraction(1, 3)).total.H == 1
    assert alkire_foster(matrix, 1 / 3).total.H == 1
    assert Fraction(1, 2) == alkire_foster(matrix, "0.34").total.H
    assert as_fraction(0.25) == Fraction(1, 4)


def test_grouping_decomposition_and_empty_group() -> None:
    """Groups, their population shares, contributions to M0, and a group with no one."""
    g0 = af2011_deprivations()
    report = alkire_foster(
        g0,
        Fraction(1, 2),
        by={"commune": ["23377", "23380", "23380", "23377"], "ethnic_minority": [0, 1, 1, 1]},
        levels={"commune": ["23398"]},
    )
    communes = report.groups["commune"]
    assert list(communes) == ["23377", "23380", "23398"]
    # 23377 holds persons 1 and 4 (neither poor); 23380 persons 2 and 3 (both poor).
    assert communes["23377"].measures.M0 == 0
    assert communes["23377"].measures.A == 0
    assert communes["23380"].measures.H == 1
    assert Fraction(3, 4) == communes["23380"].measures.A
    assert communes["23380"].population_share == Fraction(1, 2)
    assert communes["23380"].contribution_percent == 100
    empty = communes["23398"]
    assert empty.measures.is_empty
    assert empty.population_share == empty.measures.H == empty.measures.M0 == 0
    ethnic = report.groups["ethnic_minority"]
    assert Fraction(1, 2) == ethnic[1].measures.M0  # (2 + 4) / (3 × 4)
    assert ethnic[1].population_share * ethnic[1].measures.M0 == report.total.M0
    for grouping in report.groups:
        assert report.decomposition_residual(grouping) == 0
    report.check_decomposition()


def test_no_poor_at_all() -> None:
    total = alkire_foster(np.zeros((3, 2), dtype=np.int8), Fraction(1, 2)).total
    assert total.H == total.A == total.M0 == 0
    assert set(total.contribution_percent.values()) == {0}


def test_sample_weights_equal_replicated_rows() -> None:
    g0 = af2011_deprivations()
    weighted = alkire_foster(g0, Fraction(1, 2), sample_weights=[3, 1, 2, 5]).total
    replicated = alkire_foster(np.repeat(g0, [3, 1, 2, 5], axis=0), Fraction(1, 2)).total
    assert weighted == replicated
    assert weighted.population == 11
    assert Fraction(3, 11) == weighted.H


def test_float_sample_weights_decompose_within_tolerance() -> None:
    g0 = af2011_deprivations()
    report = alkire_foster(
        g0, Fraction(1, 2), by={"group": [1, 2, 1, 2]}, sample_weights=[0.5, 1.25, 2.1, 0.3]
    )
    assert not report.total.exact
    assert abs(report.decomposition_residual("group")) < 1e-12
    assert float(report.total.H) == pytest.approx((1.25 + 2.1) / 4.15)


def test_tables_and_dicts_agree_with_matrix() -> None:
    g0 = af2011_deprivations()
    keys = ["health_access", "water", "telecom", "info_assets"]
    rows = [
        {
            "household_id": str(i),
            "commune_code": c,
            **{f"dep_{k}": int(v) for k, v in zip(keys, row, strict=True)},
        }
        for i, (row, c) in enumerate(zip(g0, ["A", "B", "B", "A"], strict=True))
    ]
    from_dicts = alkire_foster(rows, Fraction(1, 2), by=["commune_code"])
    from_table = alkire_foster(pa.Table.from_pylist(rows), Fraction(1, 2), by=["commune_code"])
    from_matrix = alkire_foster(
        g0, Fraction(1, 2), indicators=keys, by={"commune_code": ["A", "B", "B", "A"]}
    )
    assert from_dicts == from_table == from_matrix
    assert from_dicts.total.indicators == tuple(keys)
    rows_out = from_dicts.to_rows()
    assert {
        "grouping": "",
        "group": "",
        "measure": "M0",
        "indicator": "",
        "value": 0.375,
    } in rows_out


def test_accumulator_chunks_equal_one_pass() -> None:
    rng = np.random.default_rng(7)
    matrix = (rng.random((200, 5)) < 0.3).astype(np.int8)
    groups = rng.integers(0, 4, 200)
    whole = alkire_foster(matrix, Fraction(2, 5), by={"g": groups})
    accumulator = AFAccumulator([str(j) for j in range(1, 6)], Fraction(2, 5), groupings=["g"])
    for start in range(0, 200, 64):
        accumulator.add(matrix[start : start + 64], by={"g": groups[start : start + 64]})
    assert accumulator.report() == whole


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be"),
        ({"k": Fraction(3, 2)}, "k must be"),
        ({"k": Fraction(1, 2), "weights": {"1": Fraction(1, 2), "2": Fraction(1, 4)}}, "sum to"),
        ({"k": Fraction(1, 2), "weights": {"9": 1}}, "unknown"),
    ],
)
def test_invalid_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AFError, match=message):
        alkire_foster(np.zeros((2, 2), dtype=np.int8), indicators=["1", "2"], **kwargs)  # type: ignore[arg-type]


def test_invalid_deprivation_values() -> None:
    with pytest.raises(AFError, match="0 or 1"):
        alkire_foster(np.array([[0, 2]]), Fraction(1, 2))
    with pytest.raises(AFError, match="0 or 1"):
        alkire_foster([{"dep_a": 1, "dep_b": 3}], Fraction(1, 2))
    with pytest.raises(AFError, match="labels"):
        alkire_foster(np.array([[0, 1]]), Fraction(1, 2), by={"g": [1, 2]})


def test_equal_weights_sum_to_one() -> None:
    assert sum(equal_weights(list("abcdefg")).values()) == 1


# --------------------------------------------------------------------------- properties


def reference_m0(
    matrix: list[list[int]], weights: list[Fraction], k: Fraction
) -> tuple[Fraction, Fraction, Fraction]:
    """Straight from the definitions, one household at a time."""
    scores = [
        sum((w * g for w, g in zip(weights, row, strict=True)), Fraction(0)) for row in matrix
    ]
    poor = [score for score in scores if score >= k]
    n = len(matrix)
    h = Fraction(len(poor), n)
    a = sum(poor, Fraction(0)) / len(poor) if poor else Fraction(0)
    return h, a, h * a


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, list[int], list[Fraction], Fraction]:
    d = draw(st.integers(1, 6))
    n = draw(st.integers(1, 25))
    matrix = np.array(
        draw(st.lists(st.lists(st.integers(0, 1), min_size=d, max_size=d), min_size=n, max_size=n))
    )
    groups = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    raw = draw(st.lists(st.integers(1, 5), min_size=d, max_size=d))
    weights = [Fraction(w, sum(raw)) for w in raw]
    k = draw(st.fractions(min_value=Fraction(1, 12), max_value=1, max_denominator=12))
    return matrix, groups, weights, k


@settings(max_examples=150, deadline=None)
@given(problems())
def test_decomposition_identity_and_reference(
    problem: tuple[np.ndarray, list[int], list[Fraction], Fraction],
) -> None:
    matrix, groups, weights, k = problem
    names = [str(j) for j in range(matrix.shape[1])]
    report = alkire_foster(
        matrix, k, weights=dict(zip(names, weights, strict=True)), by={"g": groups}
    )
    total = report.total
    assert reference_m0(matrix.tolist(), weights, k) == (total.H, total.A, total.M0)
    assert total.M0 == total.H * total.A
    assert report.decomposition_residual("g") == 0
    assert (
        sum(group.measures.population for group in report.groups["g"].values()) == total.population
    )
    if total.M0:
        assert sum(total.contribution_percent.values()) == 100
        assert sum(group.contribution_percent for group in report.groups["g"].values()) == 100
    for key in names:
        assert total.censored_headcount[key] <= total.uncensored_headcount[key]


def test_nested_weights_of_a_standard_and_synthetic_communes() -> None:
    """QD59-2015's 5 dimensions × 2 indicators give 1/10 each; communes decompose M0."""
    from giamngheo.core.af import VIETNAM_MPI_K, standard_dimensions
    from giamngheo.core.standards import get_standard
    from giamngheo.core.synth import generate_table

    dimensions = standard_dimensions(get_standard("QD59-2015"))
    assert len(dimensions) == 5
    assert set(nested_weights(dimensions).values()) == {Fraction(1, 10)}
    table = generate_table(5000, seed=2)
    report = alkire_foster(
        table, VIETNAM_MPI_K, dimensions=dimensions, by=["commune_code", "ethnic_minority"]
    )
    assert 0 < report.total.M0 < report.total.H
    assert report.decomposition_residual("commune_code") == 0
    minority = report.groups["ethnic_minority"]
    assert minority[1].measures.M0 > minority[0].measures.M0


def test_huge_integer_sample_weights_stay_exact() -> None:
    """Sums past 2**53 leave float64 and are added as Python integers."""
    weights = [2**60, 3, 5, 7]
    report = alkire_foster(
        af2011_deprivations(), Fraction(1, 2), sample_weights=weights, by={"g": [0, 1, 1, 0]}
    )
    assert Fraction(8, 2**60 + 15) == report.total.H
    assert report.total.exact
    assert report.decomposition_residual("g") == 0
