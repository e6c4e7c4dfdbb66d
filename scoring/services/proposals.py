"""The secretariat's writes on award proposals (suy tôn, đề nghị khen thưởng; DOMAIN §1.4, §6.2):

    adopted ranking → generate → DRAFTED (edited within the quotas; the meeting's vote recorded)
    DRAFTED → SUBMITTED, all at once in a dossier (every vote at or above the threshold)
    RETURNED (by the province, with a reason) → corrected → DRAFTED → SUBMITTED again

Quotas (YearRules, DOMAIN §9.4): Cờ thi đua UBND tỉnh for the first `co_tinh_quota` units
eligible for Cờ; Bằng khen Chủ tịch UBND tỉnh for at most `bang_khen_pct` % of the remaining
units (rounded down). A breach is refused, not warned; an ineligible unit cannot be proposed.
Cờ thi đua Chính phủ: a bloc may propose its leader; the province's candidates are at most
ProvinceRules.co_cp_pct % of the blocs' leaders, checked when a dossier carries one.

Every write locks the bloc-year's ranking first, so two editors never both pass a quota check.
The province's side (approve, return, reject, decide) is scoring.services.proposal_reviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from blocs import audit, rowchecks
from blocs.models import Bloc, Province, Unit
from blocs.text import strip_controls
from scoring import awards, calc
from scoring.models import (
    Dossier,
    Proposal,
    ProvinceRules,
    Ranking,
    RankingRow,
    RatingBand,
    Title,
    YearRules,
)
from scoring.services.sheets import sheet_template

P = Proposal.Status
EDITABLE = frozenset({P.DRAFTED, P.RETURNED})
COUNTED = frozenset(set(P.values) - {P.REJECTED})  # what uses a quota
AT_PROVINCE = frozenset({P.SUBMITTED, P.APPROVED, P.DECIDED})
LABELS = dict(Title.choices)
STALE_MESSAGE = (
    "Đề nghị vừa được người khác thay đổi sau khi bạn mở trang; hãy xem lại rồi nhập lại."
)


def log(p: Proposal, action: str, actor: Any, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=p, bloc=p.bloc, year=p.year, data=data)


def year_rules(bloc: Bloc, year: int) -> YearRules:
    """The bloc-year's rules, or the defaults of DOMAIN §9 when none were saved."""
    return YearRules.objects.filter(bloc=bloc, year=year).first() or YearRules(bloc=bloc, year=year)


def province_rules(province: Province) -> ProvinceRules:
    return ProvinceRules.objects.filter(province=province).first() or ProvinceRules(
        province=province
    )


def lock_adopted(bloc: Bloc, year: int) -> Ranking:
    ranking = Ranking.objects.select_for_update().filter(bloc=bloc, year=year).first()
    if ranking is None or ranking.status != Ranking.Status.ADOPTED:
        raise ValidationError(
            "Kết quả xếp hạng chưa được hội nghị bình xét thông qua; chưa lập được đề nghị.",
            code="not_adopted",
        )
    return ranking


def ranking_rows(ranking: Ranking) -> list[RankingRow]:
    """The ranking's rows, each with `top_band`: the scale's highest rating band (None when the
    scale has no bands). Every award proposed here asks for it: Cờ thi đua and Tập thể lao động
    xuất sắc "hoàn thành xuất sắc nhiệm vụ", Bằng khen of a collective HTXS (Luật TĐKT 2022
    Điều 26, 27, 74)."""
    # the highest band's label asked with the template versions (None: a scale without bands)
    best = RatingBand.objects.filter(template=OuterRef("pk")).order_by("-min_total")
    template = sheet_template(
        ranking.round, annotate={"top_band": Subquery(best.values("label")[:1])}
    )
    rows = list(ranking.rows.select_related("unit").order_by("position"))
    for row in rows:
        row.top_band = template.top_band if template else None
    return rows


def band_ok(row: RankingRow) -> bool:
    top = getattr(row, "top_band", None)
    return top is None or row.band == top


def _lock_proposal(proposal: Proposal, revision: int | None) -> Proposal:
    p = Proposal.objects.select_for_update().select_related("bloc", "unit").get(pk=proposal.pk)
    if revision is not None and int(revision) != p.revision:
        raise ValidationError(STALE_MESSAGE, code="stale")
    return p


