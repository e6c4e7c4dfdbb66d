"""Render a document to a file: `manage.py render_document plan 12 --format pdf -o kh.pdf`.

An issued plan gives its frozen bytes; a draft renders live (as the download view does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Plan
from reports.services import CONTENT_TYPES, plan_document


class Command(BaseCommand):
    help = "Render a document (kind 'plan') as PDF, DOCX or HTML into a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["plan"])
        parser.add_argument("id", type=int)
        parser.add_argument("--format", dest="fmt", choices=sorted(CONTENT_TYPES), default="pdf")
        parser.add_argument("-o", "--output", help="file to write (default: the văn thư filename)")

    def handle(
        self, *args: Any, kind: str, id: int, fmt: str, output: str | None, **options: Any
    ) -> None:
        plan = Plan.objects.filter(pk=id).first()
        if plan is None:
            raise CommandError(f"No plan with id {id}.")
        body, filename, _content_type = plan_document(plan=plan, fmt=fmt)
        path = Path(output or filename)
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
