"""Award proposals: generation under the quotas, edits refused on a breach or an ineligible
unit, votes against the threshold, the dossier, the province's Cờ CP share, the review state
machine and the reward amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from blocs.models import AuditEvent
from scoring import awards
from scoring.models import Dossier, Proposal, ProvinceRules, YearRules
from scoring.services import proposal_reviews as reviews
from scoring.services import proposals as services
from tests.factories import make_bloc_world, make_unit
from tests.scoring.ranking_data import make_ranking

P = Proposal.Status


@pytest.fixture
def six(world):
    """The world's bloc with six units ranked: head, deputy, A, B, C, D."""
    extra = []
    for name in ("Sở Nội vụ Thử", "Sở Tài chính Thử"):
        unit = make_unit(world.province, name)
        from blocs import services as bloc_services

        bloc_services.membership_add(bloc=world.bloc, unit=unit, joined_on=dt.date(2025, 1, 1))
        extra.append(unit)
    return [world.head, world.deputy_unit, world.unit_a, world.unit_b, *extra]


def generate(world, units, **kw):
    make_ranking(world.bloc, world.year, units, **kw)
    return services.proposals_generate(bloc=world.bloc, year=world.year, actor=world.users["chair"])


def awards_of(props):
    return [(p.unit.name, p.award) for p in sorted(props, key=lambda p: (p.rank, p.award))]


def vote_all(world, props, vote_for=9, total=10):
    for p in props:
        services.proposal_vote(
            proposal=p,
            actor=world.users["chair"],
            vote_for=vote_for,
            vote_against=total - vote_for,
            vote_total=total,
        )


def submit(world, date=None):
    date = date or timezone.localdate()
    return services.dossier_submit(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], date=date
    )


def test_generate_gives_the_flag_to_the_leader_and_bang_khen_to_half_the_rest(world, six):
    props = generate(world, six)
    # 6 units, 1 Cờ → 5 left, 50 % rounded down → 2 Bằng khen, in rank order
    assert awards_of(props) == [
        (six[0].name, "co_tinh"),
        (six[1].name, "bk_tinh_tt"),
        (six[2].name, "bk_tinh_tt"),
    ]
    assert props[0].rank == 1 and props[0].total == Decimal("95")
    assert "Xếp thứ 1/6" in props[0].achievements
    assert AuditEvent.objects.filter(action="proposal.generate").count() == 1


def test_a_disqualified_leader_gives_the_flag_to_the_next_eligible_unit(world, six):
    props = generate(world, six, ineligible=[six[0]], no_co=[six[1]])
    # #1 barred from everything; #2 may not have the flag but may have Bằng khen
    assert awards_of(props) == [
        (six[1].name, "bk_tinh_tt"),
        (six[2].name, "co_tinh"),
        (six[3].name, "bk_tinh_tt"),
    ]


def test_generate_needs_an_adopted_ranking_and_runs_once(world, six):
    with pytest.raises(ValidationError, match="chưa được hội nghị"):
        generate(world, six, adopted=False)
    assert not Proposal.objects.exists()
    from scoring.models import Ranking

    Ranking.objects.update(status="adopted", adopted_at=timezone.now())
    services.proposals_generate(bloc=world.bloc, year=world.year, actor=None)
    with pytest.raises(ValidationError, match="đã được lập"):
        services.proposals_generate(bloc=world.bloc, year=world.year, actor=None)


def test_a_quota_breach_is_refused_not_warned(world, six):
    generate(world, six)
    chair = world.users["chair"]
    with pytest.raises(ValidationError, match="tối đa 50 % số đơn vị còn lại, tức 2 đơn vị"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[3], award="bk_tinh_tt", actor=chair
        )
    with pytest.raises(ValidationError, match="chỉ được đề nghị 1 Cờ thi đua UBND tỉnh"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[3], award="co_tinh", actor=chair
        )
    second = Proposal.objects.get(unit=six[1])
    with pytest.raises(ValidationError, match="Cờ thi đua UBND tỉnh"):
        services.proposal_update(
            proposal=second, actor=chair, award="co_tinh", achievements=second.achievements
        )
    assert Proposal.objects.count() == 3
    assert Proposal.objects.get(pk=second.pk).award == "bk_tinh_tt"


def test_a_larger_quota_in_the_year_rules_allows_more(world, six):
    YearRules.objects.create(bloc=world.bloc, year=world.year, bang_khen_pct=Decimal("60"))
    props = generate(world, six)
    assert [p.award for p in props].count("bk_tinh_tt") == 3  # 60 % of 5 = 3


