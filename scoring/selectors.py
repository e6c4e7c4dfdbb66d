"""Reads on templates and registrations shared by views, documents, the export and services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from blocs.models import Membership, Unit
from plans.models import Milestone, Plan
from scoring import calc
from scoring.models import Criterion, Registration, Round, SigningMeeting, Target, Template


def newest_first(*, bloc_id: Any, year: Any) -> QuerySet[Template]:
    """A bloc-year's template versions, the current one (the newest) first; `bloc_id` may be
    an OuterRef (the current template's key as a subquery)."""
    return Template.objects.filter(bloc_id=bloc_id, year=year).order_by("-version")


def current_template(*, bloc_id: int, year: int) -> Template | None:
    """The newest version of a bloc-year's template."""
    return newest_first(bloc_id=bloc_id, year=year).select_related("bloc").first()


def versions_applying(*, bloc_id: int, year: int, day: dt.date) -> QuerySet[Template]:
    """The versions that may apply to a period starting on `day`, the one that applies first
    (sheets keep the version they were made with; a later version applies from its date on)."""
    return (
        Template.objects.filter(bloc_id=bloc_id, year=year)
        .filter(Q(applies_from__isnull=True) | Q(applies_from__lte=day))
        .order_by("-version")
    )


def template_for_date(
    *, bloc_id: int, year: int, day: dt.date, annotate: dict | None = None
) -> Template | None:
    """The version that applies to a period starting on `day` (versions_applying).
    `annotate`: expressions asked with it (what the caller reads of it)."""
    versions = versions_applying(bloc_id=bloc_id, year=year, day=day)
    if annotate:
        versions = versions.annotate(**annotate)
    return versions.first()


def template_versions(*, bloc_id: int, year: int) -> list[Template]:
    return list(Template.objects.filter(bloc_id=bloc_id, year=year).order_by("version"))


def node_of(c: Criterion, children: tuple[calc.Node, ...] = ()) -> calc.Node:
    return calc.Node(
        key=str(c.pk),
        code=c.code,
        kind=c.kind,
        max_points=c.max_points,
        children=children,
        step=c.step,
        points_per=c.points_per,
        formula=c.formula,
    )


def build_nodes(criteria: list[Criterion]) -> list[calc.Node]:
    """calc.Node trees from criteria rows (ordered by `order`), children under their parent."""
    by_parent: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        by_parent.setdefault(c.parent_id, []).append(c)

    def make(c: Criterion) -> calc.Node:
        return node_of(c, tuple(make(k) for k in by_parent.get(c.pk, [])))

    return [make(c) for c in by_parent.get(None, [])]


def criteria_of(template: Template) -> list[Criterion]:
    return list(Criterion.objects.filter(template=template).order_by("order", "id"))


def criteria_in_tree_order(template: Template) -> list[Criterion]:
    """Criteria depth-first, each group followed by its children (the order a sheet prints)."""
    criteria = criteria_of(template)
    by_parent: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        by_parent.setdefault(c.parent_id, []).append(c)
    out: list[Criterion] = []

    def walk(parent_id: int | None) -> None:
        for c in by_parent.get(parent_id, []):
            out.append(c)
            walk(c.pk)

    walk(None)
    return out


@dataclass
class Row:
    """One line of the template editor: the criterion, its depth, and computed totals."""

    criterion: Criterion
    depth: int
    pool: str
    children_sum: Decimal | None
    over: bool
    problems: list[str] = field(default_factory=list)

    @property
    def indent(self) -> str:
        return f"{self.depth * 1.5:.1f}rem"


@dataclass
class TemplateView:
    template: Template
    rows: list[Row]
    totals: calc.TreeTotals
    problems: list[calc.Problem]
    groups: list[Criterion]

    @property
    def complete(self) -> bool:
        return not self.problems and self.totals.base == self.template.max_total


def template_view(template: Template) -> TemplateView:
    """The editor's data: rows in tree order with children sums and problems (two queries)."""
    criteria = criteria_of(template)
    roots = build_nodes(criteria)
    by_key = {str(c.pk): c for c in criteria}
    problems = calc.tree_problems(
        roots, max_total=template.max_total, allow_children_over=template.allow_children_over
    )
    by_problem: dict[str, list[str]] = {}
    for p in problems:
        by_problem.setdefault(p.key, []).append(p.message)
    rows: list[Row] = []

    def walk(node: calc.Node, depth: int) -> None:
        is_group = node.kind == calc.GROUP
        total = calc.children_sum(node) if is_group else None
        rows.append(
            Row(
                criterion=by_key[node.key],
                depth=depth,
                pool=calc.pool(node),
                children_sum=total,
                over=bool(is_group and node.children and total > node.max_points),
                problems=by_problem.get(node.key, []),
            )
        )
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    template.bands_list = list(template.bands.all())
    return TemplateView(
        template=template,
        rows=rows,
        totals=calc.tree_totals(roots),
        problems=problems,
        groups=[c for c in criteria if c.kind == Criterion.Kind.GROUP],
    )


# ---------------------------------------------------------------- registrations


def plan_milestone(*, bloc_id: int, year: int, kind: str) -> Milestone | None:
    """A milestone of the bloc-year's issued plan (the newest version), e.g. the registration
    deadline (DANG_KY) or the signing meeting (KY_GIAO_UOC)."""
    plan = (
        Plan.objects.filter(bloc_id=bloc_id, year=year, status=Plan.Status.ISSUED)
        .order_by("-version")
        .first()
    )
    if plan is None:
        return None
    return plan.milestones.filter(kind=kind).order_by("due", "id").first()


def registration_deadline(*, bloc_id: int, year: int) -> dt.date | None:
    m = plan_milestone(bloc_id=bloc_id, year=year, kind=Milestone.Kind.DANG_KY)
    return m.due if m else None


def member_units_qs(*, bloc_id: int, year: int) -> QuerySet[Unit]:
    """The units that belong to the bloc at some time in the year (each once, by name), as a
    query (a form's choices: one query when they are read)."""
    ids = (
        Membership.objects.for_year(year).filter(bloc_id=bloc_id).values_list("unit_id", flat=True)
    )
    return Unit.objects.filter(pk__in=ids).order_by("name")


def member_units(*, bloc_id: int, year: int) -> list[Unit]:
    """The units that belong to the bloc at some time in the year (each once, by name)."""
    return list(member_units_qs(bloc_id=bloc_id, year=year))


def is_member(*, bloc_id: int, year: int, unit_id: int | None) -> bool:
    if not unit_id:
        return False
    return Membership.objects.for_year(year).filter(bloc_id=bloc_id, unit_id=unit_id).exists()


def registrations(*, bloc_id: int, year: int) -> QuerySet[Registration]:
    """A bloc-year's registrations with their targets and titles (a fixed number of queries)."""
    return (
        Registration.objects.filter(bloc_id=bloc_id, year=year)
        .select_related("unit")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("criterion")),
            "titles",
        )
        .order_by("unit__name")
    )


