"""Documents off the hot path: a draft's PDF is rendered once per content, and serving frozen
documents (views, render_document) never imports WeasyPrint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from plans import services
from reports import pdf
from tests.plans.test_services import ready_plan

ROOT = Path(__file__).resolve().parents[2]


def test_an_unchanged_draft_is_rendered_once_and_a_changed_one_again(
    client_for, world, monkeypatch
):
    renders = []
    real = pdf.write_pdf
    monkeypatch.setattr(pdf, "write_pdf", lambda html: renders.append(1) or real(html))
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
