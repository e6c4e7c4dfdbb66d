"""Builders of the registration documents of a bloc-year (NĐ 30 format, the state profile):

- the consolidated registration table (BẢNG TỔNG HỢP đăng ký thi đua), and
- the giao ước itself (GIAO ƯỚC THI ĐUA), addressed to the provincial TĐKT body.

Both reuse the plan document's context (header, number, place and date, title, body blocks,
recipients, signature) and add one table (`extra["table"]`) that the print template and the
Word writer place after the body. Before the signing meeting both print "(Dự thảo)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blocs.access import UNKNOWN, term_of
from blocs.models import Bloc, BlocTerm
from plans import services as plan_services
from plans.models import FormatProfile, Milestone
from reports.documents import (
    DRAFT_MARKER,
    Block,
    PlanDocContext,
    Recipients,
    Run,
    Signature,
    SignLine,
    ascii_slug,
    caps,
    nfc,
    profile_numbers,
    text_blocks,
    vn_month,
)
from scoring import calc, selectors
from scoring.models import SigningMeeting, Title

HEADERS = ["STT", "Đơn vị", "Chỉ tiêu đăng ký", "Danh hiệu tập thể", "Danh hiệu cá nhân"]
TITLE_LABELS = dict(Title.choices)


@dataclass
class _Year:
    bloc: Bloc
    year: int
    term: BlocTerm | None
    meeting: SigningMeeting | None


def _year(bloc: Bloc, year: int, term: Any = UNKNOWN) -> _Year:
    term = term_of(bloc.pk, year, term)
    meeting = SigningMeeting.objects.filter(bloc=bloc, year=year).first()
    return _Year(bloc, year, term, meeting)


def registration_rows(bloc: Bloc, year: int) -> list[list[str]]:
    """One row per registration (accepted and signed ones; others are not in the table)."""
    rows = []
    regs = selectors.registrations(bloc_id=bloc.pk, year=year).filter(
        status__in=["accepted", "signed"]
    )
    for i, reg in enumerate(regs, start=1):
        targets = "\n".join(
            f"- {t.content}"
            + (
                f": {calc.fmt(t.target_value)} {t.measure}".rstrip()
                if t.target_value is not None
                else ""
            )
            for t in reg.targets.all()
        )
        collective = "\n".join(TITLE_LABELS[g.title] for g in reg.titles.all() if g.is_collective)
        individual = "\n".join(
            f"{TITLE_LABELS[g.title]}: {g.count}" for g in reg.titles.all() if not g.is_collective
        )
        rows.append([str(i), nfc(reg.unit.name), targets, collective, individual])
    return rows


def _place_date(y: _Year, place: str) -> str:
    if y.meeting is not None:
        d = y.meeting.date
        return f"{place}, ngày {d.day:02d} tháng {vn_month(d.month)} năm {d.year}"
    return f"{place}, ngày {' ' * 4} tháng {' ' * 4} năm {y.year}"


def term_signature(term: BlocTerm | None) -> Signature:
    """TM. KHỐI THI ĐUA / TRƯỞNG KHỐI / the head's leader as entered for the term."""
    before = [SignLine("authority", "TM. KHỐI THI ĐUA"), SignLine("position", "TRƯỞNG KHỐI")]
    after = []
    if term is not None:
        if term.signer_position:
            before.append(
                SignLine("position", caps(f"{term.signer_position} {term.head_print_name}"))
            )
        name = " ".join(x for x in (term.signer_rank, term.signer_name) if x)
        if name:
            after.append(SignLine("name", nfc(name)))
    return Signature(before, after)


def bloc_recipients(bloc: Bloc) -> Recipients:
    reviewer = nfc(bloc.province.reviewer_label)
    items = [f"- {reviewer} (b/c);", "- Các đơn vị thành viên Khối;", "- Lưu: VT."]
    return Recipients("Nơi nhận:", False, items)


def bloc_header(
    bloc: Bloc, year: int, *, term: Any = UNKNOWN
) -> tuple[FormatProfile, dict[str, Any]]:
    """The state profile and the header fields of a document the bloc issues: its parent body
    (the province) and the bloc's name as issuer, Quốc hiệu and tiêu ngữ (`term`: see
    blocs.access.term_of)."""
    profile = plan_services.default_profile()
    issuer = plan_services.issuer_defaults(bloc, year, term=term)
    return profile, {
        "profile": profile_numbers(profile),
        "parent_issuer_lines": [caps(issuer["parent_issuer"])],
        "issuer_lines": [caps(issuer["issuer"])],
        "national_title": caps(profile.national_title),
        "motto": nfc(profile.motto),
    }


