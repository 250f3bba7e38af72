"""The review process rules of each legal period: selection, values, provenance, the loader.

Deadlines are checked against calendar facts: Tết Ất Tỵ 2025 kept public offices closed from
Monday 27/1 to Saturday 1/2 (Sunday 2/2 a weekend); Quốc khánh 2025 was Monday 1/9 and Tuesday
2/9; in 2026 Monday 31/8 was given off in exchange for working Saturday 22/8; Tết 2020 was
23/1–29/1; Hùng Kings' day 2025 was Monday 7/4.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from giamngheo.core.review import (
    STEP_KEYS,
    InvalidRules,
    UnknownRules,
    WorkCalendar,
    all_rules,
    get_rules,
    load_rules,
    rules_for,
    rules_for_adhoc,
    rules_from_dict,
)
from giamngheo.core.review.rules import DATA_DIR

CAL = WorkCalendar()
TT17 = get_rules("TT17-2016")
QD24 = get_rules("QD24-2021")
ND351 = get_rules("ND351-2025")


def raw(rules_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (DATA_DIR / f"review-{rules_id}.json").read_text(encoding="utf-8")
    )
    return data


# --- Selection ---------------------------------------------------------------------------------


def test_the_three_national_rule_sets_in_order() -> None:
    assert [r.id for r in all_rules()] == ["TT17-2016", "QD24-2021", "ND351-2025"]
    assert all(r.national and r.based_on is None for r in all_rules())


@pytest.mark.parametrize(
    ("year", "rules_id"),
    [
        (2016, "TT17-2016"),
        (2020, "TT17-2016"),
        (2021, "QD24-2021"),  # the baseline review for 2022–2025 ran under QĐ 24/2021
        (2025, "QD24-2021"),
        (2026, "ND351-2025"),
        (2035, "ND351-2025"),
    ],
)
def test_rules_for_review_year(year: int, rules_id: str) -> None:
    assert rules_for(year).id == rules_id


def test_no_rules_before_2016_with_a_bilingual_message() -> None:
    with pytest.raises(UnknownRules) as exc:
        rules_for(2015)
    assert isinstance(exc.value, LookupError)
    msg = str(exc.value)
    assert "2015" in msg and "Không có" in msg and "no periodic review rules" in msg
    with pytest.raises(UnknownRules, match="QD99"):
        get_rules("QD99")


@pytest.mark.parametrize(
    ("received", "rules_id"),
    [
        (date(2016, 8, 15), "TT17-2016"),
        (date(2021, 8, 31), "TT17-2016"),  # QĐ 24/2021 in force from 1/9/2021
        (date(2021, 9, 1), "QD24-2021"),
        (date(2026, 6, 1), "QD24-2021"),  # 2026 keeps QĐ 24/2021 and NĐ 07/2021
        (date(2027, 1, 4), "ND351-2025"),
    ],
)
def test_rules_for_adhoc_by_day_received(received: date, rules_id: str) -> None:
    assert rules_for_adhoc(received).id == rules_id


def test_no_adhoc_rules_before_tt17() -> None:
    with pytest.raises(UnknownRules, match="2016-08-15"):
        rules_for_adhoc(date(2016, 8, 14))


# --- Values and provenance -----------------------------------------------------------------------


def test_steps_in_order_with_names() -> None:
    for r in all_rules():
        assert tuple(s.key for s in r.steps) == STEP_KEYS
        assert all(s.name_vi and s.name_en for s in r.steps)
        assert r.steps[0].anchor == "window_start"
        assert r.step("report").anchor == "window_end"
        assert r.step("report").provenance.basis == "legal"
        for key in ("list", "assign", "survey", "meeting", "complaints", "decision"):
            assert r.step(key).provenance.basis == "suggested", (r.id, key)


def test_windows() -> None:
    assert TT17.window_dates(2019) == (date(2019, 9, 1), date(2019, 12, 31))
    assert TT17.window.provenance.provisional and TT17.window.provenance.confidence == "L"
    assert QD24.window_dates(2025) == (date(2025, 9, 1), date(2025, 12, 14))
    assert not QD24.window.provenance.provisional and QD24.window.provenance.confidence == "H"
    assert ND351.window_dates(2026) == (date(2026, 9, 1), date(2026, 12, 14))
    assert ND351.window.provenance.provisional


def test_posting_is_law_for_tt17_and_provisional_for_qd24() -> None:
    assert (TT17.posting.days, TT17.posting.unit) == (7, "working")
    assert TT17.posting.provenance.basis == "legal"
    assert TT17.posting.provenance.confidence == "H"
    assert not TT17.posting.provenance.provisional
    assert (QD24.posting.days, QD24.posting.unit) == (3, "working")
    assert QD24.posting.provenance.confidence == "L" and QD24.posting.provenance.provisional
    assert (ND351.posting.days, ND351.posting.unit) == (3, "working")
    assert ND351.posting.provenance.provisional


def test_complaint_response_is_a_provisional_setting() -> None:
    for r in all_rules():
        p = r.complaint_response.provenance
        assert p.basis == "suggested" and p.provisional and p.note is not None
        assert r.step("complaints").provenance.provisional


def test_every_provisional_value_says_why_and_every_low_confidence_value_is_provisional() -> None:
    for r in all_rules():
        for path, p in r.provisional_values():
            assert p.note is not None and p.note.vi and p.note.en, (r.id, path)
    # The loader refuses an L value not marked provisional (see the loader tests below).


def test_everything_nd351_inherits_is_provisional() -> None:
    paths = {path for path, _ in ND351.provisional_values()}
    expected = {
        "window",
        *(f"steps.{k}" for k in STEP_KEYS),
        "complaint_response",
        "vote",
        "minutes_copies",
        "adhoc.cycle",
        "adhoc.join",
        "adhoc.decision",
        "monthly_report",
        "yearly_reports",
        "chain",
        "forms.application",
        "forms.escape_application",
        "forms.phieu_a",
        "forms.phieu_b",
        "forms.certificate",
        "cited.decision",
        "cited.certificate",
    }
    assert paths == expected
    assert ND351.last_year is None


def test_qd24_firm_values_are_not_provisional() -> None:
    paths = {path for path, _ in QD24.provisional_values()}
    for firm in ("window", "vote", "minutes_copies", "adhoc.cycle", "adhoc.decision"):
        assert firm not in paths
    for firm in ("monthly_report", "yearly_reports", "steps.report", "forms.certificate"):
        assert firm not in paths
    assert {"steps.posting", "steps.complaints", "complaint_response", "adhoc.join"} <= paths


def test_vote_at_least_half_of_attendees() -> None:
    assert QD24.vote.passes(5, 10)
    assert not QD24.vote.passes(4, 10)
    assert QD24.vote.passes(3, 5)
    assert not QD24.vote.passes(2, 5)
    assert QD24.vote.provenance.confidence == "H"
    assert TT17.vote.provenance.provisional
    with pytest.raises(ValueError, match=" / "):
        QD24.vote.passes(11, 10)
    with pytest.raises(ValueError):
        QD24.vote.passes(0, 0)


def test_two_copies_of_the_minutes() -> None:
    assert all(r.minutes_copies.count == 2 for r in all_rules())


# --- Ad-hoc (regular) review --------------------------------------------------------------------


def test_tt17_adhoc_seven_working_days_across_tet_2020() -> None:
    # Received Monday 20/1/2020; working days after: 21, 22, (23–29 Tết), 30, 31/1, 3, 4, 5/2.
    d = TT17.adhoc_due(date(2020, 1, 20), CAL)
    assert d.cycle_start == date(2020, 1, 20)
    assert d.decision_due == date(2020, 2, 5)
    assert not d.provisional


def test_tt17_adhoc_across_national_day_2019() -> None:
    # Received Wednesday 28/8/2019: 29, 30/8, (31/8, 1/9 weekend, 2/9 Quốc khánh), 3, 4, 5, 6,
    # 9/9 -> the seventh working day is Monday 9/9.
    assert TT17.adhoc_due(date(2019, 8, 28), CAL).decision_due == date(2019, 9, 9)


def test_qd24_adhoc_cycle_near_tet_2025() -> None:
    # Received 10/1/2025 -> the cycle of 15/1; 15 days later is Thursday 30/1 (Tết, closed
    # 27/1–2/2) -> Monday 3/2/2025.
    d = QD24.adhoc_due(date(2025, 1, 10), CAL)
    assert d.cycle_start == date(2025, 1, 15)
    assert d.decision_due == date(2025, 2, 3)
    assert d.provisional  # which cycle an application joins is an assumption
    assert any("15" in n.vi for n in d.notes)


def test_qd24_adhoc_cycle_near_national_day_2025() -> None:
    # Cycle 15/8/2025 + 15 days = Saturday 30/8; 31/8 Sunday, 1/9 and 2/9 Quốc khánh
    # -> Wednesday 3/9/2025.
    assert QD24.adhoc_due(date(2025, 8, 12), CAL).decision_due == date(2025, 9, 3)
    # An extra day off on 3/9 moves it to Thursday 4/9.
    cal = WorkCalendar(extra_days_off=[date(2025, 9, 3)])
    assert QD24.adhoc_due(date(2025, 8, 12), cal).decision_due == date(2025, 9, 4)


def test_qd24_which_cycle_an_application_joins() -> None:
    assert QD24.adhoc_due(date(2025, 8, 15), CAL).cycle_start == date(2025, 8, 15)
    # After the 15th: the next month's cycle, 15/9 + 15 = Tuesday 30/9/2025.
    late = QD24.adhoc_due(date(2025, 8, 16), CAL)
    assert late.cycle_start == date(2025, 9, 15)
    assert late.decision_due == date(2025, 9, 30)
    assert QD24.adhoc_due(date(2025, 12, 20), CAL).cycle_start == date(2026, 1, 15)


def test_nd351_adhoc_inherits_and_is_provisional() -> None:
    # Cycle 15/8/2026 + 15 = Sunday 30/8; Monday 31/8 off (swap for Saturday 22/8), 1/9 and
    # 2/9 Quốc khánh -> Thursday 3/9/2026.
    d = ND351.adhoc_due(date(2026, 8, 3), CAL)
    assert d.cycle_start == date(2026, 8, 15)
    assert d.decision_due == date(2026, 9, 3)
    assert d.provisional


# --- Reports -------------------------------------------------------------------------------------


def test_qd24_monthly_report_on_the_5th_february_to_september() -> None:
    # The reports of 5/2 to 5/9 cover January to August.
    for month in range(1, 9):
        assert QD24.monthly_report_due(2025, month) == date(2025, month + 1, 5)
    for month in range(9, 13):
        assert QD24.monthly_report_due(2025, month) is None
    assert not QD24.monthly_report.provenance.provisional


def test_monthly_report_moved_to_a_working_day_on_request() -> None:
    # March 2025's report: Saturday 5/4; 6/4 Sunday; Monday 7/4 Hùng Kings' day -> Tuesday 8/4.
    assert QD24.monthly_report_due(2025, 3) == date(2025, 4, 5)
    assert QD24.monthly_report_due(2025, 3, CAL) == date(2025, 4, 8)


def test_tt17_monthly_report_every_month_provisional() -> None:
    assert TT17.monthly_report_due(2019, 12) == date(2020, 1, 5)
    assert TT17.monthly_report_due(2019, 10) == date(2019, 11, 5)
    assert TT17.monthly_report.provenance.provisional
    with pytest.raises(ValueError, match="month must be 1 to 12"):
        TT17.monthly_report_due(2019, 13)


def test_yearly_report_dates() -> None:
    assert TT17.yearly_report_dates(2019) == (date(2019, 11, 15), date(2019, 12, 15))
    assert QD24.yearly_report_dates(2024) == (date(2024, 11, 15), date(2024, 12, 20))
    assert ND351.yearly_reports.provenance.provisional


# --- Chain, forms, cited bases -------------------------------------------------------------------


def test_chain_drops_the_district_where_there_is_none() -> None:
    full = [lv.key for lv in QD24.chain_for(True)]
    assert full == ["commune_committee", "commune_chairman", "district", "province"]
    assert [lv.key for lv in QD24.chain_for(False)] == [
        "commune_committee",
        "commune_chairman",
        "province",
    ]
    assert "district" not in [lv.key for lv in ND351.chain_for(True)]
    assert ND351.chain_provenance.provisional


def test_form_names() -> None:
    assert TT17.forms["application"].code == "Mẫu 1a (TT 14/2018)"
    assert TT17.forms["escape_application"].provenance.provisional
    assert TT17.forms["certificate"].provenance.provisional
    assert QD24.forms["application"].code == "Mẫu số 01"
    assert QD24.forms["escape_application"].code == "Mẫu số 04"
    cert = QD24.forms["certificate"]
    assert cert.code == "Mẫu số 03" and cert.instrument == "QĐ 24/2021/QĐ-TTg"
    assert cert.number_suffix == "GCN-HN.HCN"
    assert "Phiếu A" in QD24.forms["phieu_a"].code and "Phiếu B" in QD24.forms["phieu_b"].code
    assert all(f.provenance.provisional for f in ND351.forms.values())


def test_cited_bases_are_versioned() -> None:
    qd24 = QD24.cited["certificate"].for_year(2024)
    assert any("07/2021/NĐ-CP" in line for line in qd24)
    assert any("năm 2024" in line for line in qd24)
    assert not any("{year}" in line for line in qd24)
    nd351 = ND351.cited["certificate"].for_year(2026)
    assert any("351/2025/NĐ-CP" in line for line in nd351)
    assert not any("07/2021" in line for line in nd351)
    assert ND351.cited["decision"].provenance.provisional
    assert any("24/2021/QĐ-TTg" in line for line in QD24.cited["decision"].lines)
    assert any("17/2016" in line for line in TT17.cited["decision"].lines)


# --- A unit's own file and the loader's errors ---------------------------------------------------


def write(tmp_path: Path, data: Any, name: str = "rules.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_a_province_file_based_on_a_national_set(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        {
            "based_on": "QD24-2021",
            "id": "QD24-2021-KonTum",
            "steps": {"posting": {"days": 5}},
        },
    )
    r = load_rules(p)
    assert r.id == "QD24-2021-KonTum" and not r.national and r.based_on == "QD24-2021"
    assert (r.posting.days, r.posting.unit) == (5, "working")
    assert r.step("posting").provenance.provisional  # inherited provenance kept
    assert r.window == QD24.window
    assert r.source == str(p)


def test_a_complete_file_loads_and_toml_too(tmp_path: Path) -> None:
    r = load_rules(write(tmp_path, raw("TT17-2016")))
    assert r.posting.days == 7 and r.national
    toml = tmp_path / "own.toml"
    toml.write_text('based_on = "TT17-2016"\nid = "own"\n', encoding="utf-8")
    assert load_rules(toml).id == "own"


def error_of(tmp_path: Path, data: Any) -> str:
    with pytest.raises(InvalidRules) as exc:
        load_rules(write(tmp_path, data))
    msg = str(exc.value)
    assert "rules.json" in msg and " / " in msg  # names the file; bilingual
    return msg


def test_malformed_json(tmp_path: Path) -> None:
    p = tmp_path / "rules.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidRules, match=r"rules\.json"):
        load_rules(p)
    assert "expected an object" in error_of(tmp_path, [1, 2])


def test_unknown_base(tmp_path: Path) -> None:
    msg = error_of(tmp_path, {"based_on": "QD99", "id": "x"})
    assert "based_on" in msg and "QD24-2021" in msg


def test_missing_step(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    del data["steps"]["report"]
    assert "steps.report" in error_of(tmp_path, data)


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["posting_days"] = 3
    assert "posting_days" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["steps"]["posting"]["dayz"] = 3
    assert "steps.posting.dayz" in error_of(tmp_path, data)


def test_bad_unit_and_days(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["steps"]["posting"]["unit"] = "weeks"
    assert "steps.posting.unit" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["adhoc"]["decision"]["days"] = -1
    assert "adhoc.decision.days" in error_of(tmp_path, data)


def test_low_confidence_must_be_provisional(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["steps"]["posting"]["provisional"] = False
    msg = error_of(tmp_path, data)
    assert "steps.posting.provisional" in msg and "provisional: true" in msg


def test_provisional_needs_a_note(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    del data["complaint_response"]["note_vi"]
    del data["complaint_response"]["note_en"]
    assert "complaint_response.note_vi/note_en" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    del data["window"]["note_en"]
    assert "window.note_vi/note_en" in error_of(tmp_path, data)


def test_suggested_value_has_no_confidence(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["steps"]["list"]["confidence"] = "H"
    assert "steps.list.confidence" in error_of(tmp_path, data)


def test_first_step_cannot_follow_a_previous_one(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["steps"]["list"]["from"] = "previous"
    assert "steps.list.from" in error_of(tmp_path, data)


def test_window_and_dates(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["window"]["start"] = "9-1"
    assert "window.start" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["window"]["end"] = "08-31"
    assert "window.end" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["adhoc_from"] = "01/09/2021"
    assert "adhoc_from" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["legal_bases"][0]["signed"] = "16/07/2021"
    assert "legal_bases[0].signed" in error_of(tmp_path, data)


def test_schema_vote_and_months(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    data["schema"] = 2
    assert "schema" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["vote"]["threshold"] = 50
    assert "vote.threshold" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["monthly_report"]["months"] = [1, 13]
    assert "monthly_report.months" in error_of(tmp_path, data)


def test_monthly_cycle_needs_a_joining_rule(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    del data["adhoc"]["join"]
    assert "adhoc.join" in error_of(tmp_path, data)
    data = raw("TT17-2016")
    data["adhoc"]["cycle"]["day"] = 15
    assert "adhoc.cycle" in error_of(tmp_path, data)


def test_missing_form_and_cited_lines(tmp_path: Path) -> None:
    data = raw("QD24-2021")
    del data["forms"]["certificate"]["number_suffix"]
    assert "forms.certificate.number_suffix" in error_of(tmp_path, data)
    data = raw("QD24-2021")
    data["cited_bases"]["decision"]["lines"] = []
    assert "cited_bases.decision.lines" in error_of(tmp_path, data)


def test_rules_from_dict_names_its_source() -> None:
    with pytest.raises(InvalidRules, match=r"^own\.json: id: "):
        rules_from_dict({"schema": 1}, source="own.json")
