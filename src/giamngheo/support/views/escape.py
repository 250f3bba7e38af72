"""Support against deprivation and the path out of poverty: the pages.

* ``gaps`` (``thieu-hut/``): for support year Y, the poor and near-poor households of the
  review at the end of Y − 1, per commune (or village) how many are deprived in each indicator
  and in income, how many of those needs a support received in Y addresses, and the named
  households with their needs, their supports and the needs **no support addresses** with the
  support types that would (``core.support.gaps``, the catalog's ``types_for``); ``.xlsx``
  export; once the review of Y is approved, per support type how many addressed needs were
  resolved (``effectiveness``);
* ``pipeline`` (``thoat-ngheo/``): per commune the households closest to escaping
  (``core.support.pipeline``, its ordering rule shown), the plan's column 5, the registration
  (checkboxes, the suggestion pre-checked) and, after the review of Y, registered versus
  escaped;
* ``escape_register`` / ``escape_unregister`` (POST): through ``services.escape``; both answer
  with a redirect to the pipeline page (a GET address, so its filters and page links work),
  the outcome as a message (``django.contrib.messages``); a refused registration keeps the
  officer's choice ticked (``ho`` in the address).

The gaps' data and workbook and the pipeline's numbers come from ``support.exports`` (shared
with ``giamngheo support gaps|pipeline``). Named lists are paged (100 households a page). 404
for a commune or registration the user cannot see, 403 (nothing changed) for a write the user
may not make; a refusal of the service: back to the pipeline page with the reason as an error
message, nothing changed. Households that have left are off both lists
(``selectors.needs.needs``; the pages' notes say so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giamngheo.accounts.access import can_manage_unit, can_view_unit
from giamngheo.core.numbers import Lang, format_pct
from giamngheo.core.standards.model import UnknownStandard
from giamngheo.core.support.gaps import (
    GapError,
    HouseholdGap,
    HouseholdNeed,
    effectiveness,
    resolution,
)
from giamngheo.core.support.pipeline import (
    CLOSEST_TO_ESCAPING,
    EscapeCandidate,
    candidates,
    suggest,
)
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.support.exports import Gaps, Labels, by_household, gaps_xlsx, pipeline
from giamngheo.support.models import EscapeRegistration
from giamngheo.support.selectors import needs as sel
from giamngheo.support.services.escape import escape_register_suggested, escape_unregister
from giamngheo.support.views.common import attempt, english, pick, refusals, xlsx_response

PAGE_SIZE = 100
_PATHS = {
    "income": ("Tăng thu nhập", "Raise income"),
    "deprivations": ("Giảm thiếu hụt", "Remove deprivations"),
    "both": ("Tăng thu nhập hoặc giảm thiếu hụt", "Raise income or remove deprivations"),
}


# --- what both pages share -----------------------------------------------------------------------
def lang() -> Lang:
    return "en" if english() else "vi"


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _year(params: QueryDict) -> int:
    """The support year asked for (``nam``), else the current one."""
    year = _int(params.get("nam"))
    if year is not None and 2000 <= year <= 2100:
        return year
    today: dt.date | None = getattr(settings, "GIAMNGHEO_TODAY", None)
    return (today or timezone.localdate()).year


def _unit_or_404(request: HttpRequest, raw: str | None, level: str) -> AdminUnit | None:
    pk = _int(raw)
    if raw and pk is None:
        raise Http404
    if pk is None:
        return None
    unit = AdminUnit.objects.filter(pk=pk, level=level).first()
    if unit is None or not can_view_unit(request.user, unit):
        raise Http404
    return unit


def _page(params: QueryDict, total: int) -> tuple[int, int]:
    """(page number, number of pages) of ``total`` rows."""
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(1, _int(params.get("trang")) or 1), pages), pages


def _share(value: Fraction | None) -> str:
    return "—" if value is None else format_pct(value * 100, lang(), 1) + " %"


# --- deprivations against support --------------------------------------------------------------
def _error_text(exc: GapError | UnknownStandard) -> str:
    return pick(exc.message_vi, exc.message_en) if isinstance(exc, GapError) else str(exc)


class GapsPage(Gaps):
    """One request of the gaps page: ``exports.Gaps`` for the user's scope, then the parts
    the page (or the export) shows."""

    def __init__(self, request: HttpRequest, year: int, commune: AdminUnit | None) -> None:
        self.params = request.GET
        by_village = self.params.get("theo") == "thon"
        super().__init__(request.user, year, commune, lang=lang(), by_village=by_village)

    def summary(self) -> dict[str, Any]:
        rows = self.summary_rows
        totals = None
        if len(rows) > 1:
            households, unaddressed, indicators = self.totals()
            totals = {
                "households": households,
                "households_unaddressed": unaddressed,
                "indicators": indicators,
            }
        return {
            "columns": [self.labels.indicator(k, self.stds) for k in self.keys],
            "rows": [{"row": r, "name": self.unit_name(r)} for r in rows],
            "totals": totals,
        }

    def chosen(self, village: AdminUnit | None) -> list[HouseholdGap]:
        """The named list the filters ask for (``chua``, ``chi_so``)."""
        return self.filtered(
            village.pk if village is not None else None,
            unaddressed_only=self.params.get("chua") == "1",
            key=self.params.get("chi_so") or None,
        )

    def named(self, village: AdminUnit | None) -> dict[str, Any]:
        rows = self.chosen(village)
        number, pages = _page(self.params, len(rows))
        shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        got = by_household(self.got, {g.need.household_id for g in shown})
        query = self.params.copy()
        for k in ("trang", "format"):
            query.pop(k, None)
        villages = AdminUnit.objects.filter(parent=self.one, level=Level.VILLAGE)
        return {
            "households": [self.household_row(g, got.get(g.need.household_id, [])) for g in shown],
            "total": len(rows),
            "page": number,
            "pages": pages,
            "query": query.urlencode(),
            "villages": list(villages.order_by("name").values_list("pk", "name")),
        }

    def effect(self) -> dict[str, Any] | None:
        """Addressed → resolved at the review of the year, in the communes whose review of
        the year is approved (None when there is none yet)."""
        reviewed = sel.communes_reviewed(self.communes, self.year)
        if not reviewed:
            return None
        part = [g for g in self.gaps if g.need.commune_id in reviewed]
        ids = {g.need.household_id for g in part}
        nexts = sel.next_reviews(self.year, ids)
        got = [r for r in self.got if r.household_id in ids]
        rows = effectiveness(resolution(part, nexts), got, year=self.year)
        return {
            "rows": [
                {
                    "e": e,
                    "label": self.labels.support(e.support_type),
                    "share": _share(e.resolved_share),
                }
                for e in rows
            ],
            "partial": len(reviewed) < len(self.communes),
        }

    def xlsx(self, village: AdminUnit | None) -> HttpResponse:
        data = gaps_xlsx(self, self.chosen(village))
        return xlsx_response(data, f"thieu-hut-ho-tro-{self.year}.xlsx")


@require_GET
@refusals
def gaps_view(request: HttpRequest) -> HttpResponse:
    params = request.GET
    year = _year(params)
    commune = _unit_or_404(request, params.get("xa"), Level.COMMUNE)
    village = _unit_or_404(request, params.get("thon"), Level.VILLAGE) if commune else None
    if village is not None and commune is not None and village.parent_id != commune.pk:
        raise Http404
    context: dict[str, Any] = {
        "year": year,
        "base_year": year - 1,
        "commune": commune,
        "village": village,
    }
    try:
        page = GapsPage(request, year, commune)
    except (GapError, UnknownStandard) as exc:
        context["error"] = _error_text(exc)
        return render(request, "support/gaps.html", context, status=500)
    if params.get("format") == "xlsx":
        return page.xlsx(village)
    context.update(
        params=params,
        by=page.by,
        communes=[(c, page.names.get(c, "")) for c in page.communes],
        summary=page.summary(),
        indicator_keys=[(k, page.labels.indicator(k, page.stds)) for k in page.keys],
        effect=page.effect(),
        one=page.one,
    )
    if page.one is not None:
        context.update(page.named(village))
    return render(request, "support/gaps.html", context)


# --- the path out of poverty ---------------------------------------------------------------------
def _candidate_row(
    c: EscapeCandidate,
    labels: Labels,
    names: dict[int, str],
    registered: set[int],
    chosen: set[int],
) -> dict[str, Any]:
    need = c.need
    vi, en = _PATHS[c.path]
    return {
        "c": c,
        "village": names.get(need.village_id or 0, ""),
        "path": pick(vi, en),
        "ratio": _share(c.shortfall_ratio),
        "deprived": [
            labels.indicator(k, [need.standard_id])
            for k in labels.order(need.deprived, need.standard_id)
        ],
        "registered": need.household_id in registered,
        "checked": need.household_id in chosen,
    }


def _pipeline_commune(
    request: HttpRequest,
    year: int,
    commune: AdminUnit,
    *,
    need_list: list[HouseholdNeed],
    target: int | None,
    open_: bool,
    chosen: Sequence[int] | None,
) -> dict[str, Any]:
    labels = Labels(lang())
    ranked = candidates(need_list)
    regs = sel.registered_rows(year=year, commune_id=commune.pk)
    registered = {r.household_id for r in regs}
    free = [c for c in ranked if c.need.household_id not in registered]
    suggestion = suggest(free, max(0, (target or 0) - len(registered)), commune_id=commune.pk)
    picked = set(chosen) if chosen is not None else {c.need.household_id for c in suggestion}
    number, pages = _page(request.GET, len(ranked))
    shown = ranked[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    names = sel.unit_names(c.need.village_id for c in shown if c.need.village_id)
    outcome = {}
    if not open_ and regs:
        outcome = {k: labels.class_label(v) for k, v in sel.classes_in(year, registered).items()}
    query = request.GET.copy()
    for key in ("trang", "ho"):
        query.pop(key, None)
    return {
        "rule_title": pick(CLOSEST_TO_ESCAPING.title_vi, CLOSEST_TO_ESCAPING.title_en),
        "rule_text": pick(CLOSEST_TO_ESCAPING.description_vi, CLOSEST_TO_ESCAPING.description_en),
        "rule_code": CLOSEST_TO_ESCAPING.code,
        "candidates": [_candidate_row(c, labels, names, registered, picked) for c in shown],
        "candidate_total": len(ranked),
        "suggested": len(suggestion),
        "registered_rows": [(r, outcome.get(r.household_id, "")) for r in regs],
        "page": number,
        "pages": pages,
        "query": query.urlencode(),
        "can_register": open_ and can_manage_unit(request.user, commune),
    }


def _pipeline_page(
    request: HttpRequest,
    year: int,
    commune: AdminUnit | None,
    *,
    chosen: Sequence[int] | None = None,
) -> HttpResponse:
    try:
        numbers = pipeline(request.user, year, commune)
    except GapError as exc:
        return render(
            request, "support/pipeline.html", {"year": year, "error": _error_text(exc)}, status=500
        )
    communes, names, reviewed = numbers.communes, numbers.names, numbers.reviewed
    table, targets = numbers.rows, numbers.targets
    rows = [
        {
            "r": r,
            "name": names.get(r.commune_id, "") if r.commune_id else "",
            "reviewed": r.commune_id in reviewed,
        }
        for r in table
        if r.commune_id is not None
    ]
    one = commune
    if one is None and len(communes) == 1:
        one = AdminUnit.objects.get(pk=communes[0])
    context: dict[str, Any] = {
        "year": year,
        "base_year": year - 1,
        "commune": commune,
        "communes": [(c, names.get(c, "")) for c in communes],
        "one": one,
        "rows": rows,
        "total": table[-1] if len(rows) > 1 else None,
        "all_reviewed": bool(communes) and len(reviewed) == len(communes),
        "any_reviewed": bool(reviewed),
    }
    if one is not None:
        open_ = one.pk not in reviewed
        mine = [n for n in numbers.need_list if n.commune_id == one.pk]
        context.update(
            _pipeline_commune(
                request,
                year,
                one,
                need_list=mine,
                target=targets.get(one.pk),
                open_=open_,
                chosen=chosen,
            )
        )
        context["target"] = targets.get(one.pk)
        context["open"] = open_
    return render(request, "support/pipeline.html", context)


@require_GET
@refusals
def pipeline_view(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET)
    commune = _unit_or_404(request, request.GET.get("xa"), Level.COMMUNE)
    chosen = None
    if commune is not None and "ho" in request.GET:  # back from a refused registration
        chosen = [i for i in (_int(v) for v in request.GET.getlist("ho")) if i is not None]
    return _pipeline_page(request, year, commune, chosen=chosen)


def _pipeline_url(year: int, commune_id: int, chosen: Sequence[int] = ()) -> str:
    ticked = "".join(f"&ho={i}" for i in chosen)
    return f"{reverse('support:pipeline')}?nam={year}&xa={commune_id}{ticked}"


@require_POST
@refusals
def escape_register_view(request: HttpRequest) -> HttpResponse:
    year = _year(request.POST)
    commune = _unit_or_404(request, request.POST.get("xa"), Level.COMMUNE)
    if commune is None:
        raise Http404
    ids = [i for i in (_int(v) for v in request.POST.getlist("ho")) if i is not None]
    note = request.POST.get("ghi_chu", "")
    made: list[EscapeRegistration] = []

    def write() -> None:
        made.extend(escape_register_suggested(request.user, commune, year, ids, note))

    error = attempt(write)
    if error:
        messages.error(request, error)
        return redirect(_pipeline_url(year, commune.pk, ids))
    messages.success(
        request, _("Đã đăng ký %(n)s hộ thoát nghèo năm %(year)s.") % {"n": len(made), "year": year}
    )
    return redirect(_pipeline_url(year, commune.pk))


@require_POST
@refusals
def escape_unregister_view(request: HttpRequest, pk: int) -> HttpResponse:
    reg = EscapeRegistration.objects.select_related("commune", "household").filter(pk=pk).first()
    if reg is None or not can_view_unit(request.user, reg.commune):
        raise Http404
    error = attempt(lambda: escape_unregister(request.user, reg))
    if error:
        messages.error(request, error)
        return redirect(_pipeline_url(reg.year, reg.commune_id))
    messages.success(
        request, _("Đã bỏ đăng ký thoát nghèo của hộ %(code)s.") % {"code": reg.household.code}
    )
    return redirect(_pipeline_url(reg.year, reg.commune_id))


urlpatterns = [
    path("thieu-hut/", gaps_view, name="gaps"),
    path("thoat-ngheo/", pipeline_view, name="pipeline"),
    path("thoat-ngheo/dang-ky/", escape_register_view, name="escape_register"),
    path("thoat-ngheo/<int:pk>/bo-dang-ky/", escape_unregister_view, name="escape_unregister"),
]
