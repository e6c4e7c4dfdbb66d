"""Reads of the award proposals of a bloc-year: the proposals with their basis and vote, how
much of each quota is used, the units that may still be proposed (and those that may not, with
the reason). Shared by the pages, the Excel export and the demo test (the dossiers sent, with
their tờ trình, are reports.services.frozen_to_trinh)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from blocs.models import Bloc
from scoring import awards
from scoring.models import Proposal, Ranking, RankingRow, Title, YearRules
from scoring.services.proposals import (
    COUNTED,
    EDITABLE,
    band_ok,
    province_rules,
    ranking_rows,
    year_rules,
)

P = Proposal.Status


@dataclass
class ProposalLine:
    proposal: Proposal
    vote_pct: Decimal | None
    vote_ok: bool
    reward: Decimal  # what the decision pays (the recorded amount once decided)
    basis: str  # the legal basis of the amount

    @property
    def editable(self) -> bool:
        return self.proposal.status in EDITABLE


@dataclass
class ProposalsView:
    ranking: Ranking | None
    rules: YearRules
    lines: list[ProposalLine] = field(default_factory=list)
    rows: list[RankingRow] = field(default_factory=list)
    co_used: int = 0
    bk_used: int = 0
    bk_allowed: int = 0

    @property
    def adopted(self) -> bool:
        return self.ranking is not None and self.ranking.status == Ranking.Status.ADOPTED

    @property
    def drafted(self) -> list[ProposalLine]:
        return [line for line in self.lines if line.proposal.status == P.DRAFTED]

    @property
    def blocked(self) -> list[ProposalLine]:
        """Drafted proposals the submission would refuse (no vote, or below the threshold)."""
        return [line for line in self.drafted if not line.vote_ok]

    @property
    def ineligible(self) -> list[RankingRow]:
        """Units that may not be proposed for some or every award: barred (with the reasons),
        or rated below the scale's top band."""
        return [r for r in self.rows if not (r.eligible and r.eligible_for_co and band_ok(r))]


def proposals_view(*, bloc: Bloc, year: int) -> ProposalsView:
    """Everything the proposals page shows, in a fixed number of queries."""
    rules = year_rules(bloc, year)
    ranking = (
        Ranking.objects.filter(bloc=bloc, year=year).select_related("meeting", "round").first()
    )
    view = ProposalsView(ranking=ranking, rules=rules)
    if ranking is None:
        return view
    view.rows = ranking_rows(ranking)
    base = province_rules(bloc.province).base_salary
    proposals = ranking.proposals.select_related("unit").order_by("rank", "award")
    for p in proposals:
        view.lines.append(line_for(p, rules, base))
    counted = [line.proposal for line in view.lines if line.proposal.status in COUNTED]
    view.co_used = sum(1 for p in counted if p.award == Title.CO_TINH)
    view.bk_used = sum(1 for p in counted if p.award == Title.BK_TINH_TT)
    view.bk_allowed = awards.bang_khen_quota(
        units=len(view.rows), co=view.co_used, pct=rules.bang_khen_pct
    )
    return view


def line_for(p: Proposal, rules: YearRules, base_salary: Decimal) -> ProposalLine:
    rule = awards.AWARD_RULES[p.award]
    return ProposalLine(
        proposal=p,
        vote_pct=awards.vote_pct(vote_for=p.vote_for, vote_total=p.vote_total),
        vote_ok=p.vote_for is not None
        and p.vote_total is not None
        and awards.vote_passes(
            vote_for=p.vote_for, vote_total=p.vote_total, threshold_pct=rules.vote_threshold_pct
        ),
        reward=p.reward_amount
        if p.reward_amount is not None
        else awards.reward_amount(p.award, base_salary),
        basis=rule.basis,
    )
