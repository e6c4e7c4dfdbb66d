"""Large drafts are printed by the task worker: the download opens a progress page, the worker
prints, the page offers the file (and htmx starts its download); a failure says why in
Vietnamese and can be tried again; small drafts and issued documents never queue."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from blocs.models import Unit
from plans import services as plan_services
from reports import jobs, pdf
from reports.models import RenderJob
from reports.render import cache_key
from tests.plans.test_services import ready_plan
from tests.reports.pdfread import full_text, squash
from tests.scoring.ranking_data import bulk_ranking, tong_ket_round

S = RenderJob.Status


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs WeasyPrint prints."""
    seen: list[int] = []
    real = pdf.write_pdf

    def counting(html, **kw):
        seen.append(1)
        return real(html, **kw)

    monkeypatch.setattr(pdf, "write_pdf", counting)
    return seen


@pytest.fixture
def all_large(settings):
    """Every draft counts as large, so a small plan takes the queued path (fast tests)."""
    settings.RENDER_INLINE_MAX_SECONDS = 0


def plan_url(world, plan, fmt="pdf"):
    return reverse("reports:plan_document", args=(world.bloc.pk, world.year, plan.pk, fmt))


def job_url(job, name="reports:render_job"):
    return reverse(name, args=(job.bloc_id, job.year, job.pk))


def test_a_300_unit_ranking_table_is_printed_by_the_worker_not_the_request(
    world, client_for, worker, renders
):
    units = Unit.objects.bulk_create(
        Unit(province=world.province, name=f"Đơn vị thử {i:03d}") for i in range(300)
    )
    bulk_ranking(world.bloc, world.year, tong_ket_round(world.bloc, world.year), units)
    url = reverse(
        "reports:ranking_document", args=(world.bloc.pk, world.year, "bang-tong-hop", "pdf")
    )
    client = client_for("chair")
    response = client.get(url)
    job = RenderJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert renders == [] and job.status == S.QUEUED and job.pages_estimate >= 10
    page = client.get(job_url(job)).content.decode()
    assert "Đang chờ đến lượt in" in page and "Bảng tổng hợp" in page

    worker()
    job.refresh_from_db()
    assert job.status == S.DONE and renders == [1] and job.html == ""
    file = client.get(job_url(job, "reports:render_job_file"))
    assert file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    pages = len(PdfReader(io.BytesIO(file.content)).pages)
    assert pages >= 10 and job.pages_done == pages
    text = squash(full_text(file.content))
    assert squash("Đơn vị thử 000") in text and squash("Đơn vị thử 299") in text


def test_a_small_draft_is_printed_in_the_request_and_never_queued(world, client_for, renders):
    plan = ready_plan(world)
    response = client_for("chair").get(plan_url(world, plan))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert renders == [1] and not RenderJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_queued_draft_progress_page_then_the_file(world, client_for, worker, all_large, renders):
    plan = ready_plan(world)
    client = client_for("chair")
    response = client.get(plan_url(world, plan))
    job = RenderJob.objects.get()
    assert response.status_code == 302 and renders == []
    page = client.get(job_url(job)).content.decode()
    # polled by htmx every second; without JavaScript the page reloads itself
    assert f'hx-get="{job_url(job)}" hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'aria-valuenow="0"' in page and "Tải văn bản (PDF)" not in page
    # the file before it is printed: back to the progress page
    assert client.get(job_url(job, "reports:render_job_file"))["Location"] == job_url(job)
    # a second download of the same draft waits for the same job
    assert client.get(plan_url(world, plan))["Location"] == job_url(job)

    worker()
    block = client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert block.lstrip().startswith('<section id="render-job"') and "<html" not in block
    assert "hx-trigger" not in block  # done: the polling stops
    assert "Đã in xong" in block and 'aria-valuenow="100"' in block
    assert "data-auto-download" in block  # the page that was open starts the download
    full = client.get(job_url(job)).content.decode()
    assert "Tải văn bản (PDF)" in full and "data-auto-download" not in full
    assert "http-equiv" not in full
    body = client.get(job_url(job, "reports:render_job_file")).content
    assert squash("KẾ HOẠCH") in squash(full_text(body)) and renders == [1]

    # the same unchanged draft again: straight from the cache, no job, no print
    again = client.get(plan_url(world, plan))
    assert again.status_code == 200 and again.content == body
    assert RenderJob.objects.count() == 1 and renders == [1]
    # once changed, it is printed again
    plan_services.plan_update(plan=plan, actor=None, title="Tiêu đề mới của dự thảo")
    assert client.get(plan_url(world, plan)).status_code == 302
    assert RenderJob.objects.count() == 2


