"""Writes of the secretariat (and the reviewers it appoints) on submitted sheets (DOMAIN §2.3):

    SUBMITTED → IN_REVIEW (layer k: deputy or cross-scoring unit, then the head)
    any review state → RETURNED (reason) → the unit corrects and submits again
    IN_REVIEW (last layer done) → REVIEWED → FINAL (agreed at the meeting; immutable)
    FINAL → IN_REVIEW at the head's layer (reopened with a reason)

Same pattern as every write: lock the submission, check state and revision inside the lock,
write only what changed, audit old → new (with the reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from blocs import access, audit
from blocs.models import Bloc, BlocTerm
from blocs.text import strip_controls
from scoring import calc, selectors, sheets
from scoring.models import (
    Criterion,
    CrossAssignment,
    Entry,
    Review,
    ReviewSetup,
    Round,
    Submission,
)
from scoring.services.sheets import LINE_STALE_MESSAGE, StaleSheetError, lock, log

S = Submission.Status
L = Review.Layer
Mode = ReviewSetup.Mode


def review_mode(bloc_id: int, year: int) -> str:
    setup = ReviewSetup.objects.filter(bloc_id=bloc_id, year=year).first()
    return setup.mode if setup else Mode.HEAD_DEPUTY


REVIEW_MODE = "bloc_review_mode"


def with_review_mode(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    """Submissions with the review mode of their bloc-year asked in the same query (the gates
    of the sheet pages: review_mode_of then costs nothing)."""
    setup = ReviewSetup.objects.filter(
        bloc_id=OuterRef("round__bloc_id"), year=OuterRef("round__year")
    ).order_by("pk")
    return qs.annotate(**{REVIEW_MODE: Subquery(setup.values("mode")[:1])})


def review_mode_of(sub: Submission) -> str:
    """The review mode of the submission's bloc-year (see with_review_mode)."""
    if hasattr(sub, REVIEW_MODE):
        return getattr(sub, REVIEW_MODE) or Mode.HEAD_DEPUTY
    return review_mode(sub.round.bloc_id, sub.round.year)


_UNKNOWN: Any = object()


def layers_for(
    bloc_id: int, year: int, *, term: BlocTerm | None = _UNKNOWN, mode: str | None = None
) -> list[str]:
    """The review layers of a bloc-year, in order; the head's layer is always last. `term`: the
    bloc-year's term when the caller has it (the gate's scope.term, which knows whether it
    names deputies), else it is loaded; `mode`: its review mode when known (review_mode_of)."""
    mode = mode or review_mode(bloc_id, year)
    if mode == Mode.CROSS:
        return [L.CROSS, L.HEAD]
    if mode == Mode.HEAD_DEPUTY:
        if term is _UNKNOWN:
            term = BlocTerm.objects.filter(bloc_id=bloc_id, year=year).first()
        if term is not None and access.has_deputies(term):
            return [L.DEPUTY, L.HEAD]
    return [L.HEAD]


def current_layer(sub: Submission, layers: list[str] | None = None) -> str:
    layers = layers or layers_for(sub.round.bloc_id, sub.round.year)
    return layers[min(sub.layer, len(layers) - 1)]


def cross_reviewer_id(sub: Submission) -> int | None:
    return (
        CrossAssignment.objects.filter(
            bloc_id=sub.round.bloc_id, year=sub.round.year, reviewed_id=sub.unit_id
        )
        .values_list("reviewer_id", flat=True)
        .first()
    )


def may_review(roles: frozenset[str], actor: Any, sub: Submission, layer: str) -> bool:
    """Whether `actor` (with `roles` in the bloc-year) scores `layer` of `sub`. The head (or a
    site administrator) may act on any layer; nobody verifies their own unit's sheet except at
    the head's layer, where the head confirms it."""
    if roles & {access.SECRETARIAT, access.ADMIN}:
        return True
    if getattr(actor, "unit_id", None) == sub.unit_id:
        return False
    if layer == L.DEPUTY:
        return access.DEPUTY in roles
    if layer == L.CROSS:
        return bool(actor.unit_id) and actor.unit_id == cross_reviewer_id(sub)
    return False


