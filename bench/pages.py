"""Page cost (issue 12): for every GET URL of the permission matrices, as the first persona the
matrix expects to get 200 (chair, deputy, unit_a, unit_b, reviewer, admin), on the generated
province at each size: the number of queries and the median server time (Django's test client
in the same process, DEBUG off, warm: one request first, then N timed).

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/pages.py [--sizes 5,34,100] [-n 10] [--quick] [--downloads]

Each size runs in its own process on its own database (…/tdkt_bench_<blocs>x15x60, built by
bench/province.py when missing). URLs on bloc 0: its 2022 (done) and unit_a's 2023 draft
sheet for the rows that need one. Downloads (PDF, DOCX, XLSX, JSON) only with --downloads.
Prints one table (queries and median ms per size, the load average of each run) and writes
var/bench/pages.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

ORDER = ("chair", "deputy", "unit_a", "unit_b", "reviewer", "admin")
DOWNLOADS = {
    "scoring:sheet_pdf",
    "scoring:sheet_docx",
    "scoring:sheet_xlsx",
    "scoring:ranking_excel",
    "scoring:template_export",
    "scoring:province_export",
    "scoring:submission_file",
}
OUT = common.ROOT / "var" / "bench"


def get_rows() -> list[tuple[str, tuple[str, ...], str]]:
    """(url name, argument keys, persona) of every GET row some persona opens with 200."""
    from tests.scoring.test_permissions import MATRIX as SCORING
    from tests.test_permissions import MATRIX as BLOCS

    rows = [(name, keys, expected) for name, (m, keys, _d, expected) in BLOCS.items() if m == "get"]
    rows += [(n, keys, expected) for (n, m), (keys, _d, expected) in SCORING.items() if m == "get"]
    out = []
    for name, keys, expected in sorted(rows):
        persona = next((p for p in ORDER if expected.get(p) == 200), None)
        if persona is not None:
            out.append((name, keys, persona))
    return out


def url_for(name: str, keys: tuple[str, ...], values: dict) -> str | None:
    from django.urls import reverse

    draft = any("draft_" in k for k in keys)
    kwargs = {}
    for key in keys:
        arg, _, source = key.partition(":")
        source = source or arg
        if source not in values:
            return None
        kwargs[arg] = values["next_year"] if draft and arg == "year" else values[source]
    return reverse(name, kwargs=kwargs)


def measure_size(blocs: int, n: int, downloads: bool) -> list[dict]:
    from bench.province import ensure

    ensure(blocs, debug=False)
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.objects import PERSONAS, objects, open_year
    from bench.province import province_name
    from blocs.models import Province, User

    province = Province.objects.get(name=province_name(blocs, 15, 60))
    values = objects(province)
    alt = open_year(values)
    clients = {}
    for persona, login in PERSONAS.items():
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(username=login))
    results = []
    for name, keys, persona in get_rows():
        if name in DOWNLOADS and not downloads:
            continue
        url = url_for(name, keys, values)
        if url is None:
            results.append({"name": name, "persona": persona, "skipped": "no such object"})
            continue
        client = clients[persona]
        first = client.get(url)  # warm: templates, caches
        year = values["year"]
        if first.status_code == 302 and alt and (alt_url := url_for(name, keys, alt)) != url:
            second = client.get(alt_url)  # the finished year sends elsewhere: try 2023
            if second.status_code == 200:
                url, first, year = alt_url, second, alt["year"]
        reset_queries()  # a request clears the log when it starts: count from an empty log
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)  # now: the next request clears the log
        times = []
        for _ in range(n):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        results.append(
            {
                "name": name,
                "persona": persona,
                "url": url,
                "year": year,
                "status": first.status_code,
                "queries": queries,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "load": common.loadavg(),
            }
        )
    return results + measure_posts(province, n)


def measure_posts(province, n: int) -> list[dict]:
    """The two saves of the deadline-day POST mix, in process: an htmx score-line save (bloc
    1's unit 2, its 2023 draft) and a schedule save (bloc 1's head, its draft amendment)."""
    import re

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.load_post import REVISION, SAVED, FormFields, plan_savers
    from blocs.models import User

    lines, schedules = plan_savers(province, 50)
    line_saver, schedule_saver = lines[0], schedules[0]
    out = []
    client = Client()
    client.force_login(User.objects.get(username=line_saver.login))
    url, pk, high, low = line_saver.lines[0]
    page = client.get(line_saver.sheet_url).content.decode()
    revision = int(re.search(REVISION.format(pk=pk), page).group(1))

    def save_line(i: int):
        nonlocal revision
        form = {f"l{pk}-value": high if i % 2 else low, f"l{pk}-revision": str(revision)}
        form[f"l{pk}-explanation"] = f"Lần lưu {i}."
        r = client.post(url, form, headers={"HX-Request": "true"})
        body = r.content.decode()
        assert SAVED in body, "the line was not saved"
        revision = int(re.search(REVISION.format(pk=pk), body).group(1))
        return r

    head = Client()
    head.force_login(User.objects.get(username=schedule_saver.login))

    def save_schedule(i: int):
        parser = FormFields(schedule_saver.form_url)
        parser.feed(head.get(schedule_saver.form_url).content.decode())
        data: dict[str, list[str]] = {}
        for k, v in parser.fields:
            data.setdefault(k, []).append(
                f"Thường trực Khối (lần {i})" if k == "ms-0-addressee" else v
            )
        start = time.perf_counter()
        r = head.post(schedule_saver.form_url, data)
        assert r.status_code == 302, r.status_code
        return time.perf_counter() - start

    for name, fn in (
        ("POST scoring:sheet_line (htmx)", save_line),
        ("POST plans:edit_schedule", save_schedule),
    ):
        fn(0)
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            fn(1)
        queries = len(ctx.captured_queries)
        times = []
        for i in range(n):
            start = time.perf_counter()
            took = fn(i + 2)
            times.append(took if isinstance(took, float) else time.perf_counter() - start)
        out.append(
            {
                "name": name,
                "persona": "unit" if "sheet" in name else "chair",
                "status": 200,
                "queries": queries,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "load": common.loadavg(),
            }
        )
    return out


def table(by_size: dict[int, list[dict]]) -> str:
    sizes = sorted(by_size)
    head = "| page | persona | " + " | ".join(f"{s} blocs: queries / ms" for s in sizes) + " |"
    lines = [head, "|" + "---|" * (2 + len(sizes))]
    names = [r["name"] for r in by_size[sizes[0]]]
    index = {s: {r["name"]: r for r in rows} for s, rows in by_size.items()}
    for name in names:
        cells = []
        for s in sizes:
            r = index[s].get(name, {})
            if "skipped" in r or not r:
                cells.append(r.get("skipped", "–"))
            else:
                flag = "" if r["status"] == 200 else f" ({r['status']})"
                cells.append(f"{r['queries']} / {r['median_ms']:.0f}{flag}")
        persona = index[sizes[0]][name]["persona"]
        lines.append(f"| {name} | {persona} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,34,100", help="numbers of blocs (15 units, 60 lines)")
    parser.add_argument("-n", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--quick", action="store_true", help="sizes 5,34 and n=3")
    parser.add_argument("--downloads", action="store_true", help="also PDF/DOCX/XLSX/JSON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = parser.parse_args()
    common.postgres_url()
    if args.one:
        rows = measure_size(args.one, args.n, args.downloads)
        print("RESULT " + json.dumps(rows, ensure_ascii=False))
        return 0
    sizes = [5, 34] if args.quick else [int(s) for s in args.sizes.split(",")]
    n = 3 if args.quick else args.n
    by_size: dict[int, list[dict]] = {}
    for size in sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "-n", str(n)]
        cmd += ["--downloads"] if args.downloads else []
        print(f"size {size} blocs (load {common.loadavg()}) …", flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode or not lines:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
            return 1
        by_size[size] = json.loads(lines[-1][len("RESULT ") :])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pages.json").write_text(json.dumps(by_size, ensure_ascii=False, indent=1))
    print(table(by_size))
    bad = [r["name"] for rows in by_size.values() for r in rows if r.get("status", 200) >= 400]
    if bad:
        print(f"pages answering an error: {sorted(set(bad))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
