"""The awards a bloc proposes and what each is worth (DOMAIN §1.5): the reward is a multiple of
the base salary (lương cơ sở) under NĐ 152/2025/NĐ-CP Art. 50–54. The table is data with its
legal basis, so a new decree changes one line; the base salary itself is ProvinceRules'."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from scoring.models import Title


@dataclass(frozen=True)
class AwardRule:
    multiplier: Decimal
    basis: str
    decided_by: str  # who signs the decision, as the decision names it


NĐ152 = "Nghị định số 152/2025/NĐ-CP"
CHU_TICH = "Chủ tịch UBND tỉnh"
# The article of each amount is not yet checked against the decree text (DOMAIN §1.5 [S]), except
# the Bằng khen amounts that DOMAIN cites to Art. 54: the range is cited rather than a guess.
ARTS = f"{NĐ152}, các Điều 50–54"
ART_54 = f"{NĐ152}, Điều 54"
AWARD_RULES: dict[str, AwardRule] = {
    Title.CO_CP: AwardRule(Decimal("12.0"), ARTS, "Thủ tướng Chính phủ"),
    Title.CO_TINH: AwardRule(Decimal("8.0"), ARTS, CHU_TICH),
    Title.BK_TTG_TT: AwardRule(Decimal("7.0"), ART_54, "Thủ tướng Chính phủ"),
    Title.BK_TINH_TT: AwardRule(Decimal("3.0"), ART_54, CHU_TICH),
    Title.TTLDXS: AwardRule(Decimal("1.5"), ARTS, CHU_TICH),
}
CO_AWARDS = frozenset({Title.CO_CP, Title.CO_TINH})  # need RankingRow.eligible_for_co


def reward_amount(award: str, base_salary: Decimal) -> Decimal:
    """multiplier × base salary, in whole đồng (half up)."""
    rule = AWARD_RULES[award]
    return (rule.multiplier * base_salary).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def bang_khen_quota(*, units: int, co: int, pct: Decimal) -> int:
    """At most `pct` % of the units left after the Cờ, rounded down (never negative)."""
    rest = max(units - co, 0)
    return int((Decimal(rest) * pct / 100).to_integral_value(rounding=ROUND_FLOOR))


def co_cp_allowed(*, leaders: int, pct: Decimal) -> int:
    """Cờ thi đua Chính phủ candidates a province may put forward: `pct` % of its blocs'
    leaders, rounded down (5 leaders at 20 % → 1; 4 leaders → 0)."""
    return int((Decimal(leaders) * pct / 100).to_integral_value(rounding=ROUND_FLOOR))


def vote_passes(*, vote_for: int, vote_total: int, threshold_pct: Decimal) -> bool:
    """for / total ≥ threshold, compared exactly (8 of 10 passes 80 %, 7 of 9 does not)."""
    return vote_total > 0 and Decimal(vote_for) * 100 >= threshold_pct * vote_total


def vote_pct(*, vote_for: int | None, vote_total: int | None) -> Decimal | None:
    if not vote_total or vote_for is None:
        return None
    return (Decimal(vote_for) * 100 / vote_total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
