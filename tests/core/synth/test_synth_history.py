"""The Ngọc Hồi 2018–2020 demo registry: exact 2019, engine-checked reviews, believable moves."""

from __future__ import annotations

from collections import Counter, defaultdict

import pyarrow as pa
import pytest
from test_synth_ngoc_hoi import GSO_CODES, seed_table

from giamngheo.core.identity import Sex, check_citizen_id
from giamngheo.core.standards import classify_household, get_standard
from giamngheo.core.standards.batch import classify_batch
from giamngheo.core.synth import ngoc_hoi_history
from giamngheo.core.synth.history import (
    CAUSES,
    LOCAL_ETHNIC_MINORITIES,
    RELATIONSHIPS,
    SCHOOLING,
    DemoMember,
    DemoRegistry,
    Entry,
    HouseholdStatus,
    to_transition_records,
)
from giamngheo.core.transitions import (
    EntryReason,
    ExitReason,
    History,
    histories_from_records,
    movement_table,
    movement_tables,
)

DAK_ANG = "23380"


@pytest.fixture(scope="module")
def registry() -> DemoRegistry:
    return ngoc_hoi_history(seed=1)


@pytest.fixture(scope="module")
def histories(registry: DemoRegistry) -> list[History]:
    return histories_from_records(to_transition_records(registry))


@pytest.fixture(scope="module")
def members_by_household(registry: DemoRegistry) -> dict[str, list[DemoMember]]:
    by_household: dict[str, list[DemoMember]] = defaultdict(list)
    for member in registry.members:
        by_household[member.household_id].append(member)
    return by_household


def test_same_seed_same_registry(registry: DemoRegistry) -> None:
    again = ngoc_hoi_history(seed=1)
    assert again.households == registry.households
    assert again.members == registry.members
    assert again.reviews == registry.reviews
    assert again.villages == registry.villages


def test_2019_review_is_the_seed_annex_commune_by_commune(registry: DemoRegistry) -> None:
    rows, total = seed_table()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for review in registry.reviews_in(2019):
        household = registry.household(review.household_id)
        counts[household.commune_code]["households"] += 1
        counts[household.commune_code]["ethnic"] += household.ethnic_minority
        counts[household.commune_code]["poor"] += review.classification == "poor"
    for name, expected in rows.items():
        got = counts[GSO_CODES[name]]
        assert (got["households"], got["ethnic"], got["poor"]) == expected, name
    assert sum(c["households"] for c in counts.values()) == total[0]


def test_every_review_is_the_engines_classification(registry: DemoRegistry) -> None:
    """All reviews through the engine's batch path; the poor ones and every 7th review also
    one at a time through ``classify_household`` (the reference path)."""
    standard = get_standard("QD59-2015")
    assert {r.standard_id for r in registry.reviews} == {"QD59-2015"}
    assert {r.year for r in registry.reviews} == {2018, 2019, 2020}
    reviews = registry.to_arrow()["reviews"]
    inputs = reviews.select(["household_id", "area", "income", *standard.deprivation_columns])
    checked = 0
    for batch in inputs.to_batches():
        result = classify_batch(batch, standard)
        assert result.rejected_rows == 0
        classes = result.batch.column("classification").cast(pa.string()).to_pylist()
        bases = result.batch.column("poor_basis").cast(pa.string()).to_pylist()
        for review, cls, basis in zip(
            registry.reviews[checked : checked + batch.num_rows], classes, bases, strict=True
        ):
            assert (review.classification, review.poor_basis) == (cls, basis or ""), review
        checked += batch.num_rows
    assert checked == len(registry.reviews)
    for index, review in enumerate(registry.reviews):
        if review.classification == "poor" or index % 7 == 0:
            one = classify_household(review.engine_input(standard), standard)
            assert (review.classification, review.poor_basis) == (
                one.classification,
                one.poor_basis,
            ), (review.household_id, review.year)
    bases_count = Counter(r.poor_basis for r in registry.reviews if r.classification == "poor")
    assert bases_count["income"] > bases_count["deprivation"] > 0


def test_causes_only_for_poor_and_from_the_standard_list(registry: DemoRegistry) -> None:
    for review in registry.reviews:
        if review.classification == "poor":
            assert 1 <= len(review.causes) <= 3
            assert set(review.causes) <= set(CAUSES)
        else:
            assert review.causes == ()
    poor_causes = Counter(c for r in registry.reviews for c in r.causes)
    assert set(poor_causes) == set(CAUSES)


