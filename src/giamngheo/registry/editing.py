"""Pages that fix households and members by hand, so that a commune never needs a spreadsheet
for one family: create, correct, add and correct members, split off, merge, move (another
village, or away to another commune), set the status.

Thin: each view finds the household as the user may see it (404 otherwise), refuses with 403
and a bilingual message when the user may not change its commune (the services check again),
and calls one service (``registry.services``, ``registry.restructure``). A service's
``ValidationError`` re-shows the form with the error at its field; a ``PermissionDenied``
answers 403. Nothing is written by a refused or invalid request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from giamngheo.accounts.access import can_manage_unit, manageable_units
from giamngheo.registry.forms import (
    HouseholdCreateForm,
    HouseholdEditForm,
    MemberForm,
    MergeForm,
    MoveAwayForm,
    MoveVillageForm,
    SplitForm,
    StatusForm,
    manageable_communes,
)
from giamngheo.registry.models import Household, Member
from giamngheo.registry.restructure import household_merge, household_move_away, household_split
from giamngheo.registry.selectors import household_get
from giamngheo.registry.services import (
    household_create,
    household_set_status,
    household_update,
    member_add,
    member_update,
)

View = Callable[..., HttpResponse]

#: The form field a service's error code belongs to.
CODE_FIELDS = {
    "duplicate_code": "code",
    "village": "village",
    "entry_reason": "entry_reason",
    "entry_date": "entry_date",
    "came_from": "came_from",
    "to_commune": "to_commune",
    "into": "into",
    "members": "members",
}


def refusals(view: View) -> View:
    """Answer a ``PermissionDenied`` with 403 and its bilingual message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            message = str(exc) or _refused_text()
            return render(request, "registry/refused.html", {"message": message}, status=403)

    return wrapped


def _refused_text() -> str:
    return "Bạn không có quyền thay đổi dữ liệu này / you may not change this data"


def _household(request: HttpRequest, pk: int) -> Household:
    """The household for an edit: 404 unless the user sees it, 403 unless they manage it."""
    try:
        hh = household_get(actor=request.user, pk=pk)
    except Household.DoesNotExist:
        raise Http404(_("Không có hộ này.")) from None
    if not can_manage_unit(request.user, hh.commune):
        raise PermissionDenied(
            f"Bạn không có quyền thay đổi dữ liệu của {hh.commune.name} / "
            f"you may not change the data of {hh.commune.name}"
        )
    return hh


def service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, at its field when it names one."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
        return
    for error in exc.error_list:
        name: str | None = CODE_FIELDS.get(error.code or "")
        form.add_error(name if name in form.fields else None, error)


def _page(
    request: HttpRequest, form: forms.Form, title: str, hh: Household | None = None
) -> HttpResponse:
    context = {"form": form, "title": title, "hh": hh}
    return render(request, "registry/edit_form.html", context)


