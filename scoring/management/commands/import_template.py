"""python manage.py import_template FILE.xlsx --bloc <bloc id or name> --year <year>"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scoring import excel
from scoring.management.commands._bloc import find_bloc
from scoring.services import templates as services


class Command(BaseCommand):
    help = (
        "Import a criteria template from .xlsx into a bloc-year (creates it, or replaces the "
        "criteria of its newest unlocked version). A file with errors saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--bloc", required=True, help="The bloc's id or exact name.")
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, file: str, bloc: str, year: int, **options):
        found = find_bloc(bloc)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            parsed = excel.read_template(path.read_bytes())
            template = services.template_import(
                bloc=found,
                year=year,
                actor=None,
                rows=parsed.rows,
                settings=parsed.settings,
                bands=parsed.bands,
            )
        except excel.TemplateFileError as exc:
            raise CommandError("Không nhập được thang điểm:\n" + "\n".join(exc.errors)) from exc
        except ValidationError as exc:
            raise CommandError("Không nhập được thang điểm: " + "; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã nhập {len(parsed.rows)} tiêu chí vào {template}.")
