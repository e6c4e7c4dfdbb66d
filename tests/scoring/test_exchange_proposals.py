"""The suy tôn part of the bloc-year file: proposals (votes, statuses, the province's reason and
decision, reward) and the dossiers with their tờ trình survive export → wipe → import → export
byte for byte; hostile rows are refused with a message and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest

from blocs.exchange import ExchangeError, dumps, export_bloc_year, import_bloc_year, loads
from blocs.models import Bloc
from reports.models import IssuedDocument
from reports.services import submit_proposals
from scoring.models import Dossier, Proposal, Ranking
from scoring.services import proposal_reviews as reviews
from scoring.services import proposals as proposal_services
from scoring.services import ranking as services
from tests.factories import replaced, wipe_bloc_rows
from tests.scoring.ranking_data import meet_and_adopt, ranked_world

MEETING_DAY = dt.date(2026, 11, 20)  # before today, so the dossier can be dated after it


@pytest.fixture
def decided_year(world, tong_ket):
    """Three ranked units (a tie the vote breaks), adopted; two proposals submitted in one
    dossier with its tờ trình; the province approves and decides one, returns the other."""
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "13"})
    chair, reviewer = world.users["chair"], world.users["reviewer"]
    ranking = services.ranking_compute(bloc=world.bloc, year=world.year, actor=chair)
    tie_votes = {world.unit_a.pk: 2, world.unit_b.pk: 1}
    meet_and_adopt(world, ranking, date=MEETING_DAY, tie_votes=tie_votes)
    made = proposal_services.proposals_generate(bloc=world.bloc, year=world.year, actor=chair)
    for p in made:
        proposal_services.proposal_vote(
            proposal=p, actor=chair, vote_for=3, vote_against=0, vote_total=3
        )
    submit_proposals(bloc=world.bloc, year=world.year, actor=chair, date=MEETING_DAY)
    first, *rest = Proposal.objects.order_by("rank")
    first = reviews.proposal_approve(proposal=first, actor=reviewer)
    reviews.proposal_decide(
        proposal=first, actor=reviewer, number="12/QĐ-UBND", date=dt.date(2026, 11, 23)
    )
    for p in rest:
        reviews.proposal_return(proposal=p, actor=reviewer, reason="Bổ sung thành tích")
    return world


def test_export_import_export_is_exact(decided_year):
    w = decided_year
    first = dumps(export_bloc_year(w.bloc, w.year))
    data = loads(first)
    assert {p["status"] for p in data["proposals"]} == {"decided", "returned"}
    assert data["dossiers"][0]["number"] == 1 and len(data["dossiers"][0]["proposals"]) == 2
    assert next(d for d in data["documents"] if d["kind"] == "to_trinh")["dossier"] == "1"
    wipe_bloc_rows()
    result = import_bloc_year(data=data)
    assert result.created["đề nghị khen thưởng"] == 2
    assert result.created["hồ sơ đề nghị khen thưởng"] == 1
    bloc = Bloc.objects.get(name=w.bloc.name)
    assert dumps(export_bloc_year(bloc, w.year)) == first
    decided = Proposal.objects.get(status="decided")
    assert decided.decision_number == "12/QĐ-UBND" and decided.reward_amount > 0
    assert IssuedDocument.objects.get(kind="to_trinh").dossier == Dossier.objects.get()
    assert Ranking.objects.get().status == Ranking.Status.ADOPTED


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("proposals", 0, "award"), "huan_chuong_vang", "hình thức hoặc trạng thái"),
        (("proposals", 0, "status"), "da_xong", "hình thức hoặc trạng thái"),
        (("proposals", 0, "unit"), "Đơn vị lạ", "Đơn vị lạ"),
        (("proposals", 0, "reward_amount"), "-5", "tiền thưởng không hợp lệ"),
        (("proposals", 0, "reward_amount"), "1e400", "tiền thưởng không hợp lệ"),
        (("proposals", 0, "vote_for"), 99999, "số phiếu không hợp lệ"),
        (("proposals", 1, "returned_reason"), "", "phải nêu lý do"),
        (("dossiers", 0, "proposals"), ["co_tinh/Không có"], "không có trong tệp"),
        (("dossiers", 0, "date"), "1990-01-01", "Hồ sơ đề nghị lần 1"),
        (("proposals",), "không phải danh sách", "phải là một danh sách"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(decided_year, path, value, message):
    bad = replaced(export_bloc_year(decided_year.bloc, decided_year.year), path, value)
    wipe_bloc_rows()
    with pytest.raises(ExchangeError, match=message):
        import_bloc_year(data=loads(dumps(bad)))
    assert not Proposal.objects.exists() and not Ranking.objects.exists()
    assert not Bloc.objects.filter(name=decided_year.bloc.name).exists()