def _ensure_editable(p: Proposal) -> None:
    if p.status not in EDITABLE:
        raise ValidationError(
            f"Đề nghị đang ở trạng thái “{p.get_status_display()}”, không sửa được.", code="state"
        )


def _reasons(row: RankingRow) -> str:
    return "; ".join(str(r) for r in row.reasons) or "không đủ điều kiện"


def leader(rows: Iterable[RankingRow], chosen: Iterable[tuple[int, str]]) -> int | None:
    """The bloc's leader (dẫn đầu): the best-placed unit proposed for Cờ thi đua UBND tỉnh."""
    co_units = {unit_id for unit_id, award in chosen if award == Title.CO_TINH}
    return next((r.unit_id for r in rows if r.unit_id in co_units), None)


def check_set(rows: list[RankingRow], chosen: list[tuple[int, str]], rules: YearRules) -> None:
    """Refuse a set of (unit, award) proposals that breaks a gate or a quota, with the reason."""
    by_unit = {r.unit_id: r for r in rows}
    awards_of: dict[int, list[str]] = {}
    for unit_id, award in chosen:
        row = by_unit.get(unit_id)
        if award not in Proposal.AWARDS:
            raise ValidationError({"award": "Hình thức khen thưởng này không đề nghị ở đây."})
        if row is None:
            raise ValidationError({"unit": "Đơn vị không có trong bảng xếp hạng của khối."})
        if not row.eligible:
            raise ValidationError(
                {"unit": f"{row.unit} không đủ điều kiện khen thưởng: {_reasons(row)}."}
            )
        if not band_ok(row):
            raise ValidationError(
                {
                    "unit": f"{row.unit} xếp loại “{row.band or 'chưa xếp loại'}”; chỉ đề nghị "
                    f"khen thưởng đơn vị xếp loại “{row.top_band}”."
                }
            )
        if award in awards.CO_AWARDS and not row.eligible_for_co:
            raise ValidationError(
                {"award": f"{row.unit} không đủ điều kiện xét Cờ thi đua: {_reasons(row)}."}
            )
        awards_of.setdefault(unit_id, []).append(award)
    for unit_id, given in awards_of.items():
        if len([a for a in given if a != Title.CO_CP]) > 1:
            raise ValidationError(
                {
                    "award": f"{by_unit[unit_id].unit}: mỗi thành tích chỉ đề nghị một hình thức "
                    "khen thưởng (Điều 5 Luật Thi đua, khen thưởng 2022)."
                }
            )
    _check_quotas(rows, chosen, rules)


def _check_quotas(rows: list[RankingRow], chosen: list[tuple[int, str]], rules: YearRules) -> None:
    co = sum(1 for _, a in chosen if a == Title.CO_TINH)
    if co > rules.co_tinh_quota:
        raise ValidationError(
            {
                "award": f"Khối chỉ được đề nghị {rules.co_tinh_quota} Cờ thi đua UBND tỉnh "
                f"({rules.co_tinh_basis}); đây sẽ là đề nghị thứ {co}."
            }
        )
    bk = sum(1 for _, a in chosen if a == Title.BK_TINH_TT)
    allowed = awards.bang_khen_quota(units=len(rows), co=co, pct=rules.bang_khen_pct)
    if bk > allowed:
        raise ValidationError(
            {
                "award": f"Bằng khen Chủ tịch UBND tỉnh tối đa {calc.fmt(rules.bang_khen_pct)} % "
                f"số đơn vị còn lại, tức {allowed} đơn vị ({rules.bang_khen_basis}); "
                f"đây sẽ là đề nghị thứ {bk}."
            }
        )
    cp = [u for u, a in chosen if a == Title.CO_CP]
    head = leader(rows, chosen)
    if len(cp) > 1 or (cp and cp[0] != head):
        raise ValidationError(
            {
                "award": "Cờ thi đua của Chính phủ chỉ đề nghị cho một đơn vị: đơn vị dẫn đầu khối "
                "(được đề nghị Cờ thi đua UBND tỉnh)."
            }
        )


