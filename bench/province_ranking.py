"""The province-wide ranking on PostgreSQL (issue 12; goal < 100 ms for 34 blocs): every bloc's
ranking of the year at once, three ways, on the generated province, N times each, interleaved:

  compute   what ranking_compute computes, for every bloc (scoring.services.ranking._fresh:
            the final sheets' lines, the gates and calc.ranking with its tie-breaks), no writes
  read      every bloc's stored ranking as the pages show it (selectors_ranking.ranking_view)
  sql       one aggregate query over the same score lines (a two-level tree: leaves under
            top-level groups), giving each unit's total (groups capped, bonus and penalty capped,
            the late penalty, the compliance deductions)

and asserts that the three give the same total for every unit.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/province_ranking.py [--sizes 5,34,100] [-n 15] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

GOAL_MS = 100
SQL = """
WITH lines AS (
    SELECT s.id AS sub, s.unit_id, r.bloc_id, g.id AS gid, g.max_points AS gmax,
           CASE c.kind WHEN 'bonus' THEN 'bonus' WHEN 'deduction' THEN 'penalty'
                ELSE 'base' END AS pool,
           e.final_score AS score
    FROM {entry} e
    JOIN {submission} s ON s.id = e.submission_id
    JOIN {round} r ON r.id = s.round_id
    JOIN {criterion} c ON c.id = e.criterion_id
    JOIN {criterion} g ON g.id = c.parent_id
    JOIN {bloc} b ON b.id = r.bloc_id
    WHERE b.province_id = %(province)s AND r.year = %(year)s AND r.kind = 'tong_ket'
      AND r.active AND r.with_score_sheet AND s.status = 'final'
      AND e.final_score IS NOT NULL
), groups AS (
    SELECT sub, unit_id, bloc_id, gid, gmax,
           CASE WHEN COUNT(DISTINCT pool) = 1 THEN MIN(pool) ELSE 'base' END AS gpool,
           SUM(score) FILTER (WHERE pool = 'base') AS base_sum,
           SUM(score) FILTER (WHERE pool = 'bonus') AS bonus_sum,
           SUM(score) FILTER (WHERE pool = 'penalty') AS penalty_sum
    FROM lines GROUP BY sub, unit_id, bloc_id, gid, gmax
), valued AS (
    SELECT sub, unit_id, bloc_id, gpool,
           LEAST(GREATEST(CASE gpool
                    WHEN 'bonus' THEN COALESCE(bonus_sum, 0)
                    WHEN 'penalty' THEN COALESCE(penalty_sum, 0)
                    ELSE COALESCE(base_sum, 0) - COALESCE(penalty_sum, 0) END, 0), gmax) AS value,
           CASE WHEN gpool = 'base' THEN COALESCE(bonus_sum, 0) ELSE 0 END AS loose_bonus
    FROM groups
), sheets AS (
    SELECT v.sub, v.unit_id, v.bloc_id,
           SUM(v.value) FILTER (WHERE gpool = 'base') AS base,
           COALESCE(SUM(v.value) FILTER (WHERE gpool = 'bonus'), 0) + SUM(v.loose_bonus) AS bonus,
           COALESCE(SUM(v.value) FILTER (WHERE gpool = 'penalty'), 0) AS penalty
    FROM valued v GROUP BY v.sub, v.unit_id, v.bloc_id
), totals AS (
    SELECT sh.bloc_id, sh.unit_id,
           ROUND(CASE WHEN t.allow_exceed_max THEN x.total ELSE LEAST(x.total, t.max_total) END,
                 2) AS sheet_total
    FROM sheets sh
    JOIN {submission} s ON s.id = sh.sub
    JOIN {template} t ON t.id = s.template_id
    CROSS JOIN LATERAL (SELECT GREATEST(
        COALESCE(sh.base, 0) + LEAST(sh.bonus, COALESCE(t.bonus_cap, sh.bonus))
        - LEAST(sh.penalty + COALESCE(s.late_penalty, 0),
                COALESCE(t.penalty_cap, sh.penalty + COALESCE(s.late_penalty, 0))),
        0) AS total) x
)
SELECT tt.bloc_id, tt.unit_id,
       GREATEST(tt.sheet_total - COALESCE(f.deduct, 0), 0) AS total,
       RANK() OVER (PARTITION BY tt.bloc_id
                    ORDER BY GREATEST(tt.sheet_total - COALESCE(f.deduct, 0), 0) DESC) AS rank
