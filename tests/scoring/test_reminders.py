"""Deadline reminders: 7 and 2 days before, once per deadline, only to units that have not met
it, to their staff's e-mail addresses."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command

from blocs.models import User
from scoring.reminders import send_reminders
from tests.scoring.conftest import register
from tests.scoring.test_rounds import SO_KET, TONG_KET, issued

D = dt.date
DANG_KY = {"kind": "dang_ky", "due": D(2026, 2, 10), "addressee": "Trưởng khối"}


def _emails(world):
    for name in ("chair", "deputy", "unit_a", "unit_b"):
        user = world.users[name]
        user.email = f"{name}@tinhthu.gov.vn"
        user.save()


def test_a_report_round_is_reminded_7_and_2_days_before_once_each(world):
    _emails(world)
    issued(world, [SO_KET, TONG_KET])
    assert send_reminders(today=D(2026, 6, 8)) == (4, 0)  # the 4 members report in the sơ kết
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {"[Thi đua] Còn 7 ngày: Báo cáo sơ kết – hạn 15/06/2026"}
    to_unit_a = next(m for m in mail.outbox if m.to == ["unit_a@tinhthu.gov.vn"])
    assert "Kính gửi Sở Tư pháp Thử" in to_unit_a.body
    assert send_reminders(today=D(2026, 6, 8)) == (0, 0)  # once per deadline
    assert send_reminders(today=D(2026, 6, 10)) == (0, 0)  # nothing due in 7 or 2 days
    assert send_reminders(today=D(2026, 6, 13))[0] == 4  # the 2-day reminder
    assert len(mail.outbox) == 8


def test_the_registration_deadline_skips_units_that_registered(world, template):
    _emails(world)
    issued(world, [SO_KET, TONG_KET, DANG_KY])
    register(world, world.unit_a, submit=True, actor=world.users["unit_a"])
    User.objects.filter(pk=world.users["unit_b"].pk).update(email="")
    sent, skipped = send_reminders(today=D(2026, 2, 3))
    assert (sent, skipped) == (2, 1)  # head and deputy; unit_a registered; unit_b has no e-mail
    assert {m.to[0] for m in mail.outbox} == {"chair@tinhthu.gov.vn", "deputy@tinhthu.gov.vn"}


def test_the_command_reports_what_it_sent(world, capsys):
    _emails(world)
    issued(world, [SO_KET, TONG_KET])
    call_command("send_reminders", "--date", "2026-12-08")
    assert "Đã gửi 4 thư nhắc hạn" in capsys.readouterr().out
