"""Transitions pages: the movement table of a unit between two consecutive review years, and
the named households behind every figure.

* ``registry:transitions`` (``/ho-gia-dinh/bien-dong/``): ``?don_vi=<unit pk>&nam=<y1>``
  (the pair is y1 − 1 → y1; default the latest pair) ``&nhom=dtts`` (ethnic-minority
  households only, for the tables by area and unit);
* ``registry:transitions_list`` (``/ho-gia-dinh/bien-dong/danh-sach/``): the same plus
  ``ds`` (poor | near_poor), ``muc`` (the figure: a row key of
  ``giamngheo.core.transitions``, e.g. ``newly``, ``other_decreases:moved_away``), ``do``
  (households | persons), and the group: ``xa`` (a unit directly under the chosen one),
  ``khu_vuc`` (urban | rural), ``dtts=1``; ``trang`` pages;
* ``registry:transitions_export`` (``/ho-gia-dinh/bien-dong/xuat.xlsx``): the tables as .xlsx.

Access: the units offered are the actor's own and those below it that have households; any
other unit, or a group outside the unit, answers 404 — nothing about other communes leaks.
Figures are computed by ``giamngheo.core.transitions`` from the approved periodic reviews
(``giamngheo.registry.transitions``); every count is the length of the list it links to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.cache import BaseCache, caches
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from giamngheo.accounts.access import get_profile, unit_scope_q, user_unit
from giamngheo.core.numbers import Lang, format_decimal, format_int
from giamngheo.core.transitions import (
    LIST_KINDS,
    Bucket,
    EntryReason,
    ExitReason,
    GroupDimension,
    GroupedTables,
    GroupKey,
    History,
    HouseholdYear,
    ListKind,
    Measure,
    MovementTable,
    OriginCode,
    bucket_keys,
    figure_keys,
    household_movement,
    movement_tables,
    movement_tables_by,
    origin_code,
    origin_of_movement,
    row_label,
)
from giamngheo.geo.models import LEVEL_DEPTH, AdminUnit, Level
from giamngheo.registry.models import AuditEvent, Classification, Household, ReviewRecord
from giamngheo.registry.transitions import commune_ids, review_years, unit_histories

MEASURES: tuple[Measure, ...] = ("households", "persons")
#: The cache of computed transitions (``settings.CACHES``; the default cache when absent).
CACHE_ALIAS = "transitions"
PAGE_SIZE = 50
#: Columns of the tables by area and unit (as in the official summary forms).
SUMMARY_KEYS: tuple[str, ...] = (
    "households_start",
    "start",
    "decreases",
    "to_other_list",
    "above_line",
    "other_decreases",
    "increases",
    "from_other_list",
    "re_entered",
    "newly",
    "other_increases",
    "end",
    "households_end",
    "escaped",
)
_PLAIN = {
    "households_start",
    "households_end",
    "start",
    "to_other_list",
    "above_line",
    "from_other_list",
    "re_entered",
    "newly",
    "end",
    "members_gained",
    "members_lost",
}
_AREAS = ("urban", "rural")
_AREA_LABEL = {
    "urban": ("I. Khu vực thành thị", "I. Urban"),
    "rural": ("II. Khu vực nông thôn", "II. Rural"),
}


def _lang() -> Lang:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def bucket_of(table: MovementTable, key: str, measure: Measure = "households") -> Bucket:
    """The figure ``key`` of the table (as ``MovementTable.rows`` prints it for ``measure``:
    for persons, decreases and increases include the size changes of households that stayed
    on the list). ``KeyError`` for an unknown key."""
    if key in _PLAIN:
        bucket: Bucket = getattr(table, key)
        return bucket
    if key == "decreases":
        dec = table.decreases
        return Bucket.merge(dec, table.members_lost) if measure == "persons" else dec
    if key == "increases":
        inc = table.increases
        return Bucket.merge(inc, table.members_gained) if measure == "persons" else inc
    if key == "escaped":
        return table.escaped
    if key == "other_decreases":
        return table.other_decrease_total
    if key == "other_increases":
        return table.other_increase_total
    kind, _, reason = key.partition(":")
    try:
        if kind == "other_decreases":
            return table.other_decreases[ExitReason(reason)]
        if kind == "other_increases":
            return table.other_increases[EntryReason(reason)]
    except ValueError:
        pass
    raise KeyError(key)


# --- choosing the unit and the years ----------------------------------------------------------
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


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Selection:
    unit: AdminUnit
    units: list[AdminUnit]
    years: list[int]  # review years of the unit
    pairs: list[tuple[int, int]]
    year_from: int | None
    year_to: int | None
    stamp: str = ""  # the registry version read for the request


def _select(request: HttpRequest, stamp: str | None = None) -> Selection:
    stamp = registry_stamp() if stamp is None else stamp
    units = _cached_unit_choices(request.user, stamp)
    if not units:
        raise Http404("Không có đơn vị / no unit")
    wanted = _int(request.GET.get("don_vi"))
    if wanted is None:
        own = user_unit(request.user)
        unit = next((u for u in units if own is not None and u.pk == own.pk), units[0])
    else:
        found = next((u for u in units if u.pk == wanted), None)
        if found is None:
            raise Http404("Không có đơn vị này / no such unit")
        unit = found
    years = _cached_review_years(request.user, unit, stamp)
    pairs = [(y - 1, y) for y in years if y - 1 in years]
    year_to = _int(request.GET.get("nam"))
    if year_to is None and pairs:
        year_to = pairs[-1][1]
    if year_to is not None and (year_to - 1, year_to) not in pairs:
        if request.GET.get("nam"):
            raise Http404("Không có cặp năm này / no such pair of years")
        year_to = None
    year_from = None if year_to is None else year_to - 1
    return Selection(unit, units, years, pairs, year_from, year_to, stamp)


# --- building the tables ----------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    value: int = 0


@dataclass(frozen=True)
class SummaryRow:
    kind: str  # "total", "section", "unit"
    label: str
    cells: list[Cell]
    identity_ok: bool
    net_by_note: Cell
    net_change: Cell
    rate_start: str
    rate_end: str
    rate_points: str


@dataclass(frozen=True)
class DetailRow:
    key: str
    level: int
    label: str
    label_other: str
    cells: list[Cell]  # all: households, persons; ethnic minority: households, persons


@dataclass(frozen=True)
class Term:
    label: str
    value: str
    url: str


@dataclass(frozen=True)
class Reconciliation:
    measure: Measure
    net_by_note: str
    escaped: Cell
    re_entered: Cell
    newly: Cell
    net_change: str
    start: Cell
    end: Cell
    difference: str
    terms: list[Term]
    explained_ok: bool
    rate_start: str
    rate_end: str
    rate_points: str


@dataclass
class ListReport:
    list_kind: ListKind
    title: str
    detail: list[DetailRow] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    summaries: list[tuple[str, list[str], list[SummaryRow]]] = field(default_factory=list)
    identity_ok: bool = True


def _pct(value: Fraction | None, lang: Lang) -> str:
    return "—" if value is None else f"{format_decimal(value, lang, 2)} %"


def _points(value: Fraction | None, lang: Lang) -> str:
    return "—" if value is None else format_decimal(value, lang, 2)


class _Links:
    def __init__(self, unit: AdminUnit, year_to: int, list_kind: ListKind) -> None:
        self.base = {"don_vi": unit.pk, "nam": year_to, "ds": list_kind}
        self.path = reverse("registry:transitions_list")

    def url(self, key: str, measure: Measure, group: dict[str, Any]) -> str:
        params = {**self.base, "muc": key, "do": measure, **group}
        return f"{self.path}?{urlencode(params)}"


def _sub_units(unit: AdminUnit, communes: Sequence[int]) -> dict[str, str]:
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


@dataclass(frozen=True)
class _Grouped:
    sections: GroupedTables  # total and one table per area
    by_unit: Mapping[GroupKey, MovementTable]  # per (area, unit directly under the unit)


def _summary(  # noqa: PLR0917
    grouped: _Grouped,
    sel: Selection,
    kind: ListKind,
    measure: Measure,
    names: dict[str, tuple[str, str]],
    em: bool,
    lang: Lang,
) -> list[SummaryRow]:
    """Rows: the total, then per area its subtotal and the units under it (by GSO code)."""
    order = names
    assert sel.year_to is not None
    links = _Links(sel.unit, sel.year_to, kind)
    em_group: dict[str, Any] = {"dtts": 1} if em else {}
    households = measure == "households"

    def row(table: MovementTable, kind_: str, label: str, group: dict[str, Any]) -> SummaryRow:
        cells = []
        for key in SUMMARY_KEYS:
            n = bucket_of(table, key, measure).count(measure)
            cells.append(Cell(format_int(n, lang), links.url(key, measure, group), n))
        note = table.net_reduction_by_note(measure)
        change = table.net_change(measure)
        return SummaryRow(
            kind=kind_,
            label=label,
            cells=cells,
            identity_ok=table.identity_residual(measure) == 0,
            net_by_note=Cell(format_int(note, lang), value=note),
            net_change=Cell(format_int(change, lang), value=change),
            # The rate is of households: shown in the households table only.
            rate_start=_pct(table.rate_start, lang) if households else "",
            rate_end=_pct(table.rate_end, lang) if households else "",
            rate_points=_points(table.rate_change_points, lang) if households else "",
        )

    total = grouped.sections.total
    rows = [row(total, "total", "Tổng số" if lang == "vi" else "Total", em_group)]
    for key, table in grouped.sections.groups.items():
        area = key.area or "rural"
        label = _AREA_LABEL[area][0 if lang == "vi" else 1]
        rows.append(row(table, "section", label, {**em_group, "khu_vuc": area}))
        in_area = [k for k in grouped.by_unit if k.area == area and k.unit_code is not None]
        for ukey in sorted(in_area, key=lambda k: order.get(k.unit_code or "", ("", ""))):
            utable = grouped.by_unit[ukey]
            if ukey.unit_code is not None:
                group = {**em_group, "khu_vuc": area, "xa": ukey.unit_code}
                rows.append(row(utable, "unit", names.get(ukey.unit_code, ("", ""))[1], group))
    return rows


@dataclass(frozen=True)
class ComputedTables:
    """The movement tables of both lists for the page, over all households and over the
    ethnic-minority ones (each: total, by area, by area and unit directly under the unit)."""

    sub_units: dict[str, str]
    names: dict[str, tuple[str, str]]
    all: dict[ListKind, _Grouped]
    em: dict[ListKind, _Grouped]


def compute_tables(histories: Sequence[History], sel: Selection) -> ComputedTables:
    assert sel.year_from is not None and sel.year_to is not None
    y0, y1 = sel.year_from, sel.year_to
    communes = sorted({int(h.records[-1].unit_code) for h in histories})
    sub_units = _sub_units(sel.unit, communes)
    names = {
        str(pk): (code, name)
        for pk, code, name in AdminUnit.objects.filter(
            pk__in=[int(s) for s in set(sub_units.values())]
        ).values_list("pk", "code", "name")
    }
    all_: dict[ListKind, _Grouped] = {}
    em: dict[ListKind, _Grouped] = {}
    # One pass per list: every grouping of the page, of all and of ethnic-minority households.
    group_bys: list[tuple[GroupDimension, ...]] = [("area",), ("ethnic_minority",)]
    group_bys += [("ethnic_minority", "area")]
    if sub_units:
        group_bys += [("area", "unit"), ("ethnic_minority", "area", "unit")]
    for kind in LIST_KINDS:
        out = movement_tables_by(
            histories,
            y0,
            y1,
            list_kind=kind,
            group_bys=group_bys,
            unit_ancestors={c: (s,) for c, s in sub_units.items()},
            unit_level=1 if sub_units else 0,
        )
        by_area, by_em, em_area = out[0], out[1], out[2]
        em_total = by_em.groups.get(GroupKey(ethnic_minority=True))
        if em_total is None:
            em_total = movement_tables([], y0, y1, list_kind=kind, group_by=()).total
        all_by_unit: Mapping[GroupKey, MovementTable] = {}
        em_by_unit: dict[GroupKey, MovementTable] = {}
        if sub_units:
            all_by_unit = out[3].groups
            em_by_unit = {
                GroupKey(area=k.area, unit_code=k.unit_code): t
                for k, t in out[4].groups.items()
                if k.ethnic_minority
            }
        all_[kind] = _Grouped(by_area, all_by_unit)
        em_sections = {
            GroupKey(area=k.area): t for k, t in em_area.groups.items() if k.ethnic_minority
        }
        em[kind] = _Grouped(GroupedTables(em_total, em_sections), em_by_unit)
    return ComputedTables(sub_units, names, all_, em)


def build_report(
    histories: Sequence[History], sel: Selection, lang: Lang, em_only: bool = False
) -> list[ListReport]:
    """The page's tables for both lists."""
    return render_report(compute_tables(histories, sel), sel, lang, em_only)


