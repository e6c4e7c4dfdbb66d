"""python manage.py template_example [-o docs/template-example.xlsx] — the example file of
docs/template-excel.md (the synthetic 100-point sheet), regenerated from scoring.samples."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from scoring import excel

DEFAULT = Path(settings.BASE_DIR) / "docs" / "template-example.xlsx"


class Command(BaseCommand):
    help = "Write the example criteria template (.xlsx) that docs/template-excel.md describes."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default=str(DEFAULT))

    def handle(self, *args, output: str, **options):
        Path(output).write_bytes(excel.example_workbook())
        self.stdout.write(f"Đã ghi {output}.")
