"""The demo's bình xét and suy tôn: the bloc-year whose tổng kết sheets are final is carried
to DECIDED award proposals through the services — ranking (with a tie at the top that only the
meeting's vote breaks, and one unit barred by a Thanh tra flag), the meeting, the votes, the
proposals within the quotas, the dossier with its tờ trình, the province's approval and decision.

Where this branch has no service yet, a clearly marked STAND-IN writes the rows directly:
  - `_sheets_stand_in`: makes Tuyên Quang 2022's tổng kết sheets final through the sheet
    services when no bloc-year has final sheets (the sheets engineer's demo does this on merge);
  - `_ranking_stand_in` and `_flag_stand_in`: engineer E's ranking, compliance and meeting
    services replace them on merge (compute → record the meeting and vote → adopt).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from reports import services as report_services
from scoring import calc, selectors
from scoring.models import ComplianceFlag, Meeting, Proposal, Ranking, RankingRow, Round, Submission
from scoring.services import proposal_reviews as reviews
from scoring.services import proposals as proposal_services
from scoring.services import reviews as sheet_reviews
from scoring.services import sheets as sheet_services

S = Submission.Status
MEETING = (dt.date(2022, 12, 20), "Hội trường Bộ CHQS tỉnh Tuyên Quang")
DOSSIER_DATE = dt.date(2022, 12, 22)
DECISION = ("125/QĐ-UBND", dt.date(2023, 1, 20))
CUTS = [D(0), D(0), D("0.5"), D(1), D("1.5"), D(2), D("2.5"), D(3), D("3.5")]  # #1 = #2: a tie
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _final_round() -> Round | None:
    return (
        Round.objects.filter(kind=Round.Kind.TONG_KET, with_score_sheet=True)
        .annotate(final=Count("submissions", filter=Q(submissions__status=S.FINAL)))
        .filter(final__gt=0)
        .select_related("bloc")
        .order_by("year", "pk")
        .first()
    )


def _line(entry, i: int) -> tuple[Any, Any]:
    c = entry.criterion
    if c.kind == "pass_fail":
        return None, True
    if c.kind == "graded":  # the first graded line ("nhiệm vụ đột xuất") separates the units
        cut = CUTS[i % len(CUTS)] if c.code == "2" and c.max_points == 15 else D(0)
        return c.max_points - cut, None
    if c.kind == "quantitative":
        return "100", None
    return ("1", None) if c.kind in ("per_occurrence", "bonus") else ("0", None)


def _sheets_stand_in(admin: Any) -> Round | None:
    """STAND-IN (the sheets demo): every unit of Tuyên Quang 2022 fills, submits; the head and
    deputy review; the tổng kết meeting finalises."""
    rnd = Round.objects.filter(
        bloc__province__name="Tuyên Quang", year=2022, kind=Round.Kind.TONG_KET
    ).first()
    if rnd is None:
        return None
    for i, unit in enumerate(selectors.units_due(round=rnd)):
        sub = sheet_services.submission_open(round=rnd, unit=unit, actor=admin)
        for entry in sub.entries.select_related("criterion").order_by("criterion__order"):
            value, passed = _line(entry, i)
            sheet_services.line_save(entry=entry, actor=admin, value=value, passed=passed)
            if entry.criterion.evidence_required:
                upload = SimpleUploadedFile("minh-chung.pdf", PDF, content_type="application/pdf")
                sheet_services.file_add(
                    submission=sub, actor=admin, upload=upload, purpose="evidence", entry=entry
                )
        sheet_services.report_save(
            submission=sub, actor=admin, body=f"Báo cáo tổng kết năm 2022 của {unit.name}."
        )
        due = dt.datetime.combine(rnd.due, dt.time(9), tzinfo=timezone.get_current_timezone())
        sub = sheet_services.submission_submit(submission=sub, actor=admin, now=due)
        while sub.status != S.REVIEWED:
            sub = sheet_reviews.layer_done(submission=sub, actor=admin)
    sheet_reviews.round_finalize(round=rnd, actor=admin, note="Hội nghị tổng kết năm 2022")
    return rnd


def _flag_stand_in(rnd: Round, unit, admin: Any) -> ComplianceFlag:
    """STAND-IN for E's compliance service: Thanh tra tỉnh reports an inspection under way."""
    return ComplianceFlag.objects.create(
        bloc=rnd.bloc,
        year=rnd.year,
        unit=unit,
        kind=ComplianceFlag.Kind.INSPECTION,
        source="Thanh tra tỉnh",
        effect=ComplianceFlag.Effect.VETO_ALL,
        note="Đơn vị đang trong thời gian thanh tra công vụ (thông báo của Thanh tra tỉnh).",
        created_by=admin,
    )