def _chosen(ranking: Ranking, exclude: int | None = None) -> list[tuple[int, str]]:
    qs = ranking.proposals.select_for_update().filter(status__in=COUNTED).exclude(pk=exclude)
    return list(qs.values_list("unit_id", "award"))


def suggested(rows: list[RankingRow], rules: YearRules) -> list[tuple[RankingRow, str]]:
    """The default proposals: Cờ for the first eligible-for-Cờ units in position order, then
    Bằng khen for the eligible others in rank order up to the quota."""
    co = [r for r in rows if r.eligible and r.eligible_for_co and band_ok(r)][: rules.co_tinh_quota]
    co_ids = {r.unit_id for r in co}
    quota = awards.bang_khen_quota(units=len(rows), co=len(co), pct=rules.bang_khen_pct)
    bk = [r for r in rows if r.eligible and band_ok(r) and r.unit_id not in co_ids][:quota]
    return [(r, Title.CO_TINH) for r in co] + [(r, Title.BK_TINH_TT) for r in bk]


def basis_text(row: RankingRow, count: int, bloc: Bloc, year: int) -> str:
    band = f", xếp loại {row.band}" if row.band else ""
    return (
        f"Xếp thứ {row.rank}/{count} trong {bloc.name} năm {year}, "
        f"tổng điểm {calc.fmt(row.total)}{band}."
    )


def _clean_text(text: str, limit: int = 20000) -> str:
    text = strip_controls(text or "").strip()
    if len(text) > limit:
        raise ValidationError(
            {"achievements": f"Nội dung dài quá {limit:,} ký tự.".replace(",", ".")}
        )
    return text


def _build(ranking: Ranking, row: RankingRow, award: str, achievements: str) -> Proposal:
    return Proposal(
        bloc=ranking.bloc,
        year=ranking.year,
        ranking=ranking,
        unit=row.unit,
        award=award,
        rank=row.rank,
        total=row.total,
        achievements=achievements,
    )


def _new(ranking: Ranking, row: RankingRow, award: str, achievements: str) -> Proposal:
    p = _build(ranking, row, award, achievements)
    p.full_clean()
    p.save()
    return p


# A proposal's check constraints tested in Python for the proposals generated in bulk (rowchecks).
PROPOSAL_CHECKS: rowchecks.Checks = {
    "returned_proposal_has_reason": lambda p: (
        p.status in (P.RETURNED, P.REJECTED) and not p.returned_reason
    ),
}


@transaction.atomic
def proposals_generate(*, bloc: Bloc, year: int, actor: Any) -> list[Proposal]:
    """Draft the proposals of an adopted ranking under the bloc-year's quotas (once; after that
    the secretariat edits them one by one)."""
    ranking = lock_adopted(bloc, year)
    if ranking.proposals.exists():
        raise ValidationError("Đề nghị khen thưởng đã được lập; hãy sửa từng đề nghị.")
    rows = ranking_rows(ranking)
    created = [
        _build(ranking, row, award, basis_text(row, len(rows), bloc, year))
        for row, award in suggested(rows, year_rules(bloc, year))
    ]
    # one INSERT, checked without a query a row: the ranking is locked and has no proposal yet,
    # its rows come with their units, and `suggested` proposes each unit for one award
    for p in created:
        rowchecks.clean(p, PROPOSAL_CHECKS, exclude=("bloc", "ranking", "unit"))
    created = Proposal.objects.bulk_create(created)
    audit.record(
        actor=actor,
        action="proposal.generate",
        obj=ranking,
        bloc=bloc,
        year=year,
        data={"added": [f"{LABELS[p.award]}: {p.unit}" for p in created]},
    )
    return created