def test_an_ineligible_unit_cannot_be_proposed_and_the_reason_is_given(world, six):
    generate(world, six, ineligible=[six[5]], no_co=[six[4]])
    chair = world.users["chair"]
    services.proposal_remove(proposal=Proposal.objects.get(unit=six[2]), actor=chair)
    with pytest.raises(ValidationError, match="không đủ điều kiện khen thưởng: Đang thanh tra"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[5], award="bk_tinh_tt", actor=chair
        )
    with pytest.raises(ValidationError, match="không đủ điều kiện xét Cờ thi đua"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[4], award="co_cp", actor=chair
        )
    p = services.proposal_add(
        bloc=world.bloc,
        year=world.year,
        unit=six[4],
        award="bk_tinh_tt",
        actor=chair,
        achievements="Hoàn thành xuất sắc nhiệm vụ",
    )
    assert p.rank == 5 and p.achievements == "Hoàn thành xuất sắc nhiệm vụ"


def test_one_award_per_unit_but_the_leader_may_also_be_put_forward_for_co_cp(world, six):
    generate(world, six)
    chair = world.users["chair"]
    with pytest.raises(ValidationError, match="một hình thức"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[1], award="ttldxs", actor=chair
        )
    with pytest.raises(ValidationError, match="đơn vị dẫn đầu"):
        services.proposal_add(
            bloc=world.bloc, year=world.year, unit=six[1], award="co_cp", actor=chair
        )
    cp = services.proposal_add(
        bloc=world.bloc, year=world.year, unit=six[0], award="co_cp", actor=chair
    )
    assert cp.unit == six[0]


def test_votes_are_checked_and_a_vote_below_the_threshold_cannot_be_submitted(world, six):
    props = generate(world, six)
    chair = world.users["chair"]
    with pytest.raises(ValidationError, match="vượt tổng số"):
        services.proposal_vote(
            proposal=props[0], actor=chair, vote_for=8, vote_against=3, vote_total=10
        )
    with pytest.raises(ValidationError, match="chưa ghi kết quả biểu quyết"):
        submit(world)
    vote_all(world, props)
    services.proposal_vote(
        proposal=props[2], actor=chair, vote_for=7, vote_against=2, vote_total=9
    )  # 77.8 % < 80 %
    with pytest.raises(ValidationError) as exc:
        submit(world)
    assert "77,8 %, thấp hơn 80 %" in " ".join(exc.value.messages)
    assert not Dossier.objects.exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == {P.DRAFTED}
    services.proposal_vote(
        proposal=props[2], actor=chair, vote_for=8, vote_against=1, vote_total=10
    )  # exactly 80 % passes
    dossier = submit(world)
    assert dossier.seq == 1 and dossier.proposals.count() == 3
    assert set(Proposal.objects.values_list("status", flat=True)) == {P.SUBMITTED}


def test_an_unchanged_vote_records_nothing(world, six):
    props = generate(world, six)
    vote_all(world, props[:1])
    before = AuditEvent.objects.count()
    vote_all(world, props[:1])
    assert AuditEvent.objects.count() == before


def test_review_state_machine_with_refused_transitions(world, six):
    props = generate(world, six)
    vote_all(world, props)
    submit(world)
    reviewer, chair = world.users["reviewer"], world.users["chair"]
    first, second, third = (Proposal.objects.get(pk=p.pk) for p in props)
    with pytest.raises(PermissionDenied):
        reviews.proposal_approve(proposal=first, actor=chair)
    with pytest.raises(ValidationError, match="không sửa được"):
        services.proposal_update(proposal=first, actor=chair, award="co_tinh", achievements="x")
    with pytest.raises(ValidationError, match="chỉ ở trạng thái|không thực hiện được"):
        reviews.proposal_decide(
            proposal=first, actor=reviewer, number="1/QĐ", date=timezone.localdate()
        )
    reviews.proposal_approve(proposal=first, actor=reviewer)
    with pytest.raises(ValidationError, match="lý do"):
        reviews.proposal_return(proposal=second, actor=reviewer, reason="  ")
    reviews.proposal_return(proposal=second, actor=reviewer, reason="Bổ sung báo cáo thành tích")
    reviews.proposal_reject(proposal=third, actor=reviewer, reason="Chưa đủ tiêu chuẩn")
    with pytest.raises(ValidationError, match="không thực hiện được"):
        reviews.proposal_approve(proposal=third, actor=reviewer)
    # the returned one is corrected and goes in a second dossier
    second = services.proposal_update(
        proposal=second, actor=chair, award="bk_tinh_tt", achievements="Bổ sung: 3 sáng kiến"
    )
    assert second.status == P.DRAFTED
    dossier = submit(world)
    assert dossier.seq == 2 and list(dossier.proposals.all()) == [second]
    decided = reviews.proposal_decide(
        proposal=first, actor=reviewer, number="125/QĐ-UBND", date=timezone.localdate()
    )
    assert decided.status == P.DECIDED
    assert decided.decision_issuer == f"Chủ tịch UBND tỉnh {world.province.name}"
    assert decided.reward_amount == Decimal("18720000")  # 8.0 × 2.340.000
    with pytest.raises(ValidationError):
        reviews.proposal_decide(
            proposal=first, actor=reviewer, number="x", date=timezone.localdate()
        )


