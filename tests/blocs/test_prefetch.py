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