def render_report(
    computed: ComputedTables, sel: Selection, lang: Lang, em_only: bool = False
) -> list[ListReport]:
    """The page's tables for both lists, in ``lang`` (the tables by area and unit of the
    ethnic-minority households with ``em_only``)."""
    assert sel.year_from is not None and sel.year_to is not None
    y1 = sel.year_to
    names = computed.names
    reports = []
    for kind in LIST_KINDS:
        links = _Links(sel.unit, y1, kind)
        title = row_label(kind, "start")[0 if lang == "vi" else 1]
        report = ListReport(kind, title)
        grouped = computed.em[kind] if em_only else computed.all[kind]
        tables = {
            "all": computed.all[kind].sections.total,
            "em": computed.em[kind].sections.total,
        }
        keyed = {
            (pop, m): {r.key: r for r in tables[pop].rows(m)} for pop in tables for m in MEASURES
        }
        for r in tables["all"].rows("persons"):
            cells = []
            for pop in ("all", "em"):
                for m in MEASURES:
                    tr = keyed[(pop, m)].get(r.key)
                    if tr is None:
                        cells.append(Cell("—"))
                        continue
                    n = tr.bucket.count(m)
                    group = {"dtts": 1} if pop == "em" else {}
                    cells.append(Cell(format_int(n, lang), links.url(r.key, m, group), n))
            vi, en = r.label_vi, r.label_en
            label, other = (vi, en) if lang == "vi" else (en, vi)
            report.detail.append(DetailRow(r.key, r.level, label, other, cells))
        report.identity_ok = all(
            tables[p].identity_residual(m) == 0 for p in tables for m in MEASURES
        )
        table = tables["all"]
        for m in MEASURES:
            rec = table.reconciliation(m)

            def cell(
                key: str, m: Measure = m, table: MovementTable = table, links: _Links = links
            ) -> Cell:
                n = bucket_of(table, key, m).count(m)
                return Cell(format_int(n, lang), links.url(key, m, {}), n)

            report.reconciliations.append(
                Reconciliation(
                    measure=m,
                    net_by_note=format_int(rec.net_by_note, lang),
                    escaped=cell("escaped"),
                    re_entered=cell("re_entered"),
                    newly=cell("newly"),
                    net_change=format_int(rec.net_change, lang),
                    start=cell("start"),
                    end=cell("end"),
                    difference=format_int(rec.difference, lang),
                    terms=[
                        Term(
                            t.label_vi if lang == "vi" else t.label_en,
                            ("+" if t.value > 0 else "") + format_int(t.value, lang),
                            links.url(t.key, m, {}) if not t.key.startswith("members_") else "",
                        )
                        for t in rec.terms
                        if t.value != 0
                    ],
                    explained_ok=rec.explained == rec.difference,
                    rate_start=_pct(table.rate_start, lang),
                    rate_end=_pct(table.rate_end, lang),
                    rate_points=_points(table.rate_change_points, lang),
                )
            )
        for m in MEASURES:
            heading = (
                ("Số hộ" if m == "households" else "Số nhân khẩu")
                if lang == "vi"
                else ("Households" if m == "households" else "Persons")
            )
            labels = [row_label(kind, k)[0 if lang == "vi" else 1] for k in SUMMARY_KEYS]
            rows = _summary(grouped, sel, kind, m, names, em_only, lang)
            report.summaries.append((heading, labels, rows))
            report.identity_ok &= all(r.identity_ok for r in rows)
        reports.append(report)
    return reports


