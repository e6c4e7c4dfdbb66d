"""An adopted ranking of a bloc-year built row by row, for the proposal tests (the ranking
computation itself is engineer E's service; these tests only need its result)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from scoring.models import Ranking, RankingRow, Round


def tong_ket_round(bloc, year) -> Round:
    return Round.objects.get_or_create(
        bloc=bloc,
        year=year,
        key="bao_cao_tong_ket",
        defaults={
            "kind": Round.Kind.TONG_KET,
            "name": "Báo cáo tổng kết",
            "due": dt.date(year, 12, 15),
            "data_from": dt.date(year - 1, 12, 1),
            "data_to": dt.date(year, 11, 30),
            "addressee": "Trưởng khối",
            "with_score_sheet": True,
        },
    )[0]


def make_ranking(bloc, year, units, *, adopted=True, ineligible=(), no_co=(), totals=None):
    """Units in rank order (totals 95, 94, … unless given); `ineligible` / `no_co`: units barred
    from every award / from Cờ, with a reason."""
    ranking = Ranking.objects.create(
        bloc=bloc,
        year=year,
        round=tong_ket_round(bloc, year),
        computed_at=timezone.now(),
        status=Ranking.Status.ADOPTED if adopted else Ranking.Status.COMPUTED,
        adopted_at=timezone.now() - dt.timedelta(days=1) if adopted else None,
    )
    for i, unit in enumerate(units):
        total = Decimal(totals[i]) if totals else Decimal(95 - i)
        barred = unit in ineligible
        reasons = ["Đang thanh tra (Thanh tra tỉnh)"] if barred else []
        reasons += ["Có đơn vị bị kỷ luật"] if unit in no_co else []
        RankingRow.objects.create(
            ranking=ranking,
            unit=unit,
            position=i + 1,
            rank=i + 1,
            total=total,
            subtotals={"I": str(total - 30), "II": "30"},
            band="Xuất sắc" if total >= 90 else "Tốt",
            eligible=not barred,
            eligible_for_co=not barred and unit not in no_co,
            reasons=reasons,
        )
    return ranking
