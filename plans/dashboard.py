"""The plans' part of the home page and of the reviewer's province overview: the deadlines a unit
must meet, and for each bloc-year its plan's status, next deadline and what to do next.

blocs sits below plans (blocs ← plans ← scoring ← reports), so the blocs views import this module
when they build those two pages, as blocs/exchange.py imports the plans section: blocs never
imports plans at load time. Every function costs a fixed number of queries, however many blocs.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from blocs.access import CAPABILITIES, DEPUTY, MEMBER
from blocs.models import Bloc, BlocTerm, Membership, Province
from plans.models import Milestone, Plan
from plans.selectors import SHARED_STATUSES, Deadline, deadline_of

RECENT_DAYS = 30  # an overdue deadline stays on the home page for a month, then only in the plan
YEARS_AROUND = (-1, 0, 1)  # last year's plan (its tổng kết falls in January) to next year's
Key = tuple[int, int]  # (bloc id, year)


@dataclass
class UnitDeadline:
    """A deadline of an issued plan of a bloc the unit belongs to, for the unit's home page."""

    deadline: Deadline
    plan: Plan
    sort_date: dt.date


@dataclass
class PlanSummary:
    """A bloc-year's plan as one role sees it: the latest plan it may open, the next deadline
    of the issued plan, and the next step for that role."""

    plan: Plan | None
    next_deadline: Deadline | None
    next_step: str


@dataclass
class YearRow:
    """A row of the home page or the province overview: the blocs part and the plans part."""

    row: Any  # blocs.selectors.HomeEntry or ProvinceBlocRow
    summary: PlanSummary


def unit_deadlines(
    *,
    unit_id: int | None,
    today: dt.date | None = None,
    memberships: list | None = None,
    terms: list | None = None,
) -> list[UnitDeadline]:
    """Upcoming and recently overdue deadlines of the issued plans of every bloc-year the unit
    belongs to (as member, head or deputy), soonest first (`memberships`, `terms`: see
    unit_bloc_years)."""
    if not unit_id:
        return []
    today = today or dt.date.today()
    years = {today.year + d for d in YEARS_AROUND}
    keys = unit_bloc_years(unit_id, years, memberships, terms)
    milestones = Milestone.objects.filter(
        plan__status=Plan.Status.ISSUED,
        plan__bloc_id__in={bloc_id for bloc_id, _ in keys},
        plan__year__in=years,
    ).select_related("plan__bloc", "phase")
    out = []
    for m in milestones:
        when = m.due or _month_end(m, m.plan.year)
        if (m.plan.bloc_id, m.plan.year) not in keys or when is None:
            continue
        if when >= today - dt.timedelta(days=RECENT_DAYS):
            out.append(UnitDeadline(deadline_of(m, year=m.plan.year, today=today), m.plan, when))
    out.sort(key=lambda d: (d.sort_date, d.plan.bloc.name, d.deadline.milestone.pk))
    return out


def unit_bloc_years(
    unit_id: int, years: set[int], memberships: list | None = None, terms: list | None = None
) -> set[Key]:
    """(bloc, year) pairs where the unit is a member, head or deputy: two queries, none for
    what the caller has (`memberships`: every membership of the unit; `terms`: a set of terms,
    with their deputies prefetched, holding every term the unit heads or deputises)."""
    if memberships is None:
        memberships = Membership.objects.filter(unit_id=unit_id).only(
            "bloc", "joined_on", "left_on"
        )
    keys = {(m.bloc_id, y) for m in memberships for y in years if m.covers_year(y)}
    if terms is not None:
        return keys | {
            (t.bloc_id, t.year)
            for t in terms
            if t.year in years
            and (t.head_unit_id == unit_id or any(u.pk == unit_id for u in t.deputy_units.all()))
        }
    led = BlocTerm.objects.filter(
        Q(head_unit_id=unit_id) | Q(deputy_units__id=unit_id), year__in=years
    ).values_list("bloc_id", "year")
    return keys | set(led)


