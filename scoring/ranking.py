"""The rows of a bloc-year's ranking, from the FINAL sheets of its tổng kết round (DOMAIN §6.3):
each unit's total (caps applied, deductions of compliance flags taken off), its subtotals by
top-level group, the tie-break values, its band, and the gates that make it ineligible
(no final sheet, registration missing when required, vetoes). Built on scoring.calc; a fixed
number of queries whatever the number of units. The services store what this returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from blocs.models import Bloc, Membership, Unit
from scoring import calc, sheets
from scoring.models import (
    ComplianceFlag,
    Criterion,
    Entry,
    Registration,
    Round,
    Submission,
    Template,
    TieBreak,
    YearRules,
)
from scoring.selectors import build_nodes

NO_SHEET = "Bảng điểm chưa chốt"
SIGNED = {Registration.Status.ACCEPTED, Registration.Status.SIGNED}
E = ComplianceFlag.Effect


def tong_ket_round(*, bloc_id: int, year: int) -> Round | None:
    """The round the ranking reads: the year's tổng kết round with a self-scoring sheet."""
    return (
        Round.objects.filter(
            bloc_id=bloc_id,
            year=year,
            kind=Round.Kind.TONG_KET,
            with_score_sheet=True,
            active=True,
        )
        .order_by("-due", "-pk")
        .first()
    )


@dataclass
class Gates:
    eligible: bool = True
    eligible_for_co: bool = True
    deduct: Decimal = calc.ZERO
    reasons: list[str] = field(default_factory=list)

    def veto(self, reason: str, *, all_awards: bool) -> None:
        self.eligible_for_co = False
        self.eligible = self.eligible and not all_awards
        self.reasons.append(reason)


def _flag_text(flag: ComplianceFlag) -> str:
    note = flag.note if len(flag.note) <= 200 else flag.note[:199] + "…"
    return f"{flag.get_kind_display()} – {flag.source}: {note}"


def gates(
    unit: Unit,
    *,
    rules: YearRules,
    registration: str | None,
    flags: list[ComplianceFlag],
) -> Gates:
    """What bars (or costs) a unit: registration when required, then its active flags."""
    g = Gates()
    if rules.registration_required and registration not in SIGNED:
        label = dict(Registration.Status.choices).get(registration or "")
        g.veto(
            f"Bản đăng ký thi đua chưa được chấp nhận (đang “{label}”)"
            if label
            else "Chưa đăng ký thi đua",
            all_awards=True,
        )
    for flag in flags:
        if flag.effect == E.VETO_ALL:
            g.veto(f"Không xét khen thưởng: {_flag_text(flag)}", all_awards=True)
        elif flag.effect == E.VETO_CO:
            g.veto(f"Không xét Cờ thi đua: {_flag_text(flag)}", all_awards=False)
        else:
            g.deduct += flag.points or calc.ZERO
            g.reasons.append(f"Trừ {calc.fmt(flag.points)} điểm: {_flag_text(flag)}")
    return g


@dataclass
class Facts:
    """Everything the ranking reads about one unit."""

    unit: Unit
    partial_year: bool
    gates: Gates
    subtotals: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal | None = None
    bonus: Decimal = calc.ZERO
    penalty: Decimal = calc.ZERO
    group_i: Decimal = calc.ZERO
    full_marks: int = 0
    floors: tuple[tuple[Decimal, Decimal], ...] = ()


def _partial(memberships: list[Membership], year: int) -> bool:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return not any(
        m.joined_on <= start and (m.left_on is None or m.left_on >= end) for m in memberships
    )


def _score(facts: Facts, sub: Submission, criteria: list[Criterion], points: dict) -> None:
    scores = sheets.total_of(sub, criteria, points)
    roots = build_nodes(criteria)
    base = [r for r in roots if calc.pool(r) == calc.BASE]
    facts.subtotals = {r.code: scores.nodes.get(r.key, calc.ZERO) for r in roots}
    facts.group_i = scores.nodes.get(base[0].key, calc.ZERO) if base else calc.ZERO
    facts.floors = tuple((scores.nodes.get(r.key, calc.ZERO), r.max_points) for r in base)
    facts.full_marks = sum(
        1
        for r in base
        for n in r.walk()
        if n.kind != calc.GROUP
        and calc.leaf_pool(n.kind) == calc.BASE
        and n.max_points > 0
        and points.get(n.key) == n.max_points
    )
    deduct = facts.gates.deduct
    facts.total = calc.round_points(max(scores.total.total - deduct, calc.ZERO))
    facts.bonus, facts.penalty = scores.total.bonus, scores.total.penalty + deduct


