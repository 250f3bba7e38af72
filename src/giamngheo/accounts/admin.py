"""Django admin (superusers): profiles, and the user form with the profile inline so a new
account gets its unit and role on the same page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from giamngheo.accounts.models import UserProfile

if TYPE_CHECKING:
    _ProfileAdminBase = admin.ModelAdmin[UserProfile]
    _ProfileInlineBase = admin.StackedInline[UserProfile, User]
    _UserAdminBase = UserAdmin[User]
else:
    _ProfileAdminBase = admin.ModelAdmin
    _ProfileInlineBase = admin.StackedInline
    _UserAdminBase = UserAdmin


@admin.register(UserProfile)
class UserProfileAdmin(_ProfileAdminBase):
    list_display = ("user", "role", "unit", "can_view_national_id")
    list_filter = ("role", "can_view_national_id")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("user", "unit")


class UserProfileInline(_ProfileInlineBase):
    model = UserProfile
    autocomplete_fields = ("unit",)
    can_delete = False
    extra = 0
    max_num = 1


class GiamngheoUserAdmin(_UserAdminBase):
    inlines = (UserProfileInline,)


admin.site.unregister(User)
admin.site.register(User, GiamngheoUserAdmin)
