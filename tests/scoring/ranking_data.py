"""Ranking test data: final sheets of the tổng kết round with chosen scores built through the
services, bulk ranking rows for the query-count guards, and an adopted ranking built row by row
for the proposal tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from blocs import services as bloc_services
from scoring.models import Ranking, RankingRow, Round, Submission
from scoring.services import reviews as review_services
from scoring.services import sheets as sheet_services
from tests.factories import make_unit
from tests.scoring.conftest import fill_sheet, register

BEFORE_DUE = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)
PERSONA_OF = {"head": "chair", "deputy_unit": "deputy", "unit_a": "unit_a", "unit_b": "unit_b"}


def line(sub, code_path):
    parent, code = code_path.split(".")
    return sub.entries.select_related("criterion").get(
        criterion__code=code, criterion__parent__code=parent
    )


def final_sheet(world, round, user, *, lines=None, finalize=True) -> Submission:
    """`user`'s unit's sheet of `round`: every line filled (full marks), `lines` changed
    ({"I.2": "13"}), submitted, reviewed by the head at every layer, and agreed (FINAL)."""
    sub = sheet_services.submission_open(round=round, unit=user.unit, actor=user)
    sub = fill_sheet(sub, user)
    for path, value in (lines or {}).items():
        sheet_services.line_save(entry=line(sub, path), actor=user, value=value)
    sub = sheet_services.submission_submit(submission=sub, actor=user, now=BEFORE_DUE)
    chair = world.users["chair"]
    while sub.status != Submission.Status.REVIEWED:
        sub = review_services.layer_done(submission=sub, actor=chair)
    if finalize:
        sub = review_services.submission_finalize(submission=sub, actor=chair)
    return sub


def register_all(world, round=None) -> None:
    """Every member registered and accepted; with `round`, each registers its target for line
    I.1 of the round's scale (95 %), so that line scores what the unit achieves against it."""
    targets = None
    if round is not None:
        from scoring.models import Criterion
        from scoring.services.sheets import sheet_template

        crit = Criterion.objects.get(
            template=sheet_template(round), code="1", parent__code="I", parent__parent=None
        )
        targets = [
            {
                "content": "Hoàn thành chỉ tiêu",
                "measure": "%",
                "target_value": 95,
                "criterion": crit,
            }
        ]
    for unit in (world.head, world.deputy_unit, world.unit_a, world.unit_b):
        register(world, unit, accept=True, targets=targets)


# A good year on the 100-point scale: every group at 85 % or more of its maximum, so the unit is
# rated "Hoàn thành xuất sắc nhiệm vụ" (the band awards ask for) and the total stays below 100.
GOOD_YEAR = {"I.1": "90", "III.3": "3", "IV.1": "3", "IV.2": "3"}  # I.1: 90 of a 95 % target


def ranked_world(world, round, scores: dict[str, str | None]):
    """Registrations accepted; each persona's unit gets a final sheet of a good year with line
    I.2 at the given score (None: the unit has no final sheet)."""
    register_all(world, round)
    for persona, value in scores.items():
        if value is not None:
            final_sheet(world, round, world.users[persona], lines={**GOOD_YEAR, "I.2": value})
    return world


def mid_year_unit(world, name="Sở Khoa học Thử (sáp nhập)", joined=dt.date(2026, 7, 1)):
    from tests.factories import make_user

    unit = make_unit(world.province, name)
    bloc_services.membership_add(bloc=world.bloc, unit=unit, joined_on=joined)
    return make_user("moi", unit, full_name="Người Mới")


def added_member(world, i: int):
    """A member unit added for a count at a larger size ("Đơn vị thêm i"), a member since the
    year before, with its clerk: (unit, clerk)."""
    from tests.factories import make_user

    unit = make_unit(world.province, f"Đơn vị thêm {i} Thử")
    bloc_services.membership_add(
        bloc=world.bloc, unit=unit, joined_on=dt.date(world.year - 1, 1, 1)
    )
    return unit, make_user(f"them{i}", unit, full_name=f"Cán bộ {i}")


def bulk_ranking(bloc, year, round, units, *, adopted=False) -> Ranking:
    """A ranking with one stored row per unit (for the query-count guards)."""
    ranking = Ranking.objects.create(
        bloc=bloc,
        year=year,
        round=round,
        computed_at=timezone.now(),
        status=Ranking.Status.ADOPTED if adopted else Ranking.Status.COMPUTED,
        tie_break=["group_i", "vote"],
    )
    RankingRow.objects.bulk_create(
        RankingRow(
            ranking=ranking,
            unit=u,
            position=i,
            rank=i,
            total=Decimal(100) - Decimal(i) / 10,
            subtotals={"I": "55", "II": "15", "III": "15", "IV": "10"},
            band="Hoàn thành xuất sắc nhiệm vụ",
            reasons=[] if i % 7 else ["Kỷ luật – Thanh tra tỉnh: thử"],
            eligible=bool(i % 7),
            trace=[],
        )
        for i, u in enumerate(units, start=1)
    )
    return ranking


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
    from scoring.services.sheets import sheet_template

    template = sheet_template(ranking.round)  # its bands' labels when the year has a scale
    labels = [b.label for b in template.bands.order_by("-min_total")] if template else []
    best, good = labels[:2] if len(labels) >= 2 else ("Xuất sắc", "Tốt")
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
            band=best if total >= 90 else good,
            eligible=not barred,
            eligible_for_co=not barred and unit not in no_co,
            reasons=reasons,
        )
    return ranking


def meet_and_adopt(world, ranking, *, date, tie_votes=None, **meeting):
    """The bình xét meeting through the services: recorded (head, unit A and unit B attend),
    the tie votes given, the ranking voted 3/3 and adopted with its minutes issued."""
    from reports.services import adopt_ranking
    from scoring.services import ranking as services

    chair = world.users["chair"]
    services.meeting_save(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        date=date,
        attending=[world.head, world.unit_a, world.unit_b],
        **{"place": "Hội trường", "chair": "Đại tá Trưởng", "secretary": "Phó", **meeting},
    )
    if tie_votes:
        services.tie_votes_record(ranking=ranking, actor=chair, votes=tie_votes)
    services.ranking_vote(ranking=ranking, actor=chair, vote_for=3, vote_against=0, vote_total=3)
    return adopt_ranking(ranking=ranking, actor=chair)
