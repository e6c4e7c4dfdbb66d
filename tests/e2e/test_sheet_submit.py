"""A member unit's year-end report in a real browser: it opens the round, scores its sheet line by
line (htmx: the totals change on screen without a reload), writes its report and submits; the
same page fits a 375 px phone and passes axe."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from scoring.models import Entry, Submission
from scoring.services import templates as tpl_services
from scoring.services.templates import CriterionRow
from tests.e2e.axe import serious_violations
from tests.scoring.conftest import make_round

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}


def _small_template(world):
    """I. graded (max 10, step 0,5) and pass/fail (5); II. per occurrence (1 point, max 5)."""
    rows = [
        CriterionRow(code="I", content="Thực hiện nhiệm vụ", kind="group", max_points=Decimal(15)),
        CriterionRow(
            code="1",
            content="Hoàn thành nhiệm vụ chuyên môn",
            kind="graded",
            max_points=Decimal(10),
            step=Decimal("0.5"),
            parent_index=0,
        ),
        CriterionRow(
            code="2",
            content="Tổ chức Đảng vững mạnh",
            kind="pass_fail",
            max_points=Decimal(5),
            parent_index=0,
        ),
        CriterionRow(code="II", content="Phong trào", kind="group", max_points=Decimal(5)),
        CriterionRow(
            code="1",
            content="Điển hình tiên tiến được biểu dương",
            kind="per_occurrence",
            max_points=Decimal(5),
            points_per=Decimal(1),
            parent_index=3,
        ),
    ]
    return tpl_services.template_import(
        bloc=world.bloc,
        year=world.year,
        actor=None,
        rows=rows,
        settings={"max_total": Decimal(20)},
    )


def _line(page, group, code):
    entry = Entry.objects.get(criterion__code=code, criterion__parent__code=group)
    return page.locator(f"#line-{entry.pk}")


def _save(line, total, page):
    line.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("self-total")).to_have_text(total)
    expect(line.get_by_test_id("line-saved")).to_be_visible()


def test_a_unit_scores_its_sheet_line_by_line_and_submits(page, live_server, login, world):
    _small_template(world)
    make_round(world, due=dt.date.today() + dt.timedelta(days=10))
    page.on("dialog", lambda dialog: dialog.accept())
    login("unit_a")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/")
    page.get_by_test_id("my-reports").click()
    expect(page.get_by_test_id("round-state")).to_have_text("Chưa bắt đầu")
    expect(page.get_by_test_id("countdown")).to_have_text("còn 10 ngày")
    page.get_by_role("button", name="Bắt đầu Báo cáo tổng kết").click()
    expect(page.get_by_test_id("self-total")).to_have_text("0")
    url = page.url

    graded = _line(page, "I", "1")
    graded.get_by_label("Điểm tự chấm").fill("12")
    graded.get_by_role("button", name="Lưu").click()
    expect(graded.get_by_test_id("value-error")).to_contain_text("từ 0 đến 10")
    expect(page.get_by_test_id("self-total")).to_have_text("0")
    graded.get_by_label("Điểm tự chấm").fill("8,5")
    graded.get_by_label("Giải trình").fill("Hoàn thành 17/20 nhiệm vụ")
    _save(graded, "8,5", page)
    assert page.url == url  # saved in place, no reload
    passfail = _line(page, "I", "2")
    passfail.get_by_label("Đạt", exact=True).check()
    _save(passfail, "13,5", page)
    counted = _line(page, "II", "1")
    counted.get_by_label("Số lần").fill("2")
    _save(counted, "15,5", page)
    expect(page.get_by_test_id("progress")).to_have_text("3/3")
    expect(page.locator("[data-testid=subtotal]").first).to_have_text("13,5")

    # On a phone: nothing wider than the screen, no serious accessibility problem.
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_violations(page) == []

    page.get_by_label("Báo cáo viết trực tiếp").fill("Năm 2026 đơn vị hoàn thành tốt nhiệm vụ.")
    page.get_by_role("button", name="Lưu nội dung").click()
    expect(page.get_by_test_id("ready")).to_be_visible()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submission-status")).to_have_text("Đã nộp")
    expect(page.get_by_test_id("line-form")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_violations(page) == []
    sub = Submission.objects.get(unit=world.unit_a)
    assert sub.status == "submitted" and sub.self_total == Decimal("15.5") and not sub.late
