"""The audit lookups of the sheet pages go through the (object_type, object_id) index: a sheet's
history (`scoring:submission_history`) and its round's due-date moves (`scoring:submission_list`)
would otherwise scan the whole audit log, which grows every year (bench/README.md: 26–30 ms at
124,131 events, 0.1–0.3 ms with the index).

The planner is asked about the very statements the two functions run, over a log of a few
thousand events of many objects (analysed, so that PostgreSQL plans on real figures: on a table
of ten rows any plan is as good, and it picks one at random)."""

from __future__ import annotations

import pytest
from django.db import connection

from blocs.models import AuditEvent
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
    explain = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blocs_auditevent")
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


@pytest.fixture
def audit_log():
    """5,000 events over eight kinds of object and 600 ids of each, as a bloc-year leaves."""
    kinds = ["scoring.submission", "scoring.entry", "scoring.round", "plans.plan"]
    kinds += ["scoring.registration", "scoring.ranking", "blocs.membership", "plans.milestone"]
    AuditEvent.objects.bulk_create(
        AuditEvent(action="x.update", object_type=kinds[i % 8], object_id=str(i // 8 % 600))
        for i in range(5000)
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: submission_history(Submission(pk=41, round_id=7)), id="history"),
        pytest.param(lambda: due_moves([Round(pk=7), Round(pk=8)]), id="due_moves"),
    ],
)
def test_the_sheet_pages_find_audit_events_by_the_object_index(audit_log, call):
    statements = _audit_statements(call)
    assert len(statements) == 1
    plan = _plan(*statements[0])
    assert "audit_object" in plan, plan
