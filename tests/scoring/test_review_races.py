"""Concurrent reviews on PostgreSQL: two reviewers saving the same line from the same page never
both land (no lost update: the other is told, with the current values), and a return racing a
layer done from the same page leaves one decision, the one the audit trail records."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from blocs.models import AuditEvent
from scoring.models import Review, Submission
from scoring.services import reviews as services
from scoring.services import sheets as sheet_services
from tests.plans.test_races import TRIES, pytestmark, race  # noqa: F401  (PostgreSQL only)
from tests.scoring.test_sheet_services import entry, submitted


@pytest.fixture
def sub(world):
    from tests.scoring.conftest import make_round, make_template

    make_template(world.bloc, world.year, world.users["chair"])
    return submitted(world, make_round(world))


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_on_the_same_line_never_lose_a_score(world, sub):
    line = entry(sub, "I.2")
    chair, deputy = world.users["chair"], world.users["deputy"]  # both act on the deputy's layer
    for i in range(TRIES):
        current = Review.objects.filter(entry=line).first()
        rev = current.revision if current else 0
        a, b = (str(1 + 2 * (i % 2)), str(2 + 2 * (i % 2)))  # never the score stored now
        first, second = race(
            partial(services.review_line, entry=line, actor=chair, score=a, revision=rev),
            partial(services.review_line, entry=line, actor=deputy, score=b, revision=rev),
        )
        saved = [r for r in (first, second) if isinstance(r, Review)]
        refused = [r for r in (first, second) if isinstance(r, sheet_services.StaleSheetError)]
        assert len(saved) == 1 and len(refused) == 1, (first, second)
        stored = Review.objects.get(entry=line)
        assert stored.score == saved[0].score and stored.revision == rev + 1
        assert refused[0].current.score == stored.score  # the loser sees what is stored
        last = AuditEvent.objects.filter(action="sheet.review").order_by("-id").first()
        assert Decimal(last.data["changes"]["score"]["new"]) == stored.score


@pytest.mark.django_db(transaction=True)
def test_a_return_racing_a_layer_done_leaves_one_decision(world, sub):
    chair, deputy, clerk = world.users["chair"], world.users["deputy"], world.users["unit_a"]
    wins = {"returned": 0, "layer_done": 0}
    for _ in range(TRIES):
        rev = Submission.objects.get(pk=sub.pk).revision
        events = AuditEvent.objects.count()
        race(
            partial(
                services.submission_return,
                submission=sub,
                actor=chair,
                reason="Thiếu",
                revision=rev,
            ),
            partial(services.layer_done, submission=sub, actor=deputy, revision=rev),
        )
        stored = Submission.objects.get(pk=sub.pk)
        assert AuditEvent.objects.count() == events + 1 and stored.revision == rev + 1
        action = AuditEvent.objects.order_by("-id").first().action
        if stored.status == Submission.Status.RETURNED:
            assert action == "submission.return"
            wins["returned"] += 1
        else:
            assert action == "submission.layer_done" and stored.layer == 1
            wins["layer_done"] += 1
            stored = services.submission_return(submission=stored, actor=chair, reason="Lại")
        sheet_services.submission_submit(submission=stored, actor=clerk)
    print(f"return vs layer done, {TRIES} tries: {wins}")
