"""Bình xét and xếp hạng of a bloc-year (DOMAIN §1.4, §6.2, §6.3, §7 scenario 13):

    (none) → COMPUTED (from the FINAL sheets of the tổng kết round; recomputed freely)
    the bình xét meeting is recorded (date, place, chair, secretary, attending members)
    the meeting votes on the ranking (for / against / of how many, against the threshold)
      and, where only the vote breaks a tie, gives each tied unit its votes
    COMPUTED → ADOPTED (a passing vote, no tie left to the vote): frozen, never recomputed

Every write locks the ranking (or the bloc, before the first one), checks the state inside the
lock, writes only what changed and audits old → new.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blocs import audit
from blocs.models import Bloc, Unit
from blocs.text import strip_controls
from scoring import calc, selectors
from scoring import ranking as rows_of
from scoring.models import Meeting, Ranking, RankingRow
from scoring.services.compliance import rules_for
from scoring.services.sheets import sheet_template

ADOPTED = Ranking.Status.ADOPTED
FROZEN = "Kết quả xếp hạng đã được thông qua tại hội nghị; không tính lại, không sửa được nữa."
STALE = "Kết quả xếp hạng vừa được người khác thay đổi; hãy xem lại trang rồi làm lại."
MEETING_FIELDS = ("date", "place", "chair", "secretary", "note")
VOTE_FIELDS = ("vote_for", "vote_against", "vote_total")


def _lock(bloc: Bloc, year: int, revision: int | None = None) -> Ranking | None:
    ranking = Ranking.objects.select_for_update().filter(bloc=bloc, year=year).first()
    if ranking is not None and ranking.status == ADOPTED:
        raise ValidationError(FROZEN, code="adopted")
    if ranking is not None and revision is not None and int(revision) != ranking.revision:
        raise ValidationError(STALE, code="stale")
    return ranking


def _log(obj: Any, action: str, actor: Any, bloc: Bloc, year: int, **data: Any) -> None:
    audit.record(actor=actor, action=action, obj=obj, bloc=bloc, year=year, data=data)


def _line(row: dict) -> str:
    """One row as the audit shows it: "1. Sở Tư pháp: 96 (đủ điều kiện)"."""
    total = "chưa có điểm" if row["total"] is None else calc.fmt(row["total"])
    gate = "đủ điều kiện" if row["eligible"] else "không đủ điều kiện"
    if row["eligible"] and not row["eligible_for_co"]:
        gate = "không xét Cờ"
    return f"{row['rank']}. {row['unit'].name}: {total} ({gate})"


def _stored(ranking: Ranking | None) -> list[dict]:
    if ranking is None:
        return []
    fields = [f.name for f in RankingRow._meta.fields if f.name not in ("id", "ranking")]
    return [
        {name: getattr(r, name) for name in fields}
        for r in ranking.rows.select_related("unit").order_by("position")
    ]


def _fresh(bloc: Bloc, year: int, votes: Mapping[int, int]) -> tuple[Any, Any, list[dict]]:
    """(round, template, rows) computed now from the final sheets and the gates."""
    round_ = rows_of.tong_ket_round(bloc_id=bloc.pk, year=year)
    if round_ is None:
        raise ValidationError(
            f"Năm {year} chưa có kỳ báo cáo tổng kết kèm bảng tự chấm điểm (từ kế hoạch đã ban "
            "hành), nên chưa tính được kết quả xếp hạng."
        )
    template = sheet_template(round_)
    if template is None:
        raise ValidationError("Khối chưa có thang điểm năm này.")
    facts = rows_of.unit_facts(
        bloc=bloc,
        year=year,
        round=round_,
        rules=rules_for(bloc_id=bloc.pk, year=year),
        today=timezone.localdate(),
    )
    bands = [calc.Band(b.label, b.min_total, b.floor_pct) for b in template.bands.all()]
    return round_, template, rows_of.rows(facts, template, bands, votes)


def _comparable(rows: list[dict]) -> list[tuple]:
    """Rows as comparable values, whatever order a database gives JSON keys back in."""

    def plain(key: str, value: Any) -> Any:
        return value.pk if key == "unit" else json.dumps(value, sort_keys=True, default=str)

    return [tuple(sorted((k, plain(k, v)) for k, v in r.items())) for r in rows]


def _compute(bloc: Bloc, year: int, actor: Any, current: Ranking | None, votes) -> Ranking:
    round_, template, rows = _fresh(bloc, year, votes)
    old = _stored(current)
    same = current is not None and current.round_id == round_.pk
    if same and _comparable(old) == _comparable(rows) and current.tie_break == template.tie_break:
        return current  # nothing changed: nothing written, nothing audited
    now = timezone.now()
    if current is None:
        current = Ranking(bloc=bloc, year=year)
    current.round, current.tie_break, current.computed_at = round_, list(template.tie_break), now
    current.revision += 1
    current.save()
    current.rows.all().delete()
    RankingRow.objects.bulk_create([RankingRow(ranking=current, **r) for r in rows])
    _log(
        current,
        "ranking.compute",
        actor,
        bloc,
        year,
        round=round_.name,
        rows=audit.list_changes([_line(r) for r in old], [_line(r) for r in rows]),
    )
    return current


@transaction.atomic
def ranking_compute(*, bloc: Bloc, year: int, actor: Any, revision: int | None = None) -> Ranking:
    """Compute (or recompute) the bloc-year's ranking from the final sheets of its tổng kết
    round: rows replaced while COMPUTED (tie votes already given are kept for units still
    tied); refused once ADOPTED."""
    Bloc.objects.select_for_update().get(pk=bloc.pk)  # two first computations: one row
    current = _lock(bloc, year, revision)
    votes = {r["unit"].pk: r["tie_vote"] for r in _stored(current) if r["tie_vote"] is not None}
    return _compute(bloc, year, actor, current, votes)


def _count(value: object, field: str, label: str) -> int:
    try:
        number = calc.to_decimal(value)
    except calc.ScoreError:
        raise ValidationError({field: f"{label}: nhập một số nguyên."}) from None
    if number < 0 or number != number.to_integral_value() or number > 10_000:
        raise ValidationError({field: f"{label}: nhập một số nguyên không âm."})
    return int(number)


def _members(bloc: Bloc, year: int, attending: Iterable[Unit | int]) -> list[Unit]:
    ids = {u.pk if isinstance(u, Unit) else int(u) for u in attending}
    members = {u.pk: u for u in selectors.member_units(bloc_id=bloc.pk, year=year)}
    if not ids:
        raise ValidationError({"attending": "Chọn các đơn vị dự họp."})
    if ids - set(members):
        raise ValidationError({"attending": f"Chỉ chọn các đơn vị thành viên của khối năm {year}."})
    return sorted((members[i] for i in ids), key=lambda u: u.name)


def _meeting_values(year: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    day = fields.get("date")
    if not isinstance(day, dt.date):
        raise ValidationError({"date": "Nhập ngày họp (dd/mm/yyyy)."})
    if not dt.date(year, 1, 1) <= day <= dt.date(year + 1, 6, 30):
        raise ValidationError(
            {"date": f"Ngày họp bình xét phải trong năm {year} hoặc nửa đầu năm {year + 1}."}
        )
    out: dict[str, Any] = {"date": day}
    labels = {"place": "địa điểm", "chair": "người chủ trì", "secretary": "thư ký"}
    for name, label in labels.items():
        text = strip_controls(str(fields.get(name) or "")).strip()
        if not text:
            raise ValidationError({name: f"Nhập {label}."})
        if len(text) > 255:
            raise ValidationError({name: "Quá 255 ký tự."})
        out[name] = text
    note = strip_controls(str(fields.get("note") or "")).strip()
    if len(note) > 20000:
        raise ValidationError({"note": "Diễn biến dài quá 20.000 ký tự."})
    out["note"] = note
    return out


@transaction.atomic
def meeting_save(
    *, bloc: Bloc, year: int, actor: Any, attending: Iterable[Unit | int], **fields: Any
) -> Meeting:
    """Record or correct the bình xét meeting: date, place, chair, secretary, note, and the
    member units attending. Refused once the ranking is adopted (the minutes are final)."""
    Bloc.objects.select_for_update().get(pk=bloc.pk)
    current = _lock(bloc, year)
    values = _meeting_values(year, fields)
    units = _members(bloc, year, attending)
    if current is not None and (current.vote_total or 0) > len(units):
        raise ValidationError(
            {
                "attending": f"Đã ghi {current.vote_total} phiếu biểu quyết, nhiều hơn số đơn vị dự họp."
            }
        )
    meeting = Meeting.objects.select_for_update().filter(bloc=bloc, year=year).first()
    old = audit.snapshot(meeting, MEETING_FIELDS) if meeting else {}
    old_units = sorted(meeting.attending.all(), key=lambda u: u.name) if meeting else []
    diff = audit.changes(old, values)
    who = audit.list_changes([u.name for u in old_units], [u.name for u in units])
    if meeting is not None and not diff and not who:
        return meeting
    meeting = meeting or Meeting(bloc=bloc, year=year)
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.revision += 1
    meeting.full_clean(exclude=["bloc"])
    meeting.save()
    meeting.attending.set(units)
    if current is not None and current.meeting_id != meeting.pk:
        current.meeting = meeting
        current.save(update_fields=["meeting"])
    _log(meeting, "meeting.save", actor, bloc, year, changes=diff, attending=who)
    return meeting


def _meeting(ranking: Ranking) -> Meeting:
    meeting = Meeting.objects.filter(bloc=ranking.bloc, year=ranking.year).first()
    if meeting is None:
        raise ValidationError(
            "Hãy ghi thông tin hội nghị bình xét trước khi ghi kết quả biểu quyết."
        )
    return meeting


@transaction.atomic
def ranking_vote(
    *,
    ranking: Ranking,
    actor: Any,
    vote_for: object,
    vote_against: object,
    vote_total: object,
    revision: int | None = None,
) -> Ranking:
    """The meeting's vote on the ranking: for, against, and how many voted (at most the units
    attending); for + against at most the total."""
    current = _lock(ranking.bloc, ranking.year, revision)
    if current is None:
        raise ValidationError("Chưa tính kết quả xếp hạng.")
    meeting = _meeting(current)
    new = {
        "vote_for": _count(vote_for, "vote_for", "Số phiếu tán thành"),
        "vote_against": _count(vote_against, "vote_against", "Số phiếu không tán thành"),
        "vote_total": _count(vote_total, "vote_total", "Tổng số phiếu"),
    }
    attending = meeting.attending.count()
    if not 1 <= new["vote_total"] <= attending:
        raise ValidationError(
            {"vote_total": f"Tổng số phiếu phải từ 1 đến {attending} (số đơn vị dự họp)."}
        )
    if new["vote_for"] + new["vote_against"] > new["vote_total"]:
        raise ValidationError(
            {"vote_for": "Số phiếu tán thành và không tán thành vượt tổng số phiếu."}
        )
    diff = audit.changes(audit.snapshot(current, VOTE_FIELDS), new)
    if not diff and current.meeting_id == meeting.pk:
        return current
    for name, value in new.items():
        setattr(current, name, value)
    current.meeting, current.revision = meeting, current.revision + 1
    current.save(update_fields=[*VOTE_FIELDS, "meeting", "revision"])
    pct = calc.percent(new["vote_for"], new["vote_total"])
    _log(current, "ranking.vote", actor, current.bloc, current.year, changes=diff, pct=str(pct))
    return current


@transaction.atomic
def tie_votes_record(
    *, ranking: Ranking, actor: Any, votes: Mapping[int, object], revision: int | None = None
) -> Ranking:
    """The meeting's votes for each unit of a tie that only the vote breaks ({unit id: votes});
    every such unit gets its number, at most the units attending; the ranking follows."""
    current = _lock(ranking.bloc, ranking.year, revision)
    if current is None:
        raise ValidationError("Chưa tính kết quả xếp hạng.")
    attending = _meeting(current).attending.count()
    rows = _stored(current)
    tied = {r["unit"].pk: r for r in rows if rows_of.needs_vote(r["trace"])}
    if not tied:
        raise ValidationError("Không có đơn vị bằng điểm nào phải biểu quyết.")
    new: dict[int, int] = {}
    for pk, row in tied.items():
        name = row["unit"].name
        count = _count(votes.get(pk), f"vote_{pk}", f"Số phiếu của {name}")
        if count > attending:
            raise ValidationError(
                {f"vote_{pk}": f"Số phiếu của {name} vượt số đơn vị dự họp ({attending})."}
            )
        new[pk] = count
    old = {tied[pk]["unit"].name: tied[pk]["tie_vote"] for pk in tied}
    diff = audit.changes(old, {tied[pk]["unit"].name: v for pk, v in new.items()})
    if not diff:
        return current
    current.revision += 1
    current.save(update_fields=["revision"])
    others = {r["unit"].pk: r["tie_vote"] for r in rows if r["tie_vote"] is not None}
    _log(current, "ranking.tie_vote", actor, current.bloc, current.year, changes=diff)
    return _compute(current.bloc, current.year, actor, current, {**others, **new})


@transaction.atomic
def ranking_adopt(*, ranking: Ranking, actor: Any, revision: int | None = None) -> Ranking:
    """Adopt the ranking at the meeting: the vote is recorded and reaches the bloc-year's
    threshold, no tie waits for the vote, and the rows are those the final sheets give now.
    ADOPTED freezes it: no recomputation, no change of the meeting, the vote or the rules."""
    current = _lock(ranking.bloc, ranking.year, revision)
    if current is None:
        raise ValidationError("Chưa tính kết quả xếp hạng.")
    _meeting(current)
    if current.vote_total is None:
        raise ValidationError("Chưa ghi kết quả biểu quyết của hội nghị về kết quả xếp hạng.")
    rules = rules_for(bloc_id=current.bloc_id, year=current.year)
    pct = calc.percent(current.vote_for or 0, current.vote_total)
    if pct < rules.vote_threshold_pct:
        raise ValidationError(
            f"Tỷ lệ tán thành {calc.fmt(pct)} % chưa đạt {calc.fmt(rules.vote_threshold_pct)} % "
            f"({rules.vote_threshold_basis}); chưa thông qua được."
        )
    rows = _stored(current)
    pending = [
        r["unit"].name for r in rows if rows_of.needs_vote(r["trace"]) and r["tie_vote"] is None
    ]
    if pending:
        raise ValidationError(
            "Còn đơn vị bằng điểm chờ hội nghị biểu quyết: " + "; ".join(pending) + "."
        )
    votes = {r["unit"].pk: r["tie_vote"] for r in rows if r["tie_vote"] is not None}
    if _comparable(_fresh(current.bloc, current.year, votes)[2]) != _comparable(rows):
        raise ValidationError(
            "Bảng điểm hoặc thông tin xét khen thưởng đã thay đổi sau khi tính; hãy tính lại "
            "kết quả xếp hạng trước khi thông qua."
        )
    current.status, current.adopted_at = ADOPTED, timezone.now()
    current.adopted_by = actor if getattr(actor, "pk", None) else None
    current.revision += 1
    current.save(update_fields=["status", "adopted_at", "adopted_by", "revision"])
    _log(
        current,
        "ranking.adopt",
        actor,
        current.bloc,
        current.year,
        old=Ranking.Status.COMPUTED,
        new=ADOPTED,
        vote=f"{current.vote_for}/{current.vote_total} ({calc.fmt(pct)} %)",
    )
    return current
