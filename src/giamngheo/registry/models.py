"""The household registry (sổ hộ): households, members, review records, the audit log and
staged imports.

Rules the models enforce themselves (services enforce them too, before writing):

* an **approved** ``ReviewRecord`` is never changed or deleted in place — ``save``, ``clean``,
  ``delete`` and the queryset's ``update``/``delete`` refuse (``ImmutableReview``); a correction
  is a new record whose ``corrects`` names the record it corrects (``revision`` + 1);
* a household's ``area`` is derived from its commune when it is created, ``head_name_key`` from
  ``head_name`` (folded: search ignores case and diacritics);
* a member's ``birth_year`` is derived from ``birth_date`` when the date is known;
* how a household came into the registry is on the household: ``entry_reason`` (moved in,
  split off; "" = from the start or not recorded) has its ``entry_date`` and a date its
  reason, and only a household that split off names ``came_from``, the household it split
  from (``clean`` and check constraints).

Writes: ``registry.services`` (rights, audit: a hash chain, ``registry.chain``); reads:
``registry.selectors``. One module: the tables and the rules they keep are one job.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giamngheo.core.records import vocab
from giamngheo.core.text import fold
from giamngheo.geo.models import AdminUnit, Area

# The vocabularies are the core's (``core.records.vocab``), importable from here too.
#: Policy-group flags of a household, in template order: field → (Vietnamese, English).
POLICY_FLAGS: dict[str, tuple[str, str]] = vocab.POLICY_FLAGS
#: Causes of poverty (nguyên nhân nghèo), the standard list: field → (Vietnamese, English).
CAUSES: dict[str, tuple[str, str]] = vocab.CAUSES


def name_key(name: str) -> str:
    """Search key of a person's name: folded (case, diacritics, spaces)."""
    return fold(name)


# ---------------------------------------------------------------------------------------------
# Households and members
# ---------------------------------------------------------------------------------------------
class HouseholdStatus(models.TextChoices):
    ACTIVE = vocab.ACTIVE, _("Đang sinh sống")
    MOVED_AWAY = vocab.MOVED_AWAY, _("Chuyển đi")
    DISSOLVED = vocab.DISSOLVED, _("Giải thể / không còn")
    SPLIT = vocab.SPLIT, _("Tách hộ")
    MERGED = vocab.MERGED, _("Nhập hộ")


class EntryReason(models.TextChoices):
    """How a household came into the registry ("" = in it from the start, or not recorded).
    The transitions read it (``giamngheo.registry.histories``)."""

    ORIGINAL = vocab.ORIGINAL, _("Có từ đầu hoặc chưa ghi")
    MOVED_IN = vocab.MOVED_IN, _("Chuyển đến")
    # "Tách hộ" is also the status "split": a context tells them apart in English.
    SPLIT_OFF = vocab.SPLIT_OFF, pgettext_lazy("lý do vào sổ", "Tách hộ")


