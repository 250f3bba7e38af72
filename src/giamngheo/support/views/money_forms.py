"""The money pages' forms: an allocation decision's heading, a line, and a disbursement or a
settlement. Amounts are read as officers type them (``1.250.000``) with
``core.support.money.parse_vnd``; dates as ``dd/mm/yyyy`` (ISO accepted too). Choices are
primary keys as text; the views turn them back into rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from giamngheo.core.numbers import Lang
from giamngheo.core.support.funds import SOURCES, source_label
from giamngheo.core.support.money import MoneyError, format_vnd, parse_vnd
from giamngheo.core.support.programme import load_programmes, programme_by_id
from giamngheo.geo.models import AdminUnit
from giamngheo.support.models import Project
from giamngheo.support.selectors.money import LineRow
from giamngheo.support.views.common import english, pick

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def ui_lang() -> Lang:
    """The page's language as the core takes it."""
    return "en" if english() else "vi"


class AmountField(forms.CharField):
    """A whole amount of đồng as officers type it; ``clean`` gives an ``int``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1.250.000"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return parse_vnd(text)
        except MoneyError as exc:
            raise forms.ValidationError(
                pick(exc.message_vi, exc.message_en), code=exc.code
            ) from None


def date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
        localize=False,
    )


def _unit_label(unit: AdminUnit) -> str:
    return f"{unit.name} ({unit.code})" if unit.code else unit.name


def programme_choices() -> list[tuple[str, str]]:
    out = []
    for pid, programme in load_programmes().items():
        first, last = programme.period
        out.append((pid, f"{programme.label(ui_lang())} ({first}–{last})"))
    return out


def source_choices() -> list[tuple[str, str]]:
    return [(code, source_label(code, ui_lang())) for code in SOURCES]


def node_choices(programme_id: str) -> list[tuple[str, str]]:
    """The programme's nodes, pre-order, indented by their depth."""
    programme = programme_by_id(programme_id)
    return [
        (n.code, f"{'— ' * (n.depth - 1)}{n.code} {n.label(ui_lang())}") for n in programme.walk()
    ]


class DecisionForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị ban hành"))
    number = forms.CharField(label=_("Số quyết định"), max_length=50)
    date = date_field(_("Ngày ban hành"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    title = forms.CharField(label=_("Trích yếu"), max_length=400)
    year = forms.IntegerField(label=_("Năm ngân sách"), min_value=2000, max_value=2100)
    programme_id = forms.ChoiceField(label=_("Chương trình"))

    def __init__(self, units: Sequence[AdminUnit], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        unit_field: forms.ChoiceField = self.fields["unit"]  # type: ignore[assignment]
        unit_field.choices = [(pk, _unit_label(u)) for pk, u in self.units.items()]
        programme: forms.ChoiceField = self.fields["programme_id"]  # type: ignore[assignment]
        programme.choices = programme_choices()
        self.fields["year"].widget.attrs["size"] = 6
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments (after ``is_valid``)."""
        data = dict(self.cleaned_data)
        data["unit"] = self.units[data["unit"]]
        return data


class LineForm(forms.Form):
    commune = forms.ChoiceField(label=_("Xã"), required=False)
    node_code = forms.ChoiceField(label=_("Dự án / tiểu dự án"))
    project = forms.ChoiceField(label=_("Dự án cụ thể"), required=False)
    source = forms.ChoiceField(label=_("Nguồn vốn"))
    amount = AmountField(label=_("Số tiền (đồng)"))

    def __init__(
        self,
        *args: Any,
        programme_id: str,
        communes: Sequence[AdminUnit],
        projects: Sequence[Project],
        kept_at: AdminUnit,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {str(u.pk): u for u in communes}
        self.projects = {str(p.pk): p for p in projects}
        kept = pick(f"(giữ lại ở {kept_at.name})", f"(kept at {kept_at.name})")
        self._set("commune", [("", kept), *((k, u.name) for k, u in self.communes.items())])
        self._set("node_code", node_choices(programme_id))
        none = pick("(không gắn dự án)", "(no particular project)")
        self._set("project", [("", none), *((k, p.name) for k, p in self.projects.items())])
        self._set("source", source_choices())

    def _set(self, name: str, choices: list[tuple[str, str]]) -> None:
        field: forms.ChoiceField = self.fields[name]  # type: ignore[assignment]
        field.choices = choices

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "commune": self.communes.get(data["commune"] or ""),
            "project": self.projects.get(data["project"] or ""),
            "node_code": data["node_code"],
            "source": data["source"],
            "amount": data["amount"],
        }


def line_label(row: LineRow, kind: str = "disbursement") -> str:
    """A line as a choice: place, node, source and what is left to disburse (to settle, for a
    settlement)."""
    a = row.line
    rest = row.disbursed - row.settled if kind == "settlement" else row.remaining
    left = format_vnd(rest, ui_lang())
    word = "left" if english() else "còn"
    return f"{row.place.name} · {a.node_code} · {source_label(a.source, ui_lang())} ({word} {left})"


class SpendForm(forms.Form):
    """A disbursement or a settlement of one line."""

    line = forms.ChoiceField(label=_("Dòng phân bổ"))
    on = date_field(_("Ngày"))
    amount = AmountField(label=_("Số tiền (đồng)"))
    reference = forms.CharField(label=_("Chứng từ"), max_length=100, required=False)

    def __init__(
        self, rows: Sequence[LineRow], *args: Any, kind: str = "disbursement", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = {str(r.line.pk): r for r in rows}
        field: forms.ChoiceField = self.fields["line"]  # type: ignore[assignment]
        field.choices = [(k, line_label(r, kind)) for k, r in self.rows.items()]
        if kind == "settlement":
            self.fields["on"].label = _("Ngày quyết toán")
            self.fields["reference"].label = _("Số quyết định / biên bản")
        else:
            self.fields["on"].label = _("Ngày giải ngân")
