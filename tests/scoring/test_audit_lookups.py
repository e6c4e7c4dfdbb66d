"""The audit lookups of the sheet pages go through the (object_type, object_id) index: a sheet's
history (`scoring:submission_history`) and its round's due-date moves (`scoring:submission_list`)
would otherwise scan the whole audit log, which grows every year (bench/README.md: 26–30 ms at
124,131 events, 0.1–0.3 ms with the index).

The plans are asked for the very statements the two functions run. The test tables are tiny, so
on PostgreSQL sequential scans are switched off for the question (the planner would rightly scan
a table of ten rows); SQLite takes the index whenever it has one."""

from __future__ import annotations

import pytest
from django.db import connection

from scoring.history import submission_history
from scoring.models import Round, Submission
from scoring.selectors_rounds import due_moves

pytestmark = pytest.mark.django_db


def _audit_statements(call) -> list[tuple[str, tuple]]:
    seen: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return [(sql, params) for sql, params in seen if "blocs_auditevent" in sql]


def _plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # inside the test's transaction
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: submission_history(Submission(pk=41, round_id=7)), id="history"),
        pytest.param(lambda: due_moves([Round(pk=7), Round(pk=8)]), id="due_moves"),
    ],
)
def test_the_sheet_pages_find_audit_events_by_the_object_index(call):
    statements = _audit_statements(call)
    assert len(statements) == 1
    plan = _plan(*statements[0])
    assert "audit_object" in plan, plan