# --- the cache --------------------------------------------------------------------------------
#: How long a computed result is kept (a newer registry stamp replaces it at once anyway).
CACHE_TIMEOUT = 6 * 3600
#: How long a computation is considered running before it is asked for again.
PENDING_TIMEOUT = 15 * 60
#: Seconds between two reloads of a page that waits for its computation.
REFRESH_SECONDS = 3
#: How long a failed computation is reported (with a retry) before the page asks again.
FAILED_TIMEOUT = 2 * 60
#: A computation queued this long (seconds) and not started: no worker seems to run.
WORKER_WAIT_SECONDS = 30


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS] if CACHE_ALIAS in settings.CACHES else caches["default"]


def registry_stamp() -> str:
    """A cheap version of everything the transitions read: the last row (pk and creation time)
    of the audit log, the reviews and the households, and of the admin's log. Every write of
    households and reviews goes through a service that writes an ``AuditEvent`` in the same
    transaction (an import commit writes one at its end; an approval, a correction or a status
    change one each); a new review or household also moves its table's last pk; the Django
    admin writes a ``LogEntry``. The creation times make the stamp differ between two
    databases that reached the same pks (a restored backup, a test database)."""
    parts: list[str] = []
    for model, when in (
        (AuditEvent, "at"),
        (ReviewRecord, "created_at"),
        (Household, "created_at"),
        (LogEntry, "action_time"),
    ):
        last = model.objects.order_by("-pk").values_list("pk", when).first()
        parts.append("-" if last is None else f"{last[0]}@{last[1].isoformat()}")
    return "|".join(parts)


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _scope_token(actor: Any) -> tuple[str, int | None]:
    """What decides the units an actor sees (``unit_scope_q``): superuser, or the profile's
    unit."""
    if getattr(actor, "is_superuser", False):
        return ("all", None)
    profile = get_profile(actor)
    return ("none", None) if profile is None else ("unit", profile.unit_id)