def _attempt(form: forms.Form, write: Callable[[], object]) -> bool:
    """Run the service; False (errors on the form) when it refuses the values."""
    try:
        write()
    except ValidationError as exc:
        service_errors(form, exc)
        return False
    return True


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("registry:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@refusals
def household_create_view(request: HttpRequest) -> HttpResponse:
    communes = manageable_communes(manageable_units(request.user))
    if not communes.exists():
        raise PermissionDenied(_refused_text())
    form = HouseholdCreateForm(request.POST or None, communes=communes)
    if request.method == "POST":
        posted = request.POST.get("commune", "")
        if posted.isdigit() and not communes.filter(pk=int(posted)).exists():
            raise PermissionDenied(_refused_text())
    created: list[Household] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def write() -> None:
            created.append(
                household_create(
                    actor=request.user,
                    commune=d["commune"],
                    village=d["village"],
                    code=d["code"],
                    head_name=d["head_name"],
                    address=d["address"],
                    ethnic_minority=d["ethnic_minority"],
                    flags=form.flags(d),
                    entry_reason=d["entry_reason"],
                    entry_date=d["entry_date"],
                    came_from=d["came_from"],
                )
            )

        if _attempt(form, write):
            return _done(request, created[0].pk, _("Đã thêm hộ."))
    return _page(request, form, _("Thêm hộ gia đình"))


@require_http_methods(["GET", "POST"])
@refusals
def household_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = HouseholdEditForm(request.POST or None, household=hh)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if _attempt(form, lambda: household_update(actor=request.user, household=hh, **changes)):
            return _done(request, hh.pk, _("Đã sửa thông tin hộ."))
    return _page(request, form, _("Sửa thông tin hộ"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if _attempt(form, lambda: member_add(actor=request.user, household=hh, **values)):
            return _done(request, hh.pk, _("Đã thêm thành viên."))
    return _page(request, form, _("Thêm thành viên"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def member_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = Member.objects.filter(pk=pk).values_list("household_id", flat=True).first()
    if member is None:
        raise Http404(_("Không có thành viên này."))
    hh = _household(request, member)
    m = Member.objects.get(pk=pk)
    form = MemberForm(request.POST or None, member=m)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if not values["national_id"]:
            del values["national_id"]  # an empty field keeps the number
        if _attempt(form, lambda: member_update(actor=request.user, member=m, **values)):
            return _done(request, hh.pk, _("Đã sửa thông tin thành viên."))
    return _page(request, form, _("Sửa thông tin thành viên: %(name)s") % {"name": m}, hh)


@require_http_methods(["GET", "POST"])
@refusals
def household_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = SplitForm(request.POST or None, household=hh)
    created: list[Household] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def write() -> None:
            created.append(
                household_split(
                    actor=request.user,
                    source=hh,
                    code=d["code"],
                    head_name=d["head_name"],
                    entry_date=d["entry_date"],
                    members=Member.objects.filter(pk__in=d["members"], household=hh),
                    village=d["village"],
                    address=d["address"],
                )
            )

        if _attempt(form, write):
            return _done(request, created[0].pk, _("Đã tách hộ."))
    return _page(request, form, _("Tách hộ"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def household_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = MergeForm(request.POST or None, household=hh)
    if request.method == "POST" and form.is_valid():
        into, on = form.cleaned_data["into"], form.cleaned_data["on_date"]
        if _attempt(
            form,
            lambda: household_merge(actor=request.user, household=hh, into=into, on_date=on),
        ):
            return _done(request, into.pk, _("Đã nhập hộ."))
    return _page(request, form, _("Nhập vào hộ khác"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def household_move_village_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = MoveVillageForm(request.POST or None, household=hh)
    if request.method == "POST" and form.is_valid():
        village = form.cleaned_data["village"]
        if _attempt(
            form, lambda: household_update(actor=request.user, household=hh, village=village)
        ):
            return _done(request, hh.pk, _("Đã chuyển hộ sang thôn khác."))
    return _page(request, form, _("Chuyển sang thôn khác trong xã"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def household_move_away_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    communes = manageable_communes(manageable_units(request.user))
    if not communes.exclude(pk=hh.commune_id).exists():
        raise PermissionDenied(
            "Bạn không có quyền thay đổi dữ liệu của xã nào khác để chuyển hộ đến / "
            "you may not change the data of any other commune to move the household to"
        )
    form = MoveAwayForm(request.POST or None, household=hh, communes=communes)
    if request.method == "POST":
        posted = request.POST.get("to_commune", "")
        if posted.isdigit() and not communes.filter(pk=int(posted)).exists():
            raise PermissionDenied(_refused_text())
    created: list[Household] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def write() -> None:
            created.append(
                household_move_away(
                    actor=request.user,
                    household=hh,
                    to_commune=d["to_commune"],
                    village=d["village"],
                    on_date=d["on_date"],
                    new_code=d["code"],
                    address=d["address"],
                )
            )

        if _attempt(form, write):
            return _done(request, created[0].pk, _("Đã chuyển hộ sang xã khác."))
    return _page(request, form, _("Chuyển đi xã khác"), hh)


@require_http_methods(["GET", "POST"])
@refusals
def household_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    hh = _household(request, pk)
    form = StatusForm(request.POST or None, household=hh)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: household_set_status(
                actor=request.user, household=hh, status=d["status"], on=d["on_date"]
            ),
        ):
            return _done(request, hh.pk, _("Đã ghi tình trạng của hộ."))
    return _page(request, form, _("Đổi tình trạng của hộ"), hh)
