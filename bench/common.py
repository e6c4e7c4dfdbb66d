"""What the benchmarks share: the database of a province size (PostgreSQL, created on demand),
Django set up for a script, the machine's load next to every figure, medians and spreads."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench"
SIZES = {"s": (5, 15, 60), "m": (34, 15, 60), "l": (100, 15, 60)}


def size_url(base: str, blocs: int, units: int, criteria: int) -> str:
    """The database of one province size next to `base`: …/tdkt_bench → …/tdkt_bench_34x15x60."""
    return suffixed(base, f"_{blocs}x{units}x{criteria}")


def suffixed(base: str, suffix: str) -> str:
    """Another database next to `base` (PostgreSQL: a name; SQLite: a file beside it)."""
    parts = urlsplit(base)
    if base.startswith("sqlite"):
        path = Path(parts.path)
        return f"sqlite:///{path.with_name(path.stem + suffix + path.suffix)}"
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}{suffix}"))


def db_name(url: str) -> str:
    if url.startswith("sqlite"):
        return Path(urlsplit(url).path).name
    return urlsplit(url).path.lstrip("/")


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database of `url` if it is missing (drop it first when `fresh`).
    Only databases whose name contains "bench" are ever dropped. SQLite: the file."""
    name = db_name(url)
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh and "bench" in name:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        return
    conn = _admin_connection(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and fresh:
            if "bench" not in name:
                raise SystemExit(f"refusing to drop {name}: not a bench database")
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def setup_django(url: str | None = None, *, debug: bool = True) -> None:
    """Django for a bench script, on `url` (default: DATABASE_URL) with DEBUG as asked."""
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakhenthuong.settings")
    os.environ["DEBUG"] = "1" if debug else "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789-abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("PRIVATE_FILES_ROOT", str(ROOT / "var" / "bench-private"))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def loadavg() -> str:
    """The 1-minute load average on the 2 shared cores, printed next to each figure."""
    return f"{os.getloadavg()[0]:.2f}"


def spread(values: list[float]) -> str:
    """Median with min–max, in milliseconds: "12.3 ms (11.9–14.0)"."""
    med = statistics.median(values) * 1000
    return f"{med:.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def base_url() -> str:
    """DATABASE_URL when it is PostgreSQL, else a SQLite file under var/bench (for the benches
    that can run without PostgreSQL; their figures then say so)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    return f"sqlite:///{ROOT / 'var' / 'bench' / 'tdkt_bench.sqlite3'}"


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "DATABASE_URL must point at PostgreSQL, e.g. " + DEFAULT_URL + " (sizes get their own "
            "database next to it: …/tdkt_bench_34x15x60)"
        )
    return url
