from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from giamngheo.geo.models import AdminUnit, Succession

if TYPE_CHECKING:
    _UnitAdminBase = admin.ModelAdmin[AdminUnit]
    _SuccessionAdminBase = admin.ModelAdmin[Succession]
    _SuccessionInlineBase = admin.TabularInline[Succession, AdminUnit]
else:
    _UnitAdminBase = _SuccessionAdminBase = admin.ModelAdmin
    _SuccessionInlineBase = admin.TabularInline


class SuccessionInline(_SuccessionInlineBase):
    model = Succession
    fk_name = "successor"
    autocomplete_fields = ("predecessor",)
    extra = 0


@admin.register(AdminUnit)
class AdminUnitAdmin(_UnitAdminBase):
    list_display = ("code", "name", "kind", "level", "area", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", "area")
    search_fields = ("code", "name", "name_key")
    autocomplete_fields = ("parent",)
    readonly_fields = ("name_key",)
    inlines = (SuccessionInline,)
    list_select_related = ("parent",)


@admin.register(Succession)
class SuccessionAdmin(_SuccessionAdminBase):
    list_display = ("predecessor", "successor", "effective_date", "legal_basis")
    autocomplete_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")
    date_hierarchy = "effective_date"
