"""Calendar feeds (iCalendar, RFC 5545): every deadline and meeting of the issued plans a unit
or a bloc has, so staff see them in the calendar they already use. A feed URL carries the user's
secret (plans.models.CalendarToken), because calendar apps cannot log in."""

from __future__ import annotations

import calendar as cal
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from blocs import audit
from blocs.models import Bloc
from plans.dashboard import YEARS_AROUND, unit_bloc_years
from plans.models import CalendarToken, Milestone, Plan


@dataclass
class Event:
    uid: str
    start: dt.date
    end: dt.date  # exclusive, as DTEND of an all-day event
    summary: str
    description: str


def _events(milestones: Any, keys: set[tuple[int, int]] | None = None) -> list[Event]:
    out = []
    for m in milestones:
        if keys is not None and (m.plan.bloc_id, m.plan.year) not in keys:
            continue
        if m.due:
            start, end, when = m.due, m.due + dt.timedelta(days=1), ""
        elif m.due_month:
            year = m.due_year or m.plan.year
            start = dt.date(year, m.due_month, 1)
            end = start + dt.timedelta(days=cal.monthrange(year, m.due_month)[1])
            when = " (trong tháng)"
        else:
            continue
        details = [f"Kế hoạch năm {m.plan.year} của {m.plan.bloc.name}."]
        if m.data_from and m.data_to:
            details.append(f"Số liệu từ {m.data_from:%d/%m/%Y} đến {m.data_to:%d/%m/%Y}.")
        if m.addressee:
            details.append(f"Gửi về: {m.addressee}.")
        if m.place:
            details.append(f"Địa điểm: {m.place}.")
        if m.with_score_sheet:
            details.append("Kèm bảng tự chấm điểm.")
        out.append(
            Event(
                uid=f"milestone-{m.pk}@thiduakhenthuong",
                start=start,
                end=end,
                summary=f"{m.get_kind_display()}{when} – {m.plan.bloc.name}",
                description=" ".join(details),
            )
        )
    out.sort(key=lambda e: (e.start, e.summary))
    return out


def _issued(**filters: Any):
    return Milestone.objects.filter(plan__status=Plan.Status.ISSUED, **filters).select_related(
        "plan__bloc"
    )


def feed_years(today: dt.date | None = None) -> set[int]:
    """Last year's plans (their tổng kết falls in January) to next year's."""
    today = today or dt.date.today()
    return {today.year + d for d in YEARS_AROUND}


def feed_blocs(*, user: Any) -> list[Bloc]:
    """The blocs whose calendar the user may follow: those where the user has a role in one of
    the feed's years, as the bloc pages decide (site administrator: all; provincial reviewer:
    the province's; unit staff: the blocs their unit belongs to or heads). Bounded queries."""
    if user.is_staff or user.is_superuser:
        return list(Bloc.objects.order_by("name"))
    ids: set[int] = set()
    if user.unit_id:
        ids |= {bloc_id for bloc_id, _ in unit_bloc_years(user.unit_id, feed_years())}
    query = Bloc.objects.filter(pk__in=ids)
    if user.reviewer_province_id:
        query = query | Bloc.objects.filter(province_id=user.reviewer_province_id)
    return list(query.order_by("name"))


def unit_events(*, unit_id: int, today: dt.date | None = None) -> list[Event]:
    """Deadlines and meetings of the issued plans of every bloc-year the unit belongs to (last
    year's to next year's)."""
    years = feed_years(today)
    keys = unit_bloc_years(unit_id, years)
    blocs = {bloc_id for bloc_id, _ in keys}
    return _events(_issued(plan__bloc_id__in=blocs, plan__year__in=years), keys)


def bloc_events(*, bloc_id: int, years: set[int]) -> list[Event]:
    return _events(_issued(plan__bloc_id=bloc_id, plan__year__in=years))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with a leading space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def to_ics(events: list[Event], *, name: str, stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Thi dua khen thuong//Lich han bao cao//VI",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{e.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{e.end:%Y%m%d}",
            f"SUMMARY:{_escape(e.summary)}",
            f"DESCRIPTION:{_escape(e.description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


@transaction.atomic
def calendar_token_renew(*, user: Any) -> CalendarToken:
    """A new secret for the user's feeds (the old URLs stop working at once)."""
    token, _ = CalendarToken.objects.select_for_update().get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not _:
        token.token = secrets.token_urlsafe(32)
        token.save(update_fields=["token"])
    audit.record(actor=user, action="calendar.renew", obj=token)
    return token


@transaction.atomic
def calendar_token_revoke(*, user: Any) -> None:
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=user, action="calendar.revoke")
