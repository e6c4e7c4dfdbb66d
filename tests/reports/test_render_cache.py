"""Documents off the hot path: a draft's PDF is rendered once per content, serving frozen
documents (views, render_document) never imports WeasyPrint nor queues a print, and one
FontConfiguration serves every render of a process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans import services
from plans.models import Plan
from reports import pdf
from reports.models import RenderJob
from reports.services import issue_document
from tests.plans.test_services import ready_plan
from tests.reports.plan_data import make_plan

ROOT = Path(__file__).resolve().parents[2]


def test_an_unchanged_draft_is_rendered_once_and_a_changed_one_again(
    client_for, world, monkeypatch
):
    renders = []
    real = pdf.write_pdf
    monkeypatch.setattr(pdf, "write_pdf", lambda html, **kw: renders.append(1) or real(html, **kw))
    plan = ready_plan(world)
    url = reverse("reports:plan_document", args=(world.bloc.pk, world.year, plan.pk, "pdf"))
    client = client_for("chair")
    first, second = client.get(url), client.get(url)
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(renders) == 1
    services.plan_update(plan=plan, actor=None, title="Tiêu đề mới của dự thảo")
    third = client.get(url)
    assert len(renders) == 2 and third.content != first.content


def test_serving_documents_does_not_import_weasyprint():
    code = (
        "import django, sys; django.setup();"
        "import reports.services, reports.views, reports.management.commands.render_document;"
        "sys.exit(1 if 'weasyprint' in sys.modules else 0)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "thiduakhenthuong.settings", "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr or "weasyprint was imported"


class _NoWeasyPrint:
    """An import hook that refuses WeasyPrint (and our module that wraps it)."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "weasyprint" or name == "reports.pdf":
            raise ImportError(f"{name} imported while serving a frozen document")
        return None


@pytest.fixture
def without_weasyprint(monkeypatch):
    import reports

    for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint" or m == "reports.pdf"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(reports, "pdf", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoWeasyPrint(), *sys.meta_path])


def test_an_issued_plan_is_served_from_its_frozen_bytes_without_weasyprint_and_no_job(
    world, client_for, settings, tmp_path, request
):
    plan = make_plan(status=Plan.Status.APPROVED, year=2027)
    frozen = issue_document(kind="plan", subject=plan, actor=None, issue_date=dt.date(2027, 1, 8))
    settings.RENDER_INLINE_MAX_SECONDS = 0  # even when every draft would be queued
    request.getfixturevalue("without_weasyprint")
    out = tmp_path / "kh.pdf"
    call_command("render_document", "plan", str(plan.pk), "-o", str(out))
    assert out.read_bytes() == bytes(frozen.pdf)
    url = reverse(
        "reports:plan_document",
        args=(plan.bloc_id, plan.year, plan.pk, "pdf"),
    )
    response = client_for("admin").get(url)
    assert response.status_code == 200 and response.content == bytes(frozen.pdf)
    assert not RenderJob.objects.exists()
    assert "weasyprint" not in sys.modules


def test_one_font_configuration_serves_every_render_of_a_process(monkeypatch):
    from reports.render import html_to_pdf

    built = []
    real = pdf.FontConfiguration
    monkeypatch.setattr(pdf, "FontConfiguration", lambda: built.append(1) or real())
    pdf.font_config.cache_clear()
    try:
        first = html_to_pdf("<p>Văn bản thứ nhất</p>")
        second = html_to_pdf("<p>Văn bản thứ hai</p>")
    finally:
        pdf.font_config.cache_clear()
    assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-") and built == [1]
