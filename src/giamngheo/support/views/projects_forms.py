"""The project pages' forms: a project (its programme node chosen in one list grouped by
programme, its communes and villages among those the user sees), its status, a budget line, an
output, a support for a household, an action on a support, a collection and a re-loan; and what
the pages build from the data: the ledger rows with the actions the user may take (``Rights``:
asked once per project and commune, never row by row; a housing line has none: it is the
housing register's), the budget beside the allocation decisions, a table's pager.

Amounts are read as officers type them (``1.250.000``) with ``core.support.money.parse_vnd``;
dates as ``dd/mm/yyyy`` (ISO accepted too). Labels of the core's data (programmes, nodes,
rules, support types, sources) come in the page's language from the data itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from giamngheo.accounts.access import visible_units
from giamngheo.core.numbers import Lang
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.eligibility import UnknownRule, get_rule, load_rules
from giamngheo.core.support.funds import SOURCES, source_label
from giamngheo.core.support.money import MoneyError, parse_vnd
from giamngheo.core.support.programme import (
    UnknownNode,
    UnknownProgramme,
    load_programmes,
    programme_by_id,
)
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.support import access
from giamngheo.support.models import (
    Organisation,
    Project,
    ProjectKind,
    ProjectStatus,
    ReasonCode,
    Support,
    SupportState,
)
from giamngheo.support.services import ledger
from giamngheo.support.services.projects import ProjectFields
from giamngheo.support.views.common import english, pick

if TYPE_CHECKING:
    from django.http import QueryDict

    from giamngheo.accounts.access import AnyUser
    from giamngheo.core.support.funds import FundBalance
    from giamngheo.support.selectors.projects import Paged

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
NODE_SEPARATOR = "|"


def ui_lang() -> Lang:
    return "en" if english() else "vi"


class MoneyField(forms.CharField):
    """Whole đồng as officers type them; ``clean`` gives an ``int``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1.250.000"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in self.empty_values and not self.required:
            return None
        try:
            return parse_vnd(text)
        except MoneyError as exc:
            raise forms.ValidationError(
                pick(exc.message_vi, exc.message_en), code=exc.code
            ) from None


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
        localize=False,
    )


