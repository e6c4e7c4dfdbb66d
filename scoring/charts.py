"""Charts drawn on the server as inline SVG (no JavaScript library): the ranking's totals as a
horizontal bar chart, for the ranking page and the ranking PDF. Accessible: a title and a
description, every value written as text next to its bar."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from scoring import calc

BAR, GAP, LABEL_W, VALUE_W, WIDTH = 16, 6, 260, 60, 720
LIMIT = 40  # bars in one chart: a chart never splits across printed pages
COLOURS = {"leader": "#146c43", "eligible": "#0b5ed7", "ineligible": "#6c757d"}


def _short(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def bar_chart(
    rows: Sequence,
    *,
    title: str,
    scale_max: Decimal | None = None,
    chart_id: str = "bxh",
    limit: int = LIMIT,
) -> SafeString:
    """A bar per scored row (`.unit.name`, `.total`, `.eligible`, `.eligible_for_co`,
    `.leader`), longest for the highest total; units without a total are left out. A large
    bloc shows its first `limit` units (the title says so; the table lists everyone)."""
    scored = [r for r in rows if r.total is not None]
    if len(scored) > limit:
        title = f"{title} ({limit} đơn vị đứng đầu trong {len(scored)} đơn vị)"
        scored = scored[:limit]
    top = max([r.total for r in scored] + [scale_max or calc.ZERO, Decimal(1)])
    plot = WIDTH - LABEL_W - VALUE_W
    height = GAP + len(scored) * (BAR + GAP) + 18
    desc = "; ".join(f"{r.rank}. {r.unit.name}: {calc.fmt(r.total)} điểm" for r in scored)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="Times New Roman, '
        f'Liberation Serif, serif" font-size="11">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc or "Chưa có đơn vị có điểm.")}</desc>',
    ]
    for i, r in enumerate(scored):
        y = GAP + i * (BAR + GAP)
        w = max(int(plot * float(r.total / top)), 1)
        kind = "leader" if r.leader else ("eligible" if r.eligible_for_co else "ineligible")
        label = f"{r.rank}. {_short(r.unit.name)}"
        parts += [
            f'<text x="{LABEL_W - 6}" y="{y + BAR - 4}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR}" fill="{COLOURS[kind]}"/>',
            f'<text x="{LABEL_W + w + 4}" y="{y + BAR - 4}">{calc.fmt(r.total)}</text>',
        ]
    legend_y = height - 5
    parts.append(
        f'<text x="{LABEL_W}" y="{legend_y}" font-size="10">Xanh lá: đơn vị dẫn đầu · xanh '
        "dương: đủ điều kiện xét Cờ · xám: không đủ điều kiện xét Cờ</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
