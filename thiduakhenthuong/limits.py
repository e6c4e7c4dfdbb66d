"""Limits shared by the views: how many forms a formset may post, and a URL converter for ids
and years that answers 404 (not a database OverflowError, a 500) for numbers the database
cannot hold."""

from __future__ import annotations

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
