"""What a unit must do next: its deadlines on the home page, and each bloc-year's plan summary."""

from __future__ import annotations

import datetime as dt

from blocs import services as bloc_services
from blocs.access import MEMBER, REVIEWER, SECRETARIAT
from blocs.models import Membership
from plans.dashboard import plan_summaries, unit_deadlines
from plans.models import Plan
from tests.plans.dashboard_data import make_dated_plan

D = dt.date
TODAY = D(2026, 6, 10)


def shown(world, persona="unit_a", today=TODAY):
    unit_id = world.users[persona].unit_id
    return [
        (d.deadline.label, d.deadline.countdown, d.deadline.badge[0])
        for d in unit_deadlines(unit_id=unit_id, today=today)
    ]


def test_member_sees_upcoming_and_recently_overdue_deadlines_soonest_first(world):
    make_dated_plan(world.bloc, 2026, D(2026, 12, 15), D(2026, 6, 15), D(2026, 6, 8), month=7)
    assert shown(world) == [
        ("08/06/2026", "quá hạn 2 ngày", "Quá hạn"),
        ("15/06/2026", "còn 5 ngày", "Sắp đến hạn"),
        ("tháng 07/2026", "", "Trong tháng"),
        ("15/12/2026", "còn 188 ngày", "Còn hạn"),
    ]


def test_a_deadline_due_today_says_so_in_words(world):
    make_dated_plan(world.bloc, 2026, TODAY)
    assert shown(world) == [("10/06/2026", "hôm nay", "Hôm nay")]


def test_deadlines_overdue_for_more_than_a_month_leave_the_home_page(world):
    make_dated_plan(world.bloc, 2026, D(2026, 5, 10), D(2026, 5, 11))
    assert shown(world) == [("11/05/2026", "quá hạn 30 ngày", "Quá hạn")]


def test_last_years_plan_shows_only_its_deadlines_of_the_last_weeks(world):
    make_dated_plan(world.bloc, 2025, D(2025, 11, 1), D(2025, 12, 15), D(2026, 1, 20))
    assert shown(world, today=D(2026, 1, 10)) == [
        ("15/12/2025", "quá hạn 26 ngày", "Quá hạn"),
        ("20/01/2026", "còn 10 ngày", "Còn hạn"),
    ]


def test_drafts_and_other_blocs_deadlines_are_not_listed(world):
    make_dated_plan(world.bloc, 2026, D(2026, 6, 20), status=Plan.Status.CONSULTATION)
    other = world.other_unit.memberships.get().bloc
    make_dated_plan(other, 2026, D(2026, 6, 21))
    assert shown(world) == []
    assert shown(world, persona="outsider") == [("21/06/2026", "còn 11 ngày", "Còn hạn")]
    assert unit_deadlines(unit_id=None, today=TODAY) == []


def test_head_unit_sees_its_blocs_deadlines_and_a_unit_that_left_does_not(world):
    make_dated_plan(world.bloc, 2026, D(2026, 7, 1))
    membership = Membership.objects.get(unit=world.unit_b, bloc=world.bloc)
    bloc_services.membership_end(
        membership=membership, left_on=D(2025, 12, 31), leave_reason=Membership.Reason.RUT
    )
    assert shown(world, persona="chair") == [("01/07/2026", "còn 21 ngày", "Còn hạn")]
    assert shown(world, persona="unit_b") == []


def test_summary_shows_drafts_only_to_the_secretariat_and_the_next_deadline_when_issued(world):
    key = (world.bloc.pk, 2026)
    make_dated_plan(world.bloc, 2026, status=Plan.Status.DRAFT)
    summaries = {r: plan_summaries(roles={key: r}, today=TODAY)[key] for r in (SECRETARIAT, MEMBER)}
    assert summaries[SECRETARIAT].plan.status == "draft"
    assert summaries[SECRETARIAT].next_step == "Hoàn thiện dự thảo, gửi lấy ý kiến"
    assert summaries[MEMBER].plan is None
    assert summaries[MEMBER].next_step == "Chờ Trưởng khối ban hành kế hoạch"

    Plan.objects.all().delete()
    make_dated_plan(world.bloc, 2026, D(2026, 5, 1), D(2026, 9, 1), D(2026, 7, 1))
    summary = plan_summaries(roles={key: REVIEWER}, today=TODAY)[key]
    assert summary.plan.status == "issued"
    assert (summary.next_deadline.label, summary.next_deadline.countdown) == (
        "01/07/2026",
        "còn 21 ngày",
    )
    assert summary.next_step == "Chuẩn bị: Báo cáo sơ kết"


def test_members_are_asked_to_comment_on_a_draft_in_consultation(world):
    key = (world.bloc.pk, 2026)
    plan = make_dated_plan(world.bloc, 2026, status=Plan.Status.CONSULTATION)
    Plan.objects.filter(pk=plan.pk).update(consultation_deadline=D(2026, 6, 20))
    summary = plan_summaries(roles={key: MEMBER}, today=TODAY)[key]
    assert summary.next_step == "Góp ý dự thảo (hạn 20/06/2026)"
