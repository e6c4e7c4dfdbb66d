"""python manage.py import_plan FILE --issuer <bloc id or name> — prints the new plan's id."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from blocs.models import Bloc
from plans import services
from plans.importer import PlanImportError, extract_text_from_upload, parse_plan_text


class Command(BaseCommand):
    help = "Import an existing KẾ HOẠCH (.txt, .md or .docx) as a draft plan of a bloc."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--issuer",
            "--bloc",
            dest="issuer",
            required=True,
            help="The issuing bloc (or agency / government scope): its id or exact name.",
        )
        parser.add_argument("--year", type=int, help="The plan's year when the text does not say.")

    def handle(self, *args, file: str, issuer: str, year: int | None = None, **options):
        bloc = (
            Bloc.objects.filter(pk=int(issuer)).first()
            if issuer.isdigit()
            else Bloc.objects.filter(name=issuer).first()
        )
        if bloc is None:
            raise CommandError(f"Không tìm thấy khối thi đua “{issuer}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            text = extract_text_from_upload(path.read_bytes(), path.name)
            parsed = parse_plan_text(text, default_year=year)
            plan = services.plan_create_from_import(
                bloc=bloc, parsed=parsed, actor=None, source_text=text
            )
        except (PlanImportError, ValidationError) as exc:
            raise CommandError(
                f"Không nhập được kế hoạch: {'; '.join(getattr(exc, 'messages', [str(exc)]))}"
            ) from exc
        for warning in parsed.warnings:
            self.stderr.write(f"Lưu ý: {warning}")
        self.stdout.write(str(plan.pk))
