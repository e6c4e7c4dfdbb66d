"""The scores of a sheet: a line's points from what the unit entered, and the sheet's totals as
the unit scored it, as the reviewers left it, and as agreed (final). Built on scoring.calc; reads
at most four queries whatever the number of criteria."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q

from scoring import calc
from scoring.models import Criterion, Entry, Registration, Review, Submission, Target
from scoring.selectors import build_nodes

K = Criterion.Kind
LAYER_ORDER = [Review.Layer.DEPUTY, Review.Layer.CROSS, Review.Layer.HEAD]
COUNT_KINDS = (K.PER_OCCURRENCE, K.BONUS, K.DEDUCTION)


def value_label(criterion: Criterion) -> str:
    """What the unit types on a line of this kind (shown next to the field)."""
    return {
        K.GRADED: "Điểm tự chấm",
        K.QUANTITATIVE: "Kết quả thực hiện",
        K.PER_OCCURRENCE: "Số lần",
        K.BONUS: "Số lần được thưởng",
        K.DEDUCTION: "Số lần bị trừ",
    }.get(criterion.kind, "")


def leaf_score(
    criterion: Criterion, *, value: object, passed: bool | None, target: Decimal | None = None
) -> Decimal | None:
    """The points a unit's input gives a leaf (None: nothing entered yet). Raises
    calc.ScoreError with a message for the user when the input does not fit the line."""
    kind = criterion.kind
    if kind == K.PASS_FAIL:
        if value not in (None, ""):
            raise calc.ScoreError(
                "Tiêu chí đạt/không đạt chỉ chọn “Đạt” hoặc “Không đạt”, không nhập số."
            )
        if passed is None:
            return None
        return calc.pass_fail(bool(passed), max_points=criterion.max_points)
    if passed is not None:
        raise calc.ScoreError("Chỉ tiêu chí đạt/không đạt mới chọn “Đạt”.")
    if value in (None, ""):
        return None
    if kind == K.GRADED:
        return calc.graded(value, max_points=criterion.max_points, step=criterion.step)
    if kind == K.QUANTITATIVE:
        actual = calc.to_decimal(value)
        return calc.round_points(
            calc.quantitative(
                max_points=criterion.max_points,
                target=target,
                actual=actual,
                formula=criterion.formula or calc.RATIO,
            )
        )
    if kind in COUNT_KINDS:
        return calc.capped_count(
            value, points_per=criterion.points_per or calc.ZERO, cap=criterion.max_points
        )
    raise calc.ScoreError(f"Tiêu chí {criterion.code} là nhóm, không chấm trực tiếp.")


def parse_value(criterion: Criterion, value: object) -> Decimal | None:
    """The number typed on a line, checked for its kind (None when left empty)."""
    if value in (None, ""):
        return None
    number = calc.to_decimal(value)
    if number < 0:
        raise calc.ScoreError("Không nhập số âm.")
    if abs(number) >= Decimal("1e12"):
        raise calc.ScoreError("Số quá lớn.")
    if criterion.kind in COUNT_KINDS and number != number.to_integral_value():
        raise calc.ScoreError("Số lần phải là số nguyên không âm.")
    return number


def review_score(criterion: Criterion, value: object) -> Decimal:
    """A reviewer's points for a line: 0 to the line's maximum (deductions as a positive
    amount), on the line's step for graded lines."""
    if value in (None, ""):
        raise calc.ScoreError("Nhập điểm thẩm định.")
    step = criterion.step if criterion.kind == K.GRADED else None
    return calc.graded(value, max_points=criterion.max_points, step=step)


def targets_for(submission: Submission) -> dict[int, Decimal]:
    """criterion id → the target value the unit registered for it (quantitative lines)."""
    rows = Target.objects.filter(
        registration__bloc_id=submission.round.bloc_id,
        registration__year=submission.round.year,
        registration__unit_id=submission.unit_id,
        criterion__isnull=False,
        target_value__isnull=False,
    ).exclude(registration__status=Registration.Status.DRAFT)
    return {t.criterion_id: t.target_value for t in rows}


def latest_review(reviews: Iterable[Review]) -> Review | None:
    """The review of the last layer that scored the line."""
    ranked = sorted(reviews, key=lambda r: LAYER_ORDER.index(r.layer))
    return ranked[-1] if ranked else None


