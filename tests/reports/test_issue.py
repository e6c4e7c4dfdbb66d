"""issue_document: one call numbers the plan from its issuer's register (per year for state
bodies, per Party term), issues it, freezes its document and audits; a failure leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from blocs.models import AuditEvent, User
from plans.models import Plan
from reports import services
from reports.models import IssuedDocument, NumberRegister, RegisterEntry
from reports.registers import period_for, term_label
from tests.reports.plan_data import make_bloc, make_plan

D = dt.date
APPROVED = Plan.Status.APPROVED


@pytest.fixture
def clerk(db) -> User:
    return User.objects.create_user(username="vanthu", password="matkhau-123")


@pytest.fixture
def state_bloc(db):
    return make_bloc(False)


@pytest.fixture
def party_bloc(db):
    return make_bloc(True)


def approved(bloc, year: int, *, party: bool = False, **fields) -> Plan:
    return make_plan(bloc=bloc, party=party, year=year, status=APPROVED, **fields)


def issue(plan: Plan, actor, day: dt.date, number: int | None = None) -> Plan:
    services.issue_document(kind="plan", subject=plan, actor=actor, issue_date=day, number=number)
    return Plan.objects.get(pk=plan.pk)


def test_term_label_follows_the_configured_party_terms(settings):
    assert [term_label(y) for y in (2019, 2020, 2024, 2025)] == [
        "2015-2020",
        "2020-2025",
        "2020-2025",
        "2025-2030",
    ]
    settings.PARTY_TERM_FIRST_YEAR = 2021
    assert term_label(2021) == "2021-2026" and term_label(2026) == "2026-2031"
    assert period_for(per_term=False, on=D(2024, 5, 1)) == "2024"


def test_state_plans_of_different_years_may_both_be_number_01(state_bloc, clerk):
    first = issue(approved(state_bloc, 2026), clerk, D(2026, 1, 15))
    second = issue(approved(state_bloc, 2027), clerk, D(2027, 1, 10))
    assert (first.number, second.number) == (1, 1)
    periods = NumberRegister.objects.filter(bloc=state_bloc).values_list("period", flat=True)
    assert sorted(periods) == ["2026", "2027"]


def test_state_plans_of_one_year_follow_each_other(state_bloc, clerk):
    issue(approved(state_bloc, 2026), clerk, D(2026, 1, 15))
    assert issue(approved(state_bloc, 2026), clerk, D(2026, 2, 1)).number == 2


def test_party_plans_of_2023_and_2024_in_one_term_get_01_and_02(party_bloc, clerk):
    first = issue(approved(party_bloc, 2023, party=True), clerk, D(2023, 4, 7))
    second = issue(approved(party_bloc, 2024, party=True), clerk, D(2024, 3, 1))
    assert (first.number, second.number) == (1, 2)
    register = NumberRegister.objects.get(bloc=party_bloc)
    assert (register.period, register.last_number) == ("2020-2025", 2)
    doc = IssuedDocument.objects.get(plan=second)
    assert doc.number_text.startswith("Số 02-KH/")


def test_a_new_party_term_starts_again_at_01(party_bloc, clerk):
    issue(approved(party_bloc, 2024, party=True), clerk, D(2024, 3, 1))
    assert issue(approved(party_bloc, 2025, party=True), clerk, D(2025, 11, 1)).number == 1


def test_a_party_number_given_twice_in_one_term_is_refused_across_years(party_bloc, clerk):
    issue(approved(party_bloc, 2023, party=True), clerk, D(2023, 4, 7), number=5)
    later = approved(party_bloc, 2024, party=True)
    with pytest.raises(ValidationError) as caught:
        issue(later, clerk, D(2024, 3, 1), number=5)
    message = caught.value.message_dict["number"][0]
    assert "Số 05 đã được cấp" in message and "nhiệm kỳ 2020-2025" in message
    assert "(06)" in message  # the number to use instead
    later.refresh_from_db()
    assert later.status == APPROVED and later.number is None


def test_a_given_free_number_is_used_and_the_next_one_follows_the_highest(state_bloc, clerk):
    assert issue(approved(state_bloc, 2026), clerk, D(2026, 1, 15), number=11).number == 11
    assert issue(approved(state_bloc, 2026), clerk, D(2026, 1, 16), number=4).number == 4
    assert issue(approved(state_bloc, 2026), clerk, D(2026, 1, 17)).number == 12
    numbers = RegisterEntry.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [4, 11, 12]
    assert all(e.document is not None for e in RegisterEntry.objects.all())


def test_a_failing_renderer_leaves_nothing_behind(state_bloc, clerk, monkeypatch):
    old = issue(approved(state_bloc, 2026), clerk, D(2026, 1, 15))
    amendment = approved(state_bloc, 2026, replaces=old, version=2)
    events = AuditEvent.objects.count()

    def broken(html: str) -> bytes:
        raise RuntimeError("WeasyPrint hỏng")

    monkeypatch.setattr(services, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        issue(amendment, clerk, D(2026, 3, 1))
    amendment.refresh_from_db()
    old.refresh_from_db()
    assert (amendment.status, amendment.number, amendment.issue_date) == (APPROVED, None, None)
    assert old.status == Plan.Status.ISSUED  # not superseded by an amendment never issued
    assert NumberRegister.objects.get(bloc=state_bloc).last_number == 1
    assert RegisterEntry.objects.count() == 1 and IssuedDocument.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_issuing_rechecks_that_the_plan_is_complete(state_bloc, clerk):
    plan = approved(state_bloc, 2026)
    plan.recipients.all().delete()
    with pytest.raises(ValidationError, match="còn thiếu: nơi nhận"):
        issue(plan, clerk, D(2026, 1, 15))
    assert not NumberRegister.objects.exists()


@pytest.mark.parametrize("day", [D(2025, 9, 30), D(2028, 1, 1)])
def test_an_issue_date_far_from_the_plan_year_is_refused(state_bloc, clerk, day):
    with pytest.raises(ValidationError) as caught:
        issue(approved(state_bloc, 2026), clerk, day)
    assert caught.value.message_dict["issue_date"] == [
        "Ngày ban hành kế hoạch năm 2026 phải từ 01/10/2025 đến 31/12/2027."
    ]


def test_the_register_is_that_of_the_issue_date_year(state_bloc, clerk):
    """A plan for 2027 issued on 20/12/2026 is registered in the 2026 book (NĐ 30, Phụ lục I)."""
    issue(approved(state_bloc, 2026), clerk, D(2026, 3, 1))
    early = issue(approved(state_bloc, 2027), clerk, D(2026, 12, 20))
    assert early.number == 2
    assert RegisterEntry.objects.get(number=2).register.period == "2026"
