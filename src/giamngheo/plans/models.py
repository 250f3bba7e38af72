"""The yearly poverty-reduction plan (kế hoạch giảm nghèo) and its annex table.

Columns follow the table's own numbering (see ``giamngheo.core.plan.model``): 1, 2, 3 and 5 are
entered and stored; 4 = 3/1, 6 = 3 - 5 and 7 = 6/1 are computed by the core, never stored.
The values *printed* in an imported document for 4, 6, 7 and for the total rows are kept
(``printed_*``) only so the checks can compare them with what they should be; they are
cleared as soon as the entered numbers they were printed for change.

Every change goes through ``giamngheo.plans.services`` and is logged in ``PlanChange``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    URBAN = "urban", _("Khu vực thành thị")
    RURAL = "rural", _("Khu vực nông thôn")


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    issuing_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("đơn vị ban hành"),
    )
    document_number = models.CharField(_("số kế hoạch"), max_length=50)
    document_date = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=500)
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"))
    min_reduction_points = models.DecimalField(
        _("mức giảm tỷ lệ hộ nghèo tối thiểu (điểm %)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    strict = models.BooleanField(
        _("giảm trên mức tối thiểu (không tính bằng)"),
        default=False,
        help_text=_('"trên 1,2%" nghĩa là lớn hơn 1,2 điểm, không tính bằng 1,2.'),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("lúc tạo"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người sửa cuối"),
    )
    updated_at = models.DateTimeField(_("lúc sửa cuối"), auto_now=True)

    class Meta:
        verbose_name = _("kế hoạch giảm nghèo")
        verbose_name_plural = _("kế hoạch giảm nghèo")
        ordering = ("-year", "-document_date", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=("issuing_unit", "document_number", "document_date"),
                name="plans_plan_unique_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} ({self.document_date:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", kwargs={"pk": self.pk})


class PlanObjective(models.Model):
    """A commune's objective range, in percentage points of its poverty rate (Đăk Ang 7–8)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="commune_objectives")
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    min_points = models.DecimalField(_("giảm tối thiểu (điểm %)"), max_digits=5, decimal_places=2)
    max_points = models.DecimalField(
        _("giảm tối đa (điểm %)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("chỉ tiêu của xã")
        verbose_name_plural = _("chỉ tiêu của xã")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("plan", "unit"), name="plans_objective_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.unit_id} {self.min_points}–{self.max_points}"


class PlanRow(models.Model):
    """One commune-level unit's row of the annex table."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    number = models.CharField(_("TT (cột A)"), max_length=10, blank=True)
    name_as_printed = models.CharField(_("tên đơn vị (cột B)"), max_length=200)
    section = models.CharField(_("khu vực"), max_length=5, choices=Section.choices)
    households = models.IntegerField(_("tổng số hộ (1)"))
    ethnic_minority = models.IntegerField(_("hộ DTTS (2)"))
    poor = models.IntegerField(_("số hộ nghèo (3)"))
    reduction = models.IntegerField(_("số hộ giảm tối thiểu (5)"), null=True, blank=True)
    # Printed rates are kept as the Decimal's text ("20.7") so the printed precision survives.
    printed_rate = models.CharField(_("tỷ lệ % như in (4)"), max_length=20, blank=True)
    printed_remaining = models.IntegerField(_("hộ nghèo còn lại như in (6)"), null=True, blank=True)
    printed_projected_rate = models.CharField(
        _("tỷ lệ dự kiến như in (7)"), max_length=20, blank=True
    )

    class Meta:
        verbose_name = _("dòng chỉ tiêu")
        verbose_name_plural = _("dòng chỉ tiêu")
        ordering = ("plan", "order", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("plan", "unit"), name="plans_row_unique_unit"),
        ]

    def __str__(self) -> str:
        return self.name_as_printed


class PlanPrintedTotal(models.Model):
    """A total row as printed in an imported document (I, II with numbers, III)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="printed_totals")
    section = models.CharField(max_length=5, choices=Section.choices, blank=True)  # "" = III
    order = models.PositiveIntegerField(default=0)
    number = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=200)
    households = models.IntegerField(null=True, blank=True)
    ethnic_minority = models.IntegerField(null=True, blank=True)
    poor = models.IntegerField(null=True, blank=True)
    rate = models.CharField(max_length=20, blank=True)
    reduction = models.IntegerField(null=True, blank=True)
    remaining = models.IntegerField(null=True, blank=True)
    projected_rate = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("dòng tổng như in")
        verbose_name_plural = _("dòng tổng như in")
        ordering = ("plan", "order", "pk")

    def __str__(self) -> str:
        return self.name


class ChangeAction(models.TextChoices):
    CREATE = "create", _("tạo")
    EDIT = "edit", _("sửa")
    IMPORT = "import", _("nhập bảng")
    PROPOSE = "propose", _("áp dụng đề xuất")
    OVERRIDE = "override", _("giữ số của cán bộ")
    BASELINE = "baseline", _("lấy số liệu từ rà soát")


class PlanChange(models.Model):
    """Audit log: who changed what in a plan, and when. Written only by the services."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    row = models.ForeignKey(
        PlanRow, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Đơn vị của dòng bị thay đổi (giữ lại cả khi dòng bị xoá)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_changes"
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)
    action = models.CharField(_("thao tác"), max_length=10, choices=ChangeAction.choices)
    field = models.CharField(_("trường"), max_length=50, blank=True)
    old = models.TextField(_("giá trị cũ"), blank=True)
    new = models.TextField(_("giá trị mới"), blank=True)

    class Meta:
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.field}"
