"""The PDF read back: A4, text inside the profile's margins, Times-compatible fonts only,
Vietnamese text intact, page numbers top-centre from page 2, the markers of each profile."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import pytest
from django.db import transaction
from weasyprint.urls import FatalURLFetchingError

from reports import render
from reports.documents import PlanDocContext, build_plan_context
from reports.pdf import StaticOnlyFetcher
from reports.render import check_fonts, html_to_pdf, render_html
from tests.reports.pdfread import (
    A4,
    MM,
    PageText,
    embedded_fonts,
    full_text,
    read_pages,
    squash,
)
from tests.reports.plan_data import SEED_000, make_seed_plan

STATE_ONLY = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 11/KH-KTĐNC",
    "I. MỤC ĐÍCH, YÊU CẦU",
]
PARTY_ONLY = ["ĐẢNG CỘNG SẢN VIỆT NAM", "-----", "Số 01-KH/KTĐ", "I- MỤC ĐÍCH, YÊU CẦU"]


@dataclass
class Rendered:
    ctx: PlanDocContext
    pdf: bytes
    pages: list[PageText]
    text: str


@pytest.fixture(scope="module")
def long_docs(django_db_setup, django_db_blocker) -> dict[str, Rendered]:
    """Seed 000 issued in both formats, rendered and read once for the module (rows rolled back)."""
    docs = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for name, party, number in (("state", False, 11), ("party", True, 1)):
            plan = make_seed_plan(
                party=party, status="issued", number=number, issue_date=dt.date(2022, 1, 24)
            )
            ctx = build_plan_context(plan)
            pdf = html_to_pdf(render_html(ctx))
            pages = read_pages(pdf, ctx.profile.margin_top_mm)
            docs[name] = Rendered(ctx, pdf, pages, full_text(pdf))
        transaction.set_rollback(True)
    return docs


@pytest.fixture(params=["state", "party"])
def long_doc(request, long_docs) -> Rendered:
    return long_docs[request.param]


def test_pages_are_a4_and_the_plan_is_long_enough(long_doc):
    pages = long_doc.pages
    assert len(pages) >= 3
    for page in pages:
        assert abs(page.width - A4[0]) <= 1 and abs(page.height - A4[1]) <= 1


def test_every_character_sits_inside_the_profile_margins(long_doc):
    p = long_doc.ctx.profile
    left, right = p.margin_left_mm * MM - 1, A4[0] - p.margin_right_mm * MM + 1
    top, bottom = p.margin_top_mm * MM - 1, A4[1] - p.margin_bottom_mm * MM + 1
    for page in long_doc.pages:
        body = [c for c in page.chars if c["bottom"] > top + 1]
        assert body
        for c in body:
            assert left <= c["x0"] and c["x1"] <= right, (page.number, c["text"], c["x0"], c["x1"])
            assert top <= c["top"] and c["bottom"] <= bottom, (page.number, c["text"], c["top"])


def test_page_numbers_top_centre_from_page_two(long_doc):
    p, pages = long_doc.ctx.profile, long_doc.pages
    centre = p.margin_left_mm * MM + (A4[0] - (p.margin_left_mm + p.margin_right_mm) * MM) / 2
    assert pages[0].header.strip() == ""
    for page in pages[1:]:
        assert page.header.strip() == str(page.number)
        digits = [c for c in page.chars if c["bottom"] <= p.margin_top_mm * MM]
        middle = (min(c["x0"] for c in digits) + max(c["x1"] for c in digits)) / 2
        assert abs(middle - centre) < 3
        assert all(abs(c["size"] - p.page_number_pt) < 0.1 for c in digits)


def test_only_times_compatible_fonts_are_embedded(long_doc):
    fonts = embedded_fonts(long_doc.pdf)
    assert fonts
    for name in fonts:
        assert "DejaVu" not in name
        assert name.replace("-", "").startswith(("LiberationSerif", "TimesNewRoman")), name


def test_profile_markers_print_only_in_their_own_profile(long_docs):
    state, party = long_docs["state"].text, long_docs["party"].text
    for marker in STATE_ONLY:
        assert marker in state and marker not in party
    for marker in PARTY_ONLY:
        assert marker in party and marker not in state
    assert "*" in squash(party.split("Số 01")[0]) and "*" not in squash(state.split("Số:")[0])
    assert "Nơi nhận:" in state and "Nơi nhận:" in party


def test_vietnamese_header_and_body_text_extracted_intact(long_docs):
    text = long_docs["state"].text
    for expected in (
        "TỈNH TUYÊN QUANG",
        "KHỐI THI ĐUA NỘI CHÍNH",
        "KẾ HOẠCH",
        "Tuyên Quang, ngày 24 tháng 01 năm 2022",
        "TRƯỞNG KHỐI THI ĐUA",
        "Đại tá Hà Đình Khiêm",
        "- Lưu: VT, TH. H15.",
    ):
        assert expected in text
    assert "Phát động phong trào thi đua Khối Nội chính tỉnh Tuyên Quang năm 2022" in text


def plain_outline() -> str:
    text = SEED_000.read_text(encoding="utf-8")
    return re.sub(r"\*+", "", text).replace(" /.", "./.")


@pytest.mark.parametrize("name", ["state", "party"])
def test_body_text_matches_the_plan_text(long_docs, name):
    printed = squash("".join(page.body for page in long_docs[name].pages))
    start, end = printed.index("Hưởngứngphongtrào"), printed.index("đạthiệuquảthiếtthực")
    printed = printed[start : end + len("đạthiệuquảthiếtthực./.")]
    expected = squash(plain_outline())
    assert SequenceMatcher(None, printed, expected, autojunk=False).ratio() >= 0.98
    assert "Khốithiđua" in printed and "Đợt1:Thờigiantừ01/01/2022" in printed


def test_recipients_and_signature_stay_on_one_page(long_doc):
    ctx, pages = long_doc.ctx, long_doc.pages
    name = next(line.text for line in ctx.signature.after_gap if line.role == "name")
    label_pages = [p.number for p in pages if "Nơi nhận" in p.body]
    name_pages = [p.number for p in pages if squash(name) in squash(p.body)]
    assert label_pages == name_pages == [len(pages)]


def test_draft_prints_the_marker_and_a_blank_number(state_draft, party_draft):
    state = full_text(html_to_pdf(render_html(build_plan_context(state_draft))))
    party = full_text(html_to_pdf(render_html(build_plan_context(party_draft))))
    assert "(Dự thảo)" in state and "(Dự thảo)" in party
    assert re.search(r"Số:\s+/KH-KTĐNC", state)
    assert re.search(r"Số\s+-KH/KTĐ", party)
    assert re.search(r"Tuyên Quang, ngày\s+tháng 01 năm 2022", state)
    assert re.search(r"Hà Giang, ngày\s+tháng 4 năm 2023", party)


def test_issued_plan_has_no_draft_marker(state_issued):
    text = full_text(html_to_pdf(render_html(build_plan_context(state_issued))))
    assert "Dự thảo" not in text and "Số: 01/KH-KTĐNC" in text
    assert "Tuyên Quang, ngày 05 tháng 02 năm 2027" in text


# ------------------------------------------------------------- the page setup comes from data


def test_page_setup_and_sizes_come_from_the_profile(state_issued):
    html = render_html(build_plan_context(state_issued))
    assert "margin: 20mm 15mm 20mm 30mm" in html
    assert "@page :first { @top-center { content: none; } }" in html
    assert "--national-title-size: 13pt" in html and "--motto-size: 14pt" in html


def test_stylesheet_has_no_profile_numbers():
    css = StaticOnlyFetcher().fetch("https://print.invalid/static/reports/print.css").read()
    css = css.decode("utf-8")
    assert "@page" not in css
    assert not re.search(r"font-size:\s*\d", css)
    assert not re.search(r"text-indent:\s*\d", css)


# ------------------------------------------------------------- the fetcher and the fonts


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/static/reports/print.css",
        "http://print.invalid/static/reports/print.css",
        "https://print.invalid/media/x.css",
        "https://print.invalid/static/../../thiduakhenthuong/settings.py",
        "data:text/css,body{}",
    ],
)
def test_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do
        StaticOnlyFetcher().fetch(url)


def test_a_document_that_links_elsewhere_fails_instead_of_fetching(settings):
    html = '<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>'
    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(html)


def test_fetcher_serves_our_stylesheet():
    response = StaticOnlyFetcher().fetch("https://print.invalid/static/reports/print.css")
    assert response.content_type == "text/css" and b"font-family" in response.read()


def test_missing_times_fonts_fail_loudly(monkeypatch):
    monkeypatch.setattr(render, "_installed_families", lambda: frozenset({"DejaVu Serif"}))
    with pytest.raises(render.FontMissingError, match="Liberation Serif"):
        check_fonts()
    with pytest.raises(render.FontMissingError):
        html_to_pdf("<p>x</p>")


def test_fonts_are_installed_here():
    assert check_fonts() in {"Times New Roman", "Liberation Serif"}
