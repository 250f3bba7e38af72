"""Projects, their beneficiaries, the support ledger and revolving capital.

* ``support:projects`` (``du-an/``): the projects the user sees, filtered by year, commune,
  kind, organisation, status and a name search (diacritics ignored);
* ``support:project`` (``du-an/<pk>/``): the project, its budget by source with committed and
  remaining beside what allocation decisions gave it, outputs, the beneficiaries the user may
  see (``trang_ho``: 100 a page), their supports by state with the actions the user may take
  (``trang_ht``), and for a revolving model the capital; ``project_new`` / ``project_edit``;
  ``project_budget``, ``project_output``, ``project_status`` (POST);
* ``support:beneficiary_add`` (``du-an/<pk>/ho/them/``): households of the project's communes
  found by code or name, each with its eligibility on the date, added with a justification
  where the rule allows one; ``beneficiary_remove`` (POST);
* ``support:support_new`` (``ho-tro/ho/<household>/them/``): a household's ledger and a
  support for it, from a project or on its own; ``support_action`` (POST: approve, deliver,
  settle, reject, cancel), which answers with a redirect back (the project's page, or the
  household's when ``back=household``) carrying the outcome or the refusal as a message;
* ``support:collections`` (``du-an/<pk>/thu-hoi/``): the capital to recover per household,
  overdue in red, and the form recording a collection; ``support:relend``
  (``du-an/<pk>/quay-vong/``): recovered capital re-lent to the next household (managers).

A project the user may not see answers 404; a right refused, 403 with the reason; a rule
refused shows the page again with the reason (400).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamngheo.accounts.access import visible_units
from giamngheo.core.support.eligibility import UnknownRule
from giamngheo.core.support.funds import source_label
from giamngheo.geo.models import Level
from giamngheo.registry.models import Household
from giamngheo.registry.selectors import household_get
from giamngheo.support import access
from giamngheo.support.models import (
    Beneficiary,
    Organisation,
    Project,
    ProjectKind,
    ProjectOutput,
    ProjectStatus,
    ReasonCode,
    Recovery,
    Support,
)
from giamngheo.support.selectors import projects as sel
from giamngheo.support.selectors.facts import today
from giamngheo.support.services import ledger
from giamngheo.support.services import projects as services
from giamngheo.support.services.common import require
from giamngheo.support.views.common import attempt, refusals
from giamngheo.support.views.projects_forms import (
    NODE_SEPARATOR,
    ActionForm,
    BeneficiaryForm,
    BudgetForm,
    CollectionForm,
    OutputForm,
    ProjectForm,
    RelendForm,
    StatusForm,
    SupportForm,
    allocation_rows,
    creatable_units,
    describe,
    fields_from,
    pager,
    parse_day,
    project_form,
    support_rows,
    to_int,
    ui_lang,
)

LIST_LIMIT = 500
CANDIDATES = 30


def _project(request: HttpRequest, pk: int) -> Project:
    try:
        return sel.project_get(request.user, pk)
    except Project.DoesNotExist:
        raise Http404(_("Không có dự án này.")) from None


def _manage(request: HttpRequest, project: Project) -> None:
    require(
        access.can_manage_project(request.user, project),
        "Không có quyền thay đổi dự án này",
        "not allowed to change this project",
    )


# --- the list --------------------------------------------------------------------------------
@require_GET
def projects_view(request: HttpRequest) -> HttpResponse:
    user, q = request.user, request.GET
    communes = visible_units(user).filter(level=Level.COMMUNE).order_by("name_key", "pk")
    organisations = Organisation.objects.filter(access.organisations_q(user)).distinct()
    commune = communes.filter(pk=to_int(q.get("xa")) or 0).first() if q.get("xa") else None
    org = (
        organisations.filter(pk=to_int(q.get("co_quan")) or 0).first() if q.get("co_quan") else None
    )
    projects = sel.projects_visible(
        user,
        year=to_int(q.get("nam")),
        commune=commune,
        kind=q.get("loai", ""),
        organisation=org,
        status=q.get("tinh_trang", ""),
        search=q.get("q", ""),
    )
    rows = list(projects[:LIST_LIMIT])
    totals = sel.budget_totals([p.pk for p in rows])
    context = {
        "rows": [(p, totals.get(p.pk, 0)) for p in rows],
        "truncated": len(rows) == LIST_LIMIT,
        "years": sorted(set(access.visible_projects(user).values_list("year", flat=True))),
        "communes": communes,
        "organisations": organisations,
        "kinds": ProjectKind.choices,
        "statuses": ProjectStatus.choices,
        "chosen": q,
        "can_create": bool(access.org_ids(user)) or creatable_units(request.user).exists(),
    }
    return render(request, "support/project_list.html", context)


# --- the project page ------------------------------------------------------------------------
def _detail(
    request: HttpRequest, project: Project, *, error: str = "", forms: dict[str, Any] | None = None
) -> HttpResponse:
    q = request.GET
    page = sel.project_page(
        request.user,
        project,
        today(),
        page_ho=to_int(q.get("trang_ho")),
        page_ht=to_int(q.get("trang_ht")),
    )
    manager = access.can_manage_project(request.user, project)
    lang = ui_lang()
    allocations = allocation_rows(page.balances, page.allocations)
    context: dict[str, Any] = {
        "project": project,
        "page": page,
        **describe(project),
        "balances": [(b, source_label(b.source, lang)) for b in page.balances],
        "allocations": allocations,
        "allocations_differ": any(a.differs for a in allocations),
        "supports": support_rows(request.user, page.supports.rows),
        "pager_ho": pager(page.beneficiaries, "trang_ho", q, "ho-huong-loi"),
        "pager_ht": pager(page.supports, "trang_ht", q, "ho-tro"),
        "manager": manager,
        "next_status": services.NEXT_STATUS.get(ProjectStatus(project.status)),
        "open": project.status in services.OPEN_STATUSES,
        "error": error,
        "communes": list(project.communes.order_by("name_key")),
        "villages": list(project.villages.order_by("name_key")),
        "partners": list(project.partners.all()),
        "status_form": StatusForm(),
        "budget_form": BudgetForm(),
        "output_form": OutputForm(),
        "reasons": ReasonCode.choices,
        "today": today(),
        **(forms or {}),
    }
    status = 400 if error else 200
    context["error"], context["messages"] = _carried(request, error)
    return render(request, "support/project_detail.html", context, status=status)


def _carried(request: HttpRequest, error: str) -> tuple[str, list[Any]]:
    """A refusal a redirect carried (``messages.error``) shows in the page's alert box, as one
    refused on this page does; the other messages as every page shows them."""
    stored = list(messages.get_messages(request))
    carried = [str(m) for m in stored if m.level == messages.ERROR]
    return error or "; ".join(carried), [m for m in stored if m.level != messages.ERROR]


@require_GET
def project_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _project(request, pk))


def _done(request: HttpRequest, project: Project, text: str, anchor: str = "") -> HttpResponse:
    messages.success(request, text)
    return redirect(reverse("support:project", args=[project.pk]) + anchor)


@require_POST
@refusals
def project_budget_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _manage(request, project)
    form = BudgetForm(request.POST)
    if not form.is_valid():
        return _detail(
            request, project, error=_("Kiểm tra lại số tiền."), forms={"budget_form": form}
        )
    source, amount = form.cleaned_data["source"], form.cleaned_data["amount"]
    error = attempt(lambda: services.project_set_budget(request.user, project, source, amount))
    if error:
        return _detail(request, project, error=error, forms={"budget_form": form})
    return _done(request, project, _("Đã ghi kinh phí."), "#kinh-phi")


@require_POST
@refusals
def project_output_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _manage(request, project)
    form = OutputForm(request.POST)
    if not form.is_valid():
        return _detail(
            request, project, error=_("Kiểm tra lại chỉ tiêu."), forms={"output_form": form}
        )
    d = form.cleaned_data
    output = (
        ProjectOutput.objects.filter(project=project, pk=d["output"]).first()
        if d["output"]
        else None
    )
    if request.POST.get("delete") and output is not None:
        error = attempt(lambda: services.output_delete(request.user, output))
    else:
        error = attempt(
            lambda: services.output_save(
                request.user,
                project,
                label=d["label"],
                unit_label=d["unit_label"],
                planned=d["planned"],
                actual=d["actual"] or 0,
                output=output,
            )
        )
    if error:
        return _detail(request, project, error=error, forms={"output_form": form})
    return _done(request, project, _("Đã ghi chỉ tiêu."), "#chi-tieu")


@require_POST
@refusals
def project_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _manage(request, project)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, error=_("Kiểm tra lại ngày."), forms={"status_form": form})
    d = form.cleaned_data
    error = attempt(
        lambda: services.project_set_status(
            request.user,
            project,
            d["status"],
            approval_number=d["approval_number"],
            approval_date=d["approval_date"],
            approval_body=d["approval_body"],
            reason=d["reason"],
        )
    )
    if error:
        return _detail(request, project, error=error, forms={"status_form": form})
    return _done(request, project, _("Đã chuyển tình trạng dự án."))


# --- the project form ------------------------------------------------------------------------
def _form_page(
    request: HttpRequest, form: ProjectForm, project: Project | None, error: str = ""
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "project": project, "error": error}
    return render(request, "support/project_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals
def project_new_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, project_form(request.user, initial={"year": today().year}), None)
    form = project_form(request.user, request.POST)
    if not form.is_valid():
        return _form_page(request, form, None)
    f = fields_from(form)
    made: list[Project] = []
    error = attempt(
        lambda: made.append(services.project_create(request.user, form.cleaned_data["unit"], f))
    )
    if error:
        return _form_page(request, form, None, error)
    return _done(request, made[0], _("Đã lập dự án."))


@require_http_methods(["GET", "POST"])
@refusals
def project_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _manage(request, project)
    if request.method != "POST":
        f = services.fields_of(project)
        initial = {k: v for k, v in f.__dict__.items() if k not in {"programme_id", "node_code"}}
        initial["node"] = f"{f.programme_id}{NODE_SEPARATOR}{f.node_code}"
        return _form_page(
            request, project_form(request.user, initial=initial, editing=True), project
        )
    form = project_form(request.user, request.POST, editing=True)
    if not form.is_valid():
        return _form_page(request, form, project)
    f = fields_from(form)
    error = attempt(lambda: services.project_update(request.user, project, f))
    if error:
        return _form_page(request, form, project, error)
    return _done(request, project, _("Đã lưu dự án."))


# --- beneficiaries ---------------------------------------------------------------------------
def _candidate_rows(request: HttpRequest, project: Project, search: str, on: date) -> list[Any]:
    chosen = set(Beneficiary.objects.filter(project=project).values_list("household_id", flat=True))
    rows = []
    for household in sel.candidates(request.user, project, search, CANDIDATES):
        try:
            result = sel.eligibility_of(project, household, on)
        except UnknownRule:
            result = None
        reasons = [r.message(ui_lang()) for r in result.reasons] if result else []
        rows.append(
            {"h": household, "e": result, "reasons": reasons, "chosen": household.pk in chosen}
        )
    return rows


@require_http_methods(["GET", "POST"])
@refusals
def beneficiary_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _manage(request, project)
    search = request.GET.get("q", "") or request.POST.get("q", "")
    form = BeneficiaryForm(request.POST or None, initial={"on": today()})
    on = today()
    error, failed = "", None
    if request.method == "POST":
        if form.is_valid():
            on = form.cleaned_data["on"]
            household = sel.candidate_get(request.user, project, form.cleaned_data["household"])
            if household is None:
                raise Http404(_("Không có hộ này."))
            why = form.cleaned_data["justification"]
            error = attempt(
                lambda: services.beneficiary_add(request.user, project, household, on, why)
            )
            if not error:
                messages.success(request, _("Đã thêm hộ %(code)s.") % {"code": household.code})
                query = urlencode({"q": search, "ngay": f"{on:%d/%m/%Y}"})
                return redirect(f"{reverse('support:beneficiary_add', args=[pk])}?{query}")
            failed = household.pk
        else:
            error = _("Kiểm tra lại ngày hỗ trợ.")
    elif request.GET.get("ngay"):
        on = parse_day(request.GET["ngay"]) or on
    context = {
        "project": project,
        "rule_label": describe(project)["rule_label"],
        "search": search,
        "on": on,
        "rows": _candidate_rows(request, project, search, on) if search else [],
        "error": error,
        "failed": failed,
        "form": form,
    }
    status = 400 if error else 200
    return render(request, "support/project_beneficiary_add.html", context, status=status)


@require_POST
@refusals
def beneficiary_remove_view(request: HttpRequest, pk: int, beneficiary_pk: int) -> HttpResponse:
    project = _project(request, pk)
    b = sel.beneficiaries(request.user, project).filter(pk=beneficiary_pk).first()
    if b is None:
        raise Http404(_("Không có hộ này trong dự án."))
    error = attempt(lambda: services.beneficiary_remove(request.user, b))
    if error:
        messages.error(request, error)
        return redirect(reverse("support:project", args=[project.pk]) + "#ho-huong-loi")
    return _done(request, project, _("Đã bỏ hộ khỏi danh sách."), "#ho-huong-loi")


# --- supports --------------------------------------------------------------------------------
def _household(request: HttpRequest, pk: int) -> Household:
    try:
        return household_get(actor=request.user, pk=pk)
    except Household.DoesNotExist:
        raise Http404(_("Không có hộ này.")) from None


def _support_form_page(
    request: HttpRequest, household: Household, form: SupportForm, error: str = ""
) -> HttpResponse:
    supports = sel.household_supports(request.user, household)
    context = {
        "household": household,
        "form": form,
        "error": error,
        "supports": support_rows(request.user, supports),
        "recoveries": sel.household_recoveries(request.user, household, today()),
        "reasons": ReasonCode.choices,
        "today": today(),
        "can_record": access.can_record_for(request.user, None, household)
        or bool(form.fields["project"].choices[1:]),  # type: ignore[attr-defined]
    }
    status = 400 if request.method == "POST" else 200
    context["error"], context["messages"] = _carried(request, error)
    return render(request, "support/support_new.html", context, status=status)


def _household_projects(request: HttpRequest, household: Household) -> list[Project]:
    return list(
        access.visible_projects(request.user)
        .filter(beneficiaries__household=household, status__in=services.OPEN_STATUSES)
        .order_by("-year", "name")
    )


@require_http_methods(["GET", "POST"])
@refusals
def support_new_view(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = _household(request, household_pk)
    projects = {p.pk: p for p in _household_projects(request, household)}
    choices = [(p.pk, f"{p.name} ({p.year})") for p in projects.values()]
    initial = {"on": today(), "project": to_int(request.GET.get("du_an")), "source": "central"}
    if request.method != "POST":
        return _support_form_page(
            request, household, SupportForm(projects=choices, initial=initial)
        )
    form = SupportForm(request.POST, projects=choices)
    if not form.is_valid():
        return _support_form_page(request, household, form)
    d = form.cleaned_data
    project = projects.get(d["project"]) if d["project"] else None
    args = {
        "support_type": d["support_type"],
        "item": d["item"],
        "quantity": d["quantity"],
        "unit_label": d["unit_label"],
        "value": d["value"],
        "source": d["source"],
        "on": d["on"],
    }
    if d["delivered"] and project is None:
        write: Callable[[], object] = lambda: ledger.support_report(request.user, household, **args)  # noqa: E731
    else:
        write = lambda: ledger.support_plan(request.user, household, project=project, **args)  # noqa: E731
    error = attempt(write)
    if error:
        return _support_form_page(request, household, form, error)
    messages.success(request, _("Đã ghi khoản hỗ trợ."))
    return redirect("support:support_new", household_pk=household.pk)


@require_POST
@refusals
def support_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        support = sel.support_get(request.user, pk)
    except Support.DoesNotExist:
        raise Http404(_("Không có khoản hỗ trợ này.")) from None
    form = ActionForm(request.POST)
    if not form.is_valid():
        error = _("Kiểm tra lại ngày.")
    else:
        d = form.cleaned_data
        on, user = d["on"] or today(), request.user
        act: dict[str, Callable[[], object]] = {
            "approve": lambda: ledger.support_approve(user, support),
            "deliver": lambda: ledger.support_deliver(user, support, on),
            "settle": lambda: ledger.support_settle(user, support, on),
            "reject": lambda: ledger.support_reject(user, support, d["reason_code"], d["note"]),
            "cancel": lambda: ledger.support_cancel(user, support, d["reason_code"], d["note"]),
        }
        error = attempt(act[d["action"]])
    # Back where the officer acted, the outcome as a message: this URL only takes a POST.
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Đã cập nhật khoản hỗ trợ."))
    if support.project_id is None or request.POST.get("back") == "household":
        return redirect("support:support_new", household_pk=support.household_id)
    return redirect(reverse("support:project", args=[support.project_id]) + "#ho-tro")


# --- revolving capital -----------------------------------------------------------------------
def _capital_page(
    request: HttpRequest, project: Project, template: str, extra: dict[str, Any]
) -> HttpResponse:
    rows = sel.capital_rows(request.user, project, today())
    context = {
        "project": project,
        "rows": rows,
        "summary": sel.capital_summary(rows),
        "pool": sel.pool(project),
        "today": today(),
        "can_record": any(ledger.can_record(request.user, r.recovery.support) for r in rows),
        "can_relend": access.can_manage_project(request.user, project),
        **extra,
    }
    status = 400 if extra.get("error") else 200
    return render(request, f"support/{template}", context, status=status)


@require_http_methods(["GET", "POST"])
@refusals
def collections_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not project.revolving:
        raise Http404(_("Dự án không quay vòng vốn."))
    visible = sel.capital_rows(request.user, project, today())
    recoveries = {r.recovery.pk: r.recovery for r in visible}
    choices = [(r.recovery.pk, f"{r.household.code} — {r.household.head_name}") for r in visible]
    form = CollectionForm(request.POST or None, recoveries=choices, initial={"on": today()})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            recovery: Recovery = recoveries[d["recovery"]]
            error = attempt(
                lambda: ledger.collection_record(
                    request.user, recovery, d["on"], d["amount"], d["note"]
                )
            )
            if not error:
                messages.success(request, _("Đã ghi khoản thu hồi vốn."))
                return redirect("support:collections", pk=project.pk)
        else:
            error = _("Kiểm tra lại hộ, ngày và số tiền.")
    return _capital_page(
        request, project, "capital_collections.html", {"form": form, "error": error}
    )


@require_http_methods(["GET", "POST"])
@refusals
def relend_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not project.revolving:
        raise Http404(_("Dự án không quay vòng vốn."))
    _manage(request, project)  # the pool is the whole project's: its managers re-lend it
    households = {b.household.pk: b.household for b in sel.beneficiaries(request.user, project)}
    choices = [(h.pk, f"{h.code} — {h.head_name}") for h in households.values()]
    form = RelendForm(
        request.POST or None,
        households=choices,
        types=list(project.support_types),
        initial={"on": today()},
    )
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            household = households[d["household"]]
            error = attempt(
                lambda: ledger.relend(
                    request.user,
                    project,
                    household,
                    d["amount"],
                    d["on"],
                    support_type=d["support_type"],
                    item=d["item"],
                )
            )
            if not error:
                messages.success(request, _("Đã ghi khoản cho vay quay vòng."))
                return redirect("support:collections", pk=project.pk)
        else:
            error = _("Kiểm tra lại hộ, ngày và số tiền.")
    return _capital_page(request, project, "capital_relend.html", {"form": form, "error": error})


urlpatterns = [
    path("du-an/", projects_view, name="projects"),
    path("du-an/moi/", project_new_view, name="project_new"),
    path("du-an/<int:pk>/", project_view, name="project"),
    path("du-an/<int:pk>/sua/", project_edit_view, name="project_edit"),
    path("du-an/<int:pk>/kinh-phi/", project_budget_view, name="project_budget"),
    path("du-an/<int:pk>/chi-tieu/", project_output_view, name="project_output"),
    path("du-an/<int:pk>/tinh-trang/", project_status_view, name="project_status"),
    path("du-an/<int:pk>/ho/them/", beneficiary_add_view, name="beneficiary_add"),
    path(
        "du-an/<int:pk>/ho/<int:beneficiary_pk>/bo/",
        beneficiary_remove_view,
        name="beneficiary_remove",
    ),
    path("du-an/<int:pk>/thu-hoi/", collections_view, name="collections"),
    path("du-an/<int:pk>/quay-vong/", relend_view, name="relend"),
    path("ho/<int:household_pk>/them/", support_new_view, name="support_new"),
    path("luot-ho-tro/<int:pk>/xu-ly/", support_action_view, name="support_action"),
]
