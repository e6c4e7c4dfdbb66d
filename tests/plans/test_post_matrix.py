"""POST rows of the permission matrix for the plan editors and transitions: every persona, every
plan state, and plans of another bloc. A refused POST changes nothing (the plan's revision, its
status and its audit trail stay as they were)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from blocs.models import AuditEvent
from plans import services
from plans.models import Plan
from tests.conftest import PERSONAS
from tests.factories import make_bloc_world
from tests.plans.test_services import ready_plan

STATES = ["draft", "consultation", "approved", "issued"]
EDITORS = {
    "plans:edit_header": {
        "title": "Tiêu đề sửa qua POST",
        "place": "Tuyên Quang",
        "doc_type": "KH",
    },
    "plans:edit_body": {"outline": "I. MỤC ĐÍCH\nNội dung sửa qua POST."},
    "plans:edit_lists": {
        "recipients": "Ban TĐKT tỉnh (b/c)",
        "sig-TOTAL_FORMS": "1",
        "sig-INITIAL_FORMS": "0",
        "sig-0-role": "name",
        "sig-0-text": "Người Sửa",
    },
    "plans:edit_schedule": {
        "phase-TOTAL_FORMS": "1",
        "phase-INITIAL_FORMS": "0",
        "phase-0-seq": "1",
        "phase-0-name": "Đợt 1",
        "phase-0-start": "01/01/2026",
        "phase-0-end": "30/06/2026",
        "ms-TOTAL_FORMS": "0",
        "ms-INITIAL_FORMS": "0",
    },
}
ACTIONS = ["consult", "approve", "revise", "amend", "revoke", "delete"]


def plan_in(world, state: str) -> Plan:
    chair = world.users["chair"]
    plan = ready_plan(world)
    if state == "consultation":
        services.plan_submit_for_comment(plan=plan, actor=chair)
    elif state in ("approved", "issued"):
        services.plan_approve(plan=plan, actor=chair)
    if state == "issued":
        Plan.objects.filter(pk=plan.pk).update(
            status=Plan.Status.ISSUED, number=1, issue_date=dt.date(2026, 1, 15)
        )
    return Plan.objects.get(pk=plan.pk)


def fingerprint(plan: Plan) -> tuple:
    fresh = Plan.objects.get(pk=plan.pk)
    return (
        fresh.status,
        fresh.revision,
        fresh.title,
        list(fresh.sections.values_list("content", flat=True)),
        AuditEvent.objects.filter(object_id=str(plan.pk)).count(),
    )


def post_as(client, world, persona, url, data):
    client.logout()
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    return client.post(url, data)


def refused(persona: str, response) -> bool:
    if persona == "anonymous":
        return response.status_code == 302 and "/dang-nhap/" in response["Location"]
    if persona == "outsider":
        return response.status_code == 404
    return response.status_code == 403


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", sorted(EDITORS))
def test_editor_posts_by_persona_and_state(name, state, world, client):
    plan = plan_in(world, state)
    url = reverse(name, args=(world.bloc.pk, world.year, plan.pk))
    for persona in PERSONAS:
        with transaction.atomic():
            before = fingerprint(plan)
            response = post_as(client, world, persona, url, EDITORS[name])
            if persona in ("chair", "admin"):
                if state == "issued":
                    assert response.status_code == 302, (persona, response.status_code)
                    assert fingerprint(plan) == before, f"{name} changed an issued plan"
                else:
                    assert response.status_code in (200, 302), (persona, response.status_code)
            else:
                assert refused(persona, response), (name, state, persona, response.status_code)
                assert fingerprint(plan) == before
            transaction.set_rollback(True)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_posts_by_persona_and_state(action, state, world, client):
    plan = plan_in(world, state)
    url = reverse("plans:transition", args=(world.bloc.pk, world.year, plan.pk, action))
    allowed = {
        "consult": {"draft"},
        "approve": {"draft", "consultation"},
        "revise": {"consultation", "approved"},
        "amend": {"issued"},
        "revoke": {"issued"},
        "delete": {"draft", "consultation", "approved"},
    }[action]
    for persona in PERSONAS:
        with transaction.atomic():
            before = fingerprint(plan)
            response = post_as(client, world, persona, url, {"reason": "Sai sót"})
            if persona in ("chair", "admin"):
                if state in allowed:
                    assert response.status_code == 302, (action, state, response.status_code)
                else:
                    assert response.status_code in (302, 400)
                    assert fingerprint(plan) == before, f"{action} ran on a {state} plan"
            else:
                assert refused(persona, response), (action, state, persona, response.status_code)
                assert fingerprint(plan) == before
            transaction.set_rollback(True)


def test_plans_of_another_bloc_are_404_through_this_blocs_urls(world, client_for):
    bloc, _members, _term = make_bloc_world(province=world.province)
    other = services.plan_create_blank(bloc=bloc, year=world.year, actor=None)
    before = fingerprint(other)
    client = client_for("chair")
    for name, data in EDITORS.items():
        url = reverse(name, args=(world.bloc.pk, world.year, other.pk))
        assert client.post(url, data).status_code == 404
        # and the other bloc's own URL: the chair is an outsider there
        assert (
            client.post(reverse(name, args=(bloc.pk, world.year, other.pk)), data).status_code
            == 404
        )
    for action in ACTIONS:
        url = reverse("plans:transition", args=(world.bloc.pk, world.year, other.pk, action))
        assert client.post(url, {}).status_code == 404
    assert fingerprint(other) == before
