"""The transitions pages (thin: the figures come from the computed report, see
``giamngheo.transitions.report``; what they show while it is computed, from
``giamngheo.computed.views``).

* ``transitions:page`` (``/ho-gia-dinh/bien-dong/``): ``?don_vi=<unit pk>&nam=<y1>`` (the pair
  is y1 − 1 → y1; default the latest pair) ``&nhom=dtts`` (ethnic-minority households only,
  for the tables by area and unit);
* ``transitions:list`` (``/ho-gia-dinh/bien-dong/danh-sach/``): the same plus ``ds`` (poor |
  near_poor), ``muc`` (the figure: a row key of ``giamngheo.core.transitions``, e.g.
  ``newly``, ``other_decreases:moved_away``), ``do`` (households | persons), and the group:
  ``xa`` (a unit directly under the chosen one), ``khu_vuc`` (urban | rural), ``dtts=1``;
  ``trang`` pages;
* ``transitions:export`` (``/ho-gia-dinh/bien-dong/xuat.xlsx``): the tables as .xlsx.

Every page also takes ``thu_lai=1`` (retry a failed computation). Access: the units offered are
the actor's own and those below it that have households; any other unit, or a group outside the
unit, answers 404 — nothing about other communes leaks. Every count is the length of the list
it links to.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from giamngheo.accounts.access import unit_scope_q, user_unit
from giamngheo.computed.views import Cached, cached, retry
from giamngheo.core.numbers import Lang, format_int
from giamngheo.core.tables import write_xlsx
from giamngheo.core.transitions import (
    LIST_KINDS,
    EntryReason,
    ExitReason,
    ListKind,
    Measure,
    OriginCode,
    figure_keys,
    row_label,
)
from giamngheo.core.transitions_figures import AREAS
from giamngheo.core.transitions_index import ORIGIN_CODES, STATUS_CODES, TransitionIndex
from giamngheo.core.transitions_report import AREA_LABELS
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.histories import commune_ids
from giamngheo.registry.models import Classification, Household
from giamngheo.registry.version import registry_stamp
from giamngheo.transitions.report import (
    TRANSITIONS,
    Figure,
    Selection,
    cached_review_years,
    cached_unit_choices,
    page_reports,
    sub_units,
)

PAGE_SIZE = 50


def _lang() -> Lang:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def select(request: HttpRequest, stamp: str | None = None) -> Selection:
    """The unit and the pair of years asked for (404 for a unit or pair the user cannot see)."""
    stamp = registry_stamp() if stamp is None else stamp
    units = cached_unit_choices(request.user, stamp)
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
    years = cached_review_years(request.user, unit, stamp)
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


def _figures(request: HttpRequest, sel: Selection) -> Cached:
    return cached(TRANSITIONS, request.user, sel.params(), "figures", sel.stamp)


# --- the page -------------------------------------------------------------------------------------
@require_GET
def transitions_view(request: HttpRequest) -> HttpResponse:
    stamp = registry_stamp()
    if not request.GET.get("don_vi") and not cached_unit_choices(request.user, stamp):
        # Nothing to show yet (no household the user may see): the page says so.
        return render(request, "transitions/transitions.html", {"sel": None, "reports": []})
    sel = select(request, stamp)
    if sel.year_to is not None and (
        again := retry(request, TRANSITIONS, request.user, sel.params())
    ):
        return again
    em_only = request.GET.get("nhom") == "dtts"
    lang = _lang()
    state = Cached([]).context(lang)
    reports: list[Any] = []
    pending: tuple[str, ...] = ()
    if sel.year_to is not None:
        got = _figures(request, sel)
        state = got.context(lang)
        reports = [] if got.value is None else page_reports(got.value, sel, lang, em_only)
        pending = getattr(got.value, "pending", ())
    query = urlencode({"don_vi": sel.unit.pk, "nam": sel.year_to or ""})
    retry_query = {
        "don_vi": sel.unit.pk,
        "nam": sel.year_to or "",
        **({"nhom": "dtts"} if em_only else {}),
        "thu_lai": 1,
    }
    return render(
        request,
        "transitions/transitions.html",
        {
            "sel": sel,
            "reports": reports,
            **state,
            "em_only": em_only,
            "query": query,
            "retry_query": urlencode(retry_query),
            "sub_level": sel.unit.level != Level.COMMUNE,
            "figures_pending": pending,
        },
    )


# --- the drill-down list ------------------------------------------------------------------------
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
    status = STATUS_CODES[code]
    if not status:
        return "—"
    if status.startswith("exit:"):
        reason = ExitReason(status.partition(":")[2])
        left = "Không còn trong sổ" if lang == "vi" else "No longer in the registry"
        return f"{left} ({reason.vi if lang == 'vi' else reason.en})"
    return str(_CLASS_LABELS.get(status, status))


def _origin_text(code: int, lang: Lang) -> str:
    origin = ORIGIN_CODES[code]
    if not origin:
        return ""
    o = OriginCode(origin)
    return o.vi if lang == "vi" else o.en


@dataclass(frozen=True)
class DrillDown:
    sel: Selection
    figure: Figure
    group: dict[str, Any]


def drill_down(request: HttpRequest) -> DrillDown:
    """The selection, the figure and its group (404 on anything not visible or unknown)."""
    sel = select(request)
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
    communes: frozenset[int] | None = None
    sub = _int(request.GET.get("xa"))
    if sub is not None:
        scope = commune_ids(actor=request.user, unit=sel.unit)
        subs = sub_units(sel.unit, scope)
        communes = frozenset(int(c) for c, s in subs.items() if s == str(sub))
        if not communes:
            raise Http404("Không có đơn vị này / no such unit")
        group["xa"] = sub
    area = request.GET.get("khu_vuc") or None
    if area is not None:
        if area not in AREAS:
            raise Http404("khu_vuc")
        group["khu_vuc"] = area
    em = request.GET.get("dtts") == "1"
    if em:
        group["dtts"] = 1
    return DrillDown(sel, Figure(list_kind, key, measure, area, em, communes), group)


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


def _lines(
    request: HttpRequest, index: TransitionIndex, positions: list[int], lang: Lang
) -> list[ListLine]:
    """The households at ``positions`` of the index that the user may see (in that order)."""
    ids = [index.household[pos] for pos in positions]
    households = {
        h.pk: h
        for h in Household.objects.filter(
            unit_scope_q(request.user, field="commune"), pk__in=ids
        ).select_related("commune", "village")
    }
    lines = []
    for pos, pk in zip(positions, ids, strict=True):
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
    return lines


@require_GET
def transitions_list_view(request: HttpRequest) -> HttpResponse:
    d = drill_down(request)
    sel, figure, group = d.sel, d.figure, d.group
    if again := retry(request, TRANSITIONS, request.user, sel.params()):
        return again
    lang = _lang()
    # The index of the result (or of the previous one while it is computed); the figure is
    # filtered from it on each request: no per-figure entry fills the cache.
    state = cached(TRANSITIONS, request.user, sel.params(), "index", sel.stamp)
    label = _label(figure.list_kind, figure.key)
    group_name = ""
    if "xa" in group:
        group_name = AdminUnit.objects.filter(pk=group["xa"]).values_list("name", flat=True)[0]
    back = {
        "don_vi": sel.unit.pk,
        "nam": sel.year_to,
        **({"nhom": "dtts"} if group.get("dtts") else {}),
    }
    context: dict[str, Any] = {
        "sel": sel,
        "list_kind": figure.list_kind,
        "key": figure.key,
        "measure": figure.measure,
        "label": label[0] if lang == "vi" else label[1],
        "group": group,
        "group_name": group_name,
        "area_label": ""
        if "khu_vuc" not in group
        else AREA_LABELS[group["khu_vuc"]][0 if lang == "vi" else 1],
        "query": urlencode({k: v for k, v in request.GET.items() if k != "trang"}),
        "retry_query": urlencode(
            [(k, v) for k, v in request.GET.items() if k not in {"trang", "thu_lai"}]
            + [("thu_lai", "1")]
        ),
        "back": urlencode(back),
        **state.context(lang),
    }
    index: TransitionIndex | None = state.value
    if index is None:
        return render(request, "transitions/transitions_list.html", context)
    positions, persons = TRANSITIONS.drill_down(index, figure)
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("trang"))
    context |= {
        "households": format_int(len(positions), lang),
        "persons": format_int(persons, lang),
        "lines": _lines(request, index, list(page.object_list), lang),
        "page": page,
    }
    return render(request, "transitions/transitions_list.html", context)


# --- the export ---------------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def transitions_export_view(request: HttpRequest) -> HttpResponse:
    """The tables of the page as an .xlsx workbook (one sheet per list). While they are being
    computed, the page (which says so and reloads itself) is shown instead."""
    sel = select(request)
    if sel.year_to is None:
        raise Http404("Không có cặp năm / no pair of years")
    lang = _lang()
    em_only = request.GET.get("nhom") == "dtts"
    got = _figures(request, sel)
    if got.value is None:
        query = urlencode(
            {"don_vi": sel.unit.pk, "nam": sel.year_to, **({"nhom": "dtts"} if em_only else {})}
        )
        return redirect(f"{reverse('transitions:page')}?{query}")
    # The previous result, while the fresh one is computed, says so under the title.
    notes = [note] if (note := got.stale_note(lang)) else []
    tables = TRANSITIONS.export_tables(got.value, sel.params(em_only), lang, notes)
    buffer = io.BytesIO()
    write_xlsx(tables, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"bien-dong-{sel.unit.code or sel.unit.pk}-{sel.year_from}-{sel.year_to}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
