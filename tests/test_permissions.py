"""The permission matrix: every URL name × persona → expected status.

A new URL without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from plans import services as plan_services
from tests.conftest import PERSONAS

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
    "blocs:membership_end": (
        "get",
        ("bloc_id", "year", "membership_id"),
        {},
        row(SECRETARIAT_ONLY),
    ),
    "blocs:year_export": (
        "get",
        ("bloc_id", "year"),
        {},
        row({**SECRETARIAT_ONLY, "reviewer": OK}),
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
    "blocs:bloc_create": ("get", (), {}, ADMIN_ONLY),
    "plans:list": ("get", ("bloc_id", "year"), {}, row(INSIDERS)),
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


@pytest.fixture
def plan_in_consultation(world):
    plan = plan_services.plan_create_blank(
        bloc=world.bloc, year=world.year, actor=world.users["chair"], title="Kế hoạch thử"
    )
    return plan_services.plan_submit_for_comment(plan=plan, actor=world.users["chair"])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world, client, plan_in_consultation):
    method, keys, data, expected = MATRIX[name]
    values = {
        "bloc_id": world.bloc.pk,
        "year": world.year,
        "plan_id": plan_in_consultation.pk,
        "membership_id": world.bloc.memberships.get(unit=world.unit_b).pk,
        "province_id": world.province.pk,
        "action": "revise",
        "fmt": "html",
    }
    url = reverse(name, kwargs={k: values[k] for k in keys})
    assert set(expected) == set(PERSONAS), f"{name}: every persona needs an expected status"
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
            if not ok:
                failures.append(f"{persona}: got {response.status_code}, want {want}")
            transaction.set_rollback(True)
    assert not failures, f"{name} {url}: " + "; ".join(failures)


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
