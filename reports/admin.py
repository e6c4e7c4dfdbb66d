"""Issued documents and number registers are read-only in admin: only
reports.services.issue_document writes them (number, transition, freeze and audit together)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from blocs.admin import ReadOnlyAdmin
from reports.models import IssuedDocument, NumberRegister, RegisterEntry, RenderJob


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


@admin.register(RenderJob)
class RenderJobAdmin(ReadOnlyAdmin):
    """Jobs of the task worker (reports/jobs.py), large drafts' prints and bloc-year data files:
    for following the worker."""

    list_display = [
        "title", "kind", "requested_by", "bloc", "year", "status", "created_at", "finished_at"
    ]  # fmt: skip
    list_filter = ["kind", "status"]
    exclude = ["html", "body"]


# The task queue's own rows (English, one per task run) stay out of the Vietnamese admin: the print
# jobs above say what the queue did; `manage.py prune_db_task_results` clears old task rows.
admin.site.unregister(DBTaskResult)
