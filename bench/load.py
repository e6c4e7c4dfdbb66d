"""Load benchmark (issue 12): the app under gunicorn in production mode (DEBUG off, PostgreSQL,
2 workers) against the bare-Django floor (bench/floor.py) under the same gunicorn, in one run.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        .venv/bin/python bench/load.py --users 50 --seconds 20

Phases, each for --seconds with --users concurrent clients (each logged in with its own session):
  floor      the floor's page
  get        the GET mix of the main pages (secretariat, member unit, provincial reviewer)
  get+pdf    the same GET mix while 2 more clients download a draft plan PDF in a loop
Prints requests per second, p50 / p95 / max latency and errors per phase, and the ratio of the
GET mix's throughput to the floor's. The database is loaded with the demo (seed_demo --if-empty).
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

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "demo12345"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
URLS = """
import json
from django.urls import reverse
from plans.models import Plan
from scoring.models import Ranking
r = Ranking.objects.select_related("bloc").filter(status="adopted").first()
b, y = r.bloc_id, r.year
plan = Plan.objects.filter(bloc_id=b, year=y, status="issued").first()
draft = Plan.objects.filter(status="draft").order_by("pk").first()
a = (b, y)
print(json.dumps({
    "truongkhoi": ["/", reverse("blocs:bloc", args=a), reverse("plans:detail", args=(*a, plan.pk)),
                   reverse("scoring:ranking", args=a), reverse("scoring:proposals", args=a),
                   reverse("scoring:board", args=a)],
    "donvi_a": ["/", reverse("blocs:bloc", args=a), reverse("scoring:submission_list", args=a),
                reverse("scoring:ranking", args=a)],
    "thamdinh_tq": ["/", reverse("blocs:province", args=(r.bloc.province_id,)) + f"?nam={y}",
                    reverse("scoring:proposals", args=a)],
    "pdf": reverse("reports:plan_document", args=(draft.bloc_id, draft.year, draft.pk, "pdf")),
}))
"""


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def row(self) -> dict[str, float | int | str]:
        lat = sorted(self.latencies)
        pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else None
        return {
            "phase": self.name,
            "requests": len(lat),
            "errors": self.errors,
            "rps": round(len(lat) / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(pct(0.95), 1) if lat else None,
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        }


def manage(*args: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), app, "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT,
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


async def login(base: str, username: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(base + "/dang-nhap/") as r:
        token = CSRF.search(await r.text()).group(1)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    async with session.post(
        base + "/dang-nhap/", data=form, headers={"Referer": base + "/dang-nhap/"}
    ) as r:
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


async def run(args, urls: dict, app_base: str, floor_base: str) -> list[dict]:
    personas = ["truongkhoi", "donvi_a", "thamdinh_tq"]
    sessions = [await login(app_base, personas[i % 3]) for i in range(args.users)]
    floor_sessions = [aiohttp.ClientSession() for _ in range(args.users)]
    results = []
    try:
        for name in ("floor", "get", "get+pdf"):
            phase = Phase(name)
            start = time.monotonic()
            until = start + args.seconds
            tasks = []
            if name == "floor":
                tasks = [
                    client(s, floor_base, ["/"], phase, until, i)
                    for i, s in enumerate(floor_sessions)
                ]
            else:
                tasks = [
                    client(s, app_base, urls[personas[i % 3]], phase, until, i)
                    for i, s in enumerate(sessions)
                ]
            pdf = []
            if name == "get+pdf":
                pdf = [await login(app_base, "quantri") for _ in range(2)]
                tasks += [downloader(s, app_base, urls["pdf"], until) for s in pdf]
            out = await asyncio.gather(*tasks)
            phase.seconds = time.monotonic() - start
            row = phase.row()
            if pdf:
                row["pdf_downloads"] = sum(x for x in out if isinstance(x, int))
                for s in pdf:
                    await s.close()
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        for s in sessions + floor_sessions:
            await s.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must point at PostgreSQL (the production database)", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"} | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "thiduakhenthuong.settings",
    }
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--if-empty", env=env | {"DEBUG": "1"})
    manage("collectstatic", "--noinput", "-v0", env=env)
    urls = json.loads(manage("shell", "-c", URLS, env=env).strip().splitlines()[-1])
    app_base = f"http://127.0.0.1:{args.port}"
    floor_base = f"http://127.0.0.1:{args.port + 1}"
    servers = [
        gunicorn("thiduakhenthuong.wsgi", args.port, env),
        gunicorn("bench.floor:application", args.port + 1, env),
    ]
    try:
        asyncio.run(wait_up(app_base))
        results = asyncio.run(run(args, urls, app_base, floor_base))
    finally:
        for s in servers:
            s.send_signal(signal.SIGTERM)
            s.wait(timeout=30)
    floor, get = results[0]["rps"], results[1]["rps"]
    print(f"GET mix / floor = {get / floor:.2f}× (target ≥ 0.5×)" if floor else "no floor figure")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