def test_citizen_ids_valid_unique_and_consistent(registry: DemoRegistry) -> None:
    numbers = [m.national_id for m in registry.members if m.national_id is not None]
    assert len(numbers) == len(set(numbers))
    provinces: Counter[str] = Counter()
    for member in registry.members:
        if 2020 - member.birth_year < 14:
            assert member.national_id is None, member.member_id
            continue
        assert member.national_id is not None, member.member_id
        check = check_citizen_id(
            member.national_id, sex=member.sex, birth_year=member.birth_year, as_of_year=2020
        )
        assert check.ok, (member.member_id, check.problems)
        provinces[member.national_id[:3]] += 1
        if member.ethnicity in LOCAL_ETHNIC_MINORITIES:
            assert member.national_id.startswith("062")
    assert provinces.most_common(1)[0][0] == "062"


def test_heads_names_and_policy_flags_agree_with_members(
    registry: DemoRegistry, members_by_household: dict[str, list[DemoMember]]
) -> None:
    persons = {(r.household_id, r.year): r.persons for r in registry.reviews}
    flags: Counter[str] = Counter()
    for household in registry.households:
        members = members_by_household[household.household_id]
        heads = [m for m in members if m.relationship == "Chủ hộ"]
        assert len(heads) == 1
        head = heads[0]
        assert household.head_name == head.full_name
        assert household.female_head == (head.sex == Sex.FEMALE)
        assert household.local_ethnic_minority == (head.ethnicity in LOCAL_ETHNIC_MINORITIES)
        assert household.ethnic_minority == (head.ethnicity != "Kinh")
        if head.ethnicity in LOCAL_ETHNIC_MINORITIES:
            assert head.full_name.startswith("A " if head.sex == Sex.MALE else "Y ")
        else:
            assert len(head.full_name.split()) >= 3
        for year in registry.years:
            if (household.household_id, year) in persons:
                assert persons[household.household_id, year] == len(members)
        assert household.no_working_capacity == (
            not any(16 <= 2020 - m.birth_year < 60 and not m.disability for m in members)
        )
        for name in ("female_head", "no_working_capacity", "person_of_merit", "social_assistance"):
            flags[name] += getattr(household, name)
    n = len(registry.households)
    assert 0.05 < flags["female_head"] / n < 0.3
    assert 0 < flags["no_working_capacity"] / n < 0.06
    assert 0 < flags["person_of_merit"] / n < 0.05
    assert 0.01 < flags["social_assistance"] / n < 0.2
    assert {m.relationship for m in registry.members} == set(RELATIONSHIPS)
    assert {m.schooling for m in registry.members} == set(SCHOOLING)
    assert {"Giẻ Triêng", "Xơ Đăng", "Ba Na", "Kinh"} <= {m.ethnicity for m in registry.members}


def test_members_agree_with_the_latest_review_flags(
    registry: DemoRegistry, members_by_household: dict[str, list[DemoMember]]
) -> None:
    latest = {r.household_id: r for r in registry.reviews}  # reviews are sorted by year
    columns = registry.deprivation_columns
    insurance = columns.index("dep_health_insurance")
    schooling = columns.index("dep_child_schooling")
    for household_id, review in latest.items():
        members = members_by_household[household_id]
        uninsured = any(not m.health_insurance and 2020 - m.birth_year >= 6 for m in members)
        assert uninsured == bool(review.deprivations[insurance]), household_id
        out_of_school = any(m.schooling == "out_of_school" for m in members)
        children = any(5 <= 2020 - m.birth_year < 15 for m in members)
        assert out_of_school == (bool(review.deprivations[schooling]) and children), household_id


def test_household_codes_villages_and_moves(registry: DemoRegistry) -> None:
    codes = [h.code for h in registry.households]
    assert len(codes) == len(set(codes))
    reviewed = defaultdict(set)
    for review in registry.reviews:
        reviewed[review.household_id].add(review.year)
    statuses: Counter[HouseholdStatus] = Counter()
    entries: Counter[tuple[Entry, int]] = Counter()
    for household in registry.households:
        assert household.code.startswith(household.commune_code + "-")
        assert household.village in registry.villages[household.commune_code]
        prefix = "Tổ dân phố" if household.area == "urban" else "Thôn"
        assert household.village.startswith(prefix + " ")
        years = sorted(reviewed[household.household_id])
        assert years == list(range(years[0], years[-1] + 1))
        assert years[0] == household.entry_year
        if household.entry != Entry.REGISTERED:
            assert household.entry_year in {2019, 2020}
            entries[household.entry, household.entry_year] += 1
        if household.entry == Entry.SPLIT_OFF:
            parent = registry.household(household.related_household_id or "")
            assert parent.village == household.village
            assert household.entry_year - 1 in reviewed[parent.household_id]
        if household.status == HouseholdStatus.ACTIVE:
            assert household.status_year is None
            assert years[-1] == 2020
        else:
            statuses[household.status] += 1
            assert household.status_year == years[-1] + 1
        if household.status == HouseholdStatus.MERGED:
            into = registry.household(household.related_household_id or "")
            assert household.status_year in reviewed[into.household_id]
    assert set(statuses) == {
        HouseholdStatus.MOVED_AWAY,
        HouseholdStatus.DISSOLVED,
        HouseholdStatus.MERGED,
    }
    assert all(
        entries[kind, year] > 0
        for kind in (Entry.MOVED_IN, Entry.SPLIT_OFF)
        for year in (2019, 2020)
    )


