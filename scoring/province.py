"""The scoring part of the province overview (blocs.views.province_overview, which finds it in
blocs.views.PROVINCE_PANELS so that blocs never imports scoring): each bloc's year as the
reviewer follows it — giao ước signed x/y, tổng kết sheets final x/y, ranking adopted, its
leader, its proposals by status — a filter on that status, the Cờ thi đua Chính phủ share of the
province and a progress chart across blocs.

Every figure comes from one query over the province's blocs (one row per bloc, each figure a
correlated subquery of it, never one row per unit) and the province's rules, so the panel costs
two queries at 5 units or 300 a bloc, and at 3 blocs or 30.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from blocs.models import Bloc, BlocTerm, Province
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
    name: str = ""  # the bloc's name and the year's head (the province workbook)
    head: str = ""
    issued: bool = False  # the year's plan has been issued
    co_cp_candidates: int = 0  # its Cờ CP proposals at the province (AT_PROVINCE)

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


def _count(rows: QuerySet, by: str, what: str = "pk", distinct: bool = False) -> Coalesce:
    """How many of `rows` (filtered on the outer bloc) there are: a subquery grouped by `by`,
    0 when none."""
    grouped = rows.order_by().values(by).annotate(n=Count(what, distinct=distinct))
    return Coalesce(Subquery(grouped.values("n")), 0)


def _statuses(province: Province, year: int) -> tuple[dict[int, BlocYear], int, int]:
    """Each bloc's state (every bloc of the province, by name), and (leaders, Cờ CP candidates)
    counted from the same rows as services.proposals.co_cp_counts counts them (the submit check
    keeps its own query). One query: each figure is a subquery of the blocs' row."""
    bloc = OuterRef("pk")
    lead = RankingRow.objects.filter(
        ranking__bloc=bloc, ranking__year=year, eligible=True, eligible_for_co=True
    ).order_by("position")
    proposals = Proposal.objects.filter(bloc=bloc, year=year)
    co_cp = proposals.filter(award=Title.CO_CP)
    head = BlocTerm.objects.filter(bloc=bloc, year=year).order_by().values("head_unit__name")
    finals = Submission.objects.filter(
        round__bloc=bloc,
        round__year=year,
        round__kind=Round.Kind.TONG_KET,
        round__with_score_sheet=True,
        status=Submission.Status.FINAL,
    )
    figures = {
        "head": Coalesce(Subquery(head[:1]), Value("")),
        "signed": _count(
            Registration.objects.filter(bloc=bloc, year=year, status=Registration.Status.SIGNED),
            "bloc",
        ),
        "sheets_final": _count(finals, "round__bloc", "unit", distinct=True),
        "ranking": Subquery(
            Ranking.objects.filter(bloc=bloc, year=year).order_by().values("status")[:1]
        ),
        "leader": Subquery(lead.values("unit__name")[:1]),
        "leader_total": Subquery(lead.values("total")[:1]),
        # the latest, should a bloc-year ever hold more than one
        "co_cp": Subquery(co_cp.order_by("-pk").values("status")[:1]),
        "co_cp_candidates": _count(co_cp.filter(status__in=AT_PROVINCE), "bloc"),
        "issued": Exists(Plan.objects.filter(bloc=bloc, year=year, status=Plan.Status.ISSUED)),
        **{f"p_{s}": _count(proposals.filter(status=s), "bloc") for s in P.values},
    }
    rows = (
        Bloc.objects.filter(province=province)
        .annotate(**figures)
        .order_by("name", "pk")
        .values("pk", "name", *figures)
    )
    labels = dict(P.choices)
    blocs: dict[int, BlocYear] = {}
    for r in rows:
        counts = Counter({s: r[f"p_{s}"] for s in P.values if r[f"p_{s}"]})
        blocs[r["pk"]] = BlocYear(
            signed=r["signed"],
            sheets_final=r["sheets_final"],
            ranking=r["ranking"] or "",
            leader=r["leader"] or "",
            leader_total=r["leader_total"],
            proposals=counts,
            co_cp=labels[r["co_cp"]] if r["co_cp"] else "",
            name=r["name"],
            head=r["head"],
            issued=r["issued"],
            co_cp_candidates=r["co_cp_candidates"],
        )
    leaders = sum(1 for b in blocs.values() if b.adopted)
    candidates = sum(b.co_cp_candidates for b in blocs.values())
    return blocs, leaders, candidates


def _bars(blocs: dict[int, BlocYear], total: int) -> list[Bar]:
    stages = [
        ("Kế hoạch đã ban hành", sum(1 for b in blocs.values() if b.issued)),
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
    bars = _bars(blocs, bloc_count)
    return ProvincePanel(year=year, blocs=blocs, status=status, co_cp=co_cp, bars=bars)