class Household(models.Model):
    # Indexed by the (commune, code) unique constraint; village by (village, code).
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,
    )
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("thôn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_households",
        db_index=False,
    )
    code = models.CharField(_("mã hộ"), max_length=32)
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=200)
    head_name_key = models.CharField(max_length=200, editable=False)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    ethnic_minority = models.BooleanField(_("hộ dân tộc thiểu số"), default=False)
    area = models.CharField(_("khu vực"), max_length=5, choices=Area.choices, blank=True)
    indigenous_minority = models.BooleanField(_("hộ DTTS tại chỗ"), default=False)
    no_labour_capacity = models.BooleanField(_("hộ không có khả năng lao động"), default=False)
    merit_member = models.BooleanField(_("có người có công"), default=False)
    social_assistance_member = models.BooleanField(_("có người hưởng BTXH"), default=False)
    female_head = models.BooleanField(_("chủ hộ là nữ"), default=False)
    status = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.ACTIVE,
    )
    status_date = models.DateField(_("ngày thay đổi tình trạng"), null=True, blank=True)
    went_to = models.ForeignKey(
        "self",
        verbose_name=_("hộ chuyển đến"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arrivals",
    )
    entry_reason = models.CharField(
        _("lý do vào sổ"),
        max_length=12,
        choices=EntryReason.choices,
        default=EntryReason.ORIGINAL,
        # Also a database default: multi-row inserts that do not name the column (the staged
        # import's, the benchmarks') store "".
        db_default=EntryReason.ORIGINAL,
        blank=True,
    )
    entry_date = models.DateField(_("ngày vào sổ"), null=True, blank=True)
    came_from = models.ForeignKey(
        "self",
        verbose_name=_("tách từ hộ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="split_offs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering: ClassVar[list[str]] = ["commune_id", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["commune", "code"], name="registry_hh_commune_code"),
            models.CheckConstraint(
                condition=Q(status=HouseholdStatus.ACTIVE) | Q(status_date__isnull=False),
                name="registry_hh_status_dated",
            ),
            # A reason has its date, and a date its reason.
            models.CheckConstraint(
                condition=(Q(entry_reason="") & Q(entry_date__isnull=True))
                | (~Q(entry_reason="") & Q(entry_date__isnull=False)),
                name="registry_hh_entry_dated",
            ),
            # Only a household that split off names the household it split from.
            models.CheckConstraint(
                condition=Q(came_from__isnull=True) | Q(entry_reason=EntryReason.SPLIT_OFF),
                name="registry_hh_came_from_split",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # Prefix search (LIKE 'key%'); the operator class makes PostgreSQL use it under
            # any collation (other databases ignore opclasses).
            models.Index(
                fields=["head_name_key"],
                name="registry_hh_namekey",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["village", "code"], name="registry_hh_village_code"),
            # The few households that left (exit reasons of the transitions, status filters).
            models.Index(
                fields=["status"], condition=~Q(status="active"), name="registry_hh_inactive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.head_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.status != HouseholdStatus.ACTIVE and self.status_date is None:
            raise ValidationError(
                {"status_date": _("Cần ngày thay đổi tình trạng / a status date is needed.")}
            )
        if self.village is not None and self.village.parent_id != self.commune_id:
            raise ValidationError({"village": _("Thôn không thuộc xã / village not in commune.")})
        self.clean_entry()

    def clean_entry(self) -> None:
        """The entry fields agree: a reason has its date (and a date its reason); only a
        household that split off names the household it came from, never itself."""
        errors: dict[str, Any] = {}
        if self.entry_reason not in EntryReason.values:
            errors["entry_reason"] = _("Lý do vào sổ không rõ / unknown entry reason.")
        elif self.entry_reason and self.entry_date is None:
            errors["entry_date"] = _("Cần ngày vào sổ / an entry date is needed.")
        elif not self.entry_reason and self.entry_date is not None:
            errors["entry_reason"] = _(
                "Có ngày vào sổ thì cần lý do / an entry date needs an entry reason."
            )
        if self.came_from_id is not None:
            if self.entry_reason != EntryReason.SPLIT_OFF:
                errors["came_from"] = _(
                    "Chỉ hộ tách ra mới có hộ gốc / only a household that split off has one."
                )
            elif self.pk is not None and self.came_from_id == self.pk:
                errors["came_from"] = _(
                    "Hộ không thể tách từ chính nó / a household cannot split off from itself."
                )
        if errors:
            raise ValidationError(errors)

    def fill_derived(self) -> None:
        """``head_name_key`` always; ``area`` from the commune when empty (also used before
        ``bulk_create``, which bypasses ``save``)."""
        self.head_name_key = name_key(self.head_name)
        if not self.area and self.commune_id is not None:
            self.area = self.commune.area


class Sex(models.TextChoices):
    MALE = vocab.MALE, _("Nam")
    FEMALE = vocab.FEMALE, _("Nữ")


class Relationship(models.TextChoices):
    HEAD = vocab.HEAD, _("Chủ hộ")
    SPOUSE = vocab.SPOUSE, _("Vợ/chồng")
    CHILD = vocab.CHILD, _("Con")
    PARENT = vocab.PARENT, _("Bố/mẹ")
    GRANDCHILD = vocab.GRANDCHILD, _("Cháu")
    SIBLING = vocab.SIBLING, _("Anh/chị/em")
    OTHER = vocab.OTHER, _("Khác")


#: A member's own data fields (what imports, edits and the demo loader write).
MEMBER_DATA_FIELDS: tuple[str, ...] = (
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "relationship",
    "ethnicity",
    "national_id",
    "health_insurance",
    "in_school",
    "disability",
)


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("họ tên"), max_length=200)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    relationship = models.CharField(
        _("quan hệ với chủ hộ"), max_length=12, choices=Relationship.choices
    )
    ethnicity = models.CharField(_("dân tộc"), max_length=50, blank=True)
    #: Full 12-digit citizen ID. Never shown directly: use ``selectors.member_national_id``.
    national_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    health_insurance = models.BooleanField(_("có bảo hiểm y tế"), default=False)
    in_school = models.BooleanField(_("đang đi học"), default=False)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        ordering: ClassVar[list[str]] = ["household_id", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["national_id"], name="registry_member_nid"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.birth_date is None and self.birth_year is None:
            raise ValidationError(_("Cần ngày sinh hoặc năm sinh / birth date or year needed."))

    def fill_derived(self) -> None:
        if self.birth_date is not None:
            self.birth_year = self.birth_date.year


# ---------------------------------------------------------------------------------------------
# Review records
# ---------------------------------------------------------------------------------------------
class ReviewKind(models.TextChoices):
    PERIODIC = vocab.PERIODIC, _("Rà soát định kỳ")
    ADHOC = vocab.ADHOC, _("Rà soát thường xuyên")


class ReviewState(models.TextChoices):
    DRAFT = vocab.DRAFT, _("Dự thảo")
    APPROVED = vocab.APPROVED, _("Đã phê duyệt")


class Classification(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    MEDIUM = "medium", _("Hộ có mức sống trung bình")
    NON_POOR = "non_poor", _("Hộ không nghèo")


class ImmutableReview(ValidationError):
    """An approved review record cannot be changed or deleted in place."""

    def __init__(self, pk: object = None) -> None:
        super().__init__(
            f"Phiếu rà soát đã phê duyệt không được sửa; hãy lập phiếu điều chỉnh (#{pk}) / "
            f"an approved review record is never edited in place; create a correction (#{pk})",
            code="immutable",
        )


class ReviewQuerySet(models.QuerySet["ReviewRecord"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(state=ReviewState.APPROVED).exists():
            raise ImmutableReview()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(state=ReviewState.APPROVED).exists():
            raise ImmutableReview()
        return super().delete()

    def current(self) -> ReviewQuerySet:
        """Records not corrected by another record.

        Written as NOT EXISTS rather than ``corrected_by__isnull``: PostgreSQL plans the
        reverse one-to-one's LEFT JOIN … IS NULL as a hash of the whole review table (seconds
        at a million reviews), but NOT EXISTS as an anti-join on the ``corrects`` index."""
        corrections = ReviewRecord.objects.filter(corrects_id=models.OuterRef("pk"))
        return self.filter(~models.Exists(corrections))


class ReviewRecord(models.Model):
    # Indexed by (household, year).
    household = models.ForeignKey(
        Household,
        verbose_name=_("hộ"),
        on_delete=models.PROTECT,
        related_name="reviews",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    kind = models.CharField(_("loại rà soát"), max_length=8, choices=ReviewKind.choices)
    review_date = models.DateField(_("ngày rà soát"))
    standard_id = models.CharField(_("chuẩn nghèo"), max_length=32)
    #: The engine's canonical input record: ``income`` / ``income_score``, ``dep_<key>`` flags.
    inputs = models.JSONField(_("số liệu đầu vào"), default=dict)
    persons = models.PositiveSmallIntegerField(_("số nhân khẩu"), default=0)
    classification = models.CharField(_("phân loại"), max_length=10, choices=Classification.choices)
    poor_basis = models.CharField(max_length=12, blank=True)
    deprivation_count = models.PositiveSmallIntegerField(default=0)
    deprived = models.JSONField(default=list)
    explanation_vi = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)
    causes = models.JSONField(_("nguyên nhân nghèo"), default=list)
    state = models.CharField(
        _("trạng thái"), max_length=8, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    revision = models.PositiveSmallIntegerField(default=0)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("điều chỉnh phiếu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu rà soát")
        verbose_name_plural = _("phiếu rà soát")
        ordering: ClassVar[list[str]] = ["household_id", "year", "review_date", "revision"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["household", "year", "revision"],
                condition=Q(kind="periodic"),
                name="registry_review_periodic_uniq",
            ),
            models.UniqueConstraint(
                fields=["household", "year", "review_date", "revision"],
                condition=Q(kind="adhoc"),
                name="registry_review_adhoc_uniq",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["year", "kind", "classification"], name="registry_review_class"),
            models.Index(fields=["household", "year"], name="registry_review_hh_year"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.kind} r{self.revision}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_approved():
            raise ImmutableReview(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_approved():
            raise ImmutableReview(self.pk)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self._stored_approved():
            raise ImmutableReview(self.pk)
        if self.kind == ReviewKind.ADHOC and self.review_date.year != self.year:
            raise ValidationError({"review_date": _("Ngày rà soát ngoài năm / date not in year.")})

    def _stored_approved(self) -> bool:
        return (
            self.pk is not None
            and type(self)
            .objects.filter(pk=self.pk, state=ReviewState.APPROVED)
            .values_list("pk", flat=True)
            .exists()
        )


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------
class AuditEvent(models.Model):
    """One write by a service: who, when, what, on which object, and the changed fields;
    chained by hash to the previous row (``registry.chain``: an actor is never deleted)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering: ClassVar[list[str]] = ["-at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["object_type", "object_id"], name="registry_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


# ---------------------------------------------------------------------------------------------
# Staged imports
# ---------------------------------------------------------------------------------------------
class ImportStatus(models.TextChoices):
    PENDING = "PENDING", _("Chờ kiểm tra")
    VALIDATING = "VALIDATING", _("Đang kiểm tra")
    VALIDATED = "VALIDATED", _("Đã kiểm tra")
    COMMITTING = "COMMITTING", _("Đang ghi")
    COMMITTED = "COMMITTED", _("Đã ghi")
    FAILED = "FAILED", _("Lỗi")


class ImportBatch(models.Model):
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    stored_path = models.CharField(max_length=500, blank=True)
    scope = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    kind = models.CharField(_("loại rà soát"), max_length=8, choices=ReviewKind.choices)
    standard_id = models.CharField(max_length=32, blank=True)
    layout = models.CharField(max_length=8, blank=True)  # "flat" or "two"
    #: The sheets read: ``[{"name", "kind", "headings"}]`` (kind "household" or "member").
    sheets = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    households_valid = models.PositiveIntegerField(default=0)
    households_invalid = models.PositiveIntegerField(default=0)
    members_valid = models.PositiveIntegerField(default=0)
    members_invalid = models.PositiveIntegerField(default=0)
    #: File-level problems (unreadable file, missing headings): list of error dicts.
    file_errors = models.JSONField(default=list)
    #: Counts written by the commit (created / updated / unchanged per model).
    summary = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year}, {self.status})"

    @property
    def review_date_default(self) -> dt.date:
        return dt.date(self.year, 12, 31)


if TYPE_CHECKING:
    _TextBase = models.TextField[Any, Any]
else:
    _TextBase = models.TextField


class JSONTextField(_TextBase):
    """JSON kept as plain text in every database (Python values in and out).

    For the staged import rows (written once, read back whole, never queried inside): ``jsonb``
    would parse and re-encode ~1.6 million values of a 100,000-household file for nothing."""

    json_as_text = True  # ``bulk.insert_many`` encodes it, with no ``::jsonb`` cast
    # What django-stubs reads as the Python type of the values (JSON: any).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any
    _pyi_lookup_exact_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)


class ImportRow(models.Model):
    # Indexed by (batch, kind, key).
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    sheet = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)  # "household" or "member"
    row_number = models.PositiveIntegerField()
    key = models.CharField(max_length=32, blank=True)  # household code
    raw = JSONTextField(default=list)  # the cells, in the sheet's column order
    #: The validated, normalised values the commit writes (empty when invalid).
    clean = JSONTextField(default=dict)
    errors = JSONTextField(default=list)
    valid = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["batch_id", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["batch", "kind", "key"], name="registry_importrow_key"),
            # Walks the batch's valid rows in id order (the commit's chunks: id > last).
            models.Index(fields=["batch", "kind", "valid", "id"], name="registry_importrow_walk"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row_number}"