def _check_reviewer(
    actor: Any, sub: Submission, layer: str, scope: access.BlocScope | None = None
) -> None:
    """`scope`: the actor's scope in the bloc-year when the caller has it (the gate's), else
    it is loaded."""
    scope = scope or access.load_scope(actor, sub.round.bloc, sub.round.year)
    if not may_review(scope.roles, actor, sub, layer):
        raise PermissionDenied("Bạn không được phân công thẩm định bước này của bảng điểm.")


def _ensure_reviewable(sub: Submission) -> None:
    if sub.status not in Submission.REVIEWABLE:
        raise ValidationError(
            f"Báo cáo đang ở trạng thái “{sub.get_status_display()}”, không thẩm định được.",
            code="state",
        )


def _layers(sub: Submission, known: Submission | None, scope: access.BlocScope | None) -> list[str]:
    """The review layers of the locked `sub`, from what the gate already read when it did: the
    review mode of `known` (the same sheet as the gate read it, see with_review_mode) and the
    term of `scope`; else they are read. Neither is under the sheet's lock in any case (the
    setup save locks the bloc), so reading them before it changes nothing."""
    term = scope.term if scope is not None else _UNKNOWN
    mode = review_mode_of(known if hasattr(known, REVIEW_MODE) else sub)
    return layers_for(sub.round.bloc_id, sub.round.year, term=term, mode=mode)


def _totals(sub: Submission) -> list[str]:
    """refresh_totals over the sheet read in two queries (load_joined) instead of three."""
    return sheets.refresh_totals(sub, sheets.compute(sub, *sheets.load_joined(sub)))


@transaction.atomic
def review_line(
    *,
    entry: Entry,
    actor: Any,
    score: object,
    comment: str = "",
    revision: int | None = None,
    scope: access.BlocScope | None = None,
) -> Review:
    """The current layer's score and comment on one line (the reviewer types the points).
    Only `entry`'s pk and submission are used: the line is read inside the lock (DoesNotExist
    when it is not a line of that sheet); `scope`: the actor's, when the caller has it."""
    sub = lock(entry.submission_id)
    criteria, entries, reviews = sheets.load_joined(sub)
    line = next((e for e in entries if e.pk == entry.pk), None)
    if line is None:
        raise Entry.DoesNotExist("Không tìm thấy dòng của bảng điểm.")
    _ensure_reviewable(sub)
    known = entry.submission if Entry.submission.is_cached(entry) else None
    layer = current_layer(sub, _layers(sub, known, scope))
    _check_reviewer(actor, sub, layer, scope)
    try:
        points = sheets.review_score(line.criterion, score)
    except calc.ScoreError as exc:
        raise ValidationError({"score": str(exc)}) from None
    comment = strip_controls(comment or "").strip()
    if len(comment) > 4000:
        raise ValidationError({"comment": "Nhận xét dài quá 4.000 ký tự."})
    # The line's reviews come with the sheet's, read under the sheet's lock, which every
    # review write takes first: no other lock is needed on the review row.
    line_reviews = reviews.setdefault(line.pk, [])
    review = next((r for r in line_reviews if r.layer == layer), None)
    if review is not None:
        review.entry = line  # the line as read here, with its criterion, for the caller
    if review is not None and revision is not None and int(revision) != review.revision:
        raise StaleSheetError(LINE_STALE_MESSAGE, current=review)
    old = {"score": review.score, "comment": review.comment} if review else {}
    new = {"score": points, "comment": comment}
    diff = audit.changes(old, new)
    if review is not None and not diff:
        return review
    if review is None:
        review = Review(entry=line, layer=layer)
        line_reviews.append(review)
    review.score, review.comment = points, comment
    review.reviewer = actor if getattr(actor, "pk", None) else None
    review.reviewer_unit_id = getattr(actor, "unit_id", None)
    review.revision += 1
    review.save()
    fields = sheets.refresh_totals(sub, sheets.compute(sub, criteria, entries, reviews))
    if sub.status == S.SUBMITTED:
        sub.status = S.IN_REVIEW
        fields.append("status")
    if fields:
        sub.save(update_fields=fields)
    log(
        sub,
        "sheet.review",
        actor,
        criterion=line.criterion.code,
        line=line.pk,
        layer=layer,
        self_score=audit.plain(line.self_score),
        changes=diff,
    )
    return review


