"""Large draft documents are printed by the task worker, not in the web request.

A draft PDF download goes through `draft_or_job`: the bytes come from the shared cache (or from a
finished job of the same HTML) when this exact document was printed before; a document estimated
to print quickly is printed in the request; a large one becomes a RenderJob on the task queue
(django-tasks, database backend: `manage.py db_worker`) and the page shows its progress until the
file is ready. Issued documents never come here: they are served from their frozen bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blocs.models import Bloc
from reports.models import RenderJob
from reports.render import (
    FontMissingError,
    cached_pdf,
    content_hash,
    estimate_pages,
    estimate_seconds,
    html_to_pdf,
    remember_pdf,
)

logger = logging.getLogger(__name__)
S = RenderJob.Status
PENDING = (S.QUEUED, S.RUNNING)
# A job nobody has picked up after this long: the page says the print worker may not be running.
WAIT_WARNING = dt.timedelta(minutes=2)
PROGRESS_EVERY = 0.3  # seconds between two progress writes of the worker


def draft_or_job(
    *,
    html: str,
    user: Any,
    bloc: Bloc,
    year: int,
    source_path: str,
    title: str,
    filename: str,
) -> bytes | RenderJob:
    """The PDF of a draft's print HTML now (cached, or small enough to print in the request), or
    the job that prints it in the background (a second request for the same HTML by the same
    user gets the same job)."""
    sha256 = content_hash(html)
    body = cached_pdf(sha256)
    if body is None:
        body = _done_pdf(sha256)
    if body is not None:
        return body
    seconds = estimate_seconds(html)
    if seconds <= settings.RENDER_INLINE_MAX_SECONDS:
        body = html_to_pdf(html)
        remember_pdf(sha256, body)
        return body
    return job_enqueue(
        html=html,
        sha256=sha256,
        seconds=seconds,
        user=user,
        bloc=bloc,
        year=year,
        source_path=source_path,
        title=title,
        filename=filename,
    )


def _done_pdf(sha256: str) -> bytes | None:
    """The bytes a finished job printed from the same HTML (whoever asked: the same content), put
    back into the cache."""
    pdf = (
        RenderJob.objects.filter(content_sha256=sha256, status=S.DONE, body__isnull=False)
        .filter(kind=RenderJob.Kind.PDF)
        .values_list("body", flat=True)
        .first()
    )
    if pdf is None:
        return None
    remember_pdf(sha256, bytes(pdf))
    return bytes(pdf)


@transaction.atomic
def job_enqueue(
    *,
    html: str,
    sha256: str,
    seconds: float,
    user: Any,
    bloc: Bloc,
    year: int,
    source_path: str,
    title: str,
    filename: str,
) -> RenderJob:
    """The user's job for this HTML: the one still queued or running, the failed one queued again,
    or a new one. The job row and its task are written in one transaction, so the worker never
    sees a task without its job."""
    from reports.tasks import render_job_task

    RenderJob.objects.filter(created_at__lt=timezone.now() - keep_for()).delete()
    job = (
        RenderJob.objects.select_for_update()
        .filter(requested_by=user, content_sha256=sha256)
        .exclude(status=S.DONE)
        .first()
    )
    if job is not None and job.status in PENDING and not is_stale(job):
        return job
    fields = {
        "html": html,
        "status": S.QUEUED,
        "error": "",
        "pages_done": 0,
        "pages_estimate": estimate_pages(html),
        "seconds_estimate": round(seconds, 2),
        "started_at": None,
        "finished_at": None,
        "source_path": source_path[:500],
        "title": title[:300],
        "filename": filename[:200],
    }
    if job is None:
        job = RenderJob(requested_by=user, bloc=bloc, year=year, content_sha256=sha256, **fields)
        job.full_clean()
        job.save()
    else:  # tried again after a failure
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=list(fields))
    job.task_id = str(render_job_task.enqueue(str(job.pk)).id)
    job.save(update_fields=["task_id"])
    return job


def year_data_enqueue(*, user: Any, bloc: Bloc, year: int, source_path: str) -> RenderJob:
    """The job that writes the bloc-year data file (docs/export.md) for `user`: the file holds
    the rows as they are when the worker reads them, so a job of theirs still waiting in the
    queue is that file already (a second click queues nothing). A new job and its task are two
    INSERTs in one transaction (the job's id is known before it is saved), so the worker never
    sees a task without its job; old jobs are pruned by the worker, off the request."""
    from reports.tasks import render_job_task

    waiting = (
        RenderJob.objects.filter(
            requested_by=user, bloc=bloc, year=year, kind=RenderJob.Kind.YEAR_DATA, status=S.QUEUED
        )
        .only("pk", "bloc_id", "year")
        .first()
    )
    if waiting is not None:
        return waiting
    job = RenderJob(
        requested_by=user,
        bloc=bloc,
        year=year,
        kind=RenderJob.Kind.YEAR_DATA,
        source_path=source_path[:500],
        title=f"Dữ liệu năm {year} của {bloc.name}"[:300],
        filename=f"khoi-{bloc.pk}-{year}.json",
        pages_estimate=1,
    )
    with transaction.atomic():
        job.task_id = str(render_job_task.enqueue(str(job.pk)).id)
        job.save(force_insert=True)
    return job


def _year_data_run(job: RenderJob) -> str:
    """The worker's side of a data job: the requester's rights as they are now (a right taken
    away since the click ends the job), the file with what their pages show them, written with
    the sections done so far as the progress."""
    from blocs import exchange
    from blocs.access import load_scope

    RenderJob.objects.filter(created_at__lt=timezone.now() - keep_for()).delete()
    try:
        scope = load_scope(job.requested_by, job.bloc, job.year)
        if not scope.can("year.export"):
            _fail(job.pk, "Bạn không còn quyền tải dữ liệu năm của khối này.")
            return "refused"

        def step(done: int, total: int) -> None:
            RenderJob.objects.filter(pk=job.pk).update(pages_done=done, pages_estimate=total)

        data = exchange.export_bloc_year(
            job.bloc, job.year, audience=exchange.Audience.for_scope(scope), on_step=step
        )
        body = exchange.dumps(data).encode()
    except BaseException as exc:
        _fail(job.pk, failure_message(exc, verb="tạo", what="tệp dữ liệu năm"))
        raise
    RenderJob.objects.filter(pk=job.pk).update(  # the last step wrote pages_done
        status=S.DONE, body=body, finished_at=timezone.now()
    )
    return "done"


def keep_for() -> dt.timedelta:
    return dt.timedelta(days=settings.RENDER_JOB_KEEP_DAYS)


def is_stale(job: RenderJob) -> bool:
    """Running for longer than RENDER_JOB_TIMEOUT_MINUTES: the worker died with it."""
    limit = dt.timedelta(minutes=settings.RENDER_JOB_TIMEOUT_MINUTES)
    return (
        job.status == S.RUNNING
        and job.started_at is not None
        and timezone.now() - job.started_at > limit
    )


# ----------------------------------------------------------------------------- the worker side


def job_run(*, job_id: str) -> str:
    """Print a queued job (the task worker calls this): claim it, print its HTML with the page
    progress written as it goes, store the PDF (and in the shared cache), or record why it
    failed in Vietnamese and raise, so the task queue records the failure too."""
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != S.QUEUED:
            return "skipped"  # pruned, or already printed by an earlier task
        job.status, job.started_at, job.pages_done = S.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "pages_done"])
    if job.is_year_data:
        return _year_data_run(job)
    body = cached_pdf(job.content_sha256)
    pages = job.pages_estimate
    if body is None:
        progress = _ProgressWriter(job.pk)
        try:
            body = html_to_pdf(job.html, on_page=progress)
        except BaseException as exc:
            _fail(job.pk, failure_message(exc))
            raise
        pages = progress.pages or pages
        remember_pdf(job.content_sha256, body)
    RenderJob.objects.filter(pk=job.pk).update(
        status=S.DONE, body=body, html="", pages_done=pages, finished_at=timezone.now()
    )
    return "done"


class _ProgressWriter:
    """Writes the page WeasyPrint is laying out to the job, at most every PROGRESS_EVERY s."""

    def __init__(self, job_id: Any) -> None:
        self.job_id, self.pages, self.written_at = job_id, 0, 0.0

    def __call__(self, page: int) -> None:
        self.pages = max(self.pages, page)
        now = time.monotonic()
        if now - self.written_at >= PROGRESS_EVERY:
            self.written_at = now
            RenderJob.objects.filter(pk=self.job_id).update(pages_done=self.pages)


def failure_message(exc: BaseException, verb: str = "in", what: str = "văn bản") -> str:
    """Why the job failed, in Vietnamese: "Không in được văn bản…", "Không tạo được tệp…"."""
    if isinstance(exc, FontMissingError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return (
            f"{what.capitalize()} quá lớn, máy chủ không đủ bộ nhớ để {verb}. Hãy báo quản trị "
            "hệ thống."
        )
    return (
        f"Không {verb} được {what} do lỗi hệ thống ({type(exc).__name__}). Hãy thử lại; nếu vẫn "
        "lỗi, báo quản trị hệ thống."
    )


def _fail(job_id: Any, message: str) -> None:
    RenderJob.objects.filter(pk=job_id).update(
        status=S.FAILED, error=message, html="", finished_at=timezone.now()
    )


# --------------------------------------------------------------------------- what the page shows


@dataclass(frozen=True)
class JobProgress:
    status: str  # queued, running, done, failed (a stale job reads as failed)
    percent: int
    pages_done: int
    pages_estimate: int
    ahead: int  # jobs queued before this one
    error: str
    waiting_long: bool  # queued and not picked up for WAIT_WARNING: is the worker running?

    @property
    def pending(self) -> bool:
        return self.status in PENDING


def job_progress(job: RenderJob) -> JobProgress:
    status, error = job.status, job.error
    if is_stale(job):
        status = S.FAILED
        what = "tạo tệp" if job.is_year_data else "in"
        error = (
            f"Việc {what} đã chạy quá {settings.RENDER_JOB_TIMEOUT_MINUTES} phút mà chưa xong "
            f"(tiến trình {what} có thể đã dừng). Hãy thử lại."
        )
    ahead = 0
    if status == S.QUEUED:
        ahead = RenderJob.objects.filter(status=S.QUEUED, created_at__lt=job.created_at).count()
    estimate = max(job.pages_estimate, 1)
    percent = {
        S.QUEUED: 0,
        S.RUNNING: min(95, 5 + 90 * job.pages_done // estimate),
        S.DONE: 100,
    }.get(status, 0)
    waiting_long = status == S.QUEUED and timezone.now() - job.created_at > WAIT_WARNING
    return JobProgress(
        status=status,
        percent=percent,
        pages_done=job.pages_done,
        pages_estimate=estimate,
        ahead=ahead,
        error=error,
        waiting_long=waiting_long,
    )
