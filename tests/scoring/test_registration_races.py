"""Concurrent edits of a registration on PostgreSQL: two saves (two tabs, two staff of the unit)
that read the same revision never both land; two first saves of a registration not yet made make
one registration; accepting and returning at once decide it once; a submit racing a save sends
the version the sender saw or nothing. What is stored always agrees with the audit trail."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection

from blocs.models import AuditEvent
from scoring.models import Registration
from scoring.services import registrations as services
from tests.plans.test_races import TRIES, race
from tests.scoring.conftest import register

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]
R = Registration.Status
TITLES = {"co_tinh": 1, "ldtt": 45, "cstdcs": 6}


def save(world, unit, content, revision, actor=None):
    return partial(
        services.registration_save,
        bloc=world.bloc,
        year=world.year,
        unit=unit,
        actor=actor,
        targets=[{"content": content, "measure": "%", "target_value": 95}],
        titles=TITLES,
        revision=revision,
    )


def outcome(results):
    saved = [r for r in results if isinstance(r, Registration)]
    refused = [r for r in results if isinstance(r, services.StaleRegistrationError)]
    return saved, refused


def test_two_saves_of_the_same_revision_never_both_land(world, template):
    actor = world.users["unit_a"]
    reg = register(world, world.unit_a, actor=actor)
    lost = 0
    for i in range(TRIES):
        revision = Registration.objects.get(pk=reg.pk).revision
        results = race(
            save(world, world.unit_a, f"Chỉ tiêu A {i}", revision, actor),
            save(world, world.unit_a, f"Chỉ tiêu B {i}", revision, actor),
        )
        saved, refused = outcome(results)
        assert len(saved) == 1 and len(refused) == 1, results
        stored = Registration.objects.get(pk=reg.pk)
        assert stored.revision == revision + 1
        lost += [t.content for t in stored.targets.all()] != [
            f"Chỉ tiêu {'AB'[results.index(saved[0])]} {i}"
        ]
        assert stored.targets.count() == 1  # never the rows of both saves
    audits = AuditEvent.objects.filter(action="registration.update", object_id=reg.pk).count()
    print(f"registration, same revision, {TRIES} tries: {lost} lost updates")
    assert lost == 0
    assert audits == TRIES + 1  # the first save and one per race: the refused ones wrote nothing


def test_saves_without_a_revision_at_once_leave_exactly_one_of_them(world, template):
    """Saves without the form's revision (scripts, the demo) wait for each other and each
    compares with what the one before it stored: the titles are exactly one save's, never a
    mix (each save writes its changes in place against the titles it read)."""
    reg = register(world, world.unit_a)
    wanted = [{"ldtt": 10 + k, **({"cstdcs": k} if k % 2 else {"co_tinh": 1})} for k in range(1, 6)]
    for _ in range(max(TRIES // 5, 3)):
        race(*(
            partial(
                services.registration_save, bloc=world.bloc, year=world.year, unit=world.unit_a,
                actor=None, targets=[{"content": f"Chỉ tiêu {k}"}], titles=titles,
            )
            for k, titles in enumerate(wanted)
        ))  # fmt: skip
        stored = Registration.objects.get(pk=reg.pk)
        titles = {g.title: g.count for g in stored.titles.all()}
        assert titles in wanted, titles
        assert [t.content for t in stored.targets.all()] == [f"Chỉ tiêu {wanted.index(titles)}"]


def test_two_first_saves_make_one_registration(world, template):
    actor = world.users["unit_b"]
    for i in range(max(TRIES // 5, 3)):
        Registration.objects.filter(unit=world.unit_b).delete()
        results = race(
            save(world, world.unit_b, f"Lần đầu A {i}", 0, actor),
            save(world, world.unit_b, f"Lần đầu B {i}", 0, actor),
        )
        saved, refused = outcome(results)
        assert len(saved) == 1 and len(refused) == 1, results
        stored = Registration.objects.get(unit=world.unit_b, year=world.year)
        assert stored.targets.count() == 1 and stored.revision == 1


def test_accept_and_return_at_once_decide_once(world, template):
    chair, deputy = world.users["chair"], world.users["deputy"]
    reg = register(world, world.unit_a, actor=world.users["unit_a"], submit=True)
    decided = {"accepted": 0, "returned": 0}
    for _ in range(max(TRIES // 5, 3)):
        Registration.objects.filter(pk=reg.pk).update(status=R.SUBMITTED)
        revision = Registration.objects.get(pk=reg.pk).revision
        results = race(
            partial(services.registration_accept, registration=reg, actor=chair, revision=revision),
            partial(
                services.registration_return,
                registration=reg,
                actor=deputy,
                reason="Thiếu chỉ tiêu về cải cách hành chính",
                revision=revision,
            ),
        )
        saved, refused = outcome(results)
        assert len(saved) == 1 and len(refused) == 1, results
        stored = Registration.objects.get(pk=reg.pk)
        assert stored.status == saved[0].status and stored.revision == revision + 1
        decided["accepted" if stored.status == R.ACCEPTED else "returned"] += 1
    print(f"accept vs return: {decided}")


def test_a_submit_racing_a_save_sends_what_the_sender_saw(world, template):
    actor = world.users["unit_a"]
    reg = register(world, world.unit_a, actor=actor)
    for i in range(max(TRIES // 5, 3)):
        Registration.objects.filter(pk=reg.pk).update(status=R.DRAFT)
        revision = Registration.objects.get(pk=reg.pk).revision
        results = race(
            save(world, world.unit_a, f"Sửa lần {i}", revision, actor),
            partial(services.registration_submit, registration=reg, actor=actor, revision=revision),
        )
        saved, refused = outcome(results)
        assert len(saved) == 1 and len(refused) == 1, results
        stored = Registration.objects.get(pk=reg.pk)
        if saved[0].status == R.SUBMITTED:
            # sent first: the edit was refused, the sent version is the one the sender read
            assert stored.status == R.SUBMITTED
            assert [t.content for t in stored.targets.all()] != [f"Sửa lần {i}"]
        else:
            # saved first: the submit of the version before the edit was refused
            assert stored.status == R.DRAFT
            assert [t.content for t in stored.targets.all()] == [f"Sửa lần {i}"]
