"""python manage.py export_year <bloc id or exact name> <year> [-o FILE] — the bloc-year as JSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blocs.exchange import ExchangeError, dumps, export_bloc_year
from blocs.models import Bloc


class Command(BaseCommand):
    help = "Export one bloc's year (term, members, users, plans, audit) as a JSON backup file."

    def add_arguments(self, parser):
        parser.add_argument("bloc", help="The bloc's id or exact name.")
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, bloc: str, year: int, output: str | None = None, **options):
        found = (
            Bloc.objects.filter(pk=int(bloc)).first()
            if bloc.isdigit()
            else Bloc.objects.filter(name=bloc).first()
        )
        if found is None:
            raise CommandError(f"Không tìm thấy khối thi đua “{bloc}”.")
        try:
            text = dumps(export_bloc_year(bloc=found, year=year))
        except ExchangeError as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        self.stderr.write(f"Đã xuất {found.name} năm {year} vào {output}.")
