"""What must hold of a sheet after any accepted input (an upload, a line saved, a review)."""

from __future__ import annotations


def sheet_is_whole(sub) -> None:
    """Every line's points within its criterion's bounds (0 to its maximum; a deduction as a
    positive amount); the stored totals are those scoring.sheets.compute gives."""
    from scoring import sheets

    sub.refresh_from_db()
    criteria, entries, reviews = sheets.load(sub)
    by_id = {c.pk: c for c in criteria}
    criterion_of = {e.pk: by_id[e.criterion_id] for e in entries}
    for e in entries:
        c = criterion_of[e.pk]
        for points in (e.self_score, e.final_score):
            assert points is None or 0 <= points <= c.max_points, (c.code, c.kind, points)
        if e.value is not None:
            assert e.value.is_finite() and e.value >= 0, (c.code, e.value)
    for line in reviews.values():
        for r in line:
            c = criterion_of[r.entry_id]
            assert 0 <= r.score <= c.max_points, (c.code, c.kind, r.score)
    scores = sheets.compute(sub, criteria, entries, reviews)
    assert sub.self_total == scores.self.total.total
    assert sub.reviewed_total == scores.reviewed.total.total
    assert sub.final_total == (scores.final.total.total if scores.final else None)
