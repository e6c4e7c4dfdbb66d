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
