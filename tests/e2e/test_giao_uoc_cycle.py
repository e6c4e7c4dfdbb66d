"""The registration year in a real browser: the secretariat builds a small template, a unit
registers, is returned with a reason, corrects, the giao ước is signed and both PDFs download."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from scoring.models import Registration, Template

pytestmark = pytest.mark.e2e


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()


def _add(page, *, code, content, kind, points, parent=None, per=None):
    form = page.get_by_test_id("add-criterion")
    if parent:
        form.get_by_label("Thuộc nhóm").select_option(label=parent)
    form.get_by_label("Mã").fill(code)
    form.get_by_label("Loại").select_option(label=kind)
    form.get_by_label("Điểm tối đa").fill(points)
    form.get_by_label("Nội dung tiêu chí").fill(content)
    if per:
        form.get_by_label("Điểm mỗi lần").fill(per)
    form.get_by_role("button", name="Thêm tiêu chí").click()
    expect(page.locator(f"tr[data-code='{code}']")).to_be_visible()


def _target(page, row, content, measure, value):
    page.locator(f"[name=targets-{row}-content]").fill(content)
    page.locator(f"[name=targets-{row}-measure]").fill(measure)
    page.locator(f"[name=targets-{row}-target_value]").fill(value)


def _send(page):
    page.get_by_role("button", name="Lưu bản đăng ký").click()
    page.get_by_role("button", name="Gửi Trưởng khối").click()
    expect(page.get_by_test_id("reg-status")).to_have_text("Đã gửi, chờ duyệt")
    _logout(page)


def test_template_registration_return_correct_sign_and_download(page, live_server, login, world):
    base = f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}"
    page.on("dialog", lambda dialog: dialog.accept())

    # The secretariat builds a small template: a group, a graded leaf, a bonus leaf.
    login("chair")
    page.goto(f"{base}/thang-diem/")
    page.get_by_role("button", name="Tạo thang điểm").click()
    _add(page, code="I", content="Thực hiện nhiệm vụ chính trị", kind="Nhóm tiêu chí", points="100")
    _add(
        page,
        code="1",
        content="Hoàn thành chỉ tiêu đăng ký",
        kind="Chấm theo mức (0 đến tối đa)",
        points="100",
        parent="I. Thực hiện nhiệm vụ chính trị",
    )
    _add(page, code="II", content="Điểm thưởng", kind="Điểm thưởng", points="5", per="2,5")
    expect(page.get_by_test_id("total-base")).to_have_text("100")
    expect(page.get_by_test_id("total-bonus")).to_have_text("5")
    _logout(page)

    # A unit registers its targets and titles and sends them.
    login("unit_a")
    expect(page.get_by_test_id("registration-reminders")).to_contain_text(world.bloc.name)
    page.goto(f"{base}/dang-ky/don-vi/")
    _target(page, 0, "Giải quyết 95 % vụ việc đúng hạn", "%", "95")
    page.get_by_label("Cờ thi đua UBND tỉnh").check()
    page.get_by_label("Lao động tiên tiến", exact=True).fill("45")
    _send(page)

    # The secretariat returns it with a reason.
    login("chair")
    page.goto(f"{base}/dang-ky/")
    page.get_by_role("link", name="Sở Tư pháp Thử").click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung chỉ tiêu về cải cách hành chính")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_test_id("reg-status")).to_have_text("Bị trả lại")
    _logout(page)

    # The unit reads the reason, corrects and sends again.
    login("unit_a")
    page.goto(f"{base}/dang-ky/don-vi/")
    expect(page.get_by_test_id("returned-reason")).to_contain_text("cải cách hành chính")
    _target(page, 1, "Chỉ số cải cách hành chính tăng 2 bậc", "bậc", "2")
    _send(page)

    # The secretariat accepts and records the signing meeting; both PDFs download.
    login("chair")
    page.goto(f"{base}/dang-ky/")
    page.get_by_role("link", name="Sở Tư pháp Thử").click()
    page.get_by_role("button", name="Chấp nhận").click()
    expect(page.get_by_test_id("reg-status")).to_have_text("Đã chấp nhận")
    page.goto(f"{base}/giao-uoc/")
    page.get_by_label("Ngày ký kết").fill("10/02/2026")
    page.get_by_label("Địa điểm").fill("Hội trường Bộ CHQS tỉnh")
    page.get_by_label("Ký với các đơn vị đã được chấp nhận", exact=False).check()
    page.get_by_role("button", name="Ghi nhận ký kết").click()
    expect(page.get_by_test_id("signed")).to_contain_text("10/02/2026")
    for testid in ("table-pdf", "giao-uoc-pdf"):
        with page.expect_download() as download:
            page.get_by_test_id(testid).click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    assert Registration.objects.get(unit=world.unit_a).status == "signed"
    assert Template.objects.get(bloc=world.bloc, year=world.year).is_locked
