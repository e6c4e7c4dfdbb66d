"""The permission matrix: every URL name × persona → expected status.

A new URL without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from blocs.models import Membership
from plans import services as plan_services
from tests import matrix_tally
from tests.conftest import PERSONAS
from tests.scoring.conftest import make_round

OK, MOVED, FORBIDDEN, MISSING, LOGIN = 200, 302, 403, 404, "login"

INSIDERS = {"chair": OK, "deputy": OK, "unit_a": OK, "unit_b": OK, "reviewer": OK, "admin": OK}
SECRETARIAT_ONLY = {
    "chair": OK,
    "admin": OK,
    "deputy": FORBIDDEN,
    "unit_a": FORBIDDEN,
    "unit_b": FORBIDDEN,
    "reviewer": FORBIDDEN,
}


# Another year (no term yet): the head unit is a plain member there.
PROVINCE_ONLY = {**SECRETARIAT_ONLY, "chair": FORBIDDEN, "reviewer": OK}
TERM_EDITORS = {**SECRETARIAT_ONLY, "reviewer": OK}


def row(base: dict, outsider=MISSING, **overrides) -> dict:
    return {**base, "outsider": outsider, "anonymous": LOGIN, **overrides}


def as_moved(base: dict) -> dict:
    return {k: (MOVED if v == OK else v) for k, v in base.items()}


ADMIN_ONLY = {p: FORBIDDEN for p in PERSONAS} | {"admin": OK, "anonymous": LOGIN}

# name -> (method, kwargs keys, POST data, expected per persona)
MATRIX: dict[str, tuple[str, tuple[str, ...], dict, dict]] = {
    "blocs:home": ("get", (), {}, row(INSIDERS, outsider=OK)),
    "blocs:bloc_latest": ("get", ("bloc_id",), {}, row(as_moved(INSIDERS))),
    "blocs:bloc": ("get", ("bloc_id", "year"), {}, row(INSIDERS)),
    "blocs:term_rotate": ("get", ("bloc_id", "year"), {}, row(SECRETARIAT_ONLY)),
    "blocs:membership_add": ("get", ("bloc_id", "year"), {}, row(SECRETARIAT_ONLY)),
    # the unit searches of the pages that pick a unit among many: the page's own rules
    "blocs:membership_add_units": ("get", ("bloc_id", "year"), {}, row(SECRETARIAT_ONLY)),
    "blocs:membership_end": (
        "get",
        ("bloc_id", "year", "membership_id"),
        {},
        row(SECRETARIAT_ONLY),
    ),
    "blocs:term_set": ("get", ("bloc_id", "year:next_year"), {}, row(PROVINCE_ONLY)),
    "blocs:term_update": ("get", ("bloc_id", "year"), {}, row(TERM_EDITORS)),
    "blocs:unit_merge": (
        "get",
        ("bloc_id", "year", "membership_id"),
        {},
        row(PROVINCE_ONLY),
    ),
    "blocs:unit_merge_units": (
        "get",
        ("bloc_id", "year", "membership_id"),
        {},
        row(PROVINCE_ONLY),
    ),
    # the data file is written by the task worker: the page goes to the job's progress
    "blocs:year_export": (
        "get",
        ("bloc_id", "year"),
        {},
        row(as_moved({**SECRETARIAT_ONLY, "reviewer": OK})),
    ),
    "blocs:province": (
        "get",
        ("province_id",),
        {},
        row({p: MISSING for p in INSIDERS} | {"reviewer": OK, "admin": OK}),
    ),
    "blocs:admin_index": ("get", (), {}, ADMIN_ONLY),
    "blocs:province_create": ("get", (), {}, ADMIN_ONLY),
    "blocs:unit_create": ("get", (), {}, ADMIN_ONLY),
    "blocs:unit_create_units": ("get", (), {}, ADMIN_ONLY),
    "blocs:bloc_create": ("get", (), {}, ADMIN_ONLY),
    # accounts: the site administrator (and a unit's account manager, none among the personas;
    # tests/blocs/test_accounts.py covers them)
    "blocs:accounts": ("get", (), {}, ADMIN_ONLY),
    "blocs:account_invite": ("get", (), {}, ADMIN_ONLY),
    "blocs:account_invite_units": ("get", (), {}, ADMIN_ONLY),
    "blocs:account_action": (
        "post",
        ("user_id", "action:account_action"),
        {},
        {**ADMIN_ONLY, "admin": MOVED},
    ),
    "plans:list": ("get", ("bloc_id", "year"), {}, row(INSIDERS)),
    # the settings page is every logged-in user's own; the feeds answer to the secret in the URL
    # (here the chair's), not to the session: a calendar app has none
    "plans:calendar": ("get", (), {}, row(INSIDERS, outsider=OK)),
    "plans:calendar_unit": ("get", ("token",), {}, {p: OK for p in PERSONAS}),
    "plans:calendar_bloc": ("get", ("token", "bloc_id"), {}, {p: OK for p in PERSONAS}),
    "plans:create": (
        "post",
        ("bloc_id", "year"),
        {"mode": "blank"},
        row(as_moved(SECRETARIAT_ONLY)),
    ),
    "plans:import": ("get", ("bloc_id", "year"), {}, row(SECRETARIAT_ONLY)),
    "plans:detail": ("get", ("bloc_id", "year", "plan_id"), {}, row(INSIDERS)),
    "plans:edit_header": ("get", ("bloc_id", "year", "plan_id"), {}, row(SECRETARIAT_ONLY)),
    "plans:edit_body": ("get", ("bloc_id", "year", "plan_id"), {}, row(SECRETARIAT_ONLY)),
    "plans:edit_lists": ("get", ("bloc_id", "year", "plan_id"), {}, row(SECRETARIAT_ONLY)),
    "plans:edit_schedule": ("get", ("bloc_id", "year", "plan_id"), {}, row(SECRETARIAT_ONLY)),
    "plans:comment": (
        "post",
        ("bloc_id", "year", "plan_id"),
        {"text": "Đề nghị bổ sung mục 2.3."},
        row(
            {
                "chair": MOVED,
                "deputy": MOVED,
                "unit_a": MOVED,
                "unit_b": MOVED,
                "reviewer": FORBIDDEN,
                "admin": FORBIDDEN,
            }
        ),
    ),
    "plans:transition": (
        "post",
        ("bloc_id", "year", "plan_id", "action"),
        {},
        row(as_moved(SECRETARIAT_ONLY)),
    ),
    "reports:plan_document": ("get", ("bloc_id", "year", "plan_id", "fmt"), {}, row(INSIDERS)),
    "reports:plan_issue": ("get", ("bloc_id", "year", "plan_id"), {}, row(SECRETARIAT_ONLY)),
    # scoring documents (helper-e): the registration table for those who follow registrations,
    # the giao ước for every insider
    "reports:scoring_document": (
        "get",
        ("bloc_id", "year", "doc", "fmt"),
        {},
        row(INSIDERS),
    ),
    # the bloc's BÁO CÁO of a round: the secretariat writes and issues it; those who follow the
    # members' sheets read it (an empty issue form comes back with its errors: 200)
    "reports:compiled_report": ("get", ("bloc_id", "year", "round_id"), {}, row(SECRETARIAT_ONLY)),
    "reports:compiled_issue": ("post", ("bloc_id", "year", "round_id"), {}, row(SECRETARIAT_ONLY)),
    "reports:compiled_document": (
        "get",
        ("bloc_id", "year", "round_id", "fmt"),
        {},
        row({**INSIDERS, "unit_a": FORBIDDEN, "unit_b": FORBIDDEN}),
    ),
    # the ranking table and the minutes: members only once the ranking is adopted (helper-e)
    "reports:ranking_document": (
        "get",
        ("bloc_id", "year", "doc:ranking_doc", "fmt"),
        {},
        row({**INSIDERS, "unit_a": FORBIDDEN, "unit_b": FORBIDDEN}),
    ),
    # the tờ trình of the proposals (helper-f): the draft for those who follow the ranking; the
    # issued one by its dossier's number (none in this world: 404 to all; with a dossier in
    # tests/scoring/test_proposal_views.py)
    "reports:to_trinh_draft": (
        "get",
        ("bloc_id", "year", "fmt"),
        {},
        row({**INSIDERS, "unit_a": FORBIDDEN, "unit_b": FORBIDDEN}),
    ),
    "reports:to_trinh": (
        "get",
        ("bloc_id", "year", "seq", "fmt"),
        {},
        row({p: MISSING for p in INSIDERS}),
    ),
    # a large draft's print job (the chair's, printed): only the user who asked sees it, even
    # where the document itself is open to others (tests/reports/test_render_jobs.py)
    "reports:render_job": (
        "get",
        ("bloc_id", "year", "job_id"),
        {},
        row({p: MISSING for p in INSIDERS} | {"chair": OK}),
    ),
    "reports:render_job_file": (
        "get",
        ("bloc_id", "year", "job_id"),
        {},
        row({p: MISSING for p in INSIDERS} | {"chair": OK}),
    ),
    # the bloc-year data file the worker wrote for the chair (blocs:year_export)
    "reports:render_job_data": (
        "get",
        ("bloc_id", "year", "job_id:data_job"),
        {},
        row({p: MISSING for p in INSIDERS} | {"chair": OK}),
    ),
}

NAMESPACES = ("blocs", "plans", "reports")


def _all_url_names() -> set[str]:
    names = set()
    resolver = get_resolver()
    for ns in NAMESPACES:
        sub = resolver.namespace_dict[ns][1]
        names |= {f"{ns}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    return names


def test_every_url_is_in_the_matrix():
    missing = _all_url_names() - set(MATRIX)
    assert not missing, f"URLs without a permission row: {sorted(missing)}"


SHOWN = "form shown again with the error"  # a refused POST: 200, nothing saved
TERM_POST = {
    "head_unit": "@unit_a",
    "deputy_units": ["@unit_b"],
    "basis": "Quyết định số 120/QĐ-UBND",
    "basis_date": "20/12/2026",
    "signer_position": "Giám đốc",
    "signer_name": "Lê Văn A",
}
# The blocs editors posted with valid data: who may write, and objects of another bloc.
# (label, url name, kwargs keys, POST data, expected per persona)
POST_ROWS: list[tuple[str, str, tuple[str, ...], dict, dict]] = [
    ("term_set", "blocs:term_set", ("bloc_id", "year:next_year"), TERM_POST, PROVINCE_ONLY),
    (
        "term_update",
        "blocs:term_update",
        ("bloc_id", "year"),
        {**TERM_POST, "basis_date": "05/01/2026", "reason": "Kiện toàn theo QĐ 120"},
        TERM_EDITORS,
    ),
    (
        "term_update, head of another bloc",
        "blocs:term_update",
        ("bloc_id", "year"),
        {**TERM_POST, "head_unit": "@other_unit", "reason": "Thử"},
        {**TERM_EDITORS, "chair": SHOWN, "reviewer": SHOWN, "admin": SHOWN},
    ),
    ("term_rotate", "blocs:term_rotate", ("bloc_id", "year"), TERM_POST, SECRETARIAT_ONLY),
    (
        "membership_add",
        "blocs:membership_add",
        ("bloc_id", "year"),
        {"unit": "@other_unit", "joined_on": "01/03/2026", "join_reason": "kien_toan"},
        SECRETARIAT_ONLY,
    ),
    (
        "membership_end",
        "blocs:membership_end",
        ("bloc_id", "year", "membership_id"),
        {"left_on": "30/06/2026"},
        SECRETARIAT_ONLY,
    ),
    (
        "membership_end, membership of another bloc",
        "blocs:membership_end",
        ("bloc_id", "year", "membership_id:foreign_membership_id"),
        {"left_on": "30/06/2026"},
        {**SECRETARIAT_ONLY, "chair": MISSING, "admin": MISSING},
    ),
    (
        "unit_merge",
        "blocs:unit_merge",
        ("bloc_id", "year", "membership_id"),
        {"left_on": "30/06/2026", "successor": "@unit_a"},
        PROVINCE_ONLY,
    ),
    (
        "unit_merge, membership of another bloc",
        "blocs:unit_merge",
        ("bloc_id", "year", "membership_id:foreign_membership_id"),
        {"left_on": "30/06/2026", "successor": "@unit_a"},
        {**PROVINCE_ONLY, "reviewer": MISSING, "admin": MISSING},
    ),
]


@pytest.fixture
def plan_in_consultation(world):
    plan = plan_services.plan_create_blank(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], title="Kế hoạch thử"
    )
    return plan_services.plan_submit_for_comment(plan=plan, actor=world.users["chair"])


def _url(name: str, keys: tuple[str, ...], values: dict) -> str:
    """Reverse `name`; a key "kwarg:value_key" takes its value from another entry."""
    pairs = [key.partition(":")[::2] for key in keys]
    return reverse(name, kwargs={k: values[v or k] for k, v in pairs})


def _check_personas(client, world, method: str, url: str, data: dict, expected: dict) -> list:
    assert set(expected) == set(PERSONAS), f"{url}: every persona needs an expected status"
    failures = []
    for persona in PERSONAS:
        with transaction.atomic():
            client.logout()
            if world.users[persona] is not None:
                client.force_login(world.users[persona])
            response = getattr(client, method)(url, data)
            want = expected[persona]
            if want == LOGIN:
                ok = response.status_code == 302 and "/dang-nhap/" in response["Location"]
            else:
                ok = response.status_code == want
            matrix_tally.record(want, response.status_code, ok)
            if not ok:
                failures.append(f"{persona}: got {response.status_code}, want {want}")
            transaction.set_rollback(True)
    return failures


def _values(world, plan) -> dict:
    return {
        "bloc_id": world.bloc.pk,
        "year": world.year,
        "next_year": world.year + 1,
        "plan_id": plan.pk,
        "membership_id": world.bloc.memberships.get(unit=world.unit_b).pk,
        "foreign_membership_id": Membership.objects.get(unit=world.other_unit).pk,
        "province_id": world.province.pk,
        "token": _chair_token(world),
        "action": "revise",
        "fmt": "html",
        "doc": "giao-uoc",
        "user_id": world.users["unit_b"].pk,
        "account_action": "khoa",
        "round_id": make_round(world).pk,
        "ranking_doc": "bang-tong-hop",
        "seq": 1,
        "job_id": _chair_job(world, plan).pk,
        "data_job": _chair_data_job(world).pk,
    }


def _chair_job(world, plan):
    from reports.models import RenderJob

    source = reverse("reports:plan_document", args=(world.bloc.pk, world.year, plan.pk, "pdf"))
    return RenderJob.objects.create(
        requested_by=world.users["chair"],
        bloc=world.bloc,
        year=world.year,
        source_path=source,
        title="Kế hoạch thử",
        filename="Du-thao-KH.pdf",
        content_sha256="0" * 64,
        status=RenderJob.Status.DONE,
        body=b"%PDF-1.7 thu",
    )


def _chair_data_job(world):
    from reports.models import RenderJob

    return RenderJob.objects.create(
        requested_by=world.users["chair"],
        bloc=world.bloc,
        year=world.year,
        kind=RenderJob.Kind.YEAR_DATA,
        source_path=reverse("blocs:year_export", args=(world.bloc.pk, world.year)),
        title="Dữ liệu năm",
        filename="khoi.json",
        status=RenderJob.Status.DONE,
        body=b'{"format": "thu"}\n',
    )


def _chair_token(world) -> str:
    from plans.feeds import calendar_token_renew

    return calendar_token_renew(user=world.users["chair"]).token


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world, client, plan_in_consultation):
    method, keys, data, expected = MATRIX[name]
    url = _url(name, keys, _values(world, plan_in_consultation))
    failures = _check_personas(client, world, method, url, data, expected)
    assert not failures, f"{name} {url}: " + "; ".join(failures)


def _resolve(world, value):
    """ "@unit_a" → that unit's pk (lists too)."""
    if isinstance(value, list):
        return [_resolve(world, v) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        return getattr(world, value[1:]).pk
    return value


@pytest.mark.parametrize("label", [r[0] for r in POST_ROWS])
def test_blocs_editors_post_matrix(label, world, client, plan_in_consultation):
    _, name, keys, data, allowed = next(r for r in POST_ROWS if r[0] == label)
    url = _url(name, keys, _values(world, plan_in_consultation))
    data = {k: _resolve(world, v) for k, v in data.items()}
    moved = {OK: MOVED, SHOWN: OK}
    expected = {k: moved.get(v, v) for k, v in row(allowed).items()}
    failures = _check_personas(client, world, "post", url, data, expected)
    assert not failures, f"POST {label} {url}: " + "; ".join(failures)


def test_reviewer_of_another_province_gets_404_on_a_province_page(client, world):
    from tests.factories import make_province, make_user

    stranger = make_user("rev2", None, reviewer_province=make_province("Tỉnh khác"))
    client.force_login(stranger)
    assert client.get(reverse("blocs:province", args=[world.province.pk])).status_code == 404


def test_html_preview_by_query_parameter(client_for, world, plan_in_consultation):
    url = reverse(
        "reports:plan_document",
        kwargs={
            "bloc_id": world.bloc.pk,
            "year": world.year,
            "plan_id": plan_in_consultation.pk,
            "fmt": "pdf",
        },
    )
    response = client_for("unit_a").get(url + "?format=html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "KẾ HOẠCH" in response.content.decode()
    assert client_for("unit_a").get(url + "?format=exe").status_code == 404


def csrf_refused(client, url: str, data: dict) -> None:
    """A POST without the form's CSRF token, by a persona the URL lets in: refused with the
    Vietnamese page, and nothing written (no audit event, no row)."""
    from blocs.models import AuditEvent

    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 403, (url, response.status_code)
    assert "403_csrf.html" in [t.name for t in response.templates], url
    assert "Biểu mẫu đã hết hạn" in response.content.decode()
    assert AuditEvent.objects.count() == before
    matrix_tally.CSRF["posts"] += 1


def first_allowed(expected: dict) -> str | None:
    allowed = [p for p in PERSONAS if expected.get(p) in (OK, MOVED, SHOWN) and p != "anonymous"]
    return allowed[0] if allowed else None


# Every POST of the two blocs/plans/reports matrices that some persona may make (the rows of
# another bloc's objects let nobody in: their CSRF refusal is the same middleware).
CSRF_ROWS = {
    **{r[0]: (r[1], r[2], r[3], first_allowed(row(r[4]))) for r in POST_ROWS},
    **{n: (n, r[1], r[2], first_allowed(r[3])) for n, r in MATRIX.items() if r[0] == "post"},
}


@pytest.mark.parametrize("label", sorted(k for k, v in CSRF_ROWS.items() if v[3]))
def test_a_post_without_the_csrf_token_is_refused(label, world, plan_in_consultation):
    from django.test import Client

    name, keys, data, persona = CSRF_ROWS[label]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[persona])
    url = _url(name, keys, _values(world, plan_in_consultation))
    csrf_refused(client, url, {k: _resolve(world, v) for k, v in data.items()})
