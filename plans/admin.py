from django.contrib import admin

from plans.models import FormatProfile, Phase, Plan, Section


@admin.register(FormatProfile)
class FormatProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "family", "effective_from", "effective_to"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "status", "number", "issue_date"]
    list_filter = ["status", "year"]
    inlines = [PhaseInline]

    def has_change_permission(self, request, obj=None):
        # An issued plan is never edited in place, not even here.
        return not (obj and obj.is_frozen) and super().has_change_permission(request, obj)


admin.site.register(Section)