FROM totals tt
LEFT JOIN (
    SELECT bloc_id, unit_id, SUM(points) AS deduct FROM {flag}
    WHERE year = %(year)s AND effect = 'deduct' AND (cleared_on IS NULL OR cleared_on > %(today)s)
    GROUP BY bloc_id, unit_id
) f ON f.bloc_id = tt.bloc_id AND f.unit_id = tt.unit_id
"""


def _sql() -> str:
    from blocs.models import Bloc
    from scoring.models import ComplianceFlag, Criterion, Entry, Round, Submission, Template

    tables = {
        "entry": Entry,
        "submission": Submission,
        "round": Round,
        "criterion": Criterion,
        "bloc": Bloc,
        "template": Template,
        "flag": ComplianceFlag,
    }
    return SQL.format(**{k: m._meta.db_table for k, m in tables.items()})


def measure(blocs: int, n: int) -> dict:
    from bench.province import ensure

    ensure(blocs, debug=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.province import province_name
    from bench.province_data import YEAR
    from blocs.models import Bloc, Province
    from scoring.models import RankingRow
    from scoring.selectors_ranking import province_rankings, ranking_view
    from scoring.services.ranking import _fresh

    province = Province.objects.get(name=province_name(blocs, 15, 60))
    sql, params = _sql(), {"province": province.pk, "year": YEAR, "today": timezone.localdate()}

    def compute() -> dict[int, Decimal]:
        out = {}
        for bloc in Bloc.objects.filter(province=province).order_by("pk"):
            votes = dict(
                RankingRow.objects.filter(
                    ranking__bloc=bloc, ranking__year=YEAR, tie_vote__isnull=False
                ).values_list("unit_id", "tie_vote")
            )
            for row in _fresh(bloc, YEAR, votes)[2]:
                out[row["unit"].pk] = row["total"]
        return out

    def read() -> dict[int, Decimal]:
        out = {}
        for bloc_id in Bloc.objects.filter(province=province).values_list("pk", flat=True):
            for r in ranking_view(bloc_id=bloc_id, year=YEAR).rows:
                out[r.unit.pk] = r.total
        return out

    def whole() -> dict[int, Decimal]:
        out = {}
        for view in province_rankings(province_id=province.pk, year=YEAR).values():
            for r in view.rows:
                out[r.unit.pk] = r.total
        return out

    def aggregate() -> dict[int, Decimal]:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return {unit: total for _bloc, unit, total, _rank in cur.fetchall()}

    ways = {"compute": compute, "read": read, "province": whole, "sql": aggregate}
    queries, answers = {}, {}
    for name, fn in ways.items():
        with CaptureQueriesContext(connection) as ctx:
            answers[name] = fn()
        queries[name] = len(ctx.captured_queries)
    assert answers["compute"], "no final sheets in the province"
    for name in ("read", "province", "sql"):
        diff = {
            u: (answers["compute"][u], answers[name].get(u))
            for u in answers["compute"]
            if answers[name].get(u) != answers["compute"][u]
        }
        assert not diff, f"{name} disagrees with compute on {len(diff)} units: {list(diff)[:5]}"
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(n):
        for name, fn in ways.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {
        "blocs": blocs,
        "units": len(answers["compute"]),
        "load": common.loadavg(),
        "when": dt.datetime.now().isoformat(timespec="minutes"),
        **{f"{k}_queries": v for k, v in queries.items()},
        **{f"{k}_ms": common.spread(v) for k, v in times.items()},
        **{f"{k}_median": sorted(v)[len(v) // 2] * 1000 for k, v in times.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,34,100")
    parser.add_argument("-n", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="size 34, n=5")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.postgres_url()
    if args.one:
        print("RESULT " + json.dumps(measure(args.one, args.n)))
        return 0
    sizes = [34] if args.quick else [int(s) for s in args.sizes.split(",")]
    n = 5 if args.quick else args.n
    results = []
    for size in sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "-n", str(n)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode or not lines:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
            return 1
        r = json.loads(lines[-1][len("RESULT ") :])
        results.append(r)
        print(
            f"{r['blocs']} blocs, {r['units']} units (load {r['load']}): "
            f"compute {r['compute_ms']} in {r['compute_queries']} queries; "
            f"read {r['read_ms']} in {r['read_queries']}; "
            f"province read {r['province_ms']} in {r['province_queries']}; "
            f"one SQL {r['sql_ms']}; same totals",
            flush=True,
        )
    out = common.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "province_ranking.json").write_text(json.dumps(results, indent=1))
    for r in results:
        if r["blocs"] == 34:
            for way in ("compute", "read", "province", "sql"):
                ok = "meets" if r[f"{way}_median"] < GOAL_MS else "misses"
                print(f"34 blocs, {way}: {r[f'{way}_median']:.1f} ms {ok} the goal < {GOAL_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