def test_decision_date_must_follow_the_submission(world, six):
    props = generate(world, six)
    vote_all(world, props)
    submit(world)
    reviewer = world.users["reviewer"]
    reviews.proposal_approve(proposal=props[0], actor=reviewer)
    with pytest.raises(ValidationError, match="Ngày quyết định"):
        reviews.proposal_decide(
            proposal=props[0],
            actor=reviewer,
            number="1",
            date=timezone.localdate() - dt.timedelta(days=30),
        )
    with pytest.raises(ValidationError, match="số quyết định"):
        reviews.proposal_decide(
            proposal=props[0], actor=reviewer, number=" ", date=timezone.localdate()
        )


def test_a_reviewer_of_another_province_cannot_review(world, six):
    from tests.factories import make_province, make_user

    props = generate(world, six)
    vote_all(world, props)
    submit(world)
    stranger = make_user("other_reviewer", None, reviewer_province=make_province("Tỉnh Khác"))
    with pytest.raises(PermissionDenied):
        reviews.proposal_approve(proposal=props[0], actor=stranger)


@pytest.mark.parametrize(
    "award, base, amount",
    [
        ("co_cp", "2340000", "28080000"),
        ("co_tinh", "2340000", "18720000"),
        ("bk_tinh_tt", "2340000", "7020000"),
        ("bk_ttg_tt", "2340000", "16380000"),
        ("ttldxs", "2340000", "3510000"),
        ("ttldxs", "2340001", "3510002"),  # 3 510 001.5 rounds half up to whole đồng
    ],
)
def test_reward_amount_is_the_multiplier_times_the_base_salary(award, base, amount):
    assert awards.reward_amount(award, Decimal(base)) == Decimal(amount)
    assert "152/2025/NĐ-CP" in awards.AWARD_RULES[award].basis


def _bloc_with_leader(world, n):
    """Another bloc of the province with an adopted ranking and its leader proposed."""
    bloc, members, _ = make_bloc_world(units=3, province=world.province, year=world.year)
    make_ranking(bloc, world.year, members)
    services.proposals_generate(bloc=bloc, year=world.year, actor=None)
    return bloc, members


def _propose_co_cp(bloc, year, leader):
    p = services.proposal_add(bloc=bloc, year=year, unit=leader, award="co_cp", actor=None)
    for q in Proposal.objects.filter(bloc=bloc, year=year):
        services.proposal_vote(proposal=q, actor=None, vote_for=5, vote_against=0, vote_total=5)
    return p


def test_co_cp_candidates_are_at_most_20_percent_of_the_provinces_leaders(world):
    blocs = [_bloc_with_leader(world, i) for i in range(4)]
    # 4 leaders × 20 % = 0.8 → no Cờ CP candidate yet
    bloc, members = blocs[0]
    _propose_co_cp(bloc, world.year, members[0])
    with pytest.raises(ValidationError, match="tối đa 20 % số đơn vị dẫn đầu"):
        services.dossier_submit(bloc=bloc, year=world.year, actor=None, date=timezone.localdate())
    assert not Dossier.objects.exists()
    _bloc_with_leader(world, 5)  # a fifth leader: 1 candidate allowed
    services.dossier_submit(bloc=bloc, year=world.year, actor=None, date=timezone.localdate())
    other, other_members = blocs[1]
    _propose_co_cp(other, world.year, other_members[0])
    with pytest.raises(ValidationError, match="đã có 1 đề nghị"):
        services.dossier_submit(bloc=other, year=world.year, actor=None, date=timezone.localdate())
    ProvinceRules.objects.create(province=world.province, co_cp_pct=Decimal("40"))
    services.dossier_submit(bloc=other, year=world.year, actor=None, date=timezone.localdate())
    assert services.co_cp_counts(world.province, world.year) == (5, 2)


def test_only_units_of_the_top_band_are_proposed_when_the_scale_has_bands(world, six):
    """With the scale's rating bands (Hoàn thành xuất sắc / tốt / …), an award goes only to a unit
    rated in the top band: generation passes over the others, adding one is refused."""
    from scoring.models import RankingRow
    from tests.scoring.conftest import make_template

    template = make_template(world.bloc, world.year, world.users["chair"])
    top, second = [b.label for b in template.bands.order_by("-min_total")][:2]
    make_ranking(world.bloc, world.year, six)
    RankingRow.objects.update(band=top)
    RankingRow.objects.filter(unit=world.deputy_unit).update(band=second)
    made = services.proposals_generate(bloc=world.bloc, year=world.year, actor=world.users["chair"])
    assert world.deputy_unit not in {p.unit for p in made}  # #2, rated one band lower
    assert awards_of(made)[0] == (world.head.name, "co_tinh")
    with pytest.raises(ValidationError, match=f"chỉ đề nghị khen thưởng đơn vị xếp loại “{top}”"):
        services.proposal_add(
            bloc=world.bloc,
            year=world.year,
            actor=world.users["chair"],
            unit=world.deputy_unit,
            award="bk_tinh_tt",
        )
