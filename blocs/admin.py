"""Django admin never bypasses a service. Rows with a state, a register or an audit trail are
read-only here (list and view only); provinces, units and blocs are created through their
services and changed with full validation and an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from blocs import audit, services
from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User


class NoWrites:
    """List and view only: no add, change or delete from admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0


class ServiceAdmin(admin.ModelAdmin):
    """A new row is made by `create` (the app's service); a change is validated (the model form
    runs full_clean) and audited old → new; nothing is deleted from admin."""

    create: Any = None
    action = ""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            created = type(self).create(actor=request.user, **data)
            obj.pk = created.pk
            return
        old = audit.snapshot(type(obj).objects.get(pk=obj.pk), form.changed_data)
        obj.save(update_fields=form.changed_data or None)
        diff = audit.changes(old, audit.snapshot(obj, form.changed_data))
        if diff:
            bloc = obj if isinstance(obj, Bloc) else None
            audit.record(
                actor=request.user, action=f"{self.action}.update", obj=obj, bloc=bloc, data=diff
            )


@admin.register(Province)
class ProvinceAdmin(ServiceAdmin):
    list_display = ["name", "reviewer_label"]
    create = staticmethod(services.province_create)
    action = "province"


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    list_display = ["name", "short_name", "symbol", "kind", "province", "valid_to", "successor"]
    list_filter = ["province", "kind"]
    search_fields = ["name", "short_name"]
    create = staticmethod(services.unit_create)
    action = "unit"


class MembershipInline(ReadOnlyInline):
    model = Membership


@admin.register(Bloc)
class BlocAdmin(ServiceAdmin):
    list_display = ["name", "kind", "level", "province", "symbol", "decision_number"]
    list_filter = ["province", "kind"]
    inlines = [MembershipInline]
    create = staticmethod(services.bloc_create)
    action = "bloc"


@admin.register(BlocTerm)
class BlocTermAdmin(ReadOnlyAdmin):
    list_display = ["bloc", "year", "head_unit"]
    list_filter = ["year"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["unit", "bloc", "joined_on", "left_on", "join_reason"]
    list_filter = ["bloc"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Đơn vị và vai trò",
            {"fields": ("full_name", "unit", "reviewer_province", "is_account_manager")},
        ),
    )
    list_display = ["username", "full_name", "unit", "reviewer_province", "is_staff"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log is written by the services only."""

    list_display = ["at", "actor", "action", "bloc", "year", "object_type", "object_id"]
    list_filter = ["action"]


# Authenticator devices are managed in the app (Bảo mật; the accounts page removes a lost
# phone's device), not through an English admin page.
try:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin.site.unregister(TOTPDevice)
except (ImportError, admin.sites.NotRegistered):
    pass
