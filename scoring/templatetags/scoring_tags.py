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
    reminders = selectors.reminders_for(
        user=user,
        entries=entries,
        today=dt.date.today(),
        memberships=context.get("unit_memberships"),
    )
    return {"reminders": reminders}


# A board cell's or a sheet's state → its Bootstrap badge colour (contrast checked by axe).
STATE_BADGES = {
    "not_due": "light",
    "not_started": "light",
    "draft": "secondary",
    "submitted": "primary",
    "submitted_late": "warning",
    "in_review": "info",
    "returned": "danger",
    "reviewed": "success",
    "final": "dark",
    "overdue": "danger",
}


@register.filter
def state_badge(state: str) -> str:
    return "text-bg-" + STATE_BADGES.get(state, "light")


@register.simple_tag(takes_context=True)
def report_deadlines(context, deadlines) -> list[tuple]:
    """The home page's deadlines (plans.dashboard.unit_deadlines) paired with the user's unit's
    state in the reporting round each report deadline stands for (None for other deadlines)."""
    from scoring.selectors_rounds import report_states

    user = context["user"]
    milestones = [d.deadline.milestone for d in deadlines]
    states = report_states(unit_id=getattr(user, "unit_id", None), milestones=milestones)
    return [(d, states.get(d.deadline.milestone.pk)) for d in deadlines]


@register.filter
def dong(value) -> str:
    """18720000 → "18.720.000 đ" (Vietnamese thousands separator)."""
    if value is None:
        return ""
    return f"{int(value):,} đ".replace(",", ".")
