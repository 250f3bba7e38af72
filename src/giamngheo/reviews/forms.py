"""The forms of the campaign and commune pages: each reads and cleans what one service call
needs (the services check rights and the step's order again). Households are picked by code
inside the commune; dates are typed dd/mm/yyyy or picked (ISO from the date input)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giamngheo.core.review._files import DATA_DIR
from giamngheo.core.review.screening import load_phieu_a
from giamngheo.core.standards.registry import national_standards, standard_for
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Household
from giamngheo.reviews.models import STEP_KEYS, CampaignStep, ComplaintOutcome, ListEntry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, input_formats=DATE_FORMATS)


def _text(label: Any, *, required: bool = True, max_length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


def parse_dates(text: str) -> list[dt.date]:
    """Dates separated by commas, semicolons, spaces or lines (dd/mm/yyyy or yyyy-mm-dd)."""
    out = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        for fmt in DATE_FORMATS:
            try:
                out.append(dt.datetime.strptime(part, fmt).date())
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(
                _("Ngày không hợp lệ: %(value)s (dạng dd/mm/yyyy)"), params={"value": part}
            )
    return sorted(set(out))


def format_dates(values: Iterable[str]) -> str:
    return ", ".join(dt.date.fromisoformat(v).strftime("%d/%m/%Y") for v in values)


class DatesField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "cols": 40}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dt.date]:  # type: ignore[override]
        return parse_dates(str(value or ""))


def local_standard_choices() -> list[tuple[str, Any]]:
    """The local standards shipped as data (``core/review/data/local-*.json``)."""
    return [("", _("Không áp dụng"))] + [
        (p.name, p.stem.removeprefix("local-")) for p in sorted(DATA_DIR.glob("local-*.json"))
    ]


def standard_help(years: Sequence[int]) -> str:
    return ", ".join(f"{y}: {standard_for(y, 'periodic').id}" for y in years)


# ---------------------------------------------------------------------------------------------
# Campaigns
# ---------------------------------------------------------------------------------------------
class CampaignOpenForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Đơn vị"))
    year = forms.IntegerField(label=_("Năm rà soát"), min_value=2016, max_value=2100)
    name = _text(_("Tên đợt (để trống: tự đặt)"), required=False)
    standard_id = forms.ChoiceField(label=_("Chuẩn nghèo"), required=False)
    local_standard = forms.ChoiceField(label=_("Chuẩn nghèo địa phương"), required=False)
    window_start = date_field(_("Bắt đầu (để trống: theo quy định)"), required=False)
    window_end = date_field(_("Kết thúc (để trống: theo quy định)"), required=False)
    days_off = DatesField(label=_("Ngày nghỉ thêm"))
    working_days = DatesField(label=_("Ngày làm bù"))

    def __init__(self, *args: Any, units: QuerySet[AdminUnit], year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        if units.count() == 1:
            self.initial.setdefault("unit", units.first())
        self.initial.setdefault("year", year)
        std = self.fields["standard_id"]
        assert isinstance(std, forms.ChoiceField)
        std.choices = [("", _("Theo năm rà soát"))] + [
            (s.id, f"{s.id} — {s.name_vi}") for s in national_standards()
        ]
        std.help_text = standard_help(range(year - 1, year + 2))
        local = self.fields["local_standard"]
        assert isinstance(local, forms.ChoiceField)
        local.choices = local_standard_choices()
        for key in STEP_KEYS:
            self.fields[f"due_{key}"] = date_field(key, required=False)

    def overrides(self) -> dict[str, dt.date]:
        d = self.cleaned_data
        return {k: d[f"due_{k}"] for k in STEP_KEYS if d.get(f"due_{k}")}

    def window(self) -> tuple[dt.date, dt.date] | None:
        start, end = self.cleaned_data.get("window_start"), self.cleaned_data.get("window_end")
        return (start, end) if start and end else None

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if bool(d.get("window_start")) != bool(d.get("window_end")):
            raise forms.ValidationError(
                _("Nhập cả ngày bắt đầu và ngày kết thúc, hoặc bỏ trống cả hai.")
            )
        return d


class DueForm(forms.Form):
    """One date per step, shown with the current due dates; only changed ones are sent."""

    def __init__(self, *args: Any, steps: Sequence[CampaignStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = {s.key: s.due for s in steps}
        for s in steps:
            self.fields[f"due_{s.key}"] = date_field(s.key)
            self.initial.setdefault(f"due_{s.key}", s.due)

    def overrides(self) -> dict[str, dt.date]:
        d = self.cleaned_data
        return {
            k: d[f"due_{k}"]
            for k in self.current
            if d.get(f"due_{k}") and d[f"due_{k}"] != self.current[k]
        }


class CalendarForm(forms.Form):
    days_off = DatesField(label=_("Ngày nghỉ thêm"))
    working_days = DatesField(label=_("Ngày làm bù"))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến trả lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở khóa"), max_length=500)


# ---------------------------------------------------------------------------------------------
# A commune's steps
# ---------------------------------------------------------------------------------------------
class HouseholdCodeMixin(forms.Form):
    """A household of the commune, picked by its code."""

    commune: AdminUnit

    def clean_code(self) -> Household:
        code = str(self.cleaned_data["code"]).strip()
        hh = Household.objects.filter(commune=self.commune, code__iexact=code).first()
        if hh is None:
            raise forms.ValidationError(
                _("Không có hộ mã %(code)s trong xã"), params={"code": code}
            )
        return hh


class ApplicantForm(HouseholdCodeMixin):
    code = _text(_("Mã hộ"), max_length=32)
    received = date_field(_("Ngày nhận giấy đề nghị"))

    def __init__(self, *args: Any, commune: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune
        self.phieu_a = load_phieu_a()
        for q in self.phieu_a.questions:
            self.fields[f"q_{q.key}"] = forms.TypedChoiceField(
                label=q.text_vi,
                choices=[("1", _("Có")), ("0", _("Không"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, bool]:
        return {q.key: bool(self.cleaned_data[f"q_{q.key}"]) for q in self.phieu_a.questions}

    def question_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(q, self[f"q_{q.key}"]) for q in self.phieu_a.questions]


class AddForm(HouseholdCodeMixin):
    code = _text(_("Mã hộ"), max_length=32)
    reason = _text(_("Lý do bổ sung"), max_length=300)

    def __init__(self, *args: Any, commune: AdminUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AssignForm(forms.Form):
    reviewer = PersonField(
        queryset=get_user_model().objects.none(),
        label=_("Rà soát viên"),
        required=False,
        empty_label="—",
        help_text=_("Để trống: bỏ phân công"),
    )
    village = forms.ModelChoiceField(
        queryset=AdminUnit.objects.none(), label=_("Cả thôn"), required=False
    )
    codes = _text(_("Hoặc các mã hộ (cách nhau bởi dấu phẩy)"), required=False, max_length=4000)

    def __init__(
        self,
        *args: Any,
        reviewers: QuerySet[Any],
        villages: QuerySet[AdminUnit],
        entries: QuerySet[ListEntry],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        reviewer = self.fields["reviewer"]
        village = self.fields["village"]
        assert isinstance(reviewer, forms.ModelChoiceField)
        assert isinstance(village, forms.ModelChoiceField)
        reviewer.queryset = reviewers
        village.queryset = villages

    def clean_codes(self) -> list[ListEntry]:
        codes = [c.strip() for c in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if c.strip()]
        found = {e.household.code.upper(): e for e in self.entries.select_related("household")}
        missing = [c for c in codes if c.upper() not in found]
        if missing:
            raise forms.ValidationError(
                _("Không có trong danh sách rà soát: %(codes)s"),
                params={"codes": ", ".join(missing)},
            )
        return [found[c.upper()] for c in codes]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if not d.get("village") and not d.get("codes") and not self.errors:
            raise forms.ValidationError(_("Chọn một thôn hoặc nhập mã hộ."))
        return d


KEY_ROLES = (
    ("head", _("Trưởng thôn")),
    ("party", _("Bí thư chi bộ")),
    ("front", _("Trưởng ban công tác Mặt trận")),
)


class MeetingForm(forms.Form):
    village = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), widget=forms.HiddenInput)
    held_at = forms.DateTimeField(
        label=_("Thời gian họp"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    venue = _text(_("Địa điểm"), required=False)
    chair = _text(_("Chủ trì"))
    secretary = _text(_("Thư ký"))
    attendees = forms.IntegerField(label=_("Số người dự"), min_value=1)
    agreement = forms.IntegerField(label=_("Số người đồng ý"), min_value=0)
    head = _text(KEY_ROLES[0][1])
    party = _text(KEY_ROLES[1][1])
    front = _text(KEY_ROLES[2][1])
    other_role = _text(_("Thành phần khác: chức vụ"), required=False)
    other_name = _text(_("họ tên"), required=False)

    def __init__(self, *args: Any, villages: QuerySet[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        assert isinstance(village, forms.ModelChoiceField)
        village.queryset = villages

    def key_attendees(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        pairs = [(str(label), d[key].strip()) for key, label in KEY_ROLES]
        if d.get("other_role") and d.get("other_name"):
            pairs.append((d["other_role"].strip(), d["other_name"].strip()))
        return pairs


class PostingForm(forms.Form):
    start = date_field(_("Ngày bắt đầu niêm yết"))
    places = _text(_("Nơi niêm yết"), required=False, max_length=300)


class ComplaintForm(forms.Form):
    code = _text(_("Mã hộ"), max_length=32)
    complainant = _text(_("Người khiếu nại"))
    received = date_field(_("Ngày nhận"))
    content = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: Any, entries: QuerySet[ListEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries

    def clean_code(self) -> ListEntry:
        code = str(self.cleaned_data["code"]).strip()
        entry = self.entries.filter(household__code__iexact=code).first()
        if entry is None:
            raise forms.ValidationError(
                _("Hộ %(code)s không có trong danh sách rà soát"), params={"code": code}
            )
        return entry


class AppealForm(forms.Form):
    complainant = _text(_("Người khiếu nại tiếp"))
    received = date_field(_("Ngày nhận"))
    content = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class ComplaintDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=ComplaintOutcome.choices)
    answer = forms.CharField(
        label=_("Trả lời"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class DecisionForm(forms.Form):
    number = _text(_("Số quyết định"), max_length=40)
    date = date_field(_("Ngày ký"))
    signer_name = _text(_("Người ký"))


class SubmitForm(forms.Form):
    note = _text(_("Ghi chú"), required=False, max_length=500)


class BatchField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        at = timezone.localtime(obj.created_at)
        return f"{obj.file_name} — {at:%d/%m/%Y %H:%M} ({obj.households_valid})"


class IntakeForm(forms.Form):
    """A committed spreadsheet import to bring into the commune's list (``intake_batches``)."""

    batch = BatchField(queryset=None, label=_("Tệp đã nhập"))

    def __init__(self, *args: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["batch"]
        assert isinstance(field, BatchField)
        field.queryset = batches
