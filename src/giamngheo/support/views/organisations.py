"""The organisations that carry the plan out, and the plan's tasks.

* ``support:organisations`` (``co-quan/``): the organisations the user sees, by unit; for
  officers, the form that makes the seed plan's organisations of a district or province
  ("tạo các cơ quan") and a link to add one;
* ``support:organisation`` (``co-quan/<pk>/``): members (officers add and remove them), its
  projects (lead or partner) and its tasks; ``organisation_new`` / ``organisation_edit``;
  ``organisation_members`` (POST: add by login name, remove);
* ``support:tasks`` (``nhiem-vu/``): the tasks the user sees, filtered by organisation, status,
  overdue; the Labour office's overview "who has done what" (per lead organisation: done, in
  progress, not started, overdue); for officers, "tạo nhiệm vụ từ kế hoạch" (the seed plan's
  section III duties as tasks of a plan they manage) and a link to add one;
* ``support:task`` (``nhiem-vu/<pk>/``): the task, its history of reports, the report form
  (its managers and members of its lead or partner organisations); ``task_new`` / ``task_edit``.

A refused right answers 403 with the reason; a refused rule shows the form again (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamngheo.accounts.access import manageable_units
from giamngheo.geo.models import AdminUnit
from giamngheo.plans.selectors import plan_get
from giamngheo.support import access
from giamngheo.support.models import Organisation, Task, TaskStatus
from giamngheo.support.selectors import organisations as sel
from giamngheo.support.selectors.facts import today
from giamngheo.support.services import organisations as services
from giamngheo.support.services.common import require
from giamngheo.support.views.common import attempt, refusals
from giamngheo.support.views.organisations_forms import (
    MemberForm,
    OrganisationForm,
    ReportForm,
    TaskForm,
    managed_plans,
    seed_units,
)

#: At most this many tasks on the list page (filters narrow it).
TASK_LIMIT = 500


def _org_or_404(request: HttpRequest, pk: int) -> Organisation:
    org = sel.organisation_visible(request.user, pk)
    if org is None:
        raise Http404(_("Không có cơ quan này."))
    return org


def _task_or_404(request: HttpRequest, pk: int) -> Task:
    task = sel.task_visible(request.user, pk)
    if task is None:
        raise Http404(_("Không có nhiệm vụ này."))
    return task


def _require(allowed: bool) -> None:
    require(allowed, "Không có quyền thay đổi mục này", "not allowed to change this")


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# --- organisations -----------------------------------------------------------------------------
@require_GET
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    orgs = sel.organisations_visible(request.user)
    members = sel.member_counts(orgs)
    context = {
        "rows": [(o, members.get(o.pk, 0)) for o in orgs],
        "seed_units": seed_units(request.user),
        "can_add": manageable_units(request.user).exists(),
    }
    return render(request, "support/organisation_list.html", context)


@require_POST
@refusals
def organisations_seed_view(request: HttpRequest) -> HttpResponse:
    unit = get_object_or_404(AdminUnit, pk=_int(request.POST.get("unit")) or 0)
    error = attempt(lambda: _seed_orgs_message(request, unit))
    if error:
        messages.error(request, error)
    return redirect("support:organisations")


def _seed_orgs_message(request: HttpRequest, unit: AdminUnit) -> None:
    created = services.seed_organisations(request.user, unit)
    n = len(created)
    text = ngettext(
        "Đã tạo %(n)d cơ quan cho %(unit)s.", "Đã tạo %(n)d cơ quan cho %(unit)s.", n
    ) % {"n": n, "unit": unit.name}
    messages.success(request, text if n else _("Đã có đủ các cơ quan, không tạo thêm."))


def _org_page(
    request: HttpRequest, org: Organisation, *, status: int = 200, **extra: Any
) -> HttpResponse:
    on = today()
    tasks = sel.organisation_tasks(request.user, org)
    context = {
        "org": org,
        "serves": org.serves.order_by("name_key"),
        "members": sel.organisation_members(org),
        "projects": sel.organisation_projects(request.user, org),
        "tasks": [(t, sel.is_overdue(t, on)) for t in tasks[:TASK_LIMIT]],
        "can_manage": access.can_manage_org(request.user, org),
        "member_form": extra.pop("member_form", None) or MemberForm(),
        **extra,
    }
    return render(request, "support/organisation_detail.html", context, status=status)


@require_GET
def organisation_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _org_page(request, _org_or_404(request, pk))


@require_POST
@refusals
def organisation_members_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_or_404(request, pk)
    remove = _int(request.POST.get("remove"))
    if remove is not None:
        member = sel.organisation_members(org).filter(user_id=remove).first()
        if member is None:
            raise Http404(_("Không có thành viên này."))
        user = member.user
        error = attempt(lambda: services.member_remove(request.user, org, user))
        form = MemberForm()
    else:
        form = MemberForm(request.POST)
        if not form.is_valid():
            return _org_page(request, org, status=400, member_form=form)
        found = sel.user_by_name(form.cleaned_data["username"])
        if found is None:
            form.add_error("username", _("Không có người dùng này."))
            return _org_page(request, org, status=400, member_form=form)
        user = found
        error = attempt(lambda: services.member_add(request.user, org, user))
    if error:
        return _org_page(request, org, status=400, member_form=form, member_error=error)
    messages.success(request, _("Đã cập nhật thành viên."))
    return redirect("support:organisation", pk=org.pk)


def _org_form_page(
    request: HttpRequest, form: OrganisationForm, org: Organisation | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "org": org}
    return render(request, "support/organisation_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    _require(manageable_units(request.user).exists())
    if request.method != "POST":
        form = OrganisationForm(user=request.user, initial={"unit": request.GET.get("don_vi")})
        return _org_form_page(request, form, None)
    form = OrganisationForm(request.POST, user=request.user)
    if not form.is_valid():
        return _org_form_page(request, form, None, 400)
    data = form.cleaned_data
    made: list[Organisation] = []
    error = attempt(
        lambda: made.append(
            services.org_create(
                request.user,
                data["unit"],
                kind=data["kind"],
                name=data["name"],
                short_name=data["short_name"],
                serves=list(data["serves"]),
            )
        )
    )
    if error:
        form.add_error(None, error)
        return _org_form_page(request, form, None, 400)
    return redirect("support:organisation", pk=made[0].pk)


@require_http_methods(["GET", "POST"])
@refusals
def organisation_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_or_404(request, pk)
    _require(access.can_manage_org(request.user, org))
    if request.method != "POST":
        initial = {
            "kind": org.kind,
            "name": org.name,
            "short_name": org.short_name,
            "serves": list(org.serves.all()),
            "active": org.active,
        }
        return _org_form_page(
            request, OrganisationForm(user=request.user, org=org, initial=initial), org
        )
    form = OrganisationForm(request.POST, user=request.user, org=org)
    if not form.is_valid():
        return _org_form_page(request, form, org, 400)
    data = form.cleaned_data
    error = attempt(
        lambda: services.org_update(
            request.user,
            org,
            kind=data["kind"],
            name=data["name"],
            short_name=data["short_name"],
            serves=list(data["serves"]),
            active=data["active"],
        )
    )
    if error:
        form.add_error(None, error)
        return _org_form_page(request, form, org, 400)
    return redirect("support:organisation", pk=org.pk)


# --- tasks ---------------------------------------------------------------------------------------
@require_GET
def task_list_view(request: HttpRequest) -> HttpResponse:
    on = today()
    orgs = sel.organisations_visible(request.user)
    org = _int(request.GET.get("co_quan"))
    status = request.GET.get("tinh_trang", "")
    overdue = request.GET.get("qua_han") == "1"
    plan = _int(request.GET.get("ke_hoach"))
    tasks = sel.filter_tasks(
        sel.tasks_visible(request.user), org=org, status=status, overdue=overdue, on=on, plan=plan
    )
    shown = list(tasks[:TASK_LIMIT])
    partners = sel.task_partners(tasks.filter(pk__in=[t.pk for t in shown]))
    context = {
        "rows": [(t, partners.get(t.pk, []), sel.is_overdue(t, on)) for t in shown],
        "total": tasks.count(),
        "limit": TASK_LIMIT,
        "tallies": sel.org_tallies(request.user, on),
        "orgs": orgs,
        "statuses": TaskStatus.choices,
        "chosen": {"org": org, "status": status, "overdue": overdue, "plan": plan},
        "plans": managed_plans(request.user),
        "can_add": manageable_units(request.user).exists(),
        "today": on,
    }
    return render(request, "support/task_list.html", context)


@require_POST
@refusals
def tasks_seed_view(request: HttpRequest) -> HttpResponse:
    plan = plan_get(user=request.user, pk=_int(request.POST.get("plan")) or 0)
    if plan is None:
        raise Http404(_("Không có kế hoạch này."))
    created: list[Task] = []
    error = attempt(lambda: created.extend(services.seed_plan_tasks(request.user, plan)))
    if error:
        messages.error(request, error)
    elif created:
        n = len(created)
        messages.success(
            request,
            ngettext(
                "Đã tạo %(n)d nhiệm vụ từ kế hoạch %(plan)s.",
                "Đã tạo %(n)d nhiệm vụ từ kế hoạch %(plan)s.",
                n,
            )
            % {"n": n, "plan": plan.document_number},
        )
    else:
        messages.success(request, _("Kế hoạch đã có đủ các nhiệm vụ, không tạo thêm."))
    return redirect(reverse("support:tasks") + "?" + urlencode({"ke_hoach": plan.pk}))


def _task_page(
    request: HttpRequest, task: Task, form: ReportForm | None = None, status: int = 200
) -> HttpResponse:
    can_report = access.can_report_task(request.user, task)
    context = {
        "task": task,
        "partners": task.partners.select_related("unit").order_by("name"),
        "updates": sel.task_updates(task),
        "overdue": sel.is_overdue(task, today()),
        "can_manage": access.can_manage_task(request.user, task),
        "can_report": can_report,
        "form": form or (ReportForm(initial={"status": task.status}) if can_report else None),
    }
    return render(request, "support/task_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals
def task_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    if request.method != "POST":
        return _task_page(request, task)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, form, 400)
    status, note = form.cleaned_data["status"], form.cleaned_data["note"]
    error = attempt(lambda: services.task_report(request.user, task, status, note))
    if error:
        form.add_error(None, error)
        return _task_page(request, task, form, 400)
    messages.success(request, _("Đã ghi báo cáo tiến độ."))
    return redirect("support:task", pk=task.pk)


def _fields(data: dict[str, Any]) -> services.TaskFields:
    return services.TaskFields(
        title=data["title"],
        lead=data["lead"],
        partners=list(data["partners"]),
        number=data["number"],
        description=data["description"],
        due_date=data["due_date"],
        recurrence=data["recurrence"],
        plan=data["plan"],
        notes=data["notes"],
    )


def _task_form_page(
    request: HttpRequest, form: TaskForm, task: Task | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "task": task}
    return render(request, "support/task_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals
def task_create_view(request: HttpRequest) -> HttpResponse:
    _require(manageable_units(request.user).exists())
    if request.method != "POST":
        return _task_form_page(request, TaskForm(user=request.user), None)
    form = TaskForm(request.POST, user=request.user)
    if not form.is_valid():
        return _task_form_page(request, form, None, 400)
    made: list[Task] = []
    unit, fields = form.cleaned_data["unit"], _fields(form.cleaned_data)
    error = attempt(lambda: made.append(services.task_create(request.user, unit, fields)))
    if error:
        form.add_error(None, error)
        return _task_form_page(request, form, None, 400)
    return redirect("support:task", pk=made[0].pk)


@require_http_methods(["GET", "POST"])
@refusals
def task_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    _require(access.can_manage_task(request.user, task))
    if request.method != "POST":
        initial = {
            "number": task.number,
            "title": task.title,
            "description": task.description,
            "lead": task.lead,
            "partners": list(task.partners.all()),
            "due_date": task.due_date,
            "recurrence": task.recurrence,
            "plan": task.plan,
            "notes": task.notes,
        }
        form = TaskForm(user=request.user, editing=True, initial=initial)
        return _task_form_page(request, form, task)
    form = TaskForm(request.POST, user=request.user, editing=True)
    if not form.is_valid():
        return _task_form_page(request, form, task, 400)
    fields = _fields(form.cleaned_data)
    error = attempt(lambda: services.task_update(request.user, task, fields))
    if error:
        form.add_error(None, error)
        return _task_form_page(request, form, task, 400)
    return redirect("support:task", pk=task.pk)


urlpatterns = [
    path("co-quan/", organisation_list_view, name="organisations"),
    path("co-quan/them/", organisation_create_view, name="organisation_new"),
    path("co-quan/tao-theo-ke-hoach-mau/", organisations_seed_view, name="organisations_seed"),
    path("co-quan/<int:pk>/", organisation_view, name="organisation"),
    path("co-quan/<int:pk>/sua/", organisation_edit_view, name="organisation_edit"),
    path("co-quan/<int:pk>/thanh-vien/", organisation_members_view, name="organisation_members"),
    path("nhiem-vu/", task_list_view, name="tasks"),
    path("nhiem-vu/them/", task_create_view, name="task_new"),
    path("nhiem-vu/tu-ke-hoach/", tasks_seed_view, name="tasks_seed"),
    path("nhiem-vu/<int:pk>/", task_view, name="task"),
    path("nhiem-vu/<int:pk>/sua/", task_edit_view, name="task_edit"),
]
