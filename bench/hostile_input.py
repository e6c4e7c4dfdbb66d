"""Benchmark: the importer and the document renderer on 100 KB of adversarial text.

For each pattern (unmatched bold/italic marks, long runs of asterisks, a wall of numbered labels,
dates and meeting words without end), it times:
- import: parse_plan_text on a plan whose body is 100 KB of the pattern (paragraphs of 2 KB;
  one 100 KB paragraph is refused by the length cap, and that refusal is timed too);
- render: build_plan_context + render_html of a plan whose section holds the same 100 KB.

    DEBUG=1 .venv/bin/python bench/hostile_input.py [--pdf]

Self-contained: an in-memory SQLite database, migrated on start.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakhenthuong.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["SQLITE_PATH"] = ":memory:"

SIZE = 100_000
PATTERNS = {
    "**a ": "**a ",
    "*a ": "*a ",
    "*** ": "*** ",
    "a** b": "a** b",
    "**": "**",
    "1.1. ": "1.1. ",
    "Đợt 1 từ ": "Đợt 1 từ ",
    "hội nghị sơ kết tại ": "hội nghị sơ kết tại ",
    "trước ngày 1/1 ": "trước ngày 1/1 ",
    "(“": "(“",
}
HEAD = "KẾ HOẠCH\nThi đua năm 2025\n\nI. NỘI DUNG\n\n"


def body(unit: str, paragraph: int) -> str:
    text = unit * (SIZE // len(unit))
    return "\n\n".join(text[i : i + paragraph] for i in range(0, len(text), paragraph))


def timed(fn) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        fn()
        outcome = "ok"
    except Exception as exc:  # the importer refuses with PlanImportError: report it
        outcome = type(exc).__name__
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", action="store_true", help="also time html_to_pdf")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from plans.importer import parse_plan_text
    from reports.documents import build_plan_context
    from reports.render import html_to_pdf, render_html
    from tests.reports.plan_data import Node, make_plan

    print(f"{'pattern':24} {'import (2 KB ¶)':>16} {'import (1 ¶)':>20} {'render':>10}")
    worst = 0.0
    for name, unit in PATTERNS.items():
        t_import, r_import = timed(lambda u=unit: parse_plan_text(HEAD + body(u, 2_000)))
        t_one, r_one = timed(lambda u=unit: parse_plan_text(HEAD + body(u, SIZE)))
        plan = make_plan(body=[Node("I.", "NỘI DUNG", [body(unit, 2_000)])])

        def render(plan=plan) -> None:
            html = render_html(build_plan_context(plan))
            if args.pdf:
                html_to_pdf(html)

        t_render, r_render = timed(render)
        worst = max(worst, t_import, t_one, t_render)
        print(
            f"{name!r:24} {t_import * 1000:9.0f} ms {r_import:4} "
            f"{t_one * 1000:7.0f} ms {r_one:18} {t_render * 1000:7.0f} ms {r_render}"
        )
    print(f"worst: {worst:.2f} s for {SIZE // 1000} KB of adversarial text")


if __name__ == "__main__":
    main()
