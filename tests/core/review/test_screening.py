"""Phiếu A quick screening: pass, fail, and strict answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from giamngheo.core.review.screening import (
    PHIEU_A_FILE,
    ReviewDataError,
    ScreeningError,
    load_phieu_a,
    screen,
)

FORM = load_phieu_a()
NO = dict.fromkeys(FORM.keys, False)


def test_question_keys_are_stable() -> None:
    """Stored answers are keyed by these; rename the wording, never the key."""
    assert FORM.keys == (
        "car",
        "solid_large_house",
        "regular_salary_above_line",
        "large_production_assets",
        "large_business",
        "illness_or_disability",
        "recent_shock",
    )
    assert FORM.provisional
    assert "official" in FORM.note_en and "chính thức" in FORM.note_vi


def test_no_exclusion_passes_to_phieu_b() -> None:
    s = screen(NO)
    assert s.passed
    assert s.excluded_by == ()
    assert "Phiếu B" in s.reasons_en[0]
    assert s.reasons_en[-1] == FORM.note_en  # the provisional note travels with the result


def test_an_exclusion_fails() -> None:
    s = screen({**NO, "car": True, "large_business": True})
    assert not s.passed
    assert s.excluded_by == ("car", "large_business")
    assert s.reasons_vi[0].startswith("Loại khỏi rà soát: Hộ có ô tô")
    assert s.form == "TT07-2021-PhieuA"


def test_informative_yes_does_not_exclude() -> None:
    s = screen({**NO, "recent_shock": True})
    assert s.passed
    assert any(r.startswith("Noted:") for r in s.reasons_en)


def test_missing_answer_names_the_question() -> None:
    answers = {k: v for k, v in NO.items() if k != "solid_large_house"}
    with pytest.raises(ScreeningError) as exc:
        screen(answers)
    assert exc.value.key == "solid_large_house"
    assert "chưa trả lời" in str(exc.value) and "not answered" in str(exc.value)


def test_non_boolean_and_unknown_answers() -> None:
    with pytest.raises(ScreeningError) as exc:
        screen({**NO, "car": "có"})  # type: ignore[dict-item]
    assert exc.value.key == "car"
    with pytest.raises(ScreeningError) as exc:
        screen({**NO, "boat": True})
    assert exc.value.key == "boat"


def test_loader_errors_name_file_and_key(tmp_path: Path) -> None:
    data = json.loads(PHIEU_A_FILE.read_text(encoding="utf-8"))
    data["questions"][2]["kind"] = "maybe"
    path = tmp_path / "phieu-a.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReviewDataError) as exc:
        load_phieu_a(path)
    assert exc.value.key == "questions[2].kind"
    assert str(path) in str(exc.value)

    data["questions"][2]["kind"] = "exclusion"
    data["questions"][3]["key"] = "car"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReviewDataError, match=r"questions\[3\]\.key.*duplicate"):
        load_phieu_a(path)


def test_custom_form(tmp_path: Path) -> None:
    """A corrected, non-provisional form: the answers must fit it, and no provisional note."""
    data = json.loads(PHIEU_A_FILE.read_text(encoding="utf-8"))
    data["questions"] = data["questions"][:1]
    data["provisional"] = False
    path = tmp_path / "phieu-a-official.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    form = load_phieu_a(path)
    assert screen({"car": False}, form).reasons_en == (
        "No exclusion criterion applies: go on to the Phiếu B survey",
    )
    with pytest.raises(ScreeningError, match="recent_shock"):
        screen(NO, form)
