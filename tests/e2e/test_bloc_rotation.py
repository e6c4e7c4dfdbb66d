import pytest
from playwright.sync_api import expect

from blocs.models import BlocTerm

pytestmark = pytest.mark.e2e


def test_secretariat_logs_in_opens_the_bloc_and_rotates_the_head(page, live_server, login, world):
    login("chair")
    expect(page.get_by_test_id("home-blocs")).to_contain_text(world.bloc.name)
    page.get_by_role("link", name=world.bloc.name).click()
    expect(page.get_by_test_id("head-unit")).to_have_text(world.head.name)
    expect(page.get_by_test_id("members")).to_contain_text("Sở Tư pháp Thử")

    page.get_by_role("link", name=f"Luân phiên Trưởng khối năm {world.year + 1}").click()
    page.get_by_label("Đơn vị Trưởng khối").select_option(label=world.deputy_unit.name)
    page.get_by_label(world.unit_a.name).check()
    page.get_by_label("Căn cứ", exact=True).fill("Biên bản Hội nghị tổng kết năm 2026")
    page.get_by_label("Ngày căn cứ").fill("20/12/2026")
    page.get_by_role("button", name="Chuyển giao").click()

    expect(page.locator(".alert-success")).to_contain_text(f"Trưởng khối năm {world.year + 1}")
    expect(page.get_by_test_id("head-unit")).to_have_text(world.deputy_unit.name)
    assert BlocTerm.objects.get(bloc=world.bloc, year=world.year + 1).head_unit == world.deputy_unit
    # last year's page still shows last year's head
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/")
    expect(page.get_by_test_id("head-unit")).to_have_text(world.head.name)


def test_member_unit_sees_no_rotation_and_is_refused(page, live_server, login, world):
    login("unit_a")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/")
    expect(page.get_by_role("link", name="Luân phiên Trưởng khối")).to_have_count(0)
    response = page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/luan-phien/")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("Không có quyền")
