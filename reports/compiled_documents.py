"""The bloc's BÁO CÁO of a reporting round (sơ kết 6 tháng / tổng kết năm) to the provincial TĐKT
body, compiled from the members' submissions (NĐ 30 layout, the bloc as issuer, "Kính gửi" the
province's reviewer body, signed by the term's head as the year's plan is):

    intro · I. which units reported (on time / late) and which are missing · the table (with the
    sheet totals self / reviewed / final as available) · II. the secretariat's assessment · closing

A report not yet issued prints a blank number and day and "(Dự thảo)"; issuing freezes it
(reports.kinds BAO_CAO, register symbol "BC").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from blocs.access import UNKNOWN, term_of
from blocs.models import Unit
from plans import rules as plan_rules
from plans.models import Plan
from reports.documents import (
    BLANK_DAY,
    BLANK_MONTH,
    BLANK_NUMBER,
    DRAFT_MARKER,
    Block,
    PlanDocContext,
    Run,
    Signature,
    ascii_slug,
    nfc,
    signature_of,
    text_blocks,
    vn_month,
)
from reports.models import CompiledReport
from reports.scoring_documents import bloc_header, bloc_recipients, term_signature
from scoring import calc
from scoring.models import Round, Submission
from scoring.selectors import units_due

DOC_TYPE = "BC"  # the register symbol: "Số: 03/BC-KTĐNC"
S = Submission.Status
SUBMITTED_STATES = {S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.FINAL}


@dataclass
class UnitLine:
    unit: Unit
    sub: Submission | None

    @property
    def came(self) -> bool:
        """The unit has sent its report (a returned one had been sent, and is being corrected)."""
        return self.sub is not None and self.sub.first_submitted_at is not None

    @property
    def timing(self) -> str:
        if not self.came:
            return "Chưa nộp"
        return "Muộn hạn" if self.sub.late else "Đúng hạn"


def unit_lines(round: Round) -> list[UnitLine]:
    """Every unit due in the round with its submission (two queries)."""
    subs = {s.unit_id: s for s in Submission.objects.filter(round=round)}
    return [UnitLine(u, subs.get(u.pk)) for u in units_due(round=round)]


def period_words(round: Round) -> str:
    if round.kind == Round.Kind.SO_KET:
        return f"6 tháng đầu năm {round.year}"
    if round.kind == Round.Kind.TONG_KET:
        return f"năm {round.year}"
    return f"{nfc(round.name).lower()} năm {round.year}"


def _date(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _table(round: Round, lines: list[UnitLine]) -> dict[str, Any]:
    headers = ["STT", "Đơn vị", "Ngày nộp", "Tình trạng"]
    shares = [0.07, 0.45, 0.22, 0.26]
    if round.with_score_sheet:
        headers += ["Tự chấm", "Thẩm định", "Thống nhất"]
        shares = [0.07, 0.31, 0.16, 0.19, 0.09, 0.09, 0.09]
    rows = []
    for i, line in enumerate(lines, start=1):
        sub = line.sub
        if line.came:
            first = timezone.localtime(sub.first_submitted_at).date()
            cells = [str(i), nfc(line.unit.name), f"{_date(first)}\n({line.timing.lower()})"]
            cells.append(sub.get_status_display())
        else:
            cells = [str(i), nfc(line.unit.name), line.timing, ""]
        if round.with_score_sheet:
            cells += _totals(sub) if line.came else ["", "", ""]
        rows.append({"style": "leaf" if line.came else "missing", "cells": cells})
    align = ["center", "left", "center", "left"] + ["center"] * 3
    return {
        "headers": headers,
        "rows": rows,
        "shares": shares,
        "align": align[: len(headers)],
        "empty": "Kỳ báo cáo này không có đơn vị phải nộp.",
    }


def _totals(sub: Submission) -> list[str]:
    reviewed = sub.status in (S.REVIEWED, S.FINAL)
    return [
        calc.fmt(sub.self_total),
        calc.fmt(sub.reviewed_total) if reviewed else "",
        calc.fmt(sub.final_total) if sub.status == S.FINAL else "",
    ]


def summary_text(lines: list[UnitLine]) -> str:
    """ "Kỳ này có 4 đơn vị phải nộp báo cáo; 3 đơn vị đã nộp (2 đúng hạn, 1 muộn hạn); 1 đơn
    vị chưa nộp: …." """
    came = [x for x in lines if x.came]
    late = sum(1 for x in came if x.sub.late)
    missing = [nfc(x.unit.name) for x in lines if not x.came]
    text = (
        f"Kỳ này có {len(lines)} đơn vị phải nộp báo cáo; {len(came)} đơn vị đã nộp "
        f"({len(came) - late} đúng hạn, {late} muộn hạn)"
    )
    if missing:
        return f"{text}; {len(missing)} đơn vị chưa nộp: {', '.join(missing)}."
    return f"{text}; không có đơn vị nào chưa nộp."


