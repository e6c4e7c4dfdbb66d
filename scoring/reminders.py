"""Deadline reminders: e-mail each unit's staff 7 and 2 days before a deadline it has not met yet,
once per deadline (scoring.models.Reminder). Run daily from cron:
`python manage.py send_reminders` (Django's e-mail backend; the console in development).

Deadlines: the reporting rounds of the year (due for the units that report in them) and the
registration deadline of an issued plan. A registration is met once the unit has sent it; a
report round is met once its report is submitted (until report submissions exist, every unit
due in the round is reminded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

from blocs.models import Membership, Unit, User
from plans.models import Milestone, Plan
from scoring import selectors
from scoring.models import Registration, Reminder, Round, Submission

OFFSETS = (7, 2)
SENT = {
    Registration.Status.SUBMITTED,
    Registration.Status.ACCEPTED,
    Registration.Status.SIGNED,
}


@dataclass
class Due:
    unit: Unit
    key: str
    days_before: int
    due: dt.date
    what: str
    bloc_name: str
    addressee: str = ""


def due_reminders(*, today: dt.date) -> list[Due]:
    """What must be reminded today: deadlines 7 or 2 days away that the unit has not met and
    has not been reminded of at that offset."""
    out: list[Due] = []
    for days in OFFSETS:
        day = today + dt.timedelta(days=days)
        for r in Round.objects.filter(due=day, active=True).select_related("bloc"):
            met = set(
                r.submissions.exclude(status__in=Submission.EDITABLE).values_list(
                    "unit_id", flat=True
                )
            )
            for unit in selectors.units_due(round=r):
                if unit.pk in met:
                    continue
                out.append(Due(unit, f"round:{r.pk}", days, day, r.name, r.bloc.name, r.addressee))
        registrations = Milestone.objects.filter(
            kind=Milestone.Kind.DANG_KY, due=day, plan__status=Plan.Status.ISSUED
        ).select_related("plan__bloc")
        for m in registrations:
            sent = set(
                Registration.objects.filter(
                    bloc_id=m.plan.bloc_id, year=m.plan.year, status__in=SENT
                ).values_list("unit_id", flat=True)
            )
            members = Membership.objects.for_year(m.plan.year).filter(bloc_id=m.plan.bloc_id)
            for ms in members.select_related("unit"):
                if ms.unit_id not in sent:
                    out.append(
                        Due(
                            ms.unit,
                            f"milestone:{m.pk}",
                            days,
                            day,
                            "Đăng ký thi đua",
                            m.plan.bloc.name,
                            m.addressee,
                        )
                    )
    done = set(Reminder.objects.filter(due__gte=today).values_list("unit_id", "key", "days_before"))
    return [d for d in out if (d.unit.pk, d.key, d.days_before) not in done]


def send_reminders(*, today: dt.date | None = None) -> tuple[int, int]:
    """Send what `due_reminders` finds; returns (e-mails sent, units without an e-mail)."""
    today = today or dt.date.today()
    sent = skipped = 0
    connection = get_connection()
    for d in due_reminders(today=today):
        emails = sorted(
            User.objects.filter(unit=d.unit, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not emails:
            skipped += 1
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    unit=d.unit,
                    key=d.key,
                    days_before=d.days_before,
                    due=d.due,
                    recipients=", ".join(emails),
                )
                _message(d, emails, connection).send()
        except IntegrityError:
            continue  # another run sent it meanwhile: once per deadline
        sent += 1
    return sent, skipped


def _message(d: Due, emails: list[str], connection) -> EmailMessage:
    subject = f"[Thi đua] Còn {d.days_before} ngày: {d.what} – hạn {d.due:%d/%m/%Y}"
    body = (
        f"Kính gửi {d.unit.name},\n\n"
        f"{d.what} của {d.bloc_name} có hạn ngày {d.due:%d/%m/%Y} (còn {d.days_before} ngày)"
        + (f", gửi về {d.addressee}" if d.addressee else "")
        + ".\nĐơn vị chưa hoàn thành việc này trong ứng dụng; đề nghị hoàn thành trước hạn.\n\n"
        "Thư tự động từ ứng dụng quản lý thi đua, khen thưởng của Khối."
    )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, emails, connection=connection)
