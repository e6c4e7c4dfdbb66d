"""A pytest plugin that counts the SQL statements of every POST the test client makes (the test's
savepoints left out: BEGIN/COMMIT in production) and prints, at the end of the run, the largest
count of each URL name with the test that made it: the real saves of the suite, which the query
budget's matrix rows (made with the matrices' data, often a refusal) do not all reach.

    PYTHONPATH=bench SECRET_KEY=x python -m pytest -p postprobe tests/scoring tests/plans \\
        tests/blocs tests/reports -q

POSTPROBE_MIN (default 11): the smallest count printed. Not part of `make test`."""

from __future__ import annotations

import os

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
LARGEST: dict[str, tuple[int, int, str]] = {}
_post = Client.post


def _counted_post(self, path, *args, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = _post(self, path, *args, **kwargs)
    try:
        name = resolve(str(path).split("?")[0]).view_name
    except Resolver404:
        name = str(path)
    n = sum(not q["sql"].startswith(SAVEPOINTS) for q in ctx.captured_queries)
    if n > LARGEST.get(name, (0,))[0]:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[-1].removesuffix(" (call)")
        LARGEST[name] = (n, response.status_code, test)
    return response


Client.post = _counted_post


def pytest_terminal_summary(terminalreporter):
    least = int(os.environ.get("POSTPROBE_MIN", "11"))
    rows = sorted(LARGEST.items(), key=lambda kv: -kv[1][0])
    terminalreporter.write_line("\nstatements status POST (largest in the run) test")
    for name, (n, status, test) in rows:
        if n >= least:
            terminalreporter.write_line(f"{n:5d} {status} {name}  {test}")
