"""The permission matrices' figures (tests/test_permissions.py, tests/scoring/test_permissions.py):
every (URL, method, persona) cell checked, and how many let a persona in that the matrix shuts out
(a leak: a 2xx where 403, 404 or the login page is expected). Printed at the end of the run."""

from __future__ import annotations

CELLS = {"cells": 0, "mismatches": 0, "leaks": 0}
CSRF = {"posts": 0}  # POST endpoints posted without the CSRF token, each refused


def record(want, status: int, ok: bool) -> None:
    CELLS["cells"] += 1
    CELLS["mismatches"] += not ok
    CELLS["leaks"] += want not in (200,) and 200 <= status < 300


def summary(terminalreporter) -> None:
    if CELLS["cells"]:
        terminalreporter.section("permission matrix")
        terminalreporter.write_line(
            f"{CELLS['cells']} cells (URL × method × persona) checked: "
            f"{CELLS['mismatches']} not as expected, {CELLS['leaks']} leaks"
        )
    if CSRF["posts"]:
        terminalreporter.write_line(
            f"CSRF: {CSRF['posts']} POST endpoints posted without the token, all refused"
        )
