"""Read-mostly admin for the registry. National ID numbers are not listed; approved review
records are shown read-only (the model refuses changes anyway)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from giamngheo.registry.models import (
    AuditEvent,
    Household,
    ImportBatch,
    Member,
    ReviewRecord,
    ReviewState,
)

if TYPE_CHECKING:
    _HouseholdAdmin = admin.ModelAdmin[Household]
    _MemberAdmin = admin.ModelAdmin[Member]
    _ReviewAdmin = admin.ModelAdmin[ReviewRecord]
    _AuditAdmin = admin.ModelAdmin[AuditEvent]
    _BatchAdmin = admin.ModelAdmin[ImportBatch]
else:
    _HouseholdAdmin = _MemberAdmin = _ReviewAdmin = _AuditAdmin = _BatchAdmin = admin.ModelAdmin


@admin.register(Household)
class HouseholdAdmin(_HouseholdAdmin):
    list_display = ("code", "head_name", "commune", "village", "status", "entry_reason")
    list_filter = ("status", "entry_reason", "ethnic_minority", "female_head")
    search_fields = ("code", "head_name_key")
    raw_id_fields = ("commune", "village", "went_to", "came_from", "created_by")
    list_select_related = ("commune", "village")


@admin.register(Member)
class MemberAdmin(_MemberAdmin):
    list_display = ("full_name", "household", "sex", "birth_year", "relationship")
    exclude = ("national_id",)
    raw_id_fields = ("household", "created_by")
    list_select_related = ("household",)


@admin.register(ReviewRecord)
class ReviewRecordAdmin(_ReviewAdmin):
    list_display = ("household", "year", "kind", "classification", "state", "revision")
    list_filter = ("year", "kind", "classification", "state")
    raw_id_fields = ("household", "corrects", "approved_by", "created_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.state == ReviewState.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.state == ReviewState.APPROVED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(_AuditAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a row added here would bypass the hash chain (``registry.audit``)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(_BatchAdmin):
    list_display = ("file_name", "scope", "year", "kind", "status", "done", "total")
    list_filter = ("status", "year", "kind")
    raw_id_fields = ("scope", "created_by")
