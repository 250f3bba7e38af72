"""The organisations that carry the plan out, their members, and the plan's tasks.

An organisation (the Labour office, Agriculture, Finance–Planning, Ethnic Affairs,
Culture–Information, Economy–Infrastructure, the Social Policy Bank, the steering-committee
members, a commune's People's Committee) belongs to a unit and serves some of its communes
(none listed = all of them). Users belong to organisations (``Membership``): a ``department``
user sees and runs its organisation's projects across the communes it serves.

A task is one of the plan's activities or one organisation's duty (section III of the seed
plan): a lead organisation, partners, a due date or a recurrence, a status and its history
(``TaskUpdate``), so the Labour office sees who has done what.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit


class OrgKind(models.TextChoices):
    LABOUR = "labour", _("Lao động – Thương binh và Xã hội")
    AGRICULTURE = "agriculture", _("Nông nghiệp và Phát triển nông thôn")
    FINANCE = "finance", _("Tài chính – Kế hoạch")
    ETHNIC = "ethnic", _("Dân tộc")
    CULTURE = "culture", _("Văn hóa – Thông tin, truyền thông")
    INFRASTRUCTURE = "infrastructure", _("Kinh tế – Hạ tầng")
    BANK = "bank", _("Ngân hàng Chính sách xã hội")
    STEERING = "steering", _("Thành viên Ban Chỉ đạo")
    COMMUNE = "commune", _("UBND xã, thị trấn")
    MASS_ORG = "mass_org", _("Hội, đoàn thể")
    OTHER = "other", _("Khác")


class Organisation(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=60, blank=True)
    serves = models.ManyToManyField(
        AdminUnit,
        verbose_name=_("phục vụ các xã"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi xã của đơn vị."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị thực hiện")
        verbose_name_plural = _("cơ quan, đơn vị thực hiện")
        ordering = ("unit_id", "name")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("unit", "name"), name="support_org_unique_name"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_memberships"
    )

    class Meta:
        verbose_name = _("thành viên cơ quan")
        verbose_name_plural = _("thành viên cơ quan")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("organisation", "user"), name="support_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class Recurrence(models.TextChoices):
    ONCE = "once", _("Một lần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    YEARLY = "yearly", _("Hằng năm")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Hủy")


class Task(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("kế hoạch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.CharField(_("mục"), max_length=20, blank=True)
    title = models.CharField(_("nhiệm vụ"), max_length=300)
    description = models.TextField(_("nội dung"), blank=True)
    lead = models.ForeignKey(
        Organisation, verbose_name=_("chủ trì"), on_delete=models.PROTECT, related_name="tasks"
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("phối hợp"), blank=True, related_name="partner_tasks"
    )
    due_date = models.DateField(_("hạn"), null=True, blank=True)
    recurrence = models.CharField(
        _("định kỳ"), max_length=12, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ("unit_id", "number", "pk")

    def __str__(self) -> str:
        return self.title


class TaskUpdate(models.Model):
    """One entry of a task's progress: who reported what, when."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=TaskStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("task_id", "at", "pk")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.status}"