def scope_key(actor: Any, unit: AdminUnit, year_to: int) -> str:
    """The key, without the registry stamp, of the transitions of ``unit`` for the pair
    (year_to − 1, year_to) as the actor sees them: the communes the actor may see under the unit
    are part of it, so nothing stored under it (results, pointer, markers) answers another
    scope. The pointer to the last finished result and the pending / failed markers live here."""
    communes = sorted(commune_ids(actor=actor, unit=unit))
    return f"gn-transitions:{_digest(communes, unit.pk, year_to)}"


def stamped_key(scope: str, stamp: str) -> str:
    """The key of the result of ``scope`` for one registry version."""
    return f"{scope}:{_digest(stamp)}"


def cache_key(actor: Any, unit: AdminUnit, year_to: int, stamp: str | None = None) -> str:
    """The key of the computed transitions of ``unit`` for (year_to − 1, year_to) as the actor
    sees them at the registry version ``stamp`` (the current one by default)."""
    stamp = registry_stamp() if stamp is None else stamp
    return stamped_key(scope_key(actor, unit, year_to), stamp)


def _stamped_value(key: str, stamp: str, compute: Any) -> Any:
    """A small value cached under ``key`` (no stamp in it) beside the stamp it was computed
    at: a new stamp overwrites it in place, so the cache holds one entry per key, not one per
    registry version."""
    cache = _cache()
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == stamp:
        return found[1]
    value = compute()
    cache.set(key, (stamp, value), CACHE_TIMEOUT)
    return value


def _cached_unit_choices(actor: Any, stamp: str) -> list[AdminUnit]:
    units: list[AdminUnit] = _stamped_value(
        f"gn-transitions-units:{_digest(_scope_token(actor))}", stamp, lambda: unit_choices(actor)
    )
    return units


def _cached_review_years(actor: Any, unit: AdminUnit, stamp: str) -> list[int]:
    communes = sorted(commune_ids(actor=actor, unit=unit))
    years: list[int] = _stamped_value(
        f"gn-transitions-years:{_digest(communes)}",
        stamp,
        lambda: review_years(actor=actor, unit=unit),
    )
    return years


# --- the per-household index of a computation ---------------------------------------------------
_STATUS_CODES: tuple[str, ...] = (
    "",  # no record that year
    *(c.value for c in Classification),
    *(f"exit:{r.value}" for r in ExitReason),
)
_STATUS_INDEX = {code: i for i, code in enumerate(_STATUS_CODES)}
_ORIGIN_CODES: tuple[str, ...] = ("", *(o.value for o in OriginCode))
_ORIGIN_INDEX = {code: i for i, code in enumerate(_ORIGIN_CODES)}


def _status_code(record: HouseholdYear | None) -> int:
    if record is None:
        return 0
    if record.status is None:
        return _STATUS_INDEX[f"exit:{(record.exit_reason or ExitReason.UNRECORDED).value}"]
    return _STATUS_INDEX[record.status]


@dataclass
class TransitionIndex:
    """Every household in the tables of one computation, one position each, in the order of
    the drill-down lists (commune name, household code), as compact columns; and, per list and
    per bucket key of :func:`giamngheo.core.transitions.bucket_keys`, the positions of its
    households and the persons each adds. A drill-down list is a filter on it."""

    year_from: int
    year_to: int
    household: array[int] = field(default_factory=lambda: array("q"))
    commune: array[int] = field(default_factory=lambda: array("q"))
    urban: bytearray = field(default_factory=bytearray)
    em: bytearray = field(default_factory=bytearray)
    persons_from: array[int] = field(default_factory=lambda: array("l"))
    persons_to: array[int] = field(default_factory=lambda: array("l"))
    status_from: bytearray = field(default_factory=bytearray)
    status_to: bytearray = field(default_factory=bytearray)
    origin_from: bytearray = field(default_factory=bytearray)
    origin_to: bytearray = field(default_factory=bytearray)
    buckets: dict[str, dict[str, tuple[array[int], array[int]]]] = field(default_factory=dict)

    def figure(
        self,
        list_kind: ListKind,
        key: str,
        measure: Measure,
        *,
        area: str | None = None,
        em: bool = False,
        communes: set[int] | None = None,
    ) -> tuple[array[int], int]:
        """Positions (in list order) and persons of the figure ``key`` restricted to a group
        (``KeyError`` for an unknown key)."""
        chosen: dict[int, int] = {}
        by_key = self.buckets.get(list_kind, {})
        for bucket_key in figure_keys(list_kind, key, measure):
            positions, persons = by_key.get(bucket_key, (array("q"), array("l")))
            for pos, n in zip(positions, persons, strict=True):
                if area is not None and self.urban[pos] != (area == "urban"):
                    continue
                if em and not self.em[pos]:
                    continue
                if communes is not None and self.commune[pos] not in communes:
                    continue
                chosen[pos] = chosen.get(pos, 0) + n
        return array("q", sorted(chosen)), sum(chosen.values())


