"""Every form of the app, posted with hostile input as the persona who sees it: each page of
tests/security/pages.py is opened, its POST forms are read from the HTML (fields, choices,
hidden revision tokens), and each form is posted with generated input (mostly what a person
types, with up to three fields made hostile). Never a 5xx; a refused input writes nothing; an
accepted change is audited (tests/security/harness.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from hypothesis import given

from tests.security.harness import Form, Prober, forms_on, hostile
from tests.security.pages import PAGES
from tests.security.strategies import form_input
from tests.security.worlds import WORLDS

EXAMPLES = 14
# Forms whose accepted input renders and freezes a PDF (about half a second each).
HEAVY = {
    "reports:plan_issue",
    "reports:compiled_issue",
    "scoring:ranking_adopt",
    "scoring:proposals_submit",
    "scoring:signing",
}
# Their changes are the session's or the password's, not the app's data: no audit event.
NOT_AUDITED = {"login", "password_change", "two_factor", "plans:calendar"}


def distinct(forms: list[Form]) -> list[Form]:
    """One form per kind: the same URL name and non-id URL arguments, and the same fields
    (line numbers in field names aside)."""
    seen, out = set(), []
    for form in forms:
        form.fields.pop("csrfmiddlewaretoken", None)
        match = resolve(form.action.removeprefix("http://testserver"))
        args = tuple(sorted((k, v) for k, v in match.kwargs.items() if not k.endswith("_id")))
        shape = tuple(sorted((re.sub(r"\d+", "#", n), f.kind) for n, f in form.fields.items()))
        key = (form.name, args, shape)
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


def fuzz_form(client, user, form: Form, year: int, key: str, good: dict) -> None:
    prober = Prober(client, key, user=user, audited=form.name not in NOT_AUDITED)
    examples = EXAMPLES // 3 if form.name in HEAVY else EXAMPLES

    @hostile(examples)
    @given(data=form_input(form, year, good))
    def run(data):
        prober.post(form.action, data)

    run()


@pytest.mark.parametrize("world_name", sorted(WORLDS))
def test_every_form_survives_hostile_input(world_name, world, hostile_client):
    ids = WORLDS[world_name](world)
    failures = []
    for page in [p for p in PAGES if p.world == world_name]:
        user = world.users[page.persona]
        hostile_client.logout()
        if user is not None:
            hostile_client.force_login(user)
        url = reverse(page.name, kwargs=page.url_kwargs(ids))
        response = hostile_client.get(url)
        assert response.status_code == 200, f"{page.label}: GET {url} → {response.status_code}"
        forms = distinct(forms_on(response.content.decode(), "http://testserver" + url))
        missing = set(page.forms) - {f.name for f in forms}
        assert not missing, f"{page.label}: the page shows no form for {sorted(missing)}"
        for form in forms:
            if form.name not in page.forms:
                continue
            try:
                key = f"{page.label} → {form.name}"
                fuzz_form(hostile_client, user, form, world.year, key, page.good)
            except Exception as exc:  # noqa: BLE001 - every failing form is reported
                failures.append(f"{page.label} → {form.action}:\n{exc}")
    assert not failures, "\n\n".join(failures)
