"""Before/after: the transitions computed by the new code (computed-report mechanism, figures
and index in the core) equal those of the code before it, on a generated multi-year registry.

``before_after.json`` was produced ONCE by ``make_before_after_fixture.py`` run with the old
checkout's interpreter (the code of commit 401abb8, before this change)::

    /tmp/gn_before/.venv/bin/python tests/web/transitions/make_before_after_fixture.py \\
        tests/web/transitions/before_after.json

on the registry ``before_after_data.populate`` generates (2,400 households over the 8 Ngọc Hồi
communes, reviews 2017–2020, fixed seed: arrivals, departures, ethnic-minority households,
urban and rural communes, corrected reviews). This test generates the same registry in the
test database and computes it with the new code: every figure of every table of both lists
(households and persons, all and ethnic-minority households, by area and unit; the district,
the province, a rural and the urban commune; two pairs of years; Vietnamese, and English for
one page) and every drill-down list behind the figures (count, persons and a digest of its
lines in order, by household code) must be equal. The new figures go through the shared cache
(stored, read back), as the pages read them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from before_after_data import collect, populate
from django.contrib.auth.models import User

from giamngheo.computed.tasks import current_value
from giamngheo.core.transitions_index import ORIGIN_CODES, STATUS_CODES
from giamngheo.core.transitions_report import ListReport
from giamngheo.geo.services import DemoUnits
from giamngheo.registry.histories import commune_ids, review_years, unit_histories
from giamngheo.transitions.report import (
    TRANSITIONS,
    Selection,
    TransitionsParams,
    build_index,
    page_reports,
    sub_units,
)

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).with_name("before_after.json")


def test_new_code_computes_what_the_old_code_computed(units: DemoUnits) -> None:
    populate(units)
    actor = User.objects.create_superuser("ba-root", "root@example.org", "x")

    def build_report(
        histories: Sequence[Any], sel: Selection, lang: Any, em_only: bool
    ) -> list[ListReport]:
        # Through the mechanism: computed once, stored in the cache, read back, rendered.
        assert sel.year_to is not None
        figures = current_value(
            TRANSITIONS, actor, TransitionsParams(sel.unit, sel.year_to), "figures"
        )
        return page_reports(figures, sel, lang, em_only)

    api = SimpleNamespace(
        unit_histories=unit_histories,
        review_years=review_years,
        commune_ids=commune_ids,
        Selection=Selection,
        build_report=build_report,
        build_index=build_index,
        sub_units=sub_units,
        status_codes=STATUS_CODES,
        origin_codes=ORIGIN_CODES,
    )
    after = json.loads(json.dumps(collect(actor, api), ensure_ascii=False))
    before = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert after.keys() == before.keys() and after["units"].keys() == before["units"].keys()
    for name, old in before["units"].items():
        new = after["units"][name]
        assert new["years"] == old["years"], name
        assert new["reports"] == old["reports"], name
        for kind, by_measure in old["drill_down"].items():
            for measure, figures in by_measure.items():
                got = new["drill_down"][kind][measure]
                diff = {k: (v, got.get(k)) for k, v in figures.items() if got.get(k) != v}
                assert not diff, (name, kind, measure, diff)
                assert got.keys() == figures.keys(), (name, kind, measure)
        assert new["drill_down"].keys() == old["drill_down"].keys()
    assert after == before
