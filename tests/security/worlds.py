"""The worlds the hostile forms are posted into: the common world (tests/conftest.py) grown
through the services until every form of the app is on some page. Each returns the ids that
the pages' URLs need."""

from __future__ import annotations

import datetime as dt

from blocs.models import Membership
from plans import services as plan_services
from plans.models import Plan
from tests.plans.test_services import ready_plan


def plans_world(world) -> dict:
    """Plans in every state (draft, in consultation, approved, issued) and next year open."""
    chair = world.users["chair"]
    draft = ready_plan(world, title="Kế hoạch dự thảo thử")
    consult = plan_services.plan_submit_for_comment(plan=ready_plan(world), actor=chair)
    approved = plan_services.plan_approve(plan=ready_plan(world), actor=chair)
    issued = plan_services.plan_approve(plan=ready_plan(world), actor=chair)
    Plan.objects.filter(pk=issued.pk).update(
        status=Plan.Status.ISSUED, number=7, issue_date=dt.date(2026, 1, 15)
    )
    return {
        "bloc_id": world.bloc.pk,
        "year": world.year,
        "next_year": world.year + 1,
        "draft": draft.pk,
        "consult": consult.pk,
        "approved": approved.pk,
        "issued": issued.pk,
        "membership": Membership.objects.get(bloc=world.bloc, unit=world.unit_b).pk,
        "user_b": world.users["unit_b"].pk,
    }


def scoring_world(world) -> dict:
    """The 100-point template, registrations (unit A's submitted, unit B's draft), sheets in
    every state (tests/scoring/conftest.add_sheets), the deputy's sheet submitted and waiting
    for the head's cross-scoring, unit A's draft sheet of a second round and unit B's sheet of
    a third, reviewed and waiting to be agreed."""
    from scoring.models import Criterion
    from scoring.services import sheets as sheet_services
    from tests.scoring.conftest import add_sheets, fill_sheet, make_round, make_template, register
    from tests.scoring.ranking_data import final_sheet

    chair, user_a, deputy = (world.users[k] for k in ("chair", "unit_a", "deputy"))
    template = make_template(world.bloc, world.year, chair)
    reg_a = register(world, world.unit_a, submit=True)
    reg_b = register(world, world.unit_b)
    tong_ket, _so_ket = add_sheets(world)
    sub_a = tong_ket.submissions.get(unit=world.unit_a)
    sub_b = tong_ket.submissions.get(unit=world.unit_b)
    dep = sheet_services.submission_open(round=tong_ket, unit=world.deputy_unit, actor=deputy)
    dep = sheet_services.submission_submit(submission=fill_sheet(dep, deputy), actor=deputy)
    second = make_round(world, key="bao_cao_tong_ket#2", due=dt.date(2026, 12, 30))
    draft = sheet_services.submission_open(round=second, unit=world.unit_a, actor=user_a)
    draft = fill_sheet(draft, user_a)
    third = make_round(world, key="bao_cao_tong_ket#3", due=dt.date(2026, 12, 30))
    reviewed = final_sheet(world, third, world.users["unit_b"], finalize=False)
    return {
        "bloc_id": world.bloc.pk,
        "year": world.year,
        "template": template.pk,
        "criterion": Criterion.objects.filter(template=template, kind="graded").first().pk,
        "group": Criterion.objects.filter(template=template, kind="group").first().pk,
        "reg_a": reg_a.pk,
        "reg_b": reg_b.pk,
        "round": tong_ket.pk,
        "sub_final": sub_a.pk,
        "sub_returned": sub_b.pk,
        "sub_review": dep.pk,
        "sub_draft": draft.pk,
        "sub_reviewed": reviewed.pk,
    }


def ranking_world(world) -> dict:
    """Final sheets of a good year for three units (two of them tied), the ranking computed,
    the bình xét meeting recorded (four units attend), a compliance flag."""
    from scoring.services import compliance
    from scoring.services import ranking as ranking_services
    from tests.scoring.conftest import make_round, make_template
    from tests.scoring.ranking_data import ranked_world

    chair = world.users["chair"]
    make_template(world.bloc, world.year, chair)
    tong_ket = make_round(world)
    ranked_world(world, tong_ket, {"unit_a": "15", "unit_b": "14", "chair": "14"})
    ranking_services.ranking_compute(bloc=world.bloc, year=world.year, actor=chair)
    ranking_services.meeting_save(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        date=dt.date(2026, 12, 20),
        attending=[world.head, world.deputy_unit, world.unit_a, world.unit_b],
        place="Hội trường Bộ CHQS tỉnh",
        chair="Đại tá Nguyễn Văn Trưởng",
        secretary="Trần Thị Phó",
    )
    flag = compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.unit_b,
        kind="discipline",
        effect="veto_all",
        source="Sở Nội vụ",
        note="Cán bộ bị kỷ luật",
    )
    return {"bloc_id": world.bloc.pk, "year": world.year, "flag": flag.pk}


def proposals_world(world) -> dict:
    """An adopted ranking and its proposals generated (drafts)."""
    from scoring.services.proposals import proposals_generate
    from tests.scoring.conftest import make_template
    from tests.scoring.ranking_data import make_ranking

    make_template(world.bloc, world.year, world.users["chair"])
    units = [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    make_ranking(world.bloc, world.year, units)
    proposals = proposals_generate(bloc=world.bloc, year=world.year, actor=None)
    return {"bloc_id": world.bloc.pk, "year": world.year, "proposal": proposals[0].pk}


def dossier_world(world) -> dict:
    """The proposals voted and submitted to the province (the tờ trình issued); the first one
    approved by the province's reviewer, waiting for its decision."""
    from django.utils import timezone

    from reports.services import submit_proposals
    from scoring.models import Proposal
    from scoring.services import proposal_reviews
    from scoring.services.proposals import proposal_vote

    ids = proposals_world(world)
    chair = world.users["chair"]
    for p in Proposal.objects.filter(bloc=world.bloc, year=world.year):
        proposal_vote(proposal=p, actor=chair, vote_for=10, vote_against=0, vote_total=10)
    submit_proposals(bloc=world.bloc, year=world.year, actor=chair, date=timezone.localdate())
    first, second = Proposal.objects.filter(bloc=world.bloc, year=world.year).order_by("rank")
    first = proposal_reviews.proposal_approve(proposal=first, actor=world.users["reviewer"])
    return {**ids, "approved": first.pk, "submitted": second.pk}


WORLDS = {
    "dossier": dossier_world,
    "plans": plans_world,
    "scoring": scoring_world,
    "ranking": ranking_world,
    "proposals": proposals_world,
}