def _ranking_stand_in(rnd: Round, admin: Any) -> Ranking:
    """STAND-IN for E's ranking service: rank the final totals; the tie at the top is broken by
    the meeting's vote (every other tie-breaker equal), recorded in the trace; the flagged unit
    keeps its place but is ineligible. Then the meeting adopts it."""
    subs = sorted(
        Submission.objects.filter(round=rnd, status=S.FINAL).select_related("unit"),
        key=lambda s: (-s.final_total, s.unit.name),
    )
    flagged = _flag_stand_in(rnd, subs[2].unit, admin)
    ranking = Ranking.objects.create(
        bloc=rnd.bloc, year=rnd.year, round=rnd, computed_at=timezone.now(), tie_break=[]
    )
    tied = subs[0].final_total == subs[1].final_total
    for i, sub in enumerate(subs):
        trace, vote = [], None
        if tied and i < 2:
            vote = (7, 2)[i]
            trace = [
                f"Bằng điểm {calc.fmt(subs[0].final_total)} với "
                f"{subs[1 - i].unit.name}; các tiêu chí phụ bằng nhau; hội nghị biểu quyết: "
                f"{vote}/9 phiếu."
            ]
        barred = sub.unit_id == flagged.unit_id
        RankingRow.objects.create(
            ranking=ranking,
            unit=sub.unit,
            position=i + 1,
            rank=i + 1,
            total=sub.final_total,
            band="Hoàn thành xuất sắc" if sub.final_total >= 90 else "Hoàn thành tốt",
            eligible=not barred,
            eligible_for_co=not barred,
            reasons=[f"{flagged.get_kind_display()} ({flagged.source})"] if barred else [],
            trace=trace,
            tie_vote=vote,
        )
    meeting = Meeting.objects.create(
        bloc=rnd.bloc,
        year=rnd.year,
        date=MEETING[0],
        place=MEETING[1],
        chair="Đại tá Hà Đình Khiêm, Chính ủy Bộ CHQS tỉnh",
        secretary="Thiếu tá Nguyễn Văn Hòa",
    )
    meeting.attending.set([s.unit for s in subs])
    adopted = dt.datetime.combine(MEETING[0], dt.time(16), tzinfo=timezone.get_current_timezone())
    Ranking.objects.filter(pk=ranking.pk).update(
        status=Ranking.Status.ADOPTED,
        meeting=meeting,
        adopted_at=adopted,
        adopted_by=admin,
        vote_for=9,
        vote_against=0,
        vote_total=9,
    )
    return Ranking.objects.get(pk=ranking.pk)


def build_awards_demo(*, admin: Any) -> dict[str, int]:
    """Carry the demo bloc-year with final sheets to decided proposals (see the module doc)."""
    rnd = _final_round() or _sheets_stand_in(admin)
    if rnd is None:
        return {"proposals": 0}
    ranking = _ranking_stand_in(rnd, admin)
    made = proposal_services.proposals_generate(bloc=ranking.bloc, year=ranking.year, actor=admin)
    for i, p in enumerate(made):
        proposal_services.proposal_vote(
            proposal=p, actor=admin, vote_for=9 - i % 2, vote_against=i % 2, vote_total=9
        )
    report_services.submit_proposals(
        bloc=ranking.bloc, year=ranking.year, actor=admin, date=DOSSIER_DATE
    )
    for p in Proposal.objects.filter(ranking=ranking).order_by("rank"):
        p = reviews.proposal_approve(proposal=p, actor=admin)
        reviews.proposal_decide(proposal=p, actor=admin, number=DECISION[0], date=DECISION[1])
    return {"proposals": len(made)}
