"""The one-off actions at two sizes (issue 12): signing the giao ước, issuing a plan or a compiled
report, amending an issued plan, a sheet or a template from Excel, a template copied from last
year, a round finalised at the meeting, a unit merged, and the refused saves of a criterion, a
review line and a sheet line. Each is posted through its page by the persona who makes it, on
the world's bloc-year and on it grown (more member units, each with its registration or sheet;
a plan four times the size; a template with more criteria), counted as production runs it (the
test's savepoints left out: BEGIN/COMMIT there) and rolled back. The count is the same at both
sizes and at most its ceiling: the statements measured, named next to it (any rise fails).
`QUERY_DUMP=<label>` (or `*`) prints the statements; `-s` prints the table."""

from __future__ import annotations

import datetime as dt
import os

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import Unit
from scoring.services import sheets as sheet_services
from tests.factories import make_unit, make_user
from tests.test_query_budget import SAVEPOINTS

GROWTH = 8  # member units (or criteria) added for the second count
TABLE: list[str] = []


def _post(client, user, url, data, check, label, **extra) -> int:
    """The statements of one POST of `url`, made by `user` and rolled back; `check(response)`
    (what the user notices) runs before the rollback."""
    with transaction.atomic():
        client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data, **extra)
        check(response)
        transaction.set_rollback(True)
    if os.environ.get("QUERY_DUMP") in (label, "*"):
        print(f"\n--- {label}")
        for q in ctx.captured_queries:
            if not q["sql"].startswith(SAVEPOINTS):
                print("  ", q["sql"][:300])
    return sum(not q["sql"].startswith(SAVEPOINTS) for q in ctx.captured_queries)


def _flat(label: str, small: int, large: int, ceiling: int) -> None:
    TABLE.append(f"{small:4d} {large:4d}  {label}")
    print(f"\n{small:4d} {large:4d}  {label}")
    assert small == large, f"{label}: {small} → {large} statements"
    assert large <= ceiling, f"{label}: {large} statements (ceiling {ceiling})"


def _members(world, n: int, *, tag: str) -> list[tuple[Unit, object]]:
    """`n` more member units of the world's bloc, each with a user."""
    out = []
    for i in range(n):
        unit = make_unit(world.province, f"Đơn vị {tag} {i} Thử")
        bloc_services.membership_add(
            bloc=world.bloc, unit=unit, joined_on=dt.date(world.year - 1, 1, 1)
        )
        out.append((unit, make_user(f"{tag}{i}", unit, full_name=f"Cán bộ {tag} {i}")))
    return out


def _submitted(round, unit, user, now=None):
    from tests.scoring.conftest import fill_sheet

    sub = sheet_services.submission_open(round=round, unit=unit, actor=user)
    return sheet_services.submission_submit(submission=fill_sheet(sub, user), actor=user, now=now)


# ---------------------------------------------------------------- members grow


def test_signing_the_giao_uoc_costs_the_same_with_more_members(world, client):
    from reports.models import IssuedDocument
    from scoring.models import Registration
    from tests.scoring.conftest import make_template, register

    chair = world.users["chair"]
    make_template(world.bloc, world.year, chair)
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True)
    url = reverse("scoring:signing", args=(world.bloc.pk, world.year))
    data = {
        "date": "10/02/2026",
        "place": "Văn phòng UBND tỉnh",
        "attending": [world.head.pk, world.unit_a.pk],
    }

    def signed(response):
        assert response.status_code == 302, response.content.decode()[:3000]
        assert IssuedDocument.objects.filter(kind="giao_uoc").count() == 1
        regs = Registration.objects.filter(bloc=world.bloc, year=world.year)
        assert set(regs.values_list("status", flat=True)) == {"signed"}

    count = lambda: _post(client, chair, url, data, signed, "signing")  # noqa: E731
    count()  # warm
    small = count()
    for unit, user in _members(world, GROWTH, tag="ky"):
        register(world, unit, accept=True, actor=user)
    _flat("scoring:signing", small, count(), 49)


