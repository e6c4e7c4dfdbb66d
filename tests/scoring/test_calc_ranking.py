"""The ranking of DOMAIN §6.3 in scoring.calc, table-driven: ties at the top broken by each
tie-breaker in turn (with the trace naming the values), a tie only the vote breaks, a
disqualified leader, a total above the maximum allowed by bonus points, a unit that joined
mid-year, band floors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from scoring import calc
from scoring.calc import Band, RankInput

ORDER = ["group_i", "fewer_penalty", "more_bonus", "more_full_marks", "vote"]
LABELS = {
    "group_i": "Điểm nhóm I cao hơn",
    "fewer_penalty": "Ít điểm trừ hơn",
    "more_bonus": "Nhiều điểm thưởng hơn",
    "more_full_marks": "Nhiều tiêu chí đạt tối đa hơn",
    "vote": "Biểu quyết",
}
EVEN = {"group_i": D(58), "penalty": D(1), "bonus": D(2), "full_marks": 5, "vote": 4}


def unit(label, total, **kw):
    return RankInput(key=label, label=label, total=D(total), **{**EVEN, **kw})


# tie-breaker → (what A has better, what B has) ; everything before it is equal
BREAKS = [
    ("group_i", {"group_i": D("58.5")}, {"group_i": D(58)}),
    ("fewer_penalty", {"penalty": D(0)}, {"penalty": D(1)}),
    ("more_bonus", {"bonus": D(3)}, {"bonus": D(2)}),
    ("more_full_marks", {"full_marks": 6}, {"full_marks": 5}),
    ("vote", {"vote": 6}, {"vote": 3}),
]


@pytest.mark.parametrize(("key", "better", "worse"), BREAKS, ids=[b[0] for b in BREAKS])
def test_a_tie_at_the_top_is_broken_by_each_tie_breaker_in_turn(key, better, worse):
    # B is listed first and is better on every LATER key: only `key` may decide.
    later = ORDER[ORDER.index(key) + 1 :]
    b_wins_later = {
        "group_i": D(59),
        "penalty": D(0),
        "bonus": D(9),
        "full_marks": 9,
        "vote": 9,
    }
    field_of = {
        "group_i": "group_i",
        "fewer_penalty": "penalty",
        "more_bonus": "bonus",
        "more_full_marks": "full_marks",
        "vote": "vote",
    }
    b_extra = {field_of[k]: b_wins_later[field_of[k]] for k in later}
    rows = [unit("B", 96, **worse, **b_extra), unit("A", 96, **better), unit("C", 90)]
    ranked = calc.ranking(rows, ORDER, labels=LABELS)
    assert [(x.row.key, x.rank) for x in ranked] == [("A", 1), ("B", 2), ("C", 3)]
    last = ranked[0].trace[-1]
    assert last["by"] == key and last["separated"] is True
    assert [u for u, _ in last["values"]] == ["A", "B"]
    assert f"Xét “{LABELS[key]}”" in last["text"] and "phân định được" in last["text"]
    earlier = [step["by"] for step in ranked[0].trace[:-1]]
    assert earlier == ORDER[: ORDER.index(key)]  # each earlier key looked at, still equal
    assert ranked[2].trace == []  # C was never tied
    assert calc.leader(ranked).row.key == "A"


def test_the_trace_names_the_values_that_separated_the_units():
    rows = [unit("Sở A", 96, group_i=D("57.5")), unit("Sở B", 96, group_i=D(58))]
    (first, second) = calc.ranking(rows, ORDER, labels=LABELS)
    step = first.trace[0]
    assert step["values"] == [["Sở B", "58"], ["Sở A", "57,5"]]
    assert step["text"] == (
        "Bằng tổng điểm 96: Sở B, Sở A. Xét “Điểm nhóm I cao hơn”: Sở B 58; Sở A 57,5 "
        "→ phân định được."
    )
    assert second.trace == [step]


def test_a_tie_that_only_the_vote_breaks():
    rows = [unit("A", 96, vote=None), unit("B", 96, vote=None), unit("C", 95, vote=None)]
    ranked = calc.ranking(rows, ORDER, labels=LABELS)
    assert [x.rank for x in ranked] == [1, 1, 3]
    assert [x.vote_needed for x in ranked] == [True, True, False]
    assert "chờ hội nghị biểu quyết" in ranked[0].trace[-1]["text"]
    assert calc.leader(ranked) is None  # nobody leads until the meeting votes

    voted = [unit("A", 96, vote=3), unit("B", 96, vote=6), unit("C", 95, vote=None)]
    ranked = calc.ranking(voted, ORDER, labels=LABELS)
    assert [(x.row.key, x.rank) for x in ranked] == [("B", 1), ("A", 2), ("C", 3)]
    assert ranked[0].trace[-1]["values"] == [["B", "6"], ["A", "3"]]
    assert calc.leader(ranked).row.key == "B"


def test_units_equal_on_every_key_share_the_rank_and_the_trace_says_so():
    rows = [unit("A", 96), unit("B", 96), unit("C", 80)]
    ranked = calc.ranking(rows, ["group_i"], labels=LABELS)
    assert [x.rank for x in ranked] == [1, 1, 3]
    assert "đồng hạng" in ranked[0].trace[-1]["text"]


@pytest.mark.parametrize(
    ("flags", "leads"),
    [
        ({"eligible_for_co": False}, "B"),  # vetoed for the Cờ only
        ({"eligible": False}, "B"),  # vetoed for every award
        ({}, "A"),
    ],
)
def test_a_disqualified_leader_keeps_its_rank_and_the_next_eligible_unit_leads(flags, leads):
    rows = [unit("A", 97, **flags), unit("B", 95), unit("C", 90)]
    ranked = calc.ranking(rows, ORDER, labels=LABELS)
    assert [(x.row.key, x.rank) for x in ranked] == [("A", 1), ("B", 2), ("C", 3)]
    assert calc.leader(ranked).row.key == leads


@pytest.mark.parametrize(("allow", "total", "first"), [(True, "103", "A"), (False, "100", None)])
def test_a_total_above_the_maximum_when_bonus_points_allow_it(allow, total, first):
    a = calc.final_total(
        base=D(98), bonus=D(5), max_total=D(100), bonus_cap=D(5), allow_exceed_max=allow
    )
    assert a.total == D(total) and a.clamped is not allow
    rows = [unit("B", 100, group_i=D(58)), unit("A", a.total, group_i=D(58))]
    ranked = calc.ranking(rows, ["group_i"], labels=LABELS)
    if first:
        assert ranked[0].row.key == first and ranked[0].rank == 1 and ranked[1].rank == 2
    else:  # clamped to 100: a tie with B that no key breaks
        assert [x.rank for x in ranked] == [1, 1]


def test_a_unit_that_joined_mid_year_is_ranked_on_its_final_sheet():
    # It scored only the tổng kết round it belonged to; its total is not pro-rated.
    rows = [unit("Cũ", 91), unit("Mới (từ 01/7)", 93), unit("Khác", 92)]
    ranked = calc.ranking(rows, ORDER, labels=LABELS)
    assert [x.row.key for x in ranked] == ["Mới (từ 01/7)", "Khác", "Cũ"]


BANDS = [
    Band("Hoàn thành xuất sắc nhiệm vụ", D(90), D(85)),
    Band("Hoàn thành tốt nhiệm vụ", D(80), D(70)),
    Band("Hoàn thành nhiệm vụ", D(50)),
]


@pytest.mark.parametrize(
    ("total", "groups", "band"),
    [
        (95, [(58, 60), (14, 15)], "Hoàn thành xuất sắc nhiệm vụ"),
        (95, [(58, 60), (12, 15)], "Hoàn thành tốt nhiệm vụ"),  # group II at 80 % < 85 %
        (95, [(58, 60), (10, 15)], "Hoàn thành nhiệm vụ"),  # 66.7 % < 70 %: no floor at 50
        (85, [(60, 60), (15, 15)], "Hoàn thành tốt nhiệm vụ"),
        (40, [(30, 60)], ""),
    ],
)
def test_bands_apply_their_per_criterion_floors(total, groups, band):
    pairs = tuple((D(p), D(m)) for p, m in groups)
    (ranked,) = calc.ranking([unit("A", total, groups=pairs)], ORDER, bands=BANDS)
    assert ranked.band == band
