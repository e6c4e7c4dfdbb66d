"""Every persona on a phone (375 px) and on a desktop: no page wider than the screen, and no
serious accessibility violation (axe-core) on any main page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from plans import services
from plans.models import Milestone
from tests.e2e.axe import serious_violations
from tests.factories import issue_plan
from tests.plans.test_services import P1, P2, ready_plan, schedule

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}  # what a Vietnamese clerk's browser sends


@pytest.fixture
def plans(world):
    """The year's issued plan (with deadlines next week and two days ago) and its amendment
    draft, which the secretariat edits."""
    chair = world.users["chair"]
    plan = ready_plan(world)
    schedule(plan, chair, [P1, P2])
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(world.year, 1, 15))
    today = dt.date.today()  # at the test's time, not the module's: CI can cross midnight
    for days, kind in ((5, Milestone.Kind.BAO_CAO_SO_KET), (-2, Milestone.Kind.DANG_KY)):
        due = today + dt.timedelta(days=days)
        Milestone.objects.create(plan=plan, kind=kind, due=due, addressee="Trưởng khối")
    draft = services.plan_amend(plan=plan, actor=chair)
    return plan, draft


def pages_of(persona: str, world, plans) -> dict[str, str]:
    issued, draft = plans
    bloc = f"/khoi/{world.bloc.pk}/{world.year}/"
    pages = {"home": "/", "plan": f"{bloc}ke-hoach/{issued.pk}/", "bloc": bloc}
    if persona in {"chair", "admin"}:
        pages["plan list"] = f"{bloc}ke-hoach/"
        pages["draft"] = f"{bloc}ke-hoach/{draft.pk}/"
        pages["schedule"] = f"{bloc}ke-hoach/{draft.pk}/tien-do/"
        pages["lists"] = f"{bloc}ke-hoach/{draft.pk}/noi-nhan-chu-ky/"
        pages["header"] = f"{bloc}ke-hoach/{draft.pk}/sua/"
        pages["body"] = f"{bloc}ke-hoach/{draft.pk}/noi-dung/"
    pages["calendar"] = "/lich/"
    pages["scale"] = f"{bloc}thang-diem/"  # the bloc-year's scoring scale, read by everyone
    if persona in {"chair", "deputy", "reviewer", "admin"}:
        pages["registrations"] = f"{bloc}dang-ky/"
        pages["reports board"] = f"{bloc}tham-dinh/"
        pages["proposals"] = f"{bloc}de-nghi/"
    if persona in {"chair", "admin"}:
        pages["signing"] = f"{bloc}giao-uoc/"
        pages["review setup"] = f"{bloc}tham-dinh/cach-tham-dinh/"
        pages["meeting"] = f"{bloc}xep-hang/hoi-nghi/"
    if persona in {"chair", "deputy", "reviewer", "admin"}:
        pages["ranking"] = f"{bloc}xep-hang/"
        pages["compliance"] = f"{bloc}xep-hang/chap-hanh/"
    if persona == "unit_a":
        pages["my registration"] = f"{bloc}dang-ky/don-vi/"
        pages["my reports"] = f"{bloc}bao-cao/"
    if persona == "reviewer":
        pages["province"] = f"/tinh/{world.province.pk}/"
    if persona == "admin":
        pages["admin"] = "/quan-tri/"
    return pages


def check(page, url: str) -> tuple[int, int, list[str]]:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    return width, page.evaluate("window.innerWidth"), serious_violations(page)


@pytest.mark.parametrize("persona", ["chair", "deputy", "unit_a", "reviewer", "admin"])
def test_every_page_fits_a_phone_and_passes_axe(page, live_server, login, world, plans, persona):
    login(persona)
    problems = []
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for name, path in pages_of(persona, world, plans).items():
            width, inner, violations = check(page, live_server.url + path)
            if width > inner:
                problems.append(f"{name} at {size['width']} px is {width} px wide")
            problems += [f"{name} at {size['width']} px: {v}" for v in violations]
    assert problems == [], "\n".join(problems)


def test_login_page_fits_a_phone_and_passes_axe(page, live_server):
    page.set_viewport_size(PHONE)
    width, inner, violations = check(page, f"{live_server.url}/dang-nhap/")
    assert width <= inner and violations == []


def test_the_accessibility_check_catches_an_unlabelled_field(page, live_server):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.evaluate("document.querySelector('form').insertAdjacentHTML('beforeend', '<input>')")
    assert any(v.startswith("label (critical)") for v in serious_violations(page))


def test_member_on_a_phone_sees_its_deadlines_first_and_opens_the_menu(
    page, live_server, login, world, plans
):
    page.set_viewport_size(PHONE)
    login("unit_a")
    items = page.get_by_test_id("unit-deadline")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Quá hạn")
    expect(items.first).to_contain_text("quá hạn 2 ngày")
    expect(items.nth(1)).to_contain_text("còn 5 ngày")
    logout = page.get_by_role("button", name="Đăng xuất")
    expect(logout).to_be_hidden()
    page.get_by_role("button", name="Mở menu").click()
    expect(logout).to_be_visible()


def test_keyboard_focus_is_visible(page, live_server, login, world, plans):
    login("unit_a")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua menu, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = skip.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px")
