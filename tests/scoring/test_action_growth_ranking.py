"""The one-off secretariat and province actions of the ranking, meeting and proposals (issue 12):
each posted through its page on a bloc-year of four member units and on the same year grown by
GROWTH more (each with its registration, its final sheet and so its ranking row, its attendance
and its proposals), counted as production runs them (the test's SAVEPOINTs left out), and the
same at both sizes. The whole year's chain runs once to warm the process, then at each size
inside a transaction that is rolled back. `-s` prints the table; QUERY_DUMP=<url name> or `*`
prints the statements."""

from __future__ import annotations

import os
import re

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring.models import Proposal, Ranking
from scoring.selectors_ranking import ranking_view
from scoring.services import proposals as proposal_services
from tests.scoring.conftest import register
from tests.scoring.ranking_data import GOOD_YEAR, added_member, final_sheet, ranked_world
from tests.test_query_budget import SAVEPOINTS

GROWTH = 10
SIZES: list[int] = []  # the proposals generated at each run

# What each action costs as measured (statements, the same at both sizes); any rise fails. Every
# POST starts with the session, the user and the bloc-year's term (3); then the page's view, the
# lock, the checks, the writes (one statement a kind of row, not one a unit) and the audit.
CEILING: dict[str, int] = {
    "compliance": 15,
    "ranking_compute": 19,  # the year's data, a query a kind (sheets and their entries in two)
    "meeting": 18,
    "ranking_tie_votes": 32,  # the votes written, then the ranking computed again with them
    "ranking_vote": 16,
    # the ranking recomputed under the lock to check it is current, UPDATE, audit; then the
    # minutes issued: the number (6), the context (9), the document, its entry, audit (was 58:
    # full_clean asked 9 queries of the document and its register entry)
    "ranking_adopt": 49,
    # the rows with their units and top band, the rules, one INSERT of every proposal (was a
    # full_clean and an INSERT each: 23 at 4 units, 35 at 14), audit
    "proposals_generate": 12,
    "proposal_vote": 8,
    # the dossier and its proposals (one INSERT, one UPDATE), audit; the tờ trình issued as the
    # minutes are (was 43)
    "proposals_submit": 34,
    "proposal_review": 12,
    "proposal_decide": 14,
}

MEETING = {
    "place": "Hội trường Bộ CHQS tỉnh",
    "chair": "Đại tá Nguyễn Văn Trưởng, Chỉ huy trưởng",
    "secretary": "Trần Thị Phó",
}


def _url(world, name, *args):
    return reverse(f"scoring:{name}", args=(world.bloc.pk, world.year, *args))


def _members(world):
    from scoring.selectors import member_units_qs

    return list(member_units_qs(bloc_id=world.bloc.pk, year=world.year))


def grow(world, round) -> None:
    """GROWTH more member units, each registered and accepted, with a final sheet of a good
    year whose line I.2 scores below the four units' (so the tie stays the same two)."""
    for i in range(GROWTH):
        unit, clerk = added_member(world, i)
        register(world, unit, accept=True, actor=clerk)
        final_sheet(world, round, clerk, lines={**GOOD_YEAR, "I.2": str(11 - i)})


def _post(client, world, persona, name, counts, *args, data=None, expect=302):
    client.force_login(world.users[persona])
    url = _url(world, name, *args)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data or {})
    body = response.content.decode()
    errors = re.findall(
        r"(?:invalid-feedback|alert-danger|errorlist|nonfield|error_)[^>]*>\s*(?:<[^>]*>)*([^<]*)",
        body,
    )
    assert response.status_code == expect, (name, errors)
    counts[name] = sum(not q["sql"].startswith(SAVEPOINTS) for q in ctx.captured_queries)
    if os.environ.get("QUERY_DUMP") in (name, "*"):
        print(f"\n--- POST {name} ({counts[name]})")
        for q in ctx.captured_queries:
            print("  ", q["sql"][:300])
    return response


