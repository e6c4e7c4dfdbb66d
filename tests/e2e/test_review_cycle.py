"""The review cycle in a real browser: the head opens the board, reviews a submitted sheet
(changes a line's score with a comment, saved in place), returns it with a reason; the unit sees
the reason and the head's comment on its own page, corrects the line and submits again; the head
completes the review and finalises. (tests/e2e/test_sheet_submit.py: the unit fills and submits
its sheet in the browser.) The board and the
review page fit a 375 px phone and pass the accessibility check."""

import pytest
from playwright.sync_api import expect

from scoring.models import Review, Submission
from tests.e2e.axe import serious_violations
from tests.scoring.conftest import make_round, make_template
from tests.scoring.test_sheet_services import entry, submitted

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def sheet(world):
    """unit_a's year-end sheet, submitted; the bloc-year reviews by the head alone."""
    from scoring.services.reviews import review_setup_save

    make_template(world.bloc, world.year, world.users["chair"])
    review_setup_save(bloc=world.bloc, year=world.year, actor=None, mode="head_only")
    return submitted(world, make_round(world), "unit_a")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{page.url} is {width} px wide"
    assert serious_violations(page) == []


def test_head_reviews_returns_and_finalises(page, live_server, login, world, sheet):
    base = f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}"
    page.on("dialog", lambda dialog: dialog.accept())
    line = entry(sheet, "I.2")  # the unit gave itself 15

    login("chair")
    page.goto(f"{base}/")
    page.get_by_test_id("board-link").click()
    cell = page.locator("tr[data-unit='Sở Tư pháp Thử'] td[data-state='submitted']")
    expect(cell).to_contain_text("Đã nộp đúng hạn")
    cell.get_by_role("link").click()
    expect(page.get_by_test_id("sub-status")).to_have_text("Đã nộp")
    _fits(page)

    row = page.locator(f"#dong-{line.pk}")
    row.get_by_label("Điểm (2)").fill("12,5")
    row.get_by_label("Nhận xét").fill("Thiếu minh chứng cho 2 cuộc kiểm tra")
    row.get_by_role("button", name="Lưu dòng").click()
    expect(page.locator(f"#dong-{line.pk} [data-testid=line-saved]")).to_be_visible()
    expect(page.get_by_test_id("sub-status")).to_have_text("Đang thẩm định")
    self_total = page.get_by_test_id("self-total").inner_text()
    expect(page.get_by_test_id("reviewed-total")).not_to_have_text(self_total)
    assert Review.objects.get(entry=line).comment == "Thiếu minh chứng cho 2 cuộc kiểm tra"

    page.get_by_role("button", name="Trả lại đơn vị").click()  # no reason: refused
    expect(page.get_by_text("Hãy nêu lý do trả lại")).to_be_visible()
    page.get_by_label("Lý do trả lại").fill("Bổ sung minh chứng tiêu chí I.2")
    page.get_by_role("button", name="Trả lại đơn vị").click()
    expect(page.get_by_test_id("sub-status")).to_have_text("Bị trả lại")
    expect(page.get_by_test_id("returned-reason")).to_contain_text("tiêu chí I.2")

    # The unit sees the reason and the head's score on its own page, corrects, submits again.
    head_page = page.url
    page.context.clear_cookies()
    login("unit_a")
    page.goto(f"{base}/bao-cao/{sheet.pk}/")
    expect(page.get_by_test_id("returned-reason")).to_contain_text("tiêu chí I.2")
    own = page.locator(f"#line-{line.pk}")
    expect(own).to_contain_text("Thiếu minh chứng cho 2 cuộc kiểm tra")
    own.get_by_label("Điểm tự chấm").fill("13")
    own.get_by_label("Giải trình").fill("Đã bổ sung biên bản 2 cuộc kiểm tra")
    own.get_by_role("button", name="Lưu").click()
    expect(own.get_by_test_id("line-saved")).to_be_visible()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submission-status")).to_have_text("Đã nộp")

    page.context.clear_cookies()
    login("chair")
    page.goto(head_page)
    expect(page.get_by_test_id("sub-status")).to_have_text("Đã nộp")
    row.get_by_label("Điểm (2)").fill("13")
    row.get_by_role("button", name="Lưu dòng").click()
    expect(page.locator(f"#dong-{line.pk} [data-testid=line-saved]")).to_be_visible()
    page.get_by_role("button", name="Hoàn thành bước thẩm định").click()
    expect(page.get_by_test_id("sub-status")).to_have_text("Đã thẩm định")
    page.get_by_label("Ghi chú khi chốt").fill("Hội nghị tổng kết ngày 20/12")
    page.get_by_role("button", name="Chốt kết quả").click()
    expect(page.get_by_test_id("sub-status")).to_have_text("Đã thống nhất (chốt)")
    expect(page.get_by_role("button", name="Mở lại")).to_be_visible()
    final = Submission.objects.get(pk=sheet.pk)
    assert final.status == "final" and final.final_total == final.self_total

    page.goto(f"{base}/tham-dinh/")
    expect(page.locator("tr[data-unit='Sở Tư pháp Thử'] td[data-state='final']")).to_be_visible()


def test_board_and_review_page_on_a_phone(page, live_server, login, world, sheet):
    page.set_viewport_size(PHONE)
    login("chair")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/tham-dinh/")
    expect(page.get_by_test_id("round-summary")).to_contain_text("Báo cáo tổng kết")
    _fits(page)
    page.get_by_label("Trạng thái").select_option(label="Đã nộp đúng hạn")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("tr[data-unit]")).to_have_count(1)
    page.get_by_role("link", name="Đã nộp đúng hạn").click()
    expect(page.get_by_test_id("sub-status")).to_have_text("Đã nộp")
    _fits(page)
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/tham-dinh/cach-tham-dinh/")
    _fits(page)
