"""Administrative units (đơn vị hành chính) and their successions.

A unit is identified by its GSO code, its level and the start of its validity period, because
the July 2025 reform re-used codes: 23377 was *Thị trấn Plei Kần* (commune level, in Huyện Ngọc
Hồi, Tỉnh Kon Tum) until 30/06/2025 and is *Xã Bờ Y* (commune level, directly under Tỉnh Quảng
Ngãi) from 01/07/2025. Both rows live side by side; ``Succession`` records which units merged into
which. Villages (thôn, làng, tổ dân phố …) carry no GSO code: their ``code`` is empty and they are
identified by parent and name.

The tree has at most four levels (province → district → commune → village; since 2025 the
district level is simply absent), so "every descendant" is at most three ``parent`` hops away and
is fetched with one query — see ``AdminUnitQuerySet.descendants_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from giamngheo.core.text import unit_name_key


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")
    VILLAGE = "village", _("Thôn, tổ dân phố")


#: Depth of each level in the tree (province = 0).
LEVEL_DEPTH: dict[str, int] = {
    Level.PROVINCE: 0,
    Level.DISTRICT: 1,
    Level.COMMUNE: 2,
    Level.VILLAGE: 3,
}


class Kind(models.TextChoices):
    # Province level
    PROVINCE = "tinh", _("Tỉnh")
    CENTRAL_CITY = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    # District level (before 01/07/2025)
    DISTRICT = "huyen", _("Huyện")
    URBAN_DISTRICT = "quan", _("Quận")
    DISTRICT_TOWN = "thi_xa", _("Thị xã")
    PROVINCIAL_CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
    # Commune level
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    TOWNSHIP = "thi_tran", _("Thị trấn")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")
    # Village level (no GSO code)
    THON = "thon", _("Thôn")
    LANG = "lang", _("Làng")
    BAN = "ban", _("Bản")
    BUON = "buon", _("Buôn")
    PLEI = "plei", _("Plei")
    AP = "ap", _("Ấp")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
    KHU_PHO = "khu_pho", _("Khu phố")


#: The level each kind belongs to.
KIND_LEVEL: dict[str, str] = {
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CENTRAL_CITY: Level.PROVINCE,
    Kind.DISTRICT: Level.DISTRICT,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.DISTRICT_TOWN: Level.DISTRICT,
    Kind.PROVINCIAL_CITY: Level.DISTRICT,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.WARD: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.SPECIAL_ZONE: Level.COMMUNE,
    Kind.THON: Level.VILLAGE,
    Kind.LANG: Level.VILLAGE,
    Kind.BAN: Level.VILLAGE,
    Kind.BUON: Level.VILLAGE,
    Kind.PLEI: Level.VILLAGE,
    Kind.AP: Level.VILLAGE,
    Kind.TO_DAN_PHO: Level.VILLAGE,
    Kind.KHU_PHO: Level.VILLAGE,
}

#: Number of digits of a GSO code per level (codes are stored zero-padded).
CODE_DIGITS: dict[str, int] = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


class Area(models.TextChoices):
    """Urban or rural (thành thị / nông thôn) as the poverty standards use it: phường and
    thị trấn are urban, every other commune-level unit (xã, đặc khu) is rural; a village has
    its commune's area. Provinces and districts have none (empty)."""

    URBAN = "urban", _("Thành thị")
    RURAL = "rural", _("Nông thôn")


_URBAN_COMMUNE_KINDS = frozenset({Kind.WARD, Kind.TOWNSHIP})


def pad_code(code: str | int, level: str) -> str:
    """GSO code as a zero-padded string: ``pad_code(1, "province") == "01"``."""
    text = str(code).strip()
    digits = CODE_DIGITS.get(level)
    if digits and text.isdigit():
        return text.zfill(digits)
    return text


def valid_on_q(on: dt.date, field: str = "") -> Q:
    """Q selecting units (through the unit FK ``field``; "" = the unit itself) whose
    validity period contains ``on``; both bounds inclusive, an empty bound is open."""
    prefix = f"{field}__" if field else ""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    def valid_on(self, on: dt.date) -> AdminUnitQuerySet:
        """Units whose validity period contains ``on`` (bounds inclusive; empty = open)."""
        return self.filter(valid_on_q(on))

    def of_level(self, level: str) -> AdminUnitQuerySet:
        return self.filter(level=level)

    def descendants_of(
        self, unit: AdminUnit | int, *, include_self: bool = True
    ) -> AdminUnitQuerySet:
        """``unit`` and every unit below it, any validity period, in one query.

        The tree is at most four levels deep, so a descendant is one, two or three ``parent``
        hops away; the OR of those three joins is cheaper than maintaining a materialised path
        through bulk imports, and stays correct whenever a parent changes."""
        return self.filter(descendants_q(unit, include_self=include_self))


