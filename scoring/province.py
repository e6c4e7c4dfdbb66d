"""The scoring part of the province overview (blocs.views.province_overview, which finds it in
blocs.views.PROVINCE_PANELS so that blocs never imports scoring): each bloc's year as the
reviewer follows it — giao ước signed x/y, tổng kết sheets final x/y, ranking adopted, its
leader, its proposals by status — a filter on that status, the Cờ thi đua Chính phủ share of the
province and a progress chart across blocs.

Every figure comes from aggregate queries over the province (one row per bloc, never one per
unit), so the page costs the same at 5 units or 300 a bloc.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Subquery

from blocs.models import Province
from plans.models import Plan
from scoring import awards
from scoring.models import Proposal, Ranking, RankingRow, Registration, Round, Submission, Title
from scoring.services.proposals import AT_PROVINCE, province_rules

P = Proposal.Status
FILTERS = [
    ("chua-xep-hang", "Chưa thông qua xếp hạng"),
    ("da-xep-hang", "Đã thông qua xếp hạng"),
    ("cho-xet", "Có đề nghị chờ tỉnh xét"),
    ("tra-lai", "Có đề nghị bị trả lại"),
    ("da-quyet-dinh", "Có quyết định khen thưởng"),
]
HEADERS = ["Giao ước, bảng điểm", "Xếp hạng, dẫn đầu", "Đề nghị khen thưởng"]


@dataclass
class BlocYear:
    signed: int = 0
    sheets_final: int = 0
    ranking: str = ""  # "", "computed", "adopted"
    leader: str = ""
    leader_total: Any = None
    proposals: Counter = field(default_factory=Counter)  # status → count
    co_cp: str = ""  # status of the bloc's Cờ CP candidate, if any

    @property
    def adopted(self) -> bool:
        return self.ranking == Ranking.Status.ADOPTED

    def matches(self, status: str) -> bool:
        return {
            "chua-xep-hang": not self.adopted,
            "da-xep-hang": self.adopted,
            "cho-xet": self.proposals[P.SUBMITTED] > 0,
            "tra-lai": self.proposals[P.RETURNED] > 0,
            "da-quyet-dinh": self.proposals[P.DECIDED] > 0,
        }.get(status, True)

    @property
    def proposal_counts(self) -> list[tuple[str, int]]:
        return [(label, self.proposals[s]) for s, label in P.choices if self.proposals[s]]


@dataclass
class Bar:
    label: str
    count: int
    total: int
    y: int = 0
    width: str = "0"  # SVG user units, written with a dot whatever the locale


@dataclass
class ProvincePanel:
    """What the overview asks of a panel: headers, per-bloc cells, a filter and a summary."""

    year: int
    blocs: dict[int, BlocYear]
    status: str
    co_cp: dict[str, Any]
    bars: list[Bar]
    template: str = "scoring/_province_summary.html"
    row_template: str = "scoring/_province_cells.html"
    headers: list[str] = field(default_factory=lambda: HEADERS)
    filters: list[tuple[str, str]] = field(default_factory=lambda: FILTERS)
    filter_label: str = "Tình trạng"

    @property
    def chart_height(self) -> int:
        return len(self.bars) * 28

    def keep(self, bloc_id: int) -> bool:
        return self.blocs.get(bloc_id, BlocYear()).matches(self.status)

    def row(self, bloc_id: int) -> BlocYear:
        return self.blocs.get(bloc_id, BlocYear())


def _statuses(province: Province, year: int) -> tuple[dict[int, BlocYear], int, int]:
    """Each bloc's state, and (leaders, Cờ CP candidates) counted from the same rows as
    services.proposals.co_cp_counts counts them (the submit check keeps its own query)."""
    blocs: dict[int, BlocYear] = defaultdict(BlocYear)
    leaders = candidates = 0
    signed = Registration.objects.filter(
        bloc__province=province, year=year, status=Registration.Status.SIGNED
    )
    for bloc_id, n in signed.values_list("bloc_id").annotate(n=Count("id")):
        blocs[bloc_id].signed = n
    finals = Submission.objects.filter(
        round__bloc__province=province,
        round__year=year,
        round__kind=Round.Kind.TONG_KET,
        round__with_score_sheet=True,
        status=Submission.Status.FINAL,
    )
    for bloc_id, n in finals.values_list("round__bloc_id").annotate(n=Count("unit", distinct=True)):
        blocs[bloc_id].sheets_final = n
    lead = RankingRow.objects.filter(
        ranking=OuterRef("pk"), eligible=True, eligible_for_co=True
    ).order_by("position")
    rankings = Ranking.objects.filter(bloc__province=province, year=year).annotate(
        leader=Subquery(lead.values("unit__name")[:1]),
        leader_total=Subquery(lead.values("total")[:1]),
    )
    for r in rankings.values("bloc_id", "status", "leader", "leader_total"):
        b = blocs[r["bloc_id"]]
        b.ranking, b.leader, b.leader_total = r["status"], r["leader"] or "", r["leader_total"]
        leaders += r["status"] == Ranking.Status.ADOPTED
    proposals = Proposal.objects.filter(bloc__province=province, year=year)
    for bloc_id, status, award, n in proposals.values_list("bloc_id", "status", "award").annotate(
        n=Count("id")
    ):
        blocs[bloc_id].proposals[status] += n
        if award == Title.CO_CP:
            blocs[bloc_id].co_cp = dict(P.choices)[status]
            candidates += n if status in AT_PROVINCE else 0
    return blocs, leaders, candidates


def _bars(province: Province, year: int, blocs: dict[int, BlocYear], total: int) -> list[Bar]:
    issued = (
        Plan.objects.filter(bloc__province=province, year=year, status=Plan.Status.ISSUED)
        .values("bloc_id")
        .distinct()
        .count()
    )
    stages = [
        ("Kế hoạch đã ban hành", issued),
        ("Đã ký giao ước", sum(1 for b in blocs.values() if b.signed)),
        ("Có bảng điểm đã chốt", sum(1 for b in blocs.values() if b.sheets_final)),
        ("Xếp hạng đã thông qua", sum(1 for b in blocs.values() if b.adopted)),
        (
            "Đã trình đề nghị",
            sum(1 for b in blocs.values() if sum(b.proposals.values()) - b.proposals[P.DRAFTED]),
        ),
        ("Có quyết định khen thưởng", sum(1 for b in blocs.values() if b.proposals[P.DECIDED])),
    ]
    bars = []
    for i, (label, count) in enumerate(stages):
        width = f"{300 * count / total:.1f}" if total else "0"
        bars.append(Bar(label, count, total, y=i * 28, width=width))
    return bars


def province_panel(
    *, province: Province, year: int, bloc_count: int, status: str = ""
) -> ProvincePanel:
    """The scoring panel of the province overview for `year` (`status`: one of FILTERS)."""
    blocs, leaders, candidates = _statuses(province, year)
    rules = province_rules(province)
    allowed = awards.co_cp_allowed(leaders=leaders, pct=rules.co_cp_pct)
    co_cp = {
        "leaders": leaders,
        "candidates": candidates,
        "allowed": allowed,
        "pct": rules.co_cp_pct,
        "basis": rules.co_cp_basis,
        "ok": candidates <= allowed,
    }
    status = status if status in dict(FILTERS) else ""
    bars = _bars(province, year, blocs, bloc_count)
    return ProvincePanel(year=year, blocs=dict(blocs), status=status, co_cp=co_cp, bars=bars)
