"""The review as a process: campaigns, each commune's review through its steps, the list of
households to review, surveys (Phiếu B), village meetings, the public posting, complaints and
the commune's decision; the monthly (ad-hoc) applications.

What the rules of a period say (windows, durations, the approval chain, form names) is data in
``giamngheo.core.review`` (one JSON file per legal period); the rows here keep which rule set a
campaign uses (``rules_id``) and the dates it resolved to, so a later change of the data never
moves an open campaign's deadlines silently.

The outcome is the registry's: the commune's decision writes **approved** periodic
``registry.ReviewRecord`` rows (one per household, immutable), which the transitions and the
plan read exactly as they read an approved import. Writes: ``reviews.services``; reads:
``reviews.selectors``. Every write is audited in the registry's tamper-evident trail.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import Classification, Household, ReviewRecord

STEP_KEYS: tuple[str, ...] = (
    "list",
    "assign",
    "survey",
    "meeting",
    "posting",
    "complaints",
    "decision",
    "report",
)


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Đang rà soát")
    CLOSED = "closed", _("Đã phê duyệt kết quả")


class Campaign(models.Model):
    """A periodic review of year ``year`` (it makes the lists of ``year + 1``) over the
    communes of ``unit`` (a province, or a district for the years districts existed)."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    name = models.CharField(_("tên đợt rà soát"), max_length=200)
    rules_id = models.CharField(_("quy định áp dụng"), max_length=40)
    standard_id = models.CharField(_("chuẩn nghèo"), max_length=32)
    #: A province's local standard run beside the national one (its file path or id); "".
    local_standard = models.CharField(_("chuẩn nghèo địa phương"), max_length=300, blank=True)
    identify_medium = models.BooleanField(_("xác định hộ có mức sống trung bình"), default=True)
    identify_low_income = models.BooleanField(
        _("xác định người lao động có thu nhập thấp"), default=True
    )
    window_start = models.DateField(_("bắt đầu"))
    window_end = models.DateField(_("kết thúc"))
    #: Official extra days off and make-up working days the unit adds (ISO dates).
    days_off = models.JSONField(_("ngày nghỉ thêm"), default=list, blank=True)
    working_days = models.JSONField(_("ngày làm bù"), default=list, blank=True)
    #: The approval chain resolved at opening: ``[level key, …]`` (core.review rules).
    chain = models.JSONField(default=list)
    status = models.CharField(
        max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering: ClassVar[list[str]] = ["-year", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["unit", "year"], name="reviews_campaign_unit_year"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignStep(models.Model):
    """A step's due date in a campaign: the legal default, a suggestion, or the unit's own."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=12)
    due = models.DateField(_("hạn"))
    origin = models.CharField(max_length=10)  # "legal" | "suggested" | "unit"
    provisional = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["campaign_id", "due", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "key"], name="reviews_step_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.key} {self.due}"


class CommuneState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Đang rà soát")
    DECIDED = "decided", _("Đã quyết định công nhận")
    SUBMITTED = "submitted", _("Đã báo cáo lên cấp trên")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã được chấp nhận")


class CommuneReview(models.Model):
    """One commune's periodic review inside a campaign, step by step."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="communes")
    commune = models.ForeignKey(
        AdminUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=12, choices=CommuneState.choices, default=CommuneState.IN_PROGRESS
    )
    #: Steps finished: ``{step key: ISO date}``.
    done = models.JSONField(default=dict)
    posting_start = models.DateField(_("ngày bắt đầu niêm yết"), null=True, blank=True)
    posting_end = models.DateField(_("ngày kết thúc niêm yết"), null=True, blank=True)
    posting_places = models.CharField(_("nơi niêm yết"), max_length=300, blank=True)
    #: Households not on the list carried over into the year's records (first decision).
    carried_over = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(_("ý kiến trả lại"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(_("đã khóa số liệu"), default=False)
    #: The figures accepted, frozen at acceptance: ``{class: count}``.
    accepted_figures = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("rà soát cấp xã")
        verbose_name_plural = _("rà soát cấp xã")
        ordering: ClassVar[list[str]] = ["campaign_id", "commune__name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="reviews_commune_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.commune}"


class Decision(models.Model):
    """A recognition decision of the commune chairman (the first covers the list; a later one
    the households a complaint held back)."""

    review = models.ForeignKey(CommuneReview, on_delete=models.CASCADE, related_name="decisions")
    number = models.CharField(_("số quyết định"), max_length=40)
    date = models.DateField(_("ngày ký"))
    signer_name = models.CharField(_("người ký"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["review_id", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.date}"


class Source(models.TextChoices):
    CURRENT = "current", _("Đang trong danh sách hộ nghèo, cận nghèo")
    APPLICANT = "applicant", _("Có giấy đề nghị")
    MANUAL = "manual", _("Bổ sung")


class SurveyState(models.TextChoices):
    PENDING = "pending", _("Chưa điều tra")
    DRAFT = "draft", _("Đang nhập")
    DONE = "done", _("Đã điều tra")
    RESURVEY = "resurvey", _("Điều tra lại")


class ListEntry(models.Model):
    """A household on a commune's list to review, with its survey's current outcome."""

    review = models.ForeignKey(CommuneReview, on_delete=models.CASCADE, related_name="entries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    reason = models.CharField(_("lý do bổ sung"), max_length=300, blank=True)
    #: The household's class on the current list when the list was made ("" = not on it).
    previous_class = models.CharField(max_length=10, blank=True)
    application_received = models.DateField(_("ngày nhận giấy đề nghị"), null=True, blank=True)
    #: Phiếu A: ``{"answers": {key: bool}, "passed": bool, "reasons_vi": …}``.
    screening = models.JSONField(default=dict, blank=True)
    #: The applicant did not pass Phiếu A: not surveyed, its class stays as it was.
    screened_out = models.BooleanField(default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rà soát viên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    survey_state = models.CharField(
        max_length=10, choices=SurveyState.choices, default=SurveyState.PENDING
    )
    #: The current survey's outcome (copied from the latest ``Survey`` for lists and counts).
    proposed_class = models.CharField(max_length=10, choices=Classification.choices, blank=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    record = models.ForeignKey(
        ReviewRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certificate_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["review_id", "household__village_id", "household__code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["review", "household"], name="reviews_entry_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.household_id}"


class Survey(models.Model):
    """One survey entry (Phiếu B) of a listed household; a re-check is a new row."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="surveys")
    version = models.PositiveSmallIntegerField(default=1)
    final = models.BooleanField(default=False)
    standard_id = models.CharField(max_length=32)
    #: The engine's input record (``income`` / ``income_score``, ``dep_<key>``, ``farm``).
    inputs = models.JSONField(default=dict)
    causes = models.JSONField(default=list)
    #: Members' changes noted by the reviewer: ``[{"member": pk | None, "change": text}]``.
    member_changes = models.JSONField(default=list, blank=True)
    persons = models.PositiveSmallIntegerField(default=0)
    #: ``core.review.targets.TargetResult.to_json()``: every classification with its reasons.
    result = models.JSONField(default=dict)
    classification = models.CharField(max_length=10, choices=Classification.choices, blank=True)
    complaint = models.ForeignKey(
        "Complaint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["entry_id", "version"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["entry", "version"], name="reviews_survey_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.version}"


class Meeting(models.Model):
    """A village meeting (họp dân): the vote on the households discussed."""

    review = models.ForeignKey(CommuneReview, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(default=1)
    held_at = models.DateTimeField(_("thời gian họp"))
    venue = models.CharField(_("địa điểm"), max_length=200, blank=True)
    chair = models.CharField(_("chủ trì"), max_length=200)
    secretary = models.CharField(_("thư ký"), max_length=200)
    attendees = models.PositiveIntegerField(_("số người dự"))
    #: ``[[role, name], …]``: village head, party cell secretary, Fatherland Front, …
    key_attendees = models.JSONField(default=list, blank=True)
    agreement = models.PositiveIntegerField(_("số người đồng ý"))
    passed = models.BooleanField(default=False)
    entries = models.ManyToManyField(ListEntry, related_name="meetings")
    #: What was voted on: ``{entry pk: version of its survey}``. A household added, or
    #: surveyed again, after the vote is not covered by it: the village meets again.
    versions = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["review_id", "village_id", "attempt"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["review", "village", "attempt"], name="reviews_meeting_uniq"
            ),
            models.CheckConstraint(
                condition=Q(agreement__lte=models.F("attendees")),
                name="reviews_meeting_agreement_le_attendees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.village_id} #{self.attempt}"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Đang giải quyết")
    DECIDED = "decided", _("Đã giải quyết")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Khiếu nại đúng: điều chỉnh kết quả")
    REJECTED = "rejected", _("Khiếu nại không đúng: giữ kết quả")
    WITHDRAWN = "withdrawn", _("Rút khiếu nại")


class Complaint(models.Model):
    """A complaint against a household's proposed result, re-checked (phúc tra) and decided."""

    review = models.ForeignKey(CommuneReview, on_delete=models.CASCADE, related_name="complaints")
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="complaints")
    complainant = models.CharField(_("người khiếu nại"), max_length=200)
    received = models.DateField(_("ngày nhận"))
    content = models.TextField(_("nội dung"))
    due = models.DateField(_("hạn trả lời"))
    status = models.CharField(
        max_length=8, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    outcome = models.CharField(max_length=10, choices=ComplaintOutcome.choices, blank=True)
    answer = models.TextField(_("trả lời"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["review_id", "received", "pk"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.received}"


class ApplicationKind(models.TextChoices):
    ENTER = "enter", _("Đề nghị công nhận hộ nghèo, hộ cận nghèo")
    ESCAPE = "escape", _("Đề nghị công nhận thoát nghèo, thoát cận nghèo")


class ApplicationState(models.TextChoices):
    RECEIVED = "received", _("Đã nhận")
    SURVEYED = "surveyed", _("Đã điều tra")
    MEETING = "meeting", _("Đã họp dân")
    POSTED = "posted", _("Đang niêm yết")
    RECOGNISED = "recognised", _("Đã công nhận")
    REFUSED = "refused", _("Không công nhận")


class Application(models.Model):
    """A household's application during the year (monthly, ad-hoc review): survey, meeting,
    posting and decision in small; a refusal is a letter with reasons."""

    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ApplicationKind.choices)
    rules_id = models.CharField(max_length=40)
    form = models.CharField(_("mẫu đơn"), max_length=100)
    received = models.DateField(_("ngày nhận"))
    cycle_start = models.DateField(_("ngày bắt đầu kỳ rà soát"))
    due = models.DateField(_("hạn quyết định"))
    state = models.CharField(
        max_length=10, choices=ApplicationState.choices, default=ApplicationState.RECEIVED
    )
    standard_id = models.CharField(max_length=32, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    causes = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    classification = models.CharField(max_length=10, choices=Classification.choices, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting_date = models.DateField(null=True, blank=True)
    attendees = models.PositiveIntegerField(null=True, blank=True)
    agreement = models.PositiveIntegerField(null=True, blank=True)
    posting_start = models.DateField(null=True, blank=True)
    posting_end = models.DateField(null=True, blank=True)
    decision_number = models.CharField(max_length=40, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reasons = models.JSONField(default=list, blank=True)
    record = models.ForeignKey(
        ReviewRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["commune_id", "received", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["commune", "decision_date"], name="reviews_app_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.received}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class DocumentJob(models.Model):
    """A batch of certificates made by the background worker (``reviews.tasks``): a commune
    of hundreds of recognised households takes a minute, which no page should wait for. The
    page shows ``done`` of ``total`` and offers the file when it is ready."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="jobs")
    fmt = models.CharField(max_length=4)  # "pdf" | "docx"
    show_ids = models.BooleanField(default=False)  # the requester may see citizen IDs
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-pk"]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.fmt} {self.status}"
