"""Reads on submissions and sheets shared by the pages, the documents and the export: a sheet as
printed and edited (rows in tree order with the unit's, the reviewers' and the final points),
and the secretariat's board of every member × every round. Fixed query counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from blocs.access import BlocScope
from blocs.models import Membership, Unit
from scoring import sheets
from scoring.models import Attachment, Criterion, Entry, Review, Round, Submission
from scoring.selectors import round_end
from scoring.services.reviews import current_layer, layers_for, review_mode_of

S = Submission.Status


def submissions_qs() -> QuerySet[Submission]:
    return Submission.objects.select_related(
        "round",
        "round__bloc",
        "round__bloc__province",
        "unit",
        "unit__province",
        "unit__parent",
        "template",
        "template__bloc",
        "finalized_by",
    )


@dataclass
class SheetRow:
    criterion: Criterion
    depth: int
    entry: Entry | None
    self_points: Decimal | None
    reviewed_points: Decimal | None
    final_points: Decimal | None
    reviews: dict[str, Review] = field(default_factory=dict)
    files: list[Attachment] = field(default_factory=list)
    target: Decimal | None = None  # the unit's registered target (quantitative lines)

    @property
    def is_group(self) -> bool:
        return self.entry is None

    @property
    def changed(self) -> bool:
        """A reviewer's points differ from the unit's own (shown line by line to the unit)."""
        return bool(self.reviews) and self.reviewed_points != self.self_points

    @property
    def value_label(self) -> str:
        return sheets.value_label(self.criterion)

    @property
    def layer_reviews(self) -> list[Review]:
        """The line's reviews in the order of the layers (deputy or cross, then head)."""
        return [self.reviews[layer] for layer in sheets.LAYER_ORDER if layer in self.reviews]

    @property
    def indent(self) -> str:
        return f"{self.depth * 1.25:.2f}rem"


@dataclass
class SheetView:
    submission: Submission
    rows: list[SheetRow]
    scores: sheets.SheetScores | None
    layers: list[str]
    layer: str
    report_files: list[Attachment]
    attachments: list[Attachment]

    @property
    def leaves(self) -> list[SheetRow]:
        return [r for r in self.rows if not r.is_group]

    @property
    def entered(self) -> int:
        return sum(1 for r in self.leaves if r.entry.self_score is not None)

    def groups_above(self, row: SheetRow) -> list[SheetRow]:
        """The groups `row` sits in, innermost first: the subtotals a change of its line moves."""
        by_pk = {r.criterion.pk: r for r in self.rows}
        out, parent = [], row.criterion.parent_id
        while parent is not None and parent in by_pk:
            out.append(by_pk[parent])
            parent = by_pk[parent].criterion.parent_id
        return out


def sheet_view(submission: Submission, scope: BlocScope | None = None) -> SheetView:
    """Everything the sheet page and the sheet document show, in six queries at any size
    (four when the gate's `scope` of the submission's bloc-year gives the term)."""
    sub = submission
    files = list(Attachment.objects.filter(submission=sub).order_by("id"))
    mode = review_mode_of(sub)
    layers = layers_for(sub.round.bloc_id, sub.round.year, mode=mode, **_term_of(scope, sub))
    if not sub.has_sheet:
        return SheetView(sub, [], None, layers, current_layer(sub, layers), *_split(files))
    criteria, entries, reviews = sheets.load_joined(sub)
    scores = sheets.compute(sub, criteria, entries, reviews)
    targets = sheets.targets_for(sub)
    return sheet_view_of(sub, criteria, entries, reviews, scores, targets, files, layers=layers)