def build_index(histories: Sequence[History], sel: Selection) -> TransitionIndex:
    """The index of ``histories`` for the selected pair (see :class:`TransitionIndex`)."""
    assert sel.year_from is not None and sel.year_to is not None
    y0, y1 = sel.year_from, sel.year_to
    previous = y0 - 1 if y0 - 1 in sel.years else None
    order: dict[int, tuple[str, str]] = {}
    communes = sorted({int(h.records[-1].unit_code) for h in histories})
    for pk, commune, code in Household.objects.filter(commune_id__in=communes).values_list(
        "pk", "commune__name", "code"
    ):
        order[pk] = (commune, code)
    placed: list[tuple[tuple[str, str], int, History, HouseholdYear]] = []
    for h in histories:
        r0, r1 = h.at(y0), h.at(y1)
        ref = r1 if r1 is not None and r1.present else r0 if r0 is not None and r0.present else None
        hid = int(h.household_id)
        if ref is None or hid not in order:
            continue
        placed.append((order[hid], hid, h, ref))
    placed.sort(key=lambda p: (p[0], p[1]))
    index = TransitionIndex(y0, y1)
    collect: dict[str, dict[str, tuple[list[int], list[int]]]] = {k: {} for k in LIST_KINDS}
    for pos, (_order, hid, h, ref) in enumerate(placed):
        r0, r1 = h.at(y0), h.at(y1)
        index.household.append(hid)
        index.commune.append(int(ref.unit_code))
        index.urban.append(ref.area == "urban")
        index.em.append(ref.ethnic_minority)
        index.persons_from.append(r0.persons if r0 is not None and r0.present else 0)
        index.persons_to.append(r1.persons if r1 is not None and r1.present else 0)
        index.status_from.append(_status_code(r0))
        index.status_to.append(_status_code(r1))
        o0 = origin_code(h, y0, previous_year=previous) if previous is not None else None
        o1: OriginCode | None = None
        for kind in LIST_KINDS:
            mv = household_movement(h, y0, y1, kind)
            if mv is not None and r1 is not None and r1.status == kind:
                o1 = origin_of_movement(kind, mv.movement)  # = origin_code(h, y1, y0)
            into = collect[kind]
            for key, persons in bucket_keys(r0, r1, mv):
                positions, counts = into.setdefault(key, ([], []))
                positions.append(pos)
                counts.append(persons)
        index.origin_from.append(_ORIGIN_INDEX[o0.value if o0 is not None else ""])
        index.origin_to.append(_ORIGIN_INDEX[o1.value if o1 is not None else ""])
    index.buckets = {
        kind: {key: (array("q", p), array("l", n)) for key, (p, n) in by_key.items()}
        for kind, by_key in collect.items()
    }
    return index


# --- computing (in the background worker) --------------------------------------------------------
LANGS: tuple[Lang, ...] = ("vi", "en")
#: The entries of one result, after its stamped key.
RESULT_SUFFIXES: tuple[str, ...] = (
    *(f":report:{lang}:{int(em_only)}" for lang in LANGS for em_only in (False, True)),
    ":index",
)


def _drop(key: str) -> None:
    """Delete every entry of the result stored under the stamped ``key``."""
    _cache().delete_many([f"{key}{suffix}" for suffix in RESULT_SUFFIXES])


def _publish(scope: str, key: str, at: dt.datetime) -> None:
    """Point ``scope`` at the result just stored under ``key`` (data as of ``at``) and delete
    the result it replaces. If a result of newer data was published meanwhile (two tasks of
    the same scope overlapped), that one stays and this one is deleted."""
    cache = _cache()
    previous = cache.get(f"{scope}:latest")
    if isinstance(previous, dict) and previous.get("key") != key:
        if previous.get("at") is not None and previous["at"] > at:
            _drop(key)
            return
        _drop(previous["key"])
    cache.set(f"{scope}:latest", {"key": key, "at": at}, CACHE_TIMEOUT)


def compute_and_store(actor: Any, unit: AdminUnit, year_to: int) -> str:
    """Compute the transitions of ``unit`` for (year_to − 1, year_to) as ``actor`` sees them and
    store the page's reports (both languages, all households or ethnic-minority ones) and the
    drill-down index in the cache; returns the key. The stamp is read before the data, so a
    write that lands meanwhile can only make the result look older than it is (recomputed),
    never newer. The result becomes the scope's latest (the one it replaces is deleted) and the
    scope's pending and failed markers are cleared."""
    at = timezone.now()
    stamp = registry_stamp()
    scope = scope_key(actor, unit, year_to)
    key = stamped_key(scope, stamp)
    years = _cached_review_years(actor, unit, stamp)
    sel = Selection(unit, [], years, [], year_to - 1, year_to)
    histories = unit_histories(actor=actor, unit=unit, up_to=year_to)
    computed = compute_tables(histories, sel)
    cache = _cache()
    for lang in LANGS:
        for em_only in (False, True):
            report = render_report(computed, sel, lang, em_only)
            cache.set(f"{key}:report:{lang}:{int(em_only)}", report, CACHE_TIMEOUT)
    del computed
    cache.set(f"{key}:index", build_index(histories, sel), CACHE_TIMEOUT)
    _publish(scope, key, at)
    cache.delete_many([f"{scope}:pending", f"{scope}:failed"])
    return key


