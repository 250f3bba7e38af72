"""The money pages: allocation decisions, their lines, disbursements, settlements and the
money report.

* ``support:money`` (``kinh-phi/?nam=2020``): the decisions of a budget year, the totals per
  source (allocated, disbursed, settled, remaining) and the chain's findings at three levels;
* ``support:decision`` (``kinh-phi/quyet-dinh/<pk>/``): the lines by commune with what was
  disbursed and settled, the total in words, the form adding a line (POST here);
* ``support:decision_new``, ``support:decision_edit``: a decision's heading;
* ``support:allocation_edit`` (``kinh-phi/dong/<pk>/sua/``): change or remove a line;
* ``support:disbursement_new``, ``support:settlement_new``
  (``kinh-phi/quyet-dinh/<pk>/giai-ngan/``, ``…/quyet-toan/``, ``?dong=<line>``);
* ``support:money_report`` (``kinh-phi/bao-cao/?nam=2020&ky=2020-Q1``, ``&format=xlsx``):
  source × programme node × commune × quarter (``core.support.money_report.money_tables``).

A commune's user sees its commune's lines only and no totals of a decision; a decision it has
no line in answers 404. Writes go through ``support.services.money``.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from giamngheo.core.support.funds import Finding, quarter_of, source_label
from giamngheo.core.support.money import amount_in_words_en
from giamngheo.core.support.programme import UnknownProgramme, programme_by_id
from giamngheo.core.tables import Section, Table, write_xlsx
from giamngheo.support.access import can_manage_decision
from giamngheo.support.exports import money_tables
from giamngheo.support.models import Allocation, AllocationDecision
from giamngheo.support.selectors import money as sel
from giamngheo.support.services import money as svc
from giamngheo.support.services.common import forbid, require
from giamngheo.support.views.common import (
    attempt,
    english,
    pick,
    refusals,
    xlsx_response,
)
from giamngheo.support.views.money_forms import DecisionForm, LineForm, SpendForm, ui_lang

NO_MANAGE = (
    "Chỉ cán bộ của đơn vị ban hành hoặc phòng Tài chính – Kế hoạch mới được sửa quyết định này",
    "only officers of the issuing unit or its finance office may change this decision",
)
NO_SPEND = (
    "Bạn không được ghi giải ngân, quyết toán cho dòng phân bổ nào của quyết định này",
    "you may not record disbursements or settlements for any line of this decision",
)
NO_SPEND_LINE = (
    "Bạn không được ghi giải ngân, quyết toán cho dòng phân bổ này",
    "you may not record disbursements or settlements for this line",
)
LEVEL_TITLES = {
    "line": ("Từng dòng phân bổ", "Each allocation line"),
    "commune_source": ("Theo xã và nguồn vốn", "By commune and source"),
    "node_source": ("Theo dự án, tiểu dự án và nguồn vốn", "By programme node and source"),
}


# --- helpers -------------------------------------------------------------------------------------
def _today() -> dt.date:
    fixed: dt.date | None = getattr(settings, "GIAMNGHEO_TODAY", None)
    return fixed or dt.date.today()


def _year(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("nam", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return years[0] if years else _today().year


def _decision(request: HttpRequest, pk: int) -> AllocationDecision:
    decision = sel.decision_for(request.user, pk)
    if decision is None:
        raise Http404(_("Không có quyết định phân bổ này."))
    return decision


def _line(request: HttpRequest, pk: int) -> sel.LineRow:
    row = sel.line_for(request.user, pk)
    if row is None:
        raise Http404(_("Không có dòng phân bổ này."))
    return row


def _findings(found: dict[sel.ChainLevel, list[Finding]]) -> list[dict[str, Any]]:
    """The findings per level as the page lists them (levels without any left out)."""
    return [
        {
            "title": pick(*LEVEL_TITLES[level]),
            "items": [pick(f.message_vi, f.message_en) for f in items],
        }
        for level, items in found.items()
        if items
    ]


def _sources(rows: list[sel.LineRow]) -> list[dict[str, Any]]:
    return [
        {"label": source_label(t.key, ui_lang()), "t": t, "source": t.key}
        for t in sel.source_totals(rows)
    ]


# --- the year's money ----------------------------------------------------------------------------
@require_GET
def money_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = sel.budget_years(user)
    year = _year(request, years)
    rows = sel.year_lines(user, year)
    per_decision = sel.decision_totals(rows)
    found = list(sel.visible_decisions(user).filter(year=year).order_by("-date", "number", "pk"))
    whole = sel.whole_decisions(user, found)
    decisions = [{"d": d, "t": per_decision.get(d.pk), "whole": d.pk in whole} for d in found]
    context = {
        "year": year,
        "years": sorted({*years, year}, reverse=True),
        "decisions": decisions,
        "partial": any(not d["whole"] for d in decisions),
        "sources": _sources(rows),
        "total": sel.total_of(rows),
        "findings": _findings(sel.chain_findings(rows, ui_lang())),
        "can_create": bool(sel.issuing_units(user)),
    }
    return render(request, "support/money_index.html", context)


# --- one decision --------------------------------------------------------------------------------
def _line_form(request: HttpRequest, decision: AllocationDecision, **kwargs: Any) -> LineForm:
    return LineForm(
        programme_id=decision.programme_id,
        communes=sel.line_communes(decision),
        projects=sel.line_projects(request.user, decision),
        kept_at=decision.unit,
        **kwargs,
    )


def _movements(rows: list[sel.LineRow]) -> list[dict[str, Any]]:
    """The lines' disbursements and settlements by date, as the page lists them."""
    names = {
        r.line.pk: f"{r.place.name} · {r.line.node_code} · {source_label(r.line.source, ui_lang())}"
        for r in rows
    }
    disbursements, settlements = sel.line_movements(rows)
    items = [
        {
            "kind": kind,
            "on": m.on,
            "quarter": quarter_of(m.on).label(ui_lang()),
            "line": names.get(m.allocation_id, ""),
            "amount": m.amount,
            "reference": m.reference,
        }
        for kind, found in (("disbursed", disbursements), ("settled", settlements))
        for m in found
    ]
    return sorted(items, key=lambda m: (m["on"], m["kind"]))


