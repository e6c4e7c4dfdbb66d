"""The province's year as an Excel workbook for the reviewer: one sheet of blocs (head,
ranking, leader, Cờ CP share), one of every bloc's ranking table (every unit with its total,
rank, band and eligibility) and one of every proposal with its basis, vote and decision.

Seven queries whatever the number of blocs and units: the session, the user and the province,
the scoring panel's two (its blocs' row holds each bloc's name and head too), every ranking row
of the province-year, every proposal."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from blocs.models import Province
from scoring import awards
from scoring.models import Proposal, Ranking
from scoring.province import province_panel
from scoring.selectors_ranking import province_ranking_rows

BLOC_HEADERS = [
    "Khối thi đua",
    "Trưởng khối",
    "Số đơn vị ký giao ước",
    "Xếp hạng",
    "Đơn vị dẫn đầu",
    "Tổng điểm",
    "Cờ thi đua Chính phủ",
]
RANKING_HEADERS = [
    "Khối thi đua",
    "Trạng thái xếp hạng",
    "Thứ tự",
    "Hạng",
    "Tập thể",
    "Tổng điểm",
    "Xếp loại",
    "Đủ điều kiện khen thưởng",
    "Lý do",
]
PROPOSAL_HEADERS = [
    "Khối thi đua",
    "Tập thể",
    "Hình thức",
    "Hạng",
    "Tổng điểm",
    "Tán thành",
    "Tổng số biểu quyết",
    "Tỷ lệ (%)",
    "Trạng thái",
    "Lý do trả lại / không chấp thuận",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan quyết định",
    "Tiền thưởng (đồng)",
]


def _sheet(wb: Workbook, title: str, headers: list[str]):
    ws = wb.create_sheet(title)
    ws.append([_bold(ws, h) for h in headers])
    return ws


def _bold(ws, text: str):
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True)
    return cell


def export_province(*, province: Province, year: int) -> bytes:
    """Every bloc and every proposal of the province for `year` (written row by row)."""
    wb = Workbook(write_only=True)
    blocs = _sheet(wb, "Các khối", BLOC_HEADERS)
    panel = province_panel(province=province, year=year, bloc_count=0)  # every bloc, by name
    status = dict(Ranking.Status.choices)
    for b in panel.blocs.values():
        blocs.append(
            [
                b.name,
                b.head,
                b.signed,
                status.get(b.ranking, "Chưa xếp hạng"),
                b.leader,
                b.leader_total,
                b.co_cp,
            ]
        )
    table = _sheet(wb, "Xếp hạng các khối", RANKING_HEADERS)
    by_bloc = province_ranking_rows(province_id=province.pk, year=year)
    for bloc_id, b in panel.blocs.items():
        rows = by_bloc.get(bloc_id, [])
        state = status[rows[0].ranking.status] if rows else ""
        for r in rows:
            table.append(
                [
                    b.name,
                    state,
                    r.position,
                    r.rank,
                    r.unit.name,
                    r.total,
                    r.band,
                    r.gate_label,
                    "; ".join(r.reasons),
                ]
            )
    sheet = _sheet(wb, "Đề nghị khen thưởng", PROPOSAL_HEADERS)
    proposals = (
        Proposal.objects.filter(bloc__province=province, year=year)
        .select_related("bloc", "unit")
        .order_by("bloc__name", "rank", "award")
    )
    for p in proposals.iterator(chunk_size=500):
        pct = awards.vote_pct(vote_for=p.vote_for, vote_total=p.vote_total)
        sheet.append(
            [
                p.bloc.name,
                p.unit.name,
                p.get_award_display(),
                p.rank,
                p.total,
                p.vote_for,
                p.vote_total,
                pct,
                p.get_status_display(),
                p.returned_reason,
                p.decision_number,
                p.decision_date,
                p.decision_issuer,
                p.reward_amount,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