def descendants_q(unit: AdminUnit | int, *, field: str = "", include_self: bool = True) -> Q:
    """Q selecting ``unit`` and its descendants through the unit FK ``field`` ("" = the unit
    itself). ``descendants_q(u, field="unit")`` filters any model with a ``unit`` FK."""
    pk = unit if isinstance(unit, int) else unit.pk
    prefix = f"{field}__" if field else ""
    q = (
        Q(**{f"{prefix}parent_id": pk})
        | Q(**{f"{prefix}parent__parent_id": pk})
        | Q(**{f"{prefix}parent__parent__parent_id": pk})
    )
    if include_self:
        q |= Q(**{f"{field}_id" if field else "pk": pk})
    return q


class AdminUnit(models.Model):
    code = models.CharField(
        _("mã"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("Mã GSO: tỉnh 2 chữ số, huyện 3, xã 5; để trống cho thôn, tổ dân phố."),
    )
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, db_index=True)
    area = models.CharField(_("khu vực"), max_length=5, choices=Area.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(
        _("hiệu lực từ"), null=True, blank=True, help_text=_("Để trống: từ trước đến nay.")
    )
    valid_to = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, help_text=_("Để trống: còn hiệu lực.")
    )
    name_key = models.CharField(_("khóa tên"), max_length=200, db_index=True, editable=False)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        # Older period first on every database (PostgreSQL sorts NULL last by default).
        ordering: ClassVar[list[str | models.OrderBy]] = [
            "code",
            models.F("valid_from").asc(nulls_first=True),
            "name",
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["code", "level", "valid_from"],
                condition=~Q(code="") & Q(valid_from__isnull=False),
                name="geo_unit_code_level_from_uniq",
            ),
            # NULL valid_from ("since forever"): SQL NULLs are distinct, so a separate index.
            models.UniqueConstraint(
                fields=["code", "level"],
                condition=~Q(code="") & Q(valid_from__isnull=True),
                name="geo_unit_code_level_uniq_open",
            ),
            # Villages have no code: unique by parent and name.
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(code=""),
                name="geo_unit_uncoded_parent_name_uniq",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="geo_unit_period_ordered",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["level", "name_key"], name="geo_unit_level_namekey"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        """Fill ``level``, ``area``, ``name_key`` and pad ``code`` (also used before
        ``bulk_create``, which bypasses ``save``)."""
        if not self.level:
            self.level = KIND_LEVEL.get(self.kind, "")
        self.code = pad_code(self.code, self.level)
        if self.level == Level.COMMUNE and not self.area:
            self.area = Area.URBAN if self.kind in _URBAN_COMMUNE_KINDS else Area.RURAL
        if self.level == Level.VILLAGE and not self.area and self.parent is not None:
            self.area = self.parent.area
        self.name_key = unit_name_key(self.name)

    def clean(self) -> None:
        super().clean()
        expected = KIND_LEVEL.get(self.kind)
        if expected and self.level and self.level != expected:
            raise ValidationError({"level": _("Loại đơn vị không thuộc cấp này.")})
        if self.parent is not None and LEVEL_DEPTH.get(self.parent.level, 9) >= LEVEL_DEPTH.get(
            self.level or KIND_LEVEL.get(self.kind, ""), 0
        ):
            raise ValidationError({"parent": _("Đơn vị cấp trên phải ở cấp cao hơn.")})

    # -- validity -----------------------------------------------------------------------
    def is_valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    @property
    def is_urban(self) -> bool:
        return self.area == Area.URBAN

    # -- tree -----------------------------------------------------------------------------
    def ancestors(self) -> list[AdminUnit]:
        """Parent, grandparent … (nearest first)."""
        chain: list[AdminUnit] = []
        node = self.parent
        while node is not None and len(chain) < 4:
            chain.append(node)
            node = node.parent
        return chain

    def descendants(self, *, include_self: bool = False) -> AdminUnitQuerySet:
        return AdminUnit.objects.descendants_of(self, include_self=include_self)

    def is_descendant_of(self, other: AdminUnit, *, include_self: bool = True) -> bool:
        if include_self and self.pk == other.pk:
            return True
        return any(a.pk == other.pk for a in self.ancestors())

    # -- successions ----------------------------------------------------------------------
    def successors(self) -> models.QuerySet[AdminUnit]:
        """Units this one merged (or was renamed, re-coded, split) into."""
        return AdminUnit.objects.filter(predecessor_links__predecessor=self)

    def predecessors(self) -> models.QuerySet[AdminUnit]:
        """Units that merged into this one."""
        return AdminUnit.objects.filter(successor_links__successor=self)


class Succession(models.Model):
    """``predecessor`` became (part of) ``successor`` on ``effective_date``.

    A merger of three communes is three rows with the same successor; a split is several
    rows with the same predecessor."""

    predecessor = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị cũ"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    effective_date = models.DateField(_("ngày hiệu lực"))
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        ordering: ClassVar[list[str]] = ["effective_date", "successor__code", "predecessor__code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="geo_succession_pair_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"