def failure_reason(exc: BaseException) -> tuple[str, str]:
    """A short reason for a failed computation, (Vietnamese, English); nothing of the data."""
    name = type(exc).__name__
    if isinstance(exc, MemoryError):
        return ("không đủ bộ nhớ", "out of memory")
    if isinstance(exc, DatabaseError):
        return (f"lỗi cơ sở dữ liệu: {name}", f"database error: {name}")
    return (f"lỗi khi tính: {name}", f"computation error: {name}")


def record_failure(scope: str, exc: BaseException) -> None:
    """What the task does when the computation raises: the scope's ``:failed`` marker (shown
    by the page for :data:`FAILED_TIMEOUT`, with a retry) and no ``:pending`` marker any more."""
    cache = _cache()
    cache.set(f"{scope}:failed", failure_reason(exc), FAILED_TIMEOUT)
    cache.delete(f"{scope}:pending")


def worker_missing(result: Any, now: dt.datetime | None = None) -> bool:
    """Whether a queued task (a django-tasks ``TaskResult``) has waited more than
    :data:`WORKER_WAIT_SECONDS` without being started: no background worker seems to run."""
    if result is None or result.status != "READY" or result.enqueued_at is None:
        return False
    now = timezone.now() if now is None else now
    waited: dt.timedelta = now - result.enqueued_at
    return waited.total_seconds() > WORKER_WAIT_SECONDS


def _start(actor: Any, unit: AdminUnit, year_to: int, scope: str) -> dict[str, Any] | None:
    """Ask the worker for the computation of ``scope`` unless it was asked for already (one
    pending computation per scope, whatever the stamp: it computes the newest data); returns
    the scope's pending marker (``task``: the task result id, when the backend keeps it)."""
    from giamngheo.registry.tasks import compute_transitions, transitions_task_result

    cache = _cache()
    pending = f"{scope}:pending"
    marker = cache.get(pending)
    if isinstance(marker, dict) and marker.get("task"):
        result = transitions_task_result(marker["task"])
        if result is not None and result.status in {"SUCCESSFUL", "FAILED"}:
            cache.delete(pending)  # its task ended without clearing it
            marker = None
    if marker is not None:
        return marker if isinstance(marker, dict) else None
    token = uuid.uuid4().hex
    if not cache.add(pending, {"token": token, "task": "", "at": timezone.now()}, PENDING_TIMEOUT):
        found = cache.get(pending)
        return found if isinstance(found, dict) else None
    actor_id = actor.pk if actor.is_authenticated else None
    try:
        result = compute_transitions.enqueue(actor_id, unit.pk, year_to, scope)
    except Exception:
        cache.delete(pending)
        raise
    marker = cache.get(pending)
    if isinstance(marker, dict) and marker.get("token") == token:  # not run inline
        marker = {**marker, "task": result.id}
        cache.set(pending, marker, PENDING_TIMEOUT)
    return marker if isinstance(marker, dict) else None


@dataclass(frozen=True)
class Cached:
    """A cached value of the selection and the state of its computation."""

    value: Any  # None while nothing can be shown
    stale_at: dt.datetime | None = None  # the value is the previous result, of data as of then
    failed: tuple[str, str] | None = None  # the last computation failed: (vi, en) reason
    no_worker: bool = False  # queued for a while and not started

    @property
    def computing(self) -> bool:
        """Nothing to show yet; the page reloads itself."""
        return self.value is None and self.failed is None

    @property
    def refresh(self) -> bool:
        """The page reloads itself until the fresh result is in."""
        return self.failed is None and (self.value is None or self.stale_at is not None)

    def context(self, lang: Lang) -> dict[str, Any]:
        return {
            "computing": self.computing,
            "refresh_page": self.refresh,
            "refresh": REFRESH_SECONDS,
            "stale_at": ""
            if self.stale_at is None
            else timezone.localtime(self.stale_at).strftime("%H:%M %d/%m/%Y"),
            "failed": "" if self.failed is None else self.failed[0 if lang == "vi" else 1],
            "no_worker": self.no_worker,
        }


def _cached(request: HttpRequest, sel: Selection, suffix: str) -> Cached:
    """The cached value ``suffix`` of the selection's result. When the result of the current
    registry version is missing, its computation is asked for (unless the last one failed a
    moment ago) and the scope's previous result is given instead, if any (``stale_at``); the
    value is None when there is none (unless the task ran inline, as in tests)."""
    assert sel.year_to is not None
    stamp = sel.stamp or registry_stamp()
    scope = scope_key(request.user, sel.unit, sel.year_to)
    key = stamped_key(scope, stamp)
    cache = _cache()
    value = cache.get(f"{key}{suffix}")
    if value is not None:
        return Cached(value)
    failed = cache.get(f"{scope}:failed")
    marker = None
    if failed is None:
        marker = _start(request.user, sel.unit, sel.year_to, scope)
        value = cache.get(f"{key}{suffix}")
        if value is not None:
            return Cached(value)
        failed = cache.get(f"{scope}:failed")  # failed inline
    no_worker = False
    if failed is None and marker is not None and marker.get("task"):
        from giamngheo.registry.tasks import transitions_task_result

        no_worker = worker_missing(transitions_task_result(marker["task"]))
    latest = cache.get(f"{scope}:latest")
    stale, stale_at = None, None
    if isinstance(latest, dict) and latest.get("key") != key:
        stale = cache.get(f"{latest['key']}{suffix}")
        stale_at = latest.get("at") if stale is not None else None
    reason: tuple[str, str] | None = None
    if isinstance(failed, (tuple, list)) and len(failed) == 2:
        reason = (str(failed[0]), str(failed[1]))
    elif failed is not None:
        reason = ("lỗi không rõ", "unknown error")
    return Cached(stale, stale_at, reason, no_worker)