def test_finalising_a_round_costs_the_same_with_more_reviewed_sheets(world, client):
    from scoring.models import Submission
    from scoring.services import reviews as review_services
    from tests.scoring.conftest import make_round, make_template

    chair = world.users["chair"]
    make_template(world.bloc, world.year, chair)
    round = make_round(world)

    def reviewed(unit, user):
        sub = _submitted(round, unit, user)
        sub = review_services.layer_done(submission=sub, actor=world.users["deputy"])
        return review_services.layer_done(submission=sub, actor=chair)

    reviewed(world.unit_a, world.users["unit_a"])
    _submitted(round, world.unit_b, world.users["unit_b"])  # not reviewed: left out
    url = reverse("scoring:review_round_finalize", args=(world.bloc.pk, world.year, round.pk))

    def finalised(response):
        assert response.status_code == 302, response.content.decode()[:3000]
        statuses = set(Submission.objects.filter(round=round).values_list("status", flat=True))
        assert statuses == {"final", "submitted"}

    count = lambda: _post(client, chair, url, {"note": "Hội nghị"}, finalised, "finalize")  # noqa: E731
    count()
    small = count()
    for unit, user in _members(world, GROWTH, tag="chot"):
        reviewed(unit, user)
    # the lock of the round's sheets, their criteria, lines and reviews, one UPDATE of the lines,
    # one of the sheets, one INSERT of their audit events, the gate's and the page's reads
    # (it was 10 and 5 more a reviewed sheet)
    _flat("scoring:review_round_finalize", small, count(), 11)


def test_issuing_the_compiled_report_costs_the_same_with_more_submissions(world, client):
    from reports import services as report_services
    from reports.models import IssuedDocument
    from tests.scoring.conftest import make_round, make_template

    chair = world.users["chair"]
    make_template(world.bloc, world.year, chair)
    round = make_round(world)
    _submitted(round, world.unit_a, world.users["unit_a"])
    report_services.compiled_report_save(round=round, actor=chair, body="Đánh giá chung.")
    url = reverse(
        "reports:compiled_issue",
        kwargs={"bloc_id": world.bloc.pk, "year": world.year, "round_id": round.pk},
    )

    def issued(response):
        assert response.status_code == 302, response.content.decode()[:3000]
        assert IssuedDocument.objects.filter(kind="bao_cao").count() == 1

    count = lambda: _post(client, chair, url, {"issue_date": "22/12/2026"}, issued, "compiled")  # noqa: E731
    count()
    small = count()
    for unit, user in _members(world, GROWTH, tag="bc"):
        _submitted(round, unit, user)
    _flat("reports:compiled_issue", small, count(), 24)


def test_merging_a_unit_costs_the_same_with_more_members(world, client):
    from tests.scoring.conftest import make_template, register

    make_template(world.bloc, world.year, world.users["chair"])
    register(world, world.unit_a, submit=True, actor=world.users["unit_a"])
    successor = make_unit(world.province, "Sở Tư pháp và Nội vụ Thử")
    m = world.bloc.memberships.get(unit=world.unit_a)
    url = reverse("blocs:unit_merge", args=[world.bloc.pk, world.year, m.pk])
    data = {"left_on": "30/06/2026", "successor": successor.pk}

    def merged(response):
        assert response.status_code == 302, response.content.decode()[:3000]
        assert Unit.objects.get(pk=world.unit_a.pk).successor_id == successor.pk

    count = lambda: _post(client, world.users["reviewer"], url, data, merged, "merge")  # noqa: E731
    count()
    small = count()
    for unit, user in _members(world, GROWTH, tag="sn"):
        register(world, unit, submit=True, actor=user)
    _flat("blocs:unit_merge", small, count(), 16)


# ---------------------------------------------------------------- a plan four times the size


def _approved_plan(world, factor):
    from plans import services as plan_services
    from tests.test_query_budget import _plan_of_size

    plan = _plan_of_size(world, factor)
    return plan_services.plan_approve(plan=plan, actor=world.users["chair"])


def test_issuing_a_plan_costs_the_same_at_four_times_its_size(world, client):
    from plans.models import Plan

    chair = world.users["chair"]

    def count(plan):
        url = reverse("reports:plan_issue", args=[world.bloc.pk, world.year, plan.pk])

        def issued(response):
            assert response.status_code == 302, response.content.decode()[:3000]
            assert Plan.objects.get(pk=plan.pk).status == "issued"

        return _post(client, chair, url, {"issue_date": "15/01/2026"}, issued, "plan_issue")

    small_plan, large_plan = _approved_plan(world, 1), _approved_plan(world, 4)
    count(small_plan)
    # the number register, the plan's lock and transition, its lists, the rounds of its report
    # milestones (one INSERT, one audit INSERT: it was five statements a milestone, 79 → 169),
    # the frozen document, its register entry and audit
    _flat("reports:plan_issue", count(small_plan), count(large_plan), 42)


