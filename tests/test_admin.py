"""Django admin never bypasses a service: rows with a state, a register or an audit trail are
list-and-view only; provinces, units and blocs go through their services; every name is
Vietnamese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from blocs.models import AuditEvent, BlocTerm, Membership, Province, Unit
from plans import services as plan_services
from plans.models import (
    LegalBasis,
    Milestone,
    Phase,
    Plan,
    PlanComment,
    Recipient,
    Section,
    SignatureLine,
)
from reports.models import IssuedDocument, NumberRegister, RegisterEntry
from tests.factories import issue_plan
from tests.plans.test_services import ready_plan

READ_ONLY = [
    Plan,
    Section,
    Phase,
    Milestone,
    Recipient,
    SignatureLine,
    LegalBasis,
    PlanComment,
    NumberRegister,
    RegisterEntry,
    IssuedDocument,
    AuditEvent,
    BlocTerm,
    Membership,
]


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def issued(world) -> Plan:
    chair = world.users["chair"]
    plan = ready_plan(world)
    plan_services.plan_approve(plan=plan, actor=chair)
    return issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))


def _row(model, world, plan: Plan):
    """One row of `model` in the world with an issued plan."""
    if model is Plan:
        return plan
    if model is AuditEvent:
        return AuditEvent.objects.first()
    if model is BlocTerm:
        return world.bloc.terms.first()
    if model is Membership:
        return world.bloc.memberships.first()
    if model in {NumberRegister, IssuedDocument, RegisterEntry}:
        return model.objects.first()
    return model.objects.filter(plan=plan).first() or model.objects.first()


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_rows_with_state_or_trail_are_list_and_view_only(client_for, world, issued, model):
    client = client_for("admin")
    assert client.get(_admin_url(model, "changelist")).status_code == 200
    assert client.get(_admin_url(model, "add")).status_code == 403
    row = _row(model, world, issued)
    if row is not None:
        assert client.get(_admin_url(model, "change", row.pk)).status_code == 200  # view
        assert client.post(_admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=row.pk).exists()


def test_admin_cannot_mark_a_plan_issued(client_for, world):
    chair = world.users["chair"]
    plan = ready_plan(world)
    plan_services.plan_approve(plan=plan, actor=chair)
    events = AuditEvent.objects.count()
    response = client_for("admin").post(
        _admin_url(Plan, "change", plan.pk),
        {"status": "issued", "number": "5", "issue_date": "15/01/2026", "title": plan.title},
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert (plan.status, plan.number, plan.issue_date) == ("approved", None, None)
    assert not NumberRegister.objects.exists() and not IssuedDocument.objects.exists()
    assert AuditEvent.objects.count() == events


def test_sections_of_an_issued_plan_cannot_be_edited_in_admin(client_for, world, issued):
    section = issued.sections.first()
    response = client_for("admin").post(
        _admin_url(Section, "change", section.pk),
        {"plan": issued.pk, "order": 1, "label": "I.", "title": "SỬA LÉN", "content": "x"},
    )
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.title != "SỬA LÉN"


def test_audit_log_cannot_be_added_to_or_changed(client_for, world):
    client = client_for("admin")
    event = AuditEvent.objects.first()
    before = AuditEvent.objects.count()
    assert client.post(_admin_url(AuditEvent, "add"), {"action": "x"}).status_code == 403
    response = client.post(_admin_url(AuditEvent, "change", event.pk), {"action": "sửa"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action != "sửa" and AuditEvent.objects.count() == before
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, event)
    assert not model_admin.has_delete_permission(None, event)


def test_a_province_added_in_admin_goes_through_the_service(client_for, world):
    response = client_for("admin").post(
        _admin_url(Province, "add"), {"name": "Tỉnh Mới", "reviewer_label": "Ban TĐKT"}
    )
    assert response.status_code == 302
    province = Province.objects.get(name="Tỉnh Mới")
    event = AuditEvent.objects.get(action="province.create", object_id=str(province.pk))
    assert event.actor == world.users["admin"]


def test_a_duplicate_province_in_admin_gets_a_vietnamese_message(client_for, world):
    response = client_for("admin").post(
        _admin_url(Province, "add"), {"name": world.province.name, "reviewer_label": "Ban"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "Tên tỉnh này đã được dùng, hãy nhập giá trị khác."
    ]


def test_a_unit_changed_in_admin_is_validated_and_audited(client_for, world):
    unit = world.unit_b
    data = {
        "province": unit.province_id,
        "name": "Sở Mới Đổi Tên",
        "short_name": "",
        "symbol": "SMĐT",
        "kind": unit.kind,
    }
    response = client_for("admin").post(_admin_url(Unit, "change", unit.pk), data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="unit.update", object_id=str(unit.pk))
    assert event.data["name"]["new"] == "Sở Mới Đổi Tên" and "kind" not in event.data
    bad = {**data, "valid_from": "01/07/2026", "valid_to": "01/01/2026"}
    response = client_for("admin").post(_admin_url(Unit, "change", unit.pk), bad)
    assert response.status_code == 200
    assert "Ngày kết thúc phải sau ngày bắt đầu" in response.content.decode()


ENGLISH = [
    "Provinces",
    "Units",
    "Blocs",
    "Plans",
    "Sections",
    "Phases",
    "Milestones",
    "Recipients",
    "Legal bases",
    "Signature lines",
    "Plan comments",
    "Format profiles",
    "Number registers",
    "Register entries",
    "Issued documents",
    "Audit events",
    "Bloc terms",
    "Memberships",
    "Groups",
    "Users",
    ">Blocs<",
    ">Reports<",
]


def test_admin_index_has_no_english_model_or_app_names(client_for, world):
    html = client_for("admin").get(reverse("admin:index")).content.decode()
    assert [word for word in ENGLISH if word in html] == []
    for model in admin.site._registry:
        name = str(model._meta.verbose_name_plural)
        assert not name.isascii(), f"{model.__name__}: {name}"
        assert name[0].upper() + name[1:] in html
