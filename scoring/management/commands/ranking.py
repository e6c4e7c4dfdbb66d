"""python manage.py ranking <bloc id or name> <year> [--json] [--compute]

The bloc-year's ranking as the ranking page shows it (the same selector): every unit with its
total, group subtotals, rank, band, eligibility with the reasons and the tie-break trace. With
--json, a list in rank order (keys in docs/ranking.md)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from scoring import calc
from scoring.management.commands._bloc import find_bloc
from scoring.selectors_ranking import RankingView, as_json, ranking_view


def _cell(value) -> str:
    if value is None:
        return "–"
    return calc.fmt(value) if not isinstance(value, str) else value


def table(view: RankingView) -> list[str]:
    """The ranking as plain text lines: a header, one line per unit, its reasons and trace."""
    heads = ["Hạng", "Đơn vị", "Tổng", *view.groups, "Xếp loại", "Điều kiện"]
    body = [
        [
            str(r.rank),
            r.unit.name + (" (không trọn năm)" if r.partial_year else ""),
            _cell(r.total),
            *(_cell(v) for v in r.subtotals.values()),
            r.band or "–",
            r.gate_label + (" · dẫn đầu" if r.leader else ""),
        ]
        for r in view.rows
    ]
    widths = [max(len(x[i]) for x in [heads, *body]) for i in range(len(heads))]

    def fmt_line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [fmt_line(heads), "  ".join("-" * w for w in widths)]
    for r, cells in zip(view.rows, body, strict=True):
        lines.append(fmt_line(cells))
        lines += [f"      Lý do: {reason}" for reason in r.reasons]
        lines += [f"      Phân định: {step['text']}" for step in r.trace]
    return lines


class Command(BaseCommand):
    help = "Print a bloc-year's ranking (table, or --json) as the ranking page shows it."

    def add_arguments(self, parser):
        parser.add_argument("bloc", help="The bloc's id or exact name.")
        parser.add_argument("year", type=int)
        parser.add_argument("--json", action="store_true", help="A JSON list in rank order.")
        parser.add_argument(
            "--compute",
            action="store_true",
            help="(Re)compute the ranking from the final sheets first (refused once adopted).",
        )

    def handle(self, *args, bloc: str, year: int, json: bool = False, compute=False, **options):
        found = find_bloc(bloc)
        if compute:
            from scoring.services.ranking import ranking_compute

            try:
                ranking_compute(bloc=found, year=year, actor=None)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        view = ranking_view(bloc_id=found.pk, year=year)
        if view.ranking is None:
            raise CommandError(f"{found} chưa tính kết quả xếp hạng năm {year}.")
        if json:
            self.stdout.write(_dumps(as_json(view)))
            return
        status = view.ranking.get_status_display()
        self.stdout.write(f"Kết quả xếp hạng năm {year} – {found.name} ({status})")
        for line in table(view):
            self.stdout.write(line)
        lead = view.leader.unit.name if view.leader else "chưa xác định"
        self.stdout.write(f"Đơn vị dẫn đầu: {lead}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
