"""The ranking of a bloc-year as every reader sees it (the page, the `ranking` command, the
Excel table and the documents): rows in rank order with the unit, total, subtotals by top-level
group, rank, band, eligibility with the reasons and the tie-break trace; the meeting, the vote
and the year's rules. Six queries whatever the number of units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from blocs.models import Unit
from scoring import calc
from scoring import ranking as rows_of
from scoring.models import (
    ComplianceFlag,
    Meeting,
    Ranking,
    RankingRow,
    Template,
    YearRules,
)
from scoring.services.compliance import rules_for


@dataclass
class Row:
    row: RankingRow
    subtotals: dict[str, Decimal | None]
    leader: bool = False

    def __getattr__(self, name: str) -> Any:  # unit, rank, total, band, eligible, reasons, …
        if name == "row":
            raise AttributeError(name)
        return getattr(self.row, name)

    @property
    def needs_vote(self) -> bool:
        return rows_of.needs_vote(self.row.trace)

    @property
    def gate_label(self) -> str:
        if not self.row.eligible:
            return "Không đủ điều kiện"
        return "Đủ điều kiện" if self.row.eligible_for_co else "Không xét Cờ thi đua"


@dataclass
class RankingView:
    ranking: Ranking | None
    rows: list[Row]
    groups: list[str]  # the top-level group codes, in the template's order
    meeting: Meeting | None
    attending: list[Unit]
    rules: YearRules
    leader: Row | None = None
    flags: list[ComplianceFlag] = field(default_factory=list)

    @property
    def adopted(self) -> bool:
        return self.ranking is not None and self.ranking.status == Ranking.Status.ADOPTED

    @property
    def vote_pct(self) -> Decimal | None:
        r = self.ranking
        if r is None or not r.vote_total:
            return None
        return calc.percent(r.vote_for or 0, r.vote_total)

    @property
    def vote_passes(self) -> bool:
        pct = self.vote_pct
        return pct is not None and pct >= self.rules.vote_threshold_pct

    @property
    def pending_votes(self) -> list[Row]:
        return [r for r in self.rows if r.needs_vote and r.tie_vote is None]

    @property
    def tied(self) -> list[Row]:
        return [r for r in self.rows if r.needs_vote]

    @property
    def ineligible(self) -> list[Row]:
        return [r for r in self.rows if not (r.eligible and r.eligible_for_co)]


def _group_codes(ranking: Ranking) -> list[str]:
    """The top-level group codes of the template version the ranking's round applies
    (`sheet_template`: the newest version that applies from the round's data period), in one
    query: every version of the bloc-year with its top-level criteria joined (a version
    without any gives one row without a code)."""
    round = ranking.round
    start = round.data_from or dt.date(round.year, 1, 1)
    tops = models.FilteredRelation("criteria", condition=models.Q(criteria__parent__isnull=True))
    rows = (
        Template.objects.filter(bloc_id=round.bloc_id, year=round.year)
        .annotate(top=tops)
        .order_by("-version", "top__order", "top__id")
        .values_list("pk", "applies_from", "top__code")
    )
    chosen, codes = None, []
    for pk, applies_from, code in rows:
        if chosen is None and (applies_from is None or applies_from <= start):
            chosen = pk
        if chosen is not None:
            if pk != chosen:
                break
            if code is not None:
                codes.append(code)
    return codes


def _view(ranking, stored_rows, groups, meeting, attending, rules, flags) -> RankingView:
    if ranking is None:
        return RankingView(None, [], [], meeting, attending, rules, flags=flags)
    rows = []
    for r in stored_rows:
        values = {c: (Decimal(r.subtotals[c]) if c in r.subtotals else None) for c in groups}
        rows.append(Row(r, values))
    lead = calc.leader(
        rows, eligible=lambda x: x.eligible and x.eligible_for_co and x.total is not None
    )
    if lead is not None:
        lead.leader = True
    return RankingView(ranking, rows, groups, meeting, attending, rules, lead, flags)


def ranking_view(*, bloc_id: int, year: int, with_flags: bool = False) -> RankingView:
    """The bloc-year's ranking (None when not computed yet), its meeting and rules."""
    ranking = (
        Ranking.objects.select_related("round", "meeting", "adopted_by")
        .filter(bloc_id=bloc_id, year=year)
        .first()
    )
    meeting = Meeting.objects.filter(bloc_id=bloc_id, year=year).first()
    attending = list(meeting.attending.order_by("name")) if meeting else []
    rules = rules_for(bloc_id=bloc_id, year=year)
    flags = (
        list(ComplianceFlag.objects.filter(bloc_id=bloc_id, year=year).select_related("unit"))
        if with_flags
        else []
    )
    if ranking is None:
        return _view(None, [], [], meeting, attending, rules, flags)
    stored = ranking.rows.select_related("unit").order_by("position")
    return _view(ranking, stored, _group_codes(ranking), meeting, attending, rules, flags)


def province_rankings(*, province_id: int, year: int) -> dict[int, RankingView]:
    """Every computed ranking of the province's blocs for `year`, by bloc id, read as
    `ranking_view` reads one (rows in rank order, subtotals by group, the leader, the meeting,
    the rules), in six queries whatever the number of blocs and units: the province-wide view
    of the reviewer, never a loop of `ranking_view` (the province workbook needs only the rows:
    province_ranking_rows)."""
    rankings = list(
        Ranking.objects.select_related("round", "meeting", "adopted_by").filter(
            bloc__province_id=province_id, year=year
        )
    )
    if not rankings:
        return {}
    bloc_ids = [r.bloc_id for r in rankings]
    rows: dict[int, list[RankingRow]] = {r.pk: [] for r in rankings}
    stored = RankingRow.objects.filter(ranking__in=rankings).select_related("unit")
    for row in stored.order_by("ranking_id", "position"):
        rows[row.ranking_id].append(row)
    meetings = {
        m.bloc_id: m
        for m in Meeting.objects.filter(bloc_id__in=bloc_ids, year=year).prefetch_related(
            models.Prefetch("attending", queryset=Unit.objects.order_by("name"))
        )
    }
    rules = {r.bloc_id: r for r in YearRules.objects.filter(bloc_id__in=bloc_ids, year=year)}
    groups = _province_group_codes(rankings, year)
    views = {}
    for ranking in sorted(rankings, key=lambda r: r.bloc_id):
        meeting = meetings.get(ranking.bloc_id)
        views[ranking.bloc_id] = _view(
            ranking,
            rows[ranking.pk],
            groups.get(ranking.pk, []),
            meeting,
            list(meeting.attending.all()) if meeting else [],
            rules.get(ranking.bloc_id) or YearRules(bloc_id=ranking.bloc_id, year=year),
            [],
        )
    return views


def province_ranking_rows(*, province_id: int, year: int) -> dict[int, list[Row]]:
    """Every stored ranking row of the province's blocs for `year` with its ranking, by bloc id,
    in rank order with the ranking page's labels (Row), in one query."""
    by_bloc: dict[int, list[Row]] = {}
    stored = RankingRow.objects.filter(ranking__bloc__province_id=province_id, ranking__year=year)
    for row in stored.select_related("ranking", "unit").order_by("ranking_id", "position"):
        by_bloc.setdefault(row.ranking.bloc_id, []).append(Row(row, {}))
    return by_bloc


def _province_group_codes(rankings: list[Ranking], year: int) -> dict[int, list[str]]:
    """The top-level group codes of the template version each ranking's round applies
    (`sheet_template`: the newest version that applies from the round's data period), for
    every ranking at once: one query (the versions with their top-level criteria joined, as
    _group_codes reads them)."""
    versions: dict[int, set[tuple[int, Any, int]]] = {}
    codes: dict[int, list[str]] = {}
    tops = models.FilteredRelation("criteria", condition=models.Q(criteria__parent__isnull=True))
    templates = (
        Template.objects.filter(bloc_id__in={r.bloc_id for r in rankings}, year=year)
        .annotate(top=tops)
        .order_by("top__order", "top__id")
    )
    for pk, bloc_id, version, applies_from, code in templates.values_list(
        "pk", "bloc_id", "version", "applies_from", "top__code"
    ):
        versions.setdefault(bloc_id, set()).add((version, applies_from, pk))
        codes.setdefault(pk, [])
        if code is not None:
            codes[pk].append(code)
    out = {}
    for ranking in rankings:
        start = ranking.round.data_from or dt.date(ranking.round.year, 1, 1)
        for _version, applies_from, pk in sorted(versions.get(ranking.bloc_id, []), reverse=True):
            if applies_from is None or applies_from <= start:
                out[ranking.pk] = codes.get(pk, [])
                break
    return out


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(calc.round_points(value))


def as_json(view: RankingView) -> list[dict[str, Any]]:
    """The rows as plain JSON, in rank order (the keys are documented in docs/ranking.md)."""
    return [
        {
            "position": r.position,
            "rank": r.rank,
            "unit": r.unit.name,
            "unit_id": r.unit.pk,
            "total": _num(r.total),
            "subtotals": {code: _num(v) for code, v in r.subtotals.items()},
            "bonus": _num(r.bonus),
            "penalty": _num(r.penalty),
            "band": r.band,
            "eligible": r.eligible,
            "eligible_for_co": r.eligible_for_co,
            "leader": r.leader,
            "partial_year": r.partial_year,
            "tie_vote": r.tie_vote,
            "reasons": list(r.reasons),
            "trace": list(r.trace),
        }
        for r in view.rows
    ]
