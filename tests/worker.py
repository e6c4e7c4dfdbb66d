"""The task worker in tests: `worker()` runs `manage.py db_worker`'s loop in-process until the
queue is empty, the same code production runs, at a moment the test chooses (deterministic).
Import the fixture into a conftest or a test module to use it."""

from __future__ import annotations

import pytest


@pytest.fixture
def worker(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # The worker checks its connection between tasks, as Django does between requests; the test
    # client switches that off for the same reason: it would close the test's database.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        ).run()

    return run
