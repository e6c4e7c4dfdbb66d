"""python manage.py import_sheet FILE.xlsx --bloc <bloc> --year <year> --unit <unit> --round <round>

For a clerk who batch-loads the sheets units filled in Excel (docs/sheet-excel.md): opens the
unit's submission in the round if needed, then saves every line or lists every bad cell."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from blocs.models import Bloc, Unit
from scoring import excel, excel_sheet, selectors
from scoring.management.commands._bloc import find_bloc
from scoring.models import Round
from scoring.services import sheets as sheet_services


def find_unit(bloc: Bloc, year: int, value: str) -> Unit:
    """A member unit of the bloc-year by id, exact name or short name."""
    value = value.strip()
    members = selectors.member_units(bloc_id=bloc.pk, year=year)
    found = [
        u
        for u in members
        if (value.isdigit() and u.pk == int(value)) or (value and value in (u.name, u.short_name))
    ]
    if len(found) != 1:
        raise CommandError(
            f"Không tìm thấy đơn vị “{value}” trong {bloc.name} năm {year}"
            + (" (trùng tên viết tắt)." if found else ".")
        )
    return found[0]


def find_round(bloc: Bloc, year: int, value: str) -> Round:
    value = value.strip()
    query = Q(key=value) | Q(pk=int(value)) if value.isdigit() else Q(key=value)
    found = Round.objects.filter(query, bloc=bloc, year=year).first()
    if found is None:
        keys = ", ".join(Round.objects.filter(bloc=bloc, year=year).values_list("key", flat=True))
        raise CommandError(f"Không tìm thấy kỳ báo cáo “{value}” (các kỳ của năm: {keys or '—'}).")
    return found


class Command(BaseCommand):
    help = (
        "Import a unit's self-scoring sheet filled in Excel (.xlsx, as downloaded from the sheet "
        "page). Opens the submission if needed. A file with any bad cell saves nothing and every "
        "bad cell is listed with its row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--bloc", required=True, help="The bloc's id or exact name.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", required=True, help="The unit's id, name or short name.")
        parser.add_argument("--round", required=True, help="The round's key or id.")

    def handle(self, *args, file: str, bloc: str, year: int, unit: str, round: str, **options):
        found = find_bloc(bloc)
        the_unit = find_unit(found, year, unit)
        the_round = find_round(found, year, round)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        if path.stat().st_size > excel.MAX_BYTES:
            raise CommandError("Tệp quá lớn; chỉ nhận tệp Excel đến 5 MB.")
        try:
            sub = sheet_services.submission_open(round=the_round, unit=the_unit, actor=None)
            changed = excel_sheet.import_sheet(path.read_bytes(), sub, None)
        except excel_sheet.SheetFileError as exc:
            raise CommandError("Không nhập được bảng điểm:\n" + "\n".join(exc.errors)) from exc
        except ValidationError as exc:
            raise CommandError("Không nhập được bảng điểm: " + "; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã lưu bảng điểm của {the_unit.name}: {changed} dòng thay đổi.")
