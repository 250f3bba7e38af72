"""Who a user is in the administration: their unit and their role.

Rights by role (``Role.can_edit``):

* ``province_officer``, ``district_officer``, ``commune_officer`` (cán bộ LĐTBXH / phụ trách
  giảm nghèo): read **and edit** their unit and every unit below it;
* ``collaborator`` (cộng tác viên giảm nghèo), ``department`` (phòng ban), ``leader`` (lãnh đạo):
  **read only** on their unit and every unit below it. A collaborator is also the reviewer
  (rà soát viên) of a review campaign: it enters surveys for the households assigned to it;
* ``approver`` (chủ tịch UBND, người phê duyệt): reads its unit and below and signs decisions
  there (a commune's recognition decision; a province's or district's approval of a whole
  campaign); it changes no data otherwise, and never approves a household whose survey it
  entered (maker-checker, ``giamngheo.reviews``).

Superusers see and manage everything. A user without a profile sees nothing.
``can_view_national_id`` is an extra flag the household registry checks before showing CCCD/CMND
numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamngheo.geo.models import AdminUnit


class Role(models.TextChoices):
    PROVINCE_OFFICER = "province_officer", _("Cán bộ cấp tỉnh")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ LĐTBXH huyện")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    COLLABORATOR = "collaborator", _("Cộng tác viên giảm nghèo")
    DEPARTMENT = "department", _("Phòng ban")
    LEADER = "leader", _("Lãnh đạo")
    APPROVER = "approver", _("Chủ tịch UBND (người phê duyệt)")

    @property
    def can_edit(self) -> bool:
        return self in EDITING_ROLES


#: Roles that may change data of their unit and the units below it.
EDITING_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER})


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="user_profiles",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    can_view_national_id = models.BooleanField(
        _("được xem số định danh"),
        default=False,
        help_text=_("Cho phép xem số CCCD/CMND trong sổ hộ."),
    )

    class Meta:
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.unit}"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES
