"""Limits shared by the views: how many forms a formset may post, and a URL converter for ids
and years that answers 404 (not a database OverflowError, a 500) for numbers the database
cannot hold; a form field that refuses such ids in a POST (the same overflow, in a form)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# Formsets: a plan has a handful of phases, deadlines, recipients and signature lines; a posted
# TOTAL_FORMS above this is refused by the formset (use as max_num=absolute_max=MAX_FORMS).
MAX_FORMS = 200

# The largest value of a signed 32-bit integer column (SQLite and PostgreSQL ids fit below).
MAX_DB_INT = 2**31 - 1


class BoundedIntConverter:
    """`<bint:plan_id>`: like `<int:…>`, but a number above MAX_DB_INT matches no URL (404)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_DB_INT:
            raise ValueError("number too large for the database")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def _beyond_db(value: object) -> bool:
    """A posted id the database cannot hold (SQLite raises OverflowError on it: a 500)."""
    try:
        return abs(int(str(value).strip())) > MAX_DB_INT
    except (TypeError, ValueError):
        return False  # not a number: the field's own check refuses it


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose posted id beyond the database's integers is an invalid
    choice (the field's message next to it). Django's `pk__in` query with such an id raises
    OverflowError on SQLite (a 500); a single ModelChoiceField's `pk=` lookup already matches
    nothing."""

    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else [value]:
            if _beyond_db(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)
