"""The editors as a secretariat uses them: unchanged saves change nothing, blank rows are
ignored, a stale page is refused with the current values and the user's input kept, a refused
transition keeps what was typed and names the field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from blocs.models import AuditEvent
from plans import services
from plans.models import Milestone, Plan
from tests.plans.test_services import P1, P2, ready_plan


def url(name, world, plan, *extra):
    return reverse(name, args=(world.bloc.pk, world.year, plan.pk, *extra))


class _FormReader(HTMLParser):
    """Collects the fields of the page's editor form (the POST form without an action)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.inside = False
        self.field: tuple[str, str] | None = None  # (tag, name) of an open textarea/select

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("method") == "post" and "action" not in a
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = "on"
            elif a.get("type") != "submit":
                self.data[a["name"]] = a.get("value") or ""
        elif tag in ("textarea", "select"):
            self.field = (tag, a["name"])
            self.data[a["name"]] = ""
        elif tag == "option" and self.field and "selected" in a:
            self.data[self.field[1]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag in ("textarea", "select"):
            self.field = None

    def handle_data(self, data):
        if self.field and self.field[0] == "textarea":
            self.data[self.field[1]] += data


def form_data(html: str) -> dict[str, str]:
    """What the browser would post back from the page's editor form, untouched."""
    reader = _FormReader()
    reader.feed(html)
    return {k: v[1:] if v.startswith("\n") else v for k, v in reader.data.items()}


def scheduled(world) -> Plan:
    plan = ready_plan(world)
    services.plan_set_schedule(
        plan=plan,
        actor=None,
        phases=[P1, P2],
        milestones=[{"kind": "bao_cao_so_ket", "phase_seq": 1, "due": P2["start"]}],
    )
    return plan


def test_schedule_saved_unchanged_adds_no_phantom_milestone(client_for, world):
    plan = scheduled(world)
    client = client_for("chair")
    events = AuditEvent.objects.count()
    for _ in range(2):
        page = client.get(url("plans:edit_schedule", world, plan))
        response = client.post(
            url("plans:edit_schedule", world, plan), form_data(page.content.decode())
        )
        assert response.status_code == 302
    assert Milestone.objects.filter(plan=plan).count() == 1
    assert AuditEvent.objects.count() == events


def test_lists_saved_unchanged_with_blank_signature_rows_succeeds(client_for, world):
    plan = ready_plan(world)
    client = client_for("chair")
    page = client.get(url("plans:edit_lists", world, plan))
    response = client.post(url("plans:edit_lists", world, plan), form_data(page.content.decode()))
    assert response.status_code == 302
    assert plan.signature_lines.count() == 3


def test_header_saved_unchanged_changes_nothing(client_for, world):
    plan = ready_plan(world)
    services.plan_approve(plan=plan, actor=None)
    client = client_for("chair")
    before = Plan.objects.get(pk=plan.pk)
    page = client.get(url("plans:edit_header", world, plan))
    assert (
        client.post(
            url("plans:edit_header", world, plan), form_data(page.content.decode())
        ).status_code
        == 302
    )
    after = Plan.objects.get(pk=plan.pk)
    assert (after.status, after.revision) == (Plan.Status.APPROVED, before.revision)


def test_a_stale_header_form_is_refused_with_current_values_and_the_input_kept(client_for, world):
    plan = ready_plan(world)
    client = client_for("chair")
    page = form_data(client.get(url("plans:edit_header", world, plan)).content.decode())
    services.plan_update(plan=plan, actor=None, title="Tiêu đề người khác vừa lưu")
    response = client.post(url("plans:edit_header", world, plan), {**page, "place": "Nơi tôi gõ"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác thay đổi" in body
    assert "Tiêu đề người khác vừa lưu" in body  # the current values
    assert "Nơi tôi gõ" in body  # the user's own input, not lost
    plan.refresh_from_db()
    assert plan.title == "Tiêu đề người khác vừa lưu" and plan.place != "Nơi tôi gõ"


def test_a_stale_approve_button_does_not_approve_a_changed_plan(client_for, world):
    plan = ready_plan(world)
    client = client_for("chair")
    stale = Plan.objects.get(pk=plan.pk).revision
    services.plan_update(plan=plan, actor=None, title="Đổi sau khi trang đã mở")
    response = client.post(url("plans:transition", world, plan, "approve"), {"revision": stale})
    assert response.status_code == 400
    assert "vừa được người khác thay đổi" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_consult_form_keeps_input_and_names_the_field(client_for, world):
    plan = ready_plan(world)
    response = client_for("chair").post(
        url("plans:transition", world, plan, "consult"), {"deadline": "31/02/2026"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="31/02/2026"' in body
    assert "Hạn góp ý: Ngày không hợp lệ" in body
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_plan_page_prints_bold_and_italic_not_asterisks(client_for, world):
    from plans.outline import parse_outline

    plan = ready_plan(world)
    services.plan_replace_body(
        plan=plan,
        sections=parse_outline("I. NỘI DUNG\nPhong trào **Dân vận khéo** và *Thi đua yêu nước*."),
        actor=None,
    )
    body = client_for("chair").get(url("plans:detail", world, plan)).content.decode()
    assert "<strong>Dân vận khéo</strong>" in body and "<em>Thi đua yêu nước</em>" in body
    assert "**Dân vận" not in body


def test_control_characters_never_reach_the_plan(client_for, world):
    plan = ready_plan(world)
    client = client_for("chair")
    page = form_data(client.get(url("plans:edit_header", world, plan)).content.decode())
    client.post(
        url("plans:edit_header", world, plan), {**page, "title": "Kế hoạch\x01 thi đua\x0b"}
    )
    client.post(url("plans:edit_body", world, plan), {"outline": "I. MỤC\x02 ĐÍCH\nĐoàn\x1f kết."})
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch thi đua"
    assert [s.title for s in plan.sections.all()] == ["MỤC ĐÍCH"]
    assert "\x1f" not in plan.sections.get().content
    docx = client.get(url("reports:plan_document", world, plan, "docx"))
    assert docx.status_code == 200


def test_schedule_dates_far_from_the_year_are_refused(client_for, world):
    plan = ready_plan(world)
    data = {
        "revision": "",
        "phase-TOTAL_FORMS": "1",
        "phase-INITIAL_FORMS": "0",
        "phase-0-seq": "1",
        "phase-0-name": "Đợt 1",
        "phase-0-start": "01/01/1900",
        "phase-0-end": "30/06/2026",
        "ms-TOTAL_FORMS": "0",
        "ms-INITIAL_FORMS": "0",
    }
    response = client_for("chair").post(url("plans:edit_schedule", world, plan), data)
    assert response.status_code == 200
    assert "không hợp lý cho năm 2026" in response.content.decode()
    assert not plan.phases.exists()
    huge = {**data, "phase-TOTAL_FORMS": "65536", "phase-0-start": "01/01/2026"}
    response = client_for("chair").post(url("plans:edit_schedule", world, plan), huge)
    assert response.status_code == 200 and not plan.phases.exists()


def test_a_header_breaking_a_plan_rule_is_shown_on_the_form_and_saves_nothing(client_for, world):
    """The form leaves the check constraints to the save, which runs them on the locked plan
    (issue 12): the message still comes back on the form, and nothing is written."""
    plan = ready_plan(world)
    client = client_for("chair")
    before = Plan.objects.get(pk=plan.pk)
    page = form_data(client.get(url("plans:edit_header", world, plan)).content.decode())
    response = client.post(
        url("plans:edit_header", world, plan), {**page, "title": "Tiêu đề mới", "draft_month": "13"}
    )
    assert response.status_code == 200
    assert "Tháng phải từ 1 đến 12" in response.content.decode()
    after = Plan.objects.get(pk=plan.pk)
    assert (after.title, after.revision, after.draft_month) == (
        before.title,
        before.revision,
        before.draft_month,
    )


# The body, lists and schedule saves gate the plan on its locked row (one read of the plan): the
# gate's answers must be those of the page, and a stale or frozen save must lose nothing.
EDITOR_CHANGES = {
    "plans:edit_body": ("outline", "1. Nhiệm vụ tôi vừa gõ\n- Nội dung tôi vừa gõ."),
    "plans:edit_lists": ("bases", "Căn cứ tôi vừa gõ"),
    "plans:edit_schedule": ("phase-0-name", "Đợt tôi vừa gõ"),
}


def _stored(plan):
    plan = Plan.objects.get(pk=plan.pk)
    return (
        plan.revision,
        [s.content for s in plan.sections.all()],
        [b.text for b in plan.bases.all()],
        [p.name for p in plan.phases.all()],
    )


def _other_writes(plan):
    """Another user's save while the page is open: a phase renamed, a basis and a section."""
    services.plan_set_lists(plan=plan, actor=None, bases=["Căn cứ người khác vừa lưu"])
    services.plan_set_schedule(
        plan=plan,
        actor=None,
        phases=[{**P1, "name": "Đợt người khác vừa lưu"}, P2],
        milestones=[{"kind": "bao_cao_so_ket", "phase_seq": 1, "due": P2["start"]}],
    )


@pytest.mark.parametrize("name", EDITOR_CHANGES)
def test_a_stale_editor_save_is_refused_and_shows_the_current_values(client_for, world, name):
    plan = scheduled(world)
    client = client_for("chair")
    data = form_data(client.get(url(name, world, plan)).content.decode())
    _other_writes(plan)
    before = _stored(plan)
    field, typed = EDITOR_CHANGES[name]
    response = client.post(url(name, world, plan), {**data, field: typed})
    body = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác thay đổi" in body
    assert _stored(plan) == before  # nothing of the stale page was written
    fresh = form_data(body)
    assert fresh["revision"] == str(before[0])  # the page now edits the current revision
    if name == "plans:edit_schedule":
        assert fresh["phase-0-name"] == "Đợt người khác vừa lưu"
    else:  # the current text in the form, the user's own input kept beside it
        assert typed.splitlines()[0] in body and fresh[field] != typed
    if name == "plans:edit_lists":
        assert fresh["bases"] == "Căn cứ người khác vừa lưu"


@pytest.mark.parametrize("name", EDITOR_CHANGES)
def test_an_editor_save_through_another_bloc_or_by_a_member_changes_nothing(
    client_for, world, name
):
    from tests.factories import make_bloc_world

    plan = scheduled(world)
    data = form_data(client_for("chair").get(url(name, world, plan)).content.decode())
    field, typed = EDITOR_CHANGES[name]
    bloc, _, _ = make_bloc_world(province=world.province)
    other = services.plan_create_blank(bloc=bloc, year=world.year, actor=None)
    before, before_other = _stored(plan), _stored(other)
    # the other bloc's plan through this bloc's address: not found
    assert (
        client_for("chair").post(url(name, world, other), {**data, field: typed}).status_code == 404
    )
    # a member may not edit
    assert (
        client_for("unit_a").post(url(name, world, plan), {**data, field: typed}).status_code == 403
    )
    # an unknown plan
    missing = reverse(name, args=(world.bloc.pk, world.year, other.pk + 1000))
    assert client_for("chair").post(missing, {**data, field: typed}).status_code == 404
    assert (_stored(plan), _stored(other)) == (before, before_other)


@pytest.mark.parametrize("name", EDITOR_CHANGES)
def test_an_editor_save_of_an_issued_plan_goes_back_to_the_plan_with_the_reason(
    client_for, world, name
):
    import datetime as dt

    from tests.factories import issue_plan

    plan = scheduled(world)
    client = client_for("chair")
    data = form_data(client.get(url(name, world, plan)).content.decode())
    services.plan_approve(plan=plan, actor=None)
    plan = issue_plan(plan=plan, actor=world.users["chair"], issue_date=dt.date(world.year, 1, 15))
    before = _stored(plan)
    field, typed = EDITOR_CHANGES[name]
    response = client.post(url(name, world, plan), {**data, field: typed}, follow=True)
    assert response.redirect_chain[-1][0] == url("plans:detail", world, plan)
    assert services.FROZEN_MESSAGE in response.content.decode()
    assert _stored(plan) == before