def registration_with_children(pk: int) -> Registration:
    return registrations_qs().get(pk=pk)


def registrations_qs() -> QuerySet[Registration]:
    return Registration.objects.select_related("unit", "bloc", "reviewed_by").prefetch_related(
        Prefetch("targets", queryset=Target.objects.select_related("criterion")), "titles"
    )


@dataclass
class DashboardRow:
    unit: Unit
    registration: Registration | None
    late: bool

    @property
    def status_label(self) -> str:
        if self.registration is None:
            return "Chưa đăng ký"
        return self.registration.get_status_display()


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    deadline: dt.date | None
    meeting: SigningMeeting | None
    counts: dict[str, int]


def dashboard(*, bloc_id: int, year: int, today: dt.date | None = None) -> Dashboard:
    """Who registered, who was returned, who is late: one row per member unit."""
    today = today or dt.date.today()
    deadline = registration_deadline(bloc_id=bloc_id, year=year)
    regs = {
        r.unit_id: r
        for r in Registration.objects.filter(bloc_id=bloc_id, year=year).select_related("unit")
    }
    rows = []
    for unit in member_units(bloc_id=bloc_id, year=year):
        reg = regs.get(unit.pk)
        rows.append(DashboardRow(unit, reg, _late(reg, deadline, today)))
    counts = {s: 0 for s in Registration.Status.values}
    counts["none"] = 0
    for r in rows:
        counts[r.registration.status if r.registration else "none"] += 1
    counts["late"] = sum(r.late for r in rows)
    meeting = SigningMeeting.objects.filter(bloc_id=bloc_id, year=year).first()
    return Dashboard(rows=rows, deadline=deadline, meeting=meeting, counts=counts)


