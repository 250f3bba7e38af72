"""The forms of the credit and housing pages: a loan file's upload, a house for a household,
a house's next step. Money is typed as officers type it ("25.000.000") and read with
``core.support.money.parse_vnd``; dates are typed dd/mm/yyyy or picked."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from giamngheo.core.support.money import MoneyError, parse_vnd
from giamngheo.geo.models import AdminUnit
from giamngheo.support.models import HousingBasis, HousingKind, HousingStatus
from giamngheo.support.views.common import english

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
#: The bases a house may be recorded under (those with a rule and limits in the data).
BASES = (HousingBasis.QD33_2015, HousingBasis.P5_2022)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MoneyField(forms.CharField):
    """Whole đồng typed the Vietnamese way; the cleaned value is an ``int``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "placeholder": "25.000.000"})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in (None, ""):
            return 0
        try:
            return parse_vnd(text)
        except MoneyError as exc:
            raise forms.ValidationError(exc.message_en if english() else exc.message_vi) from exc


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        unit: AdminUnit = obj
        return f"{unit.name} ({unit.code})" if unit.code else unit.name


class LoanUploadForm(forms.Form):
    scope = UnitChoiceField(label=_("Đơn vị"), queryset=AdminUnit.objects.none())
    file = forms.FileField(label=_("Tệp dư nợ (.xlsx, .ods, .csv)"))
    as_of = date_field(_("Ngày số liệu"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope: UnitChoiceField = self.fields["scope"]  # type: ignore[assignment]
        scope.queryset = units
        self.fields["as_of"].help_text = _(
            "Để trống nếu tệp có dòng «Ngày số liệu: dd/mm/yyyy» ở phần tiêu đề."
        )


class HousingForm(forms.Form):
    commune = UnitChoiceField(label=_("Xã"), queryset=AdminUnit.objects.none())
    code = forms.CharField(label=_("Mã hộ"), max_length=32)
    basis = forms.ChoiceField(label=_("Căn cứ"), choices=[])
    kind = forms.ChoiceField(label=_("Hình thức"), choices=HousingKind.choices)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    on = date_field(_("Ngày hỗ trợ"))
    grant_amount = MoneyField(label=_("Hỗ trợ từ ngân sách (đồng)"), required=False)
    loan_amount = MoneyField(label=_("Vay NHCSXH (đồng)"), required=False)
    justification = forms.CharField(
        label=_("Lý do chấp nhận (nếu quy định cho phép)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, communes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commune: UnitChoiceField = self.fields["commune"]  # type: ignore[assignment]
        commune.queryset = communes
        basis: forms.ChoiceField = self.fields["basis"]  # type: ignore[assignment]
        basis.choices = [(b.value, b.label) for b in BASES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, on = data.get("year"), data.get("on")
        if isinstance(year, int) and isinstance(on, date) and on.year != year:
            self.add_error("on", _("Ngày hỗ trợ phải thuộc năm đã chọn."))
        return data


class HousingStepForm(forms.Form):
    status = forms.ChoiceField(label=_("Bước"), choices=[])
    on = date_field(_("Ngày"))
    note = forms.CharField(
        label=_("Ghi chú (bắt buộc khi hủy)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, steps: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status.choices = [(s, HousingStatus(s).label) for s in steps]