def _stale_text(when: str, lang: Lang) -> str:
    if lang == "vi":
        return f"Số liệu lúc {when}; đang cập nhật theo thay đổi mới…"
    return f"Figures as of {when}; updating with the latest changes…"


def _retry(request: HttpRequest, sel: Selection) -> HttpResponse | None:
    """``?thu_lai=1``: forget the failure of the selection's computation and show the page
    again without the parameter (which asks for the computation again)."""
    if not request.GET.get("thu_lai") or sel.year_to is None:
        return None
    _cache().delete(f"{scope_key(request.user, sel.unit, sel.year_to)}:failed")
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "thu_lai"])
    return redirect(f"{request.path}?{query}")


# --- views ------------------------------------------------------------------------------------
@require_GET
def transitions_view(request: HttpRequest) -> HttpResponse:
    stamp = registry_stamp()
    if not request.GET.get("don_vi") and not _cached_unit_choices(request.user, stamp):
        # Nothing to show yet (no household the user may see): the page says so.
        return render(request, "registry/transitions.html", {"sel": None, "reports": []})
    sel = _select(request, stamp)
    retry = _retry(request, sel)
    if retry is not None:
        return retry
    em_only = request.GET.get("nhom") == "dtts"
    lang = _lang()
    state = Cached([]).context(lang)
    reports: list[ListReport] = []
    if sel.year_to is not None:
        got = _cached(request, sel, f":report:{lang}:{int(em_only)}")
        state = got.context(lang)
        reports = got.value or []
    query = urlencode({"don_vi": sel.unit.pk, "nam": sel.year_to or ""})
    return render(
        request,
        "registry/transitions.html",
        {
            "sel": sel,
            "reports": reports,
            **state,
            "em_only": em_only,
            "query": query,
            "retry_query": urlencode(
                {
                    "don_vi": sel.unit.pk,
                    "nam": sel.year_to or "",
                    **({"nhom": "dtts"} if em_only else {}),
                    "thu_lai": 1,
                }
            ),
            "sub_level": sel.unit.level != Level.COMMUNE,
        },
    )


_CLASS_LABELS = dict(Classification.choices)


@dataclass(frozen=True)
class ListLine:
    pk: int
    code: str
    head_name: str
    commune: str
    village: str
    status_from: str
    status_to: str
    origin_from: str
    origin_to: str
    persons_from: int
    persons_to: int


def _status_text(code: int, lang: Lang) -> str:
    status = _STATUS_CODES[code]
    if not status:
        return "—"
    if status.startswith("exit:"):
        reason = ExitReason(status.partition(":")[2])
        left = "Không còn trong sổ" if lang == "vi" else "No longer in the registry"
        return f"{left} ({reason.vi if lang == 'vi' else reason.en})"
    return str(_CLASS_LABELS.get(status, status))


def _origin_text(code: int, lang: Lang) -> str:
    origin = _ORIGIN_CODES[code]
    if not origin:
        return ""
    o = OriginCode(origin)
    return o.vi if lang == "vi" else o.en


@dataclass(frozen=True)
class DrillDown:
    sel: Selection
    list_kind: ListKind
    key: str
    measure: Measure
    group: dict[str, Any]
    area: str | None
    em: bool
    communes: list[int] | None


def drill_down(request: HttpRequest) -> DrillDown:
    """The selection, the figure and its group (404 on anything not visible or unknown)."""
    sel = _select(request)
    if sel.year_from is None or sel.year_to is None:
        raise Http404("Không có cặp năm / no pair of years")
    kind = request.GET.get("ds", "poor")
    list_kind: ListKind = "near_poor" if kind == "near_poor" else "poor"
    if kind not in LIST_KINDS:
        raise Http404("ds")
    measure: Measure = "persons" if request.GET.get("do") == "persons" else "households"
    key = request.GET.get("muc", "")
    try:
        figure_keys(list_kind, key, measure)
    except KeyError as exc:
        raise Http404("muc") from exc
    group: dict[str, Any] = {}
    communes: list[int] | None = None
    sub = _int(request.GET.get("xa"))
    if sub is not None:
        scope = commune_ids(actor=request.user, unit=sel.unit)
        sub_units = _sub_units(sel.unit, scope)
        communes = [int(c) for c, s in sub_units.items() if s == str(sub)]
        if not communes:
            raise Http404("Không có đơn vị này / no such unit")
        group["xa"] = sub
    area = request.GET.get("khu_vuc") or None
    if area is not None:
        if area not in _AREAS:
            raise Http404("khu_vuc")
        group["khu_vuc"] = area
    em = request.GET.get("dtts") == "1"
    if em:
        group["dtts"] = 1
    return DrillDown(sel, list_kind, key, measure, group, area, em, communes)


