"""The ranking table (Bảng tổng hợp kết quả chấm điểm, landscape, with its bar chart) of a
300-unit bloc-year as PDF, through its real entry point: the download view
(reports:ranking_document, logged in as the head, DEBUG off), N times against WeasyPrint alone
on the same HTML, interleaved; wall and CPU time, pages, size.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/ranking_pdf.py [-n 3] [--units 300] [--quick] [--out /tmp/bxh.pdf]

The bloc-year is generated through the services (bench/province.py --blocs 1 --units 300
--open 0: 300 units' sheets scored, reviewed, final, the ranking adopted) into
…/tdkt_bench_1x300x60 when missing. The draft PDF cache is cleared before each download.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="n=1")
    parser.add_argument("--out", help="also write the PDF here")
    args = parser.parse_args()
    from bench.province import ensure

    ensure(1, args.units, 60, open_blocs=0, debug=False)
    import weasyprint
    from django.contrib.staticfiles import finders
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader
    from weasyprint.text.fonts import FontConfiguration

    from bench import province_data as data
    from blocs.models import Bloc, User

    bloc = Bloc.objects.get(name=data.bloc_name(0), province__name__contains=f"{args.units} đơn")
    client = Client()
    client.force_login(User.objects.get(username=data.username(0, 0)))
    url = reverse("reports:ranking_document", args=(bloc.pk, data.YEAR, "bang-tong-hop", "pdf"))
    html = client.get(url, {"format": "html"}).content.decode()
    css = Path(finders.find("reports/print.css")).resolve().as_uri()
    bare_html = html.replace('href="/static/reports/print.css"', f'href="{css}"')
    fonts = FontConfiguration()

    def view() -> bytes:
        cache.clear()
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        return r.content

    def bare() -> bytes:
        return weasyprint.HTML(string=bare_html).write_pdf(font_config=fonts)

    pdf = view()  # warm: fonts, WeasyPrint import
    n = 1 if args.quick else args.n
    wall: dict[str, list[float]] = {"view": [], "bare": []}
    cpu: dict[str, list[float]] = {"view": [], "bare": []}
    for i in range(n):
        for name in ("view", "bare") if i % 2 == 0 else ("bare", "view"):
            start, start_cpu = time.perf_counter(), time.process_time()
            (view if name == "view" else bare)()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    result = {
        "units": args.units,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_kb": len(pdf) // 1024,
        "n": n,
        **{f"{k}_wall_s": round(statistics.median(v), 2) for k, v in wall.items()},
        **{f"{k}_cpu_s": round(statistics.median(v), 2) for k, v in cpu.items()},
        "load": common.loadavg(),
    }
    print(
        f"ranking table, {args.units} units, {result['pages']} landscape A4 pages, "
        f"{result['pdf_kb']} KB: download view median {result['view_wall_s']} s wall / "
        f"{result['view_cpu_s']} s CPU; WeasyPrint alone {result['bare_wall_s']} s / "
        f"{result['bare_cpu_s']} s (n={n}, load {result['load']})"
    )
    out = common.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ranking_pdf.json").write_text(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_bytes(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
