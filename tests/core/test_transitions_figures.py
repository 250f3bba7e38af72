"""The transitions page's figures, drill-down index and tables without a database: on generated
registries every figure kept equals its bucket of a fresh movement table, every drill-down
list (any group) holds exactly that bucket's households and persons, and the rendered and
exported tables carry the same numbers under their stable keys."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamngheo.core.transitions import (
    LIST_KINDS,
    EntryReason,
    ExitReason,
    History,
    HouseholdYear,
    movement_table,
)
from giamngheo.core.transitions_figures import (
    FIGURE_KEYS,
    MEASURES,
    SUMMARY_KEYS,
    TableFigures,
    bucket_of,
    compute_figures,
)
from giamngheo.core.transitions_index import ORIGIN_CODES, STATUS_CODES, build_index
from giamngheo.core.transitions_report import export_tables, render_report

_STATUSES = ("poor", "near_poor", "medium", "non_poor", None)
#: Commune (unit code) → the unit directly under the chosen district that holds it, and area.
COMMUNES = {"11": ("1", "rural"), "12": ("1", "urban"), "21": ("2", "rural")}
NAMES = {"1": ("00101", "Xã Một"), "2": ("00102", "Phường Hai")}


@st.composite
def registries(draw: st.DrawFn) -> tuple[list[History], list[int]]:
    years = list(range(2017, 2017 + draw(st.integers(3, 4))))
    histories = []
    for i in range(draw(st.integers(0, 25))):
        commune = draw(st.sampled_from(sorted(COMMUNES)))
        em = draw(st.booleans())
        records = []
        for year in years:
            if draw(st.integers(0, 7)) == 0:
                continue
            status = draw(st.sampled_from(_STATUSES))
            records.append(
                HouseholdYear(
                    household_id=str(100 + i),
                    year=year,
                    status=status,
                    persons=draw(st.integers(0, 9)),
                    ethnic_minority=em,
                    area=COMMUNES[commune][1],  # type: ignore[arg-type]
                    unit_code=commune,
                    entry_reason=None
                    if status is None
                    else draw(st.none() | st.sampled_from(EntryReason)),
                    exit_reason=draw(st.sampled_from(ExitReason)) if status is None else None,
                )
            )
        if records:
            histories.append(History.of(records))
    return histories, years


def _ref(h: History, y0: int, y1: int) -> HouseholdYear | None:
    r0, r1 = h.at(y0), h.at(y1)
    return r1 if r1 is not None and r1.present else r0 if r0 is not None and r0.present else None


def _chosen(histories: Sequence[History], y0: int, y1: int, **where: object) -> list[History]:
    out = []
    for h in histories:
        ref = _ref(h, y0, y1)
        if ref is None:
            continue
        if where.get("area") is not None and ref.area != where["area"]:
            continue
        if where.get("em") and not ref.ethnic_minority:
            continue
        communes = where.get("communes")
        if isinstance(communes, set) and int(ref.unit_code) not in communes:
            continue
        out.append(h)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_index_lists_and_kept_figures_equal_the_buckets(
    data: tuple[list[History], list[int]],
) -> None:
    histories, years = data
    order = {int(h.household_id): (h.records[-1].unit_code, h.household_id) for h in histories}
    for y0, y1 in itertools.pairwise(years):
        index = build_index(histories, y0, y1, order=order, previous_year=y0 - 1)
        assert [index.household[p] for p in range(len(index.household))] == sorted(
            (int(h.household_id) for h in histories if _ref(h, y0, y1) is not None),
            key=lambda hid: (order[hid], hid),
        )
        assert all(STATUS_CODES[c] in STATUS_CODES for c in index.status_to)
        assert all(ORIGIN_CODES[c] in ORIGIN_CODES for c in index.origin_from)
        groups: list[dict[str, object]] = [
            {"area": area, "em": em, "communes": communes}
            for area in (None, "urban", "rural")
            for em in (False, True)
            for communes in (None, {11}, {12, 21})
        ]
        for group in groups:
            chosen = _chosen(histories, y0, y1, **group)
            for kind in LIST_KINDS:
                table = movement_table(chosen, y0, y1, list_kind=kind)
                kept = TableFigures.of(table)
                for key in FIGURE_KEYS:
                    for m in MEASURES:
                        bucket = bucket_of(table, key, m)
                        assert kept.count(key, m) == bucket.count(m)
                        positions, persons = index.figure(
                            kind,
                            key,
                            m,
                            area=group["area"],  # type: ignore[arg-type]
                            em=bool(group["em"]),
                            communes=group["communes"],  # type: ignore[arg-type]
                        )
                        got = sorted(str(index.household[p]) for p in positions)
                        assert got == list(bucket.household_ids), (kind, key, m, group)
                        assert persons == bucket.persons


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_page_figures_rendered_and_exported(data: tuple[list[History], list[int]]) -> None:
    histories, years = data
    y0, y1 = years[-2], years[-1]
    subs = {c: s for c, (s, _area) in COMMUNES.items()}
    figures = compute_figures(histories, y0, y1, sub_units=subs, names=NAMES)
    for em_only in (False, True):
        reports = render_report(figures, "vi", em_only)
        tables = export_tables(reports, "Huyện: 2019 → 2020")
        for kind, report, exported in zip(LIST_KINDS, reports, tables, strict=True):
            assert exported.key == report.list_kind == kind and report.identity_ok
            # (a household's ethnic-minority flag does not change in these registries)
            pop = [h for h in histories if not em_only or h.records[-1].ethnic_minority]
            detail = {r.key: r.values for r in exported.sections[0].rows}
            total = movement_table(histories, y0, y1, list_kind=kind)
            assert detail["start"][0] == total.start.households
            assert detail["start"][1] == total.start.persons
            assert detail["members_lost"][0] is None  # a persons-only row
            for section, measure in zip(exported.sections[1:], MEASURES, strict=True):
                assert section.key == f"summary:{measure}"
                rows = {
                    r.key: dict(zip((c.key for c in section.columns), r.values, strict=True))
                    for r in section.rows
                }
                whole = movement_table(pop, y0, y1, list_kind=kind)
                for key in SUMMARY_KEYS:
                    assert rows["total"][key] == bucket_of(whole, key, measure).count(measure)
                assert rows["total"]["net_change"] == whole.net_change(measure)
                for unit_key in (k for k in rows if k.startswith("unit:")):
                    code = unit_key.partition(":")[2]
                    assert code in {c for c, _ in NAMES.values()}
