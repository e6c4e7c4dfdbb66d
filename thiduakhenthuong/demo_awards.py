"""The demo's bình xét and suy tôn: Tuyên Quang 2022, whose tổng kết sheets the sheets demo made
final, carried to DECIDED award proposals through the services, so every step obeys the rules
and is audited:

- Thanh tra tỉnh reports an inspection under way at one member: a compliance flag that bars it
  from every award (it keeps its score and rank, shown with the reason);
- the ranking is computed from the final sheets; Sở Tư pháp and Viện Kiểm sát tie at the top
  on the total and on every tie-breaker (demo_sheets.TWIN), so the bình xét meeting votes;
- the meeting is recorded, votes on the tie and on the ranking, and adopts it: the ranking is
  frozen and the minutes are issued (01/BB-…);
- proposals are generated under the year's quotas (Cờ thi đua UBND tỉnh for the leader, Bằng
  khen for at most half of the rest), voted, submitted with a numbered tờ trình, approved and
  decided by the province.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from blocs.models import User
from reports import services as report_services
from scoring import selectors
from scoring.models import ComplianceFlag, Proposal, Round
from scoring.services import compliance
from scoring.services import proposal_reviews as reviews
from scoring.services import proposals as proposal_services
from scoring.services import ranking as ranking_services
from thiduakhenthuong.demo_sheets import DEMO, TWIN

MEETING = {
    "date": dt.date(2022, 12, 20),
    "place": "Hội trường Bộ Chỉ huy Quân sự tỉnh Tuyên Quang",
    "chair": "Đại tá Hà Đình Khiêm, Chính ủy Bộ Chỉ huy Quân sự tỉnh, Trưởng khối",
    "secretary": "Thiếu tá Nguyễn Văn Hòa, Trợ lý Tuyên huấn, Bộ Chỉ huy Quân sự tỉnh",
    "note": (
        "Hội nghị nghe Trưởng khối báo cáo kết quả chấm điểm, thẩm định năm 2022; các đơn vị "
        "thảo luận, thống nhất kết quả xếp hạng và biểu quyết suy tôn đơn vị dẫn đầu."
    ),
}
BARRED = ("Cục Thi hành án dân sự tỉnh Tuyên Quang", "Thanh tra tỉnh")
DOSSIER_DATE = dt.date(2022, 12, 22)
DECISION = ("125/QĐ-UBND", dt.date(2023, 1, 20))
REVIEWER = "thamdinh_tq"


def build_awards_demo(*, admin: Any) -> dict[str, int]:
    """Carry the demo bloc-year to decided proposals (see the module doc); returns counts."""
    rnd = Round.objects.select_related("bloc").get(
        bloc__province__name=DEMO[0], year=DEMO[1], kind=Round.Kind.TONG_KET, active=True
    )
    bloc, year = rnd.bloc, rnd.year
    units = {u.name: u for u in selectors.member_units(bloc_id=bloc.pk, year=year)}
    head = User.objects.get(username="truongkhoi")
    compliance.flag_add(
        bloc=bloc,
        year=year,
        actor=head,
        unit=units[BARRED[0]],
        kind=ComplianceFlag.Kind.INSPECTION,
        effect=ComplianceFlag.Effect.VETO_ALL,
        source=BARRED[1],
        note="Đơn vị đang trong thời gian thanh tra công vụ theo thông báo của Thanh tra tỉnh.",
    )
    ranking = ranking_services.ranking_compute(bloc=bloc, year=year, actor=head)
    ranking_services.meeting_save(
        bloc=bloc, year=year, actor=head, attending=units.values(), **MEETING
    )
    ((twin, first),) = TWIN.items()
    ranking = ranking_services.tie_votes_record(
        ranking=ranking, actor=head, votes={units[first].pk: 7, units[twin].pk: 2}
    )
    ranking = ranking_services.ranking_vote(
        ranking=ranking, actor=head, vote_for=9, vote_against=0, vote_total=9
    )
    report_services.adopt_ranking(ranking=ranking, actor=head)
    made = proposal_services.proposals_generate(bloc=bloc, year=year, actor=head)
    for i, p in enumerate(made):
        proposal_services.proposal_vote(
            proposal=p, actor=head, vote_for=9 - i % 2, vote_against=i % 2, vote_total=9
        )
    report_services.submit_proposals(bloc=bloc, year=year, actor=head, date=DOSSIER_DATE)
    reviewer = User.objects.filter(username=REVIEWER).first() or admin
    for p in Proposal.objects.filter(bloc=bloc, year=year).order_by("rank", "pk"):
        p = reviews.proposal_approve(proposal=p, actor=reviewer)
        reviews.proposal_decide(proposal=p, actor=reviewer, number=DECISION[0], date=DECISION[1])
    return {"proposals": len(made)}
