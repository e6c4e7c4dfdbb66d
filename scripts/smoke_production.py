"""Smoke test of the production run: `scripts/serve.py` (gunicorn with DEBUG off and the task
worker) against the database in DATABASE_URL (loaded with the demo beforehand), as a browser
would use it: the login page, log in, open a bloc, download an issued plan's PDF, download a
draft document that the task worker prints (every draft counts as large here: the progress page,
polled until done, then the file), stop both. Exit 0 when every step holds.

    DATABASE_URL=postgres://... python scripts/smoke_production.py

Run by .ci/run after the test suites. Uses only the standard library on the client side.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("SMOKE_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"


def step(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def manage(*args: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def issued_plan(env: dict[str, str]) -> tuple[str, str]:
    """The bloc page and the PDF of an issued plan of the demo (asked from the database)."""
    code = (
        "from plans.models import Plan;"
        "p = Plan.objects.filter(status='issued').order_by('pk').first();"
        "print(p.bloc_id, p.year, p.pk)"
    )
    bloc, year, plan = manage("shell", "-c", code, env=env).strip().splitlines()[-1].split()
    return f"/khoi/{bloc}/{year}/", f"/khoi/{bloc}/{year}/ke-hoach/{plan}/van-ban.pdf"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is required (the production database is PostgreSQL)", file=sys.stderr)
        return 2
    prod = {k: v for k, v in os.environ.items() if k != "DEBUG"} | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "thiduakhenthuong.settings",
    }
    step("migrate, demo data (DEBUG=1, the demo's own rule), collectstatic")
    manage("migrate", "--noinput", env=prod)
    manage("seed_demo", "--if-empty", env=prod | {"DEBUG": "1"})
    manage("collectstatic", "--noinput", env=prod)
    bloc_page, pdf = issued_plan(prod)
    step(f"scripts/serve.py on {BASE}: gunicorn (DEBUG off) and the task worker")
    # Every draft counts as large, so that the download goes through the task worker.
    serve_env = prod | {"HOST": "127.0.0.1", "PORT": str(PORT), "RENDER_INLINE_MAX_SECONDS": "0"}
    server = subprocess.Popen([PY, "scripts/serve.py"], cwd=ROOT, env=serve_env)
    try:
        status = run_client(bloc_page, pdf)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        step(f"gunicorn and the worker stopped (serve.py exit code {code})")
    if code != 0:
        step("FAIL: serve.py did not stop cleanly")
        return 1
    return status or restore_check(prod)


COUNT = (
    "from django.apps import apps;"
    "print(sum(m.objects.count() for m in apps.get_models() if m._meta.app_label in "
    "('blocs', 'plans', 'scoring', 'reports')))"
)


def restore_check(env: dict[str, str]) -> int:
    """The documented backup and restore: pg_dump -Fc, pg_restore into a fresh database, then
    the same number of rows in every table of the apps."""
    import dj_database_url

    db = dj_database_url.parse(env["DATABASE_URL"])
    pg = {
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
    }
    target = db["NAME"] + "_restore"
    dump = ROOT / "var" / "smoke.dump"
    dump.parent.mkdir(parents=True, exist_ok=True)
    shell = env | pg
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), db["NAME"]], env=shell, check=True)
    subprocess.run(["dropdb", "--if-exists", target], env=shell, check=True)
    subprocess.run(["createdb", target], env=shell, check=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", target, str(dump)], env=shell, check=True)
    url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + target
    before = manage("shell", "-c", COUNT, env=env).strip().splitlines()[-1]
    after = manage("shell", "-c", COUNT, env=env | {"DATABASE_URL": url}).strip().splitlines()[-1]
    subprocess.run(["dropdb", "--if-exists", target], env=shell, check=True)
    dump.unlink()
    if before != after:
        step(f"FAIL: restore has {after} rows, the database {before}")
        return 1
    step(f"backup restored into a fresh database: {after} rows, the same")
    step("OK")
    return 0


def run_client(bloc_page: str, pdf: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for _ in range(60):
        try:
            login = opener.open(BASE + "/dang-nhap/", timeout=5)
            break
        except OSError:
            time.sleep(1)
    else:
        step("FAIL: the server did not answer")
        return 1
    html = login.read().decode()
    assert login.status == 200 and "Đăng nhập" in html, "login page"
    step(f"login page 200; headers: X-Frame-Options={login.headers.get('X-Frame-Options')}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"username": "truongkhoi", "password": "demo12345", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(BASE + "/dang-nhap/", data=data, headers={"Referer": BASE})
    home = opener.open(request, timeout=30)
    assert home.status == 200 and "Đăng xuất" in home.read().decode(), "logged in"
    step("logged in as truongkhoi")
    bloc = opener.open(BASE + bloc_page, timeout=30)
    assert bloc.status == 200, "bloc page"
    step(f"bloc page {bloc_page} 200")
    doc = opener.open(BASE + pdf, timeout=60)
    body = doc.read()
    assert doc.status == 200 and body.startswith(b"%PDF-"), "issued plan PDF"
    assert doc.headers.get("Content-Type") == "application/pdf"
    step(f"issued plan PDF {pdf}: {len(body)} bytes")
    return queued_render(opener, bloc_page + "dang-ky/bang-tong-hop.pdf")


def queued_render(opener, url: str) -> int:
    """A draft printed by the task worker: the download answers at once with the job's page, the
    page is polled as htmx does until the file is ready, and the file is a PDF."""
    plain = urllib.request.build_opener(
        NoRedirect,
        *[h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)],
    )
    start = time.perf_counter()
    try:
        plain.open(BASE + url, timeout=30)
        step("FAIL: the draft was not queued")
        return 1
    except urllib.error.HTTPError as answer:
        job_page = answer.headers["Location"]
        assert answer.code == 302 and "/van-ban/ban-in/" in job_page, answer.code
    step(f"draft {url}: queued in {1000 * (time.perf_counter() - start):.0f} ms → {job_page}")
    page = opener.open(BASE + job_page, timeout=30).read().decode()
    assert "In văn bản" in page and 'hx-trigger="every' in page, "progress page"
    poll = urllib.request.Request(BASE + job_page, headers={"HX-Request": "true"})
    for _ in range(120):
        block = opener.open(poll, timeout=30).read().decode()
        status = re.search(r'data-status="(\w+)"', block).group(1)
        if status not in ("queued", "running"):
            break
        time.sleep(0.5)
    if status != "done":
        step(f"FAIL: the print job ended {status}: {block[:500]}")
        return 1
    file = re.search(r'href="([^"]+/tai-ve\.pdf)"', block).group(1)
    doc = opener.open(BASE + file, timeout=30)
    body = doc.read()
    assert doc.status == 200 and body.startswith(b"%PDF-"), "printed draft"
    took = time.perf_counter() - start
    step(f"printed by the task worker in {took:.1f} s: {file}, {len(body)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
