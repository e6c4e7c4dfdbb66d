"""Hostile-input tests: the counts of every run (inputs tried, server errors seen) are printed at
the end of the session and, with HOSTILE_REPORT=path.json, written to that file."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client

from tests.security.harness import TALLY


@pytest.fixture
def hostile_client(db) -> Client:
    """A test client that answers a view's exception with the 500 page, as production does
    (the harness counts it and fails with the traceback)."""
    return Client(raise_request_exception=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not TALLY:
        return
    inputs = sum(n for n, _, _ in TALLY.values())
    errors = sum(e for _, e, _ in TALLY.values())
    accepted = sum(a for _, _, a in TALLY.values())
    write = terminalreporter.write_line
    terminalreporter.section("hostile input (property-based)")
    for key, (n, e, a) in sorted(TALLY.items()):
        write(f"{n:7d} inputs {e:3d} 5xx {a:6d} accepted  {key}")
    write(
        f"{inputs:7d} inputs {errors:3d} 5xx {accepted:6d} accepted  in total ({len(TALLY)} runs)"
    )
    path = os.environ.get("HOSTILE_REPORT")
    if path:
        report = {"inputs": inputs, "server_errors": errors, "accepted": accepted, "runs": TALLY}
        with open(path, "w", encoding="utf-8") as out:
            json.dump(report, out, ensure_ascii=False, indent=2, sort_keys=True)
