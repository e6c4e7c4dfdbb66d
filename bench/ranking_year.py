"""A self-contained bloc-year for the document benches: `units` members, the 100-point sample
template, its tổng kết round and a computed ranking written directly (no sheets), so the ranking
table can be printed without building a province (bench/province.py builds the real one)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


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
    members = [
        Unit(province=province, name=f"Đơn vị thành viên số {i:03d} của Khối") for i in range(units)
    ]
    for unit in members:
        unit.refresh_search_text()  # what save() does, which bulk_create skips
    members = Unit.objects.bulk_create(members)
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