def test_amending_an_issued_plan_costs_the_same_at_four_times_its_size(world, client):
    from plans.models import Plan
    from tests.factories import issue_plan

    chair = world.users["chair"]

    def count(plan):
        url = reverse("plans:transition", args=[world.bloc.pk, world.year, plan.pk, "amend"])

        def amended(response):
            assert response.status_code == 302, response.content.decode()[:3000]
            assert Plan.objects.filter(replaces=plan).exists()

        return _post(client, chair, url, {}, amended, "amend")

    small_plan = issue_plan(
        plan=_approved_plan(world, 1), actor=chair, issue_date=dt.date(2026, 1, 15)
    )
    large_plan = issue_plan(
        plan=_approved_plan(world, 4), actor=chair, issue_date=dt.date(2026, 1, 16)
    )
    count(small_plan)
    # the issued plan locked and checked, its lists, body and schedule read in four queries and
    # each kind written in one statement (it was one INSERT a phase: 31 → 37), the audit
    _flat("plans:transition amend", count(small_plan), count(large_plan), 18)


def test_copying_a_plan_to_next_year_costs_the_same_at_four_times_its_size(world, client):
    from plans.models import Plan
    from tests.factories import issue_plan

    chair = world.users["chair"]
    bloc_services.term_set(bloc=world.bloc, year=world.year + 1, head_unit=world.head)
    url = reverse("plans:create", args=[world.bloc.pk, world.year + 1])

    def count(factor):
        with transaction.atomic():
            plan = issue_plan(
                plan=_approved_plan(world, factor), actor=chair, issue_date=dt.date(2026, 1, 15)
            )

            def copied(response):
                assert response.status_code == 302, response.content.decode()[:3000]
                new = Plan.objects.get(bloc=world.bloc, year=world.year + 1)
                assert new.phases.count() == plan.phases.count()
                assert new.milestones.count() == plan.milestones.count()

            n = _post(client, chair, url, {"mode": "copy"}, copied, "plan_copy")
            transaction.set_rollback(True)
        return n

    count(1)
    # the copy reads the source's lists, body and schedule in four queries and writes each kind
    # in one statement (it was one INSERT a phase)
    _flat("plans:create copy", count(1), count(4), 26)


# ---------------------------------------------------------------- a template with more criteria


def _rows_of(n: int):
    """A 100-point template of one group and `n` graded criteria (100 / n points each)."""
    from decimal import Decimal as D

    from scoring.services.templates import CriterionRow

    rows = [CriterionRow(code="I", content="Nhiệm vụ chính trị", kind="group", max_points=D(100))]
    rows += [
        CriterionRow(
            code=str(i + 1),
            content=f"Tiêu chí {i + 1}",
            kind="graded",
            max_points=D(100) / n,
            parent_index=0,
        )
        for i in range(n)
    ]
    settings = {"title": f"Thang điểm {n} tiêu chí", "max_total": D(100)}
    return rows, settings, [{"label": "Hoàn thành nhiệm vụ", "min_total": D(0), "floor_pct": None}]


def _template_of(world, n: int, year=None):
    from scoring.services import templates as tpl_services

    rows, settings, bands = _rows_of(n)
    return tpl_services.template_import(
        bloc=world.bloc,
        year=year or world.year,
        actor=world.users["chair"],
        rows=rows,
        settings=settings,
        bands=bands,
    )


SMALL, LARGE = 4, 20  # criteria of the two templates


def _at_sizes(world, label, measure, ceiling) -> None:
    """`measure(n)` with the world's template of SMALL and of LARGE criteria (each made and
    rolled back), warmed once."""

    def run(n):
        with transaction.atomic():
            _template_of(world, n)
            count = measure(n)
            transaction.set_rollback(True)
        return count

    run(SMALL)
    _flat(label, run(SMALL), run(LARGE), ceiling)


def _upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_importing_a_template_from_excel_costs_the_same_with_more_criteria(world, client):
    from scoring import excel, selectors
    from scoring.models import Criterion, Template

    chair = world.users["chair"]
    bloc_services.term_set(bloc=world.bloc, year=world.year + 1, head_unit=world.head)
    url = reverse("scoring:template_import", args=[world.bloc.pk, world.year + 1])

    def measure(n):
        source = Template.objects.get(bloc=world.bloc, year=world.year)
        data = excel.export_template(source, selectors.criteria_of(source), source.bands.all())

        def imported(response):
            assert response.status_code == 302, response.content.decode()[:3000]
            made = Template.objects.get(bloc=world.bloc, year=world.year + 1)
            assert Criterion.objects.filter(template=made).count() == n + 1

        upload = _upload(data, "thang-diem.xlsx")
        return _post(client, chair, url, {"file": upload}, imported, "template_import")

    # the file read, the template made, its criteria one INSERT a level, its bands, the audit
    _at_sizes(world, "scoring:template_import", measure, 29)


