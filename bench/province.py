"""The province generator of the benchmarks (issue 12): a province of N blocs × M units with a
criteria template of C lines, built through the app's services so that it obeys the rules, as a
user of the app would have made it, audited at every step:

  for every bloc, year 2022 (the year of plan seed 000): units, the bloc, memberships, the term
  (head, deputy, signer), one account per unit; the template of C lines; every unit's
  registration (targets linked to the measured lines) sent and accepted, the giao ước signed and
  issued; the plan (seed 000's text, the bloc's own issuer and signer) approved and issued, which
  makes the reporting rounds; every unit's sơ kết report; every unit's tổng kết sheet scored
  line by line with evidence and sent (one late, one returned and corrected), checked by the
  deputy (a few lines adjusted) and confirmed by the head, agreed at the meeting; a compliance
  flag now and then; the ranking computed, voted (ties voted where only the vote breaks them),
  adopted with its minutes issued; the award proposals drafted.

  for the first --open blocs (default 5), 2023 as on its deadline day: the term, the template copied, the
  registrations signed, the plan copied, approved and issued, every unit's tổng kết sheet
  opened and half scored (drafts), and a draft amendment of the plan whose schedule the
  secretariat is editing. The load benchmark's POST mix works on these.

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        DEBUG=1 python bench/province.py --blocs 34 --units 15 --criteria 60 [--fresh]

builds into the database …/tdkt_bench_34x15x60 (created when missing). Each bloc is one
transaction: an interrupted run leaves whole blocs, and running again carries on from there.
Logins: k<bloc>d<unit> (k000d00 is the head of the first bloc, k000d01 its deputy),
"thamdinh" (the province's reviewer), "quantri" (site administrator); password bench12345.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


@dataclass
class Clock:
    """Seconds spent per step, summed over the blocs (printed at the end of a build)."""

    spent: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] += time.perf_counter() - start

    def report(self) -> str:
        total = sum(self.spent.values()) or 1
        rows = sorted(self.spent.items(), key=lambda kv: -kv[1])
        return "\n".join(f"  {k:<22} {v:8.1f} s  {v / total:5.1%}" for k, v in rows)


def province_name(blocs: int, units: int, criteria: int) -> str:
    return f"Tỉnh Thử Nghiệm ({blocs} khối × {units} đơn vị × {criteria} tiêu chí)"


def _people(province):
    """The site administrator and the province's reviewer (made once per province)."""
    from django.contrib.auth.hashers import make_password

    from bench.province_data import PASSWORD
    from blocs.models import User

    hashed = make_password(PASSWORD)
    admin = User.objects.filter(username="quantri").first()
    if admin is None:
        admin = User(
            username="quantri",
            full_name="Phạm Minh Tuấn",
            is_staff=True,
            is_superuser=True,
            password=hashed,
        )
        admin.full_clean()
        admin.save()
    if not User.objects.filter(username="thamdinh").exists():
        reviewer = User(
            username="thamdinh",
            full_name="Đỗ Thị Minh Nguyệt",
            reviewer_province=province,
            password=hashed,
        )
        reviewer.full_clean()
        reviewer.save()
    return admin, hashed


def build(
    *,
    blocs: int,
    units: int,
    criteria: int,
    open_blocs: int,
    stdout=sys.stdout,
    profile: bool = False,
    quiet: bool = False,
) -> dict:
    """Build (or complete) the province of this size in the current database; returns counts.
    Only into a database whose name says "bench": it makes accounts with a known password."""
    from django.db import connection, transaction

    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("the generator builds only into a database whose name contains 'bench'")

    from bench import province_blocs as pb
    from blocs import services as bloc_services
    from blocs.models import Bloc, Province

    if units < 3:
        raise SystemExit("a bloc needs at least 3 units (head, deputy, members)")
    clock = Clock()
    with transaction.atomic():
        province = Province.objects.filter(name=province_name(blocs, units, criteria)).first()
        if province is None:
            province = bloc_services.province_create(name=province_name(blocs, units, criteria))
        admin, hashed = _people(province)
    world = pb.World(province=province, admin=admin, hashed=hashed, clock=clock)
    world.prepare(criteria)
    done = set(Bloc.objects.filter(province=province).values_list("name", flat=True))
    start = time.perf_counter()
    for b in range(blocs):
        if pb.bloc_name(b) in done:
            continue
        t0 = time.perf_counter()
        profiler = cProfile.Profile() if profile and b == 0 else None
        if profiler:
            profiler.enable()
        with transaction.atomic():
            pb.build_bloc(world, b, units)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=stdout).sort_stats("cumulative").print_stats(40)
        stdout.write(
            f"bloc {b + 1}/{blocs}: {time.perf_counter() - t0:.1f} s (load {common.loadavg()})\n"
        )
        stdout.flush()
    for b in range(min(open_blocs, blocs)):
        with transaction.atomic():
            if pb.build_next_year(world, b):
                stdout.write(f"bloc {b + 1}: 2023 at its deadline day\n")
    elapsed = time.perf_counter() - start
    if not quiet:
        stdout.write(f"built in {elapsed:.1f} s; time per step:\n{clock.report()}\n")
    return counts(province)


def counts(province) -> dict:
    from blocs.models import AuditEvent, Bloc, Unit, User
    from scoring.models import Entry, Ranking, Submission

    blocs = Bloc.objects.filter(province=province)
    return {
        "blocs": blocs.count(),
        "units": Unit.objects.filter(province=province).count(),
        "users": User.objects.count(),
        "submissions": Submission.objects.filter(round__bloc__in=blocs).count(),
        "score_lines": Entry.objects.filter(submission__round__bloc__in=blocs).count(),
        "rankings": Ranking.objects.filter(bloc__in=blocs).count(),
        "audit_events": AuditEvent.objects.count(),
    }


def ensure(
    blocs: int,
    units: int = 15,
    criteria: int = 60,
    *,
    open_blocs: int = 5,
    fresh: bool = False,
    debug: bool = True,
) -> str:
    """The database URL of this size, the province built in it (once). For the other benches:
    call before django.setup() (it sets DATABASE_URL and sets Django up)."""
    url = common.size_url(common.base_url(), blocs, units, criteria)
    common.ensure_database(url, fresh=fresh)
    common.setup_django(url, debug=debug)
    common.migrate()
    from blocs.models import Bloc, Province

    province = Province.objects.filter(name=province_name(blocs, units, criteria)).first()
    have = Bloc.objects.filter(province=province).count() if province else 0
    if have < blocs:
        print(f"building the province {blocs}×{units}×{criteria} in {common.db_name(url)} …")
    build(blocs=blocs, units=units, criteria=criteria, open_blocs=open_blocs, quiet=have >= blocs)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocs", type=int, default=34)
    parser.add_argument("--units", type=int, default=15)
    parser.add_argument("--criteria", type=int, default=60)
    parser.add_argument(
        "--open", type=int, default=5, help="blocs whose 2023 is at its deadline day (default 5)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--profile", action="store_true", help="cProfile the first bloc")
    parser.add_argument("--database-url", help="build here instead of …/<DATABASE_URL name>_<size>")
    args = parser.parse_args()
    url = args.database_url or common.size_url(
        common.base_url(), args.blocs, args.units, args.criteria
    )
    common.ensure_database(url, fresh=args.fresh)
    common.setup_django(url)
    common.migrate()
    start = time.perf_counter()
    out = build(
        blocs=args.blocs,
        units=args.units,
        criteria=args.criteria,
        open_blocs=args.open,
        profile=args.profile,
    )
    print(f"{common.db_name(url)}: {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
