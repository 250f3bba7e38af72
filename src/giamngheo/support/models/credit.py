"""Credit and housing: the Social Policy Bank's loans per household (imported, staged, from
the bank's spreadsheet) and housing support (QĐ 33/2015, the 2021–2025 programme's project 5).

A loan's key is the bank's contract number: a re-import of the same file changes nothing, a
newer file updates the balances (``as_of``). ``LoanBatch`` / ``LoanRow`` are the staged
import, like the registry's review import: every row checked with its sheet, row and column
before anything is written, and the commit writes all valid rows in one transaction.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Household
from giamngheo.support.models.projects import Support


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Đang kiểm tra")
    VALID = "valid", _("Hợp lệ, chờ ghi")
    INVALID = "invalid", _("Có lỗi")
    COMMITTED = "committed", _("Đã ghi")


class LoanBatch(models.Model):
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=500, blank=True)
    scope = models.ForeignKey(
        AdminUnit, verbose_name=_("phạm vi"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField(_("ngày số liệu"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp dư nợ NHCSXH")
        verbose_name_plural = _("tệp dư nợ NHCSXH")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.file_name


class LoanRow(models.Model):
    batch = models.ForeignKey(LoanBatch, on_delete=models.CASCADE, related_name="rows")
    sheet = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField()
    contract_no = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    valid = models.BooleanField(default=False)

    class Meta:
        ordering = ("batch_id", "row_number")

    def __str__(self) -> str:
        return f"{self.sheet}!{self.row_number}"


class Loan(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    contract_no = models.CharField(_("số khế ước"), max_length=40, unique=True)
    programme = models.CharField(_("chương trình cho vay"), max_length=32)
    amount = models.BigIntegerField(_("số tiền vay"))
    disbursed_on = models.DateField(_("ngày giải ngân"))
    rate = models.DecimalField(_("lãi suất (%/năm)"), max_digits=6, decimal_places=3)
    term_months = models.PositiveSmallIntegerField(_("thời hạn (tháng)"))
    due_on = models.DateField(_("ngày đến hạn"))
    outstanding = models.BigIntegerField(_("dư nợ"))
    overdue = models.BigIntegerField(_("nợ quá hạn"), default=0)
    as_of = models.DateField(_("ngày số liệu"))
    savings_group = models.CharField(_("tổ TK&VV"), max_length=120, blank=True)
    transaction_point = models.CharField(_("điểm giao dịch"), max_length=120, blank=True)
    entrusted_org = models.CharField(_("hội đoàn thể nhận ủy thác"), max_length=60, blank=True)
    batch = models.ForeignKey(
        LoanBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="loans"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khoản vay")
        verbose_name_plural = _("khoản vay")
        ordering = ("-disbursed_on", "contract_no")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["household"], name="support_loan_household"),
        ]

    def __str__(self) -> str:
        return self.contract_no


class HousingBasis(models.TextChoices):
    QD33_2015 = "qd33_2015", _("QĐ 33/2015/QĐ-TTg")
    P5_2022 = "p5_2022", _("Dự án 5, QĐ 90/QĐ-TTg (2021–2025)")
    ND28_2022 = "nd28_2022", _("NĐ 28/2022/NĐ-CP (vay nhà ở)")
    OTHER = "other", _("Nguồn khác")


class HousingKind(models.TextChoices):
    NEW = "new", _("Xây mới")
    REPAIR = "repair", _("Sửa chữa")


class HousingStatus(models.TextChoices):
    PLANNED = "planned", _("Dự kiến")
    STARTED = "started", _("Đã khởi công")
    FINISHED = "finished", _("Đã hoàn thành")
    HANDED_OVER = "handed_over", _("Đã bàn giao")
    CANCELLED = "cancelled", _("Hủy")


class Housing(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("căn cứ"), max_length=12, choices=HousingBasis.choices)
    kind = models.CharField(_("hình thức"), max_length=8, choices=HousingKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    grant_amount = models.BigIntegerField(_("hỗ trợ từ ngân sách (đồng)"), default=0)
    loan_amount = models.BigIntegerField(_("vay NHCSXH (đồng)"), default=0)
    support = models.OneToOneField(
        Support, on_delete=models.PROTECT, null=True, blank=True, related_name="housing"
    )
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=HousingStatus.choices, default="planned"
    )
    started_on = models.DateField(_("ngày khởi công"), null=True, blank=True)
    finished_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    handed_over_on = models.DateField(_("ngày bàn giao"), null=True, blank=True)
    eligibility = models.JSONField(_("căn cứ đối tượng"), default=dict)
    justification = models.TextField(_("lý do chấp nhận"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hỗ trợ nhà ở")
        verbose_name_plural = _("hỗ trợ nhà ở")
        ordering = ("-year", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=("household", "basis"),
                condition=~models.Q(status="cancelled"),
                name="support_housing_once_per_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.household_id} ({self.year})"
