"""Builders of the bình xét documents of a bloc-year (NĐ 30 format, the state profile):

- BẢNG TỔNG HỢP kết quả chấm điểm, xếp hạng thi đua (landscape, with the bar chart), and
- BIÊN BẢN họp bình xét, xếp hạng thi đua: time, place, attendance, the ranking, the units not
  eligible with the reason, the tie-break trace, the vote with its percentage, and the unit that
  leads the bloc, named with the bloc's name (CV 5007/BNV-TĐKT). Two signatures: secretary, chair.

Both read the ranking through scoring.selectors_ranking (what the page shows) and reuse the
plan document's context; the minutes are issued (numbered, frozen) when the ranking is adopted.
"""

from __future__ import annotations

from typing import Any

from blocs.access import UNKNOWN, term_of
from blocs.models import Bloc
from plans import services as plan_services
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
from reports.scoring_documents import bloc_recipients, term_signature
from scoring import calc, charts
from scoring.models import Meeting
from scoring.selectors_ranking import RankingView, ranking_view

MINUTES_DOC_TYPE = "BB"


def _num(value) -> str:
    return "–" if value is None else calc.fmt(value)


def table_rows(view: RankingView, *, full: bool = True) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the ranking table (full: with group subtotals, bonus, penalty)."""
    heads = ["Hạng", "Đơn vị", "Tổng điểm"]
    if full:
        heads += [f"Nhóm {g}" for g in view.groups]
    heads += ["Xếp loại", "Điều kiện khen thưởng"]
    rows = []
    for r in view.rows:
        gate = r.gate_label + (" (dẫn đầu)" if r.leader else "")
        if r.reasons:
            gate += "\n" + "\n".join(f"- {x}" for x in r.reasons)
        name = nfc(r.unit.name) + (" (không trọn năm)" if r.partial_year else "")
        cells = [str(r.rank), name, _num(r.total)]
        if full:
            cells += [_num(v) for v in r.subtotals.values()]
        rows.append([*cells, r.band or "–", gate])
    return heads, rows


def _shares(count: int, full: bool) -> list[float]:
    """Column widths (shares of the text width) for the Word table."""
    groups = count - 5
    if not full or groups <= 0:
        return [0.07, 0.33, 0.1, 0.2, 0.3]
    rest = 1 - 0.05 - 0.22 - 0.07 - 0.13 - 0.25
    return [0.05, 0.22, 0.07, *[rest / groups] * groups, 0.13, 0.25]


def _when(meeting: Meeting | None, place: str, year: int) -> str:
    if meeting is None:
        return f"{place}, ngày {' ' * 4} tháng {' ' * 4} năm {year}"
    d = meeting.date
    return f"{place}, ngày {d.day:02d} tháng {vn_month(d.month)} năm {d.year}"


def _context(bloc: Bloc, year: int, view: RankingView, term: Any, **kw) -> PlanDocContext:
    profile = plan_services.default_profile()
    issuer = plan_services.issuer_defaults(bloc, year, term=term)
    place = (view.meeting.place if view.meeting else "") or bloc.province.name
    draft = kw.pop("draft")
    number = kw.pop("number", None)
    stem = f"{kw.pop('stem')}-{ascii_slug(bloc.symbol or 'KTD')}-{year}"
    return PlanDocContext(
        profile=profile_numbers(profile),
        parent_issuer_lines=[caps(issuer["parent_issuer"])],
        issuer_lines=[caps(issuer["issuer"])],
        national_title=caps(profile.national_title),
        motto=nfc(profile.motto),
        number_text=profile.number_pattern.format(
            number=f"{number:02d}" if number else " " * 5,
            doc_type=kw.pop("symbol"),
            symbol=nfc(bloc.symbol or "KTĐ"),
        ),
        is_draft=draft,
        draft_marker=DRAFT_MARKER if draft else "",
        place_date_text=_when(
            view.meeting, bloc.province.name if not view.meeting else place, year
        ),
        bases_style="paragraph",
        bases=[],
        preamble=[],
        theme="",
        closing=[],
        filename_stem=("Du-thao-" if draft else "") + stem,
        **kw,
    )


def build_ranking_table_context(
    bloc: Bloc, year: int, *, view: RankingView | None = None, term: Any = UNKNOWN
) -> PlanDocContext:
    """BẢNG TỔNG HỢP kết quả chấm điểm, xếp hạng thi đua năm … (landscape, bar chart).
    `view`, `term`: the ranking and the term when the caller (a view's gate) has them."""
    view = view or ranking_view(bloc_id=bloc.pk, year=year)
    term = term_of(bloc.pk, year, term)
    heads, rows = table_rows(view)
    title = f"Kết quả chấm điểm, xếp hạng thi đua năm {year} của {nfc(bloc.name)}"
    status = (
        "đã được hội nghị bình xét thông qua" if view.adopted else "chưa được hội nghị thông qua"
    )
    intro = (
        f"Kết quả tổng hợp từ bảng điểm đã chốt của {len(rows)} đơn vị thành viên ({status}). "
        "Đơn vị không đủ điều kiện khen thưởng vẫn giữ điểm và thứ hạng; lý do ghi bên cạnh."
    )
    chart = charts.bar_chart(view.rows, title=title, chart_id="bth") if view.rows else ""
    return _context(
        bloc,
        year,
        view,
        term,
        draft=not view.adopted,
        stem="Bang-tong-hop-ket-qua",
        symbol="BTH",
        doc_type_name="BẢNG TỔNG HỢP",
        title_lines=[title],
        body=text_blocks(intro),
        recipients=bloc_recipients(bloc),
        signature=term_signature(term),
        kind="ranking_table",
        extra={
            "table": {"headers": heads, "rows": rows, "shares": _shares(len(heads), True)},
            "chart": str(chart),
            "landscape": True,
        },
    )


def _para(text: str) -> Block:
    return Block("paragraph", [Run(nfc(text))])


def _heading(label: str, text: str) -> Block:
    return Block("heading", [Run(text, bold=True)], 1, label=label)


def _opening(bloc: Bloc, year: int, view: RankingView) -> list[Block]:
    m = view.meeting
    when = f"ngày {m.date:%d/%m/%Y}" if m else "ngày …/…/…"
    members = len(view.rows)
    units = ", ".join(nfc(u.name) for u in view.attending) or "…"
    return [
        _para(f"Thời gian: {when}."),
        _para(f"Địa điểm: {nfc(m.place) if m else '…'}."),
        _para(f"Chủ trì: {nfc(m.chair) if m else '…'}. Thư ký: {nfc(m.secretary) if m else '…'}."),
        _para(
            f"Thành phần: đại diện {len(view.attending)}/{members} đơn vị thành viên {nfc(bloc.name)}: {units}."
        ),
        _heading("I.", "NỘI DUNG"),
        _para(
            f"Hội nghị đã xem xét kết quả chấm điểm thi đua năm {year} của các đơn vị thành viên "
            "(bảng điểm đã được thẩm định và chốt), đối chiếu các điều kiện xét khen thưởng và thống "
            "nhất kết quả xếp hạng như sau:"
        ),
    ]


def _closing(bloc: Bloc, view: RankingView) -> list[Block]:
    out: list[Block] = []
    if view.ineligible:
        out.append(_para("Đơn vị không đủ điều kiện xét khen thưởng (vẫn giữ điểm và thứ hạng):"))
        for r in view.ineligible:
            out.append(
                Block("bullet", [Run(f"{nfc(r.unit.name)}: {'; '.join(r.reasons)}.")], marker="-")
            )
    steps = list(dict.fromkeys(s["text"] for r in view.rows for s in r.trace))
    if steps:
        out.append(_para("Phân định thứ hạng các đơn vị bằng điểm:"))
        out += [Block("bullet", [Run(nfc(t))], marker="-") for t in steps]
    out.append(_heading("II.", "KẾT QUẢ BIỂU QUYẾT"))
    r, rules = view.ranking, view.rules
    if view.vote_pct is None:
        out.append(_para("Hội nghị chưa biểu quyết."))
    else:
        verdict = "đạt" if view.vote_passes else "không đạt"
        out.append(
            _para(
                f"Số phiếu tán thành: {r.vote_for}/{r.vote_total}, đạt tỷ lệ {calc.fmt(view.vote_pct)} %; "
                f"không tán thành: {r.vote_against}/{r.vote_total}. Tỷ lệ tán thành {verdict} mức tối thiểu "
                f"{calc.fmt(rules.vote_threshold_pct)} % ({nfc(rules.vote_threshold_basis)})."
            )
        )
    if view.leader:
        out.append(
            _para(
                f"Hội nghị thống nhất: {nfc(view.leader.unit.name)} là đơn vị dẫn đầu {nfc(bloc.name)} "
                f"năm {view.ranking.year if view.ranking else ''} với {calc.fmt(view.leader.total)} điểm."
            )
        )
    if view.meeting and view.meeting.note:
        out.append(_heading("III.", "Ý KIẾN TẠI HỘI NGHỊ"))
        out += text_blocks(view.meeting.note)
    out.append(_para("Biên bản được thông qua tại hội nghị và được các đại biểu nhất trí."))
    return out


def build_minutes_context(
    meeting: Meeting,
    *,
    number: int | None = None,
    view: RankingView | None = None,
    term: Any = UNKNOWN,
) -> PlanDocContext:
    """BIÊN BẢN họp bình xét, xếp hạng thi đua năm … (numbered when issued at adoption).
    `view`, `term`: see build_ranking_table_context."""
    bloc, year = meeting.bloc, meeting.year
    view = view or ranking_view(bloc_id=bloc.pk, year=year)
    heads, rows = table_rows(view, full=False)
    m = view.meeting
    sign = [
        {"before": ["THƯ KÝ"], "after": [nfc(m.secretary) if m else ""]},
        {"before": ["CHỦ TRÌ"], "after": [nfc(m.chair) if m else ""]},
    ]
    return _context(
        bloc,
        year,
        view,
        term,
        draft=not view.adopted,
        number=number,
        stem="Bien-ban-binh-xet" if number is None else f"BB-{number:02d}",
        symbol=MINUTES_DOC_TYPE,
        doc_type_name="BIÊN BẢN",
        title_lines=[f"Họp bình xét, xếp hạng thi đua năm {year} của {nfc(bloc.name)}"],
        body=_opening(bloc, year, view),
        recipients=Recipients("", False, []),
        signature=Signature([SignLine("position", "CHỦ TRÌ")], []),
        kind="ranking_minutes",
        extra={
            "table": {"headers": heads, "rows": rows, "shares": _shares(len(heads), False)},
            "after": _closing(bloc, view),
            "signatures": sign,
        },
    )


def live_minutes(
    bloc: Bloc, year: int, *, view: RankingView | None = None, term: Any = UNKNOWN
) -> PlanDocContext | None:
    """The minutes as they stand (a draft until adopted); None before the meeting is recorded.
    `view`, `term`: see build_ranking_table_context."""
    meeting = Meeting.objects.select_related("bloc__province").filter(bloc=bloc, year=year).first()
    return build_minutes_context(meeting, view=view, term=term) if meeting else None


BUILDERS = {"bang-tong-hop": build_ranking_table_context, "bien-ban": live_minutes}
