"""Concurrent saves of a sheet on PostgreSQL: two people saving the same line never both land
silently, saves of different lines never lose each other in the total, and a line save racing
the submission leaves a sheet that agrees with its audit trail."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from blocs.models import AuditEvent
from scoring import sheets
from scoring.models import Entry, Submission
from scoring.services import sheets as sheet_services
from tests.plans.test_races import TRIES, race
from tests.scoring.conftest import fill_sheet

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are real on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def line(sub, parent, code):
    return Entry.objects.get(submission=sub, criterion__code=code, criterion__parent__code=parent)


def open_sheet(world, round):
    user = world.users["unit_a"]
    return sheet_services.submission_open(round=round, unit=user.unit, actor=user)


def test_two_saves_of_the_same_line_never_both_land(world, tong_ket):
    actor = world.users["unit_a"]
    sub = open_sheet(world, tong_ket)
    lost = 0
    for i in range(TRIES):
        entry = line(sub, "I", "2")
        a, b = race(
            partial(
                sheet_services.line_save,
                entry=entry,
                actor=actor,
                value="10",
                explanation=f"A {i}",
                revision=entry.revision,
            ),
            partial(
                sheet_services.line_save,
                entry=entry,
                actor=actor,
                value="12",
                explanation=f"B {i}",
                revision=entry.revision,
            ),
        )
        saved = [r for r in (a, b) if not isinstance(r, Exception)]
        refused = [r for r in (a, b) if isinstance(r, sheet_services.StaleSheetError)]
        assert len(saved) == 1 and len(refused) == 1, (a, b)
        stored = line(sub, "I", "2")
        # the refused save was told (with the stored value); the stored one is the saved one
        lost += stored.explanation != saved[0].explanation
        assert refused[0].current.revision == stored.revision
    print(f"same line, {TRIES} tries: {lost} lost updates")
    assert lost == 0


def test_saves_of_different_lines_all_count_in_the_total(world, tong_ket):
    actor = world.users["unit_a"]
    sub = open_sheet(world, tong_ket)
    for i in range(TRIES):
        two, three = line(sub, "I", "2"), line(sub, "I", "3")
        value = Decimal(i % 10)
        race(
            partial(sheet_services.line_save, entry=two, actor=actor, value=value + 1),
            partial(sheet_services.line_save, entry=three, actor=actor, value=Decimal("0.5")),
        )
        stored = Submission.objects.get(pk=sub.pk)
        expected = sheets.compute(stored, *sheets.load(stored)).self.total.total
        assert stored.self_total == expected
        assert line(sub, "I", "2").self_score == value + 1


def test_a_line_save_racing_the_submission_agrees_with_the_audit(world, tong_ket):
    actor = world.users["unit_a"]
    outcomes = {"saved then submitted": 0, "submitted first": 0}
    for _ in range(max(TRIES // 5, 3)):
        Submission.objects.filter(round=tong_ket).delete()
        sub = fill_sheet(open_sheet(world, tong_ket), actor)
        entry = line(sub, "I", "2")
        save, submit = race(
            partial(sheet_services.line_save, entry=entry, actor=actor, value="7"),
            partial(sheet_services.submission_submit, submission=sub, actor=actor),
        )
        assert not isinstance(submit, Exception), submit
        stored = line(sub, "I", "2")
        saved = AuditEvent.objects.filter(
            object_id=str(sub.pk),
            action="sheet.line",
            data__line=entry.pk,
            data__changes__value__new="7",
        ).exists()
        assert saved == (stored.self_score == Decimal("7"))
        outcomes["saved then submitted" if saved else "submitted first"] += 1
        final = Submission.objects.get(pk=sub.pk)
        assert final.status == Submission.Status.SUBMITTED
        assert final.self_total == sheets.compute(final, *sheets.load(final)).self.total.total
    print(f"line save vs submit: {outcomes}")