def sheet_view_of(
    sub: Submission,
    criteria: list[Criterion],
    entries: list[Entry],
    reviews: dict[int, list[Review]],
    scores: sheets.SheetScores,
    targets: dict[int, Decimal],
    files: list[Attachment],
    *,
    layers: list[str] | None = None,
) -> SheetView:
    """The sheet from what the caller has read already (no query): a line save builds its
    answer from the lines read inside its lock. Without `layers`, the review layers are left
    unknown (empty) rather than read."""
    by_crit = {e.criterion_id: e for e in entries}
    evidence: dict[int, list[Attachment]] = {}
    for f in files:
        if f.entry_id:
            evidence.setdefault(f.entry_id, []).append(f)
    children: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)
    rows: list[SheetRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            entry = by_crit.get(c.pk) if c.kind != Criterion.Kind.GROUP else None
            key = str(c.pk)
            rows.append(
                SheetRow(
                    criterion=c,
                    depth=depth,
                    entry=entry,
                    self_points=scores.self.nodes.get(key) if entry is None else entry.self_score,
                    reviewed_points=scores.reviewed.nodes.get(key),
                    final_points=scores.final.nodes.get(key) if scores.final else None,
                    reviews={r.layer: r for r in reviews.get(entry.pk, [])} if entry else {},
                    files=evidence.get(entry.pk, []) if entry else [],
                    target=targets.get(c.pk),
                )
            )
            walk(c.pk, depth + 1)

    walk(None, 0)
    layer = current_layer(sub, layers) if layers else ""
    return SheetView(sub, rows, scores, layers or [], layer, *_split(files))


def _term_of(scope: BlocScope | None, sub: Submission) -> dict:
    """{"term": the gate's term} when `scope` is the submission's bloc-year, else nothing."""
    if scope is not None and (scope.bloc.pk, scope.year) == (sub.round.bloc_id, sub.round.year):
        return {"term": scope.term}
    return {}


def _split(files: list[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    return (
        [f for f in files if f.purpose == Attachment.Purpose.REPORT],
        [f for f in files if f.purpose == Attachment.Purpose.ATTACHMENT],
    )


# ---------------------------------------------------------------- the board

STATE_LABELS = {
    "not_due": "Không phải nộp",
    "not_started": "Chưa bắt đầu",
    "draft": "Đang soạn",
    "submitted": "Đã nộp đúng hạn",
    "submitted_late": "Đã nộp (muộn)",
    "in_review": "Đang thẩm định",
    "returned": "Bị trả lại",
    "reviewed": "Đã thẩm định",
    "final": "Đã chốt",
}


@dataclass
class Cell:
    round: Round
    submission: Submission | None
    state: str
    overdue: bool = False

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def late(self) -> bool:
        return bool(self.submission and self.submission.late)


@dataclass
class BoardRow:
    unit: Unit
    cells: list[Cell]


@dataclass
class Board:
    rounds: list[Round]
    rows: list[BoardRow]
    counts: dict[int, dict[str, int]]  # round id → state → count


def cell_state(sub: Submission | None, due: bool) -> str:
    if not due and sub is None:
        return "not_due"
    if sub is None:
        return "not_started"
    if sub.status == S.SUBMITTED:
        return "submitted_late" if sub.late else "submitted"
    return sub.status


def due_in(round: Round, joined: dt.date, left: dt.date | None) -> bool:
    """The rule of scoring.selectors.units_due, on one membership row (no query)."""
    end = round_end(round)
    return joined <= end and (left is None or left >= end)


def board(*, bloc_id: int, year: int, today: dt.date | None = None) -> Board:
    """Every member × every active round of the year, in three queries."""
    today = today or dt.date.today()
    rounds = list(Round.objects.filter(bloc_id=bloc_id, year=year, active=True))
    memberships = list(
        Membership.objects.for_year(year).filter(bloc_id=bloc_id).select_related("unit")
    )
    subs = {
        (s.round_id, s.unit_id): s
        for s in Submission.objects.filter(round__in=rounds).select_related("round")
    }
    units: dict[int, tuple[Unit, list[Membership]]] = {}
    for m in memberships:
        units.setdefault(m.unit_id, (m.unit, []))[1].append(m)
    rows = []
    counts = {r.pk: dict.fromkeys(STATE_LABELS, 0) for r in rounds}
    for unit, ms in sorted(units.values(), key=lambda t: t[0].name):
        cells = []
        for r in rounds:
            sub = subs.get((r.pk, unit.pk))
            due = any(due_in(r, m.joined_on, m.left_on) for m in ms)
            state = cell_state(sub, due)
            overdue = bool(
                due and r.due and today > r.due and state in ("not_started", "draft", "returned")
            )
            cells.append(Cell(r, sub, state, overdue))
            counts[r.pk][state] += 1
        rows.append(BoardRow(unit, cells))
    return Board(rounds, rows, counts)
