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

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from giamngheo.accounts.access import unit_scope_q, user_unit
from giamngheo.core.numbers import Lang, format_decimal, format_int
from giamngheo.core.transitions import (
    LIST_KINDS,
    Bucket,
    EntryReason,
    ExitReason,
    GroupedTables,
    GroupKey,
    History,
    HouseholdYear,
    ListKind,
    Measure,
    MovementTable,
    movement_table,
    movement_tables,
    origin_code,
    row_label,
)
from giamngheo.geo.models import LEVEL_DEPTH, AdminUnit, Level
from giamngheo.registry.models import Classification, Household
from giamngheo.registry.transitions import commune_ids, review_years, unit_histories

MEASURES: tuple[Measure, ...] = ("households", "persons")
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


def _select(request: HttpRequest) -> Selection:
    units = unit_choices(request.user)
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
    years = review_years(actor=request.user, unit=unit)
    pairs = [(y - 1, y) for y in years if y - 1 in years]
    year_to = _int(request.GET.get("nam"))
    if year_to is None and pairs:
        year_to = pairs[-1][1]
    if year_to is not None and (year_to - 1, year_to) not in pairs:
        if request.GET.get("nam"):
            raise Http404("Không có cặp năm này / no such pair of years")
        year_to = None
    year_from = None if year_to is None else year_to - 1
    return Selection(unit, units, years, pairs, year_from, year_to)


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


def _em(histories: Sequence[History]) -> list[History]:
    return [h for h in histories if h.records[-1].ethnic_minority]


@dataclass(frozen=True)
class _Grouped:
    sections: GroupedTables  # total and one table per area
    by_unit: Mapping[GroupKey, MovementTable]  # per (area, unit directly under the unit)


def _grouped(
    histories: Sequence[History], y0: int, y1: int, kind: ListKind, sub_units: dict[str, str]
) -> _Grouped:
    sections = movement_tables(histories, y0, y1, list_kind=kind, group_by=("area",))
    by_unit: Mapping[GroupKey, MovementTable] = {}
    if sub_units:
        by_unit = movement_tables(
            histories,
            y0,
            y1,
            list_kind=kind,
            group_by=("area", "unit"),
            unit_ancestors={c: (s,) for c, s in sub_units.items()},
            unit_level=1,
        ).groups
    return _Grouped(sections, by_unit)


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


