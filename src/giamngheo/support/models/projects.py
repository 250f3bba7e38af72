"""Projects, their budgets and outputs, the households they support, and the support ledger.

A project hangs on a node of the programme's tree (``programme_id`` + ``node_code``: the
versioned data of ``core/support/data/programme-*.json``), is led by an organisation, covers
communes (and villages), and has an eligibility rule (``core/support/data/eligibility-rules
.json``) its beneficiaries are checked against at the date of support.

``Support`` is the ledger: one line per thing a household received (item, quantity, value in
VND, date, source), from a project or reported on its own (a health-insurance card, a tuition
exemption). Its state runs planned → approved → delivered → settled, or rejected / cancelled
with a reason code; approval checks the project's remaining funds by source. A revolving
model's support carries the capital to recover (``Recovery``: schedule and collections), and
recovered capital is re-lent to the next households (``Support.relent_from``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Household
from giamngheo.support.models.orgs import Organisation


class Source(models.TextChoices):
    """Funding sources (the codes of ``core.support.funds.SOURCES``)."""

    CENTRAL = "central", _("Ngân sách trung ương")
    LOCAL = "local", _("Ngân sách địa phương")
    INTEGRATED = "integrated", _("Vốn lồng ghép từ chương trình khác")
    CREDIT = "credit", _("Vốn tín dụng")
    CONTRIBUTION = "contribution", _("Người dân đóng góp")
    OTHER = "other", _("Nguồn khác (doanh nghiệp, cộng đồng)")


class ProjectKind(models.TextChoices):
    PRODUCTION = "production", _("Hỗ trợ phát triển sản xuất")
    LIVELIHOOD = "livelihood", _("Đa dạng hóa sinh kế")
    MODEL = "model", _("Nhân rộng mô hình giảm nghèo")
    TRAINING = "training", _("Đào tạo nghề")
    LABOUR_EXPORT = "labour_export", _("Xuất khẩu lao động")
    INFRASTRUCTURE = "infrastructure", _("Cơ sở hạ tầng")
    HOUSING = "housing", _("Hỗ trợ nhà ở")
    COMMUNICATION = "communication", _("Truyền thông, giảm nghèo về thông tin")
    CAPACITY = "capacity", _("Nâng cao năng lực, giám sát đánh giá")
    NUTRITION = "nutrition", _("Cải thiện dinh dưỡng")
    OTHER = "other", _("Khác")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Đang lập")
    APPROVED = "approved", _("Đã phê duyệt")
    RUNNING = "running", _("Đang thực hiện")
    FINISHED = "finished", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Hủy")


class Project(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên dự án"), max_length=300)
    kind = models.CharField(_("loại dự án"), max_length=16, choices=ProjectKind.choices)
    programme_id = models.CharField(_("chương trình"), max_length=32)
    node_code = models.CharField(_("dự án / tiểu dự án"), max_length=40)
    lead = models.ForeignKey(
        Organisation, verbose_name=_("chủ trì"), on_delete=models.PROTECT, related_name="projects"
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("phối hợp"), blank=True, related_name="partner_projects"
    )
    communes = models.ManyToManyField(AdminUnit, verbose_name=_("các xã"), related_name="+")
    villages = models.ManyToManyField(
        AdminUnit, verbose_name=_("các thôn"), blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    start = models.DateField(_("bắt đầu"), null=True, blank=True)
    end = models.DateField(_("kết thúc"), null=True, blank=True)
    appraisal_number = models.CharField(_("số văn bản thẩm định"), max_length=50, blank=True)
    appraisal_date = models.DateField(_("ngày thẩm định"), null=True, blank=True)
    approval_number = models.CharField(_("số quyết định phê duyệt"), max_length=50, blank=True)
    approval_date = models.DateField(_("ngày phê duyệt"), null=True, blank=True)
    approval_body = models.CharField(_("cơ quan phê duyệt"), max_length=200, blank=True)
    eligibility_rule = models.CharField(_("đối tượng hỗ trợ"), max_length=40)
    support_types = models.JSONField(_("loại hỗ trợ"), default=list)
    revolving = models.BooleanField(_("quay vòng vốn"), default=False)
    recovery_share = models.PositiveSmallIntegerField(
        _("tỷ lệ thu hồi (%)"), default=0, help_text=_("Phần giá trị hỗ trợ phải thu hồi.")
    )
    recovery_instalments = models.PositiveSmallIntegerField(_("số kỳ thu hồi"), default=0)
    recovery_every_months = models.PositiveSmallIntegerField(_("mỗi kỳ (tháng)"), default=12)
    recovery_grace_months = models.PositiveSmallIntegerField(_("ân hạn (tháng)"), default=0)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dự án")
        verbose_name_plural = _("dự án")
        ordering = ("-year", "name")

    def __str__(self) -> str:
        return self.name


class ProjectBudget(models.Model):
    """A project's budget by source (VND, whole đồng)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budgets")
    source = models.CharField(_("nguồn vốn"), max_length=12, choices=Source.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("project", "source"), name="support_budget_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="support_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"


class ProjectOutput(models.Model):
    """A planned and an actual output (households, animals, seedlings, sessions, works)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    label = models.CharField(_("chỉ tiêu"), max_length=200)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40)
    planned = models.PositiveIntegerField(_("kế hoạch"), default=0)
    actual = models.PositiveIntegerField(_("thực hiện"), default=0)

    class Meta:
        ordering = ("project_id", "pk")

    def __str__(self) -> str:
        return self.label


class Beneficiary(models.Model):
    """A household chosen for a project, with what the eligibility check said when chosen."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("kiểm tra tại ngày"))
    eligible = models.BooleanField(_("đủ điều kiện"))
    basis = models.JSONField(_("căn cứ"), default=dict)
    justification = models.TextField(_("lý do chấp nhận"), blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    selected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hộ hưởng lợi")
        verbose_name_plural = _("hộ hưởng lợi")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=("project", "household"), name="support_beneficiary_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.household_id}"


class SupportState(models.TextChoices):
    PLANNED = "planned", _("Dự kiến")
    APPROVED = "approved", _("Đã duyệt")
    DELIVERED = "delivered", _("Đã cấp / đã chi")
    SETTLED = "settled", _("Đã quyết toán")
    REJECTED = "rejected", _("Từ chối")
    CANCELLED = "cancelled", _("Hủy")


#: States whose value counts against the project's funds (committed).
COMMITTED_STATES = (SupportState.APPROVED, SupportState.DELIVERED, SupportState.SETTLED)


class ReasonCode(models.TextChoices):
    """Why a support was rejected or cancelled."""

    INELIGIBLE = "ineligible", _("Không đủ điều kiện")
    DUPLICATE = "duplicate", _("Trùng hỗ trợ")
    NO_FUNDS = "no_funds", _("Hết kinh phí")
    DECLINED = "declined", _("Hộ từ chối nhận")
    MOVED = "moved", _("Hộ chuyển đi / không còn")
    ERROR = "error", _("Nhập sai")
    OTHER = "other", _("Lý do khác")


class Support(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="supports"
    )
    support_type = models.CharField(_("loại hỗ trợ"), max_length=40)
    item = models.CharField(_("nội dung"), max_length=200)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value = models.BigIntegerField(_("giá trị (đồng)"))
    source = models.CharField(_("nguồn vốn"), max_length=12, choices=Source.choices)
    on = models.DateField(_("ngày hỗ trợ"))
    year = models.PositiveSmallIntegerField(_("năm"), editable=False)
    state = models.CharField(
        _("tình trạng"), max_length=10, choices=SupportState.choices, default=SupportState.PLANNED
    )
    reason_code = models.CharField(
        _("mã lý do"), max_length=12, choices=ReasonCode.choices, blank=True
    )
    reason_note = models.TextField(_("lý do"), blank=True)
    relent_from = models.ForeignKey(
        "Recovery",
        verbose_name=_("vốn thu hồi quay vòng từ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relent",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    settled_on = models.DateField(_("ngày quyết toán"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hỗ trợ")
        verbose_name_plural = _("hỗ trợ")
        ordering = ("-on", "pk")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["household", "year"], name="support_hh_year"),
            models.Index(fields=["year", "state"], name="support_year_state"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="support_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} — {self.household.code}"

    def save(self, *args: object, **kwargs: object) -> None:
        """``year`` is the year the household received it: the delivery's when delivered,
        else the support's date (a save of ``on`` or ``delivered_on`` alone writes it too)."""
        self.year = (self.delivered_on or self.on).year
        fields, dated = kwargs.get("update_fields"), {"on", "delivered_on"}
        if isinstance(fields, list | tuple | set | frozenset) and dated & {*fields}:
            kwargs["update_fields"] = {*fields, "year"}
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Recovery(models.Model):
    """The capital a household returns from a revolving model: amount and schedule."""

    support = models.OneToOneField(Support, on_delete=models.PROTECT, related_name="recovery")
    amount = models.BigIntegerField(_("số vốn phải thu hồi"))
    schedule = models.JSONField(_("lịch thu hồi"), default=list)  # [{"due": iso, "amount": n}]

    class Meta:
        verbose_name = _("vốn phải thu hồi")
        verbose_name_plural = _("vốn phải thu hồi")

    def __str__(self) -> str:
        return f"{self.support_id}: {self.amount}"


class Collection(models.Model):
    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="collections")
    on = models.DateField(_("ngày thu"))
    amount = models.BigIntegerField(_("số tiền thu"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("recovery_id", "on", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="support_collection_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y}: {self.amount}"


class EscapeRegistration(models.Model):
    """A household the commune registers to escape poverty in a year (đăng ký thoát nghèo)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hộ đăng ký thoát nghèo")
        verbose_name_plural = _("hộ đăng ký thoát nghèo")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=("household", "year"), name="support_escape_unique"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["commune", "year"], name="support_escape_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} ({self.year})"
