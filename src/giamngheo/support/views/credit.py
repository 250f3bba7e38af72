"""The credit and housing pages.

* ``support:loans`` (``/ho-tro/tin-dung/``): each commune's credit by programme (outstanding,
  borrowers, overdue ratio) and the loans, filtered by commune, programme, text, overdue.
* ``support:loan_imports`` (``tin-dung/nhap/``): the bank's files the user may see;
  ``loan_upload`` stores one and enqueues its staging; ``loan_template`` is the empty layout.
* ``support:loan_batch`` (``tin-dung/nhap/<pk>/``): progress while staging or writing (the page
  reloads itself, no script needed), the file's errors by row with sheet, row and column, the
  commit button (``loan_commit``, enqueued), the annotated workbook (``loan_errors``).
* ``support:housing`` (``nha-o/``): the housing register with its counts by status, and the
  eligible list of a basis and year (100 a page, ``?trang-ds=``; its queries do not grow with
  the households); ``housing_new`` records a house, ``housing_update`` shows one and moves it
  to its next step.

Reads go through ``selectors.credit`` (scoped by the household's commune; a file by its
scope), writes through ``services.loans`` / ``services.housing``; a refusal of a right answers
403 with its reason, another commune's loan file or house 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamngheo.accounts.access import can_view_unit, visible_units
from giamngheo.core.support.eligibility import get_rule
from giamngheo.core.support.housing import load_housing_bases, next_steps
from giamngheo.core.support.loans import load_loan_programmes
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.models import Household
from giamngheo.support.access import can_import_loans, can_manage_housing
from giamngheo.support.models import BatchStatus, HousingStatus, LoanBatch, LoanRow
from giamngheo.support.selectors.credit import (
    credit_summary,
    credit_totals,
    group_label,
    housing_communes,
    housing_list,
    housing_status_counts,
    loan_batches,
    loans_list,
    programme_label,
    rate_text,
    ratio_pct,
    visible_housing,
)
from giamngheo.support.services.common import forbid
from giamngheo.support.services.housing import housing_add, housing_eligible, housing_step
from giamngheo.support.services.loans import (
    COMMITTING,
    STAGED,
    STAGING,
    UPLOADED,
    loans_errors_xlsx,
    loans_queue_commit,
    loans_template_xlsx,
    loans_upload,
    phase,
)
from giamngheo.support.tasks import commit_loans, stage_loans
from giamngheo.support.views.common import error_text, lang, refusals, xlsx_response
from giamngheo.support.views.credit_forms import (
    BASES,
    HousingForm,
    HousingStepForm,
    LoanUploadForm,
)

PAGE_SIZE = 100
ERRORS_PAGE_SIZE = 200
RUNNING = (UPLOADED, STAGING, COMMITTING)
QUEUED_FOR = timedelta(minutes=15)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _actor_id(request: HttpRequest) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


def _communes(request: HttpRequest) -> QuerySet[AdminUnit]:
    """The communes the user sees that have households."""
    with_households = Household.objects.values("commune_id")
    return (
        visible_units(request.user)
        .filter(level=Level.COMMUNE, pk__in=with_households)
        .order_by("name_key", "pk")
    )


def _chosen_commune(request: HttpRequest, communes: QuerySet[AdminUnit]) -> AdminUnit | None:
    """The commune of ``?xa=``: 404 when it is not one the user sees."""
    raw = request.GET.get("xa", "")
    if not raw:
        return None
    unit = communes.filter(pk=_int(raw) or 0).first()
    if unit is None:
        raise Http404(_("Không có xã này."))
    return unit


# --- loans ------------------------------------------------------------------------------------
@require_GET
def loans_view(request: HttpRequest) -> HttpResponse:
    communes = _communes(request)
    commune = _chosen_commune(request, communes)
    programmes = load_loan_programmes()
    programme = request.GET.get("ct", "")
    if programme not in programmes:
        programme = ""
    search = request.GET.get("q", "")[:60]
    overdue_only = request.GET.get("qua-han") == "1"
    loans = loans_list(request.user, commune=commune, programme=programme, search=search,
                       overdue_only=overdue_only)  # fmt: skip
    summary = credit_summary(
        request.user, None if commune is None else loans_list(request.user, commune=commune)
    )
    page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("trang"))
    language = lang()
    base = {k: str(v) for k, v in request.GET.items() if k != "trang"}
    context = {
        "communes": communes,
        "commune": commune,
        "programmes": [(code, programme_label(code, language)) for code in programmes],
        "programme": programme,
        "search": search,
        "overdue_only": overdue_only,
        "summary": [_commune_rows(c, language) for c in summary],
        "total": _total_row(credit_totals(summary), language),
        "page": page,
        "loans": [
            (loan, programme_label(loan.programme, language), rate_text(loan.rate, language))
            for loan in page
        ],
        "query": urlencode(base),
        "can_import": bool(_import_units(request)),
    }
    return render(request, "support/loan_list.html", context)


def _commune_rows(c: Any, language: str) -> dict[str, Any]:
    return {
        "name": c.commune_name,
        "id": c.commune_id,
        "rows": [
            {
                "label": programme_label(p.programme, language),
                "outstanding": p.outstanding,
                "overdue": p.overdue,
                "loans": p.loans,
                "borrowers": p.borrowers,
                "ratio": ratio_pct(p.overdue_ratio, language),
            }
            for p in c.programmes
        ],
        "outstanding": c.outstanding,
        "overdue": c.overdue,
        "loans": c.loans,
        "borrowers": c.borrowers,
        "ratio": ratio_pct(c.overdue_ratio, language),
    }


def _total_row(t: Any, language: str) -> dict[str, Any]:
    return {
        "outstanding": t.outstanding,
        "overdue": t.overdue,
        "loans": t.loans,
        "borrowers": t.borrowers,
        "ratio": ratio_pct(t.overdue_ratio, language),
    }


@require_GET
def loan_template_view(request: HttpRequest) -> HttpResponse:
    return xlsx_response(loans_template_xlsx(), "mau-du-no-nhcsxh.xlsx")


def _import_units(request: HttpRequest) -> list[AdminUnit]:
    """The districts and communes (with households) the user may import loans for."""
    with_households = Household.objects.values("commune_id")
    units = visible_units(request.user).filter(
        Q(level=Level.COMMUNE, pk__in=with_households)
        | Q(level=Level.DISTRICT, children__in=with_households)
    )
    candidates = units.distinct().order_by("level", "name_key", "pk")
    return [u for u in candidates if can_import_loans(request.user, u)]


@require_GET
def loan_imports_view(request: HttpRequest) -> HttpResponse:
    batches = list(_batches(request).order_by("-created_at", "-pk")[:200])
    context = {
        "batches": [(b, phase(b)) for b in batches],
        "can_import": bool(_import_units(request)),
    }
    return render(request, "support/loan_imports.html", context)


def _batches(request: HttpRequest) -> QuerySet[LoanBatch]:
    own = Q(created_by_id=_actor_id(request)) if request.user.is_authenticated else Q(pk__in=[])
    mine = LoanBatch.objects.filter(own).values("pk")
    return LoanBatch.objects.filter(
        Q(pk__in=loan_batches(request.user).values("pk")) | Q(pk__in=mine)
    ).select_related("scope", "created_by")


@refusals
@require_http_methods(["GET", "POST"])
def loan_upload_view(request: HttpRequest) -> HttpResponse:
    units = _import_units(request)
    if not units:
        raise forbid("Không có quyền nhập dư nợ", "not allowed to import loans")
    queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("level", "name_key")
    if request.method == "POST":
        posted = _int(request.POST.get("scope"))
        if posted is not None and posted not in {u.pk for u in units}:
            raise forbid(
                "Không có quyền nhập dư nợ cho đơn vị này",
                "not allowed to import loans for this unit",
            )
    form = LoanUploadForm(request.POST or None, request.FILES or None, units=queryset)
    if request.method == "POST" and form.is_valid():
        started = timezone.now()
        try:
            batch = loans_upload(request.user, form.cleaned_data["scope"],
                                 form.cleaned_data["file"], form.cleaned_data["as_of"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if batch.created_at < started:
                messages.info(request, _("Tệp này đã được tải lên trước đây cho cùng đơn vị."))
            else:
                stage_loans.enqueue(batch.pk)
                messages.success(request, _("Đã nhận tệp. Đang kiểm tra từng dòng."))
            return redirect("support:loan_batch", pk=batch.pk)
    return render(request, "support/loan_upload.html", {"form": form}, status=400 if
                  request.method == "POST" else 200)  # fmt: skip


def _visible_batch(request: HttpRequest, pk: int) -> LoanBatch:
    batch = _batches(request).filter(pk=pk).first()
    if batch is None:
        raise Http404(_("Không có tệp dư nợ này."))
    return batch


def _queued(batch: LoanBatch) -> bool:
    """A commit was asked for less than 15 minutes ago and has not started."""
    at = (batch.summary or {}).get("queued")
    if not at or phase(batch) != STAGED or batch.status == BatchStatus.COMMITTED:
        return False
    return timezone.now() - datetime.fromisoformat(str(at)) < QUEUED_FOR


def _progress(batch: LoanBatch) -> dict[str, Any]:
    step = COMMITTING if _queued(batch) else phase(batch)
    done = batch.rows_valid + batch.rows_invalid
    total = batch.rows_total
    labels = {
        UPLOADED: _("Chờ kiểm tra"),
        STAGING: _("Đang kiểm tra"),
        COMMITTING: _("Đang ghi"),
    }
    label = labels.get(step) or str(BatchStatus(batch.status).label)
    percent = 100 if step not in RUNNING else (min(99, done * 100 // total) if total else 0)
    return {"phase": step, "label": label, "done": done, "total": total, "percent": percent,
            "running": step in RUNNING}  # fmt: skip


@require_GET
def loan_batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    after = _int(request.GET.get("sau")) or 0
    errors = list(
        LoanRow.objects.filter(batch=batch, valid=False, row_number__gt=after)
        .order_by("row_number")
        .only("pk", "sheet", "row_number", "contract_no", "errors", "data")[: ERRORS_PAGE_SIZE + 1]
    )
    more = len(errors) > ERRORS_PAGE_SIZE
    errors = errors[:ERRORS_PAGE_SIZE]
    progress = _progress(batch)
    summary = batch.summary or {}
    can_import = can_import_loans(request.user, batch.scope)
    context = {
        "batch": batch,
        "progress": progress,
        "errors": [(r, (r.data or {}).get("raw", [])) for r in errors],
        "plan": summary.get("plan", {}),
        "written": summary.get("written", {}),
        "refused_text": summary.get("refused", ""),
        "warnings": batch.warnings[:50],
        "warnings_total": summary.get("warnings_total", 0),
        "english": lang() == "en",
        "next_errors_url": "?" + urlencode({"sau": errors[-1].row_number}) if more else "",
        "first_errors_url": "?" if after else "",
        "can_import": can_import,
        "can_commit": can_import
        and progress["phase"] == STAGED
        and batch.status == BatchStatus.VALID,
        "can_restage": can_import
        and progress["phase"] in (UPLOADED, STAGED)
        and batch.status != BatchStatus.COMMITTED,
        "has_rows": batch.rows_invalid > 0 or bool(batch.file_errors),
    }
    return render(request, "support/loan_batch.html", context)


@refusals
@require_POST
def loan_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    if not can_import_loans(request.user, batch.scope):
        raise forbid("Không có quyền nhập dư nợ", "not allowed to import loans")
    if _queued(batch):
        return redirect("support:loan_batch", pk=batch.pk)
    try:
        loans_queue_commit(request.user, batch)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        commit_loans.enqueue(batch.pk, _actor_id(request))
        messages.success(request, _("Đã xác nhận. Dữ liệu đang được ghi."))
    return redirect("support:loan_batch", pk=batch.pk)


@refusals
@require_POST
def loan_restage_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    if not can_import_loans(request.user, batch.scope):
        raise forbid("Không có quyền nhập dư nợ", "not allowed to import loans")
    if batch.status != BatchStatus.COMMITTED and phase(batch) in (UPLOADED, STAGED):
        stage_loans.enqueue(batch.pk)
        messages.success(request, _("Đang kiểm tra lại tệp."))
    return redirect("support:loan_batch", pk=batch.pk)


@refusals
@require_GET
def loan_errors_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    if not can_import_loans(request.user, batch.scope):
        raise forbid("Không có quyền nhập dư nợ", "not allowed to import loans")
    return xlsx_response(loans_errors_xlsx(batch), f"loi-du-no-{batch.pk}.xlsx")


# --- housing ----------------------------------------------------------------------------------
def _year(raw: str | None) -> int | None:
    value = _int(raw)
    return value if value is not None and 2000 <= value <= 2100 else None


@refusals
@require_GET
def housing_view(request: HttpRequest) -> HttpResponse:
    communes = _communes(request)
    commune = _chosen_commune(request, communes)
    basis = request.GET.get("can-cu", "")
    if basis not in {b.value for b in BASES}:
        basis = ""
    year = _year(request.GET.get("nam"))
    status = request.GET.get("tt", "")
    if status not in HousingStatus.values:
        status = ""
    qs = housing_list(request.user, commune=commune, basis=basis, year=year)
    counts = housing_status_counts(qs)
    houses = qs.filter(status=status) if status else qs
    page = Paginator(houses, PAGE_SIZE).get_page(request.GET.get("trang"))
    eligible = None
    unit = commune or _own_unit(request)
    if basis and year and unit is not None:
        found = housing_eligible(request.user, unit, basis, year)
        eligible = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang-ds"))
    bases = load_housing_bases()
    base = {k: str(v) for k, v in request.GET.items() if k != "trang"}
    context = {
        "communes": communes,
        "commune": commune,
        "bases": [(b.value, b.label) for b in BASES],
        "basis": basis,
        "basis_data": bases.get(basis),
        "has_priority": bool(basis) and bool(get_rule(bases[basis].rule).priority),
        "year": year,
        "status": status,
        "statuses": HousingStatus.choices,
        "counts": counts,
        "page": page,
        "eligible": eligible,
        "eligible_rows": [(e, group_label(e.eligibility.group)) for e in eligible or ()],
        "query": urlencode(base),
        "eligible_query": urlencode({k: str(v) for k, v in request.GET.items() if k != "trang-ds"}),
        "status_query": urlencode({k: v for k, v in base.items() if k != "tt"}),
        "can_add": housing_communes(request.user, communes).exists(),
        "english": lang() == "en",
    }
    return render(request, "support/housing_list.html", context)


def _own_unit(request: HttpRequest) -> AdminUnit | None:
    from giamngheo.accounts.access import user_unit

    return user_unit(request.user)


def _manage_communes(request: HttpRequest, communes: QuerySet[AdminUnit]) -> list[AdminUnit]:
    """The communes where the user may record housing (one query)."""
    return list(housing_communes(request.user, communes))


def _household(form: HousingForm) -> Household | None:
    commune: AdminUnit = form.cleaned_data["commune"]
    return (
        Household.objects.filter(commune=commune, code=form.cleaned_data["code"].strip())
        .select_related("commune")
        .first()
    )


@refusals
@require_http_methods(["GET", "POST"])
def housing_new_view(request: HttpRequest) -> HttpResponse:
    communes = _communes(request)
    allowed = _manage_communes(request, communes)
    if not allowed:
        raise forbid("Không có quyền ghi hỗ trợ nhà ở", "not allowed to record housing")
    initial = _initial(request)
    queryset = AdminUnit.objects.filter(pk__in=[c.pk for c in allowed]).order_by("name_key")
    form = HousingForm(request.POST or None, initial=initial, communes=queryset)
    if request.method == "POST" and form.is_valid():
        household = _household(form)
        if household is None:
            form.add_error("code", _("Không có hộ mã này trong xã."))
        else:
            d = form.cleaned_data
            try:
                housing = housing_add(request.user, household, d["basis"], d["kind"], d["year"],
                                      d["grant_amount"], d["loan_amount"], d["on"],
                                      d["justification"])  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Đã ghi hỗ trợ nhà ở."))
                return redirect("support:housing_update", pk=housing.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/housing_form.html", {"form": form}, status=status)


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"year": _year(request.GET.get("nam")) or timezone.localdate().year}
    hh_pk = _int(request.GET.get("ho"))
    if hh_pk is not None:
        hh = Household.objects.filter(pk=hh_pk).first()
        if hh is not None and can_view_unit(request.user, hh.commune):
            initial.update(commune=hh.commune_id, code=hh.code)
    if request.GET.get("can-cu") in {b.value for b in BASES}:
        initial["basis"] = request.GET["can-cu"]
    return initial


@refusals
@require_http_methods(["GET", "POST"])
def housing_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    housing = visible_housing(request.user).filter(pk=pk).first()
    if housing is None:
        raise Http404(_("Không có hỗ trợ nhà ở này."))
    can_manage = can_manage_housing(request.user, housing.household)
    steps = next_steps(housing.status)
    form = HousingStepForm(request.POST or None, steps=steps)
    if request.method == "POST":
        if not can_manage:
            raise forbid("Không có quyền ghi hỗ trợ nhà ở", "not allowed to record housing")
        if form.is_valid():
            d = form.cleaned_data
            try:
                housing_step(request.user, housing, d["status"], d["on"], d["note"])
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Đã cập nhật tình trạng."))
                return redirect(reverse("support:housing_update", kwargs={"pk": housing.pk}))
    basis = load_housing_bases().get(housing.basis)
    review = (housing.eligibility or {}).get("review")
    context = {
        "housing": housing,
        "basis_data": basis,
        "form": form if steps and can_manage else None,
        "reasons": (housing.eligibility or {}).get("reasons", []),
        "review": review,
        "review_class": group_label(str((review or {}).get("classification", ""))),
        "english": lang() == "en",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "support/housing_detail.html", context, status=status)


urlpatterns = [
    path("tin-dung/", loans_view, name="loans"),
    path("tin-dung/mau.xlsx", loan_template_view, name="loan_template"),
    path("tin-dung/nhap/", loan_imports_view, name="loan_imports"),
    path("tin-dung/nhap/tai-len/", loan_upload_view, name="loan_upload"),
    path("tin-dung/nhap/<int:pk>/", loan_batch_view, name="loan_batch"),
    path("tin-dung/nhap/<int:pk>/ghi/", loan_commit_view, name="loan_commit"),
    path("tin-dung/nhap/<int:pk>/kiem-tra-lai/", loan_restage_view, name="loan_restage"),
    path("tin-dung/nhap/<int:pk>/loi.xlsx", loan_errors_view, name="loan_errors"),
    path("nha-o/", housing_view, name="housing"),
    path("nha-o/them/", housing_new_view, name="housing_new"),
    path("nha-o/<int:pk>/", housing_update_view, name="housing_update"),
]