def build_report(
    histories: Sequence[History], sel: Selection, lang: Lang, em_only: bool = False
) -> list[ListReport]:
    """The page's tables for both lists."""
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
    em_histories = _em(histories)
    reports = []
    for kind in LIST_KINDS:
        links = _Links(sel.unit, y1, kind)
        title = row_label(kind, "start")[0 if lang == "vi" else 1]
        report = ListReport(kind, title)
        source = em_histories if em_only else histories
        grouped = _grouped(source, y0, y1, kind, sub_units)
        em_total = grouped.sections.total if em_only else None
        tables = {
            "all": movement_table(histories, y0, y1, list_kind=kind)
            if em_only
            else grouped.sections.total,
            "em": em_total or movement_table(em_histories, y0, y1, list_kind=kind),
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


# --- views ------------------------------------------------------------------------------------
def _context(request: HttpRequest) -> tuple[Selection, list[History]]:
    sel = _select(request)
    histories: list[History] = []
    if sel.year_to is not None:
        histories = unit_histories(actor=request.user, unit=sel.unit, up_to=sel.year_to)
    return sel, histories


@require_GET
def transitions_view(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("don_vi") and not unit_choices(request.user):
        # Nothing to show yet (no household the user may see): the page says so.
        return render(request, "registry/transitions.html", {"sel": None, "reports": []})
    sel, histories = _context(request)
    lang = _lang()
    em_only = request.GET.get("nhom") == "dtts"
    reports = build_report(histories, sel, lang, em_only) if sel.year_to is not None else []
    query = urlencode({"don_vi": sel.unit.pk, "nam": sel.year_to or ""})
    return render(
        request,
        "registry/transitions.html",
        {
            "sel": sel,
            "reports": reports,
            "em_only": em_only,
            "query": query,
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


def _status_text(record: HouseholdYear | None, lang: Lang) -> str:
    if record is None:
        return "—"
    if record.status is None:
        reason = record.exit_reason or ExitReason.UNRECORDED
        left = "Không còn trong sổ" if lang == "vi" else "No longer in the registry"
        return f"{left} ({reason.vi if lang == 'vi' else reason.en})"
    return str(_CLASS_LABELS.get(record.status, record.status))


def _origin(history: History, year: int, previous: int | None, lang: Lang) -> str:
    if previous is None:
        return ""
    code = origin_code(history, year, previous_year=previous)
    if code is None:
        return ""
    return code.vi if lang == "vi" else code.en


def drill_down(
    request: HttpRequest,
) -> tuple[Selection, ListKind, str, Measure, dict[str, Any], list[History], Bucket]:
    """The selection, the figure and the households behind it (404 on anything not visible
    or unknown)."""
    sel = _select(request)
    if sel.year_from is None or sel.year_to is None:
        raise Http404("Không có cặp năm / no pair of years")
    kind = request.GET.get("ds", "poor")
    list_kind: ListKind = "near_poor" if kind == "near_poor" else "poor"
    if kind not in LIST_KINDS:
        raise Http404("ds")
    measure: Measure = "persons" if request.GET.get("do") == "persons" else "households"
    key = request.GET.get("muc", "")
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
    histories = unit_histories(
        actor=request.user, unit=sel.unit, up_to=sel.year_to, communes=communes
    )

    def where(r: HouseholdYear) -> bool:
        return (area is None or r.area == area) and (not em or r.ethnic_minority)

    where_fn: Callable[[HouseholdYear], bool] | None = where if (area or em) else None
    table = movement_table(
        histories, sel.year_from, sel.year_to, list_kind=list_kind, where=where_fn
    )
    try:
        bucket = bucket_of(table, key, measure)
    except KeyError as exc:
        raise Http404("muc") from exc
    return sel, list_kind, key, measure, group, histories, bucket


@require_GET
def transitions_list_view(request: HttpRequest) -> HttpResponse:
    sel, kind, key, measure, group, histories, bucket = drill_down(request)
    assert sel.year_from is not None and sel.year_to is not None
    lang = _lang()
    by_id = {h.household_id: h for h in histories}
    ids = [int(i) for i in bucket.household_ids]
    order = {
        pk: (commune, code)
        for pk, commune, code in Household.objects.filter(
            unit_scope_q(request.user, field="commune"),
            commune_id__in=sorted({int(by_id[str(i)].records[-1].unit_code) for i in ids}),
        ).values_list("pk", "commune__name", "code")
    }
    ids = sorted((i for i in ids if i in order), key=lambda i: order[i])
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("trang"))
    households = {
        h.pk: h
        for h in Household.objects.filter(
            unit_scope_q(request.user, field="commune"), pk__in=list(page.object_list)
        ).select_related("commune", "village")
    }
    previous = sel.year_from - 1 if sel.year_from - 1 in sel.years else None
    lines = []
    for pk in page.object_list:
        h = households[pk]
        history = by_id[str(pk)]
        r0, r1 = history.at(sel.year_from), history.at(sel.year_to)
        lines.append(
            ListLine(
                pk=pk,
                code=h.code,
                head_name=h.head_name,
                commune=h.commune.name,
                village=h.village.name if h.village else "",
                status_from=_status_text(r0, lang),
                status_to=_status_text(r1, lang),
                origin_from=_origin(history, sel.year_from, previous, lang),
                origin_to=_origin(history, sel.year_to, sel.year_from, lang),
                persons_from=r0.persons if r0 is not None and r0.present else 0,
                persons_to=r1.persons if r1 is not None and r1.present else 0,
            )
        )
    try:
        label = row_label(kind, key)
    except KeyError:
        reason = key.partition(":")[2]
        base = row_label(kind, key.partition(":")[0])
        try:
            r: EntryReason | ExitReason = (
                ExitReason(reason) if key.startswith("other_decreases") else EntryReason(reason)
            )
        except ValueError:
            r = ExitReason.UNRECORDED
        label = (f"{base[0]}: {r.vi}", f"{base[1]}: {r.en}")
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
    return render(
        request,
        "registry/transitions_list.html",
        {
            "sel": sel,
            "list_kind": kind,
            "key": key,
            "measure": measure,
            "label": label[0] if lang == "vi" else label[1],
            "households": format_int(bucket.households, lang),
            "persons": format_int(bucket.persons, lang),
            "group": group,
            "group_name": group_name,
            "area_label": ""
            if "khu_vuc" not in group
            else _AREA_LABEL[group["khu_vuc"]][0 if lang == "vi" else 1],
            "lines": lines,
            "page": page,
            "query": urlencode({k: v for k, v in request.GET.items() if k != "trang"}),
            "back": back,
        },
    )


@require_GET
def transitions_export_view(request: HttpRequest) -> HttpResponse:
    """The tables of the page as an .xlsx workbook (one sheet per list)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sel, histories = _context(request)
    if sel.year_to is None:
        raise Http404("Không có cặp năm / no pair of years")
    lang = _lang()
    em_only = request.GET.get("nhom") == "dtts"
    reports = build_report(histories, sel, lang, em_only)
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for report in reports:
        ws = wb.create_sheet("Ho ngheo" if report.list_kind == "poor" else "Ho can ngheo")
        ws.append([f"{sel.unit.name}: {sel.year_from} → {sel.year_to}"])
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
