"""The bình xét part of the bloc-year file: the year's rules, compliance flags, the meeting, the
adopted ranking with its vote and the issued minutes survive export → wipe → import → export
byte for byte, and `manage.py ranking` prints the same on the imported copy."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import Bloc
from reports.models import IssuedDocument
from scoring.models import ComplianceFlag, Ranking
from scoring.services import compliance
from scoring.services import ranking as services
from tests.factories import replaced, wipe_bloc_rows
from tests.scoring.ranking_data import meet_and_adopt, ranked_world


def _ranking_text(bloc, year, *args) -> str:
    out = io.StringIO()
    call_command("ranking", str(bloc.pk), str(year), *args, stdout=out)
    return out.getvalue()


def _without_ids(text: str) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "unit_id"} for row in json.loads(text)]


@pytest.fixture
def adopted_year(world, tong_ket):
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "13"})
    chair = world.users["chair"]
    compliance.year_rules_save(
        bloc=world.bloc, year=world.year, actor=chair, vote_threshold_pct="75"
    )
    compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.head,
        kind="violation",
        effect="deduct",
        points="0.5",
        source="Công an tỉnh",
        note="Vi phạm giao thông",
    )
    ranking = services.ranking_compute(bloc=world.bloc, year=world.year, actor=chair)
    tie_votes = {world.unit_a.pk: 2, world.unit_b.pk: 1}
    meet_and_adopt(
        world, ranking, date=dt.date(2027, 1, 8), tie_votes=tie_votes, note="Thống nhất cao"
    )
    return world


def test_export_import_export_is_exact_and_the_command_agrees(adopted_year):
    w = adopted_year
    first = dumps(export_bloc_year(w.bloc, w.year))
    table, as_json = _ranking_text(w.bloc, w.year), _ranking_text(w.bloc, w.year, "--json")
    wipe_bloc_rows()
    assert not Ranking.objects.exists() and not ComplianceFlag.objects.exists()
    result = import_bloc_year(data=loads(first))
    assert result.created["kết quả xếp hạng"] == 1 and result.created["thông tin chấp hành"] == 1
    bloc = Bloc.objects.get(name=w.bloc.name)
    assert dumps(export_bloc_year(bloc, w.year)) == first
    assert _without_ids(_ranking_text(bloc, w.year, "--json")) == _without_ids(as_json)
    assert _ranking_text(bloc, w.year).splitlines()[1:] == table.splitlines()[1:]
    minutes = IssuedDocument.objects.get(kind="bien_ban")
    assert minutes.meeting.number == 1 and minutes.number_text == "Số: 01/BB-KTĐNC"
    assert Ranking.objects.get().status == Ranking.Status.ADOPTED


def test_export_shape(adopted_year):
    data = export_bloc_year(adopted_year.bloc, adopted_year.year)
    assert data["year_rules"]["vote_threshold_pct"] == "75.00"
    assert data["compliance_flags"][0]["points"] == "0.50"
    assert data["ranking_meeting"]["number"] == 1
    assert data["ranking_meeting"]["attending"] == [
        "Bộ Chỉ huy Quân sự tỉnh Thử",
        "Sở Tư pháp Thử",
        "Tòa án nhân dân tỉnh Thử",
    ]
    r = data["ranking"]
    assert (r["status"], r["vote_for"], r["vote_total"], r["round"]) == (
        "adopted",
        3,
        3,
        "bao_cao_tong_ket",
    )
    assert [x["tie_vote"] for x in r["rows"][:2]] == [2, 1]
    assert r["rows"][-1]["total"] is None
    doc = next(d for d in data["documents"] if d["kind"] == "bien_ban")
    assert doc["meeting"] == "2026"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("ranking", "rows", 0, "unit"), "Đơn vị lạ", "Đơn vị lạ"),
        (("ranking", "round"), "khong_co", "không có kỳ báo cáo"),
        (("ranking", "rows", 0, "total"), "nhiều", "không phải là số điểm"),
        (("compliance_flags", 0, "effect"), "deduct_all", "'deduct_all' không có trong danh sách"),
    ],
)
def test_bad_rows_are_refused_with_a_message(adopted_year, path, value, message):
    bad = replaced(export_bloc_year(adopted_year.bloc, adopted_year.year), path, value)
    wipe_bloc_rows()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=loads(dumps(bad)))
