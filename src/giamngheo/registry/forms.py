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
from giamngheo.registry.models import (
    MEMBER_DATA_FIELDS,
    POLICY_FLAGS,
    Classification,
    EntryReason,
    Household,
    HouseholdStatus,
    Member,
    Relationship,
    ReviewKind,
    Sex,
)

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


# ---------------------------------------------------------------------------------------------
# Households and members fixed by hand (``registry.editing``)
# ---------------------------------------------------------------------------------------------
def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def villages_of(communes: AdminUnitQuerySet) -> AdminUnitQuerySet:
    return AdminUnit.objects.filter(level=Level.VILLAGE, parent__in=communes).order_by(
        "name_key", "pk"
    )


class _FlagsMixin:
    """The policy-group flags as check boxes, labelled in the page's language."""

    fields: dict[str, forms.Field]

    def add_flags(self) -> None:
        en = _english()
        for key, (vi, en_label) in POLICY_FLAGS.items():
            self.fields[key] = forms.BooleanField(label=en_label if en else vi, required=False)

    def flags(self, data: dict[str, Any]) -> dict[str, bool]:
        return {key: bool(data.get(key)) for key in POLICY_FLAGS}


class HouseholdCreateForm(_FlagsMixin, forms.Form):
    commune = UnitChoiceField(label=_("Xã"), queryset=AdminUnit.objects.none())
    village = UnitChoiceField(label=_("Thôn"), queryset=AdminUnit.objects.none(), required=False)
    code = forms.CharField(label=_("Mã hộ"), max_length=32)
    head_name = forms.CharField(label=_("Họ tên chủ hộ"), max_length=200)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    ethnic_minority = forms.BooleanField(label=_("Hộ dân tộc thiểu số"), required=False)
    entry_reason = forms.ChoiceField(
        label=_("Lý do vào sổ"), choices=EntryReason.choices, required=False
    )
    entry_date = _date_field(_("Ngày vào sổ"), required=False)
    came_from = forms.CharField(
        label=_("Mã hộ gốc (khi tách hộ, cùng xã)"), max_length=32, required=False
    )

    def __init__(self, *args: Any, communes: AdminUnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages_of(communes)  # type: ignore[attr-defined]
        self.add_flags()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        commune, village = data.get("commune"), data.get("village")
        if commune is not None and village is not None and village.parent_id != commune.pk:
            self.add_error(
                "village", bilingual("Thôn không thuộc xã đã chọn", "The village is not in it")
            )
        reason, date = data.get("entry_reason") or "", data.get("entry_date")
        if reason and date is None:
            self.add_error("entry_date", bilingual("Cần ngày vào sổ", "An entry date is needed"))
        if date is not None and not reason:
            self.add_error(
                "entry_reason",
                bilingual("Có ngày vào sổ thì cần lý do", "An entry date needs a reason"),
            )
        code = (data.get("came_from") or "").strip()
        data["came_from"] = None
        if code and commune is not None:
            data["came_from"] = Household.objects.filter(commune=commune, code=code).first()
            if data["came_from"] is None:
                self.add_error("came_from", _no_household(code, commune))
        return data


def _no_household(code: str, commune: AdminUnit) -> str:
    return bilingual(
        f"Không có hộ mã {code} ở {commune.name}", f"No household {code} in {commune.name}"
    )


class HouseholdEditForm(_FlagsMixin, forms.Form):
    head_name = forms.CharField(label=_("Họ tên chủ hộ"), max_length=200)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    village = UnitChoiceField(label=_("Thôn"), queryset=AdminUnit.objects.none(), required=False)
    ethnic_minority = forms.BooleanField(label=_("Hộ dân tộc thiểu số"), required=False)

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        initial = {f: getattr(household, f) for f in ("head_name", "address", "ethnic_minority")}
        initial |= {k: getattr(household, k) for k in POLICY_FLAGS}
        initial["village"] = household.village_id
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            level=Level.VILLAGE, parent_id=household.commune_id
        ).order_by("name_key", "pk")
        self.add_flags()

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        keep = ("head_name", "address", "village", "ethnic_minority")
        return {k: data[k] for k in keep} | self.flags(data)


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Họ tên"), max_length=200)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices)
    relationship = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=Relationship.choices)
    birth_date = _date_field(_("Ngày sinh"), required=False)
    birth_year = forms.IntegerField(
        label=_("Năm sinh (khi không rõ ngày)"), required=False, min_value=1850, max_value=2100
    )
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=50, required=False)
    national_id = forms.CharField(label=_("Số định danh cá nhân"), max_length=20, required=False)
    health_insurance = forms.BooleanField(label=_("Có bảo hiểm y tế"), required=False)
    in_school = forms.BooleanField(label=_("Đang đi học"), required=False)
    disability = forms.BooleanField(label=_("Khuyết tật"), required=False)

    def __init__(self, *args: Any, member: Member | None = None, **kwargs: Any) -> None:
        if member is not None:
            kwargs["initial"] = {
                f: getattr(member, f) for f in MEMBER_DATA_FIELDS if f != "national_id"
            }
        super().__init__(*args, **kwargs)
        if member is not None:
            # The number is never sent back to the page: an empty field keeps it.
            self.fields["national_id"].help_text = _(
                "Để trống để giữ số đã ghi; nhập số mới để thay."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_birth = data.get("birth_date") is None and data.get("birth_year") is None
        if no_birth and "birth_year" not in self.errors:
            self.add_error(
                "birth_year",
                bilingual("Cần ngày sinh hoặc năm sinh", "A birth date or year is needed"),
            )
        return data

    def values(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in MEMBER_DATA_FIELDS}
        data["national_id"] = (data["national_id"] or "").strip()
        if data["birth_date"] is not None:
            data["birth_year"] = data["birth_date"].year
        return data


class SplitForm(forms.Form):
    code = forms.CharField(label=_("Mã hộ mới"), max_length=32)
    head_name = forms.CharField(label=_("Họ tên chủ hộ mới"), max_length=200)
    entry_date = _date_field(_("Ngày tách hộ"))
    village = UnitChoiceField(label=_("Thôn"), queryset=AdminUnit.objects.none(), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    members = forms.TypedMultipleChoiceField(
        label=_("Thành viên chuyển sang hộ mới"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        kwargs["initial"] = {"village": household.village_id}
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            level=Level.VILLAGE, parent_id=household.commune_id
        ).order_by("name_key", "pk")
        self.fields["members"].choices = [  # type: ignore[attr-defined]
            (m.pk, m.full_name) for m in household.members.order_by("pk")
        ]


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Mã hộ nhập vào (cùng xã)"), max_length=32)
    on_date = _date_field(_("Ngày nhập hộ"))

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household

    def clean_into(self) -> Household:
        code = self.cleaned_data["into"].strip()
        commune = self.household.commune
        into = Household.objects.filter(commune=commune, code=code).first()
        if into is None:
            raise forms.ValidationError(_no_household(code, commune))
        if into.pk == self.household.pk:
            raise forms.ValidationError(
                bilingual("Hộ không thể nhập vào chính nó", "A household cannot merge into itself")
            )
        return into


class MoveVillageForm(forms.Form):
    village = UnitChoiceField(label=_("Thôn chuyển đến"), queryset=AdminUnit.objects.none())

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = AdminUnit.objects.filter(level=Level.VILLAGE, parent_id=household.commune_id)
        if household.village_id is not None:
            villages = villages.exclude(pk=household.village_id)
        self.fields["village"].queryset = villages.order_by("name_key", "pk")  # type: ignore[attr-defined]


class MoveAwayForm(forms.Form):
    to_commune = UnitChoiceField(label=_("Xã chuyển đến"), queryset=AdminUnit.objects.none())
    village = UnitChoiceField(label=_("Thôn"), queryset=AdminUnit.objects.none(), required=False)
    code = forms.CharField(label=_("Mã hộ ở xã chuyển đến"), max_length=32)
    address = forms.CharField(label=_("Địa chỉ mới"), max_length=300, required=False)
    on_date = _date_field(_("Ngày chuyển đi"))

    def __init__(
        self, *args: Any, household: Household, communes: AdminUnitQuerySet, **kwargs: Any
    ) -> None:
        kwargs["initial"] = {"code": household.code}
        super().__init__(*args, **kwargs)
        others = communes.exclude(pk=household.commune_id)
        self.fields["to_commune"].queryset = others  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages_of(others)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        commune, village = data.get("to_commune"), data.get("village")
        if commune is not None and village is not None and village.parent_id != commune.pk:
            self.add_error(
                "village", bilingual("Thôn không thuộc xã đã chọn", "The village is not in it")
            )
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=HouseholdStatus.choices)
    on_date = _date_field(_("Ngày thay đổi tình trạng"))

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        kwargs["initial"] = {"status": household.status}
        super().__init__(*args, **kwargs)
