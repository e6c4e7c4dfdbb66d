from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "reviewer_label"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "symbol", "kind", "province", "valid_to", "successor"]
    list_filter = ["province", "kind"]
    search_fields = ["name", "short_name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "province", "symbol", "decision_number"]
    list_filter = ["province", "kind"]
    inlines = [MembershipInline]


@admin.register(BlocTerm)
class BlocTermAdmin(admin.ModelAdmin):
    list_display = ["bloc", "year", "head_unit"]
    list_filter = ["year"]
    filter_horizontal = ["deputy_units"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Đơn vị và vai trò", {"fields": ("full_name", "unit", "reviewer_province")}),
    )
    list_display = ["username", "full_name", "unit", "reviewer_province", "is_staff"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "bloc", "year", "object_type", "object_id"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
