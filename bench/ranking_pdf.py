"""Benchmark: the ranking table (Bảng tổng hợp kết quả chấm điểm, landscape, with its bar chart)
of a 300-unit bloc-year rendered to PDF through the app (selector + builder + render_html +
html_to_pdf), N times. Prints the median, pages and size.

    DEBUG=1 .venv/bin/python bench/ranking_pdf.py [-n 3] [--units 300] [--out /tmp/bxh.pdf]

Self-contained: an in-memory SQLite database, migrated on start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakhenthuong.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["SQLITE_PATH"] = ":memory:"


def make_year(units: int):
    """A bloc with `units` members, the 100-point sample template, its tổng kết round, and a
    computed ranking of `units` rows (every 7th unit ineligible, pairs of ties with a trace)."""
    from django.utils import timezone

    from blocs.models import Bloc, Membership, Province, Unit
    from scoring import samples
    from scoring.models import Ranking, RankingRow, Round
    from scoring.services.templates import template_import

    province = Province.objects.create(name="Tỉnh Thử Nghiệm")
    bloc = Bloc.objects.create(province=province, name="Khối thi đua Thử nghiệm 300", symbol="KTN")
    members = Unit.objects.bulk_create(
        Unit(province=province, name=f"Đơn vị thành viên số {i:03d} của Khối") for i in range(units)
    )
    Membership.objects.bulk_create(
        Membership(bloc=bloc, unit=u, joined_on=dt.date(2025, 1, 1)) for u in members
    )
    rows, settings, bands = samples.sheet_100()
    template_import(bloc=bloc, year=2026, actor=None, rows=rows, settings=settings, bands=bands)
    round_ = Round.objects.create(
        bloc=bloc,
        year=2026,
        key="tong_ket",
        kind="tong_ket",
        name="Tổng kết",
        with_score_sheet=True,
    )
    ranking = Ranking.objects.create(
        bloc=bloc, year=2026, round=round_, computed_at=timezone.now(), tie_break=["group_i"]
    )
    out = []
    for i, unit in enumerate(members, start=1):
        total = Decimal(99) - Decimal(i // 2) / 8
        trace = []
        if i % 2 == 0:
            text = f"Bằng tổng điểm {total}: … Xét “Điểm nhóm I cao hơn”: … → phân định được."
            trace = [{"by": "group_i", "text": text, "values": [], "units": [], "separated": True}]
        out.append(
            RankingRow(
                ranking=ranking,
                unit=unit,
                position=i,
                rank=i,
                total=total,
                subtotals={
                    "I": "58.00",
                    "II": "15.00",
                    "III": "14.50",
                    "IV": "9.00",
                    "+": "2.50",
                    "-": "0.00",
                },
                band="Hoàn thành xuất sắc nhiệm vụ",
                eligible=bool(i % 7),
                eligible_for_co=bool(i % 7),
                reasons=[] if i % 7 else ["Không xét khen thưởng: Kỷ luật – Sở Nội vụ: thử"],
                trace=trace,
            )
        )
    RankingRow.objects.bulk_create(out)
    return bloc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--out", help="also write the PDF here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pypdf import PdfReader

    from reports.ranking_documents import build_ranking_table_context
    from reports.render import html_to_pdf, render_html

    bloc = make_year(args.units)

    def app() -> bytes:
        return html_to_pdf(render_html(build_ranking_table_context(bloc, 2026)))

    pdf = app()  # warm-up: fonts, WeasyPrint import
    times, cpu = [], []
    for _ in range(args.n):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = app()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"ranking table, {args.units} units: median {statistics.median(times):.2f} s over "
        f"{args.n} runs (min {min(times):.2f} s; CPU median {statistics.median(cpu):.2f} s), "
        f"{pages} landscape A4 pages, {len(pdf) // 1024} KB"
    )
    if args.out:
        Path(args.out).write_bytes(pdf)


if __name__ == "__main__":
    main()
