"""The Ngọc Hồi 2019 preset reproduces the seed plan's table, checked by the real engine."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from giamngheo.core.standards import classify_household, get_standard
from giamngheo.core.synth import ngoc_hoi_2019, ngoc_hoi_2019_targets

SEED_PLAN = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "seed" / "000_10de011b70d5e53d.txt"
)
GSO_CODES = {
    "Thị trấn Plei Kần": "23377",
    "Xã Đắk Ang": "23380",
    "Xã Đắk Dục": "23383",
    "Xã Đắk Nông": "23386",
    "Xã Đắk Xú": "23389",
    "Xã Đắk Kan": "23392",
    "Xã Bờ Y": "23395",
    "Xã Sa Loong": "23398",
}


def normalise(name: str) -> str:
    """The seed writes "Đăk" where the GSO list writes "Đắk" (domain notes §9.5)."""
    return unicodedata.normalize("NFC", name).replace("Đăk", "Đắk").strip()


def number(text: str) -> int:
    return int(text.replace(".", ""))


def seed_table() -> tuple[dict[str, tuple[int, int, int]], tuple[int, int, int]]:
    """Columns 1, 2, 3 of the annex per commune, and the district total row (III)."""
    rows: dict[str, tuple[int, int, int]] = {}
    total: tuple[int, int, int] | None = None
    for line in SEED_PLAN.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) < 5 or not all(re.fullmatch(r"[\d.]+", c) for c in cells[2:5]):
            continue
        values = (number(cells[2]), number(cells[3]), number(cells[4]))
        if cells[1].startswith(("Thị trấn", "Xã")):
            rows[normalise(cells[1])] = values
        elif cells[0] == "III":
            total = values
    assert total is not None
    return rows, total


@pytest.fixture(scope="module")
def preset() -> pa.Table:
    return ngoc_hoi_2019(seed=1, verify=False)


def test_seed_annex_is_parsed_completely() -> None:
    rows, total = seed_table()
    assert set(rows) == set(GSO_CODES)
    assert tuple(sum(r[i] for r in rows.values()) for i in range(3)) == total == (15954, 8818, 791)


def test_preset_data_is_the_seed_table() -> None:
    rows, _ = seed_table()
    targets = {t.code: t for t in ngoc_hoi_2019_targets()}
    assert list(targets) == sorted(GSO_CODES.values())
    for name, (households, ethnic, poor) in rows.items():
        target = targets[GSO_CODES[name]]
        assert normalise(target.seed_name) == name
        assert (target.households, target.ethnic_minority, target.poor) == (
            households,
            ethnic,
            poor,
        )
    assert {t.area for t in targets.values() if t.code == "23377"} == {"urban"}
    assert {t.area for t in targets.values() if t.code != "23377"} == {"rural"}


def test_preset_reproduces_columns_1_to_3_commune_by_commune(preset: pa.Table) -> None:
    """Every household is classified by the standards engine under QD59-2015."""
    rows, _ = seed_table()
    standard = get_standard("QD59-2015")
    households: Counter[str] = Counter()
    ethnic: Counter[str] = Counter()
    poor: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    bases: Counter[str] = Counter()
    for record in preset.to_pylist():
        result = classify_household(record, standard)
        code = record["commune_code"]
        households[code] += 1
        ethnic[code] += record["ethnic_minority"]
        poor[code] += result.classification == "poor"
        classes[result.classification] += 1
        bases[result.poor_basis] += result.classification == "poor"
    for name, expected in rows.items():
        code = GSO_CODES[name]
        assert (households[code], ethnic[code], poor[code]) == expected, name
    # Believable rest of the distribution: a few per cent near-poor, both kinds of poor.
    assert 0.01 < classes["near_poor"] / preset.num_rows < 0.10
    assert bases["income"] > bases["deprivation"] > 0.1 * classes["poor"]


def test_preset_carries_geography_and_flags(preset: pa.Table) -> None:
    assert preset.num_rows == 15954
    assert len(set(preset.column("household_id").to_pylist())) == preset.num_rows
    names = dict(
        zip(
            preset.column("commune_code").to_pylist(),
            preset.column("commune_name").to_pylist(),
            strict=True,
        )
    )
    assert names == {code: name for name, code in GSO_CODES.items()}
    areas = set(
        zip(
            preset.column("commune_code").to_pylist(),
            preset.column("area").to_pylist(),
            strict=True,
        )
    )
    assert areas == {(code, "urban" if code == "23377" else "rural") for code in GSO_CODES.values()}
    villages = set(preset.column("village").to_pylist())
    assert "Thôn 1" in villages
    assert "Tổ dân phố 1" in villages
    assert set(preset.column("ethnic_minority").to_pylist()) == {0, 1}


def test_preset_is_deterministic(preset: pa.Table) -> None:
    assert ngoc_hoi_2019(seed=1, verify=False).equals(preset)


def test_other_seed_differs_and_is_still_exact(preset: pa.Table) -> None:
    other = ngoc_hoi_2019(seed=2, verify=True)  # verify=True re-checks the counts with the engine
    assert not other.equals(preset)
    assert other.num_rows == preset.num_rows
