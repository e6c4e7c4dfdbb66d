"""A large draft printed by the task worker: its progress page (polled by htmx every second, a
reload without JavaScript) and its file. Only the user who asked sees a job (anyone else, 404),
and the file is served only after the gate of the download it came from passes again."""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from blocs.access import BlocScope, get_bloc_for
from reports import jobs, views, views_compiled
from reports.models import RenderJob
from reports.services import CONTENT_TYPES


def _year_data_gate(request: HttpRequest, bloc_id: int, year: int) -> BlocScope:
    return get_bloc_for(request, bloc_id, year, need="year.export")


# The gate of each download a job can come from, called with that URL's arguments.
DOCUMENT_GATES = {
    "blocs:year_export": _year_data_gate,
    "reports:plan_document": views._plan_gate,
    "reports:scoring_document": views._scoring_gate,
    "reports:ranking_document": views._ranking_gate,
    "reports:to_trinh_draft": views._to_trinh_gate,
    "reports:compiled_document": views_compiled._compiled_gate,
}
POLL_SECONDS = 1


def _job_for(
    request: HttpRequest, bloc_id: int, year: int, job_id: UUID
) -> tuple[RenderJob, BlocScope]:
    scope = get_bloc_for(request, bloc_id, year)
    job = (
        RenderJob.objects.defer("html", "body")
        .filter(pk=job_id, bloc=scope.bloc, year=scope.year, requested_by=request.user)
        .first()
    )
    if job is None:
        raise Http404("Không tìm thấy việc in văn bản này.")
    return job, scope


def _source_gate(request: HttpRequest, job: RenderJob) -> None:
    """Run the gate of the download the job was asked from (403 or 404 if it now refuses)."""
    try:
        match = resolve(urlsplit(job.source_path).path)
    except Resolver404:
        raise Http404("Không tìm thấy văn bản này.") from None
    gate = DOCUMENT_GATES.get(match.view_name)
    if gate is None:
        raise Http404("Không tìm thấy văn bản này.")
    gate(request, **match.kwargs)


@login_required
def render_job(request: HttpRequest, bloc_id: int, year: int, job_id: UUID) -> HttpResponse:
    """The progress of the print; htmx asks for the status block alone."""
    job, scope = _job_for(request, bloc_id, year, job_id)
    context = {
        "job": job,
        "scope": scope,
        "progress": jobs.job_progress(job),
        "poll_seconds": POLL_SECONDS,
        "auto_download": bool(request.htmx),  # the file became ready while the page was open
        "keep_days": settings.RENDER_JOB_KEEP_DAYS,
    }
    template = "reports/_render_job_status.html" if request.htmx else "reports/render_job.html"
    return render(request, template, context)


@login_required
def render_job_file(request: HttpRequest, bloc_id: int, year: int, job_id: UUID) -> HttpResponse:
    job, scope = _job_for(request, bloc_id, year, job_id)
    data_url = request.resolver_match.url_name == "render_job_data"
    if data_url != job.is_year_data:
        raise Http404("Không tìm thấy tệp này.")  # a PDF at tai-ve.json, or the other way
    _source_gate(request, job)
    if job.status != RenderJob.Status.DONE:
        return redirect("reports:render_job", scope.bloc.pk, scope.year, job.pk)
    body = bytes(RenderJob.objects.values_list("body", flat=True).get(pk=job.pk))
    if job.is_year_data:
        return views.document_response(body, job.filename, "application/json; charset=utf-8")
    return views.document_response(body, job.filename, CONTENT_TYPES["pdf"])
