"""Plans and their parts are read-only in admin: every change goes through plans.services (state
machine, frozen issued plans, audit). Format profiles are data and stay editable."""

from django.contrib import admin

from blocs.admin import ReadOnlyAdmin, ReadOnlyInline
from plans.models import (
    FormatProfile,
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    Section,
    SignatureLine,
)


@admin.register(FormatProfile)
class FormatProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "family", "effective_from", "effective_to"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # plans point at their profile


class PhaseInline(ReadOnlyInline):
    model = Phase


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "year", "status", "number", "issue_date"]
    list_filter = ["status", "year"]
    exclude = ["source_text"]
    inlines = [PhaseInline]


for model in (Section, Phase, Milestone, Recipient, SignatureLine, LegalBasis, PlanComment):
    admin.site.register(model, ReadOnlyAdmin)
