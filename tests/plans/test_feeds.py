"""Calendar feeds: every deadline and meeting of a unit's or a bloc's issued plans, on a secret
URL that can be renewed or revoked."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from plans import feeds, services
from plans.models import CalendarToken
from tests.factories import issue_plan
from tests.plans.test_services import P1, P2, ready_plan

D = dt.date


def issued(world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_set_schedule(
        plan=plan,
        actor=chair,
        phases=[P1, P2],
        milestones=[
            {
                "kind": "bao_cao_so_ket",
                "phase_seq": 1,
                "due": D(2026, 6, 15),
                "data_from": D(2025, 12, 1),
                "data_to": D(2026, 5, 31),
                "addressee": "Bộ CHQS tỉnh, Trưởng khối",
            },
            {"kind": "hoi_nghi_so_ket", "due_month": 7, "due_year": 2026},
        ],
    )
    services.plan_approve(plan=plan, actor=chair)
    return issue_plan(plan=plan, actor=chair, issue_date=D(2026, 1, 20))


def unfold(ics: str) -> str:
    return ics.replace("\r\n ", "")


def test_a_unit_feed_lists_its_deadlines_and_meetings(world, client_for):
    issued(world)
    client = client_for("unit_a")
    assert client.post(reverse("plans:calendar"), {"action": "renew"}).status_code == 302
    token = CalendarToken.objects.get(user=world.users["unit_a"]).token
    client.logout()  # a calendar app has no session: the secret is the credential
    response = client.get(reverse("plans:calendar_unit", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    ics = unfold(response.content.decode())
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20260615" in ics and "DTEND;VALUE=DATE:20260616" in ics
    assert "SUMMARY:Báo cáo sơ kết – Khối thi đua Nội chính Thử" in ics
    assert "Gửi về: Bộ CHQS tỉnh\\, Trưởng khối." in ics  # escaped per RFC 5545
    assert "DTSTART;VALUE=DATE:20260701" in ics and "DTEND;VALUE=DATE:20260801" in ics
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))


def test_a_renewed_or_revoked_secret_stops_the_old_urls(world, client_for):
    issued(world)
    client = client_for("chair")
    client.post(reverse("plans:calendar"), {"action": "renew"})
    old = CalendarToken.objects.get(user=world.users["chair"]).token
    client.post(reverse("plans:calendar"), {"action": "renew"})
    new = CalendarToken.objects.get(user=world.users["chair"]).token
    assert old != new
    assert client.get(reverse("plans:calendar_unit", args=[old])).status_code == 404
    bloc_url = reverse("plans:calendar_bloc", args=[new, world.bloc.pk])
    assert client.get(bloc_url).status_code == 200
    client.post(reverse("plans:calendar"), {"action": "revoke"})
    assert client.get(bloc_url).status_code == 404


def test_a_bloc_feed_is_only_for_blocs_of_the_user(world, client_for):
    from tests.factories import make_bloc_world

    other, _members, _term = make_bloc_world(province=world.province)
    client = client_for("unit_a")
    client.post(reverse("plans:calendar"), {"action": "renew"})
    token = CalendarToken.objects.get(user=world.users["unit_a"]).token
    assert client.get(reverse("plans:calendar_bloc", args=[token, other.pk])).status_code == 404
    assert (
        client.get(reverse("plans:calendar_bloc", args=[token, world.bloc.pk])).status_code == 200
    )
    page = client.get(reverse("plans:calendar")).content.decode()
    assert world.bloc.name in page and other.name not in page


def test_folding_keeps_every_line_within_75_octets():
    event = feeds.Event("x@y", D(2026, 1, 1), D(2026, 1, 2), "Đ" * 100, "ữ" * 200)
    ics = feeds.to_ics([event], name="Lịch", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    lines = ics.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "SUMMARY:" + "Đ" * 100 in unfold(ics)
