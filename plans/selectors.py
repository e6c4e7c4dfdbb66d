"""Reads on plans shared by views and documents; prefetching lives here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest

from blocs.access import BlocScope, get_bloc_for
from blocs.prefetch import prefetch_together
from plans import datelinks
from plans.models import Milestone, Phase, Plan, PlanComment, Section

SHARED_STATUSES = {
    Plan.Status.CONSULTATION,
    Plan.Status.ISSUED,
    Plan.Status.SUPERSEDED,
    Plan.Status.REVOKED,
}


def plans_for_scope(*, scope: BlocScope) -> QuerySet[Plan]:
    """The plans of a bloc-year the user may see: drafts only for the secretariat and deputies."""
    qs = Plan.objects.filter(bloc=scope.bloc, year=scope.year).select_related("format_profile")
    if not scope.can("plan.view_draft"):
        qs = qs.filter(status__in=SHARED_STATUSES)
    return qs.order_by("-version", "-id")


def get_plan_for(
    request: HttpRequest,
    bloc_id: int,
    year: int,
    plan_id: int,
    need: str = "plan.view",
    *,
    children: bool = False,
    annotate: dict | None = None,
) -> tuple[Plan, BlocScope]:
    """Gate for a plan: the bloc-year gate first (404 outsider / 403 role), then the plan must
    belong to that bloc-year (404), and an unshared draft is 403 for members. `children`: with
    every child row prefetched (plan_with_children), so the page loads the plan once;
    `annotate`: expressions asked in the plan's own query (e.g. whether it has a document)."""
    scope = get_bloc_for(request, bloc_id, year, need=need)
    plans = Plan.objects.select_related("bloc", "bloc__province", "format_profile", "replaces")
    if annotate:
        plans = plans.annotate(**annotate)
    plan = plans.filter(pk=plan_id, bloc=scope.bloc, year=scope.year).first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    check_plan(scope, plan)
    if children:
        prefetch_children(plan, CHILDREN)
    return plan, scope


def check_plan(scope: BlocScope, plan: Plan) -> None:
    """The plan gate on a plan in hand (a save's locked row): 404 outside the scope's
    bloc-year, 403 for an unshared draft to whoever may not see drafts."""
    if plan.bloc_id != scope.bloc.pk or plan.year != scope.year:
        raise Http404("Không tìm thấy kế hoạch.")
    if plan.status not in SHARED_STATUSES and not scope.can("plan.view_draft"):
        raise PermissionDenied("Kế hoạch đang được dự thảo, chưa gửi lấy ý kiến.")


def prefetch_children(plan: Plan, children: tuple) -> Plan:
    """The child rows `children` of `plan`: the short lists (LISTS) together in one query, the
    others each with its own (prefetch_related)."""
    lists = [c for c in children if c in LISTS]
    if lists:
        prefetch_together(plan, *lists)
    others = [c for c in children if c not in LISTS]
    if others:
        prefetch_related_objects([plan], *others)
    return plan


def plan_with_children(plan_id: int, children: tuple = ()) -> Plan:
    """One plan with every child row prefetched (or only `children`, the lookups of an editor
    that shows a few): a fixed number of queries whatever its size."""
    plan = Plan.objects.select_related("bloc", "bloc__province", "format_profile").get(pk=plan_id)
    return prefetch_children(plan, children or CHILDREN)


SCHEDULE = (
    Prefetch("phases", queryset=Phase.objects.order_by("seq")),
    Prefetch("milestones", queryset=Milestone.objects.select_related("phase")),
)
CHILDREN = (
    "bases",
    "recipients",
    "signature_lines",
    Prefetch("sections", queryset=Section.objects.order_by("order", "id")),
    *SCHEDULE,
    Prefetch("comments", queryset=PlanComment.objects.select_related("unit", "author")),
)
# bases, recipients, signature lines: the lists editor's rows, a few short lines each, read
# together in one query (blocs.prefetch)
LISTS = CHILDREN[:3]
# what a copy of the plan reads (next year's plan, an amendment): all but the comments
COPIED = CHILDREN[:-1]


