"""Plain factory helpers: build rows through the services, so test data obeys the rules."""

from __future__ import annotations

import datetime as dt
import itertools

from blocs import services as bloc_services
from blocs.models import AuditEvent, Bloc, BlocTerm, Membership, Province, Unit, User
from plans.models import Plan
from reports.models import IssuedDocument, NumberRegister, RegisterEntry

_seq = itertools.count(1)


def make_province(name: str | None = None) -> Province:
    return bloc_services.province_create(name=name or f"Tỉnh Thử {next(_seq)}")


def make_unit(province: Province, name: str | None = None, **fields) -> Unit:
    return bloc_services.unit_create(
        province=province, name=name or f"Sở Thử {next(_seq)}", **fields
    )


def make_bloc(province: Province, name: str | None = None, **fields) -> Bloc:
    fields.setdefault("symbol", "KTĐ")
    return bloc_services.bloc_create(
        province=province, name=name or f"Khối thi đua {next(_seq)}", **fields
    )


def make_user(username: str, unit: Unit | None = None, **fields) -> User:
    user = User.objects.create_user(username=username, password="matkhau-123", unit=unit, **fields)
    return user


def make_bloc_world(*, units: int = 5, year: int = 2026, province: Province | None = None):
    """A bloc with `units` member units since 01/01 of the previous year and a term for `year`."""
    province = province or make_province()
    bloc = make_bloc(province)
    members = [make_unit(province) for _ in range(units)]
    for unit in members:
        bloc_services.membership_add(bloc=bloc, unit=unit, joined_on=dt.date(year - 1, 1, 1))
    term = bloc_services.term_set(
        bloc=bloc, year=year, head_unit=members[0], deputy_units=members[1:2], basis="QĐ thử"
    )
    return bloc, members, term


def wipe_bloc_rows() -> None:
    """Delete every row the fixture made, children first (the format profiles stay)."""
    from reports.models import CompiledReport
    from scoring.models import (
        ComplianceFlag,
        CrossAssignment,
        Dossier,
        Meeting,
        Proposal,
        ProvinceRules,
        Ranking,
        Registration,
        ReviewSetup,
        Round,
        SigningMeeting,
        Submission,
        Template,
        YearRules,
    )

    AuditEvent.objects.all().delete()
    Submission.objects.all().delete()  # lines, reviews and file rows with it (files stay)
    CrossAssignment.objects.all().delete()
    ReviewSetup.objects.all().delete()
    RegisterEntry.objects.all().delete()
    NumberRegister.objects.all().delete()
    IssuedDocument.objects.update(supersedes=None)
    IssuedDocument.objects.all().delete()
    CompiledReport.objects.all().delete()
    Dossier.objects.all().delete()
    Proposal.objects.all().delete()
    Ranking.objects.all().delete()
    for model in (Meeting, ComplianceFlag, YearRules, ProvinceRules, Submission):
        model.objects.all().delete()
    SigningMeeting.objects.all().delete()
    Registration.objects.all().delete()
    Template.objects.all().delete()
    Round.objects.all().delete()
    Plan.objects.update(replaces=None)
    Plan.objects.all().delete()
    Membership.objects.all().delete()
    BlocTerm.objects.all().delete()
    Bloc.objects.all().delete()
    User.objects.all().delete()
    Unit.objects.update(parent=None, successor=None)
    Unit.objects.all().delete()
    Province.objects.all().delete()


def issue_plan(*, plan: Plan, actor, issue_date: dt.date, number: int | None = None) -> Plan:
    """Issue through the one service that numbers, transitions and freezes; the plan reloaded."""
    from reports.services import issue_document

    issue_document(kind="plan", subject=plan, actor=actor, issue_date=issue_date, number=number)
    return Plan.objects.get(pk=plan.pk)


def replaced(data, path: tuple, value):
    """A deep copy of `data` (a bloc-year file) with the item at `path` set to `value`."""
    import copy

    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out
