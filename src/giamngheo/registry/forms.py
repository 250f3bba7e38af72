"""Forms of the registry pages. Choices of units are limited to what the user may see (the
list's filters) or change (uploads, templates); every error message is bilingual."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from giamngheo.core.standards import UnknownStandard, standard_for
from giamngheo.geo.models import AdminUnit, AdminUnitQuerySet, Level
from giamngheo.registry.imports import UPLOAD_SUFFIXES, unsupported_format_message
from giamngheo.registry.models import POLICY_FLAGS, Classification, HouseholdStatus, ReviewKind

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def bilingual(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


class UnitChoiceField(forms.ModelChoiceField[AdminUnit]):
    def label_from_instance(self, obj: AdminUnit) -> str:
        ended = f" (→ {obj.valid_to:%d/%m/%Y})" if obj.valid_to else ""
        return f"{obj.name}{ended}"


def indicator_choices(year: int | None) -> list[tuple[str, str]]:
    """The deprivation indicators of the standard used by ``year``'s periodic review."""
    if year is None:
        return []
    try:
        std = standard_for(year, "periodic")
    except (UnknownStandard, ValueError):
        return []
    en = _english()
    return [(ind.key, ind.name_en if en else ind.name_vi) for ind in std.indicators]


class HouseholdFilterForm(forms.Form):
    """The list's filters (GET). Invalid values are dropped, not fatal."""

    q = forms.CharField(label=_("Tìm tên chủ hộ hoặc mã hộ"), required=False, max_length=100)
    commune = UnitChoiceField(
        label=_("Xã"), queryset=AdminUnit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    village = UnitChoiceField(
        label=_("Thôn"), queryset=AdminUnit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    year = forms.TypedChoiceField(
        label=_("Năm rà soát"), coerce=int, required=False, empty_value=None
    )
    classification = forms.ChoiceField(label=_("Phân loại"), required=False)
    deprivation = forms.ChoiceField(label=_("Thiếu hụt chỉ số"), required=False)
    flag = forms.ChoiceField(label=_("Nhóm chính sách"), required=False)
    status = forms.ChoiceField(label=_("Tình trạng"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        communes: AdminUnitQuerySet,
        villages: AdminUnitQuerySet,
        years: list[int],
        year: int | None,
    ) -> None:
        super().__init__(data)
        all_ = [("", _("Tất cả"))]
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, str(y)) for y in reversed(years)]  # type: ignore[attr-defined]
        self.fields["classification"].choices = all_ + list(Classification.choices)  # type: ignore[attr-defined]
        self.fields["deprivation"].choices = all_ + indicator_choices(year)  # type: ignore[attr-defined]
        en = _english()
        self.fields["flag"].choices = all_ + [  # type: ignore[attr-defined]
            (k, en_label if en else vi) for k, (vi, en_label) in POLICY_FLAGS.items()
        ]
        self.fields["status"].choices = all_ + list(HouseholdStatus.choices)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters (a field with an invalid value counts as empty)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors}


def manageable_communes(units: AdminUnitQuerySet) -> AdminUnitQuerySet:
    return units.filter(level=Level.COMMUNE).order_by("name_key", "pk")


def _year_choices() -> list[tuple[int, str]]:
    this = dt.date.today().year
    return [(y, str(y)) for y in range(this, 2015, -1)]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp rà soát (.xlsx, .ods hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    commune = UnitChoiceField(label=_("Xã"), queryset=AdminUnit.objects.none())
    year = forms.TypedChoiceField(label=_("Năm rà soát"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Loại rà soát"), choices=ReviewKind.choices, initial=ReviewKind.PERIODIC
    )

    def __init__(self, *args: Any, communes: AdminUnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]
        self.fields["year"].initial = dt.date.today().year - 1

    def clean_file(self) -> UploadedFile:
        f: UploadedFile = self.cleaned_data["file"]
        suffix = Path(f.name or "").suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(bilingual(*unsupported_format_message(suffix)))
        if (f.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(bilingual("Tệp quá lớn", "The file is too large"))
        return f

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, kind = data.get("year"), data.get("kind")
        if year is not None and kind:
            try:
                standard_for(year, "adhoc" if kind == ReviewKind.ADHOC else "periodic")
            except (UnknownStandard, ValueError) as exc:
                self.add_error("year", str(exc))
        return data


class TemplateForm(forms.Form):
    """The pre-filled template: a commune and the review year (filled with year − 1)."""

    commune = UnitChoiceField(label=_("Xã"), queryset=AdminUnit.objects.none())
    year = forms.TypedChoiceField(label=_("Năm rà soát"), coerce=int)

    def __init__(self, *args: Any, communes: AdminUnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]
        self.fields["year"].initial = dt.date.today().year - 1