def _year(client, world) -> dict[str, int]:
    """The year's chain, each action through its page; what a user notices checked after each."""
    counts: dict[str, int] = {}
    post = lambda persona, name, *args, **kw: _post(  # noqa: E731
        client, world, persona, name, counts, *args, **kw
    )
    flag = {"unit": world.deputy_unit.pk, "kind": "violation", "effect": "deduct"}
    post("chair", "compliance", data=flag | {"source": "Cục Thuế", "note": "Nợ", "points": "1"})
    post("chair", "ranking_compute")
    ranking = Ranking.objects.get(bloc=world.bloc, year=world.year)
    assert ranking.rows.count() == len(_members(world))
    units = [u.pk for u in _members(world)]
    today = timezone.localdate().strftime("%d/%m/%Y")
    post("chair", "meeting", data=MEETING | {"date": today, "attending": units})
    view = ranking_view(bloc_id=world.bloc.pk, year=world.year)
    assert {r.unit for r in view.tied} == {world.unit_a, world.unit_b}
    votes = {f"vote_{world.unit_a.pk}": "3", f"vote_{world.unit_b.pk}": "1"}
    post("chair", "ranking_tie_votes", data=votes)
    n = str(len(units))
    post("chair", "ranking_vote", data={"vote_total": n, "vote_for": n, "vote_against": "0"})
    post("chair", "ranking_adopt", data={"revision": Ranking.objects.get().revision})
    assert Ranking.objects.get().status == Ranking.Status.ADOPTED
    post("chair", "proposals_generate")
    props = list(Proposal.objects.filter(bloc=world.bloc, year=world.year).order_by("rank"))
    SIZES.append(len(props))  # Cờ and Bằng khen (a share of the units): more units, more
    first = props[0]
    vote = {"revision": first.revision, "vote_for": n, "vote_against": 0, "vote_total": n}
    post("chair", "proposal_vote", first.pk, data=vote)
    for p in Proposal.objects.filter(pk__in=[p.pk for p in props[1:]]):
        proposal_services.proposal_vote(
            proposal=p, actor=world.users["chair"], vote_for=len(units), vote_against=0,
            vote_total=len(units),
        )  # fmt: skip
    post("chair", "proposals_submit", data={"date": today})
    assert set(Proposal.objects.values_list("status", flat=True)) == {"submitted"}
    first = Proposal.objects.get(pk=first.pk)
    post("reviewer", "proposal_review", first.pk, "approve", data={"revision": first.revision})
    first = Proposal.objects.get(pk=first.pk)
    decision = {"revision": first.revision, "number": "125/QĐ-UBND"}
    decision["date"] = today
    post("reviewer", "proposal_decide", first.pk, data=decision)
    assert Proposal.objects.get(pk=first.pk).decision_number == "125/QĐ-UBND"
    return counts


def _rolled_back(client, world) -> dict[str, int]:
    with transaction.atomic():
        counts = _year(client, world)
        transaction.set_rollback(True)
    return counts


def test_the_years_one_off_actions_cost_the_same_at_two_sizes(world, tong_ket, client):
    ranked_world(world, tong_ket, {"unit_a": "14", "unit_b": "14", "chair": "13", "deputy": "12"})
    SIZES.clear()
    _rolled_back(client, world)  # warm: content types, the first render of each template
    small = _rolled_back(client, world)
    grow(world, tong_ket)
    large = _rolled_back(client, world)
    print("\nstatements small large action\n" + "\n".join(
        f"{small[n]:4d} {large[n]:4d}  scoring:{n}" for n in small
    ))  # fmt: skip
    assert SIZES[1] < SIZES[2]  # the proposals' actions had more proposals to handle
    assert small == large
    assert all(large[n] <= CEILING[n] for n in large), large


def test_the_rows_written_without_full_clean_have_every_check_constraint_tested():
    from blocs import rowchecks
    from reports import registers
    from reports.models import IssuedDocument, RegisterEntry

    assert not rowchecks.missing((Proposal,), proposal_services.PROPOSAL_CHECKS)
    assert not rowchecks.missing((RegisterEntry,), registers.ENTRY_CHECKS)
    assert not rowchecks.missing((IssuedDocument,), {})