@dataclass
class OutlineNode:
    section: Section
    depth: int
    title: str = ""
    content: str = ""


def schedule_values(plan: Plan) -> dict[str, datelinks.Record]:
    """The schedule values the text's dates link to (uses the prefetched rows)."""
    return datelinks.by_key(datelinks.records(plan.phases.all(), plan.milestones.all(), plan.year))


def outline(plan: Plan) -> list[OutlineNode]:
    """Sections in reading order with their depth and their text as printed (linked dates
    resolved from the schedule; uses the prefetched rows)."""
    values = schedule_values(plan)
    children: dict[int | None, list[Section]] = {}
    for s in plan.sections.all():
        children.setdefault(s.parent_id, []).append(s)
    out: list[OutlineNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for s in children.get(parent_id, []):
            out.append(
                OutlineNode(
                    s,
                    depth,
                    datelinks.resolve(s.title, values),
                    datelinks.resolve(s.content, values),
                )
            )
            walk(s.pk, depth + 1)

    walk(None, 0)
    return out


@dataclass
class DateCode:
    token: str
    label: str
    value: str


def date_codes(plan: Plan) -> list[DateCode]:
    """The tokens the body editor may use, with what they mean and print today."""
    recs = datelinks.records(
        plan.phases.order_by("seq"), plan.milestones.select_related("phase"), plan.year
    )
    return [
        DateCode(
            datelinks.token(r.key, "mm/yyyy" if r.is_month else "dd/mm/yyyy"),
            r.label,
            datelinks.format_value(r.value, None),
        )
        for r in recs
    ]


@dataclass
class Deadline:
    milestone: Milestone
    when: dt.date | None
    days_left: int | None
    label: str

    @property
    def urgent(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 7

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def countdown(self) -> str:
        """ "còn 5 ngày", "hôm nay", "quá hạn 2 ngày"; empty for a month-only deadline."""
        if self.days_left is None:
            return ""
        if self.days_left < 0:
            return f"quá hạn {-self.days_left} ngày"
        return "hôm nay" if self.days_left == 0 else f"còn {self.days_left} ngày"

    @property
    def badge(self) -> tuple[str, str]:
        """(word, Bootstrap tone): the word says it, the colour only repeats it."""
        if self.days_left is None:
            return ("Trong tháng", "info")
        if self.overdue:
            return ("Quá hạn", "danger")
        if self.days_left == 0:
            return ("Hôm nay", "danger")
        return ("Sắp đến hạn", "warning") if self.urgent else ("Còn hạn", "success")


def deadline_of(m: Milestone, *, year: int, today: dt.date) -> Deadline:
    """One milestone with its countdown (a month-only one has none); `year` is its plan's."""
    days = (m.due - today).days if m.due else None
    if m.due:
        label = m.due.strftime("%d/%m/%Y")
    elif m.due_month:
        label = f"tháng {m.due_month:02d}/{m.due_year or year}"
    else:
        label = m.phase.name if m.phase else "chưa định ngày"
    return Deadline(milestone=m, when=m.due, days_left=days, label=label)


def deadlines(*, plan: Plan, today: dt.date | None = None) -> list[Deadline]:
    """The plan's dated obligations with a countdown (month-only ones have no countdown)."""
    today = today or dt.date.today()
    out = [deadline_of(m, year=plan.year, today=today) for m in plan.milestones.all()]
    out.sort(key=lambda d: (d.when is None, d.when or dt.date.max))
    return out


def issued_plan(*, bloc_id: int, year: int) -> Plan | None:
    return (
        Plan.objects.filter(bloc_id=bloc_id, year=year, status=Plan.Status.ISSUED)
        .order_by("-version")
        .first()
    )
