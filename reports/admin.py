from django.contrib import admin

from reports.models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Frozen documents are read-only: never edited, never deleted."""

    list_display = ["number_text", "title", "bloc", "year", "issued_at", "pdf_sha256"]
    exclude = ["pdf", "docx", "context"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