def _late(reg: Registration | None, deadline: dt.date | None, today: dt.date) -> bool:
    if deadline is None:
        return False
    if reg is None or reg.first_submitted_at is None:
        return today > deadline
    return timezone.localdate(reg.first_submitted_at) > deadline


@dataclass
class Reminder:
    bloc_id: int
    bloc_name: str
    year: int
    deadline: dt.date | None
    status: str
    overdue: bool


def reminders_for(*, user, entries, today: dt.date, memberships=None) -> list[Reminder]:
    """The bloc-years (from the home page's entries) where the user's unit still has to register:
    no registration sent yet (none, a draft, or returned). Two queries whatever the number, and
    one more without `memberships` (every membership of the unit, as the home page has them)."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return []
    pairs = {(e.bloc.pk, e.year): e.bloc.name for e in entries if e.role != "reviewer"}
    if not pairs:
        return []
    years = {y for _, y in pairs}
    done = {
        (r.bloc_id, r.year): r for r in Registration.objects.filter(unit_id=unit_id, year__in=years)
    }
    blocs = {b for b, _ in pairs}
    if memberships is not None:
        member = {
            (m.bloc_id, m.joined_on, m.left_on)
            for m in memberships
            if m.unit_id == unit_id and m.bloc_id in blocs
        }
    else:
        member = set(
            Membership.objects.filter(unit_id=unit_id, bloc_id__in=blocs).values_list(
                "bloc_id", "joined_on", "left_on"
            )
        )
    due = _deadlines(pairs)
    out = []
    for (bloc_id, year), name in sorted(pairs.items(), key=lambda kv: (-kv[0][1], kv[1])):
        reg = done.get((bloc_id, year))
        if reg is not None and not reg.is_editable:
            continue
        if not any(b == bloc_id and _covers(j, left, year) for b, j, left in member):
            continue
        deadline = due.get((bloc_id, year))
        status = reg.get_status_display() if reg else "Chưa đăng ký"
        overdue = bool(deadline and today > deadline)
        out.append(Reminder(bloc_id, name, year, deadline, status, overdue))
    return out


def _covers(joined: dt.date, left: dt.date | None, year: int) -> bool:
    return joined <= dt.date(year, 12, 31) and (left is None or left >= dt.date(year, 1, 1))


def _deadlines(pairs) -> dict[tuple[int, int], dt.date]:
    """The DANG_KY due date of each bloc-year's issued plan (newest version), in one query."""
    rows = (
        Milestone.objects.filter(
            kind=Milestone.Kind.DANG_KY,
            plan__status=Plan.Status.ISSUED,
            plan__bloc_id__in={b for b, _ in pairs},
            due__isnull=False,
        )
        .order_by("plan__version", "due")
        .values_list("plan__bloc_id", "plan__year", "due")
    )
    return {(b, y): due for b, y, due in rows if (b, y) in pairs}


def rounds(*, bloc_id: int, year: int, active_only: bool = True) -> QuerySet[Round]:
    qs = Round.objects.filter(bloc_id=bloc_id, year=year)
    return qs.filter(active=True) if active_only else qs


def round_end(round: Round) -> dt.date:
    """The day membership is judged on for a round: the end of its data period (or its due date,
    else the year's end)."""
    return round.data_to or round.due or dt.date(round.year, 12, 31)


def units_due(*, round: Round) -> list[Unit]:
    """The members that report in `round`: those that were members at the end of its data period
    (or its due date, else the year's end). A unit that joined after the period reports from the
    next round on; one that left before it reports in none after it left."""
    end = round_end(round)
    members = (
        Membership.objects.filter(bloc_id=round.bloc_id, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=end))
        .select_related("unit")
        .order_by("unit__name")
    )
    return [m.unit for m in members]
