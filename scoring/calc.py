"""The scoring maths, as pure functions over plain data (no database): the points of each leaf
type, subtotals of a criteria tree, bonus and penalty caps, the maximum, rating bands with
per-criterion floors, the checks of a tree as it is built, and tie-breaks.

Everything is `Decimal`; `round_points` is the one place where points are rounded.
Kinds are the strings of `scoring.models.Criterion.Kind` (this module imports no model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ZERO = Decimal("0")
HALF = Decimal("0.5")
CENT = Decimal("0.01")

GROUP = "group"
GRADED = "graded"
PASS_FAIL = "pass_fail"
QUANTITATIVE = "quantitative"
PER_OCCURRENCE = "per_occurrence"
DEDUCTION = "deduction"
BONUS = "bonus"
LEAF_KINDS = (GRADED, PASS_FAIL, QUANTITATIVE, PER_OCCURRENCE, DEDUCTION, BONUS)

BASE, BONUS_POOL, PENALTY_POOL = "base", "bonus", "penalty"

RATIO, LEADER = "ratio", "leader"


class ScoreError(ValueError):
    """A score that the criterion cannot take (the message is shown to the user)."""


def round_points(value: Decimal) -> Decimal:
    """The one rounding of points: two decimals, halves away from zero."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """Points as Vietnamese text: decimal comma, no useless zeros (12,5 · 100 · 0,25)."""
    if value is None:
        return ""
    text = f"{round_points(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def to_decimal(value: object) -> Decimal:
    """A number typed by a person or read from a cell ("12,5", 12.5, "1.000"? no: 1000)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ScoreError("Không phải là số.")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ScoreError(f"“{value}” không phải là số.") from None
    if not number.is_finite():
        raise ScoreError(f"“{value}” không phải là số.")
    return number


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Node:
    """One criterion: `key` identifies it (an id or a code path), `code` is what people see."""

    key: str
    code: str
    kind: str
    max_points: Decimal
    children: tuple[Node, ...] = ()
    step: Decimal | None = None
    points_per: Decimal | None = None
    formula: str = ""

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def leaf_pool(kind: str) -> str:
    return {BONUS: BONUS_POOL, DEDUCTION: PENALTY_POOL}.get(kind, BASE)


def pool(node: Node) -> str:
    """Which total a node counts toward: a group whose children all give bonus (or all deduct)
    is a bonus (penalty) group; any other group is part of the base score."""
    if node.kind != GROUP:
        return leaf_pool(node.kind)
    pools = {pool(c) for c in node.children}
    return pools.pop() if len(pools) == 1 else BASE


def children_sum(node: Node) -> Decimal:
    """The sum of the maxima of a group's children that count toward the group's own total."""
    mine = pool(node)
    return sum((c.max_points for c in node.children if pool(c) == mine), ZERO)


@dataclass(frozen=True)
class TreeTotals:
    base: Decimal
    bonus: Decimal
    penalty: Decimal


def tree_totals(roots: Sequence[Node]) -> TreeTotals:
    """The maxima of the top-level criteria by total: base points, possible bonus, penalty."""
    sums = {BASE: ZERO, BONUS_POOL: ZERO, PENALTY_POOL: ZERO}
    for node in roots:
        sums[pool(node)] += node.max_points
    return TreeTotals(sums[BASE], sums[BONUS_POOL], sums[PENALTY_POOL])


@dataclass(frozen=True)
class Problem:
    key: str
    message: str


def tree_problems(
    roots: Sequence[Node], *, max_total: Decimal, allow_children_over: bool = False
) -> list[Problem]:
    """What is wrong with a tree as built: negative maxima, a leaf type's missing parameters, and
    children whose maxima add up above their parent (or top-level points above the template's
    maximum) unless the template allows it."""
    problems: list[Problem] = []
    for root in roots:
        for node in root.walk():
            problems.extend(_node_problems(node, allow_children_over))
    base = tree_totals(roots).base
    if base > max_total and not allow_children_over:
        problems.append(
            Problem(
                "",
                f"Tổng điểm các nhóm tiêu chí ({fmt(base)}) vượt tổng điểm tối đa "
                f"của thang điểm ({fmt(max_total)}).",
            )
        )
    return problems


