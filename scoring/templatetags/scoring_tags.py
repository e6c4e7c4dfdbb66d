"""Points in Vietnamese notation, and the registration reminders of a user's home page."""

from __future__ import annotations

import datetime as dt

from django import template

from scoring import calc, selectors

register = template.Library()


@register.filter
def pts(value) -> str:
    """12.50 → "12,5"; None → "" (no arithmetic here: totals arrive computed)."""
    return calc.fmt(value) if value is not None else ""


@register.inclusion_tag("scoring/_reminders.html", takes_context=True)
def registration_reminders(context, entries) -> dict:
    """For each bloc-year where the user's unit is a member and has not yet sent its
    registration: "register by dd/mm/yyyy" (the plan's DANG_KY milestone)."""
    user = context["user"]
    entries = [getattr(e, "row", e) for e in entries]  # the home page's rows wrap the entries
    return {"reminders": selectors.reminders_for(user=user, entries=entries, today=dt.date.today())}


@register.filter
def dong(value) -> str:
    """18720000 → "18.720.000 đ" (Vietnamese thousands separator)."""
    if value is None:
        return ""
    return f"{int(value):,} đ".replace(",", ".")
