"""Reporting rounds follow the issued plan and keep their identity across its versions; who
reports in a round follows the dated memberships."""

from __future__ import annotations

import datetime as dt

from blocs import services as bloc_services
from blocs.models import AuditEvent, Membership
from plans import services as plan_services
from scoring import selectors
from scoring.models import Round
from tests.factories import issue_plan, make_unit
from tests.plans.test_services import P1, P2, ready_plan

D = dt.date
SO_KET = {
    "kind": "bao_cao_so_ket",
    "phase_seq": 1,
    "due": D(2026, 6, 15),
    "data_from": D(2025, 12, 1),
    "data_to": D(2026, 5, 31),
}
TONG_KET = {
    "kind": "bao_cao_tong_ket",
    "phase_seq": 2,
    "due": D(2026, 12, 15),
    "data_from": D(2025, 12, 1),
    "data_to": D(2026, 11, 30),
    "with_score_sheet": True,
}


def issued(world, milestones):
    chair = world.users["chair"]
    plan = ready_plan(world)
    plan_services.plan_set_schedule(plan=plan, actor=chair, phases=[P1, P2], milestones=milestones)
    plan_services.plan_approve(plan=plan, actor=chair)
    return issue_plan(plan=plan, actor=chair, issue_date=D(2026, 1, 20))


def test_issuing_the_plan_makes_its_report_rounds(world):
    issued(world, [SO_KET, TONG_KET])
    rounds = {r.key: r for r in selectors.rounds(bloc_id=world.bloc.pk, year=world.year)}
    assert set(rounds) == {"bao_cao_so_ket", "bao_cao_tong_ket"}
    assert rounds["bao_cao_so_ket"].due == D(2026, 6, 15)
    assert rounds["bao_cao_tong_ket"].kind == Round.Kind.TONG_KET
    assert rounds["bao_cao_tong_ket"].with_score_sheet


def test_an_amendment_moves_a_round_without_changing_its_identity(world):
    chair = world.users["chair"]
    plan = issued(world, [SO_KET, TONG_KET])
    so_ket = Round.objects.get(key="bao_cao_so_ket")
    amendment = plan_services.plan_amend(plan=plan, actor=chair)
    plan_services.plan_set_schedule(
        plan=amendment,
        actor=chair,
        phases=[P1, P2],
        milestones=[{**SO_KET, "due": D(2026, 6, 30)}],  # tổng kết left out of this version
    )
    plan_services.plan_approve(plan=amendment, actor=chair)
    issue_plan(plan=amendment, actor=chair, issue_date=D(2026, 3, 1))
    moved = Round.objects.get(key="bao_cao_so_ket")
    assert moved.pk == so_ket.pk and moved.due == D(2026, 6, 30)
    event = AuditEvent.objects.filter(action="round.update", object_id=str(so_ket.pk)).get()
    assert event.data["changes"] == {"due": {"old": "2026-06-15", "new": "2026-06-30"}}
    kept = Round.objects.get(key="bao_cao_tong_ket")  # never deleted: what was sent stays
    assert not kept.active
    assert [r.key for r in selectors.rounds(bloc_id=world.bloc.pk, year=world.year)] == [
        "bao_cao_so_ket"
    ]


def test_issuing_the_same_dates_again_records_nothing(world):
    from plans.models import Plan
    from scoring.services.rounds import rounds_sync

    issued(world, [SO_KET, TONG_KET])
    events = AuditEvent.objects.filter(action__startswith="round.").count()
    rounds_sync(plan=Plan.objects.get(status="issued"), actor=None)
    assert AuditEvent.objects.filter(action__startswith="round.").count() == events


def test_a_unit_reports_only_in_the_rounds_it_was_a_member_for(world):
    issued(world, [SO_KET, TONG_KET])
    newcomer = make_unit(world.province, "Thanh tra tỉnh Thử")
    bloc_services.membership_add(bloc=world.bloc, unit=newcomer, joined_on=D(2026, 7, 1))
    bloc_services.membership_end(
        membership=Membership.objects.get(bloc=world.bloc, unit=world.unit_b),
        left_on=D(2026, 6, 30),
        leave_reason=Membership.Reason.RUT,
    )
    so_ket = selectors.units_due(round=Round.objects.get(key="bao_cao_so_ket"))
    tong_ket = selectors.units_due(round=Round.objects.get(key="bao_cao_tong_ket"))
    assert world.unit_b in so_ket and newcomer not in so_ket
    assert newcomer in tong_ket and world.unit_b not in tong_ket