def _context(
    y: _Year, *, kind: str, doc_type: str, title: str, body: list[Block], symbol: str
) -> PlanDocContext:
    profile, header = bloc_header(y.bloc, y.year, term=y.term)
    draft = y.meeting is None
    place = (y.meeting.place if y.meeting else "") or y.bloc.province.name
    stem = f"{ascii_slug(doc_type)}-{ascii_slug(y.bloc.symbol or 'KTD')}-{y.year}"
    # Only the giao ước is numbered (when it is issued at the signing); the table never is.
    numbered = kind == "scoring_giao_uoc" and y.meeting is not None and y.meeting.number
    number = f"{y.meeting.number:02d}" if numbered else " " * 5
    if numbered:
        stem = f"GU-{number}-{ascii_slug(y.bloc.symbol or 'KTD')}-{y.meeting.date.isoformat()}"
    return PlanDocContext(
        **header,
        number_text=profile.number_pattern.format(
            number=number, doc_type=symbol, symbol=nfc(y.bloc.symbol or "KTĐ")
        ),
        is_draft=draft,
        draft_marker=DRAFT_MARKER if draft else "",
        place_date_text=_place_date(y, y.bloc.province.name if not y.meeting else place),
        doc_type_name=doc_type,
        title_lines=[title],
        bases_style="paragraph",
        bases=[],
        preamble=[],
        theme="",
        body=body,
        closing=[],
        recipients=bloc_recipients(y.bloc),
        signature=term_signature(y.term),
        filename_stem=("Du-thao-" if draft else "") + stem,
        kind=kind,
        extra={"table": {"headers": HEADERS, "rows": registration_rows(y.bloc, y.year)}},
    )


def build_registration_table_context(
    bloc: Bloc, year: int, *, term: Any = UNKNOWN
) -> PlanDocContext:
    """BẢNG TỔNG HỢP đăng ký thi đua năm … of the bloc's members (`term`: see term_of)."""
    y = _year(bloc, year, term)
    count = len(selectors.member_units(bloc_id=bloc.pk, year=year))
    intro = (
        f"{nfc(bloc.name)} có {count} đơn vị thành viên trong năm {year}. Bảng dưới đây tổng hợp "
        "các chỉ tiêu và danh hiệu thi đua mà các đơn vị đã đăng ký và được Trưởng khối chấp nhận."
    )
    return _context(
        y,
        kind="scoring_table",
        doc_type="BẢNG TỔNG HỢP",
        title=f"Đăng ký thi đua năm {year} của các đơn vị thuộc {nfc(bloc.name)}",
        body=text_blocks(intro),
        symbol="BTH",
    )


def build_giao_uoc_context(bloc: Bloc, year: int, *, term: Any = UNKNOWN) -> PlanDocContext:
    """GIAO ƯỚC THI ĐUA năm … signed by the members at the signing meeting (`term`: see
    term_of)."""
    y = _year(bloc, year, term)
    versions = selectors.template_versions(bloc_id=bloc.pk, year=year)
    template = versions[0] if versions else None  # the version agreed at the signing
    plan_ms = selectors.plan_milestone(bloc_id=bloc.pk, year=year, kind=Milestone.Kind.KY_GIAO_UOC)
    when = (
        f"Hôm nay, ngày {y.meeting.date:%d/%m/%Y}, tại {nfc(y.meeting.place)}"
        if y.meeting
        else "Hôm nay, ngày …/…/…, tại "
        + (nfc(plan_ms.place) if plan_ms and plan_ms.place else "…")
    )
    attending = ", ".join(u.name for u in y.meeting.attending.order_by("name")) if y.meeting else ""
    scale = (
        f"thang điểm {calc.fmt(template.max_total)} điểm (phiên bản {template.version}) "
        if template
        else "thang điểm của Khối "
    )
    body: list[Block] = text_blocks(
        f"{when}, các đơn vị thành viên {nfc(bloc.name)} cùng ký kết giao ước thi đua năm {year}"
        + (f" (đơn vị tham dự: {attending})" if attending else "")
        + " với các nội dung sau:"
    )
    body.append(Block("heading", [Run("NỘI DUNG GIAO ƯỚC", bold=True)], 1, label="I."))
    body += text_blocks(
        "Mỗi đơn vị cam kết thực hiện các chỉ tiêu và phấn đấu đạt các danh hiệu thi đua đã đăng "
        "ký tại bảng dưới đây; kết quả được đánh giá, chấm điểm theo "
        + scale
        + "đã được các đơn vị thống nhất tại hội nghị."
    )
    body.append(Block("heading", [Run("TỔ CHỨC THỰC HIỆN", bold=True)], 1, label="II."))
    body += text_blocks(
        "Thủ trưởng các đơn vị thành viên có trách nhiệm tổ chức thực hiện giao ước; định kỳ sáu "
        "tháng và cuối năm tự đánh giá, chấm điểm, báo cáo Trưởng khối. Trưởng khối tổng hợp, "
        f"báo cáo {nfc(bloc.province.reviewer_label)} theo quy định."
    )
    return _context(
        y,
        kind="scoring_giao_uoc",
        doc_type="GIAO ƯỚC THI ĐUA",
        title=f"Năm {year} của {nfc(bloc.name)}",
        body=body,
        symbol="GƯ",
    )


BUILDERS = {"bang-tong-hop": build_registration_table_context, "giao-uoc": build_giao_uoc_context}