@transaction.atomic
def proposal_add(
    *, bloc: Bloc, year: int, unit: Unit, award: str, actor: Any, achievements: str = ""
) -> Proposal:
    """Add a unit's proposal; refused when the unit is ineligible or a quota would break."""
    ranking = lock_adopted(bloc, year)
    rows = ranking_rows(ranking)
    if ranking.proposals.filter(unit=unit, award=award).exists():
        raise ValidationError({"unit": f"{unit} đã được đề nghị {LABELS.get(award, award)}."})
    check_set(rows, [*_chosen(ranking), (unit.pk, award)], year_rules(bloc, year))
    row = next(r for r in rows if r.unit_id == unit.pk)
    text = _clean_text(achievements) or basis_text(row, len(rows), bloc, year)
    p = _new(ranking, row, award, text)
    log(p, "proposal.add", actor, unit=str(unit), award=award)
    return p


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, actor: Any, award: str, achievements: str, revision: int | None = None
) -> Proposal:
    """Change the award or the achievements of a drafted (or returned) proposal; a returned one
    becomes DRAFTED again, ready for the next dossier. Unchanged input records nothing."""
    ranking = lock_adopted(proposal.bloc, proposal.year)
    p = _lock_proposal(proposal, revision)
    _ensure_editable(p)
    new = {"award": award, "achievements": _clean_text(achievements)}
    changes = audit.changes({"award": p.award, "achievements": p.achievements}, new)
    if not changes:
        return p
    if award != p.award:
        if ranking.proposals.filter(unit=p.unit, award=award).exclude(pk=p.pk).exists():
            raise ValidationError({"award": f"{p.unit} đã được đề nghị {LABELS.get(award)}."})
        chosen = [*_chosen(ranking, exclude=p.pk), (p.unit_id, award)]
        check_set(ranking_rows(ranking), chosen, year_rules(p.bloc, p.year))
    if p.status == P.RETURNED:
        changes["status"] = {"old": p.status, "new": P.DRAFTED}
        p.status = P.DRAFTED
    p.award, p.achievements = new["award"], new["achievements"]
    p.revision += 1
    p.full_clean()
    p.save(update_fields=["award", "achievements", "status", "revision"])
    log(p, "proposal.update", actor, changes=changes)
    return p


@transaction.atomic
def proposal_remove(*, proposal: Proposal, actor: Any) -> None:
    lock_adopted(proposal.bloc, proposal.year)
    p = _lock_proposal(proposal, None)
    _ensure_editable(p)
    log(p, "proposal.remove", actor, unit=str(p.unit), award=p.award)
    p.delete()


def _count(value: object, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: "Hãy nhập một số nguyên."}) from None
    if not 0 <= number <= 10000:
        raise ValidationError({field: "Số phiếu phải từ 0 đến 10.000."})
    return number


@transaction.atomic
def proposal_vote(
    *,
    proposal: Proposal,
    actor: Any,
    vote_for: object,
    vote_against: object,
    vote_total: object,
    revision: int | None = None,
) -> Proposal:
    """Record the meeting's vote on a proposal: for, against, of how many voters."""
    lock_adopted(proposal.bloc, proposal.year)
    p = _lock_proposal(proposal, revision)
    _ensure_editable(p)
    new = {
        "vote_for": _count(vote_for, "vote_for"),
        "vote_against": _count(vote_against, "vote_against"),
        "vote_total": _count(vote_total, "vote_total"),
    }
    if new["vote_total"] < 1:
        raise ValidationError({"vote_total": "Tổng số người biểu quyết phải lớn hơn 0."})
    if new["vote_for"] + new["vote_against"] > new["vote_total"]:
        raise ValidationError(
            {"vote_total": "Số tán thành cộng không tán thành vượt tổng số người biểu quyết."}
        )
    changes = audit.changes(audit.snapshot(p, new), new)
    if not changes:
        return p
    for name, value in new.items():
        setattr(p, name, value)
    p.revision += 1
    p.save(update_fields=[*new, "revision"])
    log(p, "proposal.vote", actor, changes=changes)
    return p


def co_cp_counts(province: Province, year: int) -> tuple[int, int]:
    """(leaders, Cờ CP candidates at the province): blocs with an adopted ranking that year, and
    Cờ thi đua Chính phủ proposals submitted, approved or decided."""
    leaders = Ranking.objects.filter(
        bloc__province=province, year=year, status=Ranking.Status.ADOPTED
    ).count()
    candidates = Proposal.objects.filter(
        bloc__province=province, year=year, award=Title.CO_CP, status__in=AT_PROVINCE
    ).count()
    return leaders, candidates


