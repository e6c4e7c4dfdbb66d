"""Plans for the document tests, built with the ORM (tests/reports/plan_data.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from plans.models import Plan
from tests.reports.plan_data import make_plan, make_seed_plan
from tests.worker import worker  # noqa: F401  (the task worker, in-process)

ISSUED = Plan.Status.ISSUED


@pytest.fixture
def state_draft(db) -> Plan:
    return make_plan()


@pytest.fixture
def party_draft(db) -> Plan:
    return make_plan(party=True, year=2023, draft_month=4)


@pytest.fixture
def state_issued(db) -> Plan:
    return make_plan(status=ISSUED, number=1, issue_date=dt.date(2027, 2, 5), year=2027)


@pytest.fixture
def party_issued(db) -> Plan:
    return make_plan(party=True, status=ISSUED, number=1, issue_date=dt.date(2023, 4, 7), year=2023)


@pytest.fixture
def long_state(db) -> Plan:
    """Seed 000 issued as 11/KH-KTĐNC on 24/01/2022: five pages and more."""
    return make_seed_plan(status=ISSUED, number=11, issue_date=dt.date(2022, 1, 24))


@pytest.fixture
def long_party(db) -> Plan:
    return make_seed_plan(party=True, status=ISSUED, number=1, issue_date=dt.date(2022, 1, 24))
