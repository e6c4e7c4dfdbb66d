"""Benchmark: a seed-000-sized KẾ HOẠCH (about seven A4 pages) rendered through the app (build the
context + render_html + html_to_pdf) and the same HTML through WeasyPrint alone, N times each,
interleaved in one run. Prints both medians and the app's overhead (target ≤ 20 %).

    DEBUG=1 .venv/bin/python bench/render_plan.py [-n 15] [--out /tmp/plan.pdf]

Self-contained: an in-memory SQLite database, migrated on start.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakhenthuong.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["SQLITE_PATH"] = ":memory:"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="repetitions (default 15)")
    parser.add_argument("--party", action="store_true", help="use the Party (HD 36) profile")
    parser.add_argument("--out", help="also write the app's PDF here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import weasyprint
    from django.contrib.staticfiles import finders
    from pypdf import PdfReader

    from reports.documents import build_plan_context
    from reports.render import html_to_pdf, render_html
    from tests.reports.plan_data import make_seed_plan

    plan = make_seed_plan(party=args.party)
    html = render_html(build_plan_context(plan))
    css = Path(finders.find("reports/print.css")).resolve().as_uri()
    bare_html = html.replace('href="/static/reports/print.css"', f'href="{css}"')
    assert bare_html != html, "the print stylesheet link was not found"

    def app() -> bytes:
        return html_to_pdf(render_html(build_plan_context(plan)))

    def html_only() -> str:
        return render_html(build_plan_context(plan))

    def bare() -> bytes:
        return weasyprint.HTML(string=bare_html).write_pdf()

    pdf = app()  # warm up both (font loading, template compilation)
    bare()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    app_times: list[float] = []
    bare_times: list[float] = []
    html_times: list[float] = []
    for _ in range(args.n):
        for fn, times in ((app, app_times), (bare, bare_times), (html_only, html_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    app_med, bare_med = statistics.median(app_times), statistics.median(bare_times)
    overhead = (app_med - bare_med) / bare_med * 100
    print(f"plan: {len(html):,} bytes of HTML, {len(pdf):,} bytes of PDF, {pages} pages")
    print(f"WeasyPrint alone : median {bare_med * 1000:7.1f} ms  (n={args.n})")
    print(f"app pipeline     : median {app_med * 1000:7.1f} ms  (n={args.n})")
    print(f"  of which context + HTML: median {statistics.median(html_times) * 1000:.1f} ms")
    print(f"overhead         : {overhead:+.1f} %  (target ≤ 20 %)")
    if args.out:
        Path(args.out).write_bytes(pdf)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