def test_the_page_shows_the_pages_laid_out_while_the_worker_prints(
    world, client_for, worker, all_large, monkeypatch
):
    plan = ready_plan(world)
    client = client_for("chair")
    client.get(plan_url(world, plan))
    job = RenderJob.objects.get()
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    seen: list[str] = []
    real = pdf.write_pdf

    def watching(html, on_page=None):
        def page_done(number):
            on_page(number)
            if number == 1:  # what the user's page shows while the print is under way
                seen.append(client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode())

        return real(html, on_page=page_done)

    monkeypatch.setattr(pdf, "write_pdf", watching)
    worker()
    assert len(seen) == 1
    assert "Đang in: đang dàn trang 1," in seen[0] and "hx-trigger" in seen[0]
    job.refresh_from_db()
    assert job.status == S.DONE and job.pages_done >= 1


def test_a_failed_print_says_why_and_can_be_tried_again(
    world, client_for, worker, all_large, monkeypatch
):
    plan = ready_plan(world)
    client = client_for("chair")
    client.get(plan_url(world, plan))
    job = RenderJob.objects.get()
    real = pdf.write_pdf

    def broken(html, **kw):
        raise RuntimeError("pango")

    monkeypatch.setattr(pdf, "write_pdf", broken)
    worker()
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert DBTaskResult.objects.get().status == "FAILED"  # the queue records it too
    page = client.get(job_url(job)).content.decode()
    assert "Không in được văn bản do lỗi hệ thống (RuntimeError)" in page
    assert "Thử lại" in page and f'href="{plan_url(world, plan)}"' in page
    assert "hx-trigger" not in page

    monkeypatch.setattr(pdf, "write_pdf", real)
    retry = client.get(plan_url(world, plan))  # the "Thử lại" link
    job.refresh_from_db()
    assert retry["Location"] == job_url(job) and job.status == S.QUEUED and job.error == ""
    worker()
    job.refresh_from_db()
    assert job.status == S.DONE
    body = client.get(job_url(job, "reports:render_job_file")).content
    assert body.startswith(b"%PDF-") and RenderJob.objects.count() == 1


def test_a_job_stuck_running_reads_as_failed_and_a_forgotten_queue_is_reported(
    world, client_for, all_large
):
    plan = ready_plan(world)
    client = client_for("chair")
    client.get(plan_url(world, plan))
    job = RenderJob.objects.get()
    RenderJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    assert "tiến trình in (<code>db_worker</code>) có thể chưa chạy" in (
        client.get(job_url(job)).content.decode()
    )
    started = timezone.now() - dt.timedelta(minutes=11)
    RenderJob.objects.filter(pk=job.pk).update(status=S.RUNNING, started_at=started)
    page = client.get(job_url(job)).content.decode()
    assert "Việc in đã chạy quá 10 phút mà chưa xong" in page and "Thử lại" in page
    client.get(plan_url(world, plan))  # tried again: queued anew
    job.refresh_from_db()
    assert job.status == S.QUEUED and DBTaskResult.objects.count() == 2


def test_a_job_is_its_requesters_and_its_file_passes_the_documents_gate_again(
    world, client_for, worker, all_large
):
    plan = plan_services.plan_submit_for_comment(plan=ready_plan(world), actor=None)
    client = client_for("unit_a")  # members read a plan in consultation
    client.get(plan_url(world, plan))
    job = RenderJob.objects.get()
    worker()
    assert client_for("unit_b").get(job_url(job)).status_code == 404
    assert client_for("chair").get(job_url(job, "reports:render_job_file")).status_code == 404
    client = client_for("unit_a")
    assert client.get(job_url(job, "reports:render_job_file")).status_code == 200
    plan_services.plan_revise(plan=plan, actor=None)  # back to an unshared draft
    assert client.get(job_url(job, "reports:render_job_file")).status_code == 403


@pytest.mark.parametrize("backend", ["files", "database"])
def test_another_user_gets_the_printed_draft_from_the_shared_cache(
    world, client_for, worker, all_large, renders, settings, backend
):
    if backend == "database":  # CACHE_DATABASE=1: the table every app server shares
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": "django_cache",
                        "BACKEND": "django.core.cache.backends.db.DatabaseCache"},
        }  # fmt: skip
    plan = ready_plan(world)
    client_for("chair").get(plan_url(world, plan))
    worker()
    job = RenderJob.objects.get()
    RenderJob.objects.update(body=None)  # the file must come from the cache, not from the job
    assert cache.get(cache_key(job.content_sha256)).startswith(b"%PDF-")
    if backend == "database":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM django_cache WHERE cache_key LIKE %s", ["%draft-pdf:%"]
            )
            assert cursor.fetchone()[0] == 1
    response = client_for("deputy").get(plan_url(world, plan))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert renders == [1] and RenderJob.objects.count() == 1


def test_jobs_older_than_the_kept_days_are_pruned(world, client_for, all_large, settings):
    plan = ready_plan(world)
    client = client_for("chair")
    client.get(plan_url(world, plan))
    old = timezone.now() - dt.timedelta(days=settings.RENDER_JOB_KEEP_DAYS, minutes=1)
    RenderJob.objects.update(created_at=old)
    plan_services.plan_update(plan=plan, actor=None, title="Một dự thảo khác")
    client.get(plan_url(world, plan))
    assert RenderJob.objects.get().title.endswith("Một dự thảo khác")
