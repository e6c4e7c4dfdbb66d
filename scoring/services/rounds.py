"""Reporting rounds of a bloc-year, kept in step with the issued plan.

When a plan (or an amendment) is issued, its report milestones become rounds: the first sơ kết
report is the round "bao_cao_so_ket", a second one of the same kind "bao_cao_so_ket#2" (the same
keys the plan's text uses for its dates). A later version that moves a due date or a data period
updates the round in place (audited old → new); a round the new version drops is kept, marked
inactive, never deleted, so whatever was submitted in it stays.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from blocs import audit, rowchecks
from plans.datelinks import milestone_keys
from plans.models import Milestone, Plan
from scoring.models import Round

KINDS = {
    Milestone.Kind.BAO_CAO_SO_KET: Round.Kind.SO_KET,
    Milestone.Kind.BAO_CAO_TONG_KET: Round.Kind.TONG_KET,
}
ROUND_CHECKS: rowchecks.Checks = {
    "round_data_period_ordered": lambda r: (
        r.data_from is not None and r.data_to is not None and r.data_to < r.data_from
    ),
}
FIELDS = ("kind", "name", "due", "data_from", "data_to", "addressee", "with_score_sheet", "active")


def _wanted(plan: Plan) -> dict[str, dict[str, Any]]:
    """key → the round's fields as the plan states them (report milestones, in plan order)."""
    out: dict[str, dict[str, Any]] = {}
    for key, label, m in milestone_keys(plan.milestones.all()):
        if m.kind not in KINDS:
            continue
        out[key] = {
            "kind": KINDS[m.kind],
            "name": label,
            "due": m.due,
            "data_from": m.data_from,
            "data_to": m.data_to,
            "addressee": m.addressee,
            "with_score_sheet": m.with_score_sheet,
            "active": True,
        }
    return out


@transaction.atomic
def rounds_sync(*, plan: Plan, actor: Any) -> list[Round]:
    """Make the bloc-year's rounds say what the issued `plan` says (lock, compare, write only
    what changed, audit old → new). Returns the rounds of the year."""
    wanted = _wanted(plan)
    existing = {
        r.key: r
        for r in Round.objects.select_for_update().filter(bloc_id=plan.bloc_id, year=plan.year)
    }
    made = []
    for key, values in wanted.items():
        current = existing.get(key)
        if current is None:
            # checked in Python (the bloc is the plan's, the keys unique among the locked
            # rounds of the year and the plan's): the new rounds in one INSERT, audited in one
            current = Round(bloc_id=plan.bloc_id, year=plan.year, key=key, **values)
            rowchecks.clean(current, ROUND_CHECKS, exclude=["bloc"])
            made.append(current)
            continue
        _update(current, values, actor, plan)
    audit.record_many(
        [
            _event(r, "round.create", actor, plan, **audit.changes({}, audit.snapshot(r, FIELDS)))
            for r in Round.objects.bulk_create(made)
        ]
    )
    for key, current in existing.items():
        if key not in wanted and current.active:
            _update(current, {"active": False}, actor, plan)
    return list(Round.objects.filter(bloc_id=plan.bloc_id, year=plan.year))


def _update(current: Round, values: dict[str, Any], actor: Any, plan: Plan) -> None:
    old = audit.snapshot(current, values)
    for name, value in values.items():
        setattr(current, name, value)
    diff = audit.changes(old, audit.snapshot(current, values))
    if not diff:
        return
    current.full_clean()
    current.save(update_fields=list(diff))
    _event(current, "round.update", actor, plan, version=plan.version, changes=diff).save()


def _event(current: Round, action: str, actor: Any, plan: Plan, **data: Any):
    """The audit event of a round written by `plan`'s sync (its key and the plan named)."""
    return audit.event(
        actor=actor,
        action=action,
        obj=current,
        bloc=plan.bloc,
        year=plan.year,
        data={"key": current.key, "plan": plan.pk, **data},
    )