def unit_facts(
    *, bloc: Bloc, year: int, round: Round, rules: YearRules, today: dt.date
) -> list[Facts]:
    """One Facts per member unit of the year (by name), in eight queries."""
    memberships: dict[int, list[Membership]] = {}
    units: dict[int, Unit] = {}
    for m in Membership.objects.for_year(year).filter(bloc=bloc).select_related("unit"):
        memberships.setdefault(m.unit_id, []).append(m)
        units[m.unit_id] = m.unit
    regs = dict(Registration.objects.filter(bloc=bloc, year=year).values_list("unit_id", "status"))
    flags: dict[int, list[ComplianceFlag]] = {}
    for f in ComplianceFlag.objects.filter(bloc=bloc, year=year).order_by("id"):
        if f.cleared_on is None or f.cleared_on > today:
            flags.setdefault(f.unit_id, []).append(f)
    subs = list(
        Submission.objects.filter(round=round, status=Submission.Status.FINAL).select_related(
            "template"
        )
    )
    criteria: dict[int, list[Criterion]] = {}
    for c in Criterion.objects.filter(template_id__in={s.template_id for s in subs}).order_by(
        "order", "id"
    ):
        criteria.setdefault(c.template_id, []).append(c)
    points: dict[int, dict[str, Decimal]] = {s.pk: {} for s in subs}
    for sub_id, crit_id, score in Entry.objects.filter(
        submission__in=subs, final_score__isnull=False
    ).values_list("submission_id", "criterion_id", "final_score"):
        points[sub_id][str(crit_id)] = score
    by_unit = {s.unit_id: s for s in subs}
    out = []
    for uid, unit in sorted(units.items(), key=lambda kv: (kv[1].name, kv[0])):
        g = gates(unit, rules=rules, registration=regs.get(uid), flags=flags.get(uid, []))
        facts = Facts(unit, _partial(memberships[uid], year), g)
        sub = by_unit.get(uid)
        if sub is None:
            g.veto(NO_SHEET, all_awards=True)
            g.reasons.insert(0, g.reasons.pop())
        else:
            _score(facts, sub, criteria.get(sub.template_id, []), points[sub.pk])
        out.append(facts)
    return out


def rows(
    facts: list[Facts], template: Template, bands: list[calc.Band], votes: Mapping[int, int]
) -> list[dict]:
    """The ranking rows (plain values, in rank order): scored units ranked by calc.ranking;
    units without a final sheet after them, sharing the last rank, with no total."""
    scored = {str(f.unit.pk): f for f in facts if f.total is not None}
    inputs = [
        calc.RankInput(
            key=key,
            label=f.unit.name,
            total=f.total,
            group_i=f.group_i,
            penalty=f.penalty,
            bonus=f.bonus,
            full_marks=f.full_marks,
            vote=votes.get(f.unit.pk),
            eligible=f.gates.eligible,
            eligible_for_co=f.gates.eligible_for_co,
            groups=f.floors,
        )
        for key, f in scored.items()
    ]
    labels = dict(TieBreak.choices)
    ranked = calc.ranking(inputs, template.tie_break or [], bands=bands, labels=labels)
    out = []
    for x in ranked:
        f = scored[x.row.key]
        out.append(
            _row(f, x.position, x.rank, x.band, x.trace, x.row.vote if x.vote_needed else None)
        )
    last = len(out) + 1
    for f in facts:
        if f.total is None:
            out.append(_row(f, len(out) + 1, last, "", [], None))
    return out


def _row(f: Facts, position: int, rank: int, band: str, trace: list, vote) -> dict:
    return {
        "unit": f.unit,
        "position": position,
        "rank": rank,
        "total": f.total,
        "subtotals": {code: str(calc.round_points(v)) for code, v in f.subtotals.items()},
        "bonus": calc.round_points(f.bonus),
        "penalty": calc.round_points(f.penalty),
        "band": band,
        "eligible": f.gates.eligible,
        "eligible_for_co": f.gates.eligible_for_co,
        "reasons": list(f.gates.reasons),
        "trace": trace,
        "partial_year": f.partial_year,
        "tie_vote": vote,
    }


def needs_vote(trace: list[dict]) -> bool:
    """The unit's tie reached the meeting vote (the only key left to break it)."""
    return any(step.get("by") == calc.VOTE for step in trace)
