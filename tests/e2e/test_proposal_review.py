"""Award proposals in a real browser: the secretariat generates them from the adopted ranking,
records the votes, submits the dossier and downloads its tờ trình; the provincial reviewer, on
a phone (375 px), finds the bloc on the province page, approves one proposal, returns the other
with a reason and records the decision."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from scoring.models import Proposal
from tests.e2e.axe import serious_violations
from tests.scoring.ranking_data import make_ranking

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}


def _row(page, unit):
    return page.locator(f"tr[data-unit='{unit.name}']")


def test_secretariat_submits_and_the_reviewer_approves_returns_and_decides(
    page, live_server, login, world
):
    units = [world.head, world.deputy_unit, world.unit_a, world.unit_b]
    make_ranking(world.bloc, world.year, units, ineligible=[world.unit_b])
    base = f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/de-nghi/"
    page.on("dialog", lambda dialog: dialog.accept())

    login("chair")
    page.goto(base)
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("ineligible")).to_contain_text("Đang thanh tra")
    for unit in (world.head, world.deputy_unit):
        row = _row(page, unit)
        row.get_by_label("Tán thành", exact=True).fill("9")
        row.get_by_label("Không tán thành").fill("1")
        row.get_by_label("Tổng số biểu quyết").fill("10")
        row.get_by_role("button", name="Ghi").click()
        expect(_row(page, unit)).to_contain_text("9/10 = 90 %")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit-summary")).to_contain_text("Sẽ trình 2 đề nghị")
    page.get_by_role("button", name="Trình tỉnh").click()
    expect(page.get_by_test_id("dossiers")).to_contain_text("Số: 01/TTr-KTĐNC")
    with page.expect_download() as download:
        page.get_by_test_id("to-trinh-pdf").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_role("button", name="Đăng xuất").click()

    login("reviewer")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/tinh/{world.province.pk}/?nam={world.year}")
    expect(page.get_by_test_id("co-cp-check")).to_contain_text("tối đa")
    expect(page.get_by_test_id("progress-chart")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.get_by_role("link", name=f"Xem, xét đề nghị của {world.bloc.name}").click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    _row(page, world.head).get_by_test_id("approve").click()
    expect(_row(page, world.head)).to_contain_text("Đã chấp thuận")
    deputy = _row(page, world.deputy_unit)
    deputy.get_by_label("Lý do trả lại hoặc không chấp thuận").fill("Bổ sung báo cáo thành tích")
    deputy.get_by_test_id("return").click()
    expect(_row(page, world.deputy_unit)).to_contain_text("Lý do: Bổ sung báo cáo thành tích")
    _row(page, world.head).get_by_test_id("decide").click()
    page.get_by_label("Số quyết định").fill("125/QĐ-UBND")
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_test_id("decision")).to_contain_text("QĐ số 125/QĐ-UBND")
    statuses = dict(Proposal.objects.values_list("unit__name", "status"))
    assert statuses == {world.head.name: "decided", world.deputy_unit.name: "returned"}