def _node_problems(node: Node, allow_children_over: bool) -> list[Problem]:
    out = []
    if node.max_points < 0:
        out.append(Problem(node.key, f"Tiêu chí {node.code}: điểm tối đa không được âm."))
    if node.kind == GROUP and node.children and not allow_children_over:
        total = children_sum(node)
        if total > node.max_points:
            out.append(
                Problem(
                    node.key,
                    f"Tiêu chí {node.code}: tổng điểm các tiêu chí con ({fmt(total)}) vượt điểm "
                    f"tối đa của tiêu chí ({fmt(node.max_points)}).",
                )
            )
    if node.kind != GROUP and node.children:
        out.append(
            Problem(node.key, f"Tiêu chí {node.code}: chỉ nhóm tiêu chí mới có tiêu chí con.")
        )
    if node.kind in (PER_OCCURRENCE, DEDUCTION, BONUS) and not node.points_per:
        out.append(Problem(node.key, f"Tiêu chí {node.code}: cần nhập điểm mỗi lần."))
    if node.kind == QUANTITATIVE and node.formula not in (RATIO, LEADER):
        out.append(Problem(node.key, f"Tiêu chí {node.code}: cần chọn công thức tính."))
    return out


# ---------------------------------------------------------------- leaves


def graded(value: object, *, max_points: Decimal, step: Decimal | None = None) -> Decimal:
    """A score typed by hand, between 0 and the maximum, on the criterion's step."""
    score = to_decimal(value)
    if score < 0 or score > max_points:
        raise ScoreError(f"Điểm phải từ 0 đến {fmt(max_points)}.")
    if step and score % step != 0:
        raise ScoreError(f"Điểm phải chấm theo bước {fmt(step)}.")
    return score


def pass_fail(passed: bool, *, max_points: Decimal) -> Decimal:
    return max_points if passed else ZERO


def capped_count(count: object, *, points_per: Decimal, cap: Decimal) -> Decimal:
    """Points × count, capped: per occurrence, bonus, and deduction (as a positive amount)."""
    number = to_decimal(count)
    if number < 0 or number != number.to_integral_value():
        raise ScoreError("Số lần phải là số nguyên không âm.")
    return min(number * points_per, cap)


def quantitative(
    *,
    max_points: Decimal,
    target: Decimal | None,
    actual: Decimal,
    formula: str = RATIO,
    leader_ratio: Decimal | None = None,
    best_actual: Decimal | None = None,
) -> Decimal:
    """Target T vs actual A (DOMAIN §2.1 example D).

    ratio:  MS · min(A/T, 1).
    leader: A < T → ½MS·A/T; A = T → ½MS; the best ratio L of the bloc → MS; other
            over-achievers → ½MS + ½MS·(A/T − 1)/(L − 1).
    Without a target (T empty or 0) a unit is scored against the best result of the units
    without one: MS · A / best_actual.
    """
    if actual < 0:
        raise ScoreError("Kết quả thực hiện không được âm.")
    if not target:
        if not best_actual:
            return ZERO
        return max_points * actual / best_actual
    ratio = actual / target
    if formula == RATIO:
        return max_points * min(ratio, Decimal(1))
    half = max_points * HALF
    if ratio < 1:
        return half * ratio
    if ratio == 1:
        return half
    if leader_ratio is None or ratio >= leader_ratio or leader_ratio <= 1:
        return max_points
    return half + half * (ratio - 1) / (leader_ratio - 1)


@dataclass(frozen=True)
class LeafInput:
    """What was entered for a leaf; only the fields its kind reads matter."""

    value: object = None  # graded score
    passed: bool = False  # pass/fail
    count: object = 0  # per occurrence, bonus, deduction
    target: Decimal | None = None
    actual: Decimal = ZERO
    leader_ratio: Decimal | None = None
    best_actual: Decimal | None = None


def leaf_points(node: Node, entry: LeafInput) -> Decimal:
    """The points of one leaf (deductions as a positive amount to subtract)."""
    if node.kind == GRADED:
        return graded(entry.value, max_points=node.max_points, step=node.step)
    if node.kind == PASS_FAIL:
        return pass_fail(entry.passed, max_points=node.max_points)
    if node.kind == QUANTITATIVE:
        return quantitative(
            max_points=node.max_points,
            target=entry.target,
            actual=entry.actual,
            formula=node.formula or RATIO,
            leader_ratio=entry.leader_ratio,
            best_actual=entry.best_actual,
        )
    if node.kind in (PER_OCCURRENCE, BONUS, DEDUCTION):
        return capped_count(entry.count, points_per=node.points_per or ZERO, cap=node.max_points)
    raise ScoreError(f"Tiêu chí {node.code} là nhóm, không chấm trực tiếp.")


# ---------------------------------------------------------------- totals


@dataclass
class TreeScore:
    """Points per node (groups capped at their maximum), and the three totals."""

    nodes: dict[str, Decimal] = field(default_factory=dict)
    base: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO


