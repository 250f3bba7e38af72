"""Forms of the plan pages. ``clean`` returns domain values (ints, Decimals, units); every
error message is bilingual ("Vietnamese / English")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from giamngheo.core.numbers import NumberFormatError, decimal_places, parse_count, parse_points
from giamngheo.geo.models import AdminUnit, AdminUnitQuerySet, Level
from giamngheo.geo.services import UnitNameError, match_unit
from giamngheo.plans.selectors import communes_under, plan_exists
from giamngheo.plans.services import CommuneObjectiveInput

_OBJECTIVE_LINE = re.compile(
    r"^(?P<name>.+?)\s*[=:]\s*(?P<lo>[\d.,]+)\s*(?:[-–]\s*(?P<hi>[\d.,]+))?\s*$"
)


def bilingual(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def _decimal_mark() -> str:
    return "." if (get_language() or "vi").startswith("en") else ","


class CountField(forms.CharField):
    """A whole, non-negative number of households typed the Vietnamese way ("4.807") or
    plain ("4807"); in English "4,807"."""

    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 7}))
        super().__init__(required=required, **kwargs)
        self.error_messages["required"] = bilingual("Cần nhập số", "A number is required")

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            number = parse_count(str(text), "." if _decimal_mark() == "." else ",")
        except NumberFormatError as exc:
            raise forms.ValidationError(bilingual(exc.message_vi, exc.message_en)) from exc
        if number < 0:
            raise forms.ValidationError(
                bilingual("Số hộ không được âm", "A number of households cannot be negative")
            )
        return number


def _points(text: str) -> Decimal:
    """Percentage points as stored: at most two decimals, at most 100."""
    points = parse_points(text)
    if decimal_places(points) > 2 or points > 100:
        raise NumberFormatError(
            f"«{text.strip()}»: điểm % từ 0 đến 100, tối đa hai chữ số thập phân",
            f"'{text.strip()}': points from 0 to 100, at most two decimals",
        )
    return points


class PointsField(forms.CharField):
    """Percentage points: "1,2" or "1.2"."""

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            return _points(str(text))
        except NumberFormatError as exc:
            raise forms.ValidationError(bilingual(exc.message_vi, exc.message_en)) from exc


class PlanCreateForm(forms.Form):
    issuing_unit = forms.ModelChoiceField(
        queryset=AdminUnit.objects.none(), label=_("Đơn vị ban hành")
    )
    year = forms.IntegerField(label=_("Năm kế hoạch"), min_value=2000, max_value=2100)
    document_number = forms.CharField(
        label=_("Số kế hoạch"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "252/KH-UBND"}),
    )
    document_date = forms.DateField(
        label=_("Ngày ban hành"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    title = forms.CharField(
        label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    baseline_year = forms.IntegerField(
        label=_("Năm gốc (số liệu cuối năm)"), min_value=2000, max_value=2100
    )
    min_reduction_points = PointsField(
        label=_("Tỷ lệ hộ nghèo giảm tối thiểu (điểm %/năm)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1,2", "inputmode": "decimal"}),
    )
    strict = forms.BooleanField(label=_("Giảm «trên» mức này (không tính bằng)"), required=False)
    commune_objectives = forms.CharField(
        label=_("Chỉ tiêu riêng của xã (mỗi dòng: tên = từ-đến điểm %)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Đăk Ang = 7-8"}),
    )

    def __init__(self, *args: Any, units: AdminUnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issuing_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units.exclude(level=Level.VILLAGE).order_by("level", "code", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, baseline = data.get("year"), data.get("baseline_year")
        if year is not None and baseline is not None and baseline > year:
            self.add_error(
                "baseline_year",
                bilingual(
                    "Năm gốc không được sau năm kế hoạch",
                    "The baseline year cannot be after the plan year",
                ),
            )
        unit: AdminUnit | None = data.get("issuing_unit")
        on: dt.date | None = data.get("document_date")
        document_number: str = data.get("document_number") or ""
        if (
            unit is not None
            and on is not None
            and document_number
            and plan_exists(issuing_unit=unit, document_number=document_number, document_date=on)
        ):
            self.add_error(
                "document_number",
                bilingual(
                    "Đơn vị đã có kế hoạch số này, cùng ngày",
                    "The unit already has a plan with this number and date",
                ),
            )
        text: str = data.get("commune_objectives") or ""
        objectives: list[CommuneObjectiveInput] = []
        if unit is not None and on is not None:
            among = communes_under(unit=unit, on=on)
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                parsed = self._objective(line, number, among, on)
                if parsed is not None:
                    objectives.append(parsed)
        data["commune_objectives"] = objectives
        return data

    def _objective(
        self, line: str, number: int, among: AdminUnitQuerySet, on: dt.date
    ) -> CommuneObjectiveInput | None:
        match = _OBJECTIVE_LINE.match(line.strip())
        if match is None:
            self.add_error(
                "commune_objectives",
                bilingual(
                    f"Dòng {number}: cần dạng «tên = từ-đến», ví dụ «Đăk Ang = 7-8»",
                    f"Line {number}: expected 'name = min-max', e.g. 'Đăk Ang = 7-8'",
                ),
            )
            return None
        try:
            unit = match_unit(match["name"], among, on)
            lo = _points(match["lo"])
            hi = _points(match["hi"]) if match["hi"] else None
        except UnitNameError as exc:
            self.add_error(
                "commune_objectives",
                bilingual(f"Dòng {number}: {exc.message_vi}", f"Line {number}: {exc.message_en}"),
            )
            return None
        except NumberFormatError as exc:
            self.add_error(
                "commune_objectives",
                bilingual(f"Dòng {number}: {exc.message_vi}", f"Line {number}: {exc.message_en}"),
            )
            return None
        if hi is not None and hi < lo:
            self.add_error(
                "commune_objectives",
                bilingual(f"Dòng {number}: «đến» nhỏ hơn «từ»", f"Line {number}: max below min"),
            )
            return None
        return CommuneObjectiveInput(unit=unit, min_points=lo, max_points=hi)


class RowForm(forms.Form):
    """Columns 1, 2, 3, 5 of one commune's row."""

    row = forms.IntegerField(widget=forms.HiddenInput)
    households = CountField(label=_("Tổng số hộ (1)"))
    ethnic_minority = CountField(label=_("Hộ DTTS (2)"))
    poor = CountField(label=_("Số hộ nghèo (3)"))
    reduction = CountField(label=_("Số hộ giảm tối thiểu (5)"), required=False)


RowFormSet = forms.formset_factory(RowForm, extra=0, can_delete=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp bảng chỉ tiêu (.xlsx, .csv, .txt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt,.tsv"}),
    )
    text = forms.CharField(
        label=_("Hoặc dán bảng chép từ Word/PDF (các cột cách nhau bằng Tab)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload: UploadedFile | None = data.get("file")
        text: str = data.get("text") or ""
        if upload is None and not text.strip():
            raise forms.ValidationError(
                bilingual("Chọn một tệp hoặc dán bảng", "Choose a file or paste the table")
            )
        if upload is not None and text.strip():
            raise forms.ValidationError(
                bilingual(
                    "Chỉ chọn tệp hoặc dán bảng, không cả hai",
                    "Choose a file or paste the table, not both",
                )
            )
        return data


class ProposeForm(forms.Form):
    keep = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, rows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["keep"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = rows
