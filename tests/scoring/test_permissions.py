"""The scoring permission matrix: every scoring URL × persona → expected status, GET and POST,
plus objects of another bloc (404) and another unit's registration (403).

A new scoring URL without a row fails `test_every_scoring_url_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from scoring.models import Criterion
from scoring.services.sheets import file_add, submission_open, submission_submit
from tests import matrix_tally
from tests.conftest import PERSONAS
from tests.factories import make_bloc_world
from tests.scoring.conftest import fill_sheet, make_round, make_template, pdf_upload, register
from tests.scoring.ranking_data import make_ranking
from tests.test_permissions import (
    FORBIDDEN,
    INSIDERS,
    LOGIN,
    MISSING,
    MOVED,
    OK,
    SECRETARIAT_ONLY,
    as_moved,
    csrf_refused,
    first_allowed,
    row,
)

VIEWERS = {**INSIDERS, "unit_a": FORBIDDEN, "unit_b": FORBIDDEN}
OWN_UNITS = {
    "chair": OK,
    "deputy": OK,
    "unit_a": MOVED,  # its registration is submitted: the form sends it to the page
    "unit_b": OK,
    "reviewer": FORBIDDEN,
    "admin": FORBIDDEN,
}
NOBODY_BUT_UNIT_A = {p: FORBIDDEN for p in INSIDERS} | {"unit_a": MOVED}
REG_READERS = {**INSIDERS, "unit_b": FORBIDDEN}
# a unit's reports: unit_a's own submission; readers are the secretariat, deputy, province, admin
SHEET_READERS = {**INSIDERS, "unit_b": FORBIDDEN}
SHEET_UNITS = {**INSIDERS, "reviewer": FORBIDDEN, "admin": FORBIDDEN}
ONLY_UNIT_A = {p: FORBIDDEN for p in INSIDERS} | {"unit_a": MOVED}
T = ("bloc_id", "year", "template_id")
C = ("bloc_id", "year", "criterion_id")
RG = ("bloc_id", "year", "registration_id")
BY = ("bloc_id", "year")
SB = ("bloc_id", "year", "submission_id")
RD = ("bloc_id", "year", "round_id")
# unit_a's sheet, submitted, at the deputy's layer: the head (and the site administrator) may act
# on any layer, the deputy on its own; the provincial reviewer reads but never scores
LINE_REVIEWERS = {
    "chair": MOVED,
    "admin": MOVED,
    "deputy": MOVED,
    "reviewer": FORBIDDEN,
    "unit_a": FORBIDDEN,
    "unit_b": FORBIDDEN,
}
ONLY_UNIT_A_PAGE = {p: FORBIDDEN for p in INSIDERS} | {"unit_a": OK}
# unit_a's draft sheet of another round (its signer is still editable)
SBD = ("bloc_id", "year", "submission_id:draft_submission_id")
OWN_SHEET = {p: FORBIDDEN for p in INSIDERS} | {"unit_a": OK}
F = ("bloc_id", "year", "flag_id")
FLAG_EDITORS = {**SECRETARIAT_ONLY, "reviewer": OK}
FLAG_EDITORS_POST = FLAG_EDITORS  # the deputy reads the flags but does not record them
PR = ("bloc_id", "year", "proposal_id")
# The province decides on proposals; nobody in the bloc does.
PROVINCE_DECIDES = {p: FORBIDDEN for p in INSIDERS} | {"reviewer": OK, "admin": OK}
VOTE = {"vote_for": "9", "vote_against": "1", "vote_total": "10"}

# (name, method): (kwargs keys, POST data, expected per persona)
MATRIX: dict[tuple[str, str], tuple[tuple[str, ...], dict, dict]] = {
    ("scoring:template", "get"): (BY, {}, row(INSIDERS)),
    ("scoring:template_create", "post"): (BY, {"mode": "blank"}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:template_import", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:template_import", "post"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:template_settings", "get"): (T, {}, row(SECRETARIAT_ONLY)),
    ("scoring:template_settings", "post"): (T, {"max_total": "x"}, row(SECRETARIAT_ONLY)),
    ("scoring:criterion_add", "get"): (T, {}, row(SECRETARIAT_ONLY)),
    ("scoring:criterion_add", "post"): (T, {"code": ""}, row(SECRETARIAT_ONLY)),
    ("scoring:template_export", "get"): (T, {}, row(INSIDERS)),
    ("scoring:template_version", "post"): (T, {}, row(SECRETARIAT_ONLY)),
    ("scoring:template_apply", "post"): (T, {}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:criterion_edit", "get"): (C, {}, row(SECRETARIAT_ONLY)),
    ("scoring:criterion_edit", "post"): (C, {"code": ""}, row(SECRETARIAT_ONLY)),
    ("scoring:criterion_delete", "post"): (C, {}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:criterion_move", "post"): (C, {"direction": "up"}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:dashboard", "get"): (BY, {}, row(VIEWERS)),
    ("scoring:my_registration", "get"): (BY, {}, row(OWN_UNITS)),
    ("scoring:my_registration", "post"): (
        BY,
        {"targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0"},
        # saved → the registration page; unit_a's is submitted: the form shows why it is refused
        row({**OWN_UNITS, "unit_a": OK, "chair": MOVED, "deputy": MOVED, "unit_b": MOVED}),
    ),
    ("scoring:registration", "get"): (RG, {}, row(REG_READERS)),
    ("scoring:registration_submit", "post"): (RG, {}, row(NOBODY_BUT_UNIT_A)),
    ("scoring:registration_review", "post"): (
        (*RG, "action"),
        {"reason": "Thiếu chỉ tiêu"},
        row(as_moved(SECRETARIAT_ONLY)),
    ),
    ("scoring:signing", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:signing", "post"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:board", "get"): (BY, {}, row(VIEWERS)),
    ("scoring:review_setup", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:review_setup", "post"): (BY, {"mode": "head_only"}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:review_round_finalize", "get"): (RD, {}, row(SECRETARIAT_ONLY)),
    ("scoring:review_round_finalize", "post"): (RD, {}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:review", "get"): (SB, {}, row(VIEWERS)),
    ("scoring:review_line", "post"): (
        (*SB, "entry_id"),
        {"dong{entry_id}-score": "10", "dong{entry_id}-comment": "Thiếu minh chứng"},
        row(LINE_REVIEWERS),
    ),
    ("scoring:review_layer_done", "post"): (SB, {}, row(LINE_REVIEWERS)),
    ("scoring:review_return", "post"): (
        SB,
        {"reason": "Bổ sung minh chứng"},
        row(as_moved(SECRETARIAT_ONLY)),
    ),
    # not reviewed yet / not final: the secretariat sees the refusal on the page (200)
    ("scoring:review_finalize", "post"): (SB, {}, row(SECRETARIAT_ONLY)),
    ("scoring:review_reopen", "post"): (SB, {"reason": "Sai số liệu"}, row(SECRETARIAT_ONLY)),
    ("scoring:sheet_pdf", "get"): (SBD, {}, row(SHEET_READERS)),
    ("scoring:sheet_docx", "get"): (SBD, {}, row(SHEET_READERS)),
    ("scoring:sheet_signer", "get"): (SBD, {}, row(ONLY_UNIT_A_PAGE)),
    ("scoring:sheet_signer", "post"): (SBD, {"signer_name": "Lê Văn Ký"}, row(ONLY_UNIT_A)),
    ("scoring:submission_list", "get"): (BY, {}, row(SHEET_UNITS)),
    # each member unit opens its own report in the round (unit_a's exists: sent to it)
    ("scoring:submission_open", "post"): (
        (*BY, "round_id"),
        {},
        row(as_moved(SHEET_UNITS)),
    ),
    ("scoring:submission", "get"): (SB, {}, row(SHEET_READERS)),
    ("scoring:submission_history", "get"): (SB, {}, row(SHEET_READERS)),
    ("scoring:submission_file", "get"): ((*SB, "file_id"), {}, row(SHEET_READERS)),
    ("scoring:submission_report", "post"): (SBD, {"body": "Báo cáo"}, row(ONLY_UNIT_A)),
    ("scoring:sheet_line", "post"): ((*SBD, "entry_id:draft_entry_id"), {}, row(ONLY_UNIT_A)),
    # no file chosen: the page again with the message next to the field
    ("scoring:submission_file_add", "post"): (
        SBD,
        {"purpose": "attachment"},
        row({**ONLY_UNIT_A, "unit_a": OK}),
    ),
    ("scoring:submission_file_remove", "post"): (
        (*SBD, "file_id:draft_file_id"),
        {},
        row(ONLY_UNIT_A),
    ),
    ("scoring:submission_submit", "post"): (SBD, {}, row(ONLY_UNIT_A)),
    ("scoring:sheet_xlsx", "get"): (SB, {}, row(SHEET_READERS)),
    ("scoring:sheet_xlsx_import", "get"): (SBD, {}, row(OWN_SHEET)),
    # no file: the form shows the error to its own unit
    ("scoring:sheet_xlsx_import", "post"): (SBD, {}, row(OWN_SHEET)),
    # ranking (no ranking computed yet: members see nothing of it)
    ("scoring:ranking", "get"): (BY, {}, row(VIEWERS)),
    ("scoring:ranking_excel", "get"): (BY, {}, row(VIEWERS)),
    ("scoring:ranking_compute", "post"): (BY, {}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:ranking_rules", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:ranking_rules", "post"): (BY, {"co_tinh_quota": "x"}, row(SECRETARIAT_ONLY)),
    ("scoring:meeting", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:meeting", "post"): (BY, {"place": ""}, row(SECRETARIAT_ONLY)),
    ("scoring:ranking_vote", "post"): (BY, {"vote_total": "4"}, row(SECRETARIAT_ONLY)),
    ("scoring:ranking_tie_votes", "post"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:ranking_adopt", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:ranking_adopt", "post"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:compliance", "get"): (BY, {}, row(VIEWERS)),
    ("scoring:compliance", "post"): (BY, {"source": ""}, row(FLAG_EDITORS_POST)),
    ("scoring:compliance_edit", "get"): (F, {}, row(FLAG_EDITORS)),
    ("scoring:compliance_edit", "post"): (F, {"source": ""}, row(FLAG_EDITORS)),
    ("scoring:compliance_delete", "post"): (F, {}, row(as_moved(FLAG_EDITORS))),
    # proposals (the ranking here is adopted: members read them; tests/scoring/
    # test_proposal_views.py checks that they do not before the adoption)
    ("scoring:proposals", "get"): (BY, {}, row(INSIDERS)),
    # already generated: the refusal is a message on the page
    ("scoring:proposals_generate", "post"): (BY, {}, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:proposal_add", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:proposal_add", "post"): (BY, {"unit": ""}, row(SECRETARIAT_ONLY)),
    ("scoring:proposals_submit", "get"): (BY, {}, row(SECRETARIAT_ONLY)),
    ("scoring:proposals_submit", "post"): (BY, {"date": "x"}, row(SECRETARIAT_ONLY)),
    ("scoring:proposal_edit", "get"): (PR, {}, row(SECRETARIAT_ONLY)),
    ("scoring:proposal_edit", "post"): (PR, {"award": ""}, row(SECRETARIAT_ONLY)),
    ("scoring:proposal_vote", "post"): (PR, VOTE, row(as_moved(SECRETARIAT_ONLY))),
    ("scoring:proposal_remove", "post"): (PR, {}, row(as_moved(SECRETARIAT_ONLY))),
    # a drafted proposal cannot be returned: the form comes back with the reason why
    ("scoring:proposal_review", "post"): (
        (*PR, "action"),
        {"reason": "Thiếu chỉ tiêu"},
        row(PROVINCE_DECIDES),
    ),
    ("scoring:proposal_decide", "get"): (PR, {}, row(PROVINCE_DECIDES)),
    ("scoring:proposal_decide", "post"): (PR, {"number": ""}, row(PROVINCE_DECIDES)),
    # the province's table: its reviewer (and site administrators) only; no existence oracle
    ("scoring:province_export", "get"): (
        ("province_id", "year"),
        {},
        row({p: MISSING for p in INSIDERS} | {"reviewer": OK, "admin": OK}),
    ),
}


def test_every_scoring_url_is_in_the_matrix():
    names = {
        f"scoring:{n}"
        for n in get_resolver().namespace_dict["scoring"][1].reverse_dict
        if isinstance(n, str)
    }
    covered = {name for name, _ in MATRIX}
    assert not names - covered, f"URLs without a permission row: {sorted(names - covered)}"


@pytest.fixture
def objects(world):
    template = make_template(world.bloc, world.year, world.users["chair"])
    criterion = Criterion.objects.filter(template=template, kind="graded").first()
    reg = register(world, world.unit_a, submit=True)
    from scoring.services.compliance import flag_add

    flag = flag_add(
        bloc=world.bloc,
        year=world.year,
        actor=None,
        unit=world.unit_b,
        kind="discipline",
        effect="veto_all",
        source="Sở Nội vụ",
        note="Cán bộ bị kỷ luật",
    )
    rnd = make_round(world)
    clerk = world.users["unit_a"]
    sub = submission_open(round=rnd, unit=world.unit_a, actor=clerk)
    sub = submission_submit(submission=fill_sheet(sub, clerk), actor=clerk)
    # unit_a's draft in another round (what the unit edits), with an attachment
    draft = submission_open(
        round=make_round(world, key="bao_cao_tong_ket#2"), unit=world.unit_a, actor=clerk
    )
    attachment = file_add(submission=draft, actor=clerk, upload=pdf_upload(), purpose="attachment")
    return {
        "flag_id": flag.pk,
        "submission_id": sub.pk,
        "entry_id": sub.entries.filter(criterion__kind="graded").first().pk,
        "file_id": sub.files.first().pk,
        "round_id": rnd.pk,
        "draft_submission_id": draft.pk,
        "draft_entry_id": draft.entries.first().pk,
        "draft_file_id": attachment.pk,
        "province_id": world.province.pk,
        "bloc_id": world.bloc.pk,
        "year": world.year,
        "template_id": template.pk,
        "criterion_id": criterion.pk,
        "registration_id": reg.pk,
        "action": "return",
    }


def with_proposals(world, objects) -> dict:
    """The proposal rows need an adopted ranking (the ranking rows above need none): one built
    row by row, and its proposals generated."""
    from scoring.services.proposals import proposals_generate

    units = [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    make_ranking(world.bloc, world.year, units)
    proposal = proposals_generate(bloc=world.bloc, year=world.year, actor=None)[0]
    return {**objects, "proposal_id": proposal.pk}


PROPOSAL_URLS = {
    "scoring:proposals",
    "scoring:proposals_generate",
    "scoring:proposal_add",
    "scoring:proposals_submit",
    "scoring:proposal_edit",
    "scoring:proposal_vote",
    "scoring:proposal_remove",
    "scoring:proposal_review",
    "scoring:proposal_decide",
    "scoring:province_export",
}


def _status_ok(response, want) -> bool:
    if want == LOGIN:
        return response.status_code == 302 and "/dang-nhap/" in response["Location"]
    return response.status_code == want


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]}:{k[1]}")
def test_scoring_permission_matrix(key, world, client, objects):
    name, method = key
    keys, data, expected = MATRIX[key]
    assert set(expected) == set(PERSONAS), f"{key}: every persona needs an expected status"
    if name in PROPOSAL_URLS:
        objects = with_proposals(world, objects)
    url = reverse(
        name, kwargs={k.partition(":")[0]: objects[k.partition(":")[2] or k] for k in keys}
    )
    failures = []
    for persona in PERSONAS:
        with transaction.atomic():
            client.logout()
            if world.users[persona] is not None:
                client.force_login(world.users[persona])
            response = getattr(client, method)(
                url, {k.format(**objects): v for k, v in data.items()}
            )
            ok = _status_ok(response, expected[persona])
            matrix_tally.record(expected[persona], response.status_code, ok)
            if not ok:
                failures.append(f"{persona}: got {response.status_code}, want {expected[persona]}")
            transaction.set_rollback(True)
    assert not failures, f"{name} {method.upper()} {url}: " + "; ".join(failures)


@pytest.fixture
def other_bloc_objects(world):
    """A template, criterion and registration of another bloc (same province)."""
    bloc, members, _term = make_bloc_world(units=2, year=world.year, province=world.province)
    template = make_template(bloc, world.year)
    criterion = Criterion.objects.filter(template=template).first()
    from scoring.services import registrations as reg_services

    reg = reg_services.registration_save(
        bloc=bloc,
        year=world.year,
        unit=members[1],
        actor=None,
        targets=[{"content": "Chỉ tiêu khối khác"}],
        titles={},
    )
    return template, criterion, reg


@pytest.mark.parametrize(
    "name, method, kind",
    [
        ("scoring:criterion_edit", "get", "criterion"),
        ("scoring:criterion_edit", "post", "criterion"),
        ("scoring:criterion_delete", "post", "criterion"),
        ("scoring:template_settings", "get", "template"),
        ("scoring:template_export", "get", "template"),
        ("scoring:criterion_add", "post", "template"),
        ("scoring:registration", "get", "registration"),
        ("scoring:registration_review", "post", "registration"),
    ],
)
def test_objects_of_another_bloc_are_404_under_our_bloc(
    name, method, kind, world, client_for, other_bloc_objects
):
    template, criterion, reg = other_bloc_objects
    kwargs = {"bloc_id": world.bloc.pk, "year": world.year}
    kwargs |= {
        "criterion": {"criterion_id": criterion.pk},
        "template": {"template_id": template.pk},
        "registration": {"registration_id": reg.pk},
    }[kind]
    if name == "scoring:registration_review":
        kwargs["action"] = "accept"
    url = reverse(name, kwargs=kwargs)
    for persona in ("chair", "admin"):
        response = getattr(client_for(persona), method)(url, {"code": "X"})
        assert response.status_code == MISSING, f"{persona} {name}"
    criterion.refresh_from_db()
    reg.refresh_from_db()
    assert reg.status == "draft"


def test_unit_cannot_touch_another_units_registration(world, client_for, objects):
    kwargs = {k: objects[k] for k in RG}
    client = client_for("unit_b")
    assert client.get(reverse("scoring:registration", kwargs=kwargs)).status_code == FORBIDDEN
    assert client.post(reverse("scoring:registration_submit", kwargs=kwargs)).status_code == 403
    review = reverse("scoring:registration_review", kwargs={**kwargs, "action": "accept"})
    assert client.post(review).status_code == FORBIDDEN


def test_a_submission_of_another_bloc_is_404_under_our_bloc(world, client_for):
    from scoring.models import Round

    bloc, members, _term = make_bloc_world(units=2, year=world.year, province=world.province)
    make_template(bloc, world.year)
    other = Round.objects.create(
        bloc=bloc,
        year=world.year,
        key="bao_cao_tong_ket",
        kind="tong_ket",
        name="Tổng kết",
        with_score_sheet=True,
    )
    sub = submission_open(round=other, unit=members[1], actor=None)
    kwargs = {"bloc_id": world.bloc.pk, "year": world.year, "submission_id": sub.pk}
    for persona in ("chair", "admin", "unit_a"):
        client = client_for(persona)
        assert client.get(reverse("scoring:sheet_xlsx", kwargs=kwargs)).status_code == MISSING
        if persona != "admin":  # the administrator lacks sheet.edit: 403 before any lookup
            response = client.post(reverse("scoring:sheet_xlsx_import", kwargs=kwargs))
            assert response.status_code == MISSING, persona


@pytest.mark.parametrize(
    "key",
    sorted(k for k, v in MATRIX.items() if k[1] == "post" and first_allowed(v[2])),
    ids=lambda k: k[0],
)
def test_a_scoring_post_without_the_csrf_token_is_refused(key, world, objects):
    from django.test import Client

    name, _method = key
    keys, data, expected = MATRIX[key]
    if name in PROPOSAL_URLS:
        objects = with_proposals(world, objects)
    url = reverse(
        name, kwargs={k.partition(":")[0]: objects[k.partition(":")[2] or k] for k in keys}
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[first_allowed(expected)])
    csrf_refused(client, url, {k.format(**objects): v for k, v in data.items()})
