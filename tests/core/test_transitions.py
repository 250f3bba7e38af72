"""Movement tables between review years, their identities, grouping and origin codes."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamngheo.core.standards.model import Area, Classification
from giamngheo.core.transitions import (
    LIST_KINDS,
    Bucket,
    EntryReason,
    ExitReason,
    GroupDimension,
    History,
    HouseholdYear,
    ListKind,
    Measure,
    Movement,
    MovementTable,
    OriginCode,
    bucket_keys,
    figure_keys,
    histories_from_records,
    household_movement,
    movement_table,
    movement_tables,
    movement_tables_by,
    origin_code,
)

FIRST = 2018
MEASURES: tuple[Measure, ...] = ("households", "persons")
_CODES: dict[str, Classification | None] = {
    "P": "poor",
    "N": "near_poor",
    "M": "medium",
    "X": "non_poor",
    "-": None,  # a record saying the household is not in the registry that year
}


def hist(
    hid: str,
    pattern: str,
    *,
    persons: int | Sequence[int] = 4,
    unit: str | Sequence[str] = "c1",
    area: Area = "rural",
    em: bool = False,
    entry: Mapping[int, EntryReason] | None = None,
    exit_: Mapping[int, ExitReason] | None = None,
) -> History:
    """``pattern``: one character per year from 2018; ``.`` means no record that year."""
    records = []
    for i, ch in enumerate(pattern):
        if ch == ".":
            continue
        year = FIRST + i
        records.append(
            HouseholdYear(
                household_id=hid,
                year=year,
                status=_CODES[ch],
                persons=persons if isinstance(persons, int) else persons[i],
                ethnic_minority=em,
                area=area,
                unit_code=unit if isinstance(unit, str) else unit[i],
                entry_reason=(entry or {}).get(year),
                exit_reason=(exit_ or {}).get(year),
            )
        )
    return History.of(records)


def ids(bucket: Bucket) -> set[str]:
    return set(bucket.household_ids)


# A registry for the poor list, pair 2019 → 2020 (third character is 2020).
POOR_CASES = [
    hist("stay_grow", "PPP", persons=[4, 5, 7]),  # members gained: 2
    hist("stay_shrink", "PPP", persons=[4, 4, 1]),  # members lost: 3
    hist("to_near", "PPN", persons=[3, 3, 6]),
    hist("above_medium", "NPM"),
    hist("above_nonpoor", "XPX", persons=[2, 2, 2]),
    hist("away", "PP-", exit_={2020: ExitReason.MOVED_AWAY}),
    hist("dissolved", "PP-", exit_={2020: ExitReason.DISSOLVED}),
    hist("merged", ".P-", exit_={2020: ExitReason.MERGED}),
    hist("died", "PP-", persons=[1, 1, 0], exit_={2020: ExitReason.DIED_OUT}),
    hist("vanished", "PP."),  # no 2020 record at all: reason not recorded
    hist("near_to_poor", "XNP"),
    hist("near_to_poor_was_poor", "PNP"),  # precedence: near-poor → poor, not re-poor
    hist("re_poor", "PXP", persons=[5, 5, 6]),
    hist("re_poor_medium", "PMP"),
    hist("newly", "XXP", persons=[2, 2, 9]),
    hist("newly_was_near", "NMP"),  # near-poor long ago: still never poor before
    hist("moved_in", "..P", entry={2020: EntryReason.MOVED_IN}),
    hist("split_off", "..P", entry={2020: EntryReason.SPLIT_OFF}),
    hist("came_back", "P-P", entry={2020: EntryReason.MOVED_IN}),  # presence first
    hist("appeared", "X.P"),  # absent in 2019, no reason
    hist("never_poor", "XXX"),
    hist("near_stays", "NNN"),
    hist("gone_long_ago", "P-."),
]
BY_ID = {h.household_id: h for h in POOR_CASES}


def test_every_poor_bucket_holds_the_named_households() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    assert ids(t.start) == {
        "stay_grow", "stay_shrink", "to_near", "above_medium", "above_nonpoor", "away",
        "dissolved", "merged", "died", "vanished",
    }  # fmt: skip
    assert ids(t.to_other_list) == {"to_near"}
    assert ids(t.above_line) == {"above_medium", "above_nonpoor"}
    assert {r: ids(b) for r, b in t.other_decreases.items() if b.households} == {
        ExitReason.MOVED_AWAY: {"away"},
        ExitReason.DISSOLVED: {"dissolved"},
        ExitReason.MERGED: {"merged"},
        ExitReason.DIED_OUT: {"died"},
        ExitReason.UNRECORDED: {"vanished"},
    }
    assert ids(t.from_other_list) == {"near_to_poor", "near_to_poor_was_poor"}
    assert ids(t.re_entered) == {"re_poor", "re_poor_medium"}
    assert ids(t.newly) == {"newly", "newly_was_near"}
    assert {r: ids(b) for r, b in t.other_increases.items() if b.households} == {
        EntryReason.MOVED_IN: {"moved_in", "came_back"},
        EntryReason.SPLIT_OFF: {"split_off"},
        EntryReason.UNRECORDED: {"appeared"},
    }
    assert ids(t.end) == {
        "stay_grow", "stay_shrink", "near_to_poor", "near_to_poor_was_poor", "re_poor",
        "re_poor_medium", "newly", "newly_was_near", "moved_in", "split_off", "came_back",
        "appeared",
    }  # fmt: skip
    # Every reason is a key, empty or not, so the form's layout never changes.
    assert set(t.other_decreases) == set(ExitReason)
    assert set(t.other_increases) == set(EntryReason)


def test_poor_counts_identity_and_the_seed_note() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    assert (t.start.households, t.decreases.households, t.increases.households) == (10, 8, 10)
    assert t.end.households == 12 == 10 - 8 + 10
    assert t.escaped.households == 3  # became near-poor 1 + rose above the line 2
    assert ids(t.escaped) == {"to_near", "above_medium", "above_nonpoor"}
    assert t.net_reduction_by_note() == 3 - 2 - 2
    assert t.net_change() == 10 - 12


def test_poor_persons_identity_includes_size_changes_of_staying_households() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    # Start and decreases count persons in 2019, end and increases in 2020.
    assert t.start.persons == 5 + 4 + 3 + 4 + 2 + 4 + 4 + 4 + 1 + 4
    assert t.to_other_list.persons == 3
    assert t.other_decreases[ExitReason.DIED_OUT].persons == 1
    assert t.re_entered.persons == 6 + 4
    assert t.newly.persons == 9 + 4
    assert ids(t.members_gained) == {"stay_grow"}
    assert t.members_gained.persons == 2
    assert ids(t.members_lost) == {"stay_shrink"}
    assert t.members_lost.persons == 3
    assert t.end.persons == 7 + 1 + 4 + 4 + 6 + 4 + 9 + 4 + 4 + 4 + 4 + 4
    assert (
        t.end.persons
        == t.start.persons
        - t.decreases.persons
        + t.increases.persons
        + t.members_gained.persons
        - t.members_lost.persons
    )


def test_poor_reconciliation_names_every_other_movement() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    rec = t.reconciliation()
    assert (rec.net_by_note, rec.net_change) == (-1, -2)
    values = {term.key: term.value for term in rec.terms}
    assert values["from_other_list"] == 2
    assert values["other_increases:moved_in"] == 2
    assert values["other_increases:split_off"] == 1
    assert values["other_increases:unrecorded"] == 1
    assert values["other_decreases:moved_away"] == -1
    assert values["other_decreases:unrecorded"] == -1
    assert "to_other_list" not in values  # an escape for the poor list, inside the note
    assert rec.difference == rec.explained == 2 + 4 - 5 == 1
    terms = {term.key: term for term in rec.terms}
    assert terms["other_increases:moved_in"].household_ids == ("came_back", "moved_in")
    assert terms["from_other_list"].label_vi == "Hộ cận nghèo trở thành hộ nghèo"

    persons = t.reconciliation("persons")
    assert persons.difference == persons.explained
    pvalues = {term.key: term.value for term in persons.terms}
    assert (pvalues["members_gained"], pvalues["members_lost"]) == (2, -3)


def test_rates_use_every_household_present_in_each_year() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    # 2019: 23 households less moved_in, split_off, appeared (no record), came_back and
    # gone_long_ago (not in the registry) → 18.
    assert t.households_start.households == 18
    # 2020: 23 less the five that left and gone_long_ago → 17.
    assert t.households_end.households == 17
    assert t.rate_start == Fraction(10 * 100, 18)
    assert t.rate_end == Fraction(12 * 100, 17)
    assert t.rate_change_points == Fraction(1000, 18) - Fraction(1200, 17)
    assert t.gross_escape_rate == Fraction(300, 18)


def test_empty_registry_has_no_rate() -> None:
    t = movement_table([], 2019, 2020)
    assert t.start.households == t.end.households == 0
    assert t.rate_start is None and t.rate_change_points is None


NEAR_CASES = [
    hist("n_stay", "NNN", persons=[3, 3, 4]),
    hist("n_to_poor", "XNP"),
    hist("n_above", "PNM"),
    hist("n_away", "NN-", exit_={2020: ExitReason.MOVED_AWAY}),
    hist("n_from_poor", "NPN"),  # poor → near-poor, even though near-poor before
    hist("n_re", "NXN"),
    hist("n_newly", "PXN"),  # poor long ago, never near-poor: newly near-poor
    hist("n_split", "..N", entry={2020: EntryReason.SPLIT_OFF}),
    hist("p_stay", "PPP"),
]


def test_near_poor_mirror() -> None:
    t = movement_table(NEAR_CASES, 2019, 2020, list_kind="near_poor")
    assert ids(t.start) == {"n_stay", "n_to_poor", "n_above", "n_away"}
    assert ids(t.to_other_list) == {"n_to_poor"}
    assert ids(t.above_line) == {"n_above"}
    assert ids(t.other_decreases[ExitReason.MOVED_AWAY]) == {"n_away"}
    assert ids(t.from_other_list) == {"n_from_poor"}
    assert ids(t.re_entered) == {"n_re"}
    assert ids(t.newly) == {"n_newly"}
    assert ids(t.other_increases[EntryReason.SPLIT_OFF]) == {"n_split"}
    assert ids(t.end) == {"n_stay", "n_from_poor", "n_re", "n_newly", "n_split"}
    # Becoming poor is no escape from near-poverty.
    assert ids(t.escaped) == {"n_above"}
    assert t.net_reduction_by_note() == 1 - 1 - 1
    rec = t.reconciliation()
    values = {term.key: term.value for term in rec.terms}
    assert values["to_other_list"] == -1
    assert values["from_other_list"] == 1
    assert rec.net_change == 4 - 5
    assert rec.difference == rec.explained == -1 + 1 + 1 - 1 == 0
    assert t.rows()[0].label_vi == "Số hộ cận nghèo đầu kỳ"


def test_rows_follow_the_form_and_carry_the_buckets() -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    rows = {row.key: row for row in t.rows()}
    keys = [row.key for row in t.rows() if row.level < 2]
    assert keys == [
        "start", "decreases", "to_other_list", "above_line", "other_decreases", "increases",
        "from_other_list", "re_entered", "newly", "other_increases", "end",
    ]  # fmt: skip
    assert rows["other_decreases"].bucket.households == 5
    assert rows["other_decreases:died_out"].label_en == "Died out"
    assert rows["re_entered"].label_vi == "Hộ tái nghèo"
    assert rows["re_entered"].bucket == t.re_entered


@pytest.mark.parametrize("measure", MEASURES)
def test_rows_add_up_on_each_level(measure: Measure) -> None:
    t = movement_table(POOR_CASES, 2019, 2020)
    rows = t.rows(measure)
    value = {row.key: row.bucket.count(measure) for row in rows}
    for i, row in enumerate(rows):
        if row.level == 2:
            continue
        children = []
        for below in rows[i + 1 :]:
            if below.level <= row.level:
                break
            if below.level == row.level + 1:
                children.append(below.bucket.count(measure))
        if children:
            assert sum(children) == value[row.key], row.key
    assert value["end"] == value["start"] - value["decreases"] + value["increases"]
    assert ("members_lost" in value) == (measure == "persons")
    if measure == "persons":
        assert (value["members_lost"], value["members_gained"]) == (3, 2)


def test_movement_of_one_household_and_its_arguments() -> None:
    mv = household_movement(BY_ID["died"], 2019, 2020)
    assert mv is not None
    assert (mv.movement, mv.reason, mv.persons_from, mv.persons_to) == (
        Movement.EXITED,
        ExitReason.DIED_OUT,
        1,
        0,
    )
    assert household_movement(BY_ID["never_poor"], 2019, 2020) is None
    # A pair that skips a year takes reasons from the years in between.
    skip = household_movement(hist("s", "P-.", exit_={2019: ExitReason.MERGED}), 2018, 2020)
    assert skip is not None and skip.reason is ExitReason.MERGED
    with pytest.raises(ValueError, match="before"):
        household_movement(BY_ID["died"], 2020, 2020)
    with pytest.raises(ValueError, match="list_kind"):
        movement_table(POOR_CASES, 2019, 2020, list_kind="rich")  # type: ignore[arg-type]


def test_records_are_validated() -> None:
    with pytest.raises(ValueError, match="exit reason"):
        HouseholdYear(household_id="a", year=2019, status="poor", exit_reason=ExitReason.MERGED)
    with pytest.raises(ValueError, match="entry reason"):
        HouseholdYear(household_id="a", year=2019, status=None, entry_reason=EntryReason.MOVED_IN)
    with pytest.raises(ValueError, match="persons"):
        HouseholdYear(household_id="a", year=2019, status="poor", persons=-1)
    a = HouseholdYear(household_id="a", year=2019, status="poor")
    b = HouseholdYear(household_id="b", year=2020, status="poor")
    with pytest.raises(ValueError, match="holds a record of b"):
        History.of([a, b])
    with pytest.raises(ValueError, match="strictly increasing"):
        History.of([a, a])
    grouped = histories_from_records(
        [b, a, HouseholdYear(household_id="a", year=2018, status=None)]
    )
    assert [(h.household_id, [r.year for r in h.records]) for h in grouped] == [
        ("a", [2018, 2019]),
        ("b", [2020]),
    ]


# --- grouping --------------------------------------------------------------------------------

ANCESTORS = {"c1": ("d1", "p"), "c2": ("d1", "p"), "u1": ("d2", "p")}
GROUPED = [
    hist("g1", "PPN", unit="c1"),
    hist("g2", "PPP", unit="c2", em=True),
    hist("g3", "XPP", unit="u1", area="urban"),
    hist("g4", "XXP", unit="u1", area="urban", em=True),
    hist("g5", "PPX", unit=["c1", "c1", "c2"]),  # moved commune under the same id
]


def test_groups_by_unit_level_and_area() -> None:
    communes = movement_tables(GROUPED, 2019, 2020)
    assert [k.unit_code for k in communes.groups] == ["c1", "c2", "u1"]
    c2 = next(t for k, t in communes.groups.items() if k.unit_code == "c2")
    # g5 is counted where it is in 2020, for both years of the pair.
    assert ids(c2.start) == {"g2", "g5"}
    assert ids(c2.above_line) == {"g5"}

    districts = movement_tables(GROUPED, 2019, 2020, unit_ancestors=ANCESTORS, unit_level=1)
    assert {k.unit_code: t.start.households for k, t in districts.groups.items()} == {
        "d1": 3,
        "d2": 1,
    }
    province = movement_tables(GROUPED, 2019, 2020, unit_ancestors=ANCESTORS, unit_level=2)
    (only,) = province.groups.values()
    assert only == province.total

    sections = movement_tables(GROUPED, 2019, 2020, group_by=("area", "unit"))
    assert [(k.area, k.unit_code) for k in sections.groups] == [
        ("urban", "u1"),
        ("rural", "c1"),
        ("rural", "c2"),
    ]
    em = movement_tables(GROUPED, 2019, 2020, group_by=("ethnic_minority",))
    assert [k.ethnic_minority for k in em.groups] == [True, False]
    em_table = em.groups[next(iter(em.groups))]
    assert ids(em_table.end) == {"g2", "g4"}
    assert em_table == movement_table(GROUPED, 2019, 2020, where=lambda r: r.ethnic_minority)

    with pytest.raises(ValueError, match="needs unit_ancestors"):
        movement_tables(GROUPED, 2019, 2020, unit_level=1)
    with pytest.raises(ValueError, match="no ancestor"):
        movement_tables(GROUPED, 2019, 2020, unit_ancestors={"c1": ("d1",)}, unit_level=1)
    with pytest.raises(ValueError, match="unknown dimension"):
        movement_tables(GROUPED, 2019, 2020, group_by=("village",))  # type: ignore[arg-type]


# --- origin codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hid", "expected"),
    [
        ("stay_grow", OriginCode.POOR_OLD),
        ("re_poor", OriginCode.POOR_RE),
        ("re_poor_medium", OriginCode.POOR_RE),
        ("newly", OriginCode.POOR_NEW),
        ("newly_was_near", OriginCode.POOR_NEW),
        ("near_to_poor", OriginCode.POOR_NEW),
        ("near_to_poor_was_poor", OriginCode.POOR_NEW),
        ("moved_in", OriginCode.POOR_NEW),
        ("came_back", OriginCode.POOR_NEW),
        ("to_near", OriginCode.NEAR_POOR_NEW),
        ("above_medium", None),
        ("away", None),
        ("never_poor", None),
        ("near_stays", OriginCode.NEAR_POOR_OLD),
    ],
)
def test_origin_codes_follow_the_movements(hid: str, expected: OriginCode | None) -> None:
    assert origin_code(BY_ID[hid], 2020) == expected


def test_origin_code_labels_and_other_years() -> None:
    h = hist("o", "NXNNPXP")
    assert [origin_code(h, y) for y in range(2018, 2025)] == [
        OriginCode.NEAR_POOR_NEW,  # no 2017 review in the registry
        None,
        OriginCode.NEAR_POOR_RE,
        OriginCode.NEAR_POOR_OLD,
        OriginCode.POOR_NEW,
        None,
        OriginCode.POOR_RE,
    ]
    assert origin_code(h, 2022, previous_year=2020) is OriginCode.POOR_NEW
    assert [c.vi for c in OriginCode] == [
        "Nghèo cũ", "Nghèo mới", "Tái nghèo", "Cận nghèo cũ", "Cận nghèo mới", "Tái cận nghèo",
    ]  # fmt: skip
    assert OriginCode.POOR_RE.en == "Re-poor"
    assert OriginCode.NEAR_POOR_OLD.list_kind == "near_poor"


# --- the identity on generated registries ----------------------------------------------------

_STATUSES: list[Classification | None] = [None, "poor", "near_poor", "medium", "non_poor"]
_GROUPINGS: list[tuple[tuple[GroupDimension, ...], int]] = [
    ((), 0),
    (("unit",), 0),
    (("unit",), 1),
    (("area",), 0),
    (("ethnic_minority",), 0),
    (("area", "unit", "ethnic_minority"), 0),
]


@st.composite
def registries(draw: st.DrawFn) -> tuple[list[History], list[int]]:
    years = list(range(FIRST, FIRST + draw(st.integers(4, 6))))
    histories = []
    for i in range(draw(st.integers(0, 30))):
        records = []
        for year in years:
            if draw(st.integers(0, 9)) == 0:
                continue  # no record this year
            status = draw(st.sampled_from(_STATUSES))
            entry = draw(st.none() | st.sampled_from(EntryReason))
            exit_ = draw(st.none() | st.sampled_from(ExitReason))
            records.append(
                HouseholdYear(
                    household_id=f"h{i:02d}",
                    year=year,
                    status=status,
                    persons=draw(st.integers(0, 9)),
                    ethnic_minority=draw(st.booleans()),
                    area=draw(st.sampled_from(["urban", "rural"])),
                    unit_code=draw(st.sampled_from(["c1", "c2", "u1"])),
                    entry_reason=None if status is None else entry,
                    exit_reason=exit_ if status is None else None,
                )
            )
        if records:
            histories.append(History.of(records))
    return histories, years


def _buckets(t: MovementTable) -> dict[str, Bucket]:
    out = {row.key: row.bucket for row in t.rows()}
    out |= {
        "households_start": t.households_start,
        "households_end": t.households_end,
        "members_gained": t.members_gained,
        "members_lost": t.members_lost,
        "escaped": t.escaped,
    }
    return out


def _check_table(t: MovementTable, by_id: Mapping[str, History], kind: ListKind) -> None:
    y0, y1 = t.year_from, t.year_to
    other = "near_poor" if kind == "poor" else "poor"
    for bucket in _buckets(t).values():
        assert list(bucket.household_ids) == sorted(set(bucket.household_ids))
        assert bucket.households == len(bucket.household_ids)
    # The identity, for households and persons.
    assert t.end.households == t.start.households - t.decreases.households + t.increases.households
    assert t.end.persons == (
        t.start.persons
        - t.decreases.persons
        + t.increases.persons
        + t.members_gained.persons
        - t.members_lost.persons
    )
    # Movement buckets are disjoint, and with the households that stayed they make up
    # start (with the decreases) and end (with the increases).
    movements = [
        t.to_other_list, t.above_line, *t.other_decreases.values(),
        t.from_other_list, t.re_entered, t.newly, *t.other_increases.values(),
    ]  # fmt: skip
    moved = [hid for b in movements for hid in b.household_ids]
    assert len(moved) == len(set(moved))
    stayed = ids(t.start) & ids(t.end)
    assert not stayed & set(moved)
    assert ids(t.start) == stayed | ids(t.decreases)
    assert ids(t.end) == stayed | ids(t.increases)
    assert not ids(t.decreases) & ids(t.increases)
    assert ids(t.members_gained) | ids(t.members_lost) <= stayed
    # Each bucket means what its name says.
    st0 = {hid: h.status(y0) for hid, h in by_id.items()}
    st1 = {hid: h.status(y1) for hid, h in by_id.items()}
    assert all(st0[h] == kind for h in ids(t.start))
    assert all(st1[h] == kind for h in ids(t.end))
    assert all(st1[h] == other for h in ids(t.to_other_list))
    assert all(st1[h] in ("medium", "non_poor") for h in ids(t.above_line))
    assert all(st1[h] is None for h in ids(t.other_decrease_total))
    assert all(st0[h] == other for h in ids(t.from_other_list))
    assert all(st0[h] is None for h in ids(t.other_increase_total))
    for hid in ids(t.re_entered) | ids(t.newly):
        assert st0[hid] in ("medium", "non_poor")
        was_on = any(r.status == kind for r in by_id[hid].records if r.year < y0)
        assert was_on == (hid in ids(t.re_entered))
    assert t.start.persons == sum(_persons(by_id[h], y0) for h in ids(t.start))
    assert t.end.persons == sum(_persons(by_id[h], y1) for h in ids(t.end))
    assert t.decreases.persons == sum(_persons(by_id[h], y0) for h in ids(t.decreases))
    assert t.increases.persons == sum(_persons(by_id[h], y1) for h in ids(t.increases))
    assert all(st0[h] is not None for h in ids(t.households_start))
    assert all(st1[h] is not None for h in ids(t.households_end))


def _persons(h: History, year: int) -> int:
    r = h.at(year)
    assert r is not None
    return r.persons


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_identity_on_generated_registries(data: tuple[list[History], list[int]]) -> None:
    histories, years = data
    by_id = {h.household_id: h for h in histories}
    ancestors = {"c1": ("d1",), "c2": ("d1",), "u1": ("d2",)}
    for y0, y1 in itertools.pairwise(years):
        for kind in LIST_KINDS:
            total = movement_table(histories, y0, y1, list_kind=kind)
            _check_table(total, by_id, kind)
            assert ids(total.households_start) == {h for h in by_id if by_id[h].status(y0)}
            assert ids(total.households_end) == {h for h in by_id if by_id[h].status(y1)}
            for m in MEASURES:
                rec = total.reconciliation(m)
                assert rec.difference == rec.explained
                assert rec.net_by_note == (
                    total.escaped.count(m) - total.re_entered.count(m) - total.newly.count(m)
                )
            for dims, level in _GROUPINGS:
                grouped = movement_tables(
                    histories, y0, y1, list_kind=kind, group_by=dims,
                    unit_ancestors=ancestors, unit_level=level,
                )  # fmt: skip
                assert grouped.total == total
                group_buckets = [_buckets(t) for t in grouped.groups.values()]
                for t in grouped.groups.values():
                    _check_table(t, by_id, kind)
                    rec = t.reconciliation("persons")
                    assert rec.difference == rec.explained
                for key, bucket in _buckets(total).items():
                    parts = [b[key] for b in group_buckets]
                    assert sum(p.households for p in parts) == bucket.households, key
                    assert sum(p.persons for p in parts) == bucket.persons, key
                    assert {h for p in parts for h in p.household_ids} == ids(bucket), key
            # Origin codes agree with the table of the same list.
            codes = {h: origin_code(by_id[h], y1, previous_year=y0) for h in ids(total.end)}
            old, re_, new = (
                (OriginCode.POOR_OLD, OriginCode.POOR_RE, OriginCode.POOR_NEW)
                if kind == "poor"
                else (OriginCode.NEAR_POOR_OLD, OriginCode.NEAR_POOR_RE, OriginCode.NEAR_POOR_NEW)
            )
            assert {h for h, c in codes.items() if c is old} == ids(total.start) & ids(total.end)
            assert {h for h, c in codes.items() if c is re_} == ids(total.re_entered)
            assert {h for h, c in codes.items() if c is new} == ids(total.increases) - ids(
                total.re_entered
            )


#: Every figure a page prints or links to (row keys, summary keys, reasons).
_FIGURES = (
    "households_start", "households_end", "start", "decreases", "to_other_list", "above_line",
    "other_decreases", "increases", "from_other_list", "re_entered", "newly", "other_increases",
    "end", "escaped", "members_gained", "members_lost",
    *(f"other_decreases:{r.value}" for r in ExitReason),
    *(f"other_increases:{r.value}" for r in EntryReason),
)  # fmt: skip


def _figure(t: MovementTable, key: str, measure: Measure) -> Bucket:
    """The figure as the table prints it (for persons, decreases and increases include the
    size changes of households that stayed on the list)."""
    rows = {row.key: row.bucket for row in t.rows(measure)}
    if key in rows:
        return rows[key]
    if key == "escaped":
        return t.escaped
    if key in {"households_start", "households_end", "members_gained", "members_lost"}:
        bucket: Bucket = getattr(t, key)
        return bucket
    section, _, reason = key.partition(":")
    if section == "other_decreases":
        return t.other_decreases[ExitReason(reason)]
    return t.other_increases[EntryReason(reason)]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_one_pass_groupings_and_figure_keys(data: tuple[list[History], list[int]]) -> None:
    """``movement_tables_by`` equals ``movement_tables`` for each grouping, and a figure's
    households and persons are those of the households whose ``bucket_keys`` meet its
    ``figure_keys``."""
    histories, years = data
    ancestors = {"c1": ("d1",), "c2": ("d1",), "u1": ("d2",)}
    for y0, y1 in itertools.pairwise(years):
        for kind in LIST_KINDS:
            for level in (0, 1):
                dims = [d for d, lv in _GROUPINGS if lv == level]
                together = movement_tables_by(
                    histories, y0, y1, list_kind=kind, group_bys=dims,
                    unit_ancestors=ancestors, unit_level=level,
                )  # fmt: skip
                for group_by, got in zip(dims, together, strict=True):
                    alone = movement_tables(
                        histories, y0, y1, list_kind=kind, group_by=group_by,
                        unit_ancestors=ancestors, unit_level=level,
                    )  # fmt: skip
                    assert got == alone
                    assert list(got.groups) == list(alone.groups)
            total = movement_table(histories, y0, y1, list_kind=kind)
            keyed = []
            for h in histories:
                r0, r1 = h.at(y0), h.at(y1)
                if not ((r0 is not None and r0.present) or (r1 is not None and r1.present)):
                    continue
                mv = household_movement(h, y0, y1, kind)
                keyed.append((h.household_id, dict(bucket_keys(r0, r1, mv))))
            for key in _FIGURES:
                for measure in MEASURES:
                    wanted = figure_keys(kind, key, measure)
                    hits = [
                        (hid, sum(n for k, n in keys.items() if k in wanted))
                        for hid, keys in keyed
                        if wanted & keys.keys()
                    ]
                    bucket = _figure(total, key, measure)
                    assert sorted(h for h, _ in hits) == list(bucket.household_ids), key
                    assert sum(n for _, n in hits) == bucket.persons, (key, measure)
    with pytest.raises(KeyError):
        figure_keys("poor", "other_decreases:nowhere")
    with pytest.raises(KeyError):
        figure_keys("poor", "nothing")
