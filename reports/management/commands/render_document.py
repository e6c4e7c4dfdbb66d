"""Render a document to a file: `manage.py render_document plan 12 --format pdf -o kh.pdf`.

Kinds: `plan` (a plan's id), `sheet` (a submission's id: the unit's BẢNG TỰ CHẤM ĐIỂM THI ĐUA),
`bao_cao` (a reporting round's id: the bloc's compiled BÁO CÁO of the round). An issued document
gives its frozen bytes; a draft renders live (as the download views do)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Plan
from reports.services import CONTENT_TYPES, compiled_document, plan_document
from reports.sheet_documents import sheet_document
from scoring.models import Round, Submission


def _plan(pk: int, fmt: str) -> Any:
    plan = Plan.objects.filter(pk=pk).first()
    return plan and plan_document(plan=plan, fmt=fmt)


def _sheet(pk: int, fmt: str) -> Any:
    sub = Submission.objects.filter(pk=pk, template__isnull=False).first()
    return sub and sheet_document(sub, fmt)


def _bao_cao(pk: int, fmt: str) -> Any:
    round = Round.objects.filter(pk=pk).first()
    return round and compiled_document(round, fmt)


KINDS: dict[str, tuple[Callable[[int, str], Any], str]] = {
    "plan": (_plan, "plan"),
    "sheet": (_sheet, "submission with a self-scoring sheet"),
    "bao_cao": (_bao_cao, "reporting round"),
}


class Command(BaseCommand):
    help = "Render a document (plan, sheet, bao_cao) as PDF, DOCX or HTML into a file."
    # Serving stored bytes should start fast: the system checks import every view (0.5 s).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("id", type=int)
        parser.add_argument("--format", dest="fmt", choices=sorted(CONTENT_TYPES), default="pdf")
        parser.add_argument("-o", "--output", help="file to write (default: the văn thư filename)")

    def handle(
        self, *args: Any, kind: str, id: int, fmt: str, output: str | None, **options: Any
    ) -> None:
        render, label = KINDS[kind]
        result = render(id, fmt)
        if not result:
            raise CommandError(f"No {label} with id {id}.")
        body, filename, _content_type = result
        path = Path(output or filename)
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
