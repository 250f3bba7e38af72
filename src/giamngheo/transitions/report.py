"""The transitions as a computed report (``giamngheo.computed``): what one computation reads,
computes and stores, and the unit and year choices of the pages.

:data:`TRANSITIONS` (:class:`TransitionsReport`, registered by the app's ``ready()``):

* version: :func:`giamngheo.registry.version.registry_stamp`;
* scope: the communes the actor may see under the unit, the unit and the year pair, so no
  scope ever reads another's result, current or previous;
* compute: the registry's histories of the unit up to the pair's second year
  (``giamngheo.registry.histories``), then two parts: ``figures`` (every table of the page,
  ``giamngheo.core.transitions_figures``), rendered by the page in its language, and
  ``index`` (the drill-down index, ``giamngheo.core.transitions_index``) — a drill-down list
  is a filter on it, taken on each request (a few milliseconds at 100,000 households, less
  than reading the index itself), so no per-figure entry fills the cache;
* cache: ``CACHES["transitions"]`` (a file cache under ``DATA_DIR/cache/transitions`` shared
  by the web processes and the worker).

The unit and year choices (:func:`cached_unit_choices`, :func:`cached_review_years`) are cached
under stamp-less keys, each holding the stamp it was computed at and overwritten in place, so
they add one small entry per actor scope, not one per write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.urls import reverse

from giamngheo.accounts.access import get_profile, unit_scope_q
from giamngheo.computed.definition import ComputedReport
from giamngheo.computed.store import ReportStore, digest
from giamngheo.core.numbers import Lang
from giamngheo.core.tables import Table
from giamngheo.core.transitions import History, ListKind, Measure
from giamngheo.core.transitions_figures import TransitionFigures, compute_figures
from giamngheo.core.transitions_index import TransitionIndex
from giamngheo.core.transitions_index import build_index as index_of
from giamngheo.core.transitions_report import ListReport, export_tables, render_report
from giamngheo.geo.models import LEVEL_DEPTH, AdminUnit, Level
from giamngheo.registry.histories import (
    commune_ids,
    communes_reviewed,
    review_years,
    unit_histories,
)
from giamngheo.registry.models import Household
from giamngheo.registry.version import registry_stamp


@dataclass(frozen=True)
class TransitionsParams:
    """A unit and the pair (year_to − 1, year_to); ``em_only`` (the tables by area and unit of
    the ethnic-minority households) chooses what is shown, not what is computed."""

    unit: AdminUnit
    year_to: int
    em_only: bool = False


@dataclass(frozen=True)
class Selection:
    unit: AdminUnit
    units: list[AdminUnit]
    years: list[int]  # review years of the unit
    pairs: list[tuple[int, int]]
    year_from: int | None
    year_to: int | None
    stamp: str = ""  # the registry version read for the request

    def params(self, em_only: bool = False) -> TransitionsParams:
        assert self.year_to is not None
        return TransitionsParams(self.unit, self.year_to, em_only)


@dataclass(frozen=True)
class Figure:
    """One figure of the page and its group: what a drill-down list is the households of."""

    list_kind: ListKind
    key: str
    measure: Measure
    area: str | None = None
    em: bool = False
    communes: frozenset[int] | None = None


class TransitionsReport(ComputedReport[TransitionsParams]):
    """The transitions page's computation (see the module docstring)."""

    name = "transitions"
    parts = ("figures", "index")
    cache_alias = "transitions"

    def data_version(self) -> str:
        return registry_stamp()

    def scope(self, actor: Any, params: TransitionsParams) -> object:
        communes = sorted(commune_ids(actor=actor, unit=params.unit))
        return (communes, params.unit.pk, params.year_to)

    def compute(
        self, actor: Any, params: TransitionsParams, version: str
    ) -> Iterator[tuple[str, object]]:
        unit, year_to = params.unit, params.year_to
        years = cached_review_years(actor, unit, version)
        sel = Selection(unit, [], years, [], year_to - 1, year_to)
        # A commune reviewed in the first year but not yet in the second (its campaign is
        # still running) is left out and named, rather than all its households counted gone.
        communes = commune_ids(actor=actor, unit=unit)
        before = communes_reviewed(communes, year_to - 1)
        pending = sorted(before - communes_reviewed(communes, year_to))
        histories = unit_histories(
            actor=actor,
            unit=unit,
            up_to=year_to,
            communes=[c for c in communes if c not in pending] if pending else None,
        )
        figures = compute_tables(histories, sel)
        if pending:
            names = AdminUnit.objects.filter(pk__in=pending).order_by("name")
            figures = replace(figures, pending=tuple(names.values_list("name", flat=True)))
        yield "figures", figures
        yield "index", build_index(histories, sel)

    def encode_params(self, params: TransitionsParams) -> dict[str, Any]:
        return {"unit": params.unit.pk, "year_to": params.year_to}

    def decode_params(self, data: Mapping[str, Any]) -> TransitionsParams:
        return TransitionsParams(AdminUnit.objects.get(pk=data["unit"]), int(data["year_to"]))

    def drill_down(self, index: TransitionIndex, figure: Figure) -> tuple[Sequence[int], int]:
        communes = None if figure.communes is None else set(figure.communes)
        return index.figure(
            figure.list_kind,
            figure.key,
            figure.measure,
            area=figure.area,
            em=figure.em,
            communes=communes,
        )

    def export_tables(
        self,
        value: TransitionFigures,
        params: TransitionsParams,
        lang: Lang,
        notes: Sequence[str] = (),
    ) -> list[Table]:
        unit = params.unit
        reports = render_report(value, lang, params.em_only)
        title = f"{unit.name}: {value.year_from} → {value.year_to}"
        return export_tables(reports, title, notes, lang)