def _month_end(m: Milestone, year: int) -> dt.date | None:
    if not m.due_month:
        return None
    y = m.due_year or year
    return dt.date(y, m.due_month, calendar.monthrange(y, m.due_month)[1])


def plan_summaries(
    *, roles: dict[Key, str], today: dt.date | None = None
) -> dict[Key, PlanSummary]:
    """For each (bloc, year) and the viewer's role there: what its plan stands at (2 queries)."""
    today = today or dt.date.today()
    by_key: dict[Key, list[Plan]] = {}
    for plan in Plan.objects.filter(
        bloc_id__in={b for b, _ in roles}, year__in={y for _, y in roles}
    ).order_by("-version", "-id"):
        by_key.setdefault((plan.bloc_id, plan.year), []).append(plan)
    issued = {p.pk: p for ps in by_key.values() for p in ps if p.status == Plan.Status.ISSUED}
    upcoming: dict[int, Deadline] = {}
    for m in Milestone.objects.filter(plan_id__in=issued, due__gte=today).order_by("due", "id"):
        upcoming.setdefault(m.plan_id, deadline_of(m, year=issued[m.plan_id].year, today=today))
    out = {}
    for key, role in roles.items():
        drafts = role in CAPABILITIES["plan.view_draft"]
        seen = [p for p in by_key.get(key, []) if drafts or p.status in SHARED_STATUSES]
        plan = seen[0] if seen else None
        live = next((p for p in seen if p.pk in issued), None)
        nxt = upcoming.get(live.pk) if live else None
        out[key] = PlanSummary(plan, nxt, next_step(role, plan, nxt))
    return out


def next_step(role: str, plan: Plan | None, nxt: Deadline | None) -> str:
    """What the user should do about this bloc-year's plan, in a few words."""
    writer = role in CAPABILITIES["plan.edit"]
    if plan is None:
        return "Soạn kế hoạch thi đua của năm" if writer else "Chờ Trưởng khối ban hành kế hoạch"
    if plan.status == Plan.Status.ISSUED:
        return f"Chuẩn bị: {nxt.milestone.get_kind_display()}" if nxt else "Đã qua các mốc"
    if plan.status == Plan.Status.CONSULTATION and role in {DEPUTY, MEMBER}:
        until = plan.consultation_deadline
        return "Góp ý dự thảo" + (f" (hạn {until:%d/%m/%Y})" if until else "")
    if writer:
        return WRITER_STEPS.get(plan.status, "")
    return "Chờ Trưởng khối ban hành kế hoạch" if plan.is_draft_like else ""


WRITER_STEPS = {
    Plan.Status.DRAFT: "Hoàn thiện dự thảo, gửi lấy ý kiến",
    Plan.Status.CONSULTATION: "Tổng hợp góp ý, duyệt kế hoạch",
    Plan.Status.APPROVED: "Cấp số và ban hành",
    Plan.Status.SUPERSEDED: "",
    Plan.Status.REVOKED: "Soạn kế hoạch thay thế",
}


def home_rows(*, entries: list[Any], today: dt.date | None = None) -> list[YearRow]:
    """The home page's bloc-years (blocs.selectors.blocs_for_user) with their plans."""
    summaries = plan_summaries(roles={(e.bloc.pk, e.year): e.role for e in entries}, today=today)
    return [YearRow(e, summaries[(e.bloc.pk, e.year)]) for e in entries]


def province_rows(*, rows: list[Any], year: int, role: str, today: dt.date | None = None):
    """The province overview's blocs (blocs.selectors.province_overview) with their plans."""
    summaries = plan_summaries(roles={(r.bloc.pk, year): role for r in rows}, today=today)
    return [YearRow(r, summaries[(r.bloc.pk, year)]) for r in rows]


def province_years(*, province: Province) -> list[int]:
    """Years in which some bloc of the province has a term or a plan, newest first: one query,
    the distinct (term year, plan year) pairs of its blocs."""
    pairs = (
        Bloc.objects.filter(province=province)
        .order_by()
        .values_list("terms__year", "plans__year")
        .distinct()
    )
    return sorted({y for pair in pairs for y in pair if y is not None}, reverse=True)
