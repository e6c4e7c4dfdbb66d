"""Vietnamese everywhere the user reads: our wording for Django's stock messages (locale/vi), and
a Vietnamese label on every field of every model, so no "Province" or "Parent" shows."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse

from plans.forms import CommentForm, MilestoneForm, PhaseForm, PlanHeaderForm
from reports.forms import IssueForm

APPS = ("blocs", "plans", "reports", "scoring")


@pytest.mark.parametrize(
    "form, field, message",
    [
        (
            MilestoneForm({"kind": "binh_xet", "due_month": "13"}, year=2026),
            "due_month",
            "Giá trị không được lớn hơn 12.",
        ),
        (
            MilestoneForm({"kind": "binh_xet", "due_year": "1999"}, year=2026),
            "due_year",
            "Giá trị không được nhỏ hơn 2000.",
        ),
        (
            PhaseForm({"seq": "một", "name": "Đợt 1"}, year=2026),
            "seq",
            "Hãy nhập một số nguyên, ví dụ 12.",
        ),
        (
            PhaseForm({"seq": "1", "name": "Đợt 1", "start": "30/02/2026"}, year=2026),
            "start",
            "Ngày không hợp lệ",
        ),
        (
            CommentForm({"text": "x" * 5001}),
            "text",
            "Nội dung dài tối đa 5000 ký tự (hiện có 5001 ký tự).",
        ),
        (CommentForm({"text": ""}), "text", "Thông tin này là bắt buộc, không được để trống."),
        (
            MilestoneForm({"kind": "sao_hoa"}, year=2026),
            "kind",
            "“sao_hoa” không có trong danh sách để chọn.",
        ),
        (IssueForm({"issue_date": ""}), "issue_date", "Hãy nhập ngày ban hành."),
        (
            IssueForm({"issue_date": "1/1/2026", "number": "1,5"}),
            "number",
            "Số văn bản phải là số nguyên",
        ),
    ],
)
def test_stock_messages_read_as_proper_vietnamese(db, form, field, message):
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_plan_header_form_names_the_field_in_vietnamese(db):
    form = PlanHeaderForm({"doc_type": "K" * 11, "title": ""})
    assert not form.is_valid()
    assert form.errors["doc_type"] == ["Nội dung dài tối đa 10 ký tự (hiện có 11 ký tự)."]
    assert form.fields["format_profile"].label == "Thể thức"


def test_a_duplicate_province_reads_well(client_for, world):
    response = client_for("admin").post(
        reverse("blocs:province_create"), {"name": world.province.name, "reviewer_label": "Ban"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tên tỉnh này đã được dùng, hãy nhập giá trị khác." in html
    assert "đã tồn tại" not in html and "Tên tỉnh" in html


def test_a_duplicate_unit_reads_well(client_for, world):
    data = {"province": world.province.pk, "name": world.unit_a.name, "kind": "so_nganh"}
    html = client_for("admin").post(reverse("blocs:unit_create"), data).content.decode()
    assert "Tỉnh này đã có đơn vị cùng tên." in html


@pytest.mark.parametrize(
    "name", ["blocs:unit_create", "blocs:bloc_create", "blocs:province_create"]
)
def test_forms_show_no_english_label(client_for, world, name):
    html = client_for("admin").get(reverse(name)).content.decode()
    for word in ("Province", "Parent", "Successor", "Kind", "Level", "Symbol", "Name"):
        assert f">{word}" not in html, word


def test_every_model_field_has_a_vietnamese_label():
    missing = [
        f"{model.__name__}.{field.name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if not field.auto_created
        and str(getattr(field, "verbose_name", "")) == field.name.replace("_", " ")
    ]
    assert missing == []


def test_every_model_and_app_has_a_vietnamese_name():
    for app in APPS:
        config = apps.get_app_config(app)
        assert not str(config.verbose_name).isascii(), app
        for model in config.get_models():
            assert not str(model._meta.verbose_name).isascii(), model.__name__


def test_an_english_browser_still_gets_the_vietnamese_ui(client_for, world):
    """The UI is Vietnamese whatever the browser asks for (no English "Delete" in the editors)."""
    from tests.plans.test_services import ready_plan

    plan = ready_plan(world)
    client = client_for("chair")
    url = f"/khoi/{world.bloc.pk}/{world.year}/ke-hoach/{plan.pk}/tien-do/"
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    labels = re.findall(r"<label[^>]*>\s*([^<]*?)\s*<", body)
    assert "Xóa" in labels and "Delete" not in labels