def _check_co_cp(bloc: Bloc, year: int, adding: int) -> None:
    Province.objects.select_for_update().get(pk=bloc.province_id)  # one submitter at a time
    rules = province_rules(bloc.province)
    leaders, candidates = co_cp_counts(bloc.province, year)
    allowed = awards.co_cp_allowed(leaders=leaders, pct=rules.co_cp_pct)
    if candidates + adding > allowed:
        raise ValidationError(
            f"Cờ thi đua của Chính phủ: tỉnh chỉ được đề nghị tối đa {calc.fmt(rules.co_cp_pct)} % "
            f"số đơn vị dẫn đầu các khối ({leaders} khối đã bình xét → {allowed} đơn vị; "
            f"{rules.co_cp_basis}); đã có {candidates} đề nghị."
        )


def _check_votes(drafted: list[Proposal], rules: YearRules) -> None:
    problems = []
    for p in drafted:
        if p.vote_total is None or p.vote_for is None:
            problems.append(f"{p.unit} ({LABELS[p.award]}): chưa ghi kết quả biểu quyết")
        elif not awards.vote_passes(
            vote_for=p.vote_for, vote_total=p.vote_total, threshold_pct=rules.vote_threshold_pct
        ):
            pct = awards.vote_pct(vote_for=p.vote_for, vote_total=p.vote_total)
            problems.append(
                f"{p.unit} ({LABELS[p.award]}): tán thành {p.vote_for}/{p.vote_total} = "
                f"{calc.fmt(pct)} %, thấp hơn {calc.fmt(rules.vote_threshold_pct)} %"
            )
    if problems:
        raise ValidationError(
            [f"Chưa trình được ({rules.vote_threshold_basis}):", *problems], code="vote"
        )


@transaction.atomic
def dossier_submit(*, bloc: Bloc, year: int, actor: Any, date: dt.date) -> Dossier:
    """Submit every drafted proposal to the province in one dossier (the tờ trình is issued
    with it: reports.services.submit_proposals). Refused when a vote is missing or below the
    threshold, a quota is broken, or the province's Cờ CP share would be exceeded."""
    ranking = lock_adopted(bloc, year)
    drafted = list(
        ranking.proposals.select_for_update()
        .filter(status=P.DRAFTED)
        .select_related("unit")
        .order_by("rank", "award")
    )
    if not drafted:
        raise ValidationError("Không có đề nghị nào ở trạng thái dự kiến để trình.")
    # adopted at the bình xét meeting: its day, whenever the secretariat recorded it
    adopted_on = ranking.meeting.date if ranking.meeting_id else None
    adopted_on = adopted_on or (ranking.adopted_at.date() if ranking.adopted_at else None)
    if date > timezone.localdate() or (adopted_on and date < adopted_on):
        since = f" ({adopted_on:%d/%m/%Y})" if adopted_on else ""
        raise ValidationError(
            {"date": f"Ngày tờ trình phải từ ngày thông qua kết quả xếp hạng{since} đến hôm nay."}
        )
    rules = year_rules(bloc, year)
    _check_votes(drafted, rules)
    check_set(ranking_rows(ranking), _chosen(ranking), rules)
    adding = sum(1 for p in drafted if p.award == Title.CO_CP)
    if adding:
        _check_co_cp(bloc, year, adding)
    seq = (Dossier.objects.filter(bloc=bloc, year=year).aggregate(m=Max("seq"))["m"] or 0) + 1
    now = timezone.now()
    dossier = Dossier.objects.create(
        bloc=bloc,
        year=year,
        ranking=ranking,
        seq=seq,
        date=date,
        submitted_at=now,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    dossier.proposals.set(drafted)
    # every drafted proposal submitted in one UPDATE (each one's revision moves on)
    Proposal.objects.filter(pk__in=[p.pk for p in drafted]).update(
        status=P.SUBMITTED, submitted_at=now, revision=F("revision") + 1
    )
    for p in drafted:
        p.status, p.submitted_at, p.revision = P.SUBMITTED, now, p.revision + 1
    audit.record(
        actor=actor,
        action="proposal.submit",
        obj=dossier,
        bloc=bloc,
        year=year,
        data={
            "seq": seq,
            "date": date.isoformat(),
            "proposals": [f"{LABELS[p.award]}: {p.unit}" for p in drafted],
            "status": {"old": P.DRAFTED, "new": P.SUBMITTED},
        },
    )
    return dossier
