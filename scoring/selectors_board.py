"""What the secretariat's board shows on top of selectors_sheets.board: per round the counts by
state as a progress bar, the rows filtered by a state, and who a round's finalisation at the
meeting would leave out. No queries: everything comes from the board already read."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.models import Round
from scoring.selectors_sheets import STATE_LABELS, Board, BoardRow

# The bar runs from the finished end to the untouched one.
PROGRESS_ORDER = [
    "final",
    "reviewed",
    "in_review",
    "submitted",
    "submitted_late",
    "returned",
    "draft",
    "not_started",
]
NOT_REVIEWED = ("submitted", "submitted_late", "in_review", "returned")
NOT_SUBMITTED = ("not_started", "draft")


@dataclass
class Segment:
    state: str
    label: str
    count: int
    percent: int


@dataclass
class RoundSummary:
    round: Round
    due: int  # units that report in the round
    final: int
    overdue: int
    segments: list[Segment]
    ready: list[str]  # reviewed: the meeting's finalisation would agree these
    not_reviewed: list[str]  # submitted but not reviewed yet (left as they are)
    not_submitted: list[str]  # not started or still a draft

    @property
    def final_percent(self) -> int:
        return round(100 * self.final / self.due) if self.due else 0


def summaries(board: Board) -> list[RoundSummary]:
    """One summary per round of the board, in the board's order."""
    out = []
    for index, rnd in enumerate(board.rounds):
        counts = board.counts[rnd.pk]
        due = sum(n for state, n in counts.items() if state != "not_due")
        segments = [
            Segment(s, STATE_LABELS[s], counts[s], round(100 * counts[s] / due))
            for s in PROGRESS_ORDER
            if counts[s] and due
        ]
        cells = [(row.unit.name, row.cells[index]) for row in board.rows]
        out.append(
            RoundSummary(
                round=rnd,
                due=due,
                final=counts["final"],
                overdue=sum(1 for _, c in cells if c.overdue),
                segments=segments,
                ready=[name for name, c in cells if c.state == "reviewed"],
                not_reviewed=[name for name, c in cells if c.state in NOT_REVIEWED],
                not_submitted=[name for name, c in cells if c.state in NOT_SUBMITTED],
            )
        )
    return out


def filter_rows(board: Board, *, state: str = "", round_id: int | None = None) -> list[BoardRow]:
    """The rows with a cell in `state` (in the round `round_id`, or in any round)."""
    if state not in STATE_LABELS and state != "overdue":
        return board.rows
    out = []
    for row in board.rows:
        cells = [c for c in row.cells if round_id is None or c.round.pk == round_id]
        if any(c.overdue if state == "overdue" else c.state == state for c in cells):
            out.append(row)
    return out