# --- choices from the data -------------------------------------------------------------------
def node_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every programme's nodes, grouped by programme, indented by depth; values
    ``programme|node``."""
    lang = ui_lang()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for pid, programme in load_programmes().items():
        first, last = programme.period
        options = [
            (f"{pid}{NODE_SEPARATOR}{n.code}", f"{'— ' * (n.depth - 1)}{n.code} {n.label(lang)}")
            for n in programme.walk()
        ]
        groups.append((f"{programme.label(lang)} ({first}–{last})", options))
    return groups


def rule_choices() -> list[tuple[str, str]]:
    return [(r.id, r.label(ui_lang())) for r in load_rules().values()]


def type_choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    lang = ui_lang()
    catalog = load_catalog()
    return [(t.code, t.label(lang)) for t in catalog.types if codes is None or t.code in codes]


def source_choices() -> list[tuple[str, str]]:
    return [(code, source_label(code, ui_lang())) for code in SOURCES]


def unit_label(unit: AdminUnit) -> str:
    parent = unit.parent.name if unit.parent_id and unit.parent else ""
    return f"{unit.name} ({parent})" if parent else unit.name


class UnitsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj)


# --- the project -----------------------------------------------------------------------------
class ProjectForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị quản lý"), queryset=AdminUnit.objects.none())
    name = forms.CharField(label=_("Tên dự án"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại dự án"), choices=ProjectKind.choices)
    node = forms.ChoiceField(label=_("Chương trình, dự án / tiểu dự án"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    lead = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), queryset=Organisation.objects.none())
    partners = forms.ModelMultipleChoiceField(
        label=_("Cơ quan phối hợp"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes = UnitsField(
        label=_("Các xã"), queryset=AdminUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    villages = UnitsField(
        label=_("Các thôn (để trống: cả xã)"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    eligibility_rule = forms.ChoiceField(label=_("Đối tượng hỗ trợ"))
    support_types = forms.MultipleChoiceField(
        label=_("Loại hỗ trợ"), widget=forms.CheckboxSelectMultiple
    )
    start = date_field(_("Bắt đầu"), required=False)
    end = date_field(_("Kết thúc"), required=False)
    appraisal_number = forms.CharField(
        label=_("Số văn bản thẩm định"), max_length=50, required=False
    )
    appraisal_date = date_field(_("Ngày thẩm định"), required=False)
    approval_body = forms.CharField(label=_("Cơ quan phê duyệt"), max_length=200, required=False)
    revolving = forms.BooleanField(label=_("Quay vòng vốn"), required=False)
    recovery_share = forms.IntegerField(
        label=_("Tỷ lệ thu hồi (%)"), min_value=0, max_value=100, initial=0
    )
    recovery_instalments = forms.IntegerField(label=_("Số kỳ thu hồi"), min_value=0, initial=0)
    recovery_every_months = forms.IntegerField(
        label=_("Mỗi kỳ (tháng)"), min_value=1, max_value=120, initial=12
    )
    recovery_grace_months = forms.IntegerField(
        label=_("Ân hạn (tháng)"), min_value=0, max_value=120, initial=0
    )
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        units: Any,
        organisations: Any,
        communes: Any,
        villages: Any,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["unit"].queryset = units
        fields["unit"].label_from_instance = unit_label
        fields["lead"].queryset = organisations
        fields["partners"].queryset = organisations
        fields["communes"].queryset = communes
        fields["villages"].queryset = villages
        fields["node"].choices = node_choices()
        fields["eligibility_rule"].choices = rule_choices()
        fields["support_types"].choices = type_choices()
        if editing:
            del fields["unit"]

    def programme_node(self) -> tuple[str, str]:
        programme_id, _sep, node_code = self.cleaned_data["node"].partition(NODE_SEPARATOR)
        return programme_id, node_code


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Chuyển sang"), choices=ProjectStatus.choices)
    approval_number = forms.CharField(
        label=_("Số quyết định phê duyệt"), max_length=50, required=False
    )
    approval_date = date_field(_("Ngày phê duyệt"), required=False)
    approval_body = forms.CharField(label=_("Cơ quan phê duyệt"), max_length=200, required=False)
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300, required=False)


class BudgetForm(forms.Form):
    source = forms.ChoiceField(label=_("Nguồn vốn"))
    amount = MoneyField(label=_("Số tiền (đồng)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()  # type: ignore[attr-defined]


class OutputForm(forms.Form):
    output = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Kết quả đầu ra"), max_length=200)
    unit_label = forms.CharField(label=_("Đơn vị tính"), max_length=40)
    planned = forms.IntegerField(label=_("Số lượng kế hoạch"), min_value=0)
    actual = forms.IntegerField(label=_("Số lượng thực hiện"), min_value=0, initial=0)


# --- beneficiaries and supports --------------------------------------------------------------
class BeneficiaryForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    on = date_field(_("Ngày hỗ trợ"))
    justification = forms.CharField(
        label=_("Lý do chấp nhận"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupportForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Dự án"), coerce=int, empty_value=None, required=False)
    support_type = forms.ChoiceField(label=_("Loại hỗ trợ"))
    item = forms.CharField(label=_("Nội dung hỗ trợ"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, initial=1)
    unit_label = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False)
    value = MoneyField(label=_("Giá trị (đồng)"))
    source = forms.ChoiceField(label=_("Nguồn vốn"))
    on = date_field(_("Ngày hỗ trợ"))
    delivered = forms.BooleanField(
        label=_("Đã cấp, đã nhận (chỉ hỗ trợ không thuộc dự án)"), required=False
    )

    def __init__(self, *args: Any, projects: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["project"].choices = [("", _("Không thuộc dự án")), *projects]
        fields["support_type"].choices = type_choices()
        fields["source"].choices = source_choices()


ACTIONS = ("approve", "deliver", "settle", "reject", "cancel")


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    on = date_field(_("Ngày"), required=False)
    reason_code = forms.ChoiceField(
        label=_("Lý do"), choices=[("", "—"), *ReasonCode.choices], required=False
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class CollectionForm(forms.Form):
    recovery = forms.TypedChoiceField(label=_("Hộ trả vốn"), coerce=int)
    on = date_field(_("Ngày thu"))
    amount = MoneyField(label=_("Số tiền thu (đồng)"))
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)

    def __init__(self, *args: Any, recoveries: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recovery"].choices = recoveries  # type: ignore[attr-defined]


class RelendForm(forms.Form):
    household = forms.TypedChoiceField(label=_("Hộ nhận vốn quay vòng"), coerce=int)
    support_type = forms.ChoiceField(label=_("Loại hỗ trợ"))
    item = forms.CharField(label=_("Nội dung hỗ trợ"), max_length=200, required=False)
    amount = MoneyField(label=_("Số tiền (đồng)"))
    on = date_field(_("Ngày"))

    def __init__(
        self, *args: Any, households: list[tuple[int, str]], types: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["household"].choices = households
        fields["support_type"].choices = type_choices(types)


# --- what the pages build from the forms and the data ---------------------------------------
def type_label(code: str) -> str:
    """A support type's name in the page's language (the code when it is unknown)."""
    catalog = load_catalog()
    return catalog.get(code).label(ui_lang()) if code in catalog else code


def describe(project: Project) -> dict[str, Any]:
    """The project's data labels in the page's language (programme path, rule, types)."""
    lang = ui_lang()
    try:
        programme = programme_by_id(project.programme_id)
        path_labels = [f"{n.code} {n.label(lang)}" for n in programme.path(project.node_code)]
        programme_label = programme.label(lang)
    except (UnknownProgramme, UnknownNode):
        path_labels, programme_label = [project.node_code], project.programme_id
    try:
        rule_label = get_rule(project.eligibility_rule).label(lang)
    except UnknownRule:
        rule_label = project.eligibility_rule
    return {
        "programme_label": programme_label,
        "node_path": path_labels,
        "rule_label": rule_label,
        "type_labels": [type_label(t) for t in project.support_types],
    }


def to_int(raw: str | None) -> int | None:
    """A number from the query string, None when absent or not a number."""
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


class Rights:
    """The ledger's rights of one user on a page's supports. ``ledger.can_approve`` depends
    only on the support's project (or, without one, its household's commune) and
    ``ledger.can_record`` on the project and the commune: each is asked once per key."""

    def __init__(self, user: AnyUser) -> None:
        self.user = user
        self._approve: dict[tuple[int | None, int | None], bool] = {}
        self._record: dict[tuple[int | None, int], bool] = {}

    def approve(self, s: Support) -> bool:
        key = (s.project_id, None if s.project_id else s.household.commune_id)
        if key not in self._approve:
            self._approve[key] = ledger.can_approve(self.user, s)
        return self._approve[key]

    def record(self, s: Support) -> bool:
        key = (s.project_id, s.household.commune_id)
        if key not in self._record:
            self._record[key] = ledger.can_record(self.user, s)
        return self._record[key]


def support_rows(user: AnyUser, supports: list[Support]) -> list[dict[str, Any]]:
    """Each support with its type's name and the actions the user may take on it (none on a
    housing line: the housing register moves it). The supports come with their household,
    project and house joined (``selectors.projects``)."""
    rights = Rights(user)
    rows = []
    for s in supports:
        house = getattr(s, "housing", None)  # joined: no query; absent raises AttributeError
        if house is not None:
            rows.append({"s": s, "type": type_label(s.support_type), "actions": [], "house": house})
            continue
        approve, record = rights.approve(s), rights.record(s)
        state = s.state
        actions = [
            name
            for name, ok in (
                ("approve", approve and state == SupportState.PLANNED),
                ("deliver", record and state == SupportState.APPROVED),
                ("settle", approve and state == SupportState.DELIVERED),
                ("reject", approve and state in (SupportState.PLANNED, SupportState.APPROVED)),
                (
                    "cancel",
                    (approve and state == SupportState.APPROVED)
                    or ((approve or record) and state == SupportState.PLANNED),
                ),
            )
            if ok
        ]
        rows.append({"s": s, "type": type_label(s.support_type), "actions": actions})
    return rows


@dataclass(frozen=True)
class Allocated:
    """One source: the project's typed budget beside what allocation decisions gave it."""

    source: str
    label: str
    budget: int
    allocated: int
    disbursed: int

    @property
    def differs(self) -> bool:
        return self.budget != self.allocated


