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


def clean(row: Model, checks: Checks, *, exclude: Iterable[str] = ()) -> None:
    """full_clean of `row` but its queries: its fields, then its check constraints by `checks`
    (the constraint's own message). `exclude`: the relations the caller has in hand."""
    row.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    for constraint in row._meta.constraints:
        broken = checks.get(constraint.name)
        if broken is not None and broken(row):
            raise ValidationError(constraint.violation_error_message, code="constraint")


def missing(models: Iterable[type[Model]], checks: Checks) -> set[str]:
    """The check constraints of `models` that `checks` does not test."""
    return {
        c.name
        for model in models
        for c in model._meta.constraints
        if isinstance(c, CheckConstraint) and c.name not in checks
    }