def _groups(decision: AllocationDecision, rows: list[sel.LineRow]) -> list[Any]:
    """The lines by commune, each with its node's and source's names, and the subtotals."""
    lang = ui_lang()
    return [
        (
            place,
            [
                {
                    "r": r,
                    "node": sel.node_label(decision.programme_id, r.line.node_code, lang),
                    "source": source_label(r.line.source, lang),
                }
                for r in group
            ],
            sub,
        )
        for place, group, sub in sel.group_by_place(rows)
    ]


def _decision_context(
    request: HttpRequest, decision: AllocationDecision, form: LineForm | None
) -> dict[str, Any]:
    user = request.user
    rows = sel.decision_lines(user, decision)
    total = sel.total_of(rows)
    found = sel.chain_findings(rows, ui_lang())
    spendable = sel.spendable(user, rows)
    try:
        programme = programme_by_id(decision.programme_id).label(ui_lang())
    except UnknownProgramme:
        programme = decision.programme_id
    can_manage = can_manage_decision(user, decision)
    if form is None and can_manage:
        form = _line_form(request, decision)
    return {
        "decision": decision,
        "programme": programme,
        "groups": _groups(decision, rows),
        "whole": sel.sees_whole(user, decision),
        "total": total,
        "words_en": amount_in_words_en(total.allocated) if english() else "",
        "broken": {int(f.key[1]) for f in found["line"]},
        "findings": _findings(found),
        "movements": _movements(rows),
        "can_manage": can_manage,
        "spendable": {r.line.pk for r in spendable},
        "form": form,
        "disburse_form": SpendForm(spendable, auto_id="giai-ngan-%s", kind="disbursement")
        if spendable
        else None,
        "settle_form": SpendForm(spendable, auto_id="quyet-toan-%s", kind="settlement")
        if spendable
        else None,
    }


