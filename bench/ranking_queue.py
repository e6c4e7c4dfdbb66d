"""Benchmark: the ranking table PDF of a 300-unit bloc-year downloaded through the app, the old way
(printed in the request: the web worker is blocked for the whole print) and the new way (the
request queues it and answers with the progress page; a separate `manage.py db_worker` process
prints it; the page polls until the file is ready). Prints, for each, the time the web worker is
blocked per request and the time from the click to the file.

    DEBUG=1 .venv/bin/python bench/ranking_queue.py [-n 3] [--units 300]

Self-contained: a temporary SQLite file (the worker is another process), migrated on start
(DATABASE_URL is ignored).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakhenthuong.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
# Self-contained: its own SQLite file (the worker process shares it), whatever DATABASE_URL says.
os.environ.pop("DATABASE_URL", None)
os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")

POLL_SECONDS = 0.25  # the page polls every second; finer here, so the figure shows the print


def timed(call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    env = dict(os.environ)
    from bench.ranking_year import make_year
    from blocs.models import User
    from reports.models import RenderJob

    bloc = make_year(args.units)
    admin = User.objects.create_user("bench", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    url = reverse("reports:ranking_document", args=(bloc.pk, 2026, "bang-tong-hop", "pdf"))

    def fresh() -> None:  # the same document, never printed: nothing cached, no job
        cache.clear()
        RenderJob.objects.all().delete()

    # The old way: printed in the request.
    settings.RENDER_INLINE_MAX_SECONDS = 1e9
    client.get(url)  # warm-up: fonts, WeasyPrint import
    sync = []
    for _ in range(args.n):
        fresh()
        response, seconds = timed(client.get, url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        sync.append(seconds)

    # The new way: queued, printed by a db_worker process, polled.
    settings.RENDER_INLINE_MAX_SECONDS = float(os.environ.get("RENDER_INLINE_MAX_SECONDS", "1.0"))
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "-v0"],
        cwd=ROOT,
        env=env,
    )
    try:
        queued, polls, total, pages = [], [], [], 0
        for rep in range(args.n + 1):  # the first one warms the worker up
            fresh()
            start = time.perf_counter()
            response, blocked = timed(client.get, url)
            assert response.status_code == 302, "the 300-unit table was not queued"
            status_url = response["Location"]
            while worker.poll() is None:
                block, seconds = timed(client.get, status_url, HTTP_HX_REQUEST="true")
                if rep:
                    polls.append(seconds)
                if 'data-status="done"' in block.content.decode():
                    break
                assert 'data-status="failed"' not in block.content.decode(), block.content
                time.sleep(POLL_SECONDS)
            assert worker.poll() is None, "the worker stopped"
            job = RenderJob.objects.get()
            file, serve = timed(client.get, status_url + "tai-ve.pdf")
            assert file.content.startswith(b"%PDF-")
            if rep:
                queued.append(blocked)
                polls.append(serve)
                total.append(time.perf_counter() - start)
                pages = job.pages_done
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    print(f"ranking table PDF, {args.units} units ({pages} pages), median of {args.n}:")
    print(f"  in the request: web worker blocked {statistics.median(sync):.2f} s (= click to file)")
    print(
        f"  queued: web worker blocked {1000 * statistics.median(queued):.0f} ms to queue, "
        f"{1000 * statistics.median(polls):.0f} ms per poll or file request "
        f"(max {1000 * max(polls):.0f} ms); click to file {statistics.median(total):.2f} s"
    )


if __name__ == "__main__":
    main()