@transaction.atomic
def layer_done(
    *,
    submission: Submission,
    actor: Any,
    revision: int | None = None,
    scope: access.BlocScope | None = None,
) -> Submission:
    """The current layer has finished: the next layer takes the sheet, or it is REVIEWED.
    `scope`: the actor's, when the caller has it."""
    sub = lock(submission, revision)
    _ensure_reviewable(sub)
    layers = _layers(sub, submission, scope)
    layer = current_layer(sub, layers)
    _check_reviewer(actor, sub, layer, scope)
    old = {"status": sub.status, "layer": layer}
    if sub.layer + 1 >= len(layers):
        sub.status = S.REVIEWED
    else:
        sub.status = S.IN_REVIEW
        sub.layer += 1
    sub.revision += 1
    sub.save(update_fields=["status", "layer", "revision", *_totals(sub)])
    new = {"status": sub.status, "layer": current_layer(sub, layers)}
    log(sub, "submission.layer_done", actor, layer=layer, changes=audit.changes(old, new))
    return sub


def _reason(reason: str, field: str = "reason") -> str:
    text = strip_controls(reason or "").strip()
    if not text:
        raise ValidationError({field: "Hãy nêu lý do để đơn vị và người sau biết."})
    if len(text) > 4000:
        raise ValidationError({field: "Lý do dài quá 4.000 ký tự."})
    return text


@transaction.atomic
def submission_return(
    *, submission: Submission, actor: Any, reason: str, revision: int | None = None
) -> Submission:
    """Return a submitted, in-review or reviewed sheet to the unit with a reason; the reviews
    stay (the unit sees them) and the unit corrects and submits again."""
    reason = _reason(reason)
    sub = lock(submission, revision)
    if sub.status not in {S.SUBMITTED, S.IN_REVIEW, S.REVIEWED}:
        raise ValidationError(
            f"Báo cáo đang ở trạng thái “{sub.get_status_display()}”, không trả lại được.",
            code="state",
        )
    old = sub.status
    sub.status, sub.returned_reason, sub.layer = S.RETURNED, reason, 0
    sub.revision += 1
    sub.full_clean(exclude=["round", "unit", "template"])
    sub.save(update_fields=["status", "returned_reason", "layer", "revision"])
    log(sub, "submission.return", actor, old=old, new=sub.status, reason=reason)
    return sub


def _mark_final(sub: Submission, criteria, lines, reviews, actor: Any, note: str, now):
    """`sub` and its `lines` finalised in memory: each line takes its last reviewed score (or
    the unit's own), the sheet its final totals. Returns the changed lines and the sheet's
    fields to write."""
    changed = []
    for e in lines:
        last = sheets.latest_review(reviews.get(e.pk, []))
        score = last.score if last is not None else e.self_score
        if e.final_score != score:
            e.final_score = score
            changed.append(e)
    sub.status, sub.final_note, sub.finalized_at = S.FINAL, note, now
    sub.finalized_by = actor if getattr(actor, "pk", None) else None
    sub.revision += 1
    scores = sheets.compute(sub, criteria, lines, reviews)  # the lines as just finalised
    fields = ["status", "final_note", "finalized_at", "finalized_by", "revision"]
    return changed, [*fields, *sheets.refresh_totals(sub, scores)]