@dataclass(frozen=True)
class Scores:
    """Points per criterion (groups summed and capped) and the sheet's total."""

    nodes: dict[str, Decimal]
    base: Decimal
    total: calc.Total


def total_of(
    submission: Submission, criteria: list[Criterion], points: Mapping[str, Decimal]
) -> Scores:
    template = submission.template
    roots = build_nodes(criteria)
    tree = calc.score_tree(roots, points)
    total = calc.final_total(
        base=tree.base,
        bonus=tree.bonus,
        penalty=tree.penalty + (submission.late_penalty or calc.ZERO),
        max_total=template.max_total,
        bonus_cap=template.bonus_cap,
        penalty_cap=template.penalty_cap,
        allow_exceed_max=template.allow_exceed_max,
    )
    return Scores(nodes=tree.nodes, base=tree.base, total=total)


@dataclass(frozen=True)
class SheetScores:
    self: Scores
    reviewed: Scores
    final: Scores | None


def compute(
    submission: Submission,
    criteria: list[Criterion],
    entries: list[Entry],
    reviews: Mapping[int, list[Review]],
) -> SheetScores:
    """Self, reviewed (each line's last layer, else the unit's score) and final totals."""
    own = {str(e.criterion_id): e.self_score for e in entries if e.self_score is not None}
    reviewed = dict(own)
    for e in entries:
        last = latest_review(reviews.get(e.pk, []))
        if last is not None:
            reviewed[str(e.criterion_id)] = last.score
    final = None
    if submission.status == Submission.Status.FINAL:
        final_points = {
            str(e.criterion_id): e.final_score for e in entries if e.final_score is not None
        }
        final = total_of(submission, criteria, final_points)
    return SheetScores(
        self=total_of(submission, criteria, own),
        reviewed=total_of(submission, criteria, reviewed),
        final=final,
    )


def load(submission: Submission) -> tuple[list[Criterion], list[Entry], dict[int, list[Review]]]:
    """Criteria, entries and reviews of a sheet in three queries."""
    criteria = list(Criterion.objects.filter(template_id=submission.template_id).order_by("order"))
    entries = list(Entry.objects.filter(submission=submission))
    return criteria, entries, _reviews(submission)


def _reviews(submission: Submission) -> dict[int, list[Review]]:
    reviews: dict[int, list[Review]] = {}
    for r in Review.objects.filter(entry__submission=submission).select_related(
        "reviewer", "reviewer_unit"
    ):
        reviews.setdefault(r.entry_id, []).append(r)
    return reviews


ENTRY_COLUMNS = tuple(f.attname for f in Entry._meta.concrete_fields)


def load_joined(
    submission: Submission,
) -> tuple[list[Criterion], list[Entry], dict[int, list[Review]]]:
    """`load` in two queries: each criterion of the template comes with the sheet's line on it
    (one LEFT JOIN), every line with its criterion set; the same lists in the same order."""
    line = FilteredRelation("entries", condition=Q(entries__submission_id=submission.pk))
    rows = (
        Criterion.objects.filter(template_id=submission.template_id)
        .annotate(line=line)
        .annotate(**{f"line_{name}": F(f"line__{name}") for name in ENTRY_COLUMNS})
        .order_by("order", "id")
    )
    criteria, entries = [], []
    for c in rows:
        values = [c.__dict__.pop(f"line_{name}") for name in ENTRY_COLUMNS]
        criteria.append(c)
        if values[0] is not None:
            entry = Entry.from_db(rows.db, ENTRY_COLUMNS, values)
            entry.criterion = c
            entries.append(entry)
    return criteria, entries, _reviews(submission)


def refresh_totals(submission: Submission, scores: SheetScores | None = None) -> list[str]:
    """Recompute the stored totals of a sheet (the caller holds the row lock); returns the
    fields that changed, already set on `submission` (the caller saves them). `scores`: the
    sheet's scores computed by the caller from what it read inside the lock (else read here)."""
    if not submission.has_sheet:
        return []
    scores = scores or compute(submission, *load(submission))
    new = {
        "self_total": scores.self.total.total,
        "reviewed_total": scores.reviewed.total.total,
        "final_total": scores.final.total.total if scores.final else None,
    }
    changed = []
    for name, value in new.items():
        if getattr(submission, name) != value:
            setattr(submission, name, value)
            changed.append(name)
    return changed