@pytest.mark.parametrize(("year_from", "year_to"), [(2018, 2019), (2019, 2020)])
def test_movement_tables_have_every_kind_of_movement(
    histories: list[History], year_from: int, year_to: int
) -> None:
    table = movement_table(histories, year_from, year_to)
    assert table.to_other_list.households > 0  # escaped, became near-poor
    assert table.above_line.households > 0  # escaped above the near-poor line
    assert table.newly.households > 0
    assert table.from_other_list.households > 0  # near-poor that became poor
    if year_from == 2019:  # re-poor needs a poor year before the start (2018)
        assert table.re_entered.households > 0
    else:
        assert table.re_entered.households == 0
    assert table.other_decrease_total.households > 0
    assert ExitReason.UNRECORDED not in {
        r for r, b in table.other_decreases.items() if b.households
    }
    assert table.other_increase_total.households > 0
    assert EntryReason.UNRECORDED not in {
        r for r, b in table.other_increases.items() if b.households
    }
    assert table.escaped.households == table.to_other_list.households + table.above_line.households
    for measure in ("households", "persons"):
        assert table.identity_residual(measure) == 0
        assert table.start.count(measure) - table.decreases.count(measure) + table.increases.count(
            measure
        ) + (
            table.members_gained.persons - table.members_lost.persons if measure == "persons" else 0
        ) == table.end.count(measure)
    near = movement_table(histories, year_from, year_to, list_kind="near_poor")
    assert near.identity_residual() == 0
    assert near.from_other_list.households == table.to_other_list.households
    grouped = movement_tables(histories, year_from, year_to)
    assert len(grouped.groups) == 8
    assert sum(t.end.households for t in grouped.groups.values()) == table.end.households


def test_rates_and_2020_net_reduction_are_believable(
    registry: DemoRegistry, histories: list[History]
) -> None:
    rates = {}
    for year in registry.years:
        classes = Counter(r.classification for r in registry.reviews_in(year))
        rates[year] = 100 * classes["poor"] / sum(classes.values())
    assert 6.0 <= rates[2018] <= 7.0
    assert round(rates[2019], 2) == 4.96
    assert 3.7 <= rates[2020] <= 4.0
    table = movement_table(histories, 2019, 2020)
    net = table.net_reduction_by_note()
    assert 170 <= net <= 210
    assert net != 199  # near the plan, not on it
    grouped = movement_tables(histories, 2019, 2020).groups
    by_commune = {key.unit_code: t for key, t in grouped.items()}
    dak_ang = by_commune[DAK_ANG]
    assert dak_ang.net_reduction_by_note() == max(
        t.net_reduction_by_note() for t in by_commune.values()
    )
    drops = {code: t.rate_change_points for code, t in by_commune.items()}
    dak_ang_drop = drops[DAK_ANG]
    assert dak_ang_drop is not None
    assert dak_ang_drop >= 4  # percentage points, the strongest fall
    assert dak_ang_drop == max(d for d in drops.values() if d is not None)


def test_arrow_tables_and_transition_records(registry: DemoRegistry) -> None:
    tables = registry.to_arrow()
    assert tables["households"].num_rows == len(registry.households)
    assert tables["members"].num_rows == len(registry.members)
    reviews = tables["reviews"]
    assert reviews.num_rows == len(registry.reviews)
    assert set(registry.deprivation_columns) <= set(reviews.column_names)
    assert reviews.column("causes").to_pylist()[0] == list(registry.reviews[0].causes)
    records = to_transition_records(registry)
    present = [r for r in records if r.present]
    assert len(present) == len(registry.reviews)
    departures = [h for h in registry.households if h.status != HouseholdStatus.ACTIVE]
    assert len(records) - len(present) == len(departures)
