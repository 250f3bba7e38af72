"""Read-only admin for plans: every change must go through the services, which write the
audit log; the admin lets a superuser look, not edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from giamngheo.plans.models import Plan, PlanChange, PlanObjective, PlanPrintedTotal, PlanRow

if TYPE_CHECKING:
    _PlanAdminBase = admin.ModelAdmin[Plan]
    _ChangeAdminBase = admin.ModelAdmin[PlanChange]
    _RowInlineBase = admin.TabularInline[PlanRow, Plan]
    _ObjectiveInlineBase = admin.TabularInline[PlanObjective, Plan]
    _TotalInlineBase = admin.TabularInline[PlanPrintedTotal, Plan]
else:
    _PlanAdminBase = _ChangeAdminBase = admin.ModelAdmin
    _RowInlineBase = _ObjectiveInlineBase = _TotalInlineBase = admin.TabularInline


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanRowInline(_ReadOnly, _RowInlineBase):
    model = PlanRow
    extra = 0
    fields = (
        "order",
        "number",
        "name_as_printed",
        "unit",
        "section",
        "households",
        "ethnic_minority",
        "poor",
        "reduction",
        "printed_rate",
        "printed_remaining",
        "printed_projected_rate",
    )


class PlanObjectiveInline(_ReadOnly, _ObjectiveInlineBase):
    model = PlanObjective
    extra = 0


class PlanPrintedTotalInline(_ReadOnly, _TotalInlineBase):
    model = PlanPrintedTotal
    extra = 0


@admin.register(Plan)
class PlanAdmin(_ReadOnly, _PlanAdminBase):
    list_display = ("document_number", "document_date", "year", "issuing_unit", "title")
    list_filter = ("year",)
    search_fields = ("document_number", "title")
    list_select_related = ("issuing_unit",)
    inlines = (PlanObjectiveInline, PlanRowInline, PlanPrintedTotalInline)


@admin.register(PlanChange)
class PlanChangeAdmin(_ReadOnly, _ChangeAdminBase):
    list_display = ("at", "user", "plan", "unit", "action", "field", "old", "new")
    list_filter = ("action",)
    list_select_related = ("user", "plan", "unit")
