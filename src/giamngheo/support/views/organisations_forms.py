"""The forms of the organisation and task pages: an organisation, a member, a task, a progress
report, and the seed buttons' choices. Choices are limited to what the user may see or
manage; the services check everything again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from giamngheo.accounts.access import manageable_units
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.plans.models import Plan
from giamngheo.plans.selectors import plan_list
from giamngheo.support.models import Organisation, OrgKind, Recurrence, TaskStatus
from giamngheo.support.selectors.organisations import organisations_visible

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from giamngheo.accounts.access import AnyUser

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
ORG_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit.name})"


class OrgsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit.name})"


class PlanChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.document_number} ({obj.document_date:%d/%m/%Y}) — {obj.issuing_unit.name}"


def managed_units(user: AnyUser) -> QuerySet[AdminUnit]:
    """Units (province, district, commune) the user may set organisations and tasks for."""
    return manageable_units(user).filter(level__in=ORG_LEVELS).order_by("level", "name_key", "pk")


def seed_units(user: AnyUser) -> QuerySet[AdminUnit]:
    """Units the seed's organisations can be made for: managed districts and provinces."""
    return managed_units(user).filter(level__in=(Level.PROVINCE, Level.DISTRICT))


def managed_plans(user: AnyUser) -> QuerySet[Plan]:
    """Plans whose issuing unit the user manages (the "tasks from the plan" button)."""
    return plan_list(user=user).filter(issuing_unit__in=managed_units(user).values("pk"))


def _date(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class OrganisationForm(forms.Form):
    unit = UnitChoice(label=_("Đơn vị"), queryset=AdminUnit.objects.none())
    kind = forms.ChoiceField(label=_("Loại"), choices=OrgKind.choices)
    name = forms.CharField(label=_("Tên"), max_length=200)
    short_name = forms.CharField(label=_("Tên ngắn"), max_length=60, required=False)
    serves = UnitsChoice(
        label=_("Phục vụ các xã"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống: mọi xã của đơn vị."),
    )
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: Any, user: AnyUser, org: Organisation | None = None, **kw: Any):
        super().__init__(*args, **kw)
        fields: dict[str, Any] = self.fields
        if org is None:
            fields["unit"].queryset = managed_units(user)
            del fields["active"]
            communes = manageable_units(user).filter(level=Level.COMMUNE)
        else:
            del fields["unit"]
            communes = org.unit.descendants().filter(level=Level.COMMUNE)
        fields["serves"].queryset = communes.order_by("name_key", "pk")


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)


class TaskForm(forms.Form):
    unit = UnitChoice(label=_("Đơn vị"), queryset=AdminUnit.objects.none())
    number = forms.CharField(label=_("Mục"), max_length=20, required=False)
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=300)
    description = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead = OrgChoice(label=_("Chủ trì"), queryset=Organisation.objects.none())
    partners = OrgsChoice(
        label=_("Phối hợp"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = _date(_("Hạn"))
    recurrence = forms.ChoiceField(label=_("Định kỳ"), choices=Recurrence.choices)
    plan = PlanChoice(label=_("Kế hoạch"), queryset=Plan.objects.none(), required=False)
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: AnyUser, editing: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        fields: dict[str, Any] = self.fields
        if editing:
            del fields["unit"]
        else:
            fields["unit"].queryset = managed_units(user)
        orgs = organisations_visible(user).filter(active=True)
        fields["lead"].queryset = orgs
        fields["partners"].queryset = orgs
        fields["plan"].queryset = plan_list(user=user)


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=_("Nội dung báo cáo"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
