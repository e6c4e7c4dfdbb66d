from pathlib import Path

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from reports.models import IssuedDocument

pytestmark = pytest.mark.e2e

SEED_004 = next((Path(__file__).resolve().parents[2] / "plans" / "seeds").glob("004_*.txt"))


def test_secretariat_imports_reviews_approves_and_issues_a_plan(page, live_server, login, world):
    login("chair")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/ke-hoach/")
    page.get_by_role("link", name="Nhập từ văn bản có sẵn").click()
    page.get_by_label("Hoặc dán nội dung kế hoạch").fill(SEED_004.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Đọc văn bản").click()

    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("01/01/2022 – 30/06/2022")
    expect(summary).to_contain_text("20/12/2022")
    page.get_by_label("Năm kế hoạch").fill(str(world.year))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Dự thảo")
    # the 2022 text still names 2025 ("đến năm 2025"): listed, checked, confirmed at approval
    expect(page.get_by_test_id("mentions")).to_contain_text("chỗ ghi năm 2025")
    page.locator("#id_approve-confirm").check()
    page.get_by_role("button", name="Duyệt").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã duyệt")
    page.get_by_label("Ngày ban hành").fill("15/01/2026")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cấp số và ban hành").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã ban hành")
    expect(page.locator(".alert-success")).to_contain_text("số 01/KH-KTĐ")

    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = Path(download.value.path()).read_bytes()
    plan = Plan.objects.get(bloc=world.bloc, status="issued")
    assert pdf == bytes(IssuedDocument.objects.get(plan=plan).pdf)  # the frozen file is served


def test_member_unit_sees_the_issued_plan_but_cannot_edit(page, live_server, login, world):
    import datetime as dt

    from plans import services
    from tests.factories import issue_plan
    from tests.plans.test_services import ready_plan

    chair = world.users["chair"]
    plan = ready_plan(world)
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))

    login("unit_a")
    page.goto(f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/ke-hoach/{plan.pk}/")
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã ban hành")
    expect(page.get_by_role("link", name="Sửa nội dung")).to_have_count(0)
    response = page.goto(
        f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/ke-hoach/{plan.pk}/noi-dung/"
    )
    assert response.status == 403


def test_the_secretariat_amends_an_issued_plan_once_on_a_phone_and_a_desktop(
    page, live_server, login, world
):
    """The amend button makes the draft that will replace the issued plan, with its schedule;
    pressed again (a second tab, a double tap) it says the amendment exists and makes none."""
    import datetime as dt

    from plans import services
    from tests.factories import issue_plan
    from tests.plans.test_services import P1, P2, ready_plan, schedule

    chair = world.users["chair"]
    plan = ready_plan(world)
    schedule(plan, chair, [P1, P2])
    services.plan_approve(plan=plan, actor=chair)
    plan = issue_plan(plan=plan, actor=chair, issue_date=dt.date(2026, 1, 15))
    url = f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/ke-hoach/{plan.pk}/"
    amend = "Sửa đổi, bổ sung (tạo văn bản mới)"

    login("chair")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    page.get_by_role("button", name=amend).click()
    expect(page.locator(".alert-success")).to_contain_text("Đã tạo dự thảo sửa đổi, bổ sung.")
    expect(page.get_by_test_id("plan-status")).to_have_text("Dự thảo")
    draft = Plan.objects.get(replaces=plan)
    assert page.url.rstrip("/").endswith(f"/ke-hoach/{draft.pk}")
    assert draft.phases.count() == plan.phases.count() == 2
    assert draft.milestones.count() == plan.milestones.count()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    page.get_by_role("button", name=amend).click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "Kế hoạch này đã có bản sửa đổi, bổ sung."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Plan.objects.filter(replaces=plan).count() == 1
