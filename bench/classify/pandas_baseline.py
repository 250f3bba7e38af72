"""The comparison program: NĐ 07/2021 classification as a data analyst would write it in pandas.

    python bench/classify/pandas_baseline.py INPUT.parquet OUTPUT.parquet

Same rules and the same output columns as ``giamngheo classify --standard ND07-2021``:
household_id, standard, classification, poor_basis, deprivation_count, deprived, then the input
columns. No validation (the analyst trusts the file). Lines are typed in, as an analyst would.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

STANDARD = "ND07-2021"
LINE = {"rural": 1_500_000, "urban": 2_000_000}  # VND per person per month
MEDIUM_FACTOR = 1.5
CUTOFF = 3
INDICATORS = [
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_access",
]


def main(src: str, dst: str) -> None:
    df = pd.read_parquet(src)
    dep_cols = [f"dep_{k}" for k in INDICATORS]
    count = df[dep_cols].sum(axis=1)
    line = np.where(df["area"] == "urban", LINE["urban"], LINE["rural"])
    income = df["income"]
    classification = np.select(
        [(income <= line) & (count >= CUTOFF), income <= line, income <= MEDIUM_FACTOR * line],
        ["poor", "near_poor", "medium"],
        default="non_poor",
    )
    deprived = pd.Series("", index=df.index, dtype="str")
    for key, col in zip(INDICATORS, dep_cols, strict=True):
        deprived = deprived + np.where(df[col] == 1, key + ";", "")
    deprived = deprived.str.rstrip(";")

    result = pd.DataFrame(
        {
            "household_id": df["household_id"],
            "standard": STANDARD,
            "classification": classification,
            "poor_basis": "",
            "deprivation_count": count.astype("int8"),
            "deprived": deprived,
        }
    )
    out = pd.concat([result, df.drop(columns=["household_id"])], axis=1)
    out.to_parquet(dst, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
