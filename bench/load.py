"""Load benchmark (issue 12): the app under gunicorn in production mode (DEBUG off, PostgreSQL,
2 workers) on the generated province (bench/province.py, built when missing), against the
bare-Django floor (bench/floor.py) under the same gunicorn, in one run.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/load.py [--blocs 34] [--users 50] [--seconds 20] [--quick]

Phases, each for --seconds with --users concurrent clients (each logged in with its own session):
  floor      the floor's page
  get        the GET mix: heads, member units and the provincial reviewer on the main pages
             of their blocs (spread over the province's blocs) and the province overview
  get+pdf    the same GET mix while 2 more clients download a draft plan PDF in a loop
  post       the deadline-day POST mix (bench/load_post.py): member units saving score lines
             of their draft sheets (htmx), secretariats saving their plan's schedule
  get+post   the GET mix while the POST mix runs: every save moves the page cache's data
             version on, so most pages render again (the cache's worst day)
  uncached   the GET mix against a third gunicorn with the page cache off (PAGE_CACHE=0)
The GET phases report the share of pages served from the page cache (blocs/pagecache.py).
Prints requests per second, p50 / p95 / max latency and errors per phase, the GET mix against
the floor, and each figure against its target (GET ≥ 0.5× the floor, p95 < 300 ms, 0 errors;
POST 0 errors, p95 < 1 s); exits 1 when an error happened. Writes var/bench/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench import load_post as post  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TARGETS = {"ratio": 0.5, "get_p95_ms": 300, "post_p95_ms": 1000}


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    hits: int = 0  # pages served from the page cache

    def row(self) -> dict:
        lat = self.latencies
        return {
            "phase": self.name,
            "requests": len(lat),
            "errors": self.errors,
            "rps": round(len(lat) / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(common.pct(lat, 0.95) * 1000, 1) if lat else None,
            "max_ms": round(max(lat) * 1000, 1) if lat else None,
            "cache_hits": round(self.hits / len(lat), 3) if lat else None,
            "load": common.loadavg(),
        }


def get_mix(province, users: int) -> tuple[list[tuple[str, list[str]]], str]:
    """(login, paths) of each GET client, spread over the blocs, and the PDF downloader's
    path (bloc 0's draft amendment, rendered live)."""
    from django.urls import reverse

    from bench import province_data as data
    from blocs.models import Bloc
    from plans.models import Plan

    year = data.YEAR
    blocs = {b.name: b for b in Bloc.objects.filter(province=province)}
    count = len(blocs)
    units = Bloc.objects.get(name=data.bloc_name(0), province=province).memberships.count()
    out = []
    for i in range(users):
        b = (i // 3) % count
        bloc = blocs[data.bloc_name(b)]
        a = (bloc.pk, year)
        plan = Plan.objects.get(bloc=bloc, year=year, status=Plan.Status.ISSUED)
        role = i % 3
        if role == 0:
            paths = [
                "/",
                reverse("blocs:bloc", args=a),
                reverse("plans:detail", args=(*a, plan.pk)),
            ]
            paths += [reverse(f"scoring:{n}", args=a) for n in ("ranking", "proposals", "board")]
            out.append((data.username(b, 0), paths))
        elif role == 1:
            paths = ["/", reverse("blocs:bloc", args=a)]
            paths += [reverse(f"scoring:{n}", args=a) for n in ("submission_list", "ranking")]
            out.append((data.username(b, 2 + (i // 3) % (units - 2)), paths))
        else:
            province_page = reverse("blocs:province", args=(province.pk,)) + f"?nam={year}"
            out.append(("thamdinh", ["/", province_page, reverse("scoring:proposals", args=a)]))
    bloc0 = blocs[data.bloc_name(0)]
    draft = Plan.objects.filter(bloc=bloc0, status=Plan.Status.DRAFT).order_by("-pk").first()
    pdf = reverse("reports:plan_document", args=(bloc0.pk, draft.year, draft.pk, "pdf"))
    return out, pdf


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), app, "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "120", "--log-level", "warning"],
        cwd=common.ROOT,
        env=env,
    )


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(120):
            try:
                async with s.get(base + "/dang-nhap/") as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit(f"{base} did not answer")


async def login(base: str, username: str, gate: asyncio.Semaphore) -> aiohttp.ClientSession:
    from bench.province_data import PASSWORD

    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with gate:
        async with session.get(base + "/dang-nhap/") as r:
            token = CSRF.search(await r.text()).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        headers = {"Referer": base + "/dang-nhap/"}
        async with session.post(base + "/dang-nhap/", data=form, headers=headers) as r:
            if "/dang-nhap/" in str(r.url):
                raise SystemExit(f"login failed for {username}")
    return session


async def client(session, base, paths, phase: Phase, until: float, offset: int) -> None:
    i = offset
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        start = time.monotonic()
        try:
            async with session.get(base + path, allow_redirects=False) as r:
                await r.read()
                ok = r.status < 400
                phase.hits += r.headers.get("X-Page-Cache") == "hit"
        except aiohttp.ClientError:
            ok = False
        if ok:
            phase.latencies.append(time.monotonic() - start)
        else:
            phase.errors += 1


async def downloader(session, base, path, until: float) -> int:
    done = 0
    while time.monotonic() < until:
        async with session.get(base + path) as r:
            body = await r.read()
            done += body[:5] == b"%PDF-"
    return done


async def run(args, mix, pdf_path, savers, app_base, floor_base, uncached_base) -> list[dict]:
    gate = asyncio.Semaphore(4)  # logins hash passwords: a few at a time
    sessions = await asyncio.gather(*(login(app_base, who, gate) for who, _ in mix))
    uncached = []
    if "uncached" in args.phases:
        uncached = await asyncio.gather(*(login(uncached_base, who, gate) for who, _ in mix))
    floor_sessions = [aiohttp.ClientSession() for _ in range(args.users)]
    results = []
    try:
        for name in args.phases:
            phase, stats = Phase(name), post.PostStats()
            extra: list[aiohttp.ClientSession] = []
            jobs: list = []  # functions of the phase's deadline, each giving a coroutine
            if name == "floor":
                jobs = [
                    lambda u, s=s, i=i, ph=phase: client(s, floor_base, ["/"], ph, u, i)
                    for i, s in enumerate(floor_sessions)
                ]
            elif name in ("get", "get+pdf", "get+post", "uncached"):
                base, who = (
                    (uncached_base, uncached) if name == "uncached" else (app_base, sessions)
                )
                jobs = [
                    lambda u, s=s, p=paths, i=i, ph=phase, b=base: client(s, b, p, ph, u, i)
                    for i, (s, (_, paths)) in enumerate(zip(who, mix, strict=True))
                ]
            if name == "get+pdf":
                extra = [await login(app_base, "k000d00", gate) for _ in range(2)]
                jobs += [lambda u, s=s: downloader(s, app_base, pdf_path, u) for s in extra]
            if name in ("post", "get+post"):
                lines, schedules = savers
                who = [x.login for x in [*lines, *schedules]]
                extra = list(await asyncio.gather(*(login(app_base, w, gate) for w in who)))
                jobs += [
                    lambda u, s=s, x=x, st=stats: post.save_lines(s, app_base, x, st, u)
                    for s, x in zip(extra, lines, strict=False)
                ]
                jobs += [
                    lambda u, s=s, x=x, st=stats: post.save_schedules(s, app_base, x, st, u)
                    for s, x in zip(extra[len(lines) :], schedules, strict=True)
                ]
            start = time.monotonic()
            out = await asyncio.gather(*(job(start + args.seconds) for job in jobs))
            phase.seconds = time.monotonic() - start
            if name == "post":
                phase.latencies = stats.latencies["line"] + stats.latencies["schedule"]
                phase.errors = len(stats.errors)
            row = phase.row()
            if name == "post":
                row |= _post_detail(stats)
            if name == "get+post":
                lat = stats.latencies["line"] + stats.latencies["schedule"]
                row |= {"saves": len(lat), "save_errors": len(stats.errors)}
                row["save_p95_ms"] = round(common.pct(lat, 0.95) * 1000, 1) if lat else None
                row["errors"] += len(stats.errors)
            if name == "get+pdf":
                row["pdf_downloads"] = sum(x for x in out if isinstance(x, int))
            for s in extra:
                await s.close()
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        for s in [*sessions, *floor_sessions, *uncached]:
            await s.close()
    return results


def _post_detail(stats: post.PostStats) -> dict:
    out: dict = {"first_errors": stats.errors[:5]}
    for kind, lat in stats.latencies.items():
        out[f"{kind}_saves"] = len(lat)
        out[f"{kind}_p95_ms"] = round(common.pct(lat, 0.95) * 1000, 1) if lat else None
    return out


def verdicts(results: list[dict], users: int) -> list[str]:
    by = {r["phase"]: r for r in results}
    out = []

    def check(ok: bool, text: str) -> None:
        out.append(f"{'meets' if ok else 'MISSES'}: {text}")

    if "floor" in by and "get" in by and by["floor"]["rps"]:
        ratio = by["get"]["rps"] / by["floor"]["rps"]
        check(ratio >= TARGETS["ratio"], f"GET mix {ratio:.2f}× the floor (target ≥ 0.5×)")
    for name in ("get+post", "uncached"):  # no target: what the cache does not cover
        if name in by and by[name]["p95_ms"] is not None:
            r = by[name]
            out.append(
                f"info: {name} {r['rps']:.0f} req/s, p95 {r['p95_ms']:.0f} ms, "
                f"{(r['cache_hits'] or 0) * 100:.0f} % from the page cache"
            )
    for name in ("get", "get+pdf"):
        if name in by and by[name]["p95_ms"] is not None:
            p95 = by[name]["p95_ms"]
            check(p95 < TARGETS["get_p95_ms"], f"{name} p95 {p95:.0f} ms at {users} users (< 300)")
    if "post" in by and by["post"]["p95_ms"] is not None:
        p95 = by["post"]["p95_ms"]
        check(p95 < TARGETS["post_p95_ms"], f"POST mix p95 {p95:.0f} ms (< 1000)")
    for r in results:
        check(r["errors"] == 0, f"{r['phase']}: {r['errors']} errors (target 0)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocs", type=int, default=34, help="province size (15 units, 60 lines)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--phases", default="floor,get,get+pdf,post,get+post,uncached")
    parser.add_argument("--quick", action="store_true", help="8 s per phase")
    args = parser.parse_args()
    args.phases = args.phases.split(",")
    if args.quick:
        args.seconds = 8
    common.postgres_url()
    load_before = common.loadavg()  # what the other users of the machine were doing
    from bench.province import ensure, province_name

    url = ensure(args.blocs, debug=False)
    from django.core.management import call_command
    from django.db import connections

    from blocs.models import Province

    province = Province.objects.get(name=province_name(args.blocs, 15, 60))
    mix, pdf_path = get_mix(province, args.users)
    savers = post.plan_savers(province, args.users)
    call_command("collectstatic", "--noinput", verbosity=0)
    connections.close_all()
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"} | {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "thiduakhenthuong.settings",
    }
    app_base = f"http://127.0.0.1:{args.port}"
    floor_base = f"http://127.0.0.1:{args.port + 1}"
    uncached_base = f"http://127.0.0.1:{args.port + 2}"
    servers = [
        gunicorn("thiduakhenthuong.wsgi", args.port, env),
        gunicorn("bench.floor:application", args.port + 1, env),
    ]
    if "uncached" in args.phases:
        servers.append(gunicorn("thiduakhenthuong.wsgi", args.port + 2, env | {"PAGE_CACHE": "0"}))
    try:
        asyncio.run(wait_up(app_base))
        if "uncached" in args.phases:
            asyncio.run(wait_up(uncached_base))
        results = asyncio.run(run(args, mix, pdf_path, savers, app_base, floor_base, uncached_base))
    finally:
        for s in servers:
            s.send_signal(signal.SIGTERM)
            s.wait(timeout=30)
    lines = verdicts(results, args.users)
    print(f"load average before the run: {load_before}")
    print("\n".join(lines))
    out = common.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    info = {"blocs": args.blocs, "users": args.users, "seconds": args.seconds}
    info["load_before"] = load_before
    (out / "load.json").write_text(json.dumps({**info, "phases": results}, indent=1))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
