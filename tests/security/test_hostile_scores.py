"""The score of a line, posted with hostile numbers through the pages, as htmx does and as a
plain form: the unit's own line (a score, an actual, a count, Đạt / Không đạt; bonus and
deduction lines included) and the reviewer's score on a submitted sheet. Never a 5xx; a refused
number writes nothing; an accepted one leaves every line within its criterion's bounds and the
sheet's totals equal to scoring.sheets.compute (tests/security/invariants.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from scoring.models import Entry, Review
from tests.security.harness import Prober, hostile
from tests.security.invariants import sheet_is_whole
from tests.security.strategies import NUMBER_WORDS, hostile_number, hostile_text, vietnamese
from tests.security.worlds import scoring_world

EXAMPLES = 30
KINDS = ["graded", "pass_fail", "quantitative", "per_occurrence", "bonus", "deduction"]
ASKED = ["1e309", "NaN", "-0", "１２", "9" * 40, "10,5", "-1", "-0,5", "1E+2", "0x10", "½",
         "٣", "5\x00", " 5 ", "5,", "1.000,5", "+3", "∞", "1e-400", "0,0000001", "5e0"]  # fmt: skip


def _numbers(criterion) -> st.SearchStrategy[str]:
    """Numbers around the line's bounds (its maximum, above, below, off the step) and the
    hostile ones."""
    mx = criterion.max_points
    near = [mx, mx + Decimal("0.5"), mx + 1, mx * 1000, mx - Decimal("0.25"), Decimal(0)]
    near += [mx / 2, -mx, Decimal("0.5"), Decimal(1), Decimal(2), Decimal(95), Decimal(100)]
    comma = [str(n).replace(".", ",") for n in near]
    return st.one_of(
        st.sampled_from([str(n) for n in near] + comma),
        st.sampled_from(ASKED),
        st.sampled_from(NUMBER_WORDS),
        hostile_number,
        st.integers(-5, 200).map(str),
        st.decimals(-10, 200, places=2).map(lambda d: str(d).replace(".", ",")),
    )


def _entries(sub) -> dict[str, Entry]:
    """One line of each kind of the sheet."""
    out = {}
    for e in sub.entries.select_related("criterion").order_by("criterion__order"):
        out.setdefault(e.criterion.kind, e)
    assert set(KINDS) <= set(out), sorted(out)
    return out


def _revision(good: int) -> st.SearchStrategy:
    return (
        st.just(str(good))
        | st.just(str(good))
        | st.just(str(good))
        | st.sampled_from(["", "-1", "x", "9" * 30, str(good + 1)])
    )


@pytest.fixture
def draft(world):
    """Unit A's draft sheet of the 100-point template, nothing entered yet."""
    from scoring.services.sheets import submission_open
    from tests.scoring.conftest import make_round, make_template

    make_template(world.bloc, world.year, world.users["chair"])
    return submission_open(round=make_round(world), unit=world.unit_a, actor=world.users["unit_a"])


def test_the_units_line_with_hostile_numbers(world, draft, hostile_client):
    entries = _entries(draft)
    user = world.users["unit_a"]
    probers = {
        k: Prober(hostile_client, f"score:scoring:sheet_line ({k})", user=user) for k in KINDS
    }

    def whole(outcome) -> None:
        if outcome.changed:  # a line saved as it was writes nothing (the totals stay unset)
            sheet_is_whole(draft)

    @hostile(EXAMPLES * len(KINDS))
    @given(kind=st.sampled_from(KINDS), data=st.data())
    def run(kind, data):
        entry = entries[kind]
        url = reverse("scoring:sheet_line", args=(world.bloc.pk, world.year, draft.pk, entry.pk))
        p = f"l{entry.pk}-"
        pass_fail = kind == "pass_fail"
        numbers = _numbers(entry.criterion)
        value = st.just("") | st.just("") | numbers if pass_fail else numbers
        odd = st.sampled_from(["2", "Đạt", "-1", "1.0", "on", "", "1", "0"])
        passed = st.sampled_from(["1", "0"]) if pass_fail else st.just("")
        fields = {
            p + "value": data.draw(value | st.just("")),
            p + "passed": data.draw(passed | passed | odd),
            p + "explanation": data.draw(vietnamese | hostile_text),
            p + "revision": data.draw(_revision(entry.revision)),
        }
        probers[kind].post(url, fields, htmx=data.draw(st.booleans()), whole=whole)

    run()


def test_the_reviewers_score_with_hostile_numbers(world, hostile_client):
    from scoring.models import Submission

    sub = Submission.objects.get(pk=scoring_world(world)["sub_review"])
    entries = _entries(sub)
    user = world.users["chair"]
    prober = Prober(hostile_client, "score:scoring:review_line (every kind)", user=user)

    def whole(outcome) -> None:
        sheet_is_whole(sub)
        assert Review.objects.filter(entry__submission=sub).exists()

    @hostile(EXAMPLES * 2)
    @given(kind=st.sampled_from(KINDS), data=st.data())
    def run(kind, data):
        entry = entries[kind]
        url = reverse("scoring:review_line", args=(world.bloc.pk, world.year, sub.pk, entry.pk))
        p = f"dong{entry.pk}-"
        fields = {
            p + "score": data.draw(_numbers(entry.criterion) | st.just("")),
            p + "comment": data.draw(vietnamese | hostile_text | st.just("")),
            p + "revision": data.draw(_revision(0)),
        }
        prober.post(url, fields, htmx=data.draw(st.booleans()), whole=whole)

    run()


@pytest.mark.parametrize("value", ["1e309", "NaN", "9" * 40, "-1", "-0,5", "15,5", "2,25", "inf"])
def test_a_hostile_score_is_refused_next_to_the_line_and_changes_nothing(
    value, world, draft, client_for
):
    entry = _entries(draft)["graded"]  # 0 to 15, step 0,5
    url = reverse("scoring:sheet_line", args=(world.bloc.pk, world.year, draft.pk, entry.pk))
    p = f"l{entry.pk}-"
    data = {p + "value": value, p + "explanation": "Có số liệu", p + "revision": entry.revision}
    response = client_for("unit_a").post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    errors = response.context["edit"]["errors"]
    assert errors.get("value") or errors.get("line"), errors  # next to the number, in Vietnamese
    message = " ".join(m for ms in errors.values() for m in ms)
    assert any(
        w in message for w in ("không phải là số", "Điểm phải", "quá dài", "quá lớn", "số âm")
    ), message
    entry.refresh_from_db()
    draft.refresh_from_db()
    assert (entry.value, entry.self_score, entry.revision, draft.self_total) == (
        None,
        None,
        0,
        None,
    )


@pytest.mark.parametrize(
    "value, saved", [("-0", "0"), ("１２", "12"), ("10,5", "10,5"), (" 7 ", "7")]
)
def test_a_number_a_person_may_type_is_saved_as_the_number_it_means(
    value, saved, world, draft, client_for
):
    entry = _entries(draft)["graded"]
    url = reverse("scoring:sheet_line", args=(world.bloc.pk, world.year, draft.pk, entry.pk))
    p = f"l{entry.pk}-"
    assert (
        client_for("unit_a").post(url, {p + "value": value, p + "revision": "0"}).status_code == 302
    )
    entry.refresh_from_db()
    assert entry.self_score == Decimal(saved.replace(",", ".")) and not entry.self_score.is_signed()
    page = client_for("unit_a").get(
        reverse("scoring:submission", args=(world.bloc.pk, world.year, draft.pk))
    )
    assert re.search(rf'name="{p}value"[^>]* value="{saved}"', page.content.decode())
    sheet_is_whole(draft)
