"""Plan pages. Thin: each view checks access, calls a selector or a service, renders.

Access (see ``giamngheo.plans.selectors``): a plan a user may not open answers 404; a page
or POST that changes a plan answers 403 unless the user may manage the issuing unit — and
the services check again, so nothing changes either way.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from giamngheo.accounts.access import manageable_units
from giamngheo.core.numbers import Lang
from giamngheo.core.plan.propose import Proposal, ProposalError
from giamngheo.plans.baseline import (
    plan_actuals,
    plan_baseline_from_registry,
    registry_status,
)
from giamngheo.plans.forms import ImportForm, PlanCreateForm, ProposeForm, RowFormSet
from giamngheo.plans.models import Plan
from giamngheo.plans.panels import plan_panels
from giamngheo.plans.selectors import (
    check_plan,
    plan_can_manage,
    plan_changes_visible,
    plan_get,
    plan_list,
    plan_objectives,
    plan_rows,
    plan_rows_visible,
    plan_shows_all_rows,
    plan_table,
)
from giamngheo.plans.services import (
    EXPORT_FORMATS,
    ImportProblem,
    PlanImportError,
    PlanRowsError,
    RowInput,
    export_format,
    plan_apply_proposal,
    plan_create,
    plan_export,
    plan_import,
    plan_propose,
    plan_rows_update,
)
from giamngheo.plans.sheet import build_sheet

PASTED_NAME = "bang-dan-vao.txt"  # the name pasted text gets in messages
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def _lang() -> Lang:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _author(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in user, who will be named in the change history."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        raise PermissionDenied
    return user


def _plan_or_404(request: HttpRequest, pk: int) -> Plan:
    plan = plan_get(user=request.user, pk=pk)
    if plan is None:
        raise Http404(_("Không có kế hoạch này."))
    return plan


def _managed_plan(request: HttpRequest, pk: int) -> Plan:
    plan = _plan_or_404(request, pk)
    if not plan_can_manage(user=request.user, plan=plan):
        raise PermissionDenied(_("Bạn không có quyền thay đổi kế hoạch này."))
    return plan


def _int_or_zero(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


@require_GET
def plan_list_view(request: HttpRequest) -> HttpResponse:
    plans = list(plan_list(user=request.user))
    can_create = manageable_units(request.user).exists()
    return render(request, "plans/plan_list.html", {"plans": plans, "can_create": can_create})


@require_http_methods(["GET", "POST"])
def plan_create_view(request: HttpRequest) -> HttpResponse:
    units = manageable_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Bạn không có quyền tạo kế hoạch."))
    form = PlanCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = plan_create(
            user=_author(request),
            year=data["year"],
            issuing_unit=data["issuing_unit"],
            document_number=data["document_number"],
            document_date=data["document_date"],
            title=data["title"],
            baseline_year=data["baseline_year"],
            min_reduction_points=data["min_reduction_points"],
            strict=data["strict"],
            commune_objectives=data["commune_objectives"],
        )
        messages.success(request, _("Đã tạo kế hoạch. Hãy nhập bảng chỉ tiêu."))
        return redirect("plans:import", pk=plan.pk)
    return render(request, "plans/plan_create.html", {"form": form})


@require_GET
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    rows = list(plan_rows(plan=plan))
    table = plan_table(plan=plan, rows=rows)
    full = plan_shows_all_rows(user=request.user, plan=plan)
    visible = rows if full else list(plan_rows_visible(user=request.user, plan=plan))
    sheet = build_sheet(
        plan=plan,
        table=table,
        objectives=plan_objectives(plan=plan, rows=rows),
        findings=check_plan(plan, rows=rows),
        visible_rows=visible,
        full=full,
        lang=_lang(),
    )
    context: dict[str, Any] = {
        "plan": plan,
        "sheet": sheet,
        "can_manage": plan_can_manage(user=request.user, plan=plan),
        "export_formats": EXPORT_FORMATS if full else (),
        "has_rows": bool(rows),
    }
    if rows:
        status = registry_status(plan=plan, actor=request.user, rows=rows)
        context["baseline_available"] = status.baseline_available
        context["actuals"] = plan_actuals(
            plan=plan, actor=request.user, rows=visible, status=status
        )
        context["panels"] = plan_panels(request, plan, visible)
    return render(request, "plans/plan_detail.html", context)


@require_http_methods(["POST"])
def plan_baseline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Columns 1–3 from the approved review of the baseline year (managers only: 403)."""
    plan = _managed_plan(request, pk)
    changed = plan_baseline_from_registry(plan=plan, actor=_author(request))
    messages.success(
        request,
        _("Đã lấy số liệu từ rà soát năm %(year)s: %(count)s dòng thay đổi.")
        % {"year": plan.baseline_year, "count": changed},
    )
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def plan_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    rows = list(plan_rows(plan=plan))
    initial = [
        {
            "row": r.pk,
            "households": r.households,
            "ethnic_minority": r.ethnic_minority,
            "poor": r.poor,
            "reduction": r.reduction,
        }
        for r in rows
    ]
    formset = RowFormSet(request.POST or None, initial=initial)
    by_pk = {r.pk: r for r in rows}
    if request.method == "POST" and formset.is_valid():
        values = {
            f.cleaned_data["row"]: RowInput(
                households=f.cleaned_data["households"],
                ethnic_minority=f.cleaned_data["ethnic_minority"],
                poor=f.cleaned_data["poor"],
                reduction=f.cleaned_data["reduction"],
            )
            for f in formset.forms
        }
        try:
            changed = plan_rows_update(plan=plan, user=_author(request), values=values)
        except PlanRowsError as exc:
            formset_error = f"{exc.message_vi} / {exc.message_en}"
        else:
            messages.success(request, _("Đã lưu %(count)s dòng thay đổi.") % {"count": changed})
            return redirect(plan)
    else:
        formset_error = ""
    pairs = [(form, by_pk.get(_int_or_zero(form["row"].value()))) for form in formset.forms]
    context = {"plan": plan, "formset": formset, "pairs": pairs, "formset_error": formset_error}
    return render(request, "plans/plan_edit.html", context)


