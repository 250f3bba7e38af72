"""Registry pages: the household list, the household page and the import pages.

Thin: each view checks access, calls selectors (reads, scoped to the user's units, ID numbers
masked by role) or services / background tasks (writes), and renders. A household or batch
the user may not see answers 404; a POST the user may not make answers 403 and changes
nothing (the services check again). The web request never validates or commits an import
itself: it enqueues ``giamngheo.registry.tasks`` for ``giamngheo worker``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamngheo.accounts.access import (
    can_manage_unit,
    can_view_national_id,
    manageable_units,
    user_unit,
    visible_units,
)
from giamngheo.core.identity import mask_national_id
from giamngheo.core.standards import UnknownStandard, get_standard, standard_for
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry import progress
from giamngheo.registry.forms import (
    HouseholdFilterForm,
    ImportUploadForm,
    TemplateForm,
    manageable_communes,
)
from giamngheo.registry.imports import import_errors_xlsx, import_template_xlsx, import_upload
from giamngheo.registry.models import (
    CAUSES,
    POLICY_FLAGS,
    AuditEvent,
    Classification,
    Household,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Relationship,
    ReviewRecord,
    ReviewState,
    Sex,
)
from giamngheo.registry.panels import household_panels
from giamngheo.registry.selectors import (
    MemberView,
    filter_households,
    household_get,
    household_members,
    household_page,
    import_batches,
    list_review_years,
    review_history,
)
from giamngheo.registry.tasks import commit_import, task_result, validate_import
from giamngheo.registry.template_doc import SHEET_NAMES, optional_columns, template_columns
from giamngheo.registry.template_errors import ERROR_CODES, ID_ERROR_CODES

ERRORS_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = frozenset({ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.COMMITTING})
BADGES = {"poor": "badge-error", "near_poor": "badge-warning", "medium": "", "non_poor": "badge-ok"}


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


# ---------------------------------------------------------------------------------------------
# Household list
# ---------------------------------------------------------------------------------------------
def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@dataclass
class ListRow:
    household: Household
    label: str
    badge: str
    deprivations: int | None
    draft: bool


def _list_row(h: Household) -> ListRow:
    cls = getattr(h, "year_class", None)
    return ListRow(
        household=h,
        label=str(Classification(cls).label) if cls in Classification.values else "",
        badge=BADGES.get(cls or "", ""),
        deprivations=getattr(h, "year_deps", None),
        draft=getattr(h, "year_state", None) == ReviewState.DRAFT,
    )


@require_GET
def household_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = visible_units(user)
    communes = units.filter(level=Level.COMMUNE).order_by("name_key", "pk")
    years, default_year = list_review_years()
    data = request.GET.copy()
    if not data.get("year") and default_year is not None:
        data["year"] = str(default_year)
    commune_pk = _int(data.get("commune"))
    own = user_unit(user)
    if commune_pk is None and own is not None and own.level == Level.COMMUNE:
        commune_pk = own.pk  # a commune officer: the villages of their commune
    villages = (
        units.filter(level=Level.VILLAGE, parent_id=commune_pk).order_by("name_key", "pk")
        if commune_pk is not None
        else AdminUnit.objects.none()
    )
    year = _int(data.get("year"))
    form = HouseholdFilterForm(
        data,
        communes=communes,
        villages=villages,
        years=years,
        year=year if year in years else None,
    )
    f = form.values()
    qs = filter_households(user, f)
    page = household_page(
        qs, after=request.GET.get("sau", ""), before=request.GET.get("truoc", ""), year=f["year"]
    )
    base = {k: str(v) for k, v in data.items() if k not in {"sau", "truoc"} and v}
    context = {
        "form": form,
        "page": page,
        "rows": [_list_row(h) for h in page.rows],
        "year": f["year"],
        "first_url": "?" + urlencode(base),
        "next_url": "?" + urlencode({**base, "sau": page.next_cursor}) if page.next_cursor else "",
        "prev_url": "?" + urlencode({**base, "truoc": page.prev_cursor})
        if page.prev_cursor
        else "",
        "can_import": manageable_units(user).filter(level=Level.COMMUNE).exists(),
        "village_hint": commune_pk is None,
    }
    return render(request, "registry/household_list.html", context)


# ---------------------------------------------------------------------------------------------
# Household page
# ---------------------------------------------------------------------------------------------
@dataclass
class ReviewView:
    record: ReviewRecord
    standard_name: str
    explanation: str
    deprived: list[str]
    causes: list[str]
    badge: str
    corrects: ReviewRecord | None = None
    corrected: bool = False


@dataclass
class EventView:
    event: AuditEvent
    what: str
    changes: list[tuple[str, str]] = field(default_factory=list)


def _review_views(reviews: list[ReviewRecord]) -> list[ReviewView]:
    en = _english()
    by_pk = {r.pk: r for r in reviews}
    corrected = {r.corrects_id for r in reviews if r.corrects_id}
    out: list[ReviewView] = []
    for r in reviews:
        try:
            std = get_standard(r.standard_id)
            names = {i.key: (i.name_en if en else i.name_vi) for i in std.indicators}
            std_name = std.name_en if en else std.name_vi
        except UnknownStandard:
            names, std_name = {}, r.standard_id
        out.append(
            ReviewView(
                record=r,
                standard_name=std_name,
                explanation=(r.explanation_en if en else r.explanation_vi) or r.explanation_vi,
                deprived=[names.get(k, k) for k in r.deprived],
                causes=[CAUSES[c][1 if en else 0] if c in CAUSES else c for c in r.causes],
                badge=BADGES.get(r.classification, ""),
                corrects=by_pk.get(r.corrects_id) if r.corrects_id else None,
                corrected=r.pk in corrected,
            )
        )
    return out


def _shown(key: str, value: object, show_ids: bool) -> str:
    if value is None or value == "":
        return "—"
    if "national_id" in key and not show_ids and isinstance(value, str):
        return mask_national_id(value)
    return str(value)


def _events(
    user: Any, hh: Household, members: list[MemberView], reviews: list[ReviewRecord]
) -> list[EventView]:
    """The audit events of the household, its members and its reviews, newest first."""
    q = Q(object_type="registry.Household", object_id=str(hh.pk))
    if members:
        q |= Q(object_type="registry.Member", object_id__in=[str(m.pk) for m in members])
    if reviews:
        q |= Q(object_type="registry.ReviewRecord", object_id__in=[str(r.pk) for r in reviews])
    show_ids = can_view_national_id(user)
    names = {str(m.pk): m.full_name for m in members}
    years = {str(r.pk): f"{r.year}" for r in reviews}
    out: list[EventView] = []
    for e in AuditEvent.objects.filter(q).select_related("actor").order_by("-at", "-pk")[:200]:
        if e.object_type == "registry.Member":
            what = names.get(e.object_id, e.object_id)
        elif e.object_type == "registry.ReviewRecord":
            what = _("Phiếu rà soát %(year)s") % {"year": years.get(e.object_id, "")}
        else:
            what = _("Hộ")
        changes: list[tuple[str, str]] = []
        for k, v in (e.changes or {}).items():
            if isinstance(v, list) and len(v) == 2:  # [old, new]
                changes.append((k, f"{_shown(k, v[0], show_ids)} → {_shown(k, v[1], show_ids)}"))
            else:
                changes.append((k, _shown(k, v, show_ids)))
        out.append(EventView(e, what, changes))
    return out


def _imports_of(hh: Household) -> list[ImportBatch]:
    """The committed imports that wrote this household (its row by code, per batch index)."""
    batches = ImportBatch.objects.filter(scope_id=hh.commune_id, status=ImportStatus.COMMITTED)
    rows = ImportRow.objects.filter(
        batch__in=batches.values("pk"), kind="household", key=hh.code, valid=True
    ).values("batch_id")
    return list(batches.filter(pk__in=rows).order_by("-committed_at", "-pk")[:50])


@dataclass
class MemberRow:
    member: MemberView
    sex: str
    relationship: str
    birth: str


def _member_rows(members: list[MemberView]) -> list[MemberRow]:
    sexes, rels = dict(Sex.choices), dict(Relationship.choices)
    out = []
    for m in members:
        birth = str(m.birth_year or "")
        if m.birth_date:
            birth = dt.date.fromisoformat(m.birth_date).strftime("%d/%m/%Y")
        out.append(
            MemberRow(m, str(sexes.get(m.sex, m.sex)), str(rels.get(m.relationship, "")), birth)
        )
    return out


@require_GET
def household_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        hh = household_get(actor=request.user, pk=pk)
    except Household.DoesNotExist:
        raise Http404(_("Không có hộ này.")) from None
    members = household_members(actor=request.user, household=hh)
    reviews = review_history(actor=request.user, household=hh)
    en = _english()
    context = {
        "hh": hh,
        "members": _member_rows(members),
        "flags": [
            (en_label if en else vi) for k, (vi, en_label) in POLICY_FLAGS.items() if getattr(hh, k)
        ],
        "reviews": _review_views(reviews),
        "events": _events(request.user, hh, members, reviews),
        "imports": _imports_of(hh),
        "ids_shown": can_view_national_id(request.user),
        "can_manage": can_manage_unit(request.user, hh.commune),
        "panels": household_panels(request, hh),
    }
    return render(request, "registry/household_detail.html", context)


# ---------------------------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------------------------
def _communes_to_manage(request: HttpRequest) -> Any:
    return manageable_communes(manageable_units(request.user))


def _actor_id(request: HttpRequest) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


@require_GET
def import_list_view(request: HttpRequest) -> HttpResponse:
    batches = list(import_batches(actor=request.user).select_related("scope")[:200])
    can_import = _communes_to_manage(request).exists()
    return render(
        request,
        "registry/import_list.html",
        {"batches": batches, "can_import": can_import, "running": RUNNING},
    )


@require_http_methods(["GET", "POST"])
def import_upload_view(request: HttpRequest) -> HttpResponse:
    communes = _communes_to_manage(request)
    if not communes.exists():
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu."))
    if request.method == "POST":
        # A commune the user may not change: 403, nothing stored.
        posted = _int(request.POST.get("commune"))
        if posted is not None and not communes.filter(pk=posted).exists():
            raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu cho xã này."))
    form = ImportUploadForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        started = timezone.now()
        try:
            batch = import_upload(
                actor=request.user,
                scope=form.cleaned_data["commune"],
                year=form.cleaned_data["year"],
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "tep-tai-len.xlsx",
                content=upload.read(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if batch.created_at < started:  # the same file was uploaded before
                messages.info(
                    request,
                    _("Tệp này đã được tải lên trước đây cho cùng xã, năm và loại rà soát."),
                )
                return redirect("registry:import_detail", pk=batch.pk)
            result = validate_import.enqueue(batch.pk, _actor_id(request))
            messages.success(request, _("Đã nhận tệp. Đang chờ kiểm tra dữ liệu."))
            return redirect(_batch_url(batch.pk, result.id))
    return render(request, "registry/import_upload.html", {"form": form})


def _batch_url(pk: int, task_id: str = "") -> str:
    url = reverse("registry:import_detail", kwargs={"pk": pk})
    return f"{url}?{urlencode({'viec': task_id})}" if task_id else url


def _visible_batch(request: HttpRequest, pk: int) -> ImportBatch:
    try:
        return import_batches(actor=request.user).select_related("scope").get(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404(_("Không có lượt nhập này.")) from None


def _managed_batch(request: HttpRequest, pk: int) -> ImportBatch:
    """The batch for a POST: 404 when it does not exist, 403 unless the user may change its
    commune's data."""
    batch = ImportBatch.objects.select_related("scope").filter(pk=pk).first()
    if batch is None:
        raise Http404(_("Không có lượt nhập này."))
    if not can_manage_unit(request.user, batch.scope):
        raise PermissionDenied(_("Bạn không có quyền thay đổi dữ liệu của xã này."))
    return batch


