"""The registry's histories (``giamngheo.registry.histories``) on generated multi-year data:
equal to the generated records, and the movement identity for every unit and both lists."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from generated_households import YEARS, Generated

from giamngheo.core.transitions import (
    LIST_KINDS,
    histories_from_records,
    movement_table,
    movement_tables,
)
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.histories import unit_histories

pytestmark = pytest.mark.django_db


def _admin() -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def _pairs() -> Iterator[tuple[int, int]]:
    yield from itertools.pairwise(YEARS)


def test_histories_equal_the_generated_records(generated: Generated, units: DemoUnits) -> None:
    histories = unit_histories(actor=_admin(), unit=units.district)
    assert len(histories) == 270
    key = lambda h: h.household_id  # noqa: E731
    assert sorted(histories, key=key) == sorted(histories_from_records(generated.truth), key=key)


def test_identity_for_every_unit_and_both_lists(generated: Generated, units: DemoUnits) -> None:
    admin = _admin()
    truth = histories_from_records(generated.truth)
    for unit in [units.province_old, units.district, *units.communes_old.values()]:
        histories = unit_histories(actor=admin, unit=unit)
        in_unit = {str(c.pk) for c in units.communes_old.values() if c.is_descendant_of(unit)}
        expected = [h for h in truth if h.records[-1].unit_code in in_unit]
        for y0, y1 in _pairs():
            for kind in LIST_KINDS:
                grouped = movement_tables(
                    histories, y0, y1, list_kind=kind, group_by=("area", "unit")
                )
                for table in [grouped.total, *grouped.groups.values()]:
                    for measure in ("households", "persons"):
                        assert table.identity_residual(measure) == 0
                        rec = table.reconciliation(measure)
                        assert rec.explained == rec.difference
                    assert table.escaped.households == (
                        table.to_other_list.households + table.above_line.households
                        if kind == "poor"
                        else table.above_line.households
                    )
                want = movement_table(expected, y0, y1, list_kind=kind)
                assert grouped.total == want
