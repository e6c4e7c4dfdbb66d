"""A fault in the middle of a multi-row write leaves nothing behind, then the same action
succeeds: an exception is injected (unittest.mock) into an inner step of the bloc-year import,
of issuing a plan, of adopting the ranking (its minutes issued) and of a sheet uploaded from
Excel, after some rows were written. Afterwards the database and the private files equal the
snapshot taken before (tests/security/harness.py): no half-written rows, no document number
consumed, no audit event. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import io
from contextlib import contextmanager
from pkgutil import resolve_name
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse

from blocs.exchange import dumps, export_bloc_year
from blocs.models import AuditEvent, Bloc
from reports.models import IssuedDocument, RegisterEntry
from tests.security.harness import changed, snapshot
from tests.security.invariants import sheet_is_whole


class Fault(Exception):
    """The injected failure (a crash the code does not expect: a bug, a lost worker)."""


@contextmanager
def fault(target: str, *, on_call: int = 1, exc: Exception | None = None):
    """`target` (module.attr or module.Class.method) raises on its `on_call`-th call; earlier
    calls run the real code, so rows are written before the fault. Fails the test if the fault
    never fired (the step is not on the path any more)."""
    module, _, attr = target.rpartition(".")
    owner = resolve_name(module)
    real = getattr(owner, attr)
    calls = {"n": 0}

    def maybe_fail(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= on_call:
            raise exc or Fault(f"panne giả lập trong {attr}")
        return real(*args, **kwargs)

    with mock.patch.object(owner, attr, autospec=True, side_effect=maybe_fail):
        yield
    assert calls["n"] >= on_call, f"{target} was called {calls['n']} times, not {on_call}"


def assert_nothing_left(before: dict, audits: int) -> None:
    diff = changed(before, snapshot())
    assert not diff, f"the failed action left rows behind in {diff}"
    assert AuditEvent.objects.count() == audits


# ---------------------------------------------------------------- (a) the bloc-year import


@pytest.fixture
def year_file(world, tmp_path):
    from tests.security.test_hostile_imports import rich_year

    rich_year(world)
    data = export_bloc_year(world.bloc, world.year)
    data["bloc"]["name"] += " (bản chuyển đến)"
    path = tmp_path / "nam.json"
    path.write_text(dumps(data), encoding="utf-8")
    return path, data


@pytest.mark.parametrize(
    "target, on_call, exc",
    [
        ("plans.exchange.PlansSection.load", 1, None),  # the term and memberships written
        ("scoring.exchange_sheets.SheetsSection.load", 1, None),  # plans, template, rounds
        ("blocs.exchange._load_audit", 1, None),  # every section written
        ("blocs.audit.record", 1, None),  # the import's own event, the last write
        ("scoring.exchange_sheets.SheetsSection.load", 1, DatabaseError("máy chủ CSDL mất kết nối")),
    ],
)  # fmt: skip
def test_a_fault_in_the_bloc_year_import_keeps_nothing(target, on_call, exc, year_file):
    path, data = year_file
    before, audits = snapshot(), AuditEvent.objects.count()
    with fault(target, on_call=on_call, exc=exc):
        with pytest.raises(Fault if exc is None else CommandError):
            call_command("import_year", str(path), stdout=io.StringIO())
    assert_nothing_left(before, audits)
    assert not Bloc.objects.filter(name=data["bloc"]["name"]).exists()
    out = io.StringIO()
    call_command("import_year", str(path), stdout=out)  # the same file, without the fault
    bloc = Bloc.objects.get(name=data["bloc"]["name"])
    again = export_bloc_year(bloc, data["year"])
    assert len(again["plans"]) == len(data["plans"]) == 1
    assert len(again["submissions"]) == len(data["submissions"]) == 4
    assert AuditEvent.objects.filter(action="bloc_year.import", bloc=bloc).count() == 1


# ---------------------------------------------------------------- (b) issuing a plan


@pytest.fixture
def approved_plan(world):
    from plans import services as plan_services
    from tests.plans.test_services import ready_plan

    return plan_services.plan_approve(plan=ready_plan(world), actor=world.users["chair"])


ISSUE_FAULTS = [
    ("reports.registers.take_number", 1),  # before anything: the number register is read
    ("reports.services._freeze", 1),  # the number taken, the plan ISSUED
    ("reports.services.html_to_pdf", 1),  # the PDF renderer crashes
    ("reports.registers.record_entry", 1),  # the document frozen and saved
    ("blocs.audit.record", 2),  # the plan's transition audited, not the document's issue
]


@pytest.mark.parametrize("target, on_call", ISSUE_FAULTS)
def test_a_fault_while_issuing_a_plan_consumes_no_number(
    target, on_call, world, approved_plan, hostile_client, client_for
):
    from plans.models import Plan

    url = reverse("reports:plan_issue", args=(world.bloc.pk, world.year, approved_plan.pk))
    hostile_client.force_login(world.users["chair"])
    before, audits = snapshot(), AuditEvent.objects.count()
    with fault(target, on_call=on_call):
        response = hostile_client.post(url, {"issue_date": "20/01/2026"})
    assert response.status_code == 500
    assert_nothing_left(before, audits)
    assert Plan.objects.get(pk=approved_plan.pk).status == Plan.Status.APPROVED
    response = client_for("chair").post(url, {"issue_date": "20/01/2026"})
    assert response.status_code == 302
    plan = Plan.objects.get(pk=approved_plan.pk)
    assert (plan.status, plan.number) == (Plan.Status.ISSUED, 1)  # number 1 was not lost
    assert RegisterEntry.objects.get().number == 1
    assert bytes(IssuedDocument.objects.get(plan=plan).pdf[:5]) == b"%PDF-"
    assert AuditEvent.objects.filter(action="document.issue").count() == 1


# ---------------------------------------------------------------- (c) adopting the ranking


@pytest.fixture
def voted_ranking(world, client_for):
    """Three final sheets, the ranking computed, the meeting recorded and the vote 4/4, through
    the pages: ready to adopt."""
    from tests.scoring.conftest import make_round, make_template
    from tests.scoring.ranking_data import ranked_world

    make_template(world.bloc, world.year, world.users["chair"])
    ranked_world(world, make_round(world), {"unit_a": "15", "unit_b": "14", "chair": "13"})
    client = client_for("chair")

    def url(name):
        return reverse(f"scoring:{name}", args=(world.bloc.pk, world.year))

    units = [world.head.pk, world.deputy_unit.pk, world.unit_a.pk, world.unit_b.pk]
    meeting = {"date": "20/12/2026", "place": "Hội trường", "chair": "Đại tá A", "secretary": "B"}
    assert client.post(url("ranking_compute")).status_code == 302
    assert client.post(url("meeting"), {**meeting, "attending": units}).status_code == 302
    votes = {"vote_total": "4", "vote_for": "4", "vote_against": "0"}
    assert client.post(url("ranking_vote"), votes).status_code == 302
    return url("ranking_adopt")


ADOPT_FAULTS = [
    ("scoring.services.ranking._log", 1),  # the ranking's status written, not yet audited
    ("reports.services.issue_document", 1),  # the ranking adopted and audited
    ("reports.services._freeze", 1),  # the minutes numbered 01/BB
    ("reports.registers.record_entry", 1),  # the minutes frozen and saved
]


@pytest.mark.parametrize("target, on_call", ADOPT_FAULTS)
def test_a_fault_while_adopting_the_ranking_leaves_it_computed(
    target, on_call, world, voted_ranking, hostile_client, client_for
):
    from scoring.models import Ranking

    hostile_client.force_login(world.users["chair"])
    before, audits = snapshot(), AuditEvent.objects.count()
    with fault(target, on_call=on_call):
        response = hostile_client.post(voted_ranking, {})
    assert response.status_code == 500
    assert_nothing_left(before, audits)
    assert Ranking.objects.get().status == Ranking.Status.COMPUTED
    assert client_for("chair").post(voted_ranking, {}).status_code == 302
    assert Ranking.objects.get().status == Ranking.Status.ADOPTED
    minutes = IssuedDocument.objects.get(kind="bien_ban")
    assert minutes.number_text == "Số: 01/BB-KTĐNC"  # number 1 was not lost
    assert AuditEvent.objects.filter(action="ranking.adopt").count() == 1


# ---------------------------------------------------------------- (d) a sheet from Excel


@pytest.fixture
def sheet_upload(world):
    from scoring.services import sheets as sheet_services
    from tests.scoring.conftest import make_round, make_template
    from tests.scoring.test_sheet_excel import filled, to_bytes

    make_template(world.bloc, world.year, world.users["chair"])
    user = world.users["unit_a"]
    sub = sheet_services.submission_open(round=make_round(world), unit=user.unit, actor=user)
    url = reverse("scoring:sheet_xlsx_import", args=(world.bloc.pk, world.year, sub.pk))
    return sub, url, to_bytes(filled(sub))


SHEET_FAULTS = [
    ("scoring.services.sheets._line_change", 5),  # four lines changed, none written yet
    ("blocs.audit.record_many", 1),  # every line written, their audit rows not yet
    ("scoring.sheets.refresh_totals", 1),  # every line written, the totals not yet
    ("scoring.services.sheets._after_lines", 1),
]


@pytest.mark.parametrize("target, on_call", SHEET_FAULTS)
def test_a_fault_while_saving_an_uploaded_sheet_keeps_no_line(
    target, on_call, world, sheet_upload, hostile_client, client_for
):
    from tests.security.strategies import upload

    sub, url, data = sheet_upload
    hostile_client.force_login(world.users["unit_a"])
    before, audits = snapshot(), AuditEvent.objects.count()
    with fault(target, on_call=on_call):
        response = hostile_client.post(url, {"file": upload("bang-tu-cham.xlsx", data)})
    assert response.status_code == 500
    assert_nothing_left(before, audits)
    assert not sub.entries.exclude(self_score=None).exists()
    response = client_for("unit_a").post(url, {"file": upload("bang-tu-cham.xlsx", data)})
    assert response.status_code == 302
    assert not sub.entries.filter(self_score=None).exists()
    sheet_is_whole(sub)
    assert sub.self_total > 0
    lines = AuditEvent.objects.filter(action="sheet.line", object_id=str(sub.pk)).count()
    assert lines == sub.entries.count()


def test_the_fault_helper_fails_when_the_step_is_not_on_the_path(world):
    with pytest.raises(AssertionError, match="was called 0 times"):
        with fault("reports.services._freeze"):
            pass