def allocation_rows(
    balances: list[FundBalance], given: dict[str, tuple[int, int]]
) -> list[Allocated]:
    """Every source with a budget or a decision's line, in the sources' order."""
    budget = {b.source: b.budget for b in balances}
    order = [*budget, *(code for code in SOURCES if code in given and code not in budget)]
    order += sorted(set(given) - set(order))
    lang = ui_lang()
    return [
        Allocated(code, source_label(code, lang), budget.get(code, 0), *given.get(code, (0, 0)))
        for code in order
    ]


def pager(page: Paged, param: str, params: QueryDict, anchor: str) -> dict[str, Any]:
    """Links to the previous and the next page of one table (the page's other parameters
    kept), as the gaps page pages its list."""

    def link(number: int) -> str:
        query = params.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page.page,
        "pages": page.pages,
        "previous": link(page.page - 1) if page.page > 1 else "",
        "next": link(page.page + 1) if page.page < page.pages else "",
    }


def creatable_units(user: AnyUser) -> Any:
    return visible_units(user).filter(level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE])


def project_form(user: AnyUser, data: Any = None, **kwargs: Any) -> ProjectForm:
    """The project form with the units, organisations, communes and villages the user reaches."""
    units = creatable_units(user)
    communes = visible_units(user).filter(level=Level.COMMUNE)
    org_ids = access.org_ids(user)
    if org_ids:  # a member also reaches the communes its organisations serve
        served = Organisation.objects.filter(pk__in=org_ids).values("unit_id")
        communes = communes | AdminUnit.objects.filter(level=Level.COMMUNE, parent_id__in=served)
        units = units | AdminUnit.objects.filter(pk__in=served)
    return ProjectForm(
        data,
        units=units.distinct().order_by("level", "name_key"),
        organisations=Organisation.objects.filter(access.organisations_q(user), active=True)
        .distinct()
        .order_by("unit_id", "name"),
        communes=communes.distinct().order_by("name_key"),
        villages=AdminUnit.objects.filter(level=Level.VILLAGE, parent__in=communes)
        .select_related("parent")
        .order_by("parent__name_key", "name_key"),
        **kwargs,
    )


def fields_from(form: ProjectForm) -> ProjectFields:
    """The valid form as the services take it."""
    d = form.cleaned_data
    programme_id, node_code = form.programme_node()
    return ProjectFields(
        name=d["name"],
        kind=d["kind"],
        programme_id=programme_id,
        node_code=node_code,
        lead=d["lead"],
        year=d["year"],
        eligibility_rule=d["eligibility_rule"],
        support_types=list(d["support_types"]),
        communes=list(d["communes"]),
        villages=list(d["villages"]),
        partners=list(d["partners"]),
        start=d["start"],
        end=d["end"],
        appraisal_number=d["appraisal_number"],
        appraisal_date=d["appraisal_date"],
        approval_body=d["approval_body"],
        revolving=d["revolving"],
        recovery_share=d["recovery_share"],
        recovery_instalments=d["recovery_instalments"],
        recovery_every_months=d["recovery_every_months"],
        recovery_grace_months=d["recovery_grace_months"],
        notes=d["notes"],
    )


def parse_day(text: str) -> date | None:
    """A typed day (dd/mm/yyyy or ISO), None when unreadable."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None
