"""Reads of a member unit's reporting rounds: for its "Báo cáo của đơn vị" page, every round of
the bloc-year with its due date and countdown, whether the unit reports in it, the state of its
submission and the moves of the due date made by plan amendments (the audited "round.update"
events); for the home page, the same state next to the plan's report deadlines.
Fixed query counts, whatever the number of rounds or blocs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from blocs.models import AuditEvent, Membership
from plans.datelinks import milestone_keys
from plans.models import Milestone
from plans.selectors import Deadline
from scoring.models import Round, Submission
from scoring.selectors_sheets import STATE_LABELS, cell_state, due_in

S = Submission.Status
OPEN_STATES = ("not_started", "draft", "returned")  # the unit still has to act
STATE_TONES = {
    "not_due": "light",
    "not_started": "secondary",
    "draft": "info",
    "submitted": "success",
    "submitted_late": "warning",
    "in_review": "primary",
    "returned": "danger",
    "reviewed": "success",
    "final": "dark",
}


@dataclass(frozen=True)
class DueMove:
    """A plan amendment moved the round's due date (from the audit trail)."""

    old: dt.date | None
    new: dt.date | None
    version: int | None


@dataclass
class UnitRound:
    round: Round
    submission: Submission | None
    due: bool  # the unit reports in this round (a member at the end of its data period)
    deadline: Deadline
    moves: list[DueMove] = field(default_factory=list)

    @property
    def state(self) -> str:
        return cell_state(self.submission, self.due)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def tone(self) -> str:
        return STATE_TONES[self.state]

    @property
    def to_do(self) -> bool:
        """The unit still has to submit (not started, drafting or returned)."""
        return self.due and self.state in OPEN_STATES

    @property
    def overdue(self) -> bool:
        return self.to_do and self.deadline.overdue

    @property
    def last_move(self) -> DueMove | None:
        return self.moves[-1] if self.moves else None


def _deadline(due: dt.date | None, today: dt.date) -> Deadline:
    """plans.selectors.Deadline (its countdown and badge) for a round's due date."""
    label = due.strftime("%d/%m/%Y") if due else "chưa định ngày"
    days = (due - today).days if due else None
    return Deadline(milestone=None, when=due, days_left=days, label=label)


def _parse(day: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(day)) if day else None
    except ValueError:
        return None


def due_moves(rounds: Iterable[Round]) -> dict[int, list[DueMove]]:
    """round id → the moves of its due date, oldest first (one query)."""
    ids = {str(r.pk): r.pk for r in rounds}
    events = AuditEvent.objects.filter(
        action="round.update", object_type="scoring.round", object_id__in=ids
    ).order_by("at", "id")
    out: dict[int, list[DueMove]] = {}
    for e in events:
        change = (e.data.get("changes") or {}).get("due")
        if change:
            move = DueMove(
                _parse(change.get("old")), _parse(change.get("new")), e.data.get("version")
            )
            out.setdefault(ids[e.object_id], []).append(move)
    return out


def unit_rounds(
    *, bloc_id: int, year: int, unit_id: int, today: dt.date | None = None
) -> list[UnitRound]:
    """Every active round of the bloc-year for one unit, by due date (four queries)."""
    today = today or dt.date.today()
    rounds = list(Round.objects.filter(bloc_id=bloc_id, year=year, active=True))
    memberships = list(Membership.objects.filter(bloc_id=bloc_id, unit_id=unit_id))
    subs = {s.round_id: s for s in Submission.objects.filter(round__in=rounds, unit_id=unit_id)}
    moves = due_moves(rounds)
    return [
        UnitRound(
            round=r,
            submission=subs.get(r.pk),
            due=any(due_in(r, m.joined_on, m.left_on) for m in memberships),
            deadline=_deadline(r.due, today),
            moves=moves.get(r.pk, []),
        )
        for r in rounds
    ]


# ---------------------------------------------------------------- the home page's deadlines

REPORT_KINDS = {Milestone.Kind.BAO_CAO_SO_KET, Milestone.Kind.BAO_CAO_TONG_KET}


@dataclass(frozen=True)
class ReportState:
    """The unit's submission in the round a report milestone stands for."""

    round: Round
    submission: Submission | None

    @property
    def state(self) -> str:
        return cell_state(self.submission, True)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def done(self) -> bool:
        return self.state not in OPEN_STATES


def report_states(*, unit_id: int | None, milestones: list[Milestone]) -> dict[int, ReportState]:
    """milestone id → the unit's state in the round it stands for, for the report milestones of
    issued plans (the round keys of plans.datelinks.milestone_keys; three queries)."""
    plan_ids = {m.plan_id for m in milestones if m.kind in REPORT_KINDS}
    if not unit_id or not plan_ids:
        return {}
    keys: dict[int, tuple[int, int, str]] = {}
    by_plan: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(plan_id__in=plan_ids).select_related("plan"):
        by_plan.setdefault(m.plan_id, []).append(m)
    for ms in by_plan.values():
        for key, _label, m in milestone_keys(ms):
            keys[m.pk] = (m.plan.bloc_id, m.plan.year, key)
    rounds = {
        (r.bloc_id, r.year, r.key): r
        for r in Round.objects.filter(
            bloc_id__in={k[0] for k in keys.values()}, year__in={k[1] for k in keys.values()}
        )
    }
    subs = {
        s.round_id: s
        for s in Submission.objects.filter(
            unit_id=unit_id, round_id__in=[r.pk for r in rounds.values()]
        )
    }
    out = {}
    for m in milestones:
        r = rounds.get(keys.get(m.pk, ()))
        if r is not None:
            out[m.pk] = ReportState(r, subs.get(r.pk))
    return out
