"""python manage.py export_template <bloc id or name> <year> -o FILE.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring import excel, selectors
from scoring.management.commands._bloc import find_bloc


class Command(BaseCommand):
    help = "Export a bloc-year's criteria template (newest version, or --version N) to .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("bloc", help="The bloc's id or exact name.")
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")
        parser.add_argument("--template-version", dest="template_version", type=int)

    def handle(self, *args, bloc: str, year: int, output: str, template_version=None, **options):
        found = find_bloc(bloc)
        versions = selectors.template_versions(bloc_id=found.pk, year=year)
        if template_version:
            versions = [t for t in versions if t.version == template_version]
        if not versions:
            raise CommandError(f"{found} chưa có thang điểm năm {year}.")
        template = versions[-1]
        data = excel.export_template(template, selectors.criteria_in_tree_order(template))
        Path(output).write_bytes(data)
        self.stdout.write(f"Đã ghi {output} (phiên bản {template.version}).")