def score_tree(roots: Sequence[Node], points: Mapping[str, Decimal]) -> TreeScore:
    """Sum leaf points (by node key; a missing leaf scores 0) up the tree. A group scores the sum
    of its children, at most its maximum; a deduction inside a base group lowers that group
    (not below 0); bonus and penalty groups add to the bonus and penalty totals."""
    result = TreeScore()
    for root in roots:
        value = _score_node(root, points, result)
        kind = pool(root)
        if kind == BONUS_POOL:
            result.bonus += value
        elif kind == PENALTY_POOL:
            result.penalty += value
        else:
            result.base += value
    return result


def _score_node(node: Node, points: Mapping[str, Decimal], result: TreeScore) -> Decimal:
    if node.kind != GROUP:
        value = Decimal(points.get(node.key, ZERO))
        result.nodes[node.key] = value
        return value
    mine = pool(node)
    total = ZERO
    for child in node.children:
        value = _score_node(child, points, result)
        kind = pool(child)
        if kind == mine:
            total += value
        elif kind == PENALTY_POOL:
            total -= value
        else:
            result.bonus += value
    value = min(max(total, ZERO), node.max_points)
    result.nodes[node.key] = value
    return value


@dataclass(frozen=True)
class Total:
    total: Decimal
    bonus: Decimal  # bonus counted, after its cap
    penalty: Decimal  # penalty counted, after its cap
    clamped: bool  # the total was cut to the maximum (show a warning)


def final_total(
    *,
    base: Decimal,
    bonus: Decimal = ZERO,
    penalty: Decimal = ZERO,
    max_total: Decimal,
    bonus_cap: Decimal | None = None,
    penalty_cap: Decimal | None = None,
    allow_exceed_max: bool = False,
) -> Total:
    """base + bonus (≤ its cap) − penalty (≤ its cap), never below 0, and at most the maximum
    unless the template allows a total above it (Example B: 97 + 10 = 107)."""
    bonus_used = bonus if bonus_cap is None else min(bonus, bonus_cap)
    penalty_used = penalty if penalty_cap is None else min(penalty, penalty_cap)
    total = max(base + bonus_used - penalty_used, ZERO)
    clamped = not allow_exceed_max and total > max_total
    if clamped:
        total = max_total
    return Total(round_points(total), round_points(bonus_used), round_points(penalty_used), clamped)


@dataclass(frozen=True)
class Band:
    label: str
    min_total: Decimal
    floor_pct: Decimal | None = None


def rating(
    *, total: Decimal, criteria: Iterable[tuple[Decimal, Decimal]], bands: Sequence[Band]
) -> str:
    """The highest band whose minimum the total reaches and whose floor every criterion meets
    (`criteria`: (points, maximum) of the criteria the floors apply to, usually the top-level
    groups). Example C: ≥ 90 and none below 85 % → HTXS. No band fits → ""."""
    pairs = list(criteria)
    for band in sorted(bands, key=lambda b: b.min_total, reverse=True):
        if total < band.min_total:
            continue
        if band.floor_pct is not None and any(
            mx > 0 and points * 100 < band.floor_pct * mx for points, mx in pairs
        ):
            continue
        return band.label
    return ""


# ---------------------------------------------------------------- the ranking (DOMAIN §6.3)


@dataclass(frozen=True)
class RankInput:
    """One unit as the ranking sees it: its final total and the values of the tie-breakers;
    `groups` are (points, maximum) of the criteria the band floors apply to. Eligibility is
    carried along, never used to order: an ineligible unit keeps its score and rank."""

    key: str
    total: Decimal
    group_i: Decimal = ZERO
    penalty: Decimal = ZERO
    bonus: Decimal = ZERO
    full_marks: int = 0
    vote: int | None = None  # the meeting's tie vote, when only the vote breaks a tie
    label: str = ""
    eligible: bool = True
    eligible_for_co: bool = True
    groups: tuple[tuple[Decimal, Decimal], ...] = ()


# tie-breaker → (sort key: smaller ranks first, the value shown in the trace)
_TIE_KEYS = {
    "group_i": (lambda r: -r.group_i, lambda r: fmt(r.group_i)),
    "fewer_penalty": (lambda r: r.penalty, lambda r: fmt(r.penalty)),
    "more_bonus": (lambda r: -r.bonus, lambda r: fmt(r.bonus)),
    "more_full_marks": (lambda r: -r.full_marks, lambda r: str(r.full_marks)),
    "vote": (
        lambda r: -(r.vote or 0),
        lambda r: "chưa biểu quyết" if r.vote is None else str(r.vote),
    ),
}
VOTE = "vote"


def _keys(order: Sequence[str]) -> list[str]:
    return [name for name in order if name in _TIE_KEYS]


def _sort_key(row: RankInput, keys: Sequence[str]) -> tuple:
    return (-row.total, *(_TIE_KEYS[name][0](row) for name in keys))