def test_copying_a_template_from_last_year_costs_the_same_with_more_criteria(world, client):
    from scoring.models import Criterion, Template

    chair = world.users["chair"]
    bloc_services.term_set(bloc=world.bloc, year=world.year + 1, head_unit=world.head)
    url = reverse("scoring:template_create", args=[world.bloc.pk, world.year + 1])

    def measure(n):
        def copied(response):
            assert response.status_code == 302, response.content.decode()[:3000]
            made = Template.objects.get(bloc=world.bloc, year=world.year + 1)
            assert Criterion.objects.filter(template=made).count() == n + 1

        return _post(client, chair, url, {"mode": "copy"}, copied, "template_copy")

    _at_sizes(world, "scoring:template_create copy", measure, 19)


def _sheet_url(name: str, world, sub, **more) -> str:
    kwargs = {"bloc_id": world.bloc.pk, "year": world.year, "submission_id": sub.pk}
    return reverse(name, kwargs=kwargs | more)


def test_importing_a_sheet_from_excel_costs_the_same_with_more_criteria(world, client):
    from scoring.models import Entry
    from tests.scoring.conftest import make_round
    from tests.scoring.test_sheet_excel import filled, to_bytes

    user = world.users["unit_a"]
    round = make_round(world)

    def measure(n):
        sub = sheet_services.submission_open(round=round, unit=user.unit, actor=user)
        url = _sheet_url("scoring:sheet_xlsx_import", world, sub)
        data = to_bytes(filled(sub))

        def imported(response):
            assert response.status_code == 302, response.content.decode()[:3000]
            scored = Entry.objects.filter(submission=sub, self_score__isnull=False)
            assert scored.count() == n

        upload = _upload(data, "bang-diem.xlsx")
        return _post(client, user, url, {"file": upload}, imported, "sheet_import")

    # the file read against the sheet's criteria and lines, the changed lines in one UPDATE, the
    # sheet's totals and revision, the audit
    _at_sizes(world, "scoring:sheet_xlsx_import", measure, 21)


# The refused saves show the page again with the message next to the field: the page is the
# template's tree or the sheet's lines, so it is counted at both template sizes.


def test_a_refused_criterion_costs_the_same_with_more_criteria(world, client):
    from scoring.models import Criterion, Template

    chair = world.users["chair"]

    def measure(n):
        tpl = Template.objects.get(bloc=world.bloc, year=world.year)
        url = reverse("scoring:criterion_add", args=[world.bloc.pk, world.year, tpl.pk])
        data = {"revision": tpl.revision, "code": "", "content": "", "kind": "graded"}

        def refused(response):
            assert response.status_code in (200, 400), response.status_code
            assert response.context["form"].errors
            assert Criterion.objects.filter(template=tpl).count() == n + 1

        return _post(client, chair, url, data, refused, "criterion_refused")

    _at_sizes(world, "scoring:criterion_add refused", measure, 9)


def test_a_refused_sheet_line_costs_the_same_with_more_criteria(world, client):
    from scoring.models import Entry
    from tests.scoring.conftest import make_round

    user = world.users["unit_a"]
    round = make_round(world)

    def measure(n):
        sub = sheet_services.submission_open(round=round, unit=user.unit, actor=user)
        line = sub.entries.filter(criterion__kind="graded").first()
        url = _sheet_url("scoring:sheet_line", world, sub, entry_id=line.pk)
        data = {f"l{line.pk}-revision": sub.revision, f"l{line.pk}-value": "999"}

        def refused(response):
            assert response.status_code in (200, 400), response.status_code
            assert "999" in response.content.decode()
            assert not Entry.objects.filter(submission=sub, self_score__isnull=False).exists()

        return _post(client, user, url, data, refused, "sheet_line_refused")

    _at_sizes(world, "scoring:sheet_line refused", measure, 15)


def test_a_refused_review_line_costs_the_same_with_more_criteria(world, client):
    from scoring.models import Review
    from tests.scoring.conftest import make_round

    round = make_round(world)

    def measure(n):
        sub = _submitted(round, world.unit_a, world.users["unit_a"])
        line = sub.entries.filter(criterion__kind="graded").first()
        url = _sheet_url("scoring:review_line", world, sub, entry_id=line.pk)
        data = {f"dong{line.pk}-score": "999", f"dong{line.pk}-comment": "Vượt điểm tối đa"}

        def refused(response):
            assert response.status_code in (200, 400), response.status_code
            assert "999" in response.content.decode()  # the input kept, next to its message
            assert not Review.objects.filter(entry__submission=sub).exists()

        return _post(client, world.users["deputy"], url, data, refused, "review_refused")

    _at_sizes(world, "scoring:review_line refused", measure, 15)
