"""python manage.py import_year FILE — create a bloc-year from an export_year file (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blocs.exchange import ExchangeError, import_bloc_year, loads


class Command(BaseCommand):
    help = "Import a bloc-year JSON file made by export_year; prints what it created."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            result = import_bloc_year(data=loads(path.read_text(encoding="utf-8")))
        except (ExchangeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không nhập được tệp {file}: {exc}") from exc
        self.stdout.write(f"Đã nhập {result.bloc.name} năm {result.year}.")
        for label, count in sorted(result.created.items()):
            self.stdout.write(f"  {label}: {count}")