def _final_data(sub: Submission, note: str) -> dict[str, Any]:
    return {
        "old": S.REVIEWED,
        "new": S.FINAL,
        "note": note,
        "final_total": audit.plain(sub.final_total),
    }


def _finalize(sub: Submission, actor: Any, note: str, now) -> None:
    criteria, entries, reviews = sheets.load_joined(sub)
    changed, fields = _mark_final(sub, criteria, entries, reviews, actor, note, now)
    Entry.objects.bulk_update(changed, ["final_score"])  # one UPDATE at any number of lines
    sub.save(update_fields=fields)
    log(sub, "submission.finalize", actor, **_final_data(sub, note))


@transaction.atomic
def submission_finalize(
    *, submission: Submission, actor: Any, note: str = "", revision: int | None = None
) -> Submission:
    """Agree the final scores of a reviewed sheet (at the tổng kết meeting): each line takes
    its last reviewed score (or the unit's own); the sheet becomes immutable."""
    sub = lock(submission, revision)
    if sub.status != S.REVIEWED:
        raise ValidationError(
            f"Chỉ chốt được bảng điểm đã thẩm định xong (hiện tại: “{sub.get_status_display()}”).",
            code="state",
        )
    _finalize(sub, actor, strip_controls(note or "").strip()[:4000], timezone.now())
    return sub


@transaction.atomic
def round_finalize(*, round: Round, actor: Any, note: str = "") -> tuple[int, list[str]]:
    """Agree every reviewed sheet of a round at once (the meeting's decision). Returns how many
    were finalised and the units whose sheets are not reviewed yet (left as they are)."""
    subs = list(
        Submission.objects.select_for_update(of=("self",))
        .filter(round=round)
        .select_related("round", "round__bloc", "unit", "template")
        .order_by("unit__name")
    )
    now, note = timezone.now(), strip_controls(note or "").strip()[:4000]
    ready = [sub for sub in subs if sub.status == S.REVIEWED]
    pending = [sub.unit.name for sub in subs if sub.status not in (S.REVIEWED, S.FINAL)]
    if ready:
        _finalize_many(ready, actor, note, now)
    return len(ready), pending


def _finalize_many(subs: list[Submission], actor: Any, note: str, now) -> None:
    """`_finalize` for the locked, reviewed sheets of a round in a fixed number of statements:
    their criteria, lines and reviews read in three queries, the changed lines in one UPDATE,
    the sheets in one, their audit events in one INSERT."""
    criteria: dict[int, list[Criterion]] = {}
    for c in Criterion.objects.filter(template_id__in={sub.template_id for sub in subs}).order_by(
        "order", "id"
    ):
        criteria.setdefault(c.template_id, []).append(c)
    entries: dict[int, list[Entry]] = {}
    for e in Entry.objects.filter(submission__in=subs):
        entries.setdefault(e.submission_id, []).append(e)
    reviews: dict[int, list[Review]] = {}
    for r in Review.objects.filter(entry__submission__in=subs):
        reviews.setdefault(r.entry_id, []).append(r)
    changed, fields, events = [], set(), []
    for sub in subs:
        lines = entries.get(sub.pk, [])
        criteria_of = criteria.get(sub.template_id, [])
        made, written = _mark_final(sub, criteria_of, lines, reviews, actor, note, now)
        changed += made
        fields.update(written)
        events.append(
            audit.event(
                actor=actor,
                action="submission.finalize",
                obj=sub,
                bloc=sub.round.bloc,
                year=sub.round.year,
                data=_final_data(sub, note),
            )
        )
    Entry.objects.bulk_update(changed, ["final_score"])
    Submission.objects.bulk_update(subs, sorted(fields))
    audit.record_many(events)


