"""Documents (issue 12): the real entry points — the download view (reports:plan_document, the
Django test client, logged in) and `manage.py render_document` (in process) — for the five
seed plans and a plan of about 200 pages, against WeasyPrint alone on the same HTML, in
interleaved triples (the order rotates) with their spread; the memory growth of the process
over 200 renders; the cold start to the first PDF (a fresh process: render_document against a
bare WeasyPrint script); on PostgreSQL with DEBUG off.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/render_plan.py [-n 8] [--renders 200] [--quick]

The database is …/tdkt_bench_demo: the demo (seed_demo, once) plus the long plan (seed 000's
body repeated, imported through the services as a draft of the same bloc-year). Draft PDFs are
cached by the hash of their HTML (reports.render.draft_pdf), so the cache is cleared before
every timed call: each one renders. Seed 000 is issued: both entry points serve its frozen
bytes, which is what is timed for it (WeasyPrint alone then renders its frozen HTML).
"""

from __future__ import annotations

import argparse
import copy
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

LONG_TITLE = "Kế hoạch thử nghiệm dài (khoảng 200 trang)"
BARE = """import sys, time
t = time.perf_counter()
import weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
print(time.perf_counter() - t)
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def setup() -> str:
    url = common.suffixed(common.base_url(), "_demo")
    common.ensure_database(url)
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=common.ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--if-empty"],
        cwd=common.ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    common.setup_django(url, debug=False)
    return url


def long_plan(pages: int):
    """The long draft, made once: seed 000's body repeated until it prints about `pages`."""
    from django.db import transaction

    from blocs.models import User
    from plans import services as plan_services
    from plans.importer import parse_plan_text
    from plans.models import Plan
    from thiduakhenthuong.demo_data import seed_text

    found = Plan.objects.filter(title=LONG_TITLE).first()
    if found is not None:
        return found
    seed = Plan.objects.get(number=11, year=2022)  # seed 000, issued
    parsed = parse_plan_text(seed_text("000"), default_year=2022)
    body = parsed.sections
    parsed.sections = [copy.deepcopy(s) for _ in range(max(1, pages // 5)) for s in body]
    with transaction.atomic():
        return plan_services.plan_create_from_import(
            bloc=seed.bloc,
            parsed=parsed,
            actor=User.objects.get(username="quantri"),
            overrides={"title": LONG_TITLE},
        )


def documents(pages: int) -> list:
    from plans.models import Plan

    seeds = list(Plan.objects.exclude(title=LONG_TITLE).order_by("pk"))[:5]
    return [*seeds, long_plan(pages)]


def bare_html(plan) -> str:
    """The HTML the app prints, its stylesheet linked as a file for WeasyPrint alone."""
    from django.contrib.staticfiles import finders

    from reports.services import plan_document

    html = plan_document(plan=plan, fmt="html")[0]
    css = Path(finders.find("reports/print.css")).resolve().as_uri()
    out = html.replace('href="/static/reports/print.css"', f'href="{css}"')
    assert out != html, "the print stylesheet link was not found"
    return out


def measure_doc(plan, n: int, client) -> dict:
    import weasyprint
    from django.core.cache import cache
    from django.core.management import call_command
    from django.urls import reverse
    from pypdf import PdfReader
    from weasyprint.text.fonts import FontConfiguration

    url = reverse("reports:plan_document", args=(plan.bloc_id, plan.year, plan.pk, "pdf"))
    html = bare_html(plan)
    fonts = FontConfiguration()
    out = Path(tempfile.gettempdir()) / f"bench-plan-{plan.pk}.pdf"

    def view() -> bytes:
        cache.clear()
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        return r.content

    def command() -> bytes:
        cache.clear()
        call_command("render_document", "plan", str(plan.pk), "-o", str(out), stdout=io.StringIO())
        return out.read_bytes()

    def bare() -> bytes:  # one FontConfiguration for the process, as the app keeps
        return weasyprint.HTML(string=html).write_pdf(font_config=fonts)

    pdf = view()  # warm: fonts, templates
    bare()
    ways = {"view": view, "command": command, "bare": bare}
    times: dict[str, list[float]] = {k: [] for k in ways}
    names = list(ways)
    for i in range(n):
        for name in names[i % 3 :] + names[: i % 3]:  # the order rotates
            start = time.perf_counter()
            ways[name]()
            times[name].append(time.perf_counter() - start)
    ratio = [v / b for v, b in zip(times["view"], times["bare"], strict=True)]
    return {
        "plan": plan.title[:60],
        "status": plan.status,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "html_kb": len(html) // 1024,
        "pdf_kb": len(pdf) // 1024,
        "n": n,
        **{f"{k}_ms": common.spread(v) for k, v in times.items()},
        **{f"{k}_median": statistics.median(v) * 1000 for k, v in times.items()},
        "view_vs_bare": f"{(statistics.median(ratio) - 1) * 100:+.0f} % "
        f"({(min(ratio) - 1) * 100:+.0f} … {(max(ratio) - 1) * 100:+.0f})",
        "load": common.loadavg(),
    }


def memory(plan, renders: int) -> dict:
    from reports.documents import build_plan_context
    from reports.render import html_to_pdf, render_html

    html_to_pdf(render_html(build_plan_context(plan)))
    gc.collect()
    start = rss_mb()
    marks = []
    for i in range(renders):
        html_to_pdf(render_html(build_plan_context(plan)))
        if (i + 1) % max(1, renders // 4) == 0:
            marks.append(round(rss_mb() - start, 1))
    return {
        "renders": renders,
        "rss_start_mb": round(start, 1),
        "growth_mb": round(rss_mb() - start, 1),
        "growth_at_quarters_mb": marks,
        "load": common.loadavg(),
    }


def cold(plan, url: str, tries: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"} | {"DATABASE_URL": url}
    html_file = Path(tempfile.gettempdir()) / "bench-cold.html"
    html_file.write_text(bare_html(plan), encoding="utf-8")
    app, bare = [], []
    for _ in range(tries):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "render_document", "plan", str(plan.pk)]
            + ["-o", str(html_file.with_suffix(".pdf"))],
            cwd=common.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        app.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", BARE, str(html_file), str(html_file.with_suffix(".b.pdf"))],
            check=True,
            capture_output=True,
        )
        bare.append(time.perf_counter() - start)
    return {
        "tries": tries,
        "render_document_s": round(statistics.median(app), 2),
        "weasyprint_alone_s": round(statistics.median(bare), 2),
        "load": common.loadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=8, help="triples per document (default 8)")
    parser.add_argument("--renders", type=int, default=200, help="renders for the memory figure")
    parser.add_argument("--pages", type=int, default=200, help="length of the long plan")
    parser.add_argument("--quick", action="store_true", help="n=3, 40 renders, long plan n=1")
    args = parser.parse_args()
    url = setup()
    from django.test import Client

    from blocs.models import User

    n, renders = (3, 40) if args.quick else (args.n, args.renders)
    client = Client()
    client.force_login(User.objects.get(username="quantri"))
    docs = documents(args.pages)
    draft = next(p for p in docs if p.status == "draft")
    results: dict = {"memory": memory(draft, renders), "documents": []}  # first: a young process
    print("memory", json.dumps(results["memory"]), flush=True)
    for plan in docs:
        r = measure_doc(plan, 1 if plan.title == LONG_TITLE and args.quick else n, client)
        results["documents"].append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    results["cold"] = cold(draft, url, 2 if args.quick else 3)
    print("cold start", json.dumps(results["cold"]), flush=True)
    out = common.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "render_plan.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
