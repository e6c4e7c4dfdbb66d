"""Tasks of the documents app, run by the task worker (`python manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from reports import jobs


@task()
def render_job_task(job_id: str) -> str:
    """Print a large draft document queued by reports.jobs.job_enqueue."""
    return jobs.job_run(job_id=job_id)