@require_http_methods(["GET", "POST"])
def plan_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile | None = form.cleaned_data["file"]
        if upload is not None:
            name = upload.name or "tep-tai-len"
            data: bytes | str = upload.read()
        else:
            name, data = PASTED_NAME, form.cleaned_data["text"]
        try:
            result = plan_import(plan=plan, user=_author(request), data=data, filename=name)
        except PlanImportError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _(
                    "Đã nhập bảng: %(created)s dòng mới, %(updated)s dòng cập nhật, "
                    "%(deleted)s dòng bỏ."
                )
                % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
            )
            return redirect(plan)
    return render(
        request, "plans/plan_import.html", {"plan": plan, "form": form, "problems": problems}
    )


@require_http_methods(["GET", "POST"])
def plan_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    rows = list(plan_rows(plan=plan))
    form = ProposeForm(request.POST or None, rows=[(r.pk, r.name_as_printed) for r in rows])
    keep: list[int] = []
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["keep"]
        if request.POST.get("action") == "apply":
            try:
                changed = plan_apply_proposal(plan=plan, user=_author(request), keep=keep)
            except ProposalError as exc:
                messages.error(request, f"{exc.message_vi} / {exc.message_en}")
            else:
                messages.success(
                    request,
                    _("Đã áp dụng đề xuất: %(count)s dòng thay đổi.") % {"count": changed},
                )
                return redirect(plan)
    proposal: Proposal | None = None
    error = ""
    try:
        proposal = plan_propose(plan=plan, keep=keep)
    except ProposalError as exc:
        error = (
            f"{exc.message_vi} / {exc.message_en}"
            if _lang() == "vi"
            else (f"{exc.message_en} / {exc.message_vi}")
        )
    lines = []
    if proposal is not None:
        proposed = {r.name: r for r in proposal.table.rows}
        for r in rows:
            new = proposed.get(r.name_as_printed)
            lines.append(
                {
                    "row": r,
                    "current": r.reduction,
                    "proposed": new.reduction if new else None,
                    "projected": new.printed_projected_rate if new else None,
                    "kept": r.pk in keep,
                    "changed": new is not None and new.reduction != r.reduction,
                }
            )
    explanation: tuple[str, ...] = ()
    if proposal is not None:
        explanation = proposal.explanation_vi if _lang() == "vi" else proposal.explanation_en
    context = {
        "plan": plan,
        "form": form,
        "proposal": proposal,
        "lines": lines,
        "explanation": explanation,
        "error": error,
    }
    return render(request, "plans/plan_propose.html", context)


@require_GET
def plan_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if not plan_shows_all_rows(user=request.user, plan=plan):
        # The file holds every commune's row and the totals.
        raise PermissionDenied(_("Bạn chỉ được xem dòng của đơn vị mình."))
    try:
        kind = export_format(f"x.{fmt}")
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    buffer = io.BytesIO()
    plan_export(plan=plan, out=buffer, fmt=kind, lang=_lang())
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[kind])
    filename = f"ke-hoach-{plan.document_number.replace('/', '-')}-{plan.year}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def plan_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    changes = plan_changes_visible(user=request.user, plan=plan)[:500]
    return render(request, "plans/plan_history.html", {"plan": plan, "changes": changes})
