"""The survey form (Phiếu B) of one household, built from the standard's own data.

Every field comes from the ``Standard`` (``core.standards``): the income line or the form
score where the standard has a score rule, one yes/no per indicator with its name and
threshold text in the page's language, grouped by dimension; then the farm flag
(medium-living-standard farm households), each member's work status (low-income workers) and
changes, and the causes of poverty (``registry.models.CAUSES``). Nothing here knows a list of
indicators: a new standard's JSON file gives a new form.

The form only reads what was typed (Vietnamese numbers as ``1.250.000``) into the engine's
record (``income``/``income_score``, ``dep_<key>``, ``farm``, ``work_status``); the
classification is the rules adapter's (``reviews.rules``), the write the services'.
``result_view`` turns a stored or computed ``TargetResult`` into what the page and the live
endpoint show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from giamngheo.core.numbers import NumberFormatError, parse_count, parse_points
from giamngheo.core.review.targets import WORK_STATUSES, TargetResult
from giamngheo.core.standards import Indicator, Standard
from giamngheo.core.standards.classify import CLASS_EN, CLASS_VI
from giamngheo.registry.models import CAUSES, Classification, Member

WORK_LABELS: dict[str, tuple[str, str]] = {
    "employed": ("Có việc làm", "employed"),
    "not_employed": ("Không có việc làm", "not employed"),
    "studying": ("Đang đi học", "studying"),
}
assert set(WORK_LABELS) == set(WORK_STATUSES)
FARM_CHOICES = (("", "—"), ("yes", _("Có")), ("no", _("Không")))
#: Classes for which the causes of poverty are asked.
WITH_CAUSES = (Classification.POOR, Classification.NEAR_POOR)


def in_language(message: str, english: bool) -> str:
    """One language of a bilingual ``"vi / en"`` message (the services' and engine's form)."""
    vi, sep, en = str(message).partition(" / ")
    return (en if english else vi) if sep else str(message)


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@dataclass(frozen=True)
class IndicatorRow:
    field: forms.BoundField
    number: int
    indicator: Indicator
    name: str
    threshold: str
    provisional: bool


@dataclass(frozen=True)
class DimensionGroup:
    name: str
    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class MemberRow:
    member: Member
    work: forms.BoundField | None
    change: forms.BoundField | None


class SurveyForm(forms.Form):
    """Phiếu B for ``standard``; ``members`` in the order the engine reads them (by pk)."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        standard: Standard,
        members: Sequence[Member],
        english: bool,
        low_income: bool = True,
        member_changes: bool = True,
        initial: Mapping[str, Any] | None = None,
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial) if initial else None, prefix=prefix)
        self.standard = standard
        self.members = list(members)
        self.english = english
        self.low_income = low_income
        self.with_changes = member_changes
        self._add_fields()

    # -- fields -------------------------------------------------------------------------------
    def _text(self, vi: str, en: str) -> str:
        return en if self.english and en else vi

    def _add_fields(self) -> None:
        f = self.fields
        f["income"] = forms.CharField(
            label=_("Thu nhập bình quân đầu người/tháng (đồng)"),
            required=False,
            max_length=30,
            help_text=_("Ví dụ 1.250.000"),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )
        rule = self.standard.score_rule
        if rule is not None:
            f["income_score"] = forms.CharField(
                label=self._text(
                    f"Điểm {rule.score_name} (thay cho thu nhập, theo {rule.basis})",
                    f"Score {rule.score_name} (instead of the income, {rule.basis})",
                ),
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        for ind in self.standard.indicators:
            f[ind.column] = forms.BooleanField(
                label=self._text(ind.name_vi, ind.name_en),
                help_text=self._text(ind.threshold_vi, ind.threshold_en),
                required=False,
            )
        f["farm"] = forms.ChoiceField(
            label=_("Hộ làm nông, lâm, ngư, diêm nghiệp"), choices=FARM_CHOICES, required=False
        )
        work_choices = [("", "—")] + [(k, self._text(*WORK_LABELS[k])) for k in WORK_STATUSES]
        for m in self.members:
            if self.low_income:
                f[f"work_{m.pk}"] = forms.ChoiceField(
                    label=_("Việc làm"), choices=work_choices, required=False
                )
            if self.with_changes:
                f[f"change_{m.pk}"] = forms.CharField(
                    label=_("Thay đổi"), required=False, max_length=300
                )
        if self.with_changes:
            f["new_member"] = forms.CharField(
                label=_("Thành viên mới (họ tên, năm sinh, quan hệ với chủ hộ)"),
                required=False,
                max_length=300,
            )
        f["causes"] = forms.MultipleChoiceField(
            label=_("Nguyên nhân nghèo"),
            choices=[(k, self._text(vi, en)) for k, (vi, en) in CAUSES.items()],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    # -- cleaning -----------------------------------------------------------------------------
    def clean_income(self) -> int | None:
        raw = str(self.cleaned_data.get("income") or "").strip().replace("đ", "").strip()
        if not raw:
            return None
        marks = (".", ",") if self.english else (",", ".")
        for mark in marks:
            try:
                value = parse_count(raw, mark)  # type: ignore[arg-type]
            except (NumberFormatError, ValueError):
                continue
            if value < 0:
                break
            return value
        raise ValidationError(
            self._text(
                f"Thu nhập phải là số đồng không âm, ví dụ 1.250.000 (không phải «{raw}»)",
                f"The income must be a non-negative number of VND, e.g. 1,250,000 (not '{raw}')",
            ),
            code="income",
        )

    def clean_income_score(self) -> int | float | None:
        raw = str(self.cleaned_data.get("income_score") or "").strip()
        if not raw:
            return None
        try:
            value = parse_points(raw)
        except NumberFormatError:
            rule = self.standard.score_rule
            name = rule.score_name if rule else ""
            raise ValidationError(
                self._text(
                    f"Điểm {name} phải là số không âm (không phải «{raw}»)",
                    f"Score {name} must be a non-negative number (not '{raw}')",
                ),
                code="income_score",
            ) from None
        return int(value) if value == value.to_integral_value() else float(value)

    # -- what was typed, for the engine and the services --------------------------------------
    def inputs(self) -> dict[str, object]:
        """The engine's record (``core.review.targets``); blank values are left out."""
        d = self.cleaned_data
        out: dict[str, object] = {}
        if d.get("income") is not None:
            out["income"] = d["income"]
        if d.get("income_score") is not None:
            out["income_score"] = d["income_score"]
        for ind in self.standard.indicators:
            out[ind.column] = int(bool(d.get(ind.column)))
        if d.get("farm") in ("yes", "no"):
            out["farm"] = d["farm"] == "yes"
        if self.low_income:
            work = {str(m.pk): d.get(f"work_{m.pk}") for m in self.members}
            out["work_status"] = {k: v for k, v in work.items() if v}
        return out

    def causes(self) -> list[str]:
        return list(self.cleaned_data.get("causes") or [])

    def member_changes(self) -> list[dict[str, object]]:
        if not self.with_changes:
            return []
        d = self.cleaned_data
        out: list[dict[str, object]] = [
            {"member": m.pk, "change": d[f"change_{m.pk}"].strip()}
            for m in self.members
            if (d.get(f"change_{m.pk}") or "").strip()
        ]
        if (d.get("new_member") or "").strip():
            out.append({"member": None, "change": d["new_member"].strip()})
        return out

    @staticmethod
    def initial_from(
        inputs: Mapping[str, Any],
        causes: Sequence[str] = (),
        changes: Sequence[Mapping[str, Any]] = (),
        *,
        english: bool = False,
    ) -> dict[str, Any]:
        """The form's initial values from a saved survey (a draft reloads as it was)."""
        out: dict[str, Any] = {}
        for key, value in inputs.items():
            if key == "income" and value is not None:
                out["income"] = decimal_text(int(value), english)
            elif key == "income_score" and value is not None:
                out["income_score"] = str(value) if english else str(value).replace(".", ",")
            elif key.startswith("dep_"):
                out[key] = bool(value)
            elif key == "farm" and isinstance(value, bool):
                out["farm"] = "yes" if value else "no"
            elif key == "work_status" and isinstance(value, Mapping):
                out.update({f"work_{pk}": status for pk, status in value.items()})
        out["causes"] = list(causes)
        for ch in changes:
            name = "new_member" if ch.get("member") is None else f"change_{ch['member']}"
            out[name] = ch.get("change", "")
        return out

    # -- errors from the engine or the services ----------------------------------------------
    def add_errors(self, error: ValidationError) -> None:
        """The engine's / services' bilingual errors at their fields, in the page's language."""
        if not hasattr(error, "error_dict"):
            for m in _messages(error):
                self.add_error(None, in_language(m, self.english))
            return
        for field, errors in error.error_dict.items():
            name = self._field_name(field)
            for e in errors:
                for m in _messages(e):
                    self.add_error(name, in_language(m, self.english))

    def _field_name(self, field: str) -> str | None:
        if field in self.fields:
            return field
        if field.startswith("members[") and field.endswith("].work_status"):
            n = int(field[len("members[") : field.index("]")])
            if 0 <= n < len(self.members) and f"work_{self.members[n].pk}" in self.fields:
                return f"work_{self.members[n].pk}"
        return None

    def error_map(self) -> dict[str, list[str]]:
        return {k: [str(m) for m in v] for k, v in self.errors.items()}

    # -- layout helpers for the template ------------------------------------------------------
    def dimension_groups(self) -> list[DimensionGroup]:
        number = {ind.key: n for n, ind in enumerate(self.standard.indicators, 1)}
        return [
            DimensionGroup(
                self._text(dim.name_vi, dim.name_en),
                tuple(
                    IndicatorRow(
                        self[ind.column],
                        number[ind.key],
                        ind,
                        self._text(ind.name_vi, ind.name_en),
                        self._text(ind.threshold_vi, ind.threshold_en),
                        ind.provisional,
                    )
                    for ind in dim.indicators
                ),
            )
            for dim in self.standard.dimensions
        ]

    def member_rows(self) -> list[MemberRow]:
        return [
            MemberRow(
                m,
                self[f"work_{m.pk}"] if self.low_income else None,
                self[f"change_{m.pk}"] if self.with_changes else None,
            )
            for m in self.members
        ]

    @property
    def score_field(self) -> forms.BoundField | None:
        return self["income_score"] if "income_score" in self.fields else None

    @property
    def new_member_field(self) -> forms.BoundField | None:
        return self["new_member"] if "new_member" in self.fields else None

    @property
    def with_members(self) -> bool:
        return self.low_income or self.with_changes

    @property
    def standard_name(self) -> str:
        return self._text(self.standard.name_vi, self.standard.name_en)

    @property
    def income_line_text(self) -> str:
        """The standard's income lines, as a reminder beside the income field."""
        parts = []
        for area, lines in self.standard.lines.items():
            area_text = self._text("nông thôn" if area == "rural" else "thành thị", str(area))
            near = decimal_text(lines.near_poverty, self.english)
            if lines.poverty != lines.near_poverty:
                poor = decimal_text(lines.poverty, self.english)
                near = self._text(
                    f"nghèo ≤ {poor}, cận nghèo ≤ {near}", f"poor ≤ {poor}, near-poor ≤ {near}"
                )
            else:
                near = f"≤ {near}"
            parts.append(f"{area_text}: {near}")
        return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# What the page shows of a result
# ---------------------------------------------------------------------------------------------
def _class_label(cls: str, english: bool) -> str:
    if cls in CLASS_VI:
        text = CLASS_EN[cls] if english else CLASS_VI[cls]
        return text[:1].upper() + text[1:]
    return cls


def result_view(
    data: Mapping[str, Any] | None, members: Sequence[Member], english: bool
) -> dict[str, Any] | None:
    """A stored ``TargetResult.to_json()`` as the page's and the JSON endpoint's fields."""
    if not data:
        return None
    try:
        res = TargetResult.from_json(data)
    except ValueError:
        return None
    n = res.national
    local = ""
    if res.local is not None:
        local = (
            f"{res.local.standard}: {_class_label(res.local.classification, True)}"
            if english
            else f"{res.local.standard}: {_class_label(res.local.classification, False)}"
        )
    medium = {
        True: ("Có", "Yes"),
        False: ("Không", "No"),
        None: ("Chưa xác định được", "Cannot be decided"),
    }[res.medium_farm]
    names = [members[i].full_name for i in res.low_income_members if 0 <= i < len(members)]
    notes = list(n.notes_en if english else n.notes_vi) + list(
        res.notes_en if english else res.notes_vi
    )
    disagreement = n.disagreement_en if english else n.disagreement_vi
    return {
        "classification": n.classification,
        "label": _class_label(n.classification, english),
        "explanation": n.explanation_en if english else n.explanation_vi,
        "disagreement": disagreement,
        "deprivation_count": n.deprivation_count,
        "local": local,
        "medium_farm": medium[1] if english else medium[0],
        "low_income_members": names,
        "low_income_rule": res.low_income_rule or "",
        "notes": notes,
        "show_causes": n.classification in WITH_CAUSES,
    }


def decimal_text(value: Decimal | int, english: bool) -> str:
    text = f"{value:,}"
    return text if english else text.replace(",", ".")
