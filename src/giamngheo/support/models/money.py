"""Money: allocation decisions, their lines by commune, project and source, disbursements by
quarter and settlements (quyết toán).

The chain allocated ≥ disbursed ≥ settled is checked by ``core.support.funds.check_chain``;
breaks are findings on the money page, as the plan's checks are on the plan page. Every amount
is a whole number of đồng (``BigIntegerField``): no floats anywhere.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit
from giamngheo.support.models.projects import Project, Source


class AllocationDecision(models.Model):
    """A decision distributing a budget (số, ngày, cơ quan ban hành)."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("số quyết định"), max_length=50)
    date = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    title = models.CharField(_("trích yếu"), max_length=400)
    year = models.PositiveSmallIntegerField(_("năm ngân sách"))
    programme_id = models.CharField(_("chương trình"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định phân bổ")
        verbose_name_plural = _("quyết định phân bổ")
        ordering = ("-date", "number")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=("unit", "number", "date"), name="support_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"


class Allocation(models.Model):
    """One line of a decision: an amount of one source to a commune (or kept at the unit),
    for a programme node, optionally for one project."""

    decision = models.ForeignKey(AllocationDecision, on_delete=models.CASCADE, related_name="lines")
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("dự án"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    node_code = models.CharField(_("dự án / tiểu dự án"), max_length=40)
    source = models.CharField(_("nguồn vốn"), max_length=12, choices=Source.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("dòng phân bổ")
        verbose_name_plural = _("dòng phân bổ")
        ordering = ("decision_id", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="support_allocation_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.node_code} {self.source} {self.amount}"


class LineMovement(models.Model):
    """Money moved on an allocation line, dated, hence in a quarter: what a disbursement and a
    settlement share (their own verbose names and constraint names apart)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="%(class)ss")
    on = models.DateField(_("ngày"))
    year = models.PositiveSmallIntegerField(editable=False)
    quarter = models.PositiveSmallIntegerField(editable=False)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    reference = models.CharField(_("chứng từ"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("on", "pk")

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y}: {self.amount}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.year, self.quarter = self.on.year, (self.on.month - 1) // 3 + 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Disbursement(LineMovement):
    """Money paid out of an allocation line (giải ngân), in a quarter."""

    on = models.DateField(_("ngày giải ngân"))

    class Meta(LineMovement.Meta):
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="support_disbursement_positive"
            ),
        ]


class Settlement(LineMovement):
    """The settled amount of an allocation line (quyết toán), with its decision."""

    on = models.DateField(_("ngày quyết toán"))
    reference = models.CharField(_("số quyết định / biên bản"), max_length=100, blank=True)

    class Meta(LineMovement.Meta):
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="support_settlement_positive"
            ),
        ]
