"""Choosing a unit by search (blocs/unit_search.py) in a real browser: with htmx the matches come
as one types and the rest of the form stays as typed; without JavaScript the search reloads the
page with ?q=; on a phone and a desktop the page fits the screen and passes axe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from blocs.models import Membership
from tests.blocs.test_unit_search import TARGET, make_crowd
from tests.e2e.axe import serious_violations

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: keep a screenshot of each size there


@pytest.fixture
def crowd(world):
    return make_crowd(world)


def _add_page(live_server, world) -> str:
    return f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/thanh-vien/them/"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_a_unit_found_as_one_types_joins_the_bloc(page, live_server, login, world, crowd, size):
    _, target, _ = crowd
    page.set_viewport_size(size)
    login("chair")
    page.goto(_add_page(live_server, world))
    page.get_by_label("Ngày tham gia").fill("01/03/2026")  # typed before the search: kept
    page.get_by_label("Tìm đơn vị").fill("dak lak")
    expect(page.get_by_test_id("unit-search-message")).to_have_text(
        "Tìm thấy 1 đơn vị khớp với “dak lak”."
    )
    page.get_by_label("Tìm đơn vị").press("Enter")  # htmx answers: no reload
    expect(page.get_by_label("Ngày tham gia")).to_have_value("01/03/2026")
    page.get_by_label(TARGET).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert serious_violations(page) == []
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/membership_add_{size['width']}.png", full_page=True)
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Đã thêm đơn vị vào khối")
    assert Membership.objects.filter(bloc=world.bloc, unit=target).exists()


def test_a_choice_made_while_matches_are_on_their_way_is_kept(
    page, live_server, login, world, crowd
):
    """Enter sends the search again; a unit ticked before its answer arrives stays ticked."""
    login("chair")
    held: list = []  # searches held back while `holding`, until the test lets them through
    holding = {"on": False}

    def route(r):
        if holding["on"]:
            held.append(r)
        else:
            r.continue_()

    page.route(lambda url: "/don-vi/" in url, route)
    page.goto(_add_page(live_server, world))
    page.get_by_label("Tìm đơn vị").fill("dak lak")
    expect(page.get_by_test_id("unit-search-message")).to_contain_text("Tìm thấy 1 đơn vị")
    holding["on"] = True
    page.get_by_label("Tìm đơn vị").press("Enter")
    page.wait_for_timeout(200)
    assert held, "Enter sent no search"
    page.get_by_label(TARGET).check()
    holding["on"] = False
    for r in held:
        r.continue_()
    page.wait_for_timeout(500)  # the answers arrive and htmx swaps them in
    expect(page.get_by_test_id("unit-search-message")).to_contain_text("Tìm thấy 1 đơn vị")
    expect(page.get_by_label(TARGET)).to_be_checked()


def test_without_javascript_the_search_reloads_the_page(
    browser, live_server, world, crowd, browser_context_args
):
    _, target, _ = crowd
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("chair")
    page.get_by_label("Mật khẩu").fill("matkhau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(_add_page(live_server, world))
    page.get_by_label("Tìm đơn vị").fill("Đắk Lắk")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url("**/thanh-vien/them/?q=*")
    page.get_by_label(TARGET).check()
    page.get_by_label("Ngày tham gia").fill("31/02/2026")  # wrong: the form comes back
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_label(TARGET)).to_be_checked()
    page.get_by_label("Ngày tham gia").fill("01/03/2026")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Đã thêm đơn vị vào khối")
    assert Membership.objects.filter(bloc=world.bloc, unit=target).exists()
    context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_other_unit_pickers_fit_the_screen_and_pass_axe(
    page, live_server, login, world, crowd, size
):
    m = world.bloc.memberships.get(unit=world.unit_b)
    bloc = f"/khoi/{world.bloc.pk}/{world.year}/"
    pages = {
        "unit_merge": f"{bloc}thanh-vien/{m.pk}/sap-nhap/?q=dak",
        "unit_create": "/quan-tri/don-vi/them/?q=dak",
        "account_invite": "/tai-khoan/moi/?q=dak",
    }
    page.set_viewport_size(size)
    login("admin")
    problems = []
    for name, path in pages.items():
        page.goto(live_server.url + path)
        expect(page.get_by_label(TARGET, exact=False).first).to_be_visible()
        if page.evaluate("document.documentElement.scrollWidth") > size["width"]:
            problems.append(f"{name} is wider than {size['width']} px")
        problems += [f"{name}: {v}" for v in serious_violations(page)]
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}_{size['width']}.png", full_page=True)
    assert problems == [], "\n".join(problems)
