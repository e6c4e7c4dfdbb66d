"""The ranking through its services: computed from the final sheets with the gates (no final
sheet, registration, compliance flags), recomputed while COMPUTED, the meeting and its votes,
adopting (which freezes); refused input says why and saves nothing; every change is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from blocs.models import AuditEvent
from scoring.models import ComplianceFlag, Meeting, Ranking, Submission
from scoring.services import compliance
from scoring.services import ranking as services
from scoring.services import reviews as review_services
from tests.scoring.ranking_data import final_sheet, mid_year_unit, ranked_world, register_all

D = Decimal


def rows_of(ranking):
    return list(ranking.rows.select_related("unit").order_by("position"))


def names(ranking):
    return [(r.unit.name, r.rank) for r in rows_of(ranking)]


def actions(world, prefix):
    return list(
        AuditEvent.objects.filter(bloc=world.bloc, action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def scored(world, tong_ket):
    # I.2 out of 15: unit_a 15, unit_b 14, head 13; the deputy's unit has no final sheet.
    return ranked_world(world, tong_ket, {"unit_a": "15", "unit_b": "14", "chair": "13"})


def compute(world):
    return services.ranking_compute(bloc=world.bloc, year=world.year, actor=world.users["chair"])


def meet(world, attending=None, **kw):
    units = attending or [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    fields = {
        "date": dt.date(2026, 12, 20),
        "place": "Hội trường Bộ CHQS tỉnh",
        "chair": "Đại tá Nguyễn Văn Trưởng",
        "secretary": "Trần Thị Phó",
    } | kw
    return services.meeting_save(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], attending=units, **fields
    )


def test_compute_ranks_final_sheets_and_lists_a_unit_without_one_as_ineligible(scored):
    ranking = compute(scored)
    rows = rows_of(ranking)
    assert [(r.unit, r.rank) for r in rows] == [
        (scored.unit_a, 1),
        (scored.unit_b, 2),
        (scored.head, 3),
        (scored.deputy_unit, 4),
    ]
    a, b, _head, deputy = rows
    assert a.total - b.total == D(1) and a.eligible and a.eligible_for_co and a.reasons == []
    assert set(a.subtotals) == {"I", "II", "III", "IV", "+", "-"}  # jsonb keeps no key order
    from scoring.selectors_ranking import ranking_view

    shown = ranking_view(bloc_id=scored.bloc.pk, year=scored.year)
    assert shown.groups == ["I", "II", "III", "IV", "+", "-"]  # the template's order
    assert list(shown.rows[0].subtotals) == shown.groups
    assert a.subtotals["II"] == "15.00"
    assert (
        deputy.total is None and not deputy.eligible and deputy.reasons == ["Bảng điểm chưa chốt"]
    )
    assert ranking.status == Ranking.Status.COMPUTED and ranking.tie_break[0] == "group_i"
    assert actions(scored, "ranking.") == ["ranking.compute"]


def test_a_recompute_with_nothing_changed_writes_nothing(scored):
    first = compute(scored)
    again = compute(scored)
    assert again.revision == first.revision
    assert actions(scored, "ranking.") == ["ranking.compute"]


def test_gates_registration_flags_and_a_cleared_flag(world, tong_ket):
    register_all(world)
    for persona, value in (("unit_a", "15"), ("unit_b", "14"), ("chair", "13")):
        final_sheet(world, tong_ket, world.users[persona], lines={"I.2": value})
    chair = world.users["chair"]
    flag = {"source": "Thanh tra tỉnh", "note": "Đang thanh tra việc mua sắm"}
    compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.unit_a,
        kind="inspection",
        effect="veto_co",
        **flag,
    )
    compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.unit_b,
        kind="violation",
        effect="deduct",
        points="2",
        source="Công an tỉnh",
        note="Vi phạm an toàn giao thông",
    )
    compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.head,
        kind="complaint",
        effect="veto_all",
        source="Thanh tra tỉnh",
        note="Đã giải quyết xong",
        cleared_on=dt.date(2026, 3, 1),
    )
    ranking = compute(world)
    by_unit = {r.unit: r for r in rows_of(ranking)}
    a, b, head = by_unit[world.unit_a], by_unit[world.unit_b], by_unit[world.head]
    assert a.rank == 1 and a.eligible and not a.eligible_for_co  # keeps its score and rank
    assert a.reasons == [
        "Không xét Cờ thi đua: Đang thanh tra, kiểm tra – Thanh tra tỉnh: Đang thanh tra việc "
        "mua sắm"
    ]
    assert b.total == head.total - D(1) and b.penalty == D(2) and b.eligible
    assert b.reasons[0].startswith("Trừ 2 điểm: Vi phạm do cơ quan khác thông báo")
    assert head.rank == 2 and head.eligible_for_co and head.reasons == []  # cleared: ignored


def test_missing_registration_makes_a_unit_ineligible_unless_the_bloc_waives_it(world, tong_ket):
    from tests.scoring.conftest import register

    register(world, world.unit_a, accept=True)
    register(world, world.unit_b, submit=True)  # submitted, never accepted
    final_sheet(world, tong_ket, world.users["unit_a"])
    final_sheet(world, tong_ket, world.users["unit_b"])
    by_unit = {r.unit: r for r in rows_of(compute(world))}
    assert not by_unit[world.unit_b].eligible
    assert by_unit[world.unit_b].reasons == [
        "Bản đăng ký thi đua chưa được chấp nhận (đang “Đã gửi, chờ duyệt”)"
    ]
    compliance.year_rules_save(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], registration_required=False
    )
    by_unit = {r.unit: r for r in rows_of(compute(world))}
    assert by_unit[world.unit_b].eligible and by_unit[world.unit_b].reasons == []


def test_a_unit_that_joined_mid_year_is_ranked_and_noted(world, tong_ket):
    register_all(world)
    newcomer = mid_year_unit(world)
    from tests.scoring.conftest import register

    register(world, newcomer.unit, accept=True)
    final_sheet(world, tong_ket, newcomer)
    final_sheet(world, tong_ket, world.users["unit_a"], lines={"I.2": "10"})
    rows = rows_of(compute(world))
    assert rows[0].unit == newcomer.unit and rows[0].partial_year and rows[0].eligible
    assert not rows[1].partial_year


def test_a_tie_only_the_vote_breaks(world, tong_ket):
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "13"})
    ranking = compute(world)
    top = rows_of(ranking)[:2]
    assert [r.rank for r in top] == [1, 1]
    assert "chờ hội nghị biểu quyết" in top[0].trace[-1]["text"]
    meet(world)
    services.ranking_vote(
        ranking=ranking, actor=world.users["chair"], vote_for=4, vote_against=0, vote_total=4
    )
    with pytest.raises(ValidationError, match="chờ hội nghị biểu quyết: Sở Tư pháp Thử; Tòa án"):
        services.ranking_adopt(ranking=ranking, actor=world.users["chair"])
    with pytest.raises(ValidationError) as err:
        services.tie_votes_record(
            ranking=ranking,
            actor=world.users["chair"],
            votes={world.unit_a.pk: 5, world.unit_b.pk: 0},
        )
    assert "vượt số đơn vị dự họp (4)" in str(err.value)
    assert all(r.tie_vote is None for r in rows_of(ranking))  # nothing half-saved
    ranking = services.tie_votes_record(
        ranking=ranking, actor=world.users["chair"], votes={world.unit_a.pk: 1, world.unit_b.pk: 3}
    )
    assert names(ranking)[:2] == [("Tòa án nhân dân tỉnh Thử", 1), ("Sở Tư pháp Thử", 2)]
    assert rows_of(ranking)[0].trace[-1]["values"] == [
        ["Tòa án nhân dân tỉnh Thử", "3"],
        ["Sở Tư pháp Thử", "1"],
    ]
    ranking = services.ranking_adopt(ranking=ranking, actor=world.users["chair"])
    assert ranking.status == Ranking.Status.ADOPTED


def test_meeting_refuses_non_members_and_keeps_nothing(scored):
    with pytest.raises(ValidationError) as err:
        meet(scored, attending=[scored.unit_a, scored.other_unit])
    assert "thành viên" in err.value.message_dict["attending"][0]
    with pytest.raises(ValidationError) as err:
        meet(scored, place="  ")
    assert err.value.message_dict["place"] == ["Nhập địa điểm."]
    with pytest.raises(ValidationError) as err:
        meet(scored, date=dt.date(2024, 12, 1))
    assert "năm 2026" in err.value.message_dict["date"][0]
    assert not Meeting.objects.exists()
    m = meet(scored)
    assert m.attending.count() == 4 and actions(scored, "meeting.") == ["meeting.save"]
    meet(scored)  # the same again: nothing recorded
    assert actions(scored, "meeting.") == ["meeting.save"]


@pytest.mark.parametrize(
    ("votes", "field", "message"),
    [
        ((3, 0, 5), "vote_total", "từ 1 đến 4"),
        ((3, 2, 4), "vote_for", "vượt tổng số phiếu"),
        (("ba", 0, 4), "vote_for", "số nguyên"),
        ((-1, 0, 4), "vote_for", "không âm"),
    ],
)
def test_the_vote_is_checked_against_the_attendance(scored, votes, field, message):
    ranking = compute(scored)
    meet(scored)
    with pytest.raises(ValidationError) as err:
        services.ranking_vote(
            ranking=ranking,
            actor=scored.users["chair"],
            vote_for=votes[0],
            vote_against=votes[1],
            vote_total=votes[2],
        )
    assert message in err.value.message_dict[field][0]
    ranking.refresh_from_db()
    assert ranking.vote_total is None


def test_adopt_needs_the_threshold_then_freezes(scored):
    chair = scored.users["chair"]
    ranking = compute(scored)
    with pytest.raises(ValidationError, match="hội nghị bình xét"):
        services.ranking_adopt(ranking=ranking, actor=chair)
    meet(scored)
    ranking = services.ranking_vote(
        ranking=ranking, actor=chair, vote_for=3, vote_against=1, vote_total=4
    )
    with pytest.raises(ValidationError, match="75 % chưa đạt 80 %"):
        services.ranking_adopt(ranking=ranking, actor=chair)
    ranking = services.ranking_vote(
        ranking=ranking, actor=chair, vote_for=4, vote_against=0, vote_total=4
    )
    ranking = services.ranking_adopt(ranking=ranking, actor=chair)
    assert ranking.status == Ranking.Status.ADOPTED and ranking.adopted_by == chair
    assert ranking.meeting is not None
    frozen = [(r.unit_id, r.total, r.rank) for r in rows_of(ranking)]
    for call in (
        lambda: compute(scored),
        lambda: meet(scored, place="Nơi khác"),
        lambda: services.ranking_vote(
            ranking=ranking, actor=chair, vote_for=3, vote_against=0, vote_total=3
        ),
        lambda: services.ranking_adopt(ranking=ranking, actor=chair),
        lambda: compliance.year_rules_save(
            bloc=scored.bloc, year=scored.year, actor=chair, co_tinh_quota=2
        ),
    ):
        with pytest.raises(ValidationError, match="thông qua"):
            call()
    assert [(r.unit_id, r.total, r.rank) for r in rows_of(ranking)] == frozen
    assert actions(scored, "ranking.") == [
        "ranking.compute",
        "ranking.vote",
        "ranking.vote",
        "ranking.adopt",
    ]
    # a flag can still be cleared after the meeting (a late proposal), the ranking stays
    flag = compliance.flag_add(
        bloc=scored.bloc,
        year=scored.year,
        actor=chair,
        unit=scored.unit_a,
        kind="inspection",
        effect="veto_co",
        source="Thanh tra",
        note="Thanh tra",
    )
    compliance.flag_update(flag=flag, actor=chair, cleared_on=dt.date(2026, 12, 30))
    with pytest.raises(ValidationError, match="không xóa được"):
        compliance.flag_delete(flag=flag, actor=chair)


def test_adopt_refuses_rows_older_than_the_sheets(scored):
    chair = scored.users["chair"]
    ranking = compute(scored)
    meet(scored)
    services.ranking_vote(ranking=ranking, actor=chair, vote_for=4, vote_against=0, vote_total=4)
    sub = Submission.objects.get(round=ranking.round, unit=scored.unit_b)
    review_services.submission_reopen(submission=sub, actor=chair, reason="Sai số liệu")
    with pytest.raises(ValidationError, match="hãy tính lại"):
        services.ranking_adopt(ranking=ranking, actor=chair)
    assert Ranking.objects.get(pk=ranking.pk).status == Ranking.Status.COMPUTED


def test_compute_without_a_tong_ket_round_says_why(world, template):
    with pytest.raises(ValidationError, match="chưa có kỳ báo cáo tổng kết"):
        compute(world)
    assert not Ranking.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"unit": "other"}, "unit", "thành viên"),
        ({"effect": "deduct", "points": ""}, "points", "số điểm trừ"),
        ({"effect": "deduct", "points": "-1"}, "points", "số điểm trừ"),
        ({"kind": "gossip"}, "kind", "loại"),
        ({"source": " "}, "source", "cơ quan thông báo"),
        ({"note": ""}, "note", "nội dung"),
    ],
)
def test_flag_input_is_checked_next_to_its_field(world, fields, field, message):
    values = {
        "unit": world.unit_a,
        "kind": "discipline",
        "effect": "veto_all",
        "source": "Sở Nội vụ",
        "note": "Cán bộ bị kỷ luật cảnh cáo",
    } | fields
    if values["unit"] == "other":
        values["unit"] = world.other_unit
    with pytest.raises(ValidationError) as err:
        compliance.flag_add(bloc=world.bloc, year=world.year, actor=world.users["chair"], **values)
    assert message in err.value.message_dict[field][0]
    assert not ComplianceFlag.objects.exists()


def test_flag_changes_are_audited_old_to_new(world):
    chair = world.users["chair"]
    flag = compliance.flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=chair,
        unit=world.unit_a,
        kind="discipline",
        effect="veto_all",
        source="Sở Nội vụ",
        note="Kỷ luật",
    )
    compliance.flag_update(flag=flag, actor=chair, effect="deduct", points="1,5")
    compliance.flag_update(flag=flag, actor=chair, effect="deduct", points="1.5")  # unchanged
    event = AuditEvent.objects.filter(action="compliance.update").get()
    assert event.data["changes"]["effect"] == {"old": "veto_all", "new": "deduct"}
    assert event.data["changes"]["points"] == {"old": None, "new": "1.50"}
    compliance.flag_delete(flag=flag, actor=chair)
    assert actions(world, "compliance.") == [
        "compliance.add",
        "compliance.update",
        "compliance.delete",
    ]


def test_year_rules_are_checked_and_audited(world):
    chair = world.users["chair"]
    with pytest.raises(ValidationError) as err:
        compliance.year_rules_save(
            bloc=world.bloc, year=world.year, actor=chair, vote_threshold_pct="120"
        )
    assert "từ 0 đến 100" in err.value.message_dict["vote_threshold_pct"][0]
    rules = compliance.year_rules_save(
        bloc=world.bloc, year=world.year, actor=chair, vote_threshold_pct="66,67", co_tinh_quota=2
    )
    assert rules.vote_threshold_pct == D("66.67") and rules.co_tinh_quota == 2
    compliance.year_rules_save(bloc=world.bloc, year=world.year, actor=chair, co_tinh_quota=2)
    event = AuditEvent.objects.get(action="year_rules.save")
    assert event.data["co_tinh_quota"] == {"old": 1, "new": 2}