def year_signature(bloc_id: int, year: int, *, term: Any = UNKNOWN) -> Signature:
    """Signed as the year's issued plan is (its block with the term's leader, as entered for
    the term), else TM. KHỐI THI ĐUA / TRƯỞNG KHỐI / the term's leader (`term`: see
    blocs.access.term_of)."""
    term = term_of(bloc_id, year, term)
    plan = (
        Plan.objects.filter(bloc_id=bloc_id, year=year, status=Plan.Status.ISSUED)
        .order_by("-issue_date", "-pk")
        .first()
    )
    lines = [(x.role, x.text, x.after_gap) for x in plan.signature_lines.all()] if plan else []
    if not lines:
        return term_signature(term)
    lines = plan_rules.signature_for_term(lines, old_term=term, new_term=term)
    return signature_of([SimpleNamespace(role=r, text=t, after_gap=g) for r, t, g in lines])


def _body(round: Round, lines: list[UnitLine]) -> list[Block]:
    bloc = nfc(round.bloc.name)
    data = (
        f" (số liệu từ ngày {_date(round.data_from)} đến ngày {_date(round.data_to)})"
        if round.data_from and round.data_to
        else ""
    )
    body = text_blocks(
        f"Thực hiện Kế hoạch thi đua năm {round.year} của {bloc}, {bloc} báo cáo kết quả thực "
        f"hiện phong trào thi đua {period_words(round)}{data} như sau:"
    )
    sheet = ", BẢNG TỰ CHẤM ĐIỂM" if round.with_score_sheet else ""
    heading = f"TÌNH HÌNH NỘP BÁO CÁO{sheet} CỦA CÁC ĐƠN VỊ"
    body.append(Block("heading", [Run(heading, bold=True)], 1, label="I."))
    due = f" (hạn nộp ngày {_date(round.due)})" if round.due else ""
    body += text_blocks(f"{summary_text(lines)} Chi tiết tại bảng tổng hợp sau{due}:")
    return body


def _after_table(report: CompiledReport, round: Round) -> list[Block]:
    blocks = [Block("heading", [Run("ĐÁNH GIÁ CHUNG", bold=True)], 1, label="II.")]
    blocks += text_blocks(report.body) or text_blocks("(Trưởng khối chưa viết phần đánh giá.)")
    closing = (
        f"Trên đây là báo cáo kết quả thực hiện phong trào thi đua {period_words(round)} của "
        f"{nfc(round.bloc.name)}./."
    )
    return blocks + text_blocks(closing)


def build_compiled_context(
    report: CompiledReport, *, round: Round | None = None, term: Any = UNKNOWN
) -> PlanDocContext:
    """The BÁO CÁO of `report.round` (an unsaved CompiledReport prints an empty assessment).
    `round` (with its bloc and province) and `term`: when the caller (a view's gate) has them."""
    if round is None or round.pk != report.round_id:
        round = Round.objects.select_related("bloc", "bloc__province").get(pk=report.round_id)
    bloc, year = round.bloc, round.year
    lines = unit_lines(round)
    profile, header = bloc_header(bloc, year, term=term)
    symbol = nfc(bloc.symbol or "KTĐ")
    issued = report.number is not None and report.issue_date is not None
    number = f"{report.number:02d}" if issued else BLANK_NUMBER
    place = nfc(bloc.province.name)
    if issued:
        d = report.issue_date
        place_date = f"{place}, ngày {d.day:02d} tháng {vn_month(d.month)} năm {d.year}"
        stem = f"BC-{number}-{ascii_slug(symbol)}-{d.isoformat()}"
    else:
        place_date = f"{place}, ngày {BLANK_DAY} tháng {BLANK_MONTH} năm {year}"
        stem = f"Du-thao-BC-{ascii_slug(symbol)}-{year}-{ascii_slug(round.key)}"
    words = "sơ kết" if round.kind == Round.Kind.SO_KET else "tổng kết"
    return PlanDocContext(
        **header,
        number_text=profile.number_pattern.format(number=number, doc_type=DOC_TYPE, symbol=symbol),
        is_draft=not issued,
        draft_marker="" if issued else DRAFT_MARKER,
        place_date_text=place_date,
        doc_type_name="BÁO CÁO",
        title_lines=[
            f"Kết quả thực hiện phong trào thi đua {words} {period_words(round)}",
            f"của {nfc(bloc.name)}",
        ],
        bases_style="paragraph",
        bases=[],
        preamble=[],
        theme="",
        body=_body(round, lines),
        closing=[],
        recipients=bloc_recipients(bloc),
        signature=year_signature(bloc.pk, year, term=term),
        filename_stem=stem,
        kind="compiled_report",
        extra={
            "addressee": nfc(bloc.province.reviewer_label),
            "table": _table(round, lines),
            "after_table": [asdict(b) for b in _after_table(report, round)],
            "round_id": round.pk,
            "missing": [nfc(x.unit.name) for x in lines if not x.came],
        },
    )