def _figure(
    request: HttpRequest, d: DrillDown
) -> tuple[tuple[array[int], int, TransitionIndex] | None, Cached]:
    """The positions and persons of the drill-down's figure and the index they point into
    (None while nothing can be shown), and the state of the computation. The figure is taken
    from the index on each request (a few milliseconds at 100,000 households, less than
    reading the index): no per-figure entry fills the cache."""
    got = _cached(request, d.sel, ":index")
    index: TransitionIndex | None = got.value
    if index is None:
        return None, got
    positions, persons = index.figure(
        d.list_kind,
        d.key,
        d.measure,
        area=d.area,
        em=d.em,
        communes=None if d.communes is None else set(d.communes),
    )
    return (positions, persons, index), got


def _label(kind: ListKind, key: str) -> tuple[str, str]:
    try:
        return row_label(kind, key)
    except KeyError:
        reason = key.partition(":")[2]
        base = row_label(kind, key.partition(":")[0])
        try:
            r: EntryReason | ExitReason = (
                ExitReason(reason) if key.startswith("other_decreases") else EntryReason(reason)
            )
        except ValueError:
            r = ExitReason.UNRECORDED
        return (f"{base[0]}: {r.vi}", f"{base[1]}: {r.en}")


@require_GET
def transitions_list_view(request: HttpRequest) -> HttpResponse:
    d = drill_down(request)
    sel, kind, key, group = d.sel, d.list_kind, d.key, d.group
    assert sel.year_from is not None and sel.year_to is not None
    retry = _retry(request, sel)
    if retry is not None:
        return retry
    lang = _lang()
    found, state = _figure(request, d)
    label = _label(kind, key)
    group_name = ""
    if "xa" in group:
        group_name = AdminUnit.objects.filter(pk=group["xa"]).values_list("name", flat=True)[0]
    back = urlencode(
        {
            "don_vi": sel.unit.pk,
            "nam": sel.year_to,
            **({"nhom": "dtts"} if group.get("dtts") else {}),
        }
    )
    context: dict[str, Any] = {
        "sel": sel,
        "list_kind": kind,
        "key": key,
        "measure": d.measure,
        "label": label[0] if lang == "vi" else label[1],
        "group": group,
        "group_name": group_name,
        "area_label": ""
        if "khu_vuc" not in group
        else _AREA_LABEL[group["khu_vuc"]][0 if lang == "vi" else 1],
        "query": urlencode({k: v for k, v in request.GET.items() if k != "trang"}),
        "retry_query": urlencode(
            [(k, v) for k, v in request.GET.items() if k not in {"trang", "thu_lai"}]
            + [("thu_lai", "1")]
        ),
        "back": back,
        **state.context(lang),
    }
    if found is None:
        return render(request, "registry/transitions_list.html", context)
    positions, persons, index = found
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("trang"))
    on_page = list(page.object_list)
    ids = [index.household[pos] for pos in on_page]
    households = {
        h.pk: h
        for h in Household.objects.filter(
            unit_scope_q(request.user, field="commune"), pk__in=ids
        ).select_related("commune", "village")
    }
    lines = []
    for pos, pk in zip(on_page, ids, strict=True):
        h = households.get(pk)
        if h is None:  # not visible (any more): never shown
            continue
        lines.append(
            ListLine(
                pk=pk,
                code=h.code,
                head_name=h.head_name,
                commune=h.commune.name,
                village=h.village.name if h.village else "",
                status_from=_status_text(index.status_from[pos], lang),
                status_to=_status_text(index.status_to[pos], lang),
                origin_from=_origin_text(index.origin_from[pos], lang),
                origin_to=_origin_text(index.origin_to[pos], lang),
                persons_from=index.persons_from[pos],
                persons_to=index.persons_to[pos],
            )
        )
    context |= {
        "households": format_int(len(positions), lang),
        "persons": format_int(persons, lang),
        "lines": lines,
        "page": page,
    }
    return render(request, "registry/transitions_list.html", context)


@require_GET
def transitions_export_view(request: HttpRequest) -> HttpResponse:
    """The tables of the page as an .xlsx workbook (one sheet per list). While they are being
    computed, the page (which says so and reloads itself) is shown instead."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sel = _select(request)
    if sel.year_to is None:
        raise Http404("Không có cặp năm / no pair of years")
    lang = _lang()
    em_only = request.GET.get("nhom") == "dtts"
    got = _cached(request, sel, f":report:{lang}:{int(em_only)}")
    reports = got.value
    if reports is None:
        query = urlencode(
            {"don_vi": sel.unit.pk, "nam": sel.year_to, **({"nhom": "dtts"} if em_only else {})}
        )
        return redirect(f"{reverse('registry:transitions')}?{query}")
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for report in reports:
        ws = wb.create_sheet("Ho ngheo" if report.list_kind == "poor" else "Ho can ngheo")
        ws.append([f"{sel.unit.name}: {sel.year_from} → {sel.year_to}"])
        if got.stale_at is not None:  # the previous result, while the fresh one is computed
            when = got.context(lang)["stale_at"]
            ws.append([_stale_text(when, lang)])
        ws.append([])
        ws.append(["", "Tất cả hộ: hộ", "Tất cả hộ: khẩu", "Hộ DTTS: hộ", "Hộ DTTS: khẩu"])
        for d in report.detail:
            ws.append(
                ["  " * d.level + d.label, *(c.value if c.text != "—" else None for c in d.cells)]
            )
            if d.level == 0:
                ws.cell(ws.max_row, 1).font = bold
        for heading, labels, rows in report.summaries:
            ws.append([])
            ws.append([heading])
            ws.append(["", *labels, "Thoát nghèo − tái − mới", "Đầu kỳ − cuối kỳ"])
            for s in rows:
                ws.append(
                    [s.label, *(c.value for c in s.cells), s.net_by_note.value, s.net_change.value]
                )
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"bien-dong-{sel.unit.code or sel.unit.pk}-{sel.year_from}-{sel.year_to}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
