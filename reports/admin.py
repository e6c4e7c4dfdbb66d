"""Issued documents and number registers are read-only in admin: only
reports.services.issue_document writes them (number, transition, freeze and audit together)."""

from django.contrib import admin

from blocs.admin import ReadOnlyAdmin
from reports.models import IssuedDocument, NumberRegister, RegisterEntry


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number_text", "title", "bloc", "year", "issued_at", "pdf_sha256"]
    exclude = ["pdf", "docx", "context"]


@admin.register(NumberRegister)
class NumberRegisterAdmin(ReadOnlyAdmin):
    list_display = ["doc_type", "period", "bloc", "unit", "last_number"]
    list_filter = ["doc_type", "period"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ["number", "register", "issued_on", "document"]
