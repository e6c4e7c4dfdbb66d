"""Table-driven tests of the scoring maths: each leaf type, caps, bands and floors, totals above
the maximum, tree checks, rounding, tie-breaks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from scoring import calc
from scoring.calc import Band, LeafInput, Node, RankInput, ScoreError


def leaf(key, kind, mx, **kw) -> Node:
    return Node(key=key, code=key, kind=kind, max_points=D(mx), **kw)


def group(key, mx, *children) -> Node:
    return Node(key=key, code=key, kind=calc.GROUP, max_points=D(mx), children=tuple(children))


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("1.005"), D("1.01")),
        (D("1.004"), D("1.00")),
        (D("2.5"), D("2.50")),
        (D("-1.005"), D("-1.01")),
        (D("33.333333"), D("33.33")),
    ],
)
def test_round_points_half_away_from_zero(value, expected):
    assert calc.round_points(value) == expected


@pytest.mark.parametrize(
    "value, text", [(D("12.50"), "12,5"), (D("100"), "100"), (D("0.25"), "0,25"), (None, "")]
)
def test_fmt_vietnamese_decimal_comma(value, text):
    assert calc.fmt(value) == text


@pytest.mark.parametrize("text, number", [("12,5", D("12.5")), (" 7 ", D("7")), (3, D("3"))])
def test_to_decimal_reads_typed_numbers(text, number):
    assert calc.to_decimal(text) == number


@pytest.mark.parametrize("text", ["mười", "", "NaN", "1,2,3", True, None])
def test_to_decimal_refuses_text(text):
    with pytest.raises(ScoreError):
        calc.to_decimal(text)


GRADED = leaf("g", calc.GRADED, "10", step=D("0.25"))

LEAF_CASES = [
    # node, input, expected points
    (GRADED, LeafInput(value="7,75"), D("7.75")),
    (GRADED, LeafInput(value=0), D("0")),
    (GRADED, LeafInput(value=10), D("10")),
    (leaf("p", calc.PASS_FAIL, "5"), LeafInput(passed=True), D("5")),
    (leaf("p", calc.PASS_FAIL, "5"), LeafInput(passed=False), D("0")),
    (leaf("o", calc.PER_OCCURRENCE, "10", points_per=D("2")), LeafInput(count=3), D("6")),
    (leaf("o", calc.PER_OCCURRENCE, "10", points_per=D("2")), LeafInput(count=9), D("10")),
    (leaf("b", calc.BONUS, "5", points_per=D("1.5")), LeafInput(count=2), D("3")),
    (leaf("b", calc.BONUS, "5", points_per=D("1.5")), LeafInput(count=4), D("5")),
    (leaf("d", calc.DEDUCTION, "4", points_per=D("1")), LeafInput(count=2), D("2")),
    (leaf("d", calc.DEDUCTION, "4", points_per=D("1")), LeafInput(count=7), D("4")),
]


@pytest.mark.parametrize("node, entry, expected", LEAF_CASES)
def test_leaf_points(node, entry, expected):
    assert calc.leaf_points(node, entry) == expected


@pytest.mark.parametrize(
    "entry, message",
    [
        (LeafInput(value=11), "từ 0 đến 10"),
        (LeafInput(value=-1), "từ 0 đến 10"),
        (LeafInput(value="7,3"), "bước 0,25"),
        (LeafInput(value="bảy"), "không phải là số"),
    ],
)
def test_graded_refuses_out_of_range_and_off_step(entry, message):
    with pytest.raises(ScoreError, match=message):
        calc.leaf_points(GRADED, entry)


def test_count_must_be_whole_and_not_negative():
    node = leaf("o", calc.PER_OCCURRENCE, "10", points_per=D("2"))
    for bad in (-1, "1,5"):
        with pytest.raises(ScoreError, match="số nguyên"):
            calc.leaf_points(node, LeafInput(count=bad))


def test_group_is_not_scored_directly():
    with pytest.raises(ScoreError):
        calc.leaf_points(group("I", "10"), LeafInput())


# Example D of DOMAIN §2.1: MS = 10, target T = 100, leader ratio L = 1.5
@pytest.mark.parametrize(
    "formula, target, actual, leader, best, expected",
    [
        ("ratio", "100", "80", None, None, "8"),
        ("ratio", "100", "120", None, None, "10"),
        ("leader", "100", "80", "1.5", None, "4"),  # A<T: ½·MS·A/T
        ("leader", "100", "100", "1.5", None, "5"),  # A=T: ½·MS
        ("leader", "100", "150", "1.5", None, "10"),  # the leader: MS
        ("leader", "100", "125", "1.5", None, "7.5"),  # ½MS + ½MS·(0.25/0.5)
        ("leader", None, "30", None, "60", "5"),  # no target: MS·A/best
        ("leader", "0", "0", None, None, "0"),  # no target, nobody has a result
    ],
)
def test_quantitative_example_d(formula, target, actual, leader, best, expected):
    points = calc.quantitative(
        max_points=D("10"),
        target=D(target) if target is not None else None,
        actual=D(actual),
        formula=formula,
        leader_ratio=D(leader) if leader else None,
        best_actual=D(best) if best else None,
    )
    assert points == D(expected)


def test_quantitative_refuses_negative_actual():
    with pytest.raises(ScoreError):
        calc.quantitative(max_points=D(10), target=D(5), actual=D(-1))


# The synthetic 60/15/15/10 sheet of DOMAIN §2.2 with a bonus and a penalty group.
SHEET = [
    group(
        "I",
        "60",
        leaf("1", calc.GRADED, "40"),
        leaf("2", calc.GRADED, "20"),
        leaf("2d", calc.DEDUCTION, "10", points_per=D("2")),
    ),
    group("II", "15", leaf("3", calc.PASS_FAIL, "15")),
    group("III", "15", leaf("4", calc.GRADED, "15")),
    group("IV", "10", leaf("5", calc.GRADED, "10"), leaf("5b", calc.BONUS, "2", points_per=D(1))),
    group("+", "5", leaf("b1", calc.BONUS, "5", points_per=D("1"))),
    group("-", "10", leaf("p1", calc.DEDUCTION, "10", points_per=D("1"))),
]


def test_tree_totals_split_base_bonus_and_penalty():
    totals = calc.tree_totals(SHEET)
    assert (totals.base, totals.bonus, totals.penalty) == (D(100), D(5), D(10))


def test_score_tree_sums_caps_groups_and_collects_pools():
    points = {
        "1": D(38),
        "2": D(20),
        "2d": D(4),
        "3": D(15),
        "4": D("12.5"),
        "5": D(9),
        "5b": D(1),
        "b1": D(3),
        "p1": D(2),
    }
    result = calc.score_tree(SHEET, points)
    assert result.nodes["I"] == D(54)  # 38 + 20 − 4 (a deduction inside its group)
    assert result.base == D(54) + 15 + D("12.5") + 9
    assert result.bonus == D(4)  # 3 in the bonus group + 1 inside IV
    assert result.penalty == D(2)


def test_deduction_never_takes_a_group_below_zero():
    tree = [
        group(
            "I",
            "10",
            leaf("a", calc.GRADED, "10"),
            leaf("d", calc.DEDUCTION, "10", points_per=D(5)),
        )
    ]
    assert calc.score_tree(tree, {"a": D(2), "d": D(10)}).nodes["I"] == 0


def test_parent_caps_children_when_the_template_allows_them_over():
    tree = [group("I", "10", leaf("a", calc.GRADED, "8"), leaf("b", calc.GRADED, "8"))]
    assert calc.score_tree(tree, {"a": D(8), "b": D(7)}).base == D(10)


@pytest.mark.parametrize(
    "base, bonus, penalty, bonus_cap, penalty_cap, allow, expected, clamped",
    [
        ("90", "3", "0", "5", None, False, "93", False),
        ("90", "8", "0", "5", None, False, "95", False),  # bonus capped at 5
        ("98", "5", "0", "5", None, False, "100", True),  # clamped to the maximum
        ("97", "10", "0", "15", None, True, "107", False),  # Example B: 97 + 10 = 107
        ("90", "0", "7", None, "5", False, "85", False),  # penalty capped at 5
        ("90", "0", "7", None, None, False, "83", False),  # no penalty cap
        ("3", "0", "9", None, None, False, "0", False),  # never below 0
        ("90.333", "1.0049", "0", None, None, False, "91.34", False),  # rounded once
    ],
)
def test_final_total(base, bonus, penalty, bonus_cap, penalty_cap, allow, expected, clamped):
    total = calc.final_total(
        base=D(base),
        bonus=D(bonus),
        penalty=D(penalty),
        max_total=D(100),
        bonus_cap=D(bonus_cap) if bonus_cap else None,
        penalty_cap=D(penalty_cap) if penalty_cap else None,
        allow_exceed_max=allow,
    )
    assert (total.total, total.clamped) == (D(expected), clamped)


def test_final_total_on_a_1000_point_scale():
    total = calc.final_total(base=D(955), bonus=D(60), max_total=D(1000), bonus_cap=D(50))
    assert (total.total, total.bonus, total.clamped) == (D(1000), D(50), True)


# Example C (Nghệ An): ≥ 90 and none below 85 % → HTXS; 80–90, none below 80 % → HTT; …
BANDS = [
    Band("Hoàn thành xuất sắc nhiệm vụ", D(90), D(85)),
    Band("Hoàn thành tốt nhiệm vụ", D(80), D(80)),
    Band("Hoàn thành nhiệm vụ", D(70), D(70)),
    Band("Không hoàn thành nhiệm vụ", D(0)),
]


@pytest.mark.parametrize(
    "total, groups, expected",
    [
        ("95", [("58", "60"), ("14", "15")], "Hoàn thành xuất sắc nhiệm vụ"),
        ("92", [("60", "60"), ("12", "15")], "Hoàn thành tốt nhiệm vụ"),  # 12/15 = 80 % < 85 %
        ("92", [("60", "60"), ("11", "15")], "Hoàn thành nhiệm vụ"),  # 73 % < 80 %
        ("85", [("50", "60"), ("13", "15")], "Hoàn thành tốt nhiệm vụ"),
        ("69.99", [("60", "60")], "Không hoàn thành nhiệm vụ"),
        ("90", [("51", "60")], "Hoàn thành xuất sắc nhiệm vụ"),  # exactly 85 % meets the floor
    ],
)
def test_rating_bands_with_floors(total, groups, expected):
    pairs = [(D(a), D(b)) for a, b in groups]
    assert calc.rating(total=D(total), criteria=pairs, bands=BANDS) == expected


def test_rating_without_a_fitting_band_is_empty():
    assert calc.rating(total=D(50), criteria=[], bands=BANDS[:1]) == ""


@pytest.mark.parametrize(
    "tree, allow, expect",
    [
        (SHEET, False, []),
        (
            [group("I", "10", leaf("a", calc.GRADED, "6"), leaf("b", calc.GRADED, "6"))],
            False,
            ["tổng điểm các tiêu chí con (12) vượt điểm tối đa của tiêu chí (10)"],
        ),
        ([group("I", "10", leaf("a", calc.GRADED, "6"), leaf("b", calc.GRADED, "6"))], True, []),
        ([group("I", "60"), group("II", "50")], False, ["(110) vượt tổng điểm tối đa"]),
        ([leaf("a", calc.GRADED, "-1")], False, ["không được âm"]),
        ([leaf("a", calc.PER_OCCURRENCE, "5")], False, ["điểm mỗi lần"]),
        ([leaf("a", calc.QUANTITATIVE, "5")], False, ["công thức"]),
        # bonus children do not count against a base parent
        (
            [
                group(
                    "I",
                    "10",
                    leaf("a", calc.GRADED, "10"),
                    leaf("b", calc.BONUS, "5", points_per=D(1)),
                )
            ],
            False,
            [],
        ),
    ],
)
def test_tree_problems(tree, allow, expect):
    messages = [
        p.message for p in calc.tree_problems(tree, max_total=D(100), allow_children_over=allow)
    ]
    assert len(messages) == len(expect)
    for message, part in zip(messages, expect, strict=True):
        assert part in message


def test_rank_breaks_ties_in_the_templates_order():
    rows = [
        RankInput("A", D(96), group_i=D(58), penalty=D(1)),
        RankInput("B", D(96), group_i=D(58), penalty=D(0)),
        RankInput("C", D(97)),
        RankInput("D", D(96), group_i=D(59)),
    ]
    ranked = calc.rank(rows, ["group_i", "fewer_penalty"])
    assert [(r, row.key) for r, row in ranked] == [(1, "C"), (2, "D"), (3, "B"), (4, "A")]
    by_penalty_first = calc.rank(rows, ["fewer_penalty", "group_i"])
    assert [row.key for _, row in by_penalty_first] == ["C", "D", "B", "A"]


def test_rank_gives_equal_rows_the_same_rank():
    rows = [RankInput("A", D(90)), RankInput("B", D(90)), RankInput("C", D(80))]
    assert [r for r, _ in calc.rank(rows, ["group_i"])] == [1, 1, 3]
