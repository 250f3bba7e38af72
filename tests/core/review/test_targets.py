"""One campaign, several lists: national, local, medium farm households, low-income workers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from giamngheo.core.review.targets import (
    TARGET_GROUPS_FILE,
    ReviewDataError,
    TargetInputError,
    TargetResult,
    classify_targets,
    load_target_groups,
)
from giamngheo.core.standards import Standard, get_standard, load_standard

BAC_NINH = TARGET_GROUPS_FILE.parent / "local-BacNinh-2025.json"
ND07 = get_standard("ND07-2021")
ND351 = get_standard("ND351-2025")
GROUPS = load_target_groups()
WORKER = {"birth_year": 1985, "sex": "male", "work_status": "employed"}


def record(
    income: float | None,
    *,
    area: str = "rural",
    deprived: tuple[str, ...] = (),
    farm: object = False,
    std: Standard = ND07,
) -> dict[str, object]:
    rec: dict[str, object] = {"household_id": "H1", "area": area, "farm": farm}
    if income is not None:
        rec["income"] = income
    for key in std.indicator_keys:
        rec[f"dep_{key}"] = int(key in deprived)
    return rec


THREE = ("water", "sanitation", "telecom")


def targets(
    rec: dict[str, object], members: list[dict[str, Any]] | None = None, **kw: Any
) -> TargetResult:
    kw.setdefault("local", None)
    kw.setdefault("year", 2025)
    std = kw.pop("std", ND07)
    return classify_targets(rec, members or [WORKER], std, groups=GROUPS, **kw)


# --- low-income workers (NĐ 30/2025) --------------------------------------------------------
@pytest.mark.parametrize(
    ("area", "income", "expected"),
    [
        ("rural", 2_250_000, (0,)),
        ("rural", 2_250_001, ()),
        ("urban", 3_000_000, (0,)),
        ("urban", 3_000_001, ()),
        ("urban", 2_500_000, (0,)),
    ],
)
def test_low_income_threshold_boundaries(area: str, income: int, expected: tuple[int, ...]) -> None:
    r = targets(record(income, area=area))
    assert r.national.classification in ("medium", "non_poor")
    assert r.low_income_members == expected
    assert r.low_income_rule == "ND30-2025"


@pytest.mark.parametrize(
    ("income", "deprived", "cls"),
    [(1_000_000, THREE, "poor"), (1_000_000, (), "near_poor"), (1_500_000, (), "near_poor")],
)
def test_never_low_income_in_poor_or_near_poor_households(
    income: int, deprived: tuple[str, ...], cls: str
) -> None:
    r = targets(record(income, deprived=deprived))
    assert r.national.classification == cls
    assert r.low_income_members == ()


def test_which_members_count() -> None:
    members = [
        {"birth_year": 1985, "sex": "male", "work_status": "employed"},  # 40: counts
        {"birth_year": 2010, "sex": "female", "work_status": "employed"},  # 15: counts
        {"birth_year": 2011, "sex": "female", "work_status": "employed"},  # 14: too young
        {"birth_year": 2005, "sex": "male", "work_status": "studying"},
        {"birth_year": 1990, "sex": "female", "work_status": "not_employed"},
        {"birth_year": 1964, "sex": "male", "work_status": "employed"},  # 61 in 2025: counts
        {"birth_year": 1963, "sex": "male", "work_status": "employed"},  # 62: retired
        {"birth_year": 1968, "sex": "female", "work_status": "employed"},  # 57 in 2025: retired
    ]
    assert targets(record(2_000_000), members).low_income_members == (0, 1, 5)
    # A year later member 2 turns 15 and member 5 turns 62; a woman's retirement age reaches
    # 57 (NĐ 135/2020): member 7 (58 then) is still out, a woman aged 57 in 2026 counts.
    later = [*members, {"birth_year": 1969, "sex": "female", "work_status": "employed"}]
    assert targets(record(2_000_000), later, year=2026).low_income_members == (0, 1, 2, 8)


def test_no_low_income_rule_outside_its_years() -> None:
    rec = record(2_000_000, std=ND351)
    r = targets(rec, std=ND351, year=2027)
    assert r.low_income_rule is None
    assert r.low_income_members == ()
    assert any("2027" in n for n in r.notes_en)


def test_bad_member_is_named() -> None:
    members = [WORKER, {"birth_year": 1990, "sex": "male"}]
    with pytest.raises(TargetInputError) as exc:
        targets(record(2_000_000), members)
    assert exc.value.field == "members[1].work_status"
    assert "thành viên thứ 2" in str(exc.value) and "member no. 2" in str(exc.value)


# --- local standard (Bắc Ninh) --------------------------------------------------------------
def test_bac_ninh_file_loads_as_a_local_standard() -> None:
    bn = load_standard(BAC_NINH)
    assert not bn.national
    assert bn.based_on == "ND07-2021"
    assert bn.lines["rural"].near_poverty == 1_750_000
    assert bn.lines["urban"].near_poverty == 2_250_000
    assert bn.indicator_keys == ND07.indicator_keys
    assert bn.score_rule is None  # the A-score cut of the provincial line is not published


@pytest.mark.parametrize(
    ("area", "income", "deprived", "national", "local"),
    [
        ("rural", 1_600_000, THREE, "medium", "poor"),
        ("rural", 1_750_000, (), "medium", "near_poor"),
        ("rural", 1_750_001, THREE, "medium", "non_poor"),
        ("urban", 2_200_000, THREE, "medium", "poor"),
    ],
)
def test_local_standard_beside_the_national(
    area: str, income: int, deprived: tuple[str, ...], national: str, local: str
) -> None:
    bn = load_standard(BAC_NINH)
    r = targets(record(income, area=area, deprived=deprived), local=bn)
    assert r.national.classification == national
    assert r.national.standard == "ND07-2021"
    assert r.local is not None
    assert r.local.classification == local
    assert r.local.standard == "BacNinh-2025"
    note = r.explain()
    assert "BacNinh-2025" in note.vi and "BacNinh-2025" in note.en


def test_standard_roles_are_checked() -> None:
    bn = load_standard(BAC_NINH)
    with pytest.raises(ValueError, match="local standard"):
        targets(record(2_000_000), std=bn)
    with pytest.raises(ValueError, match="national standard"):
        targets(record(2_000_000), local=ND07)


# --- medium-living-standard farm households --------------------------------------------------
@pytest.mark.parametrize(
    ("income", "farm", "expected"),
    [
        (1_500_001, True, True),
        (2_250_000, True, True),
        (2_250_001, True, False),
        (2_000_000, False, False),
        (2_000_000, "có", True),
        (1_200_000, True, False),  # near-poor, not medium
    ],
)
def test_medium_farm_under_nd07(income: int, farm: object, expected: bool) -> None:
    assert targets(record(income, farm=farm)).medium_farm is expected


def test_medium_band_unknown_under_nd351() -> None:
    r = targets(record(2_500_000, farm=True, std=ND351), std=ND351, year=2027)
    assert r.national.classification == "non_poor"  # never 1.5 × line
    assert r.medium_farm is None
    assert any("ND351-2025" in n and "medium band" in n for n in r.notes_en)


def test_farm_flag_missing_or_bad() -> None:
    r = targets(record(2_000_000, farm=None))
    assert r.medium_farm is None
    with pytest.raises(TargetInputError) as exc:
        targets(record(2_000_000, farm="maybe"))
    assert exc.value.field == "farm"


# --- storage and explanation ------------------------------------------------------------------
def test_json_round_trip() -> None:
    bn = load_standard(BAC_NINH)
    members = [WORKER, {"birth_year": 2015, "sex": "female", "work_status": "studying"}]
    r = targets(record(1_600_000, deprived=THREE, farm=True), members, local=bn)
    stored = json.loads(json.dumps(r.to_json()))
    assert stored["low_income_members"] == [0]
    assert stored["local"]["classification"] == "poor"
    assert TargetResult.from_json(stored) == r
    with pytest.raises(ValueError, match="schema"):
        TargetResult.from_json({**stored, "schema": 99})
    with pytest.raises(ValueError, match="missing or bad key"):
        TargetResult.from_json({k: v for k, v in stored.items() if k != "national"})


def test_explain_names_every_list() -> None:
    r = targets(record(2_000_000, farm=True))
    note = r.explain()
    assert "hộ có mức sống trung bình" in note.vi
    assert "Medium-living-standard farm household: yes" in note.en
    assert "thành viên thứ 1" in note.vi
    assert "identified on application" in note.en
    poor = targets(record(1_000_000, deprived=THREE)).explain()
    assert "not assessed: the household is poor" in poor.en


# --- the data file ----------------------------------------------------------------------------
def test_shipped_target_groups() -> None:
    rule = GROUPS.low_income_rule(2025)
    assert rule is not None
    assert dict(rule.income_max) == {"rural": 2_250_000, "urban": 3_000_000}
    assert rule.signed == "2025-02-24"
    assert rule.years == (2025, 2026)
    assert rule.members.provisional and rule.members.confidence == "L"
    assert GROUPS.low_income_rule(2024) is None


def _groups_file(tmp_path: Path, change: Any) -> Path:
    data = json.loads(TARGET_GROUPS_FILE.read_text(encoding="utf-8"))
    change(data["low_income_worker"][0])
    path = tmp_path / "groups.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_loader_errors_name_file_and_key(tmp_path: Path) -> None:
    path = _groups_file(tmp_path, lambda d: d["income_max"].pop("urban"))
    with pytest.raises(ReviewDataError) as exc:
        load_target_groups(path)
    assert exc.value.key == "low_income_worker[0].income_max.urban"
    assert str(path) in str(exc.value) and "số nguyên" in str(exc.value)

    path = _groups_file(tmp_path, lambda d: d["members"]["max_age_by_year"].pop("2026"))
    with pytest.raises(ReviewDataError, match=r"max_age_by_year\.2026"):
        load_target_groups(path)

    path = _groups_file(tmp_path, lambda d: d.update(excluded_classes=["poorish"]))
    with pytest.raises(ReviewDataError, match="poorish"):
        load_target_groups(path)

    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ReviewDataError, match="not valid JSON"):
        load_target_groups(bad)