def _progress(batch: ImportBatch) -> dict[str, Any]:
    percent = 100 if batch.status in {ImportStatus.VALIDATED, ImportStatus.COMMITTED} else 0
    done, total = batch.done, batch.total
    if batch.status == ImportStatus.COMMITTING:
        # Written inside one transaction: the worker reports outside the database.
        done, total = progress.read(batch.pk) or (0, batch.households_valid)
    if batch.status in {ImportStatus.VALIDATING, ImportStatus.COMMITTING} and total:
        percent = min(99, done * 100 // total)
    return {
        "status": batch.status,
        "status_label": str(ImportStatus(batch.status).label),
        "done": done,
        "total": total,
        "percent": percent,
        "running": batch.status in RUNNING,
    }


@require_GET
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    result = task_result(request.GET.get("viec", ""), batch.pk)
    waiting = request.GET.get("cho") == "ghi" and batch.status == ImportStatus.VALIDATED
    after = _int(request.GET.get("sau")) or 0
    errors = list(
        ImportRow.objects.filter(batch=batch, valid=False, pk__gt=after)
        .order_by("pk")
        .only("pk", "sheet", "kind", "row_number", "key", "errors")[: ERRORS_PAGE_SIZE + 1]
    )
    more = len(errors) > ERRORS_PAGE_SIZE
    errors = errors[:ERRORS_PAGE_SIZE]
    task_failed = result is not None and result.status == "FAILED"
    progress = _progress(batch)
    base = {k: str(v) for k, v in request.GET.items() if k != "sau"}
    context = {
        "batch": batch,
        "progress": progress,
        "refresh": (progress["running"] or waiting) and not task_failed,
        "waiting_commit": waiting and not task_failed,
        "task": result,
        "task_failed": task_failed,
        "errors": errors,
        "english": _english(),
        "next_errors_url": "?" + urlencode({**base, "sau": str(errors[-1].pk)}) if more else "",
        "first_errors_url": "?" + urlencode(base) if after else "",
        "can_manage": can_manage_unit(request.user, batch.scope),
        "can_commit": batch.status == ImportStatus.VALIDATED and batch.households_valid > 0,
        "can_revalidate": batch.status in {ImportStatus.PENDING, ImportStatus.VALIDATED},
    }
    return render(request, "registry/import_detail.html", context)


@require_GET
def import_progress_view(request: HttpRequest, pk: int) -> JsonResponse:
    """The batch's status and progress, for the page's polling script."""
    batch = _visible_batch(request, pk)
    result = task_result(request.GET.get("viec", ""), batch.pk)
    return JsonResponse({**_progress(batch), "task_status": result.status if result else ""})


@require_POST
def import_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """«Xác nhận ghi»: enqueue the commit of the batch's valid rows."""
    batch = _managed_batch(request, pk)
    if batch.status != ImportStatus.VALIDATED:
        messages.error(request, _("Lượt nhập này chưa kiểm tra xong hoặc đã được ghi."))
        return redirect(_batch_url(batch.pk))
    result = commit_import.enqueue(batch.pk, _actor_id(request))
    messages.success(request, _("Đã xác nhận. Dữ liệu đang được ghi."))
    return redirect(f"{_batch_url(batch.pk, result.id)}&cho=ghi")


@require_POST
def import_revalidate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Validate the batch again (after a worker stopped half-way, or a standards change)."""
    batch = _managed_batch(request, pk)
    if batch.status not in {ImportStatus.PENDING, ImportStatus.VALIDATED}:
        messages.error(request, _("Không thể kiểm tra lại lượt nhập này lúc này."))
        return redirect(_batch_url(batch.pk))
    result = validate_import.enqueue(batch.pk, _actor_id(request))
    messages.success(request, _("Đang chờ kiểm tra lại dữ liệu."))
    return redirect(_batch_url(batch.pk, result.id))


@require_GET
def import_errors_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _managed_batch(request, pk)
    only = request.GET.get("chi-loi") == "1"
    content = import_errors_xlsx(batch=batch, actor=request.user, only_errors=only)
    response = HttpResponse(content, content_type=XLSX)
    name = f"loi-nhap-{batch.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def import_template_view(request: HttpRequest) -> HttpResponse:
    communes = _communes_to_manage(request)
    if not communes.exists():
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu."))
    form = TemplateForm(request.GET or None, communes=communes)
    if request.GET and form.is_valid():
        commune: AdminUnit = form.cleaned_data["commune"]
        year: int = form.cleaned_data["year"]
        try:
            content = import_template_xlsx(actor=request.user, commune=commune, year=year)
        except (UnknownStandard, ValueError) as exc:
            form.add_error("year", str(exc))
        else:
            response = HttpResponse(content, content_type=XLSX)
            name = f"mau-ra-soat-{commune.code or commune.pk}-{year}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    today = dt.date.today()
    # The columns explained below the form: those of the selected year's standard.
    doc_year = _int(form["year"].value()) or today.year - 1
    try:
        std = standard_for(doc_year, "periodic")
    except UnknownStandard:
        std = None
    households, members = template_columns(std) if std is not None else ([], [])
    context = {
        "form": form,
        "today": today,
        "english": _english(),
        "doc_year": doc_year,
        "standard": std,
        "standard_name": "" if std is None else std.name_en if _english() else std.name_vi,
        "column_groups": [
            ("household", households),
            ("member", members),
            ("other", optional_columns()),
        ],
        "sheet_names": SHEET_NAMES,
        "error_codes": [*ERROR_CODES, *ID_ERROR_CODES],
    }
    return render(request, "registry/import_template.html", context)
