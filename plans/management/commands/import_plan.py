"""python manage.py import_plan FILE [--issuer <bloc id or name>] [--year YYYY]

Prints the new draft plan's id. Without --issuer the bloc is the one the plan's header names
(by name, document symbol and province); when none or several fit, the command says which."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from blocs.models import Bloc
from plans import services
from plans.importer import ParsedPlan, PlanImportError, extract_text_from_upload, parse_plan_text


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").casefold().strip()


def _name_core(bloc: Bloc) -> str:
    """The bloc's name without its trailing province ("… tỉnh Tuyên Quang")."""
    name = _fold(bloc.name)
    province = _fold(bloc.province.name)
    return re.sub(rf"\s*(?:tỉnh|thành phố|tp\.?)?\s*{re.escape(province)}$", "", name) or name


def bloc_candidates(parsed: ParsedPlan) -> tuple[Bloc | None, list[Bloc]]:
    """(the one bloc the header names, or None; the candidates that were considered)."""
    header = _fold(" ".join([parsed.parent_issuer, parsed.issuer, parsed.place]))
    issuer = _fold(parsed.issuer)
    scored = []
    for bloc in Bloc.objects.select_related("province"):
        core = _name_core(bloc)
        by_name = bool(core and core in header) or bool(issuer and issuer in _fold(bloc.name))
        by_symbol = bool(bloc.symbol) and bloc.symbol.casefold() == parsed.symbol.casefold()
        in_province = _fold(bloc.province.name) in header
        if by_name or by_symbol:
            scored.append((in_province, by_name, by_symbol, bloc))
    for keep in (
        lambda s: s[0] and s[1] and s[2],
        lambda s: s[0] and (s[1] or s[2]),
        lambda s: s[1] and s[2],
    ):
        chosen = [s[3] for s in scored if keep(s)]
        if len(chosen) == 1:
            return chosen[0], chosen
        if chosen:
            return None, chosen
    return None, [s[3] for s in scored]


class Command(BaseCommand):
    help = "Import an existing KẾ HOẠCH (.txt, .md or .docx) as a draft plan of a bloc."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--issuer",
            "--bloc",
            dest="issuer",
            help="The issuing bloc: its id or exact name (default: the bloc the header names).",
        )
        parser.add_argument("--year", type=int, help="The plan's year when the text does not say.")

    def handle(self, *args, file: str, issuer: str | None = None, year: int | None = None, **o):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            text = extract_text_from_upload(path.read_bytes(), path.name)
            parsed = parse_plan_text(text, default_year=year)
            bloc = self._bloc(issuer, parsed)
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

    def _bloc(self, issuer: str | None, parsed: ParsedPlan) -> Bloc:
        if issuer:
            query = Bloc.objects.filter(
                **(
                    {"pk": int(issuer)}
                    if issuer.isdigit() and len(issuer) < 10
                    else {"name": issuer}
                )
            )
            bloc = query.first()
            if bloc is None:
                raise CommandError(f"Không tìm thấy khối thi đua “{issuer}”.")
            return bloc
        bloc, candidates = bloc_candidates(parsed)
        if bloc is not None:
            return bloc
        if not candidates:
            raise CommandError(
                "Phần đầu văn bản không khớp khối thi đua nào (theo tên, ký hiệu "
                f"“{parsed.symbol or '—'}” và tỉnh); hãy chỉ rõ bằng --issuer <số hoặc tên khối>."
            )
        listed = "; ".join(f"{b.pk}: {b.name} ({b.province.name})" for b in candidates[:10])
        raise CommandError(
            f"Phần đầu văn bản khớp {len(candidates)} khối thi đua: {listed}. "
            "Hãy chọn một bằng --issuer <số hoặc tên khối>."
        )
