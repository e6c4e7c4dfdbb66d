"""A large draft in a real browser: the secretariat clicks "Tải PDF" on a forty-page plan, the
page shows the print waiting in the queue with its progress bar, the task worker prints it, and
the polling page starts the download of the file by itself (scripts only from our static files:
the CSP check of every browser test holds)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from reports.models import RenderJob
from tests.e2e.axe import serious_violations
from tests.reports.pdfread import full_text, squash
from tests.reports.plan_data import make_plan, seed_000

pytestmark = pytest.mark.e2e


@pytest.fixture
def long_plan(world) -> Plan:
    preamble, body, closing = seed_000()
    return make_plan(
        bloc=world.bloc,
        year=world.year,
        preamble=preamble,
        closing=closing,
        body=body * 8,
        title="Kế hoạch thi đua dài bốn mươi trang của Khối năm 2026",
    )


def test_a_large_draft_shows_its_progress_then_downloads(
    page, live_server, login, long_plan, worker
):
    # While the worker prints, the page's polls wait here: the browser and the worker never use
    # the test database at the same moment (Playwright handles routes only between our calls).
    page.route("**/van-ban/ban-in/**", lambda route: route.continue_())
    login("chair")
    page.goto(
        f"{live_server.url}/khoi/{long_plan.bloc_id}/{long_plan.year}/ke-hoach/{long_plan.pk}/"
    )
    page.get_by_test_id("download-pdf").click()
    expect(page.get_by_role("heading", name="In văn bản")).to_be_visible()
    expect(page.get_by_test_id("render-status")).to_contain_text("Đang chờ đến lượt in")
    expect(page.get_by_role("progressbar", name="Tiến độ in văn bản")).to_have_attribute(
        "aria-valuenow", "0"
    )
    assert serious_violations(page) == []
    job = RenderJob.objects.get()
    assert job.pages_estimate >= 30

    worker()
    with page.expect_download(timeout=30_000) as download:
        pass  # the next poll finds the file ready and the page downloads it
    body = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == job.filename
    assert body[:5] == b"%PDF-"
    assert squash("Kế hoạch thi đua dài bốn mươi trang") in squash(full_text(body))
    expect(page.get_by_test_id("render-status")).to_contain_text("Đã in xong")
    expect(page.get_by_role("link", name="Tải văn bản (PDF)")).to_be_visible()


def test_the_year_data_file_is_made_by_the_worker_then_downloads_on_a_phone(
    page, live_server, login, world, worker
):
    import json

    page.route("**/van-ban/ban-in/**", lambda route: route.continue_())
    page.set_viewport_size({"width": 375, "height": 800})
    make_plan(bloc=world.bloc, year=world.year, title="Kế hoạch có trong tệp dữ liệu năm")
    login("chair")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/")
    page.get_by_role("link", name="Tải dữ liệu năm (JSON)").click()
    expect(page.get_by_role("heading", name="Tải dữ liệu năm")).to_be_visible()
    expect(page.get_by_test_id("render-status")).to_contain_text("Đang chờ đến lượt tạo tệp")
    expect(page.get_by_role("progressbar", name="Tiến độ tạo tệp dữ liệu")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_violations(page) == []

    worker()
    with page.expect_download(timeout=30_000) as download:
        pass  # the next poll finds the file ready and the page downloads it
    job = RenderJob.objects.get()
    assert download.value.suggested_filename == job.filename == f"khoi-{world.bloc.pk}-2026.json"
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert "Kế hoạch có trong tệp dữ liệu năm" in [p["title"] for p in data["plans"]]
    expect(page.get_by_test_id("render-status")).to_contain_text("Đã tạo xong tệp dữ liệu.")
    expect(page.get_by_role("link", name="Tải dữ liệu năm (JSON)")).to_be_visible()
