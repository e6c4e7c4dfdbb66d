"""full_clean without its queries, for rows a save writes in bulk while it holds the lock.

Django's full_clean asks the database about each foreign key (does the row exist), each unique
constraint (is the value taken) and each check constraint (a SELECT of its condition): a few
queries a row, so a save of many rows grows with them. A save that holds the lock and has the
related rows in hand checks them in Python instead: `checks` maps the name of each check
constraint to "this row breaks it"; the caller checks uniqueness among the rows it writes.
Every check constraint of such a model must have its entry (`missing` finds those that do not:
the tests hold it empty), so that none is left to the database's refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Model

Checks = dict[str, Callable[[Any], bool]]


def violation(model: type[Model], name: str) -> ValidationError:
    """The error full_clean gives for `model`'s constraint `name`: its message as written (not
    %-formatted: "100 %" in a message would break that) and its code."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return ValidationError(constraint.violation_error_message, code=constraint.violation_error_code)


def check(row: Model, checks: Checks) -> None:
    """`row`'s check constraints tested by `checks`: the first one broken is raised."""
    for constraint in row._meta.constraints:
        broken = checks.get(constraint.name)
        if broken is not None and broken(row):
            raise violation(type(row), constraint.name)


def clean(row: Model, checks: Checks, *, exclude: Iterable[str] = (), unique: bool = False) -> None:
    """full_clean of `row` but its queries: its fields, then its check constraints by `checks`.
    `exclude`: the relations the caller has in hand (or unchanged under its lock); `unique`:
    full_clean's unique checks kept (a query each), else the caller's."""
    row.full_clean(exclude=list(exclude), validate_unique=unique, validate_constraints=False)
    check(row, checks)


def missing(models: Iterable[type[Model]], checks: Checks) -> set[str]:
    """The check constraints of `models` that `checks` does not test."""
    return {
        c.name
        for model in models
        for c in model._meta.constraints
        if isinstance(c, CheckConstraint) and c.name not in checks
    }
