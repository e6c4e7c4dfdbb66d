"""Concurrency on PostgreSQL (issue 12): K users saving one plan's schedule and one sheet at the
same moment (threads released by a barrier, each on its own connection, through the services the
views call), and a save repeated unchanged. Checks, after every try: no error other than "someone
saved first" (stale), exactly one winner among those who read the same revision, no duplicate
rows (the schedule has as many phases and milestones as one save writes, a unit has one
submission per round), the sheet's stored totals equal to its lines, one audit event per change;
and that an unchanged save writes nothing (rows, revisions and audit events do not grow).

    DATABASE_URL=postgres://tdkt:tdkt@127.0.0.1:5432/tdkt_bench \\
        python bench/concurrency.py [--blocs 5] [-k 8] [--tries 10] [--quick]

Works on the generated province's last open bloc (its 2023: the draft amendment of the plan and
the units' draft sheets); the pages bench reads bloc 0, which this leaves alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import Counter
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def race(calls: list) -> list:
    """Run the calls at once (threads behind a barrier, one connection each): their outcomes."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            out[i] = call()
        except Exception as exc:  # noqa: BLE001  (every outcome is counted)
            out[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def tally(outcomes: list, stale: tuple[type, ...]) -> Counter:
    c = Counter()
    for r in outcomes:
        if isinstance(r, stale):
            c["told"] += 1
        elif isinstance(r, Exception):
            c["errors"] += 1
            c[f"error: {type(r).__name__}: {str(r)[:80]}"] += 1
        else:
            c["saved"] += 1
    return c


def schedule_of(plan) -> tuple[list[dict], list[dict]]:
    """The plan's schedule as the schedule form posts it back."""
    phases = [
        {
            "seq": p.seq,
            "name": p.name,
            "start": p.start,
            "end": p.end,
            "commemorations": p.commemorations,
        }
        for p in plan.phases.order_by("seq")
    ]
    fields = ("kind", "due", "due_month", "due_year", "data_from", "data_to", "addressee", "place")
    milestones = [
        {
            **{f: getattr(m, f) for f in fields},
            "with_score_sheet": m.with_score_sheet,
            "phase_seq": m.phase.seq if m.phase else None,
        }
        for m in plan.milestones.select_related("phase").order_by("id")
    ]
    return phases, milestones


def _events(action: str) -> int:
    from blocs.models import AuditEvent

    return AuditEvent.objects.filter(action=action).count()


def run(blocs: int, k: int, tries: int) -> list[dict]:
    from bench.province import ensure

    ensure(blocs, debug=False)
    from bench import province_data as data
    from blocs.models import Bloc, User
    from plans import editing
    from plans.models import Plan
    from scoring import sheets
    from scoring.models import Criterion, Entry, Round, Submission
    from scoring.services import sheets as sheet_services

    year = data.YEAR + 1
    b = min(blocs, 5) - 1
    bloc = Bloc.objects.get(name=data.bloc_name(b), province__name__contains=f"({blocs} khối")
    plan = Plan.objects.get(bloc=bloc, year=year, status=Plan.Status.DRAFT)
    head = User.objects.get(username=data.username(b, 0))
    members = list(User.objects.filter(unit__memberships__bloc=bloc).order_by("username"))[2:]
    tong_ket = Round.objects.get(bloc=bloc, year=year, kind=Round.Kind.TONG_KET)
    so_ket = Round.objects.get(bloc=bloc, year=year, kind=Round.Kind.SO_KET)
    clerk = members[0]
    sub = Submission.objects.get(round=tong_ket, unit=clerk.unit)
    graded = list(
        Entry.objects.filter(submission=sub, criterion__kind=Criterion.Kind.GRADED)
        .select_related("criterion")
        .order_by("criterion__order")
    )
    phases, milestones = schedule_of(plan)
    results = []

    def save_schedule(i: int, t: int, revision):
        ms = [dict(m) for m in milestones]
        ms[0]["addressee"] = f"Thường trực Khối (người lưu {i}, lần {t})"
        return editing.plan_set_schedule(
            plan=plan, actor=head, phases=phases, milestones=ms, revision=revision
        )

    def schedule_rows() -> tuple[int, int]:
        return plan.phases.count(), plan.milestones.count()

    want_rows = (len(phases), len(milestones))
    for label, with_revision in (("same revision", True), ("no revision", False)):
        total, bad_rows = Counter(), 0
        for t in range(tries):
            rev = Plan.objects.get(pk=plan.pk).revision if with_revision else None
            before = _events("plan.schedule")
            c = tally(
                race([partial(save_schedule, i, t, rev) for i in range(k)]),
                (editing.StaleEditError,),
            )
            total += c
            bad_rows += schedule_rows() != want_rows
            total["audit mismatch"] += _events("plan.schedule") - before != c["saved"]
        results.append(
            _row(f"plan schedule, {k} at once, {label}", tries, total, bad_rows, with_revision)
        )

    value = {e.pk: e.criterion.max_points for e in graded}
    step = {e.pk: e.criterion.step or e.criterion.max_points for e in graded}

    def save_line(entry, v, revision, who: str):
        text = f"Số liệu đến ngày nộp ({who})."  # every saver's input differs from the line
        return sheet_services.line_save(
            entry=entry, actor=clerk, value=v, explanation=text, revision=revision
        )

    for label in ("one line, same revision", "different lines"):
        total, bad_rows = Counter(), 0
        for t in range(tries):
            before = _events("sheet.line")
            if label.startswith("one"):
                e = Entry.objects.get(pk=graded[0].pk)
                calls = [
                    partial(save_line, e, value[e.pk], e.revision, f"người {i}, lần {t}")
                    for i in range(k)
                ]
                stale = (sheet_services.StaleSheetError,)
            else:
                calls = [
                    partial(save_line, e, value[e.pk] - step[e.pk] * (t % 2), None, f"lần {t}")
                    for e in graded[:k]
                ]
                stale = ()
            c = tally(race(calls), stale)
            changed = _events("sheet.line") - before
            total += c
            total["audit mismatch"] += changed > c["saved"]
            fresh = Submission.objects.get(pk=sub.pk)
            stored = (fresh.self_total, fresh.reviewed_total)
            sheets.refresh_totals(fresh)
            bad_rows += (fresh.self_total, fresh.reviewed_total) != stored
            bad_rows += Entry.objects.filter(submission=sub).count() != sub.entries.count()
        results.append(
            _row(
                f"sheet, {k} at once, {label}",
                tries,
                total,
                bad_rows,
                label.startswith("one"),
                "totals ≠ lines",
            )
        )

    # k first opens of one unit's sơ kết report: one submission
    opened = Counter()
    free = [u for u in members if not Submission.objects.filter(round=so_ket, unit=u.unit).exists()]
    for u in free[:tries]:
        c = tally(
            race([partial(sheet_services.submission_open, round=so_ket, unit=u.unit, actor=u)] * k),
            (),
        )
        opened += c
        opened["duplicates"] += Submission.objects.filter(round=so_ket, unit=u.unit).count() != 1
    if free:
        results.append(
            _row(
                f"first open of a report, {k} at once",
                min(tries, len(free)),
                opened,
                opened["duplicates"],
                False,
                "duplicate rows",
            )
        )
    results.append(unchanged(plan, head, sub, clerk, graded, tries))
    return results


def unchanged(plan, head, sub, clerk, graded, tries: int) -> dict:
    """The same schedule, line, lines and report saved again `tries` times: nothing grows."""
    from blocs.models import AuditEvent
    from plans import editing
    from plans.models import Milestone, Phase, Plan
    from scoring.models import Entry, Submission
    from scoring.services import sheets as sheet_services

    def snapshot() -> tuple:
        fresh = Plan.objects.get(pk=plan.pk)
        s = Submission.objects.get(pk=sub.pk)
        return (
            AuditEvent.objects.count(),
            Phase.objects.count(),
            Milestone.objects.count(),
            sorted(Milestone.objects.filter(plan=plan).values_list("pk", flat=True)),
            Entry.objects.count(),
            fresh.revision,
            s.revision,
            sorted(Entry.objects.filter(submission=sub).values_list("pk", "revision")),
        )

    phases, milestones = schedule_of(plan)
    line = Entry.objects.get(pk=graded[1].pk)
    lines = [
        sheet_services.LineInput(e.pk, value=e.value, passed=e.passed, explanation=e.explanation)
        for e in Entry.objects.filter(submission=sub)
    ]
    body = Submission.objects.get(pk=sub.pk).body
    before = snapshot()
    for _ in range(tries):
        rev = Plan.objects.get(pk=plan.pk).revision
        editing.plan_set_schedule(
            plan=plan, actor=head, phases=phases, milestones=milestones, revision=rev
        )
        sheet_services.line_save(
            entry=line, actor=clerk, value=line.value, explanation=line.explanation
        )
        sheet_services.lines_save(submission=sub, actor=clerk, lines=lines)
        sheet_services.report_save(submission=sub, actor=clerk, body=body)
    after = snapshot()
    grew = [
        n
        for n, a, b in zip(
            (
                "audit",
                "phases",
                "milestones",
                "milestone ids",
                "lines",
                "plan revision",
                "sheet revision",
                "line revisions",
            ),
            before,
            after,
            strict=True,
        )
        if a != b
    ]
    return {
        "scenario": f"unchanged save × {tries} (schedule, a line, all lines, report)",
        "tries": tries,
        "saved": 0,
        "told": 0,
        "errors": 0,
        "bad": len(grew),
        "note": "grew: " + ", ".join(grew) if grew else "nothing grew",
        "ok": not grew,
        "load": common.loadavg(),
    }


def _row(scenario, tries, c: Counter, bad: int, one_winner: bool, what="duplicate rows") -> dict:
    errors = c["errors"]
    winners_ok = not one_winner or c["saved"] == tries  # one winner per try
    ok = errors == 0 and bad == 0 and winners_ok and c["audit mismatch"] == 0
    notes = [f"{bad} tries with {what}"] if bad else []
    notes += [k for k in c if k.startswith("error:")][:3]
    if c["audit mismatch"]:
        notes.append(f"{c['audit mismatch']} tries where the audit disagrees")
    if not winners_ok:
        notes.append(f"{c['saved']} saved for {tries} tries (want one winner each)")
    return {
        "scenario": scenario,
        "tries": tries,
        "saved": c["saved"],
        "told": c["told"],
        "errors": errors,
        "bad": bad,
        "note": "; ".join(notes) or "ok",
        "ok": ok,
        "load": common.loadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocs", type=int, default=5)
    parser.add_argument("-k", type=int, default=8, help="users saving at once (default 8)")
    parser.add_argument("--tries", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 tries")
    args = parser.parse_args()
    common.postgres_url()
    rows = run(args.blocs, args.k, 3 if args.quick else args.tries)
    print("| scenario | tries | saved | told (stale) | errors | verdict |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        verdict = r["note"] if r["ok"] else "FAILS: " + r["note"]
        print(
            f"| {r['scenario']} | {r['tries']} | {r['saved']} | {r['told']} | {r['errors']} | {verdict} |"
        )
    out = common.ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "concurrency.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