def rank(rows: Sequence[RankInput], order: Sequence[str]) -> list[tuple[int, RankInput]]:
    """Rows by total, ties broken in the template's order; rows equal on every key share a rank."""
    keys = _keys(order)
    ordered = sorted(rows, key=lambda r: (_sort_key(r, keys), r.label, r.key))
    out: list[tuple[int, RankInput]] = []
    for i, row in enumerate(ordered):
        same = i and _sort_key(ordered[i - 1], keys) == _sort_key(row, keys)
        out.append((out[-1][0] if same else i + 1, row))
    return out


@dataclass
class Ranked:
    """A ranked unit: its place, shared rank, band, and the trace of how its ties were broken
    (one step per tie-breaker that was looked at, with every tied unit's value)."""

    row: RankInput
    position: int
    rank: int
    band: str = ""
    trace: list[dict] = field(default_factory=list)
    vote_needed: bool = False  # its tie reached the meeting vote


def ranking(
    rows: Sequence[RankInput],
    order: Sequence[str],
    *,
    bands: Sequence[Band] = (),
    labels: Mapping[str, str] | None = None,
) -> list[Ranked]:
    """The ranking of §6.3: by total, ties broken by `order` in turn (each step traced), equal
    on every key → the same rank; bands with their floors. Eligibility does not move anyone."""
    keys, labels = _keys(order), labels or {}
    out = [
        Ranked(row, i, r, rating(total=row.total, criteria=row.groups, bands=bands))
        for i, (r, row) in enumerate(rank(rows, order), start=1)
    ]
    by_key = {x.row.key: x for x in out}
    for tied in _runs(out, lambda x: x.row.total):
        head = f"Bằng tổng điểm {fmt(tied[0].row.total)}"
        _break([x.row for x in tied], keys, labels, by_key, head)
    return out


def _runs(items: list, value) -> list[list]:
    """Consecutive items with the same value, where there are two or more."""
    runs: list[list] = []
    for item in items:
        if runs and value(runs[-1][-1]) == value(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return [r for r in runs if len(r) > 1]


def _break(tied, keys, labels, by_key, head: str) -> None:
    """Trace one tie: look at the next tie-breaker, split the units it separates, recurse."""
    names = ", ".join(r.label or r.key for r in tied)
    units = [r.label or r.key for r in tied]
    step = {"units": units, "by": "", "label": "", "values": [], "separated": False}
    if not keys:
        step["text"] = f"{head}: {names}. Bằng nhau ở mọi tiêu chí phân định: đồng hạng."
        for r in tied:
            by_key[r.key].trace.append(step)
        return
    name, rest = keys[0], keys[1:]
    sort, show = _TIE_KEYS[name]
    label = labels.get(name, name)
    values = [[r.label or r.key, show(r)] for r in sorted(tied, key=sort)]
    separated = len({sort(r) for r in tied}) > 1
    verdict = "phân định được" if separated else "vẫn bằng nhau"
    if name == VOTE and any(r.vote is None for r in tied):
        verdict = "chờ hội nghị biểu quyết"
    shown = "; ".join(f"{u} {v}" for u, v in values)
    step |= {"units": [u for u, _ in values], "by": name, "label": label, "values": values}
    step |= {
        "separated": separated,
        "text": f"{head}: {names}. Xét “{label}”: {shown} → {verdict}.",
    }
    for r in tied:
        by_key[r.key].trace.append(step)
        by_key[r.key].vote_needed |= name == VOTE
    if verdict == "chờ hội nghị biểu quyết":
        return
    for group in _runs(sorted(tied, key=sort), sort) if separated else [tied]:
        _break(group, rest, labels, by_key, f"Sau “{label}” còn bằng nhau")


def leader(ranked: Sequence[Any], eligible: Callable[[Any], bool] | None = None) -> Any | None:
    """The unit that leads the bloc (dẫn đầu): the first one eligible for the Cờ. None while it
    shares its rank with another eligible unit (the tie is not broken yet: the vote decides).
    `ranked`: rows with a `.rank`, in order (calc.Ranked, or stored rows with `eligible`)."""
    eligible = eligible or (lambda x: x.row.eligible and x.row.eligible_for_co)
    rows = [x for x in ranked if eligible(x)]
    if not rows or (len(rows) > 1 and rows[1].rank == rows[0].rank):
        return None
    return rows[0]


def percent(part: int, whole: int) -> Decimal:
    """`part` of `whole` in per cent, two decimals (8 of 9 → 88.89); 0 of nobody is 0."""
    return round_points(Decimal(part) * 100 / Decimal(whole)) if whole else ZERO
