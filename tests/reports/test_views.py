"""The issue page: the form keeps the user's input on error and names the field; success issues
and freezes in one go."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from plans import services as plan_services
from plans.models import Plan
from reports.models import IssuedDocument
from tests.factories import issue_plan
from tests.plans.test_services import ready_plan


def _approved(world) -> Plan:
    plan = ready_plan(world)
    return plan_services.plan_approve(plan=plan, actor=world.users["chair"])


def _url(world, plan: Plan) -> str:
    return reverse("reports:plan_issue", args=[world.bloc.pk, world.year, plan.pk])


def test_issue_page_shows_the_form_and_the_date_window(client_for, world):
    plan = _approved(world)
    html = client_for("chair").get(_url(world, plan)).content.decode()
    assert 'name="issue_date"' in html and 'name="number"' in html
    assert "phải từ 01/10/2025 đến 31/12/2027" in html


def test_issue_page_issues_freezes_and_goes_back_to_the_plan(client_for, world):
    plan = _approved(world)
    response = client_for("chair").post(_url(world, plan), {"issue_date": "15/01/2026"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.number, plan.issue_date) == ("issued", 1, dt.date(2026, 1, 15))
    assert IssuedDocument.objects.filter(plan=plan).exists()


def test_a_bad_date_comes_back_with_the_input_and_the_message_next_to_it(client_for, world):
    plan = _approved(world)
    response = client_for("chair").post(
        _url(world, plan), {"issue_date": "31/02/2026", "number": "7"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["issue_date"] == [
        "Ngày ban hành không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."
    ]
    html = response.content.decode()
    assert 'value="31/02/2026"' in html and 'value="7"' in html
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_a_date_outside_the_window_is_named_on_the_date_field(client_for, world):
    plan = _approved(world)
    response = client_for("chair").post(_url(world, plan), {"issue_date": "15/01/2020"})
    assert "phải từ 01/10/2025" in " ".join(response.context["form"].errors["issue_date"])
    assert 'value="15/01/2020"' in response.content.decode()


def test_a_taken_number_is_named_on_the_number_field(client_for, world):
    chair = world.users["chair"]
    issue_plan(plan=_approved(world), actor=chair, issue_date=dt.date(2026, 1, 15), number=3)
    plan = _approved(world)
    response = client_for("chair").post(
        _url(world, plan), {"issue_date": "16/01/2026", "number": "3"}
    )
    errors = response.context["form"].errors["number"]
    assert "Số 03 đã được cấp trong sổ đăng ký KH năm 2026" in errors[0]
    assert 'value="3"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.number is None


def test_a_number_out_of_range_is_refused_in_vietnamese(client_for, world):
    plan = _approved(world)
    response = client_for("chair").post(
        _url(world, plan), {"issue_date": "16/01/2026", "number": "0"}
    )
    assert response.context["form"].errors["number"] == ["Số văn bản phải lớn hơn 0."]


def test_a_draft_cannot_be_issued_from_the_page(client_for, world):
    plan = ready_plan(world)
    response = client_for("chair").post(_url(world, plan), {"issue_date": "15/01/2026"})
    assert "Chỉ kế hoạch đã duyệt mới được ban hành." in response.content.decode()
    assert not IssuedDocument.objects.exists()


def test_deputy_cannot_issue(client_for, world):
    plan = _approved(world)
    response = client_for("deputy").post(_url(world, plan), {"issue_date": "15/01/2026"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "approved"
