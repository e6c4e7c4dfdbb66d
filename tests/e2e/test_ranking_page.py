"""The bình xét in a real browser: the secretariat computes the ranking, records the meeting and
the vote, adopts it and downloads the minutes and the Excel table; the page fits a phone and
passes axe; a member unit sees the ranking only once it is adopted. Then the same year goes on:
the secretariat generates the proposals, records their votes, submits the dossier and downloads
its tờ trình; the provincial reviewer approves one proposal and returns the other."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from scoring.models import Proposal, Ranking
from tests.e2e.axe import serious_violations
from tests.scoring.conftest import make_round, make_template
from tests.scoring.ranking_data import ranked_world

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def scored(world, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    make_template(world.bloc, world.year, world.users["chair"])
    return ranked_world(world, make_round(world), {"unit_a": "15", "unit_b": "14", "chair": "13"})


def _download(page, name: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    return Path(download.value.path()).read_bytes()


def test_compute_meet_vote_adopt_and_download(page, live_server, login, scored):
    base = f"{live_server.url}/khoi/{scored.bloc.pk}/{scored.year}/xep-hang/"
    page.on("dialog", lambda dialog: dialog.accept())

    login("unit_a")  # before adoption a member sees no scores
    response = page.goto(base)
    assert response.status == 403
    expect(page.get_by_text("chưa được hội nghị bình xét thông qua")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()

    login("chair")
    page.goto(base)
    page.get_by_test_id("compute").click()
    rows = page.get_by_test_id("ranking").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Sở Tư pháp Thử")
    expect(
        page.get_by_test_id("ranking").locator("tr[data-unit='Công an tỉnh Thử']")
    ).to_contain_text("Bảng điểm chưa chốt")
    expect(page.locator("svg.bar-chart title")).to_have_count(1)

    page.get_by_test_id("meeting-link").click()
    form = page.get_by_test_id("meeting-form")
    form.get_by_label("Ngày họp").fill("20/11/2026")  # held: the tờ trình follows it
    form.get_by_label("Địa điểm").fill("Hội trường Bộ CHQS tỉnh")
    form.get_by_label("Chủ trì").fill("Đại tá Nguyễn Văn Trưởng")
    form.get_by_label("Thư ký").fill("Trần Thị Phó")
    for unit in ("Bộ Chỉ huy Quân sự tỉnh Thử", "Công an tỉnh Thử", "Sở Tư pháp Thử"):
        form.get_by_label(unit).check()
    form.get_by_role("button", name="Lưu thông tin hội nghị").click()
    vote = page.get_by_test_id("vote-form")
    vote.get_by_label("Tổng số phiếu biểu quyết").fill("3")
    vote.locator("[name=vote_for]").fill("3")
    vote.get_by_label("Không tán thành").fill("0")
    vote.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_text("Hiện ghi: 3/3 (100")).to_be_visible()

    page.goto(base)
    expect(page.get_by_test_id("vote")).to_contain_text("đạt")
    page.get_by_test_id("adopt-link").click()
    expect(page.get_by_test_id("adopt-summary")).to_contain_text("Sở Tư pháp Thử")
    page.get_by_test_id("adopt").click()
    expect(page.get_by_test_id("ranking-status")).to_contain_text("Đã thông qua")
    assert Ranking.objects.get().status == Ranking.Status.ADOPTED
    assert _download(page, "Biên bản họp bình xét (PDF)")[:5] == b"%PDF-"
    assert _download(page, "Bảng xếp hạng (Excel)")[:2] == b"PK"

    page.set_viewport_size(PHONE)
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("button", name="Đăng xuất").click()

    login("unit_b")  # adopted: the member sees every unit's score
    page.set_viewport_size(PHONE)
    page.goto(base)
    expect(page.get_by_test_id("ranking").locator("tbody tr")).to_have_count(4)
    expect(page.get_by_test_id("leader")).to_contain_text("Sở Tư pháp Thử")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.set_viewport_size({"width": 1280, "height": 900})
    _propose_and_review(page, live_server, login, scored)


def _proposal_row(page, name: str):
    return page.locator(f"tr[data-unit='{name}']")


def _propose_and_review(page, live_server, login, world):
    """From the adopted ranking: proposals, votes, the dossier with its tờ trình; the province
    approves the Cờ and returns the Bằng khen with a reason."""
    base = f"{live_server.url}/khoi/{world.bloc.pk}/{world.year}/de-nghi/"
    login("chair")
    page.goto(base)
    page.get_by_test_id("generate").click()
    leader, other = "Sở Tư pháp Thử", "Tòa án nhân dân tỉnh Thử"
    for name in (leader, other):
        row = _proposal_row(page, name)
        row.get_by_label("Tán thành", exact=True).fill("3")
        row.get_by_label("Không tán thành").fill("0")
        row.get_by_label("Tổng số biểu quyết").fill("3")
        row.get_by_role("button", name="Ghi").click()
        expect(_proposal_row(page, name)).to_contain_text("3/3 = 100 %")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit-summary")).to_contain_text("Sẽ trình 2 đề nghị")
    page.get_by_role("button", name="Trình tỉnh").click()
    expect(page.get_by_test_id("dossiers")).to_contain_text("Số: 01/TTr-KTĐNC")
    with page.expect_download() as download:
        page.get_by_test_id("to-trinh-pdf").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_role("button", name="Đăng xuất").click()

    login("reviewer")
    page.goto(base)
    _proposal_row(page, leader).get_by_test_id("approve").click()
    expect(_proposal_row(page, leader)).to_contain_text("Đã chấp thuận")
    row = _proposal_row(page, other)
    row.get_by_label("Lý do trả lại hoặc không chấp thuận").fill("Bổ sung báo cáo thành tích")
    row.get_by_test_id("return").click()
    expect(_proposal_row(page, other)).to_contain_text("Lý do: Bổ sung báo cáo thành tích")
    statuses = dict(Proposal.objects.values_list("unit__name", "status"))
    assert statuses == {leader: "approved", other: "returned"}