TRANSITIONS = TransitionsReport()
STORE = ReportStore(TRANSITIONS)


# --- computing ----------------------------------------------------------------------------------
def sub_units(unit: AdminUnit, communes: Sequence[int]) -> dict[str, str]:
    """Commune pk (text) → pk (text) of the unit directly under ``unit`` that holds it (the
    commune itself for a district). Empty for a commune."""
    if unit.level == Level.COMMUNE:
        return {}
    out: dict[str, str] = {}
    for pk, p1, p2, p3 in AdminUnit.objects.filter(pk__in=list(communes)).values_list(
        "pk", "parent_id", "parent__parent_id", "parent__parent__parent_id"
    ):
        chain = [pk, p1, p2, p3]
        if unit.pk in chain:
            i = chain.index(unit.pk)
            if i > 0:
                out[str(pk)] = str(chain[i - 1])
    return out


def compute_tables(histories: Sequence[History], sel: Selection) -> TransitionFigures:
    """The page's figures for the selected pair (``giamngheo.core.transitions_figures``)."""
    assert sel.year_from is not None and sel.year_to is not None
    communes = sorted({int(h.records[-1].unit_code) for h in histories})
    subs = sub_units(sel.unit, communes)
    names = {
        str(pk): (code, name)
        for pk, code, name in AdminUnit.objects.filter(
            pk__in=[int(s) for s in set(subs.values())]
        ).values_list("pk", "code", "name")
    }
    return compute_figures(histories, sel.year_from, sel.year_to, sub_units=subs, names=names)


def build_index(histories: Sequence[History], sel: Selection) -> TransitionIndex:
    """The drill-down index of ``histories`` for the selected pair, in the lists' order
    (commune name, household code)."""
    assert sel.year_from is not None and sel.year_to is not None
    communes = sorted({int(h.records[-1].unit_code) for h in histories})
    order: dict[int, tuple[str, ...]] = {
        pk: (commune, code)
        for pk, commune, code in Household.objects.filter(commune_id__in=communes).values_list(
            "pk", "commune__name", "code"
        )
    }
    previous = sel.year_from - 1 if sel.year_from - 1 in sel.years else None
    return index_of(histories, sel.year_from, sel.year_to, order=order, previous_year=previous)


class Links:
    """The drill-down link of every figure of a selection's page: ``?don_vi=…&nam=…&ds=…&muc=…
    &do=…`` and the group's parameters, as ``urlencode`` writes them. A page has about a
    thousand links; each value is quoted once (``urlencode`` of every link would be most of
    the time a page takes to render)."""

    def __init__(self, unit: AdminUnit, year_to: int) -> None:
        path = reverse("transitions:list")
        self.prefix = f"{path}?{urlencode({'don_vi': unit.pk, 'nam': year_to})}"
        self.quoted: dict[str, str] = {}

    def _q(self, value: object) -> str:
        text = str(value)
        found = self.quoted.get(text)
        if found is None:
            found = self.quoted[text] = quote_plus(text)
        return found

    def url(self, kind: ListKind, key: str, measure: Measure, group: Mapping[str, Any]) -> str:
        q = self._q
        parts = [self.prefix, "&ds=", q(kind), "&muc=", q(key), "&do=", q(measure)]
        for name, value in group.items():
            parts += ["&", q(name), "=", q(value)]
        return "".join(parts)


def page_reports(
    figures: TransitionFigures, sel: Selection, lang: Lang, em_only: bool = False
) -> list[ListReport]:
    """The page's tables for both lists in ``lang``, every figure linked to its list."""
    assert sel.year_to is not None
    return render_report(figures, lang, em_only, Links(sel.unit, sel.year_to).url)


def build_report(
    histories: Sequence[History], sel: Selection, lang: Lang, em_only: bool = False
) -> list[ListReport]:
    """The page's tables for both lists, computed from ``histories`` now."""
    return page_reports(compute_tables(histories, sel), sel, lang, em_only)


# --- the unit and year choices ------------------------------------------------------------------
def unit_choices(actor: Any) -> list[AdminUnit]:
    """Communes with households that the actor may see, and their visible ancestors (province,
    district), highest level first."""
    communes = set(
        Household.objects.filter(unit_scope_q(actor, field="commune"))
        .values_list("commune_id", flat=True)
        .distinct()
    )
    if not communes:
        return []
    ids: set[int] = set(communes)
    for chain in AdminUnit.objects.filter(pk__in=communes).values_list(
        "parent_id", "parent__parent_id"
    ):
        ids.update(p for p in chain if p is not None)
    units = list(AdminUnit.objects.filter(unit_scope_q(actor, field="pk"), pk__in=ids))
    return sorted(units, key=lambda u: (LEVEL_DEPTH.get(u.level, 9), u.code, u.name))


def _scope_token(actor: Any) -> tuple[str, int | None]:
    """What decides the units an actor sees (``unit_scope_q``): superuser, or the profile's
    unit."""
    if getattr(actor, "is_superuser", False):
        return ("all", None)
    profile = get_profile(actor)
    return ("none", None) if profile is None else ("unit", profile.unit_id)


def cached_unit_choices(actor: Any, stamp: str) -> list[AdminUnit]:
    key = f"gn-transitions-units:{digest(_scope_token(actor))}"
    return STORE.stamped_value(key, stamp, lambda: unit_choices(actor))


def cached_review_years(actor: Any, unit: AdminUnit, stamp: str) -> list[int]:
    communes = sorted(commune_ids(actor=actor, unit=unit))
    key = f"gn-transitions-years:{digest(communes)}"
    return STORE.stamped_value(key, stamp, lambda: review_years(actor=actor, unit=unit))