@refusals
@require_http_methods(["GET", "POST"])
def decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision's lines; POST adds a line."""
    decision = _decision(request, pk)
    if request.method != "POST":
        return render(
            request, "support/decision_detail.html", _decision_context(request, decision, None)
        )
    require(can_manage_decision(request.user, decision), *NO_MANAGE)
    form = _line_form(request, decision, data=request.POST)
    if form.is_valid():
        error = attempt(lambda: svc.allocation_add(request.user, decision, **form.values()))
        if not error:
            messages.success(request, _("Đã thêm dòng phân bổ."))
            return redirect("support:decision", pk=decision.pk)
        form.add_error(None, error)
    context = _decision_context(request, decision, form)
    return render(request, "support/decision_detail.html", context, status=400)


def _heading(decision: AllocationDecision) -> dict[str, Any]:
    return {
        "unit": str(decision.unit_id),
        "number": decision.number,
        "date": decision.date,
        "issuer": decision.issuer,
        "title": decision.title,
        "year": decision.year,
        "programme_id": decision.programme_id,
    }


@refusals
@require_http_methods(["GET", "POST"])
def decision_new_view(request: HttpRequest) -> HttpResponse:
    units = sel.issuing_units(request.user)
    if not units:
        raise forbid(
            "Bạn không được ban hành quyết định phân bổ", "you may not issue allocation decisions"
        )
    initial = {"unit": str(units[0].pk), "year": _today().year, "date": _today()}
    form = DecisionForm(units, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        made: list[AllocationDecision] = []
        error = attempt(lambda: made.append(svc.decision_create(request.user, **form.values())))
        if not error:
            messages.success(request, _("Đã tạo quyết định phân bổ."))
            return redirect("support:decision", pk=made[0].pk)
        form.add_error(None, error)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/decision_form.html", {"form": form}, status=status)


@refusals
@require_http_methods(["GET", "POST"])
def decision_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    require(can_manage_decision(request.user, decision), *NO_MANAGE)
    units = sel.issuing_units(request.user)
    if decision.unit not in units:
        units = [decision.unit, *units]
    form = DecisionForm(units, request.POST or None, initial=_heading(decision))
    if request.method == "POST" and form.is_valid():
        error = attempt(lambda: svc.decision_update(request.user, decision, **form.values()))
        if not error:
            messages.success(request, _("Đã lưu quyết định phân bổ."))
            return redirect("support:decision", pk=decision.pk)
        form.add_error(None, error)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "decision": decision}
    return render(request, "support/decision_form.html", context, status=status)


