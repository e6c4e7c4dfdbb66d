"""prefetch_together (blocs/prefetch.py): a plan's legal bases, recipients and signature lines
read in one query give the same rows, in the same order, with the same values and types, as
prefetch_related reading them one list at a time; the lists then cost no query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from blocs.prefetch import prefetch_together
from plans.models import LegalBasis, Plan, Recipient
from tests.reports.plan_data import make_plan

LISTS = ("bases", "recipients", "signature_lines")


def _rows(plan: Plan) -> dict[str, list[dict]]:
    return {
        name: [
            {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields}
            for r in getattr(plan, name).all()
        ]
        for name in LISTS
    }


def test_the_lists_read_together_are_those_prefetch_related_reads(db):
    plan = make_plan()
    # out of insertion order: the model's ordering (order, id) must be kept
    LegalBasis.objects.create(plan=plan, order=0, text="Căn cứ đặt lên đầu")
    Recipient.objects.create(plan=plan, order=99, name="Lưu: VT", purpose="", is_archive=True)
    expected = _rows(Plan.objects.prefetch_related(*LISTS).get(pk=plan.pk))
    assert all(expected[name] for name in LISTS)  # the plan has rows in every list

    fresh = Plan.objects.get(pk=plan.pk)
    with CaptureQueriesContext(connection) as read:
        prefetch_together(fresh, *LISTS)
    with CaptureQueriesContext(connection) as after:
        got = _rows(fresh)
        plans = {r.plan for name in LISTS for r in getattr(fresh, name).all()}
    assert len(read) == 1
    assert len(after) == 0  # the rows, and each row's plan, come from the one read
    assert plans == {fresh}
    assert got == expected
    assert got["bases"][0]["text"] == "Căn cứ đặt lên đầu"
    archive = got["recipients"][-1]
    assert archive["is_archive"] is True and archive["order"] == 99


def test_lists_already_prefetched_are_kept_and_an_empty_list_reads_empty(db):
    plan = make_plan(bases=["Căn cứ Luật Thi đua, khen thưởng năm 2022;"])
    Recipient.objects.filter(plan=plan).delete()
    fresh = Plan.objects.prefetch_related("bases").get(pk=plan.pk)
    with CaptureQueriesContext(connection) as read:
        prefetch_together(fresh, *LISTS)
    assert len(read) == 1 and "plans_legalbasis" not in read[0]["sql"]
    bases = LegalBasis.objects.filter(plan=plan).count()
    with CaptureQueriesContext(connection) as after:
        assert list(fresh.recipients.all()) == []
        assert len(fresh.bases.all()) == bases > 0
    assert len(after) == 0


def test_the_lists_read_with_the_row_are_those_prefetch_related_reads(db):
    """with_lists / unpack_lists: the same rows, order, values and types in the row's own query
    (a locking one included), an empty list empty (NULL on PostgreSQL), and an extra column of
    a related row (a target's criterion code) on each child."""
    from blocs.prefetch import unpack_lists, with_lists

    plan = make_plan()
    LegalBasis.objects.create(plan=plan, order=0, text="Căn cứ đặt lên đầu")
    Recipient.objects.create(plan=plan, order=99, name="Lưu: VT", purpose="", is_archive=True)
    expected = _rows(Plan.objects.prefetch_related(*LISTS).get(pk=plan.pk))
    qs = with_lists(Plan.objects.select_for_update(), *LISTS, "phases")
    with CaptureQueriesContext(connection) as read:
        from django.db import transaction

        with transaction.atomic():
            fresh = unpack_lists(qs.get(pk=plan.pk), *LISTS, "phases")
    with CaptureQueriesContext(connection) as after:
        got = _rows(fresh)
        assert list(fresh.phases.all()) == []
    assert sum("SAVEPOINT" not in q["sql"] for q in read) == 1 and len(after) == 0
    assert got == expected and got["recipients"][-1]["is_archive"] is True


def test_a_child_row_brings_the_extra_column_asked_for(world):
    from blocs.prefetch import lists_read, prefetch_together, read_lists
    from scoring.models import Criterion, Registration
    from tests.scoring.conftest import make_template, register

    template = make_template(world.bloc, world.year)
    leaf = Criterion.objects.filter(template=template).exclude(kind="group").first()
    reg = register(world, world.unit_a, targets=[{"content": "Chỉ tiêu", "criterion": leaf}])
    extra = {"targets": {"criterion_code": "criterion__code"}}
    for revision in (reg.revision, None):  # in the row's query, or read after it
        row = read_lists(Registration.objects.all(), ("targets",), revision, extra=extra)
        got = lists_read(row.get(pk=reg.pk), ("targets",), revision, extra=extra)
        assert [(t.criterion_id, t.criterion_code) for t in got.targets.all()] == [
            (leaf.pk, leaf.code)
        ]
    fresh = prefetch_together(Registration.objects.get(pk=reg.pk), "targets", extra=extra)
    assert fresh.targets.all()[0].criterion_code == leaf.code
