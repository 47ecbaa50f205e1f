from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import CustomsOffice, Province, User


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en", "province", "kind", "has_anpr", "has_scanner")
    list_filter = ("kind", "province", "has_anpr", "has_scanner")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "office", "province", "is_active")
    list_filter = ("role", "province", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "office", "province", "title")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never deleted, only deactivated: audit entries name their actor (core.audit, docs/audit.md).
        return False

    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "office", "province", "title")}),
    )