@transaction.atomic
def submission_reopen(
    *,
    submission: Submission,
    actor: Any,
    reason: str,
    revision: int | None = None,
    scope: access.BlocScope | None = None,
) -> Submission:
    """Reopen a final sheet (the secretariat's explicit act, with a reason): it goes back to
    the head's review layer and its final scores are cleared until it is agreed again.
    `scope`: the actor's, when the caller has it."""
    reason = _reason(reason)
    sub = lock(submission, revision)
    if sub.status != S.FINAL:
        raise ValidationError("Chỉ mở lại được bảng điểm đã chốt.", code="state")
    layers = _layers(sub, submission, scope)
    old_total = sub.final_total
    sub.entries.update(final_score=None)
    sub.status, sub.layer, sub.reopened_reason = S.IN_REVIEW, len(layers) - 1, reason
    sub.finalized_at = None
    sub.revision += 1
    fields = ["status", "layer", "reopened_reason", "finalized_at", "revision"]
    sub.save(update_fields=[*fields, *_totals(sub)])
    log(
        sub,
        "submission.reopen",
        actor,
        old=S.FINAL,
        new=sub.status,
        reason=reason,
        final_total=audit.plain(old_total),
    )
    return sub


@transaction.atomic
def review_setup_save(
    *, bloc: Bloc, year: int, actor: Any, mode: str, assignments: Mapping[int, int] | None = None
) -> ReviewSetup:
    """How the bloc-year verifies sheets; for cross-scoring, {reviewed unit id: reviewer unit
    id} over the year's members (nobody scores itself)."""
    if mode not in Mode.values:
        raise ValidationError({"mode": "Cách thẩm định không hợp lệ."})
    Bloc.objects.select_for_update().get(pk=bloc.pk)
    # A new row takes the wanted mode at once (no INSERT then UPDATE); the mode it replaces is
    # the default that applied without a row (review_mode).
    setup, created = ReviewSetup.objects.get_or_create(
        bloc=bloc, year=year, defaults={"mode": mode}
    )
    old_mode = Mode.HEAD_DEPUTY if created else setup.mode
    members = {u.pk: u for u in selectors.member_units(bloc_id=bloc.pk, year=year)}
    wanted = {int(k): int(v) for k, v in (assignments or {}).items() if v}
    for reviewed, reviewer in wanted.items():
        if reviewed not in members or reviewer not in members:
            raise ValidationError({"assignments": "Chỉ phân công giữa các thành viên của khối."})
        if reviewed == reviewer:
            raise ValidationError(
                {"assignments": f"{members[reviewed]} không tự chấm chéo cho mình."}
            )
    if mode == Mode.CROSS and set(wanted) != set(members):
        missing = [u.name for pk, u in members.items() if pk not in wanted]
        raise ValidationError(
            {"assignments": "Chưa phân công đơn vị chấm chéo cho: " + "; ".join(missing) + "."}
        )
    current = dict(
        CrossAssignment.objects.filter(bloc=bloc, year=year).values_list(
            "reviewed_id", "reviewer_id"
        )
    )
    changes: dict[str, Any] = {}
    if old_mode != mode:
        changes["mode"] = {"old": old_mode, "new": mode}
    if setup.mode != mode:
        setup.mode = mode
        setup.save(update_fields=["mode"])
    if current != wanted:
        CrossAssignment.objects.filter(bloc=bloc, year=year).delete()
        CrossAssignment.objects.bulk_create(
            [
                CrossAssignment(bloc=bloc, year=year, reviewed_id=a, reviewer_id=b)
                for a, b in wanted.items()
            ]
        )
        name = {pk: u.name for pk, u in members.items()}
        changes["assignments"] = audit.list_changes(
            sorted(f"{name.get(a, a)} ← {name.get(b, b)}" for a, b in current.items()),
            sorted(f"{name[a]} ← {name[b]}" for a, b in wanted.items()),
        )
    if changes:
        audit.record(
            actor=actor, action="review.setup", obj=setup, bloc=bloc, year=year, data=changes
        )
    return setup