# --- a line --------------------------------------------------------------------------------------
@refusals
@require_http_methods(["GET", "POST"])
def allocation_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a line (POST ``luu``) or remove it (POST ``xoa``)."""
    row = _line(request, pk)
    line, decision = row.line, row.line.decision
    require(can_manage_decision(request.user, decision), *NO_MANAGE)
    initial = {
        "commune": str(line.commune_id or ""),
        "project": str(line.project_id or ""),
        "node_code": line.node_code,
        "source": line.source,
        "amount": str(line.amount),
    }
    form = _line_form(request, decision, data=request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and "xoa" in request.POST:
        error = attempt(lambda: svc.allocation_remove(request.user, line))
        if not error:
            messages.success(request, _("Đã xóa dòng phân bổ."))
            return redirect("support:decision", pk=decision.pk)
    elif request.method == "POST" and form.is_valid():
        error = attempt(lambda: svc.allocation_update(request.user, line, **form.values()))
        if not error:
            messages.success(request, _("Đã lưu dòng phân bổ."))
            return redirect("support:decision", pk=decision.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "row": row, "decision": decision, "error": error}
    return render(request, "support/money_line.html", context, status=status)


# --- disbursements and settlements ---------------------------------------------------------------
def _spend(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    decision = _decision(request, pk)
    rows = sel.spendable(request.user, sel.decision_lines(request.user, decision))
    if not rows:
        raise forbid(*NO_SPEND)
    chosen = request.POST.get("line") or request.GET.get("dong", "")
    if chosen and chosen.isdigit() and chosen not in {str(r.line.pk) for r in rows}:
        other = _line(request, int(chosen))  # 404 when the user may not see it
        if other.line.decision_id != decision.pk:
            raise Http404(_("Không có dòng phân bổ này."))
        raise forbid(*NO_SPEND_LINE)
    initial = {"line": chosen, "on": _today()}
    form = SpendForm(rows, request.POST or None, initial=initial, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = svc.settlement_record if kind == "settlement" else svc.disbursement_record
        line: Allocation = form.rows[data["line"]].line
        error = attempt(
            lambda: record(
                request.user,
                line,
                on=data["on"],
                amount=data["amount"],
                reference=data["reference"],
            )
        )
        if not error:
            done = _("Đã ghi quyết toán.") if kind == "settlement" else _("Đã ghi giải ngân.")
            messages.success(request, done)
            return redirect("support:decision", pk=decision.pk)
        form.add_error(None, error)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "decision": decision, "kind": kind}
    return render(request, "support/money_spend.html", context, status=status)


@refusals
@require_http_methods(["GET", "POST"])
def disbursement_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _spend(request, pk, "disbursement")


@refusals
@require_http_methods(["GET", "POST"])
def settlement_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _spend(request, pk, "settlement")


# --- the report ----------------------------------------------------------------------------------
def report_tables(request: HttpRequest, year: int) -> list[Table]:
    return money_tables(request.user, year, ui_lang())


def _shown(table: Table, section: Section) -> dict[str, Any]:
    """One table's section as the page shows it: the sources with no amount in any period of
    the table are left out (the export keeps every column)."""
    keep = [
        i
        for i, column in enumerate(section.columns)
        if column.key == "total"
        or any(row.values[i] for part in table.sections for row in part.rows)
    ]
    return {
        "table": table,
        "section": section,
        "columns": [section.columns[i] for i in keep],
        "rows": [(row, [row.values[i] for i in keep]) for row in section.rows],
    }


@require_GET
def money_report_view(request: HttpRequest) -> HttpResponse:
    """The pivot on the page (one period at a time: ``ky``) or as .xlsx (``format=xlsx``)."""
    years = sel.budget_years(request.user)
    year = _year(request, years)
    tables = report_tables(request, year)
    if request.GET.get("format") == "xlsx":
        out = io.BytesIO()
        write_xlsx(tables, out)
        return xlsx_response(out.getvalue(), f"kinh-phi-{year}.xlsx")
    periods = [(s.key, s.title) for s in tables[0].sections] if tables else []
    period = request.GET.get("ky", "total")
    if period not in {key for key, _title in periods}:
        period = "total"
    shown = [_shown(t, next(s for s in t.sections if s.key == period)) for t in tables]
    context = {
        "year": year,
        "years": sorted({*years, year}, reverse=True),
        "periods": periods,
        "period": period,
        "shown": shown,
        "empty": not any(len(t.sections[0].rows) > 1 for t in tables),
    }
    return render(request, "support/money_report.html", context)


urlpatterns = [
    path("kinh-phi/", money_view, name="money"),
    path("kinh-phi/bao-cao/", money_report_view, name="money_report"),
    path("kinh-phi/quyet-dinh/moi/", decision_new_view, name="decision_new"),
    path("kinh-phi/quyet-dinh/<int:pk>/", decision_view, name="decision"),
    path("kinh-phi/quyet-dinh/<int:pk>/sua/", decision_edit_view, name="decision_edit"),
    path("kinh-phi/quyet-dinh/<int:pk>/giai-ngan/", disbursement_new_view, name="disbursement_new"),
    path("kinh-phi/quyet-dinh/<int:pk>/quyet-toan/", settlement_new_view, name="settlement_new"),
    path("kinh-phi/dong/<int:pk>/sua/", allocation_edit_view, name="allocation_edit"),
]
