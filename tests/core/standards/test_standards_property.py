"""Property: the batch path and the per-household path agree on every row.

Random households with incomes and scores drawn on every line and cut (and one either side),
random areas and flags, every standard, with invalid rows mixed in; both all-text columns (as
from CSV/XLSX) and typed columns (as from Parquet).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamngheo.core.standards import (
    NATIONAL_STANDARD_IDS,
    InvalidHousehold,
    Standard,
    classify_household,
    get_standard,
    standard_from_dict,
)
from giamngheo.core.standards.batch import DISAGREEMENT_COLUMN, classify_batch

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def critical_incomes(std: Standard) -> list[int]:
    points = {0}
    for lines in std.lines.values():
        for v in (lines.poverty, lines.near_poverty, lines.medium_upper):
            if v is not None:
                points |= {v - 1, v, v + 1}
    return sorted(points)


def critical_scores(std: Standard) -> list[int]:
    points = {0}
    if std.score_rule is not None:
        for cuts in std.score_rule.cuts.values():
            for v in (cuts.poor, cuts.near_poor):
                if v is not None:
                    points |= {v - 1, v, v + 1}
    else:
        points |= {100, 140}
    return sorted(points)


GOOD_AREAS = ["rural", "urban", "Nông thôn", "Thành thị", "URBAN", "nong thon", "Đô thị"]
BAD_AREAS = ["", "suburb", None]


@st.composite
def table(draw: st.DrawFn, typed: bool) -> tuple[Standard, dict[str, str], list[dict[str, Any]]]:
    std = get_standard(draw(st.sampled_from(NATIONAL_STANDARD_IDS)))
    vietnamese = draw(st.booleans())
    names = {
        "household_id": "Mã hộ" if vietnamese else "household_id",
        "area": "Khu vực" if vietnamese else "area",
        "income": "Thu nhập bình quân đầu người/tháng" if vietnamese else "income",
        "income_score": (
            std.score_rule.headings_vi[0] if vietnamese and std.score_rule else "income_score"
        ),
    }
    for ind in std.indicators:
        names[ind.column] = ind.name_vi if vietnamese else ind.column
    with_income = draw(st.booleans()) or True
    with_score = draw(st.booleans())
    foreign = draw(st.sampled_from([None, "dep_info_access", "dep_waste", "dep_other"]))
    if foreign in names:
        foreign = None
    incomes, scores = critical_incomes(std), critical_scores(std)
    n = draw(st.integers(1, 30))
    rows: list[dict[str, Any]] = []
    for i in range(n):
        bad = draw(st.integers(0, 9)) == 0  # about one row in ten has a problem
        row: dict[str, Any] = {}
        row[names["household_id"]] = f"H{i}" if not bad or draw(st.booleans()) else ""
        row[names["area"]] = draw(st.sampled_from(GOOD_AREAS + (BAD_AREAS if bad else [])))
        if with_income:
            choice = draw(st.integers(0, 9))
            income: Any = (
                draw(st.sampled_from(incomes))
                if choice < 7
                else draw(st.integers(0, 4_000_000))
                if choice < 9
                else None
            )
            if bad and draw(st.booleans()):
                income = draw(
                    st.sampled_from([-1, -700_000] + ([] if typed else ["abc", "1.500.000"]))
                )
            row[names["income"]] = income
        if with_score:
            s: Any = draw(st.sampled_from(scores)) if draw(st.integers(0, 3)) else None
            if typed and s is not None and draw(st.booleans()):
                s = s + 0.5
            if bad and draw(st.booleans()):
                s = draw(st.sampled_from([-1] + ([] if typed else ["x"])))
            row[names["income_score"]] = s
        for ind in std.indicators:
            v: Any = draw(st.sampled_from([0, 1]))
            if bad and draw(st.integers(0, 5)) == 0:
                v = draw(st.sampled_from([2, -1, None] + ([] if typed else ["x", "1.000"])))
            row[names[ind.column]] = v
        if foreign is not None:
            row[foreign] = draw(st.sampled_from([0, 1])) if bad and draw(st.booleans()) else None
        row["note"] = f"n{i}"
        rows.append(row)
    if not typed:
        rows = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in rows]
    return std, names, rows


def to_batch(rows: list[dict[str, Any]], typed: bool, names: dict[str, str]) -> pa.RecordBatch:
    headings = list(rows[0])
    fields = []
    for h in headings:
        t: pa.DataType
        if not typed or h in (names["household_id"], names["area"], "note"):
            t = pa.string()
        elif h == names["income"]:
            t = pa.int64()
        elif h == names["income_score"]:
            t = pa.float64()
        else:
            t = pa.int8()
        fields.append(pa.field(h, t))
    schema = pa.schema(fields)
    return pa.RecordBatch.from_pylist(rows, schema=schema)


def check_agreement(std: Standard, batch: pa.RecordBatch) -> None:
    # The per-household path gets each row as the batch holds it (e.g. -1.0 in a float column).
    rows = batch.to_pylist()
    result = classify_batch(batch, std, first_row=1)
    out = result.batch.to_pylist()
    rejected: dict[int, set[tuple[str, str, str]]] = {}
    for r in result.rejections:
        rejected.setdefault(r.row, set()).add((r.household_id, r.field, r.message_en))
    kept = iter(out)
    for number, record in enumerate(rows, start=1):
        try:
            expected = classify_household(record, std)
        except InvalidHousehold as exc:
            want = {(exc.household_id, e.field, e.message_en) for e in exc.errors}
            assert rejected.get(number) == want, (number, record)
            continue
        assert number not in rejected, (number, record, rejected.get(number))
        got = next(kept)
        assert got["household_id"] == expected.household_id
        assert got["standard"] == std.id
        assert got["classification"] == expected.classification, (record, got)
        assert got["poor_basis"] == expected.poor_basis, (record, got)
        assert got["deprivation_count"] == expected.deprivation_count
        assert got["deprived"] == expected.deprived_text
        if DISAGREEMENT_COLUMN in got:
            assert got[DISAGREEMENT_COLUMN] == expected.income_score_disagreement
        assert got["note"] == record["note"]
    assert next(kept, None) is None
    assert result.rejected_rows == len(rejected)


@SETTINGS
@given(table(typed=False))
def test_batch_agrees_with_per_household_on_text_columns(
    case: tuple[Standard, dict[str, str], list[dict[str, Any]]],
) -> None:
    std, names, rows = case
    check_agreement(std, to_batch(rows, typed=False, names=names))


@SETTINGS
@given(table(typed=True))
def test_batch_agrees_with_per_household_on_typed_columns(
    case: tuple[Standard, dict[str, str], list[dict[str, Any]]],
) -> None:
    std, names, rows = case
    check_agreement(std, to_batch(rows, typed=True, names=names))


def test_every_line_exactly_in_both_paths() -> None:
    """Not random: every critical income x area x deprivation count 2 and 3, every standard."""
    for sid in NATIONAL_STANDARD_IDS:
        std = get_standard(sid)
        rows = []
        for area in ("rural", "urban"):
            for income in critical_incomes(std):
                for d in (0, 2, 3, len(std.indicators)):
                    row: dict[str, Any] = {
                        "household_id": f"{area}-{income}-{d}",
                        "area": area,
                        "income": income,
                        "note": "",
                    }
                    row.update({c: int(i < d) for i, c in enumerate(std.deprivation_columns)})
                    rows.append(row)
        names = {
            "household_id": "household_id",
            "area": "area",
            "income": "income",
            "income_score": "income_score",
        }
        check_agreement(std, to_batch(rows, typed=True, names=names))
        text_rows = [{k: str(v) for k, v in r.items()} for r in rows]
        check_agreement(std, to_batch(text_rows, typed=False, names=names))


def test_local_standards_with_16_and_more_indicators_use_the_same_rules() -> None:
    """Wider bit masks: int32 dictionary indices at 16 indicators, plain strings above."""
    for width in (16, 17):
        std = standard_from_dict(
            {
                "based_on": "ND07-2021",
                "id": f"WIDE-{width}",
                "dimensions": [
                    {
                        "key": "all",
                        "name_vi": "Tất cả",
                        "name_en": "All",
                        "indicators": [
                            {"key": f"i{j}", "name_vi": f"Chỉ số {j}", "name_en": f"Indicator {j}"}
                            for j in range(width)
                        ],
                    }
                ],
            }
        )
        rows = []
        for n, income in enumerate((1_000_000, 1_500_000, 1_500_001, 2_250_001)):
            for d in (0, 2, 3, width):
                row: dict[str, Any] = {
                    "household_id": f"W{n}-{d}",
                    "area": "rural",
                    "income": income,
                    "note": "",
                }
                row.update({c: int(i >= width - d) for i, c in enumerate(std.deprivation_columns)})
                rows.append(row)
        names = {
            "household_id": "household_id",
            "area": "area",
            "income": "income",
            "income_score": "income_score",
        }
        check_agreement(std, to_batch(rows, typed=True, names=names))
