"""The tờ trình đề nghị khen thưởng of a bloc-year to the provincial TĐKT body (NĐ 30, the state
profile): issued in the bloc's name by its head, numbered "Số: 03/TTr-KTĐNC" in the bloc's
register when the dossier is submitted, listing the proposals it carries with their basis (rank,
score, the meeting's vote, achievements). Before submission it renders live as "(Dự thảo)" from
the drafted proposals.

The bình xét meeting is read from scoring.models.Meeting directly (engineer E owns its pages).
"""

from __future__ import annotations

import datetime as dt

from blocs.models import Bloc, BlocTerm
from plans import services as plan_services
from reports.documents import (
    DRAFT_MARKER,
    Block,
    PlanDocContext,
    Recipients,
    Run,
    ascii_slug,
    caps,
    nfc,
    profile_numbers,
    text_blocks,
    vn_month,
)
from reports.scoring_documents import term_signature
from scoring import awards, calc
from scoring.models import Dossier, Meeting, Proposal, Title

DOC_TYPE = "TTr"
HEADERS = [
    "STT",
    "Tập thể được đề nghị",
    "Hình thức",
    "Hạng",
    "Tổng điểm",
    "Biểu quyết",
    "Thành tích",
]
SHARES = [0.06, 0.22, 0.16, 0.07, 0.09, 0.13, 0.27]  # column widths in the Word table
LABELS = dict(Title.choices)


def proposal_rows(proposals: list[Proposal]) -> list[list[str]]:
    rows = []
    for i, p in enumerate(proposals, start=1):
        pct = awards.vote_pct(vote_for=p.vote_for, vote_total=p.vote_total)
        vote = f"{p.vote_for}/{p.vote_total} ({calc.fmt(pct)} %)" if pct is not None else "—"
        rows.append(
            [
                str(i),
                nfc(p.unit.name),
                LABELS[p.award],
                str(p.rank),
                calc.fmt(p.total),
                vote,
                nfc(p.achievements),
            ]
        )
    return rows


def _award_summary(proposals: list[Proposal]) -> str:
    counts: dict[str, int] = {}
    for p in proposals:
        counts[p.award] = counts.get(p.award, 0) + 1
    return "; ".join(f"{LABELS[a]}: {n} tập thể" for a, n in counts.items())


def _body(bloc: Bloc, year: int, proposals: list[Proposal], meeting: Meeting | None) -> list[Block]:
    reviewer = nfc(bloc.province.reviewer_label)
    held = (
        f"ngày {meeting.date:%d/%m/%Y} tại {nfc(meeting.place)}"
        if meeting is not None
        else "cuối năm"
    )
    body = [Block("paragraph", [Run("Kính gửi: ", bold=True), Run(reviewer)])]
    body += text_blocks(
        f"Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 152/2025/NĐ-CP; "
        f"kết quả chấm điểm, xếp hạng thi đua năm {year} và biên bản hội nghị bình xét của "
        f"{nfc(bloc.name)} họp {held}."
    )
    body.append(Block("heading", [Run("KẾT QUẢ BÌNH XÉT, SUY TÔN", bold=True)], 1, label="I."))
    body += text_blocks(
        f"Hội nghị đã bình xét, biểu quyết suy tôn và thống nhất đề nghị khen thưởng "
        f"{len(proposals)} tập thể ({_award_summary(proposals)}), theo thứ hạng và tỷ lệ tán "
        "thành tại bảng dưới đây; các đơn vị được đề nghị không thuộc trường hợp đang bị xem xét "
        "kỷ luật, thanh tra, điều tra hay có khiếu nại, tố cáo chưa giải quyết xong."
    )
    body.append(Block("heading", [Run("ĐỀ NGHỊ", bold=True)], 1, label="II."))
    body += text_blocks(
        f"{nfc(bloc.name)} kính trình {reviewer} xem xét, trình Chủ tịch UBND tỉnh quyết định "
        f"khen thưởng (và đề nghị cấp trên khen thưởng theo thẩm quyền) cho các tập thể có tên "
        "tại bảng kèm theo./."
    )
    return body


def _place_date(place: str, day: dt.date | None, year: int) -> str:
    if day is None:
        return f"{place}, ngày {' ' * 4} tháng {' ' * 4} năm {year}"
    return f"{place}, ngày {day.day:02d} tháng {vn_month(day.month)} năm {day.year}"


def build_to_trinh_context(
    bloc: Bloc, year: int, *, dossier: Dossier | None = None
) -> PlanDocContext:
    """TỜ TRÌNH đề nghị khen thưởng: of an issued dossier (its number and date), or the draft of
    the proposals still being prepared."""
    if dossier is not None:
        proposals = list(dossier.proposals.select_related("unit").order_by("rank", "award"))
    else:
        proposals = list(
            Proposal.objects.filter(bloc=bloc, year=year, status=Proposal.Status.DRAFTED)
            .select_related("unit")
            .order_by("rank", "award")
        )
    term = BlocTerm.objects.select_related("head_unit").filter(bloc=bloc, year=year).first()
    meeting = Meeting.objects.filter(bloc=bloc, year=year).first()
    profile = plan_services.default_profile()
    issuer = plan_services.issuer_defaults(bloc, year)
    numbered = dossier is not None and dossier.number is not None
    number = f"{dossier.number:02d}" if numbered else " " * 5
    symbol = nfc(bloc.symbol or "KTĐ")
    stem = f"TTr-{ascii_slug(bloc.symbol or 'KTD')}-{year}"
    if numbered:
        stem = f"TTr-{number}-{ascii_slug(bloc.symbol or 'KTD')}-{dossier.date.isoformat()}"
    return PlanDocContext(
        profile=profile_numbers(profile),
        parent_issuer_lines=[caps(issuer["parent_issuer"])],
        issuer_lines=[caps(issuer["issuer"])],
        national_title=caps(profile.national_title),
        motto=nfc(profile.motto),
        number_text=profile.number_pattern.format(number=number, doc_type=DOC_TYPE, symbol=symbol),
        is_draft=not numbered,
        draft_marker="" if numbered else DRAFT_MARKER,
        place_date_text=_place_date(
            nfc(bloc.province.name), dossier.date if numbered else None, year
        ),
        doc_type_name="TỜ TRÌNH",
        title_lines=[f"Đề nghị khen thưởng năm {year} cho các tập thể thuộc {nfc(bloc.name)}"],
        bases_style="paragraph",
        bases=[],
        preamble=[],
        theme="",
        body=_body(bloc, year, proposals, meeting),
        closing=[],
        recipients=Recipients(
            "Nơi nhận:",
            False,
            ["- Như trên;", "- Các đơn vị thành viên Khối;", "- Lưu: VT."],
        ),
        signature=term_signature(term),
        filename_stem=("" if numbered else "Du-thao-") + stem,
        kind="to_trinh",
        extra={"table": {"headers": HEADERS, "rows": proposal_rows(proposals), "shares": SHARES}},
    )
