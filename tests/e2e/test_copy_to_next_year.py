"""Acceptance of the plans-integrity issue, as the 2023 head lives it on the demo data: copy the
issued 2022 plan, move two phase dates, fix what the page lists, submit, approve, issue, and get
a PDF and a Word file that print the new dates and the 2023 head and signer, and no "2022" but
in citations of past documents."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command
from docx import Document
from playwright.sync_api import expect

from blocs.models import Bloc
from plans.mentions import _hits
from plans.models import Plan

pytestmark = pytest.mark.e2e

FIXES = {
    "03/02/2022": "03/02/2023",
    "19/5/2022": "19/5/2023",
    "02/9/2022": "02/9/2023",
    "Bộ CHQS tỉnh - Trưởng Khối": "Công an tỉnh - Trưởng Khối",
    "Bộ CHQS tỉnh - Trường Khôi": "Công an tỉnh - Trưởng Khối",
}


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return Bloc.objects.get(province__name="Tuyên Quang")


def stale_years(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [flat[max(0, i - 60) : i + 10] for i in _hits(flat, "2022", year=True)]


def check_printed(text: str) -> None:
    flat = re.sub(r"\s+", " ", text)
    assert (
        "Đợt 1: Thời gian từ 01/01/2023 đến 10/6/2023" in flat
    )  # phase 1, as the schedule now says
    assert "Đợt 2: Từ 11/6/2023 đến 30/11/2023" in flat
    assert "trước ngày 15/6/2023 (số liệu báo cáo từ ngày 01/12/2022 đến 31/5/2023)" in flat
    assert "CÔNG AN TỈNH TUYÊN QUANG" in flat and "Lê Văn Thành" in flat
    assert "Hà Đình Khiêm" not in flat and "BỘ CHQS" not in flat.upper()
    assert stale_years(text.replace("01/12/2022", "")) == []  # the data period starts in 2022


def test_the_2023_head_copies_moves_dates_and_issues_a_document_of_2023(page, live_server, demo):
    base = f"{live_server.url}/khoi/{demo.pk}/2023/ke-hoach/"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("phokhoi")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(base)
    page.get_by_role("button", name="Sao chép kế hoạch năm 2022").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Dự thảo")
    plan_url = page.url

    page.get_by_role("link", name="Đợt thi đua, mốc thời gian").click()
    page.locator('[name="phase-0-end"]').fill("10/06/2023")
    page.locator('[name="phase-1-start"]').fill("11/06/2023")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("phases")).to_contain_text("10/06/2023")

    mentions = page.get_by_test_id("mentions")
    expect(mentions).to_contain_text("3 chỗ ghi năm 2022")
    expect(mentions).to_contain_text("4 chỗ ghi tên Trưởng khối năm 2022")
    mentions.get_by_role("link").first.click()  # opens the editor on that line, selected
    outline = page.locator("#id_outline")
    expect(outline).to_be_focused()
    selected = page.evaluate(
        "() => { const a = document.getElementById('id_outline');"
        " return a.value.slice(a.selectionStart, a.selectionEnd); }"
    )
    assert "03/02/2022" in selected
    text = outline.input_value()
    for old, new in FIXES.items():
        text = text.replace(old, new)
    outline.fill(text)
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("link", name="Căn cứ, nơi nhận, chữ ký").click()
    recipients = page.locator("#id_recipients")
    recipients.fill(recipients.input_value().replace("Bộ CHQS tỉnh", "Công an tỉnh"))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("mentions")).to_have_count(0)

    page.get_by_role("button", name="Gửi lấy ý kiến").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đang lấy ý kiến")
    page.get_by_role("button", name="Duyệt").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã duyệt")
    page.goto(plan_url + "ban-hanh/")
    page.get_by_label("Ngày ban hành").fill("20/01/2023")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cấp số và ban hành").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã ban hành")

    plan = Plan.objects.get(bloc=demo, year=2023)
    assert (plan.status, plan.number) == (Plan.Status.ISSUED, 1)
    with page.expect_download() as pdf_download:
        page.get_by_test_id("download-pdf").click()
    with pdfplumber.open(io.BytesIO(Path(pdf_download.value.path()).read_bytes())) as pdf:
        check_printed("\n".join(p.extract_text() for p in pdf.pages))
    with page.expect_download() as docx_download:
        page.get_by_test_id("download-docx").click()
    doc = Document(docx_download.value.path())
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    check_printed("\n".join([p.text for p in doc.paragraphs] + cells))
